/**
 * The report stage: one self-contained HTML page per study from the artifacts
 * of earlier stages, plus every figure as SVG (and PNG when Chromium is
 * available), published under reports/. A stage like the others: same
 * inputs, same page.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { notice } from '../core/progress.js';
import { writeFileAtomic } from '../core/atomic.js';
import { runStage } from '../pipeline/stage.js';
import type { Study } from '../report/data.js';
import { stageSpec, type StageOutcome, type StageTarget } from './outcome.js';

/** Bump when the page or figures change for the same inputs. */
const REPORT_CODE_VERSION = 'report-6';

export interface ReportStageOptions extends StageTarget {
  study: Study;
  /** Artifact folders of the stages to report; sections without one say "not run". */
  inputs: string[];
  /** BIDS folder: mean-EPI backgrounds for maps whose encode artifact has none. */
  bids?: string;
  /** Also render each figure as PNG in headless Chromium. */
  png: boolean;
}

export interface ReportOutcome extends StageOutcome {
  /** The published page. */
  page: string;
}

export async function runReportStage(o: ReportStageOptions): Promise<ReportOutcome> {
  const { study } = o;
  // make may pass one artifact twice (as a prerequisite and in a list); each is read once.
  const dirs = [...new Set(o.inputs.map((p) => path.resolve(p)))];
  if (dirs.length === 0) throw new InputError('inputs', 'give at least one stamp or artifact folder');
  if (o.bids !== undefined && !fs.existsSync(o.bids)) throw new InputError(o.bids, 'no such BIDS folder');
  const inputs: Record<string, string> = Object.fromEntries(dirs.map((dir, i) => [`input-${String(i).padStart(2, '0')}`, dir]));
  if (o.bids !== undefined) inputs.bids = o.bids;
  let summary = '';
  const res = await runStage(
    stageSpec(o, { stage: 'report', codeVersion: REPORT_CODE_VERSION, inputs, params: { study, png: o.png }, publish: true }),
    async ({ dir }) => {
      const { readReportData } = await import('../report/load.js');
      const { buildSections } = await import('../report/sections.js');
      const { renderReport, figureFileName } = await import('../report/page.js');
      const { exportFigures } = await import('../report/png.js');
      const { niivueScript } = await import('../report/viewer.js');
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'brainalign-report-'));
      try {
        const data = readReportData(study, dirs, { seed: o.seed, bids: o.bids, tmpDir: scratch });
        // Paths in the page are relative to the derivatives root, so the page reads the same wherever the tree is.
        for (const p of data.provenance) p.path = path.relative(path.resolve(o.root), path.resolve(p.path));
        const sections = buildSections(data);
        const figures = sections.flatMap((s) => s.figures);
        const stem = (f: { id: string }): string => figureFileName(data, f.id, 'svg').replace(/\.svg$/, '');
        const exp = await exportFigures(figures, path.join(dir, 'reports', 'figures'), stem, { png: o.png });
        if (exp.notice) {
          data.notices.push(exp.notice);
          notice(`report: ${exp.notice}`);
        }
        const niivue = data.brainMaps.length > 0 ? niivueScript() : null;
        if (data.brainMaps.length > 0 && !niivue) data.notices.push('NiiVue (@niivue/niivue) is not installed: brain maps are listed, not shown.');
        writeFileAtomic(path.join(dir, 'reports', `${study}.html`), renderReport(data, { niivue, figureDir: 'figures', pngs: exp.pngs.length > 0 }, sections));
        const missing = sections.filter((s) => s.notRun !== null).map((s) => s.heading);
        summary = `${study}: ${figures.length} figures, ${data.brainMaps.length} brain map(s)${missing.length ? `; not run: ${missing.join(', ')}` : ''}`;
        notice(`report: ${summary}`);
      } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    },
  );
  return { ...res, summary, page: path.join(o.root, 'reports', `${study}.html`) };
}

/**
 * `brainalign report`: one self-contained HTML page per study from the
 * artifacts of earlier stages, plus every figure as SVG (and PNG when
 * Chromium is available). A stage like the others: same inputs, same page.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineVerb, withStageOptions } from './framework.js';
import { InputError } from '../core/errors.js';
import { notice } from '../core/progress.js';
import { writeFileAtomic } from '../core/atomic.js';
import { runStage, resolveArtifact } from '../pipeline/stage.js';
import { STUDIES, type Study } from '../report/data.js';

/** Bump when the page or figures change for the same inputs. */
const CODE_VERSION = 'report-6';

export default defineVerb({
  command: 'report',
  describe: 'self-contained HTML report of a study (figures, tables, brain maps) with SVG/PNG figures',
  builder: (y) =>
    withStageOptions(y)
      .option('study', { choices: STUDIES, demandOption: true, describe: 'which study the page reports' })
      .option('inputs', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'stamps or artifact folders of the stages to report (missing sections say "not run")',
      })
      .option('bids', { type: 'string', describe: 'BIDS folder: mean-EPI backgrounds for maps whose encode artifact has none' })
      .option('png', { type: 'boolean', default: true, describe: 'also render each figure as PNG in headless Chromium (--no-png: SVG only)' }),
  run: async (a) => {
    const study = a.study as Study;
    // make may pass one artifact twice (as a prerequisite and in a list); each is read once.
    const dirs = [...new Set(a.inputs.map((p) => path.resolve(resolveArtifact(p, '--inputs'))))];
    const inputs = dirs.map((dir, i) => ({ name: `input-${String(i).padStart(2, '0')}`, dir }));
    if (inputs.length === 0) throw new InputError('--inputs', 'give at least one stamp or artifact folder');
    if (a.bids !== undefined && !fs.existsSync(a.bids)) throw new InputError(a.bids, '--bids: no such folder');
    const specInputs: Record<string, string> = Object.fromEntries(inputs.map((x) => [x.name, x.dir]));
    if (a.bids !== undefined) specInputs.bids = a.bids;
    await runStage(
      {
        stage: 'report',
        codeVersion: CODE_VERSION,
        root: a.out,
        inputs: specInputs,
        params: { study, png: a.png },
        seed: a.seed,
        stamp: a.stamp,
        publish: true,
      },
      async ({ dir }) => {
        const { readReportData } = await import('../report/load.js');
        const { buildSections } = await import('../report/sections.js');
        const { renderReport, figureFileName } = await import('../report/page.js');
        const { exportFigures } = await import('../report/png.js');
        const { niivueScript } = await import('../report/viewer.js');
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'brainalign-report-'));
        try {
          const data = readReportData(
            study,
            inputs.map((x) => x.dir),
            { seed: a.seed, bids: a.bids, tmpDir: scratch },
          );
          // Paths in the page are relative to the derivatives root, so the page reads the same wherever the tree is.
          for (const p of data.provenance) p.path = path.relative(path.resolve(a.out), path.resolve(p.path));
          const sections = buildSections(data);
          const figures = sections.flatMap((s) => s.figures);
          const exp = await exportFigures(figures, path.join(dir, 'reports', 'figures'), (f) => figureFileName(data, f.id, 'svg').replace(/\.svg$/, ''), {
            png: a.png,
          });
          if (exp.notice) {
            data.notices.push(exp.notice);
            notice(`report: ${exp.notice}`);
          }
          const niivue = data.brainMaps.length > 0 ? niivueScript() : null;
          if (data.brainMaps.length > 0 && !niivue) data.notices.push('NiiVue (@niivue/niivue) is not installed: brain maps are listed, not shown.');
          const html = renderReport(data, { niivue, figureDir: 'figures', pngs: exp.pngs.length > 0 }, sections);
          writeFileAtomic(path.join(dir, 'reports', `${study}.html`), html);
          const missing = sections.filter((s) => s.notRun !== null).map((s) => s.heading);
          notice(
            `report: ${study}: ${figures.length} figures, ${data.brainMaps.length} brain map(s)${missing.length ? `; not run: ${missing.join(', ')}` : ''}`,
          );
        } finally {
          fs.rmSync(scratch, { recursive: true, force: true });
        }
      },
    );
    process.stdout.write(`${path.join(a.out, 'reports', `${study}.html`)}\n`);
  },
});

/**
 * The align stage: BAS (s_r, s_b, BAS with bootstrap CIs), the area × ROI
 * matrix and its correspondence index per model, and — with several models
 * or checkpoints — alignment (encoding and RSA) against task performance and
 * against training checkpoint (src/scoring/align-run.ts). Reads encode and
 * train artifacts and the listeners' genre choices; writes
 * src/artifacts/align.ts's tables into its own artifact folder (not
 * published: the tables of different studies would share names in the
 * derivatives root).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { notice } from '../core/progress.js';
import { Rng } from '../core/prng.js';
import { runStage } from '../pipeline/stage.js';
import type { AlignConfig } from '../scoring/config.js';
import { writeAlignSummary } from '../artifacts/align.js';
import { stageSpec, type StageOutcome, type StageTarget } from './outcome.js';

const ALIGN_CODE_VERSION = 'align-3';

export interface AlignStageOptions extends StageTarget {
  /** encode artifact folders (one per subject and model). */
  encodingDirs: string[];
  /** train artifact folders: per-clip predictions and task performance. */
  modelDirs: string[];
  /** BIDS dataset with the listeners' sub-*\/beh/sub-*_task-genre_beh.tsv. */
  bids: string;
  config: AlignConfig;
  /** Task performance of models without a train artifact (ONNX models declared in the config), by model name. */
  declaredPerformance: Record<string, number>;
}

/** The listeners' beh folders, by subject, as stage inputs. */
function behaviourInputs(bids: string): Record<string, string> {
  if (!fs.existsSync(bids)) throw new InputError(bids, 'no such BIDS folder');
  const out: Record<string, string> = {};
  for (const s of fs
    .readdirSync(bids)
    .filter((d) => d.startsWith('sub-'))
    .sort()) {
    const d = path.join(bids, s, 'beh');
    if (fs.existsSync(d)) out[`beh-${s}`] = d;
  }
  return out;
}

const fmt = (x: number | undefined): string => (x === undefined ? 'n/a' : x.toFixed(3));
const numbered = (prefix: string, dirs: string[]): [string, string][] => dirs.map((d, i) => [`${prefix}-${String(i).padStart(3, '0')}`, d]);

export async function runAlignStage(o: AlignStageOptions): Promise<StageOutcome> {
  const cfg = o.config;
  const declared = o.declaredPerformance;
  const inputs = { ...behaviourInputs(o.bids), ...Object.fromEntries([...numbered('encoding', o.encodingDirs), ...numbered('model', o.modelDirs)]) };
  const { runAlign, writeAlignOutputs } = await import('../scoring/align-run.js');
  let summary = '';
  const params = { align: cfg, ...(Object.keys(declared).length ? { declaredPerformance: declared } : {}) };
  const res = await runStage(stageSpec(o, { stage: 'align', codeVersion: ALIGN_CODE_VERSION, inputs, params }), async ({ dir }) => {
    const out = await runAlign({
      encodingDirs: o.encodingDirs,
      modelDirs: o.modelDirs,
      bids: o.bids,
      config: cfg,
      rng: new Rng(o.seed, 'align'),
      declaredPerformance: declared,
    });
    writeAlignOutputs(dir, out);
    summary = out.groups.map((g) => `${g.label}: BAS ${fmt(g.bas?.bas.estimate)} (s_r ${g.sR.toFixed(3)}, s_b ${fmt(g.bas?.sB.estimate)})`).join('; ');
    writeAlignSummary(dir, {
      level: cfg.bas.level,
      groups: out.groups.map((g) => ({ model: g.model, checkpoint: g.checkpoint, sR: g.sR, bas: g.bas?.bas ?? null })),
    });
  });
  if (!res.upToDate) notice(`align: ${summary}`);
  return { ...res, summary };
}

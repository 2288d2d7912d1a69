/**
 * `brainalign align`: BAS (s_r, s_b, BAS with bootstrap CIs), the area × ROI
 * matrix and its correspondence index per model, and — with several models or
 * checkpoints — alignment (encoding and RSA) against task performance and
 * against training checkpoint. Reads encode and train artifacts; writes TSVs
 * and JSON into its own artifact folder (not published: the tables of
 * different studies would share names in the derivatives root).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { notice } from '../core/progress.js';
import { Rng } from '../core/prng.js';
import { resolveArtifact, runStage } from '../pipeline/stage.js';
import { DEFAULT_ROOT } from '../pipeline/derivatives.js';
import { alignFileSchema } from '../scoring/config.js';
import { writeAlignSummary } from '../artifacts/align.js';
import { defineVerb, loadConfig } from './framework.js';
import { declaredPerformance, onnxFileSchema } from '../models/onnx/config.js';

const CODE_VERSION = 'align-3';

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

export default defineVerb({
  command: 'align',
  describe: 'BAS, area×ROI correspondence and model alignment (vs performance, vs checkpoint) from encode and train artifacts',
  builder: (y) =>
    y
      .option('encodings', { type: 'string', array: true, demandOption: true, describe: 'encode stamps or artifact folders (one per subject and model)' })
      .option('models', { type: 'string', array: true, describe: 'train stamps or artifact folders (per-clip predictions, task performance)' })
      .option('bids', { type: 'string', demandOption: true, describe: 'BIDS dataset with the listeners’ sub-*/beh/sub-*_task-genre_beh.tsv' })
      .option('stamp', { type: 'string', describe: 'completion stamp to write after success (used by make)' }),
  run: async (a) => {
    const cfg = loadConfig(a.config, alignFileSchema).align;
    // Task performance of the ONNX models declared in the config (they have no train artifact).
    const declared = declaredPerformance(loadConfig(a.config, onnxFileSchema).onnx);
    const encDirs = list(a.encodings).map((p) => resolveArtifact(p, '--encodings'));
    const modelDirs = list(a.models).map((p) => resolveArtifact(p, '--models'));
    if (!fs.existsSync(a.bids)) throw new InputError(a.bids, 'no such BIDS folder');
    const beh: Record<string, string> = {};
    for (const s of fs
      .readdirSync(a.bids)
      .filter((d) => d.startsWith('sub-'))
      .sort()) {
      const d = path.join(a.bids, s, 'beh');
      if (fs.existsSync(d)) beh[`beh-${s}`] = d;
    }
    const inputs: Record<string, string> = { ...beh };
    encDirs.forEach((d, i) => (inputs[`encoding-${String(i).padStart(3, '0')}`] = d));
    modelDirs.forEach((d, i) => (inputs[`model-${String(i).padStart(3, '0')}`] = d));
    const lib = await import('../scoring/align-run.js');
    let summary = '';
    const res = await runStage(
      {
        stage: 'align',
        codeVersion: CODE_VERSION,
        root: a.out ?? DEFAULT_ROOT,
        inputs,
        params: { align: cfg, ...(Object.keys(declared).length ? { declaredPerformance: declared } : {}) },
        seed: a.seed,
        stamp: a.stamp,
      },
      async ({ dir }) => {
        const out = await lib.runAlign({
          encodingDirs: encDirs,
          modelDirs,
          bids: a.bids,
          config: cfg,
          rng: new Rng(a.seed, 'align'),
          declaredPerformance: declared,
        });
        lib.writeAlignOutputs(dir, out);
        summary = out.groups
          .map(
            (g) =>
              `${g.label}: BAS ${g.bas ? g.bas.bas.estimate.toFixed(3) : 'n/a'} (s_r ${g.sR.toFixed(3)}, s_b ${g.bas ? g.bas.sB.estimate.toFixed(3) : 'n/a'})`,
          )
          .join('; ');
        writeAlignSummary(dir, {
          level: cfg.bas.level,
          groups: out.groups.map((g) => ({ model: g.model, checkpoint: g.checkpoint, sR: g.sR, bas: g.bas?.bas ?? null })),
        });
      },
    );
    if (!res.upToDate) notice(`align: ${summary}`);
    process.stdout.write(`align: ${res.upToDate ? 'up to date' : 'done'} (${res.key})${summary ? `; ${summary}` : ''}\n`);
  },
  flags: { modelDirs: '--models', encodingDirs: '--encodings' },
});

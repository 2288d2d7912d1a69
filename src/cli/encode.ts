/**
 * `brainalign encode`: options for two stages and one call into either.
 * Plain mode (--X --Y): cross-validated ridge from .npy to .npy
 * (src/stages/encode-ridge.ts). Study mode (--features --bids --subject): one
 * subject's voxel-wise encoding maps, or one voxel chunk of it, or the merge
 * of its chunks (src/stages/encode-study.ts, docs/scale-out.md).
 */
import { InputError } from '../core/errors.js';
import { resolveArtifact } from '../pipeline/stage.js';
import { DEFAULT_FIR_DELAYS } from '../encoding/delays.js';
import { encodeFileSchema } from '../encoding/config.js';
import { runEncodeRidge } from '../stages/encode-ridge.js';
import { parseChunk } from '../stages/encode-chunk.js';
import { runEncodeStudyStage } from '../stages/encode-study.js';
import { defineVerb, readConfig, parseNumberList, printOutcome, stageTarget } from './framework.js';

const opt = (describe: string) => ({ type: 'string', describe }) as const;

export default defineVerb({
  command: 'encode',
  describe: 'cross-validated ridge: X.npy (samples×features) → Y.npy (samples×voxels); or study mode (--features --bids --subject): voxel-wise encoding maps',
  builder: (y) =>
    y
      .option('X', opt('design matrix .npy, samples × features (plain mode)'))
      .option('Y', opt('targets .npy, samples × voxels (plain mode)'))
      .option('features', opt('study mode: features artifact (stamp or folder) from `brainalign features`'))
      .option('bids', opt('study mode: BIDS dataset with the BOLD runs, events and atlas'))
      .option('subject', opt('study mode: subject label, e.g. 01'))
      .option('stamp', opt('study mode: completion stamp to write after success (used by make)'))
      .option('groups', opt('group label per sample .npy (runs or stimuli) defining the CV folds; groups are never split across folds'))
      .option('runs', opt('run label per sample .npy: the run boundaries FIR delays never cross (independent of --groups)'))
      .option('alphas', opt('comma-separated α grid (default 0.1,1,…,1e6)'))
      .option('folds', { type: 'number', describe: 'number of folds K (default 5; leave-one-group-out with --groups)' })
      .option('delays', opt(`FIR delays in samples, e.g. 1,2,3 or "default" (${DEFAULT_FIR_DELAYS.join(',')}); applied within the runs given by --runs`))
      .option('standardize', { type: 'boolean', default: false, describe: 'z-score features with training statistics' })
      .option('weights', { type: 'boolean', default: true, describe: 'refit and write weights.npy (--no-weights to skip)' })
      .option('batch', { type: 'number', describe: 'targets per batch (memory bound)' })
      .option('chunk', opt('study mode: fit only voxel chunk I of N (I/N, e.g. 2/4) into an encode-chunk artifact (docs/scale-out.md)'))
      .option('merge', { type: 'string', array: true, describe: 'study mode: the N chunk stamps (or folders) whose fits make up this encoding' }),
  run: async (a) => {
    const alphas = a.alphas ? parseNumberList(a.alphas, '--alphas') : undefined;
    const delays = a.delays ? (a.delays.trim() === 'default' ? [...DEFAULT_FIR_DELAYS] : parseNumberList(a.delays, '--delays')) : undefined;
    if (a.features !== undefined) {
      if (!a.bids) throw new InputError('--bids', 'study mode needs --bids STUDY (the BIDS dataset)');
      if (!a.subject) throw new InputError('--subject', 'study mode needs --subject LABEL (e.g. 01)');
      if (a.chunk !== undefined && a.merge !== undefined)
        throw new InputError('--chunk', 'give either --chunk (fit one voxel chunk) or --merge (assemble the chunks), not both');
      const chunk = a.chunk !== undefined ? parseChunk(a.chunk) : undefined;
      const file = readConfig(a.config, encodeFileSchema).encode;
      const res = await runEncodeStudyStage({
        featuresDir: resolveArtifact(a.features, '--features'),
        bids: a.bids,
        subject: a.subject,
        config: { ...file, ...(alphas ? { alphas } : {}), ...(delays ? { delays } : {}) },
        chunk,
        merge: a.merge?.map((m) => resolveArtifact(m, '--merge')),
        ...stageTarget(a),
      });
      return printOutcome('encode', res);
    }
    if (!a.X || !a.Y) throw new InputError('options', 'give --X and --Y (plain mode) or --features, --bids and --subject (study mode)');
    if (!a.out) throw new InputError('--out', 'give an output folder');
    const { groups, runs, folds, standardize, weights, batch } = a;
    const names = { X: '--X', Y: '--Y', groups: '--groups', runs: '--runs' };
    const r = runEncodeRidge({ X: a.X, Y: a.Y, groups, runs, alphas, folds, delays, standardize, weights, batch, out: a.out, names });
    process.stdout.write(`encode: ${r.targets} targets, ${r.features} features, ${r.folds} folds; mean cv r ${r.meanR.toFixed(4)}; wrote ${a.out}\n`);
  },
  flags: { delays: '--delays' },
});

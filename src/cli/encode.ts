/**
 * `brainalign encode`: cross-validated ridge from a design matrix to many
 * targets (voxels), from .npy files to .npy files. Thin: reads, calls
 * ridgeCV, writes.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { defineVerb, parseNumberList } from './framework.js';
import { InputError } from '../core/errors.js';
import { notice } from '../core/progress.js';
import { writeJsonAtomic } from '../core/atomic.js';
import { readNpy, writeNpy } from '../io/npy.js';
import { ridgeCV } from '../encoding/ridge.js';
import { DEFAULT_FIR_DELAYS, delayFeatures } from '../encoding/delays.js';
import { DEFAULT_ALPHAS } from '../encoding/config.js';
import { FLOAT32_MAX, firstNonFinite, maxColumnSumOfSquares } from '../core/finite.js';
import { checkDelays, shortestRun } from './encode-checks.js';

/** A 2-D float matrix from an .npy file as float32 (float64/int inputs converted). */
function readMatrix(file: string, option: string): { data: Float32Array; rows: number; cols: number } {
  const a = readNpy(file);
  if (a.shape.length !== 2) throw new InputError(file, `${option} must be a 2-D array (samples × columns), got shape (${a.shape.join(', ')})`);
  if (a.data instanceof BigInt64Array || a.data instanceof BigUint64Array)
    throw new InputError(file, `${option} has 64-bit integer dtype ${a.dtype}; save it as float32`);
  const data = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data as ArrayLike<number>);
  const rows = a.shape[0];
  const cols = a.shape[1];
  const bad = firstNonFinite(data);
  if (bad >= 0) throw new InputError(file, `${option} row ${Math.floor(bad / cols)}, column ${bad % cols} is ${data[bad]} (values must be finite)`);
  const ss = maxColumnSumOfSquares(data, rows, cols);
  if (ss.value >= FLOAT32_MAX / 16)
    throw new InputError(
      file,
      `${option} column ${ss.column} has a sum of squares of ${ss.value.toExponential(2)}, beyond float32 arithmetic; rescale the data`,
    );
  return { data, rows, cols };
}

function readLabels(file: string, n: number, option: string): Float64Array {
  const a = readNpy(file);
  if (a.shape.length !== 1 || a.shape[0] !== n)
    throw new InputError(file, `${option} must be a 1-D array of ${n} labels (one per sample), got shape (${a.shape.join(', ')})`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Number(a.data[i]);
  const bad = firstNonFinite(out);
  if (bad >= 0) throw new InputError(file, `${option} label ${bad} is ${out[bad]} (labels must be finite)`);
  return out;
}

/** `--delays`: a comma-separated list of samples, or "default" for DEFAULT_FIR_DELAYS. */
function parseDelays(text: string): number[] {
  return text.trim() === 'default' ? [...DEFAULT_FIR_DELAYS] : parseNumberList(text, '--delays');
}

export default defineVerb({
  command: 'encode',
  describe: 'cross-validated ridge: X.npy (samples×features) → Y.npy (samples×voxels); or study mode (--features --bids --subject): voxel-wise encoding maps',
  builder: (y) =>
    y
      .option('X', { type: 'string', describe: 'design matrix .npy, samples × features (plain mode)' })
      .option('Y', { type: 'string', describe: 'targets .npy, samples × voxels (plain mode)' })
      .option('features', { type: 'string', describe: 'study mode: features artifact (stamp or folder) from `brainalign features`' })
      .option('bids', { type: 'string', describe: 'study mode: BIDS dataset with the BOLD runs, events and atlas' })
      .option('subject', { type: 'string', describe: 'study mode: subject label, e.g. 01' })
      .option('stamp', { type: 'string', describe: 'study mode: completion stamp to write after success (used by make)' })
      .option('groups', {
        type: 'string',
        describe: 'group label per sample .npy (runs or stimuli) defining the CV folds; groups are never split across folds',
      })
      .option('runs', { type: 'string', describe: 'run label per sample .npy: the run boundaries FIR delays never cross (independent of --groups)' })
      .option('alphas', { type: 'string', describe: 'comma-separated α grid (default 0.1,1,…,1e6)' })
      .option('folds', { type: 'number', describe: 'number of folds K (default 5; leave-one-group-out with --groups)' })
      .option('delays', {
        type: 'string',
        describe: `FIR delays in samples, e.g. 1,2,3 or "default" (${DEFAULT_FIR_DELAYS.join(',')}); applied within the runs given by --runs`,
      })
      .option('standardize', { type: 'boolean', default: false, describe: 'z-score features with training statistics' })
      .option('weights', { type: 'boolean', default: true, describe: 'refit and write weights.npy (--no-weights to skip)' })
      .option('batch', { type: 'number', describe: 'targets per batch (memory bound)' })
      .option('chunk', {
        type: 'string',
        describe: 'study mode: fit only voxel chunk I of N (I/N, e.g. 2/4) into an encode-chunk artifact (docs/scale-out.md)',
      })
      .option('merge', { type: 'string', array: true, describe: 'study mode: the N chunk stamps (or folders) whose fits make up this encoding' }),
  run: async (a) => {
    if (a.features !== undefined) {
      const { runEncodeStudy } = await import('./encode-study.js');
      const overrides = {
        ...(a.alphas ? { alphas: parseNumberList(a.alphas, '--alphas') } : {}),
        ...(a.delays ? { delays: parseDelays(a.delays) } : {}),
      };
      await runEncodeStudy({ ...a, features: a.features }, overrides);
      return;
    }
    if (!a.X || !a.Y) throw new InputError('options', 'give --X and --Y (plain mode) or --features, --bids and --subject (study mode)');
    if (!a.out) throw new InputError('--out', 'give an output folder');
    const x = readMatrix(a.X, '--X');
    const yM = readMatrix(a.Y, '--Y');
    if (yM.rows !== x.rows) throw new InputError(a.Y, `has ${yM.rows} samples but --X has ${x.rows}`);
    const n = x.rows;
    const groups = a.groups ? readLabels(a.groups, n, '--groups') : undefined;
    const runs = a.runs ? readLabels(a.runs, n, '--runs') : undefined;
    if (runs && !a.delays) throw new InputError('--runs', 'run boundaries only matter for FIR delays; give --delays too (or leave --runs out)');
    const alphas = a.alphas ? parseNumberList(a.alphas, '--alphas') : DEFAULT_ALPHAS;
    if (a.folds !== undefined && (!Number.isInteger(a.folds) || a.folds < 2)) throw new InputError('--folds', `expected an integer ≥ 2, got ${a.folds}`);
    if (a.batch !== undefined && (!Number.isInteger(a.batch) || a.batch < 1)) throw new InputError('--batch', `expected a positive integer, got ${a.batch}`);
    let X = x.data;
    let p = x.cols;
    let delays: number[] | null = null;
    if (a.delays) {
      delays = parseDelays(a.delays);
      if (!runs && groups) notice('encode: --delays without --runs: delays run across all samples as one run (--groups only defines folds)');
      checkDelays(delays, shortestRun(n, runs));
      X = delayFeatures(X, n, p, delays, runs);
      p *= delays.length;
    }
    const res = ridgeCV({
      X,
      n,
      p,
      Y: yM.data,
      v: yM.cols,
      alphas,
      groups,
      folds: a.folds,
      returnWeights: a.weights,
      standardize: a.standardize,
      batchSize: a.batch,
    });
    const v = yM.cols;
    mkdirSync(a.out, { recursive: true });
    writeNpy(join(a.out, 'best_alpha.npy'), res.bestAlpha, [v]);
    writeNpy(join(a.out, 'cv_r.npy'), res.cvR, [v]);
    writeNpy(join(a.out, 'cv_r2.npy'), res.cvR2, [v]);
    writeNpy(join(a.out, 'cv_r_all.npy'), res.cvRAll, [alphas.length, v]);
    if (res.weights && res.intercept) {
      writeNpy(join(a.out, 'weights.npy'), res.weights, [p, v]);
      writeNpy(join(a.out, 'intercept.npy'), res.intercept, [v]);
    }
    writeJsonAtomic(join(a.out, 'encode.json'), {
      inputs: { X: a.X, Y: a.Y, groups: a.groups ?? null, runs: a.runs ?? null },
      samples: n,
      features: p,
      targets: v,
      alphas,
      folds: res.nFolds,
      delays,
      standardize: a.standardize,
      files: {
        'best_alpha.npy': 'chosen ridge α per target (shape v)',
        'cv_r.npy': 'held-out Pearson r at the chosen α, mean over folds (shape v, unitless)',
        'cv_r2.npy': 'held-out R² at the chosen α, mean over folds (shape v, unitless)',
        'cv_r_all.npy': 'held-out Pearson r for every α, mean over folds (shape nα×v)',
        ...(res.weights
          ? { 'weights.npy': 'weights on raw X columns (shape p×v, units of Y per unit of X)', 'intercept.npy': 'intercept per target (shape v, units of Y)' }
          : {}),
      },
    });
    let mean = 0;
    for (const r of res.cvR) mean += r;
    process.stdout.write(`encode: ${v} targets, ${p} features, ${res.nFolds} folds; mean cv r ${(mean / v).toFixed(4)}; wrote ${a.out}\n`);
  },
});

/**
 * Plain-mode encode: cross-validated ridge from a design matrix (.npy,
 * samples × features) to many targets (.npy, samples × voxels), optionally
 * with FIR delays inside runs, written as a ridge-fit folder
 * (src/artifacts/ridge.ts). Not a cached stage: the user names the output folder.
 */
import { InputError } from '../core/errors.js';
import { notice } from '../core/progress.js';
import { FLOAT32_MAX, firstNonFinite, maxColumnSumOfSquares } from '../core/finite.js';
import { readNpy } from '../io/npy.js';
import { ridgeCV } from '../encoding/ridge.js';
import { DEFAULT_ALPHAS } from '../encoding/config.js';
import { checkDelays, delayFeatures, shortestRun } from '../encoding/delays.js';
import { writeRidgeFit } from '../artifacts/ridge.js';

export interface EncodeRidgeOptions {
  /** Design matrix .npy, samples × features. */
  X: string;
  /** Targets .npy, samples × voxels. */
  Y: string;
  /** Group label per sample .npy: the CV folds (a group is never split across folds). */
  groups?: string;
  /** Run label per sample .npy: where FIR delays stop (needs `delays`). */
  runs?: string;
  /** α grid (default DEFAULT_ALPHAS). */
  alphas?: readonly number[];
  /** K folds (default 5; leave-one-group-out with groups). */
  folds?: number;
  /** FIR delays in samples; none: X as given. */
  delays?: readonly number[];
  standardize: boolean;
  /** Refit on all samples and write weights and intercepts. */
  weights: boolean;
  /** Targets per batch (memory bound). */
  batch?: number;
  /** Output folder. */
  out: string;
  /**
   * What the caller calls each input file in messages about its contents (the
   * error itself names the file); default the parameter name. The verb passes
   * its flags, so `X.npy: --X row 2, column 1 is NaN` reads as the user typed it.
   */
  names?: Partial<Record<InputFile, string>>;
}

type InputFile = 'X' | 'Y' | 'groups' | 'runs';

export interface EncodeRidgeOutcome {
  targets: number;
  /** Design columns after delays. */
  features: number;
  folds: number;
  /** Mean over targets of the held-out r at the chosen α. */
  meanR: number;
}

/** A 2-D float matrix from an .npy file as float32 (float64/int inputs converted). Errors name the file. */
function readMatrix(file: string, label: string): { data: Float32Array; rows: number; cols: number } {
  const a = readNpy(file);
  if (a.shape.length !== 2) throw new InputError(file, `${label} must be a 2-D array (samples × columns), got shape (${a.shape.join(', ')})`);
  if (a.data instanceof BigInt64Array || a.data instanceof BigUint64Array)
    throw new InputError(file, `${label} has 64-bit integer dtype ${a.dtype}; save it as float32`);
  const data = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data as ArrayLike<number>);
  const [rows, cols] = a.shape;
  const bad = firstNonFinite(data);
  if (bad >= 0) throw new InputError(file, `${label} row ${Math.floor(bad / cols)}, column ${bad % cols} is ${data[bad]} (values must be finite)`);
  const ss = maxColumnSumOfSquares(data, rows, cols);
  // Beyond this the float32 cross-products overflow before the solver sees them.
  if (ss.value >= FLOAT32_MAX / 16)
    throw new InputError(
      file,
      `${label} column ${ss.column} has a sum of squares of ${ss.value.toExponential(2)}, beyond float32 arithmetic; rescale the data`,
    );
  return { data, rows, cols };
}

function readLabels(file: string, n: number, label: string): Float64Array {
  const a = readNpy(file);
  if (a.shape.length !== 1 || a.shape[0] !== n)
    throw new InputError(file, `${label} must be a 1-D array of ${n} labels (one per sample), got shape (${a.shape.join(', ')})`);
  const out = Float64Array.from({ length: n }, (_, i) => Number(a.data[i]));
  const bad = firstNonFinite(out);
  if (bad >= 0) throw new InputError(file, `${label} label ${bad} is ${out[bad]} (labels must be finite)`);
  return out;
}

function checkIntAtLeast(v: number | undefined, param: string, min: number): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new InputError(param, `expected an integer ≥ ${min}, got ${v}`);
}

export function runEncodeRidge(o: EncodeRidgeOptions): EncodeRidgeOutcome {
  const name = (k: InputFile): string => o.names?.[k] ?? k;
  const x = readMatrix(o.X, name('X'));
  const y = readMatrix(o.Y, name('Y'));
  if (y.rows !== x.rows) throw new InputError(o.Y, `has ${y.rows} samples but ${name('X')} has ${x.rows}`);
  const n = x.rows;
  const groups = o.groups ? readLabels(o.groups, n, name('groups')) : undefined;
  const runs = o.runs ? readLabels(o.runs, n, name('runs')) : undefined;
  if (runs && !o.delays) throw new InputError('delays', 'needed with run labels: run boundaries only matter for FIR delays (or leave the run labels out)');
  const alphas = o.alphas ?? DEFAULT_ALPHAS;
  checkIntAtLeast(o.folds, 'folds', 2);
  checkIntAtLeast(o.batch, 'batch', 1);
  let X = x.data;
  let p = x.cols;
  if (o.delays) {
    if (!runs && groups) notice('encode: delays without run labels: delays run across all samples as one run (groups only define folds)');
    checkDelays(o.delays, shortestRun(n, runs));
    X = delayFeatures(X, n, p, o.delays, runs);
    p *= o.delays.length;
  }
  const v = y.cols;
  const res = ridgeCV({ X, n, p, Y: y.data, v, alphas, groups, folds: o.folds, returnWeights: o.weights, standardize: o.standardize, batchSize: o.batch });
  writeRidgeFit(
    o.out,
    {
      inputs: { X: o.X, Y: o.Y, groups: o.groups ?? null, runs: o.runs ?? null },
      samples: n,
      features: p,
      targets: v,
      alphas: [...alphas],
      folds: res.nFolds,
      delays: o.delays ? [...o.delays] : null,
      standardize: o.standardize,
    },
    res,
  );
  return { targets: v, features: p, folds: res.nFolds, meanR: res.cvR.reduce((s, r) => s + r, 0) / v };
}

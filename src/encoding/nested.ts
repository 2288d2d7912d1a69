/**
 * Nested cross-validation for encoding models (the braindnn protocol): outer
 * folds only ever test; inside each outer training set, inner folds choose,
 * per voxel, the ridge α and (optionally) the best of several feature spaces
 * (e.g. network layers). The chosen model is refit on the whole outer
 * training set and scored once on the outer test set, so the reported r is
 * free of selection bias.
 */
import { InputError } from '../core/errors.js';
import { allocLike, getLinalg, type Floats, type Linalg } from '../linalg/index.js';
import { makeFolds } from './cv.js';
import { scoreColumns, targetStats } from './correlate.js';
import { ridgeCV, ridgePredict } from './ridge.js';

/** One candidate design: n×p row-major features (e.g. one layer's activations, delayed). */
export interface FeatureSpace<T extends Floats> {
  name: string;
  X: T;
  p: number;
}

export interface NestedRidgeOptions<T extends Floats> {
  Xs: readonly FeatureSpace<T>[];
  n: number;
  /** Targets, n×v row-major. */
  Y: T;
  v: number;
  alphas: readonly number[];
  /** Group label per sample (runs/stimuli); groups are never split at either level. */
  groups?: ArrayLike<number>;
  /** Outer folds (default: leave-one-group-out with groups, else 5). */
  outerFolds?: number;
  /** Inner folds within each outer training set (default: leave-one-group-out with groups, else 5). */
  innerFolds?: number;
  standardize?: boolean;
  batchSize?: number;
  linalg?: Linalg;
}

export interface NestedRidgeResult {
  nOuter: number;
  /** Outer-test Pearson r per outer fold and voxel: nOuter×v row-major (unitless). */
  outerR: Float32Array;
  /** Outer-test R² per outer fold and voxel: nOuter×v (unitless). */
  outerR2: Float32Array;
  /** α chosen by the inner folds: nOuter×v. */
  alpha: Float32Array;
  /** Index into Xs of the feature space chosen by the inner folds: nOuter×v. */
  layer: Int32Array;
  /** Inner-CV r of the chosen (layer, α): nOuter×v. */
  innerR: Float32Array;
  /** outerR averaged over outer folds: v. */
  meanR: Float32Array;
  /** outerR2 averaged over outer folds: v. */
  meanR2: Float32Array;
}

function rowsOf<T extends Floats>(a: T, cols: number, idx: Int32Array): T {
  const out = allocLike(a, idx.length * cols);
  for (let r = 0; r < idx.length; r++) out.set(a.subarray(idx[r] * cols, idx[r] * cols + cols), r * cols);
  return out;
}

/**
 * Nested CV ridge over one or more feature spaces. Returns, per outer fold and
 * voxel, the held-out r and R² of the model chosen by inner CV, with its α and
 * feature-space index; plus the fold means.
 */
export function nestedRidge<T extends Floats>(opts: NestedRidgeOptions<T>): NestedRidgeResult {
  const { Xs, n, Y, v, alphas, groups } = opts;
  if (Xs.length < 1) throw new InputError('Xs', 'need at least one feature space');
  for (const fs of Xs) if (fs.X.length !== n * fs.p) throw new InputError(fs.name, `expected ${n}×${fs.p} = ${n * fs.p} values, got ${fs.X.length}`);
  if (Y.length !== n * v) throw new InputError('Y', `expected ${n}×${v} = ${n * v} values, got ${Y.length}`);
  const la = opts.linalg ?? getLinalg();
  const outer = makeFolds(n, { k: opts.outerFolds, groups });
  const nO = outer.length;
  const outerR = new Float32Array(nO * v);
  const outerR2 = new Float32Array(nO * v);
  const alpha = new Float32Array(nO * v);
  const layer = new Int32Array(nO * v);
  const innerR = new Float32Array(nO * v);

  outer.forEach((fold, fo) => {
    const { train, test } = fold;
    const innerGroups = groups ? Int32Array.from(train, (i) => groups[i]) : undefined;
    const innerFoldList = makeFolds(train.length, { k: opts.innerFolds, groups: innerGroups });
    const yTr = rowsOf(Y, v, train);
    const yTe = rowsOf(Y, v, test);
    const nTe = test.length;
    const best = new Float64Array(v).fill(-Infinity);
    const bestPred = allocLike(Y, nTe * v);
    Xs.forEach((fs, li) => {
      const res = ridgeCV({
        X: rowsOf(fs.X, fs.p, train),
        n: train.length,
        p: fs.p,
        Y: yTr,
        v,
        alphas,
        foldList: innerFoldList,
        standardize: opts.standardize,
        batchSize: opts.batchSize,
        linalg: la,
      });
      if (!res.weights || !res.intercept) throw new Error('nestedRidge: ridgeCV returned no weights');
      const pred = ridgePredict(rowsOf(fs.X, fs.p, test), nTe, fs.p, res.weights, res.intercept, v, la);
      for (let k = 0; k < v; k++) {
        // strictly better only: ties keep the earlier feature space
        if (!(res.cvR[k] > best[k])) continue;
        best[k] = res.cvR[k];
        alpha[fo * v + k] = res.bestAlpha[k];
        layer[fo * v + k] = li;
        innerR[fo * v + k] = res.cvR[k];
        for (let i = 0; i < nTe; i++) bestPred[i * v + k] = pred[i * v + k];
      }
    });
    scoreColumns(bestPred, 0, yTe, targetStats(yTe, nTe, v), v, null, outerR, outerR2, fo * v, la);
  });

  const meanR = new Float32Array(v);
  const meanR2 = new Float32Array(v);
  for (let k = 0; k < v; k++) {
    let s = 0;
    let s2 = 0;
    for (let f = 0; f < nO; f++) {
      s += outerR[f * v + k];
      s2 += outerR2[f * v + k];
    }
    meanR[k] = s / nO;
    meanR2[k] = s2 / nO;
  }
  return { nOuter: nO, outerR, outerR2, alpha, layer, innerR, meanR, meanR2 };
}

/**
 * Multi-target ridge regression with one α per target, chosen by grouped
 * K-fold cross-validation (himalaya's solve_ridge_cv_svd idea, reorganised so
 * that the target-dependent work is two large GEMMs per batch and fold).
 *
 * For a fold with centred (optionally z-scored) training design Z (n_tr×p) and
 * held-out design Z_te, ridge predictions for every α share one
 * decomposition: with ZᵀZ = V Λ Vᵀ (primal, when p ≤ n_tr)
 *     Ŷ_te(α) = Z_te V (Λ + αI)⁻¹ Vᵀ · ZᵀY_tr = H_α · ZᵀY_tr,
 * and with ZZᵀ = U Λ Uᵀ (dual, when n_tr < p)
 *     Ŷ_te(α) = Z_te Zᵀ U (Λ + αI)⁻¹ Uᵀ · Y_tr = H_α · Y_tr.
 * H_α depends only on the fold and α, so all α are stacked into one matrix
 * and each target batch costs a single GEMM per fold; the decomposition is
 * done once per fold in float64. Targets are streamed in column batches so
 * memory stays bounded (100k voxels fit in well under 4 GB). The final fit
 * on all rows is computed only for the α values some target picked.
 * docs/encoding.md gives the exact definitions (centring, scaling, scores).
 */
import { InputError } from '../core/errors.js';
import { progress } from '../core/progress.js';
import { allocLike, getLinalg, type Floats, type Linalg } from '../linalg/index.js';
import { makeFolds, type Fold } from './cv.js';
import { scoreColumns, targetStats } from './correlate.js';

export interface RidgeCVOptions<T extends Floats> {
  /** Design matrix, n×p row-major (samples × features). */
  X: T;
  n: number;
  p: number;
  /** Targets, n×v row-major (samples × voxels). */
  Y: T;
  v: number;
  /** Candidate regularisation strengths (> 0, in units of squared feature scale × samples). */
  alphas: readonly number[];
  /** Group label per sample (run or stimulus); samples of one group never straddle train and test. */
  groups?: ArrayLike<number>;
  /** Number of folds K (default 5 without groups; number of groups with groups). */
  folds?: number;
  /** Explicit folds; overrides groups/folds. */
  foldList?: readonly Fold[];
  /** Also refit on all samples at each target's chosen α and return weights (default true). */
  returnWeights?: boolean;
  /** Targets per batch (default: sized to keep batch buffers near 256 MB). */
  batchSize?: number;
  /** z-score features with training-set statistics (default false: centre only). */
  standardize?: boolean;
  /**
   * Score that picks α (default 'r2'). R² (equivalently the held-out squared error) penalises over-shrinkage;
   * Pearson r is blind to the scale of the prediction, so with 'r' strong α values can win ties and bias weights toward 0.
   */
  selectBy?: 'r2' | 'r';
  /** Elements allowed for cached per-α refit operators (default 64 M); above it the refit streams through the factors instead. */
  refitOperatorBudget?: number;
  /** How folds predict (see FoldApply): 'operator' forms H_α, 'factors' never does; default by size (operator when v ≥ nα·n_te). Same results within float rounding. */
  foldPath?: 'operator' | 'factors';
  linalg?: Linalg;
}

export interface RidgeCVResult<T extends Floats> {
  /** Chosen α per target. */
  bestAlpha: Float32Array;
  /** Index into `alphas` of the chosen α per target. */
  bestAlphaIndex: Int32Array;
  /** Held-out Pearson r at the chosen α, averaged over folds (unitless). */
  cvR: Float32Array;
  /** Held-out R² at the chosen α, averaged over folds (unitless). */
  cvR2: Float32Array;
  /** Fold-averaged held-out r for every α: nα×v row-major. */
  cvRAll: Float32Array;
  /** Fold-averaged held-out R² for every α: nα×v row-major. */
  cvR2All: Float32Array;
  /** p×v weights in the units of the raw X (ŷ = x·w + intercept), when returnWeights. */
  weights?: T;
  /** v intercepts in units of Y, when returnWeights. */
  intercept?: T;
  nFolds: number;
}

const F64 = (n: number) => new Float64Array(n);
const DEFAULT_OPERATOR_BUDGET = 64e6;

function validate(X: Floats, n: number, p: number, Y: Floats, v: number, alphas: readonly number[]): void {
  if (!Number.isInteger(n) || n < 2) throw new InputError('X', `need at least 2 samples, got ${n}`);
  if (!Number.isInteger(p) || p < 1) throw new InputError('X', `need at least 1 feature, got ${p}`);
  if (!Number.isInteger(v) || v < 1) throw new InputError('Y', `need at least 1 target, got ${v}`);
  if (X.length !== n * p) throw new InputError('X', `expected ${n}×${p} = ${n * p} values, got ${X.length}`);
  if (Y.length !== n * v) throw new InputError('Y', `expected ${n}×${v} = ${n * v} values (same samples as X), got ${Y.length}`);
  if (alphas.length < 1) throw new InputError('alphas', 'need at least one α');
  for (const a of alphas) if (!(a > 0) || !Number.isFinite(a)) throw new InputError('alphas', `α must be finite and > 0, got ${a}`);
  for (let i = 0; i < X.length; i++) if (!Number.isFinite(X[i])) throw new InputError('X', `value ${i} (row ${Math.floor(i / p)}) is not finite`);
}

/** Column means (float64) of rows `idx` of the row-major matrix a (cols wide). */
function meanRows(a: Float64Array, cols: number, idx: Int32Array): Float64Array {
  const m = F64(cols);
  for (const i of idx) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) m[j] += a[o + j];
  }
  for (let j = 0; j < cols; j++) m[j] /= idx.length;
  return m;
}

/** 1/sd per column over rows idx (population sd around `mean`); constant columns get 1 so they stay zero, not NaN. */
function invSdRows(a: Float64Array, cols: number, idx: Int32Array, mean: Float64Array): Float64Array {
  const s = F64(cols);
  for (const i of idx) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const d = a[o + j] - mean[j];
      s[j] += d * d;
    }
  }
  for (let j = 0; j < cols; j++) {
    const sd = Math.sqrt(s[j] / idx.length);
    s[j] = sd > 1e-12 * (Math.abs(mean[j]) + 1e-300) && sd > 0 ? 1 / sd : 1;
  }
  return s;
}

/** Rows idx of a (cols wide), centred by mean and scaled by invSd: float64. */
function standardRows(a: Float64Array, cols: number, idx: Int32Array, mean: Float64Array, invSd: Float64Array): Float64Array {
  const out = F64(idx.length * cols);
  for (let r = 0; r < idx.length; r++) {
    const o = idx[r] * cols;
    const d = r * cols;
    for (let j = 0; j < cols; j++) out[d + j] = (a[o + j] - mean[j]) * invSd[j];
  }
  return out;
}

function gatherRows<T extends Floats>(src: T, cols: number, idx: Int32Array, out: T): T {
  for (let r = 0; r < idx.length; r++) out.set(src.subarray(idx[r] * cols, idx[r] * cols + cols), r * cols);
  return out;
}

/** Eigendecomposition of a Gram matrix with eigenvalues clipped at 0 (rounding makes tiny ones negative). */
function gramEig(la: Linalg, z: Float64Array, rows: number, cols: number, dual: boolean): { lambda: Float64Array; vec: Float64Array; q: number } {
  const q = dual ? rows : cols;
  const g = F64(q * q);
  if (dual) la.gemm(z, z, g, rows, rows, cols, { transB: true });
  else la.gemm(z, z, g, cols, cols, rows, { transA: true });
  const { values, vectors } = la.syevd(g, q);
  for (let i = 0; i < q; i++) if (values[i] < 0) values[i] = 0;
  return { lambda: values, vec: vectors, q };
}

/**
 * How a fold turns a batch's right-hand side into predictions for every α.
 * 'operator': the stacked H_α, (nα·n_te)×q in the target precision, one GEMM
 * per batch; pays nα·n_te·q² once to build, so it wins when many targets share it.
 * 'factors': A = Z_te V (or Z_te Zᵀ U), n_te×q, and the eigenvectors, applied
 * per batch (Vᵀ·rhs, the diagonal per α, then A) in float64; it never forms H,
 * so with few targets (e.g. an EEG backward model onto a handful of features
 * with thousands of held-out samples) it costs q²·v instead of nα·n_te·q².
 */
type FoldApply<T extends Floats> =
  | { kind: 'operator'; H: T }
  | { kind: 'factors'; a: Float64Array; vec: Float64Array; lambda: Float64Array; inv: Float64Array };

/** Everything about one CV fold that does not depend on the targets. */
interface FoldPlan<T extends Floats> {
  fold: Fold;
  dual: boolean;
  apply: FoldApply<T>;
  q: number;
  /** Primal only: training mean of the globally centred X (p). */
  mu?: Float64Array;
  /** Primal only: held-out rows of X centred by the training mean (n_te×p). */
  xteC?: T;
}

/**
 * Whether forming H_α pays: building it costs ~nα·n_te·q² and saves the
 * per-batch q²·v of applying the factors, so it is worth it when there are more
 * targets than rows of H. Sizes alone decide, so a given problem always takes
 * the same path (same numbers on every run).
 */
function useOperator(v: number, nAlpha: number, maxTest: number): boolean {
  return v >= nAlpha * maxTest;
}

/**
 * X (n×p) centred at its all-sample column means: returns the means, the
 * centred copy in float64 (`xg`) and in X's element type (`xgT`, the gemm
 * operand). Working centred keeps fold means small offsets, which keeps
 * float32 cross-products accurate.
 */
function centreDesign<T extends Floats>(X: T, n: number, p: number): { xMean: Float64Array; xg: Float64Array; xgT: T } {
  const xMean = F64(p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) xMean[j] += X[i * p + j];
  for (let j = 0; j < p; j++) xMean[j] /= n;
  const xg = F64(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) xg[i * p + j] = X[i * p + j] - xMean[j];
  const xgT = allocLike(X, n * p);
  xgT.set(xg);
  return { xMean, xg, xgT };
}

function planFold<T extends Floats>(
  la: Linalg,
  xg: Float64Array,
  like: T,
  p: number,
  fold: Fold,
  alphas: readonly number[],
  standardize: boolean,
  operator: boolean,
): FoldPlan<T> {
  const nTr = fold.train.length;
  const nTe = fold.test.length;
  const mu = meanRows(xg, p, fold.train);
  const inv = standardize ? invSdRows(xg, p, fold.train, mu) : F64(p).fill(1);
  const ztr = standardRows(xg, p, fold.train, mu, inv);
  const zte = standardRows(xg, p, fold.test, mu, inv);
  const dual = nTr < p;
  const { lambda, vec, q } = gramEig(la, ztr, nTr, p, dual);
  // A = Z_te V (primal) or Z_te Zᵀ U (dual): n_te×q
  let a: Float64Array;
  if (!dual) {
    a = la.gemm(zte, vec, F64(nTe * q), nTe, q, p);
  } else {
    const cte = la.gemm(zte, ztr, F64(nTe * nTr), nTe, nTr, p, { transB: true });
    a = la.gemm(cte, vec, F64(nTe * q), nTe, q, nTr);
  }
  const xte = dual ? undefined : centredTestRows(xg, like, p, fold.test, mu);
  if (!operator) return { fold, dual, apply: { kind: 'factors', a, vec, lambda, inv }, q, mu: dual ? undefined : mu, xteC: xte };
  const nA = alphas.length;
  const stack = F64(nA * nTe * q);
  for (let ai = 0; ai < nA; ai++) {
    const d = F64(q);
    for (let j = 0; j < q; j++) d[j] = 1 / (lambda[j] + alphas[ai]);
    for (let i = 0; i < nTe; i++) {
      const src = i * q;
      const dst = (ai * nTe + i) * q;
      for (let j = 0; j < q; j++) stack[dst + j] = a[src + j] * d[j];
    }
  }
  const h64 = la.gemm(stack, vec, F64(nA * nTe * q), nA * nTe, q, q, { transB: true });
  if (!dual) {
    // fold the training-set scaling into H so the batch side can use raw centred X
    for (let r = 0; r < nA * nTe; r++) for (let j = 0; j < q; j++) h64[r * q + j] *= inv[j];
  }
  const H = allocLike(like, h64.length);
  H.set(h64);
  if (dual) return { fold, dual, apply: { kind: 'operator', H }, q };
  return { fold, dual, apply: { kind: 'operator', H }, q, mu, xteC: xte };
}

/** Held-out rows of the globally centred X, centred by the fold's training mean (n_te×p, X's element type). */
function centredTestRows<T extends Floats>(xg: Float64Array, like: T, p: number, test: Int32Array, mu: Float64Array): T {
  const xte = allocLike(like, test.length * p);
  for (let i = 0; i < test.length; i++) {
    const o = test[i] * p;
    for (let j = 0; j < p; j++) xte[i * p + j] = xg[o + j] - mu[j];
  }
  return xte;
}

/**
 * Predictions for every α of one fold from its factors, written like the
 * operator's (row ai·n_te + i, column k of `pred`): diag(1/(λ+α)) · Vᵀ·D·rhs
 * for all α side by side, then one GEMM with A. rhs is (X−μ)ᵀY_tr (p rows,
 * primal; D = diag(1/sd) turns it into ZᵀY) or Y_tr (n_tr rows, dual; D = I).
 */
function predictFromFactors<T extends Floats>(
  la: Linalg,
  f: Extract<FoldApply<T>, { kind: 'factors' }>,
  dual: boolean,
  rhs: T,
  rows: number,
  bs: number,
  q: number,
  nTe: number,
  alphas: readonly number[],
  pred: T,
): void {
  const r64 = F64(rows * bs);
  for (let i = 0; i < rows; i++) {
    const s = dual ? 1 : f.inv[i];
    for (let k = 0; k < bs; k++) r64[i * bs + k] = rhs[i * bs + k] * s;
  }
  const t = la.gemm(f.vec, r64, F64(q * bs), q, bs, rows, { transA: true });
  const nA = alphas.length;
  const w = nA * bs;
  const scaled = F64(q * w);
  for (let j = 0; j < q; j++) {
    for (let ai = 0; ai < nA; ai++) {
      const d = 1 / (f.lambda[j] + alphas[ai]);
      for (let k = 0; k < bs; k++) scaled[j * w + ai * bs + k] = t[j * bs + k] * d;
    }
  }
  const out = la.gemm(f.a, scaled, F64(nTe * w), nTe, w, q);
  for (let ai = 0; ai < nA; ai++) for (let i = 0; i < nTe; i++) for (let k = 0; k < bs; k++) pred[(ai * nTe + i) * bs + k] = out[i * w + ai * bs + k];
}

/**
 * Ridge refit on all samples. Weights are W = L·diag(1/(λ+α))·R·S with
 * primal L = D V, R = Vᵀ D, S = X_gᵀY; dual L = D Zᵀ U, R = Uᵀ, S = Y
 * (D = diag(1/sd), X_g = X minus its column means). When p×rows(S) is small
 * the product Q_α = L·diag·R is built once per α that some target picked;
 * otherwise (large designs) each batch applies R, the diagonal and L in turn,
 * so memory never holds one p×p (or p×n) operator per α.
 */
class FullFit<T extends Floats> {
  readonly dual: boolean;
  /** Rows of the right-hand side S: p (primal) or n (dual). */
  readonly rowsIn: number;
  private readonly lambda: Float64Array;
  private readonly q: number;
  private readonly left: Float64Array;
  private readonly right: Float64Array;
  private leftT: T | null = null;
  private rightT: T | null = null;
  private readonly cache: boolean;
  private readonly ops = new Map<number, T>();

  constructor(
    private readonly la: Linalg,
    xg: Float64Array,
    private readonly like: T,
    n: number,
    private readonly p: number,
    standardize: boolean,
    nAlpha: number,
    budget: number,
  ) {
    const all = Int32Array.from({ length: n }, (_, i) => i);
    const zero = F64(p);
    const inv = standardize ? invSdRows(xg, p, all, zero) : F64(p).fill(1);
    const z = standardRows(xg, p, all, zero, inv);
    this.dual = n < p;
    this.rowsIn = this.dual ? n : p;
    const e = gramEig(la, z, n, p, this.dual);
    this.lambda = e.lambda;
    this.q = e.q;
    const q = e.q;
    const vec = e.vec;
    if (!this.dual) {
      this.left = vec.slice();
      for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) this.left[i * q + j] *= inv[i];
      this.right = F64(q * p);
      for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) this.right[j * p + i] = this.left[i * q + j];
    } else {
      this.left = la.gemm(z, vec, F64(p * q), p, q, n, { transA: true });
      for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) this.left[i * q + j] *= inv[i];
      this.right = F64(q * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < q; j++) this.right[j * n + i] = vec[i * q + j];
    }
    this.cache = p * this.rowsIn * nAlpha <= budget;
  }

  private scaledLeft(alpha: number): Float64Array {
    const { p, q } = this;
    const out = F64(p * q);
    for (let j = 0; j < q; j++) {
      const d = 1 / (this.lambda[j] + alpha);
      for (let i = 0; i < p; i++) out[i * q + j] = this.left[i * q + j] * d;
    }
    return out;
  }

  /** W (p×m, raw-X units) for right-hand side columns `sel` (rowsIn×m), all at ridge penalty α. */
  apply(alpha: number, sel: T, m: number): T {
    const { la, p, q, rowsIn } = this;
    const w = allocLike(this.like, p * m);
    if (this.cache) {
      let op = this.ops.get(alpha);
      if (!op) {
        const full = la.gemm(this.scaledLeft(alpha), this.right, F64(p * rowsIn), p, rowsIn, q);
        op = allocLike(this.like, full.length);
        op.set(full);
        this.ops.set(alpha, op);
      }
      return la.gemm(op, sel, w, p, m, rowsIn);
    }
    if (!this.leftT || !this.rightT) {
      this.leftT = allocLike(this.like, this.left.length);
      this.leftT.set(this.left);
      this.rightT = allocLike(this.like, this.right.length);
      this.rightT.set(this.right);
    }
    const t1 = la.gemm(this.rightT, sel, allocLike(this.like, q * m), q, m, rowsIn);
    for (let j = 0; j < q; j++) {
      const d = 1 / (this.lambda[j] + alpha);
      for (let c = 0; c < m; c++) t1[j * m + c] *= d;
    }
    return la.gemm(this.leftT, t1, w, p, m, q);
  }
}

/** Default batch: keeps the per-batch buffers (predictions for all α, targets, cross-products) near 64 M elements. */
function defaultBatch(n: number, p: number, nA: number, maxTest: number, v: number): number {
  const perTarget = nA * maxTest + 2 * n + 3 * p;
  return Math.max(1, Math.min(v, Math.max(256, Math.floor(64e6 / perTarget))));
}

interface BatchState<T extends Floats> {
  yb: T;
  colMean: Float64Array;
  colSum: Float64Array;
  xy: T | null;
}

/** Columns c0…c0+bs of Y, each centred at its mean over all samples (float32 GEMMs stay accurate on raw BOLD with a large baseline). */
function loadBatch<T extends Floats>(Y: T, n: number, v: number, c0: number, bs: number, yb: T): { colMean: Float64Array; colSum: Float64Array } {
  for (let i = 0; i < n; i++) yb.set(Y.subarray(i * v + c0, i * v + c0 + bs), i * bs);
  const colMean = F64(bs);
  for (let i = 0; i < n; i++) for (let k = 0; k < bs; k++) colMean[k] += yb[i * bs + k];
  for (let k = 0; k < bs; k++) {
    colMean[k] /= n;
    // a NaN or ±Inf anywhere in the column poisons its sum: one check per column instead of per value
    if (!Number.isFinite(colMean[k])) throw new InputError('Y', `target column ${c0 + k} contains NaN or infinite values`);
  }
  const colSum = F64(bs);
  for (let i = 0; i < n; i++) {
    const o = i * bs;
    for (let k = 0; k < bs; k++) {
      const c = yb[o + k] - colMean[k];
      yb[o + k] = c;
      colSum[k] += yb[o + k];
    }
  }
  return { colMean, colSum };
}

/** Writes weights (p×v) and intercepts for batch columns c0…c0+bs, each column at its own α. */
function refitBatch<T extends Floats>(
  full: FullFit<T>,
  st: BatchState<T>,
  n: number,
  p: number,
  v: number,
  c0: number,
  bs: number,
  alphaOfCol: ArrayLike<number>,
  xMean: Float64Array,
  weights: T,
  intercept: T,
): void {
  const src = full.dual ? st.yb : st.xy;
  if (!src) throw new Error('ridge: primal refit needs XᵀY');
  const rowsIn = full.rowsIn;
  const byAlpha = new Map<number, number[]>();
  for (let k = 0; k < bs; k++) {
    const a = alphaOfCol[k];
    const list = byAlpha.get(a);
    if (list) list.push(k);
    else byAlpha.set(a, [k]);
  }
  for (const [alpha, cols] of byAlpha) {
    const m = cols.length;
    const sel = allocLike(st.yb, rowsIn * m);
    for (let i = 0; i < rowsIn; i++) for (let c = 0; c < m; c++) sel[i * m + c] = src[i * bs + cols[c]];
    const w = full.apply(alpha, sel, m);
    for (let c = 0; c < m; c++) {
      const k = cols[c];
      let dot = 0;
      for (let j = 0; j < p; j++) {
        const wj = w[j * m + c];
        weights[j * v + c0 + k] = wj;
        dot += xMean[j] * wj;
      }
      intercept[c0 + k] = st.colMean[k] + st.colSum[k] / n - dot;
    }
  }
}

/**
 * Cross-validated ridge: for every target, the α with the highest fold-averaged
 * held-out R² (or r with selectBy 'r'; ties → earliest in `alphas`), its r and R², the full
 * nα×v score table, and (unless returnWeights is false) weights refit on all
 * samples at the chosen α.
 */
export function ridgeCV<T extends Floats>(opts: RidgeCVOptions<T>): RidgeCVResult<T> {
  const { X, n, p, Y, v, alphas } = opts;
  validate(X, n, p, Y, v, alphas);
  const la = opts.linalg ?? getLinalg();
  const standardize = opts.standardize ?? false;
  const returnWeights = opts.returnWeights ?? true;
  const folds = opts.foldList ?? makeFolds(n, { k: opts.folds, groups: opts.groups });
  const K = folds.length;
  const nA = alphas.length;

  const { xMean, xg, xgT } = centreDesign(X, n, p);

  let maxTest = 0;
  let maxTrain = 0;
  for (const f of folds) {
    maxTest = Math.max(maxTest, f.test.length);
    maxTrain = Math.max(maxTrain, f.train.length);
  }
  const operator = opts.foldPath === undefined ? useOperator(v, nA, maxTest) : opts.foldPath === 'operator';
  const plans = folds.map((f) => planFold(la, xg, X, p, f, alphas, standardize, operator));
  const full = returnWeights ? new FullFit(la, xg, X, n, p, standardize, nA, opts.refitOperatorBudget ?? DEFAULT_OPERATOR_BUDGET) : null;
  const needXY = plans.some((pl) => !pl.dual) || (full !== null && !full.dual);

  const b = Math.max(1, Math.min(v, Math.floor(opts.batchSize ?? defaultBatch(n, p, nA, maxTest, v))));

  const rSum = F64(nA * v);
  const r2Sum = F64(nA * v);
  const bestAlpha = new Float32Array(v);
  const bestAlphaIndex = new Int32Array(v);
  const cvR = new Float32Array(v);
  const cvR2 = new Float32Array(v);
  const weights = returnWeights ? allocLike(X, p * v) : undefined;
  const intercept = returnWeights ? allocLike(X, v) : undefined;

  const ybBuf = allocLike(Y, n * b);
  const xyBuf = needXY ? allocLike(X, p * b) : null;
  const rhsBuf = allocLike(X, Math.max(p, maxTrain) * b);
  const yteBuf = allocLike(Y, maxTest * b);
  const predBuf = allocLike(X, nA * maxTest * b);
  const rF = F64(nA * b);
  const r2F = F64(nA * b);

  const sel = (opts.selectBy ?? 'r2') === 'r' ? rSum : r2Sum;
  const bar = progress('ridge CV', Math.ceil(v / b));
  for (let c0 = 0; c0 < v; c0 += b) {
    const bs = Math.min(b, v - c0);
    const yb = ybBuf.subarray(0, n * bs) as T;
    const { colMean, colSum } = loadBatch(Y, n, v, c0, bs, yb);
    const xy = xyBuf ? (la.gemm(xgT, yb, xyBuf.subarray(0, p * bs) as T, p, bs, n, { transA: true }) as T) : null;
    const st: BatchState<T> = { yb, colMean, colSum, xy };

    for (const pl of plans) {
      const { train, test } = pl.fold;
      const nTe = test.length;
      const yte = gatherRows(yb, bs, test, yteBuf.subarray(0, nTe * bs) as T);
      const stats = targetStats(yte, nTe, bs);
      let rhs: T;
      if (!pl.dual && xy && pl.mu && pl.xteC) {
        // Σ_train (x−μ)yᵀ = Σ_all (x−μ)yᵀ − Σ_test (x−μ)yᵀ = XgᵀY − μ·(Σ_all y)ᵀ − X_te,cᵀY_te
        rhs = rhsBuf.subarray(0, p * bs) as T;
        rhs.set(xy);
        const mu = allocLike(X, p);
        mu.set(pl.mu);
        const s = allocLike(X, bs);
        s.set(colSum);
        la.gemm(mu, s, rhs, p, bs, 1, { alpha: -1, beta: 1 });
        la.gemm(pl.xteC, yte, rhs, p, bs, nTe, { transA: true, alpha: -1, beta: 1 });
      } else {
        rhs = gatherRows(yb, bs, train, rhsBuf.subarray(0, train.length * bs) as T);
      }
      const pred = predBuf.subarray(0, nA * nTe * bs) as T;
      if (pl.apply.kind === 'operator') la.gemm(pl.apply.H, rhs, pred, nA * nTe, bs, pl.q);
      else predictFromFactors(la, pl.apply, pl.dual, rhs, pl.dual ? train.length : p, bs, pl.q, nTe, alphas, pred);
      // the model is fit to centred y, so its predictions need the training mean of y added back
      const yTrainMean = F64(bs);
      for (let k = 0; k < bs; k++) yTrainMean[k] = (colSum[k] - stats.sy[k]) / train.length;
      for (let ai = 0; ai < nA; ai++) scoreColumns(pred, ai * nTe * bs, yte, stats, bs, yTrainMean, rF, r2F, ai * bs, la);
      for (let ai = 0; ai < nA; ai++) {
        const o = ai * v + c0;
        for (let k = 0; k < bs; k++) {
          rSum[o + k] += rF[ai * bs + k];
          r2Sum[o + k] += r2F[ai * bs + k];
        }
      }
    }

    const alphaOfCol = new Float64Array(bs);
    for (let k = 0; k < bs; k++) {
      const c = c0 + k;
      let best = 0;
      for (let ai = 1; ai < nA; ai++) if (sel[ai * v + c] > sel[best * v + c]) best = ai;
      bestAlphaIndex[c] = best;
      bestAlpha[c] = alphas[best];
      alphaOfCol[k] = alphas[best];
      cvR[c] = rSum[best * v + c] / K;
      cvR2[c] = r2Sum[best * v + c] / K;
    }
    if (full && weights && intercept) refitBatch(full, st, n, p, v, c0, bs, alphaOfCol, xMean, weights, intercept);
    bar.tick();
  }
  bar.done();

  const cvRAll = new Float32Array(nA * v);
  const cvR2All = new Float32Array(nA * v);
  for (let i = 0; i < nA * v; i++) {
    cvRAll[i] = rSum[i] / K;
    cvR2All[i] = r2Sum[i] / K;
  }
  return { bestAlpha, bestAlphaIndex, cvR, cvR2, cvRAll, cvR2All, weights, intercept, nFolds: K };
}

export interface RidgeFitOptions<T extends Floats> {
  X: T;
  n: number;
  p: number;
  Y: T;
  v: number;
  /** One α for all targets, or one per target. */
  alpha: number | ArrayLike<number>;
  standardize?: boolean;
  batchSize?: number;
  /** As in RidgeCVOptions. */
  refitOperatorBudget?: number;
  linalg?: Linalg;
}

/**
 * Ridge fit on all samples with an intercept: weights (p×v, raw-X units) and
 * intercepts (v, units of Y) minimising Σ(y − Xw − b)² + α‖w_z‖², where w_z are
 * the weights on the centred (and, with standardize, z-scored) features.
 */
export function ridgeFit<T extends Floats>(opts: RidgeFitOptions<T>): { weights: T; intercept: T } {
  const { X, n, p, Y, v } = opts;
  const perTarget = typeof opts.alpha === 'number' ? null : opts.alpha;
  if (perTarget && perTarget.length !== v) throw new InputError('alpha', `expected ${v} per-target α values, got ${perTarget.length}`);
  const alphaList = perTarget ? Array.from(new Set(Array.from(perTarget))) : [opts.alpha as number];
  validate(X, n, p, Y, v, alphaList);
  const la = opts.linalg ?? getLinalg();
  const { xMean, xg, xgT } = centreDesign(X, n, p);
  const full = new FullFit(la, xg, X, n, p, opts.standardize ?? false, alphaList.length, opts.refitOperatorBudget ?? DEFAULT_OPERATOR_BUDGET);
  const b = Math.max(1, Math.min(v, Math.floor(opts.batchSize ?? Math.max(256, Math.floor(32e6 / (n + 2 * p))))));
  const weights = allocLike(X, p * v);
  const intercept = allocLike(X, v);
  const ybBuf = allocLike(Y, n * b);
  const xyBuf = full.dual ? null : allocLike(X, p * b);
  for (let c0 = 0; c0 < v; c0 += b) {
    const bs = Math.min(b, v - c0);
    const yb = ybBuf.subarray(0, n * bs) as T;
    const { colMean, colSum } = loadBatch(Y, n, v, c0, bs, yb);
    const xy = xyBuf ? (la.gemm(xgT, yb, xyBuf.subarray(0, p * bs) as T, p, bs, n, { transA: true }) as T) : null;
    const alphaOfCol = perTarget ? Float64Array.from({ length: bs }, (_, k) => perTarget[c0 + k]) : new Float64Array(bs).fill(opts.alpha as number);
    refitBatch(full, { yb, colMean, colSum, xy }, n, p, v, c0, bs, alphaOfCol, xMean, weights, intercept);
  }
  return { weights, intercept };
}

/** Predictions X·W + b (n×v, units of Y) for X (n×p), weights (p×v) and intercepts (v). */
export function ridgePredict<T extends Floats>(X: T, n: number, p: number, weights: T, intercept: T, v: number, linalg?: Linalg): T {
  if (X.length !== n * p) throw new InputError('X', `expected ${n}×${p} = ${n * p} values, got ${X.length}`);
  if (weights.length !== p * v) throw new InputError('weights', `expected ${p}×${v} = ${p * v} values, got ${weights.length}`);
  if (intercept.length !== v) throw new InputError('intercept', `expected ${v} values, got ${intercept.length}`);
  const la = linalg ?? getLinalg();
  const out = allocLike(X, n * v);
  for (let i = 0; i < n; i++) out.set(intercept, i * v);
  return la.gemm(X, weights, out, n, v, p, { beta: 1 });
}

/**
 * The one interface through which brainalign does dense linear algebra.
 * Everything is row-major with explicit sizes; element type follows the
 * inputs (Float32Array → single precision, Float64Array → double).
 */

/** A dense real buffer: row-major matrix storage in single or double precision. */
export type Floats = Float32Array | Float64Array;

export interface GemmOptions {
  /** Use Aᵀ: A is stored k×m instead of m×k. */
  transA?: boolean;
  /** Use Bᵀ: B is stored n×k instead of k×n. */
  transB?: boolean;
  alpha?: number;
  /** 0 (default) overwrites C; 1 accumulates into it. */
  beta?: number;
  /** Row strides (leading dimensions) when A, B or C are views into wider matrices. */
  lda?: number;
  ldb?: number;
  ldc?: number;
}

/** Transpose flags and row strides of a gemm call, the strides defaulting to the stored widths of op(A) m×k, op(B) k×n and C m×n. */
export function gemmLayout(m: number, n: number, k: number, opts: GemmOptions): { ta: boolean; tb: boolean; lda: number; ldb: number; ldc: number } {
  const ta = opts.transA ?? false;
  const tb = opts.transB ?? false;
  return { ta, tb, lda: opts.lda ?? (ta ? m : k), ldb: opts.ldb ?? (tb ? k : n), ldc: opts.ldc ?? n };
}

export interface SymEig<T extends Floats> {
  /** Eigenvalues in ascending order. */
  values: T;
  /** n×n row-major; column j is the unit eigenvector of values[j]. */
  vectors: T;
}

export interface ThinSvd<T extends Floats> {
  /** m×r row-major with orthonormal columns, r = min(m, n). */
  u: T;
  /** r singular values, descending, ≥ 0. */
  s: T;
  /** r×n row-major with orthonormal rows. */
  vt: T;
}

export interface Linalg {
  /** Which implementation this is: the OpenBLAS/LAPACKE addon or the TypeScript fallback. */
  readonly kind: 'native' | 'portable';
  /** C (m×n) ← alpha·op(A)·op(B) + beta·C with op(A) m×k and op(B) k×n; returns C. */
  gemm<T extends Floats>(a: T, b: T, c: T, m: number, n: number, k: number, opts?: GemmOptions): T;
  /** Eigendecomposition of the symmetric n×n matrix `a` (left untouched; only its upper triangle is read). */
  syevd<T extends Floats>(a: T, n: number): SymEig<T>;
  /** Thin SVD of the m×n matrix `a` (left untouched): a = u·diag(s)·vt. */
  svd<T extends Floats>(a: T, m: number, n: number): ThinSvd<T>;
  /** Lower Cholesky factor L of the SPD n×n matrix `a` (a = L·Lᵀ; only the lower triangle of a is read), upper triangle zeroed; throws InputError if not positive definite. */
  cholesky<T extends Floats>(a: T, n: number): T;
  /** X (n×nrhs) solving a·X = b for SPD `a` (n×n); inputs untouched. */
  choleskySolve<T extends Floats>(a: T, n: number, b: T, nrhs: number): T;
  /**
   * Per-column Σp, Σp², Σp·y (float64) over `rows` rows of `pred` (from element
   * predOffset) and `y`, both rows×cols row-major and of one element type;
   * written to out[0..cols), out[cols..2·cols), out[2·cols..3·cols).
   */
  columnMoments(pred: Floats, predOffset: number, y: Floats, rows: number, cols: number, out: Float64Array): void;
}

/** A zeroed buffer of the same element type as `like`, `length` elements long. */
export function allocLike<T extends Floats>(like: T, length: number): T {
  return (like instanceof Float64Array ? new Float64Array(length) : new Float32Array(length)) as T;
}

/** A copy of `a` in the same element type. */
export function copyOf<T extends Floats>(a: T): T {
  return a.slice() as T;
}

/**
 * Loader for the OpenBLAS/LAPACKE addon built by scripts/build-native.sh.
 * Returns null when the addon is missing or fails to load, so getLinalg can
 * fall back to the portable path.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { allocLike, copyOf, gemmLayout, type Floats, type GemmOptions, type Linalg, type SymEig, type ThinSvd } from './types.js';

interface Addon extends NativeTrainingKernels {
  gemm(
    ta: boolean,
    tb: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Floats,
    lda: number,
    b: Floats,
    ldb: number,
    beta: number,
    c: Floats,
    ldc: number,
  ): number;
  syevd(n: number, a: Floats, w: Floats): number;
  gesdd(m: number, n: number, a: Floats, s: Floats, u: Floats, vt: Floats): number;
  potrf(n: number, a: Floats): number;
  potrs(n: number, nrhs: number, l: Floats, b: Floats): number;
  colmoments(pred: Floats, predOffset: number, y: Floats, rows: number, cols: number, out: Float64Array): number;
}

/**
 * NHWC float32 training kernels of the addon (native/linalg/nn.c), used by
 * src/models/kernels as tfjs kernels. Outputs are written in place.
 * Convolution geometry: [n, h, w, ci, kh, kw, co, strideH, strideW,
 * dilationH, dilationW, padTop, padLeft, outH, outW]; max-pool geometry:
 * [n, h, w, c, kh, kw, strideH, strideW, dilationH, dilationW, padTop,
 * padLeft, outH, outW]; batchMatMul dims: [batchA, batchB, m, n, k, transA,
 * transB] (a batch of 1 broadcasts). `threads` is the thread count for the
 * call only: the convolutions, max-pool gradient and batch norm split their
 * work into tasks fixed by the shape (so results do not depend on it) and run
 * them on the addon's pool; batchMatMul gives it to OpenBLAS.
 */
export interface NativeTrainingKernels {
  conv2d(x: Float32Array, w: Float32Array, y: Float32Array, geom: Int32Array, threads: number): void;
  conv2dFilterGrad(x: Float32Array, dy: Float32Array, dw: Float32Array, geom: Int32Array, threads: number): void;
  conv2dInputGrad(dy: Float32Array, w: Float32Array, dx: Float32Array, geom: Int32Array, threads: number): void;
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, geom: Int32Array, threads: number): void;
  batchMatMul(a: Float32Array, b: Float32Array, c: Float32Array, dims: Int32Array, threads: number): void;
  /** Batch norm over the rows of x [rows, gamma.length]: y, the batch mean and the biased variance. */
  bnForward(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    rows: number,
    eps: number,
    threads: number,
  ): void;
  /** Its gradient given the forward pass's mean and variance: dx, dgamma, dbeta. */
  bnBackward(
    dy: Float32Array,
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    gamma: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    rows: number,
    eps: number,
    threads: number,
  ): void;
  /**
   * Batch norm, ReLU and 1×k max-pooling along the width fused
   * (native/linalg/nn_bnrelu.c); geom = [lines, w, c, k] with x [lines, w, c]
   * and y [lines, ⌊w/k⌋, c]. Also writes the batch mean and biased variance.
   */
  bnReluPoolForward(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    geom: Int32Array,
    eps: number,
    threads: number,
  ): void;
  /** Its gradient given the forward pass's mean and variance: dx, dgamma, dbeta. */
  bnReluPoolBackward(
    dy: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    geom: Int32Array,
    eps: number,
    threads: number,
  ): void;
  /** One Adam update (native/linalg/nn_adam.c); coef = [β1, 1−β1, β2, 1−β2, 1−β1ᵗ, 1−β2ᵗ, ε, −lr]. */
  adam(
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    pOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
    coef: Float32Array,
    threads: number,
  ): void;
}

function addonPath(): string {
  // src/linalg/native.ts and dist/linalg/native.js both sit two levels below the repo root.
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, '..', '..', 'native', 'linalg', 'build', 'Release', 'linalg.node');
}

let cached: Addon | null | undefined;
let loadError = '';

function loadAddon(): Addon | null {
  if (cached !== undefined) return cached;
  const p = addonPath();
  if (!existsSync(p)) {
    loadError = `${p} not built (run scripts/build-native.sh)`;
    cached = null;
    return null;
  }
  try {
    const req = createRequire(import.meta.url);
    cached = req(p) as Addon;
  } catch (e) {
    loadError = `${p} failed to load: ${e instanceof Error ? e.message : String(e)}`;
    cached = null;
  }
  return cached;
}

/** Why the addon is unavailable ('' when it loaded or was never tried). */
export function nativeLoadError(): string {
  return loadError;
}

function lapackFailure(routine: string, info: number): Error {
  return new Error(`linalg: ${routine} failed (LAPACK info ${info})`);
}

/** The addon's training kernels, or null when it cannot be loaded or predates them. */
export function nativeTrainingKernels(): NativeTrainingKernels | null {
  const addon = loadAddon();
  if (
    !addon ||
    typeof addon.conv2d !== 'function' ||
    typeof addon.bnForward !== 'function' ||
    typeof addon.bnReluPoolForward !== 'function' ||
    typeof addon.adam !== 'function'
  )
    return null;
  return addon;
}

/** The native Linalg backed by OpenBLAS/LAPACKE, or null when the addon cannot be loaded. */
export function nativeLinalg(): Linalg | null {
  const addon = loadAddon();
  if (!addon) return null;
  return {
    kind: 'native',
    gemm<T extends Floats>(a: T, b: T, c: T, m: number, n: number, k: number, opts: GemmOptions = {}): T {
      const { ta, tb, lda, ldb, ldc } = gemmLayout(m, n, k, opts);
      addon.gemm(ta, tb, m, n, k, opts.alpha ?? 1, a, lda, b, ldb, opts.beta ?? 0, c, ldc);
      return c;
    },
    syevd<T extends Floats>(a: T, n: number): SymEig<T> {
      const vectors = copyOf(a.subarray(0, n * n) as T);
      const values = allocLike(a, n);
      const info = addon.syevd(n, vectors, values);
      if (info !== 0) throw lapackFailure('syevd', info);
      return { values, vectors };
    },
    svd<T extends Floats>(a: T, m: number, n: number): ThinSvd<T> {
      const r = Math.min(m, n);
      const work = copyOf(a.subarray(0, m * n) as T);
      const s = allocLike(a, r);
      const u = allocLike(a, m * r);
      const vt = allocLike(a, r * n);
      const info = addon.gesdd(m, n, work, s, u, vt);
      if (info !== 0) throw lapackFailure('gesdd', info);
      return { u, s, vt };
    },
    cholesky<T extends Floats>(a: T, n: number): T {
      const l = copyOf(a.subarray(0, n * n) as T);
      const info = addon.potrf(n, l);
      if (info > 0) throw new InputError('cholesky', `matrix is not positive definite (leading minor ${info})`);
      if (info < 0) throw lapackFailure('potrf', info);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) l[i * n + j] = 0;
      return l;
    },
    choleskySolve<T extends Floats>(a: T, n: number, b: T, nrhs: number): T {
      const l = this.cholesky(a, n);
      const x = copyOf(b.subarray(0, n * nrhs) as T);
      const info = addon.potrs(n, nrhs, l, x);
      if (info !== 0) throw lapackFailure('potrs', info);
      return x;
    },
    columnMoments(pred: Floats, predOffset: number, y: Floats, rows: number, cols: number, out: Float64Array): void {
      addon.colmoments(pred, predOffset, y, rows, cols, out);
    },
  };
}

/**
 * TypeScript fallback for the Linalg interface, used when the OpenBLAS addon
 * is not built. Everything is computed in float64 internally and rounded to
 * the caller's element type at the end, so float32 callers get results at
 * least as accurate as single-precision LAPACK (the one exception: large
 * float32 products sent to a registered provider accumulate in float32, as
 * sgemm does on the native path).
 *
 * Algorithms (see docs/encoding.md for accuracy notes):
 * - GEMM: operands packed into contiguous float64 (transposes made explicit),
 *   B repacked into 4-column panels per k-block, 4×4 register tiles of C.
 *   Large float32 products go to an injected provider when one is registered
 *   (setPortableGemm; tfjs-wasm matMul, float32 accumulation like sgemm).
 * - Symmetric eigen: Householder reduction to tridiagonal form, then the
 *   implicit QL iteration with Wilkinson shifts; eigenvectors are kept as
 *   rows so every rotation touches contiguous memory.
 * - Thin SVD: eigendecomposition of the smaller Gram matrix (AᵀA or AAᵀ), the
 *   other factor recovered as A·V·S⁻¹ and re-orthonormalised. Singular values
 *   below about √ε·s_max (≈1e-8·s_max) lose relative accuracy — fine for ridge,
 *   where α dominates them.
 * - Cholesky: right-looking row-major factorisation, forward/back substitution.
 */
import { InputError } from '../core/errors.js';
import { allocLike, gemmLayout, type Floats, type GemmOptions, type Linalg, type SymEig, type ThinSvd } from './types.js';

/** op(X) packed into `out` as a contiguous rows×cols matrix (X stored with row stride ld); returns out. */
function pack<O extends Floats>(x: Floats, rows: number, cols: number, trans: boolean, ld: number, out: O): O {
  if (!trans) {
    for (let i = 0; i < rows; i++) {
      const src = i * ld;
      const dst = i * cols;
      for (let j = 0; j < cols; j++) out[dst + j] = x[src + j];
    }
  } else {
    // stored cols×rows; block the transpose so both sides stay in cache
    const B = 64;
    for (let i0 = 0; i0 < rows; i0 += B) {
      const i1 = Math.min(rows, i0 + B);
      for (let j0 = 0; j0 < cols; j0 += B) {
        const j1 = Math.min(cols, j0 + B);
        for (let j = j0; j < j1; j++) {
          const src = j * ld;
          for (let i = i0; i < i1; i++) out[i * cols + j] = x[src + i];
        }
      }
    }
  }
  return out;
}

/** Adds one 4×4 register tile (row-major, 16 values) into C rows i…i+3, columns j0…j0+3, clipped to m×n. */
function addTile(C: Float64Array, n: number, m: number, i: number, j0: number, t: Float64Array): void {
  const w = Math.min(4, n - j0);
  for (let r = 0; r < 4 && i + r < m; r++) {
    const o = (i + r) * n + j0;
    for (let c = 0; c < w; c++) C[o + c] += t[r * 4 + c];
  }
}

/**
 * C (m×n, contiguous) += A (m×k) · B (k×n), all contiguous float64.
 * B is repacked per k-block into 4-column panels so the inner loop reads it
 * sequentially; a 4×4 tile of C stays in registers across the k-block
 * (about 2× the throughput of a row-streaming loop in V8).
 */
function gemmKernel(A: Float64Array, B: Float64Array, C: Float64Array, m: number, n: number, k: number): void {
  const KC = 256; // k-block: a panel is KC×4 doubles = 8 KB
  const PANELS_PER_BLOCK = 32; // 128 columns of B ≈ 256 KB per block, resident in L2
  const np4 = Math.ceil(n / 4);
  const bp = new Float64Array(np4 * 4 * Math.min(KC, k));
  const tile = new Float64Array(16);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    for (let jp = 0; jp < np4; jp++) {
      const base = jp * kc * 4;
      const j0 = jp * 4;
      const w = Math.min(4, n - j0);
      for (let p = 0; p < kc; p++) {
        const src = (p0 + p) * n + j0;
        const dst = base + p * 4;
        for (let c = 0; c < 4; c++) bp[dst + c] = c < w ? B[src + c] : 0;
      }
    }
    for (let jc = 0; jc < np4; jc += PANELS_PER_BLOCK) {
      const jcEnd = Math.min(np4, jc + PANELS_PER_BLOCK);
      for (let i = 0; i < m; i += 4) {
        // rows past m re-read the last row; their tile rows are never written back
        const a0 = i * k + p0;
        const a1 = Math.min(i + 1, m - 1) * k + p0;
        const a2 = Math.min(i + 2, m - 1) * k + p0;
        const a3 = Math.min(i + 3, m - 1) * k + p0;
        for (let jp = jc; jp < jcEnd; jp++) {
          let c00 = 0,
            c01 = 0,
            c02 = 0,
            c03 = 0,
            c10 = 0,
            c11 = 0,
            c12 = 0,
            c13 = 0;
          let c20 = 0,
            c21 = 0,
            c22 = 0,
            c23 = 0,
            c30 = 0,
            c31 = 0,
            c32 = 0,
            c33 = 0;
          let b = jp * kc * 4;
          for (let p = 0; p < kc; p++, b += 4) {
            const b0 = bp[b],
              b1 = bp[b + 1],
              b2 = bp[b + 2],
              b3 = bp[b + 3];
            const x0 = A[a0 + p],
              x1 = A[a1 + p],
              x2 = A[a2 + p],
              x3 = A[a3 + p];
            c00 += x0 * b0;
            c01 += x0 * b1;
            c02 += x0 * b2;
            c03 += x0 * b3;
            c10 += x1 * b0;
            c11 += x1 * b1;
            c12 += x1 * b2;
            c13 += x1 * b3;
            c20 += x2 * b0;
            c21 += x2 * b1;
            c22 += x2 * b2;
            c23 += x2 * b3;
            c30 += x3 * b0;
            c31 += x3 * b1;
            c32 += x3 * b2;
            c33 += x3 * b3;
          }
          tile[0] = c00;
          tile[1] = c01;
          tile[2] = c02;
          tile[3] = c03;
          tile[4] = c10;
          tile[5] = c11;
          tile[6] = c12;
          tile[7] = c13;
          tile[8] = c20;
          tile[9] = c21;
          tile[10] = c22;
          tile[11] = c23;
          tile[12] = c30;
          tile[13] = c31;
          tile[14] = c32;
          tile[15] = c33;
          addTile(C, n, m, i, jp * 4, tile);
        }
      }
    }
  }
}

/**
 * A float32 product C = A·B of contiguous row-major A (m×k) and B (k×n),
 * returning C (m×n). Injected by a layer that has a faster kernel than the
 * TypeScript one (src/models/backend.ts registers tfjs-wasm matMul after init:
 * ~16 vs ~2 GFLOP/s on one thread, scripts/bench/gemm.ts).
 */
export type Float32Gemm = (a: Float32Array, b: Float32Array, m: number, n: number, k: number) => Float32Array;

let f32Gemm: Float32Gemm | null = null;

/** Below this many multiply-adds the tensor round trip costs more than the TypeScript kernel saves. */
const PROVIDER_MIN_MACS = 1 << 18;

/**
 * Routes the portable gemm's float32 products of at least 2^18 multiply-adds
 * through `fn` (null: back to the TypeScript kernel). float64 products always
 * stay in the float64 TypeScript kernel.
 */
export function setPortableGemm(fn: Float32Gemm | null): void {
  f32Gemm = fn;
}

/** The float32 product provider in use, or null for the TypeScript kernel. */
export function portableGemmProvider(): Float32Gemm | null {
  return f32Gemm;
}

/** op(X) as a contiguous float32 matrix, without copying when X already is one. */
function packF32(x: Float32Array, rows: number, cols: number, trans: boolean, ld: number): Float32Array {
  return !trans && ld === cols ? x.subarray(0, rows * cols) : pack(x, rows, cols, trans, ld, new Float32Array(rows * cols));
}

function gemm<T extends Floats>(a: T, b: T, c: T, m: number, n: number, k: number, opts: GemmOptions = {}): T {
  const { ta, tb, lda, ldb, ldc } = gemmLayout(m, n, k, opts);
  const alpha = opts.alpha ?? 1;
  const beta = opts.beta ?? 0;
  if (m === 0 || n === 0) return c;
  let prod: Floats;
  if (f32Gemm && a instanceof Float32Array && k > 0 && alpha !== 0 && m * n * k >= PROVIDER_MIN_MACS) {
    // Operands go over contiguous and untransposed: tfjs-wasm's transposing matMul is ~40× slower.
    prod = f32Gemm(packF32(a, m, k, ta, lda), packF32(b as Float32Array, k, n, tb, ldb), m, n, k);
  } else {
    prod = new Float64Array(m * n);
    if (k > 0 && alpha !== 0) gemmKernel(pack(a, m, k, ta, lda, new Float64Array(m * k)), pack(b, k, n, tb, ldb, new Float64Array(k * n)), prod, m, n, k);
  }
  for (let i = 0; i < m; i++) {
    const ci = i * ldc;
    const pi = i * n;
    if (beta === 0) for (let j = 0; j < n; j++) c[ci + j] = alpha * prod[pi + j];
    else for (let j = 0; j < n; j++) c[ci + j] = alpha * prod[pi + j] + beta * c[ci + j];
  }
  return c;
}

/**
 * Eigen-decomposition of a symmetric float64 matrix (upper triangle of `a` read).
 * Returns ascending eigenvalues and eigenvectors as ROWS of `zt` (zt[j*n..] ↔ values[j]).
 */
function symEigRows(a: Floats, n: number): { d: Float64Array; zt: Float64Array } {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) A[i * n + j] = A[j * n + i] = a[i * n + j];
  const d = new Float64Array(n);
  const e = new Float64Array(n); // e[i] couples d[i] and d[i+1]
  const vs = new Float64Array(n * n); // Householder vectors, row k holds v_k on indices k+1..n-1
  const betas = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    let norm2 = 0;
    for (let i = k + 1; i < n; i++) norm2 += A[i * n + k] * A[i * n + k];
    const x0 = A[(k + 1) * n + k];
    d[k] = A[k * n + k];
    if (norm2 === 0) {
      e[k] = 0;
      continue;
    }
    const alpha = x0 >= 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    const v = vs.subarray(k * n, k * n + n);
    for (let i = k + 1; i < n; i++) v[i] = A[i * n + k];
    v[k + 1] -= alpha;
    const vtv = norm2 - x0 * x0 + v[k + 1] * v[k + 1];
    e[k] = alpha;
    if (vtv === 0) continue;
    const beta = 2 / vtv;
    betas[k] = beta;
    // S ← H S H on the trailing block, as a symmetric rank-2 update
    let pv = 0;
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let j = k + 1; j < n; j++) s += A[row + j] * v[j];
      p[i] = beta * s;
      pv += p[i] * v[i];
    }
    const K = (beta / 2) * pv;
    for (let i = k + 1; i < n; i++) p[i] -= K * v[i];
    for (let i = k + 1; i < n; i++) {
      const row = i * n;
      const vi = v[i];
      const wi = p[i];
      for (let j = k + 1; j < n; j++) A[row + j] -= vi * p[j] + wi * v[j];
    }
  }
  if (n >= 2) {
    d[n - 2] = A[(n - 2) * n + n - 2];
    e[n - 2] = A[(n - 1) * n + n - 2];
  }
  if (n >= 1) d[n - 1] = A[(n - 1) * n + n - 1];

  // zt = Qᵀ = H_{n-3}…H_0, so row j of zt is column j of Q
  const zt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) zt[i * n + i] = 1;
  const t = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const beta = betas[k];
    if (beta === 0) continue;
    const v = vs.subarray(k * n, k * n + n);
    t.fill(0);
    for (let i = k + 1; i < n; i++) {
      const vi = v[i];
      if (vi === 0) continue;
      const row = i * n;
      for (let j = 0; j < n; j++) t[j] += vi * zt[row + j];
    }
    for (let i = k + 1; i < n; i++) {
      const f = beta * v[i];
      if (f === 0) continue;
      const row = i * n;
      for (let j = 0; j < n; j++) zt[row + j] -= f * t[j];
    }
  }

  // implicit QL with Wilkinson shifts on (d, e); rotations applied to rows of zt
  const eps = 2.220446049250313e-16;
  for (let l = 0; l < n; l++) {
    for (let iter = 0; ; iter++) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= eps * dd) break;
      }
      if (m === l) break;
      if (iter > 60) throw new Error('linalg: symmetric eigen (QL) did not converge');
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let pp = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= pp;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - pp;
        r = (d[i] - g) * s + 2 * c * b;
        pp = s * r;
        d[i + 1] = g + pp;
        g = c * r - b;
        const ri = i * n;
        const rj = (i + 1) * n;
        for (let q = 0; q < n; q++) {
          const zf = zt[rj + q];
          const zi = zt[ri + q];
          zt[rj + q] = s * zi + c * zf;
          zt[ri + q] = c * zi - s * zf;
        }
      }
      if (underflow) continue;
      d[l] -= pp;
      e[l] = g;
      e[m] = 0;
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x] - d[y]);
  const dSorted = new Float64Array(n);
  const zSorted = new Float64Array(n * n);
  order.forEach((src, dst) => {
    dSorted[dst] = d[src];
    zSorted.set(zt.subarray(src * n, src * n + n), dst * n);
  });
  return { d: dSorted, zt: zSorted };
}

function syevd<T extends Floats>(a: T, n: number): SymEig<T> {
  const { d, zt } = symEigRows(a, n);
  const values = allocLike(a, n);
  values.set(d);
  const vectors = allocLike(a, n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) vectors[i * n + j] = zt[j * n + i];
  return { values, vectors };
}

/** Orthonormalises the rows of `q` (r×len) in place by two passes of modified Gram–Schmidt; near-null rows are replaced by unit vectors orthogonal to the rest. */
function orthonormalRows(q: Float64Array, r: number, len: number, degenerate: boolean[]): void {
  for (let i = 0; i < r; i++) {
    const qi = q.subarray(i * len, i * len + len);
    let candidate = 0;
    for (;;) {
      if (degenerate[i]) {
        qi.fill(0);
        qi[candidate % len] = 1;
      }
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < i; j++) {
          const qj = q.subarray(j * len, j * len + len);
          let dot = 0;
          for (let t = 0; t < len; t++) dot += qi[t] * qj[t];
          for (let t = 0; t < len; t++) qi[t] -= dot * qj[t];
        }
      }
      let nrm = 0;
      for (let t = 0; t < len; t++) nrm += qi[t] * qi[t];
      nrm = Math.sqrt(nrm);
      if ((degenerate[i] && nrm > 0.5) || (!degenerate[i] && nrm > 1e-3)) {
        for (let t = 0; t < len; t++) qi[t] /= nrm;
        break;
      }
      if (!degenerate[i]) degenerate[i] = true;
      else candidate++;
    }
  }
}

/** Thin SVD of a tall (m ≥ n) matrix: returns s (desc), ut (n×m rows = left vectors), vt (n×n). */
function tallSvd(a: Floats, m: number, n: number): { s: Float64Array; ut: Float64Array; vt: Float64Array } {
  const A = pack(a, m, n, false, n, new Float64Array(m * n));
  const gram = new Float64Array(n * n);
  gemmKernel(pack(a, n, m, true, n, new Float64Array(m * n)), A, gram, n, n, m);
  const { d, zt } = symEigRows(gram, n);
  // reverse to descending order
  const s = new Float64Array(n);
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const src = n - 1 - i;
    s[i] = Math.sqrt(Math.max(d[src], 0));
    vt.set(zt.subarray(src * n, src * n + n), i * n);
  }
  // ut = diag(1/s)·vt·Aᵀ  (n×m)
  const ut = new Float64Array(n * m);
  gemmKernel(vt, pack(A, n, m, true, n, new Float64Array(m * n)), ut, n, m, n);
  const smax = s[0] ?? 0;
  const tol = smax * Math.max(m, n) * 2.220446049250313e-16 * 1e4;
  const degenerate: boolean[] = [];
  for (let i = 0; i < n; i++) {
    degenerate.push(!(s[i] > tol));
    if (!degenerate[i]) {
      const inv = 1 / s[i];
      for (let t = 0; t < m; t++) ut[i * m + t] *= inv;
    }
  }
  orthonormalRows(ut, n, m, degenerate);
  return { s, ut, vt };
}

function svd<T extends Floats>(a: T, m: number, n: number): ThinSvd<T> {
  const r = Math.min(m, n);
  const u = allocLike(a, m * r);
  const s = allocLike(a, r);
  const vt = allocLike(a, r * n);
  if (r === 0) return { u, s, vt };
  if (m >= n) {
    const res = tallSvd(a, m, n);
    s.set(res.s);
    vt.set(res.vt);
    for (let i = 0; i < m; i++) for (let j = 0; j < r; j++) u[i * r + j] = res.ut[j * m + i];
  } else {
    // Aᵀ = V S Uᵀ is tall: its left vectors are our right vectors
    const at = pack(a, n, m, true, n, new Float64Array(m * n));
    const res = tallSvd(at, n, m);
    s.set(res.s);
    for (let j = 0; j < r; j++) for (let i = 0; i < m; i++) u[i * r + j] = res.vt[j * m + i];
    vt.set(res.ut);
  }
  return { u, s, vt };
}

function choleskyF64(a: Floats, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) L[i * n + j] = a[i * n + j]; // lower triangle, as the native potrf reads
  for (let j = 0; j < n; j++) {
    let djj = L[j * n + j];
    for (let t = 0; t < j; t++) djj -= L[j * n + t] * L[j * n + t];
    if (!(djj > 0)) throw new InputError('cholesky', `matrix is not positive definite (leading minor ${j + 1})`);
    const ljj = Math.sqrt(djj);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = L[i * n + j];
      const ri = i * n;
      const rj = j * n;
      for (let t = 0; t < j; t++) s -= L[ri + t] * L[rj + t];
      L[ri + j] = s / ljj;
    }
  }
  return L;
}

function cholesky<T extends Floats>(a: T, n: number): T {
  const L = choleskyF64(a, n);
  const out = allocLike(a, n * n);
  out.set(L);
  return out;
}

function choleskySolve<T extends Floats>(a: T, n: number, b: T, nrhs: number): T {
  const L = choleskyF64(a, n);
  const X = new Float64Array(n * nrhs);
  for (let i = 0; i < n * nrhs; i++) X[i] = b[i];
  // L·Y = B, row by row so every update is a contiguous axpy
  for (let i = 0; i < n; i++) {
    const xi = i * nrhs;
    for (let t = 0; t < i; t++) {
      const l = L[i * n + t];
      if (l === 0) continue;
      const xt = t * nrhs;
      for (let c = 0; c < nrhs; c++) X[xi + c] -= l * X[xt + c];
    }
    const inv = 1 / L[i * n + i];
    for (let c = 0; c < nrhs; c++) X[xi + c] *= inv;
  }
  // Lᵀ·X = Y
  for (let i = n - 1; i >= 0; i--) {
    const xi = i * nrhs;
    for (let t = i + 1; t < n; t++) {
      const l = L[t * n + i];
      if (l === 0) continue;
      const xt = t * nrhs;
      for (let c = 0; c < nrhs; c++) X[xi + c] -= l * X[xt + c];
    }
    const inv = 1 / L[i * n + i];
    for (let c = 0; c < nrhs; c++) X[xi + c] *= inv;
  }
  const out = allocLike(b, n * nrhs);
  out.set(X);
  return out;
}

function columnMoments(pred: Floats, predOffset: number, y: Floats, rows: number, cols: number, out: Float64Array): void {
  out.fill(0, 0, 3 * cols);
  const sp = out.subarray(0, cols);
  const spp = out.subarray(cols, 2 * cols);
  const spy = out.subarray(2 * cols, 3 * cols);
  // four rows per sweep: the float64 accumulators are read and written a quarter as often
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const p0 = predOffset + i * cols;
    const p1 = p0 + cols;
    const p2 = p1 + cols;
    const p3 = p2 + cols;
    const y0 = i * cols;
    const y1 = y0 + cols;
    const y2 = y1 + cols;
    const y3 = y2 + cols;
    for (let k = 0; k < cols; k++) {
      const a = pred[p0 + k];
      const b = pred[p1 + k];
      const c = pred[p2 + k];
      const d = pred[p3 + k];
      sp[k] += a + b + c + d;
      spp[k] += a * a + b * b + c * c + d * d;
      spy[k] += a * y[y0 + k] + b * y[y1 + k] + c * y[y2 + k] + d * y[y3 + k];
    }
  }
  for (; i < rows; i++) {
    const po = predOffset + i * cols;
    const yo = i * cols;
    for (let k = 0; k < cols; k++) {
      const p = pred[po + k];
      sp[k] += p;
      spp[k] += p * p;
      spy[k] += p * y[yo + k];
    }
  }
}

/** The pure-TypeScript Linalg (float64 internally). */
export function portableLinalg(): Linalg {
  return { kind: 'portable', gemm, syevd, svd, cholesky, choleskySolve, columnMoments };
}

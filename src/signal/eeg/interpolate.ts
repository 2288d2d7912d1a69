/**
 * Spherical-spline interpolation of bad EEG channels (Perrin et al., 1989),
 * in the form MNE uses: with g(x) = (1/4π) Σ_{n=1}^{N} (2n+1)/(n(n+1))^m P_n(x),
 * m = 4, N = 50 Legendre terms (MNE's choice; Perrin used 7), the good channels' potentials V are fitted by
 *   V = G c + c0,  Σ c = 0     (G_ij = g(cos∠(r_i, r_j)) + α δ_ij)
 * and the bad channels get V_bad = G_bad,good c + c0. The map from good to bad
 * channels is a fixed matrix, computed once and applied to every sample.
 */
import { InputError } from '../../core/errors.js';
import { toUnitSphere, type Xyz } from './montage.js';

/** g(cos θ) of the spherical spline with stiffness m and N Legendre terms (unitless). */
export function splineG(cosang: number, m = 4, nTerms = 50): number {
  let p0 = 1;
  let p1 = cosang;
  let s = 0;
  for (let n = 1; n <= nTerms; n++) {
    s += ((2 * n + 1) / (n ** m * (n + 1) ** m)) * p1;
    const p2 = ((2 * n + 1) * cosang * p1 - n * p0) / (n + 1);
    p0 = p1;
    p1 = p2;
  }
  return s / (4 * Math.PI);
}

/** Solve A X = B for square A (n×n) and B (n×k), both row-major float64, by Gaussian elimination with partial pivoting. */
function solve(A: Float64Array, B: Float64Array, n: number, k: number): Float64Array {
  const a = Float64Array.from(A);
  const b = Float64Array.from(B);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[piv * n + col])) piv = r;
    if (Math.abs(a[piv * n + col]) < 1e-300) throw new InputError('interpolation', 'singular spline system (duplicate electrode positions?)');
    if (piv !== col) {
      for (let j = 0; j < n; j++) [a[col * n + j], a[piv * n + j]] = [a[piv * n + j], a[col * n + j]];
      for (let j = 0; j < k; j++) [b[col * k + j], b[piv * k + j]] = [b[piv * k + j], b[col * k + j]];
    }
    const d = a[col * n + col];
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col] / d;
      if (f === 0) continue;
      for (let j = col; j < n; j++) a[r * n + j] -= f * a[col * n + j];
      for (let j = 0; j < k; j++) b[r * k + j] -= f * b[col * k + j];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    for (let j = 0; j < k; j++) {
      let s = b[r * k + j];
      for (let c = r + 1; c < n; c++) s -= a[r * n + c] * b[c * k + j];
      b[r * k + j] = s / a[r * n + r];
    }
  }
  return b;
}

/**
 * Interpolation matrix from `from` positions to `to` positions (any radius;
 * both are projected on the unit sphere): returns nTo×nFrom row-major float64,
 * so that V_to = M · V_from. `alpha` regularises the diagonal (MNE: 1e-5).
 */
export function splineInterpolationMatrix(from: Xyz[], to: Xyz[], alpha = 1e-5): Float64Array {
  const f = toUnitSphere(from);
  const t = toUnitSphere(to);
  const nf = f.length;
  const nt = t.length;
  if (nf < 3) throw new InputError('interpolation', `need at least 3 good channels, got ${nf}`);
  const dot = (p: Xyz, q: Xyz): number => Math.max(-1, Math.min(1, p[0] * q[0] + p[1] * q[1] + p[2] * q[2]));
  const n = nf + 1;
  const C = new Float64Array(n * n);
  for (let i = 0; i < nf; i++) {
    for (let j = 0; j < nf; j++) C[i * n + j] = splineG(dot(f[i], f[j])) + (i === j ? alpha : 0);
    C[i * n + nf] = 1;
    C[nf * n + i] = 1;
  }
  // Right-hand sides: B^T where B = [G_to,from  1] (nt × n); C is symmetric, so M^T = (C^{-1} B^T)[:nf].
  const Bt = new Float64Array(n * nt);
  for (let r = 0; r < nt; r++) {
    for (let i = 0; i < nf; i++) Bt[i * nt + r] = splineG(dot(t[r], f[i]));
    Bt[nf * nt + r] = 1;
  }
  const W = solve(C, Bt, n, nt);
  const M = new Float64Array(nt * nf);
  for (let r = 0; r < nt; r++) for (let i = 0; i < nf; i++) M[r * nf + i] = W[i * nt + r];
  return M;
}

/**
 * Replace the channels in `bad` by spherical-spline interpolation from the
 * others, sample by sample. Returns new arrays (good channels copied unchanged).
 */
export function interpolateBadChannels(data: Float32Array[], pos: Xyz[], bad: readonly number[]): Float32Array[] {
  if (pos.length !== data.length) throw new InputError('interpolation', `${data.length} channels but ${pos.length} positions`);
  const out = data.map((x) => Float32Array.from(x));
  if (bad.length === 0) return out;
  const badSet = new Set(bad);
  const good = data.map((_, i) => i).filter((i) => !badSet.has(i));
  const M = splineInterpolationMatrix(
    good.map((i) => pos[i]),
    bad.map((i) => pos[i]),
  );
  const n = data[0].length;
  bad.forEach((b, r) => {
    const y = out[b];
    y.fill(0);
    good.forEach((g, i) => {
      const w = M[r * good.length + i];
      const x = data[g];
      for (let t = 0; t < n; t++) y[t] += w * x[t];
    });
  });
  return out;
}

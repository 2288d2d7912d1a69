/**
 * Voxel → world affines from NIfTI headers, and back. Matrices are 4×4
 * row-major Float64Array(16); world units are whatever xyzt_units says
 * (normally mm).
 */
import type { NiftiHeader } from './header.js';
import { dim5 } from './header.js';

export type AffineSource = 'sform' | 'qform' | 'base';

/**
 * The affine nibabel would report (`img.affine`): the sform if sform_code > 0,
 * else the qform if qform_code > 0, else nibabel's base affine (pixdim
 * diagonal with x flipped, origin at the volume centre). Returns the matrix
 * (mm) and which of the three it came from.
 */
export function bestAffine(h: NiftiHeader): { affine: Float64Array; source: AffineSource } {
  if (h.sformCode > 0) return { affine: sformAffine(h), source: 'sform' };
  if (h.qformCode > 0) return { affine: qformAffine(h), source: 'qform' };
  return { affine: baseAffine(h), source: 'base' };
}

/** The sform rows as a 4×4 row-major matrix (mm). */
export function sformAffine(h: NiftiHeader): Float64Array {
  return Float64Array.from([...h.srowX, ...h.srowY, ...h.srowZ, 0, 0, 0, 1]);
}

/**
 * The qform matrix: rotation from the unit quaternion (b, c, d) with
 * a = sqrt(1 - b² - c² - d²), times diag(pixdim1, pixdim2, qfac·pixdim3),
 * plus the qoffset translation (mm).
 */
export function qformAffine(h: NiftiHeader): Float64Array {
  let b = h.quaternB,
    c = h.quaternC,
    d = h.quaternD;
  let a2 = 1 - (b * b + c * c + d * d);
  // Rounding in float32 storage can push a² slightly below 0; the standard
  // (nifti1_io) then takes a = 0 and renormalises (b, c, d).
  if (a2 < 0) {
    const n = Math.sqrt(b * b + c * c + d * d);
    b /= n;
    c /= n;
    d /= n;
    a2 = 0;
  }
  const a = Math.sqrt(a2);
  const r = quaternionMatrix(a, b, c, d);
  const qfac = h.pixdim[0] < 0 ? -1 : 1;
  const vox = [Math.abs(h.pixdim[1]), Math.abs(h.pixdim[2]), qfac * Math.abs(h.pixdim[3])];
  const out = new Float64Array(16);
  const offs = [h.qoffsetX, h.qoffsetY, h.qoffsetZ];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) out[4 * i + j] = r[3 * i + j] * vox[j];
    out[4 * i + 3] = offs[i];
  }
  out[15] = 1;
  return out;
}

function quaternionMatrix(a: number, b: number, c: number, d: number): number[] {
  return [
    a * a + b * b - c * c - d * d,
    2 * (b * c - a * d),
    2 * (b * d + a * c),
    2 * (b * c + a * d),
    a * a + c * c - b * b - d * d,
    2 * (c * d - a * b),
    2 * (b * d - a * c),
    2 * (c * d + a * b),
    a * a + d * d - b * b - c * c,
  ];
}

/**
 * nibabel's fallback when neither transform is set (ANALYZE convention):
 * diag(-pixdim1, pixdim2, pixdim3) with the origin at the centre voxel (mm).
 */
export function baseAffine(h: NiftiHeader): Float64Array {
  const shape = dim5(h).slice(0, 3);
  const nd = h.dim[0];
  const zooms = [1, 2, 3].map((i) => (i <= nd ? h.pixdim[i] : 1));
  zooms[0] *= -1;
  const out = new Float64Array(16);
  for (let i = 0; i < 3; i++) {
    out[4 * i + i] = zooms[i];
    out[4 * i + 3] = (-(shape[i] - 1) / 2) * zooms[i];
  }
  out[15] = 1;
  return out;
}

/** Quaternion parameters encoding an affine's rotation/zoom part, as the NIfTI-1 qform stores them. */
export interface QformParams {
  b: number;
  c: number;
  d: number;
  qx: number;
  qy: number;
  qz: number;
  /** voxel sizes (positive) */
  zooms: [number, number, number];
  /** -1 if the affine flips handedness, else 1 */
  qfac: number;
}

/**
 * Decompose an affine into qform parameters. Shears cannot be stored in a
 * qform, so the rotation is the nearest orthogonal matrix (polar factor) of
 * the zoom-normalised 3×3 block, as nibabel does with strip_shears.
 */
export function affineToQform(m: ArrayLike<number>): QformParams {
  const cols = [0, 1, 2].map((j) => [m[j], m[4 + j], m[8 + j]]);
  const zooms = cols.map((c) => Math.hypot(c[0], c[1], c[2]) || 1) as [number, number, number];
  let r = [0, 1, 2].map((i) => [0, 1, 2].map((j) => cols[j][i] / zooms[j]));
  let qfac = 1;
  if (det3(r) < 0) {
    qfac = -1;
    for (let i = 0; i < 3; i++) r[i][2] = -r[i][2];
  }
  r = polar(r);
  const trace = r[0][0] + r[1][1] + r[2][2];
  let a: number, b: number, c: number, d: number;
  // Pick the numerically largest component first (Shepperd's method) so that
  // rotations near 180° keep full precision.
  if (trace > 0) {
    const s = Math.sqrt(trace + 1) * 2;
    a = s / 4;
    b = (r[2][1] - r[1][2]) / s;
    c = (r[0][2] - r[2][0]) / s;
    d = (r[1][0] - r[0][1]) / s;
  } else if (r[0][0] > r[1][1] && r[0][0] > r[2][2]) {
    const s = Math.sqrt(1 + r[0][0] - r[1][1] - r[2][2]) * 2;
    a = (r[2][1] - r[1][2]) / s;
    b = s / 4;
    c = (r[0][1] + r[1][0]) / s;
    d = (r[0][2] + r[2][0]) / s;
  } else if (r[1][1] > r[2][2]) {
    const s = Math.sqrt(1 + r[1][1] - r[0][0] - r[2][2]) * 2;
    a = (r[0][2] - r[2][0]) / s;
    b = (r[0][1] + r[1][0]) / s;
    c = s / 4;
    d = (r[1][2] + r[2][1]) / s;
  } else {
    const s = Math.sqrt(1 + r[2][2] - r[0][0] - r[1][1]) * 2;
    a = (r[1][0] - r[0][1]) / s;
    b = (r[0][2] + r[2][0]) / s;
    c = (r[1][2] + r[2][1]) / s;
    d = s / 4;
  }
  // The qform stores only (b, c, d) and assumes a ≥ 0; q and -q are the same rotation.
  if (a < 0) {
    b = -b;
    c = -c;
    d = -d;
  }
  return { b, c, d, qx: m[3], qy: m[7], qz: m[11], zooms, qfac };
}

function det3(r: number[][]): number {
  return (
    r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1]) - r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0]) + r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0])
  );
}

/** Orthogonal polar factor by the Newton iteration R ← (R + R⁻ᵀ)/2 (converges quadratically). */
function polar(m: number[][]): number[][] {
  let r = m.map((row) => row.slice());
  for (let it = 0; it < 50; it++) {
    const inv = inverse3(r);
    if (!inv) return r;
    const next = r.map((row, i) => row.map((v, j) => (v + inv[j][i]) / 2));
    let diff = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) diff = Math.max(diff, Math.abs(next[i][j] - r[i][j]));
    r = next;
    if (diff < 1e-15) break;
  }
  return r;
}

function inverse3(m: number[][]): number[][] | null {
  const det = det3(m);
  if (!(Math.abs(det) > 1e-300)) return null;
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

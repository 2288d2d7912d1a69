/**
 * Raw NIfTI voxel bytes → numbers. Pure functions over typed arrays: bytes
 * are first put in host (little-endian) order, then viewed as the stored
 * type and converted to float32 with scl_slope/scl_inter applied.
 */
import { InputError } from '../../core/errors.js';
import * as os from 'node:os';
import type { DatatypeInfo } from './header.js';

if (os.endianness() !== 'LE') throw new Error('brainalign NIfTI decoding assumes a little-endian host');

export type RawView =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** Linear scaling to apply; identity when the header's slope is 0 or NaN (NIfTI: "no scaling"). */
export interface Scaling {
  slope: number;
  inter: number;
  /** false when slope was 0/NaN, i.e. values are used as stored */
  applied: boolean;
}

/** The scaling a header asks for (slope 0 or non-finite → none; non-finite intercept → 0). */
export function scalingOf(sclSlope: number, sclInter: number, dt: DatatypeInfo, where: string): Scaling {
  // RGB channels are colour bytes, not measurements: nibabel ignores scaling for them too.
  if (dt.code === 128 || dt.code === 2304) return { slope: 1, inter: 0, applied: false };
  if (sclSlope === 0 || !Number.isFinite(sclSlope)) return { slope: 1, inter: 0, applied: false };
  // A valid slope with a NaN or infinite intercept has no meaning; nibabel refuses it rather than guess 0.
  if (!Number.isFinite(sclInter)) throw new InputError(where, `scl_slope ${sclSlope} is valid but scl_inter is ${sclInter}`);
  return { slope: sclSlope, inter: sclInter, applied: true };
}

/** Reverse byte order of each component in place (no-op for bytes). `bytes.length` must be a multiple of the component size. */
export function swapInPlace(bytes: Uint8Array, componentBytes: number): void {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (componentBytes === 2) b.swap16();
  else if (componentBytes === 4) b.swap32();
  else if (componentBytes === 8) b.swap64();
}

/**
 * A typed view of host-order bytes as the stored type (no copy). Complex
 * types view as interleaved (re, im) floats, RGB types as bytes. Needs
 * `bytes.byteOffset` aligned to the component size.
 */
export function rawView(bytes: Uint8Array, dt: DatatypeInfo): RawView {
  const { buffer, byteOffset } = bytes;
  const n = bytes.byteLength / dt.componentBytes;
  switch (dt.code) {
    case 2:
    case 128:
    case 2304:
      return new Uint8Array(buffer, byteOffset, n);
    case 256:
      return new Int8Array(buffer, byteOffset, n);
    case 4:
      return new Int16Array(buffer, byteOffset, n);
    case 512:
      return new Uint16Array(buffer, byteOffset, n);
    case 8:
      return new Int32Array(buffer, byteOffset, n);
    case 768:
      return new Uint32Array(buffer, byteOffset, n);
    case 16:
    case 32:
      return new Float32Array(buffer, byteOffset, n);
    case 64:
    case 1792:
      return new Float64Array(buffer, byteOffset, n);
    case 1024:
      return new BigInt64Array(buffer, byteOffset, n);
    case 1280:
      return new BigUint64Array(buffer, byteOffset, n);
    default:
      throw new Error(`no view for datatype ${dt.code}`);
  }
}

/**
 * A number-valued view for conversion: 64-bit integers are read as their two
 * 32-bit halves (hi·2³² + lo), which is exact below 2⁵³ and avoids BigInt.
 */
function numberGetter(bytes: Uint8Array, dt: DatatypeInfo): (i: number) => number {
  if (dt.code === 1024 || dt.code === 1280) {
    const lo = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const hi = dt.code === 1024 ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) : lo;
    return (i) => hi[2 * i + 1] * 4294967296 + lo[2 * i];
  }
  const v = rawView(bytes, dt) as Exclude<RawView, BigInt64Array | BigUint64Array>;
  return (i) => v[i];
}

/**
 * Convert host-order component values to float32 with scaling, into
 * out[outOff..]. Complex intercepts go to the real part only (as numpy's
 * `z * slope + inter` does). Returns the number of values written.
 */
export function convertToFloat32(bytes: Uint8Array, dt: DatatypeInfo, sc: Scaling, out: Float32Array, outOff: number): number {
  const n = bytes.byteLength / dt.componentBytes;
  const { slope, inter } = sc;
  if (dt.code === 1024 || dt.code === 1280) {
    const get = numberGetter(bytes, dt);
    for (let i = 0; i < n; i++) out[outOff + i] = get(i) * slope + inter;
    return n;
  }
  const v = rawView(bytes, dt) as Exclude<RawView, BigInt64Array | BigUint64Array>;
  if (!sc.applied) {
    out.set(v, outOff);
  } else if (dt.components === 2) {
    for (let i = 0; i < n; i += 2) {
      out[outOff + i] = v[i] * slope + inter;
      out[outOff + i + 1] = v[i + 1] * slope;
    }
  } else {
    for (let i = 0; i < n; i++) out[outOff + i] = v[i] * slope + inter;
  }
  return n;
}

/**
 * Gather scalar voxels `idx` of one host-order volume into out[outOff..], scaled
 * to float32 (the inner loop of a masked read).
 */
export function gatherToFloat32(bytes: Uint8Array, dt: DatatypeInfo, sc: Scaling, idx: Int32Array, out: Float32Array, outOff: number): void {
  const { slope, inter } = sc;
  const m = idx.length;
  if (dt.code === 1024 || dt.code === 1280) {
    const get = numberGetter(bytes, dt);
    for (let j = 0; j < m; j++) out[outOff + j] = get(idx[j]) * slope + inter;
    return;
  }
  const v = rawView(bytes, dt) as Exclude<RawView, BigInt64Array | BigUint64Array>;
  if (!sc.applied) {
    for (let j = 0; j < m; j++) out[outOff + j] = v[idx[j]];
  } else {
    for (let j = 0; j < m; j++) out[outOff + j] = v[idx[j]] * slope + inter;
  }
}

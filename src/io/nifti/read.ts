/**
 * Reading NIfTI images: header, lazy whole-image data, and streamed blocks
 * (volume by volume) for masked reads and summaries. Like nibabel's proxy,
 * nothing past the header is read until data is asked for.
 */
import * as fs from 'node:fs';
import { InputError } from '../../core/errors.js';
import { openForRead } from '../fd.js';
import { bestAffine, type AffineSource } from './affine.js';
import { convertToFloat32, gatherToFloat32, rawView, scalingOf, swapInPlace, type RawView, type Scaling } from './decode.js';
import { datatypeInfo, dim5, HEADER_PROBE_BYTES, parseNiftiHeader, shapeOf, voxelCount, type DatatypeInfo, type NiftiHeader } from './header.js';
import { openSource, type ByteSource, type SourceOptions } from './source.js';

/** Largest header+extension block we accept before the data (CIFTI XML can be a few MB). */
const MAX_HEADER_BYTES = 256 << 20;

/** A parsed header together with where its voxels live. */
export interface OpenedNifti {
  header: NiftiHeader;
  dt: DatatypeInfo;
  headerPath: string;
  /** file holding the voxels (the same file for .nii, the .img for pairs) */
  imagePath: string;
  /** byte offset of the first voxel in imagePath (decompressed) */
  dataOffset: number;
  /** number of voxels (all dim[0] axes) */
  nVoxels: number;
}

/** For a pair, the header and image paths; for a single file, the path twice. */
function pairPaths(path: string): { headerPath: string; imageCandidates: string[] } {
  const m = /^(.*)\.(hdr|img)(\.gz)?$/i.exec(path);
  if (!m) return { headerPath: path, imageCandidates: [path] };
  const [, stem, kind, gz] = m;
  const upper = kind === kind.toUpperCase();
  const hdrExt = upper ? 'HDR' : 'hdr';
  const imgExt = upper ? 'IMG' : 'img';
  const gzExt = gz ?? '.gz';
  if (kind.toLowerCase() === 'img') {
    const hdrs = [`${stem}.${hdrExt}${gz ?? ''}`, `${stem}.${hdrExt}`, `${stem}.${hdrExt}${gzExt}`];
    const headerPath = hdrs.find((p) => fs.existsSync(p)) ?? hdrs[0];
    return { headerPath, imageCandidates: [path] };
  }
  // Either half of a pair may be gzipped independently (nifti-rs minimal2.hdr + minimal2.img.gz).
  return { headerPath: path, imageCandidates: [`${stem}.${imgExt}${gz ?? ''}`, `${stem}.${imgExt}`, `${stem}.${imgExt}${gzExt}`] };
}

/** Read exactly what the header needs: the fixed part, then extensions up to vox_offset. */
function readHeaderBlock(src: ByteSource, where: string): Uint8Array {
  const probe = new Uint8Array(HEADER_PROBE_BYTES);
  const got = src.readInto(probe, HEADER_PROBE_BYTES);
  if (got < 348) throw new InputError(where, `truncated header: file has ${got} bytes, a NIfTI header needs at least 348`);
  const first = probe.subarray(0, got);
  // A first parse without extensions tells the version and vox_offset.
  const dv = new DataView(first.buffer, first.byteOffset, first.byteLength);
  const v2 = dv.getInt32(0, true) === 540 || dv.getInt32(0, false) === 540;
  const fixed = v2 ? 540 : 348;
  const h = parseNiftiHeader(first.subarray(0, Math.min(got, fixed)), where);
  const hasExt = got > fixed && first[fixed] !== 0;
  if (!hasExt) return first;
  const end = h.pair ? MAX_HEADER_BYTES : h.voxOffset;
  if (end > MAX_HEADER_BYTES) throw new InputError(where, `vox_offset ${h.voxOffset} leaves more than ${MAX_HEADER_BYTES} bytes of extensions`);
  if (end <= got) return first;
  const chunks: Uint8Array[] = [first];
  let total = got;
  const step = 1 << 16;
  while (total < end) {
    const c = new Uint8Array(Math.min(step, end - total));
    const n = src.readInto(c, c.length);
    chunks.push(c.subarray(0, n));
    total += n;
    if (n < c.length) break;
  }
  if (!h.pair && total < end) throw new InputError(where, `vox_offset ${h.voxOffset} is past the end of the file (${total} bytes)`);
  return Buffer.concat(chunks);
}

/** Parse the header of `path` (.nii, .nii.gz, .hdr, .hdr.gz, .img, .img.gz) and locate its voxels. */
export function openNifti(path: string, opts: SourceOptions = {}): OpenedNifti {
  const { headerPath, imageCandidates } = pairPaths(path);
  const src = openSource(headerPath, opts);
  let header: NiftiHeader;
  let plainSize: number | undefined;
  try {
    header = parseNiftiHeader(readHeaderBlock(src, headerPath), headerPath);
    plainSize = src.size;
  } finally {
    src.close();
  }
  const dt = datatypeInfo(header.datatype);
  if (!dt) throw new InputError(headerPath, `unsupported datatype code ${header.datatype}`);
  const nVoxels = voxelCount(header);
  let imagePath = headerPath;
  if (header.pair) {
    // A pair magic in a file not named .hdr still needs a separate .img: never read the header file as voxels.
    imagePath =
      imageCandidates.find((p) => p !== headerPath && fs.existsSync(p)) ??
      imageCandidates.find((p) => p !== headerPath) ??
      headerPath.replace(/(\.nii)?(\.gz)?$/i, '.img');
  } else if (plainSize !== undefined && header.voxOffset > plainSize) {
    throw new InputError(headerPath, `vox_offset ${header.voxOffset} is past the end of the file (${plainSize} bytes)`);
  }
  return { header, dt, headerPath, imagePath, dataOffset: header.voxOffset, nVoxels };
}

/** Read only the header of a NIfTI-1/2 file (any of the single/pair/gz forms). Returns the parsed header. */
export function readNiftiHeader(path: string): NiftiHeader {
  return openNifti(path).header;
}

/** zlib's deflate cannot expand data more than ~1032-fold, which bounds what a .gz can hold. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * Fail early, before any allocation sized from the header, if the image file
 * cannot possibly hold the voxels the header promises (a corrupt dim would
 * otherwise ask for terabytes). Plain files are checked exactly; gzip files
 * against the deflate expansion limit.
 */
export function checkDataFits(o: OpenedNifti): void {
  if (o.header.pair && !fs.existsSync(o.imagePath)) {
    throw new InputError(o.headerPath, `image file ${o.imagePath} not found (header-only pair)`);
  }
  const need = o.dataOffset + o.nVoxels * o.dt.bytes;
  let size: number;
  let gz = false;
  try {
    const opened = openForRead(o.imagePath);
    size = opened.size;
    const fd = opened.fd;
    const m = Buffer.alloc(2);
    fs.readSync(fd, m, 0, 2, 0);
    fs.closeSync(fd);
    gz = m[0] === 0x1f && m[1] === 0x8b;
  } catch (e) {
    throw new InputError(o.imagePath, `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (!gz) {
    if (o.dataOffset > size) throw new InputError(o.imagePath, `vox_offset ${o.dataOffset} is past the end of the file (${size} bytes)`);
    if (need > size) {
      throw new InputError(
        o.imagePath,
        `truncated data: ${size - o.dataOffset} of ${need - o.dataOffset} image bytes present after vox_offset ${o.dataOffset}`,
      );
    }
  } else if (need > size * MAX_DEFLATE_RATIO + 1024) {
    throw new InputError(o.imagePath, `truncated data: the header promises ${need} bytes, more than a ${size}-byte gzip file can hold`);
  }
}

/**
 * Stream the image data in blocks of whole voxels (at most `blockVoxels`
 * each), calling `fn(hostOrderBytes, firstVoxel, nVoxels)`. The bytes are in
 * host order and aligned for a typed view; the buffer is reused between
 * calls. Truncation and a vox_offset beyond the data become InputErrors.
 */
export function streamBlocks(
  o: OpenedNifti,
  blockVoxels: number,
  fn: (bytes: Uint8Array, firstVoxel: number, nVoxels: number) => void,
  opts: SourceOptions = {},
): void {
  const { dt } = o;
  checkDataFits(o);
  const src = openSource(o.imagePath, opts);
  try {
    const skipped = src.skip(o.dataOffset);
    if (skipped < o.dataOffset) {
      throw new InputError(o.imagePath, `vox_offset ${o.dataOffset} is past the end of the file (${skipped} bytes)`);
    }
    const per = Math.max(1, Math.min(blockVoxels, o.nVoxels));
    const buf = new Uint8Array(per * dt.bytes);
    for (let v = 0; v < o.nVoxels; v += per) {
      const n = Math.min(per, o.nVoxels - v);
      const want = n * dt.bytes;
      const got = src.readInto(buf, want);
      if (got < want) {
        const expected = o.nVoxels * dt.bytes;
        const have = v * dt.bytes + got;
        throw new InputError(o.imagePath, `truncated data: ${have} of ${expected} image bytes present after vox_offset ${o.dataOffset}`);
      }
      const bytes = buf.subarray(0, want);
      if (!o.header.littleEndian) swapInPlace(bytes, dt.componentBytes);
      fn(bytes, v, n);
    }
  } finally {
    src.close();
  }
}

export interface NiftiImage {
  header: NiftiHeader;
  /** shape as stored, x fastest, e.g. [x, y, z] or [x, y, z, t] (dim[1..dim[0]]) */
  dims: number[];
  /** voxel → world (mm), 4×4 row-major, chosen as nibabel does */
  affine: Float64Array;
  affineSource: AffineSource;
  /** pixdim[1..dim[0]]: voxel sizes (space unit) then TR (time unit) */
  pixdim: number[];
  /** stored datatype name (uint8, int16, float32, complex64, rgb24, ...) */
  datatype: string;
  /** values per voxel: 1 scalar, 2 complex (re, im), 3 RGB, 4 RGBA */
  components: number;
  scaling: Scaling;
  /** All voxels as float32, scl_slope/scl_inter applied, x fastest, components interleaved. Reads the file on each call. */
  getData(): Float32Array;
  /** All voxels as stored (unscaled), in host byte order, as the matching typed array. Reads the file on each call. */
  getRaw(): RawView;
}

/** Open a NIfTI image: header and affine now, voxel data lazily through getData()/getRaw(). */
export function loadNifti(path: string, opts: SourceOptions = {}): NiftiImage {
  const o = openNifti(path, opts);
  const h = o.header;
  const { affine, source } = bestAffine(h);
  const scaling = scalingOf(h.sclSlope, h.sclInter, o.dt, o.headerPath);
  const nd = h.dim[0];
  return {
    header: h,
    dims: shapeOf(h),
    affine,
    affineSource: source,
    pixdim: h.pixdim.slice(1, 1 + nd),
    datatype: o.dt.name,
    components: o.dt.components,
    scaling,
    getData(): Float32Array {
      checkDataFits(o);
      const out = new Float32Array(o.nVoxels * o.dt.components);
      streamBlocks(
        o,
        blockFor(o.dt),
        (bytes, first) => {
          convertToFloat32(bytes, o.dt, scaling, out, first * o.dt.components);
        },
        opts,
      );
      return out;
    },
    getRaw(): RawView {
      checkDataFits(o);
      const all = new Uint8Array(o.nVoxels * o.dt.bytes);
      streamBlocks(o, blockFor(o.dt), (bytes, first) => all.set(bytes, first * o.dt.bytes), opts);
      return rawView(all, o.dt);
    },
  };
}

/** Voxels per streamed block: ~8 MB of raw bytes. */
function blockFor(dt: DatatypeInfo): number {
  return Math.max(1, Math.floor((8 << 20) / dt.bytes));
}

export interface MaskedTimeseries {
  /** nT × nVox row-major, scaled float32 (row t = volume t, columns in mask voxel order, x fastest) */
  data: Float32Array;
  nT: number;
  nVox: number;
}

/**
 * Read the in-mask voxels of a 3-D/4-D scalar image as a time × voxel float32
 * matrix, streaming one volume at a time (memory: output + one raw volume).
 * `mask` has one entry per voxel of a volume (x fastest); nonzero = keep.
 */
export function readMaskedTimeseries(boldPath: string, mask: Uint8Array, opts: SourceOptions = {}): MaskedTimeseries {
  const o = openNifti(boldPath, opts);
  const [x, y, z, t] = dim5(o.header);
  if (o.nVoxels !== x * y * z * t) throw new InputError(boldPath, `expected a 3-D or 4-D image, got dims ${shapeOf(o.header).join('×')}`);
  if (o.dt.components !== 1) throw new InputError(boldPath, `masked reads need scalar voxels, not ${o.dt.name}`);
  const volVox = x * y * z;
  if (mask.length !== volVox) throw new InputError('mask', `has ${mask.length} voxels but ${boldPath} volumes have ${x}×${y}×${z} = ${volVox}`);
  let nVox = 0;
  for (let i = 0; i < volVox; i++) if (mask[i] !== 0) nVox++;
  const idx = new Int32Array(nVox);
  for (let i = 0, j = 0; i < volVox; i++) if (mask[i] !== 0) idx[j++] = i;
  const scaling = scalingOf(o.header.sclSlope, o.header.sclInter, o.dt, o.headerPath);
  checkDataFits(o);
  const data = new Float32Array(t * nVox);
  streamBlocks(
    o,
    volVox,
    (bytes, first) => {
      gatherToFloat32(bytes, o.dt, scaling, idx, data, (first / volVox) * nVox);
    },
    opts,
  );
  return { data, nT: t, nVox };
}

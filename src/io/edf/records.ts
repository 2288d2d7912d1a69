/**
 * Data-record access: chunked positional reads (no whole-file buffers, so
 * files over 2 GiB work) and the 16/24-bit little-endian decode loops.
 */
import * as fs from 'node:fs';
import { readAt } from './header.js';
import type { EdfHeader, EdfSignalHeader } from './types.js';
import { InputError } from '../../core/errors.js';

/** Upper bound on one read; large enough that syscalls are amortised, small enough to stay cache/RSS friendly. */
const CHUNK_BYTES = 16 * 1024 * 1024;

/** One chunk of whole records with word views, so the decoders can load 4 bytes at a time. */
export interface RecordBuffer {
  u8: Uint8Array;
  u32: Uint32Array;
  i16: Int16Array;
}

function recordBuffer(len: number): RecordBuffer {
  const u8 = new Uint8Array(len);
  return { u8, u32: new Uint32Array(u8.buffer, 0, len >> 2), i16: new Int16Array(u8.buffer, 0, len >> 1) };
}

/**
 * Call `visit(rb, first, count)` for records [k0, k1) read in chunks, where
 * rb.u8 holds `count` whole records starting with record `first`.
 */
export function forEachRecordChunk(fd: number, h: EdfHeader, k0: number, k1: number, visit: (rb: RecordBuffer, first: number, count: number) => void): void {
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / h.recordBytes));
  let rb = recordBuffer(0);
  for (let k = k0; k < k1; k += perChunk) {
    const count = Math.min(perChunk, k1 - k);
    const len = count * h.recordBytes;
    if (rb.u8.length !== len) rb = recordBuffer(len);
    const pos = h.headerBytes + k * h.recordBytes;
    let got = 0;
    while (got < len) {
      const n = fs.readSync(fd, rb.u8, got, len - got, pos + got);
      // The size check in the header makes this unreachable unless the file shrinks under us.
      if (n === 0) throw new InputError(h.path, `truncated data: record ${k + 1} is cut short`);
      got += n;
    }
    visit(rb, k, count);
  }
}

function decode24Bytes(b: Uint8Array, start: number, n: number, g: number, off: number, out: Float32Array, o: number): void {
  let p = start;
  for (let i = 0; i < n; i++, p += 3) {
    // Shift up into the sign bit and back down to sign-extend 24 → 32 bits.
    const v = ((b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) << 8) >> 8;
    out[o++] = v * g + off;
  }
}

/** Four 24-bit samples are three little-endian words; `start` must be a multiple of 4. */
function decode24Words(w: Uint32Array, start: number, n4: number, g: number, off: number, out: Float32Array, o: number): void {
  let q = start >> 2;
  for (let i = 0; i < n4; i += 4, q += 3) {
    const a = w[q];
    const b = w[q + 1];
    const c = w[q + 2];
    out[o++] = ((a << 8) >> 8) * g + off;
    out[o++] = ((((a >>> 24) | (b << 8)) << 8) >> 8) * g + off;
    out[o++] = ((((b >>> 16) | (c << 16)) << 8) >> 8) * g + off;
    out[o++] = (c >> 8) * g + off;
  }
}

function decode16(rb: RecordBuffer, start: number, n: number, g: number, off: number, out: Float32Array, o: number): void {
  if ((start & 1) === 0) {
    const w = rb.i16;
    let q = start >> 1;
    for (let i = 0; i < n; i++) out[o++] = w[q++] * g + off;
    return;
  }
  const b = rb.u8;
  let p = start;
  for (let i = 0; i < n; i++, p += 2) out[o++] = (((b[p] | (b[p + 1] << 8)) << 16) >> 16) * g + off;
}

/**
 * Decode samples [s0, s1) of signal `sig` in the record starting at byte `rec`
 * of the chunk into out[o…] as physical values (float64 math, float32 store).
 * Int16Array assumes a little-endian host, as every Node platform is.
 */
export function decodeInto(
  rb: RecordBuffer,
  rec: number,
  sig: EdfSignalHeader,
  bytesPerSample: number,
  s0: number,
  s1: number,
  out: Float32Array,
  o: number,
): void {
  const start = rec + sig.byteOffset + bytesPerSample * s0;
  const n = s1 - s0;
  if (bytesPerSample === 2) {
    decode16(rb, start, n, sig.gain, sig.offset, out, o);
    return;
  }
  // 3 is invertible mod 4: at most 3 single samples bring the byte position onto a word boundary.
  let lead = 0;
  while (lead < n && ((start + 3 * lead) & 3) !== 0) lead++;
  decode24Bytes(rb.u8, start, lead, sig.gain, sig.offset, out, o);
  const n4 = (n - lead) & ~3;
  decode24Words(rb.u32, start + 3 * lead, n4, sig.gain, sig.offset, out, o + lead);
  const done = lead + n4;
  decode24Bytes(rb.u8, start + 3 * done, n - done, sig.gain, sig.offset, out, o + done);
}

/** Digital (integer) sample i of signal `sig` in the record at byte `rec`. */
export function digitalAt(buf: Uint8Array, rec: number, sig: EdfSignalHeader, bytesPerSample: number, i: number): number {
  const p = rec + sig.byteOffset + bytesPerSample * i;
  if (bytesPerSample === 3) return ((buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16)) << 8) >> 8;
  return ((buf[p] | (buf[p + 1] << 8)) << 16) >> 16;
}

/** Bytes of every annotation signal in record k (one read covering all of them). */
export function readAnnotationBytes(fd: number, h: EdfHeader, k: number, annots: EdfSignalHeader[]): Uint8Array[] {
  const bps = h.bytesPerSample;
  const lo = Math.min(...annots.map((s) => s.byteOffset));
  const hi = Math.max(...annots.map((s) => s.byteOffset + s.samplesPerRecord * bps));
  const got = readAt(fd, h.headerBytes + k * h.recordBytes + lo, hi - lo);
  if (got.length !== hi - lo) throw new InputError(h.path, `truncated data: record ${k + 1} is cut short`);
  return annots.map((s) => got.subarray(s.byteOffset - lo, s.byteOffset - lo + s.samplesPerRecord * bps));
}

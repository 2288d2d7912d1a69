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

/**
 * Call `visit(buf, first, count)` for records [k0, k1) read in chunks, where
 * buf holds `count` whole records starting with record `first`.
 */
export function forEachRecordChunk(
  fd: number,
  h: EdfHeader,
  k0: number,
  k1: number,
  visit: (buf: Uint8Array, first: number, count: number) => void,
): void {
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / h.recordBytes));
  let buf = new Uint8Array(0);
  for (let k = k0; k < k1; k += perChunk) {
    const count = Math.min(perChunk, k1 - k);
    const len = count * h.recordBytes;
    if (buf.length !== len) buf = new Uint8Array(len);
    const pos = h.headerBytes + k * h.recordBytes;
    let got = 0;
    while (got < len) {
      const n = fs.readSync(fd, buf, got, len - got, pos + got);
      // The size check in the header makes this unreachable unless the file shrinks under us.
      if (n === 0) throw new InputError(h.path, `truncated data: record ${k + 1} is cut short`);
      got += n;
    }
    visit(buf, k, count);
  }
}

/**
 * Decode samples [s0, s1) of signal `sig` in the record starting at byte `rec`
 * of `buf` into out[o…] as physical values (float64 math, float32 store).
 */
export function decodeInto(
  buf: Uint8Array,
  rec: number,
  sig: EdfSignalHeader,
  bytesPerSample: number,
  s0: number,
  s1: number,
  out: Float32Array,
  o: number,
): void {
  const g = sig.gain;
  const off = sig.offset;
  if (bytesPerSample === 3) {
    let p = rec + sig.byteOffset + 3 * s0;
    for (let i = s0; i < s1; i++, p += 3) {
      // Shift up into the sign bit and back down to sign-extend 24 → 32 bits.
      const v = ((buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16)) << 8) >> 8;
      out[o++] = v * g + off;
    }
  } else {
    let p = rec + sig.byteOffset + 2 * s0;
    for (let i = s0; i < s1; i++, p += 2) {
      const v = ((buf[p] | (buf[p + 1] << 8)) << 16) >> 16;
      out[o++] = v * g + off;
    }
  }
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

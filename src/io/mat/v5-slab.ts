/**
 * One slab along the last axis of a compressed (miCOMPRESSED) real numeric
 * variable, read by inflating the zlib stream only up to the end of that
 * slab and keeping only its bytes. In column-major order the last axis is
 * the slowest, so participant k of NMED-T's electrodes × time × participants
 * array is one contiguous byte range: memory stays at one slab instead of
 * the whole 700 MB array, and early slabs stop the inflation early.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { InputError } from '../../core/errors.js';
import { SyncZlib } from '../nifti/zlib-sync.js';
import { MI, miName, readU32, toClass, typedData } from './v5-elements.js';
import type { ArrayHeader } from './v5-array.js';
import { numel, type MatNumeric } from './types.js';

const CHUNK = 1 << 20;
const ELEMENT_BYTES: Record<number, number> = {
  [MI.INT8]: 1,
  [MI.UINT8]: 1,
  [MI.INT16]: 2,
  [MI.UINT16]: 2,
  [MI.INT32]: 4,
  [MI.UINT32]: 4,
  [MI.SINGLE]: 4,
  [MI.DOUBLE]: 8,
  [MI.INT64]: 8,
  [MI.UINT64]: 8,
};

/**
 * Slab `index` of the compressed variable whose zlib stream is `nbytes` at
 * `pos` of `fd`; `h` is its array header (from the directory). Returns null
 * when the layout does not allow a partial read (complex or non-numeric
 * data, or real data in a small data element), so the caller reads it whole.
 */
export function readCompressedSlab(fd: number, pos: number, nbytes: number, h: ArrayHeader, le: boolean, index: number, where: string): MatNumeric | null {
  if (h.complex || h.class === 'char' || h.class === 'cell' || h.class === 'struct') return null;
  const cls = h.class;
  const last = h.shape[h.shape.length - 1];
  if (index < 0 || index >= last) throw new InputError(where, `index ${index + 1} is beyond the last dimension (${last})`);
  const slabValues = numel(h.shape) / last;
  // Stream layout: miMATRIX tag (8) | array header (bodyStart) | real-part tag (8) | values…
  const tagAt = 8 + h.bodyStart;
  const engine = new SyncZlib(zlib.createInflate());
  let head = Buffer.alloc(0);
  let out: Buffer | null = null;
  let from = 0;
  let to = 0;
  let type = 0;
  let produced = 0;
  try {
    for (let off = 0; off < nbytes && (out === null || produced < to); off += CHUNK) {
      const n = Math.min(CHUNK, nbytes - off);
      const chunk = Buffer.alloc(n);
      if (fs.readSync(fd, chunk, 0, n, pos + off) !== n) throw new InputError(where, 'truncated file');
      let piece: Buffer;
      try {
        piece = engine.process(chunk, zlib.constants.Z_SYNC_FLUSH);
      } catch (e) {
        throw new InputError(where, `corrupt compressed data (${e instanceof Error ? e.message : String(e)})`);
      }
      const start = produced;
      produced += piece.length;
      if (out === null) {
        head = Buffer.concat([head, piece]);
        if (head.length < tagAt + 8) continue;
        const first = readU32(head, tagAt, le);
        if (first >>> 16 !== 0) return null; // small data element: a tiny array, read whole
        type = first;
        const size = ELEMENT_BYTES[type];
        if (!size) throw new InputError(where, `${miName(type)} where numeric data was expected`);
        if (readU32(head, tagAt + 4, le) !== size * slabValues * last)
          throw new InputError(where, `numeric data of ${readU32(head, tagAt + 4, le)} bytes for shape [${h.shape.join(', ')}]`);
        from = tagAt + 8 + index * slabValues * size;
        to = from + slabValues * size;
        out = Buffer.alloc(to - from);
        copyRange(head, 0, out, from, to);
        head = Buffer.alloc(0);
      } else copyRange(piece, start, out, from, to);
    }
  } finally {
    engine.close();
  }
  if (out === null || produced < to) throw new InputError(where, 'compressed data end before the array does (truncated?)');
  const data = toClass(typedData({ type, data: out, next: 0 }, le, where), cls);
  return { kind: 'numeric', class: cls, shape: [...h.shape.slice(0, -1), 1], data, imag: null };
}

/** Copy the part of `piece` (stream bytes [start, start + length)) that falls in [from, to) into `out`. */
function copyRange(piece: Buffer, start: number, out: Buffer, from: number, to: number): void {
  const a = Math.max(from, start);
  const b = Math.min(to, start + piece.length);
  if (b > a) piece.copy(out, a - from, a - start, b - start);
}

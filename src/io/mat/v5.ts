/**
 * Level 5 MAT-files (MATLAB v5 to v7, scipy.io.savemat): a 128-byte header,
 * then one data element per variable, miMATRIX or zlib-compressed
 * (miCOMPRESSED, v7). Opening reads only each variable's tag and the first
 * bytes of its array header (for a compressed one, the few KB of zlib stream
 * that hold it), so listing a 700 MB file costs a few reads; a variable's
 * data are read and inflated when asked for.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { InputError } from '../../core/errors.js';
import { MI, miName, readElement, readU32 } from './v5-elements.js';
import { arrayHeader, decodeArray, type ArrayHeader } from './v5-array.js';
import { slabOf } from './view.js';
import { readCompressedSlab } from './v5-slab.js';
import type { MatFile, MatValue, MatVariableInfo } from './types.js';

export const HEADER_BYTES = 128;
/** Compressed bytes inflated to learn a compressed variable's header (its name and dimensions sit at the start). */
const PEEK_BYTES = 4096;

interface Entry {
  info: MatVariableInfo;
  header: ArrayHeader;
  offset: number;
  nbytes: number;
  type: number;
}

export interface V5Header {
  description: string;
  le: boolean;
  version: number;
}

/** Parse the 128-byte header; null when the bytes are not a Level 5 MAT-file header. */
export function parseV5Header(head: Buffer): V5Header | null {
  if (head.length < HEADER_BYTES) return null;
  const mark = head.subarray(126, 128).toString('latin1');
  if (mark !== 'IM' && mark !== 'MI') return null;
  const le = mark === 'IM';
  const version = le ? head.readUInt16LE(124) : head.readUInt16BE(124);
  return {
    description: head
      .subarray(0, 116)
      .toString('latin1')
      .replace(/[\0 ]+$/, ''),
    le,
    version,
  };
}

function readAt(fd: number, pos: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    const r = fs.readSync(fd, b, got, n - got, pos + got);
    if (r === 0) break;
    got += r;
  }
  return got === n ? b : b.subarray(0, got);
}

function inflate(data: Buffer, where: string, partial: boolean): Buffer {
  try {
    return zlib.inflateSync(data, partial ? { finishFlush: zlib.constants.Z_SYNC_FLUSH } : {});
  } catch (e) {
    throw new InputError(where, `corrupt compressed data (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Header of a compressed variable: inflate a prefix, and the whole stream only if the prefix is too short. */
function compressedHeader(fd: number, pos: number, nbytes: number, le: boolean, where: string): ArrayHeader {
  const attempt = (buf: Buffer, last: boolean): ArrayHeader | null => {
    try {
      if (buf.length < 8) throw new InputError(where, 'compressed variable is empty');
      const type = readU32(buf, 0, le);
      if (type !== MI.MATRIX) throw new InputError(where, `compressed element holds ${miName(type)}, expected miMATRIX`);
      return arrayHeader(buf.subarray(8, 8 + readU32(buf, 4, le)), le, where);
    } catch (e) {
      if (last) throw e;
      return null;
    }
  };
  if (nbytes > PEEK_BYTES) {
    const h = attempt(inflate(readAt(fd, pos, PEEK_BYTES), where, true), false);
    if (h) return h;
  }
  const h = attempt(inflate(readAt(fd, pos, nbytes), where, nbytes > PEEK_BYTES), true);
  if (!h) throw new InputError(where, 'unreadable compressed variable header');
  return h;
}

/** Open a Level 5 MAT-file: header and variable directory now, data on `read`. */
export function openMatV5(path: string): MatFile {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    throw new InputError(path, 'cannot open file');
  }
  try {
    const size = fs.fstatSync(fd).size;
    const h = parseV5Header(readAt(fd, 0, HEADER_BYTES));
    if (!h)
      throw new InputError(path, size < HEADER_BYTES ? `too short for a MAT-file (${size} bytes)` : 'not a MAT-file (no IM/MI byte-order mark at byte 126)');
    if (h.version !== 0x0100) throw new InputError(path, `unknown MAT-file version 0x${h.version.toString(16)} (expected 0x0100)`);
    const entries: Entry[] = [];
    let off = HEADER_BYTES;
    while (off < size) {
      const tagBuf = readAt(fd, off, 8);
      if (tagBuf.length < 8) {
        if (tagBuf.every((b) => b === 0)) break; // trailing alignment padding
        throw new InputError(path, `truncated data element tag at byte ${off}`);
      }
      const type = readU32(tagBuf, 0, h.le);
      const nbytes = readU32(tagBuf, 4, h.le);
      const where = `${path}: variable ${entries.length + 1}`;
      if (type >>> 16 !== 0) throw new InputError(where, `bad top-level data element at byte ${off}`);
      if (off + 8 + nbytes > size) throw new InputError(where, `declares ${nbytes} bytes at byte ${off} but the file ends at ${size} (truncated file?)`);
      if (type === MI.MATRIX || type === MI.COMPRESSED) {
        const ah =
          type === MI.MATRIX ? arrayHeader(readAt(fd, off + 8, Math.min(nbytes, PEEK_BYTES)), h.le, where) : compressedHeader(fd, off + 8, nbytes, h.le, where);
        entries.push({
          info: {
            name: ah.name,
            class: ah.class,
            shape: ah.shape,
            complex: ah.complex,
            global: ah.global,
            storedBytes: nbytes,
            compressed: type === MI.COMPRESSED,
          },
          header: ah,
          offset: off + 8,
          nbytes,
          type,
        });
      }
      // Compressed elements are not padded (MATLAB and scipy both write them back to back).
      off += 8 + (type === MI.COMPRESSED ? nbytes : (nbytes + 7) & ~7);
    }
    const byName = new Map(entries.map((e) => [e.info.name, e]));
    let open = true;
    return {
      path,
      version: '5',
      description: h.description,
      byteOrder: h.le ? 'little' : 'big',
      variables: entries.map((e) => e.info),
      read(name: string): MatValue {
        const e = byName.get(name);
        if (!e) throw new InputError(path, `no variable "${name}" (has ${[...byName.keys()].join(', ') || 'none'})`);
        if (!open) throw new Error(`${path} is closed`);
        const where = `${path}: ${name}`;
        let raw = readAt(fd, e.offset, e.nbytes);
        if (raw.length < e.nbytes) throw new InputError(where, 'truncated file');
        if (e.type === MI.COMPRESSED) {
          const inner = inflate(raw, where, false);
          const el = readElement(inner, 0, h.le, where);
          if (el.type !== MI.MATRIX) throw new InputError(where, `compressed element holds ${miName(el.type)}, expected miMATRIX`);
          raw = el.data;
        }
        return decodeArray(raw, h.le, where).value;
      },
      readSlab(name: string, index: number): MatValue {
        const e = byName.get(name);
        const where = `${path}: ${name}`;
        const partial = e && e.type === MI.COMPRESSED && open ? readCompressedSlab(fd, e.offset, e.nbytes, e.header, h.le, index, where) : null;
        return partial ?? slabOf(this.read(name), index, where);
      },
      close() {
        if (open) fs.closeSync(fd);
        open = false;
      },
    };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

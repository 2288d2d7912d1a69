/**
 * Level 5 MAT-file data elements: the 8-byte tag (or the 4-byte "small data
 * element" form that packs up to 4 bytes of data into the tag) and the
 * conversion of an element's bytes into a typed array of its miTYPE, in
 * either byte order.
 */
import * as os from 'node:os';
import { InputError } from '../../core/errors.js';
import type { MatNumericClass, MatNumericData } from './types.js';

export const MI = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
  UTF8: 16,
  UTF16: 17,
  UTF32: 18,
} as const;

export interface Element {
  type: number;
  /** The element's data bytes (a view into the parent buffer). */
  data: Buffer;
  /** Offset just past the element and its padding. */
  next: number;
}

export function readU32(buf: Buffer, off: number, le: boolean): number {
  return le ? buf.readUInt32LE(off) : buf.readUInt32BE(off);
}

/**
 * The element at `off` inside `buf` (sub-elements are padded to 8 bytes).
 * Throws a one-line InputError when the tag or the data run past the end.
 */
export function readElement(buf: Buffer, off: number, le: boolean, where: string): Element {
  if (off + 8 > buf.length) throw new InputError(where, `data element at byte ${off} is truncated (tag needs 8 bytes, ${buf.length - off} left)`);
  const first = readU32(buf, off, le);
  if (first >>> 16 !== 0) {
    // Small data element: 2 bytes of size and 2 of type in one word, data in the next 4 bytes.
    const n = first >>> 16;
    const type = first & 0xffff;
    if (n > 4) throw new InputError(where, `bad small data element at byte ${off} (size ${n} > 4)`);
    return { type, data: buf.subarray(off + 4, off + 4 + n), next: off + 8 };
  }
  const n = readU32(buf, off + 4, le);
  const end = off + 8 + n;
  if (end > buf.length)
    throw new InputError(where, `data element at byte ${off} declares ${n} bytes but only ${buf.length - off - 8} remain (truncated file?)`);
  return { type: first, data: buf.subarray(off + 8, end), next: Math.min(buf.length, off + 8 + ((n + 7) & ~7)) };
}

type Ctor = { new (b: ArrayBuffer): MatNumericData; readonly BYTES_PER_ELEMENT: number };

const NUMERIC_MI: Record<number, Ctor> = {
  [MI.INT8]: Int8Array,
  [MI.UINT8]: Uint8Array,
  [MI.INT16]: Int16Array,
  [MI.UINT16]: Uint16Array,
  [MI.INT32]: Int32Array,
  [MI.UINT32]: Uint32Array,
  [MI.SINGLE]: Float32Array,
  [MI.DOUBLE]: Float64Array,
  [MI.INT64]: BigInt64Array,
  [MI.UINT64]: BigUint64Array,
  [MI.UTF8]: Uint8Array,
  [MI.UTF16]: Uint16Array,
  [MI.UTF32]: Uint32Array,
};

export function miName(type: number): string {
  const names: Record<number, string> = {
    1: 'miINT8',
    2: 'miUINT8',
    3: 'miINT16',
    4: 'miUINT16',
    5: 'miINT32',
    6: 'miUINT32',
    7: 'miSINGLE',
    9: 'miDOUBLE',
    12: 'miINT64',
    13: 'miUINT64',
    14: 'miMATRIX',
    15: 'miCOMPRESSED',
    16: 'miUTF8',
    17: 'miUTF16',
    18: 'miUTF32',
  };
  return names[type] ?? `type ${type}`;
}

const HOST_LE = os.endianness() === 'LE';

/**
 * The element's data as a typed array of its own miTYPE in host order. When
 * the bytes are already in host order and aligned (the usual case: elements
 * are 8-byte padded inside a freshly read or inflated buffer) this is a view,
 * not a copy, so a 700 MB NMED-T array is not held twice.
 */
export function typedData(el: Element, le: boolean, where: string): MatNumericData {
  const C = NUMERIC_MI[el.type];
  if (!C) throw new InputError(where, `${miName(el.type)} where numeric data was expected`);
  const size = C.BYTES_PER_ELEMENT;
  if (el.data.length % size !== 0)
    throw new InputError(where, `${miName(el.type)} data of ${el.data.length} bytes is not a whole number of ${size}-byte values`);
  if (le === HOST_LE && el.data.byteOffset % size === 0)
    return new (C as unknown as { new (b: ArrayBufferLike, o: number, n: number): MatNumericData })(el.data.buffer, el.data.byteOffset, el.data.length / size);
  const copy = Buffer.from(el.data);
  if (!le && size > 1) {
    if (size === 2) copy.swap16();
    else if (size === 4) copy.swap32();
    else copy.swap64();
  }
  return new C(copy.buffer.slice(copy.byteOffset, copy.byteOffset + copy.length));
}

const CLASS_CTOR: Record<MatNumericClass | 'logical', { from(a: ArrayLike<number>): MatNumericData }> = {
  double: Float64Array,
  single: Float32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: { from: (a) => BigInt64Array.from(Array.from(a, (v) => BigInt(v))) },
  uint64: { from: (a) => BigUint64Array.from(Array.from(a, (v) => BigInt(v))) },
  logical: Uint8Array,
};

const CLASS_OF_CTOR = new Map<unknown, MatNumericClass>([
  [Float64Array, 'double'],
  [Float32Array, 'single'],
  [Int8Array, 'int8'],
  [Uint8Array, 'uint8'],
  [Int16Array, 'int16'],
  [Uint16Array, 'uint16'],
  [Int32Array, 'int32'],
  [Uint32Array, 'uint32'],
  [BigInt64Array, 'int64'],
  [BigUint64Array, 'uint64'],
]);

/**
 * Widen stored values to the array's class. MATLAB saves e.g. a double array
 * of small integers as miUINT8 to save space; the class is what it loads as.
 */
export function toClass(arr: MatNumericData, cls: MatNumericClass | 'logical'): MatNumericData {
  if (cls !== 'logical' && CLASS_OF_CTOR.get(arr.constructor) === cls) return arr;
  if (cls === 'logical' && arr instanceof Uint8Array) return arr;
  const asNumbers: ArrayLike<number> = arr instanceof BigInt64Array || arr instanceof BigUint64Array ? Array.from(arr, (v) => Number(v)) : arr;
  return CLASS_CTOR[cls].from(asNumbers);
}

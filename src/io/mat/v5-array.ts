/**
 * miMATRIX elements of a Level 5 MAT-file: the array header (flags, class,
 * dimensions, name) and the decoding of numeric, logical, char, cell and
 * struct arrays into MatValues. Sparse arrays, objects, function handles and
 * MATLAB's opaque classes (string, table, …) are refused with one line.
 */
import { InputError } from '../../core/errors.js';
import { MI, miName, readElement, readU32, toClass, typedData, type Element } from './v5-elements.js';
import { numel, type MatClass, type MatNumericClass, type MatValue } from './types.js';

const CLASS_BY_CODE: Record<number, MatClass> = {
  1: 'cell',
  2: 'struct',
  4: 'char',
  6: 'double',
  7: 'single',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
};
const UNSUPPORTED: Record<number, string> = { 3: 'object', 5: 'sparse', 16: 'function handle', 17: 'opaque (string, table, …)' };

export interface ArrayHeader {
  class: MatClass;
  complex: boolean;
  global: boolean;
  shape: number[];
  name: string;
  /** Offset (inside the miMATRIX data) of the first element after the name. */
  bodyStart: number;
}

/** Flags, dimensions and name of a miMATRIX whose data bytes are `buf` (a prefix is enough). */
export function arrayHeader(buf: Buffer, le: boolean, where: string): ArrayHeader {
  const flags = readElement(buf, 0, le, where);
  if (flags.type !== MI.UINT32 || flags.data.length !== 8)
    throw new InputError(where, `array flags are ${miName(flags.type)} of ${flags.data.length} bytes, expected 8 bytes of miUINT32`);
  const word = readU32(flags.data, 0, le);
  const code = word & 0xff;
  const bits = (word >>> 8) & 0xff;
  if (UNSUPPORTED[code]) throw new InputError(where, `${UNSUPPORTED[code]} arrays are not supported`);
  const cls0 = CLASS_BY_CODE[code];
  if (!cls0) throw new InputError(where, `unknown array class code ${code}`);
  const logical = (bits & 0x02) !== 0;
  const dimsEl = readElement(buf, flags.next, le, where);
  if (dimsEl.type !== MI.INT32) throw new InputError(where, `array dimensions are ${miName(dimsEl.type)}, expected miINT32`);
  const dims = Array.from(typedData(dimsEl, le, where) as Int32Array);
  if (dims.length < 2 || dims.some((d) => d < 0)) throw new InputError(where, `bad array dimensions [${dims.join(', ')}]`);
  const nameEl = readElement(buf, dimsEl.next, le, where);
  if (nameEl.type !== MI.INT8 && nameEl.type !== MI.UINT8) throw new InputError(where, `array name is ${miName(nameEl.type)}, expected miINT8`);
  return {
    class: logical ? 'logical' : cls0,
    complex: (bits & 0x08) !== 0,
    global: (bits & 0x04) !== 0,
    shape: dims,
    name: nameEl.data.toString('latin1'),
    bodyStart: nameEl.next,
  };
}

function decodeChars(el: Element | null, le: boolean, where: string): number[] {
  if (!el) return [];
  if (el.type === MI.UTF8) return Array.from(new TextDecoder('utf-8').decode(el.data), (c) => c.codePointAt(0) ?? 0);
  const codes = typedData(el, le, where);
  if (codes instanceof Float32Array || codes instanceof Float64Array || codes instanceof BigInt64Array || codes instanceof BigUint64Array) {
    throw new InputError(where, `char data stored as ${miName(el.type)}`);
  }
  return el.type === MI.UTF16 ? Array.from(new TextDecoder('utf-16le').decode(Uint16Array.from(codes)), (c) => c.codePointAt(0) ?? 0) : Array.from(codes);
}

/** Rows of a column-major char matrix (rows × everything else). */
function charRows(codes: number[], shape: number[]): string[] {
  const rows = shape[0];
  const cols = rows === 0 ? 0 : numel(shape) / rows;
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    let s = '';
    for (let c = 0; c < cols; c++) s += String.fromCodePoint(codes[r + rows * c]);
    out.push(s);
  }
  return out;
}

/** Decode the data bytes of one miMATRIX element (an empty element is MATLAB's `[]`). */
export function decodeArray(buf: Buffer, le: boolean, where: string): { name: string; value: MatValue } {
  if (buf.length === 0) return { name: '', value: { kind: 'numeric', class: 'double', shape: [0, 0], data: new Float64Array(0), imag: null } };
  const h = arrayHeader(buf, le, where);
  const n = numel(h.shape);
  const at = `${where}: ${h.name || 'element'}`;
  const sub = (off: number): Element | null => (off < buf.length ? readElement(buf, off, le, at) : null);
  const nested = (off: number): { value: MatValue; next: number } => {
    const el = sub(off);
    if (!el || el.type !== MI.MATRIX) throw new InputError(at, `expected a nested miMATRIX, found ${el ? miName(el.type) : 'the end of the array'}`);
    return { value: decodeArray(el.data, le, at).value, next: el.next };
  };
  switch (h.class) {
    case 'char': {
      const codes = decodeChars(sub(h.bodyStart), le, at);
      if (codes.length !== n) throw new InputError(at, `char array of ${n} characters holds ${codes.length}`);
      return { name: h.name, value: { kind: 'char', class: 'char', shape: h.shape, rows: charRows(codes, h.shape) } };
    }
    case 'cell': {
      const cells: MatValue[] = [];
      let off = h.bodyStart;
      for (let i = 0; i < n; i++) {
        const c = nested(off);
        cells.push(c.value);
        off = c.next;
      }
      return { name: h.name, value: { kind: 'cell', class: 'cell', shape: h.shape, cells } };
    }
    case 'struct': {
      const lenEl = sub(h.bodyStart);
      if (!lenEl || lenEl.type !== MI.INT32 || lenEl.data.length !== 4) throw new InputError(at, 'struct lacks its field-name length');
      const len = readU32(lenEl.data, 0, le);
      const namesEl = sub(lenEl.next);
      if (!namesEl || (namesEl.type !== MI.INT8 && namesEl.type !== MI.UINT8)) throw new InputError(at, 'struct lacks its field names');
      if (len === 0 || namesEl.data.length % len !== 0)
        throw new InputError(at, `struct field names of ${namesEl.data.length} bytes are not a multiple of ${len}`);
      const fields: string[] = [];
      for (let o = 0; o < namesEl.data.length; o += len)
        fields.push(
          namesEl.data
            .subarray(o, o + len)
            .toString('latin1')
            .replace(/\0.*$/s, ''),
        );
      const elements: Record<string, MatValue>[] = [];
      let off = namesEl.next;
      for (let i = 0; i < n; i++) {
        const rec: Record<string, MatValue> = {};
        for (const f of fields) {
          const c = nested(off);
          rec[f] = c.value;
          off = c.next;
        }
        elements.push(rec);
      }
      return { name: h.name, value: { kind: 'struct', class: 'struct', shape: h.shape, fields, elements } };
    }
    default: {
      const cls: MatNumericClass | 'logical' = h.class;
      const realEl = sub(h.bodyStart);
      if (!realEl) throw new InputError(at, 'numeric array lacks its data');
      const data = toClass(typedData(realEl, le, at), cls);
      if (data.length !== n) throw new InputError(at, `array of shape [${h.shape.join(', ')}] holds ${data.length} values`);
      let imag = null;
      if (h.complex) {
        const imEl = sub(realEl.next);
        if (!imEl) throw new InputError(at, 'complex array lacks its imaginary part');
        imag = toClass(typedData(imEl, le, at), cls);
        if (imag.length !== n) throw new InputError(at, `imaginary part holds ${imag.length} values, expected ${n}`);
      }
      return { name: h.name, value: { kind: 'numeric', class: cls, shape: h.shape, data, imag } };
    }
  }
}

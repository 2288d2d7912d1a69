/**
 * Convenience views over decoded MATLAB values: the row-major (C order)
 * copy numpy users expect, float64 conversion, and the narrowing helpers a
 * dataset reader needs (a numeric array, a scalar, a string, a cell of
 * strings), each failing with one line that names the variable.
 */
import { InputError } from '../../core/errors.js';
import { numel, type MatNumeric, type MatNumericData, type MatValue } from './types.js';

/** Strides of a column-major array of `shape`. */
function fortranStrides(shape: readonly number[]): number[] {
  const s: number[] = [];
  let acc = 1;
  for (const d of shape) {
    s.push(acc);
    acc *= d;
  }
  return s;
}

/**
 * The array's values in row-major (C) order for the same MATLAB shape, as
 * `numpy.asarray(scipy.io.loadmat(f)[name])` would hold them. A new array
 * of the same type.
 */
export function rowMajor<T extends MatNumericData>(data: T, shape: readonly number[]): T {
  const n = numel(shape);
  if (data.length !== n) throw new Error(`rowMajor: ${data.length} values for shape [${shape.join(', ')}]`);
  const out = data.slice(0, 0) as T;
  const res = new (out.constructor as { new (n: number): T })(n);
  const fs = fortranStrides(shape);
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let k = 0; k < nd; k++) src += idx[k] * fs[k];
    res[i] = data[src];
    // Advance the C-order multi-index (last axis fastest).
    for (let k = nd - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return res;
}

/** The values as float64 (64-bit integers beyond 2^53 lose precision, as in numpy's astype(float)). */
export function toFloat64(data: MatNumericData): Float64Array {
  if (data instanceof Float64Array) return data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float64Array.from(data, (v) => Number(v));
  return Float64Array.from(data);
}

/** `value` as a real numeric array, or an InputError naming `where`. */
export function expectNumeric(value: MatValue, where: string): MatNumeric {
  if (value.kind !== 'numeric') throw new InputError(where, `is a ${value.class} array, expected a numeric one`);
  if (value.imag) throw new InputError(where, 'is complex, expected real values');
  return value;
}

/** A one-element numeric array as a number. */
export function expectScalar(value: MatValue, where: string): number {
  const v = expectNumeric(value, where);
  if (v.data.length !== 1) throw new InputError(where, `has ${v.data.length} values, expected one`);
  return toFloat64(v.data)[0];
}

/** A char row vector as a string (a char matrix's rows joined by newlines). */
export function expectString(value: MatValue, where: string): string {
  if (value.kind !== 'char') throw new InputError(where, `is a ${value.class} array, expected text`);
  return value.rows.join('\n');
}

/** A cell array of strings (or a char matrix, one string per row), in column-major order. */
export function expectStrings(value: MatValue, where: string): string[] {
  if (value.kind === 'char') return value.rows;
  if (value.kind !== 'cell') throw new InputError(where, `is a ${value.class} array, expected a cell array of text`);
  return value.cells.map((c, i) => expectString(c, `${where}{${i + 1}}`));
}

/** The index-th slab along the last MATLAB axis of a decoded numeric array (contiguous in column-major order). */
export function slabOf(v: MatValue, index: number, where: string): MatValue {
  if (v.kind !== 'numeric') throw new InputError(where, `is a ${v.class} array, expected a numeric one`);
  const last = v.shape[v.shape.length - 1];
  if (index < 0 || index >= last) throw new InputError(where, `index ${index + 1} is beyond the last dimension (${last})`);
  const size = last === 0 ? 0 : v.data.length / last;
  return {
    kind: 'numeric',
    class: v.class,
    shape: [...v.shape.slice(0, -1), 1],
    data: v.data.slice(index * size, (index + 1) * size),
    imag: v.imag ? v.imag.slice(index * size, (index + 1) * size) : null,
  };
}

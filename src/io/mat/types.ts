/**
 * The typed view of a MATLAB file that both readers (v5 and v7.3/HDF5)
 * produce. Arrays keep MATLAB's column-major order and shape; view.ts gives
 * the row-major (C order) copy numpy users expect.
 */

/** MATLAB array classes brainalign reads. */
export type MatNumericClass = 'double' | 'single' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64';
export type MatClass = MatNumericClass | 'logical' | 'char' | 'cell' | 'struct';

export type MatNumericData =
  | Float64Array
  | Float32Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** A numeric or logical array. `data` holds the real part in column-major order; logical data are 0/1 in a Uint8Array. */
export interface MatNumeric {
  kind: 'numeric';
  class: MatNumericClass | 'logical';
  /** MATLAB dimensions (at least two, as MATLAB keeps them). */
  shape: number[];
  data: MatNumericData;
  /** Imaginary part, same type and order as `data`, or null for real arrays. */
  imag: MatNumericData | null;
}

/** A char array: `rows` are its rows as strings (MATLAB's char matrix is column-major, one string per row). */
export interface MatChar {
  kind: 'char';
  class: 'char';
  shape: number[];
  rows: string[];
}

/** A cell array: elements in column-major order. */
export interface MatCell {
  kind: 'cell';
  class: 'cell';
  shape: number[];
  cells: MatValue[];
}

/** A struct array: one record of fields per element, elements in column-major order. */
export interface MatStruct {
  kind: 'struct';
  class: 'struct';
  shape: number[];
  fields: string[];
  elements: Record<string, MatValue>[];
}

export type MatValue = MatNumeric | MatChar | MatCell | MatStruct;

/** One entry of a file's variable directory: known without decoding the data. */
export interface MatVariableInfo {
  name: string;
  class: MatClass;
  shape: number[];
  complex: boolean;
  global: boolean;
  /** Bytes the variable occupies in the file (compressed size for miCOMPRESSED, dataset storage for HDF5). */
  storedBytes: number;
  compressed: boolean;
}

/** An opened MATLAB file: its header and directory now, each variable's data when asked. */
export interface MatFile {
  path: string;
  /** "5" (Level 5 MAT-file, MATLAB v5–v7) or "7.3" (HDF5). */
  version: '5' | '7.3';
  /** The 116-byte descriptive text of the header, trimmed. */
  description: string;
  byteOrder: 'little' | 'big';
  variables: MatVariableInfo[];
  /** Decode one variable; throws InputError when absent or corrupt. */
  read(name: string): MatValue;
  /**
   * The index-th (0-based) slab along the variable's last MATLAB axis, e.g.
   * one participant of NMED-T's electrodes × time × participants array; the
   * last axis is the slowest in column-major order, so a slab is contiguous
   * and HDF5 reads only it.
   */
  readSlab(name: string, index: number): MatValue;
  /** Release the file handle. */
  close(): void;
}

/** Element count of a MATLAB shape. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

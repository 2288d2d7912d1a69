/**
 * MATLAB v7.3 MAT-files: HDF5 with a 512-byte user block holding the usual
 * MATLAB header text. Read through h5wasm (HDF5 compiled to WebAssembly,
 * which opens a real path in Node). MATLAB's conventions on top of HDF5:
 *  - every variable carries a MATLAB_class attribute (double, char, cell, …);
 *  - arrays are written in column-major order, so the HDF5 shape is the
 *    MATLAB shape reversed and the bytes need no reordering;
 *  - char is uint16 code units, logical is uint8;
 *  - a cell is a dataset of object references into the #refs# group;
 *  - a scalar struct is a group with one member per field; a struct array
 *    has one dataset of references per field;
 *  - an empty array is stored as its dimensions, flagged MATLAB_empty = 1.
 * Sparse and complex arrays and MATLAB objects are refused with one line.
 */
import * as fs from 'node:fs';
import { InputError } from '../../core/errors.js';
import { numel, type MatClass, type MatFile, type MatNumericData, type MatValue, type MatVariableInfo } from './types.js';
import { toClass } from './v5-elements.js';
import { slabOf } from './view.js';
import { checkSuperblock, loadH5, quietly, type H5, type H5Dataset, type H5File, type H5Group } from './hdf5.js';

const CLASSES = new Set<MatClass>([
  'double',
  'single',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'logical',
  'char',
  'cell',
  'struct',
]);

function attrText(obj: H5Dataset | H5Group, name: string): string | null {
  const a = obj.attrs[name];
  if (!a) return null;
  const v = a.value;
  return typeof v === 'string' ? v : v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : null;
}

function matClass(obj: H5Dataset | H5Group, where: string): MatClass {
  const c = attrText(obj, 'MATLAB_class');
  if (c === null) throw new InputError(where, 'has no MATLAB_class attribute (not written by MATLAB?)');
  if (obj.attrs.MATLAB_sparse) throw new InputError(where, 'sparse arrays are not supported');
  if (!CLASSES.has(c as MatClass)) throw new InputError(where, `MATLAB class "${c}" is not supported`);
  return c as MatClass;
}

/** MATLAB shape of an HDF5 dataset: its dimensions reversed (at least two, as MATLAB keeps them). */
function matShape(ds: H5Dataset): number[] {
  if (ds.attrs.MATLAB_empty) {
    const v = ds.value;
    const dims = v && typeof v === 'object' && 'length' in v ? Array.from(v as ArrayLike<number | bigint>, (x) => Number(x)).reverse() : [];
    return dims.length >= 2 && numel(dims) === 0 ? dims : [0, 0];
  }
  const s = [...(ds.shape ?? [])].reverse();
  while (s.length < 2) s.push(1);
  return s;
}

function isDataset(e: unknown, h: H5): e is H5Dataset {
  return e instanceof h.Dataset;
}
function isGroup(e: unknown, h: H5): e is H5Group {
  return e instanceof h.Group;
}

function numericData(v: unknown, where: string): MatNumericData {
  if (
    v instanceof Float64Array ||
    v instanceof Float32Array ||
    v instanceof Int8Array ||
    v instanceof Uint8Array ||
    v instanceof Int16Array ||
    v instanceof Uint16Array ||
    v instanceof Int32Array ||
    v instanceof Uint32Array ||
    v instanceof BigInt64Array ||
    v instanceof BigUint64Array
  )
    return v;
  throw new InputError(where, 'holds compound or non-numeric HDF5 data (complex arrays are not supported)');
}

function charRows(codes: ArrayLike<number>, shape: number[]): string[] {
  const rows = shape[0];
  const cols = rows === 0 ? 0 : numel(shape) / rows;
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    let s = '';
    for (let c = 0; c < cols; c++) s += String.fromCharCode(codes[r + rows * c]);
    out.push(s);
  }
  return out;
}

/** Decode one HDF5 object that MATLAB wrote as a variable (or a cell element). */
function decode(h: H5, file: H5File, obj: H5Dataset | H5Group, where: string): MatValue {
  const cls = matClass(obj, where);
  if (isGroup(obj, h)) {
    if (cls !== 'struct') throw new InputError(where, `a group of MATLAB class ${cls} (only structs are groups)`);
    const fields = obj.keys();
    const members = fields.map((f) => obj.get(f));
    // A struct array stores, per field, a dataset of references with one per element.
    const first = members[0];
    const isArray = first !== undefined && isDataset(first, h) && !first.attrs.MATLAB_class && first.metadata.type === 7;
    if (!isArray) {
      const rec: Record<string, MatValue> = {};
      fields.forEach((f, i) => {
        const m = members[i];
        if (!isDataset(m, h) && !isGroup(m, h)) throw new InputError(`${where}.${f}`, 'is not a dataset or group');
        rec[f] = decode(h, file, m, `${where}.${f}`);
      });
      return { kind: 'struct', class: 'struct', shape: [1, 1], fields, elements: [rec] };
    }
    const shape = matShape(first);
    const elements: Record<string, MatValue>[] = Array.from({ length: numel(shape) }, () => ({}));
    fields.forEach((f, i) => {
      const m = members[i];
      if (!isDataset(m, h)) throw new InputError(`${where}.${f}`, 'is not a dataset of references');
      derefAll(h, file, m, `${where}.${f}`).forEach((v, k) => {
        elements[k][f] = v;
      });
    });
    return { kind: 'struct', class: 'struct', shape, fields, elements };
  }
  const shape = matShape(obj);
  if (cls === 'struct') throw new InputError(where, 'struct stored as a dataset');
  if (cls === 'cell') {
    if (numel(shape) === 0) return { kind: 'cell', class: 'cell', shape, cells: [] };
    return { kind: 'cell', class: 'cell', shape, cells: derefAll(h, file, obj, where) };
  }
  if (numel(shape) === 0) {
    if (cls === 'char') return { kind: 'char', class: 'char', shape, rows: Array.from({ length: shape[0] }, () => '') };
    return { kind: 'numeric', class: cls, shape, data: toClass(new Float64Array(0), cls), imag: null };
  }
  const data = numericData(obj.value, where);
  if (data.length !== numel(shape)) throw new InputError(where, `holds ${data.length} values for shape [${shape.join(', ')}]`);
  if (cls === 'char') return { kind: 'char', class: 'char', shape, rows: charRows(toClass(data, 'uint16') as Uint16Array, shape) };
  return { kind: 'numeric', class: cls, shape, data: toClass(data, cls), imag: null };
}

function derefAll(h: H5, file: H5File, ds: H5Dataset, where: string): MatValue[] {
  const refs = ds.value;
  if (!Array.isArray(refs)) throw new InputError(where, 'is not a dataset of object references');
  return refs.map((r, i) => {
    const at = `${where}{${i + 1}}`;
    if (!(r instanceof h.Reference)) throw new InputError(at, 'is not an object reference');
    const target = file.dereference(r);
    if (!isDataset(target, h) && !isGroup(target, h)) throw new InputError(at, 'references nothing readable');
    return decode(h, file, target, at);
  });
}

function directoryEntry(h: H5, obj: H5Dataset | H5Group, name: string, where: string): MatVariableInfo {
  const cls = matClass(obj, where);
  if (isGroup(obj, h)) return { name, class: cls, shape: [1, 1], complex: false, global: !!obj.attrs.MATLAB_global, storedBytes: 0, compressed: false };
  const shape = matShape(obj);
  return {
    name,
    class: cls,
    shape,
    complex: obj.metadata.type === 6,
    global: !!obj.attrs.MATLAB_global,
    storedBytes: obj.attrs.MATLAB_empty ? 0 : numel(obj.shape ?? []) * obj.metadata.size,
    compressed: obj.filters.length > 0,
  };
}

/** Read the 116-byte MATLAB text of the user block (empty when absent). */
function userBlockText(path: string): string {
  const fd = fs.openSync(path, 'r');
  try {
    const b = Buffer.alloc(116);
    const n = fs.readSync(fd, b, 0, 116, 0);
    const t = b.subarray(0, n).toString('latin1');
    return t.startsWith('MATLAB') ? t.replace(/[\0 ]+$/, '') : '';
  } finally {
    fs.closeSync(fd);
  }
}

/** Open a v7.3 MAT-file: the variable directory now, data on `read`. */
export async function openMatV73(path: string): Promise<MatFile> {
  checkSuperblock(path);
  const h = await loadH5();
  const file = quietly(path, () => new h.File(path, 'r'));
  if (file.file_id < 0n) throw new InputError(path, 'cannot open as HDF5');
  const objects = new Map<string, H5Dataset | H5Group>();
  const variables: MatVariableInfo[] = [];
  let names: string[] = [];
  try {
    names = quietly(path, () => file.keys().filter((k) => !k.startsWith('#')));
    for (const n of names) {
      const o = quietly(`${path}: ${n}`, () => file.get(n));
      if (!isDataset(o, h) && !isGroup(o, h)) continue;
      objects.set(n, o);
      variables.push(quietly(`${path}: ${n}`, () => directoryEntry(h, o, n, `${path}: ${n}`)));
    }
  } catch (e) {
    quietly(path, () => file.close());
    throw e;
  }
  const get = (name: string) => {
    const o = objects.get(name);
    if (!o) throw new InputError(path, `no variable "${name}" (has ${names.join(', ') || 'none'})`);
    return o;
  };
  return {
    path,
    version: '7.3',
    description: userBlockText(path),
    byteOrder: 'little',
    variables,
    read: (name) => quietly(`${path}: ${name}`, () => decode(h, file, get(name), `${path}: ${name}`)),
    readSlab: (name, index) => quietly(`${path}: ${name}`, () => slab(name, index)),
    close: () => {
      quietly(path, () => file.close());
    },
  };

  function slab(name: string, index: number): MatValue {
    const o = get(name);
    const where = `${path}: ${name}`;
    if (!isDataset(o, h) || o.attrs.MATLAB_empty) return slabOf(decode(h, file, o, where), index, where);
    const cls = matClass(o, where);
    if (cls === 'cell' || cls === 'char' || cls === 'struct') return slabOf(decode(h, file, o, where), index, where);
    const shape = matShape(o);
    const last = shape[shape.length - 1];
    if (index < 0 || index >= last) throw new InputError(where, `index ${index + 1} is beyond the last dimension (${last})`);
    // The MATLAB last axis is HDF5's first: one hyperslab read, nothing else decoded.
    const data = numericData(o.slice([[index, index + 1]]), where);
    return { kind: 'numeric', class: cls, shape: [...shape.slice(0, -1), 1], data: toClass(data, cls), imag: null };
  }
}

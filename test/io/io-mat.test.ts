/**
 * MATLAB readers against files other projects wrote: scipy.io.savemat
 * (Level 5, plain and zlib-compressed), h5py laid out as MATLAB v7.3, and a
 * big-endian Level 5 file that scipy.io.loadmat reads back. Every variable
 * must come out with the class, shape and values Python put in.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { openMat, rowMajor, type MatValue } from '../../src/io/mat.js';
import { REPO } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

type Canon =
  | { kind: 'numeric'; shape: number[]; values: number[]; imag?: number[]; class: string }
  | { kind: 'char'; rows: string[] }
  | { kind: 'cell'; shape: number[]; cells: Canon[] }
  | { kind: 'struct'; shape: number[]; fields: string[]; elements: Record<string, Canon>[] };

/** The same canonical form test/helpers/mat_replicas.py prints. */
function canon(v: MatValue): Canon {
  switch (v.kind) {
    case 'numeric': {
      const out: Canon = { kind: 'numeric', shape: v.shape, values: Array.from(rowMajor(v.data, v.shape), Number), class: v.class };
      if (v.imag) out.imag = Array.from(rowMajor(v.imag, v.shape), Number);
      return out;
    }
    case 'char':
      return { kind: 'char', rows: v.rows };
    case 'cell':
      return { kind: 'cell', shape: v.shape, cells: v.cells.map(canon) };
    case 'struct':
      return {
        kind: 'struct',
        shape: v.shape,
        fields: v.fields,
        elements: v.elements.map((e) => Object.fromEntries(Object.entries(e).map(([k, x]) => [k, canon(x)]))),
      };
  }
}

const dir = tmpDir('brainalign-mat-');
const expected = JSON.parse(
  execFileSync('/usr/bin/python3', ['-W', 'ignore', path.join(REPO, 'test', 'helpers', 'mat_replicas.py'), dir], { encoding: 'utf8', maxBuffer: 64 << 20 }),
) as { v5: Record<string, Canon>; be: Record<string, Canon> };
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));

for (const file of ['v5.mat', 'v5z.mat']) {
  test(`scipy.io.savemat ${file === 'v5z.mat' ? 'with zlib compression' : 'uncompressed'}: all ${Object.keys(expected.v5).length} variables read back with Python's classes, shapes and values`, async (t) => {
    const m = await openMat(path.join(dir, file));
    try {
      t.is(m.version, '5');
      t.is(m.byteOrder, 'little');
      t.deepEqual(m.variables.map((v) => v.name).sort(), Object.keys(expected.v5).sort());
      t.true(m.variables.every((v) => v.compressed === (file === 'v5z.mat')));
      for (const [name, want] of Object.entries(expected.v5)) t.deepEqual(canon(m.read(name)), want, name);
    } finally {
      m.close();
    }
  });
}

test('scipy.io.savemat: the directory gives NMED-T names, classes and shapes without decoding data', async (t) => {
  const m = await openMat(path.join(dir, 'v5z.mat'));
  const byName = new Map(m.variables.map((v) => [v.name, v]));
  t.deepEqual(byName.get('data21'), {
    name: 'data21',
    class: 'double',
    shape: [6, 50, 3],
    complex: false,
    global: false,
    storedBytes: byName.get('data21')?.storedBytes ?? -1,
    compressed: true,
  });
  t.like(byName.get('subs21'), { class: 'cell', shape: [1, 3] });
  t.like(byName.get('lg'), { class: 'logical', shape: [2, 3] });
  t.like(byName.get('cplx'), { class: 'double', complex: true });
  t.like(byName.get('st'), { class: 'struct', shape: [1, 1] });
  m.close();
});

test('readSlab: participant k of electrodes × time × participants equals data21[:, :, k]', async (t) => {
  for (const file of ['v5z.mat', 'v73.mat']) {
    const m = await openMat(path.join(dir, file));
    const slab = m.readSlab('data21', 2);
    m.close();
    const want = expected.v5.data21;
    if (want.kind !== 'numeric' || slab.kind !== 'numeric') throw new Error('numeric expected');
    t.deepEqual(slab.shape, [6, 50, 1], file);
    const [e, n, p] = want.shape;
    const flat = rowMajor(slab.data, slab.shape);
    let maxErr = 0;
    for (let i = 0; i < e; i++) for (let j = 0; j < n; j++) maxErr = Math.max(maxErr, Math.abs(Number(flat[i * n + j]) - want.values[(i * n + j) * p + 2]));
    t.is(maxErr, 0, file);
  }
});

test('h5py replica of MATLAB v7.3: every variable but the complex one reads back identically (cells and struct arrays through object references)', async (t) => {
  const m = await openMat(path.join(dir, 'v73.mat'));
  try {
    t.is(m.version, '7.3');
    t.true(m.description.startsWith('MATLAB 7.3 MAT-file'));
    const names = Object.keys(expected.v5).filter((k) => k !== 'cplx');
    t.deepEqual(m.variables.map((v) => v.name).sort(), names.sort());
    t.like(
      m.variables.find((v) => v.name === 'data21'),
      { class: 'double', shape: [6, 50, 3], compressed: true },
    );
    for (const name of names) t.deepEqual(canon(m.read(name)), expected.v5[name], name);
  } finally {
    m.close();
  }
});

test('big-endian Level 5 (MI mark), including a small data element: values as scipy.io.loadmat reads them', async (t) => {
  const m = await openMat(path.join(dir, 'be.mat'));
  t.is(m.byteOrder, 'big');
  for (const [name, want] of Object.entries(expected.be)) t.deepEqual(canon(m.read(name)), want, name);
  m.close();
});

test("readSlab on a 7.7 MB compressed variable (several 1 MB zlib chunks): each participant equals numpy's data[:, :, k], stopping the inflation early", async (t) => {
  const file = path.join(dir, 'big.mat');
  const py = `
import sys, json, numpy as np, scipy.io as sio
d = np.random.default_rng(5).standard_normal((16, 20000, 3))
sio.savemat(sys.argv[1], {'data21': d}, do_compression=True)
print(json.dumps([{'first': d[0, 0, k], 'last': d[-1, -1, k], 'mid': d[7, 12345, k], 'sum': float(d[:, :, k].sum())} for k in range(3)]))`;
  const want = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8' })) as {
    first: number;
    last: number;
    mid: number;
    sum: number;
  }[];
  const m = await openMat(file);
  t.true(m.variables[0].storedBytes > 3 << 20);
  for (let k = 0; k < 3; k++) {
    const s = m.readSlab('data21', k);
    if (s.kind !== 'numeric') throw new Error('numeric expected');
    t.deepEqual(s.shape, [16, 20000, 1]);
    const d = s.data as Float64Array;
    t.is(d[0], want[k].first);
    t.is(d[d.length - 1], want[k].last);
    t.is(d[7 + 16 * 12345], want[k].mid);
    t.true(Math.abs(d.reduce((a, b) => a + b, 0) - want[k].sum) < 1e-6);
  }
  m.close();
});

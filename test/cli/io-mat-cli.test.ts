/**
 * `brainalign info FILE.mat` on scipy/h5py replicas (the variable list, as
 * docs/info-json.md describes it), and damaged MAT-files: each is refused
 * with exit 2 and one line `brainalign: <file>: <problem>`, never a stack.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { REPO, runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { openMat } from '../../src/io/mat.js';
import { InputError } from '../../src/core/errors.js';

const dir = tmpDir('brainalign-matcli-');
execFileSync('/usr/bin/python3', ['-W', 'ignore', path.join(REPO, 'test', 'helpers', 'mat_replicas.py'), dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));

interface MatInfoJson {
  schema: string;
  format: string;
  info: { version: string; byteOrder: string; variables: { name: string; class: string; shape: number[]; compressed: boolean }[] };
}

for (const [file, version] of [
  ['v5z.mat', '5'],
  ['v73.mat', '7.3'],
] as const) {
  test(`info --json ${file}: format "mat", version ${version}, NMED-T's data21 as double [6, 50, 3] and subs21 as cell [1, 3]`, (t) => {
    const r = runCli(['info', path.join(dir, file), '--json']);
    t.is(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as MatInfoJson;
    t.is(doc.schema, 'brainalign.info/1');
    t.is(doc.format, 'mat');
    t.is(doc.info.version, version);
    const v = new Map(doc.info.variables.map((x) => [x.name, x]));
    t.like(v.get('data21'), { class: 'double', shape: [6, 50, 3], compressed: true });
    t.like(v.get('subs21'), { class: 'cell', shape: [1, 3] });
    t.like(v.get('fs'), { class: 'double', shape: [1, 1] });
    t.like(v.get('txt'), { class: 'char', shape: [1, 12] });
  });
}

test('info (text) lists the variables by name', (t) => {
  const r = runCli(['info', path.join(dir, 'v5.mat')]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /\(mat\)/);
  t.regex(r.stdout, /name: data21/);
});

/** A damaged copy of `src`: `edit` changes its bytes. */
function damaged(src: string, name: string, edit: (b: Buffer) => Buffer): string {
  const out = path.join(dir, name);
  fs.writeFileSync(out, edit(fs.readFileSync(path.join(dir, src))));
  return out;
}

const cases: [string, string, RegExp][] = [
  [damaged('v5.mat', 'truncated.mat', (b) => b.subarray(0, Math.floor(b.length * 0.6))), 'a file cut at 60%', /truncated/],
  [
    damaged('v5.mat', 'badflags.mat', (b) => {
      const c = Buffer.from(b);
      c.writeUInt32LE(9, 136);
      return c;
    }),
    'array flags tag turned into miDOUBLE',
    /array flags are miDOUBLE/,
  ],
  [
    damaged('v5z.mat', 'badzlib.mat', (b) => {
      const c = Buffer.from(b);
      c.fill(0xff, 136, 144);
      return c;
    }),
    'garbage at the start of a zlib stream',
    /corrupt compressed data/,
  ],
  [damaged('v5.mat', 'short.mat', (b) => b.subarray(0, 50)), 'a 50-byte file', /too short/],
  [
    damaged('v5.mat', 'nomark.mat', (b) => {
      const c = Buffer.from(b);
      c.write('XX', 126, 'latin1');
      return c;
    }),
    'no byte-order mark',
    /not a MAT-file/,
  ],
  [
    damaged('v73.mat', 'h5trunc.mat', (b) => b.subarray(0, 3000)),
    'an HDF5 file cut at 3000 bytes',
    /truncated file: HDF5 records \d+ bytes, the file has 3000/,
  ],
  [
    damaged('v73.mat', 'h5super.mat', (b) => {
      const c = Buffer.from(b);
      c.fill(0x55, 600, 640);
      return c;
    }),
    'its HDF5 root object header overwritten',
    /cannot open as HDF5/,
  ],
];
for (const [file, what, problem] of cases) {
  test(`info on a MAT-file with ${what}: exit 2, one line naming the file`, (t) => {
    const r = runCli(['info', file]);
    t.is(r.code, 2);
    const lines = r.stderr.trim().split('\n');
    t.is(lines.length, 1, r.stderr);
    t.true(lines[0].startsWith(`brainalign: ${file}`), lines[0]);
    t.regex(lines[0], problem);
  });
}

test('a zlib stream damaged after the header: the directory opens, reading the variable is an InputError', async (t) => {
  const file = damaged('v5z.mat', 'deepzlib.mat', (b) => {
    const c = Buffer.from(b);
    const n = c.readUInt32LE(132); // first variable (data21): its compressed length
    c.fill(0x55, 136 + Math.floor(n / 2), 136 + Math.floor(n / 2) + 64);
    return c;
  });
  const m = await openMat(file);
  t.like(m.variables[0], { name: 'data21', shape: [6, 50, 3] });
  const e = t.throws(() => m.read('data21'));
  t.true(e instanceof InputError);
  t.regex(e?.message ?? '', /data21: corrupt compressed data/);
  t.is(m.read('fs').kind, 'numeric');
  m.close();
});

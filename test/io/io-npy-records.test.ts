/**
 * Record-dtype .npy files (NH2015's voxel_features_meta.npy and
 * neural_stim_meta.npy are record arrays): every field numpy writes for the
 * published tables, in both byte orders, reads back equal to numpy's values.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNpyRecords, numericColumn, textColumn } from '../../src/io/npy-records.js';
import { InputError } from '../../src/core/errors.js';
import { pyArgs } from '../helpers/python.js';
import { tmpDir } from '../helpers/tmp.js';

const dir = tmpDir('ba-npyrec-');
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));

const WRITE = `
import sys, json, numpy as np
out = sys.argv[1]
dt = [('subj_idx','<i8'),('voxel_id','>i4'),('n_reps','u1'),('hemi','S2'),('x_ras','<f8'),('y_ras','>f4'),('ok','?'),('name','<U7'),('big','<u8')]
rng = np.random.default_rng(3)
rows = [(int(rng.integers(-5, 9)), int(rng.integers(-2**31, 2**31 - 1)), int(rng.integers(0, 4)), [b'lh', b'rh', b'r'][k % 3],
         float(rng.normal()), float(rng.normal()), bool(k % 2), ['stim5', 'stim7_ä', ''][k % 3], int(rng.integers(0, 2**53))) for k in range(11)]
a = np.array(rows, dtype=dt)
np.save(out, a)
print(json.dumps({f: [x.decode('latin1') if isinstance(x, bytes) else (x.item() if hasattr(x, 'item') else x) for x in a[f]] for f in a.dtype.names}))
`;

test('a record array with int, uint, float, bool, bytes and unicode fields in both byte orders equals numpy field by field', (t) => {
  const file = path.join(dir, 'meta.npy');
  const want = pyArgs<Record<string, (number | string | boolean)[]>>(WRITE, file);
  const rec = readNpyRecords(file);
  t.deepEqual(rec.fields, ['subj_idx', 'voxel_id', 'n_reps', 'hemi', 'x_ras', 'y_ras', 'ok', 'name', 'big']);
  t.is(rec.length, 11);
  for (const f of ['subj_idx', 'voxel_id', 'n_reps', 'x_ras', 'big']) t.deepEqual(Array.from(numericColumn(rec, f, file)), want[f] as number[], f);
  // float32 field: numpy's float() of a float32 is exact, so equality holds.
  t.deepEqual(Array.from(numericColumn(rec, 'y_ras', file)), want.y_ras as number[]);
  t.deepEqual(
    Array.from(numericColumn(rec, 'ok', file)),
    (want.ok as boolean[]).map((b) => (b ? 1 : 0)),
  );
  t.deepEqual(textColumn(rec, 'hemi', file), want.hemi as string[]);
  t.deepEqual(textColumn(rec, 'name', file), want.name as string[]);
});

test('a plain array, a missing field and a text field read as numbers are one-line input errors', (t) => {
  const plain = path.join(dir, 'plain.npy');
  pyArgs<null>('import sys, numpy as np; np.save(sys.argv[1], np.zeros(3)); print("null")', plain);
  t.throws(() => readNpyRecords(plain), { instanceOf: InputError, message: /not a record array/ });
  const file = path.join(dir, 'meta2.npy');
  pyArgs<unknown>(WRITE, file);
  const rec = readNpyRecords(file);
  t.throws(() => numericColumn(rec, 'n_voxels', file), { instanceOf: InputError, message: /no field 'n_voxels'/ });
  t.throws(() => numericColumn(rec, 'hemi', file), { instanceOf: InputError, message: /is text/ });
  const cut = path.join(dir, 'cut.npy');
  fs.writeFileSync(cut, fs.readFileSync(file).subarray(0, fs.statSync(file).size - 5));
  t.throws(() => readNpyRecords(cut), { instanceOf: InputError, message: /truncated/ });
});

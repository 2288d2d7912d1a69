import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readNpy, readNpyHeader, writeNpy, npyInfo, type NpyData, type NpyDtype } from '../../src/io/npy.js';
import { InputError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/prng.js';
import { pyArgs as py } from '../helpers/python.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-npy-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

function expectInputError(t: ExecutionContext, f: () => unknown, msg: RegExp): void {
  try {
    f();
    t.fail('expected an InputError');
  } catch (e) {
    t.true(e instanceof InputError, `not an InputError: ${String(e)}`);
    if (e instanceof InputError) t.regex(e.problem, msg);
  }
}

/** Elements as decimal strings, so int64 survives the trip through JSON. */
const asStrings = (d: NpyData): string[] => Array.from(d as ArrayLike<number | bigint>, (v) => String(v));
/** Python prints floats as repr() and ints as str(); put both sides in one canonical form. */
const canon = (dtype: string, vals: string[]): (string | number)[] => (dtype.startsWith('float') ? vals.map(Number) : vals);

function sample(dtype: NpyDtype, n: number, rng: Rng): NpyData {
  const ints = (lo: number, hi: number) => Array.from({ length: n }, () => lo + rng.int(hi - lo + 1));
  switch (dtype) {
    case 'float32':
      return Float32Array.from(rng.normals(n, 0, 1e3));
    case 'float64':
      return Float64Array.from({ length: n }, () => rng.normal() * 1e-7);
    case 'int8':
      return Int8Array.from(ints(-128, 127));
    case 'int16':
      return Int16Array.from(ints(-32768, 32767));
    case 'int32':
      return Int32Array.from({ length: n }, () => rng.nextU32() | 0);
    case 'int64':
      return BigInt64Array.from({ length: n }, () => ((BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32())) - (1n << 63n));
    case 'uint8':
      return Uint8Array.from(ints(0, 255));
    case 'uint16':
      return Uint16Array.from(ints(0, 65535));
    case 'uint32':
      return Uint32Array.from({ length: n }, () => rng.nextU32());
    case 'uint64':
      return BigUint64Array.from({ length: n }, () => (BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32()));
    case 'bool':
      return Uint8Array.from(ints(0, 1));
  }
}

const DTYPES: NpyDtype[] = ['float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool'];

test('every dtype we write loads in numpy.load with the same dtype, shape and values, byte-identical to np.save', (t) => {
  const rng = new Rng(1, 'npy-write');
  const shapes = [[6, 5], [30], [2, 3, 5], []];
  const files: { f: string; dtype: NpyDtype; shape: number[]; data: NpyData }[] = [];
  for (const dtype of DTYPES) {
    for (const shape of shapes) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = sample(dtype, n, rng);
      const f = path.join(tmp, `w-${dtype}-${shape.length}.npy`);
      writeNpy(f, data, shape, dtype === 'bool' ? { dtype: 'bool' } : {});
      files.push({ f, dtype, shape, data });
    }
  }
  const ref = py<{ dtype: string; shape: number[]; vals: string[]; same: boolean }[]>(
    `import sys, json, io, numpy as np
out = []
for f in sys.argv[1:]:
    a = np.load(f)
    buf = io.BytesIO(); np.save(buf, a)
    vals = [repr(bool(v)) if a.dtype == bool else (repr(float(v)) if a.dtype.kind == 'f' else str(int(v))) for v in a.ravel()]
    out.append({"dtype": str(a.dtype), "shape": list(a.shape), "vals": vals, "same": buf.getvalue() == open(f, 'rb').read()})
print(json.dumps(out))`,
    ...files.map((x) => x.f),
  );
  files.forEach((x, i) => {
    t.is(ref[i].dtype, x.dtype, x.f);
    t.deepEqual(ref[i].shape, x.shape);
    // Floats compare as the doubles numpy widened them to; integers as exact decimal strings.
    const want = x.dtype === 'bool' ? Array.from(x.data as Uint8Array, (v) => (v ? 'True' : 'False')) : asStrings(x.data);
    t.deepEqual(canon(x.dtype, ref[i].vals), canon(x.dtype, want), x.f);
    t.true(ref[i].same, `${x.f} differs from np.save bytes`);
  });
});

test('files numpy wrote (both byte orders, v1/v2/v3, 0-d, empty, 3-D) read back with the values numpy saved', (t) => {
  const ref = py<{ f: string; dtype: string; shape: number[]; vals: string[]; ver: number[] }[]>(
    `import sys, json, numpy as np
d = sys.argv[1]; rng = np.random.default_rng(7); out = []
codes = ['f4', 'f8', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8', 'b1']
k = 0
for c in codes:
    for order in '<>':
        for ver in [(1, 0), (2, 0), (3, 0)]:
            for shape in [(4, 3), (2, 2, 3), (), (0, 3)]:
                dt = np.dtype(order + c)
                if dt.kind == 'f': a = rng.standard_normal(shape).astype(dt)
                elif dt.kind == 'b': a = rng.integers(0, 2, shape).astype(dt)
                else:
                    info = np.iinfo(dt); a = rng.integers(info.min, info.max, shape, endpoint=True, dtype=dt.newbyteorder('='))
                    a = a.astype(dt)
                f = '%s/n%d.npy' % (d, k); k += 1
                with open(f, 'wb') as fh: np.lib.format.write_array(fh, a, version=ver)
                vals = [repr(bool(v)) if dt.kind == 'b' else (repr(float(v)) if dt.kind == 'f' else str(int(v))) for v in a.ravel()]
                out.append({"f": f, "dtype": str(a.dtype.newbyteorder('=')), "shape": list(shape), "vals": vals, "ver": list(ver)})
print(json.dumps(out))`,
    tmp,
  );
  t.is(ref.length, 11 * 2 * 3 * 4);
  for (const r of ref) {
    const a = readNpy(r.f);
    t.is(a.dtype as string, r.dtype, r.f);
    t.deepEqual(a.shape, r.shape);
    const got = a.dtype === 'bool' ? Array.from(a.data as Uint8Array, (v) => (v ? 'True' : 'False')) : asStrings(a.data);
    t.deepEqual(canon(a.dtype, got), canon(a.dtype, r.vals), r.f);
    t.deepEqual(readNpyHeader(r.f).version, r.ver as [number, number]);
  }
});

test('header is padded so data starts on a 64-byte boundary; a header over 65535 bytes switches to version 2.0', (t) => {
  const f = path.join(tmp, 'pad.npy');
  for (const shape of [[1], [7, 9], [3, 4, 5, 6, 7, 8]]) {
    writeNpy(f, new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
    const h = readNpyHeader(f);
    t.is(h.dataOffset % 64, 0);
    t.deepEqual(h.version, [1, 0]);
  }
  // 22000 unit dimensions make a dict of ~66 kB (numpy itself caps ndim at 32, so only the header is checked by numpy).
  const shape = new Array<number>(22000).fill(1);
  writeNpy(f, Float32Array.of(2.5), shape);
  const h = readNpyHeader(f);
  t.deepEqual(h.version, [2, 0]);
  t.is(h.dataOffset % 64, 0);
  t.is(h.shape.length, 22000);
  t.deepEqual(Array.from(readNpy(f).data as Float32Array), [2.5]);
  const nd = py<{ ndim: number; descr: string; off: number }>(
    `import sys, json, numpy as np
fh = open(sys.argv[1], 'rb'); v = np.lib.format.read_magic(fh)
shape, fo, dt = np.lib.format._read_array_header(fh, v, max_header_size=10**6)
print(json.dumps({"ndim": len(shape), "descr": dt.str, "off": fh.tell()}))`,
    f,
  );
  t.deepEqual(nd, { ndim: 22000, descr: '<f4', off: h.dataOffset });
});

test('Fortran order, complex/float16/structured dtypes, bad magic and truncation are InputErrors that say so', (t) => {
  py<null>(
    `import sys, numpy as np
d = sys.argv[1]
np.save(d + '/fortran.npy', np.asfortranarray(np.arange(6, dtype='f4').reshape(2, 3)))
np.save(d + '/complex.npy', np.zeros(3, 'c8'))
np.save(d + '/half.npy', np.zeros(3, 'f2'))
np.save(d + '/rec.npy', np.zeros(3, [('a', 'f4'), ('b', 'i4')]))
np.save(d + '/obj.npy', np.array([1, 'x'], dtype=object), allow_pickle=True)
print('null')`,
    tmp,
  );
  expectInputError(t, () => readNpy(path.join(tmp, 'fortran.npy')), /Fortran/);
  expectInputError(t, () => readNpyHeader(path.join(tmp, 'fortran.npy')), /Fortran/);
  expectInputError(t, () => readNpy(path.join(tmp, 'complex.npy')), /unsupported npy dtype '<c8'/);
  expectInputError(t, () => readNpy(path.join(tmp, 'half.npy')), /unsupported npy dtype '<f2'/);
  expectInputError(t, () => readNpy(path.join(tmp, 'rec.npy')), /structured/);
  expectInputError(t, () => readNpy(path.join(tmp, 'obj.npy')), /unsupported npy dtype '\|O'/);
  const good = path.join(tmp, 'good.npy');
  writeNpy(good, Float64Array.of(1, 2, 3, 4), [2, 2]);
  const bytes = fs.readFileSync(good);
  const bad = path.join(tmp, 'bad.npy');
  fs.writeFileSync(bad, Buffer.concat([Buffer.from('PK'), bytes.subarray(2)]));
  expectInputError(t, () => readNpy(bad), /magic/);
  fs.writeFileSync(bad, bytes.subarray(0, bytes.length - 1));
  expectInputError(t, () => readNpy(bad), /truncated: shape \(2, 2\) of float64 needs 32 data bytes, file has 31/);
  fs.writeFileSync(bad, bytes.subarray(0, 40));
  expectInputError(t, () => readNpy(bad), /truncated/);
  expectInputError(t, () => readNpy(path.join(tmp, 'nope.npy')), /cannot open/);
  expectInputError(t, () => writeNpy(bad, new Float32Array(5), [2, 3]), /6 elements but data has 5/);
  expectInputError(t, () => writeNpy(bad, Uint8Array.of(0, 2), [2], { dtype: 'bool' }), /only 0 and 1/);
});

test('npyInfo gives header fields and NaN-excluding min/max/mean/sum/nonzero equal to numpy’s nan-functions, as plain JSON', (t) => {
  const f = path.join(tmp, 'info.npy');
  const rng = new Rng(5, 'npy-info');
  const data = rng.normals(3 * 40, 2, 3);
  for (let i = 0; i < data.length; i += 7) data[i] = 0;
  data[11] = NaN;
  writeNpy(f, data, [3, 40]);
  const info = npyInfo(f);
  t.deepEqual(JSON.parse(JSON.stringify(info)), info);
  // Block-wise reading (here 64 bytes = 16 elements per block) gives the same summary.
  t.deepEqual(npyInfo(f, { blockBytes: 64 }).summary.nonzero, info.summary.nonzero);
  t.true(Math.abs((npyInfo(f, { blockBytes: 64 }).summary.sum ?? NaN) - (info.summary.sum ?? NaN)) < 1e-9);
  t.is(info.dtype, 'float32');
  t.deepEqual(info.shape, [3, 40]);
  t.is(info.order, 'C');
  t.is(info.version, '1.0');
  t.is(info.bytes, 480);
  const ref = py<{ min: number; max: number; mean: number; sum: number; nz: number; nan: number }>(
    `import sys, json, numpy as np
a = np.load(sys.argv[1]).astype('f8')
print(json.dumps({"min": np.nanmin(a), "max": np.nanmax(a), "mean": np.nanmean(a), "sum": np.nansum(a), "nz": int(np.count_nonzero(a[~np.isnan(a)])), "nan": int(np.isnan(a).sum())}))`,
    f,
  );
  t.is(info.summary.min, ref.min);
  t.is(info.summary.max, ref.max);
  t.true(Math.abs((info.summary.sum ?? NaN) - ref.sum) < 1e-9 * Math.abs(ref.sum) + 1e-9);
  t.true(Math.abs((info.summary.mean ?? NaN) - ref.mean) < 1e-12 * Math.abs(ref.mean) + 1e-12);
  t.is(info.summary.nonzero, ref.nz);
  t.is(info.summary.nan, 1);
});

test('fuzz: npy files cut or bit-flipped at 20 seeded offsets read or fail only with InputError', (t) => {
  const rng = new Rng(99, 'npy-fuzz');
  const srcs: Buffer[] = [];
  const f0 = path.join(tmp, 'fz-src.npy');
  writeNpy(f0, rng.normals(64), [8, 8]);
  srcs.push(fs.readFileSync(f0));
  writeNpy(f0, BigInt64Array.of(1n, -2n, 3n), [3]);
  srcs.push(fs.readFileSync(f0));
  py<null>(
    `import sys, numpy as np
with open(sys.argv[1], 'wb') as fh: np.lib.format.write_array(fh, np.arange(12, dtype='>i2').reshape(3, 4), version=(2, 0))
print('null')`,
    f0,
  );
  srcs.push(fs.readFileSync(f0));
  let failures = 0;
  const f = path.join(tmp, 'fz.npy');
  for (const bytes of srcs) {
    for (let k = 0; k < 20; k++) {
      // Most offsets fall in the 64/128-byte header, where flips change the meaning of the file.
      const off = k < 15 ? rng.int(Math.min(bytes.length, 128)) : rng.int(bytes.length);
      const flipped = Buffer.from(bytes);
      flipped[off] ^= 1 << rng.int(8);
      for (const b of [bytes.subarray(0, off), flipped]) {
        fs.writeFileSync(f, b);
        try {
          readNpy(f);
        } catch (e) {
          failures++;
          if (!(e instanceof InputError)) t.fail(`offset ${off}: ${String(e)}`);
        }
      }
    }
  }
  t.true(failures >= 60, `every cut must fail; got ${failures} failures`);
});

test('npyInfo of a big-endian int64 file numpy wrote matches numpy’s summary, in 1 or many blocks', (t) => {
  const f = path.join(tmp, 'be64.npy');
  const ref = py<{ min: number; max: number; sum: number; nz: number }>(
    `import sys, json, numpy as np
a = (np.arange(-500, 700) * 3).reshape(40, 30); a[::7] = 0; a = a.astype('>i8')
np.save(sys.argv[1], a)
print(json.dumps({"min": int(a.min()), "max": int(a.max()), "sum": int(a.sum()), "nz": int(np.count_nonzero(a))}))`,
    f,
  );
  for (const blockBytes of [undefined, 8, 1000]) {
    const info = npyInfo(f, blockBytes === undefined ? {} : { blockBytes });
    t.is(info.byteOrder, 'big');
    t.is(info.dtype, 'int64');
    t.deepEqual(info.summary, { count: 1200, min: ref.min, max: ref.max, mean: ref.sum / 1200, sum: ref.sum, nonzero: ref.nz, nan: 0 });
  }
});

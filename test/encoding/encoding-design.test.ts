/**
 * The study design pieces against hand computations and numpy:
 * - feature rows are laid on volumes by time overlap (1.5-s rows on a 1-s TR
 *   grid from an off-grid onset split between volumes as worked out below);
 * - standardisation uses the training clips' rows only;
 * - drift removal equals numpy least squares on the same basis, and removes a
 *   planted linear + DCT drift exactly;
 * - the FIR design of a study restarts at every run (no row sees the previous run).
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { Rng } from '../../src/core/prng.js';
import { clipRowStats, cleanRun, driftBasis, removeDrift, runDesignMatrix, standardiseRows } from '../../src/encoding/design.js';
import { studyDesign, type SubjectData } from '../../src/encoding/study.js';
import { encodeConfigSchema } from '../../src/encoding/config.js';

test('rows are averaged into volumes by overlap: 1.5-s rows [1, 2, 3] at onset 0.75 s on a 1-s grid', (t) => {
  // Row intervals: [0.75, 2.25) = 1, [2.25, 3.75) = 2, [3.75, 5.25) = 3.
  // Volume 0 [0,1): 0.25·1 = 0.25; 1 [1,2): 1; 2 [2,3): 0.25·1 + 0.75·2 = 1.75;
  // 3 [3,4): 0.75·2 + 0.25·3 = 2.25; 4 [4,5): 3; 5 [5,6): 0.25·3 = 0.75.
  const x = runDesignMatrix(
    Float32Array.from([9, 1, 2, 3]),
    1,
    new Map([['a', { rowStart: 1, nRows: 3 }]]),
    1.5,
    [{ onset: 0.75, duration: NaN, stimId: 'a' }],
    7,
    1,
    'test',
  );
  t.deepEqual(Array.from(x), [0.25, 1, 1.75, 2.25, 3, 0.75, 0]);
  // A played duration of 2 s cuts the clip at 2.75 s: volume 2 gets 0.25·1 + 0.5·2.
  const y = runDesignMatrix(
    Float32Array.from([9, 1, 2, 3]),
    1,
    new Map([['a', { rowStart: 1, nRows: 3 }]]),
    1.5,
    [{ onset: 0.75, duration: 2, stimId: 'a' }],
    4,
    1,
    'test',
  );
  t.deepEqual(Array.from(y), [0.25, 1, 1.25, 0]);
  t.throws(() => runDesignMatrix(new Float32Array(4), 1, new Map(), 1, [{ onset: 0, duration: 1, stimId: 'zz' }], 4, 1, 'ev.tsv'), { message: /zz/ });
});

test('standardisation statistics come from the training clips only', (t) => {
  const f = Float32Array.from([1, 3, 100, 200]); // clip A rows 0–1, clip B rows 2–3 (test)
  const s = clipRowStats(f, 1, [{ rowStart: 0, nRows: 2 }]);
  t.is(s.mean[0], 2);
  t.is(s.sd[0], 1);
  t.deepEqual(Array.from(standardiseRows(f, 1, s)), [-1, 1, 98, 198]);
});

test('drift removal equals numpy least squares on the same basis and removes planted drift exactly', (t) => {
  const nT = 80;
  const opts = { tr: 1, cutoffSec: 40, linear: true };
  const basis = driftBasis(nT, opts);
  t.is(basis.length, 2 + 4); // constant, linear, DCT j = 1..4
  for (let i = 0; i < basis.length; i++) {
    for (let j = 0; j <= i; j++) {
      let d = 0;
      for (let k = 0; k < nT; k++) d += basis[i][k] * basis[j][k];
      t.true(Math.abs(d - (i === j ? 1 : 0)) < 1e-9);
    }
  }
  const rng = new Rng(2, 'drift');
  const nV = 3;
  const signal = rng.normals(nT * nV);
  const data = Float32Array.from(signal);
  for (let tt = 0; tt < nT; tt++) {
    for (let v = 0; v < nV; v++) data[tt * nV + v] += 50 + (3 * v * tt) / nT + 4 * Math.cos((Math.PI * 3 * (tt + 0.5)) / nT);
  }
  const ours = removeDrift(Float32Array.from(data), nT, nV, opts);
  const py = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      `
import sys, json, numpy as np
d = json.load(sys.stdin); nT = ${nT}; nV = ${nV}
y = np.array(d, dtype=np.float64).reshape(nT, nV)
t = np.arange(nT)
cols = [np.ones(nT), t - (nT - 1) / 2] + [np.cos(np.pi * j * (t + 0.5) / nT) for j in range(1, 5)]
B = np.stack(cols, 1)
coef, *_ = np.linalg.lstsq(B, y, rcond=None)
print(json.dumps((y - B @ coef).ravel().tolist()))
`,
    ],
    { input: JSON.stringify(Array.from(data)), encoding: 'utf8' },
  );
  t.is(py.status, 0, py.stderr);
  const ref = JSON.parse(py.stdout) as number[];
  let maxErr = 0;
  for (let i = 0; i < ref.length; i++) maxErr = Math.max(maxErr, Math.abs(ours[i] - ref[i]));
  t.true(maxErr < 1e-3, `max |ours − numpy| = ${maxErr}`);
  // The planted drift lies in the basis span, so cleaning data or the drift-free signal gives the same residual.
  const clean = removeDrift(Float32Array.from(signal), nT, nV, opts);
  let d2 = 0;
  for (let i = 0; i < clean.length; i++) d2 = Math.max(d2, Math.abs(clean[i] - ours[i]));
  t.true(d2 < 1e-3, `max |clean(signal) − clean(signal + drift)| = ${d2}`);
  // cleanRun: zero mean, unit population sd per voxel.
  const z = cleanRun(Float32Array.from(data), nT, nV, opts);
  for (let v = 0; v < nV; v++) {
    let m = 0;
    let ss = 0;
    for (let tt = 0; tt < nT; tt++) m += z[tt * nV + v];
    for (let tt = 0; tt < nT; tt++) ss += z[tt * nV + v] ** 2;
    t.true(Math.abs(m / nT) < 1e-5 && Math.abs(ss / nT - 1) < 1e-4);
  }
});

test('the FIR design of a study restarts at each run: delayed rows never carry the previous run', (t) => {
  const cfg = encodeConfigSchema.parse({ delays: [1, 2], highpassSec: 1e9, linearDetrend: false });
  // One feature, clip "a" with rows [1, 1]; run 1 plays it at 0 s (3 volumes), run 2 at 1 s (3 volumes), TR 1.
  const run = (onset: number, file: string) => ({
    file: { path: file, events: file } as SubjectData['train'][number]['file'],
    task: 'train',
    run: file,
    nVols: 3,
    events: [{ onset, duration: NaN, stimId: 'a' }],
  });
  const d = {
    tr: 1,
    train: [run(0, 'r1'), run(1, 'r2')],
    test: [run(0, 't1')],
    trainGroups: Int32Array.from([0, 0, 0, 1, 1, 1]),
    nTest: 3,
  } as unknown as SubjectData;
  const f = Float32Array.from([1, 3]);
  const { xTrain, p } = studyDesign(f, 1, 1, new Map([['a', { rowStart: 0, nRows: 2 }]]), d, cfg);
  t.is(p, 2);
  // z-scored rows: [-1, 1]; run 1 design [-1, 1, 0], run 2 [0, -1, 1] (silence = 0 after the constant is kept).
  // Delay 1 / delay 2 columns per volume; the drift basis is only the constant, which is removed per run.
  const r1 = [
    [0, 0],
    [-1, 0],
    [1, -1],
  ];
  const r2 = [
    [0, 0],
    [0, 0],
    [-1, 0],
  ];
  const demean = (rows: number[][]): number[][] => {
    const m = [0, 1].map((j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
    return rows.map((r) => r.map((x, j) => x - m[j]));
  };
  const expected = [...demean(r1), ...demean(r2)].flat();
  t.deepEqual(
    Array.from(xTrain).map((x) => Math.round(x * 1e6) / 1e6),
    expected.map((x) => Math.round(x * 1e6) / 1e6),
  );
});

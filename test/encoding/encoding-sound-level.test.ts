/**
 * Sound-level encoding (NH2015 protocol): the scan reliability equals the
 * numpy formula, nested 5-fold ridge chooses the planted layer, and the
 * noise-corrected r² separates planted from noise voxels.
 */
import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { encodeSounds, finiteMedian, scanSummary, soundAverages } from '../../src/encoding/sound-level.js';
import { pyStdin } from '../helpers/python.js';

const N = 165;

test('scan reliability is the Spearman–Brown-corrected median pairwise scan r, as numpy computes it', (t) => {
  const rng = new Rng(5, 'scans');
  const nv = 6;
  const k = 3;
  const Y = new Float32Array(N * nv * k);
  for (let v = 0; v < nv; v++) {
    const signal = rng.normals(N);
    for (let s = 0; s < N; s++) for (let r = 0; r < k; r++) Y[(s * nv + v) * k + r] = signal[s] * (v / 2) + rng.normal();
  }
  const got = scanSummary(Y, N, nv, k);
  const want = pyStdin<{ rel: number[]; mean: number[] }>(
    `import sys, json, numpy as np
d = json.load(sys.stdin); Y = np.array(d['Y'], dtype=np.float32).reshape(${N}, ${nv}, ${k}).astype(np.float64)
rel = []
for v in range(${nv}):
    rs = [np.corrcoef(Y[:, v, a], Y[:, v, b])[0, 1] for a, b in [(0, 1), (1, 2), (0, 2)]]
    m = np.median(rs); rel.append(3 * m / (1 + 2 * m))
print(json.dumps({'rel': rel, 'mean': Y.mean(axis=2).ravel().tolist()}))`,
    { Y: Array.from(Y) },
  );
  for (let v = 0; v < nv; v++) t.true(Math.abs(got.reliability[v] - want.rel[v]) < 1e-6, `voxel ${v}: ${got.reliability[v]} vs ${want.rel[v]}`);
  for (let i = 0; i < N * nv; i++) if (Math.abs(got.mean[i] - want.mean[i]) > 1e-5) return t.fail(`mean ${i}`);
  t.pass();
});

test('sound averages are the mean of each sound’s feature rows, in the requested sound order', (t) => {
  const rows = Float32Array.from([1, 2, 3, 4, 5, 6, 10, 20]); // 4 rows × 2 features
  const index = new Map([
    ['b', { rowStart: 0, nRows: 3 }],
    ['a', { rowStart: 3, nRows: 1 }],
  ]);
  t.deepEqual(Array.from(soundAverages(rows, 2, index, ['a', 'b'], 'x')), [10, 20, 3, 4]);
  t.throws(() => soundAverages(rows, 2, index, ['c'], 'x'), { message: /no feature rows for sound c/ });
});

test('165 sounds, 4 layers: voxels planted on layer L (r ≈ 0.8) choose L in ≥ 90% of outer folds; noise voxels score r ≈ 0 and corrected r² at the floor-limited chance level', (t) => {
  const rng = new Rng(11, 'sound-layers');
  const p = 10;
  const layers = [0, 1, 2, 3].map((l) => ({ name: `area${l}/iter-0`, X: rng.fork(`layer${l}`).normals(N * p), p }));
  const nv = 24; // voxels 0–15 planted on layer v % 4, 16–23 noise only
  const k = 3;
  const Y = new Float32Array(N * nv * k);
  for (let v = 0; v < nv; v++) {
    const w = rng.normals(p);
    for (let s = 0; s < N; s++) {
      let sig = 0;
      if (v < 16) for (let j = 0; j < p; j++) sig += layers[v % 4].X[s * p + j] * w[j];
      for (let r = 0; r < k; r++) Y[(s * nv + v) * k + r] = sig / Math.sqrt(p) + 0.8 * rng.normal();
    }
  }
  const scans = scanSummary(Y, N, nv, k);
  const res = encodeSounds({
    layers,
    nSounds: N,
    Y: scans.mean,
    v: nv,
    alphas: [0.1, 1, 10, 100, 1000],
    outerFolds: 5,
    innerFolds: 5,
    rng: new Rng(3, 'order'),
    reliability: scans.reliability,
  });
  let right = 0;
  for (let f = 0; f < res.nOuter; f++) for (let v = 0; v < 16; v++) if (res.layer[f * nv + v] === v % 4) right++;
  t.true(right / (res.nOuter * 16) >= 0.9, `planted layer chosen in ${right} of ${res.nOuter * 16}`);
  for (let v = 0; v < 16; v++) t.is(res.modalLayer[v], v % 4);
  const planted = finiteMedian(res.r2.subarray(0, 16));
  const noise = finiteMedian(res.r2.subarray(16));
  t.true(planted > 0.6, `planted median corrected r² ${planted}`);
  // Noise: outer-fold r over 33 test sounds has variance ≈ 1/33, so E[max(r,0)²] ≈ ½·(1/33) and the floor 0.182 turns it into ≈ 0.083.
  t.true(noise < 0.15, `noise median corrected r² ${noise}`);
  t.true(Math.abs(finiteMedian(res.r.subarray(16))) < 0.1, `noise median r ${finiteMedian(res.r.subarray(16))}`);
  // Tuckute's correction: predictions refit on single scans are themselves noisy, so dividing by their
  // reliability ρ̂ too brings the generator layer (a perfect model up to fitting noise) to corrected r² ≈ 1.
  const tk = encodeSounds({
    layers,
    nSounds: N,
    Y: scans.mean,
    v: nv,
    alphas: [0.1, 1, 10, 100, 1000],
    outerFolds: 5,
    innerFolds: 5,
    rng: new Rng(3, 'order'),
    reliability: scans.reliability,
    scans: { Y, k },
  });
  const tkPlanted = finiteMedian(tk.r2.subarray(0, 16));
  t.true(tkPlanted > 0.85 && tkPlanted < 1.2, `Tuckute-corrected planted median r² ${tkPlanted}`);
  t.true(tkPlanted > planted, `Tuckute ${tkPlanted} vs voxel-only ${planted}`);
  t.deepEqual(Array.from(tk.r), Array.from(res.r)); // the correction changes r² only
  t.log(`planted median corrected r²: voxel-only ${planted.toFixed(3)}, Tuckute ${tkPlanted.toFixed(3)}; noise ${noise.toFixed(3)}`);
  const rhoHat = finiteMedian(tk.predictionReliability.subarray(0, 16));
  t.true(rhoHat > 0.5 && rhoHat <= 1, `prediction reliability ${rhoHat}`);
  // Same seed → the same folds and the same numbers.
  const again = encodeSounds({
    layers,
    nSounds: N,
    Y: scans.mean,
    v: nv,
    alphas: [0.1, 1, 10, 100, 1000],
    outerFolds: 5,
    innerFolds: 5,
    rng: new Rng(3, 'order'),
    reliability: scans.reliability,
  });
  t.deepEqual(Array.from(again.r2), Array.from(res.r2));
});

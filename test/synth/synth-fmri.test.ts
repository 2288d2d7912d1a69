/**
 * The planted fMRI truth is what the generator claims: the canonical HRF comes
 * back from a high-SNR voxel by FIR deconvolution on its known drive, the
 * Control region carries no stimulus signal, test-run split-half reliability
 * matches the analytic σs²/(σs²+σn²), and each ROI is best predicted by its
 * own feature space. Size: 4 genres × 5 clips × 4 s, a 16×16×10 grid.
 */
import test from 'ava';
import { doubleGammaHrf } from '../../src/signal/hrf.js';
import { synthConfigSchema } from '../../src/synth/config.js';
import { FEATURE_RATE } from '../../src/synth/features.js';
import { expectedCeilings, fineTimeline, renderRun, type FeatureSpace } from '../../src/synth/fmri.js';
import { simulateStudy, type Study } from '../../src/synth/study.js';
import { pearson, ridgeSolve } from '../helpers/lstsq.js';

const cfg = synthConfigSchema.parse({
  stimuli: { genres: ['blues', 'classical', 'metal', 'reggae'], clipsPerGenre: 5, clipSec: 4 },
  fmri: { subjects: 1, grid: [16, 16, 10], testClips: 4, trainRuns: 2, testRuns: 3 },
  eeg: { subjects: 0, control: false },
  behaviour: { subjects: 0 },
});
const study: Study = simulateStudy(cfg, 11);
const sub = study.fmri[0];
const L = study.layout;
const runs = sub.runs.map((d, r) => renderRun(L, sub.brain, r, d, cfg.fmri, sub.rng.fork(`run-${r}`)));
const nv = L.mask.length;
const series = (r: number, v: number): Float64Array => {
  const T = sub.runs[r].nVols;
  const y = new Float64Array(T);
  for (let t = 0; t < T; t++) y[t] = runs[r][t * nv + v];
  return y;
};
/** Drift basis of one run: constant, linear, cos(πjt/T) for j = 1..3 (what the generator adds). */
const driftBasis = (T: number): Float64Array[] => {
  const cols = [new Float64Array(T).fill(1), Float64Array.from({ length: T }, (_, t) => (T > 1 ? (2 * t) / (T - 1) - 1 : 0))];
  for (let j = 1; j <= 3; j++) cols.push(Float64Array.from({ length: T }, (_, t) => Math.cos((Math.PI * j * (t + 0.5)) / T)));
  return cols;
};
/** Residual of y after least squares on the drift basis. */
const detrend = (y: Float64Array): Float64Array => {
  const T = y.length;
  const B = driftBasis(T);
  const X = new Float64Array(T * B.length);
  for (let t = 0; t < T; t++) B.forEach((c, j) => (X[t * B.length + j] = c[t]));
  const [b] = ridgeSolve(X, T, B.length, [y], 1e-9);
  return y.map((v, t) => v - B.reduce((s, c, j) => s + b[j] * c[t], 0));
};
const drivenOf = (roi: number): number[] => Array.from(sub.brain.driven).filter((v) => L.atlas[v] === roi);

test('FIR deconvolution of the highest-SNR voxel on its known drive recovers the canonical HRF (r > 0.97, peak at 4.5–6 s)', (t) => {
  let best = sub.brain.driven[0];
  for (const v of sub.brain.driven) if (sub.brain.snr[v] > sub.brain.snr[best]) best = v;
  const di = Array.from(sub.brain.driven).indexOf(best);
  const sp: FeatureSpace = sub.brain.space[di];
  const w = sub.brain.weights[sp];
  const row = Array.from(w.voxels).indexOf(best);
  const F = study.spaces[sp].names.length;
  const tr = cfg.fmri.tr;
  const per = Math.round(tr * FEATURE_RATE);
  const nLag = 17;
  const nDrift = 5;
  const blocks: { X: Float64Array; y: Float64Array; T: number }[] = [];
  const p = nLag + nDrift * sub.runs.length;
  sub.runs.forEach((d, r) => {
    const { data } = fineTimeline(d, tr, study.spaces[sp]);
    const T = d.nVols;
    // Drive averaged over the TR ending at each volume: D(k) = mean_m d[per·k − m].
    const D = new Float64Array(T);
    for (let k = 0; k < T; k++) {
      let s = 0;
      for (let m = 0; m < per; m++) {
        const i = per * k - m;
        if (i < 0) continue;
        for (let f = 0; f < F; f++) s += w.data[row * F + f] * data[i * F + f];
      }
      D[k] = s / per;
    }
    const X = new Float64Array(T * p);
    const B = driftBasis(T);
    for (let k = 0; k < T; k++) {
      for (let l = 0; l < nLag; l++) X[k * p + l] = k - l >= 0 ? D[k - l] : 0;
      B.forEach((c, j) => (X[k * p + nLag + r * nDrift + j] = c[k]));
    }
    blocks.push({ X, y: series(r, best), T });
  });
  const n = blocks.reduce((a, b) => a + b.T, 0);
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  let off = 0;
  for (const b of blocks) {
    X.set(b.X, off * p);
    y.set(b.y, off);
    off += b.T;
  }
  const [beta] = ridgeSolve(X, n, p, [y], 1e-6);
  const fir = beta.subarray(0, nLag);
  const hFine = doubleGammaHrf(1 / FEATURE_RATE, 32);
  const binned = Array.from({ length: nLag }, (_, l) => {
    let s = 0;
    for (let m = 0; m < per; m++) s += hFine[l * per + m] ?? 0;
    return s;
  });
  const r = pearson(fir, binned);
  const peak = fir.indexOf(Math.max(...fir));
  const sum = fir.reduce((a, b) => a + b, 0);
  t.log(`voxel SNR ${sub.brain.snr[best].toFixed(2)}; FIR vs binned canonical HRF r = ${r.toFixed(3)}, peak lag ${peak * tr} s, Σβ = ${sum.toFixed(2)}`);
  t.true(r > 0.97, `r ${r}`);
  t.true(peak * tr >= 4.5 && peak * tr <= 6, `peak ${peak * tr} s`);
  t.true(Math.abs(sum - 1) < 0.25, `sum ${sum}`);
});

/** Bartlett's large-sample variance of r between AR(1) noise (φ) and a series with autocorrelation ρx. */
const bartlettVar = (x: Float64Array, phi: number): number => {
  const n = x.length;
  const m = x.reduce((a, b) => a + b, 0) / n;
  const c0 = x.reduce((a, b) => a + (b - m) ** 2, 0);
  let s = 1;
  for (let k = 1; k < Math.min(40, n); k++) {
    let ck = 0;
    for (let i = k; i < n; i++) ck += (x[i] - m) * (x[i - k] - m);
    s += 2 * (ck / c0) * phi ** k;
  }
  return s / n;
};

test('the Control region correlates with the planted ROI signals at chance (mean z² ≈ 1), driven voxels with their own signal far above', (t) => {
  const allRuns = sub.runs.map((_, r) => r);
  const nd = sub.brain.driven.length;
  const plantedSignal = (cols: number[], r: number): Float64Array => {
    const T = sub.runs[r].nVols;
    const y = new Float64Array(T);
    for (let k = 0; k < T; k++) for (const c of cols) y[k] += sub.brain.signal[r][k * nd + c] / cols.length;
    return detrend(y);
  };
  const roiCols = [1, 2, 3, 4].map((roi) =>
    Array.from(sub.brain.driven)
      .map((v, i) => (L.atlas[v] === roi ? i : -1))
      .filter((i) => i >= 0),
  );
  // z = r / sd_null(r) per run; runs have independent noise, so z² averages to 1 under the null.
  const meanZ2 = (voxels: number[], predictors: (v: number, r: number) => Float64Array[]): number => {
    let s = 0;
    let n = 0;
    for (const v of voxels) {
      for (const r of allRuns) {
        const y = detrend(series(r, v));
        for (const x of predictors(v, r)) {
          const z = pearson(x, y) / Math.sqrt(bartlettVar(x, cfg.fmri.ar1));
          s += z * z;
          n++;
        }
      }
    }
    return s / n;
  };
  const control = Array.from({ length: nv }, (_, v) => v).filter((v) => L.atlas[v] === 5);
  const zControl = meanZ2(control, (_, r) => roiCols.map((c) => plantedSignal(c, r)));
  const own = (v: number, r: number): Float64Array[] => [plantedSignal([Array.from(sub.brain.driven).indexOf(v)], r)];
  const zA1 = meanZ2(drivenOf(1), own);
  const zT2 = meanZ2(drivenOf(4), own);
  t.log(
    `${control.length} control voxels × ${allRuns.length} runs × 4 ROI signals: mean z² = ${zControl.toFixed(2)} (chance 1); A1 ${zA1.toFixed(1)}, T2/T3 ${zT2.toFixed(1)} with their own signal`,
  );
  t.true(zControl > 0.5 && zControl < 1.8, `control ${zControl}`);
  t.true(zA1 > 3 && zT2 > 3, `A1 ${zA1}, T2/T3 ${zT2}`);
});

test('split-half reliability and the perfect-model noise ceiling match their analytic expectations for drift-removed data (±0.03)', (t) => {
  const testRuns = sub.runs.map((_, r) => r).filter((r) => sub.runs[r].task === 'test');
  const T = sub.runs[testRuns[0]].nVols;
  const nd = sub.brain.driven.length;
  // Removing the drift basis (projector P) also removes some signal and noise. For AR(1) noise with
  // covariance Σ_ij = σn² φ^|i−j|, E‖Pe‖² = trace(PΣ); the expected correlation of two repeats is then
  // ‖Ps‖² / (‖Ps‖² + trace(PΣ)). Without drift removal this is the stored σs²/(σs²+σn²).
  let trPS = 0;
  for (let j = 0; j < T; j++) {
    const col = Float64Array.from({ length: T }, (_, i) => cfg.fmri.ar1 ** Math.abs(i - j));
    trPS += detrend(col)[j];
  }
  const { rhoSplit } = expectedCeilings(sub.brain, testRuns.length);
  const R = testRuns.length;
  let emp = 0;
  let ana = 0;
  let stored = 0;
  let n = 0;
  let ceilEmp = 0;
  let ceilAna = 0;
  sub.brain.driven.forEach((v, di) => {
    const s = new Float64Array(T);
    for (let k = 0; k < T; k++) s[k] = sub.brain.signal[testRuns[0]][k * nd + di];
    const ps = detrend(s);
    const ss = ps.reduce((a, b) => a + b * b, 0);
    const expected = ss / (ss + sub.brain.sigmaN[v] ** 2 * trPS);
    const ys = testRuns.map((r) => detrend(series(r, v)));
    // A perfect model (the true signal) against the mean of the R repeats: √(‖Ps‖² / (‖Ps‖² + trace(PΣ)/R)).
    const meanY = ys[0].map((_, k) => ys.reduce((acc, y) => acc + y[k], 0) / R);
    ceilEmp += pearson(ps, meanY);
    ceilAna += Math.sqrt(ss / (ss + (sub.brain.sigmaN[v] ** 2 * trPS) / R));
    for (let a = 0; a < ys.length; a++) {
      for (let b = a + 1; b < ys.length; b++) {
        emp += pearson(ys[a], ys[b]);
        ana += expected;
        stored += rhoSplit[v];
        n++;
      }
    }
  });
  emp /= n;
  ana /= n;
  stored /= n;
  ceilEmp /= nd;
  ceilAna /= nd;
  t.log(
    `${nd} voxels, ${R} test runs of ${T} volumes: split-half empirical ${emp.toFixed(3)}, analytic after drift removal ${ana.toFixed(3)}, stored (no drift removal) ${stored.toFixed(3)}; ceiling empirical ${ceilEmp.toFixed(3)}, analytic ${ceilAna.toFixed(3)}`,
  );
  t.true(Math.abs(emp - ana) < 0.03);
  t.true(Math.abs(ceilEmp - ceilAna) < 0.03);
  t.true(stored >= ana);
});

test('each ROI is best predicted by its planted feature space (noise-free signal, fit on train runs, r on a test run)', (t) => {
  const trainRuns = sub.runs.map((_, r) => r).filter((r) => sub.runs[r].task === 'train');
  const testRun = sub.runs.findIndex((d) => d.task === 'test');
  const nd = sub.brain.driven.length;
  const stack = (sp: FeatureSpace, rs: number[]): { X: Float64Array; n: number } => {
    const F = study.spaces[sp].names.length;
    const n = rs.reduce((a, r) => a + sub.runs[r].nVols, 0);
    const X = new Float64Array(n * (F + 1));
    let off = 0;
    for (const r of rs) {
      const R = sub.regs[r][sp];
      for (let k = 0; k < sub.runs[r].nVols; k++, off++) {
        X[off * (F + 1)] = 1;
        for (let f = 0; f < F; f++) X[off * (F + 1) + 1 + f] = R[k * F + f];
      }
    }
    return { X, n };
  };
  const target = (rs: number[], di: number): Float64Array => {
    const out: number[] = [];
    for (const r of rs) for (let k = 0; k < sub.runs[r].nVols; k++) out.push(sub.brain.signal[r][k * nd + di]);
    return Float64Array.from(out);
  };
  const meanR = (roi: number, sp: FeatureSpace): number => {
    const F = study.spaces[sp].names.length + 1;
    const tr = stack(sp, trainRuns);
    const te = stack(sp, [testRun]);
    const dis = Array.from(sub.brain.driven)
      .map((v, i) => (L.atlas[v] === roi ? i : -1))
      .filter((i) => i >= 0);
    const betas = ridgeSolve(
      tr.X,
      tr.n,
      F,
      dis.map((di) => target(trainRuns, di)),
      1,
    );
    let s = 0;
    dis.forEach((di, j) => {
      const pred = new Float64Array(te.n);
      for (let k = 0; k < te.n; k++) for (let f = 0; f < F; f++) pred[k] += te.X[k * F + f] * betas[j][f];
      s += pearson(pred, target([testRun], di));
    });
    return s / dis.length;
  };
  const table: Record<string, Record<FeatureSpace, number>> = {};
  for (const [roi, name] of [
    [1, 'A1'],
    [2, 'Belt'],
    [3, 'Parabelt'],
    [4, 'T2/T3'],
  ] as const) {
    table[name] = { low: meanR(roi, 'low'), mid: meanR(roi, 'mid'), abstract: meanR(roi, 'abstract') };
  }
  t.log(
    Object.entries(table)
      .map(([k, v]) => `${k}: low ${v.low.toFixed(2)} mid ${v.mid.toFixed(2)} abstract ${v.abstract.toFixed(2)}`)
      .join('; '),
  );
  t.true(table.A1.low > table.A1.abstract + 0.1);
  t.true(table['T2/T3'].abstract > table['T2/T3'].low + 0.1);
  t.true(table.Belt.mid > table.Belt.abstract && table.Parabelt.mid > table.Parabelt.abstract);
});

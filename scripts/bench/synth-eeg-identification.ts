/**
 * How identifiable are songs from the synthetic EEG? Two proxies per subject,
 * over all clip presentations (chance = 1/nClips):
 *  - oracle: the EEG projected on the planted envelope topography (bad
 *    channels dropped, 1-s moving-average high-pass), correlated over each
 *    clip's window with the planted response predicted for every candidate
 *    clip; pick the best.
 *  - learned: the same, but the forward TRF (lags 0–400 ms, envelope+flux,
 *    ridge) and spatial filter (first principal direction of the TRF) are fit
 *    on the other half of the clips, as a decoder would have to.
 * Usage: npx tsx scripts/bench/synth-eeg-identification.ts [seed] [responseSnr]
 */
import { convolve } from '../../src/signal/hrf.js';
import { synthConfigSchema } from '../../src/synth/config.js';
import { simulateStudy, type EegSubject } from '../../src/synth/study.js';
import { pearson, ridgeSolve } from '../../test/helpers/lstsq.js';

const seed = Number(process.argv[2] ?? 1);
const snr = process.argv[3] !== undefined ? Number(process.argv[3]) : undefined;
const cfg = synthConfigSchema.parse({ fmri: { subjects: 0 }, behaviour: { subjects: 0 }, eeg: snr === undefined ? {} : { responseSnr: snr } });
const study = simulateStudy(cfg, seed);
const rate = cfg.eeg.rate;

function highPass(x: ArrayLike<number>): Float64Array {
  const h = Math.round(rate / 2);
  const n = x.length;
  const cum = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cum[i + 1] = cum[i] + x[i];
  return Float64Array.from(
    { length: n },
    (_, i) => x[i] - (cum[Math.min(n, i + h + 1)] - cum[Math.max(0, i - h)]) / (Math.min(n, i + h + 1) - Math.max(0, i - h)),
  );
}

/** Per-clip predictor (env, flux) cut from the subject's time line. */
function clipPredictors(sub: EegSubject): { env: Float32Array; flux: Float32Array }[] {
  const out: { env: Float32Array; flux: Float32Array }[] = new Array(study.stimuli.length);
  const len = Math.round(cfg.stimuli.clipSec * rate);
  sub.order.forEach((st, k) => {
    const i0 = Math.round(sub.onsets[k] * rate);
    // Pad 0.4 s of silence before so the response at clip start is causal.
    out[st] = { env: sub.env.slice(i0, i0 + len), flux: sub.flux.slice(i0, i0 + len) };
  });
  return out;
}

function identify(sub: EegSubject, y: Float64Array, predict: (st: number) => Float64Array, clips: number[]): number {
  const len = Math.round(cfg.stimuli.clipSec * rate);
  let correct = 0;
  const cands = clips.map((st) => ({ st, p: predict(st) }));
  for (const st of clips) {
    const k = sub.order.indexOf(st);
    const i0 = Math.round(sub.onsets[k] * rate);
    const seg = y.subarray(i0, i0 + len);
    let best = -1;
    let bestR = -Infinity;
    for (const c of cands) {
      const r = pearson(c.p, seg);
      if (r > bestR) {
        bestR = r;
        best = c.st;
      }
    }
    if (best === st) correct++;
  }
  return correct / clips.length;
}

for (const sub of study.eeg) {
  const chs = sub.planted.channels;
  const bad = new Set([sub.artefacts.flatChannel, sub.artefacts.noisyChannel]);
  const good = chs.map((c, i) => (bad.has(c) ? -1 : i)).filter((i) => i >= 0);
  const hp = sub.data.map((x) => highPass(x));
  const n = sub.env.length;
  const preds = clipPredictors(sub);
  const all = [...Array(study.stimuli.length).keys()];
  // Oracle: planted topography and kernels (the responder's ones for the control, scaled to unit gain).
  const ref = study.eeg.find((s) => !s.control) ?? sub;
  const g = ref.gain || 1;
  const proj = new Float64Array(n);
  for (const c of good) for (let i = 0; i < n; i++) proj[i] += ref.planted.topoEnv[c] * hp[c][i];
  const oracle = identify(
    sub,
    proj,
    (st) => {
      const e = convolve(preds[st].env, ref.planted.kernelEnv);
      const f = convolve(preds[st].flux, ref.planted.kernelFlux);
      return highPass(e.map((v, i) => (v + f[i]) / g));
    },
    all,
  );
  // Learned: fit forward TRFs on even-indexed presentations, test identification among odd ones.
  const L = Math.floor(0.4 * rate) + 1;
  const trainMask = new Uint8Array(n);
  sub.order.forEach((_, k) => {
    if (k % 2 !== 0) return;
    const i0 = Math.round(sub.onsets[k] * rate);
    for (let i = i0; i < i0 + Math.round((cfg.stimuli.clipSec + 0.4) * rate) && i < n; i++) trainMask[i] = 1;
  });
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (trainMask[i]) rows.push(i);
  const P = 2 * L;
  const envHp = highPass(sub.env);
  const fluxHp = highPass(sub.flux);
  const X = new Float64Array(rows.length * P);
  rows.forEach((i, r) => {
    for (let l = 0; l < L && i - l >= 0; l++) {
      X[r * P + l] = envHp[i - l];
      X[r * P + L + l] = fluxHp[i - l];
    }
  });
  const ys = good.map((c) => Float64Array.from(rows, (i) => hp[c][i]));
  const betas = ridgeSolve(X, rows.length, P, ys, rows.length * 0.05);
  // Spatial filter: weight each channel by the norm-signed projection of its TRF on the mean TRF.
  const mean = new Float64Array(P);
  for (const b of betas) for (let j = 0; j < P; j++) mean[j] += b[j] / betas.length;
  const w = betas.map((b) => b.reduce((a, v, j) => a + v * mean[j], 0));
  const proj2 = new Float64Array(n);
  good.forEach((c, gi) => {
    for (let i = 0; i < n; i++) proj2[i] += w[gi] * hp[c][i];
  });
  const kEnv = Float32Array.from(mean.subarray(0, L));
  const kFlux = Float32Array.from(mean.subarray(L));
  const test = sub.order.filter((_, k) => k % 2 === 1);
  const learned = identify(
    sub,
    proj2,
    (st) => {
      const e = convolve(preds[st].env, kEnv);
      const f = convolve(preds[st].flux, kFlux);
      return highPass(e.map((v, i) => v + f[i]));
    },
    test,
  );
  console.log(
    `${sub.id}${sub.control ? ' (control)' : ''}: oracle ${(100 * oracle).toFixed(1)} % of ${all.length} (chance ${(100 / all.length).toFixed(1)} %), learned ${(100 * learned).toFixed(1)} % of ${test.length} (chance ${(100 / test.length).toFixed(1)} %)`,
  );
}

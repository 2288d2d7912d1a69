/**
 * Forward TRF on noise-light synthetic EEG (response RMS = 3 × background at
 * the best channel): the mini-study is written to disk, the BDF and the
 * planted predictors are read back, both are high-passed at 0.5 Hz alike, and
 * the TRF of each predictor, projected on the planted topography, correlates
 * > 0.9 with the planted kernel in derivatives/synth-truth (and its amplitude
 * is within a factor of 2).
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateStudy, synthConfigSchema } from '../../src/synth/index.js';
import { readEdf } from '../../src/io/edf.js';
import { readNpy } from '../../src/io/npy.js';
import { fitForwardTrf } from '../../src/decoding/trf.js';
import { butterworth, sosfiltfilt } from '../../src/signal/filters.js';
import { pearson } from '../../src/stats/index.js';
import { tmpDir } from '../helpers/tmp.js';

test('TRF recovers the planted envelope and flux kernels (r > 0.9)', (t) => {
  const dir = tmpDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cfg = synthConfigSchema.parse({
    stimuli: { genres: ['classical', 'metal', 'reggae', 'jazz'], clipsPerGenre: 2, clipSec: 8 },
    fmri: { subjects: 0 },
    eeg: { subjects: 1, control: false, channels: 16, rate: 128, responseSnr: 3 },
    behaviour: { subjects: 0 },
  });
  generateStudy(cfg, 5, dir);
  const rec = readEdf(path.join(dir, 'sub-01', 'eeg', 'sub-01_task-listen_eeg.bdf'));
  const truth = path.join(dir, 'derivatives', 'synth-truth', 'sub-01', 'eeg');
  const pred = readNpy(path.join(truth, 'sub-01_desc-predictors_timeseries.npy'));
  const eegSig = rec.signals.filter((s) => s.label !== 'Status');
  const nCh = eegSig.length;
  const n = Math.min(pred.shape[0], eegSig[0].data.length);
  const sos = butterworth(2, 0.5, 128, 'highpass');
  const eeg = new Float32Array(n * nCh);
  eegSig.forEach((s, c) => {
    const y = sosfiltfilt(sos, s.data);
    for (let i = 0; i < n; i++) eeg[i * nCh + c] = y[i];
  });
  const stim = new Float32Array(n * 2);
  for (let j = 0; j < 2; j++) {
    const col = sosfiltfilt(
      sos,
      Float32Array.from({ length: n }, (_, i) => (pred.data as Float32Array)[i * 2 + j]),
    );
    for (let i = 0; i < n; i++) stim[i * 2 + j] = col[i];
  }
  const trf = fitForwardTrf(stim, eeg, n, 2, nCh, 128, 0, 0.4, [1e-2, 0.1, 1, 10, 100, 1e3, 1e4]);
  for (const [j, name] of [
    [0, 'envelope'],
    [1, 'flux'],
  ] as const) {
    const kernel = readNpy(path.join(truth, `sub-01_desc-${name}_kernel.npy`)).data as Float32Array;
    const topo = readNpy(path.join(truth, `sub-01_desc-${name}_topography.npy`)).data as Float32Array;
    let tt = 0;
    for (const v of topo) tt += v * v;
    // Least-squares projection of the channel TRFs on the planted topography.
    const rec1 = Float64Array.from({ length: trf.nLags }, (_, d) => {
      let s = 0;
      for (let c = 0; c < nCh; c++) s += topo[c] * trf.kernel[(d * 2 + j) * nCh + c];
      return s / tt;
    });
    t.is(rec1.length, kernel.length);
    const r = pearson(rec1, kernel);
    t.true(r > 0.9, `${name}: r = ${r.toFixed(3)}`);
    const peak = (x: ArrayLike<number>): number => Math.max(...Array.from(x, Math.abs));
    t.true(peak(rec1) > 0.5 * peak(kernel) && peak(rec1) < 2 * peak(kernel), `${name}: peak ${peak(rec1).toFixed(2)} vs planted ${peak(kernel).toFixed(2)} µV`);
  }
});

/**
 * Resampling and zero-phase filtering throughput against scipy in the same run:
 * 64 EEG channels × 10 min at 512 Hz band-passed (Butterworth order 4, 1–40 Hz)
 * and notched (50 Hz), then 20 clips × 30 s of audio 44100 → 22050 and 22050 → 16000 Hz.
 */
import { spawnSync } from 'node:child_process';
import { Rng } from '../../src/core/prng.js';
import { butterworth, notch, sosfiltfilt } from '../../src/signal/filters.js';
import { resample, resamplePoly } from '../../src/signal/resample.js';

function time(f: () => void): number {
  const t0 = performance.now();
  f();
  return (performance.now() - t0) / 1000;
}

const rng = new Rng(3, 'bench-filters');
const eeg = Array.from({ length: 64 }, () => rng.normals(512 * 600));
const audio = Array.from({ length: 20 }, () => rng.normals(44100 * 30));
const bp = butterworth(4, [1, 40], 512, 'bandpass');
const nt = notch(50, 30, 512);
const ours = {
  filt: time(() => eeg.forEach((x) => sosfiltfilt(nt, sosfiltfilt(bp, x)))),
  down2: time(() => audio.forEach((x) => resamplePoly(x, 1, 2))),
  to16kScipyFilter: time(() => audio.forEach((x) => resamplePoly(x.subarray(0, 22050 * 30), 320, 441))),
  to16kStrict: time(() => audio.forEach((x) => resample(x.subarray(0, 22050 * 30), 22050, 16000))),
};
const py = spawnSync(
  '/usr/bin/python3',
  [
    '-c',
    `import numpy as np, time, json
from scipy.signal import butter, iirnotch, tf2sos, sosfiltfilt, resample_poly
r=np.random.default_rng(3)
eeg=r.standard_normal((64,512*600)).astype(np.float32); audio=r.standard_normal((20,44100*30)).astype(np.float32)
bp=butter(4,[1,40],btype='bandpass',fs=512,output='sos'); nt=tf2sos(*iirnotch(50,30,fs=512))
def tm(f):
    t=time.perf_counter(); f(); return time.perf_counter()-t
print(json.dumps({'filt':tm(lambda:[sosfiltfilt(nt,sosfiltfilt(bp,x)) for x in eeg]),
 'down2':tm(lambda:[resample_poly(x,1,2) for x in audio]),
 'to16k':tm(lambda:[resample_poly(x[:22050*30],320,441) for x in audio])}))`,
  ],
  { encoding: 'utf8' },
);
const ref = JSON.parse(py.stdout) as { filt: number; down2: number; to16k: number };
const row = (label: string, a: number, b: number): string => `${label.padEnd(44)} ours ${a.toFixed(2)} s  scipy ${b.toFixed(2)} s  ratio ${(a / b).toFixed(2)}`;
console.log(row('64 ch × 10 min @512 Hz band-pass + notch', ours.filt, ref.filt));
console.log(row('20 × 30 s 44100→22050 (scipy filter)', ours.down2, ref.down2));
console.log(row('20 × 30 s 22050→16000 (scipy filter)', ours.to16kScipyFilter, ref.to16k));
console.log(row('20 × 30 s 22050→16000 (strict default)', ours.to16kStrict, ref.to16k));

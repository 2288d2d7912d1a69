import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { melSpectrogram } from '../../src/signal/mel.js';
import { cutFrameWindows, cutWindows, frameWindows, hann } from '../../src/signal/windows.js';

test('frameWindows: starts 0, hop, 2·hop … while the window fits; count = ⌊(n − len)/hop⌋ + 1', (t) => {
  t.deepEqual(Array.from(frameWindows(10, 4, 3)), [0, 3, 6]);
  t.deepEqual(Array.from(frameWindows(10, 4, 2)), [0, 2, 4, 6]);
  t.deepEqual(Array.from(frameWindows(4, 4, 1)), [0]);
  t.is(frameWindows(3, 4, 1).length, 0);
  // 6 s at 22050 Hz cut into 2 s windows every 1 s → 5 windows.
  t.is(frameWindows(6 * 22050, 2 * 22050, 22050).length, 5);
  for (const [n, len, hop] of [
    [1000, 37, 5],
    [99, 10, 10],
    [100, 10, 10],
    [12345, 512, 128],
  ] as const) {
    const s = frameWindows(n, len, hop);
    t.is(s.length, Math.floor((n - len) / hop) + 1);
    t.true(s[s.length - 1] + len <= n && s[s.length - 1] + hop + len > n);
  }
  t.throws(() => frameWindows(100, 0, 1), { name: 'InputError' });
  t.throws(() => frameWindows(100, 10, 2.5), { name: 'InputError' });
});

test('cutWindows copies each window of a clip; cutFrameWindows cuts a mel spectrogram along time only', (t) => {
  const x = new Float32Array(20).map((_, i) => i);
  const w = cutWindows(x, 8, 6);
  t.is(w.length, 3);
  t.deepEqual(Array.from(w[1]), [6, 7, 8, 9, 10, 11, 12, 13]);
  w[0][0] = 99;
  t.is(x[0], 0, 'windows are copies');

  const y = new Rng(5, 'win').normals(22050 * 3);
  const mel = melSpectrogram(y, { nMels: 16 });
  const parts = cutFrameWindows({ data: mel.data, rows: mel.nMels, frames: mel.nFrames }, 43, 20);
  t.is(parts.length, Math.floor((mel.nFrames - 43) / 20) + 1);
  const p = parts[2];
  t.is(p.rows, 16);
  t.is(p.frames, 43);
  for (let r = 0; r < 16; r++) {
    for (let f = 0; f < 43; f++) {
      if (p.data[r * 43 + f] !== mel.data[r * mel.nFrames + 40 + f]) t.fail(`mismatch at band ${r}, frame ${f}`);
    }
  }
  t.throws(() => cutFrameWindows({ data: new Float32Array(10), rows: 3, frames: 3 }, 2, 1), { name: 'InputError' });
});

test('periodic Hann windows at 75% overlap sum to a constant (4 × mean 0.5 = 2), which is why the STFT uses them', (t) => {
  const n = 256;
  const w = hann(n, true);
  const acc = new Float64Array(4 * n);
  for (let s = 0; s + n <= acc.length; s += n / 4) for (let i = 0; i < n; i++) acc[s + i] += w[i];
  let worst = 0;
  for (let i = n; i < 3 * n; i++) worst = Math.max(worst, Math.abs(acc[i] - 2));
  t.true(worst < 1e-12, `max deviation ${worst}`);
});

test('throughput guard: mel spectrograms of 20 clips × 6 s at 22050 Hz take under 4 s (≈0.17 s unloaded; 80 clips ≈ 0.7 s in scripts/bench/mel.ts)', (t) => {
  const rng = new Rng(6, 'speed');
  const clip = rng.normals(6 * 22050);
  const t0 = performance.now();
  let frames = 0;
  for (let c = 0; c < 20; c++) frames += melSpectrogram(clip).nFrames;
  const sec = (performance.now() - t0) / 1000;
  t.is(frames, 20 * (1 + Math.floor((6 * 22050) / 512)));
  t.true(sec < 4, `${sec.toFixed(2)} s`);
  t.log(`20 × 6 s: ${sec.toFixed(2)} s`);
});

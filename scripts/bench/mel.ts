/**
 * Mel-spectrogram throughput: 80 clips × 6 s at 22050 Hz (the size of one
 * training set pass), librosa defaults, against a vectorised numpy pipeline
 * (framing + rfft + filterbank matmul) timed in the same run.
 */
import { spawnSync } from 'node:child_process';
import { Rng } from '../../src/core/prng.js';
import { melSpectrogram } from '../../src/signal/mel.js';

const rng = new Rng(1, 'bench-mel');
const clips = Array.from({ length: 80 }, () => rng.normals(6 * 22050));
const t0 = performance.now();
let frames = 0;
for (const c of clips) frames += melSpectrogram(c).nFrames;
const ours = (performance.now() - t0) / 1000;

const py = spawnSync(
  '/usr/bin/python3',
  [
    '-c',
    `import numpy as np, time
from scipy.signal import get_window
x=np.random.default_rng(1).standard_normal((80,6*22050)).astype(np.float32)
W=np.random.default_rng(2).random((128,1025))
w=get_window('hann',2048)
t=time.perf_counter()
for c in x:
    y=np.pad(c,1024); nf=1+(len(y)-2048)//512
    idx=np.arange(2048)[:,None]+512*np.arange(nf)[None,:]
    M=W@(np.abs(np.fft.rfft(y[idx]*w[:,None],axis=0))**2)
print(time.perf_counter()-t)`,
  ],
  { encoding: 'utf8' },
);
const numpy = Number(py.stdout.trim());
console.log(`melSpectrogram 80 × 6 s (${frames} frames): ${ours.toFixed(3)} s; numpy ${numpy.toFixed(3)} s; ratio ours/numpy ${(ours / numpy).toFixed(2)}`);

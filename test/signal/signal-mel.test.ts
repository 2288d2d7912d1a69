import test from 'ava';
import * as path from 'node:path';
import { Rng } from '../../src/core/prng.js';
import { readWav } from '../../src/io/wav.js';
import { hzToMel, melFilterbank, melFrequencies, melSpectrogram, melToHz, powerToDb } from '../../src/signal/mel.js';
import { stftFrameCount } from '../../src/signal/stft.js';
import { conformanceRoot } from '../helpers/conformance.js';
import { maxAbs, maxAbsDiff, pyJson } from '../helpers/signal-python.js';

const TRUMPET = path.join(conformanceRoot(), 'audio', '_derived_from_librosa__data', 'sorohanro_-_solo-trumpet-06.wav');

// An independent numpy derivation of librosa's Slaney filterbank: the mel
// scale written as a vectorised piecewise function, and each triangle drawn
// with np.interp through (left, 0), (centre, 1), (right, 0) instead of ramps.
const NUMPY_MEL = `
def slaney_mel(f):
    f=np.asarray(f,dtype=float)
    return np.where(f<1000.0, 3.0*f/200.0, 15.0+27.0*np.log(np.maximum(f,1e-300)/1000.0)/np.log(6.4))
def slaney_hz(m):
    m=np.asarray(m,dtype=float)
    return np.where(m<15.0, 200.0*m/3.0, 1000.0*6.4**((m-15.0)/27.0))
def fbank(sr,n_fft,n_mels,fmin,fmax):
    freqs=np.arange(n_fft//2+1)*sr/n_fft
    edges=slaney_hz(np.linspace(slaney_mel(fmin),slaney_mel(fmax),n_mels+2))
    W=np.zeros((n_mels,len(freqs)))
    for m in range(n_mels):
        l,c,r=edges[m],edges[m+1],edges[m+2]
        W[m]=np.interp(freqs,[l,c,r],[0.0,1.0,0.0],left=0.0,right=0.0)*2.0/(r-l)
    return W
def stft_power(x,n_fft,hop):
    from scipy.signal import get_window
    y=np.pad(np.asarray(x,dtype=float),n_fft//2,mode='constant')
    nf=1+(len(y)-n_fft)//hop
    w=get_window('hann',n_fft,fftbins=True)
    idx=np.arange(n_fft)[:,None]+hop*np.arange(nf)[None,:]
    return np.abs(np.fft.rfft(y[idx]*w[:,None],axis=0))**2
def to_db(S,ref,amin=1e-10,top=80.0):
    d=10*np.log10(np.maximum(amin,S))-10*np.log10(max(amin,ref))
    return np.maximum(d,d.max()-top)
`;

test('Slaney mel scale: 1 kHz ↔ 15 mel, linear below, 27 mel per ×6.4 above; HTK 1000 Hz ≈ 1000 mel', (t) => {
  t.true(Math.abs(hzToMel(1000) - 15) < 1e-12);
  t.true(Math.abs(hzToMel(200) - 3) < 1e-12);
  t.true(Math.abs(hzToMel(6400) - 42) < 1e-12);
  t.true(Math.abs(hzToMel(1000, true) - 999.9856) < 1e-3);
  for (const f of [0, 55, 440, 999.9, 1000, 4186, 11025]) {
    t.true(Math.abs(melToHz(hzToMel(f)) - f) < 1e-9 * Math.max(1, f));
    t.true(Math.abs(melToHz(hzToMel(f, true), true) - f) < 1e-9 * Math.max(1, f));
  }
  const mf = melFrequencies(130, 0, 11025);
  t.is(mf[0], 0);
  t.true(Math.abs(mf[129] - 11025) < 1e-9);
});

test('mel filterbank equals an independent numpy derivation (sr 22050/16000, several fmin/fmax) to 1e-6 relative', (t) => {
  const configs = [
    { sr: 22050, nFft: 2048, nMels: 128, fmin: 0, fmax: 11025 },
    { sr: 16000, nFft: 512, nMels: 40, fmin: 20, fmax: 7600 },
    { sr: 22050, nFft: 1024, nMels: 64, fmin: 50, fmax: 8000 },
  ];
  const ref = pyJson<number[][][]>(`${NUMPY_MEL}print(json.dumps([fbank(c['sr'],c['nFft'],c['nMels'],c['fmin'],c['fmax']).tolist() for c in inp]))`, configs);
  configs.forEach((c, i) => {
    const fb = melFilterbank(c);
    const r = ref[i].flat();
    const scale = maxAbs(r);
    const err = maxAbsDiff(fb.weights, r) / scale;
    t.true(err < 1e-6, `config ${i}: rel err ${err}`);
    // Support ranges cover exactly the nonzero weights.
    for (let m = 0; m < fb.nMels; m++) {
      for (let k = 0; k < fb.nBins; k++) {
        const w = fb.weights[m * fb.nBins + k];
        if (w !== 0 && (k < fb.lo[m] || k >= fb.hi[m])) t.fail(`band ${m} bin ${k} outside support`);
      }
    }
  });
});

test('librosa trumpet example: centred STFT gives 230 frames ⇒ 5.317369614512471 s, uncentred 226 ⇒ 5.224489795918367 s', (t) => {
  const wav = readWav(TRUMPET);
  t.is(wav.sampleRate, 22050);
  const y = wav.channels[0];
  t.is(y.length, 117601);
  const centred = melSpectrogram(y);
  t.is(centred.nFrames, 230);
  t.is(centred.nMels, 128);
  // librosa.get_duration(S=...) = hop·(nFrames − 1)/sr; the docs print 16 digits.
  t.true(Math.abs((512 * (centred.nFrames - 1)) / 22050 - 5.317369614512471) < 1e-12);
  const uncentred = stftFrameCount(y.length, { nFft: 2048, hop: 512, center: false });
  t.is(uncentred, 226);
  t.true(Math.abs((512 * (uncentred - 1)) / 22050 - 5.224489795918367) < 1e-12);
});

test('trumpet mel spectrogram in dB (ref = max) matches the numpy pipeline within 0.01 dB', (t) => {
  const y = readWav(TRUMPET).channels[0];
  const mel = melSpectrogram(y);
  const db = powerToDb(mel.data, { ref: 'max' });
  const ref = pyJson<{ mel: number[][]; db: number[][] }>(
    NUMPY_MEL +
      `x=np.array(inp,dtype=np.float32).astype(float)
M=fbank(22050,2048,128,0,11025)@stft_power(x,2048,512)
print(json.dumps({'mel':M.tolist(),'db':to_db(M,M.max()).tolist()}))`,
    Array.from(y),
  );
  const refMel = ref.mel.flat();
  const relMel = maxAbsDiff(mel.data, refMel) / maxAbs(refMel);
  t.true(relMel < 1e-6, `mel power rel err ${relMel}`);
  const dbErr = maxAbsDiff(db, ref.db.flat());
  t.true(dbErr < 0.01, `dB max abs err ${dbErr}`);
  // top_db = 80 clipping really happened on this recording (quiet onset).
  let min = Infinity;
  for (const v of db) min = Math.min(min, v);
  t.true(Math.abs(min - -80) < 1e-4, `floor ${min}`);
});

test('random signal at sr 16000, nMels 40, reflect padding: melSpectrogram matches numpy to 1e-6 relative', (t) => {
  const x = new Rng(21, 'mel').normals(16000);
  const mel = melSpectrogram(x, { sr: 16000, nFft: 512, hop: 160, nMels: 40, fmin: 20, fmax: 7600, padMode: 'reflect' });
  const ref = pyJson<number[][]>(
    NUMPY_MEL +
      `from scipy.signal import get_window
x=np.array(inp,dtype=float)
y=np.pad(x,256,mode='reflect'); nf=1+(len(y)-512)//160; w=get_window('hann',512)
idx=np.arange(512)[:,None]+160*np.arange(nf)[None,:]
P=np.abs(np.fft.rfft(y[idx]*w[:,None],axis=0))**2
print(json.dumps((fbank(16000,512,40,20,7600)@P).tolist()))`,
    Array.from(x),
  );
  t.is(mel.nFrames, ref[0].length);
  const r = ref.flat();
  const err = maxAbsDiff(mel.data, r) / maxAbs(r);
  t.true(err < 1e-6, `rel err ${err}`);
});

test('planted 1 kHz tone (sr 16000, on-bin): loudest mel band is the one centred nearest 1 kHz, power = (A·N/4)²·w', (t) => {
  const sr = 16000;
  const nFft = 2048;
  const A = 0.5;
  const x = new Float32Array(sr);
  for (let i = 0; i < x.length; i++) x[i] = A * Math.sin((2 * Math.PI * 1000 * i) / sr);
  const mel = melSpectrogram(x, { sr, nFft, hop: 512, nMels: 64 });
  const fb = melFilterbank({ sr, nFft, nMels: 64 });
  const centres = melFrequencies(66, 0, sr / 2).slice(1, 65);
  const tMid = Math.floor(mel.nFrames / 2);
  let best = 0;
  for (let m = 1; m < 64; m++) if (mel.data[m * mel.nFrames + tMid] > mel.data[best * mel.nFrames + tMid]) best = m;
  let nearest = 0;
  for (let m = 1; m < 64; m++) if (Math.abs(centres[m] - 1000) < Math.abs(centres[nearest] - 1000)) nearest = m;
  t.is(best, nearest);
  // Hann main lobe of an on-bin tone: |X| = A·N/4 at bin k, A·N/8 at k ± 1, zero elsewhere.
  const k = (1000 * nFft) / sr;
  const peak = (A * nFft) / 4;
  const w = (j: number): number => fb.weights[best * fb.nBins + j];
  const expected = peak ** 2 * w(k) + (peak / 2) ** 2 * (w(k - 1) + w(k + 1));
  const got = mel.data[best * mel.nFrames + tMid];
  t.true(Math.abs(got - expected) / expected < 1e-4, `got ${got} expected ${expected}`);
});

test('powerToDb follows librosa.power_to_db: amin floor, ref offset, top_db clip, topDb null disables', (t) => {
  const S = new Float32Array([1, 10, 100, 1e-12, 0]);
  t.deepEqual(
    Array.from(powerToDb(S, { topDb: null })).map((v) => Math.round(v * 1e4) / 1e4),
    [0, 10, 20, -100, -100],
  );
  t.deepEqual(
    Array.from(powerToDb(S)).map((v) => Math.round(v * 1e4) / 1e4),
    [0, 10, 20, -60, -60],
  );
  t.deepEqual(
    Array.from(powerToDb(S, { ref: 100, topDb: 25 })).map((v) => Math.round(v * 1e4) / 1e4),
    [-20, -10, 0, -25, -25],
  );
  t.deepEqual(
    Array.from(powerToDb(S, { ref: 'max', amin: 1e-5, topDb: null })).map((v) => Math.round(v * 1e4) / 1e4),
    [-20, -10, 0, -70, -70],
  );
});

test('bad spectrogram options are reported as InputError naming the option', (t) => {
  const x = new Float32Array(1000);
  t.throws(() => melSpectrogram(x, { center: false }), { name: 'InputError', message: /shorter than nFft/ });
  t.throws(() => melSpectrogram(x, { nMels: 0 }), { name: 'InputError', message: /nMels/ });
  t.throws(() => melSpectrogram(x, { fmin: 5000, fmax: 4000 }), { name: 'InputError', message: /fmax/ });
  t.throws(() => melSpectrogram(x, { hop: 0 }), { name: 'InputError', message: /hop/ });
  t.throws(() => powerToDb(x, { amin: 0 }), { name: 'InputError', message: /amin/ });
});

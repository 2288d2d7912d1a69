import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { fft, ifft, irfft, rfft } from '../../src/signal/fft.js';
import { stft, stftFrameCount, stftMagnitude } from '../../src/signal/stft.js';
import { hann, kaiser } from '../../src/signal/windows.js';
import { maxAbs, maxAbsDiff, pyJson } from '../helpers/signal-python.js';

test('complex FFT matches numpy.fft.fft for radix-2, composite and prime lengths (rel. error < 1e-12)', (t) => {
  const rng = new Rng(11, 'fft');
  const lengths = [1, 2, 8, 1024, 6, 1000, 997, 2205];
  const inputs = lengths.map((n) => ({ re: Array.from(rng.normals(n)), im: Array.from(rng.normals(n)) }));
  const ref = pyJson<{ re: number[]; im: number[] }[]>(
    `out=[]
for a in inp:
    X=np.fft.fft(np.array(a['re'])+1j*np.array(a['im']))
    out.append({'re':X.real.tolist(),'im':X.imag.tolist()})
print(json.dumps(out))`,
    inputs,
  );
  inputs.forEach((x, i) => {
    const got = fft(x.re, x.im);
    const scale = Math.max(1, maxAbs(ref[i].re), maxAbs(ref[i].im));
    const err = Math.max(maxAbsDiff(got.re, ref[i].re), maxAbsDiff(got.im, ref[i].im)) / scale;
    t.true(err < 1e-12, `n=${lengths[i]} rel err ${err}`);
    const back = ifft(got.re, got.im);
    t.true(maxAbsDiff(back.re, x.re) < 1e-12 && maxAbsDiff(back.im, x.im) < 1e-12, `round trip n=${lengths[i]}`);
  });
});

test('real FFT matches numpy.fft.rfft (packed radix-2 and Bluestein paths)', (t) => {
  const rng = new Rng(12, 'rfft');
  const lengths = [4, 2048, 512, 1000, 1023];
  const inputs = lengths.map((n) => Array.from(rng.normals(n)));
  const ref = pyJson<{ re: number[]; im: number[] }[]>(
    `print(json.dumps([{'re':np.fft.rfft(a).real.tolist(),'im':np.fft.rfft(a).imag.tolist()} for a in inp]))`,
    inputs,
  );
  inputs.forEach((x, i) => {
    const got = rfft(x);
    t.is(got.re.length, Math.floor(x.length / 2) + 1);
    const err = Math.max(maxAbsDiff(got.re, ref[i].re), maxAbsDiff(got.im, ref[i].im));
    t.true(err < 1e-10, `n=${lengths[i]} abs err ${err}`);
  });
});

test('irfft inverts rfft for even and odd lengths and equals numpy.fft.irfft on a truncated spectrum', (t) => {
  const rng = new Rng(14, 'irfft');
  for (const n of [2048, 1000, 999, 7]) {
    const x = rng.normals(n);
    const X = rfft(x);
    t.true(maxAbsDiff(irfft(X.re, X.im, n), x) < 1e-12 * Math.max(1, maxAbs(x)) * 10, `n=${n}`);
  }
  const re = Array.from(rng.normals(33));
  const im = Array.from(rng.normals(33));
  const ref = pyJson<{ even: number[]; odd: number[] }>(
    `X=np.array(inp['re'])+1j*np.array(inp['im'])
print(json.dumps({'even':np.fft.irfft(X).tolist(),'odd':np.fft.irfft(X,n=65).tolist()}))`,
    { re, im },
  );
  t.true(maxAbsDiff(irfft(re, im), ref.even) < 1e-12);
  t.true(maxAbsDiff(irfft(re, im, 65), ref.odd) < 1e-12);
});

test('Hann (periodic and symmetric) and Kaiser windows match scipy.signal.get_window', (t) => {
  const ref = pyJson<{ hp: number[]; hs: number[]; k: number[] }>(
    `from scipy.signal import get_window
print(json.dumps({'hp':get_window('hann',2048).tolist(),'hs':get_window('hann',101,fftbins=False).tolist(),'k':get_window(('kaiser',5.0),201,fftbins=False).tolist()}))`,
    null,
  );
  t.true(maxAbsDiff(hann(2048, true), ref.hp) < 1e-15);
  t.true(maxAbsDiff(hann(101, false), ref.hs) < 1e-15);
  t.true(maxAbsDiff(kaiser(201, 5.0), ref.k) < 1e-13);
});

test('centred STFT (zero padding and reflect padding) matches a numpy framing + rfft reference', (t) => {
  const rng = new Rng(13, 'stft');
  const x = Array.from(rng.normals(5000));
  const nFft = 512;
  const hop = 128;
  const ref = pyJson<Record<string, { re: number[][]; im: number[][] }>>(
    `from scipy.signal import get_window
x=np.array(inp)
w=get_window('hann',512,fftbins=True)
out={}
for mode,center in (('constant',True),('reflect',True),('none',False)):
    y=np.pad(x,256,mode=mode) if center else x
    nf=1+(len(y)-512)//128
    fr=np.stack([y[t*128:t*128+512]*w for t in range(nf)],axis=1)
    D=np.fft.rfft(fr,axis=0)
    out[mode]={'re':D.real.tolist(),'im':D.imag.tolist()}
print(json.dumps(out))`,
    x,
  );
  const cases: [string, boolean, 'constant' | 'reflect'][] = [
    ['constant', true, 'constant'],
    ['reflect', true, 'reflect'],
    ['none', false, 'constant'],
  ];
  for (const [key, center, padMode] of cases) {
    const got = stft(x, { nFft, hop, center, padMode });
    const r = ref[key];
    t.is(got.nBins, r.re.length);
    t.is(got.nFrames, r.re[0].length, `${key} frame count`);
    const err = Math.max(maxAbsDiff(got.re, r.re.flat()), maxAbsDiff(got.im, r.im.flat()));
    t.true(err < 1e-9, `${key}: max abs err ${err}`);
    const mag = stftMagnitude(x, { nFft, hop, center, padMode, power: 2 });
    const refIm = r.im.flat();
    const pow = r.re.flat().map((v, i) => v * v + refIm[i] ** 2);
    const relPow = maxAbsDiff(mag.data, pow) / maxAbs(pow);
    t.true(relPow < 1e-6, `${key}: power rel err ${relPow}`);
  }
  t.is(stftFrameCount(5000, { nFft, hop }), 1 + Math.floor(5000 / hop));
});

/**
 * The 'modulation' PredANN target: per-window log band power of the envelope's
 * modulation spectrum (0.5–8 Hz, 6 log-spaced bands) and the flux's mean and
 * sd. Checked against numpy's rfft of the same Hann-windowed, mean-removed
 * stretch (band means of |X|²/N, within 1e-4 in log power); a 2.5 Hz and a 4 Hz
 * beat peak in their own bands; and a window shifted by 37 samples along a
 * stationary beat gives nearly the same vector (it survives pooling over time).
 */
import test from 'ava';
import { modulationBands, windowModulationVectors } from '../../src/decoding/targets.js';
import type { TargetMatrix } from '../../src/decoding/types.js';
import { pyJson } from '../helpers/signal-python.js';

const RATE = 64,
  WIN = 192,
  N = 640;
const beat = (hz: number): Float32Array => Float32Array.from({ length: N }, (_, t) => 1 + 0.5 * Math.sin((2 * Math.PI * hz * t) / RATE));
const songs: Record<string, Float32Array> = { a: beat(2.5), b: beat(4) };
const env = (id: string): TargetMatrix => ({ data: songs[id], n: N, f: 1 });
const flux = (id: string): TargetMatrix => ({ data: Float32Array.from(songs[id], (v) => v * v), n: N, f: 1 });

test('band powers match numpy rfft; each beat peaks in its own band; flux statistics are the mean and sd', (t) => {
  const windows = [
    { seg: 0, start: 10 },
    { seg: 1, start: 10 },
  ];
  const v = windowModulationVectors(env, flux, ['a', 'b'], windows, [0, 1], WIN, RATE);
  t.is(v.dim, 8);
  const edges = modulationBands(RATE, 6);
  const ref = pyJson<number[][]>(
    [
      'out=[]',
      'for x in inp["x"]:',
      '  x=np.array(x,dtype=np.float64); w=len(x); h=0.5-0.5*np.cos(2*np.pi*np.arange(w)/w); s=(x-x.mean())*h',
      '  P=np.abs(np.fft.rfft(s))**2/w; row=[]',
      '  for lo,hi in zip(inp["edges"][:-1],inp["edges"][1:]):',
      '    k0=max(1,int(np.ceil(lo*w/inp["rate"]))); k1=max(k0,int(np.floor(hi*w/inp["rate"])))',
      '    row.append(float(np.log(P[k0:k1+1].mean()+1e-8)))',
      '  out.append(row)',
      'print(json.dumps(out))',
    ].join('\n'),
    { x: [Array.from(songs.a.subarray(10, 10 + WIN)), Array.from(songs.b.subarray(10, 10 + WIN))], edges, rate: RATE },
  );
  for (let i = 0; i < 2; i++)
    for (let b = 0; b < 6; b++) t.true(Math.abs(v.data[i * 8 + b] - ref[i][b]) < 1e-4, `window ${i} band ${b}: ${v.data[i * 8 + b]} vs ${ref[i][b]}`);
  const peak = (i: number): number => {
    const row = Array.from(v.data.subarray(i * 8, i * 8 + 6));
    return row.indexOf(Math.max(...row));
  };
  const bandOf = (hz: number): number => edges.findIndex((e, k) => hz >= e && hz < edges[k + 1]);
  t.is(peak(0), bandOf(2.5));
  t.is(peak(1), bandOf(4));
  const fa = Array.from(flux('a').data.subarray(10, 10 + WIN));
  const m = fa.reduce((s, x) => s + x, 0) / WIN;
  t.true(Math.abs(v.data[6] - m) < 1e-5);
  t.true(Math.abs(v.data[7] - Math.sqrt(fa.reduce((s, x) => s + (x - m) ** 2, 0) / WIN)) < 1e-4);
});

test('a shifted window along a stationary beat gives nearly the same target', (t) => {
  const v = windowModulationVectors(
    env,
    flux,
    ['a'],
    [
      { seg: 0, start: 0 },
      { seg: 0, start: 37 },
    ],
    [0, 1],
    WIN,
    RATE,
  );
  for (let j = 0; j < 8; j++) t.true(Math.abs(v.data[j] - v.data[8 + j]) < 0.25, `feature ${j}: ${v.data[j]} vs ${v.data[8 + j]}`);
});

test('validation hold-out takes whole segments, ⌊fraction · n⌋ per song, and PredANN with the modulation target runs end to end', async (t) => {
  const { validationSplit } = await import('../../src/decoding/predann.js');
  const { runIdentification } = await import('../../src/decoding/identify.js');
  const { decodeEegConfigSchema } = await import('../../src/decoding/config.js');
  const { cutWindowRefs } = await import('../../src/decoding/windows.js');
  const { initBackend } = await import('../../src/models/backend.js');
  const { Rng } = await import('../../src/core/prng.js');
  const nSeg = 12,
    nCh = 2,
    nT = 4 * RATE;
  const stimIds = Array.from({ length: nSeg }, (_, i) => (i % 2 ? 'b' : 'a'));
  const rng = new Rng(4, 'mod-set');
  const eeg = rng.normals(nSeg * nCh * nT, 0, 1);
  // Channel 0 follows the song's beat, so the classifier has something to learn.
  for (let s = 0; s < nSeg; s++) for (let i = 0; i < nT; i++) eeg[s * nCh * nT + i] += songs[stimIds[s]][i];
  const set = { eeg, nSeg, nCh, nT, rate: RATE, shiftSec: 0.2, stimIds, subjects: stimIds.map((_, i) => (i < 6 ? 'sub-01' : 'sub-02')) };
  const windows = cutWindowRefs(nSeg, nT, WIN, RATE);
  const all = windows.map((_, i) => i);
  const { fit, validation } = validationSplit(set, windows, all, 0.34, new Rng(1));
  const segsOf = (idx: number[]): Set<number> => new Set(idx.map((i) => windows[i].seg));
  const vs = segsOf(validation);
  t.is(vs.size, 4, '⌊0.34 · 6⌋ = 2 segments per song');
  t.is([...vs].filter((s) => stimIds[s] === 'a').length, 2);
  t.false([...segsOf(fit)].some((s) => vs.has(s)));
  t.is(fit.length + validation.length, all.length);
  await initBackend('wasm');
  const cfg = decodeEegConfigSchema.parse({
    decoders: ['predann'],
    splits: ['loso'],
    windowSec: 3,
    hopSec: 1,
    evalWindowsSec: [3],
    combine: ['mean'],
    nBoot: 20,
    nPerm: 20,
    predannTarget: 'modulation',
    encoder: { epochs: 3, patience: 0, batchSize: 8, filters: [4], kernel: [1, 5], poolTime: 2, projectionHidden: 8 },
  });
  const res = runIdentification({ set, annTarget: env, envelopeTarget: env, fluxTarget: flux }, cfg, 1);
  t.is(res.training.filter((h) => h.epoch === 1).length, 2, 'one training run per LOSO fold');
  t.true(res.training.every((h) => h.nce > 0 && Number.isFinite(h.loss)));
  t.is(res.itemHits.length, nSeg, 'one non-overlapping 3 s item per 4 s segment');
});

/**
 * The one streaming summary behind `brainalign info`: block-wise adding and
 * merging give the statistics of the whole array; NaN is counted apart.
 */
import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { SummaryAccumulator, summarize } from '../../src/core/summary.js';

test('planted values 3, 0, −2, NaN, 5 → count 5, nan 1, nonzero 3, min −2, max 5, sum 6, mean 1.5', (t) => {
  t.deepEqual(summarize([3, 0, -2, NaN, 5]), { count: 5, nan: 1, nonzero: 3, min: -2, max: 5, mean: 1.5, sum: 6 });
});

test('10 000 seeded normals added in 7 uneven blocks, or split over two merged accumulators, equal the one-pass summary (sum within 1e-9)', (t) => {
  const x = new Rng(3, 'summary').normals(10000, 1, 2);
  for (let i = 0; i < x.length; i += 97) x[i] = NaN;
  for (let i = 5; i < x.length; i += 89) x[i] = 0;
  const whole = summarize(x);
  // Independent formula: a plain reduction over the non-NaN values.
  const fin = Array.from(x).filter((v) => !Number.isNaN(v));
  t.is(whole.count, 10000);
  t.is(whole.nan, x.length - fin.length);
  t.is(whole.nonzero, fin.filter((v) => v !== 0).length);
  t.is(whole.min, Math.min(...fin));
  t.is(whole.max, Math.max(...fin));
  t.true(Math.abs((whole.sum ?? NaN) - fin.reduce((a, b) => a + b, 0)) < 1e-9);
  const cuts = [0, 1, 400, 401, 3000, 7777, 9999, 10000];
  const blocks = new SummaryAccumulator();
  for (let k = 0; k + 1 < cuts.length; k++) blocks.add(x, cuts[k], cuts[k + 1]);
  const merged = new SummaryAccumulator().add(x.subarray(0, 4321)).merge(new SummaryAccumulator().add(x.subarray(4321)));
  for (const s of [blocks.result(), merged.result()]) {
    t.deepEqual([s.count, s.nan, s.nonzero, s.min, s.max], [whole.count, whole.nan, whole.nonzero, whole.min, whole.max]);
    t.true(Math.abs((s.sum ?? NaN) - (whole.sum ?? NaN)) < 1e-9);
    t.true(Math.abs((s.mean ?? NaN) - (whole.mean ?? NaN)) < 1e-12);
  }
});

test('no values, all NaN, or ±Infinity: statistics JSON cannot carry are null, the sum of nothing is 0', (t) => {
  t.deepEqual(summarize([]), { count: 0, nan: 0, nonzero: 0, min: null, max: null, mean: null, sum: 0 });
  t.deepEqual(summarize([NaN, NaN]), { count: 2, nan: 2, nonzero: 0, min: null, max: null, mean: null, sum: 0 });
  t.deepEqual(summarize([1, -Infinity, 2]), { count: 3, nan: 0, nonzero: 3, min: null, max: 2, mean: null, sum: null });
});

import test from 'ava';
import { Rng } from '../../src/core/prng.js';

test('same seed and label give the same stream; labels give independent streams', (t) => {
  const a = new Rng(42, 'x');
  const b = new Rng(42, 'x');
  const c = new Rng(42, 'y');
  const sa = Array.from({ length: 50 }, () => a.nextU32());
  const sb = Array.from({ length: 50 }, () => b.nextU32());
  const sc = Array.from({ length: 50 }, () => c.nextU32());
  t.deepEqual(sa, sb);
  t.notDeepEqual(sa, sc);
});

test('normal draws have mean 0 and variance 1 within sampling error', (t) => {
  const r = new Rng(7);
  const n = 200000;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const v = r.normal();
    s += v;
    s2 += v * v;
  }
  const mean = s / n;
  const variance = s2 / n - mean * mean;
  // 5 standard errors: |mean| < 5/sqrt(n) ≈ 0.011, var SE = sqrt(2/n) ≈ 0.0032
  t.true(Math.abs(mean) < 0.011, `mean ${mean}`);
  t.true(Math.abs(variance - 1) < 0.016, `var ${variance}`);
});

test('uniform integers are unbiased across bins (chi-square)', (t) => {
  const r = new Rng(3);
  const k = 10;
  const n = 100000;
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) counts[r.int(k)]++;
  const e = n / k;
  const chi2 = counts.reduce((acc, c) => acc + ((c - e) * (c - e)) / e, 0);
  // chi2 with 9 dof: 99.9th percentile is 27.9
  t.true(chi2 < 27.9, `chi2 ${chi2}`);
});

test('permutation is a permutation and fork is reproducible', (t) => {
  const p = new Rng(1).fork('perm').permutation(100);
  t.deepEqual(
    [...p].sort((a, b) => a - b),
    Array.from({ length: 100 }, (_, i) => i),
  );
  t.deepEqual([...new Rng(1).fork('perm').permutation(100)], [...p]);
});

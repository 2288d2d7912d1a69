/**
 * The paired λ comparison's statistics against independent references:
 * exact McNemar p = scipy.stats.binomtest(b, b + c, ½) two-sided; the exact
 * sign-flip p over 5 seeds = a brute-force enumeration in numpy (itertools),
 * whose floor is 2/32; a sampled null over 14 seeds agrees with the exact
 * enumeration within 0.01.
 */
import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { mcnemarExact, pairedSignFlip } from '../../src/decoding/compare.js';
import { pyJson } from '../helpers/signal-python.js';

test('McNemar exact p matches scipy binomtest on the discordant pairs', (t) => {
  const cases: [number, number, number][] = [
    [12, 3, 40],
    [5, 5, 20],
    [0, 7, 10],
    [30, 18, 100],
  ];
  const ref = pyJson<number[]>(
    'from scipy.stats import binomtest\nprint(json.dumps([binomtest(b, b + c, 0.5).pvalue if b + c > 0 else 1.0 for b, c, _ in inp]))',
    cases,
  );
  cases.forEach(([b, c, same], k) => {
    const hitsA = [...Array(b).fill(1), ...Array(c).fill(0), ...Array(same).fill(1)];
    const hitsB = [...Array(b).fill(0), ...Array(c).fill(1), ...Array(same).fill(1)];
    const r = mcnemarExact(hitsA, hitsB);
    t.is(r.b, b);
    t.is(r.c, c);
    t.true(Math.abs(r.p - ref[k]) < 1e-9, `b ${b}, c ${c}: ${r.p} vs scipy ${ref[k]}`);
  });
  t.is(mcnemarExact([1, 0], [1, 0]).p, 1);
});

test('sign-flip over seeds: exact enumeration matches numpy, 5 seeds cannot go below p = 2/32, sampling agrees with enumeration', (t) => {
  const d = [0.04, 0.06, 0.01, 0.05, 0.03];
  const ref = pyJson<number>(
    'import itertools\nd=np.array(inp); m=abs(d.mean())\nc=sum(abs((d*np.array(s)).mean())>=m-1e-12 for s in itertools.product([1,-1],repeat=len(d)))\nprint(json.dumps(c/2**len(d)))',
    d,
  );
  const r = pairedSignFlip(d, new Rng(1));
  t.true(r.exact);
  t.true(Math.abs(r.p - ref) < 1e-12, `${r.p} vs ${ref}`);
  t.is(r.p, 2 / 32);
  t.true(Math.abs(r.meanDiff - 0.038) < 1e-12);
  t.true(r.lo <= r.meanDiff && r.meanDiff <= r.hi && r.lo > 0);
  const d14 = Array.from({ length: 14 }, (_, i) => 0.02 * Math.sin(i + 1) + 0.01);
  const exact = pairedSignFlip(d14, new Rng(2), 2 ** 14);
  const sampled = pairedSignFlip(d14, new Rng(2), 4000);
  t.true(exact.exact && !sampled.exact);
  t.true(Math.abs(exact.p - sampled.p) < 0.01, `${exact.p} vs ${sampled.p}`);
});

/**
 * Splits and accuracy bookkeeping on hand-made cases: time-block folds share
 * no EEG sample between train and test; random-chunk tests every window once;
 * LOSO tests each subject once; mean/max/vote combination and conservative
 * top-k ranks follow their definitions; a perfect decoder over 12 items has
 * p_perm ≈ 1/(P+1) and a constant guess is at chance.
 */
import test from 'ava';
import { Rng } from '../src/core/prng.js';
import { cutWindowRefs, losoFolds, randomChunkFolds, timeBlockFolds } from '../src/decoding/windows.js';
import { accuracy, combineScores, evaluationItems, trueRank, type EvalItem } from '../src/decoding/evaluate.js';
import type { SegmentSet } from '../src/decoding/types.js';

test('time-block folds: test windows lie inside the block, training windows never touch it', (t) => {
  const win = 64, nT = 512;
  const w = cutWindowRefs(3, nT, win, 16);
  const folds = timeBlockFolds(w, nT, win, 2);
  t.is(folds.length, 2);
  for (const [b, f] of folds.entries()) {
    const lo = b * 256, hi = lo + 256;
    t.true(f.test.length > 0 && f.train.length > 0);
    for (const i of f.test) t.true(w[i].start >= lo && w[i].start + win <= hi);
    for (const i of f.train) t.true(w[i].start + win <= lo || w[i].start >= hi);
  }
  t.throws(() => timeBlockFolds(cutWindowRefs(1, 100, 80, 10), 100, 80, 2), { message: /shorter than a window/ });
});

test('random-chunk tests every window exactly once; LOSO tests each subject once and never trains on it', (t) => {
  const w = cutWindowRefs(6, 300, 50, 25);
  const folds = randomChunkFolds(w, 4, new Rng(3));
  const seen = new Int32Array(w.length);
  for (const f of folds) { for (const i of f.test) seen[i]++; t.is(f.train.length + f.test.length, w.length); }
  t.true(seen.every((c) => c === 1));
  const set = { subjects: ['sub-01', 'sub-01', 'sub-02', 'sub-02', 'sub-03', 'sub-03'] } as Pick<SegmentSet, 'subjects'>;
  const lo = losoFolds(w, set);
  t.deepEqual(lo.map((f) => f.name), ['loso-sub-01', 'loso-sub-02', 'loso-sub-03']);
  for (const f of lo) {
    const s = f.name.slice(5);
    t.true(f.test.every((i) => set.subjects[w[i].seg] === s));
    t.true(f.train.every((i) => set.subjects[w[i].seg] !== s));
  }
});

test('combination rules: mean, max and majority vote (ties broken by the mean)', (t) => {
  const s = [Float32Array.of(0.9, 0.1, 0.0), Float32Array.of(0.2, 0.5, 0.4), Float32Array.of(0.1, 0.6, 0.5)];
  t.deepEqual([...combineScores(s, 'mean')].map((v) => +v.toFixed(4)), [0.4, 0.4, 0.3]);
  t.deepEqual([...combineScores(s, 'max')].map((v) => +v.toFixed(4)), [0.9, 0.6, 0.5]);
  const v = combineScores(s, 'vote');
  t.is(v.indexOf(Math.max(...v)), 1); // votes: class 1 twice, class 0 once
  const tie = combineScores([Float32Array.of(1, 0), Float32Array.of(0, 0.5)], 'vote');
  t.true(tie[0] > tie[1]); // one vote each; class 0 has the higher mean
  t.is(trueRank([0.3, 0.3, 0.1], 0), 1); // a tie counts against the true class
  t.is(trueRank([0.5, 0.3, 0.1], 0), 0);
});

test('long windows group consecutive test windows of one segment; short items are dropped', (t) => {
  const set: SegmentSet = { eeg: new Float32Array(0), nSeg: 1, nCh: 1, nT: 400, rate: 100, stimIds: ['b'], subjects: ['sub-01'] };
  const w = cutWindowRefs(1, 400, 100, 50); // starts 0, 50, …, 300
  const tested = w.map((_, i) => ({ window: i, fold: 'f', scores: Float32Array.of(i % 2, 1) }));
  const items = evaluationItems(tested, w, set, new Map([['a', 0], ['b', 1]]), 100, 200, 'mean', 150);
  t.deepEqual(items.map((it) => it.nWindows), [3, 3]); // [0,200): starts 0,50,100; [200,400): 200,250,300
  t.true(items.every((it) => it.trueClass === 1));
});

test('a perfect decoder has p_perm = 1/(P+1) and top-1 = 1; a constant guess sits at chance', (t) => {
  const K = 4;
  const items: EvalItem[] = Array.from({ length: 12 }, (_, i) => {
    const s = new Float64Array(K);
    s[i % K] = 1;
    return { subject: 's', seg: i, trueClass: i % K, scores: s, nWindows: 1 };
  });
  const perfect = accuracy(items, K, 2, new Rng(1), 200, 199);
  t.is(perfect.top1, 1);
  t.is(perfect.top1Lo, 1);
  t.true(perfect.pPerm <= 2 / 200, `p ${perfect.pPerm}`);
  t.is(perfect.confusion[0 * K + 0], 3);
  const constant = accuracy(items.map((it) => ({ ...it, scores: Float64Array.of(1, 0, 0, 0) })), K, 1, new Rng(1), 200, 199);
  t.is(constant.top1, 0.25);
  t.is(constant.pPerm, 1); // every relabelling gives the same 3/12
  t.is(constant.chance, 0.25);
});

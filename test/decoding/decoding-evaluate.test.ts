/**
 * Splits and accuracy bookkeeping on hand-made cases: time-block folds share
 * no EEG sample between train and test; random-chunk tests every window once;
 * LOSO tests each subject once; mean/max/vote combination and conservative
 * top-k ranks follow their definitions; a perfect decoder over 12 items has
 * p_perm ≈ 1/(P+1) and a constant guess is at chance.
 */
import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { chunkFolds, cutWindowRefs, losoFolds, randomChunkFolds, timeBlockFolds } from '../../src/decoding/windows.js';
import { accuracy, combineScores, evaluationItems, trueRank, type EvalItem } from '../../src/decoding/evaluate.js';
import type { SegmentSet } from '../../src/decoding/types.js';

test('time-block folds: test windows lie inside the block, training windows never touch it', (t) => {
  const win = 64,
    nT = 512;
  const w = cutWindowRefs(3, nT, win, 16);
  const folds = timeBlockFolds(w, nT, win, 2);
  t.is(folds.length, 2);
  for (const [b, f] of folds.entries()) {
    const lo = b * 256,
      hi = lo + 256;
    t.true(f.test.length > 0 && f.train.length > 0);
    for (const i of f.test) t.true(w[i].start >= lo && w[i].start + win <= hi);
    for (const i of f.train) t.true(w[i].start + win <= lo || w[i].start >= hi);
  }
  t.throws(() => timeBlockFolds(cutWindowRefs(1, 100, 80, 10), 100, 80, 2), { message: /shorter than a window/ });
  // 6 s segments, 3 s windows, two blocks: a 0.5 s gap leaves nothing to train on, and says so.
  t.throws(() => timeBlockFolds(cutWindowRefs(1, 600, 300, 100), 600, 300, 2, 50), { message: /no training window/ });
});

test('time-block folds with a 0.5 s gap: every training window keeps ≥ 50 samples (at 100 Hz) from the test block', (t) => {
  const win = 64,
    nT = 512,
    gap = 50;
  const w = cutWindowRefs(2, nT, win, 8);
  const folds = timeBlockFolds(w, nT, win, 2, gap);
  const noGap = timeBlockFolds(w, nT, win, 2, 0);
  for (const [b, f] of folds.entries()) {
    const lo = b * 256,
      hi = lo + 256;
    t.true(f.train.length > 0);
    for (const i of f.train) t.true(w[i].start + win <= lo - gap || w[i].start >= hi + gap);
    t.deepEqual(f.test, noGap[b].test);
    // Exactly the windows within the gap were removed: those ending in (lo − gap, lo] or starting in [hi, hi + gap).
    const removed = noGap[b].train.filter((i) => !f.train.includes(i));
    t.true(removed.length > 0 && removed.every((i) => (w[i].start + win > lo - gap && w[i].start + win <= lo) || (w[i].start >= hi && w[i].start < hi + gap)));
  }
});

test("PredANN's chunk split: 30 s chunks per subject × song, 25 % of each song's chunks tested per fold, every chunk tested once, chunks never split", (t) => {
  const rate = 10,
    nT = 120 * rate,
    win = 3 * rate,
    chunk = 30 * rate;
  // 3 subjects × 2 songs, 120 s each → 4 chunks per segment, 12 chunks per song.
  const set = { stimIds: ['a', 'b', 'a', 'b', 'a', 'b'], nT };
  const w = cutWindowRefs(6, nT, win, rate);
  const folds = chunkFolds(w, set, win, chunk, 0.25, new Rng(5));
  t.is(folds.length, 4);
  const chunkOf = (i: number): string => `${w[i].seg}/${Math.floor(w[i].start / chunk)}`;
  const testedIn = new Map<string, number>();
  folds.forEach((f, k) => {
    for (const i of f.test) {
      t.true(w[i].start + win <= (Math.floor(w[i].start / chunk) + 1) * chunk, 'window inside one chunk');
      const c = chunkOf(i);
      t.true(testedIn.get(c) === undefined || testedIn.get(c) === k);
      testedIn.set(c, k);
    }
    const testChunks = new Set(f.test.map(chunkOf));
    for (const song of ['a', 'b'])
      t.is([...testChunks].filter((c) => set.stimIds[Number(c.split('/')[0])] === song).length, 3, `fold ${k + 1}, song ${song}: 3 of 12 chunks`);
    t.false(f.train.some((i) => testChunks.has(chunkOf(i))));
  });
  t.is(testedIn.size, 24);
});

test('random-chunk tests every window exactly once; LOSO tests each subject once and never trains on it', (t) => {
  const w = cutWindowRefs(6, 300, 50, 25);
  const folds = randomChunkFolds(w, 4, new Rng(3));
  const seen = new Int32Array(w.length);
  for (const f of folds) {
    for (const i of f.test) seen[i]++;
    t.is(f.train.length + f.test.length, w.length);
  }
  t.true(seen.every((c) => c === 1));
  const set = { subjects: ['sub-01', 'sub-01', 'sub-02', 'sub-02', 'sub-03', 'sub-03'] } as Pick<SegmentSet, 'subjects'>;
  const lo = losoFolds(w, set);
  t.deepEqual(
    lo.map((f) => f.name),
    ['loso-sub-01', 'loso-sub-02', 'loso-sub-03'],
  );
  for (const f of lo) {
    const s = f.name.slice(5);
    t.true(f.test.every((i) => set.subjects[w[i].seg] === s));
    t.true(f.train.every((i) => set.subjects[w[i].seg] !== s));
  }
});

test('combination rules: mean, max and majority vote (ties broken by the mean)', (t) => {
  const s = [Float32Array.of(0.9, 0.1, 0.0), Float32Array.of(0.2, 0.5, 0.4), Float32Array.of(0.1, 0.6, 0.5)];
  t.deepEqual(
    [...combineScores(s, 'mean')].map((v) => +v.toFixed(4)),
    [0.4, 0.4, 0.3],
  );
  t.deepEqual(
    [...combineScores(s, 'max')].map((v) => +v.toFixed(4)),
    [0.9, 0.6, 0.5],
  );
  const v = combineScores(s, 'vote');
  t.is(v.indexOf(Math.max(...v)), 1); // votes: class 1 twice, class 0 once
  const tie = combineScores([Float32Array.of(1, 0), Float32Array.of(0, 0.5)], 'vote');
  t.true(tie[0] > tie[1]); // one vote each; class 0 has the higher mean
  t.is(trueRank([0.3, 0.3, 0.1], 0), 1); // a tie counts against the true class
  t.is(trueRank([0.5, 0.3, 0.1], 0), 0);
});

test('mean softmax (PredANN) and mean log-probability combine the CNN windows differently: one confident miss vetoes the right song only under log-prob', (t) => {
  // Window 1 is sure of song 0; window 2 puts song 0 at 1e-6 and hedges on 1 vs 2. Song 0 has the highest mean probability.
  const lp = (p: number[]): Float32Array => Float32Array.from(p, Math.log);
  const s = [lp([0.98, 0.01, 0.01]), lp([1e-6, 0.5, 0.5 - 1e-6])];
  const prob = combineScores(s, 'mean', 'logprob');
  t.true(Math.abs(prob[0] - (0.98 + 1e-6) / 2) < 1e-6);
  t.is(prob.indexOf(Math.max(...prob)), 0);
  const logp = combineScores(s, 'mean-logprob', 'logprob');
  t.true(Math.abs(logp[0] - (Math.log(0.98) + Math.log(1e-6)) / 2) < 1e-5);
  t.not(logp.indexOf(Math.max(...logp)), 0);
  // Similarity scores (correlations) are averaged as they are under both rules.
  t.deepEqual([...combineScores(s, 'mean', 'similarity')], [...combineScores(s, 'mean-logprob', 'similarity')]);
});

test('long windows group consecutive test windows of one segment; short items are dropped', (t) => {
  const set: SegmentSet = { eeg: new Float32Array(0), nSeg: 1, nCh: 1, nT: 400, rate: 100, shiftSec: 0.2, stimIds: ['b'], subjects: ['sub-01'] };
  const w = cutWindowRefs(1, 400, 100, 50); // starts 0, 50, …, 300
  const tested = w.map((_, i) => ({ window: i, fold: 'f', scores: Float32Array.of(i % 2, 1) }));
  const items = evaluationItems(
    tested,
    w,
    set,
    new Map([
      ['a', 0],
      ['b', 1],
    ]),
    100,
    200,
    'mean',
    150,
  );
  t.deepEqual(
    items.map((it) => it.nWindows),
    [3, 3],
  ); // [0,200): starts 0,50,100; [200,400): 200,250,300
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
  const constant = accuracy(
    items.map((it) => ({ ...it, scores: Float64Array.of(1, 0, 0, 0) })),
    K,
    1,
    new Rng(1),
    200,
    199,
  );
  t.is(constant.top1, 0.25);
  t.is(constant.pPerm, 1); // every relabelling gives the same 3/12
  t.is(constant.chance, 0.25);
});

/**
 * Identification accuracy from per-window scores (nWindows × nSongs; log
 * class probabilities for the CNN, reconstruction correlations for the
 * regression decoders).
 *
 * Long windows: within each test segment of a fold, consecutive test windows
 * are grouped greedily into non-overlapping evaluation items of L seconds
 * (the first item starts at the earliest test window; an item holds every
 * test window lying inside [s, s + L); the next starts at the first test
 * window at or after s + L). An item's scores combine its windows by
 *   mean:  S_c = (1/m) Σ_w p_{w,c}, p = exp(s) for the CNN's log-probabilities
 *          (PredANN's mean softmax), p = s for correlation scores
 *   mean-logprob: S_c = (1/m) Σ_w s_{w,c} (a product of window likelihoods;
 *          one confidently wrong window can veto the right song)
 *   max:   S_c = max_w s_{w,c}
 *   vote:  S_c = #{w : argmax s_w = c} (ties broken by the mean score).
 * Top-1 accuracy = (1/N) Σ_i [argmax S_i = y_i]; top-k counts y_i among the k
 * best, with ties ranked against the true song (conservative). Chance = k/K.
 * The percentile bootstrap over items gives the CI; the permutation null
 * shuffles the true labels across items (p = (1 + #{acc_π ≥ acc}) / (1 + P)).
 */
import { bootstrapCi } from '../stats/bootstrap.js';
import type { Rng } from '../core/prng.js';
import { entriesByKey, mustGet } from '../core/lookup.js';
import type { SegmentSet, WindowRef } from './types.js';

export const COMBINES = ['mean', 'mean-logprob', 'max', 'vote'] as const;
export type Combine = (typeof COMBINES)[number];

/** What a decoder's window scores are: class log-probabilities (CNN) or similarities such as correlations (regression). */
export type ScoreKind = 'logprob' | 'similarity';

export interface TestedWindow {
  window: number;
  fold: string;
  /** nSongs scores. */
  scores: Float32Array;
}

export interface EvalItem {
  subject: string;
  seg: number;
  trueClass: number;
  scores: Float64Array;
  nWindows: number;
}

/** Index of the largest score (the first on ties). */
export function argmax(x: ArrayLike<number>): number {
  let b = 0;
  for (let j = 1; j < x.length; j++) if (x[j] > x[b]) b = j;
  return b;
}

/** Combine windows' scores into one score per song (see module doc). */
export function combineScores(scores: Float32Array[], how: Combine, kind: ScoreKind = 'similarity'): Float64Array {
  const K = scores[0].length;
  const mean = new Float64Array(K);
  for (const s of scores) for (let c = 0; c < K; c++) mean[c] += s[c] / scores.length;
  if (how === 'mean-logprob') return mean;
  if (how === 'mean') {
    if (kind === 'similarity') return mean;
    const prob = new Float64Array(K);
    for (const s of scores) for (let c = 0; c < K; c++) prob[c] += Math.exp(s[c]) / scores.length;
    return prob;
  }
  if (how === 'max') {
    const out = new Float64Array(K).fill(-Infinity);
    for (const s of scores) for (let c = 0; c < K; c++) out[c] = Math.max(out[c], s[c]);
    return out;
  }
  const votes = new Float64Array(K);
  for (const s of scores) votes[argmax(s)] += 1;
  // Tie-break by the mean, squeezed into [0, 0.999) so it never outweighs one vote.
  const finite = [...mean].filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  for (let c = 0; c < K; c++) {
    const m = Number.isFinite(mean[c]) ? mean[c] : lo;
    votes[c] += hi > lo ? (0.999 * (m - lo)) / (hi - lo) : 0;
  }
  return votes;
}

/**
 * Evaluation items of length `lengthSamples` from the tested windows of
 * `win` samples, grouped per (fold, segment). Returns the items with their
 * combined scores and true class.
 */
export function evaluationItems(
  tested: TestedWindow[],
  windows: WindowRef[],
  set: Pick<SegmentSet, 'subjects' | 'stimIds'>,
  songIndex: Map<string, number>,
  win: number,
  lengthSamples: number,
  how: Combine,
  minSpan = lengthSamples,
  kind: ScoreKind = 'similarity',
): EvalItem[] {
  const groups = new Map<string, TestedWindow[]>();
  for (const t of tested) {
    const key = `${t.fold}\u0000${windows[t.window].seg}`;
    const g = groups.get(key);
    if (g) g.push(t);
    else groups.set(key, [t]);
  }
  const items: EvalItem[] = [];
  for (const [, g] of entriesByKey(groups)) {
    g.sort((a, b) => windows[a.window].start - windows[b.window].start);
    const seg = windows[g[0].window].seg;
    let i = 0;
    while (i < g.length) {
      const s = windows[g[i].window].start;
      const members: Float32Array[] = [];
      let end = s;
      let j = i;
      while (j < g.length && windows[g[j].window].start < s + lengthSamples) {
        const e = windows[g[j].window].start + win;
        if (e <= s + lengthSamples) {
          members.push(g[j].scores);
          end = Math.max(end, e);
        }
        j++;
      }
      // An item counts as L seconds of evidence only if its windows reach (nearly) its end.
      if (members.length > 0 && end - s >= minSpan) {
        items.push({
          subject: set.subjects[seg],
          seg,
          trueClass: mustGet(songIndex, set.stimIds[seg], 'song index'),
          scores: combineScores(members, how, kind),
          nWindows: members.length,
        });
      }
      i = j;
    }
  }
  return items;
}

/** Rank of the true class: number of other classes scoring at least as high (0 = best). */
export function trueRank(scores: ArrayLike<number>, y: number): number {
  let r = 0;
  for (let c = 0; c < scores.length; c++) if (c !== y && scores[c] >= scores[y]) r++;
  return r;
}

export interface AccuracyResult {
  nItems: number;
  top1: number;
  top1Lo: number;
  top1Hi: number;
  topk: number;
  k: number;
  chance: number;
  chanceTopk: number;
  pPerm: number;
  /** nSongs × nSongs counts [true][predicted]. */
  confusion: Int32Array;
}

/** Accuracy, bootstrap CI, permutation p and confusion of items over K songs. */
export function accuracy(items: EvalItem[], K: number, k: number, rng: Rng, nBoot = 1000, nPerm = 1000): AccuracyResult {
  const n = items.length;
  const pred = items.map((it) => argmax(it.scores));
  const hit = items.map((it, i) => (pred[i] === it.trueClass ? 1 : 0));
  const hitK = items.map((it) => (trueRank(it.scores, it.trueClass) < k ? 1 : 0));
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  const top1 = mean(hit);
  const confusion = new Int32Array(K * K);
  items.forEach((it, i) => confusion[it.trueClass * K + pred[i]]++);
  let lo = NaN,
    hi = NaN,
    p = NaN;
  if (n >= 2) {
    const ci = bootstrapCi(
      n,
      (idx) => {
        let s = 0;
        for (const i of idx) s += hit[i];
        return s / idx.length;
      },
      { rng: rng.fork('boot'), nBoot },
    );
    lo = ci.lo;
    hi = ci.hi;
    const pr = rng.fork('perm');
    const labels = items.map((it) => it.trueClass);
    let ge = 0;
    for (let b = 0; b < nPerm; b++) {
      const perm = pr.permutation(n);
      let s = 0;
      for (let i = 0; i < n; i++) if (pred[i] === labels[perm[i]]) s++;
      if (s / n >= top1 - 1e-12) ge++;
    }
    p = (1 + ge) / (1 + nPerm);
  }
  return { nItems: n, top1, top1Lo: lo, top1Hi: hi, topk: mean(hitK), k, chance: 1 / K, chanceTopk: Math.min(1, k / K), pPerm: p, confusion };
}

/**
 * Representational similarity analysis. RDMs are condensed upper triangles
 * in scipy.spatial.distance.pdist order: (0,1), (0,2), …, (0,n−1), (1,2), …
 * See docs/rsa.md for the equations.
 */
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';
import { pearson, spearman, kendallTauA, rankData } from './correlation.js';

export type RdmMetric = 'correlation' | 'euclidean';
export type RdmComparison = 'spearman' | 'kendall-tau-a' | 'pearson';

/** Number of stimuli n whose condensed RDM has `len` = n(n−1)/2 entries. */
export function rdmSize(len: number): number {
  const n = Math.round((1 + Math.sqrt(1 + 8 * len)) / 2);
  if ((n * (n - 1)) / 2 !== len) throw new InputError('rdm', `${len} entries is not n(n−1)/2 for any n`);
  return n;
}

/** Position of pair (i, j), i < j, in a condensed RDM over n stimuli. */
export function condensedIndex(n: number, i: number, j: number): number {
  return n * i - (i * (i + 1)) / 2 + (j - i - 1);
}

/**
 * Condensed RDM of stimulus patterns X (nStim × nFeat row-major). 'correlation'
 * gives 1 − Pearson r between two stimuli's patterns (unitless, in [0, 2]);
 * 'euclidean' gives the L2 distance in the features' units.
 */
export function rdm(X: Float32Array | Float64Array, nStim: number, nFeat: number, metric: RdmMetric = 'correlation'): Float64Array {
  if (X.length !== nStim * nFeat) throw new InputError('rdm', `expected ${nStim}×${nFeat} values, got ${X.length}`);
  if (nStim < 3) throw new InputError('rdm', `needs at least 3 stimuli, got ${nStim}`);
  const rows = Array.from({ length: nStim }, (_, i) => {
    const row = new Float64Array(nFeat);
    for (let f = 0; f < nFeat; f++) row[f] = X[i * nFeat + f];
    if (metric === 'correlation') {
      let m = 0;
      for (let f = 0; f < nFeat; f++) m += row[f];
      m /= nFeat;
      let ss = 0;
      for (let f = 0; f < nFeat; f++) {
        row[f] -= m;
        ss += row[f] * row[f];
      }
      if (ss === 0) throw new InputError('rdm', `stimulus ${i} has a constant pattern; correlation distance is undefined`);
      const inv = 1 / Math.sqrt(ss);
      for (let f = 0; f < nFeat; f++) row[f] *= inv;
    }
    return row;
  });
  const out = new Float64Array((nStim * (nStim - 1)) / 2);
  let k = 0;
  for (let i = 0; i < nStim; i++) {
    const a = rows[i];
    for (let j = i + 1; j < nStim; j++) {
      const b = rows[j];
      let s = 0;
      if (metric === 'correlation') {
        for (let f = 0; f < nFeat; f++) s += a[f] * b[f];
        out[k++] = 1 - s;
      } else {
        for (let f = 0; f < nFeat; f++) s += (a[f] - b[f]) ** 2;
        out[k++] = Math.sqrt(s);
      }
    }
  }
  return out;
}

/** The condensed RDM restricted to stimuli `idx` (in that order), from a condensed RDM over n stimuli. */
export function subRdm(d: ArrayLike<number>, n: number, idx: ArrayLike<number>): Float64Array {
  const m = idx.length;
  const out = new Float64Array((m * (m - 1)) / 2);
  let k = 0;
  for (let a = 0; a < m; a++) {
    for (let b = a + 1; b < m; b++) {
      const i = idx[a];
      const j = idx[b];
      if (i === j) throw new InputError('subRdm', `stimulus ${i} listed twice`);
      out[k++] = d[i < j ? condensedIndex(n, i, j) : condensedIndex(n, j, i)];
    }
  }
  return out;
}

/** Similarity of two condensed RDMs (unitless): Spearman ρ, Kendall τa or Pearson r. */
export function compareRdms(a: ArrayLike<number>, b: ArrayLike<number>, method: RdmComparison = 'spearman'): number {
  if (a.length !== b.length) throw new InputError('compareRdms', `RDMs differ in size: ${a.length} vs ${b.length}`);
  switch (method) {
    case 'spearman':
      return spearman(a, b);
    case 'kendall-tau-a':
      return kendallTauA(a, b);
    case 'pearson':
      return pearson(a, b);
  }
}

export interface LayerRdm {
  name: string;
  /** Condensed RDM over all n stimuli. */
  rdm: ArrayLike<number>;
}

export interface CvLayerOptions {
  rng: Rng;
  /** Number of random stimulus splits (default 100). */
  nSplits?: number;
  /** Fraction of stimuli held out for evaluation (default 0.5). */
  testFraction?: number;
  comparison?: RdmComparison;
}

export interface CvLayerResult {
  /** Mean over splits of the held-out RDM similarity of the layer chosen on the training stimuli (unitless). */
  score: number;
  /** Standard deviation of the held-out score across splits. */
  sd: number;
  /** How often each layer was chosen, by name. */
  chosen: Record<string, number>;
  splits: { layer: string; trainScore: number; testScore: number }[];
}

/**
 * Layer selection without double dipping: on each random stimulus split, the
 * layer whose RDM best matches the brain RDM on the training stimuli is chosen,
 * and its match is then measured on the held-out stimuli only. Returns the
 * held-out similarity averaged over splits.
 */
export function crossValidatedLayerRsa(layers: LayerRdm[], brain: ArrayLike<number>, opts: CvLayerOptions): CvLayerResult {
  if (layers.length === 0) throw new InputError('layers', 'no model layers given');
  const n = rdmSize(brain.length);
  for (const l of layers) if (l.rdm.length !== brain.length) throw new InputError(`layer ${l.name}`, `RDM has ${l.rdm.length} entries, brain RDM ${brain.length}`);
  const nSplits = opts.nSplits ?? 100;
  const testFraction = opts.testFraction ?? 0.5;
  const nTest = Math.round(n * testFraction);
  if (nTest < 3 || n - nTest < 3) throw new InputError('testFraction', `${testFraction} of ${n} stimuli leaves fewer than 3 on one side`);
  const method = opts.comparison ?? 'spearman';
  const chosen: Record<string, number> = {};
  for (const l of layers) chosen[l.name] = 0;
  const splits: CvLayerResult['splits'] = [];
  for (let s = 0; s < nSplits; s++) {
    const perm = opts.rng.permutation(n);
    const test = Array.from(perm.slice(0, nTest)).sort((x, y) => x - y);
    const train = Array.from(perm.slice(nTest)).sort((x, y) => x - y);
    const brainTrain = subRdm(brain, n, train);
    let best = -1;
    let bestScore = -Infinity;
    for (let l = 0; l < layers.length; l++) {
      const sc = compareRdms(subRdm(layers[l].rdm, n, train), brainTrain, method);
      if (sc > bestScore) {
        bestScore = sc;
        best = l;
      }
    }
    if (best < 0) throw new InputError('layers', 'every layer RDM is constant on the training stimuli');
    const testScore = compareRdms(subRdm(layers[best].rdm, n, test), subRdm(brain, n, test), method);
    chosen[layers[best].name]++;
    splits.push({ layer: layers[best].name, trainScore: bestScore, testScore });
  }
  let m = 0;
  for (const s of splits) m += s.testScore;
  m /= splits.length;
  let ss = 0;
  for (const s of splits) ss += (s.testScore - m) ** 2;
  return { score: m, sd: splits.length > 1 ? Math.sqrt(ss / (splits.length - 1)) : 0, chosen, splits };
}

export interface RsaNoiseCeiling {
  /** Mean over subjects of similarity(subject, mean of all subjects): upper bound (unitless). */
  upper: number;
  /** Mean over subjects of similarity(subject, mean of the other subjects): lower bound (unitless). */
  lower: number;
  perSubjectUpper: Float64Array;
  perSubjectLower: Float64Array;
}

/**
 * Leave-one-subject-out RDM noise ceiling (Nili et al. 2014). For rank-based
 * comparisons each subject's RDM is rank-transformed before averaging, so the
 * group RDM is the best fit in that comparison's own terms (as in Nili et al.).
 */
export function rsaNoiseCeiling(subjects: ArrayLike<number>[], comparison: RdmComparison = 'spearman'): RsaNoiseCeiling {
  const S = subjects.length;
  if (S < 2) throw new InputError('subjects', `the noise ceiling needs at least 2 subjects, got ${S}`);
  const len = subjects[0].length;
  rdmSize(len);
  for (let s = 0; s < S; s++) if (subjects[s].length !== len) throw new InputError('subjects', `subject ${s} RDM has ${subjects[s].length} entries, expected ${len}`);
  const prepared = subjects.map((d) => (comparison === 'pearson' ? Float64Array.from(d) : rankData(d)));
  const sum = new Float64Array(len);
  for (const d of prepared) for (let k = 0; k < len; k++) sum[k] += d[k];
  const perSubjectUpper = new Float64Array(S);
  const perSubjectLower = new Float64Array(S);
  const others = new Float64Array(len);
  const all = sum.map((v) => v / S);
  for (let s = 0; s < S; s++) {
    for (let k = 0; k < len; k++) others[k] = (sum[k] - prepared[s][k]) / (S - 1);
    perSubjectUpper[s] = compareRdms(subjects[s], all, comparison);
    perSubjectLower[s] = compareRdms(subjects[s], others, comparison);
  }
  const avg = (x: Float64Array): number => x.reduce((a, b) => a + b, 0) / x.length;
  return { upper: avg(perSubjectUpper), lower: avg(perSubjectLower), perSubjectUpper, perSubjectLower };
}

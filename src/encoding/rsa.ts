/**
 * Representational similarity analysis. RDMs are condensed upper triangles
 * in scipy.spatial.distance.pdist order: (0,1), (0,2), …, (0,n−1), (1,2), …
 * See docs/rsa.md for the equations.
 */
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';
import { pearson, spearman, kendallTauA, rankData } from '../stats/correlation.js';

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

/**
 * Each column (feature or voxel) z-scored across stimuli (population SD), as
 * braindnn does before its RDMs: without it a few high-variance units set the
 * correlation distance. A constant column becomes 0 (it tells stimuli apart
 * no more than it would after z-scoring). nStim × nFeat row-major.
 */
export function zscoreColumns(X: ArrayLike<number>, nStim: number, nFeat: number): Float64Array {
  if (X.length !== nStim * nFeat) throw new InputError('zscoreColumns', `expected ${nStim}×${nFeat} values, got ${X.length}`);
  const out = new Float64Array(nStim * nFeat);
  for (let f = 0; f < nFeat; f++) {
    let m = 0;
    for (let i = 0; i < nStim; i++) m += X[i * nFeat + f];
    m /= nStim;
    let ss = 0;
    for (let i = 0; i < nStim; i++) ss += (X[i * nFeat + f] - m) ** 2;
    const sd = Math.sqrt(ss / nStim);
    // Relative floor: float32 round-off of a constant column must not be blown up to unit variance.
    const inv = sd > 1e-7 * (Math.abs(m) + 1) ? 1 / sd : 0;
    for (let i = 0; i < nStim; i++) out[i * nFeat + f] = (X[i * nFeat + f] - m) * inv;
  }
  return out;
}

/** Balanced random fold labels 0…k−1 for n stimuli (fold sizes differ by at most 1). */
export function stimulusFolds(n: number, k: number, rng: Rng): Int32Array {
  if (!Number.isInteger(k) || k < 3) throw new InputError('folds', `stimulus-level RSA cross-validation needs at least 3 folds, got ${k}`);
  if (n < 2 * k) throw new InputError('folds', `${n} stimuli are too few for ${k} folds (need at least 2 per fold)`);
  const perm = rng.permutation(n);
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) out[perm[r]] = r % k;
  return out;
}

export interface CvLayerOptions {
  rng: Rng;
  /** Stimulus folds (≥ 3; default 5). */
  folds?: number;
  /** Independent random fold assignments averaged (default 10). */
  repeats?: number;
  comparison?: RdmComparison;
}

export interface CvLayerResult {
  /** Mean over repeats of compare(brain, assembled cross-validated model RDM) over all cells (unitless). */
  score: number;
  /** Standard deviation of the score across repeats (fold-assignment variability, not a CI). */
  sd: number;
  /** Cells of the assembled RDMs taken from each layer, summed over repeats. */
  chosen: Record<string, number>;
  /** Cells the score is computed on: n(n−1)/2, the same cells the RDM noise ceiling uses. */
  nCells: number;
}

/**
 * Layer choice without double dipping, at the level of stimuli (braindnn,
 * Tuckute et al. 2023): the stimuli are split into k folds; the cells of the
 * block between folds a and b (a ≤ b) take their values from the layer that
 * best matches the brain on the cells among stimuli outside a and b only. The
 * score compares the brain RDM with this assembled RDM over all n(n−1)/2
 * cells, so it uses every stimulus pair and never one whose stimuli chose the
 * layer. With a single layer it equals compareRdms over all cells.
 */
export function crossValidatedLayerRsa(layers: LayerRdm[], brain: ArrayLike<number>, opts: CvLayerOptions): CvLayerResult {
  if (layers.length === 0) throw new InputError('layers', 'no model layers given');
  const n = rdmSize(brain.length);
  for (const l of layers)
    if (l.rdm.length !== brain.length) throw new InputError(`layer ${l.name}`, `RDM has ${l.rdm.length} entries, brain RDM ${brain.length}`);
  const k = opts.folds ?? 5;
  const repeats = opts.repeats ?? 10;
  const method = opts.comparison ?? 'spearman';
  const chosen: Record<string, number> = {};
  for (const l of layers) chosen[l.name] = 0;
  const scores: number[] = [];
  const assembled = new Float64Array(brain.length);
  // Spearman on a fold's cells needs their ranks: every layer is sorted once here, and a fold's ranks are read off that order.
  const ranked =
    method === 'spearman' ? { brain: new SubsetRanker(brain, 'brain RDM'), layers: layers.map((l) => new SubsetRanker(l.rdm, `layer ${l.name}`)) } : null;
  const keep = new Uint8Array(brain.length);
  const pos = new Int32Array(brain.length);
  for (let rep = 0; rep < repeats; rep++) {
    const fold = stimulusFolds(n, k, opts.rng);
    for (let a = 0; a < k; a++) {
      for (let b = a; b < k; b++) {
        const train: number[] = [];
        for (let i = 0; i < n; i++) if (fold[i] !== a && fold[i] !== b) train.push(i);
        const score = ranked ? foldRanks(ranked, n, train, keep, pos) : subRdmScores(layers, brain, n, train, method);
        let best = -1;
        let bestScore = -Infinity;
        for (let l = 0; l < layers.length; l++) {
          const sc = score(l);
          if (sc > bestScore) {
            bestScore = sc;
            best = l;
          }
        }
        if (best < 0) throw new InputError('layers', 'every layer RDM is constant on the training stimuli');
        const src = layers[best].rdm;
        let cells = 0;
        for (let i = 0; i < n; i++) {
          for (let j = i + 1; j < n; j++) {
            const fi = fold[i];
            const fj = fold[j];
            if ((fi === a && fj === b) || (fi === b && fj === a)) {
              const c = condensedIndex(n, i, j);
              assembled[c] = src[c];
              cells++;
            }
          }
        }
        chosen[layers[best].name] += cells;
      }
    }
    scores.push(ranked ? pearson(rankData(assembled), ranked.brain.all) : compareRdms(assembled, brain, method));
  }
  const m = scores.reduce((s, x) => s + x, 0) / scores.length;
  const ss = scores.reduce((s, x) => s + (x - m) ** 2, 0);
  return { score: m, sd: scores.length > 1 ? Math.sqrt(ss / (scores.length - 1)) : 0, chosen, nCells: brain.length };
}

/** Layer l's similarity to the brain on the cells among `train` (sorted stimuli), for any comparison. */
function subRdmScores(layers: LayerRdm[], brain: ArrayLike<number>, n: number, train: number[], method: RdmComparison): (l: number) => number {
  const brainTrain = subRdm(brain, n, train);
  return (l) => compareRdms(subRdm(layers[l].rdm, n, train), brainTrain, method);
}

/**
 * Spearman ρ of layer l and the brain on the cells among `train` (sorted
 * stimuli): the Pearson r of the cells' ranks, the same numbers spearman()
 * gives on the two sub-RDMs. The cells of a sub-RDM of ascending stimuli come
 * in condensed order, so a cell's place in it is its ordinal among the kept cells.
 */
function foldRanks(
  ranked: { brain: SubsetRanker; layers: SubsetRanker[] },
  n: number,
  train: number[],
  keep: Uint8Array,
  pos: Int32Array,
): (l: number) => number {
  keep.fill(0);
  const inTrain = new Uint8Array(n);
  for (const i of train) inTrain[i] = 1;
  let m = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++, c++) {
      if (inTrain[i] && inTrain[j]) {
        keep[c] = 1;
        pos[c] = m++;
      }
    }
  }
  const brainRanks = ranked.brain.ranks(keep, pos, m);
  return (l) => pearson(ranked.layers[l].ranks(keep, pos, m), brainRanks);
}

/**
 * Average ranks (scipy's rankdata 'average') of any subset of one array's
 * entries, in O(N) per subset from one sort of the whole array: restricting
 * the sorted order to the subset keeps it sorted, and tied values stay
 * adjacent, so the ranks equal rankData of the subset exactly.
 */
class SubsetRanker {
  private readonly x: Float64Array;
  private readonly order: Uint32Array;
  /** rankData of the whole array. */
  readonly all: Float64Array;

  constructor(x: ArrayLike<number>, what: string) {
    this.x = Float64Array.from(x);
    for (let i = 0; i < this.x.length; i++) {
      if (!Number.isFinite(this.x[i])) throw new InputError(what, `value ${i} is not finite (${this.x[i]}); ranks are undefined`);
    }
    const v = this.x;
    this.order = new Uint32Array(v.length).map((_, i) => i).sort((i, j) => v[i] - v[j]);
    this.all = rankData(v);
  }

  /** Ranks 1…m of the entries with keep[c] = 1, entry c written at pos[c]. */
  ranks(keep: Uint8Array, pos: Int32Array, m: number): Float64Array {
    const { x, order } = this;
    const sel = new Uint32Array(m);
    let s = 0;
    for (let i = 0; i < order.length; i++) if (keep[order[i]]) sel[s++] = order[i];
    const out = new Float64Array(m);
    let i = 0;
    while (i < m) {
      let j = i;
      while (j + 1 < m && x[sel[j + 1]] === x[sel[i]]) j++;
      const avg = (i + j) / 2 + 1;
      for (let k = i; k <= j; k++) out[pos[sel[k]]] = avg;
      i = j + 1;
    }
    return out;
  }
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
  for (let s = 0; s < S; s++)
    if (subjects[s].length !== len) throw new InputError('subjects', `subject ${s} RDM has ${subjects[s].length} entries, expected ${len}`);
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

/**
 * Cross-validation folds for time series. Rows that share a group (a run, or
 * a stimulus) always land on the same side of a split, because neighbouring
 * TRs are autocorrelated: splitting a run would leak the test set into
 * training through the BOLD response's temporal smoothness.
 */
import { InputError } from '../core/errors.js';

/** One train/test split: row indices, ascending. */
export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

export interface FoldOptions {
  /** Number of folds K. Without groups the n rows are cut into K contiguous blocks. With groups, K = number of groups when omitted (leave-one-group-out). */
  k?: number;
  /** Group label per row (run index, stimulus id, …); rows of one group are never split. */
  groups?: ArrayLike<number>;
}

/** Distinct group labels in order of first appearance. */
export function uniqueGroups(groups: ArrayLike<number>): number[] {
  const seen = new Set<number>();
  const out: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (!seen.has(g)) {
      seen.add(g);
      out.push(g);
    }
  }
  return out;
}

/**
 * K folds over n rows. Groups are dealt to folds in order of first appearance,
 * in K contiguous runs of groups (fold f gets groups ⌊f·G/K⌋ … ⌊(f+1)·G/K⌋−1),
 * so with runs as groups each test fold is a block of whole runs.
 * Returns K folds whose test sets partition the rows.
 */
export function makeFolds(n: number, opts: FoldOptions = {}): Fold[] {
  if (!Number.isInteger(n) || n < 2) throw new InputError('folds', `need at least 2 samples, got ${n}`);
  const label = new Int32Array(n); // fold index per row
  let k: number;
  if (opts.groups !== undefined) {
    const groups = opts.groups;
    if (groups.length !== n) throw new InputError('groups', `expected ${n} labels (one per sample), got ${groups.length}`);
    for (let i = 0; i < n; i++) if (!Number.isFinite(groups[i])) throw new InputError('groups', `label ${i} is not a finite number`);
    const uniq = uniqueGroups(groups);
    const G = uniq.length;
    k = opts.k ?? G;
    if (!Number.isInteger(k) || k < 2) throw new InputError('folds', `need at least 2 folds, got ${k}`);
    if (k > G) throw new InputError('folds', `${k} folds requested but only ${G} groups: groups are never split`);
    const foldOfGroup = new Map<number, number>();
    uniq.forEach((g, gi) => foldOfGroup.set(g, Math.floor((gi * k) / G)));
    for (let i = 0; i < n; i++) label[i] = foldOfGroup.get(groups[i]) ?? 0;
  } else {
    k = opts.k ?? 5;
    if (!Number.isInteger(k) || k < 2) throw new InputError('folds', `need at least 2 folds, got ${k}`);
    if (k > n) throw new InputError('folds', `${k} folds requested for only ${n} samples`);
    for (let i = 0; i < n; i++) label[i] = Math.floor((i * k) / n);
  }
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    let nTest = 0;
    for (let i = 0; i < n; i++) if (label[i] === f) nTest++;
    const test = new Int32Array(nTest);
    const train = new Int32Array(n - nTest);
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      if (label[i] === f) test[a++] = i;
      else train[b++] = i;
    }
    if (train.length < 1) throw new InputError('folds', `fold ${f} leaves no training samples`);
    folds.push({ train, test });
  }
  return folds;
}

/** Group labels 0,0,…,1,1,… for consecutive runs of the given lengths (in samples). */
export function groupsFromRunLengths(lengths: ArrayLike<number>): Int32Array {
  let n = 0;
  for (let i = 0; i < lengths.length; i++) n += lengths[i];
  const g = new Int32Array(n);
  let o = 0;
  for (let r = 0; r < lengths.length; r++) for (let t = 0; t < lengths[r]; t++) g[o++] = r;
  return g;
}

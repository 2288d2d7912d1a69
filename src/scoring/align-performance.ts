/**
 * Alignment against task performance without pseudo-replication. Checkpoints
 * of one network share its architecture, data and optimiser path, so they are
 * not independent models: the across-model rank correlation takes one point
 * per distinct model (its final checkpoint), and checkpoints are analysed
 * within each model. Performance is one held-out, clip-level measure for
 * every point. docs/encoding-study.md gives the definitions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';
import { readTsv } from '../io/tsv.js';
import { spearman } from '../stats/correlation.js';
import { bootstrapCi, type BootstrapCi } from '../stats/bootstrap.js';

/** One (model, checkpoint) with its alignment scores and held-out performance. */
export interface PerfPoint {
  model: string;
  checkpoint: string | null;
  alignment: number;
  rsa: number | null;
  performance: number | null;
}

export type AlignmentMeasure = 'encoding' | 'rsa';

export interface VsPerformanceRow {
  /** across-models: one point per distinct model; within-model: the checkpoints of `model`. */
  scope: 'across-models' | 'within-model';
  model: string | null;
  measure: AlignmentMeasure;
  spearman: number;
  /** Percentile bootstrap over models (across-models only: checkpoints are serially dependent, a bootstrap over them is no CI). */
  ci: BootstrapCi | null;
  n: number;
}

/** Training epoch of a checkpoint name ('epoch-0005' → 5); null for the final model (no checkpoint, best, final, last). */
export function epochOf(checkpoint: string | null): number | null {
  if (checkpoint === null || /^(best|final|last)$/i.test(checkpoint)) return null;
  const m = /(\d+)/.exec(checkpoint);
  return m ? Number(m[1]) : null;
}

/**
 * The point that stands for each distinct model: its trained model (no
 * checkpoint, or best/final/last) when encoded, else its last saved epoch.
 * Sorted by model name.
 */
export function finalPerModel<T extends { model: string; checkpoint: string | null }>(points: T[]): T[] {
  const by = new Map<string, T>();
  const rank = (p: T): number => (epochOf(p.checkpoint) === null ? Infinity : (epochOf(p.checkpoint) as number));
  for (const p of points) {
    const cur = by.get(p.model);
    if (!cur || rank(p) > rank(cur)) by.set(p.model, p);
  }
  return [...by.values()].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
}

/** Spearman ρ across points with a percentile bootstrap CI over points. */
export function spearmanWithCi(x: number[], y: number[], opts: { nBoot: number; level: number; rng: Rng }): BootstrapCi {
  if (x.length < 3) throw new InputError('align', `a correlation across models needs at least 3 models, got ${x.length}`);
  return bootstrapCi(x.length, (idx) => spearman(Array.from(idx, (i) => x[i]), Array.from(idx, (i) => y[i])), opts);
}

const score = (p: PerfPoint, m: AlignmentMeasure): number | null => (m === 'encoding' ? p.alignment : p.rsa);
const usable = (p: PerfPoint, m: AlignmentMeasure): boolean => p.performance !== null && Number.isFinite(p.performance) && Number.isFinite(score(p, m) ?? NaN);

/**
 * Rank correlations between alignment and held-out performance: across
 * distinct models (final checkpoint of each; ≥ 3 models, bootstrap CI over
 * models), and within each model over its epoch checkpoints (≥ 3, no CI).
 */
export function alignmentVsPerformance(points: PerfPoint[], opts: { nBoot: number; level: number; rng: Rng }): VsPerformanceRow[] {
  const rows: VsPerformanceRow[] = [];
  const finals = finalPerModel(points);
  for (const m of ['encoding', 'rsa'] as const) {
    const ok = finals.filter((p) => usable(p, m));
    if (ok.length < 3) continue;
    const ci = spearmanWithCi(ok.map((p) => score(p, m) as number), ok.map((p) => p.performance as number), { ...opts, rng: opts.rng.fork(`across/${m}`) });
    rows.push({ scope: 'across-models', model: null, measure: m, spearman: ci.estimate, ci, n: ok.length });
  }
  for (const model of [...new Set(points.map((p) => p.model))].sort()) {
    const ck = points.filter((p) => p.model === model && epochOf(p.checkpoint) !== null);
    for (const m of ['encoding', 'rsa'] as const) {
      const ok = ck.filter((p) => usable(p, m));
      if (ok.length < 3) continue;
      rows.push({ scope: 'within-model', model, measure: m, spearman: spearman(ok.map((p) => score(p, m) as number), ok.map((p) => p.performance as number)), ci: null, n: ok.length });
    }
  }
  return rows;
}

/** Genre and split role of each clip of a train artifact (split.tsv; true genres also from eval/predictions.tsv). */
export function readTrainSplit(trainDir: string): Map<string, { genre: string | null; split: string }> | null {
  const f = path.join(trainDir, 'split.tsv');
  if (!fs.existsSync(f)) return null;
  const t = readTsv(f);
  const idCol = ['stim_id', 'clip', 'id'].find((c) => t.columns.includes(c));
  if (!idCol || !t.columns.includes('split')) throw new InputError(f, 'needs a clip id column (stim_id, clip or id) and a split column');
  const out = new Map<string, { genre: string | null; split: string }>();
  for (const r of t.rows) out.set(path.basename(r[idCol]).replace(/\.wav$/i, ''), { genre: t.columns.includes('genre') ? r.genre : null, split: r.split });
  const pf = path.join(trainDir, 'eval', 'predictions.tsv');
  if (fs.existsSync(pf)) {
    const p = readTsv(pf);
    if (p.columns.includes('stim_id') && p.columns.includes('true_genre')) {
      for (const r of p.rows) {
        const e = out.get(r.stim_id);
        if (e && e.genre === null) e.genre = r.true_genre;
      }
    }
  }
  return out;
}

/**
 * Held-out clip accuracy: the fraction of the train artifact's test-split
 * clips whose choice is their true genre. Null when no clip is both in the
 * test split and among `choices` (a model without a recorded split has no
 * held-out measure).
 */
export function heldOutClipAccuracy(choices: Map<string, string>, split: Map<string, { genre: string | null; split: string }> | null): { accuracy: number; n: number } | null {
  if (!split) return null;
  let n = 0;
  let correct = 0;
  for (const [stim, e] of split) {
    if (e.split !== 'test' || e.genre === null) continue;
    const c = choices.get(stim);
    if (c === undefined) continue;
    n++;
    if (c === e.genre) correct++;
  }
  return n ? { accuracy: correct / n, n } : null;
}

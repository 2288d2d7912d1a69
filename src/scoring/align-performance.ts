/**
 * Alignment against task performance without pseudo-replication. Checkpoints
 * of one network share its architecture, data and optimiser path, so they are
 * not independent models: the across-model rank correlation takes one point
 * per distinct model (its final checkpoint), and checkpoints are analysed
 * within each model. Performance is one held-out, clip-level measure for
 * every point. docs/encoding-study.md gives the definitions.
 */
import * as fs from 'node:fs';
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';
import { readSplit, splitFile } from '../artifacts/train-split.js';
import { checkpointEpoch } from '../artifacts/checkpoints.js';
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

/** Training epoch of a checkpoint name ('epoch-0005' → 5); null for the trained model (no checkpoint, or best). */
export const epochOf = checkpointEpoch;

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
  return bootstrapCi(
    x.length,
    (idx) =>
      spearman(
        Array.from(idx, (i) => x[i]),
        Array.from(idx, (i) => y[i]),
      ),
    opts,
  );
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
    const ci = spearmanWithCi(
      ok.map((p) => score(p, m) as number),
      ok.map((p) => p.performance as number),
      { ...opts, rng: opts.rng.fork(`across/${m}`) },
    );
    rows.push({ scope: 'across-models', model: null, measure: m, spearman: ci.estimate, ci, n: ok.length });
  }
  for (const model of [...new Set(points.map((p) => p.model))].sort()) {
    const ck = points.filter((p) => p.model === model && epochOf(p.checkpoint) !== null);
    for (const m of ['encoding', 'rsa'] as const) {
      const ok = ck.filter((p) => usable(p, m));
      if (ok.length < 3) continue;
      rows.push({
        scope: 'within-model',
        model,
        measure: m,
        spearman: spearman(
          ok.map((p) => score(p, m) as number),
          ok.map((p) => p.performance as number),
        ),
        ci: null,
        n: ok.length,
      });
    }
  }
  return rows;
}

/** Genre and split role of each clip of a train artifact (its split.tsv), or null when it records no split. */
export function readTrainSplit(trainDir: string): Map<string, { genre: string | null; split: string }> | null {
  if (!fs.existsSync(splitFile(trainDir))) return null;
  return new Map(readSplit(trainDir).map((r) => [r.stimId, { genre: r.genre, split: r.split }]));
}

/**
 * Held-out clip accuracy: the fraction of the train artifact's test-split
 * clips whose choice is their true genre. Null when no clip is both in the
 * test split and among `choices` (a model without a recorded split has no
 * held-out measure).
 */
export function heldOutClipAccuracy(
  choices: Map<string, string>,
  split: Map<string, { genre: string | null; split: string }> | null,
): { accuracy: number; n: number } | null {
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

/**
 * Does InfoNCE help? PredANN (λ from the config) against its λ = 0 baseline
 * on the same items: for each seed both decoders run on the same folds with
 * the same initialisation, batch order and dropout (the seed fixes them; only
 * λ differs), and every evaluation item (base window, mean softmax) is scored
 * under both. Reported per seed and pooled, for the responders and the
 * controls separately (compare.ts for the tests):
 *   d_s = top1_λ(s) − top1_0(s)   → sign-flip test and bootstrap CI over seeds
 *   McNemar on the item pairs pooled over seeds (items repeat across seeds, so
 *   this pooled p treats seeds as extra items: read it with the seed-level test).
 */
import { Rng } from '../core/prng.js';
import { mcnemarExact, pairedSignFlip, type McNemarResult, type SignFlipResult } from './compare.js';
import { runIdentification, type DecodeEegConfig, type IdentificationInputs } from './identify.js';
import type { SplitKind } from './windows.js';

export interface LambdaSeedRow {
  seed: number;
  group: 'responders' | 'controls';
  n_items: number;
  top1_lambda: number;
  top1_zero: number;
}

export interface LambdaComparison {
  lambda: number;
  split: SplitKind;
  chance: number;
  seeds: LambdaSeedRow[];
  /** Per group: the seed-level sign-flip test and the pooled McNemar test. */
  tests: { group: 'responders' | 'controls'; signFlip: SignFlipResult; mcnemar: McNemarResult; mean_lambda: number; mean_zero: number }[];
}

/** Per-seed rows and the item hits under λ (a) and λ = 0 (b), pooled over seeds, per group. */
export interface LambdaRuns {
  chance: number;
  rows: LambdaSeedRow[];
  pooled: Record<'responders' | 'controls', { a: number[]; b: number[] }>;
}

/** Run both decoders on one split for each seed; `controls` names the subjects without a planted response. */
export function runLambdaSeeds(
  inp: IdentificationInputs,
  cfg: DecodeEegConfig,
  split: SplitKind,
  seeds: readonly number[],
  controls: ReadonlySet<string>,
  onSeed?: (r: LambdaSeedRow[]) => void,
): LambdaRuns {
  const run: DecodeEegConfig = {
    ...cfg,
    decoders: ['predann', 'predann-noann'],
    splits: [split],
    evalWindowsSec: [cfg.windowSec],
    combine: ['mean'],
    nBoot: 10,
    nPerm: 10,
  };
  const rows: LambdaSeedRow[] = [];
  const pooled: LambdaRuns['pooled'] = { responders: { a: [], b: [] }, controls: { a: [], b: [] } };
  let chance = NaN;
  for (const seed of seeds) {
    const res = runIdentification(inp, run, seed);
    chance = 1 / res.songs.length;
    const mine: LambdaSeedRow[] = [];
    for (const group of ['responders', 'controls'] as const) {
      const inGroup = (s: string): boolean => (group === 'controls') === controls.has(s);
      const a = res.itemHits.filter((h) => h.decoder === 'predann' && inGroup(h.subject));
      const b = new Map(res.itemHits.filter((h) => h.decoder === 'predann-noann' && inGroup(h.subject)).map((h) => [h.key, h.hit]));
      if (a.length === 0) continue;
      const pa = a.map((h) => h.hit);
      const pb = a.map((h) => b.get(h.key) ?? NaN);
      pooled[group].a.push(...pa);
      pooled[group].b.push(...pb);
      const mean = (v: number[]): number => v.reduce((x, y) => x + y, 0) / v.length;
      mine.push({ seed, group, n_items: a.length, top1_lambda: mean(pa), top1_zero: mean(pb) });
    }
    rows.push(...mine);
    onSeed?.(mine);
  }
  return { chance, rows, pooled };
}

/** Merge runs over disjoint seed sets (e.g. run in separate processes). */
export function mergeLambdaRuns(runs: LambdaRuns[]): LambdaRuns {
  const pooled: LambdaRuns['pooled'] = { responders: { a: [], b: [] }, controls: { a: [], b: [] } };
  for (const r of runs)
    for (const g of ['responders', 'controls'] as const) {
      pooled[g].a.push(...r.pooled[g].a);
      pooled[g].b.push(...r.pooled[g].b);
    }
  return { chance: runs[0]?.chance ?? NaN, rows: runs.flatMap((r) => r.rows).sort((x, y) => x.seed - y.seed), pooled };
}

/** The seed-level sign-flip test and the pooled McNemar test per group. */
export function summarizeLambda(runs: LambdaRuns, lambda: number, split: SplitKind): LambdaComparison {
  const { rows, pooled, chance } = runs;
  const rng = new Rng(rows[0]?.seed ?? 0, 'lambda-study');
  const tests: LambdaComparison['tests'] = [];
  for (const group of ['responders', 'controls'] as const) {
    const g = rows.filter((r) => r.group === group);
    if (g.length < 2) continue;
    const avg = (f: (r: LambdaSeedRow) => number): number => g.reduce((s, r) => s + f(r), 0) / g.length;
    tests.push({
      group,
      signFlip: pairedSignFlip(
        g.map((r) => r.top1_lambda - r.top1_zero),
        rng.fork(group),
      ),
      mcnemar: mcnemarExact(pooled[group].a, pooled[group].b),
      mean_lambda: avg((r) => r.top1_lambda),
      mean_zero: avg((r) => r.top1_zero),
    });
  }
  return { lambda, split, chance, seeds: rows, tests };
}

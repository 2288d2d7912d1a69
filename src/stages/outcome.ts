/**
 * What every stage function takes besides its own parameters (where the
 * derivatives go, the seed, make's stamp) and what it hands back for the
 * verb to print.
 */
import type { StageSpec } from '../pipeline/stage.js';

export interface StageTarget {
  /** Derivatives root (BIDS derivatives). */
  root: string;
  seed: number;
  /** Completion stamp to write after success (the make target). */
  stamp?: string;
}

export interface StageOutcome {
  key: string;
  dir: string;
  upToDate: boolean;
  /** One line for the terminal; empty when an up-to-date run has nothing to add. */
  summary: string;
  /** What the run was about, printed after the verb's name (`sub-01`, `sub-01 chunk 1/2 of <key>`). */
  scope?: string;
}

/** The line a stage verb prints: `<verb>[ <scope>]: done|up to date (<key>)[; <summary>]`. */
export function outcomeLine(verb: string, res: StageOutcome): string {
  const head = res.scope ? `${verb}: ${res.scope}` : `${verb}:`;
  return `${head} ${res.upToDate ? 'up to date' : 'done'} (${res.key})${res.summary ? `; ${res.summary}` : ''}\n`;
}

/** A stage's spec: what the stage declares (name, version, inputs, parameters), placed where `target` says. */
export function stageSpec(target: StageTarget, own: Omit<StageSpec, 'root' | 'seed' | 'stamp'>): StageSpec {
  return { ...own, root: target.root, seed: target.seed, stamp: target.stamp };
}

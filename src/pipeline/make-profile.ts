/**
 * The per-stage profile of a make run, read from a store's provenance: what
 * each stage cost in wall and CPU seconds, how the run was laid out in time,
 * and how long the same stages would take with `make -jN` on N idle cores
 * (docs/performance.md, scripts/bench/make-profile.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';

export interface StageRun {
  stage: string;
  key: string;
  /** The make target (stamp name without .json), or stage/key when the run wrote no stamp. */
  target: string;
  /** Start, ms since the epoch. */
  startMs: number;
  wallSeconds: number;
  /** CPU seconds of the process and its finished children; null for provenance written before CPU time was recorded. */
  cpuSeconds: number | null;
  /** Keys of the upstream artifacts this stage read. */
  deps: string[];
}

interface ProvenanceFields {
  stage?: unknown;
  key?: unknown;
  command?: unknown;
  startedAt?: unknown;
  wallSeconds?: unknown;
  cpuSeconds?: { self?: unknown; children?: unknown };
  inputs?: Record<string, { hash?: unknown }>;
}

function targetOf(command: unknown, stage: string, key: string): string {
  if (Array.isArray(command)) {
    const i = command.indexOf('--stamp');
    if (i >= 0 && typeof command[i + 1] === 'string') return path.basename(command[i + 1] as string).replace(/\.json$/, '');
  }
  return `${stage}/${key}`;
}

/** Every stage run recorded under <root>/artifacts/<stage>/<key>/provenance.json, in order of start. */
export function readStageRuns(root: string): StageRun[] {
  const arts = path.join(root, 'artifacts');
  if (!fs.existsSync(arts)) throw new InputError(root, 'no artifacts/ folder: not a brainalign store');
  const runs: StageRun[] = [];
  for (const stage of fs.readdirSync(arts).sort()) {
    const sdir = path.join(arts, stage);
    if (!fs.statSync(sdir).isDirectory()) continue;
    for (const key of fs.readdirSync(sdir).sort()) {
      const file = path.join(sdir, key, 'provenance.json');
      if (!fs.existsSync(file)) continue;
      const p = JSON.parse(fs.readFileSync(file, 'utf8')) as ProvenanceFields;
      if (typeof p.stage !== 'string' || typeof p.key !== 'string' || typeof p.startedAt !== 'string' || typeof p.wallSeconds !== 'number') {
        throw new InputError(file, 'provenance lacks stage, key, startedAt or wallSeconds');
      }
      const self = p.cpuSeconds?.self;
      const children = p.cpuSeconds?.children;
      const deps = Object.values(p.inputs ?? {})
        .map((i) => (typeof i.hash === 'string' && i.hash.startsWith('artifact:') ? i.hash.slice('artifact:'.length) : null))
        .filter((k): k is string => k !== null);
      runs.push({
        stage: p.stage,
        key: p.key,
        target: targetOf(p.command, p.stage, p.key),
        startMs: Date.parse(p.startedAt),
        wallSeconds: p.wallSeconds,
        cpuSeconds: typeof self === 'number' ? self + (typeof children === 'number' ? children : 0) : null,
        deps,
      });
    }
  }
  return runs.sort((a, b) => a.startMs - b.startMs || a.target.localeCompare(b.target));
}

/**
 * Length (s) of running `runs` on `slots` job slots: each stage starts as soon
 * as a slot is free and every upstream stage in `runs` has finished, stages
 * taken in the recorded order (make's own order), each lasting duration(run).
 * Upstream keys not in `runs` count as done (built before the profile began).
 */
export function projectMakespan(runs: readonly StageRun[], slots: number, duration: (r: StageRun) => number): number {
  if (!(Number.isInteger(slots) && slots >= 1)) throw new InputError('slots', `must be a positive integer, got ${slots}`);
  const inRun = new Set(runs.map((r) => r.key));
  const end = new Map<string, number>();
  const free = new Array<number>(slots).fill(0);
  const pending = [...runs];
  let makespan = 0;
  while (pending.length > 0) {
    const slot = free.indexOf(Math.min(...free));
    const now = free[slot];
    // The first stage (in recorded order) whose inputs are all finished by `now`; else wait for the earliest one that can start.
    const readyAt = (r: StageRun): number => {
      let t = 0;
      for (const d of r.deps) {
        if (!inRun.has(d)) continue;
        const e = end.get(d);
        if (e === undefined) return Infinity;
        t = Math.max(t, e);
      }
      return t;
    };
    let pick = pending.findIndex((r) => readyAt(r) <= now);
    let start = now;
    if (pick < 0) {
      let best = Infinity;
      pending.forEach((r, i) => {
        const t = readyAt(r);
        if (t < best) {
          best = t;
          pick = i;
        }
      });
      if (pick < 0 || !Number.isFinite(best)) throw new InputError('provenance', 'stage dependencies form a cycle or name a stage that never finishes');
      start = best;
    }
    const r = pending.splice(pick, 1)[0];
    const e = start + duration(r);
    end.set(r.key, e);
    free[slot] = e;
    makespan = Math.max(makespan, e);
  }
  return makespan;
}

const fmt = (x: number | null, digits = 1): string => (x === null ? 'n/a' : x.toFixed(digits));

/**
 * Markdown: one row per stage (target, stage, start offset from the first
 * stage, wall s, CPU s, CPU/wall), then totals by stage kind, the span of the
 * recorded run and its -jN projections from wall and from CPU seconds.
 */
export function profileMarkdown(runs: readonly StageRun[], slots = 2): string {
  if (runs.length === 0) throw new InputError('store', 'no stage has a provenance.json');
  const t0 = runs[0].startMs;
  const lines = ['| target | stage | start (s) | wall (s) | CPU (s) | CPU/wall |', '|---|---|---:|---:|---:|---:|'];
  for (const r of runs) {
    const ratio = r.cpuSeconds === null ? null : r.cpuSeconds / Math.max(r.wallSeconds, 1e-9);
    lines.push(`| ${r.target} | ${r.stage} | ${fmt((r.startMs - t0) / 1000, 0)} | ${fmt(r.wallSeconds)} | ${fmt(r.cpuSeconds)} | ${fmt(ratio, 2)} |`);
  }
  const kinds = [...new Set(runs.map((r) => r.stage))];
  lines.push('', '| stage | runs | wall (s) | CPU (s) |', '|---|---:|---:|---:|');
  const sum = (rs: readonly StageRun[], f: (r: StageRun) => number | null): number | null => {
    let s = 0;
    for (const r of rs) {
      const x = f(r);
      if (x === null) return null;
      s += x;
    }
    return s;
  };
  for (const k of kinds) {
    const rs = runs.filter((r) => r.stage === k);
    lines.push(`| ${k} | ${rs.length} | ${fmt(sum(rs, (r) => r.wallSeconds))} | ${fmt(sum(rs, (r) => r.cpuSeconds))} |`);
  }
  lines.push(`| **all** | ${runs.length} | ${fmt(sum(runs, (r) => r.wallSeconds))} | ${fmt(sum(runs, (r) => r.cpuSeconds))} |`);
  const span = Math.max(...runs.map((r) => (r.startMs - t0) / 1000 + r.wallSeconds));
  const cpuKnown = runs.every((r) => r.cpuSeconds !== null);
  lines.push(
    '',
    `Recorded span, first stage start to last stage end: ${fmt(span)} s.`,
    `Projected with -j${slots} from the stages' wall seconds: ${fmt(projectMakespan(runs, slots, (r) => r.wallSeconds))} s; ` +
      `from their CPU seconds (each stage alone on an idle core): ${cpuKnown ? `${fmt(projectMakespan(runs, slots, (r) => r.cpuSeconds ?? 0))} s` : 'n/a (provenance without cpuSeconds)'}.`,
  );
  return `${lines.join('\n')}\n`;
}

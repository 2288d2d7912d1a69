/**
 * The artifact store. A stage declares its inputs (files, folders, upstream
 * artifacts), parameters, code version and seed; the hash of all of them
 * names its output folder under <root>/artifacts/<stage>/<key>/. Work happens
 * in a temp folder that is renamed into place in one step, so a killed stage
 * leaves nothing that looks complete. A completion stamp (what make sees) is
 * written only after that rename. The guarantees, and what they do not cover
 * (nothing is fsync'd), are in docs/store.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stableJson, tempSibling, writeFileAtomic } from '../core/atomic.js';
import { killPoint } from '../core/killpoint.js';
import { notice } from '../core/progress.js';
import { InputError } from '../core/errors.js';
import { cpuNow, cpuSince, type CpuSeconds } from './cpu-time.js';
import { HashMemo, listFiles, sha256 } from './hash.js';
import { VERSION } from './version.js';
import { ensureDerivativesRoot } from './derivatives.js';

export interface StageSpec {
  /** Stage name, e.g. 'train'. */
  stage: string;
  /** Bump when the stage's outputs would change for the same inputs. */
  codeVersion: string;
  /** Derivatives root, e.g. derivatives/brainalign. */
  root: string;
  /** Named inputs: files, folders or upstream artifact folders (hashed by content or key). */
  inputs: Record<string, string>;
  /** JSON-serialisable parameters; every one of them enters the key. */
  params: unknown;
  seed: number;
  /** Completion stamp to write after success (the make target). */
  stamp?: string;
  /** Hard-link outputs into the BIDS derivatives tree under root. */
  publish?: boolean;
}

export interface StageContext {
  /** The temp folder to write outputs into. */
  dir: string;
  key: string;
  /**
   * Facts about this run that are not a function of the inputs (wall-clock
   * times, absolute paths): they go to provenance.json only, so every other
   * output file is byte-identical across runs and roots.
   */
  runtime: Record<string, unknown>;
}

export interface StageResult {
  dir: string;
  key: string;
  upToDate: boolean;
}

export interface Provenance {
  key: string;
  stage: string;
  codeVersion: string;
  brainalign: string;
  seed: number;
  params: unknown;
  inputs: Record<string, { path: string; hash: string }>;
  command: string[];
  startedAt: string;
  wallSeconds: number;
  /** CPU seconds of the stage's work: this process (all threads) and its finished child processes (null where unknown). */
  cpuSeconds: CpuSeconds;
  /** What the stage's work put in StageContext.runtime. */
  runtime: Record<string, unknown>;
  outputs: string[];
}

/** Key and input hashes of a stage, without running it. */
export function stageKey(spec: StageSpec, memo?: HashMemo): { key: string; inputs: Record<string, { path: string; hash: string }> } {
  const m = memo ?? new HashMemo(memoPath(spec.root));
  const inputs: Record<string, { path: string; hash: string }> = {};
  for (const name of Object.keys(spec.inputs).sort()) {
    const p = spec.inputs[name];
    inputs[name] = { path: p, hash: m.pathHash(p) };
  }
  if (!memo) m.save();
  const hashes = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.hash]));
  const key = sha256(stableJson({ stage: spec.stage, codeVersion: spec.codeVersion, inputs: hashes, params: spec.params ?? null, seed: spec.seed })).slice(
    0,
    16,
  );
  return { key, inputs };
}

export function artifactDir(root: string, stage: string, key: string): string {
  return path.join(root, 'artifacts', stage, key);
}

function memoPath(root: string): string {
  return path.join(root, '.cache', 'hashes.json');
}

/**
 * Run `work` unless an artifact with the same key exists. Returns the final
 * artifact folder.
 */
export async function runStage(spec: StageSpec, work: (ctx: StageContext) => Promise<void> | void): Promise<StageResult> {
  ensureDerivativesRoot(spec.root);
  const memo = new HashMemo(memoPath(spec.root));
  const { key, inputs } = stageKey(spec, memo);
  memo.save();
  const final = artifactDir(spec.root, spec.stage, key);
  if (fs.existsSync(path.join(final, 'provenance.json'))) {
    notice(`${spec.stage}: up to date (${key})`);
    finish(spec, final, key);
    return { dir: final, key, upToDate: true };
  }
  const parent = path.dirname(final);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = path.join(parent, `.tmp-${key}-${process.pid}-${Date.now()}`);
  fs.mkdirSync(tmp, { recursive: true });
  const started = new Date();
  const t0 = process.hrtime.bigint();
  const cpu0 = cpuNow();
  const runtime: Record<string, unknown> = {};
  try {
    await work({ dir: tmp, key, runtime });
    const prov: Provenance = {
      key,
      stage: spec.stage,
      codeVersion: spec.codeVersion,
      brainalign: VERSION,
      seed: spec.seed,
      params: spec.params ?? null,
      inputs,
      command: process.argv.slice(1),
      startedAt: started.toISOString(),
      wallSeconds: Number(process.hrtime.bigint() - t0) / 1e9,
      cpuSeconds: cpuSince(cpu0),
      runtime,
      outputs: listFiles(tmp),
    };
    fs.writeFileSync(path.join(tmp, 'provenance.json'), stableJson(prov));
    killPoint('stage:rename');
    try {
      fs.renameSync(tmp, final);
    } catch (e) {
      // Another process finished the same key first: theirs is as good as ours.
      if (fs.existsSync(path.join(final, 'provenance.json'))) fs.rmSync(tmp, { recursive: true, force: true });
      else throw e;
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  finish(spec, final, key);
  return { dir: final, key, upToDate: false };
}

function finish(spec: StageSpec, dir: string, key: string): void {
  if (spec.publish) publish(spec.root, dir);
  if (spec.stamp) writeStamp(spec.stamp, { stage: spec.stage, key, dir });
}

/**
 * Hard-link an artifact's files into the BIDS derivatives tree, so users find
 * `sub-01/func/..._r.nii.gz` where BIDS says, while the store keeps one copy.
 * A destination that already is the artifact's file is left alone: rename(2)
 * between two links to one inode succeeds without removing the source, which
 * would leave the temp link behind on every up-to-date run.
 */
function publish(root: string, dir: string): void {
  for (const rel of listFiles(dir)) {
    if (rel === 'provenance.json') continue;
    const src = path.join(dir, rel);
    const dest = path.join(root, rel);
    if (sameFile(src, dest)) continue;
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const tmp = tempSibling(dest);
    try {
      fs.linkSync(src, tmp);
    } catch {
      fs.copyFileSync(src, tmp);
    }
    killPoint('publish:link');
    fs.renameSync(tmp, dest);
    killPoint('publish:rename');
    // Only reached when dest became a link to the same inode between our check and the rename.
    fs.rmSync(tmp, { force: true });
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    return false;
  }
}

/**
 * Write a completion stamp: what make waits for, naming the stage, its key
 * and its output folder (stored relative to the stamp, so a derivatives tree
 * can be moved whole). Only ever called once the output is complete.
 */
export function writeStamp(stamp: string, s: { stage: string; key: string; dir: string; [extra: string]: string }): void {
  const dir = path.relative(path.dirname(path.resolve(stamp)), path.resolve(s.dir));
  killPoint('stamp:write');
  writeFileAtomic(stamp, stableJson({ ...s, dir }));
}

/** Resolve a stamp file (what make passes between stages) to its artifact folder. */
export function readStamp(stamp: string): { stage: string; key: string; dir: string } {
  let s: { stage?: unknown; key?: unknown; dir?: unknown };
  try {
    s = JSON.parse(fs.readFileSync(stamp, 'utf8')) as typeof s;
  } catch {
    throw new InputError(stamp, 'not a readable stamp file');
  }
  if (typeof s.stage !== 'string' || typeof s.key !== 'string' || typeof s.dir !== 'string') {
    throw new InputError(stamp, 'not a brainalign stamp (needs stage, key, dir)');
  }
  return { stage: s.stage, key: s.key, dir: path.resolve(path.dirname(stamp), s.dir) };
}

/**
 * An upstream artifact given on the command line: either its stamp file (as
 * make passes it) or the artifact folder itself.
 */
export function resolveArtifact(p: string, option: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    throw new InputError(p, `${option}: no such stamp or artifact (run the upstream stage first)`);
  }
  const dir = st.isDirectory() ? p : readStamp(p).dir;
  if (!fs.existsSync(path.join(dir, 'provenance.json'))) throw new InputError(p, `${option}: not a complete artifact (no provenance.json)`);
  return dir;
}

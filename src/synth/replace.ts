/**
 * Crash-safe replacement of a generated study. The new study is written
 * beside the target, sealed with a completion manifest, and swapped in by two
 * renames (old folder aside, new folder in); only then is the old one
 * deleted. A kill at any point leaves either the old complete study, no study
 * (re-run regenerates), or the new complete one, plus temp siblings that the
 * next run removes. "Up to date" requires the manifest's identity and every
 * file it lists at its recorded size, so a half-deleted folder never passes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { processAlive } from '../core/process.js';
import { stableJson, writeFileAtomic } from '../core/atomic.js';
import { killPoint } from '../core/killpoint.js';

/** The completion manifest at the study root; a dot-file, so BIDS tools and input hashes skip it. */
export const SEAL_FILE = '.brainalign-synth.json';

interface Seal {
  identity: string;
  files: Record<string, number>;
}

function regularFiles(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (r === SEAL_FILE) continue;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) out[r] = fs.statSync(path.join(dir, r)).size;
    }
  };
  walk('');
  return out;
}

/** Write the completion manifest of a fully written study folder. */
export function sealStudy(dir: string, identity: string): void {
  const seal: Seal = { identity, files: regularFiles(dir) };
  writeFileAtomic(path.join(dir, SEAL_FILE), stableJson(seal));
}

/** Whether `dir` holds a complete study generated with `identity`. */
export function studyComplete(dir: string, identity: string): boolean {
  let seal: Seal;
  try {
    seal = JSON.parse(fs.readFileSync(path.join(dir, SEAL_FILE), 'utf8')) as Seal;
  } catch {
    return false;
  }
  if (seal.identity !== identity || seal.files === null || typeof seal.files !== 'object') return false;
  for (const [rel, size] of Object.entries(seal.files)) {
    try {
      const st = fs.statSync(path.join(dir, rel));
      if (!st.isFile() || st.size !== size) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Whether `dir` was written by synth (sealed, or carrying its ground-truth config from before seals). */
export function isSynthOutput(dir: string): boolean {
  return fs.existsSync(path.join(dir, SEAL_FILE)) || fs.existsSync(path.join(dir, 'derivatives', 'synth-truth', 'config.json'));
}

/** Temp siblings `<out>.tmp-synth-<pid>` / `<out>.old-synth-<pid>` of killed runs. */
export function staleSiblings(out: string): string[] {
  const parent = path.dirname(out);
  const base = path.basename(out);
  if (!fs.existsSync(parent)) return [];
  const re = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(tmp|old)-synth-(\\d+)$`);
  return fs
    .readdirSync(parent)
    .map((n) => ({ n, m: re.exec(n) }))
    .filter((x) => x.m !== null && Number(x.m[2]) !== process.pid && !processAlive(Number(x.m[2])))
    .map((x) => path.join(parent, x.n));
}

/** Remove what killed runs left beside `out` (also done on an up-to-date run). */
export function removeStaleSiblings(out: string): void {
  for (const d of staleSiblings(out)) fs.rmSync(d, { recursive: true, force: true });
}

/**
 * Build a study with `write(tmp)` and swap it in for `out`. Returns what
 * `write` returned.
 */
export function replaceStudy<T>(out: string, identity: string, write: (tmp: string) => T): T {
  removeStaleSiblings(out);
  const tmp = `${out}.tmp-synth-${process.pid}`;
  const aside = `${out}.old-synth-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  let result: T;
  try {
    result = write(tmp);
    sealStudy(tmp, identity);
    if (fs.existsSync(out)) {
      fs.renameSync(out, aside);
      killPoint('synth:aside');
    }
    fs.renameSync(tmp, out);
    killPoint('synth:in');
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    // Put the old study back if the new one never arrived.
    if (!fs.existsSync(out) && fs.existsSync(aside)) fs.renameSync(aside, out);
    throw e;
  }
  fs.rmSync(aside, { recursive: true, force: true });
  killPoint('synth:drop');
  return result;
}

/**
 * Listing and garbage-collecting the artifact store. An artifact is "live"
 * when a stamp under <root>/stamps/ names it; make owns the stamps, so what
 * make no longer builds is what gc may remove.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { processAlive } from '../core/process.js';

export interface ArtifactEntry {
  stage: string;
  key: string;
  dir: string;
  bytes: number;
  ageSeconds: number;
  live: boolean;
}

export function stampsDir(root: string): string {
  return path.join(root, 'stamps');
}

/** Keys named by the stamps currently under <root>/stamps/. */
export function liveKeys(root: string): Set<string> {
  const keys = new Set<string>();
  const dir = stampsDir(root);
  if (!fs.existsSync(dir)) return keys;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && !e.name.startsWith('.')) {
        try {
          const s = JSON.parse(fs.readFileSync(p, 'utf8')) as { key?: unknown; keys?: unknown };
          if (typeof s.key === 'string') keys.add(s.key);
          if (Array.isArray(s.keys)) for (const k of s.keys) if (typeof k === 'string') keys.add(k);
        } catch {
          // A foreign file in stamps/ names nothing.
        }
      }
    }
  };
  walk(dir);
  return keys;
}

function dirBytes(d: string): number {
  let total = 0;
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) total += dirBytes(p);
    else if (e.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

/** Every complete artifact in the store, oldest stage first. */
export function listArtifacts(root: string, now = Date.now()): ArtifactEntry[] {
  const base = path.join(root, 'artifacts');
  if (!fs.existsSync(base)) return [];
  const live = liveKeys(root);
  const out: ArtifactEntry[] = [];
  for (const stage of fs.readdirSync(base).sort()) {
    const sd = path.join(base, stage);
    if (!fs.statSync(sd).isDirectory()) continue;
    for (const key of fs.readdirSync(sd).sort()) {
      if (key.startsWith('.')) continue;
      const dir = path.join(sd, key);
      const prov = path.join(dir, 'provenance.json');
      if (!fs.existsSync(prov)) continue;
      out.push({
        stage,
        key,
        dir,
        bytes: dirBytes(dir),
        ageSeconds: Math.max(0, (now - fs.statSync(prov).mtimeMs) / 1000),
        live: live.has(key),
      });
    }
  }
  return out;
}

/** The pid in a temp name: `.tmp-<name>-<pid>-<n>` (atomic writes, stage folders, publish links) or the older `.tmp-link-<pid>-<name>`. */
export function tempOwner(name: string): number | null {
  const m = /^\.tmp-.+-(\d+)-\d+$/.exec(name) ?? /^\.tmp-link-(\d+)-/.exec(name);
  return m ? Number(m[1]) : null;
}

/** Every temp file or folder under root whose writing process is gone, anywhere in the tree. */
function staleTemps(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      const pid = tempOwner(e.name);
      if (pid !== null) {
        if (!processAlive(pid)) out.push(p);
      } else if (e.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out.sort();
}

function entryBytes(p: string): number {
  const st = fs.lstatSync(p);
  return st.isDirectory() ? dirBytes(p) : st.size;
}

/**
 * Remove artifacts no stamp references, and temp files and folders (stage
 * work folders, atomic-write temps, publish links, the hash memo's and the
 * stamps' temps) whose process is gone (killed mid-write). Returns what was
 * removed.
 */
export function collectGarbage(root: string, opts: { dryRun?: boolean } = {}): { removed: string[]; freedBytes: number } {
  const removed: string[] = [];
  let freed = 0;
  for (const a of listArtifacts(root)) {
    if (a.live) continue;
    removed.push(a.dir);
    freed += a.bytes;
    if (!opts.dryRun) fs.rmSync(a.dir, { recursive: true, force: true });
  }
  if (fs.existsSync(root)) {
    for (const p of staleTemps(root)) {
      freed += entryBytes(p);
      removed.push(p);
      if (!opts.dryRun) fs.rmSync(p, { recursive: true, force: true });
    }
  }
  return { removed, freedBytes: freed };
}

export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function humanAge(s: number): string {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

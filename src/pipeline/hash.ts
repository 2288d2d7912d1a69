/**
 * Content hashes of stage inputs. Files are hashed by content (sha256),
 * folders by the sorted list of (relative path, file hash). Hashing a
 * multi-GB BOLD run on every `make` would dominate the runtime, so hashes are
 * memoised per (path, size, mtime, ctime, inode) in the derivatives root.
 * ctime is in the key because an in-place rewrite can restore size and mtime
 * (touch -r, rsync -t) but not ctime, which the kernel sets on every write.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { writeJsonAtomic } from '../core/atomic.js';
import { hashFileContent, sha256 } from '../core/hash.js';

export { hashFileContent, sha256 };

interface MemoEntry {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  hash: string;
}

export class HashMemo {
  private entries: Record<string, MemoEntry> = {};
  private dirty = false;
  constructor(private readonly file: string | null) {
    if (file && fs.existsSync(file)) {
      try {
        this.entries = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, MemoEntry>;
      } catch {
        this.entries = {};
      }
    }
  }

  fileHash(p: string): string {
    const abs = path.resolve(p);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      throw new InputError(p, 'input file does not exist');
    }
    // A FIFO or device would block or never end the hash.
    if (!st.isFile()) throw new InputError(p, 'input is not a regular file');
    const m = this.entries[abs];
    if (m && m.size === st.size && m.mtimeMs === st.mtimeMs && m.ctimeMs === st.ctimeMs && m.ino === st.ino) return m.hash;
    const hash = hashFileContent(abs);
    this.entries[abs] = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, hash };
    this.dirty = true;
    return hash;
  }

  /** Hash of a file or a folder (recursively; dot-files skipped). */
  pathHash(p: string): string {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      throw new InputError(p, 'input does not exist');
    }
    if (!st.isDirectory()) return this.fileHash(p);
    // An artifact folder is already named by its key: no need to re-read it.
    const prov = path.join(p, 'provenance.json');
    if (fs.existsSync(prov)) {
      const key = (JSON.parse(fs.readFileSync(prov, 'utf8')) as { key?: string }).key;
      if (typeof key === 'string') return `artifact:${key}`;
    }
    const h = createHash('sha256');
    for (const rel of listFiles(p)) {
      h.update(rel);
      h.update('\0');
      h.update(this.fileHash(path.join(p, rel)));
      h.update('\n');
    }
    return h.digest('hex');
  }

  save(): void {
    if (this.file && this.dirty) writeJsonAtomic(this.file, this.entries);
    this.dirty = false;
  }
}

/** Relative paths of all regular files under `dir`, sorted, skipping dot-entries. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) out.push(r);
    }
  };
  walk('');
  return out.sort();
}

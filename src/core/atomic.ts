/**
 * Atomic writes: everything is written to a temporary sibling, then renamed.
 * rename(2) within one filesystem is atomic, so a reader (or make) never sees
 * a half-written file, and a killed process leaves only `.tmp-*` litter that
 * nothing mistakes for a result.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

let counter = 0;

export function tempSibling(target: string): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  counter += 1;
  return path.join(dir, `.tmp-${base}-${process.pid}-${counter}`);
}

/** Write a file atomically, creating parent folders. */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = tempSibling(target);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Write a file atomically from several chunks, without concatenating them in
 * memory first (volumes, EDF records).
 */
export function writeChunksAtomic(target: string, chunks: Iterable<Uint8Array>): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = tempSibling(target);
  let fd = -1;
  try {
    fd = fs.openSync(tmp, 'w');
    for (const c of chunks) {
      let off = 0;
      while (off < c.length) off += fs.writeSync(fd, c, off, c.length - off);
    }
    fs.closeSync(fd);
    fd = -1;
    fs.renameSync(tmp, target);
  } catch (e) {
    if (fd >= 0) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** JSON with sorted keys and a trailing newline, so equal objects give equal bytes. */
export function stableJson(value: unknown, indent = 2): string {
  return `${JSON.stringify(sortKeys(value), null, indent)}\n`;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) out[k] = sortKeys(o[k]);
    return out;
  }
  return v;
}

export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, stableJson(value));
}

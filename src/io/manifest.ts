/**
 * Dataset manifests (data-manifests/*.json): where a real dataset comes from,
 * what its layout must look like, and how it maps onto brainalign's inputs.
 * `verifyDataset` checks a copy on disk against one, without trusting any
 * path in the manifest to stay inside the dataset root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { hashFileContent } from '../core/hash.js';
import { globToRegExp } from './glob.js';
import { printable } from '../core/printable.js';

const RelPath = z.string().min(1);

export const ManifestSchema = z.strictObject({
  name: z.string(),
  description: z.string(),
  modality: z.enum(['stimuli', 'fmri', 'eeg', 'components']),
  source: z.strictObject({
    url: z.string(),
    doi: z.string().optional(),
    citation: z.string(),
    howToGet: z.string(),
  }),
  license: z.string(),
  /** Files known by name, with size and checksum where known. */
  files: z
    .array(
      z.strictObject({
        path: RelPath,
        size: z.number().int().nonnegative().optional(),
        sha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/)
          .optional(),
        get: z.string().optional(),
      }),
    )
    .default([]),
  /** Families of files: how many match, and their size range. */
  patterns: z
    .array(
      z.strictObject({
        glob: RelPath,
        count: z.number().int().nonnegative().optional(),
        minCount: z.number().int().nonnegative().optional(),
        minSize: z.number().int().nonnegative().optional(),
        maxSize: z.number().int().nonnegative().optional(),
        description: z.string().optional(),
        /** The command that fetches these files, printed when they are missing. */
        get: z.string().optional(),
      }),
    )
    .default([]),
  /** JSON sidecar fields every matching file must carry. */
  sidecars: z.array(z.strictObject({ glob: RelPath, field: z.string(), equals: z.union([z.number(), z.string(), z.boolean()]) })).default([]),
  /** Columns every matching TSV must start with. */
  tsvColumns: z.array(z.strictObject({ glob: RelPath, columns: z.array(z.string()).min(1) })).default([]),
  knownIssues: z.array(z.string()).default([]),
  /** How the dataset feeds brainalign's stages (free-form but documented per dataset). */
  mapping: z.record(z.string(), z.unknown()),
});

export type Manifest = z.output<typeof ManifestSchema>;

export interface Problem {
  kind: 'missing' | 'size' | 'checksum' | 'count' | 'layout' | 'sidecar' | 'columns';
  path: string;
  detail: string;
}

/** Resolve a manifest path inside root, refusing anything that would escape it or name the root itself. */
export function insideRoot(root: string, rel: string, manifestFile: string): string {
  if (path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) {
    throw new InputError(manifestFile, `path "${rel}" would escape the dataset root`);
  }
  const abs = path.resolve(root, rel);
  const back = path.relative(path.resolve(root), abs);
  if (back.startsWith('..') || path.isAbsolute(back)) throw new InputError(manifestFile, `path "${rel}" would escape the dataset root`);
  if (back === '') throw new InputError(manifestFile, `path "${rel}" names the dataset root itself, not a file`);
  return abs;
}

/** Largest sidecar JSON read whole, and the bytes read to find a TSV's header line. */
const MAX_SIDECAR_BYTES = 16 << 20;
const TSV_HEAD_BYTES = 64 << 10;

type Entry = { ok: true; abs: string; size: number } | { ok: false; kind: Problem['kind']; detail: string };

/**
 * What a path inside root is, without following it anywhere it should not go:
 * a regular file (directly or through a link that stays inside root), or the
 * problem with it. Never opens the path, so a FIFO or device cannot block us.
 */
function inspect(realRoot: string, abs: string): Entry {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(abs);
  } catch {
    return { ok: false, kind: 'missing', detail: 'file not found' };
  }
  if (st.isSymbolicLink()) {
    let target: string;
    try {
      target = fs.realpathSync(abs);
    } catch {
      return { ok: false, kind: 'missing', detail: 'dangling symlink' };
    }
    if (target !== realRoot && !target.startsWith(realRoot + path.sep)) return { ok: false, kind: 'layout', detail: 'symlink points outside the dataset root' };
    st = fs.statSync(target);
    abs = target;
  }
  if (!st.isFile()) return { ok: false, kind: 'layout', detail: st.isDirectory() ? 'is a folder, not a file' : 'not a regular file (FIFO, socket or device)' };
  return { ok: true, abs, size: st.size };
}

/** The first line of a text file, reading at most TSV_HEAD_BYTES. */
function firstLine(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(TSV_HEAD_BYTES);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
  } finally {
    fs.closeSync(fd);
  }
}

export function readManifest(file: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(file, code ? `cannot read manifest (${code})` : `not valid JSON: ${(e as Error).message}`);
  }
  const r = ManifestSchema.safeParse(raw, { reportInput: true });
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InputError(file, `field "${i.path.map(String).join('.') || '(top level)'}": ${i.message}`);
  }
  const m = r.data;
  for (const f of m.files) insideRoot('/', f.path, file);
  for (const p of [...m.patterns, ...m.sidecars, ...m.tsvColumns]) insideRoot('/', p.glob, file);
  return m;
}

/**
 * Every regular file under root as a '/'-separated relative path. Links are
 * resolved, never followed out of root or into folders (no cycles); links that
 * leave root, dangling links and special files are reported as problems.
 */
function walk(root: string, realRoot: string): { files: string[]; problems: Problem[] } {
  const files: string[] = [];
  const problems: Problem[] = [];
  const rec = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.name === '.git') continue;
      if (e.isDirectory()) {
        rec(r);
        continue;
      }
      const what = inspect(realRoot, path.join(root, r));
      if (what.ok) files.push(r);
      else if (what.detail !== 'is a folder, not a file') problems.push({ kind: what.kind, path: r, detail: what.detail });
    }
  };
  rec('');
  return { files: files.sort(), problems };
}

export interface VerifyOptions {
  /** Compute sha256 for files that list one (slow on big datasets). */
  checksums?: boolean;
}

export function verifyDataset(manifest: Manifest, root: string, manifestFile: string, opts: VerifyOptions = {}): Problem[] {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new InputError(root, 'dataset root is not a folder');
  const realRoot = fs.realpathSync(root);
  const { files, problems } = walk(root, realRoot);
  const inWalk = new Set(problems.map((p) => p.path));

  for (const f of manifest.files) {
    const what = inspect(realRoot, insideRoot(root, f.path, manifestFile));
    if (!what.ok) {
      // The walk already reported this path's link or special-file problem.
      if (!inWalk.has(f.path)) problems.push({ kind: what.kind, path: f.path, detail: what.detail });
      continue;
    }
    if (f.size !== undefined && what.size !== f.size) {
      problems.push({ kind: 'size', path: f.path, detail: `size ${what.size} B, expected ${f.size} B` });
    } else if (f.sha256 && opts.checksums !== false) {
      const h = hashFileContent(what.abs);
      if (h !== f.sha256) problems.push({ kind: 'checksum', path: f.path, detail: `sha256 ${h.slice(0, 12)}…, expected ${f.sha256.slice(0, 12)}…` });
    }
  }

  for (const p of manifest.patterns) {
    const re = globToRegExp(p.glob);
    const matched = files.filter((f) => re.test(f));
    if (p.count !== undefined && matched.length !== p.count) {
      problems.push({ kind: 'count', path: p.glob, detail: `${matched.length} file(s) match, expected ${p.count}` });
    }
    if (p.minCount !== undefined && matched.length < p.minCount) {
      problems.push({ kind: 'count', path: p.glob, detail: `${matched.length} file(s) match, expected at least ${p.minCount}` });
    }
    for (const f of matched) {
      const size = fs.statSync(fs.realpathSync(path.join(root, f))).size;
      if ((p.minSize !== undefined && size < p.minSize) || (p.maxSize !== undefined && size > p.maxSize)) {
        problems.push({ kind: 'size', path: f, detail: `size ${size} B outside [${p.minSize ?? 0}, ${p.maxSize ?? '∞'}] B` });
      }
    }
  }

  for (const s of manifest.sidecars) {
    const re = globToRegExp(s.glob);
    for (const f of files.filter((x) => re.test(x))) {
      let v: unknown;
      try {
        const file = path.join(root, f);
        if (fs.statSync(file).size > MAX_SIDECAR_BYTES) {
          problems.push({ kind: 'sidecar', path: f, detail: `larger than ${MAX_SIDECAR_BYTES >> 20} MiB; not a sidecar` });
          continue;
        }
        const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
        // Own properties only: a "__proto__" key must not answer for a missing field.
        v = doc !== null && typeof doc === 'object' && Object.hasOwn(doc, s.field) ? (doc as Record<string, unknown>)[s.field] : undefined;
      } catch {
        problems.push({ kind: 'sidecar', path: f, detail: 'not valid JSON' });
        continue;
      }
      if (v !== s.equals) problems.push({ kind: 'sidecar', path: f, detail: `${s.field} is ${JSON.stringify(v)}, expected ${JSON.stringify(s.equals)}` });
    }
  }

  for (const c of manifest.tsvColumns) {
    const re = globToRegExp(c.glob);
    for (const f of files.filter((x) => re.test(x))) {
      const first = firstLine(path.join(root, f));
      const cols = first.split('\t');
      const ok = c.columns.every((col, i) => cols[i] === col);
      if (!ok) problems.push({ kind: 'columns', path: f, detail: `columns ${cols.join(',')}, expected to start with ${c.columns.join(',')}` });
    }
  }
  return problems;
}

/**
 * What to run for the problems found: the `get` step of every file or
 * pattern entry with a problem (in manifest order, once each), then the
 * manifest's general howToGet. Empty when there are no problems.
 */
export function downloadSteps(manifest: Manifest, problems: Problem[]): string {
  if (problems.length === 0) return '';
  const hit = (p: string, glob: string): boolean => p === glob || globToRegExp(glob).test(p);
  const steps: string[] = [];
  for (const e of [...manifest.files.map((f) => ({ key: f.path, get: f.get })), ...manifest.patterns.map((p) => ({ key: p.glob, get: p.get }))]) {
    if (e.get && problems.some((p) => hit(p.path, e.key)) && !steps.includes(e.get)) steps.push(e.get);
  }
  return `to get what is missing:\n${steps.map((s) => `  ${s}\n`).join('')}  ${manifest.source.howToGet}\n`;
}

/** The problems as an aligned, readable table. */
export function problemTable(problems: Problem[]): string {
  if (problems.length === 0) return 'no problems found\n';
  const rows = problems.map((p) => [p.kind, printable(p.path), printable(p.detail)]);
  const w = [0, 1].map((c) => Math.max(c === 0 ? 4 : 4, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => `${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2]}\n`;
  return line(['kind', 'path', 'problem']) + rows.map(line).join('');
}

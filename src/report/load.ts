/**
 * Stage artifacts → ReportData. Each input (a stamp or an artifact folder)
 * is recognised by the files it holds, not by its stage name, so a renamed
 * stage still feeds the report. A section with no artifact stays empty (the
 * page says "not run"); a file that is present but malformed is an
 * InputError naming that file. Column names accept the few spellings the
 * stages use (documented in docs/report.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { readTsv, tsvNumber, type TsvTable } from '../io/tsv.js';
import { loadNifti, writeNifti } from '../io/nifti.js';
import { listFiles } from '../pipeline/hash.js';
import { resolveArtifact } from '../pipeline/stage.js';
import { VERSION } from '../pipeline/version.js';
import { loadIdentificationDetail } from './load-eeg.js';
import { finalPerModel } from '../scoring/align-performance.js';
import {
  emptyReport, reportDataSchema, type AlignmentSection, type AreaRoi, type BasSection, type BrainMap, type IdentificationSection,
  type ProvenanceEntry, type ReportData, type RoiScores, type Study, type TrainingSection,
} from './data.js';

// ---------------------------------------------------------------- helpers

/** A parsed TSV with its path, for errors that name the file. */
interface Table extends TsvTable {
  file: string;
}

function table(file: string): Table {
  return { ...readTsv(file), file };
}

/** The first of `names` present as a column (null if none). */
function pick(t: Table, names: string[]): string | null {
  return names.find((n) => t.columns.includes(n)) ?? null;
}

/** Like pick, but a missing column is an InputError naming the file and the spellings accepted. */
function need(t: Table, names: string[], what: string): string {
  const c = pick(t, names);
  if (c === null) throw new InputError(t.file, `no ${what} column (expected one of ${names.map((n) => `"${n}"`).join(', ')})`);
  return c;
}

/** Cell as a finite number, or null for n/a, NaN and ±inf (shown as n/a). */
function num(t: Table, row: Record<string, string>, col: string | null): number | null {
  if (col === null) return null;
  const v = tsvNumber(row[col], t.file, col);
  return v === null || !Number.isFinite(v) ? null : v;
}

function numReq(t: Table, row: Record<string, string>, col: string, i: number): number {
  const v = num(t, row, col);
  if (v === null) throw new InputError(t.file, `row ${i + 2}, column "${col}": a number is required, got "${row[col]}"`);
  return v;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch (e) {
    throw new InputError(file, `not valid JSON: ${(e as Error).message}`);
  }
}

function parseJson<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  const r = schema.safeParse(readJson(file));
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new InputError(file, `field "${issue.path.map(String).join('.') || '(top level)'}": ${issue.message}`);
}

const provenanceFileSchema = z.object({
  key: z.string(), stage: z.string(), brainalign: z.string(), seed: z.number(), params: z.unknown(),
}).loose();

/** Artifact folder and its provenance entry, from a stamp or a folder. */
export function readArtifact(input: string): { dir: string; files: string[]; provenance: ProvenanceEntry } {
  const dir = resolveArtifact(input, '--inputs');
  const p = parseJson(path.join(dir, 'provenance.json'), provenanceFileSchema);
  return { dir, files: listFiles(dir), provenance: { stage: p.stage, key: p.key, brainalign: p.brainalign, seed: p.seed, params: p.params ?? null, path: dir } };
}

/** The shallowest file matching `re` (a top-level metrics.tsv wins over one inside a checkpoint folder). */
function first(files: string[], re: RegExp): string | null {
  const depth = (f: string): number => f.split('/').length;
  return files.filter((x) => re.test(x)).sort((a, b) => depth(a) - depth(b) || a.localeCompare(b))[0] ?? null;
}

// ---------------------------------------------------------------- train

/** All column descriptions of a TSV's JSON sidecar joined as text ('' when there is none or it is not JSON). */
function sidecarText(tsvFile: string): string {
  const side = tsvFile.replace(/\.tsv$/, '.json');
  if (!fs.existsSync(side)) return '';
  try {
    const j = JSON.parse(fs.readFileSync(side, 'utf8')) as unknown;
    return j && typeof j === 'object' ? Object.values(j as Record<string, { Description?: unknown }>).map((v) => (v && typeof v.Description === 'string' ? v.Description : '')).join(' ') : '';
  } catch {
    return '';
  }
}

const summarySchema = z.object({
  accuracy: z.number().nullable().optional(),
  clip_accuracy: z.number().nullable().optional(),
  clipAccuracy: z.number().nullable().optional(),
  chance: z.number().nullable().optional(),
  bestEpoch: z.number().int().nullable().optional(),
  best_epoch: z.number().int().nullable().optional(),
  clip_binomial_p: z.number().nullable().optional(),
}).loose();

/** Training section from a train artifact (metrics.tsv, confusion, per-class table, summary), or null if it has no metrics.tsv. */
export function loadTraining(dir: string, files: string[], model: string): TrainingSection | null {
  const metrics = first(files, /(^|\/)metrics\.tsv$/);
  if (!metrics) return null;
  const m = table(path.join(dir, metrics));
  const cEpoch = need(m, ['epoch'], 'epoch');
  const cols = {
    train_loss: pick(m, ['train_loss', 'loss']), train_acc: pick(m, ['train_acc', 'train_accuracy', 'acc']),
    val_loss: pick(m, ['val_loss']), val_acc: pick(m, ['val_acc', 'val_accuracy']),
  };
  if (!cols.train_loss && !cols.train_acc && !cols.val_loss && !cols.val_acc) throw new InputError(m.file, 'no loss or accuracy columns (expected train_loss, train_acc, val_loss, val_acc)');
  const epochs = m.rows.map((r, i) => {
    const e = numReq(m, r, cEpoch, i);
    if (!Number.isInteger(e)) throw new InputError(m.file, `row ${i + 2}: epoch "${r[cEpoch]}" is not an integer`);
    return { epoch: e, train_loss: num(m, r, cols.train_loss), train_acc: num(m, r, cols.train_acc), val_loss: num(m, r, cols.val_loss), val_acc: num(m, r, cols.val_acc) };
  });
  let classes: string[] = [];
  let confusion: number[][] | null = null;
  const confFile = first(files, /(^|\/)eval\/confusion\.tsv$/) ?? first(files, /(^|\/)confusion\.tsv$/);
  if (confFile) {
    const c = table(path.join(dir, confFile));
    const label = need(c, ['true_genre', 'true', 'genre', 'class'], 'true-class');
    classes = c.columns.filter((x) => x !== label);
    const rowNames = c.rows.map((r) => r[label]);
    if (rowNames.length !== classes.length || rowNames.some((n, i) => n !== classes[i])) {
      throw new InputError(c.file, `rows (${rowNames.join(', ')}) must name the same classes as the columns (${classes.join(', ')}), in order`);
    }
    confusion = c.rows.map((r, i) => classes.map((k) => {
      const v = numReq(c, r, k, i);
      if (v < 0 || !Number.isInteger(v)) throw new InputError(c.file, `row ${i + 2}, column "${k}": counts must be non-negative integers, got "${r[k]}"`);
      return v;
    }));
  }
  const perFile = first(files, /(^|\/)eval\/per_genre\.tsv$/) ?? first(files, /(^|\/)per[-_]class\.tsv$/);
  let perClass: TrainingSection['perClass'] = [];
  if (perFile) {
    const p = table(path.join(dir, perFile));
    const g = need(p, ['genre', 'class'], 'genre');
    const prec = pick(p, ['precision']), rec = pick(p, ['recall']), sup = pick(p, ['support', 'n']);
    perClass = p.rows.map((r) => ({ genre: r[g], precision: num(p, r, prec), recall: num(p, r, rec), support: num(p, r, sup) ?? 0 }));
    if (classes.length === 0) classes = perClass.map((x) => x.genre);
  }
  const sumFile = first(files, /(^|\/)eval\/summary\.json$/) ?? first(files, /(^|\/)evaluation\.json$/);
  const s = sumFile ? parseJson(path.join(dir, sumFile), summarySchema) : {};
  const chance = s.chance ?? (classes.length > 0 ? 1 / classes.length : null);
  // What the confusion counts: the file name or its sidecar says clips; otherwise windows (the library's default).
  const unit = confFile && (/clip/.test(confFile) || /\bclips?\b/.test(sidecarText(path.join(dir, confFile)))) ? 'clips' : 'windows';
  return {
    model, epochs, bestEpoch: s.bestEpoch ?? s.best_epoch ?? null, classes, confusion, confusionUnit: unit, perClass,
    accuracy: s.accuracy ?? null, clipAccuracy: s.clip_accuracy ?? s.clipAccuracy ?? null, chance, clipP: finiteOrNull(s.clip_binomial_p),
  };
}

// ---------------------------------------------------------------- encode

/** One ROI table: rows whose group is `model\0area` when the table names models (resolved by poolRoiRows). */
interface RoiFile {
  subject: string;
  measure: string;
  models: string[];
  rows: RoiScores['rows'];
}

const SCORE_COLS = ['score', 'median_r_norm', 'medianRNorm', 'r_norm', 'median_voxel_r_norm', 'median_r'];

/** ROI score rows of one encode artifact (TSVs with area/roi/score columns), tagged by subject. */
export function loadRoiRows(dir: string, files: string[]): RoiFile[] {
  const out: RoiFile[] = [];
  for (const f of files.filter((x) => /roi[^/]*\.tsv$/i.test(x) && !/area[-_]?roi/i.test(path.basename(x)))) {
    const t = table(path.join(dir, f));
    const roi = pick(t, ['roi']);
    const area = pick(t, ['area', 'model_area', 'layer']);
    const score = pick(t, SCORE_COLS);
    if (!roi || !area || !score) continue;
    const label = pick(t, ['iteration', 'label', 'map']);
    const modelCol = pick(t, ['model']);
    const lo = pick(t, ['lo', 'ci_lo', 'score_lo']), hi = pick(t, ['hi', 'ci_hi', 'score_hi']);
    const nv = pick(t, ['n_voxels', 'nVoxels']);
    // Per-iteration rows are detail; the per-area CV choice ('cv') is what the report compares.
    const rows = t.rows.filter((r) => !label || !t.rows.some((x) => x[label] === 'cv') || r[label] === 'cv');
    const subject = /sub-([A-Za-z0-9]+)/.exec(f)?.[1] ?? pick(t, ['subject']) ?? '?';
    out.push({
      subject,
      measure: score.includes('norm') || score.includes('Norm') ? 'ceiling-normalised median r' : score === 'median_r' ? 'median r (Pearson)' : 'score',
      models: modelCol ? [...new Set(rows.map((r) => r[modelCol]))] : [],
      rows: rows.map((r) => ({ group: modelCol ? `${r[modelCol]}\u0000${r[area]}` : r[area], roi: r[roi], score: num(t, r, score), lo: num(t, r, lo), hi: num(t, r, hi), nVoxels: nv ? num(t, r, nv) : null, subjects: [] })),
    });
  }
  return out;
}

/** Averages ROI rows over subjects (CIs kept only for a single subject, where they are the file's own). */
export function poolRoiRows(files: RoiFile[]): RoiScores | null {
  if (files.length === 0) return null;
  // Name groups by area alone unless several models are reported side by side.
  const models = new Set(files.flatMap((f) => f.models));
  const rename = (g: string): string => (models.size > 1 ? g.replace('\u0000', ' · ') : g.replace(/^.*\u0000/, ''));
  const per = files.map((f) => ({ ...f, rows: f.rows.map((r) => ({ ...r, group: rename(r.group) })) }));
  if (per.length === 1) return { measure: per[0].measure, rows: per[0].rows };
  const keys: string[] = [];
  const acc = new Map<string, { group: string; roi: string; xs: number[]; n: number[] }>();
  for (const p of per) for (const r of p.rows) {
    const k = `${r.group}\u0000${r.roi}`;
    if (!acc.has(k)) { acc.set(k, { group: r.group, roi: r.roi, xs: [], n: [] }); keys.push(k); }
    const a = acc.get(k);
    if (a && r.score !== null) a.xs.push(r.score);
    if (a && r.nVoxels !== null) a.n.push(r.nVoxels);
  }
  const subjects = new Set(per.map((p) => p.subject)).size;
  return {
    measure: `${per[0].measure}, mean over ${subjects} subjects`,
    rows: keys.map((k) => {
      const a = acc.get(k) as { group: string; roi: string; xs: number[]; n: number[] };
      return { group: a.group, roi: a.roi, score: a.xs.length ? a.xs.reduce((s, x) => s + x, 0) / a.xs.length : null, lo: null, hi: null, nVoxels: a.n.length ? a.n.reduce((s, x) => s + x, 0) : null, subjects: a.xs };
    }),
  };
}

const NOT_SCORE_MAP = /(alpha|ceiling|_p\.|_q\.|pvalue|mask|dseg|boldref|desc-mean|_mean|T1w|anat|area\.|layer\.|source)/i;

/**
 * Choose the score map to show from a list of .nii.gz files: the encode
 * stage's best-layer r map (`desc-<model>Best_r`), else a per-area map chosen
 * by CV (no `Iter<k>`), else any r map; null when there is none.
 */
export function chooseScoreMap(files: string[]): string | null {
  const maps = files.filter((f) => f.endsWith('.nii.gz') && !NOT_SCORE_MAP.test(path.basename(f)));
  const rMaps = maps.filter((f) => /_r\.nii\.gz$/.test(f));
  return rMaps.find((f) => /desc-[A-Za-z0-9]*Best_r\.nii\.gz$/.test(f)) ?? rMaps.find((f) => !/Iter\d+_r\.nii\.gz$/.test(f)) ?? rMaps[0] ?? null;
}

/** A background volume in the artifact (mean EPI, boldref, anatomy), or null. */
export function chooseBackground(files: string[]): { file: string; kind: string } | null {
  const f = files.filter((x) => x.endsWith('.nii.gz') || x.endsWith('.nii'));
  const t1 = f.find((x) => /T1w\.nii/.test(x));
  if (t1) return { file: t1, kind: 'anatomy (T1w)' };
  const epi = f.find((x) => /boldref|desc-mean|meanepi|_mean\.nii/i.test(x));
  return epi ? { file: epi, kind: 'mean EPI' } : null;
}

/** Mean over time of a 4-D BOLD run as a gzipped NIfTI buffer (the EPI background when encode wrote none). */
export function meanEpi(boldFile: string, tmpDir: string): Buffer {
  const img = loadNifti(boldFile);
  const [nx, ny, nz, nt = 1] = img.dims;
  const n = nx * ny * nz;
  const data = img.getData();
  const mean = new Float32Array(n);
  for (let t = 0; t < nt; t++) for (let v = 0; v < n; v++) mean[v] += data[t * n + v];
  for (let v = 0; v < n; v++) mean[v] /= nt;
  const out = path.join(tmpDir, 'mean-epi.nii.gz');
  writeNifti(out, { dims: [nx, ny, nz], data: mean, affine: img.affine, pixdim: img.pixdim.slice(1, 4) });
  const buf = fs.readFileSync(out);
  fs.rmSync(out, { force: true });
  return buf;
}

/** Display window for a score map: from 20 % to 100 % of its 99th-percentile positive value (map units). */
export function mapWindow(file: string): { calMin: number; calMax: number } {
  const d = loadNifti(file).getData();
  const pos: number[] = [];
  for (const v of d) if (v > 0 && Number.isFinite(v)) pos.push(v);
  if (pos.length === 0) return { calMin: 0, calMax: 1 };
  pos.sort((a, b) => a - b);
  const top = pos[Math.min(pos.length - 1, Math.floor(0.99 * pos.length))];
  return { calMin: 0.2 * top, calMax: top };
}

/** The first BOLD run of a subject in a BIDS folder, or null. */
function firstBold(bids: string, subject: string): string | null {
  const func = path.join(bids, `sub-${subject}`, 'func');
  if (!fs.existsSync(func)) return null;
  const f = fs.readdirSync(func).filter((x) => /_bold\.nii(\.gz)?$/.test(x)).sort()[0];
  return f ? path.join(func, f) : null;
}

/** The brain map of one encode artifact, or null when it holds no r map. */
export function loadBrainMap(dir: string, files: string[], opts: { bids?: string; tmpDir: string }): BrainMap | null {
  const mapRel = chooseScoreMap(files);
  if (!mapRel) return null;
  const mapFile = path.join(dir, mapRel);
  const subject = /sub-([A-Za-z0-9]+)/.exec(mapRel)?.[1] ?? '?';
  const win = mapWindow(mapFile);
  let backgroundBase64: string | null = null, backgroundName: string | null = null, backgroundKind: string | null = null;
  const bg = chooseBackground(files);
  if (bg) {
    backgroundBase64 = fs.readFileSync(path.join(dir, bg.file)).toString('base64');
    backgroundName = path.basename(bg.file);
    backgroundKind = bg.kind;
  } else if (opts.bids) {
    const bold = firstBold(opts.bids, subject);
    if (bold) {
      backgroundBase64 = meanEpi(bold, opts.tmpDir).toString('base64');
      backgroundName = `sub-${subject}_desc-mean_bold.nii.gz`;
      backgroundKind = 'mean EPI';
    }
  }
  const desc = /desc-([A-Za-z0-9]+)/.exec(mapRel)?.[1] ?? 'score';
  // The encode stage describes each map in its JSON sidecar; that sentence is the best title.
  const side = mapFile.replace(/\.nii\.gz$/, '.json');
  const described = fs.existsSync(side) ? z.object({ Description: z.string() }).loose().safeParse(readJson(side)) : null;
  return {
    title: described?.success ? described.data.Description : `Encoding r (${desc})`, subject, mapName: path.basename(mapRel), mapBase64: fs.readFileSync(mapFile).toString('base64'),
    backgroundName, backgroundBase64, backgroundKind, calMin: win.calMin, calMax: win.calMax, units: 'Pearson r',
  };
}

// ---------------------------------------------------------------- align

const estimateJson = z.object({ estimate: z.number().nullable(), lo: z.number().nullable(), hi: z.number().nullable() }).loose();
const basJsonSchema = z.object({
  model: z.string().optional(),
  sR: estimateJson, sB: estimateJson, bas: estimateJson,
  level: z.number().optional(),
  config: z.object({ level: z.number().optional() }).loose().optional(),
  pairScores: z.array(z.object({ area: z.string(), roi: z.string(), score: z.number().nullable() })).optional(),
  correspondence: z.object({ index: z.number().nullable().optional(), p: z.number().nullable().optional() }).loose().nullable().optional(),
  matrix: z.object({ areas: z.array(z.string()), rois: z.array(z.string()), values: z.array(z.number().nullable()) }).optional(),
}).loose();

/** The area × ROI matrix a bas.json may carry (`matrix: { areas, rois, values }`, row-major), or null. */
export function basMatrix(dir: string, files: string[]): AreaRoi | null {
  for (const f of basJsonFiles(files)) {
    const raw = readJson(path.join(dir, f));
    const items = z.object({ models: z.array(z.unknown()) }).loose().safeParse(raw);
    const r = basJsonSchema.safeParse(items.success ? items.data.models[0] : raw);
    const m = r.success ? r.data.matrix : undefined;
    if (!m || !r.success) continue;
    if (m.values.length !== m.areas.length * m.rois.length) throw new InputError(path.join(dir, f), `matrix.values has ${m.values.length} entries, expected areas × rois = ${m.areas.length * m.rois.length}`);
    return { measure: 'ceiling-normalised median r', areas: m.areas, rois: m.rois, values: m.values.map((v) => finiteOrNull(v)), pairs: (r.data.pairScores ?? []).map((p) => ({ area: p.area, roi: p.roi })) };
  }
  return null;
}

/** `bas.json` files that are BAS reports, not the column sidecar of a `bas.tsv` beside them. */
function basJsonFiles(files: string[]): string[] {
  return files.filter((x) => /(^|\/|_)bas\.json$/.test(x) && !files.includes(x.replace(/\.json$/, '.tsv')));
}

const finiteOrNull = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

/** True for the trained model's own rows: no checkpoint, or the best/final one (not an epoch snapshot). */
function isFinal(checkpoint: string | null | undefined): boolean {
  return checkpoint === null || checkpoint === undefined || checkpoint === '' || checkpoint === 'n/a' || /^(best|final|last)$/i.test(checkpoint);
}

/** CI level from a column sidecar text such as "Lower end of the 95% percentile bootstrap interval", or null. */
function levelFromSidecar(tsvFile: string, column: string): number | null {
  const side = tsvFile.replace(/\.tsv$/, '.json');
  if (!fs.existsSync(side)) return null;
  const j = z.record(z.string(), z.object({ Description: z.string().optional() }).loose()).safeParse(readJson(side));
  const m = j.success ? /(\d+(?:\.\d+)?)\s*%/.exec(j.data[column]?.Description ?? '') : null;
  return m ? Number(m[1]) / 100 : null;
}

const correspondenceFileSchema = z.record(z.string(), z.object({
  model: z.string().optional(),
  checkpoint: z.string().nullable().optional(),
  correspondence: z.object({ contrast: z.number().nullable().optional(), p: z.number().nullable().optional() }).loose().nullable().optional(),
  pairScores: z.array(z.object({ area: z.string(), roi: z.string(), score: z.number().nullable() })).nullable().optional(),
  pairs: z.array(z.object({ area: z.string(), roi: z.string() })).nullable().optional(),
}).loose());

/**
 * BAS sections from the align stage's `bas.tsv` (long: model, checkpoint,
 * score ∈ s_r/s_b/bas, estimate, ci_lo, ci_hi) and `correspondence.json`,
 * one per trained model (checkpoints are shown in the alignment section).
 */
export function loadBasTsv(dir: string, files: string[]): BasSection[] {
  const f = files.find((x) => path.basename(x) === 'bas.tsv');
  if (!f) return [];
  const t = table(path.join(dir, f));
  const model = need(t, ['model'], 'model'), score = need(t, ['score'], 'score'), est = need(t, ['estimate'], 'estimate');
  const lo = pick(t, ['ci_lo', 'lo']), hi = pick(t, ['ci_hi', 'hi']), ck = pick(t, ['checkpoint']);
  const level = levelFromSidecar(t.file, lo ?? 'ci_lo') ?? 0.95;
  const cf = files.find((x) => path.basename(x) === 'correspondence.json');
  const corr = cf ? parseJson(path.join(dir, cf), correspondenceFileSchema) : {};
  const groups = new Map<string, Partial<Record<'s_r' | 's_b' | 'bas', { estimate: number; lo: number | null; hi: number | null } | null>>>();
  t.rows.forEach((r, i) => {
    if (ck && !isFinal(r[ck])) return;
    const which = r[score];
    if (which !== 's_r' && which !== 's_b' && which !== 'bas') throw new InputError(t.file, `row ${i + 2}, column "${score}": expected s_r, s_b or bas, got "${which}"`);
    const e = num(t, r, est);
    let g = groups.get(r[model]);
    if (!g) groups.set(r[model], (g = {}));
    g[which] = e === null ? null : { estimate: e, lo: num(t, r, lo), hi: num(t, r, hi) };
  });
  const out: BasSection[] = [];
  for (const [name, g] of groups) {
    if (!g.s_r) continue;
    const c = Object.values(corr).find((v) => v.model === name && isFinal(v.checkpoint));
    out.push({
      model: name, sR: g.s_r, sB: g.s_b ?? null, bas: g.bas ?? null, level,
      pairs: (c?.pairScores ?? []).map((p) => ({ area: p.area, roi: p.roi, score: finiteOrNull(p.score) })),
      correspondence: c?.correspondence ? { index: finiteOrNull(c.correspondence.contrast), p: finiteOrNull(c.correspondence.p) } : null,
    });
  }
  return out;
}

/** Hypothesised area→ROI pairs from `correspondence.json` (first entry that lists them). */
function pairsFromCorrespondence(dir: string, files: string[]): { area: string; roi: string }[] {
  const cf = files.find((x) => path.basename(x) === 'correspondence.json');
  if (!cf) return [];
  for (const v of Object.values(parseJson(path.join(dir, cf), correspondenceFileSchema))) {
    const p = v.pairs ?? v.pairScores;
    if (p && p.length) return p.map((x) => ({ area: x.area, roi: x.roi }));
  }
  return [];
}

/** BAS sections from `bas.json` files (one BasReport each, or `{ models: [...] }`). */
export function loadBas(dir: string, files: string[], fallbackModel: string): BasSection[] {
  const out: BasSection[] = [];
  for (const f of basJsonFiles(files)) {
    const file = path.join(dir, f);
    const raw = readJson(file);
    const list = z.object({ models: z.array(z.unknown()) }).loose().safeParse(raw);
    const items = list.success ? list.data.models : [raw];
    items.forEach((item, i) => {
      const r = basJsonSchema.safeParse(item);
      if (!r.success) {
        const issue = r.error.issues[0];
        throw new InputError(file, `${list.success ? `models[${i}].` : ''}${issue.path.map(String).join('.')}: ${issue.message}`);
      }
      const b = r.data;
      const est = (e: z.infer<typeof estimateJson>, what: string) => {
        if (e.estimate === null || !Number.isFinite(e.estimate)) throw new InputError(file, `${what}.estimate is missing`);
        return { estimate: e.estimate, lo: finiteOrNull(e.lo), hi: finiteOrNull(e.hi) };
      };
      out.push({
        model: b.model ?? (/desc-([A-Za-z0-9]+)_bas\.json$/.exec(f)?.[1] ?? fallbackModel),
        sR: est(b.sR, 'sR'), sB: est(b.sB, 'sB'), bas: est(b.bas, 'bas'),
        level: b.level ?? b.config?.level ?? 0.95,
        pairs: (b.pairScores ?? []).map((p) => ({ area: p.area, roi: p.roi, score: finiteOrNull(p.score) })),
        correspondence: b.correspondence ? { index: finiteOrNull(b.correspondence.index), p: finiteOrNull(b.correspondence.p) } : null,
      });
    });
  }
  return out;
}

/**
 * The area × ROI matrix, or null: from the align stage's long `area_roi.tsv`
 * (model, checkpoint, area, roi, r_norm; the first trained model's rows), or
 * from a wide table (first column the area, one column per ROI).
 */
export function loadAreaRoi(dir: string, files: string[], pairs: { area: string; roi: string }[]): AreaRoi | null {
  const f = files.find((x) => /area[-_]?roi[^/]*\.tsv$/i.test(path.basename(x)));
  if (!f) return null;
  const t = table(path.join(dir, f));
  const area = need(t, ['area', 'model_area'], 'area');
  const hyp = pairs.length ? pairs : pairsFromCorrespondence(dir, files);
  const roiCol = pick(t, ['roi']);
  if (roiCol) {
    const val = need(t, ['r_norm', 'median_r_norm', 'score', 'median_r'], 'score');
    const model = pick(t, ['model']), ck = pick(t, ['checkpoint']);
    const final = t.rows.filter((r) => !ck || isFinal(r[ck]));
    const rows = final.length ? final : t.rows;
    const first = model && rows.length ? rows[0][model] : null;
    const use = rows.filter((r) => !model || r[model] === first);
    const areas = [...new Set(use.map((r) => r[area]))], rois = [...new Set(use.map((r) => r[roiCol]))];
    if (areas.length === 0) throw new InputError(t.file, 'no area rows');
    const values: (number | null)[] = new Array<number | null>(areas.length * rois.length).fill(null);
    for (const r of use) values[areas.indexOf(r[area]) * rois.length + rois.indexOf(r[roiCol])] = num(t, r, val);
    const measure = val.includes('norm') ? `ceiling-normalised median r${first ? ` (${first})` : ''}` : `median r${first ? ` (${first})` : ''}`;
    return { measure, areas, rois, values, pairs: hyp };
  }
  const rois = t.columns.filter((c) => c !== area);
  if (rois.length === 0 || t.rows.length === 0) throw new InputError(t.file, 'needs at least one area row and one ROI column');
  const values = t.rows.flatMap((r) => rois.map((k) => num(t, r, k)));
  return { measure: 'ceiling-normalised median r', areas: t.rows.map((r) => r[area]), rois, values, pairs: hyp };
}

/** Training epoch of a checkpoint name ('epoch-0005' → 5), or null (also for the final model). */
function epochOf(checkpoint: string | null): number | null {
  const m = checkpoint && !isFinal(checkpoint) ? /(\d+)/.exec(checkpoint) : null;
  return m ? Number(m[1]) : null;
}

/**
 * Alignment-vs-performance points from `alignment.tsv` (one row per model or
 * checkpoint; rows missing either number are left out; its `final` column
 * marks the point that stands for each model, else the trained model or last
 * checkpoint is taken), and the align stage's rank correlations from
 * `alignment_vs_performance.tsv`. Null when there is no alignment table.
 */
export function loadAlignment(dir: string, files: string[]): AlignmentSection | null {
  const f = files.find((x) => path.basename(x) === 'alignment.tsv') ?? files.find((x) => /(^|_)alignment\.tsv$/i.test(path.basename(x)));
  if (!f) return null;
  const t = table(path.join(dir, f));
  const label = need(t, ['model', 'label'], 'model');
  const xCol = need(t, ['performance', 'clip_accuracy', 'accuracy', 'test_accuracy'], 'performance');
  const yCol = need(t, ['alignment', 'bas', 'score', 's_r'], 'alignment');
  const lo = pick(t, ['lo', 'alignment_lo', 'bas_lo', 'ci_lo']), hi = pick(t, ['hi', 'alignment_hi', 'bas_hi', 'ci_hi']);
  const group = pick(t, ['group', 'arch', 'family']);
  const epoch = pick(t, ['epoch']), ck = pick(t, ['checkpoint']), rsa = pick(t, ['rsa']), fin = pick(t, ['final']);
  const finals = fin ? null : new Set(finalPerModel(t.rows.map((r) => ({ model: r[label], checkpoint: ck && r[ck] !== 'n/a' ? r[ck] : null, row: r }))).map((p) => p.row));
  const points: AlignmentSection['points'] = [];
  for (const r of t.rows) {
    const x = num(t, r, xCol), y = num(t, r, yCol);
    if (x === null || y === null) continue;
    const checkpoint = ck && !isFinal(r[ck]) ? r[ck] : null;
    const e = epoch ? num(t, r, epoch) : epochOf(checkpoint);
    points.push({
      label: checkpoint ? `${r[label]} ${checkpoint}` : r[label], group: group ? r[group] : r[label], x, y,
      ylo: num(t, r, lo), yhi: num(t, r, hi), y2: num(t, r, rsa), epoch: e === null ? null : Math.round(e),
      final: fin ? num(t, r, fin) === 1 : (finals?.has(r) ?? false),
    });
  }
  const summary: AlignmentSection['summary'] = [];
  const sf = files.find((x) => path.basename(x) === 'alignment_vs_performance.tsv');
  if (sf) {
    const s = table(path.join(dir, sf));
    const m = need(s, ['measure'], 'measure'), rho = need(s, ['spearman'], 'spearman');
    const l = pick(s, ['ci_lo', 'lo']), h = pick(s, ['ci_hi', 'hi']), n = pick(s, ['n', 'n_models']), sc = pick(s, ['scope']), mo = pick(s, ['model']);
    for (const r of s.rows) {
      const nn = num(s, r, n);
      const scope = sc && r[sc] === 'within-model' ? 'within-model' : 'across-models';
      summary.push({ scope, model: mo && r[mo] !== 'n/a' ? r[mo] : null, measure: r[m], spearman: num(s, r, rho), lo: num(s, r, l), hi: num(s, r, h), n: nn === null ? null : Math.round(nn) });
    }
  }
  const xLabel = xCol === 'performance' || xCol.includes('clip') ? 'held-out clip accuracy (fraction)' : 'test accuracy (fraction)';
  const yLabel = yCol === 'bas' ? 'BAS (unitless)' : yCol === 's_r' ? 's_r (unitless)' : 'alignment: ceiling-normalised median r (unitless)';
  const y2Label = rsa && points.some((p) => p.y2 !== null) ? 'RSA: cross-validated layer–ROI RDM correlation (unitless)' : null;
  return { xLabel, yLabel, y2Label, points, summary };
}

// ---------------------------------------------------------------- decode-eeg

/**
 * Identification section of a decode-eeg artifact, or null when it has no
 * scores. Reads the group table (`desc-identification_scores.tsv`, with a
 * subject column, 'all' = pooled) when present, else the per-subject tables;
 * keeps pooled rows when there are any, and the 'mean' window-combination
 * rule when several are listed. Song confusions are summed over subjects.
 */
export function loadIdentification(dir: string, files: string[]): IdentificationSection | null {
  const group = files.filter((x) => path.basename(x) === 'desc-identification_scores.tsv');
  const perSubject = files.filter((x) => /sub-[^/]*_desc-identification_scores\.tsv$/.test(x));
  const chosen = group.length > 0 ? group : perSubject;
  if (chosen.length === 0) return null;
  let rows: (IdentificationSection['rows'][number] & { chance: number | null; combine: string })[] = [];
  for (const f of chosen) {
    const t = table(path.join(dir, f));
    const w = need(t, ['window_s', 'window', 'window_sec'], 'window length');
    const acc = need(t, ['top1', 'accuracy'], 'accuracy');
    const lo = pick(t, ['top1_lo', 'lo', 'ci_lo']), hi = pick(t, ['top1_hi', 'hi', 'ci_hi']);
    const n = pick(t, ['n_items', 'n']), ch = pick(t, ['chance']), sub = pick(t, ['subject']);
    const dec = pick(t, ['decoder']), split = pick(t, ['split']), comb = pick(t, ['combine']);
    const fileSubject = /sub-([A-Za-z0-9]+)_desc/.exec(f)?.[1] ?? 'all';
    t.rows.forEach((r, i) => {
      const win = numReq(t, r, w, i);
      if (!(win > 0)) throw new InputError(t.file, `row ${i + 2}: window length must be positive, got "${r[w]}"`);
      const a = numReq(t, r, acc, i);
      if (a < 0 || a > 1) throw new InputError(t.file, `row ${i + 2}, column "${acc}": accuracy must be a fraction in [0, 1], got "${r[acc]}"`);
      const nn = num(t, r, n);
      rows.push({
        decoder: dec ? r[dec] : 'decoder', split: split ? r[split] : '', subject: (sub ? r[sub] : fileSubject).replace(/^sub-/, ''), window: win, accuracy: a,
        lo: num(t, r, lo), hi: num(t, r, hi), n: nn === null ? null : Math.round(nn), chance: num(t, r, ch), combine: comb ? r[comb] : 'mean',
      });
    });
  }
  if (rows.some((r) => r.combine === 'mean')) rows = rows.filter((r) => r.combine === 'mean');
  if (rows.some((r) => r.subject === 'all')) rows = rows.filter((r) => r.subject === 'all');
  if (rows.length === 0) return null;
  const chance = rows.find((r) => r.chance !== null)?.chance ?? NaN;
  if (!(chance > 0 && chance < 1)) throw new InputError(path.join(dir, chosen[0]), 'no usable "chance" column (a fraction in (0, 1)) to draw the chance level');
  return {
    chance, nCandidates: Math.round(1 / chance),
    rows: rows.map(({ decoder, split, subject, window, accuracy, lo, hi, n }) => ({ decoder, split, subject, window, accuracy, lo, hi, n })),
    confusions: loadSongConfusions(dir, files),
  };
}

/** Song confusions from `sub-XX_desc-identification_confusion.tsv` (long: decoder, split, true_stim, predicted_stim, count), summed over subjects. */
function loadSongConfusions(dir: string, files: string[]): IdentificationSection['confusions'] {
  const acc = new Map<string, { decoder: string; split: string; cells: Map<string, number> }>();
  const songs = new Set<string>();
  for (const f of files.filter((x) => /desc-identification_confusion\.tsv$/.test(x))) {
    const t = table(path.join(dir, f));
    const dec = pick(t, ['decoder']), split = pick(t, ['split']);
    const ts = need(t, ['true_stim', 'true'], 'true stimulus'), ps = need(t, ['predicted_stim', 'predicted'], 'predicted stimulus'), cnt = need(t, ['count'], 'count');
    t.rows.forEach((r, i) => {
      const c = numReq(t, r, cnt, i);
      if (c < 0 || !Number.isInteger(c)) throw new InputError(t.file, `row ${i + 2}, column "${cnt}": counts must be non-negative integers, got "${r[cnt]}"`);
      const key = `${dec ? r[dec] : 'decoder'}|${split ? r[split] : ''}`;
      let e = acc.get(key);
      if (!e) acc.set(key, (e = { decoder: dec ? r[dec] : 'decoder', split: split ? r[split] : '', cells: new Map() }));
      const cell = `${r[ts]}\u0000${r[ps]}`;
      e.cells.set(cell, (e.cells.get(cell) ?? 0) + c);
      songs.add(r[ts]);
      songs.add(r[ps]);
    });
  }
  const summary = files.find((x) => path.basename(x) === 'desc-identification_summary.json');
  let order = [...songs].sort();
  if (summary) {
    const s = parseJson(path.join(dir, summary), z.object({ songs: z.array(z.string()).optional() }).loose());
    if (s.songs && order.every((x) => s.songs?.includes(x))) order = s.songs;
  }
  return [...acc.values()].map((e) => ({
    decoder: e.decoder, split: e.split, songs: order,
    counts: order.map((a) => order.map((b) => e.cells.get(`${a}\u0000${b}`) ?? 0)),
  }));
}

/** EEG decoder training curves from `desc-identification_training.tsv`: per decoder × split, loss and accuracy averaged over folds. */
export function loadEegTraining(dir: string, files: string[]): TrainingSection[] {
  const f = files.find((x) => path.basename(x) === 'desc-identification_training.tsv');
  if (!f) return [];
  const t = table(path.join(dir, f));
  const ep = need(t, ['epoch'], 'epoch');
  const loss = pick(t, ['loss']), accCol = pick(t, ['train_acc']), dec = pick(t, ['decoder']), split = pick(t, ['split']);
  const groups = new Map<string, Map<number, { loss: number[]; acc: number[] }>>();
  t.rows.forEach((r, i) => {
    const key = `${dec ? r[dec] : 'decoder'} (${split ? r[split] : ''})`;
    const e = numReq(t, r, ep, i);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = new Map()));
    let cell = g.get(e);
    if (!cell) g.set(e, (cell = { loss: [], acc: [] }));
    const l = num(t, r, loss), a = num(t, r, accCol);
    if (l !== null) cell.loss.push(l);
    if (a !== null) cell.acc.push(a);
  });
  const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
  return [...groups.entries()].map(([model, g]) => ({
    model: `EEG ${model}`,
    epochs: [...g.entries()].sort((a, b) => a[0] - b[0]).map(([epoch, c]) => ({ epoch: Math.round(epoch), train_loss: mean(c.loss), train_acc: mean(c.acc), val_loss: null, val_acc: null })),
    bestEpoch: null, classes: [], confusion: null, confusionUnit: 'stretches', perClass: [], accuracy: null, clipAccuracy: null, chance: null, clipP: null,
  }));
}

// ---------------------------------------------------------------- all

/** Most interactive viewers on one page. */
export const MAX_MAPS = 8;

/** Model name of a train/features artifact: its `name` or `arch` parameter, else the stage name. */
function modelName(p: ProvenanceEntry): string {
  const params = p.params;
  if (params && typeof params === 'object') {
    const o = params as Record<string, unknown>;
    for (const k of ['name', 'model', 'arch']) if (typeof o[k] === 'string') return o[k] as string;
  }
  return p.stage;
}

/**
 * Read every input artifact into a ReportData for `study`. Sections the
 * inputs do not cover stay empty. `bids` (optional) supplies a mean-EPI
 * background when an encode artifact has none; `tmpDir` is scratch space.
 */
export function loadReportData(study: Study, inputs: string[], opts: { seed: number; bids?: string; tmpDir: string }): ReportData {
  const d = emptyReport(study, VERSION, opts.seed);
  const roiPer: RoiFile[] = [];
  const pairsFromBas: { area: string; roi: string }[] = [];
  const areaRoiLater: { dir: string; files: string[] }[] = [];
  for (const input of inputs) {
    const a = readArtifact(input);
    d.provenance.push(a.provenance);
    const training = loadTraining(a.dir, a.files, modelName(a.provenance));
    if (training) d.training.push(training);
    roiPer.push(...loadRoiRows(a.dir, a.files));
    if (study !== 'eeg-identification') {
      const map = loadBrainMap(a.dir, a.files, { bids: opts.bids, tmpDir: opts.tmpDir });
      if (map) d.brainMaps.push(map);
    }
    const bas = [...loadBasTsv(a.dir, a.files), ...loadBas(a.dir, a.files, modelName(a.provenance))];
    d.bas.push(...bas);
    for (const b of bas) for (const p of b.pairs) if (!pairsFromBas.some((q) => q.area === p.area && q.roi === p.roi)) pairsFromBas.push({ area: p.area, roi: p.roi });
    areaRoiLater.push({ dir: a.dir, files: a.files });
    const al = loadAlignment(a.dir, a.files);
    if (al) d.alignment = d.alignment ? { ...d.alignment, points: [...d.alignment.points, ...al.points], summary: [...d.alignment.summary, ...al.summary] } : al;
    d.training.push(...loadEegTraining(a.dir, a.files));
    const id = loadIdentification(a.dir, a.files);
    if (!id && a.files.some((f) => /desc-identification_scores\.tsv$/.test(f))) d.notices.push(`${a.provenance.stage} artifact ${a.provenance.key} has identification tables without usable rows (no scored windows).`);
    d.identificationDetail ??= loadIdentificationDetail(a.dir, a.files);
    if (id) d.identification = d.identification ? { ...d.identification, rows: [...d.identification.rows, ...id.rows], confusions: [...d.identification.confusions, ...id.confusions] } : id;
  }
  // Browsers cap live WebGL contexts (Chromium: 16); a page with more viewers would lose the first ones.
  if (d.brainMaps.length > MAX_MAPS) {
    d.notices.push(`${d.brainMaps.length} voxel maps found; the first ${MAX_MAPS} are shown (browsers limit the number of live WebGL viewers).`);
    d.brainMaps = d.brainMaps.slice(0, MAX_MAPS);
  }
  for (const x of areaRoiLater) d.areaRoi ??= loadAreaRoi(x.dir, x.files, pairsFromBas) ?? basMatrix(x.dir, x.files);
  d.roiScores = poolRoiRows(roiPer);
  d.provenance.sort((p, q) => (p.stage === q.stage ? p.key.localeCompare(q.key) : p.stage.localeCompare(q.stage)));
  return reportDataSchema.parse(d);
}

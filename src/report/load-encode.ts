/**
 * Report sections from encode artifacts (artifacts/encode.ts): ROI scores
 * pooled over subjects, and the brain map of the best layer per voxel over a
 * mean-EPI background.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadNifti, writeNifti } from '../io/nifti.js';
import type { OpenedEncoding } from '../artifacts/encode.js';
import type { BrainMap, RoiScores } from './data.js';

/** One subject's ROI rows; `group` is the area until poolRoiRows names it, `model` the ROI table's (with its checkpoint). */
export interface RoiFile {
  subject: string;
  rows: (RoiScores['rows'][number] & { model: string })[];
}

/** The per-area rows of one encoding: the iteration chosen per voxel by CV ('cv'), ceiling-normalised median r. */
export function roiRows(e: OpenedEncoding): RoiFile {
  const rows = e.roiRows().filter((r) => r.iteration === 'cv');
  return {
    subject: e.index.subject,
    rows: rows.map((r) => ({ model: r.model, group: r.area, roi: r.roi, score: r.median_r_norm, lo: null, hi: null, nVoxels: r.n_voxels, subjects: [] })),
  };
}

export const ROI_MEASURE = 'ceiling-normalised median r';

/** Averages ROI rows over subjects; groups are named by area alone unless several models are reported side by side. */
export function poolRoiRows(files: RoiFile[]): RoiScores | null {
  if (files.length === 0) return null;
  const models = new Set(files.flatMap((f) => f.rows.map((r) => r.model)));
  const per = files.map((f) => ({ ...f, rows: f.rows.map(({ model, ...r }) => ({ ...r, group: models.size > 1 ? `${model} · ${r.group}` : r.group })) }));
  if (per.length === 1) return { measure: ROI_MEASURE, rows: per[0].rows };
  const keys: string[] = [];
  const acc = new Map<string, { group: string; roi: string; xs: number[]; n: number[] }>();
  for (const p of per)
    for (const r of p.rows) {
      const k = `${r.group}\u0000${r.roi}`;
      const a = acc.get(k) ?? { group: r.group, roi: r.roi, xs: [], n: [] };
      if (!acc.has(k)) keys.push(k);
      acc.set(k, a);
      if (r.score !== null) a.xs.push(r.score);
      if (r.nVoxels !== null) a.n.push(r.nVoxels);
    }
  const subjects = new Set(per.map((p) => p.subject)).size;
  const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
  return {
    measure: `${ROI_MEASURE}, mean over ${subjects} subjects`,
    rows: keys.map((k) => {
      const a = acc.get(k) as { group: string; roi: string; xs: number[]; n: number[] };
      return { group: a.group, roi: a.roi, score: mean(a.xs), lo: null, hi: null, nVoxels: a.n.length ? a.n.reduce((s, x) => s + x, 0) : null, subjects: a.xs };
    }),
  };
}

/** Mean over time of a 4-D BOLD run as a gzipped NIfTI buffer: the background of a map. */
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
  const f = fs
    .readdirSync(func)
    .filter((x) => /_bold\.nii(\.gz)?$/.test(x))
    .sort()[0];
  return f ? path.join(func, f) : null;
}

/**
 * The held-out r map of the best layer per voxel (the index's 'best' map),
 * titled by its sidecar; with `bids`, over the mean EPI of the subject's
 * first BOLD run. Null when the encoding has no best-layer map.
 */
export function brainMap(e: OpenedEncoding, opts: { bids?: string; tmpDir: string }): BrainMap | null {
  const best = e.index.maps.find((m) => m.area === 'best' && m.iteration === null);
  if (!best) return null;
  const map = e.map(best.desc, 'r');
  const subject = e.index.subject;
  const win = mapWindow(map.file);
  const bold = opts.bids ? firstBold(opts.bids, subject) : null;
  return {
    title: map.description,
    subject,
    mapName: path.basename(map.file),
    mapBase64: fs.readFileSync(map.file).toString('base64'),
    backgroundName: bold ? `sub-${subject}_desc-mean_bold.nii.gz` : null,
    backgroundBase64: bold ? meanEpi(bold, opts.tmpDir).toString('base64') : null,
    backgroundKind: bold ? 'mean EPI' : null,
    calMin: win.calMin,
    calMax: win.calMax,
    units: 'Pearson r',
  };
}

/**
 * Loader of the identification details (data-eeg.ts) from a decode-eeg
 * artifact's group tables: desc-identification_scores.tsv (per-listener rows),
 * desc-identification_persong.tsv and desc-identification_confusions.tsv.
 * Kept apart from load.ts so the study-wide loader stays small.
 */
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { readTsv, tsvNumber, type TsvTable } from '../io/tsv.js';
import type { IdentificationDetail } from './data-eeg.js';

type Row = Record<string, string>;

function groupTable(dir: string, files: string[], name: string): { t: TsvTable; file: string } | null {
  const f = files.find((x) => path.basename(x) === name);
  return f ? { t: readTsv(path.join(dir, f)), file: path.join(dir, f) } : null;
}

/** A cell as a finite number; null for an absent column, n/a, NaN or ±inf. */
function cell(file: string, r: Row, col: string): number | null {
  if (!(col in r)) return null;
  const v = tsvNumber(r[col], file, col);
  return v === null || !Number.isFinite(v) ? null : v;
}

function required(file: string, r: Row, col: string, i: number): number {
  const v = cell(file, r, col);
  if (v === null) throw new InputError(file, `row ${i + 2}, column "${col}": a number is required, got "${r[col]}"`);
  return v;
}

/** The details, or null when the artifact has no group score table with per-listener rows. */
export function loadIdentificationDetail(dir: string, files: string[]): IdentificationDetail | null {
  const scores = groupTable(dir, files, 'desc-identification_scores.tsv');
  if (!scores || !scores.t.columns.includes('subject')) return null;
  // The mean rule is PredANN's (mean softmax) and the one the confusion tables use.
  const mean = (r: Row): boolean => !('combine' in r) || r.combine === 'mean';
  const windows = scores.t.rows.map((r, i) => required(scores.file, r, 'window_s', i));
  if (windows.length === 0) return null;
  const baseWindow = Math.min(...windows);
  const perSubject = scores.t.rows
    .map((r, i) => ({ r, i }))
    .filter(({ r, i }) => mean(r) && r.subject !== 'all' && windows[i] === baseWindow)
    .map(({ r, i }) => {
      const n = cell(scores.file, r, 'n_items');
      return { decoder: r.decoder ?? 'decoder', split: r.split ?? '', subject: r.subject, top1: required(scores.file, r, 'top1', i), lo: cell(scores.file, r, 'top1_lo'), hi: cell(scores.file, r, 'top1_hi'), p: cell(scores.file, r, 'p_perm'), n: n === null ? null : Math.round(n), chance: cell(scores.file, r, 'chance') };
    });
  const songs = groupTable(dir, files, 'desc-identification_persong.tsv');
  const perSong = (songs?.t.rows ?? [])
    .map((r, i) => ({ r, i }))
    .filter(({ r, i }) => mean(r) && required(songs!.file, r, 'window_s', i) === baseWindow)
    .map(({ r, i }) => {
      const n = cell(songs!.file, r, 'n_items');
      return { decoder: r.decoder, split: r.split, song: r.song, top1: required(songs!.file, r, 'top1', i), n: n === null ? null : Math.round(n) };
    });
  const conf = groupTable(dir, files, 'desc-identification_confusions.tsv');
  const cells = new Map<string, { decoder: string; split: string; window: number; counts: Map<string, number> }>();
  const names = new Set<string>();
  (conf?.t.rows ?? []).forEach((r, i) => {
    if (r.subject !== 'all') return;
    const window = required(conf!.file, r, 'window_s', i);
    const c = required(conf!.file, r, 'count', i);
    if (c < 0 || !Number.isInteger(c)) throw new InputError(conf!.file, `row ${i + 2}, column "count": counts must be non-negative integers, got "${r.count}"`);
    const key = `${r.decoder}|${r.split}|${window}`;
    let e = cells.get(key);
    if (!e) cells.set(key, (e = { decoder: r.decoder, split: r.split, window, counts: new Map() }));
    e.counts.set(`${r.true_stim}\u0000${r.predicted_stim}`, (e.counts.get(`${r.true_stim}\u0000${r.predicted_stim}`) ?? 0) + c);
    names.add(r.true_stim);
    names.add(r.predicted_stim);
  });
  const order = [...names].sort();
  const confusions = [...cells.values()].map((e) => ({ decoder: e.decoder, split: e.split, window: e.window, songs: order, counts: order.map((a) => order.map((b) => e.counts.get(`${a}\u0000${b}`) ?? 0)) }));
  return { baseWindow, perSubject, perSong, confusions };
}

/**
 * Report sections from a decode-eeg artifact (artifacts/identification.ts):
 * identification accuracy against window length (pooled rows, the 'mean'
 * window-combination rule), song confusions summed over subjects, and the
 * EEG encoders' training curves averaged over folds.
 */
import { InputError } from '../core/errors.js';
import type { OpenedIdentification } from '../artifacts/identification.js';
import type { IdentificationSection, TrainingSection } from './data.js';
import type { IdentificationDetail } from './data-eeg.js';

/** The identification section, or null when the run scored no windows (header-only tables). */
export function identificationSection(a: OpenedIdentification): IdentificationSection | null {
  const { file, rows: all } = a.scores();
  const rows = all.filter((r) => r.subject === 'all' && r.combine === 'mean');
  if (rows.length === 0) return null;
  rows.forEach((r) => {
    if (r.top1 === null || r.top1 < 0 || r.top1 > 1)
      throw new InputError(file, `top1 must be a fraction in [0, 1], got ${r.top1} (${r.decoder}, ${r.split}, ${r.window_s} s)`);
    if (r.window_s === null || !(r.window_s > 0)) throw new InputError(file, `window_s must be positive, got ${r.window_s}`);
  });
  const chance = rows[0].chance;
  if (chance === null || !(chance > 0 && chance < 1)) throw new InputError(file, `chance must be a fraction in (0, 1), got ${chance}`);
  return {
    chance,
    nCandidates: Math.round(1 / chance),
    rows: rows.map((r) => ({
      decoder: r.decoder,
      split: r.split,
      subject: r.subject,
      window: r.window_s as number,
      accuracy: r.top1 as number,
      lo: r.top1_lo,
      hi: r.top1_hi,
      n: r.n_items,
    })),
    confusions: songConfusions(a),
  };
}

/** Song confusions per decoder × split, summed over the subjects' files, songs in the summary's order. */
function songConfusions(a: OpenedIdentification): IdentificationSection['confusions'] {
  const songs = a.summary().songs;
  const acc = new Map<string, { decoder: string; split: string; counts: number[][] }>();
  for (const s of a.subjects()) {
    for (const r of a.subjectConfusion(s)) {
      const key = `${r.decoder}|${r.split}`;
      const e = acc.get(key) ?? { decoder: r.decoder, split: r.split, counts: songs.map(() => songs.map(() => 0)) };
      acc.set(key, e);
      const i = songs.indexOf(r.true_stim),
        j = songs.indexOf(r.predicted_stim);
      if (i < 0 || j < 0) throw new InputError(s, `confusion names a song the summary does not list (${i < 0 ? r.true_stim : r.predicted_stim})`);
      e.counts[i][j] += r.count;
    }
  }
  return [...acc.values()].map((e) => ({ ...e, songs }));
}

/** EEG decoder training curves: per decoder × split, loss and accuracy averaged over folds. */
export function eegTraining(a: OpenedIdentification): TrainingSection[] {
  const groups = new Map<string, Map<number, { loss: number[]; acc: number[] }>>();
  for (const r of a.training()) {
    const key = `${r.decoder} (${r.split})`;
    const g = groups.get(key) ?? new Map<number, { loss: number[]; acc: number[] }>();
    groups.set(key, g);
    const cell = g.get(r.epoch) ?? { loss: [], acc: [] };
    g.set(r.epoch, cell);
    if (r.loss !== null) cell.loss.push(r.loss);
    if (r.train_acc !== null) cell.acc.push(r.train_acc);
  }
  const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
  return [...groups.entries()].map(([model, g]) => ({
    model: `EEG ${model}`,
    epochs: [...g.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([epoch, c]) => ({ epoch, train_loss: mean(c.loss), train_acc: mean(c.acc), val_loss: null, val_acc: null })),
    bestEpoch: null,
    classes: [],
    confusion: null,
    confusionUnit: 'stretches',
    perClass: [],
    accuracy: null,
    clipAccuracy: null,
    chance: null,
    clipP: null,
  }));
}

/**
 * Per-listener and per-song top-1 at the base (shortest) window and the
 * pooled song confusions at every window length, all under PredANN's mean
 * window-combination rule; null when the run scored no windows.
 */
export function identificationDetail(a: OpenedIdentification): IdentificationDetail | null {
  const scores = a.scores().rows.filter((r) => r.combine === 'mean' && r.window_s !== null);
  if (scores.length === 0) return null;
  const baseWindow = Math.min(...scores.map((r) => r.window_s as number));
  const perSubject = scores
    .filter((r) => r.subject !== 'all' && r.window_s === baseWindow && r.top1 !== null)
    .map((r) => ({
      decoder: r.decoder,
      split: r.split,
      subject: r.subject,
      top1: r.top1 as number,
      lo: r.top1_lo,
      hi: r.top1_hi,
      p: r.p_perm,
      n: r.n_items,
      chance: r.chance,
    }));
  const perSong = a
    .perSong()
    .rows.filter((r) => r.combine === 'mean' && r.window_s === baseWindow && r.top1 !== null)
    .map((r) => ({ decoder: r.decoder, split: r.split, song: r.song, top1: r.top1 as number, n: r.n_items }));
  const cells = new Map<string, { decoder: string; split: string; window: number; counts: Map<string, number> }>();
  const names = new Set<string>();
  for (const r of a.confusions().rows) {
    if (r.subject !== 'all' || r.window_s === null) continue;
    const key = `${r.decoder}|${r.split}|${r.window_s}`;
    const e = cells.get(key) ?? { decoder: r.decoder, split: r.split, window: r.window_s, counts: new Map<string, number>() };
    cells.set(key, e);
    const k = `${r.true_stim}\u0000${r.predicted_stim}`;
    e.counts.set(k, (e.counts.get(k) ?? 0) + r.count);
    names.add(r.true_stim);
    names.add(r.predicted_stim);
  }
  const order = [...names].sort();
  const confusions = [...cells.values()].map((e) => ({
    decoder: e.decoder,
    split: e.split,
    window: e.window,
    songs: order,
    counts: order.map((x) => order.map((y) => e.counts.get(`${x}\u0000${y}`) ?? 0)),
  }));
  return { baseWindow, perSubject, perSong, confusions };
}

/**
 * Report sections from a decode-eeg artifact (artifacts/identification.ts):
 * identification accuracy against window length (pooled rows, the 'mean'
 * window-combination rule), song confusions summed over subjects, and the
 * EEG encoders' training curves averaged over folds.
 */
import { InputError } from '../core/errors.js';
import type { OpenedIdentification } from '../artifacts/identification.js';
import type { IdentificationSection, TrainingSection } from './data.js';

/** The identification section, or null when the run scored no windows (header-only tables). */
export function identificationSection(a: OpenedIdentification): IdentificationSection | null {
  const { file, rows: all } = a.scores();
  const rows = all.filter((r) => r.subject === 'all' && r.combine === 'mean');
  if (rows.length === 0) return null;
  rows.forEach((r) => {
    if (r.top1 === null || r.top1 < 0 || r.top1 > 1) throw new InputError(file, `top1 must be a fraction in [0, 1], got ${r.top1} (${r.decoder}, ${r.split}, ${r.window_s} s)`);
    if (r.window_s === null || !(r.window_s > 0)) throw new InputError(file, `window_s must be positive, got ${r.window_s}`);
  });
  const chance = rows[0].chance;
  if (chance === null || !(chance > 0 && chance < 1)) throw new InputError(file, `chance must be a fraction in (0, 1), got ${chance}`);
  return {
    chance, nCandidates: Math.round(1 / chance),
    rows: rows.map((r) => ({ decoder: r.decoder, split: r.split, subject: r.subject, window: r.window_s as number, accuracy: r.top1 as number, lo: r.top1_lo, hi: r.top1_hi, n: r.n_items })),
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
      const i = songs.indexOf(r.true_stim), j = songs.indexOf(r.predicted_stim);
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
    epochs: [...g.entries()].sort((x, y) => x[0] - y[0]).map(([epoch, c]) => ({ epoch, train_loss: mean(c.loss), train_acc: mean(c.acc), val_loss: null, val_acc: null })),
    bestEpoch: null, classes: [], confusion: null, confusionUnit: 'stretches', perClass: [], accuracy: null, clipAccuracy: null, chance: null, clipP: null,
  }));
}

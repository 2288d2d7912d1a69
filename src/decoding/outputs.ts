/**
 * Reading eeg-prep artifacts and writing decode-eeg outputs: per-subject
 * `sub-XX/eeg/sub-XX_desc-identification_scores.tsv` (+ sidecar) and
 * `_confusion.tsv`, plus group files under `group/`: all score rows, the
 * accuracy-vs-window-length figure data (JSON), the CNN training log, and a
 * summary.
 */
import { openSegments } from '../artifacts/segments.js';
import { finiteOrNull } from '../io/tsv.js';
import { writeIdentification, type ScoreTableRow } from '../artifacts/identification.js';
import type { SubjectSegments } from './from-study.js';
import type { IdentificationResult, ScoreRow } from './identify.js';

/** Every subject's segments inside an eeg-prep artifact folder, read whole. */
export function readSegmentsArtifact(dir: string): SubjectSegments[] {
  return openSegments(dir).map((s) => {
    const [nSeg, nCh, nT] = s.meta.shape;
    return {
      subject: s.meta.subject,
      data: s.read(),
      nSeg,
      nCh,
      nT,
      rate: s.meta.rate_hz,
      shiftSec: s.meta.shift_s,
      stimIds: s.meta.stim_ids,
      channels: s.meta.channels,
    };
  });
}

function rowCells(r: ScoreRow): ScoreTableRow {
  const num = finiteOrNull;
  return {
    subject: r.subject,
    decoder: r.decoder,
    split: r.split,
    window_s: r.window_s,
    combine: r.combine,
    n_items: r.n_items,
    top1: num(r.top1),
    top1_lo: num(r.top1_lo),
    top1_hi: num(r.top1_hi),
    topk: num(r.topk),
    k: r.k,
    chance: r.chance,
    chance_topk: r.chance_topk,
    p_perm: num(r.p_perm),
  };
}

/** Write every decode-eeg output into `dir` (an artifact folder); `meta` goes into the summary. */
export function writeIdentificationOutputs(dir: string, res: IdentificationResult, meta: Record<string, unknown>): void {
  const subjects = [...new Set(res.rows.map((r) => r.subject))].filter((s) => s !== 'all').sort();
  const K = res.songs.length;
  // The per-subject file keeps one matrix per decoder × split (the shortest window), as the report reads it; every length is in group/.
  const baseLen = Math.min(...res.confusions.map((e) => e.window_s));
  const cells = (c: IdentificationResult['confusions'][number]): { true_stim: string; predicted_stim: string; count: number }[] => {
    const out: { true_stim: string; predicted_stim: string; count: number }[] = [];
    for (let i = 0; i < K; i++)
      for (let j = 0; j < K; j++) if (c.counts[i * K + j] > 0) out.push({ true_stim: res.songs[i], predicted_stim: res.songs[j], count: c.counts[i * K + j] });
    return out;
  };
  const perSubject = subjects.map((s) => ({
    subject: s,
    scores: res.rows.filter((r) => r.subject === s).map(rowCells),
    confusion: res.confusions
      .filter((e) => e.subject === s && e.window_s === baseLen)
      .flatMap((c) => cells(c).map((x) => ({ decoder: c.decoder, split: c.split, ...x }))),
  }));
  // Figure data: accuracy vs window length, one series per decoder × split × combine × subject.
  const series = new Map<
    string,
    {
      decoder: string;
      split: string;
      combine: string;
      subject: string;
      window_s: number[];
      top1: (number | null)[];
      top1_lo: (number | null)[];
      top1_hi: (number | null)[];
      chance: number;
    }
  >();
  for (const r of res.rows) {
    const key = [r.decoder, r.split, r.combine, r.subject].join('|');
    const e = series.get(key) ?? {
      decoder: r.decoder,
      split: r.split,
      combine: r.combine,
      subject: r.subject,
      window_s: [],
      top1: [],
      top1_lo: [],
      top1_hi: [],
      chance: r.chance,
    };
    series.set(key, e);
    const c = rowCells(r);
    e.window_s.push(r.window_s);
    e.top1.push(c.top1);
    e.top1_lo.push(c.top1_lo);
    e.top1_hi.push(c.top1_hi);
  }
  writeIdentification(dir, {
    perSubject,
    scores: res.rows.map(rowCells),
    confusions: res.confusions.flatMap((c) => cells(c).map((x) => ({ subject: c.subject, decoder: c.decoder, split: c.split, window_s: c.window_s, ...x }))),
    perSong: res.perSong.map((r) => ({ ...r })),
    curve: {
      description: 'Top-1 identification accuracy vs evaluated window length',
      x: 'window_s',
      y: 'top1',
      songs: res.songs,
      series: [...series.values()],
    },
    training: res.training.map((t) => ({
      decoder: t.decoder,
      split: t.split,
      fold: t.fold,
      epoch: t.epoch,
      loss: t.loss,
      ce: t.ce,
      ce_audio: t.ce_audio,
      nce: t.nce,
      train_acc: t.train_acc,
      val_ce: finiteOrNull(t.val_ce),
      val_acc: finiteOrNull(t.val_acc),
      best_epoch: t.best_epoch,
    })),
    // Wall-clock figures (epoch seconds, CNN throughput) differ between identical runs: they go to provenance.json (decodeRuntime), not here.
    summary: { songs: res.songs, nSongs: K, ...meta },
  });
}

/** What a decode-eeg run measured of its own speed, for provenance.json (never the data files: it differs between identical runs). */
export function decodeRuntime(res: IdentificationResult): Record<string, unknown> {
  return {
    cnnWindowsPerSecond: Number.isFinite(res.cnnWindowsPerSecond) ? res.cnnWindowsPerSecond : null,
    epochSeconds: res.training.map((t) => ({ decoder: t.decoder, split: t.split, fold: t.fold, epoch: t.epoch, seconds: t.seconds })),
  };
}

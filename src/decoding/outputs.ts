/**
 * Reading eeg-prep artifacts and writing decode-eeg outputs: per-subject
 * `sub-XX/eeg/sub-XX_desc-identification_scores.tsv` (+ sidecar) and
 * `_confusion.tsv`, plus group files under `group/`: all score rows, the
 * accuracy-vs-window-length figure data (JSON), the CNN training log, and a
 * summary.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic } from '../core/atomic.js';
import { InputError } from '../core/errors.js';
import { readNpy } from '../io/npy.js';
import { finiteOrNull, writeTsv, type TsvColumnDescription } from '../io/tsv.js';
import type { SubjectSegments } from './from-study.js';
import type { IdentificationResult, ScoreRow } from './identify.js';

/** Every `*_desc-segments_eeg.npy` (with its sidecar) inside an eeg-prep artifact folder. */
export function readSegmentsArtifact(dir: string): SubjectSegments[] {
  const out: SubjectSegments[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('_desc-segments_eeg.npy')) {
        const side = p.replace(/\.npy$/, '.json');
        if (!fs.existsSync(side)) throw new InputError(p, 'segments without their .json sidecar');
        const meta = JSON.parse(fs.readFileSync(side, 'utf8')) as { subject?: string; rate_hz?: number; shift_s?: number; stim_ids?: string[]; channels?: string[] };
        const arr = readNpy(p);
        if (arr.dtype !== 'float32' || arr.shape.length !== 3) throw new InputError(p, `expected float32 segments × channels × time, got ${arr.dtype} [${arr.shape.join(', ')}]`);
        const [nSeg, nCh, nT] = arr.shape;
        if (typeof meta.shift_s !== 'number') throw new InputError(side, 'sidecar lacks shift_s (segment start after stimulus onset, s): the backward models need it to place their lags');
        if (!meta.subject || !meta.rate_hz || !meta.stim_ids || meta.stim_ids.length !== nSeg || !meta.channels || meta.channels.length !== nCh) {
          throw new InputError(side, 'sidecar lacks subject/rate_hz/stim_ids/channels matching the array');
        }
        out.push({ subject: meta.subject, data: arr.data as Float32Array, nSeg, nCh, nT, rate: meta.rate_hz, shiftSec: meta.shift_s, stimIds: meta.stim_ids, channels: meta.channels });
      }
    }
  };
  walk(dir);
  if (out.length === 0) throw new InputError(dir, 'no *_desc-segments_eeg.npy in this artifact (is it an eeg-prep output?)');
  return out;
}

const SCORE_COLUMNS = ['decoder', 'split', 'window_s', 'combine', 'n_items', 'top1', 'top1_lo', 'top1_hi', 'topk', 'k', 'chance', 'chance_topk', 'p_perm'];

const SCORE_SIDECAR: Record<string, TsvColumnDescription> = {
  subject: { Description: 'Subject whose test items are scored ("all" = pooled)' },
  decoder: { Description: 'Decoder', Levels: { predann: 'EEG CNN with song CE + λ·InfoNCE to the ANN representation', 'predann-noann': 'the same CNN with λ = 0', regression: 'lagged ridge backward model of the ANN representation, identification by correlation', 'mtrf-envelope': 'mTRF envelope reconstruction, identification by correlation' } },
  split: { Description: 'Cross-validation split', Levels: { 'chunk-leaky': "PredANN's split: 30-s chunks per subject × song, 25 % held out per song; the same subject's other chunks of the song train (leaky)", 'random-chunk': 'random windows, overlapping windows of the same presentation in train and test (leakier)', 'time-block': 'held-out time blocks within songs', loso: 'leave one subject out' } },
  window_s: { Description: 'Length of the evaluated EEG stretch', Units: 's' },
  combine: { Description: 'How the decoder windows inside a stretch are combined', Levels: { mean: 'mean softmax probability (CNN, as PredANN) or mean correlation (regression decoders)', 'mean-logprob': 'mean log-probability (CNN; equals mean for the regression decoders)', max: 'maximum score', vote: 'majority vote of window predictions' } },
  n_items: { Description: 'Number of evaluated stretches' },
  top1: { Description: 'Top-1 identification accuracy (fraction)' },
  top1_lo: { Description: 'Lower bound of the 95% percentile-bootstrap CI of top1 (items resampled)' },
  top1_hi: { Description: 'Upper bound of the 95% percentile-bootstrap CI of top1' },
  topk: { Description: 'Top-k accuracy (fraction; ties ranked against the true song)' },
  k: { Description: 'k of topk' },
  chance: { Description: 'Chance level of top1 (1 / number of songs)' },
  chance_topk: { Description: 'Chance level of topk (k / number of songs)' },
  p_perm: { Description: 'Permutation p of top1 (true labels shuffled across items), (1 + #null ≥ observed)/(1 + P)' },
};

function rowCells(r: ScoreRow): Record<string, string | number | null> {
  const num = finiteOrNull;
  return { subject: r.subject, decoder: r.decoder, split: r.split, window_s: r.window_s, combine: r.combine, n_items: r.n_items, top1: num(r.top1), top1_lo: num(r.top1_lo), top1_hi: num(r.top1_hi), topk: num(r.topk), k: r.k, chance: r.chance, chance_topk: r.chance_topk, p_perm: num(r.p_perm) };
}

/** Write every decode-eeg output into `dir` (an artifact folder); `meta` goes into the summary. */
export function writeIdentificationOutputs(dir: string, res: IdentificationResult, meta: Record<string, unknown>): void {
  const subjects = [...new Set(res.rows.map((r) => r.subject))].filter((s) => s !== 'all').sort();
  const K = res.songs.length;
  for (const s of subjects) {
    const base = path.join(dir, s, 'eeg', `${s}_desc-identification`);
    writeTsv(`${base}_scores.tsv`, SCORE_COLUMNS, res.rows.filter((r) => r.subject === s).map(rowCells), Object.fromEntries(SCORE_COLUMNS.map((c) => [c, SCORE_SIDECAR[c]])));
    const conf: Record<string, string | number | null>[] = [];
    // The per-subject file keeps one matrix per decoder × split (the shortest window), as the report reads it; every length is in group/.
    const baseLen = Math.min(...res.confusions.map((e) => e.window_s));
    for (const c of res.confusions.filter((e) => e.subject === s && e.window_s === baseLen)) {
      for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) if (c.counts[i * K + j] > 0) conf.push({ decoder: c.decoder, split: c.split, true_stim: res.songs[i], predicted_stim: res.songs[j], count: c.counts[i * K + j] });
    }
    writeTsv(`${base}_confusion.tsv`, ['decoder', 'split', 'true_stim', 'predicted_stim', 'count'], conf, {
      decoder: SCORE_SIDECAR.decoder, split: SCORE_SIDECAR.split,
      true_stim: { Description: 'Song heard' }, predicted_stim: { Description: 'Top-1 song (base window, mean combination)' }, count: { Description: 'Number of items (zero cells omitted)' },
    });
  }
  const g = path.join(dir, 'group');
  writeTsv(path.join(g, 'desc-identification_scores.tsv'), ['subject', ...SCORE_COLUMNS], res.rows.map(rowCells), { subject: SCORE_SIDECAR.subject, ...Object.fromEntries(SCORE_COLUMNS.map((c) => [c, SCORE_SIDECAR[c]])) });
  const allConf: Record<string, string | number | null>[] = [];
  for (const c of res.confusions) {
    for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) if (c.counts[i * K + j] > 0) allConf.push({ subject: c.subject, decoder: c.decoder, split: c.split, window_s: c.window_s, true_stim: res.songs[i], predicted_stim: res.songs[j], count: c.counts[i * K + j] });
  }
  writeTsv(path.join(g, 'desc-identification_confusions.tsv'), ['subject', 'decoder', 'split', 'window_s', 'true_stim', 'predicted_stim', 'count'], allConf, {
    subject: SCORE_SIDECAR.subject, decoder: SCORE_SIDECAR.decoder, split: SCORE_SIDECAR.split, window_s: SCORE_SIDECAR.window_s,
    true_stim: { Description: 'Song heard' }, predicted_stim: { Description: 'Top-1 song (mean combination)' }, count: { Description: 'Number of items (zero cells omitted)' },
  });
  writeTsv(path.join(g, 'desc-identification_persong.tsv'), ['decoder', 'split', 'window_s', 'combine', 'song', 'n_items', 'top1'], res.perSong.map((r) => ({ ...r })), {
    decoder: SCORE_SIDECAR.decoder, split: SCORE_SIDECAR.split, window_s: SCORE_SIDECAR.window_s, combine: SCORE_SIDECAR.combine,
    song: { Description: 'Song heard (true label of the items)' }, n_items: { Description: 'Items of this song, all subjects pooled' }, top1: { Description: 'Fraction of them identified correctly' },
  });
  // Figure data: accuracy vs window length, one series per decoder × split × combine × subject.
  const series = new Map<string, { decoder: string; split: string; combine: string; subject: string; window_s: number[]; top1: (number | null)[]; top1_lo: (number | null)[]; top1_hi: (number | null)[]; chance: number }>();
  for (const r of res.rows) {
    const key = [r.decoder, r.split, r.combine, r.subject].join('|');
    let e = series.get(key);
    if (!e) series.set(key, (e = { decoder: r.decoder, split: r.split, combine: r.combine, subject: r.subject, window_s: [], top1: [], top1_lo: [], top1_hi: [], chance: r.chance }));
    const c = rowCells(r);
    e.window_s.push(r.window_s);
    e.top1.push(c.top1 as number | null);
    e.top1_lo.push(c.top1_lo as number | null);
    e.top1_hi.push(c.top1_hi as number | null);
  }
  writeJsonAtomic(path.join(g, 'desc-identification_curve.json'), { description: 'Top-1 identification accuracy vs evaluated window length', x: 'window_s', y: 'top1', songs: res.songs, series: [...series.values()] });
  writeTsv(path.join(g, 'desc-identification_training.tsv'), ['decoder', 'split', 'fold', 'epoch', 'loss', 'ce', 'ce_audio', 'nce', 'train_acc', 'val_ce', 'val_acc', 'best_epoch'], res.training.map((t) => ({ ...t, val_ce: finiteOrNull(t.val_ce), val_acc: finiteOrNull(t.val_acc) })), {
    loss: { Description: 'Training loss L = CE_eeg + CE_audio + λ·InfoNCE (+ weight decay), mean over windows', Units: 'nats' },
    ce: { Description: 'Song cross-entropy of the EEG encoder', Units: 'nats' },
    ce_audio: { Description: "Song cross-entropy of PredANN's audio CNN (0 without the audio branch)", Units: 'nats' },
    nce: { Description: 'Symmetric InfoNCE between the EEG embedding and the (stop-gradient) target', Units: 'nats' },
    train_acc: { Description: 'Training-batch top-1 accuracy (fraction, dropout on)' },
    val_ce: { Description: 'Eval-mode cross-entropy on the held-out validation segments (n/a without early stopping)', Units: 'nats' },
    val_acc: { Description: 'Eval-mode top-1 accuracy on the validation segments (fraction)' },
    best_epoch: { Description: 'Epoch whose weights were kept (lowest val_ce)' },
  });
  // Wall-clock figures (epoch seconds, CNN throughput) differ between identical runs: they go to provenance.json (decodeRuntime), not here.
  writeJsonAtomic(path.join(g, 'desc-identification_summary.json'), { songs: res.songs, nSongs: K, ...meta });
}

/** What a decode-eeg run measured of its own speed, for provenance.json (never the data files: it differs between identical runs). */
export function decodeRuntime(res: IdentificationResult): Record<string, unknown> {
  return {
    cnnWindowsPerSecond: Number.isFinite(res.cnnWindowsPerSecond) ? res.cnnWindowsPerSecond : null,
    epochSeconds: res.training.map((t) => ({ decoder: t.decoder, split: t.split, fold: t.fold, epoch: t.epoch, seconds: t.seconds })),
  };
}

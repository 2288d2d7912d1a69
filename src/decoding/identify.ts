/**
 * Song identification from EEG segments: cut windows, build each split's
 * folds, run every decoder on every fold, and evaluate top-1/top-k accuracy
 * for each window length and combination rule, per subject and pooled.
 * Decoders: 'predann' (CNN, CE + λ·InfoNCE), 'predann-noann' (same with
 * λ = 0), 'regression' (backward ridge model of the ANN target, identified
 * by correlation) and 'mtrf-envelope' (the same on the audio envelope).
 */
import { InputError } from '../core/errors.js';
import { Rng } from '../core/prng.js';
import { notice, progress } from '../core/progress.js';
import { DECODERS, decodeEegConfigSchema, type DecoderName, type DecodeEegConfig } from './config.js';
import { accuracy, argmax, evaluationItems, type Combine, type TestedWindow } from './evaluate.js';
import { predannFold, type PredannTarget } from './predann.js';
import { regressionScores } from './regression.js';
import { featureStats, standardizedSource } from './targets.js';
import { cutWindowRefs, makeSplit, type SplitKind } from './windows.js';
import type { SegmentSet, TargetSource } from './types.js';
import type { EncoderHistoryRow } from '../models/predann-train.js';

export { DECODERS, decodeEegConfigSchema, type DecoderName, type DecodeEegConfig };

export interface ScoreRow {
  decoder: DecoderName;
  split: SplitKind;
  subject: string;
  window_s: number;
  combine: Combine;
  n_items: number;
  top1: number;
  top1_lo: number;
  top1_hi: number;
  topk: number;
  k: number;
  chance: number;
  chance_topk: number;
  p_perm: number;
}

export interface ConfusionEntry {
  decoder: DecoderName;
  split: SplitKind;
  subject: string;
  /** Evaluated window length, s. */
  window_s: number;
  /** nSongs × nSongs counts [true][predicted], mean combination. */
  counts: Int32Array;
}

export interface PerSongRow {
  decoder: DecoderName;
  split: SplitKind;
  window_s: number;
  combine: Combine;
  song: string;
  n_items: number;
  top1: number;
}

export interface IdentificationResult {
  songs: string[];
  rows: ScoreRow[];
  confusions: ConfusionEntry[];
  /** Top-1 per true song, all subjects pooled. */
  perSong: PerSongRow[];
  /** CNN training log per decoder/split/fold. */
  training: ({ decoder: DecoderName; split: SplitKind; fold: string; best_epoch: number } & EncoderHistoryRow)[];
  /** Mean CNN training throughput, windows/s (NaN when no CNN ran). */
  cnnWindowsPerSecond: number;
  /** Hit (1) or miss (0) of every item at the base window length and mean combination, in a decoder-independent order: the pairing of a paired comparison. */
  itemHits: { decoder: DecoderName; split: SplitKind; subject: string; key: string; hit: number }[];
}

export interface IdentificationInputs {
  set: SegmentSet;
  /** The ANN representation (or any feature target) per stimulus at set.rate. */
  annTarget: TargetSource;
  /** The audio envelope per stimulus at set.rate (needed by 'mtrf-envelope'). */
  envelopeTarget?: TargetSource;
  /** The audio's spectral flux per stimulus at set.rate (needed by predannTarget 'modulation'). */
  fluxTarget?: TargetSource;
  /** Each stimulus's waveform at decode.audio.rate (needed by the PredANN decoders with predannTarget 'audio-cnn'). */
  waveform?: (stimId: string) => Float32Array;
}

/** Run every configured decoder × split and evaluate. Deterministic for a given seed. */
export function runIdentification(inp: IdentificationInputs, cfg: DecodeEegConfig, seed: number): IdentificationResult {
  const { set } = inp;
  const win = Math.round(cfg.windowSec * set.rate);
  const hop = Math.max(1, Math.round(cfg.hopSec * set.rate));
  const windows = cutWindowRefs(set.nSeg, set.nT, win, hop);
  const songs = [...new Set(set.stimIds)].sort();
  const songIndex = new Map(songs.map((s, i) => [s, i]));
  const K = songs.length;
  if (K < 2) throw new InputError('segments', 'identification needs at least 2 different stimuli');
  const k = Math.min(cfg.topK, K);
  const rng = new Rng(seed, 'decode-eeg');
  const subjects = [...new Set(set.subjects)].sort();
  const rows: ScoreRow[] = [];
  const confusions: ConfusionEntry[] = [];
  const training: IdentificationResult['training'] = [];
  const itemHits: IdentificationResult['itemHits'] = [];
  const perSong: PerSongRow[] = [];
  let wps = 0;
  let nWps = 0;
  const lengths = cfg.evalWindowsSec.filter((L) => L >= cfg.windowSec - 1e-9);
  const splits = cfg.splits.filter((s) => s !== 'loso' || subjects.length >= 2);
  if (splits.length < cfg.splits.length) notice('decode-eeg: leave-one-subject-out skipped (one subject)');
  let predannTarget: PredannTarget = { kind: 'fixed', source: inp.annTarget, bins: cfg.targetBins };
  if (cfg.predannTarget === 'audio-cnn' && cfg.decoders.some((d) => d === 'predann' || d === 'predann-noann')) {
    if (!inp.waveform) throw new InputError('predannTarget', "'audio-cnn' needs the stimulus waveforms (the stimuli folder)");
    predannTarget = { kind: 'audio-cnn', waveform: inp.waveform, rate: cfg.audio.rate, config: cfg.audio };
  } else if (cfg.predannTarget === 'modulation') {
    if (!inp.envelopeTarget || !inp.fluxTarget)
      throw new InputError('predannTarget', "'modulation' needs the stimuli's envelope and flux (the stimuli folder)");
    predannTarget = { kind: 'modulation', envelope: inp.envelopeTarget, flux: inp.fluxTarget };
  }
  const bar = progress('decode-eeg', cfg.decoders.length * splits.length);
  for (const split of splits) {
    const folds = makeSplit(
      split,
      windows,
      set,
      win,
      {
        folds: cfg.folds,
        blocks: cfg.blocks,
        gap: Math.round(cfg.blockGapSec * set.rate),
        chunk: Math.round(cfg.chunkSec * set.rate),
        chunkTestFraction: cfg.chunkTestFraction,
      },
      rng.fork(`split/${split}`),
    );
    for (const decoder of cfg.decoders) {
      const tested: TestedWindow[] = [];
      const cnn = decoder === 'predann' || decoder === 'predann-noann';
      if (cnn && cfg.cnnSplits !== null && !cfg.cnnSplits.includes(split)) {
        bar.tick();
        continue;
      }
      const useFolds = cnn && cfg.cnnFolds !== null ? folds.slice(0, cfg.cnnFolds) : folds;
      for (const fold of useFolds) {
        let scores: Float32Array;
        if (cnn) {
          const enc = { ...cfg.encoder, lambda: decoder === 'predann' ? cfg.encoder.lambda : 0 };
          const r = predannFold(
            set,
            windows,
            fold,
            win,
            predannTarget,
            songIndex,
            enc,
            rng.fork(`${decoder}/${split}/${fold.name}`).nextU32(),
            rng.fork(`${decoder}/${split}/${fold.name}/split`),
          );
          scores = r.scores;
          wps += r.windowsPerSecond;
          nWps++;
          for (const h of r.history) training.push({ decoder, split, fold: fold.name, best_epoch: r.bestEpoch, ...h });
        } else {
          const src = decoder === 'regression' ? inp.annTarget : inp.envelopeTarget;
          if (!src) throw new InputError('decoders', `${decoder} needs a target source it was not given (envelope: pass the stimuli)`);
          const trainStims = fold.train.map((i) => set.stimIds[windows[i].seg]);
          const std = standardizedSource(src, featureStats(src, trainStims));
          scores = regressionScores(set, windows, fold, win, std, songs, cfg.regression).scores;
        }
        fold.test.forEach((w, i) => tested.push({ window: w, fold: fold.name, scores: scores.subarray(i * K, (i + 1) * K) }));
      }
      for (const L of lengths) {
        const lenS = Math.round(L * set.rate);
        if (lenS > set.nT) continue;
        for (const how of cfg.combine) {
          const items = evaluationItems(tested, windows, set, songIndex, win, lenS, how, lenS - hop, cnn ? 'logprob' : 'similarity');
          songs.forEach((song, c) => {
            const mine = items.filter((it) => it.trueClass === c);
            if (mine.length > 0)
              perSong.push({
                decoder,
                split,
                window_s: L,
                combine: how,
                song,
                n_items: mine.length,
                top1: mine.filter((it) => argmax(it.scores) === c).length / mine.length,
              });
          });
          if (L === lengths[0] && how === 'mean')
            items.forEach((it, i) =>
              itemHits.push({ decoder, split, subject: it.subject, key: `${split}|${it.seg}|${i}`, hit: argmax(it.scores) === it.trueClass ? 1 : 0 }),
            );
          for (const subject of [...subjects, 'all']) {
            const mine = subject === 'all' ? items : items.filter((it) => it.subject === subject);
            if (mine.length === 0) continue;
            const acc = accuracy(mine, K, k, rng.fork(`acc/${decoder}/${split}/${subject}/${L}/${how}`), cfg.nBoot, cfg.nPerm);
            rows.push({
              decoder,
              split,
              subject,
              window_s: L,
              combine: how,
              n_items: acc.nItems,
              top1: acc.top1,
              top1_lo: acc.top1Lo,
              top1_hi: acc.top1Hi,
              topk: acc.topk,
              k,
              chance: acc.chance,
              chance_topk: acc.chanceTopk,
              p_perm: acc.pPerm,
            });
            if (how === 'mean') confusions.push({ decoder, split, subject, window_s: L, counts: acc.confusion });
          }
        }
      }
      bar.tick();
    }
  }
  bar.done();
  return { songs, rows, confusions, perSong, training, cnnWindowsPerSecond: nWps ? wps / nWps : NaN, itemHits };
}

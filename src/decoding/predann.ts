/**
 * The PredANN decoder on one fold: train the EEG encoder (models/eeg-encoder.ts)
 * on the fold's training windows with song labels and the windows' ANN target
 * vectors, then score the test windows by their class log-probabilities.
 */
import { predictEegEncoder, trainEegEncoder, type EegEncoderConfig, type EncoderHistoryRow } from '../models/eeg-encoder.js';
import { featureStats, standardizedSource, windowTargetVectors } from './targets.js';
import { gatherWindows } from './windows.js';
import type { Fold, SegmentSet, TargetSource, WindowRef } from './types.js';

export interface PredannFoldResult {
  /** nTest × nSongs log-probabilities (nats). */
  scores: Float32Array;
  history: EncoderHistoryRow[];
  windowsPerSecond: number;
}

/** Train on fold.train and score fold.test; `lambda` overrides the config's λ (0 = no-ANN baseline). */
export function predannFold(set: SegmentSet, windows: WindowRef[], fold: Fold, win: number, target: TargetSource, songIndex: Map<string, number>, cfg: EegEncoderConfig, bins: number, seed: number): PredannFoldResult {
  const trainStims = fold.train.map((i) => set.stimIds[windows[i].seg]);
  const std = standardizedSource(target, featureStats(target, trainStims));
  const tv = windowTargetVectors(std, set.stimIds, windows, fold.train, win, bins);
  const labels = Int32Array.from(fold.train, (i) => songIndex.get(set.stimIds[windows[i].seg])!);
  const x = gatherWindows(set, windows, fold.train, win);
  const shape = { nCh: set.nCh, nT: win, nClasses: songIndex.size, targetDim: tv.dim };
  const trained = trainEegEncoder({ x, labels, targets: tv.data }, shape, cfg, seed);
  const xt = gatherWindows(set, windows, fold.test, win);
  const scores = predictEegEncoder(trained.model, xt, fold.test.length);
  trained.model.dispose();
  return { scores, history: trained.history, windowsPerSecond: trained.windowsPerSecond };
}

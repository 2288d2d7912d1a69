/**
 * Training PredANN (Akama et al.): the EEG encoder, and with an audio branch
 * the audio CNN jointly, by Adam on
 *
 *   L = CE_eeg + CE_audio + λ · InfoNCE(z_eeg, stop-grad z_audio)
 *
 * or, with fixed targets a (features of the audio or a frozen network),
 * L = CE_eeg + λ · InfoNCE(z_eeg, a). Full batches only (batch norm and
 * InfoNCE need more than one window). With a validation set, training stops
 * when the validation cross-entropy has not improved for `patience` epochs
 * and the best epoch's weights are restored. Finally the EEG encoder's
 * batch-norm running statistics are recomputed with the final weights
 * (refreshBatchNorm). Deterministic for a given seed and backend.
 */
import { tf } from './backend.js';
import { AudioEncoder } from './audio-encoder.js';
import type { AudioEncoderConfig } from './audio-encoder-config.js';
import { EegEncoder, type EegEncoderConfig, type EncoderShape, type PredannNetwork } from './eeg-encoder.js';
import { crossEntropy, duplicateTargetMask, stopGradient, symmetricInfoNce } from './predann-loss.js';
import { Rng } from '../core/prng.js';
import { InputError } from '../core/errors.js';
import { adam } from './optimizer.js';

export interface EncoderTrainingSet {
  /** nWin × nCh × nT windows, row-major float32. */
  x: Float32Array;
  /** Class label of each window, 0..nClasses−1. */
  labels: Int32Array;
  /** nWin × targetDim fixed ANN target vectors (ignored when an audio branch is given). */
  targets?: Float32Array;
  /** Optional key per window naming its target (e.g. song × song time); windows sharing a key are not InfoNCE negatives of each other. */
  targetKeys?: Int32Array;
  /** nWin × audioLen waveforms of each window's audio, for the audio branch. */
  audio?: Float32Array;
  /** Random crops: called once per epoch, returns the same windows (same labels, same order) at new positions. */
  recrop?: (rng: Rng) => Pick<EncoderTrainingSet, 'x' | 'targets' | 'targetKeys' | 'audio'>;
}

export interface TrainOptions {
  /** Held-out windows for early stopping (x and labels). */
  validation?: { x: Float32Array; labels: Int32Array };
  /** Train PredANN's audio CNN jointly; its embedding is the InfoNCE target. */
  audio?: { config: AudioEncoderConfig; length: number };
  onEpoch?: (r: EncoderHistoryRow) => void;
}

export interface EncoderHistoryRow {
  epoch: number;
  loss: number;
  ce: number;
  ce_audio: number;
  nce: number;
  train_acc: number;
  /** Validation cross-entropy and accuracy in eval mode (NaN without validation). */
  val_ce: number;
  val_acc: number;
  seconds: number;
}

export interface TrainedEncoder {
  model: EegEncoder;
  /** The jointly trained audio CNN (null without an audio branch); the caller disposes it. */
  audioModel: AudioEncoder | null;
  history: EncoderHistoryRow[];
  /** Epoch whose weights were kept. */
  bestEpoch: number;
  /** Windows processed per second of training (forward + backward + update). */
  windowsPerSecond: number;
}

/** Train on `set` (shape given); returns the EEG encoder and, if trained, the audio CNN. */
export function trainEegEncoder(set: EncoderTrainingSet, shape: EncoderShape, config: EegEncoderConfig, seed: number, opts: TrainOptions = {}): TrainedEncoder {
  const n = set.labels.length;
  const per = shape.nCh * shape.nT;
  if (set.x.length !== n * per) throw new InputError('eeg-encoder', `expected ${n}×${shape.nCh}×${shape.nT} window values, got ${set.x.length}`);
  const audioLen = opts.audio?.length ?? 0;
  if (opts.audio && set.audio?.length !== n * audioLen)
    throw new InputError('eeg-encoder', `expected ${n}×${audioLen} audio samples, got ${set.audio?.length ?? 0}`);
  if (!opts.audio && config.lambda > 0 && set.targets?.length !== n * shape.targetDim)
    throw new InputError('eeg-encoder', `expected ${n}×${shape.targetDim} target values, got ${set.targets?.length ?? 0}`);
  const rng = new Rng(seed, 'eeg-encoder');
  const model = new EegEncoder(config, shape, rng.fork('init'));
  const audioNet = opts.audio ? new AudioEncoder(opts.audio.config, shape.nClasses, config.projectionHidden, shape.targetDim, rng.fork('audio-init')) : null;
  const nets: PredannNetwork[] = audioNet ? [model, audioNet] : [model];
  const vars = nets.flatMap((m) => m.vars.trainable());
  const opt = adam(config.lr);
  const order = rng.fork('order');
  const drop = rng.fork('dropout');
  const crops = rng.fork('crops');
  const history: EncoderHistoryRow[] = [];
  const bs = Math.min(config.batchSize, n);
  const val = opts.validation && opts.validation.labels.length > 0 && config.patience > 0 ? opts.validation : null;
  // The per-epoch statistics refresh before validation uses a fixed subset of training windows (≤ 4 batches) to stay cheap.
  const refreshIdx = Array.from(
    rng
      .fork('refresh')
      .permutation(n)
      .subarray(0, Math.min(n, 4 * bs)),
  );
  let best = { ce: Infinity, epoch: 0, snap: null as Map<string, tf.Tensor> | null };
  let seen = 0;
  let busy = 0;
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const t0 = process.hrtime.bigint();
    const perm = order.permutation(n);
    const cur = set.recrop ? set.recrop(crops) : set;
    let sumLoss = 0,
      sumCe = 0,
      sumCeA = 0,
      sumNce = 0,
      correct = 0,
      count = 0;
    for (let b0 = 0; b0 + bs <= n; b0 += bs) {
      const idx = Array.from(perm.subarray(b0, b0 + bs));
      const x = tf.tensor4d(gatherRows(cur.x, idx, per), [bs, shape.nCh, shape.nT, 1]);
      const y = tf.tensor1d(
        Int32Array.from(idx, (w) => set.labels[w]),
        'int32',
      );
      const a = audioNet && cur.audio ? tf.tensor4d(gatherRows(cur.audio, idx, audioLen), [bs, 1, audioLen, 1]) : null;
      const tt = !audioNet && config.lambda > 0 && cur.targets ? tf.tensor2d(gatherRows(cur.targets, idx, shape.targetDim), [bs, shape.targetDim]) : null;
      const keys = cur.targetKeys;
      const dup = keys && config.lambda > 0 ? duplicateTargetMask(idx.map((w) => keys[w])) : null;
      const mask = dup ? tf.tensor2d(dup, [bs, bs]) : undefined;
      const seeds = [drop.nextU32(), drop.nextU32()];
      let parts = [0, 0, 0];
      let logits: Float32Array = new Float32Array(0);
      const loss = opt.minimize(
        () => {
          const out = model.forward(x, true, seeds[0]);
          const ce = crossEntropy(out.logits, y);
          let total: tf.Scalar = ce;
          let ceA: tf.Scalar = tf.scalar(0);
          let nce: tf.Scalar = tf.scalar(0);
          if (audioNet && a) {
            const ao = audioNet.forward(a, true, seeds[1]);
            ceA = crossEntropy(ao.logits, y);
            total = tf.add(total, ceA) as tf.Scalar;
            if (config.lambda > 0) nce = symmetricInfoNce(out.embedding, stopGradient(ao.embedding), config.temperature, mask);
          } else if (tt) {
            nce = symmetricInfoNce(out.embedding, tt, config.temperature, mask);
          }
          if (config.lambda > 0) total = tf.add(total, tf.mul(nce, config.lambda)) as tf.Scalar;
          if (config.weightDecay > 0) {
            const ws = nets.flatMap((m) => m.vars.decayed());
            total = tf.add(total, tf.mul(config.weightDecay, tf.addN(ws.map((w) => tf.sum(tf.square(w)))))) as tf.Scalar;
          }
          parts = [ce.dataSync()[0], ceA.dataSync()[0], nce.dataSync()[0]];
          logits = out.logits.dataSync() as Float32Array;
          return total;
        },
        true,
        vars,
      );
      const total = loss ? loss.dataSync()[0] : NaN;
      tf.dispose([x, y, ...(a ? [a] : []), ...(tt ? [tt] : []), ...(mask ? [mask] : []), ...(loss ? [loss] : [])]);
      sumLoss += total * bs;
      sumCe += parts[0] * bs;
      sumCeA += parts[1] * bs;
      sumNce += parts[2] * bs;
      count += bs;
      idx.forEach((w, i) => {
        if (argmax(logits, i, shape.nClasses) === set.labels[w]) correct++;
      });
    }
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    seen += count;
    busy += secs;
    let valCe = NaN,
      valAcc = NaN;
    if (val) {
      refreshBatchNorm(model, gatherRows(set.x, refreshIdx, per), refreshIdx.length, bs);
      [valCe, valAcc] = evaluate(model, val.x, val.labels);
      if (valCe < best.ce - 1e-4) {
        best.snap?.forEach((t) => t.dispose());
        best = { ce: valCe, epoch, snap: model.vars.snapshot() };
      }
    }
    const row = {
      epoch,
      loss: sumLoss / count,
      ce: sumCe / count,
      ce_audio: sumCeA / count,
      nce: sumNce / count,
      train_acc: correct / count,
      val_ce: valCe,
      val_acc: valAcc,
      seconds: secs,
    };
    history.push(row);
    opts.onEpoch?.(row);
    if (val && epoch - best.epoch >= config.patience) break;
  }
  opt.dispose();
  if (best.snap) {
    model.vars.restore(best.snap);
    best.snap.forEach((t) => t.dispose());
  }
  refreshBatchNorm(model, set.x, n, bs);
  return { model, audioModel: audioNet, history, bestEpoch: best.snap ? best.epoch : history.length, windowsPerSecond: seen / Math.max(busy, 1e-9) };
}

function gatherRows(src: Float32Array, idx: readonly number[], width: number): Float32Array {
  const out = new Float32Array(idx.length * width);
  idx.forEach((w, i) => out.set(src.subarray(w * width, (w + 1) * width), i * width));
  return out;
}

function argmax(a: Float32Array, row: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (a[row * k + j] > a[row * k + best]) best = j;
  return best;
}

/** Eval-mode cross-entropy (nats) and accuracy of windows x with labels. */
function evaluate(model: EegEncoder, x: Float32Array, labels: Int32Array): [number, number] {
  const K = model.shape.nClasses;
  const lp = predictEegEncoder(model, x, labels.length);
  let ce = 0,
    hit = 0;
  labels.forEach((y, i) => {
    ce -= lp[i * K + y];
    if (argmax(lp, i, K) === y) hit++;
  });
  return [ce / labels.length, hit / labels.length];
}

/**
 * Recompute the batch-norm running statistics with the final weights, as
 * PyTorch's `torch.optim.swa_utils.update_bn`: reset them, then pass the
 * windows through in training mode with momentum 1/k at the k-th batch, so
 * each statistic ends as the equal-weight mean of the per-batch statistics.
 * Running averages collected during training mix statistics of earlier
 * weights; with few, large steps they lag far behind the final network and
 * eval-mode predictions collapse (issue 13: 0.28 training-mode vs 0.10
 * eval-mode accuracy on the same windows).
 */
export function refreshBatchNorm(model: EegEncoder, x: Float32Array, nWin: number, batch: number): void {
  const { nCh, nT } = model.shape;
  const per = nCh * nT;
  model.vars.resetRunningStats();
  let k = 0;
  for (let b0 = 0; b0 < nWin; b0 += batch) {
    const m = Math.min(batch, nWin - b0);
    // A single-window tail gives a zero variance estimate; it only adds noise to the average.
    if (m < 2 && k > 0) break;
    k++;
    tf.tidy(() => {
      model.forward(tf.tensor4d(x.subarray(b0 * per, (b0 + m) * per), [m, nCh, nT, 1]), true, undefined, 1 / k);
    });
  }
}

/** Class log-probabilities [nWin × nClasses] of windows x (nWin × nCh × nT) in inference mode (nats). */
export function predictEegEncoder(model: EegEncoder, x: Float32Array, nWin: number, batch = 64): Float32Array {
  const { nCh, nT, nClasses } = model.shape;
  const per = nCh * nT;
  const out = new Float32Array(nWin * nClasses);
  for (let b0 = 0; b0 < nWin; b0 += batch) {
    const m = Math.min(batch, nWin - b0);
    const res = tf.tidy(() => tf.logSoftmax(model.forward(tf.tensor4d(x.subarray(b0 * per, (b0 + m) * per), [m, nCh, nT, 1]), false).logits));
    out.set(res.dataSync() as Float32Array, b0 * nClasses);
    res.dispose();
  }
  return out;
}

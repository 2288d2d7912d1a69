/**
 * Training BAN / CNN genre classifiers on log-mel windows: Adam, random-crop
 * and gain augmentation, early stopping on validation loss, periodic and best
 * checkpoints, per-epoch metrics, and a held-out evaluation at window and clip
 * level. Every random choice comes from Rng(seed) streams, so the same seed
 * gives the same weights on the same backend.
 *
 * The output folder is a train artifact's layout (src/artifacts/train.ts),
 * written once here: metrics.tsv, split.tsv, checkpoints/{epoch-NNNN,best}/,
 * every checkpoint's per-clip predictions, and eval/{predictions,confusion,
 * per_genre}.tsv. The stage adds train.json and eval/summary.json.
 */
import * as path from 'node:path';
import { tf } from './backend.js';
import { AudioNet, parseModelConfig, type ModelConfigInput } from './ban.js';
import { saveCheckpoint } from './checkpoint.js';
import { logMelStats, type LogMelOptions } from './features.js';
import { listGtzan, readClips, splitByFile, type Clip, type SplitName } from './dataset.js';
import { TRAIN_DEFAULTS } from './config.js';
import { argmaxRow, windowLogits, windowsTensor, type WindowRef } from './windows.js';
import { evaluateHeldOut, predictClips, type ClipSet, type Evaluation } from './clip-evaluation.js';
import { adam } from './optimizer.js';
import { Rng } from '../core/prng.js';
import { InputError } from '../core/errors.js';
import { mustGet } from '../core/lookup.js';
import { minimizeWithCost } from './optimizer-step.js';
import { notice, progress } from '../core/progress.js';
import { stripAudioExtension } from '../io/audio.js';
import { BEST_CHECKPOINT, checkpointsRoot, epochCheckpointName } from '../artifacts/checkpoints.js';
import { writeHistory, type EpochRow } from '../artifacts/train-history.js';
import { writeSplit } from '../artifacts/train-split.js';
import { predictionsFile, writePredictions } from '../artifacts/train-predictions.js';
import { writeConfusion, writePerGenre } from '../artifacts/train-evaluation.js';

export type { Evaluation } from './clip-evaluation.js';

export interface TrainOptions {
  /** The train artifact folder to write (see the module comment). */
  outDir: string;
  config?: ModelConfigInput;
  seed?: number;
  /** Maximum epochs (default TRAIN_DEFAULTS.epochs). */
  epochs?: number;
  /** Windows per Adam step, at least 2 (batch norm needs batch statistics). */
  batchSize?: number;
  /** Adam learning rate. */
  lr?: number;
  /** Stop after this many epochs without a lower validation loss. */
  patience?: number;
  /** Save a checkpoint every K epochs, plus epoch 0 (0 = only best). */
  checkpointEvery?: number;
  valFraction?: number;
  testFraction?: number;
  /** Random crops per training clip per epoch. */
  windowsPerClip?: number;
  /** Gain augmentation: uniform ±gainDb added to the log-mel. */
  gainDb?: number;
  /** Audio → log-mel settings besides nMels (taken from the config). */
  mel?: Omit<LogMelOptions, 'nMels'>;
  /** The study id of a clip in split.tsv and the predictions (default: its file name without the audio extension). */
  stimId?: (clip: Clip) => string;
  /** Called after each epoch with its wall time (which no artifact file holds). */
  onEpoch?: (row: EpochRow & { seconds: number }) => void;
}

export interface TrainResult {
  /** The model restored to its best-validation epoch. */
  model: AudioNet;
  bestEpoch: number;
  history: EpochRow[];
  /** Held-out scores of the best checkpoint (clip counts are 0 without a test split). */
  evaluation: Evaluation;
  /** Saved epoch checkpoints, in epoch order. */
  checkpoints: string[];
  split: Map<string, SplitName>;
  classes: string[];
}

/** Train on a GTZAN-layout folder (see dataset.ts). Resolves to the trained model, history and test evaluation. */
export async function trainGtzan(root: string, opts: TrainOptions): Promise<TrainResult> {
  const cfg = parseModelConfig(opts.config ?? {});
  const { classes, clips: refs } = listGtzan(root);
  const split = splitByFile(refs, {
    seed: opts.seed ?? 0,
    valFraction: opts.valFraction ?? TRAIN_DEFAULTS.valFraction,
    testFraction: opts.testFraction ?? TRAIN_DEFAULTS.testFraction,
  });
  const clips = readClips(refs, { ...opts.mel, nMels: cfg.nMels });
  return trainOnClips(clips, classes, split, opts);
}

function labelsOf(batch: { label: number }[], nClasses: number): tf.Tensor2D {
  return tf.tidy(
    () =>
      tf.oneHot(
        tf.tensor1d(
          batch.map((b) => b.label),
          'int32',
        ),
        nClasses,
      ) as tf.Tensor2D,
  );
}

/** Mean softmax cross-entropy (nats) and accuracy of row-wise logits against labels. */
export function lossAndAccuracy(logits: Float32Array, labels: ArrayLike<number>, nClasses: number): { loss: number; acc: number } {
  const n = labels.length;
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let j = 0; j < nClasses; j++) mx = Math.max(mx, logits[i * nClasses + j]);
    let s = 0;
    for (let j = 0; j < nClasses; j++) s += Math.exp(logits[i * nClasses + j] - mx);
    loss += mx + Math.log(s) - logits[i * nClasses + labels[i]];
    if (argmaxRow(logits, i, nClasses) === labels[i]) correct++;
  }
  return { loss: n ? loss / n : NaN, acc: n ? correct / n : NaN };
}

function snapshot(model: AudioNet): Map<string, Float32Array> {
  const m = new Map<string, Float32Array>();
  for (const [k, v] of [...model.params, ...model.state]) m.set(k, (v.dataSync() as Float32Array).slice());
  return m;
}

function restore(model: AudioNet, snap: Map<string, Float32Array>): void {
  for (const [k, v] of [...model.params, ...model.state]) tf.tidy(() => v.assign(tf.tensor(mustGet(snap, k, 'weight snapshot'), v.shape)));
}

/**
 * Train on preloaded clips with a given split, writing the artifact layout of
 * the module comment into `opts.outDir`. Errors name the option (batchSize,
 * split) as the library knows it; the CLI maps them to flags and config fields.
 */
export async function trainOnClips(clips: Clip[], classes: string[], split: Map<string, SplitName>, opts: TrainOptions): Promise<TrainResult> {
  const seed = opts.seed ?? 0;
  const epochs = opts.epochs ?? TRAIN_DEFAULTS.epochs;
  const batchSize = opts.batchSize ?? TRAIN_DEFAULTS.batchSize;
  const patience = opts.patience ?? TRAIN_DEFAULTS.patience;
  const every = opts.checkpointEvery ?? TRAIN_DEFAULTS.checkpointEvery;
  const perClip = opts.windowsPerClip ?? TRAIN_DEFAULTS.windowsPerClip;
  const gainDb = opts.gainDb ?? TRAIN_DEFAULTS.gainDb;
  if (batchSize < 2) throw new InputError('batchSize', 'must be at least 2 (batch norm needs batch statistics)');
  const part = (s: SplitName) => clips.filter((c) => split.get(c.id) === s);
  const train = part('train');
  const val = part('val');
  if (train.length === 0) throw new InputError('split', 'no training clips after the split');
  const stats = logMelStats(train.map((c) => c.mel.data));
  const cfg = parseModelConfig({ ...(opts.config ?? {}), nClasses: classes.length, classes, inputMean: stats.mean, inputStd: stats.std });
  for (const c of clips) {
    if (c.mel.nMels !== cfg.nMels) throw new InputError(c.path, `log-mel has ${c.mel.nMels} bands, model expects ${cfg.nMels}`);
  }
  const model = new AudioNet(cfg, seed);
  const optimizer = adam(opts.lr ?? TRAIN_DEFAULTS.lr);
  const outDir = opts.outDir;
  const set: ClipSet = {
    clips,
    classes,
    stimId: opts.stimId ?? ((c) => stripAudioExtension(path.basename(c.id))),
    role: (c) => split.get(c.id) ?? 'unused',
  };
  writeSplit(
    outDir,
    clips.map((c) => ({ stimId: set.stimId(c), genre: c.genre, split: set.role(c) })),
  );
  const checkpoints: string[] = [];
  // Every saved epoch carries its own per-clip predictions, so later stages never run the network again.
  const saveEpoch = (epoch: number): void => {
    const name = epochCheckpointName(epoch);
    saveCheckpoint(path.join(checkpointsRoot(outDir), name), model, { epoch, seed });
    writePredictions(predictionsFile(outDir, name), predictClips(model, set).predictions, name);
    checkpoints.push(name);
  };
  if (every > 0) saveEpoch(0);

  const history: EpochRow[] = [];
  let best = Infinity;
  let bestEpoch = 0;
  let bestSnap = snapshot(model);
  let sinceBest = 0;
  const rng = new Rng(seed, 'train');
  const bar = progress('train', epochs);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const t0 = performance.now();
    const er = rng.fork(`epoch${epoch}`);
    const ws: WindowRef[] = [];
    for (const clip of train) {
      for (let k = 0; k < perClip; k++) {
        const span = Math.max(1, clip.mel.nFrames - cfg.frames + 1);
        ws.push({ clip, start: er.int(span), gainDb: er.range(-gainDb, gainDb), label: clip.label });
      }
    }
    er.shuffle(ws);
    let lossSum = 0,
      correct = 0,
      seen = 0;
    for (let b = 0; b < ws.length; b += batchSize) {
      const batch = ws.slice(b, b + batchSize);
      if (batch.length < 2) continue;
      const x = windowsTensor(batch, cfg);
      const y = labelsOf(batch, cfg.nClasses);
      let kept: tf.Tensor2D | null = null;
      const loss = minimizeWithCost(optimizer, () => {
        const { logits } = model.forward(x, { training: true });
        kept = tf.keep(logits);
        return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
      });
      lossSum += loss.dataSync()[0] * batch.length;
      const la = lossAndAccuracy(
        (kept as unknown as tf.Tensor2D).dataSync() as Float32Array,
        batch.map((w) => w.label),
        cfg.nClasses,
      );
      correct += la.acc * batch.length;
      seen += batch.length;
      tf.dispose([x, y, loss, kept as unknown as tf.Tensor2D]);
    }
    let valLoss: number | null = null;
    let valAcc: number | null = null;
    if (val.length) {
      const { logits, clipOf } = windowLogits(model, val);
      const la = lossAndAccuracy(
        logits,
        Array.from(clipOf, (ci) => val[ci].label),
        cfg.nClasses,
      );
      valLoss = la.loss;
      valAcc = la.acc;
    }
    const row: EpochRow = { epoch, train_loss: lossSum / seen, train_acc: correct / seen, val_loss: valLoss, val_acc: valAcc };
    history.push(row);
    opts.onEpoch?.({ ...row, seconds: (performance.now() - t0) / 1000 });
    bar.tick();
    // Rewritten every epoch so a long run's curve can be watched.
    writeHistory(outDir, history);
    const monitored = valLoss ?? row.train_loss;
    if (monitored < best) {
      best = monitored;
      bestEpoch = epoch;
      bestSnap = snapshot(model);
      sinceBest = 0;
      saveCheckpoint(path.join(checkpointsRoot(outDir), BEST_CHECKPOINT), model, {
        epoch,
        seed,
        monitored: valLoss === null ? 'train_loss' : 'val_loss',
        value: monitored,
      });
    } else {
      sinceBest++;
    }
    if (every > 0 && epoch % every === 0) saveEpoch(epoch);
    if (sinceBest >= patience) {
      notice(`early stop at epoch ${epoch}: no lower ${valLoss === null ? 'train' : 'validation'} loss for ${patience} epochs (best epoch ${bestEpoch})`);
      break;
    }
  }
  bar.done();
  optimizer.dispose();
  restore(model, bestSnap);
  const final = predictClips(model, set);
  writePredictions(predictionsFile(outDir, BEST_CHECKPOINT), final.predictions, `${BEST_CHECKPOINT} (epoch ${bestEpoch})`);
  const evaluation = evaluateHeldOut(final);
  writeConfusion(outDir, evaluation.confusion);
  writePerGenre(outDir, evaluation.perGenre);
  return { model, bestEpoch, history, evaluation, checkpoints, split, classes };
}

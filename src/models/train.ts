/**
 * Training BAN / CNN genre classifiers on log-mel windows: Adam, random-crop
 * and gain augmentation, early stopping on validation loss, periodic and best
 * checkpoints, per-epoch metrics, and a held-out evaluation at window and clip
 * level. Every random choice comes from Rng(seed) streams, so the same seed
 * gives the same weights on the same backend.
 */
import * as path from 'node:path';
import { tf } from './backend.js';
import { AudioNet, parseModelConfig, type ModelConfig, type ModelConfigInput } from './ban.js';
import { saveCheckpoint } from './checkpoint.js';
import { cropWindow, tilingStarts, type LogMelOptions } from './features.js';
import { listGtzan, loadClips, splitByFile, type Clip, type SplitName } from './dataset.js';
import { Rng } from '../core/prng.js';
import { InputError } from '../core/errors.js';
import { writeJsonAtomic } from '../core/atomic.js';
import { notice, progress } from '../core/progress.js';
import { writeTsv } from '../io/tsv.js';
import { writeNpy } from '../io/npy.js';

export interface TrainOptions {
  /** Output folder: metrics.tsv, checkpoints/, best/, evaluation files. */
  outDir: string;
  config?: ModelConfigInput;
  seed?: number;
  /** Maximum epochs (default 40). */
  epochs?: number;
  batchSize?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Stop after this many epochs without a lower validation loss (default 8). */
  patience?: number;
  /** Save a checkpoint every K epochs, plus epoch 0 (default 5; 0 = only best). */
  checkpointEvery?: number;
  valFraction?: number;
  testFraction?: number;
  /** Random crops per training clip per epoch (default 2). */
  windowsPerClip?: number;
  /** Gain augmentation: uniform ±gainDb added to the log-mel (default 6 dB). */
  gainDb?: number;
  /** Audio → log-mel settings besides nMels (taken from the config). */
  mel?: Omit<LogMelOptions, 'nMels'>;
  /** Called after each epoch (quiet by default beyond progress/notice). */
  onEpoch?: (row: EpochRow) => void;
}

export interface EpochRow {
  epoch: number;
  train_loss: number;
  train_acc: number;
  val_loss: number | null;
  val_acc: number | null;
  seconds: number;
}

export interface Evaluation {
  /** Window-level accuracy on the test clips (fraction). */
  accuracy: number;
  /** Clip-level accuracy from window logits averaged per clip (fraction). */
  clipAccuracy: number;
  nWindows: number;
  nClips: number;
  classes: string[];
  /** Per class: precision and recall at window level (null when undefined: no predictions / no examples). */
  perClass: { genre: string; precision: number | null; recall: number | null; support: number }[];
  /** Window-level confusion counts, [true][predicted]. */
  confusion: number[][];
  /** Clip-level confusion counts, [true][predicted]. */
  clipConfusion: number[][];
}

export interface TrainResult {
  /** The model restored to its best-validation epoch. */
  model: AudioNet;
  bestEpoch: number;
  history: EpochRow[];
  evaluation: Evaluation | null;
  split: Map<string, SplitName>;
  classes: string[];
}

/** Train on a GTZAN-layout folder (see dataset.ts). Resolves to the trained model, history and test evaluation. */
export async function trainGtzan(root: string, opts: TrainOptions): Promise<TrainResult> {
  const cfg = parseModelConfig(opts.config ?? {});
  const { classes, clips: refs } = listGtzan(root);
  const split = splitByFile(refs, { seed: opts.seed ?? 0, valFraction: opts.valFraction ?? 0.1, testFraction: opts.testFraction ?? 0.2 });
  const clips = loadClips(refs, { ...opts.mel, nMels: cfg.nMels });
  return trainOnClips(clips, classes, split, opts);
}

function labelsOf(batch: { label: number }[], nClasses: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(batch.map((b) => b.label), 'int32'), nClasses) as tf.Tensor2D);
}

interface WindowRef {
  clip: Clip;
  start: number;
  gainDb: number;
  label: number;
}

function windowsTensor(ws: WindowRef[], cfg: ModelConfig): tf.Tensor4D {
  const per = cfg.nMels * cfg.frames;
  const buf = new Float32Array(ws.length * per);
  ws.forEach((w, i) => cropWindow(w.clip.mel, w.start, cfg.frames, buf, i * per, w.gainDb));
  return tf.tensor4d(buf, [ws.length, cfg.nMels, cfg.frames, 1]);
}

/**
 * Logits [nWindows × nClasses] of every tiling window of every clip (eval
 * mode), with the clip index of each window. Returns plain arrays.
 */
export function windowLogits(model: AudioNet, clips: Clip[], batchSize = 32): { logits: Float32Array; clipOf: Int32Array; nClasses: number } {
  const cfg = model.config;
  const ws: (WindowRef & { ci: number })[] = [];
  clips.forEach((clip, ci) => {
    for (const s of tilingStarts(clip.mel.nFrames, cfg.frames)) ws.push({ clip, start: s, gainDb: 0, label: clip.label, ci });
  });
  const logits = new Float32Array(ws.length * cfg.nClasses);
  for (let b = 0; b < ws.length; b += batchSize) {
    const batch = ws.slice(b, b + batchSize);
    const out = tf.tidy(() => model.forward(windowsTensor(batch, cfg), { training: false }).logits);
    logits.set(out.dataSync(), b * cfg.nClasses);
    out.dispose();
  }
  return { logits, clipOf: Int32Array.from(ws.map((w) => w.ci)), nClasses: cfg.nClasses };
}

function argmaxRow(a: Float32Array, row: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (a[row * n + j] > a[row * n + best]) best = j;
  return best;
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

/** Window- and clip-level test metrics of `model` on `clips`. */
export function evaluateClips(model: AudioNet, clips: Clip[], classes: string[]): Evaluation & { logits: Float32Array; clipOf: Int32Array } {
  const K = classes.length;
  const { logits, clipOf } = windowLogits(model, clips);
  const nW = clipOf.length;
  const confusion = classes.map(() => new Array<number>(K).fill(0));
  let correct = 0;
  for (let i = 0; i < nW; i++) {
    const t = clips[clipOf[i]].label;
    const p = argmaxRow(logits, i, K);
    confusion[t][p]++;
    if (p === t) correct++;
  }
  const clipSum = new Float32Array(clips.length * K);
  const clipCount = new Int32Array(clips.length);
  for (let i = 0; i < nW; i++) {
    clipCount[clipOf[i]]++;
    for (let j = 0; j < K; j++) clipSum[clipOf[i] * K + j] += logits[i * K + j];
  }
  const clipConfusion = classes.map(() => new Array<number>(K).fill(0));
  let clipCorrect = 0;
  clips.forEach((c, ci) => {
    const p = argmaxRow(clipSum, ci, K);
    clipConfusion[c.label][p]++;
    if (p === c.label) clipCorrect++;
  });
  const perClass = classes.map((genre, k) => {
    const support = confusion[k].reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let t = 0; t < K; t++) predicted += confusion[t][k];
    return {
      genre,
      precision: predicted ? confusion[k][k] / predicted : null,
      recall: support ? confusion[k][k] / support : null,
      support,
    };
  });
  return {
    accuracy: nW ? correct / nW : NaN,
    clipAccuracy: clips.length ? clipCorrect / clips.length : NaN,
    nWindows: nW,
    nClips: clips.length,
    classes,
    perClass,
    confusion,
    clipConfusion,
    logits,
    clipOf,
  };
}

function snapshot(model: AudioNet): Map<string, Float32Array> {
  const m = new Map<string, Float32Array>();
  for (const [k, v] of [...model.params, ...model.state]) m.set(k, (v.dataSync() as Float32Array).slice());
  return m;
}

function restore(model: AudioNet, snap: Map<string, Float32Array>): void {
  for (const [k, v] of [...model.params, ...model.state]) tf.tidy(() => v.assign(tf.tensor(snap.get(k)!, v.shape)));
}

/** Mean and standard deviation (dB) of all log-mel values of the clips. */
function melStats(clips: Clip[]): { mean: number; std: number } {
  let n = 0, s = 0, s2 = 0;
  for (const c of clips) for (const v of c.mel.data) { n++; s += v; s2 += v * v; }
  const mean = s / n;
  return { mean, std: Math.sqrt(Math.max(s2 / n - mean * mean, 1e-12)) };
}

function writeConfusion(file: string, classes: string[], m: number[][]): void {
  writeTsv(file, ['true_genre', ...classes], m.map((row, t) => {
    const r: Record<string, string | number> = { true_genre: classes[t] };
    classes.forEach((c, p) => { r[c] = row[p]; });
    return r;
  }), { true_genre: { Description: 'true genre; other columns: number of items predicted as that genre' } });
}

/**
 * Train on preloaded clips with a given split. Writes metrics.tsv,
 * checkpoints/epoch-NNNN (every `checkpointEvery` epochs and epoch 0),
 * best/, split.tsv, and for a non-empty test split evaluation.json,
 * per-class.tsv, confusion.tsv, confusion-clips.tsv and test-logits.npy.
 */
export async function trainOnClips(clips: Clip[], classes: string[], split: Map<string, SplitName>, opts: TrainOptions): Promise<TrainResult> {
  const seed = opts.seed ?? 0;
  const epochs = opts.epochs ?? 40;
  const batchSize = opts.batchSize ?? 16;
  const patience = opts.patience ?? 8;
  const every = opts.checkpointEvery ?? 5;
  const perClip = opts.windowsPerClip ?? 2;
  const gainDb = opts.gainDb ?? 6;
  if (batchSize < 2) throw new InputError('--batch-size', 'must be at least 2 (batch norm needs batch statistics)');
  const part = (s: SplitName) => clips.filter((c) => split.get(c.id) === s);
  const train = part('train');
  const val = part('val');
  const test = part('test');
  if (train.length === 0) throw new InputError('training data', 'no training clips after the split');
  const stats = melStats(train);
  const cfg = parseModelConfig({ ...(opts.config ?? {}), nClasses: classes.length, classes, inputMean: stats.mean, inputStd: stats.std });
  for (const c of clips) {
    if (c.mel.nMels !== cfg.nMels) throw new InputError(c.path, `log-mel has ${c.mel.nMels} bands, model expects ${cfg.nMels}`);
  }
  const model = new AudioNet(cfg, seed);
  const optimizer = tf.train.adam(opts.lr ?? 1e-3);
  const outDir = opts.outDir;
  writeTsv(path.join(outDir, 'split.tsv'), ['clip', 'genre', 'split'],
    clips.map((c) => ({ clip: c.id, genre: c.genre, split: split.get(c.id) ?? 'unused' })));
  if (every > 0) saveCheckpoint(path.join(outDir, 'checkpoints', 'epoch-0000'), model, { epoch: 0, seed });

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
    let lossSum = 0, correct = 0, seen = 0;
    for (let b = 0; b < ws.length; b += batchSize) {
      const batch = ws.slice(b, b + batchSize);
      if (batch.length < 2) continue;
      const x = windowsTensor(batch, cfg);
      const y = labelsOf(batch, cfg.nClasses);
      let kept: tf.Tensor2D | null = null;
      const loss = optimizer.minimize(() => {
        const { logits } = model.forward(x, { training: true });
        kept = tf.keep(logits);
        return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
      }, true)!;
      lossSum += loss.dataSync()[0] * batch.length;
      const la = lossAndAccuracy((kept as unknown as tf.Tensor2D).dataSync() as Float32Array, batch.map((w) => w.label), cfg.nClasses);
      correct += la.acc * batch.length;
      seen += batch.length;
      tf.dispose([x, y, loss, kept as unknown as tf.Tensor2D]);
    }
    let valLoss: number | null = null;
    let valAcc: number | null = null;
    if (val.length) {
      const { logits, clipOf } = windowLogits(model, val);
      const la = lossAndAccuracy(logits, Array.from(clipOf, (ci) => val[ci].label), cfg.nClasses);
      valLoss = la.loss;
      valAcc = la.acc;
    }
    const row: EpochRow = {
      epoch, train_loss: lossSum / seen, train_acc: correct / seen, val_loss: valLoss, val_acc: valAcc,
      seconds: (performance.now() - t0) / 1000,
    };
    history.push(row);
    opts.onEpoch?.(row);
    bar.tick();
    // Epoch wall times are not a function of the inputs: they reach provenance.json through onEpoch, not this table.
    writeTsv(path.join(outDir, 'metrics.tsv'), ['epoch', 'train_loss', 'train_acc', 'val_loss', 'val_acc'],
      history.map(({ seconds: _s, ...h }) => h), {
        train_loss: { Description: 'mean softmax cross-entropy over augmented training windows', Units: 'nats' },
        train_acc: { Description: 'fraction of training windows classified correctly during the epoch' },
        val_loss: { Description: 'mean cross-entropy over tiling windows of validation clips (eval mode)', Units: 'nats' },
        val_acc: { Description: 'window-level validation accuracy' },
      });
    const monitored = valLoss ?? row.train_loss;
    if (monitored < best) {
      best = monitored;
      bestEpoch = epoch;
      bestSnap = snapshot(model);
      sinceBest = 0;
      saveCheckpoint(path.join(outDir, 'best'), model, { epoch, seed, monitored: valLoss === null ? 'train_loss' : 'val_loss', value: monitored });
    } else {
      sinceBest++;
    }
    if (every > 0 && epoch % every === 0) saveCheckpoint(path.join(outDir, 'checkpoints', `epoch-${String(epoch).padStart(4, '0')}`), model, { epoch, seed });
    if (sinceBest >= patience) {
      notice(`early stop at epoch ${epoch}: no lower ${valLoss === null ? 'train' : 'validation'} loss for ${patience} epochs (best epoch ${bestEpoch})`);
      break;
    }
  }
  bar.done();
  optimizer.dispose();
  restore(model, bestSnap);

  let evaluation: Evaluation | null = null;
  if (test.length) {
    const ev = evaluateClips(model, test, classes);
    const { logits, clipOf, ...summary } = ev;
    evaluation = summary;
    writeJsonAtomic(path.join(outDir, 'evaluation.json'), { ...summary, bestEpoch, seed });
    writeTsv(path.join(outDir, 'per-class.tsv'), ['genre', 'precision', 'recall', 'support'], summary.perClass, {
      precision: { Description: 'window-level precision on the test split' },
      recall: { Description: 'window-level recall on the test split' },
      support: { Description: 'number of test windows of this genre' },
    });
    writeConfusion(path.join(outDir, 'confusion.tsv'), classes, summary.confusion);
    writeConfusion(path.join(outDir, 'confusion-clips.tsv'), classes, summary.clipConfusion);
    writeNpy(path.join(outDir, 'test-logits.npy'), logits, [clipOf.length, classes.length]);
    writeNpy(path.join(outDir, 'test-window-clip.npy'), clipOf, [clipOf.length]);
  }
  return { model, bestEpoch, history, evaluation, split, classes };
}

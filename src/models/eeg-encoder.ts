/**
 * The PredANN-style EEG encoder: a 2-D CNN over channels × time (EEG window
 * as a one-plane image), with batch norm and ReLU after every convolution,
 * max-pooling along time only (channels keep their spatial identity), global
 * average pooling, dropout, and two heads: a song-classification head and a
 * projection head whose output is pulled towards the frozen ANN representation
 * by the InfoNCE term of the PredANN loss (predann-loss.ts).
 *
 * The default is deliberately small (4-8-16 filters, 3×5 kernels, time
 * pooling by 4) so one training run on the mini-study takes about a minute on
 * two cores under tfjs-wasm; PredANN's own network uses 32-64-128 filters
 * without pooling (set `filters`, `kernel` and `poolTime: 1` to match; it is
 * about 50× slower here, see scripts/bench/eeg-encoder.ts).
 */
import { tf } from './backend.js';
import { batchNormTrain } from './batchnorm.js';
import { predannLoss } from './predann-loss.js';
import { Rng } from '../core/prng.js';
import { InputError } from '../core/errors.js';
import { eegEncoderConfigSchema, type EegEncoderConfig } from './eeg-encoder-config.js';

export { eegEncoderConfigSchema, type EegEncoderConfig };

export interface EncoderShape {
  nCh: number;
  nT: number;
  nClasses: number;
  /** Dimension of the ANN target vector. */
  targetDim: number;
}

const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;

/** The network's variables and forward pass. Dispose with `dispose()`. */
export class EegEncoder {
  readonly config: EegEncoderConfig;
  readonly shape: EncoderShape;
  private readonly params = new Map<string, tf.Variable>();
  private readonly state = new Map<string, tf.Variable>();

  constructor(config: EegEncoderConfig, shape: EncoderShape, rng: Rng) {
    this.config = config;
    this.shape = shape;
    const [kc, kt] = config.kernel;
    let cin = 1;
    config.filters.forEach((cout, l) => {
      // He initialisation for ReLU layers.
      const std = Math.sqrt(2 / (kc * kt * cin));
      this.params.set(`conv${l}`, tf.variable(tf.tensor4d(rng.fork(`conv${l}`).normals(kc * kt * cin * cout, 0, std), [kc, kt, cin, cout]), true));
      this.params.set(`bn${l}/gamma`, tf.variable(tf.ones([cout]), true));
      this.params.set(`bn${l}/beta`, tf.variable(tf.zeros([cout]), true));
      this.state.set(`bn${l}/mean`, tf.variable(tf.zeros([cout]), false));
      this.state.set(`bn${l}/variance`, tf.variable(tf.ones([cout]), false));
      cin = cout;
    });
    this.dense('cls', cin, shape.nClasses, rng);
    this.dense('proj1', cin, config.projectionHidden, rng);
    this.dense('proj2', config.projectionHidden, shape.targetDim, rng);
  }

  private dense(name: string, fin: number, fout: number, rng: Rng): void {
    const bound = 1 / Math.sqrt(fin);
    const r = rng.fork(name);
    const w = Float32Array.from({ length: fin * fout }, () => r.range(-bound, bound));
    const b = Float32Array.from({ length: fout }, () => r.range(-bound, bound));
    this.params.set(`${name}/w`, tf.variable(tf.tensor2d(w, [fin, fout]), true));
    this.params.set(`${name}/b`, tf.variable(tf.tensor1d(b), true));
  }

  private v(name: string): tf.Variable {
    const x = this.params.get(name) ?? this.state.get(name);
    if (!x) throw new Error(`no parameter ${name}`);
    return x;
  }

  /** Trainable variables (for the optimizer). */
  trainable(): tf.Variable[] {
    return [...this.params.values()];
  }

  /**
   * Forward pass on x [N, nCh, nT, 1]. `dropMask` ([N, F] of 0 or 1/(1−p))
   * applies dropout in training. Returns class logits [N, K] and projection [N, D].
   */
  forward(x: tf.Tensor4D, training: boolean, dropMask?: tf.Tensor2D): { logits: tf.Tensor2D; projection: tf.Tensor2D } {
    let h = x;
    this.config.filters.forEach((_, l) => {
      h = tf.conv2d(h, this.v(`conv${l}`) as tf.Tensor4D, 1, 'same');
      const g = this.v(`bn${l}/gamma`) as tf.Tensor1D;
      const b = this.v(`bn${l}/beta`) as tf.Tensor1D;
      const rm = this.v(`bn${l}/mean`);
      const rv = this.v(`bn${l}/variance`);
      if (training) {
        const n = h.shape[0] * h.shape[1] * h.shape[2];
        h = batchNormTrain(h, g, b, BN_EPS, (mean, variance) => {
          tf.tidy(() => {
            rm.assign(tf.add(tf.mul(rm, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
            rv.assign(tf.add(tf.mul(rv, 1 - BN_MOMENTUM), tf.mul(variance, BN_MOMENTUM * (n > 1 ? n / (n - 1) : 1))));
          });
        });
      } else {
        h = tf.batchNorm4d(h, rm as tf.Tensor1D, rv as tf.Tensor1D, b, g, BN_EPS);
      }
      h = tf.relu(h);
      if (this.config.poolTime > 1 && h.shape[2] >= this.config.poolTime) h = tf.maxPool(h, [1, this.config.poolTime], [1, this.config.poolTime], 'valid');
    });
    let f = tf.mean(h, [1, 2]) as tf.Tensor2D;
    if (training && dropMask) f = tf.mul(f, dropMask);
    const lin = (x2: tf.Tensor2D, name: string): tf.Tensor2D => tf.add(tf.matMul(x2, this.v(`${name}/w`) as tf.Tensor2D), this.v(`${name}/b`)) as tf.Tensor2D;
    const logits = lin(f, 'cls');
    const projection = lin(tf.relu(lin(f, 'proj1')), 'proj2');
    return { logits, projection };
  }

  /** Width of the pooled feature vector (the dropout mask's second dimension). */
  featureWidth(): number {
    return this.config.filters[this.config.filters.length - 1];
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    for (const v of this.state.values()) v.dispose();
  }
}

export interface EncoderTrainingSet {
  /** nWin × nCh × nT windows, row-major float32. */
  x: Float32Array;
  /** Class label of each window, 0..nClasses−1. */
  labels: Int32Array;
  /** nWin × targetDim ANN target vectors. */
  targets: Float32Array;
}

export interface EncoderHistoryRow {
  epoch: number;
  loss: number;
  ce: number;
  nce: number;
  train_acc: number;
  seconds: number;
}

export interface TrainedEncoder {
  model: EegEncoder;
  history: EncoderHistoryRow[];
  /** Windows processed per second of training (forward + backward + update). */
  windowsPerSecond: number;
}

/** Train an encoder on `set` (shape given); deterministic for a given seed and backend. Returns the model and per-epoch history. */
export function trainEegEncoder(set: EncoderTrainingSet, shape: EncoderShape, config: EegEncoderConfig, seed: number, onEpoch?: (r: EncoderHistoryRow) => void): TrainedEncoder {
  const n = set.labels.length;
  const per = shape.nCh * shape.nT;
  if (set.x.length !== n * per) throw new InputError('eeg-encoder', `expected ${n}×${shape.nCh}×${shape.nT} window values, got ${set.x.length}`);
  if (set.targets.length !== n * shape.targetDim) throw new InputError('eeg-encoder', `expected ${n}×${shape.targetDim} target values, got ${set.targets.length}`);
  const rng = new Rng(seed, 'eeg-encoder');
  const model = new EegEncoder(config, shape, rng.fork('init'));
  const opt = tf.train.adam(config.lr);
  const order = rng.fork('order');
  const drop = rng.fork('dropout');
  const history: EncoderHistoryRow[] = [];
  const fw = model.featureWidth();
  const bs = Math.min(config.batchSize, n);
  let seen = 0;
  let busy = 0;
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const t0 = process.hrtime.bigint();
    const perm = order.permutation(n);
    let sumLoss = 0, sumCe = 0, sumNce = 0, correct = 0, count = 0;
    // Full batches only (batch norm and InfoNCE need more than one window per batch).
    for (let b0 = 0; b0 + bs <= n; b0 += bs) {
      const idx = perm.subarray(b0, b0 + bs);
      const xb = new Float32Array(bs * per);
      const yb = new Int32Array(bs);
      const tb = new Float32Array(bs * shape.targetDim);
      idx.forEach((w, i) => {
        xb.set(set.x.subarray(w * per, (w + 1) * per), i * per);
        yb[i] = set.labels[w];
        tb.set(set.targets.subarray(w * shape.targetDim, (w + 1) * shape.targetDim), i * shape.targetDim);
      });
      const keep = 1 - config.dropout;
      const mask = Float32Array.from({ length: bs * fw }, () => (drop.uniform() < keep ? 1 / keep : 0));
      const x = tf.tensor4d(xb, [bs, shape.nCh, shape.nT, 1]);
      const y = tf.tensor1d(yb, 'int32');
      const tt = tf.tensor2d(tb, [bs, shape.targetDim]);
      const dm = tf.tensor2d(mask, [bs, fw]);
      let parts: [number, number, number] = [0, 0, 0];
      let logitsData: Float32Array | null = null;
      const loss = opt.minimize(() => {
        const out = model.forward(x, true, dm);
        const l = predannLoss(out.logits, y, out.projection, tt, config.lambda, config.temperature);
        let total = l.total;
        if (config.weightDecay > 0) {
          const ws = model.trainable().filter((v) => v.name.includes('conv') || v.name.includes('/w'));
          total = tf.add(total, tf.mul(config.weightDecay, tf.addN(ws.map((w) => tf.sum(tf.square(w)))))) as tf.Scalar;
        }
        parts = [0, l.ce.dataSync()[0], l.nce.dataSync()[0]];
        logitsData = out.logits.dataSync() as Float32Array;
        return total;
      }, true, model.trainable());
      parts[0] = loss ? loss.dataSync()[0] : NaN;
      tf.dispose([x, y, tt, dm, loss as tf.Scalar]);
      sumLoss += parts[0] * bs; sumCe += parts[1] * bs; sumNce += parts[2] * bs; count += bs;
      const ld = logitsData as Float32Array | null;
      if (ld) for (let i = 0; i < bs; i++) if (argmax(ld, i, shape.nClasses) === yb[i]) correct++;
    }
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    seen += count;
    busy += secs;
    const row = { epoch, loss: sumLoss / count, ce: sumCe / count, nce: sumNce / count, train_acc: correct / count, seconds: secs };
    history.push(row);
    onEpoch?.(row);
  }
  opt.dispose();
  return { model, history, windowsPerSecond: seen / Math.max(busy, 1e-9) };
}

function argmax(a: Float32Array, row: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (a[row * k + j] > a[row * k + best]) best = j;
  return best;
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

/**
 * The PredANN EEG encoder: a 2-D CNN over channels × time (the EEG window as
 * a one-plane image), conv → batch norm → ReLU per layer with optional
 * max-pooling along time only (channels keep their spatial identity),
 * dropout on the last feature map, global average pooling, and two heads
 * (Dense → ReLU → Dense): song logits and the embedding that InfoNCE pulls
 * towards the ANN side (predann-loss.ts).
 *
 * PredANN's network is 32-64-128 filters of 3×3 without pooling (the
 * default). It costs about 50× the small 4-8-16 / 3×5 / pool-4 network on
 * tfjs-wasm (scripts/bench/eeg-encoder.ts); the mini-study config uses a
 * pooled variant to fit its time budget (docs/eeg-identification.md).
 */
import { tf } from './backend.js';
import { batchNormReluPool } from './batchnorm.js';
import { featureDropout, VariableStore } from './encoder-parts.js';
import type { Rng } from '../core/prng.js';
import { eegEncoderConfigSchema, type EegEncoderConfig } from './eeg-encoder-config.js';

export { eegEncoderConfigSchema, type EegEncoderConfig };

export interface EncoderShape {
  nCh: number;
  nT: number;
  nClasses: number;
  /** Dimension of the embedding compared with the ANN side. */
  targetDim: number;
}

/** Momentum of the running statistics during training (PyTorch's default). */
export const BN_MOMENTUM = 0.1;

export interface EncoderOutput {
  logits: tf.Tensor2D;
  embedding: tf.Tensor2D;
}

/** A network with PredANN's two outputs and batch-norm state (the EEG or the audio encoder). */
export interface PredannNetwork {
  readonly vars: VariableStore;
  forward(x: tf.Tensor4D, training: boolean, dropSeed?: number, bnMomentum?: number): EncoderOutput;
}

/** The EEG network's variables and forward pass. Dispose with `dispose()`. */
export class EegEncoder implements PredannNetwork {
  readonly config: EegEncoderConfig;
  readonly shape: EncoderShape;
  readonly vars = new VariableStore();

  constructor(config: EegEncoderConfig, shape: EncoderShape, rng: Rng) {
    this.config = config;
    this.shape = shape;
    const [kc, kt] = config.kernel;
    let cin = 1;
    config.filters.forEach((cout, l) => {
      this.vars.conv(`conv${l}`, [kc, kt, cin, cout], rng);
      this.vars.batchNorm(`bn${l}`, cout);
      cin = cout;
    });
    this.vars.addHead('cls', cin, config.projectionHidden, shape.nClasses, rng);
    this.vars.addHead('proj', cin, config.projectionHidden, shape.targetDim, rng);
  }

  /**
   * Forward pass on x [N, nCh, nT, 1]. `dropSeed` switches dropout on (training);
   * in training mode the running statistics move towards the batch
   * statistics by `bnMomentum` (0 leaves them untouched).
   */
  forward(x: tf.Tensor4D, training: boolean, dropSeed?: number, bnMomentum = BN_MOMENTUM): EncoderOutput {
    let h = x;
    this.config.filters.forEach((_, l) => {
      h = tf.conv2d(h, this.vars.get(`conv${l}`) as tf.Tensor4D, 1, 'same');
      const pool = h.shape[2] >= this.config.poolTime ? this.config.poolTime : 1;
      h = batchNormReluPool(h, this.vars.bn(`bn${l}`), training, bnMomentum, pool);
    });
    h = featureDropout(h, this.config.dropout, training ? dropSeed : undefined);
    const f = tf.mean(h, [1, 2]) as tf.Tensor2D;
    return { logits: this.vars.head(f, 'cls'), embedding: this.vars.head(f, 'proj') };
  }

  dispose(): void {
    this.vars.dispose();
  }
}

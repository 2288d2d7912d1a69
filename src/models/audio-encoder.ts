/**
 * PredANN's audio branch: a 1-D CNN on the waveform (after SampleCNN, which
 * PredANN trains on raw 22 kHz audio) with a song-classification head and a
 * projection head whose embedding is the InfoNCE target of the EEG encoder.
 * It learns jointly with the EEG encoder from its own cross-entropy; the
 * InfoNCE term reaches it only through a stop-gradient (predann-train.ts).
 *
 * Layout: the waveform [N, L] is a [N, 1, L, 1] image; a stride-3 convolution
 * of width 3 comes first, then per block conv(1×3) → BN → ReLU → max-pool 3.
 * At 2205 Hz a 3 s window of 6615 samples ends at 9 time steps after five
 * blocks, then dropout, global average pooling and the heads.
 */
import { tf } from './backend.js';
import { batchNormReluPool } from './batchnorm.js';
import { featureDropout, VariableStore } from './encoder-parts.js';
import type { Rng } from '../core/prng.js';
import type { AudioEncoderConfig } from './audio-encoder-config.js';
import { BN_MOMENTUM, type EncoderOutput, type PredannNetwork } from './eeg-encoder.js';

export class AudioEncoder implements PredannNetwork {
  readonly config: AudioEncoderConfig;
  readonly vars = new VariableStore();

  constructor(config: AudioEncoderConfig, nClasses: number, hidden: number, embeddingDim: number, rng: Rng) {
    this.config = config;
    let cin = 1;
    config.filters.forEach((cout, l) => {
      this.vars.conv(`conv${l}`, [1, 3, cin, cout], rng);
      this.vars.batchNorm(`bn${l}`, cout);
      cin = cout;
    });
    this.vars.addHead('cls', cin, hidden, nClasses, rng);
    this.vars.addHead('proj', cin, hidden, embeddingDim, rng);
  }

  /** Forward pass on waveforms x [N, 1, L, 1]; arguments as EegEncoder.forward. */
  forward(x: tf.Tensor4D, training: boolean, dropSeed?: number, bnMomentum = BN_MOMENTUM): EncoderOutput {
    let h = x;
    this.config.filters.forEach((_, l) => {
      const front = l === 0;
      h = tf.conv2d(h, this.vars.get(`conv${l}`) as tf.Tensor4D, front ? [1, 3] : 1, front ? 'valid' : 'same');
      h = batchNormReluPool(h, this.vars.bn(`bn${l}`), training, bnMomentum, !front && h.shape[2] >= 3 ? 3 : 1);
    });
    h = featureDropout(h, this.config.dropout, training ? dropSeed : undefined);
    const f = tf.mean(h, [1, 2]) as tf.Tensor2D;
    return { logits: this.vars.head(f, 'cls'), embedding: this.vars.head(f, 'proj') };
  }

  dispose(): void {
    this.vars.dispose();
  }
}

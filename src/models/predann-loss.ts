/**
 * The PredANN training loss (Akama et al.): song cross-entropy on the EEG
 * classification head plus λ times a symmetric InfoNCE (CLIP) loss between
 * the EEG projection head and the frozen ANN representation of the same
 * audio window:
 *
 *   CE      = −(1/N) Σ_i log softmax(ℓ_i)[y_i]
 *   s_ij    = cos(e_i, a_j) / τ
 *   InfoNCE = (1/2N) Σ_i [ −log softmax_j(s_i·)[i] − log softmax_j(s_·i)[i] ]
 *   L       = CE + λ · InfoNCE
 *
 * a_j is under stop-gradient: the ANN is frozen and only the EEG side learns
 * to predict it. Here that holds by construction, because the targets enter
 * as constant tensors computed beforehand (tfjs has no stopGradient op, and
 * none is needed: no trainable variable lies upstream of them). λ = 0 gives
 * the no-ANN baseline.
 *
 * Duplicate targets: with several listeners, two windows of one batch can
 * carry the same song at the same song time, hence the same ANN target.
 * Counting such a pair as a negative would push the EEG embedding away from
 * its own (identical) target, so those off-diagonal entries are removed from
 * both softmax denominators (an additive −∞ mask, here −1e9).
 */
import { tf } from './backend.js';

export interface PredannLossParts {
  total: tf.Scalar;
  ce: tf.Scalar;
  nce: tf.Scalar;
}

/** Mean cross-entropy of logits [N, K] against integer labels [N] (nats). */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const k = logits.shape[1];
  const oneHot = tf.oneHot(tf.cast(labels, 'int32'), k);
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

const MASKED = -1e9;

/**
 * Additive N×N mask from one target key per window (e.g. song × song-time):
 * −1e9 where i ≠ j share a key (a duplicate of the positive, not a
 * negative), 0 elsewhere. Null when no two windows share a key.
 */
export function duplicateTargetMask(keys: ArrayLike<string | number>): Float32Array | null {
  const n = keys.length;
  const out = new Float32Array(n * n);
  let any = false;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      if (i !== j && keys[i] === keys[j]) {
        out[i * n + j] = MASKED;
        any = true;
      }
  return any ? out : null;
}

/**
 * Symmetric InfoNCE between EEG embeddings e [N, D] and ANN targets a [N, D]
 * (row i of each is the same window), temperature τ, with an optional
 * additive mask [N, N] (duplicateTargetMask) on the similarities (nats).
 */
export function symmetricInfoNce(e: tf.Tensor2D, a: tf.Tensor2D, temperature: number, mask?: tf.Tensor2D): tf.Scalar {
  const n = e.shape[0];
  const unit = (x: tf.Tensor2D): tf.Tensor2D => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-8)) as tf.Tensor2D;
  const ze = unit(e);
  const za = unit(a);
  const raw = tf.div(tf.matMul(ze, za, false, true), temperature) as tf.Tensor2D;
  const s = mask ? (tf.add(raw, mask) as tf.Tensor2D) : raw;
  const diag = tf.oneHot(tf.range(0, n, 1, 'int32'), n);
  const rowLoss = tf.neg(tf.sum(tf.mul(diag, tf.logSoftmax(s)), 1));
  // Column-wise softmax = row softmax of the transpose (transpose explicitly: the wasm transposed-matMul path is slow).
  const colLoss = tf.neg(tf.sum(tf.mul(diag, tf.logSoftmax(tf.transpose(s))), 1));
  return tf.div(tf.add(tf.sum(rowLoss), tf.sum(colLoss)), 2 * n) as tf.Scalar;
}

/**
 * Identity forward, zero gradient backward: PredANN's `z_audio.detach()`, so
 * the InfoNCE term trains the EEG side only while the audio network learns
 * from its own cross-entropy (tfjs has no stopGradient op).
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const v = args[0] as T;
    return { value: tf.clone(v), gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy)] };
  });
  return f(x) as T;
}

/** L = CE + λ·InfoNCE with its parts (nats). */
export function predannLoss(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  eegEmbedding: tf.Tensor2D,
  annTarget: tf.Tensor2D,
  lambda: number,
  temperature: number,
  mask?: tf.Tensor2D,
): PredannLossParts {
  const ce = crossEntropy(logits, labels);
  const nce = lambda > 0 ? symmetricInfoNce(eegEmbedding, annTarget, temperature, mask) : tf.scalar(0);
  return { total: tf.add(ce, tf.mul(nce, lambda)) as tf.Scalar, ce, nce };
}

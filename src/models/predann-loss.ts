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

/**
 * Symmetric InfoNCE between EEG embeddings e [N, D] and ANN targets a [N, D]
 * (row i of each is the same window), temperature τ (nats).
 */
export function symmetricInfoNce(e: tf.Tensor2D, a: tf.Tensor2D, temperature: number): tf.Scalar {
  const n = e.shape[0];
  const unit = (x: tf.Tensor2D): tf.Tensor2D => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-8)) as tf.Tensor2D;
  const ze = unit(e);
  const za = unit(a);
  const s = tf.div(tf.matMul(ze, za, false, true), temperature) as tf.Tensor2D;
  const diag = tf.oneHot(tf.range(0, n, 1, 'int32'), n);
  const rowLoss = tf.neg(tf.sum(tf.mul(diag, tf.logSoftmax(s)), 1));
  // Column-wise softmax = row softmax of the transpose (transpose explicitly: the wasm transposed-matMul path is slow).
  const colLoss = tf.neg(tf.sum(tf.mul(diag, tf.logSoftmax(tf.transpose(s))), 1));
  return tf.div(tf.add(tf.sum(rowLoss), tf.sum(colLoss)), 2 * n) as tf.Scalar;
}

/** L = CE + λ·InfoNCE with its parts (nats). */
export function predannLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, eegEmbedding: tf.Tensor2D, annTarget: tf.Tensor2D, lambda: number, temperature: number): PredannLossParts {
  const ce = crossEntropy(logits, labels);
  const nce = lambda > 0 ? symmetricInfoNce(eegEmbedding, annTarget, temperature) : tf.scalar(0);
  return { total: tf.add(ce, tf.mul(nce, lambda)) as tf.Scalar, ce, nce };
}

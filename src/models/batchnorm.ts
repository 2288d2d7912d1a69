/**
 * Training-mode batch normalisation over N, H, W of an NHWC tensor with a
 * closed-form backward pass. tfjs's own route (moments + FusedBatchNorm
 * gradients) tiles the statistics to the full tensor size and was a large
 * share of BAN training time on wasm; this uses two reductions and five
 * elementwise ops each way. Where the backend has brainalign's fused kernels
 * (wasm with the native addon, src/models/kernels/batchnorm.ts), forward and
 * backward are one kernel each instead.
 */
import { tf } from './backend.js';
import { BN_RELU_POOL_GRAD_KERNEL, BN_RELU_POOL_KERNEL, BN_TRAIN_GRAD_KERNEL, BN_TRAIN_KERNEL } from './kernels/names.js';

/**
 * y = γ·(x − μ)/√(σ² + ε) + β with μ, σ² the biased batch mean and variance
 * per channel. Differentiable in x, γ and β. `onStats` receives μ and σ²
 * (biased) for running-average updates; they are disposed with the caller's
 * tidy scope. Returns y with x's shape.
 */
export function batchNormTrain(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps: number,
  onStats?: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
): tf.Tensor4D {
  const route = tf.getKernel(BN_TRAIN_KERNEL, tf.getBackend()) ? fusedKernels(eps) : closedForm(eps, x.shape[0] * x.shape[1] * x.shape[2]);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xx, g, b] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    const { y, mean, variance, saved } = route.forward(xx, g, b);
    onStats?.(mean, variance);
    save(saved);
    return { value: y, gradFunc: (dy: tf.Tensor, s: tf.Tensor[]) => route.backward(dy, s) };
  });
  return f(x, gamma, beta) as tf.Tensor4D;
}

/** One way of computing training-mode batch norm: the forward pass keeps what its backward pass (→ [dx, dγ, dβ]) needs. */
interface BatchNormRoute {
  forward(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): { y: tf.Tensor4D; mean: tf.Tensor1D; variance: tf.Tensor1D; saved: tf.Tensor[] };
  backward(dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[];
}

/** tfjs ops over the n = N·H·W values per channel, backward in closed form: dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)). */
function closedForm(eps: number, n: number): BatchNormRoute {
  return {
    forward(x, gamma, beta) {
      const mean = tf.mean(x, [0, 1, 2]) as tf.Tensor1D;
      const xc = tf.sub(x, mean);
      const variance = tf.mean(tf.square(xc), [0, 1, 2]) as tf.Tensor1D;
      const invStd = tf.rsqrt(tf.add(variance, eps));
      const xhat = tf.mul(xc, invStd);
      return { y: tf.add(tf.mul(xhat, gamma), beta) as tf.Tensor4D, mean, variance, saved: [xhat, invStd, gamma] };
    },
    backward(dy, [xhat, invStd, gamma]) {
      const dbeta = tf.sum(dy, [0, 1, 2]);
      const dgamma = tf.sum(tf.mul(dy, xhat), [0, 1, 2]);
      const inner = tf.sub(tf.sub(dy, tf.div(dbeta, n)), tf.mul(xhat, tf.div(dgamma, n)));
      return [tf.mul(inner, tf.mul(gamma, invStd)), dgamma, dbeta];
    },
  };
}

/** The backend's fused kernels, one each way. */
function fusedKernels(eps: number): BatchNormRoute {
  return {
    forward(x, gamma, beta) {
      const [y, mean, variance] = tf.engine().runKernel(BN_TRAIN_KERNEL, { x, gamma, beta }, { eps }) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
      return { y, mean, variance, saved: [x, mean, variance, gamma] };
    },
    backward(dy, [x, mean, variance, gamma]) {
      return tf.engine().runKernel(BN_TRAIN_GRAD_KERNEL, { dy, x, mean, variance, gamma }, { eps }) as tf.Tensor[];
    },
  };
}

/** One batch-norm layer's trainable scale/shift and its running statistics. */
export interface BatchNormVars {
  gamma: tf.Variable;
  beta: tf.Variable;
  mean: tf.Variable;
  variance: tf.Variable;
}

/**
 * Batch norm of an NHWC tensor: in training mode with batch statistics,
 * moving the running statistics towards them by `momentum` (running
 * variance unbiased, as PyTorch); otherwise with the running statistics.
 */
export function batchNormLayer(h: tf.Tensor4D, v: BatchNormVars, training: boolean, momentum: number, eps = 1e-5): tf.Tensor4D {
  if (!training) return tf.batchNorm4d(h, v.mean as tf.Tensor1D, v.variance as tf.Tensor1D, v.beta as tf.Tensor1D, v.gamma as tf.Tensor1D, eps);
  return batchNormTrain(h, v.gamma as tf.Tensor1D, v.beta as tf.Tensor1D, eps, runningUpdate(v, momentum, h.shape[0] * h.shape[1] * h.shape[2]));
}

/**
 * Running statistics as in PyTorch: momentum-weighted, unbiased variance over
 * n values per channel (momentum 0 leaves them untouched). assign() is not
 * taped, so the update does not enter the gradient.
 */
function runningUpdate(v: BatchNormVars, momentum: number, n: number): (mean: tf.Tensor1D, variance: tf.Tensor1D) => void {
  return (mean, variance) => {
    if (momentum === 0) return;
    tf.tidy(() => {
      v.mean.assign(tf.add(tf.mul(v.mean, 1 - momentum), tf.mul(mean, momentum)));
      v.variance.assign(tf.add(tf.mul(v.variance, 1 - momentum), tf.mul(variance, momentum * (n > 1 ? n / (n - 1) : 1))));
    });
  };
}

/**
 * A layer's tail: batch norm (as batchNormLayer) → ReLU → max-pool of 1×pool
 * windows along the width, stride pool, 'valid' (pool 1: no pooling). In
 * training on a backend with brainalign's fused kernel this is one kernel
 * each way (kernels/bn-relu-pool.ts); otherwise the three tfjs ops, which
 * give the same values and gradients to float rounding (tested).
 */
export function batchNormReluPool(h: tf.Tensor4D, v: BatchNormVars, training: boolean, momentum: number, pool = 1, eps = 1e-5): tf.Tensor4D {
  if (training && tf.getKernel(BN_RELU_POOL_KERNEL, tf.getBackend())) return fusedTail(h, v, momentum, pool, eps);
  const y = tf.relu(batchNormLayer(h, v, training, momentum, eps));
  return pool > 1 ? tf.maxPool(y, [1, pool], [1, pool], 'valid') : y;
}

function fusedTail(h: tf.Tensor4D, v: BatchNormVars, momentum: number, pool: number, eps: number): tf.Tensor4D {
  const onStats = runningUpdate(v, momentum, h.shape[0] * h.shape[1] * h.shape[2]);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, gamma, beta] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    const [y, mean, variance] = tf.engine().runKernel(BN_RELU_POOL_KERNEL, { x, gamma, beta }, { eps, pool }) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    onStats(mean, variance);
    save([x, gamma, beta, mean, variance]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [sx, sg, sb, sm, sv]: tf.Tensor[]) =>
        tf.engine().runKernel(BN_RELU_POOL_GRAD_KERNEL, { dy, x: sx, gamma: sg, beta: sb, mean: sm, variance: sv }, { eps, pool }) as tf.Tensor[],
    };
  });
  return f(h, v.gamma, v.beta) as tf.Tensor4D;
}

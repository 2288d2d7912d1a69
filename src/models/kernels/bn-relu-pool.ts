/**
 * Batch norm → ReLU → 1×k max-pool along the width as one kernel each way
 * (native/linalg/nn_bnrelu.c), for the wasm backend:
 *   BrainalignBatchNormReluPool     {x, gamma, beta}, {eps, pool} → [y, mean, variance]
 *   BrainalignBatchNormReluPoolGrad {dy, x, gamma, beta, mean, variance}, {eps, pool} → [dx, dgamma, dbeta]
 * x is NHWC; y is [N, H, ⌊W/pool⌋, C] (pool 1: no pooling). The gradient
 * recomputes each window's winner from x, so nothing but the statistics is
 * kept between the two.
 */
import type * as tf from '@tensorflow/tfjs';
import type { NativeTrainingKernels } from '../../linalg/index.js';
import { BN_RELU_POOL_GRAD_KERNEL, BN_RELU_POOL_KERNEL } from './names.js';
import { f32Input, f32Output, wasmBackend } from './wasm-heap.js';

interface Attrs {
  eps: number;
  pool: number;
}

function geometry(x: tf.TensorInfo, pool: number): Int32Array {
  const [n, h, w, c] = x.shape;
  return Int32Array.from([n * h, w, c, pool]);
}

export function bnReluPoolKernels(nn: NativeTrainingKernels, threads: number): tf.KernelConfig[] {
  const forward: tf.KernelFunc = (args) => {
    const backend = wasmBackend(args.backend);
    const { x, gamma, beta } = args.inputs as Record<'x' | 'gamma' | 'beta', tf.TensorInfo>;
    const { eps, pool } = args.attrs as unknown as Attrs;
    const [n, h, w, c] = x.shape;
    const y = f32Output(backend, [n, h, Math.floor(w / pool), c]);
    const mean = f32Output(backend, [c]);
    const variance = f32Output(backend, [c]);
    const view = (t: tf.TensorInfo, name: string): Float32Array => f32Input(backend, t, BN_RELU_POOL_KERNEL, name);
    nn.bnReluPoolForward(view(x, 'x'), view(gamma, 'gamma'), view(beta, 'beta'), y.view(), mean.view(), variance.view(), geometry(x, pool), eps, threads);
    return [y.info, mean.info, variance.info];
  };
  const backward: tf.KernelFunc = (args) => {
    const backend = wasmBackend(args.backend);
    const { dy, x, gamma, beta, mean, variance } = args.inputs as Record<'dy' | 'x' | 'gamma' | 'beta' | 'mean' | 'variance', tf.TensorInfo>;
    const { eps, pool } = args.attrs as unknown as Attrs;
    const c = x.shape[3];
    const dx = f32Output(backend, [...x.shape]);
    const dgamma = f32Output(backend, [c]);
    const dbeta = f32Output(backend, [c]);
    const view = (t: tf.TensorInfo, name: string): Float32Array => f32Input(backend, t, BN_RELU_POOL_GRAD_KERNEL, name);
    nn.bnReluPoolBackward(
      view(dy, 'dy'),
      view(x, 'x'),
      view(gamma, 'gamma'),
      view(beta, 'beta'),
      view(mean, 'mean'),
      view(variance, 'variance'),
      dx.view(),
      dgamma.view(),
      dbeta.view(),
      geometry(x, pool),
      eps,
      threads,
    );
    return [dx.info, dgamma.info, dbeta.info];
  };
  return [
    { kernelName: BN_RELU_POOL_KERNEL, backendName: 'wasm', kernelFunc: forward },
    { kernelName: BN_RELU_POOL_GRAD_KERNEL, backendName: 'wasm', kernelFunc: backward },
  ];
}

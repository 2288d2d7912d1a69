/**
 * Fused training-mode batch norm for the wasm backend (native/linalg/nn_batchnorm.c):
 *   BrainalignBatchNormTrain     {x, gamma, beta}, {eps} → [y, mean, variance]
 *   BrainalignBatchNormTrainGrad {dy, x, mean, variance, gamma}, {eps} → [dx, dgamma, dbeta]
 * x is NHWC with channels last; statistics are over all other axes, the
 * variance biased. Two passes over the tensor each way instead of ~18
 * elementwise wasm kernels.
 */
import type * as tf from '@tensorflow/tfjs';
import type { NativeTrainingKernels } from '../../linalg/index.js';
import { BN_TRAIN_GRAD_KERNEL, BN_TRAIN_KERNEL } from './names.js';
import { f32Input, f32Output, wasmBackend } from './wasm-heap.js';

export function batchNormKernels(nn: NativeTrainingKernels, threads: number): tf.KernelConfig[] {
  const forward: tf.KernelFunc = (args) => {
    const backend = wasmBackend(args.backend);
    const { x, gamma, beta } = args.inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo };
    const { eps } = args.attrs as unknown as { eps: number };
    const c = x.shape[x.shape.length - 1];
    const rows = x.shape.reduce((p, v) => p * v, 1) / c;
    const y = f32Output(backend, [...x.shape]);
    const mean = f32Output(backend, [c]);
    const variance = f32Output(backend, [c]);
    nn.bnForward(
      f32Input(backend, x, BN_TRAIN_KERNEL, 'x'),
      f32Input(backend, gamma, BN_TRAIN_KERNEL, 'gamma'),
      f32Input(backend, beta, BN_TRAIN_KERNEL, 'beta'),
      y.view(),
      mean.view(),
      variance.view(),
      rows,
      eps,
      threads,
    );
    return [y.info, mean.info, variance.info];
  };
  const backward: tf.KernelFunc = (args) => {
    const backend = wasmBackend(args.backend);
    const { dy, x, mean, variance, gamma } = args.inputs as Record<'dy' | 'x' | 'mean' | 'variance' | 'gamma', tf.TensorInfo>;
    const { eps } = args.attrs as unknown as { eps: number };
    const c = x.shape[x.shape.length - 1];
    const rows = x.shape.reduce((p, v) => p * v, 1) / c;
    const dx = f32Output(backend, [...x.shape]);
    const dgamma = f32Output(backend, [c]);
    const dbeta = f32Output(backend, [c]);
    nn.bnBackward(
      f32Input(backend, dy, BN_TRAIN_KERNEL, 'dy'),
      f32Input(backend, x, BN_TRAIN_KERNEL, 'x'),
      f32Input(backend, mean, BN_TRAIN_KERNEL, 'mean'),
      f32Input(backend, variance, BN_TRAIN_KERNEL, 'variance'),
      f32Input(backend, gamma, BN_TRAIN_KERNEL, 'gamma'),
      dx.view(),
      dgamma.view(),
      dbeta.view(),
      rows,
      eps,
      threads,
    );
    return [dx.info, dgamma.info, dbeta.info];
  };
  return [
    { kernelName: BN_TRAIN_KERNEL, backendName: 'wasm', kernelFunc: forward },
    { kernelName: BN_TRAIN_GRAD_KERNEL, backendName: 'wasm', kernelFunc: backward },
  ];
}

/**
 * Native training kernels registered into tfjs's wasm backend. Models,
 * gradients, checkpoints and the training loop are unchanged: tfjs dispatches
 * Conv2D, its two gradients, MaxPoolGrad and BatchMatMul to the OpenBLAS
 * addon instead of XNNPACK/wasm loops, Identity shares instead of copying, and src/models/batchnorm.ts finds the
 * fused batch-norm kernels of ./batchnorm.ts and ./bn-relu-pool.ts registered. The wasm kernels they replace are kept
 * and restored by uninstallNativeKernels (tests compare the two paths).
 * Must be called after the wasm backend has initialised, so that the wasm
 * kernels' one-time setup has run before they are set aside.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeTrainingKernels } from '../../linalg/index.js';
import { batchNormKernels } from './batchnorm.js';
import { convKernels } from './conv2d.js';
import { identityKernels } from './identity.js';
import { ADAM_KERNEL, BN_RELU_POOL_GRAD_KERNEL, BN_RELU_POOL_KERNEL, BN_TRAIN_GRAD_KERNEL, BN_TRAIN_KERNEL } from './names.js';
import { bnReluPoolKernels } from './bn-relu-pool.js';
import { adamKernels } from './adam.js';
import { matMulKernels } from './matmul.js';
import { poolKernels } from './pool.js';

const NAMES = [
  'Conv2D',
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'MaxPoolGrad',
  'BatchMatMul',
  'Identity',
  BN_TRAIN_KERNEL,
  BN_TRAIN_GRAD_KERNEL,
  BN_RELU_POOL_KERNEL,
  BN_RELU_POOL_GRAD_KERNEL,
  ADAM_KERNEL,
] as const;

/** The wasm kernels set aside while native ones are registered (absent ones are not in the map). */
let saved: Map<string, tf.KernelConfig> | null = null;
let installedThreads = 0;

/**
 * Register the native kernels for the wasm backend with OpenBLAS running
 * `threads` threads in them. Returns false (and changes nothing) when the
 * addon is unavailable. Re-installing with another thread count replaces the
 * previous registration.
 */
export function installNativeKernels(threads: number): boolean {
  const nn = nativeTrainingKernels();
  if (!nn) return false;
  if (saved) uninstallNativeKernels();
  const fallback = new Map<string, tf.KernelConfig>();
  for (const name of NAMES) {
    const k = tf.getKernel(name, 'wasm');
    if (k) fallback.set(name, k);
  }
  const mine = [
    ...convKernels(nn, threads, fallback),
    ...poolKernels(nn, threads, fallback),
    ...matMulKernels(nn, threads, fallback),
    ...batchNormKernels(nn, threads),
    ...bnReluPoolKernels(nn, threads),
    ...adamKernels(nn, threads),
    ...identityKernels(fallback),
  ];
  for (const k of mine) {
    if (fallback.has(k.kernelName)) tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel(k);
  }
  saved = fallback;
  installedThreads = threads;
  return true;
}

/** Restore the wasm kernels the native ones replaced. No-op when none are installed. */
export function uninstallNativeKernels(): void {
  if (!saved) return;
  for (const name of NAMES) {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    const k = saved.get(name);
    if (k) tf.registerKernel(k);
  }
  saved = null;
  installedThreads = 0;
}

/** OpenBLAS threads of the installed native kernels, 0 when the wasm kernels are in use. */
export function nativeKernelThreads(): number {
  return installedThreads;
}

/**
 * Identity for the wasm backend without a copy: the output shares the input's
 * heap buffer by reference count, as tfjs's cpu backend and wasm's own
 * Reshape do. wasm's Identity copies the whole tensor, and training calls it
 * a few hundred times per step (gradient bookkeeping, optimizer state). No
 * kernel writes into its inputs, so sharing is safe.
 */
import type * as tf from '@tensorflow/tfjs';
import { wasmBackend } from './wasm-heap.js';

export function identityKernels(fallback: Map<string, tf.KernelConfig>): tf.KernelConfig[] {
  const identity: tf.KernelFunc = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') {
      const wasm = fallback.get('Identity');
      if (!wasm) throw new Error('Identity: no wasm kernel for strings');
      return wasm.kernelFunc(args);
    }
    wasmBackend(args.backend).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
  return [{ kernelName: 'Identity', backendName: 'wasm', kernelFunc: identity }];
}

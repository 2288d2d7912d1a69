/**
 * BrainalignAdam {value, gradient, m, v}, {coef} → [value', m', v'] for the
 * wasm backend (native/linalg/nn_adam.c): one pass per variable instead of
 * tfjs's ~12 elementwise kernels, with the same float32 operations in the
 * same order. `coef` is [β1, 1−β1, β2, 1−β2, 1−β1ᵗ, 1−β2ᵗ, ε, −lr] as float32.
 */
import type * as tf from '@tensorflow/tfjs';
import type { NativeTrainingKernels } from '../../linalg/index.js';
import { ADAM_KERNEL } from './names.js';
import { f32Input, f32Output, wasmBackend } from './wasm-heap.js';

export function adamKernels(nn: NativeTrainingKernels, threads: number): tf.KernelConfig[] {
  const adam: tf.KernelFunc = (args) => {
    const backend = wasmBackend(args.backend);
    const { value, gradient, m, v } = args.inputs as Record<'value' | 'gradient' | 'm' | 'v', tf.TensorInfo>;
    const { coef } = args.attrs as unknown as { coef: number[] };
    const outs = [value, m, v].map((t) => f32Output(backend, [...t.shape]));
    const view = (t: tf.TensorInfo, name: string): Float32Array => f32Input(backend, t, ADAM_KERNEL, name);
    // Views after every allocation: makeOutput may grow the heap.
    nn.adam(
      view(value, 'value'),
      view(gradient, 'gradient'),
      view(m, 'm'),
      view(v, 'v'),
      outs[0].view(),
      outs[1].view(),
      outs[2].view(),
      Float32Array.from(coef),
      threads,
    );
    return outs.map((o) => o.info);
  };
  return [{ kernelName: ADAM_KERNEL, backendName: 'wasm', kernelFunc: adam }];
}

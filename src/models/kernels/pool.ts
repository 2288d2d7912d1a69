/**
 * MaxPoolGrad for the wasm backend by the native addon. The gradient of each
 * window goes to its first largest input in row-major order, as in tfjs's
 * cpu backend; after a ReLU whole windows are tied at 0, so the rule matters.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeTrainingKernels } from '../../linalg/index.js';
import { f32Input, f32Output, wasmBackend } from './wasm-heap.js';

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function poolKernels(nn: NativeTrainingKernels, threads: number, fallback: Map<string, tf.KernelConfig>): tf.KernelConfig[] {
  const maxPoolGrad: tf.KernelFunc = (args) => {
    const backend = wasmBackend(args.backend);
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const a = args.attrs as unknown as PoolAttrs;
    if (dy.dtype !== 'float32' || input.dtype !== 'float32') {
      const wasm = fallback.get('MaxPoolGrad');
      if (!wasm) throw new Error('MaxPoolGrad: the native kernel handles float32 only');
      return wasm.kernelFunc(args);
    }
    const p = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
    const geom = Int32Array.of(
      p.batchSize,
      p.inHeight,
      p.inWidth,
      p.inChannels,
      p.filterHeight,
      p.filterWidth,
      p.strideHeight,
      p.strideWidth,
      p.dilationHeight,
      p.dilationWidth,
      p.padInfo.top,
      p.padInfo.left,
      p.outHeight,
      p.outWidth,
    );
    const out = f32Output(backend, [...input.shape]);
    nn.maxPoolGrad(f32Input(backend, dy, 'MaxPoolGrad', 'dy'), f32Input(backend, input, 'MaxPoolGrad', 'input'), out.view(), geom, threads);
    return out.info;
  };
  return [{ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad }];
}

/**
 * BatchMatMul (every tf.matMul) for the wasm backend by OpenBLAS sgemm, with
 * either operand transposed in place of tfjs-wasm's slow transposed path.
 * Batch dimensions must be equal or one side's must hold a single matrix;
 * other broadcasts go to the wasm kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeTrainingKernels } from '../../linalg/index.js';
import { f32Input, f32Output, wasmBackend } from './wasm-heap.js';

const size = (s: number[]): number => s.reduce((p, v) => p * v, 1);
const sameShape = (a: number[], b: number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

export function matMulKernels(nn: NativeTrainingKernels, threads: number, fallback: Map<string, tf.KernelConfig>): tf.KernelConfig[] {
  const batchMatMul: tf.KernelFunc = (args) => {
    const backend = wasmBackend(args.backend);
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const ra = a.shape.length;
    const rb = b.shape.length;
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const ba = size(outerA);
    const bb = size(outerB);
    const simple = ba === 1 || bb === 1 || sameShape(outerA, outerB);
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || !simple) {
      const wasm = fallback.get('BatchMatMul');
      if (!wasm) throw new Error('BatchMatMul: no wasm kernel to fall back to');
      return wasm.kernelFunc(args);
    }
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    if (k !== kb) throw new Error(`Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} must match.`);
    const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
    const out = f32Output(backend, [...outer, m, n]);
    nn.batchMatMul(
      f32Input(backend, a, 'BatchMatMul', 'a'),
      f32Input(backend, b, 'BatchMatMul', 'b'),
      out.view(),
      Int32Array.of(ba, bb, m, n, k, transposeA ? 1 : 0, transposeB ? 1 : 0),
      threads,
    );
    return out.info;
  };
  return [{ kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: batchMatMul }];
}

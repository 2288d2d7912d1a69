/**
 * Zero-copy access to tfjs-backend-wasm tensors: a Float32Array view on the
 * wasm heap where the tensor lives, which the native addon reads and writes
 * in place. Views must be taken after every allocation of the kernel call
 * (makeOutput may grow the heap and detach earlier views).
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The wasm backend behind a kernel call (tfjs types it as an opaque object). */
export function wasmBackend(backend: object): BackendWasm {
  return backend as BackendWasm;
}

/** Float32 view of a wasm tensor; null for other dtypes (the caller falls back to the wasm kernel). */
export function f32View(backend: BackendWasm, t: tf.TensorInfo): Float32Array | null {
  if (t.dtype !== 'float32') return null;
  const v = backend.typedArrayFromHeap(t);
  return v instanceof Float32Array ? v : null;
}

/** Float32 view of an input the kernel has already checked is float32; throws, naming the kernel and input, if it is not. */
export function f32Input(backend: BackendWasm, t: tf.TensorInfo, kernel: string, name: string): Float32Array {
  const v = f32View(backend, t);
  if (!v) throw new Error(`${kernel}: ${name} must be float32`);
  return v;
}

/** Allocate a float32 output tensor on the wasm heap and return it with its view. */
export function f32Output(backend: BackendWasm, shape: number[]): { info: tf.TensorInfo; view: () => Float32Array } {
  const info = backend.makeOutput(shape, 'float32');
  return { info, view: () => backend.typedArrayFromHeap(info) as Float32Array };
}

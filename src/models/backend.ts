/**
 * Backend selection for every tfjs computation in brainalign. `src/models` is
 * the only layer that imports tfjs; everything above receives typed arrays.
 *
 * Default: tfjs-backend-wasm (XNNPACK). The plain `cpu` backend is ~1500×
 * slower than PyTorch for conv training, so it is only used for cross-checks.
 * `auto` prefers tfjs-node(-gpu) when installed (they are optional and absent
 * in CI).
 */
import * as tf from '@tensorflow/tfjs';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { InputError } from '../core/errors.js';
import { registerWasmConvGradient } from './conv-grad.js';

export type BackendKind = 'wasm' | 'cpu' | 'auto';

let wasmPathsSet = false;

/** Point the wasm backend at the package's own dist folder (file paths, no fetch). */
function configureWasmPaths(): void {
  if (wasmPathsSet) return;
  const req = createRequire(import.meta.url);
  const dir = path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm'));
  tfwasm.setWasmPaths(dir + path.sep);
  wasmPathsSet = true;
}

/** Load an optional native binding by name; false when it is not installed. */
async function tryNative(pkg: string): Promise<boolean> {
  try {
    // The name is a variable so TypeScript does not require the optional package's types.
    await import(pkg);
    return true;
  } catch {
    return false;
  }
}

/**
 * Select and initialise a tfjs backend. Returns the backend name actually in
 * use ('wasm', 'cpu', 'tensorflow'). Registers the Conv2D filter gradient that
 * wasm lacks. Idempotent.
 */
export async function initBackend(kind: BackendKind = 'wasm'): Promise<string> {
  registerWasmConvGradient();
  // PROD silences tfjs's console banner urging tfjs-node on every cpu run.
  tf.env().set('PROD', true);
  if (kind === 'auto') {
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      if ((await tryNative(pkg)) && (await tf.setBackend('tensorflow'))) {
        await tf.ready();
        return tf.getBackend();
      }
    }
    kind = 'wasm';
  }
  if (kind === 'wasm') {
    configureWasmPaths();
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('tfjs wasm backend failed to initialise');
  } else if (kind === 'cpu') {
    await tf.setBackend('cpu');
  } else {
    throw new InputError('--backend', `unknown backend '${String(kind)}' (wasm, cpu or auto)`);
  }
  await tf.ready();
  return tf.getBackend();
}

/** Parse a user-supplied backend name. */
export function parseBackendKind(s: string): BackendKind {
  if (s === 'wasm' || s === 'cpu' || s === 'auto') return s;
  throw new InputError('--backend', `unknown backend '${s}' (wasm, cpu or auto)`);
}

/** Thread count XNNPACK runs with on wasm (1 in Node: tfjs disables wasm threads there). */
export function wasmThreads(): number {
  return tf.getBackend() === 'wasm' ? tfwasm.getThreadsCount() : 0;
}

export { tf };

/**
 * Backend selection for every tfjs computation in brainalign. `src/models` is
 * the only layer that imports tfjs; everything above receives typed arrays.
 *
 * Default: tfjs-backend-wasm, with the heavy training kernels (Conv2D and its
 * gradients, MaxPoolGrad, BatchMatMul, fused batch norm; Identity without a
 * copy) replaced by the OpenBLAS addon when it is built (src/models/kernels);
 * everything else runs in wasm (XNNPACK). The
 * plain `cpu` backend is ~1500× slower than PyTorch for conv training, so it
 * is only used for cross-checks. `auto` prefers tfjs-node(-gpu) when
 * installed (they are optional and absent in CI).
 */
import * as tf from '@tensorflow/tfjs';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import { InputError } from '../core/errors.js';
import { registerWasmConvGradient } from './conv-grad.js';
import { installNativeKernels, nativeKernelThreads, uninstallNativeKernels } from './kernels/index.js';
import { nativeLoadError, nativeTrainingKernels, setPortableGemm } from '../linalg/index.js';
import { notice } from '../core/progress.js';

export type BackendKind = 'wasm' | 'cpu' | 'auto';
/** Which kernels the wasm backend trains with: the OpenBLAS addon's where it has them, or wasm's own. */
export type KernelPath = 'native' | 'wasm';

let wasmPathsSet = false;
// The wasm module is instantiated once per process; threads can only be chosen before that.
let wasmStarted = false;
const poolWorkers: import('node:worker_threads').Worker[] = [];
let poolReady = false;

/** Point the wasm backend at the package's own dist folder (file paths, no fetch). */
function configureWasmPaths(): void {
  if (wasmPathsSet) return;
  const req = createRequire(import.meta.url);
  const dir = path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm'));
  tfwasm.setWasmPaths(dir + path.sep);
  wasmPathsSet = true;
}

function threadedScript(): string {
  const req = createRequire(import.meta.url);
  const dist = path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm'));
  return path.join(dist, '..', 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
}

/**
 * Make tfjs-backend-wasm start its threaded-SIMD build in Node. tfjs turns
 * threads off there, and its init hands emscripten `blob:` URLs (worker
 * script, main script) that Node's worker_threads refuse. So, only for the
 * duration of the wasm init: the multithread flag is forced on, Blob and
 * URL.createObjectURL are wrapped so the worker script's text is written to
 * a temp .cjs file whose path is returned instead, and the main-script Blob
 * is swapped, as it is assigned, for the path of the package's stand-alone
 * threaded script. Returns a function that undoes
 * the patches.
 */
function patchForNodeThreads(): () => void {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brainalign-wasm-'));
  const texts = new WeakMap<object, string>();
  let n = 0;
  const toFile = (text: string): string => {
    const file = path.join(dir, `blob-${n++}.cjs`);
    fs.writeFileSync(file, text);
    return file;
  };
  const RealBlob = globalThis.Blob;
  class TextBlob extends RealBlob {
    constructor(parts: ConstructorParameters<typeof Blob>[0] = [], opts?: ConstructorParameters<typeof Blob>[1]) {
      super(parts, opts);
      if (parts.every((p) => typeof p === 'string')) texts.set(this, (parts as string[]).join(''));
    }
  }
  const realCreate = URL.createObjectURL;
  // tfjs's C++ init caps XNNPACK's pool at half of emscripten's logical core
  // count (Node: os.cpus().length), i.e. one thread on a 2-core machine; the
  // count reported during init is doubled so the requested count stands.
  const osCjs = createRequire(import.meta.url)('os') as typeof os;
  const realCpus = osCjs.cpus;
  osCjs.cpus = () => {
    const c = realCpus();
    return [...c, ...c];
  };
  // Pool workers run a plain CommonJS script; they must not inherit the
  // parent's node flags (loaders, --input-type, …), which can break them.
  const wt = createRequire(import.meta.url)('worker_threads') as typeof import('node:worker_threads');
  const RealWorker = wt.Worker;
  class PlainWorker extends RealWorker {
    constructor(file: string | URL, options?: import('node:worker_threads').WorkerOptions) {
      super(file, { ...options, execArgv: [] });
      poolWorkers.push(this);
      // Once the pool is up, its idle workers must not keep Node alive
      // (they talk to the main thread through shared memory, not events).
      if (poolReady) this.unref();
    }
  }
  wt.Worker = PlainWorker;
  globalThis.Blob = TextBlob as typeof Blob;
  URL.createObjectURL = (obj: Blob) => {
    const t = texts.get(obj);
    return t === undefined ? realCreate(obj) : toFile(t);
  };
  Object.defineProperty(Object.prototype, 'mainScriptUrlOrBlob', {
    configurable: true,
    set(this: object, v: unknown) {
      // The Blob holds the bundled factory's source, which refers to bundler
      // variables that do not exist in a worker; the package's own
      // stand-alone copy of the same script does not.
      const isBlob = typeof v === 'object' && v !== null && texts.has(v);
      Object.defineProperty(this, 'mainScriptUrlOrBlob', { value: isBlob ? threadedScript() : v, writable: true, enumerable: true, configurable: true });
    },
  });
  return () => {
    osCjs.cpus = realCpus;
    wt.Worker = RealWorker;
    globalThis.Blob = RealBlob;
    URL.createObjectURL = realCreate;
    delete (Object.prototype as Record<string, unknown>).mainScriptUrlOrBlob;
  };
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

let kernelNoticed = false;

/**
 * Native kernels unless asked otherwise; BRAINALIGN_LINALG=portable (the
 * switch that turns the addon off for linear algebra) turns them off too.
 */
function wantedKernels(opts: { kernels?: KernelPath }): KernelPath {
  return opts.kernels ?? (process.env.BRAINALIGN_LINALG === 'portable' ? 'wasm' : 'native');
}

/**
 * Select and initialise a tfjs backend. Returns the backend name actually in
 * use ('wasm', 'cpu', 'tensorflow'). Registers the Conv2D filter gradient that
 * wasm lacks. On wasm, `threads` is the native kernels' thread count
 * (changed by every call) when they are in use, and XNNPACK's otherwise
 * (fixed by the first call in a process); `kernels` picks native or wasm
 * kernels. Idempotent.
 *
 * With native kernels wasm stays single-threaded: its remaining kernels are
 * small elementwise ops, for which XNNPACK's spinning workers cost the native
 * pool its second core (measured: the EEG encoder trained at 0.6× the
 * windows/s with both pools than with the native pool alone).
 */
export async function initBackend(kind: BackendKind = 'wasm', opts: { threads?: number; kernels?: KernelPath } = {}): Promise<string> {
  registerWasmConvGradient();
  // PROD silences tfjs's console banner urging tfjs-node on every cpu run.
  tf.env().set('PROD', true);
  if (kind === 'auto') {
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      if ((await tryNative(pkg)) && (await tf.setBackend('tensorflow'))) {
        await tf.ready();
        notice(`tfjs: --backend auto uses ${pkg} (TensorFlow C library${pkg.endsWith('gpu') ? ', CUDA' : ''})`);
        return tf.getBackend();
      }
    }
    kind = 'wasm';
  }
  if (kind === 'wasm') {
    configureWasmPaths();
    const threads = opts.threads ?? 1;
    let undo: (() => void) | null = null;
    const nativePool = wantedKernels(opts) === 'native' && nativeTrainingKernels() !== null;
    if (threads > 1 && !wasmStarted && !nativePool) {
      tfwasm.setThreadsCount(threads);
      undo = patchForNodeThreads();
    }
    let ok: boolean;
    try {
      wasmStarted = true;
      ok = await tf.setBackend('wasm');
    } finally {
      undo?.();
    }
    if (undo) {
      poolReady = true;
      for (const w of poolWorkers) w.unref();
    }
    if (!ok) throw new Error('tfjs wasm backend failed to initialise');
    await tf.ready();
    if (wantedKernels(opts) === 'wasm') uninstallNativeKernels();
    else if (!installNativeKernels(threads) && !kernelNoticed) {
      kernelNoticed = true;
      notice(`tfjs: native training kernels unavailable (${nativeLoadError() || 'addon predates them'}); training on wasm kernels, slower`);
    }
  } else if (kind === 'cpu') {
    await tf.setBackend('cpu');
  } else {
    throw new InputError('backend', `unknown backend '${String(kind)}' (wasm, cpu or auto)`);
  }
  await tf.ready();
  // The portable linalg path multiplies float32 through wasm matMul only while wasm is the backend (tfjs cpu is slower than its own kernel).
  setPortableGemm(tf.getBackend() === 'wasm' ? wasmMatMul : null);
  return tf.getBackend();
}

/**
 * C = A·B (A m×k, B k×n, contiguous row-major float32) by tfjs-wasm matMul,
 * returned as a new Float32Array; about 16 GFLOP/s on one thread against ~2
 * for the portable TypeScript kernel (scripts/bench/gemm.ts).
 */
function wasmMatMul(a: Float32Array, b: Float32Array, m: number, n: number, k: number): Float32Array {
  const c = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])));
  try {
    return c.dataSync() as Float32Array;
  } finally {
    c.dispose();
  }
}

/** Parse a user-supplied backend name. */
export function parseBackendKind(s: string): BackendKind {
  if (s === 'wasm' || s === 'cpu' || s === 'auto') return s;
  throw new InputError('backend', `unknown backend '${s}' (wasm, cpu or auto)`);
}

/** Threads of the native training kernels (their pool, src/models/kernels); 0 when wasm's own kernels are in use. */
export function trainingKernelThreads(): number {
  return tf.getBackend() === 'wasm' ? nativeKernelThreads() : 0;
}

/** Thread count XNNPACK runs with on wasm (1 in Node: tfjs disables wasm threads there). */
export function wasmThreads(): number {
  return tf.getBackend() === 'wasm' ? tfwasm.getThreadsCount() : 0;
}

export { tf };

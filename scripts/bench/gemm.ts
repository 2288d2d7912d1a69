/**
 * Benchmark: float32 GEMM throughput of the portable linalg path, single
 * thread — the hand-written TypeScript kernel vs tfjs-wasm matMul (the route
 * the developer guide names for the portable fallback) vs the OpenBLAS addon,
 * with numpy (OpenBLAS, 1 thread) as the reference in the same run.
 * Shapes: 1024×1024×1024 and m=2000, k=1024, n=1024 (C = A·B, A m×k, B k×n).
 * The tfjs timings include uploading A and B and downloading C, as the
 * portable gemm has to. Figures are the best of `--repeat` runs (default 3).
 *
 *   npx tsx scripts/bench/gemm.ts [--repeat 3]
 */
import { execFileSync } from 'node:child_process';
import { Rng } from '../../src/core/prng.js';
import { getLinalg, nativeAvailable, portableGemmProvider, setPortableGemm } from '../../src/linalg/index.js';
import { portableLinalg } from '../../src/linalg/portable.js';
import { initBackend, tf, wasmThreads } from '../../src/models/backend.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const repeat = Number(arg('repeat', '3'));
const shapes: [number, number, number][] = [
  [1024, 1024, 1024],
  [2000, 1024, 1024],
];

/** Best wall time of `repeat` calls of `f`, in seconds. */
function best(f: () => void): number {
  let b = Infinity;
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    f();
    b = Math.min(b, (performance.now() - t0) / 1000);
  }
  return b;
}

/** GFLOP/s of an m×k by k×n product done in `sec` seconds (2mnk flops). */
const gflops = (m: number, n: number, k: number, sec: number): number => (2 * m * n * k) / sec / 1e9;

function numpyGflops(m: number, n: number, k: number): number {
  const py = `import numpy as np, time
a = np.random.default_rng(0).standard_normal((${m}, ${k}), dtype=np.float32)
b = np.random.default_rng(1).standard_normal((${k}, ${n}), dtype=np.float32)
a @ b
t = min((lambda t0: (a @ b, time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(${repeat}))
print(2 * ${m} * ${n} * ${k} / t / 1e9)`;
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
  return Number(execFileSync('/usr/bin/python3', ['-c', py], { env, encoding: 'utf8' }).trim());
}

async function main(): Promise<void> {
  const backend = await initBackend('wasm');
  console.log(`tfjs backend: ${backend}, threads ${wasmThreads()}; native addon: ${nativeAvailable() ? 'loaded' : 'absent'}`);
  const rng = new Rng(1, 'bench-gemm');
  const portable = portableLinalg();
  const provider = portableGemmProvider();
  if (!provider) throw new Error('initBackend(wasm) registered no portable gemm provider');
  const rows: string[] = [
    '| m×k×n | numpy 1 thr | TS kernel | tfjs-wasm matMul | portable gemm (tfjs provider) | portable, transA (tfjs provider) | tfjs matMul transposeA | native addon |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [m, k, n] of shapes) {
    const a = rng.normals(m * k);
    const b = rng.normals(k * n);
    const at = new Float32Array(k * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) at[j * m + i] = a[i * k + j];
    const c = new Float32Array(m * n);
    setPortableGemm(null);
    const ts = best(() => portable.gemm(a, b, c, m, n, k));
    const ref = c.slice();
    setPortableGemm(provider);
    const viaProvider = best(() => portable.gemm(a, b, c, m, n, k));
    const viaProviderT = best(() => portable.gemm(at, b, c, m, n, k, { transA: true }));
    let out: ArrayLike<number> = [];
    const tfMat = best(() => {
      const t = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])));
      out = t.dataSync();
      t.dispose();
    });
    let maxRel = 0;
    let scale = 0;
    for (let i = 0; i < ref.length; i++) {
      maxRel = Math.max(maxRel, Math.abs(out[i] - ref[i]));
      scale = Math.max(scale, Math.abs(ref[i]));
    }
    // The slow path the guide warns about: A stored k×m, transposed inside matMul.
    const tfTransA = best(() => {
      const t = tf.tidy(() => tf.matMul(tf.tensor2d(at, [k, m]), tf.tensor2d(b, [k, n]), true, false));
      t.dataSync();
      t.dispose();
    });
    const nat = nativeAvailable() ? getLinalg({ prefer: 'native' }) : null;
    const native = nat ? best(() => nat.gemm(a, b, c, m, n, k)) : NaN;
    const np = numpyGflops(m, n, k);
    const g = (s: number): string => (Number.isFinite(s) ? `${gflops(m, n, k, s).toFixed(1)} (${(gflops(m, n, k, s) / np).toFixed(2)}×)` : 'n/a');
    rows.push(`| ${m}×${k}×${n} | ${np.toFixed(1)} | ${g(ts)} | ${g(tfMat)} | ${g(viaProvider)} | ${g(viaProviderT)} | ${g(tfTransA)} | ${g(native)} |`);
    console.log(`${m}×${k}×${n}: tfjs vs TS kernel max |Δ| ${(maxRel / scale).toExponential(2)} of max |C|`);
  }
  console.log('GFLOP/s, float32, single thread (ratio to numpy/OpenBLAS with 1 thread); best of', repeat);
  console.log(rows.join('\n'));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

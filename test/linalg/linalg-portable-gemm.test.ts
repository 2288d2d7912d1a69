/**
 * The portable linalg path's float32 GEMM through tfjs-wasm matMul (the
 * provider src/models/backend.ts registers after wasm init): every transpose
 * combination, alpha/beta and leading dimensions must equal an independent
 * triple-loop product, and small or float64 products must stay in the
 * TypeScript kernel.
 */
import test from 'ava';
import { Rng } from '../../src/core/prng.js';
import { getLinalg, portableGemmProvider, setPortableGemm, type Float32Gemm } from '../../src/linalg/index.js';
import { initBackend } from '../../src/models/backend.js';
import { naiveMul, transpose } from '../helpers/matrix.js';

function relErr(x: ArrayLike<number>, ref: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < ref.length; i++) {
    d = Math.max(d, Math.abs(x[i] - ref[i]));
    s = Math.max(s, Math.abs(ref[i]));
  }
  return d / s;
}

test('after wasm init, portable f32 gemm (70×80×90, every transpose, alpha 2, beta 0.5, a wider B) goes through matMul and equals the triple-loop product to 1e-5; f64 and small products do not use it', async (t) => {
  t.is(await initBackend('wasm'), 'wasm');
  const wasm = portableGemmProvider();
  if (!wasm) return t.fail('initBackend(wasm) registered no provider');
  let calls = 0;
  const counting: Float32Gemm = (a, b, m, n, k) => {
    calls++;
    return wasm(a, b, m, n, k);
  };
  setPortableGemm(counting);
  const la = getLinalg({ prefer: 'portable' });
  const rng = new Rng(4, 'gemm-provider');
  const [m, n, k, ldb] = [70, 80, 90, 85];
  const a = rng.normals(m * k);
  const b = rng.normals(k * n);
  const c0 = rng.normals(m * n);
  const ref = naiveMul(a, b, m, n, k).map((v, i) => 2 * v + 0.5 * c0[i]);
  for (const transA of [false, true])
    for (const transB of [false, true]) {
      const A = transA ? Float32Array.from(transpose(a, m, k)) : a;
      const B = transB ? Float32Array.from(transpose(b, k, n)) : b;
      const c = la.gemm(A, B, c0.slice(), m, n, k, { transA, transB, alpha: 2, beta: 0.5 });
      t.true(relErr(c, ref) < 1e-5, `tA=${transA} tB=${transB}: ${relErr(c, ref)}`);
    }
  t.is(calls, 4);
  // B as columns 3..82 of a k×85 matrix (leading dimension 85).
  const wide = new Float32Array(k * ldb);
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) wide[i * ldb + 3 + j] = b[i * n + j];
  t.true(relErr(la.gemm(a, wide.subarray(3), c0.slice(), m, n, k, { ldb, alpha: 2, beta: 0.5 }), ref) < 1e-5);
  t.is(calls, 5);
  const c64 = la.gemm(Float64Array.from(a), Float64Array.from(b), new Float64Array(m * n), m, n, k);
  t.true(relErr(c64, naiveMul(a, b, m, n, k)) < 1e-12);
  la.gemm(a.subarray(0, 20 * 30), b.subarray(0, 30 * 40), new Float32Array(20 * 40), 20, 40, 30);
  t.is(calls, 5);
  setPortableGemm(wasm);
});

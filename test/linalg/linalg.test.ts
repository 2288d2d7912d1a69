/**
 * Dense linear algebra, checked on both paths (OpenBLAS addon and portable
 * TypeScript): every factorisation must reconstruct its input, factors must
 * be orthonormal, and the two paths must agree to 1e-4 relative.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Rng } from '../../src/core/prng.js';
import { InputError } from '../../src/core/errors.js';
import { getLinalg, nativeAvailable, type Floats, type Linalg } from '../../src/linalg/index.js';
import { maxAbs, maxAbsDiff, naiveMul, transpose } from '../helpers/matrix.js';

const paths: Linalg[] = [getLinalg({ prefer: 'portable' })];
if (nativeAvailable()) paths.push(getLinalg({ prefer: 'native' }));

test('where OpenBLAS/LAPACKE headers are installed, the native addon is built and loads', (t) => {
  // Machines without the headers legitimately run portable-only; with them, a missing addon is a build bug.
  const canBuild = existsSync('/usr/include/lapacke.h') && existsSync('/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h');
  t.is(nativeAvailable(), canBuild || nativeAvailable(), 'run scripts/build-native.sh: native/linalg/build/Release/linalg.node missing');
});

function randn(rng: Rng, n: number): Float64Array {
  return Float64Array.from(rng.normals(n));
}

/** ‖QᵀQ − I‖_max for the r columns of the row-major rows×r matrix q. */
function orthoError(q: Floats, rows: number, r: number): number {
  const qtq = naiveMul(transpose(q, rows, r), q, r, r, rows);
  for (let i = 0; i < r; i++) qtq[i * r + i] -= 1;
  return maxAbs(qtq);
}

for (const la of paths) {
  test(`${la.kind}: gemm with every transpose combination equals the triple-loop product (f64 to 1e-12, f32 to 1e-5)`, (t) => {
    const rng = new Rng(1, 'gemm');
    const [m, n, k] = [37, 29, 41];
    const a = randn(rng, m * k);
    const b = randn(rng, k * n);
    const ref = naiveMul(a, b, m, n, k);
    for (const transA of [false, true])
      for (const transB of [false, true]) {
        const A = transA ? transpose(a, m, k) : a;
        const B = transB ? transpose(b, k, n) : b;
        const c64 = la.gemm(A, B, new Float64Array(m * n), m, n, k, { transA, transB });
        t.true(maxAbsDiff(c64, ref) < 1e-12, `f64 tA=${transA} tB=${transB}`);
        const c32 = la.gemm(Float32Array.from(A), Float32Array.from(B), new Float32Array(m * n), m, n, k, { transA, transB });
        t.true(maxAbsDiff(c32, ref) / maxAbs(ref) < 1e-5, `f32 tA=${transA} tB=${transB}`);
      }
  });

  test(`${la.kind}: gemm honours alpha, beta and leading dimensions of sub-matrix views`, (t) => {
    const rng = new Rng(2, 'gemm-ld');
    const [m, n, k, ldb] = [5, 3, 4, 7];
    const a = randn(rng, m * k);
    const wide = randn(rng, k * ldb); // B = columns 2..4 of a k×7 matrix
    const b = new Float64Array(k * n);
    for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) b[i * n + j] = wide[i * ldb + 2 + j];
    const c0 = randn(rng, m * n);
    const c = la.gemm(a, wide.subarray(2), c0.slice(), m, n, k, { ldb, alpha: 2, beta: 0.5 });
    const ab = naiveMul(a, b, m, n, k);
    const ref = ab.map((v, i) => 2 * v + 0.5 * c0[i]);
    t.true(maxAbsDiff(c, ref) < 1e-12);
  });

  test(`${la.kind}: symmetric eigen of a 60×60 matrix reconstructs A = VΛVᵀ with orthonormal V, ascending Λ`, (t) => {
    const rng = new Rng(3, 'eig');
    const n = 60;
    const g = randn(rng, n * n);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = g[i * n + j] + g[j * n + i];
    const { values, vectors } = la.syevd(a, n);
    for (let i = 1; i < n; i++) t.true(values[i] >= values[i - 1]);
    t.true(orthoError(vectors, n, n) < 1e-12);
    const vl = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vl[i * n + j] = vectors[i * n + j] * values[j];
    const rec = naiveMul(vl, transpose(vectors, n, n), n, n, n);
    t.true(maxAbsDiff(rec, a) / maxAbs(a) < 1e-12);
  });

  test(`${la.kind}: eigenvalues of a matrix with planted spectrum (repeated values, a zero) are recovered (f32 to 1e-5)`, (t) => {
    const rng = new Rng(4, 'eig-planted');
    const n = 40;
    // Q from the SVD of a random matrix gives a random orthonormal basis
    const q = la.svd(randn(rng, n * n), n, n).u;
    const planted = Float64Array.from({ length: n }, (_, i) => (i < 3 ? 0 : i < 10 ? 2 : i));
    const ql = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) ql[i * n + j] = q[i * n + j] * planted[j];
    const a = naiveMul(ql, transpose(q, n, n), n, n, n);
    const got64 = la.syevd(a, n).values;
    const got32 = la.syevd(Float32Array.from(a), n).values;
    const want = planted.slice().sort();
    t.true(maxAbsDiff(got64, want) < 1e-12 * n);
    t.true(maxAbsDiff(got32, want) / n < 1e-5);
  });

  for (const [m, n] of [
    [50, 20],
    [20, 50],
    [30, 30],
  ] as const) {
    test(`${la.kind}: thin SVD of ${m}×${n} reconstructs A = U S Vᵀ with orthonormal factors, descending s`, (t) => {
      const rng = new Rng(5, `svd-${m}-${n}`);
      const r = Math.min(m, n);
      const a = randn(rng, m * n);
      const { u, s, vt } = la.svd(a, m, n);
      for (let i = 1; i < r; i++) t.true(s[i] <= s[i - 1] && s[i] >= 0);
      t.true(orthoError(u, m, r) < 1e-10);
      t.true(orthoError(transpose(vt, r, n), n, r) < 1e-10);
      const us = new Float64Array(m * r);
      for (let i = 0; i < m; i++) for (let j = 0; j < r; j++) us[i * r + j] = u[i * r + j] * s[j];
      t.true(maxAbsDiff(naiveMul(us, vt, m, n, r), a) / maxAbs(a) < 1e-10);
    });
  }

  test(`${la.kind}: SVD of a rank-3 matrix gives 3 nonzero singular values and still orthonormal U`, (t) => {
    const rng = new Rng(6, 'svd-rank');
    const [m, n] = [25, 12];
    const a = naiveMul(randn(rng, m * 3), randn(rng, 3 * n), m, n, 3);
    const { u, s } = la.svd(a, m, n);
    t.true(s[2] > 1);
    for (let i = 3; i < n; i++) t.true(s[i] < 1e-6 * s[0]);
    t.true(orthoError(u, m, n) < 1e-8);
  });

  test(`${la.kind}: Cholesky factor reconstructs an SPD matrix and the solve satisfies A X = B`, (t) => {
    const rng = new Rng(7, 'chol');
    const [n, nrhs] = [30, 4];
    const g = randn(rng, n * n);
    const a = naiveMul(g, transpose(g, n, n), n, n, n);
    for (let i = 0; i < n; i++) a[i * n + i] += n;
    const l = la.cholesky(a, n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) t.is(l[i * n + j], 0);
    t.true(maxAbsDiff(naiveMul(l, transpose(l, n, n), n, n, n), a) / maxAbs(a) < 1e-13);
    const b = randn(rng, n * nrhs);
    const x = la.choleskySolve(a, n, b, nrhs);
    t.true(maxAbsDiff(naiveMul(a, x, n, nrhs, n), b) < 1e-10);
    const x32 = la.choleskySolve(Float32Array.from(a), n, Float32Array.from(b), nrhs);
    t.true(x32 instanceof Float32Array);
    t.true(maxAbsDiff(x32, x) / maxAbs(x) < 1e-4);
  });

  test(`${la.kind}: column moments Σp, Σp², Σpy over an offset block equal the naive sums (f32 and f64)`, (t) => {
    const rng = new Rng(10, 'moments');
    const [rows, cols, off] = [13, 9, 18];
    const pred = randn(rng, off + rows * cols);
    const y = randn(rng, rows * cols);
    const want = new Float64Array(3 * cols);
    for (let i = 0; i < rows; i++)
      for (let k = 0; k < cols; k++) {
        const p = pred[off + i * cols + k];
        want[k] += p;
        want[cols + k] += p * p;
        want[2 * cols + k] += p * y[i * cols + k];
      }
    const out = new Float64Array(3 * cols).fill(7); // stale contents must be overwritten
    la.columnMoments(pred, off, y, rows, cols, out);
    t.true(maxAbsDiff(out, want) < 1e-12);
    la.columnMoments(Float32Array.from(pred), off, Float32Array.from(y), rows, cols, out);
    t.true(maxAbsDiff(out, want) < 1e-5);
  });

  test(`${la.kind}: Cholesky of an indefinite matrix throws an InputError`, (t) => {
    const a = Float64Array.from([1, 2, 2, 1]);
    t.throws(() => la.cholesky(a, 2), { instanceOf: InputError });
  });
}

test('native and portable agree to 1e-4 relative on f32 gemm, eigenvalues, singular values and solves', (t) => {
  if (!nativeAvailable()) {
    t.pass('addon not built: only the portable path exists to compare');
    return;
  }
  const nat = getLinalg({ prefer: 'native' });
  const por = getLinalg({ prefer: 'portable' });
  const rng = new Rng(8, 'agree');
  const [m, n] = [80, 48];
  const a = rng.normals(m * n);
  const b = rng.normals(n * m);
  const rel = (x: Floats, y: Floats) => maxAbsDiff(x, y) / maxAbs(y);
  t.true(rel(nat.gemm(a, b, new Float32Array(m * m), m, m, n), por.gemm(a, b, new Float32Array(m * m), m, m, n)) < 1e-4);
  const gram = por.gemm(a, a, new Float32Array(n * n), n, n, m, { transA: true });
  t.true(rel(nat.syevd(gram, n).values, por.syevd(gram, n).values) < 1e-4);
  t.true(rel(nat.svd(a, m, n).s, por.svd(a, m, n).s) < 1e-4);
  const rhs = rng.normals(n * 3);
  t.true(rel(nat.choleskySolve(gram, n, rhs, 3), por.choleskySolve(gram, n, rhs, 3)) < 1e-4);
});

test('eigenvalues and singular values match numpy (LAPACK via /usr/bin/python3) on the same matrix', (t) => {
  const n = 16;
  const rng = new Rng(9, 'numpy');
  const a = randn(rng, n * n);
  const script = `import numpy as np, sys, json
a = np.array(json.loads(sys.stdin.read())).reshape(${n}, ${n})
print(json.dumps({"eig": np.linalg.eigvalsh(a + a.T).tolist(), "sv": np.linalg.svd(a, compute_uv=False).tolist()}))`;
  const out = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(Array.from(a)) }).toString()) as {
    eig: number[];
    sv: number[];
  };
  const sym = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sym[i * n + j] = a[i * n + j] + a[j * n + i];
  for (const la of paths) {
    t.true(maxAbsDiff(la.syevd(sym, n).values, out.eig) < 1e-10, la.kind);
    t.true(maxAbsDiff(la.svd(a, n, n).s, out.sv) < 1e-10, la.kind);
  }
});

test('BRAINALIGN_LINALG=portable forces the fallback for getLinalg(); an explicit prefer still wins', (t) => {
  const saved = process.env.BRAINALIGN_LINALG;
  try {
    process.env.BRAINALIGN_LINALG = 'portable';
    t.is(getLinalg().kind, 'portable');
    if (nativeAvailable()) t.is(getLinalg({ prefer: 'native' }).kind, 'native');
    delete process.env.BRAINALIGN_LINALG;
    t.is(getLinalg().kind, nativeAvailable() ? 'native' : 'portable');
  } finally {
    if (saved === undefined) delete process.env.BRAINALIGN_LINALG;
    else process.env.BRAINALIGN_LINALG = saved;
  }
});

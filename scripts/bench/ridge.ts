/**
 * Benchmark: ridge CV at fMRI scale, brainalign vs numpy in the same run.
 * Workload (defaults): N=2000 samples, P=1024 features, V=100k targets,
 * 5 contiguous folds, 10 α values, float32, weights refit at the chosen α.
 * Each side runs in its own process so peak RSS is its own; loading the
 * .npy inputs is excluded from both timings.
 *
 *   npx tsx scripts/bench/ridge.ts [--n 2000 --p 1024 --v 100000 --folds 5 --nalpha 10 --batch 8192 --repeat 1 --dir bench-out/ridge]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../src/core/prng.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { getLinalg } from '../../src/linalg/index.js';
import { ridgeCV } from '../../src/encoding/ridge.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const n = Number(arg('n', '2000'));
const p = Number(arg('p', '1024'));
const v = Number(arg('v', '100000'));
const K = Number(arg('folds', '5'));
const nAlpha = Number(arg('nalpha', '10'));
const batch = Number(arg('batch', '8192'));
/** Alternate the two sides this many times and keep each side's fastest run (a shared machine's load varies). */
const repeat = Number(arg('repeat', '1'));
const dir = resolve(arg('dir', 'bench-out/ridge'));
const alphas = Array.from({ length: nAlpha }, (_, i) => 10 ** (1 + (4 * i) / Math.max(1, nAlpha - 1)));

/** Child mode: load, run ridgeCV, save the chosen α and r, print timing JSON. */
function child(): void {
  const X = readNpy(join(dir, 'X.npy')).data as Float32Array;
  const Y = readNpy(join(dir, 'Y.npy')).data as Float32Array;
  const la = getLinalg();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const res = ridgeCV({ X, n, p, Y, v, alphas, folds: K, batchSize: batch, linalg: la });
  const seconds = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  const cpu_seconds = (cu.user + cu.system) / 1e6;
  writeNpy(join(dir, 'best_alpha.npy'), res.bestAlpha, [v]);
  writeNpy(join(dir, 'cv_r.npy'), res.cvR, [v]);
  const w = res.weights as Float32Array;
  const step = Math.max(1, Math.floor(v / 100));
  const cols = Math.ceil(v / step);
  const sample = new Float32Array(p * cols);
  for (let j = 0; j < p; j++) for (let c = 0; c < cols; c++) sample[j * cols + c] = w[j * v + c * step];
  writeNpy(join(dir, 'weights_sample.npy'), sample, [p, cols]);
  process.stdout.write(`${JSON.stringify({ seconds, cpu_seconds, peak_rss_gb: process.resourceUsage().maxRSS / 1e6, linalg: la.kind })}\n`);
}

/** Planted data: 20% of targets are X·w + noise (varied SNR), the rest pure noise; features are correlated (AR-like mixing). */
function makeData(): void {
  const stamp = join(dir, 'params.json');
  const params = JSON.stringify({ n, p, v, seed: 1 });
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === params) return;
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(1, 'bench-ridge');
  const X = rng.normals(n * p);
  for (let i = 0; i < n; i++) for (let j = 1; j < p; j++) X[i * p + j] = 0.6 * X[i * p + j - 1] + 0.8 * X[i * p + j];
  const nSig = Math.floor(v / 5);
  const k = 16; // each signal target reads a sparse set of features
  const Y = rng.fork('noise').normals(n * v);
  const wr = rng.fork('weights');
  for (let c = 0; c < nSig; c++) {
    const feats = Array.from({ length: k }, () => wr.int(p));
    const ws = Array.from({ length: k }, () => wr.normal() * (0.05 + (0.3 * c) / nSig));
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let q = 0; q < k; q++) s += X[i * p + feats[q]] * ws[q];
      Y[i * v + c] += s;
    }
  }
  writeNpy(join(dir, 'X.npy'), X, [n, p]);
  writeNpy(join(dir, 'Y.npy'), Y, [n, v]);
  writeFileSync(stamp, params);
}

interface Timing {
  seconds: number;
  /** user+system CPU of the timed section: less sensitive than wall time to other load on a shared machine */
  cpu_seconds: number;
  peak_rss_gb: number;
  linalg?: string;
}

function main(): void {
  console.log(`ridge CV benchmark: N=${n} P=${p} V=${v} K=${K} nα=${nAlpha} batch=${batch} (float32)`);
  const tg = performance.now();
  makeData();
  console.log(`data ready in ${dir} (${((performance.now() - tg) / 1000).toFixed(1)} s)`);
  const self = fileURLToPath(import.meta.url);
  const passArgs = [
    '--n',
    String(n),
    '--p',
    String(p),
    '--v',
    String(v),
    '--folds',
    String(K),
    '--nalpha',
    String(nAlpha),
    '--batch',
    String(batch),
    '--dir',
    dir,
  ];
  const here = fileURLToPath(new URL('.', import.meta.url));
  const runOurs = () =>
    JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', self, '--child', ...passArgs], { stdio: ['ignore', 'pipe', 'inherit'] })
        .toString()
        .trim()
        .split('\n')
        .pop() ?? '{}',
    ) as Timing;
  const runRef = () =>
    JSON.parse(
      execFileSync('/usr/bin/python3', [join(here, 'ridge_ref.py'), dir, String(K), String(batch), alphas.join(',')], { stdio: ['ignore', 'pipe', 'inherit'] })
        .toString()
        .trim(),
    ) as Timing;
  const best = (a: Timing | null, b: Timing) => (a === null || b.seconds < a.seconds ? b : a);
  let ours: Timing | null = null;
  let ref: Timing | null = null;
  for (let r = 0; r < repeat; r++) {
    const o = runOurs();
    console.log(`brainalign (${o.linalg}): ${o.seconds.toFixed(2)} s wall, ${o.cpu_seconds.toFixed(2)} s CPU, peak RSS ${o.peak_rss_gb.toFixed(2)} GB`);
    ours = best(ours, o);
    const f = runRef();
    console.log(`numpy (SVD, himalaya-style): ${f.seconds.toFixed(2)} s wall, ${f.cpu_seconds.toFixed(2)} s CPU, peak RSS ${f.peak_rss_gb.toFixed(2)} GB`);
    ref = best(ref, f);
  }
  if (!ours || !ref) throw new Error('--repeat must be ≥ 1');

  const a = readNpy(join(dir, 'best_alpha.npy')).data as Float32Array;
  const b = readNpy(join(dir, 'best_alpha_ref.npy')).data as Float32Array;
  const ra = readNpy(join(dir, 'cv_r.npy')).data as Float32Array;
  const rb = readNpy(join(dir, 'cv_r_ref.npy')).data as Float32Array;
  const wa = readNpy(join(dir, 'weights_sample.npy')).data as Float32Array;
  const wb = readNpy(join(dir, 'weights_ref_sample.npy')).data as Float32Array;
  let same = 0;
  let dr = 0;
  for (let i = 0; i < v; i++) {
    if (a[i] === b[i]) same++;
    dr = Math.max(dr, Math.abs(ra[i] - rb[i]));
  }
  let dw = 0;
  let wmax = 0;
  for (let i = 0; i < wa.length; i++) {
    dw = Math.max(dw, Math.abs(wa[i] - wb[i]));
    wmax = Math.max(wmax, Math.abs(wb[i]));
  }
  console.log(
    `agreement: same α for ${((100 * same) / v).toFixed(2)}% of targets; max |Δ cv r| = ${dr.toExponential(2)}; max |ΔW|/max|W| (100 sampled targets) = ${(dw / wmax).toExponential(2)}`,
  );
  console.log(
    `RATIO wall brainalign/numpy = ${(ours.seconds / ref.seconds).toFixed(3)} (target ≤ 1.0), CPU ${(ours.cpu_seconds / ref.cpu_seconds).toFixed(3)}; peak RSS brainalign ${ours.peak_rss_gb.toFixed(2)} GB (target ≤ 4 GB), numpy ${ref.peak_rss_gb.toFixed(2)} GB`,
  );
}

if (process.argv.includes('--child')) child();
else main();

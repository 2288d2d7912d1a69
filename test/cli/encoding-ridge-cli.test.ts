/**
 * The encode verb end to end on planted .npy files: outputs have the promised
 * shapes and equal the library call; bad inputs exit with one-line errors.
 */
import test from 'ava';
import { join } from 'node:path';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import yargs, { type Argv } from 'yargs';
import { Rng } from '../../src/core/prng.js';
import { InputError } from '../../src/core/errors.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import type { CommonOptions } from '../../src/cli/framework.js';
import encode from '../../src/cli/encode.js';
import { ridgeCV } from '../../src/encoding/ridge.js';
import { groupsFromRunLengths } from '../../src/encoding/cv.js';
import { DEFAULT_FIR_DELAYS, delayFeatures } from '../../src/encoding/delays.js';

async function runEncode(args: string[]): Promise<void> {
  const base = yargs(args)
    .option('out', { type: 'string', global: true })
    .option('seed', { type: 'number', default: 0, global: true })
    .option('jobs', { type: 'number', default: 1, global: true })
    .option('quiet', { type: 'boolean', default: true, global: true })
    .option('debug', { type: 'boolean', default: false, global: true }) as unknown as Argv<CommonOptions>;
  await encode
    .register(base)
    .fail((msg, err) => {
      throw err ?? new InputError('options', msg);
    })
    .parseAsync();
}

test('encode writes best_alpha (v), cv_r (v), cv_r_all (nα×v), weights (p×v) equal to ridgeCV on the same planted data', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'encode-'));
  try {
    const rng = new Rng(41, 'encode');
    const [n, p, v] = [120, 6, 5];
    const X = rng.normals(n * p);
    const Y = rng.normals(n * v);
    for (let i = 0; i < n; i++) for (let k = 0; k < v; k++) Y[i * v + k] += 2 * X[i * p + k];
    const groups = groupsFromRunLengths([30, 30, 30, 30]);
    writeNpy(join(dir, 'X.npy'), X, [n, p]);
    writeNpy(join(dir, 'Y.npy'), Y, [n, v]);
    writeNpy(join(dir, 'G.npy'), groups, [n]);
    const out = join(dir, 'out');
    await runEncode(['encode', '--X', join(dir, 'X.npy'), '--Y', join(dir, 'Y.npy'), '--groups', join(dir, 'G.npy'), '--alphas', '0.1,10,1000', '--out', out]);
    const lib = ridgeCV({ X, n, p, Y, v, alphas: [0.1, 10, 1000], groups });
    const got = (f: string) => readNpy(join(out, f));
    t.deepEqual(got('best_alpha.npy').shape, [v]);
    t.deepEqual(got('cv_r_all.npy').shape, [3, v]);
    t.deepEqual(got('weights.npy').shape, [p, v]);
    t.deepEqual(Array.from(got('cv_r.npy').data as Float32Array), Array.from(lib.cvR));
    t.deepEqual(Array.from(got('best_alpha.npy').data as Float32Array), Array.from(lib.bestAlpha));
    for (const r of lib.cvR) t.true(r > 0.8);
    const w = got('weights.npy').data as Float32Array;
    // planted weight 2, standard error ≈ 1/√120 ≈ 0.09 plus mild shrinkage
    for (let k = 0; k < v; k++) t.true(Math.abs(w[k * v + k] - 2) < 0.35);
    await runEncode(['encode', '--X', join(dir, 'X.npy'), '--Y', join(dir, 'Y.npy'), '--no-weights', '--folds', '3', '--out', join(dir, 'nw')]);
    t.false(existsSync(join(dir, 'nw', 'weights.npy')));
    t.true(existsSync(join(dir, 'nw', 'cv_r_all.npy')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('encode rejects mismatched sample counts and a 1-D design with InputErrors naming the file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'encode-bad-'));
  try {
    writeNpy(join(dir, 'X.npy'), new Float32Array(20), [10, 2]);
    writeNpy(join(dir, 'Y.npy'), new Float32Array(18), [9, 2]);
    writeNpy(join(dir, 'x1.npy'), new Float32Array(10), [10]);
    const e1 = await t.throwsAsync(runEncode(['encode', '--X', join(dir, 'X.npy'), '--Y', join(dir, 'Y.npy'), '--out', join(dir, 'o')]), {
      instanceOf: InputError,
    });
    t.true(e1?.message.includes('Y.npy'));
    await t.throwsAsync(runEncode(['encode', '--X', join(dir, 'x1.npy'), '--Y', join(dir, 'Y.npy'), '--out', join(dir, 'o')]), {
      instanceOf: InputError,
      message: /2-D/,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--groups defines only the CV folds and --runs only where FIR delays stop: the verb equals ridgeCV on delayFeatures(X, runs) with stimulus groups', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'encode-runs-'));
  try {
    const rng = new Rng(43, 'encode-runs');
    const [n, p, v] = [120, 3, 4];
    const X = rng.normals(n * p);
    const Y = rng.normals(n * v);
    // The response follows the feature 2 samples later; 2 runs of 60 samples, 6 stimulus groups interleaved across runs.
    for (let i = 2; i < n; i++) for (let k = 0; k < v; k++) Y[i * v + k] += 1.5 * X[(i - 2) * p + (k % p)];
    const runs = groupsFromRunLengths([60, 60]);
    const groups = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 10) % 6);
    writeNpy(join(dir, 'X.npy'), X, [n, p]);
    writeNpy(join(dir, 'Y.npy'), Y, [n, v]);
    writeNpy(join(dir, 'G.npy'), groups, [n]);
    writeNpy(join(dir, 'R.npy'), runs, [n]);
    const out = join(dir, 'out');
    await runEncode([
      'encode',
      '--X',
      join(dir, 'X.npy'),
      '--Y',
      join(dir, 'Y.npy'),
      '--groups',
      join(dir, 'G.npy'),
      '--runs',
      join(dir, 'R.npy'),
      '--delays',
      'default',
      '--alphas',
      '1,100',
      '--out',
      out,
    ]);
    const D = delayFeatures(X, n, p, DEFAULT_FIR_DELAYS, runs);
    const lib = ridgeCV({ X: D, n, p: p * DEFAULT_FIR_DELAYS.length, Y, v, alphas: [1, 100], groups });
    t.deepEqual(Array.from(readNpy(join(out, 'cv_r.npy')).data as Float32Array), Array.from(lib.cvR));
    t.is(lib.nFolds, 6, 'six stimulus groups → leave-one-group-out over 6 folds');
    const meta = JSON.parse(readFileSync(join(out, 'encode.json'), 'utf8')) as { delays: number[]; folds: number; features: number };
    t.deepEqual(meta.delays, [1, 2, 3, 4, 5, 6]);
    t.is(meta.folds, 6);
    t.is(meta.features, 18);
    // Cutting delays at the stimulus groups instead (the old behaviour) gives a different design, so different scores.
    const cutAtGroups = ridgeCV({ X: delayFeatures(X, n, p, DEFAULT_FIR_DELAYS, groups), n, p: p * 6, Y, v, alphas: [1, 100], groups });
    t.notDeepEqual(Array.from(cutAtGroups.cvR), Array.from(lib.cvR));
    await t.throwsAsync(runEncode(['encode', '--X', join(dir, 'X.npy'), '--Y', join(dir, 'Y.npy'), '--runs', join(dir, 'R.npy'), '--out', join(dir, 'o2')]), {
      instanceOf: InputError,
      message: /--delays/,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

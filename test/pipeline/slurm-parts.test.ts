/**
 * The parts of scale-out that need no cluster: how voxels are split into
 * chunks and merged back, which SLURM end states are resubmitted, which
 * resources a target gets, how a job script quotes its command, and what
 * `cache status` makes of the executor's records.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmpDir } from '../helpers/tmp.js';
import { runCli } from '../helpers/cli.js';
import { voxelRange, writeChunkFits, mergeChunkFits } from '../../src/encoding/voxel-chunks.js';
import { VOXEL_BLOCK } from '../../src/encoding/voxel-blocks.js';
import type { SpaceFit } from '../../src/encoding/study.js';
import type { FeatureSpaceRef } from '../../src/encoding/feature-store.js';
import { jobPhase, jobScript, parseScontrolJob } from '../../src/pipeline/slurm-jobs.js';
import { resourcesFor, slurmConfigSchema } from '../../src/pipeline/slurm-config.js';
import { writeRecord } from '../../src/pipeline/job-records.js';
import { cacheStatus } from '../../src/pipeline/cache-status.js';
import { Rng } from '../../src/core/prng.js';

test('voxel chunks: whole 256-voxel blocks, contiguous, covering every voxel once, block counts within one', (t) => {
  for (const [nV, n] of [
    [440, 2],
    [440, 3],
    [100_000, 7],
    [1000, 4],
    [256, 1],
    [5000, 40],
  ]) {
    let next = 0;
    const sizes: number[] = [];
    for (let i = 0; i < n; i++) {
      const { lo, hi } = voxelRange({ index: i, count: n }, nV);
      t.is(lo, next, `nV ${nV}, chunk ${i}/${n} starts where the last ended`);
      t.is(lo % VOXEL_BLOCK, 0, 'starts on a block boundary');
      t.true(hi >= lo);
      sizes.push(Math.ceil((hi - lo) / VOXEL_BLOCK));
      next = hi;
    }
    t.is(next, nV, `nV ${nV} in ${n} chunks covers all voxels`);
    const full = sizes.slice(0, -1);
    if (full.length > 0) t.true(Math.max(...full) - Math.min(...full) <= 1);
  }
});

const ref = (area: string, iteration: number): FeatureSpaceRef => ({
  model: 'm',
  area,
  iteration,
  file: `/x/${area}-${iteration}.npy`,
  nRows: 10,
  nFeat: 3,
  rate: null,
});

test('chunk fits written per voxel range merge back into the planted whole-subject arrays exactly, in any order', (t) => {
  const dir = tmpDir('ba-chunks-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const nV = 700;
  const nTest = 5;
  const spaces = [ref('a1', 0), ref('t2', 1)];
  const rng = new Rng(3, 'chunks');
  const u = (n: number) => Float32Array.from({ length: n }, () => rng.nextU32() / 2 ** 32);
  const whole: SpaceFit[] = spaces.map((r) => ({ ref: r, alpha: u(nV), cvScore: u(nV), r: u(nV), r2: u(nV), pred: u(nTest * nV) }));
  const dirs: string[] = [];
  for (let i = 0; i < 3; i++) {
    const range = voxelRange({ index: i, count: 3 }, nV);
    const w = range.hi - range.lo;
    const part = whole.map((f) => ({
      ...f,
      alpha: f.alpha.slice(range.lo, range.hi),
      cvScore: f.cvScore.slice(range.lo, range.hi),
      r: f.r.slice(range.lo, range.hi),
      r2: f.r2.slice(range.lo, range.hi),
      pred: Float32Array.from({ length: nTest * w }, (_, k) => f.pred[Math.floor(k / w) * nV + range.lo + (k % w)]),
    }));
    const d = path.join(dir, `c${i}`);
    writeChunkFits(d, part, { index: i, count: 3 }, range, nV, nTest);
    dirs.push(d);
  }
  const merged = mergeChunkFits([dirs[2], dirs[0], dirs[1]], spaces, nV, nTest);
  for (let s = 0; s < spaces.length; s++) {
    for (const k of ['alpha', 'cvScore', 'r', 'r2', 'pred'] as const) t.deepEqual(merged[s][k], whole[s][k], `${spaces[s].area} ${k}`);
  }
  // A missing chunk, a chunk of another subject size or of other spaces is refused, never merged.
  t.throws(() => mergeChunkFits([dirs[0], dirs[2]], spaces, nV, nTest), { message: /do not tile the voxels: expected one starting at voxel 256/ });
  t.throws(() => mergeChunkFits(dirs, spaces, nV + 1, nTest), { message: /this subject has 701 × 5/ });
  t.throws(() => mergeChunkFits(dirs, [spaces[1], spaces[0]], nV, nTest), { message: /other feature spaces/ });
});

test("end states: a command's own exit fails, anything that stopped the job from outside is resubmitted", (t) => {
  const job = (state: string, exit: string) =>
    parseScontrolJob(`JobId=7 JobName=x UserId=root(0) JobState=${state} Reason=None Dependency=(null) ExitCode=${exit} RunTime=00:00:01`);
  const parsed = job('FAILED', '2:0');
  t.deepEqual(parsed, { id: '7', state: 'FAILED', exitCode: 2, signal: 0, reason: 'None' });
  const phase = (s: string, e: string) => {
    const j = job(s, e);
    if (!j) throw new Error('unparsed');
    return jobPhase(j);
  };
  t.is(phase('COMPLETED', '0:0'), 'done');
  t.is(phase('FAILED', '2:0'), 'failed');
  t.is(phase('FAILED', '1:0'), 'failed');
  t.is(phase('FAILED', '0:9'), 'resubmit');
  t.is(phase('FAILED', '137:0'), 'resubmit');
  for (const s of ['CANCELLED', 'PREEMPTED', 'NODE_FAIL', 'BOOT_FAIL', 'TIMEOUT', 'OUT_OF_MEMORY']) t.is(phase(s, '0:15'), 'resubmit', s);
  for (const s of ['PENDING', 'REQUEUED', 'SUSPENDED']) t.is(phase(s, '0:0'), 'pending', s);
  t.is(phase('RUNNING', '0:0'), 'running');
  t.is(parseScontrolJob('slurm_load_jobs error: Invalid job id specified'), null);
});

test('resources: the first matching rule over the defaults; a bad size or time names the field', (t) => {
  const cfg = slurmConfigSchema.parse({
    default: { cpus: 1, mem: '2G', time: '1:00:00', partition: 'short', account: null, retries: 2 },
    targets: [
      { match: '*train-*', cpus: 4, time: '4:00:00' },
      { match: 'encode-*.chunk-*', mem: '8G' },
      { match: 'encode-*', mem: '3G' },
    ],
  });
  t.deepEqual(resourcesFor(cfg, 'align-train-cnn'), { cpus: 4, mem: '2G', time: '4:00:00', partition: 'short', account: null, retries: 2 });
  t.is(resourcesFor(cfg, 'encode-ban_sub-01.chunk-2-of-4').mem, '8G');
  t.is(resourcesFor(cfg, 'encode-ban_sub-01').mem, '3G');
  t.is(resourcesFor(cfg, 'report-ban-bas').cpus, 1);
  t.false(slurmConfigSchema.safeParse({ default: { cpus: 1, mem: 'lots', time: '1:00:00', partition: null, account: null, retries: 1 } }).success);
  t.false(slurmConfigSchema.safeParse({ targets: [{ match: 'x', time: 'soon' }] }).success);
  const bad = runCli(['slurm', 'run', '--target', 'x.json', '--resources', path.join('pipelines', 'ban-bas.json'), '--', 'true']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /^brainalign: pipelines\/ban-bas\.json: .*\n$/);
});

test('a job script runs its command with every argument byte-exact (quotes, spaces, $, ;, newlines)', (t) => {
  const dir = tmpDir('ba-jobscript-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const args = ["it's", 'a "b"', '$(touch INJ)', 'x;y', 'two\nlines', '', '*'];
  const script = path.join(dir, 'job.sh');
  fs.writeFileSync(script, jobScript([process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...args]));
  const r = spawnSync('/bin/sh', [script], { cwd: dir, encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), args);
  t.false(fs.existsSync(path.join(dir, 'INJ')));
});

test('cache status: records give pending, running, done and failed; a record whose executor is gone is failed; stamps alone are done', (t) => {
  const root = tmpDir('ba-status-');
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const base = { command: ['x'], attempts: [{ jobId: '1', slurmState: 'PENDING', exitCode: 0, signal: 0 }] };
  writeRecord(root, { ...base, target: 'd/stamps/a.json', state: 'pending', jobId: '1' });
  writeRecord(root, { ...base, target: 'd/stamps/b.json', state: 'running', jobId: '2' });
  writeRecord(root, { ...base, target: 'd/stamps/c.json', state: 'failed', jobId: '3', message: 'exit 2' });
  fs.mkdirSync(path.join(root, 'stamps'));
  fs.writeFileSync(path.join(root, 'stamps', 'local.json'), '{}');
  const live = cacheStatus(root);
  t.deepEqual(
    live.map((r) => [r.target, r.state]),
    [
      ['a', 'pending'],
      ['b', 'running'],
      ['c', 'failed'],
      ['local', 'done'],
    ],
  );
  // The executor (this test's pid in the records) is reported dead: its pending and running targets can no longer finish.
  const gone = cacheStatus(root, { alive: () => false });
  t.deepEqual(
    gone.map((r) => [r.target, r.state]),
    [
      ['a', 'failed'],
      ['b', 'failed'],
      ['c', 'failed'],
      ['local', 'done'],
    ],
  );
  t.regex(gone[0].note, /executor gone/);
  const cli = runCli(['cache', 'status', '--out', root]);
  t.is(cli.code, 0, cli.stderr);
  t.regex(cli.stdout, /1 pending, 1 running, 1 done, 1 failed\n$/);
});

test('bad scale-out input is one line and exit 2: a chunk outside 1…N, --chunk with --merge, a cluster that does not answer', (t) => {
  const dir = tmpDir('ba-scale-bad-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const encode = (extra: string[]) => runCli(['encode', '--features', path.join(dir, 'none.json'), '--bids', dir, '--subject', '01', '--out', dir, ...extra]);
  for (const [chunk, msg] of [
    ['3/2', /--chunk: expected I\/N with 1 ≤ I ≤ N, e\.g\. 2\/4; got "3\/2"/],
    ['0/4', /--chunk: expected I\/N/],
    ['half', /--chunk: expected I\/N/],
  ] as const) {
    const r = encode(['--chunk', chunk]);
    t.is(r.code, 2, chunk);
    t.regex(r.stderr, new RegExp(`^brainalign: ${msg.source}.*\\n$`), chunk);
  }
  const both = encode(['--chunk', '1/2', '--merge', 'a.json']);
  t.is(both.code, 2);
  t.regex(both.stderr, /^brainalign: --chunk: give either --chunk .* or --merge .*, not both\n$/);
  const conf = path.join(dir, 'slurm.conf');
  fs.writeFileSync(conf, 'ClusterName=none\nSlurmctldHost=localhost(127.0.0.1)\nSlurmctldPort=1\n');
  const down = runCli(['slurm', 'run', '--target', 'x.json', '--out', dir, '--', 'true'], { env: { SLURM_CONF: conf } });
  t.is(down.code, 2);
  t.regex(
    down.stderr,
    /^brainalign: slurm: sbatch: .*\(is the cluster up, and SLURM_CONF set\? scripts\/slurm\/cluster\.sh status; for the local cluster: eval "\$\(scripts\/slurm\/cluster\.sh env\)"\)\n$/,
  );
  t.false(fs.existsSync(path.join(dir, '.jobs', 'x.json')), 'no record of a job that was never submitted');
});

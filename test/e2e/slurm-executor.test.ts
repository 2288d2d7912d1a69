/**
 * Scale-out on a real SLURM cluster (munged, slurmctld and slurmd from
 * Debian's packages, one host), brought up here by scripts/slurm/cluster.sh
 * and stopped afterwards unless it was already up (CI and the measurements
 * share it). A reduced study (small synth → log-mel features → one subject's
 * voxel-wise encoding in two voxel chunks) is run by make with
 * EXECUTOR=slurm, and must give the bytes of the plain local make; a chunk
 * job frozen and cancelled mid-way is resubmitted and the result is still
 * those bytes. If the cluster cannot start, the tests fail: they never skip.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { REPO, runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { SMALL_SYNTH_INPUT } from '../../src/synth/config.js';

const CLUSTER = path.join(REPO, 'scripts', 'slurm', 'cluster.sh');
const KEEP_BUILD = ['-o', 'build', '-o', '.make/system-deps', '-o', 'node_modules/.package-lock.json', '-o', 'dist/cli.js'];
const work = tmpDir('ba-slurm-');
const synthCfg = path.join(work, 'small.json');
const study = path.join(work, 'study');
let slurmConf = '';
let startedHere = false;

test.before(() => {
  fs.writeFileSync(synthCfg, JSON.stringify(SMALL_SYNTH_INPUT));
  startedHere = spawnSync(CLUSTER, ['status'], { encoding: 'utf8' }).status !== 0;
  const up = spawnSync(CLUSTER, ['up'], { encoding: 'utf8', timeout: 240_000 });
  if (up.status !== 0) throw new Error(`the SLURM cluster did not start (scripts/slurm/cluster.sh up):\n${up.stderr}`);
  const env = spawnSync(CLUSTER, ['env'], { encoding: 'utf8' }).stdout;
  slurmConf = /SLURM_CONF=(\S+)/.exec(env)?.[1] ?? '';
  if (!fs.existsSync(slurmConf)) throw new Error(`no slurm.conf at "${slurmConf}"`);
});

test.after.always(() => {
  if (startedHere) spawnSync(CLUSTER, ['down'], { encoding: 'utf8' });
  fs.rmSync(work, { recursive: true, force: true });
});

const target = (d: string) => path.join(d, 'stamps', 'align-encode-logmel_sub-01.json');

function makeArgs(d: string, extra: string[]): string[] {
  return [
    '--no-print-directory',
    ...KEEP_BUILD,
    '-j2',
    `SYNTH_CFG=${synthCfg}`,
    `STUDY=${study}`,
    `D=${d}`,
    'FMRI_SUBJECTS=01',
    'QUIET=--quiet',
    ...extra,
    target(d),
  ];
}

function makeRun(d: string, extra: string[]): { done: Promise<{ code: number; stderr: string }> } {
  const child = spawn('make', makeArgs(d, extra), { cwd: REPO, env: { ...process.env, SLURM_CONF: slurmConf }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdout.resume();
  return { done: new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stderr }))) };
}

/** Every file of the encode artifact and the published tree, except provenance.json (wall times, paths), as relative path → bytes. */
function encodeFiles(d: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(path.join(dir, e.name), r);
      else if (e.name !== 'provenance.json') out.set(r, fs.readFileSync(path.join(dir, e.name)));
    }
  };
  walk(path.join(d, 'artifacts', 'encode'), 'artifacts/encode');
  walk(path.join(d, 'sub-01'), 'sub-01');
  out.set('stamp', fs.readFileSync(target(d)));
  return out;
}

function sameBytes(
  t: { is: (a: unknown, b: unknown, m?: string) => void; true: (a: boolean, m?: string) => void },
  a: Map<string, Buffer>,
  b: Map<string, Buffer>,
): void {
  t.is([...b.keys()].sort().join('\n'), [...a.keys()].sort().join('\n'), 'the same files');
  for (const [k, v] of a) t.true(v.equals(b.get(k) ?? Buffer.alloc(0)), `${k} differs`);
}

const localRoot = path.join(work, 'local');
const slurmRoot = path.join(work, 'slurm');

test.serial(
  "make EXECUTOR=slurm ENCODE_CHUNKS=2 (synth, features, two voxel chunks, merge as five jobs) gives the local run's encoding byte for byte",
  async (t) => {
    // The local make and the cluster's run side by side: both mostly wait.
    const [lr, sr] = await Promise.all([makeRun(localRoot, []).done, makeRun(slurmRoot, ['EXECUTOR=slurm', 'ENCODE_CHUNKS=2']).done]);
    t.is(lr.code, 0, lr.stderr);
    t.is(sr.code, 0, sr.stderr);
    const d = slurmRoot;
    sameBytes(t, encodeFiles(localRoot), encodeFiles(d));
    // Each stage ran as its own job: five records, every one done by one job.
    const status = runCli(['cache', 'status', '--out', d, '--json']);
    t.is(status.code, 0, status.stderr);
    const rows = JSON.parse(status.stdout) as { target: string; state: string; jobId: string | null; attempts: number }[];
    const jobs = rows.filter((x) => x.jobId !== null);
    t.deepEqual(jobs.map((x) => x.target).sort(), [
      'align-encode-logmel_sub-01',
      'align-encode-logmel_sub-01.chunk-1-of-2',
      'align-encode-logmel_sub-01.chunk-2-of-2',
      'align-features-logmel',
      'input',
    ]);
    t.true(jobs.every((x) => x.state === 'done' && x.attempts === 1));
    // The two chunks hold disjoint voxel ranges (blocks of 256 of the 440 voxels), so both really fitted.
    const chunks = fs.readdirSync(path.join(d, 'artifacts', 'encode-chunk')).filter((k) => !k.startsWith('.'));
    t.is(chunks.length, 2);
  },
);

test.serial(
  'a chunk job frozen and cancelled mid-stage (scontrol suspend, scancel) is resubmitted; its temp folder is ignored and collected; the encoding is still the local bytes',
  async (t) => {
    const ref = encodeFiles(localRoot);
    // The same root as above with the encoding and its chunks removed: make redoes only them.
    const d = slurmRoot;
    // Chunk 1's key (a content address: the same in this re-run) names its stage temp folder, .tmp-<key>-<pid>-<ms>.
    const chunkStamp = path.join(d, 'stamps', 'align-encode-logmel_sub-01.chunk-1-of-2.json');
    t.true(fs.existsSync(chunkStamp), 'the run above left its chunk stamps');
    const chunkKey = (JSON.parse(fs.readFileSync(chunkStamp, 'utf8')) as { key: string }).key;
    for (const f of fs.readdirSync(path.join(d, 'stamps'))) if (f.startsWith('align-encode-')) fs.rmSync(path.join(d, 'stamps', f));
    for (const p of ['artifacts/encode', 'artifacts/encode-chunk', 'sub-01', '.jobs']) fs.rmSync(path.join(d, p), { recursive: true, force: true });
    const record = path.join(d, '.jobs', 'align-encode-logmel_sub-01.chunk-1-of-2.json');
    const tmpParent = path.join(d, 'artifacts', 'encode-chunk');
    const run = makeRun(d, ['EXECUTOR=slurm', 'ENCODE_CHUNKS=2']);
    // Wait until the chunk's job has opened its stage temp folder: the stage is mid-way.
    let jobId = '';
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const rec = fs.existsSync(record) ? (JSON.parse(fs.readFileSync(record, 'utf8')) as { jobId: string; state: string }) : null;
      const temps = fs.existsSync(tmpParent) ? fs.readdirSync(tmpParent).filter((n) => n.startsWith(`.tmp-${chunkKey}-`)) : [];
      if (rec && rec.state === 'running' && temps.length > 0) {
        jobId = rec.jobId;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    t.not(jobId, '', 'the chunk job was seen running with its temp folder');
    // Freeze it first, so it cannot finish between our look and the kill.
    const env = { ...process.env, SLURM_CONF: slurmConf };
    const suspend = spawnSync('scontrol', ['suspend', jobId], { encoding: 'utf8', env });
    t.is(suspend.status, 0, `scontrol suspend ${jobId}: ${suspend.stderr} (the job ended before it could be frozen)`);
    const frozenTemps = fs.readdirSync(tmpParent).filter((n) => n.startsWith(`.tmp-${chunkKey}-`));
    t.true(frozenTemps.length > 0, 'the frozen job has not renamed its folder');
    t.is(spawnSync('scancel', [jobId], { encoding: 'utf8', env }).status, 0);
    const { code, stderr } = await run.done;
    t.is(code, 0, stderr);
    t.regex(stderr, new RegExp(`job ${jobId} ended CANCELLED \\(signal \\d+\\); resubmitting`));
    const rec = JSON.parse(fs.readFileSync(record, 'utf8')) as { state: string; attempts: { jobId: string; slurmState: string }[] };
    t.is(rec.state, 'done');
    t.deepEqual(
      rec.attempts.map((a) => a.slurmState),
      ['CANCELLED', 'COMPLETED'],
    );
    sameBytes(t, ref, encodeFiles(d));
    // The killed attempt left only its temp folder; no artifact is half there, and gc collects the debris.
    const left = fs.readdirSync(tmpParent);
    t.is(left.filter((n) => !n.startsWith('.')).length, 2);
    for (const k of left.filter((n) => !n.startsWith('.'))) t.true(fs.existsSync(path.join(tmpParent, k, 'provenance.json')));
    t.deepEqual(
      left.filter((n) => n.startsWith('.tmp-')),
      frozenTemps,
      "the killed attempt's temp folder, and only it, is left before gc",
    );
    const gc = runCli(['cache', 'gc', '--out', d]);
    t.is(gc.code, 0, gc.stderr);
    t.deepEqual(
      fs.readdirSync(tmpParent).filter((n) => n.startsWith('.tmp-')),
      [],
    );
    const status = runCli(['cache', 'status', '--out', d]);
    t.regex(status.stdout, /align-encode-logmel_sub-01\.chunk-1-of-2\s+done\s+\d+\s+2\s+jobs: \d+ CANCELLED, \d+ COMPLETED/);
    t.regex(status.stdout, /0 pending, 0 running, \d+ done, 0 failed/);
  },
);

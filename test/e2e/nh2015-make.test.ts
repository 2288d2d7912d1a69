/**
 * `make DATASET=data-manifests/nh2015.json ROOT=…` on a replica of the
 * published files (test/helpers/nh2015_replica.py): verify → view → features
 * (log-mel, random BAN) → nested layer-choice encoding → RSA → group tables
 * and report, with no manual step. The replica's voxels respond to the band
 * energies of the sounds, which the log-mel carries: planted voxels must be
 * predicted, noise voxels not.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync, execFileSync } from 'node:child_process';
import { readTsv } from '../../src/io/tsv.js';
import { readStamp } from '../../src/pipeline/stage.js';
import { REPO } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const TINY = {
  model: {
    nMels: 32,
    frames: 64,
    a1Width: 4,
    areas: [
      { name: 'belt', width: 4, times: 1 },
      { name: 'pb', width: 4, times: 1 },
      { name: 't', width: 4, times: 1 },
    ],
    fcHidden: [8],
  },
  features: { rate: 0.5 },
  sounds: { alphas: [1, 100, 10000], rsaFolds: 3, rsaRepeats: 2 },
};

const median = (x: number[]): number => {
  const s = x.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

test('make DATASET=nh2015 ROOT=…: planted voxels reach corrected r² > 0.5 with the log-mel, noise voxels r ≈ 0, and the report is written', (t) => {
  const dir = tmpDir('ba-nh2015-make-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'data');
  const truth = JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      ['-W', 'ignore', path.join(REPO, 'test', 'helpers', 'nh2015_replica.py'), root, JSON.stringify({ voxels: 10, subjects: [1, 3] })],
      { encoding: 'utf8', maxBuffer: 64 << 20 },
    ),
  ) as { planted: boolean[] };
  const cfg = path.join(dir, 'tiny.json');
  fs.writeFileSync(cfg, JSON.stringify(TINY));
  const D = path.join(dir, 'derivatives', 'brainalign');
  const args = ['-C', REPO, `D=${D}`, `DATASET=data-manifests/nh2015.json`, `ROOT=${root}`, `NS_CFG=${cfg}`, 'NS_BASELINES=logmel random-ban', 'QUIET=--quiet'];
  const r = spawnSync('make', args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 5 * 60_000 });
  t.is(r.status, 0, `make failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  if (r.status !== 0) return;
  t.regex(r.stdout, /data prepare: done .*165 sounds, 2 participant\(s\) \(18 voxels\), 6 components/);
  t.true(fs.existsSync(path.join(D, 'reports', 'natural-sounds.html')));
  const alignDir = readStamp(path.join(D, 'stamps', 'report-natural-sounds.json')).dir;
  const group = readTsv(path.join(alignDir, 'natural-sounds.tsv')).rows;
  t.deepEqual(group.map((g) => g.model).sort(), ['logmel', 'random-ban']);
  const logmel = group.find((g) => g.model === 'logmel');
  t.true(Number(logmel?.component_r2) > 0.5, `component r² ${logmel?.component_r2}`);
  t.true(Number(logmel?.rsa) > 0, `RSA ${logmel?.rsa}`);
  const encDir = readStamp(path.join(D, 'stamps', 'ns-encode-logmel.json')).dir;
  const planted: number[] = [];
  const noiseR: number[] = [];
  for (const sub of ['sub-01', 'sub-03']) {
    for (const row of readTsv(path.join(encDir, 'voxelwise', `logmel_${sub}.tsv`)).rows) {
      if (truth.planted[Number(row.voxel_id)]) planted.push(Number(row.r2_corrected));
      else noiseR.push(Number(row.r));
    }
  }
  t.is(planted.length, 10); // 5 planted voxels per participant; the 2-scan voxel is left out
  t.true(median(planted) > 0.5, `planted median corrected r² ${median(planted)}`);
  t.true(Math.abs(median(noiseR)) < 0.15, `noise median r ${median(noiseR)}`);
  // Nothing changed → nothing re-runs.
  const again = spawnSync('make', args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });
  t.is(again.status, 0);
  t.notRegex(again.stdout, /done \(/);
});

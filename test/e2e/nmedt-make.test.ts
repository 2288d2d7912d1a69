/**
 * NMED-T end to end as a user runs it: `make DATASET=data-manifests/nmed-t.json
 * ROOT=…` on a ten-song replica that Python writes with NMED-T's file and
 * variable names (test/helpers/nmedt_replica.py --full: cleaned files in v7
 * and v7.3, the songs as WAVs). The manifest alone must steer make: verify the
 * files, run only the EEG study, prepare each listener from the MATLAB files
 * with the filters off, and decode against the stm target. About a minute.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { readTsv } from '../../src/io/tsv.js';
import { readStamp } from '../../src/pipeline/stage.js';
import { REPO } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

test('make DATASET=data-manifests/nmed-t.json ROOT=<replica> runs data verify → eeg-prep → features (stm) → decode-eeg → report, and nothing of the fMRI studies', (t) => {
  t.timeout(15 * 60_000); // a minute and a half alone; several times that on a shared machine
  const dir = tmpDir('brainalign-nmedt-make-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'nmedt');
  fs.mkdirSync(root);
  execFileSync('/usr/bin/python3', ['-W', 'ignore', path.join(REPO, 'test', 'helpers', 'nmedt_replica.py'), root, '--full'], { encoding: 'utf8' });
  const D = path.join(dir, 'derivatives', 'brainalign');
  // Only sizes are overridden: the listeners (the replica has 4, NMED-T 20) and a reduced decode section.
  const vars = ['DATASET=data-manifests/nmed-t.json', `ROOT=${root}`, `D=${D}`, 'EEG_SUBJECTS=01 02', 'EEG_CFG=test/fixtures/e2e/nmed-t.json', 'QUIET=--quiet'];
  const r = spawnSync('make', ['-C', REPO, '-j2', ...vars], { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 14 * 60_000 });
  t.is(r.status, 0, `make failed:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  if (r.status !== 0) return;

  const stamps = fs.readdirSync(path.join(D, 'stamps')).sort();
  t.deepEqual(stamps, ['decode-eeg.json', 'eeg-prep_sub-01.json', 'eeg-prep_sub-02.json', 'features-eeg.json', 'input.json', 'report-eeg-identification.json']);

  // Each listener: one segment per song, 20 s (the shortest song) − 0.2 s shift at 125 Hz, 8 electrodes, no filter.
  for (const sub of ['01', '02']) {
    const side = JSON.parse(fs.readFileSync(path.join(D, `sub-${sub}`, 'eeg', `sub-${sub}_task-nmedt_desc-segments_eeg.json`), 'utf8')) as {
      shape: number[];
      stim_ids: string[];
      rate_hz: number;
      parameters: { bandpassHz: unknown; notchHz: number[] };
    };
    t.deepEqual(side.shape, [10, 8, Math.round((20 - 0.2) * 125)]);
    t.deepEqual(
      side.stim_ids,
      Array.from({ length: 10 }, (_, i) => `song${21 + i}`),
    );
    t.is(side.rate_hz, 125);
    t.is(side.parameters.bandpassHz, null);
    t.deepEqual(side.parameters.notchHz, []);
    t.deepEqual(
      fs.readdirSync(path.join(D, `sub-${sub}`, 'eeg')).filter((f) => f.startsWith('.')),
      [],
    );
  }

  // The decoders scored every listener against 10 songs.
  const scores = readTsv(path.join(readStamp(path.join(D, 'stamps', 'decode-eeg.json')).dir, 'group', 'desc-identification_scores.tsv')).rows;
  t.deepEqual([...new Set(scores.map((x) => x.decoder))].sort(), ['mtrf-envelope', 'regression']);
  for (const row of scores) {
    t.is(Number(row.chance), 0.1);
    t.true(Number(row.top1) >= 0 && Number(row.top1) <= 1);
  }
  t.true(fs.existsSync(path.join(D, 'reports', 'eeg-identification.html')));
});

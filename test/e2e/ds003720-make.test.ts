/**
 * `make DATASET=… ROOT=… GTZAN=…` on the ds003720 replica
 * (test/helpers/ds003720-replica.ts): the BAN/BAS study runs from the
 * published layout with no manual step, with a tiny BAN so it takes well
 * under a minute. The replica's manifest is the shipped one with the file
 * counts of the replica (the shipped counts are the full dataset's).
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readTsv } from '../../src/io/tsv.js';
import { readStamp } from '../../src/pipeline/stage.js';
import { REPO } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { buildReplica } from '../helpers/ds003720-replica.js';

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
  train: { epochs: 2, patience: 2, checkpointEvery: 0, split: 'fmri', windowsPerClip: 1 },
  features: { tr: 1.5 },
  encode: {
    atlas: {
      dseg: 'derivatives/atlas/sub-{subject}_space-bold_dseg.nii.gz',
      labels: 'derivatives/atlas/sub-{subject}_space-bold_dseg.tsv',
      mask: 'derivatives/atlas/sub-{subject}_space-bold_desc-brain_mask.nii.gz',
    },
    alphas: [1, 100, 10000],
    nPerm: 0,
  },
  align: { nBoot: 20, bas: { nBoot: 20, nPerm: 0 }, rsa: { folds: 3, repeats: 2 } },
};

test('make ban-bas DATASET=ds003720 ROOT=… GTZAN=…: verify, view, train, features, encode, align and report with no manual step', (t) => {
  const dir = tmpDir('ba-ds003720-make-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const rep = buildReplica(dir, { trainRuns: 3 });
  const shipped = JSON.parse(fs.readFileSync(path.join(REPO, 'data-manifests', 'ds003720.json'), 'utf8')) as Record<string, unknown> & {
    files: { path: string }[];
  };
  const manifest = path.join(dir, 'ds003720.json');
  fs.writeFileSync(
    manifest,
    JSON.stringify({
      ...shipped,
      files: shipped.files.filter((f) => !f.path.endsWith('_bold.nii')),
      patterns: [
        { glob: 'sub-001/func/sub-001_task-Training_run-0?_bold.nii', count: 3 },
        { glob: 'sub-001/func/sub-001_task-Test_run-0?_bold.nii', count: 2 },
        { glob: 'sub-001/func/*_events.tsv', count: 5 },
      ],
    }),
  );
  const cfg = path.join(dir, 'tiny.json');
  fs.writeFileSync(cfg, JSON.stringify(TINY));
  const D = path.join(dir, 'derivatives', 'brainalign');
  const r = spawnSync(
    'make',
    [
      '-C',
      REPO,
      'ban-bas',
      `D=${D}`,
      `DATASET=${manifest}`,
      `ROOT=${rep.root}`,
      `GTZAN=${rep.gtzan}`,
      'FMRI_SUBJECTS=001',
      `BANBAS_CFG=${cfg}`,
      'QUIET=--quiet',
    ],
    {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      timeout: 5 * 60_000,
    },
  );
  t.is(r.status, 0, `make failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  if (r.status !== 0) return;
  t.regex(r.stdout, /data prepare: done .*61 excerpts \(41 train, 20 test\), 4 test repetitions/);
  // The stages read the view through $(D)/input/<manifest name>.
  // (Recipes pass paths as quoted environment variables, so the path is checked in what prepare printed and on disk.)
  t.regex(r.stdout, new RegExp(`view at ${D.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/input/ds003720`));
  t.true(fs.existsSync(path.join(D, 'input', 'ds003720', 'stimuli')));
  const train = readStamp(path.join(D, 'stamps', 'train-ban.json')).dir;
  const split = readTsv(path.join(train, 'split.tsv')).rows;
  // split = fmri: BAN is tested on exactly the excerpts the test runs play.
  t.deepEqual(
    split
      .filter((x) => x.split === 'test')
      .map((x) => x.stim_id)
      .sort(),
    [...rep.testIds].sort(),
  );
  const roi = readTsv(path.join(D, 'sub-001', 'func', 'sub-001_desc-banbest_roi.tsv')).rows.filter((x) => x.area === 'best');
  t.deepEqual(roi.map((x) => x.roi).sort(), ['A1', 'Belt', 'Parabelt', 'T2/T3']);
  for (const x of roi) t.true(Number(x.median_r) > 0.3, `${x.roi}: median r ${x.median_r}`);
  // No listener judgements in ds003720: s_r and the area × ROI matrix, no s_b/BAS.
  const bas = readStamp(path.join(D, 'stamps', 'bas.json')).dir;
  const summary = JSON.parse(fs.readFileSync(path.join(bas, 'summary.json'), 'utf8')) as { groups: { sR: number; bas: unknown }[] };
  t.is(summary.groups[0].bas, null);
  t.true(summary.groups[0].sR > 0.3, `s_r ${summary.groups[0].sR}`);
  t.is(readTsv(path.join(bas, 'area_roi.tsv')).rows.length, 16);
  t.true(fs.existsSync(path.join(D, 'reports', 'ban-bas.html')));
});

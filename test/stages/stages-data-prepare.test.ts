/**
 * The dataset stage (`data prepare`) called as a function on an NH2015
 * replica as published (test/helpers/nh2015_replica.py: 4 voxels per
 * participant, participants 1 and 2): each participant's responses in the
 * view equal numpy's selection from the published arrays (3-scan voxels of
 * that participant), the link and the stamp point at the artifact, a re-run
 * is up to date and re-points the link; a link path that is not a symlink,
 * ds003720 without GTZAN and a manifest without a known adapter are errors
 * naming the parameter or the manifest.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { readNpy } from '../../src/io/npy.js';
import { readStamp } from '../../src/pipeline/stage.js';
import { runDataPrepareStage } from '../../src/stages/data-prepare.js';
import { REPO } from '../helpers/cli.js';
import { pyArgs } from '../helpers/python.js';
import { tmpDir } from '../helpers/tmp.js';

const dir = tmpDir('ba-stage-prepare-');
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));
const DATA = path.join(dir, 'data');
const ROOT = path.join(dir, 'deriv');
const LINK = path.join(ROOT, 'input', 'nh2015');
const STAMP = path.join(ROOT, 'stamps', 'input.json');
const manifest = (name: string): string => path.join(REPO, 'data-manifests', `${name}.json`);

test.before(() => {
  execFileSync('/usr/bin/python3', [
    '-W',
    'ignore',
    path.join(REPO, 'test', 'helpers', 'nh2015_replica.py'),
    DATA,
    JSON.stringify({ voxels: 4, subjects: [1, 2], b2021: false }),
  ]);
});

const NUMPY_SELECTION = `
import sys, json, numpy as np
nh = sys.argv[1] + '/neural/NH2015/'
a = np.load(nh + 'voxel_features_array.npy'); m = np.load(nh + 'voxel_features_meta.npy')
keep = m['n_reps'] == 3
a, m = a[:, keep, :], m[keep]
print(json.dumps({f'sub-{int(s):02d}': {'shape': list(a[:, m['subj_idx'] == s, :].shape), 'values': a[:, m['subj_idx'] == s, :].ravel().tolist()} for s in np.unique(m['subj_idx'])}))
`;

test.serial('NH2015 view: responses = numpy’s 3-scan selection per participant; link and stamp name the artifact; a re-run is up to date', async (t) => {
  const res = await runDataPrepareStage({ manifest: manifest('nh2015'), dataset: DATA, link: LINK, root: ROOT, seed: 0, stamp: STAMP });
  t.false(res.upToDate);
  t.regex(res.summary, /^165 sounds, 2 participant\(s\) \(\d+ voxels\), 6 components; view at /);
  t.is(fs.realpathSync(LINK), fs.realpathSync(res.dir));
  t.false(path.isAbsolute(fs.readlinkSync(LINK)), 'the link is relative, so the derivatives root can move');
  t.deepEqual(readStamp(STAMP), { stage: 'dataset', key: res.key, dir: res.dir });
  const want = pyArgs<Record<string, { shape: number[]; values: number[] }>>(NUMPY_SELECTION, DATA);
  t.deepEqual(Object.keys(want), ['sub-01', 'sub-02']);
  for (const [sub, w] of Object.entries(want)) {
    const a = readNpy(path.join(LINK, 'responses', `${sub}_responses.npy`));
    t.deepEqual(a.shape, w.shape, sub);
    const worst = w.values.reduce((m, v, i) => Math.max(m, Math.abs(v - Number(a.data[i])) / Math.max(1, Math.abs(v))), 0);
    t.true(worst < 1e-6, `${sub}: largest relative difference ${worst}`);
  }
  fs.rmSync(LINK);
  const again = await runDataPrepareStage({ manifest: manifest('nh2015'), dataset: DATA, link: LINK, root: ROOT, seed: 0 });
  t.true(again.upToDate);
  t.is(again.key, res.key);
  t.is(fs.realpathSync(LINK), fs.realpathSync(res.dir), 'the link is re-pointed even when the view is up to date');
});

test.serial('errors name the parameter or the manifest: a link that is a real file, ds003720 without GTZAN, no known adapter', async (t) => {
  const file = path.join(dir, 'not-a-link');
  fs.writeFileSync(file, 'x');
  const link = await t.throwsAsync(runDataPrepareStage({ manifest: manifest('nh2015'), dataset: DATA, link: file, root: ROOT, seed: 0 }), {
    instanceOf: InputError,
  });
  t.is(link?.where, 'link');
  t.is(fs.readFileSync(file, 'utf8'), 'x', 'the file is left alone');
  const gtzan = await t.throwsAsync(runDataPrepareStage({ manifest: manifest('ds003720'), dataset: DATA, root: ROOT, seed: 0 }), { instanceOf: InputError });
  t.is(gtzan?.where, 'gtzan');
  const plain = await t.throwsAsync(runDataPrepareStage({ manifest: manifest('gtzan'), dataset: DATA, root: ROOT, seed: 0 }), { instanceOf: InputError });
  t.is(plain?.where, manifest('gtzan'));
  t.regex(plain?.problem ?? '', /^mapping\.adapter is null; data prepare knows "ds003720" and "nh2015"/);
});

/**
 * The encode stage called as a function on a tiny synthetic fMRI study
 * (3 genres × 3 clips × 6 s, an 8×8×6 grid, TR 1.5 s) with log-mel features:
 * each ROI row of the written table is the median, over that ROI's voxels of
 * the atlas, of the written r map (read back with the NIfTI reader), and the
 * encoding fitted as two voxel chunks and merged is the local encoding, byte
 * for byte, under the same key. Errors name the parameter or the folder.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { generateStudy, synthConfigSchema } from '../../src/synth/index.js';
import { loadNifti } from '../../src/io/nifti.js';
import { readTsv } from '../../src/io/tsv.js';
import { modelStagesFileSchema } from '../../src/models/config.js';
import { encodeFileSchema } from '../../src/encoding/config.js';
import { runFeaturesStage } from '../../src/stages/features.js';
import { runEncodeStudyStage } from '../../src/stages/encode-study.js';
import { parseChunk } from '../../src/stages/encode-chunk.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir('ba-stage-encode-');
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));
const STUDY = path.join(tmp, 'study');
const A = path.join(tmp, 'local');
const B = path.join(tmp, 'chunked');
const config = encodeFileSchema.parse({ encode: { nPerm: 20 } }).encode;
let featuresDir = '';
// The chunked run has its own root, with its own copy of the features (sidecars name them relative to the encoding).
let featuresB = '';
let local = { key: '', dir: '' };

test.before(async () => {
  generateStudy(
    synthConfigSchema.parse({
      stimuli: { genres: ['classical', 'metal', 'reggae'], clipsPerGenre: 3, clipSec: 6 },
      fmri: { subjects: 1, grid: [8, 8, 6], tr: 1.5 },
      eeg: { subjects: 0, control: false },
      behaviour: { subjects: 0 },
    }),
    3,
    STUDY,
  );
  const feats = modelStagesFileSchema.parse({ features: { tr: 1.5 } });
  const features = (root: string) =>
    runFeaturesStage({ stimuli: path.join(STUDY, 'stimuli'), config: feats, trainDir: null, baseline: 'logmel', root, seed: 0 });
  featuresDir = (await features(A)).dir;
  featuresB = (await features(B)).dir;
  const res = await runEncodeStudyStage({ featuresDir, bids: STUDY, subject: '01', config, root: A, seed: 0 });
  local = { key: res.key, dir: res.dir };
});

const func = (root: string): string => path.join(root, 'sub-01', 'func');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

test('each ROI’s median r in the table = the median of the written r map over that ROI’s atlas voxels', (t) => {
  const r = loadNifti(path.join(func(A), 'sub-01_task-test_desc-logmelLogmel_r.nii.gz')).getData();
  const atlas = loadNifti(path.join(STUDY, config.atlas.dseg)).getData();
  const labels = readTsv(path.join(STUDY, config.atlas.labels)).rows;
  const rows = readTsv(path.join(func(A), 'sub-01_desc-logmel_roi.tsv')).rows.filter((x) => x.area === 'logmel');
  let checked = 0;
  for (const { index, name } of labels) {
    const row = rows.find((x) => x.roi === name);
    if (!row) continue;
    const rs = Array.from(atlas.keys())
      .filter((i) => atlas[i] === Number(index))
      .map((i) => r[i]);
    t.is(Number(row.n_voxels), rs.length, name);
    if (rs.length === 0) t.is(row.median_r, 'n/a', name);
    else {
      t.true(Math.abs(Number(row.median_r) - median(rs)) < 1e-6, `${name}: ${row.median_r} vs ${median(rs)}`);
      checked++;
    }
  }
  t.true(checked >= 3, 'at least three ROIs have voxels on this grid');
});

test('two voxel chunks merged = the local encoding: same key, every published file byte-identical; a chunk of another encoding is refused', async (t) => {
  const chunks = [];
  for (const c of ['1/2', '2/2']) {
    const res = await runEncodeStudyStage({ featuresDir: featuresB, bids: STUDY, subject: 'sub-01', config, chunk: parseChunk(c), root: B, seed: 0 });
    t.regex(res.scope ?? '', new RegExp(`^sub-01 chunk ${c} of ${local.key}$`));
    chunks.push(res.dir);
  }
  t.false(fs.existsSync(func(B)), 'a chunk publishes nothing');
  const merged = await runEncodeStudyStage({ featuresDir: featuresB, bids: STUDY, subject: '01', config, merge: chunks, root: B, seed: 0 });
  t.is(merged.key, local.key);
  const files = fs.readdirSync(func(A)).sort();
  t.deepEqual(fs.readdirSync(func(B)).sort(), files);
  for (const f of files) t.true(fs.readFileSync(path.join(func(A), f)).equals(fs.readFileSync(path.join(func(B), f))), f);
  const other = { ...config, alphas: [1, 10] };
  const e = await t.throwsAsync(runEncodeStudyStage({ featuresDir: featuresB, bids: STUDY, subject: '01', config: other, merge: chunks, root: B, seed: 0 }), {
    instanceOf: InputError,
  });
  t.is(e?.where, chunks[0]);
  const one = await t.throwsAsync(
    runEncodeStudyStage({ featuresDir: featuresB, bids: STUDY, subject: '01', config, merge: chunks.slice(1), root: B, seed: 0 }),
    {
      instanceOf: InputError,
    },
  );
  t.is(one?.where, 'merge');
});

test('errors name the parameter: a chunk outside 1…N, a delay as long as a run (config), a subject the dataset lacks', async (t) => {
  t.is(t.throws(() => parseChunk('3/2'), { instanceOf: InputError })?.where, 'chunk');
  const long = await t.throwsAsync(
    runEncodeStudyStage({ featuresDir, bids: STUDY, subject: '01', config: { ...config, delays: [1, 500] }, root: B, seed: 0 }),
    {
      instanceOf: InputError,
    },
  );
  t.is(long?.where, 'delays');
  const none = await t.throwsAsync(runEncodeStudyStage({ featuresDir, bids: STUDY, subject: '09', config, root: B, seed: 0 }), { instanceOf: InputError });
  t.deepEqual([none?.where, none?.problem], [STUDY, 'no sub-09 folder']);
});

/**
 * The encode-sounds stage called as a function on an NH2015 replica
 * (test/helpers/nh2015_replica.py: per participant, voxels planted to respond
 * to the sounds' band energy in dB, one noise voxel, 3 scans) with log-mel
 * features of the 165 sounds: the planted voxels are predicted (held-out
 * r > 0.8) and the noise voxel is not (|r| < 0.4); each participant's median
 * reliability equals numpy's Spearman–Brown of the median pairwise scan r;
 * a folder that is not a natural-sounds view is named in the error.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { readTsv } from '../../src/io/tsv.js';
import { modelStagesFileSchema } from '../../src/models/config.js';
import { soundsFileSchema } from '../../src/encoding/sound-config.js';
import { runDataPrepareStage } from '../../src/stages/data-prepare.js';
import { runFeaturesStage } from '../../src/stages/features.js';
import { runEncodeSoundsStage } from '../../src/stages/encode-sounds.js';
import { REPO } from '../helpers/cli.js';
import { pyArgs } from '../helpers/python.js';
import { tmpDir } from '../helpers/tmp.js';

const dir = tmpDir('ba-stage-sounds-');
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));
const DATA = path.join(dir, 'data');
const ROOT = path.join(dir, 'deriv');
const config = soundsFileSchema.parse({ sounds: { outerFolds: 3, innerFolds: 3, rsaRepeats: 2 } }).sounds;
let view = '';
let featuresDir = '';
let truth: { planted: boolean[]; complete: boolean[]; subjects: number[] };

test.before(async () => {
  const out = execFileSync(
    '/usr/bin/python3',
    ['-W', 'ignore', path.join(REPO, 'test', 'helpers', 'nh2015_replica.py'), DATA, JSON.stringify({ voxels: 4, subjects: [1, 2], b2021: false })],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  truth = JSON.parse(out) as typeof truth;
  view = (await runDataPrepareStage({ manifest: path.join(REPO, 'data-manifests', 'nh2015.json'), dataset: DATA, root: ROOT, seed: 0 })).dir;
  const feats = modelStagesFileSchema.parse({ features: { rate: 0.5 } });
  featuresDir = (await runFeaturesStage({ stimuli: path.join(view, 'stimuli'), config: feats, trainDir: null, baseline: 'logmel', root: ROOT, seed: 0 })).dir;
});

const NUMPY_RELIABILITY = `
import sys, json, numpy as np
out = {}
for f in sys.argv[1:]:
    y = np.load(f).astype(np.float64)  # sounds × voxels × scans
    rel = []
    for v in range(y.shape[1]):
        c = np.corrcoef(y[:, v, :].T)
        r = np.median([c[i, j] for i in range(3) for j in range(i + 1, 3)])
        rel.append(3 * r / (1 + 2 * r))
    out[f] = float(np.median(rel))
print(json.dumps(out))
`;

test('planted voxels predicted, the noise voxel not; median reliability = numpy’s Spearman–Brown of the median pairwise scan r', async (t) => {
  const res = await runEncodeSoundsStage({ featuresDir, study: view, config, root: ROOT, seed: 0 });
  t.regex(res.summary, /^logmel: median corrected r² \d\.\d{3} over 2 participant\(s\)$/);
  const enc = readTsv(path.join(res.dir, 'encoding.tsv')).rows;
  const files = ['sub-01', 'sub-02'].map((s) => path.join(view, 'responses', `${s}_responses.npy`));
  const rel = pyArgs<Record<string, number>>(NUMPY_RELIABILITY, ...files);
  truth.subjects.forEach((s, k) => {
    const sub = `sub-${String(s).padStart(2, '0')}`;
    // The view keeps a participant's 3-scan voxels; voxel_id is the voxel's place in the published (meta) order.
    const per = truth.planted.length / truth.subjects.length;
    const ids = Array.from({ length: per }, (_, i) => k * per + i).filter((i) => truth.complete[i]);
    const rows = readTsv(path.join(res.dir, 'voxelwise', `logmel_${sub}.tsv`)).rows;
    t.deepEqual(
      rows.map((r) => Number(r.voxel_id)),
      ids,
      sub,
    );
    for (const r of rows) {
      const v = Number(r.r);
      if (truth.planted[Number(r.voxel_id)]) t.true(v > 0.8, `${sub} planted voxel ${r.voxel_id}: r ${v}`);
      else t.true(Math.abs(v) < 0.4, `${sub} noise voxel ${r.voxel_id}: r ${v}`);
    }
    const kept = ids.map((i) => truth.planted[i]);
    t.true(kept.some((p) => p) && kept.some((p) => !p), `${sub} has planted and noise voxels`);
    const row = enc.find((x) => x.target === sub && x.kind === 'voxels');
    t.true(Math.abs(Number(row?.median_reliability) - rel[files[k]]) < 1e-5, `${sub}: ${row?.median_reliability} vs numpy ${rel[files[k]]}`);
  });
});

test('a folder that is not a natural-sounds view is named', async (t) => {
  const e = await t.throwsAsync(runEncodeSoundsStage({ featuresDir, study: DATA, config, root: ROOT, seed: 0 }), { instanceOf: InputError });
  t.is(e?.where, DATA);
});

/**
 * The align-sounds stage called as a function on planted encode-sounds
 * tables: model A has three participants whose median noise-corrected r² are
 * 0.2, 0.4 and 0.6000004, two components (0.5, 0.7) and RSA 0.1, 0.3 and
 * n/a; model B one participant. The group row is their mean (n/a left out),
 * stored to 6 decimals, with a bootstrap CI over participants inside their
 * range; a single participant has no CI (n/a, never inf); the majority layer
 * is reported; the page is published; a model given twice names its folder.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { writeTsv } from '../../src/io/tsv.js';
import { readNaturalSounds } from '../../src/artifacts/sound-align.js';
import { runAlignSoundsStage } from '../../src/stages/align-sounds.js';
import { tmpDir } from '../helpers/tmp.js';

const dir = tmpDir('ba-stage-alignsounds-');
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));
const ROOT = path.join(dir, 'deriv');

type Enc = [model: string, target: string, kind: string, r2: string, top: string];
type Rsa = [model: string, target: string, rsa: string];

/** An encode-sounds artifact folder holding just the three tables align-sounds reads. */
function encodings(name: string, enc: Enc[], rsa: Rsa[]): string {
  const d = path.join(dir, name);
  fs.mkdirSync(d, { recursive: true });
  writeTsv(
    path.join(d, 'encoding.tsv'),
    ['model', 'target', 'kind', 'n', 'median_r', 'median_r2', 'median_reliability', 'top_layer'],
    enc.map(([model, target, kind, r2, top]) => ({ model, target, kind, n: 1, median_r: 0, median_r2: r2, median_reliability: 'n/a', top_layer: top })),
  );
  writeTsv(
    path.join(d, 'rsa.tsv'),
    ['model', 'target', 'rsa', 'rsa_sd', 'ceiling_lower', 'ceiling_upper', 'top_layer'],
    rsa.map(([model, target, r]) => ({ model, target, rsa: r, rsa_sd: 0, ceiling_lower: 0.25, ceiling_upper: 0.75, top_layer: 'x' })),
  );
  writeTsv(path.join(d, 'layers.tsv'), ['model', 'target', 'layer', 'share'], []);
  return d;
}

const A = encodings(
  'enc-a',
  [
    ['a', 'sub-01', 'voxels', '0.2', 'conv2'],
    ['a', 'sub-02', 'voxels', '0.4', 'conv3'],
    ['a', 'sub-03', 'voxels', '0.6000004', 'conv3'],
    ['a', 'c1', 'component', '0.5', 'conv1'],
    ['a', 'c2', 'component', '0.7', 'conv1'],
  ],
  [
    ['a', 'sub-01', '0.1'],
    ['a', 'sub-02', '0.3'],
    ['a', 'sub-03', 'n/a'],
  ],
);
const B = encodings('enc-b', [['b', 'sub-01', 'voxels', '0.3', 'fc']], [['b', 'sub-01', '0.05']]);

test('group rows: means over participants to 6 decimals, CI inside the participants’ range, no CI from one participant', async (t) => {
  const res = await runAlignSoundsStage({ encodings: [A, B], dataset: 'planted', root: ROOT, seed: 0 });
  const [a, b] = readNaturalSounds(res.dir);
  t.is(a.model, 'a');
  t.is(a.participants, 3);
  t.is(a.r2, 0.4, '(0.2 + 0.4 + 0.6000004)/3 = 0.40000013, stored to 6 decimals');
  t.true(a.r2_ci_lo !== null && a.r2_ci_hi !== null && a.r2_ci_lo >= 0.2 && a.r2_ci_lo < 0.4 && a.r2_ci_hi > 0.4 && a.r2_ci_hi <= 0.600001);
  t.is(a.rsa, 0.2, 'the participant without an RSA score is left out');
  t.deepEqual([a.rsa_ceiling_lower, a.rsa_ceiling_upper], [0.25, 0.75]);
  t.is(a.component_r2, 0.6);
  t.is(a.top_layer, 'conv3');
  t.deepEqual([b.model, b.participants, b.r2, b.r2_ci_lo, b.r2_ci_hi, b.component_r2], ['b', 1, 0.3, null, null, null]);
  t.false(fs.readFileSync(path.join(res.dir, 'natural-sounds.tsv'), 'utf8').includes('inf'));
  t.regex(res.summary, /^a r² 0\.400, RSA 0\.200; b r² 0\.300, RSA 0\.050$/);
  t.true(fs.readFileSync(path.join(ROOT, 'reports', 'natural-sounds.html'), 'utf8').includes('planted'));
});

test('a model given in two encodings is refused, naming the second folder', async (t) => {
  const again = encodings('enc-a2', [['a', 'sub-04', 'voxels', '0.1', 'conv1']], []);
  const e = await t.throwsAsync(runAlignSoundsStage({ encodings: [A, again], dataset: 'planted', root: ROOT, seed: 0 }), { instanceOf: InputError });
  t.is(e?.where, again);
});

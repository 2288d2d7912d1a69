/**
 * The encode-sounds artifact through its one module: what the writer stores
 * (scores to 6 decimals, non-finite as n/a) is what the reader returns, and a
 * folder or file not in the format is an InputError naming it.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSoundEncoding, writeSoundEncoding } from '../../src/artifacts/sound-encode.js';
import { InputError } from '../../src/core/errors.js';
import { tmpDir } from '../helpers/tmp.js';

const dir = tmpDir('ba-sound-encode-');
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));

test('written rows read back: scores rounded to 6 decimals, NaN and a missing layer as null; voxelwise tables land under voxelwise/', (t) => {
  const out = path.join(dir, 'ok');
  writeSoundEncoding(out, {
    encoding: [
      { model: 'm', target: 'sub-01', kind: 'voxels', n: 12, median_r: 0.123456789, median_r2: 0.5, median_reliability: 0.75, top_layer: 'a1/iter-0' },
      { model: 'm', target: 'music', kind: 'component', n: 1, median_r: -0.25, median_r2: 0.0625, median_reliability: Number.NaN, top_layer: null },
    ],
    layers: [{ model: 'm', target: 'sub-01', layer: 'a1/iter-0', share: 2 / 3 }],
    rsa: [{ model: 'm', target: 'sub-01', rsa: 0.3, rsa_sd: 0.01, ceiling_lower: Number.NaN, ceiling_upper: 0.9, top_layer: 'a1/iter-0' }],
    voxelwise: [
      { name: 'm_sub-01', rows: [{ voxel_id: '7', r: 0.9, r2_corrected: 0.81, reliability: 1, prediction_reliability: Number.NaN, layer: 'a1/iter-0' }] },
    ],
  });
  const back = readSoundEncoding(out);
  t.is(back.encoding[0].median_r, 0.123457);
  t.is(back.encoding[1].median_reliability, null);
  t.is(back.encoding[1].top_layer, null);
  t.is(back.layers[0].share, 0.666667);
  t.is(back.rsa[0].ceiling_lower, null);
  t.true(fs.readFileSync(path.join(out, 'voxelwise', 'm_sub-01.tsv'), 'utf8').includes('\tn/a\t'));
});

test('a folder without encoding.tsv, and a table missing a declared column, are InputErrors naming the folder and the file', (t) => {
  const empty = path.join(dir, 'empty');
  fs.mkdirSync(empty, { recursive: true });
  t.is(t.throws(() => readSoundEncoding(empty), { instanceOf: InputError })?.where, empty);
  const bad = path.join(dir, 'bad');
  fs.mkdirSync(bad, { recursive: true });
  fs.writeFileSync(path.join(bad, 'encoding.tsv'), 'model\ttarget\tkind\tn\tmedian_r\tmedian_r2\tmedian_reliability\n');
  const e = t.throws(() => readSoundEncoding(bad), { instanceOf: InputError });
  t.is(e?.where, path.join(bad, 'encoding.tsv'));
  t.regex(e?.message ?? '', /top_layer/);
});

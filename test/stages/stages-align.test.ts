/**
 * The align stage called as a function on the hand-computed fixture
 * (test/helpers/align-fixture.ts, worked out in test/scoring-align.test.ts):
 * s_r .476647, s_b 1.185724 and BAS .831186 as on paper; the same inputs are
 * up to date, a fourth listener is a new input (new key); without train
 * artifacts or with a BIDS folder that is not there the errors name the
 * parameter or the folder.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { writeTsv } from '../../src/io/tsv.js';
import { alignFileSchema } from '../../src/scoring/config.js';
import { openAlign } from '../../src/artifacts/align.js';
import { runAlignStage, type AlignStageOptions } from '../../src/stages/align.js';
import { alignFixture } from '../helpers/align-fixture.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir('ba-stage-align-');
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));
const f = alignFixture(tmp, 'hand');
const ROOT = path.join(tmp, 'deriv');
const options = (): AlignStageOptions => ({
  encodingDirs: [f.enc],
  modelDirs: [f.train],
  bids: f.bids,
  config: alignFileSchema.parse(JSON.parse(fs.readFileSync(f.cfg, 'utf8'))).align,
  declaredPerformance: {},
  root: ROOT,
  seed: 0,
});

test.serial('BAS of the fixture = the hand computation; same inputs up to date; a new listener is a new key', async (t) => {
  const res = await runAlignStage(options());
  const bas = openAlign(res.dir).bas().rows;
  const get = (s: string): number => bas.find((r) => r.score === s)?.estimate ?? Number.NaN;
  const sR = ((0.25 / 0.64 + (0.25 / 0.64 - 0.0225 / 0.64)) / 2 + 0.47 / 0.81) / 2;
  t.true(Math.abs(get('s_r') - sR) < 1e-5, `s_r ${get('s_r')} vs ${sR}`);
  t.true(Math.abs(get('s_b') - 1.1857238) < 1e-5, `s_b ${get('s_b')}`);
  t.true(Math.abs(get('bas') - (sR + 1.1857238) / 2) < 1e-5, `bas ${get('bas')}`);
  t.is(res.summary, 'fix: BAS 0.831 (s_r 0.477, s_b 1.186)');
  const again = await runAlignStage(options());
  t.true(again.upToDate);
  t.is(again.key, res.key);
  writeTsv(
    path.join(f.bids, 'sub-04', 'beh', 'sub-04_task-genre_beh.tsv'),
    ['stim_id', 'true_genre', 'response', 'rt'],
    ['metal', 'metal', 'rock', 'rock'].map((g, k) => ({ stim_id: `c${k + 1}`, true_genre: g, response: g, rt: 1 })),
  );
  const more = await runAlignStage(options());
  t.false(more.upToDate);
  t.not(more.key, res.key);
});

test.serial('errors name the parameter or the folder: no train artifacts (modelDirs), a BIDS folder that is not there', async (t) => {
  const none = await t.throwsAsync(runAlignStage({ ...options(), modelDirs: [] }), { instanceOf: InputError });
  t.is(none?.where, 'modelDirs');
  const gone = path.join(tmp, 'nobids');
  const bids = await t.throwsAsync(runAlignStage({ ...options(), bids: gone }), { instanceOf: InputError });
  t.deepEqual([bids?.where, bids?.problem], [gone, 'no such BIDS folder']);
});

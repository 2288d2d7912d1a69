/**
 * The eeg-prep stage called as a function on a tiny synthetic EEG study
 * (3 genres × 2 clips × 6 s, a responder and a control, 16 channels at
 * 128 Hz, prepared at 64 Hz): the bad channels found are the planted flat and
 * noisy ones, and the flat one is interpolated (no longer flat); segments
 * follow the planted presentation order, 6 s × 64 Hz each, robust-scaled
 * within ±20; a re-run is up to date under the same key, another task
 * filter is another key (same segments); inputs the dataset lacks name the dataset folder.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { generateStudy, synthConfigSchema, type Study } from '../../src/synth/index.js';
import { eegIdentificationConfigSchema } from '../../src/decoding/config.js';
import { openSegments } from '../../src/artifacts/segments.js';
import { runEegPrepStage } from '../../src/stages/eeg-prep.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir('ba-stage-eegprep-');
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));
const BIDS = path.join(tmp, 'study');
const ROOT = path.join(tmp, 'deriv');
const { prep, input } = eegIdentificationConfigSchema.parse({ prep: { rate: 64 } });
let study: Study;

test.before(() => {
  study = generateStudy(
    synthConfigSchema.parse({
      stimuli: { genres: ['classical', 'metal', 'reggae'], clipsPerGenre: 2, clipSec: 6 },
      fmri: { subjects: 0 },
      eeg: { subjects: 1, channels: 16, rate: 128 },
      behaviour: { subjects: 0 },
    }),
    3,
    BIDS,
  );
});

test.serial('every subject: planted bad channels found and interpolated; segments in presentation order, 6 s at 64 Hz, within ±20', async (t) => {
  t.is(study.eeg.length, 2, 'a responder and a control');
  for (const sub of study.eeg) {
    const res = await runEegPrepStage({ bids: BIDS, subject: sub.id, prep, input, root: ROOT, seed: 0 });
    t.is(res.scope, sub.id);
    const [seg] = openSegments(res.dir);
    const planted = [sub.artefacts.flatChannel, sub.artefacts.noisyChannel].sort();
    t.deepEqual([...seg.meta.bad_channels].sort(), planted);
    t.deepEqual(
      seg.meta.stim_ids,
      sub.order.map((i) => study.stimuli[i].id),
    );
    const [nSeg, nCh, nT] = seg.meta.shape;
    t.deepEqual([nSeg, nCh, nT], [6, 16, 6 * 64]);
    const x = seg.read();
    t.true(x.every((v) => Math.abs(v) <= 20));
    const flat = seg.meta.channels.indexOf(sub.artefacts.flatChannel);
    let sd = 0;
    for (let s = 0; s < nSeg; s++) {
      const row = x.subarray((s * nCh + flat) * nT, (s * nCh + flat + 1) * nT);
      const m = row.reduce((a, b) => a + b, 0) / nT;
      sd = Math.max(sd, Math.sqrt(row.reduce((a, b) => a + (b - m) ** 2, 0) / nT));
    }
    t.true(sd > 0.1, `the flat channel ${sub.artefacts.flatChannel} is interpolated from its neighbours (sd ${sd.toFixed(3)})`);
    t.regex(res.summary, /^6 segments × 16 channels × 384 samples at 64 Hz; bad: [A-Za-z0-9]+, [A-Za-z0-9]+$/);
  }
});

test.serial(
  'a re-run is up to date under the same key; a task filter that keeps every recording is another key with the same segments; a missing subject or NMED-T file names the dataset',
  async (t) => {
    const sub = study.eeg[0].id;
    const first = await runEegPrepStage({ bids: BIDS, subject: sub, prep, input, root: ROOT, seed: 0 });
    t.true(first.upToDate);
    const task = await runEegPrepStage({ bids: BIDS, subject: sub, task: 'listen', prep, input, root: ROOT, seed: 0 });
    t.false(task.upToDate);
    t.not(task.key, first.key);
    // Every recording of the study is of task listen: the filter keeps them all, so the segments are the same.
    t.deepEqual(openSegments(task.dir)[0].read(), openSegments(first.dir)[0].read());
    const none = await t.throwsAsync(runEegPrepStage({ bids: BIDS, subject: '09', prep, input, root: ROOT, seed: 0 }), { instanceOf: InputError });
    t.deepEqual([none?.where, none?.problem], [BIDS, 'no sub-09/eeg folder']);
    const nmedt = { ...input, format: 'nmed-t' as const };
    const song = await t.throwsAsync(runEegPrepStage({ bids: BIDS, subject: '01', prep, input: nmedt, root: ROOT, seed: 0 }), { instanceOf: InputError });
    t.is(song?.where, BIDS);
    t.regex(song?.problem ?? '', /^no .*\.mat \(nor cleaned\/.*\)$/);
  },
);

/**
 * The decode-eeg stage called as a function on a tiny synthetic EEG study
 * (3 genres × 3 clips × 6 s, a responder and a control, prepared at 64 Hz):
 * the envelope reached through a features artifact (written here from the
 * audio with the decoding library's own envelope) gives the same
 * identification scores, to the bit, as the envelope target computed by the
 * stage; chance is 1/9 for nine songs; the chosen feature space, a missing
 * stimuli folder and a features rate unlike the EEG's are errors naming the
 * parameter, the config field or the sidecar.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { generateStudy, synthConfigSchema } from '../../src/synth/index.js';
import { eegIdentificationConfigSchema } from '../../src/decoding/config.js';
import { audioTargets, stimulusWavPaths } from '../../src/decoding/targets.js';
import { layoutRows, writeFeatureSet } from '../../src/artifacts/features.js';
import { openIdentification } from '../../src/artifacts/identification.js';
import { runEegPrepStage } from '../../src/stages/eeg-prep.js';
import { runDecodeEegStage, type DecodeEegOptions } from '../../src/stages/decode-eeg.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir('ba-stage-decode-');
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));
const BIDS = path.join(tmp, 'study');
const STIM = path.join(BIDS, 'stimuli');
const ROOT = path.join(tmp, 'deriv');
const RATE = 64;
const file = eegIdentificationConfigSchema.parse({
  prep: { rate: RATE },
  decode: {
    decoders: ['regression'],
    splits: ['chunk-leaky'],
    windowSec: 2,
    hopSec: 1,
    evalWindowsSec: [2],
    nBoot: 20,
    nPerm: 20,
    regression: { lagStep: 4, alphas: [100, 1e4] },
  },
});
let segments: string[] = [];

/** A features artifact holding each song's envelope at `rate` Hz, as the stage's audio route computes it. */
function envelopeFeatures(dir: string, rate: number): void {
  const wavs = stimulusWavPaths(STIM);
  const env = audioTargets(wavs, 'envelope', rate);
  const ids = [...wavs.keys()].sort();
  const mats = ids.map((id) => env(id));
  const clips = layoutRows(ids.map((id, i) => ({ stimId: id, nRows: mats[i].n, duration: 6 })));
  const data = new Float32Array(mats.reduce((s, m) => s + m.n, 0));
  clips.forEach((c, i) => data.set(mats[i].data, c.rowStart));
  const space = { area: 'env', iteration: 0, nFeatures: 1, data, windowing: 'rms', units: 'a.u.', pca: null };
  writeFeatureSet(dir, { model: 'audio', checkpoint: null, rate, areas: ['env'], source: { test: 'envelope' } }, clips, [space, { ...space, area: 'env2' }]);
}

test.before(async () => {
  const study = generateStudy(
    synthConfigSchema.parse({
      stimuli: { genres: ['classical', 'metal', 'reggae'], clipsPerGenre: 3, clipSec: 6 },
      fmri: { subjects: 0 },
      eeg: { subjects: 1, channels: 16, rate: 128, responseSnr: 1 },
      behaviour: { subjects: 0 },
    }),
    5,
    BIDS,
  );
  for (const sub of study.eeg)
    segments.push((await runEegPrepStage({ bids: BIDS, subject: sub.id, prep: file.prep, input: file.input, root: ROOT, seed: 0 })).dir);
  segments = segments.sort();
  envelopeFeatures(path.join(tmp, 'features'), RATE);
  envelopeFeatures(path.join(tmp, 'features-32hz'), 32);
});

const base = (): DecodeEegOptions => ({ segments, features: null, config: file.decode, root: ROOT, seed: 0 });

test.serial('the envelope through a features artifact = the envelope target: same scores to the bit; chance 1/9', async (t) => {
  const viaAudio = await runDecodeEegStage({ ...base(), target: 'envelope', stimuli: STIM });
  const viaFeatures = await runDecodeEegStage({ ...base(), features: path.join(tmp, 'features'), featureSet: 'audio/env/iter-0' });
  t.not(viaAudio.key, viaFeatures.key);
  const a = openIdentification(viaAudio.dir).scores().rows;
  const f = openIdentification(viaFeatures.dir).scores().rows;
  t.true(a.length > 0);
  t.deepEqual(f, a);
  t.true(a.every((r) => Math.abs((r.chance ?? Number.NaN) - 1 / 9) < 1e-6));
  t.regex(viaFeatures.summary, /^top-1 at 2 s: regression\/chunk-leaky \d+% \(chance 11%\)$/);
});

test.serial('errors name what chose wrongly: featureSet, decode.featureSet, stimuli, the sidecar at another rate, neither features nor target', async (t) => {
  const where = async (o: Partial<DecodeEegOptions>): Promise<string | undefined> =>
    (await t.throwsAsync(runDecodeEegStage({ ...base(), ...o }), { instanceOf: InputError }))?.where;
  const features = path.join(tmp, 'features');
  t.is(await where({ features, featureSet: 'audio/env/iter-1' }), 'featureSet');
  t.is(await where({ features, config: { ...file.decode, featureSet: 'audio/x/iter-0' } }), 'decode.featureSet');
  t.is(await where({ features, featureSet: 'audio/env/iter-0', config: { ...file.decode, decoders: ['mtrf-envelope'] } }), 'stimuli');
  t.is(await where({ target: 'envelope' }), 'stimuli');
  t.is(await where({}), 'features');
  t.is(
    await where({ features: path.join(tmp, 'features-32hz'), featureSet: 'audio/env/iter-0' }),
    path.join(tmp, 'features-32hz', 'audio', 'env', 'iter-0.json'),
  );
});

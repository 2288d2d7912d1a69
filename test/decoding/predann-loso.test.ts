/**
 * PredANN across listeners on a small planted study (4 songs × 4
 * presentations of 6 s; 3 responders with response SNR 1.5 and one control
 * without a planted response; 16 channels at 128 Hz, analysed at 64 Hz):
 * with random crops, leave-one-subject-out, every fold including the
 * control's. The responders' songs are identified above chance
 * (p_perm < 0.05); the control stays at chance (p_perm > 0.05, CI covering
 * chance), since nothing in its EEG follows the music.
 */
import test from 'ava';
import { simulateStudy, synthConfigSchema } from '../../src/synth/index.js';
import { electrodeXyz } from '../../src/signal/eeg/montage.js';
import { eegPrepConfigSchema, preprocessEeg } from '../../src/signal/eeg/prep.js';
import { cutSegments } from '../../src/signal/eeg/segment.js';
import { stackSegments, type SubjectSegments } from '../../src/decoding/from-study.js';
import { decodeEegConfigSchema } from '../../src/decoding/config.js';
import { runIdentification } from '../../src/decoding/identify.js';
import { resample } from '../../src/signal/resample.js';
import { initBackend } from '../../src/models/backend.js';
import type { TargetMatrix } from '../../src/decoding/types.js';
import { defined } from '../helpers/defined.js';

const RATE = 64;
const AUDIO_RATE = 2205;
const cfg = synthConfigSchema.parse({
  stimuli: { genres: ['classical', 'disco', 'metal', 'reggae'], clipsPerGenre: 1, clipSec: 6 },
  fmri: { subjects: 0 },
  behaviour: { subjects: 0 },
  eeg: { subjects: 3, channels: 16, rate: 128, responseSnr: 1.5, songs: 4, repeats: 4 },
});
const study = simulateStudy(cfg, 3);
const prep = eegPrepConfigSchema.parse({ rate: RATE });
const parts: SubjectSegments[] = study.eeg.map((sub) => {
  const pre = preprocessEeg({ labels: sub.planted.channels, rate: 128, data: sub.data, positions: sub.planted.channels.map(electrodeXyz) }, prep);
  const ev = sub.order.map((st, k) => ({ onset: sub.onsets[k], duration: 6, stimId: study.stimuli[st].id }));
  const seg = cutSegments(pre.data, RATE, ev, 0.2, 6);
  return { subject: sub.id, data: seg.data, nSeg: seg.nSeg, nCh: seg.nCh, nT: seg.nT, rate: RATE, shiftSec: 0.2, stimIds: seg.stimIds, channels: pre.labels };
});
const control = defined(
  study.eeg.find((s) => s.control),
  'the control subject',
).id;
const responders = study.eeg.filter((s) => !s.control).map((s) => s.id);
const waves = new Map(study.stimuli.map((s) => [s.id, resample(s.audio, cfg.stimuli.sampleRate, AUDIO_RATE)]));
const unused = (): TargetMatrix => {
  throw new Error('the CNN with the audio target reads no fixed target');
};

test('PredANN (audio CNN, λ = 0.05), leave-one-subject-out with random crops: responders above chance, the control at chance', async (t) => {
  await initBackend('wasm');
  const dcfg = decodeEegConfigSchema.parse({
    decoders: ['predann'],
    splits: ['loso'],
    windowSec: 3,
    hopSec: 1,
    evalWindowsSec: [3],
    combine: ['mean'],
    nBoot: 200,
    nPerm: 500,
    encoder: {
      epochs: 15,
      patience: 0,
      batchSize: 32,
      filters: [4, 8, 16],
      kernel: [3, 5],
      poolTime: 4,
      projectionHidden: 32,
      embeddingDim: 32,
      cropJitterSec: 0.5,
    },
    audio: { rate: AUDIO_RATE, filters: [4, 4, 4, 4], dropout: 0.5 },
  });
  const res = runIdentification({ set: stackSegments(parts), annTarget: unused, waveform: (id) => defined(waves.get(id), "the clip's waveform") }, dcfg, 2);
  const row = (s: string) =>
    defined(
      res.rows.find((r) => r.subject === s && r.window_s === 3),
      "the subject's row at 3 s",
    );
  for (const s of responders) {
    const r = row(s);
    t.true(r.top1 > r.chance && r.p_perm < 0.05, `${s}: top1 ${r.top1.toFixed(2)} (chance ${r.chance.toFixed(2)}), p ${r.p_perm.toFixed(3)}, n ${r.n_items}`);
  }
  const c = row(control);
  t.true(
    c.p_perm > 0.05 && c.top1_lo <= c.chance,
    `control ${control}: top1 ${c.top1.toFixed(2)} [${c.top1_lo.toFixed(2)}, ${c.top1_hi.toFixed(2)}], p ${c.p_perm.toFixed(3)}`,
  );
  t.log(responders.map((s) => `${s} ${row(s).top1.toFixed(2)}`).join(', '), `control ${c.top1.toFixed(2)}`);
});

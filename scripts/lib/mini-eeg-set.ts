/**
 * The mini-study's EEG as a decoding set, in memory: simulate the EEG part of
 * a synth config, preprocess and segment it with an identification config's
 * `prep`, and give the waveform and envelope of every song. Shared by the λ
 * comparison (scripts/predann-lambda.ts) and the PredANN diagnosis bench.
 */
import { simulateStudy } from '../../src/synth/study.js';
import type { SynthConfig } from '../../src/synth/config.js';
import { electrodeXyz } from '../../src/signal/eeg/montage.js';
import { preprocessEeg } from '../../src/signal/eeg/prep.js';
import { cutSegments } from '../../src/signal/eeg/segment.js';
import { resample } from '../../src/signal/resample.js';
import { amplitudeEnvelope } from '../../src/signal/envelope.js';
import { stackSegments, type SubjectSegments } from '../../src/decoding/from-study.js';
import type { EegIdentificationConfig } from '../../src/decoding/config.js';
import type { IdentificationInputs } from '../../src/decoding/identify.js';
import type { TargetMatrix } from '../../src/decoding/types.js';
import { getOrCreate } from '../../src/core/lookup.js';

export interface MiniEegSet {
  /** The waveform is always there: the set is simulated with its audio. */
  inputs: IdentificationInputs & { waveform: (id: string) => Float32Array };
  /** Subjects without a planted response. */
  controls: Set<string>;
}

/** Simulate (EEG only, `studySeed`), preprocess, segment; `synth` should have fMRI and behaviour subjects at 0 for speed. */
export function miniEegSet(synth: SynthConfig, cfg: EegIdentificationConfig, studySeed: number): MiniEegSet {
  const study = simulateStudy(synth, studySeed);
  const rate = cfg.prep.rate;
  const clipSec = synth.stimuli.clipSec;
  const parts: SubjectSegments[] = study.eeg.map((sub) => {
    const pre = preprocessEeg(
      { labels: sub.planted.channels, rate: synth.eeg.rate, data: sub.data, positions: sub.planted.channels.map(electrodeXyz) },
      cfg.prep,
    );
    const ev = sub.order.map((st, k) => ({ onset: sub.onsets[k], duration: clipSec, stimId: study.stimuli[st].id }));
    const seg = cutSegments(pre.data, rate, ev, cfg.prep.shiftSec, clipSec);
    return {
      subject: sub.id,
      data: seg.data,
      nSeg: seg.nSeg,
      nCh: seg.nCh,
      nT: seg.nT,
      rate,
      shiftSec: cfg.prep.shiftSec,
      stimIds: seg.stimIds,
      channels: pre.labels,
    };
  });
  const audio = new Map(study.stimuli.map((s) => [s.id, s.audio]));
  const clip = (id: string): Float32Array => {
    const x = audio.get(id);
    if (!x) throw new Error(`no audio for ${id}`);
    return x;
  };
  const sr = synth.stimuli.sampleRate;
  const waves = new Map<string, Float32Array>();
  const waveform = (id: string): Float32Array => {
    return getOrCreate(waves, id, () => resample(clip(id), sr, cfg.decode.audio.rate));
  };
  const envelope = (id: string): TargetMatrix => {
    const e = amplitudeEnvelope(clip(id), sr, rate);
    return { data: e, n: e.length, f: 1 };
  };
  const controls = new Set(study.eeg.filter((s) => s.control).map((s) => s.id));
  return { inputs: { set: stackSegments(parts), annTarget: envelope, envelopeTarget: envelope, waveform }, controls };
}

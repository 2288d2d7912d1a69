/**
 * The decode-eeg stage: identify the song from held-out EEG segments with
 * the PredANN CNN (and its λ = 0 baseline), the regression decoder and the
 * mTRF envelope baseline, under the PredANN chunk (leaky), random-chunk,
 * time-block and leave-one-subject-out splits. Reads eeg-prep artifacts
 * (src/artifacts/segments.ts) and a features artifact or the audio; writes
 * src/artifacts/identification.ts's tables, published into the derivatives tree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { notice } from '../core/progress.js';
import { runStage } from '../pipeline/stage.js';
import type { DecodeEegConfig } from '../decoding/config.js';
import { featureSpaceNames, readFeatureSidecarFile } from '../artifacts/features.js';
import { stageSpec, type StageOutcome, type StageTarget } from './outcome.js';
import { KERNEL_NUMERICS } from '../models/kernels/numerics.js';

/** Bumped when the outputs change for the same inputs. */
export const DECODE_EEG_CODE_VERSION = `decode-eeg-4+${KERNEL_NUMERICS}`;

export interface DecodeEegOptions extends StageTarget {
  /** eeg-prep artifact folders, one per subject. */
  segments: string[];
  /** A features artifact folder: the ANN representation at the EEG rate, the decoding target. */
  features: string | null;
  /** Which `<model>/<area>/iter-<k>` of the features (default: decode.featureSet, else the last in sorted order). */
  featureSet?: string;
  /** Without features: the target computed from the audio. */
  target?: 'logmel' | 'envelope';
  /** Stimuli folder (stimuli.tsv + audio): audio targets, the mTRF envelope and the PredANN audio CNN. */
  stimuli?: string;
  /** The decode section of the config, checked. */
  config: DecodeEegConfig;
}

/** The feature space decoded: the one asked for (parameter, else config), else the last. Errors name the one that chose it. */
function chooseFeatureSet(dir: string, o: DecodeEegOptions): string {
  const sets = featureSpaceNames(dir);
  if (sets.length === 0) throw new InputError(dir, 'no <model>/<area>/iter-<k>.npy in the features artifact');
  const chosen = o.featureSet ?? o.config.featureSet ?? sets[sets.length - 1];
  if (sets.length > 1 && o.featureSet === undefined && o.config.featureSet === undefined)
    notice(`decode-eeg: ${sets.length} feature sets in ${dir}; using ${chosen} (choose with the feature set option or decode.featureSet)`);
  if (!sets.includes(chosen)) throw new InputError(o.featureSet !== undefined ? 'featureSet' : 'decode.featureSet', `"${chosen}" not in ${sets.join(', ')}`);
  return chosen;
}

export async function runDecodeEegStage(o: DecodeEegOptions): Promise<StageOutcome> {
  const cfg = o.config;
  const inputs: Record<string, string> = Object.fromEntries(o.segments.map((d, i) => [`segments${i}`, d]));
  let featureSet: string | null = null;
  if (o.features !== null) {
    inputs.features = o.features;
    featureSet = chooseFeatureSet(o.features, o);
  } else if (o.target === undefined)
    throw new InputError('features', 'give a features artifact (ANN representation) or a target computed from the audio (logmel or envelope)');
  const audioCnn = cfg.predannTarget !== 'ann' && cfg.decoders.some((d) => d.startsWith('predann'));
  const needsAudio = o.features === null || cfg.decoders.includes('mtrf-envelope') || audioCnn;
  if (needsAudio && !o.stimuli)
    throw new InputError(
      'stimuli',
      `needed for ${o.features === null ? `the ${o.target} target` : audioCnn ? `the PredANN target (decode.predannTarget '${cfg.predannTarget}')` : 'the mtrf-envelope decoder'}`,
    );
  if (o.stimuli) inputs.stimuli = o.stimuli;
  const { decodeRuntime, readSegmentsArtifact, writeIdentificationOutputs } = await import('../decoding/outputs.js');
  const { stackSegments } = await import('../decoding/from-study.js');
  const { featureFileTargets, audioTargets, stimulusWavPaths, stimulusWaveforms } = await import('../decoding/targets.js');
  const { runIdentification } = await import('../decoding/identify.js');
  const { initBackend } = await import('../models/backend.js');
  let line = '';
  const res = await runStage(
    stageSpec(o, {
      stage: 'decode-eeg',
      codeVersion: DECODE_EEG_CODE_VERSION,
      inputs,
      params: { decode: cfg, featureSet, target: o.features !== null ? null : o.target },
      publish: true,
    }),
    async ({ dir, runtime }) => {
      const set = stackSegments(o.segments.flatMap((d) => readSegmentsArtifact(d)));
      const wavs = o.stimuli ? stimulusWavPaths(o.stimuli) : null;
      const audio = (kind: 'logmel' | 'envelope' | 'flux') => (wavs ? audioTargets(wavs, kind, set.rate) : undefined);
      let ann: ReturnType<typeof featureFileTargets> | undefined;
      if (o.features !== null && featureSet !== null) {
        const side = path.join(o.features, `${featureSet}.json`);
        if (fs.existsSync(side)) {
          const r = readFeatureSidecarFile(side).rate;
          if (Math.abs(r - set.rate) > 1e-6)
            throw new InputError(side, `features are at ${r} Hz but the EEG segments at ${set.rate} Hz (run features with --rate ${set.rate})`);
        }
        ann = featureFileTargets(path.join(o.features, `${featureSet}.npy`), path.join(o.features, 'stimuli.tsv'));
      } else ann = audio(o.target ?? 'logmel');
      if (!ann) throw new InputError('stimuli', 'needed for an audio target');
      const env = audio('envelope');
      if (cfg.decoders.some((d) => d.startsWith('predann'))) await initBackend('wasm');
      const waveform = wavs ? stimulusWaveforms(wavs, cfg.audio.rate) : undefined;
      const out = runIdentification({ set, annTarget: ann, envelopeTarget: env, fluxTarget: audio('flux'), waveform }, cfg, o.seed);
      writeIdentificationOutputs(dir, out, { target: featureSet ?? o.target, rate_hz: set.rate, subjects: [...new Set(set.subjects)], config: cfg });
      Object.assign(runtime, decodeRuntime(out));
      const best = out.rows.filter((r) => r.subject === 'all' && r.combine === 'mean' && r.window_s === cfg.windowSec);
      line = best.map((r) => `${r.decoder}/${r.split} ${(100 * r.top1).toFixed(0)}% (chance ${(100 * r.chance).toFixed(0)}%)`).join(', ');
    },
  );
  return { ...res, summary: line ? `top-1 at ${cfg.windowSec} s: ${line}` : '' };
}

/**
 * `brainalign decode-eeg --segments S/eeg-prep_sub-01.json … (--features S/features-eeg.json [--feature-set model/area/iter-k] | --target logmel|envelope)
 *  --stimuli STUDY/stimuli --config pipelines/eeg-identification.json`:
 * identify the song from held-out EEG with the PredANN CNN (and its λ = 0
 * baseline), the regression decoder and the mTRF envelope baseline, under the
 * PredANN chunk (leaky), random-chunk, time-block and leave-one-subject-out splits.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineVerb, loadConfig, parseNumberList, withStageOptions } from './framework.js';
import { InputError } from '../core/errors.js';
import { notice } from '../core/progress.js';
import { resolveArtifact, runStage } from '../pipeline/stage.js';
import { DEFAULT_ROOT } from '../pipeline/derivatives.js';
import { eegIdentificationConfigSchema } from '../decoding/config.js';
import { readFeatureSidecarFile } from '../artifacts/features.js';

const CODE_VERSION = 'decode-eeg-4';

/** All `<model>/<area>/iter-<k>.npy` files under a features artifact, as relative paths without .npy. */
function featureSets(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^iter-\d+\.npy$/.test(e.name)) out.push(path.relative(dir, p).replace(/\.npy$/, ''));
    }
  };
  walk(dir);
  return out.sort();
}

export default defineVerb({
  command: 'decode-eeg',
  describe: 'identify songs from held-out EEG segments (PredANN CNN, regression and mTRF decoders)',
  builder: (y) =>
    withStageOptions(y)
      .option('segments', { type: 'string', array: true, demandOption: true, describe: 'eeg-prep stamps or artifact folders (one per subject)' })
      .option('features', { type: 'string', describe: 'features-stage stamp/artifact (targets at the EEG rate)' })
      .option('feature-set', {
        type: 'string',
        describe: 'which <model>/<area>/iter-<k> of the features artifact (default: decode.featureSet, else the last in sorted order)',
      })
      .option('target', { choices: ['logmel', 'envelope'] as const, describe: 'without --features: compute the target from the audio' })
      .option('stimuli', { type: 'string', describe: 'BIDS stimuli folder (stimuli.tsv + WAVs): audio targets and the mTRF envelope' })
      .option('decoders', { type: 'string', describe: 'comma-separated subset of predann,predann-noann,regression,mtrf-envelope' })
      .option('splits', { type: 'string', describe: 'comma-separated subset of chunk-leaky,random-chunk,time-block,loso' })
      .option('epochs', { type: 'number', describe: 'override decode.encoder.epochs' })
      .option('windows', { type: 'string', describe: 'override decode.evalWindowsSec, e.g. 3,6' }),
  run: async (a) => {
    const file = loadConfig(a.config, eegIdentificationConfigSchema);
    const cfg = structuredClone(file.decode);
    if (a.decoders) cfg.decoders = a.decoders.split(',').map((s) => s.trim()) as typeof cfg.decoders;
    if (a.splits) cfg.splits = a.splits.split(',').map((s) => s.trim()) as typeof cfg.splits;
    if (a.epochs !== undefined) cfg.encoder.epochs = a.epochs;
    if (a.windows) cfg.evalWindowsSec = parseNumberList(a.windows, '--windows');
    const { decodeEegConfigSchema } = await import('../decoding/config.js');
    const { parseWith } = await import('./framework.js');
    const checked = parseWith(decodeEegConfigSchema, cfg, '--decoders/--splits/--epochs/--windows');
    const segDirs = a.segments.map((s) => resolveArtifact(s, '--segments'));
    const inputs: Record<string, string> = Object.fromEntries(segDirs.map((d, i) => [`segments${i}`, d]));
    let featureSet: string | null = null;
    let featDir: string | null = null;
    if (a.features) {
      featDir = resolveArtifact(a.features, '--features');
      inputs.features = featDir;
      const sets = featureSets(featDir);
      if (sets.length === 0) throw new InputError(a.features, 'no <model>/<area>/iter-<k>.npy in the features artifact');
      featureSet = a['feature-set'] ?? checked.featureSet ?? sets[sets.length - 1];
      if (sets.length > 1 && !a['feature-set'] && !checked.featureSet)
        notice(`decode-eeg: ${sets.length} feature sets in ${a.features}; using ${featureSet} (choose with --feature-set or decode.featureSet)`);
      if (!sets.includes(featureSet)) throw new InputError('--feature-set', `"${featureSet}" not in ${sets.join(', ')}`);
    } else if (!a.target) {
      throw new InputError('--features', 'give --features (ANN representation) or --target logmel|envelope');
    }
    const audioCnn = checked.predannTarget !== 'ann' && checked.decoders.some((d) => d.startsWith('predann'));
    const needsAudio = !featDir || checked.decoders.includes('mtrf-envelope') || audioCnn;
    if (needsAudio && !a.stimuli)
      throw new InputError(
        '--stimuli',
        `needed for ${!featDir ? `--target ${a.target}` : audioCnn ? `the PredANN target (decode.predannTarget '${checked.predannTarget}')` : 'the mtrf-envelope decoder'}`,
      );
    if (a.stimuli) inputs.stimuli = a.stimuli;
    const root = a.out ?? DEFAULT_ROOT;
    const { decodeRuntime, readSegmentsArtifact, writeIdentificationOutputs } = await import('../decoding/outputs.js');
    const { stackSegments } = await import('../decoding/from-study.js');
    const { featureFileTargets, audioTargets, stimulusWavPaths, stimulusWaveforms } = await import('../decoding/targets.js');
    const { runIdentification } = await import('../decoding/identify.js');
    const { initBackend } = await import('../models/backend.js');
    let line = '';
    const res = await runStage(
      {
        stage: 'decode-eeg',
        codeVersion: CODE_VERSION,
        root,
        inputs,
        params: { decode: checked, featureSet, target: featDir ? null : a.target },
        seed: a.seed,
        stamp: a.stamp,
        publish: true,
      },
      async ({ dir, runtime }) => {
        const set = stackSegments(segDirs.flatMap((d) => readSegmentsArtifact(d)));
        const wavs = a.stimuli ? stimulusWavPaths(a.stimuli) : null;
        let ann;
        if (featDir && featureSet) {
          const side = path.join(featDir, `${featureSet}.json`);
          if (fs.existsSync(side)) {
            const r = readFeatureSidecarFile(side).rate;
            if (Math.abs(r - set.rate) > 1e-6)
              throw new InputError(side, `features are at ${r} Hz but the EEG segments at ${set.rate} Hz (run features with --rate ${set.rate})`);
          }
          ann = featureFileTargets(path.join(featDir, `${featureSet}.npy`), path.join(featDir, 'stimuli.tsv'));
        } else {
          ann = audioTargets(wavs!, a.target ?? 'logmel', set.rate);
        }
        const env = wavs ? audioTargets(wavs, 'envelope', set.rate) : undefined;
        if (checked.decoders.some((d) => d.startsWith('predann'))) await initBackend('wasm');
        const waveform = wavs ? stimulusWaveforms(wavs, checked.audio.rate) : undefined;
        const flux = wavs ? audioTargets(wavs, 'flux', set.rate) : undefined;
        const out = runIdentification({ set, annTarget: ann, envelopeTarget: env, fluxTarget: flux, waveform }, checked, a.seed);
        writeIdentificationOutputs(dir, out, { target: featureSet ?? a.target, rate_hz: set.rate, subjects: [...new Set(set.subjects)], config: checked });
        Object.assign(runtime, decodeRuntime(out));
        const best = out.rows.filter((r) => r.subject === 'all' && r.combine === 'mean' && r.window_s === checked.windowSec);
        line = best.map((r) => `${r.decoder}/${r.split} ${(100 * r.top1).toFixed(0)}% (chance ${(100 * r.chance).toFixed(0)}%)`).join(', ');
      },
    );
    process.stdout.write(`decode-eeg: ${res.upToDate ? 'up to date' : 'done'} (${res.key})${line ? `; top-1 at ${checked.windowSec} s: ${line}` : ''}\n`);
  },
});

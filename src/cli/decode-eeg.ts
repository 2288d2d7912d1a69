/**
 * `brainalign decode-eeg --segments S/eeg-prep_sub-01.json … (--features S/features-eeg.json [--feature-set model/area/iter-k] | --target logmel|envelope)
 *  --stimuli STUDY/stimuli --config pipelines/eeg-identification.json`:
 * options for the decode-eeg stage (src/stages/decode-eeg.ts) and one call.
 */
import { InputError } from '../core/errors.js';
import { resolveArtifact } from '../pipeline/stage.js';
import { decodeEegConfigSchema, eegIdentificationConfigSchema } from '../decoding/config.js';
import { runDecodeEegStage } from '../stages/decode-eeg.js';
import { defineVerb, readConfig, parseNumberList, parseWith, printOutcome, stageTarget, withStageOptions } from './framework.js';

const list = (s: string): string[] => s.split(',').map((x) => x.trim());

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
    if (!a.features && !a.target) throw new InputError('--features', 'give --features (ANN representation) or --target logmel|envelope');
    const decode = structuredClone(readConfig(a.config, eegIdentificationConfigSchema).decode);
    const overrides = {
      ...decode,
      ...(a.decoders ? { decoders: list(a.decoders) } : {}),
      ...(a.splits ? { splits: list(a.splits) } : {}),
      ...(a.epochs !== undefined ? { encoder: { ...decode.encoder, epochs: a.epochs } } : {}),
      ...(a.windows ? { evalWindowsSec: parseNumberList(a.windows, '--windows') } : {}),
    };
    const res = await runDecodeEegStage({
      segments: a.segments.map((s) => resolveArtifact(s, '--segments')),
      features: a.features ? resolveArtifact(a.features, '--features') : null,
      featureSet: a['feature-set'],
      target: a.target,
      stimuli: a.stimuli,
      config: parseWith(decodeEegConfigSchema, overrides, '--decoders/--splits/--epochs/--windows'),
      ...stageTarget(a),
    });
    printOutcome('decode-eeg', res);
  },
  flags: { features: '--features', stimuli: '--stimuli' },
});

/**
 * `brainalign train`: options for the train stage (src/stages/train.ts) and
 * one call. The artifact holds the checkpoints the features stage reads, the
 * training curve, the split, every checkpoint's per-clip predictions and the
 * held-out evaluation (src/artifacts/train.ts).
 */
import { modelStagesFileSchema } from '../models/config.js';
import { TRAIN_ABLATIONS, TRAIN_ARCHS } from '../artifacts/train-manifest.js';
import { runTrainStage } from '../stages/train.js';
import { defineVerb, readConfig, printOutcome, stageTarget, withStageOptions } from './framework.js';

/** Parameters the stage and models library name, as this verb's flags and config fields. */
const FLAGS = { ablation: '--ablation', name: '--name', backend: '--backend', arch: '--arch', batchSize: 'train.batchSize', split: 'train.split' };

export default defineVerb({
  command: 'train',
  describe: 'train BAN / CNN on the genre labels of a stimuli folder: checkpoints, training curve, held-out evaluation, per-clip predictions',
  builder: (y) =>
    withStageOptions(y)
      .option('stimuli', { type: 'string', demandOption: true, describe: 'GTZAN-layout folder <genre>/<genre>.000NN.wav (with stimuli.tsv from synth)' })
      .option('arch', { choices: TRAIN_ARCHS, default: 'ban' as const, describe: 'recurrent BAN or the feed-forward CNN baseline' })
      .option('name', { type: 'string', describe: 'model name used in feature paths (default: the arch, or arch-ablation)' })
      .option('ablation', {
        choices: TRAIN_ABLATIONS,
        default: 'none' as const,
        describe: 'BAN ablation: iterations = 1, drop the last area, or no skip connections',
      })
      .option('backend', { choices: ['wasm', 'cpu', 'auto'] as const, describe: 'tfjs backend (default: train.backend of the config)' }),
  run: async (a) => {
    const config = readConfig(a.config, modelStagesFileSchema);
    const res = await runTrainStage({
      stimuli: a.stimuli,
      config,
      arch: a.arch,
      ablation: a.ablation,
      name: a.name,
      backend: a.backend,
      ...stageTarget(a),
    });
    printOutcome('train', res);
  },
  flags: FLAGS,
});

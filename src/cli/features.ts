/**
 * `brainalign features`: options for the features stage
 * (src/stages/features.ts) and one call. Writes activations of every area and
 * recurrent iteration of a trained checkpoint (or of every saved one), or a
 * baseline's features, in the layout of src/artifacts/features.ts.
 */
import { InputError } from '../core/errors.js';
import { resolveArtifact } from '../pipeline/stage.js';
import { modelStagesFileSchema } from '../models/config.js';
import { FEATURE_BASELINES } from '../stages/features-spaces.js';
import { runFeaturesStage } from '../stages/features.js';
import { onnxFileSchema } from '../models/onnx/config.js';
import { defineVerb, readConfig, printOutcome, stageTarget, withStageOptions } from './framework.js';

/** Parameters the stage and models library name, as this verb's flags and config fields. */
const FLAGS = {
  checkpoint: '--checkpoint',
  rate: '--rate',
  pca: '--pca',
  pcaFit: '--pca-fit',
  backend: '--backend',
  rates: 'features.modulation.rates',
  scales: 'features.modulation.scales',
};

export default defineVerb({
  command: 'features',
  describe: 'feature spaces per area and recurrent iteration of a trained model (or a baseline) at a given row rate, for encoding and decoding',
  builder: (y) =>
    withStageOptions(y)
      .option('model', { type: 'string', describe: 'train stamp or artifact folder (its checkpoints; with --baseline: its split and architecture)' })
      .option('checkpoint', { type: 'string', describe: 'best, all or epoch-NNNN (default: features.checkpoint of the config)' })
      .option('baseline', {
        choices: FEATURE_BASELINES,
        describe:
          'instead of a trained model: log-mel, spectrotemporal modulation energy, BAN/CNN with random weights, or flat (the log-mel in every BAN area)',
      })
      .option('stimuli', { type: 'string', describe: 'stimuli folder (<genre>/<genre>.000NN.wav, stimuli.tsv)' })
      .option('onnx', { type: 'string', describe: 'an ONNX model declared under onnx.models of the config, by name (or give --model X.onnx)' })
      .option('list-layers', { type: 'boolean', describe: 'with --model X.onnx: list its candidate layers and exit' })
      .option('rate', { type: 'number', describe: 'rows per second, Hz (default 1/TR from the config: 1/1.5 s for fMRI)' })
      .option('pca', { type: 'number', describe: 'reduce each space to K principal components fitted on training stimuli only' })
      .option('pca-fit', { type: 'string', describe: 'training stimuli for PCA when --model is not given: ids one per line, or a TSV with stim_id [split]' })
      .option('backend', { choices: ['wasm', 'cpu', 'auto'] as const, describe: 'tfjs backend (default: train.backend of the config)' }),
  run: async (a) => {
    // ONNX models route to src/models/onnx/ (docs/onnx-models.md).
    const onnxLib = a.onnx !== undefined || a['list-layers'] || /\.onnx$/i.test(a.model ?? '') ? await import('../models/onnx/features.js') : null;
    if (onnxLib && a['list-layers']) {
      if (!onnxLib.isOnnxPath(a.model)) throw new InputError('--list-layers', 'needs --model X.onnx');
      process.stdout.write(onnxLib.listLayers(a.model));
      return;
    }
    const onnx = onnxLib ? onnxLib.onnxModelFor(readConfig(a.config, onnxFileSchema).onnx, a, a.config) : null;
    if (onnx && (a.baseline !== undefined || a.checkpoint !== undefined))
      throw new InputError('--onnx', 'an ONNX model takes neither --baseline nor --checkpoint');
    const config = readConfig(a.config, modelStagesFileSchema);
    if (a.model === undefined && a.baseline === undefined && !onnx)
      throw new InputError('options', 'give --model (a train artifact or an .onnx file), --onnx or --baseline');
    if (a.stimuli === undefined) throw new InputError('--stimuli', 'the stimuli folder is required');
    const trainDir = a.model !== undefined && !onnx ? resolveArtifact(a.model, '--model') : null;
    const res = await runFeaturesStage({
      stimuli: a.stimuli as string,
      config,
      trainDir,
      baseline: a.baseline ?? null,
      onnx,
      checkpoint: a.checkpoint,
      rate: a.rate,
      pca: a.pca,
      pcaFit: a['pca-fit'],
      backend: a.backend,
      ...stageTarget(a),
    });
    printOutcome('features', res);
  },
  flags: FLAGS,
});

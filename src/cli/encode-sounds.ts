/**
 * `brainalign encode-sounds --features F --study VIEW`: options for the
 * encode-sounds stage (src/stages/encode-sounds.ts) and one call: the
 * sound-level encoding and RSA of NH2015 / B2021 for every model of one
 * features artifact.
 */
import { resolveArtifact } from '../pipeline/stage.js';
import { soundsFileSchema } from '../encoding/sound-config.js';
import { runEncodeSoundsStage } from '../stages/encode-sounds.js';
import { defineVerb, readConfig, printOutcome, stageTarget } from './framework.js';

export default defineVerb({
  command: 'encode-sounds',
  describe: 'sound-level encoding (nested K-fold ridge with layer choice, noise-corrected r²) and RSA on a natural-sounds view (NH2015 / B2021)',
  builder: (y) =>
    y
      .option('features', { type: 'string', demandOption: true, describe: 'features stamp or artifact folder (activations of the view’s sounds)' })
      .option('study', { type: 'string', demandOption: true, describe: 'the natural-sounds view (brainalign data prepare with data-manifests/nh2015.json)' })
      .option('stamp', { type: 'string', describe: 'completion stamp to write after success (used by make)' }),
  run: async (a) => {
    const config = readConfig(a.config, soundsFileSchema).sounds;
    const res = await runEncodeSoundsStage({ featuresDir: resolveArtifact(a.features, '--features'), study: a.study, config, ...stageTarget(a) });
    printOutcome('encode-sounds', res);
  },
});

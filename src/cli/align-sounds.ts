/**
 * `brainalign align-sounds --encodings …`: options for the align-sounds stage
 * (src/stages/align-sounds.ts) and one call: the natural-sounds study's group
 * table across models and its report, published as reports/natural-sounds.html.
 */
import { resolveArtifact } from '../pipeline/stage.js';
import { runAlignSoundsStage } from '../stages/align-sounds.js';
import { defineVerb, printOutcome, stageTarget } from './framework.js';

export default defineVerb({
  command: 'align-sounds',
  describe: 'group tables and report of a natural-sounds study (NH2015 / B2021) from encode-sounds artifacts',
  builder: (y) =>
    y
      .option('encodings', { type: 'string', array: true, demandOption: true, describe: 'encode-sounds stamps or artifact folders (one per model)' })
      .option('dataset', { type: 'string', default: 'NH2015', describe: 'dataset name for the report title' })
      .option('stamp', { type: 'string', describe: 'completion stamp to write after success (used by make)' }),
  run: async (a) => {
    const encodings = a.encodings.map((p) => resolveArtifact(p, '--encodings'));
    printOutcome('align-sounds', await runAlignSoundsStage({ encodings, dataset: a.dataset, ...stageTarget(a) }));
  },
});

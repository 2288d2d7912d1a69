/**
 * `brainalign align`: options for the align stage (src/stages/align.ts) and
 * one call: BAS, the area × ROI correspondence and model alignment (vs
 * performance, vs checkpoint) from encode and train artifacts.
 */
import { resolveArtifact } from '../pipeline/stage.js';
import { alignFileSchema } from '../scoring/config.js';
import { declaredPerformance, onnxFileSchema } from '../models/onnx/config.js';
import { runAlignStage } from '../stages/align.js';
import { defineVerb, readConfig, printOutcome, stageTarget } from './framework.js';

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

export default defineVerb({
  command: 'align',
  describe: 'BAS, area×ROI correspondence and model alignment (vs performance, vs checkpoint) from encode and train artifacts',
  builder: (y) =>
    y
      .option('encodings', { type: 'string', array: true, demandOption: true, describe: 'encode stamps or artifact folders (one per subject and model)' })
      .option('models', { type: 'string', array: true, describe: 'train stamps or artifact folders (per-clip predictions, task performance)' })
      .option('bids', { type: 'string', demandOption: true, describe: 'BIDS dataset with the listeners’ sub-*/beh/sub-*_task-genre_beh.tsv' })
      .option('stamp', { type: 'string', describe: 'completion stamp to write after success (used by make)' }),
  run: async (a) => {
    const res = await runAlignStage({
      encodingDirs: list(a.encodings).map((p) => resolveArtifact(p, '--encodings')),
      modelDirs: list(a.models).map((p) => resolveArtifact(p, '--models')),
      bids: a.bids,
      config: readConfig(a.config, alignFileSchema).align,
      // Task performance of the ONNX models declared in the config (they have no train artifact).
      declaredPerformance: declaredPerformance(readConfig(a.config, onnxFileSchema).onnx),
      ...stageTarget(a),
    });
    printOutcome('align', res);
  },
  flags: { modelDirs: '--models', encodingDirs: '--encodings' },
});

/**
 * `brainalign eeg-prep --bids STUDY --subject 01 --config pipelines/eeg-identification.json`:
 * options for the eeg-prep stage (src/stages/eeg-prep.ts) and one call:
 * one subject's EEG preprocessed and cut into stimulus-locked segments.
 */
import { eegIdentificationConfigSchema } from '../decoding/config.js';
import { runEegPrepStage } from '../stages/eeg-prep.js';
import { defineVerb, readConfig, printOutcome, stageTarget, withStageOptions } from './framework.js';

export default defineVerb({
  command: 'eeg-prep',
  describe: 'preprocess one subject’s EEG and cut stimulus-locked segments (.npy + sidecar)',
  builder: (y) =>
    withStageOptions(y)
      .option('bids', { type: 'string', demandOption: true, describe: 'dataset root (BIDS, or NMED-T with input.format nmed-t / nmed-t-raw)' })
      .option('subject', { type: 'string', demandOption: true, describe: 'subject label, e.g. 01' })
      .option('task', { type: 'string', describe: 'only recordings of this task' }),
  run: async (a) => {
    const { prep, input } = readConfig(a.config, eegIdentificationConfigSchema);
    const res = await runEegPrepStage({ bids: a.bids, subject: a.subject, task: a.task, prep, input, ...stageTarget(a) });
    printOutcome('eeg-prep', res);
  },
});

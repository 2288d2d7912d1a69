/**
 * `brainalign eeg-prep --bids STUDY --subject 01 --config pipelines/eeg-identification.json`:
 * preprocess one subject's EEG recordings (notch, band-pass, bad channels,
 * re-reference, resample, robust scaling) and cut stimulus-locked segments.
 * Output (a cached stage, published into the derivatives tree):
 *   sub-XX/eeg/sub-XX_task-T_desc-segments_eeg.npy  (segments × channels × time, float32)
 *   … .json sidecar (stim ids, subject, rate, shift, channels, bad channels, parameters)
 *   sub-XX/eeg/sub-XX_task-T_desc-badchannels_channels.tsv (detection statistics)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineVerb, loadConfig, withStageOptions } from './framework.js';
import { InputError } from '../core/errors.js';
import { runStage } from '../pipeline/stage.js';
import { DEFAULT_ROOT } from '../pipeline/derivatives.js';
import { eegIdentificationConfigSchema } from '../decoding/config.js';

/** Bumped when the outputs change for the same inputs. */
const CODE_VERSION = 'eeg-prep-1';

export default defineVerb({
  command: 'eeg-prep',
  describe: 'preprocess one subject’s EEG and cut stimulus-locked segments (.npy + sidecar)',
  builder: (y) =>
    withStageOptions(y)
      .option('bids', { type: 'string', demandOption: true, describe: 'BIDS dataset root' })
      .option('subject', { type: 'string', demandOption: true, describe: 'subject label, e.g. 01' })
      .option('task', { type: 'string', describe: 'only recordings of this task' }),
  run: async (a) => {
    const cfg = loadConfig(a.config, eegIdentificationConfigSchema).prep;
    const sub = a.subject.replace(/^sub-/, '');
    const eegDir = path.join(a.bids, `sub-${sub}`, 'eeg');
    if (!fs.existsSync(eegDir)) throw new InputError(a.bids, `no sub-${sub}/eeg folder`);
    const stimTsv = path.join(a.bids, 'stimuli', 'stimuli.tsv');
    const inputs: Record<string, string> = { eeg: eegDir };
    if (fs.existsSync(stimTsv)) inputs.stimuli = stimTsv;
    const { prepareSubject, writePrepOutputs } = await import('../decoding/prep-study.js');
    let line = '';
    const res = await runStage(
      { stage: 'eeg-prep', codeVersion: CODE_VERSION, root: a.out ?? DEFAULT_ROOT, inputs, params: { subject: sub, task: a.task ?? null, prep: cfg }, seed: a.seed, stamp: a.stamp, publish: true },
      ({ dir }) => {
        const r = prepareSubject(a.bids, sub, cfg, a.task);
        writePrepOutputs(dir, r, cfg);
        line = `${r.segments.nSeg} segments × ${r.segments.nCh} channels × ${r.segments.nT} samples at ${cfg.rate} Hz; bad: ${r.bad.length ? r.bad.join(', ') : 'none'}`;
      },
    );
    process.stdout.write(`eeg-prep: sub-${sub} ${res.upToDate ? 'up to date' : 'done'} (${res.key})${line ? `; ${line}` : ''}\n`);
  },
});

/**
 * `brainalign eeg-prep --bids STUDY --subject 01 --config pipelines/eeg-identification.json`:
 * preprocess one subject's EEG recordings (BIDS EDF/BDF, or NMED-T's MATLAB
 * files when the config's input.format says so) (notch, band-pass, bad channels,
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
import type { EegInputConfig } from '../decoding/sources/config.js';

/** Bumped when the outputs change for the same inputs. */
const CODE_VERSION = 'eeg-prep-2';

export default defineVerb({
  command: 'eeg-prep',
  describe: 'preprocess one subject’s EEG and cut stimulus-locked segments (.npy + sidecar)',
  builder: (y) =>
    withStageOptions(y)
      .option('bids', { type: 'string', demandOption: true, describe: 'dataset root (BIDS, or NMED-T with input.format nmed-t / nmed-t-raw)' })
      .option('subject', { type: 'string', demandOption: true, describe: 'subject label, e.g. 01' })
      .option('task', { type: 'string', describe: 'only recordings of this task' }),
  run: async (a) => {
    const all = loadConfig(a.config, eegIdentificationConfigSchema);
    const cfg = all.prep;
    const input = all.input;
    const sub = a.subject.replace(/^sub-/, '');
    const inputs = input.format === 'bids' ? bidsInputs(a.bids, sub) : nmedtInputs(a.bids, sub, input);
    const { prepareSubject, writePrepOutputs } = await import('../decoding/prep-study.js');
    const { prepareNmedtCleaned, prepareNmedtRaw } = await import('../decoding/sources/nmed-t.js');
    let line = '';
    const res = await runStage(
      // The input section joins the parameters only when it is not BIDS, so BIDS stage keys stay as they were.
      {
        stage: 'eeg-prep',
        codeVersion: CODE_VERSION,
        root: a.out ?? DEFAULT_ROOT,
        inputs,
        params: { subject: sub, task: a.task ?? null, prep: cfg, ...(input.format === 'bids' ? {} : { input }) },
        seed: a.seed,
        stamp: a.stamp,
        publish: true,
      },
      async ({ dir }) => {
        const r =
          input.format === 'nmed-t'
            ? await prepareNmedtCleaned(a.bids, sub, input.nmedt, cfg)
            : input.format === 'nmed-t-raw'
              ? await prepareNmedtRaw(a.bids, sub, input.nmedt, cfg)
              : prepareSubject(a.bids, sub, cfg, a.task);
        writePrepOutputs(dir, r, cfg);
        line = `${r.segments.nSeg} segments × ${r.segments.nCh} channels × ${r.segments.nT} samples at ${cfg.rate} Hz; bad: ${r.bad.length ? r.bad.join(', ') : 'none'}`;
      },
    );
    process.stdout.write(`eeg-prep: sub-${sub} ${res.upToDate ? 'up to date' : 'done'} (${res.key})${line ? `; ${line}` : ''}\n`);
  },
});

/** Stage inputs of a BIDS subject: its eeg folder and the stimulus table. */
function bidsInputs(root: string, sub: string): Record<string, string> {
  const eegDir = path.join(root, `sub-${sub}`, 'eeg');
  if (!fs.existsSync(eegDir)) throw new InputError(root, `no sub-${sub}/eeg folder`);
  const stimTsv = path.join(root, 'stimuli', 'stimuli.tsv');
  const inputs: Record<string, string> = { eeg: eegDir };
  if (fs.existsSync(stimTsv)) inputs.stimuli = stimTsv;
  return inputs;
}

/**
 * Stage inputs of an NMED-T subject: every cleaned song file (each holds all
 * participants) or the subject's raw files, hashed by content once and memoised.
 */
function nmedtInputs(root: string, sub: string, input: EegInputConfig): Record<string, string> {
  const inputs: Record<string, string> = {};
  const n = input.nmedt;
  if (input.format === 'nmed-t') {
    for (const song of n.songs) {
      const name = n.cleanedFile.replaceAll('{N}', String(song));
      const f = [path.join(root, name), path.join(root, 'cleaned', name)].find((p) => fs.existsSync(p));
      if (!f) throw new InputError(root, `no ${name} (nor cleaned/${name})`);
      inputs[`song${song}`] = f;
    }
    return inputs;
  }
  const re = new RegExp(n.rawFile);
  for (const d of [root, path.join(root, 'raw')]) {
    if (!fs.existsSync(d)) continue;
    for (const f of fs.readdirSync(d)) {
      const m = re.exec(f);
      if (m && Number(m[1]) === Number(sub)) inputs[f] = path.join(d, f);
    }
  }
  if (Object.keys(inputs).length === 0) throw new InputError(root, `no raw file of participant ${sub} (nmedt.rawFile = ${n.rawFile})`);
  return inputs;
}

/**
 * The eeg-prep stage: preprocess one subject's EEG recordings (BIDS EDF/BDF,
 * or NMED-T's MATLAB files when the config's input.format says so): notch,
 * band-pass, bad channels, re-reference, resample, robust scaling; then cut
 * stimulus-locked segments. A cached stage published into the derivatives tree
 * (src/artifacts/segments.ts):
 *   sub-XX/eeg/sub-XX_task-T_desc-segments_eeg.npy  (segments × channels × time, float32)
 *   … .json sidecar (stim ids, subject, rate, shift, channels, bad channels, parameters)
 *   sub-XX/eeg/sub-XX_task-T_desc-badchannels_channels.tsv (detection statistics)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { runStage } from '../pipeline/stage.js';
import type { EegPrepConfig } from '../signal/eeg/prep.js';
import type { EegInputConfig } from '../decoding/sources/config.js';
import { stageSpec, type StageOutcome, type StageTarget } from './outcome.js';

/** Bumped when the outputs change for the same inputs. */
export const EEG_PREP_CODE_VERSION = 'eeg-prep-2';

export interface EegPrepOptions extends StageTarget {
  /** Dataset root: BIDS, or NMED-T with input.format nmed-t / nmed-t-raw. */
  bids: string;
  /** Subject label, with or without `sub-`. */
  subject: string;
  /** Only recordings of this task (BIDS). */
  task?: string;
  prep: EegPrepConfig;
  input: EegInputConfig;
}

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

export async function runEegPrepStage(o: EegPrepOptions): Promise<StageOutcome> {
  const { prep, input } = o;
  const sub = o.subject.replace(/^sub-/, '');
  const inputs = input.format === 'bids' ? bidsInputs(o.bids, sub) : nmedtInputs(o.bids, sub, input);
  const { prepareSubject, writePrepOutputs } = await import('../decoding/prep-study.js');
  const { prepareNmedtCleaned, prepareNmedtRaw } = await import('../decoding/sources/nmed-t.js');
  let line = '';
  const res = await runStage(
    // The input section joins the parameters only when it is not BIDS, so BIDS stage keys stay as they were.
    stageSpec(o, {
      stage: 'eeg-prep',
      codeVersion: EEG_PREP_CODE_VERSION,
      inputs,
      params: { subject: sub, task: o.task ?? null, prep, ...(input.format === 'bids' ? {} : { input }) },
      publish: true,
    }),
    async ({ dir }) => {
      const r =
        input.format === 'nmed-t'
          ? await prepareNmedtCleaned(o.bids, sub, input.nmedt, prep)
          : input.format === 'nmed-t-raw'
            ? await prepareNmedtRaw(o.bids, sub, input.nmedt, prep)
            : prepareSubject(o.bids, sub, prep, o.task);
      writePrepOutputs(dir, r, prep);
      line = `${r.segments.nSeg} segments × ${r.segments.nCh} channels × ${r.segments.nT} samples at ${prep.rate} Hz; bad: ${r.bad.length ? r.bad.join(', ') : 'none'}`;
    },
  );
  return { ...res, scope: `sub-${sub}`, summary: line };
}

/**
 * `brainalign synth`: generate the synthetic mini-study (BIDS dataset plus
 * planted ground truth). Sizes come from --config (JSON, see
 * src/synth/config.ts) and are overridden by the size options given here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stableJson } from '../core/atomic.js';
import { writeStamp } from '../pipeline/stage.js';
import { InputError } from '../core/errors.js';
import { sha256 } from '../core/hash.js';
import { notice } from '../core/progress.js';
import { readConfig, parseNumberList, parseWith, defineVerb } from './framework.js';
import { generateStudy, synthConfigSchema, SMALL_SYNTH_INPUT, type SynthConfig } from '../synth/index.js';
import { synthIdentity } from '../synth/write.js';
import { isSynthOutput, removeStaleSiblings, replaceStudy, studyComplete } from '../synth/replace.js';

/** Where make expects the mini-study (STUDY in the Makefile). */
export const DEFAULT_SYNTH_OUT = 'derivatives/mini-study';

export default defineVerb({
  command: 'synth',
  describe: 'generate the synthetic mini-study (stimuli, fMRI, EEG, behaviour, ground truth)',
  builder: (y) =>
    y
      .option('small', { type: 'boolean', default: false, describe: 'start from the reduced test size instead of the default' })
      .option('genres', { type: 'string', describe: 'comma-separated GTZAN genre names' })
      .option('clips-per-genre', { type: 'number', describe: 'clips per genre' })
      .option('clip-sec', { type: 'number', describe: 'clip duration, seconds' })
      .option('fmri-subjects', { type: 'number', describe: 'fMRI subjects' })
      .option('grid', { type: 'string', describe: 'fMRI grid, e.g. 24,24,16' })
      .option('eeg-subjects', { type: 'number', describe: 'EEG subjects with a planted response (plus one control)' })
      .option('format', { choices: ['bdf', 'edf'] as const, describe: 'EEG file format' })
      .option('beh-subjects', { type: 'number', describe: 'behaviour subjects' })
      .option('stamp', { type: 'string', describe: 'completion stamp to write after success (used by make)' }),
  run: (a) => {
    const base = a.small ? synthConfigSchema.parse(SMALL_SYNTH_INPUT) : readConfig(a.config, synthConfigSchema);
    if (a.small && a.config !== undefined) throw new InputError('--small', 'give either --small or --config, not both');
    const raw: SynthConfig = structuredClone(base);
    if (a.genres !== undefined) raw.stimuli.genres = a.genres.split(',').map((s) => s.trim()) as SynthConfig['stimuli']['genres'];
    if (a['clips-per-genre'] !== undefined) raw.stimuli.clipsPerGenre = a['clips-per-genre'];
    if (a['clip-sec'] !== undefined) raw.stimuli.clipSec = a['clip-sec'];
    if (a['fmri-subjects'] !== undefined) raw.fmri.subjects = a['fmri-subjects'];
    if (a.grid !== undefined) {
      const g = parseNumberList(a.grid, '--grid');
      if (g.length !== 3) throw new InputError('--grid', `expected three sizes x,y,z, got "${a.grid}"`);
      raw.fmri.grid = [g[0], g[1], g[2]];
    }
    if (a['eeg-subjects'] !== undefined) raw.eeg.subjects = a['eeg-subjects'];
    if (a.format !== undefined) raw.eeg.format = a.format;
    if (a['beh-subjects'] !== undefined) raw.behaviour.subjects = a['beh-subjects'];
    const cfg = parseWith(synthConfigSchema, raw, a.config ?? 'options');
    const out = path.resolve(a.out ?? DEFAULT_SYNTH_OUT);
    // Replace only an empty folder or an earlier synth output, never someone's data.
    if (fs.existsSync(out) && (!fs.statSync(out).isDirectory() || (fs.readdirSync(out).length > 0 && !isSynthOutput(out)))) {
      throw new InputError(a.out ?? DEFAULT_SYNTH_OUT, 'output folder is not empty and not an earlier synth output; refusing to replace it');
    }
    const identity = stableJson(synthIdentity(a.seed, cfg));
    const key = sha256(identity).slice(0, 16);
    removeStaleSiblings(out);
    if (studyComplete(out, identity)) {
      notice(`synth: up to date (${key}) → ${out}`);
      if (a.stamp) writeStamp(a.stamp, { stage: 'synth', key, dir: out });
      return;
    }
    const t0 = Date.now();
    // Generate beside the target and swap it in, so a killed run never leaves a half-written study.
    const study = replaceStudy(out, identity, (tmp) => generateStudy(cfg, a.seed, tmp));
    notice(`synth: done in ${((Date.now() - t0) / 1000).toFixed(1)} s (${study.stimuli.length} clips) → ${out}`);
    if (a.stamp) writeStamp(a.stamp, { stage: 'synth', key, dir: out });
  },
});

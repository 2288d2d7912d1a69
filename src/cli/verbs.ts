/** Every verb brainalign offers. A verb is listed here only once it works. */
import type { Verb } from './framework.js';
import align from './align.js';
import cache from './cache.js';
import data from './data.js';
import decodeEeg from './decode-eeg.js';
import eegPrep from './eeg-prep.js';
import encode from './encode.js';
import encodeSounds from './encode-sounds.js';
import alignSounds from './align-sounds.js';
import features from './features.js';
import info from './info.js';
import report from './report.js';
import slurm from './slurm.js';
import synth from './synth.js';
import train from './train.js';

// In the order a study runs them, then the utilities.
export const verbs: Verb[] = [synth, train, features, encode, encodeSounds, align, alignSounds, eegPrep, decodeEeg, report, info, data, cache, slurm];

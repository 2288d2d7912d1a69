/**
 * Sizes and knobs of the synthetic mini-study. Every field has a default, so
 * `{}` parses to the default study that `make` generates; the tests parse a
 * reduced size (see SMALL_SYNTH_CONFIG).
 */
import { z } from 'zod';

export const GTZAN_GENRES = ['blues', 'classical', 'country', 'disco', 'hiphop', 'jazz', 'metal', 'pop', 'reggae', 'rock'] as const;
export type GenreName = (typeof GTZAN_GENRES)[number];

const genreEnum = z.enum(GTZAN_GENRES);

export const stimuliConfigSchema = z
  .object({
    genres: z
      .array(genreEnum)
      .min(2)
      .default([...GTZAN_GENRES]),
    clipsPerGenre: z.number().int().min(1).max(99).default(8),
    clipSec: z.number().min(1).max(30).default(6),
    sampleRate: z.number().int().min(8000).max(48000).default(22050),
  })
  .strict();

export const fmriConfigSchema = z
  .object({
    subjects: z.number().int().min(0).max(20).default(3),
    grid: z.tuple([z.number().int().min(8), z.number().int().min(8), z.number().int().min(6)]).default([24, 24, 16]),
    voxelMm: z.number().positive().default(3),
    tr: z.number().positive().default(1.5),
    trainRuns: z.number().int().min(1).default(2),
    testRuns: z.number().int().min(1).default(3),
    /** Clips held out for the test runs (each shown once per test run); at most half the clips. 30 by default: RSA compares n(n−1)/2 = 435 RDM cells (10 clips gave 45). */
    testClips: z.number().int().min(1).default(30),
    /** Silent gap after each clip, seconds, plus a uniform jitter in [0, gapJitterSec). */
    gapSec: z.number().min(0).default(1.5),
    gapJitterSec: z.number().min(0).default(0.5),
    /** Silence before the first and after the last clip of a run, seconds. */
    leadInSec: z.number().min(0).default(6),
    leadOutSec: z.number().min(0).default(15),
    /** Per-voxel amplitude SNR σ_s/σ_n is log-normal with this median and log-sd, within auditory ROIs. */
    snrMedian: z.number().positive().default(0.6),
    snrLogSd: z.number().min(0).default(0.6),
    /** AR(1) coefficient of the noise at TR resolution. */
    ar1: z.number().min(0).max(0.95).default(0.4),
  })
  .strict();

export const eegConfigSchema = z
  .object({
    /** Subjects with a planted response; one more control subject is added when `control` is true. */
    subjects: z.number().int().min(0).max(20).default(3),
    control: z.boolean().default(true),
    channels: z.union([z.literal(16), z.literal(32)]).default(32),
    rate: z.number().int().min(64).max(2048).default(256),
    gapSec: z.number().min(0).default(1),
    format: z.enum(['bdf', 'edf']).default('bdf'),
    /** RMS of the planted response relative to the RMS of the background EEG at the best channel. */
    responseSnr: z.number().min(0).default(0.25),
    /** Songs the EEG listeners hear: the first clip of each genre, then the second, … (null = every clip). */
    songs: z.number().int().min(2).nullable().default(null),
    /** Presentations of each song per listener, shuffled (more EEG per listener × song for a song classifier). */
    repeats: z.number().int().min(1).max(20).default(1),
  })
  .strict();

export const behaviourConfigSchema = z
  .object({
    subjects: z
      .number()
      .int()
      .min(0)
      .max(50)
      .default(20)
      .describe('listeners giving a genre choice for every clip; the split-half ceiling of s_b needs several'),
    ambiguousFraction: z
      .number()
      .min(0)
      .max(1)
      .default(0.3)
      .describe('share of clips planted as mistakable for one partner genre (drawn from the genre’s confusion row)'),
    ambiguity: z
      .tuple([z.number().min(0).max(1), z.number().min(0).max(1)])
      .default([0.3, 0.6])
      .refine(([lo, hi]) => lo <= hi, { message: 'ambiguity: lower bound above upper bound' })
      .describe('an ambiguous clip moves a share a ~ U(lo, hi) of every listener’s response mass to its partner genre'),
  })
  .strict();

export const synthConfigSchema = z
  .object({
    stimuli: stimuliConfigSchema.default(stimuliConfigSchema.parse({})),
    fmri: fmriConfigSchema.default(fmriConfigSchema.parse({})),
    eeg: eegConfigSchema.default(eegConfigSchema.parse({})),
    behaviour: behaviourConfigSchema.default(behaviourConfigSchema.parse({})),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Duplicate genres would give two clips the same id and file.
    if (new Set(c.stimuli.genres).size !== c.stimuli.genres.length) {
      ctx.addIssue({ code: 'custom', path: ['stimuli', 'genres'], message: 'genres must not repeat' });
    }
    const nStim = c.stimuli.genres.length * c.stimuli.clipsPerGenre;
    const nTrain = nStim - Math.min(c.fmri.testClips, Math.floor(nStim / 2));
    if (c.fmri.subjects > 0 && nTrain < c.fmri.trainRuns) {
      ctx.addIssue({
        code: 'custom',
        path: ['fmri', 'trainRuns'],
        message: `${c.fmri.trainRuns} training runs need at least as many training clips, but only ${nTrain} of ${nStim} clips are left after the test clips`,
      });
    }
  });

export type SynthConfig = z.output<typeof synthConfigSchema>;
export type StimuliConfig = SynthConfig['stimuli'];
export type FmriConfig = SynthConfig['fmri'];
export type EegConfig = SynthConfig['eeg'];

/** The default study (10 genres × 8 clips × 6 s, 3 fMRI, 3+1 EEG and 20 behaviour subjects). */
export function defaultSynthConfig(): SynthConfig {
  return synthConfigSchema.parse({});
}

/** The reduced size the tests use: 3 genres × 2 clips × 3 s, small grid, 1–2 subjects. */
export const SMALL_SYNTH_INPUT = {
  stimuli: { genres: ['classical', 'metal', 'reggae'], clipsPerGenre: 2, clipSec: 3 },
  fmri: { subjects: 1, grid: [12, 12, 8], testClips: 2, trainRuns: 2, testRuns: 2, leadOutSec: 12 },
  eeg: { subjects: 1, channels: 16, rate: 128 },
  behaviour: { subjects: 2 },
} as const;

/** Parse the reduced test size. */
export function smallSynthConfig(): SynthConfig {
  return synthConfigSchema.parse(SMALL_SYNTH_INPUT);
}

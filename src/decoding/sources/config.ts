/**
 * Where eeg-prep's recordings come from (the `input` section of
 * pipelines/eeg-identification.json): a BIDS dataset of EDF/BDF files, or
 * NMED-T's MATLAB files read directly. Pure zod; parsing it loads no reader.
 */
import { z } from 'zod';

export const nmedtConfigSchema = z
  .object({
    songs: z
      .array(z.number().int().positive())
      .min(1)
      .default([21, 22, 23, 24, 25, 26, 27, 28, 29, 30])
      .describe('song numbers N (files song<N>_Imputed.mat, stimuli song<N>)'),
    cleanedFile: z.string().default('song{N}_Imputed.mat').describe('cleaned file name per song, {N} = song number (searched in ROOT and ROOT/cleaned)'),
    rawFile: z
      .string()
      .default('^(\\d+)_(\\d+)_raw\\.mat$')
      .describe('regular expression of raw file names; group 1 = participant number, group 2 = session (searched in ROOT and ROOT/raw)'),
    rawDataVar: z.string().default('X').describe('raw files: channels × time array, µV'),
    rawRateHz: z.number().positive().default(1000).describe('raw files: sampling rate, Hz (used when the file has no fs variable)'),
    dinVar: z.string().default('DIN_1').describe('raw files: NetStation trigger cell, one column per event'),
    dinCodeRow: z.number().int().positive().default(1).describe('row (1-based) of the DIN cell holding the event code text'),
    dinOnsetRow: z.number().int().positive().default(4).describe('row (1-based) of the DIN cell holding the event onset'),
    dinOnsetUnit: z.enum(['samples', 'ms']).default('samples').describe('unit of the onset row: 1-based samples or milliseconds from the recording start'),
    songCode: z
      .string()
      .default('(\\d+)\\s*$')
      .describe('regular expression applied to a DIN code; group 1 = song number (codes of other numbers are not songs)'),
  })
  .strict();

export type NmedtConfig = z.output<typeof nmedtConfigSchema>;

export const eegInputConfigSchema = z
  .object({
    format: z
      .enum(['bids', 'nmed-t', 'nmed-t-raw'])
      .default('bids')
      .describe(
        "recordings: 'bids' (sub-*/eeg/*.edf|bdf), 'nmed-t' (cleaned song<N>_Imputed.mat, 125 Hz) or 'nmed-t-raw' (<PP>_<S>_raw.mat with DIN triggers)",
      ),
    nmedt: nmedtConfigSchema.default(nmedtConfigSchema.parse({})).describe('NMED-T file names, variables and trigger layout'),
  })
  .strict();

export type EegInputConfig = z.output<typeof eegInputConfigSchema>;

/**
 * The EEG preprocessing chain, in this order (each step explained where it
 * matters):
 *  1. notch at the mains frequencies (zero-phase IIR);
 *  2. zero-phase Butterworth band-pass (removes drift before the variance
 *     statistics of step 3, and band-limits before resampling); switched off
 *     (bandpassHz null) for data that arrive filtered, so they are not
 *     filtered twice — resampling still applies its own anti-alias filter;
 *  3. bad-channel detection (flat / noisy);
 *  4. spherical-spline interpolation (or dropping) of the bad channels;
 *  5. re-reference (common average over the now-clean channels, or named channels);
 *  6. resampling to the analysis rate;
 *  7. robust scaling per channel (median/IQR, clamped at ±20, as PredANN).
 * Segmentation (segment.ts) follows on the output.
 */
import { z } from 'zod';
import { InputError } from '../../core/errors.js';
import { butterworth, notch, sosfiltfilt } from '../filters.js';
import { resample } from '../resample.js';
import { detectBadChannels, type BadChannelReport } from './bad-channels.js';
import { interpolateBadChannels } from './interpolate.js';
import { rereference } from './reference.js';
import { robustScale } from './robust.js';
import type { Xyz } from './montage.js';

export const eegPrepConfigSchema = z
  .object({
    notchHz: z.array(z.number().positive()).default([50]).describe('mains frequencies (and harmonics) to notch out, Hz; [] for none'),
    notchQ: z.number().positive().default(30).describe('notch quality factor (−3 dB width = f0/Q)'),
    bandpassHz: z
      .tuple([z.number().min(0), z.number().positive()])
      .nullable()
      .default([0.5, 30])
      .describe('zero-phase band-pass edges, Hz (low 0 = low-pass only; null = no filter, for data already cleaned, e.g. NMED-T)'),
    bandpassOrder: z.number().int().min(1).max(8).default(4).describe('Butterworth order per edge (doubled by the zero-phase pass)'),
    badChannels: z
      .object({
        detect: z.boolean().default(true).describe('detect flat/noisy channels'),
        zThreshold: z.number().positive().default(5).describe('robust-z cut on the log-variance and neighbour correlation'),
        flatUv: z.number().min(0).default(0.1).describe('sd below this (µV) is flat'),
        minNeighbourCorr: z
          .number()
          .min(-1)
          .max(1)
          .default(0)
          .describe('median correlation with the nearest good neighbours below this is noisy (a robust-z cut applies too)'),
        neighbours: z.number().int().min(1).default(4).describe('neighbours for the correlation test'),
        epochSec: z.number().positive().default(1).describe('epoch length for the median log-variance, s (robust to blinks)'),
        action: z.enum(['interpolate', 'drop']).default('interpolate').describe('spherical-spline interpolation or removal of bad channels'),
        alsoMarked: z.boolean().default(true).describe('also treat channels marked bad in channels.tsv as bad'),
      })
      .strict()
      .default({ detect: true, zThreshold: 5, flatUv: 0.1, minNeighbourCorr: 0, neighbours: 4, epochSec: 1, action: 'interpolate', alsoMarked: true }),
    reference: z
      .union([z.literal('average'), z.array(z.string()).min(1)])
      .default('average')
      .describe("'average' or a list of reference channel labels"),
    rate: z.number().positive().default(64).describe('analysis rate after resampling, Hz'),
    robustScale: z.boolean().default(true).describe('scale each channel by median/IQR'),
    clamp: z.number().positive().default(20).describe('clamp robust-scaled values to ±clamp'),
    shiftSec: z.number().default(0.2).describe('segment start relative to stimulus onset, s (EEG lags the sound)'),
    segmentSec: z.number().positive().nullable().default(null).describe('segment length, s (null = shortest stimulus duration)'),
    events: z
      .enum(['events', 'triggers', 'annotations'])
      .default('events')
      .describe('where stimulus onsets come from: events.tsv, Status trigger codes, or EDF+ annotations'),
  })
  .strict();

export type EegPrepConfig = z.output<typeof eegPrepConfigSchema>;

export interface PrepInput {
  labels: string[];
  /** Sampling rate of every channel, Hz. */
  rate: number;
  /** One Float32Array per channel, µV. */
  data: Float32Array[];
  /** Unit-sphere (or any radius) position of every channel. */
  positions: Xyz[];
  /** Channels already marked bad (e.g. channels.tsv status), by index. */
  marked?: number[];
}

export interface PrepOutput {
  labels: string[];
  rate: number;
  /** One Float32Array per kept channel: robust-scale units if scaling is on, else µV. */
  data: Float32Array[];
  /** Labels of the channels found bad (detected ∪ marked). */
  bad: string[];
  report: BadChannelReport | null;
}

/** Run steps 1–7 on one recording. Returns the cleaned channels at `cfg.rate`. */
export function preprocessEeg(input: PrepInput, cfg: EegPrepConfig): PrepOutput {
  const { rate, labels } = input;
  if (input.data.length !== labels.length) throw new InputError('eeg-prep', `${input.data.length} channels but ${labels.length} labels`);
  let data = input.data;
  for (const f0 of cfg.notchHz) {
    if (f0 >= rate / 2) continue; // above Nyquist: nothing to remove
    const sos = notch(f0, cfg.notchQ, rate);
    data = data.map((x) => sosfiltfilt(sos, x));
  }
  if (cfg.bandpassHz) {
    const [lo, hi] = cfg.bandpassHz;
    if (hi >= rate / 2) throw new InputError('bandpassHz', `upper edge ${hi} Hz must be below Nyquist (${rate / 2} Hz)`);
    const sos = lo > 0 ? butterworth(cfg.bandpassOrder, [lo, hi], rate, 'bandpass') : butterworth(cfg.bandpassOrder, hi, rate, 'lowpass');
    data = data.map((x) => sosfiltfilt(sos, x));
  }
  const bad = new Set<number>(cfg.badChannels.alsoMarked ? (input.marked ?? []) : []);
  let report: BadChannelReport | null = null;
  if (cfg.badChannels.detect) {
    report = detectBadChannels(data, input.positions, { ...cfg.badChannels, epochSamples: Math.round(cfg.badChannels.epochSec * rate) });
    for (const b of report.bad) bad.add(b);
  }
  const badList = [...bad].sort((a, b) => a - b);
  let keptLabels = labels;
  if (badList.length > 0) {
    if (cfg.badChannels.action === 'interpolate') {
      data = interpolateBadChannels(data, input.positions, badList);
    } else {
      data = data.filter((_, i) => !bad.has(i));
      keptLabels = labels.filter((_, i) => !bad.has(i));
    }
  }
  data = rereference(data, keptLabels, cfg.reference);
  if (cfg.rate !== rate) data = data.map((x) => resample(x, rate, cfg.rate));
  if (cfg.robustScale) data = data.map((x) => robustScale(x, cfg.clamp));
  return { labels: keptLabels, rate: cfg.rate, data, bad: badList.map((i) => labels[i]), report };
}

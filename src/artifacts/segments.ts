/**
 * The eeg-prep artifact: per subject, stimulus-locked EEG segments
 * `sub-XX/eeg/sub-XX_task-T_desc-segments_eeg.npy` (segments × channels ×
 * time, float32) with their JSON sidecar, and the bad-channel detection table
 * `…_desc-badchannels_channels.tsv`. eeg-prep writes it with writeSegments;
 * decode-eeg reads it with openSegments (the arrays only when asked).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { readNpy, readNpyHeader, writeNpy } from '../io/npy.js';
import { readJsonFile, writeJsonFile } from './json.js';
import { table, writeTable, type Row } from './table.js';

export const segmentsSidecarSchema = z
  .object({
    shape: z.tuple([z.number().int().min(0), z.number().int().min(1), z.number().int().min(1)]).describe('segments, channels, samples'),
    axes: z.tuple([z.literal('segment'), z.literal('channel'), z.literal('time')]),
    units: z.string().describe('µV, or the robust scaling applied'),
    subject: z.string().regex(/^sub-/).describe('BIDS subject with its sub- prefix'),
    task: z.string(),
    rate_hz: z.number().positive().describe('sampling rate of the segments, Hz'),
    shift_s: z.number().describe('segment start after the stimulus onset, s'),
    segment_s: z.number().positive(),
    channels: z.array(z.string()),
    bad_channels: z.array(z.string()),
    bad_channel_action: z.string(),
    stim_ids: z.array(z.string()).describe('stimulus of each segment'),
    segment_onsets_s: z.array(z.number()).describe('segment start in its recording, s'),
    skipped_events: z.array(z.object({ onset: z.number(), stim_id: z.string() })).describe('events whose segment did not fit in the recording'),
    sources: z.array(z.string()),
    parameters: z.unknown(),
  })
  .strict();
export type SegmentsSidecar = z.output<typeof segmentsSidecarSchema>;

export const badChannelsTable = table(
  {
    recording: 'text',
    name: 'text',
    status: 'text',
    marked_bad: 'text',
    z_logvar: 'num',
    neighbour_r: 'num',
    sd_uv: 'num',
  },
  {
    recording: { Description: 'Recording the statistics come from' },
    name: { Description: 'Channel label' },
    status: {
      Description: 'Detection result',
      Levels: {
        good: 'kept as is',
        flat: 'flat (sd below floor or log-variance robust z < −threshold)',
        noisy: 'noisy (log-variance robust z > threshold or outlying neighbour correlation)',
        marked: 'marked bad in channels.tsv',
      },
    },
    marked_bad: { Description: 'Whether channels.tsv marked the channel bad' },
    z_logvar: { Description: 'Robust z-score of the log-variance of the band-passed channel' },
    neighbour_r: { Description: 'Median correlation with the nearest good neighbours' },
    sd_uv: { Description: 'Standard deviation of the band-passed channel', Units: 'uV' },
  },
);
export type BadChannelRow = Row<typeof badChannelsTable.columns>;

/** File stem of a subject's segments inside an eeg-prep artifact (subject without the sub- prefix). */
export function segmentsStem(subject: string, task: string): string {
  return path.join(`sub-${subject}`, 'eeg', `sub-${subject}_task-${task}_desc-segments_eeg`);
}

/** Writes one subject's segments (nSeg × nCh × nT), sidecar and bad-channel table into an artifact folder. */
export function writeSegments(dir: string, subject: string, task: string, data: Float32Array, sidecar: SegmentsSidecar, badChannels: BadChannelRow[]): void {
  const stem = path.join(dir, segmentsStem(subject, task));
  writeNpy(`${stem}.npy`, data, [...sidecar.shape]);
  writeJsonFile(`${stem}.json`, segmentsSidecarSchema, sidecar);
  writeTable(path.join(dir, `sub-${subject}`, 'eeg', `sub-${subject}_task-${task}_desc-badchannels_channels.tsv`), badChannelsTable, badChannels);
}

/** One subject's segments: the parsed sidecar now, the array on read(). */
export interface OpenedSegments {
  file: string;
  meta: SegmentsSidecar;
  read(): Float32Array;
}

/** Every subject's segments in an eeg-prep artifact folder; headers and sidecars are checked against each other here. */
export function openSegments(dir: string): OpenedSegments[] {
  const out: OpenedSegments[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('_desc-segments_eeg.npy')) out.push(openOne(p));
    }
  };
  walk(dir);
  if (out.length === 0) throw new InputError(dir, 'no *_desc-segments_eeg.npy in this artifact (is it an eeg-prep output?)');
  return out;
}

function openOne(file: string): OpenedSegments {
  const side = file.replace(/\.npy$/, '.json');
  if (!fs.existsSync(side)) throw new InputError(file, 'segments without their .json sidecar');
  const meta = readJsonFile(side, segmentsSidecarSchema);
  const h = readNpyHeader(file);
  if (h.dtype !== 'float32' || h.shape.length !== 3)
    throw new InputError(file, `expected float32 segments × channels × time, got ${h.dtype} [${h.shape.join(', ')}]`);
  if (h.shape.some((n, i) => n !== meta.shape[i]))
    throw new InputError(side, `shape [${meta.shape.join(', ')}] disagrees with the array's [${h.shape.join(', ')}]`);
  if (meta.stim_ids.length !== h.shape[0] || meta.channels.length !== h.shape[1])
    throw new InputError(side, 'stim_ids and channels must match the array (one per segment, one per channel)');
  return { file, meta, read: () => readNpy(file).data as Float32Array };
}

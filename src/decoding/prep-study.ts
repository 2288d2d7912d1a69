/**
 * One subject's EEG from a BIDS dataset to segments: read each recording
 * (EDF/BDF), its channels.tsv (types, channels marked bad), electrode
 * positions (electrodes.tsv when present, else standard 10-20 positions),
 * stimulus events (events.tsv, Status triggers or EDF+ annotations), run the
 * preprocessing chain and cut segments. Recordings of one subject are
 * concatenated segment-wise.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { notice } from '../core/progress.js';
import { scanBids, selectFiles, readEvents } from '../io/bids.js';
import { readEdf, recordGaps } from '../io/edf.js';
import { readTsv, tsvNumber } from '../io/tsv.js';
import { writeSegments, type BadChannelRow } from '../artifacts/segments.js';
import { preprocessEeg, type EegPrepConfig, type PrepInput } from '../signal/eeg/prep.js';
import { cutSegments, eventsFromAnnotations, eventsFromTriggers, type Segments, type StimulusEvent } from '../signal/eeg/segment.js';
import type { Xyz } from '../signal/eeg/montage.js';
import type { BadChannelReport } from '../signal/eeg/bad-channels.js';
import { electrodeXyz } from '../signal/eeg/montage.js';

export interface PreparedSubject {
  subject: string;
  task: string;
  channels: string[];
  segments: Segments;
  bad: string[];
  reports: { file: string; labels: string[]; report: BadChannelReport | null; marked: string[] }[];
  sources: string[];
}

/** Companion file of a recording: same entities, another suffix/extension. */
function companion(dataFile: string, suffix: string, ext: string): string {
  return dataFile.replace(/_eeg\.(edf|bdf|vhdr|set|fif)$/i, `_${suffix}${ext}`);
}

/** Electrode positions: electrodes.tsv (x, y, z) for the listed labels, else standard 10-20 positions. */
function positionsFor(labels: string[], dataFile: string): Xyz[] {
  const el = companion(dataFile, 'electrodes', '.tsv');
  const dirEl = fs.existsSync(el)
    ? el
    : fs
        .readdirSync(path.dirname(dataFile))
        .map((f) => path.join(path.dirname(dataFile), f))
        .find((f) => f.endsWith('_electrodes.tsv'));
  if (dirEl && fs.existsSync(dirEl)) {
    const tab = readTsv(dirEl);
    const pos = new Map(
      tab.rows.map((r) => [r.name, [tsvNumber(r.x, dirEl, 'x') ?? NaN, tsvNumber(r.y, dirEl, 'y') ?? NaN, tsvNumber(r.z, dirEl, 'z') ?? NaN] as Xyz]),
    );
    return labels.map((l) => {
      const p = pos.get(l);
      if (!p || p.some((v) => !Number.isFinite(v))) throw new InputError(dirEl, `no position for channel ${l}`);
      return p;
    });
  }
  return labels.map((l) => {
    try {
      return electrodeXyz(l);
    } catch {
      throw new InputError(dataFile, `channel ${l} has no standard 10-20 position and there is no electrodes.tsv`);
    }
  });
}

function stimulusEvents(dataFile: string, cfg: EegPrepConfig, root: string, rec: ReturnType<typeof readEdf>, eventsFile: string | undefined): StimulusEvent[] {
  if (cfg.events === 'events') {
    if (!eventsFile) throw new InputError(dataFile, 'no events.tsv for this recording (set prep.events to "triggers" or "annotations")');
    const evs = readEvents(eventsFile);
    const out: StimulusEvent[] = [];
    for (const e of evs) {
      const id = e.extra.stim_id ?? e.extra.stim_file ?? e.trialType;
      if (id && id !== 'n/a') out.push({ onset: e.onset, duration: e.duration, stimId: id.replace(/^.*\//, '').replace(/\.wav$/i, '') });
    }
    return out;
  }
  if (cfg.events === 'triggers') {
    const stimTsv = path.join(root, 'stimuli', 'stimuli.tsv');
    if (!fs.existsSync(stimTsv)) throw new InputError(root, 'trigger events need stimuli/stimuli.tsv with stim_id and value (trigger code) columns');
    const tab = readTsv(stimTsv);
    const map = new Map<number, string>();
    for (const r of tab.rows) {
      const v = tsvNumber(r.value, stimTsv, 'value');
      if (v !== null) map.set(v, r.stim_id);
    }
    return eventsFromTriggers(rec.triggers, map);
  }
  return eventsFromAnnotations(rec.annotations, /^stim\s+(\S+)$/);
}

/** One recording ready for the chain: channels (µV) with positions, the channels marked bad, the stimulus events. */
export interface Recording {
  /** Path shown in messages and reports (relative to the dataset root). */
  file: string;
  input: PrepInput;
  events: StimulusEvent[];
}

/** The EDF/BDF recordings of one BIDS subject, read one at a time. */
function* bidsRecordings(root: string, files: ReturnType<typeof selectFiles>, cfg: EegPrepConfig): Generator<Recording> {
  for (const f of files) {
    const chTsv = companion(f.path, 'channels', '.tsv');
    let eegLabels: string[] | null = null;
    const marked: string[] = [];
    if (fs.existsSync(chTsv)) {
      const tab = readTsv(chTsv);
      eegLabels = tab.rows.filter((r) => !r.type || r.type.toUpperCase() === 'EEG').map((r) => r.name);
      for (const r of tab.rows) if (r.status === 'bad' && eegLabels.includes(r.name)) marked.push(r.name);
    }
    const rec = readEdf(f.path);
    // Filters would smear a gap's NaN over the whole recording.
    const gaps = recordGaps(rec);
    if (gaps.length > 0)
      throw new InputError(
        f.path,
        `EDF+D recording has ${gaps.length} gap(s) (first ${gaps[0].seconds} s at ${gaps[0].at} s); eeg-prep needs a continuous recording`,
      );
    const sigs = rec.signals.filter((s) => (eegLabels ? eegLabels.includes(s.label) : !/^(status|trigger)$/i.test(s.label)));
    if (sigs.length < 3) throw new InputError(f.path, `only ${sigs.length} EEG channels`);
    const rate = sigs[0].rate;
    if (sigs.some((s) => s.rate !== rate)) throw new InputError(f.path, 'EEG channels have different sampling rates');
    const labels = sigs.map((s) => s.label);
    const scale = sigs.map((s) => (/^(v)$/i.test(s.unit) ? 1e6 : /^mv$/i.test(s.unit) ? 1e3 : 1)); // to µV
    const data = sigs.map((s, i) => (scale[i] === 1 ? s.data : s.data.map((v) => v * scale[i])));
    const positions = positionsFor(labels, f.path);
    const events = stimulusEvents(f.path, cfg, root, rec, f.events);
    if (events.length === 0) throw new InputError(f.path, `no stimulus events found (prep.events = ${cfg.events})`);
    yield { file: path.relative(root, f.path), input: { labels, rate, data, positions, marked: marked.map((m) => labels.indexOf(m)) }, events };
  }
}

/** Preprocess and segment every EEG recording of `subject` (label without "sub-"). */
export function prepareSubject(root: string, subject: string, cfg: EegPrepConfig, task?: string): PreparedSubject {
  const ds = scanBids(root);
  const files = selectFiles(ds, { datatype: 'eeg', suffix: 'eeg', sub: subject, task }).filter((f) => /\.(edf|bdf)$/i.test(f.path));
  if (files.length === 0) throw new InputError(root, `no EDF/BDF recordings for sub-${subject}${task ? ` task-${task}` : ''}`);
  return segmentRecordings(bidsRecordings(root, files, cfg), cfg, subject, task ?? files[0].entities.task ?? 'unknown');
}

/**
 * Run the preprocessing chain on each recording, cut its segments, and
 * concatenate them segment-wise (cut to the shortest). Recordings are taken
 * one at a time, so only one is held in memory before preprocessing.
 */
export function segmentRecordings(recordings: Iterable<Recording>, cfg: EegPrepConfig, subject: string, task: string): PreparedSubject {
  const parts: Segments[] = [];
  const reports: PreparedSubject['reports'] = [];
  const sources: string[] = [];
  let channels: string[] | null = null;
  const badAll = new Set<string>();
  for (const r of recordings) {
    const { labels } = r.input;
    const marked = (r.input.marked ?? []).map((i) => labels[i]);
    const pre = preprocessEeg(r.input, cfg);
    const durs = r.events.map((e) => e.duration).filter((d) => Number.isFinite(d) && d > 0);
    const segSec = cfg.segmentSec ?? (durs.length ? Math.min(...durs) : NaN);
    if (!Number.isFinite(segSec)) throw new InputError(r.file, 'stimulus durations unknown: set prep.segmentSec');
    const seg = cutSegments(pre.data, pre.rate, r.events, cfg.shiftSec, segSec);
    if (seg.skipped.length) notice(`eeg-prep: ${path.basename(r.file)}: ${seg.skipped.length} event(s) run past the recording and were skipped`);
    if (channels && channels.join(',') !== pre.labels.join(','))
      throw new InputError(r.file, 'recordings of one subject have different channels after preprocessing');
    channels = pre.labels;
    parts.push(seg);
    for (const b of pre.bad) badAll.add(b);
    reports.push({ file: r.file, labels, report: pre.report, marked });
    sources.push(r.file);
  }
  if (parts.length === 0) throw new InputError(`sub-${subject}`, 'no recordings');
  const nT = Math.min(...parts.map((p) => p.nT));
  const nCh = parts[0].nCh;
  const nSeg = parts.reduce((s, p) => s + p.nSeg, 0);
  const data = new Float32Array(nSeg * nCh * nT);
  let s0 = 0;
  for (const p of parts) {
    for (let s = 0; s < p.nSeg; s++)
      for (let c = 0; c < nCh; c++) data.set(p.data.subarray((s * nCh + c) * p.nT, (s * nCh + c) * p.nT + nT), ((s0 + s) * nCh + c) * nT);
    s0 += p.nSeg;
  }
  const segments: Segments = {
    data,
    nSeg,
    nCh,
    nT,
    stimIds: parts.flatMap((p) => p.stimIds),
    starts: parts.flatMap((p) => p.starts),
    skipped: parts.flatMap((p) => p.skipped),
  };
  return { subject, task, channels: channels ?? [], segments, bad: [...badAll].sort(), reports, sources };
}

/** Write the segments .npy + sidecar and the bad-channel table into an artifact folder. */
export function writePrepOutputs(dir: string, r: PreparedSubject, cfg: EegPrepConfig): void {
  const s = r.segments;
  const bad: BadChannelRow[] = r.reports.flatMap((rep) =>
    rep.labels.map((l, i) => ({
      recording: rep.file,
      name: l,
      status: rep.report ? rep.report.status[i] : rep.marked.includes(l) ? 'marked' : 'good',
      marked_bad: rep.marked.includes(l) ? 'yes' : 'no',
      z_logvar: rep.report ? rep.report.zLogVar[i] : null,
      neighbour_r: rep.report && Number.isFinite(rep.report.neighbourCorr[i]) ? rep.report.neighbourCorr[i] : null,
      sd_uv: rep.report ? rep.report.sd[i] : null,
    })),
  );
  writeSegments(
    dir,
    r.subject,
    r.task,
    s.data,
    {
      shape: [s.nSeg, s.nCh, s.nT],
      axes: ['segment', 'channel', 'time'],
      units: cfg.robustScale ? `robust-scaled (median/IQR per channel, clamped at ±${cfg.clamp})` : 'uV',
      subject: `sub-${r.subject}`,
      task: r.task,
      rate_hz: cfg.rate,
      shift_s: cfg.shiftSec,
      segment_s: s.nT / cfg.rate,
      channels: r.channels,
      bad_channels: r.bad,
      bad_channel_action: cfg.badChannels.action,
      stim_ids: s.stimIds,
      segment_onsets_s: s.starts,
      skipped_events: s.skipped.map((e) => ({ onset: e.onset, stim_id: e.stimId })),
      sources: r.sources,
      parameters: cfg,
    },
    bad,
  );
}

/**
 * readEdf: a subset of signals over a time window, reading only the data
 * records that overlap the window.
 */
import * as fs from 'node:fs';
import { InputError } from '../../core/errors.js';
import { scanAnnotations, type AnnotationScan } from './annotations.js';
import { openEdf, parseEdfHeader } from './header.js';
import { decodeInto, digitalAt, forEachRecordChunk } from './records.js';
import type { EdfHeader, EdfReadOptions, EdfRecording, EdfSignalHeader } from './types.js';

/** Largest number of samples one returned signal may hold (4 GiB of float32). */
const MAX_SAMPLES = 2 ** 30;

/** The ordinary signals picked by `channels` (labels, or indices among ordinary signals). */
export function selectSignals(h: EdfHeader, channels: (string | number)[] | undefined): EdfSignalHeader[] {
  const ordinary = h.signals.filter((s) => !s.isAnnotation);
  if (channels === undefined) return ordinary;
  return channels.map((c) => {
    if (typeof c === 'number') {
      if (!Number.isInteger(c) || c < 0 || c >= ordinary.length) {
        throw new InputError(h.path, `no signal with index ${c} (the file has ${ordinary.length})`);
      }
      return ordinary[c];
    }
    const byLabel = ordinary.find((s) => s.label === c);
    if (byLabel) return byLabel;
    const byRaw = ordinary.filter((s) => s.rawLabel === c);
    if (byRaw.length === 1) return byRaw[0];
    if (byRaw.length > 1) throw new InputError(h.path, `signal label "${c}" is ambiguous; use ${byRaw.map((s) => `"${s.label}"`).join(' or ')}`);
    throw new InputError(h.path, `no signal labelled "${c}"`);
  });
}

/** Index of the first sample at or after time t (s) for a signal of `rate` Hz. */
function sampleAtOrAfter(t: number, rate: number): number {
  return Math.ceil(t * rate - 1e-9);
}

/** Trigger channels by MNE's automatic rule: labels "status" or "trigger", any case. */
export function stimSignals(h: EdfHeader): EdfSignalHeader[] {
  return h.signals.filter((s) => !s.isAnnotation && /^(status|trigger)$/i.test(s.rawLabel));
}

/** The channel triggers are decoded from: the first "Status" (BioSemi), else the first "Trigger". */
export function statusSignal(h: EdfHeader): EdfSignalHeader | undefined {
  const stim = stimSignals(h);
  return stim.find((s) => s.rawLabel.toLowerCase() === 'status') ?? stim[0];
}

/**
 * A gapped (EDF+D/BDF+D) window is returned on one time axis with NaN in the
 * gaps, so its size follows the span of time, not the bytes in the file:
 * records 10,000 s apart would need gigabytes for kilobytes of data. The
 * span may be at most this many times the recorded time in the window (plus
 * one minute); longer gaps must be read with readEdfSegments or a window.
 */
export const MAX_GAP_RATIO = 4;

/**
 * Read an EDF/EDF+/BDF/BDF+ file. Returns the chosen signals in physical units
 * (float32) for samples with times in [tStart, tEnd) seconds from the start,
 * all annotations, and Status-channel triggers within the window. EDF+D gaps
 * are NaN, samples sitting at their true times (record onsets from the TALs),
 * within the MAX_GAP_RATIO cap.
 */
export function readEdf(path: string, opts: EdfReadOptions = {}): EdfRecording {
  const fd = openEdf(path);
  try {
    const h = parseEdfHeader(fd, path);
    const picked = selectSignals(h, opts.channels);
    const scan = scanAnnotations(fd, h);
    return readWindow(fd, h, scan, picked, opts.tStart ?? 0, Math.min(opts.tEnd ?? scan.duration, scan.duration), opts.tEnd);
  } finally {
    fs.closeSync(fd);
  }
}

/** One gap-free stretch of a recording: consecutive records that abut in time. */
export interface EdfSegment extends EdfRecording {
  /** Seconds from the start of the recording to the end of the segment's last record. */
  tEnd: number;
}

/**
 * Read a recording as its gap-free segments (one for EDF/BDF and EDF+C; one
 * per run of abutting records for EDF+D), each on its own time axis with no
 * NaN, so memory follows the data, not the span. Annotations are the file's.
 */
export function readEdfSegments(path: string, opts: Pick<EdfReadOptions, 'channels'> = {}): EdfSegment[] {
  const fd = openEdf(path);
  try {
    const h = parseEdfHeader(fd, path);
    const picked = selectSignals(h, opts.channels);
    const scan = scanAnnotations(fd, h);
    const out: EdfSegment[] = [];
    const on = scan.recordOnsets;
    let first = 0;
    for (let k = 1; k <= h.nRecords; k++) {
      if (k < h.nRecords && Math.abs(on[k] - (on[k - 1] + h.recordDuration)) < 1e-7) continue;
      const t0 = on[first];
      const t1 = on[k - 1] + h.recordDuration;
      out.push({ ...readWindow(fd, h, scan, picked, t0, t1, t1), tEnd: t1 });
      first = k;
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

/** Seconds of recorded data (records) overlapping [t0, t1). */
function recordedSeconds(onsets: Float64Array, dur: number, t0: number, t1: number): number {
  let s = 0;
  for (const o of onsets) s += Math.max(0, Math.min(o + dur, t1) - Math.max(o, t0));
  return s;
}

function readWindow(
  fd: number,
  h: EdfHeader,
  scan: AnnotationScan,
  picked: EdfSignalHeader[],
  tStart: number,
  tEnd: number,
  askedEnd: number | undefined,
): EdfRecording {
  const path = h.path;
  if (!Number.isFinite(tStart) || tStart < 0) throw new InputError('tStart', `must be a non-negative number of seconds, got ${tStart}`);
  if (!Number.isFinite(tEnd) || tEnd < tStart) throw new InputError('tEnd', `must be at least tStart (${tStart} s), got ${askedEnd}`);

  const onsets = scan.recordOnsets;
  const dur = h.recordDuration;
  let k0 = 0;
  while (k0 < h.nRecords && onsets[k0] + dur <= tStart) k0++;
  let k1 = k0;
  while (k1 < h.nRecords && onsets[k1] < tEnd) k1++;
  const gapped = h.variant.endsWith('+D');
  if (gapped) {
    const recorded = recordedSeconds(onsets.subarray(k0, k1), dur, tStart, tEnd);
    if (tEnd - tStart > MAX_GAP_RATIO * recorded + 60) {
      throw new InputError(
        path,
        `EDF+D records span ${tEnd - tStart} s but hold ${recorded} s of data; gaps this long are read as segments (readEdfSegments) or by window`,
      );
    }
  }

  const windows = picked.map((s) => {
    const total = Math.round(scan.duration * s.rate);
    const i0 = Math.min(sampleAtOrAfter(tStart, s.rate), total);
    const i1 = Math.min(sampleAtOrAfter(tEnd, s.rate), total);
    if (i1 - i0 > MAX_SAMPLES) throw new InputError(path, `signal "${s.label}" would hold ${i1 - i0} samples; read a shorter window`);
    const data = new Float32Array(Math.max(0, i1 - i0));
    if (gapped) data.fill(NaN);
    return { s, i0, i1, data };
  });

  const status = statusSignal(h);
  const triggers: { onset: number; code: number }[] = [];
  let sWin = { i0: 0, i1: 0 };
  if (status)
    sWin = {
      i0: Math.min(sampleAtOrAfter(tStart, status.rate), Math.round(scan.duration * status.rate)),
      i1: Math.min(sampleAtOrAfter(tEnd, status.rate), Math.round(scan.duration * status.rate)),
    };
  // One record before the window tells whether its first Status sample is a change.
  const kr0 = status && k0 > 0 ? k0 - 1 : k0;
  let prev = 0;
  const bps = h.bytesPerSample;
  forEachRecordChunk(fd, h, kr0, k1, (rb, first, count) => {
    const buf = rb.u8;
    for (let r = 0; r < count; r++) {
      const k = first + r;
      const rec = r * h.recordBytes;
      for (const w of windows) {
        const spr = w.s.samplesPerRecord;
        const base = gapped ? Math.round(onsets[k] * w.s.rate) : k * spr;
        const s0 = Math.max(0, w.i0 - base);
        const s1 = Math.min(spr, w.i1 - base);
        if (s1 > s0) decodeInto(rb, rec, w.s, bps, s0, s1, w.data, base + s0 - w.i0);
      }
      if (status) {
        const spr = status.samplesPerRecord;
        const base = gapped ? Math.round(onsets[k] * status.rate) : k * spr;
        for (let i = 0; i < spr; i++) {
          const v = digitalAt(buf, rec, status, bps, i) & 0xffff;
          const idx = base + i;
          if (v !== prev && v !== 0 && idx >= sWin.i0 && idx < sWin.i1) triggers.push({ onset: idx / status.rate, code: v });
          prev = v;
        }
      }
    }
  });
  return {
    header: h,
    signals: windows.map((w) => ({ label: w.s.label, unit: w.s.unit, rate: w.s.rate, data: w.data })),
    annotations: scan.annotations,
    triggers,
    tStart,
    recordOnsets: onsets,
  };
}

/** The gaps between records of a recording: where each starts (s) and how long it lasts (s). Empty for continuous files. */
export function recordGaps(rec: EdfRecording): { at: number; seconds: number }[] {
  const on = rec.recordOnsets;
  const dur = rec.header.recordDuration;
  const gaps: { at: number; seconds: number }[] = [];
  for (let k = 1; k < on.length; k++) {
    const end = on[k - 1] + dur;
    if (on[k] - end > 1e-7) gaps.push({ at: end, seconds: on[k] - end });
  }
  return gaps;
}

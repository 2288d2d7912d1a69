/**
 * Cutting stimulus-locked segments out of continuous EEG. The EEG response
 * trails the sound, so each segment starts `shiftSec` after the stimulus
 * onset (PredANN: 200 ms); segment sample t then pairs with stimulus time t.
 */
import { InputError } from '../../core/errors.js';

export interface StimulusEvent {
  /** Stimulus onset, seconds from the start of the recording. */
  onset: number;
  /** Stimulus duration, seconds (NaN when unknown). */
  duration: number;
  /** Stimulus identifier (e.g. the clip id). */
  stimId: string;
}

export interface Segments {
  /** nSeg × nCh × nT row-major float32, in the units of the input. */
  data: Float32Array;
  nSeg: number;
  nCh: number;
  nT: number;
  stimIds: string[];
  /** Start of each segment in the continuous recording, seconds (onset + shift). */
  starts: number[];
  /** Events that did not fit inside the recording (skipped). */
  skipped: StimulusEvent[];
}

/**
 * Cut one segment of `segmentSec` seconds per event, starting at
 * onset + shiftSec, from channels `data` sampled at `rate` Hz. The start is
 * rounded to the nearest sample. Events whose segment would leave the
 * recording are skipped and listed. Returns segments × channels × time.
 */
export function cutSegments(data: Float32Array[], rate: number, events: StimulusEvent[], shiftSec: number, segmentSec: number): Segments {
  if (!(segmentSec > 0)) throw new InputError('segmentSec', `must be > 0, got ${segmentSec}`);
  const nCh = data.length;
  const n = data[0]?.length ?? 0;
  const nT = Math.round(segmentSec * rate);
  const kept: { ev: StimulusEvent; i0: number }[] = [];
  const skipped: StimulusEvent[] = [];
  for (const ev of events) {
    const i0 = Math.round((ev.onset + shiftSec) * rate);
    if (i0 < 0 || i0 + nT > n) skipped.push(ev);
    else kept.push({ ev, i0 });
  }
  const out = new Float32Array(kept.length * nCh * nT);
  kept.forEach(({ i0 }, s) => {
    for (let c = 0; c < nCh; c++) out.set(data[c].subarray(i0, i0 + nT), (s * nCh + c) * nT);
  });
  return { data: out, nSeg: kept.length, nCh, nT, stimIds: kept.map((k) => k.ev.stimId), starts: kept.map((k) => k.i0 / rate), skipped };
}

/**
 * Stimulus events from trigger codes: each trigger whose code is in
 * `codeToStim` becomes an event with that stimulus id (duration unknown).
 */
export function eventsFromTriggers(triggers: { onset: number; code: number }[], codeToStim: Map<number, string>): StimulusEvent[] {
  return triggers.flatMap((t) => {
    const stimId = codeToStim.get(t.code);
    return stimId === undefined ? [] : [{ onset: t.onset, duration: NaN, stimId }];
  });
}

/**
 * Stimulus events from annotations whose text matches `pattern` (first
 * capture group = stimulus id), e.g. /^stim (\S+)$/.
 */
export function eventsFromAnnotations(annotations: { onset: number; duration: number | null; text: string }[], pattern: RegExp): StimulusEvent[] {
  const out: StimulusEvent[] = [];
  for (const a of annotations) {
    const m = pattern.exec(a.text);
    if (m?.[1]) out.push({ onset: a.onset, duration: a.duration ?? NaN, stimId: m[1] });
  }
  return out;
}

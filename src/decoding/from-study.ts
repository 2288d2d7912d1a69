/**
 * Glue from preprocessed recordings to a SegmentSet: stack per-subject
 * segments (same channels and length) into one set.
 */
import { InputError } from '../core/errors.js';
import type { SegmentLayout, SegmentSet } from './types.js';

export interface SubjectSegments extends SegmentLayout {
  subject: string;
  /** nSeg × nCh × nT float32. */
  data: Float32Array;
  channels: string[];
}

/**
 * Concatenate subjects' segments. Channels must match (same labels, same
 * order); segments are cut to the shortest length. Returns the pooled set.
 */
export function stackSegments(parts: SubjectSegments[]): SegmentSet {
  if (parts.length === 0) throw new InputError('segments', 'no segments given');
  const ref = parts[0];
  for (const p of parts) {
    if (p.rate !== ref.rate) throw new InputError('segments', `${p.subject} is at ${p.rate} Hz, ${ref.subject} at ${ref.rate} Hz`);
    if (p.shiftSec !== ref.shiftSec)
      throw new InputError('segments', `${p.subject}'s segments start ${p.shiftSec} s after onset, ${ref.subject}'s ${ref.shiftSec} s`);
    if (p.channels.join(',') !== ref.channels.join(','))
      throw new InputError(
        'segments',
        `${p.subject} has channels ${p.channels.join(',')}, ${ref.subject} ${ref.channels.join(',')} (use bad-channel interpolation, not dropping, to pool subjects)`,
      );
  }
  const nT = Math.min(...parts.map((p) => p.nT));
  const nCh = ref.nCh;
  const nSeg = parts.reduce((s, p) => s + p.nSeg, 0);
  const eeg = new Float32Array(nSeg * nCh * nT);
  const stimIds: string[] = [];
  const subjects: string[] = [];
  let s0 = 0;
  for (const p of parts) {
    for (let s = 0; s < p.nSeg; s++) {
      for (let c = 0; c < nCh; c++) eeg.set(p.data.subarray((s * nCh + c) * p.nT, (s * nCh + c) * p.nT + nT), ((s0 + s) * nCh + c) * nT);
      stimIds.push(p.stimIds[s]);
      subjects.push(p.subject);
    }
    s0 += p.nSeg;
  }
  return { eeg, nSeg, nCh, nT, rate: ref.rate, shiftSec: ref.shiftSec, stimIds, subjects };
}

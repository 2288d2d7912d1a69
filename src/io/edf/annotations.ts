/**
 * Record onsets and annotations from the annotation signals. Only the TAL
 * bytes of each record are read (one small positional read per record), so
 * this costs little even when the caller wants a short window of a long file.
 */
import { InputError } from '../../core/errors.js';
import { readAnnotationBytes } from './records.js';
import { parseTals, recordOnsetOf } from './tal.js';
import type { EdfAnnotation, EdfHeader } from './types.js';

export interface AnnotationScan {
  annotations: EdfAnnotation[];
  /** Seconds from the start (header time + startOffset) of every record. */
  recordOnsets: Float64Array;
  /** Seconds from the start to the end of the last record. */
  duration: number;
}

/**
 * Returns every annotation (onsets relative to the true start) and the onset of
 * every record: from the time-keeping TALs for EDF+D/BDF+D, k · recordDuration otherwise.
 */
export function scanAnnotations(fd: number, h: EdfHeader): AnnotationScan {
  const annots = h.signals.filter((s) => s.isAnnotation);
  const discontinuous = h.variant.endsWith('+D');
  const recordOnsets = new Float64Array(h.nRecords);
  for (let k = 0; k < h.nRecords; k++) recordOnsets[k] = k * h.recordDuration;
  const annotations: EdfAnnotation[] = [];
  if (annots.length === 0) return { annotations, recordOnsets, duration: h.nRecords * h.recordDuration };
  for (let k = 0; k < h.nRecords; k++) {
    const parts = readAnnotationBytes(fd, h, k, annots);
    for (let j = 0; j < parts.length; j++) {
      const tals = parseTals(parts[j], h.path);
      if (j === 0 && discontinuous) {
        const ro = recordOnsetOf(tals);
        if (ro === null) throw new InputError(h.path, `EDF+D record ${k + 1} has no time-keeping annotation`);
        const t = Math.round((ro - h.startOffset) * 1e9) / 1e9;
        // Records of EDF+D may leave gaps but never overlap or go back in time.
        if (k > 0 && t < recordOnsets[k - 1] + h.recordDuration - 1e-7) {
          throw new InputError(h.path, `EDF+D record ${k + 1} starts at ${t} s, before record ${k} ends`);
        }
        recordOnsets[k] = t;
      }
      for (const tal of tals) {
        for (const text of tal.texts) {
          if (text === '') continue;
          // Rounded to 1 ns: TALs carry at most a few decimals, the subtraction must not add float noise.
          annotations.push({ onset: Math.round((tal.onset - h.startOffset) * 1e9) / 1e9, duration: tal.duration, text });
        }
      }
    }
  }
  const duration = h.nRecords > 0 ? recordOnsets[h.nRecords - 1] + h.recordDuration : 0;
  return { annotations, recordOnsets, duration };
}

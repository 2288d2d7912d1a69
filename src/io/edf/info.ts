/**
 * edfInfo: a JSON-serialisable description of an EDF/BDF file for
 * `brainalign info`, with per-signal statistics computed record by record so
 * that memory stays bounded whatever the file size.
 */
import * as fs from 'node:fs';
import { SummaryAccumulator, type DataSummary } from '../../core/summary.js';
import { scanAnnotations } from './annotations.js';
import { openEdf, parseEdfHeader } from './header.js';
import { digitalAt, forEachRecordChunk } from './records.js';
import { statusSignal, stimSignals } from './read.js';
import { plusIdentification, prefilterBand, type PlusIdentification } from './subfields.js';

export interface EdfSignalSummary {
  label: string;
  rawLabel: string;
  unit: string;
  /** Hz. */
  rate: number;
  samplesPerRecord: number;
  physMin: number;
  physMax: number;
  digMin: number;
  digMax: number;
  transducer: string;
  prefilter: string;
  /** Summary of the scaled (physical, float64) samples (see DataSummary); null for an empty signal. */
  data: DataSummary | null;
}

export interface EdfInfo {
  path: string;
  variant: string;
  patient: string;
  recording: string;
  /** ISO 8601 start (UTC clock of the header), milliseconds included. */
  startTime: string;
  /** Sub-second part of the start in seconds (from the first TAL). */
  startOffset: number;
  records: number;
  /** Seconds per record. */
  recordDuration: number;
  /** Seconds from the start to the end of the last record. */
  duration: number;
  annotationSignals: number;
  /** EDF+ patient/recording subfields (null for plain EDF/BDF). */
  identification: PlusIdentification | null;
  /** File-level analogue filter band (Hz) from the prefilter fields, MNE's rules. */
  band: { highpass: number; lowpass: number };
  /** Labels of trigger channels (Status/Trigger, any case). */
  stimChannels: string[];
  /** Number of Status-channel trigger events in the whole file. */
  triggerCount: number;
  signals: EdfSignalSummary[];
  annotations: { onset: number; duration: number | null; text: string }[];
}

/** Returns header facts, annotations and per-signal data statistics (physical units) of the file at `path`. */
export function edfInfo(path: string): EdfInfo {
  const fd = openEdf(path);
  try {
    const h = parseEdfHeader(fd, path);
    const scan = scanAnnotations(fd, h);
    const ordinary = h.signals.filter((s) => !s.isAnnotation);
    const acc = ordinary.map(() => new SummaryAccumulator());
    const bps = h.bytesPerSample;
    const status = statusSignal(h);
    let prev = 0;
    let triggerCount = 0;
    let phys = new Float64Array(0);
    forEachRecordChunk(fd, h, 0, h.nRecords, (rb, _first, count) => {
      const buf = rb.u8;
      ordinary.forEach((s, j) => {
        const n = count * s.samplesPerRecord;
        if (phys.length < n) phys = new Float64Array(n);
        let o = 0;
        for (let r = 0; r < count; r++) {
          let p = r * h.recordBytes + s.byteOffset;
          for (let i = 0; i < s.samplesPerRecord; i++, p += bps) {
            const d = bps === 3 ? ((buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16)) << 8) >> 8 : ((buf[p] | (buf[p + 1] << 8)) << 16) >> 16;
            // float64, not the float32 readEdf stores: sums over long recordings keep their digits.
            phys[o++] = d * s.gain + s.offset;
          }
        }
        acc[j].add(phys, 0, n);
      });
      if (status) {
        for (let r = 0; r < count; r++) {
          for (let i = 0; i < status.samplesPerRecord; i++) {
            const v = digitalAt(buf, r * h.recordBytes, status, bps, i) & 0xffff;
            if (v !== prev && v !== 0) triggerCount++;
            prev = v;
          }
        }
      }
    });
    return {
      path,
      variant: h.variant,
      patient: h.patient,
      recording: h.recording,
      startTime: h.startTime.toISOString(),
      startOffset: h.startOffset,
      records: h.nRecords,
      recordDuration: h.recordDuration,
      duration: scan.duration,
      annotationSignals: h.signals.length - ordinary.length,
      identification: plusIdentification(h),
      band: prefilterBand(h),
      stimChannels: stimSignals(h).map((s) => s.label),
      triggerCount,
      signals: ordinary.map((s, j) => {
        const a = acc[j].result();
        return {
          label: s.label,
          rawLabel: s.rawLabel,
          unit: s.unit,
          rate: s.rate,
          samplesPerRecord: s.samplesPerRecord,
          physMin: s.physMin,
          physMax: s.physMax,
          digMin: s.digMin,
          digMax: s.digMax,
          transducer: s.transducer,
          prefilter: s.prefilter,
          data: a.count === 0 ? null : a,
        };
      }),
      annotations: scan.annotations,
    };
  } finally {
    fs.closeSync(fd);
  }
}

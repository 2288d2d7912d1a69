/** Typed shapes of EDF/EDF+/BDF/BDF+ headers and recordings (see docs/formats-edf.md). */

export type EdfFormat = 'edf' | 'bdf';
export type EdfVariant = 'EDF' | 'EDF+C' | 'EDF+D' | 'BDF' | 'BDF+C' | 'BDF+D';

/** One signal's 256-byte header entry, parsed. */
export interface EdfSignalHeader {
  /** Label made unique among ordinary signals (MNE style: duplicates get -0, -1, …). */
  label: string;
  /** Label exactly as in the header (trailing spaces trimmed). */
  rawLabel: string;
  transducer: string;
  /** Physical dimension as written in the header, e.g. "uV". */
  unit: string;
  physMin: number;
  physMax: number;
  digMin: number;
  digMax: number;
  prefilter: string;
  samplesPerRecord: number;
  reserved: string;
  /** Samples per second (Hz): samplesPerRecord / recordDuration; 0 when records last 0 s. */
  rate: number;
  /** True for "EDF Annotations" / "BDF Annotations" signals (TAL bytes, not samples). */
  isAnnotation: boolean;
  /** Byte offset of this signal inside one data record. */
  byteOffset: number;
  /** physical = digital · gain + offset (float64), equal to the EDF formula. */
  gain: number;
  offset: number;
}

export interface EdfHeader {
  path: string;
  format: EdfFormat;
  variant: EdfVariant;
  /** Version field: "0" for EDF; "\xffBIOSEMI" for BDF (byte 0xFF kept as U+00FF, where edfio shows U+FFFD). */
  version: string;
  patient: string;
  recording: string;
  /** Raw header fields "dd.mm.yy" and "hh.mm.ss". */
  startDateField: string;
  startTimeField: string;
  /**
   * Start of the recording: header clock time (taken as UTC) plus the sub-second
   * offset of the first time-keeping TAL, truncated to whole milliseconds by Date.
   */
  startTime: Date;
  /** Sub-second part of the start in seconds (first TAL onset of record 0; 0 for plain EDF/BDF). */
  startOffset: number;
  headerBytes: number;
  reserved: string;
  nRecords: number;
  /** Seconds per data record. */
  recordDuration: number;
  /** Every signal in file order, annotation signals included. */
  signals: EdfSignalHeader[];
  /** Bytes per sample: 2 (EDF) or 3 (BDF). */
  bytesPerSample: number;
  /** Bytes per data record (all signals). */
  recordBytes: number;
  fileSize: number;
}

export interface EdfAnnotation {
  /** Seconds from the recording start (startTime). */
  onset: number;
  /** Seconds, or null when the TAL gives none. */
  duration: number | null;
  text: string;
}

export interface EdfRecording {
  header: EdfHeader;
  /** Ordinary signals (annotation signals excluded), in the order asked for; data in physical units. */
  signals: { label: string; unit: string; rate: number; data: Float32Array }[];
  /** Every annotation of the file (all annotation signals), onsets relative to startTime. */
  annotations: EdfAnnotation[];
  /** Events from the Status channel (low 16 bits, at each change to a non-zero value), seconds from start. */
  triggers: { onset: number; code: number }[];
  /** Window start in seconds; each signal's data begins at its first sample time ≥ tStart. */
  tStart: number;
  /** Onset of each data record in seconds from start (EDF+D: from the TALs; otherwise k · recordDuration). */
  recordOnsets: Float64Array;
}

export interface EdfReadOptions {
  /** Signals by unique label or by index among ordinary signals; default all. */
  channels?: (string | number)[];
  /** Window start in seconds from startTime (default 0). */
  tStart?: number;
  /** Window end in seconds, exclusive (default the end of the recording). */
  tEnd?: number;
}

export interface EdfWriteSignal {
  label: string;
  unit: string;
  /** Hz; rate × recordDuration must be a whole number of samples. */
  rate: number;
  physMin: number;
  physMax: number;
  data: Float32Array;
  transducer?: string;
  prefilter?: string;
}

export interface EdfWriteInput {
  format: EdfFormat;
  startTime: Date;
  patient?: string;
  recording?: string;
  recordDuration: number;
  signals: EdfWriteSignal[];
  annotations?: { onset: number; duration?: number; text: string }[];
}

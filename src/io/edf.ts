/**
 * EDF / EDF+ / BDF / BDF+ reading and writing (see docs/formats-edf.md).
 * The implementation lives in ./edf/, one small module per concern.
 */
export type {
  EdfAnnotation,
  EdfFormat,
  EdfHeader,
  EdfReadOptions,
  EdfRecording,
  EdfSignalHeader,
  EdfVariant,
  EdfWriteInput,
  EdfWriteSignal,
} from './edf/types.js';
export { readEdfHeader } from './edf/header.js';
export { readEdf } from './edf/read.js';
export { writeEdf } from './edf/write.js';
export { edfInfo } from './edf/info.js';
export type { EdfInfo, EdfSignalSummary } from './edf/info.js';
export { plusIdentification, prefilterBand } from './edf/subfields.js';
export type { PlusIdentification } from './edf/subfields.js';
export { stimSignals } from './edf/read.js';
export { readEdfSegments, recordGaps, MAX_GAP_RATIO } from './edf/read.js';
export type { EdfSegment } from './edf/read.js';

/**
 * The shapes the decoding modules share: EEG segments (one per stimulus
 * presentation, possibly from several subjects), per-stimulus targets, and
 * windows cut from the segments.
 */

/** The shape and timing of a block of segments, one subject's or pooled. */
export interface SegmentLayout {
  nSeg: number;
  nCh: number;
  nT: number;
  /** Sampling rate of the segments, Hz. */
  rate: number;
  /** Segments start this long after stimulus onset (PredANN: 0.2 s): segment sample t is recorded at stimulus time t/rate + shiftSec, s. */
  shiftSec: number;
  /** Stimulus id of each segment. */
  stimIds: string[];
}

export interface SegmentSet extends SegmentLayout {
  /** nSeg × nCh × nT row-major float32 (robust-scaled EEG). */
  eeg: Float32Array;
  /** Subject label (e.g. "sub-01") of each segment. */
  subjects: string[];
}

/** A time × features matrix (row-major float32) of one stimulus at the segment rate. */
export interface TargetMatrix {
  data: Float32Array;
  /** Time points. */
  n: number;
  /** Features. */
  f: number;
}

/** Maps a stimulus id to its representation over time at the segment rate (row t ↔ segment sample t). */
export type TargetSource = (stimId: string) => TargetMatrix;

export interface WindowRef {
  /** Segment index. */
  seg: number;
  /** First sample within the segment. */
  start: number;
}

export interface Fold {
  name: string;
  /** Indices into the window list. */
  train: number[];
  test: number[];
}

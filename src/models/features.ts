/**
 * Network input features: log-mel spectrograms (dB) of mono audio, and the
 * fixed-size windows the networks see.
 */
import { melSpectrogram, powerToDb } from '../signal/mel.js';
import { InputError } from '../core/errors.js';

export interface LogMelOptions {
  /** Sampling rate the audio must have, Hz (default 22050, GTZAN's). */
  sr?: number;
  nMels?: number;
  nFft?: number;
  hop?: number;
}

/** A log-mel spectrogram: data in dB, nMels×nFrames row-major (low bands first), frame rate = sr/hop Hz. */
export interface LogMel {
  data: Float32Array;
  nMels: number;
  nFrames: number;
  /** Frames per second. */
  frameRate: number;
}

/** Average all channels into one mono signal. */
export function toMono(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0];
  const n = channels[0].length;
  const out = new Float32Array(n);
  for (const c of channels) for (let i = 0; i < n; i++) out[i] += c[i] / channels.length;
  return out;
}

/**
 * Log-mel spectrogram of mono audio x at rate sr (Hz): power mel (librosa
 * conventions) → dB with ref 1 and an 80 dB floor below the clip's peak.
 */
export function logMel(x: Float32Array, sr: number, opts: LogMelOptions = {}): LogMel {
  const want = opts.sr ?? 22050;
  if (sr !== want) throw new InputError('audio', `sample rate ${sr} Hz, the model expects ${want} Hz (resample first)`);
  const hop = opts.hop ?? 512;
  const m = melSpectrogram(x, { sr, nMels: opts.nMels ?? 64, nFft: opts.nFft ?? 2048, hop });
  return { data: powerToDb(m.data, { ref: 1, amin: 1e-10, topDb: 80 }), nMels: m.nMels, nFrames: m.nFrames, frameRate: sr / hop };
}

/**
 * Copy a window of `frames` columns starting at `start` from a log-mel into
 * `out` (nMels×frames row-major) plus `gainDb`; columns beyond the clip repeat
 * its last frame, so clips shorter than a window still fit.
 */
export function cropWindow(mel: LogMel, start: number, frames: number, out: Float32Array, outOffset = 0, gainDb = 0): void {
  const { data, nMels, nFrames } = mel;
  for (let m = 0; m < nMels; m++) {
    const row = m * nFrames;
    const o = outOffset + m * frames;
    for (let f = 0; f < frames; f++) {
      const src = Math.min(start + f, nFrames - 1);
      out[o + f] = data[row + src] + gainDb;
    }
  }
}

/** Start frames of consecutive non-overlapping windows covering a clip (at least one). */
export function tilingStarts(nFrames: number, frames: number): number[] {
  const n = Math.max(1, Math.floor(nFrames / frames));
  return Array.from({ length: n }, (_, i) => i * frames);
}

/**
 * Mean and standard deviation (dB) of every value of the given log-mels: the
 * input normalisation a network is trained with (the sd floored at 1e-6 dB).
 */
export function logMelStats(mels: Iterable<ArrayLike<number>>): { mean: number; std: number } {
  let n = 0,
    s = 0,
    s2 = 0;
  for (const d of mels)
    for (let i = 0; i < d.length; i++) {
      n++;
      s += d[i];
      s2 += d[i] * d[i];
    }
  const mean = s / n;
  return { mean, std: Math.sqrt(Math.max(s2 / n - mean * mean, 1e-12)) };
}

/**
 * One entry point for stimulus audio, whatever the container: WAV (RIFF) or
 * Sun/NeXT AU (GTZAN's original form), recognised by their magic bytes, so
 * callers never branch on file names. Returns the rate in Hz and one float32
 * array per channel, scaled to [-1, 1) for PCM (src/io/wav.ts, src/io/au.ts).
 */
import * as fs from 'node:fs';
import { InputError } from '../core/errors.js';
import { readWav, readWavRange } from './wav.js';
import { readAu } from './au.js';

export type AudioContainer = 'wav' | 'au';

export interface DecodedAudio {
  /** Sampling rate in Hz. */
  sampleRate: number;
  /** One Float32Array per channel, equal lengths. */
  channels: Float32Array[];
  container: AudioContainer;
}

/** File name endings the stimulus listings accept. */
export const AUDIO_EXTENSIONS = ['.wav', '.au', '.snd'] as const;

/** True when `name` ends with one of AUDIO_EXTENSIONS (any case). */
export function isAudioFile(name: string): boolean {
  const lower = name.toLowerCase();
  return AUDIO_EXTENSIONS.some((e) => lower.endsWith(e));
}

/** `name` without its audio extension. */
export function stripAudioExtension(name: string): string {
  return name.replace(/\.(wav|au|snd)$/i, '');
}

/** The container of `file` from its first four bytes. */
export function audioContainer(file: string): AudioContainer {
  const head = Buffer.alloc(4);
  let n = 0;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      n = fs.readSync(fd, head, 0, 4, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    throw new InputError(file, `cannot open: ${(e as Error).message}`);
  }
  const magic = head.toString('latin1', 0, n);
  if (magic === 'RIFF' || magic === 'RIFX' || magic === 'RF64') return 'wav';
  if (magic === '.snd' || magic === 'dns.') return 'au';
  throw new InputError(file, `not a WAV or Sun/NeXT audio file (first bytes ${JSON.stringify(magic)})`);
}

/** Frames [start, start + count) (clamped to the file; default all) of a WAV or AU file. */
export function readAudio(file: string, start = 0, count = Infinity): DecodedAudio {
  const container = audioContainer(file);
  if (container === 'au') {
    const a = readAu(file, start, count);
    return { sampleRate: a.sampleRate, channels: a.channels, container };
  }
  const w = start === 0 && count === Infinity ? readWav(file) : readWavRange(file, start, Number.isFinite(count) ? count : Number.MAX_SAFE_INTEGER);
  return { sampleRate: w.sampleRate, channels: w.channels, container };
}

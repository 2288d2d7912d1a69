/**
 * Sun/NeXT audio (`.au`, `.snd`): the format GTZAN is distributed in.
 *
 * Header (all fields 32-bit big-endian): magic ".snd" (0x2e736e64), offset of
 * the sample data, data size in bytes (0xffffffff = unknown: to end of file),
 * encoding, sample rate in Hz, channels; bytes 24..offset hold a free-text
 * annotation (NUL-padded). Samples are interleaved and big-endian. The DEC
 * variant with magic "dns." stores the same header and samples little-endian.
 *
 * Decoded samples are float32 scaled as the WAV reader scales them (most
 * negative code → −1): linear 8-bit (signed here, unlike WAV) /128, 16-bit
 * /32768, 24-bit /8388608, 32-bit /2147483648; floats pass through. G.711
 * µ-law and A-law bytes expand to the 16-bit values of ITU-T G.711 (µ-law
 * ±32124, A-law ±32256) and are then scaled by /32768, as sox and Python's
 * audioop do.
 */
import * as fs from 'node:fs';
import { InputError } from '../core/errors.js';
import { writeChunksAtomic } from '../core/atomic.js';
import { openForRead, readFully } from './fd.js';
import { SummaryAccumulator, type DataSummary } from '../core/summary.js';

export type AuEncoding = 'ulaw' | 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64' | 'alaw';

export interface AuHeader {
  /** Sampling rate in Hz. */
  sampleRate: number;
  numChannels: number;
  encoding: AuEncoding;
  /** The header's encoding code (1–7, 27). */
  encodingCode: number;
  /** Bytes per sample of one channel. */
  sampleBytes: number;
  /** False for the little-endian DEC "dns." variant. */
  bigEndian: boolean;
  /** Header annotation text up to its first NUL (often empty). */
  annotation: string;
  /** True when the header left the data size unknown (0xffffffff) and it was taken from the file size. */
  sizeFromFile: boolean;
  /** Samples per channel. */
  frames: number;
  /** frames / sampleRate, seconds. */
  duration: number;
  dataOffset: number;
  dataBytes: number;
}

export interface AuAudio {
  /** Sampling rate in Hz. */
  sampleRate: number;
  /** One Float32Array per channel, all of equal length, scaled to [-1, 1) for PCM. */
  channels: Float32Array[];
  header: AuHeader;
}

const MAGIC_BE = 0x2e736e64;
const MAGIC_LE = 0x646e732e;
const UNKNOWN_SIZE = 0xffffffff;
const HEADER_BYTES = 24;

const ENCODINGS: Record<number, { encoding: AuEncoding; bytes: number }> = {
  1: { encoding: 'ulaw', bytes: 1 },
  2: { encoding: 'pcm8', bytes: 1 },
  3: { encoding: 'pcm16', bytes: 2 },
  4: { encoding: 'pcm24', bytes: 3 },
  5: { encoding: 'pcm32', bytes: 4 },
  6: { encoding: 'float32', bytes: 4 },
  7: { encoding: 'float64', bytes: 8 },
  27: { encoding: 'alaw', bytes: 1 },
};

/** G.711 µ-law byte → 16-bit linear value (bias 0x84, bits inverted on the wire). */
function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const magnitude = (((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 0x07);
  return u & 0x80 ? 0x84 - magnitude : magnitude - 0x84;
}

/** G.711 A-law byte → 16-bit linear value (even bits inverted on the wire; sign bit set = positive). */
function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

// 256-entry tables: decoding a 30-s GTZAN-sized companded file is then one lookup per sample.
const ULAW = Float32Array.from({ length: 256 }, (_, b) => ulawToLinear(b) / 32768);
const ALAW = Float32Array.from({ length: 256 }, (_, b) => alawToLinear(b) / 32768);

/** The 16-bit linear value G.711 assigns to each µ-law or A-law byte (index = byte). */
export function g711Table(law: 'ulaw' | 'alaw'): Int16Array {
  return Int16Array.from({ length: 256 }, (_, b) => (law === 'ulaw' ? ulawToLinear(b) : alawToLinear(b)));
}

function readAt(fd: number, offset: number, length: number, file: string): Buffer {
  const buf = Buffer.alloc(length);
  const got = readFully(fd, buf, offset);
  if (got < length) throw new InputError(file, `truncated: wanted ${length} bytes at offset ${offset}, file ends after ${got}`);
  return buf;
}

function parseHeader(fd: number, size: number, file: string): AuHeader {
  if (size < HEADER_BYTES) throw new InputError(file, `truncated: ${size} bytes is too short for a Sun/NeXT audio header (24)`);
  const h = readAt(fd, 0, HEADER_BYTES, file);
  const magic = h.readUInt32BE(0);
  if (magic !== MAGIC_BE && magic !== MAGIC_LE) {
    throw new InputError(file, `not a Sun/NeXT audio file: magic is 0x${magic.toString(16).padStart(8, '0')}, expected 0x2e736e64 (".snd")`);
  }
  const bigEndian = magic === MAGIC_BE;
  const u32 = (o: number): number => (bigEndian ? h.readUInt32BE(o) : h.readUInt32LE(o));
  const dataOffset = u32(4);
  const declared = u32(8);
  const encodingCode = u32(12);
  const sampleRate = u32(16);
  const numChannels = u32(20);
  if (dataOffset < HEADER_BYTES) throw new InputError(file, `data offset ${dataOffset} lies inside the 24-byte header`);
  if (dataOffset > size) throw new InputError(file, `truncated: data offset ${dataOffset} is past the end of the ${size}-byte file`);
  const enc = ENCODINGS[encodingCode];
  if (!enc)
    throw new InputError(file, `unsupported Sun/NeXT encoding ${encodingCode} (supported: 1 µ-law, 2–5 linear 8/16/24/32-bit, 6 float, 7 double, 27 A-law)`);
  if (numChannels === 0) throw new InputError(file, 'zero channels');
  if (sampleRate === 0) throw new InputError(file, 'sample rate is 0 Hz');
  const raw = readAt(fd, HEADER_BYTES, dataOffset - HEADER_BYTES, file);
  const nul = raw.indexOf(0);
  const annotation = raw.toString('latin1', 0, nul < 0 ? raw.length : nul);
  const frameBytes = numChannels * enc.bytes;
  const available = size - dataOffset;
  const sizeFromFile = declared === UNKNOWN_SIZE;
  let dataBytes: number;
  if (sizeFromFile) {
    // Streaming writers cannot go back to fill in the size: take whole frames to end of file.
    dataBytes = Math.floor(available / frameBytes) * frameBytes;
  } else {
    if (declared > available) throw new InputError(file, `truncated: header declares ${declared} data bytes but only ${available} remain`);
    if (declared % frameBytes !== 0) throw new InputError(file, `data size ${declared} is not a whole number of ${frameBytes}-byte frames`);
    dataBytes = declared;
  }
  const frames = dataBytes / frameBytes;
  return {
    sampleRate,
    numChannels,
    encoding: enc.encoding,
    encodingCode,
    sampleBytes: enc.bytes,
    bigEndian,
    annotation,
    sizeFromFile,
    frames,
    duration: frames / sampleRate,
    dataOffset,
    dataBytes,
  };
}

/** Deinterleave `n` frames of raw sample bytes into float32 channels (scaling as in the module comment). */
function decode(raw: Buffer, h: AuHeader, n: number): Float32Array[] {
  const nc = h.numChannels;
  const bps = h.sampleBytes;
  const stride = nc * bps;
  const be = h.bigEndian;
  const out: Float32Array[] = [];
  for (let c = 0; c < nc; c++) {
    const ch = new Float32Array(n);
    let p = c * bps;
    switch (h.encoding) {
      case 'ulaw':
        for (let i = 0; i < n; i++, p += stride) ch[i] = ULAW[raw[p]];
        break;
      case 'alaw':
        for (let i = 0; i < n; i++, p += stride) ch[i] = ALAW[raw[p]];
        break;
      case 'pcm8':
        for (let i = 0; i < n; i++, p += stride) ch[i] = raw.readInt8(p) / 128;
        break;
      case 'pcm16':
        for (let i = 0; i < n; i++, p += stride) ch[i] = (be ? raw.readInt16BE(p) : raw.readInt16LE(p)) / 32768;
        break;
      case 'pcm24':
        for (let i = 0; i < n; i++, p += stride) ch[i] = (be ? raw.readIntBE(p, 3) : raw.readIntLE(p, 3)) / 8388608;
        break;
      case 'pcm32':
        for (let i = 0; i < n; i++, p += stride) ch[i] = (be ? raw.readInt32BE(p) : raw.readInt32LE(p)) / 2147483648;
        break;
      case 'float32':
        for (let i = 0; i < n; i++, p += stride) ch[i] = be ? raw.readFloatBE(p) : raw.readFloatLE(p);
        break;
      case 'float64':
        for (let i = 0; i < n; i++, p += stride) ch[i] = be ? raw.readDoubleBE(p) : raw.readDoubleLE(p);
        break;
    }
    out.push(ch);
  }
  return out;
}

/** Header of a Sun/NeXT audio file (rate in Hz, frames, duration in s, annotation) without reading the samples. */
export function readAuHeader(file: string): AuHeader {
  const { fd, size } = openForRead(file);
  try {
    return parseHeader(fd, size, file);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Read frames [start, start + count) (clamped to the file; default all) of a
 * Sun/NeXT audio file. Returns the rate in Hz and one float32 array per
 * channel (scaled as in the module comment), plus the parsed header.
 */
export function readAu(file: string, start = 0, count = Infinity): AuAudio {
  const { fd, size } = openForRead(file);
  try {
    const header = parseHeader(fd, size, file);
    const s = Math.max(0, Math.min(header.frames, Math.floor(start)));
    const n = Math.max(0, Math.min(header.frames - s, Number.isFinite(count) ? Math.floor(count) : header.frames));
    const fb = header.numChannels * header.sampleBytes;
    const raw = readAt(fd, header.dataOffset + s * fb, n * fb, file);
    return { sampleRate: header.sampleRate, channels: decode(raw, header, n), header };
  } finally {
    fs.closeSync(fd);
  }
}

export interface AuInfo {
  format: 'au';
  path: string;
  sampleRate: number;
  channels: number;
  encoding: AuEncoding;
  encodingCode: number;
  byteOrder: 'big' | 'little';
  annotation: string;
  sizeFromFile: boolean;
  frames: number;
  /** Seconds. */
  duration: number;
  /** Per-channel summary of the decoded float samples. */
  perChannel: DataSummary[];
}

/** JSON-serialisable description of a Sun/NeXT audio file; samples are read ~4 MiB at a time. */
export function auInfo(file: string, opts: { blockBytes?: number } = {}): AuInfo {
  const { fd, size } = openForRead(file);
  try {
    const h = parseHeader(fd, size, file);
    const fb = h.numChannels * h.sampleBytes;
    const accs = Array.from({ length: h.numChannels }, () => new SummaryAccumulator());
    const block = Math.max(1, Math.floor((opts.blockBytes ?? 4 << 20) / fb));
    for (let f0 = 0; f0 < h.frames; f0 += block) {
      const n = Math.min(block, h.frames - f0);
      decode(readAt(fd, h.dataOffset + f0 * fb, n * fb, file), h, n).forEach((c, i) => accs[i].add(c));
    }
    return {
      format: 'au',
      path: file,
      sampleRate: h.sampleRate,
      channels: h.numChannels,
      encoding: h.encoding,
      encodingCode: h.encodingCode,
      byteOrder: h.bigEndian ? 'big' : 'little',
      annotation: h.annotation,
      sizeFromFile: h.sizeFromFile,
      frames: h.frames,
      duration: h.duration,
      perChannel: accs.map((a) => a.result()),
    };
  } finally {
    fs.closeSync(fd);
  }
}

export type AuWriteEncoding = 'pcm16' | 'float32';

/**
 * Write a big-endian Sun/NeXT file atomically: 16-bit linear (GTZAN's form;
 * round(x · 32768) clipped to the int16 range) or 32-bit float. `channels` is
 * one array (mono) or one per channel; `sampleRate` in Hz.
 */
export function writeAu(
  file: string,
  channels: Float32Array | Float32Array[],
  sampleRate: number,
  opts: { encoding?: AuWriteEncoding; annotation?: string } = {},
): void {
  const chs = Array.isArray(channels) ? channels : [channels];
  const encoding = opts.encoding ?? 'pcm16';
  if (chs.length === 0) throw new InputError(file, 'cannot write an audio file with zero channels');
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate > 0xffffffff)
    throw new InputError(file, `sample rate must be a positive integer in Hz, got ${sampleRate}`);
  const frames = chs[0].length;
  chs.forEach((c, i) => {
    if (c.length !== frames) throw new InputError(file, `channel ${i} has ${c.length} samples, channel 0 has ${frames}`);
  });
  const nc = chs.length;
  const bps = encoding === 'pcm16' ? 2 : 4;
  // The annotation is NUL-terminated and padded so the data starts on a 4-byte boundary.
  const note = Buffer.from(opts.annotation ?? '', 'latin1');
  const noteBytes = Math.max(4, (note.length + 1 + 3) & ~3);
  const head = Buffer.alloc(HEADER_BYTES + noteBytes);
  head.writeUInt32BE(MAGIC_BE, 0);
  head.writeUInt32BE(head.length, 4);
  head.writeUInt32BE(frames * nc * bps, 8);
  head.writeUInt32BE(encoding === 'pcm16' ? 3 : 6, 12);
  head.writeUInt32BE(sampleRate, 16);
  head.writeUInt32BE(nc, 20);
  note.copy(head, HEADER_BYTES);
  const data = Buffer.alloc(frames * nc * bps);
  let q = 0;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nc; c++) {
      const x = chs[c][i];
      if (!Number.isFinite(x)) throw new InputError(file, `channel ${c} sample ${i} is ${x}; samples must be finite`);
      q = encoding === 'pcm16' ? data.writeInt16BE(Math.max(-32768, Math.min(32767, Math.round(x * 32768))), q) : data.writeFloatBE(x, q);
    }
  }
  writeChunksAtomic(file, [head, data]);
}

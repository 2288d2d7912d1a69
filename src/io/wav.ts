/**
 * RIFF/WAVE audio: reader for PCM 8/16/24/32-bit and IEEE float 32/64,
 * plain or WAVE_FORMAT_EXTENSIBLE, any channel count; writer for pcm16,
 * pcm24, pcm32 and float32.
 *
 * Decoded samples are float32. Integer PCM is scaled by the full scale of its
 * container so that the most negative code maps to exactly -1 and the range is
 * [-1, 1): 8-bit is unsigned with offset 128 → (b - 128) / 128; 16-bit → /32768;
 * 24-bit → /8388608; 32-bit → /2147483648. Floats are passed through (float64
 * is rounded to float32). The writer inverts this: round(x · full scale),
 * clipped to the integer range, so x = 1.0 saturates at the largest code.
 *
 * The file is walked chunk by chunk with positioned reads, so LIST/fact/cue
 * and other unknown chunks are skipped without being loaded.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { InputError } from '../core/errors.js';
import { writeChunksAtomic } from '../core/atomic.js';
import { openForRead, readFully } from './fd.js';
import { SummaryAccumulator, type DataSummary } from '../core/summary.js';

export type WavEncoding = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64';
export type WavWriteEncoding = 'pcm16' | 'pcm24' | 'pcm32' | 'float32';

export interface WavHeader {
  /** Sampling rate in Hz. */
  sampleRate: number;
  numChannels: number;
  encoding: WavEncoding;
  /** Container bits per sample (8, 16, 24, 32, 64). */
  bitsPerSample: number;
  /** Significant bits (equals bitsPerSample unless an EXTENSIBLE header says fewer). */
  validBits: number;
  /** 1 = PCM, 3 = IEEE float, 0xFFFE = WAVE_FORMAT_EXTENSIBLE. */
  formatTag: number;
  /** EXTENSIBLE speaker mask (0 when absent). */
  channelMask: number;
  /** Samples per channel. */
  frames: number;
  /** frames / sampleRate, seconds. */
  duration: number;
  /** Byte offset and length of the sample data inside the file. */
  dataOffset: number;
  dataBytes: number;
}

export interface WavAudio {
  /** Sampling rate in Hz. */
  sampleRate: number;
  /** One Float32Array per channel, all of equal length, scaled to [-1, 1) for PCM. */
  channels: Float32Array[];
  header: WavHeader;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
// Tail shared by every KSDATAFORMAT_SUBTYPE GUID; the first two bytes carry the format tag.
const GUID_TAIL = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]);

function readAt(fd: number, offset: number, length: number, file: string): Buffer {
  const buf = Buffer.alloc(length);
  const got = readFully(fd, buf, offset);
  if (got < length) throw new InputError(file, `truncated: wanted ${length} bytes at offset ${offset}, file ends after ${got}`);
  return buf;
}

function parseHeader(fd: number, size: number, file: string): WavHeader {
  if (size < 12) throw new InputError(file, `truncated: ${size} bytes is too short for a RIFF/WAVE header`);
  const riff = readAt(fd, 0, 12, file);
  const magic = riff.toString('latin1', 0, 4);
  if (magic === 'RIFX') throw new InputError(file, 'big-endian RIFX WAVE is not supported');
  if (magic === 'RF64') throw new InputError(file, 'RF64 (>4 GiB) WAVE is not supported');
  if (magic !== 'RIFF') throw new InputError(file, `not a WAV file: magic is ${JSON.stringify(magic)}, expected "RIFF"`);
  const form = riff.toString('latin1', 8, 12);
  if (form !== 'WAVE') throw new InputError(file, `not a WAV file: RIFF form is ${JSON.stringify(form)}, expected "WAVE"`);
  // Many writers get the RIFF size wrong; the physical file size bounds the walk instead.
  const end = size;

  let fmt: Buffer | null = null;
  let dataOffset = -1;
  let dataBytes = 0;
  let pos = 12;
  while (pos + 8 <= end) {
    const ch = readAt(fd, pos, 8, file);
    const id = ch.toString('latin1', 0, 4);
    const len = ch.readUInt32LE(4);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (len < 16) throw new InputError(file, `fmt chunk is ${len} bytes, needs at least 16`);
      if (body + len > end) throw new InputError(file, 'truncated inside the fmt chunk');
      fmt = readAt(fd, body, Math.min(len, 40), file);
    } else if (id === 'data') {
      dataOffset = body;
      dataBytes = len;
      if (fmt !== null) break;
    }
    // Chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
    pos = body + len + (len & 1);
  }
  if (fmt === null) throw new InputError(file, 'no fmt chunk before the end of the file');
  if (dataOffset < 0) throw new InputError(file, 'no data chunk');

  let formatTag = fmt.readUInt16LE(0);
  const numChannels = fmt.readUInt16LE(2);
  const sampleRate = fmt.readUInt32LE(4);
  const blockAlign = fmt.readUInt16LE(12);
  const bitsPerSample = fmt.readUInt16LE(14);
  let validBits = bitsPerSample;
  let channelMask = 0;
  const declaredTag = formatTag;
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    if (fmt.length < 40) throw new InputError(file, `WAVE_FORMAT_EXTENSIBLE fmt chunk is ${fmt.length} bytes, needs 40`);
    validBits = fmt.readUInt16LE(18) || bitsPerSample;
    channelMask = fmt.readUInt32LE(20);
    if (!fmt.subarray(26, 40).equals(GUID_TAIL)) throw new InputError(file, 'unsupported WAVE_FORMAT_EXTENSIBLE sub-format GUID');
    formatTag = fmt.readUInt16LE(24);
  }
  if (numChannels === 0) throw new InputError(file, 'zero channels');
  if (sampleRate === 0) throw new InputError(file, 'sample rate is 0 Hz');
  let encoding: WavEncoding;
  if (formatTag === WAVE_FORMAT_PCM) {
    if (bitsPerSample === 8) encoding = 'pcm8';
    else if (bitsPerSample === 16) encoding = 'pcm16';
    else if (bitsPerSample === 24) encoding = 'pcm24';
    else if (bitsPerSample === 32) encoding = 'pcm32';
    else throw new InputError(file, `unsupported PCM bit depth ${bitsPerSample} (supported: 8, 16, 24, 32)`);
  } else if (formatTag === WAVE_FORMAT_IEEE_FLOAT) {
    if (bitsPerSample === 32) encoding = 'float32';
    else if (bitsPerSample === 64) encoding = 'float64';
    else throw new InputError(file, `unsupported float bit depth ${bitsPerSample} (supported: 32, 64)`);
  } else {
    throw new InputError(
      file,
      `unsupported WAVE format tag 0x${formatTag.toString(16)}${declaredTag === WAVE_FORMAT_EXTENSIBLE ? ' (extensible sub-format)' : ''}: only PCM and IEEE float are read`,
    );
  }
  if (validBits > bitsPerSample) throw new InputError(file, `valid bits ${validBits} exceed container ${bitsPerSample}`);
  const frameBytes = numChannels * (bitsPerSample / 8);
  if (blockAlign !== frameBytes) throw new InputError(file, `block align ${blockAlign} does not match ${numChannels} channels × ${bitsPerSample} bits`);
  // Writers that stream to a pipe cannot seek back and leave the size at 0xFFFFFFFF: take whole frames to end of file.
  if (dataBytes === 0xffffffff) dataBytes = Math.floor((end - dataOffset) / frameBytes) * frameBytes;
  if (dataOffset + dataBytes > end) {
    throw new InputError(file, `truncated: data chunk declares ${dataBytes} bytes but only ${Math.max(0, end - dataOffset)} remain`);
  }
  if (dataBytes % frameBytes !== 0) throw new InputError(file, `data chunk of ${dataBytes} bytes is not a whole number of ${frameBytes}-byte frames`);
  const frames = dataBytes / frameBytes;
  return {
    sampleRate,
    numChannels,
    encoding,
    bitsPerSample,
    validBits,
    formatTag: declaredTag,
    channelMask,
    frames,
    duration: frames / sampleRate,
    dataOffset,
    dataBytes,
  };
}

/** Header of a WAV file (rate in Hz, frames, duration in s, data location) without reading the samples. */
export function readWavHeader(file: string): WavHeader {
  const { fd, size } = openForRead(file);
  try {
    return parseHeader(fd, size, file);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Deinterleave `n` frames of raw little-endian sample bytes into float32
 * channels (scaling as in the module comment). Float samples must be finite:
 * one NaN or infinity would turn every feature and score computed from the
 * clip into NaN, so readers refuse it here, where the file can be named
 * (float64 beyond the float32 range becomes infinity and is refused too).
 * wavInfo passes file = null: it describes such samples (the nan count).
 */
function decode(raw: Buffer, h: WavHeader, n: number, file: string | null): Float32Array[] {
  const nc = h.numChannels;
  const out: Float32Array[] = [];
  for (let c = 0; c < nc; c++) out.push(new Float32Array(n));
  const bps = h.bitsPerSample / 8;
  const stride = nc * bps;
  // Typed-array views are ~10x faster than Buffer reads; usable when aligned on a little-endian host.
  const le = os.endianness() === 'LE';
  const view16 = le && h.encoding === 'pcm16' && raw.byteOffset % 2 === 0 ? new Int16Array(raw.buffer, raw.byteOffset, n * nc) : null;
  const view32 = le && h.encoding === 'float32' && raw.byteOffset % 4 === 0 ? new Float32Array(raw.buffer, raw.byteOffset, n * nc) : null;
  for (let c = 0; c < nc; c++) {
    const ch = out[c];
    let p = c * bps;
    switch (h.encoding) {
      case 'pcm8':
        for (let i = 0; i < n; i++, p += stride) ch[i] = (raw[p] - 128) / 128;
        break;
      case 'pcm16':
        if (view16 !== null) {
          for (let i = 0, q = c; i < n; i++, q += nc) ch[i] = view16[q] / 32768;
        } else {
          for (let i = 0; i < n; i++, p += stride) ch[i] = raw.readInt16LE(p) / 32768;
        }
        break;
      case 'pcm24':
        for (let i = 0; i < n; i++, p += stride) ch[i] = raw.readIntLE(p, 3) / 8388608;
        break;
      case 'pcm32':
        for (let i = 0; i < n; i++, p += stride) ch[i] = raw.readInt32LE(p) / 2147483648;
        break;
      case 'float32':
        if (view32 !== null) {
          for (let i = 0, q = c; i < n; i++, q += nc) ch[i] = view32[q];
        } else {
          for (let i = 0; i < n; i++, p += stride) ch[i] = raw.readFloatLE(p);
        }
        break;
      case 'float64':
        for (let i = 0; i < n; i++, p += stride) ch[i] = raw.readDoubleLE(p);
        break;
    }
    if (file !== null && (h.encoding === 'float32' || h.encoding === 'float64')) {
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(ch[i])) throw new InputError(file, `channel ${c + 1}, frame ${i}: sample is ${ch[i]} (audio must be finite)`);
      }
    }
  }
  return out;
}

/**
 * Read a WAV file. Returns the rate in Hz and one float32 array per channel
 * (PCM scaled to [-1, 1), see module comment), plus the parsed header.
 */
export function readWav(file: string): WavAudio {
  const { fd, size } = openForRead(file);
  try {
    const header = parseHeader(fd, size, file);
    const raw = readAt(fd, header.dataOffset, header.dataBytes, file);
    return { sampleRate: header.sampleRate, channels: decode(raw, header, header.frames, file), header };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Read frames [start, start + count) only (clamped to the file), as float32
 * channels scaled like readWav. Returns the rate in Hz and the header too.
 */
export function readWavRange(file: string, start: number, count: number): WavAudio {
  const { fd, size } = openForRead(file);
  try {
    const header = parseHeader(fd, size, file);
    const s = Math.max(0, Math.min(header.frames, Math.floor(start)));
    const n = Math.max(0, Math.min(header.frames - s, Math.floor(count)));
    const fb = header.numChannels * (header.bitsPerSample / 8);
    const raw = readAt(fd, header.dataOffset + s * fb, n * fb, file);
    return { sampleRate: header.sampleRate, channels: decode(raw, header, n, file), header };
  } finally {
    fs.closeSync(fd);
  }
}

const FULL_SCALE: Record<'pcm16' | 'pcm24' | 'pcm32', number> = { pcm16: 32768, pcm24: 8388608, pcm32: 2147483648 };

/**
 * Write a WAV file atomically. `channels` is one array (mono) or one per
 * channel, all the same length; `sampleRate` in Hz. Encoding defaults to
 * float32 (lossless for our float32 signals). PCM samples are round(x · 2^(b-1))
 * clipped to the integer range. WAVE_FORMAT_EXTENSIBLE is used for more than
 * two channels or PCM deeper than 16 bit, as the format's spec requires; a
 * fact chunk is added for every non-PCM file.
 */
export function writeWav(file: string, channels: Float32Array | Float32Array[], sampleRate: number, opts: { encoding?: WavWriteEncoding } = {}): void {
  const chs = Array.isArray(channels) ? channels : [channels];
  const encoding = opts.encoding ?? 'float32';
  if (chs.length === 0) throw new InputError(file, 'cannot write a WAV file with zero channels');
  if (chs.length > 0xffff) throw new InputError(file, `too many channels (${chs.length})`);
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate > 0xffffffff) {
    throw new InputError(file, `sample rate must be a positive integer in Hz, got ${sampleRate}`);
  }
  const frames = chs[0].length;
  for (let c = 1; c < chs.length; c++) {
    if (chs[c].length !== frames) throw new InputError(file, `channel ${c} has ${chs[c].length} samples, channel 0 has ${frames}`);
  }
  const nc = chs.length;
  const bits = encoding === 'pcm16' ? 16 : encoding === 'pcm24' ? 24 : 32;
  const bps = bits / 8;
  const isFloat = encoding === 'float32';
  const dataBytes = frames * nc * bps;
  const extensible = nc > 2 || (!isFloat && bits > 16);
  const baseTag = isFloat ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM;
  const fmtLen = extensible ? 40 : isFloat ? 18 : 16;
  const withFact = isFloat || extensible;
  const headerLen = 12 + 8 + fmtLen + (withFact ? 12 : 0) + 8;
  const riffSize = headerLen - 8 + dataBytes + (dataBytes & 1);
  if (riffSize > 0xffffffff) throw new InputError(file, `audio of ${dataBytes} bytes exceeds the 4 GiB WAV limit`);

  const head = Buffer.alloc(headerLen);
  let p = 0;
  p += head.write('RIFF', p, 'latin1');
  p = head.writeUInt32LE(riffSize, p);
  p += head.write('WAVE', p, 'latin1');
  p += head.write('fmt ', p, 'latin1');
  p = head.writeUInt32LE(fmtLen, p);
  p = head.writeUInt16LE(extensible ? WAVE_FORMAT_EXTENSIBLE : baseTag, p);
  p = head.writeUInt16LE(nc, p);
  p = head.writeUInt32LE(sampleRate, p);
  p = head.writeUInt32LE(sampleRate * nc * bps, p);
  p = head.writeUInt16LE(nc * bps, p);
  p = head.writeUInt16LE(bits, p);
  if (fmtLen >= 18) p = head.writeUInt16LE(extensible ? 22 : 0, p);
  if (extensible) {
    p = head.writeUInt16LE(bits, p);
    // Front-centre for mono, front-left|right for stereo; more channels get no speaker assignment.
    p = head.writeUInt32LE(nc === 1 ? 0x4 : nc === 2 ? 0x3 : 0, p);
    p = head.writeUInt16LE(baseTag, p);
    p += GUID_TAIL.copy(head, p);
  }
  if (withFact) {
    p += head.write('fact', p, 'latin1');
    p = head.writeUInt32LE(4, p);
    p = head.writeUInt32LE(frames, p);
  }
  p += head.write('data', p, 'latin1');
  head.writeUInt32LE(dataBytes, p);

  function* chunks(): Generator<Uint8Array> {
    yield head;
    // Encode in blocks so a long recording never needs a second full-size copy.
    const blockFrames = 65536;
    for (let f0 = 0; f0 < frames; f0 += blockFrames) {
      const f1 = Math.min(frames, f0 + blockFrames);
      const buf = Buffer.alloc((f1 - f0) * nc * bps);
      let q = 0;
      for (let i = f0; i < f1; i++) {
        for (let c = 0; c < nc; c++) {
          const x = chs[c][i];
          if (!Number.isFinite(x)) throw new InputError(file, `channel ${c} sample ${i} is ${x}; WAV samples must be finite`);
          if (isFloat) {
            q = buf.writeFloatLE(x, q);
          } else {
            const fs_ = FULL_SCALE[encoding as 'pcm16' | 'pcm24' | 'pcm32'];
            let v = Math.round(x * fs_);
            if (v > fs_ - 1) v = fs_ - 1;
            else if (v < -fs_) v = -fs_;
            q = buf.writeIntLE(v, q, bps);
          }
        }
      }
      yield buf;
    }
    if (dataBytes & 1) yield new Uint8Array(1);
  }
  writeChunksAtomic(file, chunks());
}

/** Summary of one channel's decoded float samples (see DataSummary). */
export type ChannelSummary = DataSummary;

export interface WavInfo {
  format: 'wav';
  path: string;
  sampleRate: number;
  channels: number;
  encoding: WavEncoding;
  bitsPerSample: number;
  validBits: number;
  extensible: boolean;
  frames: number;
  /** Seconds. */
  duration: number;
  /** Per-channel summary of the decoded float samples (PCM scaled as in readWav). */
  perChannel: ChannelSummary[];
}

/**
 * JSON-serialisable description of a WAV file: header fields plus a
 * per-channel data summary. Reads the samples `blockBytes` (default 4 MiB)
 * at a time, so memory stays bounded for long recordings.
 */
export function wavInfo(file: string, opts: { blockBytes?: number } = {}): WavInfo {
  const { fd, size } = openForRead(file);
  try {
    const h = parseHeader(fd, size, file);
    const fb = h.numChannels * (h.bitsPerSample / 8);
    const accs = Array.from({ length: h.numChannels }, () => new SummaryAccumulator());
    const block = Math.max(1, Math.floor((opts.blockBytes ?? 4 << 20) / fb));
    for (let f0 = 0; f0 < h.frames; f0 += block) {
      const n = Math.min(block, h.frames - f0);
      const chans = decode(readAt(fd, h.dataOffset + f0 * fb, n * fb, file), h, n, null);
      chans.forEach((c, i) => accs[i].add(c));
    }
    return {
      format: 'wav',
      path: file,
      sampleRate: h.sampleRate,
      channels: h.numChannels,
      encoding: h.encoding,
      bitsPerSample: h.bitsPerSample,
      validBits: h.validBits,
      extensible: h.formatTag === WAVE_FORMAT_EXTENSIBLE,
      frames: h.frames,
      duration: h.duration,
      perChannel: accs.map((a) => a.result()),
    };
  } finally {
    fs.closeSync(fd);
  }
}

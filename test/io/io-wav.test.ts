import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readWav, readWavHeader, readWavRange, writeWav, wavInfo } from '../../src/io/wav.js';
import { InputError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/prng.js';
import { conformanceRoot } from '../helpers/conformance.js';
import { pyArgs as py } from '../helpers/python.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-wav-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

const audio = path.join(conformanceRoot(), 'audio');
const GUITAR = path.join(audio, 'spotify__basic-pitch/tests/resources/data/guitarset/audio_mono-mic/00_BN1-129-Eb_comp_mic.wav');
const TRUMPET = path.join(audio, '_derived_from_librosa__data/sorohanro_-_solo-trumpet-06.wav');
const BRAHMS = path.join(audio, '_derived_from_librosa__data/Hungarian_Dance_number_5_-_Allegro_in_F_sharp_minor_(string_orchestra).wav');

function isInputError(t: ExecutionContext, f: () => unknown, msg: RegExp): void {
  try {
    f();
    t.true(false, 'expected an InputError');
  } catch (e) {
    t.true(e instanceof InputError, `not an InputError: ${String(e)}`);
    t.regex((e as InputError).problem, msg);
  }
}

test('GuitarSet mic WAV: PCM16 mono 44100 Hz, 984506 samples = 22.324399 s, first 5 samples 427', (t) => {
  const w = readWav(GUITAR);
  t.is(w.sampleRate, 44100);
  t.is(w.channels.length, 1);
  t.is(w.header.encoding, 'pcm16');
  t.is(w.channels[0].length, 984506);
  t.true(Math.abs(w.header.duration - 22.324399) < 1e-6);
  for (let i = 0; i < 5; i++) t.is(w.channels[0][i], 427 / 32768);
});

test('librosa trumpet WAV: 22050 Hz, 117601 samples = 5.333378684807256 s, first −46, −15 and last −1, 0 (/32768)', (t) => {
  const w = readWav(TRUMPET);
  t.is(w.sampleRate, 22050);
  t.is(w.channels.length, 1);
  const x = w.channels[0];
  t.is(x.length, 117601);
  t.is(w.header.duration, 117601 / 22050);
  t.true(Math.abs(w.header.duration - 5.333378684807256) < 1e-12);
  t.deepEqual([x[0], x[1]], [-46 / 32768, -15 / 32768]);
  t.deepEqual([x[x.length - 2], x[x.length - 1]], [-1 / 32768, 0]);
  // librosa's own float decode of the OGG gives −1.407e-3, −4.461e-4; int16 quantisation keeps us within 1.2e-4.
  t.true(Math.abs(x[0] - -1.407e-3) < 1.2e-4 && Math.abs(x[1] - -4.461e-4) < 1.2e-4);
});

test('librosa Brahms WAV: 1010880 samples = 45.844898 s; 15–20 s window starts 0.146, 0.144 and ends 0.128, 0.015', (t) => {
  const w = readWav(BRAHMS);
  t.is(w.sampleRate, 22050);
  const x = w.channels[0];
  t.is(x.length, 1010880);
  t.true(Math.abs(w.header.duration - 45.844898) < 1e-6);
  const a = 15 * 22050;
  const b = 20 * 22050;
  const near = (v: number, ref: number, tol: number) => t.true(Math.abs(v - ref) < tol, `${v} vs ${ref}`);
  near(x[a], 0.14572, 1e-4);
  near(x[a + 1], 0.1441, 1e-4);
  near(x[b - 2], 0.12823, 1e-4);
  near(x[b - 1], 0.01498, 1e-4);
  // librosa doc values (3 significant digits).
  near(x[a], 0.146, 1e-3);
  near(x[b - 1], 0.015, 1e-3);
});

test('conformance WAVs decode sample-for-sample like scipy.io.wavfile (sums and 64 seeded samples)', (t) => {
  for (const f of [GUITAR, TRUMPET, BRAHMS]) {
    const rng = new Rng(11, path.basename(f));
    const w = readWav(f);
    const x = w.channels[0];
    const idx = Array.from({ length: 64 }, () => rng.int(x.length));
    const ref = py<{ sum: number; sumsq: number; at: number[]; n: number }>(
      `import sys, json, numpy as np, scipy.io.wavfile as w
sr, d = w.read(sys.argv[1]); d = d.astype(np.int64)
idx = json.loads(sys.argv[2])
print(json.dumps({"sum": int(d.sum()), "sumsq": int((d*d).sum()), "at": [int(d[i]) for i in idx], "n": int(d.shape[0])}))`,
      f,
      JSON.stringify(idx),
    );
    let sum = 0;
    let sumsq = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i] * 32768;
      sum += v;
      sumsq += v * v;
    }
    t.is(x.length, ref.n);
    t.is(sum, ref.sum);
    t.is(sumsq, ref.sumsq);
    t.deepEqual(
      idx.map((i) => x[i] * 32768),
      ref.at,
    );
  }
});

test('written WAVs (pcm16/24/32, float32; 1, 2 and 3 channels) hold the expected integer codes per scipy', (t) => {
  const n = 257; // odd length: pcm24 mono has an odd data size and needs the pad byte
  const rng = new Rng(3, 'wav-write');
  const base = rng.normals(n, 0, 0.3);
  // Full-scale extremes: +1 saturates at the top code, −1 is exactly the bottom code.
  base[0] = 1;
  base[1] = -1;
  base[2] = 0.99999;
  base[3] = -0.5;
  const cases: { enc: 'pcm16' | 'pcm24' | 'pcm32' | 'float32'; nc: number; f: string; chans: Float32Array[] }[] = [];
  for (const enc of ['pcm16', 'pcm24', 'pcm32', 'float32'] as const) {
    for (const nc of [1, 2, 3]) {
      const chans = Array.from({ length: nc }, (_, c) => base.map((v) => Math.max(-1, Math.min(1, v * (1 - 0.2 * c)))));
      const f = path.join(tmp, `w-${enc}-${nc}.wav`);
      writeWav(f, nc === 1 ? chans[0] : chans, 16000, { encoding: enc });
      cases.push({ enc, nc, f, chans });
    }
  }
  // One python process reads all twelve files (scipy's import dominates the cost).
  const refs = py<{ sr: number; data: number[][] }[]>(
    `import sys, json, numpy as np, scipy.io.wavfile as w
out = []
for f in sys.argv[1:]:
    sr, d = w.read(f); d2 = d.reshape(d.shape[0], -1)
    out.append({"sr": sr, "data": [[float(v) for v in d2[:, c]] for c in range(d2.shape[1])]})
print(json.dumps(out))`,
    ...cases.map((c) => c.f),
  );
  cases.forEach(({ enc, nc, f, chans }, k) => {
    const ref = refs[k];
    t.is(ref.sr, 16000);
    t.is(ref.data.length, nc);
    const fsBits = enc === 'pcm16' ? 16 : enc === 'pcm24' ? 24 : 32;
    for (let c = 0; c < nc; c++) {
      const want = Array.from(chans[c], (v) => {
        if (enc === 'float32') return v;
        const full = 2 ** (fsBits - 1);
        return Math.max(-full, Math.min(full - 1, Math.round(v * full)));
      });
      // scipy keeps 24-bit samples left-justified in int32 (code × 256).
      const got = enc === 'pcm24' ? ref.data[c].map((v) => v / 256) : ref.data[c];
      t.deepEqual(got, want, `${enc} ${nc}ch channel ${c}`);
    }
    // Our own reader inverts the writer exactly (PCM: code / full scale).
    const back = readWav(f);
    t.is(back.channels.length, nc);
    t.is(back.header.formatTag, nc > 2 || (enc !== 'float32' && fsBits > 16) ? 0xfffe : enc === 'float32' ? 3 : 1);
    if (enc === 'float32') t.deepEqual(back.channels[nc - 1], chans[nc - 1]);
    else t.is(back.channels[0][0], Math.fround(1 - 2 ** -(fsBits - 1)));
    t.is(back.channels[0][1], -1);
  });
});

test('stdlib wave module reads our pcm16 stereo file with the same frames', (t) => {
  const f = path.join(tmp, 'stereo16.wav');
  const l = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i / 5) * 0.8);
  const r = Float32Array.from({ length: 100 }, (_, i) => Math.cos(i / 7) * 0.4);
  writeWav(f, [l, r], 8000, { encoding: 'pcm16' });
  const ref = py<{ rate: number; ch: number; width: number; frames: number; codes: number[] }>(
    `import sys, json, wave, struct
w = wave.open(sys.argv[1], 'rb')
n = w.getnframes(); raw = w.readframes(n)
print(json.dumps({"rate": w.getframerate(), "ch": w.getnchannels(), "width": w.getsampwidth(), "frames": n, "codes": list(struct.unpack('<%dh' % (2*n), raw))}))`,
    f,
  );
  t.deepEqual([ref.rate, ref.ch, ref.width, ref.frames], [8000, 2, 2, 100]);
  const back = readWav(f);
  for (let i = 0; i < 100; i++) {
    t.is(back.channels[0][i] * 32768, ref.codes[2 * i]);
    t.is(back.channels[1][i] * 32768, ref.codes[2 * i + 1]);
    t.is(ref.codes[2 * i], Math.round(l[i] * 32768));
  }
});

test('files written by scipy (uint8, int16, int32, float32, float64; stereo) read back as scipy scales them', (t) => {
  const specs: [string, (v: number) => number][] = [
    ['uint8', (v) => (v - 128) / 128],
    ['int16', (v) => v / 32768],
    ['int32', (v) => Math.fround(v / 2147483648)],
    ['float32', (v) => Math.fround(v)],
    ['float64', (v) => Math.fround(v)],
  ];
  for (const [dt, scale] of specs) {
    const f = path.join(tmp, `scipy-${dt}.wav`);
    const ref = py<number[][]>(
      `import sys, json, numpy as np, scipy.io.wavfile as w
dt = np.dtype(sys.argv[2]); rng = np.random.default_rng(5)
if dt.kind == 'f': d = rng.uniform(-1, 1, (50, 2)).astype(dt)
else:
    info = np.iinfo(dt); d = rng.integers(info.min, info.max, (50, 2), endpoint=True).astype(dt)
    d[0, 0] = info.min; d[0, 1] = info.max
w.write(sys.argv[1], 11025, d)
print(json.dumps([[float(v) for v in d[:, c]] for c in range(2)]))`,
      f,
      dt,
    );
    const w = readWav(f);
    t.is(w.sampleRate, 11025);
    t.is(w.channels.length, 2);
    for (let c = 0; c < 2; c++) t.deepEqual(Array.from(w.channels[c]), ref[c].map(scale), `${dt} ch${c}`);
    if (dt !== 'float32' && dt !== 'float64') t.is(w.channels[0][0], -1);
  }
});

/** Assemble a RIFF file from raw chunks (id, body); odd bodies get the pad byte the spec requires. */
function riff(chunks: [string, Buffer][], form = 'WAVE', magic = 'RIFF'): Buffer {
  const parts: Buffer[] = [];
  for (const [id, body] of chunks) {
    const h = Buffer.alloc(8);
    h.write(id, 0, 'latin1');
    h.writeUInt32LE(body.length, 4);
    parts.push(h, body);
    if (body.length & 1) parts.push(Buffer.alloc(1));
  }
  const rest = Buffer.concat(parts);
  const head = Buffer.alloc(12);
  head.write(magic, 0, 'latin1');
  head.writeUInt32LE(rest.length + 4, 4);
  head.write(form, 8, 'latin1');
  return Buffer.concat([head, rest]);
}

function fmtChunk(tag: number, nc: number, sr: number, bits: number, ext?: { valid: number; sub: number }): Buffer {
  const b = Buffer.alloc(ext ? 40 : 16);
  b.writeUInt16LE(ext ? 0xfffe : tag, 0);
  b.writeUInt16LE(nc, 2);
  b.writeUInt32LE(sr, 4);
  b.writeUInt32LE((sr * nc * bits) / 8, 8);
  b.writeUInt16LE((nc * bits) / 8, 12);
  b.writeUInt16LE(bits, 14);
  if (ext) {
    b.writeUInt16LE(22, 16);
    b.writeUInt16LE(ext.valid, 18);
    b.writeUInt32LE(0, 20);
    b.writeUInt16LE(ext.sub, 24);
    Buffer.from('000000001000800000aa00389b71', 'hex').copy(b, 26);
  }
  return b;
}

test('hand-built 24-bit EXTENSIBLE file with odd-sized LIST chunk before and junk after fmt decodes exactly', (t) => {
  const codes = [-8388608, 8388607, 0, 1, -1, 4194304, -123456];
  const data = Buffer.alloc(codes.length * 3);
  codes.forEach((v, i) => data.writeIntLE(v, i * 3, 3));
  const list = Buffer.from('INFOabc'); // 7 bytes → one pad byte follows
  const f = path.join(tmp, 'ext24.wav');
  fs.writeFileSync(
    f,
    riff([
      ['LIST', list],
      ['fmt ', fmtChunk(1, 1, 48000, 24, { valid: 24, sub: 1 })],
      ['junk', Buffer.alloc(3)],
      ['data', data],
    ]),
  );
  const w = readWav(f);
  t.is(w.header.encoding, 'pcm24');
  t.is(w.header.formatTag, 0xfffe);
  t.deepEqual(
    Array.from(w.channels[0]),
    codes.map((v) => v / 8388608),
  );
  const sp = py<number[]>(
    `import sys, json, scipy.io.wavfile as w
sr, d = w.read(sys.argv[1]); print(json.dumps([int(v) // 256 for v in d]))`,
    f,
  );
  t.deepEqual(sp, codes);
});

test('8-bit PCM is unsigned with offset 128: bytes 0, 128, 255 → −1, 0, 127/128', (t) => {
  const f = path.join(tmp, 'u8.wav');
  fs.writeFileSync(
    f,
    riff([
      ['fmt ', fmtChunk(1, 1, 8000, 8)],
      ['data', Buffer.from([0, 128, 255])],
    ]),
  );
  t.deepEqual(Array.from(readWav(f).channels[0]), [-1, 0, 127 / 128]);
});

test('a streamed WAV whose data size is the 0xFFFFFFFF placeholder is read to the end of the file', (t) => {
  const f = path.join(tmp, 'stream.wav');
  const body = Buffer.alloc(10);
  [100, -200, 300, -400, 500].forEach((v, i) => body.writeInt16LE(v, 2 * i));
  const bytes = riff([
    ['fmt ', fmtChunk(1, 1, 8000, 16)],
    ['data', body],
  ]);
  bytes.writeUInt32LE(0xffffffff, 4);
  t.is(bytes.toString('latin1', bytes.length - 18, bytes.length - 14), 'data');
  bytes.writeUInt32LE(0xffffffff, bytes.length - 14);
  fs.writeFileSync(f, bytes);
  t.deepEqual(
    Array.from(readWav(f).channels[0]),
    [100, -200, 300, -400, 500].map((v) => v / 32768),
  );
});

test('bad files fail with an InputError naming the problem', (t) => {
  const good = riff([
    ['fmt ', fmtChunk(1, 1, 8000, 16)],
    ['data', Buffer.alloc(8)],
  ]);
  const cases: [string, Buffer, RegExp][] = [
    ['magic.wav', Buffer.concat([Buffer.from('RIFX'), good.subarray(4)]), /RIFX/],
    ['ogg.wav', Buffer.from('OggS\0\0\0\0\0\0\0\0\0\0\0\0'), /magic/],
    ['form.wav', riff([['fmt ', fmtChunk(1, 1, 8000, 16)]], 'AVI '), /form/],
    ['short.wav', good.subarray(0, 6), /truncated/],
    ['cut.wav', good.subarray(0, good.length - 3), /truncated/],
    ['nodata.wav', riff([['fmt ', fmtChunk(1, 1, 8000, 16)]]), /no data/],
    [
      'adpcm.wav',
      riff([
        ['fmt ', fmtChunk(2, 1, 8000, 16)],
        ['data', Buffer.alloc(8)],
      ]),
      /format tag 0x2/,
    ],
    [
      'pcm12.wav',
      riff([
        ['fmt ', fmtChunk(1, 1, 8000, 16).fill(12, 14, 15)],
        ['data', Buffer.alloc(8)],
      ]),
      /bit depth 12|block align/,
    ],
    [
      'zero.wav',
      riff([
        ['fmt ', fmtChunk(1, 0, 8000, 16)],
        ['data', Buffer.alloc(8)],
      ]),
      /zero channels/,
    ],
    [
      'sr0.wav',
      riff([
        ['fmt ', fmtChunk(1, 1, 0, 16)],
        ['data', Buffer.alloc(8)],
      ]),
      /sample rate/,
    ],
    [
      'partial.wav',
      riff([
        ['fmt ', fmtChunk(1, 2, 8000, 16)],
        ['data', Buffer.alloc(6)],
      ]),
      /whole number/,
    ],
  ];
  for (const [name, bytes, msg] of cases) {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, bytes);
    isInputError(t, () => readWav(f), msg);
  }
  isInputError(t, () => readWav(path.join(tmp, 'missing.wav')), /cannot open/);
});

test('writer rejects non-finite samples, ragged channels and bad rates with InputError, leaving no file', (t) => {
  const f = path.join(tmp, 'bad-out.wav');
  isInputError(t, () => writeWav(f, Float32Array.of(0, NaN), 8000), /finite/);
  isInputError(t, () => writeWav(f, [new Float32Array(3), new Float32Array(4)], 8000), /channel 1/);
  isInputError(t, () => writeWav(f, new Float32Array(3), 0), /sample rate/);
  isInputError(t, () => writeWav(f, [], 8000), /zero channels/);
  t.false(fs.existsSync(f));
  t.deepEqual(
    fs.readdirSync(tmp).filter((n) => n.startsWith('.tmp-')),
    [],
  );
});

test('wavInfo reports header and per-channel min/max/mean/sum/nonzero matching the samples; it is JSON-serialisable', (t) => {
  const f = path.join(tmp, 'info.wav');
  writeWav(f, [Float32Array.of(0, 0.5, -0.25, 0), Float32Array.of(1, 1, 1, 1)], 1000, { encoding: 'pcm16' });
  const info = wavInfo(f);
  t.deepEqual(JSON.parse(JSON.stringify(info)), info);
  t.is(info.sampleRate, 1000);
  t.is(info.channels, 2);
  t.is(info.frames, 4);
  t.is(info.duration, 0.004);
  t.is(info.encoding, 'pcm16');
  t.deepEqual(info.perChannel[0], { count: 4, min: -0.25, max: 0.5, mean: 0.0625, sum: 0.25, nonzero: 2, nan: 0 });
  const top = 32767 / 32768;
  t.deepEqual(info.perChannel[1], { count: 4, min: top, max: top, mean: top, sum: 4 * top, nonzero: 4, nan: 0 });
  t.deepEqual(readWavHeader(f).frames, 4);
  // A float WAV holding a NaN: counted apart, left out of min/max/mean/sum.
  const g = path.join(tmp, 'nan.wav');
  const data = Buffer.alloc(16);
  [0.5, NaN, -1, 0].forEach((v, i) => data.writeFloatLE(v, 4 * i));
  fs.writeFileSync(
    g,
    riff([
      ['fmt ', fmtChunk(3, 1, 100, 32)],
      ['data', data],
    ]),
  );
  t.deepEqual(wavInfo(g).perChannel[0], { count: 4, min: -1, max: 0.5, mean: -0.5 / 3, sum: -0.5, nonzero: 2, nan: 1 });
});

test('wavInfo on the Brahms WAV matches numpy (min, max, sum, nonzero), whether read in one block or in 64 KiB blocks', (t) => {
  const ref = py<{ min: number; max: number; sum: number; nz: number }>(
    `import sys, json, numpy as np, scipy.io.wavfile as w
sr, d = w.read(sys.argv[1]); x = d.astype(np.float64) / 32768
print(json.dumps({"min": x.min(), "max": x.max(), "sum": x.sum(), "nz": int(np.count_nonzero(x))}))`,
    BRAHMS,
  );
  const whole = wavInfo(BRAHMS);
  const blocks = wavInfo(BRAHMS, { blockBytes: 65536 });
  for (const info of [whole, blocks]) {
    const c = info.perChannel[0];
    t.is(c.min, ref.min);
    t.is(c.max, ref.max);
    t.is(c.nonzero, ref.nz);
    t.true(Math.abs((c.sum ?? NaN) - ref.sum) < 1e-9, `${c.sum} vs ${ref.sum}`);
    t.true(Math.abs((c.mean ?? NaN) - ref.sum / 1010880) < 1e-14);
  }
});

test('readWavRange returns exactly the requested frames of every channel, clamped at the end', (t) => {
  const f = path.join(tmp, 'range.wav');
  const chans = [0, 1, 2].map((c) => Float32Array.from({ length: 1000 }, (_, i) => ((i * 7 + c * 13) % 200) / 256 - 0.4));
  writeWav(f, chans, 4000, { encoding: 'pcm24' });
  const all = readWav(f);
  const part = readWavRange(f, 990, 50);
  t.is(part.channels.length, 3);
  for (let c = 0; c < 3; c++) t.deepEqual(part.channels[c], all.channels[c].subarray(990));
  const mid = readWavRange(TRUMPET, 22050, 4);
  t.deepEqual(Array.from(mid.channels[0]), Array.from(readWav(TRUMPET).channels[0].subarray(22050, 22054)));
});

test('fuzz: conformance WAVs cut or bit-flipped at 20 seeded offsets read or fail only with InputError', (t) => {
  const rng = new Rng(2024, 'wav-fuzz');
  let failures = 0;
  for (const src of [TRUMPET, GUITAR]) {
    const bytes = fs.readFileSync(src);
    for (let k = 0; k < 20; k++) {
      // Half the offsets land in the 44-byte header, where a flip changes the meaning of the file.
      const off = k % 2 === 0 ? rng.int(64) : rng.int(bytes.length);
      const cut = path.join(tmp, 'fz-cut.wav');
      fs.writeFileSync(cut, bytes.subarray(0, off));
      const flip = path.join(tmp, 'fz-flip.wav');
      const b2 = Buffer.from(bytes);
      b2[off] ^= 1 << rng.int(8);
      fs.writeFileSync(flip, b2);
      for (const f of [cut, flip]) {
        try {
          readWav(f);
        } catch (e) {
          failures++;
          if (!(e instanceof InputError)) t.fail(`${path.basename(src)} offset ${off}: ${String(e)}`);
        }
      }
    }
  }
  t.true(failures >= 20, `every cut fails; got ${failures} failures`);
});

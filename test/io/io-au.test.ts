import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { auInfo, g711Table, readAu, readAuHeader, writeAu } from '../../src/io/au.js';
import { readAudio } from '../../src/io/audio.js';
import { writeWav } from '../../src/io/wav.js';
import { InputError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/prng.js';
import { pyArgs as py } from '../helpers/python.js';
import { runCli } from '../helpers/cli.js';

// Python 3.11's sunau (its default compression is µ-law, so linear files set NONE) and audioop (removed in 3.13, present in Debian's 3.11) write the files
// and give the independent G.711 expansion; numpy writes what sunau cannot (floats, A-law).
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-au-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

function isInputError(t: ExecutionContext, f: () => unknown, msg: RegExp): void {
  try {
    f();
    t.true(false, 'expected an InputError');
  } catch (e) {
    t.true(e instanceof InputError, `not an InputError: ${String(e)}`);
    t.regex((e as InputError).problem, msg);
  }
}

/** Writes `file` with sunau from int values in sys.argv[5:] (width bytes, rate, channels) and returns the values. */
const SUNAU_WRITE = `
import sys, sunau, json, numpy as np
f, width, rate, nch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
seed = int(sys.argv[5])
rng = np.random.default_rng(seed)
lim = 2 ** (8 * width - 1)
x = rng.integers(-lim, lim, size=(997, nch), dtype=np.int64)
x[0, :] = -lim; x[1, :] = lim - 1; x[2, :] = 0
dt = {1: '>i1', 2: '>i2', 3: None, 4: '>i4'}[width]
if dt is None:
    u = (x & 0xffffff).astype('>u4').view(np.uint8).reshape(-1, 4)[:, 1:]
    raw = u.tobytes()
else:
    raw = x.astype(dt).tobytes()
w = sunau.open(f, 'w'); w.setcomptype('NONE', 'not compressed'); w.setnchannels(nch); w.setsampwidth(width); w.setframerate(rate); w.writeframes(raw); w.close()
print(json.dumps({"x": x.T.tolist(), "scale": lim}))
`;

for (const [width, enc] of [
  [1, 'pcm8'],
  [2, 'pcm16'],
  [3, 'pcm24'],
  [4, 'pcm32'],
] as const) {
  test(`sunau ${8 * width}-bit linear, 2 channels at 22050 Hz: every sample = code / 2^${8 * width - 1}, extremes −1 and (2^${8 * width - 1}−1)/2^${8 * width - 1}`, (t) => {
    const f = path.join(tmp, `lin${width}.au`);
    const ref = py<{ x: number[][]; scale: number }>(SUNAU_WRITE, f, String(width), '22050', '2', String(width));
    const a = readAu(f);
    t.is(a.header.encoding, enc);
    t.is(a.header.encodingCode, width + 1);
    t.is(a.sampleRate, 22050);
    t.is(a.channels.length, 2);
    for (let c = 0; c < 2; c++) {
      t.is(a.channels[c].length, 997);
      let worst = 0;
      ref.x[c].forEach((v, i) => (worst = Math.max(worst, Math.abs(a.channels[c][i] - Math.fround(v / ref.scale)))));
      t.is(worst, 0);
      t.is(a.channels[c][0], -1);
    }
  });
}

test('GTZAN form (16-bit mono 22050 Hz, sunau): header says 30 s, readAu(start, count) returns exactly that slice', (t) => {
  const f = path.join(tmp, 'blues.00000.au');
  py(
    `
import sys, sunau, numpy as np, json
n = 22050 * 30
x = (np.sin(2 * np.pi * 440 * np.arange(n) / 22050) * 12000).astype('>i2')
w = sunau.open(sys.argv[1], 'w'); w.setcomptype('NONE', 'not compressed'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050); w.writeframes(x.tobytes()); w.close()
print(json.dumps(0))`,
    f,
  );
  const h = readAuHeader(f);
  t.is(h.frames, 22050 * 30);
  t.is(h.duration, 30);
  t.false(h.sizeFromFile);
  const whole = readAu(f).channels[0];
  const part = readAu(f, 22050 * 4.21, 22050 * 15).channels[0];
  t.is(part.length, 22050 * 15);
  const s0 = Math.floor(22050 * 4.21);
  t.deepEqual(Array.from(part.subarray(0, 50)), Array.from(whole.subarray(s0, s0 + 50)));
  // 440 Hz at amplitude 12000/32768: the decoded RMS is 0.3662/√2 within int16 rounding.
  let ss = 0;
  for (const v of whole) ss += v * v;
  t.true(Math.abs(Math.sqrt(ss / whole.length) - 12000 / 32768 / Math.SQRT2) < 1e-4);
});

test('µ-law (encoding 1, written by sunau): all 256 codes expand as audioop.ulaw2lin does (ITU G.711), ±32124 full scale', (t) => {
  const f = path.join(tmp, 'ulaw.au');
  const ref = py<{ table: number[]; bytes: number[] }>(
    `
import sys, sunau, audioop, json, numpy as np
x = np.linspace(-32768, 32767, 4096).astype('<i2')
w = sunau.open(sys.argv[1], 'w'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000); w.setcomptype('ULAW', ''); w.writeframes(x.tobytes()); w.close()
raw = open(sys.argv[1], 'rb').read()
off = int.from_bytes(raw[4:8], 'big')
table = list(np.frombuffer(audioop.ulaw2lin(bytes(range(256)), 2), '<i2').astype(int))
print(json.dumps({"table": [int(v) for v in table], "bytes": list(raw[off:])}))`,
    f,
  );
  t.deepEqual(Array.from(g711Table('ulaw')), ref.table);
  t.is(Math.max(...ref.table), 32124);
  const a = readAu(f);
  t.is(a.header.encoding, 'ulaw');
  t.is(a.channels[0].length, 4096);
  t.deepEqual(
    Array.from(a.channels[0]),
    ref.bytes.map((b) => Math.fround(ref.table[b] / 32768)),
  );
});

test('A-law (encoding 27, numpy-written): all 256 codes expand as audioop.alaw2lin does (ITU G.711), ±32256 full scale', (t) => {
  const f = path.join(tmp, 'alaw.au');
  const ref = py<{ table: number[] }>(
    `
import sys, audioop, json, numpy as np
hdr = np.array([0x2e736e64, 32, 256, 27, 8000, 1, 0, 0], '>u4').tobytes()
open(sys.argv[1], 'wb').write(hdr + bytes(range(256)))
print(json.dumps({"table": [int(v) for v in np.frombuffer(audioop.alaw2lin(bytes(range(256)), 2), '<i2')]}))`,
    f,
  );
  t.deepEqual(Array.from(g711Table('alaw')), ref.table);
  t.is(Math.max(...ref.table), 32256);
  const a = readAu(f);
  t.is(a.header.encoding, 'alaw');
  t.deepEqual(
    Array.from(a.channels[0]),
    ref.table.map((v) => Math.fround(v / 32768)),
  );
});

test('float and double (encodings 6, 7), annotation text, and size 0xffffffff (unknown: whole frames to end of file)', (t) => {
  const f6 = path.join(tmp, 'f32.au');
  const f7 = path.join(tmp, 'f64.au');
  const ref = py<{ x: number[] }>(
    `
import sys, json, numpy as np
x = np.random.default_rng(3).standard_normal(301) * 0.3
note = b'GTZAN test annotation\\0\\0\\0'
hdr = lambda enc, size: np.array([0x2e736e64, 24 + len(note), size, enc, 22050, 1], '>u4').tobytes() + note
open(sys.argv[1], 'wb').write(hdr(6, x.size * 4) + x.astype('>f4').tobytes())
# Unknown size and a dangling half sample at the end: the half sample is dropped.
open(sys.argv[2], 'wb').write(hdr(7, 0xffffffff) + x.astype('>f8').tobytes() + b'\\1\\2\\3')
print(json.dumps({"x": x.tolist()}))`,
    f6,
    f7,
  );
  const a = readAu(f6);
  const b = readAu(f7);
  t.is(a.header.annotation, 'GTZAN test annotation');
  t.deepEqual(
    Array.from(a.channels[0]),
    ref.x.map((v) => Math.fround(v)),
  );
  t.true(b.header.sizeFromFile);
  t.is(b.header.frames, 301);
  t.deepEqual(
    Array.from(b.channels[0]),
    ref.x.map((v) => Math.fround(v)),
  );
});

test('writeAu 16-bit stereo → sunau reads the same codes, rate and channels back; the little-endian "dns." variant decodes the same', (t) => {
  const rng = new Rng(7, 'au-write');
  const l = Float32Array.from({ length: 500 }, () => rng.uniform() * 1.8 - 0.9);
  const r = Float32Array.from({ length: 500 }, () => rng.uniform() * 1.8 - 0.9);
  const f = path.join(tmp, 'mine.au');
  writeAu(f, [l, r], 22050, { annotation: 'brainalign' });
  const back = py<{ rate: number; nch: number; width: number; x: number[] }>(
    `
import sys, sunau, json, numpy as np
w = sunau.open(sys.argv[1], 'r')
x = np.frombuffer(w.readframes(w.getnframes()), '>i2')
print(json.dumps({"rate": w.getframerate(), "nch": w.getnchannels(), "width": w.getsampwidth(), "x": x.tolist()}))`,
    f,
  );
  t.deepEqual([back.rate, back.nch, back.width], [22050, 2, 2]);
  t.deepEqual(
    back.x.slice(0, 6),
    [l[0], r[0], l[1], r[1], l[2], r[2]].map((v) => Math.round(v * 32768)),
  );
  const le = path.join(tmp, 'dec.au');
  py(
    `
import sys, json, numpy as np
x = np.array([-32768, 0, 1234, 32767], '<i2')
open(sys.argv[1], 'wb').write(b'dns.' + np.array([24, 8, 3, 8000, 1], '<u4').tobytes() + x.tobytes())
print(json.dumps(0))`,
    le,
  );
  const d = readAu(le);
  t.false(d.header.bigEndian);
  t.deepEqual(Array.from(d.channels[0]), [-1, 0, 1234 / 32768, 32767 / 32768].map(Math.fround));
});

test('readAudio picks the reader by magic bytes: the same samples from an .au and a .wav of one signal', (t) => {
  const x = Float32Array.from({ length: 1000 }, (_, i) => Math.round(Math.sin(i / 9) * 20000) / 32768);
  const au = path.join(tmp, 'same.au');
  const wav = path.join(tmp, 'same.wav');
  writeAu(au, x, 22050);
  writeWav(wav, x, 22050, { encoding: 'pcm16' });
  const a = readAudio(au);
  const w = readAudio(wav);
  t.is(a.container, 'au');
  t.is(w.container, 'wav');
  t.deepEqual(Array.from(a.channels[0]), Array.from(w.channels[0]));
  t.deepEqual(Array.from(readAudio(au, 100, 10).channels[0]), Array.from(x.subarray(100, 110)));
});

test('corrupt files are InputErrors naming the fault: short header, wrong magic, unsupported encoding, data past the end, offset inside the header', (t) => {
  const good = path.join(tmp, 'good.au');
  writeAu(good, new Float32Array(100).fill(0.25), 8000);
  const bytes = fs.readFileSync(good);
  const variant = (name: string, edit: (b: Buffer) => Buffer): string => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, edit(Buffer.from(bytes)));
    return f;
  };
  // A header field overwritten in place (the writer's return value is not the file).
  const patched = (name: string, patch: (b: Buffer) => unknown): string =>
    variant(name, (b) => {
      patch(b);
      return b;
    });
  isInputError(t, () => readAu(variant('short.au', (b) => b.subarray(0, 20))), /too short for a Sun\/NeXT audio header/);
  isInputError(t, () => readAu(patched('magic.au', (b) => b.write('RIFX', 0, 'latin1'))), /magic is 0x52494658, expected 0x2e736e64/);
  isInputError(t, () => readAu(patched('g721.au', (b) => b.writeUInt32BE(23, 12))), /unsupported Sun\/NeXT encoding 23/);
  isInputError(t, () => readAu(variant('trunc.au', (b) => b.subarray(0, b.length - 11))), /truncated: header declares 200 data bytes but only 189 remain/);
  isInputError(t, () => readAu(patched('offset.au', (b) => b.writeUInt32BE(12, 4))), /data offset 12 lies inside the 24-byte header/);
  isInputError(t, () => readAu(patched('odd.au', (b) => b.writeUInt32BE(199, 8))), /not a whole number of 2-byte frames/);
});

test('brainalign info x.au: header and per-channel summary; a truncated .au is one line `brainalign: <file>: …` and exit 2', (t) => {
  const f = path.join(tmp, 'info.au');
  writeAu(
    f,
    Float32Array.from({ length: 2205 }, (_, i) => (i % 2 ? 0.5 : -0.5)),
    22050,
  );
  const ok = runCli(['info', f, '--json']);
  t.is(ok.code, 0, ok.stderr);
  const doc = JSON.parse(ok.stdout) as { format: string; info: { encoding: string; frames: number; duration: number; perChannel: { mean: number }[] } };
  t.is(doc.format, 'au');
  t.is(doc.info.encoding, 'pcm16');
  t.is(doc.info.frames, 2205);
  t.is(doc.info.duration, 0.1);
  t.true(Math.abs(doc.info.perChannel[0].mean) < 1e-3);
  t.deepEqual(auInfo(f).perChannel, doc.info.perChannel);
  const bad = path.join(tmp, 'cut.au');
  fs.writeFileSync(bad, fs.readFileSync(f).subarray(0, 1000));
  const r = runCli(['info', bad]);
  t.is(r.code, 2);
  t.is(r.stderr.trim().split('\n').length, 1);
  t.regex(r.stderr, /^brainalign: .*cut\.au: truncated: header declares 4410 data bytes/);
});

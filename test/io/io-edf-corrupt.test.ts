/**
 * Corrupt input: each damaged file fails with one clear line naming the file
 * (InputError), and seeded cut/bit-flip fuzzing of every conformance EDF/BDF
 * never lets a RangeError/TypeError escape or hangs.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { conformanceRoot } from '../helpers/conformance.js';
import { Rng } from '../../src/core/prng.js';
import { InputError } from '../../src/core/errors.js';
import { edfInfo, readEdf } from '../../src/io/edf.js';
import { defined } from '../helpers/defined.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edf-corrupt-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));
const DUP = path.join(conformanceRoot(), 'edf/mne-tools__mne-python/mne/io/edf/tests/data/duplicate_channel_labels.edf');
const BDF = path.join(conformanceRoot(), 'edf/holgern__pyedflib/pyedflib/tests/data/test_generator_datarec_generator_2.bdf');

/** A copy of `src` with `edit` applied to its bytes. */
function damaged(name: string, src: string, edit: (b: Buffer) => Buffer): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, edit(Buffer.from(fs.readFileSync(src))));
  return file;
}
/** Overwrite a fixed-width ASCII header field. */
const setField = (pos: number, width: number, text: string) => (b: Buffer) => {
  b.write(text.padEnd(width, ' '), pos, 'latin1');
  return b;
};
// duplicate_channel_labels.edf: ns = 4, so per-signal fields are 4 × width wide; samples/record starts at 256 + 4·216.
const SPR = 256 + 4 * (16 + 80 + 8 + 8 + 8 + 8 + 8 + 80);

const cases: [string, string, (b: Buffer) => Buffer, RegExp][] = [
  ['truncated fixed header', DUP, (b) => b.subarray(0, 100), /truncated header: 100 of 256/],
  ['truncated signal headers', DUP, (b) => b.subarray(0, 700), /truncated header/],
  ['truncated data', DUP, (b) => b.subarray(0, b.length - 7), /disagrees with file size.*truncated data/],
  ['wrong EDF version', DUP, setField(0, 8, '1'), /not an EDF or BDF file/],
  ['wrong BDF magic', BDF, setField(1, 7, 'BIOSEMX'), /not an EDF or BDF file/],
  ['record count larger than the data', DUP, setField(236, 8, '11'), /record count 11 disagrees with file size/],
  ['record count smaller than the data', DUP, setField(236, 8, '9'), /record count 9 disagrees with file size/],
  ['zero samples per record', DUP, setField(SPR, 8, '0'), /samples per record of signal 1 must be positive, found 0/],
  ['negative samples per record', DUP, setField(SPR + 8, 8, '-250'), /samples per record of signal 2 must be positive/],
  ['non-numeric samples per record', DUP, setField(SPR, 8, 'abc'), /samples per record of signal 1 is not an integer/],
  ['zero signals', DUP, setField(252, 4, '0'), /number of signals must be positive/],
  ['negative signals', DUP, setField(252, 4, '-2'), /number of signals must be positive/],
  ['zero records', DUP, setField(236, 8, '0'), /number of data records must be positive/],
  ['negative records', DUP, setField(236, 8, '-7'), /number of data records must be positive/],
  ['negative record duration', DUP, setField(244, 8, '-1'), /negative record duration/],
  ['header size not 256·(ns+1)', DUP, setField(184, 8, '1024'), /header size 1024 does not match 4 signals/],
];

for (const [what, src, edit, message] of cases) {
  test(`corrupt input → one-line InputError naming the file: ${what}`, (t) => {
    const file = damaged(`${what.replace(/\W+/g, '_')}${path.extname(src)}`, src, edit);
    const err = t.throws(() => readEdf(file), { instanceOf: InputError, message });
    t.is(defined(err, 'the thrown error').where, file);
    t.false(defined(err, 'the thrown error').message.includes('\n'));
    t.throws(() => edfInfo(file), { instanceOf: InputError, message });
  });
}

test('a missing file is an InputError naming it', (t) => {
  const file = path.join(tmp, 'absent.edf');
  t.throws(() => readEdf(file), { instanceOf: InputError, message: /absent\.edf: cannot open \(ENOENT\)/ });
});

test('fuzz: every conformance EDF/BDF cut and bit-flipped at 20 seeded offsets fails only with InputError, quickly', (t) => {
  const dirs = ['holgern__pyedflib/pyedflib/tests/data', 'mne-tools__mne-python/mne/io/edf/tests/data', 'the-siesta-group__edfio/tests/TEST_DATA'];
  const files = dirs.flatMap((d) => {
    const abs = path.join(conformanceRoot(), 'edf', d);
    return fs
      .readdirSync(abs)
      .filter((f) => /\.(edf|bdf)$/.test(f))
      .map((f) => path.join(abs, f));
  });
  t.is(files.length, 18);
  const rng = new Rng(1702, 'edf-fuzz');
  let reads = 0;
  let rejected = 0;
  for (const src of files) {
    const orig = fs.readFileSync(src);
    const headerBytes = Number(orig.subarray(184, 192).toString('latin1').trim());
    const r = rng.fork(path.basename(src));
    for (let j = 0; j < 20; j++) {
      // Half the offsets land in the header, where a flipped byte changes meaning most.
      const off = j % 2 === 0 ? r.int(Math.min(headerBytes, orig.length)) : r.int(orig.length);
      const cut = path.join(tmp, `cut${path.extname(src)}`);
      fs.writeFileSync(cut, orig.subarray(0, off));
      const flipped = Buffer.from(orig);
      flipped[off] ^= 1 << r.int(8);
      const flip = path.join(tmp, `flip${path.extname(src)}`);
      fs.writeFileSync(flip, flipped);
      for (const [file, read] of [
        [cut, () => readEdf(cut)],
        [flip, () => readEdf(flip)],
        [flip, () => edfInfo(flip)],
      ] as const) {
        const t0 = performance.now();
        try {
          read();
        } catch (e) {
          if (!(e instanceof InputError)) t.fail(`${path.basename(src)} @${off} (${path.basename(file)}): ${String(e)}`);
          rejected++;
        }
        reads++;
        t.true(performance.now() - t0 < 5000, `${path.basename(src)} @${off} took too long`);
      }
    }
  }
  t.is(reads, 18 * 20 * 3);
  // Every cut before the end must be rejected (the size check); flips may be harmless.
  t.true(rejected >= 18 * 20, `only ${rejected} rejections`);
});

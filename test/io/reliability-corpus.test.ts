/**
 * The corrupt-input corpus (issue 15): every bad input the adversarial pass
 * found, generated here as small files (large ones sparse), run through
 * `info` and the verb that ingests it. A rejection is exit 2 with exactly one
 * line on stderr starting `brainalign: `, no stack, no raw control character,
 * bounded peak memory (max RSS from /usr/bin/time) and time (no hang), and no
 * partial output. `info` describes what it can describe (a NaN sample is
 * counted, not refused); the ingesting verbs refuse.
 */
import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync, execFileSync } from 'node:child_process';
import { cliArgv, runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { pyArgs } from '../helpers/python.js';
import { writeNpy } from '../../src/io/npy.js';
import { writeNifti } from '../../src/io/nifti.js';
import { writeEdf, readEdfHeader, readEdf, readEdfSegments } from '../../src/io/edf.js';
import { readTsv } from '../../src/io/tsv.js';
import { defined } from '../helpers/defined.js';

const MAX_RSS_MB = 400;
const dir = tmpDir('ba-rel-corpus-');
const STUDY = path.join(dir, 'study');

test.before(() => {
  const r = runCli(['synth', '--small', '--clips-per-genre', '1', '--format', 'edf', '--out', STUDY, '--quiet']);
  if (r.code !== 0) throw new Error(r.stderr);
});
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  maxRssMb: number;
  signal: NodeJS.Signals | null;
}

/** The CLI under /usr/bin/time (peak RSS) with a hang timeout. */
function run(args: string[], timeoutMs = 60_000): Run {
  const r = spawnSync('/usr/bin/time', ['-f', 'maxrss-kb=%M', process.execPath, ...cliArgv(args)], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 << 20,
  });
  const lines = (r.stderr ?? '').split('\n');
  const rssLine = lines.find((l) => l.startsWith('maxrss-kb='));
  // /usr/bin/time adds "Command exited with non-zero status N" before its format line.
  const own = lines.filter((l) => !l.startsWith('maxrss-kb=') && !l.startsWith('Command exited with'));
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: own.join('\n'), maxRssMb: rssLine ? Number(rssLine.slice(10)) / 1024 : NaN };
}

function rejected(t: ExecutionContext, r: Run, problem: RegExp, what: string): void {
  t.is(r.signal, null, `${what}: finished (no hang)`);
  t.is(r.code, 2, `${what}: exit 2; stderr ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  t.is(lines.length, 1, `${what}: one line, got ${JSON.stringify(lines)}`);
  t.true(lines[0]?.startsWith('brainalign: '), `${what}: ${lines[0]}`);
  t.regex(lines[0] ?? '', problem, what);
  t.notRegex(r.stderr, /^\s+at /m, `${what}: no stack`);
  t.false(/[\u0000-\u0008\u000b-\u001f\u007f]/.test(r.stderr + r.stdout), `${what}: no raw control characters`);
  t.true(r.maxRssMb < MAX_RSS_MB, `${what}: peak RSS ${r.maxRssMb.toFixed(0)} MB`);
}

/** No stamp, no complete artifact and no temp folder under a derivatives root after a refusal. */
function noOutput(t: ExecutionContext, root: string, what: string): void {
  const left: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!['dataset_description.json', 'hashes.json'].includes(e.name)) left.push(path.relative(root, p));
    }
  };
  walk(root);
  t.deepEqual(left, [], `${what}: no output left behind`);
}

/** A mono float32 WAV holding `samples`. */
function floatWav(file: string, samples: number[], rate = 22050): void {
  const data = Buffer.alloc(samples.length * 4);
  samples.forEach((v, i) => data.writeFloatLE(v, 4 * i));
  const fmt = Buffer.alloc(16);
  fmt.writeUInt16LE(3, 0);
  fmt.writeUInt16LE(1, 2);
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE(rate * 4, 8);
  fmt.writeUInt16LE(4, 12);
  fmt.writeUInt16LE(32, 14);
  const chunk = (id: string, b: Buffer) => {
    const h = Buffer.alloc(8);
    h.write(id, 0, 'latin1');
    h.writeUInt32LE(b.length, 4);
    return Buffer.concat([h, b]);
  };
  const body = Buffer.concat([Buffer.from('WAVE'), chunk('fmt ', fmt), chunk('data', data)]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  fs.writeFileSync(file, Buffer.concat([riff, body]));
}

for (const [name, bad] of [
  ['NaN', NaN],
  ['+Inf', Infinity],
] as const) {
  test(`a float WAV holding ${name}: info counts it; features refuses the clip and stamps nothing`, (t) => {
    const copy = path.join(dir, `wav-${name}`);
    fs.cpSync(path.join(STUDY, 'stimuli'), path.join(copy, 'stimuli'), { recursive: true });
    const first = readTsv(path.join(copy, 'stimuli', 'stimuli.tsv')).rows[0].path.replace(/^stimuli\//, '');
    const wav = path.join(copy, 'stimuli', first);
    const samples = Array.from({ length: 22050 * 3 }, (_, i) => Math.sin(i / 10) * 0.1);
    samples[1000] = bad;
    floatWav(wav, samples);
    const info = run(['info', '--json', wav]);
    t.is(info.code, 0, info.stderr);
    const doc = JSON.parse(info.stdout) as { info: { perChannel: { nan: number; max: number }[] } };
    // info shows the fault: a NaN is counted apart, an infinity is the maximum (JSON null).
    if (Number.isNaN(bad)) t.is(doc.info.perChannel[0].nan, 1);
    else t.false(Number.isFinite(doc.info.perChannel[0].max), `max ${doc.info.perChannel[0].max}`);
    const root = path.join(copy, 'deriv');
    const r = run(['features', '--baseline', 'logmel', '--stimuli', path.join(copy, 'stimuli'), '--out', root, '--stamp', path.join(root, 'stamps', 'f.json')]);
    rejected(t, r, /frame 1000: sample is (NaN|Infinity) \(audio must be finite\)/, `features on ${name}`);
    noOutput(t, root, 'features');
  });
}

test('plain encode refuses NaN, values whose squares overflow float32, a folder as -X, negative α and delays longer than the series', (t) => {
  const d = path.join(dir, 'encode');
  fs.mkdirSync(d, { recursive: true });
  const n = 20;
  const X = new Float32Array(n * 3).map((_, i) => Math.sin(i));
  const Y = new Float32Array(n * 2).map((_, i) => Math.cos(i));
  writeNpy(path.join(d, 'X.npy'), X, [n, 3]);
  writeNpy(path.join(d, 'Y.npy'), Y, [n, 2]);
  const Xnan = X.slice();
  Xnan[7] = NaN;
  writeNpy(path.join(d, 'Xnan.npy'), Xnan, [n, 3]);
  writeNpy(
    path.join(d, 'Xbig.npy'),
    X.map((v) => v * 1e38),
    [n, 3],
  );
  const out = path.join(d, 'out');
  const enc = (x: string, extra: string[] = []) => run(['encode', '--X', x, '--Y', path.join(d, 'Y.npy'), '--folds', '2', '--out', out, ...extra]);
  rejected(t, enc(path.join(d, 'Xnan.npy')), /--X row 2, column 1 is NaN/, 'NaN in X');
  rejected(t, enc(path.join(d, 'Xbig.npy')), /sum of squares of .*beyond float32/, '1e38 in X');
  rejected(t, enc(d), /is a folder, not a file/, '-X folder');
  rejected(t, enc(path.join(d, 'X.npy'), ['--alphas', '-1,0']), /--alphas: α must be finite and > 0, got -1/, '--alphas -1,0');
  rejected(t, enc(path.join(d, 'X.npy'), ['--delays', '0,20']), /--delays: delay 20 is not shorter than the shortest run \(20 samples\)/, 'delay 20 of 20');
  t.false(fs.existsSync(out), 'no output folder');
  // The NaN matrix is still describable.
  t.is(run(['info', path.join(d, 'Xnan.npy')]).code, 0);
  // The fixed cases do not reject good data: the same call with sane inputs works.
  const ok = enc(path.join(d, 'X.npy'), ['--alphas', '0.1,1', '--delays', '0,1']);
  t.is(ok.code, 0, ok.stderr);
});

test('a FIFO named *_events.tsv: info on it and on its BIDS folder answer at once with one line', (t) => {
  const ds = path.join(dir, 'fifo-bids');
  fs.mkdirSync(path.join(ds, 'sub-01', 'eeg'), { recursive: true });
  fs.writeFileSync(path.join(ds, 'dataset_description.json'), JSON.stringify({ Name: 'x', BIDSVersion: '1.9.0' }));
  const fifo = path.join(ds, 'sub-01', 'eeg', 'sub-01_task-x_events.tsv');
  execFileSync('mkfifo', [fifo]);
  rejected(t, run(['info', fifo], 20_000), /not a regular file/, 'info FIFO');
  rejected(t, run(['info', ds], 20_000), /events\.tsv: (cannot read|not a regular file)/, 'info BIDS with FIFO');
});

test('control characters in a file name or a TSV header reach the terminal escaped', (t) => {
  const d = path.join(dir, 'escapes');
  fs.mkdirSync(d, { recursive: true });
  const evil = path.join(d, 'x\n\u001b[2Jbrainalign: fake.npy');
  fs.writeFileSync(evil, 'not an array');
  const r = run(['info', evil]);
  rejected(t, r, /x\\n\\x1b\[2Jbrainalign: fake\.npy/, 'evil name');
  const tsv = path.join(d, 'cols.tsv');
  fs.writeFileSync(tsv, 'a\u001b[31m\tb\n1\t2\n');
  const info = run(['info', tsv]);
  t.is(info.code, 0, info.stderr);
  t.false(info.stdout.includes('\u001b'), info.stdout);
  t.regex(info.stdout, /a\\x1b\[31m/);
});

test('NIfTI with a valid scl_slope and scl_inter = -inf is refused, as nibabel refuses it', (t) => {
  const f = path.join(dir, 'inter.nii');
  writeNifti(f, { dims: [2, 2, 2], data: new Int16Array(8), affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] });
  const b = fs.readFileSync(f);
  b.writeFloatLE(2, 112);
  b.writeFloatLE(-Infinity, 116);
  fs.writeFileSync(f, b);
  const nib = pyArgs<string>(
    'import sys, json, nibabel as nib\ntry:\n  nib.load(sys.argv[1]).get_fdata(); print(json.dumps("read"))\nexcept Exception as e: print(json.dumps(type(e).__name__))',
    f,
  );
  t.is(nib, 'HeaderDataError');
  rejected(t, run(['info', f]), /scl_slope 2 is valid but scl_inter is -Infinity/, 'info');
});

/** A one-run BIDS fMRI dataset: 2×2×2 voxels × 6 volumes. */
function tinyBold(root: string, sidecarJson: string): string {
  fs.mkdirSync(path.join(root, 'sub-01', 'func'), { recursive: true });
  fs.writeFileSync(path.join(root, 'dataset_description.json'), JSON.stringify({ Name: 'x', BIDSVersion: '1.9.0' }));
  const bold = path.join(root, 'sub-01', 'func', 'sub-01_task-x_bold.nii');
  writeNifti(bold, { dims: [2, 2, 2, 6], data: new Float32Array(48).map((_, i) => i), affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] });
  fs.writeFileSync(path.join(root, 'sub-01', 'func', 'sub-01_task-x_bold.json'), sidecarJson);
  return bold;
}

test('a sidecar whose "__proto__" key would supply RepetitionTime is refused; a truncated BOLD is flagged by info on the BIDS folder', (t) => {
  const proto = path.join(dir, 'proto');
  // Written as text: in a JS object literal __proto__ would set the prototype, not a key.
  tinyBold(proto, '{"TaskName": "x", "__proto__": {"RepetitionTime": 2}}');
  rejected(t, run(['info', proto]), /sub-01_task-x_bold\.json: has a "__proto__" key/, 'info __proto__');
  const trunc = path.join(dir, 'trunc');
  const bold = tinyBold(trunc, '{"TaskName": "x", "RepetitionTime": 2}');
  t.is(run(['info', trunc]).code, 0, 'the intact dataset is fine');
  fs.truncateSync(bold, fs.statSync(bold).size - 40);
  rejected(t, run(['info', trunc]), /sub-01_task-x_bold\.nii: truncated data/, 'info truncated BOLD');
  const gz = path.join(trunc, 'sub-01', 'func', 'sub-01_task-x_bold.nii.gz');
  writeNifti(gz, { dims: [2, 2, 2, 6], data: new Float32Array(48).map((_, i) => i * 7.3), affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] });
  fs.rmSync(bold);
  fs.truncateSync(gz, fs.statSync(gz).size - 30);
  rejected(t, run(['info', trunc]), /sub-01_task-x_bold\.nii\.gz: /, 'info truncated BOLD .nii.gz');
});

/** Rewrite an EDF written with an annotation signal as EDF+D with the given record onsets. */
function makeGapped(file: string, onsets: number[]): void {
  const n = onsets.length * 64;
  writeEdf(file, {
    format: 'edf',
    startTime: new Date(Date.UTC(2021, 5, 1)),
    recordDuration: 1,
    signals: ['Fz', 'Cz', 'Pz'].map((label, c) => ({
      label,
      unit: 'uV',
      rate: 64,
      physMin: -32768,
      physMax: 32767,
      data: new Float32Array(n).map((_, i) => 1000 * Math.floor(i / 64) + (i % 64) + c),
    })),
    annotations: [{ onset: 0.5, text: 'room for the rewritten time-keeping TALs'.padEnd(60, '.') }],
  });
  const h = readEdfHeader(file);
  const ann = defined(
    h.signals.find((s) => s.isAnnotation),
    'the annotation signal',
  );
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.from('EDF+D'), 0, 5, 192);
  onsets.forEach((o, k) => {
    const area = Buffer.alloc(ann.samplesPerRecord * 2);
    area.write(`+${o}\x14\x14\x00`, 'latin1');
    fs.writeSync(fd, area, 0, area.length, h.headerBytes + k * h.recordBytes + ann.byteOffset);
  });
  fs.closeSync(fd);
}

test('EDF+D with records 10,000 s apart: readEdf refuses the span, readEdfSegments reads the two segments exactly, eeg-prep refuses in bounded memory', (t) => {
  const f = path.join(dir, 'far.edf');
  makeGapped(f, [0, 1, 10000, 10001]);
  t.true(fs.statSync(f).size < 10_000);
  t.throws(() => readEdf(f), { message: /EDF\+D records span 10002 s but hold 4 s of data/ });
  const segs = readEdfSegments(f);
  t.deepEqual(
    segs.map((s) => [s.tStart, s.tEnd, s.signals[0].data.length]),
    [
      [0, 2, 128],
      [10000, 10002, 128],
    ],
  );
  t.is(segs[1].signals[1].data[0], 2000 + 1);
  t.is(segs[1].signals[1].data[127], 3063 + 1);
  t.false(segs.some((s) => s.signals.some((x) => x.data.some(Number.isNaN))));
  // A short gap (1 s in 5 s) stays readable on one axis, NaN in the gap.
  const near = path.join(dir, 'near.edf');
  makeGapped(near, [0, 1, 3, 4]);
  t.is(readEdf(near).signals[0].data.filter(Number.isNaN).length, 64);
  const info = run(['info', '--json', f]);
  t.is(info.code, 0, info.stderr);
  t.true(info.maxRssMb < MAX_RSS_MB);
  // eeg-prep on a study whose recording is this file.
  const copy = path.join(dir, 'edfd-study');
  fs.cpSync(STUDY, copy, { recursive: true });
  const eegDir = path.join(copy, 'sub-01', 'eeg');
  const rec = defined(
    fs.readdirSync(eegDir).find((x) => x.endsWith('_eeg.edf')),
    'an _eeg.edf recording',
  );
  fs.copyFileSync(f, path.join(eegDir, rec));
  const root = path.join(copy, 'deriv');
  const r = run(['eeg-prep', '--bids', copy, '--subject', '01', '--out', root, '--stamp', path.join(root, 'stamps', 'p.json')]);
  rejected(t, r, /_eeg\.edf: EDF\+D records span 10002 s/, 'eeg-prep EDF+D');
  noOutput(t, root, 'eeg-prep');
  const near2 = path.join(dir, 'edfd-near');
  fs.cpSync(STUDY, near2, { recursive: true });
  fs.copyFileSync(near, path.join(near2, 'sub-01', 'eeg', rec));
  rejected(
    t,
    run(['eeg-prep', '--bids', near2, '--subject', '01', '--out', path.join(near2, 'deriv')]),
    /EDF\+D recording has 1 gap\(s\) \(first 1 s at 2 s\)/,
    'eeg-prep short gap',
  );
});

test('data verify: FIFO, link to /dev/zero, link out of root, dangling link, link to the root itself, a 700 MB events.tsv and a "." entry', (t) => {
  const root = path.join(dir, 'verify');
  fs.mkdirSync(path.join(root, 'sub-01'), { recursive: true });
  fs.writeFileSync(path.join(root, 'ok.txt'), 'fine');
  execFileSync('mkfifo', [path.join(root, 'fifo.tsv')]);
  fs.symlinkSync('/dev/zero', path.join(root, 'zero.bin'));
  const secret = path.join(dir, 'secret.txt');
  fs.writeFileSync(secret, 'outside the dataset');
  fs.symlinkSync(secret, path.join(root, 'outside.txt'));
  fs.symlinkSync(path.join(root, 'nothing-here'), path.join(root, 'dangling.txt'));
  fs.symlinkSync('.', path.join(root, 'self'));
  const big = path.join(root, 'sub-01', 'sub-01_task-x_events.tsv');
  fs.writeFileSync(big, '');
  fs.truncateSync(big, 700 * 1024 * 1024);
  const sha = '0'.repeat(64);
  const manifest = (files: { path: string; sha256?: string }[]) => ({
    name: 'corpus',
    description: 'bad files',
    modality: 'eeg',
    license: 'CC0',
    mapping: {},
    source: { url: 'x', citation: 'x', howToGet: 'x' },
    files,
    tsvColumns: [{ glob: '**/*_events.tsv', columns: ['onset', 'duration'] }],
  });
  const mf = path.join(dir, 'manifest.json');
  fs.writeFileSync(mf, JSON.stringify(manifest(['ok.txt', 'fifo.tsv', 'zero.bin', 'outside.txt', 'dangling.txt'].map((p) => ({ path: p, sha256: sha })))));
  const r = run(['data', 'verify', mf, root], 30_000);
  rejected(t, r, /verify: 6 problem\(s\) against/, 'data verify');
  const row = (p: string) => r.stdout.split('\n').find((l) => l.includes(` ${p} `)) ?? '';
  t.regex(row('fifo.tsv'), /not a regular file/);
  t.regex(row('zero.bin'), /symlink points outside the dataset root/);
  t.regex(row('outside.txt'), /symlink points outside the dataset root/);
  t.regex(row('dangling.txt'), /missing +dangling\.txt +dangling symlink/);
  t.regex(row('ok.txt'), /sha256 [0-9a-f]{12}…, expected 000000000000…/);
  t.regex(row('sub-01/sub-01_task-x_events.tsv'), /columns/);
  t.notRegex(r.stdout, /\bself\b/, 'a link to the root itself is neither outside nor a file');
  t.is((r.stdout.match(/sha256/g) ?? []).length, 1, 'only ok.txt is hashed: nothing outside root or special');
  const dot = path.join(dir, 'dot.json');
  fs.writeFileSync(dot, JSON.stringify(manifest([{ path: '.' }])));
  rejected(t, run(['data', 'verify', dot, root]), /dot\.json: path "\." names the dataset root itself/, '"." entry');
});

test('study-mode encode refuses a features artifact holding NaN before fitting, and stamps nothing', (t) => {
  const root = path.join(dir, 'enc-nan');
  const f = run([
    'features',
    '--baseline',
    'logmel',
    '--stimuli',
    path.join(STUDY, 'stimuli'),
    '--out',
    root,
    '--stamp',
    path.join(root, 'stamps', 'f.json'),
    '--quiet',
  ]);
  t.is(f.code, 0, f.stderr);
  const art = path.resolve(path.join(root, 'stamps'), (JSON.parse(fs.readFileSync(path.join(root, 'stamps', 'f.json'), 'utf8')) as { dir: string }).dir);
  const npys: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.npy')) npys.push(path.join(d, e.name));
    }
  };
  walk(art);
  const b = fs.readFileSync(npys[0]);
  b.writeFloatLE(NaN, b.length - 4);
  fs.writeFileSync(npys[0], b);
  const stamp = path.join(root, 'stamps', 'e.json');
  const r = run(['encode', '--features', path.join(root, 'stamps', 'f.json'), '--bids', STUDY, '--subject', '01', '--out', root, '--stamp', stamp]);
  rejected(t, r, /iter-0\.npy: element \d+ is NaN; features must be finite/, 'encode NaN features');
  t.false(fs.existsSync(stamp));
  t.false(
    fs.existsSync(path.join(root, 'artifacts', 'encode')) && fs.readdirSync(path.join(root, 'artifacts', 'encode')).length > 0,
    'no encode artifact or temp',
  );
});

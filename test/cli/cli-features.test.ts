/**
 * `brainalign features` on the reduced synthetic study (3 genres × 3 clips ×
 * 3 s) with a tiny trained BAN, and the baselines on planted tones: the
 * layout the encode stage reads, row counts from clip durations and rate,
 * values equal to the reloaded checkpoint's activations, distinct recurrent
 * iterations, one folder per checkpoint, and PCA fitted on training clips only.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO, runCli } from '../helpers/cli.js';
import { readTsv } from '../../src/io/tsv.js';
import { readNpy } from '../../src/io/npy.js';
import { writeWav } from '../../src/io/wav.js';
import { openFeatureStore } from '../../src/encoding/feature-store.js';
import { modelStagesFileSchema, melOptions } from '../../src/models/config.js';
import { defined } from '../helpers/defined.js';
import { tinyBanModel, tinyBanTraining } from '../helpers/tiny-ban.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-cli-features-'));
const STUDY = path.join(tmp, 'study');
const STIM = path.join(STUDY, 'stimuli');
const D = path.join(tmp, 'deriv');
const CFG = path.join(tmp, 'cfg.json');
const TINY = {
  model: tinyBanModel(3),
  train: tinyBanTraining(),
};
const TRAIN_STAMP = path.join(D, 'stamps', 'train-ban.json');
const SR = 22050;

/** The CLI in a child process without blocking, so independent stages run side by side. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import=tsx', path.join(REPO, 'src', 'cli.ts'), ...args], { cwd: REPO });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Run `features` with a stamp of its own; resolve to the artifact folder. */
async function features(name: string, extra: string[], out = D): Promise<string> {
  const stamp = path.join(D, 'stamps', `features-${name}.json`);
  const r = await cli(['features', '--config', CFG, '--out', out, '--stamp', stamp, '--quiet', ...extra]);
  if (r.code !== 0) throw new Error(`features ${name}: ${r.stderr}`);
  return path.resolve(path.dirname(stamp), (JSON.parse(fs.readFileSync(stamp, 'utf8')) as { dir: string }).dir);
}

const matrix = (file: string): { data: Float32Array; rows: number; cols: number } => {
  const a = readNpy(file);
  t0(a.dtype === 'float32' && a.data instanceof Float32Array, `${file} is ${a.dtype}`);
  return { data: a.data as Float32Array, rows: a.shape[0], cols: a.shape[1] };
};
function t0(ok: boolean, msg: string): void {
  if (!ok) throw new Error(msg);
}

let trainDir = '';
let best: Promise<string>;

test.before(() => {
  const s = runCli(['synth', '--small', '--clips-per-genre', '3', '--out', STUDY, '--quiet']);
  if (s.code !== 0) throw new Error(s.stderr);
  fs.writeFileSync(CFG, JSON.stringify(TINY));
  const r = runCli(['train', '--stimuli', STIM, '--config', CFG, '--out', D, '--stamp', TRAIN_STAMP, '--quiet']);
  if (r.code !== 0) throw new Error(r.stderr);
  trainDir = path.resolve(D, 'stamps', (JSON.parse(fs.readFileSync(TRAIN_STAMP, 'utf8')) as { dir: string }).dir);
  best = features('best', ['--model', TRAIN_STAMP, '--stimuli', STIM]);
});

test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

const AREAS: [string, number][] = [
  ['a1', 1],
  ['belt', 2],
  ['pb', 3],
  ['t', 2],
];

test('one .npy per area and iteration, rows indexed by stimuli.tsv from clip durations at 1/TR; the encode reader opens it', async (t) => {
  const dir = await best;
  const stim = readTsv(path.join(STIM, 'stimuli.tsv')).rows;
  const idx = readTsv(path.join(dir, 'stimuli.tsv')).rows;
  t.deepEqual(
    idx.map((r) => r.stim_id),
    stim.map((r) => r.stim_id),
    'rows follow stimuli.tsv order',
  );
  let start = 0;
  idx.forEach((r, i) => {
    t.is(Number(r.row_start), start);
    t.is(Number(r.n_rows), Math.floor(Number(stim[i].duration) / 1.5), 'floor(duration × rate) with rate = 1/1.5 s');
    start += Number(r.n_rows);
  });
  t.is(start, 18);
  for (const [area, times] of AREAS) {
    const files = fs
      .readdirSync(path.join(dir, 'ban', area))
      .filter((f) => f.endsWith('.npy'))
      .sort();
    t.deepEqual(
      files,
      Array.from({ length: times }, (_, k) => `iter-${k}.npy`),
      area,
    );
    for (let k = 0; k < times; k++) {
      const m = matrix(path.join(dir, 'ban', area, `iter-${k}.npy`));
      const side = JSON.parse(fs.readFileSync(path.join(dir, 'ban', area, `iter-${k}.json`), 'utf8')) as Record<string, unknown>;
      t.is(m.rows, 18);
      t.deepEqual(side.shape, [18, m.cols]);
      t.like(side, { model: 'ban', checkpoint: 'best', area, iteration: k, rate: 1 / 1.5, pca: null });
    }
  }
  t.like(JSON.parse(fs.readFileSync(path.join(dir, 'features.json'), 'utf8')), { model: 'ban', checkpoint: 'best' });
  const store = openFeatureStore(dir);
  t.is(store.spaces.length, 8);
  t.deepEqual(
    store.clipIds,
    stim.map((r) => r.stim_id),
  );
});

test('values equal the activations of the reloaded best checkpoint; recurrent iterations differ', async (t) => {
  const dir = await best;
  const { initBackend } = await import('../../src/models/backend.js');
  const { readCheckpoint } = await import('../../src/models/checkpoint.js');
  const { modelActivations, stimulusFromAudio } = await import('../../src/models/activations.js');
  const { readWav } = await import('../../src/io/wav.js');
  await initBackend('wasm');
  const { model } = readCheckpoint(path.join(trainDir, 'checkpoints', 'best'));
  const mel = melOptions(modelStagesFileSchema.parse(TINY).model);
  const stims = readTsv(path.join(STIM, 'stimuli.tsv')).rows.map((r) => {
    const w = readWav(path.join(STUDY, r.path));
    return stimulusFromAudio(r.stim_id, w.channels[0], w.sampleRate, mel);
  });
  const spaces = modelActivations(model, stims, { rate: 1 / 1.5 });
  t.is(spaces.length, 8);
  for (const s of spaces) {
    const [area, k] = s.name.split('.');
    const m = matrix(path.join(dir, 'ban', area, `iter-${k}.npy`));
    const expected = new Float32Array(m.rows * m.cols);
    let o = 0;
    for (const st of s.stimuli) {
      expected.set(st.data, o);
      o += st.data.length;
    }
    t.deepEqual(m.data, expected, s.name);
  }
  for (const [area, times] of AREAS.filter(([, n]) => n > 1)) {
    const a = matrix(path.join(dir, 'ban', area, 'iter-0.npy')).data;
    const b = matrix(path.join(dir, 'ban', area, `iter-${times - 1}.npy`)).data;
    let diff = 0,
      norm = 0;
    for (let i = 0; i < a.length; i++) {
      diff += (a[i] - b[i]) ** 2;
      norm += a[i] ** 2;
    }
    t.true(diff / norm > 1e-3, `${area}: relative squared difference between first and last iteration ${diff / norm}`);
  }
});

test('--checkpoint all: one complete feature folder per saved epoch; training changes the features', async (t) => {
  const dir = await features('all', ['--model', TRAIN_STAMP, '--stimuli', STIM, '--checkpoint', 'all']);
  const eps = fs
    .readdirSync(dir)
    .filter((d) => /^epoch-/.test(d))
    .sort();
  t.deepEqual(eps, ['epoch-0000', 'epoch-0002', 'epoch-0004']);
  for (const e of eps) {
    const store = openFeatureStore(path.join(dir, e));
    t.is(store.spaces.length, 8);
    t.is((JSON.parse(fs.readFileSync(path.join(dir, e, 'features.json'), 'utf8')) as { checkpoint: string }).checkpoint, e);
  }
  const a = matrix(path.join(dir, 'epoch-0000', 'ban', 't', 'iter-1.npy')).data;
  const b = matrix(path.join(dir, 'epoch-0004', 'ban', 't', 'iter-1.npy')).data;
  t.notDeepEqual(a, b);
});

test('random-weight baselines: BAN keeps every iteration, the CNN one per area (here at 4 Hz: 12 rows per 3-s clip); same seed same bytes, new seed new weights', async (t) => {
  const [ban1, ban1b, ban2, cnn] = await Promise.all([
    features('rban1', ['--baseline', 'random-ban', '--stimuli', STIM, '--seed', '1']),
    features('rban1b', ['--baseline', 'random-ban', '--stimuli', STIM, '--seed', '1'], path.join(tmp, 'deriv2')),
    features('rban2', ['--baseline', 'random-ban', '--stimuli', STIM, '--seed', '2']),
    features('cnn', ['--baseline', 'cnn-random', '--model', TRAIN_STAMP, '--stimuli', STIM, '--rate', '4']),
  ]);
  for (const [area, times] of AREAS) t.is(fs.readdirSync(path.join(ban1, 'random-ban', area)).filter((f) => f.endsWith('.npy')).length, times);
  for (const [area] of AREAS)
    t.deepEqual(
      fs.readdirSync(path.join(cnn, 'cnn-random', area)).filter((f) => f.endsWith('.npy')),
      ['iter-0.npy'],
    );
  // At an EEG-like 4 Hz: floor(3 s × 4) = 12 rows per clip.
  t.true(readTsv(path.join(cnn, 'stimuli.tsv')).rows.every((r) => Number(r.n_rows) === 12));
  t.is(matrix(path.join(cnn, 'cnn-random', 't', 'iter-0.npy')).rows, 9 * 12);
  t.not(ban1b, ban1, 'computed twice, in two derivatives roots');
  const f = (d: string) => fs.readFileSync(path.join(d, 'random-ban', 'pb', 'iter-2.npy'));
  t.true(f(ban1).equals(f(ban1b)));
  t.false(f(ban1).equals(f(ban2)));
});

/** A GTZAN-layout folder of planted sounds: steady tones at 300 Hz, 1 kHz and 3 kHz, and the 1 kHz tone amplitude-modulated (depth 0.5) at 4 or 16 Hz. */
function plantedSounds(root: string): void {
  const make = (genre: string, fn: (tt: number) => number): void => {
    fs.mkdirSync(path.join(root, genre), { recursive: true });
    const x = new Float32Array(2 * SR);
    for (let n = 0; n < x.length; n++) x[n] = fn(n / SR);
    writeWav(path.join(root, genre, `${genre}.00000.wav`), x, SR);
  };
  make('am04', (tt) => 0.3 * (1 + 0.5 * Math.sin(2 * Math.PI * 4 * tt)) * Math.sin(2 * Math.PI * 1000 * tt));
  make('am16', (tt) => 0.3 * (1 + 0.5 * Math.sin(2 * Math.PI * 16 * tt)) * Math.sin(2 * Math.PI * 1000 * tt));
  make('tone0300', (tt) => 0.3 * Math.sin(2 * Math.PI * 300 * tt));
  make('tone1000', (tt) => 0.3 * Math.sin(2 * Math.PI * 1000 * tt));
  make('tone3000', (tt) => 0.3 * Math.sin(2 * Math.PI * 3000 * tt));
}

/** Slaney mel scale (librosa's default), written out independently of src/signal/mel.ts. */
const hzToMel = (f: number): number => (f < 1000 ? (3 * f) / 200 : 15 + Math.log(f / 1000) / (Math.log(6.4) / 27));
const melToHz = (m: number): number => (m < 15 ? (200 * m) / 3 : 1000 * Math.exp((Math.log(6.4) / 27) * (m - 15)));

test('log-mel baseline: every mel band a column; a steady tone peaks in the band centred nearest its frequency', async (t) => {
  const root = path.join(tmp, 'planted');
  plantedSounds(root);
  const dir = await features('logmel', ['--baseline', 'logmel', '--stimuli', root, '--rate', '2']);
  const m = matrix(path.join(dir, 'logmel', 'logmel', 'iter-0.npy'));
  const nMels = TINY.model.nMels;
  t.is(m.cols, nMels);
  const idx = readTsv(path.join(dir, 'stimuli.tsv')).rows;
  t.deepEqual(
    idx.map((r) => r.stim_id),
    ['am04.00000', 'am16.00000', 'tone0300.00000', 'tone1000.00000', 'tone3000.00000'],
  );
  const centres = Array.from({ length: nMels }, (_, i) => melToHz(((i + 1) * hzToMel(SR / 2)) / (nMels + 1)));
  for (const [id, f] of [
    ['tone0300.00000', 300],
    ['tone3000.00000', 3000],
  ] as const) {
    const r = defined(
      idx.find((x) => x.stim_id === id),
      'the stimuli.tsv row of the clip',
    );
    const nearest = centres.reduce((b, c, i) => (Math.abs(c - f) < Math.abs(centres[b] - f) ? i : b), 0);
    for (let k = 0; k < Number(r.n_rows); k++) {
      const row = Array.from(m.data.subarray((Number(r.row_start) + k) * nMels, (Number(r.row_start) + k + 1) * nMels));
      const peak = row.indexOf(Math.max(...row));
      t.true(Math.abs(peak - nearest) <= 1, `${id} row ${k}: peak band ${peak}, nearest centre band ${nearest}`);
    }
  }
});

test('flat baseline: the log-mel, byte for byte, in every BAN area (a1, belt, pb, t), one iteration each; encode reads it as four areas', async (t) => {
  const [flat, logmel] = await Promise.all([
    features('flat', ['--baseline', 'flat', '--stimuli', STIM, '--rate', '2']),
    features('logmel-2hz', ['--baseline', 'logmel', '--stimuli', STIM, '--rate', '2']),
  ]);
  const ref = fs.readFileSync(path.join(logmel, 'logmel', 'logmel', 'iter-0.npy'));
  t.deepEqual(fs.readdirSync(path.join(flat, 'flat')).sort(), ['a1', 'belt', 'pb', 't']);
  for (const area of ['a1', 'belt', 'pb', 't']) {
    t.deepEqual(
      fs.readdirSync(path.join(flat, 'flat', area)).filter((f) => f.endsWith('.npy')),
      ['iter-0.npy'],
    );
    t.true(fs.readFileSync(path.join(flat, 'flat', area, 'iter-0.npy')).equals(ref), `${area} differs from the log-mel`);
  }
  const store = openFeatureStore(flat);
  t.deepEqual([...new Set(store.spaces.map((s) => s.area))].sort(), ['a1', 'belt', 'pb', 't']);
});

test('stm baseline: 4 Hz amplitude modulation adds most energy to the 4 Hz rate channels, 16 Hz modulation to the 16 Hz ones', async (t) => {
  const root = path.join(tmp, 'planted-stm');
  plantedSounds(root);
  const dir = await features('stm', ['--baseline', 'stm', '--stimuli', root, '--rate', '1']);
  const m = matrix(path.join(dir, 'stm', 'stm', 'iter-0.npy'));
  // Channels (rate, scale, direction) with 4 rates × 4 scales × 2 directions; features = channels × 4 bins.
  const bins = 4;
  t.is(m.cols, 4 * 4 * 2 * bins);
  const idx = readTsv(path.join(dir, 'stimuli.tsv')).rows;
  const energy = (id: string, rateIndex: number): number => {
    const r = defined(
      idx.find((x) => x.stim_id === id),
      'the stimuli.tsv row of the clip',
    );
    let s = 0;
    for (let k = 0; k < Number(r.n_rows); k++) {
      for (let c = rateIndex * 8; c < (rateIndex + 1) * 8; c++) {
        for (let b = 0; b < bins; b++) s += m.data[(Number(r.row_start) + k) * m.cols + c * bins + b];
      }
    }
    return s;
  };
  // Energy added by the modulation, over the steady 1 kHz tone, per rate (2, 4, 8, 16 Hz).
  const excess = (id: string): number[] => [0, 1, 2, 3].map((r) => energy(id, r) - energy('tone1000.00000', r));
  const e4 = excess('am04.00000');
  const e16 = excess('am16.00000');
  t.log(`excess energy per rate 2/4/8/16 Hz: AM 4 Hz ${e4.map((v) => v.toFixed(0)).join(' ')}; AM 16 Hz ${e16.map((v) => v.toFixed(0)).join(' ')}`);
  t.is(e4.indexOf(Math.max(...e4)), 1);
  t.is(e16.indexOf(Math.max(...e16)), 3);
});

test('PCA is fitted on training clips only: replacing a test clip leaves the training rows unchanged, replacing a training clip does not', async (t) => {
  const split = readTsv(path.join(trainDir, 'split.tsv')).rows;
  const testClip = defined(
    split.find((r) => r.split === 'test' && r.genre === 'metal'),
    'a metal test clip in split.tsv',
  ).stim_id;
  const trainClip = defined(
    split.find((r) => r.split === 'train' && r.genre === 'metal'),
    'a metal training clip in split.tsv',
  ).stim_id;
  const donor = defined(
    split.find((r) => r.genre === 'classical'),
    'a classical clip in split.tsv',
  ).stim_id;
  const variant = (name: string, replaced: string): string => {
    const d = path.join(tmp, name, 'stimuli');
    fs.cpSync(STIM, d, { recursive: true });
    fs.copyFileSync(path.join(STIM, 'classical', `${donor}.wav`), path.join(d, 'metal', `${replaced}.wav`));
    return d;
  };
  const [base, testChanged, trainChanged] = await Promise.all([
    features('pca', ['--model', TRAIN_STAMP, '--stimuli', STIM, '--pca', '3']),
    features('pca-test', ['--model', TRAIN_STAMP, '--stimuli', variant('v-test', testClip), '--pca', '3']),
    features('pca-train', ['--model', TRAIN_STAMP, '--stimuli', variant('v-train', trainClip), '--pca', '3']),
  ]);
  const idx = readTsv(path.join(base, 'stimuli.tsv')).rows;
  const trainIds = new Set(split.filter((r) => r.split === 'train').map((r) => r.stim_id));
  const rowsOf = (d: string, ids: (id: string) => boolean): number[] => {
    const m = matrix(path.join(d, 'ban', 't', 'iter-1.npy'));
    const out: number[] = [];
    for (const r of idx.filter((x) => ids(x.stim_id)))
      for (let k = 0; k < Number(r.n_rows); k++) out.push(...m.data.subarray((Number(r.row_start) + k) * m.cols, (Number(r.row_start) + k + 1) * m.cols));
    return out;
  };
  const side = JSON.parse(fs.readFileSync(path.join(base, 'ban', 't', 'iter-1.json'), 'utf8')) as {
    shape: number[];
    pca: { components: number; explained_variance: number[] };
  };
  t.is(side.shape[1], 3);
  t.is(side.pca.components, 3);
  const isTrain = (id: string): boolean => trainIds.has(id);
  t.deepEqual(rowsOf(testChanged, isTrain), rowsOf(base, isTrain), 'training rows identical after a test clip changed');
  t.notDeepEqual(
    rowsOf(testChanged, (id) => id === testClip),
    rowsOf(base, (id) => id === testClip),
    'the changed test clip itself changed',
  );
  const others = (id: string): boolean => isTrain(id) && id !== trainClip;
  t.notDeepEqual(rowsOf(trainChanged, others), rowsOf(base, others), 'a changed training clip moves the basis');
  // Centred on the training rows: each component averages to 0 over them.
  const tr = rowsOf(base, isTrain);
  for (let j = 0; j < 3; j++) {
    let s = 0,
      ss = 0;
    for (let i = j; i < tr.length; i += 3) {
      s += tr[i];
      ss += tr[i] ** 2;
    }
    const n = tr.length / 3;
    t.true(Math.abs(s / n) < 1e-4 * Math.sqrt(ss / n) + 1e-6, `component ${j} mean ${s / n}`);
  }
});

test('--pca without --model fits on the clips of the fMRI training runs (stimuli.tsv fmri_set = train): centred on them', async (t) => {
  const dir = await features('pca-fmri', ['--baseline', 'logmel', '--stimuli', STIM, '--pca', '2']);
  const side = JSON.parse(fs.readFileSync(path.join(dir, 'logmel', 'logmel', 'iter-0.json'), 'utf8')) as { pca: { components: number; fitted_on: string } };
  const fit = readTsv(path.join(STIM, 'stimuli.tsv'))
    .rows.filter((r) => r.fmri_set === 'train')
    .map((r) => r.stim_id);
  t.is(side.pca.components, 2);
  t.regex(side.pca.fitted_on, new RegExp(`^${fit.length} stimuli: .*fmri_set = train`));
  const m = matrix(path.join(dir, 'logmel', 'logmel', 'iter-0.npy'));
  const idx = readTsv(path.join(dir, 'stimuli.tsv')).rows;
  for (let j = 0; j < 2; j++) {
    let s = 0,
      ss = 0,
      n = 0;
    for (const r of idx.filter((x) => fit.includes(x.stim_id))) {
      for (let k = 0; k < Number(r.n_rows); k++) {
        const v = m.data[(Number(r.row_start) + k) * 2 + j];
        s += v;
        ss += v * v;
        n++;
      }
    }
    t.true(Math.abs(s / n) < 1e-4 * Math.sqrt(ss / n), `component ${j}: mean ${s / n} over the fit rows`);
  }
});

test('a re-run is up to date; bad options fail in one line', async (t) => {
  await best;
  const again = await cli(['features', '--config', CFG, '--out', D, '--model', TRAIN_STAMP, '--stimuli', STIM]);
  t.regex(again.stdout, /features: up to date/);
  const bad = await cli(['features', '--config', CFG, '--out', D, '--model', TRAIN_STAMP, '--stimuli', STIM, '--checkpoint', 'epoch-7']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--checkpoint: .*has no checkpoint epoch-7 \(saved: epoch-0000, epoch-0002, epoch-0004\)/);
  const none = await cli(['features', '--config', CFG, '--out', D, '--stimuli', STIM]);
  t.is(none.code, 2);
  t.regex(none.stderr, /give --model/);
});

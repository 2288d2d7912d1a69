/**
 * ds003720 + GTZAN without hand conversion, on a replica with the published
 * metadata (test/helpers/ds003720-replica.ts): `data verify` names what is
 * missing and how to get it, `data prepare` cuts the excerpts and maps runs as
 * the dataset describes, and the features and encode stages run on the view
 * and recover the planted response.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTsv } from '../../src/io/tsv.js';
import { readStamp } from '../../src/pipeline/stage.js';
import { loadNifti } from '../../src/io/nifti.js';
import { REPO, runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { pyArgs as py } from '../helpers/python.js';
import { buildReplica, isDriven, N_VOX, TR, TRACK_SAMPLES, type Replica } from '../helpers/ds003720-replica.js';

const dir = tmpDir('ba-ds003720-');
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));
const D = path.join(dir, 'derivatives');
const VIEW = path.join(D, 'input', 'ds003720');
let replica: Replica;
let view = '';

test.before(() => {
  replica = buildReplica(dir, { trainRuns: 3 });
  const r = runCli([
    'data',
    'prepare',
    path.join(REPO, 'data-manifests', 'ds003720.json'),
    replica.root,
    '--gtzan',
    replica.gtzan,
    '--out',
    D,
    '--link',
    VIEW,
    '--stamp',
    path.join(D, 'stamps', 'input.json'),
    '--quiet',
  ]);
  if (r.code !== 0) throw new Error(`data prepare failed: ${r.stderr}`);
  view = readStamp(path.join(D, 'stamps', 'input.json')).dir;
});

test('data verify on the replica: exit 2, the missing and undersized BOLD runs listed with the manifest’s `datalad get` step', (t) => {
  const r = runCli(['data', 'verify', path.join(REPO, 'data-manifests', 'ds003720.json'), replica.root]);
  t.is(r.code, 2);
  t.regex(r.stdout, /count\s+sub-00\{1,2,3,4,5\}\/func\/sub-00\?_task-Training_run-\{01,.*\}_bold\.nii\s+3 file\(s\) match, expected 60/);
  t.regex(r.stdout, /size\s+sub-001\/func\/sub-001_task-Training_run-01_bold\.nii\s+size \d+ B, expected 513884512 B/);
  t.regex(r.stdout, /to get what is missing:\n {2}cd ds003720 && datalad get sub-001\/func\/sub-001_task-Training_run-01_bold\.nii\n/);
  t.regex(r.stdout, /\n {2}cd ds003720 && datalad get sub-00\*\/func\/\*_bold\.nii\n/);
  t.regex(r.stdout, /\n {2}cd ds003720 && datalad get sub-00\*\/anat\/\n/);
  // The events' columns are the published ones, so no "columns" problem is reported.
  t.notRegex(r.stdout, /^columns/m);
  t.regex(r.stderr, /^brainalign: .*ds003720: \d+ problem\(s\) against .*ds003720\.json\n$/);
});

test('data verify of the GTZAN manifest on the replica’s partial GTZAN: every genre’s count is short, and the genres.tar.gz step is printed once', (t) => {
  const r = runCli(['data', 'verify', path.join(REPO, 'data-manifests', 'gtzan.json'), replica.gtzan]);
  t.is(r.code, 2);
  for (const g of ['blues', 'jazz', 'rock']) t.regex(r.stdout, new RegExp(`count\\s+${g}/${g}\\.000.*\\{au,wav\\}\\s+\\d+ file\\(s\\) match, expected 100`));
  t.is(r.stdout.split('wget http://opihi.cs.uvic.ca/sound/genres.tar.gz').length - 1, 1);
});

test('the view: one WAV per distinct excerpt, test clips marked from the test runs, the link and stamp point at the artifact', (t) => {
  t.is(fs.realpathSync(VIEW), fs.realpathSync(view));
  const st = readTsv(path.join(view, 'stimuli', 'stimuli.tsv'));
  const ids = st.rows.map((r) => r.stim_id);
  t.is(new Set(ids).size, ids.length);
  // Training run 1: 40 distinct clips + a lead-in that repeats none of them in run 1; test runs: 10 + 10.
  t.is(st.rows.filter((r) => r.fmri_set === 'test').length, 20);
  t.deepEqual(
    st.rows
      .filter((r) => r.fmri_set === 'test')
      .map((r) => r.stim_id)
      .sort(),
    [...replica.testIds].sort(),
  );
  t.true(ids.includes('disco.00009_4210ms'));
  for (const r of st.rows) t.true(fs.existsSync(path.join(view, r.path)), r.path);
  // The published excerpt 14.95–29.95 s of disco 66 runs past the replica's 29.946-s track: zero-padded and reported.
  const late = st.rows.find((r) => r.stim_id === 'disco.00066_14950ms');
  t.is(late?.padded_samples, String(Math.round(14.95 * 22050) + 15 * 22050 - TRACK_SAMPLES));
  t.true(Number(late?.padded_samples) > 0);
});

test('same inputs → same key and byte-identical view files in a second derivatives root', (t) => {
  const D2 = path.join(dir, 'derivatives-2');
  const stamp = path.join(D2, 'stamps', 'input.json');
  const r = runCli([
    'data',
    'prepare',
    path.join(REPO, 'data-manifests', 'ds003720.json'),
    replica.root,
    '--gtzan',
    replica.gtzan,
    '--out',
    D2,
    '--stamp',
    stamp,
    '--quiet',
  ]);
  t.is(r.code, 0, r.stderr);
  const again = readStamp(stamp);
  t.is(again.key, path.basename(view));
  for (const f of [
    'stimuli/stimuli.tsv',
    'stimuli/jazz/jazz.00044_9490ms.wav',
    'sub-001/func/sub-001_task-test_run-03_bold.nii',
    'sub-001/func/sub-001_task-train_run-02_events.tsv',
  ]) {
    t.true(fs.readFileSync(path.join(view, f)).equals(fs.readFileSync(path.join(again.dir, f))), f);
  }
});

test('an excerpt equals numpy’s cut of the sunau-read track: samples [round(start·sr), +15 s), linear 2-s fades, RMS 0.1 (max error < 1e-6)', (t) => {
  const st = readTsv(path.join(view, 'stimuli', 'stimuli.tsv'));
  const row = st.rows.find((r) => r.stim_id === 'hiphop.00053_400ms');
  t.truthy(row);
  if (!row) return;
  const res = py<{ err: number; n: number; rms: number }>(
    `
import sys, sunau, json, numpy as np, scipy.io.wavfile as w
au = sunau.open(sys.argv[1], 'r')
x = np.frombuffer(au.readframes(au.getnframes()), '>i2').astype(np.float64) / 32768
sr, y = w.read(sys.argv[2])
s0 = round(float(sys.argv[3]) * sr); n = round(15 * sr)
e = x[s0:s0 + n].copy()
nf = round(2 * sr)
g = np.arange(nf) / nf
e[:nf] *= g; e[n - nf:] *= g[::-1]
e *= 0.1 / np.sqrt(np.mean(e ** 2))
print(json.dumps({"err": float(np.max(np.abs(e - y))), "n": int(y.size), "rms": float(np.sqrt(np.mean(y.astype(np.float64) ** 2)))}))`,
    path.join(replica.gtzan, 'hiphop', 'hiphop.00053.au'),
    path.join(view, row.path),
    row.start,
  );
  t.is(res.n, 15 * 22050);
  t.true(res.err < 1e-6, `max |error| ${res.err}`);
  t.true(Math.abs(res.rms - 0.1) < 1e-6);
});

test('runs: Training → task-train (same BOLD, stim_id events, lead-in marked); Test → 4 repetition pseudo-runs of 2 × 100 volumes with one shared sequence', (t) => {
  const func = path.join(view, 'sub-001', 'func');
  const names = fs
    .readdirSync(func)
    .filter((f) => f.endsWith('_bold.nii'))
    .sort();
  t.deepEqual(names, [
    ...['01', '02', '03', '04'].map((r) => `sub-001_task-test_run-${r}_bold.nii`),
    ...['01', '02', '03'].map((r) => `sub-001_task-train_run-${r}_bold.nii`),
  ]);
  const src = path.join(replica.root, 'sub-001', 'func', 'sub-001_task-Training_run-01_bold.nii');
  t.deepEqual(fs.readFileSync(path.join(func, 'sub-001_task-train_run-01_bold.nii')), fs.readFileSync(src));
  const ev = readTsv(path.join(func, 'sub-001_task-train_run-01_events.tsv')).rows;
  t.is(ev.length, 41);
  t.deepEqual([ev[0].stim_id, ev[0].lead_in, ev[1].lead_in], ['disco.00009_4210ms', '1', '0']);
  const sidecar = JSON.parse(fs.readFileSync(path.join(func, 'sub-001_task-train_run-01_bold.json'), 'utf8')) as { RepetitionTime: number; TaskName: string };
  t.deepEqual([sidecar.RepetitionTime, sidecar.TaskName], [1.5, 'train']);

  const seqs = ['01', '02', '03', '04'].map((r) => readTsv(path.join(func, `sub-001_task-test_run-${r}_events.tsv`)).rows);
  for (const s of seqs) {
    t.is(s.length, 20);
    t.deepEqual(
      s.map((e) => e.stim_id),
      seqs[0].map((e) => e.stim_id),
    );
    t.deepEqual(
      s.map((e) => Number(e.onset)),
      Array.from({ length: 20 }, (_, i) => i * 15),
    );
  }
  // The published test sequence after its lead-in: rock 32 first, pop 32 last.
  t.deepEqual([seqs[0][0].stim_id, seqs[0][9].stim_id], ['rock.00032_4480ms', 'pop.00032_10700ms']);
  // Pseudo-run 2, volume 100 + t = published test run 2, volume 110 + t, shifted by that block's mean to the common baseline.
  const pseudo = loadNifti(path.join(func, 'sub-001_task-test_run-02_bold.nii'));
  t.deepEqual(pseudo.dims, [6, 6, 4, 200]);
  t.is(pseudo.pixdim[3], TR);
  const raw = loadNifti(path.join(replica.root, 'sub-001', 'func', 'sub-001_task-Test_run-02_bold.nii')).getData();
  const p = pseudo.getData();
  const v = 5;
  const d0 = p[100 * N_VOX + v] - raw[110 * N_VOX + v];
  for (const tt of [1, 17, 99]) t.true(Math.abs(p[(100 + tt) * N_VOX + v] - raw[(110 + tt) * N_VOX + v] - d0) < 1e-3);
});

test('features (log-mel) and encode on the view: planted voxels predicted on the held-out repetitions (median r > 0.5), noise voxels not (|median r| < 0.15)', (t) => {
  const cfg = path.join(dir, 'study.json');
  fs.writeFileSync(
    cfg,
    JSON.stringify({
      features: { tr: TR },
      encode: {
        atlas: {
          dseg: 'derivatives/atlas/sub-{subject}_space-bold_dseg.nii.gz',
          labels: 'derivatives/atlas/sub-{subject}_space-bold_dseg.tsv',
          mask: 'derivatives/atlas/sub-{subject}_space-bold_desc-brain_mask.nii.gz',
        },
        alphas: [1, 10, 100, 1000, 10000, 100000],
        nPerm: 0,
      },
    }),
  );
  const fstamp = path.join(D, 'stamps', 'features-logmel.json');
  const f = runCli(['features', '--baseline', 'logmel', '--stimuli', path.join(VIEW, 'stimuli'), '--config', cfg, '--out', D, '--stamp', fstamp, '--quiet']);
  t.is(f.code, 0, f.stderr);
  const e = runCli([
    'encode',
    '--features',
    fstamp,
    '--bids',
    VIEW,
    '--subject',
    '001',
    '--config',
    cfg,
    '--out',
    D,
    '--stamp',
    path.join(D, 'stamps', 'encode-logmel_sub-001.json'),
    '--quiet',
  ]);
  t.is(e.code, 0, e.stderr);
  const r = loadNifti(path.join(D, 'sub-001', 'func', 'sub-001_task-test_desc-logmelLogmel_r.nii.gz')).getData();
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const driven = median(Array.from(r).filter((_, v) => isDriven(v)));
  const noise = median(Array.from(r).filter((_, v) => !isDriven(v)));
  t.log(`median r: planted ${driven.toFixed(3)}, noise ${noise.toFixed(3)}`);
  t.true(driven > 0.5, `planted voxels: median r ${driven}`);
  t.true(Math.abs(noise) < 0.15, `noise voxels: median r ${noise}`);
  // The ROIs come from the per-subject atlas ({subject} in encode.atlas): every slice-ROI holds planted voxels.
  const roi = readTsv(path.join(D, 'sub-001', 'func', 'sub-001_desc-logmel_roi.tsv')).rows.filter((x) => x.area === 'best');
  t.deepEqual(roi.map((x) => x.roi).sort(), ['A1', 'Belt', 'Parabelt', 'T2/T3']);
  for (const x of roi) t.true(Number(x.median_r) > 0.4, `${x.roi}: median r ${x.median_r}`);
});

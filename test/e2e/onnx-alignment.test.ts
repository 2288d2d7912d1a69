/**
 * An ONNX model in the alignment study (issue 19), on a reduced synthetic
 * mini-study (4 genres × 14 clips × 4 s at 16 kHz, one listener, 12 test
 * clips): a small BAN is trained, and two ONNX models exported from torch are
 * declared in the config — a conv net on the waveform with its performance as
 * a number, a log-mel transformer with its performance in a file. Each goes
 * through features → encode → align → report exactly like BAN. Checked: every
 * ONNX layer is encoded per ROI next to BAN's areas, RSA is computed for each
 * model, the across-model alignment ↔ performance correlation takes the
 * declared performances (3 distinct models), and the report names the ONNX
 * models and their layers.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateStudy, synthConfigSchema } from '../../src/synth/index.js';
import { readTsv, writeTsv } from '../../src/io/tsv.js';
import { pyArgs } from '../helpers/python.js';
import { REPO } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir('ba-onnx-align-');
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));
const STUDY = path.join(tmp, 'study');
const D = path.join(tmp, 'deriv');
const CFG = path.join(tmp, 'alignment.json');
const PERF = path.join(tmp, 'performance.tsv');
const stamp = (n: string): string => path.join(D, 'stamps', `${n}.json`);
const dirOf = (s: string): string => path.resolve(path.dirname(s), (JSON.parse(fs.readFileSync(s, 'utf8')) as { dir: string }).dir);

/** The CLI in a child process without blocking, so independent stages run side by side. */
function cli(args: string[], quiet = true): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import=tsx', path.join(REPO, 'src', 'cli.ts'), ...args, '--out', D, ...(quiet ? ['--quiet'] : [])], { cwd: REPO });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
async function ok(args: string[], quiet = true): Promise<string> {
  const r = await cli(args, quiet);
  if (r.code !== 0) throw new Error(`${args[0]}: ${r.stderr}`);
  return r.stderr;
}

let alignDir = '';
let html = '';
const notices: string[] = [];

test.before(async () => {
  generateStudy(
    synthConfigSchema.parse({
      stimuli: { genres: ['classical', 'metal', 'reggae', 'jazz'], clipsPerGenre: 14, clipSec: 4, sampleRate: 16000 },
      fmri: { subjects: 1, grid: [14, 14, 10], testClips: 12, trainRuns: 4, testRuns: 2, leadOutSec: 12, snrMedian: 1.0, tr: 1.0 },
      eeg: { subjects: 0, control: false, channels: 16, rate: 128 },
      behaviour: { subjects: 3 },
    }),
    7,
    STUDY,
  );
  pyArgs(fs.readFileSync(path.join(REPO, 'test', 'helpers', 'onnx_models.py'), 'utf8'), 'export', tmp);
  writeTsv(
    PERF,
    ['model', 'performance'],
    [
      { model: 'melformer', performance: 0.9 },
      { model: 'other', performance: 0.1 },
    ],
  );
  fs.writeFileSync(
    CFG,
    JSON.stringify({
      model: {
        nMels: 32,
        frames: 32,
        a1Width: 4,
        scale: 2,
        fcHidden: [8],
        mel: { sr: 16000, nFft: 512, hop: 256 },
        areas: [
          { name: 'belt', width: 8, times: 1 },
          { name: 'pb', width: 8, times: 1 },
          { name: 't', width: 8, times: 1 },
        ],
      },
      train: { epochs: 3, batchSize: 8, lr: 0.003, checkpointEvery: 0, patience: 5 },
      features: { tr: 1.0, iterations: 'last' },
      encode: { response: 'hrf', highpassSec: 40, nPerm: 0 },
      align: { nBoot: 200, rsa: { repeats: 2 }, bas: { nBoot: 50, nPerm: 0 } },
      onnx: {
        models: [
          { name: 'convwave', file: path.join(tmp, 'convwave.onnx'), input: { kind: 'waveform', sr: 16000 }, performance: 0.3 },
          {
            name: 'melformer',
            file: path.join(tmp, 'melformer.onnx'),
            input: { kind: 'logmel', sr: 16000, nFft: 512, hop: 256, nMels: 20 },
            layers: ['front', 'embed', 'block'],
            performance: PERF,
          },
        ],
      },
    }),
  );
  const stim = path.join(STUDY, 'stimuli');
  const common = ['--stimuli', stim, '--config', CFG];
  await Promise.all([
    ok(['train', ...common, '--name', 'ban', '--stamp', stamp('train')]).then(() =>
      ok(['features', '--model', stamp('train'), ...common, '--stamp', stamp('features-ban')]),
    ),
    ok(['features', '--onnx', 'convwave', ...common, '--stamp', stamp('features-convwave')], false)
      .then((e) => notices.push(e))
      .then(() => ok(['features', '--model', path.join(tmp, 'melformer.onnx'), ...common, '--stamp', stamp('features-melformer')])),
  ]);
  const models = ['ban', 'convwave', 'melformer'];
  for (const m of models)
    await ok(['encode', '--features', stamp(`features-${m}`), '--bids', STUDY, '--subject', '01', '--config', CFG, '--stamp', stamp(`encode-${m}`)]);
  const encs = models.map((m) => stamp(`encode-${m}`));
  await ok(['align', '--encodings', ...encs, '--models', stamp('train'), '--bids', STUDY, '--config', CFG, '--stamp', stamp('align')]);
  alignDir = dirOf(stamp('align'));
  await ok(['report', '--study', 'alignment', '--inputs', stamp('align'), ...encs, stamp('train'), '--bids', STUDY, '--no-png', '--stamp', stamp('report')]);
  html = fs.readFileSync(path.join(dirOf(stamp('report')), 'reports', 'alignment.html'), 'utf8');
});

test('every ONNX layer with a time axis is encoded per ROI next to BAN’s areas; the pooled head is left out with a notice', (t) => {
  // A trained model's maps carry its checkpoint in the desc (banbest); an ONNX model has none.
  const desc = (m: string): string => (m === 'ban' ? 'banbest' : m);
  const roi = (m: string): Record<string, string>[] => readTsv(path.join(dirOf(stamp(`encode-${m}`)), 'sub-01', 'func', `sub-01_desc-${desc(m)}_roi.tsv`)).rows;
  const areas = (m: string): string[] => [...new Set(roi(m).map((r) => r.area))].sort();
  t.deepEqual(areas('ban'), ['a1', 'belt', 'best', 'pb', 't']);
  t.deepEqual(areas('convwave'), ['000-conv1', '001-act1', '002-conv2', '003-act2', 'best']);
  t.deepEqual(areas('melformer'), ['003-front', '017-embed', '078-block', 'best']);
  t.regex(notices.join(''), /convwave: 1 of 5 layers are not time courses and are left out: logits/);
  for (const m of ['convwave', 'melformer']) {
    const rows = roi(m).filter((r) => r.roi !== 'Control');
    t.true(
      rows.every((r) => Number.isFinite(Number(r.median_r))),
      `${m}: every layer × ROI has a median r`,
    );
  }
});

test('alignment and RSA for all three models; alignment ↔ performance takes the declared performances (number and file) across 3 distinct models', (t) => {
  const rows = readTsv(path.join(alignDir, 'alignment.tsv')).rows;
  t.deepEqual(
    rows.map((r) => r.model),
    ['ban', 'convwave', 'melformer'],
  );
  const perf = Object.fromEntries(rows.map((r) => [r.model, r.performance]));
  t.log(rows.map((r) => `${r.model}: alignment ${Number(r.alignment).toFixed(3)}, rsa ${Number(r.rsa).toFixed(3)}, performance ${r.performance}`).join('; '));
  t.is(perf.convwave, '0.3');
  t.is(perf.melformer, '0.9');
  t.true(Number(perf.ban) >= 0 && Number(perf.ban) <= 1);
  t.true(rows.every((r) => Number.isFinite(Number(r.alignment)) && Number.isFinite(Number(r.rsa))));
  const rsa = readTsv(path.join(alignDir, 'rsa.tsv')).rows;
  t.deepEqual([...new Set(rsa.map((r) => r.model))].sort(), ['ban', 'convwave', 'melformer']);
  const across = readTsv(path.join(alignDir, 'alignment_vs_performance.tsv')).rows.filter((r) => r.scope === 'across-models');
  t.deepEqual(across.map((r) => `${r.measure}:${r.n}`).sort(), ['encoding:3', 'rsa:3']);
});

test('the report shows the ONNX models and their layers next to BAN', (t) => {
  for (const s of ['convwave', 'melformer', '003-act2', '078-block']) t.true(html.includes(s), s);
});

/**
 * The three studies end to end, as a user runs them: `make` on a reduced
 * mini-study (sizes from test/fixtures/e2e/*.json), then the planted-truth
 * checks on the final tables. This is the slowest test (a few minutes on two
 * cores); everything it runs is also covered piecewise by faster tests.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readTsv } from '../../src/io/tsv.js';
import { readStamp } from '../../src/pipeline/stage.js';
import { REPO } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const FIX = 'test/fixtures/e2e';

test('make runs the three studies on a reduced mini-study and recovers the planted truth', (t) => {
  const dir = tmpDir('brainalign-e2e-');
  // BRAINALIGN_E2E_KEEP=1 keeps the study and derivatives for inspection.
  if (process.env.BRAINALIGN_E2E_KEEP !== '1') t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  else t.log(`kept ${dir}`);
  const D = path.join(dir, 'derivatives', 'brainalign');
  const vars = [
    `D=${D}`,
    `STUDY=${path.join(dir, 'mini-study')}`,
    `SYNTH_CFG=${FIX}/mini-study.json`,
    `BANBAS_CFG=${FIX}/ban-bas.json`,
    `ALIGN_CFG=${FIX}/alignment.json`,
    `EEG_CFG=${FIX}/eeg-identification.json`,
    'FMRI_SUBJECTS=01 02',
    'EEG_SUBJECTS=01 02 03',
    'ALIGN_TRAINED=ban',
    'ALIGN_BASELINES=logmel',
    'QUIET=--quiet',
  ];
  const r = spawnSync('make', ['-C', REPO, '-j2', 'studies', ...vars], { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 15 * 60_000 });
  t.is(r.status, 0, `make failed:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  if (r.status !== 0) return;
  const art = (stamp: string) => readStamp(path.join(D, 'stamps', stamp)).dir;

  // BAN recognises genres above chance on held-out clips (exact binomial test).
  const summary = JSON.parse(fs.readFileSync(path.join(art('train-ban.json'), 'eval', 'summary.json'), 'utf8')) as {
    clip_accuracy: number;
    chance: number;
    clip_binomial_p: number;
  };
  t.true(summary.clip_accuracy > summary.chance, `clip accuracy ${summary.clip_accuracy} vs chance ${summary.chance}`);
  t.true(summary.clip_binomial_p < 0.05, `binomial p ${summary.clip_binomial_p}`);

  // The area→ROI correspondence: the diagonal of the area×ROI matrix beats the off-diagonal,
  // the last area predicts T2/T3 better than the first does and explains more of it than the
  // other areas (positive specificity in s_r), and the first area's score falls from A1 to T2/T3.
  // Which area wins A1 is not asserted: at this reduced size (50 training clips, a few epochs) BAN's
  // middle areas tie with the first there, and the outcome moves with float rounding (wasm vs
  // native kernels). The planted hierarchy itself is checked with planted features in
  // test/scoring/scoring-sr-planted.test.ts; the diagonal-contrast p is .12 here, not < .05.
  const bas = art('bas.json');
  type Pair = { area: string; roi: string; specificity: number };
  const corr = JSON.parse(fs.readFileSync(path.join(bas, 'correspondence.json'), 'utf8')) as Record<
    string,
    { correspondence: { contrast: number; p: number }; pairScores: Pair[] }
  >;
  const group = Object.values(corr)[0];
  const c = group.correspondence;
  t.true(c.contrast > 0, `correspondence contrast ${c.contrast} (p ${c.p})`);
  const rows = readTsv(path.join(bas, 'area_roi.tsv')).rows;
  const cell = (area: string, roi: string, col = 'r_norm') => Number(rows.find((x) => x.area === area && x.roi === roi)?.[col]);
  t.true(cell('t', 'T2/T3') > cell('a1', 'T2/T3'), `T2/T3: t ${cell('t', 'T2/T3')} vs a1 ${cell('a1', 'T2/T3')}`);
  t.true(cell('a1', 'A1') > cell('a1', 'T2/T3'), `a1: A1 ${cell('a1', 'A1')} vs T2/T3 ${cell('a1', 'T2/T3')}`);
  const tPair = group.pairScores.find((p) => p.area === 't');
  t.true((tPair?.specificity ?? -1) > 0, `t→T2/T3 specificity ${tPair?.specificity}`);
  for (const [area, roi] of [
    ['a1', 'A1'],
    ['belt', 'Belt'],
    ['pb', 'Parabelt'],
    ['t', 'T2/T3'],
  ]) {
    const own = cell(area, roi, 'median_r');
    const control = cell(area, 'Control', 'median_r');
    t.true(own > control + 0.1, `${area}: own ROI r ${own} vs control ${control}`);
    t.true(Math.abs(control) < 0.1, `${area}: control ROI r ${control} is at null`);
  }
  // s_b is unclipped (a model that errs unlike listeners may go below 0), so BAS is only required to
  // be computed, with s_r inside (0, 1]. At this size (20 test clips, 12 listeners) s_b's interval is
  // too wide to rank models; scripts/bench/ban-sb.ts measures it on the default listeners (docs/bas.md).
  const basRows = readTsv(path.join(bas, 'bas.tsv')).rows;
  const est = (score: string) => Number(basRows.find((x) => x.score === score)?.estimate);
  t.true(est('s_r') > 0 && est('s_r') <= 1, `s_r ${est('s_r')}`);
  t.true(Number.isFinite(est('s_b')) && Number.isFinite(est('bas')), `s_b ${est('s_b')}, BAS ${est('bas')}`);

  // Alignment study: every model gets s_r with a bootstrap CI, the one-area log-mel baseline too (scored
  // as a flat model); the trained network beats it by a paired difference whose CI excludes 0, although
  // the two unpaired intervals overlap at this size (docs/bas.md, ranking).
  const al = art('alignment.json');
  const alRows = readTsv(path.join(al, 'bas.tsv')).rows.filter((x) => x.score === 's_r');
  for (const row of alRows)
    t.true(
      Number(row.ci_lo) <= Number(row.estimate) && Number(row.estimate) <= Number(row.ci_hi),
      `${row.model}@${row.checkpoint}: s_r ${row.estimate} [${row.ci_lo}, ${row.ci_hi}]`,
    );
  t.true(
    alRows.some((x) => x.model === 'logmel'),
    'the log-mel baseline has s_r',
  );
  const diff = readTsv(path.join(al, 's_r_differences.tsv')).rows.find((x) => x.model_a.startsWith('ban') && x.model_b === 'logmel');
  t.true(Number(diff?.ci_lo) > 0, `s_r(ban) − s_r(logmel) = ${diff?.difference} [${diff?.ci_lo}, ${diff?.ci_hi}]`);
  // RSA: the noise-only Control ROI stays at chance for every model; A1 is above it.
  const rsa = readTsv(path.join(al, 'rsa.tsv')).rows;
  for (const row of rsa.filter((x) => x.roi === 'Control')) t.true(Math.abs(Number(row.rsa)) < 0.1, `${row.model}@${row.checkpoint}: Control RSA ${row.rsa}`);
  for (const row of rsa.filter((x) => x.roi === 'A1')) {
    const ctl = rsa.find((x) => x.roi === 'Control' && x.model === row.model && x.checkpoint === row.checkpoint);
    t.true(Number(row.rsa) > Number(ctl?.rsa) + 0.1, `${row.model}@${row.checkpoint}: A1 RSA ${row.rsa} vs Control ${ctl?.rsa}`);
  }

  // Identification: above chance for listeners with a planted response, at chance for the control (sub-03).
  const dec = art('decode-eeg.json');
  const scores = readTsv(path.join(dec, 'group', 'desc-identification_scores.tsv')).rows.filter((x) => x.combine === 'mean');
  const at = (sub: string) => scores.filter((x) => x.subject === `sub-${sub}`);
  for (const sub of ['01', '02']) {
    const hits = at(sub).filter((x) => Number(x.p_perm) < 0.05 && Number(x.top1) > Number(x.chance));
    t.true(hits.length > 0, `sub-${sub} identifies songs above chance with some decoder`);
  }
  // The control carries no response: no decoder, split or window beats chance after Bonferroni.
  const control = at('03');
  t.true(control.length > 0 && control.every((x) => Number(x.p_perm) > 0.05 / control.length), 'the control listener stays at chance');

  // Every study wrote its report.
  for (const s of ['ban-bas', 'alignment', 'eeg-identification']) {
    const rep = art(`report-${s}.json`);
    t.true(
      fs.readdirSync(rep, { recursive: true }).some((f) => String(f).endsWith('.html')),
      `${s} report`,
    );
  }
});

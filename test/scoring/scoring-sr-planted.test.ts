/**
 * s_r on encodings of the synthetic study (docs/bas.md, "expected values"):
 * the PLANTED feature spaces as the model's areas (a1 = low-level → A1,
 * belt / pb = the mid-level columns Belt / Parabelt weight most, t =
 * abstract → T2/T3) against a FLAT model whose every area holds all four
 * planted spaces side by side. The flat model can predict every ROI, but no
 * area is specific to its ROI, so its specificity is 0 and its s_r is half
 * its level; the hierarchy keeps both terms. Measured (seed 11): planted s_r
 * 0.636 (level 0.815, specificity 0.458), flat 0.345 (level 0.690, 0.000).
 * Size: 4 genres × 10 clips × 4 s at 16 kHz, TR 1 s, 2 subjects, 3 training +
 * 2 test runs, 14×14×10 grid; HRF regressors, no permutations.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/core/prng.js';
import { generateStudy, synthConfigSchema } from '../../src/synth/index.js';
import { readEncodings, pooledAreaRoiInput, resolvePairNames, type LoadedEncoding } from '../../src/scoring/align.js';
import { bootstrapNeuralScore, computeBas, neuralScore, pairedDifference } from '../../src/scoring/bas.js';
import type { BehaviourInput } from '../../src/scoring/behaviour.js';
import { correspondenceTest } from '../../src/scoring/correspondence.js';
import { DEFAULT_ALIGN_PAIRS } from '../../src/scoring/config.js';
import { plantedFeatures } from '../helpers/planted-features.js';
import { runCli } from '../helpers/cli.js';

process.env.BRAINALIGN_TEST_SOURCES = '1';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-planted-'));
const STUDY = path.join(tmp, 'study');
const D = path.join(tmp, 'deriv');
const synthCfg = synthConfigSchema.parse({
  stimuli: { genres: ['classical', 'metal', 'reggae', 'jazz'], clipsPerGenre: 10, clipSec: 4, sampleRate: 16000 },
  fmri: { subjects: 2, grid: [14, 14, 10], testClips: 10, trainRuns: 3, testRuns: 2, leadOutSec: 12, snrMedian: 1.0, tr: 1.0 },
  eeg: { subjects: 0, control: false, channels: 16, rate: 128 },
  behaviour: { subjects: 2 },
});
const encs = new Map<string, LoadedEncoding[]>();

test.before(async () => {
  generateStudy(synthCfg, 11, STUDY);
  const features = await plantedFeatures(STUDY, D, synthCfg.fmri.tr, {
    models: [
      { name: 'planted', noise: 0 },
      { name: 'flat', noise: 0, flat: true },
    ],
  });
  const cfg = path.join(tmp, 'cfg.json');
  fs.writeFileSync(cfg, JSON.stringify({ encode: { response: 'hrf', highpassSec: 40, nPerm: 0 } }));
  for (const sub of ['01', '02']) {
    const stamp = path.join(D, 'stamps', `encode-${sub}.json`);
    const r = runCli(['encode', '--features', features, '--bids', STUDY, '--subject', sub, '--config', cfg, '--out', D, '--stamp', stamp, '--quiet'], {
      env: { BRAINALIGN_TEST_SOURCES: '1' },
    });
    if (r.code !== 0) throw new Error(r.stderr);
    const dir = path.resolve(path.dirname(stamp), (JSON.parse(fs.readFileSync(stamp, 'utf8')) as { dir: string }).dir);
    for (const e of readEncodings(dir)) encs.set(e.index.model, [...(encs.get(e.index.model) ?? []), e]);
  }
});

test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

function score(model: string): { sR: number; level: number; specificity: number; p: number; perSubject: number[] } {
  const g = encs.get(model) ?? [];
  const inp = pooledAreaRoiInput(g);
  const pairs = resolvePairNames(DEFAULT_ALIGN_PAIRS, inp.areas, inp.rois).map((p) => [inp.areas.indexOf(p.area), inp.rois.indexOf(p.roi)] as [number, number]);
  const s = neuralScore(inp, pairs, { lo: 0, hi: 1 });
  const mean = (f: (p: { level: number; specificity: number }) => number): number => s.detail.pairs.reduce((a, p) => a + f(p), 0) / pairs.length;
  const c = correspondenceTest(inp, pairs, { rng: new Rng(1), nPerm: 99 });
  return { sR: s.sR, level: mean((p) => p.level), specificity: mean((p) => p.specificity), p: c.p, perSubject: s.detail.perSubject.map((x) => x.sR) };
}

test('planted hierarchy vs flat model on the synthetic study: s_r 0.64 vs 0.35 (flat specificity 0, correspondence p 0.01 vs 0.26)', (t) => {
  t.deepEqual([...encs.keys()].sort(), ['flat', 'planted']);
  t.is(encs.get('planted')?.length, 2, 'two subjects');
  const hier = score('planted');
  const flat = score('flat');
  const fmt = (x: ReturnType<typeof score>): string =>
    `s_r ${x.sR.toFixed(3)} (level ${x.level.toFixed(3)}, specificity ${x.specificity.toFixed(3)}; subjects ${x.perSubject.map((v) => v.toFixed(3)).join(', ')}; correspondence p ${x.p.toFixed(2)})`;
  t.log(`planted: ${fmt(hier)}\nflat:    ${fmt(flat)}`);
  // Identical features in every area: each ROI is predicted equally by all areas.
  t.true(Math.abs(flat.specificity) < 0.02, `flat specificity ${flat.specificity}`);
  t.true(flat.p > 0.05, `flat correspondence p ${flat.p}`);
  t.true(hier.specificity > 0.1, `planted specificity ${hier.specificity}`);
  t.true(hier.p <= 0.02, `planted correspondence p ${hier.p}`);
  t.true(hier.sR - flat.sR > 0.1, `planted ${hier.sR} vs flat ${flat.sR}`);
  for (let s = 0; s < 2; s++) t.true(hier.perSubject[s] > flat.perSubject[s], `subject ${s + 1}`);
});

test('the s_r bootstrap resamples subjects and test clips from the stored test predictions; the 95% CIs of planted and flat do not overlap', (t) => {
  // s_b is not the point here: a minimal behaviour input (2 listeners who agree with the model).
  const behaviour: BehaviourInput = {
    nGenres: 2,
    trueGenre: Int32Array.from([0, 1, 0, 1]),
    model: Int32Array.from([0, 1, 0, 1]),
    humans: Int32Array.from([0, 1, 0, 1, 0, 1, 1, 1]),
    nHumans: 2,
  };
  const bas = (model: string) => {
    const inp = pooledAreaRoiInput(encs.get(model) ?? []);
    t.is(inp.timecourses?.length, 2, `${model}: test predictions of both subjects`);
    return computeBas(inp, behaviour, { pairs: resolvePairNames(DEFAULT_ALIGN_PAIRS, inp.areas, inp.rois), nBoot: 200, nPerm: 0 }, new Rng(3));
  };
  const hier = bas('planted');
  const flat = bas('flat');
  t.log(
    `s_r planted ${hier.sR.estimate.toFixed(3)} [${hier.sR.lo.toFixed(3)}, ${hier.sR.hi.toFixed(3)}], flat ${flat.sR.estimate.toFixed(3)} [${flat.sR.lo.toFixed(3)}, ${flat.sR.hi.toFixed(3)}]`,
  );
  t.is(hier.neuralBootstrap, 'subjects and test clips');
  t.true(hier.sR.lo < hier.sR.estimate && hier.sR.estimate < hier.sR.hi && hier.sR.se > 0);
  t.true(flat.sR.hi < hier.sR.lo);
  t.true(Math.abs(hier.sR.estimate - score('planted').sR) < 1e-12);
});

test('paired s_r difference: with one bootstrap stream both models resample the same subjects and clips; planted − flat excludes 0 with a smaller SE than unpaired, a model against itself is exactly 0', (t) => {
  const boot = (model: string) => {
    const inp = pooledAreaRoiInput(encs.get(model) ?? []);
    return bootstrapNeuralScore(inp, { pairs: resolvePairNames(DEFAULT_ALIGN_PAIRS, inp.areas, inp.rois), nBoot: 200 }, new Rng(5, 's_r-bootstrap'));
  };
  const hier = boot('planted');
  const flat = boot('flat');
  const d = pairedDifference(hier.sR.estimate, flat.sR.estimate, hier.sRReplicates, flat.sRReplicates, 0.95);
  const unpairedSe = Math.sqrt(hier.sR.se ** 2 + flat.sR.se ** 2);
  t.log(`planted − flat ${d.estimate.toFixed(3)} [${d.lo.toFixed(3)}, ${d.hi.toFixed(3)}], se ${d.se.toFixed(4)} (unpaired ${unpairedSe.toFixed(4)})`);
  t.true(d.lo > 0, `difference CI [${d.lo}, ${d.hi}]`);
  t.true(d.se < unpairedSe, `paired se ${d.se} vs unpaired ${unpairedSe}`);
  const self = pairedDifference(hier.sR.estimate, hier.sR.estimate, hier.sRReplicates, boot('planted').sRReplicates, 0.95);
  t.deepEqual([self.estimate, self.lo, self.hi, self.se], [0, 0, 0, 0]);
});

/**
 * Cross-validated layer RSA of `align` on a planted fixture: the ROI's clip
 * patterns are a linear map of area x's clip features (plus small noise),
 * area y is unrelated noise. RSA must choose x, score high, not depend on the
 * order in which a subject heard the clips, and report a leave-one-subject-out
 * ceiling with lower ≤ upper.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/core/prng.js';
import { writeNpy } from '../../src/io/npy.js';
import { writeTsv } from '../../src/io/tsv.js';
import { modelRsa, type LoadedEncoding } from '../../src/scoring/align.js';
import type { EncodingIndex } from '../../src/artifacts/encode.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'align-rsa-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

const nClips = 15;
const nFeat = 3;
const nVox = 6;
const ids = Array.from({ length: nClips }, (_, i) => `clip.${String(i).padStart(5, '0')}`);
const rng = new Rng(4, 'rsa-fixture');
const feats = rng.fork('x').normals(nClips * nFeat);
const W = rng.fork('w').normals(nFeat * nVox);

function featureStore(): string {
  const dir = path.join(tmp, 'features');
  writeTsv(
    path.join(dir, 'stimuli.tsv'),
    ['stim_id', 'row_start', 'n_rows', 'duration'],
    ids.map((id, i) => ({ stim_id: id, row_start: i, n_rows: 1, duration: 1 })),
  );
  writeNpy(path.join(dir, 'm', 'x', 'iter-0.npy'), feats, [nClips, nFeat]);
  writeNpy(path.join(dir, 'm', 'y', 'iter-0.npy'), rng.fork('y').normals(nClips * nFeat), [nClips, nFeat]);
  return dir;
}

/** One subject hearing the clips in `order` (indices into ids), clip k of the run at onset 10k s, TR 1 s. */
function subject(label: string, order: number[], featuresDir: string, noise: Rng): LoadedEncoding {
  const nTest = 10 * nClips;
  const testMean = new Float32Array(nTest * nVox);
  order.forEach((c, k) => {
    // Noise drawn per clip, not per time point, so a reordered presentation carries identical patterns.
    const nr = noise.fork(ids[c]);
    for (const t of [10 * k + 4, 10 * k + 5]) {
      for (let v = 0; v < nVox; v++) {
        let s = 0;
        for (let j = 0; j < nFeat; j++) s += feats[c * nFeat + j] * W[j * nVox + v];
        testMean[t * nVox + v] = s + 0.2 * nr.normal();
      }
    }
  });
  const index: EncodingIndex = {
    subject: label,
    task: 'test',
    model: 'm',
    checkpoint: null,
    featuresDir,
    tr: 1,
    areas: ['x', 'y'],
    rois: ['A'],
    nVoxels: nVox,
    maps: [],
    clips: order.map((c, k) => ({ stimId: ids[c], onset: 10 * k, duration: 4 })),
    files: { roi: 'none' },
    predAreas: [],
  };
  return { dir: path.join(tmp, label), index, r: new Float32Array(0), reliability: new Float32Array(nVox), roiOfVoxel: new Int32Array(nVox), testMean, nTest };
}

test('RSA chooses the planted area, scores high, is invariant to presentation order, and has a LOSO ceiling', (t) => {
  const fdir = featureStore();
  const natural = Array.from({ length: nClips }, (_, i) => i);
  const reversed = natural.slice().reverse();
  const opts = {
    metric: 'correlation' as const,
    comparison: 'spearman' as const,
    zscore: true,
    folds: 5,
    repeats: 4,
    response: 'window' as const,
    windowSec: [4, 2] as [number, number],
  };
  const a = modelRsa([subject('01', natural, fdir, new Rng(1, 'n1')), subject('02', natural, fdir, new Rng(1, 'n2'))], ['A'], {
    ...opts,
    rng: new Rng(7, 'rsa'),
  });
  const b = modelRsa([subject('01', natural, fdir, new Rng(1, 'n1')), subject('02', reversed, fdir, new Rng(1, 'n2'))], ['A'], {
    ...opts,
    rng: new Rng(7, 'rsa'),
  });
  t.log(
    `score ${a.score.toFixed(3)}, chosen ${JSON.stringify(a.perRoi.A.chosen)}, ceiling [${a.perRoi.A.ceilingLower?.toFixed(3)}, ${a.perRoi.A.ceilingUpper?.toFixed(3)}]`,
  );
  // Not 1: z-scoring the 6 voxels reweights the 3-feature geometry the linear map carries.
  t.true(a.score > 0.6);
  const cells = (nClips * (nClips - 1)) / 2;
  t.is(a.perRoi.A.nCells, cells);
  t.true((a.perRoi.A.chosen['x/iter-0'] ?? 0) > 0.9 * 2 * opts.repeats * cells);
  // Subject 02 heard the clips in reverse order: indexed by stim id, the result is the same.
  t.is(a.score, b.score);
  const lo = a.perRoi.A.ceilingLower ?? NaN;
  const hi = a.perRoi.A.ceilingUpper ?? NaN;
  t.true(lo <= hi && hi > 0.8);
});

/**
 * RSA on a synthetic study with many test clips (2 listeners × 30 test clips
 * → 435 RDM cells, 20×20×12 grid, default SNR, 8-kHz audio) and the PLANTED feature spaces as the model's areas. The
 * Control ROI holds noise only, so its cross-validated RSA must sit at chance,
 * while A1 (driven by the planted low-level space, area a1) must beat it.
 * Clip patterns are the LSA beta series. Observed: A1 0.35, Control 0.00.
 * The ceiling is reported on the same 435 cells.
 */
test('synthetic study: the noise-only Control ROI is at chance in RSA (permutation p > .05) while A1, Belt, Parabelt and T2/T3 are above it (p = 1/40, the smallest possible), and the ceiling uses the score’s cells', async (t) => {
  const { generateStudy, synthConfigSchema } = await import('../../src/synth/index.js');
  const { plantedFeatures } = await import('../helpers/planted-features.js');
  const { runCli } = await import('../helpers/cli.js');
  const { readEncodings } = await import('../../src/scoring/align.js');
  const study = path.join(tmp, 'study');
  const D = path.join(tmp, 'deriv');
  const synth = synthConfigSchema.parse({
    stimuli: { genres: ['classical', 'metal', 'reggae', 'jazz', 'pop'], clipsPerGenre: 12, clipSec: 4, sampleRate: 8000 },
    fmri: { subjects: 2, grid: [20, 20, 12], testClips: 30, trainRuns: 2, testRuns: 3, leadOutSec: 12, tr: 1.0 },
    eeg: { subjects: 0, control: false, channels: 16, rate: 128 },
    behaviour: { subjects: 2 },
  });
  generateStudy(synth, 11, study);
  const features = await plantedFeatures(study, D, synth.fmri.tr);
  const cfg = path.join(tmp, 'cfg.json');
  fs.writeFileSync(cfg, JSON.stringify({ encode: { response: 'hrf', highpassSec: 40, nPerm: 0, alphas: [1, 100, 1e4] } }));
  const env = { BRAINALIGN_TEST_SOURCES: '1' };
  const encDirs: string[] = [];
  for (const sub of ['01', '02']) {
    const stamp = path.join(D, 'stamps', `enc-${sub}.json`);
    const r = runCli(['encode', '--features', features, '--bids', study, '--subject', sub, '--config', cfg, '--out', D, '--stamp', stamp, '--quiet'], { env });
    t.is(r.code, 0, r.stderr);
    const s = JSON.parse(fs.readFileSync(stamp, 'utf8')) as { dir: string };
    encDirs.push(path.resolve(path.dirname(stamp), s.dir));
  }
  const encs = encDirs.flatMap((d) => readEncodings(d));
  const rois = encs[0].index.rois;
  const res = modelRsa(encs, rois, {
    metric: 'correlation',
    comparison: 'spearman',
    zscore: true,
    folds: 5,
    repeats: 5,
    response: 'glm',
    windowSec: [4, 2],
    rng: new Rng(3, 'rsa'),
    nPerm: 39,
  });
  t.log(
    rois
      .map(
        (r) =>
          `${r} ${res.perRoi[r].score.toFixed(3)} (p ${res.perRoi[r].p?.toFixed(2)}) [ceiling ${res.perRoi[r].ceilingLower?.toFixed(3)}, ${res.perRoi[r].ceilingUpper?.toFixed(3)}]`,
      )
      .join('; '),
  );
  // Stimulus-permutation test (39 draws, smallest p 1/40): every auditory ROI above chance, the noise-only Control not.
  for (const r of ['A1', 'Belt', 'Parabelt', 'T2/T3']) t.true((res.perRoi[r].p ?? 1) <= 0.025, `${r}: p ${res.perRoi[r].p}`);
  t.true((res.perRoi.Control.p ?? 0) > 0.05, `Control: p ${res.perRoi.Control.p}`);
  const a1 = res.perRoi.A1;
  const control = res.perRoi.Control;
  t.is(a1.nCells, 435);
  t.is(control.nCells, 435);
  t.true(Math.abs(control.score) < 0.05, `Control ${control.score}`);
  t.true(a1.score > control.score + 0.1, `A1 ${a1.score} vs Control ${control.score}`);
  // Control voxels share no stimulus signal across listeners: their RDMs agree only by chance.
  t.true(Math.abs(control.ceilingLower ?? NaN) < 0.05);
  t.true((a1.ceilingLower ?? NaN) > 0.05);
});

/**
 * `brainalign align` on a hand-made fixture whose BAS can be worked out on
 * paper (docs/bas.md definitions):
 *
 * Neural: 6 voxels of one subject, A1 = voxels 0–2 (reliability 0.64 → ceiling 0.8), Belt =
 * voxels 3–5 (reliability 0.81 → ceiling 0.9).
 *   area a1 r = [.4 .5 .6 | .1 .2 .3]   → area_roi.tsv: A1 median .5 /.8 = .625,   Belt .2/.9
 *   area belt r = [.1 .2 .15 | .7 .6 .8] → area_roi.tsv: A1 median .15/.8,          Belt .7/.9 = .7778
 *   s_r cells, median r²/ρ: a1 in A1 .25/.64 = .390625, belt in A1 .0225/.64 = .035156,
 *   belt in Belt .49/.81 = .604938, a1 in Belt .04/.81 = .049383;
 *   pair a1→A1: ½(.390625 + (.390625 − .035156)) = .373047; pair belt→Belt: ½(.49 + .45)/.81 = .580247;
 *   s_r = .476647 (pairs a1→A1, belt→Belt, given as 'A1'/'BELT').
 * Behaviour: 4 clips (metal, metal, rock, rock); listeners
 *   h1 = M R R M, h2 = M R R R, h3 = M M R M; the model's softmax P(true genre) = .9 .6 .8 .5
 *   (so it chooses M M R R). With 2 genres the error profile is 1 − the difficulty profile.
 *   Listeners' share correct per clip 1, 1/3, 1, 1/3 → r_D(m,H) = r([.9 .6 .8 .5], [1 ⅓ 1 ⅓]) = .948683.
 *   Split halves (all 3): {h1}|{h2,h3} r = 1; {h2}|{h1,h3} and {h3}|{h1,h2} r = .174078 → mean .449385;
 *   √(ρ1 · 2ρ1/(1+ρ1)) = .449385 → ρ1 = .372236, ρ_3 = 3ρ1/(1+2ρ1) = .640141.
 *   s_b = r_D/√ρ_3 = 1.185724 (numbers from numpy/scipy);  BAS = (s_r + s_b)/2 = .831186.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeNpy } from '../../src/io/npy.js';
import { readTsv, writeTsv } from '../../src/io/tsv.js';
import { runCli } from '../helpers/cli.js';
import { alignFixture, type AlignFixture } from '../helpers/align-fixture.js';

process.env.BRAINALIGN_TEST_SOURCES = '1';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'align-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

const fixture = (name: string): AlignFixture => alignFixture(tmp, name);

test('BAS on the fixture equals the hand computation: s_r .476647, s_b 1.185724, BAS .831186; CIs bracket the estimates', (t) => {
  const f = fixture('hand');
  const D = path.join(tmp, 'deriv');
  const r = runCli(['align', '--encodings', f.enc, '--models', f.train, '--bids', f.bids, '--config', f.cfg, '--out', D, '--quiet'], {
    env: { BRAINALIGN_TEST_SOURCES: '1' },
  });
  t.is(r.code, 0, r.stderr);
  const key = /\(([0-9a-f]{16})\)/.exec(r.stdout)?.[1] ?? '';
  const dir = path.join(D, 'artifacts', 'align', key);
  const rows = readTsv(path.join(dir, 'bas.tsv')).rows;
  const get = (s: string): Record<string, string> => rows.find((x) => x.score === s) ?? {};
  const sR = ((0.25 / 0.64 + (0.25 / 0.64 - 0.0225 / 0.64)) / 2 + 0.47 / 0.81) / 2;
  const sB = 1.1857238;
  t.true(Math.abs(Number(get('s_r').estimate) - sR) < 1e-5, `s_r ${get('s_r').estimate}`);
  t.true(Math.abs(Number(get('s_b').estimate) - sB) < 1e-5, `s_b ${get('s_b').estimate}`);
  t.true(Math.abs(Number(get('bas').estimate) - (sR + sB) / 2) < 1e-5, `bas ${get('bas').estimate}`);
  for (const s of ['s_r', 's_b', 'bas'])
    t.true(Number(get(s).ci_lo) <= Number(get(s).estimate) + 1e-9 && Number(get(s).estimate) <= Number(get(s).ci_hi) + 1e-9);
  const ar = readTsv(path.join(dir, 'area_roi.tsv')).rows;
  const cell = (a: string, roi: string): number => Number(ar.find((x) => x.area === a && x.roi === roi)?.r_norm);
  t.true(Math.abs(cell('a1', 'Belt') - 0.2 / 0.9) < 1e-5);
  t.true(Math.abs(cell('belt', 'A1') - 0.15 / 0.8) < 1e-5);
  const corr = JSON.parse(fs.readFileSync(path.join(dir, 'correspondence.json'), 'utf8')) as Record<
    string,
    { correspondence: { ownRoiBest: number; ownAreaBest: number; contrast: number; p: number } }
  >;
  const c = corr.fix.correspondence;
  t.is(c.ownRoiBest, 1);
  t.is(c.ownAreaBest, 1);
  t.true(Math.abs(c.contrast - ((0.25 / 0.64 + 0.49 / 0.81) / 2 - (0.04 / 0.81 + 0.0225 / 0.64) / 2)) < 1e-5);
  // Same inputs → up to date.
  const again = runCli(['align', '--encodings', f.enc, '--models', f.train, '--bids', f.bids, '--config', f.cfg, '--out', D, '--quiet'], {
    env: { BRAINALIGN_TEST_SOURCES: '1' },
  });
  t.regex(again.stdout, /up to date/);
});

test('align without per-clip predictions says what is missing (one line, exit 2)', (t) => {
  const f = fixture('nopred');
  fs.rmSync(path.join(f.train, 'eval'), { recursive: true });
  const r = runCli(['align', '--encodings', f.enc, '--models', f.train, '--bids', f.bids, '--config', f.cfg, '--out', path.join(tmp, 'deriv2'), '--quiet'], {
    env: { BRAINALIGN_TEST_SOURCES: '1' },
  });
  t.is(r.code, 2);
  t.regex(r.stderr, /predictions/);
  // Without --models at all: the library names its parameter (modelDirs), the verb the flag.
  const none = runCli(['align', '--encodings', f.enc, '--bids', f.bids, '--config', f.cfg, '--out', path.join(tmp, 'deriv2'), '--quiet'], {
    env: { BRAINALIGN_TEST_SOURCES: '1' },
  });
  t.is(none.code, 2);
  t.regex(none.stderr, /^brainalign: --models: BAS needs the model’s per-clip genre choices \(eval\/predictions\.tsv\): give its train artifact\n$/);
});

test('an epoch checkpoint is scored by the predictions the train stage wrote for it (test-split clips only), not by the final model’s', async (t) => {
  const f = fixture('ckpt');
  const { behaviourScore } = await import('../../src/scoring/behaviour.js');
  // The encodings are of checkpoint epoch-0002; its own table disagrees with eval/predictions.tsv on c2 and c4.
  const idx = path.join(f.enc, 'sub-01', 'func', 'sub-01_task-test_desc-fix_encoding.json');
  fs.writeFileSync(idx, JSON.stringify({ ...(JSON.parse(fs.readFileSync(idx, 'utf8')) as Record<string, unknown>), checkpoint: 'epoch-0002' }));
  const truth = ['metal', 'metal', 'rock', 'rock'];
  const split = ['test', 'test', 'train', 'test'];
  const chosen = ['metal', 'rock', 'rock', 'metal'];
  const pMetal = [0.7, 0.3, 0.1, 0.55];
  writeTsv(
    path.join(f.train, 'checkpoints', 'epoch-0002', 'predictions.tsv'),
    ['stim_id', 'true_genre', 'predicted_genre', 'split', 'p_metal', 'p_rock'],
    truth.map((g, k) => ({
      stim_id: `c${k + 1}`,
      true_genre: g,
      predicted_genre: chosen[k],
      split: split[k],
      p_metal: pMetal[k],
      p_rock: 1 - pMetal[k],
    })),
  );
  const D = path.join(tmp, 'deriv-ckpt');
  const r = runCli(['align', '--encodings', f.enc, '--models', f.train, '--bids', f.bids, '--config', f.cfg, '--out', D, '--quiet'], {
    env: { BRAINALIGN_TEST_SOURCES: '1' },
  });
  t.is(r.code, 0, r.stderr);
  const key = /\(([0-9a-f]{16})\)/.exec(r.stdout)?.[1] ?? '';
  const dir = path.join(D, 'artifacts', 'align', key);
  const got = readTsv(path.join(dir, 'model_choices.tsv')).rows;
  t.deepEqual(
    got.map((x) => [x.checkpoint, x.stim_id, x.predicted_genre]),
    [
      ['epoch-0002', 'c1', 'metal'],
      ['epoch-0002', 'c2', 'rock'],
      ['epoch-0002', 'c4', 'metal'],
    ],
  );
  // s_b by hand over the three test clips (genres sorted: metal 0, rock 1; the listeners of the fixture on c1, c2, c4).
  const listeners = [
    ['metal', 'rock', 'rock', 'metal'],
    ['metal', 'rock', 'rock', 'rock'],
    ['metal', 'metal', 'rock', 'metal'],
  ];
  const g = (x: string): number => (x === 'metal' ? 0 : 1);
  const clipIdx = [0, 1, 3];
  const sb = behaviourScore({
    nGenres: 2,
    trueGenre: Int32Array.from(clipIdx.map((k) => g(truth[k]))),
    model: Int32Array.from(clipIdx.map((k) => g(chosen[k]))),
    modelProbs: Float64Array.from(clipIdx.flatMap((k) => [pMetal[k], 1 - pMetal[k]])),
    humans: Int32Array.from(listeners.flatMap((ch) => clipIdx.map((k) => g(ch[k])))),
    nHumans: 3,
  }).sB;
  const rows = readTsv(path.join(dir, 'bas.tsv')).rows;
  t.true(Math.abs(Number(rows.find((x) => x.score === 's_b')?.estimate) - sb) < 1e-5, `s_b ${rows.find((x) => x.score === 's_b')?.estimate} vs ${sb}`);
});

test('align over 3 distinct models: performance is each model’s held-out clip accuracy (test split only, counted by hand), and the across-model Spearman uses one point per model', (t) => {
  const root = path.join(tmp, 'three');
  const base = fixture('three-base');
  const encs: string[] = [];
  const trains: string[] = [];
  // Alignment grows m1 < m2 < m3 (r scaled); held-out accuracy falls: m1 3/3, m2 2/3, m3 1/3 → ρ = −1.
  const scale = [0.5, 0.8, 1];
  const wrongTest = [0, 1, 2];
  ['m1', 'm2', 'm3'].forEach((m, i) => {
    const train = path.join(root, `train-${m}`);
    fs.mkdirSync(path.join(train, 'eval'), { recursive: true });
    fs.writeFileSync(path.join(train, 'provenance.json'), '{}');
    const truth = ['metal', 'metal', 'rock', 'rock'];
    const split = ['train', 'test', 'test', 'test'];
    writeTsv(
      path.join(train, 'split.tsv'),
      ['stim_id', 'genre', 'split'],
      truth.map((g, k) => ({ stim_id: `c${k + 1}`, genre: g, split: split[k] })),
    );
    // The training clip c1 is always right (it must not count); the first wrongTest[i] test clips are wrong.
    writeTsv(
      path.join(train, 'eval', 'predictions.tsv'),
      ['stim_id', 'true_genre', 'predicted_genre', 'split', 'p_metal', 'p_rock'],
      truth.map((g, k) => {
        const predicted = k >= 1 && k <= wrongTest[i] ? (g === 'metal' ? 'rock' : 'metal') : g;
        return {
          stim_id: `c${k + 1}`,
          true_genre: g,
          split: split[k],
          predicted_genre: predicted,
          p_metal: predicted === 'metal' ? 0.8 : 0.2,
          p_rock: predicted === 'metal' ? 0.2 : 0.8,
        };
      }),
    );
    const features = path.join(root, `features-${m}`);
    fs.mkdirSync(features, { recursive: true });
    fs.writeFileSync(path.join(features, 'provenance.json'), JSON.stringify({ inputs: { model: { path: train } } }));
    const enc = path.join(root, `enc-${m}`);
    fs.cpSync(base.enc, enc, { recursive: true });
    const idx = path.join(enc, 'sub-01', 'func', 'sub-01_task-test_desc-fix_encoding.json');
    const j = JSON.parse(fs.readFileSync(idx, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(idx, JSON.stringify({ ...j, model: m, featuresDir: features }));
    const r = Float32Array.from([0.4, 0.5, 0.6, 0.1, 0.2, 0.3, 0.1, 0.2, 0.15, 0.7, 0.6, 0.8, 0.4, 0.5, 0.6, 0.7, 0.6, 0.8].map((x) => x * scale[i]));
    writeNpy(path.join(enc, 'sub-01/func/r.npy'), r, [3, 6]);
    encs.push(enc);
    trains.push(train);
  });
  const D = path.join(tmp, 'deriv-three');
  const r = runCli(['align', '--encodings', ...encs, '--models', ...trains, '--bids', base.bids, '--config', base.cfg, '--out', D, '--quiet'], {
    env: { BRAINALIGN_TEST_SOURCES: '1' },
  });
  t.is(r.code, 0, r.stderr);
  const key = /\(([0-9a-f]{16})\)/.exec(r.stdout)?.[1] ?? '';
  const dir = path.join(D, 'artifacts', 'align', key);
  const rows = readTsv(path.join(dir, 'alignment.tsv')).rows;
  t.deepEqual(
    rows.map((x) => [x.model, x.n_test_clips, x.final]),
    [
      ['m1', '3', '1'],
      ['m2', '3', '1'],
      ['m3', '3', '1'],
    ],
  );
  for (const [m, p] of [
    ['m1', 1],
    ['m2', 2 / 3],
    ['m3', 1 / 3],
  ] as const)
    t.true(Math.abs(Number(rows.find((x) => x.model === m)?.performance) - p) < 1e-6, m);
  const al = rows.map((x) => Number(x.alignment));
  t.true(al[0] < al[1] && al[1] < al[2]);
  const vs = readTsv(path.join(dir, 'alignment_vs_performance.tsv')).rows.filter((x) => x.scope === 'across-models' && x.measure === 'encoding');
  t.is(vs.length, 1);
  t.is(Number(vs[0].spearman), -1);
  t.is(vs[0].n, '3');
});

test('a baseline whose features name no train artifact gets no performance and no choices, even when only one --models artifact is given', (t) => {
  const base = fixture('baseline-single');
  const root = path.join(tmp, 'baseline-single');
  writeTsv(
    path.join(base.train, 'split.tsv'),
    ['stim_id', 'genre', 'split'],
    ['metal', 'metal', 'rock', 'rock'].map((g, k) => ({ stim_id: `c${k + 1}`, genre: g, split: k === 0 ? 'train' : 'test' })),
  );
  const encs = ['net', 'logmel'].map((m) => {
    const features = path.join(root, `features-${m}`);
    fs.mkdirSync(features, { recursive: true });
    // The network's features were computed from the train artifact; the baseline's from the stimuli only.
    fs.writeFileSync(
      path.join(features, 'provenance.json'),
      JSON.stringify({ inputs: m === 'net' ? { model: { path: base.train }, stimuli: { path: base.bids } } : { stimuli: { path: base.bids } } }),
    );
    const enc = path.join(root, `enc-${m}`);
    fs.cpSync(base.enc, enc, { recursive: true });
    const idx = path.join(enc, 'sub-01', 'func', 'sub-01_task-test_desc-fix_encoding.json');
    fs.writeFileSync(idx, JSON.stringify({ ...(JSON.parse(fs.readFileSync(idx, 'utf8')) as Record<string, unknown>), model: m, featuresDir: features }));
    return enc;
  });
  const D = path.join(tmp, 'deriv-baseline-single');
  const r = runCli(['align', '--encodings', ...encs, '--models', base.train, '--bids', base.bids, '--config', base.cfg, '--out', D, '--quiet'], {
    env: { BRAINALIGN_TEST_SOURCES: '1' },
  });
  t.is(r.code, 0, r.stderr);
  const key = /\(([0-9a-f]{16})\)/.exec(r.stdout)?.[1] ?? '';
  const rows = readTsv(path.join(D, 'artifacts', 'align', key, 'alignment.tsv')).rows;
  // net: predictions c2 metal ✓, c3 rock ✓, c4 rock ✓ on the 3 test clips (c1, a training clip, is wrong and does not count).
  t.deepEqual(
    rows.map((x) => [x.model, x.performance, x.n_test_clips]),
    [
      ['logmel', 'n/a', 'n/a'],
      ['net', '1', '3'],
    ],
  );
});

test('every model gets s_r with a bootstrap CI: a one-area baseline is scored as a flat model (its area in every pair), s_r = ½·mean level = .110002 by hand', (t) => {
  const base = fixture('baseline-ci');
  const root = path.join(tmp, 'baseline-ci');
  const features = path.join(root, 'features-logmel');
  fs.mkdirSync(features, { recursive: true });
  fs.writeFileSync(path.join(features, 'provenance.json'), JSON.stringify({ inputs: { stimuli: { path: base.bids } } }));
  const enc = path.join(root, 'enc-logmel');
  fs.cpSync(base.enc, enc, { recursive: true });
  // One area with the a1 area's r: levels A1 .25/.64 = .390625, Belt median(.1,.2,.3)²/.81 = .049383; specificity 0.
  writeNpy(path.join(enc, 'sub-01/func/r.npy'), Float32Array.from([0.4, 0.5, 0.6, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.1, 0.2, 0.3]), [2, 6]);
  const idx = path.join(enc, 'sub-01', 'func', 'sub-01_task-test_desc-fix_encoding.json');
  const j = JSON.parse(fs.readFileSync(idx, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(
    idx,
    JSON.stringify({
      ...j,
      model: 'logmel',
      featuresDir: features,
      areas: ['logmel'],
      maps: [
        { desc: 'logmelLogmel', label: 'cv', area: 'logmel', iteration: null, row: 0 },
        { desc: 'logmelBest', label: 'cv', area: 'best', iteration: null, row: 1 },
      ],
    }),
  );
  const D = path.join(tmp, 'deriv-baseline-ci');
  const r = runCli(['align', '--encodings', base.enc, enc, '--models', base.train, '--bids', base.bids, '--config', base.cfg, '--out', D, '--quiet'], {
    env: { BRAINALIGN_TEST_SOURCES: '1' },
  });
  t.is(r.code, 0, r.stderr);
  const key = /\(([0-9a-f]{16})\)/.exec(r.stdout)?.[1] ?? '';
  const rows = readTsv(path.join(D, 'artifacts', 'align', key, 'bas.tsv')).rows;
  const sR = (m: string) => rows.find((x) => x.model === m && x.score === 's_r');
  const flat = sR('logmel');
  t.log(`logmel s_r ${flat?.estimate} [${flat?.ci_lo}, ${flat?.ci_hi}]; fix s_r ${sR('fix')?.estimate} [${sR('fix')?.ci_lo}, ${sR('fix')?.ci_hi}]`);
  t.true(Math.abs(Number(flat?.estimate) - (0.390625 + 0.04 / 0.81) / 4) < 1e-5, `logmel s_r ${flat?.estimate}`);
  for (const m of ['logmel', 'fix']) {
    const x = sR(m);
    t.true(Number(x?.ci_lo) <= Number(x?.estimate) && Number(x?.estimate) <= Number(x?.ci_hi) && Number(x?.se) >= 0, `${m}: ${JSON.stringify(x)}`);
  }
  // The baseline has no genre choices: no s_b, no BAS.
  t.is(rows.find((x) => x.model === 'logmel' && x.score === 's_b')?.estimate, 'n/a');
  t.true(Math.abs(Number(sR('fix')?.estimate) - 0.476647) < 1e-5);
  // Both models were scored on the same subject and voxels: their difference gets a paired interval.
  const diff = readTsv(path.join(D, 'artifacts', 'align', key, 's_r_differences.tsv')).rows;
  t.is(diff.length, 1);
  const d = diff[0];
  t.log(`s_r(${d.model_a}) − s_r(${d.model_b}) = ${d.difference} [${d.ci_lo}, ${d.ci_hi}]`);
  t.deepEqual([d.model_a, d.model_b], ['fix', 'logmel']);
  t.true(Math.abs(Number(d.difference) - (0.476647 - 0.110002)) < 1e-5);
  t.true(Number(d.ci_lo) <= Number(d.difference) && Number(d.difference) <= Number(d.ci_hi));
});

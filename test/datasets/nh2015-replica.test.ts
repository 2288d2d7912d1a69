/**
 * NH2015 / B2021 read in their published forms (test/helpers/nh2015_replica.py
 * writes them as aud_dnn reads them: record-dtype npy, MATLAB v5 with cells
 * and structs). `data prepare` must give, per participant, exactly numpy's
 * selection (n_reps = 3, subj_idx), the components reindexed to the sound
 * order as aud_dnn's DataFrame.reindex does, and the 165 sounds; `data
 * verify` names what is missing with the manifest's download step.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readNpy } from '../../src/io/npy.js';
import { readTsv } from '../../src/io/tsv.js';
import { readWavHeader } from '../../src/io/wav.js';
import { readStamp } from '../../src/pipeline/stage.js';
import { REPO, runCli } from '../helpers/cli.js';
import { pyArgs } from '../helpers/python.js';
import { tmpDir } from '../helpers/tmp.js';

const dir = tmpDir('ba-nh2015-');
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));
const root = path.join(dir, 'data');
const truth = JSON.parse(
  execFileSync(
    '/usr/bin/python3',
    ['-W', 'ignore', path.join(REPO, 'test', 'helpers', 'nh2015_replica.py'), root, JSON.stringify({ voxels: 8, subjects: [1, 2, 4], b2021: true })],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  ),
) as { ids: string[] };

/** numpy's view of the published files: aud_dnn's selection per participant and the reindexed components. */
const EXPECT = `
import sys, json, numpy as np, scipy.io
root = sys.argv[1]
nh = root + '/neural/NH2015/'
ids = [r[0][:-4].decode('utf-8') for r in np.load(nh + 'neural_stim_meta.npy')]
a = np.load(nh + 'voxel_features_array.npy'); m = np.load(nh + 'voxel_features_meta.npy')
is3 = m['n_reps'] == 3
a, m = a[:, is3, :], m[is3]
subs = {f'sub-{int(s):02d}': a[:, m['subj_idx'] == s, :].ravel().tolist() for s in np.unique(m['subj_idx'])}
c = scipy.io.loadmat(root + '/neural/NH2015comp/components.mat')
names = [x[0] for x in c['stim_names'][0]]
R = c['R'][[names.index(i) for i in ids]]
print(json.dumps({'ids': ids, 'subs': subs, 'R': R.ravel().tolist(), 'comp': [x[0][0] for x in c['component_names']]}))
`;

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number): boolean =>
  a.length === b.length && Array.from(a).every((x, i) => Math.abs(x - b[i]) <= tol * Math.max(1, Math.abs(b[i])));

test('data prepare on NH2015 as published: per-participant responses, components and sounds equal numpy’s reading of the same files', (t) => {
  const want = pyArgs<{ ids: string[]; subs: Record<string, number[]>; R: number[]; comp: string[] }>(EXPECT, root);
  t.deepEqual(want.ids, truth.ids);
  const out = path.join(dir, 'D');
  const link = path.join(out, 'input', 'nh2015');
  const r = runCli(['data', 'prepare', path.join(REPO, 'data-manifests', 'nh2015.json'), root, '--out', out, '--link', link]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /165 sounds, 3 participant\(s\) \(21 voxels\), 6 components/);
  const parts = readTsv(path.join(link, 'participants.tsv')).rows;
  t.deepEqual(
    parts.map((p) => [p.participant_id, p.n_voxels, p.n_dropped]),
    [
      ['sub-01', '7', '1'],
      ['sub-02', '7', '1'],
      ['sub-04', '7', '1'],
    ],
  );
  for (const [sub, vals] of Object.entries(want.subs)) {
    const a = readNpy(path.join(link, 'responses', `${sub}_responses.npy`));
    t.deepEqual(a.shape, [165, 7, 3]);
    t.true(close(a.data as Float32Array, vals, 1e-6), `${sub} responses differ from numpy's selection`);
  }
  const comp = readNpy(path.join(link, 'responses', 'components.npy'));
  t.deepEqual(comp.shape, [165, 6]);
  t.true(close(comp.data as Float32Array, want.R, 1e-6), 'components are not reindexed to the sound order');
  t.deepEqual(
    readTsv(path.join(link, 'responses', 'components.tsv')).rows.map((x) => x.name),
    want.comp,
  );
  const stim = readTsv(path.join(link, 'stimuli', 'stimuli.tsv')).rows;
  t.deepEqual(
    stim.map((s) => s.stim_id),
    want.ids,
  );
  const h = readWavHeader(path.join(link, stim[6].path));
  t.is(stim[6].stim_id, 'stim7_applause');
  t.is(h.sampleRate, 22050);
  t.is(h.frames, 44100); // 2 s at 20 kHz resampled to 22050 Hz
});

test('data prepare on B2021 (voxel_responses.mat, stim_info_v4.mat): the first 165 sounds per participant', (t) => {
  const want = pyArgs<Record<string, number[]>>(
    `import sys, json, numpy as np, scipy.io
m = scipy.io.loadmat(sys.argv[1] + '/neural/B2021/voxel_responses.mat')
v = m['vals'][:165]; s = m['subj'].ravel(); ok = np.isfinite(v).all(axis=(0, 2))
print(json.dumps({f'sub-{int(k):02d}': v[:, (s == k) & ok, :].ravel().tolist() for k in np.unique(s)}))`,
    root,
  );
  const out = path.join(dir, 'DB');
  const link = path.join(out, 'input', 'b2021');
  const r = runCli(['data', 'prepare', path.join(REPO, 'data-manifests', 'b2021.json'), root, '--out', out, '--link', link]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /165 sounds, 3 participant\(s\) \(21 voxels\), 0 components/);
  for (const [sub, vals] of Object.entries(want)) {
    const a = readNpy(path.join(link, 'responses', `${sub}_responses.npy`));
    t.true(close(a.data as Float32Array, vals, 1e-6), `${sub}`);
  }
  t.false(fs.existsSync(path.join(link, 'responses', 'components.npy')));
});

test('data verify on an empty folder lists the missing published files with the manifest’s download steps; a bad mapping is one line, exit 2', (t) => {
  const empty = path.join(dir, 'empty');
  fs.mkdirSync(empty);
  const v = runCli(['data', 'verify', path.join(REPO, 'data-manifests', 'nh2015.json'), empty]);
  t.is(v.code, 2);
  for (const f of [
    'neural/NH2015/voxel_features_array.npy',
    'neural/NH2015/voxel_features_meta.npy',
    'neural/NH2015comp/components.mat',
    'neural/NH2015/165_natural_sounds/*.wav',
  ])
    t.true(v.stdout.includes(f), `missing row for ${f}`);
  t.regex(v.stdout, /tuckute_feather_2023\/data\.tar/);
  t.regex(v.stdout, /165_natural_sounds/);
  const bad = path.join(dir, 'bad.json');
  const m = JSON.parse(fs.readFileSync(path.join(REPO, 'data-manifests', 'nh2015.json'), 'utf8')) as { mapping: Record<string, unknown> };
  m.mapping.voxels = { format: 'nh2015-pickle', file: 'x.pkl' };
  fs.writeFileSync(bad, JSON.stringify(m));
  const p = runCli(['data', 'prepare', bad, root, '--out', path.join(dir, 'DX')]);
  t.is(p.code, 2);
  t.regex(p.stderr.trim(), /^brainalign: .*bad\.json: mapping\.voxels\.format: [^\n]+$/);
  // encode-sounds on a folder that is not a view: one line, exit 2, nothing written.
  const e = runCli(['encode-sounds', '--features', root, '--study', empty, '--out', path.join(dir, 'DE')]);
  t.is(e.code, 2);
  t.regex(e.stderr.trim(), /^brainalign: [^\n]+$/);
  t.false(fs.existsSync(path.join(dir, 'DE', 'artifacts', 'encode-sounds')));
});

test('same seed → the same keys and byte-identical view and encode-sounds tables in two derivatives roots', (t) => {
  const cfg = path.join(dir, 'det.json');
  fs.writeFileSync(cfg, JSON.stringify({ features: { rate: 0.5 }, sounds: { alphas: [1, 100], rsaFolds: 3, rsaRepeats: 1 } }));
  const runs = ['R1', 'R2'].map((name) => {
    const out = path.join(dir, name);
    const link = path.join(out, 'input', 'nh2015');
    const steps = [
      [
        'data',
        'prepare',
        path.join(REPO, 'data-manifests', 'nh2015.json'),
        root,
        '--out',
        out,
        '--link',
        link,
        '--stamp',
        path.join(out, 'stamps', 'input.json'),
      ],
      [
        'features',
        '--baseline',
        'logmel',
        '--stimuli',
        path.join(link, 'stimuli'),
        '--config',
        cfg,
        '--out',
        out,
        '--stamp',
        path.join(out, 'stamps', 'f.json'),
      ],
      [
        'encode-sounds',
        '--features',
        path.join(out, 'stamps', 'f.json'),
        '--study',
        link,
        '--config',
        cfg,
        '--out',
        out,
        '--stamp',
        path.join(out, 'stamps', 'e.json'),
      ],
    ];
    for (const s of steps) {
      const r = runCli([...s, '--quiet']);
      if (r.code !== 0) throw new Error(`${s[0]} failed: ${r.stderr}`);
    }
    return { view: readStamp(path.join(out, 'stamps', 'input.json')), enc: readStamp(path.join(out, 'stamps', 'e.json')) };
  });
  t.is(runs[0].view.key, runs[1].view.key);
  t.is(runs[0].enc.key, runs[1].enc.key);
  for (const f of ['stimuli/stimuli.tsv', 'stimuli/natural/stim7_applause.wav', 'responses/sub-02_responses.npy', 'responses/components.npy']) {
    t.true(fs.readFileSync(path.join(runs[0].view.dir, f)).equals(fs.readFileSync(path.join(runs[1].view.dir, f))), f);
  }
  for (const f of ['encoding.tsv', 'rsa.tsv', 'layers.tsv', 'voxelwise/logmel_sub-04.tsv']) {
    t.true(fs.readFileSync(path.join(runs[0].enc.dir, f)).equals(fs.readFileSync(path.join(runs[1].enc.dir, f))), f);
  }
});

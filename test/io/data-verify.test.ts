import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { readManifest, verifyDataset, type Manifest } from '../../src/io/manifest.js';
import { globToRegExp } from '../../src/io/glob.js';
import { InputError } from '../../src/core/errors.js';
import { REPO, runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { conformanceRoot } from '../helpers/conformance.js';

const MANIFESTS = fs.readdirSync(path.join(REPO, 'data-manifests')).filter((f) => f.endsWith('.json'));

test('every shipped manifest parses and names source, licence and mapping', (t) => {
  t.true(MANIFESTS.length >= 4);
  for (const f of MANIFESTS) {
    const m = readManifest(path.join(REPO, 'data-manifests', f));
    t.truthy(m.source.url, f);
    t.truthy(m.license, f);
    t.true(Object.keys(m.mapping).length > 0, f);
  }
});

test('globs: segments, recursion, alternatives and classes', (t) => {
  t.true(globToRegExp('blues/blues.000[0-9][0-9].wav').test('blues/blues.00042.wav'));
  t.false(globToRegExp('blues/blues.000[0-9][0-9].wav').test('blues/blues.000x2.wav'));
  t.true(globToRegExp('**/*.wav').test('a/b/c.wav'));
  t.true(globToRegExp('**/*.wav').test('c.wav'));
  t.false(globToRegExp('*/*.wav').test('a/b/c.wav'));
  t.true(globToRegExp('sub-0{1,2}/x').test('sub-02/x'));
});

function fakeDataset(t: { teardown(f: () => void): void }) {
  const dir = tmpDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'ds');
  for (const g of ['rock', 'jazz']) {
    fs.mkdirSync(path.join(root, g), { recursive: true });
    for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(root, g, `${g}.0000${i}.wav`), Buffer.alloc(100 + i));
  }
  fs.writeFileSync(path.join(root, 'info.json'), JSON.stringify({ RepetitionTime: 2 }));
  fs.writeFileSync(path.join(root, 'events.tsv'), 'onset\tduration\n0\t1\n');
  const manifest: Manifest = {
    name: 'fake',
    description: 'fake',
    modality: 'stimuli',
    source: { url: 'x', citation: 'x', howToGet: 'x' },
    license: 'CC0',
    files: [
      { path: 'rock/rock.00000.wav', size: 100, sha256: createHash('sha256').update(Buffer.alloc(100)).digest('hex') },
      { path: 'rock/rock.00001.wav', size: 999 },
      { path: 'jazz/jazz.00002.wav', sha256: '0'.repeat(64) },
      { path: 'pop/pop.00000.wav' },
    ],
    patterns: [
      { glob: 'rock/*.wav', count: 3 },
      { glob: 'jazz/*.wav', count: 4 },
      { glob: '**/*.wav', maxSize: 101 },
    ],
    sidecars: [{ glob: 'info.json', field: 'RepetitionTime', equals: 1.5 }],
    tsvColumns: [{ glob: 'events.tsv', columns: ['onset', 'duration', 'trial_type'] }],
    knownIssues: [],
    mapping: { stage: 'train' },
  };
  return { dir, root, manifest };
}

test('verify reports missing files, size, checksum, count, sidecar and column problems, and nothing else', (t) => {
  const { root, manifest } = fakeDataset(t);
  const problems = verifyDataset(manifest, root, 'm.json');
  const got = problems.map((p) => `${p.kind} ${p.path}`).sort();
  t.deepEqual(got, [
    'checksum jazz/jazz.00002.wav',
    'columns events.tsv',
    'count jazz/*.wav',
    'missing pop/pop.00000.wav',
    'sidecar info.json',
    'size jazz/jazz.00002.wav',
    'size rock/rock.00001.wav',
    'size rock/rock.00002.wav',
  ]);
});

test('manifest paths that would escape the root are refused, and so are escaping symlinks', (t) => {
  const { dir, root, manifest } = fakeDataset(t);
  for (const bad of ['../outside.wav', '/etc/passwd', 'rock/../../x']) {
    const e = t.throws(() => verifyDataset({ ...manifest, files: [{ path: bad }] }, root, 'm.json'), { instanceOf: InputError });
    t.regex(e?.message ?? '', /would escape the dataset root/);
  }
  fs.writeFileSync(path.join(dir, 'secret.wav'), 'x');
  fs.symlinkSync(path.join(dir, 'secret.wav'), path.join(root, 'rock', 'link.wav'));
  const p = verifyDataset({ ...manifest, files: [], patterns: [], sidecars: [], tsvColumns: [] }, root, 'm.json');
  t.deepEqual(
    p.map((x) => `${x.kind} ${x.path}`),
    ['layout rock/link.wav'],
  );
});

test('the ds003720 manifest accepts the real OpenNeuro metadata and reports the absent image data', (t) => {
  const root = path.join(conformanceRoot(), 'music_neuro', 'OpenNeuroDatasets__ds003720');
  const m = readManifest(path.join(REPO, 'data-manifests', 'ds003720.json'));
  const problems = verifyDataset(m, root, 'ds003720.json');
  // Only metadata is present: the sidecar and events.tsv checks pass on the owners' files.
  t.deepEqual(
    problems.filter((p) => p.kind === 'sidecar' || p.kind === 'columns'),
    [],
  );
  t.true(problems.some((p) => p.kind === 'missing' && p.path === 'sub-001/func/sub-001_task-Training_run-01_bold.nii'));
  t.true(problems.some((p) => p.kind === 'count' && p.path.includes('task-Training')));
});

test('brainalign data verify prints a table and exits 2 on problems, 0 on a complete dataset', (t) => {
  const { dir, root, manifest } = fakeDataset(t);
  const mf = path.join(dir, 'm.json');
  fs.writeFileSync(mf, JSON.stringify(manifest));
  const bad = runCli(['data', 'verify', mf, root]);
  t.is(bad.code, 2);
  t.regex(bad.stdout, /missing\s+pop\/pop\.00000\.wav\s+file not found/);
  t.regex(bad.stderr, /^brainalign: .*ds: 8 problem\(s\) against .*m\.json\n$/);
  const good: Manifest = { ...manifest, files: manifest.files.slice(0, 1), patterns: [{ glob: 'rock/*.wav', count: 3 }], sidecars: [], tsvColumns: [] };
  fs.writeFileSync(mf, JSON.stringify(good));
  const stamp = path.join(dir, 'stamps', 'input.json');
  const ok = runCli(['data', 'verify', mf, root, '--stamp', stamp]);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /no problems found/);
  t.is(path.resolve(path.dirname(stamp), JSON.parse(fs.readFileSync(stamp, 'utf8')).dir), root);
  fs.rmSync(stamp);
  fs.writeFileSync(mf, JSON.stringify(manifest));
  t.is(runCli(['data', 'verify', mf, root, '--stamp', stamp]).code, 2);
  t.false(fs.existsSync(stamp), 'no stamp for a dataset with problems');
});

import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readStageRuns, projectMakespan, profileMarkdown } from '../../src/pipeline/make-profile.js';
import { InputError } from '../../src/core/errors.js';
import { tmpDir } from '../helpers/tmp.js';

/** A store of four stages: a (10 s) and b (10 s) independent, c (5 s) reads a, d (1 s) reads b and c. */
function plantedStore(t: { teardown(f: () => void): void }): string {
  const root = tmpDir();
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const stages = [
    { stage: 'train', key: 'a', start: 0, wall: 10, cpu: 9, deps: [] },
    { stage: 'train', key: 'b', start: 0.5, wall: 10, cpu: 19, deps: [] },
    { stage: 'encode', key: 'c', start: 10.2, wall: 5, cpu: 4, deps: ['a'] },
    { stage: 'align', key: 'd', start: 15.3, wall: 1, cpu: 1, deps: ['b', 'c'] },
  ];
  for (const s of stages) {
    const dir = path.join(root, 'artifacts', s.stage, s.key);
    fs.mkdirSync(dir, { recursive: true });
    const inputs = Object.fromEntries([['bids', { path: 'x', hash: 'f00d' }], ...s.deps.map((d) => [`up-${d}`, { path: d, hash: `artifact:${d}` }])]);
    fs.writeFileSync(
      path.join(dir, 'provenance.json'),
      JSON.stringify({
        stage: s.stage,
        key: s.key,
        inputs,
        command: ['dist/cli.js', s.stage, '--stamp', `stamps/${s.stage}-${s.key}.json`],
        startedAt: new Date(Date.UTC(2026, 0, 1) + s.start * 1000).toISOString(),
        wallSeconds: s.wall,
        cpuSeconds: { self: s.cpu - 0.5, children: 0.5 },
      }),
    );
  }
  return root;
}

test('make profile: stages read from provenance in start order with their targets, upstream keys and CPU (self + children)', (t) => {
  const runs = readStageRuns(plantedStore(t));
  t.deepEqual(
    runs.map((r) => r.target),
    ['train-a', 'train-b', 'encode-c', 'align-d'],
  );
  t.deepEqual(
    runs.map((r) => r.deps),
    [[], [], ['a'], ['b', 'c']],
  );
  t.deepEqual(
    runs.map((r) => r.cpuSeconds),
    [9, 19, 4, 1],
  );
});

test('make -jN projection of the planted DAG: -j1 = 26 s (the sum), -j2 = 16 s (a ‖ b, then c, then d), -j3 = 16 s (the critical path a → c → d)', (t) => {
  const runs = readStageRuns(plantedStore(t));
  const wall = (r: { wallSeconds: number }): number => r.wallSeconds;
  t.is(projectMakespan(runs, 1, wall), 26);
  t.is(projectMakespan(runs, 2, wall), 16);
  t.is(projectMakespan(runs, 3, wall), 16);
  // From CPU seconds b (19 s) is on the critical path: a ‖ b, c after a, d after b → 19 + 1.
  t.is(
    projectMakespan(runs, 2, (r) => r.cpuSeconds ?? 0),
    20,
  );
  t.throws(() => projectMakespan(runs, 0, wall), { instanceOf: InputError });
});

test('make profile markdown: one row per stage, totals per stage kind, the recorded span and the projections', (t) => {
  const md = profileMarkdown(readStageRuns(plantedStore(t)), 2);
  t.regex(md, /\| encode-c \| encode \| 10 \| 5\.0 \| 4\.0 \| 0\.80 \|/);
  t.regex(md, /\| train \| 2 \| 20\.0 \| 28\.0 \|/);
  t.regex(md, /\| \*\*all\*\* \| 4 \| 26\.0 \| 33\.0 \|/);
  t.regex(md, /Recorded span, first stage start to last stage end: 16\.3 s/);
  t.regex(md, /-j2 from the stages' wall seconds: 16\.0 s; from their CPU seconds \(each stage alone on an idle core\): 20\.0 s/);
});

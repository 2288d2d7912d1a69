import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { runStage, readStamp } from '../../src/pipeline/stage.js';
import { collectGarbage, listArtifacts } from '../../src/pipeline/cache.js';
import { tmpDir } from '../helpers/tmp.js';
import { REPO } from '../helpers/cli.js';

function setup(t: { teardown(f: () => void): void }) {
  const dir = tmpDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'derivatives', 'brainalign');
  const input = path.join(dir, 'input.txt');
  fs.writeFileSync(input, 'hello');
  return { dir, root, input };
}

test('identical inputs hit the cache; a changed parameter or input misses it', async (t) => {
  const { root, input } = setup(t);
  let runs = 0;
  const work = ({ dir }: { dir: string }) => {
    runs++;
    fs.writeFileSync(path.join(dir, 'out.txt'), fs.readFileSync(input));
  };
  const spec = { stage: 'copy', codeVersion: '1', root, inputs: { input }, params: { k: 1 }, seed: 0 };
  const a = await runStage(spec, work);
  const b = await runStage(spec, work);
  t.is(runs, 1);
  t.false(a.upToDate);
  t.true(b.upToDate);
  t.is(a.dir, b.dir);
  const c = await runStage({ ...spec, params: { k: 2 } }, work);
  t.is(runs, 2);
  t.not(c.key, a.key);
  fs.writeFileSync(input, 'changed');
  const d = await runStage(spec, work);
  t.is(runs, 3);
  t.not(d.key, a.key);
  const e = await runStage({ ...spec, codeVersion: '2' }, work);
  t.is(runs, 4);
  t.not(e.key, d.key);
});

test('a downstream stage keyed on an upstream artifact re-runs only when the upstream changes', async (t) => {
  const { root, input } = setup(t);
  const counts = { up: 0, down: 0 };
  const up = (k: number) =>
    runStage({ stage: 'up', codeVersion: '1', root, inputs: { input }, params: { k }, seed: 0 }, ({ dir }) => {
      counts.up++;
      fs.writeFileSync(path.join(dir, 'x.txt'), String(k));
    });
  const down = (upDir: string, m: number) =>
    runStage({ stage: 'down', codeVersion: '1', root, inputs: { up: upDir }, params: { m }, seed: 0 }, ({ dir }) => {
      counts.down++;
      fs.writeFileSync(path.join(dir, 'y.txt'), fs.readFileSync(path.join(upDir, 'x.txt')));
    });
  const u1 = await up(1);
  await down(u1.dir, 1);
  await down((await up(1)).dir, 1);
  t.deepEqual(counts, { up: 1, down: 1 });
  await down((await up(1)).dir, 2); // downstream parameter: only downstream re-runs
  t.deepEqual(counts, { up: 1, down: 2 });
  await down((await up(3)).dir, 2); // upstream parameter: both re-run
  t.deepEqual(counts, { up: 2, down: 3 });
});

test('provenance records inputs with hashes, parameters, version, seed, command and wall time', async (t) => {
  const { root, input } = setup(t);
  const r = await runStage({ stage: 'p', codeVersion: '7', root, inputs: { input }, params: { alpha: [1, 10] }, seed: 5 }, ({ dir }) => {
    fs.writeFileSync(path.join(dir, 'o.txt'), 'x');
  });
  const prov = JSON.parse(fs.readFileSync(path.join(r.dir, 'provenance.json'), 'utf8'));
  t.is(prov.inputs.input.hash, '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'); // sha256("hello")
  t.deepEqual(prov.params, { alpha: [1, 10] });
  t.is(prov.seed, 5);
  t.is(prov.codeVersion, '7');
  t.regex(prov.brainalign, /^\d+\.\d+\.\d+/);
  t.true(Array.isArray(prov.command));
  t.true(prov.wallSeconds >= 0);
  t.deepEqual(prov.outputs, ['o.txt']);
  const desc = JSON.parse(fs.readFileSync(path.join(root, 'dataset_description.json'), 'utf8'));
  t.is(desc.DatasetType, 'derivative');
  t.is(desc.GeneratedBy[0].Name, 'brainalign');
});

test('provenance records CPU seconds: a planted 0.4 s busy loop in the stage and 0.4 s in a child process are each recovered within 0.4–0.7 s; sleeping adds none', async (t) => {
  const { root, input } = setup(t);
  // Spins until the process itself has used `s` CPU seconds, so the planted amount holds on a loaded machine too.
  const spin = (s: number): string =>
    `const u = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; }; const a = u(); while (u() - a < ${s}) {}`;
  const spinHere = (s: number): void => {
    const a = process.cpuUsage();
    for (;;) {
      const d = process.cpuUsage(a);
      if ((d.user + d.system) / 1e6 >= s) return;
    }
  };
  const r = await runStage({ stage: 'cpu', codeVersion: '1', root, inputs: { input }, params: {}, seed: 0 }, async ({ dir }) => {
    spinHere(0.4);
    execFileSync(process.execPath, ['-e', spin(0.4)]);
    await new Promise((res) => setTimeout(res, 300));
    fs.writeFileSync(path.join(dir, 'o.txt'), 'x');
  });
  const prov = JSON.parse(fs.readFileSync(path.join(r.dir, 'provenance.json'), 'utf8')) as {
    wallSeconds: number;
    cpuSeconds: { self: number; children: number | null };
  };
  t.log(`wall ${prov.wallSeconds.toFixed(2)} s, self ${prov.cpuSeconds.self.toFixed(2)} s, children ${prov.cpuSeconds.children}`);
  t.true(prov.cpuSeconds.self >= 0.4 && prov.cpuSeconds.self < 0.7, `self ${prov.cpuSeconds.self}`);
  if (process.platform === 'linux') {
    const c = prov.cpuSeconds.children as number;
    t.true(c >= 0.35 && c < 0.7, `children ${c}`);
  } else {
    t.is(prov.cpuSeconds.children, null);
  }
});

test('a failing stage leaves no artifact and no stamp', async (t) => {
  const { root, input } = setup(t);
  const stamp = path.join(root, 'stamps', 'fail.json');
  await t.throwsAsync(
    runStage({ stage: 'fail', codeVersion: '1', root, inputs: { input }, params: {}, seed: 0, stamp }, ({ dir }) => {
      fs.writeFileSync(path.join(dir, 'half.txt'), 'x');
      throw new Error('boom');
    }),
  );
  t.false(fs.existsSync(stamp));
  t.deepEqual(listArtifacts(root), []);
  t.deepEqual(fs.readdirSync(path.join(root, 'artifacts', 'fail')), []);
});

test('SIGKILL mid-write leaves no complete artifact or stamp, and gc clears the debris', async (t) => {
  const { root, input } = setup(t);
  const stamp = path.join(root, 'stamps', 'slow.json');
  const child = spawn(process.execPath, ['--import=tsx', path.join(REPO, 'test/fixtures/slow-stage.ts'), root, input, stamp], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('writing')) resolve();
    });
    child.on('exit', () => reject(new Error('child exited before writing')));
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  t.false(fs.existsSync(stamp));
  t.deepEqual(listArtifacts(root), []);
  const stageDir = path.join(root, 'artifacts', 'slow');
  const debris = fs.readdirSync(stageDir);
  t.is(debris.length, 1);
  t.true(debris[0].startsWith('.tmp-'));
  const gc = collectGarbage(root);
  t.is(gc.removed.length, 1);
  t.deepEqual(fs.readdirSync(stageDir), []);
});

test('stamps point at their artifact; gc keeps live artifacts and removes unreferenced ones', async (t) => {
  const { root, input } = setup(t);
  const stamp = path.join(root, 'stamps', 's.json');
  const mk = (k: number) =>
    runStage({ stage: 's', codeVersion: '1', root, inputs: { input }, params: { k }, seed: 0, stamp }, ({ dir }) => {
      fs.writeFileSync(path.join(dir, 'o.txt'), String(k));
    });
  const a = await mk(1);
  t.is(readStamp(stamp).dir, a.dir);
  const b = await mk(2); // the stamp now names b; a is unreferenced
  t.is(readStamp(stamp).dir, b.dir);
  const listed = listArtifacts(root);
  t.is(listed.length, 2);
  t.deepEqual(
    listed.filter((x) => x.live).map((x) => x.key),
    [b.key],
  );
  const gc = collectGarbage(root);
  t.deepEqual(gc.removed, [a.dir]);
  t.true(fs.existsSync(b.dir));
});

test('published outputs appear in the BIDS derivatives tree', async (t) => {
  const { root, input } = setup(t);
  await runStage({ stage: 'pub', codeVersion: '1', root, inputs: { input }, params: {}, seed: 0, publish: true }, ({ dir }) => {
    fs.mkdirSync(path.join(dir, 'sub-01', 'func'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'sub-01', 'func', 'sub-01_task-x_desc-y_r.tsv'), 'a\n');
  });
  t.is(fs.readFileSync(path.join(root, 'sub-01', 'func', 'sub-01_task-x_desc-y_r.tsv'), 'utf8'), 'a\n');
});

test('publishing an up-to-date stage again leaves the derivatives tree as it was, without temp links', async (t) => {
  const { root, input } = setup(t);
  const spec = { stage: 'pub', codeVersion: '1', root, inputs: { input }, params: {}, seed: 0, publish: true };
  const work = ({ dir }: { dir: string }) => {
    fs.mkdirSync(path.join(dir, 'sub-01', 'eeg'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'sub-01', 'eeg', 'sub-01_desc-x_eeg.json'), '{}\n');
  };
  await runStage(spec, work);
  const again = await runStage(spec, work);
  t.true(again.upToDate);
  t.deepEqual(fs.readdirSync(path.join(root, 'sub-01', 'eeg')), ['sub-01_desc-x_eeg.json']);
});

/**
 * The store under SIGKILL and re-runs. The process kills itself at each named
 * rename/unlink point (BRAINALIGN_KILL_AT, the test hook of docs/store.md);
 * after every kill a re-run must finish with output byte-identical to an
 * uninterrupted run, and `cache gc` (or, for synth, the next run) must leave
 * no temp file anywhere. Up-to-date re-runs must leave nothing behind either.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runStage, stageKey } from '../../src/pipeline/stage.js';
import { collectGarbage } from '../../src/pipeline/cache.js';
import { HashMemo } from '../../src/pipeline/hash.js';
import { hashFileContent } from '../../src/core/hash.js';
import { runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

function setup(t: { teardown(f: () => void): void }): string {
  const dir = tmpDir('ba-rel-store-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every path under dir (files and folders), relative, sorted; dot-entries included. */
function allEntries(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      out.push(r);
      if (e.isDirectory()) walk(r);
    }
  };
  if (fs.existsSync(dir)) walk('');
  return out.sort();
}

const temps = (dir: string): string[] => allEntries(dir).filter((p) => /(^|\/)\.tmp-|\.(tmp|old)-synth-/.test(p));

/** sha256 of every regular file under dir except provenance.json (which holds times and absolute paths by design). */
function contentHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of allEntries(dir)) {
    const p = path.join(dir, rel);
    if (fs.lstatSync(p).isFile() && path.basename(rel) !== 'provenance.json' && !rel.startsWith('.cache/')) out[rel] = hashFileContent(p);
  }
  return out;
}

/** A pid that certainly belongs to no running process: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test('an up-to-date re-run of a publishing stage leaves no temp link in the BIDS tree (rename between links to one inode is a no-op)', async (t) => {
  const dir = setup(t);
  const root = path.join(dir, 'deriv');
  const input = path.join(dir, 'in.txt');
  fs.writeFileSync(input, 'x');
  const spec = { stage: 'pub', codeVersion: '1', root, inputs: { input }, params: {}, seed: 0, publish: true };
  const work = ({ dir: d }: { dir: string }) => {
    fs.mkdirSync(path.join(d, 'sub-01', 'func'), { recursive: true });
    for (const f of ['a.nii.gz', 'b.tsv', 'c.json', 'd.npy']) fs.writeFileSync(path.join(d, 'sub-01', 'func', f), f);
  };
  await runStage(spec, work);
  for (let i = 0; i < 3; i++) t.true((await runStage(spec, work)).upToDate);
  t.deepEqual(temps(root), []);
  const pub = fs.statSync(path.join(root, 'sub-01', 'func', 'a.nii.gz'));
  const art = fs.statSync(path.join((await runStage(spec, work)).dir, 'sub-01', 'func', 'a.nii.gz'));
  t.is(pub.ino, art.ino, 'the published file is a hard link to the artifact');
});

test("cache gc removes every stale temp (stage folders, atomic-write files, memo, stamps, publish links) and keeps a live writer's", (t) => {
  const root = path.join(setup(t), 'deriv');
  const dead = deadPid();
  const stale = [
    `artifacts/encode/.tmp-0123456789abcdef-${dead}-1700000000000/x.npy`,
    `.tmp-dataset_description.json-${dead}-1`,
    `.cache/.tmp-hashes.json-${dead}-3`,
    `stamps/.tmp-encode.json-${dead}-2`,
    `sub-01/func/.tmp-sub-01_r.nii.gz-${dead}-7`,
    `sub-01/eeg/.tmp-link-${dead}-sub-01_eeg.npy`,
  ];
  const live = `.cache/.tmp-hashes.json-${process.pid}-9`;
  for (const rel of [...stale, live]) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), 'partial');
  }
  const gc = collectGarbage(root);
  t.is(gc.removed.length, stale.length, gc.removed.join('\n'));
  t.deepEqual(temps(root), [live]);
});

test('the input-hash memo notices an in-place rewrite whose size and mtime were restored (ctime moves)', async (t) => {
  const dir = setup(t);
  const root = path.join(dir, 'deriv');
  const input = path.join(dir, 'bold.bin');
  fs.writeFileSync(input, 'AAAA');
  // A whole-second mtime survives utimes exactly, as `touch -r` or `rsync -t` would restore it.
  fs.utimesSync(input, 1700000000, 1700000000);
  const spec = { stage: 'memo', codeVersion: '1', root, inputs: { input }, params: {}, seed: 0 };
  const k1 = stageKey(spec).key;
  const st = fs.statSync(input);
  await new Promise((r) => setTimeout(r, 20));
  fs.writeFileSync(input, 'BBBB');
  fs.utimesSync(input, 1700000000, 1700000000);
  t.is(fs.statSync(input).mtimeMs, st.mtimeMs);
  t.is(fs.statSync(input).size, st.size);
  t.not(stageKey(spec).key, k1);
  t.is(new HashMemo(null).fileHash(input), hashFileContent(input));
});

const SYNTH = ['synth', '--small', '--clips-per-genre', '1', '--quiet'];

test('synth replacement under SIGKILL at aside, in and drop: the re-run gives the byte-identical study and no temp sibling survives', (t) => {
  const dir = setup(t);
  const ref = path.join(dir, 'ref');
  t.is(runCli([...SYNTH, '--seed', '2', '--out', ref]).code, 0);
  const want = contentHashes(ref);
  t.true(Object.keys(want).length > 50);
  for (const point of ['synth:aside', 'synth:in', 'synth:drop']) {
    const out = path.join(dir, point.replace(':', '-'));
    t.is(runCli([...SYNTH, '--seed', '1', '--out', out]).code, 0);
    const killed = runCli([...SYNTH, '--seed', '2', '--out', out], { env: { BRAINALIGN_KILL_AT: point } });
    t.is(killed.code, -1, `${point}: the process was killed`);
    // Whatever the kill left is either a complete study or none, never a half one that says "up to date".
    const again = runCli([...SYNTH, '--seed', '2', '--out', out]);
    t.is(again.code, 0, again.stderr);
    t.deepEqual(contentHashes(out), want, point);
    t.deepEqual(
      fs.readdirSync(dir).filter((n) => n.startsWith(`${path.basename(out)}.`)),
      [],
      `${point}: temp siblings removed`,
    );
  }
});

test('a half-deleted study is not "up to date": the completion seal lists every file and its size', (t) => {
  const dir = setup(t);
  const out = path.join(dir, 'study');
  t.is(runCli([...SYNTH, '--out', out]).code, 0);
  const want = contentHashes(out);
  const victims = Object.keys(want)
    .filter((f) => f.endsWith('.wav'))
    .slice(0, 2);
  for (const v of victims) fs.rmSync(path.join(out, v));
  const loud = SYNTH.filter((a) => a !== '--quiet');
  const r = runCli([...loud, '--out', out]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /synth: done/);
  t.deepEqual(contentHashes(out), want);
  t.regex(runCli([...loud, '--out', out]).stderr, /synth: up to date/);
});

test('eeg-prep (a publishing stage) under SIGKILL at the artifact rename, the publish link and rename, and the stamp: re-run matches an uninterrupted run; gc leaves no temp', (t) => {
  const dir = setup(t);
  const bids = path.join(dir, 'study');
  t.is(runCli([...SYNTH, '--out', bids]).code, 0);
  const cfg = path.join(dir, 'eeg.json');
  fs.writeFileSync(cfg, JSON.stringify({ prep: { rate: 64 } }));
  const prep = (root: string, env: Record<string, string> = {}) =>
    runCli(
      ['eeg-prep', '--bids', bids, '--subject', '01', '--config', cfg, '--out', root, '--stamp', path.join(root, 'stamps', 'eeg-prep_sub-01.json'), '--quiet'],
      { env },
    );
  const ref = path.join(dir, 'ref');
  t.is(prep(ref).code, 0);
  const want = contentHashes(ref);
  for (const point of ['stage:rename', 'publish:link', 'publish:rename', 'stamp:write']) {
    const root = path.join(dir, point.replace(':', '-'));
    t.is(prep(root, { BRAINALIGN_KILL_AT: point }).code, -1, `${point}: killed`);
    t.false(fs.existsSync(path.join(root, 'stamps', 'eeg-prep_sub-01.json')), `${point}: no stamp after a kill`);
    const again = prep(root);
    t.is(again.code, 0, again.stderr);
    const gc = runCli(['cache', 'gc', '--out', root]);
    t.is(gc.code, 0, gc.stderr);
    t.deepEqual(temps(root), [], point);
    t.deepEqual(contentHashes(root), want, point);
  }
});

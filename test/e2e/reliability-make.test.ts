/**
 * make's recipes treat user paths as data: a ROOT holding spaces, quotes,
 * `;` and `$(…)` reaches `data verify` as one argument and runs nothing, and
 * paths that make itself must use as targets (D) are refused up front when
 * they hold characters make cannot quote. Build prerequisites are marked old
 * (-o) so only the input stage runs.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const KEEP_BUILD = ['-o', 'build', '-o', '.make/system-deps', '-o', 'node_modules/.package-lock.json', '-o', 'dist/cli.js'];

function make(args: string[]) {
  return spawnSync('make', ['--no-print-directory', ...KEEP_BUILD, ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
}

test('ROOT with spaces, quotes, ; and $(…) is one path to data verify; nothing injected runs', (t) => {
  const dir = tmpDir('ba-rel-make-');
  const injected = ['INJ1', 'INJ2', 'INJ3'].map((f) => path.join(REPO, f));
  t.teardown(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    for (const f of injected) fs.rmSync(f, { force: true });
  });
  const root = path.join(dir, `it's a "study" $(touch INJ1);touch INJ2;true \`touch INJ3\``);
  fs.mkdirSync(root);
  fs.writeFileSync(path.join(root, 'a.txt'), 'four');
  const manifest = path.join(dir, 'm.json');
  fs.writeFileSync(
    manifest,
    JSON.stringify({
      name: 't',
      description: 't',
      modality: 'stimuli',
      license: 'CC0',
      mapping: {},
      source: { url: 'x', citation: 'x', howToGet: 'x' },
      files: [{ path: 'a.txt', size: 4 }],
    }),
  );
  const d = path.join(dir, 'deriv');
  const stamp = path.join(d, 'stamps', 'input.json');
  const r = make([`DATASET=${manifest}`, `ROOT=${root}`, `D=${d}`, 'QUIET=--quiet', stamp]);
  t.is(r.status, 0, r.stderr);
  for (const f of injected) t.false(fs.existsSync(f), `${path.basename(f)} was not created`);
  const s = JSON.parse(fs.readFileSync(stamp, 'utf8')) as { dir: string; stage: string };
  t.is(s.stage, 'dataset');
  t.is(path.resolve(path.dirname(stamp), s.dir), root);
  // A missing file under the same root is reported against that root, still as one argument.
  fs.rmSync(path.join(root, 'a.txt'));
  fs.rmSync(stamp);
  fs.utimesSync(manifest, new Date(), new Date());
  const bad = make([`DATASET=${manifest}`, `ROOT=${root}`, `D=${d}`, 'QUIET=--quiet', stamp]);
  t.not(bad.status, 0);
  t.regex(bad.stdout, /missing +a\.txt/);
  t.false(fs.existsSync(stamp));
});

test('a derivatives root (a make target) with a space or shell characters is refused before any recipe runs', (t) => {
  for (const d of ['a b', 'x;touch INJ4', 'q"uote', 'd$$(x)']) {
    const r = make(['-n', `D=${d}`]);
    t.is(r.status, 2, d);
    t.regex(r.stderr, /D must be a plain path without spaces, quotes or shell characters/, d);
  }
  t.false(fs.existsSync(path.join(REPO, 'INJ4')));
});

import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { verbs } from '../../src/cli/verbs.js';
import { readConfig } from '../../src/cli/framework.js';
import { InputError } from '../../src/core/errors.js';
import { runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

test('top-level --help lists every registered verb and nothing else', (t) => {
  const r = runCli(['--help']);
  t.is(r.code, 0, r.stderr);
  for (const v of verbs) t.true(r.stdout.includes(`brainalign ${v.command}`), `missing ${v.command}`);
  const listed = r.stdout.split('\n').filter((l) => /^\s+brainalign \S/.test(l));
  t.is(listed.length, verbs.length);
});

for (const v of verbs) {
  const name = v.command.split(' ')[0];
  test(`${name} --help describes the verb and exits 0`, (t) => {
    const r = runCli([name, '--help']);
    t.is(r.code, 0, r.stderr);
    t.true(r.stdout.replace(/\s+/g, ' ').includes(v.describe), r.stdout);
    t.true(r.stdout.includes('--seed'));
  });
}

test('an unknown verb or option is one line on stderr and exit 2', (t) => {
  for (const args of [['frobnicate'], ['cache', 'ls', '--bogus'], ['--seed', '-1', 'cache', 'ls'], ['--jobs', '0', 'cache', 'ls']]) {
    const r = runCli(args);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, /^brainalign: [^\n]+: [^\n]+\n$/);
    t.false(r.stderr.includes('    at '), 'no stack trace without --debug');
  }
});

const Schema = z.strictObject({
  train: z.strictObject({ epochs: z.number().int().positive(), lr: z.number().default(1e-3) }),
  name: z.string().default('x'),
});

test('config validation names the file, the field and what was expected', (t) => {
  const dir = tmpDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const f = path.join(dir, 'cfg.json');
  fs.writeFileSync(f, JSON.stringify({ train: { epochs: 'ten' } }));
  const e1 = t.throws(() => readConfig(f, Schema), { instanceOf: InputError });
  t.is(e1?.message, `${f}: field "train.epochs": expected number, received string`);
  fs.writeFileSync(f, JSON.stringify({ train: { epochs: 3, lr: 0.1, momentum: 0.9 } }));
  const e2 = t.throws(() => readConfig(f, Schema), { instanceOf: InputError });
  t.is(e2?.message, `${f}: field "train": unknown key(s) "momentum"`);
  fs.writeFileSync(f, '{"train": ');
  const e3 = t.throws(() => readConfig(f, Schema), { instanceOf: InputError });
  t.regex(e3?.message ?? '', /cfg\.json: not valid JSON/);
  fs.writeFileSync(f, JSON.stringify({ train: { epochs: 3 } }));
  t.deepEqual(readConfig(f, Schema), { train: { epochs: 3, lr: 1e-3 }, name: 'x' });
  // "$comment" keys document a config and are not parameters.
  fs.writeFileSync(f, JSON.stringify({ $comment: 'doc', train: { $comment: { epochs: 'passes' }, epochs: 3 } }));
  t.deepEqual(readConfig(f, Schema), { train: { epochs: 3, lr: 1e-3 }, name: 'x' });
  const e4 = t.throws(() => readConfig(path.join(dir, 'missing.json'), Schema), { instanceOf: InputError });
  t.regex(e4?.message ?? '', /missing\.json: cannot read config \(ENOENT\)/);
});

test('cache takes the derivatives root as --out, like every stage verb; --root, its older name, still works and may not disagree', (t) => {
  const dir = tmpDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const flag of ['--out', '--root']) {
    const r = runCli(['cache', 'ls', flag, dir]);
    t.is(r.code, 0, r.stderr);
    t.is(r.stdout, `no artifacts under ${dir}\n`, flag);
  }
  const both = runCli(['cache', 'ls', '--out', dir, '--root', path.join(dir, 'other')]);
  t.is(both.code, 2);
  t.regex(both.stderr, /^brainalign: --root: is the older name of --out/);
});

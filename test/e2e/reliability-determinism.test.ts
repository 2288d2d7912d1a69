/**
 * Same seed, same bytes, wherever the project sits: a small stage chain
 * (synth → train → features → study-mode encode, the smallest study and
 * network the train tests use) runs in two roots with different absolute
 * paths; every file except provenance.json (times, absolute paths, argv by
 * design) and the .cache/ hash memo must be byte-identical, and no other file
 * may name its root.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { hashFileContent } from '../../src/core/hash.js';
import { defined } from '../helpers/defined.js';
import { tinyBanModel, tinyBanTraining } from '../helpers/tiny-ban.js';

const CFG = {
  model: tinyBanModel(),
  train: tinyBanTraining(2),
  encode: { nPerm: 20 },
};

function chain(root: string): void {
  fs.mkdirSync(root, { recursive: true });
  const cfg = path.join(root, 'cfg.json');
  fs.writeFileSync(cfg, JSON.stringify(CFG));
  const s = path.join(root, 's');
  const d = path.join(root, 'd');
  const steps = [
    ['synth', '--small', '--clips-per-genre', '3', '--out', s],
    ['train', '--stimuli', path.join(s, 'stimuli'), '--config', cfg, '--out', d, '--stamp', path.join(d, 'stamps', 'train.json')],
    [
      'features',
      '--model',
      path.join(d, 'stamps', 'train.json'),
      '--stimuli',
      path.join(s, 'stimuli'),
      '--config',
      cfg,
      '--out',
      d,
      '--stamp',
      path.join(d, 'stamps', 'features.json'),
    ],
    [
      'encode',
      '--features',
      path.join(d, 'stamps', 'features.json'),
      '--bids',
      s,
      '--subject',
      '01',
      '--config',
      cfg,
      '--out',
      d,
      '--stamp',
      path.join(d, 'stamps', 'encode.json'),
    ],
  ];
  for (const args of steps) {
    const r = runCli([...args, '--quiet']);
    if (r.code !== 0) throw new Error(`${args[0]} in ${root}: ${r.stderr}`);
  }
}

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk('');
  return out.sort();
}

test('two roots, one seed: every output but provenance.json is byte-identical and none names its root', (t) => {
  const base = tmpDir('ba-rel-det-');
  t.teardown(() => fs.rmSync(base, { recursive: true, force: true }));
  const a = path.join(base, 'a');
  const b = path.join(base, 'second root');
  chain(a);
  chain(b);
  const fa = files(a);
  t.deepEqual(fa, files(b));
  const compared = fa.filter((f) => path.basename(f) !== 'provenance.json' && !f.includes('/.cache/'));
  t.true(
    compared.some((f) => f.endsWith('metrics.tsv')) && compared.some((f) => f.endsWith('summary.json')) && compared.some((f) => /_encoding\.json$/.test(f)),
  );
  t.true(compared.length > 150, `${compared.length} files compared`);
  const differ = compared.filter((f) => hashFileContent(path.join(a, f)) !== hashFileContent(path.join(b, f)));
  t.deepEqual(differ, []);
  const naming = compared.filter((f) => /\.(json|tsv|txt)$/.test(f) && fs.readFileSync(path.join(a, f), 'utf8').includes(a));
  t.deepEqual(naming, [], 'no output but provenance.json holds an absolute path');
  // The times and paths did not vanish: provenance.json keeps them.
  const prov = defined(
    fa.find((f) => f.startsWith('d/artifacts/train/') && f.endsWith('provenance.json')),
    "the train artifact's provenance.json",
  );
  const pa = JSON.parse(fs.readFileSync(path.join(a, prov), 'utf8')) as {
    runtime: { wallSeconds: number; epochSeconds: number[] };
    inputs: { stimuli: { path: string } };
  };
  t.is(pa.runtime.epochSeconds.length, 2);
  t.true(pa.runtime.wallSeconds > 0);
  t.true(pa.inputs.stimuli.path.startsWith(a));
});

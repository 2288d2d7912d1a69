/**
 * `brainalign synth` as make calls it: sizes from options, a completion stamp
 * that resolves to the study, re-runs replace an earlier synth output
 * atomically, and a foreign non-empty folder is refused with one line (exit 2).
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli/main.js';
import { readStamp } from '../../src/pipeline/stage.js';
import { readEdf } from '../../src/io/edf.js';
import { readTsv } from '../../src/io/tsv.js';
import { tmpDir } from '../helpers/tmp.js';

async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  const chunks: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((c: string | Uint8Array) => {
    chunks.push(typeof c === 'string' ? c : Buffer.from(c).toString());
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stderr: chunks.join('') };
  } finally {
    process.stderr.write = orig;
  }
}

test.serial('synth --small writes the study, honours size options and writes a stamp that resolves to it', async (t) => {
  const root = tmpDir('synth-cli-');
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const out = path.join(root, 'study');
  const stamp = path.join(root, 'stamps', 'synth.json');
  const r = await run(['synth', '--small', '--quiet', '--seed', '4', '--out', out, '--stamp', stamp, '--clips-per-genre', '3', '--format', 'edf']);
  t.is(r.code, 0, r.stderr);
  const stim = readTsv(path.join(out, 'stimuli', 'stimuli.tsv'));
  t.is(stim.rows.length, 9);
  // EDF+ (16-bit): the Status codes and annotations still match events.tsv.
  const edf = readEdf(path.join(out, 'sub-01', 'eeg', 'sub-01_task-listen_eeg.edf'));
  const ev = readTsv(path.join(out, 'sub-01', 'eeg', 'sub-01_task-listen_events.tsv'));
  t.deepEqual(
    edf.triggers.map((x) => x.code),
    ev.rows.map((r) => Number(r.value)),
  );
  t.deepEqual(
    edf.annotations.filter((x) => x.text.startsWith('stim ')).map((x) => x.text.slice(5)),
    ev.rows.map((r) => r.stim_id),
  );
  t.is(edf.header.format, 'edf');
  const s = readStamp(stamp);
  t.is(s.stage, 'synth');
  t.is(path.resolve(path.dirname(stamp), s.dir), out);
  // A re-run with another size replaces the earlier output entirely (no stale clips).
  const r2 = await run(['synth', '--small', '--quiet', '--seed', '4', '--out', out]);
  t.is(r2.code, 0, r2.stderr);
  t.is(readTsv(path.join(out, 'stimuli', 'stimuli.tsv')).rows.length, 6);
  t.false(fs.existsSync(path.join(out, 'sub-01', 'eeg', 'sub-01_task-listen_eeg.edf')));
  t.deepEqual(
    fs.readdirSync(root).filter((f) => f.includes('.tmp-synth')),
    [],
  );
  // The same seed and size again: nothing is regenerated, the stamp is still written.
  const bold = path.join(out, 'stimuli', 'stimuli.tsv');
  const before = fs.statSync(bold);
  fs.rmSync(stamp);
  const r3 = await run(['synth', '--small', '--seed', '4', '--out', out, '--stamp', stamp]);
  t.is(r3.code, 0, r3.stderr);
  t.regex(r3.stderr, /synth: up to date/);
  t.is(fs.statSync(bold).mtimeMs, before.mtimeMs);
  t.is(path.resolve(path.dirname(stamp), readStamp(stamp).dir), out);
  t.not(readStamp(stamp).key, s.key, 'a different size has a different key');
  // Another seed regenerates.
  const r4 = await run(['synth', '--small', '--quiet', '--seed', '5', '--out', out]);
  t.is(r4.code, 0, r4.stderr);
  t.not(fs.statSync(bold).mtimeMs, before.mtimeMs);
});

test.serial('a foreign non-empty output folder, a bad grid or an unknown genre is one line on stderr and exit 2', async (t) => {
  const root = tmpDir('synth-cli-');
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.writeFileSync(path.join(root, 'precious.txt'), 'keep me');
  for (const args of [
    ['synth', '--small', '--out', root],
    ['synth', '--small', '--out', path.join(root, 'x'), '--grid', '12,12'],
    ['synth', '--small', '--out', path.join(root, 'y'), '--genres', 'polka'],
  ]) {
    const r = await run(args);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, /^brainalign: [^\n]+: [^\n]+\n$/);
  }
  t.is(fs.readFileSync(path.join(root, 'precious.txt'), 'utf8'), 'keep me');
});

test.serial('configs that cannot be generated are refused by field: repeated genres, more training runs than training clips', async (t) => {
  const root = tmpDir('synth-cli-');
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const cfgFile = path.join(root, 'cfg.json');
  fs.writeFileSync(cfgFile, JSON.stringify({ stimuli: { genres: ['rock', 'metal'], clipsPerGenre: 1 }, fmri: { trainRuns: 2 } }));
  const a = await run(['synth', '--config', cfgFile, '--out', path.join(root, 'a')]);
  t.is(a.code, 2);
  t.regex(a.stderr, /cfg\.json: field "fmri\.trainRuns": 2 training runs need/);
  const b = await run(['synth', '--small', '--genres', 'rock,rock', '--out', path.join(root, 'b')]);
  t.is(b.code, 2);
  t.regex(b.stderr, /field "stimuli\.genres": genres must not repeat/);
});

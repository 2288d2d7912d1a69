import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTsv, writeTsv, formatTsvNumber, tsvNumber, tsvSidecarPath, finiteOrNull } from '../../src/io/tsv.js';
import { InputError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/prng.js';
import { conformanceRoot } from '../helpers/conformance.js';
import { pyArgs as py } from '../helpers/python.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-tsv-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('numbers keep up to 6 significant digits, integers stay exact, n/a and inf are spelled as pandas reads them', (t) => {
  t.is(formatTsvNumber(0.1 + 0.2), '0.3');
  t.is(formatTsvNumber(1 / 3), '0.333333');
  t.is(formatTsvNumber(-2.5), '-2.5');
  t.is(formatTsvNumber(123456.7), '123457');
  t.is(formatTsvNumber(1234567.8), '1.23457e+6');
  t.is(formatTsvNumber(1.5e-9), '1.5e-9');
  t.is(formatTsvNumber(600), '600');
  t.is(formatTsvNumber(12345678901), '12345678901');
  t.is(formatTsvNumber(-0), '0');
  t.is(formatTsvNumber(NaN), 'n/a');
  t.is(formatTsvNumber(-Infinity), '-inf');
});

test('a written table round-trips through pandas.read_csv and the csv module; relative error ≤ 5e-6; same rows → same bytes', (t) => {
  const rng = new Rng(8, 'tsv');
  const rows = Array.from({ length: 200 }, (_, i) => ({
    onset: i * 1.5,
    duration: rng.uniform() * 10 ** rng.range(-8, 8),
    trial_type: i % 3 === 0 ? 'music' : 'speech sample',
    response_time: i % 5 === 0 ? null : rng.normal(),
    count: i - 100,
  }));
  const cols = ['onset', 'duration', 'trial_type', 'response_time', 'count'];
  const f = path.join(tmp, 'events.tsv');
  const sidecar = {
    onset: { Description: 'stimulus start', Units: 's' },
    trial_type: { Description: 'stimulus class', Levels: { music: 'a song', 'speech sample': 'spoken words' } },
  };
  writeTsv(f, cols, rows, sidecar);
  const first = fs.readFileSync(f);
  writeTsv(
    path.join(tmp, 'again.tsv'),
    cols,
    rows.map((r) => ({ ...r })),
    sidecar,
  );
  t.true(first.equals(fs.readFileSync(path.join(tmp, 'again.tsv'))));
  const ref = py<{ cols: string[]; dtypes: string[]; duration: number[]; rt: (number | null)[]; tt: string[]; csvRows: number; count: number[] }>(
    `import sys, json, csv, pandas as pd
df = pd.read_csv(sys.argv[1], sep='\\t', na_values=['n/a'], keep_default_na=False)
with open(sys.argv[1], newline='') as fh: r = list(csv.reader(fh, delimiter='\\t'))
print(json.dumps({"cols": list(df.columns), "dtypes": [str(d) for d in df.dtypes], "duration": df.duration.tolist(),
  "rt": [None if v != v else v for v in df.response_time.tolist()], "tt": df.trial_type.tolist(), "count": df['count'].tolist(),
  "csvRows": len(r) - 1 if all(len(x) == len(r[0]) for x in r) else -1}))`,
    f,
  );
  t.deepEqual(ref.cols, cols);
  t.deepEqual(ref.dtypes, ['float64', 'float64', 'object', 'float64', 'int64']);
  t.is(ref.csvRows, 200);
  rows.forEach((r, i) => {
    t.true(Math.abs(ref.duration[i] - r.duration) <= 5e-6 * Math.abs(r.duration), `${ref.duration[i]} vs ${r.duration}`);
    if (r.response_time === null) t.is(ref.rt[i], null);
    else t.true(Math.abs((ref.rt[i] ?? NaN) - r.response_time) <= 5e-6 * Math.abs(r.response_time));
    t.is(ref.tt[i], r.trial_type);
    t.is(ref.count[i], r.count);
  });
  const side = JSON.parse(fs.readFileSync(tsvSidecarPath(f), 'utf8')) as Record<string, { Units?: string }>;
  t.is(side.onset.Units, 's');
  const back = readTsv(f);
  t.deepEqual(back.columns, cols);
  t.is(back.rows[0].response_time, 'n/a');
  t.is(tsvNumber(back.rows[0].response_time, f, 'response_time'), null);
  t.is(tsvNumber(back.rows[3].onset, f, 'onset'), 4.5);
});

test('reads the ds003720 events.tsv (CRLF line ends): 41 rows, onset 0..600 step 15, duration 15, quoted genre kept verbatim', (t) => {
  const f = path.join(conformanceRoot(), 'music_neuro/OpenNeuroDatasets__ds003720/sub-001/func/sub-001_task-Training_run-01_events.tsv');
  const tab = readTsv(f);
  t.deepEqual(tab.columns, ['onset', 'duration', 'genre', 'track', 'start', 'end']);
  t.is(tab.rows.length, 41);
  tab.rows.forEach((r, i) => {
    t.is(tsvNumber(r.onset, f, 'onset'), 15 * i);
    t.is(tsvNumber(r.duration, f, 'duration'), 15);
  });
  t.is(tab.rows[0].genre, "'disco'");
  t.is(tab.rows[1].end, '21.46');
});

test('malformed tables and cells are InputErrors naming the line or column', (t) => {
  const f = path.join(tmp, 'bad.tsv');
  const cases: [string, RegExp][] = [
    ['', /empty TSV/],
    ['a\tb\n1\t2\n3\n', /line 3 has 1 cells, the header has 2/],
    ['a\ta\n1\t2\n', /duplicate column "a"/],
  ];
  for (const [text, msg] of cases) {
    fs.writeFileSync(f, text);
    const e = t.throws(() => readTsv(f));
    t.true(e instanceof InputError);
    t.regex((e as InputError).problem, msg);
  }
  const e1 = t.throws(() => tsvNumber('1.2.3', f, 'onset'));
  t.true(e1 instanceof InputError && /column "onset"/.test(e1.problem));
  const e2 = t.throws(() => writeTsv(f, ['a'], [{ a: 'x\ty' }]));
  t.true(e2 instanceof InputError && /tab or newline/.test(e2.problem));
  const e3 = t.throws(() => writeTsv(f, ['a'], [], { b: { Description: 'x' } }));
  t.true(e3 instanceof InputError && /column "b"/.test(e3.problem));
  // Refused writes leave the previous file untouched.
  t.is(fs.readFileSync(f, 'utf8'), 'a\ta\n1\t2\n');
});

test('finiteOrNull keeps finite scores and turns NaN, ±Infinity, null and undefined into n/a cells', (t) => {
  t.deepEqual([0, -2.5, NaN, Infinity, -Infinity, null, undefined].map(finiteOrNull), [0, -2.5, null, null, null, null, null]);
});

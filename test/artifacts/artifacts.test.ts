/**
 * The typed artifact formats (src/artifacts/): what a writer writes, its
 * reader returns with the declared types (n/a and non-finite scores as null,
 * integers checked), pandas reads the same table, a column under another
 * name is an InputError naming the file and the column, a JSON file is
 * checked against its schema on both sides, and the segments opener checks
 * the array against its sidecar before reading it.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { InputError } from '../../src/core/errors.js';
import { readTable, table, writeTable } from '../../src/artifacts/table.js';
import { readJsonFile, writeJsonFile } from '../../src/artifacts/json.js';
import { openSegments, writeSegments, type SegmentsSidecar } from '../../src/artifacts/segments.js';
import { writeNpy } from '../../src/io/npy.js';
import { pyArgs } from '../helpers/python.js';
import { tmpDir } from '../helpers/tmp.js';

const scores = table({ model: 'text', checkpoint: 'optText', n: 'int', r: 'num' }, { r: { Description: 'held-out r', Units: 'unitless' } });

test('a table comes back as written, typed; NaN and ±inf scores read as missing; extra columns follow; pandas reads the same cells', (t) => {
  const dir = tmpDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const f = path.join(dir, 'scores.tsv');
  writeTable(
    f,
    scores,
    [
      { model: 'ban', checkpoint: null, n: 3, r: 0.25, r_norm_a1: 0.5 },
      { model: 'cnn', checkpoint: 'epoch-0002', n: 0, r: Number.NaN, r_norm_a1: null },
      { model: 'cnn', checkpoint: 'best', n: 7, r: Number.POSITIVE_INFINITY, r_norm_a1: -1 },
    ],
    { extra: { columns: ['r_norm_a1'], describe: { r_norm_a1: { Description: 'per-ROI' } } } },
  );
  const back = readTable(f, scores);
  t.deepEqual(back.rows, [
    { model: 'ban', checkpoint: null, n: 3, r: 0.25 },
    { model: 'cnn', checkpoint: 'epoch-0002', n: 0, r: null },
    { model: 'cnn', checkpoint: 'best', n: 7, r: null },
  ]);
  t.deepEqual(back.extra, ['r_norm_a1']);
  t.deepEqual(
    back.extraCells.map((c) => c.r_norm_a1),
    ['0.5', 'n/a', '-1'],
  );
  t.deepEqual(
    Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'scores.json'), 'utf8')) as object),
    ['r', 'r_norm_a1'],
    'sidecar: the declared and the extra descriptions',
  );
  const pandas = pyArgs<unknown>(
    `import pandas as pd, json, sys
d = pd.read_csv(sys.argv[1], sep='\\t')
print(json.dumps({'cols': list(d.columns), 'n': [int(x) for x in d['n']], 'r0': float(d['r'][0]), 'na': bool(pd.isna(d['r'][1])), 'ck0': bool(pd.isna(d['checkpoint'][0]))}))`,
    f,
  );
  t.deepEqual(pandas, { cols: ['model', 'checkpoint', 'n', 'r', 'r_norm_a1'], n: [3, 0, 7], r0: 0.25, na: true, ck0: true });
});

test('a declared column under another name, a non-integer count or a missing required value is an InputError naming the file and column', (t) => {
  const dir = tmpDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const f = path.join(dir, 't.tsv');
  fs.writeFileSync(f, 'model\tcheckpoint\tn\tscore\nban\tn/a\t3\t0.2\n');
  let e = t.throws(() => readTable(f, scores), { instanceOf: InputError });
  t.is(e?.where, f);
  t.is(e?.problem, 'no "r" column');
  fs.writeFileSync(f, 'model\tcheckpoint\tn\tr\nban\tn/a\t2.5\t0.2\n');
  e = t.throws(() => readTable(f, scores), { instanceOf: InputError });
  t.is(e?.problem, 'line 2, column "n": an integer is required, got "2.5"');
  fs.writeFileSync(f, 'model\tcheckpoint\tn\tr\nn/a\tn/a\t2\t0.2\n');
  e = t.throws(() => readTable(f, scores), { instanceOf: InputError });
  t.is(e?.problem, 'line 2, column "model": a value is required');
});

test('JSON artifacts: the writer checks what it serialises (NaN → null) against the schema the reader parses with', (t) => {
  const dir = tmpDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const schema = z.object({ level: z.number().gt(0).lt(1), score: z.number().nullable() }).strict();
  const f = path.join(dir, 'summary.json');
  writeJsonFile(f, schema, { level: 0.95, score: Number.NaN });
  t.deepEqual(readJsonFile(f, schema), { level: 0.95, score: null });
  t.throws(() => writeJsonFile(f, schema, { level: 95, score: 1 }), { message: /writer produced an invalid "level"/ });
  t.deepEqual(readJsonFile(f, schema), { level: 0.95, score: null }, 'the refused write left the file as it was');
  fs.writeFileSync(f, JSON.stringify({ level: 0.95 }));
  const e = t.throws(() => readJsonFile(f, schema), { instanceOf: InputError });
  t.regex(e?.problem ?? '', /^field "score"/);
});

function sidecar(nSeg: number, nCh: number, nT: number): SegmentsSidecar {
  return {
    shape: [nSeg, nCh, nT],
    axes: ['segment', 'channel', 'time'],
    units: 'uV',
    subject: 'sub-01',
    task: 'listen',
    rate_hz: 64,
    shift_s: 0.2,
    segment_s: nT / 64,
    channels: Array.from({ length: nCh }, (_, i) => `E${i + 1}`),
    bad_channels: [],
    bad_channel_action: 'interpolate',
    stim_ids: Array.from({ length: nSeg }, (_, i) => `s${i}`),
    segment_onsets_s: Array.from({ length: nSeg }, (_, i) => 10 * i),
    skipped_events: [],
    sources: ['sub-01_eeg.bdf'],
    parameters: {},
  };
}

test('segments: written and opened back bit for bit; an array that disagrees with its sidecar is refused before it is read', (t) => {
  const dir = tmpDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const data = Float32Array.from({ length: 3 * 2 * 5 }, (_, i) => Math.sin(i) * 1e-3 + i);
  writeSegments(dir, '01', 'listen', data, sidecar(3, 2, 5), [
    { recording: 'r1', name: 'E1', status: 'good', marked_bad: 'no', z_logvar: 0.1, neighbour_r: null, sd_uv: 3 },
  ]);
  const [s] = openSegments(dir);
  t.deepEqual(s.meta.stim_ids, ['s0', 's1', 's2']);
  t.deepEqual(Array.from(s.read()), Array.from(data));
  t.true(fs.existsSync(path.join(dir, 'sub-01', 'eeg', 'sub-01_task-listen_desc-badchannels_channels.tsv')));
  writeNpy(s.file, new Float32Array(4 * 2 * 5), [4, 2, 5]);
  const e = t.throws(() => openSegments(dir), { instanceOf: InputError });
  t.regex(e?.problem ?? '', /shape \[3, 2, 5\] disagrees with the array's \[4, 2, 5\]/);
  fs.rmSync(path.join(dir, 'sub-01'), { recursive: true });
  t.throws(() => openSegments(dir), { instanceOf: InputError, message: /no \*_desc-segments_eeg\.npy/ });
});

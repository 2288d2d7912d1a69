/**
 * The features artifact's format without a network: a planted two-clip set
 * written and read back (rows laid end to end, the matrix row-major as
 * numpy reads it, the rate in Hz under one name), a per-checkpoint series,
 * and a space holding a NaN refused with the clip it falls in.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { layoutRows, openFeaturesArtifact, readClipRows, writeFeatureSeries, writeFeatureSet, type FeatureSpaceData } from '../../src/artifacts/features.js';
import { openFeatureStore } from '../../src/encoding/feature-store.js';
import { pyArgs } from '../helpers/python.js';
import { tmpDir } from '../helpers/tmp.js';

const tmp = tmpDir('ba-art-features-');
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

const clips = layoutRows([
  { stimId: 'a', nRows: 2, duration: 1.2 },
  { stimId: 'b', nRows: 3, duration: 1.9 },
]);
const space = (data: number[]): FeatureSpaceData => ({
  area: 'belt',
  iteration: 1,
  nFeatures: 2,
  data: Float32Array.from(data),
  windowing: 'planted',
  units: 'a.u.',
  pca: null,
});

test('a planted set reads back: clip rows end to end, values row-major as numpy sees them, rate 1.5 Hz spelled once', (t) => {
  const dir = path.join(tmp, 'set');
  const values = [0, 1, 10, 11, 20, 21, 30, 31, 40, 41];
  writeFeatureSet(dir, { model: 'm', checkpoint: 'best', rate: 1.5, areas: ['belt'], source: { planted: true } }, clips, [space(values)]);
  t.deepEqual(
    readClipRows(dir).map((c) => [c.stimId, c.rowStart, c.nRows]),
    [
      ['a', 0, 2],
      ['b', 2, 3],
    ],
  );
  const art = openFeaturesArtifact(dir);
  t.like(art.index(), { model: 'm', checkpoint: 'best', rate: 1.5, rows: 5 });
  const side = art.sidecar('m', 'belt', 1);
  t.deepEqual([side.rate, side.rate_units, side.shape], [1.5, 'Hz', [5, 2]]);
  t.false(JSON.stringify(side).includes('rate_hz'));
  const np = pyArgs<number[][]>('import sys, json, numpy as np; print(json.dumps(np.load(sys.argv[1]).tolist()))', path.join(dir, 'm', 'belt', 'iter-1.npy'));
  t.deepEqual(np, [
    [0, 1],
    [10, 11],
    [20, 21],
    [30, 31],
    [40, 41],
  ]);
  const store = openFeatureStore(dir);
  t.deepEqual(
    store.spaces.map((s) => [s.area, s.iteration, s.rate]),
    [['belt', 1, 1.5]],
  );
  // The encode reader takes the rate from the writer's schema: another spelling is refused, naming the sidecar.
  const sideFile = path.join(dir, 'm', 'belt', 'iter-1.json');
  const { rate, ...rest } = side;
  fs.writeFileSync(sideFile, JSON.stringify({ ...rest, rate_hz: rate }));
  t.throws(() => openFeatureStore(dir), { instanceOf: InputError, message: /iter-1\.json: field "rate"/ });
});

test('a series: one set per checkpoint, the top level lists them and shares the clip rows', (t) => {
  const dir = path.join(tmp, 'series');
  for (const ck of ['epoch-0000', 'epoch-0005'])
    writeFeatureSet(path.join(dir, ck), { model: 'm', checkpoint: ck, rate: 2, areas: ['belt'], source: {} }, clips, [
      space(Array(10).fill(ck === 'epoch-0000' ? 0 : 1)),
    ]);
  writeFeatureSeries(dir, { model: 'm', checkpoints: ['epoch-0000', 'epoch-0005'], rate: 2, source: {} });
  const art = openFeaturesArtifact(dir);
  t.deepEqual(art.clipRows(), readClipRows(path.join(dir, 'epoch-0005')));
  t.like(art.set('epoch-0005').index(), { checkpoint: 'epoch-0005' });
  t.throws(() => art.set('epoch-0001'), { instanceOf: InputError, message: /holds checkpoints epoch-0000, epoch-0005/ });
});

test('a NaN in clip b’s rows is refused naming the clip, and the space is not written', (t) => {
  const dir = path.join(tmp, 'nan');
  const values = Array<number>(10).fill(0);
  values[7] = NaN;
  const e = t.throws(() => writeFeatureSet(dir, { model: 'm', checkpoint: null, rate: 1, areas: ['belt'], source: {} }, clips, [space(values)]), {
    instanceOf: InputError,
  });
  t.is(e?.where, 'stimulus b');
  t.regex(e?.problem ?? '', /m\/belt iteration 1 gives NaN at row 3/);
  t.false(fs.existsSync(path.join(dir, 'm', 'belt', 'iter-1.npy')));
});

/**
 * Alignment vs task performance without pseudo-replication
 * (src/scoring/align-performance.ts): one point per distinct model across
 * models, checkpoints only within their model, and one held-out clip-level
 * performance measure.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/core/prng.js';
import { writeTsv } from '../../src/io/tsv.js';
import { spearman } from '../../src/stats/correlation.js';
import { alignmentVsPerformance, epochOf, finalPerModel, heldOutClipAccuracy, readTrainSplit, type PerfPoint } from '../../src/scoring/align-performance.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'align-perf-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the final point of a model is its trained model when encoded, else its last saved epoch', (t) => {
  t.is(epochOf('epoch-0005'), 5);
  t.is(epochOf('best'), null);
  t.is(epochOf(null), null);
  const pts = [
    { model: 'b', checkpoint: 'epoch-0010' },
    { model: 'b', checkpoint: 'epoch-0002' },
    { model: 'a', checkpoint: 'epoch-0030' },
    { model: 'a', checkpoint: 'best' },
    { model: 'a', checkpoint: 'epoch-0005' },
    { model: 'logmel', checkpoint: null },
  ];
  t.deepEqual(
    finalPerModel(pts).map((p) => `${p.model}@${p.checkpoint}`),
    ['a@best', 'b@epoch-0010', 'logmel@null'],
  );
});

test('planted: within every model alignment rises with accuracy (ρ = 1 each), across the 4 final models it falls (ρ = −1); pooling the 16 checkpoints would claim ρ = +0.39', (t) => {
  // Model m's checkpoints climb in accuracy (0.2 + 0.15m + 0.15e) and in alignment (0.7 − 0.2m + 0.5e).
  // Final models (e = 3): accuracy 0.65, 0.80, 0.95, 1.10 rising; alignment 2.2, 2.0, 1.8, 1.6 falling.
  const points: PerfPoint[] = [];
  for (let m = 0; m < 4; m++) {
    for (let e = 0; e < 4; e++) {
      points.push({
        model: `m${m}`,
        checkpoint: `epoch-000${e}`,
        performance: 0.2 + 0.15 * m + 0.15 * e,
        alignment: 0.7 - 0.2 * m + 0.5 * e,
        rsa: 0.1 * e - 0.05 * m,
      });
    }
  }
  const rows = alignmentVsPerformance(points, { nBoot: 300, level: 0.95, rng: new Rng(1) });
  const across = rows.find((r) => r.scope === 'across-models' && r.measure === 'encoding');
  t.truthy(across);
  t.is(across?.n, 4);
  t.is(across?.spearman, -1);
  t.true((across?.ci?.lo ?? NaN) <= -1 + 1e-12 && (across?.ci?.hi ?? NaN) >= -1 - 1e-12);
  const within = rows.filter((r) => r.scope === 'within-model' && r.measure === 'encoding');
  t.deepEqual(
    within.map((r) => `${r.model}:${r.spearman}:${r.n}:${r.ci}`),
    ['m0:1:4:null', 'm1:1:4:null', 'm2:1:4:null', 'm3:1:4:null'],
  );
  const pooled = spearman(
    points.map((p) => p.alignment),
    points.map((p) => p.performance as number),
  );
  t.log(`pooled over checkpoints ρ = ${pooled.toFixed(3)}, across distinct models ρ = ${across?.spearman}`);
  t.true(Math.abs(pooled - 0.393) < 0.001);
});

test('fewer than 3 distinct models: no across-model row, however many checkpoints', (t) => {
  const points: PerfPoint[] = Array.from({ length: 10 }, (_, e) => ({
    model: e < 5 ? 'a' : 'b',
    checkpoint: `epoch-${e}`,
    performance: e / 10,
    alignment: e,
    rsa: null,
  }));
  const rows = alignmentVsPerformance(points, { nBoot: 50, level: 0.95, rng: new Rng(2) });
  t.deepEqual(
    rows.filter((r) => r.scope === 'across-models'),
    [],
  );
  t.is(rows.filter((r) => r.scope === 'within-model').length, 2);
});

test('held-out clip accuracy counts test-split clips only, by hand: 2 of 3', (t) => {
  const a = path.join(tmp, 'cli');
  // brainalign train's layout: stim_id, genre, split.
  writeTsv(
    path.join(a, 'split.tsv'),
    ['stim_id', 'genre', 'split'],
    [
      { stim_id: 'rock.00000', genre: 'rock', split: 'test' },
      { stim_id: 'rock.00001', genre: 'rock', split: 'train' },
      { stim_id: 'jazz.00000', genre: 'jazz', split: 'test' },
      { stim_id: 'jazz.00001', genre: 'jazz', split: 'val' },
      { stim_id: 'pop.00000', genre: 'pop', split: 'test' },
    ],
  );
  // Train and validation clips are classified right but must not count; one test clip is wrong.
  const choices = new Map([
    ['rock.00000', 'rock'],
    ['rock.00001', 'rock'],
    ['jazz.00000', 'pop'],
    ['jazz.00001', 'jazz'],
    ['pop.00000', 'pop'],
  ]);
  t.deepEqual(heldOutClipAccuracy(choices, readTrainSplit(a)), { accuracy: 2 / 3, n: 3 });
  // One layout only: the library's old clip column is refused, naming the file.
  const b = path.join(tmp, 'lib');
  writeTsv(path.join(b, 'split.tsv'), ['clip', 'genre', 'split'], [{ clip: 'rock/rock.00000.wav', genre: 'rock', split: 'test' }]);
  t.throws(() => readTrainSplit(b), { message: /split\.tsv: no "stim_id" column/ });
  // No split recorded: no held-out measure.
  t.is(heldOutClipAccuracy(choices, readTrainSplit(path.join(tmp, 'none'))), null);
});

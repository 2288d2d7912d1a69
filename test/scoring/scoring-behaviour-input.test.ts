/**
 * What s_b is fed from a train artifact: the held-out test clips' choices and
 * softmax (p_<genre> columns of eval/predictions.tsv), aligned with the
 * listeners' judgements.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { writeTsv } from '../../src/io/tsv.js';
import { behaviourInput } from '../../src/scoring/align.js';
import { modelChoices } from '../../src/scoring/model-choices.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-input-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

function trainDir(name: string, rows: Record<string, string | number>[], columns: string[]): string {
  const dir = path.join(tmp, name);
  writeTsv(path.join(dir, 'eval', 'predictions.tsv'), columns, rows);
  return dir;
}

const ROWS = [
  { stim_id: 'a', true_genre: 'jazz', predicted_genre: 'jazz', split: 'train', p_blues: 0.01, p_jazz: 0.98, p_rock: 0.01 },
  { stim_id: 'b', true_genre: 'jazz', predicted_genre: 'blues', split: 'test', p_blues: 0.6, p_jazz: 0.3, p_rock: 0.1 },
  { stim_id: 'c', true_genre: 'blues', predicted_genre: 'blues', split: 'test', p_blues: 0.7, p_jazz: 0.2, p_rock: 0.1 },
  { stim_id: 'd', true_genre: 'blues', predicted_genre: 'jazz', split: 'val', p_blues: 0.4, p_jazz: 0.5, p_rock: 0.1 },
];

test('only held-out test clips enter s_b when the split names any; p_<genre> columns give the softmax', (t) => {
  const dir = trainDir('split', ROWS, ['stim_id', 'true_genre', 'predicted_genre', 'split', 'p_blues', 'p_jazz', 'p_rock']);
  const { choices, probs } = modelChoices(dir, null);
  t.deepEqual(
    [...choices],
    [
      ['b', 'blues'],
      ['c', 'blues'],
    ],
  );
  t.deepEqual(
    [...(probs.get('b') ?? [])],
    [
      ['blues', 0.6],
      ['jazz', 0.3],
      ['rock', 0.1],
    ],
  );
  t.false(probs.has('a'));
  // No test clip at all (every clip fitted or validated): every row is scored.
  const noTest = trainDir(
    'no-test',
    ROWS.map((r) => ({ ...r, split: 'train' })),
    ['stim_id', 'true_genre', 'predicted_genre', 'split', 'p_blues', 'p_jazz', 'p_rock'],
  );
  t.is(modelChoices(noTest, null).choices.size, 4);
  // The table's format is fixed: a table without split and p_<genre> columns, or with a non-probability, is refused naming the file.
  const old = trainDir('old', ROWS, ['stim_id', 'true_genre', 'predicted_genre']);
  t.throws(() => modelChoices(old, null), { instanceOf: InputError, message: /predictions\.tsv: no "split" column/ });
  const bad = trainDir('bad', [{ ...ROWS[1], p_blues: 'x' }], ['stim_id', 'true_genre', 'predicted_genre', 'split', 'p_blues', 'p_jazz']);
  t.throws(() => modelChoices(bad, null), { instanceOf: InputError, message: /p_blues/ });
  const over = trainDir('over', [{ ...ROWS[1], p_blues: 1.5 }], ['stim_id', 'true_genre', 'predicted_genre', 'split', 'p_blues', 'p_jazz']);
  t.throws(() => modelChoices(over, null), { instanceOf: InputError, message: /not a probability/ });
});

test('behaviourInput lays the softmax out over every genre, including one no listener chose (rows still sum to 1)', (t) => {
  const dir = trainDir('layout', ROWS, ['stim_id', 'true_genre', 'predicted_genre', 'split', 'p_blues', 'p_jazz', 'p_rock']);
  const humans = {
    subjects: ['sub-01', 'sub-02'],
    trials: new Map([
      [
        'b',
        {
          trueGenre: 'jazz',
          responses: new Map([
            ['sub-01', 'jazz'],
            ['sub-02', 'blues'],
          ]),
        },
      ],
      ['c', { trueGenre: 'blues', responses: new Map([['sub-01', 'blues']]) }],
    ]),
  };
  const m = modelChoices(dir, null);
  const { input, clips, genres } = behaviourInput(m.choices, humans, m.probs);
  t.deepEqual(clips, ['b', 'c']);
  t.deepEqual(genres, ['blues', 'jazz', 'rock']);
  t.deepEqual([...(input.modelProbs ?? [])], [0.6, 0.3, 0.1, 0.7, 0.2, 0.1]);
  t.deepEqual([...input.humans], [1, 0, 0, -1]);
  t.deepEqual([...input.model], [0, 0]);
  // Without probabilities for every clip the model is scored from its choices.
  t.is(behaviourInput(m.choices, humans, new Map()).input.modelProbs, undefined);
});

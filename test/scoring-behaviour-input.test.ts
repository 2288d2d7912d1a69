/**
 * What s_b is fed from a train artifact: the held-out test clips' choices and
 * softmax (p_<genre> columns of eval/predictions.tsv), aligned with the
 * listeners' judgements.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../src/core/errors.js';
import { writeTsv } from '../src/io/tsv.js';
import { behaviourInput, readModelChoices, readModelProbabilities } from '../src/scoring/align.js';

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

test('only held-out test clips enter s_b when predictions.tsv has a split column; p_<genre> columns give the softmax', (t) => {
  const dir = trainDir('split', ROWS, ['stim_id', 'true_genre', 'predicted_genre', 'split', 'p_blues', 'p_jazz', 'p_rock']);
  t.deepEqual([...readModelChoices(dir)], [['b', 'blues'], ['c', 'blues']]);
  const probs = readModelProbabilities(dir);
  t.deepEqual([...(probs?.get('b') ?? [])], [['blues', 0.6], ['jazz', 0.3], ['rock', 0.1]]);
  t.false(probs?.has('a'));
  // Older artifacts: no split, no probabilities → every row, choices only.
  const old = trainDir('old', ROWS, ['stim_id', 'true_genre', 'predicted_genre']);
  t.is(readModelChoices(old).size, 4);
  t.is(readModelProbabilities(old), null);
  const bad = trainDir('bad', [{ ...ROWS[1], p_blues: 'x' }], ['stim_id', 'predicted_genre', 'split', 'p_blues']);
  t.throws(() => readModelProbabilities(bad), { instanceOf: InputError, message: /not a probability/ });
});

test('behaviourInput lays the softmax out over every genre, including one no listener chose (rows still sum to 1)', (t) => {
  const dir = trainDir('layout', ROWS, ['stim_id', 'true_genre', 'predicted_genre', 'split', 'p_blues', 'p_jazz', 'p_rock']);
  const humans = {
    subjects: ['sub-01', 'sub-02'],
    trials: new Map([
      ['b', { trueGenre: 'jazz', responses: new Map([['sub-01', 'jazz'], ['sub-02', 'blues']]) }],
      ['c', { trueGenre: 'blues', responses: new Map([['sub-01', 'blues']]) }],
    ]),
  };
  const { input, clips, genres } = behaviourInput(readModelChoices(dir), humans, readModelProbabilities(dir));
  t.deepEqual(clips, ['b', 'c']);
  t.deepEqual(genres, ['blues', 'jazz', 'rock']);
  t.deepEqual([...(input.modelProbs ?? [])], [0.6, 0.3, 0.1, 0.7, 0.2, 0.1]);
  t.deepEqual([...input.humans], [1, 0, 0, -1]);
  t.deepEqual([...input.model], [0, 0]);
  // Without probabilities for every clip the model is scored from its choices.
  t.is(behaviourInput(readModelChoices(dir), humans, new Map()).input.modelProbs, undefined);
});

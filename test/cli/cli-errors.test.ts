/**
 * Library code names the parameter an input error is about; the CLI names the
 * flag when the user gave that parameter as an option of the verb.
 */
import test from 'ava';
import { InputError } from '../../src/core/errors.js';
import { ridgeCV } from '../../src/encoding/ridge.js';
import { asFlagError } from '../../src/cli/flags.js';

test('ridgeCV names its parameter (alphas), and the verb that was given --alphas names the flag', (t) => {
  const e = t.throws(() => ridgeCV({ X: new Float32Array(8), n: 4, p: 2, Y: new Float32Array(4), v: 1, alphas: [-1], folds: 2 }), { instanceOf: InputError });
  t.is(e?.where, 'alphas');
  const mapped = asFlagError(e, { alphas: '-1', out: 'o' });
  t.true(mapped instanceof InputError);
  t.is((mapped as InputError).where, '--alphas');
  t.is((mapped as InputError).problem, e?.problem);
  t.is(asFlagError(e, { out: 'o' }), e, 'a parameter the verb was not given stays named as the parameter');
});

test('camelCase parameters map to kebab-case flags; file paths and other errors pass through', (t) => {
  t.is((asFlagError(new InputError('featureSet', 'x'), { featureSet: 'a/b' }) as InputError).where, '--feature-set');
  const file = new InputError('/data/sub-01_bold.nii.gz', 'truncated');
  t.is(asFlagError(file, { bids: '/data' }), file);
  const bug = new Error('internal');
  t.is(asFlagError(bug, { alphas: '1' }), bug);
});

test('a verb’s own names come first: a parameter spelt otherwise as a flag, or a config field, is renamed even when the option was not given', (t) => {
  const names = { modelDirs: '--models', batchSize: 'train.batchSize' };
  const models = asFlagError(new InputError('modelDirs', 'give its train artifact'), { encodings: ['e'] }, names) as InputError;
  t.deepEqual([models.where, models.problem], ['--models', 'give its train artifact']);
  t.is((asFlagError(new InputError('batchSize', 'must be positive'), {}, names) as InputError).where, 'train.batchSize');
  // Names the table does not list still follow the option rule.
  t.is((asFlagError(new InputError('alphas', 'x'), { alphas: '1' }, names) as InputError).where, '--alphas');
  const unlisted = new InputError('subject', 'x');
  t.is(asFlagError(unlisted, {}, names), unlisted);
});

/**
 * Stages and the libraries under them name the parameter or config field an
 * input error is about (`alphas`, `batchSize`, `modelDirs`); the user of a
 * verb knows its flags. This is the one translation, applied by defineVerb to
 * every error a verb's run throws.
 */
import { InputError } from '../core/errors.js';

/**
 * The error renamed for the user: a parameter listed in the verb's `names`
 * (a flag spelt otherwise, or a config field such as `train.batchSize`) takes
 * that name whether or not the option was given; any other camelCase parameter
 * the user gave as an option of the verb becomes its kebab-case flag
 * (`featureSet` → `--feature-set`). Files and other errors pass through.
 */
export function asFlagError(e: unknown, args: Record<string, unknown>, names: Readonly<Record<string, string>> = {}): unknown {
  if (!(e instanceof InputError)) return e;
  if (Object.hasOwn(names, e.where)) return new InputError(names[e.where], e.problem, { cause: e });
  if (!/^[a-z][A-Za-z]*$/.test(e.where) || args[e.where] === undefined) return e;
  return new InputError(`--${e.where.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, e.problem, { cause: e });
}

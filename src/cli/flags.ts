/**
 * Stages and the libraries under them name the parameter or config field a
 * problem is about (`ablation`, `batchSize`); the user of a verb knows its
 * flags. A verb runs its stage through `withFlagNames` to translate.
 */
import { InputError } from '../core/errors.js';

export async function withFlagNames<T>(flags: Record<string, string>, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof InputError && Object.hasOwn(flags, e.where)) throw new InputError(flags[e.where], e.problem, { cause: e });
    throw e;
  }
}

/**
 * User-facing failures. An InputError is the user's to fix (bad file, bad
 * option) and maps to exit code 2; anything else is our bug and maps to 1.
 * The CLI prints `brainalign: <where>: <problem>` and nothing more unless
 * --debug is given.
 */
import { printable } from './printable.js';

export class InputError extends Error {
  /** The file path or option name the problem is attached to. */
  readonly where: string;
  readonly problem: string;
  constructor(where: string, problem: string, options?: { cause?: unknown }) {
    super(`${where}: ${problem}`, options);
    this.name = 'InputError';
    this.where = where;
    this.problem = problem;
  }
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}

/** Throw an InputError unless `cond` holds; keeps format parsers terse. */
export function check(cond: unknown, where: string, problem: string): asserts cond {
  if (!cond) throw new InputError(where, problem);
}

/** One line for stderr, without the stack; control characters from names and headers are escaped. */
export function formatError(e: unknown): string {
  if (e instanceof InputError) return `brainalign: ${printable(e.where)}: ${printable(e.problem)}`;
  if (e instanceof Error) return `brainalign: internal error: ${printable(e.message)}`;
  return `brainalign: internal error: ${printable(String(e))}`;
}

export function exitCodeFor(e: unknown): number {
  return e instanceof InputError ? 2 : 1;
}

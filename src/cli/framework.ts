/**
 * The shape every verb shares. A verb file default-exports `defineVerb({...})`;
 * src/cli/verbs.ts lists them. Verbs stay thin: parse options, call one
 * library function, print.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Argv } from 'yargs';
import type { z } from 'zod';
import { InputError } from '../core/errors.js';
import { DEFAULT_ROOT } from '../pipeline/derivatives.js';
import { outcomeLine, type StageOutcome, type StageTarget } from '../stages/outcome.js';
import { asFlagError } from './flags.js';

/** Options every verb accepts (declared once in main.ts). */
export interface CommonOptions {
  config?: string;
  out?: string;
  seed: number;
  jobs: number;
  quiet: boolean;
  debug: boolean;
}

export interface VerbSpec<O> {
  /** yargs command string, e.g. 'info <file>' or 'cache <action>'. */
  command: string;
  describe: string;
  builder: (y: Argv<CommonOptions>) => Argv<O>;
  run: (args: O & CommonOptions) => Promise<void> | void;
  /** Parameters and config fields the library names in its errors, as this verb's users know them (src/cli/flags.ts). */
  flags?: Readonly<Record<string, string>>;
}

/** A verb with its option type erased, so verbs of different shapes fit in one list. */
export interface Verb {
  command: string;
  describe: string;
  register(y: Argv<CommonOptions>): Argv<CommonOptions>;
}

export function defineVerb<O>(spec: VerbSpec<O>): Verb {
  return {
    command: spec.command,
    describe: spec.describe,
    register(y) {
      return y.command(
        spec.command,
        spec.describe,
        (inner: Argv<CommonOptions>) => spec.builder(inner).strict(),
        async (args) => {
          const common = args as unknown as CommonOptions;
          validateCommon(common);
          try {
            await spec.run(args as unknown as O & CommonOptions);
          } catch (e) {
            throw asFlagError(e, args, spec.flags);
          }
        },
      );
    },
  };
}

/** Checks yargs cannot express; run before any verb does work. */
export function validateCommon(a: CommonOptions): void {
  if (!Number.isInteger(a.seed) || a.seed < 0 || a.seed > 0xffffffff) {
    throw new InputError('--seed', `expected an integer in [0, 4294967295], got ${String(a.seed)}`);
  }
  if (!Number.isInteger(a.jobs) || a.jobs < 1) {
    throw new InputError('--jobs', `expected a positive integer, got ${String(a.jobs)}`);
  }
}

/** Options of every stage verb: where the derivatives go and which stamp make waits for. */
export interface StageOptions {
  out: string;
  stamp?: string;
}

export function withStageOptions<T>(y: Argv<T>): Argv<T & StageOptions> {
  return y
    .option('out', { type: 'string', default: DEFAULT_ROOT, describe: 'derivatives root (BIDS derivatives)' })
    .option('stamp', { type: 'string', describe: 'completion stamp to write after success (used by make)' }) as unknown as Argv<T & StageOptions>;
}

/** Where a stage verb's run goes: the derivatives root, the seed and make's stamp, as the stage functions take them. */
export function stageTarget(a: { out?: string; seed: number; stamp?: string }): StageTarget {
  return { root: a.out ?? DEFAULT_ROOT, seed: a.seed, stamp: a.stamp };
}

/** Print a stage's one line on stdout (src/stages/outcome.ts). */
export function printOutcome(verb: string, res: StageOutcome): void {
  process.stdout.write(outcomeLine(verb, res));
}

export const DEFAULT_JOBS = Math.max(1, os.availableParallelism());

/**
 * Read a JSON config file and parse it with `schema`. The error names the
 * file, the field path and what was expected, e.g.
 * `brainalign: cfg.json: field "train.epochs": expected number, received string`.
 */
export function readConfig<S extends z.ZodType>(file: string | undefined, schema: S): z.output<S> {
  let raw: unknown = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new InputError(file, `cannot read config (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new InputError(file, `not valid JSON: ${(e as Error).message}`);
    }
  }
  return parseWith(schema, stripComments(raw), file ?? '--config');
}

/**
 * JSON has no comments, so configs document themselves with "$comment"
 * keys (as JSON Schema does); they are dropped before validation.
 */
export function stripComments(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripComments);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (k !== '$comment') out[k] = stripComments(x);
    return out;
  }
  return v;
}

/** Parse `value` with a zod schema, turning the first issue into an InputError. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
  throw new InputError(where, `field "${field}": ${describeIssue(issue)}`);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const received = (issue as { input?: unknown }).input;
      const got = received === undefined ? 'nothing' : Array.isArray(received) ? 'array' : received === null ? 'null' : typeof received;
      return `expected ${issue.expected}, received ${got}`;
    }
    case 'unrecognized_keys':
      return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    default:
      return issue.message;
  }
}

/** Comma-separated numbers from an option, e.g. --alphas 0.1,1,10. */
export function parseNumberList(text: string, option: string): number[] {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const out = parts.map(Number);
  if (parts.length === 0 || out.some((v) => !Number.isFinite(v))) {
    throw new InputError(option, `expected comma-separated numbers, got "${text}"`);
  }
  return out;
}

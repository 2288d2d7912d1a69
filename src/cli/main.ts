/**
 * Entry point: shared options, verb registry, and the one place that turns
 * errors into exit codes. Input errors are one line and exit 2; internal
 * failures exit 1; stacks only with --debug.
 */
import yargs, { type Argv } from 'yargs';
import { InputError, exitCodeFor, formatError } from '../core/errors.js';
import { setQuiet } from '../core/progress.js';
import { DEFAULT_JOBS, type CommonOptions } from './framework.js';
import { verbs } from './verbs.js';
import { VERSION } from '../pipeline/version.js';

function withCommonOptions(y: Argv): Argv<CommonOptions> {
  return y
    .option('config', { type: 'string', describe: 'JSON config file (validated; errors name the field)', global: true })
    .option('out', { type: 'string', describe: 'output folder', global: true })
    .option('seed', { type: 'number', default: 0, describe: 'seed of the one PRNG; same seed, same bytes', global: true })
    .option('jobs', { type: 'number', default: DEFAULT_JOBS, describe: 'parallel workers', global: true })
    .option('quiet', { type: 'boolean', default: false, describe: 'no progress bars or notices', global: true })
    .option('debug', { type: 'boolean', default: false, describe: 'show stack traces', global: true }) as unknown as Argv<CommonOptions>;
}

/**
 * `--alphas -1,0` would reach yargs as the short flags -1 and -0; a value
 * that starts with '-' and is a number list is glued to its option instead,
 * so the verb can say what is wrong with the number.
 */
export function glueNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (/^--[a-z][a-z-]*$/i.test(argv[i]) && next !== undefined && /^-[\d.][\d.,eE+-]*$/.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

/** Run the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(rawArgv: string[]): Promise<number> {
  const argv = glueNegativeValues(rawArgv);
  const debug = argv.includes('--debug');
  setQuiet(argv.includes('--quiet'));
  let failure: unknown = null;
  let y = withCommonOptions(yargs(argv).scriptName('brainalign'));
  for (const v of verbs) y = v.register(y);
  y = y
    .demandCommand(1, 'give a verb; see brainalign --help')
    .strict()
    .version(VERSION)
    .help()
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .fail((msg: string | undefined, err: Error | undefined) => {
      // Throwing stops yargs; returning would let the handler run anyway.
      throw err ?? new InputError('options', msg ?? 'invalid options');
    }) as Argv<CommonOptions>;
  try {
    await y.parseAsync();
  } catch (e) {
    failure ??= e;
  }
  if (failure !== null) {
    const e = failure;
    process.stderr.write(`${formatError(optionError(e))}\n`);
    if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return exitCodeFor(optionError(e));
  }
  return 0;
}

/** yargs reports unknown options as plain Errors; they are the user's to fix. */
function optionError(e: unknown): unknown {
  if (e instanceof Error && e.name === 'YError') return new InputError('options', e.message);
  return e;
}

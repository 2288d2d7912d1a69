/**
 * `brainalign slurm run --target T --resources CFG -- COMMAND…`: what
 * `make EXECUTOR=slurm` puts before every recipe (docs/scale-out.md). Thin:
 * reads the resources config, hands the command to the SLURM executor, exits
 * with the command's exit code.
 */
import { defineVerb, readConfig } from './framework.js';
import { InputError } from '../core/errors.js';
import { DEFAULT_ROOT } from '../pipeline/derivatives.js';
import { slurmConfigSchema } from '../pipeline/slurm-config.js';
import { runOnSlurm } from '../pipeline/slurm-executor.js';
import { SlurmCommandError } from '../pipeline/slurm-jobs.js';

export default defineVerb({
  command: 'slurm <action>',
  describe: 'run one stage command as a SLURM batch job, resubmitted when stopped from outside (make EXECUTOR=slurm)',
  builder: (y) =>
    y
      .positional('action', { choices: ['run'] as const, demandOption: true, describe: 'run: submit the command after --, wait, relay its output' })
      .option('target', { type: 'string', demandOption: true, describe: 'the make target ($@): names the job and its record, picks the resources' })
      .option('resources', { type: 'string', describe: 'resources config (pipelines/slurm.json); without it, the defaults' })
      .option('out', { type: 'string', default: DEFAULT_ROOT, describe: 'derivatives root: job records and logs go under <out>/.jobs/' })
      .option('poll', { type: 'number', describe: 'seconds between state polls (default 0.25, then 1, then 5 s)' })
      .parserConfiguration({ 'populate--': true }),
  run: async (a) => {
    const command = ((a as unknown as { '--'?: unknown[] })['--'] ?? []).map(String);
    if (command.length === 0) throw new InputError('--', 'give the command to run after --');
    if (a.poll !== undefined && !(a.poll > 0)) throw new InputError('--poll', `expected a positive number of seconds, got ${a.poll}`);
    const config = readConfig(a.resources, slurmConfigSchema);
    let code: number;
    try {
      code = await runOnSlurm({ target: a.target, root: a.out, config, command, pollSeconds: a.poll });
    } catch (e) {
      if (e instanceof SlurmCommandError)
        throw new InputError(
          'slurm',
          `${e.message} (is the cluster up, and SLURM_CONF set? scripts/slurm/cluster.sh status; for the local cluster: eval "$(scripts/slurm/cluster.sh env)")`,
        );
      throw e;
    }
    process.exitCode = code;
  },
});

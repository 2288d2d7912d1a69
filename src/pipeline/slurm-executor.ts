/**
 * The SLURM executor: runs one make recipe (a brainalign stage command) as a
 * batch job and waits for it, so make's dependency graph orders the jobs and
 * `make -jN` keeps N of them queued. A job stopped from outside (scancel,
 * pre-emption, node failure, a limit) is resubmitted up to `retries` times;
 * this is safe because a stage writes into a temp folder renamed into place
 * in one step (docs/store.md): a killed attempt leaves only `.tmp-*` debris,
 * which no later attempt reads. The job's stdout and stderr are relayed once
 * it ends, so make's output reads as in a local run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cancelJob, jobPhase, queryJob, sbatchArgs, submit, type JobInfo } from './slurm-jobs.js';
import { resourcesFor, type SlurmConfig } from './slurm-config.js';
import { jobsDir, writeRecord, type JobAttempt, type RecordState } from './job-records.js';

export interface SlurmRunOptions {
  /** The make target ($@); its name picks the resources and names the record. */
  target: string;
  /** Derivatives root: records and logs go under <root>/.jobs/. */
  root: string;
  config: SlurmConfig;
  /** The command, as make would have run it locally. */
  command: string[];
  /** Seconds between polls of the job's state. */
  pollSeconds?: number;
}

const sleep = (s: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, s * 1000));

function relay(file: string, to: NodeJS.WriteStream): void {
  if (fs.existsSync(file)) to.write(fs.readFileSync(file));
}

/** Runs the command as SLURM jobs until one completes or fails by itself; resolves to the exit code make should see. */
export async function runOnSlurm(o: SlurmRunOptions): Promise<number> {
  const name = path.basename(o.target).replace(/\.json$/, '');
  const res = resourcesFor(o.config, name);
  const logs = path.join(jobsDir(o.root), 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const attempts: JobAttempt[] = [];
  let current: string | null = null;
  const record = (state: RecordState, jobId: string, message?: string): void =>
    writeRecord(o.root, { target: o.target, state, jobId, attempts, command: o.command, ...(message ? { message } : {}) });
  // make is interrupted (Ctrl-C, kill): the job must not outlive the make that waits for it.
  const stop = (sig: NodeJS.Signals): void => {
    if (current) cancelJob(current);
    record('failed', current ?? '', `executor stopped by ${sig}`);
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  for (let attempt = 0; attempt <= res.retries; attempt++) {
    const id = submit(
      o.command,
      sbatchArgs(res, { name, stdout: path.join(logs, `${name}-%j.out`), stderr: path.join(logs, `${name}-%j.err`), cwd: process.cwd() }),
    );
    current = id;
    attempts.push({ jobId: id, slurmState: 'PENDING', exitCode: 0, signal: 0 });
    record('pending', id);
    let last: JobInfo | null = null;
    let shown: RecordState = 'pending';
    for (let polls = 0; ; polls++) {
      // Quick at first (short stages), then gentle on the controller for long ones.
      await sleep(o.pollSeconds ?? (polls < 20 ? 0.25 : polls < 80 ? 1 : 5));
      const info = queryJob(id);
      if (!info) break;
      last = info;
      attempts[attempts.length - 1] = { jobId: id, slurmState: info.state, exitCode: info.exitCode, signal: info.signal };
      const phase = jobPhase(info);
      if (phase === 'pending' || phase === 'running') {
        if (phase !== shown) record(phase, id);
        shown = phase;
        continue;
      }
      break;
    }
    current = null;
    const out = path.join(logs, `${name}-${id}.out`);
    const err = path.join(logs, `${name}-${id}.err`);
    // A job the controller forgot before we saw it end is run again: its stage finds its artifact up to date if it had finished.
    const phase = last ? jobPhase(last) : 'resubmit';
    if (phase === 'done') {
      relay(out, process.stdout);
      relay(err, process.stderr);
      record('done', id);
      return 0;
    }
    if (phase === 'failed' && last) {
      relay(out, process.stdout);
      relay(err, process.stderr);
      record('failed', id, `exit ${last.exitCode}`);
      return last.exitCode;
    }
    const why = last ? `${last.state}${last.signal ? ` (signal ${last.signal})` : ''}` : 'forgotten by the controller';
    process.stderr.write(`slurm: ${name}: job ${id} ended ${why}; ${attempt < res.retries ? 'resubmitting' : 'no retries left'}\n`);
  }
  record('failed', attempts[attempts.length - 1]?.jobId ?? '', `stopped from outside ${attempts.length} time(s)`);
  return 1;
}

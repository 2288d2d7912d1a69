/**
 * Talking to SLURM through its own commands (sbatch, scontrol, scancel), so
 * any cluster that has them works and nothing links against libslurm. With
 * accounting off (the local test cluster) sacct is unavailable, so a job's
 * end state is read from `scontrol show job`, which keeps finished jobs for
 * MinJobAge seconds (300 by default).
 */
import { spawnSync } from 'node:child_process';
import type { SlurmResources } from './slurm-config.js';

/** What the executor does with a job in a given SLURM state. */
export type JobPhase = 'pending' | 'running' | 'done' | 'failed' | 'resubmit';

export interface JobInfo {
  id: string;
  /** SLURM's JobState, e.g. PENDING, RUNNING, COMPLETED, CANCELLED. */
  state: string;
  /** The command's exit code and the signal that ended it (ExitCode=a:s). */
  exitCode: number;
  signal: number;
  reason: string;
}

/** `scontrol show job -o` output (one line of key=value pairs) → JobInfo, or null when SLURM no longer knows the job. */
export function parseScontrolJob(line: string): JobInfo | null {
  const field = (k: string): string | undefined => new RegExp(`(?:^|\\s)${k}=(\\S*)`).exec(line)?.[1];
  const id = field('JobId');
  const state = field('JobState');
  if (id === undefined || state === undefined) return null;
  const [code, sig] = (field('ExitCode') ?? '0:0').split(':').map(Number);
  return { id, state, exitCode: code || 0, signal: sig || 0, reason: field('Reason') ?? 'None' };
}

/**
 * A command that ran and exited non-zero by itself is failed: running it again
 * gives the same answer (exit 2 is a bad input). Everything that stopped the
 * job from outside (scancel, pre-emption, a node failure, a time or memory
 * limit, a kill signal) is resubmitted: the store's atomic renames make a
 * second run of a stage safe.
 */
export function jobPhase(j: JobInfo): JobPhase {
  switch (j.state) {
    case 'PENDING':
    case 'CONFIGURING':
    case 'REQUEUED':
    case 'REQUEUE_HOLD':
    case 'REQUEUE_FED':
    case 'RESIZING':
    case 'SUSPENDED':
      return 'pending';
    case 'RUNNING':
    case 'COMPLETING':
    case 'STAGE_OUT':
    case 'SIGNALING':
      return 'running';
    case 'COMPLETED':
      return 'done';
    case 'FAILED':
      return j.signal === 0 && j.exitCode > 0 && j.exitCode < 128 ? 'failed' : 'resubmit';
    default:
      // CANCELLED, PREEMPTED, NODE_FAIL, BOOT_FAIL, TIMEOUT, OUT_OF_MEMORY, DEADLINE.
      return 'resubmit';
  }
}

/** sbatch options for one job: resources, name, logs, working folder; requeue on pre-emption. */
export function sbatchArgs(r: SlurmResources, o: { name: string; stdout: string; stderr: string; cwd: string }): string[] {
  return [
    '--parsable',
    '--requeue',
    `--job-name=${o.name}`,
    `--cpus-per-task=${r.cpus}`,
    `--mem=${r.mem}`,
    `--time=${r.time}`,
    ...(r.partition ? [`--partition=${r.partition}`] : []),
    ...(r.account ? [`--account=${r.account}`] : []),
    `--chdir=${o.cwd}`,
    `--output=${o.stdout}`,
    `--error=${o.stderr}`,
    '--export=ALL',
  ];
}

/** POSIX-shell quoting: every argument reaches the command as the same bytes, whatever it holds. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The batch script of a command: exec, so the job's exit code and signals are the command's. */
export function jobScript(argv: readonly string[]): string {
  return `#!/bin/sh\nexec ${argv.map(shellQuote).join(' ')}\n`;
}

/** Thrown when a SLURM command itself fails (no controller, bad option): the cluster's problem, not the stage's. */
export class SlurmCommandError extends Error {}

/** Submit `argv` as a batch job; returns the job id. */
export function submit(argv: readonly string[], args: string[]): string {
  const r = spawnSync('sbatch', args, { input: jobScript(argv), encoding: 'utf8' });
  if (r.error) throw new SlurmCommandError(`sbatch: ${r.error.message}`);
  if (r.status !== 0) throw new SlurmCommandError(`sbatch: ${r.stderr.trim() || `exit ${r.status}`}`);
  const id = r.stdout.trim().split(';')[0];
  if (!/^\d+$/.test(id)) throw new SlurmCommandError(`sbatch: unexpected answer "${r.stdout.trim()}"`);
  return id;
}

/** The job's current state, or null once the controller has forgotten it. */
export function queryJob(id: string): JobInfo | null {
  const r = spawnSync('scontrol', ['show', 'job', '-o', id], { encoding: 'utf8' });
  if (r.error) throw new SlurmCommandError(`scontrol: ${r.error.message}`);
  if (r.status !== 0) {
    if (/Invalid job id/i.test(r.stderr)) return null;
    throw new SlurmCommandError(`scontrol: ${r.stderr.trim() || `exit ${r.status}`}`);
  }
  return parseScontrolJob(r.stdout.trim());
}

export function cancelJob(id: string): void {
  spawnSync('scancel', [id], { encoding: 'utf8' });
}

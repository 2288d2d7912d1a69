/**
 * What the cluster executor knows about each make target it submitted: one
 * JSON record per target under <root>/.jobs/, rewritten atomically on every
 * change of state, so `brainalign cache status` can say what is pending,
 * running, done or failed while make runs (and after it stopped).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeJsonAtomic } from '../core/atomic.js';

export type RecordState = 'pending' | 'running' | 'done' | 'failed';

export interface JobAttempt {
  jobId: string;
  /** SLURM's last JobState of this attempt. */
  slurmState: string;
  exitCode: number;
  signal: number;
}

export interface JobRecord {
  target: string;
  state: RecordState;
  /** The current (or last) SLURM job id. */
  jobId: string;
  /** Every submission, oldest first: a resubmitted target has more than one. */
  attempts: JobAttempt[];
  command: string[];
  /** Host and pid of the waiting executor, to tell a live record from one whose make was killed. */
  host: string;
  pid: number;
  updatedAt: string;
  /** Why it failed, when it did. */
  message?: string;
}

export function jobsDir(root: string): string {
  return path.join(root, '.jobs');
}

/** The record file of a make target, named by the target's file name. */
export function recordPath(root: string, target: string): string {
  return path.join(jobsDir(root), `${path.basename(target).replace(/\.json$/, '')}.json`);
}

export function writeRecord(root: string, r: Omit<JobRecord, 'host' | 'pid' | 'updatedAt'>): void {
  writeJsonAtomic(recordPath(root, r.target), { ...r, host: os.hostname(), pid: process.pid, updatedAt: new Date().toISOString() });
}

/** Every readable record under <root>/.jobs/, by target name. */
export function readRecords(root: string): JobRecord[] {
  const dir = jobsDir(root);
  if (!fs.existsSync(dir)) return [];
  const out: JobRecord[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.endsWith('.json') || f.startsWith('.')) continue;
    try {
      const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as JobRecord;
      if (typeof r.target === 'string' && typeof r.state === 'string') out.push(r);
    } catch {
      // A foreign or unreadable file is no record.
    }
  }
  return out;
}

/**
 * `brainalign cache status`: every target the store knows of and whether it
 * is pending (queued on the cluster), running, done or failed. Done means a
 * stamp (make's completion mark, written after the artifact's rename) or a
 * finished job; pending, running and failed come from the cluster executor's
 * records (job-records.ts). A record left pending or running by an executor
 * that no longer runs on this host (make was killed) is failed: nothing will
 * finish it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { processAlive } from '../core/process.js';
import { readRecords, type RecordState } from './job-records.js';
import { stampsDir } from './cache.js';

export interface TargetStatus {
  /** Target name: the stamp's file name without `.json`. */
  target: string;
  state: RecordState;
  /** The SLURM job of the last attempt; null for a target built locally. */
  jobId: string | null;
  attempts: number;
  note: string;
}

const nameOf = (p: string): string => path.basename(p).replace(/\.json$/, '');

function stampNames(root: string): string[] {
  const dir = stampsDir(root);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
    .map(nameOf);
}

export function cacheStatus(root: string, opts: { alive?: (pid: number) => boolean; host?: string } = {}): TargetStatus[] {
  const alive = opts.alive ?? processAlive;
  const host = opts.host ?? os.hostname();
  const stamped = new Set(stampNames(root));
  const rows = new Map<string, TargetStatus>();
  for (const r of readRecords(root)) {
    const target = nameOf(r.target);
    const orphan = (r.state === 'pending' || r.state === 'running') && r.host === host && !alive(r.pid);
    const history = r.attempts.map((a) => `${a.jobId} ${a.slurmState}`).join(', ');
    rows.set(target, {
      target,
      // A stamp newer than an orphaned record means a later local run finished the target.
      state: orphan ? (stamped.has(target) ? 'done' : 'failed') : r.state,
      jobId: r.jobId || null,
      attempts: r.attempts.length,
      note: orphan ? `executor gone (make stopped); jobs: ${history}` : r.message ? `${r.message}; jobs: ${history}` : `jobs: ${history}`,
    });
  }
  for (const target of stamped) if (!rows.has(target)) rows.set(target, { target, state: 'done', jobId: null, attempts: 0, note: 'stamp' });
  return [...rows.values()].sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
}

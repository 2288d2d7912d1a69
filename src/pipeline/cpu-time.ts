/**
 * CPU seconds a stage used, for the per-stage profile of a make run
 * (scripts/bench/make-profile.ts). Wall time alone cannot tell a stage that
 * computes from one that waits for a loaded machine: on 2 shared cores a
 * stage's wall time moves by 2–3× with the load, its CPU time much less.
 */
import * as fs from 'node:fs';

export interface CpuSeconds {
  /** User + system CPU of this process, all its threads (OpenBLAS, workers, GC), s. */
  self: number;
  /** User + system CPU of child processes that have exited and been waited for (e.g. python, chromium), s; null where the OS does not say (non-Linux). */
  children: number | null;
}

/** Linux reports times in /proc in clock ticks of USER_HZ, which the kernel ABI fixes at 100 on every architecture Node runs on. */
const USER_HZ = 100;

/** cutime + cstime of this process from /proc/self/stat, in s; null when unreadable. */
function childCpuSeconds(): number | null {
  let stat: string;
  try {
    stat = fs.readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of proc(5) (cutime, cstime) are at 13 and 14 after the state field (field 3).
  const cutime = Number(fields[13]);
  const cstime = Number(fields[14]);
  return Number.isFinite(cutime) && Number.isFinite(cstime) ? (cutime + cstime) / USER_HZ : null;
}

/** A CPU-time reading now; pass it to cpuSince later. */
export function cpuNow(): { usage: NodeJS.CpuUsage; children: number | null } {
  return { usage: process.cpuUsage(), children: childCpuSeconds() };
}

/** CPU seconds since the reading `start` (self, and children that finished in between). */
export function cpuSince(start: { usage: NodeJS.CpuUsage; children: number | null }): CpuSeconds {
  const d = process.cpuUsage(start.usage);
  const c = childCpuSeconds();
  return { self: (d.user + d.system) / 1e6, children: c !== null && start.children !== null ? c - start.children : null };
}

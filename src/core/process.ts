/**
 * Whether a process still runs: temp names carry their writer's pid, and
 * only a dead writer's temps are debris. EPERM means it runs as someone else.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

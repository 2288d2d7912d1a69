/** Option checks shared by plain and study-mode `encode`. */
import { InputError } from '../core/errors.js';

/** Length of the shortest run of equal consecutive labels (delays act within runs). */
export function shortestRun(n: number, groups?: ArrayLike<number>): number {
  if (!groups) return n;
  let best = n;
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || groups[i] !== groups[i - 1]) {
      best = Math.min(best, i - start);
      start = i;
    }
  }
  return best;
}

/** A delay as long as a run leaves that run's delayed columns all zero: nothing to fit. */
export function checkDelays(delays: readonly number[], runLength: number): void {
  for (const d of delays) {
    if (Math.abs(d) >= runLength) throw new InputError('--delays', `delay ${d} is not shorter than the shortest run (${runLength} samples)`);
  }
}

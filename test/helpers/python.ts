/**
 * Reference computations in Debian's /usr/bin/python3 (numpy 1.24, scipy 1.10,
 * nibabel, mne): the script prints one JSON value, parsed and returned.
 */
import { execFileSync } from 'node:child_process';

/** Runs `code` with `input` as JSON on stdin (the script reads it itself); returns the JSON it prints. */
export function pyStdin<T>(code: string, input: unknown): T {
  const out = execFileSync('/usr/bin/python3', ['-c', code], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out) as T;
}

/** Runs `code` with `args` as sys.argv[1:] (warnings silenced); returns the JSON it prints. */
export function pyArgs<T>(code: string, ...args: string[]): T {
  const out = execFileSync('/usr/bin/python3', ['-W', 'ignore', '-c', code, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out) as T;
}

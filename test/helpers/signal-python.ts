/**
 * Run a reference computation in Debian's /usr/bin/python3 (numpy 1.24,
 * scipy 1.10). The script reads its input as JSON from stdin (`inp`) and must
 * print one JSON value; arrays travel as plain lists.
 */
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

/** Evaluate `body` (Python source using `inp`, `np`, `json`) and return the JSON it prints. */
export function pyJson<T>(body: string, inp: unknown): T {
  const prelude = 'import sys, json\nimport numpy as np\ninp = json.load(sys.stdin)\n';
  const r = spawnSync(PYTHON, ['-c', prelude + body], {
    input: JSON.stringify(inp),
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export { maxAbsDiff, maxAbs } from './matrix.js';

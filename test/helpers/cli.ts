import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliResult { code: number; stdout: string; stderr: string }

/**
 * Run the CLI as a user would. Uses the built dist/cli.js when present
 * (make test builds first), else the TypeScript sources through tsx.
 */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const dist = path.join(REPO, 'dist', 'cli.js');
  const useDist = process.env.BRAINALIGN_TEST_SOURCES !== '1' && existsSync(dist);
  const argv = useDist ? [dist, ...args] : ['--import=tsx', path.join(REPO, 'src', 'cli.ts'), ...args];
  const r = spawnSync(process.execPath, argv, {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

import { existsSync } from 'node:fs';

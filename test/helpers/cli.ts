import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newestMtime(p));
    else if (e.name.endsWith('.ts')) t = Math.max(t, fs.statSync(p).mtimeMs);
  }
  return t;
}

let useDistMemo: boolean | null = null;

/** The built CLI is used only when it is newer than every source file (make test builds first). */
function useDist(): boolean {
  if (useDistMemo !== null) return useDistMemo;
  const dist = path.join(REPO, 'dist', 'cli.js');
  useDistMemo = fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= newestMtime(path.join(REPO, 'src'));
  return useDistMemo;
}

/** Node arguments that run the CLI: `dist/cli.js …` when built and fresh, else the sources through tsx. */
export function cliArgv(args: string[]): string[] {
  return useDist() ? [path.join(REPO, 'dist', 'cli.js'), ...args] : ['--import=tsx', path.join(REPO, 'src', 'cli.ts'), ...args];
}

/** Run the CLI as a user would: `node dist/cli.js …` when built and fresh, else the sources through tsx. */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const argv = cliArgv(args);
  const r = spawnSync(process.execPath, argv, {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The last line of a child process's output (where the test scripts print their JSON). */
export function lastLine(text: string): string {
  const t = text.trimEnd();
  return t.slice(t.lastIndexOf('\n') + 1);
}

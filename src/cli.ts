#!/usr/bin/env node
import { main } from './cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    // A verb that runs another command (slurm run) passes that command's exit code on through process.exitCode.
    process.exitCode = code !== 0 ? code : (process.exitCode ?? 0);
  },
  (e: unknown) => {
    process.stderr.write(`brainalign: internal error: ${String(e)}\n`);
    process.exitCode = 1;
  },
);

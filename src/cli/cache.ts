import { defineVerb } from './framework.js';
import { collectGarbage, humanAge, humanBytes, listArtifacts } from '../pipeline/cache.js';
import { DEFAULT_ROOT } from '../pipeline/derivatives.js';
import { cacheStatus } from '../pipeline/cache-status.js';
import { InputError } from '../core/errors.js';

export default defineVerb({
  command: 'cache <action>',
  describe: "list (ls), garbage-collect (gc) or show the targets' state (status: pending, running, done, failed) of the artifact store",
  builder: (y) =>
    y
      .positional('action', {
        choices: ['ls', 'gc', 'status'] as const,
        demandOption: true,
        describe: 'ls: list artifacts; gc: remove unreferenced ones; status: what is pending, running, done or failed',
      })
      // Every verb names the derivatives root --out; --root is this verb's older name for it, still accepted.
      .option('root', { type: 'string', hidden: true, describe: 'the derivatives root (older name of --out)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'gc: only say what would be removed' })
      .option('json', { type: 'boolean', default: false, describe: 'ls, status: machine-readable output' }),
  run: (a) => {
    if (a.out !== undefined && a.root !== undefined && a.out !== a.root)
      throw new InputError('--root', `is the older name of --out; give one of them (got --out ${a.out} and --root ${a.root})`);
    const root = a.out ?? a.root ?? DEFAULT_ROOT;
    if (a.action === 'ls') {
      const items = listArtifacts(root);
      if (a.json) {
        process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
        return;
      }
      if (items.length === 0) {
        process.stdout.write(`no artifacts under ${root}\n`);
        return;
      }
      const rows = items.map((i) => [i.stage, i.key, humanBytes(i.bytes), humanAge(i.ageSeconds), i.live ? 'live' : 'unreferenced']);
      const head = ['stage', 'key', 'size', 'age', 'status'];
      process.stdout.write(textTable(head, rows));
      return;
    }
    if (a.action === 'status') {
      const rows = cacheStatus(root);
      if (a.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const table = rows.map((r) => [r.target, r.state, r.jobId ?? '-', String(r.attempts), r.note]);
      const head = ['target', 'state', 'job', 'attempts', 'note'];
      const count = (s: string) => rows.filter((r) => r.state === s).length;
      process.stdout.write(
        `${textTable(head, table)}${count('pending')} pending, ${count('running')} running, ${count('done')} done, ${count('failed')} failed\n`,
      );
      return;
    }
    if (a.action === 'gc') {
      const r = collectGarbage(root, { dryRun: a['dry-run'] });
      const verb = a['dry-run'] ? 'would remove' : 'removed';
      process.stdout.write(`${verb} ${r.removed.length} artifact folder(s) and temp file(s), ${humanBytes(r.freedBytes)}\n`);
      for (const d of r.removed) process.stdout.write(`  ${d}\n`);
      return;
    }
    throw new InputError('action', `unknown action ${String(a.action)}`);
  },
});

/** Columns padded to their widest cell, two spaces apart; the last column's padding is trimmed so lines end in text. */
function textTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const lines = [head, ...rows].map((r) => r.map((v, c) => v.padEnd(widths[c])).join('  '));
  return lines.map((l) => `${l.trimEnd()}\n`).join('');
}

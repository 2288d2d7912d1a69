import { defineVerb } from './framework.js';
import { collectGarbage, humanAge, humanBytes, listArtifacts } from '../pipeline/cache.js';
import { DEFAULT_ROOT } from '../pipeline/derivatives.js';
import { InputError } from '../core/errors.js';

export default defineVerb({
  command: 'cache <action>',
  describe: 'list (ls) or garbage-collect (gc) the artifact store',
  builder: (y) =>
    y
      .positional('action', { choices: ['ls', 'gc'] as const, demandOption: true, describe: 'ls: list artifacts; gc: remove unreferenced ones' })
      .option('root', { type: 'string', default: DEFAULT_ROOT, describe: 'derivatives root' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'gc: only say what would be removed' })
      .option('json', { type: 'boolean', default: false, describe: 'ls: machine-readable output' }),
  run: (a) => {
    if (a.action === 'ls') {
      const items = listArtifacts(a.root);
      if (a.json) {
        process.stdout.write(JSON.stringify(items, null, 2) + '\n');
        return;
      }
      if (items.length === 0) {
        process.stdout.write(`no artifacts under ${a.root}\n`);
        return;
      }
      const rows = items.map((i) => [i.stage, i.key, humanBytes(i.bytes), humanAge(i.ageSeconds), i.live ? 'live' : 'unreferenced']);
      const head = ['stage', 'key', 'size', 'age', 'status'];
      const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
      const fmt = (r: string[]) => r.map((v, c) => v.padEnd(widths[c])).join('  ').trimEnd() + '\n';
      process.stdout.write(fmt(head) + rows.map(fmt).join(''));
      return;
    }
    if (a.action === 'gc') {
      const r = collectGarbage(a.root, { dryRun: a['dry-run'] });
      const verb = a['dry-run'] ? 'would remove' : 'removed';
      process.stdout.write(`${verb} ${r.removed.length} artifact folder(s) and temp file(s), ${humanBytes(r.freedBytes)}\n`);
      for (const d of r.removed) process.stdout.write(`  ${d}\n`);
      return;
    }
    throw new InputError('action', `unknown action ${String(a.action)}`);
  },
});

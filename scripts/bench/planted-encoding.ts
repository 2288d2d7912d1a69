/**
 * The encoding study with the PLANTED feature spaces as the model (and the
 * flat model: all planted spaces in every area) on an existing mini-study:
 * features as test/helpers/planted-features.ts lays them out, `encode` per
 * subject and `align` through the CLI; prints the timings, the area × ROI
 * r_norm matrix, the correspondence and s_r with their CIs.
 * Usage: npx tsx scripts/bench/planted-encoding.ts STUDY OUT CONFIG SUBJECT...
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readTsv } from '../../src/io/tsv.js';
import { plantedFeatures } from '../../test/helpers/planted-features.js';

const [study, out, cfg, ...subjects] = process.argv.slice(2);
const tr = 1.5;
const cli = (args: string[]): { dir: string; sec: number } => {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['dist/cli.js', ...args, '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const stamp = args[args.indexOf('--stamp') + 1];
  return { dir: path.resolve(path.dirname(stamp), (JSON.parse(fs.readFileSync(stamp, 'utf8')) as { dir: string }).dir), sec: (Date.now() - t0) / 1000 };
};
const features = await plantedFeatures(study, out, tr, {
  models: [
    { name: 'planted', noise: 0 },
    { name: 'flat', noise: 0, flat: true },
  ],
});
const encs = subjects.map((s) => {
  const e = cli([
    'encode',
    '--features',
    features,
    '--bids',
    study,
    '--subject',
    s,
    '--config',
    cfg,
    '--out',
    out,
    '--stamp',
    path.join(out, 'stamps', `encode-${s}.json`),
  ]);
  console.log(`encode sub-${s}: ${e.sec.toFixed(0)} s`);
  return e.dir;
});
const a = cli(['align', '--encodings', ...encs, '--bids', study, '--config', cfg, '--out', out, '--stamp', path.join(out, 'stamps', 'align.json')]);
console.log(`align: ${a.sec.toFixed(0)} s`);
for (const r of readTsv(path.join(a.dir, 'bas.tsv')).rows.filter((x) => x.score === 's_r'))
  console.log(`${r.model} s_r ${r.estimate} [${r.ci_lo}, ${r.ci_hi}]`);
const ar = readTsv(path.join(a.dir, 'area_roi.tsv')).rows;
for (const m of ['planted', 'flat']) {
  console.log(m);
  for (const area of [...new Set(ar.filter((x) => x.model === m).map((x) => x.area))]) {
    console.log(
      `  ${area}: ${ar
        .filter((x) => x.model === m && x.area === area)
        .map((x) => `${x.roi} ${Number(x.r_norm).toFixed(2)}`)
        .join(', ')}`,
    );
  }
}
const corr = JSON.parse(fs.readFileSync(path.join(a.dir, 'correspondence.json'), 'utf8')) as Record<string, { correspondence: unknown }>;
for (const [k, v] of Object.entries(corr)) console.log(k, JSON.stringify(v.correspondence));
for (const f of ['s_r_differences.tsv', 'rsa.tsv']) if (fs.existsSync(path.join(a.dir, f))) console.log(fs.readFileSync(path.join(a.dir, f), 'utf8'));

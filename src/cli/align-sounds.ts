/**
 * `brainalign align-sounds --encodings …`: the natural-sounds study's group
 * tables across models (src/scoring/sound-align.ts) and its report,
 * published as reports/natural-sounds.html.
 */
import * as path from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { Rng } from '../core/prng.js';
import { writeTsv } from '../io/tsv.js';
import { resolveArtifact, runStage } from '../pipeline/stage.js';
import { DEFAULT_ROOT } from '../pipeline/derivatives.js';
import { defineVerb } from './framework.js';

const CODE_VERSION = 'align-sounds-1';
const N_BOOT = 2000;

export default defineVerb({
  command: 'align-sounds',
  describe: 'group tables and report of a natural-sounds study (NH2015 / B2021) from encode-sounds artifacts',
  builder: (y) =>
    y
      .option('encodings', { type: 'string', array: true, demandOption: true, describe: 'encode-sounds stamps or artifact folders (one per model)' })
      .option('dataset', { type: 'string', default: 'NH2015', describe: 'dataset name for the report title' })
      .option('stamp', { type: 'string', describe: 'completion stamp to write after success (used by make)' }),
  run: async (a) => {
    const dirs = (a.encodings as string[]).map((p) => resolveArtifact(p, '--encodings'));
    const { readSoundEncodings, groupSoundScores } = await import('../scoring/sound-align.js');
    const { renderSoundsReport } = await import('../report/natural-sounds.js');
    const inputs = Object.fromEntries(dirs.map((d, i) => [`encoding-${String(i).padStart(3, '0')}`, d]));
    let line = '';
    const res = await runStage(
      {
        stage: 'align-sounds',
        codeVersion: CODE_VERSION,
        root: a.out ?? DEFAULT_ROOT,
        inputs,
        params: { nBoot: N_BOOT, dataset: a.dataset },
        seed: a.seed,
        stamp: a.stamp,
        publish: true,
      },
      ({ dir }) => {
        const tables = readSoundEncodings(dirs);
        const group = groupSoundScores(tables, new Rng(a.seed, 'align-sounds'), N_BOOT);
        const f = (x: number): number | string => (Number.isFinite(x) ? Number(x.toFixed(6)) : 'n/a');
        writeTsv(
          path.join(dir, 'natural-sounds.tsv'),
          ['model', 'participants', 'r2', 'r2_ci_lo', 'r2_ci_hi', 'rsa', 'rsa_ceiling_lower', 'rsa_ceiling_upper', 'component_r2', 'top_layer'],
          group.map((g) => ({
            model: g.model,
            participants: g.participants,
            r2: f(g.r2.estimate),
            r2_ci_lo: f(g.r2.lo),
            r2_ci_hi: f(g.r2.hi),
            rsa: f(g.rsa),
            rsa_ceiling_lower: f(g.rsaCeilingLower),
            rsa_ceiling_upper: f(g.rsaCeilingUpper),
            component_r2: f(g.componentR2),
            top_layer: g.topLayer,
          })),
          {
            model: { Description: 'model folder of the features artifact' },
            participants: { Description: 'participants averaged' },
            r2: { Description: 'mean over participants of the median noise-corrected r² of their voxels' },
            r2_ci_lo: { Description: `2.5th percentile of ${N_BOOT} bootstrap means over participants` },
            r2_ci_hi: { Description: `97.5th percentile of ${N_BOOT} bootstrap means over participants` },
            rsa: { Description: 'mean over participants of the cross-validated layer RSA (Spearman)' },
            rsa_ceiling_lower: { Description: 'mean leave-one-participant-out RDM ceiling' },
            rsa_ceiling_upper: { Description: 'mean RDM ceiling against the mean of all participants' },
            component_r2: { Description: 'mean over the NH2015 components of max(r,0)² (n/a without components)' },
            top_layer: { Description: 'layer most participants’ voxels chose' },
          },
        );
        writeFileAtomic(path.join(dir, 'reports', 'natural-sounds.html'), renderSoundsReport(group, tables, { dataset: a.dataset, seed: a.seed }));
        line = group
          .map(
            (g) =>
              `${g.model} r² ${Number.isFinite(g.r2.estimate) ? g.r2.estimate.toFixed(3) : 'n/a'}, RSA ${Number.isFinite(g.rsa) ? g.rsa.toFixed(3) : 'n/a'}`,
          )
          .join('; ');
      },
    );
    process.stdout.write(`align-sounds: ${res.upToDate ? 'up to date' : 'done'} (${res.key})${line ? `; ${line}` : ''}\n`);
  },
});

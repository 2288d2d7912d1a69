/**
 * The align-sounds artifact: natural-sounds.tsv (one row per model: encoding
 * r² with its bootstrap CI over participants, layer RSA with its ceilings,
 * component r², the layer most voxels chose) and reports/natural-sounds.html.
 */
import * as path from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { readTable, table, writeTable, type Row } from './table.js';

export const naturalSoundsTable = table(
  {
    model: 'text',
    participants: 'int',
    r2: 'num',
    r2_ci_lo: 'num',
    r2_ci_hi: 'num',
    rsa: 'num',
    rsa_ceiling_lower: 'num',
    rsa_ceiling_upper: 'num',
    component_r2: 'num',
    top_layer: 'optText',
  },
  {
    model: { Description: 'model folder of the features artifact' },
    participants: { Description: 'participants averaged' },
    r2: { Description: 'mean over participants of the median noise-corrected r² of their voxels' },
    rsa: { Description: 'mean over participants of the cross-validated layer RSA (Spearman)' },
    rsa_ceiling_lower: { Description: 'mean leave-one-participant-out RDM ceiling' },
    rsa_ceiling_upper: { Description: 'mean RDM ceiling against the mean of all participants' },
    component_r2: { Description: 'mean over the NH2015 components of max(r,0)² (n/a without components)' },
    top_layer: { Description: 'layer most participants’ voxels chose' },
  },
);
export type NaturalSoundsRow = Row<typeof naturalSoundsTable.columns>;

export const naturalSoundsFile = (dir: string): string => path.join(dir, 'natural-sounds.tsv');
export const soundsReportFile = (dir: string): string => path.join(dir, 'reports', 'natural-sounds.html');

/** Scores are stored to 6 decimals; the CI columns name the number of bootstrap resamples. */
export function writeNaturalSounds(dir: string, rows: NaturalSoundsRow[], nBoot: number, html: string): void {
  writeTable(naturalSoundsFile(dir), naturalSoundsTable, rows, {
    digits: 6,
    describe: {
      r2_ci_lo: { Description: `2.5th percentile of ${nBoot} bootstrap means over participants` },
      r2_ci_hi: { Description: `97.5th percentile of ${nBoot} bootstrap means over participants` },
    },
  });
  writeFileAtomic(soundsReportFile(dir), html);
}

export function readNaturalSounds(dir: string): NaturalSoundsRow[] {
  return readTable(naturalSoundsFile(dir), naturalSoundsTable).rows;
}

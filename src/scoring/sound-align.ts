/**
 * The group view of a natural-sounds study: the encode-sounds tables of every
 * model merged, and per model the mean over participants of the median
 * noise-corrected r² (bootstrap CI over participants), the mean RSA against
 * the mean leave-one-participant-out ceiling, and the mean component r².
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';
import { readTsv, type TsvTable } from '../io/tsv.js';
import { bootstrapMeanCi, type BootstrapCi } from '../stats/bootstrap.js';

export interface SoundGroupRow {
  model: string;
  participants: number;
  r2: BootstrapCi;
  rsa: number;
  rsaCeilingLower: number;
  rsaCeilingUpper: number;
  componentR2: number;
  /** The layer most participants' voxels chose. */
  topLayer: string;
}

export interface SoundAlignInput {
  encoding: TsvTable;
  rsa: TsvTable;
  layers: TsvTable;
}

/** The three tables of each encode-sounds artifact, concatenated (a model appears in one artifact only). */
export function readSoundEncodings(dirs: string[]): SoundAlignInput {
  const cat = (name: string): TsvTable => {
    const parts = dirs.map((d) => {
      const f = path.join(d, name);
      if (!fs.existsSync(f)) throw new InputError(d, `no ${name}: not an encode-sounds artifact`);
      return readTsv(f);
    });
    return { columns: parts[0].columns, rows: parts.flatMap((p) => p.rows) } as TsvTable;
  };
  const enc = cat('encoding.tsv');
  const seen = new Map<string, number>();
  dirs.forEach((d, i) => {
    for (const r of readTsv(path.join(d, 'encoding.tsv')).rows) {
      const prev = seen.get(r.model);
      if (prev !== undefined && prev !== i) throw new InputError(d, `model ${r.model} also comes from another encoding; give each model once`);
      seen.set(r.model, i);
    }
  });
  return { encoding: enc, rsa: cat('rsa.tsv'), layers: cat('layers.tsv') };
}

const val = (s: string): number => (s === 'n/a' ? NaN : Number(s));
const mean = (x: number[]): number => {
  const f = x.filter(Number.isFinite);
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN;
};

/** One row per model, in the order models first appear. */
export function groupSoundScores(t: SoundAlignInput, rng: Rng, nBoot: number): SoundGroupRow[] {
  const models = [...new Set(t.encoding.rows.map((r) => r.model))];
  return models.map((model) => {
    const vox = t.encoding.rows.filter((r) => r.model === model && r.kind === 'voxels');
    const comp = t.encoding.rows.filter((r) => r.model === model && r.kind === 'component');
    const rsa = t.rsa.rows.filter((r) => r.model === model);
    const r2 = vox.map((r) => val(r.median_r2)).filter(Number.isFinite);
    const ci = r2.length > 1 ? bootstrapMeanCi(r2, { rng, nBoot }) : { estimate: r2[0] ?? NaN, lo: NaN, hi: NaN, se: NaN, level: 0.95, nValid: 0 };
    const tops = new Map<string, number>();
    for (const r of vox) tops.set(r.top_layer, (tops.get(r.top_layer) ?? 0) + 1);
    const topLayer = [...tops.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'n/a';
    return {
      model,
      participants: vox.length,
      r2: ci,
      rsa: mean(rsa.map((r) => val(r.rsa))),
      rsaCeilingLower: mean(rsa.map((r) => val(r.ceiling_lower))),
      rsaCeilingUpper: mean(rsa.map((r) => val(r.ceiling_upper))),
      componentR2: mean(comp.map((r) => val(r.median_r2))),
      topLayer,
    };
  });
}

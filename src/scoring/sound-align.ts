/**
 * The group view of a natural-sounds study: the encode-sounds tables of every
 * model merged, and per model the mean over participants of the median
 * noise-corrected r² (bootstrap CI over participants), the mean RSA against
 * the mean leave-one-participant-out ceiling, and the mean component r².
 */
import { readSoundEncoding, type SoundEncodingRow, type SoundLayerRow, type SoundRsaRow } from '../artifacts/sound-encode.js';
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';
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
  encoding: SoundEncodingRow[];
  rsa: SoundRsaRow[];
  layers: SoundLayerRow[];
}

/** The three tables of each encode-sounds artifact, concatenated (a model appears in one artifact only). */
export function readSoundEncodings(dirs: string[]): SoundAlignInput {
  const parts = dirs.map((d) => readSoundEncoding(d));
  const seen = new Map<string, number>();
  parts.forEach((p, i) => {
    for (const r of p.encoding) {
      const prev = seen.get(r.model);
      if (prev !== undefined && prev !== i) throw new InputError(dirs[i], `model ${r.model} also comes from another encoding; give each model once`);
      seen.set(r.model, i);
    }
  });
  return { encoding: parts.flatMap((p) => p.encoding), rsa: parts.flatMap((p) => p.rsa), layers: parts.flatMap((p) => p.layers) };
}

const val = (x: number | null): number => x ?? NaN;
const mean = (x: number[]): number => {
  const f = x.filter(Number.isFinite);
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN;
};

/** One row per model, in the order models first appear. */
export function groupSoundScores(t: SoundAlignInput, rng: Rng, nBoot: number): SoundGroupRow[] {
  const models = [...new Set(t.encoding.map((r) => r.model))];
  return models.map((model) => {
    const vox = t.encoding.filter((r) => r.model === model && r.kind === 'voxels');
    const comp = t.encoding.filter((r) => r.model === model && r.kind === 'component');
    const rsa = t.rsa.filter((r) => r.model === model);
    const r2 = vox.map((r) => val(r.median_r2)).filter(Number.isFinite);
    const ci = r2.length > 1 ? bootstrapMeanCi(r2, { rng, nBoot }) : { estimate: r2[0] ?? NaN, lo: NaN, hi: NaN, se: NaN, level: 0.95, nValid: 0 };
    const tops = new Map<string, number>();
    for (const r of vox) tops.set(r.top_layer ?? 'n/a', (tops.get(r.top_layer ?? 'n/a') ?? 0) + 1);
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

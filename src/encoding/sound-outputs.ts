/**
 * The rows of an encode-sounds artifact (src/artifacts/sound-encode.ts) from
 * a sound-level study's results (sound-study.ts).
 */
import { writeSoundEncoding } from '../artifacts/sound-encode.js';
import type { SoundStudyResult } from './sound-study.js';

export function writeSoundOutputs(dir: string, results: SoundStudyResult[]): void {
  writeSoundEncoding(dir, {
    encoding: results.flatMap((m) =>
      m.targets.map((t) => ({
        model: m.model,
        target: t.label,
        kind: t.kind,
        n: t.n,
        median_r: t.medianR,
        median_r2: t.medianR2,
        median_reliability: t.medianReliability,
        top_layer: t.topLayer,
      })),
    ),
    layers: results.flatMap((m) => m.targets.flatMap((t) => m.layers.map((l) => ({ model: m.model, target: t.label, layer: l, share: t.layerShare[l] ?? 0 })))),
    rsa: results.flatMap((m) =>
      m.rsa.map((r) => ({
        model: m.model,
        target: r.label,
        rsa: r.score,
        rsa_sd: r.sd,
        ceiling_lower: r.ceilingLower,
        ceiling_upper: r.ceilingUpper,
        top_layer: r.topLayer,
      })),
    ),
    voxelwise: results.flatMap((m) =>
      m.voxels.map((v) => ({
        name: `${m.model}_${v.label}`,
        rows: v.voxelId.map((id, i) => ({
          voxel_id: id,
          r: v.r[i],
          r2_corrected: v.r2[i],
          reliability: v.reliability[i],
          prediction_reliability: v.predictionReliability[i],
          layer: v.layer[i],
        })),
      })),
    ),
  });
}

/**
 * Tables of a sound-level study (sound-study.ts), each with a JSON sidecar:
 * encoding.tsv (one row per model × participant or component), layers.tsv
 * (which layer the inner folds chose), rsa.tsv (cross-validated layer RSA
 * with its ceiling) and voxelwise/<model>_<participant>.tsv.
 */
import * as path from 'node:path';
import { writeTsv } from '../io/tsv.js';
import type { SoundStudyResult } from './sound-study.js';

const num = (x: number): number | string => (Number.isFinite(x) ? Number(x.toFixed(6)) : 'n/a');

export function writeSoundOutputs(dir: string, results: SoundStudyResult[]): void {
  writeTsv(
    path.join(dir, 'encoding.tsv'),
    ['model', 'target', 'kind', 'n', 'median_r', 'median_r2', 'median_reliability', 'top_layer'],
    results.flatMap((m) =>
      m.targets.map((t) => ({
        model: m.model,
        target: t.label,
        kind: t.kind,
        n: t.n,
        median_r: num(t.medianR),
        median_r2: num(t.medianR2),
        median_reliability: num(t.medianReliability),
        top_layer: t.topLayer,
      })),
    ),
    {
      model: { Description: 'model folder of the features artifact' },
      target: { Description: 'participant (sub-XX) or component name' },
      kind: { Description: 'voxels: a participant’s voxels; component: one NH2015 component' },
      n: { Description: 'targets summarised (voxels, or 1 for a component)' },
      median_r: { Description: 'median over targets of the outer-fold mean held-out Pearson r (nested 5-fold ridge with layer choice)' },
      median_r2: {
        Description: 'voxels: median of the noise-corrected r² averaged over outer folds (voxelwise/*.tsv r2_corrected); component: max(r,0)² (no ceiling)',
      },
      median_reliability: { Description: 'median Spearman–Brown reliability ρ of the scan mean (median pairwise scan r); n/a for components' },
      top_layer: { Description: 'layer (area/iter-k) most targets chose in the inner folds' },
    },
  );
  writeTsv(
    path.join(dir, 'layers.tsv'),
    ['model', 'target', 'layer', 'share'],
    results.flatMap((m) => m.targets.flatMap((t) => m.layers.map((l) => ({ model: m.model, target: t.label, layer: l, share: num(t.layerShare[l] ?? 0) })))),
    {
      model: { Description: 'model folder of the features artifact' },
      target: { Description: 'participant or component' },
      layer: { Description: 'area/iter-k of the model' },
      share: { Description: 'fraction of the targets whose most often chosen layer (over outer folds) is this one' },
    },
  );
  writeTsv(
    path.join(dir, 'rsa.tsv'),
    ['model', 'target', 'rsa', 'rsa_sd', 'ceiling_lower', 'ceiling_upper', 'top_layer'],
    results.flatMap((m) =>
      m.rsa.map((r) => ({
        model: m.model,
        target: r.label,
        rsa: num(r.score),
        rsa_sd: num(r.sd),
        ceiling_lower: num(r.ceilingLower),
        ceiling_upper: num(r.ceilingUpper),
        top_layer: r.topLayer,
      })),
    ),
    {
      model: { Description: 'model folder of the features artifact' },
      target: { Description: 'participant' },
      rsa: {
        Description:
          'Spearman between the participant’s voxel RDM and the cross-validated model RDM (layer chosen per stimulus-fold block; 1 − Pearson over z-scored columns)',
      },
      rsa_sd: { Description: 'SD of the score over random fold assignments (not a CI)' },
      ceiling_lower: { Description: 'Spearman of this participant’s RDM with the mean of the others (n/a with one participant)' },
      ceiling_upper: { Description: 'Spearman of this participant’s RDM with the mean of all' },
      top_layer: { Description: 'layer that supplied most cells of the assembled RDM' },
    },
  );
  for (const m of results) {
    for (const v of m.voxels) {
      writeTsv(
        path.join(dir, 'voxelwise', `${m.model}_${v.label}.tsv`),
        ['voxel_id', 'r', 'r2_corrected', 'reliability', 'prediction_reliability', 'layer'],
        v.voxelId.map((id, i) => ({
          voxel_id: id,
          r: num(v.r[i]),
          r2_corrected: num(v.r2[i]),
          reliability: num(v.reliability[i]),
          prediction_reliability: num(v.predictionReliability[i]),
          layer: v.layer[i],
        })),
        {
          voxel_id: { Description: 'voxel_id of the published voxel table' },
          r: { Description: 'held-out Pearson r, mean over outer folds' },
          r2_corrected: {
            Description: 'mean over outer folds of max(r,0)²/(max(ρ, floor)·max(ρ̂, floor)) (correction tuckute) or max(r,0)²/max(ρ, floor) (voxel)',
          },
          reliability: { Description: 'Spearman–Brown reliability ρ of the scan mean' },
          prediction_reliability: {
            Description: 'mean over outer folds of ρ̂: the same statistic over predictions refit on single scans (n/a with correction voxel)',
          },
          layer: { Description: 'layer chosen most often by the inner folds' },
        },
      );
    }
  }
}

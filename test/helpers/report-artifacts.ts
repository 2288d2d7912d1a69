/**
 * Fixture artifact folders for the report loader tests, in the formats the
 * stages write (train: src/models/train.ts, encode: src/encoding/study-outputs.ts,
 * align: src/scoring/align-run.ts, decode-eeg: src/decoding/outputs.ts),
 * written with the project's own writers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeTsv } from '../../src/io/tsv.js';
import { writeJsonAtomic } from '../../src/core/atomic.js';
import { writeNifti } from '../../src/io/nifti.js';

export const CLASSES = ['blues', 'jazz', 'rock'];

export function artifact(root: string, stage: string, key: string, params: unknown, write: (dir: string) => void): string {
  const dir = path.join(root, 'artifacts', stage, key);
  fs.mkdirSync(dir, { recursive: true });
  write(dir);
  writeJsonAtomic(path.join(dir, 'provenance.json'), { key, stage, codeVersion: 't', brainalign: '0.1.0', seed: 5, params, inputs: {}, command: [], startedAt: '', wallSeconds: 0, outputs: [] });
  return dir;
}

export function trainFiles(dir: string, layout: 'library' | 'eval'): void {
  writeTsv(path.join(dir, 'metrics.tsv'), ['epoch', 'train_loss', 'train_acc', 'val_loss', 'val_acc', 'seconds'],
    [0, 1, 2].map((e) => ({ epoch: e, train_loss: 1.1 - 0.3 * e, train_acc: 0.3 + 0.2 * e, val_loss: e === 0 ? null : 1.2 - 0.2 * e, val_acc: e === 0 ? null : 0.3 + 0.1 * e, seconds: 1 })));
  const conf = [[5, 1, 0], [0, 4, 2], [1, 0, 6]];
  const confRows = conf.map((r, i) => ({ true_genre: CLASSES[i], ...Object.fromEntries(CLASSES.map((c, j) => [c, r[j]])) }));
  const perRows = CLASSES.map((g, i) => ({ genre: g, precision: 0.5 + 0.1 * i, recall: 0.6, support: 6 + i }));
  if (layout === 'library') {
    writeTsv(path.join(dir, 'confusion.tsv'), ['true_genre', ...CLASSES], confRows);
    writeTsv(path.join(dir, 'per-class.tsv'), ['genre', 'precision', 'recall', 'support'], perRows);
    writeJsonAtomic(path.join(dir, 'evaluation.json'), { accuracy: 0.79, clipAccuracy: 0.9, bestEpoch: 2 });
  } else {
    writeTsv(path.join(dir, 'eval', 'confusion.tsv'), ['true_genre', ...CLASSES], confRows, { true_genre: { Description: 'true genre of held-out test clips; other columns: number of clips predicted as that genre' } });
    writeTsv(path.join(dir, 'eval', 'per_genre.tsv'), ['genre', 'precision', 'recall', 'support'], perRows);
    writeJsonAtomic(path.join(dir, 'eval', 'summary.json'), { accuracy: 0.6, clip_accuracy: 0.7, chance: 1 / 3, clip_binomial_p: 0.004 });
  }
}

/** A 4-D BOLD run whose voxel v has mean 100 + v, and an r map with values 0.01·k on k = 1…100 voxels. */
export function encodeFiles(dir: string, sub: string, scale: number): void {
  const dims = [5, 4, 5];
  const n = 100;
  const r = new Float32Array(n);
  for (let v = 0; v < n; v++) r[v] = (v + 1) / 100;
  const aff = [2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1];
  const func = path.join(dir, `sub-${sub}`, 'func');
  // Named as the encode stage names them for a model 'banbest' (model ban at checkpoint best).
  writeNifti(path.join(func, `sub-${sub}_task-test_desc-banbestA1Iter0_r.nii.gz`), { dims, data: r.map((x) => x / 2), affine: aff });
  writeNifti(path.join(func, `sub-${sub}_task-test_desc-banbestA1_r.nii.gz`), { dims, data: r.map((x) => x / 2), affine: aff });
  writeNifti(path.join(func, `sub-${sub}_task-test_desc-banbestBest_r.nii.gz`), { dims, data: r, affine: aff });
  writeJsonAtomic(path.join(func, `sub-${sub}_task-test_desc-banbestBest_r.json`), { Description: 'held-out Pearson r on the mean of 2 test runs: ban, best layer per voxel by training CV', Units: 'unitless' });
  writeNifti(path.join(func, `sub-${sub}_task-test_desc-banbestBest_alpha.nii.gz`), { dims, data: r.map((x) => x * 1000), affine: aff });
  const rows = ['A1', 'Belt'].flatMap((area, i) => ['A1', 'Belt'].flatMap((roi, k) => [
    { model: 'ban', area, iteration: 0, roi, n_voxels: 10, median_r: 0.9, median_r_norm: 0.99 },
    { model: 'ban', area, iteration: 'cv', roi, n_voxels: 10 + k, median_r: 0.1, median_r_norm: scale * (i === k ? 0.5 : 0.2) },
  ]));
  writeTsv(path.join(dir, `sub-${sub}`, 'func', `sub-${sub}_desc-ban_roi.tsv`), ['model', 'area', 'iteration', 'roi', 'n_voxels', 'median_r', 'median_r_norm'], rows);
}

/** align outputs as src/scoring/align-run.ts writes them (two trained models and two checkpoints of one). */
export function alignFiles(dir: string): void {
  const bas = (model: string, checkpoint: string | null, sR: number, withBas: boolean) => [
    { model, checkpoint, score: 's_r', estimate: sR, ci_lo: sR - 0.1, ci_hi: sR + 0.1, se: 0.05 },
    { model, checkpoint, score: 's_b', estimate: withBas ? 0.6 : null, ci_lo: withBas ? 0.55 : null, ci_hi: withBas ? 0.65 : null, se: null },
    { model, checkpoint, score: 'bas', estimate: withBas ? (sR + 0.6) / 2 : null, ci_lo: withBas ? 0.45 : null, ci_hi: withBas ? 0.56 : null, se: null },
  ];
  writeTsv(path.join(dir, 'bas.tsv'), ['model', 'checkpoint', 'score', 'estimate', 'ci_lo', 'ci_hi', 'se'],
    [...bas('ban', 'best', 0.4, true), ...bas('cnn', null, 0.3, false), ...bas('ban', 'epoch-0000', 0.1, false), ...bas('ban', 'epoch-0005', 0.3, false)],
    { ci_lo: { Description: 'Lower end of the 90% percentile bootstrap interval (voxels within ROIs, clips)' } });
  writeJsonAtomic(path.join(dir, 'correspondence.json'), {
    'ban@best': { model: 'ban', checkpoint: 'best', pairs: [{ area: 'A1', roi: 'A1' }, { area: 'Belt', roi: 'Belt' }], correspondence: { ownRoiBest: 1, ownAreaBest: 1, contrast: 0.25, p: 0.01, nPerm: 100 }, pairScores: [{ area: 'A1', roi: 'A1', score: 0.5 }, { area: 'Belt', roi: 'Belt', score: 0.3 }] },
    cnn: { model: 'cnn', checkpoint: null, pairs: null, correspondence: null, pairScores: null },
  });
  const ar = (model: string, checkpoint: string | null, v: number[]) => ['A1', 'Belt'].flatMap((area, i) => ['A1', 'Belt'].map((roi, k) => ({ model, checkpoint, area, roi, median_r: 0.1, ceiling: 0.5, r_norm: v[i * 2 + k] })));
  writeTsv(path.join(dir, 'area_roi.tsv'), ['model', 'checkpoint', 'area', 'roi', 'median_r', 'ceiling', 'r_norm'], [...ar('ban', 'epoch-0000', [9, 9, 9, 9]), ...ar('ban', 'best', [0.5, 0.2, Number.NaN, 0.3]), ...ar('cnn', null, [1, 1, 1, 1])]);
  writeTsv(path.join(dir, 'alignment.tsv'), ['model', 'checkpoint', 'epoch', 'final', 'alignment', 'rsa', 'performance', 'n_test_clips', 'r_norm_A1'],
    [{ model: 'ban', checkpoint: 'epoch-0000', epoch: 0, final: 0, alignment: 0.2, rsa: 0.1, performance: 0.3, n_test_clips: 16 }, { model: 'ban', checkpoint: 'epoch-0005', epoch: 5, final: 0, alignment: 0.5, rsa: 0.2, performance: 0.7, n_test_clips: 16 },
      { model: 'ban', checkpoint: 'best', epoch: null, final: 1, alignment: 0.45, rsa: 0.2, performance: 0.8, n_test_clips: 16 }, { model: 'cnn', checkpoint: null, epoch: null, final: 1, alignment: 0.35, rsa: null, performance: null, n_test_clips: null }]);
  writeTsv(path.join(dir, 'alignment_vs_performance.tsv'), ['scope', 'model', 'measure', 'spearman', 'ci_lo', 'ci_hi', 'n'], [
    { scope: 'across-models', model: null, measure: 'encoding', spearman: 0.8, ci_lo: 0.2, ci_hi: 1, n: 3 },
    { scope: 'within-model', model: 'ban', measure: 'encoding', spearman: 1, ci_lo: null, ci_hi: null, n: 3 },
  ]);
  writeTsv(path.join(dir, 's_r_differences.tsv'), ['model_a', 'model_b', 'difference', 'ci_lo', 'ci_hi', 'se'], [{ model_a: 'ban@best', model_b: 'cnn', difference: 0.02, ci_lo: -0.01, ci_hi: 0.05, se: 0.015 }]);
}

/** decode-eeg outputs as src/decoding/outputs.ts writes them: per-subject and group tables, confusions, training log. */
export function eegFiles(dir: string): void {
  const cols = ['decoder', 'split', 'window_s', 'combine', 'n_items', 'top1', 'top1_lo', 'top1_hi', 'topk', 'k', 'chance', 'chance_topk', 'p_perm'];
  const rows = (subject: string, bonus: number) => ['predann', 'regression'].flatMap((decoder, d) => [2, 4].flatMap((w) => ['mean', 'max'].map((combine) => ({
    subject, decoder, split: 'random-chunk', window_s: w, combine, n_items: 40, top1: combine === 'mean' ? 0.2 + 0.1 * w + 0.05 * d + bonus : 0.99, top1_lo: 0.1, top1_hi: 0.95, topk: 0.9, k: 3, chance: 0.1, chance_topk: 0.3, p_perm: 0.001,
  }))));
  for (const [sub, bonus] of [['sub-01', 0], ['sub-02', 0.02]] as const) {
    writeTsv(path.join(dir, sub, 'eeg', `${sub}_desc-identification_scores.tsv`), cols, rows(sub, bonus));
    writeTsv(path.join(dir, sub, 'eeg', `${sub}_desc-identification_confusion.tsv`), ['decoder', 'split', 'true_stim', 'predicted_stim', 'count'],
      [{ decoder: 'predann', split: 'random-chunk', true_stim: 's1', predicted_stim: 's1', count: 3 }, { decoder: 'predann', split: 'random-chunk', true_stim: 's1', predicted_stim: 's2', count: 1 }, { decoder: 'predann', split: 'random-chunk', true_stim: 's2', predicted_stim: 's2', count: 4 }]);
  }
  writeTsv(path.join(dir, 'group', 'desc-identification_scores.tsv'), ['subject', ...cols], [...rows('all', 0.01), ...rows('sub-01', 0), ...rows('sub-02', 0.02)]);
  writeJsonAtomic(path.join(dir, 'group', 'desc-identification_summary.json'), { songs: ['s2', 's1'], nSongs: 2 });
  writeTsv(path.join(dir, 'group', 'desc-identification_training.tsv'), ['decoder', 'split', 'fold', 'epoch', 'loss', 'ce', 'nce', 'train_acc', 'seconds'],
    [0, 1].flatMap((fold) => [0, 1, 2].map((epoch) => ({ decoder: 'predann', split: 'random-chunk', fold: `f${fold}`, epoch, loss: 3 - epoch + fold, ce: 1, nce: 1, train_acc: 0.1 * (epoch + 1), seconds: 1 }))));
}


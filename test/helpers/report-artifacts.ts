/**
 * Fixture artifact folders for the report loader tests, written with the
 * stages' own typed writers (encode: src/artifacts/encode.ts, align:
 * src/artifacts/align.ts, decode-eeg: src/artifacts/identification.ts, train:
 * src/artifacts/train-*.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeHistory } from '../../src/artifacts/train-history.js';
import { writeConfusion, writePerGenre, writeTrainSummary } from '../../src/artifacts/train-evaluation.js';
import { writeJsonAtomic } from '../../src/core/atomic.js';
import { encodeNames, writeEncodingIndex, writeMap, writeRoiTable, type RoiRow } from '../../src/artifacts/encode.js';
import { writeAlign, writeAlignSummary, type AlignmentRow, type BasRow } from '../../src/artifacts/align.js';
import { writeIdentification, type ScoreTableRow } from '../../src/artifacts/identification.js';

export const CLASSES = ['blues', 'jazz', 'rock'];

export function artifact(root: string, stage: string, key: string, params: unknown, write: (dir: string) => void): string {
  const dir = path.join(root, 'artifacts', stage, key);
  fs.mkdirSync(dir, { recursive: true });
  write(dir);
  writeJsonAtomic(path.join(dir, 'provenance.json'), {
    key,
    stage,
    codeVersion: 't',
    brainalign: '0.1.0',
    seed: 5,
    params,
    inputs: {},
    command: [],
    startedAt: '',
    wallSeconds: 0,
    outputs: [],
  });
  return dir;
}

/** A train artifact's report inputs: 3 epochs, a 3-genre clip confusion, per-genre scores and the summary. */
export function trainFiles(dir: string, opts: { accuracy: number; clipAccuracy: number; p: number }): void {
  fs.mkdirSync(path.join(dir, 'eval'), { recursive: true });
  writeHistory(
    dir,
    [0, 1, 2].map((e) => ({
      epoch: e,
      train_loss: 1.1 - 0.3 * e,
      train_acc: 0.3 + 0.2 * e,
      val_loss: e === 0 ? null : 1.2 - 0.2 * e,
      val_acc: e === 0 ? null : 0.3 + 0.1 * e,
    })),
  );
  writeConfusion(dir, {
    classes: CLASSES,
    counts: [
      [5, 1, 0],
      [0, 4, 2],
      [1, 0, 6],
    ],
  });
  writePerGenre(
    dir,
    CLASSES.map((g, i) => ({ genre: g, precision: 0.5 + 0.1 * i, recall: i === 1 ? null : 0.6, n: 6 + i })),
  );
  writeTrainSummary(dir, {
    model: 'x',
    arch: 'ban',
    ablation: 'none',
    accuracy: opts.accuracy,
    clip_accuracy: opts.clipAccuracy,
    chance: 1 / 3,
    n_test_clips: 21,
    n_test_windows: 84,
    clip_binomial_p: opts.p,
    best_epoch: 2,
    epochs_run: 3,
    n_parameters: 1000,
    classes: CLASSES,
    backend: 'wasm',
    threads: 1,
  });
}

/** An encoding of `model` (default 'ban') at checkpoint 'best' (desc banbest…): r maps with values 0.01·k on k = 1…100 voxels, ROI rows scaled by `scale`. */
export function encodeFiles(dir: string, sub: string, scale: number, model = 'ban'): void {
  const dims = [5, 4, 5];
  const n = 100;
  const r = new Float32Array(n);
  for (let v = 0; v < n; v++) r[v] = (v + 1) / 100;
  const affine = [2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1];
  const names = encodeNames(sub, 'test', 'banbest');
  const map = (desc: string, stat: string, data: Float32Array, what: string): void =>
    writeMap(path.join(dir, names.map(desc, stat)), { dims, data, affine }, { Description: what, Sources: {}, Parameters: {}, Shape: dims, Units: 'unitless' });
  map(
    'banbestA1Iter0',
    'r',
    r.map((x) => x / 2),
    'held-out Pearson r: ban A1 iteration 0',
  );
  map(
    'banbestA1',
    'r',
    r.map((x) => x / 2),
    'held-out Pearson r: ban A1, iteration per voxel by training CV',
  );
  map('banbestBest', 'r', r, 'held-out Pearson r on the mean of 2 test runs: ban, best layer per voxel by training CV');
  map(
    'banbestBest',
    'alpha',
    r.map((x) => x * 1000),
    'ridge alpha',
  );
  const row = (area: string, iteration: string, roi: string, nVoxels: number, rNorm: number): RoiRow => ({
    model,
    area,
    iteration,
    roi,
    n_voxels: nVoxels,
    n_undefined: 0,
    median_r: 0.1,
    median_r_norm: rNorm,
    median_voxel_r_norm: null,
    ceiling: 0.5,
    p_perm: null,
    n_fdr: null,
    frac_fdr: null,
  });
  const rows = ['A1', 'Belt'].flatMap((area, i) =>
    ['A1', 'Belt'].flatMap((roi, k) => [row(area, '0', roi, 10, 0.99), row(area, 'cv', roi, 10 + k, scale * (i === k ? 0.5 : 0.2))]),
  );
  writeRoiTable(path.join(dir, names.roi), rows, {});
  writeEncodingIndex(path.join(dir, names.index), {
    subject: sub,
    task: 'test',
    model: 'ban',
    checkpoint: 'best',
    featuresDir: '../features',
    tr: 1.5,
    areas: ['A1', 'Belt'],
    rois: ['A1', 'Belt'],
    nVoxels: n,
    maps: [
      { desc: 'banbestA1Iter0', label: 'iter-0', area: 'A1', iteration: 0, row: 0 },
      { desc: 'banbestA1', label: 'cv', area: 'A1', iteration: null, row: 1 },
      { desc: 'banbestBest', label: 'cv', area: 'best', iteration: null, row: 2 },
    ],
    clips: [],
    files: { roi: names.roi },
    predAreas: [],
  });
}

/** align outputs of two trained models (ban at best, cnn) and two checkpoints of ban, at CI level 0.9. */
export function alignFiles(dir: string): void {
  const bas = (model: string, checkpoint: string | null, sR: number, withBas: boolean): BasRow[] => [
    { model, checkpoint, score: 's_r', estimate: sR, ci_lo: sR - 0.1, ci_hi: sR + 0.1, se: 0.05 },
    { model, checkpoint, score: 's_b', estimate: withBas ? 0.6 : null, ci_lo: withBas ? 0.55 : null, ci_hi: withBas ? 0.65 : null, se: null },
    { model, checkpoint, score: 'bas', estimate: withBas ? (sR + 0.6) / 2 : null, ci_lo: withBas ? 0.45 : null, ci_hi: withBas ? 0.56 : null, se: null },
  ];
  const ar = (model: string, checkpoint: string | null, v: number[]) =>
    ['A1', 'Belt'].flatMap((area, i) =>
      ['A1', 'Belt'].map((roi, k) => ({ model, checkpoint, area, roi, median_r: 0.1, ceiling: 0.5, r_norm: Number.isNaN(v[i * 2 + k]) ? null : v[i * 2 + k] })),
    );
  const point = (
    model: string,
    checkpoint: string | null,
    epoch: number | null,
    final: number,
    alignment: number,
    rsa: number | null,
    performance: number | null,
  ): AlignmentRow & { r_norm_a1: number | null } => ({
    model,
    checkpoint,
    epoch,
    final,
    alignment,
    rsa,
    performance,
    n_test_clips: performance === null ? null : 16,
    r_norm_a1: null,
  });
  writeAlign(dir, {
    bas: {
      rows: [
        ...bas('ban', 'best', 0.4, true),
        ...bas('cnn', null, 0.3, false),
        ...bas('ban', 'epoch-0000', 0.1, false),
        ...bas('ban', 'epoch-0005', 0.3, false),
      ],
      describe: {},
    },
    areaRoi: [...ar('ban', 'epoch-0000', [9, 9, 9, 9]), ...ar('ban', 'best', [0.5, 0.2, Number.NaN, 0.3]), ...ar('cnn', null, [1, 1, 1, 1])],
    correspondence: {
      'ban@best': {
        model: 'ban',
        checkpoint: 'best',
        subjects: ['01'],
        pairs: [
          { area: 'A1', roi: 'A1' },
          { area: 'Belt', roi: 'Belt' },
        ],
        correspondence: { contrast: 0.25, p: 0.01 },
        pairScores: [
          { area: 'A1', roi: 'A1', score: 0.5 },
          { area: 'Belt', roi: 'Belt', score: 0.3 },
        ],
        perSubject: null,
        behaviour: null,
      },
      cnn: { model: 'cnn', checkpoint: null, subjects: ['01'], pairs: null, correspondence: null, pairScores: null, perSubject: null, behaviour: null },
    },
    modelChoices: [],
    rsa: null,
    srDifferences: { rows: [{ model_a: 'ban@best', model_b: 'cnn', difference: 0.02, ci_lo: -0.01, ci_hi: 0.05, se: 0.015 }], describe: {} },
    alignment: {
      rows: [
        point('ban', 'epoch-0000', 0, 0, 0.2, 0.1, 0.3),
        point('ban', 'epoch-0005', 5, 0, 0.5, 0.2, 0.7),
        point('ban', 'best', null, 1, 0.45, 0.2, 0.8),
        point('cnn', null, null, 1, 0.35, null, null),
      ],
      describe: {},
      roiColumns: { columns: ['r_norm_a1'], describe: {} },
      vsPerformance: {
        rows: [
          { scope: 'across-models', model: null, measure: 'encoding', spearman: 0.8, ci_lo: 0.2, ci_hi: 1, n: 3 },
          { scope: 'within-model', model: 'ban', measure: 'encoding', spearman: 1, ci_lo: null, ci_hi: null, n: 3 },
        ],
        describe: {},
      },
      byCheckpoint: [],
    },
  });
  writeAlignSummary(dir, { level: 0.9, groups: [] });
}

/** decode-eeg outputs of 2 subjects, 2 decoders, 2 window lengths and 2 combination rules; `empty`: a run that scored nothing. */
export function eegFiles(dir: string, empty = false): void {
  const rows = (subject: string, bonus: number): ScoreTableRow[] =>
    ['predann', 'regression'].flatMap((decoder, d) =>
      [2, 4].flatMap((w) =>
        ['mean', 'max'].map((combine) => ({
          subject,
          decoder,
          split: 'random-chunk',
          window_s: w,
          combine,
          n_items: 40,
          top1: combine === 'mean' ? 0.2 + 0.1 * w + 0.05 * d + bonus : 0.99,
          top1_lo: 0.1,
          top1_hi: 0.95,
          topk: 0.9,
          k: 3,
          chance: 0.1,
          chance_topk: 0.3,
          p_perm: 0.001,
        })),
      ),
    );
  const conf = [
    { decoder: 'predann', split: 'random-chunk', true_stim: 's1', predicted_stim: 's1', count: 3 },
    { decoder: 'predann', split: 'random-chunk', true_stim: 's1', predicted_stim: 's2', count: 1 },
    { decoder: 'predann', split: 'random-chunk', true_stim: 's2', predicted_stim: 's2', count: 4 },
  ];
  const subjects = empty
    ? []
    : ([
        ['sub-01', 0],
        ['sub-02', 0.02],
      ] as const);
  writeIdentification(dir, {
    perSubject: subjects.map(([s, bonus]) => ({ subject: s, scores: rows(s, bonus).map(({ subject: _s, ...r }) => r), confusion: conf })),
    scores: empty ? [] : [...rows('all', 0.01), ...rows('sub-01', 0), ...rows('sub-02', 0.02)],
    confusions: [],
    perSong: [],
    curve: { description: 'fixture', x: 'window_s', y: 'top1', songs: ['s2', 's1'], series: [] },
    training: empty
      ? []
      : [0, 1].flatMap((fold) =>
          [0, 1, 2].map((epoch) => ({
            decoder: 'predann',
            split: 'random-chunk',
            fold: `f${fold}`,
            epoch,
            loss: 3 - epoch + fold,
            ce: 1,
            ce_audio: 0,
            nce: 1,
            train_acc: 0.1 * (epoch + 1),
            val_ce: null,
            val_acc: null,
            best_epoch: 2,
          })),
        ),
    summary: { songs: ['s2', 's1'], nSongs: 2 },
  });
}

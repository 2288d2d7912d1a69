/**
 * Fixture ReportData for the report tests: every section filled with values
 * of known size, so the tests can count the marks each figure must draw.
 * The brain maps are small gzipped NIfTI volumes written by our own writer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { emptyReport, type ReportData, type Study } from '../../src/report/data.js';
import { writeNifti } from '../../src/io/nifti.js';

export const GENRES = ['blues', 'classical', 'country', 'disco', 'hiphop', 'jazz', 'metal', 'pop', 'reggae', 'rock'];
export const AREAS = ['A1', 'Belt', 'PB', 'T2/T3'];
export const ROIS = ['A1', 'Belt', 'Parabelt', 'T2/T3'];

/** A sphere of score values over a brighter "head": (background, map) gzipped NIfTI files in `dir`. */
export function writeFixtureVolumes(dir: string): { map: string; background: string } {
  const dims = [20, 24, 18];
  const n = dims[0] * dims[1] * dims[2];
  const bg = new Float32Array(n),
    sc = new Float32Array(n);
  for (let z = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++)
      for (let x = 0; x < dims[0]; x++) {
        const i = x + dims[0] * (y + dims[1] * z);
        const d = Math.hypot(x - 10, y - 12, z - 9);
        bg[i] = d < 9 ? 1000 - 40 * d : 0;
        sc[i] = d < 5 ? 0.6 - 0.1 * d : 0;
      }
  const affine = [3, 0, 0, -30, 0, 3, 0, -36, 0, 0, 3, -27, 0, 0, 0, 1];
  const map = path.join(dir, 'sub-01_desc-banT2T3_r.nii.gz');
  const background = path.join(dir, 'sub-01_desc-mean_bold.nii.gz');
  writeNifti(map, { dims, data: sc, affine, pixdim: [3, 3, 3] });
  writeNifti(background, { dims, data: bg, affine, pixdim: [3, 3, 3] });
  return { map, background };
}

/** A fully populated ReportData for `study` (volumes read from `dir`, written there if absent). */
export function fixtureReport(study: Study, dir: string): ReportData {
  const d = emptyReport(study, '0.1.0-test', 7);
  const epochs = Array.from({ length: 12 }, (_, e) => ({
    epoch: e,
    train_loss: 2.3 * Math.exp(-e / 4) + 0.2,
    train_acc: 0.1 + 0.8 * (1 - Math.exp(-e / 3)),
    val_loss: e === 0 ? null : 2.3 * Math.exp(-e / 5) + 0.4,
    val_acc: e === 0 ? null : 0.1 + 0.6 * (1 - Math.exp(-e / 4)),
  }));
  const confusion = GENRES.map((_, t) => GENRES.map((__, p) => (t === p ? 8 + (t % 3) : (t + p) % 4 === 0 ? 1 : 0)));
  d.training.push({
    model: 'ban',
    epochs,
    bestEpoch: 9,
    classes: GENRES,
    confusion,
    confusionUnit: 'windows',
    perClass: GENRES.map((g, i) => ({ genre: g, precision: 0.6 + 0.03 * i, recall: 0.7 - 0.02 * i, support: 10 })),
    accuracy: 0.71,
    clipAccuracy: 0.8,
    chance: 0.1,
    clipP: 1e-6,
  });
  d.roiScores = {
    measure: 'ceiling-normalised median r',
    rows: AREAS.flatMap((a, i) =>
      ROIS.map((r, k) => ({
        group: a,
        roi: r,
        score: i === k ? 0.5 : 0.2 + 0.05 * Math.abs(i - k),
        lo: i === k ? 0.42 : 0.15,
        hi: i === k ? 0.58 : 0.3,
        nVoxels: 40 + k,
        subjects: [],
      })),
    ),
  };
  d.areaRoi = {
    measure: 'ceiling-normalised median r',
    areas: AREAS,
    rois: ROIS,
    values: AREAS.flatMap((_, i) => ROIS.map((__, k) => (i === k ? 0.5 : i === 3 && k === 0 ? null : 0.2 + 0.05 * Math.abs(i - k)))),
    pairs: AREAS.map((a, i) => ({ area: a, roi: ROIS[i] })),
  };
  d.bas.push(
    {
      model: 'ban',
      sR: { estimate: 0.5, lo: 0.44, hi: 0.56 },
      sB: { estimate: 0.62, lo: 0.5, hi: 0.7 },
      bas: { estimate: 0.56, lo: 0.5, hi: 0.61 },
      level: 0.95,
      pairs: AREAS.map((a, i) => ({ area: a, roi: ROIS[i], score: 0.5 })),
      correspondence: { index: 0.3, p: 0.002 },
    },
    {
      model: 'cnn',
      sR: { estimate: 0.3, lo: 0.25, hi: 0.36 },
      sB: { estimate: 0.55, lo: 0.45, hi: 0.64 },
      bas: { estimate: 0.425, lo: 0.37, hi: 0.48 },
      level: 0.95,
      pairs: AREAS.map((a, i) => ({ area: a, roi: ROIS[i], score: 0.3 })),
      correspondence: null,
    },
  );
  d.alignment = {
    xLabel: 'held-out clip accuracy (fraction)',
    yLabel: 'BAS (unitless)',
    y2Label: 'RSA (unitless)',
    // ban's last checkpoint (epoch 20) stands for ban across models; cnn and random-ban are trained/untrained models.
    points: [
      ...[0, 5, 10, 15, 20].map((e, i) => ({
        label: `ban epoch ${e}`,
        group: 'ban',
        x: 0.1 + 0.15 * i,
        y: 0.2 + 0.08 * i,
        ylo: 0.15 + 0.08 * i,
        yhi: 0.25 + 0.08 * i,
        y2: 0.05 * i,
        epoch: e,
        final: e === 20,
      })),
      { label: 'cnn', group: 'cnn', x: 0.75, y: 0.42, ylo: 0.37, yhi: 0.48, y2: 0.1, epoch: null, final: true },
      { label: 'random-ban', group: 'baselines', x: 0.1, y: 0.12, ylo: 0.08, yhi: 0.16, y2: null, epoch: null, final: true },
    ],
    // Ranks of the 3 finals: accuracy (0.7, 0.75, 0.1) → 2, 3, 1; BAS (0.52, 0.42, 0.12) → 3, 2, 1: ρ = 0.5.
    summary: [
      { scope: 'across-models', model: null, measure: 'encoding', spearman: 0.5, lo: -1, hi: 1, n: 3 },
      { scope: 'within-model', model: 'ban', measure: 'encoding', spearman: 1, lo: null, hi: null, n: 5 },
    ],
  };
  const windows = [1, 2, 4, 8, 16];
  d.identification = {
    chance: 0.1,
    nCandidates: 10,
    rows: ['sub-01', 'sub-02', 'sub-03'].flatMap((s, j) =>
      windows.map((w) => {
        const acc = 0.1 + (0.7 - 0.15 * j) * (1 - Math.exp(-w / 5));
        return {
          decoder: 'predann',
          split: 'random-chunk',
          subject: s,
          window: w,
          accuracy: acc,
          lo: Math.max(0, acc - 0.08),
          hi: Math.min(1, acc + 0.08),
          n: 40,
        };
      }),
    ),
    confusions: [
      {
        decoder: 'predann',
        split: 'random-chunk',
        songs: ['song-a', 'song-b', 'song-c', 'song-d'],
        counts: [
          [7, 1, 0, 0],
          [1, 6, 1, 0],
          [0, 0, 8, 0],
          [2, 0, 0, 6],
        ],
      },
    ],
  };
  if (study === 'eeg-identification') return withProvenance(d);
  const vols = fs.existsSync(path.join(dir, 'sub-01_desc-banT2T3_r.nii.gz'))
    ? { map: path.join(dir, 'sub-01_desc-banT2T3_r.nii.gz'), background: path.join(dir, 'sub-01_desc-mean_bold.nii.gz') }
    : writeFixtureVolumes(dir);
  d.brainMaps.push({
    title: 'T2/T3 encoding r',
    subject: '01',
    mapName: path.basename(vols.map),
    mapBase64: fs.readFileSync(vols.map).toString('base64'),
    backgroundName: path.basename(vols.background),
    backgroundBase64: fs.readFileSync(vols.background).toString('base64'),
    backgroundKind: 'mean EPI',
    calMin: 0.05,
    calMax: 0.6,
    units: 'Pearson r',
  });
  return withProvenance(d);
}

function withProvenance(d: ReportData): ReportData {
  d.provenance.push(
    {
      stage: 'train',
      key: '0123456789abcdef',
      brainalign: '0.1.0-test',
      seed: 7,
      params: { epochs: 12, lr: 0.001, arch: 'ban' },
      path: 'artifacts/train/0123456789abcdef',
    },
    {
      stage: 'align',
      key: 'fedcba9876543210',
      brainalign: '0.1.0-test',
      seed: 7,
      params: { nBoot: 1000, level: 0.95, pairs: AREAS },
      path: 'artifacts/align/fedcba9876543210',
    },
  );
  return d;
}

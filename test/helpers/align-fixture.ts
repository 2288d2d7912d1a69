/**
 * The hand-computed align fixture of test/scoring-align.test.ts (its header
 * works the BAS out on paper): one subject's encoding of model `fix` (areas
 * a1, belt; ROIs A1, Belt), a train artifact's per-clip predictions for four
 * clips, three listeners' genre choices and the align config.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeNpy } from '../../src/io/npy.js';
import { writeEncodingIndex, writeRoiTable } from '../../src/artifacts/encode.js';
import { writeTsv } from '../../src/io/tsv.js';

export interface AlignFixture {
  enc: string;
  train: string;
  bids: string;
  cfg: string;
}

/** Writes the fixture under `tmp/name`. */
export function alignFixture(tmp: string, name: string): AlignFixture {
  const root = path.join(tmp, name);
  const enc = path.join(root, 'enc');
  const func = path.join(enc, 'sub-01', 'func');
  fs.mkdirSync(func, { recursive: true });
  fs.writeFileSync(path.join(enc, 'provenance.json'), '{}');
  const r = Float32Array.from([0.4, 0.5, 0.6, 0.1, 0.2, 0.3, 0.1, 0.2, 0.15, 0.7, 0.6, 0.8, 0.4, 0.5, 0.6, 0.7, 0.6, 0.8]);
  const files = {
    roi: 'sub-01/func/roi.tsv',
    R_voxels: 'sub-01/func/r.npy',
    Reliability_voxels: 'sub-01/func/rel.npy',
    Roi_voxels: 'sub-01/func/roi.npy',
    Testmean_bold: 'sub-01/func/tm.npy',
  };
  writeRoiTable(path.join(enc, files.roi), [], {});
  writeNpy(path.join(enc, files.R_voxels), r, [3, 6]);
  writeNpy(path.join(enc, files.Reliability_voxels), Float32Array.from([0.64, 0.64, 0.64, 0.81, 0.81, 0.81]), [6]);
  writeNpy(path.join(enc, files.Roi_voxels), Int32Array.from([0, 0, 0, 1, 1, 1]), [6]);
  writeNpy(path.join(enc, files.Testmean_bold), new Float32Array(4 * 6), [4, 6]);
  writeEncodingIndex(path.join(func, 'sub-01_task-test_desc-fix_encoding.json'), {
    subject: '01',
    task: 'test',
    model: 'fix',
    checkpoint: null,
    featuresDir: path.join(root, 'nofeatures'),
    tr: 1,
    areas: ['a1', 'belt'],
    rois: ['A1', 'Belt'],
    nVoxels: 6,
    maps: [
      { desc: 'fixA1', label: 'cv', area: 'a1', iteration: null, row: 0 },
      { desc: 'fixBelt', label: 'cv', area: 'belt', iteration: null, row: 1 },
      { desc: 'fixBest', label: 'cv', area: 'best', iteration: null, row: 2 },
    ],
    clips: [{ stimId: 'c1', onset: 0, duration: 1 }],
    files,
    predAreas: [],
  });
  const train = path.join(root, 'train');
  fs.mkdirSync(path.join(train, 'eval'), { recursive: true });
  fs.writeFileSync(path.join(train, 'provenance.json'), '{}');
  writeTsv(
    path.join(train, 'eval', 'predictions.tsv'),
    ['stim_id', 'true_genre', 'predicted_genre', 'split', 'p_metal', 'p_rock'],
    [
      { stim_id: 'c1', true_genre: 'metal', predicted_genre: 'metal', split: 'test', p_metal: 0.9, p_rock: 0.1 },
      { stim_id: 'c2', true_genre: 'metal', predicted_genre: 'metal', split: 'test', p_metal: 0.6, p_rock: 0.4 },
      { stim_id: 'c3', true_genre: 'rock', predicted_genre: 'rock', split: 'test', p_metal: 0.2, p_rock: 0.8 },
      { stim_id: 'c4', true_genre: 'rock', predicted_genre: 'rock', split: 'test', p_metal: 0.5, p_rock: 0.5 },
    ],
  );
  const bids = path.join(root, 'bids');
  const truth = ['metal', 'metal', 'rock', 'rock'];
  const choices = [
    ['metal', 'rock', 'rock', 'metal'],
    ['metal', 'rock', 'rock', 'rock'],
    ['metal', 'metal', 'rock', 'metal'],
  ];
  choices.forEach((ch, h) => {
    const s = `sub-0${h + 1}`;
    writeTsv(
      path.join(bids, s, 'beh', `${s}_task-genre_beh.tsv`),
      ['stim_id', 'true_genre', 'response', 'rt'],
      ch.map((c, k) => ({ stim_id: `c${k + 1}`, true_genre: truth[k], response: c, rt: 1 })),
    );
  });
  const cfg = path.join(root, 'cfg.json');
  fs.writeFileSync(
    cfg,
    JSON.stringify({
      align: {
        bas: {
          pairs: [
            { area: 'A1', roi: 'a1' },
            { area: 'BELT', roi: 'belt' },
          ],
          nBoot: 200,
          nPerm: 50,
        },
        alignmentRois: ['A1', 'Belt'],
      },
    }),
  );
  return { enc, train, bids, cfg };
}

/**
 * An EncodingResult as the encode artifact (src/artifacts/encode.ts owns the
 * file formats), all under `sub-<label>/func/` so it can be published into
 * the BIDS derivatives tree without clashing across subjects or models. Names: `sub-01_task-test_desc-<model><Area>[Iter<k>]_<stat>.nii.gz`
 * with stat ∈ {r, rnorm, alpha}; `desc-<model><Area>` alone is the per-voxel
 * CV-chosen iteration, `desc-<model>Best` the CV-chosen layer over all areas.
 */
import * as path from 'node:path';
import { finiteOrNull } from '../io/tsv.js';
import {
  encodeNames,
  writeDsegLabels,
  writeEncodingIndex,
  writeMap,
  writeMatrix,
  writeRoiTable,
  type EncodeMatrix,
  type EncodingIndex,
  type RoiRow,
} from '../artifacts/encode.js';
import type { EncodingResult, ScoredMap } from './study.js';

/** BIDS-safe (alphanumeric) label: 'T2/T3' → 'T2T3', 'pb' → 'Pb'. */
export function bidsLabel(s: string, capitalise: boolean): string {
  const a = s.replace(/[^A-Za-z0-9]/g, '');
  return capitalise && a.length ? a[0].toUpperCase() + a.slice(1) : a;
}

/** The desc entity of a map. */
export function mapDesc(model: string, m: Pick<ScoredMap, 'area' | 'iteration'>): string {
  return `${bidsLabel(model, false)}${bidsLabel(m.area, true)}${m.iteration !== null ? `Iter${m.iteration}` : ''}`;
}

/**
 * Writes every map, table and matrix of `res` under `dir` (the artifact temp
 * folder). Returns the index that `align` reads (also written as
 * `sub-XX_task-test_desc-<model>_encoding.json`).
 */
export function writeEncodingOutputs(dir: string, res: EncodingResult, featuresDir: string, checkpoint: string | null): EncodingIndex {
  const d = res.subject;
  const model = res.model;
  // The checkpoint enters every desc, so maps of different checkpoints published side by side do not collide.
  const label = checkpoint !== null && !model.includes('@') ? `${model}${checkpoint}` : model;
  const mdesc = bidsLabel(label, false);
  const nV = d.voxels.length;
  const nGrid = d.dims[0] * d.dims[1] * d.dims[2];
  const task = res.config.testTask;
  const names = encodeNames(d.subject, task, mdesc);
  const base = (desc: string): string => path.join(dir, names.stem(desc));
  const params = { ...res.config };
  const sources = { features: featuresDir, bold: [...d.train, ...d.test].map((r) => path.basename(r.file.path)) };
  const toGrid = (x: ArrayLike<number>): Float32Array => {
    const g = new Float32Array(nGrid);
    for (let v = 0; v < nV; v++) g[d.voxels[v]] = x[v];
    return g;
  };
  const nifti = (stem: string, data: Float32Array | Int16Array, description: string, extra: Record<string, unknown>): void =>
    writeMap(
      stem,
      { dims: [...d.dims], data, affine: d.affine, spaceUnit: 'mm' },
      { Description: description, Sources: sources, Parameters: params, Shape: [...d.dims], ...extra },
    );

  const files: EncodingIndex['files'] = { roi: names.roi };
  const maps: EncodingIndex['maps'] = [];
  res.maps.forEach((m, row) => {
    const desc = mapDesc(label, m);
    const what =
      m.iteration !== null
        ? `${model} ${m.area} iteration ${m.iteration}`
        : m.area === 'best'
          ? `${model}, best layer per voxel by training CV`
          : `${model} ${m.area}, iteration per voxel by training CV`;
    nifti(`${base(desc)}_r`, toGrid(m.r), `held-out Pearson r on the mean of ${d.test.length} test runs: ${what}`, {
      Units: 'unitless',
      Model: model,
      Area: m.area,
      Iteration: m.iteration,
    });
    nifti(`${base(desc)}_rnorm`, toGrid(m.rNorm), `ceiling-normalised r (r / sqrt(max(reliability, 0.182))): ${what}`, {
      Units: 'unitless (1 = at the noise ceiling)',
      Model: model,
      Area: m.area,
      Iteration: m.iteration,
      Ceiling: res.ceilings.method,
    });
    nifti(`${base(desc)}_alpha`, toGrid(m.alpha), `ridge alpha chosen by leave-one-run-out CV: ${what}`, {
      Units: 'ridge penalty (standardised features)',
      Model: model,
      Area: m.area,
      Iteration: m.iteration,
    });
    maps.push({ desc, label: m.label, area: m.area, iteration: m.iteration, row });
  });

  nifti(
    `${base('reliability')}_noiseceiling`,
    toGrid(res.ceilings.rCeiling),
    `correlation noise ceiling sqrt(reliability) of the ${res.ceilings.nRuns}-run test mean (${res.ceilings.method})`,
    { Units: 'unitless (r)', Method: res.ceilings.method },
  );
  nifti(
    `${base('ncsnr')}_noiseceiling`,
    toGrid(res.ceilings.ncsnrRCeiling),
    `correlation noise ceiling from signal power: sqrt(ncsnr^2/(ncsnr^2 + 1/R)), R = ${res.ceilings.nRuns}`,
    { Units: 'unitless (r)', Method: 'ncsnr' },
  );

  // Best area / layer per voxel: int16 labels, 0 = not fitted; labels TSV as BIDS dseg asks.
  const dseg = (desc: string, choice: Int32Array, labels: string[], description: string): void => {
    const g = new Int16Array(nGrid);
    for (let v = 0; v < nV; v++) g[d.voxels[v]] = choice[v] + 1;
    nifti(`${base(desc)}_dseg`, g, description, { Units: 'label index (see the .tsv)' });
    writeDsegLabels(`${base(desc)}_dseg`, labels);
  };
  dseg(`${mdesc}Bestarea`, res.bestArea, res.areas, `${model}: area with the best training-CV score per voxel`);
  dseg(
    `${mdesc}Bestlayer`,
    res.bestLayer,
    res.fits.map((f) => `${f.ref.area}/iter-${f.ref.iteration}`),
    `${model}: area and iteration with the best training-CV score per voxel`,
  );

  // ROI table: area × iteration × ROI.
  const rows: RoiRow[] = [];
  const num = finiteOrNull;
  for (const m of res.maps) {
    for (const roi of m.rois) {
      rows.push({
        model,
        area: m.area,
        iteration: m.iteration === null ? 'cv' : String(m.iteration),
        roi: roi.roi,
        n_voxels: roi.nVoxels,
        n_undefined: roi.nUndefined,
        median_r: num(roi.medianR),
        median_r_norm: num(roi.medianRNorm),
        median_voxel_r_norm: num(roi.medianVoxelRNorm),
        ceiling: num(roi.ceiling),
        p_perm: num(roi.p),
        n_fdr: res.config.nPerm > 0 ? roi.nSignificant : null,
        frac_fdr: res.config.nPerm > 0 && roi.nVoxels > 0 ? roi.nSignificant / roi.nVoxels : null,
      });
    }
  }
  writeRoiTable(path.join(dir, names.roi), rows, {
    p_perm: { Description: `Block permutation p of median_r (${res.config.nPerm} permutations, blocks of ${res.config.blockSec} s of the test time axis)` },
    n_fdr: { Description: `Voxels with Benjamini-Hochberg q <= ${res.config.fdrQ} (voxel-wise block permutation p, FDR across all fitted voxels)` },
  });
  files.roi = names.roi;

  // Matrices for align: one row per map, one column per fitted voxel.
  const mat = (name: EncodeMatrix, data: Float32Array | Int32Array, shape: number[], description: string, axes: string[]): void => {
    writeMatrix(path.join(dir, names.matrix(name)), data, { Description: description, Shape: shape, Axes: axes, Sources: sources });
    files[name] = names.matrix(name);
  };
  const stack = (pick: (m: ScoredMap) => Float32Array): Float32Array => {
    const out = new Float32Array(res.maps.length * nV);
    res.maps.forEach((m, i) => out.set(pick(m), i * nV));
    return out;
  };
  mat(
    'R_voxels',
    stack((m) => m.r),
    [res.maps.length, nV],
    'held-out r per map (rows as in the encoding.json maps) and fitted voxel',
    ['map', 'voxel'],
  );
  mat(
    'Rnorm_voxels',
    stack((m) => m.rNorm),
    [res.maps.length, nV],
    'ceiling-normalised r per map and voxel',
    ['map', 'voxel'],
  );
  mat('Reliability_voxels', Float32Array.from(res.ceilings.reliability), [nV], 'reliability of the test-run mean per voxel (variance ratio)', ['voxel']);
  mat('Roi_voxels', Int32Array.from(d.roiOfVoxel), [nV], 'ROI index per voxel (into encoding.json rois), -1 = none', ['voxel']);
  mat('Grid_voxels', Int32Array.from(d.voxels), [nV], 'grid index (x fastest) of each fitted voxel', ['voxel']);
  mat('Testmean_bold', d.yTest, [d.nTest, nV], 'cleaned (detrended, z-scored) BOLD averaged over the test runs', ['volume', 'voxel']);

  // Test predictions of each area's CV map in the ROI voxels: s_r's bootstrap resamples test clips
  // and recomputes r from them (docs/bas.md). Only ROI voxels, to keep the artifact small.
  const roiVoxels = Int32Array.from(Array.from(d.roiOfVoxel.keys()).filter((v) => d.roiOfVoxel[v] >= 0));
  const areaMaps = res.maps.filter((m) => m.label === 'cv' && m.area !== 'best');
  const nT = d.nTest;
  const nR = roiVoxels.length;
  const pred = new Float32Array(areaMaps.length * nT * nR).fill(NaN);
  areaMaps.forEach((m, ai) => {
    roiVoxels.forEach((v, j) => {
      const f = res.fits[m.source[v]];
      if (!f) return;
      for (let t = 0; t < nT; t++) pred[(ai * nT + t) * nR + j] = f.pred[t * nV + v];
    });
  });
  mat(
    'Pred_roivoxels',
    pred,
    [areaMaps.length, nT, nR],
    'test prediction of each area (CV-chosen iteration per voxel; areas as encoding.json predAreas) in the ROI voxels (columns as Roivoxel_index)',
    ['area', 'volume', 'roivoxel'],
  );
  mat('Roivoxel_index', roiVoxels, [nR], 'fitted-voxel index (column of the *_voxels matrices) of each column of Pred_roivoxels', ['roivoxel']);

  const index: EncodingIndex = {
    subject: d.subject,
    task,
    model: checkpoint !== null && model.includes('@') ? model.slice(0, model.indexOf('@')) : model,
    checkpoint,
    featuresDir,
    tr: d.tr,
    areas: res.areas,
    rois: d.roiNames,
    nVoxels: nV,
    maps,
    clips: d.test[0].events.map((e) => ({ stimId: e.stimId, onset: e.onset, duration: e.duration })),
    files,
    predAreas: areaMaps.map((m) => m.area),
  };
  writeEncodingIndex(path.join(dir, names.index), index);
  return index;
}

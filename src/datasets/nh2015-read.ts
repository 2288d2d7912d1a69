/**
 * The NH2015 / B2021 natural-sound data in the forms Tuckute, Feather et al.
 * (2023) publish them (github.com/gretatuckute/auditory_brain_dnn; the
 * `data.tar` of mcdermottlab.mit.edu/tuckute_feather_2023), read as they
 * are. docs/real-data.md lists every file and variable with its source.
 *
 * - `neural_stim_meta.npy`: a record array, one row per sound, the WAV file
 *   name in its first field (aud_dnn reads `row[0][:-4]` as the sound id).
 * - `voxel_features_array.npy`: sounds × voxels × scans (float64), NaN where
 *   a voxel lacks a scan; `voxel_features_meta.npy` (NH2015): records with
 *   subj_idx, voxel_id, n_reps, hemi, x_ras, y_ras. aud_dnn keeps the voxels
 *   with n_reps = 3 (7694 for NH2015).
 * - `components.mat` (NH2015comp): R (sounds × 6 components), stim_names
 *   (1 × sounds cell), component_names (6 × 1 cell), category_labels.
 * - B2021: Boebinger's `voxel_responses.mat` (vals sounds × voxels × scans,
 *   subj, hemi, x_ras, y_ras) and `stim_info_v4.mat` (struct stim_info with
 *   stim_names); the first 165 of its sounds are NH2015's, in NH2015's order.
 */
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { readNpy } from '../io/npy.js';
import { numericColumn, readNpyRecords, textColumn } from '../io/npy-records.js';
import { expectNumeric, expectStrings, rowMajor, toFloat64, withMat, type MatValue } from '../io/mat.js';

/** Sounds × voxels × scans, row-major, with one meta row per voxel. */
export interface VoxelTable {
  nSounds: number;
  nVoxels: number;
  nReps: number;
  /** nSounds × nVoxels × nReps row-major (float64 as published). */
  data: Float64Array;
  subject: Float64Array;
  voxelId: Float64Array;
  hemi: string[];
  xRas: Float64Array;
  yRas: Float64Array;
}

export interface ComponentTable {
  /** nSounds × nComponents row-major. */
  R: Float64Array;
  nSounds: number;
  names: string[];
  stimNames: string[];
  categories: string[] | null;
}

/** Sound ids in the order of the response arrays: the first field of each record, without its `.wav`. */
export function readStimMeta(file: string): { ids: string[]; files: string[] } {
  const rec = readNpyRecords(file);
  if (rec.fields.length === 0) throw new InputError(file, 'record array has no named fields');
  const files = textColumn(rec, rec.fields[0], file);
  return { files, ids: files.map((f) => f.replace(/\.wav$/i, '')) };
}

function numericArray(file: string, want: number): { data: Float64Array; shape: number[] } {
  const a = readNpy(file);
  if (a.shape.length !== want) throw new InputError(file, `expected a ${want}-D array, got shape (${a.shape.join(', ')})`);
  if (a.data instanceof BigInt64Array || a.data instanceof BigUint64Array) throw new InputError(file, `dtype ${a.dtype}; responses must be float`);
  return { data: a.data instanceof Float64Array ? a.data : Float64Array.from(a.data), shape: a.shape };
}

/** NH2015 voxel responses and their meta table, checked against each other. */
export function readNh2015Voxels(arrayFile: string, metaFile: string): VoxelTable & { nReps: number; nRepsOf: Float64Array } {
  const { data, shape } = numericArray(arrayFile, 3);
  const rec = readNpyRecords(metaFile);
  if (rec.length !== shape[1]) throw new InputError(metaFile, `${rec.length} voxel rows but ${path.basename(arrayFile)} has ${shape[1]} voxels`);
  return {
    nSounds: shape[0],
    nVoxels: shape[1],
    nReps: shape[2],
    data,
    subject: numericColumn(rec, 'subj_idx', metaFile),
    voxelId: numericColumn(rec, 'voxel_id', metaFile),
    nRepsOf: numericColumn(rec, 'n_reps', metaFile),
    hemi: textColumn(rec, 'hemi', metaFile),
    xRas: numericColumn(rec, 'x_ras', metaFile),
    yRas: numericColumn(rec, 'y_ras', metaFile),
  };
}

function matNumeric(v: MatValue, where: string): { data: Float64Array; shape: number[] } {
  const n = expectNumeric(v, where);
  return { data: toFloat64(rowMajor(n.data, n.shape)), shape: n.shape };
}

function vectorOf(v: MatValue, n: number, where: string): Float64Array {
  const a = matNumeric(v, where);
  if (a.data.length !== n) throw new InputError(where, `has ${a.data.length} values, expected ${n} (one per voxel)`);
  return a.data;
}

/** The NH2015 component responses (components.mat). */
export async function readComponents(file: string): Promise<ComponentTable> {
  return withMat(file, (m) => {
    const R = matNumeric(m.read('R'), `${file}: R`);
    if (R.shape.length !== 2) throw new InputError(file, `R has shape [${R.shape.join(', ')}], expected sounds × components`);
    const names = expectStrings(m.read('component_names'), `${file}: component_names`).map((s) => s.trim());
    const stimNames = expectStrings(m.read('stim_names'), `${file}: stim_names`).map((s) => s.trim());
    if (names.length !== R.shape[1]) throw new InputError(file, `${names.length} component_names for ${R.shape[1]} columns of R`);
    if (stimNames.length !== R.shape[0]) throw new InputError(file, `${stimNames.length} stim_names for ${R.shape[0]} rows of R`);
    const categories = m.variables.some((v) => v.name === 'category_labels') ? expectStrings(m.read('category_labels'), `${file}: category_labels`) : null;
    return { R: R.data, nSounds: R.shape[0], names, stimNames, categories };
  });
}

/** Boebinger 2021's voxel_responses.mat: vals (sounds × voxels × scans) and the per-voxel subj, hemi (1 = right), x_ras, y_ras. */
export async function readB2021Voxels(file: string): Promise<VoxelTable> {
  return withMat(file, (m) => {
    const vals = matNumeric(m.read('vals'), `${file}: vals`);
    if (vals.shape.length !== 3) throw new InputError(file, `vals has shape [${vals.shape.join(', ')}], expected sounds × voxels × scans`);
    const [nSounds, nVoxels, nReps] = vals.shape;
    const hemiCode = vectorOf(m.read('hemi'), nVoxels, `${file}: hemi`);
    return {
      nSounds,
      nVoxels,
      nReps,
      data: vals.data,
      subject: vectorOf(m.read('subj'), nVoxels, `${file}: subj`),
      voxelId: Float64Array.from({ length: nVoxels }, (_, i) => i),
      hemi: Array.from(hemiCode, (h) => (h === 1 ? 'rh' : 'lh')),
      xRas: vectorOf(m.read('x_ras'), nVoxels, `${file}: x_ras`),
      yRas: vectorOf(m.read('y_ras'), nVoxels, `${file}: y_ras`),
    };
  });
}

/** B2021's sound names: stim_info.stim_names of stim_info_v4.mat. */
export async function readB2021StimNames(file: string): Promise<string[]> {
  return withMat(file, (m) => {
    const s = m.read('stim_info');
    if (s.kind !== 'struct' || s.elements.length < 1 || !('stim_names' in s.elements[0]))
      throw new InputError(file, 'stim_info is not a struct with a stim_names field');
    return expectStrings(s.elements[0].stim_names, `${file}: stim_info.stim_names`).map((x) => x.trim().replace(/\.wav$/i, ''));
  });
}

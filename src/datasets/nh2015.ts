/**
 * brainalign's view of NH2015 / B2021 (165 natural sounds, sound-level fMRI):
 * the published files (nh2015-read.ts) become the layout `encode-sounds`
 * reads, as a cached stage artifact (src/stages/data-prepare.ts):
 *
 * - `stimuli/natural/<id>.wav` (float32 at the models' rate) and
 *   `stimuli/stimuli.tsv` in the order of the response arrays;
 * - `responses/sub-XX_responses.npy`: sounds × voxels × scans (float32), the
 *   voxels of one participant that have every scan (aud_dnn keeps n_reps = 3),
 *   with `sub-XX_voxels.tsv` (voxel_id, hemi, x_ras, y_ras);
 * - `responses/components.npy`: sounds × components (float32), rows in the
 *   sound order above (components.mat lists its own order: reindexed by
 *   name, as aud_dnn does), with `components.tsv`.
 *
 * No response is time-resolved: one value per sound and scan, so the stages
 * take stimuli × features designs without an HRF.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { writeJsonAtomic } from '../core/atomic.js';
import { readAudio } from '../io/audio.js';
import { writeWav } from '../io/wav.js';
import { writeNpy } from '../io/npy.js';
import { writeViewComponents, writeViewParticipants, writeViewStimuli, writeViewVoxels } from '../artifacts/sound-view.js';
import { resample } from '../signal/resample.js';
import { readB2021StimNames, readB2021Voxels, readComponents, readNh2015Voxels, readStimMeta, type VoxelTable } from './nh2015-read.js';

const voxelsSchema = z.discriminatedUnion('format', [
  z.object({
    format: z.literal('nh2015-npy').describe('Tuckute et al. 2023 NumPy form: voxel_features_array.npy + voxel_features_meta.npy'),
    array: z.string().describe('sounds × voxels × scans array, relative to ROOT'),
    meta: z.string().describe('record array with subj_idx, voxel_id, n_reps, hemi, x_ras, y_ras, relative to ROOT'),
  }),
  z.object({
    format: z.literal('b2021-mat').describe('Boebinger et al. 2021 MATLAB form: voxel_responses.mat (vals, subj, hemi, x_ras, y_ras)'),
    file: z.string().describe('voxel_responses.mat, relative to ROOT'),
    stimInfo: z.string().describe('stim_info_v4.mat (stim_info.stim_names), relative to ROOT; its first sounds must be the stimulus list'),
  }),
]);

/** The `mapping` block of data-manifests/nh2015.json and b2021.json that the view reads. */
export const nh2015MappingSchema = z
  .object({
    adapter: z.literal('nh2015').describe('names this module as the dataset’s adapter'),
    stimMeta: z.string().describe('neural_stim_meta.npy (record array; first field: WAV file name), relative to ROOT'),
    sounds: z.string().describe('folder of the 165 WAV files named in stimMeta, relative to ROOT'),
    nSounds: z.number().int().positive().default(165).describe('sounds the responses keep (B2021 holds more; the first nSounds are NH2015’s)'),
    minScans: z.number().int().min(2).default(3).describe('scans a voxel needs to be kept (aud_dnn: n_reps = 3); the ceiling needs ≥ 2'),
    voxels: voxelsSchema.describe('where the voxel responses are and in which published form'),
    components: z.string().nullable().default(null).describe('components.mat (R, stim_names, component_names), relative to ROOT; null when absent'),
    sampleRate: z.number().positive().default(22050).describe('rate the view’s WAVs are resampled to, Hz (the models’ log-mel rate)'),
  })
  .loose();

export type Nh2015Options = z.infer<typeof nh2015MappingSchema>;

/** Parses a manifest's mapping; a bad field is an InputError naming the manifest. */
export function nh2015Options(mapping: unknown, manifestFile: string): Nh2015Options {
  const r = nh2015MappingSchema.safeParse(mapping);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InputError(manifestFile, `mapping.${i.path.map(String).join('.')}: ${i.message}`);
  }
  return r.data;
}

/** The files of ROOT the view is built from (for the stage hash and the existence check). */
export function nh2015Inputs(root: string, o: Nh2015Options): Record<string, string> {
  const files: Record<string, string> = { stimMeta: o.stimMeta, sounds: o.sounds };
  if (o.voxels.format === 'nh2015-npy') Object.assign(files, { voxels: o.voxels.array, voxelMeta: o.voxels.meta });
  else Object.assign(files, { voxels: o.voxels.file, stimInfo: o.voxels.stimInfo });
  if (o.components) files.components = o.components;
  const out: Record<string, string> = {};
  for (const [k, rel] of Object.entries(files)) {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) throw new InputError(abs, `not found (mapping.${k} of the manifest); run \`brainalign data verify\` for the download step`);
    out[k] = abs;
  }
  return out;
}

export interface Nh2015Summary {
  sounds: number;
  subjects: { label: string; voxels: number; dropped: number }[];
  components: number;
}

/** Keeps the first nSounds sounds and the voxels with ≥ minScans finite scans (using the first minScans scans). */
function subjectsOf(t: VoxelTable, nSounds: number, minScans: number, where: string): Map<number, number[]> {
  if (t.nSounds < nSounds) throw new InputError(where, `${t.nSounds} sounds, expected at least ${nSounds}`);
  if (t.nReps < minScans) throw new InputError(where, `${t.nReps} scans per voxel, mapping.minScans is ${minScans}`);
  const bySubject = new Map<number, number[]>();
  for (let v = 0; v < t.nVoxels; v++) {
    let ok = true;
    for (let s = 0; s < nSounds && ok; s++) for (let r = 0; r < minScans && ok; r++) ok = Number.isFinite(t.data[(s * t.nVoxels + v) * t.nReps + r]);
    const sub = t.subject[v];
    if (!bySubject.has(sub)) bySubject.set(sub, []);
    if (ok) (bySubject.get(sub) as number[]).push(v);
  }
  return bySubject;
}

const subjectLabel = (idx: number): string => String(idx).padStart(2, '0');

function writeSubject(out: string, label: string, t: VoxelTable, voxels: number[], nSounds: number, nScans: number, source: string): void {
  const nv = voxels.length;
  const arr = new Float32Array(nSounds * nv * nScans);
  for (let s = 0; s < nSounds; s++) {
    for (let j = 0; j < nv; j++) for (let r = 0; r < nScans; r++) arr[(s * nv + j) * nScans + r] = t.data[(s * t.nVoxels + voxels[j]) * t.nReps + r];
  }
  const base = path.join(out, 'responses', `sub-${label}`);
  writeNpy(`${base}_responses.npy`, arr, [nSounds, nv, nScans]);
  writeJsonAtomic(`${base}_responses.json`, {
    shape: [nSounds, nv, nScans],
    axes: ['sound', 'voxel', 'scan'],
    units: 'as published (response to each sound, one value per scan)',
    sounds: 'stimuli/stimuli.tsv order',
    source,
  });
  writeViewVoxels(
    out,
    `sub-${label}`,
    voxels.map((v) => ({ voxel_id: t.voxelId[v], hemi: t.hemi[v], x_ras: t.xRas[v], y_ras: t.yRas[v] })),
  );
}

function writeStimuli(out: string, root: string, o: Nh2015Options, ids: string[], files: string[], categories: Map<string, string>): void {
  const rows = ids.map((id, i) => {
    const src = path.join(root, o.sounds, files[i]);
    if (!fs.existsSync(src)) throw new InputError(src, `sound ${i + 1} of ${path.basename(o.stimMeta)} not found in ${o.sounds}`);
    const a = readAudio(src);
    const mono = new Float32Array(a.channels[0].length);
    for (const c of a.channels) for (let k = 0; k < mono.length; k++) mono[k] += c[k] / a.channels.length;
    const x = a.sampleRate === o.sampleRate ? mono : resample(mono, a.sampleRate, o.sampleRate);
    const rel = `stimuli/natural/${id}.wav`;
    writeWav(path.join(out, rel), x, o.sampleRate, { encoding: 'float32' });
    return {
      stim_id: id,
      path: rel,
      category: categories.get(id) ?? 'n/a',
      duration: x.length / o.sampleRate,
      source: path.join(o.sounds, files[i]).split(path.sep).join('/'),
    };
  });
  writeViewStimuli(out, rows);
}

/** Builds the view in `out` (an empty folder) from the published files of `root`. */
export async function buildNh2015View(root: string, out: string, o: Nh2015Options): Promise<Nh2015Summary> {
  const abs = nh2015Inputs(root, o);
  const meta = readStimMeta(abs.stimMeta);
  if (meta.ids.length < o.nSounds) throw new InputError(abs.stimMeta, `${meta.ids.length} sounds, expected ${o.nSounds}`);
  const ids = meta.ids.slice(0, o.nSounds);
  if (new Set(ids).size !== ids.length) throw new InputError(abs.stimMeta, 'a sound is listed twice');

  let table: VoxelTable;
  let published: Float64Array;
  if (o.voxels.format === 'nh2015-npy') {
    const t = readNh2015Voxels(abs.voxels, abs.voxelMeta);
    // aud_dnn's selection: only voxels measured in every scan (n_reps = 3 → 7694 voxels in NH2015).
    const keep = new Float64Array(t.nVoxels);
    for (let v = 0; v < t.nVoxels; v++) keep[v] = t.nRepsOf[v] >= o.minScans ? t.subject[v] : NaN;
    table = { ...t, subject: keep };
    published = t.subject;
  } else {
    table = await readB2021Voxels(abs.voxels);
    published = table.subject;
    const names = await readB2021StimNames(abs.stimInfo);
    const mismatch = ids.findIndex((id, i) => names[i] !== id);
    if (mismatch >= 0)
      throw new InputError(
        abs.stimInfo,
        `sound ${mismatch + 1} is ${JSON.stringify(names[mismatch] ?? null)}, ${path.basename(abs.stimMeta)} lists ${JSON.stringify(ids[mismatch])}`,
      );
  }
  if (table.nSounds < o.nSounds) throw new InputError(abs.voxels, `${table.nSounds} sounds, expected at least ${o.nSounds}`);

  let categories = new Map<string, string>();
  let nComp = 0;
  if (abs.components) {
    const c = await readComponents(abs.components);
    const row = new Map(c.stimNames.map((s, i) => [s.replace(/\.wav$/i, ''), i]));
    const missing = ids.filter((id) => !row.has(id));
    if (missing.length > 0)
      throw new InputError(abs.components, `stim_names lacks ${missing.length} sound(s) of the stimulus list (${missing.slice(0, 3).join(', ')})`);
    nComp = c.names.length;
    const R = new Float32Array(ids.length * nComp);
    ids.forEach((id, s) => {
      const r = row.get(id) as number;
      for (let k = 0; k < nComp; k++) R[s * nComp + k] = c.R[r * nComp + k];
    });
    writeNpy(path.join(out, 'responses', 'components.npy'), R, [ids.length, nComp]);
    writeViewComponents(
      out,
      c.names.map((name, index) => ({ index, name })),
    );
    if (c.categories) categories = new Map(c.stimNames.map((s, i) => [s.replace(/\.wav$/i, ''), (c.categories as string[])[i]]));
  }

  writeStimuli(out, root, o, ids, meta.files, categories);
  const bySubject = subjectsOf(table, o.nSounds, o.minScans, abs.voxels);
  const subjects: Nh2015Summary['subjects'] = [];
  for (const sub of [...bySubject.keys()].filter((s) => Number.isFinite(s)).sort((a, b) => a - b)) {
    const voxels = bySubject.get(sub) as number[];
    let total = 0;
    for (let v = 0; v < table.nVoxels; v++) if (published[v] === sub) total++;
    if (voxels.length === 0) continue;
    const label = subjectLabel(sub);
    writeSubject(out, label, table, voxels, o.nSounds, o.minScans, path.relative(root, abs.voxels).split(path.sep).join('/'));
    subjects.push({ label, voxels: voxels.length, dropped: total - voxels.length });
  }
  if (subjects.length === 0) throw new InputError(abs.voxels, `no voxel has ${o.minScans} complete scans`);
  writeViewParticipants(
    out,
    subjects.map((s) => ({ participant_id: `sub-${s.label}`, subj_idx: Number(s.label), n_voxels: s.voxels, n_dropped: s.dropped })),
  );
  writeJsonAtomic(path.join(out, 'dataset_description.json'), {
    Name: 'NH2015 / B2021 natural sounds (brainalign view)',
    BIDSVersion: '1.8.0',
    DatasetType: 'derivative',
    GeneratedBy: [{ Name: 'brainalign data prepare', Description: 'published NumPy/MATLAB responses split per participant; sounds resampled' }],
    SourceDatasets: [{ URL: path.resolve(root) }],
  });
  return { sounds: ids.length, subjects, components: nComp };
}

/**
 * brainalign's view of OpenNeuro ds003720 + GTZAN: the layout every fMRI
 * stage reads (a `stimuli/` folder of clips with stimuli.tsv, `stim_id` in
 * events.tsv, task-train runs for leave-one-run-out CV and task-test runs that
 * repeat one clip sequence), built from the dataset as published without
 * touching it. The view is a cached stage artifact (cli/data.ts `prepare`).
 *
 * - Stimuli: each distinct excerpt named by the events (genre, track, start,
 *   end) is cut from GTZAN's <genre>/<genre>.000NN.au (or .wav), with the
 *   dataset's 2-s fades and a common RMS (signal/excerpt.ts), and written as
 *   float32 WAV stimuli/<genre>/<stim_id>.wav.
 * - Training runs: the BOLD file is hard-linked (symlinked across file
 *   systems) as task-train; events gain stim_id; the lead-in clip (a repeat of
 *   the previous run's last clip) stays in the design, marked lead_in = 1,
 *   because the listener heard it.
 * - Test runs: each plays one sequence several times after its lead-in. For
 *   repetition r, the r-th block of every test run is concatenated (runs in
 *   order) into pseudo-run task-test_run-r, so every test run of the view
 *   plays the same sequence (all test clips) and averaging the pseudo-runs
 *   averages the repetitions, as the encode stage's ceilings expect. Each
 *   block keeps its run's baseline out: its per-voxel temporal mean is
 *   replaced by the voxel's mean over all test blocks.
 *
 * src/datasets/ sits above io and signal (it reads files and cuts audio) and
 * below the science layers, which never import it; only the cli does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { writeJsonAtomic } from '../core/atomic.js';
import { readAudio } from '../io/audio.js';
import { writeWav } from '../io/wav.js';
import { writeTsv } from '../io/tsv.js';
import { scanBids, selectFiles, type BidsFile } from '../io/bids.js';
import { loadNifti, writeNifti } from '../io/nifti.js';
import { gtzanTrackPath, planTestRun, readDs003720Events, type Ds003720Event } from '../io/datasets/ds003720-events.js';
import { cutExcerpt, type ExcerptOptions } from '../signal/excerpt.js';

export interface Ds003720ViewOptions {
  /** Task labels of the published runs. */
  trainTask: string;
  testTask: string;
  excerpt: ExcerptOptions;
  /** How to get GTZAN, quoted when tracks are missing. */
  gtzanHowToGet: string;
}

export interface Ds003720Source {
  subjects: string[];
  /** Per subject, training and test runs in run order. */
  runs: Map<string, { train: BidsFile[]; test: BidsFile[] }>;
  /** Every distinct excerpt, and whether a test run plays it. */
  excerpts: Map<string, Ds003720Event & { fmriSet: 'train' | 'test' }>;
  /** Excerpt id → GTZAN track file (absolute). */
  tracks: Map<string, string>;
}

const byRun = (a: BidsFile, b: BidsFile): number => Number(a.entities.run ?? 0) - Number(b.entities.run ?? 0);

/** The GTZAN file of one track: <genre>/<genre>.000NN.au, else .wav; null when neither exists. */
function findTrack(gtzan: string, genre: string, track: number): string | null {
  for (const ext of ['au', 'wav']) {
    const f = path.join(gtzan, gtzanTrackPath(genre, track, ext));
    if (fs.existsSync(f)) return f;
  }
  return null;
}

/**
 * Reads the dataset's runs and events and finds every excerpt's GTZAN track.
 * Missing runs, events or tracks are one InputError each (tracks: how many,
 * the first few, and how to get GTZAN).
 */
export function scanDs003720(root: string, gtzan: string, o: Ds003720ViewOptions): Ds003720Source {
  const ds = scanBids(root);
  const runs = new Map<string, { train: BidsFile[]; test: BidsFile[] }>();
  const excerpts: Ds003720Source['excerpts'] = new Map();
  for (const sub of ds.subjects) {
    const bold = selectFiles(ds, { datatype: 'func', suffix: 'bold', sub });
    const train = bold.filter((f) => f.entities.task === o.trainTask).sort(byRun);
    const test = bold.filter((f) => f.entities.task === o.testTask).sort(byRun);
    if (train.length === 0 && test.length === 0) continue;
    if (train.length < 2) throw new InputError(root, `sub-${sub} has ${train.length} task-${o.trainTask} run(s); leave-one-run-out CV needs 2`);
    if (test.length < 1) throw new InputError(root, `sub-${sub} has no task-${o.testTask} run`);
    for (const f of [...train, ...test]) {
      if (!f.events) throw new InputError(f.path, 'no events.tsv for this run');
      const set = f.entities.task === o.testTask ? 'test' : 'train';
      for (const e of readDs003720Events(f.events)) {
        const had = excerpts.get(e.stimId);
        // An excerpt a test run plays is a test clip, wherever else it appears.
        if (!had || set === 'test') excerpts.set(e.stimId, { ...e, fmriSet: had?.fmriSet === 'test' ? 'test' : set });
      }
    }
    runs.set(sub, { train, test });
  }
  if (runs.size === 0) throw new InputError(root, `no sub-*/func runs with task-${o.trainTask} or task-${o.testTask}`);
  if (!fs.existsSync(gtzan) || !fs.statSync(gtzan).isDirectory()) throw new InputError(gtzan, `GTZAN folder not found; ${o.gtzanHowToGet}`);
  const tracks = new Map<string, string>();
  const missing: string[] = [];
  for (const [id, e] of excerpts) {
    const f = findTrack(gtzan, e.genre, e.track);
    if (f) tracks.set(id, f);
    else missing.push(gtzanTrackPath(e.genre, e.track, 'au'));
  }
  if (missing.length > 0) {
    const list = [...new Set(missing)].sort();
    throw new InputError(gtzan, `${list.length} GTZAN track(s) the events name are missing (${list.slice(0, 3).join(', ')}${list.length > 3 ? ', …' : ''}); ${o.gtzanHowToGet}`);
  }
  return { subjects: [...runs.keys()], runs, excerpts, tracks };
}

/** Hard link, else (another file system) a symlink to the absolute path. */
function linkOrSymlink(src: string, dest: string): 'hardlink' | 'symlink' {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  try {
    fs.linkSync(src, dest);
    return 'hardlink';
  } catch {
    fs.symlinkSync(path.resolve(src), dest);
    return 'symlink';
  }
}

const EVENT_SIDECAR = {
  stim_id: { Description: 'clip id: <genre>.<GTZAN track, 5 digits>_<excerpt start in ms>ms (stimuli/stimuli.tsv)' },
  genre: { Description: 'GTZAN genre (quotes of the published file stripped)' },
  track: { Description: 'GTZAN track index within the genre' },
  start: { Description: 'excerpt start within the GTZAN track', Units: 's' },
  end: { Description: 'excerpt end within the GTZAN track', Units: 's' },
  lead_in: { Description: '1 for the run-opening clip that repeats another presentation (dataset README), else 0' },
};

function eventRows(events: Ds003720Event[], leadIn: boolean, offset = 0): Record<string, string | number>[] {
  return events.map((e, i) => ({
    onset: e.onset + offset, duration: e.duration, stim_id: e.stimId, genre: e.genre, track: e.track, start: e.start, end: e.end,
    lead_in: leadIn && i === 0 ? 1 : 0,
  }));
}

function writeEvents(file: string, rows: Record<string, string | number>[]): void {
  writeTsv(file, ['onset', 'duration', 'stim_id', 'genre', 'track', 'start', 'end', 'lead_in'], rows, EVENT_SIDECAR);
}

/** The channel average (GTZAN is mono already; other copies may not be). */
function mixToMono(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0];
  const out = new Float32Array(channels[0].length);
  for (const c of channels) for (let i = 0; i < out.length; i++) out[i] += c[i] / channels.length;
  return out;
}

/** Cuts every excerpt into `<out>/stimuli/<genre>/<stim_id>.wav` and writes stimuli.tsv; returns the excerpt count. */
function writeStimuli(out: string, src: Ds003720Source, o: Ds003720ViewOptions, gtzanRoot: string): number {
  const ids = [...src.excerpts.keys()].sort();
  const rows = ids.map((id) => {
    const e = src.excerpts.get(id) as Ds003720Event & { fmriSet: 'train' | 'test' };
    const file = src.tracks.get(id) as string;
    const a = readAudio(file);
    const cut = cutExcerpt(mixToMono(a.channels), a.sampleRate, e.start, e.end, o.excerpt);
    const rel = `stimuli/${e.genre}/${id}.wav`;
    writeWav(path.join(out, rel), cut.samples, a.sampleRate, { encoding: 'float32' });
    return {
      stim_id: id, genre: e.genre, path: rel, track: e.track, start: e.start, end: e.end, duration: cut.samples.length / a.sampleRate,
      fmri_set: e.fmriSet, source: path.relative(gtzanRoot, file).split(path.sep).join('/'), padded_samples: cut.padded,
    };
  });
  writeTsv(path.join(out, 'stimuli', 'stimuli.tsv'), ['stim_id', 'genre', 'path', 'track', 'start', 'end', 'duration', 'fmri_set', 'source', 'padded_samples'], rows, {
    stim_id: EVENT_SIDECAR.stim_id,
    genre: EVENT_SIDECAR.genre,
    path: { Description: 'WAV path relative to the view root (float32, the GTZAN rate)' },
    track: EVENT_SIDECAR.track,
    start: EVENT_SIDECAR.start,
    end: EVENT_SIDECAR.end,
    duration: { Description: 'excerpt duration', Units: 's' },
    fmri_set: { Description: 'test if a test run plays the excerpt, else train' },
    source: { Description: 'GTZAN track the excerpt was cut from, relative to the GTZAN folder' },
    padded_samples: { Description: 'zero samples appended where the excerpt ran past the end of the track' },
  });
  return rows.length;
}

const runLabel = (f: BidsFile): string => String(Number(f.entities.run ?? '1')).padStart(2, '0');

/** Links the training runs under task-train with stim_id events. */
function writeTrainRuns(out: string, sub: string, runs: BidsFile[]): ('hardlink' | 'symlink')[] {
  const links: ('hardlink' | 'symlink')[] = [];
  for (const f of runs) {
    const base = path.join(out, `sub-${sub}`, 'func', `sub-${sub}_task-train_run-${runLabel(f)}`);
    const ext = f.path.endsWith('.nii.gz') ? '.nii.gz' : '.nii';
    const how = linkOrSymlink(f.path, `${base}_bold${ext}`);
    links.push(how);
    // Stage hashes skip symlinks, so a symlinked run's size and time enter the hash through its sidecar.
    const st = fs.statSync(f.path);
    const stat = how === 'symlink' ? { BrainalignSourceStat: { size: st.size, mtimeMs: st.mtimeMs } } : {};
    writeJsonAtomic(`${base}_bold.json`, { ...f.sidecar, TaskName: 'train', Sources: [path.resolve(f.path)], ...stat });
    writeEvents(`${base}_events.tsv`, eventRows(readDs003720Events(f.events as string), true));
  }
  return links;
}

/** Writes the test pseudo-runs (one per repetition) as float32 NIfTI with their events; returns the repetition count. */
function writeTestRuns(out: string, sub: string, runs: BidsFile[], o: Ds003720ViewOptions): number {
  const tr = Number(runs[0].sidecar.RepetitionTime);
  const plans = runs.map((f) => planTestRun(readDs003720Events(f.events as string), tr, f.events as string));
  const nRep = plans[0].blocks.length;
  const blockVols = plans[0].blocks[0].nVolumes;
  plans.forEach((p, k) => {
    if (p.blocks.length !== nRep || p.blocks[0].nVolumes !== blockVols) {
      throw new InputError(runs[k].events as string, `plays its sequence ${p.blocks.length} × ${p.blocks[0].nVolumes} volumes; test run ${runLabel(runs[0])} plays ${nRep} × ${blockVols}`);
    }
  });
  const first = loadNifti(runs[0].path);
  const [nx, ny, nz] = first.dims;
  const nVox = nx * ny * nz;
  const K = runs.length;
  // Per voxel: mean over every test block, so the blocks share one baseline after their own means are removed.
  const grand = new Float64Array(nVox);
  const blockMean = (data: Float32Array, b0: number): Float64Array => {
    const m = new Float64Array(nVox);
    for (let t = 0; t < blockVols; t++) {
      const off = (b0 + t) * nVox;
      for (let v = 0; v < nVox; v++) m[v] += data[off + v];
    }
    return m.map((x) => x / blockVols);
  };
  const readRun = (k: number): Float32Array => {
    const img = k === 0 ? first : loadNifti(runs[k].path);
    if (img.dims.length < 4 || img.dims[0] !== nx || img.dims[1] !== ny || img.dims[2] !== nz) throw new InputError(runs[k].path, `grid ${img.dims.join('×')} differs from test run ${runLabel(runs[0])}'s ${first.dims.join('×')}`);
    const need = (plans[k].blocks[nRep - 1].firstVolume + blockVols) * nVox;
    const data = img.getData();
    if (data.length < need) throw new InputError(runs[k].path, `has ${data.length / nVox} volumes; its events need ${need / nVox}`);
    return data;
  };
  for (let k = 0; k < K; k++) {
    const data = readRun(k);
    for (const b of plans[k].blocks) blockMean(data, b.firstVolume).forEach((m, v) => (grand[v] += m / (K * nRep)));
  }
  // One pseudo-run at a time (runs re-read) keeps memory at one run plus one pseudo-run.
  for (let r = 0; r < nRep; r++) {
    const outData = new Float32Array(K * blockVols * nVox);
    const rows: Record<string, string | number>[] = [];
    const sources: string[] = [];
    for (let k = 0; k < K; k++) {
      const data = readRun(k);
      const b = plans[k].blocks[r];
      const m = blockMean(data, b.firstVolume);
      for (let t = 0; t < blockVols; t++) {
        const src = (b.firstVolume + t) * nVox;
        const dst = (k * blockVols + t) * nVox;
        for (let v = 0; v < nVox; v++) outData[dst + v] = data[src + v] - m[v] + grand[v];
      }
      rows.push(...eventRows(b.events, false, k * blockVols * tr));
      sources.push(`${path.resolve(runs[k].path)} volumes ${b.firstVolume}-${b.firstVolume + blockVols - 1}`);
    }
    const base = path.join(out, `sub-${sub}`, 'func', `sub-${sub}_task-test_run-${String(r + 1).padStart(2, '0')}`);
    writeNifti(`${base}_bold.nii`, {
      dims: [nx, ny, nz, K * blockVols], data: outData, affine: first.affine, pixdim: [...first.pixdim.slice(0, 3), tr], timeUnit: 's',
      description: `ds003720 test repetition ${r + 1}`,
    });
    writeJsonAtomic(`${base}_bold.json`, {
      ...runs[0].sidecar, TaskName: 'test', Sources: sources,
      BrainalignNote: `repetition ${r + 1} of the ${o.testTask} sequence from each ${o.testTask} run in order; each block's per-voxel mean replaced by the mean over all test blocks`,
    });
    writeEvents(`${base}_events.tsv`, rows);
  }
  return nRep;
}

export interface ViewSummary {
  subjects: string[];
  stimuli: number;
  trainClips: number;
  testClips: number;
  repetitions: number;
  links: Record<'hardlink' | 'symlink', number>;
}

/**
 * Builds the view in `out` (an empty folder): dataset_description.json,
 * stimuli/, and per subject the task-train links and task-test pseudo-runs.
 * `root/derivatives` (e.g. a user's atlas) is reachable from the view as
 * `derivatives` through a symlink, so relative atlas paths keep working.
 */
export function buildDs003720View(root: string, gtzan: string, out: string, src: Ds003720Source, o: Ds003720ViewOptions): ViewSummary {
  const desc = JSON.parse(fs.readFileSync(path.join(root, 'dataset_description.json'), 'utf8')) as Record<string, unknown>;
  writeJsonAtomic(path.join(out, 'dataset_description.json'), {
    ...desc,
    Name: `${String(desc.Name ?? 'ds003720')} (brainalign view with GTZAN excerpts)`,
    GeneratedBy: [{ Name: 'brainalign data prepare', Description: 'stimuli cut from GTZAN; events with stim_id; test repetitions as runs' }],
    SourceDatasets: [{ URL: path.resolve(root) }, { URL: path.resolve(gtzan) }],
  });
  for (const f of ['participants.tsv', 'participants.json']) if (fs.existsSync(path.join(root, f))) fs.copyFileSync(path.join(root, f), path.join(out, f));
  if (fs.existsSync(path.join(root, 'derivatives'))) fs.symlinkSync(path.resolve(root, 'derivatives'), path.join(out, 'derivatives'));
  const stimuli = writeStimuli(out, src, o, gtzan);
  const links = { hardlink: 0, symlink: 0 };
  let repetitions = 0;
  for (const sub of src.subjects) {
    const { train, test } = src.runs.get(sub) as { train: BidsFile[]; test: BidsFile[] };
    for (const l of writeTrainRuns(out, sub, train)) links[l]++;
    repetitions = writeTestRuns(out, sub, test, o);
  }
  const sets = [...src.excerpts.values()];
  return {
    subjects: src.subjects, stimuli, trainClips: sets.filter((e) => e.fmriSet === 'train').length,
    testClips: sets.filter((e) => e.fmriSet === 'test').length, repetitions, links,
  };
}

/** The `mapping` block of data-manifests/ds003720.json that the view reads (other keys document the dataset). */
export const ds003720MappingSchema = z
  .object({
    adapter: z.literal('ds003720').describe('names this module as the dataset’s adapter'),
    trainTask: z.string().default('Training').describe('task label of the published training runs'),
    testTask: z.string().default('Test').describe('task label of the published test runs'),
    excerpt: z
      .object({
        fadeSec: z.number().min(0).default(2).describe('linear fade-in/out length, s (dataset README: 2 s)'),
        rms: z.number().positive().nullable().default(0.1).describe('RMS every excerpt is scaled to (README: RMS-normalised; the level is not published)'),
      })
      .default({ fadeSec: 2, rms: 0.1 })
      .describe('how each excerpt is cut from its GTZAN track (signal/excerpt.ts)'),
    gtzanHowToGet: z.string().describe('how to get the GTZAN tracks, quoted when some are missing'),
  })
  .loose();

/** Parses a manifest's mapping into view options; a bad field is an InputError naming the manifest. */
export function ds003720Options(mapping: unknown, manifestFile: string): Ds003720ViewOptions {
  const r = ds003720MappingSchema.safeParse(mapping);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InputError(manifestFile, `mapping.${i.path.map(String).join('.')}: ${i.message}`);
  }
  return { trainTask: r.data.trainTask, testTask: r.data.testTask, excerpt: r.data.excerpt, gtzanHowToGet: r.data.gtzanHowToGet };
}

/**
 * brainalign's view of OpenNeuro ds003720 + GTZAN: the layout every fMRI
 * stage reads (a `stimuli/` folder of clips with stimuli.tsv, `stim_id` in
 * events.tsv, task-train runs for leave-one-run-out CV and task-test runs that
 * repeat one clip sequence), built from the dataset as published without
 * touching it. The view is a cached stage artifact (src/stages/data-prepare.ts, `data prepare`).
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
import { gtzanTrackPath, readDs003720Events, type Ds003720Event } from '../io/datasets/ds003720-events.js';
import { EVENT_SIDECAR, writeTestRuns, writeTrainRuns } from './ds003720-runs.js';
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
    throw new InputError(
      gtzan,
      `${list.length} GTZAN track(s) the events name are missing (${list.slice(0, 3).join(', ')}${list.length > 3 ? ', …' : ''}); ${o.gtzanHowToGet}`,
    );
  }
  return { subjects: [...runs.keys()], runs, excerpts, tracks };
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
      stim_id: id,
      genre: e.genre,
      path: rel,
      track: e.track,
      start: e.start,
      end: e.end,
      duration: cut.samples.length / a.sampleRate,
      fmri_set: e.fmriSet,
      source: path.relative(gtzanRoot, file).split(path.sep).join('/'),
      padded_samples: cut.padded,
    };
  });
  writeTsv(
    path.join(out, 'stimuli', 'stimuli.tsv'),
    ['stim_id', 'genre', 'path', 'track', 'start', 'end', 'duration', 'fmri_set', 'source', 'padded_samples'],
    rows,
    {
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
    },
  );
  return rows.length;
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
    repetitions = writeTestRuns(out, sub, test, o.testTask);
  }
  const sets = [...src.excerpts.values()];
  return {
    subjects: src.subjects,
    stimuli,
    trainClips: sets.filter((e) => e.fmriSet === 'train').length,
    testClips: sets.filter((e) => e.fmriSet === 'test').length,
    repetitions,
    links,
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

/**
 * A small replica of OpenNeuro ds003720 + GTZAN with planted truth.
 *
 * Metadata: dataset_description.json, README, and sub-001's Training run-01
 * and Test run-01 events and bold sidecars are the published files, copied at
 * test time from $BRAINALIGN_CONFORMANCE (the repository holds no copy).
 * Further runs follow the README's rules from those rows: training run k plays
 * run 1's clips rotated, opening with run k−1's last clip; test run 2 plays
 * run 1's genres and excerpt times with other tracks, the same 1 + 10 × 4
 * structure.
 *
 * Audio: each GTZAN track is a synthetic 30-s 16-bit 22050-Hz .au file of
 * tones changing every 2.5 s, the pitch of segment j being 150·2^(3u_j) Hz,
 * u_j ~ U(0, 1) per track. BOLD (TR 1.5 s, 6×6×4, int16): the heard u(t)
 * (track time = start + t − onset) convolved with a double-gamma HRF, times
 * a per-voxel gain in three voxels of four, plus unit Gaussian noise.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '../../src/core/prng.js';
import { writeAu } from '../../src/io/au.js';
import { writeNifti } from '../../src/io/nifti.js';
import { doubleGammaHrf } from '../../src/signal/hrf.js';
import { conformanceRoot } from './conformance.js';

export const TR = 1.5;
export const SR = 22050;
export const DIMS = [6, 6, 4] as const;
export const N_VOX = DIMS[0] * DIMS[1] * DIMS[2];
/** Three voxels in four carry the planted response (every ROI slice has both kinds). */
export const isDriven = (v: number): boolean => v % 4 !== 0;
const SEGMENT_SEC = 2.5;
const TRACK_SEC = 30;
/** GTZAN tracks run a little short of 30 s (some to 29.93 s): 29.946 s here. */
export const TRACK_SAMPLES = TRACK_SEC * SR - 1200;

export const PUBLISHED = (): string => path.join(conformanceRoot(), 'music_neuro', 'OpenNeuroDatasets__ds003720');

interface Row {
  onset: number;
  duration: number;
  genre: string;
  track: number;
  start: number;
  end: number;
}

function readRows(file: string): Row[] {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  return lines.slice(1).map((l) => {
    const [onset, duration, genre, track, start, end] = l.split('\t');
    return { onset: Number(onset), duration: Number(duration), genre: genre.replace(/'/g, ''), track: Number(track), start: Number(start), end: Number(end) };
  });
}

function writeRows(file: string, rows: Row[]): void {
  // The published format: quoted genres, numbers as written.
  const body = rows.map((r) => [r.onset, r.duration, `'${r.genre}'`, r.track, r.start, r.end].join('\t')).join('\n');
  fs.writeFileSync(file, `onset\tduration\tgenre\ttrack\tstart\tend\n${body}`);
}

/** Pitch parameter u of each 2.5-s segment of a track (the planted truth). */
export function trackSegments(genre: string, track: number): Float64Array {
  const rng = new Rng(20210714, `gtzan/${genre}/${track}`);
  return Float64Array.from({ length: Math.ceil(TRACK_SEC / SEGMENT_SEC) }, () => rng.uniform());
}

function writeTrack(file: string, genre: string, track: number): void {
  const u = trackSegments(genre, track);
  const x = new Float32Array(TRACK_SAMPLES);
  let phase = 0;
  for (let i = 0; i < x.length; i++) {
    const f = 150 * 2 ** (3 * u[Math.floor(i / SR / SEGMENT_SEC)]);
    phase += (2 * Math.PI * f) / SR;
    x[i] = 0.3 * Math.sin(phase);
  }
  writeAu(file, x, SR);
}

/** BOLD of one run: planted response to the heard pitch, per-voxel gains, noise; int16 around 1000. */
function simulateRun(rows: Row[], nVols: number, rng: Rng): Int16Array {
  const dt = 0.1;
  const n = Math.round((nVols * TR) / dt);
  const s = new Float64Array(n);
  for (const r of rows) {
    const u = trackSegments(r.genre, r.track);
    for (let i = Math.round(r.onset / dt); i < Math.min(n, Math.round((r.onset + r.duration) / dt)); i++) {
      const trackTime = r.start + (i * dt - r.onset);
      s[i] = u[Math.min(u.length - 1, Math.floor(trackTime / SEGMENT_SEC))] - 0.5;
    }
  }
  const h = doubleGammaHrf(dt, 32);
  const out = new Int16Array(N_VOX * nVols);
  for (let t = 0; t < nVols; t++) {
    const i = Math.round((t * TR) / dt);
    let c = 0;
    for (let k = 0; k < h.length && k <= i; k++) c += h[k] * s[i - k];
    for (let v = 0; v < N_VOX; v++) {
      const gain = isDriven(v) ? 8 * (1 + (v % 3) * 0.5) : 0;
      out[t * N_VOX + v] = Math.round(1000 + 10 * (gain * c + rng.normal()));
    }
  }
  return out;
}

export interface Replica {
  root: string;
  gtzan: string;
  /** Excerpt ids the test runs play. */
  testIds: Set<string>;
}

const AFFINE = [2, 0, 0, -6, 0, 2, 0, -6, 0, 0, 2, -4, 0, 0, 0, 1];

/**
 * Writes the replica under `dir`: ds003720/ (BIDS, with an atlas in
 * derivatives/atlas for sub-001's space) and gtzan/ (<genre>/<genre>.000NN.au).
 */
export function buildReplica(dir: string, opts: { trainRuns: number }): Replica {
  const pub = PUBLISHED();
  const root = path.join(dir, 'ds003720');
  const gtzan = path.join(dir, 'gtzan');
  const func = path.join(root, 'sub-001', 'func');
  fs.mkdirSync(func, { recursive: true });
  for (const f of ['dataset_description.json', 'README']) fs.copyFileSync(path.join(pub, f), path.join(root, f));
  const trainJson = path.join(pub, 'sub-001', 'func', 'sub-001_task-Training_run-01_bold.json');
  const testJson = path.join(pub, 'sub-001', 'func', 'sub-001_task-Test_run-01_bold.json');
  const train1 = readRows(path.join(pub, 'sub-001', 'func', 'sub-001_task-Training_run-01_events.tsv'));
  const test1 = readRows(path.join(pub, 'sub-001', 'func', 'sub-001_task-Test_run-01_events.tsv'));
  const nVols = Math.round((train1[train1.length - 1].onset + train1[train1.length - 1].duration) / TR);
  const rng = new Rng(3720, 'replica/bold');
  const runs: { name: string; rows: Row[]; json: string; events?: string }[] = [];
  let prev = train1;
  for (let k = 1; k <= opts.trainRuns; k++) {
    const name = `sub-001_task-Training_run-${String(k).padStart(2, '0')}`;
    if (k === 1) {
      runs.push({ name, rows: train1, json: trainJson, events: path.join(pub, 'sub-001', 'func', `${name}_events.tsv`) });
      continue;
    }
    const body = train1.slice(1);
    const rot = body.map((_, i) => body[(i + 13 * (k - 1)) % body.length]);
    const rows = [prev[prev.length - 1], ...rot].map((r, i) => ({ ...r, onset: i * 15 }));
    runs.push({ name, rows, json: trainJson });
    prev = rows;
  }
  const trainTracks = new Set(train1.map((r) => `${r.genre}/${r.track}`));
  const moved = test1.map((r) => {
    let track = (r.track + 50) % 100;
    while (trainTracks.has(`${r.genre}/${track}`)) track = (track + 1) % 100;
    return { ...r, track };
  });
  runs.push({
    name: 'sub-001_task-Test_run-01',
    rows: test1,
    json: testJson,
    events: path.join(pub, 'sub-001', 'func', 'sub-001_task-Test_run-01_events.tsv'),
  });
  runs.push({ name: 'sub-001_task-Test_run-02', rows: moved, json: testJson });
  for (const r of runs) {
    fs.copyFileSync(r.json, path.join(func, `${r.name}_bold.json`));
    if (r.events) fs.copyFileSync(r.events, path.join(func, `${r.name}_events.tsv`));
    else writeRows(path.join(func, `${r.name}_events.tsv`), r.rows);
    writeNifti(path.join(func, `${r.name}_bold.nii`), {
      dims: [...DIMS, nVols],
      data: simulateRun(r.rows, nVols, rng.fork(r.name)),
      affine: AFFINE,
      pixdim: [2, 2, 2, TR],
      timeUnit: 's',
    });
  }
  const tracks = new Set<string>();
  for (const r of runs) for (const e of r.rows) tracks.add(`${e.genre}/${e.track}`);
  for (const t of tracks) {
    const [genre, track] = t.split('/');
    const f = path.join(gtzan, genre, `${genre}.${track.padStart(5, '0')}.au`);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    writeTrack(f, genre, Number(track));
  }
  // The atlas a user would give in the subject's BOLD space: four ROIs in slices z = 0 … 3, whole-grid mask.
  const atlas = path.join(root, 'derivatives', 'atlas');
  fs.mkdirSync(atlas, { recursive: true });
  const dseg = new Int16Array(N_VOX);
  for (let v = 0; v < N_VOX; v++) dseg[v] = 1 + Math.floor(v / (DIMS[0] * DIMS[1]));
  writeNifti(path.join(atlas, 'sub-001_space-bold_dseg.nii.gz'), { dims: [...DIMS], data: dseg, affine: AFFINE });
  writeNifti(path.join(atlas, 'sub-001_space-bold_desc-brain_mask.nii.gz'), { dims: [...DIMS], data: new Uint8Array(N_VOX).fill(1), affine: AFFINE });
  fs.writeFileSync(path.join(atlas, 'sub-001_space-bold_dseg.tsv'), 'index\tname\n1\tA1\n2\tBelt\n3\tParabelt\n4\tT2/T3\n');
  const testIds = new Set([...test1, ...moved].map((r) => `${r.genre}.${String(r.track).padStart(5, '0')}_${Math.round(r.start * 1000)}ms`));
  return { root, gtzan, testIds };
}

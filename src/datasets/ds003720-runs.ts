/**
 * The runs of brainalign's ds003720 view (src/datasets/ds003720.ts): the
 * training runs linked with stim_id events, and the test runs rebuilt as one
 * run per repetition of the test sequence (docs/real-data.md gives the
 * equation of the baseline alignment).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors.js';
import { writeJsonAtomic } from '../core/atomic.js';
import { writeTsv } from '../io/tsv.js';
import type { BidsFile } from '../io/bids.js';
import { loadNifti, writeNifti } from '../io/nifti.js';
import { planTestRun, readDs003720Events, type Ds003720Event } from '../io/datasets/ds003720-events.js';

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

export const EVENT_SIDECAR = {
  stim_id: { Description: 'clip id: <genre>.<GTZAN track, 5 digits>_<excerpt start in ms>ms (stimuli/stimuli.tsv)' },
  genre: { Description: 'GTZAN genre (quotes of the published file stripped)' },
  track: { Description: 'GTZAN track index within the genre' },
  start: { Description: 'excerpt start within the GTZAN track', Units: 's' },
  end: { Description: 'excerpt end within the GTZAN track', Units: 's' },
  lead_in: { Description: '1 for the run-opening clip that repeats another presentation (dataset README), else 0' },
};

/** Event rows of the view: the published columns plus stim_id and lead_in, onsets shifted by `offset` s. */
function eventRows(events: Ds003720Event[], leadIn: boolean, offset = 0): Record<string, string | number>[] {
  return events.map((e, i) => ({
    onset: e.onset + offset,
    duration: e.duration,
    stim_id: e.stimId,
    genre: e.genre,
    track: e.track,
    start: e.start,
    end: e.end,
    lead_in: leadIn && i === 0 ? 1 : 0,
  }));
}

function writeEvents(file: string, rows: Record<string, string | number>[]): void {
  writeTsv(file, ['onset', 'duration', 'stim_id', 'genre', 'track', 'start', 'end', 'lead_in'], rows, EVENT_SIDECAR);
}

const runLabel = (f: BidsFile): string => String(Number(f.entities.run ?? '1')).padStart(2, '0');

/** Links the training runs under task-train with stim_id events. */
export function writeTrainRuns(out: string, sub: string, runs: BidsFile[]): ('hardlink' | 'symlink')[] {
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
export function writeTestRuns(out: string, sub: string, runs: BidsFile[], testTask: string): number {
  const tr = Number(runs[0].sidecar.RepetitionTime);
  const plans = runs.map((f) => planTestRun(readDs003720Events(f.events as string), tr, f.events as string));
  const nRep = plans[0].blocks.length;
  const blockVols = plans[0].blocks[0].nVolumes;
  plans.forEach((p, k) => {
    if (p.blocks.length !== nRep || p.blocks[0].nVolumes !== blockVols) {
      throw new InputError(
        runs[k].events as string,
        `plays its sequence ${p.blocks.length} × ${p.blocks[0].nVolumes} volumes; test run ${runLabel(runs[0])} plays ${nRep} × ${blockVols}`,
      );
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
    if (img.dims.length < 4 || img.dims[0] !== nx || img.dims[1] !== ny || img.dims[2] !== nz)
      throw new InputError(runs[k].path, `grid ${img.dims.join('×')} differs from test run ${runLabel(runs[0])}'s ${first.dims.join('×')}`);
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
      dims: [nx, ny, nz, K * blockVols],
      data: outData,
      affine: first.affine,
      pixdim: [...first.pixdim.slice(0, 3), tr],
      timeUnit: 's',
      description: `ds003720 test repetition ${r + 1}`,
    });
    writeJsonAtomic(`${base}_bold.json`, {
      ...runs[0].sidecar,
      TaskName: 'test',
      Sources: sources,
      BrainalignNote: `repetition ${r + 1} of the ${testTask} sequence from each ${testTask} run in order; each block's per-voxel mean replaced by the mean over all test blocks`,
    });
    writeEvents(`${base}_events.tsv`, rows);
  }
  return nRep;
}

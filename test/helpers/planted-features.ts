/**
 * A features artifact made of the synthetic study's PLANTED feature spaces
 * (derivatives/synth-truth/features, 10 Hz), averaged into TR-long rows per
 * clip as `brainalign features --rate 1/TR` lays them out. Areas: a1 = the
 * low-level space (planted in A1), belt / pb = the mid-level columns the
 * Belt / Parabelt voxels weight most, t = the abstract space (T2/T3). Area t
 * has two iterations: iter-0 is noise of the same width, iter-1 the planted
 * space, so a per-voxel iteration choice has a right answer. A `flat` model
 * has all four planted spaces side by side in every area (one iteration each):
 * it can predict every ROI, but no area is specific to one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '../../src/core/prng.js';
import { writeJsonAtomic } from '../../src/core/atomic.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { readTsv, writeTsv } from '../../src/io/tsv.js';
import { runStage } from '../../src/pipeline/stage.js';
import { featureSidecarSchema, type FeatureSidecar } from '../../src/artifacts/features.js';
import { writeJsonFile } from '../../src/artifacts/json.js';

const BELT = ['flux', 'centroid', 'bandwidth', 'loudness'];
const PB = ['onset_density', 'flatness', 'pitch_salience', 'pitch_height'];

function space(study: string, name: string): { data: Float32Array; cols: string[] } {
  const dir = path.join(study, 'derivatives', 'synth-truth', 'features');
  const a = readNpy(path.join(dir, `space-${name}_features.npy`));
  const meta = JSON.parse(fs.readFileSync(path.join(dir, `space-${name}_features.json`), 'utf8')) as { columns: string[] };
  return { data: a.data as Float32Array, cols: meta.columns };
}

/**
 * Builds the artifact under `root` with runStage (stage 'features'); returns its folder.
 * `noise` adds that many sd of Gaussian noise to every (standardised) feature value,
 * a worse model of the same brain; `checkpoint` is recorded in features.json.
 */
export async function plantedFeatures(
  study: string,
  root: string,
  tr: number,
  opts: { noise?: number; checkpoint?: string; models?: { name: string; noise: number; flat?: boolean }[] } = {},
): Promise<string> {
  const dir = path.join(study, 'derivatives', 'synth-truth', 'features');
  const index = readTsv(path.join(dir, 'features_index.tsv')).rows.map((r) => ({ id: r.stim_id, first: Number(r.first_row), n: Number(r.n_rows) }));
  const per = Math.round(tr * 10);
  const low = space(study, 'low');
  const mid = space(study, 'mid');
  const abs = space(study, 'abstract');
  const pick = (s: { data: Float32Array; cols: string[] }, names: string[]): { data: Float32Array; cols: string[] } => {
    const idx = names.map((n) => s.cols.indexOf(n));
    const F = s.cols.length;
    const nRows = s.data.length / F;
    const out = new Float32Array(nRows * idx.length);
    for (let r = 0; r < nRows; r++) idx.forEach((c, j) => (out[r * idx.length + j] = s.data[r * F + c]));
    return { data: out, cols: names };
  };
  // TR-long windows: row k of a clip = mean of its 10 Hz frames in [k·TR, (k+1)·TR).
  const rowsOf = (n: number): number => Math.ceil(n / per);
  const toTr = (s: { data: Float32Array; cols: string[] }): Float32Array => {
    const F = s.cols.length;
    const total = index.reduce((a, c) => a + rowsOf(c.n), 0);
    const out = new Float32Array(total * F);
    let o = 0;
    for (const c of index) {
      for (let k = 0; k < rowsOf(c.n); k++) {
        const f0 = c.first + k * per;
        const f1 = Math.min(c.first + c.n, f0 + per);
        for (let j = 0; j < F; j++) {
          let sum = 0;
          for (let f = f0; f < f1; f++) sum += s.data[f * F + j];
          out[(o + k) * F + j] = sum / (f1 - f0);
        }
      }
      o += rowsOf(c.n);
    }
    return out;
  };
  const spaces: Record<string, Float32Array[]> = {
    a1: [toTr(low)],
    belt: [toTr(pick(mid, BELT))],
    pb: [toTr(pick(mid, PB))],
    t: [new Float32Array(0), toTr(abs)],
  };
  spaces.t[0] = new Rng(5, 'planted-noise').normals(spaces.t[1].length);
  const widths: Record<string, number> = { a1: low.cols.length, belt: BELT.length, pb: PB.length, t: abs.cols.length };
  const nRowsAll = spaces.a1[0].length / widths.a1;
  const planted = { a1: spaces.a1[0], belt: spaces.belt[0], pb: spaces.pb[0], t: spaces.t[1] };
  const flatWidth = Object.values(widths).reduce((a, b) => a + b, 0);
  const flat = new Float32Array(nRowsAll * flatWidth);
  for (let r = 0; r < nRowsAll; r++) {
    let o = r * flatWidth;
    for (const [area, x] of Object.entries(planted)) {
      flat.set(x.subarray(r * widths[area], (r + 1) * widths[area]), o);
      o += widths[area];
    }
  }
  // Several model folders (e.g. 'planted@epoch-001') may share one artifact, each with its own added noise.
  const models = opts.models ?? [{ name: 'planted', noise: opts.noise ?? 0 }];
  const degraded = models.map((m) => {
    const rng = new Rng(6, `degrade-${m.noise}`);
    const out: Record<string, { data: Float32Array; F: number }[]> = {};
    for (const [area, iters] of Object.entries(spaces)) {
      const src = m.flat ? [{ data: flat, F: flatWidth }] : iters.map((data) => ({ data, F: widths[area] }));
      out[area] = src.map((x) => ({ data: m.noise > 0 ? x.data.map((v) => v + m.noise * rng.normal()) : x.data, F: x.F }));
    }
    return { name: m.name, spaces: out };
  });
  const res = await runStage(
    { stage: 'features', codeVersion: 'test-planted', root, inputs: { truth: dir }, params: { tr, ...opts }, seed: 0 },
    ({ dir: out }) => {
      if (opts.checkpoint)
        writeJsonAtomic(path.join(out, 'features.json'), {
          model: 'planted',
          checkpoint: opts.checkpoint,
          rate: 1 / tr,
          rows: nRowsAll,
          areas: Object.keys(spaces),
          source: { planted: 'synth-truth' },
        });
      let start = 0;
      writeTsv(
        path.join(out, 'stimuli.tsv'),
        ['stim_id', 'row_start', 'n_rows', 'duration'],
        index.map((c) => {
          const row = { stim_id: c.id, row_start: start, n_rows: rowsOf(c.n), duration: rowsOf(c.n) * tr };
          start += rowsOf(c.n);
          return row;
        }),
      );
      for (const m of degraded)
        for (const [area, iters] of Object.entries(m.spaces)) {
          iters.forEach(({ data, F }, k) => {
            const f = path.join(out, m.name, area, `iter-${k}.npy`);
            writeNpy(f, data, [data.length / F, F]);
            const sidecar: FeatureSidecar = {
              model: m.name,
              checkpoint: opts.checkpoint ?? null,
              area,
              iteration: k,
              shape: [data.length / F, F],
              dtype: 'float32',
              axes: ['row', 'feature'],
              rate: 1 / tr,
              rate_units: 'Hz',
              windowing: 'planted space averaged over TR-long windows',
              units: 'standardised',
              pca: null,
              source: { planted: 'synth-truth' },
            };
            writeJsonFile(f.replace(/\.npy$/, '.json'), featureSidecarSchema, sidecar);
          });
        }
    },
  );
  return res.dir;
}

/**
 * Synthetic BOLD: a ds003720-like design (training runs that show each
 * training clip once, test runs that repeat one fixed sequence of held-out
 * clips), features laid on each run's time line, convolved with the
 * canonical HRF, mapped to voxels through random per-voxel weights, scaled to
 * a per-voxel SNR, plus AR(1) noise and slow drift on a ~1000-unit baseline.
 *
 * Generative model of voxel v in run r at volume t (see docs/mini-study.md):
 *   y_v(t) = b_v + s_v(t) + d_v,r(t) + e_v,r(t)
 *   s_v(t) = c_v · Σ_f w_vf (h ∗ x_f)(t·TR)          (0 for Control / outside ROIs)
 *   e_v,r(t) = φ e_v,r(t−1) + σ_n,v √(1−φ²) ξ,  ξ ~ N(0,1)   (stationary variance σ_n,v²)
 *   d_v,r(t) = σ_n,v Σ_{j=1..3} a_j cos(π j t / T_r) + linear term
 * with c_v chosen so that sd_train(s_v) = snr_v · σ_n,v.
 */
import type { Rng } from '../core/prng.js';
import { convolve, doubleGammaHrf } from '../signal/hrf.js';
import type { FmriConfig } from './config.js';
import { FEATURE_RATE } from './features.js';
import type { BrainLayout } from './layout.js';

export type FeatureSpace = 'low' | 'mid' | 'abstract';
export const FEATURE_SPACES: readonly FeatureSpace[] = ['low', 'mid', 'abstract'];

/** Which feature space drives each ROI (index ↔ ROI_NAMES), and how each feature is emphasised. */
export interface RoiDrive {
  space: FeatureSpace | null;
  /** Per-feature prior scale (length = feature count of the space), or null for all ones. */
  emphasis: ((names: string[]) => number[]) | null;
}

const MID_BELT: Record<string, number> = {
  flux: 1,
  onset_density: 0.4,
  centroid: 1,
  bandwidth: 0.8,
  flatness: 0.3,
  loudness: 1,
  pitch_salience: 0.2,
  pitch_height: 0.2,
};
const MID_PARABELT: Record<string, number> = {
  flux: 0.3,
  onset_density: 1,
  centroid: 0.3,
  bandwidth: 0.3,
  flatness: 0.8,
  loudness: 0.3,
  pitch_salience: 1,
  pitch_height: 1,
};

/** A1 → low, Belt/Parabelt → mid (different mixes), T2/T3 → abstract, Control → none. */
export const ROI_DRIVES: readonly RoiDrive[] = [
  { space: 'low', emphasis: null },
  { space: 'mid', emphasis: (names) => names.map((n) => MID_BELT[n] ?? 1) },
  { space: 'mid', emphasis: (names) => names.map((n) => MID_PARABELT[n] ?? 1) },
  { space: 'abstract', emphasis: null },
  { space: null, emphasis: null },
];

export interface RunEvent {
  /** Seconds from the first volume (a multiple of 1/FEATURE_RATE). */
  onset: number;
  duration: number;
  stim: number;
}

export interface RunDesign {
  task: 'train' | 'test';
  /** 1-based run number within the task. */
  run: number;
  nVols: number;
  events: RunEvent[];
}

/**
 * Choose `n` held-out test clips spread over genres (round-robin over genres,
 * a random clip of each). `stimGenre[i]` is the genre index of stimulus i.
 * Returns ascending stimulus indices; at most half the stimuli.
 */
export function chooseTestStims(stimGenre: number[], n: number, rng: Rng): number[] {
  const nTest = Math.min(n, Math.floor(stimGenre.length / 2));
  const byGenre = new Map<number, number[]>();
  stimGenre.forEach((g, i) => byGenre.set(g, [...(byGenre.get(g) ?? []), i]));
  const pools = [...byGenre.keys()].sort((a, b) => a - b).map((g) => rng.shuffle([...(byGenre.get(g) ?? [])]));
  const testStims: number[] = [];
  for (let round = 0; testStims.length < nTest; round++) {
    for (const p of pools) if (testStims.length < nTest && round < p.length) testStims.push(p[round]);
  }
  return testStims.sort((a, b) => a - b);
}

/**
 * Lay out one subject's runs: the training clips (all but `testStims`)
 * shuffled and split over the training runs, then `testRuns` identical test
 * runs (same order, same timing). Returns runs in acquisition order.
 */
export function designRuns(nStim: number, testStims: number[], clipSec: number, cfg: FmriConfig, rng: Rng): RunDesign[] {
  const testSet = new Set(testStims);
  const train = rng.shuffle([...Array(nStim).keys()].filter((i) => !testSet.has(i)));
  const q = 1 / FEATURE_RATE;
  const layRun = (task: 'train' | 'test', run: number, stims: number[], r: Rng): RunDesign => {
    let t = cfg.leadInSec;
    const events: RunEvent[] = [];
    for (const s of stims) {
      const onset = Math.round(t / q) * q;
      events.push({ onset: +onset.toFixed(3), duration: clipSec, stim: s });
      t = onset + clipSec + cfg.gapSec + Math.floor(r.uniform() * (cfg.gapJitterSec / q)) * q;
    }
    const end = events[events.length - 1].onset + clipSec + cfg.leadOutSec;
    return { task, run, nVols: Math.ceil(end / cfg.tr), events };
  };
  const runs: RunDesign[] = [];
  for (let r = 0; r < cfg.trainRuns; r++) {
    const lo = Math.floor((r * train.length) / cfg.trainRuns);
    const hi = Math.floor(((r + 1) * train.length) / cfg.trainRuns);
    runs.push(layRun('train', r + 1, train.slice(lo, hi), rng.fork(`train-${r + 1}`)));
  }
  // Every test run shows the same sequence with the same timing, so runs can be averaged volume by volume.
  const testOrder = rng.shuffle([...testStims]);
  const testTemplate = layRun('test', 1, testOrder, rng.fork('test'));
  for (let r = 0; r < cfg.testRuns; r++) runs.push({ ...testTemplate, run: r + 1 });
  return runs;
}

/** Standardised per-clip features of one space: nFrames_i × nCols for stimulus i. */
export interface SpaceFeatures {
  names: string[];
  perStim: Float32Array[];
}

/**
 * The unconvolved feature time line of a run on the FEATURE_RATE grid
 * (nFine × F row-major, zero in silence), nFine = nVols·TR·FEATURE_RATE.
 */
export function fineTimeline(design: RunDesign, tr: number, feats: SpaceFeatures): { data: Float32Array; nFine: number } {
  const F = feats.names.length;
  const nFine = Math.round(design.nVols * tr * FEATURE_RATE);
  const data = new Float32Array(nFine * F);
  for (const ev of design.events) {
    const m = feats.perStim[ev.stim];
    const rows = m.length / F;
    const i0 = Math.round(ev.onset * FEATURE_RATE);
    for (let r = 0; r < rows && i0 + r < nFine; r++) data.set(m.subarray(r * F, (r + 1) * F), (i0 + r) * F);
  }
  return { data, nFine };
}

/**
 * HRF-convolved regressors of a run at the volumes' acquisition times t·TR:
 * nVols × F row-major, in standardised feature units.
 */
export function runRegressors(design: RunDesign, tr: number, feats: SpaceFeatures): Float32Array {
  const F = feats.names.length;
  const { data, nFine } = fineTimeline(design, tr, feats);
  const h = doubleGammaHrf(1 / FEATURE_RATE, 32);
  const out = new Float32Array(design.nVols * F);
  const col = new Float32Array(nFine);
  for (let f = 0; f < F; f++) {
    for (let i = 0; i < nFine; i++) col[i] = data[i * F + f];
    const c = convolve(col, h);
    for (let t = 0; t < design.nVols; t++) out[t * F + f] = c[Math.min(nFine - 1, Math.round(t * tr * FEATURE_RATE))];
  }
  return out;
}

/** Everything planted in one subject's brain. */
export interface PlantedBrain {
  /** Grid indices of the stimulus-driven voxels (ROIs A1..T2/T3), ascending. */
  driven: Int32Array;
  /** For each driven voxel, its space. */
  space: FeatureSpace[];
  /** Per space: effective weights (driven voxels of that space × F), BOLD units per standardised feature unit. */
  weights: Record<FeatureSpace, { voxels: Int32Array; data: Float32Array }>;
  /** Per grid voxel: noise sd σ_n (BOLD units), amplitude SNR σ_s/σ_n on the training runs (0 if undriven). */
  sigmaN: Float32Array;
  snr: Float32Array;
  /** Per grid voxel: signal variance over one test run (every test run has the same signal). */
  sigmaS2Test: Float32Array;
  /** Per run: noise-free signal of the driven voxels (nVols × driven.length). */
  signal: Float32Array[];
}

/**
 * Draw weights and SNRs and compute the noise-free signal of every driven
 * voxel in every run. `regs[r][space]` are runRegressors of run r.
 */
export function plantBrain(
  layout: BrainLayout,
  runs: RunDesign[],
  regs: Record<FeatureSpace, Float32Array>[],
  spaces: Record<FeatureSpace, SpaceFeatures>,
  cfg: FmriConfig,
  rng: Rng,
): PlantedBrain {
  const nv = layout.mask.length;
  const drivenList: number[] = [];
  for (let v = 0; v < nv; v++) {
    const a = layout.atlas[v];
    if (a > 0 && ROI_DRIVES[a - 1].space !== null) drivenList.push(v);
  }
  const driven = Int32Array.from(drivenList);
  const space = drivenList.map((v) => ROI_DRIVES[layout.atlas[v] - 1].space as FeatureSpace);
  const sigmaN = new Float32Array(nv);
  const snr = new Float32Array(nv);
  const sigmaS2Test = new Float32Array(nv);
  const noiseRng = rng.fork('noise-sd');
  for (let v = 0; v < nv; v++) sigmaN[v] = layout.mask[v] ? 0.01 * layout.baseline[v] * Math.exp(0.15 * noiseRng.normal()) : 4;
  // Shared component per (ROI, hemisphere) gives ROI-level response profiles; the private part gives voxel diversity.
  const shared = new Map<string, Float32Array>();
  const wRng = rng.fork('weights');
  const sRng = rng.fork('snr');
  const nRuns = runs.length;
  const signal = runs.map((d) => new Float32Array(d.nVols * driven.length));
  const weightsOut: Record<FeatureSpace, { voxels: number[]; rows: Float32Array[] }> = {
    low: { voxels: [], rows: [] },
    mid: { voxels: [], rows: [] },
    abstract: { voxels: [], rows: [] },
  };
  for (let di = 0; di < driven.length; di++) {
    const v = driven[di];
    const roi = layout.atlas[v] - 1;
    const sp = space[di];
    const names = spaces[sp].names;
    const F = names.length;
    const key = `${roi}/${layout.hemi[v]}`;
    if (!shared.has(key)) shared.set(key, wRng.fork(`shared/${key}`).normals(F));
    const sh = shared.get(key) as Float32Array;
    const emph = ROI_DRIVES[roi].emphasis?.(names) ?? new Array<number>(F).fill(1);
    const w = new Float32Array(F);
    for (let f = 0; f < F; f++) w[f] = emph[f] * (0.6 * sh[f] + 0.8 * wRng.normal());
    // Raw signal in each run, and its variance over the training runs (per-run mean removed).
    let ss = 0;
    let n = 0;
    const raw: Float32Array[] = [];
    for (let r = 0; r < nRuns; r++) {
      const X = regs[r][sp];
      const T = runs[r].nVols;
      const s = new Float32Array(T);
      let m = 0;
      for (let t = 0; t < T; t++) {
        let acc = 0;
        for (let f = 0; f < F; f++) acc += X[t * F + f] * w[f];
        s[t] = acc;
        m += acc;
      }
      m /= T;
      if (runs[r].task === 'train') {
        for (let t = 0; t < T; t++) ss += (s[t] - m) ** 2;
        n += T;
      }
      raw.push(s);
    }
    const sdRaw = Math.sqrt(ss / Math.max(1, n)) || 1;
    const snrV = cfg.snrMedian * Math.exp(cfg.snrLogSd * sRng.normal());
    snr[v] = snrV;
    const c = (snrV * sigmaN[v]) / sdRaw;
    for (let r = 0; r < nRuns; r++) {
      const T = runs[r].nVols;
      let m = 0;
      for (let t = 0; t < T; t++) m += raw[r][t];
      m /= T;
      let vs = 0;
      for (let t = 0; t < T; t++) {
        const val = c * raw[r][t];
        signal[r][t * driven.length + di] = val;
        vs += (c * (raw[r][t] - m)) ** 2;
      }
      if (runs[r].task === 'test') sigmaS2Test[v] = vs / T;
    }
    weightsOut[sp].voxels.push(v);
    weightsOut[sp].rows.push(w.map((x) => x * c));
  }
  const pack = (sp: FeatureSpace): { voxels: Int32Array; data: Float32Array } => {
    const F = spaces[sp].names.length;
    const data = new Float32Array(weightsOut[sp].rows.length * F);
    weightsOut[sp].rows.forEach((row, i) => data.set(row, i * F));
    return { voxels: Int32Array.from(weightsOut[sp].voxels), data };
  };
  return { driven, space, weights: { low: pack('low'), mid: pack('mid'), abstract: pack('abstract') }, sigmaN, snr, sigmaS2Test, signal };
}

/**
 * One run's 4-D image (x, y, z, t; x fastest, volume-major): baseline +
 * planted signal + AR(1) noise + drift, in scanner units (baseline ≈ 1000).
 */
export function renderRun(layout: BrainLayout, brain: PlantedBrain, runIndex: number, design: RunDesign, cfg: FmriConfig, rng: Rng): Float32Array {
  const nv = layout.mask.length;
  const T = design.nVols;
  const out = new Float32Array(nv * T);
  const phi = cfg.ar1;
  const innov = Math.sqrt(1 - phi * phi);
  const sig = brain.signal[runIndex];
  const nd = brain.driven.length;
  const drivenPos = new Int32Array(nv).fill(-1);
  brain.driven.forEach((v, i) => (drivenPos[v] = i));
  const e = new Float64Array(nv);
  const xi = rng.fork('innovations');
  for (let v = 0; v < nv; v++) e[v] = brain.sigmaN[v] * xi.normal();
  const dRng = rng.fork('drift');
  const drift = new Float32Array(nv * 4);
  for (let v = 0; v < nv; v++) {
    const s = layout.mask[v] ? brain.sigmaN[v] : 0.2 * brain.sigmaN[v];
    drift[v * 4] = s * 0.8 * dRng.normal();
    for (let j = 1; j < 4; j++) drift[v * 4 + j] = (s * 0.6 * dRng.normal()) / j;
  }
  for (let t = 0; t < T; t++) {
    const lin = T > 1 ? (2 * t) / (T - 1) - 1 : 0;
    const c1 = Math.cos((Math.PI * 1 * (t + 0.5)) / T);
    const c2 = Math.cos((Math.PI * 2 * (t + 0.5)) / T);
    const c3 = Math.cos((Math.PI * 3 * (t + 0.5)) / T);
    const base = t * nv;
    for (let v = 0; v < nv; v++) {
      if (t > 0) e[v] = phi * e[v] + brain.sigmaN[v] * innov * xi.normal();
      const d = drift[v * 4] * lin + drift[v * 4 + 1] * c1 + drift[v * 4 + 2] * c2 + drift[v * 4 + 3] * c3;
      const p = drivenPos[v];
      const s = p >= 0 ? sig[t * nd + p] : 0;
      out[base + v] = layout.baseline[v] + s + d + e[v];
    }
  }
  return out;
}

/**
 * Analytic expectations for a perfect model of voxel v, from the test-run
 * signal variance σ_s² and noise variance σ_n² (drift assumed removed):
 *   r_single = √(σ_s²/(σ_s²+σ_n²))        correlation with one test run
 *   r_ceiling = √(σ_s²/(σ_s²+σ_n²/R))     correlation with the mean of R test runs
 *   rho_split = σ_s²/(σ_s²+σ_n²)          correlation between two single test runs
 * Returns per-voxel Float32Arrays (0 where there is no signal).
 */
export function expectedCeilings(brain: PlantedBrain, nTestRuns: number): { rSingle: Float32Array; rCeiling: Float32Array; rhoSplit: Float32Array } {
  const nv = brain.sigmaN.length;
  const rSingle = new Float32Array(nv);
  const rCeiling = new Float32Array(nv);
  const rhoSplit = new Float32Array(nv);
  for (let v = 0; v < nv; v++) {
    const s2 = brain.sigmaS2Test[v];
    const n2 = brain.sigmaN[v] ** 2;
    if (!(s2 > 0)) continue;
    rhoSplit[v] = s2 / (s2 + n2);
    rSingle[v] = Math.sqrt(rhoSplit[v]);
    rCeiling[v] = Math.sqrt(s2 / (s2 + n2 / nTestRuns));
  }
  return { rSingle, rCeiling, rhoSplit };
}

/**
 * The Brain Alignment Score (BAS): a neural part s_r (per subject, how much of
 * each ROI's explainable variance its paired area explains, and how much more
 * than the other areas do) and a behavioural part s_b (genre-choice
 * consistency with listeners), combined as configured. The BAN/BAS paper does
 * not publish its equations; ours are in docs/bas.md. Every part comes with a
 * percentile bootstrap CI: subjects are resampled, voxels within each of the
 * drawn subjects' ROIs, and clips across clips.
 */
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';
import { quantileSorted7 } from '../stats/bootstrap.js';
import { checkAreaRoiInput, correspondenceTest, type AreaRoiInput, type CorrespondenceTest, type IndexPairs } from './correspondence.js';
import { behaviourScore, checkBehaviourInput, resampleBehaviour, type BehaviourInput, type BehaviourScore } from './behaviour.js';
import { neuralScoreBySubject, stimulusReplicate, voxelsBySubject, type NeuralScore, type PairTerms, type VoxelSelection } from './neural-score.js';
import { TUCKUTE_RELIABILITY_FLOOR } from '../encoding/ceilings.js';

/** Default model-area → brain-ROI pairs of s_r. */
export const BAS_DEFAULT_PAIRS: readonly { area: string; roi: string }[] = [
  { area: 'A1', roi: 'A1' },
  { area: 'Belt', roi: 'Belt' },
  { area: 'PB', roi: 'Parabelt' },
  { area: 'T2/T3', roi: 'T2/T3' },
];

/**
 * BAS ROIs as unions of HCP-MMP 1.0 (Glasser 2016) parcels. Parabelt is A4;
 * T2/T3 is A5 plus the four superior temporal sulcus parcels.
 */
export const HCP_MMP_ROIS: Readonly<Record<string, readonly string[]>> = {
  A1: ['A1'],
  Belt: ['LBelt', 'MBelt', 'PBelt'],
  Parabelt: ['A4'],
  'T2/T3': ['A5', 'STSda', 'STSdp', 'STSva', 'STSvp'],
};

/** The BAS ROI of an HCP-MMP parcel label ('A4', 'L_A4_ROI', 'R_STSdp_ROI' …), or null if it belongs to none. */
export function hcpMmpRoiOf(label: string, rois: Readonly<Record<string, readonly string[]>> = HCP_MMP_ROIS): string | null {
  const bare = label.replace(/^[LR]_/, '').replace(/_ROI$/, '');
  for (const [roi, parcels] of Object.entries(rois)) if (parcels.includes(bare)) return roi;
  return null;
}

const bounds = z.object({ lo: z.number(), hi: z.number() }).refine((b) => b.lo < b.hi, { message: 'clip.lo must be below clip.hi' });

/** How the BAS is computed; parse user config with BasConfigSchema.parse(). */
export const BasConfigSchema = z.object({
  pairs: z
    .array(z.object({ area: z.string().min(1), roi: z.string().min(1) }))
    .min(1)
    .default(BAS_DEFAULT_PAIRS.map((p) => ({ ...p })))
    .describe('area → ROI pairs of s_r (level and specificity) and of the correspondence index'),
  combine: z
    .enum(['mean', 'weighted', 'geometric'])
    .default('mean')
    .describe("'mean' = (s_r + s_b)/2; 'weighted' = weighted arithmetic mean; 'geometric' = weighted geometric mean"),
  weights: z
    .object({ neural: z.number().nonnegative(), behaviour: z.number().nonnegative() })
    .default({ neural: 1, behaviour: 1 })
    .describe('weights of s_r and s_b (combine = weighted or geometric)'),
  clip: bounds.default({ lo: 0, hi: 1 }).describe("bounds applied to each pair's level and specificity in s_r (s_b is reported unclipped, docs/bas.md)"),
  reliabilityFloor: z
    .number()
    .gt(0)
    .max(1)
    .default(TUCKUTE_RELIABILITY_FLOOR)
    .describe("floor on a voxel's reliability before it divides r² (Kell 2018 / Tuckute 2023: 0.182)"),
  nBoot: z.number().int().min(10).default(1000).describe('bootstrap replicates (subjects and test clips for s_r, clips for s_b)'),
  level: z.number().gt(0).lt(1).default(0.95).describe('confidence level of the percentile intervals'),
  nPerm: z.number().int().min(0).default(1000).describe('within-subject ROI-label permutations for the correspondence p-value (0 = skip the test)'),
});
export type BasConfig = z.infer<typeof BasConfigSchema>;

export interface Estimate {
  estimate: number;
  lo: number;
  hi: number;
  se: number;
}

export interface BasReport {
  sR: Estimate;
  /** s_r of every bootstrap draw, in draw order: with the same `neuralRng`, draw b of two models resamples the same subjects and clips (paired differences). */
  sRReplicates: Float64Array;
  sB: Estimate;
  bas: Estimate;
  /** Per pair, means over subjects: level, specificity and the pair score ½[clip(level) + clip(specificity)] that s_r averages. */
  pairScores: ({ area: string; roi: string } & PairTerms)[];
  /** Per subject: s_r, and per ROI the voxels left out of the medians because r or the reliability is undefined. */
  perSubject: { subject: string; sR: number; undefinedVoxels: Record<string, number>; voxels: Record<string, number> }[];
  /** Full area × ROI matrix: mean over subjects of the median noise-corrected r² (unclipped), rows = areas, cols = ROIs. */
  matrix: { areas: string[]; rois: string[]; values: Float64Array };
  correspondence: CorrespondenceTest | null;
  /** What the s_r bootstrap resampled. */
  neuralBootstrap: 'subjects and test clips' | 'subjects and voxels within ROIs';
  behaviour: BehaviourScore;
  config: BasConfig;
}

/** Combines s_r and s_b as configured (unitless). Geometric combination of a non-positive part gives 0. */
export function combineScores(sR: number, sB: number, cfg: Pick<BasConfig, 'combine' | 'weights'>): number {
  if (cfg.combine === 'mean') return (sR + sB) / 2;
  const { neural: wr, behaviour: wb } = cfg.weights;
  if (!(wr + wb > 0)) throw new InputError('weights', 'neural and behaviour weights sum to 0');
  if (cfg.combine === 'weighted') return (wr * sR + wb * sB) / (wr + wb);
  if (Number.isNaN(sR) || Number.isNaN(sB)) return NaN;
  if ((wr > 0 && sR <= 0) || (wb > 0 && sB <= 0)) return 0;
  return Math.exp((wr * (wr > 0 ? Math.log(sR) : 0) + wb * (wb > 0 ? Math.log(sB) : 0)) / (wr + wb));
}

function resolvePairs(inp: AreaRoiInput, pairs: BasConfig['pairs']): IndexPairs {
  return pairs.map((p) => {
    const a = inp.areas.indexOf(p.area);
    const k = inp.rois.indexOf(p.roi);
    if (a < 0) throw new InputError('pairs', `model area '${p.area}' not among ${inp.areas.join(', ')}`);
    if (k < 0) throw new InputError('pairs', `ROI '${p.roi}' not among ${inp.rois.join(', ')}`);
    return [a, k];
  });
}

/**
 * s_r (docs/bas.md): per subject, the mean over pairs of ½ [clip(level) +
 * clip(specificity)] of the median noise-corrected r²; then the mean over
 * subjects. `selection` restricts or resamples the voxels of each subject.
 */
export function neuralScore(
  inp: AreaRoiInput,
  pairs: IndexPairs,
  clipBounds: { lo: number; hi: number },
  opts: { floor?: number; selection?: { subjects: string[]; voxels: VoxelSelection } } = {},
): { sR: number; pairScores: number[]; matrix: Float64Array; detail: NeuralScore } {
  const detail = neuralScoreBySubject(inp, pairs, clipBounds, opts);
  return { sR: detail.sR, pairScores: detail.pairs.map((p) => p.score), matrix: detail.matrix, detail };
}

/**
 * One bootstrap draw of the neural data: subjects with replacement, then each
 * drawn subject's voxels with replacement within each ROI (ROI sizes kept;
 * voxels outside ROIs dropped).
 */
function resampleSubjects(
  bySubject: { subjects: string[]; voxels: VoxelSelection },
  roiOfVoxel: Int32Array,
  nRois: number,
  rng: Rng,
): { subjects: string[]; voxels: VoxelSelection } {
  const S = bySubject.voxels.length;
  const subjects: string[] = [];
  const voxels: VoxelSelection = [];
  for (let i = 0; i < S; i++) {
    const s = rng.int(S);
    const groups: number[][] = Array.from({ length: nRois }, () => []);
    for (const v of bySubject.voxels[s]) if (roiOfVoxel[v] >= 0) groups[roiOfVoxel[v]].push(v);
    const out: number[] = [];
    for (const g of groups) for (let j = 0; j < g.length; j++) out.push(g[rng.int(g.length)]);
    subjects.push(bySubject.subjects[s]);
    voxels.push(Int32Array.from(out));
  }
  return { subjects, voxels };
}

/** How the s_r bootstrap draws: test clips when the encodings stored their test predictions, else voxels within ROIs. */
interface NeuralBootstrap {
  bySubject: { subjects: string[]; voxels: VoxelSelection };
  stimuli: NonNullable<AreaRoiInput['timecourses']> | null;
}

function neuralBootstrapPlan(neural: AreaRoiInput): NeuralBootstrap {
  const bySubject = voxelsBySubject(neural);
  // Test clips are the stimuli the held-out r is computed over: resample them when the encodings
  // stored their test predictions, else (older artifacts, library callers) voxels within ROIs.
  const tc = neural.timecourses;
  const stimuli = tc && tc.length === bySubject.subjects.length && tc.length > 0 ? tc : null;
  return { bySubject, stimuli };
}

/** s_r of one bootstrap draw: subjects, then their test clips (or voxels within ROIs). */
function neuralReplicate(neural: AreaRoiInput, plan: NeuralBootstrap, pairs: IndexPairs, cfg: BasConfig, rng: Rng): number {
  const floor = cfg.reliabilityFloor;
  return plan.stimuli
    ? neuralScore(stimulusReplicate(neural, plan.stimuli, rng), pairs, cfg.clip, { floor }).sR
    : neuralScore(neural, pairs, cfg.clip, { floor, selection: resampleSubjects(plan.bySubject, neural.roiOfVoxel, neural.rois.length, rng) }).sR;
}

/**
 * s_r alone with its percentile bootstrap CI (subjects and test clips), for
 * models scored without s_b (baselines, checkpoints without genre choices):
 * the same draws as computeBas's s_r, so every model's interval means the same.
 */
export function bootstrapNeuralScore(
  neural: AreaRoiInput,
  config: z.input<typeof BasConfigSchema>,
  neuralRng: Rng,
): { sR: Estimate; sRReplicates: Float64Array; resampled: BasReport['neuralBootstrap'] } {
  const cfg = BasConfigSchema.parse(config);
  checkAreaRoiInput(neural);
  const pairs = resolvePairs(neural, cfg.pairs);
  const full = neuralScore(neural, pairs, cfg.clip, { floor: cfg.reliabilityFloor });
  const plan = neuralBootstrapPlan(neural);
  const reps = Float64Array.from({ length: cfg.nBoot }, () => neuralReplicate(neural, plan, pairs, cfg, neuralRng));
  return {
    sR: summarise(full.sR, Array.from(reps), cfg.level),
    sRReplicates: reps,
    resampled: plan.stimuli ? 'subjects and test clips' : 'subjects and voxels within ROIs',
  };
}

/**
 * Paired bootstrap of s_r(a) − s_r(b) from two models' replicates drawn with
 * the same `neuralRng` over the same subjects and test clips: draw b of both
 * resampled the same data, so the interval reflects the models' difference,
 * not the sampling spread they share.
 */
export function pairedDifference(estA: number, estB: number, repsA: Float64Array, repsB: Float64Array, level: number): Estimate {
  if (repsA.length !== repsB.length) throw new InputError('bootstrap', `paired replicates differ in number: ${repsA.length} vs ${repsB.length}`);
  return summarise(
    estA - estB,
    Array.from(repsA, (x, b) => x - repsB[b]),
    level,
  );
}

/** s_b of one bootstrap draw (the only place the bootstrap calls it): listeners and clips drawn jointly, the split-half ceiling's splits from their own stream. */
function behaviourReplicate(behaviour: BehaviourInput, nClips: number, rng: Rng, splitRng: Rng): number {
  return behaviourScore(behaviour, { ...resampleBehaviour(behaviour.nHumans, nClips, rng), rng: splitRng }).sB;
}

function summarise(estimate: number, reps: number[], level: number): Estimate {
  const ok = reps.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const m = ok.reduce((s, x) => s + x, 0) / ok.length;
  const se = ok.length > 1 ? Math.sqrt(ok.reduce((s, x) => s + (x - m) ** 2, 0) / (ok.length - 1)) : NaN;
  const a = 1 - level;
  return { estimate, lo: quantileSorted7(ok, a / 2), hi: quantileSorted7(ok, 1 - a / 2), se };
}

/**
 * Computes s_r, s_b and BAS with percentile bootstrap CIs, the full area × ROI
 * matrix and the correspondence index with its permutation p-value. `config`
 * is parsed with BasConfigSchema (so partial configs get defaults). The s_r
 * draws come from `neuralRng` (listeners and clips of s_b from `rng`), so
 * models given the same `neuralRng` get paired s_r replicates.
 */
export function computeBas(
  neural: AreaRoiInput,
  behaviour: BehaviourInput,
  config: z.input<typeof BasConfigSchema>,
  rng: Rng,
  neuralRng: Rng = rng.fork('bas-bootstrap-neural'),
): BasReport {
  const parsed = BasConfigSchema.safeParse(config);
  if (!parsed.success) throw new InputError('bas config', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const cfg = parsed.data;
  checkAreaRoiInput(neural);
  const nClips = checkBehaviourInput(behaviour);
  const pairs = resolvePairs(neural, cfg.pairs);
  const floor = cfg.reliabilityFloor;
  const full = neuralScore(neural, pairs, cfg.clip, { floor });
  const plan = neuralBootstrapPlan(neural);
  const beh = behaviourScore(behaviour, { rng: rng.fork('bas-behaviour') });
  const bas = combineScores(full.sR, beh.sB, cfg);

  const bootRng = rng.fork('bas-bootstrap');
  const splitRng = rng.fork('bas-bootstrap-splits');
  const repR: number[] = [];
  const repB: number[] = [];
  const repBas: number[] = [];
  for (let b = 0; b < cfg.nBoot; b++) {
    const r = neuralReplicate(neural, plan, pairs, cfg, neuralRng);
    const s = behaviourReplicate(behaviour, nClips, bootRng, splitRng);
    repR.push(r);
    repB.push(s);
    repBas.push(combineScores(r, s, cfg));
  }
  const correspondence =
    cfg.nPerm > 0 && pairs.length > 1 ? correspondenceTest(neural, pairs, { rng: rng.fork('bas-correspondence'), nPerm: cfg.nPerm, floor }) : null;
  const cells = full.detail.cells;
  const A = neural.areas.length;
  const R = neural.rois.length;
  const perSubject = full.detail.perSubject.map((p, s) => {
    const undefinedVoxels: Record<string, number> = {};
    const voxels: Record<string, number> = {};
    neural.rois.forEach((roi, k) => {
      // A voxel is undefined for the ROI when any paired area's q is: the count over the paired areas' maximum.
      let u = 0;
      for (const [a] of pairs) u = Math.max(u, cells.nUndefined[(s * A + a) * R + k]);
      undefinedVoxels[roi] = u;
      voxels[roi] = cells.nVoxels[s * R + k];
    });
    return { subject: p.subject, sR: p.sR, undefinedVoxels, voxels };
  });
  return {
    sR: summarise(full.sR, repR, cfg.level),
    sRReplicates: Float64Array.from(repR),
    sB: summarise(beh.sB, repB, cfg.level),
    bas: summarise(bas, repBas, cfg.level),
    pairScores: cfg.pairs.map((p, i) => ({ area: p.area, roi: p.roi, ...full.detail.pairs[i] })),
    perSubject,
    matrix: { areas: neural.areas.slice(), rois: neural.rois.slice(), values: full.matrix },
    correspondence,
    neuralBootstrap: plan.stimuli ? 'subjects and test clips' : 'subjects and voxels within ROIs',
    behaviour: beh,
    config: cfg,
  };
}

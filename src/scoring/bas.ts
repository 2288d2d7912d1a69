/**
 * The Brain Alignment Score (BAS): a neural part s_r (ceiling-normalised
 * area→ROI prediction) and a behavioural part s_b (genre-choice consistency
 * with listeners), combined as configured. The BAN/BAS paper does not publish
 * its equations; ours are in docs/bas.md. Every part comes with a percentile
 * bootstrap CI: voxels are resampled within each ROI, listeners and clips jointly.
 */
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/prng.js';
import { quantileSorted7 } from '../encoding/bootstrap.js';
import { areaRoiMatrix, checkAreaRoiInput, correspondenceTest, type AreaRoiInput, type CorrespondenceTest, type IndexPairs } from './correspondence.js';
import { behaviourScore, checkBehaviourInput, resampleBehaviour, type BehaviourInput, type BehaviourScore } from './behaviour.js';

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

const bounds = z
  .object({ lo: z.number(), hi: z.number() })
  .refine((b) => b.lo < b.hi, { message: 'clip.lo must be below clip.hi' });

/** How the BAS is computed; parse user config with BasConfigSchema.parse(). */
export const BasConfigSchema = z.object({
  /** Area → ROI pairs averaged in s_r (also the diagonal of the correspondence index). */
  pairs: z.array(z.object({ area: z.string().min(1), roi: z.string().min(1) })).min(1).default(BAS_DEFAULT_PAIRS.map((p) => ({ ...p }))),
  /** 'mean' = (s_r + s_b)/2; 'weighted' = weighted arithmetic mean; 'geometric' = weighted geometric mean. */
  combine: z.enum(['mean', 'weighted', 'geometric']).default('mean'),
  weights: z.object({ neural: z.number().nonnegative(), behaviour: z.number().nonnegative() }).default({ neural: 1, behaviour: 1 }),
  /** Bounds applied to each pair score of s_r (s_b is reported unclipped, docs/bas.md). */
  clip: bounds.default({ lo: 0, hi: 1 }),
  nBoot: z.number().int().min(10).default(1000),
  level: z.number().gt(0).lt(1).default(0.95),
  /** Label permutations for the correspondence p-value (0 = skip the test). */
  nPerm: z.number().int().min(0).default(1000),
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
  sB: Estimate;
  bas: Estimate;
  /** Per pair: the ceiling-normalised median r (clipped) that s_r averages. */
  pairScores: { area: string; roi: string; score: number }[];
  /** Full area × ROI matrix (ceiling-normalised median r, unclipped), rows = areas, cols = ROIs. */
  matrix: { areas: string[]; rois: string[]; values: Float64Array };
  correspondence: CorrespondenceTest | null;
  behaviour: BehaviourScore;
  config: BasConfig;
}

const clip = (x: number, lo: number, hi: number): number => (Number.isNaN(x) ? NaN : Math.min(hi, Math.max(lo, x)));

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

/** s_r over the given voxels (default all): mean over pairs of the clipped ceiling-normalised median r. */
export function neuralScore(inp: AreaRoiInput, pairs: IndexPairs, clipBounds: { lo: number; hi: number }, voxels?: ArrayLike<number>): { sR: number; pairScores: number[]; matrix: Float64Array } {
  const m = areaRoiMatrix(inp, voxels).normalised;
  const R = inp.rois.length;
  const pairScores = pairs.map(([a, k]) => clip(m[a * R + k], clipBounds.lo, clipBounds.hi));
  return { sR: pairScores.reduce((s, x) => s + x, 0) / pairScores.length, pairScores, matrix: m };
}

/** Voxel indices resampled with replacement within each ROI (voxels outside ROIs dropped). */
function stratifiedVoxels(roiOfVoxel: Int32Array, nRois: number, rng: Rng): Int32Array {
  const groups: number[][] = Array.from({ length: nRois }, () => []);
  for (let v = 0; v < roiOfVoxel.length; v++) if (roiOfVoxel[v] >= 0) groups[roiOfVoxel[v]].push(v);
  const out: number[] = [];
  for (const g of groups) for (let i = 0; i < g.length; i++) out.push(g[rng.int(g.length)]);
  return Int32Array.from(out);
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
 * is parsed with BasConfigSchema (so partial configs get defaults).
 */
export function computeBas(neural: AreaRoiInput, behaviour: BehaviourInput, config: z.input<typeof BasConfigSchema>, rng: Rng): BasReport {
  const parsed = BasConfigSchema.safeParse(config);
  if (!parsed.success) throw new InputError('bas config', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const cfg = parsed.data;
  checkAreaRoiInput(neural);
  const nClips = checkBehaviourInput(behaviour);
  const pairs = resolvePairs(neural, cfg.pairs);
  const full = neuralScore(neural, pairs, cfg.clip);
  const beh = behaviourScore(behaviour, { rng: rng.fork('bas-behaviour') });
  const bas = combineScores(full.sR, beh.sB, cfg);

  const bootRng = rng.fork('bas-bootstrap');
  const splitRng = rng.fork('bas-bootstrap-splits');
  const repR: number[] = [];
  const repB: number[] = [];
  const repBas: number[] = [];
  for (let b = 0; b < cfg.nBoot; b++) {
    const vox = stratifiedVoxels(neural.roiOfVoxel, neural.rois.length, bootRng);
    const draw = resampleBehaviour(behaviour.nHumans, nClips, bootRng);
    const r = neuralScore(neural, pairs, cfg.clip, vox).sR;
    const s = behaviourScore(behaviour, { ...draw, rng: splitRng }).sB;
    repR.push(r);
    repB.push(s);
    repBas.push(combineScores(r, s, cfg));
  }
  const correspondence = cfg.nPerm > 0 ? correspondenceTest(neural, pairs, { rng: rng.fork('bas-correspondence'), nPerm: cfg.nPerm }) : null;
  return {
    sR: summarise(full.sR, repR, cfg.level),
    sB: summarise(beh.sB, repB, cfg.level),
    bas: summarise(bas, repBas, cfg.level),
    pairScores: cfg.pairs.map((p, i) => ({ area: p.area, roi: p.roi, score: full.pairScores[i] })),
    matrix: { areas: neural.areas.slice(), rois: neural.rois.slice(), values: full.matrix },
    correspondence,
    behaviour: beh,
    config: cfg,
  };
}

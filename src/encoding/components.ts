/**
 * Regression onto component responses (e.g. the six Norman-Haignere 2015
 * components) instead of voxels. Components arrive as components × stimuli;
 * regression wants stimuli × targets, so this transposes and hands the work to
 * the caller's regression engine (src/encoding/ridge.ts), so no ridge code lives here.
 */
import { InputError } from '../core/errors.js';
import { ridgeCV } from './ridge.js';

/**
 * A regression engine: X is nSamples × nFeatures, Y is nSamples × nTargets
 * (row-major). Returns one held-out accuracy per target (e.g. cross-validated
 * Pearson r) and optionally the held-out predictions (nSamples × nTargets).
 */
export type RegressionCallback = (
  X: Float32Array,
  nSamples: number,
  nFeatures: number,
  Y: Float32Array,
  nTargets: number,
) => { score: ArrayLike<number>; predictions?: Float32Array };

export interface ComponentResponses {
  /** nComponents × nStimuli row-major (component response to each stimulus). */
  data: Float32Array;
  nComponents: number;
  nStimuli: number;
  names?: string[];
}

export interface ComponentFit {
  name: string;
  /** The engine's held-out accuracy for this component (same units as the engine reports, e.g. r). */
  score: number;
}

/**
 * Fits model features (nStimuli × nFeatures) to each component's response
 * profile through `regress`. Returns one score per component, in the order given.
 */
export function regressComponents(
  features: { data: Float32Array; nStimuli: number; nFeatures: number },
  components: ComponentResponses,
  regress: RegressionCallback,
): { fits: ComponentFit[]; predictions?: Float32Array } {
  const { nComponents: C, nStimuli: S } = components;
  if (components.data.length !== C * S) throw new InputError('components', `expected ${C}×${S} values, got ${components.data.length}`);
  if (features.nStimuli !== S) throw new InputError('features', `${features.nStimuli} stimuli but components have ${S}`);
  if (features.data.length !== S * features.nFeatures)
    throw new InputError('features', `expected ${S}×${features.nFeatures} values, got ${features.data.length}`);
  if (components.names && components.names.length !== C) throw new InputError('components', `${components.names.length} names for ${C} components`);
  const Y = new Float32Array(S * C);
  for (let c = 0; c < C; c++) for (let s = 0; s < S; s++) Y[s * C + c] = components.data[c * S + s];
  const res = regress(features.data, S, features.nFeatures, Y, C);
  if (res.score.length !== C) throw new InputError('regression', `engine returned ${res.score.length} scores for ${C} components`);
  const fits = Array.from({ length: C }, (_, c) => ({ name: components.names?.[c] ?? `component-${c + 1}`, score: res.score[c] }));
  return { fits, predictions: res.predictions };
}

/**
 * The ridge engine as a RegressionCallback: per-target α chosen by K-fold CV
 * over stimuli (ridgeCV); the score is the fold-averaged held-out Pearson r.
 */
export function ridgeRegression(
  alphas: readonly number[],
  opts: { folds?: number; groups?: ArrayLike<number>; standardize?: boolean } = {},
): RegressionCallback {
  return (X, n, p, Y, v) => {
    const res = ridgeCV({ X, n, p, Y, v, alphas, folds: opts.folds, groups: opts.groups, standardize: opts.standardize, returnWeights: false });
    return { score: res.cvR };
  };
}

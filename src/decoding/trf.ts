/**
 * Forward temporal response functions (mTRF encoding model): each EEG
 * channel is predicted from lagged stimulus features,
 *
 *   x_c(t) = b_c + Σ_j Σ_{d} k_{j,c}(d) · s_j(t − d),   d·Δt ∈ [tmin, tmax],
 *
 * fitted by ridge with one α per channel (grouped inner CV). The weights
 * k_{j,c}(d) are the TRF, in EEG units per stimulus unit.
 */
import { delayFeatures } from '../encoding/delays.js';
import { ridgeCV } from '../encoding/ridge.js';

export interface TrfResult {
  /** nLags × nFeatures × nCh weights, row-major (EEG units per stimulus unit). */
  kernel: Float32Array;
  nLags: number;
  nFeatures: number;
  nCh: number;
  /** Lag of each kernel row, seconds. */
  lagsSec: number[];
  /** Inner-CV prediction r per channel. */
  cvR: Float32Array;
  /** α chosen per channel. */
  alpha: Float32Array;
}

/**
 * Fit a forward TRF. `stim` is n × nFeatures, `eeg` n × nCh (row-major,
 * same rate), `runs` (optional) labels contiguous recordings so lags never
 * cross a boundary. Returns the kernel over lags tmin..tmax seconds.
 */
export function fitForwardTrf(
  stim: Float32Array,
  eeg: Float32Array,
  n: number,
  nFeatures: number,
  nCh: number,
  rate: number,
  tmin: number,
  tmax: number,
  alphas: number[],
  opts: { runs?: ArrayLike<number>; folds?: number } = {},
): TrfResult {
  const lags: number[] = [];
  for (let d = Math.round(tmin * rate); d <= Math.round(tmax * rate); d++) lags.push(d);
  const X = delayFeatures(stim, n, nFeatures, lags, opts.runs);
  const p = nFeatures * lags.length;
  const folds = opts.folds ?? 5;
  const groups = Int32Array.from({ length: n }, (_, i) => Math.floor((i * folds) / n));
  const res = ridgeCV({ X, n, p, Y: eeg, v: nCh, alphas, groups, standardize: false });
  if (!res.weights) throw new Error('ridgeCV returned no weights');
  // delayFeatures lays out column block d (lag) × feature j; weights are p × nCh.
  return { kernel: res.weights, nLags: lags.length, nFeatures, nCh, lagsSec: lags.map((d) => d / rate), cvR: res.cvR, alpha: res.bestAlpha };
}

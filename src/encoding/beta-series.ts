/**
 * Per-clip response patterns for RSA by least-squares-all (LSA) beta series
 * (Mumford et al. 2012): one canonical-HRF regressor per clip, fitted jointly
 * to the test-mean BOLD. Clips follow each other within seconds, so a
 * post-onset window average mixes a clip's response with its neighbours'; the
 * joint fit assigns overlapping responses to the clips that caused them.
 * docs/rsa.md gives the model.
 */
import { InputError } from '../core/errors.js';
import { getLinalg } from '../linalg/index.js';
import { doubleGammaHrf } from '../signal/hrf.js';

export interface ClipEvent {
  /** Seconds from the first volume. */
  onset: number;
  duration: number;
}

/** Fine time step of the boxcars before HRF convolution, seconds. */
const DT = 0.1;

/**
 * Sample s of the causal convolution of h with the boxcar that is 1 on fine
 * samples [i0, i1): Σ h[j] over the lags j with s − j inside the box, summed
 * in ascending j in float64 and rounded to float32, exactly as convolve()
 * computes that sample; only the nT samples the design reads are computed.
 */
function boxcarResponseAt(h: Float32Array, i0: number, i1: number, s: number): number {
  let acc = 0;
  for (let j = Math.max(0, s - i1 + 1); j <= s - i0 && j < h.length; j++) if (h[j] !== 0) acc += h[j];
  return Math.fround(acc);
}

/**
 * Design of the beta series: nT × nClips (row-major), column k = the clip's
 * boxcar [onset, onset + duration) convolved with the unit-sum canonical HRF
 * and sampled at t·TR, then mean-centred (the BOLD it is fitted to is
 * drift-cleaned, so a constant carries no clip information).
 */
export function betaSeriesDesign(events: ClipEvent[], nT: number, tr: number): Float64Array {
  const nFine = Math.ceil((nT * tr) / DT) + 1;
  const h = doubleGammaHrf(DT, 32);
  const K = events.length;
  const X = new Float64Array(nT * K);
  events.forEach((e, k) => {
    const i0 = Math.max(0, Math.round(e.onset / DT));
    const i1 = Math.min(nFine, Math.round((e.onset + e.duration) / DT));
    let m = 0;
    for (let t = 0; t < nT; t++) {
      const v = boxcarResponseAt(h, i0, i1, Math.min(nFine - 1, Math.round((t * tr) / DT)));
      X[t * K + k] = v;
      m += v;
    }
    m /= nT;
    for (let t = 0; t < nT; t++) X[t * K + k] -= m;
  });
  return X;
}

/**
 * β (nClips × nV) of Y (nT × nV) on the beta-series design: the least-squares
 * solution of (XᵀX) β = XᵀY. Throws an InputError when clips cannot be told
 * apart (XᵀX singular, e.g. two clips at the same time).
 */
export function betaSeries(Y: ArrayLike<number>, nT: number, nV: number, events: ClipEvent[], tr: number): Float64Array {
  if (Y.length !== nT * nV) throw new InputError('betaSeries', `expected ${nT}×${nV} values, got ${Y.length}`);
  const K = events.length;
  if (K === 0) throw new InputError('betaSeries', 'no clips');
  if (nT <= K) throw new InputError('betaSeries', `${nT} volumes cannot separate ${K} clips`);
  const X = betaSeriesDesign(events, nT, tr);
  const la = getLinalg();
  const xtx = new Float64Array(K * K);
  la.gemm(X, X, xtx, K, K, nT, { transA: true });
  const y = Float64Array.from(Y);
  const xty = new Float64Array(K * nV);
  la.gemm(X, y, xty, K, nV, nT, { transA: true });
  return la.choleskySolve(xtx, K, xty, nV);
}

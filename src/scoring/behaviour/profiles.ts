/**
 * Behavioural profiles over clips: the probability of the correct genre per
 * clip (which clips are hard) and the probability of each wrong genre per clip
 * (where the errors go), for the model and for pools of listeners, and the
 * Pearson correlation of two sources' profiles. docs/bas.md, "s_b".
 */

/** Per-clip response distribution: p is nClips × nGenres; clips with defined[c] = 0 have no responses. */
export interface ProbTable {
  p: Float64Array;
  defined: Uint8Array;
}

/** A ProbTable with its per-clip rating weights, reusable across pools of the same size. */
export interface PoolBuffer extends ProbTable {
  n: Float64Array;
}

export const poolBuffer = (nClips: number, nGenres: number): PoolBuffer => ({
  p: new Float64Array(nClips * nGenres),
  defined: new Uint8Array(nClips),
  n: new Float64Array(nClips),
});

/**
 * The pooled response distribution of the listeners with weight w_h > 0 (a
 * listener drawn k times by the bootstrap weighs k): q(k|c) = Σ_h w_h [h_c = k] / Σ_h w_h [h rated c].
 * Written into `into` when given (the split-half ceiling pools hundreds of halves).
 */
export function poolResponses(
  humans: Int32Array,
  nHumans: number,
  nClips: number,
  nGenres: number,
  weights: ArrayLike<number>,
  into: PoolBuffer = poolBuffer(nClips, nGenres),
): ProbTable {
  const { p, n, defined } = into;
  p.fill(0);
  n.fill(0);
  for (let h = 0; h < nHumans; h++) {
    const w = weights[h];
    if (!(w > 0)) continue;
    const row = h * nClips;
    for (let c = 0; c < nClips; c++) {
      const k = humans[row + c];
      if (k < 0) continue;
      p[c * nGenres + k] += w;
      n[c] += w;
    }
  }
  for (let c = 0; c < nClips; c++) {
    defined[c] = n[c] > 0 ? 1 : 0;
    if (!defined[c]) continue;
    const inv = 1 / n[c];
    for (let k = 0; k < nGenres; k++) p[c * nGenres + k] *= inv;
  }
  return into;
}

/** A Pearson r with what made it undefined: a side with (numerically) zero variance. */
export interface Corr {
  r: number;
  n: number;
  constA: boolean;
  constB: boolean;
}

class PearsonSums {
  n = 0;
  sa = 0;
  sb = 0;
  saa = 0;
  sbb = 0;
  sab = 0;
  add(a: number, b: number): void {
    this.n++;
    this.sa += a;
    this.sb += b;
    this.saa += a * a;
    this.sbb += b * b;
    this.sab += a * b;
  }
  result(): Corr {
    const { n } = this;
    if (n < 2) return { r: NaN, n, constA: false, constB: false };
    const va = this.saa - (this.sa * this.sa) / n;
    const vb = this.sbb - (this.sb * this.sb) / n;
    const cov = this.sab - (this.sa * this.sb) / n;
    // Probabilities live in [0, 1]; variance sums below this are rounding of a constant vector.
    const tiny = 1e-12 * n;
    const constA = !(va > tiny);
    const constB = !(vb > tiny);
    return { r: constA || constB ? NaN : Math.max(-1, Math.min(1, cov / Math.sqrt(va * vb))), n, constA, constB };
  }
}

/** The two profile correlations between sources a and b. */
export interface ProfileCorrs {
  /** Over clips: P_a(true genre | c) vs P_b(true genre | c). */
  difficulty: Corr;
  /** Over clips × wrong genres: P_a(k | c) vs P_b(k | c), k ≠ true genre. */
  errors: Corr;
}

/**
 * Correlates the profiles of `a` and `b` over the clip occurrences `clips`
 * (repeats count again, as a bootstrap draws them), skipping clips either
 * source has no responses for.
 */
export function profileCorrelations(a: ProbTable, b: ProbTable, trueGenre: Int32Array, nGenres: number, clips: ArrayLike<number>): ProfileCorrs {
  const d = new PearsonSums();
  const e = new PearsonSums();
  for (let i = 0; i < clips.length; i++) {
    const c = clips[i];
    if (!a.defined[c] || !b.defined[c]) continue;
    const g = trueGenre[c];
    const o = c * nGenres;
    d.add(a.p[o + g], b.p[o + g]);
    for (let k = 0; k < nGenres; k++) if (k !== g) e.add(a.p[o + k], b.p[o + k]);
  }
  return { difficulty: d.result(), errors: e.result() };
}

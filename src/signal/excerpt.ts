/**
 * Cutting a presented excerpt out of a longer recording, as stimulus sets
 * built from GTZAN describe it (ds003720: 15 s, 2-s fades, RMS-normalised).
 */

export interface ExcerptOptions {
  /** Length of the linear fade-in and fade-out ramps, seconds (0 = none). */
  fadeSec: number;
  /** Root-mean-square level of the returned excerpt (null = keep the recording's level). */
  rms: number | null;
}

export interface Excerpt {
  samples: Float32Array;
  /** Samples past the end of the recording, filled with zeros (GTZAN tracks run a few ms short of 30 s). */
  padded: number;
}

/**
 * Samples [round(start·sr), round(start·sr) + round((end − start)·sr)) of
 * `x` (sr in Hz, start/end in s), zero-padded past the end of `x`; then a
 * linear ramp 0 → 1 over the first fadeSec·sr samples (gain i/n at sample
 * i) and its mirror image at the end; then scaled to the asked RMS. A silent
 * excerpt stays silent.
 */
export function cutExcerpt(x: Float32Array, sr: number, start: number, end: number, opts: ExcerptOptions): Excerpt {
  const s0 = Math.round(start * sr);
  const n = Math.round((end - start) * sr);
  const out = new Float32Array(n);
  const avail = Math.max(0, Math.min(n, x.length - s0));
  out.set(x.subarray(s0, s0 + avail));
  const nf = Math.min(Math.floor(n / 2), Math.round(opts.fadeSec * sr));
  for (let i = 0; i < nf; i++) {
    const g = i / nf;
    out[i] *= g;
    out[n - 1 - i] *= g;
  }
  if (opts.rms !== null) {
    let ss = 0;
    for (let i = 0; i < n; i++) ss += out[i] * out[i];
    const rms = Math.sqrt(ss / Math.max(1, n));
    if (rms > 0) {
      const g = opts.rms / rms;
      for (let i = 0; i < n; i++) out[i] *= g;
    }
  }
  return { samples: out, padded: n - avail };
}

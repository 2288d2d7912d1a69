/**
 * The one per-clip rule: a clip's scores are the mean of its tiling windows'
 * logits; its choice is their argmax (the first class on ties) and its
 * probabilities their softmax. Training's evaluation, the per-checkpoint
 * predictions and everything that reads them use this rule only.
 */

export interface ClipScores {
  nClips: number;
  nClasses: number;
  /** Softmax of the mean logits, [clip × class], row-major. */
  probs: Float64Array;
  /** Argmax of the mean logits per clip. */
  choice: Int32Array;
}

/**
 * Scores every clip from its windows' logits. `logits` is [window × class]
 * row-major, `clipOf[w]` the clip of window w; a clip without windows gets
 * uniform probabilities and choice 0 (cannot happen for tiling windows).
 */
export function clipScores(logits: Float32Array, clipOf: Int32Array, nClips: number, nClasses: number): ClipScores {
  const K = nClasses;
  const sum = new Float64Array(nClips * K);
  const count = new Int32Array(nClips);
  for (let w = 0; w < clipOf.length; w++) {
    count[clipOf[w]]++;
    for (let j = 0; j < K; j++) sum[clipOf[w] * K + j] += logits[w * K + j];
  }
  const probs = new Float64Array(nClips * K);
  const choice = new Int32Array(nClips);
  for (let i = 0; i < nClips; i++) {
    const z = sum.subarray(i * K, (i + 1) * K).map((v) => v / Math.max(1, count[i]));
    let best = 0;
    for (let j = 1; j < K; j++) if (z[j] > z[best]) best = j;
    choice[i] = best;
    // Shifted by the maximum so exp never overflows.
    let s = 0;
    for (let j = 0; j < K; j++) s += probs[i * K + j] = Math.exp(z[j] - z[best]);
    for (let j = 0; j < K; j++) probs[i * K + j] /= s;
  }
  return { nClips, nClasses: K, probs, choice };
}

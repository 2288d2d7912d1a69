/**
 * Error consistency κ (Geirhos et al. 2020, NeurIPS): trial-by-trial agreement
 * of two observers' correct/incorrect outcomes beyond what two independent
 * observers with the same accuracies would reach.
 */

/**
 * κ = (c_obs − c_exp) / (1 − c_exp) with c_obs = share of trials both got right
 * or both got wrong and c_exp = p1 p2 + (1 − p1)(1 − p2) from the accuracies
 * p1, p2 on the same trials. NaN with no trials or when c_exp = 1 (one observer
 * never errs and the other always errs, or both never err: nothing to agree on).
 */
export function errorConsistency(correct1: ArrayLike<boolean>, correct2: ArrayLike<boolean>): number {
  const n = correct1.length;
  if (n !== correct2.length) throw new RangeError(`errorConsistency: ${n} vs ${correct2.length} trials`);
  if (n === 0) return NaN;
  let both = 0;
  let k1 = 0;
  let k2 = 0;
  for (let i = 0; i < n; i++) {
    if (correct1[i]) k1++;
    if (correct2[i]) k2++;
    if (correct1[i] === correct2[i]) both++;
  }
  const p1 = k1 / n;
  const p2 = k2 / n;
  const cExp = p1 * p2 + (1 - p1) * (1 - p2);
  const cObs = both / n;
  return cExp >= 1 ? NaN : (cObs - cExp) / (1 - cExp);
}

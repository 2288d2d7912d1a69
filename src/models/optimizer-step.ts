/**
 * One optimizer step that hands back its cost. tfjs types the cost of
 * `minimize` as nullable because returning it is a flag; with the flag set a
 * missing cost would be a tfjs bug, so it throws rather than yield NaN losses.
 */
import type { tf } from './backend.js';

export function minimizeWithCost(optimizer: tf.Optimizer, loss: () => tf.Scalar, varList?: tf.Variable[]): tf.Scalar {
  const cost = optimizer.minimize(loss, true, varList);
  if (cost === null) throw new Error('optimizer.minimize returned no cost although returnCost was set');
  return cost;
}

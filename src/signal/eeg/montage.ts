/**
 * Electrode positions on the unit sphere and neighbourhoods between them.
 * Positions come from a BIDS electrodes.tsv when the dataset has one, or
 * from the standard 10-20 layout (see src/synth/eeg.ts electrodeXyz, which
 * the CLI passes in) otherwise.
 */
import { InputError } from '../../core/errors.js';

export type Xyz = [number, number, number];

/** Project positions onto the unit sphere (centred at the origin). Returns new unit vectors. */
export function toUnitSphere(pos: Xyz[]): Xyz[] {
  return pos.map((p) => {
    const r = Math.hypot(p[0], p[1], p[2]);
    if (!(r > 0)) throw new InputError('electrodes', 'an electrode sits at the origin (no direction)');
    return [p[0] / r, p[1] / r, p[2] / r];
  });
}

/** For each channel, the indices of its k nearest other channels (Euclidean on the sphere), nearest first. */
export function nearestNeighbours(pos: Xyz[], k: number): number[][] {
  return pos.map((p, i) =>
    pos
      .map((q, j) => ({ j, d: (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 + (p[2] - q[2]) ** 2 }))
      .filter((e) => e.j !== i)
      .sort((a, b) => a.d - b.d || a.j - b.j)
      .slice(0, k)
      .map((e) => e.j),
  );
}

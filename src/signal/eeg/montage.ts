/**
 * Electrode positions on the unit sphere and neighbourhoods between them.
 * Positions come from a BIDS electrodes.tsv when the dataset has one, or
 * from the standard 10-20 layout below otherwise (the mini-study places its
 * electrodes with the same table).
 */
import { InputError } from '../../core/errors.js';

export type Xyz = [number, number, number];

/** Approximate 10-20 positions: inclination from Cz and azimuth (degrees, 0 = right ear, 90 = nose). */
const POSITIONS: Record<string, [number, number]> = {
  Fp1: [90, 108],
  Fp2: [90, 72],
  AF3: [74, 113],
  AF4: [74, 67],
  F7: [90, 144],
  F3: [60, 130],
  Fz: [45, 90],
  F4: [60, 50],
  F8: [90, 36],
  FC5: [69, 159],
  FC1: [34, 135],
  FC2: [34, 45],
  FC6: [69, 21],
  T7: [90, 180],
  C3: [45, 180],
  Cz: [0, 0],
  C4: [45, 0],
  T8: [90, 0],
  CP5: [69, 201],
  CP1: [34, 225],
  CP2: [34, 315],
  CP6: [69, 339],
  P7: [90, 216],
  P3: [60, 230],
  Pz: [45, 270],
  P4: [60, 310],
  P8: [90, 324],
  PO3: [74, 247],
  PO4: [74, 293],
  O1: [90, 252],
  Oz: [90, 270],
  O2: [90, 288],
};
export const MONTAGE_32 = [
  'Fp1',
  'AF3',
  'F7',
  'F3',
  'FC1',
  'FC5',
  'T7',
  'C3',
  'CP1',
  'CP5',
  'P7',
  'P3',
  'Pz',
  'PO3',
  'O1',
  'Oz',
  'O2',
  'PO4',
  'P4',
  'P8',
  'CP6',
  'CP2',
  'C4',
  'T8',
  'FC6',
  'FC2',
  'F4',
  'F8',
  'AF4',
  'Fp2',
  'Fz',
  'Cz',
];
export const MONTAGE_16 = ['Fp1', 'Fp2', 'F3', 'Fz', 'F4', 'T7', 'C3', 'Cz', 'C4', 'T8', 'P3', 'Pz', 'P4', 'O1', 'Oz', 'O2'];

/** Unit-sphere position (x right, y front, z up) of a 10-20 electrode. */
export function electrodeXyz(name: string): [number, number, number] {
  const p = POSITIONS[name];
  if (!p) throw new InputError('electrodes', `no standard 10-20 position for channel ${name}; give an electrodes.tsv`);
  const th = (p[0] * Math.PI) / 180;
  const ph = (p[1] * Math.PI) / 180;
  return [Math.sin(th) * Math.cos(ph), Math.sin(th) * Math.sin(ph), Math.cos(th)];
}

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

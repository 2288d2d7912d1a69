/**
 * The synthetic head: a voxel grid with an ellipsoidal brain and an atlas of
 * auditory regions laid out bilaterally along a temporal-lobe-like geometry.
 * A1 sits medially on the superior temporal plane (Heschl's gyrus), the belt
 * wraps around it, the parabelt lies lateral to the belt, and T2/T3 runs
 * inferior-lateral along the superior temporal sulcus, elongated
 * antero-posteriorly. The control region is occipital (non-auditory).
 */

export const ROI_NAMES = ['A1', 'Belt', 'Parabelt', 'T2/T3', 'Control'] as const;
export type RoiName = (typeof ROI_NAMES)[number];

export interface BrainLayout {
  dims: [number, number, number];
  voxelMm: number;
  /** 4×4 row-major voxel→RAS (mm), origin at the grid centre. */
  affine: Float64Array;
  /** 1 inside the brain, 0 outside; x-fastest. */
  mask: Uint8Array;
  /** 0 = none, i+1 = ROI_NAMES[i]; x-fastest. */
  atlas: Uint8Array;
  /** Hemisphere of each voxel: −1 left, +1 right (by x). */
  hemi: Int8Array;
  /** Baseline image intensity (arbitrary scanner units): ~1000 in brain with a smooth bias field. */
  baseline: Float32Array;
}

/** Voxel index of (i, j, k) with x fastest. */
export const voxelIndex = (dims: readonly number[], i: number, j: number, k: number): number => i + dims[0] * (j + dims[1] * k);

/**
 * Build the grid, affine, brain mask, atlas and baseline intensity for a grid
 * of `dims` voxels of `voxelMm` mm. Geometry is defined in normalised head
 * coordinates (−1..1 per axis), so it scales with the grid.
 */
export function buildLayout(dims: [number, number, number], voxelMm: number): BrainLayout {
  const [nx, ny, nz] = dims;
  const nv = nx * ny * nz;
  const affine = new Float64Array([
    voxelMm,
    0,
    0,
    (-(nx - 1) / 2) * voxelMm,
    0,
    voxelMm,
    0,
    (-(ny - 1) / 2) * voxelMm,
    0,
    0,
    voxelMm,
    (-(nz - 1) / 2) * voxelMm,
    0,
    0,
    0,
    1,
  ]);
  const mask = new Uint8Array(nv);
  const atlas = new Uint8Array(nv);
  const hemi = new Int8Array(nv);
  const baseline = new Float32Array(nv);
  // Normalised coordinates of voxel centres: x left→right, y posterior→anterior, z inferior→superior.
  const nc = (i: number, n: number): number => (2 * (i + 0.5)) / n - 1;
  const inEllipsoid = (p: number[], c: number[], r: number[]): number =>
    ((p[0] - c[0]) / r[0]) ** 2 + ((p[1] - c[1]) / r[1]) ** 2 + ((p[2] - c[2]) / r[2]) ** 2;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const v = voxelIndex(dims, i, j, k);
        const p = [nc(i, nx), nc(j, ny), nc(k, nz)];
        const inBrain = inEllipsoid(p, [0, 0, 0], [0.88, 0.9, 0.9]) <= 1;
        hemi[v] = p[0] < 0 ? -1 : 1;
        if (!inBrain) {
          baseline[v] = 40;
          continue;
        }
        mask[v] = 1;
        baseline[v] = 1000 * (1 + 0.08 * p[2] - 0.05 * p[0] * p[0] + 0.04 * p[1]);
        const ax = Math.abs(p[0]);
        const q = [ax, p[1], p[2]];
        // Region tests in priority order; the first match wins.
        let roi = 0;
        if (inEllipsoid(q, [0.45, -0.05, -0.05], [0.16, 0.17, 0.16]) <= 1)
          roi = 1; // A1
        else if (inEllipsoid(q, [0.5, -0.05, -0.05], [0.24, 0.3, 0.2]) <= 1)
          roi = 2; // Belt
        else if (inEllipsoid(q, [0.7, -0.05, -0.12], [0.13, 0.38, 0.2]) <= 1)
          roi = 3; // Parabelt
        else if (inEllipsoid(q, [0.7, 0.0, -0.42], [0.16, 0.6, 0.17]) <= 1)
          roi = 4; // T2/T3 (STS/MTG)
        else if (inEllipsoid(p, [0, -0.72, 0.1], [0.28, 0.15, 0.25]) <= 1) roi = 5; // Control (occipital)
        atlas[v] = roi;
      }
    }
  }
  return { dims, voxelMm, affine, mask, atlas, hemi, baseline };
}

/** Number of voxels per ROI (index i ↔ ROI_NAMES[i]). */
export function roiSizes(layout: BrainLayout): number[] {
  const n = new Array<number>(ROI_NAMES.length).fill(0);
  for (const a of layout.atlas) if (a > 0) n[a - 1]++;
  return n;
}

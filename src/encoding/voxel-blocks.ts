/**
 * The voxel block of study-mode encoding: every GEMM over voxels (the ridge
 * CV batches, the refit, the test prediction) runs on blocks of this many
 * voxel columns starting at multiples of it, and voxel chunks
 * (voxel-chunks.ts) start on block boundaries. BLAS kernels round a column
 * differently depending on how many columns share a call (OpenBLAS edge and
 * small-N paths), so only equal blocks give equal bits; 256 keeps the GEMMs
 * wide enough to run at full speed and the mini-study's 440 voxels in two
 * blocks, so even it can be split.
 */
export const VOXEL_BLOCK = 256;

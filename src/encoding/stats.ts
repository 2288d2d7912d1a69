/**
 * The statistics toolbox of the encoding layer, in one import: correlations
 * (Pearson, Spearman, Kendall τa), autocorrelation-respecting permutation
 * tests, seeded percentile bootstrap, and Benjamini–Hochberg FDR.
 */
export { pearson, rankData, spearman, kendallTauA, kendallTauB } from './correlation.js';
export { pearsonColumns } from './correlate.js';
export { permutationTestR, nullTimeMap, phaseKernel, blockCount, MIN_BLOCKS } from './permutation.js';
export type { NullScheme, RoiSpec, PermutationOptions, PermutationResult } from './permutation.js';
export { bootstrapCi, bootstrapMeanCi, resampleIndices, quantileSorted7 } from './bootstrap.js';
export type { BootstrapCi, BootstrapOptions } from './bootstrap.js';
export { benjaminiHochberg } from './fdr.js';
export { binomialUpperTail } from './binomial.js';
export type { FdrResult } from './fdr.js';

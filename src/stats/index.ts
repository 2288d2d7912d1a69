/**
 * The statistics shared by encoding, decoding and scoring, in one import:
 * correlations (Pearson, Spearman, Kendall τa/τb), autocorrelation-respecting
 * permutation tests, seeded percentile bootstrap, Benjamini–Hochberg FDR and
 * the exact binomial tail. It sits below the science layers and imports only
 * core/ (and linalg/, whose GEMMs the frequency-domain phase null runs on), so
 * every one of them can use it. The column-wise Pearson of held-out
 * encoding scores stays with its scorer (encoding/correlate.ts), which shares
 * the ridge's moments.
 */
export { pearson, rankData, spearman, kendallTauA, kendallTauB } from './correlation.js';
export { permutationTestR, nullTimeMap, phaseKernel, blockCount, MIN_BLOCKS } from './permutation.js';
export type { NullScheme, RoiSpec, PermutationOptions, PermutationResult } from './permutation.js';
export { phaseNullTestR } from './phase-null.js';
export type { PhaseNullOptions } from './phase-null.js';
export { bootstrapCi, bootstrapMeanCi, resampleIndices, quantileSorted7 } from './bootstrap.js';
export type { BootstrapCi, BootstrapOptions } from './bootstrap.js';
export { benjaminiHochberg } from './fdr.js';
export { binomialUpperTail } from './binomial.js';
export type { FdrResult } from './fdr.js';

/* Batch-norm pieces shared by nn_batchnorm.c and nn_bnrelu.c. */
#ifndef BRAINALIGN_NN_BN_H
#define BRAINALIGN_NN_BN_H
#include <stdint.h>

/*
 * Biased batch mean and variance per channel of x [rows, c], two-pass, with
 * channel sums in double over blocks of `block` rows combined in block order
 * (so the result does not depend on `threads`). 0 when out of memory.
 */
int bn_batch_moments(const float *x, int64_t rows, int64_t c, int64_t block, int threads, float *mean, float *var);

#endif

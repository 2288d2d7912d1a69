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

/* out[k] = Σ_t part[t·len + k] over `tasks` per-task partials, added in task order. */
void bn_combine(const double *part, int64_t tasks, int64_t len, double *out);

/*
 * From the channel sums Σg and Σg·x̂ over n values: dβ, dγ, and the
 * per-channel coefficients of dx = p·g − q·(x − μ) − s, i.e. p = γr,
 * q = γr²·dγ/n, s = γr·dβ/n with r = 1/√(σ² + ε) given as inv.
 */
void bn_grad_coefficients(const double *sg, const double *sgx, const float *gamma, const float *inv, int64_t c, int64_t n, float *dgamma, float *dbeta,
                          float *p, float *q, float *s);

#endif

/*
 * Training-mode batch normalisation over the rows of an NHWC tensor seen as
 * [rows, C] (rows = N·H·W), forward and backward in two passes each. The
 * op-by-op route on wasm runs ~18 full-size elementwise kernels per layer and
 * step; here each pass reads the tensor once. Channel sums accumulate in
 * double, so results agree with the float32 op route to rounding.
 *
 * forward:  μ = mean x, σ² = mean (x − μ)² (biased), r = 1/√(σ² + ε),
 *           y = γ·(x − μ)·r + β
 * backward: x̂ = (x − μ)·r, dβ = Σ dy, dγ = Σ dy·x̂,
 *           dx = γ·r·(dy − dβ/n − x̂·dγ/n)
 */
#include <node_api.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "nn.h"
#include "nn_util.h"
#include "nn_pool.h"
#include "nn_bn.h"

/*
 * Work is split into blocks of rows fixed by the channel count (≥ 256 Ki
 * floats each), and channel sums are combined from per-block partials in
 * block order, so results do not depend on the thread count.
 */
typedef struct {
  const float *x, *dy;
  float *y;           /* y (forward) or dx (backward) */
  const float *mu_in; /* backward: the forward pass's mean */
  int64_t c, rows, block, tasks;
  double *part; /* per-task channel sums */
  float *mu, *p, *q, *s, *inv;
} bn_job;

static int64_t block_rows(int64_t c) {
  const int64_t b = ((int64_t)1 << 18) / c;
  return b > 0 ? b : 1;
}

static void task_rows(const bn_job *j, int64_t t, int64_t *r0, int64_t *r1) {
  *r0 = t * j->block;
  *r1 = *r0 + j->block < j->rows ? *r0 + j->block : j->rows;
}

/* out[k] = Σ_t part[t·len + k], in task order. */
void bn_combine(const double *part, int64_t tasks, int64_t len, double *out) {
  for (int64_t k = 0; k < len; k++) out[k] = 0;
  for (int64_t t = 0; t < tasks; t++)
    for (int64_t k = 0; k < len; k++) out[k] += part[t * len + k];
}

/*
 * Per block and channel: Σ x (j->mu NULL) or Σ (x − μ)² (the second pass of
 * the two-pass variance). With few channels a row is too short a loop to
 * vectorise, so rows are taken `span` at a time as one flat run of lanes
 * (lane i holds channel i mod c) and the lanes are folded into channels at
 * the end of the block.
 */
#define LANES 32
static void moment_task(void *ctx, int64_t t) {
  const bn_job *j = (const bn_job *)ctx;
  int64_t r0, r1;
  task_rows(j, t, &r0, &r1);
  const int64_t c = j->c;
  double *acc = j->part + t * c;
  for (int64_t k = 0; k < c; k++) acc[k] = 0;
  const int64_t span = c < 16 ? (16 + c - 1) / c : 1, width = span * c;
  double lane[LANES];
  float mu[LANES];
  if (span > 1) {
    for (int64_t i = 0; i < width; i++) {
      lane[i] = 0;
      mu[i] = j->mu ? j->mu[i % c] : 0.f;
    }
  }
  int64_t r = r0;
  if (span > 1) {
    for (; r + span <= r1; r += span) {
      const float *xr = j->x + r * c;
      if (!j->mu) {
        for (int64_t i = 0; i < width; i++) lane[i] += xr[i];
      } else {
        for (int64_t i = 0; i < width; i++) { const double d = (double)(xr[i] - mu[i]); lane[i] += d * d; }
      }
    }
    for (int64_t i = 0; i < width; i++) acc[i % c] += lane[i];
  }
  for (; r < r1; r++) {
    const float *xr = j->x + r * c;
    if (!j->mu) {
      for (int64_t k = 0; k < c; k++) acc[k] += xr[k];
    } else {
      for (int64_t k = 0; k < c; k++) { const double d = (double)(xr[k] - j->mu[k]); acc[k] += d * d; }
    }
  }
}

/* y = x·p + q per channel (p = scale, q = shift). */
static void affine_task(void *ctx, int64_t t) {
  const bn_job *j = (const bn_job *)ctx;
  int64_t r0, r1;
  task_rows(j, t, &r0, &r1);
  for (int64_t r = r0; r < r1; r++) {
    const float *xr = j->x + r * j->c;
    float *yr = j->y + r * j->c;
    for (int64_t k = 0; k < j->c; k++) yr[k] = xr[k] * j->p[k] + j->q[k];
  }
}

/* Per block: Σ dy and Σ dy·x̂ per channel, side by side in the block's 2c partials. */
static void grad_sum_task(void *ctx, int64_t t) {
  const bn_job *j = (const bn_job *)ctx;
  int64_t r0, r1;
  task_rows(j, t, &r0, &r1);
  const int64_t c = j->c;
  double *sdy = j->part + t * 2 * c, *sdyx = sdy + c;
  for (int64_t k = 0; k < 2 * c; k++) sdy[k] = 0;
  for (int64_t r = r0; r < r1; r++) {
    const float *dr = j->dy + r * c, *xr = j->x + r * c;
    for (int64_t k = 0; k < c; k++) {
      sdy[k] += dr[k];
      sdyx[k] += (double)dr[k] * (double)((xr[k] - j->mu_in[k]) * j->inv[k]);
    }
  }
}

static void grad_apply_task(void *ctx, int64_t t) {
  const bn_job *j = (const bn_job *)ctx;
  int64_t r0, r1;
  task_rows(j, t, &r0, &r1);
  const int64_t c = j->c;
  for (int64_t r = r0; r < r1; r++) {
    const float *dr = j->dy + r * c, *xr = j->x + r * c;
    float *o = j->y + r * c;
    for (int64_t k = 0; k < c; k++) o[k] = j->p[k] * dr[k] - j->q[k] * (xr[k] - j->mu_in[k]) - j->s[k];
  }
}

int bn_batch_moments(const float *x, int64_t rows, int64_t c, int64_t block, int threads, float *mean, float *var) {
  bn_job j = {x, NULL, NULL, NULL, c, rows, block, (rows + block - 1) / block, NULL, NULL, NULL, NULL, NULL, NULL};
  double *part = (double *)malloc(sizeof(double) * (size_t)(j.tasks * c));
  double *acc = (double *)malloc(sizeof(double) * (size_t)c);
  if (!part || !acc) {
    free(part); free(acc);
    return 0;
  }
  j.part = part;
  pool_run(threads, j.tasks, moment_task, &j);
  bn_combine(part, j.tasks, c, acc);
  for (int64_t k = 0; k < c; k++) mean[k] = (float)(acc[k] / (double)rows);
  /* Two-pass variance: no cancellation when |μ| ≫ σ (log-mel dB inputs). */
  j.mu = mean;
  pool_run(threads, j.tasks, moment_task, &j);
  bn_combine(part, j.tasks, c, acc);
  for (int64_t k = 0; k < c; k++) var[k] = (float)(acc[k] / (double)rows);
  free(part); free(acc);
  return 1;
}

void bn_grad_coefficients(const double *sg, const double *sgx, const float *gamma, const float *inv, int64_t c, int64_t n, float *dgamma, float *dbeta,
                          float *p, float *q, float *s) {
  for (int64_t k = 0; k < c; k++) {
    dbeta[k] = (float)sg[k];
    dgamma[k] = (float)sgx[k];
    const double gr = (double)gamma[k] * (double)inv[k];
    p[k] = (float)gr;
    q[k] = (float)(gr * (double)inv[k] * sgx[k] / (double)n);
    s[k] = (float)(gr * sg[k] / (double)n);
  }
}

/* bnForward(x, gamma, beta, y, mean, variance, rows, eps, threads): variance is the biased batch variance. */
static napi_value js_bn_forward(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 9) {
    napi_throw_error(env, NULL, "bnForward: 9 arguments expected");
    return NULL;
  }
  f32view X, G, B, Y, M, R;
  int32_t rows, threads;
  double eps;
  if (!get_f32(env, argv[0], &X, "bnForward: x must be a Float32Array") || !get_f32(env, argv[1], &G, "bnForward: gamma must be a Float32Array") ||
      !get_f32(env, argv[2], &B, "bnForward: beta must be a Float32Array") || !get_f32(env, argv[3], &Y, "bnForward: y must be a Float32Array") ||
      !get_f32(env, argv[4], &M, "bnForward: mean must be a Float32Array") || !get_f32(env, argv[5], &R, "bnForward: variance must be a Float32Array") ||
      !get_int(env, argv[6], &rows) || napi_get_value_double(env, argv[7], &eps) != napi_ok || !get_int(env, argv[8], &threads))
    return NULL;
  const int64_t c = (int64_t)G.length;
  if (rows < 1 || c < 1 || !fits(env, &X, rows * c, "bnForward: x too short") || !fits(env, &Y, rows * c, "bnForward: y too short") ||
      !fits(env, &B, c, "bnForward: beta too short") || !fits(env, &M, c, "bnForward: mean too short") || !fits(env, &R, c, "bnForward: variance too short"))
    return NULL;
  float *scale = (float *)malloc(sizeof(float) * (size_t)c);
  float *shift = (float *)malloc(sizeof(float) * (size_t)c);
  if (!scale || !shift || !bn_batch_moments(X.data, rows, c, block_rows(c), threads, M.data, R.data)) {
    free(scale); free(shift);
    napi_throw_error(env, NULL, "bnForward: out of memory");
    return NULL;
  }
  for (int64_t k = 0; k < c; k++) {
    const float inv = 1.0f / sqrtf(R.data[k] + (float)eps);
    scale[k] = G.data[k] * inv;
    shift[k] = B.data[k] - M.data[k] * scale[k];
  }
  bn_job j = {X.data, NULL, Y.data, NULL, c, rows, block_rows(c), 0, NULL, NULL, scale, shift, NULL, NULL};
  j.tasks = (rows + j.block - 1) / j.block;
  pool_run(threads, j.tasks, affine_task, &j);
  free(scale); free(shift);
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/* bnBackward(dy, x, mean, variance, gamma, dx, dgamma, dbeta, rows, eps, threads) */
static napi_value js_bn_backward(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 11) {
    napi_throw_error(env, NULL, "bnBackward: 11 arguments expected");
    return NULL;
  }
  f32view DY, X, M, R, G, DX, DG, DB;
  int32_t rows, threads;
  double eps;
  if (!get_f32(env, argv[0], &DY, "bnBackward: dy must be a Float32Array") || !get_f32(env, argv[1], &X, "bnBackward: x must be a Float32Array") ||
      !get_f32(env, argv[2], &M, "bnBackward: mean must be a Float32Array") || !get_f32(env, argv[3], &R, "bnBackward: variance must be a Float32Array") ||
      !get_f32(env, argv[4], &G, "bnBackward: gamma must be a Float32Array") || !get_f32(env, argv[5], &DX, "bnBackward: dx must be a Float32Array") ||
      !get_f32(env, argv[6], &DG, "bnBackward: dgamma must be a Float32Array") || !get_f32(env, argv[7], &DB, "bnBackward: dbeta must be a Float32Array") ||
      !get_int(env, argv[8], &rows) || napi_get_value_double(env, argv[9], &eps) != napi_ok || !get_int(env, argv[10], &threads))
    return NULL;
  const int64_t c = (int64_t)G.length;
  if (rows < 1 || c < 1 || !fits(env, &DY, rows * c, "bnBackward: dy too short") || !fits(env, &X, rows * c, "bnBackward: x too short") ||
      !fits(env, &DX, rows * c, "bnBackward: dx too short") || !fits(env, &M, c, "bnBackward: mean too short") ||
      !fits(env, &R, c, "bnBackward: variance too short") || !fits(env, &DG, c, "bnBackward: dgamma too short") ||
      !fits(env, &DB, c, "bnBackward: dbeta too short"))
    return NULL;
  bn_job j = {X.data, DY.data, DX.data, M.data, c, rows, block_rows(c), 0, NULL, NULL, NULL, NULL, NULL, NULL};
  j.tasks = (rows + j.block - 1) / j.block;
  double *part = (double *)malloc(sizeof(double) * (size_t)(j.tasks * 2 * c));
  double *sdy = (double *)malloc(sizeof(double) * (size_t)(2 * c));
  float *a = (float *)malloc(sizeof(float) * (size_t)(4 * c));
  if (!part || !sdy || !a) {
    free(part); free(sdy); free(a);
    napi_throw_error(env, NULL, "bnBackward: out of memory");
    return NULL;
  }
  double *sdyx = sdy + c;
  /* The same r = 1/√(σ² + ε) as the forward pass computed. */
  float *inv = a + 3 * c;
  for (int64_t k = 0; k < c; k++) inv[k] = 1.0f / sqrtf(R.data[k] + (float)eps);
  j.part = part;
  j.inv = inv;
  pool_run(threads, j.tasks, grad_sum_task, &j);
  bn_combine(part, j.tasks, 2 * c, sdy);
  float *p = a, *q = a + c, *s = a + 2 * c;
  bn_grad_coefficients(sdy, sdyx, G.data, inv, c, rows, DG.data, DB.data, p, q, s);
  j.p = p;
  j.q = q;
  j.s = s;
  pool_run(threads, j.tasks, grad_apply_task, &j);
  free(part); free(sdy); free(a);
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

int nn_batchnorm_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"bnForward", NULL, js_bn_forward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"bnBackward", NULL, js_bn_backward, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) == napi_ok;
}

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

/* bnForward(x, gamma, beta, y, mean, variance, rows, eps): variance is the biased batch variance. */
static napi_value js_bn_forward(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 8) {
    napi_throw_error(env, NULL, "bnForward: 8 arguments expected");
    return NULL;
  }
  f32view X, G, B, Y, M, R;
  int32_t rows;
  double eps;
  if (!get_f32(env, argv[0], &X, "bnForward: x must be a Float32Array") || !get_f32(env, argv[1], &G, "bnForward: gamma must be a Float32Array") ||
      !get_f32(env, argv[2], &B, "bnForward: beta must be a Float32Array") || !get_f32(env, argv[3], &Y, "bnForward: y must be a Float32Array") ||
      !get_f32(env, argv[4], &M, "bnForward: mean must be a Float32Array") || !get_f32(env, argv[5], &R, "bnForward: variance must be a Float32Array") ||
      !get_int(env, argv[6], &rows) || napi_get_value_double(env, argv[7], &eps) != napi_ok)
    return NULL;
  const int64_t c = (int64_t)G.length;
  if (rows < 1 || c < 1 || !fits(env, &X, rows * c, "bnForward: x too short") || !fits(env, &Y, rows * c, "bnForward: y too short") ||
      !fits(env, &B, c, "bnForward: beta too short") || !fits(env, &M, c, "bnForward: mean too short") || !fits(env, &R, c, "bnForward: variance too short"))
    return NULL;
  double *acc = (double *)calloc((size_t)c, sizeof(double));
  float *mu = (float *)malloc(sizeof(float) * (size_t)c);
  float *scale = (float *)malloc(sizeof(float) * (size_t)c);
  float *shift = (float *)malloc(sizeof(float) * (size_t)c);
  if (!acc || !mu || !scale || !shift) {
    free(acc); free(mu); free(scale); free(shift);
    napi_throw_error(env, NULL, "bnForward: out of memory");
    return NULL;
  }
  const float *x = X.data;
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * c;
    for (int64_t k = 0; k < c; k++) acc[k] += xr[k];
  }
  for (int64_t k = 0; k < c; k++) { mu[k] = (float)(acc[k] / (double)rows); acc[k] = 0; }
  /* Two-pass variance: no cancellation when |μ| ≫ σ (log-mel dB inputs). */
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * c;
    for (int64_t k = 0; k < c; k++) { const double d = (double)(xr[k] - mu[k]); acc[k] += d * d; }
  }
  for (int64_t k = 0; k < c; k++) {
    const float var = (float)(acc[k] / (double)rows);
    const float inv = 1.0f / sqrtf(var + (float)eps);
    M.data[k] = mu[k];
    R.data[k] = var;
    scale[k] = G.data[k] * inv;
    shift[k] = B.data[k] - mu[k] * scale[k];
  }
  float *y = Y.data;
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * c;
    float *yr = y + r * c;
    for (int64_t k = 0; k < c; k++) yr[k] = xr[k] * scale[k] + shift[k];
  }
  free(acc); free(mu); free(scale); free(shift);
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/* bnBackward(dy, x, mean, variance, gamma, dx, dgamma, dbeta, rows, eps) */
static napi_value js_bn_backward(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 10) {
    napi_throw_error(env, NULL, "bnBackward: 10 arguments expected");
    return NULL;
  }
  f32view DY, X, M, R, G, DX, DG, DB;
  int32_t rows;
  double eps;
  if (!get_f32(env, argv[0], &DY, "bnBackward: dy must be a Float32Array") || !get_f32(env, argv[1], &X, "bnBackward: x must be a Float32Array") ||
      !get_f32(env, argv[2], &M, "bnBackward: mean must be a Float32Array") || !get_f32(env, argv[3], &R, "bnBackward: variance must be a Float32Array") ||
      !get_f32(env, argv[4], &G, "bnBackward: gamma must be a Float32Array") || !get_f32(env, argv[5], &DX, "bnBackward: dx must be a Float32Array") ||
      !get_f32(env, argv[6], &DG, "bnBackward: dgamma must be a Float32Array") || !get_f32(env, argv[7], &DB, "bnBackward: dbeta must be a Float32Array") ||
      !get_int(env, argv[8], &rows) || napi_get_value_double(env, argv[9], &eps) != napi_ok)
    return NULL;
  const int64_t c = (int64_t)G.length;
  if (rows < 1 || c < 1 || !fits(env, &DY, rows * c, "bnBackward: dy too short") || !fits(env, &X, rows * c, "bnBackward: x too short") ||
      !fits(env, &DX, rows * c, "bnBackward: dx too short") || !fits(env, &M, c, "bnBackward: mean too short") ||
      !fits(env, &R, c, "bnBackward: variance too short") || !fits(env, &DG, c, "bnBackward: dgamma too short") ||
      !fits(env, &DB, c, "bnBackward: dbeta too short"))
    return NULL;
  double *sdy = (double *)calloc((size_t)(2 * c), sizeof(double));
  float *a = (float *)malloc(sizeof(float) * (size_t)(4 * c));
  if (!sdy || !a) {
    free(sdy); free(a);
    napi_throw_error(env, NULL, "bnBackward: out of memory");
    return NULL;
  }
  double *sdyx = sdy + c;
  /* The same r = 1/√(σ² + ε) as the forward pass computed. */
  float *inv = a + 3 * c;
  for (int64_t k = 0; k < c; k++) inv[k] = 1.0f / sqrtf(R.data[k] + (float)eps);
  const float *dy = DY.data, *x = X.data, *mu = M.data;
  for (int64_t r = 0; r < rows; r++) {
    const float *dr = dy + r * c, *xr = x + r * c;
    for (int64_t k = 0; k < c; k++) {
      sdy[k] += dr[k];
      sdyx[k] += (double)dr[k] * (double)((xr[k] - mu[k]) * inv[k]);
    }
  }
  /* dx = p·dy − q·(x − μ) − s per channel, with p = γr, q = γr²·dγ/n, s = γr·dβ/n. */
  float *p = a, *q = a + c, *s = a + 2 * c;
  for (int64_t k = 0; k < c; k++) {
    DB.data[k] = (float)sdy[k];
    DG.data[k] = (float)sdyx[k];
    const double gr = (double)G.data[k] * (double)inv[k];
    p[k] = (float)gr;
    q[k] = (float)(gr * (double)inv[k] * sdyx[k] / (double)rows);
    s[k] = (float)(gr * sdy[k] / (double)rows);
  }
  float *dx = DX.data;
  for (int64_t r = 0; r < rows; r++) {
    const float *dr = dy + r * c, *xr = x + r * c;
    float *o = dx + r * c;
    for (int64_t k = 0; k < c; k++) o[k] = p[k] * dr[k] - q[k] * (xr[k] - mu[k]) - s[k];
  }
  free(sdy); free(a);
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

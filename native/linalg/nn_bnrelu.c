/*
 * Training-mode batch norm, ReLU and max-pooling along the width, fused: the
 * layer tail of the EEG encoder (conv → BN → ReLU → 1×k max-pool) and of
 * BAN's blocks (k = 1). The op-by-op route writes the normalised and the
 * rectified tensor in full and reads them back for pooling; its backward pass
 * scatters the pooled gradient into a full tensor, masks it, then runs batch
 * norm's two passes. Here the forward pass writes only the pooled output and
 * the backward pass two passes over x, recomputing each window's winner from
 * x instead of storing it.
 *
 * x is [lines, w, c] (lines = N·H). a = γ·(x − μ)/√(σ² + ε) + β as
 * a = x·scale + shift; y[wo] = max(0, max over the window's k taps of a).
 * The gradient goes to the window's first largest a (tfjs's max-pool rule)
 * when that a is positive (ReLU's), then through batch norm:
 *   dβ = Σ g, dγ = Σ g·x̂, dx = γr·(g − dβ/n − x̂·dγ/n)
 * with g the routed gradient, zero off the winners and in the width's tail
 * that no window covers.
 */
#include <node_api.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "nn.h"
#include "nn_util.h"
#include "nn_pool.h"
#include "nn_bn.h"

typedef struct {
  const float *x, *dy;
  float *out; /* pooled y (forward) or dx (backward) */
  int64_t w, c, k, wo, lines, block, tasks;
  const float *scale, *shift, *mu, *inv; /* per channel */
  const float *p, *q, *s;                /* backward: dx = p·g − q·(x − μ) − s */
  double *part;                          /* per-task Σg and Σg·x̂ */
} tail_job;

/* Lines per task: about 64 Ki floats, so that two threads share even small layers. */
static int64_t block_lines(int64_t w, int64_t c) {
  const int64_t b = ((int64_t)1 << 16) / (w * c);
  return b > 0 ? b : 1;
}

static void task_lines(const tail_job *j, int64_t t, int64_t *l0, int64_t *l1) {
  *l0 = t * j->block;
  *l1 = *l0 + j->block < j->lines ? *l0 + j->block : j->lines;
}

/*
 * The per-line loops are written once with the channel count as a parameter
 * and instantiated for the common widths, where the constant lets the
 * compiler keep a window's running maxima in registers and vectorise across
 * channels; the generic instance serves the rest. Without pooling (k = 1)
 * every position is its own window and the loops are plain elementwise ones.
 */
#define ALWAYS_INLINE static inline __attribute__((always_inline))
#define MAX_CH 4096

/*
 * Branch-free selections: which tap wins and whether ReLU passes are
 * data-dependent coin flips, and as branches they cost more than the
 * arithmetic (4× on random inputs); as masks they also vectorise.
 */
ALWAYS_INLINE uint32_t bits_of(float v) {
  uint32_t u;
  memcpy(&u, &v, sizeof u);
  return u;
}

ALWAYS_INLINE float float_of(uint32_t u) {
  float v;
  memcpy(&v, &u, sizeof v);
  return v;
}

/* cond ? a : b for cond ∈ {0, 1}. */
ALWAYS_INLINE float pick(int cond, float a, float b) {
  const uint32_t m = (uint32_t)0 - (uint32_t)cond;
  return float_of((bits_of(a) & m) | (bits_of(b) & ~m));
}

ALWAYS_INLINE int32_t pick_i(int cond, int32_t a, int32_t b) {
  const int32_t m = -(int32_t)cond;
  return (a & m) | (b & ~m);
}

/* Per channel, the window's winner (first largest a): its a, tap and x. */
ALWAYS_INLINE void window_max(const tail_job *j, const float *restrict xw, float *restrict best, int32_t *restrict at, float *restrict bx, const int64_t c) {
  for (int64_t ch = 0; ch < c; ch++) {
    best[ch] = xw[ch] * j->scale[ch] + j->shift[ch];
    at[ch] = 0;
    bx[ch] = xw[ch];
  }
  for (int64_t q = 1; q < j->k; q++) {
    const float *xq = xw + q * c;
    for (int64_t ch = 0; ch < c; ch++) {
      const float a = xq[ch] * j->scale[ch] + j->shift[ch];
      const int more = a > best[ch];
      best[ch] = a > best[ch] ? a : best[ch];
      at[ch] = pick_i(more, (int32_t)q, at[ch]);
      bx[ch] = pick(more, xq[ch], bx[ch]);
    }
  }
}

ALWAYS_INLINE void forward_line(const tail_job *j, int64_t l, const int64_t c) {
  float best[MAX_CH], bx[MAX_CH];
  int32_t at[MAX_CH];
  for (int64_t o = 0; o < j->wo; o++) {
    window_max(j, j->x + (l * j->w + o * j->k) * c, best, at, bx, c);
    float *y = j->out + (l * j->wo + o) * c;
    for (int64_t ch = 0; ch < c; ch++) y[ch] = pick(best[ch] > 0.f, best[ch], 0.f);
  }
}

/* Σg and Σg·x̂ per channel over one line's windows, into sg[0, c) and sg[c, 2c). */
ALWAYS_INLINE void grad_sum_line(const tail_job *j, int64_t l, double *restrict sg, const int64_t c) {
  float best[MAX_CH], bx[MAX_CH];
  int32_t at[MAX_CH];
  for (int64_t o = 0; o < j->wo; o++) {
    const float *dy = j->dy + (l * j->wo + o) * c;
    window_max(j, j->x + (l * j->w + o * j->k) * c, best, at, bx, c);
    for (int64_t ch = 0; ch < c; ch++) {
      const float g = pick(best[ch] > 0.f, dy[ch], 0.f);
      sg[ch] += g;
      sg[c + ch] += (double)g * (double)((bx[ch] - j->mu[ch]) * j->inv[ch]);
    }
  }
}

ALWAYS_INLINE void grad_apply_line(const tail_job *j, int64_t l, const int64_t c) {
  const int64_t k = j->k;
  float best[MAX_CH], bx[MAX_CH];
  int32_t at[MAX_CH];
  for (int64_t o = 0; o < j->wo; o++) {
    const int64_t off = (l * j->w + o * k) * c;
    const float *xw = j->x + off;
    const float *dy = j->dy + (l * j->wo + o) * c;
    float *dx = j->out + off;
    window_max(j, xw, best, at, bx, c);
    for (int64_t q = 0; q < k; q++)
      for (int64_t ch = 0; ch < c; ch++) {
        const float g = pick((at[ch] == q) & (best[ch] > 0.f), dy[ch], 0.f);
        dx[q * c + ch] = j->p[ch] * g - j->q[ch] * (xw[q * c + ch] - j->mu[ch]) - j->s[ch];
      }
  }
  /* The width's tail beyond the last window gets batch norm's terms only. */
  for (int64_t i = j->wo * k * c; i < j->w * c; i++) {
    const int64_t ch = i % c;
    j->out[l * j->w * c + i] = -j->q[ch] * (j->x[l * j->w * c + i] - j->mu[ch]) - j->s[ch];
  }
}

/* k = 1: y = max(0, a) elementwise over the line's w positions. */
ALWAYS_INLINE void forward_line1(const tail_job *j, int64_t l, const int64_t c) {
  const float *restrict x = j->x + l * j->w * c;
  float *restrict y = j->out + l * j->w * c;
  for (int64_t o = 0; o < j->w; o++)
    for (int64_t ch = 0; ch < c; ch++) {
      const float a = x[o * c + ch] * j->scale[ch] + j->shift[ch];
      y[o * c + ch] = pick(a > 0.f, a, 0.f);
    }
}

ALWAYS_INLINE void grad_sum_line1(const tail_job *j, int64_t l, double *restrict sg, const int64_t c) {
  const float *restrict x = j->x + l * j->w * c;
  const float *restrict dy = j->dy + l * j->w * c;
  for (int64_t o = 0; o < j->w; o++)
    for (int64_t ch = 0; ch < c; ch++) {
      const float xv = x[o * c + ch];
      const float g = pick(xv * j->scale[ch] + j->shift[ch] > 0.f, dy[o * c + ch], 0.f);
      sg[ch] += g;
      sg[c + ch] += (double)g * (double)((xv - j->mu[ch]) * j->inv[ch]);
    }
}

ALWAYS_INLINE void grad_apply_line1(const tail_job *j, int64_t l, const int64_t c) {
  const float *restrict x = j->x + l * j->w * c;
  const float *restrict dy = j->dy + l * j->w * c;
  float *restrict dx = j->out + l * j->w * c;
  for (int64_t o = 0; o < j->w; o++)
    for (int64_t ch = 0; ch < c; ch++) {
      const float xv = x[o * c + ch];
      const float g = pick(xv * j->scale[ch] + j->shift[ch] > 0.f, dy[o * c + ch], 0.f);
      dx[o * c + ch] = j->p[ch] * g - j->q[ch] * (xv - j->mu[ch]) - j->s[ch];
    }
}

/* Run LINE(l, C) over the task's lines, C a constant for the common channel counts. */
#define OVER_LINES(LINE)                                                  \
  do {                                                                    \
    int64_t l0, l1;                                                       \
    task_lines(j, t, &l0, &l1);                                           \
    switch (j->c) {                                                       \
      case 4: for (int64_t l = l0; l < l1; l++) LINE(l, 4); break;        \
      case 8: for (int64_t l = l0; l < l1; l++) LINE(l, 8); break;        \
      case 16: for (int64_t l = l0; l < l1; l++) LINE(l, 16); break;      \
      case 32: for (int64_t l = l0; l < l1; l++) LINE(l, 32); break;      \
      case 64: for (int64_t l = l0; l < l1; l++) LINE(l, 64); break;      \
      default: for (int64_t l = l0; l < l1; l++) LINE(l, j->c); break;    \
    }                                                                     \
  } while (0)

static void forward_task(void *ctx, int64_t t) {
  const tail_job *j = (const tail_job *)ctx;
#define FWD(l, C) (j->k == 1 ? forward_line1(j, l, C) : forward_line(j, l, C))
  OVER_LINES(FWD);
#undef FWD
}

static void grad_sum_task(void *ctx, int64_t t) {
  const tail_job *j = (const tail_job *)ctx;
  double *sg = j->part + t * 2 * j->c;
  for (int64_t ch = 0; ch < 2 * j->c; ch++) sg[ch] = 0;
#define SUM(l, C) (j->k == 1 ? grad_sum_line1(j, l, sg, C) : grad_sum_line(j, l, sg, C))
  OVER_LINES(SUM);
#undef SUM
}

static void grad_apply_task(void *ctx, int64_t t) {
  const tail_job *j = (const tail_job *)ctx;
#define APPLY(l, C) (j->k == 1 ? grad_apply_line1(j, l, C) : grad_apply_line(j, l, C))
  OVER_LINES(APPLY);
#undef APPLY
}

/* geometry Int32Array [lines, w, c, k]; checks sizes of x (lines·w·c) and the pooled tensor (lines·⌊w/k⌋·c). */
static int tail_geometry(napi_env env, napi_value g, tail_job *j, const char *what) {
  int64_t d[4];
  if (!get_geom(env, g, d, 4, what)) return 0;
  j->lines = d[0];
  j->w = d[1];
  j->c = d[2];
  j->k = d[3];
  if (j->lines < 1 || j->w < 1 || j->c < 1 || j->c > MAX_CH || j->k < 1 || j->k > j->w) {
    napi_throw_range_error(env, NULL, what);
    return 0;
  }
  j->wo = j->w / j->k;
  j->block = block_lines(j->w, j->c);
  j->tasks = (j->lines + j->block - 1) / j->block;
  return 1;
}

/* scale = γ/√(σ² + ε), shift = β − μ·scale, as the forward pass and its backward pass both compute them. */
static void affine_of(const float *g, const float *b, const float *mu, const float *var, int64_t c, double eps, float *scale, float *shift, float *inv) {
  for (int64_t ch = 0; ch < c; ch++) {
    inv[ch] = 1.0f / sqrtf(var[ch] + (float)eps);
    scale[ch] = g[ch] * inv[ch];
    shift[ch] = b[ch] - mu[ch] * scale[ch];
  }
}

/* bnReluPoolForward(x, gamma, beta, y, mean, variance, geom [lines, w, c, k], eps, threads) */
static napi_value js_forward(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 9) {
    napi_throw_error(env, NULL, "bnReluPoolForward: 9 arguments expected");
    return NULL;
  }
  f32view X, G, B, Y, M, R;
  tail_job j = {0};
  int32_t threads;
  double eps;
  if (!get_f32(env, argv[0], &X, "bnReluPoolForward: x must be a Float32Array") ||
      !get_f32(env, argv[1], &G, "bnReluPoolForward: gamma must be a Float32Array") ||
      !get_f32(env, argv[2], &B, "bnReluPoolForward: beta must be a Float32Array") ||
      !get_f32(env, argv[3], &Y, "bnReluPoolForward: y must be a Float32Array") ||
      !get_f32(env, argv[4], &M, "bnReluPoolForward: mean must be a Float32Array") ||
      !get_f32(env, argv[5], &R, "bnReluPoolForward: variance must be a Float32Array") ||
      !tail_geometry(env, argv[6], &j, "bnReluPoolForward: geometry must be an Int32Array [lines, w, c, k] with 1 ≤ k ≤ w, c ≤ 4096") ||
      napi_get_value_double(env, argv[7], &eps) != napi_ok || !get_int(env, argv[8], &threads))
    return NULL;
  const int64_t c = j.c;
  if (!fits(env, &X, j.lines * j.w * c, "bnReluPoolForward: x too short") || !fits(env, &Y, j.lines * j.wo * c, "bnReluPoolForward: y too short") ||
      !fits(env, &G, c, "bnReluPoolForward: gamma too short") || !fits(env, &B, c, "bnReluPoolForward: beta too short") ||
      !fits(env, &M, c, "bnReluPoolForward: mean too short") || !fits(env, &R, c, "bnReluPoolForward: variance too short"))
    return NULL;
  float *a = (float *)malloc(sizeof(float) * (size_t)(3 * c));
  if (!a || !bn_batch_moments(X.data, j.lines * j.w, c, j.block * j.w, threads, M.data, R.data)) {
    free(a);
    napi_throw_error(env, NULL, "bnReluPoolForward: out of memory");
    return NULL;
  }
  affine_of(G.data, B.data, M.data, R.data, c, eps, a, a + c, a + 2 * c);
  j.x = X.data;
  j.out = Y.data;
  j.scale = a;
  j.shift = a + c;
  pool_run(threads, j.tasks, forward_task, &j);
  free(a);
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/* bnReluPoolBackward(dy, x, gamma, beta, mean, variance, dx, dgamma, dbeta, geom, eps, threads) */
static napi_value js_backward(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 12) {
    napi_throw_error(env, NULL, "bnReluPoolBackward: 12 arguments expected");
    return NULL;
  }
  f32view DY, X, G, B, M, R, DX, DG, DB;
  tail_job j = {0};
  int32_t threads;
  double eps;
  if (!get_f32(env, argv[0], &DY, "bnReluPoolBackward: dy must be a Float32Array") ||
      !get_f32(env, argv[1], &X, "bnReluPoolBackward: x must be a Float32Array") ||
      !get_f32(env, argv[2], &G, "bnReluPoolBackward: gamma must be a Float32Array") ||
      !get_f32(env, argv[3], &B, "bnReluPoolBackward: beta must be a Float32Array") ||
      !get_f32(env, argv[4], &M, "bnReluPoolBackward: mean must be a Float32Array") ||
      !get_f32(env, argv[5], &R, "bnReluPoolBackward: variance must be a Float32Array") ||
      !get_f32(env, argv[6], &DX, "bnReluPoolBackward: dx must be a Float32Array") ||
      !get_f32(env, argv[7], &DG, "bnReluPoolBackward: dgamma must be a Float32Array") ||
      !get_f32(env, argv[8], &DB, "bnReluPoolBackward: dbeta must be a Float32Array") ||
      !tail_geometry(env, argv[9], &j, "bnReluPoolBackward: geometry must be an Int32Array [lines, w, c, k] with 1 ≤ k ≤ w, c ≤ 4096") ||
      napi_get_value_double(env, argv[10], &eps) != napi_ok || !get_int(env, argv[11], &threads))
    return NULL;
  const int64_t c = j.c, n = j.lines * j.w;
  if (!fits(env, &X, n * c, "bnReluPoolBackward: x too short") || !fits(env, &DX, n * c, "bnReluPoolBackward: dx too short") ||
      !fits(env, &DY, j.lines * j.wo * c, "bnReluPoolBackward: dy too short") || !fits(env, &G, c, "bnReluPoolBackward: gamma too short") ||
      !fits(env, &B, c, "bnReluPoolBackward: beta too short") || !fits(env, &M, c, "bnReluPoolBackward: mean too short") ||
      !fits(env, &R, c, "bnReluPoolBackward: variance too short") || !fits(env, &DG, c, "bnReluPoolBackward: dgamma too short") ||
      !fits(env, &DB, c, "bnReluPoolBackward: dbeta too short"))
    return NULL;
  float *a = (float *)malloc(sizeof(float) * (size_t)(6 * c));
  double *part = (double *)malloc(sizeof(double) * (size_t)(j.tasks * 2 * c));
  double *sum = (double *)malloc(sizeof(double) * (size_t)(2 * c));
  if (!a || !part || !sum) {
    free(a); free(part); free(sum);
    napi_throw_error(env, NULL, "bnReluPoolBackward: out of memory");
    return NULL;
  }
  affine_of(G.data, B.data, M.data, R.data, c, eps, a, a + c, a + 2 * c);
  j.x = X.data;
  j.dy = DY.data;
  j.out = DX.data;
  j.scale = a;
  j.shift = a + c;
  j.inv = a + 2 * c;
  j.mu = M.data;
  j.part = part;
  pool_run(threads, j.tasks, grad_sum_task, &j);
  bn_combine(part, j.tasks, 2 * c, sum);
  float *p = a + 3 * c, *q = a + 4 * c, *s = a + 5 * c;
  bn_grad_coefficients(sum, sum + c, G.data, j.inv, c, n, DG.data, DB.data, p, q, s);
  j.p = p;
  j.q = q;
  j.s = s;
  pool_run(threads, j.tasks, grad_apply_task, &j);
  free(a); free(part); free(sum);
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

int nn_bnrelu_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"bnReluPoolForward", NULL, js_forward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"bnReluPoolBackward", NULL, js_backward, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) == napi_ok;
}

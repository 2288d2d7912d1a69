/*
 * One Adam update of one variable in a single pass, replacing the ~12
 * elementwise kernels (and their tensors) that tfjs's AdamOptimizer runs per
 * variable and step. The float32 operations are tfjs's, in tfjs's order, each
 * rounded to float32 (no contraction: -std=c11 turns it off), so the result
 * is the same bits as tf.train.adam on the wasm backend:
 *   m' = m·β1 + g·(1−β1)            v' = v·β2 + g²·(1−β2)
 *   p' = (m'/(1−β1ᵗ)) / (√(v'/(1−β2ᵗ)) + ε) · (−lr) + p
 */
#include <node_api.h>
#include <math.h>
#include "nn.h"
#include "nn_pool.h"
#include "nn_util.h"

typedef struct {
  const float *p, *g, *m, *v;
  float *po, *mo, *vo;
  int64_t len, block;
  float b1, c1, b2, c2, omb1, omb2, eps, neglr;
} adam_job;

/*
 * The update of n elements. Restrict-qualified parameters (the outputs are
 * fresh tensors, never the inputs; GCC honours restrict on parameters, not on
 * locals) and sqrt without errno (-fno-math-errno) let the loop vectorise;
 * IEEE sqrt and division are correctly rounded either way, so the bits do not
 * change.
 */
static void adam_span(const adam_job *j, int64_t n, const float *restrict pp, const float *restrict gp, const float *restrict mp,
                      const float *restrict vp, float *restrict po, float *restrict mo, float *restrict vo) {
  const float b1 = j->b1, c1 = j->c1, b2 = j->b2, c2 = j->c2, omb1 = j->omb1, omb2 = j->omb2, eps = j->eps, neglr = j->neglr;
  for (int64_t i = 0; i < n; i++) {
    const float g = gp[i];
    const float m1 = mp[i] * b1;
    const float m2 = g * c1;
    const float m = m1 + m2;
    const float g2 = g * g;
    const float v1 = vp[i] * b2;
    const float v2 = g2 * c2;
    const float v = v1 + v2;
    const float mh = m / omb1;
    const float vh = v / omb2;
    const float den = sqrtf(vh) + eps;
    const float r = mh / den;
    const float u = r * neglr;
    mo[i] = m;
    vo[i] = v;
    po[i] = u + pp[i];
  }
}

static void adam_task(void *ctx, int64_t t) {
  const adam_job *j = (const adam_job *)ctx;
  const int64_t i0 = t * j->block, n = (i0 + j->block < j->len ? i0 + j->block : j->len) - i0;
  adam_span(j, n, j->p + i0, j->g + i0, j->m + i0, j->v + i0, j->po + i0, j->mo + i0, j->vo + i0);
}

/* adam(p, g, m, v, pOut, mOut, vOut, coef: Float32Array [β1, 1−β1, β2, 1−β2, 1−β1ᵗ, 1−β2ᵗ, ε, −lr], threads) */
static napi_value js_adam(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 9) {
    napi_throw_error(env, NULL, "adam: 9 arguments expected");
    return NULL;
  }
  f32view P, G, M, V, PO, MO, VO, C;
  int32_t threads;
  if (!get_f32(env, argv[0], &P, "adam: p must be a Float32Array") || !get_f32(env, argv[1], &G, "adam: g must be a Float32Array") ||
      !get_f32(env, argv[2], &M, "adam: m must be a Float32Array") || !get_f32(env, argv[3], &V, "adam: v must be a Float32Array") ||
      !get_f32(env, argv[4], &PO, "adam: pOut must be a Float32Array") || !get_f32(env, argv[5], &MO, "adam: mOut must be a Float32Array") ||
      !get_f32(env, argv[6], &VO, "adam: vOut must be a Float32Array") || !get_f32(env, argv[7], &C, "adam: coef must be a Float32Array") ||
      !get_int(env, argv[8], &threads))
    return NULL;
  const int64_t n = (int64_t)P.length;
  if (!fits(env, &C, 8, "adam: coef needs 8 values") || !fits(env, &G, n, "adam: g too short") || !fits(env, &M, n, "adam: m too short") ||
      !fits(env, &V, n, "adam: v too short") || !fits(env, &PO, n, "adam: pOut too short") || !fits(env, &MO, n, "adam: mOut too short") ||
      !fits(env, &VO, n, "adam: vOut too short"))
    return NULL;
  const float *c = C.data;
  /* Blocks fixed by the length (not the thread count); elements are independent in any case. */
  adam_job j = {P.data, G.data, M.data, V.data, PO.data, MO.data, VO.data, n, (int64_t)1 << 16, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]};
  pool_run(threads, (n + j.block - 1) / j.block, adam_task, &j);
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

int nn_adam_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {{"adam", NULL, js_adam, NULL, NULL, NULL, napi_enumerable, NULL}};
  return napi_define_properties(env, exports, 1, props) == napi_ok;
}

/* N-API argument helpers shared by the training kernels (nn.c, nn_batchnorm.c). */
#ifndef BRAINALIGN_NN_UTIL_H
#define BRAINALIGN_NN_UTIL_H
#include <node_api.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct {
  float *data;
  size_t length;
} f32view;

/* The data and length of a typed array of the given type (and length, when want_len > 0), or a TypeError naming `name`. */
static inline int get_typed(napi_env env, napi_value v, napi_typedarray_type want, size_t want_len, void **data, size_t *len, const char *name) {
  bool is_ta = false;
  napi_typedarray_type t;
  napi_value ab;
  size_t off;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &t, len, data, &ab, &off) != napi_ok || t != want || (want_len > 0 && *len != want_len)) {
    napi_throw_type_error(env, NULL, name);
    return 0;
  }
  return 1;
}

static inline int get_f32(napi_env env, napi_value v, f32view *out, const char *name) {
  void *data;
  if (!get_typed(env, v, napi_float32_array, 0, &data, &out->length, name)) return 0;
  out->data = (float *)data;
  return 1;
}

/* geometry: Int32Array [n,h,w,ci, kh,kw,co, sh,sw, dh,dw, pt,pl, ho,wo]; every entry must be ≥ 0 */
static inline int get_geom(napi_env env, napi_value v, int64_t *out, size_t count, const char *name) {
  void *data;
  size_t len;
  if (!get_typed(env, v, napi_int32_array, count, &data, &len, name)) return 0;
  const int32_t *g = (const int32_t *)data;
  for (size_t i = 0; i < count; i++) {
    if (g[i] < 0) {
      napi_throw_range_error(env, NULL, name);
      return 0;
    }
    out[i] = g[i];
  }
  return 1;
}

static inline int get_int(napi_env env, napi_value v, int32_t *out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "nn: expected an integer");
    return 0;
  }
  return 1;
}

/* A wrong size must never become a wild write into the wasm heap. */
static inline int fits(napi_env env, const f32view *a, int64_t n, const char *what) {
  if (n < 0 || (uint64_t)n > a->length) {
    napi_throw_range_error(env, NULL, what);
    return 0;
  }
  return 1;
}

#endif

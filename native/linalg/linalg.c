/*
 * Thin N-API bridge from brainalign's linalg layer to OpenBLAS/LAPACKE.
 * Every entry point takes typed arrays plus explicit sizes, works row-major,
 * and writes in place or into caller-provided outputs, so JavaScript owns all
 * memory and no copies cross the boundary. Float32Array routes to the s*
 * routines, Float64Array to the d* routines; mixing the two is refused.
 * Errors are thrown as JS errors; LAPACK info codes are returned as numbers so
 * the TypeScript side can phrase them (e.g. "matrix not positive definite").
 */
#include <node_api.h>
#include <cblas.h>
#include <lapacke.h>
#include <stdint.h>
#include <string.h>
#include "nn.h"

#define CHECK(call)                                                    \
  do {                                                                 \
    if ((call) != napi_ok) {                                           \
      napi_throw_error(env, NULL, "linalg: N-API call failed: " #call); \
      return NULL;                                                     \
    }                                                                  \
  } while (0)

typedef struct {
  void *data;
  size_t length;
  int is_double; /* 0 float32, 1 float64 */
} farray;

/* Reads argument i as a Float32Array/Float64Array view; returns 0 on failure after throwing. */
static int get_farray(napi_env env, napi_value v, farray *out, const char *name) {
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) {
    napi_throw_type_error(env, NULL, name);
    return 0;
  }
  napi_typedarray_type t;
  size_t len;
  void *data;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &t, &len, &data, &ab, &off) != napi_ok) {
    napi_throw_type_error(env, NULL, name);
    return 0;
  }
  if (t == napi_float32_array) out->is_double = 0;
  else if (t == napi_float64_array) out->is_double = 1;
  else {
    napi_throw_type_error(env, NULL, name);
    return 0;
  }
  out->data = data;
  out->length = len;
  return 1;
}

static int get_i64(napi_env env, napi_value v, int64_t *out) {
  if (napi_get_value_int64(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "linalg: expected an integer");
    return 0;
  }
  return 1;
}

static int get_f64(napi_env env, napi_value v, double *out) {
  if (napi_get_value_double(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "linalg: expected a number");
    return 0;
  }
  return 1;
}

static int get_bool(napi_env env, napi_value v, bool *out) {
  if (napi_get_value_bool(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "linalg: expected a boolean");
    return 0;
  }
  return 1;
}

static napi_value ret_int(napi_env env, int64_t x) {
  napi_value r;
  if (napi_create_int64(env, x, &r) != napi_ok) return NULL;
  return r;
}

/* Bounds are checked here as well as in TypeScript: a wrong size must never become a wild write. */
static int need(napi_env env, const farray *a, int64_t n, const char *what) {
  if (n < 0 || (uint64_t)n > a->length) {
    napi_throw_range_error(env, NULL, what);
    return 0;
  }
  return 1;
}

/* gemm(transA, transB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc): C = alpha*op(A)*op(B) + beta*C */
static napi_value js_gemm(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 13) {
    napi_throw_error(env, NULL, "gemm: 13 arguments expected");
    return NULL;
  }
  bool ta, tb;
  int64_t m, n, k, lda, ldb, ldc;
  double alpha, beta;
  farray A, B, C;
  if (!get_bool(env, argv[0], &ta) || !get_bool(env, argv[1], &tb) || !get_i64(env, argv[2], &m) ||
      !get_i64(env, argv[3], &n) || !get_i64(env, argv[4], &k) || !get_f64(env, argv[5], &alpha) ||
      !get_farray(env, argv[6], &A, "gemm: A must be a Float32Array or Float64Array") || !get_i64(env, argv[7], &lda) ||
      !get_farray(env, argv[8], &B, "gemm: B must be a Float32Array or Float64Array") || !get_i64(env, argv[9], &ldb) ||
      !get_f64(env, argv[10], &beta) ||
      !get_farray(env, argv[11], &C, "gemm: C must be a Float32Array or Float64Array") || !get_i64(env, argv[12], &ldc))
    return NULL;
  if (A.is_double != B.is_double || A.is_double != C.is_double) {
    napi_throw_type_error(env, NULL, "gemm: A, B and C must share one element type");
    return NULL;
  }
  if (m == 0 || n == 0) return ret_int(env, 0);
  int64_t arows = ta ? k : m, brows = tb ? n : k;
  if (!need(env, &A, arows > 0 ? (arows - 1) * lda + (ta ? m : k) : 0, "gemm: A too short") ||
      !need(env, &B, brows > 0 ? (brows - 1) * ldb + (tb ? k : n) : 0, "gemm: B too short") ||
      !need(env, &C, (m - 1) * ldc + n, "gemm: C too short"))
    return NULL;
  enum CBLAS_TRANSPOSE TA = ta ? CblasTrans : CblasNoTrans, TB = tb ? CblasTrans : CblasNoTrans;
  if (A.is_double)
    cblas_dgemm(CblasRowMajor, TA, TB, (int)m, (int)n, (int)k, alpha, (const double *)A.data, (int)lda,
                (const double *)B.data, (int)ldb, beta, (double *)C.data, (int)ldc);
  else
    cblas_sgemm(CblasRowMajor, TA, TB, (int)m, (int)n, (int)k, (float)alpha, (const float *)A.data, (int)lda,
                (const float *)B.data, (int)ldb, (float)beta, (float *)C.data, (int)ldc);
  return ret_int(env, 0);
}

/* syevd(n, A, W): A (n×n, upper triangle read) is overwritten by eigenvectors in columns; W gets ascending eigenvalues. Returns LAPACK info. */
static napi_value js_syevd(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t n;
  farray A, W;
  if (argc != 3 || !get_i64(env, argv[0], &n) || !get_farray(env, argv[1], &A, "syevd: A must be float") ||
      !get_farray(env, argv[2], &W, "syevd: W must be float"))
    return NULL;
  if (A.is_double != W.is_double) {
    napi_throw_type_error(env, NULL, "syevd: A and W must share one element type");
    return NULL;
  }
  if (!need(env, &A, n * n, "syevd: A too short") || !need(env, &W, n, "syevd: W too short")) return NULL;
  if (n == 0) return ret_int(env, 0);
  lapack_int r = A.is_double
                     ? LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)n, (double *)A.data, (lapack_int)n, (double *)W.data)
                     : LAPACKE_ssyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)n, (float *)A.data, (lapack_int)n, (float *)W.data);
  return ret_int(env, r);
}

/* gesdd(m, n, A, S, U, VT): thin SVD of A (m×n, destroyed); U m×r, S r, VT r×n with r=min(m,n). Returns LAPACK info. */
static napi_value js_gesdd(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t m, n;
  farray A, S, U, VT;
  if (argc != 6 || !get_i64(env, argv[0], &m) || !get_i64(env, argv[1], &n) ||
      !get_farray(env, argv[2], &A, "gesdd: A must be float") || !get_farray(env, argv[3], &S, "gesdd: S must be float") ||
      !get_farray(env, argv[4], &U, "gesdd: U must be float") || !get_farray(env, argv[5], &VT, "gesdd: VT must be float"))
    return NULL;
  if (A.is_double != S.is_double || A.is_double != U.is_double || A.is_double != VT.is_double) {
    napi_throw_type_error(env, NULL, "gesdd: arrays must share one element type");
    return NULL;
  }
  int64_t r = m < n ? m : n;
  if (!need(env, &A, m * n, "gesdd: A too short") || !need(env, &S, r, "gesdd: S too short") ||
      !need(env, &U, m * r, "gesdd: U too short") || !need(env, &VT, r * n, "gesdd: VT too short"))
    return NULL;
  if (r == 0) return ret_int(env, 0);
  lapack_int res =
      A.is_double
          ? LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)m, (lapack_int)n, (double *)A.data, (lapack_int)n,
                           (double *)S.data, (double *)U.data, (lapack_int)r, (double *)VT.data, (lapack_int)n)
          : LAPACKE_sgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)m, (lapack_int)n, (float *)A.data, (lapack_int)n,
                           (float *)S.data, (float *)U.data, (lapack_int)r, (float *)VT.data, (lapack_int)n);
  return ret_int(env, res);
}

/* potrf(n, A): lower Cholesky factor of SPD A (n×n) written into A's lower triangle. Returns LAPACK info (>0: not positive definite). */
static napi_value js_potrf(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t n;
  farray A;
  if (argc != 2 || !get_i64(env, argv[0], &n) || !get_farray(env, argv[1], &A, "potrf: A must be float")) return NULL;
  if (!need(env, &A, n * n, "potrf: A too short")) return NULL;
  if (n == 0) return ret_int(env, 0);
  lapack_int r = A.is_double ? LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, (double *)A.data, (lapack_int)n)
                             : LAPACKE_spotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, (float *)A.data, (lapack_int)n);
  return ret_int(env, r);
}

/* potrs(n, nrhs, L, B): solves A X = B given potrf's lower factor L; B (n×nrhs) is overwritten by X. */
static napi_value js_potrs(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t n, nrhs;
  farray L, B;
  if (argc != 4 || !get_i64(env, argv[0], &n) || !get_i64(env, argv[1], &nrhs) ||
      !get_farray(env, argv[2], &L, "potrs: L must be float") || !get_farray(env, argv[3], &B, "potrs: B must be float"))
    return NULL;
  if (L.is_double != B.is_double) {
    napi_throw_type_error(env, NULL, "potrs: L and B must share one element type");
    return NULL;
  }
  if (!need(env, &L, n * n, "potrs: L too short") || !need(env, &B, n * nrhs, "potrs: B too short")) return NULL;
  if (n == 0 || nrhs == 0) return ret_int(env, 0);
  lapack_int r = L.is_double ? LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, (lapack_int)nrhs, (const double *)L.data,
                                              (lapack_int)n, (double *)B.data, (lapack_int)nrhs)
                             : LAPACKE_spotrs(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, (lapack_int)nrhs, (const float *)L.data,
                                              (lapack_int)n, (float *)B.data, (lapack_int)nrhs);
  return ret_int(env, r);
}


/*
 * colmoments(pred, predOffset, y, rows, cols, out): per-column Σp, Σp², Σp·y over
 * `rows` rows (row-major, `cols` wide; pred starts at element predOffset), in
 * double precision, into out[0..cols), out[cols..2cols), out[2cols..3cols).
 * This fused reduction scores every (α, fold, voxel) of a ridge CV; in C it
 * vectorises, where the JavaScript loop costs ~2 ns per element.
 */
/* Four rows per sweep so the double accumulators are loaded and stored a quarter as often. */
#define COLMOMENTS_BODY(TYPE)                                                          \
  do {                                                                                 \
    const TYPE *P = (const TYPE *)pred.data + off;                                     \
    const TYPE *Y = (const TYPE *)y.data;                                              \
    int64_t i = 0;                                                                     \
    for (; i + 4 <= rows; i += 4) {                                                    \
      const TYPE *p0 = P + i * cols, *p1 = p0 + cols, *p2 = p1 + cols, *p3 = p2 + cols; \
      const TYPE *y0 = Y + i * cols, *y1 = y0 + cols, *y2 = y1 + cols, *y3 = y2 + cols; \
      for (int64_t k = 0; k < cols; k++) {                                             \
        double a = (double)p0[k], b = (double)p1[k], c = (double)p2[k], d = (double)p3[k]; \
        sp[k] += (a + b) + (c + d);                                                    \
        spp[k] += (a * a + b * b) + (c * c + d * d);                                   \
        spy[k] += (a * (double)y0[k] + b * (double)y1[k]) + (c * (double)y2[k] + d * (double)y3[k]); \
      }                                                                                \
    }                                                                                  \
    for (; i < rows; i++) {                                                            \
      const TYPE *pr = P + i * cols;                                                   \
      const TYPE *yr = Y + i * cols;                                                   \
      for (int64_t k = 0; k < cols; k++) {                                             \
        double pv = (double)pr[k];                                                     \
        sp[k] += pv;                                                                   \
        spp[k] += pv * pv;                                                             \
        spy[k] += pv * (double)yr[k];                                                  \
      }                                                                                \
    }                                                                                  \
  } while (0)

static napi_value js_colmoments(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t off, rows, cols;
  farray pred, y, out;
  if (argc != 6 || !get_farray(env, argv[0], &pred, "colmoments: pred must be float") || !get_i64(env, argv[1], &off) ||
      !get_farray(env, argv[2], &y, "colmoments: y must be float") || !get_i64(env, argv[3], &rows) ||
      !get_i64(env, argv[4], &cols) || !get_farray(env, argv[5], &out, "colmoments: out must be a Float64Array"))
    return NULL;
  if (pred.is_double != y.is_double || !out.is_double) {
    napi_throw_type_error(env, NULL, "colmoments: pred and y share one element type; out is Float64Array");
    return NULL;
  }
  if (off < 0 || rows < 0 || cols < 0 || !need(env, &pred, off + rows * cols, "colmoments: pred too short") ||
      !need(env, &y, rows * cols, "colmoments: y too short") || !need(env, &out, 3 * cols, "colmoments: out too short"))
    return NULL;
  double *restrict sp = (double *)out.data, *restrict spp = sp + cols, *restrict spy = spp + cols;
  memset(sp, 0, sizeof(double) * 3 * (size_t)cols);
  if (pred.is_double) COLMOMENTS_BODY(double);
  else COLMOMENTS_BODY(float);
  return ret_int(env, 0);
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"gemm", NULL, js_gemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"syevd", NULL, js_syevd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gesdd", NULL, js_gesdd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"potrf", NULL, js_potrf, NULL, NULL, NULL, napi_enumerable, NULL},
      {"potrs", NULL, js_potrs, NULL, NULL, NULL, napi_enumerable, NULL},
      {"colmoments", NULL, js_colmoments, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  if (!nn_register(env, exports) || !nn_batchnorm_register(env, exports) || !nn_adam_register(env, exports) ||
      !nn_bnrelu_register(env, exports)) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

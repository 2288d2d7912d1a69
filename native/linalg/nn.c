/*
 * Training kernels for tfjs's wasm backend: 2-D convolution (forward, filter
 * gradient, input gradient) by im2col + OpenBLAS sgemm, and the max-pool
 * gradient. Tensors are NHWC float32 and are read and written in place
 * (src/models/kernels hands us views on the wasm heap), so nothing is copied
 * across the N-API boundary.
 *
 * Why im2col: BAN's convs are small (16–64 channels, 1×1 to 7×7), where one
 * large sgemm per batch chunk keeps OpenBLAS near its peak; XNNPACK inside
 * wasm runs the same products 4–8× slower.
 *
 * Threads: each call splits its batch into tasks run by the pool of
 * nn_pool.c, each task an im2col (or col2im) and a single-threaded sgemm on
 * its images; OpenBLAS's own thread count is restored afterwards, so
 * training's choice does not leak into the linalg layer's GEMMs.
 */
#include <node_api.h>
#include <cblas.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nn.h"
#include "nn_util.h"
#include "nn_pool.h"
#include "nn_conv.h"

/* OpenBLAS's own API, not part of cblas.h on every distribution. */
extern void openblas_set_num_threads(int);
extern int openblas_get_num_threads(void);

/*
 * Images per im2col chunk are chosen so the chunk's buffer (1 MiB) stays in
 * L2 between being written and being read by sgemm: 13% less CPU time over
 * BAN's convolutions than 16 MiB chunks (measured in CPU time, alternating).
 */
#define COL_LIMIT ((int64_t)1 << 18) /* floats */

/* Tasks per batch at least (nn_pool.h): enough for two or more threads to share, fixed so results do not depend on the thread count. */
#define MIN_TASKS 8


static int geom_ok(const conv_geom *g) {
  return g->n > 0 && g->h > 0 && g->w > 0 && g->ci > 0 && g->kh > 0 && g->kw > 0 && g->co > 0 && g->sh > 0 &&
         g->sw > 0 && g->dh > 0 && g->dw > 0 && g->ho > 0 && g->wo > 0;
}

/* 1×1, stride 1, no padding: the input rows are already the im2col matrix. */
static int pointwise(const conv_geom *g) {
  return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->pt == 0 && g->pl == 0 && g->ho == g->h && g->wo == g->w;
}

/* Images per task: the chunk's im2col matrix under COL_LIMIT floats, and at least MIN_TASKS tasks when there are that many images. */
static int64_t chunk_images(const conv_geom *g) {
  const int64_t per = g->ho * g->wo * g->kh * g->kw * g->ci;
  int64_t c = per > 0 ? COL_LIMIT / per : g->n;
  const int64_t spread = (g->n + MIN_TASKS - 1) / MIN_TASKS;
  if (c > spread) c = spread;
  if (c < 1) c = 1;
  return c > g->n ? g->n : c;
}

/*
 * Valid tap range [j0, j1) of one output column: taps whose input column
 * ow·sw − pl + j·dw falls inside [0, w). With dilation 1 those taps read one
 * contiguous run of (j1 − j0)·ci floats, which is copied in one go.
 */
static inline void tap_range(const conv_geom *g, int64_t iw0, int64_t *j0, int64_t *j1) {
  int64_t lo = 0, hi = g->kw;
  if (iw0 < 0) lo = (-iw0 + g->dw - 1) / g->dw;
  const int64_t last = g->w - 1 - iw0; /* largest j·dw that stays inside */
  if (last < 0) hi = 0;
  else if (last / g->dw + 1 < hi) hi = last / g->dw + 1;
  if (lo > hi) lo = hi;
  *j0 = lo;
  *j1 = hi;
}

/* col[r, (i·kw + j)·ci + c] = x[img, oh·sh − pt + i·dh, ow·sw − pl + j·dw, c], zero outside the image. */
static void im2col(const conv_geom *g, const float *x, int64_t nb, float *col) {
  const int64_t K = g->kh * g->kw * g->ci;
  const int64_t ci = g->ci;
  for (int64_t b = 0; b < nb; b++) {
    const float *img = x + b * g->h * g->w * ci;
    for (int64_t oh = 0; oh < g->ho; oh++) {
      for (int64_t ow = 0; ow < g->wo; ow++) {
        float *row = col + ((b * g->ho + oh) * g->wo + ow) * K;
        const int64_t iw0 = ow * g->sw - g->pl;
        int64_t j0, j1;
        tap_range(g, iw0, &j0, &j1);
        for (int64_t i = 0; i < g->kh; i++) {
          const int64_t ih = oh * g->sh - g->pt + i * g->dh;
          float *dst = row + i * g->kw * ci;
          if (ih < 0 || ih >= g->h || j0 >= j1) {
            memset(dst, 0, sizeof(float) * (size_t)(g->kw * ci));
            continue;
          }
          if (j0 > 0) memset(dst, 0, sizeof(float) * (size_t)(j0 * ci));
          /* First valid tap's input; never a pointer before the image. */
          const float *src = img + (ih * g->w + iw0 + j0 * g->dw) * ci;
          float *run = dst + j0 * ci;
          if (g->dw == 1) {
            /* Short runs (one-channel inputs: the first conv of BAN and of the EEG encoder) cost more in memcpy calls than in copying. */
            const int64_t len = (j1 - j0) * ci;
            if (len < 16) for (int64_t e = 0; e < len; e++) run[e] = src[e];
            else memcpy(run, src, sizeof(float) * (size_t)len);
          } else {
            for (int64_t j = 0; j < j1 - j0; j++) memcpy(run + j * ci, src + j * g->dw * ci, sizeof(float) * (size_t)ci);
          }
          if (j1 < g->kw) memset(dst + j1 * ci, 0, sizeof(float) * (size_t)((g->kw - j1) * ci));
        }
      }
    }
  }
}

/* The adjoint of im2col: dx += scatter of col (dx must be zeroed by the caller). */
static void col2im(const conv_geom *g, const float *col, int64_t nb, float *dx) {
  const int64_t K = g->kh * g->kw * g->ci;
  const int64_t ci = g->ci;
  for (int64_t b = 0; b < nb; b++) {
    float *img = dx + b * g->h * g->w * ci;
    for (int64_t oh = 0; oh < g->ho; oh++) {
      for (int64_t ow = 0; ow < g->wo; ow++) {
        const float *row = col + ((b * g->ho + oh) * g->wo + ow) * K;
        const int64_t iw0 = ow * g->sw - g->pl;
        int64_t j0, j1;
        tap_range(g, iw0, &j0, &j1);
        if (j0 >= j1) continue;
        for (int64_t i = 0; i < g->kh; i++) {
          const int64_t ih = oh * g->sh - g->pt + i * g->dh;
          if (ih < 0 || ih >= g->h) continue;
          const float *src = row + (i * g->kw + j0) * ci;
          float *dst = img + (ih * g->w + iw0 + j0 * g->dw) * ci;
          if (g->dw == 1) {
            const int64_t len = (j1 - j0) * ci;
            for (int64_t e = 0; e < len; e++) dst[e] += src[e];
          } else {
            for (int64_t j = 0; j < j1 - j0; j++) {
              float *d = dst + j * g->dw * ci;
              const float *s = src + j * ci;
              for (int64_t c = 0; c < ci; c++) d[c] += s[c];
            }
          }
        }
      }
    }
  }
}

typedef enum { CONV_FORWARD, CONV_FILTER_GRAD, CONV_INPUT_GRAD } conv_kind;

typedef struct {
  conv_kind kind;
  const conv_geom *g;
  const float *a, *b;
  float *out;
  float *partials; /* filter grad with several tasks: one K×co partial per task */
  int64_t chunk, K;
  int64_t per_group; /* filter grad: chunks per task */
  int pw, direct;
  int failed;
} conv_job;

/*
 * forward:     y[rows, co]  = col[rows, K] · w[K, co]
 * filter grad: dw[K, co]    = Σ_chunks colᵀ · dy[rows, co]
 * input grad:  dcol[rows,K] = dy · wᵀ, then col2im into dx
 * with rows = images·ho·wo and K = kh·kw·ci; w's [kh,kw,ci,co] layout is K×co row-major.
 */
/* Chunk `t`: images [n0, n0 + nb). The filter gradient adds its product into dst (β = 1) unless `first`. */
static void conv_chunk(conv_job *j, int64_t t, float *dst, int first) {
  const conv_geom *g = j->g;
  const int64_t K = j->K;
  const int64_t n0 = t * j->chunk;
  const int64_t nb = (g->n - n0 < j->chunk) ? g->n - n0 : j->chunk;
  const int64_t rows = nb * g->ho * g->wo;
  const int64_t inOff = n0 * g->h * g->w * g->ci;
  const int64_t outOff = n0 * g->ho * g->wo * g->co;
  if (j->direct && j->kind == CONV_FORWARD) {
    direct_forward(g, j->a, j->b, j->out, n0, nb);
    return;
  }
  if (j->direct && j->kind == CONV_FILTER_GRAD) {
    direct_filter_grad(g, j->a, j->b, dst, n0, nb, first);
    return;
  }
  float *col = NULL;
  if (!j->pw) {
    col = pool_scratch(0, (size_t)(rows * K));
    if (!col) { j->failed = 1; return; }
  }
  if (j->kind == CONV_FORWARD) {
    /* a = x, b = w, out = y */
    const float *A = j->a + inOff;
    if (!j->pw) { im2col(g, A, nb, col); A = col; }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)g->co, (int)K, 1.f, A, (int)K, j->b, (int)g->co, 0.f,
                j->out + outOff, (int)g->co);
  } else if (j->kind == CONV_FILTER_GRAD) {
    /* a = x, b = dy, dst = dw or this group's partial */
    const float *A = j->a + inOff;
    if (!j->pw) { im2col(g, A, nb, col); A = col; }
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)g->co, (int)rows, 1.f, A, (int)K, j->b + outOff, (int)g->co,
                first ? 0.f : 1.f, dst, (int)g->co);
  } else {
    /* a = dy, b = w, out = dx */
    float *D = j->pw ? j->out + inOff : col;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)K, (int)g->co, 1.f, j->a + outOff, (int)g->co, j->b, (int)g->co,
                0.f, D, (int)K);
    if (!j->pw) {
      memset(j->out + inOff, 0, sizeof(float) * (size_t)(nb * g->h * g->w * g->ci));
      col2im(g, col, nb, j->out + inOff);
    }
  }
}

/* Forward and input gradient: task t is chunk t. Filter gradient: task t is group t, its chunks in order. */
static void conv_task(void *ctx, int64_t t) {
  conv_job *j = (conv_job *)ctx;
  if (j->kind != CONV_FILTER_GRAD) {
    conv_chunk(j, t, NULL, 1);
    return;
  }
  const int64_t nchunks = (j->g->n + j->chunk - 1) / j->chunk;
  const int64_t c0 = t * j->per_group, c1 = c0 + j->per_group < nchunks ? c0 + j->per_group : nchunks;
  float *dst = j->partials ? j->partials + t * j->K * j->g->co : j->out;
  for (int64_t k = c0; k < c1 && !j->failed; k++) conv_chunk(j, k, dst, k == c0);
}

typedef struct {
  const float *partials;
  float *out;
  int64_t parts, len, block;
} sum_job;

/* out = partial 0 + partial 1 + … in task order, whichever thread sums a block. */
static void sum_task(void *ctx, int64_t t) {
  const sum_job *s = (const sum_job *)ctx;
  const int64_t i0 = t * s->block, i1 = i0 + s->block < s->len ? i0 + s->block : s->len;
  for (int64_t i = i0; i < i1; i++) {
    float acc = s->partials[i];
    for (int64_t p = 1; p < s->parts; p++) acc += s->partials[p * s->len + i];
    s->out[i] = acc;
  }
}

/*
 * The filter gradient sums over every image, so its tasks are a few groups of
 * consecutive chunks (a number fixed by the shape): each group accumulates
 * into its own K×co partial with β = 1, which stays in cache, and the
 * partials are added in group order at the end. Per-chunk partials instead
 * cost 1.6× the time on BAN's 3×3×128×128 layers in memory traffic.
 */
static int64_t filter_groups(int64_t wlen, int64_t nchunks) {
  const int64_t groups = wlen <= ((int64_t)1 << 18) ? 4 : 2;
  return groups < nchunks ? groups : nchunks;
}

/*
 * Small images with many channels (BAN's last area: 2×4 outputs, 512
 * channels) make each image chunk's product a thin sgemm (a few dozen rows
 * against a K×co matrix that OpenBLAS repacks for every chunk): 45–60
 * GFLOP/s where large products reach 90. There the whole batch is one
 * product instead: im2col (or col2im) by image chunks, and the sgemm split
 * by blocks of columns of its output, each block one sgemm over every row.
 * Blocks are fixed by the shape, so results do not depend on the threads.
 */
#define WIDE_ROWS 64              /* chunk rows below which the batch becomes one product */
#define WIDE_LIMIT ((int64_t)1 << 24) /* floats of the whole-batch im2col matrix at most */
#define WIDE_BLOCK 64              /* output columns per task */

typedef struct {
  const conv_job *j;
  float *col; /* rows_total × K (im2col of every image), or x itself when pointwise */
  int64_t rows;
} wide_job;

static int wide_eligible(const conv_job *j) {
  const conv_geom *g = j->g;
  const int64_t rows = g->n * g->ho * g->wo;
  return !j->direct && j->chunk < g->n && j->chunk * g->ho * g->wo < WIDE_ROWS && rows * j->K <= WIDE_LIMIT;
}

static void chunk_span(const conv_job *j, int64_t t, int64_t *n0, int64_t *nb) {
  *n0 = t * j->chunk;
  *nb = j->g->n - *n0 < j->chunk ? j->g->n - *n0 : j->chunk;
}

static void wide_im2col_task(void *ctx, int64_t t) {
  const wide_job *w = (const wide_job *)ctx;
  const conv_geom *g = w->j->g;
  int64_t n0, nb;
  chunk_span(w->j, t, &n0, &nb);
  im2col(g, w->j->a + n0 * g->h * g->w * g->ci, nb, w->col + n0 * g->ho * g->wo * w->j->K);
}

static void wide_col2im_task(void *ctx, int64_t t) {
  const wide_job *w = (const wide_job *)ctx;
  const conv_geom *g = w->j->g;
  int64_t n0, nb;
  chunk_span(w->j, t, &n0, &nb);
  float *dx = w->j->out + n0 * g->h * g->w * g->ci;
  memset(dx, 0, sizeof(float) * (size_t)(nb * g->h * g->w * g->ci));
  col2im(g, w->col + n0 * g->ho * g->wo * w->j->K, nb, dx);
}

/* Task t: output columns [t·WIDE_BLOCK, …) of y = col·w (forward), dcol = dy·wᵀ (input grad) or dw = colᵀ·dy (filter grad, by rows of dw). */
static void wide_gemm_task(void *ctx, int64_t t) {
  const wide_job *w = (const wide_job *)ctx;
  const conv_job *j = w->j;
  const int64_t K = j->K, co = j->g->co, c0 = t * WIDE_BLOCK;
  const int rows = (int)w->rows;
  if (j->kind == CONV_FORWARD) {
    const int nb = (int)(co - c0 < WIDE_BLOCK ? co - c0 : WIDE_BLOCK);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, nb, (int)K, 1.f, w->col, (int)K, j->b + c0, (int)co, 0.f, j->out + c0, (int)co);
  } else if (j->kind == CONV_INPUT_GRAD) {
    const int kb = (int)(K - c0 < WIDE_BLOCK ? K - c0 : WIDE_BLOCK);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, kb, (int)co, 1.f, j->a, (int)co, j->b + c0 * co, (int)co, 0.f, w->col + c0, (int)K);
  } else {
    const int kb = (int)(K - c0 < WIDE_BLOCK ? K - c0 : WIDE_BLOCK);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, kb, (int)co, rows, 1.f, w->col + c0, (int)K, j->b, (int)co, 0.f, j->out + c0 * co, (int)co);
  }
}

static int conv_run_wide(conv_job *j, int threads) {
  const conv_geom *g = j->g;
  wide_job w = {j, NULL, g->n * g->ho * g->wo};
  const int64_t nchunks = (g->n + j->chunk - 1) / j->chunk;
  if (j->pw) {
    w.col = j->kind == CONV_INPUT_GRAD ? j->out : (float *)j->a; /* the rows of x are the im2col matrix; dx is dcol */
  } else {
    /* The caller's second scratch slot: the tasks use slot 0 of their own threads, and nothing else holds slot 1 during a convolution. */
    w.col = pool_scratch(1, (size_t)(w.rows * j->K));
    if (!w.col) return 0;
    if (j->kind != CONV_INPUT_GRAD) pool_run(threads, nchunks, wide_im2col_task, &w);
  }
  const int64_t width = j->kind == CONV_FORWARD ? g->co : j->K;
  pool_run(threads, (width + WIDE_BLOCK - 1) / WIDE_BLOCK, wide_gemm_task, &w);
  if (j->kind == CONV_INPUT_GRAD && !j->pw) pool_run(threads, nchunks, wide_col2im_task, &w);
  return 1;
}

static int conv_run(conv_kind kind, const conv_geom *g, const float *a, const float *b, float *out, int threads) {
  conv_job j = {kind, g, a, b, out, NULL, chunk_images(g), g->kh * g->kw * g->ci, 0, pointwise(g), direct_eligible(g), 0};
  if (kind == CONV_FORWARD && winograd_eligible(g)) return winograd_conv(g, a, b, out, 0, threads);
  if (kind == CONV_FILTER_GRAD && winograd_eligible(g)) return winograd_filter_grad(g, a, b, out, threads);
  if (kind == CONV_INPUT_GRAD && g->kh == 3 && g->kw == 3 && g->sh == 1 && g->sw == 1 && g->dh == 1 && g->dw == 1) {
    /* dx = dy convolved with the flipped filter, padded by 2 − pad: a forward convolution from [n, ho, wo, co] to [n, h, w, ci]. */
    const conv_geom t = {g->n, g->ho, g->wo, g->co, 3, 3, g->ci, 1, 1, 1, 1, 2 - g->pt, 2 - g->pl, g->h, g->w};
    if (t.pt >= 0 && t.pl >= 0 && winograd_eligible(&t)) return winograd_conv(&t, a, b, out, 1, threads);
  }
  if (wide_eligible(&j)) return conv_run_wide(&j, threads);
  const int64_t nchunks = (g->n + j.chunk - 1) / j.chunk;
  const int64_t wlen = j.K * g->co;
  int64_t ntasks = nchunks;
  if (kind == CONV_FILTER_GRAD) {
    ntasks = filter_groups(wlen, nchunks);
    j.per_group = (nchunks + ntasks - 1) / ntasks;
    ntasks = (nchunks + j.per_group - 1) / j.per_group;
    if (ntasks > 1) {
      /* The caller's second scratch slot: tasks use slot 0 of whichever thread runs them. */
      j.partials = pool_scratch(1, (size_t)(ntasks * wlen));
      if (!j.partials) return 0;
    }
  }
  pool_run(threads, ntasks, conv_task, &j);
  if (j.failed) return 0;
  if (j.partials) {
    sum_job s = {j.partials, out, ntasks, wlen, 16384};
    pool_run(threads, (wlen + s.block - 1) / s.block, sum_task, &s);
  }
  return 1;
}

/* conv(kind, a, b, out, geom: Int32Array(15), threads) — argument roles as in conv_run. */
static napi_value js_conv(napi_env env, napi_callback_info info, conv_kind kind) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5) {
    napi_throw_error(env, NULL, "conv: 5 arguments expected");
    return NULL;
  }
  f32view A, B, O;
  int64_t gv[15];
  int32_t threads;
  if (!get_f32(env, argv[0], &A, "conv: first operand must be a Float32Array") ||
      !get_f32(env, argv[1], &B, "conv: second operand must be a Float32Array") ||
      !get_f32(env, argv[2], &O, "conv: output must be a Float32Array") ||
      !get_geom(env, argv[3], gv, 15, "conv: geometry must be an Int32Array of 15 non-negative values") ||
      !get_int(env, argv[4], &threads))
    return NULL;
  conv_geom g = {gv[0], gv[1], gv[2], gv[3], gv[4], gv[5], gv[6], gv[7], gv[8], gv[9], gv[10], gv[11], gv[12], gv[13], gv[14]};
  if (!geom_ok(&g)) {
    napi_throw_range_error(env, NULL, "conv: every extent, stride and dilation must be positive");
    return NULL;
  }
  const int64_t nx = g.n * g.h * g.w * g.ci, nw = g.kh * g.kw * g.ci * g.co, ny = g.n * g.ho * g.wo * g.co;
  const int64_t na = kind == CONV_INPUT_GRAD ? ny : nx;
  const int64_t nb = kind == CONV_FILTER_GRAD ? ny : nw;
  const int64_t no = kind == CONV_FORWARD ? ny : kind == CONV_FILTER_GRAD ? nw : nx;
  if (!fits(env, &A, na, "conv: first operand too short") || !fits(env, &B, nb, "conv: second operand too short") ||
      !fits(env, &O, no, "conv: output too short"))
    return NULL;
  if (!conv_run(kind, &g, A.data, B.data, O.data, threads)) {
    napi_throw_error(env, NULL, "conv: out of memory for the im2col buffer");
    return NULL;
  }
  napi_value r;
  napi_get_undefined(env, &r);
  return r;
}

static napi_value js_conv2d(napi_env env, napi_callback_info info) { return js_conv(env, info, CONV_FORWARD); }
static napi_value js_conv2d_filter_grad(napi_env env, napi_callback_info info) { return js_conv(env, info, CONV_FILTER_GRAD); }
static napi_value js_conv2d_input_grad(napi_env env, napi_callback_info info) { return js_conv(env, info, CONV_INPUT_GRAD); }

typedef struct {
  const float *dy, *x;
  float *dx;
  int64_t n, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, ho, wo;
  int failed;
} pool_grad_job;

/*
 * Windows that tile the image without overlap or padding (stride = window,
 * dilation 1: the EEG encoder's 1×4 time pooling) write every input they
 * cover exactly once, so no scatter and no zeroing pass is needed; the
 * channels of a window are walked together, contiguous.
 */
static int pool_tiles(const pool_grad_job *j) {
  return j->sh == j->kh && j->sw == j->kw && j->dh == 1 && j->dw == 1 && j->pt == 0 && j->pl == 0 && j->ho * j->kh <= j->h &&
         j->wo * j->kw <= j->w && j->c <= 1024;
}

/* One window's channels [0, C): the first largest tap per channel, then every tap's gradient (dy there, 0 elsewhere). Branch-free so that it vectorises. */
#define TILE_WINDOW(C)                                                                      \
  do {                                                                                      \
    for (int64_t ch = 0; ch < (C); ch++) { best[ch] = img[base + ch]; at[ch] = 0; }         \
    for (int64_t i = 0; i < j->kh; i++)                                                     \
      for (int64_t q = 0; q < j->kw; q++) {                                                 \
        const float *xp = img + base + (i * w + q) * (C);                                   \
        const int32_t tap = (int32_t)(i * j->kw + q);                                       \
        for (int64_t ch = 0; ch < (C); ch++) {                                              \
          const int more = xp[ch] > best[ch];                                               \
          best[ch] = more ? xp[ch] : best[ch];                                              \
          at[ch] = more ? tap : at[ch];                                                     \
        }                                                                                   \
      }                                                                                     \
    for (int64_t i = 0; i < j->kh; i++)                                                     \
      for (int64_t q = 0; q < j->kw; q++) {                                                 \
        float *dp = dimg + base + (i * w + q) * (C);                                        \
        const int32_t tap = (int32_t)(i * j->kw + q);                                       \
        for (int64_t ch = 0; ch < (C); ch++) dp[ch] = at[ch] == tap ? dyp[ch] : 0.f;        \
      }                                                                                     \
  } while (0)

static void maxpool_grad_tiled(const pool_grad_job *j, int64_t b) {
  const int64_t h = j->h, w = j->w, c = j->c;
  const float *img = j->x + b * h * w * c;
  float *dimg = j->dx + b * h * w * c;
  if (j->ho * j->kh != h || j->wo * j->kw != w) memset(dimg, 0, sizeof(float) * (size_t)(h * w * c)); /* uncovered border */
  float best[1024];
  int32_t at[1024];
  for (int64_t oh = 0; oh < j->ho; oh++) {
    for (int64_t ow = 0; ow < j->wo; ow++) {
      const float *dyp = j->dy + ((b * j->ho + oh) * j->wo + ow) * c;
      const int64_t base = (oh * j->kh * w + ow * j->kw) * c;
      switch (c) {
        case 4: TILE_WINDOW(4); break;
        case 8: TILE_WINDOW(8); break;
        case 16: TILE_WINDOW(16); break;
        default: TILE_WINDOW(c); break;
      }
    }
  }
}
#undef TILE_WINDOW

/* One image: each output's gradient goes to the first (row-major) largest input of its window. */
static void maxpool_grad_task(void *ctx, int64_t b) {
  pool_grad_job *j = (pool_grad_job *)ctx;
  if (pool_tiles(j)) {
    maxpool_grad_tiled(j, b);
    return;
  }
  const int64_t h = j->h, w = j->w, c = j->c, ho = j->ho, wo = j->wo;
  float *best = (float *)malloc(sizeof(float) * (size_t)c);
  int64_t *at = (int64_t *)malloc(sizeof(int64_t) * (size_t)c);
  if (!best || !at) {
    free(best); free(at);
    j->failed = 1;
    return;
  }
  const float *img = j->x + b * h * w * c;
  float *dimg = j->dx + b * h * w * c;
  memset(dimg, 0, sizeof(float) * (size_t)(h * w * c));
  /* Per output pixel, all channels at once: the window is walked in row-major order with channels innermost (contiguous). */
  for (int64_t oh = 0; oh < ho; oh++) {
    for (int64_t ow = 0; ow < wo; ow++) {
      const float *dyp = j->dy + ((b * ho + oh) * wo + ow) * c;
      for (int64_t ch = 0; ch < c; ch++) at[ch] = -1;
      for (int64_t i = 0; i < j->kh; i++) {
        const int64_t ih = oh * j->sh - j->pt + i * j->dh;
        if (ih < 0 || ih >= h) continue;
        for (int64_t q = 0; q < j->kw; q++) {
          const int64_t iw = ow * j->sw - j->pl + q * j->dw;
          if (iw < 0 || iw >= w) continue;
          const int64_t p = (ih * w + iw) * c;
          for (int64_t ch = 0; ch < c; ch++) {
            if (at[ch] < 0 || img[p + ch] > best[ch]) { best[ch] = img[p + ch]; at[ch] = p + ch; }
          }
        }
      }
      for (int64_t ch = 0; ch < c; ch++) if (at[ch] >= 0) dimg[at[ch]] += dyp[ch];
    }
  }
  free(best);
  free(at);
}

/*
 * maxPoolGrad(dy, x, dx, geom: Int32Array(14) [n,h,w,c, kh,kw, sh,sw, dh,dw, pt,pl, ho,wo], threads):
 * each output's gradient goes to the first (row-major) largest input of its
 * window, as tfjs's cpu backend chooses, so ties (ReLU zeros) route alike.
 * Images are independent, so they are the tasks.
 */
static napi_value js_maxpool_grad(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5) {
    napi_throw_error(env, NULL, "maxPoolGrad: 5 arguments expected");
    return NULL;
  }
  f32view DY, X, DX;
  int64_t g[14];
  int32_t threads;
  if (!get_f32(env, argv[0], &DY, "maxPoolGrad: dy must be a Float32Array") ||
      !get_f32(env, argv[1], &X, "maxPoolGrad: x must be a Float32Array") ||
      !get_f32(env, argv[2], &DX, "maxPoolGrad: dx must be a Float32Array") ||
      !get_geom(env, argv[3], g, 14, "maxPoolGrad: geometry must be an Int32Array of 14 non-negative values") || !get_int(env, argv[4], &threads))
    return NULL;
  pool_grad_job j = {DY.data, X.data, DX.data, g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13], 0};
  if (j.kh < 1 || j.kw < 1 || j.sh < 1 || j.sw < 1 || j.dh < 1 || j.dw < 1) {
    napi_throw_range_error(env, NULL, "maxPoolGrad: window, stride and dilation must be positive");
    return NULL;
  }
  if (!fits(env, &DY, j.n * j.ho * j.wo * j.c, "maxPoolGrad: dy too short") || !fits(env, &X, j.n * j.h * j.w * j.c, "maxPoolGrad: x too short") ||
      !fits(env, &DX, j.n * j.h * j.w * j.c, "maxPoolGrad: dx too short"))
    return NULL;
  pool_run(threads, j.n, maxpool_grad_task, &j);
  if (j.failed) {
    napi_throw_error(env, NULL, "maxPoolGrad: out of memory");
    return NULL;
  }
  napi_value r;
  napi_get_undefined(env, &r);
  return r;
}

/* sgemm on float32 views with an explicit thread count (tfjs MatMul/BatchMatMul). */
static napi_value js_sgemm_batched(napi_env env, napi_callback_info info) {
  /* (a, b, c, dims: Int32Array [batchA, batchB, m, n, k, transA, transB], threads) */
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5) {
    napi_throw_error(env, NULL, "batchMatMul: 5 arguments expected");
    return NULL;
  }
  f32view A, B, C;
  int64_t d[7];
  int32_t threads;
  if (!get_f32(env, argv[0], &A, "batchMatMul: a must be a Float32Array") ||
      !get_f32(env, argv[1], &B, "batchMatMul: b must be a Float32Array") ||
      !get_f32(env, argv[2], &C, "batchMatMul: c must be a Float32Array") ||
      !get_geom(env, argv[3], d, 7, "batchMatMul: dims must be an Int32Array of 7 non-negative values") ||
      !get_int(env, argv[4], &threads))
    return NULL;
  const int64_t ba = d[0], bb = d[1], m = d[2], n = d[3], k = d[4];
  const int ta = d[5] != 0, tb = d[6] != 0;
  const int64_t batch = ba > bb ? ba : bb;
  if ((ba != batch && ba != 1) || (bb != batch && bb != 1)) {
    napi_throw_range_error(env, NULL, "batchMatMul: batch sizes must match or be 1");
    return NULL;
  }
  if (!fits(env, &A, ba * m * k, "batchMatMul: a too short") || !fits(env, &B, bb * k * n, "batchMatMul: b too short") ||
      !fits(env, &C, batch * m * n, "batchMatMul: c too short"))
    return NULL;
  napi_value r;
  napi_get_undefined(env, &r);
  if (m == 0 || n == 0) return r;
  const int prev = openblas_get_num_threads();
  if (threads > 0 && threads != prev) openblas_set_num_threads(threads);
  for (int64_t i = 0; i < batch; i++) {
    const float *a = A.data + (ba == 1 ? 0 : i * m * k);
    const float *b = B.data + (bb == 1 ? 0 : i * k * n);
    float *c = C.data + i * m * n;
    if (k == 0) { memset(c, 0, sizeof(float) * (size_t)(m * n)); continue; }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, 1.f, a,
                ta ? (int)m : (int)k, b, tb ? (int)k : (int)n, 0.f, c, (int)n);
  }
  if (threads > 0 && threads != prev) openblas_set_num_threads(prev);
  return r;
}

int nn_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"conv2d", NULL, js_conv2d, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv2dFilterGrad", NULL, js_conv2d_filter_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv2dInputGrad", NULL, js_conv2d_input_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"maxPoolGrad", NULL, js_maxpool_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"batchMatMul", NULL, js_sgemm_batched, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) == napi_ok;
}

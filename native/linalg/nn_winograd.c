/*
 * Winograd F(2×2, 3×3) convolution (Lavin & Gray 2016) for stride-1,
 * undilated 3×3 layers with enough channels and tiles: each 2×2 output tile
 * comes from a 4×4 input tile as
 *   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
 * so that per tile and channel pair 16 multiplications replace 36. Over a
 * batch that is 16 products V_p · U_p (tiles × ci by ci × co), one per tile
 * position p, between an input transform and an output transform. BAN's
 * recurrent 3×3 layers (forward and input gradient) spend 2.25× fewer
 * multiply-adds than with im2col.
 *
 * The input gradient of a stride-1 convolution is itself a convolution: of dy
 * with the filter rotated by 180° and its channel axes swapped, padded by
 * 2 − pad; winograd_conv takes `flip` for that.
 *
 * Work is split into tasks by image (the transforms) and by tile position
 * (the 16 products), fixed by the shape: results do not depend on threads.
 */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include "nn_conv.h"
#include "nn_pool.h"

#define MIN_TILES 64                 /* below, the products are too thin for OpenBLAS */
#define MIN_CHANNELS 32              /* below, the transforms cost more than they save */
#define LIMIT ((int64_t)1 << 25)     /* floats of the transformed tensors at most */
#define CB 64                        /* channels per transform block (stack arrays) */

typedef struct {
  const conv_geom *g;
  const float *x;
  float *y;
  float *V, *M; /* 16 × T × ci and 16 × T × co for the chunk's T tiles */
  const float *U; /* 16 × ci × co */
  int64_t th, tw, T;
  int64_t n0; /* the chunk's first image */
} wino_job;

/* Images per chunk: the chunk's tiles (hence V and M) bounded, so that large images do not need the whole batch's transforms at once. */
#define CHUNK_TILES 1024

static int64_t tiles_per_image(const conv_geom *g) { return ((g->ho + 1) / 2) * ((g->wo + 1) / 2); }

static int64_t chunk_images(const conv_geom *g) {
  const int64_t per = tiles_per_image(g);
  const int64_t c = per >= CHUNK_TILES ? 1 : CHUNK_TILES / per;
  return c < g->n ? c : g->n;
}

int winograd_eligible(const conv_geom *g) {
  if (g->kh != 3 || g->kw != 3 || g->sh != 1 || g->sw != 1 || g->dh != 1 || g->dw != 1) return 0;
  if (g->ci < MIN_CHANNELS || g->co < MIN_CHANNELS) return 0;
  const int64_t T = chunk_images(g) * tiles_per_image(g);
  return g->n * tiles_per_image(g) >= MIN_TILES && 16 * T * (g->ci + g->co) + 16 * g->ci * g->co <= LIMIT;
}

/* Bᵀ d B for one block of cb channels: d[k] points at tap k's channels (row-major 4×4), v[16][CB] out. */
static inline void input_transform(const float *const d[16], float v[16][CB], int64_t cb) {
  float t[16][CB];
  for (int s = 0; s < 4; s++) {
    const float *restrict d0 = d[s], *restrict d1 = d[4 + s], *restrict d2 = d[8 + s], *restrict d3 = d[12 + s];
    for (int64_t c = 0; c < cb; c++) {
      t[s][c] = d0[c] - d2[c];
      t[4 + s][c] = d1[c] + d2[c];
      t[8 + s][c] = d2[c] - d1[c];
      t[12 + s][c] = d1[c] - d3[c];
    }
  }
  for (int r = 0; r < 4; r++)
    for (int64_t c = 0; c < cb; c++) {
      const float t0 = t[4 * r][c], t1 = t[4 * r + 1][c], t2 = t[4 * r + 2][c], t3 = t[4 * r + 3][c];
      v[4 * r][c] = t0 - t2;
      v[4 * r + 1][c] = t1 + t2;
      v[4 * r + 2][c] = t2 - t1;
      v[4 * r + 3][c] = t1 - t3;
    }
}

/* Tile row `row` of the chunk (image row / th, tile row row % th) into V; taps outside the image read zeros. */
static void input_task(void *ctx, int64_t row) {
  const wino_job *j = (const wino_job *)ctx;
  const conv_geom *g = j->g;
  const int64_t ci = g->ci, b = j->n0 + row / j->th, ty = row % j->th;
  static const float zeros[CB];
  float v[16][CB];
  const float *d[16];
  for (int64_t tx = 0; tx < j->tw; tx++) {
    const int64_t t = row * j->tw + tx;
    for (int64_t c0 = 0; c0 < ci; c0 += CB) {
      const int64_t cb = ci - c0 < CB ? ci - c0 : CB;
      for (int r = 0; r < 4; r++)
        for (int s = 0; s < 4; s++) {
          const int64_t ih = 2 * ty - g->pt + r, iw = 2 * tx - g->pl + s;
          const int inside = ih >= 0 && ih < g->h && iw >= 0 && iw < g->w;
          d[4 * r + s] = inside ? j->x + ((b * g->h + ih) * g->w + iw) * ci + c0 : zeros;
        }
      input_transform(d, v, cb);
      for (int p = 0; p < 16; p++) memcpy(j->V + (p * j->T + t) * ci + c0, v[p], sizeof(float) * (size_t)cb);
    }
  }
}

/* M_p = V_p · U_p. */
static void product_task(void *ctx, int64_t p) {
  const wino_job *j = (const wino_job *)ctx;
  const int64_t ci = j->g->ci, co = j->g->co;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)j->T, (int)co, (int)ci, 1.f, j->V + p * j->T * ci, (int)ci, j->U + p * ci * co,
              (int)co, 0.f, j->M + p * j->T * co, (int)co);
}

/* Tile row `row` of the chunk into y: Aᵀ m A, clipped at the output's edge. */
static void output_task(void *ctx, int64_t row) {
  const wino_job *j = (const wino_job *)ctx;
  const conv_geom *g = j->g;
  const int64_t co = g->co, b = j->n0 + row / j->th, ty = row % j->th;
  float a[8][CB];
  for (int64_t tx = 0; tx < j->tw; tx++) {
    const int64_t t = row * j->tw + tx;
    for (int64_t o0 = 0; o0 < co; o0 += CB) {
      const int64_t ob = co - o0 < CB ? co - o0 : CB;
      const float *m[16];
      for (int p = 0; p < 16; p++) m[p] = j->M + (p * j->T + t) * co + o0;
      /* Aᵀ m: two rows of four. */
      for (int s = 0; s < 4; s++)
        for (int64_t o = 0; o < ob; o++) {
          const float m0 = m[s][o], m1 = m[4 + s][o], m2 = m[8 + s][o], m3 = m[12 + s][o];
          a[s][o] = m0 + m1 + m2;
          a[4 + s][o] = m1 - m2 - m3;
        }
      for (int r = 0; r < 2; r++) {
        const int64_t oy = 2 * ty + r;
        if (oy >= g->ho) break;
        for (int s = 0; s < 2; s++) {
          const int64_t ox = 2 * tx + s;
          if (ox >= g->wo) break;
          float *yp = j->y + ((b * g->ho + oy) * g->wo + ox) * co + o0;
          const float *a0 = a[4 * r], *a1 = a[4 * r + 1], *a2 = a[4 * r + 2], *a3 = a[4 * r + 3];
          if (s == 0)
            for (int64_t o = 0; o < ob; o++) yp[o] = a0[o] + a1[o] + a2[o];
          else
            for (int64_t o = 0; o < ob; o++) yp[o] = a1[o] - a2[o] - a3[o];
        }
      }
    }
  }
}

/*
 * U_p = (G g Gᵀ)_p for every channel pair of the effective convolution
 * (input channel a, output channel b): g = w[i, j, a, b], or with `flip`
 * w[2 − i, 2 − j, b, a] (w is then [3, 3, co_e, ci_e]). Blocks of output
 * channels at a time, so that the arithmetic runs across them.
 */
static void filter_transform(const float *w, int64_t ci, int64_t co, int flip, float *U) {
  float g[9][CB], gg[12][CB], u[16][CB];
  for (int64_t a = 0; a < ci; a++)
    for (int64_t b0 = 0; b0 < co; b0 += CB) {
      const int64_t bb = co - b0 < CB ? co - b0 : CB;
      for (int i = 0; i < 3; i++)
        for (int k = 0; k < 3; k++) {
          float *gp = g[i * 3 + k];
          if (flip) {
            const float *src = w + ((2 - i) * 3 + (2 - k)) * ci * co + b0 * ci + a;
            for (int64_t b = 0; b < bb; b++) gp[b] = src[b * ci];
          } else {
            memcpy(gp, w + (i * 3 + k) * ci * co + a * co + b0, sizeof(float) * (size_t)bb);
          }
        }
      for (int k = 0; k < 3; k++)
        for (int64_t b = 0; b < bb; b++) {
          const float g0 = g[k][b], g1 = g[3 + k][b], g2 = g[6 + k][b];
          gg[k][b] = g0;
          gg[3 + k][b] = 0.5f * (g0 + g1 + g2);
          gg[6 + k][b] = 0.5f * (g0 - g1 + g2);
          gg[9 + k][b] = g2;
        }
      for (int r = 0; r < 4; r++)
        for (int64_t b = 0; b < bb; b++) {
          const float h0 = gg[3 * r][b], h1 = gg[3 * r + 1][b], h2 = gg[3 * r + 2][b];
          u[4 * r][b] = h0;
          u[4 * r + 1][b] = 0.5f * (h0 + h1 + h2);
          u[4 * r + 2][b] = 0.5f * (h0 - h1 + h2);
          u[4 * r + 3][b] = h2;
        }
      for (int p = 0; p < 16; p++) memcpy(U + (p * ci + a) * co + b0, u[p], sizeof(float) * (size_t)bb);
    }
}

int winograd_conv(const conv_geom *g, const float *x, const float *w, float *y, int flip, int threads) {
  const int64_t chunk = chunk_images(g), th = (g->ho + 1) / 2, tw = (g->wo + 1) / 2;
  wino_job j = {g, x, y, NULL, NULL, NULL, th, tw, chunk * th * tw, 0};
  float *buf = pool_scratch(1, (size_t)(16 * j.T * (g->ci + g->co) + 16 * g->ci * g->co));
  if (!buf) return 0;
  j.V = buf;
  j.M = buf + 16 * j.T * g->ci;
  float *U = j.M + 16 * j.T * g->co;
  filter_transform(w, g->ci, g->co, flip, U);
  j.U = U;
  for (int64_t n0 = 0; n0 < g->n; n0 += chunk) {
    const int64_t nb = g->n - n0 < chunk ? g->n - n0 : chunk;
    j.n0 = n0;
    j.T = nb * th * tw;
    pool_run(threads, nb * th, input_task, &j);
    pool_run(threads, 16, product_task, &j);
    pool_run(threads, nb * th, output_task, &j);
  }
  return 1;
}

/*
 * The filter gradient by the same transforms. The forward pass is linear in
 * g, y_tile = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A, so its adjoint is
 *   dg = Gᵀ [ Σ_tiles (Bᵀ d B) ⊙ (A dy_tile Aᵀ) ] G,
 * with dy's 2×2 tile zero beyond the output's edge: per tile position p one
 * product V_pᵀ · E_p (ci × tiles by tiles × co) summed over the tiles, then
 * one output transform per channel pair. 16 multiplications per tile and
 * channel pair replace im2col's 36.
 */
typedef struct {
  wino_job in; /* first: input_task reads it as a wino_job */
  const float *dy;
  float *E;   /* 16 × T × co: A dy Aᵀ per tile */
  float *acc; /* 16 × ci × co: the sums over tiles */
  int first;  /* the first chunk overwrites acc, later ones add to it */
} wgrad_job;

/* Tile row `row` of the chunk: E = A dy Aᵀ with A = [1 0; 1 1; 1 −1; 0 −1]. */
static void dy_task(void *ctx, int64_t row) {
  const wgrad_job *w = (const wgrad_job *)ctx;
  const wino_job *j = &w->in;
  const conv_geom *g = j->g;
  const int64_t co = g->co, b = j->n0 + row / j->th, ty = row % j->th;
  static const float zeros[CB];
  float e[16][CB];
  for (int64_t tx = 0; tx < j->tw; tx++) {
    const int64_t t = row * j->tw + tx;
    const float *q[4];
    for (int r = 0; r < 2; r++)
      for (int s = 0; s < 2; s++) {
        const int64_t oy = 2 * ty + r, ox = 2 * tx + s;
        q[2 * r + s] = oy < g->ho && ox < g->wo ? w->dy + ((b * g->ho + oy) * g->wo + ox) * co : NULL;
      }
    for (int64_t o0 = 0; o0 < co; o0 += CB) {
      const int64_t ob = co - o0 < CB ? co - o0 : CB;
      const float *restrict d00 = q[0] ? q[0] + o0 : zeros, *restrict d01 = q[1] ? q[1] + o0 : zeros;
      const float *restrict d10 = q[2] ? q[2] + o0 : zeros, *restrict d11 = q[3] ? q[3] + o0 : zeros;
      for (int64_t o = 0; o < ob; o++) {
        /* Rows: A·dy (4×2), then columns: (A·dy)·Aᵀ (4×4). */
        const float r0[2] = {d00[o], d01[o]};
        const float r1[2] = {d00[o] + d10[o], d01[o] + d11[o]};
        const float r2[2] = {d00[o] - d10[o], d01[o] - d11[o]};
        const float r3[2] = {-d10[o], -d11[o]};
        const float *rows[4] = {r0, r1, r2, r3};
        for (int r = 0; r < 4; r++) {
          e[4 * r][o] = rows[r][0];
          e[4 * r + 1][o] = rows[r][0] + rows[r][1];
          e[4 * r + 2][o] = rows[r][0] - rows[r][1];
          e[4 * r + 3][o] = -rows[r][1];
        }
      }
      for (int p = 0; p < 16; p++) memcpy(w->E + (p * j->T + t) * co + o0, e[p], sizeof(float) * (size_t)ob);
    }
  }
}

/* acc_p (+)= V_pᵀ · E_p over the chunk's tiles. */
static void grad_product_task(void *ctx, int64_t p) {
  const wgrad_job *w = (const wgrad_job *)ctx;
  const int64_t ci = w->in.g->ci, co = w->in.g->co, T = w->in.T;
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)ci, (int)co, (int)T, 1.f, w->in.V + p * T * ci, (int)ci, w->E + p * T * co, (int)co,
              w->first ? 0.f : 1.f, w->acc + p * ci * co, (int)co);
}

/* dw[·, ·, c, :] = Gᵀ acc G for input channel c, across the output channels. */
static void grad_output_task(void *ctx, int64_t c) {
  const wgrad_job *w = (const wgrad_job *)ctx;
  const int64_t ci = w->in.g->ci, co = w->in.g->co;
  float *dw = w->in.y;
  for (int64_t o = 0; o < co; o++) {
    float m[16], t[3][4];
    for (int p = 0; p < 16; p++) m[p] = w->acc[(p * ci + c) * co + o];
    for (int s = 0; s < 4; s++) {
      t[0][s] = m[s] + 0.5f * (m[4 + s] + m[8 + s]);
      t[1][s] = 0.5f * (m[4 + s] - m[8 + s]);
      t[2][s] = 0.5f * (m[4 + s] + m[8 + s]) + m[12 + s];
    }
    for (int i = 0; i < 3; i++) {
      dw[((i * 3 + 0) * ci + c) * co + o] = t[i][0] + 0.5f * (t[i][1] + t[i][2]);
      dw[((i * 3 + 1) * ci + c) * co + o] = 0.5f * (t[i][1] - t[i][2]);
      dw[((i * 3 + 2) * ci + c) * co + o] = 0.5f * (t[i][1] + t[i][2]) + t[i][3];
    }
  }
}

int winograd_filter_grad(const conv_geom *g, const float *x, const float *dy, float *dw, int threads) {
  const int64_t chunk = chunk_images(g), th = (g->ho + 1) / 2, tw = (g->wo + 1) / 2;
  wgrad_job w = {{g, x, dw, NULL, NULL, NULL, th, tw, chunk * th * tw, 0}, dy, NULL, NULL, 1};
  float *buf = pool_scratch(1, (size_t)(16 * w.in.T * (g->ci + g->co) + 16 * g->ci * g->co));
  if (!buf) return 0;
  w.in.V = buf;
  w.E = buf + 16 * w.in.T * g->ci;
  w.acc = w.E + 16 * w.in.T * g->co;
  for (int64_t n0 = 0; n0 < g->n; n0 += chunk) {
    const int64_t nb = g->n - n0 < chunk ? g->n - n0 : chunk;
    w.in.n0 = n0;
    w.in.T = nb * th * tw;
    pool_run(threads, nb * th, input_task, &w.in);
    pool_run(threads, nb * th, dy_task, &w);
    pool_run(threads, 16, grad_product_task, &w);
    w.first = 0;
  }
  pool_run(threads, g->ci, grad_output_task, &w);
  return 1;
}

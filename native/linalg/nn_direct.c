/*
 * Direct convolutions for one input channel and at most 8 outputs (the EEG
 * encoder's first layer): im2col would build rows of only kh·kw floats for an
 * sgemm whose N is only co, a shape where packing dominates.
 */
#include <stdlib.h>
#include <string.h>
#include "nn_conv.h"

/*
 * One input channel and at most 8 outputs (the EEG encoder's first layer)
 * skip im2col: its rows would be only kh·kw floats and the sgemm's N only co,
 * a shape where packing dominates (3–5 GFLOP/s for the 3×5×1×4 layer).
 * Instead each input sample is broadcast against the tap's co weights, a
 * contiguous run the compiler vectorises (2.6× faster there). With 16 or more
 * outputs (BAN's 7×7×1×16) im2col + sgemm wins again (measured 3.5×), so
 * those keep it.
 */
int direct_eligible(const conv_geom *g) { return g->ci == 1 && g->co <= 8; }

/* Output columns [*o0, *o1) whose tap j reads inside the row: 0 ≤ ow·sw − pl + j·dw < w. */
static inline void col_range(const conv_geom *g, int64_t j, int64_t *o0, int64_t *o1) {
  const int64_t off = j * g->dw - g->pl; /* iw = ow·sw + off */
  int64_t lo = off >= 0 ? 0 : (-off + g->sw - 1) / g->sw;
  int64_t hi = g->w - 1 - off < 0 ? 0 : (g->w - 1 - off) / g->sw + 1;
  if (hi > g->wo) hi = g->wo;
  if (lo > hi) lo = hi;
  *o0 = lo;
  *o1 = hi;
}

/* y[ow·co + o] += x[ow·sw] · wv[o]: a constant `co` (the callers' dispatch) lets the compiler vectorise the inner loop. */
static inline void axpy_body(float *restrict y, const float *restrict x, int64_t sw, int64_t n, const float *restrict wv, int64_t co) {
  for (int64_t ow = 0; ow < n; ow++) {
    const float xv = x[ow * sw];
    for (int64_t o = 0; o < co; o++) y[ow * co + o] += xv * wv[o];
  }
}

static void axpy_run(float *y, const float *x, int64_t sw, int64_t n, const float *wv, int64_t co) {
  if (co == 4) axpy_body(y, x, sw, n, wv, 4);
  else if (co == 8) axpy_body(y, x, sw, n, wv, 8);
  else axpy_body(y, x, sw, n, wv, co);
}

/* Tap by tap over a whole output row: with so few outputs a pixel's sums are too short a loop to keep in registers. */
static void direct_row_by_tap(const conv_geom *g, const float *x, const float *w, float *yrow, int64_t b, int64_t oh) {
  const int64_t co = g->co;
  memset(yrow, 0, sizeof(float) * (size_t)(g->wo * co));
  for (int64_t i = 0; i < g->kh; i++) {
    const int64_t ih = oh * g->sh - g->pt + i * g->dh;
    if (ih < 0 || ih >= g->h) continue;
    const float *xrow = x + (b * g->h + ih) * g->w;
    for (int64_t j = 0; j < g->kw; j++) {
      int64_t o0, o1;
      col_range(g, j, &o0, &o1);
      if (o0 < o1) axpy_run(yrow + o0 * co, xrow + o0 * g->sw + j * g->dw - g->pl, g->sw, o1 - o0, w + (i * g->kw + j) * co, co);
    }
  }
}

/* Any stride and dilation: y[b, oh, ow, :] = Σ_taps x[b, ih, iw] · w[i, j, 0, :], taps summed in row-major order. */
static void tapwise_forward(const conv_geom *g, const float *x, const float *w, float *y, int64_t n0, int64_t nb) {
  for (int64_t b = n0; b < n0 + nb; b++)
    for (int64_t oh = 0; oh < g->ho; oh++) direct_row_by_tap(g, x, w, y + (b * g->ho + oh) * g->wo * g->co, b, oh);
}

/* acc[o] += Σ_ow x[ow·sw] · dy[ow·co + o], vectorised over o as axpy_body is. */
static inline void dot_body(float *restrict acc, const float *restrict x, int64_t sw, int64_t n, const float *restrict dy, int64_t co) {
  for (int64_t ow = 0; ow < n; ow++) {
    const float xv = x[ow * sw];
    for (int64_t o = 0; o < co; o++) acc[o] += xv * dy[ow * co + o];
  }
}

static void dot_run(float *acc, const float *x, int64_t sw, int64_t n, const float *dy, int64_t co) {
  if (co == 4) dot_body(acc, x, sw, n, dy, 4);
  else if (co == 8) dot_body(acc, x, sw, n, dy, 8);
  else dot_body(acc, x, sw, n, dy, co);
}

/* dw[i, j, 0, :] (+)= Σ_{b, oh, ow} x[b, ih, iw] · dy[b, oh, ow, :] over images [n0, n0 + nb); dw is zeroed first when `zero`. */
static void tapwise_filter_grad(const conv_geom *g, const float *x, const float *dy, float *dw, int64_t n0, int64_t nb, int zero) {
  const int64_t co = g->co;
  float acc[8];
  if (zero) memset(dw, 0, sizeof(float) * (size_t)(g->kh * g->kw * co));
  for (int64_t i = 0; i < g->kh; i++) {
    for (int64_t j = 0; j < g->kw; j++) {
      int64_t o0, o1;
      col_range(g, j, &o0, &o1);
      if (o0 >= o1) continue;
      float *dst = dw + (i * g->kw + j) * co;
      for (int64_t b = n0; b < n0 + nb; b++) {
        for (int64_t oh = 0; oh < g->ho; oh++) {
          const int64_t ih = oh * g->sh - g->pt + i * g->dh;
          if (ih < 0 || ih >= g->h) continue;
          /* One output row's sum in registers, then added: shorter float sums than one running total. */
          for (int64_t o = 0; o < co; o++) acc[o] = 0;
          dot_run(acc, x + (b * g->h + ih) * g->w + o0 * g->sw + j * g->dw - g->pl, g->sw, o1 - o0, dy + ((b * g->ho + oh) * g->wo + o0) * co, co);
          for (int64_t o = 0; o < co; o++) dst[o] += acc[o];
        }
      }
    }
  }
}


/*
 * Stride 1, dilation 1 (the EEG encoder's first layer): per output row the
 * input rows it reads are zero-padded once, and outputs are computed in
 * blocks of 4–8 columns, all channels, whose sums stay in registers over
 * every tap; a tap is then one multiply-add of a contiguous input run by its
 * weight. Taps are summed in row-major order, as the tap-wise kernel does.
 * Written with GCC/Clang vector extensions (4 floats per register on any
 * target: SSE, NEON, or scalar code where there is neither), because the
 * auto-vectoriser kept the accumulators in memory.
 */
#define BLOCK 8 /* output columns per block at most: the padded rows' granularity */
#define MAX_CO 8

typedef float v4 __attribute__((vector_size(16)));

static inline v4 load4(const float *p) {
  v4 v;
  memcpy(&v, p, sizeof v);
  return v;
}

static int planar_ok(const conv_geom *g) { return g->sw == 1 && g->dw == 1 && g->dh == 1 && g->co <= MAX_CO && g->kh <= 64; }

/* xp[t] = x row ih at column t − pl for t < len, zero outside the row. */
static void padded_row(const conv_geom *g, const float *xrow, float *xp, int64_t len) {
  for (int64_t t = 0; t < len; t++) {
    const int64_t iw = t - g->pl;
    xp[t] = iw >= 0 && iw < g->w ? xrow[iw] : 0.f;
  }
}

/* Padded row length: every block may read BLOCK + kw − 1 columns from its start. */
static int64_t padded_len(const conv_geom *g) { return ((g->wo + BLOCK - 1) / BLOCK) * BLOCK + g->kw; }

/* Output columns [ow0, ow0 + 4·NV) of one row, CO channels; advances ow0. */
#define PLANAR_BLOCK(CO, NV)                                                            \
  do {                                                                                  \
    v4 acc[CO][NV];                                                                     \
    for (int o = 0; o < (CO); o++)                                                      \
      for (int v = 0; v < (NV); v++) acc[o][v] = (v4){0.f, 0.f, 0.f, 0.f};              \
    for (int64_t r = 0; r < rows; r++)                                                  \
      for (int64_t j = 0; j < kw; j++) {                                                \
        const float *src = xp + r * len + ow0 + j;                                      \
        const float *wv = w + (taps_i[r] * kw + j) * (CO);                              \
        v4 in[NV];                                                                      \
        for (int v = 0; v < (NV); v++) in[v] = load4(src + 4 * v);                      \
        for (int o = 0; o < (CO); o++)                                                  \
          for (int v = 0; v < (NV); v++) acc[o][v] += wv[o] * in[v];                    \
      }                                                                                 \
    const int64_t n = g->wo - ow0 < 4 * (NV) ? g->wo - ow0 : 4 * (NV);                  \
    for (int64_t t = 0; t < n; t++)                                                     \
      for (int o = 0; o < (CO); o++) yrow[(ow0 + t) * (CO) + o] = acc[o][t / 4][t % 4]; \
    ow0 += 4 * (NV);                                                                    \
  } while (0)

static void planar_forward(const conv_geom *g, const float *x, const float *w, float *y, int64_t n0, int64_t nb, float *xp) {
  const int64_t co = g->co, kw = g->kw, len = padded_len(g);
  int64_t taps_i[64];
  for (int64_t b = n0; b < n0 + nb; b++)
    for (int64_t oh = 0; oh < g->ho; oh++) {
      int64_t rows = 0;
      for (int64_t i = 0; i < g->kh; i++) {
        const int64_t ih = oh * g->sh - g->pt + i;
        if (ih < 0 || ih >= g->h) continue;
        padded_row(g, x + (b * g->h + ih) * g->w, xp + rows * len, len);
        taps_i[rows++] = i;
      }
      float *yrow = y + (b * g->ho + oh) * g->wo * co;
      int64_t ow0 = 0;
      while (ow0 < g->wo) {
        switch (co) {
          case 1: PLANAR_BLOCK(1, 2); break;
          case 2: PLANAR_BLOCK(2, 2); break;
          case 3: PLANAR_BLOCK(3, 2); break;
          case 4: PLANAR_BLOCK(4, 2); break;
          case 5: PLANAR_BLOCK(5, 1); break;
          case 6: PLANAR_BLOCK(6, 1); break;
          case 7: PLANAR_BLOCK(7, 1); break;
          default: PLANAR_BLOCK(8, 1); break;
        }
      }
    }
}
#undef PLANAR_BLOCK

/* Σ_t a[t]·b[t] over n (a multiple of 8) values in two 4-lane accumulators, lanes added in a fixed order. */
static float lane_dot(const float *a, const float *b, int64_t n) {
  v4 s0 = {0.f, 0.f, 0.f, 0.f}, s1 = s0;
  for (int64_t t = 0; t < n; t += 8) {
    s0 += load4(a + t) * load4(b + t);
    s1 += load4(a + t + 4) * load4(b + t + 4);
  }
  return ((s0[0] + s1[0]) + (s0[1] + s1[1])) + ((s0[2] + s1[2]) + (s0[3] + s1[3]));
}

static void planar_filter_grad(const conv_geom *g, const float *x, const float *dy, float *dw, int64_t n0, int64_t nb, int zero, float *xp) {
  const int64_t co = g->co, kw = g->kw, len = padded_len(g);
  const int64_t span = ((g->wo + 7) / 8) * 8; /* dot length: the row padded to whole lanes, zeros beyond wo */
  float *dyp = xp + len;                       /* co planes of span floats */
  if (zero) memset(dw, 0, sizeof(float) * (size_t)(g->kh * kw * co));
  for (int64_t b = n0; b < n0 + nb; b++)
    for (int64_t oh = 0; oh < g->ho; oh++) {
      const float *dyrow = dy + (b * g->ho + oh) * g->wo * co;
      for (int64_t o = 0; o < co; o++) {
        float *plane = dyp + o * span;
        for (int64_t t = 0; t < g->wo; t++) plane[t] = dyrow[t * co + o];
        for (int64_t t = g->wo; t < span; t++) plane[t] = 0.f;
      }
      for (int64_t i = 0; i < g->kh; i++) {
        const int64_t ih = oh * g->sh - g->pt + i;
        if (ih < 0 || ih >= g->h) continue;
        padded_row(g, x + (b * g->h + ih) * g->w, xp, len);
        for (int64_t j = 0; j < kw; j++)
          for (int64_t o = 0; o < co; o++) dw[(i * kw + j) * co + o] += lane_dot(xp + j, dyp + o * span, span);
      }
    }
}

void direct_forward(const conv_geom *g, const float *x, const float *w, float *y, int64_t n0, int64_t nb) {
  float *xp = planar_ok(g) ? (float *)malloc(sizeof(float) * (size_t)(g->kh * padded_len(g))) : NULL;
  if (xp) planar_forward(g, x, w, y, n0, nb, xp);
  else tapwise_forward(g, x, w, y, n0, nb);
  free(xp);
}

void direct_filter_grad(const conv_geom *g, const float *x, const float *dy, float *dw, int64_t n0, int64_t nb, int zero) {
  const int64_t span = ((g->wo + 7) / 8) * 8;
  float *xp = planar_ok(g) ? (float *)malloc(sizeof(float) * (size_t)(padded_len(g) + g->co * span)) : NULL;
  if (xp) planar_filter_grad(g, x, dy, dw, n0, nb, zero, xp);
  else tapwise_filter_grad(g, x, dy, dw, n0, nb, zero);
  free(xp);
}

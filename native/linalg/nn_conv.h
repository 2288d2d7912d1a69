/* Convolution geometry and the direct (no im2col) convolutions of nn_direct.c, used by nn.c. */
#ifndef BRAINALIGN_NN_CONV_H
#define BRAINALIGN_NN_CONV_H
#include <stdint.h>

/* NHWC input [n, h, w, ci], HWIO filter [kh, kw, ci, co], output [n, ho, wo, co]; strides, dilations, top/left padding. */
typedef struct {
  int64_t n, h, w, ci, kh, kw, co, sh, sw, dh, dw, pt, pl, ho, wo;
} conv_geom;

/* Whether the direct kernels below handle this geometry (one input channel, few outputs). */
int direct_eligible(const conv_geom *g);

/* y for images [n0, n0 + nb). */
void direct_forward(const conv_geom *g, const float *x, const float *w, float *y, int64_t n0, int64_t nb);

/* dw (+)= the filter gradient over images [n0, n0 + nb); dw is zeroed first when `zero`. */
void direct_filter_grad(const conv_geom *g, const float *x, const float *dy, float *dw, int64_t n0, int64_t nb, int zero);

/* Whether Winograd F(2×2, 3×3) (nn_winograd.c) handles this geometry: 3×3, stride 1, undilated, enough channels and tiles. */
int winograd_eligible(const conv_geom *g);

/*
 * y = conv(x, w) by Winograd for an eligible geometry; with `flip` the
 * filter is read rotated by 180° with its channel axes swapped (w is then
 * [3, 3, g->co, g->ci]), which makes the input gradient. 0 when out of memory.
 */
int winograd_conv(const conv_geom *g, const float *x, const float *w, float *y, int flip, int threads);

/* dw = the filter gradient of an eligible geometry from x and dy, by the same transforms; 0 when out of memory. */
int winograd_filter_grad(const conv_geom *g, const float *x, const float *dy, float *dw, int threads);

#endif

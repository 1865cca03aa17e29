/* 2-D convolution (src/ops/conv.c): im2col + sgemm, forward and backward side by side. */
#ifndef NABLA_CONV_H
#define NABLA_CONV_H
#include "../core/tensor.h"

/* Geometry of a 2-D window op: {height, width} pairs. */
typedef struct nb_conv2d_opts {
    int64_t stride[2];    /* >= 1 */
    int64_t padding[2];   /* >= 0, zeros on every side */
    int64_t dilation[2];  /* >= 1 */
    int64_t groups;       /* >= 1, divides C and O */
    int algorithm;        /* NB_CONV_AUTO (0), NB_CONV_IM2COL or NB_CONV_DIRECT */
} nb_conv2d_opts;

/* How the products are computed (src/ops/conv.c): the im2col matrix times sgemm, or the
 * direct shifted product (stride 1, groups 1, vector kernels; elsewhere im2col is used even
 * when direct is asked for). AUTO picks, per product, the one measured faster for its shape. */
enum { NB_CONV_AUTO = 0, NB_CONV_IM2COL = 1, NB_CONV_DIRECT = 2 };

/* conv2d: x (N, C, H, W) or unbatched (C, H, W), w (O, C/groups, kh, kw), b (O) or NULL.
 * Out (N, O, H', W') with H' = (H + 2·ph − dh·(kh − 1) − 1) / sh + 1 (same for W).
 * Differentiable in x, w and b. opts NULL means stride 1, no padding, dilation 1, groups 1. */
nb_tensor *nb_conv2d(nb_tensor *x, nb_tensor *w, nb_tensor *b, const nb_conv2d_opts *opts);

/* conv_transpose2d (PyTorch's): the adjoint of conv2d in its input, which upsamples.
 * x (N, C, H, W) or (C, H, W), w (C, O/groups, kh, kw), b (O) or NULL; opts as conv2d's
 * (algorithm ignored); output_padding {h, w} (NULL: 0), each < its stride or dilation.
 * Out (N, O, H', W'), H' = (H − 1)·sh − 2·ph + dh·(kh − 1) + oph + 1 (same for W).
 * Differentiable in x, w and b. */
nb_tensor *nb_conv_transpose2d(nb_tensor *x, nb_tensor *w, nb_tensor *b,
                               const nb_conv2d_opts *opts, const int64_t output_padding[2]);
#endif

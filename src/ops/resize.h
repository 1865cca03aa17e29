/* Resizing images (src/ops/resize.c): nearest and bilinear upsampling (PyTorch's
 * F.interpolate / nn.Upsample for 4-D inputs). */
#ifndef NABLA_RESIZE_H
#define NABLA_RESIZE_H
#include <stdbool.h>
#include "../core/tensor.h"

enum { NB_RESIZE_NEAREST = 0, NB_RESIZE_BILINEAR = 1 };

/* x (N, C, H, W) -> (N, C, oh, ow). scale {sh, sw}: the factor the output
 * size came from (H·sh floored), or 0 to use H/oh; PyTorch picks source pixels with it:
 *   nearest   src = min(floor(dst / sh), H − 1)
 *   bilinear  src = (dst + ½) / sh − ½ clamped at 0 (align_corners false), or
 *             src = dst·(H − 1)/(oh − 1) (align_corners true), between the two neighbours.
 * Differentiable in x. */
nb_tensor *nb_upsample(nb_tensor *x, int64_t oh, int64_t ow, const double scale[2], int mode,
                       bool align_corners);
#endif

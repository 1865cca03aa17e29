/* Compositing lines of handwritten digits (data.mnist_lines, lua/nabla/mnist_lines.lua):
 * the random choices (which digits, scale, gaps, jitter, ink) are drawn in Lua, where a
 * learner can read them; the pixel work is here. No autograd: this is the data path. */
#ifndef NABLA_LINES_H
#define NABLA_LINES_H

#include "../core/tensor.h"

/* canvas (H, W) = max(canvas, glyph scaled by s and placed with its top-left corner at
 * (x, y) in canvas pixels), in place; glyph (h, w). Sampling is bilinear in the glyph,
 * which is 0 outside; the canvas is not changed outside the placed glyph. Both tensors
 * 2-d float, the canvas contiguous. s in (0, 8]. Returns 0, or -1 after nb_error(). */
int nb_paste_max(nb_tensor *canvas, const nb_tensor *glyph, double x, double y, double s);
#endif

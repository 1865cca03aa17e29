/* The shifted matrix product behind nabla's direct convolutions (src/ops/convmm.c).
 *
 *   out[r, :] (+)= Σ_l src[rowoff[r] + off[l]] · V[l, :]      r < R, l < L, V is (L, ncols)
 *
 * Every product of a stride-1 convolution has this form, with no im2col buffer: in the
 * forward, r runs over output pixels (rowoff = where each one's receptive field starts in
 * the image), l over (channel, tap) (off = where each tap is from that start), and V is the
 * weight, transposed to (C·kh·kw, O); the weight gradient swaps the roles of pixels and taps
 * (V = dyᵀ); the input gradient is the forward of the padded dy with the flipped weight.
 * See src/ops/conv.c. */
#ifndef NABLA_CONVMM_H
#define NABLA_CONVMM_H
#include <stdbool.h>
#include <stdint.h>

/* out must have this many rows beyond R: the last tile of rows is computed whole (its extra
 * rows repeat row R − 1) and written there. */
#define NB_CONVMM_SLACK 12

/* The vector width in floats the kernels were compiled for (16 with AVX-512, 8 with AVX2
 * and FMA), or 0 if this build has no vector kernels: nb_convmm needs ncols to be a
 * multiple of it. */
int nb_convmm_width(void);

/* out (R + NB_CONVMM_SLACK, ncols), row-major: = (accumulate: +=) the product above.
 * Single-threaded (callers run it on many threads at once); src is read only at
 * src[rowoff[r] + off[l]]. */
void nb_convmm(const float *src, const int64_t *rowoff, int64_t R, const int64_t *off,
               int64_t L, const float *V, int64_t ncols, float *out, bool accumulate);

/* dst (cols, rows) = srcᵀ, src (rows, cols) with rows ldsrc floats apart, dst rows ldd apart;
 * with bias (cols values or NULL) added: dst[c, r] = src[r, c] + bias[c]. */
void nb_transpose2d(const float *src, int64_t rows, int64_t cols, int64_t ldsrc, float *dst,
                  int64_t ldd, const float *bias);
#endif

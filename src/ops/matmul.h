/* Matrix products (src/ops/matmul.c), all through one sgemm (src/ops/blas.h), all
 * differentiable. Transposed and sliced views go to sgemm without a copy whenever one of a
 * matrix's two strides is 1. */
#ifndef NABLA_MATMUL_H
#define NABLA_MATMUL_H
#include "../core/tensor.h"
#include "blas.h"

/* mm: a (M, K) · b (K, N) -> (M, N) */
nb_tensor *nb_mm(nb_tensor *a, nb_tensor *b);
/* bmm: a (B, M, K) · b (B, K, N) -> (B, M, N), one product per batch entry */
nb_tensor *nb_bmm(nb_tensor *a, nb_tensor *b);
/* matmul, as torch.matmul: 1-D · 1-D is the dot product (0-d); 2-D · 1-D and 1-D · 2-D
 * are matrix-vector products; N-D inputs are stacks of matrices whose batch dims (all but
 * the last two) broadcast, a 1-D input being promoted to a row (first) or a column
 * (second) and the added dim removed from the result. */
nb_tensor *nb_matmul(nb_tensor *a, nb_tensor *b);
/* dot: a (K) · b (K) -> 0-d;  mv: a (M, K) · b (K) -> (M) */
nb_tensor *nb_dot(nb_tensor *a, nb_tensor *b);
nb_tensor *nb_mv(nb_tensor *a, nb_tensor *b);
/* outer: a (M), b (N) -> (M, N) with out[i, j] = a[i] · b[j] */
nb_tensor *nb_outer(nb_tensor *a, nb_tensor *b);
/* linear: y = x · wᵀ + b with x (..., in), w (out, in), b (out) or NULL -> (..., out).
 * One sgemm over all leading dims of x, the bias added by the sgemm itself (beta = 1). */
nb_tensor *nb_linear(nb_tensor *x, nb_tensor *w, nb_tensor *b);
/* mm_naive: a (M, K) · b (K, N) by three plain loops on one thread, order "ijk" (NULL) or
 * "ikj"; no BLAS, no autograd: the reference the hardware lesson measures BLAS against. */
nb_tensor *nb_mm_naive(nb_tensor *a, nb_tensor *b, const char *order);
#endif

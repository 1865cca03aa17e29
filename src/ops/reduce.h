/* Reductions and softmax (src/ops/reduce.c).
 *
 * A full reduction (no dim) returns a 0-d tensor, as PyTorch does (`loss:item()`).
 * A reduction over one dim (0-based; negative counts from the end) drops that dim, or
 * keeps it with size 1 when keepdim is true. Inputs may be strided (transposed, permuted,
 * sliced). Index outputs (argmax, the indices of max/min over a dim) hold 1-BASED
 * positions as float32 and are never differentiable. */
#ifndef NABLA_REDUCE_H
#define NABLA_REDUCE_H
#include "../core/tensor.h"

/* sum and mean */
nb_tensor *nb_sum(nb_tensor *a);
nb_tensor *nb_sum_dim(nb_tensor *a, int dim, bool keepdim);
nb_tensor *nb_mean(nb_tensor *a);
nb_tensor *nb_mean_dim(nb_tensor *a, int dim, bool keepdim);

/* variance and standard deviation: Σ (x - mean)² / (N - correction); correction 1 is the
 * unbiased estimate (PyTorch's default), 0 the population one */
nb_tensor *nb_var(nb_tensor *a, int correction);
nb_tensor *nb_var_dim(nb_tensor *a, int dim, int correction, bool keepdim);
nb_tensor *nb_std(nb_tensor *a, int correction);
nb_tensor *nb_std_dim(nb_tensor *a, int dim, int correction, bool keepdim);

/* product */
nb_tensor *nb_prod(nb_tensor *a);
nb_tensor *nb_prod_dim(nb_tensor *a, int dim, bool keepdim);

/* max/min of all elements (a 0-d tensor; ties share the gradient evenly, as PyTorch);
 * over a dim: values (differentiable: the gradient goes to the chosen position) and
 * indices (1-based; ties pick the first). *values and *indices receive new references;
 * either pointer may be NULL when that output is not wanted. Return 0, or -1 + error. */
nb_tensor *nb_max(nb_tensor *a);
nb_tensor *nb_min(nb_tensor *a);
int nb_max_dim(nb_tensor *a, int dim, bool keepdim, nb_tensor **values, nb_tensor **indices);
int nb_min_dim(nb_tensor *a, int dim, bool keepdim, nb_tensor **values, nb_tensor **indices);

/* argmax/argmin: 1-based positions (in row-major order for the full version) */
nb_tensor *nb_argmax(nb_tensor *a);
nb_tensor *nb_argmin(nb_tensor *a);
nb_tensor *nb_argmax_dim(nb_tensor *a, int dim, bool keepdim);
nb_tensor *nb_argmin_dim(nb_tensor *a, int dim, bool keepdim);

/* log Σ exp(a), computed as m + log Σ exp(a - m) with m the max */
nb_tensor *nb_logsumexp(nb_tensor *a);
nb_tensor *nb_logsumexp_dim(nb_tensor *a, int dim, bool keepdim);

/* p-norm (Σ |a|^p)^(1/p) for p > 0; p = INFINITY gives max |a| */
nb_tensor *nb_norm(nb_tensor *a, double p);
nb_tensor *nb_norm_dim(nb_tensor *a, double p, int dim, bool keepdim);

/* softmax and log_softmax along dim, numerically stable, with fused backward */
nb_tensor *nb_softmax(nb_tensor *a, int dim);
nb_tensor *nb_log_softmax(nb_tensor *a, int dim);

#endif

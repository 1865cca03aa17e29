/* Normalisation and regularisation layers (src/ops/norm.c): batch, layer and group norm,
 * dropout, and the embedding lookup. */
#ifndef NABLA_NORM_H
#define NABLA_NORM_H
#include <stdbool.h>
#include "../core/tensor.h"

/* batch_norm: x (N, C) or (N, C, *), statistics per channel over N and *.
 * training (or no running stats): batch mean and biased variance normalise; running_mean
 * and running_var (C), if given, are updated in place with momentum m:
 * r = (1 − m)·r + m·batch statistic, the variance unbiased (M/(M−1), M = N·*) as PyTorch.
 * eval: the running statistics normalise. weight, bias (C) or NULL. Differentiable in x,
 * weight and bias (never in the running statistics). */
nb_tensor *nb_batch_norm(nb_tensor *x, nb_tensor *running_mean, nb_tensor *running_var,
                         nb_tensor *weight, nb_tensor *bias, bool training, double momentum,
                         double eps);
/* layer_norm: normalises over the last nd dims of x (their sizes in shape, which must
 * match); weight, bias have that shape, or NULL. */
nb_tensor *nb_layer_norm(nb_tensor *x, int nd, const int64_t *shape, nb_tensor *weight,
                         nb_tensor *bias, double eps);
/* group_norm: x (N, C, *), C split into groups; statistics per (sample, group);
 * weight, bias (C) or NULL. */
nb_tensor *nb_group_norm(nb_tensor *x, int64_t groups, nb_tensor *weight, nb_tensor *bias,
                         double eps);

/* dropout (inverted): in training, each element is zeroed with probability p (the seeded
 * RNG) and the others scaled by 1/(1 − p); outside training it is the identity (x itself). */
nb_tensor *nb_dropout(nb_tensor *x, double p, bool training);

/* embedding: idx of any shape holding 1-based row ids of weight (V, D); out has shape
 * idx.shape + (D). padding_idx (1-based, or 0 for none): that row gets no gradient.
 * Differentiable in weight (the gradient is scatter-added into its rows). */
nb_tensor *nb_embedding(nb_tensor *idx, nb_tensor *weight, int64_t padding_idx);
#endif

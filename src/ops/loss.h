/* Loss functions (src/ops/loss.c), fused and numerically stable, forward and backward side
 * by side. Class ids are 1-based (a target of 1 is the first class). */
#ifndef NABLA_LOSS_H
#define NABLA_LOSS_H
#include <stdbool.h>
#include "../core/tensor.h"

typedef enum { NB_REDUCE_NONE, NB_REDUCE_MEAN, NB_REDUCE_SUM } nb_reduction;

typedef struct nb_loss_opts {
    nb_reduction reduction;  /* mean unless told */
    nb_tensor *weight;       /* class weights (C) for cross_entropy / nll_loss; element
                                weights (broadcast to the input) for the BCE losses; NULL */
    nb_tensor *pos_weight;   /* binary_cross_entropy_with_logits: weight of positives */
    double label_smoothing;  /* cross_entropy: ε in [0, 1] */
    double ignore_index;     /* cross_entropy / nll_loss: a target value that is skipped */
    double beta;             /* smooth_l1_loss: the quadratic zone (1.0) */
    double delta;            /* huber_loss: the quadratic zone (1.0) */
    bool full;               /* gaussian_nll_loss: add 0.5·log(2π) */
    double eps;              /* gaussian_nll_loss: variance clamp (1e-6) */
} nb_loss_opts;

/* The defaults above (PyTorch's): mean, no weights, ignore_index -100, beta = delta = 1,
 * eps 1e-6. */
nb_loss_opts nb_loss_defaults(void);

/* logits (N, C), (N, C, d...) or (C); target: class ids (N) / (N, d...) / () or
 * probabilities of logits' shape. Fused log_softmax + negative log-likelihood. */
nb_tensor *nb_cross_entropy(nb_tensor *logits, nb_tensor *target, const nb_loss_opts *o);
/* logp (N, C) or (N, C, d...): log-probabilities; target class ids */
nb_tensor *nb_nll_loss(nb_tensor *logp, nb_tensor *target, const nb_loss_opts *o);

/* Pointwise losses: input and target of one shape; differentiable in both. */
nb_tensor *nb_mse_loss(nb_tensor *input, nb_tensor *target, const nb_loss_opts *o);
nb_tensor *nb_l1_loss(nb_tensor *input, nb_tensor *target, const nb_loss_opts *o);
nb_tensor *nb_smooth_l1_loss(nb_tensor *input, nb_tensor *target, const nb_loss_opts *o);
nb_tensor *nb_huber_loss(nb_tensor *input, nb_tensor *target, const nb_loss_opts *o);
/* p in [0, 1]; log clamped at −100 as PyTorch */
nb_tensor *nb_binary_cross_entropy(nb_tensor *p, nb_tensor *target, const nb_loss_opts *o);
nb_tensor *nb_binary_cross_entropy_with_logits(nb_tensor *x, nb_tensor *target,
                                               const nb_loss_opts *o);
/* var: input's shape, or with the last dim 1 (one variance per sample), or input's shape
 * without its last dim; entries < 0 are an error, entries < eps are clamped (the gradient
 * passes through the clamp, as PyTorch) */
nb_tensor *nb_gaussian_nll_loss(nb_tensor *input, nb_tensor *target, nb_tensor *var,
                                const nb_loss_opts *o);
#endif

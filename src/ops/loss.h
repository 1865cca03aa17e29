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

/* CTC (connectionist temporal classification) loss, as PyTorch's ctc_loss:
 * log_probs (T, N, C) or (T, C): log-probabilities (log_softmax over C) of T time steps;
 * targets (N, S) padded, or 1-D: the N targets one after the other (or one target (S) for
 * an unbatched (T, C)); class ids 1..C (1-based), never the blank; input_lengths and
 * target_lengths (N): the steps and the target length of each sample. Reduction "mean"
 * divides each loss by its target length (at least 1), then takes the mean over the batch;
 * zero_infinity turns the infinite loss of an impossible alignment into 0. */
typedef struct nb_ctc_opts {
    int64_t blank;          /* class id of the blank, 1..C (1: PyTorch's blank=0) */
    nb_reduction reduction; /* mean unless told */
    bool zero_infinity;
} nb_ctc_opts;
nb_tensor *nb_ctc_loss(nb_tensor *log_probs, nb_tensor *targets, nb_tensor *input_lengths,
                       nb_tensor *target_lengths, const nb_ctc_opts *o);
#endif

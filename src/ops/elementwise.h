/* Elementwise ops with NumPy broadcasting (src/ops/elementwise.c). */
#ifndef NABLA_ELEMENTWISE_H
#define NABLA_ELEMENTWISE_H
#include "../core/tensor.h"

/* binary, broadcasting, differentiable */
nb_tensor *nb_add(nb_tensor *a, nb_tensor *b);
nb_tensor *nb_sub(nb_tensor *a, nb_tensor *b);
nb_tensor *nb_mul(nb_tensor *a, nb_tensor *b);
nb_tensor *nb_div(nb_tensor *a, nb_tensor *b);
nb_tensor *nb_pow(nb_tensor *a, nb_tensor *b);
nb_tensor *nb_maximum(nb_tensor *a, nb_tensor *b);
nb_tensor *nb_minimum(nb_tensor *a, nb_tensor *b);

/* with a plain number, differentiable in the tensor */
nb_tensor *nb_add_scalar(nb_tensor *a, double s);   /* a + s */
nb_tensor *nb_mul_scalar(nb_tensor *a, double s);   /* a * s */
nb_tensor *nb_rsub_scalar(double s, nb_tensor *a);  /* s - a */
nb_tensor *nb_rdiv_scalar(double s, nb_tensor *a);  /* s / a */
nb_tensor *nb_pow_scalar(nb_tensor *a, double p);   /* a ^ p */
nb_tensor *nb_rpow_scalar(double s, nb_tensor *a);  /* s ^ a */

/* unary, differentiable */
nb_tensor *nb_neg(nb_tensor *a);
nb_tensor *nb_exp(nb_tensor *a);
nb_tensor *nb_log(nb_tensor *a);
nb_tensor *nb_sqrt(nb_tensor *a);
nb_tensor *nb_abs(nb_tensor *a);
nb_tensor *nb_sin(nb_tensor *a);
nb_tensor *nb_cos(nb_tensor *a);
nb_tensor *nb_relu(nb_tensor *a);
nb_tensor *nb_sigmoid(nb_tensor *a);
nb_tensor *nb_tanh(nb_tensor *a);
nb_tensor *nb_leaky_relu(nb_tensor *a, double slope);
nb_tensor *nb_elu(nb_tensor *a, double alpha);
nb_tensor *nb_gelu(nb_tensor *a);          /* exact (erf) form, as PyTorch's default */
nb_tensor *nb_softplus(nb_tensor *a);
/* clamp to [lo, hi]; pass -INFINITY / INFINITY for a missing bound */
nb_tensor *nb_clamp(nb_tensor *a, double lo, double hi);

/* comparisons: masks of 0/1, never differentiable */
typedef enum { NB_EQ, NB_NE, NB_LT, NB_LE, NB_GT, NB_GE } nb_cmp_op;
nb_tensor *nb_compare(nb_tensor *a, nb_tensor *b, nb_cmp_op op);
nb_tensor *nb_compare_scalar(nb_tensor *a, double s, nb_cmp_op op);
/* where(mask, a, b): a where mask != 0, else b; differentiable in a and b */
nb_tensor *nb_where(nb_tensor *mask, nb_tensor *a, nb_tensor *b);

/* in place, never recorded: nb_add_, nb_mul_scalar_, nb_add_scalar_ live in the core
 * (src/core/tensor.h), since autograd accumulates gradients with them. */
#endif

/* nabla optimizers: the update rules, one small function per rule (src/optim/<rule>.c).
 *
 * Each kernel updates, in place, one parameter and its state from its gradient. All
 * arrays are contiguous float32 of n elements (param, grad and every state buffer have
 * the same shape); the Lua binding (src/lua/l_optim.c) checks that before calling. The
 * formulas in the comments are PyTorch's documentation's, and the arithmetic follows
 * torch.optim 1.13 (single-tensor path) operation by operation, so trajectories match
 * PyTorch to float rounding. `step` is the 1-based count of updates made so far,
 * including this one (PyTorch's state['step'] after its increment).
 *
 * maximize (all rules): ascend instead of descend, i.e. use -grad.
 */
#ifndef NABLA_OPTIM_H
#define NABLA_OPTIM_H

#include <stdbool.h>
#include <stdint.h>

/* SGD with momentum (Sutskever et al., 2013), Nesterov optional. momentum_buffer may be
 * NULL when momentum == 0. first: the buffer holds nothing yet (it is set to the
 * gradient, not decayed: PyTorch's b_1 = g_1). */
typedef struct nb_sgd_opts {
    double lr, momentum, dampening, weight_decay;
    bool nesterov, maximize;
} nb_sgd_opts;
void nb_sgd_step(float *param, const float *grad, float *momentum_buffer, bool first, int64_t n,
                 const nb_sgd_opts *o);

/* Adagrad (Duchi et al., 2011). sum starts at initial_accumulator_value. */
typedef struct nb_adagrad_opts {
    double lr, lr_decay, weight_decay, eps;
    bool maximize;
} nb_adagrad_opts;
void nb_adagrad_step(float *param, const float *grad, float *sum, int64_t n, int64_t step,
                     const nb_adagrad_opts *o);

/* Adadelta (Zeiler, 2012). square_avg and acc_delta start at zero. */
typedef struct nb_adadelta_opts {
    double lr, rho, eps, weight_decay;
    bool maximize;
} nb_adadelta_opts;
void nb_adadelta_step(float *param, const float *grad, float *square_avg, float *acc_delta,
                      int64_t n, const nb_adadelta_opts *o);

/* RMSprop (Hinton, lecture 6e), centered as Graves (2013). momentum_buffer may be NULL
 * when momentum == 0, grad_avg NULL unless centered. All start at zero. */
typedef struct nb_rmsprop_opts {
    double lr, alpha, eps, weight_decay, momentum;
    bool centered, maximize;
} nb_rmsprop_opts;
void nb_rmsprop_step(float *param, const float *grad, float *square_avg, float *grad_avg,
                     float *momentum_buffer, int64_t n, const nb_rmsprop_opts *o);

/* Adam (Kingma & Ba, 2015), AMSGrad (Reddi et al., 2018) optional, and AdamW
 * (Loshchilov & Hutter, 2019): the same moments, weight decay decoupled from the
 * gradient. max_exp_avg_sq may be NULL unless amsgrad. All state starts at zero. */
typedef struct nb_adam_opts {
    double lr, beta1, beta2, eps, weight_decay;
    bool amsgrad, maximize;
} nb_adam_opts;
void nb_adam_step(float *param, const float *grad, float *exp_avg, float *exp_avg_sq,
                  float *max_exp_avg_sq, int64_t n, int64_t step, const nb_adam_opts *o);
void nb_adamw_step(float *param, const float *grad, float *exp_avg, float *exp_avg_sq,
                   float *max_exp_avg_sq, int64_t n, int64_t step, const nb_adam_opts *o);

/* For clip_grad_norm_: the p-norm of x (norm_type p > 0, or INFINITY for max |x|),
 * accumulated in double. */
double nb_vector_norm(const float *x, int64_t n, double norm_type);

/* Kernels go parallel above this many elements (below it, threads cost more than they
 * save). */
#define NB_OPTIM_PAR_N 32768

#endif

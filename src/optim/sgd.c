/* SGD, with momentum and Nesterov momentum: torch.optim.SGD.
 *
 *   g_t ← ∇θ f_t(θ_{t-1})                      (−g_t if maximize)
 *   if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}            (weight decay as an L2 penalty)
 *   if μ ≠ 0:
 *       b_t ← μ b_{t-1} + (1 − τ) g_t   if t > 1
 *       b_t ← g_t                        if t = 1
 *       g_t ← g_t + μ b_t   if nesterov,  else  g_t ← b_t
 *   θ_t ← θ_{t-1} − γ g_t
 *
 * γ = lr, μ = momentum, τ = dampening, λ = weight_decay.
 */
#include "optim.h"

/* param, grad, momentum_buffer: (n,) contiguous */
void nb_sgd_step(float *param, const float *grad, float *momentum_buffer, bool first, int64_t n,
                 const nb_sgd_opts *o) {
    const float lr = (float)o->lr, mu = (float)o->momentum, wd = (float)o->weight_decay;
    const float keep = (float)(1.0 - o->dampening);
    const bool use_momentum = o->momentum != 0 && momentum_buffer, nesterov = o->nesterov;
    const float sign = o->maximize ? -1.0f : 1.0f; /* maximize: ascend, with -grad */
#pragma omp parallel for schedule(static) if (n > NB_OPTIM_PAR_N)
    for (int64_t i = 0; i < n; i++) {
        float g = sign * grad[i];
        if (wd != 0) g = g + wd * param[i];
        if (use_momentum) {
            float b = first ? g : mu * momentum_buffer[i] + keep * g;
            momentum_buffer[i] = b;
            g = nesterov ? g + mu * b : b;
        }
        param[i] = param[i] - lr * g;
    }
}

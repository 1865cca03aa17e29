/* Adagrad: torch.optim.Adagrad.
 *
 *   g_t ← ∇θ f_t(θ_{t-1})                      (−g_t if maximize)
 *   γ̃ ← γ / (1 + (t − 1) η)                    (learning-rate decay)
 *   if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}
 *   state_sum_t ← state_sum_{t-1} + g_t²       (state_sum_0 = initial_accumulator_value)
 *   θ_t ← θ_{t-1} − γ̃ g_t / (√state_sum_t + ε)
 *
 * γ = lr, η = lr_decay, λ = weight_decay. Each coordinate's step shrinks as the squares of
 * its past gradients pile up: rare features keep large steps.
 */
#include <math.h>

#include "optim.h"

/* param, grad, sum: (n,) contiguous; step counts this update (1 for the first) */
void nb_adagrad_step(float *param, const float *grad, float *sum, int64_t n, int64_t step,
                     const nb_adagrad_opts *o) {
    const float clr = (float)(o->lr / (1.0 + (double)(step - 1) * o->lr_decay));
    const float wd = (float)o->weight_decay, eps = (float)o->eps;
    const float sign = o->maximize ? -1.0f : 1.0f; /* maximize: ascend, with -grad */
#pragma omp parallel for schedule(static) if (n > NB_OPTIM_PAR_N)
    for (int64_t i = 0; i < n; i++) {
        float g = sign * grad[i];
        if (wd != 0) g = g + wd * param[i];
        float s = sum[i] + g * g;
        sum[i] = s;
        float std = sqrtf(s) + eps;
        param[i] = param[i] - clr * (g / std);
    }
}

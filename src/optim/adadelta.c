/* Adadelta: torch.optim.Adadelta.
 *
 *   g_t ← ∇θ f_t(θ_{t-1})                      (−g_t if maximize)
 *   if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}
 *   v_t ← v_{t-1} ρ + g_t² (1 − ρ)                      (square_avg)
 *   Δx_t ← √(u_{t-1} + ε) / √(v_t + ε) · g_t
 *   u_t ← u_{t-1} ρ + Δx_t² (1 − ρ)                     (acc_delta)
 *   θ_t ← θ_{t-1} − γ Δx_t
 *
 * γ = lr (1.0 in the paper, which has none), ρ = rho, λ = weight_decay. The ratio of the
 * two running RMS values gives the step the units of θ, not of the gradient.
 */
#include <math.h>

#include "optim.h"

/* param, grad, square_avg, acc_delta: (n,) contiguous */
void nb_adadelta_step(float *param, const float *grad, float *square_avg, float *acc_delta,
                      int64_t n, const nb_adadelta_opts *o) {
    const float lr = (float)o->lr, rho = (float)o->rho, eps = (float)o->eps;
    const float wd = (float)o->weight_decay, one_m_rho = (float)(1.0 - o->rho);
    const float sign = o->maximize ? -1.0f : 1.0f; /* maximize: ascend, with -grad */
#pragma omp parallel for schedule(static) if (n > NB_OPTIM_PAR_N)
    for (int64_t i = 0; i < n; i++) {
        float g = sign * grad[i];
        if (wd != 0) g = g + wd * param[i];
        float v = square_avg[i] * rho + one_m_rho * (g * g);
        square_avg[i] = v;
        float std = sqrtf(v + eps);
        float delta = sqrtf(acc_delta[i] + eps) / std * g;
        acc_delta[i] = acc_delta[i] * rho + one_m_rho * (delta * delta);
        param[i] = param[i] - lr * delta;
    }
}

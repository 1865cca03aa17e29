/* RMSprop: torch.optim.RMSprop.
 *
 *   g_t ← ∇θ f_t(θ_{t-1})                      (−g_t if maximize)
 *   if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}
 *   v_t ← α v_{t-1} + (1 − α) g_t²                       (square_avg)
 *   ṽ_t ← v_t
 *   if centered:
 *       g^ave_t ← g^ave_{t-1} α + (1 − α) g_t            (grad_avg)
 *       ṽ_t ← ṽ_t − (g^ave_t)²
 *   if μ > 0:
 *       b_t ← μ b_{t-1} + g_t / (√ṽ_t + ε)               (momentum_buffer)
 *       θ_t ← θ_{t-1} − γ b_t
 *   else:
 *       θ_t ← θ_{t-1} − γ g_t / (√ṽ_t + ε)
 *
 * γ = lr, α = alpha, μ = momentum, λ = weight_decay. Centered RMSprop divides by an
 * estimate of the gradient's variance instead of its raw second moment.
 */
#include <math.h>

#include "optim.h"

/* param, grad, square_avg, grad_avg, momentum_buffer: (n,) contiguous */
void nb_rmsprop_step(float *param, const float *grad, float *square_avg, float *grad_avg,
                     float *momentum_buffer, int64_t n, const nb_rmsprop_opts *o) {
    const float lr = (float)o->lr, alpha = (float)o->alpha, eps = (float)o->eps;
    const float wd = (float)o->weight_decay, mu = (float)o->momentum;
    const float one_m_alpha = (float)(1.0 - o->alpha);
    const bool centered = o->centered && grad_avg;
    const bool use_momentum = o->momentum > 0 && momentum_buffer;
    const float sign = o->maximize ? -1.0f : 1.0f; /* maximize: ascend, with -grad */
#pragma omp parallel for schedule(static) if (n > NB_OPTIM_PAR_N)
    for (int64_t i = 0; i < n; i++) {
        float g = sign * grad[i];
        if (wd != 0) g = g + wd * param[i];
        float v = square_avg[i] * alpha + one_m_alpha * (g * g);
        square_avg[i] = v;
        float avg;
        if (centered) {
            float ga = grad_avg[i] * alpha + one_m_alpha * g;
            grad_avg[i] = ga;
            avg = sqrtf(v - ga * ga);
        } else {
            avg = sqrtf(v);
        }
        avg = avg + eps;
        float update = g / avg;
        if (use_momentum) {
            update = momentum_buffer[i] * mu + update;
            momentum_buffer[i] = update;
        }
        param[i] = param[i] - lr * update;
    }
}

/* Adam and AdamW: torch.optim.Adam, torch.optim.AdamW.
 *
 * Adam:
 *   g_t ← ∇θ f_t(θ_{t-1})                      (−g_t if maximize)
 *   if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}            (L2 penalty, folded into the gradient)
 *   m_t ← β1 m_{t-1} + (1 − β1) g_t                      (exp_avg: first moment)
 *   v_t ← β2 v_{t-1} + (1 − β2) g_t²                     (exp_avg_sq: second moment)
 *   m̂_t ← m_t / (1 − β1^t)                              (bias corrections: m_0 = v_0 = 0
 *   v̂_t ← v_t / (1 − β2^t)                               pull early averages toward 0)
 *   if amsgrad:
 *       v̂_t^max ← max(v̂_{t-1}^max, v̂_t)
 *       θ_t ← θ_{t-1} − γ m̂_t / (√v̂_t^max + ε)
 *   else:
 *       θ_t ← θ_{t-1} − γ m̂_t / (√v̂_t + ε)
 *
 * AdamW: the same, except that weight decay shrinks the parameter directly instead of
 * entering the moments:
 *   θ_{t-1} ← θ_{t-1} − γ λ θ_{t-1}             (before the moments are updated)
 *
 * γ = lr, β1, β2 = betas, λ = weight_decay. As in PyTorch's code, ε is added after the
 * bias correction of √v (not before), and AMSGrad keeps the running max of the raw v_t
 * (max_exp_avg_sq), bias-correcting it afterwards.
 */
#include <math.h>

#include "optim.h"

/* param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq: (n,) contiguous; step counts this
 * update (1 for the first) */
void nb_adam_step(float *param, const float *grad, float *exp_avg, float *exp_avg_sq,
                  float *max_exp_avg_sq, int64_t n, int64_t step, const nb_adam_opts *o) {
    const double bias_correction1 = 1.0 - pow(o->beta1, (double)step);
    const double bias_correction2 = 1.0 - pow(o->beta2, (double)step);
    const float step_size = (float)(o->lr / bias_correction1);
    const float bias_correction2_sqrt = (float)sqrt(bias_correction2);
    const float beta1 = (float)o->beta1, beta2 = (float)o->beta2, eps = (float)o->eps;
    const float one_m_beta1 = (float)(1.0 - o->beta1), one_m_beta2 = (float)(1.0 - o->beta2);
    const float wd = (float)o->weight_decay;
    const bool amsgrad = o->amsgrad && max_exp_avg_sq;
    const float sign = o->maximize ? -1.0f : 1.0f; /* maximize: ascend, with -grad */
#pragma omp parallel for schedule(static) if (n > NB_OPTIM_PAR_N)
    for (int64_t i = 0; i < n; i++) {
        float g = sign * grad[i];
        if (wd != 0) g = g + wd * param[i];
        float m = exp_avg[i] * beta1 + one_m_beta1 * g;
        float v = exp_avg_sq[i] * beta2 + one_m_beta2 * (g * g);
        exp_avg[i] = m;
        exp_avg_sq[i] = v;
        if (amsgrad) {
            v = fmaxf(max_exp_avg_sq[i], v);
            max_exp_avg_sq[i] = v;
        }
        float denom = sqrtf(v) / bias_correction2_sqrt + eps;
        param[i] = param[i] - step_size * (m / denom);
    }
}

/* Same shapes as nb_adam_step. */
void nb_adamw_step(float *param, const float *grad, float *exp_avg, float *exp_avg_sq,
                   float *max_exp_avg_sq, int64_t n, int64_t step, const nb_adam_opts *o) {
    const double bias_correction1 = 1.0 - pow(o->beta1, (double)step);
    const double bias_correction2 = 1.0 - pow(o->beta2, (double)step);
    const float step_size = (float)(o->lr / bias_correction1);
    const float bias_correction2_sqrt = (float)sqrt(bias_correction2);
    const float beta1 = (float)o->beta1, beta2 = (float)o->beta2, eps = (float)o->eps;
    const float one_m_beta1 = (float)(1.0 - o->beta1), one_m_beta2 = (float)(1.0 - o->beta2);
    const float decay = (float)(1.0 - o->lr * o->weight_decay);
    const bool amsgrad = o->amsgrad && max_exp_avg_sq;
    const float sign = o->maximize ? -1.0f : 1.0f; /* maximize: ascend, with -grad */
#pragma omp parallel for schedule(static) if (n > NB_OPTIM_PAR_N)
    for (int64_t i = 0; i < n; i++) {
        float g = sign * grad[i];
        float p = param[i] * decay;
        float m = exp_avg[i] * beta1 + one_m_beta1 * g;
        float v = exp_avg_sq[i] * beta2 + one_m_beta2 * (g * g);
        exp_avg[i] = m;
        exp_avg_sq[i] = v;
        if (amsgrad) {
            v = fmaxf(max_exp_avg_sq[i], v);
            max_exp_avg_sq[i] = v;
        }
        float denom = sqrtf(v) / bias_correction2_sqrt + eps;
        param[i] = p - step_size * (m / denom);
    }
}

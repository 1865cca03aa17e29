/* Vector norms for gradient clipping (nn.utils.clip_grad_norm_):
 *
 *   ‖x‖_p = (Σ_i |x_i|^p)^(1/p),      ‖x‖_∞ = max_i |x_i|
 */
#include <math.h>

#include "optim.h"

/* x: (n,) contiguous */
double nb_vector_norm(const float *x, int64_t n, double norm_type) {
    if (isinf(norm_type)) {
        double m = 0;
#pragma omp parallel for schedule(static) reduction(max : m) if (n > NB_OPTIM_PAR_N)
        for (int64_t i = 0; i < n; i++) m = fmax(m, fabs((double)x[i]));
        return m;
    }
    double s = 0;
    if (norm_type == 2) {
#pragma omp parallel for schedule(static) reduction(+ : s) if (n > NB_OPTIM_PAR_N)
        for (int64_t i = 0; i < n; i++) s += (double)x[i] * x[i];
        return sqrt(s);
    }
    if (norm_type == 1) {
#pragma omp parallel for schedule(static) reduction(+ : s) if (n > NB_OPTIM_PAR_N)
        for (int64_t i = 0; i < n; i++) s += fabs((double)x[i]);
        return s;
    }
#pragma omp parallel for schedule(static) reduction(+ : s) if (n > NB_OPTIM_PAR_N)
    for (int64_t i = 0; i < n; i++) s += pow(fabs((double)x[i]), norm_type);
    return pow(s, 1.0 / norm_type);
}

/* The optimizer kernels (src/optim) against a plain double-precision reference written
 * straight from the formulas, over a few steps, on a small and on a large (OpenMP) array. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "optim/optim.h"

#define STEPS 3

static double urand(unsigned *s) { /* deterministic, in [-1, 1) */
    *s = *s * 1664525u + 1013904223u;
    return (double)(*s >> 8) / (double)(1u << 23) - 1.0;
}

/* relative closeness of a float array to a double one */
static int close_all(const float *a, const double *b, int64_t n, double rtol, double atol,
                     const char *what) {
    for (int64_t i = 0; i < n; i++)
        if (!(fabs(a[i] - b[i]) <= atol + rtol * fabs(b[i]))) {
            fprintf(stderr, "%s: element %lld is %.9g, reference %.9g\n", what, (long long)i,
                    a[i], b[i]);
            return 0;
        }
    return 1;
}

typedef struct {
    int64_t n;
    float *p, *g, *s1, *s2, *s3;
    double *rp, *rs1, *rs2, *rs3, *rg;
} prob;

static prob make(int64_t n, unsigned seed, float init_s1) {
    prob q = {n};
    q.p = malloc(n * sizeof(float)), q.g = malloc(n * sizeof(float));
    q.s1 = malloc(n * sizeof(float)), q.s2 = calloc(n, sizeof(float)), q.s3 = calloc(n, sizeof(float));
    q.rp = malloc(n * sizeof(double)), q.rg = malloc(n * sizeof(double));
    q.rs1 = malloc(n * sizeof(double)), q.rs2 = calloc(n, sizeof(double)), q.rs3 = calloc(n, sizeof(double));
    for (int64_t i = 0; i < n; i++) {
        q.p[i] = (float)urand(&seed);
        q.rp[i] = q.p[i];
        q.s1[i] = init_s1;
        q.rs1[i] = init_s1;
    }
    return q;
}
static void new_grad(prob *q, unsigned *seed) {
    for (int64_t i = 0; i < q->n; i++) {
        q->g[i] = (float)(urand(seed) * 2.0);
        q->rg[i] = q->g[i];
    }
}
static void drop(prob *q) {
    free(q->p), free(q->g), free(q->s1), free(q->s2), free(q->s3);
    free(q->rp), free(q->rg), free(q->rs1), free(q->rs2), free(q->rs3);
}

static void test_sgd(int64_t n, nb_sgd_opts o, const char *name) {
    prob q = make(n, 7, 0);
    unsigned seed = 99;
    for (int t = 1; t <= STEPS; t++) {
        new_grad(&q, &seed);
        nb_sgd_step(q.p, q.g, q.s1, t == 1, n, &o);
        for (int64_t i = 0; i < n; i++) { /* reference */
            double g = o.maximize ? -q.rg[i] : q.rg[i];
            if (o.weight_decay) g += o.weight_decay * q.rp[i];
            if (o.momentum) {
                double b = t == 1 ? g : o.momentum * q.rs1[i] + (1 - o.dampening) * g;
                q.rs1[i] = b;
                g = o.nesterov ? g + o.momentum * b : b;
            }
            q.rp[i] -= o.lr * g;
        }
    }
    CHECK(close_all(q.p, q.rp, n, 1e-5, 1e-6, name), "%s (n=%lld): param", name, (long long)n);
    if (o.momentum) CHECK(close_all(q.s1, q.rs1, n, 1e-5, 1e-6, name), "%s: momentum_buffer", name);
    drop(&q);
}

static void test_adagrad(int64_t n, nb_adagrad_opts o, double init, const char *name) {
    prob q = make(n, 8, (float)init);
    unsigned seed = 98;
    for (int t = 1; t <= STEPS; t++) {
        new_grad(&q, &seed);
        nb_adagrad_step(q.p, q.g, q.s1, n, t, &o);
        double clr = o.lr / (1 + (t - 1) * o.lr_decay);
        for (int64_t i = 0; i < n; i++) {
            double g = o.maximize ? -q.rg[i] : q.rg[i];
            if (o.weight_decay) g += o.weight_decay * q.rp[i];
            q.rs1[i] += g * g;
            q.rp[i] -= clr * g / (sqrt(q.rs1[i]) + o.eps);
        }
    }
    CHECK(close_all(q.p, q.rp, n, 1e-5, 1e-6, name), "%s (n=%lld): param", name, (long long)n);
    CHECK(close_all(q.s1, q.rs1, n, 1e-5, 1e-6, name), "%s: sum", name);
    drop(&q);
}

static void test_adadelta(int64_t n, nb_adadelta_opts o, const char *name) {
    prob q = make(n, 9, 0);
    unsigned seed = 97;
    for (int t = 1; t <= STEPS; t++) {
        new_grad(&q, &seed);
        nb_adadelta_step(q.p, q.g, q.s1, q.s2, n, &o);
        for (int64_t i = 0; i < n; i++) {
            double g = o.maximize ? -q.rg[i] : q.rg[i];
            if (o.weight_decay) g += o.weight_decay * q.rp[i];
            q.rs1[i] = q.rs1[i] * o.rho + g * g * (1 - o.rho);
            double dx = sqrt(q.rs2[i] + o.eps) / sqrt(q.rs1[i] + o.eps) * g;
            q.rs2[i] = q.rs2[i] * o.rho + dx * dx * (1 - o.rho);
            q.rp[i] -= o.lr * dx;
        }
    }
    CHECK(close_all(q.p, q.rp, n, 1e-5, 1e-6, name), "%s (n=%lld): param", name, (long long)n);
    CHECK(close_all(q.s2, q.rs2, n, 1e-4, 1e-7, name), "%s: acc_delta", name);
    drop(&q);
}

static void test_rmsprop(int64_t n, nb_rmsprop_opts o, const char *name) {
    prob q = make(n, 10, 0);
    unsigned seed = 96;
    for (int t = 1; t <= STEPS; t++) {
        new_grad(&q, &seed);
        nb_rmsprop_step(q.p, q.g, q.s1, o.centered ? q.s2 : NULL, o.momentum > 0 ? q.s3 : NULL, n, &o);
        for (int64_t i = 0; i < n; i++) {
            double g = o.maximize ? -q.rg[i] : q.rg[i];
            if (o.weight_decay) g += o.weight_decay * q.rp[i];
            q.rs1[i] = o.alpha * q.rs1[i] + (1 - o.alpha) * g * g;
            double v = q.rs1[i];
            if (o.centered) {
                q.rs2[i] = q.rs2[i] * o.alpha + (1 - o.alpha) * g;
                v -= q.rs2[i] * q.rs2[i];
            }
            if (o.momentum > 0) {
                q.rs3[i] = o.momentum * q.rs3[i] + g / (sqrt(v) + o.eps);
                q.rp[i] -= o.lr * q.rs3[i];
            } else {
                q.rp[i] -= o.lr * g / (sqrt(v) + o.eps);
            }
        }
    }
    CHECK(close_all(q.p, q.rp, n, 1e-5, 1e-6, name), "%s (n=%lld): param", name, (long long)n);
    drop(&q);
}

static void test_adam(int64_t n, nb_adam_opts o, bool decoupled, const char *name) {
    prob q = make(n, 11, 0);
    unsigned seed = 95;
    for (int t = 1; t <= STEPS; t++) {
        new_grad(&q, &seed);
        (decoupled ? nb_adamw_step : nb_adam_step)(q.p, q.g, q.s1, q.s2, o.amsgrad ? q.s3 : NULL, n, t, &o);
        for (int64_t i = 0; i < n; i++) {
            double g = o.maximize ? -q.rg[i] : q.rg[i];
            if (decoupled) q.rp[i] -= o.lr * o.weight_decay * q.rp[i];
            else if (o.weight_decay) g += o.weight_decay * q.rp[i];
            q.rs1[i] = o.beta1 * q.rs1[i] + (1 - o.beta1) * g;
            q.rs2[i] = o.beta2 * q.rs2[i] + (1 - o.beta2) * g * g;
            double v = q.rs2[i];
            if (o.amsgrad) { /* PyTorch keeps the max of the raw v_t */
                q.rs3[i] = fmax(q.rs3[i], v);
                v = q.rs3[i];
            }
            double m_hat = q.rs1[i] / (1 - pow(o.beta1, t));
            double v_hat = v / (1 - pow(o.beta2, t));
            q.rp[i] -= o.lr * m_hat / (sqrt(v_hat) + o.eps);
        }
    }
    CHECK(close_all(q.p, q.rp, n, 1e-5, 1e-6, name), "%s (n=%lld): param", name, (long long)n);
    CHECK(close_all(q.s1, q.rs1, n, 1e-5, 1e-6, name), "%s: exp_avg", name);
    CHECK(close_all(q.s2, q.rs2, n, 1e-5, 1e-7, name), "%s: exp_avg_sq", name);
    drop(&q);
}

static void test_norm(void) {
    float x[5] = {3, -4, 0, 1, -2};
    CHECK_NEAR(nb_vector_norm(x, 5, 2), sqrt(30.0), 1e-9, "2-norm");
    CHECK_NEAR(nb_vector_norm(x, 5, 1), 10, 1e-9, "1-norm");
    CHECK_NEAR(nb_vector_norm(x, 5, INFINITY), 4, 1e-9, "inf-norm");
    CHECK_NEAR(nb_vector_norm(x, 5, 3), cbrt(27 + 64 + 1 + 8.0), 1e-9, "3-norm");
    int64_t n = 100000;
    float *y = malloc(n * sizeof(float));
    double s = 0;
    for (int64_t i = 0; i < n; i++) y[i] = (float)(i % 7) - 3, s += (double)y[i] * y[i];
    CHECK_NEAR(nb_vector_norm(y, n, 2), sqrt(s), 1e-6, "2-norm, n=%lld (parallel)", (long long)n);
    CHECK_NEAR(nb_vector_norm(y, n, INFINITY), 3, 0, "inf-norm (parallel)");
    free(y);
}

int main(void) {
    int64_t sizes[2] = {13, 100003}; /* the second runs the OpenMP path */
    for (int k = 0; k < 2; k++) {
        int64_t n = sizes[k];
        test_sgd(n, (nb_sgd_opts){.lr = 0.1}, "sgd");
        test_sgd(n, (nb_sgd_opts){.lr = 0.1, .momentum = 0.9, .dampening = 0.1, .weight_decay = 0.01}, "sgd momentum");
        test_sgd(n, (nb_sgd_opts){.lr = 0.05, .momentum = 0.9, .nesterov = true, .maximize = true}, "sgd nesterov");
        test_adagrad(n, (nb_adagrad_opts){.lr = 0.1, .eps = 1e-10}, 0, "adagrad");
        test_adagrad(n, (nb_adagrad_opts){.lr = 0.1, .lr_decay = 0.01, .weight_decay = 0.1, .eps = 1e-10}, 0.1,
                     "adagrad decay");
        test_adadelta(n, (nb_adadelta_opts){.lr = 1.0, .rho = 0.9, .eps = 1e-6, .weight_decay = 0.01}, "adadelta");
        test_rmsprop(n, (nb_rmsprop_opts){.lr = 0.01, .alpha = 0.99, .eps = 1e-8}, "rmsprop");
        test_rmsprop(n, (nb_rmsprop_opts){.lr = 0.01, .alpha = 0.9, .eps = 1e-8, .momentum = 0.5,
                                          .weight_decay = 0.01, .centered = true}, "rmsprop centered momentum");
        test_adam(n, (nb_adam_opts){.lr = 0.01, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8}, false, "adam");
        test_adam(n, (nb_adam_opts){.lr = 0.01, .beta1 = 0.8, .beta2 = 0.99, .eps = 1e-8, .weight_decay = 0.1,
                                    .amsgrad = true}, false, "adam amsgrad");
        test_adam(n, (nb_adam_opts){.lr = 0.01, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.01},
                  true, "adamw");
        test_adam(n, (nb_adam_opts){.lr = 0.01, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.1,
                                    .amsgrad = true, .maximize = true}, true, "adamw amsgrad maximize");
    }
    test_norm();
    return check_done();
}

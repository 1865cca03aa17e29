/* Small helpers shared by the layer kernels (conv.c, pool.c, norm.c, loss.c); not an API.
 *
 * Sums that vectorise: a float sum written as one chain of additions runs one addition at a
 * time (the compiler may not reorder float additions: they are not associative). These keep
 * 16 running partial sums — one AVX-512 register — and add them up at the end. The order
 * depends on n alone, so a result is the same on every run and thread count. */
#ifndef NABLA_NNOPS_H
#define NABLA_NNOPS_H
#include <stdint.h>

#define NB_LANES 16

/* Σ a[i] */
static inline float nb_vsum(const float *a, int64_t n) {
    float acc[NB_LANES] = {0};
    int64_t i = 0;
    for (; i + NB_LANES <= n; i += NB_LANES)
        for (int l = 0; l < NB_LANES; l++) acc[l] += a[i + l];
    float s = 0.0f;
    for (; i < n; i++) s += a[i];
    for (int l = 0; l < NB_LANES; l++) s += acc[l];
    return s;
}

/* Σ (a[i] − m)² */
static inline float nb_vsumsq_dev(const float *a, int64_t n, float m) {
    float acc[NB_LANES] = {0};
    int64_t i = 0;
    for (; i + NB_LANES <= n; i += NB_LANES)
        for (int l = 0; l < NB_LANES; l++) acc[l] += (a[i + l] - m) * (a[i + l] - m);
    float s = 0.0f;
    for (; i < n; i++) s += (a[i] - m) * (a[i] - m);
    for (int l = 0; l < NB_LANES; l++) s += acc[l];
    return s;
}

/* *sg = Σ g[i],  *sgx = Σ g[i]·(x[i] − m)  (one pass: what normalisation backwards need) */
static inline void nb_vsum_dot_dev(const float *g, const float *x, int64_t n, float m,
                                   float *sg, float *sgx) {
    float a[NB_LANES] = {0}, b[NB_LANES] = {0};
    int64_t i = 0;
    for (; i + NB_LANES <= n; i += NB_LANES)
        for (int l = 0; l < NB_LANES; l++) {
            a[l] += g[i + l];
            b[l] += g[i + l] * (x[i + l] - m);
        }
    float s = 0.0f, t = 0.0f;
    for (; i < n; i++) {
        s += g[i];
        t += g[i] * (x[i] - m);
    }
    for (int l = 0; l < NB_LANES; l++) {
        s += a[l];
        t += b[l];
    }
    *sg = s;
    *sgx = t;
}
#endif

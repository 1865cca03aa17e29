/* The direct convolution kernel (src/ops/convmm.c) on one core: the per-image products of
 * the MNIST CNNs' stride-1 layers as nb_convmm runs them (read straight from the padded
 * image), against cblas_sgemm through the same loaded OpenBLAS (one thread) on the same
 * product with its im2col matrix already built, in the same run, and against this core's
 * peak (a loop of independent fused multiply-adds, nothing else).
 *
 *   ./build/bench/bench_convmm
 * GFLOP/s = 2·M·N·K / seconds, the best of 5 rounds of about 0.1 s each. sgemm's figure
 * leaves out the im2col that the direct kernel does not need. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ops/blas.h"
#include "ops/convmm.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef void (*cblas_sgemm_fn)(int order, int transA, int transB, int M, int N, int K,
                               float alpha, const float *A, int lda, const float *B, int ldb,
                               float beta, float *C, int ldc);

/* One product of a layer: rows R (pixels or taps) × ncols channels, summed over L. */
typedef struct {
    const char *name;
    int C, H, W, O, k, pad; /* the layer: C → O channels, k×k, padding, H×W input */
    int which;              /* 0: forward, 1: dW, 2: dx */
} layer;

static float *frand(int64_t n) {
    float *p = aligned_alloc(64, (size_t)((n * 4 + 63) / 64 * 64));
    for (int64_t i = 0; i < n; i++) p[i] = (float)rand() / (float)RAND_MAX - 0.5f;
    return p;
}

/* the fastest of 5 rounds, seconds per call */
#define BEST(secs, call)                                                                     \
    do {                                                                                     \
        int reps_ = 1;                                                                       \
        double t0_ = now();                                                                  \
        call;                                                                                \
        double one_ = now() - t0_;                                                           \
        reps_ = one_ > 0 ? (int)(0.1 / one_) + 1 : 1000;                                     \
        secs = INFINITY;                                                                     \
        for (int r_ = 0; r_ < 5; r_++) {                                                     \
            t0_ = now();                                                                     \
            for (int i_ = 0; i_ < reps_; i_++) call;                                         \
            double dt_ = (now() - t0_) / reps_;                                              \
            if (dt_ < secs) secs = dt_;                                                      \
        }                                                                                    \
    } while (0)

/* this core's peak: independent chains of fused multiply-adds on whole vectors (24 chains
 * of 16 floats with AVX-512, 12 of 8 with AVX2: as many as the registers hold) */
#ifdef __AVX512F__
#define PV 16
#define CHAINS 24
#else
#define PV 8
#define CHAINS 12
#endif
static double peak_gflops(void) {
    typedef float vec __attribute__((vector_size(PV * sizeof(float))));
    vec acc[CHAINS], b = {0}, c = {0};
    for (int i = 0; i < CHAINS; i++) acc[i] = (vec){0} + (float)i;
    b += 0.999f, c += 0.001f;
    const long n = 20000000;
    double t = now();
    for (long k = 0; k < n; k++) {
#pragma GCC unroll 24
        for (int i = 0; i < CHAINS; i++) acc[i] = acc[i] * b + c;
        __asm__ volatile("" : "+x"(b)); /* keep the loop from being folded */
    }
    t = now() - t;
    float s = 0;
    for (int i = 0; i < CHAINS; i++) s += acc[i][0];
    if (s == 12345.0f) puts("");
    return (double)n * CHAINS * PV * 2 / t / 1e9;
}

int main(void) {
    if (nb_convmm_width() == 0) {
        puts("bench_convmm: this build has no vector kernels (neither AVX-512 nor AVX2 + FMA)");
        return 0;
    }
    cblas_sgemm_fn sgemm = (cblas_sgemm_fn)nb_blas_symbol("cblas_sgemm");
    void (*threads)(int) = (void (*)(int))nb_blas_symbol("openblas_set_num_threads");
    if (threads) threads(1);
    const layer layers[] = {
        {"padded 64c3 on 32x14x14, forward", 32, 14, 14, 64, 3, 1, 0},
        {"padded 64c3 on 32x14x14, dW", 32, 14, 14, 64, 3, 1, 1},
        {"padded 64c3 on 32x14x14, dx", 32, 14, 14, 64, 3, 1, 2},
        {"64c3 on 32x26x26, forward", 32, 26, 26, 64, 3, 0, 0},
        {"64c3 on 32x26x26, dW", 32, 26, 26, 64, 3, 0, 1},
        {"LeNet 32c5 on 16x12x12, forward", 16, 12, 12, 32, 5, 0, 0},
        {"LeNet 32c5 on 16x12x12, dW", 16, 12, 12, 32, 5, 0, 1},
    };
    printf("one core, one image; %d-float vectors; GFLOP/s\n", nb_convmm_width());
    printf("%-36s %10s %10s %8s\n", "product", "convmm", "sgemm", "ratio");
    for (size_t li = 0; li < sizeof layers / sizeof *layers; li++) {
        const layer *l = &layers[li];
        /* the frame the kernel reads: the input padded by pad (forward, dW), or dy padded by
         * k − 1 − pad (dx), with `ch` channels; out has `cout` channels */
        const int OH = l->H + 2 * l->pad - l->k + 1, OW = l->W + 2 * l->pad - l->k + 1;
        const int q = l->which == 2 ? l->k - 1 - l->pad : l->pad;
        const int ch = l->which == 2 ? l->O : l->C, cout = l->which == 2 ? l->C : l->O;
        const int Hf = (l->which == 2 ? OH : l->H) + 2 * q, Wf = (l->which == 2 ? OW : l->W) + 2 * q;
        const int oh = l->which == 2 ? l->H : OH, ow = l->which == 2 ? l->W : OW;
        const int K = ch * l->k * l->k, P = oh * ow;
        int64_t *tap = malloc(sizeof(int64_t) * (size_t)K), *pix = malloc(sizeof(int64_t) * (size_t)P);
        for (int c = 0, t = 0; c < ch; c++)
            for (int i = 0; i < l->k; i++)
                for (int j = 0; j < l->k; j++) tap[t++] = (int64_t)c * Hf * Wf + i * Wf + j;
        for (int h = 0, p = 0; h < oh; h++)
            for (int w = 0; w < ow; w++) pix[p++] = (int64_t)h * Wf + w;
        float *src = frand((int64_t)ch * Hf * Wf), *V, *out;
        float *cols = frand((int64_t)K * P); /* im2col, as sgemm needs it */
        for (int t = 0; t < K; t++)
            for (int p = 0; p < P; p++) cols[(int64_t)t * P + p] = src[tap[t] + pix[p]];
        double s_mm, s_gemm;
        if (l->which == 1) { /* dWᵀ (K, O) += Σ_p x[tap + pix] · dyᵀ[p, :] */
            V = frand((int64_t)P * cout);
            out = frand((int64_t)(K + NB_CONVMM_SLACK) * cout);
            BEST(s_mm, nb_convmm(src, tap, K, pix, P, V, cout, out, true));
            BEST(s_gemm, sgemm(101, 111, 111, K, cout, P, 1.0f, cols, P, V, cout, 1.0f, out, cout));
        } else { /* outᵀ (P, cout) = Σ_k src[pix + tap] · V[k, :]; sgemm: V ᵀ· cols */
            V = frand((int64_t)K * cout);
            out = frand((int64_t)(P + NB_CONVMM_SLACK) * cout);
            BEST(s_mm, nb_convmm(src, pix, P, tap, K, V, cout, out, false));
            BEST(s_gemm, sgemm(101, 112, 111, cout, P, K, 1.0f, V, cout, cols, P, 0.0f, out, P));
        }
        const double flop = 2.0 * K * P * cout;
        printf("%-36s %10.1f %10.1f %8.2f\n", l->name, flop / s_mm / 1e9, flop / s_gemm / 1e9,
               s_gemm / s_mm);
        free(tap), free(pix), free(src), free(V), free(out), free(cols);
    }
    printf("peak of this core (independent FMAs only): %.1f GFLOP/s\n", peak_gflops());
    printf("ratio: how many times faster convmm is than sgemm on the ready-made im2col matrix\n");
    printf("nabla: %s\n", nb_blas_info());
    return 0;
}

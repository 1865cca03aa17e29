/* nb_sgemm (src/ops/blas.c) against a plain double-precision loop: the four transpose
 * combinations, odd sizes, leading dimensions wider than the matrices, alpha and beta,
 * beta = 0 over a C full of NaN, sizes on both sides of the small-product threshold.
 * Run twice: with the BLAS library, then (re-executing itself with NABLA_BLAS=none) with
 * the built-in blocked kernel. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ops/blas.h"

static double urand(unsigned *s) { /* deterministic, in [-1, 1) */
    *s = *s * 1664525u + 1013904223u;
    return (double)(*s >> 8) / (double)(1u << 23) - 1.0;
}

/* C = alpha op(A) op(B) + beta C, with every matrix stored in a buffer whose rows are
 * ld = width + pad apart (the pad filled with garbage that must not be read). */
static int one(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, float beta,
               int64_t pad, unsigned seed) {
    const int64_t ar = ta ? K : M, ac = ta ? M : K, br = tb ? N : K, bc = tb ? K : N;
    const int64_t lda = ac + pad, ldb = bc + pad, ldc = N + pad;
    float *A = malloc(sizeof(float) * (ar * lda + 1)), *B = malloc(sizeof(float) * (br * ldb + 1));
    float *C = malloc(sizeof(float) * (M * ldc + 1));
    double *R = malloc(sizeof(double) * (M * N + 1)), *S = malloc(sizeof(double) * (M * N + 1));
    for (int64_t i = 0; i < ar * lda; i++) A[i] = (i % lda) < ac ? (float)urand(&seed) : 1e30f;
    for (int64_t i = 0; i < br * ldb; i++) B[i] = (i % ldb) < bc ? (float)urand(&seed) : 1e30f;
    for (int64_t i = 0; i < M * ldc; i++)
        C[i] = (i % ldc) < N ? (beta == 0.0f ? NAN : (float)urand(&seed)) : 7.0f;
    /* reference: R = alpha Σ_k op(A)[i,k] op(B)[k,j] + beta C; S = Σ |terms| for the tolerance */
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            double s = 0, sa = 0;
            for (int64_t k = 0; k < K; k++) {
                double a = ta ? A[k * lda + i] : A[i * lda + k];
                double b = tb ? B[j * ldb + k] : B[k * ldb + j];
                s += a * b;
                sa += fabs(a * b);
            }
            double c = beta == 0.0f ? 0.0 : (double)C[i * ldc + j];
            R[i * N + j] = alpha * s + beta * c;
            S[i * N + j] = fabs(alpha) * sa + fabs(beta * c) + 1e-6;
        }
    nb_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    int bad = 0;
    for (int64_t i = 0; i < M && !bad; i++)
        for (int64_t j = 0; j < ldc && !bad; j++) {
            float got = C[i * ldc + j];
            if (j >= N) {
                if (got != 7.0f) bad = 1;
                CHECK(got == 7.0f, "ta=%d tb=%d %lldx%lldx%lld: padding of C written at (%lld,%lld)",
                      ta, tb, (long long)M, (long long)N, (long long)K, (long long)i, (long long)j);
                continue;
            }
            double want = R[i * N + j];
            if (!(fabs(got - want) <= 1e-5 * S[i * N + j] * (K > 64 ? 4 : 1))) {
                bad = 1;
                CHECK(0, "ta=%d tb=%d M=%lld N=%lld K=%lld alpha=%g beta=%g pad=%lld: C[%lld,%lld] = "
                      "%.7g, expected %.7g", ta, tb, (long long)M, (long long)N, (long long)K,
                      alpha, beta, (long long)pad, (long long)i, (long long)j, got, want);
            }
        }
    if (!bad) CHECK(1, "ok");
    free(A), free(B), free(C), free(R), free(S);
    return bad;
}

int main(int argc, char **argv) {
    const char *mode = getenv("NABLA_BLAS");
    printf("nb_sgemm via: %s\n", nb_blas_info());
    const int64_t sizes[][3] = {
        {1, 1, 1},    {1, 7, 3},    {5, 1, 4},     {3, 5, 7},      {2, 3, 0},
        {17, 13, 11}, {16, 16, 16}, {33, 65, 129}, {64, 1, 300},   {1, 200, 90},
        {127, 61, 257}, {300, 97, 513}, {70, 600, 40}, {257, 257, 1}};
    unsigned seed = 1;
    int cases = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (int t = 0; t < 4; t++) {
            const int64_t pad = (s + t) % 3 == 0 ? 0 : (int64_t)(s % 5) + 1;
            const float alpha = t == 3 ? -0.5f : 1.0f;
            const float beta = s % 3 == 0 ? 0.0f : (s % 3 == 1 ? 1.0f : 0.25f);
            one(t & 1, t & 2, sizes[s][0], sizes[s][1], sizes[s][2], alpha, beta, pad, seed++);
            cases++;
        }
    /* a (1, K) operand may come with any leading dimension (its only row): nb_sgemm fixes it */
    {
        float a[4] = {1, 2, 3, 4}, b[8] = {1, 0, 0, 1, 1, 1, 2, 0}, c[2];
        nb_sgemm(false, false, 1, 2, 4, 1.0f, a, 1, b, 2, 0.0f, c, 0);
        CHECK(c[0] == 12 && c[1] == 5, "row operand: c = %g %g (expected 12 5)",
              c[0], c[1]);
    }
    /* threads: the setting reads back */
    int nt = nb_num_threads();
    CHECK(nt >= 1, "nb_num_threads() = %d", nt);
    nb_set_num_threads(1);
    CHECK(nb_num_threads() == 1, "after nb_set_num_threads(1): %d", nb_num_threads());
    one(false, true, 200, 150, 170, 1.0f, 0.0f, 3, 99);
    nb_set_num_threads(nt);
    printf("%d sgemm cases\n", cases + 1);
    int rc = check_done();
    if (rc || (mode && *mode)) return rc;
    /* again through the built-in kernel */
    setenv("NABLA_BLAS", "none", 1);
    fflush(stdout);
    execv("/proc/self/exe", argv);
    fprintf(stderr, "cannot re-execute %s for the built-in kernel\n", argc ? argv[0] : "?");
    return 1;
}

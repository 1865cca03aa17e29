/* Matrix product speed: nb_mm through the core (the output tensor allocated by every call,
 * as a learner's x:mm(y) does; the product split over nabla's OpenMP threads, OpenBLAS
 * single-threaded) against a direct cblas_sgemm call through the very same loaded library
 * running its own threads, in the same run; then the library's Haswell (AVX2) kernels, measured by
 * this program re-run with OPENBLAS_CORETYPE=Haswell, against the kernels nabla chose.
 *
 *   ./build/bench/bench_mm            (all sizes)        ./build/bench/bench_mm 1024
 * GFLOP/s = 2n³ / seconds. Each figure is the best of 5 rounds of about 0.1 s. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ops/ops.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define ROUNDS 5

typedef struct {
    int64_t n;
    nb_tensor *a, *b;
    float *c;
} problem;

static void run_nabla(problem *p) {
    nb_tensor *c = nb_mm(p->a, p->b);
    if (!c) {
        fprintf(stderr, "bench_mm: %s\n", nb_last_error());
        exit(1);
    }
    nb_decref(c);
}

typedef void (*cblas_sgemm_fn)(int order, int transA, int transB, int M, int N, int K,
                               float alpha, const float *A, int lda, const float *B, int ldb,
                               float beta, float *C, int ldc);
static cblas_sgemm_fn cblas_sgemm_;
static void (*set_library_threads)(int);

static void run_direct(problem *p) {
    cblas_sgemm_fn f = cblas_sgemm_;
    const int n = (int)p->n;
    f(101 /* CblasRowMajor */, 111 /* CblasNoTrans */, 111, n, n, n, 1.0f, nb_data(p->a), n,
      nb_data(p->b), n, 0.0f, p->c, n);
}

/* seconds per call: the best of ROUNDS rounds of reps calls */
static double best(void (*fn)(problem *), problem *p, int reps) {
    double t = INFINITY;
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now();
        for (int i = 0; i < reps; i++) fn(p);
        double dt = (now() - t0) / reps;
        if (dt < t) t = dt;
    }
    return t;
}

/* the library's own threads for the direct calls, one thread inside it for nabla's */
static void library_threads(bool own) {
    if (set_library_threads) set_library_threads(own ? nb_num_threads() : 1);
    if (!own) { /* let OpenBLAS's idle threads stop spinning before nabla's turn */
        struct timespec ts = {0, 300 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* ./bench_mm --direct n...: only the direct figures, one per line (for the Haswell run) */
static int direct_only(int argc, char **argv) {
    library_threads(true);
    for (int i = 2; i < argc; i++) {
        int64_t n = atoll(argv[i]);
        int64_t shape[2] = {n, n};
        problem p = {n, nb_randn(2, shape), nb_randn(2, shape), malloc(sizeof(float) * n * n)};
        const double flop = 2.0 * n * n * n;
        run_direct(&p);
        int reps = (int)fmax(1, 0.1 / (flop / 300e9));
        printf("%lld %.1f\n", (long long)n, flop / best(run_direct, &p, reps) / 1e9);
        nb_decref(p.a), nb_decref(p.b), free(p.c);
    }
    return 0;
}

int main(int argc, char **argv) {
    *(void **)&cblas_sgemm_ = nb_blas_symbol("cblas_sgemm");
    *(void **)&set_library_threads = nb_blas_symbol("openblas_set_num_threads");
    if (argc > 1 && strcmp(argv[1], "--direct") == 0) return direct_only(argc, argv);
    int64_t sizes[16] = {128, 256, 512, 1024, 2048};
    int ns = 5;
    if (argc > 1) {
        ns = 0;
        for (int i = 1; i < argc && ns < 16; i++) sizes[ns++] = atoll(argv[i]);
    }
    if (!cblas_sgemm_) {
        printf("%s\nno BLAS library: nothing to compare against\n", nb_blas_info());
        return 1;
    }
    printf("nabla: %s\n", nb_blas_info());
    const char *core = getenv("OPENBLAS_CORETYPE");
    if (core && *core)
        printf("(OPENBLAS_CORETYPE=%s was set by the caller; nabla respects it. Run with "
               "`env -u OPENBLAS_CORETYPE` to see nabla's own choice.)\n", core);
    double gf_nabla[16], gf_direct[16];
    printf("\n   n    nb_mm GFLOP/s   cblas_sgemm (OpenBLAS's threads) GFLOP/s   nb_mm / direct\n");
    for (int s = 0; s < ns; s++) {
        const int64_t n = sizes[s];
        int64_t shape[2] = {n, n};
        problem p = {n, nb_randn(2, shape), nb_randn(2, shape), malloc(sizeof(float) * n * n)};
        const double flop = 2.0 * n * n * n;
        run_direct(&p), run_nabla(&p);
        int reps = (int)fmax(1, 0.1 / (flop / 300e9));
        /* nabla first, then the library on its own threads */
        library_threads(false);
        double tn = best(run_nabla, &p, reps);
        library_threads(true);
        run_direct(&p);
        double td = best(run_direct, &p, reps);
        gf_nabla[s] = flop / tn / 1e9, gf_direct[s] = flop / td / 1e9;
        printf("%5lld   %10.1f      %22.1f                     %6.1f %%\n", (long long)n, gf_nabla[s],
               gf_direct[s], 100.0 * gf_nabla[s] / gf_direct[s]);
        nb_decref(p.a), nb_decref(p.b), free(p.c);
    }

    /* the same library with its Haswell kernels (what OpenBLAS 0.3.21 picks by itself on a
     * CPU it does not know, such as AMD Zen 5): this program again, in a child process */
    char cmd[4096];
    int k = snprintf(cmd, sizeof cmd, "OPENBLAS_CORETYPE=Haswell /proc/%d/exe --direct", (int)getpid());
    for (int s = 0; s < ns && k < (int)sizeof cmd - 32; s++)
        k += snprintf(cmd + k, sizeof cmd - k, " %lld", (long long)sizes[s]);
    fflush(stdout);
    FILE *f = popen(cmd, "r");
    double gf_haswell[16];
    int got = 0;
    if (f) {
        long long n;
        double g;
        while (got < ns && fscanf(f, "%lld %lf", &n, &g) == 2) gf_haswell[got++] = g;
        pclose(f);
    }
    if (got != ns) {
        printf("\n(could not run the Haswell comparison; run `OPENBLAS_CORETYPE=Haswell %s --direct "
               "<n>...` by hand)\n", argv[0]);
        return 0;
    }
    printf("\n   n    Haswell kernels GFLOP/s   nabla's choice (nb_mm) GFLOP/s   speed-up\n");
    for (int s = 0; s < ns; s++)
        printf("%5lld   %14.1f            %14.1f                 %5.2f×\n", (long long)sizes[s],
               gf_haswell[s], gf_nabla[s], gf_nabla[s] / gf_haswell[s]);
    return 0;
}

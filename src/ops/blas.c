/* BLAS loading and the one sgemm every matrix product goes through (see blas.h).
 *
 * Why run-time loading: OpenBLAS picks its kernels when it is loaded, from the CPU it
 * recognises. 0.3.21 (Debian 12) does not recognise AMD Zen 5 and takes its Haswell (AVX2)
 * kernels, half the speed of its SkylakeX (AVX-512) ones on such a CPU (190 vs 360 GFLOP/s
 * for a 1024² sgemm on 2 threads). The only way to choose is the OPENBLAS_CORETYPE
 * variable, read once when the library initialises — so nabla sets it, then dlopen()s the
 * library. A user's own OPENBLAS_CORETYPE is left alone.
 *
 * Threads: OpenBLAS runs single-threaded, and nb_sgemm splits a large product into one
 * block of rows or columns per OpenMP thread. OpenBLAS's own threads (a second pool of
 * busy-waiting threads) would share the cores with the OpenMP threads of every other
 * kernel: measured on 2 cores, a relu followed by a 256×512·512×784 product took 2.2 ms
 * instead of 0.65 ms. Split over OpenMP, the products are as fast as with OpenBLAS's
 * threads or faster (128³: 168 vs 142 GFLOP/s; 1024³ and 2048³: within 1%), and
 * nb_sgemm called inside a parallel region simply runs on its thread.
 *
 * NABLA_BLAS=none forces the built-in C sgemm; NABLA_BLAS=<file> loads that library instead.
 */
#include "blas.h"

#include <dlfcn.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

/* ---- threads ------------------------------------------------------------------------- */

static int n_threads = 0; /* 0: not decided yet */

/* The first number in an environment variable ("4" or OMP's "4,2"), or 0. */
static int env_count(const char *name) {
    const char *s = getenv(name);
    if (!s || !*s) return 0;
    int n = atoi(s);
    return n > 0 ? n : 0;
}

int nb_num_threads(void) {
    if (n_threads == 0) {
        int n = env_count("NABLA_NUM_THREADS");
        if (!n) n = env_count("OMP_NUM_THREADS");
        if (!n) n = omp_get_num_procs();
        n_threads = n > 0 ? n : 1;
    }
    return n_threads;
}

/* NABLA_NUM_THREADS also governs the OpenMP kernels, from the start (OMP_NUM_THREADS and
 * the core count are OpenMP's own defaults already). */
__attribute__((constructor)) static void threads_from_env(void) {
    if (env_count("NABLA_NUM_THREADS")) omp_set_num_threads(nb_num_threads());
}

/* ---- the library ----------------------------------------------------------------------- */

static struct {
    pthread_once_t once;
    void *handle;
    __typeof__(&cblas_sgemm) sgemm;
    void (*set_threads)(int);
    char *(*corename)(void);
    char *(*config)(void);
    bool split;       /* the library runs single-threaded and may be called concurrently */
    char why[320];    /* how the kernels were chosen, or why nothing was loaded */
    char info[512];
} blas = {.once = PTHREAD_ONCE_INIT};

/* AVX-512 as OpenBLAS's SkylakeX kernels use it: F, BW, DQ and VL, enabled by the OS
 * (gcc's __builtin_cpu_supports checks the XSAVE state too). */
static int has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}

static void blas_load(void) {
    const char *want = getenv("NABLA_BLAS");
    if (want && strcmp(want, "none") == 0) {
        snprintf(blas.why, sizeof blas.why, "NABLA_BLAS=none");
        return;
    }
    const char *user_core = getenv("OPENBLAS_CORETYPE");
    bool set_core = !(user_core && *user_core) && has_avx512();
    if (set_core) setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
    /* OpenBLAS would start a thread per core at load; nabla's threads are OpenMP's */
    const char *user_nt = getenv("OPENBLAS_NUM_THREADS");
    bool set_nt = !(user_nt && *user_nt);
    if (set_nt) setenv("OPENBLAS_NUM_THREADS", "1", 1);
    if (user_core && *user_core)
        snprintf(blas.why, sizeof blas.why, "OPENBLAS_CORETYPE=%s", user_core);
    else if (set_core)
        snprintf(blas.why, sizeof blas.why, "AVX-512, chosen by nabla");
    else
        snprintf(blas.why, sizeof blas.why, "chosen by OpenBLAS");

    const char *names[] = {"libopenblas.so.0", "libopenblas.so", "libblas.so.3"};
    const char *err = NULL;
    for (size_t i = 0; i < (want && *want ? 1 : sizeof names / sizeof *names) && !blas.handle; i++) {
        blas.handle = dlopen(want && *want ? want : names[i], RTLD_NOW | RTLD_LOCAL);
        if (!blas.handle) err = dlerror();
    }
    /* the choice is made (OpenBLAS reads the variable once, when it loads): do not pass
     * it on to programs this process starts */
    if (set_core) unsetenv("OPENBLAS_CORETYPE");
    if (set_nt) unsetenv("OPENBLAS_NUM_THREADS");
    if (blas.handle) {
        *(void **)&blas.sgemm = dlsym(blas.handle, "cblas_sgemm");
        *(void **)&blas.set_threads = dlsym(blas.handle, "openblas_set_num_threads");
        *(void **)&blas.corename = dlsym(blas.handle, "openblas_get_corename");
        *(void **)&blas.config = dlsym(blas.handle, "openblas_get_config");
        if (!blas.sgemm) {
            err = "the library has no cblas_sgemm";
            dlclose(blas.handle);
            blas.handle = NULL;
        }
    }
    if (!blas.handle) {
        snprintf(blas.why, sizeof blas.why, "no BLAS library: %s", err ? err : "?");
        fprintf(stderr,
                "nabla: %s\nnabla: matrix products use a slower built-in kernel "
                "(install libopenblas0 for full speed)\n",
                blas.why);
        return;
    }
    /* one thread inside the library; without openblas_set_num_threads (another BLAS) the
     * library is called whole, from one thread */
    if (blas.set_threads) blas.set_threads(1);
    blas.split = blas.set_threads != NULL;
}

static inline void blas_init(void) { pthread_once(&blas.once, blas_load); }

bool nb_blas_loaded(void) {
    blas_init();
    return blas.sgemm != NULL;
}

void *nb_blas_symbol(const char *name) {
    blas_init();
    return blas.handle ? dlsym(blas.handle, name) : NULL;
}

void nb_set_num_threads(int n) {
    if (n < 1) n = 1;
    n_threads = n;
    omp_set_num_threads(n);
}

const char *nb_blas_info(void) {
    blas_init();
    int nt = nb_num_threads();
    if (!blas.sgemm) {
        snprintf(blas.info, sizeof blas.info, "built-in C sgemm (%s), %d thread%s", blas.why, nt,
                 nt == 1 ? "" : "s");
        return blas.info;
    }
    char name[64] = "BLAS";
    if (blas.config) { /* "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64" */
        const char *c = blas.config();
        const char *sp = c ? strchr(c, ' ') : NULL;
        if (sp) sp = strchr(sp + 1, ' ');
        size_t len = sp ? (size_t)(sp - c) : (c ? strlen(c) : 0);
        if (len >= sizeof name) len = sizeof name - 1;
        if (len) {
            memcpy(name, c, len);
            name[len] = 0;
        }
    }
    if (blas.corename)
        snprintf(blas.info, sizeof blas.info, "%s, %s kernels (%s), %d thread%s", name,
                 blas.corename(), blas.why, nt, nt == 1 ? "" : "s");
    else
        snprintf(blas.info, sizeof blas.info, "%s, %d thread%s", name, nt, nt == 1 ? "" : "s");
    return blas.info;
}

/* ---- the built-in sgemm ----------------------------------------------------------------- */
/* Used when no library loads, for products too small to be worth a library call, and for
 * sizes beyond a 32-bit BLAS. Blocked: a KC×NC panel of op(B) is packed once (row-major,
 * contiguous), then each thread packs MC×KC blocks of alpha·op(A) and accumulates
 * C[i, j] += a[i, k] · b[k, j] with j innermost, which the compiler vectorises. */
#define MC 64
#define KC 256
#define NC 512

#define OPA(i, k) (transA ? A[(k) * lda + (i)] : A[(i) * lda + (k)])
#define OPB(k, j) (transB ? B[(j) * ldb + (k)] : B[(k) * ldb + (j)])

/* C (M, N) = beta · C; beta = 0 writes zeros (NaN in C does not survive, as in BLAS) */
static void scale_c(int64_t M, int64_t N, float beta, float *C, int64_t ldc) {
    if (beta == 1.0f) return;
    for (int64_t i = 0; i < M; i++) {
        float *c = C + i * ldc;
        if (beta == 0.0f)
            for (int64_t j = 0; j < N; j++) c[j] = 0.0f;
        else
            for (int64_t j = 0; j < N; j++) c[j] *= beta;
    }
}

/* small products: C (M, N) += alpha · op(A) (M, K) · op(B) (K, N), straight loops */
static void sgemm_small(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
                        const float *A, int64_t lda, const float *B, int64_t ldb, float *C,
                        int64_t ldc) {
    if (!transB) {
        for (int64_t i = 0; i < M; i++) {
            float *c = C + i * ldc;
            for (int64_t k = 0; k < K; k++) {
                const float a = alpha * OPA(i, k), *b = B + k * ldb;
                for (int64_t j = 0; j < N; j++) c[j] += a * b[j];
            }
        }
    } else { /* B stored (N, K): each C[i, j] is a dot product of two rows */
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) {
                const float *b = B + j * ldb;
                float s = 0.0f;
                if (!transA) {
                    const float *a = A + i * lda;
                    for (int64_t k = 0; k < K; k++) s += a[k] * b[k];
                } else
                    for (int64_t k = 0; k < K; k++) s += A[k * lda + i] * b[k];
                C[i * ldc + j] += alpha * s;
            }
    }
}

static void sgemm_blocked(bool transA, bool transB, int64_t M, int64_t N, int64_t K,
                          float alpha, const float *A, int64_t lda, const float *B, int64_t ldb,
                          float *C, int64_t ldc) {
    const bool par = M * N * K >= (1 << 18) && omp_get_max_threads() > 1;
    float *Bp = aligned_alloc(64, sizeof(float) * KC * NC);
    if (!Bp) { /* no memory for a panel: the straight loops need none */
        sgemm_small(transA, transB, M, N, K, alpha, A, lda, B, ldb, C, ldc);
        return;
    }
    for (int64_t jc = 0; jc < N; jc += NC) {
        const int64_t nc = N - jc < NC ? N - jc : NC;
        for (int64_t pc = 0; pc < K; pc += KC) {
            const int64_t kc = K - pc < KC ? K - pc : KC;
            /* Bp (kc, nc) = op(B)[pc:pc+kc, jc:jc+nc] */
            for (int64_t k = 0; k < kc; k++)
                for (int64_t j = 0; j < nc; j++) Bp[k * nc + j] = OPB(pc + k, jc + j);
#pragma omp parallel if (par)
            {
                float Ap[MC * KC] __attribute__((aligned(64)));
#pragma omp for schedule(static)
                for (int64_t ic = 0; ic < M; ic += MC) {
                    const int64_t mc = M - ic < MC ? M - ic : MC;
                    /* Ap (mc, kc) = alpha · op(A)[ic:ic+mc, pc:pc+kc] */
                    for (int64_t i = 0; i < mc; i++)
                        for (int64_t k = 0; k < kc; k++) Ap[i * kc + k] = alpha * OPA(ic + i, pc + k);
                    /* C[ic:ic+mc, jc:jc+nc] (mc, nc) += Ap (mc, kc) · Bp (kc, nc), two rows
                     * of C at a time so each loaded row of Bp serves both */
                    int64_t i = 0;
                    for (; i + 1 < mc; i += 2) {
                        float *c0 = C + (ic + i) * ldc + jc, *c1 = c0 + ldc;
                        for (int64_t k = 0; k < kc; k++) {
                            const float a0 = Ap[i * kc + k], a1 = Ap[(i + 1) * kc + k];
                            const float *b = Bp + k * nc;
                            for (int64_t j = 0; j < nc; j++) {
                                c0[j] += a0 * b[j];
                                c1[j] += a1 * b[j];
                            }
                        }
                    }
                    for (; i < mc; i++) {
                        float *c0 = C + (ic + i) * ldc + jc;
                        for (int64_t k = 0; k < kc; k++) {
                            const float a0 = Ap[i * kc + k], *b = Bp + k * nc;
                            for (int64_t j = 0; j < nc; j++) c0[j] += a0 * b[j];
                        }
                    }
                }
            }
        }
    }
    free(Bp);
}

/* Products from this many multiply-adds up are split over the threads (64³: below, the
 * threads cost more than they save). */
#define NB_SGEMM_SPLIT (1 << 18)

/* Block t of nt of C = alpha·op(A)·op(B) + beta·C through the library: C is cut into nt
 * bands of rows (by_rows) or of columns (in multiples of 16, the width of the AVX-512
 * kernels). Rows are the better cut when each band keeps at least 64 of them (measured:
 * 128³ 248 vs 163 GFLOP/s, 784×512×64 347 vs 150); short and wide products (a batch of
 * 16–64 rows times a wide weight) are better cut by columns (64×512×784: 269 vs 232). */
static void blas_block(int t, int nt, bool by_rows, bool transA, bool transB, int64_t M,
                       int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                       const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    if (!by_rows) { /* columns [lo, hi) of C and of op(B) */
        int64_t per = (N + nt - 1) / nt;
        if (nt > 1) per = (per + 15) / 16 * 16;
        int64_t lo = t * per, hi = lo + per < N ? lo + per : N;
        if (lo >= hi) return;
        B += transB ? lo * ldb : lo;
        C += lo;
        N = hi - lo;
    } else { /* rows [lo, hi) of C and of op(A) */
        int64_t per = (M + nt - 1) / nt, lo = t * per, hi = lo + per < M ? lo + per : M;
        if (lo >= hi) return;
        A += transA ? lo : lo * lda;
        C += lo * ldc;
        M = hi - lo;
    }
    blas.sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
               transB ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K, alpha, A, (int)lda, B,
               (int)ldb, beta, C, (int)ldc);
}

void nb_sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
              const float *A, int64_t lda, const float *B, int64_t ldb, float beta, float *C,
              int64_t ldc) {
    if (M <= 0 || N <= 0) return;
    /* a leading dimension is only read between stored rows: with one stored row any value
     * is right, but BLAS insists on ld ≥ the row length */
    const int64_t arows = transA ? K : M, acols = transA ? M : K;
    const int64_t brows = transB ? N : K, bcols = transB ? K : N;
    if (arows <= 1 && lda < acols) lda = acols;
    if (brows <= 1 && ldb < bcols) ldb = bcols;
    if (M == 1 && ldc < N) ldc = N;
    if (K <= 0 || alpha == 0.0f) {
        scale_c(M, N, beta, C, ldc);
        return;
    }
    const int64_t macs = M * N * K;
    const bool fits_blas = M <= INT32_MAX && N <= INT32_MAX && K <= INT32_MAX &&
                           lda <= INT32_MAX && ldb <= INT32_MAX && ldc <= INT32_MAX &&
                           lda >= (acols > 1 ? acols : 1) && ldb >= (bcols > 1 ? bcols : 1) &&
                           ldc >= N;
    if (macs > NB_SGEMM_SMALL && fits_blas) {
        blas_init();
        if (blas.sgemm) {
            const int nt = omp_in_parallel() ? 1 : omp_get_max_threads();
            const bool by_rows = M >= 64 * nt || N < 32 * nt;
            if (blas.split && nt > 1 && macs >= NB_SGEMM_SPLIT && (by_rows ? M : N) >= 2 * nt) {
#pragma omp parallel num_threads(nt)
                blas_block(omp_get_thread_num(), omp_get_num_threads(), by_rows, transA, transB,
                           M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
            } else
                blas_block(0, 1, true, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C,
                           ldc);
            return;
        }
    }
    scale_c(M, N, beta, C, ldc);
    if (macs <= NB_SGEMM_SMALL)
        sgemm_small(transA, transB, M, N, K, alpha, A, lda, B, ldb, C, ldc);
    else
        sgemm_blocked(transA, transB, M, N, K, alpha, A, lda, B, ldb, C, ldc);
}

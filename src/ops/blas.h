/* BLAS for nabla (src/ops/blas.c): one row-major sgemm that every matrix product and every
 * convolution goes through.
 *
 * OpenBLAS is loaded at run time, on the first sgemm (so that `nabla -e 'return 1'` starts in
 * a few milliseconds), after choosing its kernels: OpenBLAS 0.3.21 does not know recent CPUs
 * (AMD Zen 5) and falls back to its Haswell (AVX2) kernels; on a CPU with AVX-512 (F, BW, DQ,
 * VL) nabla asks for the SkylakeX ones, unless the user has set OPENBLAS_CORETYPE.
 * If no BLAS library can be loaded, a blocked C sgemm (OpenMP) does the work.
 *
 * Threads: NABLA_NUM_THREADS, else OMP_NUM_THREADS, else every core. They are OpenMP's:
 * OpenBLAS runs single-threaded, and nb_sgemm splits a large product over the OpenMP
 * threads (inside a parallel region it runs on the calling thread), so that one pool of
 * threads serves every kernel.
 */
#ifndef NABLA_BLAS_H
#define NABLA_BLAS_H
#include <stdbool.h>
#include <stdint.h>

/* C = alpha · op(A) · op(B) + beta · C, all row-major; op(X) = Xᵀ if transX.
 * op(A) is (M, K), op(B) is (K, N), C is (M, N). lda is the distance between rows of A as
 * stored (≥ K if !transA, ≥ M if transA); the same for ldb, ldc. beta = 0 means C is only
 * written (its old contents, even NaN, are ignored). */
/* Products of at most this many multiply-adds (M·N·K) never reach the library: a plain
 * loop is faster than a BLAS call for them, and is reentrant (callers may run several at
 * once on OpenMP threads). */
#define NB_SGEMM_SMALL 4096

void nb_sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
              const float *A, int64_t lda, const float *B, int64_t ldb, float beta, float *C,
              int64_t ldc);

/* "OpenBLAS 0.3.21, SkylakeX kernels, 2 threads" (loads the library if needed). */
const char *nb_blas_info(void);
/* Threads used by OpenMP kernels and by BLAS. */
int nb_num_threads(void);
void nb_set_num_threads(int n);
/* true once a BLAS library is loaded (false before the first sgemm, or on fallback). */
bool nb_blas_loaded(void);

/* A symbol of the loaded library (NULL if none or missing), for benchmarks that compare
 * nabla against direct calls through the very same kernels ("cblas_sgemm",
 * "openblas_set_num_threads"). Loads the library if needed. */
void *nb_blas_symbol(const char *name);
#endif

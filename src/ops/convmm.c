/* The shifted matrix product (convmm.h):
 *
 *   out[r, :] (+)= Σ_l src[rowoff[r] + off[l]] · V[l, :]
 *
 * It is a matrix product whose left factor A[r, l] = src[rowoff[r] + off[l]] is never
 * built: for a convolution, A is the im2col matrix, read straight from the image.
 * The kernel keeps a tile of MR rows × NR vectors of out in registers; each step l
 * broadcasts MR values of A (one load each, from anywhere in the image) and multiplies them
 * with NR vectors of the row V[l, :], which stays contiguous. That is MR·NR fused
 * multiply-adds for MR + NR loads: 24 for 10 with AVX-512 (6 rows × 4 vectors of 16).
 * No packing and no edge cases inside the loop: the last tile of rows is computed whole
 * (its missing rows repeat the last row) into the NB_CONVMM_SLACK rows out has spare, and
 * ncols is a multiple of the vector width. */
#include "convmm.h"

#include <string.h>

#if defined(__AVX512F__)
#define VL 16
#elif defined(__AVX2__) && defined(__FMA__)
#define VL 8
#endif

int nb_convmm_width(void) {
#ifdef VL
    return VL;
#else
    return 0;
#endif
}

#ifdef VL
typedef float vf __attribute__((vector_size(VL * sizeof(float))));
typedef float vf_u __attribute__((vector_size(VL * sizeof(float)), aligned(sizeof(float))));

/* One tile: rows r0 … r0+MR−1 (bases b[0..MR−1] already offset by rowoff), vectors
 * v0 … v0+NR−1 of out's columns. */
#define CONVMM_TILE(MR, NR)                                                                  \
    static void tile_##MR##x##NR(const float *const *b, const int64_t *off, int64_t L,      \
                                 const float *V, int64_t ldv, float *out, int64_t ldo,       \
                                 bool accumulate) {                                          \
        const float *bb[MR];                                                                 \
        _Pragma("GCC unroll 16") for (int r = 0; r < MR; r++) bb[r] = b[r];                   \
        vf acc[MR][NR];                                                                      \
        _Pragma("GCC unroll 16") for (int r = 0; r < MR; r++)                                \
            _Pragma("GCC unroll 4") for (int v = 0; v < NR; v++) acc[r][v] =                 \
                accumulate ? *(const vf_u *)(out + r * ldo + v * VL) : (vf){0};               \
        for (int64_t l = 0; l < L; l++) {                                                    \
            const int64_t o = off[l];                                                        \
            vf w[NR];                                                                        \
            _Pragma("GCC unroll 4") for (int v = 0; v < NR; v++) w[v] =                      \
                *(const vf_u *)(V + l * ldv + v * VL);                                       \
            _Pragma("GCC unroll 16") for (int r = 0; r < MR; r++) {                          \
                const vf a = bb[r][o] - (vf){0};                                             \
                _Pragma("GCC unroll 4") for (int v = 0; v < NR; v++) acc[r][v] += a * w[v];  \
            }                                                                                \
        }                                                                                    \
        _Pragma("GCC unroll 16") for (int r = 0; r < MR; r++)                                \
            _Pragma("GCC unroll 4") for (int v = 0; v < NR; v++)                             \
                *(vf_u *)(out + r * ldo + v * VL) = acc[r][v];                               \
    }

/* Tiles sized to the vector registers: MR·NR accumulators, NR vectors of V and one
 * broadcast (32 registers with AVX-512, 16 with AVX2). */
#if VL == 16
#define NR_MAX 4
CONVMM_TILE(6, 4)
CONVMM_TILE(8, 3)
CONVMM_TILE(12, 2)
CONVMM_TILE(12, 1)
static const int mr_for[NR_MAX + 1] = {0, 12, 12, 8, 6};
#else
#define NR_MAX 2
CONVMM_TILE(6, 2)
CONVMM_TILE(12, 1)
static const int mr_for[NR_MAX + 1] = {0, 12, 6};
#endif

void nb_convmm(const float *src, const int64_t *rowoff, int64_t R, const int64_t *off,
               int64_t L, const float *V, int64_t ncols, float *out, bool accumulate) {
    const int64_t nv = ncols / VL;
    for (int64_t v0 = 0; v0 < nv; v0 += NR_MAX) {
        const int nr = nv - v0 < NR_MAX ? (int)(nv - v0) : NR_MAX, mr = mr_for[nr];
        for (int64_t r0 = 0; r0 < R; r0 += mr) {
            const float *b[12];
            for (int r = 0; r < mr; r++) b[r] = src + rowoff[r0 + r < R ? r0 + r : R - 1];
            const float *Vc = V + v0 * VL;
            float *oc = out + r0 * ncols + v0 * VL;
            switch (nr) {
#if VL == 16
            case 4: tile_6x4(b, off, L, Vc, ncols, oc, ncols, accumulate); break;
            case 3: tile_8x3(b, off, L, Vc, ncols, oc, ncols, accumulate); break;
            case 2: tile_12x2(b, off, L, Vc, ncols, oc, ncols, accumulate); break;
#else
            case 2: tile_6x2(b, off, L, Vc, ncols, oc, ncols, accumulate); break;
#endif
            default: tile_12x1(b, off, L, Vc, ncols, oc, ncols, accumulate); break;
            }
        }
    }
}
#else
void nb_convmm(const float *src, const int64_t *rowoff, int64_t R, const int64_t *off,
               int64_t L, const float *V, int64_t ncols, float *out, bool accumulate) {
    for (int64_t r = 0; r < R; r++) {
        float *o = out + r * ncols;
        if (!accumulate) memset(o, 0, sizeof(float) * (size_t)ncols);
        for (int64_t l = 0; l < L; l++) {
            const float a = src[rowoff[r] + off[l]], *v = V + l * ncols;
            for (int64_t c = 0; c < ncols; c++) o[c] += a * v[c];
        }
    }
}
#endif

/* In blocks of 16×16, so that both sides stay in a few cache lines. */
void nb_transpose2d(const float *src, int64_t rows, int64_t cols, int64_t ldsrc, float *dst,
                  int64_t ldd, const float *bias) {
    enum { B = 16 };
    for (int64_t r0 = 0; r0 < rows; r0 += B) {
        const int64_t r1 = r0 + B < rows ? r0 + B : rows;
        for (int64_t c0 = 0; c0 < cols; c0 += B) {
            const int64_t c1 = c0 + B < cols ? c0 + B : cols;
            for (int64_t c = c0; c < c1; c++) {
                const float add = bias ? bias[c] : 0.0f;
                float *d = dst + c * ldd;
                for (int64_t r = r0; r < r1; r++) d[r] = src[r * ldsrc + c] + add;
            }
        }
    }
}

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
        _Pragma("GCC unroll 2") for (int64_t l = 0; l < L; l++) {                            \
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
 * broadcast (32 registers with AVX-512, 16 with AVX2); each with a half-height tile for the
 * last rows, so that at most MR/2 − 1 rows are computed for nothing. */
typedef void tile_fn(const float *const *, const int64_t *, int64_t, const float *, int64_t,
                     float *, int64_t, bool);
#if VL == 16
#define NR_MAX 4
CONVMM_TILE(6, 4)
CONVMM_TILE(3, 4)
CONVMM_TILE(8, 3)
CONVMM_TILE(4, 3)
CONVMM_TILE(12, 2)
CONVMM_TILE(6, 2)
CONVMM_TILE(12, 1)
CONVMM_TILE(6, 1)
static const struct { int mr; tile_fn *full, *half; } tiles[NR_MAX + 1] = {
    {0, NULL, NULL},           {12, tile_12x1, tile_6x1}, {12, tile_12x2, tile_6x2},
    {8, tile_8x3, tile_4x3},   {6, tile_6x4, tile_3x4}};
#else
#define NR_MAX 2
CONVMM_TILE(6, 2)
CONVMM_TILE(3, 2)
CONVMM_TILE(12, 1)
CONVMM_TILE(6, 1)
static const struct { int mr; tile_fn *full, *half; } tiles[NR_MAX + 1] = {
    {0, NULL, NULL}, {12, tile_12x1, tile_6x1}, {6, tile_6x2, tile_3x2}};
#endif

void nb_convmm(const float *src, const int64_t *rowoff, int64_t R, const int64_t *off,
               int64_t L, const float *V, int64_t ncols, float *out, bool accumulate) {
    const int64_t nv = ncols / VL;
    for (int64_t v0 = 0; v0 < nv; v0 += NR_MAX) {
        const int nr = nv - v0 < NR_MAX ? (int)(nv - v0) : NR_MAX;
        const int64_t mr = tiles[nr].mr;
        for (int64_t r0 = 0; r0 < R; r0 += mr) {
            const bool half = R - r0 <= mr / 2;
            const float *b[12];
            for (int64_t r = 0; r < (half ? mr / 2 : mr); r++)
                b[r] = src + rowoff[r0 + r < R ? r0 + r : R - 1];
            (half ? tiles[nr].half : tiles[nr].full)(b, off, L, V + v0 * VL, ncols,
                                                     out + r0 * ncols + v0 * VL, ncols, accumulate);
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

/* Whole B×B blocks are transposed in registers (B = 16 with AVX-512, 8 with AVX2: B loads,
 * three rounds of shuffles, B stores); the edges, and builds without vector kernels, take
 * the scalar loop, in blocks of 16×16 so that both sides stay in a few cache lines. */
#if defined(__AVX512F__)
#include <immintrin.h>
#define TB 16
/* d[c, r] = s[r, c] + bias[c] for one 16×16 block */
static inline void transpose_block(const float *s, int64_t lds, float *d, int64_t ldd,
                                   const float *bias) {
    __m512 r[16], t[16];
    for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_ps(s + i * lds);
    for (int i = 0; i < 16; i += 2) { /* lane L: a[4L], b[4L], a[4L+1], b[4L+1] | …+2, +3 */
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int g = 0; g < 4; g++) { /* r[4g + j], lane L: column 4L + j of rows 4g … 4g+3 */
        __m512 *u = t + 4 * g, *o = r + 4 * g;
        o[0] = _mm512_shuffle_ps(u[0], u[2], 0x44);
        o[1] = _mm512_shuffle_ps(u[0], u[2], 0xEE);
        o[2] = _mm512_shuffle_ps(u[1], u[3], 0x44);
        o[3] = _mm512_shuffle_ps(u[1], u[3], 0xEE);
    }
    for (int j = 0; j < 4; j++) { /* gather lane L of the four row groups: column 4L + j */
        __m512 x0 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x44);
        __m512 x1 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xEE);
        __m512 y0 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x44);
        __m512 y1 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xEE);
        __m512 c[4] = {_mm512_shuffle_f32x4(x0, y0, 0x88), _mm512_shuffle_f32x4(x0, y0, 0xDD),
                       _mm512_shuffle_f32x4(x1, y1, 0x88), _mm512_shuffle_f32x4(x1, y1, 0xDD)};
        for (int L = 0; L < 4; L++) {
            const int col = 4 * L + j;
            if (bias) c[L] = _mm512_add_ps(c[L], _mm512_set1_ps(bias[col]));
            _mm512_storeu_ps(d + col * ldd, c[L]);
        }
    }
}
#elif defined(__AVX2__)
#include <immintrin.h>
#define TB 8
static inline void transpose_block(const float *s, int64_t lds, float *d, int64_t ldd,
                                   const float *bias) {
    __m256 r[8], t[8], u[8];
    for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(s + i * lds);
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int g = 0; g < 2; g++) { /* u[4g + j], lane L: column 4L + j of rows 4g … 4g+3 */
        u[4 * g + 0] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
        u[4 * g + 1] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
        u[4 * g + 2] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
        u[4 * g + 3] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
    }
    for (int j = 0; j < 4; j++) {
        __m256 c[2] = {_mm256_permute2f128_ps(u[j], u[4 + j], 0x20),
                       _mm256_permute2f128_ps(u[j], u[4 + j], 0x31)};
        for (int L = 0; L < 2; L++) {
            const int col = 4 * L + j;
            if (bias) c[L] = _mm256_add_ps(c[L], _mm256_set1_ps(bias[col]));
            _mm256_storeu_ps(d + col * ldd, c[L]);
        }
    }
}
#endif

/* the scalar transpose of src's rows [r0, r1) and columns [c0, c1) */
static void transpose_part(const float *src, int64_t r0, int64_t r1, int64_t c0, int64_t c1,
                           int64_t ldsrc, float *dst, int64_t ldd, const float *bias) {
    enum { B = 16 };
    for (int64_t rb = r0; rb < r1; rb += B) {
        const int64_t re = rb + B < r1 ? rb + B : r1;
        for (int64_t cb = c0; cb < c1; cb += B) {
            const int64_t ce = cb + B < c1 ? cb + B : c1;
            for (int64_t c = cb; c < ce; c++) {
                const float add = bias ? bias[c] : 0.0f;
                float *d = dst + c * ldd;
                for (int64_t r = rb; r < re; r++) d[r] = src[r * ldsrc + c] + add;
            }
        }
    }
}

void nb_transpose2d(const float *src, int64_t rows, int64_t cols, int64_t ldsrc, float *dst,
                    int64_t ldd, const float *bias) {
    int64_t r_full = 0, c_full = 0; /* the part done in whole vector blocks */
#ifdef TB
    r_full = rows / TB * TB, c_full = cols / TB * TB;
    for (int64_t c0 = 0; c0 < c_full; c0 += TB) /* TB rows of dst at a time, left to right */
        for (int64_t r0 = 0; r0 < r_full; r0 += TB)
            transpose_block(src + r0 * ldsrc + c0, ldsrc, dst + c0 * ldd + r0, ldd,
                            bias ? bias + c0 : NULL);
#endif
    transpose_part(src, 0, r_full, c_full, cols, ldsrc, dst, ldd, bias); /* right edge */
    transpose_part(src, r_full, rows, 0, cols, ldsrc, dst, ldd, bias);   /* bottom edge */
}

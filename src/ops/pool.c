/* Pooling over 2-D windows: max, average and adaptive average. Each op: its forward, and
 * right below, its backward with the derivative in a comment. Tensors are seen as planes:
 * x (P, H, W) with P = N·C (or C for an unbatched input), y (P, H', W'). Planes are
 * independent, so every loop runs in parallel over them. */
#include "pool.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif


/* Output size of a window op (PyTorch's pooling_output_shape): with ceil_mode the last
 * window may hang over the end, but must start inside the input or its left padding. */
static int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil) {
    int64_t span = in + 2 * p - d * (k - 1) - 1;
    if (span < 0) return 0;
    int64_t o = (ceil ? (span + s - 1) / s : span / s) + 1;
    if (ceil && (o - 1) * s >= in + p) o--;
    return o;
}

/* Checks x and the window; fills the output shape. Returns the number of planes, or -1
 * after nb_error. */
static int64_t pool_geometry(const char *op, const nb_tensor *x, const nb_pool2d_opts *o,
                             int64_t *oshape) {
    char b1[128];
    const char *bad = NULL;
    if (x->ndim != 3 && x->ndim != 4) {
        nb_error("%s: expected an input of shape (N, C, H, W) or (C, H, W), got %s", op,
                 shp(b1, x));
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        if (o->kernel[i] > (1 << 30) || o->stride[i] > (1 << 30) || o->padding[i] > (1 << 30) ||
            o->dilation[i] > (1 << 30))
            bad = "sizes must be below 2^30";
        else if (o->kernel[i] < 1) bad = "the kernel size must be positive";
        else if (o->stride[i] < 1) bad = "the stride must be positive";
        else if (o->dilation[i] < 1) bad = "the dilation must be positive";
        else if (o->padding[i] < 0) bad = "the padding must not be negative";
        else if (o->padding[i] * 2 > o->kernel[i]) bad = "the padding must be at most half the kernel size";
    }
    if (bad) {
        nb_error("%s: kernel %lldx%lld, stride %lldx%lld, padding %lldx%lld, dilation %lldx%lld: "
                 "%s", op, (long long)o->kernel[0], (long long)o->kernel[1],
                 (long long)o->stride[0], (long long)o->stride[1], (long long)o->padding[0],
                 (long long)o->padding[1], (long long)o->dilation[0], (long long)o->dilation[1],
                 bad);
        return -1;
    }
    int nd = x->ndim;
    int64_t H = x->shape[nd - 2], W = x->shape[nd - 1];
    int64_t oh = out_size(H, o->kernel[0], o->stride[0], o->padding[0], o->dilation[0], o->ceil_mode);
    int64_t ow = out_size(W, o->kernel[1], o->stride[1], o->padding[1], o->dilation[1], o->ceil_mode);
    if (oh < 1 || ow < 1) {
        nb_error("%s: the %lldx%lld window (dilation %lldx%lld, padding %lldx%lld) is larger "
                 "than the input %s", op, (long long)o->kernel[0], (long long)o->kernel[1],
                 (long long)o->dilation[0], (long long)o->dilation[1],
                 (long long)o->padding[0], (long long)o->padding[1], shp(b1, x));
        return -1;
    }
    memcpy(oshape, x->shape, sizeof(int64_t) * nd);
    oshape[nd - 2] = oh;
    oshape[nd - 1] = ow;
    return nb_numel(x) / (H * W);
}

static void opts_to_node(nb_node *n, const nb_pool2d_opts *o) {
    for (int i = 0; i < 2; i++) {
        n->iarg[0 + i] = o->kernel[i];
        n->iarg[2 + i] = o->stride[i];
        n->iarg[4 + i] = o->padding[i];
        n->iarg[6 + i] = o->dilation[i];
    }
    n->iarg[8] = o->ceil_mode;
    n->iarg[9] = o->count_include_pad;
}

static nb_pool2d_opts opts_from_node(const nb_node *n) {
    nb_pool2d_opts o;
    for (int i = 0; i < 2; i++) {
        o.kernel[i] = n->iarg[0 + i];
        o.stride[i] = n->iarg[2 + i];
        o.padding[i] = n->iarg[4 + i];
        o.dilation[i] = n->iarg[6 + i];
    }
    o.ceil_mode = n->iarg[8];
    o.count_include_pad = n->iarg[9];
    return o;
}

/* ==== max_pool2d ======================================================================== */

static inline int32_t float_bits(float f) {
    int32_t i;
    memcpy(&i, &f, 4);
    return i;
}
static inline float bits_float(int32_t i) {
    float f;
    memcpy(&f, &i, 4);
    return f;
}

/* The window rows (or columns) of output i along one axis that fall inside the input:
 * positions i·s − p + a·d for a in [*lo, *hi). */
static inline void window_taps(int64_t i, int64_t k, int64_t s, int64_t p, int64_t d,
                               int64_t in, int64_t *lo, int64_t *hi) {
    int64_t start = i * s - p;
    int64_t a = start < 0 ? (-start + d - 1) / d : 0;
    int64_t b = in - start > 0 ? (in - start + d - 1) / d : 0;
    *lo = a;
    *hi = b < k ? b : k;
}

/* The common window: 2×2, stride 2, no padding, dilation 1, every window inside the plane
 * (the floor mode, or even sizes). */
static bool is_pool2x2(const nb_pool2d_opts *o, int64_t H, int64_t W, int64_t OH, int64_t OW) {
    return o->kernel[0] == 2 && o->kernel[1] == 2 && o->stride[0] == 2 && o->stride[1] == 2 &&
           o->padding[0] == 0 && o->padding[1] == 0 && o->dilation[0] == 1 &&
           o->dilation[1] == 1 && 2 * OH <= H && 2 * OW <= W;
}

#if defined(__AVX512F__)
/* 16 outputs of a row at a time: the 32 inputs of each window row are loaded as two
 * vectors and split into their even and odd columns (vpermt2ps); the masks cover the last,
 * partial group (rows of 14 or 7 outputs in the MNIST networks: a whole row is one group). */
static inline void pool2x2_masks(int64_t n, __mmask16 *mo, __mmask16 *mlo, __mmask16 *mhi) {
    *mo = (__mmask16)((1u << n) - 1);
    *mlo = n >= 8 ? (__mmask16)0xFFFF : (__mmask16)((1u << (2 * n)) - 1);
    *mhi = n <= 8 ? (__mmask16)0 : (__mmask16)((1u << (2 * n - 16)) - 1);
}

static inline void pool2x2_row_max(float *yr, int32_t *ir, const float *r0, const float *r1,
                                   int64_t OW, int32_t base, int32_t W) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    for (int64_t j = 0; j < OW; j += 16) {
        __mmask16 mo, mlo, mhi;
        pool2x2_masks(OW - j < 16 ? OW - j : 16, &mo, &mlo, &mhi);
        const __m512 a0 = _mm512_maskz_loadu_ps(mlo, r0 + 2 * j), a1 = _mm512_maskz_loadu_ps(mhi, r0 + 2 * j + 16);
        const __m512 b0 = _mm512_maskz_loadu_ps(mlo, r1 + 2 * j), b1 = _mm512_maskz_loadu_ps(mhi, r1 + 2 * j + 16);
        const __m512 v[3] = {_mm512_permutex2var_ps(a0, odd, a1), _mm512_permutex2var_ps(b0, even, b1),
                             _mm512_permutex2var_ps(b0, odd, b1)};
        const __m512i k0 = _mm512_add_epi32(_mm512_set1_epi32(base + (int32_t)(2 * j)), even);
        const __m512i k[3] = {_mm512_add_epi32(k0, _mm512_set1_epi32(1)),
                              _mm512_add_epi32(k0, _mm512_set1_epi32(W)),
                              _mm512_add_epi32(k0, _mm512_set1_epi32(W + 1))};
        __m512 m = _mm512_permutex2var_ps(a0, even, a1);
        __m512i mi = k0;
        for (int t = 0; t < 3; t++) { /* take v[t] where v[t] > m or v[t] is NaN, as below */
            __mmask16 take = _mm512_cmp_ps_mask(v[t], m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v[t], v[t], _CMP_UNORD_Q);
            m = _mm512_mask_mov_ps(m, take, v[t]);
            mi = _mm512_mask_mov_epi32(mi, take, k[t]);
        }
        _mm512_mask_storeu_ps(yr + j, mo, m);
        _mm512_mask_storeu_epi32(ir + j, mo, mi);
    }
}
#else
/* the same, one window at a time (the general loop below, unrolled) */
static inline void pool2x2_row_max(float *yr, int32_t *ir, const float *r0, const float *r1,
                                   int64_t OW, int32_t base, int32_t W) {
    for (int64_t j = 0; j < OW; j++) {
        float m = r0[2 * j];
        int32_t mi = base + (int32_t)(2 * j);
        const float v[3] = {r0[2 * j + 1], r1[2 * j], r1[2 * j + 1]};
        const int32_t k[3] = {mi + 1, mi + W, mi + W + 1};
        for (int t = 0; t < 3; t++) { /* as below: branch-free */
            int32_t take = -((int32_t)(v[t] > m) | (int32_t)(v[t] != v[t]));
            mi = (k[t] & take) | (mi & ~take);
            m = bits_float((float_bits(v[t]) & take) | (float_bits(m) & ~take));
        }
        yr[j] = m;
        ir[j] = mi;
    }
}
#endif

/* y[p, i, j] = max over the window of x[p], keeping where the max was (NaN wins, as in
 * PyTorch); a window with no element inside the input (ceil_mode) gives −inf, index −1.
 * The comparison is branch-free: on real data the max is unpredictable. */
static void max_pool_forward(float *y, int32_t *idx, const float *x, int64_t P, int64_t H,
                             int64_t W, int64_t OH, int64_t OW, const nb_pool2d_opts *o) {
    const int64_t kh = o->kernel[0], kw = o->kernel[1], sh = o->stride[0], sw = o->stride[1];
    const int64_t ph = o->padding[0], pw = o->padding[1], dh = o->dilation[0], dw = o->dilation[1];
    if (is_pool2x2(o, H, W, OH, OW)) {
        /* rows of windows r = (p, i) of all planes, each independent */
#pragma omp parallel for schedule(static) if (P * OH * OW * 4 >= NB_PAR_MIN)
        for (int64_t r = 0; r < P * OH; r++) {
            const int64_t p = r / OH, i = r % OH;
            const float *r0 = x + (p * H + 2 * i) * W;
            pool2x2_row_max(y + r * OW, idx + r * OW, r0, r0 + W, OW, (int32_t)(2 * i * W),
                            (int32_t)W);
        }
        return;
    }
    /* x is (P, H, W), y and idx are (P, OH, OW); idx holds positions in the H·W plane */
#pragma omp parallel for schedule(static) if (P * OH * OW * kh * kw >= NB_PAR_MIN)
    for (int64_t p = 0; p < P; p++) {
        const float *xp = x + p * H * W;
        float *yp = y + p * OH * OW;
        int32_t *ip = idx + p * OH * OW;
        for (int64_t i = 0; i < OH; i++) {
            int64_t a0, a1, h0 = i * sh - ph;
            window_taps(i, kh, sh, ph, dh, H, &a0, &a1);
            for (int64_t j = 0; j < OW; j++) {
                int64_t b0, b1, w0 = j * sw - pw;
                window_taps(j, kw, sw, pw, dw, W, &b0, &b1);
                float m = -INFINITY;
                int32_t mi = -1;
                if (a0 < a1 && b0 < b1) {
                    mi = (int32_t)((h0 + a0 * dh) * W + w0 + b0 * dw);
                    m = xp[mi];
                }
                for (int64_t a = a0; a < a1; a++)
                    for (int64_t b = b0; b < b1; b++) {
                        int32_t k = (int32_t)((h0 + a * dh) * W + w0 + b * dw);
                        float v = xp[k];
                        /* take = v > m or v is NaN, as an all-ones mask: no branch */
                        int32_t take = -((int32_t)(v > m) | (int32_t)(v != v));
                        mi = (k & take) | (mi & ~take);
                        m = bits_float((float_bits(v) & take) | (float_bits(m) & ~take));
                    }
                yp[i * OW + j] = m;
                ip[i * OW + j] = mi;
            }
        }
    }
}

/* max_pool2d: dL/dx[p, argmax of window (i, j)] += dL/dy[p, i, j]; 0 elsewhere.
 * (For the 2×2 windows, writing every element of dx once, vectorised, instead of zeroing
 * it and scattering g was tried: slower inside a training step, 9.7% of the MNIST CNN's
 * step against 6.6%: most likely because a store to a line not in the cache first reads
 * it, where memset's `rep stosb` does not.) */
static int max_pool2d_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *x = n->in[0];
    int nd = x->ndim;
    int64_t H = x->shape[nd - 2], W = x->shape[nd - 1];
    int64_t Q = n->out_shape[nd - 2] * n->out_shape[nd - 1], P = nb_numel(x) / (H * W);
    const int32_t *idx = n->extra;
    nb_tensor *gc = contig(g);
    nb_tensor *dx = gc ? nb_zeros(nd, x->shape) : NULL;
    if (!dx) {
        nb_decref(gc);
        return -1;
    }
    const float *gp = nb_data(gc);
    float *dp = nb_data(dx);
    /* g and idx are (P, OH·OW), dx is (P, H·W) */
#pragma omp parallel for schedule(static) if (P * Q >= NB_PAR_MIN)
    for (int64_t p = 0; p < P; p++)
        for (int64_t q = 0; q < Q; q++) {
            int32_t k = idx[p * Q + q];
            if (k >= 0) dp[p * H * W + k] += gp[p * Q + q];
        }
    nb_decref(gc);
    gin[0] = dx;
    return 0;
}

nb_tensor *nb_max_pool2d(nb_tensor *x, const nb_pool2d_opts *o, nb_tensor **indices) {
    int64_t os[4];
    int64_t P = pool_geometry("max_pool2d", x, o, os);
    if (P < 0) return NULL;
    int nd = x->ndim;
    int64_t H = x->shape[nd - 2], W = x->shape[nd - 1], OH = os[nd - 2], OW = os[nd - 1];
    if (H * W > INT32_MAX) return nb_error("max_pool2d: planes of more than 2^31 elements");
    nb_tensor *xc = contig(x);
    nb_tensor *y = xc ? nb_empty(nd, os) : NULL;
    int32_t *idx = y ? malloc(sizeof(int32_t) * (size_t)(P * OH * OW) + 1) : NULL;
    if (!idx) {
        nb_decref(xc);
        nb_decref(y);
        return y ? nb_error("max_pool2d: out of memory") : NULL;
    }
    max_pool_forward(nb_data(y), idx, nb_data(xc), P, H, W, OH, OW, o);
    nb_decref(xc);
    if (indices) {
        nb_tensor *it = nb_empty(nd, os);
        if (!it) {
            free(idx);
            nb_decref(y);
            return NULL;
        }
        float *ip = nb_data(it);
        for (int64_t k = 0; k < P * OH * OW; k++) ip[k] = (float)idx[k] + 1.0f;
        *indices = it;
    }
    nb_node *n = nb_attach(&y, "max_pool2d", max_pool2d_backward, 1, &x);
    if (!n) {
        free(idx);
        if (!y && indices) nb_decref(*indices), *indices = NULL; /* recording failed */
        return y;
    }
    opts_to_node(n, o);
    n->extra = idx;
    return y;
}

/* ==== avg_pool2d ======================================================================== */

/* The window of output (i, j) along one axis, clipped to the input: [*lo, *hi); returns
 * the divisor's share along that axis (the padded extent if padding counts). */
static inline int64_t avg_window(int64_t i, int64_t k, int64_t s, int64_t p, int64_t in,
                                 bool count_pad, int64_t *lo, int64_t *hi) {
    int64_t a = i * s - p, b = a + k;
    if (b > in + p) b = in + p;
    int64_t padded = b - a;
    if (a < 0) a = 0;
    if (b > in) b = in;
    *lo = a, *hi = b;
    return count_pad ? padded : (b > a ? b - a : 0);
}

/* avg_pool2d: y[p, i, j] = (1/|window|) Σ_window x[p];
 * dL/dx[p, h, w] = Σ over the windows (i, j) holding (h, w) of dL/dy[p, i, j] / |window| */
static void avg_pool(float *y, float *x, int64_t P, int64_t H, int64_t W, int64_t OH,
                     int64_t OW, const nb_pool2d_opts *o, bool backward) {
    if (o->kernel[0] == 2 && o->kernel[1] == 2 && o->stride[0] == 2 && o->stride[1] == 2 &&
        o->padding[0] == 0 && o->padding[1] == 0 && 2 * OH <= H && 2 * OW <= W) {
        /* the common 2×2 window, stride 2, unrolled: x (P, H, W), y (P, OH, OW) */
#pragma omp parallel for schedule(static) if (P * OH * OW * 4 >= NB_PAR_MIN)
        for (int64_t p = 0; p < P; p++)
            for (int64_t i = 0; i < OH; i++) {
                float *r0 = x + (p * H + 2 * i) * W, *r1 = r0 + W, *yr = y + (p * OH + i) * OW;
                if (backward)
                    for (int64_t j = 0; j < OW; j++) {
                        float g = 0.25f * yr[j];
                        r0[2 * j] = r0[2 * j + 1] = r1[2 * j] = r1[2 * j + 1] = g;
                    }
                else
                    for (int64_t j = 0; j < OW; j++)
                        yr[j] = 0.25f * (r0[2 * j] + r0[2 * j + 1] + r1[2 * j] + r1[2 * j + 1]);
            }
        return;
    }
    /* forward: x (P, H, W) is read, y (P, OH, OW) written; backward: y holds dL/dy and x
     * (zeroed) receives dL/dx */
#pragma omp parallel for schedule(static) if (P * OH * OW * o->kernel[0] * o->kernel[1] >= NB_PAR_MIN)
    for (int64_t p = 0; p < P; p++) {
        float *xp = x + p * H * W, *yp = y + p * OH * OW;
        for (int64_t i = 0; i < OH; i++) {
            int64_t h0, h1, w0, w1;
            int64_t dh = avg_window(i, o->kernel[0], o->stride[0], o->padding[0], H,
                                    o->count_include_pad, &h0, &h1);
            for (int64_t j = 0; j < OW; j++) {
                int64_t dw = avg_window(j, o->kernel[1], o->stride[1], o->padding[1], W,
                                        o->count_include_pad, &w0, &w1);
                float inv = dh * dw > 0 ? 1.0f / (float)(dh * dw) : 0.0f;
                if (backward) {
                    float g = yp[i * OW + j] * inv;
                    for (int64_t h = h0; h < h1; h++)
                        for (int64_t w = w0; w < w1; w++) xp[h * W + w] += g;
                } else {
                    float s = 0.0f;
                    for (int64_t h = h0; h < h1; h++)
                        for (int64_t w = w0; w < w1; w++) s += xp[h * W + w];
                    yp[i * OW + j] = s * inv;
                }
            }
        }
    }
}

static int avg_pool2d_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *x = n->in[0];
    int nd = x->ndim;
    nb_pool2d_opts o = opts_from_node(n);
    int64_t H = x->shape[nd - 2], W = x->shape[nd - 1];
    nb_tensor *gc = contig(g);
    nb_tensor *dx = gc ? nb_zeros(nd, x->shape) : NULL;
    if (!dx) {
        nb_decref(gc);
        return -1;
    }
    avg_pool(nb_data(gc), nb_data(dx), nb_numel(x) / (H * W), H, W, n->out_shape[nd - 2],
             n->out_shape[nd - 1], &o, true);
    nb_decref(gc);
    gin[0] = dx;
    return 0;
}

nb_tensor *nb_avg_pool2d(nb_tensor *x, const nb_pool2d_opts *o) {
    int64_t os[4];
    nb_pool2d_opts oo = *o;
    oo.dilation[0] = oo.dilation[1] = 1;
    int64_t P = pool_geometry("avg_pool2d", x, &oo, os);
    if (P < 0) return NULL;
    int nd = x->ndim;
    nb_tensor *xc = contig(x);
    nb_tensor *y = xc ? nb_empty(nd, os) : NULL;
    if (!y) {
        nb_decref(xc);
        return NULL;
    }
    avg_pool(nb_data(y), nb_data(xc), P, x->shape[nd - 2], x->shape[nd - 1], os[nd - 2],
             os[nd - 1], &oo, false);
    nb_decref(xc);
    nb_node *n = nb_attach(&y, "avg_pool2d", avg_pool2d_backward, 1, &x);
    if (!n) return y; /* no gradient wanted, or NULL: recording failed */
    opts_to_node(n, &oo);
    return y;
}

/* ==== adaptive_avg_pool2d ================================================================ */

/* window i of `out` over an axis of `in`: [floor(i·in/out), ceil((i+1)·in/out)) */
static inline int64_t win_lo(int64_t i, int64_t out, int64_t in) { return i * in / out; }
static inline int64_t win_hi(int64_t i, int64_t out, int64_t in) {
    return ((i + 1) * in + out - 1) / out;
}

/* adaptive_avg_pool2d: y[p, i, j] = mean of x[p] over window (i, j);
 * dL/dx[p, h, w] = Σ over the windows holding (h, w) of dL/dy[p, i, j] / |window| */
static void adaptive_avg(float *y, float *x, int64_t P, int64_t H, int64_t W, int64_t OH,
                         int64_t OW, bool backward) {
    /* x (P, H, W), y (P, OH, OW); backward: y holds dL/dy, x (zeroed) receives dL/dx */
#pragma omp parallel for schedule(static) if (P * H * W >= NB_PAR_MIN)
    for (int64_t p = 0; p < P; p++) {
        float *xp = x + p * H * W, *yp = y + p * OH * OW;
        for (int64_t i = 0; i < OH; i++) {
            int64_t h0 = win_lo(i, OH, H), h1 = win_hi(i, OH, H);
            for (int64_t j = 0; j < OW; j++) {
                int64_t w0 = win_lo(j, OW, W), w1 = win_hi(j, OW, W);
                float inv = 1.0f / (float)((h1 - h0) * (w1 - w0));
                if (backward) {
                    float g = yp[i * OW + j] * inv;
                    for (int64_t h = h0; h < h1; h++)
                        for (int64_t w = w0; w < w1; w++) xp[h * W + w] += g;
                } else {
                    float s = 0.0f;
                    for (int64_t h = h0; h < h1; h++)
                        for (int64_t w = w0; w < w1; w++) s += xp[h * W + w];
                    yp[i * OW + j] = s * inv;
                }
            }
        }
    }
}

static int adaptive_avg_pool2d_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *x = n->in[0];
    int nd = x->ndim;
    int64_t H = x->shape[nd - 2], W = x->shape[nd - 1];
    nb_tensor *gc = contig(g);
    nb_tensor *dx = gc ? nb_zeros(nd, x->shape) : NULL;
    if (!dx) {
        nb_decref(gc);
        return -1;
    }
    adaptive_avg(nb_data(gc), nb_data(dx), nb_numel(x) / (H * W), H, W, n->out_shape[nd - 2],
                 n->out_shape[nd - 1], true);
    nb_decref(gc);
    gin[0] = dx;
    return 0;
}

nb_tensor *nb_adaptive_avg_pool2d(nb_tensor *x, int64_t oh, int64_t ow) {
    char b1[128];
    if (x->ndim != 3 && x->ndim != 4)
        return nb_error("adaptive_avg_pool2d: expected an input of shape (N, C, H, W) or "
                        "(C, H, W), got %s", shp(b1, x));
    if (oh < 1 || ow < 1)
        return nb_error("adaptive_avg_pool2d: output size %lldx%lld must be positive",
                        (long long)oh, (long long)ow);
    int nd = x->ndim;
    int64_t H = x->shape[nd - 2], W = x->shape[nd - 1];
    if (H < 1 || W < 1)
        return nb_error("adaptive_avg_pool2d: empty input %s", shp(b1, x));
    int64_t os[4];
    memcpy(os, x->shape, sizeof(int64_t) * nd);
    os[nd - 2] = oh;
    os[nd - 1] = ow;
    nb_tensor *xc = contig(x);
    nb_tensor *y = xc ? nb_empty(nd, os) : NULL;
    if (!y) {
        nb_decref(xc);
        return NULL;
    }
    adaptive_avg(nb_data(y), nb_data(xc), nb_numel(x) / (H * W), H, W, oh, ow, false);
    nb_decref(xc);
    nb_attach(&y, "adaptive_avg_pool2d", adaptive_avg_pool2d_backward, 1, &x);
    return y;
}

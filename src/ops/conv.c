/* 2-D convolution as matrix products, forward and backward side by side, two ways:
 *  - im2col + sgemm (below): any stride, padding, dilation and groups;
 *  - the direct path (further down, with src/ops/convmm.c): stride 1 and groups 1, the same
 *    products read straight from the (zero-padded) image by our own vector kernels, with no
 *    im2col buffer, no col2im and no packing. On the MNIST CNNs' layers it takes 0.6–0.8×
 *    the time of the im2col path (bench/bench_conv.lua); shift_ok() says where it is used.
 * conv2d{algorithm = "im2col" | "direct"} forces one (tests compare them).
 *
 * For one image, im2col lays out every receptive field as a column:
 *   cols[(c·kh + i)·kw + j, oh·W' + ow] = x[c, oh·sh − ph + i·dh, ow·sw − pw + j·dw]  (0 outside)
 * so that, per group g (of Og = O/groups output and Cg = C/groups input channels,
 * Kg = Cg·kh·kw rows of cols):
 *   forward    y[g] (Og, P)   = W[g] (Og, Kg) · cols[g] (Kg, P)  + b      (P = H'·W')
 *   backward   dW[g] (Og, Kg) += dy[g] (Og, P) · cols[g]ᵀ (P, Kg)   summed over images
 *                                  (computed as its transpose cols[g] · dy[g]ᵀ: faster)
 *              dcols[g] (Kg, P) = W[g]ᵀ (Kg, Og) · dy[g] (Og, P)    then col2im: dx
 *              db = Σ over images and positions of dy
 * With stride 1 and no padding a row of cols is a block of the image, copied straight;
 * with padding (stride 1) the image is first copied into a zero-padded frame.
 * Images are independent, so the loops run in parallel over the batch: each thread takes
 * whole images, with its own cols buffer (small enough to stay in its core's cache between
 * the im2col and the products) and its own dW/db partial sums, added in a fixed order at
 * the end (the same result on every run). The products are single-threaded sgemm calls
 * (src/ops/blas.h): the parallelism is ours. (Putting several small images side by side in
 * one product was measured: no faster, for LeNet's 8×8 planes included.) A 1×1 convolution
 * with stride 1 and no padding needs no im2col: x[n] (C, H·W) already is cols. */
#include "conv.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"
#include "blas.h"
#include "convmm.h"
#include "nnops.h"
#include "shape.h"


/* strides, paddings and dilations beyond this are refused (their products would overflow) */
#define NB_GEOM_MAX ((int64_t)1 << 30)

/* The geometry of one convolution, shared by forward and backward. */
typedef struct {
    int64_t N, C, H, W;      /* input */
    int64_t O, kh, kw;       /* weight (O, C/groups, kh, kw) */
    int64_t OH, OW, P;       /* output plane, P = OH·OW */
    int64_t sh, sw, ph, pw, dh, dw, G;
    int64_t Cg, Og, Kg, K;   /* per group: channels in and out, rows of cols; K = C·kh·kw */
    bool direct;             /* 1×1, stride 1, no padding: cols is x[n] itself */
    bool plain;              /* stride 1, no padding, no dilation: rows of cols are blocks of x */
    bool via_pad;            /* stride 1, no dilation, padding: im2col of a zero-padded copy */
    int64_t Hp, Wp;          /* the zero-padded input frame, H + 2·ph by W + 2·pw */
    bool shifted;            /* stride 1, groups 1: the direct path (convmm) may be taken */
    int algorithm;           /* NB_CONV_AUTO, NB_CONV_IM2COL or NB_CONV_DIRECT */
} geom;

static geom make_geom(const nb_tensor *x, const nb_tensor *w, const nb_conv2d_opts *o) {
    geom g;
    g.N = x->shape[0], g.C = x->shape[1], g.H = x->shape[2], g.W = x->shape[3];
    g.O = w->shape[0], g.kh = w->shape[2], g.kw = w->shape[3];
    g.sh = o->stride[0], g.sw = o->stride[1], g.ph = o->padding[0], g.pw = o->padding[1];
    g.dh = o->dilation[0], g.dw = o->dilation[1], g.G = o->groups;
    int64_t eh = g.dh * (g.kh - 1) + 1, ew = g.dw * (g.kw - 1) + 1; /* dilated kernel */
    g.OH = g.H + 2 * g.ph >= eh ? (g.H + 2 * g.ph - eh) / g.sh + 1 : 0;
    g.OW = g.W + 2 * g.pw >= ew ? (g.W + 2 * g.pw - ew) / g.sw + 1 : 0;
    g.P = g.OH * g.OW;
    g.Cg = g.C / g.G, g.Og = g.O / g.G;
    g.Kg = g.Cg * g.kh * g.kw, g.K = g.C * g.kh * g.kw;
    g.plain = g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0 && g.dh == 1 && g.dw == 1;
    g.direct = g.plain && g.kh == 1 && g.kw == 1;
    g.via_pad = !g.plain && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1;
    g.Hp = g.H + 2 * g.ph, g.Wp = g.W + 2 * g.pw;
    g.shifted = g.sh == 1 && g.sw == 1 && g.G == 1 && !g.direct && nb_convmm_width() > 0;
    g.algorithm = o->algorithm;
    return g;
}

/* The geometry of the zero-padded copy of an image (C, H + 2·ph, W + 2·pw): the same
 * convolution without padding. */
static geom padded_geom(const geom *g) {
    geom p = *g;
    p.H = g->H + 2 * g->ph, p.W = g->W + 2 * g->pw;
    p.ph = p.pw = 0;
    p.plain = true, p.via_pad = false;
    return p;
}

/* x (C, H, W) -> xpad (C, H + 2·ph, W + 2·pw), zeros around: all zeros first (one memset),
 * then the rows of x copied in (a memset or memcpy call per short piece of a row costs more
 * than the piece) */
static void pad_image(const geom *g, const float *restrict x, float *restrict xpad) {
    const int64_t Hp = g->H + 2 * g->ph, Wp = g->W + 2 * g->pw, W = g->W;
    memset(xpad, 0, sizeof(float) * (size_t)(g->C * Hp * Wp));
    for (int64_t c = 0; c < g->C; c++)
        for (int64_t h = 0; h < g->H; h++) {
            float *r = xpad + (c * Hp + h + g->ph) * Wp + g->pw;
            const float *xr = x + (c * g->H + h) * W;
            for (int64_t w = 0; w < W; w++) r[w] = xr[w] + 0.0f; /* (¹) below */
        }
}

/* dx (C, H, W) = the inside of dxpad (C, H + 2·ph, W + 2·pw) */
static void crop_image(const geom *g, const float *restrict dxpad, float *restrict dx) {
    const int64_t Hp = g->H + 2 * g->ph, Wp = g->W + 2 * g->pw;
    for (int64_t c = 0; c < g->C; c++)
        for (int64_t h = 0; h < g->H; h++) {
            const float *r = dxpad + (c * Hp + h + g->ph) * Wp + g->pw;
            float *d = dx + (c * g->H + h) * g->W;
            for (int64_t w = 0; w < g->W; w++) d[w] = r[w] + 0.0f;
        }
}

/* The valid outputs [*lo, *hi) of kernel tap j along one axis: those o with
 * 0 ≤ o·s − p + j·d < W. */
static inline void valid_range(int64_t j, int64_t s, int64_t p, int64_t d, int64_t W,
                               int64_t OW, int64_t *lo, int64_t *hi) {
    int64_t off = j * d - p; /* w = ow·s + off */
    int64_t a = off < 0 ? (-off + s - 1) / s : 0;
    int64_t b = W - off > 0 ? (W - off + s - 1) / s : 0;
    *lo = a < OW ? a : OW;
    *hi = b < OW ? b : OW;
    if (*hi < *lo) *hi = *lo;
}

/* im2col for one image: x (C, H, W) -> cols (K, P), every element written (zeros where the
 * receptive field hangs over the padding). Without padding and stride, a row of cols is a
 * block of x; otherwise the valid ranges of each kernel tap are found once, outside the loop
 * over channels.
 * (¹) "+ 0" keeps gcc from turning the copy into a memcpy call, slow for rows as short as
 * LeNet's 8 (−0 becomes +0 on the way: harmless). */
static void im2col(const geom *g, const float *restrict x, float *restrict cols) {
    const int64_t H = g->H, W = g->W, OH = g->OH, OW = g->OW, sw = g->sw;
    if (g->plain) { /* row (c, i, j) is the OH×OW block of plane c at offset (i, j) */
        for (int64_t c = 0; c < g->C; c++)
            for (int64_t i = 0; i < g->kh; i++)
                for (int64_t j = 0; j < g->kw; j++) {
                    const float *src = x + (c * H + i) * W + j;
                    for (int64_t oh = 0; oh < OH; oh++, src += W, cols += OW)
                        for (int64_t ow = 0; ow < OW; ow++) cols[ow] = src[ow] + 0.0f; /* (¹) */
                }
        return;
    }
    for (int64_t i = 0; i < g->kh; i++) {
        int64_t oh0, oh1; /* output rows whose tap i is inside the input */
        valid_range(i, g->sh, g->ph, g->dh, H, OH, &oh0, &oh1);
        for (int64_t j = 0; j < g->kw; j++) {
            int64_t lo, hi, off = j * g->dw - g->pw;
            valid_range(j, sw, g->pw, g->dw, W, OW, &lo, &hi);
            for (int64_t c = 0; c < g->C; c++) {
                float *row = cols + ((c * g->kh + i) * g->kw + j) * g->P;
                for (int64_t oh = 0; oh < OH; oh++) {
                    float *r = row + oh * OW;
                    if (oh < oh0 || oh >= oh1) {
                        for (int64_t ow = 0; ow < OW; ow++) r[ow] = 0.0f;
                        continue;
                    }
                    const float *xr = x + (c * H + oh * g->sh - g->ph + i * g->dh) * W + off;
                    for (int64_t ow = 0; ow < lo; ow++) r[ow] = 0.0f;
                    if (sw == 1)
                        for (int64_t ow = lo; ow < hi; ow++) r[ow] = xr[ow] + 0.0f; /* (¹) */
                    else
                        for (int64_t ow = lo; ow < hi; ow++) r[ow] = xr[ow * sw];
                    for (int64_t ow = hi; ow < OW; ow++) r[ow] = 0.0f;
                }
            }
        }
    }
}

/* col2im for one image, the adjoint of im2col: dx (C, H, W) += dcols (K, P) scattered back
 * to where each element was gathered from (dx must be zeroed first) */
static void col2im(const geom *g, const float *restrict cols, float *restrict dx) {
    const int64_t H = g->H, W = g->W, OH = g->OH, OW = g->OW, sw = g->sw;
    if (g->plain) {
        for (int64_t c = 0; c < g->C; c++)
            for (int64_t i = 0; i < g->kh; i++)
                for (int64_t j = 0; j < g->kw; j++) {
                    float *dst = dx + (c * H + i) * W + j;
                    for (int64_t oh = 0; oh < OH; oh++, dst += W, cols += OW)
                        for (int64_t ow = 0; ow < OW; ow++) dst[ow] += cols[ow];
                }
        return;
    }
    for (int64_t i = 0; i < g->kh; i++) {
        int64_t oh0, oh1;
        valid_range(i, g->sh, g->ph, g->dh, H, OH, &oh0, &oh1);
        for (int64_t j = 0; j < g->kw; j++) {
            int64_t lo, hi, off = j * g->dw - g->pw;
            valid_range(j, sw, g->pw, g->dw, W, OW, &lo, &hi);
            for (int64_t c = 0; c < g->C; c++) {
                const float *row = cols + ((c * g->kh + i) * g->kw + j) * g->P;
                for (int64_t oh = oh0; oh < oh1; oh++) {
                    const float *r = row + oh * OW;
                    float *dr = dx + (c * H + oh * g->sh - g->ph + i * g->dh) * W + off;
                    if (sw == 1)
                        for (int64_t ow = lo; ow < hi; ow++) dr[ow] += r[ow];
                    else
                        for (int64_t ow = lo; ow < hi; ow++) dr[ow * sw] += r[ow];
                }
            }
        }
    }
}

/* A thread's scratch buffer of n floats (64-byte aligned, for the GEMM kernels), kept from
 * call to call: its contents never matter between calls, but fresh memory does cost (the
 * allocator gives freed buffers back to the system, and first touching pages again costs
 * more than the im2col that fills them). Each thread keeps the largest it has needed, up to
 * SCRATCH_KEEP floats; a larger one is given back by scratch_done(). */
#define SCRATCH_KEEP ((int64_t)4 << 20)
static _Thread_local float *scratch_buf = NULL;
static _Thread_local int64_t scratch_cap = 0;
static void scratch_done(void) {
    if (scratch_cap > SCRATCH_KEEP) {
        free(scratch_buf);
        scratch_buf = NULL;
        scratch_cap = 0;
    }
}
static float *scratch(int64_t n) {
    if (n <= scratch_cap) return scratch_buf;
    size_t bytes = ((size_t)(n > 0 ? n : 1) * sizeof(float) + 63) & ~(size_t)63;
    float *p = aligned_alloc(64, bytes);
    if (!p) return NULL;
    free(scratch_buf);
    scratch_buf = p;
    scratch_cap = n;
    return p;
}

/* The products inside our loop over images must each run on one thread: with the BLAS
 * threads running too, two thread pools would share the same cores (measured on 2 cores:
 * per-image products 1.8× slower, and a serial loop of threaded products 2.4× slower).
 * BLAS's thread count is global, so it is set to 1 for the loop and restored after.
 * Returns the number of threads the loop may use (1: no loop-level parallelism, e.g. for
 * a single image, whose products then use the BLAS threads). */
static int loop_threads_begin(int64_t N, int64_t work) {
    int nt = nb_num_threads();
    if (nt < 2 || N < 2 || work < NB_PAR_MIN) return 1;
    nb_blas_loaded(); /* load the library now, not in a worker thread */
    nb_set_num_threads(1);
    return nt;
}
static void loop_threads_end(int nt) {
    if (nt > 1) nb_set_num_threads(nt);
}

static int conv2d_backward(nb_node *n, nb_tensor *g, nb_tensor **gin);

/* ---- The direct path: stride 1, groups 1 (src/ops/convmm.h) ----
 * With stride 1, the receptive field of output pixel (oh, ow) in the zero-padded image
 * xpad (C, Hp, Wp) starts at pix[p] = oh·Wp + ow, and its tap k = (c, i, j) lies
 * tap[k] = c·Hp·Wp + i·dh·Wp + j·dw further on, whatever the pixel: cols[k, p] is
 * xpad[pix[p] + tap[k]]. So each product of the convolution is a shifted product read
 * straight from the image, with no im2col buffer, no col2im and no packing:
 *   forward  yᵀ[p, :]  = Σ_k xpad[pix[p] + tap[k]] · Wᵀ[k, :]       rows: pixels, sum: taps
 *   dW       dWᵀ[k, :] += Σ_p xpad[tap[k] + pix[p]] · dyᵀ[p, :]     rows: taps, sum: pixels
 *   dx       dxᵀ[q, :]  = Σ_t dypad[pixd[q] + tapd[t]] · Wflip[t, :]
 * The last is the forward convolution of dy, zero-padded by qh = dh·(kh−1) − ph (and
 * qw across), with the weight flipped in both axes and its channel axes swapped:
 *   dx[c, h, w] = Σ_(o,i,j) W[o, c, i, j] · dy[o, h + ph − i·dh, w + pw − j·dw]
 *               = Σ_(o,i',j') W[o, c, kh−1−i', kw−1−j'] · dypad[o, h + i'·dh, w + j'·dw]
 * The products come out transposed (pixels × channels) and are transposed back per image,
 * a small part of the work. The vector kernels need the channels a product writes (O for
 * the forward and dW, C for dx) to be a multiple of the vector width; other shapes, strides
 * and groups take the im2col path above. */

/* tap[k], k = (c, i, j): where tap (i, j) of channel c is, from the start of its receptive
 * field, in a frame of Hf × Wf planes */
static void shift_taps(int64_t C, int64_t kh, int64_t kw, int64_t dh, int64_t dw, int64_t Hf,
                       int64_t Wf, int64_t *tap) {
    for (int64_t c = 0; c < C; c++)
        for (int64_t i = 0; i < kh; i++)
            for (int64_t j = 0; j < kw; j++) *tap++ = c * Hf * Wf + i * dh * Wf + j * dw;
}

/* pix[p], p = (oh, ow): where output pixel p's receptive field starts, in a frame Wf wide */
static void shift_pixels(int64_t OH, int64_t OW, int64_t Wf, int64_t *pix) {
    for (int64_t oh = 0; oh < OH; oh++)
        for (int64_t ow = 0; ow < OW; ow++) *pix++ = oh * Wf + ow;
}

/* Whether the direct path computes a product (SHIFT_FWD, SHIFT_DW or SHIFT_DX) that writes
 * n channels. AUTO takes it where bench/bench_conv.lua measured it faster than im2col:
 *  - not for one image (the im2col path's sgemm then runs on every thread);
 *  - with AVX2, not when a receptive field has fewer than 64 values (C·kh·kw: a first
 *    layer on a grey image): the im2col products are then short, cheap to set up, and as
 *    fast. With AVX-512 the direct path wins there too (on the 2-core Zen of issue 17,
 *    batch 64, forward + dW: 32c3 padded on 1×28×28 0.44 against 0.85–0.93 ms, LeNet's
 *    16c5 0.33 against 0.61, 16c3 on 3×32×32 0.76–0.83 against 1.36–1.45);
 *  - dx only when the input is at most 1.25× the output plane (1.1× with AVX2): the direct
 *    dx runs over every input pixel with every tap, also where the taps fall on dy's zero
 *    border; the im2col path's col2im does not. (Unpadded 3×3 on 26×26: 1.17× the work, 6%
 *    faster than im2col with AVX-512 but 20% slower with AVX2; unpadded 5×5 on 12×12: 2.25×
 *    the work, and 2× slower.) */
enum { SHIFT_FWD, SHIFT_DW, SHIFT_DX };
static bool shift_ok(const geom *g, int64_t n, int product) {
    if (!g->shifted || n % nb_convmm_width() || g->algorithm == NB_CONV_IM2COL) return false;
    if (g->algorithm == NB_CONV_DIRECT) return true;
    if (g->N < 2 && nb_num_threads() > 1) return false;
    if (g->K < 64 && nb_convmm_width() < 16) return false;
    if (product == SHIFT_DX) /* AVX-512: up to 1.25×; AVX2 (measured with -mno-avx512f): 1.1× */
        return nb_convmm_width() >= 16 ? g->H * g->W * 4 <= g->P * 5 : g->H * g->W * 10 <= g->P * 11;
    return true;
}

/* n rounded up to a multiple of 16 floats: pieces of one scratch buffer stay 64-byte aligned */
static inline int64_t round16(int64_t n) { return (n + 15) & ~(int64_t)15; }

/* 64-byte aligned floats (the kernels' loads of V are then aligned) */
static float *falloc(int64_t n) {
    size_t bytes = ((size_t)(n > 0 ? n : 1) * sizeof(float) + 63) & ~(size_t)63;
    return aligned_alloc(64, bytes);
}

nb_tensor *nb_conv2d(nb_tensor *x, nb_tensor *w, nb_tensor *b, const nb_conv2d_opts *opts) {
    char b1[128], b2[128];
    nb_conv2d_opts o = {{1, 1}, {0, 0}, {1, 1}, 1};
    if (opts) o = *opts;
    if (x->ndim == 3) { /* unbatched (C, H, W): a batch of one */
        nb_tensor *xb = nb_unsqueeze(x, 0);
        nb_tensor *y = xb ? nb_conv2d(xb, w, b, &o) : NULL;
        nb_decref(xb);
        nb_tensor *out = y ? nb_squeeze(y, 0) : NULL;
        nb_decref(y);
        return out;
    }
    if (x->ndim != 4)
        return nb_error("conv2d: expected an input of shape (N, C, H, W) or (C, H, W), got %s",
                        shp(b1, x));
    if (w->ndim != 4)
        return nb_error("conv2d: weight must have shape (out_channels, in_channels/groups, kh, "
                        "kw), got %s", shp(b1, w));
    if (w->shape[2] < 1 || w->shape[3] < 1)
        return nb_error("conv2d: weight %s has an empty kernel", shp(b1, w));
    for (int k = 0; k < 2; k++)
        if (o.stride[k] < 1 || o.dilation[k] < 1 || o.padding[k] < 0 || o.stride[k] > NB_GEOM_MAX ||
            o.dilation[k] > NB_GEOM_MAX || o.padding[k] > NB_GEOM_MAX)
            return nb_error("conv2d: stride %lldx%lld and dilation %lldx%lld must be positive, "
                            "padding %lldx%lld not negative (and all below 2^30)", (long long)o.stride[0],
                            (long long)o.stride[1], (long long)o.dilation[0],
                            (long long)o.dilation[1], (long long)o.padding[0],
                            (long long)o.padding[1]);
    const int64_t C = x->shape[1], O = w->shape[0], G = o.groups;
    if (G < 1) return nb_error("conv2d: groups must be at least 1, got %lld", (long long)G);
    if (C % G || O % G)
        return nb_error("conv2d: groups=%lld must divide both the %lld input channels of %s "
                        "and the %lld output channels of the weight %s", (long long)G,
                        (long long)C, shp(b1, x), (long long)O, shp(b2, w));
    if (w->shape[1] * G != C) {
        if (G == 1)
            return nb_error("conv2d: input %s has %lld channels, weight %s expects %lld",
                            shp(b1, x), (long long)C, shp(b2, w), (long long)w->shape[1]);
        return nb_error("conv2d: input %s has %lld channels, weight %s expects %lld (%lld per "
                        "group × %lld groups)", shp(b1, x), (long long)C, shp(b2, w),
                        (long long)(w->shape[1] * G), (long long)w->shape[1], (long long)G);
    }
    if (b && (b->ndim != 1 || b->shape[0] != O))
        return nb_error("conv2d: bias has shape %s, expected [%lld] (one per output channel of "
                        "the weight %s)", shp(b1, b), (long long)O, shp(b2, w));
    geom gm = make_geom(x, w, &o);
    if (gm.OH < 1 || gm.OW < 1)
        return nb_error("conv2d: the %lldx%lld kernel (dilation %lldx%lld) is larger than the "
                        "input %s padded by %lldx%lld", (long long)gm.kh, (long long)gm.kw,
                        (long long)gm.dh, (long long)gm.dw, shp(b1, x), (long long)gm.ph,
                        (long long)gm.pw);
    const geom *g = &gm, gpad = padded_geom(g);
    int64_t os[4] = {g->N, O, g->OH, g->OW};
    nb_tensor *xc = contig(x), *wc = contig(w), *bc = contig(b);
    nb_tensor *y = xc && wc && (!b || bc) ? nb_empty(4, os) : NULL;
    if (!y) {
        nb_decref(xc), nb_decref(wc), nb_decref(bc);
        return NULL;
    }
    const float *xp = nb_data(xc), *wp = nb_data(wc), *bp = bc ? nb_data(bc) : NULL;
    float *yp = nb_data(y);
    int failed = 0;
    const int64_t P = g->P, K = g->K, image = g->C * g->H * g->W;
    /* the direct path: the weight transposed (K, O), the taps and the pixels (shared) */
    const bool shift = shift_ok(g, O, SHIFT_FWD), pad = g->ph > 0 || g->pw > 0;
    float *wt = shift ? falloc(K * O) : NULL;
    int64_t *tap = shift ? malloc(sizeof(int64_t) * (size_t)(K + P)) : NULL;
    int64_t *pix = tap ? tap + K : NULL;
    if (shift && (!wt || !tap)) {
        free(wt), free(tap);
        nb_decref(xc), nb_decref(wc), nb_decref(bc), nb_decref(y);
        return nb_error("conv2d: out of memory");
    }
    if (shift) {
        nb_transpose2d(wp, O, K, K, wt, O, NULL);
        shift_taps(g->C, g->kh, g->kw, g->dh, g->dw, g->Hp, g->Wp, tap);
        shift_pixels(g->OH, g->OW, g->Wp, pix);
    }
    const int nt = loop_threads_begin(g->N, g->N * g->O * g->P * g->Kg);
    /* per image n: x[n] (C, H, W), cols (K, P), y[n] (O, P); W (O, Kg); b (O) */
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        /* one buffer: cols (K, P) (or for the direct path yᵀ (P + slack, O)), then the
         * padded image (via_pad, or the direct path with padding) */
        const int64_t padded = g->via_pad || (shift && pad) ? g->C * g->Hp * g->Wp : 0;
        const int64_t cols_n = shift ? (P + NB_CONVMM_SLACK) * O : round16(g->K * P);
        float *cols = g->direct ? NULL : scratch(cols_n + padded);
        float *xpad = cols ? cols + cols_n : NULL;
        if (!g->direct && !cols) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp barrier /* every thread sees whether all buffers were allocated */
#pragma omp for schedule(static)
        for (int64_t n = 0; n < g->N; n++) {
            if (failed) continue;
            const float *cn = xp + n * image; /* 1×1: x[n] is cols */
            float *yn = yp + n * O * P;
            if (shift) { /* yᵀ (P, O) = the shifted product, then y[n] = yᵀᵀ + b */
                if (pad) {
                    pad_image(g, cn, xpad);
                    cn = xpad;
                }
                nb_convmm(cn, pix, P, tap, K, wt, O, cols, false);
                nb_transpose2d(cols, P, O, O, yn, P, bp);
                continue;
            }
            if (!g->direct) {
                if (g->via_pad) {
                    pad_image(g, xp + n * image, xpad);
                    im2col(&gpad, xpad, cols);
                } else
                    im2col(g, xp + n * image, cols);
                cn = cols;
            }
            if (bp) /* y starts as the bias, and the product is added to it */
                for (int64_t oc = 0; oc < O; oc++)
                    for (int64_t q = 0; q < P; q++) yn[oc * P + q] = bp[oc];
            for (int64_t gi = 0; gi < G; gi++)
                nb_sgemm(false, false, g->Og, P, g->Kg, 1.0f, wp + gi * g->Og * g->Kg, g->Kg,
                         cn + gi * g->Kg * P, P, bp ? 1.0f : 0.0f, yn + gi * g->Og * P, P);
        }
        scratch_done();
    }
    loop_threads_end(nt);
    free(wt), free(tap);
    nb_decref(xc), nb_decref(wc), nb_decref(bc);
    if (failed) {
        nb_decref(y);
        return nb_error("conv2d: out of memory for the im2col buffer (%lld floats)",
                        (long long)(g->K * g->P));
    }
    nb_tensor *ins[3] = {x, w, b};
    nb_node *n = nb_attach(&y, "conv2d", conv2d_backward, 3, ins);
    if (!n) return y; /* no gradient wanted, or NULL: recording failed */
    n->iarg[0] = o.stride[0], n->iarg[1] = o.stride[1];
    n->iarg[2] = o.padding[0], n->iarg[3] = o.padding[1];
    n->iarg[4] = o.dilation[0], n->iarg[5] = o.dilation[1];
    n->iarg[6] = o.groups, n->iarg[7] = o.algorithm;
    return y;
}

/* conv2d backward (the formulas are at the top of this file):
 *   dW[g] = Σ_n dy[n, g] · cols[n, g]ᵀ,  db = Σ_n Σ_p dy[n, :, p],
 *   dx[n] = col2im(W[g]ᵀ · dy[n, g])
 * cols is recomputed from x rather than kept from the forward: it is as cheap as reading
 * it back, and a batch's cols can be tens of megabytes per layer. */
static int conv2d_backward(nb_node *n, nb_tensor *gy, nb_tensor **gin) {
    nb_tensor *x = n->in[0], *w = n->in[1];
    nb_conv2d_opts o = {{n->iarg[0], n->iarg[1]}, {n->iarg[2], n->iarg[3]},
                        {n->iarg[4], n->iarg[5]}, n->iarg[6], (int)n->iarg[7]};
    const geom gm = make_geom(x, w, &o), *g = &gm, gpad = padded_geom(g);
    const int64_t O = g->O, G = g->G, C = g->C, K = g->K, P = g->P, HW = g->H * g->W;
    const bool need_dx = n->needs[0], need_dw = n->needs[1], need_db = n->needs[2];
    /* the direct path, for dW and for dx each when its shapes allow (see above) */
    const int64_t qh = g->dh * (g->kh - 1) - g->ph, qw = g->dw * (g->kw - 1) - g->pw;
    const int64_t Hq = g->OH + 2 * qh, Wq = g->OW + 2 * qw, T = O * g->kh * g->kw;
    const bool shift_dw = need_dw && shift_ok(g, O, SHIFT_DW);
    const bool shift_dx = need_dx && shift_ok(g, C, SHIFT_DX) && qh >= 0 && qw >= 0;
    const bool pad = g->ph > 0 || g->pw > 0;
    const bool cols_dw = need_dw && !shift_dw && !g->direct, cols_dx = need_dx && !shift_dx && !g->direct;
    nb_tensor *xc = need_dw ? contig(x) : NULL, *wc = need_dx ? contig(w) : NULL;
    nb_tensor *gc = contig(gy);
    nb_tensor *dx = need_dx ? nb_empty(4, x->shape) : NULL;
    nb_tensor *dw = need_dw ? nb_empty(4, w->shape) : NULL;
    nb_tensor *db = need_db ? nb_empty(1, &g->O) : NULL;
    const int nt = loop_threads_begin(g->N, g->N * g->O * g->P * g->Kg);
    const int64_t wsize = O * g->Kg; /* elements of W */
    /* per-thread partial sums: dWᵀ (G, Kg, Og) (the direct path writes NB_CONVMM_SLACK rows
     * more), then db (O) */
    const int64_t ps = wsize + (shift_dw ? NB_CONVMM_SLACK * O : 0) + O;
    float *part = need_dw || need_db ? calloc((size_t)nt * ps, sizeof(float)) : NULL;
    /* shared by the threads: the direct dW's taps and pixels, the direct dx's flipped weight
     * (T, C) with its taps and pixels in the frame of the padded dy */
    int64_t *tap = shift_dw ? malloc(sizeof(int64_t) * (size_t)(K + P)) : NULL;
    int64_t *tapd = shift_dx ? malloc(sizeof(int64_t) * (size_t)(T + HW)) : NULL;
    float *wf = shift_dx ? falloc(T * C) : NULL;
    if (!gc || (need_dw && !xc) || (need_dx && !wc) || (need_dx && !dx) || (need_dw && !dw) ||
        (need_db && !db) || ((need_dw || need_db) && !part) || (shift_dw && !tap) ||
        (shift_dx && (!tapd || !wf))) {
        nb_decref(xc), nb_decref(wc), nb_decref(gc), nb_decref(dx), nb_decref(dw), nb_decref(db);
        free(part), free(tap), free(tapd), free(wf);
        loop_threads_end(nt);
        nb_error("conv2d backward: out of memory");
        return -1;
    }
    const float *xp = xc ? nb_data(xc) : NULL, *wp = wc ? nb_data(wc) : NULL, *gp = nb_data(gc);
    int64_t *pix = tap ? tap + K : NULL, *pixd = tapd ? tapd + T : NULL;
    if (shift_dw) {
        shift_taps(C, g->kh, g->kw, g->dh, g->dw, g->Hp, g->Wp, tap);
        shift_pixels(g->OH, g->OW, g->Wp, pix);
    }
    if (shift_dx) { /* wf[(o, i', j'), c] = W[o, c, kh−1−i', kw−1−j'] */
        const int64_t kk = g->kh * g->kw;
        for (int64_t oc = 0; oc < O; oc++)
            for (int64_t t = 0; t < kk; t++)
                for (int64_t c = 0; c < C; c++)
                    wf[(oc * kk + t) * C + c] = wp[(oc * C + c) * kk + kk - 1 - t];
        shift_taps(O, g->kh, g->kw, g->dh, g->dw, Hq, Wq, tapd);
        shift_pixels(g->H, g->W, Wq, pixd);
    }
    geom gq = *g; /* dy (O, OH, OW) zero-padded by (qh, qw): pad_image's geometry */
    gq.C = O, gq.H = g->OH, gq.W = g->OW, gq.ph = qh, gq.pw = qw;
    float *dxp = dx ? nb_data(dx) : NULL;
    int failed = 0;
    const int64_t image = C * HW;
    /* per image n: x[n], dx[n] (C, H, W); dy[n] (O, P); cols, dcols (K, P); W (O, Kg) */
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        const int t = omp_get_thread_num();
        float *pdw = part ? part + (size_t)t * ps : NULL, *pdb = pdw ? pdw + ps - O : NULL;
        /* one buffer, in pieces (16-float multiples): cols (K, P) for the im2col path; the
         * padded image (or its gradient); for the direct dW dyᵀ (P, O); for the direct dx
         * the padded dy (O, Hq, Wq) and dxᵀ (H·W + slack, C) */
        const int64_t n_cols = cols_dw || cols_dx ? round16(K * P) : 0;
        const int64_t n_pad = (g->via_pad && (cols_dw || cols_dx)) || (shift_dw && pad)
                                  ? round16(C * g->Hp * g->Wp) : 0;
        const int64_t n_dyt = shift_dw ? round16(P * O) : 0;
        const int64_t n_dyp = shift_dx ? round16(O * Hq * Wq) : 0;
        const int64_t n_dxt = shift_dx ? round16((HW + NB_CONVMM_SLACK) * C) : 0;
        const int64_t total = n_cols + n_pad + n_dyt + n_dyp + n_dxt;
        float *buf = total ? scratch(total) : NULL;
        float *cols = buf, *xpad = buf ? buf + n_cols : NULL;
        float *dyt = buf ? xpad + n_pad : NULL, *dyp = buf ? dyt + n_dyt : NULL;
        float *dxt = buf ? dyp + n_dyp : NULL;
        if (total && !buf) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp barrier /* every thread sees whether all buffers were allocated */
#pragma omp for schedule(static)
        for (int64_t i = 0; i < g->N; i++) {
            if (failed) continue;
            const float *dyn = gp + i * O * P;
            if (need_db)
                for (int64_t oc = 0; oc < O; oc++) pdb[oc] += nb_vsum(dyn + oc * P, P);
            if (shift_dw) { /* dWᵀ (K, O) += Σ_p xpad[tap[k] + pix[p]] · dyᵀ[p, :] */
                const float *src = xp + i * image;
                if (pad) {
                    pad_image(g, src, xpad);
                    src = xpad;
                }
                nb_transpose2d(dyn, O, P, P, dyt, O, NULL);
                nb_convmm(src, tap, K, pix, P, dyt, O, pdw, true);
            } else if (need_dw) {
                const float *cn = xp + i * image; /* 1×1: x[n] is cols */
                if (!g->direct) {
                    if (g->via_pad) {
                        pad_image(g, xp + i * image, xpad);
                        im2col(&gpad, xpad, cols);
                    } else
                        im2col(g, xp + i * image, cols);
                    cn = cols;
                }
                /* dW[g]ᵀ (Kg, Og) += cols[g] (Kg, P) · dy[g]ᵀ (P, Og): the same product,
                 * transposed, which sgemm runs up to 1.4× faster for these shapes */
                for (int64_t gi = 0; gi < G; gi++)
                    nb_sgemm(false, true, g->Kg, g->Og, P, 1.0f, cn + gi * g->Kg * P, P,
                             dyn + gi * g->Og * P, P, 1.0f, pdw + gi * g->Kg * g->Og, g->Og);
            }
            if (shift_dx) { /* dxᵀ (H·W, C) = Σ_t dypad[pixd[q] + tapd[t]] · wf[t, :] */
                pad_image(&gq, dyn, dyp);
                nb_convmm(dyp, pixd, HW, tapd, T, wf, C, dxt, false);
                nb_transpose2d(dxt, HW, C, C, dxp + i * image, HW, NULL);
            } else if (need_dx) {
                float *dxn = dxp + i * image;
                float *dc = g->direct ? dxn : cols; /* 1×1: dcols is dx[n] itself */
                for (int64_t gi = 0; gi < G; gi++)
                    nb_sgemm(true, false, g->Kg, P, g->Og, 1.0f, wp + gi * g->Og * g->Kg, g->Kg,
                             dyn + gi * g->Og * P, P, 0.0f, dc + gi * g->Kg * P, P);
                if (!g->direct) {
                    if (g->via_pad) { /* into the padded gradient, then its inside */
                        memset(xpad, 0, sizeof(float) * C * g->Hp * g->Wp);
                        col2im(&gpad, cols, xpad);
                        crop_image(g, xpad, dxn);
                    } else {
                        memset(dxn, 0, sizeof(float) * image);
                        col2im(g, cols, dxn);
                    }
                }
            }
        }
        scratch_done();
    }
    loop_threads_end(nt);
    free(tap), free(tapd), free(wf);
    nb_decref(xc), nb_decref(wc), nb_decref(gc);
    if (failed) {
        nb_decref(dx), nb_decref(dw), nb_decref(db);
        free(part);
        nb_error("conv2d backward: out of memory for the im2col buffer");
        return -1;
    }
    /* the threads' partial sums, added in thread order */
    if (dw) { /* each part holds dW[g]ᵀ (Kg, Og) per group */
        float *d = nb_data(dw);
        for (int64_t gi = 0; gi < G; gi++)
            for (int64_t oc = 0; oc < g->Og; oc++)
                for (int64_t k = 0; k < g->Kg; k++) {
                    const int64_t src = gi * g->Kg * g->Og + k * g->Og + oc;
                    float s = part[src];
                    for (int t = 1; t < nt; t++) s += part[(size_t)t * ps + src];
                    d[(gi * g->Og + oc) * g->Kg + k] = s;
                }
    }
    if (db) {
        float *d = nb_data(db);
        memcpy(d, part + ps - O, sizeof(float) * O);
        for (int t = 1; t < nt; t++)
            for (int64_t k = 0; k < O; k++) d[k] += part[(size_t)t * ps + ps - O + k];
    }
    free(part);
    gin[0] = dx, gin[1] = dw, gin[2] = db;
    return 0;
}

/* ==== conv_transpose2d ===================================================================
 * The adjoint of conv2d in its input ("deconvolution", PyTorch's conv_transpose2d):
 * x (N, C, H, W), w (C, O/groups, kh, kw), b (O) -> y (N, O, H', W') with
 *   H' = (H − 1)·sh − 2·ph + dh·(kh − 1) + oph + 1   (oph, output_padding, < sh or < dh)
 * It is conv2d's dx computation with the roles swapped: in the geometry of the conv2d that
 * maps (O, H', W') to (C, H, W) with weight w (whose C rows are then its outputs), per
 * image n and group g (Cg = C/groups, Kg = (O/groups)·kh·kw, P = H·W):
 *   forward   cols[g] (Kg, P) = W[g]ᵀ (Kg, Cg) · x[n, g] (Cg, P);   y[n] = col2im(cols) + b
 *   backward  dcols = im2col(dy[n])                      (each output's taps, gathered back)
 *             dx[n, g] (Cg, P) = W[g] (Cg, Kg) · dcols[g] (Kg, P)   (a conv2d of dy by w)
 *             dW[g] (Cg, Kg) += x[n, g] (Cg, P) · dcols[g]ᵀ (P, Kg)  summed over images
 *             db = Σ over images and positions of dy */
static geom transposed_geom(const nb_tensor *x, const nb_tensor *w, const nb_conv2d_opts *o,
                            const int64_t *oph) {
    geom g;
    memset(&g, 0, sizeof g);
    g.N = x->shape[0], g.O = x->shape[1], g.OH = x->shape[2], g.OW = x->shape[3];
    g.kh = w->shape[2], g.kw = w->shape[3], g.G = o->groups;
    g.C = w->shape[1] * g.G;
    g.sh = o->stride[0], g.sw = o->stride[1], g.ph = o->padding[0], g.pw = o->padding[1];
    g.dh = o->dilation[0], g.dw = o->dilation[1];
    g.H = (g.OH - 1) * g.sh - 2 * g.ph + g.dh * (g.kh - 1) + oph[0] + 1;
    g.W = (g.OW - 1) * g.sw - 2 * g.pw + g.dw * (g.kw - 1) + oph[1] + 1;
    g.P = g.OH * g.OW;
    g.Cg = g.C / g.G, g.Og = g.O / g.G;
    g.Kg = g.Cg * g.kh * g.kw, g.K = g.C * g.kh * g.kw;
    g.plain = g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0 && g.dh == 1 && g.dw == 1;
    g.Hp = g.H, g.Wp = g.W;
    g.algorithm = NB_CONV_IM2COL;
    return g;
}

static int conv_transpose2d_backward(nb_node *n, nb_tensor *g, nb_tensor **gin);

nb_tensor *nb_conv_transpose2d(nb_tensor *x, nb_tensor *w, nb_tensor *b,
                               const nb_conv2d_opts *opts, const int64_t output_padding[2]) {
    char b1[128], b2[128];
    const char *op = "conv_transpose2d";
    nb_conv2d_opts o = {{1, 1}, {0, 0}, {1, 1}, 1};
    if (opts) o = *opts;
    int64_t oph[2] = {0, 0};
    if (output_padding) oph[0] = output_padding[0], oph[1] = output_padding[1];
    if (x->ndim == 3) { /* unbatched (C, H, W): a batch of one */
        nb_tensor *xb = nb_unsqueeze(x, 0);
        nb_tensor *y = xb ? nb_conv_transpose2d(xb, w, b, &o, oph) : NULL;
        nb_decref(xb);
        nb_tensor *out = y ? nb_squeeze(y, 0) : NULL;
        nb_decref(y);
        return out;
    }
    if (x->ndim != 4)
        return nb_error("%s: expected an input of shape (N, C, H, W) or (C, H, W), got %s", op,
                        shp(b1, x));
    if (w->ndim != 4)
        return nb_error("%s: weight must have shape (in_channels, out_channels/groups, kh, kw), "
                        "got %s", op, shp(b1, w));
    if (w->shape[1] < 1 || w->shape[2] < 1 || w->shape[3] < 1)
        return nb_error("%s: weight %s is empty", op, shp(b1, w));
    for (int k = 0; k < 2; k++) {
        if (o.stride[k] < 1 || o.dilation[k] < 1 || o.padding[k] < 0 ||
            o.stride[k] > NB_GEOM_MAX || o.dilation[k] > NB_GEOM_MAX || o.padding[k] > NB_GEOM_MAX)
            return nb_error("%s: stride %lldx%lld and dilation %lldx%lld must be positive, "
                            "padding %lldx%lld not negative (and all below 2^30)", op,
                            (long long)o.stride[0], (long long)o.stride[1],
                            (long long)o.dilation[0], (long long)o.dilation[1],
                            (long long)o.padding[0], (long long)o.padding[1]);
        if (oph[k] < 0 || (oph[k] >= o.stride[k] && oph[k] >= o.dilation[k]))
            return nb_error("%s: output_padding %lldx%lld must be smaller than the stride "
                            "%lldx%lld or the dilation %lldx%lld", op, (long long)oph[0],
                            (long long)oph[1], (long long)o.stride[0], (long long)o.stride[1],
                            (long long)o.dilation[0], (long long)o.dilation[1]);
    }
    const int64_t C = x->shape[1], G = o.groups;
    if (G < 1) return nb_error("%s: groups must be at least 1, got %lld", op, (long long)G);
    if (C % G)
        return nb_error("%s: groups=%lld must divide the %lld input channels of %s", op,
                        (long long)G, (long long)C, shp(b1, x));
    if (w->shape[0] != C)
        return nb_error("%s: input %s has %lld channels, weight %s expects %lld (its first "
                        "size: in_channels)", op, shp(b1, x), (long long)C, shp(b2, w),
                        (long long)w->shape[0]);
    int64_t O;
    if (!nb_mul_ok(w->shape[1], G, &O) || O > NB_MAX_NUMEL)
        return nb_error("%s: weight %s with groups=%lld: too many output channels", op,
                        shp(b1, w), (long long)G);
    if (b && (b->ndim != 1 || b->shape[0] != O))
        return nb_error("%s: bias has shape %s, expected [%lld] (one per output channel: the "
                        "weight %s's second size × groups)", op, shp(b1, b), (long long)O,
                        shp(b2, w));
    if (x->shape[2] < 1 || x->shape[3] < 1)
        return nb_error("%s: empty input %s", op, shp(b1, x));
    const geom gm = transposed_geom(x, w, &o, oph), *g = &gm;
    if (g->H < 1 || g->W < 1)
        return nb_error("%s: the output of input %s would be %lldx%lld: the padding %lldx%lld is "
                        "too large", op, shp(b1, x), (long long)g->H, (long long)g->W,
                        (long long)g->ph, (long long)g->pw);
    int64_t os[4] = {g->N, g->C, g->H, g->W}, cn;
    if (nb_shape_numel(4, os) < 0 || !nb_mul_ok(g->K, g->P, &cn) || cn > NB_MAX_NUMEL)
        return nb_error("%s: input %s and weight %s give an output too large", op, shp(b1, x),
                        shp(b2, w));
    nb_tensor *xc = contig(x), *wc = contig(w), *bc = contig(b);
    nb_tensor *y = xc && wc && (!b || bc) ? nb_empty(4, os) : NULL;
    if (!y) {
        nb_decref(xc), nb_decref(wc), nb_decref(bc);
        return NULL;
    }
    const float *xp = nb_data(xc), *wp = nb_data(wc), *bp = bc ? nb_data(bc) : NULL;
    float *yp = nb_data(y);
    const int64_t P = g->P, image = g->C * g->H * g->W, HW = g->H * g->W;
    int failed = 0;
    const int nt = loop_threads_begin(g->N, g->N * g->O * g->P * g->Kg);
    /* per image n: x[n] (Cin, P) where Cin = g->O, cols (K, P), y[n] (Cout = g->C, H', W') */
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        float *cols = scratch(round16(cn));
        if (!cols) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp barrier
#pragma omp for schedule(static)
        for (int64_t n = 0; n < g->N; n++) {
            if (failed) continue;
            const float *xn = xp + n * g->O * P;
            float *yn = yp + n * image;
            for (int64_t gi = 0; gi < G; gi++)
                nb_sgemm(true, false, g->Kg, P, g->Og, 1.0f, wp + gi * g->Og * g->Kg, g->Kg,
                         xn + gi * g->Og * P, P, 0.0f, cols + gi * g->Kg * P, P);
            memset(yn, 0, sizeof(float) * (size_t)image);
            col2im(g, cols, yn);
            if (bp)
                for (int64_t c = 0; c < g->C; c++)
                    for (int64_t q = 0; q < HW; q++) yn[c * HW + q] += bp[c];
        }
        scratch_done();
    }
    loop_threads_end(nt);
    nb_decref(xc), nb_decref(wc), nb_decref(bc);
    if (failed) {
        nb_decref(y);
        return nb_error("%s: out of memory for the column buffer (%lld floats)", op,
                        (long long)cn);
    }
    nb_tensor *ins[3] = {x, w, b};
    nb_node *n = nb_attach(&y, op, conv_transpose2d_backward, 3, ins);
    if (!n) return y;
    n->iarg[0] = o.stride[0], n->iarg[1] = o.stride[1];
    n->iarg[2] = o.padding[0], n->iarg[3] = o.padding[1];
    n->iarg[4] = o.dilation[0], n->iarg[5] = o.dilation[1];
    n->iarg[6] = o.groups, n->iarg[7] = oph[0], n->iarg[8] = oph[1];
    return y;
}

/* conv_transpose2d backward (the formulas are above the geometry):
 *   dcols = im2col(dy[n]);  dx[n, g] = W[g] · dcols[g];  dW[g] += x[n, g] · dcols[g]ᵀ;
 *   db = Σ_n Σ_positions dy[n] */
static int conv_transpose2d_backward(nb_node *n, nb_tensor *gy, nb_tensor **gin) {
    nb_tensor *x = n->in[0], *w = n->in[1];
    nb_conv2d_opts o = {{n->iarg[0], n->iarg[1]}, {n->iarg[2], n->iarg[3]},
                        {n->iarg[4], n->iarg[5]}, n->iarg[6], NB_CONV_IM2COL};
    const int64_t oph[2] = {n->iarg[7], n->iarg[8]};
    const geom gm = transposed_geom(x, w, &o, oph), *g = &gm;
    const int64_t G = g->G, P = g->P, Cout = g->C, HW = g->H * g->W;
    const int64_t Cin = g->O, image = Cout * HW, wsize = Cin * g->Kg;
    const bool need_dx = n->needs[0], need_dw = n->needs[1], need_db = n->needs[2];
    nb_tensor *xc = need_dw ? contig(x) : NULL, *wc = need_dx ? contig(w) : NULL;
    nb_tensor *gc = contig(gy);
    nb_tensor *dx = need_dx ? nb_empty(4, x->shape) : NULL;
    nb_tensor *dw = need_dw ? nb_empty(4, w->shape) : NULL;
    nb_tensor *db = need_db ? nb_empty(1, &Cout) : NULL;
    const int nt = loop_threads_begin(g->N, g->N * g->O * g->P * g->Kg);
    const int64_t ps = wsize + Cout; /* per thread: dW (Cin, Kg), then db (Cout) */
    float *part = need_dw || need_db ? calloc((size_t)nt * ps, sizeof(float)) : NULL;
    if (!gc || (need_dw && !xc) || (need_dx && !wc) || (need_dx && !dx) || (need_dw && !dw) ||
        (need_db && !db) || ((need_dw || need_db) && !part)) {
        nb_decref(xc), nb_decref(wc), nb_decref(gc), nb_decref(dx), nb_decref(dw), nb_decref(db);
        free(part);
        loop_threads_end(nt);
        nb_error("conv_transpose2d backward: out of memory");
        return -1;
    }
    const float *xp = xc ? nb_data(xc) : NULL, *wp = wc ? nb_data(wc) : NULL, *gp = nb_data(gc);
    float *dxp = dx ? nb_data(dx) : NULL;
    int failed = 0;
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        const int t = omp_get_thread_num();
        float *pdw = part ? part + (size_t)t * ps : NULL, *pdb = pdw ? pdw + wsize : NULL;
        float *cols = need_dx || need_dw ? scratch(round16(g->K * P)) : NULL;
        if ((need_dx || need_dw) && !cols) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp barrier
#pragma omp for schedule(static)
        for (int64_t i = 0; i < g->N; i++) {
            if (failed) continue;
            const float *dyn = gp + i * image;
            if (need_db)
                for (int64_t c = 0; c < Cout; c++) pdb[c] += nb_vsum(dyn + c * HW, HW);
            if (!need_dx && !need_dw) continue;
            im2col(g, dyn, cols);
            for (int64_t gi = 0; gi < G; gi++) {
                const float *dc = cols + gi * g->Kg * P;
                if (need_dx)
                    nb_sgemm(false, false, g->Og, P, g->Kg, 1.0f, wp + gi * g->Og * g->Kg, g->Kg,
                             dc, P, 0.0f, dxp + i * Cin * P + gi * g->Og * P, P);
                if (need_dw)
                    nb_sgemm(false, true, g->Og, g->Kg, P, 1.0f, xp + i * Cin * P + gi * g->Og * P,
                             P, dc, P, 1.0f, pdw + gi * g->Og * g->Kg, g->Kg);
            }
        }
        scratch_done();
    }
    loop_threads_end(nt);
    nb_decref(xc), nb_decref(wc), nb_decref(gc);
    if (failed) {
        nb_decref(dx), nb_decref(dw), nb_decref(db);
        free(part);
        nb_error("conv_transpose2d backward: out of memory for the column buffer");
        return -1;
    }
    /* the threads' partial sums, added in thread order */
    if (dw) {
        float *d = nb_data(dw);
        memcpy(d, part, sizeof(float) * (size_t)wsize);
        for (int t = 1; t < nt; t++)
            for (int64_t k = 0; k < wsize; k++) d[k] += part[(size_t)t * ps + k];
    }
    if (db) {
        float *d = nb_data(db);
        memcpy(d, part + wsize, sizeof(float) * (size_t)Cout);
        for (int t = 1; t < nt; t++)
            for (int64_t k = 0; k < Cout; k++) d[k] += part[(size_t)t * ps + wsize + k];
    }
    free(part);
    gin[0] = dx, gin[1] = dw, gin[2] = db;
    return 0;
}

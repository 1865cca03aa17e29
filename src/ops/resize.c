/* Resizing images: nearest and bilinear upsampling, forward and backward side by side.
 * Along each axis every output position dst reads two source positions i0 ≤ i1 with
 * weights (1 − λ, λ) (nearest: i0 = i1, λ = 0), found once per axis; a pixel is then
 *   y[p, oh, ow] = Σ_{a, b ∈ {0, 1}} wh_a(oh)·ww_b(ow) · x[p, ih_a(oh), iw_b(ow)]
 * and the backward scatters with the same weights:
 *   dL/dx[p, ih_a(oh), iw_b(ow)] += wh_a(oh)·ww_b(ow) · dL/dy[p, oh, ow] */
#include "resize.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"
#include "shape.h"

typedef struct {
    int64_t i0, i1;
    float l; /* weight of i1; i0 gets 1 − l */
} tap2;

/* the taps of an axis of `in` pixels resized to `out`; s = the scale (0: in/out) */
static void axis_taps(tap2 *t, int64_t in, int64_t out, double s, int mode, bool align) {
    const double r = s > 0 ? 1.0 / s : (double)in / (double)out;
    for (int64_t d = 0; d < out; d++) {
        if (mode == NB_RESIZE_NEAREST) {
            int64_t i = (int64_t)floor((double)(float)((float)d * (float)r));
            if (i > in - 1) i = in - 1;
            t[d] = (tap2){i, i, 0.0f};
            continue;
        }
        double src;
        if (align) src = out > 1 ? (double)d * (double)(in - 1) / (double)(out - 1) : 0.0;
        else {
            src = ((double)d + 0.5) * r - 0.5;
            if (src < 0) src = 0;
        }
        int64_t i0 = (int64_t)src;
        if (i0 > in - 1) i0 = in - 1;
        int64_t i1 = i0 + 1 < in ? i0 + 1 : in - 1;
        t[d] = (tap2){i0, i1, (float)(src - (double)i0)};
    }
}

/* x (P, H, W) -> y (P, OH, OW); backward: y holds dL/dy and x (zeroed) receives dL/dx */
static void resize(float *x, float *y, int64_t P, int64_t H, int64_t W, int64_t OH, int64_t OW,
                   const tap2 *th, const tap2 *tw, bool backward) {
#pragma omp parallel for schedule(static) if (P * OH * OW >= NB_PAR_MIN)
    for (int64_t p = 0; p < P; p++) {
        float *xp = x + p * H * W, *yp = y + p * OH * OW;
        for (int64_t i = 0; i < OH; i++) {
            const float lh = th[i].l;
            const float *r0 = xp + th[i].i0 * W, *r1 = xp + th[i].i1 * W;
            for (int64_t j = 0; j < OW; j++) {
                const float lw = tw[j].l;
                const int64_t a = tw[j].i0, b = tw[j].i1;
                if (backward) {
                    const float g = yp[i * OW + j];
                    float *s0 = (float *)r0, *s1 = (float *)r1;
                    s0[a] += (1 - lh) * (1 - lw) * g;
                    s0[b] += (1 - lh) * lw * g;
                    s1[a] += lh * (1 - lw) * g;
                    s1[b] += lh * lw * g;
                } else
                    yp[i * OW + j] = (1 - lh) * ((1 - lw) * r0[a] + lw * r0[b]) +
                                     lh * ((1 - lw) * r1[a] + lw * r1[b]);
            }
        }
    }
}

/* the taps of both axes, in one allocation (NULL when out of memory) */
static tap2 *both_taps(int64_t H, int64_t W, int64_t OH, int64_t OW, const double *scale,
                       int mode, bool align) {
    tap2 *t = malloc(sizeof(tap2) * (size_t)(OH + OW));
    if (!t) return NULL;
    axis_taps(t, H, OH, scale[0], mode, align);
    axis_taps(t + OH, W, OW, scale[1], mode, align);
    return t;
}

/* upsample backward: dL/dx = the scatter of dL/dy with the forward's weights (above) */
static int upsample_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *x = n->in[0];
    const int nd = x->ndim;
    const int64_t H = x->shape[nd - 2], W = x->shape[nd - 1];
    const int64_t OH = n->iarg[0], OW = n->iarg[1];
    tap2 *t = both_taps(H, W, OH, OW, n->farg, (int)n->iarg[2], n->iarg[3] != 0);
    nb_tensor *gc = t ? contig(g) : NULL;
    nb_tensor *dx = gc ? nb_zeros(nd, x->shape) : NULL;
    if (!dx) {
        free(t);
        nb_decref(gc);
        if (!t) nb_error("upsample backward: out of memory");
        return -1;
    }
    const int64_t P = nb_numel(x) / (H * W);
    /* the scatter of one plane touches only that plane: planes run in parallel safely */
    resize(nb_data(dx), nb_data(gc), P, H, W, OH, OW, t, t + OH, true);
    free(t);
    nb_decref(gc);
    gin[0] = dx;
    return 0;
}

nb_tensor *nb_upsample(nb_tensor *x, int64_t oh, int64_t ow, const double scale[2], int mode,
                       bool align_corners) {
    char b1[128];
    const char *op = mode == NB_RESIZE_BILINEAR ? "upsample_bilinear" : "upsample_nearest";
    if (x->ndim != 4) /* as PyTorch: a 3-D input would be (N, C, L), resized along L */
        return nb_error("%s: expected images of shape (N, C, H, W), got %s", op, shp(b1, x));
    const int nd = x->ndim;
    const int64_t H = x->shape[nd - 2], W = x->shape[nd - 1];
    if (H < 1 || W < 1) return nb_error("%s: empty input %s", op, shp(b1, x));
    if (oh < 1 || ow < 1 || oh > NB_MAX_NUMEL || ow > NB_MAX_NUMEL)
        return nb_error("%s: output size %lldx%lld of input %s must be positive", op,
                        (long long)oh, (long long)ow, shp(b1, x));
    int64_t os[4];
    memcpy(os, x->shape, sizeof(int64_t) * nd);
    os[nd - 2] = oh, os[nd - 1] = ow;
    if (nb_shape_numel(nd, os) < 0)
        return nb_error("%s: output size %lldx%lld of input %s is too large", op, (long long)oh,
                        (long long)ow, shp(b1, x));
    double sc[2] = {scale ? scale[0] : 0, scale ? scale[1] : 0};
    tap2 *t = both_taps(H, W, oh, ow, sc, mode, align_corners);
    if (!t) return nb_error("%s: out of memory", op);
    nb_tensor *xc = contig(x);
    nb_tensor *y = xc ? nb_empty(nd, os) : NULL;
    if (!y) {
        free(t);
        nb_decref(xc);
        return NULL;
    }
    resize(nb_data(xc), nb_data(y), nb_numel(x) / (H * W), H, W, oh, ow, t, t + oh, false);
    free(t);
    nb_decref(xc);
    nb_node *n = nb_attach(&y, op, upsample_backward, 1, &x);
    if (!n) return y;
    n->iarg[0] = oh, n->iarg[1] = ow, n->iarg[2] = mode, n->iarg[3] = align_corners;
    n->farg[0] = sc[0], n->farg[1] = sc[1];
    return y;
}

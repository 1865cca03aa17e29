/* Augmentation kernels (see augment.h for the conventions: shapes, geometry, randomness). */
#include "augment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Thresholds for going parallel, in pixels per call. A parallel region costs a few
 * microseconds, and far more when another process holds the other core (the team waits
 * for a descheduled thread); a batch of 64 MNIST digits is 50,176 pixels, which bilinear
 * sampling does in about 0.2 ms on one core. */
#define NB_AUG_PAR_PIXELS 200000   /* bilinear sampling: ~4 ns a pixel */
#define NB_AUG_PAR_CHEAP (1 << 20) /* one multiply-add a pixel */

/* The batch geometry: x viewed as (N, C, H, W), contiguous. */
typedef struct {
    nb_tensor *in;   /* contiguous input (a new reference) */
    int64_t n, c, h, w;
} batch;

static int batch_open(const char *op, const nb_tensor *x, batch *b) {
    if (x->ndim != 3 && x->ndim != 4) {
        char s[128];
        nb_error("%s: expected a batch of images (N, C, H, W) or (N, H, W), got shape %s", op,
                 nb_shape_str(s, sizeof s, x->ndim, x->shape));
        return -1;
    }
    b->n = x->shape[0];
    b->c = x->ndim == 4 ? x->shape[1] : 1;
    b->h = x->shape[x->ndim - 2];
    b->w = x->shape[x->ndim - 1];
    b->in = nb_is_contiguous(x) ? nb_alias(x) : nb_contiguous_copy(x);
    return b->in ? 0 : -1;
}

/* A new tensor of x's shape (NULL and the input released on failure). */
static nb_tensor *batch_out(batch *b) {
    nb_tensor *o = nb_empty(b->in->ndim, b->in->shape);
    if (!o) nb_decref(b->in);
    return o;
}

/* x[y, x] of one (H, W) plane, bilinear, zero outside the image. */
static inline float bilinear(const float *p, int64_t h, int64_t w, float sy, float sx) {
    if (!(sy > -1.0f && sy < (float)h && sx > -1.0f && sx < (float)w)) return 0.0f;
    float fy = floorf(sy), fx = floorf(sx);
    int64_t y0 = (int64_t)fy, x0 = (int64_t)fx;
    float ay = sy - fy, ax = sx - fx;
    float v00 = 0, v01 = 0, v10 = 0, v11 = 0;
    bool top = y0 >= 0, bottom = y0 + 1 < h, left = x0 >= 0, right = x0 + 1 < w;
    if (top && left) v00 = p[y0 * w + x0];
    if (top && right) v01 = p[y0 * w + x0 + 1];
    if (bottom && left) v10 = p[(y0 + 1) * w + x0];
    if (bottom && right) v11 = p[(y0 + 1) * w + x0 + 1];
    return (1 - ay) * ((1 - ax) * v00 + ax * v01) + ay * ((1 - ax) * v10 + ax * v11);
}

/* ---- affine --------------------------------------------------------------------------- */

/* Forward map about the centre c: p' = M (p − c) + c + t, with M = scale · R(angle) · Sh,
 *   R = [[cos a, sin a], [−sin a, cos a]]   (counter-clockwise on screen, y down)
 *   Sh = [[1, tan shx], [tan shy, 1]].
 * Each output pixel p' is sampled from p = M⁻¹ (p' − c − t) + c. */
/* The inverses of the per-sample matrices M (inv[n] = M⁻¹, row-major); -1 and nb_error if
 * one squashes the image to nothing. */
static int affine_inverses(const char *op, const nb_affine *p, int64_t count, double (*inv)[4]) {
    for (int64_t n = 0; n < count; n++) {
        const double rad = M_PI / 180.0;
        double ca = cos(p[n].angle * rad), sa = sin(p[n].angle * rad);
        double hx = tan(p[n].shear_x * rad), hy = tan(p[n].shear_y * rad), s = p[n].scale;
        /* M = s · R · Sh */
        double m00 = s * (ca + sa * hy), m01 = s * (ca * hx + sa);
        double m10 = s * (-sa + ca * hy), m11 = s * (-sa * hx + ca);
        double det = m00 * m11 - m01 * m10;
        if (!(fabs(det) > 1e-12) || !isfinite(det)) {
            nb_error("%s: sample %lld: the transform (scale %g, shear %g°, %g°) "
                     "squashes the image to nothing", op, (long long)n + 1,
                     (double)p[n].scale, (double)p[n].shear_x, (double)p[n].shear_y);
            return -1;
        }
        inv[n][0] = m11 / det, inv[n][1] = -m01 / det;
        inv[n][2] = -m10 / det, inv[n][3] = m00 / det;
    }
    return 0;
}

static bool affine_is_identity(const nb_affine *p) {
    return p->angle == 0 && p->scale == 1 && p->shear_x == 0 && p->shear_y == 0 && p->tx == 0 &&
           p->ty == 0;
}

/* One sample: dst (C, H, W) sampled from src (C, H, W) through inv and the translation. */
static void affine_sample(const float *src, float *dst, int64_t c, int64_t h, int64_t w,
                          const double inv[4], const nb_affine *p) {
    const int64_t plane = h * w;
    const double cy = (h - 1) / 2.0, cx = (w - 1) / 2.0;
    for (int64_t r = 0; r < h; r++)
        for (int64_t col = 0; col < w; col++) {
            double u = col - cx - p->tx, v = r - cy - p->ty;
            float sx = (float)(inv[0] * u + inv[1] * v + cx);
            float sy = (float)(inv[2] * u + inv[3] * v + cy);
            for (int64_t k = 0; k < c; k++)
                dst[k * plane + r * w + col] = bilinear(src + k * plane, h, w, sy, sx);
        }
}

nb_tensor *nb_aug_affine(const nb_tensor *x, const nb_affine *p) {
    batch b;
    if (batch_open("aug.affine", x, &b) != 0) return NULL;
    double (*inv)[4] = malloc(sizeof(double[4]) * (b.n ? b.n : 1));
    if (!inv) {
        nb_decref(b.in);
        return nb_error("aug.affine: out of memory");
    }
    if (affine_inverses("aug.affine", p, b.n, inv) != 0) {
        free(inv);
        nb_decref(b.in);
        return NULL;
    }
    nb_tensor *out = batch_out(&b);
    if (!out) {
        free(inv);
        return NULL;
    }
    const float *in = nb_data(b.in);
    float *o = nb_data(out);
    const int64_t plane = b.h * b.w;
    /* in and o are (N, C, H, W) */
    #pragma omp parallel for schedule(static) if (b.n * b.c * plane > NB_AUG_PAR_PIXELS)
    for (int64_t n = 0; n < b.n; n++) {
        const float *src = in + n * b.c * plane;
        float *dst = o + n * b.c * plane;
        if (affine_is_identity(&p[n])) memcpy(dst, src, sizeof(float) * b.c * plane);
        else affine_sample(src, dst, b.c, b.h, b.w, inv[n], &p[n]);
    }
    free(inv);
    nb_decref(b.in);
    return out;
}

nb_tensor *nb_gather_u8_affine(const uint8_t *data, int64_t n_rows, int64_t c, int64_t h,
                               int64_t w, const int64_t *idx, int64_t count, float scale,
                               float shift, const nb_affine *p) {
    for (int64_t i = 0; i < count; i++)
        if (idx[i] < 0 || idx[i] >= n_rows)
            return nb_error("gather: index %lld is out of range (the data set has %lld rows)",
                            (long long)idx[i] + 1, (long long)n_rows);
    if (c < 1 || h < 1 || w < 1 || c > (INT64_MAX / h) / w)
        return nb_error("gather: bad image shape (%lld, %lld, %lld)", (long long)c,
                        (long long)h, (long long)w);
    const int64_t row = c * h * w;
    double (*inv)[4] = malloc(sizeof(double[4]) * (count ? count : 1));
    if (!inv) return nb_error("gather: out of memory");
    if (affine_inverses("aug.affine", p, count, inv) != 0) {
        free(inv);
        return NULL;
    }
    int64_t shape[4] = {count, c, h, w};
    nb_tensor *out = nb_empty(4, shape);
    if (!out) {
        free(inv);
        return NULL;
    }
    float *o = nb_data(out);
    int failed = 0;
    /* each sample's bytes become floats in a scratch plane (the values the two-step path
     * gathers), then are sampled into the output: the same numbers, one batch-sized tensor */
    #pragma omp parallel for schedule(static) if (count * row > NB_AUG_PAR_PIXELS)
    for (int64_t n = 0; n < count; n++) {
        const uint8_t *src = data + idx[n] * row;
        float *dst = o + n * row;
        if (affine_is_identity(&p[n])) {
            for (int64_t j = 0; j < row; j++) dst[j] = (float)src[j] * scale + shift;
            continue;
        }
        float stack[4096];
        float *tmp = row <= 4096 ? stack : malloc(sizeof(float) * (size_t)row);
        if (!tmp) {
            #pragma omp atomic write
            failed = 1;
            continue;
        }
        for (int64_t j = 0; j < row; j++) tmp[j] = (float)src[j] * scale + shift;
        affine_sample(tmp, dst, c, h, w, inv[n], &p[n]);
        if (tmp != stack) free(tmp);
    }
    free(inv);
    if (failed) {
        nb_decref(out);
        return nb_error("gather: out of memory");
    }
    return out;
}

/* ---- remap, elastic, grid distortion ----------------------------------------------------- */

static nb_tensor *remap(batch *b, const float *dy, const float *dx) {
    nb_tensor *out = batch_out(b);
    if (!out) return NULL;
    const float *in = nb_data(b->in);
    float *o = nb_data(out);
    const int64_t plane = b->h * b->w;
    /* in, o: (N, C, H, W); dy, dx: (N, H, W) */
    #pragma omp parallel for schedule(static) if (b->n * b->c * plane > NB_AUG_PAR_PIXELS)
    for (int64_t n = 0; n < b->n; n++) {
        const float *src = in + n * b->c * plane, *fy = dy + n * plane, *fx = dx + n * plane;
        float *dst = o + n * b->c * plane;
        bool zero = true;
        for (int64_t i = 0; i < plane && zero; i++) zero = fy[i] == 0 && fx[i] == 0;
        if (zero) {
            memcpy(dst, src, sizeof(float) * b->c * plane);
            continue;
        }
        for (int64_t r = 0; r < b->h; r++)
            for (int64_t col = 0; col < b->w; col++) {
                int64_t i = r * b->w + col;
                float sy = (float)r + fy[i], sx = (float)col + fx[i];
                for (int64_t c = 0; c < b->c; c++)
                    dst[c * plane + i] = bilinear(src + c * plane, b->h, b->w, sy, sx);
            }
    }
    nb_decref(b->in);
    return out;
}

nb_tensor *nb_aug_remap(const nb_tensor *x, const float *dy, const float *dx) {
    batch b;
    if (batch_open("aug.remap", x, &b) != 0) return NULL;
    return remap(&b, dy, dx);
}

/* In-place Gaussian blur of one (H, W) field, separable, edges replicated. k holds the
 * 2·rad+1 weights; tmp holds H·W + W + 2·rad floats. Both passes run tap by tap over
 * whole rows, so the inner loops are contiguous and vectorize. */
static void blur(float *f, float *tmp, int64_t h, int64_t w, const float *k, int rad) {
    float *pad = tmp + h * w;   /* one row with rad replicated pixels on each side */
    /* along x: f (H, W) -> tmp (H, W) */
    for (int64_t r = 0; r < h; r++) {
        const float *row = f + r * w;
        for (int64_t c = -rad; c < w + rad; c++) pad[c + rad] = row[c < 0 ? 0 : c >= w ? w - 1 : c];
        float *o = tmp + r * w;
        for (int64_t c = 0; c < w; c++) o[c] = 0;
        for (int j = 0; j <= 2 * rad; j++) {
            const float kj = k[j], *p = pad + j;
            for (int64_t c = 0; c < w; c++) o[c] += kj * p[c];
        }
    }
    /* along y: tmp (H, W) -> f (H, W) */
    for (int64_t r = 0; r < h; r++) {
        float *o = f + r * w;
        for (int64_t c = 0; c < w; c++) o[c] = 0;
        for (int j = -rad; j <= rad; j++) {
            int64_t rr = r + j < 0 ? 0 : r + j >= h ? h - 1 : r + j;
            const float kj = k[j + rad], *p = tmp + rr * w;
            for (int64_t c = 0; c < w; c++) o[c] += kj * p[c];
        }
    }
}

/* Simard et al.: Δx, Δy ~ U(−1, 1) per pixel, each blurred by G_σ, times α. */
nb_tensor *nb_aug_elastic(const nb_tensor *x, const float *alpha, const float *sigma) {
    batch b;
    if (batch_open("aug.elastic", x, &b) != 0) return NULL;
    for (int64_t n = 0; n < b.n; n++)
        if (alpha[n] != 0 && !(sigma[n] > 0 && sigma[n] < 1000)) {
            nb_decref(b.in);
            return nb_error("aug.elastic: sigma must be in (0, 1000) pixels, got %g",
                            (double)sigma[n]);
        }
    const int64_t plane = b.h * b.w;
    float *field = calloc((size_t)(2 * b.n * plane + 1), sizeof(float));
    if (!field) {
        nb_decref(b.in);
        return nb_error("aug.elastic: out of memory");
    }
    float *dy = field, *dx = field + b.n * plane;
    /* the random numbers, serially, sample after sample (reproducible for any thread count) */
    for (int64_t n = 0; n < b.n; n++) {
        if (alpha[n] == 0) continue;
        for (int64_t i = 0; i < plane; i++) dx[n * plane + i] = (float)(2 * nb_rng_uniform() - 1);
        for (int64_t i = 0; i < plane; i++) dy[n * plane + i] = (float)(2 * nb_rng_uniform() - 1);
    }
    bool failed = false;
    #pragma omp parallel for schedule(dynamic) if (b.n * plane > NB_AUG_PAR_PIXELS)
    for (int64_t n = 0; n < b.n; n++) {
        if (alpha[n] == 0) continue;
        /* the Gaussian kernel of this sample, radius ceil(3σ) (at most the image size) */
        int rad = (int)ceilf(3 * sigma[n]);
        int64_t maxr = b.h > b.w ? b.h : b.w;
        if (rad > maxr) rad = (int)maxr;
        float *k = malloc(sizeof(float) * (2 * rad + 1 + plane + b.w + 2 * rad));
        if (!k) {
            failed = true;
            continue;
        }
        float *tmp = k + 2 * rad + 1, sum = 0;
        for (int j = -rad; j <= rad; j++) sum += k[j + rad] = expf(-0.5f * j * j / (sigma[n] * sigma[n]));
        for (int j = 0; j <= 2 * rad; j++) k[j] /= sum;
        float *fx = dx + n * plane, *fy = dy + n * plane;
        blur(fx, tmp, b.h, b.w, k, rad);
        blur(fy, tmp, b.h, b.w, k, rad);
        for (int64_t i = 0; i < plane; i++) fx[i] *= alpha[n], fy[i] *= alpha[n];
        free(k);
    }
    if (failed) {
        free(field);
        nb_decref(b.in);
        return nb_error("aug.elastic: out of memory");
    }
    nb_tensor *out = remap(&b, dy, dx);
    free(field);
    return out;
}

/* The source coordinate of each output position along one axis of length len: cells of
 * equal output size u_i = i·(len−1)/steps map to cells with edges e_i = (len−1)·Σ_{j<i}
 * f_j / Σ f; inside a cell, linear. Writes map[0..len). */
static void grid_axis(int64_t len, int steps, const float *f, float *map) {
    double total = 0, cum[257];
    for (int i = 0; i < steps; i++) total += f[i];
    cum[0] = 0;
    for (int i = 0; i < steps; i++) cum[i + 1] = cum[i] + f[i];
    for (int64_t p = 0; p < len; p++) {
        double u = len > 1 ? (double)p * steps / (len - 1) : 0;   /* in cell units */
        int i = (int)u;
        if (i >= steps) i = steps - 1;
        double t = u - i;
        double e0 = cum[i] / total, e1 = cum[i + 1] / total;
        map[p] = (float)((e0 + t * (e1 - e0)) * (len - 1) - p);   /* a displacement */
    }
}

nb_tensor *nb_aug_grid_distortion(const nb_tensor *x, int steps, const float *xsteps,
                                  const float *ysteps) {
    if (steps < 1 || steps > 256) return nb_error("aug.grid_distortion: steps must be 1..256, got %d", steps);
    batch b;
    if (batch_open("aug.grid_distortion", x, &b) != 0) return NULL;
    for (int64_t n = 0; n < b.n * steps; n++)
        if (!(xsteps[n] > 0 && ysteps[n] > 0 && xsteps[n] < 1e6f && ysteps[n] < 1e6f)) {
            nb_decref(b.in);
            return nb_error("aug.grid_distortion: cell factors must be positive, got %g",
                            (double)(xsteps[n] > 0 ? ysteps[n] : xsteps[n]));
        }
    const int64_t plane = b.h * b.w;
    float *field = calloc((size_t)(2 * b.n * plane + b.h + b.w + 1), sizeof(float));
    if (!field) {
        nb_decref(b.in);
        return nb_error("aug.grid_distortion: out of memory");
    }
    float *dy = field, *dx = field + b.n * plane, *my = dx + b.n * plane, *mx = my + b.h;
    for (int64_t n = 0; n < b.n; n++) {
        const float *fx = xsteps + n * steps, *fy = ysteps + n * steps;
        bool same = true;
        for (int i = 1; i < steps; i++) same = same && fx[i] == fx[0] && fy[i] == fy[0];
        if (same) continue;   /* equal cells: the identity, fields stay 0 */
        grid_axis(b.w, steps, fx, mx);
        grid_axis(b.h, steps, fy, my);
        /* the distortion is separable: dx depends on the column, dy on the row */
        for (int64_t r = 0; r < b.h; r++)
            for (int64_t c = 0; c < b.w; c++) {
                dx[n * plane + r * b.w + c] = mx[c];
                dy[n * plane + r * b.w + c] = my[r];
            }
    }
    nb_tensor *out = remap(&b, dy, dx);
    free(field);
    return out;
}

/* ---- cutout, noise, brightness/contrast -------------------------------------------------- */

nb_tensor *nb_aug_cutout(const nb_tensor *x, int holes, const int32_t *boxes, float fill) {
    batch b;
    if (batch_open("aug.cutout", x, &b) != 0) return NULL;
    nb_tensor *out = batch_out(&b);
    if (!out) return NULL;
    const int64_t plane = b.h * b.w;
    memcpy(nb_data(out), nb_data(b.in), sizeof(float) * b.n * b.c * plane);
    float *o = nb_data(out);
    /* o is (N, C, H, W); each box (row0, col0, height, width) clipped to the image */
    for (int64_t n = 0; n < b.n; n++)
        for (int k = 0; k < holes; k++) {
            const int32_t *bx = boxes + (n * holes + k) * 4;
            int64_t r0 = bx[0], c0 = bx[1], r1 = (int64_t)bx[0] + bx[2], c1 = (int64_t)bx[1] + bx[3];
            if (r0 < 0) r0 = 0;
            if (c0 < 0) c0 = 0;
            if (r1 > b.h) r1 = b.h;
            if (c1 > b.w) c1 = b.w;
            for (int64_t c = 0; c < b.c; c++)
                for (int64_t r = r0; r < r1; r++)
                    for (int64_t col = c0; col < c1; col++) o[(n * b.c + c) * plane + r * b.w + col] = fill;
        }
    nb_decref(b.in);
    return out;
}

nb_tensor *nb_aug_noise(const nb_tensor *x, const float *std, bool clip) {
    batch b;
    if (batch_open("aug.noise", x, &b) != 0) return NULL;
    nb_tensor *out = batch_out(&b);
    if (!out) return NULL;
    const int64_t size = b.c * b.h * b.w;
    const float *in = nb_data(b.in);
    float *o = nb_data(out);
    /* serial: the normals come from the one global generator, in order */
    for (int64_t n = 0; n < b.n; n++) {
        const float *src = in + n * size;
        float *dst = o + n * size;
        if (std[n] == 0) {
            memcpy(dst, src, sizeof(float) * size);
            continue;
        }
        for (int64_t i = 0; i < size; i++) {
            float v = src[i] + std[n] * (float)nb_rng_normal();
            dst[i] = clip ? (v < 0 ? 0 : v > 1 ? 1 : v) : v;
        }
    }
    nb_decref(b.in);
    return out;
}

nb_tensor *nb_aug_brightness_contrast(const nb_tensor *x, const float *alpha,
                                      const float *beta, bool clip) {
    batch b;
    if (batch_open("aug.brightness_contrast", x, &b) != 0) return NULL;
    nb_tensor *out = batch_out(&b);
    if (!out) return NULL;
    const int64_t size = b.c * b.h * b.w;
    const float *in = nb_data(b.in);
    float *o = nb_data(out);
    /* in, o: (N, C·H·W); out = α x + β */
    #pragma omp parallel for schedule(static) if (b.n * size > NB_AUG_PAR_CHEAP)
    for (int64_t n = 0; n < b.n; n++)
        for (int64_t i = 0; i < size; i++) {
            float v = alpha[n] * in[n * size + i] + beta[n];
            o[n * size + i] = clip ? (v < 0 ? 0 : v > 1 ? 1 : v) : v;
        }
    nb_decref(b.in);
    return out;
}

/* ---- batch mixing ----------------------------------------------------------------------- */

static int check_perm(const char *op, const int64_t *perm, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        if (perm[i] < 0 || perm[i] >= n) {
            nb_error("%s: partner index %lld is outside the batch of %lld", op,
                     (long long)perm[i] + 1, (long long)n);
            return -1;
        }
    return 0;
}

nb_tensor *nb_mixup(const nb_tensor *x, const int64_t *perm, float lam) {
    if (x->ndim < 1) return nb_error("mixup: expected a batch, got a 0-d tensor");
    if (check_perm("mixup", perm, x->shape[0]) != 0) return NULL;
    nb_tensor *in = nb_is_contiguous(x) ? nb_alias(x) : nb_contiguous_copy(x);
    if (!in) return NULL;
    nb_tensor *out = nb_empty(x->ndim, x->shape);
    if (!out) {
        nb_decref(in);
        return NULL;
    }
    const int64_t n = x->shape[0], size = n ? nb_numel(x) / n : 0;
    const float *s = nb_data(in);
    float *o = nb_data(out);
    /* s, o: (N, size): o[i] = λ s[i] + (1 − λ) s[perm[i]] */
    #pragma omp parallel for schedule(static) if (n * size > NB_AUG_PAR_CHEAP)
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < size; j++)
            o[i * size + j] = lam * s[i * size + j] + (1 - lam) * s[perm[i] * size + j];
    nb_decref(in);
    return out;
}

nb_tensor *nb_cutmix(const nb_tensor *x, const int64_t *perm, int64_t row0, int64_t col0,
                     int64_t h, int64_t w) {
    batch b;
    if (batch_open("cutmix", x, &b) != 0) return NULL;
    if (check_perm("cutmix", perm, b.n) != 0) {
        nb_decref(b.in);
        return NULL;
    }
    nb_tensor *out = batch_out(&b);
    if (!out) return NULL;
    const int64_t plane = b.h * b.w;
    const float *s = nb_data(b.in);
    float *o = nb_data(out);
    memcpy(o, s, sizeof(float) * b.n * b.c * plane);
    int64_t r1, c1; /* the box's end, saturated: row0 + h may overflow */
    if (!nb_add_ok(row0, h, &r1)) r1 = h > 0 ? INT64_MAX : INT64_MIN;
    if (!nb_add_ok(col0, w, &c1)) c1 = w > 0 ? INT64_MAX : INT64_MIN;
    if (row0 < 0) row0 = 0;
    if (col0 < 0) col0 = 0;
    if (r1 > b.h) r1 = b.h;
    if (c1 > b.w) c1 = b.w;
    /* s, o: (N, C, H, W): the box of o[i] comes from s[perm[i]] */
    for (int64_t i = 0; i < b.n; i++)
        for (int64_t c = 0; c < b.c; c++)
            for (int64_t r = row0; r < r1; r++)
                for (int64_t col = col0; col < c1; col++)
                    o[(i * b.c + c) * plane + r * b.w + col] = s[(perm[i] * b.c + c) * plane + r * b.w + col];
    nb_decref(b.in);
    return out;
}

/* Normalisation layers (batch, layer and group norm), then two other layer kernels that a
 * network needs beside them: dropout and the embedding lookup. Each op: its forward, and
 * right below, its backward with the derivative in a comment (llm.c's layernorm_forward /
 * layernorm_backward). Statistics are summed in float within a row and in double across
 * rows, so that a large batch does not lose precision. */
#include "norm.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"
#include "elementwise.h"
#include "nnops.h"


/* A per-channel parameter (weight, bias, running statistic) must hold C values in one dim. */
static bool check_param(const char *op, const char *what, const nb_tensor *p, int64_t C,
                        const nb_tensor *x) {
    if (!p || (p->ndim == 1 && p->shape[0] == C)) return true;
    char b1[128], b2[128];
    nb_error("%s: %s has shape %s, expected [%lld] (one value per channel of the input %s)", op,
             what, shp(b1, p), (long long)C, shp(b2, x));
    return false;
}

/* Elements of a 1-D parameter: p[i · stride] (parameters are usually contiguous, but a
 * learner may pass a view). */
#define P1(p, i) (nb_data(p)[(i) * (p)->stride[0]])

/* ==== batch_norm ========================================================================= */

/* x is seen as (N, C, S): S = the product of the dims after the channel dim (1 for (N, C)).
 * Forward, per channel c, over its M = N·S values:
 *   mean = Σ x / M,  var = Σ (x − mean)² / M (biased),  rstd = 1 / √(var + ε)
 *   x̂ = (x − mean) · rstd,  y = γ · x̂ + β
 * In eval mode mean and var are the running statistics instead. */
static int batch_norm_backward(nb_node *n, nb_tensor *g, nb_tensor **gin);

nb_tensor *nb_batch_norm(nb_tensor *x, nb_tensor *running_mean, nb_tensor *running_var,
                         nb_tensor *weight, nb_tensor *bias, bool training, double momentum,
                         double eps) {
    const char *op = "batch_norm";
    char b1[128];
    if (x->ndim < 2)
        return nb_error("batch_norm: expected an input of shape (N, C) or (N, C, ...), got %s",
                        shp(b1, x));
    int64_t N = x->shape[0], C = x->shape[1], S = 1;
    for (int i = 2; i < x->ndim; i++) S *= x->shape[i];
    int64_t M = N * S;
    if (!check_param(op, "weight", weight, C, x) || !check_param(op, "bias", bias, C, x) ||
        !check_param(op, "running_mean", running_mean, C, x) ||
        !check_param(op, "running_var", running_var, C, x))
        return NULL;
    if ((running_mean == NULL) != (running_var == NULL))
        return nb_error("batch_norm: give both running_mean and running_var, or neither");
    bool batch_stats = training || !running_mean;
    if (batch_stats && M <= 1)
        return nb_error("batch_norm: expected more than 1 value per channel when training, "
                        "got input %s", shp(b1, x));
    if (M == 0) return nb_error("batch_norm: empty input %s", shp(b1, x));

    nb_tensor *xc = contig(x);
    int64_t ss[2] = {2, C};
    nb_tensor *stats = xc ? nb_empty(2, ss) : NULL; /* rows: mean, rstd */
    nb_tensor *y = stats ? nb_empty(x->ndim, x->shape) : NULL;
    if (!y) {
        nb_decref(xc);
        nb_decref(stats);
        return NULL;
    }
    const float *xp = nb_data(xc);
    float *yp = nb_data(y), *mean = nb_data(stats), *rstd = mean + C;
    /* x, y (N, C, S); mean, rstd, running stats, γ, β (C) */
#pragma omp parallel for schedule(static) if (N * C * S >= NB_PAR_MIN)
    for (int64_t c = 0; c < C; c++) {
        double m, v;
        if (batch_stats) {
            double s = 0.0;
            for (int64_t i = 0; i < N; i++) s += nb_vsum(xp + (i * C + c) * S, S);
            m = s / (double)M;
            const float mf = (float)m;
            double s2 = 0.0;
            for (int64_t i = 0; i < N; i++) s2 += nb_vsumsq_dev(xp + (i * C + c) * S, S, mf);
            v = s2 / (double)M;
            if (training && running_mean) {
                /* the running variance is the unbiased estimate, as PyTorch's */
                P1(running_mean, c) = (float)((1.0 - momentum) * P1(running_mean, c) + momentum * m);
                P1(running_var, c) = (float)((1.0 - momentum) * P1(running_var, c) +
                                             momentum * v * (double)M / (double)(M - 1));
            }
        } else {
            m = P1(running_mean, c);
            v = P1(running_var, c);
        }
        float r = (float)(1.0 / sqrt(v + eps));
        mean[c] = (float)m;
        rstd[c] = r;
        /* y = x · a + b with a = γ · rstd, b = β − mean · a */
        float a = (weight ? P1(weight, c) : 1.0f) * r;
        float b = (bias ? P1(bias, c) : 0.0f) - (float)m * a;
        for (int64_t i = 0; i < N; i++) {
            const float *xr = xp + (i * C + c) * S;
            float *yr = yp + (i * C + c) * S;
            for (int64_t k = 0; k < S; k++) yr[k] = xr[k] * a + b;
        }
    }
    nb_decref(xc);
    nb_tensor *ins[3] = {x, weight, bias};
    nb_node *n = nb_attach(&y, "batch_norm", batch_norm_backward, 3, ins);
    if (!n) { /* no gradient wanted, or y is NULL: recording failed */
        nb_decref(stats);
        return y;
    }
    n->saved[0] = stats;
    n->iarg[0] = batch_stats;
    return y;
}

/* batch_norm backward, per channel, with Σ over the channel's M = N·S values:
 *   dβ = Σ dy,  dγ = Σ dy · x̂
 *   batch statistics (mean and var depend on x):
 *     dx = γ · rstd / M · (M · dy − Σ dy − x̂ · Σ (dy · x̂))
 *   running statistics (constants): dx = γ · rstd · dy */
static int batch_norm_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *x = n->in[0], *weight = n->in[1];
    int64_t N = x->shape[0], C = x->shape[1], S = 1;
    for (int i = 2; i < x->ndim; i++) S *= x->shape[i];
    const int64_t M = N * S;
    const bool batch_stats = n->iarg[0];
    const float *mean = nb_data(n->saved[0]), *rstd = mean + C;
    nb_tensor *xc = contig(x), *gc = contig(g);
    nb_tensor *dx = n->needs[0] && gc ? nb_empty(x->ndim, x->shape) : NULL;
    nb_tensor *dw = n->needs[1] && gc ? nb_empty(1, &C) : NULL;
    nb_tensor *db = n->needs[2] && gc ? nb_empty(1, &C) : NULL;
    if (!xc || !gc || (n->needs[0] && !dx) || (n->needs[1] && !dw) || (n->needs[2] && !db)) {
        nb_decref(xc), nb_decref(gc), nb_decref(dx), nb_decref(dw), nb_decref(db);
        return -1;
    }
    const float *xp = nb_data(xc), *gp = nb_data(gc);
    /* x, dy, dx (N, C, S); mean, rstd, γ, dγ, dβ (C) */
#pragma omp parallel for schedule(static) if (N * C * S >= NB_PAR_MIN)
    for (int64_t c = 0; c < C; c++) {
        const float m = mean[c], r = rstd[c];
        double sdy = 0.0, sdyx = 0.0; /* Σ dy, Σ dy · x̂ */
        for (int64_t i = 0; i < N; i++) {
            float a, b;
            nb_vsum_dot_dev(gp + (i * C + c) * S, xp + (i * C + c) * S, S, m, &a, &b);
            sdy += a;
            sdyx += b;
        }
        sdyx *= r;
        if (dw) nb_data(dw)[c] = (float)sdyx;
        if (db) nb_data(db)[c] = (float)sdy;
        if (!dx) continue;
        const float gam = weight ? P1(weight, c) : 1.0f;
        const float k1 = gam * r; /* dx = k1 · dy − k2 − x̂ · k3 */
        const float k2 = batch_stats ? (float)(gam * r * sdy / (double)M) : 0.0f;
        const float k3 = batch_stats ? (float)(gam * r * sdyx / (double)M) : 0.0f;
        for (int64_t i = 0; i < N; i++) {
            const float *xr = xp + (i * C + c) * S, *gr = gp + (i * C + c) * S;
            float *dr = nb_data(dx) + (i * C + c) * S;
            for (int64_t k = 0; k < S; k++) dr[k] = k1 * gr[k] - k2 - (xr[k] - m) * r * k3;
        }
    }
    nb_decref(xc);
    nb_decref(gc);
    gin[0] = dx, gin[1] = dw, gin[2] = db;
    return 0;
}

/* ==== layer_norm ========================================================================= */

/* x is seen as (R, D): D = the product of the normalised (last) dims. Per row:
 *   mean = Σ x / D,  rstd = 1 / √(Σ (x − mean)² / D + ε),  y = γ ⊙ (x − mean) · rstd + β */
static int layer_norm_backward(nb_node *n, nb_tensor *g, nb_tensor **gin);

nb_tensor *nb_layer_norm(nb_tensor *x, int nd, const int64_t *shape, nb_tensor *weight,
                         nb_tensor *bias, double eps) {
    char b1[128], b2[128], b3[128];
    nb_shape_str(b2, sizeof b2, nd, shape);
    bool ok = nd >= 1 && nd <= x->ndim;
    for (int i = 0; ok && i < nd; i++) ok = x->shape[x->ndim - nd + i] == shape[i];
    if (!ok)
        return nb_error("layer_norm: normalized_shape %s does not match the last dims of the "
                        "input %s", b2, shp(b1, x));
    nb_tensor *ps[2] = {weight, bias};
    for (int k = 0; k < 2; k++) {
        nb_tensor *p = ps[k];
        bool same = p && p->ndim == nd;
        for (int i = 0; same && i < nd; i++) same = p->shape[i] == shape[i];
        if (p && !same)
            return nb_error("layer_norm: %s has shape %s, expected normalized_shape %s",
                            k ? "bias" : "weight", shp(b3, p), b2);
    }
    int64_t D = 1;
    for (int i = 0; i < nd; i++) D *= shape[i];
    if (D == 0) return nb_error("layer_norm: empty normalized_shape %s", b2);
    int64_t R = nb_numel(x) / D;
    nb_tensor *xc = contig(x), *wc = contig(weight), *bc = contig(bias);
    int64_t ss[2] = {2, R};
    nb_tensor *stats = xc ? nb_empty(2, ss) : NULL; /* rows: mean, rstd */
    nb_tensor *y = stats ? nb_empty(x->ndim, x->shape) : NULL;
    if (!y || (weight && !wc) || (bias && !bc)) {
        nb_decref(xc), nb_decref(wc), nb_decref(bc), nb_decref(stats), nb_decref(y);
        return NULL;
    }
    const float *xp = nb_data(xc), *wp = wc ? nb_data(wc) : NULL, *bp = bc ? nb_data(bc) : NULL;
    float *yp = nb_data(y), *mean = nb_data(stats), *rstd = mean + R;
    /* x, y (R, D); γ, β (D); mean, rstd (R) */
#pragma omp parallel for schedule(static) if (R * D >= NB_PAR_MIN)
    for (int64_t r = 0; r < R; r++) {
        const float *xr = xp + r * D;
        float *yr = yp + r * D;
        const float m = nb_vsum(xr, D) / (float)D;
        const float rs = (float)(1.0 / sqrt(nb_vsumsq_dev(xr, D, m) / (double)D + eps));
        mean[r] = m;
        rstd[r] = rs;
        for (int64_t i = 0; i < D; i++) {
            float h = (xr[i] - m) * rs;
            yr[i] = (wp ? wp[i] : 1.0f) * h + (bp ? bp[i] : 0.0f);
        }
    }
    nb_decref(xc), nb_decref(wc), nb_decref(bc);
    nb_tensor *ins[3] = {x, weight, bias};
    nb_node *n = nb_attach(&y, "layer_norm", layer_norm_backward, 3, ins);
    if (!n) { /* no gradient wanted, or y is NULL: recording failed */
        nb_decref(stats);
        return y;
    }
    n->saved[0] = stats;
    n->iarg[0] = D;
    return y;
}

/* layer_norm backward, per row (Σ over its D values, x̂ = (x − mean) · rstd):
 *   dx̂ = dy ⊙ γ
 *   dx = rstd · (dx̂ − Σ dx̂ / D − x̂ · Σ (dx̂ ⊙ x̂) / D)
 *   dγ = Σ_rows dy ⊙ x̂,  dβ = Σ_rows dy  (per-thread partial sums, then added) */
static int layer_norm_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *x = n->in[0];
    const int64_t D = n->iarg[0], R = nb_numel(x) / D;
    const float *mean = nb_data(n->saved[0]), *rstd = mean + R;
    nb_tensor *xc = contig(x), *gc = contig(g), *wc = contig(n->in[1]);
    nb_tensor *dx = n->needs[0] ? nb_empty(x->ndim, x->shape) : NULL;
    bool want_wb = n->needs[1] || n->needs[2];
    int nt = omp_get_max_threads();
    float *part = want_wb ? calloc((size_t)nt * 2 * D, sizeof(float)) : NULL;
    if (!xc || !gc || (n->in[1] && !wc) || (n->needs[0] && !dx) || (want_wb && !part)) {
        nb_decref(xc), nb_decref(gc), nb_decref(wc), nb_decref(dx), free(part);
        if (want_wb && !part) nb_error("layer_norm: out of memory");
        return -1;
    }
    const float *xp = nb_data(xc), *gp = nb_data(gc), *wp = wc ? nb_data(wc) : NULL;
    /* x, dy, dx (R, D); γ (D); part (threads, 2, D): each thread's Σ dy ⊙ x̂ and Σ dy */
#pragma omp parallel num_threads(nt) if (R * D >= NB_PAR_MIN)
    {
        float *pw = part ? part + (size_t)omp_get_thread_num() * 2 * D : NULL;
#pragma omp for schedule(static)
        for (int64_t r = 0; r < R; r++) {
            const float *xr = xp + r * D, *gr = gp + r * D;
            const float m = mean[r], rs = rstd[r];
            if (pw)
                for (int64_t i = 0; i < D; i++) {
                    pw[i] += gr[i] * (xr[i] - m) * rs;
                    pw[D + i] += gr[i];
                }
            if (!dx) continue;
            float a = 0.0f, b = 0.0f; /* Σ dx̂, Σ dx̂ ⊙ x̂ */
            for (int64_t i = 0; i < D; i++) {
                float d = gr[i] * (wp ? wp[i] : 1.0f);
                a += d;
                b += d * (xr[i] - m) * rs;
            }
            a /= (float)D;
            b /= (float)D;
            float *dr = nb_data(dx) + r * D;
            for (int64_t i = 0; i < D; i++) {
                float d = gr[i] * (wp ? wp[i] : 1.0f);
                dr[i] = rs * (d - a - (xr[i] - m) * rs * b);
            }
        }
    }
    nb_decref(xc), nb_decref(gc), nb_decref(wc);
    gin[0] = dx;
    for (int k = 1; k <= 2 && want_wb; k++) {
        if (!n->needs[k]) continue;
        nb_tensor *p = n->in[k];
        nb_tensor *d = nb_empty(p->ndim, p->shape);
        if (!d) {
            free(part);
            return -1;
        }
        float *dp = nb_data(d);
        for (int64_t i = 0; i < D; i++) {
            float s = 0.0f;
            for (int t = 0; t < nt; t++) s += part[(size_t)t * 2 * D + (k - 1) * D + i];
            dp[i] = s;
        }
        gin[k] = d;
    }
    free(part);
    return 0;
}

/* ==== group_norm ========================================================================= */

/* x is seen as (N, G, Cg, S): G groups of Cg = C/G channels, S = the product of the dims
 * after the channel dim. Per (sample, group), over its Cg·S values:
 *   mean, rstd = 1 / √(var + ε) (biased),  y = γ_c · (x − mean) · rstd + β_c */
static int group_norm_backward(nb_node *n, nb_tensor *g, nb_tensor **gin);

nb_tensor *nb_group_norm(nb_tensor *x, int64_t G, nb_tensor *weight, nb_tensor *bias,
                         double eps) {
    char b1[128];
    if (x->ndim < 2)
        return nb_error("group_norm: expected an input of shape (N, C, ...), got %s", shp(b1, x));
    int64_t N = x->shape[0], C = x->shape[1], S = 1;
    for (int i = 2; i < x->ndim; i++) S *= x->shape[i];
    if (G < 1 || C % G)
        return nb_error("group_norm: %lld groups do not divide the %lld channels of the input "
                        "%s", (long long)G, (long long)C, shp(b1, x));
    if (!check_param("group_norm", "weight", weight, C, x) ||
        !check_param("group_norm", "bias", bias, C, x))
        return NULL;
    const int64_t Cg = C / G, Mg = Cg * S;
    if (Mg == 0) return nb_error("group_norm: empty input %s", shp(b1, x));
    nb_tensor *xc = contig(x);
    int64_t ss[2] = {2, N * G};
    nb_tensor *stats = xc ? nb_empty(2, ss) : NULL; /* rows: mean, rstd per (n, g) */
    nb_tensor *y = stats ? nb_empty(x->ndim, x->shape) : NULL;
    if (!y) {
        nb_decref(xc), nb_decref(stats);
        return NULL;
    }
    const float *xp = nb_data(xc);
    float *yp = nb_data(y), *mean = nb_data(stats), *rstd = mean + N * G;
    /* x, y (N·G, Cg, S): block q = n·G + g is contiguous; mean, rstd (N·G); γ, β (C) */
#pragma omp parallel for schedule(static) if (N * C * S >= NB_PAR_MIN)
    for (int64_t q = 0; q < N * G; q++) {
        const float *xq = xp + q * Mg;
        float *yq = yp + q * Mg;
        double s = 0.0, v = 0.0; /* the block is contiguous: summed in rows of S */
        for (int64_t c = 0; c < Cg; c++) s += nb_vsum(xq + c * S, S);
        const float m = (float)(s / (double)Mg);
        for (int64_t c = 0; c < Cg; c++) v += nb_vsumsq_dev(xq + c * S, S, m);
        float rs = (float)(1.0 / sqrt(v / (double)Mg + eps));
        mean[q] = m;
        rstd[q] = rs;
        for (int64_t c = 0; c < Cg; c++) {
            int64_t ch = (q % G) * Cg + c;
            float a = (weight ? P1(weight, ch) : 1.0f) * rs;
            float b = (bias ? P1(bias, ch) : 0.0f) - m * a;
            for (int64_t k = 0; k < S; k++) yq[c * S + k] = xq[c * S + k] * a + b;
        }
    }
    nb_decref(xc);
    nb_tensor *ins[3] = {x, weight, bias};
    nb_node *n = nb_attach(&y, "group_norm", group_norm_backward, 3, ins);
    if (!n) { /* no gradient wanted, or y is NULL: recording failed */
        nb_decref(stats);
        return y;
    }
    n->saved[0] = stats;
    n->iarg[0] = G;
    return y;
}

/* group_norm backward, per (sample, group) with Σ over its Mg = Cg·S values:
 *   dx̂ = dy · γ_c
 *   dx = rstd · (dx̂ − Σ dx̂ / Mg − x̂ · Σ (dx̂ · x̂) / Mg)
 *   dγ_c = Σ_{n, s} dy · x̂,  dβ_c = Σ_{n, s} dy */
static int group_norm_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *x = n->in[0], *weight = n->in[1];
    const int64_t G = n->iarg[0], N = x->shape[0], C = x->shape[1];
    int64_t S = 1;
    for (int i = 2; i < x->ndim; i++) S *= x->shape[i];
    const int64_t Cg = C / G, Mg = Cg * S;
    const float *mean = nb_data(n->saved[0]), *rstd = mean + N * G;
    nb_tensor *xc = contig(x), *gc = contig(g);
    nb_tensor *dx = n->needs[0] ? nb_empty(x->ndim, x->shape) : NULL;
    nb_tensor *dw = n->needs[1] ? nb_empty(1, &C) : NULL;
    nb_tensor *db = n->needs[2] ? nb_empty(1, &C) : NULL;
    if (!xc || !gc || (n->needs[0] && !dx) || (n->needs[1] && !dw) || (n->needs[2] && !db)) {
        nb_decref(xc), nb_decref(gc), nb_decref(dx), nb_decref(dw), nb_decref(db);
        return -1;
    }
    const float *xp = nb_data(xc), *gp = nb_data(gc);
    if (dx) {
        /* x, dy, dx (N·G, Cg, S); γ (C) */
#pragma omp parallel for schedule(static) if (N * C * S >= NB_PAR_MIN)
        for (int64_t q = 0; q < N * G; q++) {
            const float *xq = xp + q * Mg, *gq = gp + q * Mg;
            float *dq = nb_data(dx) + q * Mg;
            const float m = mean[q], rs = rstd[q];
            double a = 0.0, b = 0.0; /* Σ dx̂, Σ dx̂ · x̂ */
            for (int64_t c = 0; c < Cg; c++) {
                float gam = weight ? P1(weight, (q % G) * Cg + c) : 1.0f;
                float sa, sb;
                nb_vsum_dot_dev(gq + c * S, xq + c * S, S, m, &sa, &sb);
                a += gam * sa;
                b += gam * sb * rs;
            }
            float am = (float)(a / (double)Mg), bm = (float)(b / (double)Mg);
            for (int64_t c = 0; c < Cg; c++) {
                float gam = weight ? P1(weight, (q % G) * Cg + c) : 1.0f;
                for (int64_t k = 0; k < S; k++) {
                    float h = (xq[c * S + k] - m) * rs;
                    dq[c * S + k] = rs * (gq[c * S + k] * gam - am - h * bm);
                }
            }
        }
    }
    if (dw || db) {
        /* x, dy (N, C, S); dγ, dβ (C) */
#pragma omp parallel for schedule(static) if (N * C * S >= NB_PAR_MIN)
        for (int64_t c = 0; c < C; c++) {
            double sw = 0.0, sb = 0.0;
            for (int64_t i = 0; i < N; i++) {
                const int64_t q = i * G + c / Cg;
                const float *xr = xp + (i * C + c) * S, *gr = gp + (i * C + c) * S;
                float a, b;
                nb_vsum_dot_dev(gr, xr, S, mean[q], &b, &a);
                sw += a * rstd[q];
                sb += b;
            }
            if (dw) nb_data(dw)[c] = (float)sw;
            if (db) nb_data(db)[c] = (float)sb;
        }
    }
    nb_decref(xc), nb_decref(gc);
    gin[0] = dx, gin[1] = dw, gin[2] = db;
    return 0;
}

/* ==== dropout ============================================================================ */

/* dropout: y = x ⊙ mask, mask = 0 with probability p, else 1/(1 − p) (inverted dropout:
 * the expected value of y is x, so eval needs no rescaling);  dL/dx = dL/dy ⊙ mask */
static int dropout_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = nb_mul(g, n->saved[0])) ? 0 : -1;
}

nb_tensor *nb_dropout(nb_tensor *x, double p, bool training) {
    if (!(p >= 0.0 && p <= 1.0))
        return nb_error("dropout: probability p = %g must be between 0 and 1", p);
    if (!training || p == 0.0) {
        nb_incref(x);
        return x;
    }
    nb_tensor *mask = nb_empty(x->ndim, x->shape);
    if (!mask) return NULL;
    float *mp = nb_data(mask);
    const float scale = p < 1.0 ? (float)(1.0 / (1.0 - p)) : 0.0f;
    int64_t n = nb_numel(x);
    /* mask (numel): serial, so that a seed gives the same mask on any number of threads */
    for (int64_t i = 0; i < n; i++) mp[i] = nb_rng_uniform() < p ? 0.0f : scale;
    bool saved_mode = nb_grad_enabled;
    nb_grad_enabled = false; /* the product is recorded below as one dropout node */
    nb_tensor *y = nb_mul(x, mask);
    nb_grad_enabled = saved_mode;
    nb_node *nd = nb_attach(&y, "dropout", dropout_backward, 1, &x);
    if (!nd) { /* no gradient wanted, or y is NULL: recording failed */
        nb_decref(mask);
        return y;
    }
    nd->saved[0] = mask;
    nd->farg[0] = p;
    return y;
}

/* ==== embedding ========================================================================== */

/* embedding: y[k, :] = weight[id_k, :] for every position k of idx;
 * dL/dweight[v, :] = Σ over the positions k with id_k = v of dL/dy[k, :]  (a scatter-add;
 * the padding row gets none) */
static int embedding_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *w = n->in[1];
    const int64_t V = w->shape[0], D = w->shape[1], K = n->iarg[0], pad = n->iarg[1];
    const int64_t *ids = n->extra; /* 0-based rows */
    nb_tensor *gc = contig(g);
    nb_tensor *dw = gc ? nb_zeros(2, w->shape) : NULL;
    if (!dw) {
        nb_decref(gc);
        return -1;
    }
    const float *gp = nb_data(gc);
    float *dp = nb_data(dw);
    (void)V;
    /* dy (K, D), dweight (V, D): threads split the D columns, so no two threads ever add
     * into the same element */
#pragma omp parallel if (K * D >= NB_PAR_MIN && D >= 64)
    {
        int nt = omp_get_num_threads(), t = omp_get_thread_num();
        int64_t d0 = D * t / nt, d1 = D * (t + 1) / nt;
        for (int64_t k = 0; k < K; k++) {
            if (ids[k] == pad) continue;
            float *dr = dp + ids[k] * D;
            const float *gr = gp + k * D;
            for (int64_t d = d0; d < d1; d++) dr[d] += gr[d];
        }
    }
    nb_decref(gc);
    gin[1] = dw;
    return 0;
}

nb_tensor *nb_embedding(nb_tensor *idx, nb_tensor *weight, int64_t padding_idx) {
    char b1[128];
    if (weight->ndim != 2)
        return nb_error("embedding: weight must be (num_embeddings, embedding_dim), got %s",
                        shp(b1, weight));
    if (idx->ndim >= NB_MAXDIM)
        return nb_error("embedding: indices %s have too many dims", shp(b1, idx));
    const int64_t V = weight->shape[0], D = weight->shape[1], K = nb_numel(idx);
    if (padding_idx < 0 || padding_idx > V)
        return nb_error("embedding: padding_idx %lld is out of range for a vocabulary of %lld "
                        "(ids are 1..%lld)", (long long)padding_idx, (long long)V, (long long)V);
    nb_tensor *ic = contig(idx), *wc = contig(weight);
    int64_t *ids = ic && wc ? malloc(sizeof(int64_t) * (size_t)K + 1) : NULL;
    if (!ids) {
        nb_decref(ic), nb_decref(wc);
        return ic && wc ? nb_error("embedding: out of memory") : NULL;
    }
    const float *ip = nb_data(ic);
    for (int64_t k = 0; k < K; k++) {
        float v = ip[k];
        if (!(v >= 1.0f && v <= (float)V && v == floorf(v))) {
            nb_decref(ic), nb_decref(wc), free(ids);
            return nb_error("embedding: index %g is out of range for a vocabulary of %lld "
                            "(ids are 1..%lld)", (double)v, (long long)V, (long long)V);
        }
        ids[k] = (int64_t)v - 1;
    }
    nb_decref(ic);
    int64_t os[NB_MAXDIM];
    memcpy(os, idx->shape, sizeof(int64_t) * idx->ndim);
    os[idx->ndim] = D;
    nb_tensor *y = nb_empty(idx->ndim + 1, os);
    if (!y) {
        nb_decref(wc), free(ids);
        return NULL;
    }
    const float *wp = nb_data(wc);
    float *yp = nb_data(y);
    /* weight (V, D), y (K, D) */
#pragma omp parallel for schedule(static) if (K * D >= NB_PAR_MIN)
    for (int64_t k = 0; k < K; k++) memcpy(yp + k * D, wp + ids[k] * D, sizeof(float) * D);
    nb_decref(wc);
    nb_tensor *ins[2] = {idx, weight};
    nb_node *n = nb_attach(&y, "embedding", embedding_backward, 2, ins);
    if (!n) { /* no gradient wanted, or y is NULL: recording failed */
        free(ids);
        return y;
    }
    n->needs[0] = false; /* ids are not differentiable */
    n->extra = ids;
    n->iarg[0] = K;
    n->iarg[1] = padding_idx - 1; /* 0-based; −1 for none */
    return y;
}

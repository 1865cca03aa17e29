/* Loss functions. The classification losses (cross_entropy, nll_loss) are fused kernels
 * over rows of class scores; the regression and binary losses share one pointwise kernel.
 * Each: its forward, and right below, its backward with the derivative in a comment.
 * Reductions sum per-row (per-element) losses in fixed-size chunks, in double, so that the
 * same inputs give the same loss on any number of threads. */
#include "loss.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"
#include "nnops.h"
#include "shape.h"


nb_loss_opts nb_loss_defaults(void) {
    nb_loss_opts o = {0};
    o.reduction = NB_REDUCE_MEAN;
    o.ignore_index = -100;
    o.beta = 1.0;
    o.delta = 1.0;
    o.eps = 1e-6;
    return o;
}

/* Σ a[0..n) in double, in chunks fixed by n alone (not by the number of threads) */
#define SUM_CHUNK 4096
static double det_sum(const float *a, int64_t n) {
    int64_t nc = (n + SUM_CHUNK - 1) / SUM_CHUNK;
    if (nc <= 1) {
        double s = 0.0;
        for (int64_t i = 0; i < n; i++) s += a[i];
        return s;
    }
    double *part = malloc(sizeof(double) * (size_t)nc);
    if (!part) { /* a slower, serial sum rather than a failure */
        double s = 0.0;
        for (int64_t i = 0; i < n; i++) s += a[i];
        return s;
    }
#pragma omp parallel for schedule(static) if (n >= NB_PAR_MIN)
    for (int64_t c = 0; c < nc; c++) {
        int64_t lo = c * SUM_CHUNK, hi = lo + SUM_CHUNK < n ? lo + SUM_CHUNK : n;
        part[c] = nb_vsum(a + lo, hi - lo);
    }
    double s = 0.0;
    for (int64_t c = 0; c < nc; c++) s += part[c];
    free(part);
    return s;
}

/* The loss tensor from per-element losses l (shape ndim/shape): l itself for "none", else a
 * 0-d tensor holding Σ l / denom (mean) or Σ l (sum). Takes over the reference to l. */
static nb_tensor *reduce(nb_tensor *l, nb_reduction r, double denom) {
    if (!l || r == NB_REDUCE_NONE) return l;
    double s = det_sum(nb_data(l), nb_numel(l));
    nb_decref(l);
    return nb_scalar((float)(r == NB_REDUCE_MEAN ? s / denom : s));
}

/* Upstream gradient per element: g[i] for "none", g / denom (mean) or g (sum) for all.
 * Returns a pointer and a stride (0 for a reduced loss); *hold keeps the buffer alive. */
static const float *upstream(nb_tensor *g, nb_reduction r, double denom, float *scalar,
                             int64_t *stride, nb_tensor **hold) {
    *hold = NULL;
    if (r == NB_REDUCE_NONE) {
        *hold = contig(g);
        *stride = 1;
        return *hold ? nb_data(*hold) : NULL;
    }
    *scalar = nb_item(g);
    if (r == NB_REDUCE_MEAN) *scalar = (float)(*scalar / denom);
    *stride = 0;
    return scalar;
}

/* ==== classification: rows of class scores ============================================== */

/* Scores (N, C, d...) are rows of C values: row r = (n, s) with s over the S = Πd positions
 * starts at n·C·S + s and steps by S (by 1 when there are no extra dims). An unbatched
 * input (C) is one row. */
typedef struct {
    int64_t R, C, S;
} rows;
static inline int64_t row_base(const rows *g, int64_t r) {
    return (r / g->S) * g->C * g->S + r % g->S;
}

/* Geometry of scores and, for class-id targets, the target shape they need. */
static bool class_rows(const char *op, const nb_tensor *x, rows *g) {
    char b1[128];
    if (x->ndim < 1) {
        nb_error("%s: expected scores of shape (N, C) or (N, C, d...) or (C), got %s", op,
                 shp(b1, x));
        return false;
    }
    if (x->ndim == 1) {
        g->C = x->shape[0], g->S = 1, g->R = 1;
    } else {
        g->C = x->shape[1];
        g->S = 1;
        for (int i = 2; i < x->ndim; i++) g->S *= x->shape[i];
        g->R = x->shape[0] * g->S;
    }
    if (g->C < 1) {
        nb_error("%s: no classes in the input %s", op, shp(b1, x));
        return false;
    }
    return true;
}

/* The shape of one loss per row: the scores' shape without the class dim, (N, d...) */
static int row_shape(const nb_tensor *x, int64_t *sh) {
    int k = 0;
    for (int i = 0; i < x->ndim; i++)
        if (i != (x->ndim == 1 ? 0 : 1)) sh[k++] = x->shape[i];
    return k;
}

/* Does the target hold class ids for scores x (x's shape without the class dim)? */
static bool is_id_target(const nb_tensor *x, const nb_tensor *t) {
    if (x->ndim == 1) return nb_numel(t) == 1 && t->ndim <= 1;
    if (t->ndim != x->ndim - 1) return false;
    for (int i = 0, j = 0; i < x->ndim; i++)
        if (i != 1 && x->shape[i] != t->shape[j++]) return false;
    return true;
}

/* Class ids 1..C (1-based, float) as 0-based ints; ignore_index gives −1. Errors name the
 * loss, the value and the valid range. Returns a malloc'd array of R ids, or NULL. */
static int32_t *class_ids(const char *op, const nb_tensor *t, int64_t C, double ignore) {
    int64_t n = nb_numel(t);
    nb_tensor *tc = contig((nb_tensor *)t);
    int32_t *ids = tc ? malloc(sizeof(int32_t) * (size_t)n + 1) : NULL;
    if (!ids) {
        nb_decref(tc);
        return tc ? nb_error("%s: out of memory", op) : NULL;
    }
    const float *tp = nb_data(tc);
    for (int64_t i = 0; i < n; i++) {
        float v = tp[i];
        if ((double)v == ignore) {
            ids[i] = -1;
        } else if (v >= 1.0f && v <= (float)C && v == floorf(v)) {
            ids[i] = (int32_t)v - 1;
        } else {
            nb_decref(tc);
            free(ids);
            return nb_error("%s: target %g at position %lld is not a class id: valid class ids "
                            "are 1..%lld (1-based: class 1 is the first)", op, (double)v,
                            (long long)i + 1, (long long)C);
        }
    }
    nb_decref(tc);
    return ids;
}

/* Class weights (C) as a contiguous tensor, or NULL (none, or an error: check *bad) */
static nb_tensor *class_weight(const char *op, nb_tensor *w, int64_t C, bool *bad) {
    *bad = false;
    if (!w) return NULL;
    if (w->ndim != 1 || w->shape[0] != C) {
        char b1[128];
        *bad = true;
        return nb_error("%s: weight has shape %s, expected [%lld] (one weight per class)", op,
                        shp(b1, w), (long long)C);
    }
    nb_tensor *c = contig(w);
    *bad = !c;
    return c;
}

/* What a row of cross_entropy needs, forward and backward. */
typedef struct {
    const rows *rg;
    const float *x, *t, *w;  /* scores, probabilities (or NULL), class weights (or NULL) */
    const int32_t *ids;      /* class ids (0-based, −1 ignored), or NULL for probabilities */
    double eps;              /* label smoothing */
    float *lse, *loss, *wy;  /* forward: per row log Σ exp, loss, w_y */
    const float *g;          /* backward: upstream gradient, stride gs (0: one for all) */
    float *dz, *dt;          /* backward: gradients of scores and probabilities (or NULL) */
    int64_t gs;
} ce_ctx;

/* one row of the forward (the formulas are above nb_cross_entropy) */
static void ce_forward_row(const ce_ctx *cx, int64_t r) {
    const int64_t C = cx->rg->C, S = cx->rg->S;
    const float *wp = cx->w, *z = cx->x + row_base(cx->rg, r);
    const double eps = cx->eps;
    float mx = -INFINITY;
    for (int64_t c = 0; c < C; c++) mx = z[c * S] > mx ? z[c * S] : mx;
    float se = 0.0f;
    for (int64_t c = 0; c < C; c++) se += expf(z[c * S] - mx);
    const float ls = mx + logf(se);
    cx->lse[r] = ls;
    if (!cx->ids) { /* probabilities */
        const float *t = cx->t + row_base(cx->rg, r);
        float s = 0.0f;
        for (int64_t c = 0; c < C; c++)
            s += (wp ? wp[c] : 1.0f) * (float)((1.0 - eps) * t[c * S] + eps / C) * (ls - z[c * S]);
        cx->loss[r] = s;
        cx->wy[r] = 1.0f;
        return;
    }
    const int32_t y = cx->ids[r];
    if (y < 0) { /* ignore_index */
        cx->loss[r] = 0.0f;
        cx->wy[r] = 0.0f;
        return;
    }
    const float w = wp ? wp[y] : 1.0f;
    float loss = (float)(1.0 - eps) * w * (ls - z[y * S]);
    if (eps > 0.0) {
        float s = 0.0f;
        for (int64_t c = 0; c < C; c++) s += (wp ? wp[c] : 1.0f) * (ls - z[c * S]);
        loss += (float)(eps / C) * s;
    }
    cx->loss[r] = loss;
    cx->wy[r] = w;
}

/* ---- cross_entropy -------------------------------------------------------------------- */

/* cross_entropy, fused: per row z (C scores), with lse = log Σ_c exp(z_c) (computed as
 * max + log Σ exp(z − max)) and log p_c = z_c − lse:
 *   class id y, smoothing ε, class weights w (1 if none):
 *     loss = (1 − ε) · w_y · (lse − z_y) + ε/C · Σ_c w_c · (lse − z_c)
 *     mean divides Σ loss by Σ over the rows of w_y (rows with ignore_index count 0)
 *   probabilities t (smoothed: t' = (1 − ε) · t + ε/C):
 *     loss = Σ_c w_c · t'_c · (lse − z_c);  mean divides by the number of rows */
static int cross_entropy_backward(nb_node *n, nb_tensor *g, nb_tensor **gin);

nb_tensor *nb_cross_entropy(nb_tensor *logits, nb_tensor *target, const nb_loss_opts *o) {
    const char *op = "cross_entropy";
    char b1[128], b2[128];
    nb_loss_opts def = nb_loss_defaults();
    if (!o) o = &def;
    rows rg;
    if (!class_rows(op, logits, &rg)) return NULL;
    const int64_t R = rg.R, C = rg.C;
    const bool soft = !is_id_target(logits, target);
    if (soft && !nb_same_shape(logits, target))
        return nb_error("cross_entropy: target %s does not fit the scores %s: expected class "
                        "ids of the scores' shape without dim 2 (the classes), or "
                        "probabilities of the scores' shape", shp(b1, target), shp(b2, logits));
    const double eps = o->label_smoothing;
    if (!(eps >= 0.0 && eps <= 1.0))
        return nb_error("cross_entropy: label_smoothing %g must be between 0 and 1", eps);
    bool bad;
    nb_tensor *wt = class_weight(op, o->weight, C, &bad);
    if (bad) return NULL;
    int32_t *ids = soft ? NULL : class_ids(op, target, C, o->ignore_index);
    if (!soft && !ids) {
        nb_decref(wt);
        return NULL;
    }
    nb_tensor *xc = contig(logits), *tc = soft ? contig(target) : NULL;
    int64_t rs = R;
    nb_tensor *lse_t = xc && (tc || !soft) ? nb_empty(1, &rs) : NULL;
    nb_tensor *l = lse_t ? nb_empty(1, &rs) : NULL; /* per-row loss */
    nb_tensor *wy_t = l ? nb_empty(1, &rs) : NULL;  /* per-row w_y (its sum is the mean's denominator) */
    if (!wy_t) {
        nb_decref(wt), nb_decref(xc), nb_decref(tc), nb_decref(lse_t), nb_decref(l), free(ids);
        return NULL;
    }
    const float *xp = nb_data(xc), *tp = tc ? nb_data(tc) : NULL, *wp = wt ? nb_data(wt) : NULL;
    ce_ctx cx = {&rg, xp, tp, wp, ids, eps, nb_data(lse_t), nb_data(l), nb_data(wy_t), NULL,
                 NULL, NULL, 0};
    float *wy = cx.wy;
    /* scores, t (R rows of C at stride S); lse, loss, w_y (R); w (C). Small batches stay
     * out of a parallel region: even an if(false) one costs about 1 µs. */
    if (R * C >= NB_PAR_MIN / 4) {
#pragma omp parallel for schedule(static)
        for (int64_t r = 0; r < R; r++) ce_forward_row(&cx, r);
    } else
        for (int64_t r = 0; r < R; r++) ce_forward_row(&cx, r);
    const double denom = det_sum(wy, R);
    nb_decref(wy_t);
    if (o->reduction == NB_REDUCE_NONE) { /* one loss per row: the scores' shape without
                                             the class dim, (N, d...) */
        int64_t sh[NB_MAXDIM];
        nb_tensor *v = nb_view(l, row_shape(logits, sh), sh);
        nb_decref(l);
        l = v;
    }
    nb_tensor *out = reduce(l, o->reduction, denom);
    nb_decref(xc), nb_decref(tc);
    nb_tensor *ins[2] = {logits, target};
    nb_node *n = nb_attach(&out, "cross_entropy", cross_entropy_backward, 2, ins);
    if (!n) { /* no gradient wanted, or out is NULL */
        nb_decref(wt), nb_decref(lse_t), free(ids);
        return out;
    }
    if (!soft) n->needs[1] = false; /* class ids are not differentiable */
    n->saved[0] = lse_t;
    n->saved[1] = wt;
    n->extra = ids;
    n->iarg[0] = soft;
    n->iarg[1] = o->reduction;
    n->farg[0] = eps;
    n->farg[1] = o->reduction == NB_REDUCE_MEAN ? (soft ? (double)R : denom) : 1.0;
    return out;
}

/* one row of the backward (the formulas are above cross_entropy_backward) */
static void ce_backward_row(const ce_ctx *cx, int64_t r) {
    const int64_t C = cx->rg->C, S = cx->rg->S, b = row_base(cx->rg, r);
    const float *wp = cx->w, *z = cx->x + b;
    const float s = cx->g[r * cx->gs], ls = cx->lse[r];
    const double eps = cx->eps;
    float *d = cx->dz ? cx->dz + b : NULL;
    if (!cx->ids) { /* probabilities */
        const float *t = cx->t + b;
        float Q = 0.0f;
        for (int64_t c = 0; c < C; c++)
            Q += (wp ? wp[c] : 1.0f) * (float)((1.0 - eps) * t[c * S] + eps / C);
        for (int64_t c = 0; c < C; c++) {
            float w = wp ? wp[c] : 1.0f;
            if (d) {
                float q = w * (float)((1.0 - eps) * t[c * S] + eps / C);
                d[c * S] = s * (expf(z[c * S] - ls) * Q - q);
            }
            if (cx->dt) cx->dt[b + c * S] = s * (float)(1.0 - eps) * w * (ls - z[c * S]);
        }
        return;
    }
    if (!d) return;
    const int32_t y = cx->ids[r];
    if (y < 0) {
        for (int64_t c = 0; c < C; c++) d[c * S] = 0.0f;
        return;
    }
    float wsum = 0.0f; /* Σ_c w_c */
    for (int64_t c = 0; c < C; c++) wsum += wp ? wp[c] : 1.0f;
    const float wy = wp ? wp[y] : 1.0f;
    const float Q = (float)((1.0 - eps) * wy + eps / C * wsum);
    const float se = (float)(eps / C);
    for (int64_t c = 0; c < C; c++)
        d[c * S] = s * (expf(z[c * S] - ls) * Q - se * (wp ? wp[c] : 1.0f));
    d[y * S] -= s * (float)(1.0 - eps) * wy;
}

/* cross_entropy backward, per row with softmax p_c = exp(z_c − lse) and upstream s:
 *   the loss is −Σ_c q_c · log p_c with q_c = (1 − ε) · w_y · [c = y] + ε/C · w_c
 *   (or q_c = w_c · t'_c), so  dL/dz_c = s · (p_c · Σ_c' q_c' − q_c)
 *   and for probabilities  dL/dt_c = s · (1 − ε) · w_c · (lse − z_c) */
static int cross_entropy_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *logits = n->in[0], *target = n->in[1];
    rows rg;
    class_rows("cross_entropy", logits, &rg);
    const int64_t R = rg.R, C = rg.C;
    const bool soft = n->iarg[0];
    const nb_reduction red = (nb_reduction)n->iarg[1];
    const double eps = n->farg[0];
    const float *lse = nb_data(n->saved[0]);
    const float *wp = n->saved[1] ? nb_data(n->saved[1]) : NULL;
    const int32_t *ids = n->extra;
    float sc;
    int64_t gs;
    nb_tensor *hold;
    const float *gp = upstream(g, red, n->farg[1], &sc, &gs, &hold);
    nb_tensor *xc = contig(logits), *tc = soft ? contig(target) : NULL;
    nb_tensor *dz = n->needs[0] ? nb_empty(logits->ndim, logits->shape) : NULL;
    nb_tensor *dt = soft && n->needs[1] ? nb_empty(target->ndim, target->shape) : NULL;
    if (!gp || !xc || (soft && !tc) || (n->needs[0] && !dz) || (soft && n->needs[1] && !dt)) {
        nb_decref(hold), nb_decref(xc), nb_decref(tc), nb_decref(dz), nb_decref(dt);
        return -1;
    }
    ce_ctx cx = {&rg, nb_data(xc), tc ? nb_data(tc) : NULL, wp, soft ? NULL : ids, eps,
                 (float *)lse, NULL, NULL, gp, dz ? nb_data(dz) : NULL, dt ? nb_data(dt) : NULL, gs};
    /* scores, t, dz, dt (R rows of C at stride S); lse (R); w (C) */
    if (R * C >= NB_PAR_MIN / 4) {
#pragma omp parallel for schedule(static)
        for (int64_t r = 0; r < R; r++) ce_backward_row(&cx, r);
    } else
        for (int64_t r = 0; r < R; r++) ce_backward_row(&cx, r);
    nb_decref(hold), nb_decref(xc), nb_decref(tc);
    gin[0] = dz;
    gin[1] = dt;
    return 0;
}

/* ---- nll_loss ------------------------------------------------------------------------- */

/* nll_loss: per row of log-probabilities with class id y: loss = −w_y · logp_y;
 * mean divides by Σ over the rows of w_y */
static int nll_loss_backward(nb_node *n, nb_tensor *g, nb_tensor **gin);

nb_tensor *nb_nll_loss(nb_tensor *logp, nb_tensor *target, const nb_loss_opts *o) {
    const char *op = "nll_loss";
    char b1[128], b2[128];
    nb_loss_opts def = nb_loss_defaults();
    if (!o) o = &def;
    rows rg;
    if (!class_rows(op, logp, &rg)) return NULL;
    if (!is_id_target(logp, target))
        return nb_error("nll_loss: target %s does not fit the log-probabilities %s: expected "
                        "class ids of their shape without dim 2 (the classes)",
                        shp(b1, target), shp(b2, logp));
    const int64_t R = rg.R, C = rg.C, S = rg.S;
    bool bad;
    nb_tensor *wt = class_weight(op, o->weight, C, &bad);
    if (bad) return NULL;
    int32_t *ids = class_ids(op, target, C, o->ignore_index);
    nb_tensor *xc = ids ? contig(logp) : NULL;
    int64_t rs = R;
    nb_tensor *l = xc ? nb_empty(1, &rs) : NULL;
    nb_tensor *wy_t = l ? nb_empty(1, &rs) : NULL;
    if (!wy_t) {
        nb_decref(wt), nb_decref(xc), nb_decref(l), free(ids);
        return NULL;
    }
    const float *xp = nb_data(xc), *wp = wt ? nb_data(wt) : NULL;
    float *lp = nb_data(l), *wy = nb_data(wy_t);
    /* logp (R rows of C at stride S); loss, w_y (R) */
    for (int64_t r = 0; r < R; r++) {
        int32_t y = ids[r];
        wy[r] = y < 0 ? 0.0f : (wp ? wp[y] : 1.0f);
        lp[r] = y < 0 ? 0.0f : -wy[r] * xp[row_base(&rg, r) + y * S];
    }
    const double denom = det_sum(wy, R);
    nb_decref(wy_t), nb_decref(xc);
    if (o->reduction == NB_REDUCE_NONE) {
        int64_t sh[NB_MAXDIM];
        nb_tensor *v = nb_view(l, row_shape(logp, sh), sh);
        nb_decref(l);
        l = v;
    }
    nb_tensor *out = reduce(l, o->reduction, denom);
    nb_tensor *ins[2] = {logp, target};
    nb_node *n = nb_attach(&out, "nll_loss", nll_loss_backward, 2, ins);
    if (!n) { /* no gradient wanted, or out is NULL */
        nb_decref(wt), free(ids);
        return out;
    }
    n->needs[1] = false;
    n->saved[0] = wt;
    n->extra = ids;
    n->iarg[0] = o->reduction;
    n->farg[0] = o->reduction == NB_REDUCE_MEAN ? denom : 1.0;
    return out;
}

/* nll_loss backward: dL/dlogp[r, y_r] = −s · w_y, 0 for the other classes */
static int nll_loss_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *logp = n->in[0];
    rows rg;
    class_rows("nll_loss", logp, &rg);
    const float *wp = n->saved[0] ? nb_data(n->saved[0]) : NULL;
    const int32_t *ids = n->extra;
    float sc;
    int64_t gs;
    nb_tensor *hold;
    const float *gp = upstream(g, (nb_reduction)n->iarg[0], n->farg[0], &sc, &gs, &hold);
    nb_tensor *d = gp ? nb_zeros(logp->ndim, logp->shape) : NULL;
    if (!d) {
        nb_decref(hold);
        return -1;
    }
    float *dp = nb_data(d);
    /* dlogp (R rows of C at stride S) */
    for (int64_t r = 0; r < rg.R; r++) {
        int32_t y = ids[r];
        if (y >= 0) dp[row_base(&rg, r) + y * rg.S] = -gp[r * gs] * (wp ? wp[y] : 1.0f);
    }
    nb_decref(hold);
    gin[0] = d;
    return 0;
}

/* ==== pointwise losses =================================================================== */

typedef enum { L_MSE, L_L1, L_SMOOTH_L1, L_HUBER, L_BCE, L_BCE_LOGITS, L_GAUSSIAN } pw_kind;
static const char *pw_name[] = {"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
                                "binary_cross_entropy", "binary_cross_entropy_with_logits",
                                "gaussian_nll_loss"};

/* The parameter of each loss: β (smooth L1), δ (Huber), ε (the variance clamp), and for the
 * Gaussian a constant 0.5·log(2π) or 0. */
typedef struct {
    float k, full;
} pw_param;

static inline float clamp_log(float v) { /* log, clamped at −100 as PyTorch's BCE */
    float l = logf(v);
    return l > -100.0f ? l : -100.0f;
}
static inline float softplus_neg(float x) { /* log(1 + e^−x), stably */
    return fmaxf(-x, 0.0f) + log1pf(expf(-fabsf(x)));
}

/* loss of one element: a = input, b = target, c = variance / pos_weight, w = weight
 *   mse       (a − b)²
 *   l1        |a − b|
 *   smooth_l1 0.5·d²/β if |d| < β, else |d| − 0.5·β         (d = a − b)
 *   huber     0.5·d² if |d| < δ, else δ·(|d| − 0.5·δ)
 *   bce       −w·(b·log a + (1 − b)·log(1 − a)), logs clamped at −100
 *   bce_logits w·((1 − b)·a + (1 + (c − 1)·b)·log(1 + e^−a))  (c = pos_weight)
 *   gaussian  0.5·(log v + d²/v) [+ 0.5·log 2π], v = max(var, ε) */
static inline float pw_loss(pw_kind k, float a, float b, float c, float w, pw_param p) {
    float d = a - b, z = fabsf(d);
    switch (k) {
    case L_MSE: return d * d;
    case L_L1: return z;
    case L_SMOOTH_L1: return z < p.k ? 0.5f * d * d / p.k : z - 0.5f * p.k;
    case L_HUBER: return z < p.k ? 0.5f * d * d : p.k * (z - 0.5f * p.k);
    case L_BCE: return -w * (b * clamp_log(a) + (1.0f - b) * clamp_log(1.0f - a));
    case L_BCE_LOGITS: return w * ((1.0f - b) * a + (1.0f + (c - 1.0f) * b) * softplus_neg(a));
    case L_GAUSSIAN: {
        float v = fmaxf(c, p.k);
        return 0.5f * (logf(v) + d * d / v) + p.full;
    }
    }
    return 0.0f;
}

/* derivatives of one element's loss with respect to a, b and c:
 *   mse       da = 2d,  db = −2d
 *   l1        da = sign(d),  db = −da
 *   smooth_l1 da = d/β inside (−β, β), else sign(d);  db = −da
 *   huber     da = d inside [−δ, δ], else δ·sign(d);  db = −da
 *   bce       da = w·(a − b) / max(a·(1 − a), 1e−12);  db = w·(log(1 − a) − log a)
 *   bce_logits da = w·((1 − b) − (1 + (c − 1)·b)·σ(−a));  db = w·(−a + (c − 1)·log(1 + e^−a))
 *   gaussian  da = d/v,  db = −d/v,  dc = 0.5·(1/v − d²/v²)  (through the clamp, as PyTorch) */
static inline void pw_grad(pw_kind k, float a, float b, float c, float w, pw_param p, float *da,
                           float *db, float *dc) {
    float d = a - b, sg = (float)((d > 0) - (d < 0));
    *da = *db = *dc = 0.0f;
    switch (k) {
    case L_MSE: *da = 2.0f * d, *db = -*da; return;
    case L_L1: *da = sg, *db = -sg; return;
    case L_SMOOTH_L1:
        *da = p.k == 0.0f ? sg : (d < -p.k ? -1.0f : d > p.k ? 1.0f : d / p.k);
        *db = -*da;
        return;
    case L_HUBER:
        *da = d <= -p.k ? -p.k : d >= p.k ? p.k : d;
        *db = -*da;
        return;
    case L_BCE:
        *da = w * d / fmaxf(a * (1.0f - a), 1e-12f);
        *db = w * (clamp_log(1.0f - a) - clamp_log(a));
        return;
    case L_BCE_LOGITS: {
        float sig_neg = 1.0f / (1.0f + expf(a)); /* σ(−a) */
        *da = w * ((1.0f - b) - (1.0f + (c - 1.0f) * b) * sig_neg);
        *db = w * (-a + (c - 1.0f) * softplus_neg(a));
        return;
    }
    case L_GAUSSIAN: {
        float v = fmaxf(c, p.k);
        *da = d / v, *db = -d / v;
        *dc = 0.5f * (1.0f / v - d * d / (v * v));
        return;
    }
    }
}

/* t broadcast to like's shape as a contiguous tensor (t itself when it already is) */
static nb_tensor *broadcast_copy(const char *op, const char *what, nb_tensor *t,
                                 const nb_tensor *like) {
    if (!t) return NULL;
    if (nb_same_shape(t, like)) return contig(t);
    int64_t sh[NB_MAXDIM];
    char b1[128], b2[128];
    int nd = nb_broadcast_shape(op, t->ndim, t->shape, like->ndim, like->shape, sh);
    if (nd != like->ndim || memcmp(sh, like->shape, sizeof(int64_t) * nd) != 0)
        return nb_error("%s: %s %s cannot be broadcast to the input's shape %s", op, what,
                        shp(b1, t), shp(b2, like));
    nb_tensor *c = nb_empty(like->ndim, like->shape);
    if (c && nb_copy_(c, t)) {
        nb_decref(c);
        return NULL;
    }
    return c;
}

static int pointwise_backward(nb_node *n, nb_tensor *g, nb_tensor **gin);

/* The shared forward: a, b of one shape; c (variance or pos_weight) and w (weight)
 * broadcast to it. Records one node with inputs a, b, and c when c is differentiable. */
static nb_tensor *pointwise(pw_kind k, nb_tensor *a, nb_tensor *b, nb_tensor *c, bool c_diff,
                            nb_tensor *w, pw_param p, nb_reduction red) {
    const char *op = pw_name[k];
    char b1[128], b2[128];
    if (!nb_same_shape(a, b))
        return nb_error("%s: input %s and target %s have different shapes (make them match, "
                        "e.g. with view or squeeze)", op, shp(b1, a), shp(b2, b));
    nb_tensor *ac = contig(a), *bc = contig(b);
    nb_tensor *cc = c ? broadcast_copy(op, c_diff ? "var" : "pos_weight", c, a) : NULL;
    nb_tensor *wc = w ? broadcast_copy(op, "weight", w, a) : NULL;
    nb_tensor *l = ac && bc && (!c || cc) && (!w || wc) ? nb_empty(a->ndim, a->shape) : NULL;
    if (!l) {
        nb_decref(ac), nb_decref(bc), nb_decref(cc), nb_decref(wc);
        return NULL;
    }
    const int64_t N = nb_numel(a);
    const float *ap = nb_data(ac), *bp = nb_data(bc);
    const float *cp = cc ? nb_data(cc) : NULL, *wp = wc ? nb_data(wc) : NULL;
    float *lp = nb_data(l);
    /* checks that need the values */
    for (int64_t i = 0; k == L_BCE && i < N; i++)
        if (!(ap[i] >= 0.0f && ap[i] <= 1.0f)) {
            nb_decref(ac), nb_decref(bc), nb_decref(cc), nb_decref(wc), nb_decref(l);
            return nb_error("binary_cross_entropy: input %g at position %lld is not a "
                            "probability in [0, 1] (apply sigmoid first, or use "
                            "binary_cross_entropy_with_logits on the raw scores)",
                            (double)ap[i], (long long)i + 1);
        }
    for (int64_t i = 0; k == L_GAUSSIAN && i < N; i++)
        if (cp[i] < 0.0f) {
            nb_decref(ac), nb_decref(bc), nb_decref(cc), nb_decref(wc), nb_decref(l);
            return nb_error("gaussian_nll_loss: var has a negative entry (%g); a variance "
                            "must be ≥ 0", (double)cp[i]);
        }
    /* a, b, c, w, loss (N); small tensors stay out of a parallel region (1 µs) */
    if (N >= NB_PAR_MIN) {
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < N; i++)
            lp[i] = pw_loss(k, ap[i], bp[i], cp ? cp[i] : 1.0f, wp ? wp[i] : 1.0f, p);
    } else
        for (int64_t i = 0; i < N; i++)
            lp[i] = pw_loss(k, ap[i], bp[i], cp ? cp[i] : 1.0f, wp ? wp[i] : 1.0f, p);
    nb_tensor *out = reduce(l, red, (double)N);
    nb_tensor *ins[3] = {a, b, c_diff ? c : NULL};
    nb_node *n = nb_attach(&out, op, pointwise_backward, c_diff ? 3 : 2, ins);
    if (!n) { /* no gradient wanted, or out is NULL */
        nb_decref(ac), nb_decref(bc), nb_decref(cc), nb_decref(wc);
        return out;
    }
    n->saved[0] = ac, n->saved[1] = bc, n->saved[2] = cc, n->saved[3] = wc;
    n->iarg[0] = k;
    n->iarg[1] = red;
    n->farg[0] = p.k;
    n->farg[1] = p.full;
    n->farg[2] = (double)N;
    return out;
}

/* backward of every pointwise loss: dL/da_i = s_i · da_i (and b, c alike), s_i the upstream
 * gradient (g_i for "none", g/N for mean, g for sum); the formulas are at pw_grad */
static int pointwise_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    const pw_kind k = (pw_kind)n->iarg[0];
    const pw_param p = {(float)n->farg[0], (float)n->farg[1]};
    nb_tensor *a = n->in[0];
    const int64_t N = nb_numel(a);
    float sc;
    int64_t gs;
    nb_tensor *hold;
    const float *gp = upstream(g, (nb_reduction)n->iarg[1], n->farg[2], &sc, &gs, &hold);
    if (!gp) return -1;
    nb_tensor *d[3] = {NULL, NULL, NULL};
    for (int j = 0; j < n->nin; j++)
        if (n->needs[j] && !(d[j] = nb_empty(a->ndim, a->shape))) {
            nb_decref(hold), nb_decref(d[0]), nb_decref(d[1]);
            return -1;
        }
    const float *ap = nb_data(n->saved[0]), *bp = nb_data(n->saved[1]);
    const float *cp = n->saved[2] ? nb_data(n->saved[2]) : NULL;
    const float *wp = n->saved[3] ? nb_data(n->saved[3]) : NULL;
    float *da = d[0] ? nb_data(d[0]) : NULL, *db = d[1] ? nb_data(d[1]) : NULL;
    float *dc = d[2] ? nb_data(d[2]) : NULL;
    /* a, b, c, w, g, da, db, dc (N); g has stride 0 for a reduced loss */
#define PW_GRAD_AT(i)                                                                          \
    do {                                                                                       \
        float ga, gb, gc, s = gp[(i) * gs];                                                    \
        pw_grad(k, ap[i], bp[i], cp ? cp[i] : 1.0f, wp ? wp[i] : 1.0f, p, &ga, &gb, &gc);      \
        if (da) da[i] = s * ga;                                                                \
        if (db) db[i] = s * gb;                                                                \
        if (dc) dc[i] = s * gc;                                                                \
    } while (0)
    if (N >= NB_PAR_MIN) {
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < N; i++) PW_GRAD_AT(i);
    } else
        for (int64_t i = 0; i < N; i++) PW_GRAD_AT(i);
#undef PW_GRAD_AT
    nb_decref(hold);
    for (int j = 0; j < 3; j++) gin[j] = d[j];
    return 0;
}

nb_tensor *nb_mse_loss(nb_tensor *a, nb_tensor *b, const nb_loss_opts *o) {
    nb_loss_opts def = nb_loss_defaults();
    if (!o) o = &def;
    return pointwise(L_MSE, a, b, NULL, false, NULL, (pw_param){0, 0}, o->reduction);
}

nb_tensor *nb_l1_loss(nb_tensor *a, nb_tensor *b, const nb_loss_opts *o) {
    nb_loss_opts def = nb_loss_defaults();
    if (!o) o = &def;
    return pointwise(L_L1, a, b, NULL, false, NULL, (pw_param){0, 0}, o->reduction);
}

nb_tensor *nb_smooth_l1_loss(nb_tensor *a, nb_tensor *b, const nb_loss_opts *o) {
    nb_loss_opts def = nb_loss_defaults();
    if (!o) o = &def;
    if (!(o->beta >= 0.0)) return nb_error("smooth_l1_loss: beta %g must not be negative", o->beta);
    return pointwise(L_SMOOTH_L1, a, b, NULL, false, NULL, (pw_param){(float)o->beta, 0},
                     o->reduction);
}

nb_tensor *nb_huber_loss(nb_tensor *a, nb_tensor *b, const nb_loss_opts *o) {
    nb_loss_opts def = nb_loss_defaults();
    if (!o) o = &def;
    if (!(o->delta > 0.0)) return nb_error("huber_loss: delta %g must be positive", o->delta);
    return pointwise(L_HUBER, a, b, NULL, false, NULL, (pw_param){(float)o->delta, 0},
                     o->reduction);
}

nb_tensor *nb_binary_cross_entropy(nb_tensor *p, nb_tensor *t, const nb_loss_opts *o) {
    nb_loss_opts def = nb_loss_defaults();
    if (!o) o = &def;
    return pointwise(L_BCE, p, t, NULL, false, o->weight, (pw_param){0, 0}, o->reduction);
}

nb_tensor *nb_binary_cross_entropy_with_logits(nb_tensor *x, nb_tensor *t, const nb_loss_opts *o) {
    nb_loss_opts def = nb_loss_defaults();
    if (!o) o = &def;
    return pointwise(L_BCE_LOGITS, x, t, o->pos_weight, false, o->weight, (pw_param){0, 0},
                     o->reduction);
}

nb_tensor *nb_gaussian_nll_loss(nb_tensor *input, nb_tensor *target, nb_tensor *var,
                                const nb_loss_opts *o) {
    char b1[128], b2[128];
    nb_loss_opts def = nb_loss_defaults();
    if (!o) o = &def;
    if (!(o->eps > 0.0)) return nb_error("gaussian_nll_loss: eps %g must be positive", o->eps);
    /* var may hold one value per sample: input's shape without its last dim, or with 1 */
    bool same = nb_same_shape(var, input);
    bool drop_last = var->ndim == input->ndim - 1 && input->ndim >= 1;
    for (int i = 0; drop_last && i < var->ndim; i++) drop_last = var->shape[i] == input->shape[i];
    bool last_one = var->ndim == input->ndim && input->ndim >= 1 && var->shape[var->ndim - 1] == 1;
    for (int i = 0; last_one && i < var->ndim - 1; i++) last_one = var->shape[i] == input->shape[i];
    if (!same && !drop_last && !last_one)
        return nb_error("gaussian_nll_loss: var %s does not fit the input %s: expected the "
                        "input's shape, or it with the last dim 1 or without the last dim",
                        shp(b1, var), shp(b2, input));
    nb_tensor *v = drop_last ? nb_unsqueeze(var, var->ndim) : (nb_incref(var), var);
    if (!v) return NULL;
    pw_param p = {(float)o->eps, o->full ? 0.5f * logf(2.0f * (float)M_PI) : 0.0f};
    nb_tensor *out = pointwise(L_GAUSSIAN, input, target, v, true, NULL, p, o->reduction);
    nb_decref(v);
    return out;
}

/* ==== ctc_loss ============================================================================ */

/* One sample of CTC (Graves et al. 2006), in log space. The target y_1..y_L is extended
 * with blanks: l' = (b, y_1, b, y_2, ..., b, y_L, b), S = 2L + 1 symbols. A path emits one
 * symbol of l' per step, staying on a symbol or moving to the next, or skipping a blank
 * between two different labels. With lp_t(c) the log-probability of class c at step t:
 *   α_0(0) = lp_0(b),  α_0(1) = lp_0(y_1)
 *   α_t(s) = lp_t(l'_s) + log(e^α_{t−1}(s) + e^α_{t−1}(s−1) [+ e^α_{t−1}(s−2) if l'_s ≠ b
 *            and l'_s ≠ l'_{s−2}])
 *   β alike from the end: β_{T−1}(S−1) = lp_{T−1}(b), β_{T−1}(S−2) = lp_{T−1}(y_L),
 *   β_t(s) = lp_t(l'_s) + log(e^β_{t+1}(s) + e^β_{t+1}(s+1) [+ e^β_{t+1}(s+2) likewise])
 *   loss = −log p(y|x) = −log(e^α_{T−1}(S−1) + e^α_{T−1}(S−2))
 * The sums are done in double, each as max + log Σ exp(· − max). */
static inline double lse2(double a, double b) {
    double m = a > b ? a : b;
    if (m == -INFINITY) return -INFINITY;
    return m + log(exp(a - m) + exp(b - m));
}

typedef struct {
    int64_t T, N, C, blank;        /* blank 0-based here */
    const float *lp;               /* (T, N, C) */
    const int32_t *tg;             /* 0-based labels of sample n at tg + toff[n] */
    const int64_t *toff, *tlen, *ilen;
    float *loss;                   /* (N) */
    float *grad;                   /* (T, N, C) unscaled dloss_n/dlp, or NULL */
    bool zero_inf;
    int failed;                    /* out of memory in a worker */
} ctc_ctx;

static void ctc_sample(ctc_ctx *cx, int64_t n) {
    const int64_t N = cx->N, C = cx->C, L = cx->tlen[n], Tn = cx->ilen[n], S = 2 * L + 1;
    const int32_t *y = cx->tg + cx->toff[n];
    float *gr = cx->grad;
#define LP(t, c) ((double)cx->lp[((t) * N + n) * C + (c)])
    if (gr)
        for (int64_t t = 0; t < cx->T; t++) memset(gr + (t * N + n) * C, 0, sizeof(float) * C);
    if (Tn == 0) { /* no steps: only the empty target has a path */
        cx->loss[n] = L == 0 ? 0.0f : (cx->zero_inf ? 0.0f : INFINITY);
        return;
    }
    size_t bytes;
    int64_t cells = Tn * S; /* Tn ≤ T and S ≤ 2·numel(targets) + 1: checked by the caller */
    double *a = nb_bytes_ok(cells, 2 * sizeof(double), &bytes) ? malloc(bytes) : NULL;
    int32_t *lab = a ? malloc(sizeof(int32_t) * (size_t)S) : NULL;
    if (!lab) {
        free(a);
#pragma omp atomic write
        cx->failed = 1;
        return;
    }
    double *b = a + cells;
    for (int64_t s = 0; s < S; s++) lab[s] = s % 2 ? y[s / 2] : (int32_t)cx->blank;
    /* may the path skip from s−2 to s? (l'_s a label different from l'_{s−2}) */
#define SKIP(s) ((s) >= 2 && lab[s] != cx->blank && lab[s] != lab[(s) - 2])
    for (int64_t s = 0; s < S; s++) a[s] = -INFINITY;
    a[0] = LP(0, lab[0]);
    if (S > 1) a[1] = LP(0, lab[1]);
    for (int64_t t = 1; t < Tn; t++) {
        const double *p = a + (t - 1) * S;
        double *q = a + t * S;
        for (int64_t s = 0; s < S; s++) {
            double v = p[s];
            if (s >= 1) v = lse2(v, p[s - 1]);
            if (SKIP(s)) v = lse2(v, p[s - 2]);
            q[s] = v == -INFINITY ? -INFINITY : v + LP(t, lab[s]);
        }
    }
    const double *last = a + (Tn - 1) * S;
    const double logp = S > 1 ? lse2(last[S - 1], last[S - 2]) : last[0];
    const bool impossible = logp == -INFINITY;
    cx->loss[n] = impossible ? (cx->zero_inf ? 0.0f : INFINITY) : (float)-logp;
    if (!gr || impossible) { /* an impossible alignment gets a zero gradient, not NaN */
        free(a), free(lab);
        return;
    }
    for (int64_t s = 0; s < S; s++) b[(Tn - 1) * S + s] = -INFINITY;
    b[(Tn - 1) * S + S - 1] = LP(Tn - 1, lab[S - 1]);
    if (S > 1) b[(Tn - 1) * S + S - 2] = LP(Tn - 1, lab[S - 2]);
    for (int64_t t = Tn - 2; t >= 0; t--) {
        const double *p = b + (t + 1) * S;
        double *q = b + t * S;
        for (int64_t s = 0; s < S; s++) {
            double v = p[s];
            if (s + 1 < S) v = lse2(v, p[s + 1]);
            if (s + 2 < S && SKIP(s + 2)) v = lse2(v, p[s + 2]);
            q[s] = v == -INFINITY ? -INFINITY : v + LP(t, lab[s]);
        }
    }
    /* dloss/dlp_t(c) = −Σ_{s: l'_s = c} e^{α_t(s) + β_t(s) − lp_t(c)} / p(y|x): α and β both
     * hold lp_t(l'_s), so one is taken off. At most 2 symbols share a class in a row: the
     * blank sits at every even s, a label wherever it occurs. */
    for (int64_t t = 0; t < Tn; t++) {
        float *g = gr + (t * N + n) * C;
        for (int64_t s = 0; s < S; s++) {
            double ab = a[t * S + s] + b[t * S + s];
            if (ab == -INFINITY) continue;
            g[lab[s]] -= (float)exp(ab - LP(t, lab[s]) - logp);
        }
    }
#undef SKIP
#undef LP
    free(a), free(lab);
}

/* An integer count (a length) of a lengths tensor, checked: 0 ≤ v ≤ hi */
static bool ctc_lengths(const char *what, nb_tensor *t, int64_t N, int64_t hi, const char *hiname,
                        int64_t *out) {
    char b1[128];
    if (nb_numel(t) != N || t->ndim > 1)
        return nb_error("ctc_loss: %s has shape %s, expected [%lld] (one length per sample)",
                        what, shp(b1, t), (long long)N), false;
    nb_tensor *c = contig(t);
    if (!c) return false;
    const float *p = nb_data(c);
    for (int64_t i = 0; i < N; i++) {
        float v = p[i];
        if (!(v >= 0.0f && v == floorf(v) && v <= (float)hi)) {
            nb_decref(c);
            return nb_error("ctc_loss: %s[%lld] = %g must be a whole number from 0 to %lld (%s)",
                            what, (long long)i + 1, (double)v, (long long)hi, hiname), false;
        }
        out[i] = (int64_t)v;
    }
    nb_decref(c);
    return true;
}

static int ctc_loss_backward(nb_node *n, nb_tensor *g, nb_tensor **gin);

nb_tensor *nb_ctc_loss(nb_tensor *log_probs, nb_tensor *targets, nb_tensor *input_lengths,
                       nb_tensor *target_lengths, const nb_ctc_opts *o) {
    char b1[128], b2[128];
    nb_ctc_opts def = {1, NB_REDUCE_MEAN, false};
    if (!o) o = &def;
    const bool unbatched = log_probs->ndim == 2;
    if (log_probs->ndim != 3 && !unbatched)
        return nb_error("ctc_loss: log_probs has shape %s, expected (T, N, C) or (T, C): "
                        "time steps, batch, classes", shp(b1, log_probs));
    const int64_t T = log_probs->shape[0], N = unbatched ? 1 : log_probs->shape[1],
                  C = log_probs->shape[log_probs->ndim - 1];
    if (C < 1 || T < 1)
        return nb_error("ctc_loss: log_probs %s has no time steps or no classes", shp(b1, log_probs));
    if (o->blank < 1 || o->blank > C)
        return nb_error("ctc_loss: blank %lld is not a class id 1..%lld (1-based: PyTorch's "
                        "blank=0 is blank=1 here)", (long long)o->blank, (long long)C);
    if (unbatched ? targets->ndim != 1 : (targets->ndim != 1 && targets->ndim != 2))
        return nb_error("ctc_loss: targets has shape %s, expected %s", shp(b1, targets),
                        unbatched ? "(S) for log_probs (T, C)"
                                  : "(N, S) padded or (sum of target_lengths) concatenated");
    if (targets->ndim == 2 && targets->shape[0] != N)
        return nb_error("ctc_loss: targets %s has %lld rows but log_probs %s has a batch of %lld",
                        shp(b1, targets), (long long)targets->shape[0], shp(b2, log_probs),
                        (long long)N);
    const bool padded = targets->ndim == 2 || unbatched;
    const int64_t Smax = targets->ndim == 2 ? targets->shape[1] : nb_numel(targets);
    size_t bytes;
    int64_t *ilen = nb_bytes_ok(N, 4 * sizeof(int64_t), &bytes) ? malloc(bytes) : NULL;
    if (!ilen) return nb_error("ctc_loss: out of memory");
    int64_t *tlen = ilen + N, *toff = ilen + 2 * N;
    int32_t *lab = NULL;
    nb_tensor *lpc = NULL, *tc = NULL, *l = NULL, *G = NULL, *w = NULL, *out = NULL;
    if (!ctc_lengths("input_lengths", input_lengths, N, T, "the number of time steps T", ilen) ||
        !ctc_lengths("target_lengths", target_lengths, N, Smax,
                     padded ? "the targets' length" : "the number of targets", tlen))
        goto fail;
    int64_t total = 0;
    for (int64_t i = 0; i < N; i++) {
        toff[i] = padded ? i * Smax : total;
        total += tlen[i];
    }
    if (!padded && total > Smax) {
        nb_error("ctc_loss: target_lengths add up to %lld but targets %s holds %lld labels",
                 (long long)total, shp(b1, targets), (long long)Smax);
        goto fail;
    }
    /* labels, 0-based, each checked: 1..C and not the blank */
    int64_t nt = nb_numel(targets);
    tc = contig(targets);
    lab = tc && nb_bytes_ok(nt + 1, sizeof(int32_t), &bytes) ? malloc(bytes) : NULL;
    if (!lab) {
        if (tc) nb_error("ctc_loss: out of memory");
        goto fail;
    }
    const float *tp = nb_data(tc);
    for (int64_t i = 0; i < N; i++)
        for (int64_t k = 0; k < tlen[i]; k++) {
            int64_t j = toff[i] + k;
            float v = tp[j];
            if (!(v >= 1.0f && v <= (float)C && v == floorf(v)) || (int64_t)v == o->blank) {
                nb_error("ctc_loss: target %g (sample %lld, label %lld) is not a class id 1..%lld "
                         "other than the blank %lld", (double)v, (long long)i + 1,
                         (long long)k + 1, (long long)C, (long long)o->blank);
                goto fail;
            }
            lab[j] = (int32_t)v - 1;
        }
    lpc = contig(log_probs);
    int64_t ns = N;
    l = lpc ? nb_empty(1, &ns) : NULL;
    nb_tensor *ins[1] = {log_probs};
    const bool want = nb_wants_grad(1, ins);
    G = l && want ? nb_empty(log_probs->ndim, log_probs->shape) : NULL;
    if (!l || (want && !G)) goto fail;
    ctc_ctx cx = {T, N, C, o->blank - 1, nb_data(lpc), lab, toff, tlen, ilen, nb_data(l),
                  G ? nb_data(G) : NULL, o->zero_infinity, 0};
    /* lp, grad (T, N, C); targets; loss (N): one sample per iteration */
#pragma omp parallel for schedule(dynamic) if (N > 1 && T * C * N >= NB_PAR_MIN / 4)
    for (int64_t i = 0; i < N; i++) ctc_sample(&cx, i);
    if (cx.failed) {
        nb_error("ctc_loss: out of memory");
        goto fail;
    }
    /* per-sample factor of the reduction: 1/(N·max(L_n, 1)) for mean, 1 otherwise */
    w = nb_empty(1, &ns);
    if (!w) goto fail;
    float *wp = nb_data(w), *lp = nb_data(l);
    double sum = 0.0;
    for (int64_t i = 0; i < N; i++) {
        wp[i] = o->reduction == NB_REDUCE_MEAN
                    ? (float)(1.0 / ((double)N * (double)(tlen[i] > 1 ? tlen[i] : 1)))
                    : 1.0f;
        sum += (double)lp[i] * wp[i];
    }
    if (o->reduction == NB_REDUCE_NONE) {
        out = unbatched ? nb_view(l, 0, NULL) : (nb_incref(l), l);
    } else
        out = nb_scalar((float)sum);
    nb_decref(l), l = NULL;
    nb_node *nd = nb_attach(&out, "ctc_loss", ctc_loss_backward, 1, ins);
    if (nd) {
        nd->saved[0] = G, G = NULL;
        nd->saved[1] = w, w = NULL;
        nd->iarg[0] = o->reduction;
    }
fail:
    free(ilen), free(lab);
    nb_decref(lpc), nb_decref(tc), nb_decref(l), nb_decref(G), nb_decref(w);
    return out;
}

/* ctc_loss backward: dL/dlp_t(n, c) = s_n · w_n · G_t(n, c), with G the per-sample
 * gradient of the forward (formula above ctc_sample), w_n the reduction's factor and s_n
 * the upstream gradient (g_n for "none", g for mean and sum) */
static int ctc_loss_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *G = n->saved[0], *w = n->saved[1];
    const int64_t N = nb_numel(w), T = G->shape[0], C = G->shape[G->ndim - 1];
    nb_tensor *gc = contig(g);
    nb_tensor *d = gc ? nb_empty(G->ndim, G->shape) : NULL;
    if (!d) {
        nb_decref(gc);
        return -1;
    }
    const float *gp = nb_data(gc), *Gp = nb_data(G), *wp = nb_data(w);
    const bool each = (nb_reduction)n->iarg[0] == NB_REDUCE_NONE;
    float *dp = nb_data(d);
    /* G, d (T, N, C); w (N); g (N) or () */
    for (int64_t t = 0; t < T; t++)
        for (int64_t i = 0; i < N; i++) {
            const float s = (each ? gp[i] : gp[0]) * wp[i];
            for (int64_t c = 0; c < C; c++) dp[(t * N + i) * C + c] = s * Gp[(t * N + i) * C + c];
        }
    nb_decref(gc);
    gin[0] = d;
    return 0;
}

/* Index ops: index_select, gather, scatter_add, one_hot, masked_fill. Each forward is
 * followed by its backward with the derivative in a comment.
 *
 * Index tensors hold 1-based positions as float32 (what a learner types). They are read
 * once, checked, and turned into 0-based int64 positions; an index out of range (or not a
 * whole number) is an error naming the op, the value and the valid range, so no index a
 * learner types can read or write outside a buffer. The backward of a selection is a
 * scatter-add of the gradient back to the selected positions (repeats add up). */
#include "index.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"
#include "shape.h"


/* dim normalised (negative counts from the end), or -1 after an error naming op */
static int check_dim(const char *op, const nb_tensor *a, int dim) {
    int d = dim < 0 ? dim + a->ndim : dim;
    if (a->ndim == 0) {
        nb_error("%s: cannot index a 0-d tensor", op);
        return -1;
    }
    if (d < 0 || d >= a->ndim) {
        char b[128];
        nb_error("%s: dimension %d out of range for a %d-d tensor of shape %s (use 1..%d or "
                 "-1..-%d)", op, dim >= 0 ? dim + 1 : dim, a->ndim, shp(b, a), a->ndim, a->ndim);
        return -1;
    }
    return d;
}

/* The values of idx in row-major order as 0-based positions, each checked against
 * 1..size. For the message: noun is "index" or "class", what says what it indexes
 * ("dimension 2 of shape [3,5]", "10 classes"). Returns a malloc'd array (free() it), or
 * NULL after an error. */
static int64_t *read_index(const char *op, nb_tensor *idx, int64_t size, const char *noun,
                           const char *what) {
    int64_t n = nb_numel(idx);
    int64_t *out = malloc(sizeof(int64_t) * (size_t)(n > 0 ? n : 1));
    if (!out) return nb_error("%s: out of memory", op);
    nb_tensor *c = nb_is_contiguous(idx) ? (nb_incref(idx), idx) : nb_contiguous_copy(idx);
    if (!c) {
        free(out);
        return NULL;
    }
    const float *v = nb_data(c);
    for (int64_t k = 0; k < n; k++) {
        float x = v[k];
        if (x != x) x = NAN; /* print "nan", never "-nan" */
        if (!(x >= 1.0f && x <= (float)size)) {
            if (size == 0)
                nb_error("%s: %s %g is out of range for %s, which is empty", op, noun, x, what);
            else
                nb_error("%s: %s %g is out of range for %s (valid %s are 1..%lld%s)", op, noun, x,
                         what, noun[0] == 'c' ? "classes" : "indices", (long long)size,
                         x == 0.0f ? "; nabla counts from 1" : "");
            goto fail;
        }
        if (x != floorf(x)) {
            nb_error("%s: %s %g is not a whole number", op, noun, x);
            goto fail;
        }
        out[k] = (int64_t)x - 1;
    }
    nb_decref(c);
    return out;
fail:
    nb_decref(c);
    free(out);
    return NULL;
}

/* For each position p of a tensor of the given shape, in row-major order:
 * off[k] = Σ_{d ≠ skip} p_d · stride[d]  (skip = -1 keeps every dim) */
static void offsets(int ndim, const int64_t *shape, const int64_t *stride, int skip, int64_t *off) {
    int64_t n = 1, p[NB_MAXDIM] = {0}, cur = 0;
    for (int d = 0; d < ndim; d++) n *= shape[d];
    for (int64_t k = 0; k < n; k++) {
        off[k] = cur;
        for (int d = ndim - 1; d >= 0; d--) { /* odometer: step the last dim, carry left */
            int64_t s = d == skip ? 0 : stride[d];
            if (++p[d] < shape[d]) {
                cur += s;
                break;
            }
            cur -= s * (p[d] - 1);
            p[d] = 0;
        }
    }
}

/* contiguous strides of a shape */
static void contiguous_strides(int ndim, const int64_t *shape, int64_t *st) {
    int64_t s = 1;
    for (int d = ndim - 1; d >= 0; d--) st[d] = s, s *= shape[d];
}

/* ==== index_select ===================================================================== */

/* index_select: out[o, j, i] = a[o, k_j, i]  (k = idx − 1, along dim);
 * dL/da[o, r, i] = Σ_{j : k_j = r} g[o, j, i]  (a scatter-add; repeated indices add up) */
static int index_select_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *a = n->in[0];
    const int dim = (int)n->iarg[0];
    const int64_t m = n->iarg[1], *k = n->extra;
    int64_t outer = 1, len = a->shape[dim], inner = 1;
    for (int d = 0; d < dim; d++) outer *= a->shape[d];
    for (int d = dim + 1; d < a->ndim; d++) inner *= a->shape[d];
    nb_tensor *gc = nb_is_contiguous(g) ? (nb_incref(g), g) : nb_contiguous_copy(g);
    nb_tensor *d = gc ? nb_zeros(a->ndim, a->shape) : NULL;
    if (!d) {
        nb_decref(gc);
        return -1;
    }
    const float *gs = nb_data(gc);
    float *ds = nb_data(d);
    /* g is (outer, m, inner), d is (outer, len, inner) */
    /* inner == 0: an empty tensor may still have 2^31 rows of nothing to walk */
#pragma omp parallel for schedule(static) if (outer * m * inner > NB_PAR_MIN && outer > 1)
    for (int64_t o = 0; o < (inner > 0 ? outer : 0); o++)
        for (int64_t j = 0; j < m; j++) {
            const float *src = gs + (o * m + j) * inner;
            float *dst = ds + (o * len + k[j]) * inner;
            for (int64_t i = 0; i < inner; i++) dst[i] += src[i];
        }
    nb_decref(gc);
    gin[0] = d;
    return 0;
}

nb_tensor *nb_index_select(nb_tensor *a, int dim, nb_tensor *idx) {
    char b1[128], b2[256];
    if ((dim = check_dim("index_select", a, dim)) < 0) return NULL;
    if (idx->ndim > 1)
        return nb_error("index_select: the index must be a 1-d tensor of positions, got shape %s",
                        shp(b1, idx));
    snprintf(b2, sizeof b2, "dimension %d of shape %s", dim + 1, shp(b1, a));
    int64_t *k = read_index("index_select", idx, a->shape[dim], "index", b2);
    if (!k) return NULL;
    const int64_t m = nb_numel(idx), len = a->shape[dim];
    int64_t shape[NB_MAXDIM], outer = 1, inner = 1;
    memcpy(shape, a->shape, sizeof(int64_t) * a->ndim);
    shape[dim] = m;
    for (int d = 0; d < dim; d++) outer *= a->shape[d];
    for (int d = dim + 1; d < a->ndim; d++) inner *= a->shape[d];
    nb_tensor *x = nb_is_contiguous(a) ? (nb_incref(a), a) : nb_contiguous_copy(a);
    nb_tensor *o = x ? nb_empty(a->ndim, shape) : NULL;
    if (!o) {
        nb_decref(x);
        free(k);
        return NULL;
    }
    const float *xs = nb_data(x);
    float *os = nb_data(o);
    /* x is (outer, len, inner), out is (outer, m, inner) */
#pragma omp parallel for schedule(static) if (outer * m * inner > NB_PAR_MIN)
    for (int64_t q = 0; q < (inner > 0 ? outer * m : 0); q++) {   /* empty: nothing to walk */
        const int64_t oi = q / m, j = q % m;
        if (inner == 1) os[q] = xs[oi * len + k[j]];
        else memcpy(os + q * inner, xs + (oi * len + k[j]) * inner, sizeof(float) * (size_t)inner);
    }
    nb_decref(x);
    nb_node *n = nb_attach(&o, "index_select", index_select_backward, 1, &a);
    if (n) {
        n->iarg[0] = dim;
        n->iarg[1] = m;
        n->extra = k;
    } else
        free(k);
    return o;
}

/* ==== gather =========================================================================== */

/* The checks gather and scatter_add share: same number of dims, idx no larger than a
 * except along dim. */
static int check_like(const char *op, const nb_tensor *a, int dim, const nb_tensor *idx,
                      const char *aname) {
    char b1[128], b2[128];
    if (idx->ndim != a->ndim)
        return nb_error("%s: the index has %d dims (shape %s) but %s has %d (shape %s); they "
                        "must have the same number", op, idx->ndim, shp(b1, idx), aname,
                        a->ndim, shp(b2, a)), -1;
    for (int d = 0; d < a->ndim; d++)
        if (d != dim && idx->shape[d] > a->shape[d])
            return nb_error("%s: index shape %s is larger than %s's shape %s in dimension %d "
                            "(%lld > %lld)", op, shp(b1, idx), aname, shp(b2, a), d + 1,
                            (long long)idx->shape[d], (long long)a->shape[d]), -1;
    return 0;
}

/* gather: out[p] = a[p with p_dim = k_p]  (k = idx − 1);
 * dL/da[q] = Σ_{p : (p with p_dim = k_p) = q} g[p]  (a scatter-add) */
static int gather_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *a = n->in[0];
    const int dim = (int)n->iarg[0], nd = a->ndim;
    const int64_t *k = n->extra, *ishape = n->iarg + 1;
    int64_t st[NB_MAXDIM], m = 1;
    for (int d = 0; d < nd; d++) m *= ishape[d];
    nb_tensor *d = nb_zeros(nd, a->shape);
    int64_t *off = d ? malloc(sizeof(int64_t) * (size_t)(m > 0 ? m : 1)) : NULL;
    nb_tensor *gc = off ? (nb_is_contiguous(g) ? (nb_incref(g), g) : nb_contiguous_copy(g)) : NULL;
    if (!gc) {
        nb_decref(d);
        free(off);
        return d && !off ? (nb_error("gather: out of memory"), -1) : -1;
    }
    contiguous_strides(nd, a->shape, st);
    offsets(nd, ishape, st, dim, off);
    const float *gs = nb_data(gc);
    float *ds = nb_data(d);
    /* g and k have idx's shape (m elements); d has a's shape, contiguous */
    for (int64_t p = 0; p < m; p++) ds[off[p] + k[p] * st[dim]] += gs[p];
    free(off);
    nb_decref(gc);
    gin[0] = d;
    return 0;
}

nb_tensor *nb_gather(nb_tensor *a, int dim, nb_tensor *idx) {
    char b1[128], b2[256];
    if ((dim = check_dim("gather", a, dim)) < 0) return NULL;
    if (check_like("gather", a, dim, idx, "the input")) return NULL;
    snprintf(b2, sizeof b2, "dimension %d of shape %s", dim + 1, shp(b1, a));
    int64_t *k = read_index("gather", idx, a->shape[dim], "index", b2);
    if (!k) return NULL;
    const int64_t m = nb_numel(idx);
    nb_tensor *o = nb_empty(idx->ndim, idx->shape);
    int64_t *off = o ? malloc(sizeof(int64_t) * (size_t)(m > 0 ? m : 1)) : NULL;
    if (!off) {
        nb_decref(o);
        free(k);
        return o ? nb_error("gather: out of memory") : NULL;
    }
    offsets(a->ndim, idx->shape, a->stride, dim, off);
    const float *xs = nb_data(a);
    float *os = nb_data(o);
    const int64_t sd = a->stride[dim];
    /* out and k have idx's shape (m elements); a is read through its own strides */
#pragma omp parallel for schedule(static) if (m > NB_PAR_MIN)
    for (int64_t p = 0; p < m; p++) os[p] = xs[off[p] + k[p] * sd];
    free(off);
    nb_node *n = nb_attach(&o, "gather", gather_backward, 1, &a);
    if (n) {
        n->iarg[0] = dim;
        memcpy(n->iarg + 1, idx->shape, sizeof(int64_t) * idx->ndim);
        n->extra = k;
    } else
        free(k);
    return o;
}

/* ==== scatter_add ====================================================================== */

/* scatter_add: out = a;  out[p with p_dim = k_p] += src[p] for each position p of idx.
 * dL/da = g;  dL/dsrc[p] = g[p with p_dim = k_p] for p inside idx's shape, else 0 */
static int scatter_add_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *src = n->in[1];
    if (n->needs[0]) nb_incref(gin[0] = g);
    if (!n->needs[1]) return 0;
    const int dim = (int)n->iarg[0], nd = src->ndim;
    const int64_t *k = n->extra, *ishape = n->iarg + 1;
    int64_t m = 1, sst[NB_MAXDIM];
    for (int d = 0; d < nd; d++) m *= ishape[d];
    nb_tensor *ds = nb_zeros(nd, src->shape);
    int64_t *og = ds ? malloc(sizeof(int64_t) * 2 * (size_t)(m > 0 ? m : 1)) : NULL;
    if (!og) {
        nb_decref(ds);
        return ds ? (nb_error("scatter_add: out of memory"), -1) : -1;
    }
    int64_t *os = og + (m > 0 ? m : 1);
    contiguous_strides(nd, src->shape, sst);
    offsets(nd, ishape, g->stride, dim, og); /* g has the output's (= a's) shape */
    offsets(nd, ishape, sst, -1, os);
    const float *gv = nb_data(g);
    float *dv = nb_data(ds);
    const int64_t sd = g->stride[dim];
    /* g has a's shape (strided), ds has src's shape; p runs over idx's shape */
    for (int64_t p = 0; p < m; p++) dv[os[p]] = gv[og[p] + k[p] * sd];
    free(og);
    gin[1] = ds;
    return 0;
}

nb_tensor *nb_scatter_add(nb_tensor *a, int dim, nb_tensor *idx, nb_tensor *src) {
    char b1[128], b2[256];
    if ((dim = check_dim("scatter_add", a, dim)) < 0) return NULL;
    if (check_like("scatter_add", a, dim, idx, "the input")) return NULL;
    if (src->ndim != idx->ndim)
        return nb_error("scatter_add: the source has %d dims (shape %s) but the index has %d "
                        "(shape %s); they must have the same number", src->ndim, shp(b1, src),
                        idx->ndim, shp(b2, idx));
    for (int d = 0; d < idx->ndim; d++)
        if (idx->shape[d] > src->shape[d])
            return nb_error("scatter_add: index shape %s is larger than the source's shape %s "
                            "in dimension %d", shp(b1, idx), shp(b2, src), d + 1);
    snprintf(b2, sizeof b2, "dimension %d of shape %s", dim + 1, shp(b1, a));
    int64_t *k = read_index("scatter_add", idx, a->shape[dim], "index", b2);
    if (!k) return NULL;
    const int64_t m = nb_numel(idx);
    nb_tensor *o = nb_contiguous_copy(a);
    int64_t *og = o ? malloc(sizeof(int64_t) * 2 * (size_t)(m > 0 ? m : 1)) : NULL;
    if (!og) {
        nb_decref(o);
        free(k);
        return o ? nb_error("scatter_add: out of memory") : NULL;
    }
    int64_t *os = og + (m > 0 ? m : 1);
    offsets(a->ndim, idx->shape, o->stride, dim, og);
    offsets(src->ndim, idx->shape, src->stride, -1, os);
    const float *sv = nb_data(src);
    float *ov = nb_data(o);
    const int64_t sd = o->stride[dim];
    /* out has a's shape (contiguous), src is read through its strides; p runs over idx */
    for (int64_t p = 0; p < m; p++) ov[og[p] + k[p] * sd] += sv[os[p]];
    free(og);
    nb_tensor *ins[2] = {a, src};
    nb_node *n = nb_attach(&o, "scatter_add", scatter_add_backward, 2, ins);
    if (n) {
        n->iarg[0] = dim;
        memcpy(n->iarg + 1, idx->shape, sizeof(int64_t) * idx->ndim);
        n->extra = k;
    } else
        free(k);
    return o;
}

/* ==== one_hot ========================================================================== */

nb_tensor *nb_one_hot(nb_tensor *idx, int64_t n) {
    char b1[128], what[64];
    if (idx->ndim >= NB_MAXDIM)
        return nb_error("one_hot: the index has %d dims (shape %s); at most %d", idx->ndim,
                        shp(b1, idx), NB_MAXDIM - 1);
    const int64_t m = nb_numel(idx);
    if (n <= 0) { /* as many classes as the largest one in idx */
        nb_tensor *c = nb_contiguous_copy(idx);
        if (!c) return NULL;
        const float *v = nb_data(c);
        float top = 0;
        for (int64_t p = 0; p < m; p++) top = v[p] > top ? v[p] : top;
        nb_decref(c);
        if (m == 0)
            return nb_error("one_hot: cannot infer the number of classes from an empty index; "
                            "pass it");
        if (!(top >= 1.0f && top < 1e9f))
            return nb_error("one_hot: the largest class is %g (classes are 1-based)", top);
        n = (int64_t)top;
    }
    snprintf(what, sizeof what, "%lld classes", (long long)n);
    int64_t *k = read_index("one_hot", idx, n, "class", what);
    if (!k) return NULL;
    int64_t shape[NB_MAXDIM];
    memcpy(shape, idx->shape, sizeof(int64_t) * idx->ndim);
    shape[idx->ndim] = n;
    nb_tensor *o = nb_zeros(idx->ndim + 1, shape);
    if (o) {
        float *ov = nb_data(o);
        /* k has idx's shape (m), out is (m, n) */
        for (int64_t p = 0; p < m; p++) ov[p * n + k[p]] = 1.0f;
    }
    free(k);
    return o;
}

/* ==== masked_fill ====================================================================== */

/* o = mask != 0 ? v : x  (x = a, or the gradient with v = 0 in the backward) */
static void k_masked_fill(int64_t n, float *o, int64_t so, const float *a, int64_t sa,
                          const float *b, int64_t sb, const void *ctx) {
    const float v = *(const float *)ctx;
    if (so == 1 && sa == 1 && sb == 1)
        for (int64_t i = 0; i < n; i++) o[i] = b[i] != 0.0f ? v : a[i];
    else
        for (int64_t i = 0; i < n; i++) o[i * so] = b[i * sb] != 0.0f ? v : a[i * sa];
}

/* masked_fill: out = a where mask = 0, v elsewhere;  dL/da = g where mask = 0, else 0
 * (summed back to a's shape by the engine when a was broadcast) */
static int masked_fill_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *mask = n->saved[0];
    int64_t sm[NB_MAXDIM];
    nb_tensor *d = nb_empty(g->ndim, g->shape);
    if (!d) return -1;
    const float zero = 0.0f;
    nb_broadcast_strides(mask, g->ndim, g->shape, sm);
    /* g, d have the output's shape; mask is broadcast to it */
    nb_run3(g->ndim, g->shape, nb_data(d), d->stride, nb_data(g), g->stride, nb_data(mask), sm,
            k_masked_fill, &zero);
    gin[0] = d;
    return 0;
}

nb_tensor *nb_masked_fill(nb_tensor *a, nb_tensor *mask, double v) {
    int64_t shape[NB_MAXDIM], sa[NB_MAXDIM], sm[NB_MAXDIM];
    int nd = nb_broadcast_shape("masked_fill", a->ndim, a->shape, mask->ndim, mask->shape, shape);
    if (nd < 0) return NULL;
    nb_tensor *o = nb_empty(nd, shape);
    if (!o) return NULL;
    const float fv = (float)v;
    nb_broadcast_strides(a, nd, shape, sa);
    nb_broadcast_strides(mask, nd, shape, sm);
    /* out has the broadcast shape; a and mask are broadcast to it */
    nb_run3(nd, shape, nb_data(o), o->stride, nb_data(a), sa, nb_data(mask), sm, k_masked_fill, &fv);
    nb_node *n = nb_attach(&o, "masked_fill", masked_fill_backward, 1, &a);
    if (n) nb_incref(n->saved[0] = mask);
    return o;
}

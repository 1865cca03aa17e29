/* Views and shape ops. A view shares its input's storage (only shape, strides and offset
 * change); its backward maps the gradient back to the input's geometry. */
#include "shape.h"

#include <stdlib.h>
#include <string.h>

#include "impl.h"

/* ---- view / reshape ------------------------------------------------------------------ */

/* Fills in a -1 in shape from the number of elements; checks the total. */
static int infer_shape(const char *op, const nb_tensor *a, int ndim, const int64_t *in,
                       int64_t *out) {
    int64_t known = 1;
    int infer = -1;
    char b1[128], b2[128];
    if (ndim > NB_MAXDIM) {
        nb_error("%s: %d dimensions (at most %d)", op, ndim, NB_MAXDIM);
        return -1;
    }
    for (int i = 0; i < ndim; i++) {
        out[i] = in[i];
        if (in[i] == -1) {
            if (infer >= 0) {
                nb_error("%s: only one dimension can be -1", op);
                return -1;
            }
            infer = i;
        } else if (in[i] < 0) {
            nb_error("%s: invalid size %lld in shape %s", op, (long long)in[i],
                     nb_shape_str(b1, sizeof b1, ndim, in));
            return -1;
        }
    }
    /* the known sizes alone must make a valid shape (checked product, at most 2^40) */
    int64_t kn[NB_MAXDIM];
    for (int i = 0; i < ndim; i++) kn[i] = in[i] == -1 ? 1 : in[i];
    known = nb_shape_numel(ndim, kn);
    if (known < 0) {
        nb_error("%s: shape %s is too large (more than 2^40 elements)", op,
                 nb_shape_str(b1, sizeof b1, ndim, in));
        return -1;
    }
    int64_t n = nb_numel(a);
    if (infer >= 0) {
        if (known == 0 || n % known) {
            nb_error("%s: shape %s is invalid for a tensor of shape %s (%lld elements)", op,
                     nb_shape_str(b1, sizeof b1, ndim, in), shp(b2, a), (long long)n);
            return -1;
        }
        out[infer] = n / known;
    } else if (known != n) {
        nb_error("%s: shape %s is invalid for a tensor of shape %s (%lld elements)", op,
                 nb_shape_str(b1, sizeof b1, ndim, in), shp(b2, a), (long long)n);
        return -1;
    }
    return 0;
}

/* Strides for viewing a (shape, stride) as newshape without a copy, or false
 * (PyTorch's computeStride: dims are grouped into contiguous chunks). */
static bool view_strides(const nb_tensor *a, int nd, const int64_t *ns, int64_t *out) {
    if (a->ndim == 0 || nb_numel(a) == 0) {
        int64_t s = 1;
        for (int i = nd - 1; i >= 0; i--) {
            out[i] = s;
            s *= ns[i] ? ns[i] : 1;
        }
        return true;
    }
    int view_d = nd - 1;
    int64_t chunk = a->stride[a->ndim - 1], tn = 1, vn = 1;
    for (int d = a->ndim - 1; d >= 0; d--) {
        tn *= a->shape[d];
        if (d == 0 || (a->shape[d - 1] != 1 && a->stride[d - 1] != tn * chunk)) {
            while (view_d >= 0 && (vn < tn || ns[view_d] == 1)) {
                out[view_d] = vn * chunk;
                vn *= ns[view_d];
                view_d--;
            }
            if (vn != tn) return false;
            if (d > 0) {
                chunk = a->stride[d - 1];
                tn = vn = 1;
            }
        }
    }
    return view_d == -1;
}

/* view/reshape: out has a's elements in a new shape;  dL/da = reshape(g, shape of a) */
static int reshape_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *a = n->in[0];
    return (gin[0] = nb_reshape(g, a->ndim, a->shape)) ? 0 : -1;
}

nb_tensor *nb_view(nb_tensor *a, int ndim, const int64_t *shape) {
    int64_t ns[NB_MAXDIM], st[NB_MAXDIM];
    if (infer_shape("view", a, ndim, shape, ns)) return NULL;
    if (!view_strides(a, ndim, ns, st)) {
        char b1[128], b2[128];
        return nb_error("view: shape %s is not compatible with the strides of a tensor of shape "
                        "%s (it is not contiguous); use reshape, or contiguous() first",
                        nb_shape_str(b1, sizeof b1, ndim, ns), shp(b2, a));
    }
    nb_tensor *o = nb_view_raw(a, ndim, ns, st, a->offset);
    nb_attach(&o, "view", reshape_backward, 1, &a);
    return o;
}

nb_tensor *nb_reshape(nb_tensor *a, int ndim, const int64_t *shape) {
    int64_t ns[NB_MAXDIM], st[NB_MAXDIM];
    if (infer_shape("reshape", a, ndim, shape, ns)) return NULL;
    if (view_strides(a, ndim, ns, st)) {
        nb_tensor *o = nb_view_raw(a, ndim, ns, st, a->offset);
        nb_attach(&o, "reshape", reshape_backward, 1, &a);
        return o;
    }
    nb_tensor *c = nb_contiguous_copy(a);
    if (!c) return NULL;
    c->ndim = ndim;
    memcpy(c->shape, ns, sizeof(int64_t) * ndim);
    int64_t s = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        c->stride[i] = s;
        s *= ns[i];
    }
    nb_attach(&c, "reshape", reshape_backward, 1, &a);
    return c;
}

nb_tensor *nb_flatten(nb_tensor *a, int start, int end) {
    if (a->ndim == 0) {
        int64_t one = 1;
        return nb_reshape(a, 1, &one);
    }
    if (start > end) return nb_error("flatten: start dim %d is after end dim %d", start + 1, end + 1);
    int64_t ns[NB_MAXDIM];
    int k = 0;
    for (int i = 0; i < start; i++) ns[k++] = a->shape[i];
    int64_t m = 1;
    for (int i = start; i <= end; i++) m *= a->shape[i];
    ns[k++] = m;
    for (int i = end + 1; i < a->ndim; i++) ns[k++] = a->shape[i];
    return nb_reshape(a, k, ns);
}

/* ---- transpose / permute --------------------------------------------------------------- */

/* transpose: dL/da = transpose(g) over the same two dims */
static int transpose_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = nb_transpose(g, (int)n->iarg[0], (int)n->iarg[1])) ? 0 : -1;
}
nb_tensor *nb_transpose(nb_tensor *a, int d0, int d1) {
    if ((d0 = nb_dim("transpose", d0, a->ndim, false)) < 0) return NULL;
    if ((d1 = nb_dim("transpose", d1, a->ndim, false)) < 0) return NULL;
    int64_t sh[NB_MAXDIM], st[NB_MAXDIM];
    memcpy(sh, a->shape, sizeof sh);
    memcpy(st, a->stride, sizeof st);
    sh[d0] = a->shape[d1], sh[d1] = a->shape[d0];
    st[d0] = a->stride[d1], st[d1] = a->stride[d0];
    nb_tensor *o = nb_view_raw(a, a->ndim, sh, st, a->offset);
    nb_node *n = nb_attach(&o, "transpose", transpose_backward, 1, &a);
    if (n) {
        n->iarg[0] = d0;
        n->iarg[1] = d1;
    }
    return o;
}

/* permute: out dim i is a's dim perm[i];  dL/da = permute(g, inverse of perm) */
static int permute_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    int inv[NB_MAXDIM];
    for (int i = 0; i < g->ndim; i++) inv[n->iarg[i]] = i;
    return (gin[0] = nb_permute(g, inv)) ? 0 : -1;
}
nb_tensor *nb_permute(nb_tensor *a, const int *perm) {
    int64_t sh[NB_MAXDIM], st[NB_MAXDIM];
    bool seen[NB_MAXDIM] = {0};
    for (int i = 0; i < a->ndim; i++) {
        int p = perm[i];
        if (p < 0 || p >= a->ndim || seen[p])
            return nb_error("permute: the dims must be a permutation of 1..%d", a->ndim);
        seen[p] = true;
        sh[i] = a->shape[p];
        st[i] = a->stride[p];
    }
    nb_tensor *o = nb_view_raw(a, a->ndim, sh, st, a->offset);
    nb_node *n = nb_attach(&o, "permute", permute_backward, 1, &a);
    if (n)
        for (int i = 0; i < a->ndim; i++) n->iarg[i] = perm[i];
    return o;
}

/* ---- copies ------------------------------------------------------------------------------ */

/* clone/contiguous: a copy;  dL/da = g */
static int copy_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_incref(gin[0] = g);
    return 0;
}
nb_tensor *nb_clone(nb_tensor *a) {
    nb_tensor *o = nb_contiguous_copy(a);
    nb_attach(&o, "clone", copy_backward, 1, &a);
    return o;
}
nb_tensor *nb_contiguous(nb_tensor *a) {
    if (nb_is_contiguous(a)) {
        nb_incref(a);
        return a;
    }
    nb_tensor *o = nb_contiguous_copy(a);
    nb_attach(&o, "contiguous", copy_backward, 1, &a);
    return o;
}
nb_tensor *nb_detach(nb_tensor *a) { return nb_alias(a); }

/* ---- squeeze / unsqueeze / expand ---------------------------------------------------------- */

nb_tensor *nb_squeeze(nb_tensor *a, int dim) {
    int64_t sh[NB_MAXDIM];
    int k = 0;
    if (dim >= 0 && (dim = nb_dim("squeeze", dim, a->ndim, false)) < 0) return NULL;
    for (int i = 0; i < a->ndim; i++)
        if (!(a->shape[i] == 1 && (dim < 0 || dim == i))) sh[k++] = a->shape[i];
    return nb_view(a, k, sh);
}

nb_tensor *nb_unsqueeze(nb_tensor *a, int dim) {
    if ((dim = nb_dim("unsqueeze", dim, a->ndim, true)) < 0) return NULL;
    if (a->ndim >= NB_MAXDIM) return nb_error("unsqueeze: a tensor has at most %d dims", NB_MAXDIM);
    int64_t sh[NB_MAXDIM];
    for (int i = 0, k = 0; i <= a->ndim; i++) sh[i] = i == dim ? 1 : a->shape[k++];
    return nb_view(a, a->ndim + 1, sh);
}

/* expand: broadcast size-1 dims without copying (stride 0);
 * dL/da = g summed over the expanded dims (the engine's nb_sum_to does it) */
static int expand_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_incref(gin[0] = g);
    return 0;
}
nb_tensor *nb_expand(nb_tensor *a, int ndim, const int64_t *shape) {
    char b1[128], b2[128];
    if (ndim < a->ndim || ndim > NB_MAXDIM)
        return nb_error("expand: cannot expand a tensor of shape %s to %s", shp(b1, a),
                        nb_shape_str(b2, sizeof b2, ndim, shape));
    int64_t sh[NB_MAXDIM], st[NB_MAXDIM];
    int off = ndim - a->ndim;
    for (int i = 0; i < ndim; i++) {
        int j = i - off;
        int64_t want = shape[i];
        if (j < 0) {
            if (want < 0)
                return nb_error("expand: -1 is not allowed for a new leading dimension");
            sh[i] = want, st[i] = 0;
        } else if (want == -1 || want == a->shape[j]) {
            sh[i] = a->shape[j], st[i] = a->stride[j];
        } else if (a->shape[j] == 1 && want >= 0) {
            sh[i] = want, st[i] = 0;
        } else
            return nb_error("expand: cannot expand a tensor of shape %s to %s (dimension %d: "
                            "%lld ≠ %lld and it is not 1)",
                            shp(b1, a), nb_shape_str(b2, sizeof b2, ndim, shape), i + 1,
                            (long long)a->shape[j], (long long)want);
    }
    if (nb_shape_numel(ndim, sh) < 0)
        return nb_error("expand: shape %s is too large (more than 2^40 elements)",
                        nb_shape_str(b2, sizeof b2, ndim, shape));
    nb_tensor *o = nb_view_raw(a, ndim, sh, st, a->offset);
    nb_attach(&o, "expand", expand_backward, 1, &a);
    return o;
}

/* ---- select / slice ---------------------------------------------------------------------- */

/* select and slice are views; their gradient is g at the same place in a tensor of a's
 * shape, 0 elsewhere: dL/da = g there. The engine adds g straight into that region of a's
 * gradient (select_region); select_backward, which builds the zero tensor, is used when
 * backward is inspected node by node. */
static nb_tensor *select_region(nb_node *n, nb_tensor *full) {
    int dim = (int)n->iarg[0];
    return n->iarg[3] == 0 ? nb_select(full, dim, n->iarg[1])
                           : nb_slice(full, dim, n->iarg[1], n->iarg[2], n->iarg[3]);
}
static int select_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *a = n->in[0];
    nb_tensor *z = nb_zeros(a->ndim, a->shape);
    if (!z) return -1;
    nb_tensor *part = select_region(n, z);
    int rc = part ? nb_copy_(part, g) : -1;
    nb_decref(part);
    if (rc) {
        nb_decref(z);
        return -1;
    }
    gin[0] = z;
    return 0;
}

nb_tensor *nb_select(nb_tensor *a, int dim, int64_t i) {
    char b1[128];
    if (a->ndim == 0) return nb_error("select: cannot index a 0-d tensor");
    if ((dim = nb_dim("select", dim, a->ndim, false)) < 0) return NULL;
    if (i < 0 || i >= a->shape[dim])
        return nb_error("index: position %lld is out of range for dimension %d of size %lld "
                        "(shape %s; positions are 1..%lld)",
                        (long long)i + 1, dim + 1, (long long)a->shape[dim], shp(b1, a),
                        (long long)a->shape[dim]);
    int64_t sh[NB_MAXDIM], st[NB_MAXDIM];
    for (int k = 0, j = 0; k < a->ndim; k++)
        if (k != dim) sh[j] = a->shape[k], st[j++] = a->stride[k];
    nb_tensor *o = nb_view_raw(a, a->ndim - 1, sh, st, a->offset + i * a->stride[dim]);
    nb_node *n = nb_attach(&o, "select", select_backward, 1, &a);
    if (n) {
        n->iarg[0] = dim;
        n->iarg[1] = i;
        n->iarg[3] = 0;
        n->region = select_region;
    }
    return o;
}

nb_tensor *nb_slice(nb_tensor *a, int dim, int64_t start, int64_t stop, int64_t step) {
    char b1[128];
    if ((dim = nb_dim("slice", dim, a->ndim, false)) < 0) return NULL;
    if (step <= 0) return nb_error("slice: step must be positive, got %lld", (long long)step);
    int64_t n = a->shape[dim];
    if (start < 0) start = 0;
    if (stop > n) stop = n;
    if (start > n)
        return nb_error("slice: start %lld is past the end of dimension %d (size %lld, shape %s)",
                        (long long)start + 1, dim + 1, (long long)n, shp(b1, a));
    /* no stop - start + step - 1: a huge step would overflow it */
    int64_t len = stop > start ? (stop - start - 1) / step + 1 : 0;
    int64_t sh[NB_MAXDIM], st[NB_MAXDIM];
    memcpy(sh, a->shape, sizeof sh);
    memcpy(st, a->stride, sizeof st);
    sh[dim] = len;
    /* with one element or none the step never moves (and may be as large as int64_t) */
    if (len > 1 && !nb_mul_ok(a->stride[dim], step, &st[dim]))
        return nb_error("slice: step %lld is too large", (long long)step);
    nb_tensor *o = nb_view_raw(a, a->ndim, sh, st, a->offset + start * a->stride[dim]);
    nb_node *nd = nb_attach(&o, "slice", select_backward, 1, &a);
    if (nd) {
        nd->iarg[0] = dim;
        nd->iarg[1] = start;
        nd->iarg[2] = stop;
        nd->iarg[3] = step;
        nd->region = select_region;
    }
    return o;
}

/* ---- cat / stack ------------------------------------------------------------------------- */

/* cat: inputs side by side along dim;  dL/d(input k) = the slice of g it came from */
static int cat_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    int dim = (int)n->iarg[0];
    int64_t start = 0;
    for (int k = 0; k < n->nin; k++) {
        int64_t len = n->in[k]->shape[dim];
        if (n->needs[k] && !(gin[k] = nb_slice(g, dim, start, start + len, 1))) return -1;
        start += len;
    }
    return 0;
}

nb_tensor *nb_cat(int n, nb_tensor *const *ts, int dim) {
    char b1[128], b2[128];
    if (n <= 0) return nb_error("cat: expected a non-empty list of tensors");
    const nb_tensor *t0 = ts[0];
    if (t0->ndim == 0) return nb_error("cat: zero-dimensional tensors cannot be concatenated");
    if ((dim = nb_dim("cat", dim, t0->ndim, false)) < 0) return NULL;
    int64_t sh[NB_MAXDIM];
    memcpy(sh, t0->shape, sizeof sh);
    sh[dim] = 0;
    for (int k = 0; k < n; k++) {
        const nb_tensor *t = ts[k];
        bool ok = t->ndim == t0->ndim;
        for (int i = 0; ok && i < t->ndim; i++)
            if (i != dim && t->shape[i] != t0->shape[i]) ok = false;
        if (!ok)
            return nb_error("cat: tensor %d has shape %s, tensor 1 has %s (all dims but %d must "
                            "match)", k + 1, shp(b1, t), shp(b2, t0), dim + 1);
        sh[dim] += t->shape[dim];
    }
    nb_tensor *o = nb_empty(t0->ndim, sh);
    if (!o) return NULL;
    int64_t start = 0;
    for (int k = 0; k < n; k++) {
        nb_tensor *part = nb_view_raw(o, o->ndim, o->shape, o->stride,
                                      o->offset + start * o->stride[dim]);
        if (!part) {
            nb_decref(o);
            return NULL;
        }
        part->shape[dim] = ts[k]->shape[dim];
        nb_copy_(part, ts[k]);
        nb_decref(part);
        start += ts[k]->shape[dim];
    }
    nb_node *nd = nb_attach(&o, "cat", cat_backward, n, ts);
    if (nd) nd->iarg[0] = dim;
    return o;
}

nb_tensor *nb_stack(int n, nb_tensor *const *ts, int dim) {
    char b1[128], b2[128];
    if (n <= 0) return nb_error("stack: expected a non-empty list of tensors");
    if ((dim = nb_dim("stack", dim, ts[0]->ndim, true)) < 0) return NULL;
    for (int k = 1; k < n; k++)
        if (!nb_same_shape(ts[k], ts[0]))
            return nb_error("stack: tensor %d has shape %s, tensor 1 has %s (all must match)",
                            k + 1, shp(b1, ts[k]), shp(b2, ts[0]));
    nb_tensor **us = malloc(sizeof(nb_tensor *) * n);
    if (!us) return nb_error("stack: out of memory");
    int k = 0;
    for (; k < n; k++)
        if (!(us[k] = nb_unsqueeze(ts[k], dim))) break;
    nb_tensor *o = k == n ? nb_cat(n, us, dim) : NULL;
    for (int j = 0; j < k; j++) nb_decref(us[j]);
    free(us);
    return o;
}

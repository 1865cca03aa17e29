/* Reductions and softmax. Each op: its kernel, its forward, and right below, its backward
 * with the derivative in a comment.
 *
 * Every kernel sees its input as a contiguous (outer, n, inner) block: n is the reduced
 * dim, outer the product of the dims before it, inner the product of the dims after it
 * (a full reduction is outer = inner = 1, n = numel). Its result is contiguous
 * (outer, inner), which is the output's layout with or without keepdim. A strided input
 * (transposed, permuted, sliced) is first copied to contiguous: one pass, then the fast
 * loops; a transposed or permuted (but dense) input needs no copy: its dims are reordered
 * by stride into a contiguous view and the same dim is reduced there (reduce_run). Two loop
 * orders, so that memory is always read in order:
 *  - inner == 1 (the last dim, or all elements): each output is one contiguous row;
 *  - inner > 1: the rows x[o, r, :] are walked in order of r, accumulating a block of
 *    BLK inner positions at once (this loop vectorises).
 * Sums accumulate in double. */
#include "reduce.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"
#include "vmath.h"

#define ALL (-100)  /* "dim" of a full reduction (never a valid dim, even negative) */
#define BLK 256   /* inner positions handled at once by the inner > 1 loops */
/* Elements above which a kernel runs on several threads. A sum costs well under a
 * nanosecond per element, so a fork/join only pays on large inputs; an exp costs several. */
#define PAR_SUM (1 << 17)
#define PAR_EXP 4096

typedef struct {
    int64_t outer, n, inner;
} geom;


/* The (outer, n, inner) geometry of reducing a over dim (ALL: every element). */
static geom geometry(const nb_tensor *a, int dim) {
    geom g = {1, 1, 1};
    if (dim == ALL) {
        g.n = nb_numel(a);
        return g;
    }
    for (int k = 0; k < dim; k++) g.outer *= a->shape[k];
    g.n = a->shape[dim];
    for (int k = dim + 1; k < a->ndim; k++) g.inner *= a->shape[k];
    return g;
}

/* The result's shape: a's without dim (size 1 with keepdim); 0-d for ALL. */
static int out_shape(const nb_tensor *a, int dim, bool keepdim, int64_t *shape) {
    if (dim == ALL) return 0;
    int nd = 0;
    for (int k = 0; k < a->ndim; k++)
        if (k != dim) shape[nd++] = a->shape[k];
        else if (keepdim) shape[nd++] = 1;
    return nd;
}

/* A dim argument normalised (negative counts from the end); a 0-d tensor accepts 0 and -1
 * and is reduced whole, as in PyTorch. Returns -2 after an error. */
static int norm_dim(const char *op, const nb_tensor *a, int dim) {
    if (a->ndim == 0) {
        if (dim == 0 || dim == -1) return ALL;
        nb_error("%s: dimension %d out of range for a 0-d tensor", op, dim >= 0 ? dim + 1 : dim);
        return -2;
    }
    int d = dim < 0 ? dim + a->ndim : dim;
    if (d < 0 || d >= a->ndim) {
        char b[128];
        nb_error("%s: dimension %d out of range for a %d-d tensor of shape %s (use 1..%d or "
                 "-1..-%d)", op, dim >= 0 ? dim + 1 : dim, a->ndim, shp(b, a), a->ndim, a->ndim);
        return -2;
    }
    return d;
}

/* Max/min/argmax have no value for an empty reduction. */
static int check_nonempty(const char *op, const nb_tensor *a, int dim, geom G) {
    if (G.n > 0) return 0;
    char b[128];
    if (dim == ALL) nb_error("%s: cannot reduce an empty tensor (shape %s)", op, shp(b, a));
    else nb_error("%s: cannot reduce over dimension %d of size 0 (shape %s)", op, dim + 1, shp(b, a));
    return -1;
}

/* a's values as a contiguous block, without a copy when a is a permutation of a dense
 * tensor (a transpose, a permute): its dims sorted by stride, largest first, then viewed.
 * x's dim k is a's dim perm[k]. Returns a new reference. */
static nb_tensor *dense_input(nb_tensor *a, int *perm) {
    for (int k = 0; k < a->ndim; k++) perm[k] = k;
    if (nb_is_contiguous(a)) {
        nb_incref(a);
        return a;
    }
    for (int k = 1; k < a->ndim; k++) /* stable insertion sort by stride, descending */
        for (int j = k; j > 0 && a->stride[perm[j]] > a->stride[perm[j - 1]]; j--) {
            int t = perm[j];
            perm[j] = perm[j - 1], perm[j - 1] = t;
        }
    int64_t sh[NB_MAXDIM], st[NB_MAXDIM];
    for (int k = 0; k < a->ndim; k++) sh[k] = a->shape[perm[k]], st[k] = a->stride[perm[k]];
    nb_tensor *v = nb_view_raw(a, a->ndim, sh, st, a->offset);
    if (!v || nb_is_contiguous(v)) return v;
    nb_decref(v);
    for (int k = 0; k < a->ndim; k++) perm[k] = k;
    return nb_contiguous_copy(a);
}

/* A reduction kernel: x is (outer, n, inner) contiguous; each outs[i] is (outer, inner). */
typedef void (*reduce_fn)(const float *x, geom G, float *const *outs, const void *arg);

/* Runs k over a reduced along dim (ALL: everything), into nout new tensors of the result's
 * shape (outs[i] receive new references). positional: the kernel returns positions, which
 * for ALL must count in a's own row-major order (so a is not reordered then).
 * Returns 0, or -1 after an error. */
static int reduce_run(nb_tensor *a, int dim, bool keepdim, reduce_fn k, const void *arg,
                      int nout, nb_tensor **outs, bool positional) {
    int64_t shape[NB_MAXDIM];
    int nd = out_shape(a, dim, keepdim, shape), perm[NB_MAXDIM];
    for (int i = 0; i < nout; i++) outs[i] = NULL;
    for (int j = 0; j < a->ndim; j++) perm[j] = j;
    nb_tensor *x = dim == ALL && positional ? contig(a) : dense_input(a, perm);
    if (!x) return -1;
    int xdim = dim;
    if (dim != ALL)
        for (int j = 0; j < a->ndim; j++)
            if (perm[j] == dim) xdim = j;
    /* do the kept dims come out of x in a's order? (always, unless a was permuted) */
    bool inorder = true;
    for (int j = 0, last = -1; dim != ALL && j < a->ndim; j++)
        if (j != xdim) {
            if (perm[j] < last) inorder = false;
            last = perm[j];
        }
    int64_t tshape[NB_MAXDIM], tst[NB_MAXDIM];
    int tnd = inorder ? nd : out_shape(x, xdim, false, tshape);
    float *data[4];
    nb_tensor *tmp[4] = {0};
    int rc = 0;
    for (int i = 0; i < nout && !rc; i++) {
        outs[i] = nb_empty(nd, shape);
        if (!outs[i] || (!inorder && !(tmp[i] = nb_empty(tnd, tshape)))) rc = -1;
        else data[i] = nb_data(inorder ? outs[i] : tmp[i]);
    }
    const geom G = geometry(x, xdim);
    /* no output elements: nothing to compute (an empty tensor may still have 2^31 rows) */
    if (!rc && G.outer * G.inner > 0) k(nb_data(x), G, data, arg);
    if (!rc && !inorder) {
        /* tmp holds the kept dims in x's order: view it in a's order, copy it out */
        int64_t vst[NB_MAXDIM];
        int64_t step = 1;
        for (int j = tnd - 1; j >= 0; j--) tst[j] = step, step *= tshape[j];
        for (int m = 0, o = 0; m < a->ndim; m++) {
            if (m == dim) {
                if (keepdim) vst[o++] = 0;
                continue;
            }
            int j = 0;
            while (perm[j] != m) j++;
            vst[o++] = tst[j > xdim ? j - 1 : j];
        }
        for (int i = 0; i < nout && !rc; i++) {
            nb_tensor *v = nb_view_raw(tmp[i], nd, shape, vst, 0);
            rc = v ? nb_copy_(outs[i], v) : -1;
            nb_decref(v);
        }
    }
    for (int i = 0; i < nout; i++) nb_decref(tmp[i]);
    nb_decref(x);
    if (rc)
        for (int i = 0; i < nout; i++) nb_decref(outs[i]), outs[i] = NULL;
    return rc;
}

/* Attaches the node for out = op(a) (reducing over dim) when gradients are wanted.
 * Returns the node (to fill saved[]), or NULL when none was made; *out becomes NULL on
 * failure. */
static nb_node *record(nb_tensor **out, const char *op, nb_backward_fn bw, nb_tensor *a,
                       int dim, bool keepdim, double arg) {
    nb_node *n = nb_attach(out, op, bw, 1, &a);
    if (!n) return NULL;
    n->iarg[0] = dim;
    n->iarg[1] = keepdim;
    n->farg[0] = arg;
    return n;
}

/* saved[i] = an alias of out (saving out itself would be a cycle) */
static nb_tensor *save_out(nb_tensor *out, nb_node *n, int i) {
    if (!n) return out;
    if (!(n->saved[i] = nb_alias(out))) {
        nb_decref(out);
        return NULL;
    }
    return out;
}

/* ==== sum, mean ======================================================================== */

/* x is (outer, n, inner) contiguous, out is (outer, inner):  out = scale · Σ_r x[:, r, :] */
static void sum_kernel(const float *x, float *out, geom G, double scale) {
    const int64_t outer = G.outer, n = G.n, inner = G.inner, total = outer * n * inner;
    const int nt = omp_get_max_threads();
    if (inner == 1) {
        if (total <= PAR_SUM) {
            /* small: no parallel region at all (even an if(false) one costs ~1 µs) */
            for (int64_t o = 0; o < outer; o++) {
                const float *p = x + o * n;
                double s = 0;
#pragma omp simd reduction(+ : s)
                for (int64_t r = 0; r < n; r++) s += p[r];
                out[o] = (float)(s * scale);
            }
        } else if (outer >= nt) {
            /* one contiguous row of n per output */
#pragma omp parallel for schedule(static)
            for (int64_t o = 0; o < outer; o++) {
                const float *p = x + o * n;
                double s = 0;
#pragma omp simd reduction(+ : s)
                for (int64_t r = 0; r < n; r++) s += p[r];
                out[o] = (float)(s * scale);
            }
        } else {
            /* few long rows: split each row between threads */
            for (int64_t o = 0; o < outer; o++) {
                const float *p = x + o * n;
                double s = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : s)
                for (int64_t r = 0; r < n; r++) s += p[r];
                out[o] = (float)(s * scale);
            }
        }
        return;
    }
    const int64_t nblk = (inner + BLK - 1) / BLK, tasks = outer * nblk;
    if (tasks >= nt || total <= PAR_SUM) {
        /* each task: BLK inner positions of one outer index, summed down the n rows */
#pragma omp parallel for schedule(static) if (total > PAR_SUM)
        for (int64_t t = 0; t < tasks; t++) {
            const int64_t o = t / nblk, i0 = (t % nblk) * BLK;
            const int64_t len = inner - i0 < BLK ? inner - i0 : BLK;
            double acc[BLK];
            for (int64_t i = 0; i < len; i++) acc[i] = 0;
            for (int64_t r = 0; r < n; r++) {
                const float *p = x + (o * n + r) * inner + i0;
#pragma omp simd
                for (int64_t i = 0; i < len; i++) acc[i] += p[i];
            }
            for (int64_t i = 0; i < len; i++) out[o * inner + i0 + i] = (float)(acc[i] * scale);
        }
        return;
    }
    /* few, tall blocks (e.g. (100000, 8) summed over rows): each thread sums a range of
     * rows into its own (outer, inner) partial; the partials are added in thread order */
    double *part = calloc((size_t)nt * outer * inner, sizeof(double));
    if (!part) { /* no memory for partials: do it on one thread */
        for (int64_t o = 0; o < outer; o++)
            for (int64_t i = 0; i < inner; i++) {
                double s = 0;
                for (int64_t r = 0; r < n; r++) s += x[(o * n + r) * inner + i];
                out[o * inner + i] = (float)(s * scale);
            }
        return;
    }
#pragma omp parallel num_threads(nt)
    {
        double *acc = part + (size_t)omp_get_thread_num() * outer * inner;
#pragma omp for schedule(static)
        for (int64_t r = 0; r < n; r++)
            for (int64_t o = 0; o < outer; o++) {
                const float *p = x + (o * n + r) * inner;
                double *a = acc + o * inner;
#pragma omp simd
                for (int64_t i = 0; i < inner; i++) a[i] += p[i];
            }
    }
    for (int64_t k = 0; k < outer * inner; k++) {
        double s = 0;
        for (int t = 0; t < nt; t++) s += part[(size_t)t * outer * inner + k];
        out[k] = (float)(s * scale);
    }
    free(part);
}

/* gin is (outer, n, inner), g is (outer, inner):  gin[o, r, i] = scale · g[o, i] */
static void spread_kernel(const float *g, float *gin, geom G, float scale) {
    const int64_t outer = G.outer, n = G.n, inner = G.inner;
    /* an empty tensor has nothing to fill, though its other dims may be huge (a [2^31, 0]
     * view looped 2^31 times here: fuzz_ops found it as a timeout) */
    if (outer == 0 || n == 0 || inner == 0) return;
    if (inner == 1) { /* each output's gradient fills a contiguous row of n */
        if (outer * n <= PAR_SUM || outer == 1) { /* small: no parallel region */
            for (int64_t o = 0; o < outer; o++) {
                const float v = scale * g[o];
                float *d = gin + o * n;
                for (int64_t r = 0; r < n; r++) d[r] = v;
            }
            return;
        }
#pragma omp parallel for schedule(static)
        for (int64_t o = 0; o < outer; o++) {
            const float v = scale * g[o];
            float *d = gin + o * n;
            for (int64_t r = 0; r < n; r++) d[r] = v;
        }
        return;
    }
#pragma omp parallel for collapse(2) schedule(static) if (outer * n * inner > PAR_SUM)
    for (int64_t o = 0; o < outer; o++)
        for (int64_t r = 0; r < n; r++) {
            const float *s = g + o * inner;
            float *d = gin + (o * n + r) * inner;
            for (int64_t i = 0; i < inner; i++) d[i] = scale * s[i];
        }
}

/* sum: out = Σ_r a_r;  dL/da_r = g  (the upstream gradient repeated along the summed dim)
 * mean: out = Σ_r a_r / N;  dL/da_r = g / N */
static int sum_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *a = n->in[0];
    geom G = geometry(a, (int)n->iarg[0]);
    nb_tensor *gc = contig(g), *d = gc ? nb_empty(a->ndim, a->shape) : NULL;
    if (!d) {
        nb_decref(gc);
        return -1;
    }
    spread_kernel(nb_data(gc), nb_data(d), G, (float)n->farg[0]);
    nb_decref(gc);
    gin[0] = d;
    return 0;
}

/* arg: {scale, is_mean} */
static void sum_run(const float *x, geom G, float *const *outs, const void *arg) {
    const double *sm = arg;
    if (G.n == 0) /* the sum of nothing is 0, its mean NaN (as in PyTorch) */
        for (int64_t k = 0; k < G.outer * G.inner; k++) outs[0][k] = sm[1] ? NAN : 0.0f;
    else sum_kernel(x, outs[0], G, sm[0]);
}

static nb_tensor *sum_impl(const char *op, nb_tensor *a, int dim, bool keepdim, bool mean) {
    if (dim != ALL && (dim = norm_dim(op, a, dim)) == -2) return NULL;
    geom G = geometry(a, dim);
    double arg[2] = {mean ? 1.0 / (double)G.n : 1.0, mean};
    nb_tensor *o;
    if (reduce_run(a, dim, keepdim, sum_run, arg, 1, &o, false)) return NULL;
    record(&o, op, sum_backward, a, dim, keepdim, arg[0]);
    return o;
}

nb_tensor *nb_sum(nb_tensor *a) { return sum_impl("sum", a, ALL, false, false); }
nb_tensor *nb_sum_dim(nb_tensor *a, int dim, bool keepdim) {
    return sum_impl("sum", a, dim, keepdim, false);
}
nb_tensor *nb_mean(nb_tensor *a) { return sum_impl("mean", a, ALL, false, true); }
nb_tensor *nb_mean_dim(nb_tensor *a, int dim, bool keepdim) {
    return sum_impl("mean", a, dim, keepdim, true);
}

/* ==== var, std ========================================================================= */

/* Line l of x (outer, n, inner) is x[o, :, i] with o = l / inner, i = l % inner: n values
 * inner apart. The kernels below that are less hot than sum and softmax walk lines. */
#define LINE(x, G, l) ((x) + ((l) / (G).inner) * (G).n * (G).inner + (l) % (G).inner)

/* mean of one line: Σ_r p[r·s] / n */
static double line_mean(const float *p, int64_t n, int64_t s) {
    double m = 0;
    if (s == 1) {
#pragma omp simd reduction(+ : m)
        for (int64_t r = 0; r < n; r++) m += p[r];
    } else
        for (int64_t r = 0; r < n; r++) m += p[r * s];
    return m / (double)n;
}

/* x is (outer, n, inner), var is (outer, inner):
 * var = Σ_r (x_r − mean)² / (n − correction)   (two passes: the mean, then the squares) */
static void var_kernel(const float *x, float *var, geom G, int correction, bool sd) {
    const int64_t lines = G.outer * G.inner, n = G.n, s = G.inner;
    const double denom = (double)n - correction > 0 ? (double)n - correction : 0.0;
    if (lines == 1 && n > PAR_SUM) { /* one long line: both passes in parallel */
        double m = 0, ss = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : m)
        for (int64_t r = 0; r < n; r++) m += x[r];
        m /= (double)n;
#pragma omp parallel for simd schedule(static) reduction(+ : ss)
        for (int64_t r = 0; r < n; r++) ss += ((double)x[r] - m) * ((double)x[r] - m);
        var[0] = (float)(sd ? sqrt(ss / denom) : ss / denom);
        return;
    }
#pragma omp parallel for schedule(static) if (lines * n > PAR_SUM)
    for (int64_t l = 0; l < lines; l++) {
        const float *p = LINE(x, G, l);
        double m = line_mean(p, n, s), ss = 0;
        for (int64_t r = 0; r < n; r++) ss += ((double)p[r * s] - m) * ((double)p[r * s] - m);
        var[l] = (float)(sd ? sqrt(ss / denom) : ss / denom);
    }
}

/* var: v = Σ (x_r − μ)² / (N − c);  dL/dx_r = g · 2 (x_r − μ) / (N − c)
 *      (the μ-terms cancel: Σ_r (x_r − μ) = 0)
 * std: σ = √v;  dL/dx_r = g · (x_r − μ) / ((N − c) σ) */
static int var_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *a = n->in[0];
    geom G = geometry(a, (int)n->iarg[0]);
    const bool sd = n->iarg[2];
    const double denom = (double)G.n - n->farg[0] > 0 ? (double)G.n - n->farg[0] : 0.0;
    nb_tensor *x = contig(a), *gc = contig(g), *d = nb_empty(a->ndim, a->shape);
    if (!x || !gc || !d) {
        nb_decref(x), nb_decref(gc), nb_decref(d);
        return -1;
    }
    const float *xs = nb_data(x), *gs = nb_data(gc), *sig = sd ? nb_data(n->saved[0]) : NULL;
    float *ds = nb_data(d);
    const int64_t lines = G.outer * G.inner, N = G.n, s = G.inner;
    /* x, d are (outer, n, inner); g, σ are (outer, inner) */
#pragma omp parallel for schedule(static) if (lines * N > PAR_SUM)
    for (int64_t l = 0; l < lines; l++) {
        const float *p = LINE(xs, G, l);
        float *q = LINE(ds, G, l);
        double m = line_mean(p, N, s);
        double k = sd ? gs[l] / (denom * sig[l]) : 2.0 * gs[l] / denom;
        for (int64_t r = 0; r < N; r++) q[r * s] = (float)(k * ((double)p[r * s] - m));
    }
    nb_decref(x), nb_decref(gc);
    gin[0] = d;
    return 0;
}

static void var_run(const float *x, geom G, float *const *outs, const void *arg) {
    const int *c = arg;
    if (G.n == 0)
        for (int64_t k = 0; k < G.outer * G.inner; k++) outs[0][k] = NAN;
    else var_kernel(x, outs[0], G, c[0], c[1]);
}

static nb_tensor *var_impl(const char *op, nb_tensor *a, int dim, int correction, bool keepdim,
                           bool sd) {
    if (dim != ALL && (dim = norm_dim(op, a, dim)) == -2) return NULL;
    if (correction < 0) return nb_error("%s: correction must be 0 or more, got %d", op, correction);
    int arg[2] = {correction, sd};
    nb_tensor *o;
    if (reduce_run(a, dim, keepdim, var_run, arg, 1, &o, false)) return NULL;
    nb_node *n = record(&o, op, var_backward, a, dim, keepdim, correction);
    if (n) n->iarg[2] = sd;
    return sd ? save_out(o, n, 0) : o;
}

nb_tensor *nb_var(nb_tensor *a, int correction) {
    return var_impl("var", a, ALL, correction, false, false);
}
nb_tensor *nb_var_dim(nb_tensor *a, int dim, int correction, bool keepdim) {
    return var_impl("var", a, dim, correction, keepdim, false);
}
nb_tensor *nb_std(nb_tensor *a, int correction) {
    return var_impl("std", a, ALL, correction, false, true);
}
nb_tensor *nb_std_dim(nb_tensor *a, int dim, int correction, bool keepdim) {
    return var_impl("std", a, dim, correction, keepdim, true);
}

/* ==== prod ============================================================================= */

/* x is (outer, n, inner), out is (outer, inner):  out = Π_r x[:, r, :] (in double) */
static void prod_kernel(const float *x, geom G, float *const *outs, const void *arg) {
    float *out = outs[0];
    const int64_t lines = G.outer * G.inner, n = G.n, s = G.inner;
#pragma omp parallel for schedule(static) if (lines * n > PAR_SUM)
    for (int64_t l = 0; l < lines; l++) {
        const float *p = LINE(x, G, l);
        double v = 1;
        for (int64_t r = 0; r < n; r++) v *= p[r * s];
        out[l] = (float)v;
    }
}

/* prod: P = Π_r x_r;  dL/dx_r = g · Π_{j≠r} x_j
 * (= g · P / x_r when no x is zero; with one zero at z only x_z gets g · Π_{j≠z} x_j; with
 * two or more zeros every product of the others is zero) */
static int prod_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *a = n->in[0];
    geom G = geometry(a, (int)n->iarg[0]);
    nb_tensor *x = contig(a), *gc = contig(g), *d = nb_empty(a->ndim, a->shape);
    if (!x || !gc || !d) {
        nb_decref(x), nb_decref(gc), nb_decref(d);
        return -1;
    }
    const float *xs = nb_data(x), *gs = nb_data(gc);
    float *ds = nb_data(d);
    const int64_t lines = G.outer * G.inner, N = G.n, s = G.inner;
    /* x, d are (outer, n, inner); g is (outer, inner) */
#pragma omp parallel for schedule(static) if (lines * N > PAR_SUM)
    for (int64_t l = 0; l < lines; l++) {
        const float *p = LINE(xs, G, l);
        float *q = LINE(ds, G, l);
        double others = 1; /* product of the non-zero values */
        int64_t zeros = 0, z = -1;
        for (int64_t r = 0; r < N; r++)
            if (p[r * s] == 0.0f) zeros++, z = r;
            else others *= p[r * s];
        for (int64_t r = 0; r < N; r++)
            q[r * s] = zeros == 0   ? (float)(gs[l] * others / p[r * s])
                       : zeros == 1 && r == z ? (float)(gs[l] * others)
                                              : 0.0f;
    }
    nb_decref(x), nb_decref(gc);
    gin[0] = d;
    return 0;
}

static nb_tensor *prod_impl(nb_tensor *a, int dim, bool keepdim) {
    if (dim != ALL && (dim = norm_dim("prod", a, dim)) == -2) return NULL;
    nb_tensor *o;
    if (reduce_run(a, dim, keepdim, prod_kernel, NULL, 1, &o, false)) return NULL;
    record(&o, "prod", prod_backward, a, dim, keepdim, 0);
    return o;
}

nb_tensor *nb_prod(nb_tensor *a) { return prod_impl(a, ALL, false); }
nb_tensor *nb_prod_dim(nb_tensor *a, int dim, bool keepdim) { return prod_impl(a, dim, keepdim); }

/* ==== max, min, argmax, argmin ========================================================= */

/* v beats the best so far b: larger (smaller for min); NaN beats any number, as PyTorch's
 * max/min propagate NaN. Ties keep the first. */
#define BEATS(is_max, v, b) (((is_max) ? (v) > (b) : (v) < (b)) || ((v) != (v) && (b) == (b)))

/* The first position of the max (min) of a contiguous run p[0..n): a vectorised pass for
 * the value (and whether there is a NaN, which wins), then a scan for its first place. */
static int64_t run_best(const float *p, int64_t n, bool is_max) {
    float m = p[0];
    int nan = 0;
    if (is_max) {
#pragma omp simd reduction(max : m) reduction(| : nan)
        for (int64_t r = 0; r < n; r++) {
            m = p[r] > m ? p[r] : m;
            nan |= p[r] != p[r];
        }
    } else {
#pragma omp simd reduction(min : m) reduction(| : nan)
        for (int64_t r = 0; r < n; r++) {
            m = p[r] < m ? p[r] : m;
            nan |= p[r] != p[r];
        }
    }
    int64_t k = 0;
    if (nan) while (k < n && p[k] == p[k]) k++;
    else while (k < n && p[k] != m) k++;
    if (k < n) return k;
    /* m is not a value of the run: the reduction started from its identity, which some
     * compilers take as the lowest finite float, and every value was -inf (+inf for min;
     * found by tests/fuzz under clang). A plain scan then. */
    k = 0;
    for (int64_t r = 1; r < n; r++)
        if (BEATS(is_max, p[r], p[k])) k = r;
    return k;
}

/* x is (outer, n, inner), val and idx are (outer, inner):
 * val = max_r x[:, r, :], idx = 1 + the first r where it is reached */
static void extreme_kernel(const float *x, float *val, float *idx, geom G, bool is_max) {
    const int64_t outer = G.outer, n = G.n, inner = G.inner, total = outer * n * inner;
    const int nt = omp_get_max_threads();
    if (inner == 1 && outer < nt && total > PAR_SUM) {
        /* few long rows: each thread finds the best of a chunk; chunks are combined in
         * order, so the first position still wins ties */
        for (int64_t o = 0; o < outer; o++) {
            const float *p = x + o * n;
            int64_t best[64];
            int used = nt < 64 ? nt : 64;
#pragma omp parallel num_threads(used)
            {
                int t = omp_get_thread_num(), T = omp_get_num_threads();
                int64_t lo = n * t / T, hi = n * (t + 1) / T;
                best[t] = lo < hi ? lo + run_best(p + lo, hi - lo, is_max) : -1;
                if (t == 0) used = T;
            }
            int64_t k = 0;
            for (int t = 0; t < used; t++)
                if (best[t] >= 0 && BEATS(is_max, p[best[t]], p[k])) k = best[t];
            val[o] = p[k];
            idx[o] = (float)(k + 1);
        }
        return;
    }
    if (inner == 1) {
        /* one contiguous row per output */
#pragma omp parallel for schedule(static) if (total > PAR_SUM)
        for (int64_t o = 0; o < outer; o++) {
            const float *p = x + o * n;
            int64_t k = run_best(p, n, is_max);
            val[o] = p[k];
            idx[o] = (float)(k + 1);
        }
        return;
    }
    /* blocks of BLK inner positions, rows walked in order */
    const int64_t nblk = (inner + BLK - 1) / BLK, tasks = outer * nblk;
#pragma omp parallel for schedule(static) if (total > PAR_SUM)
    for (int64_t t = 0; t < tasks; t++) {
        const int64_t o = t / nblk, i0 = (t % nblk) * BLK;
        const int64_t len = inner - i0 < BLK ? inner - i0 : BLK;
        float b[BLK];
        int64_t k[BLK];
        const float *p0 = x + o * n * inner + i0;
        for (int64_t i = 0; i < len; i++) b[i] = p0[i], k[i] = 0;
        for (int64_t r = 1; r < n; r++) {
            const float *p = p0 + r * inner;
            for (int64_t i = 0; i < len; i++)
                if (BEATS(is_max, p[i], b[i])) b[i] = p[i], k[i] = r;
        }
        for (int64_t i = 0; i < len; i++) {
            val[o * inner + i0 + i] = b[i];
            idx[o * inner + i0 + i] = (float)(k[i] + 1);
        }
    }
}

static void extreme_run(const float *x, geom G, float *const *outs, const void *arg) {
    extreme_kernel(x, outs[0], outs[1], G, *(const bool *)arg);
}

/* max/min over a dim: v[o, i] = x[o, k[o, i], i];
 * dL/dx[o, r, i] = g[o, i] if r = k[o, i] (the chosen position), else 0 */
static int extreme_dim_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *a = n->in[0];
    geom G = geometry(a, (int)n->iarg[0]);
    nb_tensor *gc = contig(g), *d = gc ? nb_zeros(a->ndim, a->shape) : NULL;
    if (!d) {
        nb_decref(gc);
        return -1;
    }
    const float *gs = nb_data(gc), *ks = nb_data(n->saved[0]);
    float *ds = nb_data(d);
    /* g, k are (outer, inner); d is (outer, n, inner); inner == 0: nothing to walk */
    for (int64_t o = 0; o < (G.inner > 0 ? G.outer : 0); o++)
        for (int64_t i = 0; i < G.inner; i++) {
            int64_t r = (int64_t)ks[o * G.inner + i] - 1;
            if (r < 0 || r >= G.n) { /* the indices tensor was changed in place */
                nb_decref(gc), nb_decref(d);
                nb_error("%s backward: the indices it returned were modified in place", n->op);
                return -1;
            }
            ds[(o * G.n + r) * G.inner + i] = gs[o * G.inner + i];
        }
    nb_decref(gc);
    gin[0] = d;
    return 0;
}

/* max/min of all elements: m = max_j x_j;  dL/dx_j = g / T where x_j = m (T ties), else 0
 * (the gradient is shared evenly between ties, as PyTorch's full max does) */
static int extreme_all_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *a = n->in[0];
    nb_tensor *x = contig(a), *d = x ? nb_empty(a->ndim, a->shape) : NULL;
    if (!d) {
        nb_decref(x);
        return -1;
    }
    const float m = nb_item(n->saved[0]), gv = nb_item(g);
    const float *xs = nb_data(x);
    float *ds = nb_data(d);
    const int64_t N = nb_numel(a);
    const bool nan = m != m;
    int64_t ties = 0;
    /* x, d are (N) */
#pragma omp parallel for simd schedule(static) reduction(+ : ties) if (N > PAR_SUM)
    for (int64_t j = 0; j < N; j++) ties += xs[j] == m || (nan && xs[j] != xs[j]);
    const float share = gv / (float)ties;
#pragma omp parallel for simd schedule(static) if (N > PAR_SUM)
    for (int64_t j = 0; j < N; j++) ds[j] = (xs[j] == m || (nan && xs[j] != xs[j])) ? share : 0.0f;
    nb_decref(x);
    gin[0] = d;
    return 0;
}

/* the values and/or 1-based indices of the max (min) of a over dim (ALL: everything) */
static int extreme_impl(const char *op, nb_tensor *a, int dim, bool keepdim, bool is_max,
                        nb_tensor **values, nb_tensor **indices) {
    if (values) *values = NULL;
    if (indices) *indices = NULL;
    if (dim != ALL && (dim = norm_dim(op, a, dim)) == -2) return -1;
    geom G = geometry(a, dim);
    if (check_nonempty(op, a, dim, G)) return -1;
    nb_tensor *vk[2];
    if (reduce_run(a, dim, keepdim, extreme_run, &is_max, 2, vk, true)) return -1;
    nb_tensor *v = vk[0], *k = vk[1];
    if (!values) {
        nb_decref(v);
        v = NULL;
    }
    if (v) {
        nb_node *n = record(&v, op, dim == ALL ? extreme_all_backward : extreme_dim_backward, a,
                            dim, keepdim, 0);
        if (n) {
            if (dim == ALL) v = save_out(v, n, 0);
            else nb_incref(n->saved[0] = k);
        }
        if (!v) {
            nb_decref(k);
            return -1;
        }
    }
    if (values) *values = v;
    if (indices) *indices = k;
    else nb_decref(k);
    return 0;
}

nb_tensor *nb_max(nb_tensor *a) {
    nb_tensor *v;
    return extreme_impl("max", a, ALL, false, true, &v, NULL) ? NULL : v;
}
nb_tensor *nb_min(nb_tensor *a) {
    nb_tensor *v;
    return extreme_impl("min", a, ALL, false, false, &v, NULL) ? NULL : v;
}
int nb_max_dim(nb_tensor *a, int dim, bool keepdim, nb_tensor **values, nb_tensor **indices) {
    return extreme_impl("max", a, dim, keepdim, true, values, indices);
}
int nb_min_dim(nb_tensor *a, int dim, bool keepdim, nb_tensor **values, nb_tensor **indices) {
    return extreme_impl("min", a, dim, keepdim, false, values, indices);
}
nb_tensor *nb_argmax(nb_tensor *a) {
    nb_tensor *k;
    return extreme_impl("argmax", a, ALL, false, true, NULL, &k) ? NULL : k;
}
nb_tensor *nb_argmin(nb_tensor *a) {
    nb_tensor *k;
    return extreme_impl("argmin", a, ALL, false, false, NULL, &k) ? NULL : k;
}
nb_tensor *nb_argmax_dim(nb_tensor *a, int dim, bool keepdim) {
    nb_tensor *k;
    return extreme_impl("argmax", a, dim, keepdim, true, NULL, &k) ? NULL : k;
}
nb_tensor *nb_argmin_dim(nb_tensor *a, int dim, bool keepdim) {
    nb_tensor *k;
    return extreme_impl("argmin", a, dim, keepdim, false, NULL, &k) ? NULL : k;
}

/* ==== logsumexp ======================================================================== */

/* x is (outer, n, inner), out is (outer, inner):
 * out = m + log Σ_r exp(x_r − m), m = max_r x_r (so no exp overflows); all −∞ gives −∞ */
static void logsumexp_kernel(const float *x, geom G, float *const *outs, const void *arg) {
    float *out = outs[0];
    const int64_t lines = G.outer * G.inner, n = G.n, s = G.inner;
#pragma omp parallel for schedule(static) if (lines * n > PAR_EXP)
    for (int64_t l = 0; l < lines; l++) {
        const float *p = LINE(x, G, l);
        float m = -INFINITY;
        for (int64_t r = 0; r < n; r++) m = p[r * s] > m || p[r * s] != p[r * s] ? p[r * s] : m;
        if (isinf(m) || m != m) {
            out[l] = m;
            continue;
        }
        float e = 0;
#pragma omp simd reduction(+ : e)
        for (int64_t r = 0; r < n; r++) e += nb_vexpf(p[r * s] - m);
        out[l] = m + logf(e);
    }
}

/* logsumexp: y = log Σ_r exp(x_r);  dL/dx_r = g · exp(x_r − y)  (= g · softmax(x)_r) */
static int logsumexp_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *a = n->in[0];
    geom G = geometry(a, (int)n->iarg[0]);
    nb_tensor *x = contig(a), *gc = contig(g), *d = nb_empty(a->ndim, a->shape);
    if (!x || !gc || !d) {
        nb_decref(x), nb_decref(gc), nb_decref(d);
        return -1;
    }
    const float *xs = nb_data(x), *gs = nb_data(gc), *ys = nb_data(n->saved[0]);
    float *ds = nb_data(d);
    const int64_t lines = G.outer * G.inner, N = G.n, s = G.inner;
    /* x, d are (outer, n, inner); g, y are (outer, inner) */
#pragma omp parallel for schedule(static) if (lines * N > PAR_EXP)
    for (int64_t l = 0; l < lines; l++) {
        const float *p = LINE(xs, G, l);
        float *q = LINE(ds, G, l);
        const float y = ys[l], gl = gs[l];
        for (int64_t r = 0; r < N; r++) q[r * s] = isinf(y) ? 0.0f : gl * nb_vexpf(p[r * s] - y);
    }
    nb_decref(x), nb_decref(gc);
    gin[0] = d;
    return 0;
}

static nb_tensor *logsumexp_impl(nb_tensor *a, int dim, bool keepdim) {
    if (dim != ALL && (dim = norm_dim("logsumexp", a, dim)) == -2) return NULL;
    nb_tensor *o;
    if (reduce_run(a, dim, keepdim, logsumexp_kernel, NULL, 1, &o, false)) return NULL;
    nb_node *n = record(&o, "logsumexp", logsumexp_backward, a, dim, keepdim, 0);
    return save_out(o, n, 0);
}

nb_tensor *nb_logsumexp(nb_tensor *a) { return logsumexp_impl(a, ALL, false); }
nb_tensor *nb_logsumexp_dim(nb_tensor *a, int dim, bool keepdim) {
    return logsumexp_impl(a, dim, keepdim);
}

/* ==== norm ============================================================================= */

/* x is (outer, n, inner), out is (outer, inner):  out = (Σ_r |x_r|^p)^(1/p);
 * p = ∞: max_r |x_r| */
static void norm_kernel(const float *x, geom G, float *const *outs, const void *arg) {
    float *out = outs[0];
    const double p = *(const double *)arg;
    const int64_t lines = G.outer * G.inner, n = G.n, s = G.inner;
#pragma omp parallel for schedule(static) if (lines * n > PAR_SUM)
    for (int64_t l = 0; l < lines; l++) {
        const float *q = LINE(x, G, l);
        double acc = 0;
        if (p == 2) {
            if (s == 1) {
#pragma omp simd reduction(+ : acc)
                for (int64_t r = 0; r < n; r++) acc += (double)q[r] * q[r];
            } else
                for (int64_t r = 0; r < n; r++) acc += (double)q[r * s] * q[r * s];
            acc = sqrt(acc);
        } else if (p == 1) {
            for (int64_t r = 0; r < n; r++) acc += fabsf(q[r * s]);
        } else if (isinf(p)) {
            for (int64_t r = 0; r < n; r++) acc = fabsf(q[r * s]) > acc ? fabsf(q[r * s]) : acc;
        } else {
            for (int64_t r = 0; r < n; r++) acc += pow(fabsf(q[r * s]), p);
            acc = pow(acc, 1.0 / p);
        }
        out[l] = (float)acc;
    }
}

/* norm: ‖x‖_p = (Σ |x_r|^p)^(1/p);  dL/dx_r = g · sign(x_r) |x_r|^(p−1) / ‖x‖^(p−1)
 *   p = 2: g · x_r / ‖x‖;  p = 1: g · sign(x_r);
 *   p = ∞: g · sign(x_r) / T where |x_r| = ‖x‖ (T ties), else 0.
 * Where ‖x‖ = 0 the gradient is 0 (as PyTorch). */
static int norm_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *a = n->in[0];
    geom G = geometry(a, (int)n->iarg[0]);
    const double p = n->farg[0];
    nb_tensor *x = contig(a), *gc = contig(g), *d = nb_empty(a->ndim, a->shape);
    if (!x || !gc || !d) {
        nb_decref(x), nb_decref(gc), nb_decref(d);
        return -1;
    }
    const float *xs = nb_data(x), *gs = nb_data(gc), *ns = nb_data(n->saved[0]);
    float *ds = nb_data(d);
    const int64_t lines = G.outer * G.inner, N = G.n, s = G.inner;
    /* x, d are (outer, n, inner); g, ‖x‖ are (outer, inner) */
#pragma omp parallel for schedule(static) if (lines * N > PAR_SUM)
    for (int64_t l = 0; l < lines; l++) {
        const float *q = LINE(xs, G, l);
        float *e = LINE(ds, G, l);
        const double nrm = ns[l], gl = gs[l];
        if (nrm == 0) {
            for (int64_t r = 0; r < N; r++) e[r * s] = 0.0f;
        } else if (p == 2) {
            for (int64_t r = 0; r < N; r++) e[r * s] = (float)(gl * q[r * s] / nrm);
        } else if (p == 1) {
            for (int64_t r = 0; r < N; r++)
                e[r * s] = q[r * s] > 0 ? (float)gl : q[r * s] < 0 ? (float)-gl : 0.0f;
        } else if (isinf(p)) {
            int64_t ties = 0;
            for (int64_t r = 0; r < N; r++) ties += fabsf(q[r * s]) == (float)nrm;
            for (int64_t r = 0; r < N; r++)
                e[r * s] = fabsf(q[r * s]) == (float)nrm
                               ? (float)(q[r * s] > 0 ? gl / ties : -gl / ties)
                               : 0.0f;
        } else {
            const double c = gl / pow(nrm, p - 1);
            for (int64_t r = 0; r < N; r++) {
                double v = q[r * s];
                e[r * s] = v == 0 ? 0.0f : (float)(c * (v > 0 ? 1 : -1) * pow(fabs(v), p - 1));
            }
        }
    }
    nb_decref(x), nb_decref(gc);
    gin[0] = d;
    return 0;
}

static nb_tensor *norm_impl(nb_tensor *a, double p, int dim, bool keepdim) {
    if (!(p > 0)) return nb_error("norm: p must be positive (or inf), got %g", p);
    if (dim != ALL && (dim = norm_dim("norm", a, dim)) == -2) return NULL;
    nb_tensor *o;
    if (reduce_run(a, dim, keepdim, norm_kernel, &p, 1, &o, false)) return NULL;
    nb_node *n = record(&o, "norm", norm_backward, a, dim, keepdim, p);
    return save_out(o, n, 0);
}

nb_tensor *nb_norm(nb_tensor *a, double p) { return norm_impl(a, p, ALL, false); }
nb_tensor *nb_norm_dim(nb_tensor *a, double p, int dim, bool keepdim) {
    return norm_impl(a, p, dim, keepdim);
}

/* ==== softmax, log_softmax ============================================================= */

/* x and y are (outer, n, inner), softmax along n, stable: subtract the max first.
 *   softmax:     y_r = exp(x_r − m) / Σ_j exp(x_j − m)
 *   log_softmax: y_r = x_r − m − log Σ_j exp(x_j − m) */
static void softmax_kernel(const float *x, float *y, geom G, bool log_) {
    const int64_t outer = G.outer, n = G.n, inner = G.inner, total = outer * n * inner;
    if (inner == 1) {
        /* the hot case, softmax over the last dim: one contiguous row of n per output */
#pragma omp parallel for schedule(static) if (total > PAR_EXP)
        for (int64_t o = 0; o < outer; o++) {
            const float *p = x + o * n;
            float *q = y + o * n;
            float m = -INFINITY;
#pragma omp simd reduction(max : m)
            for (int64_t r = 0; r < n; r++) m = p[r] > m ? p[r] : m;
            if (m == -INFINITY) m = 0; /* a row of −∞: exp gives 0s, the result NaN, as PyTorch */
            float s = 0;
            /* the simd reductions let the compiler use the vector expf of glibc's libmvec */
            if (log_) {
#pragma omp simd reduction(+ : s)
                for (int64_t r = 0; r < n; r++) s += nb_vexpf(p[r] - m);
                const float ls = logf(s); /* (x − m) − log s: m + log s would round at m */
                for (int64_t r = 0; r < n; r++) q[r] = (p[r] - m) - ls;
            } else {
#pragma omp simd reduction(+ : s)
                for (int64_t r = 0; r < n; r++) {
                    const float e = nb_vexpf(p[r] - m);
                    q[r] = e;
                    s += e;
                }
                const float inv = 1.0f / s;
                for (int64_t r = 0; r < n; r++) q[r] *= inv;
            }
        }
        return;
    }
    /* blocks of BLK inner positions; each pass walks the n rows in order */
    const int64_t nblk = (inner + BLK - 1) / BLK, tasks = outer * nblk;
#pragma omp parallel for schedule(static) if (total > PAR_EXP)
    for (int64_t t = 0; t < tasks; t++) {
        const int64_t o = t / nblk, i0 = (t % nblk) * BLK;
        const int64_t len = inner - i0 < BLK ? inner - i0 : BLK;
        const float *p0 = x + o * n * inner + i0;
        float *q0 = y + o * n * inner + i0;
        float m[BLK], s[BLK];
        for (int64_t i = 0; i < len; i++) m[i] = -INFINITY, s[i] = 0;
        for (int64_t r = 0; r < n; r++)
            for (int64_t i = 0; i < len; i++) m[i] = p0[r * inner + i] > m[i] ? p0[r * inner + i] : m[i];
        for (int64_t i = 0; i < len; i++) m[i] = m[i] == -INFINITY ? 0 : m[i];
        for (int64_t r = 0; r < n; r++) {
            const float *p = p0 + r * inner;
            float *q = q0 + r * inner;
            if (log_)
                for (int64_t i = 0; i < len; i++) s[i] += nb_vexpf(p[i] - m[i]);
            else
                for (int64_t i = 0; i < len; i++) s[i] += (q[i] = nb_vexpf(p[i] - m[i]));
        }
        if (log_) {
            for (int64_t i = 0; i < len; i++) s[i] = logf(s[i]);
            for (int64_t r = 0; r < n; r++)
                for (int64_t i = 0; i < len; i++)
                    q0[r * inner + i] = (p0[r * inner + i] - m[i]) - s[i];
        } else {
            for (int64_t i = 0; i < len; i++) s[i] = 1.0f / s[i];
            for (int64_t r = 0; r < n; r++)
                for (int64_t i = 0; i < len; i++) q0[r * inner + i] *= s[i];
        }
    }
}

/* softmax:     dx = y ⊙ (dy − Σ_r dy_r y_r)
 * log_softmax: dx = dy − softmax(x) ⊙ Σ_r dy_r,  softmax(x) = exp(y)
 * g, y, dx are (outer, n, inner), the sums run along n */
static void softmax_backward_kernel(const float *g, const float *y, float *dx, geom G, bool log_) {
    const int64_t outer = G.outer, n = G.n, inner = G.inner, total = outer * n * inner;
    if (inner == 1) {
#pragma omp parallel for schedule(static) if (total > PAR_EXP)
        for (int64_t o = 0; o < outer; o++) {
            const float *gp = g + o * n, *yp = y + o * n;
            float *d = dx + o * n;
            float s = 0;
            if (log_) {
#pragma omp simd reduction(+ : s)
                for (int64_t r = 0; r < n; r++) s += gp[r];
                for (int64_t r = 0; r < n; r++) d[r] = gp[r] - nb_vexpf(yp[r]) * s;
            } else {
#pragma omp simd reduction(+ : s)
                for (int64_t r = 0; r < n; r++) s += gp[r] * yp[r];
                for (int64_t r = 0; r < n; r++) d[r] = yp[r] * (gp[r] - s);
            }
        }
        return;
    }
    const int64_t nblk = (inner + BLK - 1) / BLK, tasks = outer * nblk;
#pragma omp parallel for schedule(static) if (total > PAR_EXP)
    for (int64_t t = 0; t < tasks; t++) {
        const int64_t o = t / nblk, i0 = (t % nblk) * BLK;
        const int64_t len = inner - i0 < BLK ? inner - i0 : BLK;
        const int64_t base = o * n * inner + i0;
        float s[BLK];
        for (int64_t i = 0; i < len; i++) s[i] = 0;
        for (int64_t r = 0; r < n; r++) {
            const float *gp = g + base + r * inner, *yp = y + base + r * inner;
            if (log_)
                for (int64_t i = 0; i < len; i++) s[i] += gp[i];
            else
                for (int64_t i = 0; i < len; i++) s[i] += gp[i] * yp[i];
        }
        for (int64_t r = 0; r < n; r++) {
            const float *gp = g + base + r * inner, *yp = y + base + r * inner;
            float *d = dx + base + r * inner;
            if (log_)
                for (int64_t i = 0; i < len; i++) d[i] = gp[i] - nb_vexpf(yp[i]) * s[i];
            else
                for (int64_t i = 0; i < len; i++) d[i] = yp[i] * (gp[i] - s[i]);
        }
    }
}

static int softmax_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *a = n->in[0];
    geom G = geometry(a, (int)n->iarg[0]);
    nb_tensor *gc = contig(g), *d = gc ? nb_empty(a->ndim, a->shape) : NULL;
    if (!d) {
        nb_decref(gc);
        return -1;
    }
    /* an empty tensor may still have 2^31 rows of nothing to walk */
    if (nb_numel(a) > 0) softmax_backward_kernel(nb_data(gc), nb_data(n->saved[0]), nb_data(d), G, n->iarg[2]);
    nb_decref(gc);
    gin[0] = d;
    return 0;
}

static nb_tensor *softmax_impl(const char *op, nb_tensor *a, int dim, bool log_) {
    if ((dim = norm_dim(op, a, dim)) == -2) return NULL;
    geom G = geometry(a, dim);
    nb_tensor *x = contig(a), *y = x ? nb_empty(a->ndim, a->shape) : NULL;
    if (!y) {
        nb_decref(x);
        return NULL;
    }
    if (nb_numel(a) > 0) softmax_kernel(nb_data(x), nb_data(y), G, log_);
    nb_decref(x);
    nb_node *n = record(&y, op, softmax_backward, a, dim, false, 0);
    if (n) n->iarg[2] = log_;
    return save_out(y, n, 0);
}

nb_tensor *nb_softmax(nb_tensor *a, int dim) { return softmax_impl("softmax", a, dim, false); }
nb_tensor *nb_log_softmax(nb_tensor *a, int dim) {
    return softmax_impl("log_softmax", a, dim, true);
}

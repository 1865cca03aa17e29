/* Matrix products: mm, bmm, matmul (dot, mv), outer, linear. Each forward computes with
 * nb_sgemm (src/ops/blas.c) straight from its inputs' strides; its backward, right below,
 * is two more products. For C = A·B:
 *     dL/dA = dL/dC · Bᵀ        dL/dB = Aᵀ · dL/dC
 * (the transposes are views: a swap of two strides, never a copy).
 */
#include "matmul.h"

#include <stdlib.h>
#include <string.h>

#include "impl.h"
#include "blas.h"

/* ==== handing strided matrices to sgemm ================================================ */

/* How a (rows, cols) matrix with element strides (sr, sc) is read by nb_sgemm: as stored
 * (row-major, leading dimension ld) or transposed (stored column-major). */
typedef struct {
    bool trans;
    int64_t ld;
} gemm_layout;

/* false when neither stride is 1 (or rows overlap, or a stride is 0 from broadcasting):
 * then the caller copies the matrix to contiguous memory first. */
static bool layout_of(int64_t rows, int64_t cols, int64_t sr, int64_t sc, gemm_layout *l) {
    if ((cols == 1 || sc == 1) && (rows == 1 || sr >= cols)) {
        l->trans = false;
        l->ld = rows == 1 ? cols : sr;
        return true;
    }
    if ((rows == 1 || sr == 1) && (cols == 1 || sc >= rows)) {
        l->trans = true;
        l->ld = cols == 1 ? rows : sc;
        return true;
    }
    return false;
}

static int64_t prod(int n, const int64_t *s) {
    int64_t p = 1;
    for (int i = 0; i < n; i++) p *= s[i];
    return p;
}

/* Strides of t's batch dims (all but its last two) seen against the broadcast batch shape
 * bshape (nbd dims): 0 where t has no such dim or has size 1 there. */
static void batch_strides(const nb_tensor *t, int nbd, const int64_t *bshape, int64_t *st) {
    int tb = t->ndim - 2;
    for (int d = 0; d < nbd; d++) {
        int td = d - (nbd - tb);
        st[d] = (td >= 0 && t->shape[td] != 1 && bshape[d] != 1) ? t->stride[td] : 0;
    }
}

/* Can the batch dims and the row dim of t (batch..., rows, cols) be read as one tall matrix
 * of R = batch·rows rows, each sr apart? (True for a contiguous tensor, and for most views
 * that keep rows whole.) Batch dims missing from t, or broadcast in it, do not fold. */
static bool fold_rows(const nb_tensor *t, int nbd, const int64_t *bshape, int64_t *R,
                      int64_t *sr) {
    const int64_t rows = t->shape[t->ndim - 2];
    int64_t st = rows > 1 ? t->stride[t->ndim - 2] : -1, expect = rows > 1 ? rows * st : -1;
    for (int d = nbd - 1; d >= 0; d--) {
        if (bshape[d] == 1) continue;
        int td = d - (nbd - (t->ndim - 2));
        if (td < 0 || t->shape[td] == 1) return false;
        if (st < 0) { /* one row per matrix: the innermost batch dim sets the row stride */
            st = t->stride[td];
            expect = st;
        }
        if (t->stride[td] != expect) return false;
        expect *= bshape[d];
    }
    *R = rows * prod(nbd, bshape);
    *sr = st < 0 ? t->shape[t->ndim - 1] : st;
    return true;
}

/* batch entry e of gemm_nd: out[e] (M, N) = a[e] (M, K) · b[e] (K, N), entries found
 * through the batch strides sa, sb over the broadcast batch shape */
static void gemm_entry(int64_t e, int nbd, const int64_t *bshape, gemm_layout la,
                       gemm_layout lb, int64_t M, int64_t N, int64_t K, const float *pa,
                       const int64_t *sa, const float *pb, const int64_t *sb, float *out) {
    int64_t oa = 0, ob = 0, r = e;
    for (int d = nbd - 1; d >= 0; d--) { /* entry e as a batch multi-index */
        int64_t i = r % bshape[d];
        r /= bshape[d];
        oa += i * sa[d];
        ob += i * sb[d];
    }
    nb_sgemm(la.trans, lb.trans, M, N, K, 1.0f, pa + oa, la.ld, pb + ob, lb.ld, 0.0f,
             out + e * M * N, N);
}

/* out (bshape..., M, N), contiguous, = a (..., M, K) · b (..., K, N), one product per entry
 * of the broadcast batch shape bshape (nbd dims). a and b are at least 2-D. */
static int gemm_nd(const nb_tensor *a, const nb_tensor *b, int nbd, const int64_t *bshape,
                   float *out) {
    const int64_t M = a->shape[a->ndim - 2], K = a->shape[a->ndim - 1], N = b->shape[b->ndim - 1];
    const int64_t batch = prod(nbd, bshape);
    if (M == 0 || N == 0 || batch == 0) return 0;
    int64_t sa[NB_MAXDIM], sb[NB_MAXDIM];
    gemm_layout la, lb;

    /* b shared by every batch entry (x (B, T, K) · w (K, N)): one tall product (B·T, K)·(K, N) */
    batch_strides(b, nbd, bshape, sb);
    bool b_shared = true;
    for (int d = 0; d < nbd; d++) b_shared &= sb[d] == 0;
    int64_t R, sr;
    if (batch > 1 && b_shared && fold_rows(a, nbd, bshape, &R, &sr) &&
        layout_of(R, K, sr, a->stride[a->ndim - 1], &la) &&
        layout_of(K, N, b->stride[b->ndim - 2], b->stride[b->ndim - 1], &lb)) {
        nb_sgemm(la.trans, lb.trans, R, N, K, 1.0f, nb_data(a), la.ld, nb_data(b), lb.ld, 0.0f,
                 out, N);
        return 0;
    }

    /* copy only a matrix that neither way of reading can take */
    nb_tensor *ac = NULL, *bc = NULL;
    if (!layout_of(M, K, a->stride[a->ndim - 2], a->stride[a->ndim - 1], &la)) {
        if (!(ac = nb_contiguous_copy(a))) return -1;
        a = ac;
        layout_of(M, K, K, 1, &la);
    }
    if (!layout_of(K, N, b->stride[b->ndim - 2], b->stride[b->ndim - 1], &lb)) {
        if (!(bc = nb_contiguous_copy(b))) {
            nb_decref(ac);
            return -1;
        }
        b = bc;
        layout_of(K, N, N, 1, &lb);
    }
    batch_strides(a, nbd, bshape, sa);
    batch_strides(b, nbd, bshape, sb);
    const float *pa = nb_data(a), *pb = nb_data(b);
    /* many small products: spread the batch over the threads (the built-in small kernel
     * is reentrant; large products are parallel inside the BLAS instead). The test is
     * outside the pragma: even a parallel region with a false `if` costs a microsecond. */
    const bool par = M * N * K <= NB_SGEMM_SMALL && batch * M * N * K >= (1 << 16);
    if (par) {
#pragma omp parallel for schedule(static)
        for (int64_t e = 0; e < batch; e++)
            gemm_entry(e, nbd, bshape, la, lb, M, N, K, pa, sa, pb, sb, out);
    } else
        for (int64_t e = 0; e < batch; e++)
            gemm_entry(e, nbd, bshape, la, lb, M, N, K, pa, sa, pb, sb, out);
    nb_decref(ac);
    nb_decref(bc);
    return 0;
}

/* A view of t (same storage) with the given shape and strides. */
static nb_tensor *view(const nb_tensor *t, int nd, const int64_t *shape, const int64_t *stride) {
    return nb_view_raw(t, nd, shape, stride, t->offset);
}

/* tᵀ over the last two dims (a view) */
static nb_tensor *mT(const nb_tensor *t) {
    int64_t sh[NB_MAXDIM], st[NB_MAXDIM];
    int n = t->ndim;
    memcpy(sh, t->shape, sizeof(int64_t) * n);
    memcpy(st, t->stride, sizeof(int64_t) * n);
    sh[n - 2] = t->shape[n - 1], sh[n - 1] = t->shape[n - 2];
    st[n - 2] = t->stride[n - 1], st[n - 1] = t->stride[n - 2];
    return view(t, n, sh, st);
}

/* t with a size-1 dim inserted at position d (a view) */
static nb_tensor *unsqueeze_view(const nb_tensor *t, int d) {
    int64_t sh[NB_MAXDIM], st[NB_MAXDIM];
    for (int i = 0, j = 0; i <= t->ndim; i++) {
        if (i == d) {
            sh[i] = 1, st[i] = 0;
            continue;
        }
        sh[i] = t->shape[j], st[i] = t->stride[j];
        j++;
    }
    return view(t, t->ndim + 1, sh, st);
}

/* A new tensor out (oshape) holding a · b over broadcast batch dims: a (..., M, K),
 * b (..., K, N), at least 2-D, shapes already checked; the entries of out, in order, are
 * the (bshape..., M, N) products. oshape NULL means exactly (bshape..., M, N). */
static nb_tensor *product(const nb_tensor *a, const nb_tensor *b, int ondim,
                          const int64_t *oshape) {
    int64_t bshape[NB_MAXDIM], full[NB_MAXDIM];
    int nbd = nb_broadcast_shape("matmul", a->ndim - 2, a->shape, b->ndim - 2, b->shape, bshape);
    if (nbd < 0) return NULL;
    if (!oshape) {
        memcpy(full, bshape, sizeof(int64_t) * nbd);
        full[nbd] = a->shape[a->ndim - 2];
        full[nbd + 1] = b->shape[b->ndim - 1];
        ondim = nbd + 2, oshape = full;
    }
    nb_tensor *out = nb_empty(ondim, oshape);
    if (!out) return NULL;
    if (gemm_nd(a, b, nbd, bshape, nb_data(out))) {
        nb_decref(out);
        return NULL;
    }
    return out;
}

/* ==== matmul (and mm, bmm, dot, mv: the same product with stricter shapes) ============= */

/* a 1-D operand as a matrix: the first as a row (1, K), the second as a column (K, 1) */
static nb_tensor *as_matrix(const nb_tensor *t, bool first) {
    if (t->ndim != 1) return view(t, t->ndim, t->shape, t->stride);
    return unsqueeze_view(t, first ? 0 : 1);
}

static nb_tensor *matmul_forward(const char *op, nb_tensor *a, nb_tensor *b, nb_backward_fn bw);

/* C = A·B with A (..., M, K), B (..., K, N), batch dims broadcast:
 *     dL/dA = dL/dC · Bᵀ  (..., M, K)      dL/dB = Aᵀ · dL/dC  (..., K, N)
 * summed over the batch dims each input was broadcast along (the engine does that, except
 * for a B shared by every batch entry: then dL/dB is one tall product A_flatᵀ · G_flat).
 * A 1-D input was promoted to a row / column: its gradient drops that dim again. */
static int matmul_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *a = n->in[0], *b = n->in[1];
    nb_tensor *A = as_matrix(a, true), *B = as_matrix(b, false), *G = NULL;
    int rc = -1;
    if (!A || !B) goto done;
    /* G: the gradient with the promoted dims put back, (bshape..., M, N) */
    if (a->ndim == 1 && b->ndim == 1) {
        int64_t sh[2] = {1, 1}, st[2] = {1, 1};
        G = view(g, 2, sh, st);
    } else if (a->ndim == 1) G = unsqueeze_view(g, g->ndim - 1);
    else if (b->ndim == 1) G = unsqueeze_view(g, g->ndim);
    else G = view(g, g->ndim, g->shape, g->stride);
    if (!G) goto done;
    const int nbd = G->ndim - 2;
    if (n->needs[0]) { /* dA = G · Bᵀ */
        nb_tensor *Bt = mT(B);
        if (!Bt) goto done;
        int64_t sh[NB_MAXDIM];
        memcpy(sh, G->shape, sizeof(int64_t) * nbd);
        sh[nbd] = A->shape[A->ndim - 2], sh[nbd + 1] = A->shape[A->ndim - 1];
        /* a 1-D: (bshape..., K), which the engine sums to (K) */
        if (a->ndim == 1) sh[nbd] = sh[nbd + 1];
        gin[0] = product(G, Bt, a->ndim == 1 ? nbd + 1 : nbd + 2, sh);
        nb_decref(Bt);
        if (!gin[0]) goto done;
    }
    if (n->needs[1]) { /* dB = Aᵀ · G */
        const int64_t K = B->shape[B->ndim - 2], N = B->shape[B->ndim - 1];
        int64_t R, sr, sh[NB_MAXDIM];
        gemm_layout la, lg;
        if (B->ndim == 2 && nbd > 0 && fold_rows(A, nbd, G->shape, &R, &sr) &&
            layout_of(R, K, sr, A->stride[A->ndim - 1], &la) &&
            fold_rows(G, nbd, G->shape, &R, &sr) &&
            layout_of(R, N, sr, G->stride[G->ndim - 1], &lg)) {
            /* B shared by the batch: dB (K, N) = Σ_batch A_iᵀ G_i = A_flatᵀ (K, R) · G_flat (R, N) */
            int64_t oshape[2] = {K, N};
            if (!(gin[1] = nb_empty(b->ndim, oshape))) goto done;
            nb_sgemm(!la.trans, lg.trans, K, N, R, 1.0f, nb_data(A), la.ld, nb_data(G), lg.ld,
                     0.0f, nb_data(gin[1]), N);
        } else {
            nb_tensor *At = mT(A);
            if (!At) goto done;
            memcpy(sh, G->shape, sizeof(int64_t) * nbd);
            sh[nbd] = K, sh[nbd + 1] = N;
            /* b 1-D: (bshape..., K), which the engine sums to (K) */
            gin[1] = product(At, G, b->ndim == 1 ? nbd + 1 : nbd + 2, sh);
            nb_decref(At);
            if (!gin[1]) goto done;
        }
    }
    rc = 0;
done:
    nb_decref(A);
    nb_decref(B);
    nb_decref(G);
    return rc;
}

/* The shared forward: promotion of 1-D inputs, shape checks naming op, the product. */
static nb_tensor *matmul_forward(const char *op, nb_tensor *a, nb_tensor *b, nb_backward_fn bw) {
    char s1[128], s2[128];
    if (a->ndim == 0 || b->ndim == 0)
        return nb_error("%s: both arguments must be at least 1-D, got %s and %s", op, shp(s1, a),
                        shp(s2, b));
    const int64_t Ka = a->shape[a->ndim - 1], Kb = b->shape[b->ndim == 1 ? 0 : b->ndim - 2];
    if (Ka != Kb)
        return nb_error("%s: shapes %s and %s do not match (%lld ≠ %lld)", op, shp(s1, a),
                        shp(s2, b), (long long)Ka, (long long)Kb);
    /* batch dims: all but the last two of each (1-D and 2-D inputs have none) */
    const int na = a->ndim > 2 ? a->ndim - 2 : 0, nbb = b->ndim > 2 ? b->ndim - 2 : 0;
    const int nbd = na > nbb ? na : nbb;
    int64_t oshape[NB_MAXDIM + 1];
    for (int d = 0; d < nbd; d++) {
        int ia = d - (nbd - na), ib = d - (nbd - nbb);
        int64_t da = ia >= 0 ? a->shape[ia] : 1, db = ib >= 0 ? b->shape[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return nb_error("%s: batch dimensions of %s and %s cannot be broadcast "
                            "(%lld ≠ %lld)", op, shp(s1, a), shp(s2, b), (long long)da,
                            (long long)db);
        oshape[d] = da == 1 ? db : da;
    }
    int ond = nbd;
    if (a->ndim >= 2) oshape[ond++] = a->shape[a->ndim - 2];
    if (b->ndim >= 2) oshape[ond++] = b->shape[b->ndim - 1];
    nb_tensor *A = as_matrix(a, true), *B = as_matrix(b, false), *out = NULL;
    if (A && B) out = product(A, B, ond, oshape);
    nb_decref(A);
    nb_decref(B);
    nb_tensor *ins[2] = {a, b};
    nb_attach(&out, op, bw, 2, ins);
    return out;
}

nb_tensor *nb_matmul(nb_tensor *a, nb_tensor *b) {
    return matmul_forward("matmul", a, b, matmul_backward);
}

/* mm: (M, K) · (K, N); backward as matmul's: dA = G·Bᵀ, dB = Aᵀ·G */
nb_tensor *nb_mm(nb_tensor *a, nb_tensor *b) {
    char s1[128], s2[128];
    if (a->ndim != 2 || b->ndim != 2)
        return nb_error("mm: expected 2-D tensors, got %s and %s", shp(s1, a), shp(s2, b));
    return matmul_forward("mm", a, b, matmul_backward);
}

/* bmm: (B, M, K) · (B, K, N), no broadcasting; backward per batch entry as mm's */
nb_tensor *nb_bmm(nb_tensor *a, nb_tensor *b) {
    char s1[128], s2[128];
    if (a->ndim != 3 || b->ndim != 3)
        return nb_error("bmm: expected 3-D tensors, got %s and %s", shp(s1, a), shp(s2, b));
    if (a->shape[0] != b->shape[0])
        return nb_error("bmm: batch sizes of %s and %s do not match (%lld ≠ %lld)", shp(s1, a),
                        shp(s2, b), (long long)a->shape[0], (long long)b->shape[0]);
    return matmul_forward("bmm", a, b, matmul_backward);
}

/* dot: Σ_k a_k b_k;  dL/da = g·b, dL/db = g·a (matmul's backward with 1-D promotion) */
nb_tensor *nb_dot(nb_tensor *a, nb_tensor *b) {
    char s1[128], s2[128];
    if (a->ndim != 1 || b->ndim != 1)
        return nb_error("dot: expected 1-D tensors, got %s and %s", shp(s1, a), shp(s2, b));
    return matmul_forward("dot", a, b, matmul_backward);
}

/* mv: (M, K) · (K) -> (M);  dL/dA = g bᵀ (outer product), dL/db = Aᵀ g */
nb_tensor *nb_mv(nb_tensor *a, nb_tensor *b) {
    char s1[128], s2[128];
    if (a->ndim != 2 || b->ndim != 1)
        return nb_error("mv: expected a 2-D matrix and a 1-D vector, got %s and %s", shp(s1, a),
                        shp(s2, b));
    return matmul_forward("mv", a, b, matmul_backward);
}

/* ==== outer ============================================================================= */

/* outer: C = a bᵀ, C[i, j] = a_i b_j;  dL/da = G · b (M), dL/db = Gᵀ · a (N) */
static int outer_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *a = n->in[0], *b = n->in[1];
    for (int i = 0; i < 2; i++) {
        if (!n->needs[i]) continue;
        /* i = 0: G (M, N) · b as a column (N, 1); i = 1: Gᵀ (N, M) · a as a column (M, 1) */
        nb_tensor *L = i == 0 ? view(g, 2, g->shape, g->stride) : mT(g);
        nb_tensor *v = unsqueeze_view(i == 0 ? b : a, 1);
        if (L && v) {
            const nb_tensor *t = n->in[i];
            gin[i] = product(L, v, 1, t->shape);
        }
        nb_decref(L);
        nb_decref(v);
        if (!gin[i]) return -1;
    }
    return 0;
}

nb_tensor *nb_outer(nb_tensor *a, nb_tensor *b) {
    char s1[128], s2[128];
    if (a->ndim != 1 || b->ndim != 1)
        return nb_error("outer: expected 1-D tensors, got %s and %s", shp(s1, a), shp(s2, b));
    /* a column (M, 1) times a row (1, N): a product with K = 1 */
    nb_tensor *A = unsqueeze_view(a, 1), *B = unsqueeze_view(b, 0), *out = NULL;
    if (A && B) out = product(A, B, 0, NULL);
    nb_decref(A);
    nb_decref(B);
    nb_tensor *ins[2] = {a, b};
    nb_attach(&out, "outer", outer_backward, 2, ins);
    return out;
}

/* ==== linear ============================================================================ */

/* t (..., C) read as one (R, C) matrix: all leading dims folded into rows. Returns a new
 * reference to t itself or, when its strides do not allow that, to a contiguous copy. */
static nb_tensor *as_rows(nb_tensor *t, int64_t *R, gemm_layout *l) {
    const int64_t C = t->shape[t->ndim - 1];
    int64_t r = 1, sr = -1, expect = -1;
    bool ok = true;
    for (int d = t->ndim - 2; d >= 0; d--) {
        if (t->shape[d] == 1) continue;
        if (sr < 0) sr = expect = t->stride[d];
        ok &= t->stride[d] == expect;
        expect *= t->shape[d];
        r *= t->shape[d];
    }
    *R = r;
    if (ok && layout_of(r, C, sr < 0 ? C : sr, t->stride[t->ndim - 1], l)) {
        nb_incref(t);
        return t;
    }
    layout_of(r, C, C, 1, l);
    return nb_contiguous_copy(t);
}

/* y = x wᵀ + b, x as X (R, in), w (out, in), y as Y (R, out), G = dL/dY (R, out):
 *     dL/dX = G · w  (R, in)      dL/dw = Gᵀ · X  (out, in)      dL/db = Σ_rows G  (out) */
static int linear_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *x = n->in[0], *w = n->in[1];
    const int64_t in = w->shape[1], out = w->shape[0];
    int64_t R;
    gemm_layout lg, lw, lx;
    nb_tensor *G = as_rows(g, &R, &lg);
    if (!G) return -1;
    int rc = -1;
    if (n->needs[0]) {
        if (!layout_of(out, in, w->stride[0], w->stride[1], &lw)) {
            nb_tensor *wc = nb_contiguous_copy(w);
            if (!wc) goto done;
            gin[0] = nb_empty(x->ndim, x->shape);
            if (gin[0])
                nb_sgemm(lg.trans, false, R, in, out, 1.0f, nb_data(G), lg.ld, nb_data(wc), in,
                         0.0f, nb_data(gin[0]), in);
            nb_decref(wc);
        } else if ((gin[0] = nb_empty(x->ndim, x->shape)))
            nb_sgemm(lg.trans, lw.trans, R, in, out, 1.0f, nb_data(G), lg.ld, nb_data(w), lw.ld,
                     0.0f, nb_data(gin[0]), in);
        if (!gin[0]) goto done;
    }
    if (n->needs[1]) { /* Gᵀ (out, R) · X (R, in): G read with the opposite transpose flag */
        int64_t Rx;
        nb_tensor *X = as_rows(x, &Rx, &lx);
        if (!X) goto done;
        gin[1] = nb_empty(2, w->shape);
        if (gin[1])
            nb_sgemm(!lg.trans, lx.trans, out, in, R, 1.0f, nb_data(G), lg.ld, nb_data(X), lx.ld,
                     0.0f, nb_data(gin[1]), in);
        nb_decref(X);
        if (!gin[1]) goto done;
    }
    if (n->nin > 2 && n->needs[2]) {
        /* db (out) = Σ_r G[r, :], accumulated in double over the rows; with many rows the
         * threads take bands of 16 columns each (every column is still summed in row
         * order, so the result does not depend on the thread count) */
        if (!(gin[2] = nb_zeros(1, &out))) goto done;
        double *acc = calloc((size_t)out, sizeof(double));
        if (!acc) {
            nb_error("linear: out of memory");
            goto done;
        }
        const float *pg = nb_data(G);
        const int64_t sr = lg.trans ? 1 : lg.ld, sc = lg.trans ? lg.ld : 1;
#pragma omp parallel for schedule(static) if (R * out >= NB_PAR_MIN && out >= 32)
        for (int64_t j0 = 0; j0 < out; j0 += 16) {
            const int64_t j1 = j0 + 16 < out ? j0 + 16 : out;
            for (int64_t r = 0; r < R; r++)
                for (int64_t j = j0; j < j1; j++) acc[j] += pg[r * sr + j * sc];
        }
        float *pb = nb_data(gin[2]);
        for (int64_t j = 0; j < out; j++) pb[j] = (float)acc[j];
        free(acc);
    }
    rc = 0;
done:
    nb_decref(G);
    return rc;
}

nb_tensor *nb_linear(nb_tensor *x, nb_tensor *w, nb_tensor *b) {
    char s1[128], s2[128];
    if (w->ndim != 2)
        return nb_error("linear: weight must be 2-D (out_features, in_features), got %s",
                        shp(s1, w));
    if (x->ndim < 1)
        return nb_error("linear: input must be at least 1-D (..., in_features), got %s",
                        shp(s1, x));
    const int64_t in = w->shape[1], out = w->shape[0];
    if (x->shape[x->ndim - 1] != in)
        return nb_error("linear: input %s and weight %s do not match (in_features: %lld ≠ %lld)",
                        shp(s1, x), shp(s2, w), (long long)x->shape[x->ndim - 1],
                        (long long)in);
    if (b && (b->ndim != 1 || b->shape[0] != out))
        return nb_error("linear: bias must have shape [%lld] (out_features), got %s",
                        (long long)out, shp(s1, b));
    int64_t oshape[NB_MAXDIM], R;
    memcpy(oshape, x->shape, sizeof(int64_t) * x->ndim);
    oshape[x->ndim - 1] = out;
    gemm_layout lx, lwt;
    nb_tensor *X = as_rows(x, &R, &lx), *W = NULL, *y = NULL;
    if (!X) return NULL;
    /* wᵀ (in, out) has strides (w.stride[1], w.stride[0]) */
    if (layout_of(in, out, w->stride[1], w->stride[0], &lwt)) W = (nb_incref(w), w);
    else if ((W = nb_contiguous_copy(w))) layout_of(in, out, 1, in, &lwt);
    if (W && (y = nb_empty(x->ndim, oshape))) {
        float *py = nb_data(y);
        /* Y (R, out) = b broadcast over the rows, then Y += X (R, in) · wᵀ (in, out) */
        if (b) { /* (the input projection of a recurrent layer: 1792 × 512 floats) */
            const float *pb = nb_data(b);
            const int64_t sb = b->stride[0];
#pragma omp parallel for schedule(static) if (R * out >= NB_PAR_MIN)
            for (int64_t r = 0; r < R; r++)
                for (int64_t j = 0; j < out; j++) py[r * out + j] = pb[j * sb];
        }
        nb_sgemm(lx.trans, lwt.trans, R, out, in, 1.0f, nb_data(X), lx.ld, nb_data(W), lwt.ld,
                 b ? 1.0f : 0.0f, py, out);
    }
    nb_decref(X);
    nb_decref(W);
    nb_tensor *ins[3] = {x, w, b};
    nb_attach(&y, "linear", linear_backward, b ? 3 : 2, ins);
    return y;
}

/* ==== the textbook product, for teaching (the hardware lesson) ========================= */

/* out (M, N) = a (M, K) · b (K, N) with three plain loops on one thread, no blocking, no
 * vector code beyond what the compiler finds, no autograd. "ijk" is the dot-product order
 * (b read down a column: a stride of N floats per step); "ikj" walks b and out along rows.
 * Same 2·M·N·K flops either way: the difference in speed is the memory. */
nb_tensor *nb_mm_naive(nb_tensor *a, nb_tensor *b, const char *order) {
    char sa[128], sb[128];
    if (a->ndim != 2 || b->ndim != 2 || a->shape[1] != b->shape[0])
        return nb_error("mm_naive: expected a (M, K) and b (K, N), got a %s and b %s",
                        shp(sa, a), shp(sb, b));
    bool ikj;
    if (!order || strcmp(order, "ijk") == 0) ikj = false;
    else if (strcmp(order, "ikj") == 0) ikj = true;
    else return nb_error("mm_naive: order should be \"ijk\" or \"ikj\", got \"%s\"", order);
    const int64_t M = a->shape[0], K = a->shape[1], N = b->shape[1];
    int64_t oshape[2] = {M, N};
    nb_tensor *A = nb_contiguous_copy(a), *B = A ? nb_contiguous_copy(b) : NULL;
    nb_tensor *out = B ? nb_zeros(2, oshape) : NULL;
    if (out) {
        const float *pa = nb_data(A), *pb = nb_data(B);
        float *pc = nb_data(out);
        if (ikj) {
            for (int64_t i = 0; i < M; i++)
                for (int64_t k = 0; k < K; k++) {
                    const float aik = pa[i * K + k];
                    for (int64_t j = 0; j < N; j++) pc[i * N + j] += aik * pb[k * N + j];
                }
        } else {
            for (int64_t i = 0; i < M; i++)
                for (int64_t j = 0; j < N; j++) {
                    float s = 0.0f;
                    for (int64_t k = 0; k < K; k++) s += pa[i * K + k] * pb[k * N + j];
                    pc[i * N + j] = s;
                }
        }
    }
    nb_decref(A);
    nb_decref(B);
    return out;
}

#include "iter.h"

#include <omp.h>
#include <string.h>

void nb_broadcast_strides(const nb_tensor *t, int ndim, const int64_t *shape, int64_t *out) {
    int off = ndim - t->ndim;
    for (int i = 0; i < ndim; i++) {
        int j = i - off;
        out[i] = (j < 0 || t->shape[j] == 1) ? 0 : t->stride[j];
    }
}

/* Merge dims i and i+1 when every operand steps through them as through one dim. */
static int coalesce(int ndim, int64_t *shape, int64_t st[3][NB_MAXDIM], int nops) {
    int64_t s2[NB_MAXDIM], t2[3][NB_MAXDIM];
    int k = 0;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == 1) continue;  /* size-1 dims never move a pointer */
        if (k > 0) {
            bool merge = true;
            for (int p = 0; p < nops; p++)
                if (t2[p][k - 1] != st[p][i] * shape[i]) merge = false;
            if (merge) {
                s2[k - 1] *= shape[i];
                for (int p = 0; p < nops; p++) t2[p][k - 1] = st[p][i];
                continue;
            }
        }
        s2[k] = shape[i];
        for (int p = 0; p < nops; p++) t2[p][k] = st[p][i];
        k++;
    }
    if (k == 0) { /* a single element */
        s2[0] = 1;
        for (int p = 0; p < nops; p++) t2[p][0] = 1;
        k = 1;
    }
    memcpy(shape, s2, sizeof(int64_t) * k);
    for (int p = 0; p < nops; p++) memcpy(st[p], t2[p], sizeof(int64_t) * k);
    return k;
}

/* run r of the coalesced loop nest */
static inline void run_row(int64_t r, int nd, const int64_t *shape, int64_t st[3][NB_MAXDIM],
                           int64_t inner, float *o, const float *a, const float *b,
                           nb_kernel3 k, const void *ctx) {
    int64_t rem = r, oo = 0, oa = 0, ob = 0;
    for (int d = nd - 2; d >= 0; d--) {
        int64_t i = rem % shape[d];
        rem /= shape[d];
        oo += i * st[0][d];
        oa += i * st[1][d];
        ob += i * st[2][d];
    }
    k(inner, o + oo, st[0][nd - 1], a ? a + oa : NULL, st[1][nd - 1], b ? b + ob : NULL,
      st[2][nd - 1], ctx);
}

static void run3(int ndim, const int64_t *shape_in, float *o, const int64_t *so,
                 const float *a, const int64_t *sa, const float *b, const int64_t *sb,
                 nb_kernel3 k, const void *ctx, bool par) {
    int64_t shape[NB_MAXDIM], st[3][NB_MAXDIM];
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        shape[i] = shape_in[i];
        st[0][i] = so[i];
        st[1][i] = a ? sa[i] : 0;
        st[2][i] = b ? sb[i] : 0;
        n *= shape[i];
    }
    if (n == 0) return;
    int nd = coalesce(ndim, shape, st, 3);
    int64_t inner = shape[nd - 1];
    int64_t iso = st[0][nd - 1], isa = st[1][nd - 1], isb = st[2][nd - 1];
    int64_t outer = n / inner;

    if (outer == 1) {
        /* one run: split it between threads when it is long */
        if (n < NB_PAR_MIN || !par) {
            k(n, o, iso, a, isa, b, isb, ctx);
            return;
        }
#pragma omp parallel
        {
            int nt = omp_get_num_threads(), t = omp_get_thread_num();
            int64_t chunk = (n + nt - 1) / nt;
            chunk = (chunk + 15) & ~(int64_t)15;
            int64_t lo = t * chunk, hi = lo + chunk < n ? lo + chunk : n;
            if (lo < hi)
                k(hi - lo, o + lo * iso, iso, a ? a + lo * isa : NULL, isa,
                  b ? b + lo * isb : NULL, isb, ctx);
        }
        return;
    }

    /* outer index r -> offsets of the first element of run r in each operand. Small
     * tensors never enter a parallel region: even an if(false) one costs about 1 µs. */
    if (par && n >= NB_PAR_MIN) {
#pragma omp parallel for schedule(static)
        for (int64_t r = 0; r < outer; r++) run_row(r, nd, shape, st, inner, o, a, b, k, ctx);
    } else {
        for (int64_t r = 0; r < outer; r++) run_row(r, nd, shape, st, inner, o, a, b, k, ctx);
    }
}

void nb_run3(int ndim, const int64_t *shape, float *o, const int64_t *so, const float *a,
             const int64_t *sa, const float *b, const int64_t *sb, nb_kernel3 k,
             const void *ctx) {
    run3(ndim, shape, o, so, a, sa, b, sb, k, ctx, true);
}

void nb_run3_serial(int ndim, const int64_t *shape, float *o, const int64_t *so,
                    const float *a, const int64_t *sa, const float *b, const int64_t *sb,
                    nb_kernel3 k, const void *ctx) {
    run3(ndim, shape, o, so, a, sa, b, sb, k, ctx, false);
}

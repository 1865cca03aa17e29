/* Fused LSTM and GRU cells: forward, and backward right below (see rnn.h for the
 * formulas). Each works row by row (one example of the batch), the loops over the H
 * hidden units vectorise (nb_vsigmoidf, nb_vtanhf from vmath.h), and a large batch is
 * split over OpenMP threads by rows. */
#include "rnn.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"
#include "blas.h"
#include "convmm.h"
#include "vmath.h"

/* gx and gh (B, G·H) and s (B, H), checked; B and H out */
static int check(const char *op, int G, nb_tensor *gx, nb_tensor *gh, nb_tensor *s,
                 const char *sname, int64_t *B, int64_t *H) {
    char b1[128], b2[128], b3[128];
    if (s->ndim != 2 || gx->ndim != 2 || gh->ndim != 2 || gx->shape[0] != s->shape[0] ||
        gh->shape[0] != s->shape[0] || gx->shape[1] != G * s->shape[1] ||
        gh->shape[1] != G * s->shape[1]) {
        nb_error("%s: expected gx and gh (B, %d·H) and %s (B, H), got gx %s, gh %s, %s %s", op,
                 G, sname, shp(b1, gx), shp(b2, gh), sname, shp(b3, s));
        return -1;
    }
    *B = s->shape[0];
    *H = s->shape[1];
    return 0;
}

/* rows [0, B) of a cell kernel, on all threads when the step is large enough */
#define FOR_ROWS(B, H, body)                                                              \
    do {                                                                                  \
        if ((B) * (H) >= NB_PAR_MIN) {                                                    \
            _Pragma("omp parallel for schedule(static)")                                  \
            for (int64_t b = 0; b < (B); b++) body                                        \
        } else                                                                            \
            for (int64_t b = 0; b < (B); b++) body                                        \
    } while (0)

/* ==== LSTM ============================================================================== */

/* One row: gx, gh (4H), c (H) -> act (4H: i, f, g, o after their nonlinearities),
 * h' and c' (H). n units j < n of the row (all H of them, or one thread's share): gate k
 * of unit j is gx[k·H + j], act[k·H + j] and gh[k·sh + j]. */
static void lstm_row(int64_t n, int64_t H, int64_t sh, const float *restrict gx, const float *restrict gh, const float *restrict c, float *restrict act,
                     float *restrict h1, float *restrict c1) {
    for (int64_t j = 0; j < n; j++) {
        float i = nb_vsigmoidf(gx[j] + gh[j]);
        float f = nb_vsigmoidf(gx[H + j] + gh[sh + j]);
        float g = nb_vtanhf(gx[2 * H + j] + gh[2 * sh + j]);
        float o = nb_vsigmoidf(gx[3 * H + j] + gh[3 * sh + j]);
        float cn = f * c[j] + i * g;
        act[j] = i, act[H + j] = f, act[2 * H + j] = g, act[3 * H + j] = o;
        c1[j] = cn;
        h1[j] = o * nb_vtanhf(cn);
    }
}

/* One row of the backward. dh, dc1 = dL/dh', dL/dc' (H); act as saved; c, c1 = c, c'.
 *   dc  = dL/dc' + dL/dh' ⊙ o ⊙ (1 − tanh²c')       (all that reaches c')
 *   dL/d(pre-activation of) o = dL/dh' ⊙ tanh c' ⊙ o(1 − o)
 *                           i = dc ⊙ g ⊙ i(1 − i),   f = dc ⊙ c ⊙ f(1 − f),   g = dc ⊙ i ⊙ (1 − g²)
 *   dL/dc = dc ⊙ f
 * The pre-activation is gx + gh, so dgates is the gradient of both. */
static void lstm_row_backward(int64_t n, int64_t H, const float *restrict dh, const float *restrict dc1, const float *restrict act,
                              const float *restrict c, const float *restrict c1, float *restrict dgates, float *restrict dc0) {
    for (int64_t j = 0; j < n; j++) { /* n units, gates H apart in act and dgates, as above */
        float i = act[j], f = act[H + j], g = act[2 * H + j], o = act[3 * H + j];
        float tc = nb_vtanhf(c1[j]);
        float dc = dc1[j] + dh[j] * o * (1.0f - tc * tc);
        dgates[j] = dc * g * i * (1.0f - i);
        dgates[H + j] = dc * c[j] * f * (1.0f - f);
        dgates[2 * H + j] = dc * i * (1.0f - g * g);
        dgates[3 * H + j] = dh[j] * tc * o * (1.0f - o);
        dc0[j] = dc * f;
    }
}

/* saved[0] = act (B, 4H), saved[1] = an alias of the output (2, B, H) */
static int lstm_backward(nb_node *n, nb_tensor *gout, nb_tensor **gin) {
    nb_tensor *act = n->saved[0], *out = n->saved[1], *c = n->in[2];
    const int64_t B = act->shape[0], H = act->shape[1] / 4;
    nb_tensor *G = contig(gout), *cc = G ? contig(c) : NULL;
    int64_t sg[2] = {B, 4 * H};
    nb_tensor *dg = cc ? nb_empty(2, sg) : NULL, *dc0 = dg ? nb_empty(2, c->shape) : NULL;
    if (!dc0) {
        nb_decref(G), nb_decref(cc), nb_decref(dg);
        return -1;
    }
    const float *pG = nb_data(G), *pa = nb_data(act), *pc = nb_data(cc), *po = nb_data(out);
    float *pd = nb_data(dg), *p0 = nb_data(dc0);
    FOR_ROWS(B, H, {
        lstm_row_backward(H, H, pG + b * H, pG + (B + b) * H, pa + b * 4 * H, pc + b * H,
                          po + (B + b) * H, pd + b * 4 * H, p0 + b * H);
    });
    nb_decref(G), nb_decref(cc);
    if (n->needs[0]) nb_incref(gin[0] = dg);
    if (n->needs[1]) nb_incref(gin[1] = dg);
    nb_decref(dg);
    if (n->needs[2]) gin[2] = dc0;
    else nb_decref(dc0);
    return 0;
}

nb_tensor *nb_lstm_cell(nb_tensor *gx, nb_tensor *gh, nb_tensor *c) {
    int64_t B, H;
    if (check("lstm_cell", 4, gx, gh, c, "c", &B, &H)) return NULL;
    nb_tensor *x = contig(gx), *hh = x ? contig(gh) : NULL, *cc = hh ? contig(c) : NULL;
    int64_t so[3] = {2, B, H}, sa[2] = {B, 4 * H};
    nb_tensor *out = cc ? nb_empty(3, so) : NULL, *act = out ? nb_empty(2, sa) : NULL;
    if (act) {
        const float *px = nb_data(x), *ph = nb_data(hh), *pc = nb_data(cc);
        float *po = nb_data(out), *pa = nb_data(act);
        FOR_ROWS(B, H, {
            lstm_row(H, H, H, px + b * 4 * H, ph + b * 4 * H, pc + b * H, pa + b * 4 * H, po + b * H,
                     po + (B + b) * H);
        });
    }
    nb_decref(x), nb_decref(hh), nb_decref(cc);
    if (!act) {
        nb_decref(out);
        return NULL;
    }
    nb_tensor *ins[3] = {gx, gh, c};
    nb_node *n = nb_attach(&out, "lstm_cell", lstm_backward, 3, ins);
    if (!n) { /* no gradient wanted, or out is NULL */
        nb_decref(act);
        return out;
    }
    if (!(n->saved[1] = nb_alias(out))) {
        nb_decref(act), nb_decref(out);
        return NULL;
    }
    n->saved[0] = act;
    return out;
}

/* ==== GRU =============================================================================== */

/* One row: gx, gh (3H), h (H) -> act (3H: r, z, n) and h' (H); n units of it, gates H
 * apart (as lstm_row) */
static void gru_row(int64_t n, int64_t H, const float *restrict gx, const float *restrict gh, const float *restrict h, float *restrict act,
                    float *restrict h1) {
    for (int64_t j = 0; j < n; j++) {
        float r = nb_vsigmoidf(gx[j] + gh[j]);
        float z = nb_vsigmoidf(gx[H + j] + gh[H + j]);
        float nn = nb_vtanhf(gx[2 * H + j] + r * gh[2 * H + j]);
        act[j] = r, act[H + j] = z, act[2 * H + j] = nn;
        h1[j] = nn + z * (h[j] - nn);
    }
}

/* One row of the backward; d = dL/dh' (H).
 *   dL/dn = d ⊙ (1 − z),  dL/dz = d ⊙ (h − n),  dL/dh = d ⊙ z   (h's direct path)
 *   p = dL/dn ⊙ (1 − n²): the gradient of n's pre-activation gx_n + r ⊙ gh_n, so
 *   dL/dgx_n = p,  dL/dgh_n = p ⊙ r,  dL/dr = p ⊙ gh_n
 *   dL/dgx_r = dL/dgh_r = dL/dr ⊙ r(1 − r),  dL/dgx_z = dL/dgh_z = dL/dz ⊙ z(1 − z) */
static void gru_row_backward(int64_t n, int64_t H, const float *restrict d, const float *restrict act, const float *restrict gh,
                             const float *restrict h, float *restrict dgx, float *restrict dgh, float *restrict dh) {
    for (int64_t j = 0; j < n; j++) { /* n units, gates H apart */
        float r = act[j], z = act[H + j], nn = act[2 * H + j];
        float dn = d[j] * (1.0f - z), dz = d[j] * (h[j] - nn);
        float p = dn * (1.0f - nn * nn);
        float dr = p * gh[2 * H + j] * r * (1.0f - r);
        float dzp = dz * z * (1.0f - z);
        dgx[j] = dgh[j] = dr;
        dgx[H + j] = dgh[H + j] = dzp;
        dgx[2 * H + j] = p;
        dgh[2 * H + j] = p * r;
        dh[j] = d[j] * z;
    }
}

/* saved[0] = act (B, 3H) */
static int gru_backward(nb_node *n, nb_tensor *gout, nb_tensor **gin) {
    nb_tensor *act = n->saved[0];
    const int64_t B = act->shape[0], H = act->shape[1] / 3;
    nb_tensor *G = contig(gout), *gh = G ? contig(n->in[1]) : NULL, *h = gh ? contig(n->in[2]) : NULL;
    int64_t s3[2] = {B, 3 * H}, s1[2] = {B, H};
    nb_tensor *dgx = h ? nb_empty(2, s3) : NULL, *dgh = dgx ? nb_empty(2, s3) : NULL;
    nb_tensor *dh = dgh ? nb_empty(2, s1) : NULL;
    if (dh) {
        const float *pG = nb_data(G), *pa = nb_data(act), *pgh = nb_data(gh), *ph = nb_data(h);
        float *px = nb_data(dgx), *pw = nb_data(dgh), *pd = nb_data(dh);
        FOR_ROWS(B, H, {
            gru_row_backward(H, H, pG + b * H, pa + b * 3 * H, pgh + b * 3 * H, ph + b * H,
                             px + b * 3 * H, pw + b * 3 * H, pd + b * H);
        });
    }
    nb_decref(G), nb_decref(gh), nb_decref(h);
    if (!dh) {
        nb_decref(dgx), nb_decref(dgh);
        return -1;
    }
    nb_tensor *res[3] = {dgx, dgh, dh};
    for (int k = 0; k < 3; k++) {
        if (n->needs[k]) gin[k] = res[k];
        else nb_decref(res[k]);
    }
    return 0;
}

nb_tensor *nb_gru_cell(nb_tensor *gx, nb_tensor *gh, nb_tensor *h) {
    int64_t B, H;
    if (check("gru_cell", 3, gx, gh, h, "h", &B, &H)) return NULL;
    nb_tensor *x = contig(gx), *hh = x ? contig(gh) : NULL, *h0 = hh ? contig(h) : NULL;
    int64_t so[2] = {B, H}, sa[2] = {B, 3 * H};
    nb_tensor *out = h0 ? nb_empty(2, so) : NULL, *act = out ? nb_empty(2, sa) : NULL;
    if (act) {
        const float *px = nb_data(x), *ph = nb_data(hh), *p0 = nb_data(h0);
        float *po = nb_data(out), *pa = nb_data(act);
        FOR_ROWS(B, H, {
            gru_row(H, H, px + b * 3 * H, ph + b * 3 * H, p0 + b * H, pa + b * 3 * H, po + b * H);
        });
    }
    nb_decref(x), nb_decref(hh), nb_decref(h0);
    if (!act) {
        nb_decref(out);
        return NULL;
    }
    nb_tensor *ins[3] = {gx, gh, h};
    nb_node *n = nb_attach(&out, "gru_cell", gru_backward, 3, ins);
    if (!n) { /* no gradient wanted, or out is NULL */
        nb_decref(act);
        return out;
    }
    n->saved[0] = act;
    return out;
}

/* ==== whole sequences =================================================================== */

/* the arguments of a sequence op, checked, as dense tensors (new references) */
typedef struct {
    int64_t T, B, H;
    nb_tensor *x, *h0, *c0, *w, *b;
} seq_args;

static void seq_free(seq_args *a) {
    nb_decref(a->x), nb_decref(a->h0), nb_decref(a->c0), nb_decref(a->w), nb_decref(a->b);
}

static int seq_check(const char *op, int G, nb_tensor *xp, nb_tensor *h0, nb_tensor *c0,
                     nb_tensor *w, nb_tensor *b, seq_args *a) {
    char b1[128], b2[128], b3[128], b4[128];
    memset(a, 0, sizeof *a);
    if (xp->ndim == 3 && xp->shape[0] == 0) {
        nb_error("%s: the sequence is empty (xp %s): it needs at least one step", op,
                 shp(b1, xp));
        return -1;
    }
    bool ok = xp->ndim == 3 && h0->ndim == 2 && w->ndim == 2 && xp->shape[0] >= 1;
    if (ok) {
        a->T = xp->shape[0], a->B = xp->shape[1], a->H = h0->shape[1];
        ok = xp->shape[2] == G * a->H && h0->shape[0] == a->B && w->shape[0] == G * a->H &&
             w->shape[1] == a->H && (!c0 || nb_same_shape(c0, h0)) &&
             (!b || (b->ndim == 1 && b->shape[0] == G * a->H));
    }
    if (!ok) {
        nb_error("%s: expected xp (T, B, %d·H), h0%s (B, H), w_hh (%d·H, H), b_hh (%d·H); got "
                 "xp %s, h0 %s, w_hh %s, b_hh %s", op, G, c0 ? " and c0" : "", G, G,
                 shp(b1, xp), shp(b2, h0), shp(b3, w), b ? shp(b4, b) : "none");
        return -1;
    }
    a->x = contig(xp), a->h0 = contig(h0), a->w = contig(w);
    a->c0 = c0 ? contig(c0) : NULL, a->b = b ? contig(b) : NULL;
    if (!a->x || !a->h0 || !a->w || (c0 && !a->c0) || (b && !a->b)) {
        seq_free(a);
        return -1;
    }
    return 0;
}

/* gh (B, N) = h (B, K) · wᵀ + b, w (N, K) */
static void hidden_product(int64_t B, int64_t N, int64_t K, const float *h, const float *w,
                           const float *b, float *gh) {
    if (b)
        for (int64_t r = 0; r < B; r++) memcpy(gh + r * N, b, sizeof(float) * N);
    nb_sgemm(false, true, B, N, K, 1.0f, h, K, w, K, b ? 1.0f : 0.0f, gh, N);
}

/* dW (N, K) = Σ_t dg_tᵀ · h_{t−1}: dg (T, B, N) in step positions, y (T, B, K) the outputs,
 * h0 (B, K). Going forward, step t's previous state is y[t − 1] (y[t + 1] in reverse),
 * and h0 for the first step: two products cover all steps. */
static void weight_grad(int64_t T, int64_t B, int64_t N, int64_t K, bool reverse,
                        const float *dg, const float *y, const float *h0, float *dw) {
    const int64_t first = reverse ? T - 1 : 0;
    if (T > 1) {
        const float *g = reverse ? dg : dg + B * N;   /* the steps with a previous output */
        const float *h = reverse ? y + B * K : y;     /* and those outputs */
        nb_sgemm(true, false, N, K, (T - 1) * B, 1.0f, g, N, h, K, 0.0f, dw, K);
    }
    nb_sgemm(true, false, N, K, B, 1.0f, dg + first * B * N, N, h0, K, T > 1 ? 1.0f : 0.0f, dw,
             K);
}

/* db (N) = Σ over the R rows of g (R, N): float sums of 64 rows, added up in double */
static void bias_grad(int64_t R, int64_t N, const float *g, float *db) {
    double *acc = calloc((size_t)N, sizeof(double));
    float *part = malloc(sizeof(float) * (size_t)N);
    if (!acc || !part) { /* out of memory: plain float sums */
        memset(db, 0, sizeof(float) * N);
        for (int64_t r = 0; r < R; r++)
            for (int64_t j = 0; j < N; j++) db[j] += g[r * N + j];
        free(acc), free(part);
        return;
    }
    for (int64_t r0 = 0; r0 < R; r0 += 64) {
        memset(part, 0, sizeof(float) * N);
        for (int64_t r = r0; r < R && r < r0 + 64; r++)
            for (int64_t j = 0; j < N; j++) part[j] += g[r * N + j];
        for (int64_t j = 0; j < N; j++) acc[j] += part[j];
    }
    for (int64_t j = 0; j < N; j++) db[j] = (float)acc[j];
    free(acc), free(part);
}

/* Records the node of a sequence op: inputs xp, h0, [c0,] w_hh[, b_hh]; iarg[0] = reverse,
 * iarg[1] = has c0, iarg[2] = has b_hh. Takes over saved (NULL-terminated). */
static nb_tensor *seq_record(nb_tensor *out, const char *op, nb_backward_fn bw, nb_tensor *xp,
                             nb_tensor *h0, nb_tensor *c0, nb_tensor *w, nb_tensor *b,
                             bool reverse, nb_tensor **saved) {
    nb_tensor *ins[5];
    int nin = 0;
    ins[nin++] = xp, ins[nin++] = h0;
    if (c0) ins[nin++] = c0;
    ins[nin++] = w;
    if (b) ins[nin++] = b;
    nb_node *n = nb_attach(&out, op, bw, nin, ins);
    if (!n) { /* no gradient wanted, or out is NULL */
        for (int k = 0; saved[k]; k++) nb_decref(saved[k]);
        return out;
    }
    for (int k = 0; saved[k]; k++) n->saved[k] = saved[k];
    n->iarg[0] = reverse, n->iarg[1] = c0 != NULL, n->iarg[2] = b != NULL;
    return out;
}

/* the gradients of a sequence op into gin, in the order of its inputs */
static void seq_grads(nb_node *n, nb_tensor **gin, nb_tensor *dx, nb_tensor *dh0,
                      nb_tensor *dc0, nb_tensor *dw, nb_tensor *db) {
    nb_tensor *all[5] = {dx, dh0, dc0, dw, db};
    bool has[5] = {true, true, n->iarg[1] != 0, true, n->iarg[2] != 0};
    for (int k = 0, i = 0; k < 5; k++) {
        if (!has[k]) continue;
        if (n->needs[i]) gin[i] = all[k], all[k] = NULL;
        i++;
    }
    for (int k = 0; k < 5; k++) nb_decref(all[k]);
}

/* ---- The hidden units split over the threads ------------------------------------------
 * A step's products are small (B × G·H × H: 64 × 512 × 128 for the MNIST LSTM), and each
 * step needs the whole previous h. Called as one threaded sgemm per step, the library
 * packs both operands again at every call and the gate nonlinearities run on one thread.
 * Instead, one parallel region runs the whole sequence, and each thread owns a slice of
 * the hidden units [u0, u0 + n) (multiples of 16 units): in the forward, its columns of
 * every gate, gh[:, k·H + u0 …] = h · W_kᵀ for its rows of W, packed once per sequence as
 * (H, G·n) so that the product is nb_convmm's (src/ops/convmm.h: the vector tiles of the
 * direct convolutions, with no packing), then the gates of its units, then a barrier
 * (the next step reads all of h). In the backward, the gates' gradients of its units, a
 * barrier, then its columns of dh = dg · W (W's columns u0 …, packed as (G·H, n)).
 * Used when nb_convmm has vector kernels and H is a multiple of 16; the per-step loops
 * further down do the rest (and the tests compare both with the cells written with ops). */
static bool split_ok(int64_t H) { return nb_convmm_width() > 0 && H % 16 == 0; }

/* the threads for a sequence of B rows: one when the products are small */
static int split_threads(int64_t B, int64_t G, int64_t H) {
    int nt = omp_in_parallel() ? 1 : nb_num_threads();
    return B * G * H * H >= NB_PAR_MIN * 8 ? nt : 1;
}

/* thread t's units [*u0, *u0 + *n) of H, in whole chunks of 16 */
static void split_units(int64_t H, int t, int nt, int64_t *u0, int64_t *n) {
    const int64_t chunks = H / 16, c0 = chunks * t / nt, c1 = chunks * (t + 1) / nt;
    *u0 = 16 * c0, *n = 16 * (c1 - c0);
}

/* A thread's buffers: wf (H, G·n) its rows of W transposed (forward) or wb (G·H, n) its
 * columns of W (backward); the product (B + slack, G·n); row and column offsets for
 * nb_convmm; two (B, n) temporaries. NULL if out of memory. */
typedef struct {
    float *w, *prod, *t1, *t2;
    int64_t *rowoff, *off;
} split_buf;

static int split_alloc(split_buf *sb, int64_t B, int64_t G, int64_t H, int64_t n) {
    const int64_t nw = G * H * n, np = (B + NB_CONVMM_SLACK) * G * n;
    float *f = malloc(sizeof(float) * (size_t)(nw + np + 2 * B * n + 1));
    int64_t *o = malloc(sizeof(int64_t) * (size_t)(B + G * H));
    if (!f || !o) {
        free(f), free(o);
        sb->w = NULL, sb->rowoff = NULL; /* split_free has nothing to free */
        return -1;
    }
    sb->w = f, sb->prod = f + nw, sb->t1 = sb->prod + np, sb->t2 = sb->t1 + B * n;
    sb->rowoff = o, sb->off = o + B;
    for (int64_t l = 0; l < G * H; l++) sb->off[l] = l;
    return 0;
}
static void split_free(split_buf *sb) { free(sb->w), free(sb->rowoff); }

/* forward: wf[k, g·n + j] = w[(g·H + u0 + j), k], w (G·H, H) */
static void pack_rows(const float *w, int64_t G, int64_t H, int64_t u0, int64_t n, float *wf) {
    for (int64_t g = 0; g < G; g++)
        for (int64_t j = 0; j < n; j++)
            for (int64_t k = 0; k < H; k++) wf[k * G * n + g * n + j] = w[(g * H + u0 + j) * H + k];
}
/* backward: wb[l, j] = w[l, u0 + j] */
static void pack_cols(const float *w, int64_t G, int64_t H, int64_t u0, int64_t n, float *wb) {
    for (int64_t l = 0; l < G * H; l++) memcpy(wb + l * n, w + l * H + u0, sizeof(float) * n);
}

/* A thread's start in a split region (inside `omp parallel`): its units [u0, u0 + n), its
 * buffers, and its part of W packed (rows for the forward, columns for the backward). The
 * barrier lets every thread see whether all buffers were allocated: false, with *failed set,
 * if any thread's were not. Call split_free(sb) at the end of the region either way. */
static bool split_enter(split_buf *sb, const float *w, int64_t B, int64_t G, int64_t H,
                        bool backward, int64_t *u0, int64_t *n, int *failed) {
    split_units(H, omp_get_thread_num(), omp_get_num_threads(), u0, n);
    if (split_alloc(sb, B, G, H, *n)) {
#pragma omp atomic write
        *failed = 1;
    }
#pragma omp barrier
    int any;
#pragma omp atomic read
    any = *failed;
    if (any) return false;
    (backward ? pack_cols : pack_rows)(w, G, H, *u0, *n, sb->w);
    return true;
}

/* gh[b, g·n + j] = (h · W_gᵀ)[b, u0 + j] + b_hh[g·H + u0 + j] for the thread's units */
static void split_hidden(const split_buf *sb, const float *h, int64_t B, int64_t G, int64_t H,
                         int64_t u0, int64_t n, const float *bias) {
    if (n == 0) return;
    for (int64_t b = 0; b < B; b++) sb->rowoff[b] = b * H;
    nb_convmm(h, sb->rowoff, B, sb->off, H, sb->w, G * n, sb->prod, false);
    if (bias)
        for (int64_t b = 0; b < B; b++)
            for (int64_t g = 0; g < G; g++)
                for (int64_t j = 0; j < n; j++) sb->prod[(b * G + g) * n + j] += bias[g * H + u0 + j];
}

/* out[b, j] = (dg · W)[b, u0 + j], dg (B, G·H): into sb->prod (B, n) */
static void split_dh(const split_buf *sb, const float *dg, int64_t B, int64_t G, int64_t H,
                     int64_t n) {
    if (n == 0) return;
    for (int64_t b = 0; b < B; b++) sb->rowoff[b] = b * G * H;
    nb_convmm(dg, sb->rowoff, B, sb->off, G * H, sb->w, n, sb->prod, false);
}

/* ---- LSTM over a sequence -------------------------------------------------------------- */

/* saved: [0] act (T, B, 4H), [1] cs (T, B, H): c_t of every step, [2] alias of the output */
static int lstm_seq_backward(nb_node *n, nb_tensor *gout, nb_tensor **gin) {
    nb_tensor *act = n->saved[0], *cs = n->saved[1], *out = n->saved[2];
    const bool reverse = n->iarg[0];
    const int64_t T = act->shape[0], B = act->shape[1], H = act->shape[2] / 4, H4 = 4 * H;
    nb_tensor *G = contig(gout), *h0 = G ? contig(n->in[1]) : NULL;
    nb_tensor *c0 = h0 ? contig(n->in[2]) : NULL, *w = c0 ? contig(n->in[3]) : NULL;
    int64_t s3[3] = {T, B, H4}, s2[2] = {B, H}, sw[2] = {H4, H}, sb = H4;
    nb_tensor *dx = w ? nb_empty(3, s3) : NULL, *dh = dx ? nb_zeros(2, s2) : NULL;
    nb_tensor *dc = dh ? nb_empty(2, s2) : NULL, *dw = dc ? nb_empty(2, sw) : NULL;
    nb_tensor *db = dw && n->iarg[2] ? nb_empty(1, &sb) : NULL;
    float *tmp = malloc(sizeof(float) * (size_t)(2 * B * H));
    int rc = -1;
    if (!dw || (n->iarg[2] && !db) || !tmp) {
        if (dw && tmp == NULL) nb_error("lstm_seq: out of memory");
        nb_decref(dx), nb_decref(dh), nb_decref(dc), nb_decref(dw), nb_decref(db);
        goto done;
    }
    const float *pG = nb_data(G), *pa = nb_data(act), *pcs = nb_data(cs), *py = nb_data(out);
    const float *pc0 = nb_data(c0), *pw = nb_data(w);
    float *pdx = nb_data(dx), *pdh = nb_data(dh), *pdc = nb_data(dc);
    float *dhtot = tmp, *dcprev = tmp + B * H;
    memcpy(pdc, pG + T * B * H, sizeof(float) * B * H);   /* dL/d(last c) */
    int failed = 0;
    if (split_ok(H)) {
        const int nt = split_threads(B, 4, H);
#pragma omp parallel num_threads(nt) if (nt > 1)
        {
            int64_t u0, n;
            split_buf sb;
            if (split_enter(&sb, pw, B, 4, H, true, &u0, &n, &failed)) {
                float *dht = sb.t1, *dcn = sb.t2; /* (B, n): dL/dh of the step, dL/dc before it */
                for (int64_t s = T - 1; s >= 0; s--) {
                    const int64_t t = reverse ? T - 1 - s : s, tp = reverse ? t + 1 : t - 1;
                    const float *cprev = s == 0 ? pc0 : pcs + tp * B * H;
                    const float *Gt = pG + t * B * H;
                    float *dxt = pdx + t * B * H4;
                    for (int64_t b = 0; b < B; b++) {
                        for (int64_t j = 0; j < n; j++)
                            dht[b * n + j] = Gt[b * H + u0 + j] + pdh[b * H + u0 + j];
                        lstm_row_backward(n, H, dht + b * n, pdc + b * H + u0,
                                          pa + (t * B + b) * H4 + u0, cprev + b * H + u0,
                                          pcs + (t * B + b) * H + u0, dxt + b * H4 + u0,
                                          dcn + b * n);
                        memcpy(pdc + b * H + u0, dcn + b * n, sizeof(float) * n);
                    }
#pragma omp barrier /* dh = dg · W reads every unit's gate gradients */
                    split_dh(&sb, dxt, B, 4, H, n);
                    for (int64_t b = 0; b < B; b++)
                        memcpy(pdh + b * H + u0, sb.prod + b * n, sizeof(float) * n);
                }
            }
            split_free(&sb);
        }
        if (failed) {
            nb_error("lstm_seq: out of memory");
            nb_decref(dx), nb_decref(dh), nb_decref(dc), nb_decref(dw), nb_decref(db);
            goto done;
        }
    }
    for (int64_t s = T - 1; s >= 0 && !split_ok(H); s--) {
        const int64_t t = reverse ? T - 1 - s : s, tp = reverse ? t + 1 : t - 1;
        const float *cprev = s == 0 ? pc0 : pcs + tp * B * H;
        const float *Gt = pG + t * B * H;
        for (int64_t i = 0; i < B * H; i++) dhtot[i] = Gt[i] + pdh[i];
        float *dxt = pdx + t * B * H4;
        FOR_ROWS(B, H, {
            lstm_row_backward(H, H, dhtot + b * H, pdc + b * H, pa + (t * B + b) * H4,
                              cprev + b * H, pcs + (t * B + b) * H, dxt + b * H4,
                              dcprev + b * H);
        });
        memcpy(pdc, dcprev, sizeof(float) * B * H);
        nb_sgemm(false, false, B, H, H4, 1.0f, dxt, H4, pw, H, 0.0f, pdh, H); /* dh = dg · W */
    }
    weight_grad(T, B, H4, H, reverse, pdx, py, nb_data(h0), nb_data(dw));
    if (db) bias_grad(T * B, H4, pdx, nb_data(db));
    seq_grads(n, gin, dx, dh, dc, dw, db);
    rc = 0;
done:
    free(tmp);
    nb_decref(G), nb_decref(h0), nb_decref(c0), nb_decref(w);
    return rc;
}

nb_tensor *nb_lstm_seq(nb_tensor *xp, nb_tensor *h0, nb_tensor *c0, nb_tensor *w_hh,
                       nb_tensor *b_hh, bool reverse) {
    seq_args a;
    if (seq_check("lstm_seq", 4, xp, h0, c0, w_hh, b_hh, &a)) return NULL;
    const int64_t T = a.T, B = a.B, H = a.H, H4 = 4 * H;
    int64_t so[3] = {T + 1, B, H}, sa[3] = {T, B, H4}, sc[3] = {T, B, H}, sg[2] = {B, H4};
    nb_tensor *out = nb_empty(3, so), *act = out ? nb_empty(3, sa) : NULL;
    nb_tensor *cs = act ? nb_empty(3, sc) : NULL, *gh = cs ? nb_empty(2, sg) : NULL;
    if (!gh) {
        nb_decref(out), nb_decref(act), nb_decref(cs);
        seq_free(&a);
        return NULL;
    }
    const float *px = nb_data(a.x), *pw = nb_data(a.w), *pb = a.b ? nb_data(a.b) : NULL;
    float *py = nb_data(out), *pa = nb_data(act), *pcs = nb_data(cs), *pgh = nb_data(gh);
    int64_t t = reverse ? 0 : T - 1; /* the last step */
    int failed = 0;
    if (split_ok(H)) {
        const int nt = split_threads(B, 4, H);
#pragma omp parallel num_threads(nt) if (nt > 1)
        {
            int64_t u0, n;
            split_buf sb;
            if (split_enter(&sb, pw, B, 4, H, false, &u0, &n, &failed)) {
                for (int64_t s = 0; s < T; s++) {
                    const int64_t ts = reverse ? T - 1 - s : s, tp = reverse ? ts + 1 : ts - 1;
                    const float *hprev = s == 0 ? nb_data(a.h0) : py + tp * B * H;
                    const float *cprev = s == 0 ? nb_data(a.c0) : pcs + tp * B * H;
                    split_hidden(&sb, hprev, B, 4, H, u0, n, pb);
                    for (int64_t b = 0; b < B; b++)
                        lstm_row(n, H, n, px + (ts * B + b) * H4 + u0, sb.prod + b * 4 * n,
                                 cprev + b * H + u0, pa + (ts * B + b) * H4 + u0,
                                 py + (ts * B + b) * H + u0, pcs + (ts * B + b) * H + u0);
#pragma omp barrier /* the next step reads all of h */
                }
            }
            split_free(&sb);
        }
    }
    for (int64_t s = 0; s < T && !split_ok(H); s++) {
        t = reverse ? T - 1 - s : s;
        const int64_t tp = reverse ? t + 1 : t - 1;
        const float *hprev = s == 0 ? nb_data(a.h0) : py + tp * B * H;
        const float *cprev = s == 0 ? nb_data(a.c0) : pcs + tp * B * H;
        hidden_product(B, H4, H, hprev, pw, pb, pgh);
        FOR_ROWS(B, H, {
            lstm_row(H, H, H, px + (t * B + b) * H4, pgh + b * H4, cprev + b * H,
                     pa + (t * B + b) * H4, py + (t * B + b) * H, pcs + (t * B + b) * H);
        });
    }
    memcpy(py + T * B * H, pcs + t * B * H, sizeof(float) * B * H); /* the last step's c */
    nb_decref(gh);
    seq_free(&a);
    if (failed) {
        nb_decref(out), nb_decref(act), nb_decref(cs);
        return nb_error("lstm_seq: out of memory");
    }
    nb_tensor *alias = nb_alias(out);
    if (!alias) {
        nb_decref(out), nb_decref(act), nb_decref(cs);
        return NULL;
    }
    nb_tensor *saved[4] = {act, cs, alias, NULL};
    return seq_record(out, "lstm_seq", lstm_seq_backward, xp, h0, c0, w_hh, b_hh, reverse,
                      saved);
}

/* ---- GRU over a sequence --------------------------------------------------------------- */

/* saved: [0] act (T, B, 3H), [1] gh (T, B, 3H): h·W_hhᵀ + b_hh of every step, [2] alias of
 * the output */
static int gru_seq_backward(nb_node *n, nb_tensor *gout, nb_tensor **gin) {
    nb_tensor *act = n->saved[0], *ghs = n->saved[1], *out = n->saved[2];
    const bool reverse = n->iarg[0];
    const int64_t T = act->shape[0], B = act->shape[1], H = act->shape[2] / 3, H3 = 3 * H;
    nb_tensor *G = contig(gout), *h0 = G ? contig(n->in[1]) : NULL, *w = h0 ? contig(n->in[2]) : NULL;
    int64_t s3[3] = {T, B, H3}, s2[2] = {B, H}, sw[2] = {H3, H}, sb = H3;
    nb_tensor *dx = w ? nb_empty(3, s3) : NULL, *dgh = dx ? nb_empty(3, s3) : NULL;
    nb_tensor *dh = dgh ? nb_zeros(2, s2) : NULL, *dw = dh ? nb_empty(2, sw) : NULL;
    nb_tensor *db = dw && n->iarg[2] ? nb_empty(1, &sb) : NULL;
    float *tmp = malloc(sizeof(float) * (size_t)(B * H));
    int rc = -1;
    if (!dw || (n->iarg[2] && !db) || !tmp) {
        if (dw && tmp == NULL) nb_error("gru_seq: out of memory");
        nb_decref(dx), nb_decref(dgh), nb_decref(dh), nb_decref(dw), nb_decref(db);
        goto done;
    }
    const float *pG = nb_data(G), *pa = nb_data(act), *pgh = nb_data(ghs), *py = nb_data(out);
    const float *ph0 = nb_data(h0), *pw = nb_data(w);
    float *pdx = nb_data(dx), *pdgh = nb_data(dgh), *pdh = nb_data(dh), *d = tmp;
    int failed = 0;
    if (split_ok(H)) {
        const int nt = split_threads(B, 3, H);
#pragma omp parallel num_threads(nt) if (nt > 1)
        {
            int64_t u0, n;
            split_buf sb;
            if (split_enter(&sb, pw, B, 3, H, true, &u0, &n, &failed)) {
                float *dt = sb.t1, *dhd = sb.t2; /* (B, n): dL/dh' of the step; h's direct path */
                for (int64_t s = T - 1; s >= 0; s--) {
                    const int64_t t = reverse ? T - 1 - s : s, tp = reverse ? t + 1 : t - 1;
                    const float *hprev = s == 0 ? ph0 : py + tp * B * H;
                    const float *Gt = pG + t * B * H;
                    float *dxt = pdx + t * B * H3, *dght = pdgh + t * B * H3;
                    for (int64_t b = 0; b < B; b++) {
                        for (int64_t j = 0; j < n; j++)
                            dt[b * n + j] = Gt[b * H + u0 + j] + pdh[b * H + u0 + j];
                        gru_row_backward(n, H, dt + b * n, pa + (t * B + b) * H3 + u0,
                                         pgh + (t * B + b) * H3 + u0, hprev + b * H + u0,
                                         dxt + b * H3 + u0, dght + b * H3 + u0, dhd + b * n);
                    }
#pragma omp barrier /* dh = (the direct path) + dgh · W reads every unit's dgh */
                    split_dh(&sb, dght, B, 3, H, n);
                    for (int64_t b = 0; b < B; b++)
                        for (int64_t j = 0; j < n; j++)
                            pdh[b * H + u0 + j] = dhd[b * n + j] + sb.prod[b * n + j];
                }
            }
            split_free(&sb);
        }
        if (failed) {
            nb_error("gru_seq: out of memory");
            nb_decref(dx), nb_decref(dgh), nb_decref(dh), nb_decref(dw), nb_decref(db);
            goto done;
        }
    }
    for (int64_t s = T - 1; s >= 0 && !split_ok(H); s--) {
        const int64_t t = reverse ? T - 1 - s : s, tp = reverse ? t + 1 : t - 1;
        const float *hprev = s == 0 ? ph0 : py + tp * B * H;
        const float *Gt = pG + t * B * H;
        for (int64_t i = 0; i < B * H; i++) d[i] = Gt[i] + pdh[i];
        float *dxt = pdx + t * B * H3, *dght = pdgh + t * B * H3;
        FOR_ROWS(B, H, {
            gru_row_backward(H, H, d + b * H, pa + (t * B + b) * H3, pgh + (t * B + b) * H3,
                             hprev + b * H, dxt + b * H3, dght + b * H3, pdh + b * H);
        });
        /* dh = (the direct path, in pdh) + dgh · W */
        nb_sgemm(false, false, B, H, H3, 1.0f, dght, H3, pw, H, 1.0f, pdh, H);
    }
    weight_grad(T, B, H3, H, reverse, pdgh, py, ph0, nb_data(dw));
    if (db) bias_grad(T * B, H3, pdgh, nb_data(db));
    nb_decref(dgh);
    seq_grads(n, gin, dx, dh, NULL, dw, db);
    rc = 0;
done:
    free(tmp);
    nb_decref(G), nb_decref(h0), nb_decref(w);
    return rc;
}

nb_tensor *nb_gru_seq(nb_tensor *xp, nb_tensor *h0, nb_tensor *w_hh, nb_tensor *b_hh,
                      bool reverse) {
    seq_args a;
    if (seq_check("gru_seq", 3, xp, h0, NULL, w_hh, b_hh, &a)) return NULL;
    const int64_t T = a.T, B = a.B, H = a.H, H3 = 3 * H;
    int64_t so[3] = {T, B, H}, sa[3] = {T, B, H3};
    nb_tensor *out = nb_empty(3, so), *act = out ? nb_empty(3, sa) : NULL;
    nb_tensor *ghs = act ? nb_empty(3, sa) : NULL;
    if (!ghs) {
        nb_decref(out), nb_decref(act);
        seq_free(&a);
        return NULL;
    }
    const float *px = nb_data(a.x), *pw = nb_data(a.w), *pb = a.b ? nb_data(a.b) : NULL;
    float *py = nb_data(out), *pa = nb_data(act), *pgh = nb_data(ghs);
    int failed = 0;
    if (split_ok(H)) {
        const int nt = split_threads(B, 3, H);
#pragma omp parallel num_threads(nt) if (nt > 1)
        {
            int64_t u0, n;
            split_buf sb;
            if (split_enter(&sb, pw, B, 3, H, false, &u0, &n, &failed)) {
                for (int64_t s = 0; s < T; s++) {
                    const int64_t t = reverse ? T - 1 - s : s, tp = reverse ? t + 1 : t - 1;
                    const float *hprev = s == 0 ? nb_data(a.h0) : py + tp * B * H;
                    float *ght = pgh + t * B * H3;
                    split_hidden(&sb, hprev, B, 3, H, u0, n, pb);
                    for (int64_t b = 0; b < B; b++) {
                        for (int64_t g = 0; g < 3; g++) /* saved for the backward */
                            memcpy(ght + b * H3 + g * H + u0, sb.prod + (b * 3 + g) * n, sizeof(float) * n);
                        gru_row(n, H, px + (t * B + b) * H3 + u0, ght + b * H3 + u0,
                                hprev + b * H + u0, pa + (t * B + b) * H3 + u0,
                                py + (t * B + b) * H + u0);
                    }
#pragma omp barrier /* the next step reads all of h */
                }
            }
            split_free(&sb);
        }
    }
    for (int64_t s = 0; s < T && !split_ok(H); s++) {
        const int64_t t = reverse ? T - 1 - s : s, tp = reverse ? t + 1 : t - 1;
        const float *hprev = s == 0 ? nb_data(a.h0) : py + tp * B * H;
        float *ght = pgh + t * B * H3;
        hidden_product(B, H3, H, hprev, pw, pb, ght);
        FOR_ROWS(B, H, {
            gru_row(H, H, px + (t * B + b) * H3, ght + b * H3, hprev + b * H,
                    pa + (t * B + b) * H3, py + (t * B + b) * H);
        });
    }
    seq_free(&a);
    if (failed) {
        nb_decref(out), nb_decref(act), nb_decref(ghs);
        return nb_error("gru_seq: out of memory");
    }
    nb_tensor *alias = nb_alias(out);
    if (!alias) {
        nb_decref(out), nb_decref(act), nb_decref(ghs);
        return NULL;
    }
    nb_tensor *saved[4] = {act, ghs, alias, NULL};
    return seq_record(out, "gru_seq", gru_seq_backward, xp, h0, NULL, w_hh, b_hh, reverse,
                      saved);
}

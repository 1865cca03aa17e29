/* Fused LSTM and GRU cells: forward, and backward right below (see rnn.h for the
 * formulas). Each works row by row (one example of the batch), the loops over the H
 * hidden units vectorise (nb_vsigmoidf, nb_vtanhf from vmath.h), and a large batch is
 * split over OpenMP threads by rows. */
#include "rnn.h"

#include <string.h>

#include "../autograd/autograd.h"
#include "../core/iter.h"
#include "vmath.h"

static char *shp(char *buf, const nb_tensor *t) {
    return nb_shape_str(buf, 128, t->ndim, t->shape);
}

/* x itself when contiguous (a new reference), else a contiguous copy */
static nb_tensor *dense(nb_tensor *x) {
    if (nb_is_contiguous(x)) {
        nb_incref(x);
        return x;
    }
    return nb_contiguous_copy(x);
}

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
 * h' and c' (H). */
static void lstm_row(int64_t H, const float *restrict gx, const float *restrict gh, const float *restrict c, float *restrict act,
                     float *restrict h1, float *restrict c1) {
    for (int64_t j = 0; j < H; j++) {
        float i = nb_vsigmoidf(gx[j] + gh[j]);
        float f = nb_vsigmoidf(gx[H + j] + gh[H + j]);
        float g = nb_vtanhf(gx[2 * H + j] + gh[2 * H + j]);
        float o = nb_vsigmoidf(gx[3 * H + j] + gh[3 * H + j]);
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
static void lstm_row_backward(int64_t H, const float *restrict dh, const float *restrict dc1, const float *restrict act,
                              const float *restrict c, const float *restrict c1, float *restrict dgates, float *restrict dc0) {
    for (int64_t j = 0; j < H; j++) {
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
    nb_tensor *G = dense(gout), *cc = G ? dense(c) : NULL;
    int64_t sg[2] = {B, 4 * H};
    nb_tensor *dg = cc ? nb_empty(2, sg) : NULL, *dc0 = dg ? nb_empty(2, c->shape) : NULL;
    if (!dc0) {
        nb_decref(G), nb_decref(cc), nb_decref(dg);
        return -1;
    }
    const float *pG = nb_data(G), *pa = nb_data(act), *pc = nb_data(cc), *po = nb_data(out);
    float *pd = nb_data(dg), *p0 = nb_data(dc0);
    FOR_ROWS(B, H, {
        lstm_row_backward(H, pG + b * H, pG + (B + b) * H, pa + b * 4 * H, pc + b * H,
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
    nb_tensor *x = dense(gx), *hh = x ? dense(gh) : NULL, *cc = hh ? dense(c) : NULL;
    int64_t so[3] = {2, B, H}, sa[2] = {B, 4 * H};
    nb_tensor *out = cc ? nb_empty(3, so) : NULL, *act = out ? nb_empty(2, sa) : NULL;
    if (act) {
        const float *px = nb_data(x), *ph = nb_data(hh), *pc = nb_data(cc);
        float *po = nb_data(out), *pa = nb_data(act);
        FOR_ROWS(B, H, {
            lstm_row(H, px + b * 4 * H, ph + b * 4 * H, pc + b * H, pa + b * 4 * H, po + b * H,
                     po + (B + b) * H);
        });
    }
    nb_decref(x), nb_decref(hh), nb_decref(cc);
    if (!act) {
        nb_decref(out);
        return NULL;
    }
    nb_tensor *ins[3] = {gx, gh, c};
    if (!nb_wants_grad(3, ins)) {
        nb_decref(act);
        return out;
    }
    nb_node *n = nb_record(out, "lstm_cell", lstm_backward, 3, ins);
    if (!n || !(n->saved[1] = nb_alias(out))) {
        nb_decref(act), nb_decref(out);
        return NULL;
    }
    n->saved[0] = act;
    return out;
}

/* ==== GRU =============================================================================== */

/* One row: gx, gh (3H), h (H) -> act (3H: r, z, n) and h' (H). */
static void gru_row(int64_t H, const float *restrict gx, const float *restrict gh, const float *restrict h, float *restrict act,
                    float *restrict h1) {
    for (int64_t j = 0; j < H; j++) {
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
static void gru_row_backward(int64_t H, const float *restrict d, const float *restrict act, const float *restrict gh,
                             const float *restrict h, float *restrict dgx, float *restrict dgh, float *restrict dh) {
    for (int64_t j = 0; j < H; j++) {
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
    nb_tensor *G = dense(gout), *gh = G ? dense(n->in[1]) : NULL, *h = gh ? dense(n->in[2]) : NULL;
    int64_t s3[2] = {B, 3 * H}, s1[2] = {B, H};
    nb_tensor *dgx = h ? nb_empty(2, s3) : NULL, *dgh = dgx ? nb_empty(2, s3) : NULL;
    nb_tensor *dh = dgh ? nb_empty(2, s1) : NULL;
    if (dh) {
        const float *pG = nb_data(G), *pa = nb_data(act), *pgh = nb_data(gh), *ph = nb_data(h);
        float *px = nb_data(dgx), *pw = nb_data(dgh), *pd = nb_data(dh);
        FOR_ROWS(B, H, {
            gru_row_backward(H, pG + b * H, pa + b * 3 * H, pgh + b * 3 * H, ph + b * H,
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
    nb_tensor *x = dense(gx), *hh = x ? dense(gh) : NULL, *h0 = hh ? dense(h) : NULL;
    int64_t so[2] = {B, H}, sa[2] = {B, 3 * H};
    nb_tensor *out = h0 ? nb_empty(2, so) : NULL, *act = out ? nb_empty(2, sa) : NULL;
    if (act) {
        const float *px = nb_data(x), *ph = nb_data(hh), *p0 = nb_data(h0);
        float *po = nb_data(out), *pa = nb_data(act);
        FOR_ROWS(B, H, {
            gru_row(H, px + b * 3 * H, ph + b * 3 * H, p0 + b * H, pa + b * 3 * H, po + b * H);
        });
    }
    nb_decref(x), nb_decref(hh), nb_decref(h0);
    if (!act) {
        nb_decref(out);
        return NULL;
    }
    nb_tensor *ins[3] = {gx, gh, h};
    if (!nb_wants_grad(3, ins)) {
        nb_decref(act);
        return out;
    }
    nb_node *n = nb_record(out, "gru_cell", gru_backward, 3, ins);
    if (!n) {
        nb_decref(act), nb_decref(out);
        return NULL;
    }
    n->saved[0] = act;
    return out;
}

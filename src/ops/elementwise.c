/* Elementwise ops. Each op: its kernel (a run of n elements, strides in elements), its
 * forward, and right below, its backward with the derivative in a comment. Inputs are
 * broadcast NumPy-style; the engine sums gradients back over broadcast dims. */
#include "elementwise.h"

#include <math.h>
#include <string.h>

#include "impl.h"
#include "vmath.h"

/* Kernel bodies: x = a[i], y = b[i], c = the op's float parameter. The stride-1 and
 * broadcast (stride-0) cases are separate loops so the compiler vectorises them. */
#define BINARY_KERNEL(name, expr)                                                           \
    static void name(int64_t n, float *o, int64_t so, const float *a, int64_t sa,           \
                     const float *b, int64_t sb, const void *ctx) {                         \
        const float c = ctx ? *(const float *)ctx : 0.0f;                                   \
        (void)c;                                                                            \
        if (so == 1 && sa == 1 && sb == 1)                                                  \
            for (int64_t i = 0; i < n; i++) { float x = a[i], y = b[i]; o[i] = (expr); }    \
        else if (so == 1 && sa == 1 && sb == 0) {                                           \
            const float y = b[0];                                                           \
            for (int64_t i = 0; i < n; i++) { float x = a[i]; o[i] = (expr); }              \
        } else if (so == 1 && sa == 0 && sb == 1) {                                         \
            const float x = a[0];                                                           \
            for (int64_t i = 0; i < n; i++) { float y = b[i]; o[i] = (expr); }              \
        } else                                                                              \
            for (int64_t i = 0; i < n; i++) {                                               \
                float x = a[i * sa], y = b[i * sb];                                         \
                o[i * so] = (expr);                                                         \
            }                                                                               \
    }

#define UNARY_KERNEL(name, expr)                                                            \
    static void name(int64_t n, float *o, int64_t so, const float *a, int64_t sa,           \
                     const float *b, int64_t sb, const void *ctx) {                         \
        const float c = ctx ? *(const float *)ctx : 0.0f;                                   \
        (void)c;                                                                            \
        if (so == 1 && sa == 1)                                                             \
            for (int64_t i = 0; i < n; i++) { float x = a[i]; o[i] = (expr); }              \
        else                                                                                \
            for (int64_t i = 0; i < n; i++) { float x = a[i * sa]; o[i * so] = (expr); }    \
    }

/* out = k(a, b) over the broadcast shape of a and b */
static nb_tensor *binary(const char *op, nb_tensor *a, nb_tensor *b, nb_kernel3 k,
                         const float *ctx) {
    int64_t shape[NB_MAXDIM], sa[NB_MAXDIM], sb[NB_MAXDIM];
    int nd = nb_broadcast_shape(op, a->ndim, a->shape, b->ndim, b->shape, shape);
    if (nd < 0) return NULL;
    nb_tensor *o = nb_empty(nd, shape);
    if (!o) return NULL;
    nb_broadcast_strides(a, nd, shape, sa);
    nb_broadcast_strides(b, nd, shape, sb);
    nb_run3(nd, shape, nb_data(o), o->stride, nb_data(a), sa, nb_data(b), sb, k, ctx);
    return o;
}

static nb_tensor *unary(nb_tensor *a, nb_kernel3 k, const float *ctx) {
    nb_tensor *o = nb_empty(a->ndim, a->shape);
    if (!o) return NULL;
    nb_run3(a->ndim, a->shape, nb_data(o), o->stride, nb_data(a), a->stride, NULL, NULL, k, ctx);
    return o;
}

/* nb_attach for out = op(a[, b]) with the usual extras of an elementwise op: farg[0] = c,
 * saved[0] = save (an alias when save is out: a node must not own its output). */
static nb_tensor *record(nb_tensor *out, const char *op, nb_backward_fn bw, nb_tensor *a,
                         nb_tensor *b, nb_tensor *save, double c) {
    nb_tensor *ins[2] = {a, b};
    nb_node *n = nb_attach(&out, op, bw, b ? 2 : 1, ins);
    if (!n) return out;
    n->farg[0] = c;
    if (save) { /* an alias of the output: saving out itself would be a cycle */
        n->saved[0] = save == out ? nb_alias(out) : (nb_incref(save), save);
        if (!n->saved[0]) {
            nb_decref(out);
            return NULL;
        }
    }
    return out;
}

/* gradient = k(g, s) over g's shape, s saved by the forward */
static nb_tensor *grad2(nb_tensor *g, nb_tensor *s, nb_kernel3 k, double c) {
    float cf = (float)c;
    return binary("backward", g, s, k, &cf);
}

/* ==== binary ops ======================================================================= */

BINARY_KERNEL(k_add, x + y)
BINARY_KERNEL(k_sub, x - y)
BINARY_KERNEL(k_mul, x * y)
BINARY_KERNEL(k_div, x / y)
BINARY_KERNEL(k_pow, powf(x, y))
BINARY_KERNEL(k_max, x >= y ? x : y)
BINARY_KERNEL(k_min, x <= y ? x : y)
UNARY_KERNEL(k_neg, -x)

/* add: out = a + b;  ∂out/∂a = 1, ∂out/∂b = 1 */
static int add_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    if (n->needs[0]) nb_incref(gin[0] = g);
    if (n->needs[1]) nb_incref(gin[1] = g);
    return 0;
}
nb_tensor *nb_add(nb_tensor *a, nb_tensor *b) {
    return record(binary("add", a, b, k_add, NULL), "add", add_backward, a, b, NULL, 0);
}

/* sub: out = a - b;  ∂out/∂a = 1, ∂out/∂b = -1 */
static int sub_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    if (n->needs[0]) nb_incref(gin[0] = g);
    if (n->needs[1] && !(gin[1] = unary(g, k_neg, NULL))) return -1;
    return 0;
}
nb_tensor *nb_sub(nb_tensor *a, nb_tensor *b) {
    return record(binary("sub", a, b, k_sub, NULL), "sub", sub_backward, a, b, NULL, 0);
}

/* mul: out = a ⊙ b;  dL/da = g ⊙ b, dL/db = g ⊙ a */
static int mul_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    if (n->needs[0] && !(gin[0] = binary("mul", g, n->in[1], k_mul, NULL))) return -1;
    if (n->needs[1] && !(gin[1] = binary("mul", g, n->in[0], k_mul, NULL))) return -1;
    return 0;
}
nb_tensor *nb_mul(nb_tensor *a, nb_tensor *b) {
    return record(binary("mul", a, b, k_mul, NULL), "mul", mul_backward, a, b, NULL, 0);
}

/* div: out = a / b;  dL/da = g / b, dL/db = -g ⊙ a / b² = -g ⊙ out / b */
BINARY_KERNEL(k_div_bw_b, -x * y) /* x = g / b, y = out */
static int div_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *gb = binary("div", g, n->in[1], k_div, NULL); /* g / b */
    if (!gb) return -1;
    if (n->needs[1] && !(gin[1] = binary("div", gb, n->saved[0], k_div_bw_b, NULL))) {
        nb_decref(gb);
        return -1;
    }
    if (n->needs[0]) gin[0] = gb;
    else nb_decref(gb);
    return 0;
}
nb_tensor *nb_div(nb_tensor *a, nb_tensor *b) {
    nb_tensor *o = binary("div", a, b, k_div, NULL);
    return record(o, "div", div_backward, a, b, o, 0);
}

/* pow: out = a^b;  dL/da = g ⊙ b ⊙ a^(b-1), dL/db = g ⊙ out ⊙ ln a */
BINARY_KERNEL(k_pow_da, y == 0.0f ? 0.0f : y * powf(x, y - 1.0f)) /* x = a, y = b */
BINARY_KERNEL(k_mul_log, x > 0.0f ? y * logf(x) : 0.0f)          /* x = a, y = out */
static int pow_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    if (n->needs[0]) {
        nb_tensor *d = binary("pow", n->in[0], n->in[1], k_pow_da, NULL);
        if (!d) return -1;
        gin[0] = binary("pow", g, d, k_mul, NULL);
        nb_decref(d);
        if (!gin[0]) return -1;
    }
    if (n->needs[1]) {
        nb_tensor *d = binary("pow", n->in[0], n->saved[0], k_mul_log, NULL);
        if (!d) return -1;
        gin[1] = binary("pow", g, d, k_mul, NULL);
        nb_decref(d);
        if (!gin[1]) return -1;
    }
    return 0;
}
nb_tensor *nb_pow(nb_tensor *a, nb_tensor *b) {
    nb_tensor *o = binary("pow", a, b, k_pow, NULL);
    return record(o, "pow", pow_backward, a, b, o, 0);
}

/* maximum/minimum: the gradient goes to the larger (smaller) input; ties split it in two,
 * as PyTorch does */
BINARY_KERNEL(k_pick_ge, x > y ? 1.0f : (x == y ? 0.5f : 0.0f))
static int minmax_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    bool is_max = n->farg[0] > 0;
    nb_tensor *a = n->in[is_max ? 0 : 1], *b = n->in[is_max ? 1 : 0];
    nb_tensor *wa = binary("maximum", a, b, k_pick_ge, NULL); /* weight of the winner */
    if (!wa) return -1;
    nb_tensor *ga = binary("maximum", g, wa, k_mul, NULL);
    nb_decref(wa);
    if (!ga) return -1;
    nb_tensor *gb = binary("maximum", g, ga, k_sub, NULL);
    if (!gb) {
        nb_decref(ga);
        return -1;
    }
    /* wa is the weight of in[0] in both cases (for min the operands were swapped) */
    if (n->needs[0]) gin[0] = ga;
    else nb_decref(ga);
    if (n->needs[1]) gin[1] = gb;
    else nb_decref(gb);
    return 0;
}
nb_tensor *nb_maximum(nb_tensor *a, nb_tensor *b) {
    return record(binary("maximum", a, b, k_max, NULL), "maximum", minmax_backward, a, b, NULL, 1);
}
nb_tensor *nb_minimum(nb_tensor *a, nb_tensor *b) {
    return record(binary("minimum", a, b, k_min, NULL), "minimum", minmax_backward, a, b, NULL, -1);
}

/* ==== with a plain number ============================================================== */

UNARY_KERNEL(k_add_s, x + c)
UNARY_KERNEL(k_mul_s, x * c)
UNARY_KERNEL(k_rsub_s, c - x)
UNARY_KERNEL(k_rdiv_s, c / x)
UNARY_KERNEL(k_pow_s, powf(x, c))
UNARY_KERNEL(k_square, x * x)
UNARY_KERNEL(k_rpow_s, powf(c, x))

static nb_tensor *unary_s(nb_tensor *a, nb_kernel3 k, double s) {
    float c = (float)s;
    return unary(a, k, &c);
}

/* a + s: dL/da = g */
static int pass_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_incref(gin[0] = g);
    return 0;
}
nb_tensor *nb_add_scalar(nb_tensor *a, double s) {
    return record(unary_s(a, k_add_s, s), "add", pass_backward, a, NULL, NULL, s);
}

/* a * s: dL/da = s g */
static int mul_s_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = unary_s(g, k_mul_s, n->farg[0])) ? 0 : -1;
}
nb_tensor *nb_mul_scalar(nb_tensor *a, double s) {
    return record(unary_s(a, k_mul_s, s), "mul", mul_s_backward, a, NULL, NULL, s);
}

/* s - a: dL/da = -g */
static int neg_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = unary(g, k_neg, NULL)) ? 0 : -1;
}
nb_tensor *nb_rsub_scalar(double s, nb_tensor *a) {
    return record(unary_s(a, k_rsub_s, s), "sub", neg_backward, a, NULL, NULL, s);
}

/* neg: out = -a;  dL/da = -g (neg_backward above) */

/* s / a: dL/da = -g s / a² = -g ⊙ out / a */
BINARY_KERNEL(k_rdiv_bw, -x * y) /* x = g, y = out / a */
static int rdiv_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *oa = binary("div", n->saved[0], n->in[0], k_div, NULL);
    if (!oa) return -1;
    gin[0] = binary("div", g, oa, k_rdiv_bw, NULL);
    nb_decref(oa);
    return gin[0] ? 0 : -1;
}
nb_tensor *nb_rdiv_scalar(double s, nb_tensor *a) {
    nb_tensor *o = unary_s(a, k_rdiv_s, s);
    return record(o, "div", rdiv_backward, a, NULL, o, s);
}

/* a ^ p: dL/da = g ⊙ p a^(p-1) */
BINARY_KERNEL(k_pow_s_bw, c == 0.0f ? 0.0f : (c == 2.0f ? x * 2.0f * y : x * c * powf(y, c - 1.0f)))
static int pow_s_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = grad2(g, n->in[0], k_pow_s_bw, n->farg[0])) ? 0 : -1;
}
nb_tensor *nb_pow_scalar(nb_tensor *a, double p) {
    nb_tensor *o = p == 2.0 ? unary(a, k_square, NULL) : unary_s(a, k_pow_s, p);
    return record(o, "pow", pow_s_backward, a, NULL, NULL, p);
}

/* s ^ a: dL/da = g ⊙ out ln s */
BINARY_KERNEL(k_rpow_bw, x * y * logf(c))
static int rpow_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = grad2(g, n->saved[0], k_rpow_bw, n->farg[0])) ? 0 : -1;
}
nb_tensor *nb_rpow_scalar(double s, nb_tensor *a) {
    nb_tensor *o = unary_s(a, k_rpow_s, s);
    return record(o, "pow", rpow_backward, a, NULL, o, s);
}

/* ==== unary ops ========================================================================
 * Backward kernels take x = g (the incoming gradient) and y = a saved tensor (the input a,
 * or the output when the derivative is cheaper in terms of it). */

/* exp: out = eᵃ;  dL/da = g ⊙ out */
UNARY_KERNEL(k_exp, expf(x))
static int exp_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = binary("exp", g, n->saved[0], k_mul, NULL)) ? 0 : -1;
}

/* log: out = ln a;  dL/da = g / a */
UNARY_KERNEL(k_log, logf(x))
static int log_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = binary("log", g, n->in[0], k_div, NULL)) ? 0 : -1;
}

/* sqrt: out = √a;  dL/da = g / (2 out) */
UNARY_KERNEL(k_sqrt, sqrtf(x))
BINARY_KERNEL(k_sqrt_bw, x / (2.0f * y))
static int sqrt_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = grad2(g, n->saved[0], k_sqrt_bw, 0)) ? 0 : -1;
}

/* abs: out = |a|;  dL/da = g ⊙ sign(a) (0 at 0, as PyTorch) */
UNARY_KERNEL(k_abs, fabsf(x))
BINARY_KERNEL(k_abs_bw, y > 0.0f ? x : (y < 0.0f ? -x : 0.0f))
static int abs_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = grad2(g, n->in[0], k_abs_bw, 0)) ? 0 : -1;
}

/* sin: dL/da = g cos a;  cos: dL/da = -g sin a */
UNARY_KERNEL(k_sin, sinf(x))
UNARY_KERNEL(k_cos, cosf(x))
BINARY_KERNEL(k_sin_bw, x * cosf(y))
BINARY_KERNEL(k_cos_bw, -x * sinf(y))
static int sin_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = grad2(g, n->in[0], k_sin_bw, 0)) ? 0 : -1;
}
static int cos_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = grad2(g, n->in[0], k_cos_bw, 0)) ? 0 : -1;
}

/* relu: out = max(a, 0);  dL/da = g where out > 0, else 0.
 * When the engine holds the only reference to g and its storage (no hook, no retain_grad,
 * no step-by-step visitor kept it), dL/da is written over g: no new buffer to fill, which
 * on the MNIST CNN's 64×32×28×28 activations is memory the caches need for the rest. */
UNARY_KERNEL(k_relu, x > 0.0f ? x : 0.0f)
BINARY_KERNEL(k_relu_bw, y > 0.0f ? x : 0.0f)
static int relu_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *y = n->saved[0];
    if (g->refcount == 1 && g->storage->refcount == 1 && !g->autograd && nb_is_contiguous(g) &&
        nb_same_shape(g, y)) {
        int64_t sy[NB_MAXDIM];
        nb_broadcast_strides(y, y->ndim, y->shape, sy);
        nb_run3(g->ndim, g->shape, nb_data(g), g->stride, nb_data(g), g->stride, nb_data(y), sy,
                k_relu_bw, NULL);
        nb_incref(gin[0] = g);
        return 0;
    }
    return (gin[0] = grad2(g, y, k_relu_bw, 0)) ? 0 : -1;
}

/* sigmoid: out = σ(a) = 1 / (1 + e⁻ᵃ);  dL/da = g ⊙ out ⊙ (1 - out)
 * (nb_vsigmoidf and nb_vtanhf, in vmath.h, are written to vectorise: within 3 ulp) */
UNARY_KERNEL(k_sigmoid, nb_vsigmoidf(x))
BINARY_KERNEL(k_sigmoid_bw, x * y * (1.0f - y))
static int sigmoid_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = grad2(g, n->saved[0], k_sigmoid_bw, 0)) ? 0 : -1;
}

/* tanh: dL/da = g ⊙ (1 - out²) */
UNARY_KERNEL(k_tanh, nb_vtanhf(x))
BINARY_KERNEL(k_tanh_bw, x * (1.0f - y * y))
static int tanh_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = grad2(g, n->saved[0], k_tanh_bw, 0)) ? 0 : -1;
}

/* leaky_relu: out = a if a > 0 else slope·a;  dL/da = g or slope·g */
UNARY_KERNEL(k_leaky_relu, x > 0.0f ? x : c * x)
BINARY_KERNEL(k_leaky_relu_bw, y > 0.0f ? x : c * x)
static int leaky_relu_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = grad2(g, n->in[0], k_leaky_relu_bw, n->farg[0])) ? 0 : -1;
}

/* elu: out = a if a > 0 else α(eᵃ - 1);  dL/da = g or g ⊙ (out + α) */
UNARY_KERNEL(k_elu, x > 0.0f ? x : c * expm1f(x))
BINARY_KERNEL(k_elu_bw, y > 0.0f ? x : x * c * expf(y))
static int elu_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = grad2(g, n->in[0], k_elu_bw, n->farg[0])) ? 0 : -1;
}

/* gelu (exact): out = a Φ(a), Φ the standard normal CDF;
 * dL/da = g ⊙ (Φ(a) + a φ(a)), φ(a) = e^(-a²/2) / √(2π) */
UNARY_KERNEL(k_gelu, 0.5f * x * (1.0f + erff(x * 0.70710678118654752f)))
BINARY_KERNEL(k_gelu_bw, x * (0.5f * (1.0f + erff(y * 0.70710678118654752f)) +
                              y * 0.39894228040143268f * expf(-0.5f * y * y)))
static int gelu_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = grad2(g, n->in[0], k_gelu_bw, 0)) ? 0 : -1;
}

/* softplus: out = ln(1 + eᵃ);  dL/da = g ⊙ σ(a) */
UNARY_KERNEL(k_softplus, x > 20.0f ? x : log1pf(expf(x)))
BINARY_KERNEL(k_softplus_bw, x / (1.0f + expf(-y)))
static int softplus_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = grad2(g, n->in[0], k_softplus_bw, 0)) ? 0 : -1;
}

/* log1p: out = ln(1 + a);  dL/da = g / (1 + a) */
UNARY_KERNEL(k_log1p, log1pf(x))
BINARY_KERNEL(k_log1p_bw, x / (1.0f + y))
static int log1p_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = grad2(g, n->in[0], k_log1p_bw, 0)) ? 0 : -1;
}

/* softsign: out = a / (1 + |a|);  dL/da = g / (1 + |a|)² */
UNARY_KERNEL(k_softsign, x / (1.0f + fabsf(x)))
BINARY_KERNEL(k_softsign_bw, x / ((1.0f + fabsf(y)) * (1.0f + fabsf(y))))
static int softsign_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    return (gin[0] = grad2(g, n->in[0], k_softsign_bw, 0)) ? 0 : -1;
}

/* The forwards of the rows of NB_UNARY_OPS and NB_UNARY_PARAM_OPS (elementwise.h): the
 * kernel k_<name> over a, then the node with <name>_backward, saving the output when the
 * row says the backward reads it. */
#define DEFINE_UNARY(name, saves_out, ...)                                                  \
    nb_tensor *nb_##name(nb_tensor *a) {                                                    \
        nb_tensor *o = unary(a, k_##name, NULL);                                            \
        return record(o, #name, name##_backward, a, NULL, (saves_out) ? o : NULL, 0);      \
    }
#define DEFINE_UNARY_PARAM(name, ...)                                                       \
    nb_tensor *nb_##name(nb_tensor *a, double c) {                                          \
        return record(unary_s(a, k_##name, c), #name, name##_backward, a, NULL, NULL, c);  \
    }
NB_UNARY_OPS(DEFINE_UNARY)
NB_UNARY_PARAM_OPS(DEFINE_UNARY_PARAM)

/* As ggml's GGML_OP_COUNT checks: a row added to a table must come with its kernel, its
 * backward, a golden case and a gradient check (see the top of elementwise.h). */
#define COUNT_ROW(...) +1
_Static_assert(0 NB_UNARY_OPS(COUNT_ROW) == 14, "NB_UNARY_OPS changed: see elementwise.h");
_Static_assert(0 NB_UNARY_PARAM_OPS(COUNT_ROW) == 2, "NB_UNARY_PARAM_OPS changed");
_Static_assert(0 NB_BINARY_OPS(COUNT_ROW) == 7, "NB_BINARY_OPS changed");
_Static_assert(0 NB_COMPARE_OPS(COUNT_ROW) == 6, "NB_COMPARE_OPS changed");

/* clamp: out = min(max(a, lo), hi);  dL/da = g where lo ≤ a ≤ hi, else 0 */
typedef struct {
    float lo, hi;
} clamp_ctx;
static void k_clamp(int64_t n, float *o, int64_t so, const float *a, int64_t sa, const float *b,
                    int64_t sb, const void *ctx) {
    const clamp_ctx *c = ctx;
    for (int64_t i = 0; i < n; i++) {
        float x = a[i * sa];
        o[i * so] = x < c->lo ? c->lo : (x > c->hi ? c->hi : x);
    }
}
static void k_clamp_bw(int64_t n, float *o, int64_t so, const float *a, int64_t sa,
                       const float *b, int64_t sb, const void *ctx) {
    const clamp_ctx *c = ctx;
    for (int64_t i = 0; i < n; i++) {
        float y = b[i * sb];
        o[i * so] = (y >= c->lo && y <= c->hi) ? a[i * sa] : 0.0f;
    }
}
static int clamp_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    clamp_ctx c = {(float)n->farg[0], (float)n->farg[1]};
    gin[0] = binary("clamp", g, n->in[0], k_clamp_bw, (const float *)&c);
    return gin[0] ? 0 : -1;
}
nb_tensor *nb_clamp(nb_tensor *a, double lo, double hi) {
    if (lo > hi) return nb_error("clamp: min (%g) is greater than max (%g)", lo, hi);
    clamp_ctx c = {(float)lo, (float)hi};
    nb_tensor *o = unary(a, k_clamp, (const float *)&c);
    nb_tensor *ins[1] = {a};
    nb_node *n = nb_attach(&o, "clamp", clamp_backward, 1, ins);
    if (n) n->farg[0] = lo, n->farg[1] = hi;
    return o;
}

/* ==== comparisons and where ============================================================ */

BINARY_KERNEL(k_eq, x == y ? 1.0f : 0.0f)
BINARY_KERNEL(k_ne, x != y ? 1.0f : 0.0f)
BINARY_KERNEL(k_lt, x < y ? 1.0f : 0.0f)
BINARY_KERNEL(k_le, x <= y ? 1.0f : 0.0f)
BINARY_KERNEL(k_gt, x > y ? 1.0f : 0.0f)
BINARY_KERNEL(k_ge, x >= y ? 1.0f : 0.0f)
#define CMP_KERNEL(name, op, ...) [op] = k_##name,
#define CMP_NAME(name, op, ...) [op] = #name,
static nb_kernel3 cmp_kernel(nb_cmp_op op) {
    static const nb_kernel3 k[] = {NB_COMPARE_OPS(CMP_KERNEL)};
    return k[op];
}
static const char *cmp_name[] = {NB_COMPARE_OPS(CMP_NAME)};

nb_tensor *nb_compare(nb_tensor *a, nb_tensor *b, nb_cmp_op op) {
    return binary(cmp_name[op], a, b, cmp_kernel(op), NULL);
}

nb_tensor *nb_compare_scalar(nb_tensor *a, double s, nb_cmp_op op) {
    nb_tensor *t = nb_scalar((float)s);
    if (!t) return NULL;
    nb_tensor *o = binary(cmp_name[op], a, t, cmp_kernel(op), NULL);
    nb_decref(t);
    return o;
}

/* where(mask, a, b) = a where mask ≠ 0, else b;  dL/da = g where mask, dL/db = g elsewhere */
static void k_where(int64_t n, float *o, int64_t so, const float *a, int64_t sa, const float *b,
                    int64_t sb, const void *ctx) {
    /* a = the mask, b = the values taken where the mask is set */
    for (int64_t i = 0; i < n; i++) o[i * so] = a[i * sa] != 0.0f ? b[i * sb] : o[i * so];
}
BINARY_KERNEL(k_mask_keep, y != 0.0f ? x : 0.0f)
BINARY_KERNEL(k_mask_drop, y != 0.0f ? 0.0f : x)
static int where_backward(nb_node *n, nb_tensor *g, nb_tensor **gin) {
    nb_tensor *mask = n->saved[0];
    if (n->needs[0] && !(gin[0] = binary("where", g, mask, k_mask_keep, NULL))) return -1;
    if (n->needs[1] && !(gin[1] = binary("where", g, mask, k_mask_drop, NULL))) return -1;
    return 0;
}
nb_tensor *nb_where(nb_tensor *mask, nb_tensor *a, nb_tensor *b) {
    int64_t s1[NB_MAXDIM], shape[NB_MAXDIM], sm[NB_MAXDIM], sx[NB_MAXDIM];
    int n1 = nb_broadcast_shape("where", a->ndim, a->shape, b->ndim, b->shape, s1);
    if (n1 < 0) return NULL;
    int nd = nb_broadcast_shape("where", mask->ndim, mask->shape, n1, s1, shape);
    if (nd < 0) return NULL;
    nb_tensor *o = nb_empty(nd, shape);
    if (!o) return NULL;
    /* o = b broadcast, then overwrite with a where mask */
    nb_broadcast_strides(b, nd, shape, sx);
    nb_broadcast_strides(mask, nd, shape, sm);
    nb_tensor *bb = nb_view_raw(b, nd, shape, sx, b->offset);
    if (!bb || nb_copy_(o, bb)) {
        nb_decref(bb);
        nb_decref(o);
        return NULL;
    }
    nb_decref(bb);
    nb_broadcast_strides(a, nd, shape, sx);
    nb_run3(nd, shape, nb_data(o), o->stride, nb_data(mask), sm, nb_data(a), sx, k_where, NULL);
    nb_tensor *ins[2] = {a, b};
    nb_node *n = nb_attach(&o, "where", where_backward, 2, ins);
    if (n) nb_incref(n->saved[0] = mask);
    return o;
}

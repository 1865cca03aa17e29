/* The functional neural-network ops for Lua (nabla.conv2d, nabla.max_pool2d,
 * nabla.batch_norm, nabla.cross_entropy, ...): argument checking and option tables; the
 * kernels are src/ops/conv.c, pool.c, norm.c and loss.c. The nn.Module classes in
 * lua/nabla/nn/ are written on top of exactly these names. Arguments follow PyTorch's
 * torch.nn.functional, with keyword arguments as an options table:
 *
 *   conv2d(x, w, b|nil, {stride=, padding=, dilation=, groups=})   pairs: n or {h, w};
 *                                                                  padding also "same"/"valid";
 *          algorithm = "auto" (default), "im2col" or "direct" (src/ops/conv.h)
 *   max_pool2d(x, kernel, stride|nil, padding, dilation, ceil_mode, return_indices)
 *   avg_pool2d(x, kernel, stride|nil, padding, ceil_mode, count_include_pad)
 *   adaptive_avg_pool2d(x, size)                                   size: n or {oh, ow}
 *   batch_norm(x, running_mean|nil, running_var|nil, weight|nil, bias|nil, training,
 *              momentum, eps)
 *   layer_norm(x, normalized_shape, weight|nil, bias|nil, eps)
 *   group_norm(x, groups, weight|nil, bias|nil, eps)
 *   dropout(x, p, training)
 *   embedding(idx, weight, {padding_idx=})
 *   cross_entropy(logits, target, {weight=, ignore_index=, reduction=, label_smoothing=})
 *   nll_loss(logp, target, {weight=, ignore_index=, reduction=})
 *   mse_loss / l1_loss(input, target, {reduction=})
 *   smooth_l1_loss(input, target, {reduction=, beta=}), huber_loss(..., {reduction=, delta=})
 *   binary_cross_entropy(p, target, {weight=, reduction=})
 *   binary_cross_entropy_with_logits(x, target, {weight=, pos_weight=, reduction=})
 *   gaussian_nll_loss(input, target, var, {full=, eps=, reduction=})
 */
#include <math.h>
#include <string.h>

#include "../ops/conv.h"
#include "../ops/loss.h"
#include "../ops/norm.h"
#include "../ops/pool.h"
#include "nbl.h"

/* ---- argument helpers ------------------------------------------------------------------ */

/* An options table at i (nil or absent is an empty one) whose keys must all be in `allowed`
 * (NULL-terminated): a typo is an error that lists the valid names. */
static void check_opts(lua_State *L, int i, const char *op, const char *const *allowed) {
    if (lua_isnoneornil(L, i)) return;
    if (!lua_istable(L, i))
        luaL_error(L, "%s: argument %d must be an options table, got %s", op, i,
                   luaL_typename(L, i));
    lua_pushnil(L);
    while (lua_next(L, i)) {
        lua_pop(L, 1);
        bool ok = false;
        if (lua_type(L, -1) == LUA_TSTRING)
            for (int k = 0; allowed[k] && !ok; k++) ok = strcmp(lua_tostring(L, -1), allowed[k]) == 0;
        if (!ok) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (int k = 0; allowed[k]; k++) {
                if (k) luaL_addstring(&b, ", ");
                luaL_addstring(&b, allowed[k]);
            }
            luaL_pushresult(&b);
            const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
            luaL_error(L, "%s: unknown option '%s' (options: %s)", op, key, lua_tostring(L, -1));
        }
    }
}

/* Pushes opts[key] (nil when there is no table) and returns its type. */
static int opt_get(lua_State *L, int i, const char *key) {
    if (!lua_istable(L, i)) {
        lua_pushnil(L);
        return LUA_TNIL;
    }
    return lua_getfield(L, i, key);
}

/* options[key] as one of names (NULL-terminated): values[k] for names[k] (k itself if values
 * is NULL), or def when absent; anything else is an error listing the names:
 * op: key must be "a", "b" or "c", got x */
static int opt_choice(lua_State *L, int i, const char *key, const char *const *names,
                      const int *values, int def, const char *op) {
    int k = -1;
    if (opt_get(L, i, key) != LUA_TNIL) {
        const char *v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
        for (k = 0; names[k] && strcmp(v, names[k]) != 0; k++) {}
        if (!names[k]) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (int j = 0; names[j]; j++) {
                luaL_addstring(&b, j == 0 ? "\"" : names[j + 1] ? ", \"" : " or \"");
                luaL_addstring(&b, names[j]);
                luaL_addchar(&b, '"');
            }
            luaL_pushresult(&b);
            const char *list = lua_tostring(L, -1), *got = luaL_tolstring(L, -2, NULL);
            luaL_error(L, "%s: %s must be %s, got %s", op, key, list, got);
        }
    }
    lua_pop(L, 1);
    return k < 0 ? def : values ? values[k] : k;
}

static double opt_number(lua_State *L, int i, const char *key, double def, const char *op) {
    int t = opt_get(L, i, key);
    double v = def;
    if (t == LUA_TNUMBER) v = lua_tonumber(L, -1);
    else if (t != LUA_TNIL)
        luaL_error(L, "%s: option %s must be a number, got %s", op, key, lua_typename(L, t));
    lua_pop(L, 1);
    return v;
}

static bool opt_bool(lua_State *L, int i, const char *key, bool def, const char *op) {
    int t = opt_get(L, i, key);
    bool v = def;
    if (t == LUA_TBOOLEAN) v = lua_toboolean(L, -1);
    else if (t != LUA_TNIL)
        luaL_error(L, "%s: option %s must be true or false, got %s", op, key, lua_typename(L, t));
    lua_pop(L, 1);
    return v;
}

/* A tensor option (borrowed: it stays referenced by the options table) or NULL. */
static nb_tensor *opt_tensor(lua_State *L, int i, const char *key, const char *op) {
    int t = opt_get(L, i, key);
    nb_tensor *v = NULL;
    if (t != LUA_TNIL) {
        v = nbl_test(L, -1);
        if (!v) luaL_error(L, "%s: option %s must be a tensor, got %s", op, key, lua_typename(L, t));
    }
    lua_pop(L, 1);
    return v;
}

/* An integer from the value at the top of the stack (pops it). */
static int64_t pop_int(lua_State *L, const char *op, const char *what) {
    int ok;
    lua_Integer v = lua_tointegerx(L, -1, &ok);
    if (!ok)
        luaL_error(L, "%s: %s must be an integer or a pair {h, w} of integers, got %s", op, what,
                   lua_type(L, -1) == LUA_TNUMBER ? "a fraction" : luaL_typename(L, -1));
    lua_pop(L, 1);
    return v;
}

/* A {height, width} pair from the value at the top of the stack (pops it): a number n
 * means {n, n}; nil leaves out unchanged. */
static void pop_pair(lua_State *L, int64_t out[2], const char *op, const char *what) {
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    if (lua_istable(L, -1)) {
        if (luaL_len(L, -1) != 2)
            luaL_error(L, "%s: %s must be a number or a pair {h, w}", op, what);
        for (int k = 0; k < 2; k++) {
            lua_geti(L, -1, k + 1);
            out[k] = pop_int(L, op, what);
        }
        lua_pop(L, 1);
        return;
    }
    out[0] = out[1] = pop_int(L, op, what);
}

/* A pair argument at stack index i (nil keeps out). */
static void arg_pair(lua_State *L, int i, int64_t out[2], const char *op, const char *what) {
    lua_pushvalue(L, i);
    pop_pair(L, out, op, what);
}

static nb_tensor *opt_arg_tensor(lua_State *L, int i, const char *op, const char *what) {
    if (lua_isnoneornil(L, i)) return NULL;
    nb_tensor *t = nbl_test(L, i);
    if (!t) luaL_error(L, "%s: %s must be a tensor or nil, got %s", op, what, luaL_typename(L, i));
    return t;
}

static bool opt_arg_bool(lua_State *L, int i, bool def) {
    return lua_isnoneornil(L, i) ? def : lua_toboolean(L, i);
}

/* ---- convolution ----------------------------------------------------------------------- */

static int l_conv2d(lua_State *L) {
    static const char *const allowed[] = {"stride", "padding", "dilation", "groups", "algorithm",
                                          NULL};
    static const char *const algorithms[] = {"auto", "im2col", "direct", NULL};
    const char *op = "conv2d";
    nb_tensor *x = nbl_check(L, 1), *w = nbl_check(L, 2);
    nb_tensor *b = opt_arg_tensor(L, 3, op, "bias");
    check_opts(L, 4, op, allowed);
    nb_conv2d_opts o = {{1, 1}, {0, 0}, {1, 1}, 1};
    opt_get(L, 4, "stride");
    pop_pair(L, o.stride, op, "stride");
    opt_get(L, 4, "dilation");
    pop_pair(L, o.dilation, op, "dilation");
    o.groups = (int64_t)opt_number(L, 4, "groups", 1, op);
    o.algorithm = opt_choice(L, 4, "algorithm", algorithms, NULL, NB_CONV_AUTO, op); /* enum order */
    if (opt_get(L, 4, "padding") == LUA_TSTRING) {
        const char *p = lua_tostring(L, -1);
        if (strcmp(p, "valid") == 0) {
            o.padding[0] = o.padding[1] = 0;
        } else if (strcmp(p, "same") == 0) {
            /* the output keeps the input's size: stride 1, total padding d·(k − 1), which
             * must split evenly between the two sides */
            if (w->ndim != 4) return nbl_push(L, nb_conv2d(x, w, b, &o)); /* its error */
            for (int k = 0; k < 2; k++) {
                int64_t total = o.dilation[k] * (w->shape[2 + k] - 1);
                if (o.stride[k] != 1)
                    return luaL_error(L, "conv2d: padding='same' needs stride 1");
                if (total % 2)
                    return luaL_error(L, "conv2d: padding='same' with a kernel of %d (dilation "
                                         "%d) would pad unevenly; give the padding as numbers",
                                      (int)w->shape[2 + k], (int)o.dilation[k]);
                o.padding[k] = total / 2;
            }
        } else
            return luaL_error(L, "conv2d: padding must be a number, a pair {h, w}, 'same' or "
                                 "'valid', got '%s'", p);
        lua_pop(L, 1);
    } else
        pop_pair(L, o.padding, op, "padding");
    return nbl_push(L, nb_conv2d(x, w, b, &o));
}

/* ---- pooling --------------------------------------------------------------------------- */

/* kernel, stride (nil: the kernel), padding: arguments 2, 3, 4 */
static nb_pool2d_opts pool_args(lua_State *L, const char *op) {
    nb_pool2d_opts o = {{1, 1}, {1, 1}, {0, 0}, {1, 1}, false, true};
    if (lua_isnoneornil(L, 2)) luaL_error(L, "%s: the kernel size (argument 2) is missing", op);
    arg_pair(L, 2, o.kernel, op, "kernel_size");
    o.stride[0] = o.kernel[0], o.stride[1] = o.kernel[1];
    arg_pair(L, 3, o.stride, op, "stride");
    arg_pair(L, 4, o.padding, op, "padding");
    return o;
}

static int l_max_pool2d(lua_State *L) {
    nb_tensor *x = nbl_check(L, 1);
    nb_pool2d_opts o = pool_args(L, "max_pool2d");
    arg_pair(L, 5, o.dilation, "max_pool2d", "dilation");
    o.ceil_mode = opt_arg_bool(L, 6, false);
    bool want_idx = opt_arg_bool(L, 7, false);
    nb_tensor *idx = NULL;
    nb_tensor *y = nb_max_pool2d(x, &o, want_idx ? &idx : NULL);
    nbl_push(L, y);
    if (!want_idx) return 1;
    nbl_push(L, idx);
    return 2;
}

static int l_avg_pool2d(lua_State *L) {
    nb_tensor *x = nbl_check(L, 1);
    nb_pool2d_opts o = pool_args(L, "avg_pool2d");
    o.ceil_mode = opt_arg_bool(L, 5, false);
    o.count_include_pad = opt_arg_bool(L, 6, true);
    return nbl_push(L, nb_avg_pool2d(x, &o));
}

static int l_adaptive_avg_pool2d(lua_State *L) {
    nb_tensor *x = nbl_check(L, 1);
    int64_t s[2] = {-1, -1};
    if (lua_istable(L, 2)) { /* {oh, ow}; a nil entry keeps the input's size */
        for (int k = 0; k < 2; k++) {
            lua_geti(L, 2, k + 1);
            if (!lua_isnil(L, -1)) s[k] = pop_int(L, "adaptive_avg_pool2d", "output_size");
            else lua_pop(L, 1);
        }
    } else
        arg_pair(L, 2, s, "adaptive_avg_pool2d", "output_size");
    if (x->ndim >= 2) {
        if (s[0] == -1) s[0] = x->shape[x->ndim - 2];
        if (s[1] == -1) s[1] = x->shape[x->ndim - 1];
    }
    return nbl_push(L, nb_adaptive_avg_pool2d(x, s[0], s[1]));
}

/* ---- normalisation, dropout, embedding ------------------------------------------------- */

static int l_batch_norm(lua_State *L) {
    const char *op = "batch_norm";
    nb_tensor *x = nbl_check(L, 1);
    nb_tensor *rm = opt_arg_tensor(L, 2, op, "running_mean");
    nb_tensor *rv = opt_arg_tensor(L, 3, op, "running_var");
    nb_tensor *w = opt_arg_tensor(L, 4, op, "weight");
    nb_tensor *b = opt_arg_tensor(L, 5, op, "bias");
    bool training = opt_arg_bool(L, 6, false);
    double momentum = luaL_optnumber(L, 7, 0.1), eps = luaL_optnumber(L, 8, 1e-5);
    return nbl_push(L, nb_batch_norm(x, rm, rv, w, b, training, momentum, eps));
}

static int l_layer_norm(lua_State *L) {
    const char *op = "layer_norm";
    nb_tensor *x = nbl_check(L, 1);
    int64_t shape[NB_MAXDIM];
    int nd;
    if (lua_type(L, 2) == LUA_TNUMBER) {
        lua_pushvalue(L, 2);
        shape[0] = pop_int(L, op, "normalized_shape");
        nd = 1;
    } else if (lua_istable(L, 2))
        nd = nbl_shape(L, 2, shape, op, false);
    else
        return luaL_error(L, "layer_norm: normalized_shape (argument 2) must be a number or a "
                             "table of sizes, got %s", luaL_typename(L, 2));
    nb_tensor *w = opt_arg_tensor(L, 3, op, "weight");
    nb_tensor *b = opt_arg_tensor(L, 4, op, "bias");
    return nbl_push(L, nb_layer_norm(x, nd, shape, w, b, luaL_optnumber(L, 5, 1e-5)));
}

static int l_group_norm(lua_State *L) {
    const char *op = "group_norm";
    nb_tensor *x = nbl_check(L, 1);
    lua_Integer g = luaL_checkinteger(L, 2);
    nb_tensor *w = opt_arg_tensor(L, 3, op, "weight");
    nb_tensor *b = opt_arg_tensor(L, 4, op, "bias");
    return nbl_push(L, nb_group_norm(x, g, w, b, luaL_optnumber(L, 5, 1e-5)));
}

static int l_dropout(lua_State *L) {
    nb_tensor *x = nbl_check(L, 1);
    double p = luaL_optnumber(L, 2, 0.5);
    return nbl_push(L, nb_dropout(x, p, opt_arg_bool(L, 3, true)));
}

static int l_embedding(lua_State *L) {
    static const char *const allowed[] = {"padding_idx", NULL};
    nb_tensor *idx = nbl_check(L, 1), *w = nbl_check(L, 2);
    check_opts(L, 3, "embedding", allowed);
    double pad = opt_number(L, 3, "padding_idx", 0, "embedding");
    return nbl_push(L, nb_embedding(idx, w, (int64_t)pad));
}

/* ---- losses ---------------------------------------------------------------------------- */

static nb_loss_opts loss_opts(lua_State *L, int i, const char *op, const char *const *allowed) {
    check_opts(L, i, op, allowed);
    nb_loss_opts o = nb_loss_defaults();
    static const char *const reductions[] = {"mean", "sum", "none", NULL};
    static const int reduction_values[] = {NB_REDUCE_MEAN, NB_REDUCE_SUM, NB_REDUCE_NONE};
    o.reduction = (nb_reduction)opt_choice(L, i, "reduction", reductions, reduction_values,
                                           o.reduction, op);
    o.weight = opt_tensor(L, i, "weight", op);
    o.pos_weight = opt_tensor(L, i, "pos_weight", op);
    o.label_smoothing = opt_number(L, i, "label_smoothing", 0.0, op);
    o.ignore_index = opt_number(L, i, "ignore_index", -100, op);
    o.beta = opt_number(L, i, "beta", 1.0, op);
    o.delta = opt_number(L, i, "delta", 1.0, op);
    o.full = opt_bool(L, i, "full", false, op);
    o.eps = opt_number(L, i, "eps", 1e-6, op);
    return o;
}

typedef nb_tensor *(*loss2_fn)(nb_tensor *, nb_tensor *, const nb_loss_opts *);
/* loss(input, target, opts): the target may also be a number or a table of numbers
 * (cross_entropy(z, {3, 1, 2})) */
static int loss2(lua_State *L, loss2_fn f, const char *op, const char *const *allowed) {
    nb_tensor *a = nbl_check(L, 1);
    nb_loss_opts o = loss_opts(L, 3, op, allowed); /* may raise: before any new reference */
    nb_tensor *b = nbl_totensor(L, 2, op);
    nb_tensor *l = f(a, b, &o);
    nb_decref(b);
    return nbl_push(L, l);
}

static const char *const o_ce[] = {"weight", "ignore_index", "reduction", "label_smoothing", NULL};
static const char *const o_nll[] = {"weight", "ignore_index", "reduction", NULL};
static const char *const o_red[] = {"reduction", NULL};
static const char *const o_sl1[] = {"reduction", "beta", NULL};
static const char *const o_hub[] = {"reduction", "delta", NULL};
static const char *const o_bce[] = {"weight", "reduction", NULL};
static const char *const o_bcel[] = {"weight", "pos_weight", "reduction", NULL};
static const char *const o_gau[] = {"full", "eps", "reduction", NULL};

static int l_cross_entropy(lua_State *L) { return loss2(L, nb_cross_entropy, "cross_entropy", o_ce); }
static int l_nll_loss(lua_State *L) { return loss2(L, nb_nll_loss, "nll_loss", o_nll); }
static int l_mse_loss(lua_State *L) { return loss2(L, nb_mse_loss, "mse_loss", o_red); }
static int l_l1_loss(lua_State *L) { return loss2(L, nb_l1_loss, "l1_loss", o_red); }
static int l_smooth_l1_loss(lua_State *L) {
    return loss2(L, nb_smooth_l1_loss, "smooth_l1_loss", o_sl1);
}
static int l_huber_loss(lua_State *L) { return loss2(L, nb_huber_loss, "huber_loss", o_hub); }
static int l_bce(lua_State *L) {
    return loss2(L, nb_binary_cross_entropy, "binary_cross_entropy", o_bce);
}
static int l_bce_logits(lua_State *L) {
    return loss2(L, nb_binary_cross_entropy_with_logits, "binary_cross_entropy_with_logits",
                 o_bcel);
}
static int l_gaussian_nll_loss(lua_State *L) {
    nb_tensor *a = nbl_check(L, 1), *b = nbl_check(L, 2), *v = nbl_check(L, 3);
    nb_loss_opts o = loss_opts(L, 4, "gaussian_nll_loss", o_gau);
    return nbl_push(L, nb_gaussian_nll_loss(a, b, v, &o));
}

static const luaL_Reg nn_functions[] = {
    {"conv2d", l_conv2d},
    {"max_pool2d", l_max_pool2d},
    {"avg_pool2d", l_avg_pool2d},
    {"adaptive_avg_pool2d", l_adaptive_avg_pool2d},
    {"batch_norm", l_batch_norm},
    {"layer_norm", l_layer_norm},
    {"group_norm", l_group_norm},
    {"dropout", l_dropout},
    {"embedding", l_embedding},
    {"cross_entropy", l_cross_entropy},
    {"nll_loss", l_nll_loss},
    {"mse_loss", l_mse_loss},
    {"l1_loss", l_l1_loss},
    {"smooth_l1_loss", l_smooth_l1_loss},
    {"huber_loss", l_huber_loss},
    {"binary_cross_entropy", l_bce},
    {"binary_cross_entropy_with_logits", l_bce_logits},
    {"gaussian_nll_loss", l_gaussian_nll_loss},
    {NULL, NULL},
};

NBL_REGISTER(nn, NULL, nn_functions)

/* The functional neural-network ops for Lua (nabla.conv2d, nabla.max_pool2d,
 * nabla.batch_norm, nabla.cross_entropy, ...): argument checking and option tables; the
 * kernels are src/ops/conv.c, pool.c, norm.c and loss.c. The nn.Module classes in
 * lua/nabla/nn/ are written on top of exactly these names. Arguments follow PyTorch's
 * torch.nn.functional, with keyword arguments as an options table:
 *
 *   conv2d(x, w, b|nil, {stride=, padding=, dilation=, groups=})   pairs: n or {h, w};
 *                                                                  padding also "same"/"valid";
 *          algorithm = "auto" (default), "im2col" or "direct" (src/ops/conv.h)
 *   conv_transpose2d(x, w, b|nil, {stride=, padding=, output_padding=, dilation=, groups=})
 *   interpolate(x, {size=, scale_factor=, mode="nearest"|"bilinear", align_corners=})
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
 *   ctc_loss(log_probs, targets, input_lengths, target_lengths,
 *            {blank=1, reduction=, zero_infinity=})        lengths: tensors, tables or numbers
 */
#include <math.h>
#include <string.h>

#include "../ops/conv.h"
#include "../ops/loss.h"
#include "../ops/norm.h"
#include "../ops/pool.h"
#include "../ops/resize.h"
#include "nbl.h"

/* ---- convolution ----------------------------------------------------------------------- */

static int l_conv2d(lua_State *L) {
    static const char *const allowed[] = {"stride", "padding", "dilation", "groups", "algorithm",
                                          NULL};
    static const char *const algorithms[] = {"auto", "im2col", "direct", NULL};
    const char *op = "conv2d";
    nb_tensor *x = nbl_check(L, 1), *w = nbl_check(L, 2);
    nb_tensor *b = nbl_opt_arg_tensor(L, 3, op, "bias");
    nbl_check_opts(L, 4, op, allowed);
    nb_conv2d_opts o = {{1, 1}, {0, 0}, {1, 1}, 1};
    nbl_opt_get(L, 4, "stride");
    nbl_pop_pair(L, o.stride, op, "stride");
    nbl_opt_get(L, 4, "dilation");
    nbl_pop_pair(L, o.dilation, op, "dilation");
    o.groups = (int64_t)nbl_opt_number(L, 4, "groups", 1, op);
    o.algorithm = nbl_opt_choice(L, 4, "algorithm", algorithms, NULL, NB_CONV_AUTO, op); /* enum order */
    if (nbl_opt_get(L, 4, "padding") == LUA_TSTRING) {
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
        nbl_pop_pair(L, o.padding, op, "padding");
    return nbl_push(L, nb_conv2d(x, w, b, &o));
}

/* conv_transpose2d(x, w, b|nil, {stride=, padding=, output_padding=, dilation=, groups=}) */
static int l_conv_transpose2d(lua_State *L) {
    static const char *const allowed[] = {"stride", "padding", "output_padding", "dilation",
                                          "groups", NULL};
    const char *op = "conv_transpose2d";
    nb_tensor *x = nbl_check(L, 1), *w = nbl_check(L, 2);
    nb_tensor *b = nbl_opt_arg_tensor(L, 3, op, "bias");
    nbl_check_opts(L, 4, op, allowed);
    nb_conv2d_opts o = {{1, 1}, {0, 0}, {1, 1}, 1};
    int64_t oph[2] = {0, 0};
    nbl_opt_get(L, 4, "stride");
    nbl_pop_pair(L, o.stride, op, "stride");
    nbl_opt_get(L, 4, "padding");
    nbl_pop_pair(L, o.padding, op, "padding");
    nbl_opt_get(L, 4, "output_padding");
    nbl_pop_pair(L, oph, op, "output_padding");
    nbl_opt_get(L, 4, "dilation");
    nbl_pop_pair(L, o.dilation, op, "dilation");
    o.groups = (int64_t)nbl_opt_number(L, 4, "groups", 1, op);
    return nbl_push(L, nb_conv_transpose2d(x, w, b, &o, oph));
}

/* interpolate(x, {size = n | {h, w}, scale_factor = s | {sh, sw}, mode = "nearest" |
 * "bilinear", align_corners = false}): exactly one of size and scale_factor */
static int l_interpolate(lua_State *L) {
    static const char *const allowed[] = {"size", "scale_factor", "mode", "align_corners", NULL};
    static const char *const modes[] = {"nearest", "bilinear", NULL};
    const char *op = "interpolate";
    nb_tensor *x = nbl_check(L, 1);
    nbl_check_opts(L, 2, op, allowed);
    int mode = nbl_opt_choice(L, 2, "mode", modes, NULL, NB_RESIZE_NEAREST, op);
    bool align = nbl_opt_bool(L, 2, "align_corners", false, op);
    if (align && mode == NB_RESIZE_NEAREST)
        return luaL_error(L, "interpolate: align_corners only applies to mode 'bilinear'");
    if (x->ndim != 4) return nbl_push(L, nb_upsample(x, 1, 1, NULL, mode, align)); /* its error */
    const int64_t H = x->shape[x->ndim - 2], W = x->shape[x->ndim - 1];
    int64_t size[2] = {-1, -1};
    double scale[2] = {0, 0};
    bool has_size = nbl_opt_get(L, 2, "size") != LUA_TNIL;
    nbl_pop_pair(L, size, op, "size");
    int st = nbl_opt_get(L, 2, "scale_factor");
    bool has_scale = st != LUA_TNIL;
    if (has_size == has_scale)
        return luaL_error(L, "interpolate: give exactly one of size and scale_factor");
    if (has_scale) {
        for (int k = 0; k < 2; k++) {
            if (st == LUA_TTABLE) lua_geti(L, -1, k + 1);
            else lua_pushvalue(L, -1);
            if (!lua_isnumber(L, -1))
                return luaL_error(L, "interpolate: scale_factor must be a number or a pair "
                                     "{sh, sw}, got %s", luaL_typename(L, -1));
            scale[k] = lua_tonumber(L, -1);
            lua_pop(L, 1);
            if (!(scale[k] > 0) || scale[k] > 1e6)
                return luaL_error(L, "interpolate: scale_factor %f must be positive",
                                  (lua_Number)scale[k]);
        }
        size[0] = (int64_t)floor((double)H * scale[0]);
        size[1] = (int64_t)floor((double)W * scale[1]);
    }
    lua_pop(L, 1);
    return nbl_push(L, nb_upsample(x, size[0], size[1], has_scale ? scale : NULL, mode, align));
}

/* ---- pooling --------------------------------------------------------------------------- */

/* kernel, stride (nil: the kernel), padding: arguments 2, 3, 4 */
static nb_pool2d_opts pool_args(lua_State *L, const char *op) {
    nb_pool2d_opts o = {{1, 1}, {1, 1}, {0, 0}, {1, 1}, false, true};
    if (lua_isnoneornil(L, 2)) luaL_error(L, "%s: the kernel size (argument 2) is missing", op);
    nbl_arg_pair(L, 2, o.kernel, op, "kernel_size");
    o.stride[0] = o.kernel[0], o.stride[1] = o.kernel[1];
    nbl_arg_pair(L, 3, o.stride, op, "stride");
    nbl_arg_pair(L, 4, o.padding, op, "padding");
    return o;
}

static int l_max_pool2d(lua_State *L) {
    nb_tensor *x = nbl_check(L, 1);
    nb_pool2d_opts o = pool_args(L, "max_pool2d");
    nbl_arg_pair(L, 5, o.dilation, "max_pool2d", "dilation");
    o.ceil_mode = nbl_opt_arg_bool(L, 6, false);
    bool want_idx = nbl_opt_arg_bool(L, 7, false);
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
    o.ceil_mode = nbl_opt_arg_bool(L, 5, false);
    o.count_include_pad = nbl_opt_arg_bool(L, 6, true);
    return nbl_push(L, nb_avg_pool2d(x, &o));
}

static int l_adaptive_avg_pool2d(lua_State *L) {
    nb_tensor *x = nbl_check(L, 1);
    int64_t s[2] = {-1, -1};
    if (lua_istable(L, 2)) { /* {oh, ow}; a nil entry keeps the input's size */
        for (int k = 0; k < 2; k++) {
            lua_geti(L, 2, k + 1);
            if (!lua_isnil(L, -1)) s[k] = nbl_pop_int(L, "adaptive_avg_pool2d", "output_size");
            else lua_pop(L, 1);
        }
    } else
        nbl_arg_pair(L, 2, s, "adaptive_avg_pool2d", "output_size");
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
    nb_tensor *rm = nbl_opt_arg_tensor(L, 2, op, "running_mean");
    nb_tensor *rv = nbl_opt_arg_tensor(L, 3, op, "running_var");
    nb_tensor *w = nbl_opt_arg_tensor(L, 4, op, "weight");
    nb_tensor *b = nbl_opt_arg_tensor(L, 5, op, "bias");
    bool training = nbl_opt_arg_bool(L, 6, false);
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
        shape[0] = nbl_pop_int(L, op, "normalized_shape");
        nd = 1;
    } else if (lua_istable(L, 2))
        nd = nbl_shape(L, 2, shape, op, false);
    else
        return luaL_error(L, "layer_norm: normalized_shape (argument 2) must be a number or a "
                             "table of sizes, got %s", luaL_typename(L, 2));
    nb_tensor *w = nbl_opt_arg_tensor(L, 3, op, "weight");
    nb_tensor *b = nbl_opt_arg_tensor(L, 4, op, "bias");
    return nbl_push(L, nb_layer_norm(x, nd, shape, w, b, luaL_optnumber(L, 5, 1e-5)));
}

static int l_group_norm(lua_State *L) {
    const char *op = "group_norm";
    nb_tensor *x = nbl_check(L, 1);
    lua_Integer g = luaL_checkinteger(L, 2);
    nb_tensor *w = nbl_opt_arg_tensor(L, 3, op, "weight");
    nb_tensor *b = nbl_opt_arg_tensor(L, 4, op, "bias");
    return nbl_push(L, nb_group_norm(x, g, w, b, luaL_optnumber(L, 5, 1e-5)));
}

static int l_dropout(lua_State *L) {
    nb_tensor *x = nbl_check(L, 1);
    double p = luaL_optnumber(L, 2, 0.5);
    return nbl_push(L, nb_dropout(x, p, nbl_opt_arg_bool(L, 3, true)));
}

static int l_embedding(lua_State *L) {
    static const char *const allowed[] = {"padding_idx", NULL};
    nb_tensor *idx = nbl_check(L, 1), *w = nbl_check(L, 2);
    nbl_check_opts(L, 3, "embedding", allowed);
    double pad = nbl_opt_number(L, 3, "padding_idx", 0, "embedding");
    return nbl_push(L, nb_embedding(idx, w, (int64_t)pad));
}

/* ---- losses ---------------------------------------------------------------------------- */

static nb_loss_opts loss_opts(lua_State *L, int i, const char *op, const char *const *allowed) {
    nbl_check_opts(L, i, op, allowed);
    nb_loss_opts o = nb_loss_defaults();
    static const char *const reductions[] = {"mean", "sum", "none", NULL};
    static const int reduction_values[] = {NB_REDUCE_MEAN, NB_REDUCE_SUM, NB_REDUCE_NONE};
    o.reduction = (nb_reduction)nbl_opt_choice(L, i, "reduction", reductions, reduction_values,
                                           o.reduction, op);
    o.weight = nbl_opt_tensor(L, i, "weight", op);
    o.pos_weight = nbl_opt_tensor(L, i, "pos_weight", op);
    o.label_smoothing = nbl_opt_number(L, i, "label_smoothing", 0.0, op);
    o.ignore_index = nbl_opt_number(L, i, "ignore_index", -100, op);
    o.beta = nbl_opt_number(L, i, "beta", 1.0, op);
    o.delta = nbl_opt_number(L, i, "delta", 1.0, op);
    o.full = nbl_opt_bool(L, i, "full", false, op);
    o.eps = nbl_opt_number(L, i, "eps", 1e-6, op);
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

static int l_ctc_loss(lua_State *L) {
    static const char *const allowed[] = {"blank", "reduction", "zero_infinity", NULL};
    static const char *const reductions[] = {"mean", "sum", "none", NULL};
    static const int reduction_values[] = {NB_REDUCE_MEAN, NB_REDUCE_SUM, NB_REDUCE_NONE};
    const char *op = "ctc_loss";
    nb_tensor *lp = nbl_check(L, 1);
    for (int i = 2; i <= 4; i++)
        if (lua_isnoneornil(L, i))
            return luaL_error(L, "ctc_loss: %s (argument %d) is missing: ctc_loss(log_probs, "
                                 "targets, input_lengths, target_lengths [, opts])",
                              i == 2 ? "targets" : i == 3 ? "input_lengths" : "target_lengths", i);
    if (lua_gettop(L) < 5) lua_settop(L, 5);
    nbl_check_opts(L, 5, op, allowed);
    nb_ctc_opts o = {1, NB_REDUCE_MEAN, false};
    o.reduction = (nb_reduction)nbl_opt_choice(L, 5, "reduction", reductions, reduction_values,
                                               o.reduction, op);
    double blank = nbl_opt_number(L, 5, "blank", 1, op);
    if (!(blank >= 1 && blank <= 1e9 && blank == floor(blank)))
        return luaL_error(L, "ctc_loss: blank must be a class id (a whole number from 1), got %f",
                          blank);
    o.blank = (int64_t)blank;
    o.zero_infinity = nbl_opt_bool(L, 5, "zero_infinity", false, op);
    /* borrowed: a table or number turned into a tensor stays on the stack */
    nb_tensor *t = nbl_arg_tensor(L, 2, op), *il = nbl_arg_tensor(L, 3, op),
              *tl = nbl_arg_tensor(L, 4, op);
    return nbl_push(L, nb_ctc_loss(lp, t, il, tl, &o));
}

static const luaL_Reg nn_functions[] = {
    {"conv2d", l_conv2d},
    {"conv_transpose2d", l_conv_transpose2d},
    {"interpolate", l_interpolate},
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
    {"ctc_loss", l_ctc_loss},
    {NULL, NULL},
};

NBL_MODULE(nn, NULL, nn_functions, NULL)

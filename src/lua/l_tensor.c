/* The tensor userdata: creation from Lua values, metamethods (arithmetic, indexing,
 * printing, length, close, gc), and the elementwise and shape methods. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "nbl.h"

/* ---- creation functions ---------------------------------------------------------------- */

static int l_tensor(lua_State *L) {
    nb_tensor *t = nbl_test(L, 1);
    if (t) return nbl_push(L, nb_contiguous_copy(t));
    t = nbl_totensor(L, 1, "tensor");
    return nbl_push(L, t);
}

typedef nb_tensor *(*shape_ctor)(int, const int64_t *);
static int ctor(lua_State *L, shape_ctor f, const char *op) {
    int64_t shape[NB_MAXDIM];
    int nd = nbl_shape(L, 1, shape, op, false);
    return nbl_push(L, f(nd, shape));
}
static nb_tensor *ones_(int nd, const int64_t *s) { return nb_full(nd, s, 1.0f); }
static int l_zeros(lua_State *L) { return ctor(L, nb_zeros, "zeros"); }
static int l_ones(lua_State *L) { return ctor(L, ones_, "ones"); }
static int l_empty(lua_State *L) { return ctor(L, nb_zeros, "empty"); }
static int l_rand(lua_State *L) { return ctor(L, nb_rand, "rand"); }
static int l_randn(lua_State *L) { return ctor(L, nb_randn, "randn"); }

static int like(lua_State *L, shape_ctor f) {
    nb_tensor *t = nbl_check(L, 1);
    return nbl_push(L, f(t->ndim, t->shape));
}
static int l_zeros_like(lua_State *L) { return like(L, nb_zeros); }
static int l_ones_like(lua_State *L) { return like(L, ones_); }
static int l_rand_like(lua_State *L) { return like(L, nb_rand); }
static int l_randn_like(lua_State *L) { return like(L, nb_randn); }

/* full({2,3}, v) or full(2, 3, v) */
static int l_full(lua_State *L) {
    int64_t shape[NB_MAXDIM];
    int top = lua_gettop(L), nd;
    double v = luaL_checknumber(L, top);
    if (lua_istable(L, 1)) nd = nbl_shape(L, 1, shape, "full", false);
    else {
        lua_settop(L, top - 1);
        nd = nbl_shape(L, 1, shape, "full", false);
    }
    return nbl_push(L, nb_full(nd, shape, (float)v));
}

static int l_full_like(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    return nbl_push(L, nb_full(t->ndim, t->shape, (float)luaL_checknumber(L, 2)));
}

static int l_eye(lua_State *L) {
    lua_Integer n = luaL_checkinteger(L, 1), m = luaL_optinteger(L, 2, n);
    if (n < 0 || m < 0) return luaL_error(L, "eye: sizes must be >= 0, got %d, %d", (int)n, (int)m);
    return nbl_push(L, nb_eye(n, m));
}

/* arange(end), arange(start, end[, step]): end excluded, as PyTorch */
static int l_arange(lua_State *L) {
    double a = luaL_checknumber(L, 1);
    if (lua_isnoneornil(L, 2)) return nbl_push(L, nb_arange(0, a, 1));
    return nbl_push(L, nb_arange(a, luaL_checknumber(L, 2), luaL_optnumber(L, 3, 1)));
}

static int l_linspace(lua_State *L) {
    return nbl_push(L, nb_linspace(luaL_checknumber(L, 1), luaL_checknumber(L, 2),
                                   luaL_checkinteger(L, 3)));
}

static int l_manual_seed(lua_State *L) {
    nb_manual_seed((uint64_t)luaL_checkinteger(L, 1));
    return 0;
}

/* is_tensor(x): true for a usable tensor; false for anything else, and for a tensor closed
 * by <close> (it can no longer be used, so code testing before use must not take it). */
static int l_is_tensor(lua_State *L) {
    nb_tensor **p = luaL_testudata(L, 1, NBL_TENSOR_MT);
    lua_pushboolean(L, p != NULL && *p != NULL);
    return 1;
}

/* is_closed(x): true for a tensor closed by <close> (whose memory is given back), false for
 * anything else: what a saver or printer checks before it touches x. */
static int l_is_closed(lua_State *L) {
    nb_tensor **p = luaL_testudata(L, 1, NBL_TENSOR_MT);
    lua_pushboolean(L, p != NULL && *p == NULL);
    return 1;
}

/* ---- reading values -------------------------------------------------------------------- */

static int l_item(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    if (nb_numel(t) != 1) {
        char b[128];
        return luaL_error(L, "item: a tensor with %d elements cannot be converted to a number "
                             "(shape %s)", (int)nb_numel(t), nb_shape_str(b, sizeof b, t->ndim, t->shape));
    }
    lua_pushnumber(L, nb_item(t));
    return 1;
}

static void push_list(lua_State *L, const nb_tensor *t, int d, int64_t off) {
    if (d == t->ndim) {
        lua_pushnumber(L, t->storage->data[off]);
        return;
    }
    lua_createtable(L, (int)t->shape[d], 0);
    for (int64_t i = 0; i < t->shape[d]; i++) {
        push_list(L, t, d + 1, off + i * t->stride[d]);
        lua_rawseti(L, -2, i + 1);
    }
}
static int l_tolist(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    push_list(L, t, 0, t->offset);
    return 1;
}

static int shape_tostring(lua_State *L) {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "[");
    lua_Integer n = luaL_len(L, 1);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, 1, i);
        lua_pushfstring(L, i > 1 ? ",%I" : "%I", (LUAI_UACINT)lua_tointeger(L, -1));   /* sizes reach 2^63 */
        lua_remove(L, -2);
        luaL_addvalue(&b);
    }
    luaL_addstring(&b, "]");
    luaL_pushresult(&b);
    return 1;
}

static int shape_eq(lua_State *L) {
    lua_Integer n = luaL_len(L, 1);
    if (n != luaL_len(L, 2)) return lua_pushboolean(L, 0), 1;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, 1, i);
        lua_geti(L, 2, i);
        int eq = lua_rawequal(L, -1, -2);
        lua_pop(L, 2);
        if (!eq) return lua_pushboolean(L, 0), 1;
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* x.shape: a table {2, 3} that prints as [2,3] and compares by value */
static void push_shape(lua_State *L, const nb_tensor *t) {
    lua_createtable(L, t->ndim, 0);
    for (int i = 0; i < t->ndim; i++) {
        lua_pushinteger(L, t->shape[i]);
        lua_rawseti(L, -2, i + 1);
    }
    if (luaL_newmetatable(L, "nabla.Shape")) {
        lua_pushcfunction(L, shape_tostring);
        lua_setfield(L, -2, "__tostring");
        lua_pushcfunction(L, shape_eq);
        lua_setfield(L, -2, "__eq");
    }
    lua_setmetatable(L, -2);
}

static int l_size(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    if (lua_isnoneornil(L, 2)) {
        push_shape(L, t);
        return 1;
    }
    int d = nbl_dim(L, 2, t->ndim, "size", false);
    lua_pushinteger(L, t->shape[d]);
    return 1;
}

static int l_numel(lua_State *L) {
    lua_pushinteger(L, nb_numel(nbl_check(L, 1)));
    return 1;
}
static int l_dim_(lua_State *L) {
    lua_pushinteger(L, nbl_check(L, 1)->ndim);
    return 1;
}
static int l_is_contiguous(lua_State *L) {
    lua_pushboolean(L, nb_is_contiguous(nbl_check(L, 1)));
    return 1;
}
static int l_stride(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    lua_createtable(L, t->ndim, 0);
    for (int i = 0; i < t->ndim; i++) {
        lua_pushinteger(L, t->stride[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* ---- arithmetic ------------------------------------------------------------------------ */

typedef nb_tensor *(*binop)(nb_tensor *, nb_tensor *);
typedef nb_tensor *(*scalop)(nb_tensor *, double);
typedef nb_tensor *(*rscalop)(double, nb_tensor *);

/* a OP b where either side may be a plain number (2 * x, x - 1) or a table */
static int arith(lua_State *L, const char *op, binop f, scalop fs, rscalop rfs) {
    nb_tensor *a = nbl_test(L, 1), *b = nbl_test(L, 2);
    if (a && b) return nbl_push(L, f(a, b));
    if (a && lua_type(L, 2) == LUA_TNUMBER) return nbl_push(L, fs(a, lua_tonumber(L, 2)));
    if (b && lua_type(L, 1) == LUA_TNUMBER) return nbl_push(L, rfs(lua_tonumber(L, 1), b));
    if ((a && lua_istable(L, 2)) || (b && lua_istable(L, 1))) {
        nb_tensor *x = nbl_totensor(L, 1, op); /* new references */
        nb_tensor *y = nbl_totensor(L, 2, op);
        nb_tensor *r = f(x, y);
        nb_decref(x);
        nb_decref(y);
        return nbl_push(L, r);
    }
    if (a && !b) nbl_check(L, 2);
    return luaL_error(L, "%s: expected tensors or numbers, got %s and %s", op,
                      luaL_typename(L, 1), luaL_typename(L, 2));
}

static nb_tensor *sub_s(nb_tensor *a, double s) { return nb_add_scalar(a, -s); }
static nb_tensor *div_s(nb_tensor *a, double s) { return nb_mul_scalar(a, 1.0 / s); }
static nb_tensor *radd_s(double s, nb_tensor *a) { return nb_add_scalar(a, s); }
static nb_tensor *rmul_s(double s, nb_tensor *a) { return nb_mul_scalar(a, s); }
static nb_tensor *max_s(nb_tensor *a, double s) { return nb_clamp(a, s, INFINITY); }
static nb_tensor *rmax_s(double s, nb_tensor *a) { return nb_clamp(a, s, INFINITY); }
static nb_tensor *min_s(nb_tensor *a, double s) { return nb_clamp(a, -INFINITY, s); }
static nb_tensor *rmin_s(double s, nb_tensor *a) { return nb_clamp(a, -INFINITY, s); }

static int l_add(lua_State *L) { return arith(L, "add", nb_add, nb_add_scalar, radd_s); }
static int l_sub(lua_State *L) { return arith(L, "sub", nb_sub, sub_s, nb_rsub_scalar); }
static int l_mul(lua_State *L) { return arith(L, "mul", nb_mul, nb_mul_scalar, rmul_s); }
static int l_div(lua_State *L) { return arith(L, "div", nb_div, div_s, nb_rdiv_scalar); }
static int l_pow(lua_State *L) { return arith(L, "pow", nb_pow, nb_pow_scalar, nb_rpow_scalar); }
static int l_maximum(lua_State *L) { return arith(L, "maximum", nb_maximum, max_s, rmax_s); }
static int l_minimum(lua_State *L) { return arith(L, "minimum", nb_minimum, min_s, rmin_s); }

static int cmp(lua_State *L, nb_cmp_op op, nb_cmp_op flipped) {
    nb_tensor *a = nbl_test(L, 1), *b = nbl_test(L, 2);
    if (a && b) return nbl_push(L, nb_compare(a, b, op));
    if (a) return nbl_push(L, nb_compare_scalar(a, luaL_checknumber(L, 2), op));
    b = nbl_check(L, 2);
    return nbl_push(L, nb_compare_scalar(b, luaL_checknumber(L, 1), flipped));
}
#define L_COMPARE(name, op, flipped, ...) \
    static int l_##name(lua_State *L) { return cmp(L, op, flipped); }
NB_COMPARE_OPS(L_COMPARE)

static int l_where(lua_State *L) {
    nb_tensor *m = nbl_totensor(L, 1, "where");
    nb_tensor *a = nbl_totensor(L, 2, "where");
    nb_tensor *b = nbl_totensor(L, 3, "where");
    nb_tensor *r = nb_where(m, a, b);
    nb_decref(m);
    nb_decref(a);
    nb_decref(b);
    return nbl_push(L, r);
}

#define UNARY(name, call)                                                                  \
    static int l_##name(lua_State *L) { return nbl_push(L, call(nbl_check(L, 1))); }
#define L_UNARY(name, ...) UNARY(name, nb_##name)
NB_UNARY_OPS(L_UNARY)
#define L_UNARY_PARAM(name, dflt, ...)                                                     \
    static int l_##name(lua_State *L) {                                                    \
        return nbl_push(L, nb_##name(nbl_check(L, 1), luaL_optnumber(L, 2, dflt)));        \
    }
NB_UNARY_PARAM_OPS(L_UNARY_PARAM)
UNARY(clone, nb_clone)
UNARY(contiguous, nb_contiguous)
UNARY(detach, nb_detach)

static int l_unm(lua_State *L) { return nbl_push(L, nb_neg(nbl_check(L, 1))); }
static int l_square(lua_State *L) { return nbl_push(L, nb_pow_scalar(nbl_check(L, 1), 2.0)); }
static int l_clamp(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    double lo = lua_isnoneornil(L, 2) ? -INFINITY : luaL_checknumber(L, 2);
    double hi = lua_isnoneornil(L, 3) ? INFINITY : luaL_checknumber(L, 3);
    return nbl_push(L, nb_clamp(t, lo, hi));
}

/* ---- in place (refused on tensors that record gradients) -------------------------------- */

static nb_tensor *check_inplace(lua_State *L, const char *op) {
    nb_tensor *t = nbl_check(L, 1);
    if (nb_grad_enabled && nb_requires_grad(t))
        luaL_error(L, "%s: in-place update of a tensor that requires grad; do it inside "
                      "no_grad(function() ... end)", op);
    return t;
}

static int inplace_axpy(lua_State *L, const char *op, double sign) {
    nb_tensor *t = check_inplace(L, op);
    double alpha = sign * luaL_optnumber(L, 3, 1.0);
    if (lua_type(L, 2) == LUA_TNUMBER) nb_add_scalar_(t, alpha * lua_tonumber(L, 2));
    else {
        nb_tensor *o = nbl_totensor(L, 2, op);
        int rc = nb_add_(t, o, alpha);
        nb_decref(o);
        if (rc) return nbl_raise(L);
    }
    lua_settop(L, 1);
    return 1;
}
static int l_add_(lua_State *L) { return inplace_axpy(L, "add_", 1.0); }
static int l_sub_(lua_State *L) { return inplace_axpy(L, "sub_", -1.0); }

static int l_mul_(lua_State *L) {
    nb_tensor *t = check_inplace(L, "mul_");
    if (lua_type(L, 2) == LUA_TNUMBER) nb_mul_scalar_(t, lua_tonumber(L, 2));
    else {
        nb_tensor *o = nbl_check(L, 2);
        nb_tensor *r = nb_mul(t, o);
        if (!r || nb_copy_(t, r)) {
            nb_decref(r);
            return nbl_raise(L);
        }
        nb_decref(r);
    }
    lua_settop(L, 1);
    return 1;
}

static int l_div_(lua_State *L) {
    nb_tensor *t = check_inplace(L, "div_");
    nb_mul_scalar_(t, 1.0 / luaL_checknumber(L, 2));
    lua_settop(L, 1);
    return 1;
}

static int l_fill_(lua_State *L) {
    nb_tensor *t = check_inplace(L, "fill_");
    nb_fill_(t, (float)luaL_checknumber(L, 2));
    lua_settop(L, 1);
    return 1;
}

static int l_zero_(lua_State *L) {
    nb_fill_(check_inplace(L, "zero_"), 0.0f);
    lua_settop(L, 1);
    return 1;
}

static int l_copy_(lua_State *L) {
    nb_tensor *t = check_inplace(L, "copy_");
    nb_tensor *o = nbl_totensor(L, 2, "copy_");
    int rc = nb_copy_(t, o);
    nb_decref(o);
    if (rc) return nbl_raise(L);
    lua_settop(L, 1);
    return 1;
}

/* ---- shape methods -------------------------------------------------------------------- */

static int l_view(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    int64_t shape[NB_MAXDIM];
    int nd = nbl_shape(L, 2, shape, "view", true);
    return nbl_push(L, nb_view(t, nd, shape));
}
static int l_reshape(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    int64_t shape[NB_MAXDIM];
    int nd = nbl_shape(L, 2, shape, "reshape", true);
    return nbl_push(L, nb_reshape(t, nd, shape));
}
static int l_view_as(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1), *o = nbl_check(L, 2);
    return nbl_push(L, nb_view(t, o->ndim, o->shape));
}
static int l_transpose(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    int d0 = nbl_dim(L, 2, t->ndim, "transpose", false);
    int d1 = nbl_dim(L, 3, t->ndim, "transpose", false);
    return nbl_push(L, nb_transpose(t, d0, d1));
}
static int l_t(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    if (t->ndim > 2) {
        char b[128];
        return luaL_error(L, "t: expects a tensor with at most 2 dims, got shape %s (use "
                             "transpose or permute)", nb_shape_str(b, sizeof b, t->ndim, t->shape));
    }
    if (t->ndim < 2) return nbl_push(L, nb_alias(t)), 1;
    return nbl_push(L, nb_transpose(t, 0, 1));
}
static int l_permute(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    int perm[NB_MAXDIM];
    bool tbl = lua_istable(L, 2);
    lua_Integer n = tbl ? luaL_len(L, 2) : lua_gettop(L) - 1;
    char b[128];
    nb_shape_str(b, sizeof b, t->ndim, t->shape);
    if (n != t->ndim)
        return luaL_error(L, "permute: got %I dims for a tensor of shape %s (give each of its %d "
                             "dims once)", n, b, t->ndim);
    bool seen[NB_MAXDIM] = {0};
    for (int i = 0; i < n; i++) {
        if (tbl) lua_geti(L, 2, i + 1);
        else lua_pushvalue(L, i + 2);
        int ok;
        lua_Integer d = lua_tointegerx(L, -1, &ok);
        if (!ok) {
            bool num = lua_type(L, -1) == LUA_TNUMBER;
            const char *what = num ? lua_tostring(L, -1) : luaL_typename(L, -1);
            return luaL_error(L, "permute: dim %d is %s %s (expected a dim 1..%d or -%d..-1)",
                              i + 1, num ? "the number" : "a", what, t->ndim, t->ndim);
        }
        lua_pop(L, 1);
        if (d == 0 || d > n || d < -n)
            return luaL_error(L, "permute: dim %I out of range for shape %s (valid: 1..%d or "
                                 "-%d..-1)", d, b, t->ndim, t->ndim);
        perm[i] = d > 0 ? (int)d - 1 : (int)(d + n);
        if (seen[perm[i]])
            return luaL_error(L, "permute: dim %I (= %d) appears twice; the dims must be a "
                                 "permutation of 1..%d", d, perm[i] + 1, t->ndim);
        seen[perm[i]] = true;
    }
    return nbl_push(L, nb_permute(t, perm));
}
static int l_squeeze(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    int d = lua_isnoneornil(L, 2) ? -1 : nbl_dim(L, 2, t->ndim, "squeeze", false);
    return nbl_push(L, nb_squeeze(t, d));
}
static int l_unsqueeze(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    return nbl_push(L, nb_unsqueeze(t, nbl_dim(L, 2, t->ndim, "unsqueeze", true)));
}
static int l_expand(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    int64_t shape[NB_MAXDIM];
    int nd = nbl_shape(L, 2, shape, "expand", true);
    return nbl_push(L, nb_expand(t, nd, shape));
}
static int l_expand_as(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1), *o = nbl_check(L, 2);
    return nbl_push(L, nb_expand(t, o->ndim, o->shape));
}
static int l_flatten(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    if (t->ndim == 0) return nbl_push(L, nb_flatten(t, 0, 0));
    int s = lua_isnoneornil(L, 2) ? 0 : nbl_dim(L, 2, t->ndim, "flatten", false);
    int e = lua_isnoneornil(L, 3) ? t->ndim - 1 : nbl_dim(L, 3, t->ndim, "flatten", false);
    return nbl_push(L, nb_flatten(t, s, e));
}
/* A Lua position i (1-based, or negative from the end) in dimension dim of t, as a 0-based
 * position; raises "<op>index -4 out of range for size 3 ..." otherwise (op: "" for x[i],
 * "select: " for the method). */
static int64_t check_pos(lua_State *L, lua_Integer i, const nb_tensor *t, int dim, const char *op) {
    int64_t size = t->shape[dim];
    if (i >= 1 && i <= size) return i - 1;
    if (i < 0 && i >= -size) return size + i;
    char b[128];
    nb_shape_str(b, sizeof b, t->ndim, t->shape);
    if (size == 0)
        luaL_error(L, "%sindex %I out of range for size 0 (dimension %d of shape %s is empty)",
                   op, (lua_Integer)i, dim + 1, b);
    luaL_error(L, "%sindex %I out of range for size %I (dimension %d of shape %s; valid: "
                  "1..%I, or -%I..-1 from the end%s)", op, (lua_Integer)i, (lua_Integer)size,
               dim + 1, b, (lua_Integer)size, (lua_Integer)size,
               i == 0 ? "; positions start at 1" : "");
    return -1;
}

/* narrow(dim, start, length), start 1-based */
static int l_narrow(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    int d = nbl_dim(L, 2, t->ndim, "narrow", false);
    lua_Integer s0 = luaL_checkinteger(L, 3), len = luaL_checkinteger(L, 4), s = s0;
    if (s < 0) s += t->shape[d] + 1;
    if (s < 1 || s > t->shape[d] + 1 || len < 0 || len > t->shape[d] - (s - 1))
        return luaL_error(L, "narrow: start %I and length %I do not fit dimension %d of size %I "
                             "(start 1..%I, start - 1 + length <= %I)",
                          (lua_Integer)s0, (lua_Integer)len, d + 1, (lua_Integer)t->shape[d],
                          (lua_Integer)t->shape[d], (lua_Integer)t->shape[d]);
    return nbl_push(L, nb_slice(t, d, s - 1, s - 1 + len, 1));
}
static int l_select(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    int d = nbl_dim(L, 2, t->ndim, "select", false);
    lua_Integer i = luaL_checkinteger(L, 3);
    return nbl_push(L, nb_select(t, d, check_pos(L, i, t, d, "select: ")));
}

/* list of tensors at index i (a Lua array) -> C array of borrowed pointers (in a userdata) */
static nb_tensor **tensor_list(lua_State *L, int i, int *n, const char *op) {
    luaL_checktype(L, i, LUA_TTABLE);
    *n = (int)luaL_len(L, i);
    nb_tensor **ts = lua_newuserdatauv(L, sizeof(nb_tensor *) * (*n > 0 ? *n : 1), 0);
    for (int k = 0; k < *n; k++) {
        lua_geti(L, i, k + 1);
        ts[k] = nbl_test(L, -1);
        if (!ts[k]) luaL_error(L, "%s: element %d of the list is a %s, expected a tensor", op, k + 1,
                               luaL_typename(L, -1));
        lua_pop(L, 1);
    }
    return ts;
}
static int l_cat(lua_State *L) {
    int n;
    bool has_dim = !lua_isnoneornil(L, 2);
    nb_tensor **ts = tensor_list(L, 1, &n, "cat");
    if (n == 0) return luaL_error(L, "cat: expected a non-empty list of tensors");
    int d = has_dim ? nbl_dim(L, 2, ts[0]->ndim, "cat", false) : 0;
    return nbl_push(L, nb_cat(n, ts, d));
}
static int l_stack(lua_State *L) {
    int n;
    bool has_dim = !lua_isnoneornil(L, 2);
    nb_tensor **ts = tensor_list(L, 1, &n, "stack");
    if (n == 0) return luaL_error(L, "stack: expected a non-empty list of tensors");
    int d = has_dim ? nbl_dim(L, 2, ts[0]->ndim, "stack", true) : 0;
    return nbl_push(L, nb_stack(n, ts, d));
}

/* ---- indexing: x[i], x[{i, {a, b}, ...}], x[i] = v ------------------------------------- */

/* The whole number at stack slot k (an entry of an index), or raises naming it. */
static lua_Integer index_int(lua_State *L, int k, const char *what) {
    int ok;
    lua_Integer i = lua_tointegerx(L, k, &ok);
    if (!ok) {
        if (lua_type(L, k) == LUA_TNUMBER)
            luaL_error(L, "index: %s %s is not a whole number", what, lua_tostring(L, k));
        luaL_error(L, "index: %s is a %s (expected a whole number)", what, luaL_typename(L, k));
    }
    return i;
}

/* Pushes t as a new Lua value (taking the reference) and returns it borrowed: the views an
 * index builds live on the Lua stack, so an error raised half-way leaks nothing. */
static nb_tensor *push_view(lua_State *L, nb_tensor *t) {
    nbl_push(L, t); /* raises the core's error if t is NULL */
    return t;
}

/* Applies the index at stack slot k to t and pushes the resulting view; returns it
 * (borrowed, owned by the pushed value). A number selects (drops the dim); a table {a, b}
 * or {a, b, step} slices a..b inclusive (1-based, negative from the end); {} or ":" keeps
 * the dim whole. */
static nb_tensor *apply_index(lua_State *L, nb_tensor *t, int k) {
    if (lua_type(L, k) == LUA_TNUMBER) {
        if (t->ndim == 0) luaL_error(L, "index: cannot index a 0-d tensor (use :item())");
        lua_Integer i = index_int(L, k, "position");
        return push_view(L, nb_select(t, 0, check_pos(L, i, t, 0, "")));
    }
    if (lua_type(L, k) != LUA_TTABLE)
        luaL_error(L, "index: expected a number or a table, got %s", luaL_typename(L, k));
    /* a table of per-dim indices */
    lua_Integer n = luaL_len(L, k);
    if (n > t->ndim) {
        char b[128];
        luaL_error(L, "index: %I indices for a tensor of shape %s", n,
                   nb_shape_str(b, sizeof b, t->ndim, t->shape));
    }
    const nb_tensor *t0 = t;
    nb_incref(t);
    t = push_view(L, t);
    int dim = 0;
    for (int j = 1; j <= n; j++) {
        lua_geti(L, k, j);
        int e = lua_gettop(L);
        int64_t size = t->shape[dim];
        nb_tensor *r;
        if (lua_type(L, e) == LUA_TNUMBER) {
            lua_Integer i = index_int(L, e, "position");
            /* (dimension j of t0 is dimension dim of t, of the same size, for the message) */
            r = nb_select(t, dim, check_pos(L, i, t0, j - 1, ""));
        } else if (lua_istable(L, e) || (lua_type(L, e) == LUA_TSTRING && !strcmp(lua_tostring(L, e), ":"))) {
            lua_Integer a = 1, b = size, s = 1;
            if (lua_istable(L, e)) {
                lua_Integer m = luaL_len(L, e);
                if (m >= 1) { lua_geti(L, e, 1); a = index_int(L, -1, "range start"); }
                if (m >= 2) { lua_geti(L, e, 2); b = index_int(L, -1, "range end"); }
                if (m >= 3) { lua_geti(L, e, 3); s = index_int(L, -1, "range step"); }
                lua_settop(L, e);
            }
            lua_Integer a0 = a, b0 = b;
            if (a < 0 && a >= -size) a += size + 1;
            if (b < 0 && b >= -size) b += size + 1;
            if (a < 1 || a > size + 1 || b < 0 || b > size || s < 1) {
                char sb[128];
                nb_shape_str(sb, sizeof sb, t->ndim, t->shape);
                if (s < 1) luaL_error(L, "index: range step %I must be >= 1", s);
                luaL_error(L, "index: range {%I, %I} is out of bounds for dimension %d of size %I "
                              "(shape %s; valid positions 1..%I, or -%I..-1 from the end)",
                           a0, b0, dim + 1, (lua_Integer)size, sb, (lua_Integer)size,
                           (lua_Integer)size);
            }
            r = nb_slice(t, dim, a - 1, b, s);
            dim++;
        } else {
            luaL_error(L, "index: entry %d is a %s (expected a number, {from, to} or \":\")", j,
                       luaL_typename(L, e));
            return NULL;
        }
        lua_settop(L, e - 1);
        t = push_view(L, r);
        lua_replace(L, -2); /* drop the previous view */
    }
    return t;
}

/* Methods live in this table (an upvalue of __index); fields are computed. */
static int l_index(lua_State *L) {
    if (lua_type(L, 2) == LUA_TSTRING) {
        lua_pushvalue(L, 2);
        if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;
        lua_pop(L, 1);
        nb_tensor *t = nbl_check(L, 1);
        const char *k = lua_tostring(L, 2);
        if (!strcmp(k, "shape")) return push_shape(L, t), 1;
        if (!strcmp(k, "grad")) {
            nb_tensor *g = nb_grad(t);
            if (!g) return lua_pushnil(L), 1;
            nb_incref(g);
            return nbl_push(L, g);
        }
        if (!strcmp(k, "ndim")) return lua_pushinteger(L, t->ndim), 1;
        if (!strcmp(k, "needs_grad")) return lua_pushboolean(L, nb_requires_grad(t)), 1;
        if (!strcmp(k, "is_leaf")) return lua_pushboolean(L, nb_grad_fn(t) == NULL), 1;
        if (!strcmp(k, "T")) return nbl_push(L, t->ndim == 2 ? nb_transpose(t, 0, 1) : nb_alias(t));
        if (!strcmp(k, "grad_fn")) return nbl_push_node(L, nb_grad_fn(t));
        /* identity of the tensor (two Lua values can wrap the same tensor) */
        if (!strcmp(k, "_id")) return lua_pushinteger(L, (lua_Integer)(intptr_t)t), 1;
        return luaL_error(L, "tensor has no method or field '%s'", k);
    }
    nb_tensor *t = nbl_check(L, 1);
    apply_index(L, t, 2);
    return 1;
}

static int l_newindex(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    if (lua_type(L, 2) == LUA_TSTRING) {
        const char *k = lua_tostring(L, 2);
        if (!strcmp(k, "grad")) {
            nb_tensor *g = lua_isnil(L, 3) ? NULL : nbl_check(L, 3);
            if (g && !nb_same_shape(g, t)) {
                char b1[128], b2[128];
                return luaL_error(L, "grad: assigned a gradient of shape %s to a tensor of shape %s",
                                  nb_shape_str(b1, sizeof b1, g->ndim, g->shape),
                                  nb_shape_str(b2, sizeof b2, t->ndim, t->shape));
            }
            nb_tensor *c = g ? nb_contiguous_copy(g) : NULL;
            if (g && !c) return nbl_raise(L);
            if (nb_set_grad(t, c)) return nbl_raise(L);
            return 0;
        }
        return luaL_error(L, "tensor: cannot set field '%s' (use x:requires_grad(), x.grad = ...)", k);
    }
    if (nb_grad_enabled && nb_requires_grad(t))
        return luaL_error(L, "index: in-place assignment into a tensor that requires grad; do it "
                             "inside no_grad(function() ... end)");
    lua_settop(L, 3);
    nb_tensor *dst = apply_index(L, t, 2); /* borrowed: the view is on the stack */
    int rc;
    if (lua_type(L, 3) == LUA_TNUMBER) {
        nb_fill_(dst, (float)lua_tonumber(L, 3));
        rc = 0;
    } else {
        nb_tensor *src = nbl_totensor(L, 3, "index assignment");
        rc = nb_copy_(dst, src);
        nb_decref(src);
    }
    if (rc) return nbl_raise(L);
    return 0;
}

static int l_len(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    if (t->ndim == 0) return luaL_error(L, "len: a 0-d tensor has no length (use :item())");
    lua_pushinteger(L, t->shape[0]);
    return 1;
}

static int l_tostring(lua_State *L) {
    nb_tensor **p = luaL_checkudata(L, 1, NBL_TENSOR_MT);
    if (!*p) return lua_pushliteral(L, "tensor(<closed>)"), 1;
    nb_tensor *t = *p;
    char extra[96] = "";
    if (nb_grad_fn(t)) snprintf(extra, sizeof extra, "grad_fn=<%s>", nb_grad_fn(t)->op);
    else if (nb_requires_grad(t)) snprintf(extra, sizeof extra, "requires_grad=true");
    char *s = nb_format(t, extra);
    if (!s) return luaL_error(L, "tostring: out of memory");
    lua_pushstring(L, s);
    free(s);
    return 1;
}

static int l_gc(lua_State *L) {
    nb_tensor **p = nbl_slot(L, 1);
    if (!p) return luaL_checkudata(L, 1, NBL_TENSOR_MT), 0; /* the usual error */
    nb_decref(*p);
    *p = NULL;
    return 0;
}

/* The rows of the elementwise op tables (src/ops/elementwise.h) become methods and/or
 * functions by their kind, and help entries (nabla._C.docs). */
#define IF_METHOD_NB_METHOD(...) __VA_ARGS__
#define IF_METHOD_NB_FUNCTION(...)
#define IF_METHOD_NB_BOTH(...) __VA_ARGS__
#define IF_FUNCTION_NB_METHOD(...)
#define IF_FUNCTION_NB_FUNCTION(...) __VA_ARGS__
#define IF_FUNCTION_NB_BOTH(...) __VA_ARGS__
#define KIND_NB_METHOD "method"
#define KIND_NB_FUNCTION "function"
#define KIND_NB_BOTH "both"
#define METHOD_U(name, saves, kind, ...) IF_METHOD_##kind({#name, l_##name},)
#define FUNCTION_U(name, saves, kind, ...) IF_FUNCTION_##kind({#name, l_##name},)
#define DOC_U(name, saves, kind, sig, en, ko) {#name, sig, en, ko, KIND_##kind},
#define METHOD_B(name, kind, ...) IF_METHOD_##kind({#name, l_##name},)
#define FUNCTION_B(name, kind, ...) IF_FUNCTION_##kind({#name, l_##name},)
#define DOC_B(name, kind, sig, en, ko) {#name, sig, en, ko, KIND_##kind},
#define METHOD_C(name, ...) {#name, l_##name},
#define DOC_C(name, op, flipped, sym, ko)                                                   \
    {#name, "x:" #name "(y)", "1 where x " sym " y, else 0 (elementwise, broadcasting)", ko, \
     "method"},

static const luaL_Reg tensor_methods[] = {
    {"item", l_item}, {"tolist", l_tolist}, {"size", l_size}, {"numel", l_numel},
    {"dim", l_dim_}, {"is_contiguous", l_is_contiguous}, {"stride", l_stride},
    NB_BINARY_OPS(METHOD_B) NB_COMPARE_OPS(METHOD_C)
    NB_UNARY_OPS(METHOD_U) NB_UNARY_PARAM_OPS(METHOD_U)
    {"square", l_square}, {"clamp", l_clamp},
    {"clone", l_clone}, {"contiguous", l_contiguous}, {"detach", l_detach},
    {"add_", l_add_}, {"sub_", l_sub_}, {"mul_", l_mul_}, {"div_", l_div_},
    {"fill_", l_fill_}, {"zero_", l_zero_}, {"copy_", l_copy_},
    {"view", l_view}, {"reshape", l_reshape}, {"view_as", l_view_as},
    {"transpose", l_transpose}, {"t", l_t}, {"permute", l_permute},
    {"squeeze", l_squeeze}, {"unsqueeze", l_unsqueeze}, {"expand", l_expand},
    {"expand_as", l_expand_as}, {"flatten", l_flatten}, {"narrow", l_narrow},
    {"select", l_select}, {"where", l_where},
    {NULL, NULL}};

static const luaL_Reg tensor_functions[] = {
    {"tensor", l_tensor}, {"zeros", l_zeros}, {"ones", l_ones}, {"empty", l_empty},
    {"full", l_full}, {"rand", l_rand}, {"randn", l_randn}, {"eye", l_eye},
    {"arange", l_arange}, {"linspace", l_linspace}, {"zeros_like", l_zeros_like},
    {"ones_like", l_ones_like}, {"rand_like", l_rand_like}, {"randn_like", l_randn_like},
    {"full_like", l_full_like}, {"manual_seed", l_manual_seed}, {"is_tensor", l_is_tensor},
    {"is_closed", l_is_closed},
    {"cat", l_cat}, {"stack", l_stack}, {"where", l_where}, {"clamp", l_clamp},
    NB_UNARY_OPS(FUNCTION_U) NB_UNARY_PARAM_OPS(FUNCTION_U) NB_BINARY_OPS(FUNCTION_B)
    {NULL, NULL}};

static const nbl_doc tensor_docs[] = {
    NB_UNARY_OPS(DOC_U) NB_UNARY_PARAM_OPS(DOC_U) NB_BINARY_OPS(DOC_B) NB_COMPARE_OPS(DOC_C)
    {NULL, NULL, NULL, NULL, NULL}};

NBL_MODULE_WITH_DOCS(tensor, tensor_methods, tensor_functions, NULL, tensor_docs)

/* The metatable: metamethods here; the methods of every module (the table at index
 * methods) are where __index looks. */
void nbl_open_tensor_mt(lua_State *L, int methods) {
    methods = lua_absindex(L, methods);
    luaL_newmetatable(L, NBL_TENSOR_MT);
    nbl_set_tensor_mt(L, -1);
    lua_pushvalue(L, methods);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "__methods"); /* for completion and help */
    lua_pushcclosure(L, l_index, 1);
    lua_setfield(L, -2, "__index");
    static const luaL_Reg meta[] = {
        {"__newindex", l_newindex}, {"__len", l_len}, {"__tostring", l_tostring},
        {"__gc", l_gc}, {"__close", l_gc}, {"__add", l_add}, {"__sub", l_sub},
        {"__mul", l_mul}, {"__div", l_div}, {"__pow", l_pow}, {"__unm", l_unm},
        {NULL, NULL}};
    luaL_setfuncs(L, meta, 0);
    lua_pushliteral(L, "Tensor");
    lua_setfield(L, -2, "__name");
    lua_pop(L, 1);
}

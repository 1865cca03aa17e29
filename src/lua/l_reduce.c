/* Reductions and softmax in Lua: x:sum(dim?, keepdim?), x:mean, x:var/std, x:max/min(dim?)
 * (with a dim: values and indices), x:argmax/argmin, x:logsumexp, x:softmax, x:log_softmax,
 * x:norm(p?, dim?), x:prod; the same names as functions of the nabla table.
 * Dims are 1-based (-1 is the last); no dim reduces every element to a 0-d tensor. */
#include <math.h>
#include <string.h>

#include "../ops/ops.h"
#include "nbl.h"

#define ALL_DIMS (-1000)

/* An optional dim at i: ALL_DIMS when absent. A 0-d tensor takes 1 or -1 as "all". */
static int opt_dim(lua_State *L, int i, const nb_tensor *t, const char *op) {
    if (lua_isnoneornil(L, i)) return ALL_DIMS;
    if (t->ndim == 0) {
        lua_Integer d = luaL_checkinteger(L, i);
        if (d == 1 || d == -1) return ALL_DIMS;
    }
    return nbl_dim(L, i, t->ndim, op, false);
}

static bool opt_keepdim(lua_State *L, int i, const char *op) {
    if (lua_isnoneornil(L, i)) return false;
    if (!lua_isboolean(L, i))
        return luaL_error(L, "%s: keepdim must be true or false, got %s", op, luaL_typename(L, i));
    return lua_toboolean(L, i);
}

/* ---- sum, mean, prod, logsumexp: (dim?, keepdim?) ---------------------------------------- */

typedef nb_tensor *(*full_fn)(nb_tensor *);
typedef nb_tensor *(*dim_fn)(nb_tensor *, int, bool);

/* sum/mean over a table of dims: one dim at a time, highest first, so the lower dims keep
 * their numbers */
static int reduce_dims(lua_State *L, nb_tensor *t, dim_fn f, const char *op, bool keepdim) {
    int n = (int)luaL_len(L, 2), dims[NB_MAXDIM];
    if (n == 0) return luaL_error(L, "%s: the table of dimensions is empty", op);
    if (n > t->ndim) return luaL_error(L, "%s: %d dimensions for a %d-d tensor", op, n, t->ndim);
    for (int k = 0; k < n; k++) {
        lua_geti(L, 2, k + 1);
        dims[k] = nbl_dim(L, lua_gettop(L), t->ndim, op, false);
        lua_pop(L, 1);
        for (int j = 0; j < k; j++)
            if (dims[j] == dims[k])
                return luaL_error(L, "%s: dimension %d appears twice", op, dims[k] + 1);
    }
    for (int k = 1; k < n; k++) /* sort descending */
        for (int j = k; j > 0 && dims[j] > dims[j - 1]; j--) {
            int s = dims[j];
            dims[j] = dims[j - 1], dims[j - 1] = s;
        }
    nb_incref(t);
    for (int k = 0; k < n; k++) {
        nb_tensor *r = f(t, dims[k], keepdim);
        nb_decref(t);
        if (!r) return nbl_raise(L);
        t = r;
    }
    return nbl_push(L, t);
}

static int reduce(lua_State *L, const char *op, full_fn full, dim_fn dim, bool multi) {
    nb_tensor *t = nbl_arg_tensor(L, 1, op);
    bool keepdim = opt_keepdim(L, 3, op);
    if (multi && lua_istable(L, 2) && !nbl_test(L, 2)) return reduce_dims(L, t, dim, op, keepdim);
    int d = opt_dim(L, 2, t, op);
    if (d == ALL_DIMS) {
        nb_tensor *r = full(t);
        if (r && keepdim) { /* every dim kept with size 1 */
            int64_t shape[NB_MAXDIM];
            for (int k = 0; k < t->ndim; k++) shape[k] = 1;
            nb_tensor *v = nb_view(r, t->ndim, shape);
            nb_decref(r);
            r = v;
        }
        return nbl_push(L, r);
    }
    return nbl_push(L, dim(t, d, keepdim));
}

static int l_sum(lua_State *L) { return reduce(L, "sum", nb_sum, nb_sum_dim, true); }
static int l_mean(lua_State *L) { return reduce(L, "mean", nb_mean, nb_mean_dim, true); }
static int l_prod(lua_State *L) { return reduce(L, "prod", nb_prod, nb_prod_dim, false); }
static int l_logsumexp(lua_State *L) {
    return reduce(L, "logsumexp", nb_logsumexp, nb_logsumexp_dim, false);
}
static int l_argmax(lua_State *L) { return reduce(L, "argmax", nb_argmax, nb_argmax_dim, false); }
static int l_argmin(lua_State *L) { return reduce(L, "argmin", nb_argmin, nb_argmin_dim, false); }

/* ---- var, std: (dim?, unbiased?, keepdim?) or (dim?, {unbiased=, correction=, keepdim=}) -- */

static int var_std(lua_State *L, const char *op, bool sd) {
    nb_tensor *t = nbl_arg_tensor(L, 1, op);
    int opts = 0, dimarg = 2;
    if (lua_istable(L, 2) && !nbl_test(L, 2)) opts = 2, dimarg = 0;
    else if (lua_istable(L, 3)) opts = 3;
    int correction = 1;
    bool keepdim = false;
    if (opts) {
        lua_getfield(L, opts, "unbiased");
        if (!lua_isnil(L, -1)) correction = lua_toboolean(L, -1) ? 1 : 0;
        lua_getfield(L, opts, "correction");
        if (!lua_isnil(L, -1)) {
            int ok;
            lua_Integer c = lua_tointegerx(L, -1, &ok);
            if (!ok || c < 0)
                return luaL_error(L, "%s: correction must be a whole number >= 0", op);
            correction = (int)c;
        }
        lua_getfield(L, opts, "keepdim");
        keepdim = lua_toboolean(L, -1);
        lua_getfield(L, opts, "dim");
        if (!lua_isnil(L, -1)) {
            if (dimarg) return luaL_error(L, "%s: dim given twice", op);
            dimarg = lua_gettop(L);
        }
    } else {
        if (!lua_isnoneornil(L, 3)) {
            if (!lua_isboolean(L, 3))
                return luaL_error(L, "%s: unbiased must be true or false, got %s", op,
                                  luaL_typename(L, 3));
            correction = lua_toboolean(L, 3) ? 1 : 0;
        }
        keepdim = opt_keepdim(L, 4, op);
    }
    int d = dimarg ? opt_dim(L, dimarg, t, op) : ALL_DIMS;
    if (d == ALL_DIMS) {
        if (keepdim) return luaL_error(L, "%s: keepdim needs a dim", op);
        return nbl_push(L, sd ? nb_std(t, correction) : nb_var(t, correction));
    }
    return nbl_push(L, sd ? nb_std_dim(t, d, correction, keepdim)
                          : nb_var_dim(t, d, correction, keepdim));
}
static int l_var(lua_State *L) { return var_std(L, "var", false); }
static int l_std(lua_State *L) { return var_std(L, "std", true); }

/* ---- max, min: () → 0-d;  (dim, keepdim?) → values, indices;  (tensor) → elementwise --- */

static int extreme(lua_State *L, const char *op, bool is_max) {
    nb_tensor *t = nbl_arg_tensor(L, 1, op);
    nb_tensor *o = nbl_test(L, 2);
    if (o) return nbl_push(L, is_max ? nb_maximum(t, o) : nb_minimum(t, o));
    bool keepdim = opt_keepdim(L, 3, op);
    int d = opt_dim(L, 2, t, op);
    if (d == ALL_DIMS) {
        if (keepdim) return luaL_error(L, "%s: keepdim needs a dim", op);
        return nbl_push(L, is_max ? nb_max(t) : nb_min(t));
    }
    nb_tensor *v, *k;
    if ((is_max ? nb_max_dim : nb_min_dim)(t, d, keepdim, &v, &k)) return nbl_raise(L);
    nbl_push(L, v);
    nbl_push(L, k);
    return 2;
}
static int l_max(lua_State *L) { return extreme(L, "max", true); }
static int l_min(lua_State *L) { return extreme(L, "min", false); }

/* ---- softmax, log_softmax: (dim?) with the last dim by default ---------------------------- */

static int softmax(lua_State *L, const char *op, bool log_) {
    nb_tensor *t = nbl_arg_tensor(L, 1, op);
    int d = -1;
    if (!lua_isnoneornil(L, 2)) {
        d = opt_dim(L, 2, t, op);
        if (d == ALL_DIMS) d = 0; /* a 0-d tensor */
    }
    return nbl_push(L, log_ ? nb_log_softmax(t, d) : nb_softmax(t, d));
}
static int l_softmax(lua_State *L) { return softmax(L, "softmax", false); }
static int l_log_softmax(lua_State *L) { return softmax(L, "log_softmax", true); }

/* ---- norm: (p?, dim?, keepdim?), p a number, math.huge, "inf" or "fro" --------------------- */

static int l_norm(lua_State *L) {
    nb_tensor *t = nbl_arg_tensor(L, 1, "norm");
    double p = 2;
    if (lua_type(L, 2) == LUA_TSTRING) {
        const char *s = lua_tostring(L, 2);
        if (strcmp(s, "fro") == 0) p = 2;
        else if (strcmp(s, "inf") == 0) p = INFINITY;
        else return luaL_error(L, "norm: p must be a number, \"fro\" or \"inf\", got \"%s\"", s);
    } else if (!lua_isnoneornil(L, 2)) {
        if (!lua_isnumber(L, 2))
            return luaL_error(L, "norm: p must be a number, got %s", luaL_typename(L, 2));
        p = lua_tonumber(L, 2);
    }
    bool keepdim = opt_keepdim(L, 4, "norm");
    int d = opt_dim(L, 3, t, "norm");
    if (d == ALL_DIMS) {
        if (keepdim) return luaL_error(L, "norm: keepdim needs a dim");
        return nbl_push(L, nb_norm(t, p));
    }
    return nbl_push(L, nb_norm_dim(t, p, d, keepdim));
}

static const luaL_Reg reduce_methods[] = {
    {"sum", l_sum}, {"mean", l_mean}, {"var", l_var}, {"std", l_std}, {"prod", l_prod},
    {"max", l_max}, {"min", l_min}, {"argmax", l_argmax}, {"argmin", l_argmin},
    {"logsumexp", l_logsumexp}, {"softmax", l_softmax}, {"log_softmax", l_log_softmax},
    {"norm", l_norm}, {NULL, NULL}};

NBL_MODULE(reduce, reduce_methods, reduce_methods, NULL)

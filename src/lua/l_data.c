/* Data bindings: IDX files, byte storage for images (nabla.Bytes), batching helpers,
 * scalar draws from the global RNG, and the low-level augmentation kernels. The readable
 * parts (datasets, the loader, the augmentation objects) are lua/nabla/data.lua and
 * lua/nabla/aug.lua. Indices and class ids are 1-based here, as everywhere in Lua. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../data/augment.h"
#include "../data/batch.h"
#include "../data/idx.h"
#include "../data/lines.h"
#include "nbl.h"

#define BYTES_MT "nabla.Bytes"

/* ---- helpers ----------------------------------------------------------------------------- */

/* A scratch array of n elements owned by a userdata left on the stack (collected, so a
 * Lua error in between leaks nothing). */
static void *scratch(lua_State *L, size_t n, size_t size) {
    return lua_newuserdatauv(L, n ? n * size : 1, 0);
}

/* 1-based indices at stack index i (a Lua table or a tensor) as 0-based int64s; *count
 * receives their number. */
static int64_t *check_indices(lua_State *L, int i, int64_t *count, const char *op) {
    nb_tensor *t = nbl_test(L, i);
    if (t) {
        if (t->ndim > 1) { luaL_error(L, "%s: indices must be 1-d", op); return NULL; }
        int64_t n = nb_numel(t);
        int64_t *idx = scratch(L, (size_t)n, sizeof(int64_t));
        for (int64_t k = 0; k < n; k++) {
            int64_t pos = k;
            float v = nb_get(t, &pos);
            if (v != floorf(v) || !(fabsf(v) <= 9007199254740992.0f)) {
                lua_pushnumber(L, v);
                luaL_error(L, "%s: index %s at position %I is not a whole number", op,
                           lua_tostring(L, -1), (lua_Integer)k + 1);
                return NULL;
            }
            idx[k] = (int64_t)v - 1;
        }
        *count = n;
        return idx;
    }
    luaL_checktype(L, i, LUA_TTABLE);
    int64_t n = (int64_t)luaL_len(L, i);
    int64_t *idx = scratch(L, (size_t)n, sizeof(int64_t));
    for (int64_t k = 0; k < n; k++) {
        lua_geti(L, i, k + 1);
        int ok;
        lua_Integer v = lua_tointegerx(L, -1, &ok);
        if (!ok) { luaL_error(L, "%s: index %d is not an integer", op, (int)k + 1); return NULL; }
        idx[k] = (int64_t)v - 1;
        lua_pop(L, 1);
    }
    *count = n;
    return idx;
}

/* A per-sample parameter at stack index i: a number (the same for all n samples) or a
 * table of n numbers. */
static float *per_sample(lua_State *L, int i, int64_t n, float dflt, const char *op, const char *name) {
    float *a = scratch(L, (size_t)n, sizeof(float));
    if (lua_isnoneornil(L, i)) {
        for (int64_t k = 0; k < n; k++) a[k] = dflt;
    } else if (lua_type(L, i) == LUA_TNUMBER) {
        float v = (float)lua_tonumber(L, i);
        for (int64_t k = 0; k < n; k++) a[k] = v;
    } else if (lua_istable(L, i)) {
        if ((int64_t)luaL_len(L, i) != n)
            luaL_error(L, "%s: %s has %d values for a batch of %d", op, name, (int)luaL_len(L, i), (int)n);
        for (int64_t k = 0; k < n; k++) {
            lua_geti(L, i, k + 1);
            if (lua_type(L, -1) != LUA_TNUMBER) luaL_error(L, "%s: %s[%d] is not a number", op, name, (int)k + 1);
            a[k] = (float)lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
    } else {
        luaL_error(L, "%s: %s must be a number or a table of numbers, got %s", op, name, luaL_typename(L, i));
    }
    return a;
}

static int64_t batch_size(lua_State *L, nb_tensor *x, const char *op) {
    if (x->ndim != 3 && x->ndim != 4) {
        char s[128];
        return luaL_error(L, "%s: expected a batch of images (N, C, H, W) or (N, H, W), got shape %s",
                          op, nb_shape_str(s, sizeof s, x->ndim, x->shape));
    }
    return x->shape[0];
}

/* ---- IDX files ----------------------------------------------------------------------------- */

/* read_idx(path) -> tensor of the file's shape, values as stored (bytes 0..255) */
static int l_read_idx(lua_State *L) { return nbl_push(L, nb_read_idx(luaL_checkstring(L, 1))); }

static int idx_type(lua_State *L, int i) {
    static const char *names[] = {"ubyte", "sbyte", "short", "int", "float", "double", NULL};
    static const int codes[] = {NB_IDX_UBYTE, NB_IDX_SBYTE, NB_IDX_SHORT, NB_IDX_INT, NB_IDX_FLOAT, NB_IDX_DOUBLE};
    return codes[luaL_checkoption(L, i, "float", names)];
}

/* write_idx(path, t, type = "float"): type one of ubyte, sbyte, short, int, float, double */
static int l_write_idx(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    nb_tensor *t = nbl_check(L, 2);
    if (nb_write_idx(path, t, idx_type(L, 3)) != 0) return nbl_raise(L);
    return 0;
}

/* ---- nabla.Bytes: images kept as bytes -------------------------------------------------------- */

typedef struct {
    uint8_t *data;
    size_t nbytes;
    int ndim;
    int64_t shape[NB_MAXDIM];
} bytes_ud;

static bytes_ud *check_bytes(lua_State *L, int i) { return luaL_checkudata(L, i, BYTES_MT); }

static int bytes_index(lua_State *L);
static int bytes_len(lua_State *L);
static int bytes_tostring(lua_State *L);
static int bytes_gc(lua_State *L);

static bytes_ud *new_bytes(lua_State *L) {
    bytes_ud *b = lua_newuserdatauv(L, sizeof(bytes_ud), 0);
    memset(b, 0, sizeof *b);
    if (luaL_newmetatable(L, BYTES_MT)) {   /* the first Bytes creates the metatable */
        const luaL_Reg mt[] = {{"__index", bytes_index}, {"__len", bytes_len},
                               {"__tostring", bytes_tostring}, {"__gc", bytes_gc},
                               {"__close", bytes_gc}, {NULL, NULL}};
        luaL_setfuncs(L, mt, 0);
    }
    lua_setmetatable(L, -2);
    return b;
}

/* _read_idx_bytes(path) -> Bytes of a ubyte IDX file */
static int l_read_idx_bytes(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    bytes_ud *b = new_bytes(L);
    b->data = nb_read_idx_u8(path, &b->ndim, b->shape, &b->nbytes);
    if (!b->data) return nbl_raise(L);
    return 1;
}

/* bytes(t) -> Bytes holding a tensor whose values are integers in 0..255 */
static int l_bytes(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    if (t->ndim < 1) return luaL_error(L, "bytes: expected at least one dimension");
    nb_tensor *c = nb_contiguous_copy(t);
    if (!c) return nbl_raise(L);
    int64_t n = nb_numel(c);
    const float *x = nb_data(c);
    for (int64_t i = 0; i < n; i++)
        if (!(x[i] >= 0 && x[i] <= 255 && x[i] == floorf(x[i]))) {
            float v = x[i];
            nb_decref(c);
            lua_pushnumber(L, v);
            return luaL_error(L, "bytes: value %s at position %I is not an integer in 0..255",
                              lua_tostring(L, -1), (lua_Integer)i + 1);
        }
    bytes_ud *b = new_bytes(L);
    b->data = malloc(n > 0 ? (size_t)n : 1);
    if (!b->data) {
        nb_decref(c);
        return luaL_error(L, "bytes: out of memory");
    }
    nb_advise_huge(b->data, (size_t)n);
    for (int64_t i = 0; i < n; i++) b->data[i] = (uint8_t)x[i];
    b->nbytes = (size_t)n;
    b->ndim = t->ndim;
    memcpy(b->shape, t->shape, sizeof(int64_t) * t->ndim);
    nb_decref(c);
    return 1;
}

static int bytes_gc(lua_State *L) {
    bytes_ud *b = check_bytes(L, 1);
    free(b->data);
    b->data = NULL;
    return 0;
}

static bytes_ud *live_bytes(lua_State *L, int i) {
    bytes_ud *b = check_bytes(L, i);
    if (!b->data) luaL_error(L, "bytes: used after it was freed");
    return b;
}

/* b:gather(indices, scale = 1, shift = 0) -> float tensor (#indices, shape[2:]...) with
 * out[k] = b[indices[k]] * scale + shift */
static int bytes_gather(lua_State *L) {
    lua_settop(L, 4);   /* scratch buffers go above the arguments */
    bytes_ud *b = live_bytes(L, 1);
    int64_t count;
    int64_t *idx = check_indices(L, 2, &count, "bytes:gather");
    float scale = (float)luaL_optnumber(L, 3, 1.0), shift = (float)luaL_optnumber(L, 4, 0.0);
    if (b->ndim < 1) return luaL_error(L, "bytes:gather: no rows");
    return nbl_push(L, nb_gather_u8(b->data, b->shape[0], b->ndim - 1, b->shape + 1, idx, count, scale, shift));
}

/* b:gather_affine(indices, scale, shift, angle, zoom, shear_x, shear_y, tx, ty) -> the rows
 * (N, C, H, W) converted to float and transformed in one pass: the same numbers as
 * aug's affine kernel applied to b:gather(indices, scale, shift). The six parameters are
 * numbers or tables of one value per row (see _aug_affine). */
static int bytes_gather_affine(lua_State *L) {
    lua_settop(L, 10);   /* scratch buffers go above the arguments */
    bytes_ud *b = live_bytes(L, 1);
    int64_t count;
    int64_t *idx = check_indices(L, 2, &count, "bytes:gather_affine");
    float scale = (float)luaL_optnumber(L, 3, 1.0), shift = (float)luaL_optnumber(L, 4, 0.0);
    if (b->ndim != 3 && b->ndim != 4)
        return luaL_error(L, "bytes:gather_affine: images (N, H, W) or (N, C, H, W) expected, got %d dimensions", b->ndim);
    int64_t c = b->ndim == 4 ? b->shape[1] : 1, h = b->shape[b->ndim - 2], w = b->shape[b->ndim - 1];
    const char *names[6] = {"angle", "scale", "shear_x", "shear_y", "tx", "ty"};
    const float dflt[6] = {0, 1, 0, 0, 0, 0};
    float *v[6];
    for (int k = 0; k < 6; k++) v[k] = per_sample(L, 5 + k, count, dflt[k], "aug.affine", names[k]);
    nb_affine *p = scratch(L, (size_t)count, sizeof(nb_affine));
    for (int64_t i = 0; i < count; i++)
        p[i] = (nb_affine){v[0][i], v[1][i], v[2][i], v[3][i], v[4][i], v[5][i]};
    return nbl_push(L, nb_gather_u8_affine(b->data, b->shape[0], c, h, w, idx, count, scale, shift, p));
}

/* b:float(scale = 1, shift = 0) -> the whole array as a float tensor */
static int bytes_float(lua_State *L) {
    bytes_ud *b = live_bytes(L, 1);
    float scale = (float)luaL_optnumber(L, 2, 1.0), shift = (float)luaL_optnumber(L, 3, 0.0);
    nb_tensor *t = nb_empty(b->ndim, b->shape);
    if (!t) return nbl_raise(L);
    float *o = nb_data(t);
    for (size_t i = 0; i < b->nbytes; i++) o[i] = (float)b->data[i] * scale + shift;
    return nbl_push(L, t);
}

static int bytes_numel(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)live_bytes(L, 1)->nbytes);
    return 1;
}

static int bytes_len(lua_State *L) {
    bytes_ud *b = live_bytes(L, 1);
    lua_pushinteger(L, b->ndim ? b->shape[0] : 1);
    return 1;
}

static int bytes_tostring(lua_State *L) {
    bytes_ud *b = check_bytes(L, 1);
    char s[160];
    nb_shape_str(s, sizeof s, b->ndim, b->shape);
    lua_pushfstring(L, "Bytes(%s, uint8, %f MB)", s, (double)b->nbytes / 1e6);
    return 1;
}

static const luaL_Reg bytes_methods[] = {
    {"gather", bytes_gather}, {"gather_affine", bytes_gather_affine}, {"float", bytes_float}, {"numel", bytes_numel}, {NULL, NULL}};

static int bytes_index(lua_State *L) {
    bytes_ud *b = live_bytes(L, 1);
    if (lua_type(L, 2) == LUA_TSTRING) {
        const char *k = lua_tostring(L, 2);
        for (const luaL_Reg *r = bytes_methods; r->name; r++)
            if (!strcmp(k, r->name)) return lua_pushcfunction(L, r->func), 1;
        if (!strcmp(k, "shape")) {
            lua_createtable(L, b->ndim, 0);
            for (int i = 0; i < b->ndim; i++) {
                lua_pushinteger(L, b->shape[i]);
                lua_rawseti(L, -2, i + 1);
            }
            /* the tensors' shape metatable (printing, ==) is made by the first x.shape */
            if (luaL_getmetatable(L, "nabla.Shape") != LUA_TTABLE) {
                lua_pop(L, 1);
                int64_t zero = 0;
                nbl_push(L, nb_empty(1, &zero));
                lua_getfield(L, -1, "shape");
                lua_getmetatable(L, -1);
                lua_replace(L, -3);
                lua_pop(L, 1);
            }
            lua_setmetatable(L, -2);
            return 1;
        }
        if (!strcmp(k, "ndim")) return lua_pushinteger(L, b->ndim), 1;
        if (!strcmp(k, "dtype")) return lua_pushliteral(L, "uint8"), 1;
        return luaL_error(L, "Bytes has no method or field '%s'", k);
    }
    /* b[i] -> row i as a float tensor of the stored values */
    lua_Integer i = luaL_checkinteger(L, 2);
    if (b->ndim < 1 || i < 1 || i > b->shape[0])
        return luaL_error(L, "Bytes: index %d is out of range 1..%d", (int)i, b->ndim ? (int)b->shape[0] : 0);
    int64_t idx = i - 1;
    nb_tensor *t = nb_gather_u8(b->data, b->shape[0], b->ndim - 1, b->shape + 1, &idx, 1, 1.0f, 0.0f);
    if (!t) return nbl_raise(L);
    nb_tensor *row = nb_view_raw(t, b->ndim - 1, t->shape + 1, t->stride + 1, 0);
    nb_decref(t);
    return nbl_push(L, row);
}

/* ---- batching ------------------------------------------------------------------------------- */

/* _gather_rows(t, indices) -> rows of t along its first dimension (a copy, no autograd) */
static int l_gather_rows(lua_State *L) {
    lua_settop(L, 2);   /* scratch buffers go above the arguments */
    nb_tensor *t = nbl_check(L, 1);
    int64_t count;
    int64_t *idx = check_indices(L, 2, &count, "gather");
    return nbl_push(L, nb_gather_rows(t, idx, count));
}

/* _permutation(n, seed) -> a table holding 1..n shuffled by a private generator */
static int l_permutation(lua_State *L) {
    lua_settop(L, 2);   /* scratch buffers go above the arguments */
    lua_Integer n = luaL_checkinteger(L, 1);
    uint64_t seed = (uint64_t)luaL_checkinteger(L, 2);
    if (n < 0 || n > ((lua_Integer)1 << 31)) return luaL_error(L, "permutation: bad size %d", (int)n);
    int64_t *p = scratch(L, (size_t)n, sizeof(int64_t));
    nb_permutation(n, seed, p);
    lua_createtable(L, (int)n, 0);
    for (lua_Integer i = 0; i < n; i++) {
        lua_pushinteger(L, p[i] + 1);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* ---- scalar draws from the global RNG (so manual_seed reproduces them) ------------------------ */

/* _rng_uniform(lo = 0, hi = 1) */
static int l_rng_uniform(lua_State *L) {
    double lo = luaL_optnumber(L, 1, 0.0), hi = luaL_optnumber(L, 2, 1.0);
    lua_pushnumber(L, lo + (hi - lo) * nb_rng_uniform());
    return 1;
}

/* _rng_normal(mean = 0, std = 1) */
static int l_rng_normal(lua_State *L) {
    double m = luaL_optnumber(L, 1, 0.0), s = luaL_optnumber(L, 2, 1.0);
    lua_pushnumber(L, m + s * nb_rng_normal());
    return 1;
}

/* _rng_int(n) -> an integer uniform in 1..n */
static int l_rng_int(lua_State *L) {
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n >= 1, 1, "n must be at least 1");
    lua_pushinteger(L, 1 + (lua_Integer)(nb_rng_uniform() * (double)n));
    return 1;
}

/* _rng_seed() -> a fresh 63-bit seed drawn from the global RNG */
static int l_rng_seed(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)(nb_rng_next() >> 1));
    return 1;
}

/* Gamma(k, 1) by Marsaglia & Tsang (2000); k < 1 through Gamma(k+1)·U^(1/k). */
static double rng_gamma(double k) {
    if (k < 1) {
        double u;
        do u = nb_rng_uniform(); while (u <= 0);
        return rng_gamma(k + 1) * pow(u, 1.0 / k);
    }
    double d = k - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = nb_rng_normal();
            v = 1.0 + c * x;
        } while (v <= 0);
        v = v * v * v;
        double u = nb_rng_uniform();
        if (u < 1 - 0.0331 * x * x * x * x) return d * v;
        if (u > 0 && log(u) < 0.5 * x * x + d * (1 - v + log(v))) return d * v;
    }
}

/* _rng_beta(a, b): Beta(a, b) = X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b) */
static int l_rng_beta(lua_State *L) {
    double a = luaL_checknumber(L, 1), b = luaL_optnumber(L, 2, a);
    luaL_argcheck(L, a > 0 && b > 0, 1, "beta: the parameters must be positive");
    double x = rng_gamma(a), y = rng_gamma(b);
    lua_pushnumber(L, x + y > 0 ? x / (x + y) : 0.5);
    return 1;
}

/* _with_rng_seed(seed, fn, ...) -> fn(...) run with the global RNG seeded by seed; the
 * RNG's previous state is restored afterwards (also on error), so the caller's stream of
 * random numbers does not depend on what fn drew. */
static int l_with_rng_seed(lua_State *L) {
    uint64_t seed = (uint64_t)luaL_checkinteger(L, 1);
    luaL_checkany(L, 2);
    int nargs = lua_gettop(L) - 2;
    uint64_t saved[4];
    nb_rng_get_state(saved);
    nb_manual_seed(seed);
    int status = lua_pcall(L, nargs, LUA_MULTRET, 0);   /* fn at 2, its arguments above */
    nb_rng_set_state(saved);
    if (status != LUA_OK) return lua_error(L);
    return lua_gettop(L) - 1;
}

/* ---- augmentation kernels ------------------------------------------------------------------- */

/* _aug_affine(x, angle, scale, shear_x, shear_y, tx, ty): each a number or a table of N
 * (degrees, factor, degrees, degrees, pixels, pixels) */
static int l_aug_affine(lua_State *L) {
    lua_settop(L, 7);   /* scratch buffers go above the arguments */
    nb_tensor *x = nbl_check(L, 1);
    int64_t n = batch_size(L, x, "aug.affine");
    const char *names[6] = {"angle", "scale", "shear_x", "shear_y", "tx", "ty"};
    const float dflt[6] = {0, 1, 0, 0, 0, 0};
    float *v[6];
    for (int k = 0; k < 6; k++) v[k] = per_sample(L, 2 + k, n, dflt[k], "aug.affine", names[k]);
    nb_affine *p = scratch(L, (size_t)n, sizeof(nb_affine));
    for (int64_t i = 0; i < n; i++)
        p[i] = (nb_affine){v[0][i], v[1][i], v[2][i], v[3][i], v[4][i], v[5][i]};
    return nbl_push(L, nb_aug_affine(x, p));
}

/* _aug_remap(x, dy, dx): displacement fields as tensors of shape (N, H, W) */
static int l_aug_remap(lua_State *L) {
    lua_settop(L, 3);   /* scratch buffers go above the arguments */
    nb_tensor *x = nbl_check(L, 1);
    int64_t n = batch_size(L, x, "aug.remap");
    int64_t h = x->shape[x->ndim - 2], w = x->shape[x->ndim - 1];
    nb_tensor *f[2] = {nbl_check(L, 2), nbl_check(L, 3)};
    for (int k = 0; k < 2; k++)
        if (f[k]->ndim != 3 || f[k]->shape[0] != n || f[k]->shape[1] != h || f[k]->shape[2] != w) {
            char s[128];
            return luaL_error(L, "aug.remap: the displacement fields must be (%d, %d, %d), got %s", (int)n,
                              (int)h, (int)w, nb_shape_str(s, sizeof s, f[k]->ndim, f[k]->shape));
        }
    nb_tensor *dy = nb_contiguous_copy(f[0]);
    nb_tensor *dx = dy ? nb_contiguous_copy(f[1]) : NULL;
    nb_tensor *out = dx ? nb_aug_remap(x, nb_data(dy), nb_data(dx)) : NULL;
    nb_decref(dy);
    nb_decref(dx);
    return nbl_push(L, out);
}

/* _aug_elastic(x, alpha, sigma) */
static int l_aug_elastic(lua_State *L) {
    lua_settop(L, 3);   /* scratch buffers go above the arguments */
    nb_tensor *x = nbl_check(L, 1);
    int64_t n = batch_size(L, x, "aug.elastic");
    float *alpha = per_sample(L, 2, n, 34, "aug.elastic", "alpha");
    float *sigma = per_sample(L, 3, n, 4, "aug.elastic", "sigma");
    return nbl_push(L, nb_aug_elastic(x, alpha, sigma));
}

/* per-sample rows of `steps` numbers at i: one table of steps numbers (for every sample) or
 * a table of N such tables */
static float *steps_arg(lua_State *L, int i, int64_t n, int steps, const char *name) {
    luaL_checktype(L, i, LUA_TTABLE);
    float *a = scratch(L, (size_t)(n * steps), sizeof(float));
    lua_geti(L, i, 1);
    bool nested = lua_istable(L, -1);
    lua_pop(L, 1);
    for (int64_t s = 0; s < n; s++) {
        if (nested) {
            lua_geti(L, i, s + 1);
            if (!lua_istable(L, -1)) luaL_error(L, "aug.grid_distortion: %s[%d] is not a table", name, (int)s + 1);
        } else {
            lua_pushvalue(L, i);
        }
        int t = lua_gettop(L);
        if (luaL_len(L, t) != steps)
            luaL_error(L, "aug.grid_distortion: %s needs %d factors, got %d", name, steps, (int)luaL_len(L, t));
        for (int k = 0; k < steps; k++) {
            lua_geti(L, t, k + 1);
            a[s * steps + k] = (float)luaL_checknumber(L, -1);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    return a;
}

/* _aug_grid_distortion(x, steps, xfactors, yfactors) */
static int l_aug_grid_distortion(lua_State *L) {
    lua_settop(L, 4);   /* scratch buffers go above the arguments */
    nb_tensor *x = nbl_check(L, 1);
    int64_t n = batch_size(L, x, "aug.grid_distortion");
    int steps = (int)luaL_checkinteger(L, 2);
    if (steps < 1 || steps > 256) return luaL_error(L, "aug.grid_distortion: steps must be 1..256, got %d", steps);
    float *xs = steps_arg(L, 3, n, steps, "xsteps");
    float *ys = steps_arg(L, 4, n, steps, "ysteps");
    return nbl_push(L, nb_aug_grid_distortion(x, steps, xs, ys));
}

/* _aug_cutout(x, boxes, fill = 0): boxes[n] = a list of {row, col, height, width} (1-based
 * row and column of the top-left corner) for sample n */
static int l_aug_cutout(lua_State *L) {
    lua_settop(L, 3);   /* scratch buffers go above the arguments */
    nb_tensor *x = nbl_check(L, 1);
    int64_t n = batch_size(L, x, "aug.cutout");
    luaL_checktype(L, 2, LUA_TTABLE);
    float fill = (float)luaL_optnumber(L, 3, 0.0);
    if ((int64_t)luaL_len(L, 2) != n)
        return luaL_error(L, "aug.cutout: %d box lists for a batch of %d", (int)luaL_len(L, 2), (int)n);
    int holes = 0;
    for (int64_t s = 0; s < n; s++) {
        lua_geti(L, 2, s + 1);
        if (!lua_istable(L, -1)) return luaL_error(L, "aug.cutout: boxes[%d] is not a table", (int)s + 1);
        int k = (int)luaL_len(L, -1);
        if (k > holes) holes = k;
        lua_pop(L, 1);
    }
    int32_t *b = scratch(L, (size_t)(n * (holes ? holes : 1) * 4), sizeof(int32_t));
    memset(b, 0, sizeof(int32_t) * (size_t)(n * (holes ? holes : 1) * 4));
    for (int64_t s = 0; s < n; s++) {
        lua_geti(L, 2, s + 1);
        int list = lua_gettop(L), k = (int)luaL_len(L, list);
        for (int j = 0; j < k; j++) {
            lua_geti(L, list, j + 1);
            if (!lua_istable(L, -1) || luaL_len(L, -1) != 4)
                return luaL_error(L, "aug.cutout: boxes[%d][%d] must be {row, col, height, width}", (int)s + 1, j + 1);
            for (int q = 0; q < 4; q++) {
                lua_geti(L, -1, q + 1);
                lua_Number v = luaL_checknumber(L, -1);
                if (!(fabs(v) < 1e9)) return luaL_error(L, "aug.cutout: bad box value %f", v);
                b[(s * holes + j) * 4 + q] = (int32_t)v - (q < 2 ? 1 : 0);
                lua_pop(L, 1);
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    return nbl_push(L, nb_aug_cutout(x, holes, b, fill));
}

/* _aug_noise(x, std, clip = true) */
static int l_aug_noise(lua_State *L) {
    lua_settop(L, 3);   /* scratch buffers go above the arguments */
    nb_tensor *x = nbl_check(L, 1);
    int64_t n = batch_size(L, x, "aug.noise");
    float *std = per_sample(L, 2, n, 0.1f, "aug.noise", "std");
    bool clip = lua_isnoneornil(L, 3) ? true : lua_toboolean(L, 3);
    return nbl_push(L, nb_aug_noise(x, std, clip));
}

/* _aug_brightness_contrast(x, alpha, beta, clip = true): alpha·x + beta */
static int l_aug_brightness_contrast(lua_State *L) {
    lua_settop(L, 4);   /* scratch buffers go above the arguments */
    nb_tensor *x = nbl_check(L, 1);
    int64_t n = batch_size(L, x, "aug.brightness_contrast");
    float *alpha = per_sample(L, 2, n, 1, "aug.brightness_contrast", "alpha");
    float *beta = per_sample(L, 3, n, 0, "aug.brightness_contrast", "beta");
    bool clip = lua_isnoneornil(L, 4) ? true : lua_toboolean(L, 4);
    return nbl_push(L, nb_aug_brightness_contrast(x, alpha, beta, clip));
}

/* _mixup(x, perm, lam): lam·x + (1 − lam)·x[perm] (perm 1-based) */
static int l_mixup(lua_State *L) {
    lua_settop(L, 3);   /* scratch buffers go above the arguments */
    nb_tensor *x = nbl_check(L, 1);
    int64_t count;
    int64_t *perm = check_indices(L, 2, &count, "mixup");
    float lam = (float)luaL_checknumber(L, 3);
    if (x->ndim < 1 || count != x->shape[0])
        return luaL_error(L, "mixup: %d partners for a batch of %d", (int)count, x->ndim ? (int)x->shape[0] : 0);
    return nbl_push(L, nb_mixup(x, perm, lam));
}

/* _cutmix(x, perm, row, col, h, w): the box (1-based top-left) taken from x[perm] */
static int l_cutmix(lua_State *L) {
    lua_settop(L, 6);   /* scratch buffers go above the arguments */
    nb_tensor *x = nbl_check(L, 1);
    int64_t n = batch_size(L, x, "cutmix");
    int64_t count;
    int64_t *perm = check_indices(L, 2, &count, "cutmix");
    if (count != n) return luaL_error(L, "cutmix: %d partners for a batch of %d", (int)count, (int)n);
    lua_Integer r = luaL_checkinteger(L, 3), c = luaL_checkinteger(L, 4);
    lua_Integer h = luaL_checkinteger(L, 5), w = luaL_checkinteger(L, 6);
    /* the box is clipped to the image: clamping far-off values first keeps r - 1 defined */
    const lua_Integer far = (lua_Integer)1 << 50;
    r = r < -far ? -far : r > far ? far : r;
    c = c < -far ? -far : c > far ? far : c;
    return nbl_push(L, nb_cutmix(x, perm, r - 1, c - 1, h, w));
}

static int l_is_bytes(lua_State *L) {
    lua_pushboolean(L, luaL_testudata(L, 1, BYTES_MT) != NULL);
    return 1;
}

/* _paste_max(canvas, glyph, x, y, scale): canvas = max(canvas, scaled glyph at (x, y)),
 * in place (x, y 0-based canvas pixels of the glyph's top-left corner) */
static int l_paste_max(lua_State *L) {
    nb_tensor *c = nbl_check(L, 1), *g = nbl_check(L, 2);
    double x = luaL_checknumber(L, 3), y = luaL_checknumber(L, 4), s = luaL_optnumber(L, 5, 1.0);
    if (nb_paste_max(c, g, x, y, s)) return nbl_raise(L);
    lua_settop(L, 1);
    return 1;
}

static const luaL_Reg data_functions[] = {
    {"read_idx", l_read_idx},
    {"write_idx", l_write_idx},
    {"bytes", l_bytes},
    {"is_bytes", l_is_bytes},
    {NULL, NULL}};

/* nabla._C: the helpers of lua/nabla/data.lua and aug.lua */
static const luaL_Reg data_internals[] = {
    {"_read_idx_bytes", l_read_idx_bytes},
    {"_gather_rows", l_gather_rows},
    {"_permutation", l_permutation},
    {"_rng_uniform", l_rng_uniform},
    {"_rng_normal", l_rng_normal},
    {"_rng_int", l_rng_int},
    {"_rng_seed", l_rng_seed},
    {"_rng_beta", l_rng_beta},
    {"_with_rng_seed", l_with_rng_seed},
    {"_aug_affine", l_aug_affine},
    {"_aug_remap", l_aug_remap},
    {"_aug_elastic", l_aug_elastic},
    {"_aug_grid_distortion", l_aug_grid_distortion},
    {"_aug_cutout", l_aug_cutout},
    {"_aug_noise", l_aug_noise},
    {"_aug_brightness_contrast", l_aug_brightness_contrast},
    {"_mixup", l_mixup},
    {"_cutmix", l_cutmix},
    {"_paste_max", l_paste_max},
    {NULL, NULL}};

NBL_MODULE(data, NULL, data_functions, data_internals)

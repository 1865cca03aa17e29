/* Binding support for every src/lua/l_*.c file: what lauxlib.c is to Lua's own libraries.
 * It uses only the engine's public API (src/core, src/autograd) and the Lua C API: getting
 * tensors from the stack and pushing them (nbl_check, nbl_test, nbl_totensor, nbl_push),
 * graph nodes as Lua values, dims and shapes, the option-table parsers, the one form of
 * an argument error (nbl_argerror), and the registration of the binding modules (the
 * ordered list itself is in l_nabla.c, as in Lua's linit.c). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "nbl.h"

/* ---- errors -------------------------------------------------------------------------- */

int nbl_raise(lua_State *L) { return luaL_error(L, "%s", nb_last_error()); }

int nbl_argerror(lua_State *L, const char *op, const char *what, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    return luaL_error(L, "%s: %s %s", op, what, lua_tostring(L, -1));
}

/* ---- tensors on the stack --------------------------------------------------------------- */

nb_tensor *nbl_test(lua_State *L, int i) {
    nb_tensor **p = luaL_testudata(L, i, NBL_TENSOR_MT);
    if (p && !*p) luaL_error(L, "this tensor was closed (<close>) and cannot be used");
    return p ? *p : NULL;
}

nb_tensor *nbl_check(lua_State *L, int i) {
    nb_tensor **p = luaL_testudata(L, i, NBL_TENSOR_MT);
    if (!p) {
        const char *got = luaL_typename(L, i);
        luaL_argerror(L, i, lua_pushfstring(L, "tensor expected, got %s", got));
    }
    if (!*p) luaL_argerror(L, i, "this tensor was closed (<close>) and cannot be used");
    return *p;
}

void nbl_gc_account(lua_State *L) {
    /* Lua's collector does not see tensor buffers: count them as Lua allocations so that
     * dropped tensors are collected at the pace they are made. */
    if (nb_bytes_since_gc >= (64 << 10)) {
        int kb = (int)(nb_bytes_since_gc >> 10);
        nb_bytes_since_gc = 0;
        lua_gc(L, LUA_GCSTEP, kb);
    }
}

int nbl_push(lua_State *L, nb_tensor *t) {
    if (!t) return nbl_raise(L);
    nb_tensor **p = lua_newuserdatauv(L, sizeof(nb_tensor *), 0);
    *p = t;
    luaL_setmetatable(L, NBL_TENSOR_MT);
    nbl_gc_account(L);
    return 1;
}

int nbl_dim(lua_State *L, int i, int ndim, const char *op, bool allow_end) {
    lua_Integer d = luaL_checkinteger(L, i);
    int n = ndim + (allow_end ? 1 : 0);
    if (d == 0 || d > n || d < -n)
        return luaL_error(L, "%s: dimension %d out of range for a %d-d tensor (use 1..%d or "
                             "-1..-%d)", op, (int)d, ndim, n, n);
    return d > 0 ? (int)d - 1 : (int)(d + n);
}

int nbl_shape(lua_State *L, int i, int64_t *shape, const char *op, bool allow_infer) {
    int n;
    if (lua_istable(L, i)) {
        n = (int)luaL_len(L, i);
        if (n > NB_MAXDIM) return luaL_error(L, "%s: %d dimensions (at most %d)", op, n, NB_MAXDIM);
        for (int k = 0; k < n; k++) {
            lua_geti(L, i, k + 1);
            int ok;
            lua_Integer v = lua_tointegerx(L, -1, &ok);
            lua_pop(L, 1);
            if (!ok) return luaL_error(L, "%s: size %d of the shape is not an integer", op, k + 1);
            shape[k] = v;
        }
    } else {
        int top = lua_gettop(L);
        n = 0;
        for (int k = i; k <= top && lua_type(L, k) == LUA_TNUMBER; k++) {
            if (n == NB_MAXDIM) return luaL_error(L, "%s: at most %d dimensions", op, NB_MAXDIM);
            int ok;
            lua_Integer v = lua_tointegerx(L, k, &ok);
            if (!ok) return luaL_error(L, "%s: size %d is not an integer", op, n + 1);
            shape[n++] = v;
        }
    }
    for (int k = 0; k < n; k++)
        if (shape[k] < 0 && !(allow_infer && shape[k] == -1))
            return luaL_error(L, "%s: invalid size %I in the shape (sizes are >= 0%s)", op,
                              (lua_Integer)shape[k], allow_infer ? ", or -1 for one to infer" : "");
    return n;
}

/* The tensor argument at i: a tensor, or a number/table turned into one (kept on the
 * stack at i, so it is collected even if an error is raised later). Borrowed. */
nb_tensor *nbl_arg_tensor(lua_State *L, int i, const char *op) {
    nb_tensor *t = nbl_test(L, i);
    if (t) return t;
    if (lua_isnoneornil(L, i))
        nbl_argerror(L, op, lua_pushfstring(L, "argument %d", i),
                     "is missing (a tensor or a table of numbers)");
    t = nbl_totensor(L, i, op);
    nbl_push(L, t);
    lua_replace(L, i);
    return t;
}

/* ---- from Lua values ------------------------------------------------------------------ */

/* Shape of a nested table: follows first elements, then checks every row. */
static int table_shape(lua_State *L, int i, int64_t *shape, int depth) {
    if (depth > NB_MAXDIM) return luaL_error(L, "tensor: nested more than %d deep", NB_MAXDIM);
    lua_Integer n = luaL_len(L, i);
    shape[depth] = n;
    if (n == 0) return depth + 1;
    lua_geti(L, i, 1);
    int nd = depth + 1;
    if (lua_istable(L, -1)) nd = table_shape(L, lua_gettop(L), shape, depth + 1);
    lua_pop(L, 1);
    return nd;
}

static void table_fill(lua_State *L, int i, const int64_t *shape, int nd, int depth, float **out,
                       char *path, size_t plen) {
    lua_Integer n = luaL_len(L, i);
    if (n != shape[depth])
        luaL_error(L, "tensor: ragged nested table: row %s has %d elements, expected %d",
                   depth ? path : "(top)", (int)n, (int)shape[depth]);
    for (lua_Integer k = 1; k <= n; k++) {
        lua_geti(L, i, k);
        size_t l = strlen(path);
        snprintf(path + l, plen - l, "[%d]", (int)k);
        if (depth == nd - 1) {
            int ok;
            lua_Number v = lua_tonumberx(L, -1, &ok);
            if (!ok) {
                if (lua_isboolean(L, -1)) v = lua_toboolean(L, -1);
                else luaL_error(L, "tensor: element %s is a %s, expected a number", path,
                                luaL_typename(L, -1));
            }
            *(*out)++ = (float)v;
        } else {
            if (!lua_istable(L, -1))
                luaL_error(L, "tensor: element %s is a %s, expected a table (row of %d)", path,
                           luaL_typename(L, -1), (int)shape[depth + 1]);
            table_fill(L, lua_gettop(L), shape, nd, depth + 1, out, path, plen);
        }
        path[l] = 0;
        lua_pop(L, 1);
    }
}

static nb_tensor *from_table(lua_State *L, int i) {
    int64_t shape[NB_MAXDIM + 1];
    int nd = table_shape(L, i, shape, 0);
    nb_tensor *t = nb_empty(nd, shape);
    if (!t) nbl_raise(L);
    /* fill into a Lua-owned box first so an error while filling does not leak t */
    nb_tensor **box = lua_newuserdatauv(L, sizeof(nb_tensor *), 0);
    *box = t;
    luaL_setmetatable(L, NBL_TENSOR_MT);
    float *p = t->storage->data;
    char path[256] = "";
    if (nb_numel(t) > 0) table_fill(L, i, shape, nd, 0, &p, path, sizeof path);
    *box = NULL; /* take it back */
    lua_pop(L, 1);
    return t;
}

nb_tensor *nbl_totensor(lua_State *L, int i, const char *op) {
    nb_tensor *t = nbl_test(L, i);
    if (t) {
        nb_incref(t);
        return t;
    }
    if (lua_type(L, i) == LUA_TNUMBER) {
        t = nb_scalar((float)lua_tonumber(L, i));
        if (!t) nbl_raise(L);
        return t;
    }
    if (lua_istable(L, i)) return from_table(L, i);
    luaL_error(L, "%s: expected a tensor, a number or a table, got %s", op, luaL_typename(L, i));
    return NULL;
}

/* ---- graph nodes ------------------------------------------------------------------------- */

#define NBL_NODE_MT "nabla.Node"

static int node_gc(lua_State *L) {
    nb_node **p = luaL_checkudata(L, 1, NBL_NODE_MT);
    nb_node_decref(*p);
    *p = NULL;
    return 0;
}

static int node_tostring(lua_State *L) {
    nb_node **p = luaL_checkudata(L, 1, NBL_NODE_MT);
    lua_pushfstring(L, "<%s>", (*p)->op);
    return 1;
}

static int node_index(lua_State *L) {
    nb_node *n = *(nb_node **)luaL_checkudata(L, 1, NBL_NODE_MT);
    const char *k = luaL_checkstring(L, 2);
    if (!strcmp(k, "name")) return lua_pushstring(L, n->op), 1;
    if (!strcmp(k, "id")) return lua_pushinteger(L, (lua_Integer)(intptr_t)n), 1;
    if (!strcmp(k, "released")) return lua_pushboolean(L, n->released), 1;
    if (!strcmp(k, "inputs")) { /* the input tensors (false where released) */
        lua_createtable(L, n->nin, 0);
        for (int i = 0; i < n->nin; i++) {
            if (n->in[i]) {
                nb_incref(n->in[i]);
                nbl_push(L, n->in[i]);
            } else
                lua_pushboolean(L, 0);
            lua_rawseti(L, -2, i + 1);
        }
        return 1;
    }
    if (!strcmp(k, "needs")) {
        lua_createtable(L, n->nin, 0);
        for (int i = 0; i < n->nin; i++) {
            lua_pushboolean(L, n->needs[i]);
            lua_rawseti(L, -2, i + 1);
        }
        return 1;
    }
    if (!strcmp(k, "shape")) {
        lua_createtable(L, n->out_ndim, 0);
        for (int i = 0; i < n->out_ndim; i++) {
            lua_pushinteger(L, n->out_shape[i]);
            lua_rawseti(L, -2, i + 1);
        }
        return 1;
    }
    if (!strcmp(k, "output")) { /* the output tensor, while it is alive */
        if (!n->out) return lua_pushnil(L), 1;
        nb_incref(n->out);
        return nbl_push(L, n->out);
    }
    return lua_pushnil(L), 1;
}

static int node_eq(lua_State *L) {
    nb_node **a = luaL_testudata(L, 1, NBL_NODE_MT), **b = luaL_testudata(L, 2, NBL_NODE_MT);
    lua_pushboolean(L, a && b && *a == *b);
    return 1;
}

int nbl_push_node(lua_State *L, nb_node *n) {
    if (!n) return lua_pushnil(L), 1;
    nb_node **p = lua_newuserdatauv(L, sizeof(nb_node *), 0);
    *p = n;
    n->refcount++;
    if (luaL_newmetatable(L, NBL_NODE_MT)) {
        static const luaL_Reg m[] = {{"__gc", node_gc}, {"__tostring", node_tostring},
                                     {"__index", node_index}, {"__eq", node_eq}, {NULL, NULL}};
        luaL_setfuncs(L, m, 0);
    }
    lua_setmetatable(L, -2);
    return 1;
}

/* ---- option tables and optional arguments ------------------------------------------- */


/* An options table at i (nil or absent is an empty one) whose keys must all be in `allowed`
 * (NULL-terminated): a typo is an error that lists the valid names. */
void nbl_check_opts(lua_State *L, int i, const char *op, const char *const *allowed) {
    if (lua_isnoneornil(L, i)) return;
    if (!lua_istable(L, i))
        nbl_argerror(L, op, lua_pushfstring(L, "argument %d", i),
                     "must be an options table, got %s", luaL_typename(L, i));
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
            nbl_argerror(L, op, "unknown option", "'%s' (options: %s)", key, lua_tostring(L, -1));
        }
    }
}

/* Pushes opts[key] (nil when there is no table) and returns its type. */
int nbl_opt_get(lua_State *L, int i, const char *key) {
    if (!lua_istable(L, i)) {
        lua_pushnil(L);
        return LUA_TNIL;
    }
    return lua_getfield(L, i, key);
}

/* options[key] as one of names (NULL-terminated): values[k] for names[k] (k itself if values
 * is NULL), or def when absent; anything else is an error listing the names:
 * op: key must be "a", "b" or "c", got x */
int nbl_opt_choice(lua_State *L, int i, const char *key, const char *const *names,
                      const int *values, int def, const char *op) {
    int k = -1;
    if (nbl_opt_get(L, i, key) != LUA_TNIL) {
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
            nbl_argerror(L, op, key, "must be %s, got %s", list, got);
        }
    }
    lua_pop(L, 1);
    return k < 0 ? def : values ? values[k] : k;
}

double nbl_opt_number(lua_State *L, int i, const char *key, double def, const char *op) {
    int t = nbl_opt_get(L, i, key);
    double v = def;
    if (t == LUA_TNUMBER) v = lua_tonumber(L, -1);
    else if (t != LUA_TNIL)
        nbl_argerror(L, op, lua_pushfstring(L, "option %s", key), "must be a number, got %s",
                     lua_typename(L, t));
    lua_pop(L, 1);
    return v;
}

bool nbl_opt_bool(lua_State *L, int i, const char *key, bool def, const char *op) {
    int t = nbl_opt_get(L, i, key);
    bool v = def;
    if (t == LUA_TBOOLEAN) v = lua_toboolean(L, -1);
    else if (t != LUA_TNIL)
        nbl_argerror(L, op, lua_pushfstring(L, "option %s", key), "must be true or false, got %s",
                     lua_typename(L, t));
    lua_pop(L, 1);
    return v;
}

/* A tensor option (borrowed: it stays referenced by the options table) or NULL. */
nb_tensor *nbl_opt_tensor(lua_State *L, int i, const char *key, const char *op) {
    int t = nbl_opt_get(L, i, key);
    nb_tensor *v = NULL;
    if (t != LUA_TNIL) {
        v = nbl_test(L, -1);
        if (!v)
            nbl_argerror(L, op, lua_pushfstring(L, "option %s", key), "must be a tensor, got %s",
                         lua_typename(L, t));
    }
    lua_pop(L, 1);
    return v;
}

/* An integer from the value at the top of the stack (pops it). */
int64_t nbl_pop_int(lua_State *L, const char *op, const char *what) {
    int ok;
    lua_Integer v = lua_tointegerx(L, -1, &ok);
    if (!ok)
        nbl_argerror(L, op, what, "must be an integer or a pair {h, w} of integers, got %s",
                     lua_type(L, -1) == LUA_TNUMBER ? "a fraction" : luaL_typename(L, -1));
    lua_pop(L, 1);
    return v;
}

/* A {height, width} pair from the value at the top of the stack (pops it): a number n
 * means {n, n}; nil leaves out unchanged. */
void nbl_pop_pair(lua_State *L, int64_t out[2], const char *op, const char *what) {
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    if (lua_istable(L, -1)) {
        if (luaL_len(L, -1) != 2)
            nbl_argerror(L, op, what, "must be a number or a pair {h, w}");
        for (int k = 0; k < 2; k++) {
            lua_geti(L, -1, k + 1);
            out[k] = nbl_pop_int(L, op, what);
        }
        lua_pop(L, 1);
        return;
    }
    out[0] = out[1] = nbl_pop_int(L, op, what);
}

/* A pair argument at stack index i (nil keeps out). */
void nbl_arg_pair(lua_State *L, int i, int64_t out[2], const char *op, const char *what) {
    lua_pushvalue(L, i);
    nbl_pop_pair(L, out, op, what);
}

nb_tensor *nbl_opt_arg_tensor(lua_State *L, int i, const char *op, const char *what) {
    if (lua_isnoneornil(L, i)) return NULL;
    nb_tensor *t = nbl_test(L, i);
    if (!t) nbl_argerror(L, op, what, "must be a tensor or nil, got %s", luaL_typename(L, i));
    return t;
}

bool nbl_opt_arg_bool(lua_State *L, int i, bool def) {
    return lua_isnoneornil(L, i) ? def : lua_toboolean(L, i);
}

/* ---- registration ----------------------------------------------------------------------- */

/* Sets the functions of l into the table at index t; owners (a table at index o) maps each
 * name already set to the module that set it, so a second module with the same name is
 * an error naming both, instead of silently replacing the first. */
static void set_unique(lua_State *L, int t, int o, const luaL_Reg *l, const char *module,
                       const char *where) {
    for (; l && l->name; l++) {
        if (lua_getfield(L, o, l->name) != LUA_TNIL)
            luaL_error(L, "nabla: %s '%s' is registered twice: by module '%s' and by module "
                          "'%s'", where, l->name, lua_tostring(L, -1), module);
        lua_pop(L, 1);
        lua_pushstring(L, module);
        lua_setfield(L, o, l->name);
        lua_pushcfunction(L, l->func);
        lua_setfield(L, t, l->name);
    }
}

void nbl_install(lua_State *L, const nbl_module *const *mods, int methods, int functions,
                 int internals) {
    methods = lua_absindex(L, methods);
    functions = lua_absindex(L, functions);
    internals = lua_absindex(L, internals);
    lua_newtable(L); /* owners of the methods */
    lua_newtable(L); /* owners of the functions */
    lua_newtable(L); /* owners of the internals */
    int o = lua_gettop(L) - 2;
    for (; *mods; mods++) {
        set_unique(L, methods, o, (*mods)->methods, (*mods)->name, "tensor method");
        set_unique(L, functions, o + 1, (*mods)->functions, (*mods)->name, "function");
        set_unique(L, internals, o + 2, (*mods)->internals, (*mods)->name, "nabla._C function");
    }
    lua_pop(L, 3);
}

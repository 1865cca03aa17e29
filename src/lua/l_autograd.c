/* Autograd from Lua: requires_grad, backward, retain_grad, hooks, no_grad, graph nodes. */
#include <stdlib.h>
#include <string.h>

#include "nbl.h"

static int l_requires_grad(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    bool flag = lua_isnoneornil(L, 2) ? true : lua_toboolean(L, 2);
    if (nb_grad_fn(t) && !flag)
        return luaL_error(L, "requires_grad: only leaf tensors can stop requiring grad (this one "
                             "was made by '%s'; use detach())", nb_grad_fn(t)->op);
    if (nb_set_requires_grad(t, flag)) return nbl_raise(L);
    lua_settop(L, 1);
    return 1;
}

static int l_retain_grad(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    if (!nb_requires_grad(t))
        return luaL_error(L, "retain_grad: this tensor does not require grad");
    if (nb_grad_fn(t)) t->autograd->retains_grad = true;
    lua_settop(L, 1);
    return 1;
}

/* ---- backward, with an optional visitor called at each node (graph/step-through) ------- */

typedef struct {
    lua_State *L;
    int fn; /* stack index of the visit function */
} visit_ctx;

static int visit(void *ctxp, nb_node *n, nb_tensor *gout, nb_tensor **gin) {
    visit_ctx *c = ctxp;
    lua_State *L = c->L;
    lua_pushvalue(L, c->fn);
    nbl_push_node(L, n);
    nb_incref(gout);
    nbl_push(L, gout);
    lua_createtable(L, n->nin, 0);
    for (int i = 0; i < n->nin; i++) {
        if (gin[i]) {
            nb_incref(gin[i]);
            nbl_push(L, gin[i]);
        } else
            lua_pushboolean(L, 0);
        lua_rawseti(L, -2, i + 1);
    }
    if (lua_pcall(L, 3, 0, 0) != LUA_OK) {
        nb_error("%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "error in backward visitor");
        lua_pop(L, 1);
        return -1;
    }
    return 0;
}

/* x:backward(), x:backward(grad), x:backward{gradient=, retain_graph=, visit=fn} */
static int l_backward(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    nb_backward_opts o = {0};
    visit_ctx vc = {L, 0};
    if (nbl_test(L, 2)) o.gradient = nbl_check(L, 2);
    else if (lua_istable(L, 2)) {
        lua_getfield(L, 2, "gradient");
        if (!lua_isnil(L, -1)) o.gradient = nbl_check(L, -1);
        lua_getfield(L, 2, "retain_graph");
        o.retain_graph = lua_toboolean(L, -1);
        lua_getfield(L, 2, "visit");
        if (lua_isfunction(L, -1)) {
            vc.fn = lua_gettop(L);
            o.visit = visit;
            o.visit_ctx = &vc;
        }
    } else if (!lua_isnoneornil(L, 2))
        return luaL_argerror(L, 2, "expected a gradient tensor or an options table");
    if (nb_backward(t, &o)) return nbl_raise(L);
    return 0;
}

/* ---- hooks ----------------------------------------------------------------------------- */

typedef struct {
    lua_State *L;
    int ref;
} hook_ctx;

static nb_tensor *call_hook(void *ctxp, nb_tensor *t, nb_tensor *grad, int *err) {
    hook_ctx *c = ctxp;
    lua_State *L = c->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->ref);
    nb_incref(grad);
    nbl_push(L, grad);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        nb_error("hook: %s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
        lua_pop(L, 1);
        *err = 1;
        return NULL;
    }
    nb_tensor *r = nbl_test(L, -1);
    if (r) nb_incref(r);
    else if (!lua_isnil(L, -1)) {
        nb_error("hook: must return nil or a tensor, returned a %s", luaL_typename(L, -1));
        *err = 1;
    }
    lua_pop(L, 1);
    return r;
}

static void free_hook(void *ctxp) {
    hook_ctx *c = ctxp;
    luaL_unref(c->L, LUA_REGISTRYINDEX, c->ref);
    free(c);
}

static int l_hook_remove(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "tensor");
    nb_tensor *t = nbl_test(L, -1);
    lua_getfield(L, 1, "id");
    int id = (int)lua_tointeger(L, -1);
    if (t) nb_remove_hook(t, id);
    return 0;
}

/* x:register_hook(function(grad) ... end) -> handle with :remove(). The function sees the
 * gradient of x when backward reaches it, and may return a replacement. */
static int l_register_hook(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    if (!nb_requires_grad(t))
        return luaL_error(L, "register_hook: cannot register a hook on a tensor that does not "
                             "require grad");
    hook_ctx *c = malloc(sizeof *c);
    if (!c) return luaL_error(L, "register_hook: out of memory");
    c->L = L;
    lua_pushvalue(L, 2);
    c->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    int id = nb_add_hook(t, call_hook, c, free_hook);
    if (id < 0) {
        free_hook(c);
        return nbl_raise(L);
    }
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, 1);
    lua_setfield(L, -2, "tensor");
    lua_pushinteger(L, id);
    lua_setfield(L, -2, "id");
    lua_pushcfunction(L, l_hook_remove);
    lua_setfield(L, -2, "remove");
    return 1;
}

/* ---- gradient mode ----------------------------------------------------------------------- */

static int guard_close(lua_State *L) {
    bool *prev = luaL_checkudata(L, 1, "nabla.GradGuard");
    nb_grad_enabled = *prev;
    return 0;
}

static int with_grad_mode(lua_State *L, bool mode) {
    if (lua_isnoneornil(L, 1)) { /* local _ <close> = no_grad() */
        bool *prev = lua_newuserdatauv(L, sizeof(bool), 0);
        *prev = nb_grad_enabled;
        if (luaL_newmetatable(L, "nabla.GradGuard")) {
            lua_pushcfunction(L, guard_close);
            lua_setfield(L, -2, "__close");
        }
        lua_setmetatable(L, -2);
        nb_grad_enabled = mode;
        return 1;
    }
    luaL_checktype(L, 1, LUA_TFUNCTION);
    bool prev = nb_grad_enabled;
    nb_grad_enabled = mode;
    int n = lua_gettop(L) - 1;
    int rc = lua_pcall(L, n, LUA_MULTRET, 0);
    nb_grad_enabled = prev;
    if (rc != LUA_OK) return lua_error(L);
    return lua_gettop(L);
}
static int l_no_grad(lua_State *L) { return with_grad_mode(L, false); }
static int l_enable_grad(lua_State *L) { return with_grad_mode(L, true); }
static int l_is_grad_enabled(lua_State *L) {
    lua_pushboolean(L, nb_grad_enabled);
    return 1;
}
static int l_set_grad_enabled(lua_State *L) {
    nb_grad_enabled = lua_toboolean(L, 1);
    return 0;
}

/* memory as the engine counts it: bytes of tensor storage alive */
static int l_memory(lua_State *L) {
    lua_pushinteger(L, nb_bytes_alive);
    return 1;
}

/* argument 1 of `op` as a size in bytes: a number, or a string such as "2G" (K, M, G, T) */
static int64_t size_arg(lua_State *L, const char *op) {
    if (lua_type(L, 1) == LUA_TSTRING) {
        int64_t bytes = nb_parse_bytes(lua_tostring(L, 1));
        if (bytes < 0)
            luaL_error(L, "%s: '%s' is not a size (bytes, or a number with K, M or G)", op, lua_tostring(L, 1));
        return bytes;
    }
    lua_Number v = luaL_checknumber(L, 1);
    if (!(v >= 0) || v >= 9.0e18) luaL_error(L, "%s: %f is not a size in bytes", op, (double)v);
    return (int64_t)v;
}

/* memory_limit([bytes]): the most bytes one tensor may hold; with an argument (0 for the
 * system's limit), sets it and returns the previous limit */
static int l_memory_limit(lua_State *L) {
    if (lua_isnoneornil(L, 1)) lua_pushinteger(L, nb_memory_limit());
    else lua_pushinteger(L, nb_set_memory_limit(size_arg(L, "memory_limit")));
    return 1;
}

/* cache_limit([bytes]): the most freed memory kept for reuse (src/core/tensor.c's block
 * cache, 64 MiB by default); with an argument, sets it and returns the previous limit */
static int l_cache_limit(lua_State *L) {
    size_t bytes = lua_isnoneornil(L, 1) ? (size_t)-1 : (size_t)size_arg(L, "cache_limit");
    lua_pushinteger(L, (lua_Integer)nb_set_cache_limit(bytes));
    return 1;
}

/* _trim_heap(): after collectgarbage(), the heap's free pages back to the system */
static int l_trim_heap(lua_State *L) {
    lua_pushboolean(L, nb_trim_heap());
    return 1;
}

static const luaL_Reg autograd_methods[] = {
    {"requires_grad", l_requires_grad}, {"requires_grad_", l_requires_grad},
    {"retain_grad", l_retain_grad}, {"backward", l_backward},
    {"register_hook", l_register_hook}, {NULL, NULL}};

static const luaL_Reg autograd_functions[] = {
    {"no_grad", l_no_grad}, {"enable_grad", l_enable_grad},
    {"is_grad_enabled", l_is_grad_enabled}, {"set_grad_enabled", l_set_grad_enabled},
    {"tensor_bytes", l_memory}, {"memory_limit", l_memory_limit},
    {"cache_limit", l_cache_limit}, {NULL, NULL}};

/* _release_cache(): the cache of freed large blocks back to the system (model:train and
 * model:eval call it when the mode changes: the sizes a run allocates change with it) */
static int l_release_cache(lua_State *L) {
    (void)L;
    nb_release_cache();
    return 0;
}

static const luaL_Reg autograd_internals[] = {{"_trim_heap", l_trim_heap},
                                              {"_release_cache", l_release_cache}, {NULL, NULL}};

NBL_MODULE(autograd, autograd_methods, autograd_functions, autograd_internals)

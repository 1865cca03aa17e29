/* luaopen_nabla: the engine as a Lua module. Used by the nabla shell and by
 * `require "nabla"` from a stock lua5.4 (with nabla.so on package.cpath). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nabla_config.h"
#include "nbl.h"

/* The binding modules, in the order they are installed (as Lua's linit.c): each defined
 * by NBL_MODULE in its l_*.c. A name registered by two modules stops start-up with an
 * error naming both. */
extern const nbl_module nbl_module_tensor, nbl_module_autograd, nbl_module_index,
    nbl_module_reduce, nbl_module_matmul, nbl_module_nn, nbl_module_rnn, nbl_module_optim,
    nbl_module_data, nbl_module_io, nbl_module_sys, nbl_module_serve;
static const nbl_module *const modules[] = {
    &nbl_module_tensor, &nbl_module_autograd, &nbl_module_index, &nbl_module_reduce,
    &nbl_module_matmul, &nbl_module_nn,       &nbl_module_rnn,   &nbl_module_optim,
    &nbl_module_data,   &nbl_module_io,       &nbl_module_sys,   &nbl_module_serve, NULL};

static bool file_exists(const char *path) {
    FILE *f = fopen(path, "r");
    if (f) fclose(f);
    return f != NULL;
}

/* Where the Lua library (lua/nabla) lives: $NABLA_PATH, else the source tree it was built from, else
 * the installed copy. */
static const char *lua_dir(void) {
    static char buf[4096];
    const char *env = getenv("NABLA_PATH");
    const char *cands[] = {env, NABLA_LUA_DIR, NABLA_INSTALL_LUA_DIR};
    for (int i = 0; i < 3; i++) {
        if (!cands[i] || !*cands[i]) continue;
        snprintf(buf, sizeof buf, "%s/nabla/init.lua", cands[i]);
        if (file_exists(buf)) return cands[i];
    }
    return NULL;
}

int luaopen_nabla(lua_State *L) {
    /* Tensor buffers are reported to the collector as debt (nbl_gc_account). Lua 5.4's
     * generational mode (lua5.4's default) lets a tensor that survived two minor
     * collections wait for a major one no matter how much debt is added, so memory would
     * grow; the incremental mode pays debt with full cycles, so RSS stays flat. */
    lua_gc(L, LUA_GCINC, 0, 0, 0);
    lua_newtable(L); /* tensor methods */
    int methods = lua_gettop(L);
    lua_newtable(L);
    int nabla = lua_gettop(L);
    lua_newtable(L); /* nabla._C */
    nbl_install(L, modules, methods, nabla, -1);
    lua_setfield(L, nabla, "_C");
    nbl_open_tensor_mt(L, methods);
    lua_remove(L, methods);
    nabla = lua_gettop(L);
    lua_pushliteral(L, NABLA_VERSION);
    lua_setfield(L, nabla, "version");
    luaL_getmetatable(L, NBL_TENSOR_MT);
    lua_setfield(L, nabla, "Tensor");

    /* make `require "nabla"` inside the Lua library return this table */
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_pushvalue(L, nabla);
    lua_setfield(L, -2, "nabla");
    lua_pop(L, 1);

    const char *dir = lua_dir();
    if (!dir)
        return luaL_error(L, "nabla: cannot find its Lua library (lua/nabla/init.lua); set "
                             "NABLA_PATH to the 'lua' directory of the nabla sources");
    lua_pushstring(L, dir);
    lua_setfield(L, nabla, "lua_dir");
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "path");
    lua_pushfstring(L, "%s/?.lua;%s/?/init.lua;%s", dir, dir, lua_tostring(L, -1));
    lua_setfield(L, -3, "path");
    lua_pop(L, 2);

    char path[4200];
    snprintf(path, sizeof path, "%s/nabla/init.lua", dir);
    if (luaL_loadfile(L, path) != LUA_OK) return lua_error(L);
    lua_pushvalue(L, nabla);
    lua_call(L, 1, 0);
    lua_settop(L, nabla);
    return 1;
}

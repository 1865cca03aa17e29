/* luaopen_nabla: the engine as a Lua module. Used by the nabla shell and by
 * `require "nabla"` from a stock lua5.4 (with nabla.so on package.cpath). */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* ---- where nabla's resources are ----------------------------------------------------------
 * The resource root holds lua/ (the Lua library), lessons/, experiments/, datasets/, web/ and
 * jupyter/. It is found from where this program's file is, never from a path compiled in:
 *   1. $NABLA_PATH, the lua/ directory (the root is its parent): tests, or a copy of the sources;
 *   2. an install: NABLA_REL_DATADIR (e.g. ../share/nabla) from the executable's directory
 *      (/proc/self/exe), or NABLA_REL_MODULE_DATADIR from nabla.so's (loaded by a stock lua5.4);
 *      the prefix can be moved as a whole (relocatable);
 *   3. a build tree: the file nabla-root beside the executable (meson writes it) names the
 *      source tree it was configured from.
 * The root is an install when it holds no meson.build (then fetched data sets go to the user's
 * data directory, never into the prefix: lua/nabla/paths.lua). */
#define NBL_PATH_MAX 4096

/* out = a + b; false when it does not fit */
static bool cat2(char *out, const char *a, const char *b) {
    int k = snprintf(out, NBL_PATH_MAX, "%s%s", a, b);
    return k >= 0 && k < NBL_PATH_MAX;
}

static bool root_ok(const char *root) {
    char p[NBL_PATH_MAX];
    return cat2(p, root, "/lua/nabla/init.lua") && file_exists(p);
}

int luaopen_nabla(lua_State *L);

/* The directory of the file this code runs from (the executable or nabla.so). */
static bool self_dir(char *dir) {
    char self[NBL_PATH_MAX];
#ifdef NBL_IN_MODULE
    Dl_info info;
    if (!dladdr((void *)luaopen_nabla, &info) || !info.dli_fname) return false;
    if (!realpath(info.dli_fname, self)) return false;
#else
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) return false;
    self[len] = 0;
#endif
    char *slash = strrchr(self, '/');
    if (!slash) return false;
    *slash = 0;
    return cat2(dir, self[0] ? self : "/", "");
}

#ifdef NBL_IN_MODULE
#define NBL_REL_DATADIR "/" NABLA_REL_MODULE_DATADIR
#else
#define NBL_REL_DATADIR "/" NABLA_REL_DATADIR
#endif

/* root (the resource root, absolute when realpath can make it so) and lua (its Lua library),
 * each of NBL_PATH_MAX bytes. */
static bool find_root(char *root, char *lua) {
    char cand[NBL_PATH_MAX], real[PATH_MAX > NBL_PATH_MAX ? PATH_MAX : NBL_PATH_MAX];
    const char *env = getenv("NABLA_PATH");
    if (env && *env && cat2(cand, env, "/nabla/init.lua") && file_exists(cand)) {
        if (!cat2(lua, env, "") || !cat2(cand, env, "/..")) return false;
        return cat2(root, realpath(cand, real) ? real : cand, "");
    }
    char dir[NBL_PATH_MAX];
    if (!self_dir(dir) || !cat2(cand, dir, NBL_REL_DATADIR)) return false;
    if (!root_ok(cand)) {
        /* a build tree: nabla-root beside the executable (or nabla.so) */
        if (!cat2(cand, dir, "/nabla-root")) return false;
        FILE *f = fopen(cand, "r");
        if (!f) return false;
        bool got = fgets(cand, sizeof cand, f) != NULL;
        fclose(f);
        if (!got) return false;
        cand[strcspn(cand, "\r\n")] = 0;
        if (!root_ok(cand)) return false;
    }
    return cat2(root, realpath(cand, real) ? real : cand, "") && cat2(lua, root, "/lua");
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

    static char root[NBL_PATH_MAX], dir[NBL_PATH_MAX];
    if (!find_root(root, dir))
        return luaL_error(L, "nabla: cannot find its Lua library (lua/nabla/init.lua) near the "
                             "executable; set NABLA_PATH to the 'lua' directory of nabla");
    char marker[NBL_PATH_MAX];
    if (!cat2(marker, root, "/meson.build")) marker[0] = 0;
    lua_getfield(L, nabla, "_C");
    lua_createtable(L, 0, 3); /* nabla._C.paths: what lua/nabla/paths.lua builds on */
    lua_pushstring(L, root);
    lua_setfield(L, -2, "root");
    lua_pushstring(L, dir);
    lua_setfield(L, -2, "lua");
    lua_pushboolean(L, !file_exists(marker));
    lua_setfield(L, -2, "installed");
    lua_setfield(L, -2, "paths");
    lua_pop(L, 1);
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

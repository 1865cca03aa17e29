/* libFuzzer target hosting nabla's Lua library: FUZZ_SCRIPT (tests/fuzz/<name>.lua) returns
 * a function run(bytes) that feeds the input to the part under test and raises only for a
 * finding (an unclear error, a wrong gradient); clear errors are caught inside. A raised
 * error, a crash or a sanitizer report aborts, which libFuzzer records with the input. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>

int luaopen_nabla(lua_State *L);

static lua_State *L;

static int traceback(lua_State *L) {
    luaL_traceback(L, L, lua_tostring(L, 1), 1);
    return 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    /* a valid op may ask for a huge tensor (the mean over an empty dimension of a
     * [2^31, 0, 2] tensor is [2^31, 2]: 16 GiB); nabla refuses more than its memory limit
     * with a clear error, and here that limit is below libFuzzer's -rss_limit_mb (4 GiB) */
    setenv("NABLA_MAX_MEMORY", "1G", 0);
    L = luaL_newstate();
    luaL_openlibs(L);
    luaL_requiref(L, "nabla", luaopen_nabla, 1);
    lua_pop(L, 1);
    if (luaL_dofile(L, FUZZ_SCRIPT) != LUA_OK) {
        fprintf(stderr, "fuzz: cannot load %s: %s\n", FUZZ_SCRIPT, lua_tostring(L, -1));
        exit(1);
    }
    if (!lua_isfunction(L, -1)) {
        fprintf(stderr, "fuzz: %s must return a function\n", FUZZ_SCRIPT);
        exit(1);
    }
    lua_setglobal(L, "__fuzz_run");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lua_pushcfunction(L, traceback);
    lua_getglobal(L, "__fuzz_run");
    lua_pushlstring(L, (const char *)data, size);
    if (lua_pcall(L, 1, 0, -3) != LUA_OK) {
        fprintf(stderr, "fuzz finding: %s\n", lua_tostring(L, -1));
        abort();
    }
    lua_pop(L, 1);
    lua_gc(L, LUA_GCCOLLECT);
    return 0;
}

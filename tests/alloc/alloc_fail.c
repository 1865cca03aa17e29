/* The allocation-failure test's own executable (SQLite's way of testing out-of-memory): it
 * is linked with -Wl,--wrap=malloc,... so that every allocation made by nabla's C code (the
 * core, the ops, the Lua bindings; not Lua's own allocator nor libc's internals) goes through
 * the wrappers below (malloc, calloc, realloc, posix_memalign and mmap), and the N-th one
 * after fail_alloc(N) returns NULL (once).
 *
 *   alloc_fail SCRIPT.lua      runs SCRIPT with the nabla library and two globals:
 *     fail_alloc(n)            arms: the n-th wrapped allocation from now fails (0 disarms)
 *     alloc_fired() -> bool, count   whether it has failed since armed, and how many
 *                              wrapped allocations were made since
 * Then closes the Lua state, so that LeakSanitizer (in the sanitizer build) sees every leak. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int luaopen_nabla(lua_State *L);

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
int __real_posix_memalign(void **p, size_t a, size_t n);
void *__real_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off);

static atomic_long countdown; /* > 0: armed; the allocation that brings it to 0 fails */
static atomic_long made;
static atomic_int fired;

static int should_fail(void) {
    atomic_fetch_add(&made, 1);
    if (atomic_load(&countdown) <= 0) return 0;
    if (atomic_fetch_sub(&countdown, 1) == 1) {
        atomic_store(&fired, 1);
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { return should_fail() ? NULL : __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }
int __wrap_posix_memalign(void **p, size_t a, size_t n) {
    return should_fail() ? 12 /* ENOMEM */ : __real_posix_memalign(p, a, n);
}
/* large tensors are mapped on their own (src/core/tensor.c) */
void *__wrap_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off) {
    return should_fail() ? MAP_FAILED : __real_mmap(a, n, prot, flags, fd, off);
}

static int l_fail_alloc(lua_State *L) {
    atomic_store(&fired, 0);
    atomic_store(&made, 0);
    atomic_store(&countdown, (long)luaL_checkinteger(L, 1));
    return 0;
}

static int l_alloc_fired(lua_State *L) {
    lua_pushboolean(L, atomic_load(&fired));
    lua_pushinteger(L, atomic_load(&made));
    return 2;
}

static int traceback(lua_State *L) {
    luaL_traceback(L, L, lua_tostring(L, 1), 1);
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: alloc_fail SCRIPT.lua\n");
        return 2;
    }
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    luaL_requiref(L, "nabla", luaopen_nabla, 1);
    lua_pop(L, 1);
    lua_register(L, "fail_alloc", l_fail_alloc);
    lua_register(L, "alloc_fired", l_alloc_fired);
    lua_pushcfunction(L, traceback);
    int rc = luaL_loadfile(L, argv[1]);
    if (rc == LUA_OK) rc = lua_pcall(L, 0, 0, -2);
    if (rc != LUA_OK) fprintf(stderr, "%s\n", lua_tostring(L, -1));
    lua_close(L);
    return rc == LUA_OK ? 0 : 1;
}

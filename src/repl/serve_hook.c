/* The shell and the classroom server: while readline waits for a key, a request that
 * arrives (the server's eventfd becomes readable) is answered at once on this, the main,
 * thread (lua/nabla/serve.lua's poll); and the prompt says where the server listens. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <readline/readline.h>

#include "../server/server.h"
#include "repl.h"

static lua_State *hookL = NULL;

/* serve.lua's poll(), if the module is loaded; Ctrl-C waits until it returns */
static void serve_waiting(void) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &old);
    int top = lua_gettop(hookL);
    lua_getglobal(hookL, "package");
    lua_getfield(hookL, -1, "loaded");
    lua_getfield(hookL, -1, "nabla.serve");
    if (lua_istable(hookL, -1)) {
        lua_getfield(hookL, -1, "poll");
        if (lua_isfunction(hookL, -1) && lua_pcall(hookL, 0, 0, 0) != LUA_OK) {
            /* a failing model answers its requests with 500; nothing to print mid-line */
        }
    }
    lua_settop(hookL, top);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static int getc_serving(FILE *in) {
    int fd = nb_server_wakeup_fd();
    if (fd < 0) return rl_getc(in);
    for (;;) {
        struct pollfd p[2] = {{.fd = fileno(in), .events = POLLIN}, {.fd = fd, .events = POLLIN}};
        if (poll(p, 2, -1) < 0) return rl_getc(in);   /* a signal: readline handles it */
        if (p[1].revents & POLLIN) {
            if (nb_server_pending() > 0) serve_waiting();
            else {
                /* a wakeup whose request timed out and left: drain it, or poll would spin */
                unsigned long long v;
                if (read(fd, &v, sizeof v) < 0) { /* drained already */ }
            }
        }
        if (p[0].revents) return rl_getc(in);
    }
}

void nb_repl_serve_install(lua_State *L) {
    hookL = L;
    rl_getc_function = getc_serving;
}

/* "∇ " or, while a server runs, "∇ [:8000] " — from serve.lua's current() */
const char *nb_repl_prompt(lua_State *L, const char *base, char *buf, size_t n) {
    const char *tag = NULL;
    int top = lua_gettop(L);
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "loaded");
    lua_getfield(L, -1, "nabla.serve");
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "current");
        if (lua_isfunction(L, -1) && lua_pcall(L, 0, 1, 0) == LUA_OK && lua_istable(L, -1)) {
            lua_getfield(L, -1, "port");
            if (lua_isinteger(L, -1)) {
                static char t[32];
                snprintf(t, sizeof t, ":%d", (int)lua_tointeger(L, -1));
                tag = t;
            }
        }
    }
    lua_settop(L, top);
    if (!tag) return base;
    /* the tag before the final space of the prompt */
    size_t bl = strlen(base);
    if (bl && base[bl - 1] == ' ') bl--;
    snprintf(buf, n, "%.*s[%s] ", (int)bl, base, tag);
    return buf;
}

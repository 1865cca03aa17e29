/* Small system helpers for the Lua library: a wall clock, isatty, peak memory. */
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "nbl.h"

/* seconds on a monotonic wall clock (os.clock() is CPU time, summed over threads) */
static int l_clock(lua_State *L) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec * 1e-9);
    return 1;
}

/* isatty(fd = 1) */
static int l_isatty(lua_State *L) {
    lua_pushboolean(L, isatty((int)luaL_optinteger(L, 1, 1)));
    return 1;
}

/* terminal_columns(fd = 1): the width of the terminal on fd, or nil when it is not one */
static int l_terminal_columns(lua_State *L) {
    struct winsize ws;
    int fd = (int)luaL_optinteger(L, 1, 1);
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) lua_pushinteger(L, ws.ws_col);
    else lua_pushnil(L);
    return 1;
}

/* peak resident memory of this process, in MiB */
static int l_peak_rss(lua_State *L) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    lua_pushnumber(L, (lua_Number)ru.ru_maxrss / 1024.0);
    return 1;
}

static const luaL_Reg sys_functions[] = {
    {"clock", l_clock}, {"isatty", l_isatty}, {"peak_rss", l_peak_rss},
    {"terminal_columns", l_terminal_columns}, {NULL, NULL}};

NBL_MODULE(sys, NULL, sys_functions, NULL)

/* `nabla --kernel-pipe`: the nabla side of the Jupyter kernel. jupyter/nabla_kernel.py (a
 * wrapper kernel on ipykernel) starts one nabla process and talks to it over two pipes
 * whose descriptors it passes in NABLA_KERNEL_FDS="in,out" (default "3,4"):
 *   requests  (in):  frames "<length>\n<payload>", e.g. "execute\n<code>"
 *   replies   (out): frames "<length>\n<json>", e.g. {"type":"result","data":{...}}
 * What the learner's code prints goes to the process's stdout and stderr, which the kernel
 * reads as streams; a mark in stdout before every reply frame keeps the two in order.
 * The protocol itself is Lua (lua/nabla/jupyter.lua, serve()); this file gives it the
 * three things Lua cannot do: read and write the pipes, and run a cell so that SIGINT
 * (the notebook's stop button, forwarded by the kernel) stops it like Ctrl-C in the shell,
 * keeping every variable. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <lauxlib.h>
#include <lua.h>

#include "repl.h"

#define FRAME_MAX ((size_t)256 << 20) /* a cell larger than 256 MiB is not a cell */

static int in_fd = 3, out_fd = 4;
static FILE *in_file = NULL;
static lua_State *cell_L = NULL;

/* ---- interrupting a cell --------------------------------------------------------------- */

static void stop_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

/* While a cell runs, SIGINT arms a hook and Lua raises "interrupted!" at the next safe
 * point. Unlike the shell, a second SIGINT does not kill: the kernel must live on. */
static void on_sigint_in_cell(int sig) {
    (void)sig;
    if (cell_L) lua_sethook(cell_L, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

/* Between cells a late SIGINT is dropped (a handler, not SIG_IGN, so that programs the
 * learner starts with os.execute get the default action back). */
static void on_sigint_idle(int sig) { (void)sig; }

static void set_sigint(void (*fn)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
}

static int traceback_handler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) msg = lua_tostring(L, -1);
        else msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* ipcall(f, ...) -> true, results... | false, "message\nstack traceback:..." */
static int k_ipcall(lua_State *L) {
    luaL_checkany(L, 1);
    int n = lua_gettop(L);
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, 1);
    cell_L = L;
    set_sigint(on_sigint_in_cell);
    int status = lua_pcall(L, n - 1, LUA_MULTRET, 1);
    set_sigint(on_sigint_idle);
    lua_sethook(L, NULL, 0, 0);
    cell_L = NULL;
    lua_pushboolean(L, status == LUA_OK);
    lua_replace(L, 1); /* the handler's slot */
    return lua_gettop(L);
}

/* ---- the pipes ----------------------------------------------------------------------------- */

/* recv() -> the next request's payload, or nil when the kernel has gone */
static int k_recv(lua_State *L) {
    size_t len = 0;
    int c, digits = 0;
    while ((c = getc(in_file)) != EOF && c != '\n') {
        if (c < '0' || c > '9' || ++digits > 12) return luaL_error(L, "kernel pipe: bad frame header");
        len = len * 10 + (size_t)(c - '0');
    }
    if (c == EOF) return 0;
    if (len > FRAME_MAX) return luaL_error(L, "kernel pipe: frame of %d bytes is too large", (int)len);
    luaL_Buffer b;
    char *p = luaL_buffinitsize(L, &b, len);
    if (len && fread(p, 1, len, in_file) != len) return 0;
    luaL_pushresultsize(&b, len);
    return 1;
}

static bool write_all(const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(out_fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Written to stdout before each reply frame: the kernel shows the text before the mark,
 * then the frame, then what follows, so output and replies stay in order although they
 * come through different pipes. */
static const char frame_mark[] = "\0\033nabla-frame\0";

/* send(payload) */
static int k_send(lua_State *L) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    fwrite(frame_mark, 1, sizeof frame_mark - 1, stdout);
    fflush(stdout);
    fflush(stderr);
    char head[32];
    int hl = snprintf(head, sizeof head, "%zu\n", len);
    bool ok = write_all(head, (size_t)hl) && write_all(s, len);
    lua_pushboolean(L, ok);
    return 1;
}

int nb_kernel_pipe(lua_State *L) {
    const char *fds = getenv("NABLA_KERNEL_FDS");
    if (fds && sscanf(fds, "%d,%d", &in_fd, &out_fd) != 2) {
        fprintf(stderr, "nabla: NABLA_KERNEL_FDS should be \"in,out\", e.g. \"3,4\"\n");
        return 2;
    }
    if (fcntl(in_fd, F_GETFD) < 0 || fcntl(out_fd, F_GETFD) < 0) {
        fprintf(stderr, "nabla: --kernel-pipe is the Jupyter kernel's side of a pipe (file descriptors %d "
                        "and %d are not open); `nabla jupyter install` sets up the kernel\n", in_fd, out_fd);
        return 2;
    }
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* the kernel was killed: so are we */
    if (getppid() == 1) return 1;
#endif
    signal(SIGPIPE, SIG_IGN);
    in_file = fdopen(in_fd, "rb");
    if (!in_file) return 1;
    fcntl(out_fd, F_SETFD, FD_CLOEXEC);
    fcntl(in_fd, F_SETFD, FD_CLOEXEC);
    setvbuf(stdout, NULL, _IOLBF, 0); /* print streams a line at a time */
    set_sigint(on_sigint_idle);

    lua_getglobal(L, "require");
    lua_pushliteral(L, "nabla.jupyter");
    if (lua_pcall(L, 1, 1, 0) != LUA_OK || !lua_istable(L, -1)) {
        fprintf(stderr, "nabla: %s\n", lua_isstring(L, -1) ? lua_tostring(L, -1) : "nabla.jupyter did not load");
        return 1;
    }
    lua_pushcfunction(L, k_recv);
    lua_setfield(L, -2, "recv");
    lua_pushcfunction(L, k_send);
    lua_setfield(L, -2, "send");
    lua_pushcfunction(L, k_ipcall);
    lua_setfield(L, -2, "ipcall");
    lua_pushcfunction(L, nb_completions);
    lua_setfield(L, -2, "completions");
    lua_getfield(L, -1, "serve");
    int status = lua_pcall(L, 0, 1, 0);
    if (status != LUA_OK) {
        fprintf(stderr, "nabla: kernel: %s\n", lua_isstring(L, -1) ? lua_tostring(L, -1) : "(error)");
        return 1;
    }
    int rc = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : 0;
    fflush(stdout);
    return rc;
}

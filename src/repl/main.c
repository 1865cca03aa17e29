/* nabla: the shell. Runs scripts (`nabla file.lua`, `-e`, `run`) or an interactive
 * GNU Readline session with history, completion, multi-line input and auto-printing.
 * The habits of lua.c: `return <line>` is tried first so expressions print; a syntax error
 * ending at <eof> means "keep reading"; Ctrl-C only sets a hook and Lua raises
 * "interrupted!" where it is safe, so every variable survives. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <readline/history.h>
#include <readline/readline.h>

#include "nabla_config.h"
#include "repl.h"

int luaopen_nabla(lua_State *L);

static lua_State *globalL = NULL;
static const char *progname = "nabla";
static bool use_color = false;

/* ---- Ctrl-C ------------------------------------------------------------------------------ */

/* While Lua runs: the handler sets a hook; the hook raises the error inside Lua. */
static void laction(int sig);
static void lstop(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    /* Lua got the interruption: the next Ctrl-C interrupts again (fit catches the first
     * one to return its history, and the line may go on) */
    signal(SIGINT, laction);
    luaL_error(L, "interrupted!");
}

static void laction(int sig) {
    int flag = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
    signal(sig, SIG_DFL); /* a second Ctrl-C kills, as in lua.c */
    lua_sethook(globalL, lstop, flag, 1);
}

/* At the prompt: Ctrl-C abandons the line being typed. */
static sigjmp_buf prompt_jmp;
static volatile sig_atomic_t at_prompt = 0;
static void prompt_action(int sig) {
    (void)sig;
    if (at_prompt) siglongjmp(prompt_jmp, 1);
}

/* Calls nabla.shell's function `name` with the n values on top of the stack (popped);
 * leaves its one result, or returns false (and leaves nothing) if it could not run. */
static bool shell_call(lua_State *L, const char *name, int n) {
    lua_getglobal(L, "require");
    lua_pushliteral(L, "nabla.shell");
    if (lua_pcall(L, 1, 1, 0) != LUA_OK || !lua_istable(L, -1)) {
        lua_pop(L, 1 + n);
        return false;
    }
    lua_getfield(L, -1, name);
    lua_remove(L, -2);
    lua_insert(L, -1 - n);
    if (lua_pcall(L, n, 1, 0) != LUA_OK) {
        lua_pop(L, 1);
        return false;
    }
    return true;
}

/* The message on top of the stack, made readable (did you mean, no internal paths,
 * wrapped to the terminal); chunk names the source of the input ("-e"), or NULL. */
static void shell_message(lua_State *L, const char *chunk, const char *prefix) {
    if (chunk) lua_pushstring(L, chunk);
    else lua_pushnil(L);
    int top = lua_gettop(L);
    lua_pushvalue(L, top - 1);
    lua_pushvalue(L, top);
    lua_pushstring(L, prefix ? prefix : "");
    if (shell_call(L, "error_text", 3) && lua_type(L, -1) == LUA_TSTRING) {
        lua_replace(L, top - 1);
        lua_pop(L, 1);
    } else {
        lua_settop(L, top - 1);
    }
}

static int msghandler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* Calls the function under the message handler with Ctrl-C armed. */
static int docall(lua_State *L, int narg, int nres, bool traceback) {
    int base = lua_gettop(L) - narg;
    if (traceback) {
        lua_pushcfunction(L, msghandler);
        lua_insert(L, base);
    }
    globalL = L;
    signal(SIGINT, laction);
    int status = lua_pcall(L, narg, nres, traceback ? base : 0);
    signal(SIGINT, SIG_DFL);
    lua_sethook(L, NULL, 0, 0);
    if (traceback) lua_remove(L, base);
    return status;
}

static void print_error_in(lua_State *L, const char *chunk) {
    shell_message(L, chunk, NULL);
    const char *msg = lua_tostring(L, -1);
    if (!msg) msg = "(error object is not a string)";
    if (use_color) fprintf(stderr, "\033[31m%s\033[0m\n", msg);
    else fprintf(stderr, "%s\n", msg);
    fflush(stderr);
    lua_pop(L, 1);
}

static void print_error(lua_State *L) { print_error_in(L, NULL); }

/* ---- the interactive loop -------------------------------------------------------------- */

static char history_path[4200];

static void setup_history(void) {
    const char *state = getenv("XDG_STATE_HOME");
    char dir[4096];
    if (state && *state) snprintf(dir, sizeof dir, "%s/nabla", state);
    else snprintf(dir, sizeof dir, "%s/.local/state/nabla", getenv("HOME") ? getenv("HOME") : ".");
    /* mkdir -p */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(tmp, 0755);
            *p = '/';
        }
    mkdir(tmp, 0755);
    snprintf(history_path, sizeof history_path, "%s/history", dir);
    using_history();
    stifle_history(NB_HISTORY_MAX);
    read_history(history_path);
}

static void remember(const char *line) {
    if (!line || !*line) return;
    HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
    if (last && strcmp(last->line, line) == 0) return;
    add_history(line);
    /* written at once, so a killed session keeps it */
    FILE *f = fopen(history_path, "a");
    if (f) {
        fclose(f);
        append_history(1, history_path);
        history_truncate_file(history_path, NB_HISTORY_MAX);
    }
}

/* Reads a line; NULL on end of input. Ctrl-C at the prompt gives an empty line. */
static char *read_line(const char *prompt, bool *interrupted) {
    *interrupted = false;
    signal(SIGINT, prompt_action);
    if (sigsetjmp(prompt_jmp, 1)) {
        /* readline's own handler already echoed ^C and restored the terminal; the line
         * typed so far is dropped and the next readline() starts a fresh prompt line */
        at_prompt = 0;
        rl_free_line_state();
        rl_cleanup_after_signal();
        fputs("\n", stdout);
        fflush(stdout);
        *interrupted = true;
        signal(SIGINT, SIG_DFL);
        return strdup("");
    }
    at_prompt = 1;
    char *line = readline(prompt);
    at_prompt = 0;
    signal(SIGINT, SIG_DFL);
    return line;
}

/* Is the chunk incomplete (a syntax error at <eof>)? Leaves the stack as it was. */
static bool incomplete(lua_State *L, int status) {
    if (status == LUA_ERRSYNTAX) {
        size_t lmsg;
        const char *msg = lua_tolstring(L, -1, &lmsg);
        const char *mark = "<eof>";
        size_t lmark = strlen(mark);
        if (lmsg >= lmark && strcmp(msg + lmsg - lmark, mark) == 0) return true;
    }
    return false;
}

/* Prints the values on the stack (results of a line) as nabla.repr shows them: tables as
 * Lua literals cut to the terminal, objects by their __tostring; a value the line already
 * displayed (inspect, graph, a plot) is not echoed again. */
static void print_results(lua_State *L) {
    int n = lua_gettop(L);
    if (n == 0) return;
    if (shell_call(L, "results", n)) {
        if (lua_type(L, -1) == LUA_TSTRING) {
            fputs(lua_tostring(L, -1), stdout);
            fputc('\n', stdout);
        }
    } else {
        /* nabla.shell failed: the values are gone; say so rather than print nothing */
        fputs("(the value could not be printed)\n", stdout);
    }
    fflush(stdout);
    lua_settop(L, 0);
}

/* Before each line runs: nabla.display forgets what the previous line showed. */
static void begin_eval(lua_State *L) {
    if (shell_call(L, "begin", 0)) lua_pop(L, 1);
}

/* Runs one complete input: first as `return <line>` (so expressions print), else as a
 * statement. Returns false if more input is needed. */
static int load_chunk(lua_State *L, const char *code, bool *need_more, const char *name) {
    *need_more = false;
    const char *src = code;
    if (code[0] == '=') src = code + 1; /* Lua 5.1's "=expr" */
    lua_pushfstring(L, "return %s;", src);
    int status = luaL_loadbuffer(L, lua_tostring(L, -1), lua_rawlen(L, -1), name);
    lua_remove(L, -2);
    if (status == LUA_OK) return status;
    lua_pop(L, 1);
    status = luaL_loadbuffer(L, code, strlen(code), name);
    if (incomplete(L, status)) {
        lua_pop(L, 1);
        *need_more = true;
    }
    return status;
}

static int load_line(lua_State *L, const char *code, bool *need_more) {
    return load_chunk(L, code, need_more, "=stdin");
}

static bool handle_colon_command(lua_State *L, const char *line, bool *quit) {
    while (*line == ' ') line++;
    if (line[0] != ':') return false;
    char cmd[64] = "", arg[256] = "";
    sscanf(line + 1, "%63s %255s", cmd, arg);
    if (!strcmp(cmd, "q") || !strcmp(cmd, "quit") || !strcmp(cmd, "exit")) *quit = true;
    else if (!strcmp(cmd, "help") || !strcmp(cmd, "h")) {
        fputs(":help         this list\n"
              ":quit, :q     leave (quit(), exit() and Ctrl-D too)\n"
              ":lessons      list the lessons (as lessons())\n"
              ":lang ko|en   language of lessons and help\n"
              ":reset        a fresh session (every variable is dropped)\n"
              "help()        topics; help(x) describes x\n", stdout);
    } else if (!strcmp(cmd, "lessons")) {
        if (luaL_dostring(L, "lessons()") != LUA_OK) print_error(L);
    } else if (!strcmp(cmd, "lang")) {
        if (strcmp(arg, "ko") && strcmp(arg, "en")) fputs(":lang ko or :lang en\n", stdout);
        else {
            lua_getglobal(L, "nabla");
            if (lua_istable(L, -1)) {
                lua_pushstring(L, arg);
                lua_setfield(L, -2, "lang");
            }
            lua_pop(L, 1);
            fputs(!strcmp(arg, "ko") ? "언어: 한국어 — 레슨, 도움말, 메시지가 한국어로 나옵니다 (:lang en으로 되돌립니다)\n"
                                     : "language: English — lessons, help and messages in English (:lang ko for Korean)\n",
                  stdout);
        }
    } else if (!strcmp(cmd, "reset")) {
        lua_pushboolean(L, 1);
        lua_setfield(L, LUA_REGISTRYINDEX, "nabla.reset");
        lua_getglobal(L, "nabla");
        bool ko = false;
        if (lua_istable(L, -1)) {
            lua_getfield(L, -1, "lang");
            ko = lua_isstring(L, -1) && !strcmp(lua_tostring(L, -1), "ko");
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        fputs(ko ? "새 세션을 시작합니다: 모든 변수를 지웠습니다 (레슨 진도와 입력 기록은 남아 있습니다)\n"
                 : "fresh session: every variable is gone (lesson progress and history are kept)\n",
              stdout);
        *quit = true;
    } else
        fprintf(stdout, "unknown command :%s (:help lists them)\n", cmd);
    fflush(stdout);
    return true;
}

/* The read-eval-print loop. Returns true if the user asked for a fresh session. */
static bool repl(lua_State *L, bool welcome) {
    setup_history();
    /* quit() and exit() */
    lua_getglobal(L, "require");
    lua_pushliteral(L, "nabla.shell");
    if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_istable(L, -1)) {
        lua_getfield(L, -1, "install");
        if (lua_pcall(L, 0, 0, 0) != LUA_OK) lua_pop(L, 1);
    }
    lua_settop(L, 0);
    if (welcome) {
        lua_pushstring(L, NABLA_VERSION);
        if (shell_call(L, "welcome", 1)) {
            if (lua_type(L, -1) == LUA_TSTRING) printf("%s\n", lua_tostring(L, -1));
            lua_pop(L, 1);
        }
        fflush(stdout);
    }
    nb_setup_completion(L);
    nb_repl_serve_install(L);
    const char *p1 = use_color ? "\001\033[1;36m\002∇\001\033[0m\002 " : "∇ ";
    const char *p2 = use_color ? "\001\033[36m\002..\001\033[0m\002 " : ".. ";
    bool quit = false;
    while (!quit) {
        lua_settop(L, 0);
        bool intr;
        char prompt[128];
        char *line = read_line(nb_repl_prompt(L, p1, prompt, sizeof prompt), &intr);
        if (!line) break; /* Ctrl-D */
        if (intr) {
            free(line);
            continue;
        }
        if (handle_colon_command(L, line, &quit)) {
            remember(line);
            free(line);
            continue;
        }
        /* gather lines until the chunk is complete */
        luaL_Buffer dummy;
        (void)dummy;
        size_t cap = strlen(line) + 1, len = strlen(line);
        char *code = malloc(cap);
        memcpy(code, line, len + 1);
        free(line);
        bool need_more;
        int status = load_line(L, code, &need_more);
        while (need_more) {
            char *more = read_line(p2, &intr);
            if (!more || intr) { /* Ctrl-D or Ctrl-C abandons the chunk */
                free(more);
                status = -1;
                break;
            }
            size_t ml = strlen(more);
            char *c2 = realloc(code, len + ml + 2);
            if (!c2) {
                free(more);
                status = -1;
                break;
            }
            code = c2;
            code[len++] = '\n';
            memcpy(code + len, more, ml + 1);
            len += ml;
            free(more);
            status = load_line(L, code, &need_more);
        }
        if (status != -1) {
            /* one history entry per chunk, newlines kept */
            remember(code);
        }
        free(code);
        if (status == -1) {
            lua_settop(L, 0);
            continue;
        }
        if (status == LUA_OK) {
            begin_eval(L);
            status = docall(L, 0, LUA_MULTRET, false);
        }
        if (status == LUA_OK) print_results(L);
        else print_error(L);
    }
    if (!quit) fputc('\n', stdout);
    lua_getfield(L, LUA_REGISTRYINDEX, "nabla.reset");
    bool reset = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return reset;
}

/* ---- start-up -------------------------------------------------------------------------------- */

static void usage(void) {
    printf("usage: %s [options] [script.lua [args]]\n"
           "       %s run NAME|FILE.lua [--key value ...]   (an experiment; run --list lists them)\n"
           "       %s serve CHECKPOINT [--port 8000] [--host 127.0.0.1]   (a model on the web)\n"
           "       %s jupyter install | lesson ID [--lang ko]   (nabla in Jupyter)\n"
           "  -e chunk      run the Lua chunk (several allowed)\n"
           "  -i            stay interactive after running a script or -e\n"
           "  -q            no welcome screen\n"
           "  --lang ko|en  language of lessons and help (default from LANG)\n"
           "  --no-color    no colours (also when NO_COLOR is set or output is not a terminal)\n"
           "  --version     version, Lua and BLAS\n"
           "  --help        this text\n"
           "With no script, nabla starts the interactive shell: lessons() lists the lessons,\n"
           "help() the topics. NABLA_DATA: where data sets are fetched (default, installed:\n"
           "~/.local/share/nabla/datasets). man nabla for more.\n",
           progname, progname, progname, progname);
}

/* A Lua state with the standard libraries and nabla in the globals. */
static lua_State *new_state(const char *lang, int argc, char **argv, int script) {
    lua_State *L = luaL_newstate();
    if (!L) return NULL;
    luaL_openlibs(L);
    luaL_requiref(L, "nabla", luaopen_nabla, 1);
    if (lang) {
        lua_pushstring(L, lang);
        lua_setfield(L, -2, "lang");
    }
    lua_pushboolean(L, use_color);
    lua_setfield(L, -2, "color");
    lua_getfield(L, -1, "globals");
    if (lua_isfunction(L, -1)) {
        lua_pushglobaltable(L);
        if (lua_pcall(L, 1, 0, 0) != LUA_OK) print_error(L);
    } else
        lua_pop(L, 1);
    lua_pop(L, 1);
    /* arg, as lua.c: arg[0] is the script, arg[1..] its arguments, negatives before */
    lua_createtable(L, argc - script, script + 1);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - script);
    }
    lua_setglobal(L, "arg");
    return L;
}

static int run_script(lua_State *L, const char *path, int argc, char **argv, int first) {
    int status = luaL_loadfile(L, path);
    if (status == LUA_OK) {
        int n = 0;
        for (int i = first; i < argc; i++, n++) lua_pushstring(L, argv[i]);
        status = docall(L, n, 0, true);
    }
    if (status != LUA_OK) {
        shell_message(L, NULL, "nabla: ");
        const char *msg = lua_tostring(L, -1);
        fprintf(stderr, "%s\n", msg ? msg : "nabla: (error)");
        lua_pop(L, 1);
    }
    return status;
}

/* ---- the OpenMP wait policy ---------------------------------------------------------------- */

/* How long an OpenMP thread spins at a barrier before it sleeps, in libgomp's spins (about
 * 100 a microsecond). libgomp's default, 300,000 (~3 ms), is fastest on idle cores; but when
 * other programs hold the cores, a thread spinning for a partner that is not running burns
 * its time slice for nothing (a CNN epoch took 5.1x its idle time beside two busy processes,
 * where fair sharing gives 2x). Sleeping at once (0) costs small kernels a wake-up on idle
 * cores (the LeNet epoch 17%). So: a short spin (0.1 ms) when the cores are free at start-up,
 * none when they are already taken. bench/bench_busy.lua measures the choices (README, "A
 * busy neighbour"). */
#define NABLA_SPIN_IDLE "10000"
#define NABLA_SPIN_BUSY "0"

/* Whether other programs already keep every core busy: the runnable processes besides this
 * one (/proc/stat), or the load of the last minute (/proc/loadavg), reach the core count. */
static bool cores_taken(void) {
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu < 1) return false;
    double load = 0;
    long running = 0;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &load) != 1) load = 0;
        fclose(f);
    }
    f = fopen("/proc/stat", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "procs_running %ld", &running) == 1) break;
        fclose(f);
    }
    return running - 1 >= ncpu || load >= (double)ncpu;
}

/* libgomp reads its settings once, when it loads, before main(): so the first nabla process
 * sets GOMP_SPINCOUNT and runs itself again (about a millisecond). A value the user set
 * (GOMP_SPINCOUNT or OMP_WAIT_POLICY) is kept, and the second process finds ours set.
 * NABLA_WAIT_CHOICE tells the program what was chosen (blas_info() and bench_busy show it). */
static void choose_wait_policy(char **argv) {
    if (getenv("GOMP_SPINCOUNT") || getenv("OMP_WAIT_POLICY")) return;
    bool busy = cores_taken();
    if (setenv("GOMP_SPINCOUNT", busy ? NABLA_SPIN_BUSY : NABLA_SPIN_IDLE, 1) != 0) return;
    setenv("NABLA_WAIT_CHOICE", busy ? "cores busy at start-up: sleep at once" :
                                       "cores free at start-up: spin 0.1 ms, then sleep", 1);
    execv("/proc/self/exe", argv);
    unsetenv("GOMP_SPINCOUNT"); /* no /proc: carry on with libgomp's default */
    unsetenv("NABLA_WAIT_CHOICE");
}

int main(int argc, char **argv) {
    choose_wait_policy(argv);
    if (argv[0] && argv[0][0]) progname = "nabla";
    const char *lang = NULL;
    bool interactive = false, no_color = false, has_e = false, version = false, quiet = false;
    bool kernel = false;
    int script = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage();
            return 0;
        } else if (!strcmp(a, "--version") || !strcmp(a, "-v")) version = true;
        else if (!strcmp(a, "--no-color")) no_color = true;
        else if (!strcmp(a, "--kernel-pipe")) kernel = true; /* the Jupyter kernel's process */
        else if (!strcmp(a, "-i")) interactive = true;
        else if (!strcmp(a, "-q")) quiet = true;
        else if (!strcmp(a, "--lang")) {
            if (i + 1 >= argc || (strcmp(argv[i + 1], "ko") && strcmp(argv[i + 1], "en"))) {
                fprintf(stderr, "%s: --lang takes ko or en\n", progname);
                return 2;
            }
            lang = argv[++i];
        } else if (!strncmp(a, "--lang=", 7)) lang = a + 7;
        else if (!strcmp(a, "-e")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: -e needs a chunk\n", progname);
                return 2;
            }
            has_e = true;
            i++;
        } else if (!strcmp(a, "--")) {
            if (i + 1 < argc) script = i + 1;
            break;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "%s: unknown option '%s' (see --help)\n", progname, a);
            return 2;
        } else {
            script = i;
            break;
        }
    }
    use_color = !no_color && isatty(1) && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));

    bool reset_done = false;
    for (;;) {
        lua_State *L = new_state(lang, argc, argv, script);
        if (!L) {
            fprintf(stderr, "%s: cannot create the Lua state (out of memory)\n", progname);
            return 1;
        }
        globalL = L;
        if (version) {
            lua_getglobal(L, "nabla");
            lua_getfield(L, -1, "blas_info");
            const char *blas = "";
            if (lua_isfunction(L, -1) && lua_pcall(L, 0, 1, 0) == LUA_OK) blas = lua_tostring(L, -1);
            printf("nabla %s (%s%s%s)\n", NABLA_VERSION, LUA_RELEASE, blas && *blas ? ", " : "",
                   blas ? blas : "");
            lua_close(L);
            return 0;
        }
        if (kernel) {
            int rc = nb_kernel_pipe(L);
            lua_close(L);
            return rc;
        }
        /* -e chunks, in order */
        int status = LUA_OK;
        for (int i = 1; i < argc && (script == 0 || i < script) && status == LUA_OK; i++) {
            if (!strcmp(argv[i], "--lang")) i++;
            else if (!strcmp(argv[i], "-e")) {
                const char *chunk = argv[++i];
                bool need_more;
                status = load_chunk(L, chunk, &need_more, "=-e");
                if (need_more) /* Lua's own message: "-e:1: 'end' expected near <eof>" */
                    status = luaL_loadbuffer(L, chunk, strlen(chunk), "=-e");
                if (status == LUA_OK) {
                    begin_eval(L);
                    status = docall(L, 0, LUA_MULTRET, true);
                }
                if (status == LUA_OK) print_results(L);
                else {
                    shell_message(L, NULL, "nabla: ");
                    const char *msg = lua_tostring(L, -1);
                    fprintf(stderr, "%s\n", msg ? msg : "nabla: (error)");
                    lua_pop(L, 1);
                }
            }
        }
        if (status == LUA_OK && script) {
            bool jupyter = !strcmp(argv[script], "jupyter");
            if (!strcmp(argv[script], "run") || !strcmp(argv[script], "serve") || jupyter) {
                /* nabla run experiments/x.lua --key value; nabla serve CHECKPOINT --port N;
                 * nabla jupyter install|lesson ... */
                lua_getglobal(L, "require");
                lua_pushfstring(L, "nabla.%s", argv[script]);
                status = docall(L, 1, 1, true);
                if (status == LUA_OK) {
                    lua_getfield(L, -1, "main");
                    lua_createtable(L, argc, 0);
                    for (int i = script + 1; i < argc; i++) {
                        lua_pushstring(L, argv[i]);
                        lua_rawseti(L, -2, i - script);
                    }
                    status = docall(L, 1, 1, true);
                    if (status == LUA_OK && lua_isinteger(L, -1) && lua_tointeger(L, -1) != 0) status = LUA_ERRRUN;
                    else if (status != LUA_OK) print_error(L);
                } else
                    print_error(L);
            } else
                status = run_script(L, argv[script], argc, argv, script + 1);
        }
        bool reset = false;
        if (status == LUA_OK && (interactive || (!script && !has_e))) {
            if (isatty(0) || interactive)
                reset = repl(L, !quiet && !reset_done && !script && !has_e && isatty(0) && isatty(1));
            else {
                /* stdin is not a terminal: run it as a script */
                status = luaL_loadfile(L, NULL);
                if (status == LUA_OK) status = docall(L, 0, 0, true);
                if (status != LUA_OK) print_error(L);
            }
        }
        lua_close(L);
        if (!reset) return status == LUA_OK ? 0 : 1;
        script = 0;
        reset_done = true;
        has_e = false;
        interactive = true;
        argc = 1;
    }
}

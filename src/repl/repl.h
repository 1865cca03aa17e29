/* The shell's parts: main.c (the loop, Ctrl-C, start-up), complete.c (tab completion) and
 * kernel.c (the Jupyter kernel's side of the pipe, `nabla --kernel-pipe`). */
#ifndef NABLA_REPL_H
#define NABLA_REPL_H
#include <lua.h>
#include <stdbool.h>

#define NB_HISTORY_MAX 1000

/* Installs readline's completion of globals, fields and methods for the state L. */
void nb_setup_completion(lua_State *L);
/* lua_CFunction: the completion candidates of a word ("x:su") as a table {cand = true}. */
int nb_completions(lua_State *L);

/* Serves the Jupyter kernel (jupyter/nabla_kernel.py) over two pipes; returns the exit status. */
int nb_kernel_pipe(lua_State *L);
/* serve_hook.c: answers the classroom server's requests while readline waits for a key, */
void nb_repl_serve_install(lua_State *L);
/* and the prompt, with the server's port when one runs ("∇ [:8000] "). */
const char *nb_repl_prompt(lua_State *L, const char *base, char *buf, size_t n);
#endif

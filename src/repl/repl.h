/* The shell's parts: main.c (the loop, Ctrl-C, start-up) and complete.c (tab completion). */
#ifndef NABLA_REPL_H
#define NABLA_REPL_H
#include <lua.h>
#include <stdbool.h>

#define NB_HISTORY_MAX 1000

/* Installs readline's completion of globals, fields and methods for the state L. */
void nb_setup_completion(lua_State *L);
#endif

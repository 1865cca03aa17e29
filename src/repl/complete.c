/* Tab completion: globals (and nabla's lazily loaded names), `t.field` through tables and
 * their metatables' __index, `x:method` through a userdata's metatable (tensors list their
 * methods in __methods), keywords. Runs protected: completion never raises and never
 * calls anything but field look-ups. */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <readline/readline.h>

#include "repl.h"

static lua_State *CL = NULL;
static char **cands = NULL;
static int ncands = 0;

static const char *const keywords[] = {
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
    "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while", NULL};

static int is_ident(const char *s) {
    if (!s || !*s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* adds the string keys of the table at idx (whose value is a function, if only_fn) to the
 * result table at res, as prefix .. key */
static void add_keys(lua_State *L, int idx, int res, const char *prefix, const char *partial,
                     int only_fn) {
    idx = lua_absindex(L, idx);
    size_t pl = strlen(partial);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) == LUA_TSTRING) {
            const char *k = lua_tostring(L, -2);
            if (is_ident(k) && strncmp(k, partial, pl) == 0 && k[0] != '_' &&
                (!only_fn || lua_isfunction(L, -1) || lua_istable(L, -1))) {
                lua_pushfstring(L, "%s%s", prefix, k);
                lua_pushboolean(L, 1);
                lua_rawset(L, res);
            }
        }
        lua_pop(L, 1);
    }
}

/* the candidates of the value at top, following metatables a few levels */
static void add_value_keys(lua_State *L, int res, const char *prefix, const char *partial,
                           int only_fn) {
    int v = lua_gettop(L);
    if (lua_istable(L, v)) add_keys(L, v, res, prefix, partial, only_fn);
    if (lua_getmetatable(L, v)) {
        int mt = lua_gettop(L);
        if (lua_getfield(L, mt, "__methods") == LUA_TTABLE) add_keys(L, -1, res, prefix, partial, only_fn);
        lua_pop(L, 1);
        if (lua_getfield(L, mt, "__index") == LUA_TTABLE) {
            add_keys(L, -1, res, prefix, partial, only_fn);
            if (lua_getmetatable(L, -1)) {
                if (lua_getfield(L, -1, "__index") == LUA_TTABLE) add_keys(L, -1, res, prefix, partial, only_fn);
                lua_pop(L, 2);
            }
        }
        lua_pop(L, 1);
        if (!only_fn && lua_getfield(L, mt, "__name") == LUA_TSTRING &&
            !strcmp(lua_tostring(L, -1), "Tensor")) {
            static const char *const fields[] = {"shape", "grad", "ndim", "needs_grad", "is_leaf", "grad_fn", "T", NULL};
            size_t pl = strlen(partial);
            for (int i = 0; fields[i]; i++)
                if (!strncmp(fields[i], partial, pl)) {
                    lua_pushfstring(L, "%s%s", prefix, fields[i]);
                    lua_pushboolean(L, 1);
                    lua_rawset(L, res);
                }
        }
        lua_pop(L, 2);
    }
    lua_settop(L, v);
}

/* builds {candidate = true} for the word (argument 1); protected by lua_pcall */
static int build(lua_State *L) {
    const char *word = luaL_checkstring(L, 1);
    lua_newtable(L);
    int res = lua_gettop(L);
    const char *sep = NULL;
    for (const char *p = word; *p; p++)
        if (*p == '.' || *p == ':') sep = p;
    if (!sep) {
        lua_pushglobaltable(L);
        add_keys(L, -1, res, "", word, 0);
        lua_pop(L, 1);
        /* names nabla loads on first use (nn, optim, lessons, ...) */
        lua_getglobal(L, "nabla");
        if (lua_istable(L, -1) && lua_getfield(L, -1, "lazy_names") == LUA_TFUNCTION) {
            if (lua_pcall(L, 0, 1, 0) == LUA_OK && lua_istable(L, -1)) {
                size_t wl = strlen(word);
                for (lua_Integer i = 1; lua_geti(L, -1, i) == LUA_TSTRING; i++) {
                    const char *k = lua_tostring(L, -1);
                    if (!strncmp(k, word, wl)) {
                        lua_pushboolean(L, 1);
                        lua_rawset(L, res);
                    } else
                        lua_pop(L, 1);
                }
                lua_pop(L, 1);
            }
        }
        lua_settop(L, res);
        size_t wl = strlen(word);
        for (int i = 0; keywords[i]; i++)
            if (!strncmp(keywords[i], word, wl)) {
                lua_pushstring(L, keywords[i]);
                lua_pushboolean(L, 1);
                lua_rawset(L, res);
            }
        return 1;
    }
    /* walk the prefix a.b.c (identifiers only: nothing is called) */
    size_t plen = (size_t)(sep - word);
    char path[512];
    if (plen >= sizeof path) return 1;
    memcpy(path, word, plen);
    path[plen] = 0;
    lua_pushglobaltable(L);
    char *save = NULL;
    for (char *tok = strtok_r(path, ".:", &save); tok; tok = strtok_r(NULL, ".:", &save)) {
        if (!is_ident(tok)) return lua_settop(L, res), 1;
        if (!lua_istable(L, -1) && !lua_isuserdata(L, -1)) return lua_settop(L, res), 1;
        lua_getfield(L, -1, tok);
        lua_remove(L, -2);
    }
    if (lua_isnil(L, -1)) return lua_settop(L, res), 1;
    char prefix[600];
    memcpy(prefix, word, plen + 1);
    prefix[plen + 1] = 0;
    if (lua_type(L, -1) == LUA_TSTRING && *sep == ':') {
        lua_getglobal(L, "string");
        lua_replace(L, -2);
    }
    add_value_keys(L, res, prefix, sep + 1, *sep == ':');
    lua_settop(L, res);
    return 1;
}

int nb_completions(lua_State *L) { return build(L); }

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

static void collect(const char *text) {
    for (int i = 0; i < ncands; i++) free(cands[i]);
    free(cands);
    cands = NULL;
    ncands = 0;
    lua_State *L = CL;
    int top = lua_gettop(L);
    lua_pushcfunction(L, build);
    lua_pushstring(L, text);
    if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_istable(L, -1)) {
        int n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            n++;
            lua_pop(L, 1);
        }
        cands = calloc(n + 1, sizeof(char *));
        lua_pushnil(L);
        while (cands && lua_next(L, -2)) {
            if (lua_type(L, -2) == LUA_TSTRING) cands[ncands++] = strdup(lua_tostring(L, -2));
            lua_pop(L, 1);
        }
        if (cands) qsort(cands, ncands, sizeof(char *), cmp);
    }
    lua_settop(L, top);
}

static char *generator(const char *text, int state) {
    static int i;
    (void)text;
    if (!state) i = 0;
    return i < ncands ? strdup(cands[i++]) : NULL;
}

static char **attempt(const char *text, int start, int end) {
    (void)start;
    (void)end;
    rl_attempted_completion_over = 1; /* never fall back to file names */
    collect(text);
    return rl_completion_matches(text, generator);
}

void nb_setup_completion(lua_State *L) {
    CL = L;
    rl_readline_name = "nabla";
    rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{}()[],+-*/%^~#";
    rl_completer_word_break_characters = (char *)rl_basic_word_break_characters;
    rl_attempted_completion_function = attempt;
    rl_completion_append_character = '\0';
}

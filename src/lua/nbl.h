/* nabla's Lua bindings: the support every binding file shares (src/lua/nbl.c, in the role
 * of Lua's lauxlib.c). src/lua/ is the only C that includes lua.h.
 *
 * A binding file (l_tensor.c, l_nn.c, ...) defines one nbl_module with NBL_MODULE: its
 * tensor methods (x:name(...)), its functions (nabla.name(...)) and its internals
 * (nabla._C.name(...): helpers of the Lua library that a learner does not call). The
 * explicit, ordered list of modules is in l_nabla.c (as Lua's linit.c); a name registered
 * twice is an error at start-up that names both modules.
 */
#ifndef NABLA_NBL_H
#define NABLA_NBL_H

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "../autograd/autograd.h"
#include "../core/tensor.h"

#define NBL_TENSOR_MT "nabla.Tensor"

/* ---- tensors on the stack ----------------------------------------------------------- */
/* The tensor at stack index i (raises a Lua error naming the argument otherwise). */
nb_tensor *nbl_check(lua_State *L, int i);
/* The tensor at i, or NULL if the value there is not a tensor. */
nb_tensor *nbl_test(lua_State *L, int i);
/* A tensor from a tensor, a number (0-d tensor) or a nested table at i. Returns a NEW
 * reference; raises on bad input. */
nb_tensor *nbl_totensor(lua_State *L, int i, const char *op);
/* The tensor argument at i: a tensor, or a number/table turned into one and kept on the
 * stack at i (so it is collected even if an error is raised later). Borrowed. A missing
 * argument is an error naming op and i. */
nb_tensor *nbl_arg_tensor(lua_State *L, int i, const char *op);
/* Pushes t as a Lua tensor, taking over the caller's reference. If t is NULL, raises the
 * core's last error as a Lua error (so `return nbl_push(L, nb_add(a, b));` is the idiom). */
int nbl_push(lua_State *L, nb_tensor *t);
/* Tell Lua's collector about tensor bytes allocated since the last call. Called by
 * nbl_push; cheap when little was allocated. */
void nbl_gc_account(lua_State *L);
/* Pushes a graph node as a Lua value (nil for NULL): fields name, inputs, released. */
int nbl_push_node(lua_State *L, nb_node *n);

/* ---- errors ------------------------------------------------------------------------- */
/* Raises the core's last error. */
int nbl_raise(lua_State *L);
/* The one form of an argument error (as luaL_argerror): "op: what message", where what
 * names the argument ("argument 3", "option reduction", "stride") and the printf-style
 * message says what is wrong and what was given: "conv2d: option groups must be a
 * number, got string". Never returns. */
int nbl_argerror(lua_State *L, const char *op, const char *what, const char *fmt, ...);

/* ---- dims and shapes ---------------------------------------------------------------- */
/* A Lua dimension argument at i (1-based, or negative from the end) as a 0-based dim for a
 * tensor with ndim dims; allow_end for unsqueeze/stack. Raises naming op if out of range. */
int nbl_dim(lua_State *L, int i, int ndim, const char *op, bool allow_end);
/* Reads a shape from the arguments starting at i: either numbers (x:view(2, 3)) or one
 * table ({2, 3}) . Returns ndim; -1 in a shape is allowed only if allow_infer. */
int nbl_shape(lua_State *L, int i, int64_t *shape, const char *op, bool allow_infer);

/* ---- option tables (PyTorch's keyword arguments) and optional arguments ---------------
 * An options table sits at stack index i; nil or absent is an empty one. */
/* Every key of the table must be in allowed (NULL-terminated): a typo is an error that
 * lists the valid names. */
void nbl_check_opts(lua_State *L, int i, const char *op, const char *const *allowed);
/* Pushes opts[key] (nil when there is no table) and returns its type. */
int nbl_opt_get(lua_State *L, int i, const char *key);
/* options[key] as one of names (NULL-terminated): values[k] for names[k] (k itself if
 * values is NULL), or def when absent; anything else is an error listing the names. */
int nbl_opt_choice(lua_State *L, int i, const char *key, const char *const *names,
                   const int *values, int def, const char *op);
double nbl_opt_number(lua_State *L, int i, const char *key, double def, const char *op);
bool nbl_opt_bool(lua_State *L, int i, const char *key, bool def, const char *op);
/* A tensor option (borrowed: it stays referenced by the options table) or NULL. */
nb_tensor *nbl_opt_tensor(lua_State *L, int i, const char *key, const char *op);
/* An integer from the value at the top of the stack (pops it). */
int64_t nbl_pop_int(lua_State *L, const char *op, const char *what);
/* A {height, width} pair from the value at the top of the stack (pops it): a number n
 * means {n, n}; nil leaves out unchanged. */
void nbl_pop_pair(lua_State *L, int64_t out[2], const char *op, const char *what);
/* A pair argument at stack index i (nil keeps out). */
void nbl_arg_pair(lua_State *L, int i, int64_t out[2], const char *op, const char *what);
/* An optional tensor argument at i: NULL for nil or none; anything else but a tensor is
 * an error naming what. Borrowed. */
nb_tensor *nbl_opt_arg_tensor(lua_State *L, int i, const char *op, const char *what);
/* An optional boolean argument at i (def for nil or none). */
bool nbl_opt_arg_bool(lua_State *L, int i, bool def);

/* ---- modules ------------------------------------------------------------------------ */
typedef struct nbl_module {
    const char *name;
    const luaL_Reg *methods;    /* tensor methods (x:name(...)); may be NULL */
    const luaL_Reg *functions;  /* functions of the nabla table (nabla.name(...)); may be NULL */
    const luaL_Reg *internals;  /* functions of nabla._C (the Lua library's helpers); may be NULL */
} nbl_module;

/* Defines the module of a binding file, for the list in l_nabla.c. */
#define NBL_MODULE(id, methods_, functions_, internals_) \
    const nbl_module nbl_module_##id = {#id, methods_, functions_, internals_};

/* Installs the NULL-terminated list mods into the tables at the stack indices methods,
 * functions and internals; raises an error naming both modules on a name registered
 * twice. */
void nbl_install(lua_State *L, const nbl_module *const *mods, int methods, int functions,
                 int internals);

/* The tensor metatable; methods is the stack index of the table of tensor methods. */
void nbl_open_tensor_mt(lua_State *L, int methods);

#endif

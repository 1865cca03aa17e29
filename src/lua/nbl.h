/* nabla's Lua bindings: shared helpers. src/lua/ is the only C that includes lua.h.
 *
 * Each binding file registers its tensor methods and module functions with
 * NBL_REGISTER(name, methods, functions) at load time; luaopen_nabla installs them all.
 * So adding an op family to Lua never means editing a central list.
 */
#ifndef NABLA_NBL_H
#define NABLA_NBL_H

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "../autograd/autograd.h"
#include "../core/tensor.h"

#define NBL_TENSOR_MT "nabla.Tensor"

/* The tensor at stack index i (raises a Lua error naming the argument otherwise). */
nb_tensor *nbl_check(lua_State *L, int i);
/* The tensor at i, or NULL if the value there is not a tensor. */
nb_tensor *nbl_test(lua_State *L, int i);
/* A tensor from a tensor, a number (0-d tensor) or a nested table at i. Returns a NEW
 * reference; raises on bad input. */
nb_tensor *nbl_totensor(lua_State *L, int i, const char *op);
/* Pushes t as a Lua tensor, taking over the caller's reference. If t is NULL, raises the
 * core's last error as a Lua error (so `return nbl_push(L, nb_add(a, b));` is the idiom). */
int nbl_push(lua_State *L, nb_tensor *t);
/* Raises the core's last error. */
int nbl_raise(lua_State *L);
/* A Lua dimension argument at i (1-based, or negative from the end) as a 0-based dim for a
 * tensor with ndim dims; allow_end for unsqueeze/stack. Raises naming op if out of range. */
int nbl_dim(lua_State *L, int i, int ndim, const char *op, bool allow_end);
/* Reads a shape from the arguments starting at i: either numbers (x:view(2, 3)) or one
 * table ({2, 3}) . Returns ndim; -1 in a shape is allowed only if allow_infer. */
int nbl_shape(lua_State *L, int i, int64_t *shape, const char *op, bool allow_infer);
/* Tell Lua's collector about tensor bytes allocated since the last call. Called by
 * nbl_push; cheap when little was allocated. */
void nbl_gc_account(lua_State *L);

/* Pushes a graph node as a Lua value (nil for NULL): fields name, inputs, released. */
int nbl_push_node(lua_State *L, nb_node *n);

typedef struct nbl_module {
    const char *name;
    const luaL_Reg *methods;    /* tensor methods (x:name(...)); may be NULL */
    const luaL_Reg *functions;  /* functions in the nabla table (nabla.name(...)); may be NULL */
    struct nbl_module *next;
} nbl_module;
extern nbl_module *nbl_modules;

#define NBL_REGISTER(id, methods_, functions_)                                   \
    static nbl_module nbl_mod_##id = {#id, methods_, functions_, 0};              \
    __attribute__((constructor)) static void nbl_register_##id(void) {            \
        nbl_mod_##id.next = nbl_modules;                                          \
        nbl_modules = &nbl_mod_##id;                                              \
    }

#endif

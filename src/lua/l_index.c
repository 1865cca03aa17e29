/* Index ops in Lua: x:index_select(dim, idx), x:gather(dim, idx),
 * x:scatter_add(dim, idx, src), x:masked_fill(mask, v), one_hot(idx, n?). Dims, indices
 * and classes are 1-based; an index may be a tensor or a table of numbers. */
#include "../ops/ops.h"
#include "nbl.h"

/* a dim argument at i for t; indexing a 0-d tensor is refused by the op itself */
static int arg_dim(lua_State *L, int i, const nb_tensor *t, const char *op) {
    if (t->ndim == 0) return 0;
    return nbl_dim(L, i, t->ndim, op, false);
}

static int l_index_select(lua_State *L) {
    nb_tensor *t = nbl_arg_tensor(L, 1, "index_select");
    int d = arg_dim(L, 2, t, "index_select");
    nb_tensor *idx = nbl_arg_tensor(L, 3, "index_select");
    return nbl_push(L, nb_index_select(t, d, idx));
}

static int l_gather(lua_State *L) {
    nb_tensor *t = nbl_arg_tensor(L, 1, "gather");
    int d = arg_dim(L, 2, t, "gather");
    nb_tensor *idx = nbl_arg_tensor(L, 3, "gather");
    return nbl_push(L, nb_gather(t, d, idx));
}

static int l_scatter_add(lua_State *L) {
    nb_tensor *t = nbl_arg_tensor(L, 1, "scatter_add");
    int d = arg_dim(L, 2, t, "scatter_add");
    nb_tensor *idx = nbl_arg_tensor(L, 3, "scatter_add");
    nb_tensor *src = nbl_arg_tensor(L, 4, "scatter_add");
    return nbl_push(L, nb_scatter_add(t, d, idx, src));
}

static int l_masked_fill(lua_State *L) {
    nb_tensor *t = nbl_arg_tensor(L, 1, "masked_fill");
    nb_tensor *mask = nbl_arg_tensor(L, 2, "masked_fill");
    double v;
    nb_tensor *vt = nbl_test(L, 3);
    if (vt) {
        if (nb_numel(vt) != 1)
            return luaL_error(L, "masked_fill: the value must be a number or a one-element "
                                 "tensor, got %d elements", (int)nb_numel(vt));
        v = nb_item(vt);
    } else if (lua_isnumber(L, 3))
        v = lua_tonumber(L, 3);
    else
        return luaL_error(L, "masked_fill: the value must be a number, got %s", luaL_typename(L, 3));
    return nbl_push(L, nb_masked_fill(t, mask, v));
}

static int l_one_hot(lua_State *L) {
    nb_tensor *idx = nbl_arg_tensor(L, 1, "one_hot");
    lua_Integer n = 0;
    if (!lua_isnoneornil(L, 2)) {
        int ok;
        n = lua_tointegerx(L, 2, &ok);
        if (!ok || n < 1)
            return luaL_error(L, "one_hot: the number of classes must be a whole number >= 1");
    }
    return nbl_push(L, nb_one_hot(idx, (int64_t)n));
}

static const luaL_Reg index_methods[] = {
    {"index_select", l_index_select}, {"gather", l_gather}, {"scatter_add", l_scatter_add},
    {"masked_fill", l_masked_fill}, {"one_hot", l_one_hot}, {NULL, NULL}};

NBL_MODULE(index, index_methods, index_methods, NULL)

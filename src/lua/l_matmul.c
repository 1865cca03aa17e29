/* Matrix products for Lua: x:mm(y), x:bmm(y), x:matmul(y), x:dot(y), x:mv(v), x:outer(y),
 * the same as functions (nabla.mm(x, y), ...), linear(x, w, b), and the BLAS controls
 * blas_info(), set_num_threads(n), get_num_threads(). Lua has no @ operator: products
 * are methods. */
#include "../ops/ops.h"
#include "nbl.h"

typedef nb_tensor *(*binary_op)(nb_tensor *, nb_tensor *);

static int binary(lua_State *L, binary_op f) {
    nb_tensor *a = nbl_check(L, 1), *b = nbl_check(L, 2);
    return nbl_push(L, f(a, b));
}

static int l_mm(lua_State *L) { return binary(L, nb_mm); }
static int l_bmm(lua_State *L) { return binary(L, nb_bmm); }
static int l_matmul(lua_State *L) { return binary(L, nb_matmul); }
static int l_dot(lua_State *L) { return binary(L, nb_dot); }
static int l_mv(lua_State *L) { return binary(L, nb_mv); }
static int l_outer(lua_State *L) { return binary(L, nb_outer); }

/* linear(x, w [, b]): x · wᵀ + b */
static int l_linear(lua_State *L) {
    nb_tensor *x = nbl_check(L, 1), *w = nbl_check(L, 2);
    nb_tensor *b = lua_isnoneornil(L, 3) ? NULL : nbl_check(L, 3);
    return nbl_push(L, nb_linear(x, w, b));
}

/* _mm_naive(a, b [, order]): the textbook triple loop (ops/matmul.h), for the hardware
 * lesson; an internal, not a learner's everyday product */
static int l_mm_naive(lua_State *L) {
    nb_tensor *a = nbl_check(L, 1), *b = nbl_check(L, 2);
    const char *order = luaL_optstring(L, 3, "ijk");
    return nbl_push(L, nb_mm_naive(a, b, order));
}

static int l_blas_info(lua_State *L) {
    lua_pushstring(L, nb_blas_info());
    return 1;
}

static int l_set_num_threads(lua_State *L) {
    lua_Integer n = luaL_checkinteger(L, 1);
    if (n < 1 || n > 1024)
        return luaL_error(L, "set_num_threads: expected a number of threads from 1 to 1024, "
                             "got %d", (int)n);
    nb_set_num_threads((int)n);
    return 0;
}

static int l_get_num_threads(lua_State *L) {
    lua_pushinteger(L, nb_num_threads());
    return 1;
}

static const luaL_Reg matmul_methods[] = {
    {"mm", l_mm}, {"bmm", l_bmm}, {"matmul", l_matmul}, {"dot", l_dot},
    {"mv", l_mv}, {"outer", l_outer}, {NULL, NULL}};

static const luaL_Reg matmul_functions[] = {
    {"mm", l_mm}, {"bmm", l_bmm}, {"matmul", l_matmul}, {"dot", l_dot},
    {"mv", l_mv}, {"outer", l_outer}, {"linear", l_linear},
    {"blas_info", l_blas_info}, {"set_num_threads", l_set_num_threads},
    {"get_num_threads", l_get_num_threads}, {"_mm_naive", l_mm_naive}, {NULL, NULL}};

NBL_MODULE(matmul, matmul_methods, matmul_functions, NULL)

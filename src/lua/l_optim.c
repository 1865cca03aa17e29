/* The optimizer kernels (src/optim) for Lua: low-level functions in the nabla table, one
 * per update rule, called by the algorithms in lua/nabla/optim/. Each takes the parameter,
 * its gradient and its state tensors, checks that they are contiguous and of the
 * parameter's size, and updates them in place (straight into their storage: no graph
 * is recorded).
 *
 *   nabla._sgd_step(param, grad, momentum_buffer|nil, first, lr, momentum, dampening,
 *                   weight_decay, nesterov, maximize)
 *   nabla._adagrad_step(param, grad, sum, step, lr, lr_decay, weight_decay, eps, maximize)
 *   nabla._adadelta_step(param, grad, square_avg, acc_delta, lr, rho, eps, weight_decay,
 *                        maximize)
 *   nabla._rmsprop_step(param, grad, square_avg, grad_avg|nil, momentum_buffer|nil, lr,
 *                       alpha, eps, weight_decay, momentum, centered, maximize)
 *   nabla._adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq|nil, step, lr,
 *                    beta1, beta2, eps, weight_decay, amsgrad, maximize)
 *   nabla._adamw_step(...)   the same arguments as _adam_step
 *   nabla._vector_norm(t, norm_type) -> number   (norm_type a number or math.huge)
 */
#include <math.h>

#include "../optim/optim.h"
#include "nbl.h"

/* The parameter at index 1: a contiguous tensor we may write into. */
static nb_tensor *check_param(lua_State *L, const char *op) {
    nb_tensor *p = nbl_check(L, 1);
    if (!nb_is_contiguous(p)) {
        char s[64];
        nb_shape_str(s, sizeof s, p->ndim, p->shape);
        luaL_error(L, "%s: the parameter of shape %s is not contiguous (optimizers update "
                      "parameters in place; use a contiguous leaf tensor)", op, s);
    }
    return p;
}

/* The tensor at i (or NULL when optional and nil): contiguous, as many elements as p. */
static float *check_like(lua_State *L, int i, nb_tensor *p, const char *op, const char *what,
                         bool optional) {
    if (optional && lua_isnoneornil(L, i)) return NULL;
    nb_tensor *t = nbl_test(L, i);
    if (!t)
        luaL_error(L, "%s: %s must be a tensor, got %s", op, what, luaL_typename(L, i));
    char ss[64], ps[64];
    nb_shape_str(ss, sizeof ss, t->ndim, t->shape);
    nb_shape_str(ps, sizeof ps, p->ndim, p->shape);
    if (nb_numel(t) != nb_numel(p))
        luaL_error(L, "%s: %s has shape %s but the parameter has shape %s (they must have the "
                      "same number of elements)", op, what, ss, ps);
    if (!nb_is_contiguous(t))
        luaL_error(L, "%s: %s of shape %s is not contiguous", op, what, ss);
    return nb_data(t);
}

static int64_t check_step(lua_State *L, int i, const char *op) {
    lua_Integer s = luaL_checkinteger(L, i);
    if (s < 1) luaL_error(L, "%s: step must be at least 1 (got %d)", op, (int)s);
    return s;
}

static int l_sgd_step(lua_State *L) {
    const char *op = "SGD";
    nb_tensor *p = check_param(L, op);
    const float *g = check_like(L, 2, p, op, "grad", false);
    float *buf = check_like(L, 3, p, op, "momentum_buffer", true);
    nb_sgd_opts o = {
        .lr = luaL_checknumber(L, 5), .momentum = luaL_checknumber(L, 6),
        .dampening = luaL_checknumber(L, 7), .weight_decay = luaL_checknumber(L, 8),
        .nesterov = lua_toboolean(L, 9), .maximize = lua_toboolean(L, 10)};
    if (o.momentum != 0 && !buf) return luaL_error(L, "%s: momentum needs a momentum_buffer", op);
    nb_sgd_step(nb_data(p), g, buf, lua_toboolean(L, 4), nb_numel(p), &o);
    return 0;
}

static int l_adagrad_step(lua_State *L) {
    const char *op = "Adagrad";
    nb_tensor *p = check_param(L, op);
    const float *g = check_like(L, 2, p, op, "grad", false);
    float *sum = check_like(L, 3, p, op, "sum", false);
    int64_t step = check_step(L, 4, op);
    nb_adagrad_opts o = {
        .lr = luaL_checknumber(L, 5), .lr_decay = luaL_checknumber(L, 6),
        .weight_decay = luaL_checknumber(L, 7), .eps = luaL_checknumber(L, 8),
        .maximize = lua_toboolean(L, 9)};
    nb_adagrad_step(nb_data(p), g, sum, nb_numel(p), step, &o);
    return 0;
}

static int l_adadelta_step(lua_State *L) {
    const char *op = "Adadelta";
    nb_tensor *p = check_param(L, op);
    const float *g = check_like(L, 2, p, op, "grad", false);
    float *square_avg = check_like(L, 3, p, op, "square_avg", false);
    float *acc_delta = check_like(L, 4, p, op, "acc_delta", false);
    nb_adadelta_opts o = {
        .lr = luaL_checknumber(L, 5), .rho = luaL_checknumber(L, 6),
        .eps = luaL_checknumber(L, 7), .weight_decay = luaL_checknumber(L, 8),
        .maximize = lua_toboolean(L, 9)};
    nb_adadelta_step(nb_data(p), g, square_avg, acc_delta, nb_numel(p), &o);
    return 0;
}

static int l_rmsprop_step(lua_State *L) {
    const char *op = "RMSprop";
    nb_tensor *p = check_param(L, op);
    const float *g = check_like(L, 2, p, op, "grad", false);
    float *square_avg = check_like(L, 3, p, op, "square_avg", false);
    float *grad_avg = check_like(L, 4, p, op, "grad_avg", true);
    float *buf = check_like(L, 5, p, op, "momentum_buffer", true);
    nb_rmsprop_opts o = {
        .lr = luaL_checknumber(L, 6), .alpha = luaL_checknumber(L, 7),
        .eps = luaL_checknumber(L, 8), .weight_decay = luaL_checknumber(L, 9),
        .momentum = luaL_checknumber(L, 10), .centered = lua_toboolean(L, 11),
        .maximize = lua_toboolean(L, 12)};
    if (o.centered && !grad_avg) return luaL_error(L, "%s: centered needs a grad_avg", op);
    if (o.momentum > 0 && !buf) return luaL_error(L, "%s: momentum needs a momentum_buffer", op);
    nb_rmsprop_step(nb_data(p), g, square_avg, grad_avg, buf, nb_numel(p), &o);
    return 0;
}

static int adam_like(lua_State *L, const char *op, bool decoupled) {
    nb_tensor *p = check_param(L, op);
    const float *g = check_like(L, 2, p, op, "grad", false);
    float *exp_avg = check_like(L, 3, p, op, "exp_avg", false);
    float *exp_avg_sq = check_like(L, 4, p, op, "exp_avg_sq", false);
    float *max_exp_avg_sq = check_like(L, 5, p, op, "max_exp_avg_sq", true);
    int64_t step = check_step(L, 6, op);
    nb_adam_opts o = {
        .lr = luaL_checknumber(L, 7), .beta1 = luaL_checknumber(L, 8),
        .beta2 = luaL_checknumber(L, 9), .eps = luaL_checknumber(L, 10),
        .weight_decay = luaL_checknumber(L, 11), .amsgrad = lua_toboolean(L, 12),
        .maximize = lua_toboolean(L, 13)};
    if (o.amsgrad && !max_exp_avg_sq) return luaL_error(L, "%s: amsgrad needs a max_exp_avg_sq", op);
    (decoupled ? nb_adamw_step : nb_adam_step)(nb_data(p), g, exp_avg, exp_avg_sq, max_exp_avg_sq,
                                               nb_numel(p), step, &o);
    return 0;
}
static int l_adam_step(lua_State *L) { return adam_like(L, "Adam", false); }
static int l_adamw_step(lua_State *L) { return adam_like(L, "AdamW", true); }

static int l_vector_norm(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    double p = luaL_optnumber(L, 2, 2.0);
    if (!(p > 0)) return luaL_error(L, "clip_grad_norm_: norm_type must be positive (got %f)", p);
    if (nb_is_contiguous(t)) {
        lua_pushnumber(L, nb_vector_norm(nb_data(t), nb_numel(t), p));
        return 1;
    }
    nb_tensor *c = nb_contiguous_copy(t);
    if (!c) return nbl_raise(L);
    double r = nb_vector_norm(nb_data(c), nb_numel(c), p);
    nb_decref(c);
    lua_pushnumber(L, r);
    return 1;
}

static const luaL_Reg optim_functions[] = {
    {"_sgd_step", l_sgd_step}, {"_adagrad_step", l_adagrad_step},
    {"_adadelta_step", l_adadelta_step}, {"_rmsprop_step", l_rmsprop_step},
    {"_adam_step", l_adam_step}, {"_adamw_step", l_adamw_step},
    {"_vector_norm", l_vector_norm}, {NULL, NULL}};

NBL_MODULE(optim, NULL, optim_functions, NULL)

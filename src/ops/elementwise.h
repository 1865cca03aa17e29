/* Elementwise ops with NumPy broadcasting (src/ops/elementwise.c). */
#ifndef NABLA_ELEMENTWISE_H
#define NABLA_ELEMENTWISE_H
#include "../core/tensor.h"

/* ---- the op tables ------------------------------------------------------------------
 * One row per op. From these rows come the C declarations below, the forward functions
 * of the unary ops (elementwise.c), the Lua methods and functions (src/lua/l_tensor.c)
 * and the help entries in English and Korean (nabla._C.docs). Adding an elementwise op:
 * one row here, its kernel k_<name> and its <name>_backward in elementwise.c (beside the
 * others, the derivative in a comment), a golden case in tests/golden/gen_core.py and a
 * gradient check in tests/lua/test_core_golden.lua; then raise the count that
 * elementwise.c checks with _Static_assert.
 *
 * kind: NB_METHOD (x:name()), NB_FUNCTION (nabla.name(x)) or NB_BOTH.
 * Unary rows: X(name, saves_out, kind, signature, English, Korean); saves_out = 1 when
 * the backward reads the output (n->saved[0]) rather than the input (n->in[0]). */
#define NB_METHOD 1
#define NB_FUNCTION 2
#define NB_BOTH 3

#define NB_UNARY_OPS(X)                                                                      \
    X(neg, 0, NB_METHOD, "x:neg() or -x", "-x, elementwise", "원소별 -x")                    \
    X(exp, 1, NB_BOTH, "x:exp()", "e^x, elementwise", "원소별 e^x")                          \
    X(log, 0, NB_BOTH, "x:log()", "natural logarithm, elementwise", "원소별 자연로그")       \
    X(log1p, 0, NB_BOTH, "x:log1p()", "ln(1 + x), accurate for small x",                     \
      "ln(1 + x), x가 작아도 정확합니다")                                                    \
    X(sqrt, 1, NB_BOTH, "x:sqrt()", "square root, elementwise", "원소별 제곱근")            \
    X(abs, 0, NB_BOTH, "x:abs()", "|x|, elementwise (gradient 0 at 0)",                      \
      "원소별 절댓값 |x| (0에서 기울기는 0)")                                                 \
    X(sin, 0, NB_BOTH, "x:sin()", "sine, elementwise", "원소별 사인")                        \
    X(cos, 0, NB_BOTH, "x:cos()", "cosine, elementwise", "원소별 코사인")                    \
    X(relu, 1, NB_BOTH, "x:relu()", "max(x, 0)", "x와 0 중 큰 값, max(x, 0)")                \
    X(sigmoid, 1, NB_BOTH, "x:sigmoid()", "1 / (1 + e^-x)", "시그모이드 1 / (1 + e^-x)")     \
    X(tanh, 1, NB_BOTH, "x:tanh()", "hyperbolic tangent", "쌍곡탄젠트")                      \
    X(gelu, 0, NB_METHOD, "x:gelu()", "x·Φ(x), Φ the normal CDF (exact, as PyTorch)",        \
      "x·Φ(x), Φ는 정규분포의 누적분포함수 (PyTorch와 같은 정확한 식)")                      \
    X(softplus, 0, NB_METHOD, "x:softplus()", "ln(1 + e^x), a smooth relu",                  \
      "ln(1 + e^x), 매끄러운 relu")                                                          \
    X(softsign, 0, NB_BOTH, "x:softsign()", "x / (1 + |x|), a slow-saturating tanh",         \
      "x / (1 + |x|), 천천히 포화하는 tanh")

/* Unary with one number: X(name, default, kind, signature, English, Korean) */
#define NB_UNARY_PARAM_OPS(X)                                                                \
    X(leaky_relu, 0.01, NB_METHOD, "x:leaky_relu([slope = 0.01])",                           \
      "x where x > 0, else slope·x", "x > 0이면 x, 아니면 slope·x")                          \
    X(elu, 1.0, NB_METHOD, "x:elu([alpha = 1])", "x where x > 0, else alpha·(e^x - 1)",      \
      "x > 0이면 x, 아니면 alpha·(e^x - 1)")

/* Binary, broadcasting (NumPy rules), differentiable in both; either side may be a
 * number from Lua: X(name, kind, signature, English, Korean) */
#define NB_BINARY_OPS(X)                                                                     \
    X(add, NB_METHOD, "x:add(y) or x + y", "x + y, broadcasting", "x + y (브로드캐스트)")    \
    X(sub, NB_METHOD, "x:sub(y) or x - y", "x - y, broadcasting", "x - y (브로드캐스트)")    \
    X(mul, NB_METHOD, "x:mul(y) or x * y", "x * y elementwise, broadcasting",                \
      "원소별 x * y (브로드캐스트)")                                                         \
    X(div, NB_METHOD, "x:div(y) or x / y", "x / y elementwise, broadcasting",                \
      "원소별 x / y (브로드캐스트)")                                                         \
    X(pow, NB_METHOD, "x:pow(p) or x ^ p", "x to the power p, elementwise", "원소별 x의 p제곱") \
    X(maximum, NB_BOTH, "maximum(x, y)", "the larger of x and y, elementwise",               \
      "원소별로 x와 y 중 큰 값")                                                             \
    X(minimum, NB_BOTH, "minimum(x, y)", "the smaller of x and y, elementwise",              \
      "원소별로 x와 y 중 작은 값")

/* Comparisons: masks of 0/1, never differentiable: X(name, op, flipped, symbol, Korean) */
#define NB_COMPARE_OPS(X)                                                                    \
    X(eq, NB_EQ, NB_EQ, "==", "x == y이면 1, 아니면 0 (원소별)")                             \
    X(ne, NB_NE, NB_NE, "~=", "x ~= y이면 1, 아니면 0 (원소별)")                             \
    X(lt, NB_LT, NB_GT, "<", "x < y이면 1, 아니면 0 (원소별)")                               \
    X(le, NB_LE, NB_GE, "<=", "x <= y이면 1, 아니면 0 (원소별)")                             \
    X(gt, NB_GT, NB_LT, ">", "x > y이면 1, 아니면 0 (원소별)")                               \
    X(ge, NB_GE, NB_LE, ">=", "x >= y이면 1, 아니면 0 (원소별)")

/* the declarations, from the tables: nb_exp(a), nb_leaky_relu(a, slope), nb_add(a, b)... */
#define NB_DECLARE_UNARY(name, ...) nb_tensor *nb_##name(nb_tensor *a);
#define NB_DECLARE_UNARY_PARAM(name, ...) nb_tensor *nb_##name(nb_tensor *a, double c);
#define NB_DECLARE_BINARY(name, ...) nb_tensor *nb_##name(nb_tensor *a, nb_tensor *b);
NB_UNARY_OPS(NB_DECLARE_UNARY)
NB_UNARY_PARAM_OPS(NB_DECLARE_UNARY_PARAM)
NB_BINARY_OPS(NB_DECLARE_BINARY)

/* with a plain number, differentiable in the tensor */
nb_tensor *nb_add_scalar(nb_tensor *a, double s);   /* a + s */
nb_tensor *nb_mul_scalar(nb_tensor *a, double s);   /* a * s */
nb_tensor *nb_rsub_scalar(double s, nb_tensor *a);  /* s - a */
nb_tensor *nb_rdiv_scalar(double s, nb_tensor *a);  /* s / a */
nb_tensor *nb_pow_scalar(nb_tensor *a, double p);   /* a ^ p */
nb_tensor *nb_rpow_scalar(double s, nb_tensor *a);  /* s ^ a */

/* clamp to [lo, hi]; pass -INFINITY / INFINITY for a missing bound */
nb_tensor *nb_clamp(nb_tensor *a, double lo, double hi);

/* comparisons: masks of 0/1, never differentiable */
typedef enum { NB_EQ, NB_NE, NB_LT, NB_LE, NB_GT, NB_GE } nb_cmp_op;
nb_tensor *nb_compare(nb_tensor *a, nb_tensor *b, nb_cmp_op op);
nb_tensor *nb_compare_scalar(nb_tensor *a, double s, nb_cmp_op op);
/* where(mask, a, b): a where mask != 0, else b; differentiable in a and b */
nb_tensor *nb_where(nb_tensor *mask, nb_tensor *a, nb_tensor *b);

/* in place, never recorded: nb_add_, nb_mul_scalar_, nb_add_scalar_ live in the core
 * (src/core/tensor.h), since autograd accumulates gradients with them. */
#endif

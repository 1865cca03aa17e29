/* The vectorisable exp, tanh and sigmoid of src/ops/vmath.h against double precision:
 * the error in units in the last place (ulp of the correctly rounded float result) over
 * 2²⁴ floats spread evenly over all bit patterns plus every float near the switch points
 * and the ends of the ranges; and the special values (NaN, ±inf, ±0, huge arguments). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "ops/vmath.h"

static float from_bits(uint32_t b) {
    float f;
    memcpy(&f, &b, 4);
    return f;
}

/* |got - want| in ulps of want rounded to float (the spacing at that magnitude) */
static double ulps(float got, double want) {
    float w = (float)want;
    if (w == 0.0f || fabs(want) < FLT_MIN) return fabs(got - want) <= FLT_MIN ? 0.0 : 1e9;
    double ulp = nextafterf(fabsf(w), INFINITY) - fabsf(w);
    if (isinf(ulp)) ulp = fabsf(w) - nextafterf(fabsf(w), 0.0f);
    return fabs((double)got - want) / ulp;
}

static double sigmoid_d(double x) { return 1.0 / (1.0 + exp(-x)); }

typedef struct { const char *name; double worst; float at; } worst_t;

static void one(worst_t *w, float got, double want, float x) {
    if (isnan(got) || isnan(want)) return; /* NaN inputs are checked apart */
    double u = ulps(got, want);
    if (u > w->worst) { w->worst = u; w->at = x; }
}

static void at(float x, worst_t *we, worst_t *wt, worst_t *ws) {
    if (isnan(x)) return;
    if (fabsf(x) < 87.0f) one(we, nb_vexpf(x), exp((double)x), x);
    one(wt, nb_vtanhf(x), tanh((double)x), x);
    if (x > -87.0f) one(ws, nb_vsigmoidf(x), sigmoid_d(x), x);
}

int main(void) {
    worst_t we = {"exp", 0, 0}, wt = {"tanh", 0, 0}, ws = {"sigmoid", 0, 0};
    for (uint64_t b = 0; b < (1ull << 32); b += 256) at(from_bits((uint32_t)b), &we, &wt, &ws);
    /* every float near the switch points (tanh's 0.5) and the ends of the ranges */
    const float edges[] = {0.5f, -0.5f, 9.0f, -9.0f, 87.0f, -87.0f, 88.0f, 1e-3f, -1e-3f};
    for (size_t k = 0; k < sizeof edges / sizeof *edges; k++) {
        float x = edges[k];
        for (int i = 0; i < 100000; i++) x = nextafterf(x, 0.0f);
        for (int i = 0; i < 200000; i++, x = nextafterf(x, INFINITY)) at(x, &we, &wt, &ws);
    }
    worst_t *all[] = {&we, &wt, &ws};
    for (int k = 0; k < 3; k++)
        printf("%-8s worst error %.2f ulp at x = %.9g\n", all[k]->name, all[k]->worst, all[k]->at);
    CHECK(we.worst <= 2.0, "exp: %.2f ulp at %g", we.worst, we.at);
    CHECK(wt.worst <= 3.0, "tanh: %.2f ulp at %g", wt.worst, wt.at);
    CHECK(ws.worst <= 3.0, "sigmoid: %.2f ulp at %g", ws.worst, ws.at);

    /* special values */
    CHECK(isnan(nb_vexpf(NAN)) && isnan(nb_vtanhf(NAN)) && isnan(nb_vsigmoidf(NAN)), "NaN in, NaN out");
    CHECK(isnan(nb_vtanhf(-NAN)) && isnan(nb_vsigmoidf(-NAN)), "negative NaN");
    CHECK(nb_vexpf(INFINITY) == INFINITY && nb_vexpf(-INFINITY) == 0.0f, "exp(±inf)");
    CHECK(nb_vexpf(100.0f) == INFINITY && nb_vexpf(-100.0f) == 0.0f, "exp overflow, underflow");
    CHECK(nb_vexpf(0.0f) == 1.0f && nb_vexpf(88.0f) == expf(88.0f), "exp(0), exp(88)");
    CHECK(nb_vtanhf(INFINITY) == 1.0f && nb_vtanhf(-INFINITY) == -1.0f, "tanh(±inf)");
    CHECK(nb_vtanhf(1e30f) == 1.0f && nb_vtanhf(-20.0f) == -1.0f, "tanh saturates");
    CHECK(nb_vtanhf(0.0f) == 0.0f && signbit(nb_vtanhf(-0.0f)), "tanh(±0) = ±0");
    CHECK(nb_vtanhf(1e-30f) == 1e-30f, "tanh of a tiny number is itself");
    CHECK(nb_vsigmoidf(INFINITY) == 1.0f && nb_vsigmoidf(-INFINITY) == 0.0f, "sigmoid(±inf)");
    CHECK(nb_vsigmoidf(0.0f) == 0.5f && nb_vsigmoidf(1e30f) == 1.0f, "sigmoid(0), sigmoid(huge)");
    CHECK(nb_vsigmoidf(-1e30f) == 0.0f, "sigmoid(-huge)");
    return check_done();
}

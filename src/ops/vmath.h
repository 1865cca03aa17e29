/* exp, tanh and sigmoid for float32 written so that the compiler vectorises the loops that
 * call them (AVX-512 / AVX2: straight-line arithmetic, selects instead of branches, no
 * calls into libm). libm's expf/tanhf are scalar calls: tanh over a (64, 128) LSTM gate
 * took 86 µs that way, several times PyTorch's vectorised kernel.
 *
 * Accuracy (checked against double precision over every float in tests/test_vmath.c):
 * nb_vexpf within 2 ulp, nb_vtanhf and nb_vsigmoidf within 3 ulp (outside the denormal
 * range). NaN gives NaN; ±inf give 0/inf, ±1 and 0/1. */
#ifndef NABLA_VMATH_H
#define NABLA_VMATH_H
#include <stdint.h>
#include <string.h>

/* eˣ: x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two parts, so n·ln2 is exact), eʳ by
 * Cephes' degree-7 polynomial, then 2ⁿ placed in the exponent bits. Results below the
 * normal range flush to 0, above it give inf. */
static inline float nb_vexpf(float x) {
    const float hi = 88.3762626647949f, lo = -87.3365478515625f; /* ln(FLT_MAX), ln(FLT_MIN) */
    float xc = x < hi ? (x > lo ? x : lo) : hi;  /* NaN: hi, so n below stays an integer */
    /* n = round(x / ln2), by the 1.5·2²³ trick (exact in round-to-nearest) */
    float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = xc - n * 0.693359375f;       /* ln2 = 0.693359375 - 2.12194440e-4 */
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    /* 2ⁿ: n + 127 in the exponent field; n ∈ [-126, 128]: 2¹²⁸ is split as 2·2¹²⁷ */
    int32_t e = (int32_t)n;
    int32_t e1 = e > 127 ? 127 : e;
    int32_t b1 = (e1 + 127) << 23, b2 = (e - e1 + 127) << 23;
    float s1, s2;
    memcpy(&s1, &b1, 4);
    memcpy(&s2, &b2, 4);
    float y = p * s1 * s2;
    y = x > hi ? __builtin_inff() : y;
    y = x < lo ? 0.0f : y;
    return x == x ? y : x;
}

/* tanh x: for |x| < 0.5 the odd polynomial x + x³·P(x²) (a minimax fit of degree 4 in x²,
 * relative error 3e-10), otherwise sign(x)·(1 − e)/(1 + e) with e = e^(−2|x|) ≤ e⁻¹, where
 * nothing cancels. Past |x| = 9, e underflows into the rounding of 1 ± e and tanh is ±1. */
static inline float nb_vtanhf(float x) {
    float ax = x < 0.0f ? -x : x;
    float u = x * x;
    float p = -6.653564050793648e-3f;
    p = p * u + 2.1301697939634323e-2f;
    p = p * u - 5.389996990561485e-2f;
    p = p * u + 1.3332970440387726e-1f;
    p = p * u - 3.33333283662796e-1f;
    float small = x + x * u * p;
    small = x == 0.0f ? x : small;         /* keeps the sign of −0 */
    float e = nb_vexpf(-2.0f * (ax > 9.0f ? 9.0f : ax));
    float big = (1.0f - e) / (1.0f + e);
    big = x < 0.0f ? -big : big;
    return ax < 0.5f ? small : (x == x ? big : x);
}

/* σ(x) = 1 / (1 + e⁻ˣ), computed from e = e^(−|x|) ≤ 1 so that nothing overflows:
 * σ(x) = 1 / (1 + e) for x ≥ 0, e / (1 + e) for x < 0. */
static inline float nb_vsigmoidf(float x) {
    float ax = x < 0.0f ? -x : x;
    float e = nb_vexpf(-ax);
    float q = 1.0f / (1.0f + e);
    float y = x < 0.0f ? e * q : q;
    return x == x ? y : x;
}
#endif

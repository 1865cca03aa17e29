/* The random number generator: xoshiro256** seeded through splitmix64. Integer arithmetic
 * only, so a seed gives the same numbers on every machine; normals by Box-Muller. */
#include <math.h>
#include <string.h>

#include "tensor.h"

static uint64_t st[4] = {0x9E3779B97F4A7C15ull, 0xBF58476D1CE4E5B9ull, 0x94D049BB133111EBull,
                         0x2545F4914F6CDD1Dull};
static bool have_spare = false;
static double spare;

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void nb_manual_seed(uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) st[i] = splitmix64(&x);
    have_spare = false;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t nb_rng_next(void) {
    uint64_t r = rotl(st[1] * 5, 7) * 9, t = st[1] << 17;
    st[2] ^= st[0];
    st[3] ^= st[1];
    st[1] ^= st[2];
    st[0] ^= st[3];
    st[2] ^= t;
    st[3] = rotl(st[3], 45);
    return r;
}

double nb_rng_uniform(void) { return (double)(nb_rng_next() >> 11) * 0x1.0p-53; }

double nb_rng_normal(void) {
    if (have_spare) {
        have_spare = false;
        return spare;
    }
    double u1, u2;
    do u1 = nb_rng_uniform(); while (u1 <= 0.0);
    u2 = nb_rng_uniform();
    double r = sqrt(-2.0 * log(u1)), th = 2.0 * M_PI * u2;
    spare = r * sin(th);
    have_spare = true;
    return r * cos(th);
}

void nb_rng_get_state(uint64_t s[4]) { memcpy(s, st, sizeof st); }
void nb_rng_set_state(const uint64_t s[4]) {
    memcpy(st, s, sizeof st);
    have_spare = false;
}

nb_tensor *nb_rand(int ndim, const int64_t *shape) {
    nb_tensor *t = nb_empty(ndim, shape);
    if (!t) return NULL;
    float *d = t->storage->data;
    for (int64_t i = 0, n = t->storage->numel; i < n; i++) d[i] = (float)nb_rng_uniform();
    return t;
}

nb_tensor *nb_randn(int ndim, const int64_t *shape) {
    nb_tensor *t = nb_empty(ndim, shape);
    if (!t) return NULL;
    float *d = t->storage->data;
    for (int64_t i = 0, n = t->storage->numel; i < n; i++) d[i] = (float)nb_rng_normal();
    return t;
}

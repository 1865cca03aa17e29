/* Gathering rows into batches, and seeded permutations (see batch.h). */
#include "batch.h"

#include <string.h>

static int check_idx(const char *op, const int64_t *idx, int64_t count, int64_t n) {
    for (int64_t i = 0; i < count; i++)
        if (idx[i] < 0 || idx[i] >= n) {
            nb_error("%s: index %lld is out of range (the data set has %lld rows)", op,
                     (long long)idx[i] + 1, (long long)n);
            return -1;
        }
    return 0;
}

nb_tensor *nb_gather_u8(const uint8_t *data, int64_t n_rows, int row_ndim,
                        const int64_t *row_shape, const int64_t *idx, int64_t count,
                        float scale, float shift) {
    if (row_ndim + 1 > NB_MAXDIM) return nb_error("gather: %d dimensions per row", row_ndim);
    if (check_idx("gather", idx, count, n_rows) != 0) return NULL;
    int64_t shape[NB_MAXDIM], row = 1;
    shape[0] = count;
    for (int i = 0; i < row_ndim; i++) shape[i + 1] = row_shape[i], row *= row_shape[i];
    nb_tensor *t = nb_empty(row_ndim + 1, shape);
    if (!t) return NULL;
    float *out = nb_data(t);
    /* data is (n_rows, row), out is (count, row) */
    #pragma omp parallel for if (count * row > (1 << 20))   /* a copy: threads pay only for big batches */
    for (int64_t i = 0; i < count; i++) {
        const uint8_t *src = data + idx[i] * row;
        float *dst = out + i * row;
        for (int64_t j = 0; j < row; j++) dst[j] = (float)src[j] * scale + shift;
    }
    return t;
}

nb_tensor *nb_gather_rows(const nb_tensor *t, const int64_t *idx, int64_t count) {
    if (t->ndim < 1) return nb_error("gather: a 0-d tensor has no rows");
    if (check_idx("gather", idx, count, t->shape[0]) != 0) return NULL;
    nb_tensor *c = nb_is_contiguous(t) ? nb_alias(t) : nb_contiguous_copy(t);
    if (!c) return NULL;
    int64_t shape[NB_MAXDIM], row = 1;
    shape[0] = count;
    for (int i = 1; i < t->ndim; i++) shape[i] = t->shape[i], row *= t->shape[i];
    nb_tensor *out = nb_empty(t->ndim, shape);
    if (out) {
        const float *src = nb_data(c);
        float *dst = nb_data(out);
        for (int64_t i = 0; i < count; i++)
            memcpy(dst + i * row, src + idx[i] * row, sizeof(float) * row);
    }
    nb_decref(c);
    return out;
}

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* an unbiased integer in [0, n) (Lemire's multiply-shift with rejection) */
static uint64_t below(uint64_t *s, uint64_t n) {
    unsigned __int128 m = (unsigned __int128)splitmix64(s) * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) {
        uint64_t thr = -n % n;
        while (lo < thr) {
            m = (unsigned __int128)splitmix64(s) * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

void nb_permutation(int64_t n, uint64_t seed, int64_t *out) {
    uint64_t s = seed;
    for (int64_t i = 0; i < n; i++) out[i] = i;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)below(&s, (uint64_t)i + 1);
        int64_t tmp = out[i];
        out[i] = out[j];
        out[j] = tmp;
    }
}

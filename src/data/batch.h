/* Batching: gathering the rows of a data set into a float batch. Images stay as bytes
 * in memory (60,000 MNIST digits are 47 MB as bytes, 188 MB as floats) and a batch is
 * converted to float only when the loader asks for it. */
#ifndef NABLA_BATCH_H
#define NABLA_BATCH_H

#include <stdint.h>

#include "../core/tensor.h"

/* Rows of a uint8 array: data is (n_rows, row_shape...) with row_len bytes per row.
 * Returns the float tensor (count, row_shape...) with out[i] = data[idx[i]] * scale + shift
 * (idx 0-based). An index out of [0, n_rows) is an error naming it (1-based, as the user
 * gave it). */
nb_tensor *nb_gather_u8(const uint8_t *data, int64_t n_rows, int row_ndim,
                        const int64_t *row_shape, const int64_t *idx, int64_t count,
                        float scale, float shift);

/* Rows of a float tensor along its first dimension: (count, t.shape[1:]...), a fresh
 * contiguous copy, no autograd (a data path). */
nb_tensor *nb_gather_rows(const nb_tensor *t, const int64_t *idx, int64_t count);

/* A uniformly random permutation of 0..n-1 (Fisher-Yates) from a private generator
 * seeded with seed: the global RNG is not touched, so a loader's order depends only on
 * its seed. */
void nb_permutation(int64_t n, uint64_t seed, int64_t *out);

#endif

/* Checked size arithmetic: every product or sum of shapes, strides and offsets goes through
 * these, so that a size a learner (or a file) gives can never wrap around into a small
 * allocation that is then read or written past its end.
 *
 * NB_MAX_NUMEL bounds the number of elements of any tensor, view or not (2^40 floats is
 * 4 TiB, far beyond any machine nabla runs on, and small enough that a shape's product,
 * a stride times an index, and an offset all fit in int64_t with room to spare). The
 * allocator refuses anything larger than the machine's memory before that. */
#ifndef NABLA_CHECKED_H
#define NABLA_CHECKED_H

#include <stdbool.h>
#include <stdint.h>

#define NB_MAX_NUMEL ((int64_t)1 << 40)

/* *out = a * b; false if it overflowed int64_t (then *out is meaningless). */
static inline bool nb_mul_ok(int64_t a, int64_t b, int64_t *out) {
    return !__builtin_mul_overflow(a, b, out);
}
/* *out = a + b; false if it overflowed. */
static inline bool nb_add_ok(int64_t a, int64_t b, int64_t *out) {
    return !__builtin_add_overflow(a, b, out);
}
/* *out = n * elem bytes as size_t, for malloc; false if it overflowed or n < 0. */
static inline bool nb_bytes_ok(int64_t n, size_t elem, size_t *out) {
    return n >= 0 && !__builtin_mul_overflow((uint64_t)n, (uint64_t)elem, out);
}

/* The number of elements of a shape, or -1 when a size is negative, the product overflows
 * or it is larger than NB_MAX_NUMEL. Sizes after a 0 are checked too (a [0, 2^62, 2^62]
 * tensor has no elements, but its strides would overflow). */
static inline int64_t nb_shape_numel(int ndim, const int64_t *shape) {
    int64_t n = 1, nz = 1; /* nz: the product of the non-zero sizes */
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) return -1;
        if (shape[i] == 0) {
            n = 0;
            continue;
        }
        if (!nb_mul_ok(nz, shape[i], &nz) || nz > NB_MAX_NUMEL) return -1;
        if (n) n = nz;
    }
    return n;
}

#endif

/* Index ops (src/ops/index.c), beside nb_index_select and nb_gather (declared in shape.h).
 * Index tensors hold 1-BASED positions as float32; every index is checked, and one out of
 * range is an error naming the op, the value and the valid range. */
#ifndef NABLA_INDEX_H
#define NABLA_INDEX_H
#include "../core/tensor.h"

/* out = a with src added at idx along dim (torch.scatter_add): for each position p of idx,
 * out[p with p[dim] = idx[p]] += src[p]. a, idx and src have the same number of dims;
 * idx is no larger than src in any dim, and no larger than a except along dim.
 * Differentiable in a (dL/da = g) and src (dL/dsrc = g gathered at idx). */
nb_tensor *nb_scatter_add(nb_tensor *a, int dim, nb_tensor *idx, nb_tensor *src);

/* one_hot: idx (any shape, classes 1..n) gives idx.shape + (n) of 0/1; n <= 0 takes n
 * from the largest class in idx. Not differentiable. */
nb_tensor *nb_one_hot(nb_tensor *idx, int64_t n);

/* masked_fill: a where mask == 0, v where mask != 0 (mask broadcasts with a).
 * dL/da = g where mask == 0, else 0. */
nb_tensor *nb_masked_fill(nb_tensor *a, nb_tensor *mask, double v);

#endif

/* Views and shape ops (src/ops/shape.c): all differentiable. View ops share storage. */
#ifndef NABLA_SHAPE_H
#define NABLA_SHAPE_H
#include "../core/tensor.h"

/* view: the same storage with a new shape (error if the strides do not allow it);
 * shape may contain one -1 (inferred). reshape: a view when possible, else a copy. */
nb_tensor *nb_view(nb_tensor *a, int ndim, const int64_t *shape);
nb_tensor *nb_reshape(nb_tensor *a, int ndim, const int64_t *shape);
nb_tensor *nb_transpose(nb_tensor *a, int d0, int d1);
nb_tensor *nb_permute(nb_tensor *a, const int *perm);
nb_tensor *nb_contiguous(nb_tensor *a);            /* a itself (new ref) if contiguous */
nb_tensor *nb_squeeze(nb_tensor *a, int dim);      /* dim < 0: every size-1 dim */
nb_tensor *nb_unsqueeze(nb_tensor *a, int dim);
nb_tensor *nb_expand(nb_tensor *a, int ndim, const int64_t *shape);  /* -1 keeps a size */
nb_tensor *nb_flatten(nb_tensor *a, int start, int end);
/* select: drop dim, keep position i (0-based); slice: [start, stop) with step > 0 */
nb_tensor *nb_select(nb_tensor *a, int dim, int64_t i);
nb_tensor *nb_slice(nb_tensor *a, int dim, int64_t start, int64_t stop, int64_t step);
nb_tensor *nb_cat(int n, nb_tensor *const *ts, int dim);
nb_tensor *nb_stack(int n, nb_tensor *const *ts, int dim);
nb_tensor *nb_clone(nb_tensor *a);
nb_tensor *nb_detach(nb_tensor *a);                /* same storage, out of the graph */
/* index_select along dim with a 1-D tensor of 1-based positions; gather as torch.gather
 * (1-based index values); scatter_add_into: out = zeros(shape) with src added at index */
nb_tensor *nb_index_select(nb_tensor *a, int dim, nb_tensor *idx);
nb_tensor *nb_gather(nb_tensor *a, int dim, nb_tensor *idx);
#endif

/* What the op implementations (the .c files of src/ops) share, and nothing outside
 * src/ops includes (as ggml-impl.h beside ggml.h, or SQLite's sqliteInt.h beside
 * sqlite3.h): the public op declarations are in ops.h and the family headers.
 *
 * An op's .c file reads, for each op: the kernel, the forward, and right beside it the
 * backward with its formula in a short comment. The forward computes its output, then
 * calls nb_attach() once; nothing else in an op touches the graph.
 */
#ifndef NABLA_OPS_IMPL_H
#define NABLA_OPS_IMPL_H

#include "../autograd/autograd.h"
#include "../core/iter.h"
#include "../core/tensor.h"

/* "[3,4]": t's shape for an error message, written into b (128 bytes; returns b). */
static inline char *shp(char *b, const nb_tensor *t) {
    return nb_shape_str(b, 128, t->ndim, t->shape);
}

/* t itself (a new reference) when contiguous, else a contiguous copy: what the kernels
 * read. NULL in, NULL out (so `contig(nb_something(...))` passes an error on). */
static inline nb_tensor *contig(nb_tensor *t) {
    if (!t) return NULL;
    if (nb_is_contiguous(t)) {
        nb_incref(t);
        return t;
    }
    return nb_contiguous_copy(t);
}

/* Attaches the backward node of *out = op(ins[0], ..., ins[nin-1]), the one way every op
 * records itself. The contract:
 *  - *out is NULL (the forward failed): returns NULL; nothing is done.
 *  - no gradient is wanted (inside no_grad, or no input requires grad): returns NULL and
 *    leaves *out as it is.
 *  - otherwise: returns the node (borrowed: *out owns it) for the caller to fill
 *    saved[], iarg[], farg[], extra, region; if recording fails (out of memory), *out is
 *    dropped and set to NULL, and NULL is returned.
 * So after the call: `if (!*out) fail;` and `if (n) fill n;`. ins may hold NULLs
 * (optional inputs such as a missing bias); they never need a gradient. Saved tensors
 * that the caller allocates may fail too: then it drops *out itself. */
static inline nb_node *nb_attach(nb_tensor **out, const char *op, nb_backward_fn bw, int nin,
                                 nb_tensor *const *ins) {
    if (!*out || !nb_wants_grad(nin, ins)) return NULL;
    nb_node *n = nb_record(*out, op, bw, nin, ins);
    if (!n) {
        nb_decref(*out);
        *out = NULL;
    }
    return n;
}

#endif

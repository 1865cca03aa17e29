/* nabla core: float32 N-d tensors over shared, refcounted storage.
 *
 * Conventions (read these once, they hold everywhere in src/core, src/ops, src/autograd,
 * src/optim, src/data — none of which include lua.h):
 *  - Every function that returns an nb_tensor* returns a NEW reference (refcount owned by
 *    the caller) or NULL on error; on error it has called nb_error() with a message that
 *    names the op and the shapes, e.g. "mm: shapes [3,4] and [5,2] do not match (4 ≠ 5)".
 *    Arguments are borrowed: a function never steals its caller's references.
 *  - Dimensions passed to C are 0-based and already normalised (the Lua layer turns Lua's
 *    1-based / negative dims into these). nb_dim() helps with that.
 *  - Index-valued tensors (argmax output, max/min indices, gather/index_select indices,
 *    class targets) hold 1-BASED positions as float32, as Lua and Torch7 do: what a learner
 *    sees, C sees.
 *  - One dtype: float32.
 */
#ifndef NABLA_TENSOR_H
#define NABLA_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checked.h"

#define NB_MAXDIM 8

/* ---- errors ------------------------------------------------------------------------ */
/* Sets the current error message (printf-style). Always returns NULL so that an op can
 * `return nb_error(...)`. */
void *nb_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The message of the last error (valid until the next nb_error). */
const char *nb_last_error(void);
/* Writes "[3,4]" for a shape into buf (returns buf). */
char *nb_shape_str(char *buf, size_t n, int ndim, const int64_t *shape);

/* ---- storage ----------------------------------------------------------------------- */
typedef struct nb_storage {
    int refcount;
    int64_t numel;   /* number of floats in data */
    float *data;     /* 64-byte aligned */
    size_t mapped;   /* bytes mapped for it (large blocks, see tensor.c), 0 if from malloc */
} nb_storage;

/* Bytes of tensor storage alive right now, and allocated since the counter was last
 * reset: the Lua binding feeds the second to Lua's collector so that it sees tensor
 * memory (Torch7's collectgarbage() habit is not needed). */
extern int64_t nb_bytes_alive;

/* Asks for transparent huge pages over the whole 2 MiB pages inside [p, p + bytes), before
 * the memory is first written (where the kernel gives them on request: Debian's default
 * /sys/kernel/mm/transparent_hugepage/enabled is "madvise"). A hint: nothing changes if
 * it is refused. Tensors and data sets of more than 2 MiB use it (see tensor.c). */
void nb_advise_huge(void *p, size_t bytes);

/* Gives the heap's free pages and the cache of large freed blocks back to the system
 * (malloc_trim); 1 if any were released. */
int nb_trim_heap(void);
/* the most bytes one tensor may hold, and setting it (<= 0: the system's); see tensor.c */
int64_t nb_memory_limit(void);
int64_t nb_set_memory_limit(int64_t bytes);
/* bytes held in the cache of freed large blocks, and its limit ((size_t)-1: only read) */
size_t nb_cache_bytes(void);
/* unmaps every cached block (the next phase of a run allocates other sizes) */
void nb_release_cache(void);
size_t nb_set_cache_limit(size_t bytes);
/* "4096", "1.5G", "512MiB": bytes (K, M, G, T are powers of 1024); -1 if not a size */
int64_t nb_parse_bytes(const char *s);
extern int64_t nb_bytes_since_gc;

/* ---- tensors ----------------------------------------------------------------------- */
/* Everything autograd knows about a tensor (requires_grad, .grad, the node that made it,
 * hooks) lives in one record that src/autograd allocates the first time the tensor takes
 * part in autograd; the core sees only an opaque pointer (PyTorch's c10 TensorImpl /
 * AutogradMeta split). A tensor that never met autograd has autograd == NULL. */
struct nb_autograd_meta;

typedef struct nb_tensor {
    int refcount;
    int ndim;
    int64_t shape[NB_MAXDIM];
    int64_t stride[NB_MAXDIM];  /* in elements */
    int64_t offset;             /* in elements, into storage->data */
    nb_storage *storage;
    struct nb_autograd_meta *autograd;  /* opaque here; see src/autograd/autograd.h */
    void *user;                 /* free slot for the bindings (never touched by the core) */
} nb_tensor;

/* How a tensor's autograd record is released when the tensor dies: installed by
 * src/autograd when it creates the first record (the core never calls into autograd by
 * name, so the dependency points one way). */
extern void (*nb_autograd_release)(nb_tensor *t);

static inline float *nb_data(const nb_tensor *t) { return t->storage->data + t->offset; }
int64_t nb_numel(const nb_tensor *t);
bool nb_is_contiguous(const nb_tensor *t);
bool nb_same_shape(const nb_tensor *a, const nb_tensor *b);
/* Normalises dim d (may be negative, counted from the end) for a tensor with ndim dims;
 * returns -1 and sets an error naming op if out of range. allow_end permits d == ndim
 * (for unsqueeze/stack). */
int nb_dim(const char *op, int d, int ndim, bool allow_end);

void nb_incref(nb_tensor *t);
void nb_decref(nb_tensor *t);   /* NULL is fine */

/* New contiguous tensor, uninitialised / zero-filled / filled with v. */
nb_tensor *nb_empty(int ndim, const int64_t *shape);
nb_tensor *nb_zeros(int ndim, const int64_t *shape);
nb_tensor *nb_full(int ndim, const int64_t *shape, float v);
nb_tensor *nb_scalar(float v);                         /* 0-d tensor */
nb_tensor *nb_from_data(int ndim, const int64_t *shape, const float *data);
nb_tensor *nb_empty_like(const nb_tensor *t);
nb_tensor *nb_zeros_like(const nb_tensor *t);
nb_tensor *nb_eye(int64_t n, int64_t m);
nb_tensor *nb_arange(double start, double end, double step);
nb_tensor *nb_linspace(double start, double end, int64_t steps);

/* Copies and fills (no autograd: these are for kernels and for no_grad code). */
nb_tensor *nb_contiguous_copy(const nb_tensor *t);   /* always a fresh contiguous copy */
int nb_copy_(nb_tensor *dst, const nb_tensor *src);  /* dst[...] = src, broadcasting src */
void nb_fill_(nb_tensor *t, float v);
/* In place, never recorded (optimizers, no_grad code, and autograd's own gradient
 * accumulation): t += alpha * o (o broadcast to t's shape), t *= s, t += s.
 * Return 0, or -1 with an error. */
int nb_add_(nb_tensor *t, nb_tensor *o, double alpha);
int nb_mul_scalar_(nb_tensor *t, double s);
int nb_add_scalar_(nb_tensor *t, double s);
/* Element at a multi-index (0-based), for printing and tests. */
float nb_get(const nb_tensor *t, const int64_t *idx);
/* Calls fn on every element in row-major order, for strided tensors (slow path helpers). */
float nb_item(const nb_tensor *t);                   /* t must have one element */

/* A new tensor header over the same storage (no autograd record: no grad_fn, no
 * requires_grad). */
nb_tensor *nb_alias(const nb_tensor *t);
/* A header with the given geometry over t's storage (used by the view ops). */
nb_tensor *nb_view_raw(const nb_tensor *t, int ndim, const int64_t *shape,
                       const int64_t *stride, int64_t offset);

/* Broadcast the shapes of a and b (NumPy rules) into out; returns ndim or -1 (error
 * naming op). */
int nb_broadcast_shape(const char *op, int na, const int64_t *sa, int nb, const int64_t *sb,
                       int64_t *out);

/* ---- RNG: seeded, reproducible on every machine ------------------------------------ */
void nb_manual_seed(uint64_t seed);
uint64_t nb_rng_next(void);        /* 64 random bits */
double nb_rng_uniform(void);       /* [0, 1) */
double nb_rng_normal(void);        /* N(0, 1) */
void nb_rng_get_state(uint64_t st[4]);
void nb_rng_set_state(const uint64_t st[4]);
nb_tensor *nb_rand(int ndim, const int64_t *shape);
nb_tensor *nb_randn(int ndim, const int64_t *shape);

/* ---- printing ---------------------------------------------------------------------- */
/* PyTorch-style text of a tensor: "tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]])".
 * The caller frees the result. extra is appended inside the parentheses (e.g.
 * "requires_grad=true"), or NULL. */
char *nb_format(const nb_tensor *t, const char *extra);

#endif

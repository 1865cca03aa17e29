/* nabla autograd: reverse-mode differentiation over a graph of nodes.
 *
 * Every differentiable op, after computing its output, calls nb_record() when gradients
 * are wanted. The node keeps (new references to) the op's inputs, any extra saved
 * tensors, and small integer/float arguments; its backward function, written right
 * beside the op's forward, maps the gradient of the output to gradients of the inputs.
 *
 * Ownership: a tensor owns its grad_fn node; a node owns its inputs and saved tensors.
 * A node must never own its own output (that would be a cycle): save an nb_alias() of
 * the output instead (same storage, no grad_fn).
 */
#ifndef NABLA_AUTOGRAD_H
#define NABLA_AUTOGRAD_H

#include "../core/tensor.h"

#define NB_MAXIN 4
#define NB_MAXSAVED 4

typedef struct nb_node nb_node;

/* gin has n->nin entries (at least NB_MAXIN), all NULL on entry.
 * gin[i] receives a new reference to dL/d(input i), or stays NULL when input i does not
 * need a gradient (n->needs[i] is false) or the gradient is zero. The gradient may have
 * a broadcast shape: the engine sums it down to the input's shape. Return 0, or -1
 * after nb_error(). Backward functions run with gradient recording switched off. */
typedef int (*nb_backward_fn)(nb_node *n, nb_tensor *gout, nb_tensor **gin);

/* For views that pick a region of their one input (select, slice): the same region of a
 * tensor of the input's shape (a new reference, or NULL after nb_error). With it the
 * engine adds dL/d(out) straight into that region of the input's gradient, instead of
 * the backward building a zero tensor of the input's shape around it: an RNN selects
 * each of T steps from one (T, B, ·) tensor, and the zero tensors made backward O(T²). */
typedef nb_tensor *(*nb_region_fn)(nb_node *n, nb_tensor *full);

struct nb_node {
    int refcount;
    const char *op;                 /* "mul", "mm", ... shown by graph() and errors */
    nb_backward_fn backward;
    nb_region_fn region;            /* NULL, or see nb_region_fn */
    int nin;
    nb_tensor **in;                 /* inputs (owned), nin of them */
    bool *needs;                    /* does input i need a gradient? */
    nb_tensor *in_inline[NB_MAXIN]; /* storage of in/needs when nin <= NB_MAXIN (cat and */
    bool needs_inline[NB_MAXIN];    /* stack may have more: then they are malloc'd) */
    nb_tensor *saved[NB_MAXSAVED];  /* extra saved tensors (owned) */
    int64_t iarg[NB_MAXDIM * 2];    /* small integer arguments (dims, shapes...) */
    double farg[4];                 /* small float arguments (exponents, slopes...) */
    void *extra;                    /* op-specific heap data, freed with free() */
    int64_t out_shape[NB_MAXDIM];   /* shape of the output */
    int out_ndim;
    nb_tensor *out;                 /* weak: the output tensor while it is alive */
    bool released;                  /* saved tensors freed by a backward without retain */
    nb_tensor *gacc;                /* scratch during backward: accumulated dL/d(out) */
    int order;                      /* scratch during backward */
    nb_node *next_free;             /* free list: graphs are freed without recursion */
};

/* ---- a tensor's autograd record ------------------------------------------------------
 * t->autograd (opaque to the core) points to this record, made by the first call that
 * needs one (nb_autograd_meta, nb_set_requires_grad, nb_record) and released with the
 * tensor through the function autograd installs in nb_autograd_release. Read it through
 * the accessors below: a tensor without a record does not require grad, has no grad_fn,
 * no .grad and no hooks. */
typedef struct nb_autograd_meta {
    bool requires_grad;
    bool retains_grad;          /* non-leaf that keeps .grad (retain_grad()) */
    nb_tensor *grad;            /* accumulated gradient, or NULL */
    nb_node *grad_fn;           /* node that made this tensor, NULL for leaves */
    struct nb_hook *hooks;      /* gradient hooks, run when this tensor's grad is known */
    nb_tensor *gtmp;            /* scratch: gradient being accumulated during backward */
} nb_autograd_meta;

static inline bool nb_requires_grad(const nb_tensor *t) {
    return t->autograd && t->autograd->requires_grad;
}
static inline nb_node *nb_grad_fn(const nb_tensor *t) {
    return t->autograd ? t->autograd->grad_fn : NULL;
}
/* .grad (borrowed), or NULL */
static inline nb_tensor *nb_grad(const nb_tensor *t) {
    return t->autograd ? t->autograd->grad : NULL;
}
/* t's record, made on first use; NULL after nb_error when out of memory. */
nb_autograd_meta *nb_autograd_meta_of(nb_tensor *t);
/* requires_grad = flag (a leaf only may stop requiring grad: the caller checks). 0 or -1. */
int nb_set_requires_grad(nb_tensor *t, bool flag);
/* .grad = g (takes over the caller's reference; g may be NULL). 0 or -1. */
int nb_set_grad(nb_tensor *t, nb_tensor *g);

/* ---- gradient mode ------------------------------------------------------------------ */
extern bool nb_grad_enabled;        /* false inside no_grad */
/* true when gradients are being recorded and any of the tensors requires grad */
bool nb_wants_grad(int n, nb_tensor *const *ts);

/* Creates the node for out = op(ins...) and attaches it to out (out->requires_grad becomes
 * true). Returns the node (borrowed: out owns it) so the caller can fill saved/iarg/farg,
 * or NULL on allocation failure (the caller then drops out and returns NULL). */
nb_node *nb_record(nb_tensor *out, const char *op, nb_backward_fn bw, int nin,
                   nb_tensor *const *ins);
void nb_node_decref(nb_node *n);

/* ---- hooks -------------------------------------------------------------------------- */
/* A hook sees the gradient of a tensor when backward reaches it. It may return a new
 * reference to a replacement gradient, NULL to keep it, or set *err = 1 (after nb_error)
 * to abort backward. */
typedef nb_tensor *(*nb_hook_fn)(void *ctx, nb_tensor *t, nb_tensor *grad, int *err);
typedef struct nb_hook {
    nb_hook_fn fn;
    void *ctx;
    void (*free_ctx)(void *ctx);    /* may be NULL */
    int id;
    struct nb_hook *next;
} nb_hook;
/* Returns a hook id (> 0), or -1. */
int nb_add_hook(nb_tensor *t, nb_hook_fn fn, void *ctx, void (*free_ctx)(void *));
int nb_remove_hook(nb_tensor *t, int id);

/* ---- backward ----------------------------------------------------------------------- */
/* Called once per node, in the order backward visits them, after the node's backward has
 * run: gout is dL/d(node output), gin the gradients it passes to its inputs (entries may
 * be NULL). Return non-zero (after nb_error) to abort. Used by graph(), step-through and
 * layer inspection. */
typedef int (*nb_node_visit_fn)(void *ctx, nb_node *n, nb_tensor *gout, nb_tensor **gin);

typedef struct nb_backward_opts {
    nb_tensor *gradient;       /* dL/d(root); NULL means ones (root must have one element) */
    bool retain_graph;
    nb_node_visit_fn visit;    /* may be NULL */
    void *visit_ctx;
} nb_backward_opts;

/* Runs backprop from root, accumulating into the .grad of every leaf that requires grad
 * (and of retain_grad tensors). Returns 0, or -1 with nb_error set. Unless retain_graph,
 * the graph's saved tensors are freed afterwards. */
int nb_backward(nb_tensor *root, const nb_backward_opts *opts);

/* Sums g over broadcast dimensions so that it has the given shape (new reference). */
nb_tensor *nb_sum_to(nb_tensor *g, int ndim, const int64_t *shape);

#endif

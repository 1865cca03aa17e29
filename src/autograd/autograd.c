/* The backward engine: topological order over the graph, the chain rule applied node by
 * node (dL/d(input) = backward(node, dL/d(output))), gradients summed where paths meet. */
#include "autograd.h"

#include <stdlib.h>
#include <string.h>

#include "../core/iter.h"

bool nb_grad_enabled = true;

bool nb_wants_grad(int n, nb_tensor *const *ts) {
    if (!nb_grad_enabled) return false;
    for (int i = 0; i < n; i++)
        if (ts[i] && nb_requires_grad(ts[i])) return true;
    return false;
}

/* ---- the autograd record of a tensor --------------------------------------------------- */

/* Installed in the core's nb_autograd_release: runs when a tensor with a record dies. */
static void release_meta(nb_tensor *t) {
    nb_autograd_meta *m = t->autograd;
    t->autograd = NULL;
    if (m->grad_fn) {
        if (m->grad_fn->out == t) m->grad_fn->out = NULL;
        nb_node_decref(m->grad_fn);
    }
    nb_hook *h = m->hooks;
    while (h) {
        nb_hook *nx = h->next;
        if (h->free_ctx) h->free_ctx(h->ctx);
        free(h);
        h = nx;
    }
    nb_decref(m->grad);
    nb_decref(m->gtmp);
    free(m);
}

nb_autograd_meta *nb_autograd_meta_of(nb_tensor *t) {
    if (t->autograd) return t->autograd;
    nb_autograd_meta *m = calloc(1, sizeof *m);
    if (!m) return nb_error("autograd: out of memory");
    nb_autograd_release = release_meta;
    t->autograd = m;
    return m;
}

int nb_set_requires_grad(nb_tensor *t, bool flag) {
    if (!flag && !t->autograd) return 0;
    nb_autograd_meta *m = nb_autograd_meta_of(t);
    if (!m) return -1;
    m->requires_grad = flag;
    return 0;
}

int nb_set_grad(nb_tensor *t, nb_tensor *g) {
    nb_autograd_meta *m = g ? nb_autograd_meta_of(t) : t->autograd;
    if (!m) {
        nb_decref(g);
        return g ? -1 : 0;
    }
    nb_tensor *old = m->grad;
    m->grad = g;
    nb_decref(old);
    return 0;
}

nb_node *nb_record(nb_tensor *out, const char *op, nb_backward_fn bw, int nin,
                   nb_tensor *const *ins) {
    nb_autograd_meta *meta = nb_autograd_meta_of(out);
    if (!meta) return NULL;
    nb_node *n = calloc(1, sizeof(nb_node));
    if (!n) return nb_error("%s: out of memory recording the graph", op);
    n->refcount = 1;
    n->op = op;
    n->backward = bw;
    n->nin = nin;
    n->in = n->in_inline;
    n->needs = n->needs_inline;
    if (nin > NB_MAXIN) {
        n->in = calloc(nin, sizeof(nb_tensor *));
        n->needs = calloc(nin, sizeof(bool));
        if (!n->in || !n->needs) {
            free(n->in);
            free(n->needs);
            free(n);
            return nb_error("%s: out of memory recording the graph", op);
        }
    }
    for (int i = 0; i < nin; i++) {
        n->in[i] = ins[i];
        nb_incref(ins[i]);
        n->needs[i] = ins[i] && nb_requires_grad(ins[i]);
    }
    n->out_ndim = out->ndim;
    memcpy(n->out_shape, out->shape, sizeof(int64_t) * out->ndim);
    n->out = out;
    nb_node_decref(meta->grad_fn); /* an output is recorded once; this is for safety */
    meta->grad_fn = n;
    meta->requires_grad = true;
    return n;
}

static void release_saved(nb_node *n) {
    for (int i = 0; i < NB_MAXSAVED; i++) {
        nb_decref(n->saved[i]);
        n->saved[i] = NULL;
    }
    free(n->extra);
    n->extra = NULL;
}

/* Freeing a graph is iterative: a chain of 100,000 nodes (a learner's `s = s + x` loop)
 * must not overflow the C stack. Nodes whose count drops to zero go on a list that the
 * outermost call drains. */
static nb_node *pending_free = NULL;
static bool draining = false;

void nb_node_decref(nb_node *n) {
    if (!n || --n->refcount > 0) return;
    n->next_free = pending_free;
    pending_free = n;
    if (draining) return;
    draining = true;
    while (pending_free) {
        nb_node *m = pending_free;
        pending_free = m->next_free;
        release_saved(m);
        for (int i = 0; i < m->nin; i++) nb_decref(m->in[i]);
        nb_decref(m->gacc);
        if (m->in != m->in_inline) {
            free(m->in);
            free(m->needs);
        }
        free(m);
    }
    draining = false;
}

/* ---- hooks ------------------------------------------------------------------------- */
static int next_hook_id = 1;

int nb_add_hook(nb_tensor *t, nb_hook_fn fn, void *ctx, void (*free_ctx)(void *)) {
    nb_hook *h = calloc(1, sizeof(nb_hook));
    if (!h) {
        nb_error("register_hook: out of memory");
        return -1;
    }
    h->fn = fn;
    h->ctx = ctx;
    h->free_ctx = free_ctx;
    h->id = next_hook_id++;
    nb_autograd_meta *m = nb_autograd_meta_of(t);
    if (!m) {
        free(h);
        return -1;
    }
    nb_hook **p = &m->hooks; /* run in the order registered */
    while (*p) p = &(*p)->next;
    *p = h;
    return h->id;
}

int nb_remove_hook(nb_tensor *t, int id) {
    if (!t->autograd) return -1;
    for (nb_hook **p = &t->autograd->hooks; *p; p = &(*p)->next)
        if ((*p)->id == id) {
            nb_hook *h = *p;
            *p = h->next;
            if (h->free_ctx) h->free_ctx(h->ctx);
            free(h);
            return 0;
        }
    return -1;
}

/* Runs t's hooks on g; returns the (possibly replaced) gradient as a new reference. */
static nb_tensor *run_hooks(nb_tensor *t, nb_tensor *g) {
    nb_incref(g);
    for (nb_hook *h = t->autograd ? t->autograd->hooks : NULL; h; h = h->next) {
        int err = 0;
        nb_tensor *r = h->fn(h->ctx, t, g, &err);
        if (err) {
            nb_decref(g);
            nb_decref(r);
            return NULL;
        }
        if (r) {
            if (!nb_same_shape(r, g)) {
                char b1[128], b2[128];
                nb_error("hook: returned a gradient of shape %s for a tensor of shape %s",
                         nb_shape_str(b1, sizeof b1, r->ndim, r->shape),
                         nb_shape_str(b2, sizeof b2, g->ndim, g->shape));
                nb_decref(r);
                nb_decref(g);
                return NULL;
            }
            nb_decref(g);
            g = r;
        }
    }
    return g;
}

/* ---- summing a broadcast gradient back to its input's shape -------------------------- */
static void k_accum(int64_t n, float *o, int64_t so, const float *a, int64_t sa,
                    const float *b, int64_t sb, const void *ctx) {
    if (so == 0) {
        double s = 0;
        for (int64_t i = 0; i < n; i++) s += a[i * sa];
        o[0] += (float)s;
    } else
        for (int64_t i = 0; i < n; i++) o[i * so] += a[i * sa];
}

nb_tensor *nb_sum_to(nb_tensor *g, int ndim, const int64_t *shape) {
    if (g->ndim == ndim && memcmp(g->shape, shape, sizeof(int64_t) * ndim) == 0) {
        nb_incref(g);
        return g;
    }
    nb_tensor *out = nb_zeros(ndim, shape);
    if (!out) return NULL;
    int64_t so[NB_MAXDIM];
    nb_broadcast_strides(out, g->ndim, g->shape, so);
    nb_run3_serial(g->ndim, g->shape, nb_data(out), so, nb_data(g), g->stride, NULL, NULL,
                   k_accum, NULL);
    return out;
}

/* acc += g, where acc is ours alone when its count is 1 (so it may be updated in place). */
static int accumulate(nb_tensor **acc, nb_tensor *g) {
    if (!*acc) {
        nb_incref(g);
        *acc = g;
        return 0;
    }
    if ((*acc)->refcount == 1 && nb_is_contiguous(*acc) && nb_same_shape(*acc, g))
        return nb_add_(*acc, g, 1.0);
    /* shared or strided: a private copy to add into (both have the input's shape) */
    nb_tensor *s = nb_contiguous_copy(*acc);
    if (!s || nb_add_(s, g, 1.0)) {
        nb_decref(s);
        return -1;
    }
    nb_decref(*acc);
    *acc = s;
    return 0;
}

/* acc[region of node n] += g, for a node with a region function (a select or slice of
 * input t): acc becomes a private zero-filled buffer of t's shape first if it is not one. */
static int accumulate_region(nb_node *n, nb_tensor **acc, nb_tensor *t, nb_tensor *g) {
    nb_tensor *a = *acc;
    if (a && !(a->refcount == 1 && a->storage->refcount == 1 && nb_is_contiguous(a) &&
               nb_same_shape(a, t))) {
        nb_tensor *c = nb_sum_to(a, t->ndim, t->shape);
        nb_tensor *own = c ? nb_contiguous_copy(c) : NULL;
        nb_decref(c);
        if (!own) return -1;
        nb_decref(a);
        *acc = a = own;
    }
    if (!a && !(*acc = a = nb_zeros(t->ndim, t->shape))) return -1;
    nb_tensor *part = n->region(n, a);
    int rc = part ? nb_add_(part, g, 1.0) : -1;
    nb_decref(part);
    return rc;
}

/* The leaf's .grad owns its buffer: never an alias of a gradient someone else holds. */
static int accumulate_leaf_grad(nb_tensor *t, nb_tensor *g) {
    nb_autograd_meta *m = nb_autograd_meta_of(t);
    if (!m) return -1;
    if (m->grad) return nb_add_(m->grad, g, 1.0);
    if (g->refcount == 1 && nb_is_contiguous(g) && g->offset == 0 && !nb_grad_fn(g) &&
        g->storage->refcount == 1) {
        nb_incref(g);
        m->grad = g;
    } else {
        m->grad = nb_contiguous_copy(g);
        if (!m->grad) return -1;
    }
    return 0;
}

/* ---- the engine ---------------------------------------------------------------------- */
typedef struct {
    void **a;
    int n, cap;
} vec;

static int vec_push(vec *v, void *p) {
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 64;
        void **a = realloc(v->a, sizeof(void *) * cap);
        if (!a) {
            nb_error("backward: out of memory");
            return -1;
        }
        v->a = a;
        v->cap = cap;
    }
    v->a[v->n++] = p;
    return 0;
}

static int stamp = 0;

/* Post-order DFS without recursion: every node after all nodes that consume it is the
 * reverse of the list. Nodes in the list hold a reference (released at the end). */
static int topo_sort(nb_node *root, vec *order, vec *leaves) {
    stamp++;
    vec stack = {0}, idx = {0};
    int rc = 0;
    root->order = stamp;
    if (vec_push(&stack, root) || vec_push(&idx, (void *)0)) goto fail;
    while (stack.n) {
        nb_node *n = stack.a[stack.n - 1];
        intptr_t i = (intptr_t)idx.a[idx.n - 1];
        if (i < n->nin) {
            idx.a[idx.n - 1] = (void *)(i + 1);
            nb_tensor *t = n->in[i];
            if (!t || !n->needs[i]) continue;
            if (nb_grad_fn(t)) {
                nb_node *m = nb_grad_fn(t);
                if (m->order == stamp) continue;
                if (m->released) {
                    nb_error("backward: part of the graph was already freed by an earlier "
                             "backward(); call the first one with {retain_graph=true}");
                    goto fail;
                }
                m->order = stamp;
                if (vec_push(&stack, m) || vec_push(&idx, (void *)0)) goto fail;
            } else if (nb_requires_grad(t) && !t->autograd->gtmp && t->refcount > 0) {
                /* a leaf: mark it with an empty accumulator slot once */
                bool seen = false;
                for (int k = 0; k < leaves->n && !seen; k++) seen = leaves->a[k] == t;
                if (!seen) {
                    if (vec_push(leaves, t)) goto fail;
                    nb_incref(t);
                }
            }
        } else {
            stack.n--;
            idx.n--;
            n->refcount++;
            if (vec_push(order, n)) {
                n->refcount--;
                goto fail;
            }
        }
    }
    goto done;
fail:
    rc = -1;
done:
    free(stack.a);
    free(idx.a);
    return rc;
}

int nb_backward(nb_tensor *root, const nb_backward_opts *opts) {
    nb_backward_opts o = opts ? *opts : (nb_backward_opts){0};
    char b1[128], b2[128];
    if (!nb_requires_grad(root)) {
        nb_error("backward: this tensor does not require grad (no tensor it came from had "
                 "requires_grad set)");
        return -1;
    }
    nb_tensor *seed;
    if (o.gradient) {
        if (!nb_same_shape(o.gradient, root)) {
            nb_error("backward: gradient of shape %s for a tensor of shape %s",
                     nb_shape_str(b1, sizeof b1, o.gradient->ndim, o.gradient->shape),
                     nb_shape_str(b2, sizeof b2, root->ndim, root->shape));
            return -1;
        }
        seed = o.gradient;
        nb_incref(seed);
    } else {
        if (nb_numel(root) != 1) {
            nb_error("backward: a gradient can be created implicitly only for a tensor with "
                     "one element, got shape %s (pass one: x:backward(grad))",
                     nb_shape_str(b1, sizeof b1, root->ndim, root->shape));
            return -1;
        }
        seed = nb_full(root->ndim, root->shape, 1.0f);
        if (!seed) return -1;
    }

    bool saved_mode = nb_grad_enabled;
    nb_grad_enabled = false;
    int rc = 0;
    vec order = {0}, leaves = {0};

    if (!nb_grad_fn(root)) { /* a leaf: its gradient is the seed */
        nb_tensor *g = run_hooks(root, seed);
        rc = g ? accumulate_leaf_grad(root, g) : -1;
        nb_decref(g);
        nb_decref(seed);
        nb_grad_enabled = saved_mode;
        return rc;
    }
    if (nb_grad_fn(root)->released) {
        nb_error("backward: the graph was already freed by an earlier backward(); call the "
                 "first one with {retain_graph=true} to backward twice");
        nb_decref(seed);
        nb_grad_enabled = saved_mode;
        return -1;
    }
    if (topo_sort(nb_grad_fn(root), &order, &leaves)) {
        rc = -1;
        goto cleanup;
    }
    nb_grad_fn(root)->gacc = seed;
    seed = NULL;

    /* nodes in reverse post-order: each runs once all of its consumers have */
    for (int k = order.n - 1; k >= 0; k--) {
        nb_node *n = order.a[k];
        nb_tensor *g = n->gacc;
        n->gacc = NULL;
        if (!g) continue;
        if (n->out && (n->out->autograd->hooks || n->out->autograd->retains_grad)) {
            nb_tensor *h = run_hooks(n->out, g);
            nb_decref(g);
            if (!h) {
                rc = -1;
                goto cleanup;
            }
            g = h;
            if (n->out->autograd->retains_grad && accumulate_leaf_grad(n->out, g)) {
                nb_decref(g);
                rc = -1;
                goto cleanup;
            }
        }
        if (n->released) {
            nb_error("backward: the graph was already freed by an earlier backward(); call "
                     "the first one with {retain_graph=true}");
            nb_decref(g);
            rc = -1;
            goto cleanup;
        }
        if (n->region && !o.visit && n->nin == 1 && n->in[0] && n->needs[0]) {
            nb_tensor *t = n->in[0];
            int e = accumulate_region(n, t->autograd->grad_fn ? &t->autograd->grad_fn->gacc : &t->autograd->gtmp, t, g);
            nb_decref(g);
            if (e) {
                rc = -1;
                goto cleanup;
            }
            continue;
        }
        int gn = n->nin > NB_MAXIN ? n->nin : NB_MAXIN;
        nb_tensor *gin_inline[NB_MAXIN] = {0};
        nb_tensor **gin = gn > NB_MAXIN ? calloc(gn, sizeof(nb_tensor *)) : gin_inline;
        if (!gin) {
            nb_error("backward: out of memory");
            nb_decref(g);
            rc = -1;
            goto cleanup;
        }
        /* the visitor is shown g after the backward: held here, so that no backward takes
         * it as its own to write over (relu's does when it holds the only reference) */
        if (o.visit) nb_incref(g);
        int bad = n->backward(n, g, gin) || (o.visit && o.visit(o.visit_ctx, n, g, gin));
        if (o.visit) nb_decref(g);
        if (bad) {
            for (int i = 0; i < gn; i++) nb_decref(gin[i]);
            if (gin != gin_inline) free(gin);
            nb_decref(g);
            rc = -1;
            goto cleanup;
        }
        nb_decref(g);
        for (int i = 0; i < n->nin; i++) {
            nb_tensor *t = n->in[i];
            if (!gin[i] || !t || !n->needs[i]) {
                nb_decref(gin[i]);
                continue;
            }
            nb_tensor *gi = nb_sum_to(gin[i], t->ndim, t->shape);
            nb_decref(gin[i]);
            gin[i] = NULL;
            int e = gi ? 0 : -1;
            if (!e) e = accumulate(t->autograd->grad_fn ? &t->autograd->grad_fn->gacc : &t->autograd->gtmp, gi);
            nb_decref(gi);
            if (e) {
                for (int j = i + 1; j < gn; j++) nb_decref(gin[j]);
                if (gin != gin_inline) free(gin);
                rc = -1;
                goto cleanup;
            }
        }
        if (gin != gin_inline) free(gin);
    }
    for (int k = 0; k < leaves.n; k++) {
        nb_tensor *t = leaves.a[k];
        if (!t->autograd->gtmp) continue;
        nb_tensor *g = run_hooks(t, t->autograd->gtmp);
        nb_decref(t->autograd->gtmp);
        t->autograd->gtmp = NULL;
        if (!g || accumulate_leaf_grad(t, g)) {
            nb_decref(g);
            rc = -1;
            goto cleanup;
        }
        nb_decref(g);
    }

cleanup:
    nb_decref(seed);
    for (int k = 0; k < leaves.n; k++) {
        nb_tensor *t = leaves.a[k];
        nb_decref(t->autograd->gtmp);
        t->autograd->gtmp = NULL;
        nb_decref(t);
    }
    for (int k = 0; k < order.n; k++) {
        nb_node *n = order.a[k];
        nb_decref(n->gacc);
        n->gacc = NULL;
        if (!o.retain_graph && rc == 0) {
            /* free what the graph saved; keep the node so a second backward can say why */
            release_saved(n);
            n->released = true;
        }
    }
    if (!o.retain_graph && rc == 0) {
        /* inputs are released after every node is marked, while the list holds each node:
         * intermediate buffers go now, not when the loss is collected */
        for (int k = 0; k < order.n; k++) {
            nb_node *n = order.a[k];
            for (int i = 0; i < n->nin; i++) {
                nb_tensor *t = n->in[i];
                n->in[i] = NULL;
                nb_decref(t);
            }
            n->nin = 0;
        }
    }
    for (int k = 0; k < order.n; k++) nb_node_decref(order.a[k]);
    free(order.a);
    free(leaves.a);
    nb_grad_enabled = saved_mode;
    return rc;
}

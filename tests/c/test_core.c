/* The core and the autograd engine driven directly from C, without Lua: tensor lifetime
 * (references, shared storage, the autograd record released with its tensor), views
 * (shared storage, strides, writes seen through a view), broadcasting (shapes, strides,
 * an error that names the shapes), and a small graph's backward against gradients worked
 * out by hand. Memory is checked through nb_bytes_alive: every case ends where it began. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "autograd/autograd.h"
#include "check.h"
#include "core/iter.h"
#include "ops/ops.h"

static nb_tensor *vec(int n, const float *v) {
    int64_t s = n;
    return nb_from_data(1, &s, v);
}

static nb_tensor *mat(int r, int c, const float *v) {
    int64_t s[2] = {r, c};
    return nb_from_data(2, s, v);
}

/* ---- lifetime ------------------------------------------------------------------------ */
static void test_lifetime(void) {
    int64_t before = nb_bytes_alive;
    int64_t shape[2] = {3, 4};
    nb_tensor *t = nb_zeros(2, shape);
    CHECK(t && t->refcount == 1 && t->storage->refcount == 1, "a new tensor has one owner");
    CHECK(nb_bytes_alive > before, "its storage is counted (%lld)", (long long)nb_bytes_alive);
    CHECK(t->autograd == NULL, "a tensor that never met autograd has no record");
    nb_incref(t);
    CHECK(t->refcount == 2, "incref");
    nb_decref(t);
    CHECK(t->refcount == 1, "decref");
    nb_tensor *a = nb_alias(t);
    CHECK(a && a->storage == t->storage && t->storage->refcount == 2, "an alias shares storage");
    nb_decref(t); /* the storage lives on in the alias */
    CHECK(a->storage->refcount == 1 && nb_bytes_alive > before, "storage outlives its first owner");
    nb_decref(a);
    CHECK(nb_bytes_alive == before, "all storage returned (%lld vs %lld)",
          (long long)nb_bytes_alive, (long long)before);
    nb_decref(NULL); /* allowed */

    /* the autograd record: made on first use, released with the tensor (with its .grad,
     * its node and the inputs the node holds) */
    nb_tensor *x = nb_full(2, shape, 2.0f);
    CHECK(nb_set_requires_grad(x, true) == 0 && x->autograd && nb_requires_grad(x),
          "requires_grad makes a record");
    nb_tensor *y = nb_mul_scalar(x, 3.0);
    CHECK(y && nb_grad_fn(y) && !strcmp(nb_grad_fn(y)->op, "mul") && nb_requires_grad(y),
          "an op on it records a node");
    CHECK(x->refcount == 2, "the node holds its input (%d)", x->refcount);
    CHECK(nb_set_grad(x, nb_full(2, shape, 1.0f)) == 0 && nb_grad(x), "set .grad");
    nb_decref(y);
    CHECK(x->refcount == 1, "the node let its input go with its output");
    nb_decref(x);
    CHECK(nb_bytes_alive == before, "record, .grad and graph freed (%lld vs %lld)",
          (long long)nb_bytes_alive, (long long)before);

    /* a chain of 200,000 nodes is freed without recursion */
    nb_tensor *s = nb_scalar(0.0f);
    nb_set_requires_grad(s, true);
    nb_tensor *acc = s;
    nb_incref(acc);
    for (int i = 0; i < 200000 && acc; i++) {
        nb_tensor *n = nb_add_scalar(acc, 1.0);
        nb_decref(acc);
        acc = n;
    }
    CHECK(acc && nb_item(acc) == 200000.0f, "a long chain computes");
    nb_decref(acc);
    nb_decref(s);
    CHECK(nb_bytes_alive == before, "a long chain is freed");
}

/* ---- views ----------------------------------------------------------------------------- */
static void test_views(void) {
    int64_t before = nb_bytes_alive;
    const float v[6] = {1, 2, 3, 4, 5, 6};
    nb_tensor *a = mat(2, 3, v);
    nb_tensor *t = nb_transpose(a, 0, 1);
    CHECK(t && t->storage == a->storage, "transpose is a view");
    CHECK(t->shape[0] == 3 && t->shape[1] == 2 && t->stride[0] == 1 && t->stride[1] == 3,
          "transposed strides (%lld, %lld)", (long long)t->stride[0], (long long)t->stride[1]);
    CHECK(!nb_is_contiguous(t) && nb_is_contiguous(a), "contiguity");
    int64_t ix[2] = {2, 1};
    CHECK(nb_get(t, ix) == 6.0f, "t[3][2] == a[2][3]");
    nb_tensor *row = nb_select(a, 0, 1);
    CHECK(row && row->ndim == 1 && row->offset == 3 && nb_item(row) == 4.0f, "select a row");
    nb_fill_(row, 9.0f);
    int64_t ia[2] = {1, 2};
    CHECK(nb_get(a, ia) == 9.0f, "a write through a view is seen in the base");
    nb_tensor *sl = nb_slice(a, 1, 0, 3, 2); /* columns 1 and 3 */
    CHECK(sl && sl->shape[1] == 2 && sl->stride[1] == 2, "strided slice");
    nb_tensor *c = nb_contiguous_copy(t);
    CHECK(c && c->storage != a->storage && nb_is_contiguous(c), "a contiguous copy owns its data");
    const float want[6] = {1, 9, 2, 9, 3, 9};
    CHECK(c && !memcmp(nb_data(c), want, sizeof want), "copy of the transposed values");
    int64_t bad[1] = {7};
    nb_tensor *e = nb_view(a, 1, bad);
    CHECK(e == NULL && strstr(nb_last_error(), "view"), "a view of the wrong size is an error: %s",
          nb_last_error());
    nb_decref(t), nb_decref(row), nb_decref(sl), nb_decref(c), nb_decref(a);
    CHECK(nb_bytes_alive == before, "views freed");
}

/* ---- broadcasting --------------------------------------------------------------------- */
static void test_broadcasting(void) {
    int64_t before = nb_bytes_alive;
    int64_t sa[3] = {2, 1, 4}, sb[2] = {3, 1}, out[NB_MAXDIM];
    int nd = nb_broadcast_shape("add", 3, sa, 2, sb, out);
    CHECK(nd == 3 && out[0] == 2 && out[1] == 3 && out[2] == 4, "(2,1,4) with (3,1) is (2,3,4)");
    int64_t sc[1] = {5};
    CHECK(nb_broadcast_shape("add", 3, sa, 1, sc, out) == -1, "(2,1,4) with (5) fails");
    CHECK(strstr(nb_last_error(), "add") && strstr(nb_last_error(), "[2,1,4]") &&
              strstr(nb_last_error(), "[5]"),
          "the error names the op and both shapes: %s", nb_last_error());

    const float rv[3] = {10, 20, 30}, cv[2] = {1, 2};
    nb_tensor *r = vec(3, rv), *col = mat(2, 1, cv);
    int64_t st[2];
    nb_broadcast_strides(col, 2, (int64_t[]){2, 3}, st);
    CHECK(st[0] == 1 && st[1] == 0, "a size-1 dim gets stride 0");
    nb_tensor *s = nb_add(col, r);
    const float want[6] = {11, 21, 31, 12, 22, 32};
    CHECK(s && s->ndim == 2 && s->shape[0] == 2 && s->shape[1] == 3 &&
              !memcmp(nb_data(s), want, sizeof want),
          "column + row is the outer sum");
    /* in place: t += alpha * o, o broadcast into t, never the other way */
    CHECK(nb_add_(s, r, -1.0) == 0 && nb_data(s)[5] == 2.0f, "add_ broadcasts its argument");
    CHECK(nb_add_(r, s, 1.0) == -1 && strstr(nb_last_error(), "add_"),
          "add_ refuses to grow the updated tensor: %s", nb_last_error());
    nb_decref(r), nb_decref(col), nb_decref(s);
    CHECK(nb_bytes_alive == before, "broadcasting freed");
}

/* ---- a small graph's backward --------------------------------------------------------
 * L = Σ (a·b + a)² with a (2,3) and b (3) broadcast over rows.
 * dL/da = 2(a·b + a)(b + 1),  dL/db = Σ_rows 2(a·b + a)·a */
static void test_backward(void) {
    int64_t before = nb_bytes_alive;
    const float av[6] = {0.5f, -1, 2, 1.5f, 0.25f, -0.75f}, bv[3] = {2, -0.5f, 1};
    nb_tensor *a = mat(2, 3, av), *b = vec(3, bv);
    nb_set_requires_grad(a, true);
    nb_set_requires_grad(b, true);
    nb_tensor *ab = nb_mul(a, b);
    nb_tensor *u = nb_add(ab, a);
    nb_tensor *sq = nb_pow_scalar(u, 2.0);
    nb_tensor *L = nb_sum(sq);
    CHECK(L && nb_grad_fn(L), "the graph is recorded");
    double lsum = 0, ga[6], gb[3] = {0, 0, 0};
    for (int i = 0; i < 6; i++) {
        double x = av[i], y = bv[i % 3], uu = x * y + x;
        lsum += uu * uu;
        ga[i] = 2 * uu * (y + 1);
        gb[i % 3] += 2 * uu * x;
    }
    CHECK_NEAR(nb_item(L), lsum, 1e-5 * fabs(lsum), "forward %g vs %g", nb_item(L), lsum);
    nb_backward_opts o = {.retain_graph = true};
    CHECK(nb_backward(L, &o) == 0, "backward: %s", nb_last_error());
    CHECK(nb_grad(a) && nb_grad(b) && nb_grad(b)->ndim == 1, "leaves get .grad of their shape");
    for (int i = 0; i < 6 && nb_grad(a); i++)
        CHECK_NEAR(nb_data(nb_grad(a))[i], ga[i], 1e-5, "dL/da[%d] = %g", i, nb_data(nb_grad(a))[i]);
    for (int j = 0; j < 3 && nb_grad(b); j++)
        CHECK_NEAR(nb_data(nb_grad(b))[j], gb[j], 1e-5, "dL/db[%d] (summed over rows)", j);
    CHECK(nb_grad(ab) == NULL, "an intermediate keeps no .grad");
    /* a second backward (graph retained) accumulates */
    CHECK(nb_backward(L, NULL) == 0 && nb_grad(a), "second backward");
    CHECK(nb_grad(a) && fabs(nb_data(nb_grad(a))[0] - 2 * ga[0]) < 1e-4, "gradients accumulate");
    /* a third one finds the graph freed, and says how to keep it */
    CHECK(nb_backward(L, NULL) == -1 && strstr(nb_last_error(), "retain_graph"),
          "backward through a freed graph: %s", nb_last_error());

    /* no_grad: nothing is recorded */
    nb_grad_enabled = false;
    nb_tensor *z = nb_mul(a, b);
    nb_grad_enabled = true;
    CHECK(z && !nb_grad_fn(z) && !nb_requires_grad(z), "no node under no_grad");

    /* softmax over a row with NaN: NaN out, the other row untouched (nb_vexpf) */
    const float sv[6] = {1, NAN, 2, 0, 0, 0};
    nb_tensor *sx = mat(2, 3, sv), *sm = nb_softmax(sx, 1);
    CHECK(sm && isnan(nb_data(sm)[0]) && isnan(nb_data(sm)[2]), "a NaN row gives NaN");
    CHECK(sm && fabsf(nb_data(sm)[3] - 1.0f / 3) < 1e-6f, "the other row is 1/3 each");

    nb_decref(ab), nb_decref(u), nb_decref(sq), nb_decref(L), nb_decref(z);
    nb_decref(sx), nb_decref(sm), nb_decref(a), nb_decref(b);
    CHECK(nb_bytes_alive == before, "graph and gradients freed (%lld vs %lld)",
          (long long)nb_bytes_alive, (long long)before);
}

/* ---- the cache of large blocks (tensor.c) ---------------------------------------------- */
#if defined(__SANITIZE_ADDRESS__)
#define NO_CACHE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_CACHE 1
#endif
#endif
static void test_block_cache(void) {
    int64_t before = nb_bytes_alive;
    int64_t big[1] = {1 << 20}, other[1] = {(1 << 20) + 300000}, small[1] = {1000};
    nb_trim_heap();
    CHECK(nb_cache_bytes() == 0, "trimmed: the cache is empty");
    nb_tensor *a = nb_zeros(1, big);
    float *pa = nb_data(a);
    pa[(1 << 20) - 1] = 7;
    nb_decref(a);
    nb_decref(nb_zeros(1, small));   /* small tensors come from malloc, not the cache */
#ifdef NO_CACHE
    CHECK(nb_cache_bytes() == 0, "under AddressSanitizer every block comes from malloc");
#else
    CHECK(nb_cache_bytes() >= (size_t)4 << 20, "a freed 4 MiB tensor is cached (%zu bytes)", nb_cache_bytes());
    nb_tensor *b = nb_zeros(1, big);
    CHECK(b && nb_data(b) == pa && nb_cache_bytes() == 0, "the same size takes the same block back");
    CHECK(nb_data(b)[(1 << 20) - 1] == 0, "and nb_zeros zeroes it");
    nb_decref(b);
    /* a size up to a quarter smaller fits in a cached block; a larger one does not */
    int64_t smaller[1] = {(1 << 20) - 100000};
    nb_tensor *c = nb_empty(1, smaller);
    CHECK(c && nb_data(c) == pa, "a slightly smaller tensor reuses the block");
    nb_decref(c);
    nb_tensor *d = nb_empty(1, other);
    CHECK(d && nb_data(d) != pa && nb_cache_bytes() >= (size_t)4 << 20, "a larger one is mapped anew");
    nb_decref(d);
    size_t both = nb_cache_bytes();
    /* 128 allocations of the larger size (twice the sizes remembered): the 4 MiB block,
     * which none of them would take, is stale and goes back to the kernel; the other stays */
    for (int i = 0; i < 128; i++) nb_decref(nb_empty(1, other));
    CHECK(nb_cache_bytes() < both && nb_cache_bytes() >= (size_t)other[0] * 4,
          "the stale block was unmapped (%zu -> %zu bytes)", both, nb_cache_bytes());
    /* a model's switch between train() and eval() lets the cache go */
    nb_decref(nb_empty(1, other));
    CHECK(nb_cache_bytes() > 0, "a block is cached");
    nb_release_cache();
    CHECK(nb_cache_bytes() == 0, "nb_release_cache unmaps every cached block");
    /* the limit bounds the cache */
    size_t prev = nb_set_cache_limit((size_t)1 << 20);
    CHECK(nb_cache_bytes() == 0, "a 1 MiB limit empties it");
    nb_decref(nb_zeros(1, big));
    CHECK(nb_cache_bytes() == 0, "a block larger than the limit is not kept");
    CHECK(nb_set_cache_limit(prev) == (size_t)1 << 20, "the limit is restored");
#endif
    nb_trim_heap();
    CHECK(nb_cache_bytes() == 0, "trimmed again");
    CHECK(nb_bytes_alive == before, "nothing alive");
}

int main(void) {
    test_lifetime();
    test_block_cache();
    test_views();
    test_broadcasting();
    test_backward();
    return check_done();
}

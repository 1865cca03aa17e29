/* Tensors: a header (shape, strides, offset) over refcounted storage, so views are free. */
#include "tensor.h"

#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "iter.h"

int64_t nb_bytes_alive = 0;
int64_t nb_bytes_since_gc = 0;
void (*nb_autograd_release)(nb_tensor *t) = NULL;

/* ---- storage ------------------------------------------------------------------------ */

/* One allocation: a 64-byte header slot, then the floats (64-byte aligned for AVX-512). */
/* A tensor larger than the memory nabla may use is refused up front: with overcommit,
 * malloc would succeed and the first write would bring the kernel's OOM killer instead of
 * an error the learner can read. The limit is the least of the machine's memory, the
 * control group's memory.max (a container's share) and NABLA_MAX_MEMORY (bytes, or with a
 * K/M/G suffix); nb_set_memory_limit changes it at run time (nabla.memory_limit(bytes)).
 * It bounds one tensor, not the sum: tensors freed but not yet collected would otherwise
 * make a fresh allocation fail. */
int64_t nb_parse_bytes(const char *s) {
    if (!s || !*s) return -1;
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || !(v >= 0)) return -1;
    double mult = 1;
    switch (*end) {
    case 'k': case 'K': mult = 1024.0; end++; break;
    case 'm': case 'M': mult = 1024.0 * 1024; end++; break;
    case 'g': case 'G': mult = 1024.0 * 1024 * 1024; end++; break;
    case 't': case 'T': mult = 1024.0 * 1024 * 1024 * 1024; end++; break;
    default: break;
    }
    if (*end == 'i' || *end == 'I') end++;
    if (*end == 'b' || *end == 'B') end++;
    if (*end) return -1;
    v *= mult;
    return v >= 9.0e18 ? INT64_MAX : (int64_t)v;
}

static int64_t limit_bytes = 0;     /* 0: not yet computed */

static int64_t system_limit(void) {
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    int64_t lim = (pages > 0 && size > 0) ? (int64_t)pages * size : ((int64_t)1 << 40);
    FILE *f = fopen("/sys/fs/cgroup/memory.max", "r");   /* cgroup v2; "max" when unset */
    if (f) {
        char buf[64] = {0};
        if (fgets(buf, sizeof buf, f)) {
            buf[strcspn(buf, "\n")] = 0;
            int64_t c = nb_parse_bytes(buf);
            if (c > 0 && c < lim) lim = c;
        }
        fclose(f);
    }
    int64_t e = nb_parse_bytes(getenv("NABLA_MAX_MEMORY"));
    if (e > 0 && e < lim) lim = e;
    return lim;
}

static int64_t max_bytes(void) {
    if (!limit_bytes) limit_bytes = system_limit();
    return limit_bytes;
}

int64_t nb_memory_limit(void) { return max_bytes(); }

/* bytes <= 0 restores the system's limit; returns the previous one */
int64_t nb_set_memory_limit(int64_t bytes) {
    int64_t prev = max_bytes();
    limit_bytes = bytes > 0 ? bytes : system_limit();
    return prev;
}

/* Freed tensor memory is kept for reuse instead of going back to the kernel: a training
 * loop frees and allocates the same sizes every step, and touching fresh pages costs more
 * than most kernels (relu over 5.5 MB: 6.8 ms on fresh pages, 0.2 ms on reused ones).
 *
 * Small buffers come from malloc's heap. Large ones (BIG_BYTES and up: activations,
 * gradients, batches) are mapped on their own and, when freed, kept in a cache that the
 * next allocation of a size that fits takes back (the same size first, else one at most a
 * quarter larger). What leaves the cache, back to the kernel:
 *  - on a miss, every block freed more than MISS_AGE large allocations ago: a training
 *    step takes back within a few dozen allocations what the step before freed (some
 *    misses remain, when Lua's collector frees the step before late), while sizes that
 *    came once (a varying number of strong views, lines of varying width) go;
 *  - now and then, every block that none of the last RECENT allocations would take;
 *  - everything, when a model switches between train() and eval() (the sizes change);
 *  - the oldest blocks beyond cache_limit (64 MiB: the MNIST CNN's step needs 32-64 MiB
 *    to run without faulting pages in), and any block over CACHE_MAX_BLOCK (32 MiB: a
 *    one-off pass over 1,000 images is not worth keeping).
 * Before, large buffers came from the heap, which kept up to 256 MiB of free space: there,
 * fragmented by Lua's small allocations between the tensors and by every batch size a run
 * had used, it stayed the process's (mnist-semi: 153 MiB at its peak, 10-17 MiB of
 * tensors alive). Under AddressSanitizer every block comes from malloc, so that overflows
 * are caught. */
#if defined(__SANITIZE_ADDRESS__)
#define NB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NB_ASAN 1
#endif
#endif

#define BIG_BYTES ((size_t)256 << 10)
#define PAGE_BYTES ((size_t)4096)
#define RECENT 64
#define MISS_AGE 32
#define CACHE_MAX_BLOCK ((size_t)32 << 20)

typedef struct cached_block {
    struct cached_block *next;   /* freed more recently first */
    size_t bytes;
    uint64_t freed_at;           /* the value of `ticks` when it was freed */
} cached_block;

static cached_block *cache_head = NULL;
static size_t cache_bytes = 0;
static size_t cache_limit = (size_t)64 << 20;
static size_t recent[RECENT];     /* the sizes of the last RECENT large allocations */
static unsigned recent_next = 0;
static uint64_t ticks = 0;        /* large allocations so far */
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;

static void tune_malloc(void) {
    static bool done = false;
    if (done) return;
    done = true;
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

static bool fits(size_t block, size_t want) { return block >= want && block - want <= want / 4; }

/* a cached block would serve one of the recent requests */
static bool wanted(size_t block) {
    for (int i = 0; i < RECENT; i++)
        if (recent[i] && fits(block, recent[i])) return true;
    return false;
}

/* unmaps cached blocks: beyond `keep` bytes, those freed longest ago; (stale) every one no
 * recent request would take; and every one freed more than `age` large allocations ago.
 * Called with cache_mu held. */
static void evict(size_t keep, bool stale, uint64_t age) {
    cached_block **pp = &cache_head;
    size_t kept = 0;
    /* the list is newest first: keep the newest up to `keep` bytes */
    while (*pp) {
        cached_block *c = *pp;
        bool go = kept + c->bytes > keep || (stale && !wanted(c->bytes)) || ticks - c->freed_at > age;
        if (!go) {
            kept += c->bytes;
            pp = &c->next;
        } else {
            *pp = c->next;
            cache_bytes -= c->bytes;
            munmap(c, c->bytes);
        }
    }
}

/* a cached block for `bytes` (a multiple of the page size), or NULL. On a miss the blocks
 * freed more than MISS_AGE large allocations ago go back to the kernel before the caller
 * maps a new one: a training step takes back what the step before freed within a few
 * dozen allocations, while blocks of sizes that came once (a varying number of strong
 * views, lines of varying width) would otherwise pile up beside the new ones. */
static void *cache_take(size_t bytes) {
    pthread_mutex_lock(&cache_mu);
    ticks++;
    recent[recent_next++ % RECENT] = bytes;
    cached_block **best = NULL;
    for (cached_block **pp = &cache_head; *pp; pp = &(*pp)->next) {
        size_t b = (*pp)->bytes;
        if (b == bytes) { best = pp; break; }
        if (fits(b, bytes) && (!best || b < (*best)->bytes)) best = pp;
    }
    cached_block *c = NULL;
    if (best) {
        c = *best;
        *best = c->next;
        cache_bytes -= c->bytes;
        if (recent_next % RECENT == 0) evict(cache_limit, true, UINT64_MAX);   /* now and then */
    } else {
        evict(cache_limit, true, MISS_AGE);
    }
    pthread_mutex_unlock(&cache_mu);
    return c;
}

static void cache_put(void *block, size_t bytes) {
    if (bytes > CACHE_MAX_BLOCK || bytes > cache_limit) {   /* rare and large: back at once */
        munmap(block, bytes);
        return;
    }
    cached_block *c = block;
    c->bytes = bytes;
    pthread_mutex_lock(&cache_mu);
    c->freed_at = ticks;
    c->next = cache_head;
    cache_head = c;
    cache_bytes += bytes;
    if (cache_bytes > cache_limit) evict(cache_limit, false, UINT64_MAX);
    pthread_mutex_unlock(&cache_mu);
}

static void cache_shrink(size_t keep) {
    pthread_mutex_lock(&cache_mu);
    evict(keep, false, UINT64_MAX);
    pthread_mutex_unlock(&cache_mu);
}

size_t nb_cache_bytes(void) { return cache_bytes; }

void nb_release_cache(void) { cache_shrink(0); }

/* bytes == (size_t)-1 only reads it */
size_t nb_set_cache_limit(size_t bytes) {
    size_t prev = cache_limit;
    if (bytes != (size_t)-1) {
        cache_limit = bytes;
        cache_shrink(bytes);
    }
    return prev;
}

/* Gives the heap's free pages back to the system (glibc's malloc_trim): the heap is not
 * trimmed below 256 MiB of free space on its own (above), so a program that moves from one
 * stage to another (mnist-semi: a FixMatch model, then students) can call this between
 * them, after freeing the first stage's tensors, so that the next stage does not start on
 * top of the first one's free but resident pages. Returns 1 if memory was released. */
int nb_trim_heap(void) {
    int had = cache_bytes > 0;
    cache_shrink(0);
    return malloc_trim(0) || had;
}

/* Huge pages for large buffers. Every page of a tensor costs a TLB entry, and in a virtual
 * machine a TLB miss walks two page tables: the MNIST CNN streams 6.4 MB activations
 * through each layer and gathers each batch from 47 MB of bytes at random. Measured on
 * the 2-core VM of issue 17: its training step 7% faster with huge pages, at the same peak
 * RSS. */
void nb_advise_huge(void *p, size_t bytes) {
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    const uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    const uintptr_t hi = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)p, (void)bytes;
#endif
}

static nb_storage *storage_new(int64_t numel) {
    tune_malloc();
    if (numel < 0 || numel > max_bytes() / (int64_t)sizeof(float))
        return nb_error("tensor: out of memory: %lld elements (%.1f GiB) is more than the "
                        "%.1f GiB one tensor may use (nabla.memory_limit)", (long long)numel,
                        (double)numel * 4.0 / (1 << 30), (double)max_bytes() / (1 << 30));
    size_t bytes = 64 + ((size_t)numel * sizeof(float) + 63) / 64 * 64;
    void *block = NULL;
    size_t mapped = 0;
#ifndef NB_ASAN
    if (bytes >= BIG_BYTES) {
        mapped = (bytes + PAGE_BYTES - 1) / PAGE_BYTES * PAGE_BYTES;
        block = cache_take(mapped);
        if (block) {
            mapped = ((cached_block *)block)->bytes;
        } else {
            block = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (block == MAP_FAILED && cache_bytes > 0) {   /* the cache's memory first */
                cache_shrink(0);
                block = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            }
            if (block == MAP_FAILED)
                return nb_error("tensor: out of memory allocating %.1f MiB",
                                (double)numel * 4.0 / (1024.0 * 1024.0));
            if (mapped > ((size_t)2 << 20)) nb_advise_huge(block, mapped);
        }
    }
#endif
    if (!block) {
        if (posix_memalign(&block, 64, bytes) != 0 || !block)
            return nb_error("tensor: out of memory allocating %.1f MiB",
                            (double)numel * 4.0 / (1024.0 * 1024.0));
        if (bytes > ((size_t)2 << 20)) nb_advise_huge(block, bytes);
    }
    nb_storage *s = block;
    s->refcount = 1;
    s->mapped = mapped;
    s->numel = numel;
    s->data = (float *)((char *)block + 64);
    nb_bytes_alive += (int64_t)bytes;
    nb_bytes_since_gc += (int64_t)bytes;
    return s;
}

static void storage_decref(nb_storage *s) {
    if (s && --s->refcount == 0) {
        nb_bytes_alive -= 64 + ((int64_t)s->numel * 4 + 63) / 64 * 64;
        if (s->mapped) cache_put(s, s->mapped);
        else free(s);
    }
}

/* ---- headers ------------------------------------------------------------------------ */

int64_t nb_numel(const nb_tensor *t) {
    int64_t n = 1;
    for (int i = 0; i < t->ndim; i++) n *= t->shape[i];
    return n;
}

bool nb_is_contiguous(const nb_tensor *t) {
    int64_t expect = 1;
    for (int i = t->ndim - 1; i >= 0; i--) {
        if (t->shape[i] != 1 && t->stride[i] != expect) return false;
        expect *= t->shape[i];
    }
    return true;
}

bool nb_same_shape(const nb_tensor *a, const nb_tensor *b) {
    if (a->ndim != b->ndim) return false;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i]) return false;
    return true;
}

int nb_dim(const char *op, int d, int ndim, bool allow_end) {
    int n = ndim + (allow_end ? 1 : 0);
    int r = d < 0 ? d + n : d;
    if (r < 0 || r >= n || (n == 0)) {
        nb_error("%s: dimension %d out of range for a %d-d tensor", op, d, ndim);
        return -1;
    }
    return r;
}

/* The error for a shape nb_shape_numel() refused: a negative size, or too many elements. */
static void *shape_error(const char *op, int ndim, const int64_t *shape) {
    char b[160];
    nb_shape_str(b, sizeof b, ndim, shape);
    for (int i = 0; i < ndim; i++)
        if (shape[i] < 0)
            return nb_error("%s: negative size %lld in shape %s", op, (long long)shape[i], b);
    return nb_error("%s: shape %s is too large (more than 2^40 elements, the limit of a tensor)",
                    op, b);
}

static nb_tensor *header_new(void) {
    nb_tensor *t = calloc(1, sizeof(nb_tensor));
    if (!t) return nb_error("tensor: out of memory");
    t->refcount = 1;
    return t;
}

void nb_incref(nb_tensor *t) {
    if (t) t->refcount++;
}

void nb_decref(nb_tensor *t) {
    if (!t || --t->refcount > 0) return;
    if (t->autograd) nb_autograd_release(t);
    storage_decref(t->storage);
    free(t);
}

static void set_contiguous_strides(nb_tensor *t) {
    int64_t s = 1;
    for (int i = t->ndim - 1; i >= 0; i--) {
        t->stride[i] = s;
        s *= t->shape[i];
    }
}

nb_tensor *nb_empty(int ndim, const int64_t *shape) {
    if (ndim < 0 || ndim > NB_MAXDIM)
        return nb_error("tensor: %d dimensions (at most %d)", ndim, NB_MAXDIM);
    int64_t n = nb_shape_numel(ndim, shape);
    if (n < 0) return shape_error("tensor", ndim, shape);
    nb_tensor *t = header_new();
    if (!t) return NULL;
    t->storage = storage_new(n);
    if (!t->storage) {
        free(t);
        return NULL;
    }
    t->ndim = ndim;
    if (ndim) memcpy(t->shape, shape, sizeof(int64_t) * ndim);
    set_contiguous_strides(t);
    return t;
}

nb_tensor *nb_zeros(int ndim, const int64_t *shape) {
    nb_tensor *t = nb_empty(ndim, shape);
    if (t) memset(t->storage->data, 0, sizeof(float) * t->storage->numel);
    return t;
}

nb_tensor *nb_full(int ndim, const int64_t *shape, float v) {
    nb_tensor *t = nb_empty(ndim, shape);
    if (t) nb_fill_(t, v);
    return t;
}

nb_tensor *nb_scalar(float v) {
    nb_tensor *t = nb_empty(0, NULL);
    if (t) t->storage->data[0] = v;
    return t;
}

nb_tensor *nb_from_data(int ndim, const int64_t *shape, const float *data) {
    nb_tensor *t = nb_empty(ndim, shape);
    if (t) memcpy(t->storage->data, data, sizeof(float) * t->storage->numel);
    return t;
}

nb_tensor *nb_empty_like(const nb_tensor *t) { return nb_empty(t->ndim, t->shape); }
nb_tensor *nb_zeros_like(const nb_tensor *t) { return nb_zeros(t->ndim, t->shape); }

nb_tensor *nb_eye(int64_t n, int64_t m) {
    int64_t shape[2] = {n, m};
    nb_tensor *t = nb_zeros(2, shape);
    if (!t) return NULL;
    for (int64_t i = 0; i < n && i < m; i++) t->storage->data[i * m + i] = 1.0f;
    return t;
}

nb_tensor *nb_arange(double start, double end, double step) {
    if (step == 0 || !isfinite(start) || !isfinite(end) || !isfinite(step))
        return nb_error("arange: bad range (%g, %g, step %g)", start, end, step);
    double nd = ceil((end - start) / step);
    if (nd < 0) nd = 0;
    if (nd > 1e10) return nb_error("arange: %g elements is too many", nd);
    int64_t n = (int64_t)nd;
    nb_tensor *t = nb_empty(1, &n);
    if (!t) return NULL;
    for (int64_t i = 0; i < n; i++) t->storage->data[i] = (float)(start + i * step);
    return t;
}

nb_tensor *nb_linspace(double start, double end, int64_t steps) {
    if (steps < 0) return nb_error("linspace: steps must be >= 0, got %lld", (long long)steps);
    nb_tensor *t = nb_empty(1, &steps);
    if (!t) return NULL;
    for (int64_t i = 0; i < steps; i++)
        t->storage->data[i] =
            steps == 1 ? (float)start : (float)(start + (end - start) * i / (steps - 1));
    return t;
}

/* ---- copies -------------------------------------------------------------------------- */

static void k_copy(int64_t n, float *o, int64_t so, const float *a, int64_t sa,
                   const float *b, int64_t sb, const void *ctx) {
    if (so == 1 && sa == 1) memcpy(o, a, sizeof(float) * n);
    else if (sa == 0) {
        float v = a[0];
        for (int64_t i = 0; i < n; i++) o[i * so] = v;
    } else
        for (int64_t i = 0; i < n; i++) o[i * so] = a[i * sa];
}

int nb_copy_(nb_tensor *dst, const nb_tensor *src) {
    int64_t shape[NB_MAXDIM];
    int nd = nb_broadcast_shape("copy", dst->ndim, dst->shape, src->ndim, src->shape, shape);
    if (nd < 0) return -1;
    if (nd != dst->ndim || memcmp(shape, dst->shape, sizeof(int64_t) * nd) != 0) {
        char b1[128], b2[128];
        nb_error("copy: cannot broadcast %s into %s",
                 nb_shape_str(b1, sizeof b1, src->ndim, src->shape),
                 nb_shape_str(b2, sizeof b2, dst->ndim, dst->shape));
        return -1;
    }
    int64_t ss[NB_MAXDIM];
    nb_broadcast_strides(src, dst->ndim, dst->shape, ss);
    nb_run3(dst->ndim, dst->shape, nb_data(dst), dst->stride, nb_data(src), ss, NULL, NULL,
            k_copy, NULL);
    return 0;
}

nb_tensor *nb_contiguous_copy(const nb_tensor *t) {
    nb_tensor *c = nb_empty(t->ndim, t->shape);
    if (!c) return NULL;
    nb_run3(t->ndim, t->shape, nb_data(c), c->stride, nb_data(t), t->stride, NULL, NULL, k_copy,
            NULL);
    return c;
}

static void k_fill(int64_t n, float *o, int64_t so, const float *a, int64_t sa,
                   const float *b, int64_t sb, const void *ctx) {
    float v = *(const float *)ctx;
    if (so == 1)
        for (int64_t i = 0; i < n; i++) o[i] = v;
    else
        for (int64_t i = 0; i < n; i++) o[i * so] = v;
}

void nb_fill_(nb_tensor *t, float v) {
    nb_run3(t->ndim, t->shape, nb_data(t), t->stride, NULL, NULL, NULL, NULL, k_fill, &v);
}

/* ---- in place, never recorded ----------------------------------------------------- */

static void k_axpy(int64_t n, float *o, int64_t so, const float *a, int64_t sa, const float *b,
                   int64_t sb, const void *ctx) {
    const float c = *(const float *)ctx;
    if (so == 1 && sa == 1)
        for (int64_t i = 0; i < n; i++) o[i] += c * a[i];
    else
        for (int64_t i = 0; i < n; i++) o[i * so] += c * a[i * sa];
}

int nb_add_(nb_tensor *t, nb_tensor *o, double alpha) {
    int64_t shape[NB_MAXDIM], so[NB_MAXDIM];
    int nd = nb_broadcast_shape("add_", t->ndim, t->shape, o->ndim, o->shape, shape);
    if (nd < 0) return -1;
    if (nd != t->ndim || memcmp(shape, t->shape, sizeof(int64_t) * nd)) {
        char b1[128], b2[128];
        nb_error("add_: cannot broadcast %s into the shape %s of the tensor updated in place",
                 nb_shape_str(b1, sizeof b1, o->ndim, o->shape),
                 nb_shape_str(b2, sizeof b2, t->ndim, t->shape));
        return -1;
    }
    nb_broadcast_strides(o, nd, shape, so);
    float c = (float)alpha;
    nb_run3(nd, shape, nb_data(t), t->stride, nb_data(o), so, NULL, NULL, k_axpy, &c);
    return 0;
}

static void k_scale_ip(int64_t n, float *o, int64_t so, const float *a, int64_t sa,
                       const float *b, int64_t sb, const void *ctx) {
    const float c = *(const float *)ctx;
    for (int64_t i = 0; i < n; i++) o[i * so] *= c;
}
static void k_shift_ip(int64_t n, float *o, int64_t so, const float *a, int64_t sa,
                       const float *b, int64_t sb, const void *ctx) {
    const float c = *(const float *)ctx;
    for (int64_t i = 0; i < n; i++) o[i * so] += c;
}

int nb_mul_scalar_(nb_tensor *t, double s) {
    float c = (float)s;
    nb_run3(t->ndim, t->shape, nb_data(t), t->stride, NULL, NULL, NULL, NULL, k_scale_ip, &c);
    return 0;
}

int nb_add_scalar_(nb_tensor *t, double s) {
    float c = (float)s;
    nb_run3(t->ndim, t->shape, nb_data(t), t->stride, NULL, NULL, NULL, NULL, k_shift_ip, &c);
    return 0;
}

float nb_get(const nb_tensor *t, const int64_t *idx) {
    int64_t off = t->offset;
    for (int i = 0; i < t->ndim; i++) off += idx[i] * t->stride[i];
    return t->storage->data[off];
}

float nb_item(const nb_tensor *t) { return t->storage->data[t->offset]; }

nb_tensor *nb_alias(const nb_tensor *t) {
    return nb_view_raw(t, t->ndim, t->shape, t->stride, t->offset);
}

nb_tensor *nb_view_raw(const nb_tensor *t, int ndim, const int64_t *shape,
                       const int64_t *stride, int64_t offset) {
    if (ndim < 0 || ndim > NB_MAXDIM)
        return nb_error("view: %d dimensions (at most %d)", ndim, NB_MAXDIM);
    if (nb_shape_numel(ndim, shape) < 0) return shape_error("view", ndim, shape);
    nb_tensor *v = header_new();
    if (!v) return NULL;
    v->ndim = ndim;
    if (ndim) {
        memcpy(v->shape, shape, sizeof(int64_t) * ndim);
        memcpy(v->stride, stride, sizeof(int64_t) * ndim);
    }
    v->offset = offset;
    v->storage = t->storage;
    t->storage->refcount++;
    return v;
}

int nb_broadcast_shape(const char *op, int na, const int64_t *sa, int nb, const int64_t *sb,
                       int64_t *out) {
    int n = na > nb ? na : nb;
    for (int i = 0; i < n; i++) {
        int ia = i - (n - na), ib = i - (n - nb);
        int64_t da = ia >= 0 ? sa[ia] : 1, db = ib >= 0 ? sb[ib] : 1;
        if (da != db && da != 1 && db != 1) {
            char b1[128], b2[128];
            nb_error("%s: shapes %s and %s cannot be broadcast (dimension %d: %lld ≠ %lld)", op,
                     nb_shape_str(b1, sizeof b1, na, sa), nb_shape_str(b2, sizeof b2, nb, sb),
                     i + 1, (long long)da, (long long)db);
            return -1;
        }
        out[i] = da == 1 ? db : da;
    }
    return n;
}

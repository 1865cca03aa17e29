/* PyTorch-style printing: tensor([[1.0000, 2.0000],
 *                                 [3.0000, 4.0000]], requires_grad=true)
 * Fixed notation with 4 decimals, scientific when the magnitudes call for it, and "..."
 * elision (3 items each side of every dim) above 1000 elements. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor.h"

typedef struct {
    char *s;
    size_t n, cap;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k < 0) return;
        if (b->n + (size_t)k < b->cap) {
            b->n += k;
            return;
        }
        size_t cap = (b->cap + k + 64) * 2;
        char *s = realloc(b->s, cap);
        if (!s) return;
        b->s = s;
        b->cap = cap;
    }
}

typedef struct {
    bool sci;
    bool ints;   /* every shown value is a whole number */
    int width;
    bool elide;
} fmt_t;

static int fmt_value(char *out, size_t n, float v, bool sci) {
    if (isnan(v)) return snprintf(out, n, "nan");
    if (isinf(v)) return snprintf(out, n, v > 0 ? "inf" : "-inf");
    return snprintf(out, n, sci ? "%.4e" : "%.4f", (double)v);
}

static bool shown(const nb_tensor *t, int d, int64_t i, bool elide) {
    return !elide || t->shape[d] <= 6 || i < 3 || i >= t->shape[d] - 3;
}

/* Visits the printed elements to choose the notation and the column width. */
static void scan(const nb_tensor *t, int d, int64_t off, fmt_t *f, double *amax, double *amin,
                 bool pass2) {
    if (d == t->ndim) {
        float v = t->storage->data[off];
        if (!pass2) {
            if (isfinite(v) && v != floorf(v)) f->ints = false;
            if (isfinite(v) && v != 0) {
                double a = fabs(v);
                if (a > *amax) *amax = a;
                if (a < *amin) *amin = a;
            }
        } else {
            char buf[64];
            int w = fmt_value(buf, sizeof buf, v, f->sci);
            if (w > f->width) f->width = w;
        }
        return;
    }
    for (int64_t i = 0; i < t->shape[d]; i++)
        if (shown(t, d, i, f->elide)) scan(t, d + 1, off + i * t->stride[d], f, amax, amin, pass2);
}

static void emit(sbuf *b, const nb_tensor *t, int d, int64_t off, const fmt_t *f, int indent) {
    if (d == t->ndim) {
        char buf[64];
        fmt_value(buf, sizeof buf, t->storage->data[off], f->sci);
        put(b, "%*s", f->width, buf);
        return;
    }
    put(b, "[");
    int64_t n = t->shape[d];
    int per_line = 1;
    if (d == t->ndim - 1) {
        per_line = (80 - indent - 1) / (f->width + 2);
        if (per_line < 1) per_line = 1;
    }
    int col = 0;
    for (int64_t i = 0; i < n; i++) {
        if (!shown(t, d, i, f->elide)) {
            if (i == 3) {
                if (d == t->ndim - 1) {
                    put(b, col ? " ...," : "...,");
                    col++;
                }
                else {
                    put(b, "...,\n");
                    for (int k = 0; k < t->ndim - d - 2; k++) put(b, "\n");
                    put(b, "%*s", indent + 1, "");
                }
            }
            continue;
        }
        if (d == t->ndim - 1 && col == per_line) {
            put(b, "\n%*s", indent + 1, "");
            col = 0;
        } else if (d == t->ndim - 1 && col > 0)
            put(b, " ");
        emit(b, t, d + 1, off + i * t->stride[d], f, indent + 1);
        col++;
        if (i < n - 1) {
            if (d == t->ndim - 1) put(b, ",");
            else {
                put(b, ",\n");
                for (int k = 0; k < t->ndim - d - 2; k++) put(b, "\n");
                put(b, "%*s", indent + 1, "");
            }
        }
    }
    put(b, "]");
}

char *nb_format(const nb_tensor *t, const char *extra) {
    sbuf b = {malloc(256), 0, 256};
    if (!b.s) return NULL;
    b.s[0] = 0;
    int64_t numel = nb_numel(t);
    fmt_t f = {false, true, 0, numel > 1000};
    put(&b, "tensor(");
    if (numel == 0) {
        put(&b, "[]");
        if (t->ndim != 1) {
            put(&b, ", size=(");
            for (int i = 0; i < t->ndim; i++) put(&b, i ? ", %lld" : "%lld", (long long)t->shape[i]);
            put(&b, ")");
        }
    } else {
        double amax = 0, amin = INFINITY;
        scan(t, 0, t->offset, &f, &amax, &amin, false);
        /* scientific notation when fixed would hide digits (as PyTorch decides it) */
        if (amax >= 1e8 || (!f.ints && amax > 0 && (amin < 1e-4 || amax / amin > 1e3)))
            f.sci = true;
        scan(t, 0, t->offset, &f, &amax, &amin, true);
        emit(&b, t, 0, t->offset, &f, 7);
    }
    if (extra && *extra) put(&b, ", %s", extra);
    put(&b, ")");
    return b.s;
}

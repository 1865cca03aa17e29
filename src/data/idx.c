/* The IDX reader and writer (see idx.h for the format). The header is parsed from a
 * fixed-size buffer, every size is checked against the file's length before any data is
 * read, and the body is read in bounded chunks into memory sized from the checked header. */
#include "idx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int nb_idx_type_size(int type) {
    switch (type) {
    case NB_IDX_UBYTE: case NB_IDX_SBYTE: return 1;
    case NB_IDX_SHORT: return 2;
    case NB_IDX_INT: case NB_IDX_FLOAT: return 4;
    case NB_IDX_DOUBLE: return 8;
    default: return 0;
    }
}

static const char *type_name(int type) {
    switch (type) {
    case NB_IDX_UBYTE: return "ubyte";
    case NB_IDX_SBYTE: return "sbyte";
    case NB_IDX_SHORT: return "short";
    case NB_IDX_INT: return "int";
    case NB_IDX_FLOAT: return "float";
    case NB_IDX_DOUBLE: return "double";
    default: return "?";
    }
}

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An open IDX file whose header has been checked against its length. */
typedef struct {
    FILE *f;
    int type, elsize, ndim;
    int64_t shape[NB_MAXDIM];
    int64_t numel;
} idx_file;

/* Opens path and checks its header; on error returns -1 (nb_error set, file closed). */
static int idx_open(const char *op, const char *path, idx_file *h) {
    memset(h, 0, sizeof *h);
    h->f = fopen(path, "rb");
    if (!h->f) {
        nb_error("%s: cannot open '%s' (%s)", op, path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(h->f), &st) != 0 || !S_ISREG(st.st_mode)) {
        nb_error("%s: '%s' is not a regular file", op, path);
        goto fail;
    }
    int64_t fsize = (int64_t)st.st_size;
    uint8_t head[4 + 4 * 255];
    if (fsize < 4) {
        nb_error("%s: '%s' is truncated: %lld bytes, an IDX header needs at least 4",
                 op, path, (long long)fsize);
        goto fail;
    }
    if (fread(head, 1, 4, h->f) != 4) {
        nb_error("%s: cannot read '%s'", op, path);
        goto fail;
    }
    h->type = head[2];
    h->ndim = head[3];
    h->elsize = nb_idx_type_size(h->type);
    if (head[0] == 0x1f && head[1] == 0x8b) {
        nb_error("%s: '%s' is not an IDX file but a gzip-compressed one: decompress "
                 "it first with gunzip", op, path);
        goto fail;
    }
    if (head[0] != 0 || head[1] != 0 || h->elsize == 0) {
        nb_error("%s: '%s' is not an IDX file (magic %02x %02x %02x %02x; expected 00 00, "
                 "then a type 08/09/0B/0C/0D/0E, then the number of dimensions)",
                 op, path, head[0], head[1], head[2], head[3]);
        goto fail;
    }
    if (h->ndim > NB_MAXDIM) {
        nb_error("%s: '%s': the header declares %d dimensions (nabla tensors have at most %d)",
                 op, path, h->ndim, NB_MAXDIM);
        goto fail;
    }
    int64_t hsize = 4 + 4 * (int64_t)h->ndim;
    if (fsize < hsize) {
        nb_error("%s: '%s' is truncated: %lld bytes, its header of %d dimensions needs %lld",
                 op, path, (long long)fsize, h->ndim, (long long)hsize);
        goto fail;
    }
    if (h->ndim && fread(head + 4, 4, (size_t)h->ndim, h->f) != (size_t)h->ndim) {
        nb_error("%s: cannot read the header of '%s'", op, path);
        goto fail;
    }
    /* numel * elsize must fit the file: check the product against the body size as it
     * grows, so it never overflows */
    int64_t body = fsize - hsize;
    int64_t numel = 1;
    bool too_big = false;
    for (int i = 0; i < h->ndim; i++) {
        h->shape[i] = be32(head + 4 + 4 * i);
        if (h->shape[i] == 0) numel = 0;
        else if (numel && !too_big) {
            if (numel > (INT64_MAX / h->elsize) / h->shape[i]) too_big = true;
            else numel *= h->shape[i];
        }
    }
    if (numel == 0) too_big = false;
    char sb[160];
    nb_shape_str(sb, sizeof sb, h->ndim, h->shape);
    if (too_big || numel * h->elsize > body) {
        if (too_big)
            nb_error("%s: '%s': the header's shape %s of %s is too large for any file "
                     "(this file has %lld data bytes)", op, path, sb, type_name(h->type),
                     (long long)body);
        else
            nb_error("%s: '%s' is truncated: its header says %s %s values (%lld bytes of "
                     "data), the file has %lld", op, path, sb, type_name(h->type),
                     (long long)(numel * h->elsize), (long long)body);
        goto fail;
    }
    if (numel * h->elsize < body) {
        nb_error("%s: '%s' is longer than its header says: %s %s values are %lld bytes of "
                 "data, the file has %lld", op, path, sb, type_name(h->type),
                 (long long)(numel * h->elsize), (long long)body);
        goto fail;
    }
    /* a tensor's limits hold even when a 0 makes the file empty: [0, 2^32-1, 2^32-1]
     * would give strides that overflow (checked.h) */
    if (nb_shape_numel(h->ndim, h->shape) < 0) {
        nb_error("%s: '%s': the header's shape %s is beyond any tensor (more than 2^40 "
                 "elements in its non-empty dimensions)", op, path, sb);
        goto fail;
    }
    h->numel = numel;
    return 0;
fail:
    fclose(h->f);
    h->f = NULL;
    return -1;
}

/* Converts n big-endian elements of type at src into floats at dst. */
static void to_float(int type, const uint8_t *src, int64_t n, float *dst) {
    switch (type) {
    case NB_IDX_UBYTE:
        for (int64_t i = 0; i < n; i++) dst[i] = (float)src[i];
        break;
    case NB_IDX_SBYTE:
        for (int64_t i = 0; i < n; i++) dst[i] = (float)(int8_t)src[i];
        break;
    case NB_IDX_SHORT:
        for (int64_t i = 0; i < n; i++)
            dst[i] = (float)(int16_t)(uint16_t)((unsigned)src[2 * i] << 8 | src[2 * i + 1]);
        break;
    case NB_IDX_INT:
        for (int64_t i = 0; i < n; i++) dst[i] = (float)(int32_t)be32(src + 4 * i);
        break;
    case NB_IDX_FLOAT:
        for (int64_t i = 0; i < n; i++) {
            uint32_t u = be32(src + 4 * i);
            float v;
            memcpy(&v, &u, 4);
            dst[i] = v;
        }
        break;
    case NB_IDX_DOUBLE:
        for (int64_t i = 0; i < n; i++) {
            uint64_t u = (uint64_t)be32(src + 8 * i) << 32 | be32(src + 8 * i + 4);
            double v;
            memcpy(&v, &u, 8);
            dst[i] = (float)v;
        }
        break;
    }
}

nb_tensor *nb_read_idx(const char *path) {
    idx_file h;
    if (idx_open("read_idx", path, &h) != 0) return NULL;
    nb_tensor *t = nb_empty(h.ndim, h.shape);
    if (!t) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", nb_last_error());
        fclose(h.f);
        return nb_error("read_idx: '%s': %s", path, msg);
    }
    /* the body, in chunks of at most 1 MiB */
    enum { CHUNK = 1 << 20 };
    uint8_t *buf = malloc(CHUNK);
    if (!buf) {
        fclose(h.f);
        nb_decref(t);
        return nb_error("read_idx: out of memory");
    }
    float *out = nb_data(t);
    int64_t per = CHUNK / h.elsize;
    for (int64_t done = 0; done < h.numel;) {
        int64_t n = h.numel - done < per ? h.numel - done : per;
        if (fread(buf, (size_t)h.elsize, (size_t)n, h.f) != (size_t)n) {
            free(buf);
            fclose(h.f);
            nb_decref(t);
            return nb_error("read_idx: '%s': read error (the file changed while reading?)", path);
        }
        to_float(h.type, buf, n, out + done);
        done += n;
    }
    free(buf);
    fclose(h.f);
    return t;
}

uint8_t *nb_read_idx_u8(const char *path, int *ndim, int64_t shape[NB_MAXDIM], size_t *nbytes) {
    idx_file h;
    if (idx_open("read_idx", path, &h) != 0) return NULL;
    if (h.type != NB_IDX_UBYTE) {
        fclose(h.f);
        return nb_error("read_idx: '%s' holds %s values, not ubyte (read it as floats)", path,
                        type_name(h.type));
    }
    uint8_t *data = malloc(h.numel ? (size_t)h.numel : 1);
    if (!data) {
        fclose(h.f);
        return nb_error("read_idx: '%s': out of memory for %lld bytes", path, (long long)h.numel);
    }
    nb_advise_huge(data, (size_t)h.numel); /* batches are gathered from it at random */
    if (h.numel && fread(data, 1, (size_t)h.numel, h.f) != (size_t)h.numel) {
        free(data);
        fclose(h.f);
        return nb_error("read_idx: '%s': read error (the file changed while reading?)", path);
    }
    fclose(h.f);
    *ndim = h.ndim;
    memcpy(shape, h.shape, sizeof(int64_t) * h.ndim);
    *nbytes = (size_t)h.numel;
    return data;
}

/* ---- writing ---------------------------------------------------------------------------- */

static void put_be(uint8_t *p, uint64_t v, int size) {
    for (int i = size - 1; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}

int nb_write_idx(const char *path, const nb_tensor *t, int type) {
    int elsize = nb_idx_type_size(type);
    if (!elsize) {
        nb_error("write_idx: unknown IDX type 0x%02x (08 ubyte, 09 sbyte, 0B short, 0C int, "
                 "0D float, 0E double)", type);
        return -1;
    }
    for (int i = 0; i < t->ndim; i++)
        if (t->shape[i] > (int64_t)UINT32_MAX) {
            nb_error("write_idx: size %lld does not fit IDX's 32-bit sizes", (long long)t->shape[i]);
            return -1;
        }
    double lo = 0, hi = 0;
    switch (type) {
    case NB_IDX_UBYTE: lo = 0, hi = 255; break;
    case NB_IDX_SBYTE: lo = -128, hi = 127; break;
    case NB_IDX_SHORT: lo = -32768, hi = 32767; break;
    case NB_IDX_INT: lo = -2147483648.0, hi = 2147483647.0; break;
    }
    nb_tensor *c = nb_contiguous_copy(t);
    if (!c) return -1;
    const float *x = nb_data(c);
    int64_t n = nb_numel(c);
    if (hi > lo)
        for (int64_t i = 0; i < n; i++)
            if (!(x[i] >= lo && x[i] < hi + 1)) {
                nb_error("write_idx: value %g at position %lld does not fit %s [%g, %g]",
                         (double)x[i], (long long)i + 1, type_name(type), lo, hi);
                nb_decref(c);
                return -1;
            }
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        nb_error("write_idx: cannot create '%s' (%s)", tmp, strerror(errno));
        nb_decref(c);
        return -1;
    }
    uint8_t head[4 + 4 * NB_MAXDIM] = {0, 0, (uint8_t)type, (uint8_t)t->ndim};
    for (int i = 0; i < t->ndim; i++) put_be(head + 4 + 4 * i, (uint64_t)t->shape[i], 4);
    bool ok = fwrite(head, 1, 4 + 4 * (size_t)t->ndim, f) == 4 + 4 * (size_t)t->ndim;
    uint8_t buf[8 * 4096];
    for (int64_t i = 0; ok && i < n;) {
        int64_t m = n - i < 4096 ? n - i : 4096;
        for (int64_t j = 0; j < m; j++) {
            float v = x[i + j];
            uint8_t *p = buf + j * elsize;
            if (type == NB_IDX_FLOAT) {
                uint32_t u;
                memcpy(&u, &v, 4);
                put_be(p, u, 4);
            } else if (type == NB_IDX_DOUBLE) {
                double d = v;
                uint64_t u;
                memcpy(&u, &d, 8);
                put_be(p, u, 8);
            } else {
                put_be(p, (uint64_t)(int64_t)v, elsize);  /* two's complement, truncated */
            }
        }
        ok = fwrite(buf, (size_t)elsize, (size_t)m, f) == (size_t)m;
        i += m;
    }
    nb_decref(c);
    if (fclose(f) != 0) ok = false;
    if (!ok || rename(tmp, path) != 0) {
        nb_error("write_idx: cannot write '%s' (%s)", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

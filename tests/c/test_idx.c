/* IDX reader: hand-made files of every element type (big-endian decoding checked byte by
 * byte), writer round-trips, and broken files (truncated, oversized header, wrong magic,
 * lying sizes) that must be clear errors naming the file; batching helpers; the committed
 * MNIST subset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/tensor.h"
#include "data/batch.h"
#include "data/idx.h"
#include "nabla_config.h"

static char dir[256];

static const char *path_of(const char *name) {
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static const char *write_bytes(const char *name, const uint8_t *b, size_t n) {
    const char *p = path_of(name);
    FILE *f = fopen(p, "wb");
    if (!f || fwrite(b, 1, n, f) != n) {
        fprintf(stderr, "cannot write %s\n", p);
        exit(2);
    }
    fclose(f);
    return p;
}

/* reading path must fail with a message containing the file's path and want */
static void expect_error(const char *path, const char *want, const char *what) {
    nb_error("%s", "");
    nb_tensor *t = nb_read_idx(path);
    CHECK(t == NULL, "%s: read_idx accepted it", what);
    nb_decref(t);
    const char *e = nb_last_error();
    CHECK(strstr(e, path) != NULL, "%s: the message does not name the file: %s", what, e);
    CHECK(strstr(e, want) != NULL, "%s: expected '%s' in: %s", what, want, e);
    int nd;
    int64_t sh[NB_MAXDIM];
    size_t nbytes;
    uint8_t *u = nb_read_idx_u8(path, &nd, sh, &nbytes);
    CHECK(u == NULL, "%s: read_idx_u8 accepted it", what);
    free(u);
    printf("  %-40s -> %s\n", what, e);
}

static void test_hand_made(void) {
    /* ubyte (2, 3): 0 1 2 / 253 254 255 */
    uint8_t ub[] = {0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 2, 253, 254, 255};
    nb_tensor *t = nb_read_idx(write_bytes("ub", ub, sizeof ub));
    CHECK(t && t->ndim == 2 && t->shape[0] == 2 && t->shape[1] == 3, "ubyte shape");
    if (t) {
        float want[] = {0, 1, 2, 253, 254, 255};
        for (int i = 0; i < 6; i++) CHECK(nb_data(t)[i] == want[i], "ubyte value %d: %g", i, nb_data(t)[i]);
    }
    nb_decref(t);
    /* sbyte (3): -128 -1 127 */
    uint8_t sb[] = {0, 0, 0x09, 1, 0, 0, 0, 3, 0x80, 0xFF, 0x7F};
    t = nb_read_idx(write_bytes("sb", sb, sizeof sb));
    CHECK(t && nb_data(t)[0] == -128 && nb_data(t)[1] == -1 && nb_data(t)[2] == 127, "sbyte values");
    nb_decref(t);
    /* short (2): 0x0102 = 258, 0xFFFE = -2 */
    uint8_t sh[] = {0, 0, 0x0B, 1, 0, 0, 0, 2, 0x01, 0x02, 0xFF, 0xFE};
    t = nb_read_idx(write_bytes("sh", sh, sizeof sh));
    CHECK(t && nb_data(t)[0] == 258 && nb_data(t)[1] == -2, "short values");
    nb_decref(t);
    /* int (2): 0x00010000 = 65536, 0xFFFFFFFD = -3 */
    uint8_t in[] = {0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 1, 0, 0, 0xFF, 0xFF, 0xFF, 0xFD};
    t = nb_read_idx(write_bytes("in", in, sizeof in));
    CHECK(t && nb_data(t)[0] == 65536 && nb_data(t)[1] == -3, "int values");
    nb_decref(t);
    /* float (1, 2): 1.5 = 3FC00000, -0.25 = BE800000 */
    uint8_t fl[] = {0, 0, 0x0D, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0x3F, 0xC0, 0, 0, 0xBE, 0x80, 0, 0};
    t = nb_read_idx(write_bytes("fl", fl, sizeof fl));
    CHECK(t && t->ndim == 2 && nb_data(t)[0] == 1.5f && nb_data(t)[1] == -0.25f, "float values");
    nb_decref(t);
    /* double (1): -0.25 = BFD0000000000000 */
    uint8_t db[] = {0, 0, 0x0E, 1, 0, 0, 0, 1, 0xBF, 0xD0, 0, 0, 0, 0, 0, 0};
    t = nb_read_idx(write_bytes("db", db, sizeof db));
    CHECK(t && nb_data(t)[0] == -0.25f, "double value");
    nb_decref(t);
    /* an empty tensor (0, 4) is a valid file of 12 bytes */
    uint8_t em[] = {0, 0, 0x08, 2, 0, 0, 0, 0, 0, 0, 0, 4};
    t = nb_read_idx(write_bytes("em", em, sizeof em));
    CHECK(t && t->ndim == 2 && t->shape[0] == 0 && t->shape[1] == 4, "empty tensor");
    nb_decref(t);
    /* raw bytes */
    int nd;
    int64_t shape[NB_MAXDIM];
    size_t nbytes;
    uint8_t *u = nb_read_idx_u8(path_of("ub"), &nd, shape, &nbytes);
    CHECK(u && nd == 2 && shape[0] == 2 && shape[1] == 3 && nbytes == 6 && u[5] == 255, "read_idx_u8");
    free(u);
    u = nb_read_idx_u8(path_of("fl"), &nd, shape, &nbytes);
    CHECK(u == NULL && strstr(nb_last_error(), "float"), "read_idx_u8 of a float file: %s", nb_last_error());
    free(u);
    printf("hand-made files of the six IDX types decode\n");
}

static void test_round_trip(void) {
    const int types[] = {NB_IDX_UBYTE, NB_IDX_SBYTE, NB_IDX_SHORT, NB_IDX_INT, NB_IDX_FLOAT, NB_IDX_DOUBLE};
    const float lo[] = {0, -128, -32768, -2000000, -1e30f, -1e30f};
    const float hi[] = {255, 127, 32767, 2000000, 1e30f, 1e30f};
    int64_t shape[3] = {3, 4, 5};
    for (int k = 0; k < 6; k++) {
        nb_tensor *t = nb_empty(3, shape);
        float *d = nb_data(t);
        for (int i = 0; i < 60; i++) {
            d[i] = (types[k] == NB_IDX_FLOAT || types[k] == NB_IDX_DOUBLE)
                       ? (float)(i * 0.37 - 11.1)
                       : (float)(int)(lo[k] + (hi[k] - lo[k]) * i / 59.0);
        }
        d[0] = lo[k], d[59] = hi[k];
        char name[32];
        snprintf(name, sizeof name, "rt%02x", types[k]);
        CHECK(nb_write_idx(path_of(name), t, types[k]) == 0, "write type %02x: %s", types[k], nb_last_error());
        nb_tensor *r = nb_read_idx(path_of(name));
        CHECK(r && r->ndim == 3 && r->shape[0] == 3 && r->shape[1] == 4 && r->shape[2] == 5,
              "round-trip shape, type %02x", types[k]);
        int bad = 0;
        for (int i = 0; r && i < 60; i++) bad += nb_data(r)[i] != d[i];
        CHECK(r && bad == 0, "round-trip type %02x: %d values differ", types[k], bad);
        nb_decref(r);
        nb_decref(t);
    }
    /* a value outside the type's range is refused */
    nb_tensor *t = nb_full(1, shape, 256);
    CHECK(nb_write_idx(path_of("bad"), t, NB_IDX_UBYTE) != 0 && strstr(nb_last_error(), "ubyte"),
          "256 as ubyte: %s", nb_last_error());
    CHECK(access(path_of("bad"), F_OK) != 0, "no file left behind after a failed write");
    nb_decref(t);
    /* a non-contiguous tensor is written in its logical order */
    int64_t s2[2] = {2, 3};
    float v[6] = {1, 2, 3, 4, 5, 6};
    nb_tensor *a = nb_from_data(2, s2, v);
    int64_t ts[2] = {3, 2}, tst[2] = {1, 3};
    nb_tensor *at = nb_view_raw(a, 2, ts, tst, 0);   /* the transpose (3, 2) */
    CHECK(nb_write_idx(path_of("tr"), at, NB_IDX_UBYTE) == 0, "write a transpose");
    nb_tensor *r = nb_read_idx(path_of("tr"));
    float want[6] = {1, 4, 2, 5, 3, 6};
    int bad = 0;
    for (int i = 0; r && i < 6; i++) bad += nb_data(r)[i] != want[i];
    CHECK(r && r->shape[0] == 3 && bad == 0, "transpose written in logical order");
    nb_decref(r);
    nb_decref(at);
    nb_decref(a);
    printf("write/read round-trips of the six types\n");
}

static void test_broken(void) {
    uint8_t two[] = {0, 0};
    expect_error(write_bytes("short-magic", two, 2), "truncated", "2-byte file");
    uint8_t cut_dims[] = {0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0};
    expect_error(write_bytes("cut-dims", cut_dims, sizeof cut_dims), "truncated", "header cut inside the sizes");
    uint8_t cut_data[] = {0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5};
    expect_error(write_bytes("cut-data", cut_data, sizeof cut_data), "truncated", "data one byte short");
    uint8_t cut_float[] = {0, 0, 0x0D, 1, 0, 0, 0, 2, 0x3F, 0xC0, 0, 0, 0x3F, 0xC0, 0};
    expect_error(write_bytes("cut-float", cut_float, sizeof cut_float), "truncated", "float data cut mid-value");
    uint8_t longer[] = {0, 0, 0x08, 1, 0, 0, 0, 2, 7, 8, 9};
    expect_error(write_bytes("longer", longer, sizeof longer), "longer than its header", "one byte too many");
    uint8_t nine[4 + 36 + 1] = {0, 0, 0x08, 9};
    for (int i = 0; i < 9; i++) nine[4 + 4 * i + 3] = 1;
    expect_error(write_bytes("nine-dims", nine, sizeof nine), "dimensions", "9 dimensions");
    uint8_t many[4] = {0, 0, 0x08, 255};
    expect_error(write_bytes("255-dims", many, sizeof many), "dimensions", "255 dimensions, no sizes");
    uint8_t huge[4 + 32 + 8] = {0, 0, 0x0E, 8};
    memset(huge + 4, 0xFF, 32);   /* 8 sizes of 2^32-1: the product overflows int64 */
    expect_error(write_bytes("overflow", huge, sizeof huge), "too large", "sizes whose product overflows");
    uint8_t big[] = {0, 0, 0x08, 3, 0, 0x10, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0x10, 1, 2, 3};
    expect_error(write_bytes("big", big, sizeof big), "truncated", "2^44 bytes declared, 3 present");
    uint8_t magic[] = {1, 0, 0x08, 1, 0, 0, 0, 1, 5};
    expect_error(write_bytes("magic", magic, sizeof magic), "not an IDX file", "first byte not zero");
    uint8_t type[] = {0, 0, 0x07, 1, 0, 0, 0, 1, 5};
    expect_error(write_bytes("type", type, sizeof type), "not an IDX file", "unknown type 0x07");
    uint8_t gz[] = {0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 3};
    expect_error(write_bytes("gz", gz, sizeof gz), "not an IDX file", "a gzip file");
    expect_error(path_of("does-not-exist"), "cannot open", "a missing file");
    expect_error(dir, "not a regular file", "a directory");
}

static void test_batch(void) {
    /* data (4, 2, 2) bytes, rows 10·k + j */
    uint8_t data[16];
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < 4; j++) data[k * 4 + j] = (uint8_t)(10 * k + j);
    int64_t row_shape[2] = {2, 2}, idx[3] = {3, 0, 3};
    nb_tensor *t = nb_gather_u8(data, 4, 2, row_shape, idx, 3, 0.5f, 1.0f);
    CHECK(t && t->ndim == 3 && t->shape[0] == 3 && t->shape[1] == 2 && t->shape[2] == 2, "gather_u8 shape");
    CHECK(t && nb_data(t)[0] == 30 * 0.5f + 1 && nb_data(t)[5] == 1 * 0.5f + 1 && nb_data(t)[11] == 33 * 0.5f + 1,
          "gather_u8 values");
    nb_decref(t);
    int64_t badidx[1] = {4};
    t = nb_gather_u8(data, 4, 2, row_shape, badidx, 1, 1, 0);
    CHECK(!t && strstr(nb_last_error(), "index 5"), "gather out of range: %s", nb_last_error());
    int64_t s2[2] = {3, 2};
    float v[6] = {1, 2, 3, 4, 5, 6};
    nb_tensor *a = nb_from_data(2, s2, v);
    int64_t ri[2] = {2, 0};
    t = nb_gather_rows(a, ri, 2);
    CHECK(t && nb_data(t)[0] == 5 && nb_data(t)[1] == 6 && nb_data(t)[2] == 1, "gather_rows");
    nb_decref(t);
    nb_decref(a);
    /* permutations: a permutation, the same for a seed, another for another seed, and the
     * global RNG untouched */
    int64_t p1[1000], p2[1000], p3[1000];
    uint64_t before[4], after[4];
    nb_rng_get_state(before);
    nb_permutation(1000, 42, p1);
    nb_permutation(1000, 42, p2);
    nb_permutation(1000, 43, p3);
    nb_rng_get_state(after);
    int seen[1000] = {0}, same = 1, diff = 0, fixed = 0;
    for (int i = 0; i < 1000; i++) {
        if (p1[i] >= 0 && p1[i] < 1000) seen[p1[i]]++;
        same &= p1[i] == p2[i];
        diff += p1[i] != p3[i];
        fixed += p1[i] == i;
    }
    int ok = 1;
    for (int i = 0; i < 1000; i++) ok &= seen[i] == 1;
    CHECK(ok, "permutation holds every index once");
    CHECK(same, "same seed, same permutation");
    CHECK(diff > 900, "different seed, different permutation (%d differ)", diff);
    CHECK(fixed < 10, "a shuffled permutation has few fixed points (%d)", fixed);
    CHECK(memcmp(before, after, sizeof before) == 0, "the global RNG is not touched");
    printf("gather and seeded permutations\n");
}

static void test_subset(void) {
    char p[1024];
    snprintf(p, sizeof p, "%s/datasets/mnist-small/train-images-idx3-ubyte", NABLA_SOURCE_DIR);
    int nd;
    int64_t shape[NB_MAXDIM];
    size_t nbytes;
    uint8_t *u = nb_read_idx_u8(p, &nd, shape, &nbytes);
    CHECK(u && nd == 3 && shape[0] == 2000 && shape[1] == 28 && shape[2] == 28, "mnist-small train images: %s",
          u ? "shape" : nb_last_error());
    free(u);
    snprintf(p, sizeof p, "%s/datasets/mnist-small/train-labels-idx1-ubyte", NABLA_SOURCE_DIR);
    nb_tensor *l = nb_read_idx(p);
    CHECK(l && l->ndim == 1 && l->shape[0] == 2000, "mnist-small train labels");
    int count[10] = {0}, bad = 0;
    for (int i = 0; l && i < 2000; i++) {
        int d = (int)nb_data(l)[i];
        if (d >= 0 && d < 10) count[d]++;
        else bad++;
    }
    for (int d = 0; d < 10; d++) CHECK(count[d] == 200, "digit %d: %d images, expected 200", d, count[d]);
    CHECK(bad == 0, "labels are digits");
    nb_decref(l);
    snprintf(p, sizeof p, "%s/datasets/mnist-small/t10k-images-idx3-ubyte", NABLA_SOURCE_DIR);
    nb_tensor *t = nb_read_idx(p);
    CHECK(t && t->shape[0] == 500 && t->shape[1] == 28 && t->shape[2] == 28, "mnist-small test images");
    float mx = 0;
    for (int64_t i = 0; t && i < nb_numel(t); i++) mx = nb_data(t)[i] > mx ? nb_data(t)[i] : mx;
    CHECK(mx == 255, "pixels are bytes 0..255 (max %g)", mx);
    nb_decref(t);
    printf("the committed subset: 2000 train images, 200 per digit; 500 test images\n");
}

int main(void) {
    snprintf(dir, sizeof dir, "%s/nabla-idx-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    test_hand_made();
    test_round_trip();
    printf("broken files:\n");
    test_broken();
    test_batch();
    test_subset();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_done();
}

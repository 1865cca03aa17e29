/* libFuzzer target: the IDX reader (src/data/idx.c), both entry points, on any bytes.
 * The reader takes a path, so each input is written to a file in /dev/shm (or $TMPDIR).
 * A crash, a sanitizer report or a leak is a finding; an nb_error is the expected answer
 * to a bad file, and a good file must give a tensor of the shape its bytes announce. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/tensor.h"
#include "data/idx.h"

static char path[256];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!path[0]) {
        const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        snprintf(path, sizeof path, "%s/nabla-fuzz-idx-%d", dir, (int)getpid());
    }
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);

    nb_tensor *t = nb_read_idx(path);
    if (t) {
        /* the tensor holds exactly what the header announced */
        if (size < 4 || t->ndim != data[3]) abort();
        nb_decref(t);
    } else if (!nb_last_error()[0]) {
        abort(); /* a failure must say why */
    }
    int nd = 0;
    int64_t shape[NB_MAXDIM];
    size_t n = 0;
    uint8_t *b = nb_read_idx_u8(path, &nd, shape, &n);
    if (b) {
        /* the shape is one a tensor may have, and its product is the byte count */
        int64_t want = nb_shape_numel(nd, shape);
        if (want < 0 || (size_t)want != n) abort();
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < n; i++) sink ^= b[i]; /* every byte readable */
        (void)sink;
        free(b);
    }
    unlink(path);
    return 0;
}

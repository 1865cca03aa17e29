/* libFuzzer target: the classroom server's PNG decoding and MNIST preprocessing
 * (nb_png_to_mnist, src/server/image.c) on any bytes. A failure must say why; a success
 * must give 784 finite values in 0..1. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    float out[NB_SERVE_PIXELS];
    char err[256] = "";
    if (nb_png_to_mnist(data, size, out, err, sizeof err) == 0) {
        for (int i = 0; i < NB_SERVE_PIXELS; i++)
            if (!(out[i] >= 0.0f && out[i] <= 1.0f)) abort();
    } else if (!err[0]) {
        abort();
    }
    return 0;
}

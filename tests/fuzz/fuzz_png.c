/* libFuzzer target: the classroom server's PNG decoding and its two preprocessings
 * (src/server/image.c) on any bytes: nb_png_to_mnist (/predict) and nb_png_to_line (/read).
 * A failure must say why; a success must give finite values in 0..1 (784 of them, or a
 * line of the height asked), and boxes mapped back inside the image. */
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
    nb_line line;
    err[0] = 0;
    if (nb_png_to_line(data, size, 28, &line, err, sizeof err) == 0) {
        if (line.h != 28 || line.w < 1 || line.w > 4096 || !line.pix) abort();
        for (long i = 0; i < (long)line.w * line.h; i++)
            if (!(line.pix[i] >= 0.0f && line.pix[i] <= 1.0f)) abort();
        double in[4] = {0, 0, line.w, line.h};
        int box[4];
        nb_line_box(&line, in, box);
        if (box[0] < 0 || box[1] < 0 || box[2] > line.img_w || box[3] > line.img_h || box[0] > box[2] || box[1] > box[3]) abort();
        free(line.pix);
    } else if (!err[0]) {
        abort();
    }
    return 0;
}

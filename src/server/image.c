/* PNG decoding (libpng's simplified API: every colour type, palette, tRNS, 16-bit) and
 * MNIST's preprocessing, as LeCun et al. made the set: the digit's bounding box scaled so
 * that its longer side is 20 pixels (anti-aliased: area averaging), then placed in a 28 x 28
 * field with its centre of mass at the field's centre. */
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define MAX_PIXELS (4096L * 4096L)   /* a decompression bomb stops here */

static int fail(char *err, size_t n, const char *msg) {
    snprintf(err, n, "%s", msg);
    return -1;
}

int nb_png_to_mnist(const unsigned char *png, size_t len, float out[NB_SERVE_PIXELS], char *err,
                    size_t errlen) {
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len < 8 || memcmp(png, sig, 8) != 0)
        return fail(err, errlen, "the body is not a PNG image (it does not start with the PNG signature)");
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&img, png, len)) {
        snprintf(err, errlen, "cannot decode the PNG image: %s", img.message);
        png_image_free(&img);
        return -1;
    }
    if (img.width == 0 || img.height == 0 || (long)img.width * (long)img.height > MAX_PIXELS) {
        snprintf(err, errlen, "the PNG image is %ux%u pixels; at most %ld pixels are accepted",
                 img.width, img.height, MAX_PIXELS);
        png_image_free(&img);
        return -1;
    }
    img.format = PNG_FORMAT_RGBA;
    size_t n = (size_t)img.width * img.height;
    unsigned char *rgba = malloc(n * 4);
    float *grey = malloc(n * sizeof *grey);
    if (!rgba || !grey) {
        free(rgba);
        free(grey);
        png_image_free(&img);
        return fail(err, errlen, "out of memory decoding the PNG image");
    }
    if (!png_image_finish_read(&img, NULL, rgba, 0, NULL)) {
        snprintf(err, errlen, "cannot decode the PNG image (truncated or damaged?): %s", img.message);
        free(rgba);
        free(grey);
        png_image_free(&img);
        return -1;
    }
    /* Luminance; transparent pixels take the paper's colour: the opposite of the opaque
     * pixels' mean (black strokes on a transparent canvas are dark ink on white). */
    double sum = 0, wsum = 0;
    bool transparent = false;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = rgba + 4 * i;
        float a = p[3] / 255.0f;
        float y = (0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]) / 255.0f;
        grey[i] = y;
        sum += a * y;
        wsum += a;
        if (p[3] != 255) transparent = true;
    }
    if (transparent) {
        float paper = (wsum > 0 && sum / wsum < 0.5) ? 1.0f : 0.0f;
        for (size_t i = 0; i < n; i++) {
            float a = rgba[4 * i + 3] / 255.0f;
            grey[i] = a * grey[i] + (1 - a) * paper;
        }
    }
    int w = (int)img.width, h = (int)img.height;
    free(rgba);
    png_image_free(&img);
    int r = nb_grey_to_mnist(grey, w, h, out, err, errlen);
    free(grey);
    return r;
}

int nb_grey_to_mnist(const float *grey, int w, int h, float out[NB_SERVE_PIXELS], char *err,
                     size_t errlen) {
    size_t n = (size_t)w * h;
    /* The paper is the median grey (ink covers less than half of any sheet). */
    size_t hist[256] = {0};
    for (size_t i = 0; i < n; i++) {
        int b = (int)lrintf(grey[i] * 255.0f);
        hist[b < 0 ? 0 : b > 255 ? 255 : b]++;
    }
    size_t acc = 0;
    int med = 0;
    for (; med < 256; med++)
        if ((acc += hist[med]) * 2 >= n) break;
    float paper = med / 255.0f;
    bool dark_ink = paper > 0.5f;
    float *ink = malloc(n * sizeof *ink);
    if (!ink) return fail(err, errlen, "out of memory preprocessing the image");
    for (size_t i = 0; i < n; i++) {
        float v = dark_ink ? paper - grey[i] : grey[i] - paper;
        ink[i] = v > 0 ? v : 0;
    }
    int r = nb_ink_to_mnist(ink, w, h, out, err, errlen);
    free(ink);
    return r;
}

int nb_ink_to_mnist(const float *ink_in, int w, int h, float out[NB_SERVE_PIXELS], char *err,
                    size_t errlen) {
    size_t n = (size_t)w * h;
    if (w < 1 || h < 1) return fail(err, errlen, "the image is empty");
    float *ink = malloc(n * sizeof *ink);
    if (!ink) return fail(err, errlen, "out of memory preprocessing the image");
    float mx = 0;
    for (size_t i = 0; i < n; i++) {
        float v = ink_in[i];
        ink[i] = v > 0 ? v : 0;   /* NaN and negatives are no ink */
        if (ink[i] > mx) mx = ink[i];
    }
    if (!(mx >= 0.1f)) {
        free(ink);
        return fail(err, errlen, "the image is blank: no ink stands out from the paper");
    }
    /* ink 0..1; the box is where the ink reaches a tenth of the darkest stroke (fainter is the
     * paper's grain), and the faint anti-aliased edge inside it is kept */
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float v = ink[(size_t)y * w + x] / mx;
            ink[(size_t)y * w + x] = v;
            if (v >= 0.1f) {
                if (x < x0) x0 = x;
                if (x > x1) x1 = x;
                if (y < y0) y0 = y;
                if (y > y1) y1 = y;
            }
        }
    int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
    /* longer side to 20 px; each output pixel is the mean of the source area it covers */
    double s = 20.0 / (bw > bh ? bw : bh);
    int nw = (int)lround(bw * s), nh = (int)lround(bh * s);
    if (nw < 1) nw = 1;
    if (nh < 1) nh = 1;
    if (nw > 20) nw = 20;
    if (nh > 20) nh = 20;
    float box[20 * 20];
    double sx = (double)bw / nw, sy = (double)bh / nh;   /* source pixels per output pixel */
    for (int oy = 0; oy < nh; oy++) {
        double fy0 = oy * sy, fy1 = (oy + 1) * sy;
        for (int ox = 0; ox < nw; ox++) {
            double fx0 = ox * sx, fx1 = (ox + 1) * sx, total = 0;
            for (int y = (int)fy0; y < (int)ceil(fy1) && y < bh; y++) {
                double cy = fmin(fy1, y + 1) - fmax(fy0, y);
                if (cy <= 0) continue;
                const float *row = ink + (size_t)(y + y0) * w + x0;
                for (int x = (int)fx0; x < (int)ceil(fx1) && x < bw; x++) {
                    double cx = fmin(fx1, x + 1) - fmax(fx0, x);
                    if (cx > 0) total += cx * cy * row[x];
                }
            }
            box[oy * nw + ox] = (float)(total / (sx * sy));
        }
    }
    free(ink);
    /* the centre of mass to pixel (14, 14), rounded to whole pixels: where MNIST's digits have it
     * (their centres of mass, in pixel indices, lie within half a pixel of 14) */
    double m = 0, mx_ = 0, my_ = 0;
    for (int y = 0; y < nh; y++)
        for (int x = 0; x < nw; x++) {
            double v = box[y * nw + x];
            m += v;
            mx_ += v * x;
            my_ += v * y;
        }
    int offx = (int)lround(14.0 - (m > 0 ? mx_ / m : (nw - 1) / 2.0));
    int offy = (int)lround(14.0 - (m > 0 ? my_ / m : (nh - 1) / 2.0));
    if (offx < 0) offx = 0;
    if (offy < 0) offy = 0;
    if (offx > 28 - nw) offx = 28 - nw;
    if (offy > 28 - nh) offy = 28 - nh;
    memset(out, 0, NB_SERVE_PIXELS * sizeof *out);
    for (int y = 0; y < nh; y++)
        for (int x = 0; x < nw; x++) {
            float v = box[y * nw + x];
            out[(y + offy) * 28 + x + offx] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
    return 0;
}

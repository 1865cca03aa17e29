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

/* The PNG as grey levels (0 black .. 1 white), w x h, malloc'd in *out. */
static int decode_grey(const unsigned char *png, size_t len, float **out, int *ow, int *oh, char *err,
                       size_t errlen) {
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    *out = NULL;
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
    *ow = (int)img.width;
    *oh = (int)img.height;
    free(rgba);
    png_image_free(&img);
    *out = grey;
    return 0;
}

int nb_png_to_mnist(const unsigned char *png, size_t len, float out[NB_SERVE_PIXELS], char *err,
                    size_t errlen) {
    float *grey;
    int w, h;
    if (decode_grey(png, len, &grey, &w, &h, err, errlen) != 0) return -1;
    int r = nb_grey_to_mnist(grey, w, h, out, err, errlen);
    free(grey);
    return r;
}

int nb_png_to_line(const unsigned char *png, size_t len, int height, nb_line *out, char *err,
                   size_t errlen) {
    float *grey;
    int w, h;
    memset(out, 0, sizeof *out);
    if (decode_grey(png, len, &grey, &w, &h, err, errlen) != 0) return -1;
    int r = nb_grey_to_line(grey, w, h, height, out, err, errlen);
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


/* ---- a line of writing (POST /read) -------------------------------------------------------------
 *
 * A photo of a page with one line on it becomes what the line readers take: ink 1 on 0, the
 * line level and `height` pixels tall. Steps:
 *   1. the paper: the median grey, then a plane fitted to the pixels near it (a photo is
 *      lit unevenly); ink is how much darker (or lighter) than the paper a pixel is;
 *   2. the paper's grain (3 standard deviations of the paper pixels) is taken off and the
 *      ink scaled so that its 99.5th percentile is 1;
 *   3. the page's turn: the angle (within 15 degrees) at which the ink's row profile is
 *      sharpest (largest sum of squares): a level line puts all its ink in few rows;
 *   4. the margins: the band of rows around the profile's peak, the columns with ink in it;
 *   5. the band scaled so that the writing is 20/28 of `height` (a digit of MNIST is 20 px
 *      of 28), by averaging several samples per output pixel when shrinking. */

#define NB_PI 3.14159265358979323846
#define DESKEW_MAX_DEG 15.0
#define DESKEW_STEP_DEG 0.25
#define LINE_MAX_W 4096
#define LINE_MAX_SIDE 16384   /* the profiles hold one bin per pixel of the diagonal */

/* bilinear ink at continuous image point (x, y) (pixel i covers [i, i+1)) */
static float sample(const float *ink, int w, int h, double x, double y) {
    x -= 0.5;
    y -= 0.5;
    int x0 = (int)floor(x), y0 = (int)floor(y);
    double tx = x - x0, ty = y - y0;
    float v = 0;
    for (int dy = 0; dy <= 1; dy++)
        for (int dx = 0; dx <= 1; dx++) {
            int xx = x0 + dx, yy = y0 + dy;
            if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
            double wt = (dx ? tx : 1 - tx) * (dy ? ty : 1 - ty);
            v += (float)(wt * ink[(size_t)yy * w + xx]);
        }
    return v;
}

static int solve3(double m[3][3], double b[3], double x[3]) {
    /* Gaussian elimination with partial pivoting */
    for (int c = 0; c < 3; c++) {
        int p = c;
        for (int r = c + 1; r < 3; r++)
            if (fabs(m[r][c]) > fabs(m[p][c])) p = r;
        if (fabs(m[p][c]) < 1e-12) return -1;
        for (int k = 0; k < 3; k++) {
            double t = m[c][k];
            m[c][k] = m[p][k];
            m[p][k] = t;
        }
        double t = b[c];
        b[c] = b[p];
        b[p] = t;
        for (int r = c + 1; r < 3; r++) {
            double f = m[r][c] / m[c][c];
            for (int k = c; k < 3; k++) m[r][k] -= f * m[c][k];
            b[r] -= f * b[c];
        }
    }
    for (int c = 2; c >= 0; c--) {
        double v = b[c];
        for (int k = c + 1; k < 3; k++) v -= m[c][k] * x[k];
        x[c] = v / m[c][c];
    }
    return 0;
}

int nb_grey_to_line(const float *grey, int w, int h, int height, nb_line *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (w < 1 || h < 1 || (long)w * h > MAX_PIXELS) return fail(err, errlen, "the image is empty or too large");
    if (height < 8 || height > 256) return fail(err, errlen, "the line height must be 8..256 pixels");
    if (w > LINE_MAX_SIDE || h > LINE_MAX_SIDE) {
        snprintf(err, errlen, "the image is %dx%d pixels; a page of at most %d pixels a side is read", w, h, LINE_MAX_SIDE);
        return -1;
    }
    size_t n = (size_t)w * h;
    /* 1. the paper */
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
    double m[3][3] = {{0}}, b[3] = {0}, c[3] = {paper, 0, 0};
    size_t npaper = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float g = grey[(size_t)y * w + x];
            if (fabsf(g - paper) > 0.12f) continue;
            double f[3] = {1, (x + 0.5) / w - 0.5, (y + 0.5) / h - 0.5};
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) m[i][j] += f[i] * f[j];
                b[i] += f[i] * g;
            }
            npaper++;
        }
    double fit[3];
    if (npaper >= 16 && solve3(m, b, fit) == 0 && isfinite(fit[0]) && isfinite(fit[1]) && isfinite(fit[2]))
        memcpy(c, fit, sizeof c);
    float *ink = malloc(n * sizeof *ink);
    if (!ink) return fail(err, errlen, "out of memory preprocessing the image");
    double ss = 0;
    size_t ns = 0;
    for (int y = 0; y < h; y++) {
        double fy = (y + 0.5) / h - 0.5;
        for (int x = 0; x < w; x++) {
            double bg = c[0] + c[1] * ((x + 0.5) / w - 0.5) + c[2] * fy;
            size_t i = (size_t)y * w + x;
            double v = dark_ink ? bg - grey[i] : grey[i] - bg;
            if (fabs(grey[i] - paper) <= 0.12f) {
                ss += v * v;
                ns++;
            }
            ink[i] = v > 0 ? (float)v : 0;
        }
    }
    /* 2. grain off, ink to 0..1 */
    double grain = ns ? 3 * sqrt(ss / ns) : 0;
    if (grain < 0.06) grain = 0.06;
    size_t ih[1024] = {0}, nink = 0;
    for (size_t i = 0; i < n; i++) {
        float v = ink[i] - (float)grain;
        ink[i] = v > 0 ? v : 0;
        if (ink[i] > 0) {
            int k = (int)(ink[i] * 1023);
            ih[k > 1023 ? 1023 : k]++;
            nink++;
        }
    }
    float top = 0;
    if (nink) {
        size_t want = nink - nink / 200, a = 0;
        for (int k = 0; k < 1024; k++)
            if ((a += ih[k]) >= want) {
                top = (k + 1) / 1023.0f;
                break;
            }
    }
    if (nink < 4 || top < 0.05f) {
        free(ink);
        return fail(err, errlen, "the image is blank: no ink stands out from the paper");
    }
    for (size_t i = 0; i < n; i++) ink[i] = ink[i] >= top ? 1.0f : ink[i] / top;

    /* 3. the turn of the page: the sharpest row profile among the angles */
    double cx = w / 2.0, cy = h / 2.0, diag = sqrt((double)w * w + (double)h * h);
    int nbins = (int)ceil(diag) + 4;
    double *prof = calloc((size_t)nbins, sizeof *prof);
    if (!prof) {
        free(ink);
        return fail(err, errlen, "out of memory preprocessing the image");
    }
    size_t strong = 0;
    int sx0 = w, sx1 = -1, sy0 = h, sy1 = -1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (ink[(size_t)y * w + x] >= 0.3f) {
                strong++;
                if (x < sx0) sx0 = x;
                if (x > sx1) sx1 = x;
                if (y < sy0) sy0 = y;
                if (y > sy1) sy1 = y;
            }
    size_t stride = strong > 150000 ? strong / 150000 + 1 : 1;
    double angle = 0;
    if (strong >= 8 && (sx1 - sx0 + 1) >= 1.6 * (sy1 - sy0 + 1)) {
        /* the strong ink's points, once (every stride-th of them on a large page) */
        size_t np = strong / stride + 1, k = 0, q = 0;
        float *pts = malloc(np * 3 * sizeof *pts);
        if (!pts) {
            free(prof);
            free(ink);
            return fail(err, errlen, "out of memory preprocessing the image");
        }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float v = ink[(size_t)y * w + x];
                if (v < 0.3f || (k++ % stride) || q >= np) continue;
                pts[3 * q] = (float)(x + 0.5 - cx);
                pts[3 * q + 1] = (float)(y + 0.5 - cy);
                pts[3 * q + 2] = v;
                q++;
            }
        /* the direction of the ink's longer axis (its covariance's principal axis) first, then
         * the sharpest row profile within 2.5 degrees of it: the profile alone finds strong
         * horizontal strokes at a wrong angle on a short line; the axis alone leans with
         * uneven digits */
        double mx = 0, my = 0, mw = 0, sxx = 0, syy = 0, sxy = 0;
        for (size_t i = 0; i < q; i++) {
            mx += pts[3 * i + 2] * pts[3 * i];
            my += pts[3 * i + 2] * pts[3 * i + 1];
            mw += pts[3 * i + 2];
        }
        mx /= mw;
        my /= mw;
        for (size_t i = 0; i < q; i++) {
            double dx = pts[3 * i] - mx, dy = pts[3 * i + 1] - my, v = pts[3 * i + 2];
            sxx += v * dx * dx;
            syy += v * dy * dy;
            sxy += v * dx * dy;
        }
        double axis = 0.5 * atan2(2 * sxy, sxx - syy) * 180 / NB_PI;
        if (axis > DESKEW_MAX_DEG) axis = DESKEW_MAX_DEG;
        if (axis < -DESKEW_MAX_DEG) axis = -DESKEW_MAX_DEG;
        double lo = fmax(-DESKEW_MAX_DEG, axis - 2.5), hi = fmin(DESKEW_MAX_DEG, axis + 2.5);
        angle = axis;
        double best = -1;
        for (double deg = lo; deg <= hi + 1e-9; deg += DESKEW_STEP_DEG) {
            double r = deg * NB_PI / 180, sn = sin(r), cs = cos(r);
            memset(prof, 0, (size_t)nbins * sizeof *prof);
            /* each point spread over two bins (linear), so that the score changes smoothly
             * with the angle */
            for (size_t i = 0; i < q; i++) {
                double ry = -pts[3 * i] * sn + pts[3 * i + 1] * cs + nbins / 2.0 - 0.5;
                int bi = (int)floor(ry);
                double f = ry - bi;
                if (bi >= 0 && bi < nbins) prof[bi] += (1 - f) * pts[3 * i + 2];
                if (bi + 1 >= 0 && bi + 1 < nbins) prof[bi + 1] += f * pts[3 * i + 2];
            }
            double e = 0;
            for (int i = 0; i < nbins; i++) e += prof[i] * prof[i];
            /* ties (a level line scores the same at nearby angles): the smallest turn wins */
            if (e > best * (1 + 1e-6)) {
                best = e;
                angle = deg;
            } else if (e >= best * (1 - 1e-6) && fabs(deg) < fabs(angle))
                angle = deg;
        }
        free(pts);
    }
    double t = angle * NB_PI / 180, sn = sin(t), cs = cos(t);
    /* 4. the band of rows with the line, then its columns */
    memset(prof, 0, (size_t)nbins * sizeof *prof);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float v = ink[(size_t)y * w + x];
            if (v <= 0) continue;
            double ry = -(x + 0.5 - cx) * sn + (y + 0.5 - cy) * cs;
            int bi = (int)floor(ry + nbins / 2.0);
            if (bi >= 0 && bi < nbins) prof[bi] += v;
        }
    int peak = 0;
    for (int i = 1; i < nbins; i++)
        if (prof[i] > prof[peak]) peak = i;
    int r0 = peak, r1 = peak;
    while (r0 > 0 && prof[r0 - 1] > 0.02 * prof[peak]) r0--;
    while (r1 < nbins - 1 && prof[r1 + 1] > 0.02 * prof[peak]) r1++;
    double by0 = r0 - nbins / 2.0, by1 = r1 + 1 - nbins / 2.0;
    double *colp = calloc((size_t)nbins, sizeof *colp);
    if (!colp) {
        free(prof);
        free(ink);
        return fail(err, errlen, "out of memory preprocessing the image");
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float v = ink[(size_t)y * w + x];
            if (v <= 0) continue;
            double ry = -(x + 0.5 - cx) * sn + (y + 0.5 - cy) * cs;
            if (ry < by0 || ry >= by1) continue;
            double rx = (x + 0.5 - cx) * cs + (y + 0.5 - cy) * sn;
            int bi = (int)floor(rx + nbins / 2.0);
            if (bi >= 0 && bi < nbins) colp[bi] += v;
        }
    double cmax = 0;
    for (int i = 0; i < nbins; i++) cmax = colp[i] > cmax ? colp[i] : cmax;
    int c0 = 0, c1 = nbins - 1;
    while (c0 < nbins - 1 && colp[c0] <= 0.01 * cmax) c0++;
    while (c1 > 0 && colp[c1] <= 0.01 * cmax) c1--;
    free(colp);
    free(prof);
    double bx0 = c0 - nbins / 2.0, bx1 = c1 + 1 - nbins / 2.0;
    double bw = bx1 - bx0, bh = by1 - by0;
    if (bw < 1 || bh < 2) {
        free(ink);
        return fail(err, errlen, "the image is blank: no line of writing found on it");
    }
    /* 5. scaled: the band's height to 20/28 of the line's, centred, a margin each side */
    double th = height * 20.0 / 28.0, s = th / bh;
    double pady = (height - th) / 2, padx = height * 4.0 / 28.0;
    int ow = (int)ceil(bw * s + 2 * padx);
    if (ow > LINE_MAX_W) {
        s = (LINE_MAX_W - 2 * padx) / bw;
        ow = LINE_MAX_W;
        pady = (height - bh * s) / 2;
    }
    if (ow < 1) ow = 1;
    int oh = height;
    float *pix = calloc((size_t)ow * oh, sizeof *pix);
    if (!pix) {
        free(ink);
        return fail(err, errlen, "out of memory preprocessing the image");
    }
    double a[6];
    a[0] = cs / s;
    a[1] = -sn / s;
    a[2] = cx + cs * (bx0 - padx / s) - sn * (by0 - pady / s);
    a[3] = sn / s;
    a[4] = cs / s;
    a[5] = cy + sn * (bx0 - padx / s) + cs * (by0 - pady / s);
    int k = (int)ceil(1 / s);
    if (k < 1) k = 1;
    if (k > 8) k = 8;
    for (int v = 0; v < oh; v++)
        for (int u = 0; u < ow; u++) {
            double sum = 0;
            for (int j = 0; j < k; j++)
                for (int i = 0; i < k; i++) {
                    double uu = u + (i + 0.5) / k, vv = v + (j + 0.5) / k;
                    sum += sample(ink, w, h, a[0] * uu + a[1] * vv + a[2], a[3] * uu + a[4] * vv + a[5]);
                }
            float val = (float)(sum / (k * k));
            pix[(size_t)v * ow + u] = val < 0.02f ? 0 : val > 1 ? 1 : val;
        }
    free(ink);
    out->pix = pix;
    out->w = ow;
    out->h = oh;
    memcpy(out->a, a, sizeof a);
    out->img_w = w;
    out->img_h = h;
    out->angle = angle;
    return 0;
}

void nb_line_box(const nb_line *l, const double in[4], int out[4]) {
    double xs[4], ys[4];
    double us[4] = {in[0], in[2], in[0], in[2]}, vs[4] = {in[1], in[1], in[3], in[3]};
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (int i = 0; i < 4; i++) {
        xs[i] = l->a[0] * us[i] + l->a[1] * vs[i] + l->a[2];
        ys[i] = l->a[3] * us[i] + l->a[4] * vs[i] + l->a[5];
        x0 = fmin(x0, xs[i]);
        x1 = fmax(x1, xs[i]);
        y0 = fmin(y0, ys[i]);
        y1 = fmax(y1, ys[i]);
    }
    out[0] = (int)fmax(0, fmin(l->img_w, floor(x0)));
    out[1] = (int)fmax(0, fmin(l->img_h, floor(y0)));
    out[2] = (int)fmax(0, fmin(l->img_w, ceil(x1)));
    out[3] = (int)fmax(0, fmin(l->img_h, ceil(y1)));
}

/* Pasting a scaled glyph into a line by max (lines.h). */
#include "lines.h"

#include <math.h>


int nb_paste_max(nb_tensor *canvas, const nb_tensor *glyph, double x, double y, double s) {
    char b1[64], b2[64];
    if (canvas->ndim != 2 || glyph->ndim != 2 || !nb_is_contiguous(canvas)) {
        nb_shape_str(b1, sizeof b1, canvas->ndim, canvas->shape);
        nb_shape_str(b2, sizeof b2, glyph->ndim, glyph->shape);
        nb_error("paste_max: expected a contiguous 2-d canvas and a 2-d glyph, got %s and %s",
                 b1, b2);
        return -1;
    }
    if (!(s > 0.0 && s <= 8.0) || !isfinite(x) || !isfinite(y) || fabs(x) > 1e9 || fabs(y) > 1e9) {
        nb_error("paste_max: scale %g must be in (0, 8] and the position (%g, %g) finite", s, x, y);
        return -1;
    }
    const int64_t H = canvas->shape[0], W = canvas->shape[1];
    const int64_t h = glyph->shape[0], w = glyph->shape[1];
    const int64_t gs0 = glyph->stride[0], gs1 = glyph->stride[1];
    const float *g = nb_data(glyph);
    float *c = nb_data(canvas);
    /* the canvas pixels the scaled glyph covers: [r0, r1) × [c0, c1) */
    int64_t r0 = (int64_t)floor(y), r1 = (int64_t)ceil(y + h * s);
    int64_t c0 = (int64_t)floor(x), c1 = (int64_t)ceil(x + w * s);
    if (r0 < 0) r0 = 0;
    if (c0 < 0) c0 = 0;
    if (r1 > H) r1 = H;
    if (c1 > W) c1 = W;
    /* glyph pixel (u, v) is centred at canvas (x + (v + 0.5)·s, y + (u + 0.5)·s): canvas
     * pixel (i, j) samples the glyph at u = (i + 0.5 − y)/s − 0.5, v = (j + 0.5 − x)/s − 0.5 */
    for (int64_t i = r0; i < r1; i++) {
        const double u = (i + 0.5 - y) / s - 0.5;
        const int64_t u0 = (int64_t)floor(u);
        const float fu = (float)(u - u0);
        for (int64_t j = c0; j < c1; j++) {
            const double v = (j + 0.5 - x) / s - 0.5;
            const int64_t v0 = (int64_t)floor(v);
            const float fv = (float)(v - v0);
            float acc = 0.0f;
            for (int du = 0; du < 2; du++) {
                const int64_t uu = u0 + du;
                if (uu < 0 || uu >= h) continue;
                const float wu = du ? fu : 1.0f - fu;
                for (int dv = 0; dv < 2; dv++) {
                    const int64_t vv = v0 + dv;
                    if (vv < 0 || vv >= w) continue;
                    acc += wu * (dv ? fv : 1.0f - fv) * g[uu * gs0 + vv * gs1];
                }
            }
            float *p = c + i * W + j;
            if (acc > *p) *p = acc;
        }
    }
    return 0;
}

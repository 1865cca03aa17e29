/* Data augmentation kernels, in the manner of Albumentations (Buslaev et al. 2020).
 *
 * Every kernel takes a batch x of shape (N, C, H, W) or (N, H, W) (read as C = 1), float32,
 * any strides, and returns a NEW contiguous tensor of x's shape; x is not modified. The
 * parameters are explicit and per sample (arrays of N): the caller draws them (from
 * nb_rng_*, so a seed reproduces a batch) and gives identity parameters to the samples it
 * leaves alone, which are then copied exactly. The random fields of the elastic transform
 * and of the noise are drawn here, from nb_rng_*, sample after sample, before the parallel
 * part: the same seed gives the same batch whatever the number of threads.
 * No autograd: this is the data path. OpenMP runs over the batch.
 *
 * Geometry: pixel (row r, column c) has coordinates (x = c, y = r), y pointing down; the
 * centre of rotation and scaling is ((W-1)/2, (H-1)/2); a positive angle turns the image
 * counter-clockwise as it is displayed (OpenCV's and Albumentations' convention), so a
 * 90° rotation of a square image moves pixel (r, c) to (W-1-c, r). Sampling is bilinear;
 * pixels that come from outside the image are 0.
 */
#ifndef NABLA_AUGMENT_H
#define NABLA_AUGMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/tensor.h"

/* One sample's affine transform, applied about the image centre in this order: shear,
 * rotate, scale, then translate. Identity: {0, 1, 0, 0, 0, 0}. */
typedef struct nb_affine {
    float angle;     /* degrees, counter-clockwise */
    float scale;     /* zoom factor: 2 doubles the size of the content */
    float shear_x;   /* degrees: x' = x + tan(shear_x)·y */
    float shear_y;   /* degrees: y' = y + tan(shear_y)·x */
    float tx, ty;    /* translation in pixels: +tx moves the content right, +ty down */
} nb_affine;

nb_tensor *nb_aug_affine(const nb_tensor *x, const nb_affine *p);

/* Gathering and augmenting in one pass, for images kept as bytes: data is (n_rows, c, h, w)
 * uint8; the result is the float batch (count, c, h, w) equal to nb_aug_affine applied to
 * nb_gather_u8(data, ..., idx, count, scale, shift) (the same numbers, bit for bit), without
 * the intermediate float batch. idx is 0-based; an index out of range is an error. */
nb_tensor *nb_gather_u8_affine(const uint8_t *data, int64_t n_rows, int64_t c, int64_t h,
                               int64_t w, const int64_t *idx, int64_t count, float scale,
                               float shift, const nb_affine *p);

/* Generic warp: out[n, c, r, col] = x[n, c, r + dy[n, r, col], col + dx[n, r, col]]
 * (bilinear, zero outside). dy and dx are displacement fields of shape (N, H, W); a
 * sample whose fields are all zero is copied exactly. */
nb_tensor *nb_aug_remap(const nb_tensor *x, const float *dy, const float *dx);

/* Elastic deformation (Simard, Steinkraus & Platt 2003): a displacement field with
 * entries uniform in [-1, 1] (drawn from nb_rng), smoothed by a Gaussian of standard
 * deviation sigma[n] pixels, scaled by alpha[n]; then a remap. alpha[n] == 0 leaves the
 * sample unchanged (and draws no numbers for it). */
nb_tensor *nb_aug_elastic(const nb_tensor *x, const float *alpha, const float *sigma);

/* Grid distortion: the image is cut into `steps` equal cells along each axis; cell i is
 * given the relative width xsteps[n*steps + i] along x (ysteps likewise along y), the cell
 * edges are placed at the cumulative sums rescaled to the image, and each output pixel is
 * sampled from the matching place in its stretched cell (piecewise linear). All factors
 * equal give the identity. (Albumentations' GridDistortion: factors 1 + U(-limit, limit),
 * drawn by the caller.) */
nb_tensor *nb_aug_grid_distortion(const nb_tensor *x, int steps, const float *xsteps,
                                  const float *ysteps);

/* Coarse dropout / cutout: holes rectangles per sample, boxes[(n*holes + k)*4 + 0..3] =
 * (row0, col0, height, width), 0-based, clipped to the image (a hole partly outside is
 * cut; height or width 0 is no hole); every channel there is set to fill. */
nb_tensor *nb_aug_cutout(const nb_tensor *x, int holes, const int32_t *boxes, float fill);

/* Gaussian noise: x + std[n]·ε with ε ~ N(0, 1) from nb_rng, clipped to [0, 1] if clip.
 * std[n] == 0 leaves the sample unchanged (and draws no numbers for it). */
nb_tensor *nb_aug_noise(const nb_tensor *x, const float *std, bool clip);

/* Brightness and contrast: alpha[n]·x + beta[n], clipped to [0, 1] if clip
 * (Albumentations' RandomBrightnessContrast with brightness_by_max: alpha = 1 + contrast,
 * beta = brightness). */
nb_tensor *nb_aug_brightness_contrast(const nb_tensor *x, const float *alpha,
                                      const float *beta, bool clip);

/* Mixup (Zhang et al. 2018): out[n] = lam·x[n] + (1 − lam)·x[perm[n]]; perm 0-based. */
nb_tensor *nb_mixup(const nb_tensor *x, const int64_t *perm, float lam);

/* CutMix (Yun et al. 2019): out[n] = x[n] with the box (row0, col0, h, w) (0-based,
 * clipped to the image) taken from x[perm[n]]. */
nb_tensor *nb_cutmix(const nb_tensor *x, const int64_t *perm, int64_t row0, int64_t col0,
                     int64_t h, int64_t w);

#endif

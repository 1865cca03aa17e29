/* Pooling over 2-D windows (src/ops/pool.c): max, average, adaptive average. */
#ifndef NABLA_POOL_H
#define NABLA_POOL_H
#include <stdbool.h>
#include "../core/tensor.h"

/* Window geometry: {height, width} pairs. */
typedef struct nb_pool2d_opts {
    int64_t kernel[2];    /* >= 1 */
    int64_t stride[2];    /* >= 1 (PyTorch's default is the kernel size) */
    int64_t padding[2];   /* 0 ≤ padding ≤ kernel / 2 */
    int64_t dilation[2];  /* >= 1 (max pooling only; average pooling takes 1) */
    bool ceil_mode;       /* round the output size up (the last window may hang over) */
    bool count_include_pad; /* average pooling: padded zeros count in the divisor */
} nb_pool2d_opts;

/* x (N, C, H, W) or (C, H, W) -> (N, C, H', W'); H' = (H + 2p − d·(k − 1) − 1) / s + 1.
 * max_pool2d keeps the argmax of every window for backward; indices, if not NULL, receives
 * a new tensor of them (1-based flat positions in each H·W plane, as float). */
nb_tensor *nb_max_pool2d(nb_tensor *x, const nb_pool2d_opts *o, nb_tensor **indices);
nb_tensor *nb_avg_pool2d(nb_tensor *x, const nb_pool2d_opts *o);
/* Output (N, C, oh, ow); window i spans [floor(i·H/oh), ceil((i+1)·H/oh)). {1, 1} is
 * global average pooling. */
nb_tensor *nb_adaptive_avg_pool2d(nb_tensor *x, int64_t oh, int64_t ow);
#endif

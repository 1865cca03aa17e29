/* nabla ops: one header per op family, each op's forward and backward side by side in its .c
 * file. All follow the conventions at the top of src/core/tensor.h (new reference or NULL +
 * nb_error; 0-based dims; 1-based index tensors). */
#ifndef NABLA_OPS_H
#define NABLA_OPS_H

#include "../autograd/autograd.h"
#include "../core/tensor.h"
#include "elementwise.h"
#include "shape.h"
#include "index.h"
#if __has_include("reduce.h")
#include "reduce.h"
#endif
#if __has_include("matmul.h")
#include "matmul.h"
#endif
#if __has_include("conv.h")
#include "conv.h"
#endif
#include "resize.h"
#if __has_include("pool.h")
#include "pool.h"
#endif
#if __has_include("norm.h")
#include "norm.h"
#endif
#if __has_include("loss.h")
#include "loss.h"
#endif

#endif

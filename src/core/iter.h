/* Strided loops over up to three operands (an output and two inputs) of one shape.
 * Broadcasting is expressed with stride 0. Adjacent dims that are contiguous in every
 * operand are merged first, so a contiguous tensor is a single run of n elements; the
 * kernel then sees runs (n, pointers, element strides) and specialises on stride 1/0. */
#ifndef NABLA_ITER_H
#define NABLA_ITER_H
#include "tensor.h"

/* A run of n elements: o[i*so] = f(a[i*sa], b[i*sb]). b (and sb) are unused by unary
 * kernels. ctx carries op parameters (a scalar, a slope...). */
typedef void (*nb_kernel3)(int64_t n, float *o, int64_t so, const float *a, int64_t sa,
                           const float *b, int64_t sb, const void *ctx);

/* Runs k over every element of shape. Strides are in elements; a or b may be NULL.
 * Parallel (OpenMP) when the tensor is large enough to pay for the threads. */
void nb_run3(int ndim, const int64_t *shape, float *o, const int64_t *so, const float *a,
             const int64_t *sa, const float *b, const int64_t *sb, nb_kernel3 k,
             const void *ctx);

/* The same, always on the calling thread: for kernels whose output runs may overlap
 * (stride 0 in o, as when summing a gradient down to a broadcast shape). */
void nb_run3_serial(int ndim, const int64_t *shape, float *o, const int64_t *so,
                    const float *a, const int64_t *sa, const float *b, const int64_t *sb,
                    nb_kernel3 k, const void *ctx);

/* Strides of t seen as a tensor of shape (ndim, shape) under broadcasting: missing
 * leading dims and size-1 dims get stride 0. t must be broadcastable to shape. */
void nb_broadcast_strides(const nb_tensor *t, int ndim, const int64_t *shape, int64_t *out);

#define NB_PAR_MIN 32768   /* elements below which threads cost more than they save */
#endif

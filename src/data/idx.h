/* IDX files (the format of MNIST and Fashion-MNIST, http://yann.lecun.com/exdb/mnist/):
 *
 *   bytes 0-1   0x00 0x00
 *   byte  2     element type: 0x08 ubyte, 0x09 sbyte, 0x0B short (2 bytes), 0x0C int (4),
 *               0x0D float (4), 0x0E double (8)
 *   byte  3     number of dimensions d
 *   then        d sizes, 4-byte big-endian unsigned
 *   then        the data, row-major, big-endian
 *
 * Every header field is checked against the size of the file: a wrong magic, a dimension
 * count above NB_MAXDIM, sizes whose product overflows, a truncated file or one longer
 * than its header says are errors (nb_error, naming the file); nothing is read past the
 * end of a buffer.
 */
#ifndef NABLA_IDX_H
#define NABLA_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "../core/tensor.h"

enum {
    NB_IDX_UBYTE = 0x08,
    NB_IDX_SBYTE = 0x09,
    NB_IDX_SHORT = 0x0B,
    NB_IDX_INT = 0x0C,
    NB_IDX_FLOAT = 0x0D,
    NB_IDX_DOUBLE = 0x0E,
};

/* Bytes per element of an IDX type, 0 if the type is unknown. */
int nb_idx_type_size(int type);

/* A float32 tensor of the file's shape holding its values (bytes are not rescaled:
 * MNIST pixels come out as 0..255). NULL and nb_error on any problem. */
nb_tensor *nb_read_idx(const char *path);

/* The raw bytes of a ubyte IDX file (for images kept compact in memory: a batch is
 * converted to float only when needed). Sets *ndim and shape[0..ndim), and *nbytes to the
 * number of bytes returned (the product of the shape). The caller frees the result with
 * free(). NULL and nb_error on any problem, including a file of another element type.
 * An empty file body returns a valid 1-byte allocation with *nbytes = 0. */
uint8_t *nb_read_idx_u8(const char *path, int *ndim, int64_t shape[NB_MAXDIM], size_t *nbytes);

/* Writes t (any shape up to NB_MAXDIM dims, any strides) as an IDX file of the given
 * element type; values are rounded toward zero for the integer types and must fit the
 * type's range (an error otherwise). Returns 0, or -1 and nb_error. The write is atomic
 * (a temporary file renamed over path). */
int nb_write_idx(const char *path, const nb_tensor *t, int type);

#endif

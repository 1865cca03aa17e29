#!/usr/bin/env python3
"""Make datasets/mnist-small/ from the full MNIST in datasets/mnist/ (run datasets/fetch first).

Stratified: from the training file, the first 200 images of each digit (2,000 in all); from the
test file, the first 50 of each digit (500 in all); both kept in the original file order.
Written as uncompressed IDX files with the standard names, then their SHA-256 are appended to
datasets/SHA256SUMS (replacing earlier mnist-small lines). Python standard library only."""
import hashlib, os, struct

HERE = os.path.dirname(os.path.abspath(__file__))

def read_idx(path):
    with open(path, "rb") as f:
        b = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", b[:4])
    assert zero == 0 and dtype == 0x08, path
    shape = struct.unpack(">" + "I" * ndim, b[4:4 + 4 * ndim])
    return shape, b[4 + 4 * ndim:]

def write_idx(path, shape, data):
    with open(path, "wb") as f:
        f.write(struct.pack(">HBB", 0, 0x08, len(shape)))
        f.write(struct.pack(">" + "I" * len(shape), *shape))
        f.write(data)

def subset(prefix, per_class, out_prefix):
    ishape, images = read_idx(os.path.join(HERE, "mnist", prefix + "-images-idx3-ubyte"))
    _, labels = read_idx(os.path.join(HERE, "mnist", prefix + "-labels-idx1-ubyte"))
    size = ishape[1] * ishape[2]
    count = [0] * 10
    keep = []
    for i, d in enumerate(labels):
        if count[d] < per_class:
            count[d] += 1
            keep.append(i)
    write_idx(os.path.join(HERE, "mnist-small", out_prefix + "-images-idx3-ubyte"),
              (len(keep), ishape[1], ishape[2]), b"".join(images[i * size:(i + 1) * size] for i in keep))
    write_idx(os.path.join(HERE, "mnist-small", out_prefix + "-labels-idx1-ubyte"),
              (len(keep),), bytes(labels[i] for i in keep))

os.makedirs(os.path.join(HERE, "mnist-small"), exist_ok=True)
subset("train", 200, "train")
subset("t10k", 50, "t10k")
sums = os.path.join(HERE, "SHA256SUMS")
lines = [l for l in open(sums) if " mnist-small/" not in l]
for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]:
    with open(os.path.join(HERE, "mnist-small", name), "rb") as f:
        lines.append("%s  mnist-small/%s\n" % (hashlib.sha256(f.read()).hexdigest(), name))
open(sums, "w").writelines(lines)

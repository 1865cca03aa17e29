#!/usr/bin/python3
"""The PyTorch side of bench/bench_conv.lua: forward + backward of the MNIST CNN's layers
(batch 64) with 2 threads, as nn.Conv2d / F.* are used in training. Prints one line per
case: `name milliseconds` (the fastest of the timed repetitions: on a shared machine the
minimum is the estimate least disturbed by other processes).

    /usr/bin/python3 bench/torch_conv.py [repetitions]"""
import os
import sys
import time

# Debian's torch calls the pthread OpenBLAS, whose own threads fight torch's OpenMP ones on
# 2 cores; with OpenBLAS on one thread (as nabla runs it) torch is at its best. Set before
# the import.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch
import torch.nn.functional as F

torch.set_num_threads(2)
torch.manual_seed(0)
REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 20


def conv(n, c, h, o, k, x_grad, **kw):
    x = torch.randn(n, c, h, h, requires_grad=x_grad)
    m = torch.nn.Conv2d(c, o, k, **kw)

    def step():
        x.grad = None
        m.weight.grad = m.bias.grad = None
        y = m(x)
        y.backward(torch.ones_like(y))
    return step


def op(f, *shape):
    x = torch.randn(*shape, requires_grad=True)

    def step():
        x.grad = None
        y = f(x)
        y.backward(torch.ones_like(y))
    return step


def bn(n, c, h):
    x = torch.randn(n, c, h, h, requires_grad=True)
    m = torch.nn.BatchNorm2d(c)

    def step():
        x.grad = None
        m.weight.grad = m.bias.grad = None
        y = m(x)
        y.backward(torch.ones_like(y))
    return step


def ce():
    z = torch.randn(64, 10, requires_grad=True)
    t = torch.randint(0, 10, (64,))

    def step():
        z.grad = None
        F.cross_entropy(z, t).backward()
    return step


# the same names and shapes as bench/bench_conv.lua
CASES = [
    ("cnn.conv1 64x1x28x28 32c3", conv(64, 1, 28, 32, 3, False)),
    ("cnn.conv2 64x32x26x26 64c3", conv(64, 32, 26, 64, 3, True)),
    ("lenet.conv1 64x1x28x28 16c5", conv(64, 1, 28, 16, 5, False)),
    ("lenet.conv2 64x16x12x12 32c5", conv(64, 16, 12, 32, 5, True)),
    ("conv 64x32x14x14 64c3 pad1", conv(64, 32, 14, 64, 3, True, padding=1)),
    ("conv1x1 64x64x12x12 32c1", conv(64, 64, 12, 32, 1, True)),
    ("max_pool2d 64x64x24x24 k2", op(lambda x: F.max_pool2d(x, 2), 64, 64, 24, 24)),
    ("batch_norm2d 64x32x26x26", bn(64, 32, 26)),
    ("cross_entropy 64x10", ce()),
]

for name, step in CASES:
    for _ in range(3):
        step()
    times = []
    for _ in range(REPS):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    print("%s\t%.4f" % (name, min(times) * 1e3), flush=True)

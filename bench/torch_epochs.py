#!/usr/bin/python3
"""The PyTorch side of bench/bench_epochs.lua: training epochs on the real MNIST, 2 threads,
batch 64, Adam (lr 1e-3), cross-entropy, the data in memory (NABLA_NUM_THREADS sets
another thread count, as it does for nabla). One model per process, so
that the peak RSS printed is this model's alone.

    /usr/bin/python3 bench/torch_epochs.py MODEL [BATCHES] [MNIST_DIR] [LOADER]

MODEL: mlp | lenet | cnn | gru | lstm. BATCHES: time the first N batches of the epoch and
extrapolate to the whole epoch (0 or absent: the whole epoch, 938 batches).
LOADER: "index" (default) keeps the 60,000 images as one uint8 tensor and makes each
batch by indexing it with a slice of a random permutation, then converting to float in
[0, 1], which is what nabla's loader does; "dataloader" is the usual
DataLoader(TensorDataset(float images), batch_size=64, shuffle=True) of the tutorials,
which costs more per batch (one __getitem__ per example, then collate).

Prints one line: `MODEL<TAB>seconds per epoch<TAB>batches timed<TAB>peak RSS MiB`."""
import os
import resource

# Debian's torch calls the pthread OpenBLAS, which starts its own busy threads beside
# torch's OpenMP ones: on 2 cores they fight (MLP epoch 8.1 s, LSTM 52 s). With OpenBLAS on
# one thread (as nabla runs it) torch is at its best: 4.2 s and 18 s. Set before the import.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import struct
import sys
import time

import numpy
import torch
import torch.nn as nn

torch.set_num_threads(int(os.environ.get("NABLA_NUM_THREADS", "2")))
torch.manual_seed(0)

model_name = sys.argv[1]
BATCHES = int(sys.argv[2]) if len(sys.argv) > 2 else 0
MNIST = sys.argv[3] if len(sys.argv) > 3 else "datasets/mnist"
LOADER = sys.argv[4] if len(sys.argv) > 4 else "index"
B = 64
WARMUP = 3


def read_idx(path):
    """an IDX file of bytes as a uint8 tensor, read into one buffer (no transient copies
    to inflate the peak RSS)"""
    with open(path, "rb") as f:
        head = f.read(4)
        dims = struct.unpack(">" + "I" * head[3], f.read(4 * head[3]))
        return torch.from_numpy(numpy.fromfile(f, dtype=numpy.uint8)).view(*dims)


class RowReader(nn.Module):
    """A GRU/LSTM reading the 28 rows of the image as a sequence; the last state is classified."""

    def __init__(self, cell):
        super().__init__()
        self.rnn = cell(28, 128, batch_first=True)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        out, _ = self.rnn(x.view(x.shape[0], 28, 28))
        return self.fc(out[:, -1])


def make(name):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    if name == "lenet":
        return nn.Sequential(
            nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 4 * 4, 10))
    if name == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 12 * 12, 128), nn.ReLU(), nn.Linear(128, 10))
    if name == "gru":
        return RowReader(nn.GRU)
    if name == "lstm":
        return RowReader(nn.LSTM)
    raise SystemExit("torch_epochs.py: unknown model " + name)


images = read_idx(MNIST + "/train-images-idx3-ubyte")          # (60000, 28, 28) uint8
labels = read_idx(MNIST + "/train-labels-idx1-ubyte").long()   # (60000,)
N = images.shape[0]
n_batches = (N + B - 1) // B


def batches_index():
    perm = torch.randperm(N)
    for i in range(0, N, B):
        ids = perm[i:i + B]
        yield images[ids].unsqueeze(1).float().div_(255), labels[ids]


def batches_dataloader():
    ds = torch.utils.data.TensorDataset(images.unsqueeze(1).float().div_(255), labels)
    yield from torch.utils.data.DataLoader(ds, batch_size=B, shuffle=True)


model = make(model_name)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
timed = min(BATCHES, n_batches) if BATCHES > 0 else n_batches
it = batches_index() if LOADER == "index" else batches_dataloader()
start = None
for k, (x, y) in enumerate(it):
    if k == WARMUP:
        start = time.perf_counter()
    if k == WARMUP + timed:
        break
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    if k == 0 and not torch.isfinite(loss):
        raise SystemExit("torch_epochs.py: the loss is not finite")
# The first WARMUP batches are not timed; when the whole epoch is asked for, the rest of
# the epoch (n_batches - WARMUP batches) is what was timed, scaled to n_batches.
elapsed = time.perf_counter() - start
done = min(timed, n_batches - WARMUP)
per_epoch = elapsed / done * n_batches
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("%s\t%.3f\t%d\t%.0f" % (model_name, per_epoch, done, peak), flush=True)

#!/usr/bin/python3
"""The PyTorch side of bench/bench_rnn.lua: forward + backward of nn.LSTM and nn.GRU
(batch 64, 28 steps, input 28, hidden 128, batch_first, as the MNIST row reader uses them)
and the gate nonlinearities alone, with 2 threads (or NABLA_NUM_THREADS). Prints one line per case:
`name<TAB>milliseconds` (the fastest of the timed repetitions).

    /usr/bin/python3 bench/torch_rnn.py [repetitions]"""
import os
import sys

# Debian's torch calls the pthread OpenBLAS, which starts its own busy threads beside
# torch's OpenMP ones: on 2 cores they fight (MLP epoch 8.1 s, LSTM 52 s). With OpenBLAS on
# one thread (as nabla runs it) torch is at its best: 4.2 s and 18 s. Set before the import.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import time

import torch

torch.set_num_threads(int(os.environ.get("NABLA_NUM_THREADS", "2")))
torch.manual_seed(0)
REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 20


def rnn(cell):
    m = cell(28, 128, batch_first=True)
    x = torch.randn(64, 28, 28)

    def step():
        for p in m.parameters():
            p.grad = None
        out, _ = m(x)
        out.backward(torch.ones_like(out))
    return step


def pointwise(f, *shape):
    x = torch.randn(*shape)
    return lambda: f(x)


# the same names and shapes as bench/bench_rnn.lua
CASES = [
    ("LSTM fwd+bwd 64x28x28 h128", rnn(torch.nn.LSTM)),
    ("GRU fwd+bwd 64x28x28 h128", rnn(torch.nn.GRU)),
    ("tanh 64x128", pointwise(torch.tanh, 64, 128)),
    ("sigmoid 64x512", pointwise(torch.sigmoid, 64, 512)),
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

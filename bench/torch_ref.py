#!/usr/bin/python3
"""PyTorch reference figures for nabla's benchmarks (run with Debian's python3-torch):

    /usr/bin/python3 bench/torch_ref.py

On 2 threads, as nabla's benchmarks: torch.mm GFLOP/s at the sizes of bench/bench_mm.c,
the per-call cost of adding two 1-element tensors (bench/bench_overhead.lua), and one
autograd gradient-descent step on y = w·x + b over 100 points (bench/bench_gd.lua).
Each figure is the best of 5 rounds."""
import time

import torch

torch.set_num_threads(2)
torch.manual_seed(0)


def best(fn, reps, rounds=5):
    """seconds per call of fn: the best round of reps calls"""
    fn()
    t = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        t = min(t, (time.perf_counter() - t0) / reps)
    return t


print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads")

print("torch.mm (n×n · n×n, float32, the output allocated by each call):")
for n in (128, 256, 512, 1024, 2048):
    a, b = torch.randn(n, n), torch.randn(n, n)
    flop = 2.0 * n ** 3
    reps = max(1, int(0.1 / (flop / 150e9)))  # about 0.1 s per round
    t = best(lambda: torch.mm(a, b), reps)
    print(f"  mm {n:5d}  {flop / t / 1e9:7.1f} GFLOP/s")

a, b = torch.randn(1), torch.randn(1)
t = best(lambda: a + b, 200000)
print(f"tiny add (1-element tensors):  {t * 1e6:.3f} us per call")

x = torch.linspace(-1, 1, 100)
y = 3 * x + 0.5 + 0.1 * torch.randn(100)
w = torch.zeros(1, requires_grad=True)
bias = torch.zeros(1, requires_grad=True)
lr = 0.1


def gd_step():
    loss = ((w * x + bias - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w.sub_(lr * w.grad)
        bias.sub_(lr * bias.grad)
    w.grad.zero_()
    bias.grad.zero_()


t = best(gd_step, 20000)
print(f"gradient-descent step (y = w x + b, 100 points, MSE, backward, update, zero grads):"
      f"  {t * 1e6:.2f} us")
print(f"  after the steps: w = {w.item():.4f}, b = {bias.item():.4f} (data: w = 3, b = 0.5)")

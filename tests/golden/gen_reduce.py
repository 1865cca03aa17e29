#!/usr/bin/python3
"""Golden values for nabla's reductions, softmax and index ops, from PyTorch.

Run by developers, not by CI:  /usr/bin/python3 tests/golden/gen_reduce.py
Writes tests/golden/reduce.lua: for each case, the inputs, the outputs, an upstream
gradient per differentiable output and the gradients of the float inputs (float32, 9
significant digits). Index tensors (inputs and outputs) are written 1-based, as nabla
reads and writes them; index inputs get no gradient (an empty entry)."""
import os
import torch
import torch.nn.functional as F

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reduce.lua")


def lua(v):
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {lua(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "{" + ", ".join(lua(x) for x in v) + "}"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v != v:
            return "0/0"
        if v in (float("inf"), float("-inf")):
            return "math.huge" if v > 0 else "-math.huge"
        return "%.9g" % v
    if isinstance(v, int):
        return str(v)
    raise TypeError(type(v))


def tens(t):
    if t.dtype == torch.int64:  # an index tensor: 1-based in nabla
        t = t + 1
    t = t.detach().float()
    return {"shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]}


EMPTY = {"shape": [], "data": []}
cases = {}


def case(name, f, *inputs):
    """f(*inputs) returns a tensor or a tuple (values, indices); float inputs get grads."""
    xs = [x.clone().float().requires_grad_(True) if x.dtype.is_floating_point else x.clone()
          for x in inputs]
    out = f(*xs)
    outs = list(out) if isinstance(out, tuple) else [out]
    entry = {"inputs": [tens(x) for x in xs], "outs": [tens(o) for o in outs]}
    diff = [o for o in outs if o.dtype.is_floating_point and o.requires_grad]
    if diff:
        ups = [torch.randn_like(o) for o in diff]
        torch.autograd.backward(diff, ups)
        entry["upstream"] = [tens(u) for u in ups]
        entry["grads"] = [tens(x.grad) if x.dtype.is_floating_point and x.grad is not None
                          else EMPTY for x in xs]
    cases[name] = entry


a = torch.randn(3, 4)
b3 = torch.randn(2, 3, 4)
w = torch.randn(5, 6)
small = torch.rand(3, 4) + 0.5
ties = torch.tensor([[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, -1.0, 0.5], [2.0, -4.0, 2.0, -4.0]])

case("sum", lambda x: x.sum(), a)
case("sum_dim1", lambda x: x.sum(0), a)
case("sum_dim2_keepdim", lambda x: x.sum(1, keepdim=True), a)
case("sum_3d_dim2", lambda x: x.sum(1), b3)
case("sum_3d_dims13", lambda x: x.sum((0, 2)), b3)
case("mean", lambda x: x.mean(), a)
case("mean_3d_dim_last", lambda x: x.mean(-1), b3)
case("mean_3d_dim1_keepdim", lambda x: x.mean(0, keepdim=True), b3)
case("var", lambda x: x.var(), a)
case("var_dim2_biased_keepdim", lambda x: x.var(1, unbiased=False, keepdim=True), a)
case("var_3d_dim2", lambda x: x.var(1), b3)
case("std", lambda x: x.std(), a)
case("std_dim1", lambda x: x.std(0), a)
case("std_3d_dim3_biased", lambda x: x.std(2, unbiased=False), b3)
case("prod", lambda x: x.prod(), small)
case("prod_dim2", lambda x: x.prod(1), a)
case("prod_one_zero", lambda x: x.prod(1), torch.tensor([[1.5, 0.0, -2.0], [0.0, 0.0, 3.0]]))
case("max", lambda x: x.max(), a)
case("min", lambda x: x.min(), a)
case("max_ties", lambda x: x.max(), ties)
case("max_dim2", lambda x: x.max(1), a)
case("max_dim2_ties", lambda x: x.max(1), ties)
case("min_dim1_keepdim", lambda x: x.min(0, keepdim=True), a)
case("max_3d_dim2", lambda x: x.max(1), b3)
case("argmax", lambda x: x.argmax(), a)
case("argmin", lambda x: x.argmin(), a)
case("argmax_dim2", lambda x: x.argmax(1), a)
case("argmin_3d_dim1", lambda x: x.argmin(0), b3)
case("logsumexp", lambda x: x.logsumexp((0, 1)), a)
case("logsumexp_dim2", lambda x: x.logsumexp(1), a)
case("logsumexp_3d_dim2_keepdim", lambda x: x.logsumexp(1, keepdim=True), b3)
case("norm", lambda x: x.norm(), a)
case("norm_p1", lambda x: x.norm(1), a)
case("norm_p3_dim2", lambda x: x.norm(3, 1), a)
case("norm_inf_dim1", lambda x: x.norm(float("inf"), 0), a)
case("norm_dim2_keepdim", lambda x: x.norm(2, 1, keepdim=True), a)
case("softmax", lambda x: F.softmax(x, -1), w)
case("softmax_dim1", lambda x: F.softmax(x, 0), w)
case("softmax_3d_dim2", lambda x: F.softmax(x, 1), b3)
case("log_softmax", lambda x: F.log_softmax(x, -1), w)
case("log_softmax_dim1", lambda x: F.log_softmax(x, 0), w)
case("log_softmax_3d_dim2", lambda x: F.log_softmax(x, 1), b3)
case("softmax_large", lambda x: F.softmax(x, -1), torch.tensor([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -1001.0]]))
case("log_softmax_large", lambda x: F.log_softmax(x, -1), torch.tensor([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -1001.0]]))
case("index_select_dim1", lambda x, i: x.index_select(0, i), w, torch.tensor([4, 0, 4, 2]))
case("index_select_dim2", lambda x, i: x.index_select(1, i), w, torch.tensor([5, 1, 1]))
case("index_select_3d_dim3", lambda x, i: x.index_select(2, i), b3, torch.tensor([3, 3, 0]))
case("gather_dim2", lambda x, i: x.gather(1, i), w, torch.tensor([[0, 5], [1, 1], [2, 0], [5, 5], [3, 4]]))
case("gather_dim1", lambda x, i: x.gather(0, i), w, torch.tensor([[4, 0, 1, 1, 2, 3], [0, 0, 0, 4, 4, 4]]))
case("gather_3d_dim3", lambda x, i: x.gather(2, i), b3, torch.randint(0, 4, (2, 3, 2)))
case("scatter_add_dim1", lambda x, i, s: x.scatter_add(0, i, s), a,
     torch.tensor([[2, 0, 0, 1], [2, 2, 1, 0]]), torch.randn(2, 4))
case("scatter_add_dim2_small_index", lambda x, i, s: x.scatter_add(1, i, s), a,
     torch.tensor([[3, 3], [0, 1], [2, 2]]), torch.randn(3, 2))
case("one_hot", lambda i: F.one_hot(i, 5).float(), torch.tensor([[0, 4], [2, 2], [1, 3]]))
case("masked_fill", lambda x, m: x.masked_fill(m > 0, -7.5), a, torch.randn(3, 4))
case("masked_fill_broadcast", lambda x, m: x.masked_fill(m > 0, 2.0), a, torch.tensor([1.0, -1.0, 1.0, -1.0]))

with open(OUT, "w") as f:
    f.write("-- generated by tests/golden/gen_reduce.py with PyTorch %s; do not edit\n" % torch.__version__)
    f.write("return {\n")
    for name, entry in cases.items():
        f.write("  %s = %s,\n" % (name, lua(entry)))
    f.write("}\n")
print("wrote %d cases to %s" % (len(cases), OUT))

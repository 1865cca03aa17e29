#!/usr/bin/python3
"""Golden values for nabla's layer kernels and losses (conv, pooling, normalisation,
embedding, every loss with every option), from PyTorch (Debian's python3-torch).

Run by developers, not by CI:  /usr/bin/python3 tests/golden/gen_nn_kernels.py
Writes tests/golden/nn_kernels.lua: for each case, the inputs (and which need a gradient),
the output, an upstream gradient, the gradients of the inputs, and for batch_norm the
inputs after the call (running statistics updated in place). Class ids are stored 1-based,
as nabla uses them; the functions below convert them for PyTorch."""
import os
import torch
import torch.nn.functional as F

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nn_kernels.lua")


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
    t = t.detach().float()
    return {"shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]}


cases = {}


def case(name, f, *inputs, grad=None, after=False):
    """inputs are float tensors; grad[i] says whether input i is differentiable (default:
    all). f gets clones; running statistics it updates are recorded when after=True."""
    grad = grad if grad is not None else [True] * len(inputs)
    xs = [x.clone().float().requires_grad_(g) for x, g in zip(inputs, grad)]
    entry = {"inputs": [tens(x) for x in xs], "needs": list(grad)}
    out = f(*xs)
    entry["out"] = tens(out)
    if after:
        entry["after"] = [tens(x) for x in xs]
    if not out.requires_grad:  # a forward-only case
        cases[name] = entry
        return
    up = torch.randn_like(out)
    out.backward(up)
    entry["upstream"] = tens(up)
    entry["grads"] = [tens(x.grad) if x.grad is not None else {"shape": [], "data": []}
                      for x in xs]
    cases[name] = entry


def ids(t):  # 1-based float class ids -> PyTorch's 0-based long
    return (t.detach() - 1).long()


def classes(*shape, C):
    return torch.randint(1, C + 1, shape).float()


# ---- conv2d --------------------------------------------------------------------------------
x = torch.randn(2, 3, 7, 6)
case("conv_basic", lambda x, w, b: F.conv2d(x, w, b), x, torch.randn(4, 3, 3, 3), torch.randn(4))
case("conv_stride_pad", lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2)),
     x, torch.randn(4, 3, 3, 2), torch.randn(4))
case("conv_dilation", lambda x, w, b: F.conv2d(x, w, b, padding=1, dilation=2),
     torch.randn(1, 2, 9, 8), torch.randn(3, 2, 3, 3), torch.randn(3))
case("conv_groups", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, groups=2),
     torch.randn(2, 4, 6, 6), torch.randn(6, 2, 3, 3), torch.randn(6))
case("conv_depthwise", lambda x, w: F.conv2d(x, w, None, padding=1, groups=3),
     torch.randn(2, 3, 5, 5), torch.randn(3, 1, 3, 3))
case("conv_1x1", lambda x, w, b: F.conv2d(x, w, b), torch.randn(2, 4, 5, 5),
     torch.randn(3, 4, 1, 1), torch.randn(3))
case("conv_1x1_stride", lambda x, w: F.conv2d(x, w, None, stride=2), torch.randn(2, 4, 5, 5),
     torch.randn(3, 4, 1, 1))
case("conv_unbatched", lambda x, w, b: F.conv2d(x, w, b, padding=1), torch.randn(2, 4, 4),
     torch.randn(3, 2, 3, 3), torch.randn(3))
case("conv_5x5_same", lambda x, w, b: F.conv2d(x, w, b, padding="same"),
     torch.randn(2, 2, 6, 6), torch.randn(3, 2, 5, 5), torch.randn(3))

# ---- pooling ---------------------------------------------------------------------------------
x = torch.randn(2, 3, 6, 7)
case("max_pool", lambda x: F.max_pool2d(x, 2), x)
case("max_pool_overlap_pad", lambda x: F.max_pool2d(x, 3, 2, 1), x)
case("max_pool_dilation_ceil", lambda x: F.max_pool2d(x, 2, 2, 0, 2, ceil_mode=True), x)
case("max_pool_rect", lambda x: F.max_pool2d(x, (2, 3), (1, 2), (1, 1)), x)
case("avg_pool", lambda x: F.avg_pool2d(x, 2), x)
case("avg_pool_pad", lambda x: F.avg_pool2d(x, 3, 2, 1), x)
case("avg_pool_pad_exclude_ceil",
     lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False), x)
case("adaptive_avg_global", lambda x: F.adaptive_avg_pool2d(x, (1, 1)), x)
case("adaptive_avg_4x5", lambda x: F.adaptive_avg_pool2d(x, (4, 5)), x)
case("adaptive_avg_unbatched", lambda x: F.adaptive_avg_pool2d(x, 3), torch.randn(2, 5, 7))

# ---- normalisation -----------------------------------------------------------------------------
def bn(training, momentum=0.1, eps=1e-5):
    return lambda x, rm, rv, w, b: F.batch_norm(x, rm, rv, w, b, training, momentum, eps)


stats = lambda C: (torch.randn(C) * 0.1, torch.rand(C) + 0.5)
case("batch_norm_train_2d", bn(True), torch.randn(8, 5) * 2 + 1, *stats(5), torch.randn(5),
     torch.randn(5), grad=[True, False, False, True, True], after=True)
case("batch_norm_train_4d", bn(True, 0.3), torch.randn(4, 3, 5, 5), *stats(3), torch.randn(3),
     torch.randn(3), grad=[True, False, False, True, True], after=True)
case("batch_norm_train_3d", bn(True, 0.1, 1e-3), torch.randn(4, 3, 6), *stats(3),
     torch.randn(3), torch.randn(3), grad=[True, False, False, True, True], after=True)
case("batch_norm_eval_4d", bn(False), torch.randn(4, 3, 5, 5), *stats(3), torch.randn(3),
     torch.randn(3), grad=[True, False, False, True, True], after=True)
case("batch_norm_batch_stats_noaffine", lambda x: F.batch_norm(x, None, None, None, None, True),
     torch.randn(6, 4, 3))
case("layer_norm", lambda x, w, b: F.layer_norm(x, (6, 5), w, b), torch.randn(4, 6, 5) * 3,
     torch.randn(6, 5), torch.randn(6, 5))
case("layer_norm_1d_noaffine", lambda x: F.layer_norm(x, (7,), eps=1e-3), torch.randn(3, 7))
case("group_norm", lambda x, w, b: F.group_norm(x, 3, w, b), torch.randn(2, 6, 4, 3),
     torch.randn(6), torch.randn(6))
case("group_norm_noaffine", lambda x: F.group_norm(x, 2, eps=1e-3), torch.randn(3, 4, 5))
case("instance_like_group_norm", lambda x, w, b: F.group_norm(x, 4, w, b),
     torch.randn(2, 4, 3, 3), torch.randn(4), torch.randn(4))

# ---- embedding -----------------------------------------------------------------------------------
E = torch.randn(10, 4)
idx = torch.tensor([[1, 3, 10], [3, 3, 2]]).float()
case("embedding", lambda i, w: F.embedding(ids(i), w), idx, E, grad=[False, True])
case("embedding_padding", lambda i, w: F.embedding(ids(i), w, padding_idx=2), idx, E,
     grad=[False, True])

# ---- losses ---------------------------------------------------------------------------------------
N, C = 6, 5
z = torch.randn(N, C) * 2
t = classes(N, C=C)
t[2] = 4
cw = torch.rand(C) + 0.5
case("ce", lambda z, t: F.cross_entropy(z, ids(t)), z, t, grad=[True, False])
case("ce_sum", lambda z, t: F.cross_entropy(z, ids(t), reduction="sum"), z, t, grad=[True, False])
case("ce_none", lambda z, t: F.cross_entropy(z, ids(t), reduction="none"), z, t, grad=[True, False])
case("ce_weight", lambda z, t, w: F.cross_entropy(z, ids(t), weight=w), z, t, cw,
     grad=[True, False, False])
case("ce_smoothing", lambda z, t: F.cross_entropy(z, ids(t), label_smoothing=0.2), z, t,
     grad=[True, False])
case("ce_weight_smoothing_ignore",
     lambda z, t, w: F.cross_entropy(z, ids(t), weight=w, label_smoothing=0.1, ignore_index=3),
     z, t, cw, grad=[True, False, False])
case("ce_weight_smoothing_none",
     lambda z, t, w: F.cross_entropy(z, ids(t), weight=w, label_smoothing=0.3, reduction="none"),
     z, t, cw, grad=[True, False, False])
case("ce_ignore_sum", lambda z, t: F.cross_entropy(z, ids(t), ignore_index=3, reduction="sum"),
     z, t, grad=[True, False])
soft = torch.softmax(torch.randn(N, C), 1)
case("ce_soft", lambda z, p: F.cross_entropy(z, p), z, soft)
case("ce_soft_weight_smoothing",
     lambda z, p, w: F.cross_entropy(z, p, weight=w, label_smoothing=0.2), z, soft, cw,
     grad=[True, True, False])
case("ce_soft_none", lambda z, p: F.cross_entropy(z, p, reduction="none"), z, soft)
case("ce_spatial", lambda z, t, w: F.cross_entropy(z, ids(t), weight=w, label_smoothing=0.1),
     torch.randn(2, 4, 3, 3), classes(2, 3, 3, C=4), torch.rand(4) + 0.5,
     grad=[True, False, False])
case("ce_unbatched", lambda z, t: F.cross_entropy(z, ids(t)), torch.randn(5),
     torch.tensor(2.0), grad=[True, False])
case("ce_large_logits", lambda z, t: F.cross_entropy(z, ids(t)),
     torch.tensor([[1000.0, -1000.0, 0.0], [-500.0, 500.0, 499.0]]), torch.tensor([1.0, 3.0]),
     grad=[True, False])
logp = torch.log_softmax(torch.randn(N, C), 1)
case("nll", lambda l, t: F.nll_loss(l, ids(t)), logp, t, grad=[True, False])
case("nll_weight_ignore", lambda l, t, w: F.nll_loss(l, ids(t), weight=w, ignore_index=3),
     logp, t, cw, grad=[True, False, False])
case("nll_none", lambda l, t: F.nll_loss(l, ids(t), reduction="none"), logp, t, grad=[True, False])
case("nll_sum_spatial", lambda l, t: F.nll_loss(l, ids(t), reduction="sum"),
     torch.log_softmax(torch.randn(2, 3, 4), 1), classes(2, 4, C=3), grad=[True, False])

a, b = torch.randn(3, 4), torch.randn(3, 4)
for red in ["mean", "sum", "none"]:
    case("mse_" + red, lambda a, b, red=red: F.mse_loss(a, b, reduction=red), a, b)
    case("l1_" + red, lambda a, b, red=red: F.l1_loss(a, b, reduction=red), a, b)
case("smooth_l1", lambda a, b: F.smooth_l1_loss(a, b), a * 2, b)
case("smooth_l1_beta", lambda a, b: F.smooth_l1_loss(a, b, beta=0.5, reduction="sum"), a, b)
case("smooth_l1_beta0", lambda a, b: F.smooth_l1_loss(a, b, beta=0.0), a, b)
case("huber", lambda a, b: F.huber_loss(a, b), a * 2, b)
case("huber_delta", lambda a, b: F.huber_loss(a, b, delta=0.7, reduction="none"), a, b)
p = torch.rand(3, 4) * 0.9 + 0.05
tb = torch.rand(3, 4)
case("bce", lambda p, t: F.binary_cross_entropy(p, t), p, tb)
case("bce_weight_sum", lambda p, t, w: F.binary_cross_entropy(p, t, weight=w, reduction="sum"),
     p, tb, torch.rand(4) + 0.5, grad=[True, True, False])
case("bce_clamp", lambda p, t: F.binary_cross_entropy(p, t, reduction="none"),
     torch.tensor([0.0, 1.0, 0.5, 1e-30]), torch.tensor([1.0, 0.0, 1.0, 1.0]), grad=[False, False])
case("bce_logits", lambda x, t: F.binary_cross_entropy_with_logits(x, t), a * 3, tb)
case("bce_logits_pos_weight",
     lambda x, t, w, pw: F.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw),
     a * 3, tb, torch.rand(3, 1) + 0.5, torch.rand(4) * 3, grad=[True, True, False, False])
case("bce_logits_large_none",
     lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction="none"),
     torch.tensor([100.0, -100.0, 30.0, -30.0]), torch.tensor([0.0, 1.0, 1.0, 0.0]))
var = torch.rand(3, 4) + 0.1
case("gaussian_nll", lambda a, b, v: F.gaussian_nll_loss(a, b, v), a, b, var)
case("gaussian_nll_full_sum", lambda a, b, v: F.gaussian_nll_loss(a, b, v, full=True, reduction="sum"),
     a, b, var)
case("gaussian_nll_var_col", lambda a, b, v: F.gaussian_nll_loss(a, b, v, reduction="none"),
     a, b, torch.rand(3, 1) + 0.1)
case("gaussian_nll_var_row", lambda a, b, v: F.gaussian_nll_loss(a, b, v), a, b,
     torch.rand(3) + 0.1)
case("gaussian_nll_eps_clamp", lambda a, b, v: F.gaussian_nll_loss(a, b, v, eps=0.05), a, b,
     torch.tensor([[0.01, 0.5, 0.02, 1.0]] * 3))

# ---- conv2d, the direct path (appended here so that the cases above keep their values) -------
# Channel counts are multiples of 16 (and of 8): nabla's direct kernels take them; the test
# runs each case with algorithm "direct" and "im2col". O = 32, 48, 80, 16 cover the kernels'
# tiles of 2, 3, 4 + 1 and 1 vectors; dx is direct where C is a multiple of the width.
case("conv_direct_pad", lambda x, w, b: F.conv2d(x, w, b, padding=(1, 2)),
     torch.randn(2, 16, 7, 6), torch.randn(32, 16, 3, 3) * 0.1, torch.randn(32))
case("conv_direct_dilation", lambda x, w, b: F.conv2d(x, w, b, padding=1, dilation=2),
     torch.randn(3, 16, 9, 8), torch.randn(48, 16, 3, 3) * 0.1, torch.randn(48))
case("conv_direct_5x5", lambda x, w, b: F.conv2d(x, w, b),
     torch.randn(2, 32, 8, 9), torch.randn(80, 32, 5, 5) * 0.05, torch.randn(80))
case("conv_direct_rect", lambda x, w: F.conv2d(x, w, None, padding=(0, 1)),
     torch.randn(2, 16, 6, 9), torch.randn(16, 16, 2, 3) * 0.1)
case("conv_direct_few_channels", lambda x, w, b: F.conv2d(x, w, b, padding=1),
     torch.randn(2, 3, 5, 5), torch.randn(16, 3, 3, 3) * 0.1, torch.randn(16))

with open(OUT, "w") as f:
    f.write("-- generated by tests/golden/gen_nn_kernels.py with PyTorch %s; do not edit\n"
            % torch.__version__)
    f.write("return {\n")
    for k in sorted(cases):
        f.write("  %s = %s,\n" % (k, lua(cases[k])))
    f.write("}\n")
print("wrote", OUT, len(cases), "cases")

#!/usr/bin/python3
"""Golden values for nabla's optimizers, schedulers and gradient clipping, from PyTorch
(Debian's python3-torch 1.13).

Run by developers, not by CI:  /usr/bin/python3 tests/golden/gen_optim.py
Writes tests/golden/optim.lua:
  params0      the starting parameters: p1 of shape (3, 4), p2 of shape (4,)
  grads        the gradients fed at each of the 20 steps (the same for every optimizer;
               at step 7, p2 has no gradient, so every optimizer must skip it)
  optimizers   per case: the class, its options (and parameter groups), and the
               parameters after every step
  schedulers   per case: the learning rate of each group after construction and after
               every sched.step() (and momentum / beta1 for OneCycleLR)
  clip         clip_grad_norm_: gradients in, total norm and gradients out
Floats are float32 printed with 9 significant digits (exact); scheduler values are
doubles printed with 17."""
import math
import os
import warnings

import torch

warnings.filterwarnings("ignore")
torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim.lua")
STEPS = 20
SKIP_P2_AT = 7  # 1-based step at which p2.grad is None


def lua(v, prec=9):
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {lua(x, prec)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "{" + ", ".join(lua(x, prec) for x in v) + "}"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v != v:
            return "0/0"
        if v in (float("inf"), float("-inf")):
            return "math.huge" if v > 0 else "-math.huge"
        return "%.*g" % (prec, v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"' + v + '"'
    if v is None:
        return "nil"
    raise TypeError(type(v))


def tens(t):
    t = t.detach().float()
    return {"shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]}


params0 = [torch.randn(3, 4), torch.randn(4)]
# Gradients of varying scale and sign, so that running averages rise and fall (AMSGrad's
# max matters, Adagrad's sum grows unevenly).
grads = []
for t in range(1, STEPS + 1):
    scale = 2.0 / t if t % 5 else 0.05
    g1 = torch.randn(3, 4) * scale + 0.3 * torch.sin(torch.arange(12.0) + t).reshape(3, 4)
    g2 = None if t == SKIP_P2_AT else torch.randn(4) * scale
    grads.append([g1, g2])


def run(cls, options, groups=None):
    ps = [p.clone().requires_grad_(True) for p in params0]
    if groups is None:
        opt = cls(ps, **options)
    else:
        opt = cls([dict(g, params=[ps[i - 1] for i in g["params"]]) for g in groups], **options)
    traj = []
    for g1, g2 in grads:
        opt.zero_grad(set_to_none=True)
        ps[0].grad = g1.clone()
        ps[1].grad = None if g2 is None else g2.clone()
        opt.step()
        traj.append([tens(p) for p in ps])
    return traj


def lua_options(options):
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in options.items()}


O = torch.optim
opt_cases = [
    ("sgd", O.SGD, dict(lr=0.1)),
    ("sgd_momentum", O.SGD, dict(lr=0.1, momentum=0.9)),
    ("sgd_dampening", O.SGD, dict(lr=0.1, momentum=0.9, dampening=0.5)),
    ("sgd_nesterov", O.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("sgd_weight_decay", O.SGD, dict(lr=0.1, momentum=0.9, weight_decay=0.1)),
    ("sgd_nesterov_weight_decay", O.SGD, dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01)),
    ("sgd_maximize", O.SGD, dict(lr=0.1, momentum=0.5, maximize=True)),
    ("adagrad", O.Adagrad, dict(lr=0.1)),
    ("adagrad_all", O.Adagrad, dict(lr=0.1, lr_decay=0.05, weight_decay=0.1,
                                    initial_accumulator_value=0.5, eps=1e-6)),
    ("adadelta", O.Adadelta, dict()),
    ("adadelta_all", O.Adadelta, dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1)),
    ("rmsprop", O.RMSprop, dict(lr=0.01)),
    ("rmsprop_momentum", O.RMSprop, dict(lr=0.01, momentum=0.9)),
    ("rmsprop_centered", O.RMSprop, dict(lr=0.01, centered=True)),
    ("rmsprop_centered_momentum", O.RMSprop, dict(lr=0.01, alpha=0.9, momentum=0.5,
                                                  centered=True, weight_decay=0.1)),
    ("adam", O.Adam, dict(lr=0.01)),
    ("adam_weight_decay", O.Adam, dict(lr=0.01, weight_decay=0.1)),
    ("adam_amsgrad", O.Adam, dict(lr=0.01, betas=(0.8, 0.99), amsgrad=True)),
    ("adam_amsgrad_all", O.Adam, dict(lr=0.01, eps=1e-3, weight_decay=0.05, amsgrad=True,
                                      maximize=True)),
    ("adamw", O.AdamW, dict(lr=0.01)),
    ("adamw_amsgrad", O.AdamW, dict(lr=0.01, betas=(0.85, 0.95), weight_decay=0.1, amsgrad=True)),
]
group_cases = [
    ("sgd_groups", O.SGD, dict(lr=0.01),
     [dict(params=[1], lr=0.1, momentum=0.9), dict(params=[2])]),
    ("adam_groups", O.Adam, dict(lr=0.01),
     [dict(params=[1]), dict(params=[2], lr=0.05, betas=(0.5, 0.9), weight_decay=0.1)]),
    ("rmsprop_groups", O.RMSprop, dict(lr=0.01, momentum=0.5),
     [dict(params=[2], centered=True), dict(params=[1], lr=0.002)]),
]

optimizers = {}
for name, cls, options in opt_cases:
    optimizers[name] = {"class": cls.__name__, "options": lua_options(options),
                        "params": run(cls, options)}
for name, cls, options, groups in group_cases:
    optimizers[name] = {"class": cls.__name__, "options": lua_options(options),
                        "groups": [lua_options(g) for g in groups],
                        "params": run(cls, options, groups)}

# ---- schedulers ------------------------------------------------------------------------
S = torch.optim.lr_scheduler


def sched_run(opt_cls, opt_kw, sched_cls, sched_kw, steps=30, metrics=None, lrs=(0.1, 0.02)):
    ps = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    opt = opt_cls([{"params": [ps[0]], "lr": lrs[0]}, {"params": [ps[1]], "lr": lrs[1]}], **opt_kw)
    sched = sched_cls(opt, **sched_kw)
    lr_seq = [[g["lr"] for g in opt.param_groups]]

    def mom():
        return [g["betas"][0] if "betas" in g else g.get("momentum", 0.0) for g in opt.param_groups]

    mom_seq = [mom()]
    for i in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        lr_seq.append([g["lr"] for g in opt.param_groups])
        mom_seq.append(mom())
    return lr_seq, mom_seq


plateau_min = [1.0, 0.8, 0.7, 0.69995, 0.7, 0.71, 0.65, 0.66, 0.66, 0.66, 0.66, 0.5, 0.5, 0.5,
               0.5, 0.5, 0.5, 0.49, 0.49, 0.49, 0.4, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45,
               0.45, 0.45]
plateau_max = [0.1, 0.2, 0.25, 0.26, 0.3, 0.3, 0.3, 0.3, 0.45, 0.5, 0.5, 0.5, 0.52, 0.55,
               0.58, 0.6, 0.6, 0.6, 0.6, 0.6, 0.72, 0.72, 0.72, 0.72, 0.72, 0.72, 0.72,
               0.72, 0.72, 0.72]
sched_cases = [
    ("step", O.SGD, {}, S.StepLR, dict(step_size=3, gamma=0.5), {"step_size": 3, "gamma": 0.5}, None),
    ("step_default_gamma", O.SGD, {}, S.StepLR, dict(step_size=7), {"step_size": 7}, None),
    ("exponential", O.SGD, {}, S.ExponentialLR, dict(gamma=0.9), {"gamma": 0.9}, None),
    ("cosine", O.SGD, {}, S.CosineAnnealingLR, dict(T_max=10, eta_min=0.001),
     {"T_max": 10, "eta_min": 0.001}, None),
    ("cosine_zero_min", O.Adam, {}, S.CosineAnnealingLR, dict(T_max=7), {"T_max": 7}, None),
    ("onecycle_sgd", O.SGD, dict(momentum=0.9), S.OneCycleLR, dict(max_lr=0.1, total_steps=30),
     {"max_lr": 0.1, "total_steps": 30}, None),
    ("onecycle_adam_linear_three_phase", O.Adam, {}, S.OneCycleLR,
     dict(max_lr=[0.1, 0.05], total_steps=30, pct_start=0.25, anneal_strategy="linear",
          div_factor=10.0, final_div_factor=100.0, three_phase=True),
     {"max_lr": [0.1, 0.05], "total_steps": 30, "pct_start": 0.25, "anneal_strategy": "linear",
      "div_factor": 10.0, "final_div_factor": 100.0, "three_phase": True}, None),
    ("onecycle_epochs", O.SGD, dict(momentum=0.9), S.OneCycleLR,
     dict(max_lr=0.2, epochs=5, steps_per_epoch=6, pct_start=0.4, base_momentum=0.8,
          max_momentum=0.9),
     {"max_lr": 0.2, "epochs": 5, "steps_per_epoch": 6, "pct_start": 0.4, "base_momentum": 0.8,
      "max_momentum": 0.9}, None),
    ("plateau_min", O.SGD, {}, S.ReduceLROnPlateau,
     dict(factor=0.5, patience=2, cooldown=1, min_lr=0.01),
     {"factor": 0.5, "patience": 2, "cooldown": 1, "min_lr": 0.01}, plateau_min),
    ("plateau_max_abs", O.SGD, {}, S.ReduceLROnPlateau,
     dict(mode="max", factor=0.3, patience=1, threshold=0.01, threshold_mode="abs",
          min_lr=[0.001, 0.005]),
     {"mode": "max", "factor": 0.3, "patience": 1, "threshold": 0.01, "threshold_mode": "abs",
      "min_lr": [0.001, 0.005]}, plateau_max),
]
schedulers = {}
for name, ocls, okw, scls, skw, lua_kw, metrics in sched_cases:
    lr_seq, mom_seq = sched_run(ocls, okw, scls, skw, metrics=metrics)
    e = {"optimizer": ocls.__name__, "optimizer_options": okw, "lrs": [0.1, 0.02],
         "class": scls.__name__, "options": lua_kw, "lr": lr_seq}
    if metrics is not None:
        e["metrics"] = metrics
    if scls is S.OneCycleLR:
        e["momentum"] = mom_seq
    schedulers[name] = e

# ---- clip_grad_norm_ -------------------------------------------------------------------
clip = {}
for name, max_norm, norm_type in [("l2", 1.0, 2.0), ("l2_no_clip", 100.0, 2.0), ("l1", 2.0, 1.0),
                                  ("inf", 0.5, math.inf), ("l3", 1.5, 3.0)]:
    ps = [torch.zeros(3, 4, requires_grad=True), torch.zeros(4, requires_grad=True),
          torch.zeros(2, requires_grad=True)]
    ps[0].grad = torch.randn(3, 4)
    ps[1].grad = torch.randn(4) * 3
    gin = [tens(ps[0].grad), tens(ps[1].grad)]
    total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)  # ps[2] has no grad
    clip[name] = {"max_norm": max_norm, "norm_type": norm_type, "grads": gin,
                  "total_norm": float(total), "clipped": [tens(ps[0].grad), tens(ps[1].grad)]}

with open(OUT, "w") as f:
    f.write(f"-- generated by tests/golden/gen_optim.py with PyTorch {torch.__version__}; do not edit\n")
    f.write("return {\n")
    f.write(f"  steps = {STEPS}, skip_p2_at = {SKIP_P2_AT},\n")
    f.write(f"  params0 = {lua([tens(p) for p in params0])},\n")
    f.write("  grads = {\n")
    for g1, g2 in grads:
        f.write(f"    {{{lua(tens(g1))}, {lua(tens(g2)) if g2 is not None else 'false'}}},\n")
    f.write("  },\n  optimizers = {\n")
    for k, v in optimizers.items():
        f.write(f"    {k} = {lua(v)},\n")
    f.write("  },\n  schedulers = {\n")
    for k, v in schedulers.items():
        f.write(f"    {k} = {lua(v, 17)},\n")
    f.write("  },\n  clip = {\n")
    for k, v in clip.items():
        f.write(f"    {k} = {lua(v)},\n")
    f.write("  },\n}\n")
print("wrote", OUT)

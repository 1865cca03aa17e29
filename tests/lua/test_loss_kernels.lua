-- The loss kernels: PyTorch golden values for every loss with every option
-- (tests/golden/nn_kernels.lua: outputs at rtol 1e-4, gradients at rtol 1e-3), finite-
-- difference gradient checks, numerical stability, and every error message (bad class ids
-- name the loss, the value and the valid range).
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nb = require "nabla"

local ops = {
  ce = function(z, t) return nb.cross_entropy(z, t) end,
  ce_sum = function(z, t) return nb.cross_entropy(z, t, { reduction = "sum" }) end,
  ce_none = function(z, t) return nb.cross_entropy(z, t, { reduction = "none" }) end,
  ce_weight = function(z, t, w) return nb.cross_entropy(z, t, { weight = w }) end,
  ce_smoothing = function(z, t) return nb.cross_entropy(z, t, { label_smoothing = 0.2 }) end,
  -- PyTorch's ignore_index=3 is the 0-based class 3, our 1-based class 4
  ce_weight_smoothing_ignore = function(z, t, w)
    return nb.cross_entropy(z, t, { weight = w, label_smoothing = 0.1, ignore_index = 4 }) end,
  ce_weight_smoothing_none = function(z, t, w)
    return nb.cross_entropy(z, t, { weight = w, label_smoothing = 0.3, reduction = "none" }) end,
  ce_ignore_sum = function(z, t) return nb.cross_entropy(z, t, { ignore_index = 4, reduction = "sum" }) end,
  ce_soft = function(z, p) return nb.cross_entropy(z, p) end,
  ce_soft_weight_smoothing = function(z, p, w) return nb.cross_entropy(z, p, { weight = w, label_smoothing = 0.2 }) end,
  ce_soft_none = function(z, p) return nb.cross_entropy(z, p, { reduction = "none" }) end,
  ce_spatial = function(z, t, w) return nb.cross_entropy(z, t, { weight = w, label_smoothing = 0.1 }) end,
  ce_unbatched = function(z, t) return nb.cross_entropy(z, t) end,
  ce_large_logits = function(z, t) return nb.cross_entropy(z, t) end,
  nll = function(l, t) return nb.nll_loss(l, t) end,
  nll_weight_ignore = function(l, t, w) return nb.nll_loss(l, t, { weight = w, ignore_index = 4 }) end,
  nll_none = function(l, t) return nb.nll_loss(l, t, { reduction = "none" }) end,
  nll_sum_spatial = function(l, t) return nb.nll_loss(l, t, { reduction = "sum" }) end,
  smooth_l1 = function(a, b) return nb.smooth_l1_loss(a, b) end,
  smooth_l1_beta = function(a, b) return nb.smooth_l1_loss(a, b, { beta = 0.5, reduction = "sum" }) end,
  smooth_l1_beta0 = function(a, b) return nb.smooth_l1_loss(a, b, { beta = 0 }) end,
  huber = function(a, b) return nb.huber_loss(a, b) end,
  huber_delta = function(a, b) return nb.huber_loss(a, b, { delta = 0.7, reduction = "none" }) end,
  bce = function(p, t) return nb.binary_cross_entropy(p, t) end,
  bce_weight_sum = function(p, t, w) return nb.binary_cross_entropy(p, t, { weight = w, reduction = "sum" }) end,
  bce_clamp = function(p, t) return nb.binary_cross_entropy(p, t, { reduction = "none" }) end,
  bce_logits = function(x, t) return nb.binary_cross_entropy_with_logits(x, t) end,
  bce_logits_pos_weight = function(x, t, w, pw)
    return nb.binary_cross_entropy_with_logits(x, t, { weight = w, pos_weight = pw }) end,
  bce_logits_large_none = function(x, t) return nb.binary_cross_entropy_with_logits(x, t, { reduction = "none" }) end,
  gaussian_nll = function(a, b, v) return nb.gaussian_nll_loss(a, b, v) end,
  gaussian_nll_full_sum = function(a, b, v) return nb.gaussian_nll_loss(a, b, v, { full = true, reduction = "sum" }) end,
  gaussian_nll_var_col = function(a, b, v) return nb.gaussian_nll_loss(a, b, v, { reduction = "none" }) end,
  gaussian_nll_var_row = function(a, b, v) return nb.gaussian_nll_loss(a, b, v) end,
  gaussian_nll_eps_clamp = function(a, b, v) return nb.gaussian_nll_loss(a, b, v, { eps = 0.05 }) end,
}
for _, red in ipairs { "mean", "sum", "none" } do
  ops["mse_" .. red] = function(a, b) return nb.mse_loss(a, b, { reduction = red }) end
  ops["l1_" .. red] = function(a, b) return nb.l1_loss(a, b, { reduction = red }) end
end

local golden = T.golden("nn_kernels")
local names = {}
for k in pairs(ops) do names[#names + 1] = k end
table.sort(names)
for _, name in ipairs(names) do
  T.test("golden " .. name, function()
    local g = golden[name]
    T.ok(g, "no golden case " .. name)
    local xs = {}
    for i, gi in ipairs(g.inputs) do
      xs[i] = T.from_golden(gi)
      if g.needs[i] then xs[i]:requires_grad() end
    end
    local out = ops[name](table.unpack(xs))
    T.near(out, T.from_golden(g.out), 1e-4, 1e-5, name .. " forward")
    if not g.upstream then return end -- a forward-only case
    out:backward(T.from_golden(g.upstream))
    for i, gg in ipairs(g.grads) do
      if g.needs[i] then T.near(xs[i].grad, T.from_golden(gg), 1e-3, 1e-4, name .. " grad of input " .. i) end
    end
  end)
end

-- ---- finite differences --------------------------------------------------------------------
nb.manual_seed(3)
local function leaf(...) return nb.randn(...):requires_grad() end
local function const(t) return t:detach() end
-- a target at least 0.2 away from the input and from the ±beta kinks of smooth L1 / Huber
local function away(a, kink)
  local d = nb.rand(table.unpack(a.shape)) * 0.4 + 0.2
  local sign = nb.rand(table.unpack(a.shape)):gt(0.5) * 2 - 1
  local far = (nb.rand(table.unpack(a.shape)):gt(0.5)) * ((kink or 0) + 0.2)
  return (a - sign * (d + far)):detach():requires_grad()
end
local ids = nb.tensor { 2, 5, 1, 3, 5, 4 }
local z = leaf(6, 5)
local probs = nb.rand(6, 5)
probs = const(probs / nb.stack({ probs[{ ":", 1 }] + probs[{ ":", 2 }] + probs[{ ":", 3 }] + probs[{ ":", 4 }] + probs[{ ":", 5 }] }, 2))
local cw = nb.rand(5) + 0.5
local a = leaf(3, 4)
local p = (nb.rand(3, 4) * 0.8 + 0.1):requires_grad()
local row_w = nb.rand(3, 1)

local checks = {
  { "cross_entropy", function(z) return nb.cross_entropy(z, ids) end, { z } },
  { "cross_entropy weight smoothing ignore", function(z)
      return nb.cross_entropy(z, ids, { weight = cw, label_smoothing = 0.15, ignore_index = 3 }) end, { z } },
  { "cross_entropy none", function(z) return nb.cross_entropy(z, ids, { reduction = "none", weight = cw }) end, { z } },
  { "cross_entropy soft targets (both)", function(z, t) return nb.cross_entropy(z, t, { label_smoothing = 0.1 }) end,
    { z, probs:clone():requires_grad() } },
  { "cross_entropy (N,C,d) non-contiguous", function(z)
      return nb.cross_entropy(z, nb.tensor { { 1, 3 }, { 2, 2 } }, { reduction = "sum" }) end,
    { nb.randn(2, 2, 3):transpose(2, 3):detach():requires_grad() } },
  { "nll_loss weight", function(l) return nb.nll_loss(l, ids, { weight = cw }) end, { z } },
  { "mse_loss (both)", function(a, b) return nb.mse_loss(a, b) end, { a, leaf(3, 4) } },
  { "l1_loss (both)", function(a, b) return nb.l1_loss(a, b, { reduction = "sum" }) end, { a, away(a) } },
  { "smooth_l1_loss beta 0.5", function(a, b) return nb.smooth_l1_loss(a, b, { beta = 0.5 }) end, { a, away(a, 0.5) } },
  { "huber_loss delta 0.3 none", function(a, b) return nb.huber_loss(a, b, { delta = 0.3, reduction = "none" }) end,
    { a, away(a, 0.3) } },
  { "binary_cross_entropy weight (both)", function(p, t) return nb.binary_cross_entropy(p, t, { weight = cw[{ { 1, 4 } }] }) end,
    { p, nb.rand(3, 4):requires_grad() } },
  { "binary_cross_entropy_with_logits pos_weight (both)", function(x, t)
      return nb.binary_cross_entropy_with_logits(x, t, { pos_weight = nb.tensor { 0.5, 1, 2, 3 }, weight = row_w }) end,
    { a, nb.rand(3, 4):requires_grad() } },
  { "gaussian_nll_loss full (all three)", function(a, b, v) return nb.gaussian_nll_loss(a, b, v, { full = true }) end,
    { a, leaf(3, 4), (nb.rand(3, 4) + 0.5):requires_grad() } },
  { "gaussian_nll_loss one variance per row", function(a, b, v) return nb.gaussian_nll_loss(a, b, v, { reduction = "sum" }) end,
    { a, leaf(3, 4), (nb.rand(3) + 0.5):requires_grad() } },
}
for _, c in ipairs(checks) do
  T.test("gradcheck " .. c[1], function() T.gradcheck(c[2], c[3], nil, c[1]) end)
end

-- ---- behaviour -----------------------------------------------------------------------------
T.test("cross_entropy is stable for huge logits", function()
  local l = nb.cross_entropy(nb.tensor { { 1e4, 0, -1e4 } }, nb.tensor { 3 })
  T.near(l, nb.tensor(2e4), 1e-6, 0, "no overflow")
  local z = nb.tensor { { 1e4, 0, -1e4 } }:requires_grad()
  nb.cross_entropy(z, nb.tensor { 1 }):backward()
  T.near(z.grad, nb.zeros(1, 3), 0, 1e-6, "the right class at 1e4 has zero gradient")
end)

T.test("cross_entropy equals nll_loss of log-softmax and matches uniform logits", function()
  local zz = nb.zeros(4, 10)
  T.near(nb.cross_entropy(zz, nb.tensor { 1, 2, 3, 10 }), nb.tensor(math.log(10)), 1e-6, 0, "log C")
end)

T.test("targets may be given as a table", function()
  local z = nb.randn(3, 4)
  T.near(nb.cross_entropy(z, { 2, 4, 1 }), nb.cross_entropy(z, nb.tensor { 2, 4, 1 }), 0, 0, "class ids")
  T.near(nb.mse_loss(nb.tensor { 1, 2 }, { 1, 4 }), nb.tensor(2), 0, 0, "values")
end)

T.test("ignore_index: every target ignored gives NaN (0/0), as PyTorch", function()
  local l = nb.cross_entropy(nb.randn(2, 3), nb.tensor { -100, -100 }):item()
  T.ok(l ~= l, "NaN")
end)

-- ---- errors ---------------------------------------------------------------------------------
T.test("errors name the loss, the value and the valid range", function()
  T.raises(function() nb.cross_entropy(nb.randn(3, 10), nb.tensor { 1, 0, 2 }) end,
    "cross_entropy: target 0 at position 2 is not a class id: valid class ids are 1..10 (1-based: class 1 is the first)")
  T.raises(function() nb.cross_entropy(nb.randn(3, 10), nb.tensor { 1, 11, 2 }) end,
    "cross_entropy: target 11 at position 2 is not a class id: valid class ids are 1..10")
  T.raises(function() nb.cross_entropy(nb.randn(3, 10), nb.tensor { 1.5, 1, 2 }) end, "target 1.5 at position 1")
  T.raises(function() nb.nll_loss(nb.randn(2, 4), nb.tensor { 5, 1 }) end,
    "nll_loss: target 5 at position 1 is not a class id: valid class ids are 1..4")
  T.raises(function() nb.cross_entropy(nb.randn(3, 10), nb.tensor { 1, 2 }) end,
    "cross_entropy: target [2] does not fit the scores [3,10]")
  T.raises(function() nb.cross_entropy(nb.randn(3, 4), nb.tensor { 1, 2, 3 }, { weight = nb.ones(3) }) end,
    "cross_entropy: weight has shape [3], expected [4] (one weight per class)")
  T.raises(function() nb.cross_entropy(nb.randn(3, 4), nb.tensor { 1, 2, 3 }, { label_smoothing = 2 }) end,
    "cross_entropy: label_smoothing 2 must be between 0 and 1")
  T.raises(function() nb.cross_entropy(nb.randn(3, 4), nb.tensor { 1, 2, 3 }, { lable_smoothing = 0.1 }) end,
    "cross_entropy: unknown option 'lable_smoothing' (options: weight, ignore_index, reduction, label_smoothing)")
  T.raises(function() nb.cross_entropy(nb.randn(3, 4), nb.tensor { 1, 2, 3 }, { reduction = "avg" }) end,
    "cross_entropy: reduction must be \"mean\", \"sum\" or \"none\", got avg")
  T.raises(function() nb.mse_loss(nb.randn(4, 1), nb.randn(4)) end,
    "mse_loss: input [4,1] and target [4] have different shapes")
  T.raises(function() nb.binary_cross_entropy(nb.tensor { 0.5, 1.5 }, nb.tensor { 1, 0 }) end,
    "binary_cross_entropy: input 1.5 at position 2 is not a probability in [0, 1]")
  T.raises(function() nb.binary_cross_entropy_with_logits(nb.randn(2, 3), nb.rand(2, 3), { pos_weight = nb.ones(2) }) end,
    "binary_cross_entropy_with_logits: pos_weight [2] cannot be broadcast to the input's shape [2,3]")
  T.raises(function() nb.gaussian_nll_loss(nb.randn(2, 3), nb.randn(2, 3), nb.tensor { { 1, -1, 1 }, { 1, 1, 1 } }) end,
    "gaussian_nll_loss: var has a negative entry (-1)")
  T.raises(function() nb.gaussian_nll_loss(nb.randn(2, 3), nb.randn(2, 3), nb.ones(3, 2)) end,
    "gaussian_nll_loss: var [3,2] does not fit the input [2,3]")
  T.raises(function() nb.huber_loss(nb.randn(2), nb.randn(2), { delta = 0 }) end, "huber_loss: delta 0 must be positive")
  T.raises(function() nb.smooth_l1_loss(nb.randn(2), nb.randn(2), { beta = -1 }) end,
    "smooth_l1_loss: beta -1 must not be negative")
end)

T.done()

-- batch_norm, layer_norm, group_norm, dropout and embedding: PyTorch golden values
-- (tests/golden/nn_kernels.lua: outputs at rtol 1e-4, gradients at rtol 1e-3, running
-- statistics after a training step), finite-difference gradient checks of every norm in
-- train and eval mode, dropout's mask and scaling, and every error message.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nb = require "nabla"

local ops = {
  batch_norm_train_2d = function(x, rm, rv, w, b) return nb.batch_norm(x, rm, rv, w, b, true, 0.1, 1e-5) end,
  batch_norm_train_4d = function(x, rm, rv, w, b) return nb.batch_norm(x, rm, rv, w, b, true, 0.3, 1e-5) end,
  batch_norm_train_3d = function(x, rm, rv, w, b) return nb.batch_norm(x, rm, rv, w, b, true, 0.1, 1e-3) end,
  batch_norm_eval_4d = function(x, rm, rv, w, b) return nb.batch_norm(x, rm, rv, w, b, false, 0.1, 1e-5) end,
  batch_norm_batch_stats_noaffine = function(x) return nb.batch_norm(x, nil, nil, nil, nil, true) end,
  layer_norm = function(x, w, b) return nb.layer_norm(x, { 6, 5 }, w, b) end,
  layer_norm_1d_noaffine = function(x) return nb.layer_norm(x, 7, nil, nil, 1e-3) end,
  group_norm = function(x, w, b) return nb.group_norm(x, 3, w, b) end,
  group_norm_noaffine = function(x) return nb.group_norm(x, 2, nil, nil, 1e-3) end,
  instance_like_group_norm = function(x, w, b) return nb.group_norm(x, 4, w, b) end,
  embedding = function(i, w) return nb.embedding(i, w) end,
  embedding_padding = function(i, w) return nb.embedding(i, w, { padding_idx = 3 }) end, -- PyTorch's 2
}

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
    for i, ga in ipairs(g.after or {}) do -- running statistics updated in place
      T.near(xs[i], T.from_golden(ga), 1e-4, 1e-6, name .. " input " .. i .. " after the step")
    end
    out:backward(T.from_golden(g.upstream))
    for i, gg in ipairs(g.grads) do
      if g.needs[i] then T.near(xs[i].grad, T.from_golden(gg), 1e-3, 1e-4, name .. " grad of input " .. i) end
    end
  end)
end

-- ---- finite differences: every norm in train and eval mode ----------------------------------
nb.manual_seed(11)
local function leaf(...) return nb.randn(...):requires_grad() end
local function positive(...) return (nb.rand(...) + 0.5):requires_grad() end
local function noncontig(n, c, h) return nb.randn(n, h, c):transpose(2, 3):detach():requires_grad() end
local rm, rv = nb.randn(3) * 0.1, nb.rand(3) + 0.5

local checks = {
  { "batch_norm train (N,C)", function(x, w, b) return nb.batch_norm(x, nil, nil, w, b, true) end,
    { leaf(6, 3), positive(3), leaf(3) } },
  { "batch_norm train (N,C,H,W) with running stats", function(x, w, b)
      return nb.batch_norm(x, nb.zeros(3), nb.ones(3), w, b, true, 0.1, 1e-5) end,
    { leaf(3, 3, 2, 3), positive(3), leaf(3) } },
  { "batch_norm train non-contiguous (N,C,L)", function(x, w, b) return nb.batch_norm(x, nil, nil, w, b, true) end,
    { noncontig(3, 3, 4), positive(3), leaf(3) } },
  { "batch_norm eval (N,C,H,W)", function(x, w, b) return nb.batch_norm(x, rm, rv, w, b, false) end,
    { leaf(2, 3, 2, 2), positive(3), leaf(3) } },
  { "batch_norm eval (N,C) no affine", function(x) return nb.batch_norm(x, rm, rv, nil, nil, false) end,
    { leaf(4, 3) } },
  { "layer_norm last dim", function(x, w, b) return nb.layer_norm(x, 5, w, b) end,
    { leaf(3, 5), positive(5), leaf(5) } },
  { "layer_norm last two dims", function(x, w, b) return nb.layer_norm(x, { 3, 4 }, w, b) end,
    { leaf(2, 3, 4), positive(3, 4), leaf(3, 4) } },
  { "layer_norm non-contiguous, no affine", function(x) return nb.layer_norm(x, 4) end,
    { noncontig(2, 3, 4) } },
  { "group_norm 2 groups", function(x, w, b) return nb.group_norm(x, 2, w, b) end,
    { leaf(2, 4, 3, 2), positive(4), leaf(4) } },
  { "group_norm 1 group (layer-norm like)", function(x, w, b) return nb.group_norm(x, 1, w, b) end,
    { leaf(2, 3, 4), positive(3), leaf(3) } },
  { "group_norm groups = C (instance-norm like)", function(x) return nb.group_norm(x, 3) end,
    { noncontig(2, 3, 4) } },
  { "dropout (fixed seed)", function(x) nb.manual_seed(5); return nb.dropout(x, 0.3, true) end,
    { leaf(4, 5) } },
  { "embedding", function(w) return nb.embedding(nb.tensor { { 1, 4 }, { 4, 2 } }, w) end,
    { leaf(5, 3) } },
}
for _, c in ipairs(checks) do
  T.test("gradcheck " .. c[1], function() T.gradcheck(c[2], c[3], nil, c[1]) end)
end

-- ---- behaviour ------------------------------------------------------------------------------
T.test("batch_norm train: normalised output, running stats as PyTorch", function()
  local x = nb.randn(64, 4) * 3 + 2
  local m, v = nb.zeros(4), nb.ones(4)
  local y = nb.batch_norm(x, m, v, nil, nil, true, 0.1, 1e-5)
  local ys, xs = y:tolist(), x:tolist()
  for c = 1, 4 do
    local s, s2, xm = 0, 0, 0
    for i = 1, 64 do s = s + ys[i][c]; s2 = s2 + ys[i][c] ^ 2; xm = xm + xs[i][c] end
    T.near(s / 64, 0, 0, 1e-5, "mean of channel " .. c)
    T.near(s2 / 64, 1, 1e-3, 0, "variance of channel " .. c)
    T.near(m[c]:item(), 0.1 * xm / 64, 1e-4, 1e-6, "running mean of channel " .. c)
    local uv = 0
    for i = 1, 64 do uv = uv + (xs[i][c] - xm / 64) ^ 2 end
    T.near(v[c]:item(), 0.9 + 0.1 * uv / 63, 1e-4, 0, "running var (unbiased) of channel " .. c)
  end
end)

T.test("batch_norm eval uses the running stats and leaves them alone", function()
  local x = nb.randn(5, 2)
  local m, v = nb.tensor { 1, -1 }, nb.tensor { 4, 0.25 }
  local y = nb.batch_norm(x, m, v, nil, nil, false, 0.1, 0)
  T.near(y, (x - m) / nb.tensor { 2, 0.5 }, 1e-5, 1e-6, "eval output")
  T.near(m, nb.tensor { 1, -1 }, 0, 0, "running mean unchanged")
  T.near(v, nb.tensor { 4, 0.25 }, 0, 0, "running var unchanged")
end)

T.test("dropout: scaling, rate, seed, eval is the identity", function()
  local x = nb.ones(100, 100)
  nb.manual_seed(42)
  local y = nb.dropout(x, 0.25, true)
  local zeros, ok = 0, true
  for _, v in ipairs(T.flat(y)) do
    if v == 0 then zeros = zeros + 1 elseif math.abs(v - 1 / 0.75) > 1e-6 then ok = false end
  end
  T.ok(ok, "kept values are scaled by 1/(1-p)")
  -- 10,000 draws, p = 0.25: the count of zeros is within 5 standard deviations (43) of 2500
  T.ok(math.abs(zeros - 2500) < 220, "zeroed fraction " .. zeros / 10000)
  nb.manual_seed(42)
  T.near(nb.dropout(x, 0.25, true), y, 0, 0, "the same seed gives the same mask")
  T.near(nb.dropout(x, 0.25, false), x, 0, 0, "eval: identity")
  T.near(nb.dropout(x, 0, true), x, 0, 0, "p = 0: identity")
  T.near(nb.dropout(x, 1, true), nb.zeros(100, 100), 0, 0, "p = 1: all zero")
  local w = nb.ones(3, 4):requires_grad()
  nb.manual_seed(1)
  local d = nb.dropout(w, 0.5, true)
  d:backward(nb.ones(3, 4))
  T.near(w.grad, d, 0, 0, "the gradient is the mask times 1/(1-p)")
end)

T.test("embedding: rows by 1-based id, gradient scatter-added", function()
  local w = nb.arange(12.0):view(4, 3):requires_grad()
  local y = nb.embedding(nb.tensor { 2, 4, 2 }, w)
  T.near(y, nb.tensor { { 3, 4, 5 }, { 9, 10, 11 }, { 3, 4, 5 } }, 0, 0, "rows")
  y:backward(nb.ones(3, 3))
  T.near(w.grad, nb.tensor { { 0, 0, 0 }, { 2, 2, 2 }, { 0, 0, 0 }, { 1, 1, 1 } }, 0, 0, "counts")
  w.grad = nil
  y = nb.embedding(nb.tensor { 2, 4, 2 }, w, { padding_idx = 2 }) -- row 2 is looked up, never trained
  T.near(y[1], nb.tensor { 3, 4, 5 }, 0, 0, "the padding row is still looked up")
  y:backward(nb.ones(3, 3))
  T.near(w.grad, nb.tensor { { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 }, { 1, 1, 1 } }, 0, 0, "no gradient for it")
end)

-- ---- errors ---------------------------------------------------------------------------------
T.test("errors name the op and the shapes", function()
  T.raises(function() nb.batch_norm(nb.randn(1, 3), nil, nil, nil, nil, true) end,
    "batch_norm: expected more than 1 value per channel when training, got input [1,3]")
  T.raises(function() nb.batch_norm(nb.randn(4, 3), nb.zeros(4), nb.ones(4), nil, nil, true) end,
    "batch_norm: running_mean has shape [4], expected [3] (one value per channel of the input [4,3])")
  T.raises(function() nb.batch_norm(nb.randn(4, 3, 2), nil, nil, nb.ones(2), nil, true) end,
    "batch_norm: weight has shape [2], expected [3]")
  T.raises(function() nb.batch_norm(nb.randn(4), nil, nil, nil, nil, true) end,
    "batch_norm: expected an input of shape (N, C) or (N, C, ...), got [4]")
  T.raises(function() nb.layer_norm(nb.randn(2, 3, 4), { 3 }) end,
    "layer_norm: normalized_shape [3] does not match the last dims of the input [2,3,4]")
  T.raises(function() nb.layer_norm(nb.randn(2, 4), 4, nb.ones(5)) end,
    "layer_norm: weight has shape [5], expected normalized_shape [4]")
  T.raises(function() nb.group_norm(nb.randn(2, 6, 3), 4) end,
    "group_norm: 4 groups do not divide the 6 channels of the input [2,6,3]")
  T.raises(function() nb.dropout(nb.randn(3), 1.5) end, "dropout: probability p = 1.5 must be between 0 and 1")
  T.raises(function() nb.embedding(nb.tensor { 1, 11 }, nb.randn(10, 3)) end,
    "embedding: index 11 is out of range for a vocabulary of 10 (ids are 1..10)")
  T.raises(function() nb.embedding(nb.tensor { 0 }, nb.randn(10, 3)) end,
    "embedding: index 0 is out of range for a vocabulary of 10 (ids are 1..10)")
  T.raises(function() nb.embedding(nb.tensor { 1.5 }, nb.randn(10, 3)) end, "index 1.5 is out of range")
  T.raises(function() nb.embedding(nb.tensor { 1 }, nb.randn(10)) end,
    "embedding: weight must be (num_embeddings, embedding_dim), got [10]")
  T.raises(function() nb.embedding(nb.tensor { 1 }, nb.randn(10, 2), { padding = 1 }) end,
    "embedding: unknown option 'padding' (options: padding_idx)")
end)

T.done()

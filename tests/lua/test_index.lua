-- Index ops: index_select, gather, scatter_add, one_hot, masked_fill against plain Lua loops
-- on random shapes, every dim, strided inputs and indices; finite-difference gradient
-- checks; repeated indices adding up in the backward; every error (bad dim, index out of
-- range, zero, fractional or NaN index, mismatched shapes) asserted by its text.
-- PyTorch golden values of the same ops are checked in test_reduce.lua.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nb = require "nabla"

math.randomseed(11)
nb.manual_seed(11)

local function positions(shape)
  local out, nd, p, total = {}, #shape, {}, 1
  for d = 1, nd do p[d], total = 1, total * shape[d] end
  for _ = 1, total do
    out[#out + 1] = { table.unpack(p) }
    for d = nd, 1, -1 do
      p[d] = p[d] + 1
      if p[d] <= shape[d] then break end
      p[d] = 1
    end
  end
  return out
end

local function linear(shape, pos)
  local k = 0
  for d = 1, #shape do k = k * shape[d] + (pos[d] - 1) end
  return k + 1
end

local function with(pos, d, v)
  local q = { table.unpack(pos) }
  q[d] = v
  return q
end

local function rand_shape(min_nd)
  local s = {}
  for d = 1, math.random(min_nd or 1, 4) do s[d] = math.random(1, 4) end
  return s
end

-- x of the given shape, contiguous or not (permuted / narrowed base)
local function make(shape, strided)
  if not strided or #shape < 2 then return nb.randn(table.unpack(shape)) end
  local nd, rev, bs = #shape, {}, {}
  for d = 1, nd do rev[d], bs[d] = nd - d + 1, shape[nd - d + 1] end
  return nb.randn(table.unpack(bs)):permute(table.unpack(rev))
end

-- a tensor of random 1-based positions in 1..n of the given shape, possibly transposed
local function rand_index(shape, n, strided)
  local nd = #shape
  local flat = {}
  if strided and nd >= 2 then
    local bs = { table.unpack(shape) }
    bs[nd - 1], bs[nd] = shape[nd], shape[nd - 1]
    local count = 1
    for _, s in ipairs(bs) do count = count * s end
    for i = 1, count do flat[i] = math.random(1, n) end
    return nb.tensor(flat):view(table.unpack(bs)):transpose(nd - 1, nd)
  end
  local count = 1
  for _, s in ipairs(shape) do count = count * s end
  for i = 1, count do flat[i] = math.random(1, n) end
  if nd == 0 then return nb.tensor(flat[1]) end
  return nb.tensor(flat):view(table.unpack(shape))
end

T.test("index_select, gather, scatter_add match plain Lua loops (random shapes, strided)", function()
  local saw_strided = 0
  for trial = 1, 80 do
    local shape = rand_shape()
    local strided = trial % 2 == 0
    local x = make(shape, strided)
    if not x:is_contiguous() then saw_strided = saw_strided + 1 end
    local xs = T.flat(x)
    for d = 1, #shape do
      -- index_select: out[p] = x[p with p_d = idx[p_d]]
      local m = math.random(1, 5)
      local idx = rand_index({ m }, shape[d])
      local iv = T.flat(idx)
      local os = { table.unpack(shape) }
      os[d] = m
      local want = {}
      for _, p in ipairs(positions(os)) do want[#want + 1] = xs[linear(shape, with(p, d, iv[p[d]]))] end
      local out = x:index_select(d, idx)
      T.ok(T.same_shape(out.shape, os), "index_select shape")
      T.near(out, want, 0, 0, ("index_select dim %d of %s"):format(d, tostring(x.shape)))
      -- gather: out[p] = x[p with p_d = idx[p]], idx no larger than x off dim d
      local gs = {}
      for k = 1, #shape do gs[k] = k == d and math.random(1, 4) or math.random(1, shape[k]) end
      local gi = rand_index(gs, shape[d], strided)
      local gv = T.flat(gi)
      want = {}
      for j, p in ipairs(positions(gs)) do want[j] = xs[linear(shape, with(p, d, gv[j]))] end
      local g = x:gather(d, gi)
      T.ok(T.same_shape(g.shape, gs), "gather shape")
      T.near(g, want, 0, 0, ("gather dim %d of %s"):format(d, tostring(x.shape)))
      -- scatter_add: out = x; out[p with p_d = idx[p]] += src[p]; src may be larger than idx
      local ss = {}
      for k = 1, #shape do ss[k] = gs[k] + (k % 2) end
      local src = make(ss, strided)
      local sv = T.flat(src)
      want = { table.unpack(xs) }
      for j, p in ipairs(positions(gs)) do
        local t = linear(shape, with(p, d, gv[j]))
        want[t] = want[t] + sv[linear(ss, p)]
      end
      local s = x:scatter_add(d, gi, src)
      T.ok(T.same_shape(s.shape, shape), "scatter_add shape")
      T.near(s, want, 1e-6, 1e-6, ("scatter_add dim %d of %s"):format(d, tostring(x.shape)))
    end
  end
  T.ok(saw_strided > 10, "strided inputs were tried")
end)

T.test("one_hot and masked_fill match plain Lua loops", function()
  for _ = 1, 20 do
    local shape = rand_shape()
    local n = math.random(1, 6)
    local idx = rand_index(shape, n, true)
    local iv = T.flat(idx)
    local want = {}
    for j = 1, #iv do for c = 1, n do want[#want + 1] = iv[j] == c and 1 or 0 end end
    local oh = nb.one_hot(idx, n)
    T.eq(#oh.shape, #shape + 1, "one_hot adds a dim")
    T.eq(oh.shape[#shape + 1], n, "one_hot last dim is n")
    T.near(oh, want, 0, 0, "one_hot values")
    T.near(idx:one_hot(n), oh, 0, 0, "one_hot as a method")
    local top = 0
    for _, v in ipairs(iv) do top = math.max(top, v) end
    T.eq(nb.one_hot(idx).shape[#shape + 1], top, "one_hot infers n from the largest class")

    local x = make(shape, true)
    local mask = nb.rand(table.unpack(shape)):gt(0.5)
    local xs, ms = T.flat(x), T.flat(mask)
    want = {}
    for j = 1, #xs do want[j] = ms[j] ~= 0 and -3.25 or xs[j] end
    T.near(x:masked_fill(mask, -3.25), want, 0, 0, "masked_fill")
  end
  -- the mask broadcasts: a row mask over a matrix, and a table as the mask
  local x = nb.tensor { { 1, 2, 3 }, { 4, 5, 6 } }
  T.near(x:masked_fill(nb.tensor { 1, 0, 1 }, 0), { { 0, 2, 0 }, { 0, 5, 0 } }, 0, 0, "row mask")
  T.near(x:masked_fill({ { 0 }, { 1 } }, -math.huge), { { 1, 2, 3 }, { -math.huge, -math.huge, -math.huge } },
    0, 0, "column mask from a table, -inf")
  T.near(nb.masked_fill(x, x:gt(3), nb.tensor(9)), { { 1, 2, 3 }, { 9, 9, 9 } }, 0, 0, "0-d tensor value")
  T.near(nb.one_hot({ 3, 1 }, 3), { { 0, 0, 1 }, { 1, 0, 0 } }, 0, 0, "one_hot of a table")
  T.ok(T.same_shape(nb.one_hot(nb.tensor(2), 4).shape, { 4 }), "one_hot of a 0-d index")
end)

T.test("indices given as Lua tables; empty index", function()
  local x = nb.tensor { { 1, 2, 3 }, { 4, 5, 6 } }
  T.near(x:index_select(2, { 3, 1 }), { { 3, 1 }, { 6, 4 } }, 0, 0, "table index")
  T.near(x:gather(2, { { 2 }, { 3 } }), { { 2 }, { 6 } }, 0, 0, "table gather")
  T.near(x:scatter_add(1, { { 2, 2, 1 } }, { { 10, 20, 30 } }), { { 1, 2, 33 }, { 14, 25, 6 } }, 0, 0,
    "table scatter_add")
  local e = x:index_select(1, nb.zeros(0))
  T.ok(T.same_shape(e.shape, { 0, 3 }), "empty selection")
end)

-- ---- gradients --------------------------------------------------------------------------------

T.test("backward: repeated indices add up (a scatter-add)", function()
  local x = nb.tensor { { 1, 2 }, { 3, 4 }, { 5, 6 } }:requires_grad()
  x:index_select(1, { 3, 1, 3, 3 }):sum():backward()
  T.near(x.grad, { { 1, 1 }, { 0, 0 }, { 3, 3 } }, 0, 0, "index_select grad counts")
  x.grad = nil
  x:gather(2, { { 1, 1, 1 }, { 2, 1, 2 }, { 2, 2, 2 } }):sum():backward()
  T.near(x.grad, { { 3, 0 }, { 1, 2 }, { 0, 3 } }, 0, 0, "gather grad counts")
  -- scatter_add: dL/dsrc gathers the upstream gradient, zero outside the index's shape
  local a = nb.zeros(2, 3):requires_grad()
  local src = nb.tensor { { 1, 2, 3 }, { 4, 5, 6 } }:requires_grad()
  local up = nb.tensor { { 10, 20, 30 }, { 40, 50, 60 } }
  a:scatter_add(2, { { 3, 1 } }, src):backward(up)
  T.near(a.grad, up, 0, 0, "dL/da = g")
  T.near(src.grad, { { 30, 10, 0 }, { 0, 0, 0 } }, 0, 0, "dL/dsrc")
  local y = nb.tensor { 1, -2, 3 }:requires_grad()
  y:masked_fill(nb.tensor { 0, 1, 0 }, 100):backward(nb.tensor { 5, 6, 7 })
  T.near(y.grad, { 5, 0, 7 }, 0, 0, "masked_fill grad")
  -- a broadcast input: the gradient is summed back to its shape
  local r = nb.tensor { 1, 2, 3 }:requires_grad()
  r:masked_fill(nb.tensor { { 1, 0, 0 }, { 0, 0, 1 } }, 0):sum():backward()
  T.near(r.grad, { 1, 2, 1 }, 0, 0, "masked_fill broadcast grad")
end)

T.test("gradcheck: index_select, gather, scatter_add (both inputs), masked_fill; strided leaves", function()
  for _, strided in ipairs { false, true } do
    local function leaf(...)
      local shape = { ... }
      local x = make(shape, strided):requires_grad()
      return x
    end
    local tag = strided and " (strided)" or ""
    T.gradcheck(function(x) return x:index_select(1, { 2, 2, 3 }) end, { leaf(3, 4) }, nil, "index_select dim 1" .. tag)
    T.gradcheck(function(x) return x:index_select(-1, { 4, 1 }) end, { leaf(2, 3, 4) }, nil, "index_select dim 3" .. tag)
    local gi = rand_index({ 3, 2 }, 4, strided)
    T.gradcheck(function(x) return x:gather(2, gi) end, { leaf(3, 4) }, nil, "gather dim 2" .. tag)
    local gi1 = rand_index({ 2, 4 }, 3, strided)
    T.gradcheck(function(x) return x:gather(1, gi1) end, { leaf(3, 4) }, nil, "gather dim 1" .. tag)
    local si = rand_index({ 2, 3 }, 4, strided)
    T.gradcheck(function(a, s) return a:scatter_add(1, si, s) end, { leaf(4, 3), leaf(2, 3) }, nil,
      "scatter_add" .. tag)
    T.gradcheck(function(a, s) return a:scatter_add(2, si, s) end, { leaf(2, 4), leaf(3, 4) }, nil,
      "scatter_add larger source" .. tag)
    local mask = nb.rand(3, 4):gt(0.5)
    T.gradcheck(function(x) return x:masked_fill(mask, 1.5) end, { leaf(3, 4) }, nil, "masked_fill" .. tag)
  end
end)

T.test("log_softmax + gather is cross_entropy: values and gradients of a (64,10) batch", function()
  local z = nb.randn(64, 10):requires_grad()
  local labels = rand_index({ 64, 1 }, 10)
  local nll = -z:log_softmax(2):gather(2, labels):mean()
  nll:backward()
  local g1 = z.grad:clone()
  z.grad = nil
  local ce = nb.cross_entropy(z, labels:view(64))
  ce:backward()
  T.near(nll, ce, 1e-5, 1e-6, "loss")
  T.near(g1, z.grad, 1e-4, 1e-6, "gradient")
  -- and the softmax - one_hot form of the same gradient
  T.near(g1, (z:softmax(2) - nb.one_hot(labels:view(64), 10)) / 64, 1e-4, 1e-6, "softmax - one_hot")
end)

-- ---- errors ------------------------------------------------------------------------------------

T.test("errors name the op, the bad value and the valid range", function()
  local x = nb.randn(5, 6)
  T.raises(function() return x:index_select(1, { 1, 7 }) end,
    "index_select: index 7 is out of range for dimension 1 of shape [5,6] (valid indices are 1..5)")
  T.raises(function() return x:index_select(2, { 0 }) end,
    "index_select: index 0 is out of range for dimension 2 of shape [5,6] (valid indices are 1..6; nabla counts from 1)")
  T.raises(function() return x:index_select(1, { -1 }) end, "index_select: index -1 is out of range")
  T.raises(function() return x:index_select(1, { 2.5 }) end, "index_select: index 2.5 is not a whole number")
  T.raises(function() return x:index_select(1, { 0 / 0 }) end, "index_select: index nan is out of range")
  T.raises(function() return x:index_select(1, { 1e30 }) end, "index_select: index 1e+30 is out of range")
  T.raises(function() return x:index_select(1, { { 1, 2 } }) end,
    "index_select: the index must be a 1-d tensor of positions, got shape [1,2]")
  T.raises(function() return x:index_select(3, { 1 }) end,
    "index_select: dimension 3 out of range for a 2-d tensor (use 1..2 or -1..-2)")
  T.raises(function() return x:index_select(1) end, "index_select: argument 3 is missing")
  T.raises(function() return nb.tensor(1):index_select(1, { 1 }) end, "index_select: cannot index a 0-d tensor")
  T.raises(function() return nb.zeros(0, 2):index_select(1, { 1 }) end,
    "index_select: index 1 is out of range for dimension 1 of shape [0,2], which is empty")

  T.raises(function() return x:gather(2, { { 1 }, { 9 } }) end,
    "gather: index 9 is out of range for dimension 2 of shape [5,6] (valid indices are 1..6)")
  T.raises(function() return x:gather(2, { 1, 2 }) end,
    "gather: the index has 1 dims (shape [2]) but the input has 2 (shape [5,6]); they must have the same number")
  T.raises(function() return x:gather(2, nb.ones(6, 1)) end,
    "gather: index shape [6,1] is larger than the input's shape [5,6] in dimension 1 (6 > 5)")
  T.raises(function() return x:gather(-3, { { 1 } }) end, "gather: dimension -3 out of range")

  T.raises(function() return x:scatter_add(1, { { 6 } }, { { 1 } }) end,
    "scatter_add: index 6 is out of range for dimension 1 of shape [5,6] (valid indices are 1..5)")
  T.raises(function() return x:scatter_add(1, { { 1, 1 } }, { { 1 } }) end,
    "scatter_add: index shape [1,2] is larger than the source's shape [1,1] in dimension 2")
  T.raises(function() return x:scatter_add(1, { { 1 } }, { 1 }) end,
    "scatter_add: the source has 1 dims (shape [1]) but the index has 2 (shape [1,1])")
  T.raises(function() return x:scatter_add(1, { 1 }, { 1 }) end,
    "scatter_add: the index has 1 dims (shape [1]) but the input has 2 (shape [5,6])")

  T.raises(function() return nb.one_hot({ 1, 6 }, 5) end,
    "one_hot: class 6 is out of range for 5 classes (valid classes are 1..5)")
  T.raises(function() return nb.one_hot({ 0, 1 }, 5) end,
    "one_hot: class 0 is out of range for 5 classes (valid classes are 1..5; nabla counts from 1)")
  T.raises(function() return nb.one_hot({ 1 }, 0) end, "one_hot: the number of classes must be a whole number >= 1")
  T.raises(function() return nb.one_hot({ 0, 0 }) end, "one_hot: the largest class is 0 (classes are 1-based)")
  T.raises(function() return nb.one_hot(nb.zeros(0)) end, "one_hot: cannot infer the number of classes from an empty index")

  T.raises(function() return x:masked_fill(nb.ones(4), 0) end, "masked_fill", "[5,6]", "[4]")
  T.raises(function() return x:masked_fill(nb.ones(6), "a") end, "masked_fill: the value must be a number, got string")
  T.raises(function() return x:masked_fill(nb.ones(6), nb.ones(2)) end,
    "masked_fill: the value must be a number or a one-element tensor, got 2 elements")
end)

T.done()

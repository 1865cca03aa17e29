-- The CTC loss (nabla.ctc_loss, src/ops/loss.c): PyTorch golden values of the loss and of
-- the gradient through log_softmax (tests/golden/ctc.lua, by tests/golden/gen_ctc.py),
-- finite-difference gradient checks with respect to the log-probabilities themselves,
-- alignments counted by hand, and every error message.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nb = require "nabla"

local golden = T.golden("ctc")
local names = {}
for k in pairs(golden) do names[#names + 1] = k end
table.sort(names)
for _, name in ipairs(names) do
  T.test("golden " .. name, function()
    local g = golden[name]
    local x = T.from_golden(g.x):requires_grad()
    local D = #g.x.shape
    local out = nb.ctc_loss(x:log_softmax(D), T.from_golden(g.targets), g.input_lengths,
                            g.target_lengths, g.opts)
    local want = T.from_golden(g.out)
    T.eq(out.shape, want.shape, name .. " shape")
    if name == "impossible_inf" then
      -- PyTorch: inf loss and NaN gradients; nabla: inf, and a zero gradient for that sample
      local l = out:tolist()
      T.ok(l[1] == math.huge and l[2] < math.huge, "the impossible sample's loss is inf")
      out:sum():backward()
      T.near(x.grad:select(2, 1), nb.zeros(3, 4), 0, 0, "no NaN: zero gradient")
      return
    end
    T.near(out, want, 1e-4, 1e-5, name .. " forward")
    out:backward(T.from_golden(g.upstream))
    T.near(x.grad, T.from_golden(g.grad), 1e-3, 1e-5, name .. " gradient through log_softmax")
  end)
end

-- ---- finite differences with respect to the log-probabilities ----------------------------
nb.manual_seed(5)
local function lp(T_, N, C) return (nb.randn(T_, N, C) * 0.5):log_softmax(3):detach():requires_grad() end
local checks = {
  { "mean, padded targets with a repeat", function(a)
      return nb.ctc_loss(a, nb.tensor { { 2, 2, 3 }, { 4, 1, 1 } }, { 7, 5 }, { 3, 1 }) end, { lp(7, 2, 4) } },
  { "sum, concatenated targets, blank 3", function(a)
      return nb.ctc_loss(a, nb.tensor { 1, 2, 4, 4, 1 }, { 6, 6 }, { 2, 3 }, { blank = 3, reduction = "sum" }) end,
    { lp(6, 2, 4) } },
  { "none, an empty target", function(a)
      return nb.ctc_loss(a, nb.tensor { { 2, 3 }, { 1, 1 } }, { 5, 4 }, { 2, 0 }, { reduction = "none" }) end,
    { lp(5, 2, 3) } },
  { "unnormalised inputs (the derivative is the true one)", function(a)
      return nb.ctc_loss(a, nb.tensor { 3, 2 }, 4, 2, { reduction = "sum" }) end,
    { (nb.randn(4, 3) * 0.3 - 1):detach():requires_grad() } },
  { "through log_softmax", function(z)
      return nb.ctc_loss(z:log_softmax(3), nb.tensor { { 5, 2, 2 }, { 3, 4, 1 } }, { 8, 8 }, { 3, 2 }) end,
    { nb.randn(8, 2, 5):requires_grad() } },
}
for _, c in ipairs(checks) do
  T.test("gradcheck " .. c[1], function() T.gradcheck(c[2], c[3], { eps = 1e-2, rtol = 3e-2, atol = 3e-3 }, c[1]) end)
end

-- ---- by hand ------------------------------------------------------------------------------
T.test("uniform probabilities: the loss is −log(#alignments / C^T)", function()
  -- T = 3, C = 2 (blank, a), target "a": the alignments are -a- --a a-- -aa aa- aaa ... let
  -- the count be computed: paths over {b, a}^3 that collapse to "a": every string with a
  -- single run of a's: aaa, aab, baa, abb, bab, bba, aba is "aa" (not counted) -> 6
  local l = nb.ctc_loss(nb.full({ 3, 1, 2 }, math.log(0.5)), { { 2 } }, { 3 }, { 1 }, { reduction = "sum" })
  T.near(l, nb.tensor(-math.log(6 / 8)), 1e-6, 0, "6 of 8 paths")
  -- target "aa" needs a blank between: aba only -> 1 of 8
  l = nb.ctc_loss(nb.full({ 3, 1, 2 }, math.log(0.5)), { { 2, 2 } }, { 3 }, { 2 }, { reduction = "sum" })
  T.near(l, nb.tensor(-math.log(1 / 8)), 1e-6, 0, "1 of 8 paths")
end)

T.test("mean divides each loss by its target length, then averages; zero_infinity", function()
  local a = nb.randn(6, 3, 4):log_softmax(3)
  local t, il, tl = nb.tensor { { 2, 3, 4 }, { 2, 1, 1 }, { 4, 4, 1 } }, { 6, 5, 6 }, { 3, 1, 2 }
  local each = nb.ctc_loss(a, t, il, tl, { reduction = "none" }):tolist()
  local mean = nb.ctc_loss(a, t, il, tl):item()
  T.near(nb.tensor(mean), nb.tensor((each[1] / 3 + each[2] / 1 + each[3] / 2) / 3), 1e-5, 0, "mean")
  T.near(nb.ctc_loss(a, t, il, tl, { reduction = "sum" }), nb.tensor(each[1] + each[2] + each[3]), 1e-5, 0, "sum")
  -- 3 labels in 2 steps: impossible
  local short = nb.ctc_loss(a, t, { 2, 5, 6 }, tl, { reduction = "none" }):tolist()
  T.ok(short[1] == math.huge, "inf without zero_infinity")
  short = nb.ctc_loss(a, t, { 2, 5, 6 }, tl, { reduction = "none", zero_infinity = true }):tolist()
  T.ok(short[1] == 0 and short[2] > 0, "0 with zero_infinity")
end)

T.test("nn.CTCLoss is the functional loss with its options", function()
  local a = nb.randn(6, 2, 4):log_softmax(3)
  local f = nb.nn.CTCLoss { reduction = "sum" }
  T.near(f(a, { { 2, 3 }, { 4, 4 } }, { 6, 6 }, { 2, 2 }),
         nb.ctc_loss(a, { { 2, 3 }, { 4, 4 } }, { 6, 6 }, { 2, 2 }, { reduction = "sum" }), 0, 0, "same")
end)

-- ---- errors ---------------------------------------------------------------------------------
T.test("errors name ctc_loss, the argument, the value and the shapes", function()
  local a = nb.randn(5, 2, 4):log_softmax(3)
  T.raises(function() nb.ctc_loss(nb.randn(5), { 1 }, { 5 }, { 1 }) end,
    "ctc_loss: log_probs has shape [5], expected (T, N, C) or (T, C)")
  T.raises(function() nb.ctc_loss(a, { { 2, 1 }, { 3, 3 } }, { 5, 5 }, { 2, 2 }) end,
    "ctc_loss: target 1 (sample 1, label 2) is not a class id 1..4 other than the blank 1")
  T.raises(function() nb.ctc_loss(a, { { 2, 5 }, { 3, 3 } }, { 5, 5 }, { 2, 2 }) end, "target 5 (sample 1, label 2)")
  T.raises(function() nb.ctc_loss(a, { { 2, 3 }, { 3, 3 } }, { 6, 5 }, { 2, 2 }) end,
    "ctc_loss: input_lengths[1] = 6 must be a whole number from 0 to 5 (the number of time steps T)")
  T.raises(function() nb.ctc_loss(a, { { 2, 3 }, { 3, 3 } }, { 5, 5 }, { 3, 2 }) end,
    "ctc_loss: target_lengths[1] = 3 must be a whole number from 0 to 2")
  T.raises(function() nb.ctc_loss(a, { { 2, 3 }, { 3, 3 } }, { 5 }, { 2, 2 }) end,
    "ctc_loss: input_lengths has shape [1], expected [2] (one length per sample)")
  T.raises(function() nb.ctc_loss(a, { 2, 3, 3 }, { 5, 5 }, { 2, 2 }) end,
    "ctc_loss: target_lengths add up to 4 but targets [3] holds 3 labels")
  T.raises(function() nb.ctc_loss(a, { { 2, 3 } }, { 5, 5 }, { 2, 2 }) end,
    "ctc_loss: targets [1,2] has 1 rows but log_probs [5,2,4] has a batch of 2")
  T.raises(function() nb.ctc_loss(a, { { 2, 3 }, { 3, 3 } }, { 5, 5 }, { 2, 2 }, { blank = 5 }) end,
    "ctc_loss: blank 5 is not a class id 1..4")
  T.raises(function() nb.ctc_loss(a, { { 2, 3 }, { 3, 3 } }, { 5, 5 }, { 2, 2 }, { blank = 0 }) end,
    "ctc_loss: blank must be a class id")
  T.raises(function() nb.ctc_loss(a, { { 2, 3 }, { 3, 3 } }, { 5, 5 }) end,
    "ctc_loss: target_lengths (argument 4) is missing")
  T.raises(function() nb.ctc_loss(a, { { 2, 3 }, { 3, 3 } }, { 5, 5 }, { 2, 2 }, { reduce = "sum" }) end, "reduce")
end)

T.done()

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

-- ---- decoding (lua/nabla/lines.lua) -------------------------------------------------------
local lines = require "nabla.lines"

-- log-probabilities (T, C) that say the classes of a string, one step per character: "-"
-- is the blank (class 1), "0".."9" the digits (class d + 2); p of the said class, the rest
-- shared by the others
local function says(s, p, C)
  C, p = C or 11, p or 0.9
  local rows = {}
  for t = 1, #s do
    local ch = s:sub(t, t)
    local c = ch == "-" and 1 or tonumber(ch) + 2
    local row = {}
    for k = 1, C do row[k] = math.log(k == c and p or (1 - p) / (C - 1)) end
    rows[t] = row
  end
  return nb.tensor(rows)
end

T.test("greedy decoding collapses repeats, then drops blanks", function()
  T.eq(lines.greedy_decode(says("--44-0-9933-")), "4093", "4093")
  T.eq(lines.greedy_decode(says("-4-4-")), "44", "a blank separates equal digits")
  T.eq(lines.greedy_decode(says("-44--")), "4", "repeats without a blank are one digit")
  T.eq(lines.greedy_decode(says("-----")), "", "all blank: nothing")
  local _, chars = lines.greedy_decode(says("--44-0-"))
  T.eq(chars[1].first, 3, "character 1 from step 3")
  T.eq(chars[1].last, 4, "to step 4")
  T.eq(chars[2].first, 6, "character 2 at step 6")
  T.ok(math.abs(chars[1].p - 0.9) < 1e-6, "its probability")
  T.eq(lines.greedy_decode(says("--44-0-9933-"):view(12, 1, 11)), "4093", "(T, 1, C) too")
end)

T.test("beam search sums alignments: it finds the text greedy misses", function()
  -- two steps, p(blank) = 0.6, p("7") = 0.4: the best path "--" says "" (0.36), but "7"
  -- has the paths "7-", "-7", "77": 0.24 + 0.24 + 0.16 = 0.64
  local row = {}
  for k = 1, 11 do row[k] = math.log(k == 1 and 0.6 or k == 9 and 0.4 or 1e-12) end
  local lp = nb.tensor { row, row }
  T.eq(lines.greedy_decode(lp), "", "greedy: the best path")
  local text, logp = lines.beam_decode(lp, { beam = 4 })
  T.eq(text, "7", "beam: the best text")
  T.ok(math.abs(math.exp(logp) - 0.64) < 1e-4, "its probability is the sum over its paths")
end)

T.test("with no prefix pruned, the beam's log-probability of its text is −ctc_loss", function()
  nb.manual_seed(8)
  for trial = 1, 5 do
    -- 6 steps of 4 classes: fewer than 3000 prefixes, all kept
    local lp = (nb.randn(6, 4) * 1.5):log_softmax(2)
    local text, logp, labels = lines.beam_decode(lp, { beam = 3000, blank = 1 })
    if #labels > 0 then
      local loss = nb.ctc_loss(lp, nb.tensor(labels), 6, #labels, { reduction = "sum" }):item()
      T.ok(math.abs(-loss - logp) < 1e-4, ("trial %d: %q: beam %.5f, ctc_loss %.5f"):format(trial, text, logp, -loss))
    end
  end
end)

T.test("align: the best path of a known text, one class per step", function()
  local lp = says("--44-0-9933-", 0.7)
  local path = lines.align(lp, { 6, 2, 11, 5 })
  local said = {}
  for t, a in ipairs(path) do said[t] = a.class == 1 and "-" or tostring(a.class - 2) end
  T.eq(table.concat(said), "--44-0-9933-", "the path")
  T.eq(path[3].char, 1, "step 3 says character 1")
  T.eq(path[11].char, 4, "step 11 says character 4")
  T.eq(lines.align(says("-4-"), { 6, 6, 6 }), nil, "too few steps: no alignment")
  T.eq(lines.edit_distance("4093", "493"), 1, "edit distance: a deletion")
  T.eq(lines.edit_distance("4093", "40913"), 1, "an insertion")
  T.eq(lines.edit_distance("", "12"), 2, "from nothing")
end)

T.done()

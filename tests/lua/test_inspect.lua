-- Seeing inside: graph(loss) shows every node with its value and gradient (and leaves the
-- learner's .grad untouched), backward{step=true} walks the chain rule, inspect() and
-- watch() report per-parameter statistics.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local ins = require "nabla.inspect"
nabla.lang = "en"

T.test("graph shows ops, names, values and gradients without side effects", function()
  _G.x = nabla.tensor { 1, 2, 3 }
  _G.w = nabla.tensor { 0.5 }:requires_grad()
  local loss = ((w * x - 1) ^ 2) * (1 / 3)
  local text = ins.graph(loss, { print = false })
  T.ok(text:find("mul [3]", 1, true), text)
  T.ok(text:find("w = leaf [1]  value 0.5000  grad", 1, true), text)
  T.ok(text:find("x = constant [3]", 1, true), text)
  T.ok(text:find("└─", 1, true) and text:find("├─", 1, true), text)
  -- dL/dw for L = Σ (w x - 1)² / 3 = 2/3 Σ (w x - 1) x = 2/3 (-0.5 + 0 + 1.5) = 0.6667
  T.ok(text:find("grad 0.6667", 1, true), text)
  T.eq(w.grad, nil, "graph() must not leave a gradient behind")
  loss:backward(nabla.ones(3))
  T.near(w.grad, { 2 / 3 }, 1e-5)
  local after = ins.graph(loss, { print = false })
  T.ok(after:find("freed", 1, true), after)
  _G.x, _G.w = nil, nil
end)

T.test("backward{step=true} prints each node and the chain rule products", function()
  local a = nabla.tensor { 1, 2 }:requires_grad()
  local y = (a * 3):tanh()
  local out = {}
  y:backward { gradient = nabla.ones(2), step = true, input = function() return "" end,
               output = function(s) out[#out + 1] = s end }
  local text = table.concat(out)
  T.ok(text:find("[1] tanh [2]", 1, true), text)
  T.ok(text:find("[2] mul [2]", 1, true), text)
  T.ok(text:find("1 − tanh²(a)", 1, true), text)
  T.ok(text:find("local derivative", 1, true), text)
  T.near(a.grad, { 3 * (1 - math.tanh(3) ^ 2), 3 * (1 - math.tanh(6) ^ 2) }, 1e-4, 1e-6)
  -- q stops, and nothing is stored
  local b = nabla.tensor { 1 }:requires_grad()
  local z = (b * 2):exp()
  T.raises(function()
    z:backward { gradient = nabla.ones(1), step = true, input = function() return "q" end,
                 output = function() end }
  end, "stopped")
  T.eq(b.grad, nil)
end)

T.test("inspect lists parameters with statistics and histograms", function()
  nabla.manual_seed(0)
  local p = { w = nabla.randn(10, 10):requires_grad(), b = nabla.zeros(10):requires_grad() }
  local text = ins.inspect(p, { print = false })
  T.ok(text:find("(no grad yet)", 1, true), text)

  local loss = (p.w * 2 + p.b)
  loss:backward(nabla.ones(10, 10))
  text = ins.inspect(p, { print = false })
  T.ok(text:find("[10,10]", 1, true), text)
  T.ok(text:find("20.0000", 1, true), text) -- ‖grad w‖ = ‖2·ones(10,10)‖ = 20
  T.ok(text:find("█", 1, true), text)
  local st = ins.stats(nabla.tensor { 1, 2, 3, 4 })
  T.near(st.mean, 2.5); T.near(st.std, math.sqrt(5 / 3), 1e-6); T.near(st.norm, math.sqrt(30), 1e-6)
end)

T.test("watch records gradient norms per parameter at every backward", function()
  local p = { ["0.weight"] = nabla.ones(3):requires_grad(), ["1.weight"] = nabla.ones(2):requires_grad() }
  local w = ins.watch(p)
  for k = 1, 3 do
    ((p["0.weight"] * k):exp() * 0 + p["0.weight"] * k):backward(nabla.ones(3))
    ;(p["1.weight"] * (2 * k)):backward(nabla.ones(2))
  end
  T.eq(#w.history["0.weight"], 3)
  T.near(w.history["0.weight"], { math.sqrt(3), 2 * math.sqrt(3), 3 * math.sqrt(3) }, 1e-5)
  T.near(w.history["1.weight"], { 2 * math.sqrt(2), 4 * math.sqrt(2), 6 * math.sqrt(2) }, 1e-5)
  w:remove()
  ;(p["1.weight"] * 1):backward(nabla.ones(2))
  T.eq(#w.history["1.weight"], 3)
end)

T.done()

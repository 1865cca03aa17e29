-- Autograd semantics: accumulation, retain_graph, no_grad (both forms), detach,
-- retain_grad, hooks, the graph's nodes, and the errors a learner will meet.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nb = require "nabla"

T.test("linear regression gradients by hand", function()
  -- L = mean((w x + b - y)^2): dL/dw = 2/N Σ (w x + b - y) x, dL/db = 2/N Σ (w x + b - y)
  local x = nb.tensor { 1, 2, 3, 4 }
  local y = nb.tensor { 3, 5, 7, 9 }
  local w = nb.tensor { 0.5 }:requires_grad()
  local b = nb.tensor { 0.0 }:requires_grad()
  local r = w * x + b - y
  local loss = (r ^ 2) * 0.25
  loss:backward(nb.ones(4))
  local rs = r:tolist()
  local dw, db = 0, 0
  for i = 1, 4 do dw = dw + 0.5 * rs[i] * (i); db = db + 0.5 * rs[i] end
  T.near(w.grad, { dw }, 1e-6)
  T.near(b.grad, { db }, 1e-6)
end)

T.test("gradients accumulate across backward calls", function()
  local w = nb.tensor { 2.0 }:requires_grad()
  for _ = 1, 3 do (w * 3):backward(nb.ones(1)) end
  T.near(w.grad, { 9 })
  w.grad = nil
  T.eq(w.grad, nil);
  (w * w):backward(nb.ones(1))
  T.near(w.grad, { 4 })
end)

T.test("scalar backward needs no argument; non-scalar needs one", function()
  local w = nb.randn(3):requires_grad()
  T.raises(function() (w * 2):backward() end, "backward", "one element", "[3]")
  local s = (w * 2)[1]
  s:backward()
  T.near(w.grad, { 2, 0, 0 })
  T.raises(function() (w * 2):backward(nb.ones(2)) end, "backward", "[2]", "[3]")
end)

T.test("backward twice needs retain_graph", function()
  local w = nb.tensor { 1.5 }:requires_grad()
  local y = (w:exp() * w)[1]
  y:backward { retain_graph = true }
  y:backward()
  T.near(w.grad, { 2 * (math.exp(1.5) * 2.5) }, 1e-5)
  T.raises(function() y:backward() end, "backward", "retain_graph")
end)

T.test("a tensor that does not require grad cannot backward", function()
  T.raises(function() nb.ones(1):backward() end, "backward", "does not require grad")
end)

T.test("no_grad: function form and to-be-closed form", function()
  local w = nb.randn(2):requires_grad()
  local y = nb.no_grad(function() return w * 2 end)
  T.eq(y.needs_grad, false)
  T.eq(nb.is_grad_enabled(), true)
  do
    local _ <close> = nb.no_grad()
    T.eq(nb.is_grad_enabled(), false)
    T.eq((w * 2).needs_grad, false)
  end
  T.eq(nb.is_grad_enabled(), true)
  -- an error inside restores the mode
  pcall(nb.no_grad, function() error("boom") end)
  T.eq(nb.is_grad_enabled(), true)
  -- and returns every result
  local a, b = nb.no_grad(function() return 1, 2 end)
  T.eq(a + b, 3)
end)

T.test("in-place updates need no_grad on tensors that require grad", function()
  local w = nb.tensor { 1, 2 }:requires_grad()
  T.raises(function() w:sub_(1) end, "sub_", "requires grad", "no_grad")
  nb.no_grad(function() w:sub_(nb.tensor { 1, 1 }, 0.5) end)
  T.near(w, { 0.5, 1.5 })
  T.eq(w.needs_grad, true)
end)

T.test("detach cuts the graph and shares storage", function()
  local w = nb.tensor { 1, 2 }:requires_grad()
  local d = (w * 2):detach()
  T.eq(d.needs_grad, false)
  local x = nb.tensor { 1, 2 }
  local dx = x:detach()
  dx[1] = 7
  T.near(x, { 7, 2 })
end)

T.test("retain_grad keeps the gradient of an intermediate", function()
  local x = nb.tensor { 1, 2, 3 }:requires_grad()
  local h = (x * 2):retain_grad()
  local y = h ^ 2
  y:backward(nb.ones(3))
  T.near(h.grad, { 4, 8, 12 })
  T.near(x.grad, { 8, 16, 24 })
end)

T.test("hooks see gradients and may replace them", function()
  local x = nb.tensor { 1, 2, 3 }:requires_grad()
  local seen
  local h = x * 3
  h:register_hook(function(g) seen = g:tolist() end)
  local handle = x:register_hook(function(g) return g * 10 end)
  h:backward(nb.tensor { 1, 1, 1 })
  T.near(seen, { 1, 1, 1 })
  T.near(x.grad, { 30, 30, 30 })
  handle:remove()
  x.grad = nil;
  (x * 3):backward(nb.ones(3))
  T.near(x.grad, { 3, 3, 3 })
  -- a failing hook aborts backward with a clear error and leaves the process alive
  local y = x * 1
  y:register_hook(function() error("bad hook") end)
  T.raises(function() y:backward(nb.ones(3)) end, "hook", "bad hook")
  local z = x * 1
  z:register_hook(function() return nb.ones(2) end)
  T.raises(function() z:backward(nb.ones(3)) end, "hook", "[2]", "[3]")
end)

T.test("graph nodes: grad_fn, inputs, names", function()
  local a = nb.randn(2):requires_grad()
  local b = nb.randn(2):requires_grad()
  local y = (a * b):exp()
  T.eq(y.grad_fn.name, "exp")
  local m = y.grad_fn.inputs[1]
  T.eq(m.grad_fn.name, "mul")
  T.eq(#m.grad_fn.inputs, 2)
  T.eq(a.grad_fn, nil)
  T.eq(a.is_leaf, true)
  T.eq(y.is_leaf, false)
  T.ok(tostring(y):find("grad_fn=<exp>", 1, true), tostring(y))
end)

T.test("backward visitor sees every node in order", function()
  local a = nb.tensor { 1, 2 }:requires_grad()
  local y = ((a * 3) + 1):tanh()
  local order = {}
  y:backward { gradient = nb.ones(2), visit = function(node, gout, gin)
    order[#order + 1] = node.name
    T.ok(nb.is_tensor(gout))
  end }
  T.eq(table.concat(order, " "), "tanh add mul")
end)

T.test("deep graphs: 100,000 chained ops backward and free without recursion", function()
  local x = nb.tensor { 1.0 }:requires_grad()
  local s = x
  for _ = 1, 100000 do s = s + x end
  s:backward(nb.ones(1))
  T.near(x.grad, { 100001 })
  s = nil
  collectgarbage()
end)

T.test("requires_grad only on leaves can be turned off", function()
  local a = nb.randn(2):requires_grad()
  local y = a * 2
  T.raises(function() y:requires_grad(false) end, "requires_grad", "leaf")
  a:requires_grad(false)
  T.eq(a.needs_grad, false)
end)

-- relu's backward writes its result over the incoming gradient when nothing else holds
-- that gradient (src/ops/elementwise.c); a gradient a hook kept, or the one the
-- step-by-step walk shows, must stay as it was.
T.test("relu backward over its incoming gradient: right, and never over one held elsewhere", function()
  nabla.manual_seed(4)
  local x, w = nabla.randn(4, 5, 3):requires_grad(), nabla.randn(4, 5, 3)
  ;(nabla.relu(x) * w):sum():backward()
  T.near(x.grad, w * x:detach():gt(0), 0, 0, "written in place")
  x.grad = nil
  local held
  local r = nabla.relu(x)
  r:register_hook(function(g) held = g end)
  ;(r * w):sum():backward()
  T.near(held, w, 0, 0, "the hook's gradient is untouched")
  T.near(x.grad, w * x:detach():gt(0), 0, 0, "and the result is the same")
  local a = nabla.tensor { -1, 2 }:requires_grad()
  local out = {}
  ;(nabla.relu(a) * nabla.tensor { 5, -7 }):backward { gradient = nabla.ones(2), step = true,
    input = function() return "" end, output = function(s) out[#out + 1] = s end }
  local text = table.concat(out)
  T.ok(text:find("[2] relu [2]\n    upstream gradient dJ/d(out): [5.0000, -7.0000]", 1, true), text)
  T.near(a.grad, { 0, -7 }, 0, 0, "the walk's result")
end)

T.done()

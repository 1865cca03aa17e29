-- Gradients through select and slice views, which the engine adds straight into a region
-- of the input's gradient (src/autograd: nb_region_fn): many views of one tensor (as an
-- RNN takes each time step), views of a tensor whose gradient buffer is shared with
-- another tensor's, views mixed with whole-tensor uses, hooks, and the node-by-node walk,
-- which builds the zero-filled gradients instead.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"

T.test("every step of a sequence selected once: the gradient is each step's own", function()
  local x = nabla.randn(5, 3, 4):requires_grad()
  local loss = nabla.zeros(1)
  for t = 1, 5 do loss = loss + (x:select(1, t) * t):sum() end
  loss:backward()
  for t = 1, 5 do T.near(x.grad[t], nabla.full({ 3, 4 }, t), 1e-6) end
end)

T.test("overlapping slices and a whole-tensor use add up", function()
  local x = nabla.randn(6, 4):requires_grad()
  local y = x:narrow(1, 1, 4):sum() + (x:narrow(1, 3, 4) * 2):sum() + (x * 10):sum()
      + x:select(2, 2):sum()
  y:backward()
  local want = {}
  for i = 1, 6 do
    want[i] = {}
    for j = 1, 4 do
      want[i][j] = 10 + (i <= 4 and 1 or 0) + (i >= 3 and 2 or 0) + (j == 2 and 1 or 0)
    end
  end
  T.near(x.grad, nabla.tensor(want), 1e-6)
end)

T.test("a gradient buffer shared with another tensor is copied, never written through", function()
  -- x + w passes one gradient tensor to both x and w; x's select must not change w's.
  -- (Backward runs the right-hand term of a sum first: x + w is reached before the views.)
  local x = nabla.randn(3, 4):requires_grad()
  local w = nabla.randn(3, 4):requires_grad()
  local y = x:select(1, 2):sum() * 5 + x:narrow(2, 1, 2):sum() + ((x + w) * 3):sum()
  y:backward()
  T.near(w.grad, nabla.full({ 3, 4 }, 3), 1e-6)
  local want = nabla.full({ 3, 4 }, 3):tolist()
  for j = 1, 4 do want[2][j] = want[2][j] + 5 end
  for i = 1, 3 do for j = 1, 2 do want[i][j] = want[i][j] + 1 end end
  T.near(x.grad, nabla.tensor(want), 1e-6)
  -- and through an intermediate (not a leaf) whose gradient is shared the same way
  local a = nabla.randn(2, 3):requires_grad()
  local h = a * 2
  local z = h:select(2, 3):sum() * 4 + ((h + a) * 1):sum()
  z:backward()
  T.near(a.grad, nabla.tensor{ { 3, 3, 11 }, { 3, 3, 11 } }, 1e-6)
end)

T.test("strided views, steps and a gradient accumulated over two backward calls", function()
  local x = nabla.randn(4, 6):requires_grad()
  local v = x:t():select(1, 3)              -- column 3, stride 6
  ;(v * nabla.tensor{ 1, 2, 3, 4 }):sum():backward()
  ;(x:select(1, 4) * 2):sum():backward()
  local want = nabla.zeros(4, 6):tolist()
  for i = 1, 4 do want[i][3] = i end
  for j = 1, 6 do want[4][j] = want[4][j] + 2 end
  T.near(x.grad, nabla.tensor(want), 1e-6)
end)

T.test("hooks on the selected tensor and the node-by-node walk see the same gradient", function()
  local x = nabla.randn(3, 2):requires_grad()
  local seen
  x:register_hook(function(g) seen = g:clone() end)
  local y = (x:select(1, 1) * 3):sum() + (x:select(1, 3) * 7):sum()
  y:backward()
  T.near(seen, nabla.tensor{ { 3, 3 }, { 0, 0 }, { 7, 7 } }, 1e-6)
  T.near(x.grad, seen, 1e-6)
  -- the walk (loss:backward{step = true}) goes through each select's own backward
  local x2 = x:detach():requires_grad()
  local y2 = (x2:select(1, 1) * 3):sum() + (x2:select(1, 3) * 7):sum()
  local printed = {}
  y2:backward{ step = true, input = function() return "" end,
               output = function(s) printed[#printed + 1] = s end }
  T.ok(table.concat(printed):match("select"), "the walk shows the select nodes")
  T.near(x2.grad, seen, 1e-6, 0, "the walk gives the same gradient")
end)

T.test("gradient check through selects and slices (finite differences)", function()
  nabla.manual_seed(3)
  local x = nabla.randn(4, 3):requires_grad()
  T.gradcheck(function(a)
    local s = a:select(1, 2) * a:select(1, 4) + a:narrow(1, 1, 2):sum(1)
    return (s:tanh() * a:select(2, 1):narrow(1, 2, 3)):sum()
  end, { x }, { eps = 1e-2, rtol = 2e-2, atol = 2e-3 }, "select/slice")
end)

T.done()

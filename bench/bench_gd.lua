-- One autograd gradient-descent step on y = w·x + b over 100 points: forward, MSE,
-- backward, the update under no_grad, zeroing the gradients.
--   ./build/nabla bench/bench_gd.lua            (reference: bench/torch_ref.py)
-- Target: ≤ 10 µs per step (PyTorch 1.13: about 41 µs on the reference machine).
local nb = require "nabla"
local clock = nb.clock or os.clock

-- seconds per call: the best of 5 rounds of reps calls, after a round to warm up (the
-- collector reaches its pace)
local function best(fn, reps, rounds)
  for _ = 1, reps do fn() end
  local t = math.huge
  for _ = 1, rounds or 5 do
    local t0 = clock()
    for _ = 1, reps do fn() end
    t = math.min(t, (clock() - t0) / reps)
  end
  return t
end

nb.manual_seed(0)
local x = nb.linspace(-1, 1, 100)
local y = 3 * x + 0.5 + 0.1 * nb.randn(100)
local w = nb.zeros(1):requires_grad()
local b = nb.zeros(1):requires_grad()
local lr = 0.1

local function step()
  local loss = ((w * x + b - y) ^ 2):mean()
  loss:backward()
  nb.no_grad(function()
    w:sub_(w.grad * lr)
    b:sub_(b.grad * lr)
  end)
  w.grad:zero_()
  b.grad:zero_()
end

local t = best(step, 20000)
print(("gradient-descent step (y = w x + b, 100 points, MSE, backward, update, zero grads):  %.2f us"):format(t * 1e6))
print(("  after the steps: w = %.4f, b = %.4f (data: w = 3, b = 0.5)"):format(w:item(), b:item()))

-- Per-call overhead: adding two 1-element tensors, a + b, through the Lua binding, the
-- core op and the allocation of the result (and, eventually, its collection).
--   ./build/nabla bench/bench_overhead.lua      (reference: bench/torch_ref.py)
-- Target: ≤ 0.5 µs per call (PyTorch 1.13: about 1 µs on the reference machine).
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

local a, b = nb.randn(1), nb.randn(1)
local t_add = best(function() return a + b end, 200000)
local t_mul = best(function() return a * b end, 200000)
local t_scalar = best(function() return a * 2 end, 200000)
local t_mm = best(function() return a:view(1, 1):mm(b:view(1, 1)) end, 100000)
local t_lua = best(function() return a end, 200000)
print(("tiny add (1-element tensors):   %.3f us per call"):format(t_add * 1e6))
print(("tiny mul:                       %.3f us"):format(t_mul * 1e6))
print(("tensor * number:                %.3f us"):format(t_scalar * 1e6))
print(("1×1 view, view, mm:             %.3f us"):format(t_mm * 1e6))
print(("(an empty Lua call, for scale:  %.3f us)"):format(t_lua * 1e6))

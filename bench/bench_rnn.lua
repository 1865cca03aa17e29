-- nn.LSTM and nn.GRU forward + backward (batch 64, 28 steps, input 28, hidden 128,
-- batch_first: the MNIST row reader's layer), and the gate nonlinearities alone: nabla
-- against PyTorch (Debian's python3-torch, 2 threads), printing nabla time / PyTorch time
-- (target: at most 1.0).
--
--   nabla bench/bench_rnn.lua [repetitions] [rounds]
--   NABLA_NUM_THREADS=1 nabla bench/bench_rnn.lua     -- both on one thread (a busy machine)
-- The two alternate: each round times every case in nabla, then runs bench/torch_rnn.py,
-- so that on a shared machine both see the same load. Each figure is the fastest
-- repetition over all rounds.
local nb = require "nabla"
local REPS = tonumber(arg and arg[1]) or 10
local ROUNDS = tonumber(arg and arg[2]) or 3
local dir = (arg and arg[0] or "bench/bench_rnn.lua"):match("^(.*)/[^/]*$") or "bench"

nb.manual_seed(0)
local function rnn(cell)
  local m = nb.nn[cell](28, 128, { batch_first = true })
  local x = nb.randn(64, 28, 28)
  local ones
  return function()
    m:zero_grad()
    local out = m(x)
    ones = ones or nb.ones(table.unpack(out.shape))
    out:backward(ones)
  end
end

local function pointwise(f, ...)
  local x = nb.randn(...)
  return function() return f(x) end
end

local cases = {
  { "LSTM fwd+bwd 64x28x28 h128", rnn("LSTM") },
  { "GRU fwd+bwd 64x28x28 h128", rnn("GRU") },
  { "tanh 64x128", pointwise(nb.tanh, 64, 128) },
  { "sigmoid 64x512", pointwise(nb.sigmoid, 64, 512) },
}

local ours, torch = {}, {}
local out = ""
for _ = 1, ROUNDS do
  for _, c in ipairs(cases) do
    local name, step = c[1], c[2]
    for _ = 1, 3 do step() end
    for _ = 1, REPS do
      local t = nb.clock()
      step()
      ours[name] = math.min(ours[name] or math.huge, (nb.clock() - t) * 1e3)
    end
  end
  collectgarbage()
  local p = io.popen(("/usr/bin/python3 %s/torch_rnn.py %d 2>&1"):format(dir, REPS))
  out = p:read("a")
  p:close()
  for line in out:gmatch("[^\n]+") do
    local name, ms = line:match("^(.-)\t([%d.]+)$")
    if name then torch[name] = math.min(torch[name] or math.huge, tonumber(ms)) end
  end
end

print(("%-30s %12s %12s %8s"):format(("batch 64, %d threads"):format(nb.get_num_threads()), "nabla ms", "PyTorch ms", "ratio"))
for _, c in ipairs(cases) do
  local name = c[1]
  local t = torch[name]
  print(("%-30s %12.3f %12s %8s"):format(name, ours[name], t and ("%.3f"):format(t) or "-",
    t and ("%.2f"):format(ours[name] / t) or "-"))
end
if next(torch) == nil then print("PyTorch did not run: " .. out) end

-- Training throughput of the MNIST experiments' models in GFLOP/s, and its share of the
-- machine's fp32 peak: the same training step as the experiments (batch 64, Adam,
-- cross-entropy, the loader converting bytes to floats), timed over N steps.
--
--   nabla bench/bench_flops.lua [--steps 100] [--models cnn,allconv,augment,mlp,rnn] [--peak 470]
--
-- FLOPs are counted, not guessed: one forward pass is traced and every Conv2d, Linear,
-- GRU and LSTM adds 2 × its multiply-adds (Conv2d: output elements × in/groups × kh × kw;
-- Linear: output elements × in_features; GRU/LSTM: gates × hidden × (input + hidden) per
-- step and row). A training step is counted as 3 forward passes (the backward pass costs
-- about twice the forward: the gradients of the inputs and of the weights), as usual.
-- Everything else (pooling, ReLU, batch norm, the optimizer, the loader) is not counted but
-- is timed: that is the gap between the GFLOP/s and the peak. --peak is the machine's fp32
-- peak in GFLOP/s (470 for the 2-core Zen 5 of issue 17: 2 cores × 2 FMA units × 16 lanes ×
-- 2 × ~3.7 GHz); bench/bench_convmm measures one core's.
local nabla = require "nabla"
local nn, optim, data = nabla.nn, nabla.optim, nabla.data

local args = { steps = 100, models = "cnn,allconv,augment,mlp,rnn", peak = 470 }
do
  local i = 1
  while arg and arg[i] do
    local k = arg[i]:match("^%-%-(.+)$")
    if not k or arg[i + 1] == nil then error("bench_flops: bad argument " .. tostring(arg[i]), 0) end
    args[k] = arg[i + 1]
    i = i + 2
  end
end
local STEPS, PEAK, BATCH, WARMUP = math.tointeger(tonumber(args.steps)), tonumber(args.peak), 64, 5
local dir = (arg and arg[0] or "bench/bench_flops.lua"):match("^(.*)/[^/]*$") or "bench"

-- forward FLOPs of one batch, counted by wrapping the forward of the layers that multiply
local function count_flops(model, x)
  local total = 0
  local wrapped = {}
  for _, m in ipairs(model:modules()) do
    local name = m.__name
    if name == "Conv2d" or name == "Linear" or name == "GRU" or name == "LSTM" then
      local f = m.forward
      wrapped[#wrapped + 1] = m
      m.forward = function(self, input, ...)
        local out = f(self, input, ...)
        if name == "Conv2d" then
          local w = self.weight.shape             -- (out, in/groups, kh, kw)
          total = total + 2 * out:numel() * w[2] * w[3] * w[4]
        elseif name == "Linear" then
          total = total + 2 * out:numel() * self.weight.shape[2]
        else
          local gates = name == "GRU" and 3 or 4
          local b, t, i = input.shape[1], input.shape[2], input.shape[3]
          local h = self.hidden_size
          total = total + 2 * b * t * gates * h * (i + h)
        end
        return out
      end
    end
  end
  nabla.no_grad(function() model(x) end)
  for _, m in ipairs(wrapped) do m.forward = nil end   -- the class's method again
  return total
end

local train = data.mnist{ split = "train" }           -- the full set if fetched, else the subset
local ce = nn.CrossEntropyLoss()
print(("%s; %d steps of batch %d per model (after %d warm-up steps); peak %g GFLOP/s")
  :format(nabla.blas_info and nabla.blas_info() or "", STEPS, BATCH, WARMUP, PEAK))
print("| model | forward MFLOP / image | ms / step | GFLOP/s (fwd + bwd) | share of peak | s / epoch (938 steps) |")
print("|---|---|---|---|---|---|")
for name in args.models:gmatch("[^,]+") do
  local exp = dofile(("%s/../experiments/mnist-%s.lua"):format(dir, name))
  local cfg = {}
  for k, v in pairs(exp.config) do cfg[k] = v end
  nabla.manual_seed(1)
  local model = exp.model(cfg)
  local loader = data.loader(train, { batch = BATCH, shuffle = true, seed = 1 })
  local it = loader:iter()
  local function batch()
    local x, y = it()
    if not x then it = loader:iter(); x, y = it() end
    return x, y
  end
  local fwd = count_flops(model, (batch()))
  local opt = optim.Adam(model:parameters(), { lr = 1e-3 })
  model:train()
  local function step()
    local x, y = batch()
    local loss = ce(model(x), y)
    opt:zero_grad(); loss:backward(); opt:step()
    return loss
  end
  for _ = 1, WARMUP do step() end
  collectgarbage()
  local t0 = nabla.clock()
  for _ = 1, STEPS do step() end
  local dt = (nabla.clock() - t0) / STEPS
  local gflops = 3 * fwd / dt / 1e9
  print(("| mnist-%s | %.2f | %.1f | %.1f | %.0f%% | %.1f |"):format(name, fwd / BATCH / 1e6, dt * 1e3, gflops,
    100 * gflops / PEAK, dt * 938))
end

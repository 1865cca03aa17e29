-- Conv2d (and the other layer kernels of the MNIST CNNs) forward + backward, batch 64:
-- nabla against PyTorch (Debian's python3-torch, 2 threads) in one run, printing
-- nabla time / PyTorch time per layer (target: at most 1.0), and for each convolution the
-- time of nabla's im2col path beside the one nabla picks.
--
--   nabla bench/bench_conv.lua [repetitions]
--   lua5.4 -e 'package.cpath="build/?.so;"..package.cpath' bench/bench_conv.lua
-- PyTorch runs after nabla (bench/torch_conv.py), so that the two never share the cores.
-- Both report the fastest of the timed repetitions.
local nb = require "nabla"
local REPS = tonumber(arg and arg[1]) or 20
local dir = (arg and arg[0] or "bench/bench_conv.lua"):match("^(.*)/[^/]*$") or "bench"


nb.manual_seed(0)
local function conv(n, c, h, o, k, x_grad, opts)
  local x = nb.randn(n, c, h, h)
  if x_grad then x:requires_grad() end
  local bound = 1 / math.sqrt(c * k * k)
  local w = ((nb.rand(o, c, k, k) * 2 - 1) * bound):detach():requires_grad()
  local b = ((nb.rand(o) * 2 - 1) * bound):detach():requires_grad()
  local ones
  return function()
    x.grad, w.grad, b.grad = nil, nil, nil
    local y = nb.conv2d(x, w, b, opts)
    ones = ones or nb.ones(table.unpack(y.shape))
    y:backward(ones)
  end
end

local function op(f, ...)
  local x = nb.randn(...):requires_grad()
  local ones
  return function()
    x.grad = nil
    local y = f(x)
    ones = ones or nb.ones(table.unpack(y.shape))
    y:backward(ones)
  end
end

local function bn(n, c, h)
  local x = nb.randn(n, c, h, h):requires_grad()
  local w, b = nb.ones(c):requires_grad(), nb.zeros(c):requires_grad()
  local rm, rv = nb.zeros(c), nb.ones(c)
  local ones = nb.ones(n, c, h, h)
  return function()
    x.grad, w.grad, b.grad = nil, nil, nil
    nb.batch_norm(x, rm, rv, w, b, true, 0.1, 1e-5):backward(ones)
  end
end

local function ce()
  local z = nb.randn(64, 10):requires_grad()
  local ids = {}
  for i = 1, 64 do ids[i] = (i * 7) % 10 + 1 end
  local t = nb.tensor(ids)
  return function()
    z.grad = nil
    nb.cross_entropy(z, t):backward()
  end
end

-- a convolution as nabla runs it (algorithm "auto"), and with the im2col path forced
local function conv2(n, c, h, o, k, x_grad, opts)
  opts = opts or {}
  local im2col = { algorithm = "im2col" }
  for key, v in pairs(opts) do im2col[key] = v end
  return conv(n, c, h, o, k, x_grad, opts), conv(n, c, h, o, k, x_grad, im2col)
end

local cases = {
  { "cnn.conv1 64x1x28x28 32c3", conv2(64, 1, 28, 32, 3, false) },
  { "cnn.conv2 64x32x26x26 64c3", conv2(64, 32, 26, 64, 3, true) },
  { "lenet.conv1 64x1x28x28 16c5", conv2(64, 1, 28, 16, 5, false) },
  { "lenet.conv2 64x16x12x12 32c5", conv2(64, 16, 12, 32, 5, true) },
  { "conv 64x32x14x14 64c3 pad1", conv2(64, 32, 14, 64, 3, true, { padding = 1 }) },
  { "conv1x1 64x64x12x12 32c1", conv2(64, 64, 12, 32, 1, true) },
  { "max_pool2d 64x64x24x24 k2", op(function(x) return nb.max_pool2d(x, 2) end, 64, 64, 24, 24) },
  { "batch_norm2d 64x32x26x26", bn(64, 32, 26) },
  { "cross_entropy 64x10", ce() },
}

local function best_ms(step)
  for _ = 1, 3 do step() end
  local times = {}
  for r = 1, REPS do
    local t = nb.clock()
    step()
    times[r] = nb.clock() - t
  end
  return math.min(table.unpack(times)) * 1e3 -- the least disturbed repetition
end
local ours, im2col = {}, {}
for _, c in ipairs(cases) do
  ours[c[1]] = best_ms(c[2])
  if c[3] then im2col[c[1]] = best_ms(c[3]) end
end
collectgarbage()

local torch = {}
local cmd = ("/usr/bin/python3 %s/torch_conv.py %d 2>&1"):format(dir, REPS)
local p = io.popen(cmd)
local out = p:read("a")
p:close()
for line in out:gmatch("[^\n]+") do
  local name, ms = line:match("^(.-)\t([%d.]+)$")
  if name then torch[name] = tonumber(ms) end
end

print(("%-32s %12s %12s %8s %12s"):format("forward+backward, batch 64", "nabla ms", "PyTorch ms", "ratio",
  "im2col ms"))
local worst, worst_mnist = 0, 0
for _, c in ipairs(cases) do
  local name = c[1]
  local t = torch[name]
  local ratio = t and ours[name] / t
  if ratio and name:match("conv") then worst = math.max(worst, ratio) end
  if ratio and (name:match("^cnn%.") or name:match("^lenet%.")) then
    worst_mnist = math.max(worst_mnist, ratio)
  end
  print(("%-32s %12.3f %12s %8s %12s"):format(name, ours[name], t and ("%.3f"):format(t) or "-",
    ratio and ("%.2f"):format(ratio) or "-", im2col[name] and ("%.3f"):format(im2col[name]) or "-"))
end
if next(torch) == nil then print("PyTorch did not run: " .. out) end
print(("worst ratio: MNIST CNN/LeNet layers %.2f, all convolutions %.2f (target <= 1.0)"):format(
  worst_mnist, worst))
print("im2col ms: the same convolution with conv2d{algorithm = \"im2col\"}, the path every convolution")
print("took before the direct kernels (src/ops/convmm.c); nabla ms is what nabla picks (\"auto\").")
print("nabla: " .. (nb.blas_info and nb.blas_info() or ""))

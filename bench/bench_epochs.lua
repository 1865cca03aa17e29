-- Training epochs on the real MNIST, nabla against PyTorch (Debian's python3-torch, 2
-- threads), as issue 5 measures them: batch 64, Adam (lr 1e-3), cross-entropy, the 60,000
-- images in memory (as bytes, converted to floats per batch), for five models:
--   mlp    784-256-10
--   lenet  16c5-pool-32c5-pool-fc        (LeNet-style CNN)
--   cnn    32c3-64c3-pool-fc128-fc10     (PyTorch's MNIST example, without its dropout)
--   gru    GRU(28 → 128) over the 28 rows, a Linear(128, 10) on the last state
--   lstm   LSTM(28 → 128) over the 28 rows, the same
-- Prints per model: seconds per epoch of each, nabla / PyTorch, and each one's peak RSS.
--
--   nabla bench/bench_epochs.lua [--batches N] [--reps R] [--models mlp,cnn,...] [--loader dataloader]
--
-- Each (model, framework) runs in a process of its own, so that a peak RSS is that model's
-- alone, and nabla's and PyTorch's runs of a model alternate (R times each) so that both
-- see the same load on a shared machine; the medians are printed. --batches N times the
-- first N batches after 3 warm-up ones and scales to the 938 batches of an epoch (the
-- output says so); the default, 300 batches × 3 repetitions, takes about 3 minutes on
-- 2 quiet cores (far longer on a busy machine); --batches 0 times whole epochs.
-- --loader dataloader makes PyTorch batch through DataLoader(TensorDataset(...)) as the
-- tutorials do (slower per batch) instead of indexing a uint8 tensor as nabla does.
-- On a busy machine, OpenMP threads that spin while waiting for a core distort every
-- 2-thread figure (PyTorch's MLP epoch went from 6 to 94 s): run with
-- OMP_WAIT_POLICY=passive (both frameworks inherit it), or NABLA_NUM_THREADS=1 for both.
local nabla = require "nabla"
local nn, optim, data = nabla.nn, nabla.optim, nabla.data

local args = { batches = 300, reps = 3, models = "mlp,lenet,cnn,gru,lstm", loader = "index" }
do
  local i = 1
  while arg and arg[i] do
    local k = arg[i]:match("^%-%-(.+)$")
    if not k or arg[i + 1] == nil then error("bench_epochs: bad argument " .. tostring(arg[i]), 0) end
    args[k] = arg[i + 1]
    i = i + 2
  end
end
local BATCH, WARMUP = 64, 3
local dir = (arg and arg[0] or "bench/bench_epochs.lua"):match("^(.*)/[^/]*$") or "bench"
local mnist_dir = dir .. "/../datasets/mnist"

-- ---- the models ------------------------------------------------------------------------

local RowReader = nn.Module:extend("RowReader")
function RowReader:__init(cell)
  self.rnn = nn[cell](28, 128, { batch_first = true })
  self.fc = nn.Linear(128, 10)
end
function RowReader:forward(x)
  local out = self.rnn(x:view(x.shape[1], 28, 28))   -- (B, 28 rows, 128)
  return self.fc(out:select(2, 28))
end

local models = {
  mlp = function()
    return nn.Sequential{ nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10) }
  end,
  lenet = function()
    return nn.Sequential{
      nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
      nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
      nn.Flatten(), nn.Linear(32 * 4 * 4, 10) }
  end,
  cnn = function()
    return nn.Sequential{
      nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
      nn.Flatten(), nn.Linear(64 * 12 * 12, 128), nn.ReLU(), nn.Linear(128, 10) }
  end,
  gru = function() return RowReader("GRU") end,
  lstm = function() return RowReader("LSTM") end,
}

-- ---- one model in this process (--worker MODEL) -----------------------------------------

if args.worker then
  local make = models[args.worker] or error("bench_epochs: unknown model " .. args.worker, 0)
  nabla.manual_seed(0)
  local train = data.mnist{ split = "train", path = mnist_dir }
  local n_batches = math.ceil(#train / BATCH)
  local model = make()
  local opt = optim.Adam(model:parameters(), { lr = 1e-3 })
  local loss_fn = nn.CrossEntropyLoss()
  local want = tonumber(args.batches)
  local timed = (want > 0 and want < n_batches) and want or n_batches
  local k, start = 0, nil
  for x, y in data.loader(train, { batch = BATCH, shuffle = true, seed = 0 }):iter() do
    if k == WARMUP then start = nabla.clock() end
    if k == WARMUP + timed then break end
    opt:zero_grad()
    local loss = loss_fn(model(x), y)
    loss:backward()
    opt:step()
    if k == 0 and loss:item() ~= loss:item() then error("bench_epochs: the loss is NaN", 0) end
    k = k + 1
  end
  local done = math.min(timed, n_batches - WARMUP)
  local per_epoch = (nabla.clock() - start) / done * n_batches
  print(("%s\t%.3f\t%d\t%.0f"):format(args.worker, per_epoch, done, nabla.peak_rss()))
  return
end

-- ---- the driver ------------------------------------------------------------------------

local function run(cmd)
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("a")
  p:close()
  local name, s, done, rss = out:match("([%w]+)\t([%d.]+)\t(%d+)\t([%d.]+)")
  if not name then return nil, out end
  return { s = tonumber(s), done = tonumber(done), rss = tonumber(rss) }
end

local function median(t)
  table.sort(t)
  local n = #t
  if n == 0 then return nil end
  return n % 2 == 1 and t[(n + 1) // 2] or (t[n // 2] + t[n // 2 + 1]) / 2
end

local f = io.open(mnist_dir .. "/train-images-idx3-ubyte", "rb")
if not f then
  print("bench_epochs: the full MNIST is not in " .. mnist_dir .. ": run datasets/fetch mnist")
  return
end
f:close()
local has_torch = os.execute("/usr/bin/python3 -c 'import torch' 2>/dev/null")
local nabla_exe = arg[-1] or "nabla"
local reps = math.tointeger(tonumber(args.reps)) or 3
local batches = math.tointeger(tonumber(args.batches)) or 300

print(("MNIST training epochs, batch 64, Adam, %d thread(s), PyTorch batches by %s; %s; medians of %d alternating runs, one process each")
  :format(nabla.get_num_threads(), args.loader == "index" and "indexing a uint8 tensor" or "DataLoader", batches > 0 and ("timed over the first %d batches (after %d warm-up) and scaled to the epoch's 938")
    :format(batches, WARMUP) or "whole epochs", reps))
if not has_torch then print("(no PyTorch in /usr/bin/python3: install python3-torch for the reference)") end
print(("%-7s %13s %13s %7s %12s %12s"):format("model", "nabla s/ep", "torch s/ep", "ratio",
  "nabla MiB", "torch MiB"))
local worst_ratio, worst_rss = 0, 0
for name in args.models:gmatch("[^,]+") do
  local ours, theirs, our_rss, their_rss = {}, {}, {}, {}
  for _ = 1, reps do
    local r, err = run(("%s %s --worker %s --batches %d"):format(nabla_exe, arg[0], name, batches))
    if not r then print("nabla failed: " .. err); break end
    ours[#ours + 1], our_rss[#our_rss + 1] = r.s, r.rss
    if has_torch then
      local t, terr = run(("/usr/bin/python3 %s/torch_epochs.py %s %d %s %s"):format(dir, name, batches,
        mnist_dir, args.loader))
      if not t then print("PyTorch failed: " .. terr) else
        theirs[#theirs + 1], their_rss[#their_rss + 1] = t.s, t.rss
      end
    end
  end
  local a, b = median(ours), median(theirs)
  local ra, rb = median(our_rss), median(their_rss)
  local ratio = a and b and a / b
  if ratio then worst_ratio = math.max(worst_ratio, ratio) end
  if ra then worst_rss = math.max(worst_rss, ra) end
  print(("%-7s %13s %13s %7s %12s %12s"):format(name, a and ("%.2f"):format(a) or "-",
    b and ("%.2f"):format(b) or "-", ratio and ("%.2f"):format(ratio) or "-",
    ra and ("%.0f"):format(ra) or "-", rb and ("%.0f"):format(rb) or "-"))
end
print(("worst: time ratio %.2f (target <= 1.0, aim 0.7), nabla peak RSS %.0f MiB (target < 250)")
  :format(worst_ratio, worst_rss))

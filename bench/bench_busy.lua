-- The busy neighbour (issue 12): MNIST-sized training epochs (batch 64, Adam, random images
-- of 1×28×28: the timing does not depend on the pixels, and the full MNIST need not be
-- fetched) on an idle machine and with two other processes keeping both cores busy, under
-- several OpenMP wait policies. Fair sharing of 2 cores with 2 spinners gives about 2× the
-- idle time; threads that spin-wait while the cores are taken give far more.
--
--   nabla bench/bench_busy.lua [--batches N] [--reps R] [--models mlp,lenet,cnn]
--                              [--policies nabla,default,spin30000,spin3000,passive]
--
-- policies: nabla     what the nabla executable chooses by itself (nothing set; see
--                     src/repl/main.c: choose_wait_policy: a 0.1 ms spin when the cores
--                     are free at start-up, none when other programs already hold them)
--           default   libgomp's own default (GOMP_SPINCOUNT=300000, about 3 ms of spinning)
--           spinN     GOMP_SPINCOUNT=N (about N/100 µs of spinning, then sleeping)
--           passive   OMP_WAIT_POLICY=passive (sleep at once)
-- Each run is a process of its own; for each (model, policy) the idle and busy runs
-- alternate, R times, and the medians are printed with busy/idle. N batches are timed after
-- 3 warm-up ones and scaled to the 938 of an epoch.
local nabla = require "nabla"
local nn, optim = nabla.nn, nabla.optim

local args = { batches = 60, reps = 3, models = "mlp,lenet,cnn",
               policies = "nabla,default,spin30000,spin3000,passive" }
do
  local i = 1
  while arg and arg[i] do
    local k = arg[i]:match("^%-%-(.+)$")
    if not k or arg[i + 1] == nil then error("bench_busy: bad argument " .. tostring(arg[i]), 0) end
    args[k] = arg[i + 1]
    i = i + 2
  end
end
local BATCH, WARMUP, EPOCH = 64, 3, 938

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
}

if args.worker then
  nabla.manual_seed(0)
  local model = models[args.worker]()
  local opt = optim.Adam(model:parameters(), { lr = 1e-3 })
  local loss_fn = nn.CrossEntropyLoss()
  local xs, ys = {}, {}
  for i = 1, 8 do
    xs[i] = nabla.rand(BATCH, 1, 28, 28)
    local y = {}
    for k = 1, BATCH do y[k] = (k * 7 + i) % 10 + 1 end
    ys[i] = nabla.tensor(y)
  end
  local n = tonumber(args.batches)
  local start
  for k = 0, WARMUP + n - 1 do
    if k == WARMUP then start = nabla.clock() end
    local x, y = xs[k % 8 + 1], ys[k % 8 + 1]
    opt:zero_grad()
    loss_fn(model(x), y):backward()
    opt:step()
  end
  print(("%s\t%.4f\t%s"):format(args.worker, (nabla.clock() - start) / n * EPOCH,
    os.getenv("NABLA_WAIT_CHOICE") or ("GOMP_SPINCOUNT=" .. tostring(os.getenv("GOMP_SPINCOUNT")))))
  return
end

local nabla_exe = arg[-1] or "nabla"
local function policy_env(p)
  local clear = "env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u OMP_NUM_THREADS -u NABLA_NUM_THREADS"
  if p == "nabla" then return clear end
  if p == "default" then return clear .. " GOMP_SPINCOUNT=300000" end
  if p == "passive" then return clear .. " OMP_WAIT_POLICY=passive" end
  local n = p:match("^spin(%d+)$")
  if n then return clear .. " GOMP_SPINCOUNT=" .. n end
  error("bench_busy: unknown policy " .. p, 0)
end

local seen_choice = {}   -- what the nabla policy chose, idle and busy
local function run(model, policy)
  local cmd = ("%s %s %s --worker %s --batches %s 2>&1"):format(policy_env(policy), nabla_exe, arg[0],
    model, args.batches)
  local p = io.popen(cmd)
  local out = p:read("a")
  p:close()
  local s, choice = out:match("\t([%d.]+)\t([^\n]*)")
  if not s then error("bench_busy: a run failed: " .. out, 0) end
  if policy == "nabla" then seen_choice[choice] = true end
  return tonumber(s)
end

-- two neighbours that keep both cores busy; their pids, to stop them (and only them)
local function start_neighbours()
  local pids = {}
  for i = 1, 2 do
    local p = io.popen("sh -c 'while :; do :; done' >/dev/null 2>&1 & echo $!")
    pids[i] = p:read("l")
    p:close()
  end
  return pids
end
local function stop_neighbours(pids)
  for _, pid in ipairs(pids) do os.execute("kill " .. pid) end
end

local function median(t)
  table.sort(t)
  local n = #t
  return n % 2 == 1 and t[(n + 1) // 2] or (t[n // 2] + t[n // 2 + 1]) / 2
end

print(("Training epochs (batch 64, Adam, %s timed batches scaled to 938), idle and with 2 busy "
  .. "neighbours on %d cores; medians of %s alternating runs"):format(args.batches,
  nabla.get_num_threads(), args.reps))
print(("%-6s %-10s %10s %10s %8s"):format("model", "policy", "idle s/ep", "busy s/ep", "busy/idle"))
for model in args.models:gmatch("[^,]+") do
  for policy in args.policies:gmatch("[^,]+") do
    local idle, busy = {}, {}
    for _ = 1, tonumber(args.reps) do
      idle[#idle + 1] = run(model, policy)
      local pids = start_neighbours()
      local ok, s = pcall(run, model, policy)
      stop_neighbours(pids)
      if not ok then error(s, 0) end
      busy[#busy + 1] = s
    end
    local i, b = median(idle), median(busy)
    print(("%-6s %-10s %10.2f %10.2f %7.1fx"):format(model, policy, i, b, b / i))
    if policy == "nabla" then
      local c = {}
      for k in pairs(seen_choice) do c[#c + 1] = k end
      table.sort(c)
      print("       (nabla chose: " .. table.concat(c, "; ") .. ")")
      seen_choice = {}
    end
    io.stdout:flush()
  end
end

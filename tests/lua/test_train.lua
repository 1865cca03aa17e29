-- The training loop (fit, evaluate) and `nabla run`: a short end-to-end fit on the committed
-- MNIST subset, checkpoint + resume = an uninterrupted run, damaged training checkpoints,
-- the CSV log, early stopping, gradient clipping, and the command line of experiments.
-- (Loader determinism is in test_data.lua, safetensors files in test_checkpoint.lua.)
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local nn, optim, data = nabla.nn, nabla.optim, nabla.data
local trainstate = require "nabla.trainstate"
local run = require "nabla.run"

local small = (nabla.lua_dir or "lua") .. "/../datasets/mnist-small"
local tmpdir = os.tmpname()
os.remove(tmpdir)
os.execute("mkdir -p '" .. tmpdir .. "'")

local function read_all(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function write_all(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

-- the same values, exactly
local function identical(a, b)
  if tostring(a.shape) ~= tostring(b.shape) then return false end
  local fa, fb = T.flat(a), T.flat(b)
  for i = 1, #fa do if fa[i] ~= fb[i] then return false end end
  return true
end

local function mlp(hidden, p)
  return nn.Sequential{ nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Dropout(p or 0), nn.Linear(hidden, 10) }
end

local train = data.mnist{ split = "train", path = small }
local test = data.mnist{ split = "test", path = small }

T.test("fit: an MLP on the 2,000-digit subset reaches >= 88% on its 500 test digits in 6 epochs", function()
  nabla.manual_seed(1)
  local model = mlp(128)
  local h = nabla.fit(model, data.loader(train, { batch = 32, shuffle = true, seed = 1 }),
    { epochs = 6, lr = 2e-3, val = test, quiet = true })
  T.eq(#h.epoch, 6, "six epochs in the history")
  T.ok(h.loss[6] < h.loss[1] / 2, ("training loss falls: %.4f -> %.4f"):format(h.loss[1], h.loss[6]))
  local ev = nabla.evaluate(model, test)
  T.ok(math.abs(ev.accuracy - h.val_accuracy[6]) < 1e-12, "evaluate agrees with the last val_accuracy")
  T.eq(ev.n, 500, "evaluated on 500 digits")
  -- the confusion matrix: rows are the true classes, they sum to the class counts
  local total, diag = 0, 0
  for t = 1, 10 do
    for p = 1, 10 do total = total + ev.confusion[t][p] end
    diag = diag + ev.confusion[t][t]
  end
  T.eq(total, 500, "confusion matrix counts every digit")
  T.eq(diag, math.floor(ev.accuracy * 500 + 0.5), "its diagonal is the number right")
  print(("  test accuracy %.1f%% (loss %.3f -> %.3f)"):format(100 * ev.accuracy, h.loss[1], h.loss[6]))
  T.ok(ev.accuracy >= 0.88, ("test accuracy %.1f%% >= 88%%"):format(100 * ev.accuracy))
end)

-- `epochs` epochs of a small MLP with dropout, a shuffling loader, Adam and a StepLR schedule,
-- checkpointing into dir; resume = a training checkpoint to start from
local function session(dir, epochs, resume)
  nabla.manual_seed(7)
  local model = mlp(32, 0.3)
  local opt = optim.Adam(model:parameters(), { lr = 3e-3 })
  local sched = optim.lr_scheduler.CosineAnnealingLR(opt, { T_max = 6 })
  local loader = data.loader(data.mnist{ split = "train", path = small, limit = 512 },
    { batch = 64, shuffle = true, seed = 3 })
  local h = nabla.fit(model, loader, { epochs = epochs, optimizer = opt, scheduler = sched, val = test,
    checkpoint = dir, resume = resume, quiet = true, log = dir .. "/log.csv" })
  return h, model, opt
end

T.test("checkpoint + resume gives the same numbers as an uninterrupted run", function()
  local h1, m1 = session(tmpdir .. "/whole", 4)
  session(tmpdir .. "/part", 2)
  local h2, m2, opt2 = session(tmpdir .. "/part", 4, tmpdir .. "/part/last.safetensors")
  T.eq(#h2.epoch, 4, "the resumed history has all four epochs")
  for e = 1, 4 do
    T.eq(h2.loss[e], h1.loss[e], "training loss of epoch " .. e)
    T.eq(h2.val_loss[e], h1.val_loss[e], "validation loss of epoch " .. e)
    T.eq(h2.lr[e], h1.lr[e], "learning rate of epoch " .. e)
  end
  T.ok(math.abs(opt2.param_groups[1].lr - 3e-3 * (1 + math.cos(math.pi * 4 / 6)) / 2) < 1e-12, "the schedule went on: " .. opt2.param_groups[1].lr)
  local sd1, sd2 = m1:state_dict(), m2:state_dict()
  for k, t in pairs(sd1) do T.ok(identical(t, sd2[k]), "weights " .. k .. " identical") end
  -- the CSV log of the interrupted run has every epoch once, in order
  local lines = {}
  for line in io.lines(tmpdir .. "/part/log.csv") do lines[#lines + 1] = line end
  T.eq(#lines, 5, "header + 4 epochs")
  for e = 1, 4 do T.eq(tonumber(lines[e + 1]:match("^(%d+),")), e, "log row " .. e) end
  print(("  epoch 4: loss %.6f, val_loss %.6f in both runs"):format(h1.loss[4], h1.val_loss[4]))
end)

T.test("CSV log: a header, one row per epoch, the history's numbers", function()
  local path = tmpdir .. "/runs/mlp/log.csv"   -- its directory is made
  nabla.manual_seed(2)
  local h = nabla.fit(mlp(16), data.loader(data.mnist{ split = "train", path = small, limit = 256 }, { batch = 64 }),
    { epochs = 3, lr = 1e-3, val = test, log = path, quiet = true })
  local rows = {}
  for line in io.lines(path) do rows[#rows + 1] = line end
  T.eq(rows[1], "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds", "header")
  T.eq(#rows, 4, "three epochs")
  for e = 1, 3 do
    local f = {}
    for v in (rows[e + 1] .. ","):gmatch("([^,]*),") do f[#f + 1] = v end
    T.eq(#f, 7, "seven fields")
    T.eq(tonumber(f[1]), e, "epoch")
    T.ok(math.abs(tonumber(f[2]) - h.loss[e]) < 1e-6, "loss")
    T.ok(math.abs(tonumber(f[4]) - h.val_loss[e]) < 1e-6, "val_loss")
    T.ok(math.abs(tonumber(f[5]) - h.val_accuracy[e]) < 1e-9, "val_accuracy")
    T.ok(tonumber(f[7]) >= 0, "seconds")
  end
end)

T.test("damaged or wrong training checkpoints are clear errors", function()
  local good = tmpdir .. "/part/last.safetensors"
  local bytes = read_all(good)
  local function loads(path, model, opt)
    model = model or mlp(32, 0.3)
    opt = opt or optim.Adam(model:parameters(), { lr = 1e-3 })
    return pcall(trainstate.load_training, path, model, opt)
  end
  T.ok(loads(good), "the good file loads")

  local cut = tmpdir .. "/cut.safetensors"
  write_all(cut, bytes:sub(1, #bytes // 2))
  local ok, err = loads(cut)
  T.ok(not ok and err:find("load_training", 1, true) and err:find("cut.safetensors", 1, true), "truncated: " .. tostring(err))

  local garbled = tmpdir .. "/garbled.safetensors"   -- the JSON header's first bytes overwritten
  write_all(garbled, bytes:sub(1, 8) .. "#@!" .. bytes:sub(12))
  ok, err = loads(garbled)
  T.ok(not ok and err:find("load_training", 1, true), "garbled header: " .. tostring(err))

  local empty = tmpdir .. "/empty.safetensors"
  write_all(empty, "")
  ok, err = loads(empty)
  T.ok(not ok and err:find("load_training", 1, true), "empty file: " .. tostring(err))

  ok, err = loads(tmpdir .. "/no-such-file.safetensors")
  T.ok(not ok and err:find("no%-such%-file"), "missing file: " .. tostring(err))

  local weights = tmpdir .. "/weights.safetensors"  -- model:save writes weights, not a training state
  mlp(32):save(weights)
  ok, err = loads(weights)
  T.ok(not ok and err:find("not a training checkpoint", 1, true), "weights only: " .. tostring(err))

  ok, err = loads(good, mlp(64, 0.3))                 -- another model's shapes
  T.ok(not ok and err:find("load_training", 1, true) and err:find("64", 1, true), "other shapes: " .. tostring(err))

  local m = mlp(32, 0.3)
  ok, err = loads(good, m, optim.SGD(m:parameters(), { lr = 0.1 }))
  T.ok(not ok and err:find("Adam", 1, true) and err:find("SGD", 1, true), "other optimizer: " .. tostring(err))

  ok, err = pcall(nabla.fit, mlp(32, 0.3), { nabla.zeros(4, 1, 28, 28), nabla.ones(4) },
    { resume = cut, quiet = true })
  T.ok(not ok and err:find("cut.safetensors", 1, true), "fit{resume = damaged file} fails naming it: " .. tostring(err))
  print("  e.g. " .. tostring(select(2, loads(cut))))
end)

T.test("early stopping: stops after `patience` epochs without improvement", function()
  nabla.manual_seed(4)
  local model = mlp(16)
  local before = model:state_dict()["1.weight"]:clone()
  -- lr 0: the validation loss never improves after the first epoch
  local h = nabla.fit(model, data.loader(data.mnist{ split = "train", path = small, limit = 128 }, { batch = 64 }),
    { epochs = 20, optimizer = optim.SGD(model:parameters(), { lr = 0 }), val = test,
      early_stop = { patience = 2 }, quiet = true })
  T.eq(#h.epoch, 3, "1 epoch setting the best, 2 without improvement, then stop")
  T.ok(identical(model:state_dict()["1.weight"], before), "lr 0 left the weights alone")
  -- improving training stops later than that: min_delta too large for any gain stops it as early
  nabla.manual_seed(4)
  local m2 = mlp(16)
  local h2 = nabla.fit(m2, data.loader(data.mnist{ split = "train", path = small, limit = 256 }, { batch = 32 }),
    { epochs = 6, lr = 1e-3, val = test, early_stop = { patience = 2 }, quiet = true })
  T.eq(#h2.epoch, 6, "a run that keeps improving is not stopped")
  nabla.manual_seed(4)
  local h3 = nabla.fit(mlp(16), data.loader(data.mnist{ split = "train", path = small, limit = 256 }, { batch = 32 }),
    { epochs = 6, lr = 1e-3, val = test, early_stop = { patience = 2, min_delta = 10 }, quiet = true })
  T.eq(#h3.epoch, 3, "min_delta = 10: no epoch counts as an improvement")
end)

T.test("early stopping with restore_best keeps the weights of the best epoch, not the last", function()
  -- 64 training digits and a large learning rate: the validation loss bottoms out early,
  -- then rises as the model learns the 64 by heart
  local function run(restore)
    nabla.manual_seed(4)
    local model = mlp(64)
    local h = nabla.fit(model, data.loader(data.mnist{ split = "train", path = small, limit = 64 }, { batch = 16 }),
      { epochs = 30, lr = 1e-2, val = test, early_stop = { patience = 3, restore_best = restore }, quiet = true })
    return model, h
  end
  local model, h = run(true)
  local best = 1
  for e = 2, #h.val_loss do if h.val_loss[e] < h.val_loss[best] then best = e end end
  T.ok(#h.epoch == best + 3, ("stopped 3 epochs past the best (best %d, ran %d)"):format(best, #h.epoch))
  T.eq(h.best_epoch, best, "history.best_epoch names the best epoch")
  local now = nabla.evaluate(model, test).loss
  T.ok(math.abs(now - h.val_loss[best]) < 1e-4 * h.val_loss[best],
    ("the model is the best epoch's: val loss %.5f, best %.5f, last %.5f"):format(now, h.val_loss[best], h.val_loss[#h.val_loss]))
  local last_model, h2 = run(false)
  T.ok(h2.best_epoch == nil, "without restore_best no best_epoch")
  T.ok(math.abs(nabla.evaluate(last_model, test).loss - h2.val_loss[#h2.val_loss]) < 1e-4 * h2.val_loss[#h2.val_loss],
    "without restore_best the last weights stay")
end)

T.test("gradient clipping bounds each step; without it the same step is larger", function()
  local x, y = data.loader(train, { batch = 64 }):iter()()
  local function one_step(clip)
    nabla.manual_seed(5)
    local model = mlp(32)
    local before = {}
    for i, p in ipairs(model:parameters()) do before[i] = p:clone() end
    -- SGD with lr 1, no momentum: the step is exactly the (clipped) gradient
    nabla.fit(model, { x, y }, { epochs = 1, optimizer = optim.SGD(model:parameters(), { lr = 1 }),
      loss = nn.CrossEntropyLoss(), clip_grad = clip, quiet = true })
    local sq = 0
    for i, p in ipairs(model:parameters()) do sq = sq + ((p - before[i]) ^ 2):sum():item() end
    return math.sqrt(sq)
  end
  local free = one_step(nil)
  local clipped = one_step(0.05)
  T.ok(free > 0.1, ("unclipped step %.4f"):format(free))
  T.ok(math.abs(clipped - 0.05) < 1e-4, ("clipped step %.6f = max_norm 0.05"):format(clipped))
  T.ok(math.abs(one_step(1e6) - free) < 1e-6, "a bound above the gradient's norm changes nothing")
end)

T.test("nabla run: options typed by the config's defaults, clear errors", function()
  local defaults = { epochs = 3, lr = 1e-3, cell = "GRU", augment = true, seed = 1 }
  local cfg = run.parse({ "--lr", "0.01", "--epochs=5", "--cell", "LSTM", "--augment", "false" }, defaults)
  T.eq(cfg.lr, 0.01, "--lr value")
  T.eq(cfg.epochs, 5, "--epochs=value")
  T.eq(cfg.cell, "LSTM", "a string option")
  T.eq(cfg.augment, false, "boolean false")
  T.eq(cfg.seed, 1, "untouched default")
  T.eq(defaults.epochs, 3, "the defaults table is not changed")
  T.eq(run.parse({ "--augment" }, { augment = false }).augment, true, "a bare boolean flag is true")
  T.eq(run.parse({ "--run-dir", "/tmp/x" }, defaults).run_dir, "/tmp/x", "dashes are underscores; run_dir for any experiment")
  T.eq(run.parse({ "--resume", "runs/a/last.safetensors", "--threads", "1" }, defaults).threads, 1, "--threads")
  local function fails(args, want)
    local ok, err = pcall(run.parse, args, defaults)
    T.ok(not ok and tostring(err):find(want, 1, true), ("%s -> %s"):format(table.concat(args, " "), tostring(err)))
  end
  fails({ "--lrr", "0.1" }, "unknown option --lrr")
  fails({ "--lrr", "0.1" }, "augment, cell, epochs, lr, seed")
  fails({ "--epochs", "five" }, "--epochs expects a number, got 'five'")
  fails({ "--augment", "maybe" }, "--augment expects true or false")
  fails({ "--threads", "two" }, "--threads expects a number")
  fails({ "--lr" }, "--lr needs a value")
  fails({ "0.1" }, "unexpected argument '0.1'")
end)

T.test("nabla run: an experiment file from the command line, result.txt, --resume", function()
  local exe = arg and arg[-1]
  T.ok(exe, "the nabla executable is arg[-1]")
  local exp = tmpdir .. "/tiny.lua"
  write_all(exp, ([[
local nabla = require "nabla"
local nn, data = nabla.nn, nabla.data
return {
  name = "tiny",
  config = { epochs = 2, hidden = 16, lr = 1e-3, seed = 1 },
  run = function(cfg)
    local train = data.mnist{ split = "train", path = %q, limit = 256 }
    local model = nn.Sequential{ nn.Flatten(), nn.Linear(784, cfg.hidden), nn.ReLU(), nn.Linear(cfg.hidden, 10) }
    local h = nabla.fit(model, data.loader(train, { batch = 64, shuffle = true, seed = cfg.seed }),
      { epochs = cfg.epochs, lr = cfg.lr, checkpoint = cfg.run_dir, resume = cfg.resume, log = cfg.run_dir .. "/log.csv" })
    return { train_accuracy = h.accuracy[#h.accuracy], epochs = #h.epoch, hidden = cfg.hidden }
  end,
}
]]):format(small))
  local function nabla_run(args)
    local p = io.popen(("NO_COLOR=1 '%s' run '%s' %s 2>&1; echo \"exit=$?\""):format(exe, exp, args))
    local out = p:read("a")
    p:close()
    return out:match("^(.-)exit=(%d+)%s*$")
  end
  local out, code = nabla_run(("--epochs 1 --hidden 8 --run_dir '%s/r1'"):format(tmpdir))
  T.eq(code, "0", "exit status: " .. out)
  T.ok(out:find("epoch 1/1", 1, true), "one epoch line")
  local result = read_all(tmpdir .. "/r1/result.txt")
  T.ok(result:find("hidden: 8", 1, true) and result:find("epochs: 1", 1, true), "--hidden and --epochs reached the run: " .. result)
  T.ok(result:find("train_accuracy: %d+%.%d%d%%") and result:find("time: ") and result:find("peak memory: %d+ MiB"),
    "result.txt has the accuracy, time and peak memory: " .. result)
  out, code = nabla_run(("--epochs 3 --hidden 8 --run_dir '%s/r2' --resume '%s/r1/last.safetensors'"):format(tmpdir, tmpdir))
  T.eq(code, "0", "resumed run: " .. out)
  T.ok(out:find("epoch 1)", 1, true) and out:find("epoch 2/3", 1, true) and out:find("epoch 3/3", 1, true)
       and not out:find("epoch 1/3", 1, true), "carries on at epoch 2: " .. out)
  T.ok(read_all(tmpdir .. "/r2/result.txt"):find("epochs: 3", 1, true), "history of all three epochs")
  out, code = nabla_run("--hiden 8")
  T.ok(code ~= "0" and out:find("unknown option --hiden", 1, true) and not out:find("traceback", 1, true),
    "unknown option: a message, no traceback: " .. out)
  out, code = nabla_run("--epochs lots")
  T.ok(code ~= "0" and out:find("--epochs expects a number", 1, true), "wrong type: " .. out)
  out, code = nabla_run(("--hidden 16 --run_dir '%s/r3' --resume '%s/r1/last.safetensors'"):format(tmpdir, tmpdir))
  T.ok(code ~= "0" and out:find("load_training", 1, true), "resuming into another shape fails clearly: " .. out)
  out, code = nabla_run("--help")
  T.ok(code == "0" and out:find("--hidden", 1, true), "--help lists the options: " .. out)
end)

T.test("run.test_result: the weights chosen on validation are the ones tested, once", function()
  nabla.manual_seed(3)
  local pool = data.moons{ n = 400, noise = 0.3 }
  local train, val = data.split(pool, { 100 }, { seed = 1 })
  local test = data.moons{ n = 200, noise = 0.3 }
  local model = nn.Sequential{ nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 2) }
  local dir = tmpdir .. "/select"
  -- a learning rate too high for the last epochs: validation loss goes up and down, so the
  -- chosen epoch is often not the last
  local h = nabla.fit(model, data.loader(train, { batch = 16, shuffle = true, seed = 1 }), {
    epochs = 8, lr = 0.3, val = val, val_name = "val100", checkpoint = dir, log = dir .. "/log.csv", quiet = true })
  local best_i = 1
  for i, v in ipairs(h.val_loss) do if v < h.val_loss[best_i] then best_i = i end end
  local res = run.test_result(model, test, h, { run_dir = dir })
  T.eq(res.selected_epoch, best_i, "the epoch of lowest val_loss")
  print(("  chosen: epoch %d of %d"):format(best_i, #h.val_loss))
  T.ok(res.model:find("best.safetensors", 1, true), "the chosen weights were loaded: " .. res.model)
  -- the model now holds best.safetensors' weights, and test_accuracy is theirs
  local again = nn.Sequential{ nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 2) }
  local sd = {}
  for k, t in pairs(require("nabla.checkpoint").load(dir .. "/best.safetensors")) do
    local name = k:match("^model%.(.*)$")
    if name then sd[name] = t end
  end
  again:load_state_dict(sd)
  T.near(res.test_accuracy, nabla.evaluate(again, test).accuracy, 0, 0, "test accuracy of the chosen weights")
  T.near(res.val_accuracy, h.val_accuracy[best_i], 0, 0, "its validation accuracy")
  -- log.csv says which split chose, and which epoch wrote best.safetensors
  local lines = {}
  for line in io.lines(dir .. "/log.csv") do lines[#lines + 1] = line end
  T.ok(lines[1]:find(",selected_on,best$"), "log.csv header: " .. lines[1])
  local marked = 0
  for i = 2, #lines do
    T.ok(lines[i]:find(",val100,[01]$"), "each row names the split: " .. lines[i])
    if lines[i]:find(",1$") then marked = i - 1 end
  end
  T.eq(marked, best_i, "the last row marked best is the chosen epoch")
  -- without a validation set nothing is chosen, and result.txt says so
  local r2 = run.test_result(model, test, { time = { 1 } })
  T.ok(r2.selected_on:find("nothing", 1, true), r2.selected_on)
end)

os.execute("rm -rf '" .. tmpdir .. "'")
T.done()

-- `nabla run mnist-cnn --lr 0.01 --epochs 5 --resume runs/...` (a bundled experiment by name,
-- or any experiment file: `nabla run experiments/mnist-cnn.lua`; `nabla run --list`):
-- an experiment is a Lua file returning { name, config = {defaults}, run = function(cfg) }.
-- Any config key can be overridden from the command line (its type is the default's).
local nabla = require "nabla"
local M = {}

local function coerce(key, value, default)
  local t = type(default)
  if t == "number" then
    local v = tonumber(value)
    if not v then error(("run: --%s expects a number, got '%s'"):format(key, value), 0) end
    return v
  elseif t == "boolean" then
    if value == "true" or value == "1" or value == "yes" then return true end
    if value == "false" or value == "0" or value == "no" then return false end
    error(("run: --%s expects true or false, got '%s'"):format(key, value), 0)
  end
  return value
end

-- options every experiment takes besides its config: where to resume from, the run's
-- directory (default runs/NAME-DATE-TIME), the number of threads
local GLOBAL = { resume = "", run_dir = "", threads = 0, serve = false, port = 8000, host = "127.0.0.1" }
M.GLOBAL = GLOBAL

-- Parses {"--lr", "0.01", "--epochs=5", "--flag"} against the defaults.
function M.parse(args, defaults)
  local cfg = {}
  for k, v in pairs(defaults) do cfg[k] = v end
  local i = 1
  while i <= #args do
    local a = args[i]
    local key, value = a:match("^%-%-([%w_%-]+)=(.*)$")
    if not key then
      key = a:match("^%-%-([%w_%-]+)$")
      if not key then error(("run: unexpected argument '%s' (options are --key value)"):format(a), 0) end
      local nxt = args[i + 1]
      local k_ = key:gsub("-", "_")
      local d_ = defaults[k_]
      if d_ == nil then d_ = GLOBAL[k_] end
      if type(d_) == "boolean" and (nxt == nil or nxt:match("^%-%-")) then
        value = "true"
      else
        value = nxt
        i = i + 1
      end
    end
    key = key:gsub("-", "_")
    if value == nil then error(("run: --%s needs a value"):format(key), 0) end
    local default = defaults[key]
    if default == nil then default = GLOBAL[key] end
    if default == nil then
      local keys = {}
      for k in pairs(defaults) do keys[#keys + 1] = k end
      table.sort(keys)
      local all = { "resume", "run_dir", "threads", "live", "serve", "port", "host" }
      for _, k in ipairs(keys) do all[#all + 1] = k end
      error(("run: unknown option --%s%s; this experiment's options are: %s; and resume, run_dir, threads, live, serve, port, host")
        :format(key, require("nabla.suggest").hint(key, all), table.concat(keys, ", ")), 0)
    end
    cfg[key] = coerce(key, value, default)
    i = i + 1
  end
  return cfg
end

-- The sets of an MNIST experiment, for honest model selection: cfg.val images (default
-- 5,000) held out of the 60,000 training images by data.split (seed cfg.split_seed, the same
-- split whatever the training seed) choose the model and stop early; the 10,000 test
-- images are touched once, at the end (test_result). M.selection says so in result.txt.
function M.mnist_sets(cfg)
  local data = nabla.data
  local full = data.mnist{ split = "train", full = true }
  local test = data.mnist{ split = "test", full = true }
  local n_val = math.floor(cfg.val or 5000)
  local seed = math.floor(cfg.split_seed or 1)
  local train, val = data.split(full, { n_val }, { seed = seed })
  val.name = "MNIST validation"
  M.selection = ("validation split: %d of the %d training images held out (data.split seed %d); test used once, at the end")
    :format(n_val, #full, seed)
  M.val_name = ("val%d-seed%d"):format(n_val, seed)
  print(("%d training images, %d for validation (held out of the training set), %d test images (used once, at the end)")
    :format(#train, #val, #test))
  return train, val, test
end

-- What an experiment that trained with fit() reports: the model chosen on the validation
-- split (the epoch of lowest val_loss: its weights are best.safetensors in opts.run_dir, and
-- they are loaded back), its accuracy and loss on the test set (evaluated once, here), and
-- the mean seconds per epoch of the history (the epochs of this run and any resumed).
function M.test_result(model, test, history, opts)
  opts = opts or {}
  local res = {}
  local vl = history.val_loss
  if vl and #vl > 0 then
    local bi
    for i, v in ipairs(vl) do if not bi or v < vl[bi] then bi = i end end
    res.selected_epoch = history.epoch[bi]
    res.val_loss = ("%.4f"):format(vl[bi])
    res.val_accuracy = history.val_accuracy and history.val_accuracy[bi] or nil
    res.selected_on = M.selection or "the val set given to fit"
    local path = opts.run_dir and (opts.run_dir .. "/best.safetensors")
    local f = path and io.open(path, "rb")
    if f then
      f:close()
      local sd = {}
      for k, t in pairs(require("nabla.checkpoint").load(path)) do
        local name = type(k) == "string" and k:match("^model%.(.*)$")
        if name then sd[name] = t end
      end
      model:load_state_dict(sd)
      res.model = ("best.safetensors (epoch %d of %d, lowest val_loss)"):format(res.selected_epoch, #vl)
    else
      -- e.g. a resumed run whose best epoch came before the resume, in another directory
      res.model = "the last epoch's weights (no best.safetensors in the run directory)"
    end
  else
    res.selected_on = "nothing (no validation set: the last epoch's weights)"
  end
  local ev = nabla.evaluate(model, test)
  local seconds, n = 0, 0
  for _, t in pairs(history.time) do seconds, n = seconds + t, n + 1 end
  res.test_accuracy, res.test_loss = ev.accuracy, ("%.4f"):format(ev.loss)
  res.seconds_per_epoch, res.epochs = ("%.1f"):format(seconds / math.max(n, 1)), n
  return res
end

local USAGE = [[
usage: nabla run NAME|FILE.lua [--key value ...] [--resume runs/.../last.safetensors] [--live]
       nabla run --list            the bundled experiments, one a line
       nabla run NAME --help       an experiment's options and their defaults
NAME is a bundled experiment (nabla run mnist-cnn); FILE.lua any experiment file. The run
goes to runs/NAME-DATE-TIME under the current directory (or --run_dir DIR).]]

-- `nabla run --list`: name and one line for each bundled experiment
function M.list()
  local paths = require "nabla.paths"
  local list = paths.experiment_list()
  if #list == 0 then
    io.stderr:write("run: no experiments in ", paths.experiments, "\n")
    return 1
  end
  local w = 0
  for _, e in ipairs(list) do w = math.max(w, #e.name) end
  for _, e in ipairs(list) do print(("%-" .. w .. "s  %s"):format(e.name, e.description)) end
  return 0
end

function M.main(args)
  local what = args[1]
  if not what or what == "--help" or what == "-h" then
    print(USAGE)
    return 0
  end
  if what == "--list" then return M.list() end
  local path = require("nabla.paths").find_experiment(what)
  if not path then
    local names = {}
    for _, e in ipairs(require("nabla.paths").experiment_list()) do names[#names + 1] = e.name end
    io.stderr:write(("run: no experiment '%s'%s (a file, or one of: %s; nabla run --list)\n")
      :format(what, require("nabla.suggest").hint(what:match("([^/]+)$"):gsub("%.lua$", ""), names),
              table.concat(names, ", ")))
    return 2
  end
  local chunk, err = loadfile(path)
  if not chunk then
    io.stderr:write("run: ", err, "\n")
    return 2
  end
  local exp = chunk()
  if not (type(exp) == "table" and type(exp.run) == "function") then
    io.stderr:write("run: ", path, " must return { name = ..., config = {...}, run = function(cfg) ... end }\n")
    return 2
  end
  local rest = {}
  for i = 2, #args do
    -- --live: every fit() of the experiment draws its curves live (fit's live option)
    if args[i] == "--live" then require("nabla.train").defaults.live = true
    else rest[#rest + 1] = args[i] end
  end
  if rest[1] == "--help" then
    print((exp.name or path) .. " — options (defaults):")
    local keys = {}
    for k in pairs(exp.config or {}) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do print(("  --%-16s %s"):format(k, tostring(exp.config[k]))) end
    return 0
  end
  -- a mistake on the command line is a message and exit status 2, not a traceback
  local pok, cfg = pcall(M.parse, rest, exp.config or {})
  if not pok then
    io.stderr:write(tostring(cfg), "\n")
    return 2
  end
  local name = exp.name or path:match("([^/]+)%.lua$") or "run"
  cfg.run_dir = cfg.run_dir or ("runs/%s-%s"):format(name, os.date("%Y%m%d-%H%M%S"))
  os.execute(("mkdir -p '%s'"):format(cfg.run_dir:gsub("'", "'\\''")))
  if cfg.seed then nabla.manual_seed(math.floor(cfg.seed)) end
  if cfg.threads then nabla.set_num_threads(math.floor(cfg.threads)) end
  print(("%s  (%s)  run dir %s"):format(name, nabla.blas_info and nabla.blas_info() or "", cfg.run_dir))
  -- checkpoints written during the run record which experiment and config built the model
  -- (lua/nabla/trainstate.lua), so that `nabla serve CHECKPOINT` can rebuild it
  M.current = { path = path, config = cfg, name = name }
  -- --serve: the dashboard live while it trains (the model is the one fit() trains)
  local srv
  if cfg.serve then
    local ok, s = pcall(require("nabla.serve").serve, { port = math.floor(cfg.port), host = cfg.host,
                                                         info = { name = name, experiment = path } })
    if not ok then
      io.stderr:write(tostring(s), "\n")
      return 2
    end
    srv = s
  end
  local t0 = nabla.clock()
  -- errors raised with level 0 (error("...", 0): a wrong option value) are messages; others
  -- come with their traceback
  local rok, result = xpcall(exp.run, function(e)
    if type(e) == "string" and not e:match("^[^%s:]+:%d+:") then return { message = e } end
    return debug.traceback(tostring(e), 2)
  end, cfg, exp)
  if not rok then
    if srv then srv:stop() end
    io.stderr:write(type(result) == "table" and result.message or tostring(result), "\n")
    return 1
  end
  result = result or {}
  local elapsed = nabla.clock() - t0
  local lines = { ("experiment: %s"):format(name) }
  local keys = {}
  for k in pairs(result) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local v = result[k]
    if type(v) == "number" and k:match("accuracy") then v = ("%.2f%%"):format(100 * v) end
    if type(v) ~= "table" then lines[#lines + 1] = ("%s: %s"):format(k, tostring(v)) end
  end
  lines[#lines + 1] = ("time: %.1f s"):format(elapsed)
  lines[#lines + 1] = ("peak memory: %.0f MiB"):format(nabla.peak_rss())
  local text = table.concat(lines, "\n")
  print(text)
  local f = io.open(cfg.run_dir .. "/result.txt", "w")
  if f then f:write(text, "\n"); f:close() end
  if srv then
    -- trained: the room can now draw digits for it, until Ctrl-C
    if type(result.test_accuracy) == "number" and srv.summary then
      srv.summary.test_accuracy = result.test_accuracy
      srv._srv:set_model(nabla._C.json(srv.summary))
    end
    print(("serving the trained model at %s until Ctrl-C"):format(srv:url("draw")))
    pcall(require("nabla.serve").loop)
    srv:stop()
  end
  return 0, result
end

return M

-- Training checkpoints: everything fit() needs to carry on where it stopped, in one
-- safetensors file (lua/nabla/checkpoint.lua writes it atomically: temp file + rename).
--
--   trainstate.save_training(path, model, optimizer, { epoch = 3, history = h [, scheduler = s] })
--   st = trainstate.load_training(path, model, optimizer [, { scheduler = s }])
--        -> { epoch = 3, history = h }   (model, optimizer and scheduler restored in place)
--
-- What the file holds:
--   tensors   "model.<key>"                 the model's state_dict ("model.0.weight", ...)
--             "optimizer.<i>.<name>"        the optimizer's state tensors of parameter i
--                                           ("optimizer.1.exp_avg", "optimizer.1.exp_avg_sq")
--   metadata  format = "nabla.trainstate/1", epoch, and as JSON text: history, optimizer
--             (its name, param_groups and the numbers of its state, e.g. step), scheduler,
--             rng_seed
-- The model's weights can also be read by any safetensors reader (the "model." prefix
-- removed), as PyTorch's checkpoints keep {"model": ..., "optimizer": ...}.
--
-- Random numbers: a resumed run must draw the same dropout masks as an uninterrupted one,
-- but the global generator's state cannot be read back. So each save draws a seed from the
-- generator, re-seeds it with that seed, and stores it; loading re-seeds with the stored
-- seed. Both runs then continue from the same seed. (Saves of the same epoch — fit writes
-- last and best — share one seed.)
local nabla = require "nabla"
local checkpoint = require "nabla.checkpoint"
local json = checkpoint.json

local M = {}
local FORMAT = "nabla.trainstate/1"

-- ---- JSON of plain Lua values (numbers that JSON lacks are tagged strings) -------------------

local SPECIAL = { [math.huge] = "Infinity", [-math.huge] = "-Infinity" }
local UNSPECIAL = { Infinity = math.huge, ["-Infinity"] = -math.huge }

-- a JSON-able copy of v: ±inf and NaN as {"float": "Infinity"}, integer keys as strings;
-- an empty table as {} (an array)
local function to_json(v)
  if type(v) == "number" then
    if v ~= v then return setmetatable({ float = "NaN" }, { keys = { "float" } }) end
    if SPECIAL[v] then return setmetatable({ float = SPECIAL[v] }, { keys = { "float" } }) end
    return v
  end
  if type(v) ~= "table" then return v end
  if nabla.is_tensor(v) then error("trainstate: a tensor cannot go into the metadata", 3) end
  local n, count = #v, 0
  for _ in pairs(v) do count = count + 1 end
  if count == n then                                  -- a sequence (or empty)
    local a = {}
    for i = 1, n do a[i] = to_json(v[i]) end
    return a
  end
  local o, keys = {}, {}
  for k, x in pairs(v) do
    local key = math.type(k) == "integer" and ("#" .. k) or tostring(k)   -- "#3": integer key 3
    o[key] = to_json(x)
    keys[#keys + 1] = key
  end
  table.sort(keys)
  return setmetatable(o, { keys = keys })
end

local function from_json(v)
  if v == json.null then return nil end
  if type(v) ~= "table" then return v end
  local mt = getmetatable(v)
  if mt and mt.keys then
    if v.float ~= nil and #mt.keys == 1 then
      return v.float == "NaN" and 0 / 0 or UNSPECIAL[v.float]
    end
    local o = {}
    for _, k in ipairs(mt.keys) do
      local i = k:match("^#(%-?%d+)$")
      o[i and math.tointeger(tonumber(i)) or k] = from_json(v[k])
    end
    return o
  end
  local a = {}
  for i = 1, #v do a[i] = from_json(v[i]) end
  return a
end

local function encode(v) return json.encode(to_json(v)) end

-- A history table has columns (epoch, loss, accuracy, ...) of one value per epoch, some of
-- them missing (no accuracy for a regression): missing values are JSON null.
local function history_to_json(h)
  local n = h.epoch and #h.epoch or 0
  local o, keys = {}, {}
  for k, col in pairs(h) do
    if type(col) == "table" then
      local a = {}
      for i = 1, n do
        local x = col[i]
        if x == nil then a[i] = json.null else a[i] = to_json(x) end
      end
      o[k] = a
      keys[#keys + 1] = k
    end
  end
  table.sort(keys)
  return json.encode(setmetatable(o, { keys = keys }))
end

-- ---- rng ---------------------------------------------------------------------------------------

local reseeded = setmetatable({}, { __mode = "k" })   -- model -> { epoch, seed }

local function fresh_seed(model, epoch)
  local last = reseeded[model]
  if last and last.epoch == epoch then return last.seed end
  local seed = nabla._C._rng_seed()
  nabla.manual_seed(seed)
  reseeded[model] = { epoch = epoch, seed = seed }
  return seed
end

-- ---- saving ------------------------------------------------------------------------------------

local function check_model(where, model)
  if type(model) ~= "table" or type(model.state_dict) ~= "function" then
    error(("%s: expected a model (an nn.Module), got %s"):format(where, type(model)), 3)
  end
end

-- save_training(path, model, optimizer, { epoch, history, scheduler }): optimizer and the
-- extras may be nil.
function M.save_training(path, model, optimizer, extra)
  if type(path) ~= "string" then error("save_training: the first argument must be a file path", 2) end
  check_model("save_training", model)
  extra = extra or {}
  local keys, map = {}, {}
  for k, t in pairs(model:state_dict()) do
    keys[#keys + 1] = "model." .. k
    map["model." .. k] = t
  end
  local meta = { format = FORMAT, epoch = tostring(math.tointeger(extra.epoch) or 0) }
  if optimizer then
    local sd = optimizer:state_dict()
    local numbers = {}
    local ids = {}
    for i in pairs(sd.state) do ids[#ids + 1] = i end
    table.sort(ids)
    for _, i in ipairs(ids) do
      local names = {}
      for name in pairs(sd.state[i]) do names[#names + 1] = name end
      table.sort(names)
      for _, name in ipairs(names) do
        local v = sd.state[i][name]
        if nabla.is_tensor(v) then
          local key = ("optimizer.%d.%s"):format(i, name)
          keys[#keys + 1] = key
          map[key] = v
        else
          numbers[i] = numbers[i] or {}
          numbers[i][name] = v
        end
      end
    end
    meta.optimizer = encode({ name = optimizer.name, param_groups = sd.param_groups, state = numbers })
  end
  if extra.history then meta.history = history_to_json(extra.history) end
  if extra.scheduler and extra.scheduler.state_dict then meta.scheduler = encode(extra.scheduler:state_dict()) end
  if extra.early_stop then meta.early_stop = tostring(extra.early_stop) end
  meta.rng_seed = ("%d"):format(fresh_seed(model, extra.epoch))
  -- which experiment and config built the model (`nabla serve` rebuilds it from them)
  local run = package.loaded["nabla.run"]
  if run and run.current then
    meta.experiment = run.current.path
    meta.config = encode(run.current.config)
  end
  local dir = path:match("^(.*)/[^/]*$")
  if dir and dir ~= "" then os.execute(("mkdir -p '%s' 2>/dev/null"):format(dir:gsub("'", "'\\''"))) end
  checkpoint.write(path, keys, map, meta)
  return path
end

-- ---- loading -----------------------------------------------------------------------------------

-- Nothing read from a checkpoint is trusted: every field is type- and range-checked here, and
-- a bad one is reported naming the field and the file (a corrupt epoch never makes fit()
-- train for 10^8 epochs, a wrong type never reaches a raw Lua error further on).
local check_state_kinds
local MAX_EPOCH = 1000000          -- more epochs than anyone trains; a larger one is corrupt
local MAX_STEP = 2 ^ 53            -- step counts: whole numbers a double holds exactly

local function bad(path, field, v, expected)
  local shown = type(v) == "string" and ("%q"):format(v) or type(v) == "table" and "a table"
    or tostring(v)
  error(("load_training: '%s': field '%s' is %s (expected %s)"):format(path, field, shown, expected), 0)
end

local function whole(v, lo, hi)
  return math.type(v) == "integer" and v >= lo and v <= hi
    or (math.type(v) == "float" and v == math.floor(v) and v >= lo and v <= hi)
end

-- a whole number from a metadata string such as "12"
local function meta_int(path, meta, field, lo, hi)
  local v = meta[field]
  local n = type(v) == "string" and v:match("^%-?%d+$") and math.tointeger(tonumber(v))
  if not n or n < lo or n > hi then bad(path, field, v, ("a whole number %d..%d"):format(lo, hi)) end
  return n
end

local function is_finite(x) return type(x) == "number" and x == x and x ~= math.huge and x ~= -math.huge end

-- an array (keys 1..n, no holes unless holes_ok) whose entries pass ok(x)
local function check_array(path, field, v, ok, expected, holes_ok, max_len)
  if type(v) ~= "table" then bad(path, field, v, "an array of " .. expected) end
  local n = 0
  for k in pairs(v) do
    if math.type(k) ~= "integer" or k < 1 or k > (max_len or MAX_EPOCH) then
      bad(path, field .. "[" .. tostring(k) .. "]", v[k], "an array of " .. expected)
    end
    if k > n then n = k end
  end
  for i = 1, n do
    local x = v[i]
    if x == nil and not holes_ok then bad(path, ("%s[%d]"):format(field, i), x, expected) end
    if x ~= nil and not ok(x) then bad(path, ("%s[%d]"):format(field, i), x, expected) end
  end
  return n
end

-- Checks a saved table of options (an optimizer's param group, a scheduler's state) against
-- the live object's own: no key it lacks (but the numbers named in extra_ok), the same type
-- for each, numbers in range(k, x).
local function check_like(path, field, saved, live, range, extra_ok)
  if type(saved) ~= "table" then bad(path, field, saved, "a table") end
  for k, v in pairs(saved) do
    local f = field .. "." .. tostring(k)
    if type(k) ~= "string" then bad(path, f, v, "no such entry") end
    local want = live[k]
    if want == nil and extra_ok and extra_ok[k] and type(v) == "number" then want = v end
    if want == nil then bad(path, f, v, "no such option") end
    if type(v) ~= type(want) then bad(path, f, v, "a " .. type(want)) end
    if type(v) == "number" then
      local ok, expected = range(k, v)
      if not ok then bad(path, f, v, expected) end
    elseif type(v) == "table" then
      if #v ~= #want then bad(path, f, v, ("an array of %d numbers"):format(#want)) end
      check_array(path, f, v, function(x)
        return type(x) == "number" and (range(k, x))
      end, select(2, range(k, 0 / 0)) or "numbers", false, #want)
    end
  end
end

-- optimizer hyperparameters: all finite and >= 0; betas below 1 (beta = 1 divides by zero)
local function opt_range(k, x)
  if k == "betas" then return is_finite(x) and x >= 0 and x < 1, "numbers in [0, 1)" end
  return is_finite(x) and x >= 0, "a finite number >= 0"
end

local function check_optimizer(path, o, optimizer)
  if type(o) ~= "table" then bad(path, "optimizer", o, "a JSON object") end
  if type(o.name) ~= "string" then bad(path, "optimizer.name", o.name, "the optimizer's name") end
  if o.name ~= optimizer.name then
    error(("load_training: '%s' holds the state of a %s optimizer, not of %s"):format(
      path, tostring(o.name), tostring(optimizer.name)), 0)
  end
  local live = optimizer:state_dict()
  local groups = o.param_groups
  if type(groups) ~= "table" or #groups ~= #live.param_groups then
    bad(path, "optimizer.param_groups", groups, ("%d parameter group(s), as this optimizer has"):format(#live.param_groups))
  end
  local nparams = 0
  for _, g in ipairs(live.param_groups) do nparams = nparams + #g.params end
  local listed = {}
  for gi, g in ipairs(groups) do
    local f = ("optimizer.param_groups[%d]"):format(gi)
    if type(g) ~= "table" then bad(path, f, g, "a JSON object") end
    local params = g.params
    check_array(path, f .. ".params", params, function(x) return whole(x, 1, nparams) end,
      ("parameter numbers 1..%d"):format(nparams), false, nparams)
    for _, id in ipairs(params) do
      if listed[id] then bad(path, f .. ".params", id, "each parameter listed once") end
      listed[id] = true
    end
    local rest = {}
    for k, v in pairs(g) do if k ~= "params" then rest[k] = v end end
    local lg = {}
    for k, v in pairs(live.param_groups[gi]) do if k ~= "params" then lg[k] = v end end
    check_like(path, f, rest, lg, opt_range, { initial_lr = true })   -- (it comes with a scheduler)
  end
  local state = o.state or {}
  if type(state) ~= "table" then bad(path, "optimizer.state", state, "a JSON object") end
  for i, numbers in pairs(state) do
    local f = ("optimizer.state[%s]"):format(tostring(i))
    if not whole(i, 1, nparams) or not listed[i] then bad(path, f, numbers, "the state of a listed parameter") end
    if type(numbers) ~= "table" then bad(path, f, numbers, "a JSON object") end
    for k, v in pairs(numbers) do
      local fk = f .. "." .. tostring(k)
      if type(k) ~= "string" then bad(path, fk, v, "a named entry") end
      if k == "step" then
        if not whole(v, 0, MAX_STEP) then bad(path, fk, v, "a whole number 0..2^53") end
      elseif not is_finite(v) then
        bad(path, fk, v, "a finite number")
      end
    end
  end
  return nparams, listed
end

-- Each parameter's saved state must hold what this optimizer's update reads: exactly the
-- entries (numbers and tensors) that one step of the same optimizer, with the saved
-- options, creates (Adam: step, exp_avg, exp_avg_sq; SGD with momentum: momentum_buffer...).
-- A parameter with no state at all is fine (it never had a gradient).
function check_state_kinds(path, o, opt_tensors, optimizer)
  local class = nabla.optim and nabla.optim[optimizer.name]
  if class == nil then return end                  -- an optimizer nabla does not ship
  local index = 0
  for gi, group in ipairs(optimizer.param_groups) do
    local probe_params = {}
    for k, p in ipairs(group.params) do
      local q = nabla.zeros(table.unpack(p.shape)):requires_grad()
      q.grad = nabla.zeros(table.unpack(p.shape))
      probe_params[k] = q
    end
    local opts = {}
    for k, v in pairs(o.param_groups[gi]) do
      if k ~= "params" and k ~= "initial_lr" then opts[k] = v end
    end
    local ok, probe = pcall(class, probe_params, opts)
    local err = probe
    if ok then ok, err = pcall(probe.step, probe) end
    if not ok then
      bad(path, ("optimizer.param_groups[%d]"):format(gi), o.param_groups[gi],
        ("options %s accepts (%s)"):format(optimizer.name, tostring(err):gsub("^.-:%d+: ", "")))
    end
    for k = 1, #group.params do
      local id = o.param_groups[gi].params[k]
      local numbers, tensors = (o.state or {})[id], opt_tensors[id]
      if numbers or tensors then
        local want = probe.state[probe_params[k]] or {}
        local f = ("optimizer.state[%d]"):format(id)
        for name, v in pairs(want) do
          local have = nabla.is_tensor(v) and tensors and tensors[name] or (not nabla.is_tensor(v) and numbers and numbers[name])
          if have == nil or have == false then
            bad(path, f .. "." .. name, nil, ("the %s %s's update needs"):format(
              nabla.is_tensor(v) and "tensor" or "number", optimizer.name))
          end
        end
        for name, v in pairs(numbers or {}) do
          if want[name] == nil or nabla.is_tensor(want[name]) then bad(path, f .. "." .. name, v, "no such state") end
        end
        for name, t in pairs(tensors or {}) do
          if want[name] == nil or not nabla.is_tensor(want[name]) then
            bad(path, ("tensor optimizer.%d.%s"):format(id, name), "present", "no such state")
          end
        end
      end
    end
    index = index + #group.params
  end
end

-- a scheduler's saved state: the live scheduler's own fields, the step counts whole numbers,
-- the learning rates finite and >= 0
-- The schedulers' own options, held to the rules their constructors apply (found by
-- tests/fuzz: a resumed StepLR with step_size = 0 divided by zero in get_lr).
local SCHED_OPTIONS = {
  step_size = { function(x) return whole(x, 1, MAX_STEP) end, "a whole number >= 1" },
  total_steps = { function(x) return whole(x, 1, MAX_STEP) end, "a whole number >= 1" },
  epochs = { function(x) return whole(x, 1, MAX_STEP) end, "a whole number >= 1" },
  steps_per_epoch = { function(x) return whole(x, 1, MAX_STEP) end, "a whole number >= 1" },
  milestones = { function(x) return whole(x, 0, MAX_STEP) end, "whole numbers >= 0" },
  patience = { function(x) return whole(x, 0, MAX_STEP) end, "a whole number >= 0" },
  cooldown = { function(x) return whole(x, 0, MAX_STEP) end, "a whole number >= 0" },
  T_max = { function(x) return is_finite(x) and x > 0 end, "a finite number > 0" },
  pct_start = { function(x) return is_finite(x) and x >= 0 and x <= 1 end, "a number between 0 and 1" },
  div_factor = { function(x) return is_finite(x) and x > 0 end, "a finite number > 0" },
  final_div_factor = { function(x) return is_finite(x) and x > 0 end, "a finite number > 0" },
  factor = { function(x) return is_finite(x) and x >= 0 and x < 1 end, "a number in [0, 1)" },
  gamma = { function(x) return is_finite(x) and x >= 0 end, "a finite number >= 0" },
  eta_min = { function(x) return is_finite(x) and x >= 0 end, "a finite number >= 0" },
  threshold = { function(x) return is_finite(x) and x >= 0 end, "a finite number >= 0" },
  eps = { function(x) return is_finite(x) and x >= 0 end, "a finite number >= 0" },
}

local function sched_range(k, x)
  if k == "last_epoch" or k == "_step_count" or k == "num_bad_epochs" or k == "cooldown_counter" then
    return whole(x, -1, MAX_STEP), "a whole number -1..2^53"
  end
  if k == "base_lrs" or k == "_last_lr" or k == "min_lrs" then
    return is_finite(x) and x >= 0, "finite numbers >= 0"
  end
  local rule = SCHED_OPTIONS[k]
  if rule then return rule[1](x), rule[2] end
  return x == x, "a number (not NaN)"
end

local function check_history(path, h)
  if type(h) ~= "table" then bad(path, "history", h, "a JSON object of columns") end
  for k, col in pairs(h) do
    local f = "history." .. tostring(k)
    if type(k) ~= "string" then bad(path, f, col, "a named column") end
    if k == "epoch" then
      check_array(path, f, col, function(x) return whole(x, 0, MAX_EPOCH) end,
        ("epoch numbers 0..%d"):format(MAX_EPOCH), true)
    else
      check_array(path, f, col, function(x) return type(x) == "number" end, "numbers", true)
    end
  end
  -- the columns fit() appends to are there, if empty (found by tests/fuzz: a history with no
  -- epoch column made the resumed fit fail on #history.epoch)
  for _, k in ipairs({ "epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "time" }) do
    if h[k] == nil then h[k] = {} end
  end
  return h
end

local function decode(path, meta, field)
  if type(meta[field]) ~= "string" then bad(path, field, meta[field], "JSON text") end
  local ok, v = pcall(json.decode, meta[field])
  if not ok then
    error(("load_training: '%s': the %s record is not valid JSON (%s)"):format(path, field, v), 0)
  end
  return from_json(v)
end

-- load_training(path, model, optimizer, { scheduler }) restores the model (strictly: every
-- key and shape must match), the optimizer and the scheduler, and returns { epoch, history }.
-- Everything is checked before anything is changed.
local function load_training(path, model, optimizer, opts)
  if type(path) ~= "string" then error("load_training: the first argument must be a file path", 0) end
  check_model("load_training", model)
  opts = opts or {}
  local ok, sd, meta = pcall(checkpoint.load, path)
  if not ok then error(("load_training: %s"):format(tostring(sd):gsub("^load: ", "")), 0) end
  if type(meta) ~= "table" or meta.format ~= FORMAT then
    error(("load_training: '%s' is a safetensors file but not a training checkpoint (no %s metadata); "
           .. "model weights alone load with model:load(path)"):format(path, FORMAT), 0)
  end
  local epoch = meta_int(path, meta, "epoch", 0, MAX_EPOCH)
  local seed = meta.rng_seed ~= nil and meta_int(path, meta, "rng_seed", math.mininteger, math.maxinteger) or nil
  if meta.early_stop ~= nil then
    local b, n = tostring(meta.early_stop):match("^(%S+) (%d+)$")
    if not (b and tonumber(b) and tonumber(b) == tonumber(b) and whole(math.tointeger(tonumber(n)) or -1, 0, MAX_EPOCH)) then
      bad(path, "early_stop", meta.early_stop, '"<best value> <epochs without improvement>"')
    end
  end

  -- the tensors: "model.<key>" and "optimizer.<i>.<name>"
  local mkeys, mmap, opt_tensors = {}, {}, {}
  for k, t in pairs(sd) do
    local mk = k:match("^model%.(.+)$")
    if mk then
      mkeys[#mkeys + 1] = mk
      mmap[mk] = t
    else
      local i, name = k:match("^optimizer%.(%d+)%.(.+)$")
      i = i and math.tointeger(tonumber(i))
      if not i then error(("load_training: '%s': unexpected tensor '%s'"):format(path, k), 0) end
      opt_tensors[i] = opt_tensors[i] or {}
      opt_tensors[i][name] = t
    end
  end

  -- the records, all checked before the model, optimizer or scheduler changes
  local o
  if optimizer then
    if not meta.optimizer then
      error(("load_training: '%s' holds no optimizer state"):format(path), 0)
    end
    o = decode(path, meta, "optimizer")
    local _, listed = check_optimizer(path, o, optimizer)
    for i, tensors in pairs(opt_tensors) do
      if not listed[i] then
        local name = next(tensors)
        bad(path, ("tensor optimizer.%d.%s"):format(i, name), "present", "the state of a listed parameter")
      end
    end
    check_state_kinds(path, o, opt_tensors, optimizer)
  end
  local sched_state
  if opts.scheduler and meta.scheduler then
    sched_state = decode(path, meta, "scheduler")
    check_like(path, "scheduler", sched_state, opts.scheduler:state_dict(), sched_range)
  end
  local history = meta.history and check_history(path, decode(path, meta, "history")) or nil

  local lok, lerr = pcall(model.load_state_dict, model, require("nabla.nn.module").ordered_state_dict(mkeys, mmap))
  if not lok then error(("load_training: '%s': %s"):format(path, tostring(lerr):gsub("^.-load_state_dict: ", "")), 0) end
  if optimizer then
    local state = {}
    for i, numbers in pairs(o.state or {}) do
      state[i] = {}
      for k, v in pairs(numbers) do state[i][k] = v end
    end
    for i, tensors in pairs(opt_tensors) do
      state[i] = state[i] or {}
      for k, t in pairs(tensors) do state[i][k] = t end
    end
    local ook, oerr = pcall(optimizer.load_state_dict, optimizer, { state = state, param_groups = o.param_groups })
    if not ook then error(("load_training: '%s': %s"):format(path, tostring(oerr)), 0) end
  end
  if sched_state then opts.scheduler:load_state_dict(sched_state) end
  if seed then
    nabla.manual_seed(seed)
    reseeded[model] = { epoch = epoch, seed = seed }
  end
  return { epoch = epoch, history = history, metadata = meta }
end

-- errors are reported at the caller of load_training (fit, or the learner's line)
function M.load_training(...)
  local ok, r = pcall(load_training, ...)
  if not ok then error(r, 2) end
  return r
end

return M

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
  local seed = nabla._rng_seed()
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
  local dir = path:match("^(.*)/[^/]*$")
  if dir and dir ~= "" then os.execute(("mkdir -p '%s' 2>/dev/null"):format(dir:gsub("'", "'\\''"))) end
  checkpoint.write(path, keys, map, meta)
  return path
end

-- ---- loading -----------------------------------------------------------------------------------

local function decode(path, meta, field)
  local ok, v = pcall(json.decode, meta[field])
  if not ok then
    error(("load_training: '%s': the %s record is not valid JSON (%s)"):format(path, field, v), 0)
  end
  return from_json(v)
end

-- load_training(path, model, optimizer, { scheduler }) restores the model (strictly: every
-- key and shape must match), the optimizer and the scheduler, and returns { epoch, history }.
function M.load_training(path, model, optimizer, opts)
  if type(path) ~= "string" then error("load_training: the first argument must be a file path", 2) end
  check_model("load_training", model)
  opts = opts or {}
  local ok, sd, meta = pcall(checkpoint.load, path)
  if not ok then error(("load_training: %s"):format(tostring(sd):gsub("^load: ", "")), 2) end
  if type(meta) ~= "table" or meta.format ~= FORMAT then
    error(("load_training: '%s' is a safetensors file but not a training checkpoint (no %s metadata); "
           .. "model weights alone load with model:load(path)"):format(path, FORMAT), 2)
  end
  local epoch = math.tointeger(tonumber(meta.epoch))
  if not epoch then error(("load_training: '%s': bad epoch '%s' in the metadata"):format(path, tostring(meta.epoch)), 2) end

  -- the model
  local mkeys, mmap, opt_tensors = {}, {}, {}
  for k, t in pairs(sd) do
    local mk = k:match("^model%.(.+)$")
    if mk then
      mkeys[#mkeys + 1] = mk
      mmap[mk] = t
    else
      local i, name = k:match("^optimizer%.(%d+)%.(.+)$")
      if not i then error(("load_training: '%s': unexpected tensor '%s'"):format(path, k), 2) end
      i = math.tointeger(tonumber(i))
      opt_tensors[i] = opt_tensors[i] or {}
      opt_tensors[i][name] = t
    end
  end
  local lok, lerr = pcall(model.load_state_dict, model, require("nabla.nn.module").ordered_state_dict(mkeys, mmap))
  if not lok then error(("load_training: '%s': %s"):format(path, tostring(lerr):gsub("^.-load_state_dict: ", "")), 2) end

  -- the optimizer
  if optimizer then
    if not meta.optimizer then
      error(("load_training: '%s' holds no optimizer state"):format(path), 2)
    end
    local o = decode(path, meta, "optimizer")
    if o.name ~= optimizer.name then
      error(("load_training: '%s' holds the state of a %s optimizer, not of %s"):format(
        path, tostring(o.name), tostring(optimizer.name)), 2)
    end
    local state = {}
    for i, numbers in pairs(o.state or {}) do
      state[i] = {}
      for k, v in pairs(numbers) do state[i][k] = v end
    end
    for i, tensors in pairs(opt_tensors) do
      state[i] = state[i] or {}
      for k, t in pairs(tensors) do state[i][k] = t end
    end
    local ook, oerr = pcall(optimizer.load_state_dict, optimizer, { state = state, param_groups = o.param_groups or {} })
    if not ook then error(("load_training: '%s': %s"):format(path, tostring(oerr)), 2) end
  end

  if opts.scheduler and meta.scheduler then opts.scheduler:load_state_dict(decode(path, meta, "scheduler")) end
  local seed = meta.rng_seed and math.tointeger(tonumber(meta.rng_seed))
  if seed then
    nabla.manual_seed(seed)
    reseeded[model] = { epoch = epoch, seed = seed }
  end
  local history = meta.history and decode(path, meta, "history") or nil
  return { epoch = epoch, history = history, metadata = meta }
end

return M

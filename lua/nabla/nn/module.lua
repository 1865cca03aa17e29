-- nn.Module: the base of every layer and model (torch.nn.Module).
--
-- A module holds parameters (leaf tensors with requires_grad), buffers (tensors saved with
-- the model but not trained, like BatchNorm's running_mean) and child modules, and calls
-- forward when called: model(x) is model:forward(x). Writing your own:
--
--   local Net = nn.Module:extend("Net")
--   function Net:__init(hidden)
--     self.fc1 = nn.Linear(784, hidden)    -- a child module: its parameters are "fc1.weight"...
--     self.fc2 = nn.Linear(hidden, 10)
--   end
--   function Net:forward(x) return self.fc2(self.fc1(x):relu()) end
--   local net = Net(128)
--
-- Assigning a module or a tensor that requires grad to a new field registers it (as
-- PyTorch's __setattr__ does); register_buffer(name, t) registers a buffer. Names and their
-- order are kept in self._names / self._kinds, so named_parameters() and state_dict() list
-- them in the order they were made, with PyTorch's dotted names ("layer1.0.conv1.weight").
local nabla = require "nabla"
local doc = require "nabla.doc"

-- For tab completion, every class keeps __methods: its methods and its ancestors', by name
-- (the shell lists them; calls still go through __index).
local function class_newindex(cls, k, v)
  rawset(cls, k, v)
  if type(k) == "string" and type(v) == "function" then rawget(cls, "__methods")[k] = v end
end

local Module = setmetatable({ __name = "Module", __methods = {} }, { __newindex = class_newindex })
Module.__index = Module

local function is_module(v) return type(v) == "table" and rawget(v, "_kinds") ~= nil end
Module.is_module = is_module

-- ---- classes -------------------------------------------------------------------------

-- Metamethods are looked up raw, never through __index, so each class copies them.
local metamethods = { "__call", "__tostring", "__newindex", "__len", "__close" }

-- Cls = Parent:extend("Name"): a new class; Cls(...) makes an instance and runs
-- Cls.__init(self, ...).
function Module:extend(name)
  local cls = { __name = name, super = self, __methods = {} }
  for k, f in pairs(self.__methods) do cls.__methods[k] = f end
  for _, k in ipairs(metamethods) do cls[k] = self[k] end
  local index = rawget(self, "__index")
  cls.__index = type(index) == "function" and index or cls
  return setmetatable(cls, {
    __index = self,
    __newindex = class_newindex,
    __call = function(c, ...) return c:new(...) end,
    __tostring = function(c) return "nn." .. c.__name end,
  })
end

function Module:new(...)
  local obj = setmetatable({ _names = {}, _kinds = {}, training = true }, self)
  obj:__init(...)
  return obj
end

function Module:__init() end

function Module:forward()
  error(("%s: forward is not defined (write function %s:forward(x) ... end)"):format(
    self.__name, self.__name), 2)
end

-- model(x) runs forward, then any forward hooks: hook(module, input, output) may return a
-- replacement output.
function Module:__call(...)
  local out = table.pack(self:forward(...))
  local hooks = rawget(self, "_forward_hooks")
  if hooks then
    local input = table.pack(...)
    for _, h in ipairs(hooks) do
      local r = h.fn(self, input, out[1])
      if r ~= nil then out[1] = r end
    end
  end
  return table.unpack(out, 1, out.n)
end

-- Returns a handle with :remove().
function Module:register_forward_hook(fn)
  local hooks = rawget(self, "_forward_hooks") or {}
  rawset(self, "_forward_hooks", hooks)
  local h = { fn = fn }
  hooks[#hooks + 1] = h
  function h.remove()
    for i, x in ipairs(hooks) do if x == h then table.remove(hooks, i) return end end
  end
  return h
end

-- ---- registration ----------------------------------------------------------------------

local function register(self, name, kind)
  if type(name) ~= "string" or name == "" or name:find(".", 1, true) then
    error(("%s: invalid name %s (names are non-empty strings without dots)"):format(
      self.__name, tostring(name)), 3)
  end
  if not self._kinds[name] then self._names[#self._names + 1] = name end
  self._kinds[name] = kind
end

-- Runs only for fields the object does not hold yet (Lua's rule for __newindex).
function Module:__newindex(k, v)
  if type(k) == "string" and not k:match("^_") then
    if is_module(v) then register(self, k, "module")
    elseif nabla.is_tensor(v) and v.needs_grad and v.is_leaf then register(self, k, "parameter") end
  end
  rawset(self, k, v)
end

function Module:register_parameter(name, t)
  if t ~= nil and not (nabla.is_tensor(t) and t.is_leaf) then
    error(("register_parameter: '%s' must be a leaf tensor or nil"):format(tostring(name)), 2)
  end
  if t ~= nil and not t.needs_grad then t:requires_grad() end
  register(self, name, "parameter")
  rawset(self, name, t)
  return t
end

-- A buffer is saved in state_dict (unless persistent == false) but is not a parameter.
function Module:register_buffer(name, t, persistent)
  if t ~= nil and not nabla.is_tensor(t) then
    error(("register_buffer: '%s' must be a tensor or nil, got %s"):format(tostring(name), type(t)), 2)
  end
  register(self, name, persistent == false and "buffer_np" or "buffer")
  rawset(self, name, t)
  return t
end
doc(Module.register_buffer, "self:register_buffer(name, t)", "a tensor saved with the model but not trained (like running_mean)", "학습하지 않지만 모델과 함께 저장되는 텐서 (running_mean처럼)")

function Module:add_module(name, m)
  if m ~= nil and not is_module(m) then
    error(("add_module: '%s' must be a module, got %s"):format(tostring(name), type(m)), 2)
  end
  register(self, name, "module")
  rawset(self, name, m)
  return m
end

-- ---- walking the tree ------------------------------------------------------------------

-- A list of {name, value} pairs that a for loop can also call:
--   for name, p in model:named_parameters() do ... end
local Pairs = {}
Pairs.__index = Pairs
local positions = setmetatable({}, { __mode = "k" })   -- list -> name -> index
function Pairs:__call(_, last)
  local i = 1
  if last ~= nil then
    local pos = positions[self]
    if not pos then
      pos = {}
      for k, item in ipairs(self) do pos[item[1]] = k end
      positions[self] = pos
    end
    i = pos[last] + 1
  end
  local item = self[i]
  if item == nil then return nil end
  return item[1], item[2]
end
local function pairs_list(list) return setmetatable(list, Pairs) end

-- own members of one kind, in order: iterator of (name, value) with value ~= nil
local function members(self, kinds)
  local i = 0
  return function()
    while true do
      i = i + 1
      local name = self._names[i]
      if name == nil then return nil end
      local v = rawget(self, name)
      if kinds[self._kinds[name]] and v ~= nil then return name, v end
    end
  end
end

local CHILD = { module = true }
local PARAM = { parameter = true }
local BUFFER = { buffer = true, buffer_np = true }
local PERSISTENT = { parameter = true, buffer = true }

function Module:named_children()
  local list = {}
  for name, m in members(self, CHILD) do list[#list + 1] = { name, m } end
  return pairs_list(list)
end

function Module:children()
  local list = {}
  for _, m in members(self, CHILD) do list[#list + 1] = m end
  return list
end

-- Every module of the tree, this one first ("" is its name), depth first.
function Module:named_modules(prefix, list, seen)
  list, seen, prefix = list or {}, seen or {}, prefix or ""
  if seen[self] then return pairs_list(list) end
  seen[self] = true
  list[#list + 1] = { prefix, self }
  for name, m in members(self, CHILD) do
    m:named_modules(prefix == "" and name or prefix .. "." .. name, list, seen)
  end
  return pairs_list(list)
end

function Module:modules()
  local list = {}
  for _, item in ipairs(self:named_modules()) do list[#list + 1] = item[2] end
  return list
end

-- (name, tensor) of the members of the given kinds in the whole tree; each tensor once
local function named_members(self, kinds, prefix)
  local list, seen = {}, {}
  for _, item in ipairs(self:named_modules(prefix)) do
    local mprefix, m = item[1], item[2]
    for name, t in members(m, kinds) do
      if not seen[t._id] then
        seen[t._id] = true
        list[#list + 1] = { mprefix == "" and name or mprefix .. "." .. name, t }
      end
    end
  end
  return pairs_list(list)
end

function Module:named_parameters(prefix) return named_members(self, PARAM, prefix) end
doc(Module.named_parameters, "model:named_parameters()", "{name, tensor} pairs with PyTorch's dotted names (\"0.weight\" is model[1].weight); for name, p in model:named_parameters() do ... end", "PyTorch식 점 이름과 텐서의 쌍 (\"0.weight\"는 model[1].weight). for name, p in model:named_parameters() do ... end")
function Module:named_buffers(prefix) return named_members(self, BUFFER, prefix) end

function Module:parameters()
  local list = {}
  for _, item in ipairs(self:named_parameters()) do list[#list + 1] = item[2] end
  return list
end
doc(Module.parameters, "model:parameters()", "the list of trainable tensors (for an optimizer)", "학습할 텐서 목록 (옵티마이저에 넘김)")

function Module:buffers()
  local list = {}
  for _, item in ipairs(self:named_buffers()) do list[#list + 1] = item[2] end
  return list
end

-- Number of parameter values (each shared tensor counted once).
function Module:num_parameters(only_trainable)
  local n = 0
  for _, p in ipairs(self:parameters()) do
    if not only_trainable or p.needs_grad then n = n + p:numel() end
  end
  return n
end
doc(Module.num_parameters, "model:num_parameters()", "how many numbers the model learns", "모델이 학습하는 수의 개수")

-- ---- training helpers ------------------------------------------------------------------

-- set_to_none (default true, as PyTorch 2): drop the gradients; false: fill them with 0.
function Module:zero_grad(set_to_none)
  for _, p in ipairs(self:parameters()) do
    if set_to_none == false then
      local g = p.grad
      if g ~= nil then g:zero_() end
    else
      p.grad = nil
    end
  end
  return self
end
doc(Module.zero_grad, "model:zero_grad()", "drop every parameter's .grad (model:zero_grad(false) fills zeros)", "모든 파라미터의 .grad를 지웁니다 (false를 주면 0으로 채움)")

-- Training mode (dropout on, batch norm uses and updates batch statistics) or not.
function Module:train(mode)
  if mode == nil then mode = true end
  -- between training and evaluation the sizes of the tensors change (batch, no graph):
  -- the blocks the other mode freed are let go, not kept beside the new ones (memory)
  if rawget(self, "training") ~= (mode and true or false) then nabla._C._release_cache() end
  for _, m in ipairs(self:modules()) do rawset(m, "training", mode and true or false) end
  return self
end
doc(Module.train, "model:train()", "training mode: dropout on, batch norm uses batch statistics", "학습 모드: 드롭아웃 켜짐, 배치 정규화는 배치 통계 사용")

function Module:eval() return self:train(false) end
doc(Module.eval, "model:eval()", "evaluation mode: dropout off, batch norm uses running statistics", "평가 모드: 드롭아웃 꺼짐, 배치 정규화는 이동 통계 사용")

-- Freezes (false) or unfreezes the parameters.
function Module:requires_grad_(flag)
  if flag == nil then flag = true end
  for _, p in ipairs(self:parameters()) do p:requires_grad(flag) end
  return self
end

-- fn(m) on every submodule, children first, then this one (as PyTorch).
function Module:apply(fn)
  for _, m in ipairs(self:children()) do m:apply(fn) end
  fn(self)
  return self
end
doc(Module.apply, "model:apply(fn)", "call fn(m) on every submodule (e.g. to initialise weights)", "모든 하위 모듈에 fn(m)을 호출 (가중치 초기화 등)")

-- ---- state dict --------------------------------------------------------------------------

-- A state dict is a table key -> tensor; pairs() on it runs in the model's order and
-- print() lists the keys with their shapes.
local StateDict = {}
function StateDict.__pairs(sd)
  local keys = getmetatable(sd).keys
  local i, extra = 0, nil
  return function()
    while true do
      i = i + 1
      local k = keys[i]
      if k == nil then break end
      if rawget(sd, k) ~= nil then return k, rawget(sd, k) end
    end
    -- keys added later, in no particular order
    while true do
      local v
      extra, v = next(sd, extra)
      if extra == nil then return nil end
      local known = false
      for _, k in ipairs(keys) do if k == extra then known = true break end end
      if not known then return extra, v end
    end
  end
end
function StateDict.__tostring(sd)
  local lines = {}
  for k, v in pairs(sd) do
    lines[#lines + 1] = ("  %s %s"):format(k, nabla.is_tensor(v) and tostring(v.shape) or tostring(v))
  end
  return "state_dict {\n" .. table.concat(lines, "\n") .. "\n}"
end

function Module.ordered_state_dict(keys, map)
  return setmetatable(map, { __pairs = StateDict.__pairs, __tostring = StateDict.__tostring, keys = keys })
end

-- Every parameter and persistent buffer under PyTorch's key ("0.weight",
-- "layer1.0.bn1.running_mean", "weight_ih_l0"...): detached tensors sharing the model's
-- storage (copy them if the model will keep training and you want a snapshot).
function Module:state_dict()
  local keys, map = {}, {}
  for _, item in ipairs(self:named_modules()) do
    local prefix, m = item[1], item[2]
    for name, t in members(m, PERSISTENT) do
      local key = prefix == "" and name or prefix .. "." .. name
      if map[key] == nil then keys[#keys + 1] = key end
      map[key] = t:detach()
    end
  end
  return Module.ordered_state_dict(keys, map)
end
doc(Module.state_dict, "model:state_dict()", "name -> tensor of every parameter and buffer. The keys are PyTorch's, as in checkpoint files PyTorch reads: positions count from 0 there, so \"0.weight\" is model[1].weight (printed models and inspect show [1].weight)", "모든 파라미터와 버퍼의 이름 -> 텐서. 키는 PyTorch가 읽는 체크포인트 파일과 같은 PyTorch 이름이라 위치를 0부터 셉니다: \"0.weight\"는 model[1].weight입니다 (모델 출력과 inspect는 [1].weight로 보여 줍니다)")

local function shape_str(t) return tostring(t.shape) end

local function same_shape(a, b)
  local sa, sb = a.shape, b.shape
  if #sa ~= #sb then return false end
  for i = 1, #sa do if sa[i] ~= sb[i] then return false end end
  return true
end
Module.same_shape = same_shape

-- Copies the tensors of sd into this model's parameters and buffers. strict (default
-- true): every key must match; shapes must always match. Returns
-- { missing_keys = {...}, unexpected_keys = {...} }.
function Module:load_state_dict(sd, opts)
  if type(sd) ~= "table" then
    error("load_state_dict: expected a state dict (a table of name -> tensor), got " .. type(sd), 2)
  end
  local strict = not (opts == false or (type(opts) == "table" and opts.strict == false))
  local own = {}
  for _, item in ipairs(self:named_modules()) do
    local prefix, m = item[1], item[2]
    for name, t in members(m, PERSISTENT) do
      own[#own + 1] = { prefix == "" and name or prefix .. "." .. name, t }
    end
  end
  local missing, unexpected, known = {}, {}, {}
  for _, item in ipairs(own) do
    local key, t = item[1], item[2]
    known[key] = true
    local v = rawget(sd, key)
    if v == nil then
      missing[#missing + 1] = key
    elseif not nabla.is_tensor(v) then
      error(("load_state_dict: '%s' is a %s, expected a tensor"):format(key, type(v)), 2)
    elseif not same_shape(v, t) then
      error(("load_state_dict: size mismatch for '%s': the checkpoint has shape %s, the model %s")
        :format(key, shape_str(v), shape_str(t)), 2)
    end
  end
  for key in next, sd do
    if not known[key] then unexpected[#unexpected + 1] = tostring(key) end
  end
  table.sort(unexpected)
  if strict and (#missing > 0 or #unexpected > 0) then
    local parts = {}
    if #missing > 0 then parts[#parts + 1] = "missing keys: " .. table.concat(missing, ", ") end
    if #unexpected > 0 then parts[#parts + 1] = "unexpected keys: " .. table.concat(unexpected, ", ") end
    error(("load_state_dict: the state dict does not match %s (%s); pass {strict = false} to "
           .. "load what matches"):format(self.__name, table.concat(parts, "; ")), 2)
  end
  nabla.no_grad(function()
    for _, item in ipairs(own) do
      local v = rawget(sd, item[1])
      if v ~= nil then item[2]:copy_(v) end
    end
  end)
  return { missing_keys = missing, unexpected_keys = unexpected }
end
doc(Module.load_state_dict, "model:load_state_dict(sd, {strict=true})", "copy a state dict into the model (keys and shapes must match)", "state dict를 모델에 복사합니다 (키와 모양이 맞아야 함)")

-- model:save(path [, metadata]) and model:load(path): safetensors checkpoints.
function Module:save(path, metadata)
  return require("nabla.checkpoint").save(path, self, { metadata = metadata })
end
doc(Module.save, "model:save(path)", "write the model's state dict as a safetensors file", "모델의 state dict를 safetensors 파일로 저장")

function Module:load(path, opts)
  self:load_state_dict(require("nabla.checkpoint").load(path), opts)
  return self
end
doc(Module.load, "model:load(path)", "read a safetensors file into the model", "safetensors 파일을 모델로 읽어 들임")

-- ---- printing ------------------------------------------------------------------------

-- One line of settings inside the parentheses: "in_features=784, out_features=10, bias=true".
function Module:extra_repr() return "" end

local function group_digits(n)
  local s = tostring(math.floor(n))
  return (s:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", ""))
end

-- The name Lua code can use for a PyTorch-style dotted name: a container's children are
-- named "0", "1"... (so that state_dict keys and checkpoint files match PyTorch), but a
-- learner reaches the first one as m[1]: "0.weight" -> "[1].weight",
-- "layer1.0.conv1.weight" -> "layer1[1].conv1.weight".
function Module.lua_name(dotted)
  local out = {}
  for part in tostring(dotted):gmatch("[^%.]+") do
    if part:match("^%d+$") then out[#out + 1] = "[" .. (tonumber(part) + 1) .. "]"
    else out[#out + 1] = (#out > 0 and "." or "") .. part end
  end
  return table.concat(out)
end

-- As PyTorch prints a model, but each position is the one Lua code uses: [1] is m[1].
local function repr(m)
  local head = m.__name .. "(" .. m:extra_repr()
  local kids = m:named_children()
  if #kids == 0 then return head .. ")" end
  local lines = { head }
  for _, item in ipairs(kids) do
    local text = repr(item[2]):gsub("\n", "\n  ")
    local name = item[1]
    local label = name:match("^%d+$") and ("[%d]"):format(tonumber(name) + 1) or ("(%s)"):format(name)
    lines[#lines + 1] = ("  %s: %s"):format(label, text)
  end
  return table.concat(lines, "\n") .. "\n)"
end
Module.repr = repr

-- As PyTorch prints a model, plus the parameter count.
function Module:__tostring()
  local n = self:num_parameters()
  if n == 0 then return repr(self) end
  local word = nabla.lang == "ko" and "파라미터" or "parameters"
  return repr(self) .. ("\n%s %s"):format(group_digits(n), word)
end

return Module

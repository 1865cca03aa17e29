-- The part every optimizer shares: parameter groups, per-parameter state, step(),
-- zero_grad(), state_dict(). An algorithm (sgd.lua, adam.lua, ...) is made with
-- Optimizer.class(name, defaults, check) and defines one method, update(group, p, grad,
-- state): the rule for one parameter, which calls its C kernel (src/optim/).
--
-- Parameter groups, as in PyTorch: opt.param_groups is a list of tables
--   { params = {w1, b1, ...}, lr = 0.01, momentum = 0.9, ... }
-- each holding the options for its parameters. Read and change them freely (learning-rate
-- schedulers set group.lr). opt.state[p] is the state of parameter p (a table: step,
-- exp_avg, ...), created on its first update.
local nabla = require "nabla"
local doc = require "nabla.doc"

local Optimizer = {}
Optimizer.__index = Optimizer

-- keys that schedulers add to groups, accepted in groups besides the algorithm's options
local scheduler_keys = { initial_lr = true, max_lr = true, min_lr = true,
                         max_momentum = true, base_momentum = true }

local function copy(v) -- deep copy of plain option values (numbers, booleans, {b1, b2})
  if type(v) ~= "table" then return v end
  local c = {}
  for k, x in pairs(v) do c[k] = copy(x) end
  return c
end

local function option_names(defaults)
  local names = {}
  for k in pairs(defaults) do names[#names + 1] = k end
  table.sort(names)
  return table.concat(names, ", ")
end

local function check_options(self, t, what)
  for k in pairs(t) do
    if k ~= "params" and self.option_list[k] == nil and not scheduler_keys[k] then
      error(("%s: unknown option '%s'%s in %s (the options are: %s)"):format(
        self.name, tostring(k), require("nabla.suggest").hint(tostring(k), self.option_list), what,
        option_names(self.option_list)), 0)
    end
  end
end

-- Runs f(...) and re-raises its error as one of the caller's caller (the learner's line).
local function raising_at_caller(f)
  return function(...)
    local r = table.pack(pcall(f, ...))
    if not r[1] then error(r[2], 2) end
    return table.unpack(r, 2, r.n)
  end
end

-- Helpers for the algorithms' check(group) functions: each raises an error naming the
-- optimizer and the option.
function Optimizer.check_nonneg(name, group, key)
  local v = group[key]
  if type(v) ~= "number" then
    error(("%s: %s must be a number, got %s"):format(name, key, type(v)), 0)
  end
  if not (v >= 0) then
    local what = key == "lr" and "learning rate" or key
    error(("%s: invalid %s %s (%s must be >= 0)"):format(name, what, tostring(v), key), 0)
  end
end

function Optimizer.check_range(name, group, key, lo, hi, hi_open)
  local v = group[key]
  if type(v) ~= "number" then
    error(("%s: %s must be a number, got %s"):format(name, key, type(v)), 0)
  end
  if not (v >= lo and (hi_open and v < hi or not hi_open and v <= hi)) then
    error(("%s: invalid %s %s (must be in [%g, %g%s)"):format(
      name, key, tostring(v), lo, hi, hi_open and ")" or "]"), 0)
  end
end

-- Adds a group of parameters: group = { params = {...}, option = value, ... } (missing
-- options come from the optimizer's defaults).
local function add_group(self, group)
  if type(group) ~= "table" then
    error(self.name .. ": a parameter group must be a table { params = {...}, ... }", 0)
  end
  local params = group.params
  if nabla.is_tensor(params) then params = { params } end
  if type(params) ~= "table" then
    error(self.name .. ": a parameter group needs params = { tensors... }", 0)
  end
  check_options(self, group, "a parameter group")
  local g = { params = {} }
  for k, v in pairs(group) do if k ~= "params" then g[k] = copy(v) end end
  for k, v in pairs(self.defaults) do if g[k] == nil then g[k] = copy(v) end end
  for k in pairs(self.required) do
    if g[k] == nil then
      error(("%s: option %s is required (e.g. optim.%s(params, { %s = 0.01 }))"):format(
        self.name, k, self.name, k), 0)
    end
  end
  self.check(g)
  local gi = #self.param_groups + 1
  for i, p in ipairs(params) do
    if not nabla.is_tensor(p) then
      error(("%s: parameter %d of group %d is a %s, expected a tensor"):format(
        self.name, i, gi, type(p)), 0)
    end
    if not p.is_leaf then
      error(("%s: parameter %d of group %d is not a leaf tensor (it was computed from other "
             .. "tensors); optimize the leaves it came from"):format(self.name, i, gi), 0)
    end
    if not p:is_contiguous() then
      error(("%s: parameter %d of group %d (shape %s) is not contiguous"):format(
        self.name, i, gi, tostring(p.shape)), 0)
    end
    if self._seen[p] or g.params[p] then
      error(("%s: a parameter appears more than once (parameter %d of group %d)"):format(
        self.name, i, gi), 0)
    end
    g.params[p] = true
  end
  for i, p in ipairs(params) do
    g.params[p] = nil
    g.params[i] = p
    self._seen[p] = true
  end
  self.param_groups[gi] = g
end

Optimizer.add_param_group = raising_at_caller(add_group)

-- params as a list: a module (anything with a parameters() method) gives its parameters,
-- a single tensor becomes a list of one; anything else that is not a table is nil
function Optimizer.param_list(params)
  if type(params) == "table" and not nabla.is_tensor(params)
     and type(params.parameters) == "function" then
    params = params:parameters()
  end
  if nabla.is_tensor(params) then params = { params } end
  if type(params) ~= "table" then return nil end
  return params
end

-- params: a list of tensors, a list of groups, a single tensor, or a module (anything with
-- a parameters() method); opts: the default options of every group.
local function new(class, params, opts)
  local self = setmetatable({
    name = class.name, defaults = {}, required = class.required, option_list = class.option_list,
    check = class.check, param_groups = {}, state = {}, _seen = {},
  }, class)
  if opts ~= nil and type(opts) ~= "table" then
    error(("%s: options must be a table, e.g. optim.%s(params, { lr = 0.01 }), got %s"):format(
      class.name, class.name, type(opts)), 0)
  end
  opts = opts or {}
  check_options(self, opts, "the options")
  for k, v in pairs(class.defaults) do self.defaults[k] = copy(v) end
  for k, v in pairs(opts) do self.defaults[k] = copy(v) end
  local list = Optimizer.param_list(params)
  if not list then
    error(("%s: params must be a list of tensors or of parameter groups, got %s"):format(
      class.name, type(params)), 0)
  end
  params = list
  if #params == 0 then error(class.name .. ": optimizer got an empty parameter list", 0) end
  if nabla.is_tensor(params[1]) then
    add_group(self, { params = params })
  else
    for _, g in ipairs(params) do add_group(self, g) end
  end
  return self
end

Optimizer.new = raising_at_caller(new)

-- A new algorithm: name, its default options (required ones as Optimizer.required),
-- check(group) raising on a bad option. The returned class is called to make an optimizer:
-- optim.Adam(params, { lr = 1e-3 }).
Optimizer.required = setmetatable({}, { __tostring = function() return "<required>" end })
function Optimizer.class(name, defaults, check)
  local class = { name = name, defaults = {}, required = {}, check = check or function() end }
  for k, v in pairs(defaults) do
    if v == Optimizer.required then class.required[k] = true else class.defaults[k] = v end
  end
  class.option_list = defaults
  class.__index = class
  class.__tostring = Optimizer.__tostring
  setmetatable(class, { __index = Optimizer, __call = Optimizer.new,
                        __tostring = function() return "optim." .. name end })
  return class
end

-- One update of every parameter that has a gradient (parameters whose .grad is nil are
-- skipped). closure, if given, re-evaluates the loss (with gradients on) and its value is
-- returned, as in PyTorch.
function Optimizer:step(closure)
  local loss
  if closure ~= nil then loss = nabla.enable_grad(closure) end
  for _, group in ipairs(self.param_groups) do
    for _, p in ipairs(group.params) do
      local g = p.grad
      if g ~= nil then
        if not g:is_contiguous() then g = g:contiguous() end
        local st = self.state[p]
        if st == nil then st = {}; self.state[p] = st end
        self:update(group, p, g, st)
      end
    end
  end
  return loss
end
doc(Optimizer.step, "opt:step()", "update every parameter that has a .grad (parameters with grad nil are skipped)", ".grad가 있는 모든 파라미터를 갱신합니다 (grad가 nil인 파라미터는 건너뜀)")

-- Forgets every gradient. set_to_none (the default, as PyTorch 2): .grad becomes nil, so
-- the next backward starts afresh and step() skips parameters that got no gradient;
-- opt:zero_grad(false) fills the gradients with zeros instead.
function Optimizer:zero_grad(set_to_none)
  if type(set_to_none) == "table" then set_to_none = set_to_none.set_to_none end
  if set_to_none == nil then set_to_none = true end
  for _, group in ipairs(self.param_groups) do
    for _, p in ipairs(group.params) do
      if set_to_none then
        p.grad = nil
      else
        local g = p.grad
        if g ~= nil then g:zero_() end
      end
    end
  end
end
doc(Optimizer.zero_grad, "opt:zero_grad()", "set every parameter's .grad to nil (opt:zero_grad(false) fills them with zeros)", "모든 파라미터의 .grad를 nil로 지웁니다 (opt:zero_grad(false)는 0으로 채움)")

-- PyTorch's structure, with 1-based indices: parameters are numbered 1, 2, ... across the
-- groups in order;
--   { state = { [i] = { step = 3, exp_avg = tensor, ... } },
--     param_groups = { { lr = ..., ..., params = { 1, 2 } }, ... } }
-- State tensors are copies (later steps do not change a saved state_dict).
function Optimizer:state_dict()
  local sd = { state = {}, param_groups = {} }
  local index = 0
  for gi, group in ipairs(self.param_groups) do
    local g = { params = {} }
    for k, v in pairs(group) do if k ~= "params" then g[k] = copy(v) end end
    for i, p in ipairs(group.params) do
      index = index + 1
      g.params[i] = index
      local st = self.state[p]
      if st ~= nil then
        local s = {}
        for k, v in pairs(st) do s[k] = nabla.is_tensor(v) and v:clone() or copy(v) end
        sd.state[index] = s
      end
    end
    sd.param_groups[gi] = g
  end
  return sd
end
doc(Optimizer.state_dict, "opt:state_dict()", "the optimizer's state {state = {[i] = {...}}, param_groups = {...}} (PyTorch's layout, 1-based); load with opt:load_state_dict(sd)", "옵티마이저의 상태 {state = {[i] = {...}}, param_groups = {...}} (PyTorch 구조, 1부터 번호). opt:load_state_dict(sd)로 불러옴")

-- Loads a state_dict() of an optimizer of the same kind over parameters of the same shapes
-- (the groups' options come from sd; the parameters stay this optimizer's).
local function load_state_dict(self, sd)
  local name = self.name
  if type(sd) ~= "table" or type(sd.param_groups) ~= "table" or type(sd.state) ~= "table" then
    error(name .. ": load_state_dict expects a table with state and param_groups", 0)
  end
  if #sd.param_groups ~= #self.param_groups then
    error(("%s: load_state_dict: the state_dict has %d parameter groups, this optimizer %d"):format(
      name, #sd.param_groups, #self.param_groups), 0)
  end
  local by_index, groups = {}, {}
  for gi, saved in ipairs(sd.param_groups) do
    local group = self.param_groups[gi]
    local ids = saved.params or {}
    if #ids ~= #group.params then
      error(("%s: load_state_dict: group %d has %d parameters in the state_dict, %d here"):format(
        name, gi, #ids, #group.params), 0)
    end
    for i, id in ipairs(ids) do by_index[tonumber(id)] = group.params[i] end
    local g = { params = group.params }
    for k, v in pairs(saved) do if k ~= "params" then g[k] = copy(v) end end
    groups[gi] = g
  end
  local state = {}
  for id, s in pairs(sd.state) do
    local p = by_index[tonumber(id)]
    if p == nil then
      error(("%s: load_state_dict: state for parameter %s, which no group lists"):format(
        name, tostring(id)), 0)
    end
    local st = {}
    for k, v in pairs(s) do
      if nabla.is_tensor(v) then
        if v:numel() ~= p:numel() then
          error(("%s: load_state_dict: state '%s' of parameter %s has shape %s, the parameter %s"):format(
            name, k, tostring(id), tostring(v.shape), tostring(p.shape)), 0)
        end
        st[k] = v:contiguous():clone():view(p.shape)
      else
        st[k] = copy(v)
      end
    end
    state[p] = st
  end
  self.param_groups, self.state = groups, state
end

Optimizer.load_state_dict = raising_at_caller(load_state_dict)

-- A list of parameters that will be updated (every group, in order).
function Optimizer:parameters()
  local ps = {}
  for _, g in ipairs(self.param_groups) do
    for _, p in ipairs(g.params) do ps[#ps + 1] = p end
  end
  return ps
end

local function show(v)
  if type(v) == "table" then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = show(x) end
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  return tostring(v)
end

function Optimizer:__tostring()
  local lines = { self.name .. " (" }
  for gi, group in ipairs(self.param_groups) do
    local n = 0
    for _, p in ipairs(group.params) do n = n + p:numel() end
    lines[#lines + 1] = ("Parameter Group %d  (%d tensors, %d values)"):format(gi, #group.params, n)
    local keys = {}
    for k in pairs(group) do if k ~= "params" then keys[#keys + 1] = k end end
    table.sort(keys)
    for _, k in ipairs(keys) do lines[#lines + 1] = ("    %s: %s"):format(k, show(group[k])) end
  end
  lines[#lines + 1] = ")"
  return table.concat(lines, "\n")
end

doc(Optimizer, "optim.Optimizer.class(name, defaults, check)", "the base of every optimizer: parameter groups, per-parameter state, step, zero_grad, state_dict; a new rule defines update(group, p, grad, state)", "모든 옵티마이저의 바탕: 파라미터 그룹, 파라미터별 상태, step, zero_grad, state_dict. 새 규칙은 update(group, p, grad, state)만 정의")

return Optimizer

-- Containers: nn.Sequential runs its layers one after another; nn.ModuleList holds layers
-- for a forward you write yourself. Children are named "0", "1", "2"... as in PyTorch, so
-- that state_dict keys match ("0.weight"); positions are 1-based as in any Lua list:
-- model[1] is the first layer (named "0"), #model the number of layers.
--
--   nn.Sequential{ nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10) }   -- or without braces
--   nn.Sequential{ {"conv1", nn.Conv2d(1, 8, 3)}, {"relu1", nn.ReLU()} }  -- named children
local Module = require "nabla.nn.module"
local doc = require "nabla.doc"
local is_module = Module.is_module

-- the modules given as f(m1, m2, ...) or f{m1, m2, ...} or f{{"name", m}, ...}
local function add_all(self, where, ...)
  local list = ...
  if select("#", ...) ~= 1 or is_module(list) then list = { ... } end
  if list == nil then return end
  if type(list) ~= "table" then
    error(("%s: expected modules or a table of modules, got %s"):format(where, type(list)), 3)
  end
  for i, item in ipairs(list) do
    if is_module(item) then
      self:add_module(tostring(#self:children()), item)
    elseif type(item) == "table" and type(item[1]) == "string" and is_module(item[2]) then
      self:add_module(item[1], item[2])
    else
      error(("%s: item %d is not a module (nor a {\"name\", module} pair)"):format(where, i), 3)
    end
  end
  for k in pairs(list) do
    if math.type(k) ~= "integer" then
      error(("%s: give the layers as a list; name them with {\"%s\", module} pairs (a table's "
             .. "keys have no order)"):format(where, tostring(k)), 3)
    end
  end
end

-- position i (1-based, negative from the end) -> the child there
local function child_at(self, i)
  local kids = self:children()
  if i < 0 then i = #kids + 1 + i end
  return kids[i]
end

local function index(self, k)
  if type(k) == "number" then return child_at(self, k) end
  return getmetatable(self)[k]
end

local function newindex(self, k, v)
  if type(k) == "number" then
    local kids = self:named_children()
    local pos = k < 0 and #kids + 1 + k or k
    if not kids[pos] or not is_module(v) then
      error(("%s[%s] = ...: position out of range 1..%d or not a module"):format(self.__name, tostring(k), #kids), 2)
    end
    rawset(self, kids[pos][1], v)
    return
  end
  Module.__newindex(self, k, v)
end

local function len(self) return #self:children() end

-- ---- Sequential ------------------------------------------------------------------------

local Sequential = Module:extend("Sequential")
Sequential.__index, Sequential.__newindex, Sequential.__len = index, newindex, len

function Sequential:__init(...) add_all(self, "nn.Sequential", ...) end

function Sequential:forward(x)
  for _, layer in ipairs(self:children()) do x = layer(x) end
  return x
end

function Sequential:append(m)
  add_all(self, "Sequential:append", m)
  return self
end

-- ---- ModuleList --------------------------------------------------------------------------

local ModuleList = Module:extend("ModuleList")
ModuleList.__index, ModuleList.__newindex, ModuleList.__len = index, newindex, len

function ModuleList:__init(...) add_all(self, "nn.ModuleList", ...) end

function ModuleList:append(m)
  add_all(self, "ModuleList:append", m)
  return self
end

function ModuleList:extend(list)
  add_all(self, "ModuleList:extend", list)
  return self
end

function ModuleList:forward()
  error("nn.ModuleList has no forward: loop over it in your own forward (for i, layer in ipairs(self.layers) ...)", 2)
end

doc(Sequential, "nn.Sequential{ layer1, layer2, ... }", "run layers one after another; model[1] is the first (named \"0\" as in PyTorch); {\"name\", layer} pairs name them", "층을 차례로 실행합니다. model[1]이 첫 층 (PyTorch처럼 이름은 \"0\"). {\"이름\", 층} 쌍으로 이름을 붙임")
doc(ModuleList, "nn.ModuleList{ layer1, layer2, ... }", "a list of layers whose parameters the model sees; you write the forward", "모델이 파라미터를 알아보는 층 목록. forward는 직접 작성")

return { Sequential = Sequential, ModuleList = ModuleList }

-- Small helpers shared by the layer files: reading a layer's settings.
local nabla = require "nabla"
local M = {}

-- An options table has string keys ({stride = 2}); a pair {3, 3} or a tensor is a value.
local function is_options(v)
  return type(v) == "table" and not nabla.is_tensor(v) and getmetatable(v) == nil and v[1] == nil
end

-- Settings given positionally in PyTorch's order, or by name in an options table, or both:
--   nn.Conv2d(1, 8, 3, 2, 1)  ==  nn.Conv2d(1, 8, 3, { stride = 2, padding = 1 })
-- names: the settings in PyTorch's order; defaults: name -> default (required ones absent).
-- A misspelt name is an error listing the valid ones; a missing required one, too.
function M.parse(where, names, defaults, ...)
  local o, n = {}, select("#", ...)
  local valid = {}
  for _, name in ipairs(names) do valid[name] = true end
  local pos = 0
  for i = 1, n do
    local v = select(i, ...)
    if is_options(v) and (i == n) then
      for k, x in pairs(v) do
        if not valid[k] then
          error(("%s: unknown option '%s'%s (options: %s)"):format(where, tostring(k),
            require("nabla.suggest").hint(tostring(k), names), table.concat(names, ", ")), 3)
        end
        o[k] = x
      end
    else
      pos = pos + 1
      if pos > #names then
        error(("%s: too many arguments (%d; the settings are %s)"):format(where, n,
          table.concat(names, ", ")), 3)
      end
      if v ~= nil then o[names[pos]] = v end
    end
  end
  for _, name in ipairs(names) do
    if o[name] == nil then
      if defaults[name] == nil then
        error(("%s: %s is required (settings: %s)"):format(where, name, table.concat(names, ", ")), 3)
      end
      o[name] = defaults[name]
    end
  end
  return o
end

-- Checks that v is a positive integer (a size); names the layer and the setting.
function M.size(where, what, v)
  if type(v) ~= "number" or v ~= math.floor(v) or v < 1 then
    error(("%s: %s must be a positive integer, got %s"):format(where, what, tostring(v)), 3)
  end
  return math.tointeger(v)
end

-- "a, b" for a pair setting, "a" when both are equal (as PyTorch prints (3, 3)).
function M.pair_str(v)
  if type(v) == "table" then return "(" .. table.concat(v, ", ") .. ")" end
  return tostring(v)
end

return M

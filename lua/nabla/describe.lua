-- help(x) for a value that has no help entry of its own: what a learner holds is described
-- rather than refused. A tensor method taken as a value (big.mm) finds the method's help; a
-- history says what it holds and how to plot it; a table or a number says what it is and
-- shows it (nabla.repr).
local nabla = require "nabla"
local M = {}

local function L(en, ko) return nabla.lang == "ko" and ko or en end

-- the help entry of a tensor method given as a function value (x.mm, big.sum)
local function tensor_method_entry(f, help)
  local ok, mt = pcall(function() return getmetatable(nabla.zeros(1)) end)
  if not ok or type(mt) ~= "table" or type(mt.__methods) ~= "table" then return nil end
  for name, g in pairs(mt.__methods) do
    if rawequal(g, f) then
      return help.entries["Tensor:" .. name] or { sig = "x:" .. name .. "(...)", en = "a tensor method", ko = "텐서 메서드" }, name
    end
  end
  return nil
end

-- Text for help(x), or nil when there is nothing better than "no help".
function M.describe(x, help)
  local repr = require "nabla.repr"
  local lang = nabla.lang == "ko" and "ko" or "en"
  local tx = type(x)
  if tx == "function" then
    local e = tensor_method_entry(x, help)
    if e then return ("%s\n    %s"):format(e.sig or e.name, e[lang] or e.en or "") end
    local info = debug.getinfo(x, "S")
    if info and info.what == "Lua" then
      local params = {}
      local i = 1
      while true do
        local name = debug.getlocal(x, i)
        if not name then break end
        params[#params + 1] = name
        i = i + 1
      end
      if debug.getinfo(x, "u").isvararg then params[#params + 1] = "..." end
      return L(("a function of yours: function(%s), defined at %s:%d"):format(table.concat(params, ", "),
                 info.short_src, info.linedefined),
               ("직접 만든 함수: function(%s), %s:%d에서 정의"):format(table.concat(params, ", "),
                 info.short_src, info.linedefined))
    end
    return nil
  end
  if tx == "table" and repr.is_history(x) then
    local fit = help.entries.fit
    return repr.history(x) .. "\n" .. L(
      "A history: what fit() returns. h.loss[e], h.accuracy[e], h.val_loss[e] are the values after epoch e; h.steps (with live = true) one per step. h:plot() draws it.",
      "학습 기록: fit()이 돌려주는 값입니다. h.loss[e], h.accuracy[e], h.val_loss[e]는 e번째 에폭 뒤의 값이고, h.steps(live = true일 때)는 스텝마다 기록합니다. h:plot()으로 그립니다.")
      .. (fit and ("\n" .. (fit.sig or "fit") .. "\n    " .. (fit[lang] or fit.en or "")) or "")
  end
  if tx == "table" then
    local n, keys = #x, {}
    for k in pairs(x) do
      if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = tostring(k) end
    end
    table.sort(keys)
    local head
    if n > 0 and #keys == 0 then
      head = L(("a list of %d values: x[1] .. x[%d], #x is %d"):format(n, n, n),
               ("값 %d개의 리스트: x[1] .. x[%d], #x는 %d"):format(n, n, n))
    elseif #keys > 0 then
      head = L(("a table with %d field%s: %s"):format(#keys, #keys == 1 and "" or "s", table.concat(keys, ", ")),
               ("필드 %d개의 테이블: %s"):format(#keys, table.concat(keys, ", ")))
      if n > 0 then head = head .. L((", and a list of %d values"):format(n), (", 그리고 값 %d개의 리스트"):format(n)) end
    else
      head = L("an empty table", "빈 테이블")
    end
    return head .. "\n" .. repr.value(x)
  end
  if tx == "number" then
    return L(("a number (%s): %s"):format(math.type(x), repr.value(x)),
             ("수 (%s): %s"):format(math.type(x) == "integer" and "정수" or "실수", repr.value(x)))
  end
  if tx == "string" then
    -- help "lnspace": a topic that does not exist, perhaps misspelt
    local names = {}
    for name in pairs(help.entries) do names[#names + 1] = (name:gsub("^Tensor:", "")) end
    return L(("no help for '%s'"):format(x), ("'%s'에 대한 도움말이 없습니다"):format(x))
      .. require("nabla.suggest").hint(x, names)
      .. L(" (help() lists the topics)", " (help()로 주제 목록을 보세요)")
  end
  if tx == "boolean" then return L("a boolean: ", "불리언: ") .. tostring(x) end
  if tx == "nil" then
    return L("nil: no value (an unset variable is nil). help() lists the topics.",
             "nil: 값이 없습니다 (정하지 않은 변수는 nil입니다). help()로 주제 목록을 봅니다.")
  end
  return nil
end

return M

-- "Did you mean ...?": the closest name among candidates, for unknown globals, fields,
-- methods, lesson ids and option names. One measure everywhere: the edit distance
-- (insert, delete, replace, swap two neighbours), where case, '-' and '_' cost nothing.
local M = {}

local function norm(s) return (s:lower():gsub("[-_]", "")) end

-- optimal string alignment distance between a and b
function M.distance(a, b)
  local la, lb = #a, #b
  if la == 0 then return lb end
  if lb == 0 then return la end
  local d = {}
  for i = 0, la do d[i] = { [0] = i } end
  for j = 0, lb do d[0][j] = j end
  for i = 1, la do
    local ca = a:byte(i)
    for j = 1, lb do
      local cb = b:byte(j)
      local cost = ca == cb and 0 or 1
      local v = math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if i > 1 and j > 1 and ca == b:byte(j - 1) and a:byte(i - 1) == cb then
        v = math.min(v, d[i - 2][j - 2] + 1)
      end
      d[i][j] = v
    end
  end
  return d[la][lb]
end

-- The candidate closest to name, if it is close enough (nil otherwise). candidates: a
-- list of strings, or a table whose string keys are the candidates.
function M.closest(name, candidates)
  if type(name) ~= "string" or name == "" or type(candidates) ~= "table" then return nil end
  local list = {}
  if candidates[1] ~= nil then list = candidates
  else for k in pairs(candidates) do if type(k) == "string" then list[#list + 1] = k end end end
  local n = norm(name)
  local best, best_d = nil, math.huge
  for _, c in ipairs(list) do
    if type(c) == "string" and c ~= name and not c:match("^_") then
      local d = M.distance(n, norm(c))
      -- a plural or a prefix of a longer name counts as close
      if d > 0 and (norm(c):sub(1, #n) == n or n:sub(1, #norm(c)) == norm(c)) and math.min(#n, #c) >= 3 then
        d = math.min(d, 1.5)
      end
      if d < best_d or (d == best_d and best and c < best) then best, best_d = c, d end
    end
  end
  if not best then return nil end
  local limit = math.max(1, math.min(3, #name // 3))
  if best_d <= limit then return best end
  return nil
end

-- " (did you mean 'x'?)" or ""
function M.hint(name, candidates, ko)
  local c = M.closest(name, candidates)
  if not c then return "" end
  local nabla = package.loaded.nabla
  if ko == nil then ko = type(nabla) == "table" and nabla.lang == "ko" end
  return ko and (" ('%s'을(를) 찾으셨나요?)"):format(c) or (" (did you mean '%s'?)"):format(c)
end

-- Options a function accepts: raises "fname: unknown option 'epoch' (did you mean
-- 'epochs'?)" for a key of opts that is not in the known list (a list of names).
function M.check_options(fname, opts, known, level)
  if type(opts) ~= "table" then return end
  local set = {}
  for _, k in ipairs(known) do set[k] = true end
  for k in pairs(opts) do
    if type(k) == "string" and not set[k] then
      local nabla = package.loaded.nabla
      local ko = type(nabla) == "table" and nabla.lang == "ko"
      error((ko and "%s: 알 수 없는 옵션 '%s'%s" or "%s: unknown option '%s'%s"):format(
        fname, k, M.hint(k, known, ko)), (level or 2) + 1)
    end
  end
end

return M

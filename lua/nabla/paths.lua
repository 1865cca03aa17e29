-- Where nabla's files are: the one place that knows (lessons, experiments, data sets, pages,
-- the Jupyter kernel). The C side finds the resource root from where the executable (or
-- nabla.so) is -- an install's share/nabla, or the source tree of a build tree -- and passes
-- it in nabla._C.paths (src/lua/l_nabla.c). Everything here derives from that root:
--   paths.root          the resource root
--   paths.lua           the Lua library (lua/nabla/*.lua); nabla.lua_dir is the same
--   paths.lessons       the lessons ($NABLA_LESSONS overrides)
--   paths.experiments   the bundled experiments (`nabla run NAME`)
--   paths.web, paths.jupyter   the classroom pages, the Jupyter kernel's files
--   paths.installed     true when nabla runs from an install (no source tree)
--   paths.data          where fetched data sets go: $NABLA_DATA; from an install,
--                       $XDG_DATA_HOME/nabla/datasets (~/.local/share/nabla/datasets), never
--                       the install prefix; in the source tree, its datasets/ as before
--   paths.bundled_data  the data sets that come with nabla (datasets/: mnist-small, fetch)
--   paths.data_roots()  where data sets are looked for, in order
--   paths.fetch_script()  the data fetcher (datasets/fetch)
local nabla = require "nabla"

local C = nabla._C.paths or {}
local root = C.root or ((nabla.lua_dir or "lua") .. "/..")
local M = {
  root = root,
  lua = C.lua or nabla.lua_dir,
  installed = C.installed == true,
}

local function nonempty(v) return v ~= nil and v ~= "" and v or nil end

M.experiments = root .. "/experiments"
M.web = root .. "/web"
M.jupyter = root .. "/jupyter"
M.bundled_data = root .. "/datasets"

-- lessons: $NABLA_LESSONS (read each time: tests point it at a temporary directory)
function M.lessons_dir() return nonempty(os.getenv("NABLA_LESSONS")) or root .. "/lessons" end
M.lessons = M.lessons_dir()

-- the user's data directory for nabla (XDG base directory specification)
function M.user_data()
  local base = nonempty(os.getenv("XDG_DATA_HOME")) or ((os.getenv("HOME") or ".") .. "/.local/share")
  return base .. "/nabla/datasets"
end

-- where a fetched data set is written
function M.data_dir()
  local env = nonempty(os.getenv("NABLA_DATA"))
  if env then return env end
  if M.installed then return M.user_data() end
  return M.bundled_data
end
M.data = M.data_dir()

-- where data sets are read from, first found wins: $NABLA_DATA, the user's data directory
-- (from an install), the bundled datasets/, ./datasets
function M.data_roots()
  local roots, seen = {}, {}
  local function add(r) if r and not seen[r] then seen[r] = true; roots[#roots + 1] = r end end
  add(nonempty(os.getenv("NABLA_DATA")))
  if M.installed then add(M.user_data()) end
  add(M.bundled_data)
  add("datasets")
  return roots
end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end
M.exists = exists

function M.fetch_script()
  if exists(M.bundled_data .. "/fetch") then return M.bundled_data .. "/fetch" end
  if exists("datasets/fetch") then return "datasets/fetch" end
end

-- The shell command that fetches a data set into paths.data_dir() (the fetcher writes where
-- NABLA_DATA says, else beside itself in a source tree or into the user's data directory).
function M.fetch_command(which)
  local script = M.fetch_script()
  if not script then return nil end
  local q = function(s) return "'" .. s:gsub("'", "'\\''") .. "'" end
  return ("NABLA_DATA=%s sh %s %s"):format(q(M.data_dir()), q(script), which), script
end

-- What to tell a learner to type to fetch a set (the path of the installed fetcher, or
-- datasets/fetch in the source tree).
function M.fetch_hint(which)
  if M.installed then return ("%s %s"):format(M.bundled_data .. "/fetch", which) end
  return "datasets/fetch " .. which
end

-- ---- bundled experiments ------------------------------------------------------------------

-- An experiment's one-line description: the first sentence of the comment that opens its
-- file, up to the first ':' or '.' outside parentheses, without the parenthesised asides
-- ("-- MNIST with a small convolutional network: two 3x3 ..." -> "MNIST with a small
-- convolutional network"); cut to fit 80 columns beside the name.
function M.describe(text)
  local para = {}
  for line in (text .. "\n"):gmatch("(.-)\n") do
    local c = line:match("^%-%-%s?(.*)$")
    if not c or c:match("^%s*$") then
      if #para > 0 or not (line:match("^%s*$") or line:match("^#!")) then break end
    else
      para[#para + 1] = c:match("^%s*(.-)%s*$")
    end
  end
  -- "-- char-rnn.lua: a recurrent ..." or "-- `nabla run x`: ..." : the part after the name
  local s = table.concat(para, " "):gsub("^`[^`]*`%s*:%s*", ""):gsub("^[%w_%-%./]+%s*:%s+", "")
  local out, depth, i = {}, 0, 1
  while i <= #s do
    local ch = s:sub(i, i)
    if ch == "(" then depth = depth + 1
    elseif ch == ")" then depth = math.max(depth - 1, 0)
    elseif depth == 0 then
      if ch == ":" or (ch == "." and (i == #s or s:sub(i + 1, i + 1) == " ")) then break end
      out[#out + 1] = ch
    end
    i = i + 1
  end
  local d = table.concat(out):gsub("%s+", " "):gsub("^%s+", ""):gsub("%s+([,;])", "%1"):gsub("%s+$", "")
  if utf8.len(d) and utf8.len(d) > 58 then
    d = d:sub(1, utf8.offset(d, 58) - 1):gsub("%s+%S*$", "") .. "..."
  end
  return d
end

-- The bundled experiments: { {name=, path=, description=}, ... } sorted by name (the .lua
-- files of experiments/ that define a run function).
function M.experiment_list()
  local list = {}
  local p = io.popen("ls -1 '" .. M.experiments:gsub("'", "'\\''") .. "' 2>/dev/null")
  if not p then return list end
  for file in p:lines() do
    local name = file:match("^(.+)%.lua$")
    local path = M.experiments .. "/" .. file
    local f = name and io.open(path)
    if f then
      local text = f:read("a") or ""
      f:close()
      if text:match("[%s{,]run%s*=") or text:match("function%s+[%w_]+%.run%s*%(") then
        list[#list + 1] = { name = name, path = path, description = M.describe(text) }
      end
    end
  end
  p:close()
  table.sort(list, function(a, b) return a.name < b.name end)
  return list
end

-- The file of an experiment given as a path (used as it is when it exists) or a bundled
-- name ("mnist-cnn", "mnist-cnn.lua", "experiments/mnist-cnn.lua" from anywhere).
function M.find_experiment(what)
  if exists(what) then return what end
  -- a name, or experiments/NAME.lua typed away from the source tree
  if what:find("/", 1, true) and not what:match("^experiments/[^/]+$") then return nil end
  local base = what:match("([^/]+)$") or what
  if not base:match("%.lua$") then base = base .. ".lua" end
  local p = M.experiments .. "/" .. base
  if exists(p) then return p end
  return nil
end

return M

-- What the interactive shell (src/repl/main.c) asks of Lua: the echo of a line's values
-- (nabla.repr), error messages a learner can act on (no internal paths, "did you mean",
-- wrapped to the terminal), the welcome screen, quit() and exit().
local nabla = require "nabla"
local term = require "nabla.term"
local suggest = require "nabla.suggest"
local M = {}

local function L(en, ko) return nabla.lang == "ko" and ko or en end
local next = pairs({}) -- Lua's own next, not the shell's lesson-stepping wrapper

-- ---- one line's evaluation -------------------------------------------------------------------

-- Called before each line runs: forget what the previous line displayed.
function M.begin() require("nabla.display").begin() end

-- The text to echo for a line's results (nil: nothing).
function M.results(...) return require("nabla.repr").results(...) end

-- ---- errors ----------------------------------------------------------------------------------

local function tensor_names()
  local names = { "shape", "grad", "ndim", "needs_grad", "is_leaf", "T", "grad_fn" }
  local ok, mt = pcall(function() return getmetatable(nabla.zeros(1)) end)
  if ok and mt and type(mt.__methods) == "table" then
    for k in pairs(mt.__methods) do names[#names + 1] = k end
  end
  return names
end

local function method_names()
  local names = tensor_names()
  local seen = {}
  local function add_class(cls)
    if type(cls) == "table" and type(rawget(cls, "__methods")) == "table" and not seen[cls] then
      seen[cls] = true
      for k in pairs(cls.__methods) do names[#names + 1] = k end
    end
  end
  local nn = package.loaded["nabla.nn"]
  if type(nn) == "table" then for _, v in pairs(nn) do add_class(v) end end
  local optim = package.loaded["nabla.optim"]
  if type(optim) == "table" then
    for _, v in pairs(optim) do
      if type(v) == "table" then
        add_class(v)
        for k, f in pairs(v) do if type(f) == "function" then names[#names + 1] = k end end
      end
    end
  end
  for k in pairs(string) do names[#names + 1] = k end
  return names
end

local function global_names()
  local names = {}
  for k in pairs(_G) do if type(k) == "string" then names[#names + 1] = k end end
  for _, k in ipairs(nabla.lazy_names and nabla.lazy_names() or {}) do names[#names + 1] = k end
  for _, k in ipairs({ "quit", "exit" }) do names[#names + 1] = k end
  return names
end

-- the string keys of every table one step from the globals (nn.Linear, math.sqrt, ...)
local function field_names()
  local names = {}
  local seen = {}
  local function add(t)
    if type(t) ~= "table" or seen[t] then return end
    seen[t] = true
    for k in next, t do if type(k) == "string" then names[#names + 1] = k end end
  end
  for _, v in pairs(_G) do add(v) end
  for _, mod in pairs(package.loaded) do
    if type(mod) == "table" then add(mod) end
  end
  return names
end

-- Internal locations say nothing to a learner: "/home/x/nabla/lua/nabla/train.lua:124: "
-- becomes "nabla/train.lua:124: ", and a lessons folder's path is dropped.
local function strip_paths(msg)
  msg = msg:gsub("[^%s'\"]*/lua/nabla/", "nabla/")
  msg = msg:gsub("[^%s'\"]*/lessons/([%w_%-]+%.lua)", "%1")
  -- a message that names its function ("nn.Conv2d: unknown option ...") needs no
  -- internal location in front of it
  msg = msg:gsub("^nabla/[%w_/]+%.lua:%d+: ([%w_%.:]+: )", "%1")
  return msg
end

-- A message with "did you mean" added where Lua or the engine names an unknown name,
-- after prefix ("nabla: " for scripts), its first line wrapped to the terminal.
function M.error_text(msg, chunkname, prefix)
  prefix = prefix or ""
  if type(msg) ~= "string" then
    if msg == nil then return "(error)" end
    local ok, s = pcall(tostring, msg)
    msg = ok and s or "(error object)"
  end
  msg = strip_paths(msg)
  local first = msg:match("^[^\n]*")
  local rest = msg:sub(#first + 1)
  local hint = ""
  local name = first:match("%(global '([^']+)'%)")
  if name then hint = suggest.hint(name, global_names()) end
  if hint == "" then
    name = first:match("%(field '([^']+)'%)")
    if name then hint = suggest.hint(name, field_names()) end
  end
  if hint == "" then
    name = first:match("%(method '([^']+)'%)")
    if name then hint = suggest.hint(name, method_names()) end
  end
  if hint == "" then
    name = first:match("tensor has no method or field '([^']+)'")
    if name then hint = suggest.hint(name, tensor_names()) end
  end
  first = first .. hint
  if chunkname then first = first:gsub("^stdin:", chunkname .. ":") end
  return term.wrap(prefix .. first) .. rest
end

-- ---- the first screen ----------------------------------------------------------------------

function M.welcome(version)
  local lines = L({
    ("nabla %s (∇) — see backprop happen, one step at a time."):format(version or ""),
    "",
    "  lessons()                   the lessons and your progress",
    '  lesson "gradient-descent"   start (or resume) the first one',
    "  help                        what you can type; help(x) describes anything",
    "  x = randn(2, 3); x          type an expression and see its value",
    "  quit()  or  Ctrl-D          leave        :help  the shell's commands",
    "",
    "Tab completes names (x: then Tab lists methods). Ctrl-C stops what runs.",
  }, {
    ("nabla %s (∇) — 역전파가 일어나는 모습을 한 단계씩 봅니다."):format(version or ""),
    "",
    "  lessons()                   레슨 목록과 진도",
    '  lesson "gradient-descent"   첫 레슨 시작하기 (이어서 하기)',
    "  help                        입력할 수 있는 것, help(x)는 무엇이든 설명",
    "  x = randn(2, 3); x          식을 입력하면 값을 보여 줍니다",
    "  quit()  또는  Ctrl-D        나가기        :help  셸 명령 목록",
    "",
    "Tab으로 이름을 완성합니다 (x: 뒤에 Tab이면 메서드 목록).",
    "Ctrl-C는 실행 중인 코드를 멈춥니다.",
  })
  return term.wrap(table.concat(lines, "\n"))
end

-- ---- words the shell adds to the globals ----------------------------------------------------

-- quit() and exit() leave, as :q and Ctrl-D do (the history is already on disk).
function M.install(G)
  G = G or _G
  local function leave(code)
    io.stdout:flush()
    os.exit(type(code) == "number" and code or 0, true)
  end
  if rawget(G, "quit") == nil then G.quit = leave end
  if rawget(G, "exit") == nil then G.exit = leave end
  require("nabla.doc")(leave, "quit() or exit()", "leave nabla (as :q or Ctrl-D)", "nabla를 끝냅니다 (:q나 Ctrl-D와 같습니다)", "The shell")
end

return M

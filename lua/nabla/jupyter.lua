-- nabla in Jupyter: the nabla side of the kernel, and the `nabla jupyter` command.
--
--   nabla jupyter install [--name NAME]              the kernelspec, for this user
--   nabla jupyter lesson ID [--lang ko] [-o FILE]    a lesson as a notebook
--   nabla jupyter notebooks [DIR]                    every lesson, in English and Korean
--
-- The kernel (jupyter/nabla_kernel.py, on Debian's python3-ipykernel) starts
-- `nabla --kernel-pipe` and sends it requests; src/repl/kernel.c gives this module
-- recv/send (the pipes), ipcall (a call that SIGINT interrupts) and completions, then calls
-- serve(). Replies are JSON objects, one per frame:
--   {type = "display", data = {mime = text}}        a plot, inspect(), graph(), display(x)
--   {type = "result", data = {...}}                  the value of the cell's last expression
--   {type = "error", ename, evalue, traceback}       then {type = "done", status = "error"}
--   {type = "done", status = "ok"}
--   {type = "complete", matches, start, stop}        (byte offsets)
--   {type = "inspect", found, text}
-- Printed text is not in the replies: it goes to stdout, which the kernel streams.
local nabla = require "nabla"

local M = {}

local function L(en, ko) return nabla.lang == "ko" and ko or en end

-- ---- JSON (what the replies and the notebooks are written in) ------------------------------

local array_mt = {}
local function array(t) return setmetatable(t or {}, array_mt) end
M.array = array
M.null = setmetatable({}, { __name = "null" }) -- JSON's null inside a table

local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
                  ["\b"] = "\\b", ["\f"] = "\\f" }
local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or ("\\u%04x"):format(c:byte())
  end) .. '"'
end

local function json(v, indent, out)
  out = out or {}
  local t = type(v)
  if t == "string" then out[#out + 1] = json_string(v)
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then out[#out + 1] = "null"
    elseif math.type(v) == "integer" then out[#out + 1] = tostring(v)
    else out[#out + 1] = ("%.17g"):format(v) end
  elseif t == "boolean" then out[#out + 1] = tostring(v)
  elseif v == M.null then out[#out + 1] = "null"
  elseif t == "table" then
    local nl = indent and ("\n" .. indent .. " ") or ""
    local sub = indent and (indent .. " ") or nil
    if getmetatable(v) == array_mt or (next(v) ~= nil and #v > 0) then
      if #v == 0 then out[#out + 1] = "[]"; return out end
      out[#out + 1] = "["
      for i = 1, #v do
        out[#out + 1] = (i > 1 and "," or "") .. nl
        json(v[i], sub, out)
      end
      out[#out + 1] = (indent and ("\n" .. indent) or "") .. "]"
    else
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = tostring(k) end
      table.sort(keys)
      if #keys == 0 then out[#out + 1] = "{}"; return out end
      out[#out + 1] = "{"
      for i, k in ipairs(keys) do
        out[#out + 1] = (i > 1 and "," or "") .. nl .. json_string(k) .. (indent and ": " or ":")
        json(v[k], sub, out)
      end
      out[#out + 1] = (indent and ("\n" .. indent) or "") .. "}"
    end
  else out[#out + 1] = "null" end
  return out
end

-- json(v [, pretty]): the JSON text of a Lua value (tables with array(...) or a non-empty
-- sequence are arrays, other tables objects with sorted keys)
function M.json(v, pretty) return table.concat(json(v, pretty and "" or nil)) end

-- ---- how values look ------------------------------------------------------------------------

-- the text the shell prints for a value: nabla.repr when the shell has it, else tostring
local function text_of(v)
  local found, repr = pcall(function() return nabla.repr end) -- loaded on first use
  if found and type(repr) == "function" then
    local ok, s = pcall(repr, v)
    if ok and type(s) == "string" then return s end
  end
  local ok, s = pcall(tostring, v)
  return ok and s or ("(a " .. type(v) .. " value)")
end

local svg_count = 0
-- SVG ids are global in a notebook page: give each figure's ids its own suffix
local function unique_ids(svg)
  svg_count = svg_count + 1
  local ids = {}
  for id in svg:gmatch('id="([^"]+)"') do ids[id] = id .. "-" .. svg_count end
  return (svg:gsub('id="([^"]+)"', function(id) return 'id="' .. ids[id] .. '"' end)
             :gsub("url%(#([^)]+)%)", function(id) return "url(#" .. (ids[id] or id) .. ")" end))
end

-- a display object's metamethod (__html, __svg), or nil if it has none or it fails
local function rich(v, name)
  local mt = getmetatable(v)
  local f = type(mt) == "table" and rawget(mt, name)
  if type(f) ~= "function" then return nil end
  local ok, s = pcall(f, v)
  if ok and type(s) == "string" then return s end
  return nil
end

-- the MIME bundle of a value: text/plain always, text/html and image/svg+xml when the
-- value is a display object that has them
function M.bundle(v)
  local data = { ["text/plain"] = text_of(v) }
  local html = rich(v, "__html")
  if html then data["text/html"] = html end
  local svg = rich(v, "__svg")
  -- the <svg> element only: the classic notebook inserts it into the page as it is, and
  -- an <?xml ...?> declaration before it makes that fail
  svg = svg and svg:match("<svg[%s>].*$")
  if svg then data["image/svg+xml"] = unique_ids(svg) end
  return data
end

-- ---- the cell ---------------------------------------------------------------------------------

local shown -- what display() sent during this cell: objects and their texts

local function send(msg) return M.send(M.json(msg)) end

-- display(obj [, {id = "name", update = true}]) inside the kernel: the object goes to the
-- notebook as a MIME bundle; with an id, a later update = true redraws it in place (fit's
-- live curves)
local function display(obj, opts)
  local data = M.bundle(obj)
  if shown then
    shown[obj] = true
    shown[data["text/plain"]] = true
  end
  local id = type(opts) == "table" and opts.id and tostring(opts.id) or nil
  send({ type = (id and opts.update) and "update" or "display", data = data, id = id })
end
M.display = display

-- lines that only end a cell (blank, or a -- comment) do not hide its last expression
local function strip_tail(lines)
  local n = #lines
  while n > 0 and (lines[n]:match("^%s*$") or (lines[n]:match("^%s*%-%-") and not lines[n]:match("^%s*%-%-%["))) do
    n = n - 1
  end
  return n
end

-- The cell as a function that returns the value of its last expression, if it ends with
-- one: the whole cell as `return <cell>`, else the last lines as `return <lines>` after
-- the rest. A tail starting with "(" or an operator would continue the line before it in
-- Lua, so it is never split off.
function M.compile(code, name)
  local f = load("return " .. code .. "\n;", name, "t")
  if f then return f end
  local lines = {}
  for line in (code .. "\n"):gmatch("(.-)\r?\n") do lines[#lines + 1] = line end
  local n = strip_tail(lines)
  for k = n, 2, -1 do
    local tail = table.concat(lines, "\n", k, n)
    local first = tail:match("^%s*(.)")
    if first and not first:match("[%(%-%+%*/%%%^%.=<>~]") and not tail:match("^%s*and%W")
        and not tail:match("^%s*or%W") and load("return " .. tail .. "\n;", name, "t")
        and load(table.concat(lines, "\n", 1, k - 1), name, "t") then
      local src = table.concat(lines, "\n", 1, k - 1) .. "\nreturn " .. tail .. "\n;"
      f = load(src, name, "t")
      if f then return f end
    end
  end
  return load(code, name, "t")
end

-- where nabla is installed says nothing to a learner: ".../lua/nabla/nn/linear.lua:30:"
-- becomes "nabla/nn/linear.lua:30:" (as in the shell)
local function short_paths(s)
  return (s:gsub("[^%s'\"]*/lua/nabla/", "nabla/"):gsub("[^%s'\"]*/lessons/([%w_%-]+%.lua)", "%1"))
end

-- "message\nstack traceback:\n\t..." -> the message as the shell words it (with "did you
-- mean"), the learner's frames
local function split_traceback(s)
  local msg, tb = s:match("^(.-)\nstack traceback:\n(.*)$")
  if not msg then msg, tb = s, "" end
  local ok, shell = pcall(require, "nabla.shell")
  local worded = ok and type(shell) == "table" and type(shell.error_text) == "function"
    and select(2, pcall(shell.error_text, msg))
  msg = type(worded) == "string" and worded or short_paths(msg)
  local frames = {}
  for line in tb:gmatch("[^\n]+") do
    if line:find("nabla/jupyter.lua", 1, true) or line:find("ipcall'", 1, true)
        or line:match("^%s*%[C%]: in %?$") then break end
    frames[#frames + 1] = "  " .. short_paths(line:gsub("^%s+", ""))
  end
  return msg, frames
end

local function send_error(ename, msg, frames)
  local tb = array({ ("\27[0;31m%s\27[0m: %s"):format(ename, msg) })
  if frames and #frames > 0 then
    tb[#tb + 1] = "stack traceback:"
    for _, f in ipairs(frames) do tb[#tb + 1] = f end
  end
  send({ type = "error", ename = ename, evalue = msg, traceback = tb })
end

function M.execute(code, count)
  local name = ("=cell[%s]"):format(count or "?")
  local f, err = M.compile(code, name)
  if not f then
    send_error("SyntaxError", err)
    return "error"
  end
  shown = {}
  local shown_lib = require "nabla.display"
  shown_lib.begin()
  local r = table.pack(M.ipcall(f))
  io.stdout:flush()
  local ok = r[1]
  if not ok then
    local msg, frames = split_traceback(tostring(r[2]))
    local interrupted = msg:match("interrupted!$")
    send_error(interrupted and "Interrupted" or "Error",
               interrupted and L("interrupted! (every variable is kept)", "중단했습니다! (변수는 모두 그대로입니다)") or msg,
               frames)
    shown = nil
    return "error"
  end
  -- the values, as the shell prints them: tab-separated, except what was displayed already
  -- (a plot returns the text it showed)
  local plot = package.loaded["nabla.plot"]
  local already = type(plot) == "table" and plot.last_printed or nil
  local values = { n = 0 }
  for i = 2, r.n do
    local v = r[i]
    if v == nil or not (shown[v] or shown_lib.was_shown(v) or (type(v) == "string" and v == already)) then
      values.n = values.n + 1
      values[values.n] = v
    end
  end
  if values.n == 1 then
    send({ type = "result", data = M.bundle(values[1]) })
  elseif values.n > 1 then
    local texts = {}
    for i = 1, values.n do texts[i] = text_of(values[i]) end
    send({ type = "result", data = { ["text/plain"] = table.concat(texts, "\t") } })
  end
  shown = nil
  return "ok"
end

-- ---- completion and help ------------------------------------------------------------------

function M.complete(code, pos)
  local before = code:sub(1, pos)
  local word = before:match("[%w_%.:]*$") or ""
  local cands = {}
  local ok, set = pcall(M.completions, word)
  if ok and type(set) == "table" then
    for c in pairs(set) do cands[#cands + 1] = c end
  end
  table.sort(cands)
  return { type = "complete", matches = array(cands), start = pos - #word, stop = pos }
end

function M.inspect(code, pos)
  local before, after = code:sub(1, pos), code:sub(pos + 1)
  local word = (before:match("[%w_%.:]*$") or "") .. (after:match("^[%w_]*") or "")
  if word == "" then -- the cursor just after "name(" or "name{"
    word = before:match("([%w_%.:]+)%s*[%(%{\"']%s*$") or ""
  end
  word = word:gsub("[%.:]+$", "")
  if word == "" then return { type = "inspect", found = false, text = "" } end
  local help = require "nabla.help"
  local candidates = { word }
  local obj, method = word:match("^(.-):([%w_]+)$")
  if method then
    candidates = { "Tensor:" .. method, word }
    local ok, v = pcall(load("return " .. obj, "=inspect", "t"))
    if not (ok and nabla.is_tensor(v)) then candidates = { word } end
  end
  for _, w in ipairs(candidates) do
    local ok, text = pcall(help.text, w)
    if ok and type(text) == "string" and not text:match("^no help for ") and not text:find("도움말이 없습니다", 1, true) then
      return { type = "inspect", found = true, text = text }
    end
  end
  return { type = "inspect", found = false, text = "" }
end

-- ---- the loop ---------------------------------------------------------------------------------

-- Requests: "execute <count>\n<code>", "complete <pos>\n<code>", "inspect <pos>\n<code>",
-- "shutdown". Returns the exit status.
function M.serve()
  rawset(nabla, "display", display)
  rawset(nabla, "frontend", "jupyter") -- fit draws its progress bar (lua/nabla/train.lua)
  _G.display = display
  require("nabla.doc")(display, "display(x [, {id = name, update = true}])",
    "show x in the notebook: as HTML or SVG if its metatable has __html or __svg, else as text; update = true redraws the display with that id",
    "x를 노트북에 보여 줍니다: 메타테이블에 __html이나 __svg가 있으면 HTML이나 SVG로, 아니면 글자로. update = true는 그 id의 출력을 다시 그립니다", "The shell")
  send({ type = "ready", version = nabla.version or "", lang = nabla.lang })
  while true do
    local req = M.recv()
    if not req then return 0 end
    local head, body = req:match("^([^\n]*)\n?(.*)$")
    local kind, arg = head:match("^(%S+)%s*(%S*)")
    if kind == "execute" then
      local status = M.execute(body, arg)
      send({ type = "done", status = status })
    elseif kind == "complete" then
      send(M.complete(body, tonumber(arg) or #body))
    elseif kind == "inspect" then
      local ok, r = pcall(M.inspect, body, tonumber(arg) or #body)
      send(ok and r or { type = "inspect", found = false, text = "" })
    elseif kind == "shutdown" then
      return 0
    else
      send({ type = "done", status = "error" })
    end
  end
end

-- ---- lessons as notebooks -----------------------------------------------------------------

local function md_escape(s)
  return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"))
end

-- notebook cells keep their text as a list of lines, each with its "\n" but the last
local function source(s)
  local out = array()
  for line in s:gmatch("[^\n]*\n?") do
    if line ~= "" then out[#out + 1] = line end
  end
  return out
end

-- M.notebook(id [, {lang = "ko", solutions = true}]) -> the notebook, a Lua table ready
-- for M.json. Markdown cells for the text (and quiz), a code cell with the step's code,
-- a cell check("id", k) for a step with a check and answer(nil, "id", k) for a quiz.
function M.notebook(id, opts)
  opts = opts or {}
  local runner = require "nabla.lesson"
  local lang = opts.lang or nabla.lang or "en"
  local saved = nabla.lang
  nabla.lang = lang
  local tr = runner.tr
  local l = runner.load(id)
  local cells = array()
  local function cell(kind, text, tag)
    local c = { cell_type = kind, id = ("%s-%d"):format(id, #cells + 1), metadata = { nabla = tag or {} }, source = source(text) }
    if kind == "code" then c.outputs, c.execution_count = array(), M.null end
    cells[#cells + 1] = c
  end
  local ko = lang == "ko"
  local all = runner.all()
  local number
  for i, x in ipairs(all) do if x.id == l.id then number = i end end
  cell("markdown", ("# %s\n\n%s"):format(md_escape(tr(l.title)), ko and
    ("nabla 레슨%s `%s`입니다. 셀을 위에서부터 차례로 실행하세요 (Shift+Enter). "
      .. "단계마다 코드를 고치거나 직접 써 보고, `check` 셀로 검사하세요: 무엇이 아직 틀렸는지 알려 줍니다.\n\n"
      .. "*`lessons/%s.lua`에서 `nabla jupyter lesson %s --lang ko`로 만든 노트북입니다.*")
      :format(number and (" " .. number) or "", l.id, l.id, l.id)
    or ("nabla lesson%s, `%s`. Run the cells from the top, one after another (Shift+Enter). "
      .. "In each step, change or write the code, then run the `check` cell: it says what is still wrong.\n\n"
      .. "*Generated from `lessons/%s.lua` by `nabla jupyter lesson %s`.*")
      :format(number and (" " .. number) or "", l.id, l.id, l.id)), { lesson = l.id })
  cell("code", ('nabla.lang = "%s"  -- %s'):format(lang, ko and "검사와 힌트를 한국어로" or "checks and hints in English"),
       { lesson = l.id, role = "setup" })
  for k, s in ipairs(l.steps) do
    local tag = { lesson = l.id, step = k }
    local md = { ("## %s %d/%d\n\n%s"):format(ko and "단계" or "Step", k, #l.steps, md_escape(tr(s.text))) }
    if s.quiz then
      -- the choices are shuffled for each learner: answer(nil, ...) shows them in the order
      -- answer(n, ...) reads
      md[#md + 1] = "\n\n**" .. md_escape(tr(s.quiz.question)) .. "**\n\n" .. (s.quiz.kind == "number"
        and (ko and "*코드를 실행하기 전에 숫자를 예측해서 아래 셀에 쓰세요.*" or "*Predict the number before you run the code, and write it in the cell below.*")
        or (ko and "*아래 셀을 실행하면 보기가 나옵니다 (사람마다 순서가 다릅니다).*" or "*Run the cell below to see the choices (their order is your own).*"))
    end
    if s.hints and #s.hints > 0 then
      for i, h in ipairs(s.hints) do
        md[#md + 1] = ("\n\n<details><summary>%s %d</summary>\n\n%s\n\n</details>")
          :format(ko and "힌트" or "Hint", i, md_escape(tr(h)))
      end
    end
    cell("markdown", table.concat(md), tag)
    local code = s.code
    if opts.solutions and s.solution and not s.quiz then code = s.solution end
    if code and not s.quiz then
      cell("code", (code:gsub("^\n+", ""):gsub("\n+$", "")), { lesson = l.id, step = k, role = "code" })
    end
    if s.quiz then
      local number = s.quiz.kind == "number"
      local choice = opts.solutions and ('require("nabla.lesson").reference_answer("%s", %d)'):format(l.id, k) or "nil"
      cell("code", ('answer(%s, "%s", %d)%s'):format(choice, l.id, k, opts.solutions and "" or
        (number and (ko and "  -- nil 대신 예측한 숫자를 쓰세요" or "  -- put your prediction instead of nil")
          or (ko and "  -- 실행해서 보기를 본 뒤, nil 대신 고른 번호를 쓰세요" or "  -- run it to see the choices, then put your choice instead of nil"))),
        { lesson = l.id, step = k, role = "quiz" })
      if number and code then   -- predict first, then run it
        cell("code", (code:gsub("^\n+", ""):gsub("\n+$", "")), { lesson = l.id, step = k, role = "code" })
      end
    elseif s.check then
      cell("code", ('check("%s", %d)'):format(l.id, k), { lesson = l.id, step = k, role = "check" })
    end
  end
  nabla.lang = saved
  return {
    cells = cells,
    metadata = {
      kernelspec = { name = "nabla", display_name = "nabla (Lua)", language = "lua" },
      language_info = { name = "lua", file_extension = ".lua", mimetype = "text/x-lua", codemirror_mode = "lua" },
      nabla = { lesson = l.id, lang = lang, solutions = opts.solutions and true or false },
    },
    nbformat = 4, nbformat_minor = 5,
  }
end

local function write_file(path, text)
  local f, err = io.open(path, "wb")
  if not f then error(("cannot write %s: %s"):format(path, tostring(err)), 0) end
  f:write(text)
  f:close()
end

function M.write_notebook(id, path, opts)
  write_file(path, M.json(M.notebook(id, opts), true) .. "\n")
  return path
end

-- ---- nabla jupyter install --------------------------------------------------------------------

local function shell_quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function capture(cmd)
  local p = io.popen(cmd)
  if not p then return nil end
  local out = p:read("a")
  p:close()
  return (out:gsub("%s+$", ""))
end

-- the nabla executable that is running (arg[-n] is argv[0]), as an absolute path
local function executable()
  local lowest = 0
  if type(arg) == "table" then for k in pairs(arg) do if type(k) == "number" and k < lowest then lowest = k end end end
  local argv0 = type(arg) == "table" and arg[lowest] or "nabla"
  local path = argv0:find("/", 1, true) and argv0 or capture("command -v " .. shell_quote(argv0))
  return path and path ~= "" and capture("readlink -f " .. shell_quote(path)) or nil
end

-- where Jupyter looks for this user's kernels: $JUPYTER_DATA_DIR, else
-- $XDG_DATA_HOME/jupyter, else ~/.local/share/jupyter (jupyter_core's rule on Linux)
function M.data_dir()
  local d = os.getenv("JUPYTER_DATA_DIR")
  if d and d ~= "" then return d end
  local x = os.getenv("XDG_DATA_HOME")
  if x and x ~= "" then return x .. "/jupyter" end
  return (os.getenv("HOME") or ".") .. "/.local/share/jupyter"
end

function M.kernel_source()
  local cand = require("nabla.paths").jupyter .. "/nabla_kernel.py"
  local f = io.open(cand)
  if f then f:close(); return cand end
  return nil
end

local PYTHON = "/usr/bin/python3" -- Debian's, which sees python3-ipykernel

function M.install(opts)
  local name = opts.name or "nabla"
  local exe = opts.exe or executable()
  if not exe then error("nabla jupyter install: cannot find the nabla executable", 0) end
  local src = M.kernel_source()
  if not src then error("nabla jupyter install: nabla_kernel.py not found in " .. require("nabla.paths").jupyter, 0) end
  local dir = M.data_dir() .. "/kernels/" .. name
  if not os.execute("mkdir -p " .. shell_quote(dir)) then error("nabla jupyter install: cannot create " .. dir, 0) end
  local f = assert(io.open(src, "rb"))
  local py = f:read("a")
  f:close()
  write_file(dir .. "/nabla_kernel.py", py)
  local env = { NABLA_EXE = exe }
  -- the executable finds its own files (lua/nabla/paths.lua); a NABLA_PATH given to this
  -- process (a test, a copy of the sources) is passed on
  local np = os.getenv("NABLA_PATH")
  if np and np ~= "" and nabla.lua_dir then env.NABLA_PATH = nabla.lua_dir end
  write_file(dir .. "/kernel.json", M.json({
    -- (frozen modules off: else ipykernel's debugger warns about them at every start)
    argv = array({ PYTHON, "-Xfrozen_modules=off", dir .. "/nabla_kernel.py", "-f", "{connection_file}" }),
    display_name = opts.display_name or "nabla (Lua)",
    language = "lua",
    interrupt_mode = "signal",
    env = env,
    metadata = { debugger = false },
  }, true) .. "\n")
  print(L("installed the Jupyter kernel '%s' in %s", "Jupyter 커널 '%s'을(를) %s에 설치했습니다"):format(name, dir))
  print(L("  it runs %s", "  실행 파일: %s"):format(exe))
  if not os.execute(PYTHON .. " -c 'import ipykernel' 2>/dev/null") then
    print(L("  note: %s cannot import ipykernel yet: apt-get install python3-ipykernel jupyter-notebook (or ./setup.sh jupyter)",
            "  참고: %s에서 아직 ipykernel을 불러올 수 없습니다. apt-get install python3-ipykernel jupyter-notebook (또는 ./setup.sh jupyter)으로 설치하세요")
      :format(PYTHON))
  end
  return dir
end

-- ---- the command --------------------------------------------------------------------------

local usage = [[
usage: nabla jupyter install [--name NAME]         install the Jupyter kernel for this user
                                                   (in $JUPYTER_DATA_DIR/kernels/nabla)
       nabla jupyter lesson ID [--lang ko] [--solutions] [-o FILE]
                                                   a lesson as a notebook (ID.ipynb)
       nabla jupyter notebooks [DIR] [--force]     every lesson, DIR/en/*.ipynb, DIR/ko/*.ipynb
                                                   (existing notebooks are kept without --force)]]

function M.main(args)
  local cmd = args[1]
  local opts, rest = {}, {}
  local i = 2
  while args[i] do
    local a = args[i]
    if a == "--lang" then opts.lang = args[i + 1]; i = i + 1
    elseif a:match("^%-%-lang=") then opts.lang = a:sub(8)
    elseif a == "-o" or a == "--output" then opts.output = args[i + 1]; i = i + 1
    elseif a == "--name" then opts.name = args[i + 1]; i = i + 1
    elseif a == "--solutions" then opts.solutions = true
    elseif a == "--force" then opts.force = true
    elseif a:match("^%-") then io.stderr:write("nabla jupyter: unknown option " .. a .. "\n" .. usage .. "\n"); return 2
    else rest[#rest + 1] = a end
    i = i + 1
  end
  if opts.lang and opts.lang ~= "en" and opts.lang ~= "ko" then
    io.stderr:write("nabla jupyter: --lang takes en or ko\n")
    return 2
  end
  local ok, err = pcall(function()
    if cmd == "install" then
      M.install(opts)
    elseif cmd == "lesson" and rest[1] then
      local id = rest[1]
      if id:match("^%d+$") then
        local l = require("nabla.lesson").all()[tonumber(id)]
        if not l then error("no lesson number " .. id, 0) end
        id = l.id
      end
      local lang = opts.lang or nabla.lang
      local out = opts.output or (id .. (lang == "ko" and ".ko" or "") .. (opts.solutions and ".solutions" or "") .. ".ipynb")
      M.write_notebook(id, out, { lang = lang, solutions = opts.solutions })
      print(out)
    elseif cmd == "notebooks" then
      local dir = rest[1] or "notebooks"
      local n = 0
      for _, lang in ipairs({ "en", "ko" }) do
        os.execute("mkdir -p " .. shell_quote(dir .. "/" .. lang))
        for _, l in ipairs(require("nabla.lesson").all()) do
          local path = ("%s/%s/%s.ipynb"):format(dir, lang, l.id)
          local f = io.open(path)
          if f then f:close() end
          if opts.force or not f then
            M.write_notebook(l.id, path, { lang = lang })
            n = n + 1
          end
        end
      end
      print(L("%d notebooks written in %s", "노트북 %d개를 %s에 썼습니다"):format(n, dir))
    else
      io.stderr:write(usage .. "\n")
      error(nil)
    end
  end)
  if not ok then
    if err ~= nil then io.stderr:write("nabla jupyter: " .. tostring(err) .. "\n") end
    return cmd and 1 or 2
  end
  return 0
end

return M

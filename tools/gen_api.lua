-- Writes docs/API.md (or, with "ko", docs/API.ko.md) from the help registry: every public
-- name with its signature and its one-line description, grouped as in Lua's reference
-- manual §6 or Torch7's nn docs. The text is exactly what help(x) prints in the shell.
--
--   ./build/nabla tools/gen_api.lua > docs/API.md
--   ./build/nabla tools/gen_api.lua ko > docs/API.ko.md
--   ninja -C build api-doc          (both)
--
-- tests/lua/test_api_doc.lua fails when a committed file differs from what this prints.
local lang, mode = ...
lang = lang == "ko" and "ko" or "en"

local nabla = require "nabla"
local help = require "nabla.help"
local methods = getmetatable(nabla.zeros(1)).__methods

-- the section of an entry: its own group, or the prefix of its name
local function section_of(e)
  if e.group then return e.group end
  local n = e.name
  if n:match("^Tensor:") then return "Tensor: other methods" end
  if n:match("^model:") or n:match("^self:") or n == "nn.Module" or n == "nn.Parameter" then return "nn.Module" end
  for _, p in ipairs { "nn.init", "nn.utils", "nn.functional", "optim.lr_scheduler" } do
    if n == p or n:sub(1, #p + 1) == p .. "." then return p end
  end
  if n:match("^nn%.") then return "nn: layers and losses" end
  if n:match("^optim%.") or n:match("^opt:") then return "optim" end
  for _, p in ipairs { "data", "aug", "plot" } do
    if n == p or n:sub(1, #p + 1) == p .. "." then return p end
  end
  return "The engine"
end

-- the order of the sections; a section not listed here comes after them, by name
local ORDER = {
  "Creating tensors", "Tensor: shape and views", "Tensor: arithmetic and comparisons",
  "Tensor: activations", "Tensor: reductions", "Tensor: matrix products", "Tensor: indexing",
  "Tensor: autograd", "Tensor: in place", "Tensor: other methods", "Autograd",
  "nn: layers and losses", "nn.Module", "nn.functional", "nn.init", "nn.utils",
  "optim", "optim.lr_scheduler", "data", "aug", "plot",
  "Training", "Checkpoints", "Seeing inside", "Lessons", "The shell", "The classroom server",
  "The engine", "Modules",
}
local INTRO = {
  en = {
    ["Creating tensors"] = "Every tensor holds float32 values. Indices, dimensions and classes count from 1, as everything else in Lua.",
    ["Tensor: shape and views"] = "Methods are called with a colon: `x:view(2, 3)`. A view shares its storage with the tensor it comes from.",
    ["nn: layers and losses"] = "Layers are classes: `nn.Linear(784, 10)` makes one, `layer(x)` runs it. Settings come positionally in PyTorch's order or in an options table.",
    ["nn.Module"] = "What every layer and model has (`model` below is any of them).",
    ["optim"] = "`opt` below is any optimizer.",
    ["nn.functional"] = "The activations are the tensor methods called as functions: `F.relu(x)` is `x:relu()` (see Tensor: activations).",
  },
  ko = {
    ["Creating tensors"] = "텐서는 모두 float32 값을 담습니다. 인덱스, 차원, 클래스 번호는 Lua의 다른 모든 것처럼 1부터 셉니다.",
    ["Tensor: shape and views"] = "메서드는 콜론으로 호출합니다: `x:view(2, 3)`. 뷰는 원래 텐서와 저장소를 함께 씁니다.",
    ["nn: layers and losses"] = "층은 클래스입니다: `nn.Linear(784, 10)`으로 만들고 `layer(x)`로 실행합니다. 설정은 PyTorch 순서대로 넘기거나 옵션 테이블로 줍니다.",
    ["nn.Module"] = "모든 층과 모델이 가진 것 (아래의 `model`은 그중 아무것이나).",
    ["optim"] = "아래의 `opt`는 아무 옵티마이저나.",
    ["nn.functional"] = "활성화 함수는 텐서 메서드를 함수로 부른 것입니다: `F.relu(x)`는 `x:relu()`와 같습니다 (Tensor: activations 참고).",
  },
}

local sections, order = {}, {}
for _, name in ipairs(ORDER) do order[name] = _ end
-- within a section, names come in the order of their doc() lines in the source (file by
-- file), not alphabetically
require("nabla.shell").install({})       -- the words the shell adds: quit(), exit()
local all = help.all()
table.sort(all, function(a, b)
  if a.file ~= b.file then return a.file < b.file end
  if a.line ~= b.line then return a.line < b.line end
  return a.name < b.name
end)
for _, e in ipairs(all) do
  local s = section_of(e)
  sections[s] = sections[s] or {}
  table.insert(sections[s], e)
end
local names = {}
for s in pairs(sections) do names[#names + 1] = s end
table.sort(names, function(a, b)
  local oa, ob = order[a] or math.huge, order[b] or math.huge
  if oa ~= ob then return oa < ob end
  return a < b
end)

local function anchor(title)
  return (title:lower():gsub("[^%w%- ]", ""):gsub(" ", "-"))
end

local out = {}
local function add(s) out[#out + 1] = s end
if lang == "ko" then
  add("# nabla API 참조")
  add("")
  add("도움말 목록에서 만든 파일입니다 (`./build/nabla tools/gen_api.lua ko > docs/API.ko.md`). 손으로 고치지 마세요:")
  add("설명은 각 이름을 정의한 곳 옆의 `doc()` 줄에 있고, `tests/lua/test_api_doc.lua`가 이 파일이 최신인지 검사합니다.")
  add("셸에서 `help(x)`가 보여 주는 것과 같은 내용입니다. English: [API.md](API.md).")
else
  add("# nabla API reference")
  add("")
  add("Generated from the help registry (`./build/nabla tools/gen_api.lua > docs/API.md`): do not edit it by hand.")
  add("Each description lives in the `doc()` line beside the name's definition, and `tests/lua/test_api_doc.lua`")
  add("fails when this file is not current. It is what `help(x)` prints in the shell. 한국어: [API.ko.md](API.ko.md).")
end
add("")
for _, s in ipairs(names) do add(("- [%s](#%s) (%d)"):format(s, anchor(s), #sections[s])) end

for _, s in ipairs(names) do
  add("")
  add("## " .. s)
  local intro = INTRO[lang][s]
  -- a module documented under the section's own name opens it
  local list = {}
  for _, e in ipairs(sections[s]) do
    if e.name == s and e.kind == "module" then intro = e[lang] .. "." .. (intro and " " .. intro or "")
    else list[#list + 1] = e end
  end
  if intro then add(""); add(intro) end
  for _, e in ipairs(list) do
    add("")
    add("### `" .. e.sig .. "`")
    local text = e[lang]
    local m = e.method
    if m and rawget(nabla, m) ~= nil and rawget(nabla, m) == methods[m] then
      text = text .. (lang == "ko" and (" (함수로도 씁니다: `%s(x, ...)`)"):format(m)
                                    or (" (also a function: `%s(x, ...)`)"):format(m))
    end
    add(text)
  end
end
local text = table.concat(out, "\n") .. "\n"
if mode == "return" then return text end
io.write(text)

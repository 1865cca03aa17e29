-- Every public name has help in English and in Korean: every tensor method, every function
-- and class of nn, optim, data, plot and aug (and of their parts: nn.init, nn.utils,
-- nn.functional, optim.lr_scheduler), and every global of the shell. A name added without
-- its doc() line fails here, listed by name.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local help = require "nabla.help"
local doc = require "nabla.doc"

local function hangul(s) return s:find("[\xEA-\xED][\x80-\xBF][\x80-\xBF]") ~= nil end

-- what is wrong with an entry, or nil
local function fault(e)
  if not e then return "no help" end
  if type(e.sig) ~= "string" or e.sig == "" then return "no signature" end
  for _, l in ipairs { "en", "ko" } do
    local s = e[l]
    if type(s) ~= "string" or s:match("^%s*$") then return "no " .. l .. " text" end
    if s:find("\n", 1, true) then return l .. " text is more than one line" end
  end
  if not hangul(e.ko) then return "the ko text is not Korean" end
  if e.ko == e.en then return "the ko text is the en text" end
  return nil
end

-- every public name: name -> the value help() is asked about (the name itself when the value
-- is a plain setting such as lang)
local function public_names()
  local names = {}
  local methods = getmetatable(nabla.zeros(1)).__methods
  for k in pairs(methods) do
    if not k:match("^_") then names["Tensor:" .. k] = "Tensor:" .. k end
  end
  local G = nabla.globals({})
  require("nabla.shell").install(G)             -- quit, exit
  for _, k in ipairs(nabla.lazy_names()) do G[k] = nabla[k] end
  for k, v in pairs(G) do
    if type(k) == "string" and not k:match("^_") then
      names[k] = (type(v) == "function" or type(v) == "table") and v or k
    end
  end
  names.next = "next"      -- the shell's next() wraps Lua's; its help is found by name
  local function walk(prefix, t)
    for k, v in pairs(t) do
      if type(k) == "string" and not k:match("^_") and (type(v) == "function" or type(v) == "table") then
        local name = prefix .. "." .. k
        names[name] = v
        -- a part of the module (nn.init, optim.lr_scheduler): a plain table of functions
        if type(v) == "table" and getmetatable(v) == nil and rawget(v, "__index") == nil
           and rawget(v, "__name") == nil and #v == 0 then
          walk(name, v)
        end
      end
    end
  end
  for _, m in ipairs { "nn", "optim", "data", "plot", "aug" } do walk(m, nabla[m]) end
  return names
end

local function faults(names)
  local bad = {}
  for name, v in pairs(names) do
    local f = fault(help.find(v))
    if f then bad[#bad + 1] = name .. " (" .. f .. ")" end
  end
  table.sort(bad)
  return bad
end

T.test("every public name has a one-line help in English and Korean", function()
  local names = public_names()
  local n = 0
  for _ in pairs(names) do n = n + 1 end
  T.ok(n > 250, "the list of public names is complete (" .. n .. ")")
  print(("       %d public names checked"):format(n))
  for _, must in ipairs { "Tensor:gelu", "Tensor:softplus", "Tensor:elu", "Tensor:sqrt", "Tensor:where",
                          "Tensor:eq", "Tensor:stride", "Tensor:sub", "Tensor:view_as", "nn.Linear",
                          "nn.functional.conv2d", "nn.init.kaiming_uniform_", "optim.lr_scheduler.StepLR",
                          "data.loader", "plot.contour", "aug.mixup", "fit", "lesson", "no_grad" } do
    T.ok(names[must] ~= nil, must .. " is among the public names")
  end
  T.eq(table.concat(faults(names), "\n"), "", "names without proper help")
end)

T.test("help(x) answers for every public name in both languages", function()
  local saved = nabla.lang
  local missing = {}
  for name, v in pairs(public_names()) do
    for _, l in ipairs { "en", "ko" } do
      nabla.lang = l
      local text = help.text(v)
      if text:find("no help for", 1, true) or text:find("도움말이 없습니다", 1, true) then
        missing[#missing + 1] = name .. "/" .. l
      end
    end
  end
  nabla.lang = saved
  table.sort(missing)
  T.eq(table.concat(missing, " "), "", "help(x) finds nothing")
end)

T.test("the check catches a name documented in one language only", function()
  local f = function() end
  local probe = { ["nn.probe_fn"] = f }
  T.eq(faults(probe)[1], "nn.probe_fn (no help)", "an undocumented function")
  doc(f, "probe_fn(x)", "a function for this test", nil)
  T.eq(faults(probe)[1], "nn.probe_fn (no ko text)", "English only")
  doc(f, "probe_fn(x)", "a function for this test", "a function for this test")
  T.eq(faults(probe)[1], "nn.probe_fn (the ko text is not Korean)", "English twice")
  doc(f, "probe_fn(x)", "a function for this test", "이 테스트용 함수\n둘째 줄")
  T.eq(faults(probe)[1], "nn.probe_fn (ko text is more than one line)", "two lines")
  doc(f, "probe_fn(x)", "a function for this test", "이 테스트용 함수")
  T.eq(#faults(probe), 0, "both languages")
  doc.entries["probe_fn"] = nil
end)

T.test("doc() beside a definition: names, methods, groups, and precedence over fallbacks", function()
  local cls = setmetatable({ __name = "Probe" }, {})
  local e = doc(cls, "nn.Probe(n)", "a probe layer", "시험용 층", "Layers")
  T.eq(e.name, "nn.Probe", "the name is the signature's first word")
  T.eq(e.group, "Layers", "the group")
  T.ok(help.find(setmetatable({}, cls)) == e, "an instance finds its class's help")
  local m = doc(nil, "x:probe_m()", "a probe method", "시험용 메서드")
  T.eq(m.name, "Tensor:probe_m", "x: is a tensor method")
  T.eq(m.kind, "method", "its kind")
  -- a fallback never replaces what a Lua definition says
  doc.register(nil, "x:probe_m()", "old text", "옛 설명", nil, "fallback")
  T.eq(help.find("probe_m").en, "a probe method", "the definition's own text wins")
  doc.entries["nn.Probe"], doc.entries["Tensor:probe_m"] = nil, nil
end)

T.test("help reads the C op tables' docs (nabla._C.docs) when the engine has them", function()
  local had_C = rawget(nabla, "_C")
  local C = had_C or {}
  local had_docs = rawget(C, "docs")
  local docs = had_docs or {}
  rawset(C, "docs", docs)
  if not had_C then rawset(nabla, "_C", C) end
  docs.probe_op = { sig = "x:probe_op()", en = "a probe op", ko = "시험용 연산", kind = "both" }
  docs.probe_fn2 = { sig = "probe_fn2(n)", en = "a probe function", ko = "시험용 함수", kind = "function" }
  help.load_c_docs()
  local e = help.find("probe_op")
  T.ok(e and e.name == "Tensor:probe_op" and e.ko == "시험용 연산", "a method from the C table")
  T.ok(help.find("probe_fn2") and help.find("probe_fn2").en == "a probe function", "a function from the C table")
  nabla.lang = "ko"
  T.ok(help.text("probe_op"):find("시험용 연산", 1, true), help.text("probe_op"))
  nabla.lang = "en"
  docs.probe_op, docs.probe_fn2 = nil, nil
  doc.entries["Tensor:probe_op"], doc.entries["probe_fn2"] = nil, nil
  if not had_docs then rawset(C, "docs", nil) end
  if not had_C then rawset(nabla, "_C", nil) end
end)

T.test("nn.functional holds the functional forms; the shell's globals keep the short ones", function()
  local F = nabla.nn.functional
  for _, k in ipairs { "conv2d", "max_pool2d", "batch_norm", "cross_entropy", "nll_loss", "mse_loss",
                       "relu", "gelu", "softmax", "dropout", "linear", "one_hot" } do
    T.ok(type(F[k]) == "function", "nn.functional." .. k)
  end
  local x = nabla.randn(2, 3)
  T.ok((F.gelu(x) - x:gelu()):abs():max():item() == 0, "F.gelu(x) is x:gelu()")
  local G = nabla.globals({})
  for _, k in ipairs { "relu", "softmax", "linear", "one_hot", "cross_entropy", "mse_loss", "avg_pool2d" } do
    T.ok(G[k] ~= nil, k .. " stays a global")
  end
  for _, k in ipairs { "conv2d", "batch_norm", "nll_loss", "lstm_seq" } do
    T.ok(G[k] == nil, k .. " lives in nn.functional (or nn), not among the globals")
  end
end)

T.done()

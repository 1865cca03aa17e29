-- What the shell shows a learner, without a terminal: nabla.repr (values as Lua literals
-- cut to the width, histories as summaries, functions by their help), nabla.display (one
-- hook, nothing echoed twice), word wrapping with Korean display width, "did you mean",
-- errors without internal paths, Lua-usable indices in printed models, fit's Ctrl-C and
-- live curves. (What needs a real terminal is in tests/repl/test_learner.py.)
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local repr = require "nabla.repr"
local term = require "nabla.term"
local display = require "nabla.display"
local shell = require "nabla.shell"
local suggest = require "nabla.suggest"
local nn = nabla.nn
nabla.lang = "en"
nabla.globals(_G)

local function lines_of(s)
  local t = {}
  for l in (s .. "\n"):gmatch("(.-)\n") do t[#t + 1] = l end
  return t
end

local function max_width(s)
  local w = 0
  for _, l in ipairs(lines_of(s)) do w = math.max(w, term.width(l)) end
  return w
end

-- the text a function prints, and what it returns
local function capture(fn, ...)
  local out = {}
  local saved_print, saved_write = print, io.write
  _G.print = function(...)
    local p = {}
    for i = 1, select("#", ...) do p[i] = tostring((select(i, ...))) end
    out[#out + 1] = table.concat(p, "\t") .. "\n"
  end
  io.write = function(...) for i = 1, select("#", ...) do out[#out + 1] = tostring((select(i, ...))) end return io.stdout end
  local saved_display = rawget(nabla, "display")
  nabla.display = function(obj) out[#out + 1] = tostring(obj) .. "\n" end
  local ok, r = pcall(fn, ...)
  _G.print, io.write, nabla.display = saved_print, saved_write, saved_display
  if not ok then error(r, 0) end
  return table.concat(out), r
end

-- ---- 1. values print readably ----------------------------------------------------------------

T.test("repr: tables as Lua literals", function()
  T.eq(repr.value({ 1, 2, 3 }), "{1, 2, 3}")
  T.eq(repr.value({ alpha = 1, beta = "x" }), '{alpha = 1, beta = "x"}')
  T.eq(repr.value({ 1.5, 2.0, { a = { true } } }), "{1.5, 2.0, {a = {true}}}")
  T.eq(repr.value({}), "{}")
  T.eq(repr.value({ ["two words"] = 1, [10] = "x" }), '{["two words"] = 1, [10] = "x"}')
  local t = { 1 }
  t.self = t
  T.eq(repr.value(t), "{1, self = <cycle>}")
  T.eq(repr.value("plain"), "plain", "a string at the top level prints as it is")
  T.eq(repr.value({ "q" }), '{"q"}', "and quoted inside a table")
end)

T.test("repr: long tables are cut to the width with a count of what was cut", function()
  local losses = {}
  for i = 1, 1000 do losses[i] = 1 / i end
  local s = repr.value(losses, { width = 80 })
  T.ok(not s:find("table: 0x"), "no address")
  T.ok(max_width(s) <= 80, "fits 80 columns: " .. s)
  T.ok(s:find("… %d+ more}$"), "says how many were cut: " .. s)
  local n = tonumber(s:match("… (%d+) more}$"))
  local shown = select(2, s:gsub(", ", ""))
  T.eq(shown + n, 1000, "shown + cut = all")
  local nested = { loss = losses, accuracy = losses, lr = 0.01 }
  s = repr.value(nested, { width = 80 })
  T.ok(max_width(s) <= 80, "nested fits 80 columns")
  T.ok(s:find("^{\n  accuracy = {1.0, 0.5"), "one entry a line: " .. s)
  T.ok(s:find("loss = {1.0, 0.5, 0.333333, [^\n]*… %d+ more},"), "inner lists cut with counts: " .. s)
  local many = {}
  for i = 1, 100 do many["k" .. i] = { i, i } end
  s = repr.value(many, { width = 80, lines = 10 })
  T.ok(s:find("… 90 more"), "at most `lines` entries: " .. s)
end)

T.test("repr: objects keep their __tostring; tensors inside tables are short", function()
  local x = tensor{ 1, 2, 3 }
  T.eq(repr.value(x), tostring(x))
  local m = nn.Linear(2, 3)
  T.eq(repr.value(m), tostring(m))
  T.eq(repr.value({ w = x, s = tensor(2) }), "{s = tensor(2.0), w = tensor(shape [3])}")
end)

T.test("repr: evaluate() and watch():last() print as literals", function()
  manual_seed(0)
  local m = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 2))
  local xs, ys = randn(16, 2), tensor{ 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2 }
  local _, ev = capture(evaluate, m, { xs, ys })
  local s = repr.value(ev, { width = 80 })
  T.ok(not s:find("table: 0x"), s)
  T.ok(s:find("accuracy = ") and s:find("confusion = {{"), s)
  local w = watch(m)
  nn.CrossEntropyLoss()(m(xs), ys):backward()
  s = repr.value(w:last(), { width = 80 })
  T.ok(s:find('^{%["%[1%]%.weight"%] = [%d.e-]+, %["%[3%]%.weight"%] = [%d.e-]+}$'), s)
  w:remove()
end)

T.test("repr: a history is a summary with a plot hint", function()
  manual_seed(0)
  local m = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
  local d = data.moons{ n = 64 }
  local _, h = capture(fit, m, data.loader(d, { batch = 16 }), { epochs = 3, quiet = true })
  local s = repr.value(h)
  T.ok(s:find("^history: 3 epochs\n"), s)
  T.ok(s:find("loss +[%d.]+ → [%d.]+"), s)
  T.ok(s:find("accuracy +[%d.]+%% → [%d.]+%%"), s)
  T.ok(s:find("plot"), "a plot hint")
  T.eq(tostring(h), s, "print(h) shows the same")
  local out = capture(function() return h:plot({ width = 40, height = 5 }) end)
  T.ok(out:find("loss"), "h:plot() draws the curves")
  T.ok(repr.value({ h = h }):find("<history: 3 epochs>"), "inside a table, one word")
end)

T.test("repr: functions by their help; help itself shows the help text", function()
  local s = repr.value(linspace)
  T.ok(s:find("^linspace%(a, b, n%)\n"), s)
  local hs = repr.value(help)
  T.ok(hs:find("help%(x%)") and hs:find("Topics"), hs:sub(1, 200))
  T.ok(not hs:find("function: 0x"), "not an address")
  T.ok(repr.value(function() end):find("^function %("), "other functions say where they come from")
end)

-- ---- 2. nothing prints twice --------------------------------------------------------------------

T.test("display: inspect, graph and plots show once through nabla.display", function()
  manual_seed(0)
  local m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
  local shown = {}
  local saved = rawget(nabla, "display")
  nabla.display = function(obj) shown[#shown + 1] = obj end
  display.begin()
  local r1 = inspect(m)
  local x = randn(4, 2)
  local loss = m(x):pow(2):mean()
  local r2 = graph(loss)
  local r3 = plot.line({ 1, 2, 3 }, { width = 30, height = 4 })
  nabla.display = saved
  T.eq(#shown, 3, "three things shown")
  T.eq(shown[1].kind, "inspect"); T.eq(shown[2].kind, "graph"); T.eq(shown[3].kind, "plot")
  T.eq(tostring(shown[1]), r1, "the text shown is the text returned")
  -- the shell's echo of the line's results skips what the line showed
  T.eq(repr.results(r1), nil, "inspect(m) at the prompt: not echoed again")
  T.eq(repr.results(r2, r3), nil, "graph, plot: not echoed again")
  T.eq(repr.results(r1, 5), "5", "other values still print")
  display.begin()
  T.eq(repr.results(r1), r1, "the next line may print the string it kept")
end)

-- ---- 3. text fits the terminal -----------------------------------------------------------------

T.test("term: display width counts Hangul as two columns", function()
  T.eq(term.width("abc"), 3)
  T.eq(term.width("경사 하강법"), 11)
  T.eq(term.width("\27[31m✗ 아직\27[0m"), 6, "colours take no columns")
  T.eq(term.width("e\u{301}"), 1, "a combining accent takes none")
end)

T.test("term: wrap breaks between words and fits the width", function()
  local text = "A 2-layer network: Z1 = X·W1 + b1, A1 = tanh(Z1), Z2 = A1·W2 + b2, and the loss "
    .. "L = mean((Z2 − Y)²). We will compute every gradient ourselves, then ask autograd."
  local w = term.wrap(text, 80)
  T.ok(max_width(w) <= 80)
  T.ok(w:find("\nautograd%.$") or w:find(" autograd%.$"), "autograd is not split: " .. w)
  for _, l in ipairs(lines_of(w)) do T.ok(not l:find("^%s*$"), "no empty line") end
  -- every word survives whole
  local words = {}
  for word in text:gmatch("%S+") do words[#words + 1] = word end
  local back = {}
  for word in w:gmatch("%S+") do back[#back + 1] = word end
  T.eq(table.concat(back, " "), table.concat(words, " "), "the same words in the same order")
  local ko = "경사 하강법은 손실 함수의 기울기를 따라 조금씩 내려갑니다. 학습률이 너무 크면 발산하고, 너무 작으면 "
    .. "오래 걸립니다. 역전파는 연쇄 법칙으로 모든 경사를 한 번에 계산합니다."
  local kw = term.wrap(ko, 40)
  T.ok(max_width(kw) <= 40, kw)
  T.ok(#lines_of(kw) >= 4, "Korean wraps by display width, not by bytes or characters")
  for _, l in ipairs(lines_of(kw)) do T.ok(utf8.len(l) ~= nil, "no character cut in half") end
  local row = ("  %-30s %s"):format("linspace(a, b, n)", string.rep("evenly spaced ", 8))
  for i, l in ipairs(lines_of(term.wrap(row, 100))) do
    if i > 1 then T.eq(l:match("^( *)"), string.rep(" ", 33), "a table row's text continues under itself") end
  end
  local narrow = lines_of(term.wrap(row, 60))
  T.eq(narrow[1], "  linspace(a, b, n)", "too narrow for the text column: the label on its own line")
  for i = 2, #narrow do T.eq(narrow[i]:match("^( *)"), "      ", "the text under it, indented") end
  T.eq(term.wrap("short\n\nlines", 80), "short\n\nlines", "short lines and blank lines stay")
  local f = term.wrap("2층 신경망: Z1 = X·W1 + b1, A1 = tanh(Z1), Z2 = A1·W2 + b2, 손실은 L = mean((Z2 − Y)²)입니다.", 80)
  T.ok(f:find("mean%(%(Z2 − Y%)²%)"), "a short bracketed formula is not broken: " .. f)
end)

T.test("term: piped output is 80 columns", function()
  if not nabla.isatty(1) then T.eq(term.columns(), 80) end
end)

T.test("lessons wrap at the width (English and Korean)", function()
  local lesson = require "nabla.lesson"
  for _, lang in ipairs({ "en", "ko" }) do
    nabla.lang = lang
    for _, l in ipairs(lesson.all()) do
      for k = 1, #l.steps do
        local s = l.steps[k]
        local text = lesson.tr(s.text)
        local w = term.wrap(text, 80)
        T.ok(max_width(w) <= 80 or w:find("%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S%S"),
          ("%s step %d (%s) fits 80 columns"):format(l.id, k, lang))
      end
    end
  end
  nabla.lang = "en"
  local out = capture(lesson.lesson, "backprop")
  T.ok(max_width(out) <= 80, "lesson \"backprop\" fits 80 columns")
  T.ok(not out:find("autogra\n") and not out:find("hidd\n"), "no word broken")
end)

-- ---- 4. help(x) on any value a learner holds -----------------------------------------------

T.test("help(x) works on any value: a method taken as a value, a model, a history, a table", function()
  local help = require "nabla.help"
  local big = randn(3, 3)
  T.ok(help.text(big.mm):find("^x:mm%(y%)"), "help(big.mm) is the tensor method's help")
  T.ok(help.text(nn.Sequential(nn.Linear(2, 2))):find("nn.Sequential"), "help(model) is its class's help")
  local h = require("nabla.train").history({ epoch = { 1, 2 }, loss = { 0.5, 0.3 } })
  local t = help.text(h)
  T.ok(t:find("^history: 2 epochs") and t:find("h:plot%(%)"), "help(history): " .. t)
  T.ok(help.text({ 1, 2, 3 }):find("a list of 3 values"))
  T.ok(help.text({ a = 1 }):find("a table with 1 field: a"))
  T.ok(help.text(2.5):find("a number"))
  T.ok(help.text("lnspace"):find("did you mean 'linspace'%?"), "a misspelt topic gets did-you-mean")
  for _, v in ipairs({ big.mm, h, { 1 }, 2.5, "lnspace", true, function() end }) do
    T.ok(not help.text(v):find("no help for function") and not help.text(v):find("0x"), "no refusal, no address")
  end
end)

-- ---- 5. forgiving errors -----------------------------------------------------------------------

local function err_of(fn, ...)
  local ok, e = pcall(fn, ...)
  T.ok(not ok, "should fail")
  return (shell.error_text(tostring(e)):gsub("\n", " "))
end

T.test("did you mean: globals, fields, methods, lesson ids, options", function()
  T.eq(suggest.closest("lineSpace", { "linspace", "lessons", "load" }), "linspace")
  T.eq(suggest.closest("gradient_descent", { "gradient-descent", "backprop" }), "gradient-descent")
  T.eq(suggest.closest("zzzz", { "linspace", "sum" }), nil, "nothing close: no suggestion")
  T.ok(err_of(load("lineSpace(0, 1, 5)", "=stdin")):find("did you mean 'linspace'%?"))
  T.ok(err_of(load("return nn.linear(2, 3)", "=stdin")):find("did you mean 'Linear'%?"))
  T.ok(err_of(load("local a = tensor{1, 2}; return a:summ()", "=stdin")):find("did you mean 'sum'%?"))
  T.ok(err_of(load("local m = nn.Linear(1, 1); return m:forwrd(1)", "=stdin")):find("did you mean 'forward'%?"))
  local e = err_of(lesson, "gradient_descent")
  T.ok(e:find("did you mean 'gradient%-descent'%?"), e)
  e = err_of(fit, nn.Linear(2, 2), { randn(4, 2), tensor{ 1, 2, 1, 2 } }, { epoch = 3 })
  T.ok(e:find("unknown option 'epoch' %(did you mean 'epochs'%?%)"), e)
  e = err_of(optim.SGD, nn.Linear(1, 1):parameters(), { lrr = 0.1 })
  T.ok(e:find("did you mean 'lr'%?"), e)
  e = err_of(nn.Conv2d, 1, 2, 3, { strde = 2 })
  T.ok(e:find("^nn%.Conv2d: unknown option 'strde' %(did you mean 'stride'%?%)"), "no internal location: " .. e)
  e = err_of(optim.lr_scheduler.StepLR, optim.SGD(nn.Linear(1, 1):parameters(), { lr = 1 }), { step_sz = 2 })
  T.ok(e:find("did you mean 'step_size'%?"), e)
  e = err_of(require("nabla.run").parse, { "--lerning_rate", "0.1" }, { learning_rate = 0.01 })
  T.ok(e:find("did you mean 'learning_rate'%?"), e)
end)

T.test("errors a learner causes name the call, not internal files", function()
  local out = capture(lesson)
  T.ok(out:find("gradient%-descent") and out:find('lesson "id"'), "lesson() lists the lessons")
  local e = err_of(lesson, "foo")
  T.ok(e:find("no lesson 'foo'") and not e:find("/"), e)
  e = err_of(fit)
  T.ok(e:find("^fit: ") and e:find("fit%(model, loader") and not e:find("%.lua"), e)
  e = err_of(watch, 5)
  T.ok(e:find("^watch: ") and not e:find("%.lua"), e)
  e = shell.error_text("/home/u/nabla/lua/nabla/train.lua:124: attempt to index a nil value")
  T.eq(e, "nabla/train.lua:124: attempt to index a nil value", "an internal path is shortened")
  T.eq(shell.error_text("stdin:1: boom", "-e"), "-e:1: boom", "-e errors name -e")
end)

-- ---- 6. indices a learner can type back ------------------------------------------------------

T.test("printed models and inspect use m[1]; state_dict keeps PyTorch's keys", function()
  local m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 1)))
  local s = tostring(m)
  T.ok(s:find("\n  %[1%]: Linear") and s:find("\n    %[1%]: Linear"), s)
  T.ok(not s:find("%(0%)"), "no 0-based position")
  T.ok(m[1] ~= nil and m[0] == nil, "m[1] is the first layer")
  local text = inspect(m, { print = false })
  T.ok(text:find("\n%[1%]%.weight ") and text:find("\n%[3%]%[1%]%.bias "), text)
  T.eq(nn.Module.lua_name("layer1.0.conv1.weight"), "layer1[1].conv1.weight")
  T.ok(m:state_dict()["0.weight"] ~= nil, "state_dict: PyTorch's keys, as in checkpoint files")
  local h = require("nabla.help").text(m.state_dict)
  T.ok(h:find("PyTorch") and h:find("model%[1%]%.weight"), "state_dict's help says so: " .. h)
end)

-- ---- 7. Ctrl-C keeps the work ----------------------------------------------------------------

T.test("fit: an interruption returns the history so far", function()
  manual_seed(0)
  local m = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
  local d = data.moons{ n = 64 }
  local epoch = 0
  local loader = { iter = function()
    epoch = epoch + 1
    local it = data.loader(d, { batch = 16 }):iter()
    local i = 0
    return function()
      i = i + 1
      if epoch == 3 and i == 2 then error("stdin:1: interrupted!") end
      return it()
    end
  end }
  local out, h = capture(fit, m, loader, { epochs = 5 })
  T.ok(h ~= nil, "fit returned")
  T.eq(#h.loss, 2, "the two finished epochs")
  T.eq(h.interrupted, true)
  T.ok(out:find("\nfit: interrupted %(Ctrl%-C%) in epoch 3 after 1 batch;"), "said on its own line: " .. out)
  T.ok(select(2, pcall(fit, m, { iter = function() return function() error("boom") end end }, { epochs = 1, quiet = true })):find("boom"),
    "other errors still raise")
  -- Ctrl-C while an event listener runs (a live redraw, the dashboard) still stops fit
  local events = require "nabla.events"
  local n = 0
  local listener = events.on("train_step", function()
    n = n + 1
    if n == 1 then error("stdin:1: interrupted!") end
  end)
  local out2, h2 = capture(fit, m, data.loader(d, { batch = 4 }), { epochs = 50 })
  events.off("train_step", listener)
  T.eq(h2.interrupted, true, "the interruption inside a listener reached fit: " .. out2)
  T.ok(#h2.loss < 50, "and training stopped")
end)

-- ---- 8. lessons that resume; readable lesson plots -------------------------------------------

T.test("a resumed lesson replays its earlier steps, so step 4 works after a restart", function()
  local lesson = require "nabla.lesson"
  local state = os.tmpname()
  os.remove(state)
  os.execute("mkdir -p '" .. state .. "/nabla'")
  local f = assert(io.open(state .. "/nabla/progress.lua", "w"))
  f:write('return { ["gradient-descent"] = { step = 4, done = { true, true, true } } }\n')
  f:close()
  local real_getenv = os.getenv
  os.getenv = function(k) if k == "XDG_STATE_HOME" then return state end return real_getenv(k) end
  _G.mse, _G.grad_w, _G.grad_b, _G.x, _G.y = nil, nil, nil, nil, nil
  local ok, out = pcall(capture, lesson.lesson, "gradient-descent")
  os.getenv = real_getenv
  T.ok(ok, tostring(out))
  T.ok(out:find("Resuming at step 4") and out:find("steps 1–3"), "says it replays: " .. out)
  T.ok(out:find("step 4/8"), "then shows step 4")
  T.ok(type(_G.mse) == "function" and type(_G.grad_w) == "function" and nabla.is_tensor(_G.x),
    "what steps 1-3 made is back")
  -- step 4's reference solution now works and passes its check
  local step = lesson.current().lesson.steps[4]
  local chunk = load(step.solution or step.code, "=step4", "t", _G)
  capture(chunk)
  T.ok((lesson.run_check(step, _G)), "step 4 passes without retyping steps 1-3")
  out = capture(catchup)
  T.ok(out:find("steps 1–3"), "catchup() replays again on request")
end)

T.test("lesson text is reflowed: no orphan words when the author's lines are longer than the terminal", function()
  local text = "η (eta) is the learning rate. Start from w = 0, b = 0 with η = 0.5, take 500 steps,\n"
    .. "and keep the loss of each step in a table called losses.\n    w ← w − η·∂L/∂w\nNext sentence."
  local r = term.wrap(term.reflow(text), 80)
  T.eq(r, "η (eta) is the learning rate. Start from w = 0, b = 0 with η = 0.5, take 500\n"
    .. "steps, and keep the loss of each step in a table called losses.\n    w ← w − η·∂L/∂w\nNext sentence.")
end)

T.test("a diverging series next to converging ones: the plot goes log scale and says so", function()
  local slow, fast, good = {}, {}, {}
  local v = 1.0
  for i = 1, 50 do v = v * 6; fast[i] = v; slow[i] = 1 / (1 + 0.05 * i) end
  for i = 1, 200 do good[i] = 1 / i end
  local s = plot.lines({ slow = slow, good = good, fast = fast }, { width = 70, height = 10, print = false })
  T.ok(s:find("log y axis"), "a note says the y axis is logarithmic")
  T.ok(s:find("1e%+?30") or s:find("1e%+?20"), "decade ticks: " .. s)
  T.ok(s:find("o") and s:find("%+"), "the converging series are visible")
  local lin = plot.lines({ fast = fast }, { logy = false, width = 70, height = 10, print = false })
  T.ok(not lin:find("log y axis"), "logy = false keeps it linear")
  local text = require("nabla.lesson").tr(require("nabla.lesson").load("gradient-descent").steps[5].text)
  T.ok(text:find("log scale"), "lesson 1 step 5 says the plot uses a log scale")
  T.ok(text:find("xlim = {1, 50}", 1, true), "and compares the series over the steps they share")
  -- the plot the step tells the learner to draw, on the step's own reference numbers
  local lg = {}
  for i = 1, 500 do lg[i] = 1 / i end
  local shown = plot.lines({ slow = slow, good = lg, fast = fast }, { xlim = { 1, 50 }, width = 80, height = 10, print = false })
  T.ok(shown:find("\n +50\n") or shown:find(" 50\n"), "the x axis ends at 50: " .. shown)
end)

-- ---- 9. live curves, per-step history, empty plots ---------------------------------------------

T.test("fit{live = true}: per-step history and the curves (once, when not a terminal)", function()
  manual_seed(0)
  local m = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
  local d = data.moons{ n = 64 }
  local out, h = capture(fit, { m, data.loader(d, { batch = 8 }), epochs = 2, live = true })
  T.eq(#h.steps.loss, 16, "a loss for every step")
  T.eq(#h.steps.accuracy, 16, "an accuracy for every step")
  T.ok(out:find("loss and accuracy at every step"), "the curves are drawn: " .. out)
  local events = require "nabla.events"
  T.ok(not events.listening("train_step") and not events.listening("epoch"),
    "live curves listen to fit's events only while fit runs")
  T.eq(#h.loss, 2)
end)

T.test("watch(model):plot() adds a per-layer bar view (vanishing gradients at a glance)", function()
  manual_seed(0)
  local layers = {}
  for _ = 1, 6 do layers[#layers + 1] = nn.Linear(16, 16); layers[#layers + 1] = nn.Sigmoid() end
  local m = nn.Sequential(table.unpack(layers))
  local w = watch(m)
  for _ = 1, 3 do m:zero_grad(); m(randn(8, 16)):pow(2):mean():backward() end
  local bars = w:bars({ print = false, width = 80 })
  local lens = {}
  for _, bar in bars:gmatch("\n(%[%d+%]%.weight)%s+(%S+)") do lens[#lens + 1] = utf8.len(bar) end
  T.eq(#lens, 6, "one bar a layer: " .. bars)
  for i = 2, #lens do T.ok(lens[i] >= lens[i - 1], "sigmoid layers: the bars shrink towards the input") end
  T.ok(lens[1] < lens[6], "the first layer's gradient is the smallest")
  T.ok(bars:find("times the smallest"), "the ratio is said")
  T.ok(max_width(bars) <= 80, "fits 80 columns")
  local out = capture(function() return w:plot({ width = 80, height = 6 }) end)
  T.ok(out:find("log10") and out:find("by layer"), "w:plot() shows the lines, then the bars")
  local shown = {}
  local saved = rawget(nabla, "display")
  nabla.display = function(obj) shown[#shown + 1] = obj end
  display.begin()
  local text = w:plot({ width = 80, height = 6 })
  nabla.display = saved
  T.eq(#shown, 1, "one display for both views")
  T.eq(repr.results(text), nil, "and the prompt does not echo it again")
  w:remove()
end)

T.test("plot.line{} with no data says so", function()
  local s = plot.line({}, { width = 40, height = 5, print = false })
  T.ok(s:find("no data"), s)
  T.ok(select(2, s:gsub("\n", "")) <= 2, "no empty frame: " .. s)
end)

T.done()

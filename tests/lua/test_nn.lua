-- nn modules against PyTorch (tests/golden/nn.lua, from tests/golden/gen_nn.py): each case
-- builds the nabla module, loads PyTorch's state_dict into it (so the key names must be
-- PyTorch's, in PyTorch's order), runs forward and backward with PyTorch's inputs and
-- upstream gradients, and compares outputs (rtol 1e-4), input and parameter gradients
-- (rtol 1e-3) and buffers after the call (running statistics). Then: the Module API,
-- load_state_dict errors, printing, init statistics, dropout, Jacobian checks.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local nn = nabla.nn

-- ---- golden cases ---------------------------------------------------------------------------

local run_case = dofile(T.dir .. "/lua/nn_golden.lua")(T)
local G = T.golden("nn")
local names = {}
for k in pairs(G) do names[#names + 1] = k end
table.sort(names)
for _, name in ipairs(names) do
  T.test("golden " .. name, function() run_case(name, G[name]) end)
end

-- ---- the Module API ------------------------------------------------------------------------------

T.test("named_parameters, children, modules: PyTorch's dotted names", function()
  local m = nn.Sequential{ nn.Linear(4, 3), nn.ReLU(), nn.Sequential{ nn.Linear(3, 2), nn.BatchNorm1d(2) } }
  local names = {}
  for name, p in m:named_parameters() do names[#names + 1] = name .. tostring(p.shape) end
  T.eq(table.concat(names, " "), "0.weight[3,4] 0.bias[3] 2.0.weight[2,3] 2.0.bias[2] 2.1.weight[2] 2.1.bias[2]")
  T.eq(#m:parameters(), 6)
  T.eq(#m:children(), 3)
  T.eq(#m:modules(), 6)                 -- itself, 3 children, 2 grandchildren
  local mods = {}
  for name in m:named_modules() do mods[#mods + 1] = "<" .. name .. ">" end
  T.eq(table.concat(mods), "<><0><1><2><2.0><2.1>")
  local bufs = {}
  for name in m:named_buffers() do bufs[#bufs + 1] = name end
  T.eq(table.concat(bufs, " "), "2.1.running_mean 2.1.running_var 2.1.num_batches_tracked")
  T.eq(m:num_parameters(), 12 + 3 + 6 + 2 + 2 + 2)
  T.ok(m[1].weight.needs_grad and m[1].weight.is_leaf, "parameters are leaves that require grad")
  T.eq(#m, 3)
  T.eq(m[-1], m[3])
  T.eq(m[3][2].__name, "BatchNorm1d")
end)

T.test("a user-defined module registers its fields", function()
  local Net = nn.Module:extend("Net")
  function Net:__init(h)
    self.fc1 = nn.Linear(4, h)
    self.scale = nabla.ones(h):requires_grad()         -- a parameter
    self.const = nabla.ones(2)                         -- a plain field, not saved
    self:register_buffer("steps", nabla.zeros(1))
    self.blocks = nn.ModuleList{ nn.Linear(h, h), nn.Linear(h, h) }
    self.fc2 = nn.Linear(h, 2)
  end
  function Net:forward(x)
    x = self.fc1(x):relu() * self.scale
    for _, b in ipairs(self.blocks) do x = b(x):tanh() end
    return self.fc2(x)
  end
  local net = Net(5)
  local keys = {}
  for k in pairs(net:state_dict()) do keys[#keys + 1] = k end
  -- as PyTorch: the module's own parameters and buffers first, then its children's
  T.eq(table.concat(keys, " "), "scale steps fc1.weight fc1.bias blocks.0.weight blocks.0.bias "
    .. "blocks.1.weight blocks.1.bias fc2.weight fc2.bias")
  local y = net(nabla.randn(3, 4))
  T.eq(tostring(y.shape), "[3,2]")
  y:sum():backward()
  for name, p in net:named_parameters() do T.ok(p.grad ~= nil, name .. " has a gradient") end
  net:zero_grad()
  for name, p in net:named_parameters() do T.ok(p.grad == nil, name .. " gradient dropped") end
  T.raises(function() nn.ModuleList{ nn.Linear(1, 1) }(nabla.ones(1)) end, "ModuleList has no forward")
  local calls = 0
  local h = net.fc1:register_forward_hook(function(mod, input, output) calls = calls + 1 end)
  net(nabla.randn(1, 4)); h.remove(); net(nabla.randn(1, 4))
  T.eq(calls, 1, "forward hook ran once, then was removed")
end)

T.test("train / eval are recursive; requires_grad_ freezes; apply visits every module", function()
  local m = nn.Sequential{ nn.Linear(2, 2), nn.Sequential{ nn.Dropout(0.5), nn.BatchNorm1d(2) } }
  T.eq(m.training, true)
  T.eq(m:eval(), m)
  T.eq(m[2][1].training, false)
  T.eq(m[2][2].training, false)
  m:train()
  T.eq(m[2][2].training, true)
  m:requires_grad_(false)
  for _, p in ipairs(m:parameters()) do T.eq(p.needs_grad, false) end
  m:requires_grad_(true)
  local seen = {}
  m:apply(function(mod) seen[#seen + 1] = mod.__name end)
  T.eq(table.concat(seen, " "), "Linear Dropout BatchNorm1d Sequential Sequential")
  m:apply(function(mod) if mod.__name == "Linear" then nn.init.zeros_(mod.weight) end end)
  T.eq(m[1].weight:abs():sum():item(), 0)
end)

T.test("state_dict shares storage; load_state_dict copies, checks keys and shapes", function()
  local a = nn.Sequential{ nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2) }
  local b = nn.Sequential{ nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2) }
  a(nabla.randn(5, 3))                                  -- moves a's running statistics
  local r = b:load_state_dict(a:state_dict())
  T.eq(#r.missing_keys + #r.unexpected_keys, 0)
  T.near(b[1].weight, a[1].weight, 0, 0)
  T.near(b[2].running_var, a[2].running_var, 0, 0)
  T.eq(b[2].num_batches_tracked:item(), 1)
  T.ok(b[1].weight.needs_grad and b[1].weight.is_leaf, "still a trainable leaf after loading")
  nabla.no_grad(function() a[1].weight:fill_(7) end)
  T.ok(b[1].weight:max():item() ~= 7, "a copy, not shared")
  T.eq(a:state_dict()["0.weight"]:max():item(), 7, "state_dict views the live weights")

  local c = nn.Sequential{ nn.Linear(3, 5), nn.BatchNorm1d(5), nn.Linear(5, 2) }
  T.raises(function() c:load_state_dict(a:state_dict()) end,
    "size mismatch for '0.weight'", "[4,3]", "[5,3]")
  local sd = a:state_dict()
  sd["0.bias"] = nil
  sd["extra.weight"] = nabla.zeros(1)
  T.raises(function() b:load_state_dict(sd) end, "missing keys: 0.bias", "unexpected keys: extra.weight", "strict = false")
  local res = b:load_state_dict(sd, { strict = false })
  T.eq(table.concat(res.missing_keys, ","), "0.bias")
  T.eq(table.concat(res.unexpected_keys, ","), "extra.weight")
  T.raises(function() b:load_state_dict({ ["0.weight"] = "x" }, { strict = false }) end, "'0.weight' is a string")
  T.raises(function() b:load_state_dict(42) end, "expected a state dict")
end)

T.test("printing: PyTorch's layout plus the parameter count", function()
  local m = nn.Sequential{ nn.Conv2d(1, 8, 3, { padding = 1 }), nn.BatchNorm2d(8), nn.ReLU(),
                           nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.25), nn.Linear(8 * 14 * 14, 10) }
  local lang = nabla.lang
  nabla.lang = "en"
  local s = tostring(m)
  nabla.lang = lang
  T.eq(s, [[
Sequential(
  [1]: Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  [2]: BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true)
  [3]: ReLU()
  [4]: MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=false)
  [5]: Flatten(start_dim=2, end_dim=-1)
  [6]: Dropout(p=0.25)
  [7]: Linear(in_features=1568, out_features=10, bias=true)
)
15,786 parameters]])
  T.eq(m:num_parameters(), 80 + 16 + 15690)
  T.eq(tostring(nn.LSTM(3, 4, { num_layers = 2, batch_first = true })):match("^[^\n]*"),
    "LSTM(3, 4, num_layers=2, batch_first=true)")
  T.eq(tostring(nn.ReLU()), "ReLU()")
  T.eq(tostring(nn.Linear), "nn.Linear")
end)

T.test("constructor errors name the layer and the setting", function()
  T.raises(function() nn.Linear(3) end, "nn.Linear", "out_features is required")
  T.raises(function() nn.Linear(3, 0) end, "out_features must be a positive integer")
  T.raises(function() nn.Conv2d(3, 4, 3, { strid = 2 }) end, "unknown option 'strid'", "stride")
  T.raises(function() nn.Conv2d(3, 4, 3, { groups = 2 }) end, "divisible by groups")
  T.raises(function() nn.Sequential{ nn.ReLU(), 3 } end, "item 2 is not a module")
  T.raises(function() nn.Sequential{ relu = nn.ReLU() } end, "keys have no order")
  T.raises(function() nn.LSTM(3, 4, { nonlinearity = "relu" }) end, "unknown option 'nonlinearity'")
  T.raises(function() nn.MSELoss{ reduction = "avg" } end, "reduction must be")
  T.raises(function() nn.BatchNorm2d(3)(nabla.randn(2, 3)) end, "BatchNorm2d", "4-d", "[2,3]")
  T.raises(function() nn.Linear(3, 2)(nabla.randn(4, 5)) end, "[4,5]")
  T.raises(function() nn.Module:extend("Empty")()(1) end, "forward is not defined")
end)

T.test("Sequential with named children, append, assignment by position", function()
  local m = nn.Sequential{ { "fc", nn.Linear(2, 3) }, { "act", nn.Tanh() } }
  T.eq(m.fc, m[1])
  m:append(nn.Linear(3, 1))
  local keys = {}
  for k in pairs(m:state_dict()) do keys[#keys + 1] = k end
  T.eq(table.concat(keys, " "), "fc.weight fc.bias 2.weight 2.bias")
  m[2] = nn.ReLU()
  T.eq(m.act.__name, "ReLU")
  T.eq(tostring(m(nabla.ones(4, 2)).shape), "[4,1]")
  local v = nn.Sequential(nn.Linear(2, 2), nn.ReLU())          -- without braces
  T.eq(#v, 2)
end)

T.test("nn.CrossEntropy (DESIGN.md) equals CrossEntropyLoss and the functional", function()
  local z, y = nabla.randn(5, 4), nabla.tensor{ 1, 4, 2, 2, 3 }
  local a = nn.CrossEntropy{ label_smoothing = 0.1 }(z, y)
  local b = nn.CrossEntropyLoss{ label_smoothing = 0.1 }(z, y)
  T.near(a, b, 0, 0)
  T.near(a, nabla.cross_entropy(z, y, { label_smoothing = 0.1 }), 1e-6)
  local w = nn.CrossEntropyLoss{ weight = { 1, 2, 3, 4 } }
  T.eq(tostring(w:state_dict().weight.shape), "[4]", "a class weight is a buffer, as in PyTorch")
  T.near(nn.CrossEntropyLoss{ reduction = "none" }(z, { 1, 4, 2, 2, 3 }), nabla.cross_entropy(z, y, { reduction = "none" }), 1e-6)
end)

-- ---- init ------------------------------------------------------------------------------------

local function stats(t)
  local v = T.flat(t)
  local s, s2, lo, hi = 0, 0, math.huge, -math.huge
  for _, x in ipairs(v) do s = s + x; s2 = s2 + x * x; lo = math.min(lo, x); hi = math.max(hi, x) end
  local mean = s / #v
  return mean, math.sqrt(s2 / #v - mean * mean), lo, hi
end

T.test("default init: PyTorch's bounds (kaiming_uniform_ a=√5 → U(±1/√fan_in))", function()
  nabla.manual_seed(1)
  local l = nn.Linear(400, 300)
  local b = 1 / math.sqrt(400)
  local mean, std, lo, hi = stats(l.weight)
  T.ok(lo >= -b and hi <= b, "Linear weight within ±1/√in")
  T.ok(lo < -0.95 * b and hi > 0.95 * b, "and fills the range")
  T.near(std, b / math.sqrt(3), 0.02, 0, "std of U(−b, b) is b/√3")
  T.ok(math.abs(mean) < 0.01 * b * 10, "mean near 0")
  local _, _, blo, bhi = stats(l.bias)
  T.ok(blo >= -b and bhi <= b and bhi - blo > b, "bias within ±1/√in")
  local c = nn.Conv2d(8, 16, 3, { groups = 2 })                      -- fan_in = 4·3·3 = 36
  local _, _, clo, chi = stats(c.weight)
  T.ok(clo >= -1 / 6 and chi <= 1 / 6 and chi > 0.9 / 6, "Conv2d within ±1/√(C_in/groups·k·k)")
  local r = nn.LSTM(10, 25)
  for name, p in r:named_parameters() do
    local _, _, plo, phi = stats(p)
    T.ok(plo >= -0.2 and phi <= 0.2, name .. " within ±1/√hidden")
  end
  local e = nn.Embedding(1000, 20)
  local emean, estd = stats(e.weight)
  T.ok(math.abs(emean) < 0.02 and math.abs(estd - 1) < 0.02, "Embedding N(0, 1)")
  local bn = nn.BatchNorm2d(3)
  T.near(bn.weight, nabla.ones(3), 0, 0)
  T.near(bn.bias, nabla.zeros(3), 0, 0)
  local pe = nn.Embedding(5, 3, 2)
  T.near(pe.weight[2], nabla.zeros(3), 0, 0, "the padding row starts at zero")
end)

T.test("nn.init: gains, fans, xavier and kaiming statistics", function()
  T.near(nn.init.calculate_gain("relu"), math.sqrt(2), 1e-12)
  T.near(nn.init.calculate_gain("tanh"), 5 / 3, 1e-12)
  T.near(nn.init.calculate_gain("leaky_relu", 0.2), math.sqrt(2 / 1.04), 1e-12)
  T.near(nn.init.calculate_gain("sigmoid"), 1, 0)
  local fi, fo = nn.init.calculate_fan_in_and_fan_out(nabla.empty(16, 8, 3, 3))
  T.eq(fi, 72); T.eq(fo, 144)
  nabla.manual_seed(2)
  local w = nabla.empty(300, 500)
  nn.init.xavier_uniform_(w)
  local bound = math.sqrt(6 / 800)
  local _, std, lo, hi = stats(w)
  T.ok(lo >= -bound and hi <= bound and hi > 0.99 * bound, "xavier_uniform_ bound √(6/(in+out))")
  nn.init.xavier_normal_(w, 2)
  _, std = stats(w)
  T.near(std, 2 * math.sqrt(2 / 800), 0.02, 0, "xavier_normal_ std gain·√(2/(in+out))")
  nn.init.kaiming_normal_(w, { mode = "fan_out", nonlinearity = "relu" })
  _, std = stats(w)
  T.near(std, math.sqrt(2) / math.sqrt(300), 0.02, 0, "kaiming_normal_ fan_out std √2/√300")
  nn.init.kaiming_uniform_(w, { nonlinearity = "relu" })
  _, _, lo, hi = stats(w)
  bound = math.sqrt(2) * math.sqrt(3 / 500)
  T.ok(lo >= -bound and hi <= bound and hi > 0.99 * bound, "kaiming_uniform_ bound gain·√(3/fan_in)")
  nn.init.constant_(w, 0.5)
  T.eq(w:mean():item(), 0.5)
  nn.init.uniform_(w, 2, 3)
  _, _, lo, hi = stats(w)
  T.ok(lo >= 2 and hi < 3, "uniform_(2, 3)")
  T.raises(function() nn.init.xavier_uniform_(nabla.empty(5)) end, "at least 2 dimensions")
  T.raises(function() nn.init.kaiming_uniform_(w, { mode = "fan" }) end, "mode must be")
  local p = nn.Linear(3, 3).weight
  nn.init.eye_(p)
  T.ok(p.needs_grad and p.is_leaf, "init keeps a parameter a trainable leaf")
  T.near(p, nabla.eye(3), 0, 0)
end)

-- ---- dropout, and Jacobian checks -------------------------------------------------------------

T.test("Dropout: drops about p, scales by 1/(1−p), identity in eval", function()
  nabla.manual_seed(3)
  local d = nn.Dropout(0.3)
  local x = nabla.ones(100, 100)
  local y = d(x)
  local zeros = (y:eq(0)):sum():item() / 10000
  T.ok(math.abs(zeros - 0.3) < 0.02, ("fraction dropped %.3f ≈ 0.3"):format(zeros))
  T.near(y:max(), nabla.tensor(1 / 0.7), 1e-6)
  d:eval()
  T.near(d(x), x, 0, 0)
  local d2 = nn.Dropout2d(0.5)
  local y2 = d2(nabla.ones(8, 16, 3, 3))
  local per = y2:sum(4):sum(3)                                -- (8, 16): 0 or 9·2
  for _, v in ipairs(T.flat(per)) do T.ok(v == 0 or math.abs(v - 18) < 1e-4, "whole channels dropped") end
end)

T.test("Jacobian checks: layers against finite differences", function()
  nabla.manual_seed(4)
  local function check(name, m, x)
    x:requires_grad()
    local params = m:parameters()
    local inputs = { x }
    for _, p in ipairs(params) do inputs[#inputs + 1] = p end
    T.gradcheck(function(xx) return m(xx) end, inputs, { eps = 1e-2, rtol = 3e-2, atol = 3e-3 }, name)
  end
  check("Linear", nn.Linear(3, 2), nabla.randn(2, 3))
  check("Conv2d stride dilation groups", nn.Conv2d(2, 2, 3, { stride = 2, padding = 2, dilation = 2, groups = 2 }),
    nabla.randn(1, 2, 5, 5))
  check("LayerNorm", nn.LayerNorm(4), nabla.randn(2, 4))
  check("GroupNorm", nn.GroupNorm(2, 4), nabla.randn(2, 4, 2))
  local bn = nn.BatchNorm1d(3)
  check("BatchNorm1d train", bn, nabla.randn(4, 3))
  bn:eval()
  check("BatchNorm1d eval", bn, nabla.randn(4, 3))
  check("BasicBlock", nn.BasicBlock(2, 3, 2):eval(), nabla.randn(1, 2, 4, 4))
  -- a non-contiguous input
  local xt = nabla.randn(3, 2):t()
  T.ok(not xt:is_contiguous(), "a transposed input")
  check("Linear on a transposed input", nn.Linear(3, 2), xt)
end)

T.test("every public class and function has help in English and Korean", function()
  local help = require "nabla.help"
  local lang = nabla.lang
  local missing = {}
  local function check(name, obj)
    for _, l in ipairs{ "en", "ko" } do
      nabla.lang = l
      local text = help.text(obj)
      if text:find("no help for", 1, true) or text:find("도움말이 없습니다", 1, true) then missing[#missing + 1] = name .. "/" .. l end
    end
  end
  for name, v in pairs(nn) do
    if type(v) == "table" and rawget(v, "__name") or type(v) == "function" then check("nn." .. name, v) end
  end
  for name, f in pairs(nn.init) do if type(f) == "function" and name:match("_$") then check("nn.init." .. name, f) end end
  check("nn.utils.clip_grad_norm_", nn.utils.clip_grad_norm_)
  check("a Linear instance", nn.Linear(2, 2))
  nabla.lang = "ko"
  local ko = help.text(nn.Linear)
  nabla.lang = lang
  T.ok(ko:find("완전 연결층", 1, true), ko)
  table.sort(missing)
  T.eq(table.concat(missing, " "), "", "names without help")
end)

T.test("help(nn), help(optim), help(plot) list what the module holds", function()
  local help = require "nabla.help"
  local text = help.text(nn)
  for _, name in ipairs{ "nn.Linear(", "nn.Conv2d(", "nn.LSTM(", "nn.CrossEntropyLoss", "nn.BatchNorm2d(" } do
    T.ok(text:find(name, 1, true), "help(nn) lacks " .. name .. ":\n" .. text)
  end
  local _, count = text:gsub("nn%.CrossEntropyLoss{", "")
  T.eq(count, 1, "each layer listed once")
  T.ok(help.text(nabla.optim):find("optim.Adam", 1, true), "help(optim) lists Adam")
  T.ok(help.text("plot"):find("plot.contour", 1, true), "help('plot') lists plot.contour")
  -- a class's own help is its line, not its inherited methods
  T.ok(not help.text(nn.Linear):find("extend", 1, true), help.text(nn.Linear))
end)

T.test("an MLP learns two blobs with CrossEntropyLoss and Adam", function()
  nabla.manual_seed(9)
  local n = 64
  local x = nabla.randn(n, 2)
  local y = nabla.ones(n)
  nabla.no_grad(function()
    x:narrow(1, 1, n // 2):add_(nabla.tensor{ 2, 2 })
    y:narrow(1, 1, n // 2):fill_(2)
  end)
  local model = nn.Sequential{ nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2) }
  local opt = nabla.optim.Adam(model:parameters(), { lr = 0.05 })
  local loss_fn, first, last = nn.CrossEntropyLoss(), nil, nil
  for _ = 1, 100 do
    local loss = loss_fn(model(x), y)
    opt:zero_grad(); loss:backward(); opt:step()
    first = first or loss:item()
    last = loss:item()
  end
  local acc = model(x):argmax(2):eq(y):sum():item() / n
  T.ok(last < first / 3, ("loss %.3f -> %.3f"):format(first, last))
  T.ok(acc > 0.9, ("accuracy %.2f"):format(acc))
end)

T.done()

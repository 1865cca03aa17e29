-- nabla's Lua library. The C engine (tensors, ops, autograd) is the table passed in; this
-- file adds what is better written in Lua, and loads the larger parts (nn, optim, data,
-- plot, lessons...) only when first used, so that the shell starts in a few milliseconds.
local nabla = ...

-- Submodules, loaded on first use: nabla.nn, nabla.optim, ...
local modules = {
  nn = "nabla.nn", optim = "nabla.optim", data = "nabla.data", aug = "nabla.aug",
  plot = "nabla.plot", lessons_lib = "nabla.lesson", inspect_lib = "nabla.inspect",
  train = "nabla.train", help_lib = "nabla.help", checkpoint = "nabla.checkpoint",
  events = "nabla.events", lines = "nabla.lines", paths = "nabla.paths",
}
-- Functions that live in a submodule: name = { module, field }.
local functions = {
  help = { "nabla.help", "help" },
  lessons = { "nabla.lesson", "lessons" }, lesson = { "nabla.lesson", "lesson" },
  next = { "nabla.lesson", "next" }, back = { "nabla.lesson", "back" },
  hint = { "nabla.lesson", "hint" }, check = { "nabla.lesson", "check" },
  quiz = { "nabla.lesson", "quiz" }, answer = { "nabla.lesson", "answer" },
  catchup = { "nabla.lesson", "catchup" },
  inspect = { "nabla.inspect", "inspect" }, graph = { "nabla.inspect", "graph" },
  watch = { "nabla.inspect", "watch" },
  fit = { "nabla.train", "fit" }, evaluate = { "nabla.train", "evaluate" },
  save = { "nabla.checkpoint", "save" }, load = { "nabla.checkpoint", "load" },
  serve = { "nabla.serve", "serve" },
  repr = { "nabla.repr", "value" },
}

setmetatable(nabla, {
  __index = function(t, k)
    local m = modules[k]
    if m then
      local v = require(m)
      rawset(t, k, v)
      return v
    end
    local f = functions[k]
    if f then
      local ok, mod = pcall(require, f[1])
      if not ok then error(("nabla.%s: module %s failed to load: %s"):format(k, f[1], mod), 2) end
      local v = mod[f[2]]
      rawset(t, k, v)
      return v
    end
  end,
})

-- nabla.display(obj): the one hook through which inspect, graph, plot.* ... show things
-- (lua/nabla/display.lua). A terminal prints the text; a notebook replaces this function.
function nabla.display(obj)
  local d = require "nabla.display"
  if d.is_display(obj) then return d.print(obj) end
  return d.print(require("nabla.repr").value(obj))
end

-- loss:backward{ step = true } walks backprop node by node (lua/nabla/inspect.lua).
do
  local methods = getmetatable(nabla.zeros(1)).__methods
  local raw_backward = methods.backward
  methods.backward = function(self, opts)
    if type(opts) == "table" and opts.step then
      return require("nabla.inspect").step_backward(self, opts, raw_backward)
    end
    return raw_backward(self, opts)
  end
end

-- Functional forms that live in nn.functional (F.conv2d, F.nll_loss...) and stay out of the
-- shell's globals; the short ones lessons use (relu, softmax, linear, one_hot,
-- cross_entropy, mse_loss, avg_pool2d...) are globals too. The fused recurrent kernels are
-- nn.LSTM/nn.GRU's business (nabla.gru_cell for who wants one).
local functional_only = {
  conv2d = true, max_pool2d = true, adaptive_avg_pool2d = true, batch_norm = true,
  layer_norm = true, group_norm = true, dropout = true, embedding = true, nll_loss = true,
  l1_loss = true, smooth_l1_loss = true, huber_loss = true, binary_cross_entropy = true,
  binary_cross_entropy_with_logits = true, gaussian_nll_loss = true, ctc_loss = true,
  lstm_cell = true, gru_cell = true, lstm_seq = true, gru_seq = true,
}

-- Names a learner may type at the prompt without the `nabla.` prefix (the shell puts them
-- in _G); everything in the table, plus the lazy ones above.
function nabla.globals(G)
  G = G or _G
  for k, v in pairs(nabla) do
    -- names starting with _ are the engine's low-level helpers, not for learners
    if G[k] == nil and k ~= "globals" and not k:match("^_") and not functional_only[k] then G[k] = v end
  end
  -- next() steps a lesson; next(t, k) is still Lua's own table iterator
  local lua_next = next
  G.next = function(...)
    if select("#", ...) > 0 then return lua_next(...) end
    return nabla.next()
  end
  local mt = getmetatable(G) or {}
  local old = mt.__index
  mt.__index = function(t, k)
    if modules[k] or functions[k] then return nabla[k] end
    if type(old) == "function" then return old(t, k) end
    if type(old) == "table" then return old[k] end
  end
  setmetatable(G, mt)
  return G
end

-- Names resolvable lazily, for completion and help().
function nabla.lazy_names()
  local names = {}
  for k in pairs(modules) do names[#names + 1] = k end
  for k in pairs(functions) do names[#names + 1] = k end
  table.sort(names)
  return names
end

nabla.lang = nabla.lang or ((os.getenv("LC_ALL") or os.getenv("LANG") or ""):match("^ko") and "ko" or "en")

return nabla

-- Seeing inside: inspect(model), graph(loss), loss:backward{ step = true }, watch(model).
-- Everything here reads the engine's public Lua API (grad_fn, node inputs, hooks and the
-- backward visitor), so a learner can read how each view is made.
local nabla = require "nabla"
local doc = require "nabla.doc"
local M = {}

local function L(en, ko) return nabla.lang == "ko" and ko or en end

-- ---- numbers -------------------------------------------------------------------------

local function flat(t)
  if t:numel() == 0 then return {} end
  local l = t:reshape(-1):tolist()
  return type(l) == "number" and { l } or l
end

-- mean, std, L2 norm, min, max of a tensor's values
local function stats(t)
  local v = flat(t)
  local n, s, s2, lo, hi = #v, 0, 0, math.huge, -math.huge
  for i = 1, n do
    local x = v[i]
    s, s2 = s + x, s2 + x * x
    if x < lo then lo = x end
    if x > hi then hi = x end
  end
  local mean = n > 0 and s / n or 0
  local var = n > 1 and math.max(0, (s2 - n * mean * mean) / (n - 1)) or 0
  return { n = n, mean = mean, std = math.sqrt(var), norm = math.sqrt(s2), min = lo, max = hi, values = v }
end
M.stats = stats

local BLOCKS = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" }

-- a one-line histogram of the values (Unicode blocks), bins between min and max
local function sparkline(st, bins)
  bins = bins or 12
  if st.n == 0 then return "" end
  if st.max == st.min then return string.rep("▁", bins // 2) .. "█" .. string.rep("▁", bins - bins // 2 - 1) end
  local counts = {}
  for i = 1, bins do counts[i] = 0 end
  local w = (st.max - st.min) / bins
  for _, x in ipairs(st.values) do
    if x == x then
      local b = math.min(bins, math.floor((x - st.min) / w) + 1)
      counts[b] = counts[b] + 1
    end
  end
  local top = math.max(table.unpack(counts))
  local out = {}
  for i = 1, bins do
    out[i] = counts[i] == 0 and " " or BLOCKS[math.max(1, math.ceil(counts[i] / top * 8))]
  end
  return table.concat(out)
end
M.sparkline = sparkline

local function num(x)
  if x ~= x then return "nan" end
  if x == 0 then return "0" end
  local a = math.abs(x)
  if a >= 1e4 or a < 1e-3 then return ("%.2e"):format(x) end
  return ("%.4f"):format(x)
end

local function shape_str(t) return tostring(t.shape) end

-- width of a string in terminal columns (UTF-8 aware; our glyphs are one column wide)
local function width(s) return utf8.len(s) or #s end
local function pad(s, n) return s .. string.rep(" ", math.max(0, n - width(s))) end

-- ---- showing: text in a terminal, an HTML table where a front end shows HTML ------------

local function esc(s)
  return (tostring(s):gsub("[&<>\"]", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;" }))
end

-- rows[1] is the header; cells are strings; mono[i]: column i in a fixed-width font
local function html_table(class, rows, mono, note)
  local out = { ('<table class="%s">'):format(class), "<thead><tr>" }
  for _, h in ipairs(rows[1]) do out[#out + 1] = '<th style="text-align:left">' .. esc(h) .. "</th>" end
  out[#out + 1] = "</tr></thead><tbody>"
  for k = 2, #rows do
    out[#out + 1] = "<tr>"
    for i, c in ipairs(rows[k]) do
      out[#out + 1] = mono and mono[i] and ('<td style="text-align:left;font-family:monospace;white-space:pre">%s</td>'):format(esc(c))
        or ('<td style="text-align:left">%s</td>'):format(esc(c))
    end
    out[#out + 1] = "</tr>"
  end
  out[#out + 1] = "</tbody></table>"
  if note then out[#out + 1] = "<p>" .. esc(note) .. "</p>" end
  return table.concat(out)
end

-- through nabla.display (lua/nabla/display.lua): the text in a terminal, the HTML table
-- in a notebook
local function show(kind, text, html)
  local display = require "nabla.display"
  display.show(display.new(kind, text, { table_html = html, html = function(d) return d.table_html end }))
end

-- ---- inspect(model) --------------------------------------------------------------------

local function named_tensors(x, fname)
  if nabla.is_tensor(x) then return { { "tensor", x } } end
  if type(x) == "table" and type(x.named_parameters) == "function" then
    local list = {}
    local np = x:named_parameters()
    -- the names Lua code can use ("[1].weight" is model[1].weight), not PyTorch's "0.weight"
    local lua_name = nabla.nn.Module.lua_name
    if type(np) == "table" then
      if np[1] ~= nil then
        for _, p in ipairs(np) do list[#list + 1] = { lua_name(p[1]), p[2] } end
      else
        for k, v in pairs(np) do list[#list + 1] = { k, v } end
        table.sort(list, function(a, b) return a[1] < b[1] end)
      end
    end
    return list
  end
  if type(x) == "table" then
    local list = {}
    for k, v in pairs(x) do if nabla.is_tensor(v) then list[#list + 1] = { tostring(k), v } end end
    table.sort(list, function(a, b) return a[1] < b[1] end)
    return list
  end
  error((fname or "inspect") .. L(": expected a model, a tensor or a table of tensors, got ",
          ": 모델, 텐서 또는 텐서 테이블이 필요합니다. 받은 값: ") .. type(x), 3)
end

-- One row per parameter: shape, weight mean/std, gradient norm, ‖grad‖/‖w‖ and one-line
-- histograms of the weights and of the gradients. Returns the text (and prints it).
function M.inspect(x, opts)
  opts = opts or {}
  local rows = {}
  local head = { L("parameter", "파라미터"), L("shape", "모양"), L("mean", "평균"), L("std", "표준편차"),
                 "‖grad‖", "‖grad‖/‖w‖", L("weights", "가중치 분포"), L("gradients", "기울기 분포") }
  rows[1] = head
  -- narrower histograms on a narrow terminal, so that a row fits 80 columns
  local bins = opts.bins or (require("nabla.term").columns() < 100 and 8 or 12)
  for _, item in ipairs(named_tensors(x)) do
    local name, t = item[1], item[2]
    local ws = stats(t)
    local g = t.grad
    local gs = g and stats(g)
    rows[#rows + 1] = {
      name, shape_str(t), num(ws.mean), num(ws.std),
      gs and num(gs.norm) or "—",
      (gs and ws.norm > 0) and num(gs.norm / ws.norm) or "—",
      sparkline(ws, bins), gs and sparkline(gs, bins) or L("(no grad yet)", "(아직 기울기 없음)"),
    }
  end
  local widths = {}
  for _, r in ipairs(rows) do
    for i, c in ipairs(r) do widths[i] = math.max(widths[i] or 0, width(c)) end
  end
  local lines = {}
  for k, r in ipairs(rows) do
    local cells = {}
    for i, c in ipairs(r) do cells[i] = pad(c, widths[i]) end
    lines[#lines + 1] = table.concat(cells, "  "):gsub("%s+$", "")
    if k == 1 then
      local rule = {}
      for i = 1, #widths do rule[i] = string.rep("─", widths[i]) end
      lines[#lines + 1] = table.concat(rule, "  ")
    end
  end
  local text = table.concat(lines, "\n")
  if opts.print ~= false then show("inspect", text, html_table("nabla-inspect", rows, { [7] = true, [8] = true })) end
  return text
end
doc(M.inspect, "inspect(model)", "per parameter: shape, mean/std, gradient norm, grad/weight ratio, histograms", "파라미터별 모양, 평균/표준편차, 기울기 노름, 기울기/가중치 비율, 히스토그램", "Seeing inside")

-- ---- graph(loss) ----------------------------------------------------------------------

-- names of the tensors a learner has in global variables (and of model parameters)
local function global_names()
  local names = {}
  for k, v in pairs(_G) do
    if type(k) == "string" then
      if nabla.is_tensor(v) then names[v._id] = names[v._id] or k
      elseif type(v) == "table" and type(v.named_parameters) == "function" then
        local ok, np = pcall(v.named_parameters, v)
        if ok and type(np) == "table" then
          for a, b in pairs(np) do
            local pname, p = a, b
            if type(b) == "table" then pname, p = b[1], b[2] end
            if nabla.is_tensor(p) then
              local path = nabla.nn.Module.lua_name(pname)
              names[p._id] = names[p._id] or (k .. (path:sub(1, 1) == "[" and "" or ".") .. path)
            end
          end
        end
      end
    end
  end
  return names
end

local function summary(t)
  if not t then return "—" end
  if t:numel() == 1 then return num(t:item()) end
  if t:numel() <= 4 then
    local v = flat(t)
    for i = 1, #v do v[i] = num(v[i]) end
    return "[" .. table.concat(v, ", ") .. "]"
  end
  local s = stats(t)
  return ("mean %s, ‖·‖ %s"):format(num(s.mean), num(s.norm))
end

-- Runs backward once with a visitor to learn each node's gradient, leaving every leaf's
-- .grad as it was. Returns node id -> dL/d(output), tensor id -> dL/d(leaf).
local function capture_gradients(root, leaves)
  local saved = {}
  for id, t in pairs(leaves) do saved[id] = t.grad; t.grad = nil end
  local node_grads, leaf_grads = {}, {}
  local gradient = nabla.ones_like(root) -- L = Σ root
  local ok, err = pcall(root.backward, root, {
    gradient = gradient, retain_graph = true,
    visit = function(node, gout) node_grads[node.id] = gout end,
  })
  for id, t in pairs(leaves) do
    leaf_grads[id] = t.grad
    t.grad = saved[id]
  end
  if not ok then return nil, nil, err end
  return node_grads, leaf_grads
end

-- The computation graph of t as an indented tree: each node's op, shape, value and
-- gradient (dL/d(node) for L = the sum of t's elements).
function M.graph(t, opts)
  opts = opts or {}
  assert(nabla.is_tensor(t), L("graph: expected a tensor", "graph: 텐서가 필요합니다"))
  local names = global_names()
  -- collect leaves first (to capture and restore their grads)
  local leaves, seen = {}, {}
  local function walk(x)
    if seen[x._id] then return end
    seen[x._id] = true
    local fn = x.grad_fn
    if fn then
      for _, inp in ipairs(fn.inputs) do if inp then walk(inp) end end
    elseif x.needs_grad then
      leaves[x._id] = x
    end
  end
  walk(t)
  local freed = t.grad_fn and t.grad_fn.released
  local node_grads, leaf_grads = {}, {}
  if t.needs_grad and not freed then
    local err
    node_grads, leaf_grads, err = capture_gradients(t, leaves)
    if not node_grads then node_grads, leaf_grads = {}, {} end
  end
  local lines = {}
  local rows = { { L("node", "노드"), L("op", "연산"), L("shape", "모양"), L("value", "값"), L("grad", "기울기") } }
  local shown = {}
  -- the line of the tree, and the same as a row of the table
  local function label(x, tree)
    local name = names[x._id]
    local fn = x.grad_fn
    local kind
    if fn then kind = fn.name
    elseif x.needs_grad then kind = L("leaf", "리프")
    else kind = L("constant", "상수") end
    local g
    if fn then g = node_grads[fn.id] elseif x.needs_grad then g = leaf_grads[x._id] end
    local s = (name and (name .. " = ") or "") .. kind .. " " .. shape_str(x) .. "  " ..
      L("value ", "값 ") .. summary(x)
    if x.needs_grad then s = s .. "  " .. L("grad ", "기울기 ") .. summary(g) end
    rows[#rows + 1] = { tree .. (name or ""), kind, shape_str(x), summary(x), x.needs_grad and summary(g) or "" }
    return s
  end
  local function draw(x, prefix, last, top)
    local branch = top and "" or (last and "└─ " or "├─ ")
    local line = prefix .. branch .. label(x, prefix .. branch)
    local fn = x.grad_fn
    if fn and shown[fn.id] then
      lines[#lines + 1] = line .. L("  (shown above)", "  (위에 나옴)")
      rows[#rows][2] = rows[#rows][2] .. L(" (shown above)", " (위에 나옴)")
      return
    end
    lines[#lines + 1] = line
    if not fn then return end
    shown[fn.id] = true
    local inputs = fn.inputs
    local child_prefix = prefix .. (top and "" or (last and "   " or "│  "))
    for i, inp in ipairs(inputs) do
      if inp then draw(inp, child_prefix, i == #inputs, false) end
    end
  end
  draw(t, "", true, true)
  local note
  if freed then
    note = L("(backward() has freed this graph; call graph() before backward, or "
      .. "backward{retain_graph=true})", "(backward()가 이 그래프를 해제했습니다. backward 전에 graph()를 "
      .. "호출하거나 backward{retain_graph=true}를 쓰세요)")
    lines[#lines + 1] = note
  end
  local text = table.concat(lines, "\n")
  if opts.print ~= false then show("graph", text, html_table("nabla-graph", rows, { [1] = true }, note)) end
  return text
end
doc(M.graph, "graph(loss)", "draw the computation graph with each node's value and gradient", "각 노드의 값과 기울기를 담은 계산 그래프를 그립니다", "Seeing inside")

-- ---- backward{ step = true } -----------------------------------------------------------

-- The local derivative of each op, as the chain rule uses it (dJ/dZ = dJ/dA ⊙ dA/dZ).
M.formulas = {
  add = "∂(a+b)/∂a = 1,  ∂(a+b)/∂b = 1",
  sub = "∂(a−b)/∂a = 1,  ∂(a−b)/∂b = −1",
  mul = "∂(a⊙b)/∂a = b,  ∂(a⊙b)/∂b = a",
  div = "∂(a/b)/∂a = 1/b,  ∂(a/b)/∂b = −a/b²",
  pow = "∂(aᵖ)/∂a = p·aᵖ⁻¹",
  neg = "∂(−a)/∂a = −1",
  exp = "∂eᵃ/∂a = eᵃ",
  log = "∂ln a/∂a = 1/a",
  sqrt = "∂√a/∂a = 1/(2√a)",
  abs = "∂|a|/∂a = sign(a)",
  relu = "∂relu(a)/∂a = 1 if a > 0 else 0",
  sigmoid = "∂σ(a)/∂a = σ(a)(1 − σ(a))",
  tanh = "∂tanh(a)/∂a = 1 − tanh²(a)",
  mm = "C = A·B:  dJ/dA = dJ/dC · Bᵀ,  dJ/dB = Aᵀ · dJ/dC",
  matmul = "C = A·B:  dJ/dA = dJ/dC · Bᵀ,  dJ/dB = Aᵀ · dJ/dC",
  linear = "Z = X·Wᵀ + b:  dJ/dX = dJ/dZ · W,  dJ/dW = dJ/dZᵀ · X,  dJ/db = Σ dJ/dZ",
  sum = "∂(Σ a)/∂aᵢ = 1",
  mean = "∂(mean a)/∂aᵢ = 1/N",
  view = "a reshape: the gradient is reshaped back",
  reshape = "a reshape: the gradient is reshaped back",
  transpose = "a transpose: the gradient is transposed back",
  permute = "a permutation of dims: the gradient is permuted back",
  expand = "a broadcast: the gradient is summed over the copies",
  softmax = "y = softmax(x):  dJ/dx = y ⊙ (dJ/dy − Σ dJ/dy ⊙ y)",
  log_softmax = "y = log_softmax(x):  dJ/dx = dJ/dy − softmax(x) · Σ dJ/dy",
  logsumexp = "∂ logΣeˣ/∂xᵢ = softmax(x)ᵢ",
  max = "the gradient goes to the position of the maximum",
  min = "the gradient goes to the position of the minimum",
  var = "∂var/∂xᵢ = 2(xᵢ − mean)/(N − 1)",
  std = "∂std/∂xᵢ = (xᵢ − mean)/((N − 1)·std)",
  norm = "∂‖x‖/∂x = x/‖x‖",
  gather = "the gradient is scattered back to the gathered positions",
  index_select = "the gradient is added back to the selected rows",
  cross_entropy = "dJ/dlogits = (softmax(logits) − onehot(target)) / N",
  conv2d = "dJ/dW = dJ/dY ⋆ X,  dJ/dX = dJ/dY ⋆ W (a transposed convolution)",
  max_pool2d = "the gradient goes to the maximum of each window",
  batch_norm = "dx = γ·rstd/N·(N·dy − Σdy − x̂·Σ(dy·x̂))",
}

local same_shape = require("nabla.nn.module").same_shape

-- Walks backprop one node at a time: the node, the gradient arriving from above, the
-- local derivative, and the products passed down to its inputs. Enter continues, q stops.
function M.step_backward(t, opts, raw_backward)
  local input = opts.input or function() return io.read("l") end
  -- each piece of text wrapped to the terminal (word boundaries, Korean width)
  local write = opts.output or io.write
  local term = require "nabla.term"
  local function out(s)
    local body, nl = s:match("^(.-)(\n*)$")
    write(term.wrap(body) .. nl)
  end
  local names = global_names()
  out(L("Backprop, one node at a time. Each node multiplies the gradient from above by its "
        .. "local derivative (the chain rule) and passes the product to its inputs.\n"
        .. "Enter: next node, q: stop.\n",
        "역전파를 노드 하나씩 따라갑니다. 각 노드는 위에서 온 기울기에 자기 국소 미분을 곱해서(연쇄 법칙) "
        .. "그 곱을 입력으로 넘깁니다.\nEnter는 다음 노드, q는 멈춤.\n"))
  local k = 0
  local function visit(node, gout, gin)
    k = k + 1
    out(("\n[%d] %s %s\n"):format(k, node.name, tostring(setmetatable(node.shape, getmetatable(t.shape)))))
    out("    " .. L("upstream gradient dJ/d(out): ", "위에서 온 기울기 dJ/d(out): ") .. summary(gout) .. "\n")
    out("    " .. L("local derivative: ", "국소 미분: ") .. (M.formulas[node.name] or L("see its backward in src/ops", "src/ops의 backward 참고")) .. "\n")
    local inputs = node.inputs
    for i, g in ipairs(gin) do
      if g then
        local who = inputs[i] and names[inputs[i]._id]
        local loc = ""
        if g:numel() <= 8 and same_shape(g, gout) then
          local ok, r = pcall(function() return g / gout end)
          if ok then loc = "  (" .. L("local derivative ", "국소 미분 ") .. summary(r) .. ")" end
        end
        out(("    → %s %d%s: %s%s\n"):format(L("input", "입력"), i, who and (" (" .. who .. ")") or "",
          summary(g), loc))
      end
    end
    local line = input()
    if line and line:match("^%s*q") then
      error(L("backward stopped by the learner: no gradients were stored",
              "학습자가 역전파를 멈췄습니다: 기울기는 저장되지 않았습니다"), 0)
    end
  end
  local o = {}
  for k2, v in pairs(opts) do if k2 ~= "step" and k2 ~= "input" and k2 ~= "output" then o[k2] = v end end
  o.visit = visit
  raw_backward(t, o)
  out(L("\nDone: every leaf's .grad now holds dJ/d(leaf).\n", "\n끝: 이제 모든 리프의 .grad에 dJ/d(리프)가 들어 있습니다.\n"))
end

-- ---- watch(model): gradient norms per layer over training steps --------------------------

-- Records ‖grad‖ of every parameter each time backward reaches it. Returns a watcher:
-- w.history[name] = { norm at step 1, norm at step 2, ... }, w:plot(), w:remove().
function M.watch(model, opts)
  opts = opts or {}
  local filter = opts.filter or function(name) return name:match("weight$") or not name:match("bias$") end
  local w = { history = {}, names = {}, handles = {} }
  for _, item in ipairs(named_tensors(model, "watch")) do
    local name, p = item[1], item[2]
    if filter(name) and p.needs_grad then
      w.names[#w.names + 1] = name
      w.history[name] = {}
      w.handles[#w.handles + 1] = p:register_hook(function(g)
        local h = w.history[name]
        h[#h + 1] = stats(g).norm
      end)
    end
  end
  function w:remove()
    for _, h in ipairs(self.handles) do h:remove() end
    self.handles = {}
  end
  function w:last()
    local r = {}
    for _, n in ipairs(self.names) do local h = self.history[n]; r[n] = h[#h] end
    return r
  end
  -- The per-layer view: one bar a layer, input side first, its length the gradient norm
  -- at the last step on a log scale (the picture of vanishing gradients: the bars shrink
  -- towards the input). Shown through nabla.display; returns the text.
  function w:bars(bopts)
    bopts = bopts or {}
    local term = require "nabla.term"
    local step = bopts.step
    local rows, lo, hi = {}, math.huge, 0
    for _, n in ipairs(self.names) do
      local h = self.history[n]
      local v = h[step or #h]
      rows[#rows + 1] = { n, v }
      if v and v > 0 then lo, hi = math.min(lo, v), math.max(hi, v) end
    end
    local namew = 0
    for _, r in ipairs(rows) do namew = math.max(namew, width(r[1])) end
    local barw = math.max(10, math.min(50, (bopts.width or term.columns()) - namew - 14))
    local nsteps = 0
    for _, n in ipairs(self.names) do nsteps = math.max(nsteps, #self.history[n]) end
    local at = step or nsteps
    local lines = { L(("‖grad‖ by layer, input first (step %d, log scale)"):format(at),
                      ("층별 ‖기울기‖, 입력 쪽부터 (%d 스텝, 로그 눈금)"):format(at)) }
    local llo, lhi = math.log(lo, 10), math.log(hi, 10)
    for _, r in ipairs(rows) do
      local v, bar = r[2], ""
      if v == nil then bar = L("(no backward yet)", "(아직 backward 없음)")
      elseif v > 0 then
        local frac = lhi > llo and (math.log(v, 10) - llo) / (lhi - llo) or 1
        bar = string.rep("█", math.max(1, math.floor(frac * (barw - 1) + 0.5) + 1))
      end
      lines[#lines + 1] = ("%s  %s%s"):format(pad(r[1], namew), pad(bar, barw),
        v and ("  %.1e"):format(v) or "")
    end
    if hi > 0 and lo < hi then
      lines[#lines + 1] = L(("the largest is %.0f times the smallest"):format(hi / lo),
                            ("가장 큰 값이 가장 작은 값의 %.0f배입니다"):format(hi / lo))
    end
    local text = table.concat(lines, "\n")
    if bopts.print ~= false then require("nabla.display").show(require("nabla.display").new("bars", text)) end
    return text
  end
  -- w:plot(): the norms over the steps (lines), then the per-layer bars at the last step;
  -- w:plot{ view = "lines" } or { view = "bars" } for one of them.
  function w:plot(popts)
    popts = popts or {}
    if popts.view == "bars" then return self:bars(popts) end
    if popts.view == "lines" or #self.names == 0 then return self:lines(popts) end
    -- both, shown as one display (so the prompt does not echo the joined text again)
    local quiet = {}
    for k, v in pairs(popts) do quiet[k] = v end
    quiet.print = false
    local text = self:lines(quiet) .. "\n" .. self:bars({ print = false, width = popts.width })
    if popts.print ~= false then
      local d = require "nabla.display"
      d.show(d.new("plot", text, { figure = require("nabla.plot").last }))
    end
    return text
  end
  function w:lines(popts)
    local plot = require "nabla.plot"
    local series = {}
    for _, n in ipairs(self.names) do
      local h = self.history[n]
      if #h > 0 then
        local logs = {}
        for i, v in ipairs(h) do logs[i] = v > 0 and math.log(v, 10) or -12 end
        series[n] = logs
      end
    end
    popts = popts or {}
    local lopts = {}
    for k, v in pairs(popts) do if k ~= "view" then lopts[k] = v end end
    lopts.title = lopts.title or L("log10 ‖grad‖ per layer", "층별 log10 ‖기울기‖")
    return plot.lines(series, lopts)
  end
  return w
end
doc(M.watch, "watch(model)", "record every layer's gradient norm at each backward; :plot() draws them", "backward마다 층별 기울기 노름을 기록합니다. :plot()으로 그립니다", "Seeing inside")

return M

-- The classroom server from Lua: serve{ model = m } puts a model on the web (draw a digit,
-- watch it train, mirror the lesson). The HTTP side is C (src/server/, civetweb); its
-- threads never touch Lua. Requests wait in a queue; this module answers them here, on
-- the main thread — at the shell's prompt, between fit()'s steps, in `nabla serve`'s
-- loop — all waiting requests as one batch (one forward for n digits).
--
--   srv = serve{ model = m [, port = 8000] [, host = "127.0.0.1"] [, max_body = 1 MiB] }
--   srv:url()    "http://127.0.0.1:8000/"
--   srv:stop()
local nabla = require "nabla"
local events = require "nabla.events"

local M = {}
local function L(en, ko) return nabla.lang == "ko" and ko or en end

local running = {}       -- the servers not stopped, in start order
local json = nabla._C.json
local ARRAY = { __jsonarray = true }
local function array(t) return setmetatable(t or {}, ARRAY) end
local NULL = function() end   -- JSON null inside arrays (nabla._C.json writes any function as null)
M.null = NULL

local Server = {}
Server.__index = Server

-- ---- the model's summary (GET /model) ------------------------------------------------------

local function numel(shape)
  local n = 1
  for _, d in ipairs(shape) do n = n * d end
  return n
end

local function shape_of(t)
  local s = {}
  for i = 1, t:dim() do s[i] = t.shape[i] end
  return s
end

-- Which input the model takes: (n, 1, 28, 28) images or (n, 784) vectors, tried in that order.
local function probe(model)
  local was = model.training
  if model.eval then model:eval() end
  local found, out
  for _, shape in ipairs({ { 1, 1, 28, 28 }, { 1, 784 } }) do
    local ok, y = pcall(nabla.no_grad, function() return model(nabla.zeros(table.unpack(shape))) end)
    if ok and nabla.is_tensor(y) and y:dim() == 2 and y.shape[1] == 1 then
      found, out = shape, y
      break
    end
  end
  if was and model.train then model:train() end
  if not found then
    error(L("serve: the model must take (n, 1, 28, 28) images or (n, 784) vectors and give (n, classes) scores",
            "serve: 모델은 (n, 1, 28, 28) 이미지나 (n, 784) 벡터를 받아 (n, 클래스 수) 점수를 내야 합니다"), 3)
  end
  return found, out.shape[2]
end

local function summary(model, info, input, classes)
  local layers = array()
  local total = 0
  for _, p in ipairs(model:parameters()) do total = total + p:numel() end
  if model.named_children then
    local x = nabla.zeros(table.unpack(input))
    local was = model.training
    if model.eval then model:eval() end
    nabla.no_grad(function()
      for k, item in ipairs(model:named_children()) do
        local name, m = tostring(k), item[2]       -- model[k], as the shell prints it
        local params = 0
        for _, p in ipairs(m:parameters()) do params = params + p:numel() end
        local ok, y = pcall(m, x)
        local out_shape = nil
        if ok and nabla.is_tensor(y) then
          x = y
          local s = shape_of(y)
          table.remove(s, 1)
          out_shape = array(s)
        end
        layers[#layers + 1] = { name = name, type = m.__name, desc = tostring(m):match("^[^\n]*"),
                                params = params, out_shape = out_shape or NULL }
      end
    end)
    if was and model.train then model:train() end
  end
  local in_shape = { table.unpack(input, 2) }
  local names = array()
  for k = 1, classes do names[k] = tostring(k - 1) end
  return {
    name = info.name or (model.__name or "model"), experiment = info.experiment or NULL,
    layers = layers, parameters = total, test_accuracy = info.test_accuracy or NULL,
    input = array(in_shape), classes = names, lang = nabla.lang,
  }
end

-- ---- answering requests ---------------------------------------------------------------------

local SKIP = { Dropout = true, Flatten = true, Identity = true }

-- forward(x, want_activations) for srv:serve(): probabilities (n, classes) and, when asked,
-- each layer's output.
local function forward_of(self)
  return function(x, want)
    local model = self.model
    local n = x.shape[1]
    if #self.input == 4 then x = x:view(n, 1, 28, 28) end
    local was = model.training
    if model.eval then model:eval() end
    local acts
    local ok, probs = pcall(nabla.no_grad, function()
      if want and model.named_children and #model:named_children() > 0 and model.__name == "Sequential" then
        acts = {}
        local y = x
        for k, item in ipairs(model:named_children()) do
          y = item[2](y)
          if not SKIP[item[2].__name] then acts[#acts + 1] = { name = tostring(k), type = item[2].__name, output = y } end
        end
        return y:softmax(2)
      end
      return model(x):softmax(2)
    end)
    if was and model.train then model:train() end
    if not ok then error(probs, 0) end
    return probs, acts
  end
end

-- reader(line) for srv:serve(): POST /read's line (H, W), ink 1 on 0, read by the model:
-- a digit classifier through lines.segment_read, a line model through lines.ctc_read.
local function reader_of(self)
  return function(line)
    local lines = require "nabla.lines"
    local r
    if self.reader == "ctc" then
      if not lines.ctc_read then error("lines.ctc_read is not in this nabla", 0) end
      r = lines.ctc_read(self.model, line)
    else
      r = lines.segment_read(self.model, line)
    end
    r.model = self.reader
    r.characters = array(r.characters or {})
    for _, c in ipairs(r.characters) do c.box = array(c.box) end
    return r
  end
end

-- Answers the waiting requests of every running server; returns how many.
function M.poll()
  if nabla._C.serve_pending() == 0 then return 0 end
  local n = 0
  for _, s in ipairs(running) do
    if s.model then n = n + s._srv:serve(s._forward, nil, s._reader) end
  end
  return n
end

-- ---- the dashboard's state (GET /state, the /events stream) --------------------------------

local MAX_POINTS = 1000       -- per step series; halved (every other point) when full

local function new_training()
  return { running = false, epoch = 0, epochs = 0, steps = 0,
           history = { step = array(), loss = array(), lr = array(), epoch_train_loss = array(),
                       epoch_val_loss = array(), epoch_train_acc = array(), epoch_val_acc = array(),
                       grad_norms = {}, images_per_s = 0 } }
end

function Server:_state()
  return { lang = nabla.lang, model = self.summary or NULL, training = self.training or NULL, lesson = self.lesson or NULL,
           samples = self.samples or NULL }
end

function Server:_publish(event, payload)
  self._srv:set_state(json(self:_state()))
  if event then self._srv:broadcast(event, json(payload)) end
end

local function push(list, v)
  list[#list + 1] = v
end

local function halve(h)
  local function thin(a)
    local b = array()
    for i = 1, #a, 2 do b[#b + 1] = a[i] end
    return b
  end
  for _, k in ipairs({ "step", "loss", "lr" }) do h[k] = thin(h[k]) end
  for k, a in pairs(h.grad_norms) do h.grad_norms[k] = thin(a) end
end

-- A "sample" payload as the page gets it: a scatter thinned to MAX_SCATTER points (every
-- k-th), a text to its last MAX_TEXT bytes, an image grid bounded in size.
local MAX_SCATTER, MAX_TEXT, MAX_PIXELS = 3000, 20000, 400000
local function sample_payload(p)
  local q = {}
  for k, v in pairs(p) do q[k] = v end
  if q.kind == "scatter" and type(q.points) == "table" and #q.points > MAX_SCATTER then
    local pts, step = {}, #q.points / MAX_SCATTER
    for i = 1, MAX_SCATTER do pts[i] = q.points[math.floor((i - 1) * step) + 1] end
    q.points = pts
  elseif q.kind == "text" and type(q.text) == "string" and #q.text > MAX_TEXT then
    q.text = q.text:sub(-MAX_TEXT):gsub("^[\128-\191]+", "")   -- not starting inside a UTF-8 character
  elseif q.kind == "image_grid" and type(q.pixels) == "table" and #q.pixels > MAX_PIXELS then
    return { kind = "image_grid", title = q.title, source = q.source, epoch = q.epoch, rows = 0, cols = 0,
             height = 0, width = 0, pixels = array() }
  end
  return q
end

function Server:_on(name, p)
  if name == "fit_start" then
    -- the model being trained is served when it reads digits; one that does not (char-rnn's
    -- language model, a GAN's generator) trains under the dashboard all the same, and /predict
    -- keeps answering 503 "no model"
    if not self.model and p.model then pcall(self.set_model, self, p.model) end
    self.training = new_training()
    self.training.running, self.training.epochs, self.training.steps = true, p.epochs or 0, p.steps or 0
    self:_publish(nil)
  elseif name == "fit_end" then
    if self.training then self.training.running = false end
    self:_publish("fit_end", { running = false })
  elseif name == "train_step" then
    local t = self.training or new_training()
    self.training = t
    t.running, t.epoch, t.epochs = true, p.epoch or t.epoch, p.epochs or t.epochs
    local h = t.history
    if #h.step >= MAX_POINTS then halve(h) end
    push(h.step, p.global_step or p.step)
    push(h.loss, p.loss)
    push(h.lr, p.lr or NULL)
    for k, v in pairs(p.grad_norms or {}) do
      h.grad_norms[k] = h.grad_norms[k] or array()
      push(h.grad_norms[k], v)
    end
    h.images_per_s = p.images_per_s or h.images_per_s
    self:_publish("train_step", p)
  elseif name == "epoch" then
    local t = self.training or new_training()
    self.training = t
    t.epoch = p.epoch or t.epoch
    local h = t.history
    push(h.epoch_train_loss, p.train_loss or NULL)
    push(h.epoch_val_loss, p.val_loss or NULL)
    push(h.epoch_train_acc, p.train_acc or NULL)
    push(h.epoch_val_acc, p.val_acc or NULL)
    if p.test_accuracy and self.summary then self.summary.test_accuracy = p.test_accuracy end
    self:_publish("epoch", p)
  elseif name == "lesson" then
    self.lesson = p
    self:_publish("lesson", p)
  elseif name == "plot" then
    if self.lesson then self.lesson.svg = p.svg end
    self:_publish("plot", p)
  elseif name == "sample" then
    -- what a generative model made (lua/nabla/samples.lua): the latest of each kind stays in
    -- /state for a page that loads later
    if type(p) ~= "table" or (p.kind ~= "scatter" and p.kind ~= "image_grid" and p.kind ~= "text") then return end
    p = sample_payload(p)
    self.samples = self.samples or {}
    self.samples[p.kind] = p
    self:_publish("sample", p)
  end
end

-- ---- the handle ---------------------------------------------------------------------------------

local WATCHED = { "fit_start", "fit_end", "train_step", "epoch", "lesson", "plot", "sample" }

-- A line model (it reads whole lines: POST /read with lines.ctc_read) is known by its
-- experiment (`reads = "lines"`, or the experiment mnist-lines) or by serve{ reader = "ctc" };
-- any other model is a digit classifier, which also reads lines by cutting them.
local function reads_lines(info)
  return info.reader == "ctc" or info.reads == "lines" or info.name == "mnist-lines"
end

function Server:set_model(model, info)
  if not (type(model) == "table" and nabla.nn.Module.is_module(model)) then
    error(L("serve: model must be an nn module (serve{ model = m })", "serve: model은 nn 모듈이어야 합니다 (serve{ model = m })"), 2)
  end
  info = info or self.info or {}
  local lines = require "nabla.lines"
  local height = info.height or lines.HEIGHT
  local input, classes
  if reads_lines(info) then
    input, classes = { 1, 1, height, 4 * height }, 10
    self.reader = "ctc"
  else
    input, classes = probe(model)
    self.reader = "segment"
  end
  self.model, self.input, self.classes = model, input, classes
  self.info = info
  self.summary = summary(model, self.info, input, classes)
  self.summary.reader = self.reader
  self._srv:set_abilities(self.reader == "segment", true)
  self._srv:set_line_height(height)
  self._srv:set_model(json(self.summary))
  self:_publish(nil)
end

function Server:url(page)
  local host = self.host == "0.0.0.0" and "127.0.0.1" or self.host
  return ("http://%s:%d/%s"):format(host, self.port, page or "")
end

function Server:running() return self._srv:running() end

function Server:stop()
  if not self._srv:running() then return false end
  for _, name in ipairs(WATCHED) do events.off(name, self._handlers[name]) end
  for i = #running, 1, -1 do if running[i] == self then table.remove(running, i) end end
  if #running == 0 then events.remove_poller(M.poll) end
  self._srv:stop()
  return true
end

function Server:__tostring()
  if not self._srv:running() then return L("server (stopped)", "서버 (멈춤)") end
  return L("server at ", "서버 주소 ") .. self:url() .. (self.model and "" or L(" (no model yet)", " (모델 없음)"))
end

-- The addresses a room can open (for --host 0.0.0.0): this machine's IPv4 addresses.
local function lan_addresses()
  local list = {}
  local p = io.popen("hostname -I 2>/dev/null")
  if p then
    for a in (p:read("a") or ""):gmatch("%S+") do if a:match("^%d+%.%d+%.%d+%.%d+$") then list[#list + 1] = a end end
    p:close()
  end
  return list
end

function M.serve(opts)
  if nabla.is_tensor(opts) or (type(opts) == "table" and nabla.nn.Module.is_module(opts)) then opts = { model = opts } end
  if type(opts) ~= "table" then
    error(L("serve: usage serve{ model = m [, port = 8000] [, host = \"127.0.0.1\"] }",
            "serve: 사용법 serve{ model = m [, port = 8000] [, host = \"127.0.0.1\"] }"), 2)
  end
  local port = opts.port or 8000
  if math.type(port) ~= "integer" then error(L("serve: port must be an integer", "serve: port는 정수여야 합니다"), 2) end
  local srv = nabla._C.serve_start{ host = opts.host or "127.0.0.1", port = port, max_body = opts.max_body,
                                  queue = opts.queue, threads = opts.threads, timeout_ms = opts.timeout_ms }
  local self = setmetatable({ _srv = srv, host = srv:host(), port = srv:port(), info = opts.info or {} }, Server)
  self._forward = forward_of(self)
  self._reader = reader_of(self)
  self._handlers = {}
  for _, name in ipairs(WATCHED) do
    self._handlers[name] = events.on(name, function(p) self:_on(name, p) end)
  end
  local ok, err = pcall(function()
    local info = opts.info
    if opts.reader then
      info = {}
      for k, v in pairs(opts.info or {}) do info[k] = v end
      info.reader = opts.reader
    end
    if opts.model ~= nil then self:set_model(opts.model, info) else self:_publish(nil) end
  end)
  if not ok then
    self:stop()
    error(err, 2)
  end
  running[#running + 1] = self
  events.add_poller(M.poll)
  if not opts.quiet then
    print(L("serving at ", "서버 주소: ") .. self:url() .. L("  (draw: ", "  (숫자 그리기: ") .. self:url("draw") .. ")")
    if self.host == "0.0.0.0" then
      for _, a in ipairs(lan_addresses()) do print(("  http://%s:%d/draw"):format(a, self.port)) end
      print(L("warning: the server is open to the whole network (anyone on it can use the model)",
              "주의: 서버가 네트워크 전체에 열려 있습니다 (같은 네트워크의 누구나 모델을 쓸 수 있습니다)"))
    end
  end
  return self
end

-- The most recently started server still running (the shell's prompt shows it), or nil.
function M.current() return running[#running] end

-- Serves until Ctrl-C (`nabla serve`): waits on the queue, answers in batches.
function M.loop()
  while #running > 0 do
    if nabla._C.serve_wait(250) then M.poll() end
  end
end

-- ---- `nabla serve CHECKPOINT [--port N] [--host H]` -------------------------------------------

local function usage()
  print(L("usage: nabla serve CHECKPOINT [--port 8000] [--host 127.0.0.1]\n"
       .. "  CHECKPOINT: a file `nabla run` saved (runs/NAME-.../best.safetensors); the model is\n"
       .. "  rebuilt from the experiment and config the checkpoint records.",
          "사용법: nabla serve 체크포인트 [--port 8000] [--host 127.0.0.1]\n"
       .. "  체크포인트: `nabla run`이 저장한 파일 (runs/이름-.../best.safetensors). 체크포인트에\n"
       .. "  기록된 실험과 설정으로 모델을 다시 만듭니다."))
end

-- The model a checkpoint holds, rebuilt from the experiment that made it; with its summary's info.
function M.load_checkpoint(path)
  local checkpoint = require "nabla.checkpoint"
  local ok, sd, meta = pcall(checkpoint.load, path)
  if not ok then error(tostring(sd), 0) end
  meta = meta or {}
  if not meta.experiment then
    error(L(("serve: '%s' does not say which experiment built the model (checkpoints written by `nabla run` do)"):format(path),
            ("serve: '%s'에는 모델을 만든 실험이 기록되어 있지 않습니다 (`nabla run`이 저장한 체크포인트에는 있습니다)"):format(path)), 0)
  end
  local exp_path = meta.experiment
  -- the recorded path, else the bundled experiment of that name (a checkpoint made in the
  -- source tree served by an installed nabla, or the other way round)
  local paths = require "nabla.paths"
  local found = paths.find_experiment(exp_path)
  if not found and exp_path:match("[^/]+%.lua$") then found = paths.find_experiment(exp_path:match("([^/]+)%.lua$")) end
  local chunk = found and loadfile(found)
  if not chunk then error(L("serve: cannot read the experiment ", "serve: 실험 파일을 읽을 수 없습니다: ") .. exp_path, 0) end
  local exp = chunk()
  if type(exp) ~= "table" or type(exp.model) ~= "function" then
    error(L(("serve: %s does not say how to build its model (it needs model = function(cfg) ... end)"):format(exp_path),
            ("serve: %s에 모델을 만드는 방법이 없습니다 (model = function(cfg) ... end 가 필요합니다)"):format(exp_path)), 0)
  end
  local cfg = {}
  for k, v in pairs(exp.config or {}) do cfg[k] = v end
  if meta.config then
    local cok, saved = pcall(checkpoint.json.decode, meta.config)
    if cok and type(saved) == "table" then for k, v in pairs(saved) do cfg[k] = v end end
  end
  local model = exp.model(cfg)
  local keys, map = {}, {}
  for k, t in pairs(sd) do
    local mk = k:match("^model%.(.+)$")
    if mk or meta.format == nil then
      keys[#keys + 1] = mk or k
      map[mk or k] = t
    end
  end
  model:load_state_dict(require("nabla.nn.module").ordered_state_dict(keys, map))
  model:eval()
  local acc
  if meta.history then
    local hok, h = pcall(checkpoint.json.decode, meta.history)
    if hok and type(h) == "table" and type(h.val_accuracy) == "table" then
      local v = h.val_accuracy[#h.val_accuracy]
      if type(v) == "number" then acc = v end
    end
  end
  return model, { name = exp.name or exp_path:match("([^/]+)%.lua$"), experiment = exp_path, test_accuracy = acc,
                  reads = exp.reads, height = exp.reads == "lines" and (cfg.height or exp.height) or nil }
end

function M.main(args)
  local path, port, host = nil, 8000, "127.0.0.1"
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--help" or a == "-h" then usage() return 0
    elseif a == "--port" or a == "--host" then
      local v = args[i + 1]
      if not v then io.stderr:write("serve: ", a, L(" needs a value\n", " 뒤에 값이 필요합니다\n")) return 2 end
      if a == "--port" then
        port = math.tointeger(tonumber(v))
        if not port or port < 0 or port > 65535 then io.stderr:write("serve: --port takes 0..65535\n") return 2 end
      else host = v end
      i = i + 1
    elseif a:match("^%-%-port=") then port = math.tointeger(tonumber(a:sub(8))) or -1
    elseif a:match("^%-%-host=") then host = a:sub(8)
    elseif a:match("^%-") then io.stderr:write(("serve: unknown option %s (see nabla serve --help)\n"):format(a)) return 2
    elseif not path then path = a
    else io.stderr:write(("serve: unexpected argument %s\n"):format(a)) return 2 end
    i = i + 1
  end
  if not path then usage() return 2 end
  local ok, model, info = pcall(M.load_checkpoint, path)
  if not ok then io.stderr:write(tostring(model), "\n") return 1 end
  local sok, srv = pcall(M.serve, { model = model, port = port, host = host, info = info })
  if not sok then io.stderr:write(tostring(srv), "\n") return 1 end
  print(("%s%s — Ctrl-C %s"):format(info.name, info.test_accuracy and (" (%.2f%%)"):format(100 * info.test_accuracy) or "",
    L("stops the server", "로 서버를 멈춥니다")))
  io.stdout:flush()
  local lok, err = pcall(M.loop)
  srv:stop()
  if not lok and not tostring(err):match("interrupted!$") then io.stderr:write(tostring(err), "\n") return 1 end
  return 0
end

local doc = require "nabla.doc"
doc(M.serve, "serve{ model = m [, port = 8000] [, host = \"127.0.0.1\"] }",
    "serve m to a browser: /draw to draw a digit, / for live training, /lesson; returns a server (srv:url(), srv:stop())",
    "m을 브라우저에 띄웁니다: /draw에서 숫자를 그리고, /에서 학습을 실시간으로, /lesson. 서버를 돌려줍니다 (srv:url(), srv:stop())",
    "The classroom server")

return M

-- The training loop: fit(model, loader, opts) and evaluate(model, data, opts).
-- One epoch = for each batch: forward, loss, zero_grad, backward, (clip), step.
local nabla = require "nabla"
local doc = require "nabla.doc"
local M = {}

local function L(en, ko) return nabla.lang == "ko" and ko or en end

-- ---- batches -----------------------------------------------------------------------------

-- An iterator of (x, y) batches from a loader, a dataset, or a table {x, y} of tensors.
local function batches(data, batch)
  if type(data) == "table" and type(data.iter) == "function" then return data:iter() end
  if type(data) == "function" then return data end
  local data_mod = nabla.data
  if type(data) == "table" and (data.images or data.get or getmetatable(data) and getmetatable(data).__len) and data_mod and data_mod.loader then
    return data_mod.loader(data, { batch = batch or 256, shuffle = false }):iter()
  end
  if type(data) == "table" and nabla.is_tensor(data[1]) then
    local x, y = data[1], data[2]
    local n, b, i = #x, batch or 256, 0
    return function()
      if i >= n then return nil end
      local len = math.min(b, n - i)
      local xb, yb = x:narrow(1, i + 1, len), y:narrow(1, i + 1, len)
      i = i + len
      return xb, yb
    end
  end
  error(L("fit: expected a data.loader, a dataset or {x, y} tensors", "fit: data.loader, 데이터셋, 또는 {x, y} 텐서가 필요합니다"), 3)
end
M.batches = batches

local function loader_length(data)
  if type(data) == "table" and type(data.num_batches) == "function" then return data:num_batches() end
  if type(data) == "table" and type(data.num_batches) == "number" then return data.num_batches end
  return nil
end

-- ---- metrics -------------------------------------------------------------------------------

-- number of rows of logits whose argmax equals the 1-based class in y
local function correct(logits, y)
  if logits:dim() ~= 2 or y:dim() ~= 1 then return nil end
  return logits:argmax(2):eq(y):sum():item()
end

-- Loss, accuracy and the confusion matrix (rows: true class, columns: predicted) of model
-- on data, with gradients off and the model in eval mode (restored afterwards).
function M.evaluate(model, data, opts)
  opts = opts or {}
  local loss_fn = opts.loss or nabla.nn.CrossEntropyLoss()
  local was_training = model.training
  if model.eval then model:eval() end
  local total, n, hits, conf = 0, 0, 0, nil
  local classes = opts.classes
  nabla.no_grad(function()
    -- 100 at a time: a batch of 500 made 230 MiB of activations in a CNN (peak RSS)
    for x, y in batches(data, opts.batch or 100) do
      local out = model(x)
      local b = x.shape[1]
      total = total + loss_fn(out, y):item() * b
      n = n + b
      local c = correct(out, y)
      if c then
        hits = hits + c
        local k = classes or out.shape[2]
        conf = conf or {}
        local pred, truth = out:argmax(2):tolist(), y:tolist()
        for i = 1, #truth do
          local t, p = math.floor(truth[i]), math.floor(pred[i])
          conf[t] = conf[t] or {}
          for j = 1, k do conf[t][j] = conf[t][j] or 0 end
          conf[t][p] = conf[t][p] + 1
        end
      end
    end
  end)
  if was_training and model.train then model:train() end
  if n == 0 then error(L("evaluate: no data", "evaluate: 데이터가 없습니다"), 2) end
  return { loss = total / n, accuracy = conf and hits / n or nil, confusion = conf, n = n }
end
doc(M.evaluate, "evaluate(model, data)", "loss, accuracy and confusion matrix on data", "데이터에 대한 손실, 정확도, 혼동 행렬", "Training")

-- ---- progress --------------------------------------------------------------------------------

local function fmt_time(s)
  if s >= 3600 then return ("%dh%02dm"):format(s // 3600, (s % 3600) // 60) end
  if s >= 60 then return ("%dm%02ds"):format(s // 60, math.floor(s % 60)) end
  return ("%.1fs"):format(s)
end

-- The progress line, rewritten in place: it must stay on one terminal row (a line that
-- wraps cannot be rewritten with \r), so the bar shrinks to what the width leaves.
local CLEAR = "\r\27[K"
local function progress_bar(epoch, epochs, i, n, loss, rate, eta)
  local term = require "nabla.term"
  local head = ("%s %d/%d "):format(L("epoch", "에폭"), epoch, epochs)
  local tail = (" %s/%s loss %.4f  %.0f img/s  ETA %s"):format(i, n or "?", loss, rate, eta and fmt_time(eta) or "?")
  local width = math.min(24, term.columns() - 1 - term.width(head) - term.width(tail))
  local bar = ""
  if n and width >= 4 then
    local filled = math.floor(width * i / n)
    bar = string.rep("█", filled) .. string.rep("░", width - filled)
  end
  local line = head .. bar .. tail
  if term.width(line) > term.columns() - 1 then line = line:sub(1, term.columns() - 1) end
  io.write(CLEAR, line)
  io.flush()
end

local function now() return nabla.clock and nabla.clock() or os.clock() end

-- ---- events (lua/nabla/events.lua): the dashboard, live curves -------------------------------

local events = require "nabla.events"
local STEP_EVERY = 0.1     -- seconds between two train_step events (at most 10 per second)

-- The norm of each parameter's gradient, by the name the shell shows ("[1].weight" = 0.12).
local function grad_norms(model)
  local g = {}
  local lua_name = nabla.nn.Module.lua_name
  if not model.named_parameters then return g end
  for _, item in ipairs(model:named_parameters()) do
    local p = item[2]
    if p.grad ~= nil then g[lua_name and lua_name(item[1]) or item[1]] = p.grad:norm():item() end
  end
  return g
end

-- ---- the CSV log -------------------------------------------------------------------------------

local function open_log(path, columns)
  if not path then return nil end
  os.execute(("mkdir -p '%s'"):format((path:match("^(.*)/") or "."):gsub("'", "'\\''")))
  local exists = io.open(path, "r")
  if exists then exists:close() end
  local f = assert(io.open(path, "a"))
  if not exists then f:write(table.concat(columns, ","), "\n") end
  return f
end

-- ---- fit -------------------------------------------------------------------------------------------

-- fit(model, loader, opts) trains and returns the history table {epoch, loss, accuracy,
-- val_loss, val_accuracy, lr, time}. opts: epochs, optimizer, loss, scheduler
-- (stepped each epoch; opts.scheduler_per_batch to step per batch; ReduceLROnPlateau gets
-- the validation loss), val (a dataset or loader), clip_grad (max norm), early_stop =
-- { patience, min_delta, monitor = "val_loss", restore_best = false: true puts back the
-- weights of the best epoch at the end, and history.best_epoch says which }, checkpoint = directory (best and last
-- saved as safetensors), resume = checkpoint file, log = csv path, quiet, progress.
-- Options every fit() of the session gets unless it gives its own (`nabla run --live`
-- sets defaults.live).
M.defaults = {}

local FIT_OPTIONS = { "epochs", "optimizer", "lr", "loss", "scheduler", "scheduler_per_batch", "history",
  "resume", "log", "progress", "quiet", "val", "clip_grad", "early_stop", "checkpoint", "live",
  "steps", "val_name" }

function M.fit(model, loader, opts)
  if type(model) == "table" and not (getmetatable(model) and type(model.parameters) == "function")
    and loader == nil and opts == nil and (model.model ~= nil or model[1] ~= nil) then
    -- fit{ model = m, data = loader, epochs = 3 } or fit{ m, loader, epochs = 3 }
    local t = model
    opts = {}
    for k, v in pairs(t) do if type(k) == "string" and k ~= "model" and k ~= "data" then opts[k] = v end end
    model, loader = t.model or t[1], t.data or t[2]
  end
  if type(model) ~= "table" or type(model.parameters) ~= "function" then
    error(L("fit: the first argument is the model to train (got " .. type(model)
            .. "); call it as fit(model, loader, {epochs = 3})",
            "fit: 첫 인자는 학습시킬 모델입니다 (받은 값: " .. type(model)
            .. "). fit(model, loader, {epochs = 3})처럼 호출하세요"), 2)
  end
  if loader == nil then
    error(L("fit: the second argument is the data: a data.loader, a dataset or {x, y} tensors",
            "fit: 둘째 인자는 데이터입니다: data.loader, 데이터셋, 또는 {x, y} 텐서"), 2)
  end
  opts = opts or {}
  if type(opts) ~= "table" then
    error(L("fit: the options are a table: fit(model, loader, { epochs = 3 })",
            "fit: 옵션은 테이블입니다: fit(model, loader, { epochs = 3 })"), 2)
  end
  require("nabla.suggest").check_options("fit", opts, FIT_OPTIONS, 2)
  if next(M.defaults) ~= nil then
    local merged = {}
    for k, v in pairs(M.defaults) do merged[k] = v end
    for k, v in pairs(opts) do merged[k] = v end
    opts = merged
  end
  local epochs = opts.epochs or 1
  local opt = opts.optimizer or nabla.optim.Adam(model:parameters(), { lr = opts.lr or 1e-3 })
  local loss_fn = opts.loss or nabla.nn.CrossEntropyLoss()
  local sched = opts.scheduler
  local history = opts.history or { epoch = {}, loss = {}, accuracy = {}, val_loss = {}, val_accuracy = {}, lr = {}, time = {} }
  local start_epoch = 1
  local best, bad_epochs = math.huge, 0
  -- early_stop.restore_best: a copy of the weights of the best epoch so far, put back at
  -- the end (what early stopping means: the model kept is the one of the best epoch)
  local best_state, best_epoch = nil, nil
  if opts.resume then
    local ck = require("nabla.trainstate")
    local state = ck.load_training(opts.resume, model, opt, { scheduler = sched })
    start_epoch = (state.epoch or 0) + 1
    if state.history then history = state.history end
    -- early stopping carries on counting; the loader's shuffles continue with the next epoch's
    local es = state.metadata and state.metadata.early_stop
    if es then
      local b, n = es:match("^(%S+) (%d+)$")
      best, bad_epochs = tonumber(b) or math.huge, math.tointeger(tonumber(n)) or 0
    end
    if type(loader) == "table" and math.type(rawget(loader, "epoch")) == "integer" then loader.epoch = state.epoch or 0 end
    if not opts.quiet then print(L("resumed from ", "이어서 학습: ") .. opts.resume .. (" (epoch %d)"):format(state.epoch or 0)) end
  end
  -- val_name (e.g. "val5000-seed1"): log.csv gains the columns selected_on (that name: the
  -- split the model is chosen on) and best (1 where best.safetensors was written)
  local log_cols = { "epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds" }
  if opts.val_name then log_cols[#log_cols + 1] = "selected_on"; log_cols[#log_cols + 1] = "best" end
  local log = open_log(opts.log, log_cols)
  local tty = opts.progress
  -- quiet: no bar either; a Jupyter notebook shows the bar too (its kernel sends the
  -- line's last version every 0.1 s)
  if tty == nil then
    tty = not opts.quiet and (nabla.isatty and nabla.isatty() or rawget(nabla, "frontend") == "jupyter") or false
  end
  local monitor = opts.early_stop and (opts.early_stop.monitor or (opts.val and "val_loss" or "loss"))
  local nb = loader_length(loader)
  if opts.live or opts.steps then history.steps = history.steps or { loss = {}, accuracy = {} } end
  local live = opts.live and M.live(opts, epochs, nb, history) or nil
  local where = { epoch = start_epoch, batch = 0 }
  if events.listening("fit_start") then events.emit("fit_start", { model = model, epochs = epochs, steps = nb }) end
  local last_emit, global_step = -math.huge, 0

  local function epochs_loop()
  for epoch = start_epoch, epochs do
    where.epoch, where.batch = epoch, 0
    if model.train then model:train() end
    local t0 = now()
    local sum_loss, seen, hits, i = 0, 0, 0, 0
    for x, y in batches(loader) do
      i = i + 1
      local out = model(x)
      local loss = loss_fn(out, y)
      opt:zero_grad()
      loss:backward()
      if opts.clip_grad then nabla.nn.utils.clip_grad_norm_(model:parameters(), opts.clip_grad) end
      opt:step()
      if sched and opts.scheduler_per_batch then sched:step() end
      local b = x.shape[1]
      local lv = loss:item()
      if lv ~= lv then
        error(L(("fit: the loss became NaN at epoch %d, batch %d — try a smaller learning rate"):format(epoch, i),
                ("fit: %d 에폭 %d 번째 배치에서 손실이 NaN이 되었습니다 — 학습률을 줄여 보세요"):format(epoch, i)), 2)
      end
      sum_loss, seen = sum_loss + lv * b, seen + b
      if y:dim() == 1 then
        local c = nabla.no_grad(function() return correct(out, y) end)
        if c then hits = hits + c end
      end
      global_step = global_step + 1
      where.batch = i
      if history.steps then
        local st = history.steps
        st.loss[#st.loss + 1] = lv
        if y:dim() == 1 and out:dim() == 2 then
          local c = nabla.no_grad(function() return correct(out, y) end)
          st.accuracy[#st.accuracy + 1] = c and c / b or nil
        end
      end
      events.poll()     -- the classroom server answers its requests between steps
      -- at most STEP_EVERY apart, and always the last step of an epoch (a curve ends where
      -- its epoch ends, however fast the epoch ran)
      if events.listening("train_step") and (now() - last_emit >= STEP_EVERY or i == nb) then
        last_emit = now()
        events.emit("train_step", { epoch = epoch, epochs = epochs, step = i, steps = nb, global_step = global_step,
          loss = lv, lr = opt.param_groups and opt.param_groups[1].lr or nil,
          images_per_s = seen / math.max(now() - t0, 1e-9), grad_norms = grad_norms(model) })
      end
      if not live and tty and (i % 10 == 0) then
        local el = now() - t0
        progress_bar(epoch, epochs, i, nb, sum_loss / seen, seen / math.max(el, 1e-9), nb and el / i * (nb - i))
      end
    end
    if seen == 0 then error(L("fit: the loader gave no batches", "fit: 로더가 배치를 하나도 주지 않았습니다"), 2) end
    local elapsed = now() - t0
    local row = { epoch = epoch, loss = sum_loss / seen, accuracy = hits > 0 and hits / seen or nil, time = elapsed,
                  lr = opt.param_groups and opt.param_groups[1].lr or nil }
    if opts.val then
      local ev = M.evaluate(model, opts.val, { loss = loss_fn })
      row.val_loss, row.val_accuracy = ev.loss, ev.accuracy
    end
    if events.listening("epoch") then
      events.emit("epoch", { epoch = epoch, epochs = epochs, train_loss = row.loss, train_acc = row.accuracy,
        val_loss = row.val_loss, val_acc = row.val_accuracy, lr = row.lr, seconds = elapsed })
    end
    local n = #history.epoch + 1     -- taken before the loop: history.epoch grows inside it
    for k, v in pairs(row) do
      history[k] = history[k] or {}
      history[k][n] = v
    end
    if sched and not opts.scheduler_per_batch then
      if sched.is_plateau or (getmetatable(sched) and sched.mode and sched.patience) then sched:step(row.val_loss or row.loss)
      else sched:step() end
    end
    if tty and not live then io.write(CLEAR) end
    if not opts.quiet then
      local parts = { ("%s %d/%d"):format(L("epoch", "에폭"), epoch, epochs), ("loss %.4f"):format(row.loss) }
      if row.accuracy then parts[#parts + 1] = ("acc %.2f%%"):format(100 * row.accuracy) end
      if row.val_loss then parts[#parts + 1] = ("val_loss %.4f"):format(row.val_loss) end
      if row.val_accuracy then parts[#parts + 1] = ("val_acc %.2f%%"):format(100 * row.val_accuracy) end
      parts[#parts + 1] = fmt_time(elapsed)
      print(table.concat(parts, "  "))
    end
    local value = monitor and row[monitor] or row.val_loss or row.loss
    local improved = value < best - ((opts.early_stop and opts.early_stop.min_delta) or 0)
    if improved then best, bad_epochs = value, 0 else bad_epochs = bad_epochs + 1 end
    if improved and opts.early_stop and opts.early_stop.restore_best then
      best_state, best_epoch = {}, epoch
      for k, t in pairs(model:state_dict()) do
        if nabla.is_tensor(t) then best_state[k] = t:clone() end
      end
    end
    if log then
      log:write(("%d,%.6f,%s,%s,%s,%s,%.3f"):format(epoch, row.loss, row.accuracy or "", row.val_loss or "",
        row.val_accuracy or "", row.lr or "", elapsed))
      if opts.val_name then log:write((",%s,%d"):format(tostring(opts.val_name):gsub("[,\n]", " "), improved and 1 or 0)) end
      log:write("\n")
      log:flush()
    end
    if opts.checkpoint then
      local ck = require("nabla.trainstate")
      local extra = { epoch = epoch, history = history, scheduler = sched,
                      early_stop = ("%.17g %d"):format(best, bad_epochs) }
      ck.save_training(opts.checkpoint .. "/last.safetensors", model, opt, extra)
      if improved then ck.save_training(opts.checkpoint .. "/best.safetensors", model, opt, extra) end
    end
    if opts.early_stop and bad_epochs >= (opts.early_stop.patience or 3) then
      if not opts.quiet then
        print(L(("early stop: %s did not improve for %d epochs"):format(monitor, bad_epochs),
                ("조기 종료: %s 값이 %d 에폭 동안 나아지지 않았습니다"):format(monitor, bad_epochs)))
      end
      break
    end
  end
  end

  -- Ctrl-C stops the training and keeps what was learnt: the history so far is returned
  -- (h.interrupted = true), the interruption said on its own line after the progress bar.
  local ok, err = pcall(epochs_loop)
  if best_state then
    model:load_state_dict(best_state)
    history.best_epoch = best_epoch
    if not opts.quiet then
      print(L(("early stop: restored the weights of epoch %d"):format(best_epoch),
              ("조기 종료: %d 에폭의 가중치로 되돌렸습니다"):format(best_epoch)))
    end
  end
  if log then log:close() end
  if live then live:finish() end
  if events.listening("fit_end") then events.emit("fit_end", { history = history }) end
  if not ok then
    if not (type(err) == "string" and err:match("interrupted!$")) then error(err, 0) end
    if tty or live then io.write(CLEAR) end
    history.interrupted = true
    io.write(L(("fit: interrupted (Ctrl-C) in epoch %d after %d batch%s; the history so far is returned (%d epoch%s done)\n")
                 :format(where.epoch, where.batch, where.batch == 1 and "" or "es", #history.epoch, #history.epoch == 1 and "" or "s"),
               ("fit: %d 에폭에서 배치 %d개를 마친 뒤 중단했습니다 (Ctrl-C). 지금까지의 기록을 돌려줍니다 (%d 에폭 완료)\n")
                 :format(where.epoch, where.batch, #history.epoch)))
    io.flush()
  end
  return M.history(history)
end

-- ---- the history fit returns ------------------------------------------------------------------

-- A history prints as a summary (nabla.repr) and draws itself: h:plot().
local History = { __name = "history" }
History.__index = {
  plot = function(h, popts)
    local plot = require "nabla.plot"
    local series = {}
    for _, k in ipairs({ "loss", "val_loss" }) do
      if type(h[k]) == "table" and #h[k] > 0 then series[k] = h[k] end
    end
    if next(series) == nil and h.steps then series.loss = h.steps.loss end
    popts = popts or {}
    popts.xlabel = popts.xlabel or L("epoch", "에폭")
    return plot.lines(series, popts)
  end,
}
History.__tostring = function(h) return require("nabla.repr").history(h) end
function M.history(h)
  if type(h) == "table" and getmetatable(h) == nil then setmetatable(h, History) end
  return h
end

-- ---- live curves ------------------------------------------------------------------------------

-- fit{..., live = true}: on a terminal, the loss and accuracy of every step redrawn in
-- place at each train_step event (at most ten a second); elsewhere one
-- line an epoch as usual, and the curves once at the end.
local live_count = 0
function M.live(opts, epochs, nb, history)
  local term = require "nabla.term"
  local tty = nabla.isatty and nabla.isatty(1)
  local self = { lines = 0, tty = tty }
  -- in a Jupyter notebook: the curves as SVG figures redrawn in place (nabla.display with an
  -- id), at most four times a second
  if rawget(nabla, "frontend") == "jupyter" then
    live_count = live_count + 1
    local id = "nabla-live-" .. live_count
    local shown, last = false, -math.huge
    local function show(title)
      local plot, display = require "nabla.plot", require "nabla.display"
      local st = history.steps
      if #st.loss == 0 then return end
      local figs = { { "loss", st.loss, { title = title, ylabel = "loss", xlabel = L("step", "스텝"), print = false } } }
      if #st.accuracy > 0 then
        figs[2] = { "acc", st.accuracy, { ylabel = "acc", xlabel = L("step", "스텝"), ylim = { 0, 1 }, print = false } }
      end
      for _, f in ipairs(figs) do
        local text = plot.line(f[2], f[3])
        local obj = display.new("plot", text, { figure = plot.last,
          svg = function(d) return require("nabla.plot.svg").render(d.figure) end })
        nabla.display(obj, { id = id .. "-" .. f[1], update = shown })
      end
      shown = true
    end
    self.on_step = function(e)
      if now() - last < 0.25 then return end
      last = now()
      show(("%s %d/%d  %s %d%s  loss %.4f"):format(L("epoch", "에폭"), e.epoch, e.epochs,
        L("step", "스텝"), e.step, e.steps and ("/" .. e.steps) or "", history.steps.loss[#history.steps.loss] or e.loss))
    end
    events.on("train_step", self.on_step)
    function self:finish()
      events.off("train_step", self.on_step)
      show(L("loss and accuracy at every step", "스텝별 손실과 정확도"))
    end
    return self
  end
  local function draw(title)
    local plot = require "nabla.plot"
    local st = history.steps
    if #st.loss == 0 then return "" end
    local width = math.min(term.columns(), 100)
    local parts = { plot.line(st.loss, { title = title, ylabel = "loss", xlabel = L("step", "스텝"),
                                         width = width, height = 7, print = false }) }
    if #st.accuracy > 0 then
      parts[#parts + 1] = plot.line(st.accuracy, { ylabel = "acc", width = width, height = 5,
                                                   ylim = { 0, 1 }, print = false })
    end
    return table.concat(parts, "\n")
  end
  local function erase()
    if self.lines > 0 then io.write(("\27[%dA\r\27[J"):format(self.lines)) end
    self.lines = 0
  end
  -- a listener of fit's events (lua/nabla/events.lua), like the dashboard: train_step
  -- comes at most ten times a second, which is the redraw rate
  self.on_step = function(e)
    if not self.tty then return end
    local st = history.steps
    local title = ("%s %d/%d  %s %d%s  loss %.4f"):format(L("epoch", "에폭"), e.epoch, e.epochs,
      L("step", "스텝"), e.step, e.steps and ("/" .. e.steps) or "", st.loss[#st.loss] or e.loss)
    local text = draw(title)
    -- back to where the last drawing started, clear below, draw again
    erase()
    io.write(text, "\n")
    io.flush()
    local n = 1
    for _ in text:gmatch("\n") do n = n + 1 end
    self.lines = n
  end
  -- the drawing gives way to the epoch's line; the next epoch draws below it
  self.on_epoch = function() erase() end
  events.on("train_step", self.on_step)
  events.on("epoch", self.on_epoch)
  function self:finish()
    events.off("train_step", self.on_step)
    events.off("epoch", self.on_epoch)
    erase()
    if #history.steps.loss > 0 then
      print(draw(L("loss and accuracy at every step", "스텝별 손실과 정확도")))
    end
  end
  return self
end
doc(M.fit, "fit(model, loader, {epochs, optimizer, loss, val, ...})", "train a model; returns the history", "모델을 학습시키고 기록을 돌려줍니다", "Training")

return M

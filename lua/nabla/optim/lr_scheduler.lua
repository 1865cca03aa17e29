-- Learning-rate schedulers (torch.optim.lr_scheduler): each changes group.lr in its
-- optimizer's param_groups when you call sched:step(), once per epoch (or per batch for
-- OneCycleLR), after opt:step(). sched:get_last_lr() lists the current rate of each group.
-- The sequences are PyTorch 1.13's, computed the same way (its recursive "chainable"
-- forms, so that other changes to group.lr compose as they do there).
--   StepLR{step_size, gamma = 0.1}        lr · gamma every step_size steps
--   ExponentialLR{gamma}                  lr · gamma every step
--   CosineAnnealingLR{T_max, eta_min = 0} half a cosine from lr down to eta_min in T_max
--   OneCycleLR{max_lr, total_steps, ...}  warm up to max_lr, then anneal far below
--   ReduceLROnPlateau{mode = "min", factor = 0.1, patience = 10, ...}: sched:step(metric)
--                                         lr · factor when the metric stops improving
local doc = require "nabla.doc"
local M = {}
doc(M, { name = "optim.lr_scheduler", sig = "optim.lr_scheduler.StepLR(opt, {...}), ...", kind = "module", en = "learning-rate schedules: call sched:step() once per epoch (OneCycleLR: per batch), after opt:step()", ko = "학습률 스케줄: opt:step() 다음에 에폭마다 sched:step()을 호출합니다 (OneCycleLR는 배치마다)" })

local function check_optimizer(opt, who)
  if type(opt) ~= "table" or type(opt.param_groups) ~= "table" then
    error(who .. ": the first argument must be an optimizer (e.g. optim.SGD(...))", 3)
  end
end

local function check_options(opts, who, allowed)
  if opts == nil then return {} end
  if type(opts) ~= "table" then error(who .. ": options must be a table", 3) end
  for k in pairs(opts) do
    if not allowed[k] then
      local names = {}
      for n in pairs(allowed) do names[#names + 1] = n end
      table.sort(names)
      error(("%s: unknown option '%s'%s (the options are: %s)"):format(
        who, tostring(k), require("nabla.suggest").hint(tostring(k), names), table.concat(names, ", ")), 3)
    end
  end
  return opts
end

local function set(list)
  local s = {}
  for _, k in ipairs(list) do s[k] = true end
  return s
end

local function number_opt(opts, key, default, who, test, what)
  local v = opts[key]
  if v == nil then v = default end
  if type(v) ~= "number" or (test and not test(v)) then
    error(("%s: %s must be %s, got %s"):format(who, key, what or "a number", tostring(v)), 4)
  end
  return v
end

-- The base of the epoch-driven schedulers (PyTorch's _LRScheduler).
local LRScheduler = {}
LRScheduler.__index = LRScheduler

local function init_scheduler(self, opt)
  self.optimizer = opt
  for _, group in ipairs(opt.param_groups) do
    if group.initial_lr == nil then group.initial_lr = group.lr end
  end
  self.base_lrs = {}
  for i, group in ipairs(opt.param_groups) do self.base_lrs[i] = group.initial_lr end
  self.last_epoch = -1
  self._step_count = 0
  self:step()
  return self
end

function LRScheduler:step()
  self._step_count = self._step_count + 1
  self.last_epoch = self.last_epoch + 1
  local lrs = self:get_lr()
  for i, group in ipairs(self.optimizer.param_groups) do group.lr = lrs[i] end
  self._last_lr = self:_current_lrs()
end

function LRScheduler:_current_lrs()
  local lrs = {}
  for i, group in ipairs(self.optimizer.param_groups) do lrs[i] = group.lr end
  return lrs
end

-- the learning rate of each group, as the last step() left it
function LRScheduler:get_last_lr()
  local l = {}
  for i, v in ipairs(self._last_lr or self:_current_lrs()) do l[i] = v end
  return l
end

-- Everything but the optimizer, PyTorch's state_dict of a scheduler.
function LRScheduler:state_dict()
  local sd = {}
  for k, v in pairs(self) do
    if k ~= "optimizer" then
      if type(v) == "table" then
        local c = {}
        for i, x in pairs(v) do c[i] = x end
        v = c
      end
      sd[k] = v
    end
  end
  return sd
end

function LRScheduler:load_state_dict(sd)
  for k, v in pairs(sd) do if k ~= "optimizer" then self[k] = v end end
end

local function scheduler_class(name)
  local class = setmetatable({ name = name }, { __index = LRScheduler,
    __tostring = function() return "optim.lr_scheduler." .. name end })
  class.__index = class
  class.__tostring = function(s)
    local lrs = {}
    for i, v in ipairs(s:get_last_lr()) do lrs[i] = ("%.6g"):format(v) end
    return ("%s (last_epoch %d, lr {%s})"):format(name, s.last_epoch, table.concat(lrs, ", "))
  end
  return class
end

local function group_lrs(self, f)
  local lrs = {}
  for i, group in ipairs(self.optimizer.param_groups) do lrs[i] = f(group, i) end
  return lrs
end

-- StepLR: lr ← lr · gamma every step_size epochs.
local StepLR = scheduler_class("StepLR")
doc(StepLR, "optim.lr_scheduler.StepLR(opt, {step_size=, gamma=0.1})", "multiply the learning rate by gamma every step_size sched:step() calls", "sched:step()을 step_size번 부를 때마다 학습률에 gamma를 곱함")
M.StepLR = StepLR
getmetatable(StepLR).__call = function(_, opt, opts)
  local who = "StepLR"
  check_optimizer(opt, who)
  opts = check_options(opts, who, set { "step_size", "gamma" })
  local self = setmetatable({}, StepLR)
  self.step_size = number_opt(opts, "step_size", nil, who,
    function(v) return v >= 1 and v == math.floor(v) end, "a positive integer")
  self.gamma = number_opt(opts, "gamma", 0.1, who)
  return init_scheduler(self, opt)
end
function StepLR:get_lr()
  if self.last_epoch == 0 or self.last_epoch % self.step_size ~= 0 then
    return group_lrs(self, function(g) return g.lr end)
  end
  return group_lrs(self, function(g) return g.lr * self.gamma end)
end

-- ExponentialLR: lr ← lr · gamma every epoch.
local ExponentialLR = scheduler_class("ExponentialLR")
doc(ExponentialLR, "optim.lr_scheduler.ExponentialLR(opt, {gamma=})", "multiply the learning rate by gamma at every sched:step()", "sched:step()마다 학습률에 gamma를 곱함")
M.ExponentialLR = ExponentialLR
getmetatable(ExponentialLR).__call = function(_, opt, opts)
  local who = "ExponentialLR"
  check_optimizer(opt, who)
  opts = check_options(opts, who, set { "gamma" })
  local self = setmetatable({}, ExponentialLR)
  self.gamma = number_opt(opts, "gamma", nil, who)
  return init_scheduler(self, opt)
end
function ExponentialLR:get_lr()
  if self.last_epoch == 0 then return group_lrs(self, function(g) return g.lr end) end
  return group_lrs(self, function(g) return g.lr * self.gamma end)
end

-- CosineAnnealingLR: η_t = η_min + (η_max − η_min)(1 + cos(π t / T_max)) / 2, computed
-- step by step from the previous lr as PyTorch does (past T_max it climbs back up).
local CosineAnnealingLR = scheduler_class("CosineAnnealingLR")
doc(CosineAnnealingLR, "optim.lr_scheduler.CosineAnnealingLR(opt, {T_max=, eta_min=0})", "lower the learning rate along half a cosine to eta_min over T_max steps", "T_max 단계 동안 학습률을 코사인 곡선을 따라 eta_min까지 낮춤")
M.CosineAnnealingLR = CosineAnnealingLR
getmetatable(CosineAnnealingLR).__call = function(_, opt, opts)
  local who = "CosineAnnealingLR"
  check_optimizer(opt, who)
  opts = check_options(opts, who, set { "T_max", "eta_min" })
  local self = setmetatable({}, CosineAnnealingLR)
  self.T_max = number_opt(opts, "T_max", nil, who, function(v) return v > 0 end, "a positive number")
  self.eta_min = number_opt(opts, "eta_min", 0, who)
  return init_scheduler(self, opt)
end
function CosineAnnealingLR:get_lr()
  local e, T, eta_min, pi = self.last_epoch, self.T_max, self.eta_min, math.pi
  if e == 0 then return group_lrs(self, function(g) return g.lr end) end
  if self._step_count == 1 and e > 0 then
    return group_lrs(self, function(_, i)
      return eta_min + (self.base_lrs[i] - eta_min) * (1 + math.cos(e * pi / T)) / 2
    end)
  end
  if (e - 1 - T) % (2 * T) == 0 then
    return group_lrs(self, function(g, i)
      return g.lr + (self.base_lrs[i] - eta_min) * (1 - math.cos(pi / T)) / 2
    end)
  end
  return group_lrs(self, function(g)
    return (1 + math.cos(pi * e / T)) / (1 + math.cos(pi * (e - 1) / T)) * (g.lr - eta_min) + eta_min
  end)
end

-- OneCycleLR (Smith & Topin, 2017), stepped once per batch: the lr rises from
-- max_lr/div_factor to max_lr over the first pct_start of total_steps, then falls to
-- initial_lr/final_div_factor; momentum (SGD) or beta1 (Adam) moves the opposite way,
-- between max_momentum and base_momentum. three_phase: up, back down to initial_lr, then
-- down to the minimum.
local OneCycleLR = scheduler_class("OneCycleLR")
doc(OneCycleLR, "optim.lr_scheduler.OneCycleLR(opt, {max_lr=, total_steps=, pct_start=0.3, anneal_strategy='cos', div_factor=25, final_div_factor=1e4, three_phase=false})", "warm up to max_lr then anneal; step once per batch", "학습률을 max_lr까지 올렸다가 낮춤 (배치마다 step)")
M.OneCycleLR = OneCycleLR
local function per_group(v, n, name, who)
  if type(v) == "table" then
    if #v ~= n then error(("%s: expected %d values for %s, got %d"):format(who, n, name, #v), 4) end
    return v
  end
  if type(v) ~= "number" then error(("%s: %s must be a number"):format(who, name), 4) end
  local l = {}
  for i = 1, n do l[i] = v end
  return l
end
getmetatable(OneCycleLR).__call = function(_, opt, opts)
  local who = "OneCycleLR"
  check_optimizer(opt, who)
  opts = check_options(opts, who, set { "max_lr", "total_steps", "epochs", "steps_per_epoch",
    "pct_start", "anneal_strategy", "cycle_momentum", "base_momentum", "max_momentum",
    "div_factor", "final_div_factor", "three_phase" })
  local self = setmetatable({}, OneCycleLR)
  local is_posint = function(v) return v >= 1 and v == math.floor(v) end
  if opts.total_steps ~= nil then
    self.total_steps = number_opt(opts, "total_steps", nil, who, is_posint, "a positive integer")
  elseif opts.epochs ~= nil and opts.steps_per_epoch ~= nil then
    self.total_steps = number_opt(opts, "epochs", nil, who, is_posint, "a positive integer")
      * number_opt(opts, "steps_per_epoch", nil, who, is_posint, "a positive integer")
  else
    error(who .. ": give total_steps, or epochs and steps_per_epoch", 2)
  end
  local pct = number_opt(opts, "pct_start", 0.3, who,
    function(v) return v >= 0 and v <= 1 end, "a number between 0 and 1")
  local div_factor = number_opt(opts, "div_factor", 25, who)
  local final_div_factor = number_opt(opts, "final_div_factor", 1e4, who)
  local n = self.total_steps
  if opts.three_phase then
    self._schedule_phases = {
      { end_step = pct * n - 1, start_lr = "initial_lr", end_lr = "max_lr",
        start_momentum = "max_momentum", end_momentum = "base_momentum" },
      { end_step = 2 * pct * n - 2, start_lr = "max_lr", end_lr = "initial_lr",
        start_momentum = "base_momentum", end_momentum = "max_momentum" },
      { end_step = n - 1, start_lr = "initial_lr", end_lr = "min_lr",
        start_momentum = "max_momentum", end_momentum = "max_momentum" },
    }
  else
    self._schedule_phases = {
      { end_step = pct * n - 1, start_lr = "initial_lr", end_lr = "max_lr",
        start_momentum = "max_momentum", end_momentum = "base_momentum" },
      { end_step = n - 1, start_lr = "max_lr", end_lr = "min_lr",
        start_momentum = "base_momentum", end_momentum = "max_momentum" },
    }
  end
  self.anneal_strategy = opts.anneal_strategy or "cos"
  if self.anneal_strategy ~= "cos" and self.anneal_strategy ~= "linear" then
    error(who .. ": anneal_strategy must be 'cos' or 'linear', got " .. tostring(self.anneal_strategy), 2)
  end
  if opts.max_lr == nil then error(who .. ": max_lr is required", 2) end
  local groups = opt.param_groups
  local max_lrs = per_group(opts.max_lr, #groups, "max_lr", who)
  for i, group in ipairs(groups) do
    group.initial_lr = max_lrs[i] / div_factor
    group.max_lr = max_lrs[i]
    group.min_lr = group.initial_lr / final_div_factor
  end
  self.cycle_momentum = opts.cycle_momentum ~= false
  if self.cycle_momentum then
    local d = opt.defaults or {}
    if d.momentum == nil and d.betas == nil then
      error(who .. ": the optimizer has no momentum or betas to cycle (pass cycle_momentum = false)", 2)
    end
    self.use_beta1 = d.betas ~= nil
    local maxm = per_group(opts.max_momentum or 0.95, #groups, "max_momentum", who)
    local basem = per_group(opts.base_momentum or 0.85, #groups, "base_momentum", who)
    for i, group in ipairs(groups) do
      if self.use_beta1 then group.betas = { maxm[i], group.betas[2] }
      else group.momentum = maxm[i] end
      group.max_momentum = maxm[i]
      group.base_momentum = basem[i]
    end
  end
  return init_scheduler(self, opt)
end
local function anneal(strategy, start, stop, pct)
  if strategy == "cos" then return stop + (start - stop) / 2.0 * (math.cos(math.pi * pct) + 1) end
  return (stop - start) * pct + start
end
function OneCycleLR:get_lr()
  local step = self.last_epoch
  if step > self.total_steps then
    error(("OneCycleLR: tried to step %d times; total_steps is %d"):format(step + 1, self.total_steps), 3)
  end
  local phases = self._schedule_phases
  return group_lrs(self, function(group)
    local start_step, lr, momentum = 0, nil, nil
    for i, ph in ipairs(phases) do
      if step <= ph.end_step or i == #phases then
        local pct = (step - start_step) / (ph.end_step - start_step)
        lr = anneal(self.anneal_strategy, group[ph.start_lr], group[ph.end_lr], pct)
        if self.cycle_momentum then
          momentum = anneal(self.anneal_strategy, group[ph.start_momentum], group[ph.end_momentum], pct)
        end
        break
      end
      start_step = ph.end_step
    end
    if self.cycle_momentum then
      if self.use_beta1 then group.betas = { momentum, group.betas[2] }
      else group.momentum = momentum end
    end
    return lr
  end)
end

-- ReduceLROnPlateau: lr ← max(lr · factor, min_lr) once the metric passed to
-- sched:step(metric) has not improved for more than `patience` steps; then wait
-- `cooldown` steps before counting again. "Improved" means below best · (1 − threshold)
-- (mode "min", threshold_mode "rel"), or best − threshold ("abs"); mirrored for "max".
local ReduceLROnPlateau = scheduler_class("ReduceLROnPlateau")
doc(ReduceLROnPlateau, "optim.lr_scheduler.ReduceLROnPlateau(opt, {mode='min', factor=0.1, patience=10, threshold=1e-4, threshold_mode='rel', cooldown=0, min_lr=0})", "sched:step(val_loss) lowers the learning rate when the metric stops improving", "sched:step(검증 손실)에서 지표가 나아지지 않으면 학습률을 낮춤")
M.ReduceLROnPlateau = ReduceLROnPlateau
ReduceLROnPlateau.is_plateau = true -- step(metric), not step(): what fit() looks for
getmetatable(ReduceLROnPlateau).__call = function(_, opt, opts)
  local who = "ReduceLROnPlateau"
  check_optimizer(opt, who)
  opts = check_options(opts, who, set { "mode", "factor", "patience", "threshold",
    "threshold_mode", "cooldown", "min_lr", "eps" })
  local self = setmetatable({}, ReduceLROnPlateau)
  self.optimizer = opt
  self.factor = number_opt(opts, "factor", 0.1, who, function(v) return v < 1 end, "below 1")
  local n = #opt.param_groups
  self.min_lrs = per_group(opts.min_lr or 0, n, "min_lr", who)
  self.patience = number_opt(opts, "patience", 10, who)
  self.cooldown = number_opt(opts, "cooldown", 0, who)
  self.threshold = number_opt(opts, "threshold", 1e-4, who)
  self.eps = number_opt(opts, "eps", 1e-8, who)
  self.mode = opts.mode or "min"
  self.threshold_mode = opts.threshold_mode or "rel"
  if self.mode ~= "min" and self.mode ~= "max" then
    error(who .. ": mode must be 'min' or 'max', got " .. tostring(self.mode), 2)
  end
  if self.threshold_mode ~= "rel" and self.threshold_mode ~= "abs" then
    error(who .. ": threshold_mode must be 'rel' or 'abs', got " .. tostring(self.threshold_mode), 2)
  end
  self.mode_worse = self.mode == "min" and math.huge or -math.huge
  self.last_epoch = 0
  self.best = self.mode_worse
  self.cooldown_counter = 0
  self.num_bad_epochs = 0
  return self
end
function ReduceLROnPlateau:is_better(a, best)
  if self.mode == "min" and self.threshold_mode == "rel" then return a < best * (1 - self.threshold)
  elseif self.mode == "min" then return a < best - self.threshold
  elseif self.threshold_mode == "rel" then return a > best * (self.threshold + 1)
  else return a > best + self.threshold end
end
function ReduceLROnPlateau:step(metric)
  if type(metric) ~= "number" then
    local ok, v = pcall(function() return metric:item() end)
    if not ok or type(v) ~= "number" then
      error("ReduceLROnPlateau: step(metric) needs the metric (a number or a one-element tensor)", 2)
    end
    metric = v
  end
  self.last_epoch = self.last_epoch + 1
  if self:is_better(metric, self.best) then
    self.best = metric
    self.num_bad_epochs = 0
  else
    self.num_bad_epochs = self.num_bad_epochs + 1
  end
  if self.cooldown_counter > 0 then
    self.cooldown_counter = self.cooldown_counter - 1
    self.num_bad_epochs = 0 -- bad epochs in cooldown do not count
  end
  if self.num_bad_epochs > self.patience then
    for i, group in ipairs(self.optimizer.param_groups) do
      local old = group.lr
      local new = math.max(old * self.factor, self.min_lrs[i])
      if old - new > self.eps then group.lr = new end
    end
    self.cooldown_counter = self.cooldown
    self.num_bad_epochs = 0
  end
  self._last_lr = self:_current_lrs()
end
function ReduceLROnPlateau:__tostring()
  return ("ReduceLROnPlateau (mode %s, best %g, %d bad epochs, lr %g)"):format(
    self.mode, self.best, self.num_bad_epochs, self.optimizer.param_groups[1].lr)
end

return M

-- Optimizers, schedulers and gradient clipping against PyTorch 1.13 (tests/golden/optim.lua,
-- written by tests/golden/gen_optim.py): the same gradients go in, the same parameters must
-- come out at every one of 20 steps (rtol 1e-4); lr sequences of every scheduler;
-- state_dict round trips; clip_grad_norm_; and the errors a learner can cause.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local optim = nabla.optim
local G = T.golden("optim")

local RTOL, ATOL = 1e-4, 1e-5

local function fresh_params()
  local ps = {}
  for i, g in ipairs(G.params0) do ps[i] = T.from_golden(g):clone():requires_grad() end
  return ps
end

local function make_opt(case, ps)
  local class = optim[case.class]
  if case.groups then
    local groups = {}
    for gi, g in ipairs(case.groups) do
      local group = {}
      for k, v in pairs(g) do group[k] = v end
      group.params = {}
      for i, id in ipairs(g.params) do group.params[i] = ps[id] end
      groups[gi] = group
    end
    return class(groups, case.options)
  end
  return class(ps, case.options)
end

-- the step-t gradients of golden into the parameters (p2 gets none at G.skip_p2_at)
local function set_grads(ps, t)
  local g = G.grads[t]
  ps[1].grad = T.from_golden(g[1])
  ps[2].grad = g[2] and T.from_golden(g[2]) or nil
end

local function check_step(name, ps, case, t)
  for i, p in ipairs(ps) do
    T.near(p, case.params[t][i].data, RTOL, ATOL, ("%s: param %d after step %d"):format(name, i, t))
  end
end

local function max_rel_err(ps, case, t)
  local m = 0
  for i, p in ipairs(ps) do
    local a, b = T.flat(p), case.params[t][i].data
    for k = 1, #a do m = math.max(m, math.abs(a[k] - b[k]) / math.max(math.abs(b[k]), 1e-3)) end
  end
  return m
end

local names = {}
for name in pairs(G.optimizers) do names[#names + 1] = name end
table.sort(names)

-- ---- trajectories ---------------------------------------------------------------------
for _, name in ipairs(names) do
  local case = G.optimizers[name]
  T.test("trajectory " .. name, function()
    local ps = fresh_params()
    local opt = make_opt(case, ps)
    local worst = 0
    for t = 1, G.steps do
      opt:zero_grad()
      set_grads(ps, t)
      opt:step()
      check_step(name, ps, case, t)
      worst = math.max(worst, max_rel_err(ps, case, t))
    end
    print(("       %-28s 20 steps, max relative error %.2e"):format(name, worst))
  end)
end

T.test("a parameter without grad is skipped (no update, no state)", function()
  local ps = fresh_params()
  local opt = optim.Adam(ps, { lr = 0.1 })
  local before = ps[2]:tolist()
  ps[1].grad = nabla.ones(3, 4)
  opt:step()
  T.near(ps[2], before, 0, 0, "p2 unchanged")
  T.ok(opt.state[ps[2]] == nil, "no state for p2")
  T.eq(opt.state[ps[1]].step, 1, "p1 stepped once")
end)

T.test("zero_grad sets grads to nil, zero_grad(false) fills zeros", function()
  local ps = fresh_params()
  local opt = optim.SGD(ps, { lr = 0.1 })
  set_grads(ps, 1)
  opt:zero_grad()
  T.ok(ps[1].grad == nil and ps[2].grad == nil, "grads are nil")
  set_grads(ps, 1)
  opt:zero_grad(false)
  T.near(ps[1].grad, nabla.zeros(3, 4), 0, 0, "zeroed p1.grad")
  T.near(ps[2].grad, nabla.zeros(4), 0, 0, "zeroed p2.grad")
  opt:zero_grad { set_to_none = true }
  T.ok(ps[1].grad == nil, "set_to_none = true")
end)

T.test("step(closure) re-evaluates and returns the loss", function()
  local ps = fresh_params()
  local opt = optim.SGD(ps, { lr = 0.1 })
  local calls = 0
  local loss = opt:step(function()
    calls = calls + 1
    T.ok(nabla.is_grad_enabled(), "closure runs with gradients on")
    set_grads(ps, 1)
    return 42
  end)
  T.eq(calls, 1, "closure called once")
  T.eq(loss, 42, "loss returned")
  T.near(ps[1], G.optimizers.sgd.params[1][1].data, RTOL, ATOL, "stepped with the closure's grads")
end)

T.test("param_groups are readable and writable (lr changes take effect)", function()
  local ps = fresh_params()
  local opt = optim.SGD(ps, { lr = 0.5 })
  T.eq(#opt.param_groups, 1, "one group")
  T.eq(opt.param_groups[1].lr, 0.5, "lr")
  T.eq(opt.param_groups[1].momentum, 0, "default momentum filled in")
  T.ok(opt.param_groups[1].params[1] == ps[1], "the group holds the parameters")
  opt.param_groups[1].lr = 0.1 -- now the golden plain-SGD run
  set_grads(ps, 1)
  opt:step()
  T.near(ps[1], G.optimizers.sgd.params[1][1].data, RTOL, ATOL, "lr = 0.1 used")
  local w = nabla.zeros(2):requires_grad()
  opt:add_param_group { params = { w }, lr = 1 }
  T.eq(#opt.param_groups, 2, "added a group")
  w.grad = nabla.ones(2)
  opt:step()
  T.near(w, { -1, -1 }, 1e-6, 1e-6, "the new group's lr")
  T.ok(tostring(opt):find("Parameter Group 2", 1, true), "tostring lists groups")
end)

T.test("every optimizer descends a quadratic through backward()", function()
  local target = nabla.tensor { { 1, -2, 3 }, { 0.5, 0, -1 } }
  local function dist(w)
    local s = 0
    for _, v in ipairs(T.flat(nabla.no_grad(function() return w - target end))) do s = s + v * v end
    return math.sqrt(s)
  end
  local cases = {
    { "SGD", { lr = 0.1 } }, { "SGD", { lr = 0.05, momentum = 0.9, nesterov = true } },
    { "Adagrad", { lr = 0.5 } }, { "Adadelta", { lr = 1.0 } }, { "RMSprop", { lr = 0.05 } },
    { "Adam", { lr = 0.1 } }, { "AdamW", { lr = 0.1, weight_decay = 0 } },
  }
  for _, c in ipairs(cases) do
    local w = nabla.zeros(2, 3):requires_grad()
    local opt = optim[c[1]]({ w }, c[2])
    local d0 = dist(w)
    for _ = 1, 150 do
      opt:zero_grad()
      local loss = (w - target) ^ 2 -- elementwise; d/dw = 2 (w - target)
      loss:backward(nabla.ones(2, 3))
      opt:step()
    end
    local d = dist(w)
    -- Adadelta starts with tiny steps (√ε / √v): it only has to make progress
    local want = c[1] == "Adadelta" and 0.99 * d0 or 0.1 * d0
    T.ok(d < want, ("%s: distance to the minimum %.4g -> %.4g"):format(c[1], d0, d))
  end
end)

-- ---- state_dict -----------------------------------------------------------------------
for _, name in ipairs { "sgd_nesterov", "sgd_groups", "adagrad_all", "adadelta_all",
                        "rmsprop_centered_momentum", "adam_amsgrad_all", "adamw_amsgrad",
                        "adam_groups" } do
  local case = G.optimizers[name]
  T.test("state_dict round trip " .. name, function()
    local ps = fresh_params()
    local opt = make_opt(case, ps)
    for t = 1, 10 do opt:zero_grad(); set_grads(ps, t); opt:step() end
    local sd = opt:state_dict()
    T.ok(sd.state[1] ~= nil and sd.state[2] ~= nil, "state for both parameters")
    T.eq(#sd.param_groups, #opt.param_groups, "groups saved")
    T.eq(sd.param_groups[1].lr, opt.param_groups[1].lr, "group options saved")
    -- the optimizer goes on; the saved copy must not move with it
    local saved = {}
    for k, v in pairs(sd.state[1]) do if nabla.is_tensor(v) then saved[k] = v:tolist() end end
    for t = 11, 12 do opt:zero_grad(); set_grads(ps, t); opt:step() end
    for k, v in pairs(saved) do T.near(sd.state[1][k], v, 0, 0, "saved " .. k .. " is a copy") end
    -- a fresh optimizer on fresh copies of the step-10 parameters continues identically
    local qs = {}
    for i = 1, 2 do qs[i] = T.from_golden(case.params[10][i]):clone():requires_grad() end
    local opt2 = make_opt(case, qs)
    opt2:load_state_dict(sd)
    for t = 11, G.steps do
      opt2:zero_grad(); set_grads(qs, t); opt2:step()
      check_step(name .. " (reloaded)", qs, case, t)
    end
  end)
end

T.test("state_dict layout (PyTorch's, 1-based)", function()
  local ps = fresh_params()
  local opt = optim.Adam({ { params = { ps[1] } }, { params = { ps[2] }, lr = 0.5 } }, { lr = 0.01 })
  set_grads(ps, 1)
  opt:step()
  local sd = opt:state_dict()
  T.eq(sd.param_groups[1].params[1], 1, "group 1 holds parameter 1")
  T.eq(sd.param_groups[2].params[1], 2, "group 2 holds parameter 2")
  T.eq(sd.param_groups[2].lr, 0.5, "per-group lr")
  T.eq(sd.param_groups[1].betas[2], 0.999, "betas")
  T.eq(sd.state[1].step, 1, "step count")
  T.ok(nabla.is_tensor(sd.state[1].exp_avg) and nabla.is_tensor(sd.state[2].exp_avg_sq), "moments")
  T.eq(sd.state[1].max_exp_avg_sq, nil, "no AMSGrad buffer")
end)

-- ---- schedulers -----------------------------------------------------------------------
local snames = {}
for name in pairs(G.schedulers) do snames[#snames + 1] = name end
table.sort(snames)
for _, name in ipairs(snames) do
  local case = G.schedulers[name]
  T.test("scheduler " .. name, function()
    local a, b = nabla.zeros(2):requires_grad(), nabla.zeros(3):requires_grad()
    local oopts = {}
    for k, v in pairs(case.optimizer_options) do oopts[k] = v end
    local opt = optim[case.optimizer]({ { params = { a }, lr = case.lrs[1] },
                                         { params = { b }, lr = case.lrs[2] } }, oopts)
    local sched = optim.lr_scheduler[case.class](opt, case.options)
    local function momenta()
      local m = {}
      for i, g in ipairs(opt.param_groups) do m[i] = g.betas and g.betas[1] or g.momentum end
      return m
    end
    T.near(sched:get_last_lr(), case.lr[1], 1e-12, 0, name .. ": lr after construction")
    for t = 1, #case.lr - 1 do
      opt:step()
      if case.metrics then sched:step(case.metrics[t]) else sched:step() end
      T.near(sched:get_last_lr(), case.lr[t + 1], 1e-10, 1e-15, ("%s: lr after step %d"):format(name, t))
      T.near({ opt.param_groups[1].lr, opt.param_groups[2].lr }, case.lr[t + 1], 1e-10, 1e-15,
             name .. ": group lr")
      if case.momentum then
        T.near(momenta(), case.momentum[t + 1], 1e-10, 1e-15, ("%s: momentum after step %d"):format(name, t))
      end
    end
  end)
end

T.test("ReduceLROnPlateau takes a tensor metric", function()
  local opt = optim.SGD({ nabla.zeros(1):requires_grad() }, { lr = 1 })
  local s = optim.lr_scheduler.ReduceLROnPlateau(opt, { patience = 0, factor = 0.5 })
  s:step(nabla.tensor(1.0))
  s:step(nabla.tensor(2.0))
  T.eq(opt.param_groups[1].lr, 0.5, "reduced after one bad epoch")
  T.raises(function() s:step() end, "ReduceLROnPlateau", "metric")
end)

T.test("scheduler state_dict round trip", function()
  local function make()
    local opt = optim.SGD({ nabla.zeros(1):requires_grad() }, { lr = 0.1 })
    return opt, optim.lr_scheduler.CosineAnnealingLR(opt, { T_max = 10, eta_min = 0.001 })
  end
  local opt1, s1 = make()
  for _ = 1, 4 do s1:step() end
  local sd, osd = s1:state_dict(), opt1:state_dict()
  local opt2, s2 = make()
  opt2:load_state_dict(osd)
  s2:load_state_dict(sd)
  for _ = 1, 8 do s1:step(); s2:step() end
  T.near(s2:get_last_lr(), s1:get_last_lr(), 1e-12, 0, "same lr after resuming")
end)

T.test("OneCycleLR refuses to run past total_steps", function()
  local opt = optim.SGD({ nabla.zeros(1):requires_grad() }, { lr = 0.1, momentum = 0.9 })
  local s = optim.lr_scheduler.OneCycleLR(opt, { max_lr = 1, total_steps = 3 })
  for _ = 1, 3 do s:step() end
  T.raises(function() s:step() end, "OneCycleLR", "total_steps is 3")
  local plain = optim.Adagrad({ nabla.zeros(1):requires_grad() })
  T.raises(function() optim.lr_scheduler.OneCycleLR(plain, { max_lr = 1, total_steps = 3 }) end,
           "OneCycleLR", "momentum")
  T.raises(function() optim.lr_scheduler.StepLR(opt, { step_size = 0 }) end, "StepLR", "step_size")
  T.raises(function() optim.lr_scheduler.StepLR(opt, { stepsize = 2 }) end, "unknown option 'stepsize'")
  T.raises(function() optim.lr_scheduler.StepLR({}, { step_size = 2 }) end, "optimizer")
end)

-- ---- clip_grad_norm_ --------------------------------------------------------------------
local cnames = {}
for name in pairs(G.clip) do cnames[#cnames + 1] = name end
table.sort(cnames)
for _, name in ipairs(cnames) do
  local case = G.clip[name]
  T.test("clip_grad_norm_ " .. name, function()
    local ps = { nabla.zeros(3, 4):requires_grad(), nabla.zeros(4):requires_grad(),
                 nabla.zeros(2):requires_grad() }
    ps[1].grad = T.from_golden(case.grads[1])
    ps[2].grad = T.from_golden(case.grads[2])
    local nt = case.norm_type
    local total = optim.clip_grad_norm_(ps, case.max_norm, nt)
    T.ok(nabla.is_tensor(total), "returns a tensor")
    T.near(total:item(), case.total_norm, 1e-5, 0, name .. ": total norm")
    T.near(ps[1].grad, case.clipped[1].data, 1e-5, 1e-7, name .. ": clipped grad 1")
    T.near(ps[2].grad, case.clipped[2].data, 1e-5, 1e-7, name .. ": clipped grad 2")
    T.ok(ps[3].grad == nil, "no grad stays no grad")
  end)
end

T.test("clip_grad_norm_ edge cases", function()
  local w = nabla.zeros(2):requires_grad()
  T.eq(optim.clip_grad_norm_({ w }, 1.0):item(), 0, "no grads: norm 0")
  w.grad = nabla.tensor { 3, 4 }
  T.near(optim.clip_grad_norm_(w, 1.0, "inf"), 4, 1e-6, 0, "a single tensor, 'inf'")
  T.raises(function() optim.clip_grad_norm_({ w }, 1.0, -1) end, "clip_grad_norm_", "norm_type")
  T.raises(function() optim.clip_grad_norm_({ w }) end, "clip_grad_norm_", "max_norm")
  w.grad = nabla.tensor { 0 / 0, 1 }
  T.raises(function() optim.clip_grad_norm_({ w }, 1.0, 2, true) end, "non-finite")
end)

-- ---- errors -----------------------------------------------------------------------------
T.test("errors name the optimizer and the problem", function()
  local ps = fresh_params()
  T.raises(function() optim.Adam(ps, { lr = -0.1 }) end, "Adam", "invalid learning rate -0.1")
  T.raises(function() optim.SGD(ps, { lr = "fast" }) end, "SGD", "lr must be a number")
  T.raises(function() optim.SGD(ps) end, "SGD", "lr is required")
  T.raises(function() optim.SGD(ps, { lr = 0.1, nesterov = true }) end, "Nesterov")
  T.raises(function() optim.SGD(ps, { lr = 0.1, mometum = 0.9 }) end, "unknown option 'mometum'",
           "momentum")
  T.raises(function() optim.Adam(ps, { betas = { 0.9, 1.5 } }) end, "Adam", "beta", "index 2")
  T.raises(function() optim.Adam(ps, { betas = 0.9 }) end, "betas must be a pair")
  T.raises(function() optim.Adadelta(ps, { rho = 2 }) end, "Adadelta", "rho")
  T.raises(function() optim.RMSprop(ps, { momentum = -1 }) end, "RMSprop", "momentum")
  T.raises(function() optim.Adagrad(ps, { lr_decay = -1 }) end, "Adagrad", "lr_decay")
  T.raises(function() optim.AdamW({}, {}) end, "AdamW", "empty parameter list")
  T.raises(function() optim.Adam({ ps[1], 3 }) end, "parameter 2", "number", "expected a tensor")
  T.raises(function() optim.Adam({ ps[1], ps[1] }) end, "more than once")
  T.raises(function() optim.Adam({ { params = { ps[1] } }, { params = { ps[1] } } }) end, "more than once")
  T.raises(function() optim.Adam(ps, 0.01) end, "options must be a table")
  T.raises(function() optim.Adam({ ps[1] * 2 }) end, "not a leaf")
  T.raises(function() optim.Adam({ { params = { ps[1] }, lr = -1 } }) end, "invalid learning rate")
  T.raises(function() optim.Adam({ nabla.zeros(3, 4):t():requires_grad() }) end, "not contiguous")
end)

T.test("kernel bindings check shapes and contiguity", function()
  local p, g = nabla.zeros(3, 4), nabla.ones(3, 4)
  local m, v = nabla.zeros(3, 4), nabla.zeros(4)
  T.raises(function() nabla._C._adam_step(p, g, m, v, nil, 1, 0.1, 0.9, 0.999, 1e-8, 0, false, false) end,
           "Adam", "exp_avg_sq has shape [4]", "[3,4]")
  -- the kernels see flat arrays: the same number of elements is enough
  nabla._C._sgd_step(p, nabla.ones(12), nil, true, 0.1, 0, 0, 0, false, false)
  T.near(p, nabla.full({ 3, 4 }, -0.1), 1e-6, 0, "a flat gradient of 12 values")
  T.raises(function() nabla._C._sgd_step(p, nabla.ones(2), nil, true, 0.1, 0, 0, 0, false, false) end,
           "SGD", "grad has shape [2]")
  T.raises(function() nabla._C._sgd_step(nabla.zeros(4, 3):t(), g, nil, true, 0.1, 0, 0, 0, false, false) end,
           "SGD", "not contiguous")
  T.raises(function() nabla._C._sgd_step(p, g, nil, true, 0.1, 0.9, 0, 0, false, false) end,
           "momentum_buffer")
  T.raises(function() nabla._C._adam_step(p, g, m, m, nil, 0, 0.1, 0.9, 0.999, 1e-8, 0, false, false) end,
           "step must be at least 1")
  T.raises(function() nabla._C._rmsprop_step(p, g, m, nil, nil, 0.1, 0.9, 1e-8, 0, 0, true, false) end,
           "centered needs a grad_avg")
  T.raises(function() nabla._C._adagrad_step(p, "x", m, 1, 0.1, 0, 0, 1e-10, false) end,
           "Adagrad", "grad must be a tensor")
  -- a step with a mismatched gradient through the Lua API (grad set behind the
  -- optimizer's back is refused by .grad's own check)
  local w = nabla.zeros(2, 2):requires_grad()
  T.raises(function() w.grad = nabla.ones(3) end, "shape")
end)

T.test("load_state_dict refuses a mismatched state", function()
  local ps = fresh_params()
  local opt = optim.Adam(ps)
  set_grads(ps, 1)
  opt:step()
  local sd = opt:state_dict()
  local other = optim.Adam({ nabla.zeros(5):requires_grad(), nabla.zeros(4):requires_grad() })
  T.raises(function() other:load_state_dict(sd) end, "Adam", "load_state_dict", "shape")
  local one = optim.Adam({ { params = { ps[1] } }, { params = { ps[2] } } })
  T.raises(function() one:load_state_dict(sd) end, "parameter groups")
  T.raises(function() one:load_state_dict(42) end, "state and param_groups")
end)

T.done()

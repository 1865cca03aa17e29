-- Stochastic gradient descent, with momentum and Nesterov momentum (torch.optim.SGD).
-- The rule, in src/optim/sgd.c:
--   g ← ∇θ + λθ                                  (weight_decay λ)
--   b ← μ b + (1 − τ) g   (b = g at the first step)   (momentum μ, dampening τ)
--   g ← g + μ b  if nesterov,  else  g ← b
--   θ ← θ − lr · g
local nabla = require "nabla"
local doc = require "nabla.doc"
local Optimizer = require "nabla.optim.optimizer"

local SGD = Optimizer.class("SGD", {
  lr = Optimizer.required, momentum = 0, dampening = 0, weight_decay = 0,
  nesterov = false, maximize = false,
}, function(group)
  Optimizer.check_nonneg("SGD", group, "lr")
  Optimizer.check_nonneg("SGD", group, "momentum")
  Optimizer.check_nonneg("SGD", group, "weight_decay")
  if type(group.dampening) ~= "number" then error("SGD: dampening must be a number", 0) end
  if group.nesterov and (group.momentum <= 0 or group.dampening ~= 0) then
    error("SGD: Nesterov momentum requires a momentum and zero dampening", 0)
  end
end)

function SGD:update(group, p, grad, state)
  local first = false
  if group.momentum ~= 0 and state.momentum_buffer == nil then
    state.momentum_buffer = nabla.zeros_like(p)
    first = true
  end
  nabla._sgd_step(p, grad, group.momentum ~= 0 and state.momentum_buffer or nil, first,
                  group.lr, group.momentum, group.dampening, group.weight_decay,
                  group.nesterov, group.maximize)
end

doc(SGD, "optim.SGD(params, {lr=, momentum=0, dampening=0, weight_decay=0, nesterov=false})", "stochastic gradient descent, with (Nesterov) momentum", "확률적 경사 하강법 (모멘텀, 네스테로프 모멘텀 선택)")

return SGD

-- RMSprop (torch.optim.RMSprop): divide the gradient by a running RMS of recent gradients.
-- In src/optim/rmsprop.c:
--   g ← ∇θ + λθ
--   v ← α v + (1 − α) g²                          (square_avg)
--   if centered:  ḡ ← α ḡ + (1 − α) g;  v' ← v − ḡ²   (grad_avg; else v' = v)
--   if momentum μ > 0:  b ← μ b + g / (√v' + ε);  θ ← θ − lr · b
--   else:               θ ← θ − lr · g / (√v' + ε)
local nabla = require "nabla"
local doc = require "nabla.doc"
local Optimizer = require "nabla.optim.optimizer"

local RMSprop = Optimizer.class("RMSprop", {
  lr = 1e-2, alpha = 0.99, eps = 1e-8, weight_decay = 0, momentum = 0, centered = false,
  maximize = false,
}, function(group)
  for _, k in ipairs { "lr", "alpha", "eps", "weight_decay", "momentum" } do
    Optimizer.check_nonneg("RMSprop", group, k)
  end
end)

function RMSprop:update(group, p, grad, state)
  if state.square_avg == nil then
    state.step = 0
    state.square_avg = nabla.zeros_like(p)
    if group.momentum > 0 then state.momentum_buffer = nabla.zeros_like(p) end
    if group.centered then state.grad_avg = nabla.zeros_like(p) end
  end
  -- options changed after the first step (e.g. by a scheduler): start the missing buffer
  if group.momentum > 0 and state.momentum_buffer == nil then
    state.momentum_buffer = nabla.zeros_like(p)
  end
  if group.centered and state.grad_avg == nil then state.grad_avg = nabla.zeros_like(p) end
  state.step = state.step + 1
  nabla._C._rmsprop_step(p, grad, state.square_avg, group.centered and state.grad_avg or nil,
                      group.momentum > 0 and state.momentum_buffer or nil, group.lr, group.alpha,
                      group.eps, group.weight_decay, group.momentum, group.centered,
                      group.maximize)
end

doc(RMSprop, "optim.RMSprop(params, {lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=false})", "divide the gradient by a running RMS of recent gradients", "최근 기울기의 이동 제곱평균 제곱근으로 기울기를 나누는 방법")

return RMSprop

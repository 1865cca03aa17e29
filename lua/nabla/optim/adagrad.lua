-- Adagrad (torch.optim.Adagrad): each coordinate's step is divided by the root of the sum
-- of its squared gradients, so often-updated coordinates slow down. In src/optim/adagrad.c:
--   lr_t ← lr / (1 + (t − 1) · lr_decay)
--   g ← ∇θ + λθ
--   sum ← sum + g²                 (sum starts at initial_accumulator_value)
--   θ ← θ − lr_t · g / (√sum + ε)
local nabla = require "nabla"
local doc = require "nabla.doc"
local Optimizer = require "nabla.optim.optimizer"

local Adagrad = Optimizer.class("Adagrad", {
  lr = 1e-2, lr_decay = 0, weight_decay = 0, initial_accumulator_value = 0, eps = 1e-10,
  maximize = false,
}, function(group)
  for _, k in ipairs { "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps" } do
    Optimizer.check_nonneg("Adagrad", group, k)
  end
end)

function Adagrad:update(group, p, grad, state)
  if state.sum == nil then
    state.step = 0
    state.sum = nabla.full_like(p, group.initial_accumulator_value)
  end
  state.step = state.step + 1
  nabla._C._adagrad_step(p, grad, state.sum, state.step, group.lr, group.lr_decay,
                      group.weight_decay, group.eps, group.maximize)
end

doc(Adagrad, "optim.Adagrad(params, {lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10})", "per-coordinate steps shrinking with the sum of squared gradients", "지금까지의 기울기 제곱합으로 좌표마다 학습률을 줄이는 방법")

return Adagrad

-- Adadelta (torch.optim.Adadelta): the step is the ratio of two running RMS values, of
-- past updates and of past gradients, so it needs no learning rate (lr = 1 scales it).
-- In src/optim/adadelta.c:
--   g ← ∇θ + λθ
--   v ← ρ v + (1 − ρ) g²                          (square_avg)
--   Δ ← √(u + ε) / √(v + ε) · g
--   u ← ρ u + (1 − ρ) Δ²                          (acc_delta)
--   θ ← θ − lr · Δ
local nabla = require "nabla"
local doc = require "nabla.doc"
local Optimizer = require "nabla.optim.optimizer"

local Adadelta = Optimizer.class("Adadelta", {
  lr = 1.0, rho = 0.9, eps = 1e-6, weight_decay = 0, maximize = false,
}, function(group)
  Optimizer.check_nonneg("Adadelta", group, "lr")
  Optimizer.check_range("Adadelta", group, "rho", 0, 1)
  Optimizer.check_nonneg("Adadelta", group, "eps")
  Optimizer.check_nonneg("Adadelta", group, "weight_decay")
end)

function Adadelta:update(group, p, grad, state)
  if state.square_avg == nil then
    state.step = 0
    state.square_avg = nabla.zeros_like(p)
    state.acc_delta = nabla.zeros_like(p)
  end
  state.step = state.step + 1
  nabla._C._adadelta_step(p, grad, state.square_avg, state.acc_delta, group.lr, group.rho,
                       group.eps, group.weight_decay, group.maximize)
end

doc(Adadelta, "optim.Adadelta(params, {lr=1, rho=0.9, eps=1e-6, weight_decay=0})", "steps sized by the ratio of running RMS of updates and of gradients", "갱신량의 RMS와 기울기의 RMS의 비로 스텝 크기를 정하는 방법 (학습률이 거의 필요 없음)")

return Adadelta

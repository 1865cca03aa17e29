-- AdamW (torch.optim.AdamW): Adam with decoupled weight decay. Instead of adding λθ to
-- the gradient (where Adam's scaling would shrink it), every step first shrinks θ itself:
--   θ ← θ − lr · λ · θ
-- then takes Adam's step (src/optim/adam.c). Default weight_decay 0.01.
local nabla = require "nabla"
local doc = require "nabla.doc"
local Optimizer = require "nabla.optim.optimizer"
local Adam = require "nabla.optim.adam"

local AdamW = Optimizer.class("AdamW", {
  lr = 1e-3, betas = { 0.9, 0.999 }, eps = 1e-8, weight_decay = 1e-2, amsgrad = false,
  maximize = false,
}, Adam.check_adam("AdamW"))

function AdamW:update(group, p, grad, state)
  Adam.adam_update(nabla._C._adamw_step, group, p, grad, state)
end

doc(AdamW, "optim.AdamW(params, {lr=1e-3, betas={0.9, 0.999}, eps=1e-8, weight_decay=0.01, amsgrad=false})", "Adam with decoupled weight decay", "가중치 감쇠를 기울기와 분리한 Adam")

return AdamW

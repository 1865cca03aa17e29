-- Adam (torch.optim.Adam): momentum (a running mean of gradients, exp_avg) divided by a
-- running RMS (exp_avg_sq), both bias-corrected for their zero start. In src/optim/adam.c:
--   g ← ∇θ + λθ                                   (weight_decay λ: an L2 penalty)
--   m ← β1 m + (1 − β1) g                         (exp_avg)
--   v ← β2 v + (1 − β2) g²                        (exp_avg_sq)
--   m̂ ← m / (1 − β1^t),  v̂ ← v / (1 − β2^t)
--   θ ← θ − lr · m̂ / (√v̂ + ε)     (amsgrad: with the largest v seen so far, max_exp_avg_sq)
local nabla = require "nabla"
local doc = require "nabla.doc"
local Optimizer = require "nabla.optim.optimizer"

local function check_adam(name)
  return function(group)
    Optimizer.check_nonneg(name, group, "lr")
    Optimizer.check_nonneg(name, group, "eps")
    Optimizer.check_nonneg(name, group, "weight_decay")
    local b = group.betas
    if type(b) ~= "table" or type(b[1]) ~= "number" or type(b[2]) ~= "number" then
      error(name .. ": betas must be a pair of numbers, e.g. betas = {0.9, 0.999}", 0)
    end
    for i = 1, 2 do
      if not (b[i] >= 0 and b[i] < 1) then
        error(("%s: invalid beta parameter at index %d: %s (must be in [0, 1))"):format(
          name, i, tostring(b[i])), 0)
      end
    end
  end
end

local Adam = Optimizer.class("Adam", {
  lr = 1e-3, betas = { 0.9, 0.999 }, eps = 1e-8, weight_decay = 0, amsgrad = false,
  maximize = false,
}, check_adam("Adam"))
Adam.check_adam = check_adam

-- state for Adam and AdamW; kernel is nabla._C._adam_step or nabla._C._adamw_step
function Adam.adam_update(kernel, group, p, grad, state)
  if state.exp_avg == nil then
    state.step = 0
    state.exp_avg = nabla.zeros_like(p)
    state.exp_avg_sq = nabla.zeros_like(p)
    if group.amsgrad then state.max_exp_avg_sq = nabla.zeros_like(p) end
  end
  if group.amsgrad and state.max_exp_avg_sq == nil then
    state.max_exp_avg_sq = nabla.zeros_like(p)
  end
  state.step = state.step + 1
  kernel(p, grad, state.exp_avg, state.exp_avg_sq, group.amsgrad and state.max_exp_avg_sq or nil,
         state.step, group.lr, group.betas[1], group.betas[2], group.eps, group.weight_decay,
         group.amsgrad, group.maximize)
end

function Adam:update(group, p, grad, state)
  Adam.adam_update(nabla._C._adam_step, group, p, grad, state)
end

doc(Adam, "optim.Adam(params, {lr=1e-3, betas={0.9, 0.999}, eps=1e-8, weight_decay=0, amsgrad=false})", "momentum divided by a running RMS, both bias-corrected", "모멘텀을 기울기의 이동 RMS로 나누는 방법 (편향 보정 포함)")

return Adam

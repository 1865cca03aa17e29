-- Gradient clipping (torch.nn.utils.clip_grad_norm_): if the gradients of all parameters,
-- seen as one long vector, have a norm above max_norm, scale them all down so that it is
-- max_norm:
--   total = ‖(‖g_1‖_p, ‖g_2‖_p, ...)‖_p          (= ‖concat(g_1, g_2, ...)‖_p)
--   g_i ← g_i · min(1, max_norm / (total + 1e-6))
-- Returns total (a 0-d tensor), the norm before clipping. Parameters without .grad are
-- skipped. norm_type: 2 (default), any p > 0, or math.huge / "inf" for the largest |g|.
local nabla = require "nabla"
local doc = require "nabla.doc"

local param_list = require("nabla.optim.optimizer").param_list
local M = {}

function M.clip_grad_norm_(params, max_norm, norm_type, error_if_nonfinite)
  local list = param_list(params)
  if not list then
    error("clip_grad_norm_: params must be a tensor or a list of tensors, got " .. type(params), 2)
  end
  params = list
  if type(max_norm) ~= "number" then
    error("clip_grad_norm_: max_norm must be a number, got " .. type(max_norm), 2)
  end
  if norm_type == nil then norm_type = 2 end
  if norm_type == "inf" then norm_type = math.huge end
  if type(norm_type) ~= "number" or not (norm_type > 0) then
    error("clip_grad_norm_: norm_type must be a positive number or math.huge, got "
          .. tostring(norm_type), 2)
  end
  local grads = {}
  for i, p in ipairs(params) do
    if not nabla.is_tensor(p) then
      error(("clip_grad_norm_: parameter %d is a %s, expected a tensor"):format(i, type(p)), 2)
    end
    local g = p.grad
    if g ~= nil then grads[#grads + 1] = g end
  end
  if #grads == 0 then return nabla.tensor(0.0) end
  local total
  if norm_type == math.huge then
    total = 0
    for _, g in ipairs(grads) do total = math.max(total, nabla._C._vector_norm(g, norm_type)) end
  else
    local s = 0
    for _, g in ipairs(grads) do s = s + nabla._C._vector_norm(g, norm_type) ^ norm_type end
    total = s ^ (1 / norm_type)
  end
  if error_if_nonfinite and (total ~= total or total == math.huge) then
    error(("clip_grad_norm_: the total norm of order %g of the gradients is non-finite, so "
           .. "it cannot be clipped"):format(norm_type), 2)
  end
  local coef = max_norm / (total + 1e-6)
  if coef < 1 then
    for _, g in ipairs(grads) do g:mul_(coef) end
  end
  return nabla.tensor(total)
end
doc(M.clip_grad_norm_, "optim.clip_grad_norm_(params, max_norm, norm_type=2)", "scale all gradients down so that their joint norm is at most max_norm; returns the norm before clipping", "모든 기울기를 함께 본 노름이 max_norm을 넘지 않도록 줄임 (기울기 클리핑). 줄이기 전의 노름을 반환")

return M

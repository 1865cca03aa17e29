-- nn.utils: gradient clipping (torch.nn.utils). clip_grad_norm_ is optim's
-- (lua/nabla/optim/clip.lua); clip_grad_value_ clamps each gradient value.
local nabla = require "nabla"
local doc = require "nabla.doc"

local utils = {}
doc(utils, { name = "nn.utils", sig = "nn.utils.clip_grad_norm_, nn.utils.parameters_to_vector, ...", kind = "module", en = "gradient clipping and flattening parameters into one vector", ko = "기울기 클리핑, 그리고 파라미터를 벡터 하나로 펼치기" })
utils.clip_grad_norm_ = require("nabla.optim.clip").clip_grad_norm_

-- Every gradient value limited to [−clip_value, clip_value], in place.
function utils.clip_grad_value_(params, clip_value)
  if type(params) == "table" and type(params.parameters) == "function" then params = params:parameters() end
  if nabla.is_tensor(params) then params = { params } end
  for _, p in ipairs(params) do
    local g = p.grad
    if g ~= nil then
      nabla.no_grad(function() g:copy_(g:clamp(-clip_value, clip_value)) end)
    end
  end
end

-- All parameters as one flat vector (a copy), and back.
function utils.parameters_to_vector(params)
  local flat = {}
  for i, p in ipairs(params) do flat[i] = p:reshape(-1) end
  return nabla.cat(flat, 1)
end

function utils.vector_to_parameters(vec, params)
  local offset = 1
  nabla.no_grad(function()
    for _, p in ipairs(params) do
      local n = p:numel()
      p:copy_(vec:narrow(1, offset, n):view(p.shape))
      offset = offset + n
    end
  end)
end

doc(utils.clip_grad_norm_, "nn.utils.clip_grad_norm_(params, max_norm, norm_type=2)", "scale all gradients down so that their joint norm is at most max_norm; returns the norm before", "모든 기울기를 함께 본 노름이 max_norm을 넘지 않도록 줄임 (기울기 클리핑). 줄이기 전의 노름을 반환")
doc(utils.clip_grad_value_, "nn.utils.clip_grad_value_(params, clip_value)", "clamp every gradient value to [−clip_value, clip_value]", "모든 기울기 값을 [−clip_value, clip_value]로 자름")
doc(utils.parameters_to_vector, "nn.utils.parameters_to_vector(params)", "all parameters joined into one flat vector", "모든 파라미터를 이어 붙인 1차원 벡터")
doc(utils.vector_to_parameters, "nn.utils.vector_to_parameters(vec, params)", "copy a flat vector back into the parameters", "1차원 벡터를 파라미터들에 다시 복사")

return utils

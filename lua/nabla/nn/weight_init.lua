-- nn.init: filling weights in place (torch.nn.init), with PyTorch's fan and gain rules.
-- (This file is nn.init; nn/init.lua is the nn package itself.)
--
--   fan_in  = size(2) · receptive field      (Linear (out, in): in; Conv2d (out, in, kh, kw): in·kh·kw)
--   fan_out = size(1) · receptive field
--   xavier (Glorot):  std = gain · √(2 / (fan_in + fan_out))   keeps the variance forwards and backwards
--   kaiming (He):     std = gain / √fan                        keeps it through ReLUs (gain √2)
--   a uniform U(−b, b) with b = √3 · std has that std.
local nabla = require "nabla"
local args = require "nabla.nn.args"
local doc = require "nabla.doc"

local init = {}
doc(init, { name = "nn.init", sig = "nn.init.xavier_uniform_(t), nn.init.kaiming_normal_(t), ...", kind = "module", en = "fill a weight tensor in place: Xavier/Glorot, Kaiming/He, uniform, normal, constants", ko = "가중치 텐서를 제자리에서 채웁니다: Xavier/Glorot, Kaiming/He, 균등, 정규, 상수" })

local function fill(t, values)
  nabla.no_grad(function() t:copy_(values) end)
  return t
end

local function check(where, t)
  if not nabla.is_tensor(t) then
    error(("nn.init.%s: expected a tensor, got %s"):format(where, type(t)), 3)
  end
end

function init.uniform_(t, a, b)
  check("uniform_", t)
  a, b = a or 0, b or 1
  return fill(t, nabla.rand(t.shape) * (b - a) + a)
end

function init.normal_(t, mean, std)
  check("normal_", t)
  mean, std = mean or 0, std or 1
  return fill(t, nabla.randn(t.shape) * std + mean)
end

function init.constant_(t, value)
  check("constant_", t)
  nabla.no_grad(function() t:fill_(value) end)
  return t
end

function init.zeros_(t) return init.constant_(t, 0) end
function init.ones_(t) return init.constant_(t, 1) end

-- The identity matrix (2-d tensors), as torch.nn.init.eye_.
function init.eye_(t)
  check("eye_", t)
  if t:dim() ~= 2 then error("nn.init.eye_: needs a 2-d tensor, got shape " .. tostring(t.shape), 2) end
  return fill(t, nabla.eye(t.shape[1], t.shape[2]))
end

function init.calculate_fan_in_and_fan_out(t)
  local s = t.shape
  if #s < 2 then
    error(("nn.init: fan in and fan out need a tensor with at least 2 dimensions, got shape %s")
      :format(tostring(s)), 3)
  end
  local receptive = 1
  for i = 3, #s do receptive = receptive * s[i] end
  return s[2] * receptive, s[1] * receptive
end
doc(init.calculate_fan_in_and_fan_out, "nn.init.calculate_fan_in_and_fan_out(t)", "the numbers of inputs and outputs each weight of t connects (what Xavier and Kaiming scale by)", "t의 가중치 하나가 잇는 입력 수와 출력 수 (Xavier와 Kaiming 초기화가 쓰는 값)")

-- The recommended gain for a nonlinearity (torch.nn.init.calculate_gain).
function init.calculate_gain(nonlinearity, param)
  local linear = { linear = true, conv1d = true, conv2d = true, conv3d = true, sigmoid = true,
                   conv_transpose1d = true, conv_transpose2d = true, conv_transpose3d = true }
  if linear[nonlinearity] then return 1 end
  if nonlinearity == "tanh" then return 5 / 3 end
  if nonlinearity == "relu" then return math.sqrt(2) end
  if nonlinearity == "leaky_relu" then
    local slope = param or 0.01
    return math.sqrt(2 / (1 + slope * slope))
  end
  if nonlinearity == "selu" then return 3 / 4 end
  error(("nn.init.calculate_gain: unsupported nonlinearity '%s'"):format(tostring(nonlinearity)), 2)
end

function init.xavier_uniform_(t, gain)
  check("xavier_uniform_", t)
  local fan_in, fan_out = init.calculate_fan_in_and_fan_out(t)
  local std = (gain or 1) * math.sqrt(2 / (fan_in + fan_out))
  local bound = math.sqrt(3) * std
  return init.uniform_(t, -bound, bound)
end

function init.xavier_normal_(t, gain)
  check("xavier_normal_", t)
  local fan_in, fan_out = init.calculate_fan_in_and_fan_out(t)
  return init.normal_(t, 0, (gain or 1) * math.sqrt(2 / (fan_in + fan_out)))
end

local KAIMING = { "a", "mode", "nonlinearity" }
local KAIMING_DEFAULTS = { a = 0, mode = "fan_in", nonlinearity = "leaky_relu" }

local function kaiming_std(where, t, ...)
  local o = args.parse("nn.init." .. where, KAIMING, KAIMING_DEFAULTS, ...)
  if o.mode ~= "fan_in" and o.mode ~= "fan_out" then
    error(("nn.init.%s: mode must be 'fan_in' or 'fan_out', got '%s'"):format(where, tostring(o.mode)), 3)
  end
  local fan_in, fan_out = init.calculate_fan_in_and_fan_out(t)
  local fan = o.mode == "fan_in" and fan_in or fan_out
  return init.calculate_gain(o.nonlinearity, o.a) / math.sqrt(fan)
end

-- kaiming_uniform_(t, {a = 0, mode = "fan_in", nonlinearity = "leaky_relu"}), or the same
-- settings positionally as in PyTorch: kaiming_uniform_(t, math.sqrt(5)).
function init.kaiming_uniform_(t, ...)
  check("kaiming_uniform_", t)
  local bound = math.sqrt(3) * kaiming_std("kaiming_uniform_", t, ...)
  return init.uniform_(t, -bound, bound)
end

function init.kaiming_normal_(t, ...)
  check("kaiming_normal_", t)
  return init.normal_(t, 0, kaiming_std("kaiming_normal_", t, ...))
end

doc(init.uniform_, "nn.init.uniform_(t, a=0, b=1)", "fill t with uniform random values in [a, b)", "t를 [a, b) 균등분포 난수로 채웁니다")
doc(init.normal_, "nn.init.normal_(t, mean=0, std=1)", "fill t with normal random values", "t를 정규분포 난수로 채웁니다")
doc(init.constant_, "nn.init.constant_(t, value)", "fill t with one value", "t를 한 값으로 채웁니다")
doc(init.zeros_, "nn.init.zeros_(t)", "fill t with zeros", "t를 0으로 채웁니다")
doc(init.ones_, "nn.init.ones_(t)", "fill t with ones", "t를 1로 채웁니다")
doc(init.eye_, "nn.init.eye_(t)", "fill a matrix with the identity", "행렬을 단위 행렬로 채웁니다")
doc(init.calculate_gain, "nn.init.calculate_gain(nonlinearity, param)", "the gain that keeps activations' variance: relu √2, tanh 5/3, leaky_relu √(2/(1+a²)), linear/sigmoid 1", "활성값의 분산을 유지하는 이득: relu √2, tanh 5/3, leaky_relu √(2/(1+a²)), linear/sigmoid 1")
doc(init.xavier_uniform_, "nn.init.xavier_uniform_(t, gain=1)", "Glorot: U(−b, b), b = gain·√(6/(fan_in+fan_out)); keeps the variance forwards and backwards", "Glorot 초기화: U(−b, b), b = gain·√(6/(fan_in+fan_out)). 순전파와 역전파의 분산을 유지")
doc(init.xavier_normal_, "nn.init.xavier_normal_(t, gain=1)", "Glorot: N(0, std²), std = gain·√(2/(fan_in+fan_out))", "Glorot 초기화: N(0, std²), std = gain·√(2/(fan_in+fan_out))")
doc(init.kaiming_uniform_, "nn.init.kaiming_uniform_(t, {a=0, mode='fan_in', nonlinearity='leaky_relu'})", "He: U(−b, b), b = gain·√(3/fan); for ReLU networks (nonlinearity='relu')", "He 초기화: U(−b, b), b = gain·√(3/fan). ReLU 신경망용 (nonlinearity='relu')")
doc(init.kaiming_normal_, "nn.init.kaiming_normal_(t, {a=0, mode='fan_in', nonlinearity='leaky_relu'})", "He: N(0, std²), std = gain/√fan", "He 초기화: N(0, std²), std = gain/√fan")

return init

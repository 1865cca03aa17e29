-- Activation functions as layers (no parameters), for nn.Sequential. Each is one line of
-- forward over the tensor method of the same name.
local nabla = require "nabla"
local Module = require "nabla.nn.module"
local args = require "nabla.nn.args"
local doc = require "nabla.doc"

local M = {}

-- a layer with no settings: forward(x) = f(x)
local function simple(name, f, sig, en, ko)
  local cls = Module:extend(name)
  cls.forward = function(_, x) return f(x) end
  doc(cls, sig, en, ko)
  M[name] = cls
  return cls
end

simple("ReLU", function(x) return x:relu() end, "nn.ReLU()", "max(0, x): negative values become 0", "max(0, x): 음수를 0으로 바꿉니다")
simple("Sigmoid", function(x) return x:sigmoid() end, "nn.Sigmoid()", "1 / (1 + e^−x), squashes to (0, 1)",
  "1 / (1 + e^−x), (0, 1)로 눌러 줍니다")
simple("Tanh", function(x) return x:tanh() end, "nn.Tanh()", "tanh(x), squashes to (−1, 1)",
  "tanh(x), (−1, 1)로 눌러 줍니다")
simple("Identity", function(x) return x end, "nn.Identity()", "returns its input unchanged (a placeholder)",
  "입력을 그대로 돌려줍니다 (자리 표시용)")

local LeakyReLU = Module:extend("LeakyReLU")
function LeakyReLU:__init(...)
  self.negative_slope = args.parse("nn.LeakyReLU", { "negative_slope" }, { negative_slope = 0.01 }, ...).negative_slope
end
function LeakyReLU:forward(x) return x:leaky_relu(self.negative_slope) end
function LeakyReLU:extra_repr() return ("negative_slope=%g"):format(self.negative_slope) end
M.LeakyReLU = LeakyReLU

local ELU = Module:extend("ELU")
function ELU:__init(...)
  self.alpha = args.parse("nn.ELU", { "alpha" }, { alpha = 1.0 }, ...).alpha
end
function ELU:forward(x) return x:elu(self.alpha) end
function ELU:extra_repr() return ("alpha=%g"):format(self.alpha) end
M.ELU = ELU

-- GELU: x·Φ(x) (Φ the normal CDF); approximate = "tanh" uses
-- 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
local GELU = Module:extend("GELU")
function GELU:__init(...)
  self.approximate = args.parse("nn.GELU", { "approximate" }, { approximate = "none" }, ...).approximate
  if self.approximate ~= "none" and self.approximate ~= "tanh" then
    error(("nn.GELU: approximate must be 'none' or 'tanh', got '%s'"):format(tostring(self.approximate)), 2)
  end
end
function GELU:forward(x)
  if self.approximate == "tanh" then
    local inner = (x + x ^ 3 * 0.044715) * math.sqrt(2 / math.pi)
    return x * 0.5 * (inner:tanh() + 1)
  end
  return x:gelu()
end
function GELU:extra_repr() return self.approximate == "none" and "" or "approximate='tanh'" end
M.GELU = GELU

-- Softplus: (1/β)·log(1 + e^(β·x)), smooth ReLU; linear where β·x > threshold.
local Softplus = Module:extend("Softplus")
function Softplus:__init(...)
  local o = args.parse("nn.Softplus", { "beta", "threshold" }, { beta = 1, threshold = 20 }, ...)
  self.beta, self.threshold = o.beta, o.threshold
end
function Softplus:forward(x)
  if self.beta == 1 then return x:softplus() end
  return (x * self.beta):softplus() / self.beta
end
function Softplus:extra_repr() return ("beta=%g, threshold=%g"):format(self.beta, self.threshold) end
M.Softplus = Softplus

-- Softmax over dim (1-based; -1 the last): e^x / Σ e^x, each slice sums to 1.
local Softmax = Module:extend("Softmax")
function Softmax:__init(...)
  self.dim = args.parse("nn.Softmax", { "dim" }, { dim = -1 }, ...).dim
end
function Softmax:forward(x) return x:softmax(self.dim) end
function Softmax:extra_repr() return "dim=" .. self.dim end
M.Softmax = Softmax

local LogSoftmax = Module:extend("LogSoftmax")
function LogSoftmax:__init(...)
  self.dim = args.parse("nn.LogSoftmax", { "dim" }, { dim = -1 }, ...).dim
end
function LogSoftmax:forward(x) return x:log_softmax(self.dim) end
function LogSoftmax:extra_repr() return "dim=" .. self.dim end
M.LogSoftmax = LogSoftmax

doc(LeakyReLU, "nn.LeakyReLU(negative_slope=0.01)", "x for x > 0, negative_slope·x otherwise", "x > 0이면 x, 아니면 negative_slope·x")
doc(ELU, "nn.ELU(alpha=1)", "x for x > 0, alpha·(e^x − 1) otherwise", "x > 0이면 x, 아니면 alpha·(e^x − 1)")
doc(GELU, "nn.GELU(approximate='none')", "x·Φ(x), Φ the normal CDF (used in transformers)", "x·Φ(x), Φ는 정규분포 누적분포함수 (트랜스포머에서 사용)")
doc(Softplus, "nn.Softplus(beta=1, threshold=20)", "log(1 + e^x)/beta: a smooth ReLU", "log(1 + e^x)/beta: 부드러운 ReLU")
doc(Softmax, "nn.Softmax(dim=-1)", "e^x / Σ e^x along dim: probabilities that sum to 1", "dim 방향의 e^x / Σ e^x: 합이 1인 확률")
doc(LogSoftmax, "nn.LogSoftmax(dim=-1)", "log of softmax, computed stably (pair it with nn.NLLLoss)", "softmax의 로그, 안정적으로 계산 (nn.NLLLoss와 함께)")

return M

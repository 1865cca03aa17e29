-- nn.Linear: y = x·Wᵀ + b, for x of shape (*, in_features).
--   weight (out_features, in_features), bias (out_features), both U(−1/√in, 1/√in) as in
--   PyTorch (weight: kaiming_uniform_ with a = √5, which gives that bound).
local nabla = require "nabla"
local Module = require "nabla.nn.module"
local init = require "nabla.nn.weight_init"
local args = require "nabla.nn.args"
local doc = require "nabla.doc"

local Linear = Module:extend("Linear")

function Linear:__init(...)
  local o = args.parse("nn.Linear", { "in_features", "out_features", "bias" },
                       { bias = true }, ...)
  self.in_features = args.size("nn.Linear", "in_features", o.in_features)
  self.out_features = args.size("nn.Linear", "out_features", o.out_features)
  self.weight = nabla.empty(self.out_features, self.in_features):requires_grad()
  if o.bias then self.bias = nabla.empty(self.out_features):requires_grad() end
  self:reset_parameters()
end

function Linear:reset_parameters()
  init.kaiming_uniform_(self.weight, math.sqrt(5))
  if self.bias then
    local bound = 1 / math.sqrt(self.in_features)
    init.uniform_(self.bias, -bound, bound)
  end
end

function Linear:forward(x)
  return nabla.linear(x, self.weight, self.bias)
end

function Linear:extra_repr()
  return ("in_features=%d, out_features=%d, bias=%s"):format(
    self.in_features, self.out_features, tostring(self.bias ~= nil))
end

doc(Linear, "nn.Linear(in_features, out_features, bias=true)", "a fully connected layer: y = x·Wᵀ + b (W is out×in)", "완전 연결층: y = x·Wᵀ + b (W는 출력×입력)")

return { Linear = Linear }

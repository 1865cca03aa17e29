-- nn.Conv2d: a 2-d convolution (cross-correlation, as in every framework) over x (N, C_in, H, W).
--   weight (C_out, C_in/groups, kh, kw), bias (C_out); init as PyTorch: U(−1/√fan_in, 1/√fan_in)
--   with fan_in = C_in/groups · kh · kw.
--   H_out = ⌊(H + 2·padding − dilation·(kh − 1) − 1) / stride⌋ + 1   (the same for W)
-- The kernel is im2col + one matrix product (src/ops/conv.c).
local nabla = require "nabla"
local Module = require "nabla.nn.module"
local init = require "nabla.nn.weight_init"
local args = require "nabla.nn.args"
local doc = require "nabla.doc"

local Conv2d = Module:extend("Conv2d")

-- n -> {n, n}; {h, w} stays. Each a whole number >= min (1 for sizes, 0 for padding).
local function pair(where, what, v, min)
  min = min or 1
  local p
  if type(v) == "table" then
    if #v ~= 2 then error(("%s: %s must be a number or a pair {h, w}"):format(where, what), 4) end
    p = { v[1], v[2] }
  elseif type(v) ~= "number" then
    error(("%s: %s must be a number or a pair {h, w}, got %s"):format(where, what, type(v)), 4)
  else
    p = { v, v }
  end
  for i = 1, 2 do
    local x = p[i]
    if math.type(x) == "float" and x == math.floor(x) and math.abs(x) < 2 ^ 53 then x = math.tointeger(x) end
    if math.type(x) ~= "integer" or x < min or x > 2 ^ 31 then
      error(("%s: %s must be a whole number >= %d (or a pair of them), got %s"):format(
        where, what, min, type(v) == "table" and ("{%s, %s}"):format(tostring(v[1]), tostring(v[2])) or tostring(v)), 4)
    end
    p[i] = x
  end
  return p
end

function Conv2d:__init(...)
  local where = "nn.Conv2d"
  local o = args.parse(where,
    { "in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias" },
    { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true }, ...)
  self.in_channels = args.size(where, "in_channels", o.in_channels)
  self.out_channels = args.size(where, "out_channels", o.out_channels)
  self.groups = args.size(where, "groups", o.groups)
  if self.in_channels % self.groups ~= 0 or self.out_channels % self.groups ~= 0 then
    error(("%s: in_channels (%d) and out_channels (%d) must both be divisible by groups (%d)")
      :format(where, self.in_channels, self.out_channels, self.groups), 2)
  end
  self.kernel_size = pair(where, "kernel_size", o.kernel_size)
  self.stride = pair(where, "stride", o.stride)
  self.padding = type(o.padding) == "string" and o.padding or pair(where, "padding", o.padding, 0)
  self.dilation = pair(where, "dilation", o.dilation)
  local kh, kw = self.kernel_size[1], self.kernel_size[2]
  self.weight = nabla.empty(self.out_channels, self.in_channels // self.groups, kh, kw):requires_grad()
  if o.bias then self.bias = nabla.empty(self.out_channels):requires_grad() end
  self:reset_parameters()
end

function Conv2d:reset_parameters()
  init.kaiming_uniform_(self.weight, math.sqrt(5))
  if self.bias then
    local fan_in = init.calculate_fan_in_and_fan_out(self.weight)
    local bound = 1 / math.sqrt(fan_in)
    init.uniform_(self.bias, -bound, bound)
  end
end

function Conv2d:forward(x)
  return nabla.conv2d(x, self.weight, self.bias, {
    stride = self.stride, padding = self.padding, dilation = self.dilation, groups = self.groups,
  })
end

function Conv2d:extra_repr()
  local s = ("%d, %d, kernel_size=%s, stride=%s"):format(self.in_channels, self.out_channels,
    args.pair_str(self.kernel_size), args.pair_str(self.stride))
  local p = self.padding
  if type(p) == "string" then s = s .. ", padding=" .. p
  elseif p[1] ~= 0 or p[2] ~= 0 then s = s .. ", padding=" .. args.pair_str(p) end
  if self.dilation[1] ~= 1 or self.dilation[2] ~= 1 then s = s .. ", dilation=" .. args.pair_str(self.dilation) end
  if self.groups ~= 1 then s = s .. ", groups=" .. self.groups end
  if not self.bias then s = s .. ", bias=false" end
  return s
end

doc(Conv2d, "nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=true)", "2-d convolution over (N, C, H, W); settings also as a table: nn.Conv2d(1, 32, 3, {padding = 1})", "(N, C, H, W)에 대한 2차원 합성곱. 설정은 표로도: nn.Conv2d(1, 32, 3, {padding = 1})")

return { Conv2d = Conv2d }

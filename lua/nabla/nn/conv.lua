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

-- nn.ConvTranspose2d: the transpose (adjoint) of a convolution, which upsamples: each input
-- pixel stamps the kernel, scaled by its value, onto the output at stride apart (overlaps add).
--   weight (C_in, C_out/groups, kh, kw), bias (C_out); init as PyTorch (fan_in from C_out/groups).
--   H_out = (H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1
-- nn.ConvTranspose2d(16, 8, 4, 2, 1) doubles the height and the width (7×7 -> 14×14).
local ConvTranspose2d = Module:extend("ConvTranspose2d")

function ConvTranspose2d:__init(...)
  local where = "nn.ConvTranspose2d"
  local o = args.parse(where,
    { "in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding",
      "groups", "bias", "dilation" },
    { stride = 1, padding = 0, output_padding = 0, groups = 1, bias = true, dilation = 1 }, ...)
  self.in_channels = args.size(where, "in_channels", o.in_channels)
  self.out_channels = args.size(where, "out_channels", o.out_channels)
  self.groups = args.size(where, "groups", o.groups)
  if self.in_channels % self.groups ~= 0 or self.out_channels % self.groups ~= 0 then
    error(("%s: in_channels (%d) and out_channels (%d) must both be divisible by groups (%d)")
      :format(where, self.in_channels, self.out_channels, self.groups), 2)
  end
  self.kernel_size = pair(where, "kernel_size", o.kernel_size)
  self.stride = pair(where, "stride", o.stride)
  self.padding = pair(where, "padding", o.padding, 0)
  self.output_padding = pair(where, "output_padding", o.output_padding, 0)
  self.dilation = pair(where, "dilation", o.dilation)
  for i = 1, 2 do
    if self.output_padding[i] >= self.stride[i] and self.output_padding[i] >= self.dilation[i] then
      error(("%s: output_padding %s must be smaller than the stride %s or the dilation %s")
        :format(where, args.pair_str(self.output_padding), args.pair_str(self.stride),
          args.pair_str(self.dilation)), 2)
    end
  end
  local kh, kw = self.kernel_size[1], self.kernel_size[2]
  self.weight = nabla.empty(self.in_channels, self.out_channels // self.groups, kh, kw):requires_grad()
  if o.bias then self.bias = nabla.empty(self.out_channels):requires_grad() end
  self:reset_parameters()
end

ConvTranspose2d.reset_parameters = Conv2d.reset_parameters

function ConvTranspose2d:forward(x)
  return nabla.conv_transpose2d(x, self.weight, self.bias, {
    stride = self.stride, padding = self.padding, output_padding = self.output_padding,
    dilation = self.dilation, groups = self.groups,
  })
end

function ConvTranspose2d:extra_repr()
  local s = ("%d, %d, kernel_size=%s, stride=%s"):format(self.in_channels, self.out_channels,
    args.pair_str(self.kernel_size), args.pair_str(self.stride))
  local p, op = self.padding, self.output_padding
  if p[1] ~= 0 or p[2] ~= 0 then s = s .. ", padding=" .. args.pair_str(p) end
  if op[1] ~= 0 or op[2] ~= 0 then s = s .. ", output_padding=" .. args.pair_str(op) end
  if self.dilation[1] ~= 1 or self.dilation[2] ~= 1 then s = s .. ", dilation=" .. args.pair_str(self.dilation) end
  if self.groups ~= 1 then s = s .. ", groups=" .. self.groups end
  if not self.bias then s = s .. ", bias=false" end
  return s
end

doc(ConvTranspose2d, "nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=true, dilation=1)", "transposed 2-d convolution, which upsamples: nn.ConvTranspose2d(16, 8, 4, 2, 1) turns 7×7 maps into 14×14", "업샘플링하는 전치 2차원 합성곱: nn.ConvTranspose2d(16, 8, 4, 2, 1)은 7×7 맵을 14×14로 키웁니다")

-- nn.Upsample: resize (N, C, H, W) by a scale factor or to a size, copying the nearest pixel or
-- mixing the four nearest ones (bilinear). Upsample then Conv2d is the other way a generator
-- grows its images (it avoids the checkerboard a strided ConvTranspose2d can leave).
local Upsample = Module:extend("Upsample")

function Upsample:__init(...)
  local where = "nn.Upsample"
  local o = args.parse(where, { "size", "scale_factor", "mode", "align_corners" },
    { size = false, scale_factor = false, mode = "nearest", align_corners = false }, ...)
  if (o.size and o.scale_factor) or not (o.size or o.scale_factor) then
    error(where .. ": give exactly one of size and scale_factor", 2)
  end
  if o.mode ~= "nearest" and o.mode ~= "bilinear" then
    error(("%s: mode must be 'nearest' or 'bilinear', got %s"):format(where, tostring(o.mode)), 2)
  end
  self.size = o.size or nil
  self.scale_factor = o.scale_factor or nil
  self.mode = o.mode
  self.align_corners = o.align_corners
end

function Upsample:forward(x)
  return nabla.interpolate(x, { size = self.size, scale_factor = self.scale_factor,
    mode = self.mode, align_corners = self.align_corners or nil })
end

function Upsample:extra_repr()
  local v = self.size or self.scale_factor
  local s = self.size and "size=" or "scale_factor="
  s = s .. (type(v) == "table" and args.pair_str(v) or tostring(v))
  return s .. ", mode='" .. self.mode .. "'"
end

doc(Upsample, "nn.Upsample(size|nil, scale_factor|nil, mode='nearest', align_corners=false)", "resize images by a factor or to a size: nn.Upsample{scale_factor = 2} doubles H and W (mode 'nearest' or 'bilinear')", "이미지를 배율이나 크기로 바꿉니다: nn.Upsample{scale_factor = 2}는 H와 W를 두 배로 (mode는 'nearest' 또는 'bilinear')")

return { Conv2d = Conv2d, ConvTranspose2d = ConvTranspose2d, Upsample = Upsample }

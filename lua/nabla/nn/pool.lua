-- Pooling layers over x (N, C, H, W): each window of kernel_size (moved by stride, which
-- defaults to kernel_size) becomes its maximum or its mean. No parameters.
local nabla = require "nabla"
local Module = require "nabla.nn.module"
local args = require "nabla.nn.args"
local doc = require "nabla.doc"

local MaxPool2d = Module:extend("MaxPool2d")

function MaxPool2d:__init(...)
  local o = args.parse("nn.MaxPool2d",
    { "kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode" },
    { stride = false, padding = 0, dilation = 1, return_indices = false, ceil_mode = false }, ...)
  for k, v in pairs(o) do self[k] = v end
  self.stride = o.stride or o.kernel_size
end

-- returns the pooled tensor (and, with return_indices, the 1-based positions of the maxima)
function MaxPool2d:forward(x)
  return nabla.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                          self.ceil_mode, self.return_indices)
end

function MaxPool2d:extra_repr()
  return ("kernel_size=%s, stride=%s, padding=%s, dilation=%s, ceil_mode=%s"):format(
    args.pair_str(self.kernel_size), args.pair_str(self.stride), args.pair_str(self.padding),
    args.pair_str(self.dilation), tostring(self.ceil_mode))
end

local AvgPool2d = Module:extend("AvgPool2d")

function AvgPool2d:__init(...)
  local o = args.parse("nn.AvgPool2d",
    { "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad" },
    { stride = false, padding = 0, ceil_mode = false, count_include_pad = true }, ...)
  for k, v in pairs(o) do self[k] = v end
  self.stride = o.stride or o.kernel_size
end

function AvgPool2d:forward(x)
  return nabla.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad)
end

function AvgPool2d:extra_repr()
  return ("kernel_size=%s, stride=%s, padding=%s"):format(args.pair_str(self.kernel_size),
    args.pair_str(self.stride), args.pair_str(self.padding))
end

-- The window sizes are chosen so that the output is output_size ({oh, ow} or n for n×n):
-- AdaptiveAvgPool2d(1) is global average pooling.
local AdaptiveAvgPool2d = Module:extend("AdaptiveAvgPool2d")

function AdaptiveAvgPool2d:__init(...)
  local o = args.parse("nn.AdaptiveAvgPool2d", { "output_size" }, {}, ...)
  self.output_size = o.output_size
end

function AdaptiveAvgPool2d:forward(x)
  return nabla.adaptive_avg_pool2d(x, self.output_size)
end

function AdaptiveAvgPool2d:extra_repr()
  return "output_size=" .. args.pair_str(self.output_size)
end

doc(MaxPool2d, "nn.MaxPool2d(kernel_size, stride=kernel_size, padding=0, dilation=1, return_indices=false, ceil_mode=false)", "the maximum of each window; the gradient flows only to the maxima", "각 창의 최댓값. 기울기는 최댓값 자리로만 흐릅니다")
doc(AvgPool2d, "nn.AvgPool2d(kernel_size, stride=kernel_size, padding=0, ceil_mode=false, count_include_pad=true)", "the mean of each window", "각 창의 평균")
doc(AdaptiveAvgPool2d, "nn.AdaptiveAvgPool2d(output_size)", "average pooling to a fixed output size; AdaptiveAvgPool2d(1) is global average pooling", "출력 크기를 정해 두는 평균 풀링. AdaptiveAvgPool2d(1)은 전역 평균 풀링")

return { MaxPool2d = MaxPool2d, AvgPool2d = AvgPool2d, AdaptiveAvgPool2d = AdaptiveAvgPool2d }

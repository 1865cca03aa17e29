-- Residual connections (He et al. 2015): the block learns a correction F(x) added to its
-- input, y = x + F(x), so the gradient reaches early layers through the "+" unchanged.
--   nn.Residual(block)             y = x + block(x)   (block keeps the shape)
--   nn.BasicBlock(in, out, stride) ResNet's block, as torchvision's (the same parameter names):
--     conv1 3×3 (stride) → bn1 → relu → conv2 3×3 → bn2, plus the shortcut, then relu;
--     when the shape changes (stride ≠ 1 or in ≠ out) the shortcut is downsample:
--     a 1×1 convolution with that stride and a BatchNorm2d.
local Module = require "nabla.nn.module"
local args = require "nabla.nn.args"
local doc = require "nabla.doc"
local Conv2d = require("nabla.nn.conv").Conv2d
local BatchNorm2d = require("nabla.nn.norm").BatchNorm2d
local Sequential = require("nabla.nn.container").Sequential
local ReLU = require("nabla.nn.activation").ReLU

local Residual = Module:extend("Residual")

function Residual:__init(block)
  if not Module.is_module(block) then error("nn.Residual: expected a module, got " .. type(block), 2) end
  self.block = block
end

function Residual:forward(x)
  return x + self.block(x)
end

local BasicBlock = Module:extend("BasicBlock")
BasicBlock.expansion = 1

function BasicBlock:__init(...)
  local o = args.parse("nn.BasicBlock", { "in_planes", "planes", "stride" }, { stride = 1 }, ...)
  local inp, out, stride = o.in_planes, o.planes, o.stride
  self.conv1 = Conv2d(inp, out, 3, { stride = stride, padding = 1, bias = false })
  self.bn1 = BatchNorm2d(out)
  self.relu = ReLU()
  self.conv2 = Conv2d(out, out, 3, { stride = 1, padding = 1, bias = false })
  self.bn2 = BatchNorm2d(out)
  if stride ~= 1 or inp ~= out then
    self.downsample = Sequential{
      Conv2d(inp, out, 1, { stride = stride, bias = false }),
      BatchNorm2d(out),
    }
  end
end

function BasicBlock:forward(x)
  local out = self.relu(self.bn1(self.conv1(x)))
  out = self.bn2(self.conv2(out))
  local identity = self.downsample and self.downsample(x) or x
  return self.relu(out + identity)
end

doc(Residual, "nn.Residual(block)", "y = x + block(x): a skip connection around block", "y = x + block(x): block을 건너뛰는 연결 (잔차 연결)")
doc(BasicBlock, "nn.BasicBlock(in_planes, planes, stride=1)", "ResNet's basic block: two 3×3 conv + batch norm, added to the input (1×1 conv shortcut when the shape changes)", "ResNet의 기본 블록: 3×3 합성곱+배치 정규화 두 번을 입력에 더함 (모양이 바뀌면 1×1 합성곱 지름길)")

return { Residual = Residual, BasicBlock = BasicBlock }

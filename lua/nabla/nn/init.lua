-- nabla.nn: layers, containers, losses and weight initialisation, with PyTorch's names.
-- One file per layer family, each short enough to read whole:
--   module.lua      nn.Module, the base: parameters, state_dict, train/eval, printing
--   linear.lua      Linear                 conv.lua     Conv2d, ConvTranspose2d, Upsample
--   pool.lua        MaxPool2d, AvgPool2d, AdaptiveAvgPool2d
--   norm.lua        BatchNorm1d/2d, LayerNorm, GroupNorm
--   activation.lua  ReLU, LeakyReLU, ELU, GELU, Sigmoid, Tanh, Softplus, Softmax, LogSoftmax, Identity
--   flatten.lua     Flatten, Unflatten     dropout.lua  Dropout, Dropout2d
--   embedding.lua   Embedding              rnn.lua      RNN, LSTM, GRU
--   container.lua   Sequential, ModuleList residual.lua Residual, BasicBlock
--   loss.lua        MSELoss, L1Loss, HuberLoss, SmoothL1Loss, CrossEntropyLoss (= CrossEntropy),
--                   NLLLoss, BCELoss, BCEWithLogitsLoss, GaussianNLLLoss
--   weight_init.lua nn.init (xavier_*, kaiming_*, normal_, ...)   utils.lua  nn.utils
--   functional.lua  nn.functional: the same layers and losses as functions (F.conv2d...)
local nabla = require "nabla"
local Module = require "nabla.nn.module"
local doc = require "nabla.doc"

local nn = { Module = Module }

for _, file in ipairs { "linear", "conv", "pool", "norm", "activation", "flatten", "dropout",
                        "embedding", "rnn", "container", "residual", "loss" } do
  for name, cls in pairs(require("nabla.nn." .. file)) do nn[name] = cls end
end
nn.init = require "nabla.nn.weight_init"
nn.utils = require "nabla.nn.utils"
nn.functional = require "nabla.nn.functional"

-- nn.Parameter(t): a leaf copy of t that requires grad (what a layer trains).
function nn.Parameter(t, requires_grad)
  if not nabla.is_tensor(t) then t = nabla.tensor(t) end
  local p = t:detach():clone()
  return p:requires_grad(requires_grad ~= false)
end

doc(Module, "nn.Module:extend(\"Name\")", "the base of every layer: define __init(self, ...) and forward(self, x); fields holding layers or trainable tensors are registered", "모든 층의 바탕: __init(self, ...)과 forward(self, x)를 정의. 층이나 학습할 텐서를 담은 필드는 자동 등록")
doc(nn.Parameter, "nn.Parameter(t)", "a trainable copy of t (a leaf that requires grad)", "t의 학습 가능한 복사본 (기울기가 필요한 리프 텐서)")

return nn

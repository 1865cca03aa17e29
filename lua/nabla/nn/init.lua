-- nabla.nn: layers, containers, losses and weight initialisation, with PyTorch's names.
-- One file per layer family, each short enough to read whole:
--   module.lua      nn.Module, the base: parameters, state_dict, train/eval, printing
--   linear.lua      Linear                 conv.lua     Conv2d
--   pool.lua        MaxPool2d, AvgPool2d, AdaptiveAvgPool2d
--   norm.lua        BatchNorm1d/2d, LayerNorm, GroupNorm
--   activation.lua  ReLU, LeakyReLU, ELU, GELU, Sigmoid, Tanh, Softplus, Softmax, LogSoftmax, Identity
--   flatten.lua     Flatten, Unflatten     dropout.lua  Dropout, Dropout2d
--   embedding.lua   Embedding              rnn.lua      RNN, LSTM, GRU
--   container.lua   Sequential, ModuleList residual.lua Residual, BasicBlock
--   loss.lua        MSELoss, L1Loss, HuberLoss, SmoothL1Loss, CrossEntropyLoss (= CrossEntropy),
--                   NLLLoss, BCELoss, BCEWithLogitsLoss, GaussianNLLLoss
--   weight_init.lua nn.init (xavier_*, kaiming_*, normal_, ...)   utils.lua  nn.utils
local nabla = require "nabla"
local Module = require "nabla.nn.module"
local args = require "nabla.nn.args"

local nn = { Module = Module }

for _, file in ipairs { "linear", "conv", "pool", "norm", "activation", "flatten", "dropout",
                        "embedding", "rnn", "container", "residual", "loss" } do
  for name, cls in pairs(require("nabla.nn." .. file)) do nn[name] = cls end
end
nn.init = require "nabla.nn.weight_init"
nn.utils = require "nabla.nn.utils"

-- nn.Parameter(t): a leaf copy of t that requires grad (what a layer trains).
function nn.Parameter(t, requires_grad)
  if not nabla.is_tensor(t) then t = nabla.tensor(t) end
  local p = t:detach():clone()
  return p:requires_grad(requires_grad ~= false)
end

args.doc(Module, "nn.Module:extend(\"Name\")",
  "the base of every layer: define __init(self, ...) and forward(self, x); fields holding layers or trainable tensors are registered",
  "모든 층의 바탕: __init(self, ...)과 forward(self, x)를 정의; 층이나 학습할 텐서를 담은 필드는 자동 등록")
args.doc(nn.Parameter, "nn.Parameter(t)", "a trainable copy of t (a leaf that requires grad)",
  "t의 학습 가능한 복사본 (경사가 필요한 리프 텐서)")

-- help(model:method) for the Module methods a learner uses most
local methods = {
  { "parameters", "model:parameters()", "the list of trainable tensors (for an optimizer)", "학습할 텐서 목록 (옵티마이저에 넘김)" },
  { "named_parameters", "model:named_parameters()", "{name, tensor} pairs with PyTorch's dotted names (\"0.weight\" is model[1].weight); for name, p in model:named_parameters() do ... end",
    "PyTorch식 점 이름과 텐서의 쌍 (\"0.weight\"는 model[1].weight); for name, p in model:named_parameters() do ... end" },
  { "zero_grad", "model:zero_grad()", "drop every parameter's .grad (model:zero_grad(false) fills zeros)", "모든 파라미터의 .grad를 지웁니다 (false를 주면 0으로 채움)" },
  { "train", "model:train()", "training mode: dropout on, batch norm uses batch statistics", "학습 모드: 드롭아웃 켜짐, 배치 정규화는 배치 통계 사용" },
  { "eval", "model:eval()", "evaluation mode: dropout off, batch norm uses running statistics", "평가 모드: 드롭아웃 꺼짐, 배치 정규화는 이동 통계 사용" },
  { "state_dict", "model:state_dict()", "name -> tensor of every parameter and buffer. The keys are PyTorch's, as in checkpoint files PyTorch reads: positions count from 0 there, so \"0.weight\" is model[1].weight (printed models and inspect show [1].weight)",
    "모든 파라미터와 버퍼의 이름 -> 텐서. 키는 PyTorch가 읽는 체크포인트 파일과 같은 PyTorch 이름이라 위치를 0부터 셉니다: \"0.weight\"는 model[1].weight입니다 (모델 출력과 inspect는 [1].weight로 보여 줍니다)" },
  { "load_state_dict", "model:load_state_dict(sd, {strict=true})", "copy a state dict into the model (keys and shapes must match)", "state dict를 모델에 복사합니다 (키와 모양이 맞아야 함)" },
  { "num_parameters", "model:num_parameters()", "how many numbers the model learns", "모델이 학습하는 수의 개수" },
  { "save", "model:save(path)", "write the model's state dict as a safetensors file", "모델의 state dict를 safetensors 파일로 저장" },
  { "load", "model:load(path)", "read a safetensors file into the model", "safetensors 파일을 모델로 읽어 들임" },
  { "apply", "model:apply(fn)", "call fn(m) on every submodule (e.g. to initialise weights)", "모든 하위 모듈에 fn(m)을 호출 (가중치 초기화 등)" },
  { "register_buffer", "self:register_buffer(name, t)", "a tensor saved with the model but not trained (like running_mean)", "학습하지 않지만 모델과 함께 저장되는 텐서 (running_mean처럼)" },
}
for _, m in ipairs(methods) do args.doc(Module[m[1]], m[2], m[3], m[4]) end

return nn

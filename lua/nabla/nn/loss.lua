-- Loss modules (PyTorch's names): each holds its options and calls the functional loss
-- of the same name (src/ops/loss.c, backward beside forward):
--   loss_fn = nn.CrossEntropyLoss{ label_smoothing = 0.1 };  loss = loss_fn(logits, labels)
-- reduction: "mean" (default), "sum" or "none" (one loss per element). Class ids are
-- 1-based. A class weight (CrossEntropy, NLL, BCE) and BCEWithLogits' pos_weight are
-- buffers, saved in state_dict as in PyTorch.
local nabla = require "nabla"
local Module = require "nabla.nn.module"
local args = require "nabla.nn.args"
local doc = require "nabla.doc"

local M = {}

local REDUCTIONS = { mean = true, sum = true, none = true }
local BUFFERS = { weight = true, pos_weight = true }

-- A loss class: `settings` in PyTorch's positional order, with defaults (false: not
-- given, the functional's own default applies); fn(input, target, options).
local function loss_class(name, fn, settings, defaults, sig, en, ko)
  local cls = Module:extend(name)
  cls.settings = settings
  function cls:__init(...)
    local o = args.parse("nn." .. name, settings, defaults, ...)
    if not REDUCTIONS[o.reduction] then
      error(("nn.%s: reduction must be 'mean', 'sum' or 'none', got '%s'"):format(name, tostring(o.reduction)), 3)
    end
    for _, k in ipairs(settings) do
      if BUFFERS[k] then
        if o[k] then
          if not nabla.is_tensor(o[k]) then o[k] = nabla.tensor(o[k]) end
          self:register_buffer(k, o[k])
        end
      else
        self[k] = o[k]
      end
    end
  end
  function cls:options()
    local opts = {}
    for _, k in ipairs(settings) do
      local v = self[k]
      if v ~= false and v ~= nil then opts[k] = v end
    end
    return opts
  end
  function cls:forward(input, target)
    return fn(input, target, self:options())
  end
  doc(cls, sig, en, ko)
  M[name] = cls
  return cls
end

loss_class("MSELoss", nabla.mse_loss, { "reduction" }, { reduction = "mean" },
  "nn.MSELoss{reduction='mean'}", "mean squared error: mean((input − target)²), for regression",
  "평균 제곱 오차: mean((입력 − 목표)²), 회귀에 사용")
loss_class("L1Loss", nabla.l1_loss, { "reduction" }, { reduction = "mean" },
  "nn.L1Loss{reduction='mean'}", "mean absolute error: mean(|input − target|)",
  "평균 절대 오차: mean(|입력 − 목표|)")
loss_class("HuberLoss", nabla.huber_loss, { "reduction", "delta" }, { reduction = "mean", delta = 1.0 },
  "nn.HuberLoss{reduction='mean', delta=1}", "squared error near 0, absolute error beyond delta (robust to outliers)",
  "0 근처에서는 제곱 오차, delta 너머로는 절대 오차 (이상치에 강함)")
loss_class("SmoothL1Loss", nabla.smooth_l1_loss, { "reduction", "beta" }, { reduction = "mean", beta = 1.0 },
  "nn.SmoothL1Loss{reduction='mean', beta=1}", "Huber loss divided by beta: 0.5·d²/beta below beta, |d| − 0.5·beta above",
  "Huber 손실을 beta로 나눈 것: beta 아래 0.5·d²/beta, 위로는 |d| − 0.5·beta")
local CrossEntropyLoss = loss_class("CrossEntropyLoss", nabla.cross_entropy,
  { "weight", "ignore_index", "reduction", "label_smoothing" },
  { weight = false, ignore_index = false, reduction = "mean", label_smoothing = false },
  "nn.CrossEntropyLoss{weight=, ignore_index=, reduction='mean', label_smoothing=0}",
  "−log softmax(logits)[class]: classification from raw scores; targets are 1-based class ids or probabilities",
  "−log softmax(로짓)[정답]: 점수(로짓)로 하는 분류. 목표는 1부터 세는 클래스 번호 또는 확률")
loss_class("NLLLoss", nabla.nll_loss, { "weight", "ignore_index", "reduction" },
  { weight = false, ignore_index = false, reduction = "mean" },
  "nn.NLLLoss{weight=, ignore_index=, reduction='mean'}", "−input[class]: takes log-probabilities (after nn.LogSoftmax)",
  "−입력[정답]: 로그 확률을 받습니다 (nn.LogSoftmax 다음에)")
loss_class("BCELoss", nabla.binary_cross_entropy, { "weight", "reduction" }, { weight = false, reduction = "mean" },
  "nn.BCELoss{weight=, reduction='mean'}", "binary cross-entropy −[y·log p + (1−y)·log(1−p)] of probabilities p",
  "확률 p의 이진 교차 엔트로피 −[y·log p + (1−y)·log(1−p)]")
loss_class("BCEWithLogitsLoss", nabla.binary_cross_entropy_with_logits, { "weight", "reduction", "pos_weight" },
  { weight = false, reduction = "mean", pos_weight = false },
  "nn.BCEWithLogitsLoss{weight=, reduction='mean', pos_weight=}", "sigmoid + binary cross-entropy in one stable step, from raw scores",
  "시그모이드와 이진 교차 엔트로피를 한 번에, 안정적으로 (점수에서 바로)")

local GaussianNLLLoss = loss_class("GaussianNLLLoss", nil, { "full", "eps", "reduction" },
  { full = false, eps = 1e-6, reduction = "mean" },
  "nn.GaussianNLLLoss{full=false, eps=1e-6, reduction='mean'}: loss(mean, target, var)",
  "negative log-likelihood of target under N(input, var): 0.5·(log var + (input − target)²/var)",
  "목표가 N(입력, var)에서 나올 음의 로그 가능도: 0.5·(log var + (입력 − 목표)²/var)")
function GaussianNLLLoss:forward(input, target, var)
  return nabla.gaussian_nll_loss(input, target, var, self:options())
end

-- DESIGN.md's name: nn.CrossEntropy{ label_smoothing = 0.1 }(logits, labels)
M.CrossEntropy = CrossEntropyLoss

return M

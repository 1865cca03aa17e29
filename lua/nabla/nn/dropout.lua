-- nn.Dropout: in training, zero each element with probability p and scale the others by
-- 1/(1 − p), so the expected value is unchanged; in eval mode, the identity.
-- nn.Dropout2d zeroes whole channels of (N, C, H, W) (or (C, H, W)) instead.
local nabla = require "nabla"
local Module = require "nabla.nn.module"
local args = require "nabla.nn.args"
local doc = require "nabla.doc"

local function check_p(where, p)
  if type(p) ~= "number" or p < 0 or p > 1 then
    error(("%s: p must be a probability between 0 and 1, got %s"):format(where, tostring(p)), 3)
  end
  return p
end

local Dropout = Module:extend("Dropout")

function Dropout:__init(...)
  self.p = check_p("nn.Dropout", args.parse("nn.Dropout", { "p" }, { p = 0.5 }, ...).p)
end

function Dropout:forward(x)
  return nabla.dropout(x, self.p, self.training)
end

function Dropout:extra_repr() return ("p=%g"):format(self.p) end

local Dropout2d = Module:extend("Dropout2d")

function Dropout2d:__init(...)
  self.p = check_p("nn.Dropout2d", args.parse("nn.Dropout2d", { "p" }, { p = 0.5 }, ...).p)
end

-- one mask value per (sample, channel), broadcast over H and W
function Dropout2d:forward(x)
  if not self.training or self.p == 0 then return x end
  local s = x.shape
  if #s ~= 3 and #s ~= 4 then
    error(("nn.Dropout2d: expected a 3-d (C, H, W) or 4-d (N, C, H, W) input, got shape %s")
      :format(tostring(s)), 2)
  end
  local mask_shape = #s == 4 and { s[1], s[2], 1, 1 } or { s[1], 1, 1 }
  return x * nabla.dropout(nabla.ones(mask_shape), self.p, true)
end

function Dropout2d:extra_repr() return ("p=%g"):format(self.p) end

doc(Dropout, "nn.Dropout(p=0.5)", "in training, zero each value with probability p and scale the rest by 1/(1−p); off in eval mode", "학습 중에 값마다 확률 p로 0으로 만들고 나머지를 1/(1−p)배. 평가 모드에서는 꺼짐")
doc(Dropout2d, "nn.Dropout2d(p=0.5)", "dropout of whole channels of (N, C, H, W)", "(N, C, H, W)의 채널 전체를 드롭아웃")

return { Dropout = Dropout, Dropout2d = Dropout2d }

-- nn.Flatten merges dimensions start_dim..end_dim into one; nn.Unflatten splits one.
-- Dimensions are 1-based as everywhere in nabla: Flatten() keeps dim 1 (the batch) and
-- merges the rest, (N, C, H, W) -> (N, C·H·W), which PyTorch writes start_dim=1.
local Module = require "nabla.nn.module"
local args = require "nabla.nn.args"
local doc = require "nabla.doc"

local Flatten = Module:extend("Flatten")

function Flatten:__init(...)
  local o = args.parse("nn.Flatten", { "start_dim", "end_dim" }, { start_dim = 2, end_dim = -1 }, ...)
  self.start_dim, self.end_dim = o.start_dim, o.end_dim
end

function Flatten:forward(x)
  return x:flatten(self.start_dim, self.end_dim)
end

function Flatten:extra_repr()
  return ("start_dim=%d, end_dim=%d"):format(self.start_dim, self.end_dim)
end

local Unflatten = Module:extend("Unflatten")

function Unflatten:__init(...)
  local o = args.parse("nn.Unflatten", { "dim", "unflattened_size" }, {}, ...)
  self.dim, self.unflattened_size = o.dim, o.unflattened_size
end

-- (.., n, ..) -> (.., s1, s2, .., ..) with s1·s2·.. = n (one size may be -1)
function Unflatten:forward(x)
  local shape, nd = x.shape, x:dim()
  local d = self.dim < 0 and nd + 1 + self.dim or self.dim
  if d < 1 or d > nd then
    error(("nn.Unflatten: dim %d is out of range for a %d-d input"):format(self.dim, nd), 2)
  end
  local new = {}
  for i = 1, d - 1 do new[#new + 1] = shape[i] end
  for _, s in ipairs(self.unflattened_size) do new[#new + 1] = s end
  for i = d + 1, nd do new[#new + 1] = shape[i] end
  return x:reshape(new)
end

function Unflatten:extra_repr()
  return ("dim=%d, unflattened_size=(%s)"):format(self.dim, table.concat(self.unflattened_size, ", "))
end

doc(Flatten, "nn.Flatten(start_dim=2, end_dim=-1)", "merge dimensions start_dim..end_dim (1-based): (N, C, H, W) -> (N, C·H·W)", "start_dim..end_dim 차원(1부터)을 하나로 합칩니다: (N, C, H, W) -> (N, C·H·W)")
doc(Unflatten, "nn.Unflatten(dim, {sizes...})", "split dimension dim into the given sizes", "dim 차원을 주어진 크기들로 나눕니다")

return { Flatten = Flatten, Unflatten = Unflatten }

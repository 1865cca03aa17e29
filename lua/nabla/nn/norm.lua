-- Normalisation layers: each normalises its input to mean 0 and variance 1 over some
-- dimensions, then scales and shifts it by learnt weight (γ) and bias (β):
--   y = (x − mean) / √(var + eps) · γ + β
-- BatchNorm: statistics per channel over the batch (and positions); in training it uses
--   the batch's and updates running_mean / running_var (r ← (1 − momentum)·r + momentum·batch),
--   in eval mode it uses those running statistics.
-- LayerNorm: statistics per sample over the last dimensions (normalized_shape).
-- GroupNorm: statistics per sample and group of channels.
local nabla = require "nabla"
local Module = require "nabla.nn.module"
local args = require "nabla.nn.args"
local doc = require "nabla.doc"

local BatchNorm = Module:extend("_BatchNorm")

function BatchNorm:__init(...)
  local where = "nn." .. self.__name
  local o = args.parse(where, { "num_features", "eps", "momentum", "affine", "track_running_stats" },
    { eps = 1e-5, momentum = 0.1, affine = true, track_running_stats = true }, ...)
  self.num_features = args.size(where, "num_features", o.num_features)
  self.eps, self.momentum = o.eps, o.momentum   -- momentum = false: cumulative average
  self.affine, self.track_running_stats = o.affine, o.track_running_stats
  local C = self.num_features
  if self.affine then
    self.weight = nabla.ones(C):requires_grad()
    self.bias = nabla.zeros(C):requires_grad()
  end
  if self.track_running_stats then
    self:register_buffer("running_mean", nabla.zeros(C))
    self:register_buffer("running_var", nabla.ones(C))
    self:register_buffer("num_batches_tracked", nabla.tensor(0))
  end
end

function BatchNorm:forward(x)
  self:check_input(x)
  local momentum = self.momentum
  if self.training and self.track_running_stats then
    nabla.no_grad(function() self.num_batches_tracked:add_(1) end)
    if momentum == false then momentum = 1 / self.num_batches_tracked:item() end
  end
  -- without running statistics, even eval mode normalises with the batch's own
  local use_batch_stats = self.training or self.running_mean == nil
  return nabla.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                          use_batch_stats, momentum or 0, self.eps)
end

function BatchNorm:reset_running_stats()
  if self.track_running_stats then
    nabla.no_grad(function()
      self.running_mean:zero_(); self.running_var:fill_(1); self.num_batches_tracked:zero_()
    end)
  end
end

function BatchNorm:extra_repr()
  return ("%d, eps=%g, momentum=%s, affine=%s, track_running_stats=%s"):format(self.num_features,
    self.eps, self.momentum == false and "none" or ("%g"):format(self.momentum),
    tostring(self.affine), tostring(self.track_running_stats))
end

local BatchNorm1d = BatchNorm:extend("BatchNorm1d")
function BatchNorm1d:check_input(x)
  if x:dim() ~= 2 and x:dim() ~= 3 then
    error(("nn.BatchNorm1d: expected a 2-d (N, C) or 3-d (N, C, L) input, got shape %s")
      :format(tostring(x.shape)), 3)
  end
end

local BatchNorm2d = BatchNorm:extend("BatchNorm2d")
function BatchNorm2d:check_input(x)
  if x:dim() ~= 4 then
    error(("nn.BatchNorm2d: expected a 4-d (N, C, H, W) input, got shape %s"):format(tostring(x.shape)), 3)
  end
end

local LayerNorm = Module:extend("LayerNorm")

function LayerNorm:__init(...)
  local o = args.parse("nn.LayerNorm", { "normalized_shape", "eps", "elementwise_affine" },
    { eps = 1e-5, elementwise_affine = true }, ...)
  local shape = type(o.normalized_shape) == "table" and o.normalized_shape or { o.normalized_shape }
  self.normalized_shape = {}
  for i, n in ipairs(shape) do self.normalized_shape[i] = args.size("nn.LayerNorm", "normalized_shape", n) end
  self.eps, self.elementwise_affine = o.eps, o.elementwise_affine
  if self.elementwise_affine then
    self.weight = nabla.ones(self.normalized_shape):requires_grad()
    self.bias = nabla.zeros(self.normalized_shape):requires_grad()
  end
end

function LayerNorm:forward(x)
  return nabla.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
end

function LayerNorm:extra_repr()
  local s = self.normalized_shape
  return ("(%s%s), eps=%g, elementwise_affine=%s"):format(table.concat(s, ", "), #s == 1 and "," or "",
    self.eps, tostring(self.elementwise_affine))
end

local GroupNorm = Module:extend("GroupNorm")

function GroupNorm:__init(...)
  local o = args.parse("nn.GroupNorm", { "num_groups", "num_channels", "eps", "affine" },
    { eps = 1e-5, affine = true }, ...)
  self.num_groups = args.size("nn.GroupNorm", "num_groups", o.num_groups)
  self.num_channels = args.size("nn.GroupNorm", "num_channels", o.num_channels)
  if self.num_channels % self.num_groups ~= 0 then
    error(("nn.GroupNorm: num_channels (%d) must be divisible by num_groups (%d)"):format(
      self.num_channels, self.num_groups), 2)
  end
  self.eps, self.affine = o.eps, o.affine
  if self.affine then
    self.weight = nabla.ones(self.num_channels):requires_grad()
    self.bias = nabla.zeros(self.num_channels):requires_grad()
  end
end

function GroupNorm:forward(x)
  return nabla.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)
end

function GroupNorm:extra_repr()
  return ("%d, %d, eps=%g, affine=%s"):format(self.num_groups, self.num_channels, self.eps,
    tostring(self.affine))
end

doc(BatchNorm1d, "nn.BatchNorm1d(num_features, eps=1e-5, momentum=0.1, affine=true, track_running_stats=true)", "batch normalisation of (N, C) or (N, C, L): per channel over the batch; running statistics for eval mode", "(N, C) 또는 (N, C, L)의 배치 정규화: 배치에 걸쳐 채널별로. 평가 모드에서는 이동 통계를 사용")
doc(BatchNorm2d, "nn.BatchNorm2d(num_features, eps=1e-5, momentum=0.1, affine=true, track_running_stats=true)", "batch normalisation of (N, C, H, W): per channel over the batch and positions; running statistics for eval mode", "(N, C, H, W)의 배치 정규화: 배치와 위치에 걸쳐 채널별로. 평가 모드에서는 이동 통계를 사용")
doc(LayerNorm, "nn.LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=true)", "layer normalisation: each sample over its last dimensions (the same in training and eval)", "층 정규화: 샘플마다 마지막 차원들에 걸쳐 정규화 (학습과 평가에서 같음)")
doc(GroupNorm, "nn.GroupNorm(num_groups, num_channels, eps=1e-5, affine=true)", "group normalisation: each sample over groups of channels (independent of the batch size)", "그룹 정규화: 샘플마다 채널 그룹에 걸쳐 정규화 (배치 크기와 무관)")

return { BatchNorm1d = BatchNorm1d, BatchNorm2d = BatchNorm2d, LayerNorm = LayerNorm, GroupNorm = GroupNorm }

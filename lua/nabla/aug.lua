-- Data augmentation, in the manner of Albumentations: each transform is a callable object
-- taking a batch of images x (N, C, H, W) or (N, H, W) with values in [0, 1] and returning
-- a new batch. Each sample is transformed with probability p, with its own parameters drawn
-- from the given ranges (from the global RNG: data.loader seeds it per batch, so a seed
-- reproduces the batch). The pixel work is done by C kernels (src/data/augment.c).
--
--   t = aug.compose{ aug.affine{ rotate = 10, shift = 0.1, p = 1 }, aug.noise{ std = 0.05 } }
--   x2 = t(x)
--   m = aug.mixup{ alpha = 0.2 };  x2, y_a, y_b, lam = m(x, y)
local nabla = require "nabla"
local doc = require "nabla.doc"
local aug = {}

local uniform = nabla._C._rng_uniform
local floor = math.floor

-- Per-sample decisions: mask[i] is SKIP (leave sample i alone), FORCE (transform it) or OWN
-- (transform it with the transform's own probability p). A transform called directly gets
-- no mask (every sample OWN); compose and one_of pass masks to their members.
local SKIP, FORCE, OWN = 0, 1, 2
aug.SKIP, aug.FORCE, aug.OWN = SKIP, FORCE, OWN

local Transform = {}
Transform.__index = Transform
Transform.__name = "Transform"
aug.Transform = Transform
doc(Transform, "aug.Transform", "the class of every transform: t(x) transforms a batch (N, C, H, W), each sample with probability t.p", "모든 변환의 클래스: t(x)는 배치 (N, C, H, W)를 변환하며, 샘플마다 확률 t.p로 적용합니다")

-- t(x) for image transforms; t(x, y) for batch mixers (returns x, y_a, y_b, lam)
Transform.__call = function(self, x, y)
  if self.mix then return self:mix_batch(x, y) end
  return self:apply(x)
end

Transform.__tostring = function(self) return self.repr or ("aug." .. self.kind) end

-- which samples of a batch of n this transform changes
function Transform:chosen(n, mask)
  local pick = {}
  for i = 1, n do
    local m = mask and mask[i] or OWN
    if m == OWN then pick[i] = uniform() < self.p else pick[i] = (m == FORCE) end
  end
  return pick
end

local function check_batch(x, name)
  if not nabla.is_tensor(x) then error(("aug.%s: expected a tensor batch, got %s"):format(name, type(x)), 3) end
  local d = x:dim()
  if d ~= 3 and d ~= 4 then
    error(("aug.%s: expected a batch of images (N, C, H, W) or (N, H, W), got shape %s"):format(name, tostring(x.shape)), 3)
  end
  return x.shape[1], x.shape[d - 1], x.shape[d]
end

-- a parameter range: nil -> {default, default}; a number r -> {centre - r, centre + r};
-- a table {lo, hi} as given
local function range(v, default, centre, name)
  if v == nil then return { default, default } end
  if type(v) == "number" then return { centre - v, centre + v } end
  if type(v) == "table" and type(v[1]) == "number" and type(v[2]) == "number" and v[1] <= v[2] then
    return { v[1], v[2] }
  end
  error(("aug: %s must be a number or a range {lo, hi}, got %s"):format(name, tostring(v)), 3)
end

local function draw(r) return r[1] == r[2] and r[1] or uniform(r[1], r[2]) end

local function fmt_range(r) return ("{%g, %g}"):format(r[1], r[2]) end

local function new(kind, opts, fields)
  local t = setmetatable(fields, Transform)
  t.kind = kind
  t.p = opts.p or 0.5
  if type(t.p) ~= "number" or t.p < 0 or t.p > 1 then
    error(("aug.%s: p must be a probability in [0, 1], got %s"):format(kind, tostring(opts.p)), 3)
  end
  return t
end

-- aug.affine{ rotate = 10, shift = 0.1, scale = 0.1 | {0.9, 1.1}, shear = 0, p = 0.5 }:
-- rotate in degrees (counter-clockwise), shift as a fraction of the image size (shift_x and
-- shift_y separately), scale as a zoom factor, shear in degrees (shear_x, shear_y). Bilinear
-- sampling; pixels coming from outside the image are 0.
function aug.affine(opts)
  opts = opts or {}
  local t = new("affine", opts, {
    rotate = range(opts.rotate, 0, 0, "rotate"),
    scale = range(opts.scale, 1, 1, "scale"),
    shift_x = range(opts.shift_x or opts.shift, 0, 0, "shift"),
    shift_y = range(opts.shift_y or opts.shift, 0, 0, "shift"),
    shear_x = range(opts.shear_x or opts.shear, 0, 0, "shear"),
    shear_y = range(opts.shear_y or (opts.shear_x == nil and opts.shear) or nil, 0, 0, "shear"),
  })
  if t.scale[1] <= 0 then error("aug.affine: the scale range must stay above 0", 2) end
  t.repr = ("aug.affine{rotate=%s, shift=%s, scale=%s, shear=%s, p=%g}"):format(
    fmt_range(t.rotate), fmt_range(t.shift_x), fmt_range(t.scale), fmt_range(t.shear_x), t.p)
  return t
end
doc(aug.affine, "aug.affine{rotate=10, shift=0.1, scale=0.1, shear=0, p=0.5}", "random rotation (degrees), shift (fraction of the size), zoom and shear of each image in a batch", "배치의 각 이미지를 무작위로 회전(도), 이동(크기 대비 비율), 확대/축소, 기울임(shear)합니다")

-- the per-sample parameters (angle, scale, shear_x, shear_y, tx, ty: tables of n) of a batch
-- of n images h×w; the loader passes them to the C kernel that converts a batch of bytes
-- and transforms it in one pass (the same draws, so the same batch)
function Transform:affine_params(n, h, w, mask)
  local pick = self:chosen(n, mask)
  local angle, scale, shx, shy, tx, ty = {}, {}, {}, {}, {}, {}
  for i = 1, n do
    if pick[i] then
      angle[i], scale[i] = draw(self.rotate), draw(self.scale)
      shx[i], shy[i] = draw(self.shear_x), draw(self.shear_y)
      tx[i], ty[i] = draw(self.shift_x) * w, draw(self.shift_y) * h
    else
      angle[i], scale[i], shx[i], shy[i], tx[i], ty[i] = 0, 1, 0, 0, 0, 0
    end
  end
  return angle, scale, shx, shy, tx, ty
end

function Transform:apply_affine(x, mask)
  local n, h, w = check_batch(x, "affine")
  return nabla._C._aug_affine(x, self:affine_params(n, h, w, mask))
end

-- aug.elastic{ alpha = 34, sigma = 4, p = 0.5 }: Simard et al.'s elastic distortion: a random
-- displacement field smoothed by a Gaussian of sigma pixels, scaled by alpha pixels (34 and
-- 4 are their values for MNIST). alpha may be a range.
function aug.elastic(opts)
  opts = opts or {}
  local t = new("elastic", opts, { alpha = range(opts.alpha, 34, 34, "alpha"), sigma = opts.sigma or 4 })
  if type(opts.alpha) == "number" then t.alpha = { opts.alpha, opts.alpha } end
  if not (type(t.sigma) == "number" and t.sigma > 0) then error("aug.elastic: sigma must be a positive number", 2) end
  t.repr = ("aug.elastic{alpha=%s, sigma=%g, p=%g}"):format(fmt_range(t.alpha), t.sigma, t.p)
  return t
end
doc(aug.elastic, "aug.elastic{alpha=34, sigma=4, p=0.5}", "elastic distortion (Simard et al. 2003): a smooth random displacement field, like a hand's wobble", "탄성 변형 (Simard 외 2003): 손떨림처럼 부드러운 무작위 변위장으로 이미지를 휩니다")

function Transform:apply_elastic(x, mask)
  local n = check_batch(x, "elastic")
  local pick = self:chosen(n, mask)
  local alpha = {}
  for i = 1, n do alpha[i] = pick[i] and draw(self.alpha) or 0 end
  return nabla._C._aug_elastic(x, alpha, self.sigma)
end

-- aug.grid_distortion{ steps = 5, limit = 0.3, p = 0.5 }: the image cut into steps×steps
-- cells whose widths and heights are scaled by 1 + U(-limit, limit) (Albumentations'
-- GridDistortion)
function aug.grid_distortion(opts)
  opts = opts or {}
  local t = new("grid_distortion", opts, { steps = opts.steps or opts.num_steps or 5, limit = opts.limit or opts.distort_limit or 0.3 })
  if math.type(t.steps) ~= "integer" or t.steps < 1 then error("aug.grid_distortion: steps must be a positive integer", 2) end
  if not (t.limit >= 0 and t.limit < 1) then error("aug.grid_distortion: limit must be in [0, 1)", 2) end
  t.repr = ("aug.grid_distortion{steps=%d, limit=%g, p=%g}"):format(t.steps, t.limit, t.p)
  return t
end
doc(aug.grid_distortion, "aug.grid_distortion{steps=5, limit=0.3, p=0.5}", "stretches and squeezes the cells of a grid laid over the image", "이미지 위 격자의 칸들을 무작위로 늘이고 줄입니다")

function Transform:apply_grid_distortion(x, mask)
  local n = check_batch(x, "grid_distortion")
  local pick = self:chosen(n, mask)
  local xs, ys = {}, {}
  for i = 1, n do
    xs[i], ys[i] = {}, {}
    for k = 1, self.steps do
      xs[i][k] = pick[i] and 1 + uniform(-self.limit, self.limit) or 1
      ys[i][k] = pick[i] and 1 + uniform(-self.limit, self.limit) or 1
    end
  end
  return nabla._C._aug_grid_distortion(x, self.steps, xs, ys)
end

-- aug.cutout{ holes = 1, size = 8 | {h, w} | 0.25, fill = 0, p = 0.5 }: coarse dropout: holes
-- rectangles of the given size (pixels, or a fraction of the side when < 1) placed uniformly
-- inside the image and set to fill
function aug.cutout(opts)
  opts = opts or {}
  local size = opts.size or 8
  if type(size) == "number" then size = { size, size } end
  local t = new("cutout", opts, { holes = opts.holes or 1, size = size, fill = opts.fill or 0 })
  if math.type(t.holes) ~= "integer" or t.holes < 0 then error("aug.cutout: holes must be a non-negative integer", 2) end
  t.repr = ("aug.cutout{holes=%d, size={%g, %g}, fill=%g, p=%g}"):format(t.holes, size[1], size[2], t.fill, t.p)
  return t
end
doc(aug.cutout, "aug.cutout{holes=1, size=8, fill=0, p=0.5}", "blanks random rectangles (coarse dropout), so the network cannot rely on one spot", "무작위 사각형을 지웁니다(coarse dropout). 신경망이 한 부분에만 의존하지 못하게 합니다")

function Transform:apply_cutout(x, mask)
  local n, h, w = check_batch(x, "cutout")
  local pick = self:chosen(n, mask)
  local hh = self.size[1] < 1 and floor(self.size[1] * h + 0.5) or floor(self.size[1])
  local ww = self.size[2] < 1 and floor(self.size[2] * w + 0.5) or floor(self.size[2])
  hh, ww = math.min(hh, h), math.min(ww, w)
  local boxes = {}
  for i = 1, n do
    local list = {}
    if pick[i] then
      for k = 1, self.holes do
        list[k] = { nabla._C._rng_int(h - hh + 1), nabla._C._rng_int(w - ww + 1), hh, ww }
      end
    end
    boxes[i] = list
  end
  return nabla._C._aug_cutout(x, boxes, self.fill)
end

-- aug.noise{ std = 0.1 | {lo, hi}, p = 0.5, clip = true }: Gaussian noise of standard
-- deviation std (drawn per sample from the range), clipped to [0, 1]
function aug.noise(opts)
  opts = opts or {}
  local std = opts.std or 0.1
  local t = new("noise", opts, { std = type(std) == "number" and { std, std } or range(std, 0, 0, "std"), clip = opts.clip ~= false })
  t.repr = ("aug.noise{std=%s, p=%g}"):format(fmt_range(t.std), t.p)
  return t
end
doc(aug.noise, "aug.noise{std=0.1, p=0.5}", "adds Gaussian noise of standard deviation std, clipped to [0, 1]", "표준편차 std인 가우시안 노이즈를 더하고 [0, 1]로 자릅니다")

function Transform:apply_noise(x, mask)
  local n = check_batch(x, "noise")
  local pick = self:chosen(n, mask)
  local std = {}
  for i = 1, n do std[i] = pick[i] and draw(self.std) or 0 end
  return nabla._C._aug_noise(x, std, self.clip)
end

-- aug.brightness_contrast{ brightness = 0.2, contrast = 0.2, p = 0.5, clip = true }:
-- x·(1 + c) + b with c ~ U(-contrast, contrast), b ~ U(-brightness, brightness)
function aug.brightness_contrast(opts)
  opts = opts or {}
  local t = new("brightness_contrast", opts, {
    brightness = range(opts.brightness or 0.2, 0, 0, "brightness"),
    contrast = range(opts.contrast or 0.2, 0, 0, "contrast"),
    clip = opts.clip ~= false,
  })
  t.repr = ("aug.brightness_contrast{brightness=%s, contrast=%s, p=%g}"):format(fmt_range(t.brightness), fmt_range(t.contrast), t.p)
  return t
end
doc(aug.brightness_contrast, "aug.brightness_contrast{brightness=0.2, contrast=0.2, p=0.5}", "x·(1+c) + b with random c and b", "무작위 c, b로 x·(1+c) + b (밝기와 대비 변화)")

function Transform:apply_brightness_contrast(x, mask)
  local n = check_batch(x, "brightness_contrast")
  local pick = self:chosen(n, mask)
  local alpha, beta = {}, {}
  for i = 1, n do
    alpha[i] = pick[i] and 1 + draw(self.contrast) or 1
    beta[i] = pick[i] and draw(self.brightness) or 0
  end
  return nabla._C._aug_brightness_contrast(x, alpha, beta, self.clip)
end

-- ---- composition ---------------------------------------------------------------------------

-- aug.compose{ t1, t2, ..., p = 1 }: t1, then t2, ... (each with its own p); with p < 1 a
-- sample skips the whole chain with probability 1 - p. May end with one batch mixer.
function aug.compose(list)
  local t = new("compose", { p = list.p or 1 }, { list = {} })
  for i, m in ipairs(list) do
    if getmetatable(m) ~= Transform and type(m) ~= "function" then
      error(("aug.compose: item %d is not a transform"):format(i), 2)
    end
    if getmetatable(m) == Transform and m.mix then
      if t.mix then error("aug.compose: at most one mixup/cutmix", 2) end
      t.mix, t.mixer = true, m
    else
      t.list[#t.list + 1] = m
    end
  end
  local parts = {}
  for _, m in ipairs(list) do parts[#parts + 1] = tostring(m) end
  t.repr = "aug.compose{" .. table.concat(parts, ", ") .. "}"
  return t
end
doc(aug.compose, "aug.compose{t1, t2, ...}", "applies the transforms one after the other (each with its own p)", "변환들을 차례로 적용합니다 (각자 자기 확률 p로)")

function Transform:apply_compose(x, mask)
  local n = check_batch(x, "compose")
  local sub
  if self.p < 1 or mask then
    local pick = self:chosen(n, mask)
    sub = {}
    for i = 1, n do sub[i] = pick[i] and OWN or SKIP end
  end
  for _, m in ipairs(self.list) do
    if type(m) == "function" then x = m(x) else x = m:apply(x, sub) end
  end
  return x
end

-- aug.one_of{ t1, t2, ..., p = 1 }: for each sample, one of the transforms chosen uniformly
-- (or by weights = {...}), applied for sure; with probability 1 - p, none
function aug.one_of(list)
  local t = new("one_of", { p = list.p or 1 }, { list = {}, weights = list.weights })
  for i, m in ipairs(list) do
    if getmetatable(m) ~= Transform or m.mix then
      error(("aug.one_of: item %d is not an image transform"):format(i), 2)
    end
    t.list[i] = m
  end
  if #t.list == 0 then error("aug.one_of: needs at least one transform", 2) end
  local parts = {}
  for _, m in ipairs(t.list) do parts[#parts + 1] = tostring(m) end
  t.repr = "aug.one_of{" .. table.concat(parts, ", ") .. "}"
  return t
end
doc(aug.one_of, "aug.one_of{t1, t2, ..., p=1}", "applies one of the transforms, chosen at random for each image", "이미지마다 변환 하나를 무작위로 골라 적용합니다")

function Transform:apply_one_of(x, mask)
  local n = check_batch(x, "one_of")
  local pick = self:chosen(n, mask)
  local k = #self.list
  local masks = {}
  for j = 1, k do masks[j] = {} end
  local w, total = self.weights, 0
  if w then for j = 1, k do total = total + w[j] end end
  for i = 1, n do
    local choice = 0
    if pick[i] then
      if w then
        local r, acc = uniform() * total, 0
        choice = k
        for j = 1, k do
          acc = acc + w[j]
          if r < acc then choice = j; break end
        end
      else
        choice = nabla._C._rng_int(k)
      end
    end
    for j = 1, k do masks[j][i] = (j == choice) and FORCE or SKIP end
  end
  for j = 1, k do x = self.list[j]:apply(x, masks[j]) end
  return x
end

-- t:apply(x, mask): the transform with per-sample decisions mask (see SKIP/FORCE/OWN)
function Transform:apply(x, mask)
  if self.mix then error("aug." .. self.kind .. ": a batch mixer needs the labels: m(x, y)", 2) end
  return self["apply_" .. self.kind](self, x, mask)
end

-- ---- batch mixers ----------------------------------------------------------------------------

local function partners(n) return nabla._C._permutation(n, nabla._C._rng_seed()) end

local function check_labels(x, y, name)
  if not nabla.is_tensor(y) or y:dim() ~= 1 or #y ~= #x then
    error(("aug.%s: expected labels y of shape (%d), got %s"):format(name, #x,
      nabla.is_tensor(y) and tostring(y.shape) or type(y)), 3)
  end
end

-- aug.mixup{ alpha = 0.2, p = 1 }: m(x, y) -> x_mixed, y_a, y_b, lam with
-- x_mixed = lam·x + (1 − lam)·x[perm], y_a = y, y_b = y[perm], lam ~ Beta(alpha, alpha)
-- (Zhang et al. 2018). Train on lam·loss(out, y_a) + (1 − lam)·loss(out, y_b)
-- (aug.mix_loss), or on the soft targets data.soft_targets(y_a, y_b, lam, K).
function aug.mixup(opts)
  opts = opts or {}
  local t = new("mixup", { p = opts.p or 1 }, { alpha = opts.alpha or 0.2, mix = true })
  if not (t.alpha > 0) then error("aug.mixup: alpha must be positive", 2) end
  t.repr = ("aug.mixup{alpha=%g}"):format(t.alpha)
  return t
end
doc(aug.mixup, "aug.mixup{alpha=0.2}", "m(x, y) -> x mixed with a shuffled copy, y_a, y_b, lam (lam ~ Beta(alpha, alpha)); the loss is lam·loss(out, y_a) + (1-lam)·loss(out, y_b)", "m(x, y) -> 섞은 배치 x, y_a, y_b, lam (lam ~ Beta(alpha, alpha)). 손실 함수는 lam·loss(out, y_a) + (1-lam)·loss(out, y_b)")

-- aug.cutmix{ alpha = 1, p = 1 }: m(x, y) -> x_mixed, y_a, y_b, lam: a box of area
-- (1 − lam)·H·W pasted from x[perm] (Yun et al. 2019); lam is recomputed from the box
-- actually pasted (clipped at the border): lam = 1 − box area / (H·W).
function aug.cutmix(opts)
  opts = opts or {}
  local t = new("cutmix", { p = opts.p or 1 }, { alpha = opts.alpha or 1, mix = true })
  if not (t.alpha > 0) then error("aug.cutmix: alpha must be positive", 2) end
  t.repr = ("aug.cutmix{alpha=%g}"):format(t.alpha)
  return t
end
doc(aug.cutmix, "aug.cutmix{alpha=1}", "m(x, y) -> x with a box pasted from a shuffled copy, y_a, y_b, lam = 1 - box area / image area", "m(x, y) -> 섞은 배치의 사각형을 붙여 넣은 x, y_a, y_b, lam = 1 - 사각형 넓이 / 이미지 넓이")

function Transform:mix_batch(x, y)
  if self.kind == "compose" then
    x = self:apply_compose(x)
    return self.mixer:mix_batch(x, y)
  end
  local n, h, w = check_batch(x, self.kind)
  check_labels(x, y, self.kind)
  if uniform() >= self.p then return x, y, y, 1 end
  local perm = partners(n)
  local yb = nabla._C._gather_rows(y, perm)
  local lam = nabla._C._rng_beta(self.alpha, self.alpha)
  if self.kind == "mixup" then
    return nabla._C._mixup(x, perm, lam), y, yb, lam
  end
  -- cutmix: a box of side ratio sqrt(1 − lam) around a uniform centre, clipped
  local r = math.sqrt(1 - lam)
  local bh, bw = floor(h * r), floor(w * r)
  local cy, cx = floor(uniform() * h), floor(uniform() * w)        -- 0-based centre
  local y0, x0 = math.max(cy - bh // 2, 0), math.max(cx - bw // 2, 0)
  local y1, x1 = math.min(cy + bh // 2, h), math.min(cx + bw // 2, w)
  local area = (y1 - y0) * (x1 - x0)
  lam = 1 - area / (h * w)
  local box = { y0 + 1, x0 + 1, y1 - y0, x1 - x0 }
  return nabla._C._cutmix(x, perm, box[1], box[2], box[3], box[4]), y, yb, lam, box
end

-- aug.mix_loss(loss_fn, out, y_a, y_b, lam) = lam·loss_fn(out, y_a) + (1 − lam)·loss_fn(out, y_b)
function aug.mix_loss(loss_fn, out, ya, yb, lam)
  return loss_fn(out, ya) * lam + loss_fn(out, yb) * (1 - lam)
end
doc(aug.mix_loss, "aug.mix_loss(loss_fn, out, y_a, y_b, lam)", "the mixup/cutmix loss lam·loss_fn(out, y_a) + (1-lam)·loss_fn(out, y_b)", "mixup/cutmix 손실 lam·loss_fn(out, y_a) + (1-lam)·loss_fn(out, y_b)")

return aug

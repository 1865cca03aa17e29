-- Augmentation: identity parameters give the identity; a 90° rotation and a one-pixel
-- shift move a known pixel where they should; cutout zeroes the stated area; noise with
-- std 0 is the identity; grid distortion's coordinate map; mixup/cutmix label arithmetic;
-- compose/one_of semantics; seeds reproduce batches.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local aug, data = nabla.aug, nabla.data
local flat = T.flat

-- a batch (n, c, h, w) from a function f(i, ch, r, col) (all 1-based)
local function batch(n, c, h, w, f)
  local t = {}
  for i = 1, n do
    t[i] = {}
    for ch = 1, c do
      t[i][ch] = {}
      for r = 1, h do
        t[i][ch][r] = {}
        for col = 1, w do t[i][ch][r][col] = f(i, ch, r, col) end
      end
    end
  end
  return nabla.tensor(t)
end

local function digits(n)
  local ds = data.mnist{ split = "test", path = (nabla.lua_dir or "lua") .. "/../datasets/mnist-small" }
  local ids = {}
  for i = 1, n do ids[i] = i end
  return ds:batch(ids)
end

local function maxabs(t)
  local m = 0
  for _, v in ipairs(flat(t)) do m = math.max(m, math.abs(v)) end
  return m
end

local function range_of(t)
  local lo, hi = math.huge, -math.huge
  for _, v in ipairs(flat(t)) do lo, hi = math.min(lo, v), math.max(hi, v) end
  return lo, hi
end

T.test("identity parameters give the identity, exactly", function()
  local x = digits(8)
  T.near(nabla._C._aug_affine(x, 0, 1, 0, 0, 0, 0), x, 0, 0, "affine kernel")
  T.near(aug.affine{ p = 1 }(x), x, 0, 0, "aug.affine{} (all ranges zero)")
  T.near(aug.affine{ rotate = 30, shift = 0.2, scale = 0.2, shear = 10, p = 0 }(x), x, 0, 0, "p = 0")
  T.near(nabla._C._aug_elastic(x, 0, 4), x, 0, 0, "elastic with alpha 0")
  T.near(aug.grid_distortion{ limit = 0, p = 1 }(x), x, 0, 0, "grid distortion with limit 0")
  T.near(nabla._C._aug_grid_distortion(x, 4, { 2, 2, 2, 2 }, { 1, 1, 1, 1 }), x, 0, 0, "equal cells")
  T.near(aug.noise{ std = 0, p = 1 }(x), x, 0, 0, "noise with std 0")
  T.near(aug.brightness_contrast{ brightness = 0, contrast = 0, p = 1 }(x), x, 0, 0, "brightness/contrast 0")
  T.near(aug.cutout{ holes = 0, p = 1 }(x), x, 0, 0, "cutout with no holes")
  T.near(nabla._C._aug_remap(x, nabla.zeros(8, 28, 28), nabla.zeros(8, 28, 28)), x, 0, 0, "remap by zero")
  local m = aug.mixup{ alpha = 1, p = 0 }
  local xm, ya, yb, lam = m(x, nabla.arange(1, 9))
  T.near(xm, x, 0, 0, "mixup with p = 0")
  T.eq(lam, 1, "lam = 1 when not mixing")
  -- (N, H, W) batches and non-contiguous inputs too
  local x3 = x:view(8, 28, 28)
  T.near(aug.affine{ p = 1 }(x3), x3, 0, 0, "(N, H, W)")
  local xt = x:transpose(3, 4)
  T.near(nabla._C._aug_affine(xt, 0, 1, 0, 0, 0, 0), xt:contiguous(), 0, 0, "a transposed batch")
end)

T.test("rotate by 90° moves a known pixel where it should", function()
  -- one bright pixel at row 3, column 21 of a 28×28 image (1-based)
  local x = batch(2, 1, 28, 28, function(_, _, r, c) return (r == 3 and c == 21) and 1 or 0 end)
  -- counter-clockwise: (r, c) -> (W + 1 - c, r) in 1-based terms: (3, 21) -> (8, 3)
  local y = nabla._C._aug_affine(x, 90, 1, 0, 0, 0, 0)
  local want = batch(2, 1, 28, 28, function(_, _, r, c) return (r == 8 and c == 3) and 1 or 0 end)
  T.near(y, want, 0, 1e-5, "90° counter-clockwise")
  local back = nabla._C._aug_affine(y, -90, 1, 0, 0, 0, 0)
  T.near(back, x, 0, 1e-5, "-90° undoes it")
  local half = nabla._C._aug_affine(x, 180, 1, 0, 0, 0, 0)
  local want180 = batch(2, 1, 28, 28, function(_, _, r, c) return (r == 26 and c == 8) and 1 or 0 end)
  T.near(half, want180, 0, 1e-5, "180°: (r, c) -> (H+1-r, W+1-c)")
  -- through aug.affine with a fixed range
  T.near(aug.affine{ rotate = { 90, 90 }, p = 1 }(x), want, 0, 1e-5, "aug.affine{rotate = {90, 90}}")
  -- per-sample parameters: only the second sample turns
  local mixed = nabla._C._aug_affine(x, { 0, 90 }, 1, 0, 0, 0, 0)
  T.near(mixed[1], x[1], 0, 0, "sample 1 untouched")
  T.near(mixed[2], want[2], 0, 1e-5, "sample 2 rotated")
end)

T.test("shift by one pixel shifts; scale zooms about the centre", function()
  local x = digits(4)
  -- tx = +1 moves the content one pixel right: out[.., c] = in[.., c - 1], column 1 is 0
  local right = nabla._C._aug_affine(x, 0, 1, 0, 0, 1, 0)
  local want = batch(4, 1, 28, 28, function(i, _, r, c) return c == 1 and 0 or x[{ i, 1, r, c - 1 }]:item() end)
  T.near(right, want, 0, 1e-6, "one pixel right")
  local down = nabla._C._aug_affine(x, 0, 1, 0, 0, 0, 1)
  local wantd = batch(4, 1, 28, 28, function(i, _, r, c) return r == 1 and 0 or x[{ i, 1, r - 1, c }]:item() end)
  T.near(down, wantd, 0, 1e-6, "one pixel down")
  -- aug.affine's shift is a fraction of the size: 1/28 of 28 pixels
  T.near(aug.affine{ shift_x = { 1 / 28, 1 / 28 }, p = 1 }(x), want, 0, 1e-4, "aug.affine shift_x = 1/28")
  -- scale 2 about the centre (13.5, 13.5): out(r, c) = in(13.5 + (r - 13.5)/2, ...)
  local z = batch(1, 1, 28, 28, function(_, _, r, c) return (c - 1) / 27 end)  -- a horizontal ramp
  local zoom = nabla._C._aug_affine(z, 0, 2, 0, 0, 0, 0)
  local row = zoom[{ 1, 1, 10 }]:tolist()
  for c = 1, 28 do T.near(row[c], (13.5 + (c - 1 - 13.5) / 2) / 27, 1e-5, 1e-5, "zoomed ramp") end
  -- shear_x: x' = x + tan(45°)·(y - cy): row r moves by (r - 1 - 13.5) pixels
  local s = nabla._C._aug_affine(z, 0, 1, 45, 0, 0, 0)
  local r20 = s[{ 1, 1, 20 }]:tolist()     -- y - cy = 19 - 13.5 = 5.5: source col = c - 5.5
  T.near(r20[15], (14 - 5.5) / 27, 1e-5, 1e-5, "shear")
  T.raises(function() nabla._C._aug_affine(x, 0, 0, 0, 0, 0, 0) end, "aug.affine")
end)

T.test("cutout zeroes the stated area, and only it", function()
  local x = nabla.ones(3, 2, 10, 12)
  -- sample 1: a 3×4 hole at row 2, column 5; sample 2: none; sample 3: two holes, one cut by the border
  local y = nabla._C._aug_cutout(x, { { { 2, 5, 3, 4 } }, {}, { { 1, 1, 2, 2 }, { 9, 11, 5, 5 } } })
  local want = batch(3, 2, 10, 12, function(i, _, r, c)
    if i == 1 and r >= 2 and r <= 4 and c >= 5 and c <= 8 then return 0 end
    if i == 3 and ((r <= 2 and c <= 2) or (r >= 9 and c >= 11)) then return 0 end
    return 1
  end)
  T.near(y, want, 0, 0, "explicit boxes, every channel")
  -- the random form: on an all-ones batch exactly holes·size² pixels per image become 0
  nabla.manual_seed(5)
  local r = aug.cutout{ holes = 1, size = 6, p = 1 }(nabla.ones(16, 1, 28, 28))
  local v = flat(r)
  for i = 0, 15 do
    local zeros = 0
    for k = 1, 784 do if v[i * 784 + k] == 0 then zeros = zeros + 1 end end
    T.eq(zeros, 36, "one 6×6 hole inside image " .. (i + 1))
  end
  local f = aug.cutout{ holes = 1, size = 0.5, fill = 0.5, p = 1 }(nabla.zeros(2, 1, 8, 8))
  local halves = 0
  for _, u in ipairs(flat(f)) do if u == 0.5 then halves = halves + 1 end end
  T.eq(halves, 2 * 16, "size as a fraction of the side, and the fill value")
end)

T.test("noise: std 0 is the identity; std > 0 changes within [0, 1]; reproducible from a seed", function()
  local x = digits(6)
  T.near(nabla._C._aug_noise(x, 0), x, 0, 0, "std 0")
  local n1 = nabla._C._with_rng_seed(9, nabla._C._aug_noise, x, 0.2)
  local n2 = nabla._C._with_rng_seed(9, nabla._C._aug_noise, x, 0.2)
  T.near(n1, n2, 0, 0, "same seed, same noise")
  T.ok(maxabs(n1 - x) > 0.1, "noise changes the batch")
  local lo, hi = range_of(n1)
  T.ok(lo >= 0 and hi <= 1, "clipped to [0, 1]")
  local raw = nabla._C._aug_noise(nabla.full({ 50, 1, 20, 20 }, 0.5), 0.1, false)
  local s, s2, v = 0, 0, flat(raw)
  for _, u in ipairs(v) do s, s2 = s + u, s2 + (u - 0.5) ^ 2 end
  T.near(s / #v, 0.5, 0, 0.005, "noise mean")
  T.near(math.sqrt(s2 / #v), 0.1, 0.03, 0, "noise std")
  -- p: about half the samples are touched with p = 0.5
  nabla.manual_seed(1)
  local half = aug.noise{ std = 0.3, p = 0.5 }(nabla.full({ 200, 1, 4, 4 }, 0.5))
  local changed = 0
  for i = 1, 200 do if maxabs(half[i] - 0.5) > 0 then changed = changed + 1 end end
  T.ok(changed > 70 and changed < 130, "p = 0.5 changes about half the samples (" .. changed .. ")")
end)

T.test("brightness/contrast: alpha·x + beta, clipped", function()
  local x = batch(2, 1, 2, 2, function(_, _, r, c) return (r + c) / 10 end)
  local y = nabla._C._aug_brightness_contrast(x, { 2, 1 }, { 0.1, -0.3 })
  local want = batch(2, 1, 2, 2, function(i, _, r, c)
    local v = i == 1 and 2 * (r + c) / 10 + 0.1 or (r + c) / 10 - 0.3
    return math.max(0, math.min(1, v))
  end)
  T.near(y, want, 1e-6, 1e-7, "values")
end)

T.test("elastic and grid distortion: coordinate maps, reproducible, in range", function()
  local x = digits(4)
  local e1 = nabla._C._with_rng_seed(3, nabla._C._aug_elastic, x, 34, 4)
  local e2 = nabla._C._with_rng_seed(3, nabla._C._aug_elastic, x, 34, 4)
  T.near(e1, e2, 0, 0, "same seed, same distortion")
  T.ok(maxabs(e1 - x) > 0.2, "elastic changes the digits")
  local lo, hi = range_of(e1)
  T.ok(lo >= 0 and hi <= 1 + 1e-6, "bilinear stays within the input's range")
  -- per-sample alpha: a 0 leaves that sample exactly alone
  local e3 = nabla._C._aug_elastic(x, { 0, 34, 0, 34 }, 4)
  T.near(e3[1], x[1], 0, 0, "alpha 0 sample untouched")
  T.ok(maxabs(e3[2] - x[2]) > 0.1, "alpha 34 sample distorted")
  -- grid: a horizontal ramp value = column (0-based) shows the source coordinate. W = 9,
  -- two cells with factors {1, 3}: edges at 0, 2, 8; output 0..4 -> 0..2, 4..8 -> 2..8
  local ramp = batch(1, 1, 3, 9, function(_, _, _, c) return c - 1 end)
  local g = nabla._C._aug_grid_distortion(ramp, 2, { 1, 3 }, { 1, 1 })
  T.near(g[{ 1, 1, 2 }], nabla.tensor{ 0, 0.5, 1, 1.5, 2, 3.5, 5, 6.5, 8 }, 1e-5, 1e-5, "piecewise-linear map")
  T.raises(function() nabla._C._aug_grid_distortion(ramp, 2, { 1, 0 }, { 1, 1 }) end, "positive")
  nabla.manual_seed(4)
  local gd = aug.grid_distortion{ steps = 5, limit = 0.3, p = 1 }(x)
  T.ok(maxabs(gd - x) > 0.05, "aug.grid_distortion changes the digits")
end)

T.test("mixup: x = lam·x + (1-lam)·x[perm]; labels and lambda agree", function()
  -- image i is filled with its label value, so a mixed image's value is lam·ya + (1-lam)·yb
  local y = nabla.tensor{ 1, 2, 3, 4, 5, 6, 7, 8 }
  local x = batch(8, 1, 4, 4, function(i) return i end)
  nabla.manual_seed(12)
  local xm, ya, yb, lam = aug.mixup{ alpha = 0.4 }(x, y)
  T.ok(lam > 0 and lam < 1, "lam in (0, 1): " .. lam)
  T.near(ya, y, 0, 0, "y_a is y")
  local a, b = flat(ya), flat(yb)
  local sorted = table.move(b, 1, 8, 1, {})
  table.sort(sorted)
  T.eq(table.concat(sorted, ","), "1.0,2.0,3.0,4.0,5.0,6.0,7.0,8.0", "y_b is a permutation of y")
  for i = 1, 8 do
    T.near(xm[i], nabla.full({ 1, 4, 4 }, lam * a[i] + (1 - lam) * b[i]), 1e-5, 1e-5, "mixed value " .. i)
  end
  -- soft targets and the mixed loss agree with lam
  local soft = data.soft_targets(ya, yb, lam, 8):tolist()
  for i = 1, 8 do
    local s = 0
    for j = 1, 8 do s = s + soft[i][j] end
    T.near(s, 1, 1e-6, 1e-6, "soft row sums to 1")
    if a[i] ~= b[i] then T.near(soft[i][a[i]], lam, 1e-6, 1e-6, "lam at y_a") end
  end
  local loss = aug.mix_loss(function(_, t) return t * 2 end, nil, nabla.tensor(1.0), nabla.tensor(3.0), 0.25)
  T.near(loss, 0.25 * 2 + 0.75 * 6, 1e-6, 1e-6, "mix_loss = lam·L(a) + (1-lam)·L(b)")
  -- the Beta draws have mean 1/2 and the right spread: Var Beta(a, a) = 1 / (4(2a + 1))
  nabla.manual_seed(1)
  local s, s2, n = 0, 0, 4000
  for _ = 1, n do local l = nabla._C._rng_beta(0.4, 0.4); s, s2 = s + l, s2 + l * l end
  local mean, var = s / n, s2 / n - (s / n) ^ 2
  T.near(mean, 0.5, 0, 0.02, "Beta(0.4, 0.4) mean")
  T.near(var, 1 / (4 * 1.8), 0, 0.01, "Beta(0.4, 0.4) variance")
end)

T.test("cutmix: the pasted area is (1 - lam)·H·W and comes from the partner", function()
  local y = nabla.tensor{ 1, 2, 3, 4, 5, 6 }
  local x = batch(6, 2, 16, 20, function(i) return i end)
  for seed = 1, 5 do
    nabla.manual_seed(seed)
    local xm, ya, yb, lam, box = aug.cutmix{ alpha = 1 }(x, y)
    local a, b = flat(ya), flat(yb)
    local v = flat(xm)
    local plane = 16 * 20
    for i = 1, 6 do
      local from_b = 0
      for k = 1, plane do
        local u = v[(i - 1) * 2 * plane + k]
        T.ok(u == a[i] or u == b[i], "every pixel from x or its partner")
        if u == b[i] and a[i] ~= b[i] then from_b = from_b + 1 end
      end
      if a[i] ~= b[i] then
        T.near(from_b, (1 - lam) * plane, 0, 1e-6, "pasted area = (1 - lam)·H·W (seed " .. seed .. ")")
        T.eq(from_b, box[3] * box[4], "the box's area")
      end
    end
    T.ok(lam >= 0 and lam <= 1, "lam in [0, 1]")
  end
  -- the explicit kernel: box rows 2..4, columns 3..7 of sample 1 come from sample 2
  local k = nabla._C._cutmix(x, { 2, 1, 3, 4, 5, 6 }, 2, 3, 3, 5)
  local want = batch(6, 2, 16, 20, function(i, _, r, c)
    if i <= 2 and r >= 2 and r <= 4 and c >= 3 and c <= 7 then return 3 - i end
    return i
  end)
  T.near(k, want, 0, 0, "explicit cutmix box")
end)

T.test("compose and one_of", function()
  local x = nabla.zeros(64, 1, 4, 4)
  local b1 = aug.brightness_contrast{ brightness = { 0.5, 0.5 }, contrast = 0, p = 1, clip = false }
  local b2 = aug.brightness_contrast{ brightness = { 0.25, 0.25 }, contrast = 0, p = 1, clip = false }
  T.near(aug.compose{ b1, b2 }(x), nabla.full({ 64, 1, 4, 4 }, 0.75), 1e-6, 1e-7, "compose applies both")
  nabla.manual_seed(2)
  local o = aug.one_of{ b1, b2 }(x)
  local c5, c25 = 0, 0
  for i = 1, 64 do
    local v = flat(o[i])
    for k = 2, #v do T.eq(v[k], v[1], "one transform per image") end
    if v[1] == 0.5 then c5 = c5 + 1 elseif v[1] == 0.25 then c25 = c25 + 1 end
  end
  T.eq(c5 + c25, 64, "exactly one of the two for every image")
  T.ok(c5 > 15 and c25 > 15, ("both chosen (%d, %d)"):format(c5, c25))
  nabla.manual_seed(2)
  local none = aug.one_of{ b1, b2, p = 0 }(x)
  T.near(none, x, 0, 0, "one_of with p = 0")
  -- compose's own p: a skipped sample skips the whole chain
  nabla.manual_seed(3)
  local cp = aug.compose{ b1, b2, p = 0.5 }(x)
  local whole, skipped = 0, 0
  for i = 1, 64 do
    local v = flat(cp[i])[1]
    if v == 0.75 then whole = whole + 1 elseif v == 0 then skipped = skipped + 1 end
  end
  T.eq(whole + skipped, 64, "all or nothing per sample")
  T.ok(whole > 15 and skipped > 15, "about half and half")
  -- a compose ending in a mixer is a mixer
  local cm = aug.compose{ b1, aug.mixup{ alpha = 1 } }
  T.ok(cm.mix, "compose with mixup mixes")
  local xm, ya, yb, lam = cm(x, nabla.arange(1, 65))
  T.near(xm, nabla.full({ 64, 1, 4, 4 }, 0.5), 1e-6, 1e-6, "mixing equal images changes nothing")
  T.ok(lam >= 0 and lam <= 1, "lam")
  T.raises(function() aug.affine{ p = 1 }(nabla.zeros(4, 4)) end, "aug.affine", "(N, C, H, W)")
  T.raises(function() aug.mixup{}(x) end, "aug.mixup", "labels")
  T.raises(function() aug.affine{ p = 2 } end, "probability")
  print("  " .. tostring(aug.compose{ aug.affine{ rotate = 10 }, aug.noise{ std = 0.05 } }))
end)

T.test("throughput: a batch of 64 MNIST digits through every transform", function()
  local x = digits(64)
  local t = aug.compose{ aug.affine{ rotate = 10, shift = 0.1, scale = 0.1, p = 1 },
                         aug.elastic{ p = 1 }, aug.grid_distortion{ p = 1 },
                         aug.cutout{ p = 1 }, aug.noise{ p = 1 }, aug.brightness_contrast{ p = 1 } }
  local clock = nabla.clock or os.clock
  collectgarbage()   -- time the transforms, not the sweep of the earlier tests' garbage
  t(x)
  local t0 = clock()
  for _ = 1, 20 do t(x) end
  local ms = (clock() - t0) / 20 * 1000
  print(("  %.2f ms per batch of 64 through six transforms"):format(ms))
  -- (under AddressSanitizer, .ci/run's build-san, every access is checked: 10x the time)
  T.ok(ms < (os.getenv("NABLA_SANITIZER") and 2000 or 200), "fast enough to run inside a training loop")
end)

T.done()

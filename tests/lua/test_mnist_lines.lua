-- data.mnist_lines (lua/nabla/mnist_lines.lua, the kernel nabla._C._paste_max): the same
-- seed gives the same lines; a line of the test split is made of test digits only (its
-- pixels are rebuilt from the test images at its source positions, and not from the
-- training images); lengths, gaps (touching or not), boxes, batches for ctc_loss; errors.
-- On the committed subset (datasets/mnist-small), so it runs without the full MNIST.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local data = nabla.data

local function lines(o)
  o.small = true
  return data.mnist_lines(o)
end

T.test("the same seed gives the same lines, in any order; another seed others", function()
  local a = lines { split = "test", n = 20, seed = 11 }
  local b = lines { split = "test", n = 20, seed = 11 }
  local c = lines { split = "test", n = 20, seed = 12 }
  local differ = 0
  for _, i in ipairs { 20, 3, 7, 1 } do
    local la, lb = a:line(i), b:line(i)
    T.eq(la.text, lb.text, "text of line " .. i)
    T.eq(la.image.shape, lb.image.shape, "shape of line " .. i)
    T.near(la.image, lb.image, 0, 0, "pixels of line " .. i)
    if c:line(i).text ~= la.text then differ = differ + 1 end
  end
  T.ok(differ >= 3, "another seed gives other lines")
  T.eq(a[5][2], a:line(5).text, "ds[i] = {image, text}")
end)

-- the digit at a source position, as (28, 28)
local function digit(ds, pos) return ds:batch({ pos }):view(28, 28) end

T.test("a test line is made of test digits only: its text and pixels come from them", function()
  local test = data.mnist { split = "test", small = true }
  local train = data.mnist { split = "train", small = true }
  local ds = lines { split = "test", n = 30, seed = 4, thickness = 0, jitter = 0 }
  T.eq(#ds.digits, #test, "the source is the test split")
  for i = 1, 30 do
    local l = ds:line(i)
    T.eq(#l.sources, #l.text, "one source per digit")
    for k, pos in ipairs(l.sources) do
      T.ok(pos >= 1 and pos <= #test, "source position within the test split")
      local _, y = test:get(pos)
      T.eq(tostring(y - 1), l.text:sub(k, k), "the digit's label is the test label")
    end
  end
  -- the ink inside each box of a separated line is the test digit at its source, scaled:
  -- its total ink matches the test image's (times scale²), not the training image's
  local sep = lines { split = "test", n = 10, seed = 5, touching = false, thickness = 0 }
  local matched, other = 0, 0
  for i = 1, 10 do
    local l = sep:line(i)
    for k, b in ipairs(l.boxes) do
      local x0, y0, x1, y1 = b[1], b[2], b[3], b[4]
      local piece = l.image:narrow(1, y0 + 1, y1 - y0):narrow(2, x0 + 1, x1 - x0):sum():item()
      local s = (y1 - y0) -- the height of the scaled ink; compare ratios of ink per height²
      local mine = digit(test, l.sources[k])
      local theirs = digit(train, l.sources[k])
      local function ratio(d)
        local rows = d:sum(2):tolist()
        local r0, r1
        for r = 1, 28 do if rows[r] > 0.1 then r0 = r0 or r; r1 = r end end
        return d:sum():item() / ((r1 - r0 + 1) ^ 2)
      end
      local want = ratio(mine)
      local got = piece / (s ^ 2)
      if math.abs(got - want) < 0.25 * want then matched = matched + 1 end
      if math.abs(got - ratio(theirs)) < 0.02 * ratio(theirs) then other = other + 1 end
    end
  end
  T.ok(matched >= 0.9 * (matched + other) and matched > 20, ("ink of each digit matches the test image (%d matched, %d like train)"):format(matched, other))
end)

T.test("lines from given digits use only those (a validation part of the training set)", function()
  local train = data.mnist { split = "train", small = true }
  local order = nabla._C._permutation(#train, 1)
  local ids = {}
  for i = 1, 100 do ids[i] = order[i] end
  local part = train:subset(ids, "validation digits")
  local ds = data.mnist_lines { digits = part, n = 20, seed = 2 }
  for i = 1, 20 do
    for _, pos in ipairs(ds:line(i).sources) do T.ok(pos >= 1 and pos <= 100, "within the part") end
  end
  T.ok(tostring(ds):find("validation digits", 1, true), "named by its source")
end)

T.test("lengths, heights, boxes and gaps follow the options", function()
  local ds = lines { split = "train", n = 40, seed = 9, min_len = 3, max_len = 5, height = 32, touching = false }
  local seen = {}
  for i = 1, 40 do
    local l = ds:line(i)
    T.ok(#l.text >= 3 and #l.text <= 5, "length in 3..5")
    seen[#l.text] = true
    T.eq(l.image.shape[1], 32, "height 32")
    local W = l.image.shape[2]
    T.ok(l.image:min():item() >= 0 and l.image:max():item() <= 1.0001, "ink in [0, 1]")
    for k, b in ipairs(l.boxes) do
      T.ok(b[1] >= 0 and b[2] >= 0 and b[3] <= W and b[4] <= 32 and b[1] < b[3] and b[2] < b[4], "box inside")
      if k > 1 then
        T.ok(b[1] >= l.boxes[k - 1][3] + 1, "separate digits leave a gap")
        T.eq(l.touching[k - 1], false, "not touching")
      end
    end
    -- every separated digit is cut from its neighbour by an empty column
    local cols = l.image:sum(1):tolist()
    for k = 2, #l.boxes do
      local empty = false
      for c = l.boxes[k - 1][3] - 1, l.boxes[k][1] + 1 do
        if c >= 0 and c < W and cols[c + 1] < 1e-6 then empty = true end
      end
      T.ok(empty, "an empty column between digits " .. (k - 1) .. " and " .. k .. " of line " .. i)
    end
  end
  T.ok(seen[3] and seen[4] and seen[5], "every length occurs")
  local t = lines { split = "train", n = 20, seed = 9, min_len = 4, max_len = 8, touching = true }
  local overlapping = 0
  for i = 1, 20 do
    local l = t:line(i)
    for k = 2, #l.boxes do
      T.eq(l.touching[k - 1], true, "touching")
      if l.boxes[k][1] < l.boxes[k - 1][3] then overlapping = overlapping + 1 end
    end
  end
  T.ok(overlapping > 50, "touching digits' boxes overlap (" .. overlapping .. ")")
end)

T.test("batch: padded images and CTC targets (digit d is class d + 2, blank 1)", function()
  local ds = lines { split = "test", n = 5, seed = 3 }
  local x, targets, tl, widths, texts = ds:batch { 2, 4, 5 }
  local W = math.max(widths[1], widths[2], widths[3])
  T.eq(x.shape, { 3, 1, 28, W }, "x (B, 1, H, W)")
  for k, i in ipairs { 2, 4, 5 } do
    local l = ds:line(i)
    T.eq(texts[k], l.text, "text")
    T.eq(tl[k], #l.text, "target length")
    T.near(x[k][1]:narrow(2, 1, widths[k]), l.image, 0, 0, "the line's pixels")
    if widths[k] < W then T.eq(x[k][1]:narrow(2, widths[k] + 1, W - widths[k]):abs():sum():item(), 0, "padding is background") end
    local row = targets[k]:tolist()
    for j = 1, #l.text do T.eq(row[j], tonumber(l.text:sub(j, j)) + 2, "class id of digit " .. j) end
  end
  -- ready for ctc_loss
  local T_ = 20
  local lp = nabla.randn(T_, 3, 11):log_softmax(3)
  local loss = nabla.ctc_loss(lp, targets, { T_, T_, T_ }, tl)
  T.ok(loss:item() > 0, "a CTC loss")
end)

T.test("paste_max: a glyph scaled by 2 covers twice the pixels, by max", function()
  local c = nabla.zeros(6, 8)
  nabla._C._paste_max(c, nabla.ones(2, 3), 1, 1, 2)
  -- covers rows 1..4, columns 1..6 (0-based): the inside exactly 1, the rim blended
  T.near(c:narrow(1, 3, 2):narrow(2, 3, 4), nabla.ones(2, 4), 0, 0, "inside")
  T.ok(c:narrow(1, 2, 4):narrow(2, 2, 6):min():item() > 0.5, "the rim")
  T.eq(c:narrow(1, 1, 1):sum():item() + c:narrow(1, 6, 1):sum():item(), 0, "rows outside untouched")
  T.eq(c:narrow(2, 8, 1):sum():item(), 0, "outside untouched")
  nabla._C._paste_max(c, nabla.full({ 1, 1 }, 0.5), 0, 0, 1)
  T.eq(c[1][1]:item(), 0.5, "max with the background")
  T.raises(function() nabla._C._paste_max(c, nabla.ones(2, 2), 0, 0, 0) end, "paste_max: scale 0 must be in (0, 8]")
  T.raises(function() nabla._C._paste_max(nabla.zeros(2, 2, 2), nabla.ones(2, 2), 0, 0, 1) end, "paste_max: expected a contiguous 2-d canvas")
end)

T.test("errors name mnist_lines and the option", function()
  T.raises(function() data.mnist_lines { split = "val", small = true } end, 'split must be "train" or "test"')
  T.raises(function() data.mnist_lines { min_len = 5, max_len = 2, small = true } end, "min_len..max_len")
  T.raises(function() data.mnist_lines { touching = "yes", small = true } end, "touching must be true, false or a probability")
  T.raises(function() data.mnist_lines { lenght = 3, small = true } end, "unknown option 'lenght'")
  T.raises(function() lines { n = 3 }:line(4) end, "index 4 is out of range 1..3")
end)

T.done()

-- data.mnist_lines: lines of handwritten digits built from MNIST, the way the text-line
-- data sets of handwriting labs are built from single characters.
--
--   lines = data.mnist_lines{ split = "test", n = 1000, seed = 1 }
--   img, text = lines[1][1], lines[1][2]     -- img (28, W): ink 1 on 0; text "4093"
--   info = lines:line(1)                      -- image, text, boxes, sources, touching
--   x, targets, target_lengths, widths = lines:batch{ 1, 2, 3 }   -- for ctc_loss
--
-- Line i is drawn from a generator seeded by (seed, i) alone: the same seed gives the same
-- lines, in any order, on any machine, and a line is made only when asked for (nothing is
-- stored). Every digit of a line comes from one source: the training digits (split =
-- "train"), the test digits (split = "test"), or a dataset of digits you give (digits =,
-- e.g. a part of the training set kept for validation); lines:line(i).sources are the
-- positions of its digits in that source.
--
-- How a line is made (the random choices are here, in Lua; the pixel work, pasting a scaled
-- digit by max, is the C kernel nabla._C._paste_max):
--   1. its length: min_len..max_len digits; the digits: positions in the source at random
--   2. each digit's ink: thinner (blended with its erosion) or thicker (with its dilation)
--   3. each digit cropped to its ink, scaled by scale·H/28, moved up or down by jitter
--   4. the gaps: touching digits overlap by 0..3 pixels, separate ones leave 3..8 pixels;
--      touching = true (every gap), false (none), or a probability per gap
local nabla = require "nabla"

local floor, ceil, max, min = math.floor, math.ceil, math.max, math.min

-- splitmix64 (Steele et al. 2014): uniform numbers in [0, 1) from a 64-bit seed, the same
-- on every machine (Lua integers wrap around; >> is a logical shift)
local function generator(seed)
  local s = seed
  return function(a, b)
    s = s + 0x9E3779B97F4A7C15
    local z = s
    z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ~ (z >> 27)) * 0x94D049BB133111EB
    z = z ~ (z >> 31)
    local u = (z >> 11) * (1.0 / 9007199254740992.0)
    if a then return a + (b - a) * u end
    return u
  end
end

local function mix(a, b)
  local h = a * -7046029254386353131 + b * -4658895280553007687
  return h ~ (h >> 31)
end

local Lines = {}
Lines.__name = "mnist_lines"
Lines.__index = function(ds, k)
  if type(k) == "number" then
    local l = ds:line(k)
    return { l.image, l.text }
  end
  return Lines[k]
end
Lines.__len = function(ds) return ds.n end
Lines.__tostring = function(ds)
  return ("mnist_lines: %d lines of %d-%d digits from %s (height %d, touching %s, seed %d)")
    :format(ds.n, ds.min_len, ds.max_len, ds.source, ds.height, tostring(ds.touching), ds.seed)
end

-- the first and last index (1-based) where the values of list exceed t, or nil
local function extent(list, t)
  local a, b
  for i = 1, #list do
    if list[i] > t then
      a = a or i
      b = i
    end
  end
  return a, b
end

-- lines:line(i): { image (H, W), text, digits = {d...}, boxes = {{x0, y0, x1, y1}...}
-- (0-based pixels, x1 and y1 exclusive), sources = {positions in the source},
-- touching = {per gap: true if the two digits touch} }
function Lines:line(i)
  if math.type(i) ~= "integer" and not (type(i) == "number" and i == floor(i)) then
    error("mnist_lines: index must be an integer, got " .. tostring(i), 2)
  end
  if i < 1 or i > self.n then error(("mnist_lines: index %d is out of range 1..%d"):format(i, self.n), 2) end
  local u = generator(mix(self.seed, floor(i)))
  local H = self.height
  local L = floor(u(self.min_len, self.max_len + 1))
  local n_src = #self.digits
  local sources = {}
  for k = 1, L do sources[k] = min(n_src, 1 + floor(u() * n_src)) end
  local x, y = self.digits:batch(sources)                  -- (L, 1, 28, 28), class ids
  local labels = y:tolist()
  -- ink: t > 0 blends toward the dilation (thicker), t < 0 toward the erosion (thinner)
  local tp, tn = {}, {}
  for k = 1, L do
    local t = u(-self.thickness, self.thickness)
    tp[k], tn[k] = max(t, 0), max(-t, 0)
  end
  local tpos = nabla.tensor(tp):view(L, 1, 1, 1)
  local tneg = nabla.tensor(tn):view(L, 1, 1, 1)
  local dil = nabla.max_pool2d(x, 3, 1, 1)
  local ero = -nabla.max_pool2d(-x, 3, 1, 1)
  x = nabla.maximum(x * (1 - tneg) + ero * tneg, dil * tpos):view(L, 28, 28)
  local cols = x:sum(2):tolist()                            -- (L, 28) ink per column
  local rows = x:sum(3):tolist()                            -- (L, 28) ink per row
  -- place the digits from left to right
  local placed, touching = {}, {}
  local pos = u(1, 4)
  for k = 1, L do
    local c0, c1 = extent(cols[k], 0.1)
    local r0, r1 = extent(rows[k], 0.1)
    if not c0 then c0, c1, r0, r1 = 10, 18, 10, 18 end     -- an empty image: a small blank
    local h, w = r1 - r0 + 1, c1 - c0 + 1
    local s = u(self.scale[1], self.scale[2]) * H / 28
    s = min(s, (H - 1) / h)
    local hs, ws = h * s, w * s
    local top = (H - hs) / 2 + u(-self.jitter, self.jitter) * H
    top = max(0, min(H - hs, top))
    if k > 1 then
      local touch
      if type(self.touching) == "number" then touch = u() < self.touching else touch = self.touching end
      touching[k - 1] = touch
      pos = pos + (touch and -u(0, 3) or u(3, 8))
    end
    placed[k] = { glyph = x[k]:narrow(1, r0, h):narrow(2, c0, w), x = pos, y = top, s = s, w = ws, h = hs }
    pos = pos + ws
  end
  local W = ceil(pos + u(1, 4))
  local image = nabla.zeros(H, W)
  local boxes, digits, text = {}, {}, {}
  for k, p in ipairs(placed) do
    nabla._C._paste_max(image, p.glyph, p.x, p.y, p.s)
    boxes[k] = { max(0, floor(p.x)), max(0, floor(p.y)), min(W, ceil(p.x + p.w)), min(H, ceil(p.y + p.h)) }
    digits[k] = floor(labels[k]) - 1                        -- class d + 1 is the digit d
    text[k] = tostring(digits[k])
  end
  return { image = image, text = table.concat(text), digits = digits, boxes = boxes,
           sources = sources, touching = touching }
end

-- x, targets, target_lengths, widths, texts = lines:batch(ids): the lines at positions
-- ids, padded with background on the right to the widest (and to a multiple of pad_to, 1
-- unless given): x (B, 1, H, W); targets (B, S) CTC class ids (the digit d is class d + 2:
-- class 1 is the blank), padded with 1; target_lengths and widths tables of B numbers;
-- texts the B strings
function Lines:batch(ids, pad_to)
  local ls = {}
  for k, i in ipairs(ids) do ls[k] = self:line(i) end
  return self:collate(ls, pad_to)
end

-- the same batch from lines already made (lines:line(i) tables), e.g. sorted by width
function Lines:collate(ls, pad_to)
  local W, S = 0, 1
  for _, l in ipairs(ls) do
    W = max(W, l.image.shape[2])
    S = max(S, #l.digits)
  end
  pad_to = pad_to or 1
  W = ceil(W / pad_to) * pad_to
  local B, H = #ls, self.height
  local x = nabla.zeros(B, 1, H, W)
  local targets, tl, widths, texts = {}, {}, {}, {}
  for k, l in ipairs(ls) do
    local w = l.image.shape[2]
    x[k][1]:narrow(2, 1, w):copy_(l.image)
    local row = {}
    for j = 1, S do row[j] = l.digits[j] and l.digits[j] + 2 or 1 end
    targets[k], tl[k], widths[k], texts[k] = row, #l.digits, w, l.text
  end
  return x, nabla.tensor(targets), tl, widths, texts
end

local function check_range(name, a, b, lo, hi)
  if not (type(a) == "number" and type(b) == "number" and a >= lo and b <= hi and a <= b) then
    error(("data.mnist_lines: %s must be within %g..%g with min ≤ max, got %s..%s"):format(
      name, lo, hi, tostring(a), tostring(b)), 3)
  end
end

return function(opts)
  opts = opts or {}
  local allowed = { split = true, n = true, seed = true, min_len = true, max_len = true, touching = true,
                    height = true, digits = true, full = true, small = true, path = true, scale = true,
                    jitter = true, thickness = true }
  for k in pairs(opts) do
    if not allowed[k] then
      local names = {}
      for a in pairs(allowed) do names[#names + 1] = a end
      table.sort(names)
      error(("data.mnist_lines: unknown option '%s' (options: %s)"):format(tostring(k), table.concat(names, ", ")), 2)
    end
  end
  local self = setmetatable({}, Lines)
  self.n = opts.n or 1000
  self.seed = floor(opts.seed or 1)
  self.min_len, self.max_len = opts.min_len or 1, opts.max_len or 12
  self.height = opts.height or 28
  self.scale = opts.scale or { 0.8, 1.1 }
  self.jitter = opts.jitter or 0.08
  self.thickness = opts.thickness or 0.6
  self.touching = opts.touching
  if self.touching == nil then self.touching = 0.3 end
  if not (type(self.n) == "number" and self.n >= 0 and self.n == floor(self.n)) then
    error("data.mnist_lines: n must be a whole number ≥ 0, got " .. tostring(opts.n), 2)
  end
  check_range("min_len..max_len", self.min_len, self.max_len, 1, 64)
  if self.min_len ~= floor(self.min_len) or self.max_len ~= floor(self.max_len) then
    error("data.mnist_lines: min_len and max_len must be whole numbers", 2)
  end
  if not (type(self.height) == "number" and self.height >= 8 and self.height <= 256) then
    error("data.mnist_lines: height must be from 8 to 256 pixels, got " .. tostring(opts.height), 2)
  end
  check_range("scale", self.scale[1], self.scale[2], 0.2, 3)
  check_range("jitter", 0, self.jitter, 0, 0.5)
  check_range("thickness", 0, self.thickness, 0, 1)
  local t = self.touching
  if not (type(t) == "boolean" or (type(t) == "number" and t >= 0 and t <= 1)) then
    error("data.mnist_lines: touching must be true, false or a probability in [0, 1], got " .. tostring(t), 2)
  end
  if opts.digits then
    self.digits = opts.digits
    self.source = opts.digits.name or "the digits given"
    self.split = opts.split
  else
    local split = opts.split or "train"
    if split ~= "train" and split ~= "test" then
      error(("data.mnist_lines: split must be \"train\" or \"test\", got %s"):format(tostring(split)), 2)
    end
    self.split = split
    self.digits = nabla.data.mnist { split = split, full = opts.full, small = opts.small, path = opts.path }
    self.source = ("MNIST %s (%d digits)"):format(split, #self.digits)
  end
  if #self.digits < 1 then error("data.mnist_lines: the source has no digits", 2) end
  return self
end

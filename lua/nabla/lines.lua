-- Reading a line of handwritten digits (issue 20: the first lab's "turn a page into text").
-- Two readers share one answer:
--
--   lines.segment_read(classifier, img)  cut the line into digits, classify each (a baseline)
--   lines.ctc_read(model, img)           a line model trained with CTC reads the whole line
--
-- img is a float tensor (H, W): ink 1 on a 0 background (what data.mnist_lines makes, and
-- what the classroom server's POST /read hands over after cleaning a photo). Both return
--
--   { text = "4093", characters = { { char = "4", confidence = 0.99, box = { x0, y0, x1, y1 } }, ... } }
--
-- with each box in pixels of img, 0-based, x1 and y1 past the end (x0 <= x < x1).
--
-- The segmentation reader, step by step (each step a function below, so a learner can run
-- one at a time):
--   1. ink above a threshold, grouped into connected pieces (8 neighbours) - components;
--   2. pieces that belong together are merged: the parts of a 5 whose top bar does not
--      touch its body, a broken stroke - fragments under a taller neighbour;
--   3. pieces much wider than a digit are split where the column projection (ink per
--      column) is lowest - touching digits;
--   4. each piece is made an MNIST digit the way MNIST's were made: cropped, its longer
--      side scaled to 20 pixels, its centre of mass put at the centre of 28 x 28;
--   5. the classifier reads all pieces as one batch.
-- It fails where digits overlap so much that no column separates them: that is where a
-- line model, which never has to cut, does better.
local nabla = require "nabla"

local M = {}
local function L(en, ko) return nabla.lang == "ko" and ko or en end

-- the line height the readers expect: the server scales a photo's line to it
M.HEIGHT = 28

-- ---- the image as a flat table -------------------------------------------------------------

local function as_image(img, fn)
  if not nabla.is_tensor(img) then
    error(L(fn .. ": img must be a tensor (H, W) with ink 1 on a 0 background",
            fn .. ": img 인자는 (H, W) 텐서여야 합니다 (배경 0, 잉크 1)"), 3)
  end
  if img:dim() == 4 and img.shape[1] == 1 and img.shape[2] == 1 then img = img:reshape(img.shape[3], img.shape[4])
  elseif img:dim() == 3 and img.shape[1] == 1 then img = img:reshape(img.shape[2], img.shape[3]) end
  if img:dim() ~= 2 or img.shape[1] < 1 or img.shape[2] < 1 then
    error(L(fn .. ": img must be a tensor (H, W) (or (1, H, W)); got shape " .. tostring(img.shape),
            fn .. ": img 인자는 (H, W) (또는 (1, H, W)) 텐서여야 합니다. 받은 모양은 " .. tostring(img.shape)), 3)
  end
  local h, w = img.shape[1], img.shape[2]
  return img:contiguous():reshape(h * w):tolist(), w, h
end

-- ---- 1. connected components ------------------------------------------------------------------

-- Labels the pixels at or above thr (8 neighbours). Returns the label of every pixel (0: none)
-- and the list of components { label, x0, y0, x1, y1 (inclusive), area, mass, pixels }.
function M.components(v, w, h, thr)
  local label, comps = {}, {}
  for i = 1, w * h do label[i] = 0 end
  local stack = {}
  for start = 1, w * h do
    if label[start] == 0 and v[start] >= thr then
      local c = { label = #comps + 1, x0 = w, y0 = h, x1 = -1, y1 = -1, area = 0, mass = 0, pixels = {} }
      comps[#comps + 1] = c
      label[start] = c.label
      local top = 1
      stack[1] = start
      while top > 0 do
        local i = stack[top]
        top = top - 1
        local x, y = (i - 1) % w, (i - 1) // w
        c.area, c.mass = c.area + 1, c.mass + v[i]
        c.pixels[#c.pixels + 1] = i
        if x < c.x0 then c.x0 = x end
        if x > c.x1 then c.x1 = x end
        if y < c.y0 then c.y0 = y end
        if y > c.y1 then c.y1 = y end
        for dy = -1, 1 do
          local yy = y + dy
          if yy >= 0 and yy < h then
            for dx = -1, 1 do
              local xx = x + dx
              if xx >= 0 and xx < w then
                local j = yy * w + xx + 1
                if label[j] == 0 and v[j] >= thr then
                  label[j] = c.label
                  top = top + 1
                  stack[top] = j
                end
              end
            end
          end
        end
      end
    end
  end
  return label, comps
end

local function median(list)
  if #list == 0 then return 0 end
  local s = { table.unpack(list) }
  table.sort(s)
  return s[(#s + 1) // 2]
end

local piece_image, classify     -- below (step 4 and 5)

-- ---- 2. merging fragments, 3. splitting wide pieces --------------------------------------------

-- A piece: the pixels it owns, its box (inclusive) and its ink.
local function piece_of(pixels, v, w)
  local p = { x0 = math.huge, y0 = math.huge, x1 = -1, y1 = -1, area = #pixels, mass = 0, pixels = pixels }
  for _, i in ipairs(pixels) do
    local x, y = (i - 1) % w, (i - 1) // w
    if x < p.x0 then p.x0 = x end
    if x > p.x1 then p.x1 = x end
    if y < p.y0 then p.y0 = y end
    if y > p.y1 then p.y1 = y end
    p.mass = p.mass + v[i]
  end
  return p
end

local function merged(a, b, v, w)
  local px = { table.unpack(a.pixels) }
  for _, i in ipairs(b.pixels) do px[#px + 1] = i end
  return piece_of(px, v, w)
end

-- The height of a digit on this line: the median height of the pieces that are not small.
local function digit_height(pieces)
  local tallest = 0
  for _, p in ipairs(pieces) do tallest = math.max(tallest, p.y1 - p.y0 + 1) end
  local hs = {}
  for _, p in ipairs(pieces) do
    local ph = p.y1 - p.y0 + 1
    if ph >= 0.6 * tallest then hs[#hs + 1] = ph end
  end
  return math.max(1, median(hs))
end

-- Merges fragments: a piece much shorter than a digit joins the piece it overlaps in columns
-- (or the nearest one, when close), as long as the result is not wider than a digit can be.
function M.merge(pieces, v, w, char_h)
  table.sort(pieces, function(a, b) return a.x0 < b.x0 end)
  local changed = true
  while changed do
    changed = false
    local best, bi, bj = nil, nil, nil
    for i, a in ipairs(pieces) do
      if a.y1 - a.y0 + 1 < 0.7 * char_h then         -- a fragment
        for j, b in ipairs(pieces) do
          if j ~= i then
            local ov = math.min(a.x1, b.x1) - math.max(a.x0, b.x0) + 1    -- columns shared (< 0: a gap)
            local aw = a.x1 - a.x0 + 1
            local mw = math.max(a.x1, b.x1) - math.min(a.x0, b.x0) + 1
            local tall = math.max(a.y1, b.y1) - math.min(a.y0, b.y0) + 1
            if mw <= 1.2 * math.max(char_h, tall) and tall <= 1.4 * char_h
               and (ov >= 0.3 * aw or ov >= -0.12 * char_h) then
              local score = ov / aw
              if not best or score > best then best, bi, bj = score, i, j end
            end
          end
        end
      end
    end
    if best then
      local m = merged(pieces[bi], pieces[bj], v, w)
      table.remove(pieces, math.max(bi, bj))
      table.remove(pieces, math.min(bi, bj))
      pieces[#pieces + 1] = m
      table.sort(pieces, function(a, b) return a.x0 < b.x0 end)
      changed = true
    end
  end
  return pieces
end

-- Splits a piece wider than one digit into k parts at the columns with least ink near the
-- even cuts (the column projection's valleys).
function M.split(p, v, w, char_h)
  local pw = p.x1 - p.x0 + 1
  local k = math.floor(pw / (0.8 * char_h) + 0.5)
  if pw <= 1.1 * char_h or k < 2 then return { p } end
  local col = {}
  for x = p.x0, p.x1 do col[x] = 0 end
  for _, i in ipairs(p.pixels) do
    local x = (i - 1) % w
    col[x] = col[x] + v[i]
  end
  local cuts, step = {}, pw / k
  local prev = p.x0
  for j = 1, k - 1 do
    local target = p.x0 + j * step
    local lo = math.max(prev + 2, math.floor(target - 0.3 * step))
    local hi = math.min(p.x1 - 2, math.ceil(target + 0.3 * step))
    local best, bx = math.huge, nil
    for x = lo, hi do
      local cost = col[x] + 1e-3 * math.abs(x - target)   -- ties: the cut nearest the even one
      if cost < best then best, bx = cost, x end
    end
    if bx then
      cuts[#cuts + 1] = bx
      prev = bx
    end
  end
  cuts[#cuts + 1] = p.x1 + 1
  local parts, from = {}, p.x0
  for _, cut in ipairs(cuts) do
    local px = {}
    for _, i in ipairs(p.pixels) do
      local x = (i - 1) % w
      if x >= from and x < cut then px[#px + 1] = i end
    end
    if #px > 0 then parts[#parts + 1] = piece_of(px, v, w) end
    from = cut
  end
  return parts
end

-- The pixels of p in the columns from .. to-1, as a piece (nil if none).
local function columns_of(p, v, w, from, to)
  local px = {}
  for _, i in ipairs(p.pixels) do
    local x = (i - 1) % w
    if x >= from and x < to then px[#px + 1] = i end
  end
  return #px > 0 and piece_of(px, v, w) or nil
end

-- Splits a piece by reading it: the cuts are chosen among the valleys of the column
-- projection so that the classifier is most sure of the digits between them (dynamic
-- programming over the cuts: the best reading of the columns up to each cut). A piece is
-- kept whole when one digit reads better than any split of it.
function M.split_by_reading(p, v, w, h, thr, char_h, classifier)
  local pw = p.x1 - p.x0 + 1
  if pw < 0.75 * char_h then return { p } end
  local col = {}
  for x = p.x0 - 1, p.x1 + 1 do col[x] = 0 end
  for _, i in ipairs(p.pixels) do
    local x = (i - 1) % w
    col[x] = col[x] + v[i]
  end
  -- candidate cuts: the valleys (a cut at x separates columns < x from columns >= x)
  local cand = {}
  for x = p.x0 + 2, p.x1 - 1 do
    if col[x] <= col[x - 1] and col[x] <= col[x + 1] then cand[#cand + 1] = { x = x, c = col[x] } end
  end
  table.sort(cand, function(a, b) return a.c < b.c end)
  local cuts = { p.x0 }
  for k = 1, math.min(#cand, 3 + math.floor(3 * pw / char_h)) do cuts[#cuts + 1] = cand[k].x end
  cuts[#cuts + 1] = p.x1 + 1
  table.sort(cuts)
  -- every segment between two cuts that could be one digit, read as one batch
  local segs, imgs = {}, {}
  local minw, maxw = 0.12 * char_h, math.max(1.25 * char_h, 0)
  for a = 1, #cuts - 1 do
    for b = a + 1, #cuts do
      local sw = cuts[b] - cuts[a]
      if (sw >= minw and sw <= maxw) or (a == 1 and b == #cuts) then
        local q = columns_of(p, v, w, cuts[a], cuts[b])
        local d = q and nabla._C.ink_to_mnist(piece_image(q, v, w, h, thr))
        if d then
          segs[#segs + 1] = { a = a, b = b, piece = q }
          imgs[#imgs + 1] = d:view(1, 28, 28)
        end
      end
    end
  end
  if #imgs == 0 then return { p } end
  local rows = classify(classifier, nabla.stack(imgs, 1))
  local from = {}
  for k, sgm in ipairs(segs) do
    -- how sure the classifier is of digit c, times how likely a c is this wide
    local r = (sgm.piece.x1 - sgm.piece.x0 + 1) / char_h
    local best = -math.huge
    for c, pr in ipairs(rows[k]) do
      local wd = M.WIDTHS[c] or M.WIDTHS[1]
      local z = (r - wd[1]) / wd[2]
      best = math.max(best, math.log(pr + 1e-6) - 0.5 * z * z)
    end
    sgm.score = best + M.SPLIT_BONUS
    from[sgm.b] = from[sgm.b] or {}
    table.insert(from[sgm.b], sgm)
  end
  local best, back = { [1] = 0 }, {}
  for b = 2, #cuts do
    for _, sgm in ipairs(from[b] or {}) do
      if best[sgm.a] and (best[b] == nil or best[sgm.a] + sgm.score > best[b]) then
        best[b], back[b] = best[sgm.a] + sgm.score, sgm
      end
    end
  end
  if not best[#cuts] then return M.split(p, v, w, char_h) end
  local parts, b = {}, #cuts
  while b > 1 do
    table.insert(parts, 1, back[b].piece)
    b = back[b].a
  end
  return parts
end
-- each extra digit a split makes is worth this much log-probability
M.SPLIT_BONUS = -1
-- MNIST's digits 0..9: the width of the ink over its height, mean and spread (measured on
-- the training digits of datasets/mnist-small, ink at 0.3)
M.WIDTHS = { { 0.91, 0.16 }, { 0.49, 0.21 }, { 1.00, 0.23 }, { 0.83, 0.17 }, { 0.82, 0.17 },
             { 0.99, 0.26 }, { 0.70, 0.15 }, { 0.80, 0.20 }, { 0.79, 0.17 }, { 0.69, 0.15 } }

-- The pieces of a line, left to right: { x0, y0, x1, y1 (inclusive), pixels, ... }, and the
-- threshold used. opts.threshold: the fraction of the darkest ink that counts as ink (0.3).
function M.segment(img, opts)
  opts = opts or {}
  local v, w, h = as_image(img, opts.name or "lines.segment")
  local mx = 0
  for i = 1, w * h do
    local x = v[i]
    if x ~= x or x < 0 then x = 0; v[i] = 0 end          -- NaN, negatives: no ink
    if x > mx then mx = x end
  end
  if mx < 0.05 then return {}, v, w, h end
  local thr = (opts.threshold or 0.3) * mx
  local _, comps = M.components(v, w, h, thr)
  -- specks: far smaller than the largest piece
  local largest = 0
  for _, c in ipairs(comps) do largest = math.max(largest, c.mass) end
  local pieces = {}
  for _, c in ipairs(comps) do
    if c.mass >= 0.04 * largest and c.area >= 3 then pieces[#pieces + 1] = c end
  end
  if #pieces == 0 then return {}, v, w, h end
  pieces = M.merge(pieces, v, w, digit_height(pieces))
  local char_h = digit_height(pieces)
  local out = {}
  for _, p in ipairs(pieces) do
    local parts
    if opts.classifier then parts = M.split_by_reading(p, v, w, h, thr, char_h, opts.classifier)
    else parts = M.split(p, v, w, char_h) end
    for _, q in ipairs(parts) do out[#out + 1] = q end
  end
  table.sort(out, function(a, b) return (a.x0 + a.x1) < (b.x0 + b.x1) end)
  return out, v, w, h, thr
end

-- ---- 4. each piece as an MNIST digit -----------------------------------------------------------

-- The piece's ink on its own: its pixels, and the faint anti-aliased edge next to them that
-- no other piece owns; as a (h, w) tensor of its box (one pixel of margin).
function piece_image(p, v, w, h, thr)
  local own = {}
  for _, i in ipairs(p.pixels) do own[i] = true end
  local x0, y0 = math.max(0, p.x0 - 1), math.max(0, p.y0 - 1)
  local x1, y1 = math.min(w - 1, p.x1 + 1), math.min(h - 1, p.y1 + 1)
  local pw, ph = x1 - x0 + 1, y1 - y0 + 1
  local t = {}
  for y = y0, y1 do
    for x = x0, x1 do
      local i = y * w + x + 1
      local val = 0
      if own[i] then
        val = v[i]
      elseif v[i] > 0 and v[i] < thr then
        for dy = -1, 1 do
          for dx = -1, 1 do
            local j = i + dy * w + dx
            local xx, yy = x + dx, y + dy
            if xx >= 0 and xx < w and yy >= 0 and yy < h and own[j] then val = v[i] end
          end
        end
      end
      t[#t + 1] = val
    end
  end
  return nabla.tensor(t):view(ph, pw)
end

-- The pieces of a line as MNIST digits: a tensor (n, 1, 28, 28) and the pieces (or nil when
-- the line has no ink).
function M.digits(img, opts)
  local pieces, v, w, h, thr = M.segment(img, opts)
  local imgs, kept = {}, {}
  for _, p in ipairs(pieces) do
    local d = nabla._C.ink_to_mnist(piece_image(p, v, w, h, thr))
    if d then
      imgs[#imgs + 1] = d:view(1, 28, 28)
      kept[#kept + 1] = p
    end
  end
  if #imgs == 0 then return nil, kept end
  return nabla.stack(imgs, 1), kept
end

-- ---- 5. classifying the pieces --------------------------------------------------------------------

-- The classifier's probabilities for n digits (n, 1, 28, 28): a module taking images or
-- flat vectors, or a function; scores that are not probabilities go through softmax.
function classify(classifier, x)
  local n = x.shape[1]
  local model = classifier
  local was = type(model) == "table" and model.training
  if type(model) == "table" and model.eval then model:eval() end
  local ok, y = pcall(nabla.no_grad, function() return model(x) end)
  if not (ok and nabla.is_tensor(y) and y:dim() == 2 and y.shape[1] == n) then
    local ok2, y2 = pcall(nabla.no_grad, function() return model(x:reshape(n, 784)) end)
    if ok2 and nabla.is_tensor(y2) and y2:dim() == 2 and y2.shape[1] == n then ok, y = true, y2
    elseif not ok then error(y, 0) end
  end
  if was and model.train then model:train() end
  if not (nabla.is_tensor(y) and y:dim() == 2 and y.shape[1] == n) then
    error(L("lines.segment_read: the classifier must take (n, 1, 28, 28) digits (or (n, 784)) and give (n, 10) scores",
            "lines.segment_read: 분류기는 (n, 1, 28, 28) 숫자 (또는 (n, 784))를 받아 (n, 10) 점수를 내야 합니다"), 0)
  end
  local rows = y:tolist()
  local probs = true
  for _, r in ipairs(rows) do
    local s = 0
    for _, p in ipairs(r) do
      if p < 0 or p > 1 then probs = false end
      s = s + p
    end
    if math.abs(s - 1) > 1e-3 then probs = false end
  end
  if not probs then rows = nabla.no_grad(function() return y:softmax(2) end):tolist() end
  return rows
end

function M.segment_read(classifier, img, opts)
  if classifier == nil or (type(classifier) ~= "function" and type(classifier) ~= "table") then
    error(L("lines.segment_read(classifier, img): classifier must be an MNIST classifier (an nn module)",
            "lines.segment_read(classifier, img): classifier 인자는 MNIST 분류기 (nn 모듈)여야 합니다"), 2)
  end
  opts = opts or {}
  local x, pieces = M.digits(img, { threshold = opts.threshold, classifier = classifier, name = "lines.segment_read" })
  local out = { text = "", characters = {} }
  if not x then return out end
  local ok, rows = pcall(classify, classifier, x)
  if not ok then error(rows, 2) end
  local chars, text = {}, {}
  for k, r in ipairs(rows) do
    local best = 1
    for c = 2, #r do if r[c] > r[best] then best = c end end
    local p = pieces[k]
    local ch = tostring(best - 1)
    chars[k] = { char = ch, confidence = r[best], box = { p.x0, p.y0, p.x1 + 1, p.y1 + 1 } }
    text[k] = ch
  end
  out.text, out.characters = table.concat(text), chars
  return out
end

local doc = require "nabla.doc"
doc(M, "lines", "reading a line of handwritten digits: lines.segment_read (cut, then classify each digit), lines.ctc_read (a CTC line model)",
    "손글씨 숫자 한 줄 읽기: lines.segment_read (잘라서 숫자마다 분류), lines.ctc_read (CTC로 학습한 줄 모델)", "Reading lines")
doc(M.segment_read, "lines.segment_read(classifier, img)",
    "reads a line (H, W), ink 1 on 0: cuts it into digits (connected components, column projection), classifies each; {text=, characters={{char, confidence, box={x0,y0,x1,y1}}}}",
    "줄 이미지 (H, W, 배경 0·잉크 1)를 숫자로 잘라 (연결 요소, 열 투영) 하나씩 분류합니다. 결과는 {text=, characters={{char, confidence, box={x0,y0,x1,y1}}}}", "Reading lines")
doc(M.segment, "lines.segment(img [, {threshold = 0.3}])",
    "the pieces a line is cut into, left to right: connected components, fragments merged, wide pieces split at the emptiest columns",
    "줄을 자른 조각들 (왼쪽부터): 연결 요소를 찾고, 떨어진 조각은 합치고, 너무 넓은 조각은 잉크가 가장 적은 열에서 자릅니다", "Reading lines")
doc(M.digits, "lines.digits(img)",
    "the pieces of a line as MNIST digits: a tensor (n, 1, 28, 28) (20 x 20 box, centre of mass at the centre) and the pieces",
    "줄의 조각들을 MNIST 숫자로: (n, 1, 28, 28) 텐서 (20 x 20 상자, 무게 중심을 가운데로)와 조각 목록", "Reading lines")
doc(M.components, "lines.components(values, w, h, threshold)",
    "connected components (8 neighbours) of the pixels at or above threshold: the label of each pixel and the list of components",
    "threshold 이상인 픽셀의 연결 요소 (8방향 이웃): 픽셀마다의 레이블과 연결 요소 목록", "Reading lines")
doc(M.merge, "lines.merge(pieces, values, w, digit_height)",
    "merges fragments (much shorter than a digit) into the piece they overlap in columns: the parts of a 5, a broken stroke",
    "숫자보다 훨씬 짧은 조각을 열이 겹치는 조각에 합칩니다: 떨어진 5의 윗줄, 끊어진 획", "Reading lines")
doc(M.split, "lines.split(piece, values, w, digit_height)",
    "splits a piece wider than a digit at the columns with least ink (the valleys of the column projection): touching digits",
    "숫자보다 넓은 조각을 잉크가 가장 적은 열 (열 투영의 골짜기)에서 자릅니다: 붙어 있는 숫자", "Reading lines")
doc(nil, "lines.HEIGHT", "the height (pixels) of a line the readers expect; the server scales a photo's line to it",
    "읽기 모델이 기대하는 줄 높이 (픽셀). 서버는 사진 속 줄을 이 높이로 맞춥니다", "Reading lines")

return M

-- The segmentation reader (lua/nabla/lines.lua) on lines composed here from the test digits
-- of the committed subset datasets/mnist-small (a classifier trained on its training
-- digits): apart, touching, with vertical jitter; the parts of a 5 merged, touching digits
-- split, boxes where the digits were put, and its errors.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local nn, data = nabla.nn, nabla.data
local lines = require "nabla.lines"

nabla.manual_seed(5)
local train = data.mnist{ split = "train", small = true }
local test = data.mnist{ split = "test", small = true }

local model = nn.Sequential{
  nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
  nn.Linear(8 * 13 * 13, 64), nn.ReLU(), nn.Linear(64, 10),
}
nabla.fit(model, data.loader(train, { batch = 32, shuffle = true, seed = 1 }), { epochs = 3, quiet = true, lr = 3e-3 })
model:eval()
print(("  the classifier: %.1f%% of the %d single test digits"):format(100 * nabla.evaluate(model, test).accuracy, #test))

-- the digit i of the test set: its 28 x 28 values (flat), its ink columns and its label
local digit_cache = {}
local function digit(i)
  if digit_cache[i] then return digit_cache[i] end
  local v = test[i][1]:reshape(784):tolist()
  local c0, c1 = 28, -1
  for y = 0, 27 do
    for x = 0, 27 do
      if v[y * 28 + x + 1] > 0.1 then c0, c1 = math.min(c0, x), math.max(c1, x) end
    end
  end
  digit_cache[i] = { v = v, c0 = c0, c1 = c1, label = tostring(test[i][2] - 1) }
  return digit_cache[i]
end

-- A line of the digits ids: each one's ink columns, `gap` columns apart (negative: they
-- overlap and the ink is the larger of the two), moved up or down by up to `jitter` rows.
-- Returns the tensor (28, W), the text and where each digit went {x0, x1} (x1 past the end).
local rng = 12345
local function rand(n)      -- 0 .. n-1, reproducible
  rng = (rng * 1103515245 + 12345) % 2147483648
  return rng % n
end
local function compose(ids, gap, jitter)
  local placed, x, text = {}, 2, {}
  for k, i in ipairs(ids) do
    local d = digit(i)
    local g = type(gap) == "function" and gap(k) or gap
    if k > 1 then x = x + g end
    local dy = jitter > 0 and (rand(2 * jitter + 1) - jitter) or 0
    placed[k] = { d = d, x = x, dy = dy }
    x = x + (d.c1 - d.c0 + 1)
    text[k] = d.label
  end
  local W = x + 2
  local t = {}
  for j = 1, 28 * W do t[j] = 0 end
  local spans = {}
  for k, p in ipairs(placed) do
    local d = p.d
    for y = 0, 27 do
      local yy = y + p.dy
      if yy >= 0 and yy < 28 then
        for cx = d.c0, d.c1 do
          local val = d.v[y * 28 + cx + 1]
          local j = yy * W + (p.x + cx - d.c0) + 1
          if val > t[j] then t[j] = val end
        end
      end
    end
    spans[k] = { p.x, p.x + d.c1 - d.c0 + 1 }
  end
  return nabla.tensor(t):view(28, W), table.concat(text), spans
end

-- edit distance between two strings (the character error's numerator)
local function edits(a, b)
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = { [0] = i }
    for j = 1, #b do
      local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#b]
end

-- the lines: 40 of 3..8 digits from the 500 test digits, each digit used once per set
local function line_set(gap, jitter, count)
  local out, next_id = {}, 1
  for _ = 1, count do
    local n = 3 + rand(6)
    local ids = {}
    for k = 1, n do
      ids[k] = next_id
      next_id = next_id % #test + 1
    end
    out[#out + 1] = { compose(ids, gap, jitter) }
  end
  return out
end

local function score(set)
  local chars, errs, exact = 0, 0, 0
  for _, l in ipairs(set) do
    local r = lines.segment_read(model, l[1])
    chars = chars + #l[2]
    errs = errs + edits(l[2], r.text)
    if r.text == l[2] then exact = exact + 1 end
  end
  return errs / chars, exact / #set
end

local apart = line_set(function() return 3 + rand(5) end, 2, 40)
local touching = line_set(function() return -rand(3) end, 1, 40)
local results = {}

T.test("digits apart: read with a character error under 10%", function()
  local cer, exact = score(apart)
  results.apart = { cer, exact }
  print(("  apart: CER %.1f%%, exact lines %.0f%%"):format(100 * cer, 100 * exact))
  T.ok(cer < 0.10, ("CER %.3f"):format(cer))
  T.ok(exact > 0.5, ("exact %.2f"):format(exact))
end)

T.test("touching digits (overlapping by 0..2 columns): split, CER under 50%", function()
  local cer, exact = score(touching)
  results.touching = { cer, exact }
  print(("  touching: CER %.1f%%, exact lines %.0f%%"):format(100 * cer, 100 * exact))
  T.ok(cer < 0.5, ("CER %.3f"):format(cer))
end)

T.test("the answer: text, one character per digit with confidence and a box inside the line", function()
  local img, text, spans = table.unpack(apart[1])
  local r = lines.segment_read(model, img)
  T.ok(type(r.text) == "string" and #r.characters == #r.text, r.text)
  local s = {}
  for k, c in ipairs(r.characters) do
    s[k] = c.char
    T.ok(c.char:match("^%d$"), c.char)
    T.ok(c.confidence > 0 and c.confidence <= 1, c.confidence)
    local b = c.box
    T.ok(#b == 4 and b[1] >= 0 and b[2] >= 0 and b[3] <= img.shape[2] and b[4] <= 28 and b[1] < b[3] and b[2] < b[4])
  end
  T.ok(table.concat(s) == r.text)
end)

T.test("each box covers the digit that was put there (apart: one box per digit)", function()
  local good, total = 0, 0
  for _, l in ipairs(apart) do
    local img, _, spans = table.unpack(l)
    local pieces = lines.segment(img)
    if #pieces == #spans then
      for k, p in ipairs(pieces) do
        total = total + 1
        -- the piece's columns lie in the digit's span (a pixel of slack)
        if p.x0 >= spans[k][1] - 1 and p.x1 + 1 <= spans[k][2] + 1 then good = good + 1 end
      end
    end
  end
  T.ok(total >= 0.9 * 0 + 100 and good >= 0.95 * total, ("%d of %d boxes on their digit"):format(good, total))
end)

T.test("apart: as many pieces as digits on 95% of the lines", function()
  local same = 0
  for _, l in ipairs(apart) do
    if #lines.segment(l[1]) == #l[3] then same = same + 1 end
  end
  T.ok(same >= 0.95 * #apart, ("%d of %d"):format(same, #apart))
end)

T.test("touching digits make one component; split gives one piece per digit", function()
  -- two wide digits (0s) overlapping by 2 columns
  local zeros = {}
  for i = 1, #test do
    if test[i][2] == 1 and #zeros < 2 then zeros[#zeros + 1] = i end
  end
  local img = compose(zeros, -2, 0)
  local v = img:reshape(img:numel()):tolist()
  local _, comps = lines.components(v, img.shape[2], 28, 0.3)
  local big = 0
  for _, c in ipairs(comps) do if c.area > 20 then big = big + 1 end end
  T.ok(big == 1, ("the two 0s make %d components"):format(big))
  T.ok(#lines.segment(img) == 2, ("%d pieces"):format(#lines.segment(img)))
  T.ok(lines.segment_read(model, img).text == "00", lines.segment_read(model, img).text)
end)

T.test("the parts of a 5 (top bar apart from its body) are merged into one digit", function()
  local five
  for i = 1, #test do
    if test[i][2] == 6 then five = i break end
  end
  local d = digit(five)
  -- cut the 5 between its top bar and its body: clear two rows under the bar
  local v = { table.unpack(d.v) }
  local top
  for y = 0, 27 do
    for x = 0, 27 do if v[y * 28 + x + 1] > 0.3 then top = top or y end end
  end
  for y = top + 3, top + 4 do for x = 0, 27 do v[y * 28 + x + 1] = 0 end end
  local img = nabla.tensor(v):view(28, 28)
  local _, comps = lines.components(v, 28, 28, 0.3)
  T.ok(#comps >= 2, ("the cut 5 has %d components"):format(#comps))
  local pieces = lines.segment(img)
  T.ok(#pieces == 1, ("%d pieces"):format(#pieces))
end)

T.test("an empty line reads as empty text; specks are not digits", function()
  local r = lines.segment_read(model, nabla.zeros(28, 100))
  T.ok(r.text == "" and #r.characters == 0)
  local img, text = compose({ 1, 2, 3 }, 6, 0)
  local t = img:clone()
  local W = t.shape[2]
  local flat = t:reshape(28 * W):tolist()
  flat[3 * W + W - 2] = 1          -- a speck of one pixel
  r = lines.segment_read(model, nabla.tensor(flat):view(28, W))
  T.ok(#r.text == #text, ("'%s' for '%s'"):format(r.text, text))
end)

T.test("a line taller than 28 rows, and (1, H, W): read the same", function()
  local img, text = table.unpack(apart[2])
  local r1 = lines.segment_read(model, img)
  local r2 = lines.segment_read(model, img:view(1, 28, img.shape[2]))
  T.ok(r1.text == r2.text)
  -- twice the size (nearest): the same digits
  local W = img.shape[2]
  local big = img:view(28, 1, W, 1):expand(28, 2, W, 2):contiguous():view(56, 2 * W)
  local r3 = lines.segment_read(model, big)
  T.ok(edits(r3.text, r1.text) <= 1, ("%s vs %s"):format(r3.text, r1.text))
  T.ok(r3.characters[1].box[4] > 28, "boxes in the big image's pixels")
end)

T.test("errors name the function and the argument", function()
  local ok, err = pcall(lines.segment_read, model, "x")
  T.ok(not ok and err:match("segment_read") and err:match("tensor"), err)
  ok, err = pcall(lines.segment_read, model, nabla.zeros(2, 3, 4, 5))
  T.ok(not ok and err:match("shape"), err)
  ok, err = pcall(lines.segment_read, nil, nabla.zeros(28, 28))
  T.ok(not ok and err:match("classifier"), err)
  ok, err = pcall(lines.segment_read, nn.Linear(3, 2), apart[1][1])
  T.ok(not ok, "a classifier of the wrong shape is an error")
end)

T.test("help in English and Korean", function()
  local help = require "nabla.help"
  for _, name in ipairs({ "lines.segment_read", "lines.segment", "lines.digits" }) do
    local e = require("nabla.doc").entries[name]
    T.ok(e and e.en and e.ko and e.ko:find("[\xEA-\xED]"), name)
  end
  T.ok(help.text(lines.segment_read):find("segment_read", 1, true))
end)

T.done()

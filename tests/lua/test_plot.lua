-- Tests of nabla.plot: fixed data gives fixed text (golden files in tests/golden/plot/;
-- UPDATE_GOLDEN=1 rewrites them, then look at them before committing), edge cases (NaN,
-- inf, constant, empty) never crash, colour on and off, every line fits the width, and
-- every SVG is well-formed XML. Runs under nabla and under stock lua5.4, from the repo root:
--   lua5.4 -e 'package.path="lua/?.lua;lua/?/init.lua;"..package.path' tests/lua/test_plot.lua
--   NABLA_PATH=$PWD/lua ./build/nabla tests/lua/test_plot.lua
local tests_dir = os.getenv("NABLA_TESTS") or "tests"
local golden_dir = tests_dir .. "/golden/plot"
local UPDATE = os.getenv("UPDATE_GOLDEN") == "1"

local plot = require "nabla.plot"
local S = require "nabla.plot.scale"
local svg = require "nabla.plot.svg"
local textmod = require "nabla.plot.text"

-- the engine, when there is one (nabla, or lua5.4 with nabla.so on package.cpath)
local has_nabla, nabla = pcall(require, "nabla")
has_nabla = has_nabla and type(nabla) == "table" and type(nabla.tensor) == "function"

-- ---- a small harness (the shared one needs the engine; this file must run without it) ---

local passed, failed, checks = 0, 0, 0
local function test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    passed = passed + 1
    print("ok     " .. name)
  else
    failed = failed + 1
    print("FAILED " .. name .. "\n" .. tostring(err))
  end
end
local function ok(cond, msg)
  checks = checks + 1
  if not cond then error(msg or "check failed", 2) end
end
local function eq(a, b, msg)
  checks = checks + 1
  if a ~= b then error(("%s: expected %s, got %s"):format(msg or "eq", tostring(b), tostring(a)), 2) end
end
-- fn must raise an error whose message contains `want`
local function raises(fn, want, msg)
  checks = checks + 1
  local good, err = pcall(fn)
  if good then error((msg or "expected an error") .. ": no error was raised", 2) end
  if not tostring(err):find(want, 1, true) then
    error(("%s: the error %q does not mention %q"):format(msg or "error", tostring(err), want), 2)
  end
end

local ESC = "\27"
local function strip(s) return (s:gsub(ESC .. "%[[%d;]*m", "")) end
local function lines_of(s)
  local t = {}
  for line in (s .. "\n"):gmatch("(.-)\n") do t[#t + 1] = line end
  return t
end
local function max_width(s)
  local w = 0
  for _, line in ipairs(lines_of(strip(s))) do w = math.max(w, textmod.width(line)) end
  return w
end

-- deterministic pseudo-random numbers (the same under every Lua)
local seed = 12345
local function rand()
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
end
local function randn() -- Irwin-Hall: the sum of 12 uniforms, minus 6
  local s = 0
  for _ = 1, 12 do s = s + rand() end
  return s - 6
end

-- ---- the data ------------------------------------------------------------------------------

local function sine(n)
  local ys = {}
  for i = 1, n do ys[i] = math.sin((i - 1) / (n - 1) * 2 * math.pi) end
  return ys
end

local function losses()
  local sgd, adam, rms = {}, {}, {}
  for i = 1, 60 do
    sgd[i] = 2.3 * math.exp(-i / 30) + 0.1
    adam[i] = 2.3 * math.exp(-i / 8) + 0.05
    rms[i] = 2.3 * math.exp(-i / 14) + 0.08 + 0.05 * math.sin(i)
  end
  return { sgd = sgd, adam = adam, rmsprop = rms }
end

local function blobs()
  seed = 777
  local xs, ys, labels = {}, {}, {}
  local cx, cy = { -1, 1, 0 }, { 0, 0, 1.6 }
  for i = 1, 60 do
    local k = (i - 1) % 3 + 1
    xs[i], ys[i], labels[i] = cx[k] + 0.35 * randn(), cy[k] + 0.35 * randn(), k
  end
  return xs, ys, labels
end

local function normal(n)
  seed = 4242
  local v = {}
  for i = 1, n do v[i] = randn() end
  return v
end

-- a hand-made "0": a ring, 28 x 28, values in [0, 1]
local function digit_zero()
  local img = {}
  for r = 1, 28 do
    img[r] = {}
    for c = 1, 28 do
      local d = math.sqrt((r - 14.5) ^ 2 + ((c - 14.5) * 1.45) ^ 2)
      img[r][c] = math.max(0, 1 - math.abs(d - 9) / 3)
    end
  end
  return img
end

-- a "1" and a "7", for the grid
local function digit_strokes(kind)
  local img = {}
  for r = 1, 28 do
    img[r] = {}
    for c = 1, 28 do
      local v = 0
      if kind == 1 then v = (math.abs(c - 14 - (14 - r) * 0.15) < 1.6 and r > 4 and r < 25) and 1 or 0
      else
        if r >= 5 and r <= 7 and c >= 7 and c <= 21 then v = 1 end
        if r > 7 and r < 25 and math.abs(c - (21 - (r - 7) * 0.45)) < 1.5 then v = 1 end
      end
      img[r][c] = v
    end
  end
  return img
end

-- the optimizers race on an ill-conditioned bowl f = x^2 + 10 y^2
local function bowl(x, y) return x * x + 10 * y * y end
local function descend(lr, beta, steps)
  local path, x, y, vx, vy = {}, -1.8, 0.8, 0, 0
  for i = 1, steps do
    path[i] = { x, y }
    vx, vy = beta * vx + 2 * x, beta * vy + 20 * y
    x, y = x - lr * vx, y - lr * vy
  end
  return path
end

-- ---- the golden figures ----------------------------------------------------------------------

local function o(t) -- options, never printed
  local r = { print = false }
  for k, v in pairs(t) do r[k] = v end
  return r
end

local cases = {
  { "line_sine", function()
    return plot.line(sine(100), o{ title = "sin(x)", xlabel = "step", ylabel = "y", width = 64, height = 12, color = false })
  end },
  { "line_sine_color", function()
    return plot.line(sine(100), o{ title = "sin(x)", width = 64, height = 12, color = true })
  end },
  { "lines_glyphs", function()
    return plot.lines(losses(), o{ title = "loss per step", xlabel = "step", width = 70, height = 14, color = false })
  end },
  { "lines_color", function()
    return plot.lines(losses(), o{ title = "loss per step", width = 70, height = 14, color = true })
  end },
  { "lines_logy", function()
    return plot.lines(losses(), o{ title = "loss (log scale)", logy = true, width = 70, height = 12, color = false })
  end },
  { "scatter_classes", function()
    local xs, ys, labels = blobs()
    return plot.scatter(xs, ys, o{ labels = labels, classes = { "setosa", "versicolor", "virginica" },
                                  title = "three classes", width = 64, height = 14, color = false })
  end },
  { "scatter_braille", function()
    seed = 99
    local xs, ys = {}, {}
    for i = 1, 400 do
      local t = rand() * 2 * math.pi
      xs[i], ys[i] = math.cos(t) * (1 + 0.05 * randn()), math.sin(t) * (1 + 0.05 * randn())
    end
    return plot.scatter(xs, ys, o{ title = "400 points on a circle", width = 50, height = 12, color = false })
  end },
  { "hist_normal", function()
    return plot.hist(normal(1000), o{ title = "1000 draws of randn", width = 64, height = 10, color = false })
  end },
  { "hist_color", function()
    return plot.hist(normal(1000), o{ bins = 20, width = 64, height = 8, color = true })
  end },
  { "image_zero", function()
    return plot.image(digit_zero(), o{ title = "a zero", width = 64, color = false })
  end },
  { "image_zero_color", function()
    return plot.image(digit_zero(), o{ title = "a zero", width = 64, color = true })
  end },
  { "images_grid", function()
    return plot.images({ digit_zero(), digit_strokes(1), digit_strokes(7), digit_zero() },
      o{ cols = 2, labels = { "0", "1", "7", "0?" }, title = "digits", width = 70, color = false })
  end },
  { "contour_race", function()
    return plot.contour(bowl, o{ xlim = { -2, 2 }, ylim = { -1, 1 }, title = "x^2 + 10 y^2",
      paths = { sgd = descend(0.09, 0, 30), momentum = descend(0.02, 0.9, 30) },
      levels = 5, width = 64, height = 14, color = false })
  end },
  { "contour_race_color", function()
    return plot.contour(bowl, o{ xlim = { -2, 2 }, ylim = { -1, 1 }, title = "x^2 + 10 y^2",
      paths = { sgd = descend(0.09, 0, 30), momentum = descend(0.02, 0.9, 30) },
      width = 64, height = 14, color = true })
  end },
  { "boundary", function()
    local xs, ys, labels = blobs()
    local points = {}
    for i = 1, #xs do points[i] = { xs[i], ys[i] } end
    -- a linear classifier: class 1 left of x + 0.3 y = -0.1, class 2 right, 3 above y = 1
    local function predict(x, y)
      if y > 0.9 then return 3 end
      return x + 0.3 * y < -0.1 and 1 or 2
    end
    return plot.boundary(predict, points, labels, o{ title = "decision regions", width = 64, height = 14, color = false })
  end },
  { "boundary_color", function()
    local xs, ys, labels = blobs()
    local points = {}
    for i = 1, #xs do points[i] = { xs[i], ys[i] } end
    local function predict(x, y) return (y > 0.9 and 3) or (x < 0 and 1) or 2 end
    return plot.boundary(predict, points, labels, o{ width = 64, height = 14, color = true })
  end },
  { "edge_constant", function()
    return plot.line({ 3, 3, 3, 3, 3 }, o{ title = "a constant", width = 40, height = 6, color = false })
  end },
  { "edge_nan", function()
    local ys = sine(40)
    ys[10], ys[11], ys[25] = 0 / 0, 1 / 0, -1 / 0
    return plot.line(ys, o{ title = "NaN and inf are skipped", width = 50, height = 8, color = false })
  end },
  { "edge_empty", function()
    return plot.line({}, o{ title = "nothing yet", width = 40, height = 5, color = false })
  end },
}

-- ---- golden comparison -----------------------------------------------------------------------

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function golden(name, s)
  local path = golden_dir .. "/" .. name .. ".txt"
  if UPDATE then
    os.execute("mkdir -p '" .. golden_dir .. "'")
    local f = assert(io.open(path, "wb"))
    f:write(s, "\n")
    f:close()
    print("wrote  " .. path)
    return
  end
  local want = read(path)
  ok(want, "missing golden file " .. path .. " (UPDATE_GOLDEN=1 writes it)")
  want = want:gsub("\n$", "")
  if want ~= s then
    local a, b = lines_of(s), lines_of(want)
    for i = 1, math.max(#a, #b) do
      if a[i] ~= b[i] then
        error(("%s differs from %s at line %d:\n  got:  %s\n  want: %s\n(UPDATE_GOLDEN=1 rewrites it if the change is intended)")
          :format(name, path, i, tostring(a[i]), tostring(b[i])), 2)
      end
    end
  end
  checks = checks + 1
end

for _, case in ipairs(cases) do
  test("golden " .. case[1], function()
    local s = case[2]()
    golden(case[1], s)
    eq(case[2](), s, "the same data draws the same text twice")
    local colored = case[1]:match("_color$") ~= nil
    eq(s:find(ESC, 1, true) ~= nil, colored, "colour escapes only when colour is on")
    -- every line fits the width the figure was given
    ok(max_width(s) <= plot.last.width, ("%s: a line is %d columns wide, the plot was given %d")
      :format(case[1], max_width(s), plot.last.width))
  end)
end

-- ---- what the figures contain ------------------------------------------------------------------

local function count(s, pat)
  local n = 0
  for _ in s:gmatch(pat) do n = n + 1 end
  return n
end

test("line: Braille dots, axes with round ticks, the title", function()
  local s = plot.line(sine(100), o{ title = "sin(x)", width = 64, height = 12, color = false })
  ok(s:find("sin(x)", 1, true), "title")
  ok(count(s, "[\226][\160-\163][\128-\191]") > 40, "drawn in Braille (U+2800..U+28FF)")
  for _, t in ipairs({ "1.0 ┤", "0.5 ┤", "0 ┤", "-0.5 ┤", "-1.0 ┤" }) do
    ok(s:find(t, 1, true), "y tick " .. t)
  end
  ok(s:find("└", 1, true) and s:find("┬", 1, true), "x axis with ticks")
  ok(s:find(" 20 ", 1, true) and s:find(" 40 ", 1, true), "x tick labels at round values")
end)

test("lines: one glyph per series without colour, names in natural order", function()
  local s = plot.lines({ layer10 = { 1, 2, 3 }, layer2 = { 3, 2, 1 }, layer1 = { 2, 2, 2 } },
    o{ width = 40, height = 6, color = false })
  local legend = lines_of(s)[#lines_of(s)]
  ok(legend:find("layer1", 1, true) < legend:find("layer2", 1, true)
     and legend:find("layer2", 1, true) < legend:find("layer10", 1, true), "layer1, layer2, layer10: " .. legend)
  eq(legend, "* layer1  + layer2  o layer10", "legend glyphs")
  local body = table.concat(lines_of(s), "\n", 1, 6)
  ok(body:find("*", 1, true) and body:find("+", 1, true) and body:find("o", 1, true), "each glyph drawn")
  ok(count(body, "[\226][\160-\163][\128-\191]") == 0, "no Braille when glyphs tell series apart")
  -- with colour: Braille dots in three different colours
  local c = plot.lines({ a = { 1, 2, 3 }, b = { 3, 2, 1 }, c = { 2, 2, 2 } }, o{ width = 40, height = 6, color = true })
  local colours = {}
  for code in c:gmatch("38;5;(%d+)") do colours[code] = true end
  local n = 0
  for _ in pairs(colours) do n = n + 1 end
  ok(n >= 3, "three series in three colours, got " .. n)
end)

test("lines accepts {xs, ys} pairs, and a tensor-like object with :tolist()", function()
  local s1 = plot.lines({ a = { { 0, 1, 2 }, { 5, 6, 4 } } }, o{ width = 30, height = 5, color = false })
  ok(s1:find(" 0 ", 1, true) or s1:find("┬", 1, true), "drawn")
  local fake = setmetatable({}, { __index = { tolist = function() return { 5, 6, 4 } end } })
  local s2 = plot.line(fake, o{ width = 30, height = 5, color = false })
  local s3 = plot.line({ 5, 6, 4 }, o{ width = 30, height = 5, color = false })
  eq(s2, s3, "an object with :tolist() draws like its list")
  local s4 = plot.line({ 1, 2, 3 }, { 5, 6, 4 }, o{ width = 30, height = 5, color = false })
  local s5 = plot.line({ { 1, 2, 3 }, { 5, 6, 4 } }, o{ width = 30, height = 5, color = false })
  eq(s4, s5, "plot.line(xs, ys) is plot.line({xs, ys})")
  eq(s4, s3, "default xs are 1, 2, 3, ...")
end)

test("scatter: a glyph per class, class names in the legend, a points list", function()
  local xs, ys, labels = blobs()
  local s = plot.scatter(xs, ys, o{ labels = labels, width = 60, height = 12, color = false })
  ok(s:find("* 1  + 2  o 3", 1, true), "legend of the three classes")
  local pts = {}
  for i = 1, #xs do pts[i] = { xs[i], ys[i] } end
  eq(plot.scatter(pts, o{ labels = labels, width = 60, height = 12, color = false }), s, "scatter(points) is scatter(xs, ys)")
  raises(function() plot.scatter(xs, ys, o{ labels = { 1, 2 } }) end, "one class per point")
  raises(function() plot.scatter({ 1, 2 }, { 1 }, o{}) end, "2 xs but 1 ys")
end)

test("hist: counts, bins, integer ticks", function()
  local s = plot.hist({ 1, 2, 2, 3, 3, 3 }, o{ bins = 3, width = 40, height = 6, color = false })
  local counts = plot.last.counts
  eq(#counts, 3, "3 bins")
  eq(counts[1], 1, "bin 1"); eq(counts[2], 2, "bin 2"); eq(counts[3], 3, "bin 3")
  ok(s:find("█", 1, true), "bars in blocks")
  ok(not s:find("0.5 ┤", 1, true), "no fractional count ticks")
  local v = normal(1000)
  plot.hist(v, o{ bins = 25, width = 60, height = 8, color = false })
  local total = 0
  for _, n in ipairs(plot.last.counts) do total = total + n end
  eq(total, 1000, "every value lands in a bin")
  eq(#plot.last.edges, 26, "bins + 1 edges")
  -- a weight matrix (2-D) is histogrammed as a whole
  plot.hist({ { 1, 2 }, { 3, 4 } }, o{ bins = 2, width = 30, height = 4, color = false })
  eq(plot.last.counts[1] + plot.last.counts[2], 4, "2-D input flattened")
end)

test("image: half blocks with greys in colour, the ramp without; shapes", function()
  local c = plot.image(digit_zero(), o{ width = 60, color = true })
  eq(count(c, "▀"), 28 * 14, "28 x 28 pixels in 28 x 14 half blocks")
  ok(c:find("48;5;", 1, true) and c:find("38;5;232", 1, true) or c:find("38;5;2[345]%d"), "256-colour greys")
  local p = plot.image(digit_zero(), o{ width = 60, color = false })
  ok(p:find("█", 1, true) and p:find("░", 1, true), "greyscale ramp")
  eq(#lines_of(p), 14 + 1, "14 rows and the scale line")
  -- a flat 784-vector is a 28 x 28 image; 1 x 28 x 28 too
  local flat = {}
  for r, row in ipairs(digit_zero()) do for c2, v in ipairs(row) do flat[(r - 1) * 28 + c2] = v end end
  eq(plot.image(flat, o{ width = 60, color = false }), p, "784 values draw as 28 x 28")
  eq(plot.image({ digit_zero() }, o{ width = 60, color = false }), p, "1 x 28 x 28")
  -- too wide for the terminal: shrunk; tiny: grown
  local wide = {}
  for r = 1, 10 do wide[r] = {} for c2 = 1, 200 do wide[r][c2] = (r + c2) % 7 end end
  ok(max_width(plot.image(wide, o{ width = 50, color = false })) <= 50, "a 200-wide image fits 50 columns")
  local tiny = plot.image({ { 0, 1 }, { 1, 0 } }, o{ width = 60, color = false })
  ok(#lines_of(tiny) > 3, "a 2 x 2 kernel is scaled up")
  plot.image({ { -1, 0.5 }, { 0, 0.25 } }, o{ symmetric = true, scale = 1, width = 30, color = false })
  eq(plot.last.vmin, -1, "symmetric: from -max|w|"); eq(plot.last.vmax, 1, "to +max|w|")
  eq(plot.last.images[1].pixels[2][1], 0.5, "0 is mid-grey")
  raises(function() plot.image({ 1, 2, 3 }, o{}) end, "plot.image")
  raises(function() plot.image({ { 1, 2 }, { 3 } }, o{}) end, "row 2 has 1 values")
end)

test("images: a grid with captions, shared grey range", function()
  local s = plot.images({ digit_zero(), digit_strokes(1), digit_strokes(7) }, o{ cols = 3, labels = { "a", "b", "c" }, width = 100, color = false })
  local ls = lines_of(s)
  ok(ls[15]:find("a", 1, true) and ls[15]:find("b", 1, true) and ls[15]:find("c", 1, true), "captions under the images")
  ok(max_width(s) <= 100, "fits")
  raises(function() plot.images({}, o{}) end, "empty")
end)

test("contour: bands, paths with their glyphs, legend; paths flying off stay cheap", function()
  local s = plot.contour(bowl, o{ xlim = { -2, 2 }, ylim = { -1, 1 }, width = 60, height = 12, color = false,
    paths = { sgd = descend(0.09, 0, 30) } })
  ok(s:find("contour lines at", 1, true), "levels listed")
  ok(s:find("* sgd", 1, true), "path legend")
  local c = plot.contour(bowl, o{ xlim = { -2, 2 }, ylim = { -1, 1 }, width = 60, height = 12, color = true,
    paths = { sgd = descend(0.09, 0, 30) } })
  ok(c:find("48;5;", 1, true) and c:find("bands from", 1, true), "coloured bands and their legend")
  -- a diverging optimizer: lr too large, the path goes to 1e30 and beyond, then NaN
  local t0 = os.clock()
  local wild = descend(0.2, 0, 700)
  local s2 = plot.contour(bowl, o{ xlim = { -2, 2 }, ylim = { -1, 1 }, width = 60, height = 12, color = false, paths = { wild = wild } })
  ok(os.clock() - t0 < 2, "clipping keeps it fast")
  ok(s2:find("skipped", 1, true), "the NaN/inf part of the path is noted")
  -- a grid instead of a function: grid[i][j] = f(x_j, y_i), row 1 at the lowest y
  local grid = {}
  for i = 1, 21 do
    grid[i] = {}
    for j = 1, 41 do grid[i][j] = bowl(-2 + (j - 1) * 0.1, -1 + (i - 1) * 0.1) end
  end
  local g = plot.contour(grid, o{ xlim = { -2, 2 }, ylim = { -1, 1 }, width = 60, height = 12, color = false })
  ok(g:find("contour lines at", 1, true), "a grid draws")
  raises(function() plot.contour(function() error("boom") end, o{}) end, "plot.contour: f(")
  raises(function() plot.contour(function() return "x" end, o{}) end, "should return a number")
  raises(function() plot.contour(bowl, o{ xlim = { 1, -1 } }) end, "xlim should be {low, high}")
end)

test("boundary: regions and points; batch predict; probabilities rounded", function()
  local pts, labels = {}, {}
  for i = 1, 20 do
    pts[i] = { (i - 10.5) / 5, ((i * 7) % 11 - 5) / 5 }
    labels[i] = pts[i][1] > 0 and 1 or 0
  end
  local a = plot.boundary(function(x) return x > 0 and 1 or 0 end, pts, labels, o{ width = 50, height = 10, color = false })
  local b = plot.boundary(function(P)
    local out = {}
    for i, p in ipairs(P) do out[i] = p[1] > 0 and 1 or 0 end
    return out
  end, pts, labels, o{ width = 50, height = 10, color = false, batch = true })
  eq(a, b, "batch and per-point predict agree")
  local c = plot.boundary(function(x) return 1 / (1 + math.exp(-10 * x)) end, pts, labels, o{ width = 50, height = 10, color = false })
  eq(c, a, "a probability is rounded to a class")
  ok(a:find("* 0  + 1", 1, true), "legend per class")
  raises(function() plot.boundary(42, pts, labels) end, "predict should be a function")
  raises(function() plot.boundary(function() return 1 end, pts, { 1 }) end, "one class per point")
end)

-- ---- edge cases: never a crash ------------------------------------------------------------

test("edge cases draw a frame or raise a clear error, never crash", function()
  local nan, inf = 0 / 0, 1 / 0
  local draws = {
    { "all NaN", function() return plot.line({ nan, nan }, o{ width = 30, height = 4, color = false }) end },
    { "one point", function() return plot.line({ 7 }, o{ width = 30, height = 4, color = false }) end },
    { "inf only", function() return plot.line({ inf, -inf }, o{ width = 30, height = 4, color = false }) end },
    { "huge values", function() return plot.line({ 1e300, -1e300, 1e-300 }, o{ width = 30, height = 4, color = false }) end },
    { "tiny range", function() return plot.line({ 1, 1 + 1e-12 }, o{ width = 30, height = 4, color = false }) end },
    { "log of zero and negatives", function() return plot.line({ 0, -1, 10, 100 }, o{ logy = true, width = 30, height = 4, color = false }) end },
    { "empty lines", function() return plot.lines({}, o{ width = 30, height = 4, color = false }) end },
    { "empty scatter", function() return plot.scatter({}, {}, o{ width = 30, height = 4, color = false }) end },
    { "empty hist", function() return plot.hist({}, o{ width = 30, height = 4, color = false }) end },
    { "constant hist", function() return plot.hist({ 5, 5, 5 }, o{ width = 30, height = 4, color = false }) end },
    { "NaN hist", function() return plot.hist({ nan, 1, inf }, o{ width = 30, height = 4, color = false }) end },
    { "NaN surface", function() return plot.contour(function() return nan end, o{ width = 30, height = 4, color = false }) end },
    { "NaN image", function() return plot.image({ { nan, 1 }, { 0, nan } }, o{ width = 30, color = true }) end },
    { "constant image", function() return plot.image({ { 2, 2 }, { 2, 2 } }, o{ width = 30, color = false }) end },
    { "boundary, no points", function() return plot.boundary(function() return 1 end, {}, {}, o{ width = 30, height = 4, color = false }) end },
    { "tiny width", function() return plot.line({ 1, 2 }, o{ width = 1, height = 1, color = false }) end },
    { "non-ASCII title", function() return plot.line({ 1, 2 }, o{ title = "손실 함수 <&>", width = 30, height = 4, color = false }) end },
  }
  for _, d in ipairs(draws) do
    local good, s = pcall(d[2])
    ok(good, d[1] .. ": " .. tostring(s))
    ok(type(s) == "string" and #s > 0, d[1] .. ": returns the text")
    local x = svg.render(plot.last)
    ok(x:find("</svg>", 1, true), d[1] .. ": SVG too")
  end
  ok(plot.line({ nan, nan }, o{ width = 30, height = 4, color = false }):find("no data", 1, true), "an empty frame says so")
  raises(function() plot.line("abc") end, "plot.line: ys should be a list of numbers")
  raises(function() plot.line({ 1, "two", 3 }) end, "ys[2] is a string")
  raises(function() plot.line({ { 1, 2 }, { 3, 4 }, { 5, 6 } }) end, "2-D tensor?")
  raises(function() plot.lines(5) end, "plot.lines: expects a table")
  raises(function() plot.hist({ 1, 2 }, o{ bins = 0 }) end, "bins should be a positive number")
  raises(function() plot.line({ 1 }, 5) end, "options should be a table")
end)

-- ---- colour decision and printing ----------------------------------------------------------

test("colour: opts.color, then plot.color, then nabla.color", function()
  local function colored(opts) return plot.line({ 1, 2, 3 }, o(opts)):find(ESC, 1, true) ~= nil end
  eq(colored{ color = true, width = 30, height = 4 }, true, "opts.color = true")
  eq(colored{ color = false, width = 30, height = 4 }, false, "opts.color = false")
  local saved_plot = plot.color
  plot.color = true
  eq(colored{ width = 30, height = 4 }, true, "plot.color = true")
  eq(colored{ color = false, width = 30, height = 4 }, false, "opts.color beats plot.color")
  plot.color = saved_plot
  local saved = package.loaded.nabla
  local fake = type(saved) == "table" and saved or {}
  local saved_color = fake.color
  package.loaded.nabla = fake
  fake.color = true
  eq(colored{ width = 30, height = 4 }, true, "nabla.color = true")
  fake.color = false
  eq(colored{ width = 30, height = 4 }, false, "nabla.color = false")
  fake.color = saved_color
  package.loaded.nabla = saved
end)

test("printing: shown once through nabla.display unless print = false, returns the text", function()
  local shown = {}
  local nabla = package.loaded.nabla
  local saved = rawget(nabla, "display")
  nabla.display = function(obj) shown[#shown + 1] = obj end
  local r1 = plot.line({ 1, 2, 3 }, { width = 30, height = 4, color = false })
  local fig1 = plot.last
  local r2 = plot.line({ 1, 2, 3 }, { width = 30, height = 4, color = false, print = false })
  nabla.display = saved
  eq(#shown, 1, "shown once")
  eq(tostring(shown[1]), r1, "shows what it returns")
  eq(shown[1].kind, "plot", "a plot display object")
  ok(shown[1].figure == fig1, "the display object carries the figure (a notebook draws it as SVG)")
  local svg = getmetatable(shown[1]).__svg(shown[1])
  ok(svg:find("^<svg") or svg:find("<svg"), "__svg renders the figure")
  eq(r2, r1, "print = false returns the same text")
  eq(plot.last.text, r1, "plot.last is the figure")
  ok(require("nabla.display").was_shown(r1), "the shell knows not to echo the returned text again")
end)

-- ---- SVG -----------------------------------------------------------------------------------

-- A strict XML well-formedness check, enough for our SVG: one root, tags balance,
-- attributes quoted and unique, entities known, no '<' in text or values.
local function xml_check(s)
  local entity_ok = function(text)
    for ent in text:gmatch("&([^;]*);") do
      if not (ent == "amp" or ent == "lt" or ent == "gt" or ent == "quot" or ent == "apos"
              or ent:match("^#%d+$") or ent:match("^#x%x+$")) then
        return false, "unknown entity &" .. ent .. ";"
      end
    end
    if text:gsub("&[^;%s&<]*;", ""):find("&", 1, true) then return false, "a bare &" end
    return true
  end
  local stack, roots, i = {}, 0, 1
  if s:sub(1, 5) == "<?xml" then
    local e = s:find("?>", 1, true)
    if not e then return false, "unterminated XML declaration" end
    i = e + 2
  end
  while i <= #s do
    local lt = s:find("<", i, true)
    local textpart = s:sub(i, (lt or #s + 1) - 1)
    if #stack == 0 and textpart:find("%S") then return false, "text outside the root: " .. textpart:sub(1, 20) end
    local good, why = entity_ok(textpart)
    if not good then return false, why end
    if not lt then break end
    if s:sub(lt, lt + 3) == "<!--" then
      local e = s:find("-->", lt + 4, true)
      if not e then return false, "unterminated comment" end
      i = e + 3
    else
      local gt = s:find(">", lt, true)
      if not gt then return false, "unterminated tag" end
      local tag = s:sub(lt + 1, gt - 1)
      if tag:sub(1, 1) == "/" then
        local name = tag:match("^/([%a_][%w_%-%.:]*)%s*$")
        if not name then return false, "bad closing tag <" .. tag .. ">" end
        if stack[#stack] ~= name then return false, ("</%s> closes <%s>"):format(name, tostring(stack[#stack])) end
        stack[#stack] = nil
      else
        local selfclose = tag:sub(-1) == "/"
        if selfclose then tag = tag:sub(1, -2) end
        local name, rest = tag:match("^([%a_][%w_%-%.:]*)(.*)$")
        if not name then return false, "bad tag <" .. tag .. ">" end
        if #stack == 0 then
          roots = roots + 1
          if roots > 1 then return false, "more than one root element" end
        end
        local seen = {}
        rest = rest:gsub("^%s+", "")
        while #rest > 0 do
          local attr, q, after = rest:match("^([%a_][%w_%-%.:]*)%s*=%s*([\"'])(.*)$")
          if not attr then return false, ("<%s>: bad attribute syntax near %q"):format(name, rest:sub(1, 20)) end
          local close = after:find(q, 1, true)
          if not close then return false, ("<%s>: unterminated value of %s"):format(name, attr) end
          local value = after:sub(1, close - 1)
          if value:find("<", 1, true) then return false, ("<%s %s>: '<' in a value"):format(name, attr) end
          local vgood, vwhy = entity_ok(value)
          if not vgood then return false, vwhy end
          if seen[attr] then return false, ("<%s>: attribute %s twice"):format(name, attr) end
          seen[attr] = true
          rest = after:sub(close + 1)
          if #rest > 0 and not rest:match("^%s") then return false, ("<%s>: no space between attributes"):format(name) end
          rest = rest:gsub("^%s+", "")
        end
        if not selfclose then stack[#stack + 1] = name end
      end
      i = gt + 1
    end
  end
  if #stack > 0 then return false, "unclosed <" .. stack[#stack] .. ">" end
  if roots ~= 1 then return false, "no root element" end
  return true
end

test("the XML checker itself rejects malformed documents", function()
  ok(xml_check('<a x="1"><b/>t &amp; &#60;</a>'), "a good document passes")
  for _, bad in ipairs({ "<a><b></a></b>", "<a x=1/>", '<a x="1" x="2"/>', "<a>&nbsp;</a>", "<a>a & b</a>",
                         "<a/><b/>", "<a>", 'text<a/>', '<a x="<"/>' }) do
    ok(not xml_check(bad), "rejects " .. bad)
  end
end)

local python_ok = os.execute("test -x /usr/bin/python3 && /usr/bin/python3 -c 'import xml.dom.minidom' 2>/dev/null")
local tmp = os.tmpname()

test("SVG: every golden figure as well-formed XML, with the same content", function()
  for _, case in ipairs(cases) do
    case[2]()
    local fig = plot.last
    local path = plot.save(tmp .. ".svg")
    local x = read(path)
    eq(x, plot.svg(fig), case[1] .. ": the file holds plot.svg(fig)")
    local good, why = xml_check(x)
    ok(good, case[1] .. ": " .. tostring(why))
    ok(x:find('xmlns="http://www.w3.org/2000/svg"', 1, true), "SVG namespace")
    if fig.title then ok(x:find(svg.escape(fig.title), 1, true), case[1] .. ": title") end
    if python_ok then
      local r = os.execute("/usr/bin/python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' '" .. path .. "'")
      ok(r == true, case[1] .. ": python's XML parser rejects the SVG")
    end
    local kind = case[1]:match("^(%a+)")
    local needs = { line = "<polyline", lines = "<polyline", scatter = "<circle", hist = "<rect",
                    image = "<rect", images = "<rect", contour = "<polyline", boundary = "<circle" }
    if needs[kind] then ok(x:find(needs[kind], 1, true), case[1] .. ": has " .. needs[kind]) end
  end
  os.remove(tmp .. ".svg")
end)

test("SVG: text is escaped, legends and ticks are there, .txt saves the plain text", function()
  plot.lines({ ["a<b"] = { 1, 2 }, ["c&d"] = { 2, 1 } }, o{ title = 'x < "y" & z', width = 40, height = 5, color = true })
  local x = plot.svg()
  ok(xml_check(x), "well-formed")
  ok(x:find("x &lt; &quot;y&quot; &amp; z", 1, true), "title escaped")
  ok(x:find("a&lt;b", 1, true) and x:find("c&amp;d", 1, true), "legend escaped")
  ok(x:find(">1.0</text>", 1, true) or x:find(">2</text>", 1, true), "tick labels")
  local path = plot.save(tmp .. ".txt")
  local t = read(path)
  ok(not t:find(ESC, 1, true), ".txt has no colour escapes")
  ok(t:find("a<b", 1, true), ".txt has the legend")
  os.remove(path)
  -- a colour contour saved as text: its path is drawn in glyphs, apart from the contour lines
  plot.contour(bowl, o{ xlim = { -2, 2 }, ylim = { -1, 1 }, width = 50, height = 10, color = true, paths = { sgd = descend(0.09, 0, 30) } })
  local colour_fig = plot.last
  plot.save(tmp .. ".txt")
  eq(read(tmp .. ".txt"), plot.contour(bowl, o{ xlim = { -2, 2 }, ylim = { -1, 1 }, width = 50, height = 10, color = false,
    paths = { sgd = descend(0.09, 0, 30) } }) .. "\n", ".txt of a colour figure is the figure drawn without colour")
  ok(plot.svg(colour_fig):find("<polyline", 1, true), "plot.svg(fig) of an earlier figure")
  os.remove(tmp .. ".txt")
  raises(function() plot.save(tmp .. ".png") end, "should end in .svg")
  raises(function() plot.save(42) end, "expects a file name")
end)

-- ---- scales ----------------------------------------------------------------------------------

test("ticks are round numbers; labels have the decimals the step needs", function()
  local a = S.axis(0.03, 0.97, 5, true)
  eq(a.lo, 0, "loose low"); eq(a.hi, 1, "loose high"); eq(a.step, 0.2, "step")
  eq(#a.ticks, 6, "0, 0.2, ..., 1")
  eq(S.label(a.ticks[2], a.step), "0.2", "label")
  local b = S.axis(1, 100, 5, false)
  eq(b.ticks[1], 20, "tight ticks start inside"); eq(b.ticks[#b.ticks], 100, "and end inside")
  eq(S.label(1500000, 500000), "1.5e6", "far from 1: scientific")
  eq(S.label(-0.0000001, 1), "-1e-7", "tiny")
  eq(S.label(2.5, 0.5), "2.5", "one decimal for a step of 0.5")
  local l = S.axis(-3.2, 2.1, 5, true, true)
  eq(l.lo, -4, "log axis from a decade"); eq(l.hi, 3, "to a decade")
  eq(S.label(-2, 1, true), "0.01", "10^-2")
  local c = S.axis(5, 5, 4, true)
  ok(c.lo < 5 and c.hi > 5, "a constant opens a window")
end)

-- ---- with the engine: tensors ---------------------------------------------------------------

if has_nabla then
  test("tensors: 1-D, 2-D, N x 2 points, images draw like their lists", function()
    local t = nabla.tensor(sine(50))
    eq(plot.line(t, o{ width = 40, height = 6, color = false }), plot.line(t:tolist(), o{ width = 40, height = 6, color = false }), "1-D tensor")
    local img = nabla.tensor(digit_zero())
    local ref = plot.image(img:tolist(), o{ width = 60, color = false })
    eq(plot.image(img, o{ width = 60, color = false }), ref, "2-D tensor image")
    eq(plot.image(img:view(784), o{ width = 60, color = false }), ref, "flat 784")
    eq(plot.image(img:view(1, 28, 28), o{ width = 60, color = false }), ref, "1 x 28 x 28")
    ok(plot.images(img:view(1, 28, 28), o{ width = 60, color = false }):find("░", 1, true), "a 3-D tensor is a list of images")
    local xs, ys, labels = blobs()
    local pts = {}
    for i = 1, #xs do pts[i] = { xs[i], ys[i] } end
    -- tensors hold float32: compare with the same values read back as a list
    local tp = nabla.tensor(pts)
    eq(plot.scatter(tp, o{ labels = nabla.tensor(labels), width = 50, height = 10, color = false }),
       plot.scatter(tp:tolist(), o{ labels = labels, width = 50, height = 10, color = false }), "N x 2 tensor and tensor labels")
    local th = nabla.tensor(normal(200))
    eq(plot.hist(th, o{ width = 50, height = 6, color = false }),
       plot.hist(th:tolist(), o{ width = 50, height = 6, color = false }), "hist of a tensor")
    local w = nabla.randn(16, 8)
    ok(plot.hist(w, o{ width = 50, height = 6, color = false }):find("n = 128", 1, true), "a 2-D weight tensor")
    local f = function(x, y) return nabla.tensor({ x * x + y * y }):sum() end
    ok(plot.contour(f, o{ width = 30, height = 5, color = false }):find("contour", 1, true), "f returning a one-value tensor")
    local ls = {}
    for i = 1, 5 do ls[i] = nabla.tensor({ 1 / i }):sum() end
    local vals = {}
    for i = 1, 5 do vals[i] = ls[i]:item() end
    eq(plot.line(ls, o{ width = 30, height = 5, color = false }), plot.line(vals, o{ width = 30, height = 5, color = false }),
       "a list of one-value tensors (losses without :item())")
    eq(nabla.plot, plot, "nabla.plot is this module")
  end)
end

os.remove(tmp)
print(("%d passed, %d failed (%d checks)%s"):format(passed, failed, checks,
  has_nabla and "" or " [without the engine: tensor tests skipped]"))
if failed > 0 or passed == 0 then os.exit(1) end
if UPDATE then print("golden files rewritten in " .. golden_dir .. ": look at them before committing") end

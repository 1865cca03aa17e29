-- nabla.plot: plots in the terminal (Braille dots, block characters, ANSI colour) and the
-- same figures as standalone SVG files. Plain Lua, no C: it runs inside nabla and in stock
-- lua5.4 alike.
--
--   plot.line(losses)                          plot.lines{ sgd = h1.loss, adam = h2.loss }
--   plot.scatter(xs, ys, { labels = y })       plot.hist(weights, { bins = 30 })
--   plot.image(digit)                          plot.images(digits, { cols = 8 })
--   plot.contour(f, { xlim = {-2, 2}, ylim = {-1, 3}, paths = { sgd = path } })
--   plot.boundary(predict, points, labels)     plot.save("figure.svg")
--
-- Data is a Lua list of numbers or anything with a :tolist() method (a nabla tensor).
-- Each function builds a *figure*, a table that says what to draw (axes, then layers: a
-- sampled field, bars, lines, points), renders it as text (plot/text.lua), prints it unless
-- opts.print == false, remembers it in plot.last, and returns the text. plot.save renders a
-- figure as SVG (plot/svg.lua).
--
-- Options every plot takes: title, xlabel, ylabel, width (columns, the whole plot),
-- height (rows of the drawing area), color (true/false), print (false: only return it).
local S = require "nabla.plot.scale"
local text = require "nabla.plot.text"
local svg = require "nabla.plot.svg"
local doc = require "nabla.doc"

local plot = {}
doc(plot, { name = "plot", sig = "plot", kind = "module", en = "terminal plots (line, lines, scatter, hist, image, images, contour, boundary) and plot.save(\"x.svg\")", ko = "터미널 그래프 (line, lines, scatter, hist, image, images, contour, boundary)와 plot.save(\"x.svg\")" })

-- Defaults a teacher may set for a session: plot.color = true, plot.width = 100.
plot.color, plot.width, plot.height = nil, nil, nil
plot.last = nil          -- the last figure drawn; plot.save(path) writes it
plot.last_printed = nil  -- the text last printed (a shell may skip echoing it again)

local finite, round = S.finite, S.round
local floor, ceil, max, min = math.floor, math.ceil, math.max, math.min

-- ---- reading the data ---------------------------------------------------------------------

local function fail(fname, msg) error(fname .. ": " .. msg, 0) end

-- A plain Lua list from a list, a nabla tensor or any object with a :tolist() method.
-- Tensors are userdata: reading a missing field may raise, hence the pcall.
local function aslist(x)
  if type(x) == "table" then
    if rawget(x, 1) == nil and getmetatable(x) ~= nil then
      local ok, f = pcall(function() return x.tolist end)
      if ok and type(f) == "function" then return f(x) end
    end
    return x
  end
  if type(x) == "userdata" then
    local ok, f = pcall(function() return x.tolist end)
    if ok and type(f) == "function" then return f(x) end
  end
  return nil
end

local function is_data(x) return aslist(x) ~= nil end

-- Is this second argument data (ys), rather than an options table? A tensor, or a table
-- with values at 1, 2, ...; an empty table counts as options.
local function is_series(x)
  if type(x) == "userdata" then return aslist(x) ~= nil end
  return type(x) == "table" and (rawget(x, 1) ~= nil or (getmetatable(x) ~= nil and rawget(x, "title") == nil and aslist(x) ~= x))
end

-- A number from a number, a one-value tensor (:item()) or a boolean (false 0, true 1).
local function tonum(v)
  if type(v) == "number" then return v end
  if type(v) == "boolean" then return v and 1 or 0 end
  local ok, item = pcall(function() return v.item end)
  if ok and type(item) == "function" then return item(v) end
  return nil
end

-- A list of numbers, or a clear error naming the function and the argument.
local function numbers(x, fname, what)
  local l = aslist(x)
  if l == nil then
    fail(fname, ("%s should be a list of numbers or a tensor, got a %s"):format(what, type(x)))
  end
  local out = {}
  for i = 1, #l do
    local v = l[i]
    -- a list of one-value tensors (losses[i] = loss, without :item()) reads as numbers
    if type(v) == "userdata" then v = tonum(v) or v end
    if type(v) ~= "number" then
      local hint = type(v) == "table" and " (a 2-D tensor? plot.lines, plot.image or plot.scatter(points) may be what you want)" or ""
      fail(fname, ("%s[%d] is a %s, expected a number%s"):format(what, i, type(v), hint))
    end
    out[i] = v
  end
  return out
end

-- A list of rows of numbers (a 2-D list or tensor).
local function matrix(x, fname, what)
  local l = aslist(x)
  if l == nil then fail(fname, ("%s should be a 2-D list or tensor, got a %s"):format(what, type(x))) end
  local rows = {}
  for i = 1, #l do rows[i] = numbers(l[i], fname, ("%s[%d]"):format(what, i)) end
  return rows
end

-- {xs, ys} (a pair of lists) or ys alone (xs = 1, 2, 3, ...)
local function xy_series(s, fname, what)
  local l = aslist(s)
  if l == nil then fail(fname, what .. " should be a list of numbers, a tensor, or {xs, ys}") end
  if #l == 2 and type(l[1]) ~= "number" and is_data(l[1]) and is_data(l[2]) then
    local xs, ys = numbers(l[1], fname, what .. " xs"), numbers(l[2], fname, what .. " ys")
    if #xs ~= #ys then fail(fname, ("%s: %d xs but %d ys"):format(what, #xs, #ys)) end
    return xs, ys
  end
  local ys = numbers(l, fname, what)
  local xs = {}
  for i = 1, #ys do xs[i] = i end
  return xs, ys
end

-- Points as a list of {x, y} pairs (or an N x 2 tensor): xs, ys.
local function pairs_xy(p, fname, what)
  local rows = matrix(p, fname, what)
  local xs, ys = {}, {}
  for i, r in ipairs(rows) do
    if #r < 2 then fail(fname, ("%s[%d] should be a point {x, y}, it has %d value(s)"):format(what, i, #r)) end
    xs[i], ys[i] = r[1], r[2]
  end
  return xs, ys
end

local function limits(v, fname, what)
  if v == nil then return nil end
  local l = aslist(v)
  if not l or not finite(l[1]) or not finite(l[2]) or not (l[1] < l[2]) then
    fail(fname, ("%s should be {low, high} with low < high"):format(what))
  end
  return { l[1], l[2] }
end

-- Names in a readable order: "layer2" before "layer10" (digit runs compare as numbers).
local function natural_less(a, b)
  a, b = tostring(a), tostring(b)
  local ia, ib = 1, 1
  while ia <= #a and ib <= #b do
    local da, db = a:match("^%d+", ia), b:match("^%d+", ib)
    if da and db then
      local na, nb = tonumber(da), tonumber(db)
      if na ~= nb then return na < nb end
      ia, ib = ia + #da, ib + #db
    else
      local ca, cb = a:sub(ia, ia), b:sub(ib, ib)
      if ca ~= cb then return ca < cb end
      ia, ib = ia + 1, ib + 1
    end
  end
  return #a - ia < #b - ib
end
plot.natural_less = natural_less
doc(natural_less, "plot.natural_less(a, b)", "compares names with their digit runs as numbers (\"layer2\" before \"layer10\"), for table.sort", "이름 속 숫자를 수로 비교합니다 (\"layer2\"가 \"layer10\"보다 앞), table.sort에 씁니다")

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, natural_less)
  return keys
end

-- ---- size and colour ----------------------------------------------------------------------

local function terminal_width()
  local c = tonumber(os.getenv("COLUMNS") or "")
  if c then return c end
  local ok, p = pcall(io.popen, "tput cols 2>/dev/null")
  if ok and p then
    c = tonumber(p:read("l") or "")
    p:close()
  end
  return c or 80
end

local tty_cache
local function stdout_is_tty()
  if tty_cache == nil then
    local nabla = package.loaded.nabla
    if type(nabla) == "table" and type(nabla.isatty) == "function" then
      tty_cache = nabla.isatty(1) and true or false
    else
      tty_cache = os.execute("test -t 1") == true
    end
  end
  return tty_cache
end

-- opts.color, else plot.color, else nabla.color (the shell's --no-color / NO_COLOR / TTY
-- decision), else: no colour when NO_COLOR is set or stdout is not a terminal.
local function use_color(opts)
  if opts.color ~= nil then return opts.color and true or false end
  if plot.color ~= nil then return plot.color and true or false end
  local nabla = package.loaded.nabla
  if type(nabla) == "table" and nabla.color ~= nil then return nabla.color and true or false end
  if os.getenv("NO_COLOR") and os.getenv("NO_COLOR") ~= "" then return false end
  return stdout_is_tty()
end

-- A new figure with the options every plot shares.
local function new_figure(kind, fname, opts)
  if opts ~= nil and type(opts) ~= "table" then fail(fname, "options should be a table, got a " .. type(opts)) end
  opts = opts or {}
  local width = opts.width or plot.width or min(terminal_width(), 120)
  if type(width) ~= "number" then fail(fname, "width should be a number") end
  width = max(20, floor(width))
  local height = opts.height or plot.height
  if height == nil then
    height = max(8, min(24, floor(width * 0.3)))
    local lines = tonumber(os.getenv("LINES") or "")
    if lines then height = max(6, min(height, lines - 8)) end
  end
  if type(height) ~= "number" then fail(fname, "height should be a number") end
  height = max(3, floor(height))
  return {
    kind = kind, fname = fname,
    title = opts.title and tostring(opts.title), xlabel = opts.xlabel and tostring(opts.xlabel),
    ylabel = opts.ylabel and tostring(opts.ylabel),
    width = width, height = height, color = use_color(opts),
    layers = {}, legend = {}, notes = {},
  }, opts
end

-- Without colour, series cannot be told apart by Braille dots: several series, or paths
-- drawn over contour lines, are drawn with a glyph each (*, +, o, ...) instead.
local function needs_glyphs(fig, color)
  if color or fig.kind ~= "xy" then return false end
  return #fig.legend > 1 or (fig.layers[1] ~= nil and fig.layers[1].type == "field")
end

-- Render, print, remember, return.
local function finish(fig, opts)
  local s = text.render(fig)
  fig.text = s
  plot.last = fig
  -- the classroom's /lesson page mirrors the latest plot (events.lua; only when someone listens)
  local events = package.loaded["nabla.events"]
  if events and events.listening("plot") then events.emit("plot", { svg = svg.render(fig) }) end
  if opts.print ~= false then
    plot.last_printed = s
    -- shown through nabla.display (a notebook draws fig.svg); the shell does not echo
    -- the returned text again
    require("nabla.display").show(require("nabla.display").new("plot", s, {
      figure = fig, svg = function(d) return svg.render(d.figure) end }))
  end
  return s
end

-- ---- x-y plots: axes from the data --------------------------------------------------------

-- Applies log10 to an axis' values when asked; values that cannot be drawn (NaN, inf,
-- <= 0 on a log axis) become NaN and are counted, so that a note can say so.
local function transform(vals, is_log, count)
  local out = {}
  for i, v in ipairs(vals) do
    if is_log then v = (v > 0) and math.log(v, 10) or (0 / 0) end
    if not finite(v) then
      out[i] = 0 / 0
      count.n = count.n + 1
    else
      out[i] = v
    end
  end
  return out
end

-- Chooses the axes of an x-y figure and the size of its drawing area: the y axis first
-- (its labels set the left margin), then the x axis over the width that is left.
-- bounds = { xlo, xhi, ylo, yhi } of the finite data (nil when there is none).
local function layout(fig, opts, bounds, xopts, yopts)
  xopts, yopts = xopts or {}, yopts or {}
  local H = fig.height
  local ny = yopts.n or max(2, floor(H / 3))
  local ylim = yopts.lim
  if ylim then
    fig.y = S.axis(ylim[1], ylim[2], ny, false, yopts.log)
  elseif bounds then
    fig.y = S.axis(bounds.ylo, bounds.yhi, ny, not yopts.tight, yopts.log)
  else
    fig.y = S.axis(0, 1, ny, true)
  end
  local lw = 1
  for _, t in ipairs(fig.y.ticks) do lw = max(lw, #S.label(t, fig.y.step, fig.y.log)) end
  fig.lw = lw
  fig.pw = max(8, fig.width - lw - 3)
  fig.ph = H
  local nx = xopts.n or max(2, floor(fig.pw / 10))
  local xlim = xopts.lim
  if xlim then
    fig.x = S.axis(xlim[1], xlim[2], nx, false, xopts.log)
  elseif bounds then
    fig.x = S.axis(bounds.xlo, bounds.xhi, nx, not xopts.tight, xopts.log)
  else
    fig.x = S.axis(0, 1, nx, true)
  end
end

-- The bounding box of the finite points of some layers (nil when there is none).
local function data_bounds(layers)
  local b
  for _, l in ipairs(layers) do
    if l.xs then
      for i = 1, #l.xs do
        local x, y = l.xs[i], l.ys[i]
        if finite(x) and finite(y) then
          if not b then b = { xlo = x, xhi = x, ylo = y, yhi = y }
          else
            b.xlo, b.xhi = min(b.xlo, x), max(b.xhi, x)
            b.ylo, b.yhi = min(b.ylo, y), max(b.yhi, y)
          end
        end
      end
    end
  end
  return b
end

local function note_skipped(fig, count, what)
  if count.n > 0 then
    fig.notes[#fig.notes + 1] = ("%d %s skipped (NaN, inf%s)"):format(count.n, what,
      fig.logy and ", or <= 0 on the log axis" or "")
  end
end

-- The shared part of line, lines and scatter: series = { {name, xs, ys}, ... }.
-- Values that span more than six decades (a diverging loss next to converging ones) are
-- unreadable on a linear axis: everything but the largest sits on the floor. Then the y
-- axis is logarithmic (unless opts.logy == false or ylim is given), and a note says so.
local function wants_log(series, opts)
  if opts.logy ~= nil or opts.ylim ~= nil then return false end
  local lo, hi = math.huge, 0
  for _, s in ipairs(series) do
    for _, v in ipairs(s.ys) do
      if finite(v) then
        if v <= 0 then return false end
        lo, hi = min(lo, v), max(hi, v)
      end
    end
  end
  return hi > 0 and lo < math.huge and hi / lo > 1e6, lo, hi
end

local function xy_plot(fname, series, opts, fig, kind)
  local count = { n = 0 }
  fig.logx, fig.logy = opts.logx and true or nil, opts.logy and true or nil
  local auto, lo, hi = wants_log(series, opts)
  if auto then
    fig.logy = true
    fig.notes[#fig.notes + 1] = ("log y axis: the values span %s to %s (logy = false: linear)")
      :format(S.short(lo), S.short(hi))
  end
  for k, s in ipairs(series) do
    local layer = {
      type = kind, name = s.name, k = s.k or k,
      xs = transform(s.xs, fig.logx, count), ys = transform(s.ys, fig.logy, count),
      marker = s.marker,
    }
    fig.layers[#fig.layers + 1] = layer
    if s.name ~= nil then
      fig.legend[#fig.legend + 1] = { name = tostring(s.name), k = layer.k, type = kind, marker = s.marker }
    end
  end
  local lx, ly = limits(opts.xlim, fname, "xlim"), limits(opts.ylim, fname, "ylim")
  if lx and fig.logx then lx = { math.log(max(lx[1], 1e-300), 10), math.log(lx[2], 10) } end
  if ly and fig.logy then ly = { math.log(max(ly[1], 1e-300), 10), math.log(ly[2], 10) } end
  local bounds = data_bounds(fig.layers)
  -- a line's x is usually a step count: the axis spans exactly its data
  layout(fig, opts, bounds, { lim = lx, log = fig.logx, tight = kind == "line" }, { lim = ly, log = fig.logy })
  note_skipped(fig, count, "points")
  if not bounds then fig.empty = "no data" end
  fig.glyphs = needs_glyphs(fig, fig.color)
  return finish(fig, opts)
end

-- plot.line(ys [, opts]), plot.line({xs, ys} [, opts]), plot.line(xs, ys [, opts])
function plot.line(a, b, c)
  local fname = "plot.line"
  local xs, ys, opts
  if is_series(b) or (c ~= nil and type(b) == "table") then
    xs, ys, opts = numbers(a, fname, "xs"), numbers(b, fname, "ys"), c
    if #xs ~= #ys then fail(fname, ("%d xs but %d ys"):format(#xs, #ys)) end
  else
    xs, ys = xy_series(a, fname, "ys")
    opts = b
  end
  local fig
  fig, opts = new_figure("xy", fname, opts)
  return xy_plot(fname, { { name = opts.name, xs = xs, ys = ys } }, opts, fig, "line")
end
doc(plot.line, "plot.line(ys | {xs, ys} | xs, ys, opts)", "a line plot in the terminal (opts: title, xlabel, ylabel, width, height, logy, xlim, ylim, color, print)", "터미널에 선 그래프를 그립니다 (옵션: title, xlabel, ylabel, width, height, logy, xlim, ylim, color, print)")

-- plot.lines{ name = ys or {xs, ys}, ... } or plot.lines(series, opts): one line per
-- series, names in natural order, a legend.
function plot.lines(series, opts)
  local fname = "plot.lines"
  if type(series) ~= "table" then fail(fname, "expects a table of series: plot.lines{ train = losses, val = val_losses }") end
  local list = {}
  for _, name in ipairs(sorted_keys(series)) do
    local xs, ys = xy_series(series[name], fname, "series " .. tostring(name))
    list[#list + 1] = { name = name, xs = xs, ys = ys }
  end
  local fig
  fig, opts = new_figure("xy", fname, opts)
  return xy_plot(fname, list, opts, fig, "line")
end
doc(plot.lines, "plot.lines{ name = ys, ... }", "several series in one plot, with a legend (e.g. the loss of each optimizer)", "여러 계열을 한 그래프에 범례와 함께 그립니다 (예: 옵티마이저별 손실)")

-- Class labels: the distinct values in sorted order, and each one's name (opts.classes
-- may name them: classes[label], like a dataset's class list).
local function class_index(values, classes)
  local seen, keys = {}, {}
  for _, v in pairs(values) do
    if v ~= nil and not seen[v] then seen[v] = true; keys[#keys + 1] = v end
  end
  table.sort(keys, function(a, b)
    if type(a) == "number" and type(b) == "number" then return a < b end
    return natural_less(a, b)
  end)
  local index = {}
  for i, v in ipairs(keys) do index[v] = i end
  local names = {}
  for i, v in ipairs(keys) do
    -- a label read from a tensor is a float: class 2.0 is shown as 2
    local shown = type(v) == "number" and math.tointeger(v) or v
    names[i] = tostring(classes and classes[v] or shown)
  end
  return index, keys, names
end

-- plot.scatter(xs, ys [, opts]) or plot.scatter(points [, opts]) with points {{x, y}, ...}
-- or an N x 2 tensor. opts.labels = a class per point: one colour (or glyph) per class.
function plot.scatter(a, b, c)
  local fname = "plot.scatter"
  local xs, ys, opts
  if is_series(b) or (c ~= nil and type(b) == "table") then
    xs, ys, opts = numbers(a, fname, "xs"), numbers(b, fname, "ys"), c
    if #xs ~= #ys then fail(fname, ("%d xs but %d ys"):format(#xs, #ys)) end
  else
    xs, ys = pairs_xy(a, fname, "points")
    opts = b
  end
  local fig
  fig, opts = new_figure("xy", fname, opts)
  -- a few points read best as glyphs (*, +, o: visible from the back of a classroom);
  -- many as Braille dots (4 x 8 finer). opts.marker = true / false decides.
  local marker = opts.marker
  if marker == nil then marker = #xs <= 200 end
  local series = {}
  if opts.labels ~= nil then
    local labels = aslist(opts.labels)
    if not labels or #labels ~= #xs then
      fail(fname, ("labels should give one class per point (%d points, %s labels)"):format(#xs, labels and #labels or "no"))
    end
    local _, keys, names = class_index(labels, opts.classes)
    for k, key in ipairs(keys) do
      local s = { name = names[k], xs = {}, ys = {}, marker = marker }
      for i = 1, #xs do
        if labels[i] == key then s.xs[#s.xs + 1], s.ys[#s.ys + 1] = xs[i], ys[i] end
      end
      series[k] = s
    end
  else
    series[1] = { name = opts.name, xs = xs, ys = ys, marker = marker }
  end
  return xy_plot(fname, series, opts, fig, "points")
end
doc(plot.scatter, "plot.scatter(xs, ys | points, { labels = classes })", "a scatter plot; labels colour the points by class", "산점도를 그립니다. labels를 주면 클래스마다 색이 다릅니다")

-- plot.hist(values [, opts]): opts.bins (default about sqrt(n), at most 40), opts.range =
-- {lo, hi}. The counts are also in plot.last.counts and plot.last.edges.
function plot.hist(values, opts)
  local fname = "plot.hist"
  local v = aslist(values)
  -- a 2-D tensor (a weight matrix) is histogrammed as a whole
  if v and type(v[1]) == "table" then
    local flat = {}
    for _, row in ipairs(matrix(v, fname, "values")) do
      for _, x in ipairs(row) do flat[#flat + 1] = x end
    end
    v = flat
  end
  v = numbers(v, fname, "values")
  local fig
  fig, opts = new_figure("xy", fname, opts)
  local vals, skipped = {}, 0
  for _, x in ipairs(v) do
    if finite(x) then vals[#vals + 1] = x else skipped = skipped + 1 end
  end
  local range = limits(opts.range, fname, "range")
  local lo, hi = math.huge, -math.huge
  for _, x in ipairs(vals) do lo, hi = min(lo, x), max(hi, x) end
  if range then lo, hi = range[1], range[2] end
  if #vals == 0 then lo, hi = 0, 1 end
  if lo == hi then lo, hi = lo - 0.5, hi + 0.5 end -- a constant still gets one visible bar
  -- the drawing area is as wide as the y labels leave; each bin gets the same number of
  -- columns, so that equal bins look equal (the area shrinks to a multiple of the bins)
  local pw = max(8, fig.width - #tostring(#vals) - 3)
  local bins = opts.bins
  if bins == nil then
    local target = max(1, min(40, ceil(math.sqrt(#vals))))
    bins = max(1, floor(pw / max(1, round(pw / target))))
  end
  if type(bins) ~= "number" or bins < 1 then fail(fname, "bins should be a positive number") end
  bins = floor(bins)
  local edges, counts = {}, {}
  for i = 0, bins do edges[i + 1] = lo + (hi - lo) * i / bins end
  for i = 1, bins do counts[i] = 0 end
  local outside = 0
  for _, x in ipairs(vals) do
    if x < lo or x > hi then
      outside = outside + 1
    else
      local i = min(bins, floor((x - lo) / (hi - lo) * bins) + 1)
      counts[i] = counts[i] + 1
    end
  end
  local top = 0
  for _, n in ipairs(counts) do top = max(top, n) end
  fig.layers[1] = { type = "bars", edges = edges, counts = counts, k = 1 }
  fig.edges, fig.counts = edges, counts
  -- counts are whole numbers: never ask for more ticks than there are counts
  layout(fig, opts, { xlo = lo, xhi = hi, ylo = 0, yhi = max(1, top) }, { lim = { lo, hi } },
    { n = min(max(2, floor(fig.height / 3)), max(1, top)) })
  if bins <= fig.pw then
    fig.pw = bins * floor(fig.pw / bins)
    fig.x = S.axis(lo, hi, max(2, floor(fig.pw / 10)), false)
  end
  if #vals == 0 then fig.empty = "no data" end
  if skipped > 0 then fig.notes[#fig.notes + 1] = ("%d values skipped (NaN or inf)"):format(skipped) end
  if outside > 0 then fig.notes[#fig.notes + 1] = ("%d values outside the range"):format(outside) end
  fig.notes[#fig.notes + 1] = ("n = %d, %d bins of width %s"):format(#vals, bins, S.short((hi - lo) / bins))
  return finish(fig, opts)
end
doc(plot.hist, "plot.hist(values, { bins = 20, range = {lo, hi} })", "a histogram of values (weights, gradients, activations)", "값(가중치, 기울기, 활성값)의 히스토그램을 그립니다")

-- ---- fields: a function sampled over the plane (contour, boundary) ------------------------

-- Samples fn(x, y) at the centre of every Braille dot of the drawing area: values[r][c],
-- row 1 at the top (high y), nx = 2 * width, ny = 4 * height. The SVG uses the same samples.
local function sample(fig, fn)
  local nx, ny = 2 * fig.pw, 4 * fig.ph
  local x0, x1, y0, y1 = fig.x.lo, fig.x.hi, fig.y.lo, fig.y.hi
  local values = {}
  for r = 1, ny do
    local y = y1 - (r - 0.5) / ny * (y1 - y0)
    local row = {}
    for c = 1, nx do
      row[c] = fn(x0 + (c - 0.5) / nx * (x1 - x0), y)
    end
    values[r] = row
  end
  return values, nx, ny
end

-- f as a function of (x, y) from a grid: grid[i][j] = f(x_j, y_i), the x_j evenly spaced
-- over xlim and the y_i over ylim, row 1 at the lowest y (as linspace / meshgrid make it).
local function grid_function(grid, xlim, ylim)
  local nr, nc = #grid, #grid[1]
  return function(x, y)
    local j = nc == 1 and 1 or S.round((x - xlim[1]) / (xlim[2] - xlim[1]) * (nc - 1)) + 1
    local i = nr == 1 and 1 or S.round((y - ylim[1]) / (ylim[2] - ylim[1]) * (nr - 1)) + 1
    local row = grid[max(1, min(nr, i))]
    return row[max(1, min(nc, j))]
  end
end

local function round2(v) return tonumber(string.format("%.2g", v)) end

-- The band boundaries of a surface: opts.levels a list of values, or a number of bands
-- (default 8) placed by opts.scale: "quantile" (default: equal areas, whatever the
-- surface's range), "linear" or "log".
local function contour_levels(values, opts, fname)
  local lv = opts.levels
  local vals = {}
  for _, row in ipairs(values) do
    for _, v in ipairs(row) do if finite(v) then vals[#vals + 1] = v end end
  end
  if type(lv) == "table" then
    local out = numbers(lv, fname, "levels")
    table.sort(out)
    return out, vals
  end
  local n = lv or 8
  if type(n) ~= "number" or n < 2 then fail(fname, "levels should be a number of bands (>= 2) or a list of values") end
  n = floor(n)
  if #vals == 0 then return {}, vals end
  table.sort(vals)
  local lo, hi = vals[1], vals[#vals]
  local scale = opts.scale or "quantile"
  local raw = {}
  for k = 1, n - 1 do
    if scale == "quantile" then
      raw[k] = vals[max(1, min(#vals, floor(k / n * #vals + 0.5)))]
    elseif scale == "linear" then
      raw[k] = lo + (hi - lo) * k / n
    elseif scale == "log" then
      local a = lo > 0 and lo or max(hi * 1e-6, 1e-12)
      raw[k] = a * (hi / a) ^ (k / n)
    else
      fail(fname, 'scale should be "quantile", "linear" or "log"')
    end
  end
  local out, seen = {}, {}
  for _, v in ipairs(raw) do
    v = round2(v)
    if not seen[v] and v > lo and v <= hi then seen[v] = true; out[#out + 1] = v end
  end
  table.sort(out)
  return out, vals
end

-- band of v: 1 below the first level ... #levels + 1 above the last; 0 for NaN
local function band_of(v, levels)
  if not finite(v) then return 0 end
  local b = 1
  for _, t in ipairs(levels) do
    if v >= t then b = b + 1 else break end
  end
  return b
end

-- plot.contour(f or grid, opts): a surface z = f(x, y) drawn as level bands, with
-- optimizer paths on top. opts.xlim, opts.ylim (default: around the paths, else {-1, 1};
-- for a grid: its indices), opts.paths = { name = {{x, y}, ...} or an N x 2 tensor },
-- opts.levels, opts.scale ("quantile", "linear", "log").
function plot.contour(f, opts)
  local fname = "plot.contour"
  local fig
  fig, opts = new_figure("xy", fname, opts)
  local fn, grid
  if type(f) == "function" then
    fn = function(x, y)
      local ok, v = pcall(f, x, y)
      if not ok then fail(fname, ("f(%s, %s) failed: %s"):format(S.short(x), S.short(y), tostring(v))) end
      local n = tonum(v)
      if n == nil then fail(fname, ("f(x, y) should return a number, got a %s"):format(type(v))) end
      return n
    end
  else
    grid = matrix(f, fname, "grid")
    if #grid == 0 or #grid[1] == 0 then fail(fname, "the grid is empty") end
    for i, row in ipairs(grid) do
      if #row ~= #grid[1] then fail(fname, ("grid row %d has %d values, row 1 has %d"):format(i, #row, #grid[1])) end
    end
  end
  -- the paths, in natural order of their names
  local paths = {}
  if opts.paths ~= nil then
    if type(opts.paths) ~= "table" then fail(fname, "paths should be a table: { name = {{x, y}, ...} }") end
    for _, name in ipairs(sorted_keys(opts.paths)) do
      local xs, ys = pairs_xy(opts.paths[name], fname, "paths." .. tostring(name))
      paths[#paths + 1] = { name = name, xs = xs, ys = ys }
    end
  end
  local xlim, ylim = limits(opts.xlim, fname, "xlim"), limits(opts.ylim, fname, "ylim")
  if grid then
    xlim = xlim or { 1, #grid[1] }
    ylim = ylim or { 1, #grid }
    fn = grid_function(grid, xlim, ylim)
  end
  local count = { n = 0 }
  for k, p in ipairs(paths) do
    fig.layers[#fig.layers + 1] = {
      type = "line", name = p.name, k = k, ends = true,
      xs = transform(p.xs, false, count), ys = transform(p.ys, false, count),
    }
    fig.legend[#fig.legend + 1] = { name = tostring(p.name), k = k, type = "line", ends = true }
  end
  if not xlim or not ylim then
    local b = data_bounds(fig.layers)
    if b then
      local dx, dy = max(b.xhi - b.xlo, 1e-3) * 0.15, max(b.yhi - b.ylo, 1e-3) * 0.15
      xlim = xlim or { b.xlo - dx, b.xhi + dx }
      ylim = ylim or { b.ylo - dy, b.yhi + dy }
    end
    xlim, ylim = xlim or { -1, 1 }, ylim or { -1, 1 }
  end
  layout(fig, opts, nil, { lim = xlim }, { lim = ylim })
  local values, nx, ny = sample(fig, fn)
  local levels, vals = contour_levels(values, opts, fname)
  local bands = {}
  for r = 1, ny do
    bands[r] = {}
    for c = 1, nx do bands[r][c] = band_of(values[r][c], levels) end
  end
  table.insert(fig.layers, 1, {
    type = "field", mode = "bands", values = values, cells = bands, nx = nx, ny = ny,
    levels = levels, nbands = #levels + 1, lo = vals[1], hi = vals[#vals],
  })
  note_skipped(fig, count, "path points")
  if #vals == 0 then fig.notes[#fig.notes + 1] = "the surface has no finite values" end
  fig.glyphs = needs_glyphs(fig, fig.color)
  return finish(fig, opts)
end
doc(plot.contour, "plot.contour(f | grid, { xlim, ylim, paths = { name = {{x, y}, ...} } })", "a loss surface as level bands, with optimizer paths on it", "손실 함수의 곡면을 등고선 띠로 그리고, 그 위에 옵티마이저의 경로를 그립니다")

-- plot.boundary(predict, points, labels [, opts]): a classifier's decision regions over
-- 2-D data, with the points on top. predict(x, y) returns a class like the labels (a
-- number, a one-value tensor, a boolean; a probability is rounded: p >= 0.5 is 1);
-- with opts.batch = true, predict receives all grid points at once ({{x, y}, ...}) and
-- returns a list or tensor of classes. opts.classes names the classes.
function plot.boundary(predict, points, labels, opts)
  local fname = "plot.boundary"
  if type(predict) ~= "function" and not (getmetatable(predict) and getmetatable(predict).__call) then
    fail(fname, "predict should be a function: predict(x, y) -> class")
  end
  local xs, ys = pairs_xy(points, fname, "points")
  local lab = {}
  if labels ~= nil then
    lab = aslist(labels)
    if not lab or #lab ~= #xs then
      fail(fname, ("labels should give one class per point (%d points, %s labels)"):format(#xs, lab and #lab or "no"))
    end
  end
  local fig
  fig, opts = new_figure("xy", fname, opts)
  local function as_class(v)
    local n = tonum(v)
    if n == nil then return v end
    if n ~= floor(n) then n = n >= 0.5 and 1 or 0 end
    return n
  end
  -- limits: the data with a margin
  local xlim, ylim = limits(opts.xlim, fname, "xlim"), limits(opts.ylim, fname, "ylim")
  if not xlim or not ylim then
    local b = data_bounds({ { xs = xs, ys = ys } }) or { xlo = -1, xhi = 1, ylo = -1, yhi = 1 }
    local dx, dy = max(b.xhi - b.xlo, 1e-3) * 0.1, max(b.yhi - b.ylo, 1e-3) * 0.1
    xlim = xlim or { b.xlo - dx, b.xhi + dx }
    ylim = ylim or { b.ylo - dy, b.yhi + dy }
  end
  layout(fig, opts, nil, { lim = xlim }, { lim = ylim })
  -- the classifier over the plane
  local predicted
  if opts.batch then
    local nx, ny = 2 * fig.pw, 4 * fig.ph
    local grid_pts = {}
    sample(fig, function(x, y) grid_pts[#grid_pts + 1] = { x, y }; return 0 end)
    local out = aslist(predict(grid_pts))
    if not out or #out ~= #grid_pts then
      fail(fname, ("with batch = true, predict(points) should return %d classes"):format(#grid_pts))
    end
    predicted = {}
    for r = 1, ny do
      predicted[r] = {}
      for c = 1, nx do
        local v = out[(r - 1) * nx + c]
        if type(v) == "table" then v = v[1] end -- an N x 1 tensor
        predicted[r][c] = as_class(v)
      end
    end
  else
    predicted = sample(fig, function(x, y) return as_class(predict(x, y)) end)
  end
  -- one colour per class, shared by the regions and the points
  local all = {}
  for _, v in ipairs(lab) do all[#all + 1] = as_class(v) end
  for _, row in ipairs(predicted) do for _, v in ipairs(row) do all[#all + 1] = v end end
  local index, keys, names = class_index(all, opts.classes)
  local cells = {}
  for r, row in ipairs(predicted) do
    cells[r] = {}
    for c, v in ipairs(row) do cells[r][c] = index[v] or 0 end
  end
  fig.layers[1] = { type = "field", mode = "classes", cells = cells, nx = #cells[1], ny = #cells,
                    nclasses = #keys }
  local count = { n = 0 }
  for k, key in ipairs(keys) do
    local px, py = {}, {}
    for i = 1, #xs do
      if as_class(lab[i]) == key then px[#px + 1], py[#py + 1] = xs[i], ys[i] end
    end
    fig.layers[#fig.layers + 1] = { type = "points", marker = true, name = names[k], k = k,
                                    xs = transform(px, false, count), ys = transform(py, false, count) }
    fig.legend[#fig.legend + 1] = { name = names[k], k = k, type = "points", marker = true }
  end
  note_skipped(fig, count, "points")
  fig.glyphs = needs_glyphs(fig, fig.color)
  return finish(fig, opts)
end
doc(plot.boundary, "plot.boundary(predict, points, labels, opts)", "a classifier's decision regions over 2-D data, with the points", "2차원 데이터 위에 분류기의 결정 경계(영역)와 점들을 그립니다")

-- ---- images -------------------------------------------------------------------------------

-- An image as rows of numbers: a 2-D list or tensor, a 1-D one of square length (a
-- flattened 28 x 28 digit), or 3-D with one channel (1 x 28 x 28).
local function image_rows(img, fname, what)
  local l = aslist(img)
  if l == nil then fail(fname, what .. " should be a 2-D list or tensor") end
  if type(l[1]) == "table" and type(l[1][1]) == "table" and #l == 1 then l = l[1] end
  if type(l[1]) == "number" then
    local n = #l
    local side = S.round(math.sqrt(n))
    if side * side ~= n then
      fail(fname, ("%s has %d values in one row; give it as rows (a 2-D list or tensor)"):format(what, n))
    end
    local rows = {}
    for r = 1, side do
      rows[r] = {}
      for c = 1, side do rows[r][c] = l[(r - 1) * side + c] end
    end
    l = rows
  end
  local rows = matrix(l, fname, what)
  if #rows == 0 or #rows[1] == 0 then fail(fname, what .. " is empty") end
  for i, row in ipairs(rows) do
    if #row ~= #rows[1] then
      fail(fname, ("%s row %d has %d values, row 1 has %d"):format(what, i, #row, #rows[1]))
    end
  end
  return rows
end

-- Box-averages an image down by an integer factor (to fit the terminal), or repeats each
-- pixel `scale` times (to make a 5 x 5 kernel visible). NaN pixels are left out of averages.
local function resample(rows, down, up)
  local h, w = #rows, #rows[1]
  if down > 1 then
    local out = {}
    for r = 1, ceil(h / down) do
      out[r] = {}
      for c = 1, ceil(w / down) do
        local s, n = 0, 0
        for i = (r - 1) * down + 1, min(h, r * down) do
          for j = (c - 1) * down + 1, min(w, c * down) do
            local v = rows[i][j]
            if finite(v) then s, n = s + v, n + 1 end
          end
        end
        out[r][c] = n > 0 and s / n or 0 / 0
      end
    end
    return out
  end
  if up > 1 then
    local out = {}
    for r = 1, h * up do
      local src = rows[ceil(r / up)]
      local row = {}
      for c = 1, w * up do row[c] = src[ceil(c / up)] end
      out[r] = row
    end
    return out
  end
  return rows
end

local function value_range(list_of_rows, opts)
  local lo, hi = math.huge, -math.huge
  for _, rows in ipairs(list_of_rows) do
    for _, row in ipairs(rows) do
      for _, v in ipairs(row) do
        if finite(v) then lo, hi = min(lo, v), max(hi, v) end
      end
    end
  end
  if lo > hi then lo, hi = 0, 1 end
  if opts.symmetric then -- a weight map: 0 is mid-grey, -m black, +m white
    local m = math.max(math.abs(lo), math.abs(hi))
    lo, hi = -m, m
  end
  if opts.vmin then lo = opts.vmin end
  if opts.vmax then hi = opts.vmax end
  return lo, hi
end

-- Pixel values scaled to [0, 1] between lo and hi (NaN stays NaN).
local function normalize(rows, lo, hi)
  local out = {}
  for r, row in ipairs(rows) do
    out[r] = {}
    for c, v in ipairs(row) do
      if not finite(v) then out[r][c] = 0 / 0
      elseif hi > lo then out[r][c] = max(0, min(1, (v - lo) / (hi - lo)))
      else out[r][c] = 0.5 end
    end
  end
  return out
end

-- How much to shrink or grow images of w columns so that `cols` of them fit the width.
local function image_scale(w, cols, width, opts)
  local avail = floor((width + 2) / cols) - 2
  local down = max(1, ceil(w / max(1, avail)))
  local up = 1
  if opts.scale then
    up = max(1, floor(opts.scale))
  elseif w < 16 then
    up = max(1, min(floor(24 / w), floor(avail / w)))
  end
  if down > 1 then up = 1 end
  return down, up
end

-- plot.image(img [, opts]): an image or weight map, white = high. opts.vmin / vmax fix the
-- grey range (default: the image's min and max), opts.symmetric = true centres it on 0
-- (for weights: 0 is mid-grey), opts.scale repeats pixels.
function plot.image(img, opts)
  local fname = "plot.image"
  local rows = image_rows(img, fname, "the image")
  local fig
  fig, opts = new_figure("image", fname, opts)
  local lo, hi = value_range({ rows }, opts)
  local down, up = image_scale(#rows[1], 1, fig.width, opts)
  fig.images = { { pixels = normalize(resample(rows, down, up), lo, hi) } }
  fig.cols, fig.vmin, fig.vmax = 1, lo, hi
  fig.size = { #rows, #rows[1] }
  return finish(fig, opts)
end
doc(plot.image, "plot.image(img, { vmin, vmax, symmetric, scale })", "an image or a weight map in greys (a 28x28 digit, or a flat 784 vector)", "이미지나 가중치 맵을 회색조로 그립니다 (28x28 숫자, 또는 길이 784 벡터)")

-- plot.images(list [, opts]): a grid of images (a list, or a 3-D tensor N x H x W, or an
-- N x 784 one). opts.cols (default: as many as fit), opts.labels (one caption per image),
-- opts.each = true scales each image's greys on its own (default: one range for all, so
-- that weight maps compare); vmin, vmax, symmetric as for plot.image.
function plot.images(list, opts)
  local fname = "plot.images"
  local l = aslist(list)
  if l == nil then fail(fname, "expects a list of images or a tensor") end
  local fig
  fig, opts = new_figure("image", fname, opts)
  local imgs = {}
  for i = 1, #l do imgs[i] = image_rows(l[i], fname, ("image %d"):format(i)) end
  if #imgs == 0 then fail(fname, "the list of images is empty") end
  local w = 0
  for _, rows in ipairs(imgs) do w = max(w, #rows[1]) end
  local cols = opts.cols or max(1, min(#imgs, floor((fig.width + 2) / (min(w, 28) + 2))))
  cols = max(1, floor(cols))
  local down, up = image_scale(w, cols, fig.width, opts)
  local labels = opts.labels and aslist(opts.labels) or {}
  local lo, hi = value_range(imgs, opts)
  fig.images = {}
  for i, rows in ipairs(imgs) do
    local a, b = lo, hi
    if opts.each then a, b = value_range({ rows }, opts) end
    fig.images[i] = { pixels = normalize(resample(rows, down, up), a, b),
                      label = labels[i] ~= nil and tostring(labels[i]) or nil }
  end
  fig.cols = cols
  if not opts.each then fig.vmin, fig.vmax = lo, hi end
  return finish(fig, opts)
end
doc(plot.images, "plot.images(list, { cols, labels, each })", "a grid of images with captions", "이미지 여러 장을 격자로, 설명과 함께 그립니다")

-- ---- saving -------------------------------------------------------------------------------

-- plot.save(path [, fig]): writes a figure (default: the last one drawn) as SVG (.svg)
-- or as plain text without colour (.txt). Returns the path.
function plot.save(path, fig)
  local fname = "plot.save"
  if type(path) ~= "string" then fail(fname, 'expects a file name: plot.save("loss.svg")') end
  fig = fig or plot.last
  if type(fig) ~= "table" or not fig.kind then fail(fname, "nothing to save yet: draw a plot first") end
  local content
  if path:lower():match("%.svg$") then
    content = svg.render(fig)
  elseif path:lower():match("%.txt$") then
    local plain = setmetatable({ color = false, glyphs = needs_glyphs(fig, false) }, { __index = fig })
    content = text.render(plain) .. "\n"
  else
    fail(fname, ("%s: the file name should end in .svg (or .txt)"):format(path))
  end
  local f, err = io.open(path, "wb")
  if not f then fail(fname, ("cannot write %s: %s"):format(path, tostring(err))) end
  f:write(content)
  f:close()
  return path
end
doc(plot.save, 'plot.save("fig.svg" [, fig])', "writes the last plot (or fig) as an SVG file (or .txt)", "마지막 그래프(또는 fig)를 SVG 파일(또는 .txt)로 저장합니다")

-- plot.svg([fig]): the SVG text of a figure, without writing a file.
function plot.svg(fig)
  fig = fig or plot.last
  if type(fig) ~= "table" or not fig.kind then fail("plot.svg", "nothing to render yet: draw a plot first") end
  return svg.render(fig)
end
doc(plot.svg, "plot.svg([fig])", "the SVG text of the last plot (or fig), without writing a file", "마지막 그래프(또는 fig)의 SVG 텍스트 (파일로 쓰지 않음)")

return plot

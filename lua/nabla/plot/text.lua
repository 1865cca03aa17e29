-- Draws a figure (built by nabla/plot/init.lua) as text for the terminal.
--
-- The drawing area is a canvas of character cells. Lines and points are drawn in Braille
-- dots: each cell holds 2 x 4 dots, so a 60 x 15 area is a 120 x 60 dot grid. Without
-- colour, several series cannot be told apart by dots, so each series draws its own glyph
-- (*, +, o, x, ...) at cell resolution instead. Bars use the eighth blocks ▁▂▃▄▅▆▇█; images
-- use the upper half block ▀ with a foreground (top pixel) and a background (bottom pixel)
-- grey, or the ramp " ░▒▓█" without colour. Colours are the 256 xterm colours.
local S = require "nabla.plot.scale"

local M = {}
local floor, ceil, max, min = math.floor, math.ceil, math.max, math.min
local round, finite = S.round, S.finite

-- ---- strings --------------------------------------------------------------------------------

-- Columns a string takes on screen: Hangul and CJK characters take two.
function M.width(s)
  local ok, w = pcall(function()
    local n = 0
    for _, c in utf8.codes(s) do
      if (c >= 0x1100 and c <= 0x115F) or (c >= 0x2E80 and c <= 0xA4CF) or (c >= 0xAC00 and c <= 0xD7A3)
        or (c >= 0xF900 and c <= 0xFAFF) or (c >= 0xFE30 and c <= 0xFE4F) or (c >= 0xFF00 and c <= 0xFF60)
        or (c >= 0xFFE0 and c <= 0xFFE6) or (c >= 0x1F300 and c <= 0x1FAFF) then
        n = n + 2
      elseif not (c >= 0x300 and c <= 0x36F) then -- combining marks take none
        n = n + 1
      end
    end
    return n
  end)
  return ok and w or #s
end

local function center(s, width)
  return string.rep(" ", max(0, floor((width - M.width(s)) / 2))) .. s
end

-- the SGR escape that sets a foreground / background xterm colour (and bold)
local function sgr(fg, bg, bold)
  local s = "\27[0"
  if bold then s = s .. ";1" end
  if fg then s = s .. ";38;5;" .. fg end
  if bg then s = s .. ";48;5;" .. bg end
  return s .. "m"
end
M.sgr = sgr
local RESET = "\27[0m"

-- Words joined by two spaces, wrapped to width; items = { {text = visible, out = with escapes} }.
local function wrap(items, width, indent)
  local lines, cur, curw = {}, {}, 0
  for _, it in ipairs(items) do
    local w = M.width(it.text)
    if curw > 0 and curw + 2 + w > width then
      lines[#lines + 1] = table.concat(cur, "  ")
      cur, curw = {}, #indent
      cur[1] = indent .. it.out
      curw = curw + w
    else
      if curw == 0 then cur[1] = indent .. it.out; curw = #indent + w
      else cur[#cur + 1] = it.out; curw = curw + 2 + w end
    end
  end
  if #cur > 0 then lines[#lines + 1] = table.concat(cur, "  ") end
  return lines
end

-- ---- the canvas -----------------------------------------------------------------------------

-- Braille dot (col, row) of a cell is bit BITS[row][col] of U+2800 + bits.
local BITS = { { 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 } }
local BLOCKS = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" }

local function canvas(w, h)
  local cv = { w = w, h = h, bits = {}, glyph = {}, fg = {}, bg = {}, bold = {} }
  for r = 1, h do
    cv.bits[r], cv.glyph[r], cv.fg[r], cv.bg[r], cv.bold[r] = {}, {}, {}, {}, {}
    for c = 1, w do cv.bits[r][c] = 0 end
  end
  return cv
end

-- A dot at sub-cell position (px, py), counted from 0 at the top left; with a glyph, the
-- whole cell shows that glyph instead.
local function dot(cv, px, py, fg, glyph)
  -- written so that NaN fails the test too
  if not (px > -0.5 and py > -0.5 and px < 2 * cv.w - 0.5 and py < 4 * cv.h - 0.5) then return end
  px, py = floor(px + 0.5), floor(py + 0.5)
  local c, r = px // 2 + 1, py // 4 + 1
  if glyph then
    cv.glyph[r][c] = glyph
  else
    cv.bits[r][c] = cv.bits[r][c] | BITS[py % 4 + 1][px % 2 + 1]
  end
  if fg then cv.fg[r][c] = fg end
end

-- A straight segment of dots between two sub-cell positions.
local function segment(cv, x0, y0, x1, y1, fg, glyph)
  local a, b, c, d = S.clip(x0, y0, x1, y1, -0.5, 2 * cv.w - 0.5, -0.5, 4 * cv.h - 0.5)
  if not a then return end
  local n = ceil(max(math.abs(c - a), math.abs(d - b)))
  for i = 0, n do
    local t = n == 0 and 0 or i / n
    dot(cv, a + (c - a) * t, b + (d - b) * t, fg, glyph)
  end
end

-- One row of the canvas as a string, with colour escapes only where the colour changes.
local function row_string(cv, r, color)
  local plain = sgr()
  local out, cur = {}, plain
  for c = 1, cv.w do
    local ch = cv.glyph[r][c] or (cv.bits[r][c] > 0 and utf8.char(0x2800 + cv.bits[r][c])) or " "
    if color then
      local fg, bold = cv.fg[r][c], cv.bold[r][c]
      if ch == " " then fg, bold = nil, nil end
      local key = sgr(fg, cv.bg[r][c], bold)
      if key ~= cur then out[#out + 1] = key; cur = key end
    end
    out[#out + 1] = ch
  end
  if color and cur ~= plain then out[#out + 1] = RESET end
  return table.concat(out)
end

-- ---- x-y figures ----------------------------------------------------------------------------

-- A series' colour; lighter over a field (dark bands or regions), to stand out from it.
local function series_fg(fig, k)
  if not fig.color then return nil end
  local field = fig.layers[1] and fig.layers[1].type == "field"
  return S.xterm(field and S.mix(S.color(k), "#ffffff", 0.35) or S.color(k))
end

-- The band colours of a loss surface: dark greys, low values darkest.
local function band_bg(b, nb) return S.grey256(S.band_shade(b, nb, 0.06, 0.5)) end
local function class_bg(k) return S.region256(k) end

local function draw_field(cv, fig, l)
  local cells = l.cells
  if fig.color then
    -- each character cell takes the colour of the sample at its centre
    for r = 1, cv.h do
      for c = 1, cv.w do
        local v = cells[(r - 1) * 4 + 2][(c - 1) * 2 + 1]
        if v and v > 0 then
          cv.bg[r][c] = l.mode == "bands" and band_bg(v, l.nbands) or class_bg(v)
        end
      end
    end
  else
    -- without colour: a dot wherever the band (or class) changes, i.e. the contour lines
    for i = 1, l.ny do
      for j = 1, l.nx do
        local v = cells[i][j]
        if (j < l.nx and cells[i][j + 1] ~= v) or (i < l.ny and cells[i + 1][j] ~= v) then
          dot(cv, j - 1, i - 1)
        end
      end
    end
  end
end

local function draw_bars(cv, fig, l, py)
  local nb = #l.counts
  local fg = series_fg(fig, l.k)
  local base = py(fig.y.lo) -- the sub-row of zero, at the bottom
  for c = 1, cv.w do
    local b = min(nb, floor((c - 0.5) / cv.w * nb) + 1)
    local n = l.counts[b]
    if n > 0 then
      -- the bar's height in eighths of a cell
      local eighths = max(1, round((base - py(n)) / 4 * 8))
      for r = cv.h, 1, -1 do
        local fill = min(8, eighths - (cv.h - r) * 8)
        if fill <= 0 then break end
        cv.glyph[r][c] = BLOCKS[fill]
        cv.fg[r][c] = fg
      end
    end
  end
end

local function draw_series(cv, fig, l, px, py)
  local fg = series_fg(fig, l.k)
  local glyph = (fig.glyphs or l.marker) and S.glyph(l.k) or nil
  local xs, ys = l.xs, l.ys
  if l.type == "line" then
    local prev
    for i = 1, #xs do
      local x, y = px(xs[i]), py(ys[i]) -- NaN stays NaN; a huge value may become inf
      if finite(x) and finite(y) then
        if prev then segment(cv, prev[1], prev[2], x, y, fg, glyph)
        else dot(cv, x, y, fg, glyph) end
        prev = { x, y }
      else
        prev = nil -- a NaN breaks the line
      end
    end
    if l.ends then
      -- where the path ended: its glyph, in bold
      for i = #xs, 1, -1 do
        if finite(xs[i]) and finite(ys[i]) then
          local x, y = floor(px(xs[i]) + 0.5), floor(py(ys[i]) + 0.5)
          if x >= 0 and y >= 0 and x < 2 * cv.w and y < 4 * cv.h then
            local c, r = x // 2 + 1, y // 4 + 1
            cv.glyph[r][c], cv.fg[r][c], cv.bold[r][c] = S.glyph(l.k), fg, true
          end
          break
        end
      end
    end
  else
    for i = 1, #xs do
      if finite(xs[i]) and finite(ys[i]) then
        dot(cv, px(xs[i]), py(ys[i]), fg, glyph)
        if glyph and fig.color then
          local x, y = floor(px(xs[i]) + 0.5), floor(py(ys[i]) + 0.5)
          if x >= 0 and y >= 0 and x < 2 * cv.w and y < 4 * cv.h then cv.bold[y // 4 + 1][x // 2 + 1] = true end
        end
      end
    end
  end
end

-- The legend: what each colour or glyph means.
local function legend_items(fig)
  local items = {}
  for _, e in ipairs(fig.legend) do
    local key
    if fig.glyphs or e.marker then
      key = S.glyph(e.k)
    elseif e.type == "points" then
      key = "⣿"
    elseif e.ends then
      key = "─" .. S.glyph(e.k) -- a path, and the glyph that marks where it ended
    else
      key = "──"
    end
    local out = key
    if fig.color then out = sgr(series_fg(fig, e.k), nil, true) .. key .. RESET end
    items[#items + 1] = { text = key .. " " .. e.name, out = out .. " " .. e.name }
  end
  return items
end

-- For a loss surface: which value each band starts at.
local function band_legend(fig, l)
  if not l.lo then return {} end
  if not fig.color then
    local vals = {}
    for i, v in ipairs(l.levels) do vals[i] = S.short(v) end
    local items = { { text = "contour lines at", out = "contour lines at" } }
    for _, v in ipairs(vals) do items[#items + 1] = { text = v, out = v } end
    items[#items + 1] = { text = ("(min %s, max %s)"):format(S.short(l.lo), S.short(l.hi)) }
    items[#items].out = items[#items].text
    return wrap(items, fig.width, "")
  end
  local items = { { text = "bands from", out = "bands from" } }
  for b = 1, l.nbands do
    local from = b == 1 and l.lo or l.levels[b - 1]
    local label = S.short(from)
    items[#items + 1] = { text = "  " .. label, out = sgr(nil, band_bg(b, l.nbands)) .. "  " .. RESET .. label }
  end
  return wrap(items, fig.width, "")
end

local function render_xy(fig)
  -- nothing to draw: say so, rather than draw an empty frame with made-up axes
  if fig.empty then
    local msg = ("(%s: %s — nothing to draw)"):format(fig.fname or "plot", fig.empty)
    return fig.title and (fig.title .. "\n" .. msg) or msg
  end
  local w, h = fig.pw, fig.ph
  local cv = canvas(w, h)
  local X, Y = fig.x, fig.y
  local function px(x) return (x - X.lo) / (X.hi - X.lo) * (2 * w - 1) end
  local function py(y) return (Y.hi - y) / (Y.hi - Y.lo) * (4 * h - 1) end
  local field
  for _, l in ipairs(fig.layers) do
    if l.type == "field" then field = l; draw_field(cv, fig, l)
    elseif l.type == "bars" then draw_bars(cv, fig, l, py)
    else draw_series(cv, fig, l, px, py) end
  end
  if fig.empty then
    local msg = "(" .. fig.empty .. ")"
    local r, c0 = floor((h + 1) / 2), max(1, floor((w - #msg) / 2) + 1)
    for i = 1, #msg do
      if c0 + i - 1 <= w then cv.glyph[r][c0 + i - 1] = msg:sub(i, i) end
    end
  end

  local out = {}
  local total = fig.lw + 2 + w
  if fig.title then out[#out + 1] = center(fig.title, total) end
  if fig.ylabel then out[#out + 1] = fig.ylabel end
  -- y axis: a tick label on the row each tick falls in
  local ylab = {}
  for _, t in ipairs(Y.ticks) do
    local r = floor(py(t) + 0.5) // 4 + 1
    if r >= 1 and r <= h and not ylab[r] then ylab[r] = S.label(t, Y.step, Y.log) end
  end
  for r = 1, h do
    local lab = ylab[r] or ""
    out[#out + 1] = string.rep(" ", fig.lw - #lab) .. lab .. " " .. (ylab[r] and "┤" or "│")
      .. row_string(cv, r, fig.color)
  end
  -- x axis: a ┬ under each tick, its label centred below, skipped if it would touch another
  local axis, labels, last = {}, {}, 0
  for c = 1, w do axis[c] = "─" end
  for _, t in ipairs(X.ticks) do
    local c = max(1, min(w, floor(px(t) + 0.5) // 2 + 1))
    axis[c] = "┬"
    local lab = S.label(t, X.step, X.log)
    local start = max(1, min(fig.width - #lab + 1, fig.lw + 2 + c - floor(#lab / 2)))
    if start > last + 1 or last == 0 then
      for i = #labels + 1, start - 1 do labels[i] = " " end
      for i = 1, #lab do labels[start + i - 1] = lab:sub(i, i) end
      last = start + #lab - 1
    end
  end
  out[#out + 1] = string.rep(" ", fig.lw) .. " └" .. table.concat(axis)
  out[#out + 1] = table.concat(labels)
  if fig.xlabel then out[#out + 1] = string.rep(" ", fig.lw + 2) .. center(fig.xlabel, w) end
  if #fig.legend > 1 or (#fig.legend == 1 and fig.legend[1].name ~= "") then
    for _, line in ipairs(wrap(legend_items(fig), fig.width, "")) do out[#out + 1] = line end
  end
  if field and field.mode == "bands" then
    for _, line in ipairs(band_legend(fig, field)) do out[#out + 1] = line end
  end
  for _, n in ipairs(fig.notes) do out[#out + 1] = "note: " .. n end
  for i, line in ipairs(out) do out[i] = line:gsub("%s+$", "") end
  return table.concat(out, "\n")
end

-- ---- images ---------------------------------------------------------------------------------

local RAMP = { " ", "░", "▒", "▓", "█" }

-- An image (pixels in [0, 1]) as lines of text; each line holds two pixel rows.
local function image_lines(px, color)
  local lines = {}
  for r = 1, #px, 2 do
    local parts, cur = {}, nil
    local top, bottom = px[r], px[r + 1]
    for c = 1, #top do
      if color then
        -- ▀: the foreground paints the top pixel, the background the bottom one
        local key = sgr(S.grey256(top[c]), bottom and S.grey256(bottom[c]))
        if key ~= cur then parts[#parts + 1] = key; cur = key end
        parts[#parts + 1] = "▀"
      else
        local a = finite(top[c]) and top[c] or 0
        local b = bottom and (finite(bottom[c]) and bottom[c] or 0) or a
        parts[#parts + 1] = RAMP[min(5, floor((a + b) / 2 * 5) + 1)]
      end
    end
    if color then parts[#parts + 1] = RESET end
    lines[#lines + 1] = table.concat(parts)
  end
  return lines
end

-- The grey scale: which value is black and which is white.
local function scale_line(fig)
  local lo, hi = S.short(fig.vmin), S.short(fig.vmax)
  if fig.color then
    local parts = { lo, " " }
    for i = 0, 11 do parts[#parts + 1] = sgr(S.grey256(i / 11)) .. "█" end
    parts[#parts + 1] = RESET .. " " .. hi
    return table.concat(parts)
  end
  return lo .. " [ ░▒▓█] " .. hi
end

local function render_images(fig)
  local out = {}
  local cols = fig.cols
  local cw, ch = 0, 0
  for _, im in ipairs(fig.images) do
    cw, ch = max(cw, #im.pixels[1]), max(ch, ceil(#im.pixels / 2))
  end
  local total = cols * cw + (cols - 1) * 2
  if fig.title then out[#out + 1] = center(fig.title, total) end
  for first = 1, #fig.images, cols do
    local rows, caps, any_cap = {}, {}, false
    for i = 1, ch do rows[i] = {} end
    for k = first, min(#fig.images, first + cols - 1) do
      local im = fig.images[k]
      local lines = image_lines(im.pixels, fig.color)
      local iw = #im.pixels[1]
      for i = 1, ch do
        rows[i][#rows[i] + 1] = (lines[i] or "") .. string.rep(" ", lines[i] and cw - iw or cw)
      end
      local cap = im.label or ""
      if M.width(cap) > cw then cap = cap:sub(1, cw) end
      if im.label then any_cap = true end
      local pad = max(0, cw - M.width(cap))
      caps[#caps + 1] = string.rep(" ", floor(pad / 2)) .. cap .. string.rep(" ", pad - floor(pad / 2))
    end
    for i = 1, ch do out[#out + 1] = table.concat(rows[i], "  ") end
    if any_cap then out[#out + 1] = table.concat(caps, "  ") end
  end
  if fig.vmin then
    local line = scale_line(fig)
    if fig.size then line = line .. ("   %dx%d"):format(fig.size[1], fig.size[2]) end
    out[#out + 1] = line
  end
  for i, line in ipairs(out) do out[i] = line:gsub("%s+$", "") end
  return table.concat(out, "\n")
end

M.render = S.renderer(render_xy, render_images)

return M

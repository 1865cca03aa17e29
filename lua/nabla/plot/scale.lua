-- Scales for nabla's plots: which numbers go on an axis, how they are written, and the
-- colours. Shared by the terminal renderer (plot/text.lua) and the SVG one (plot/svg.lua),
-- so that both draw the same ticks in the same colours.
local M = {}

local floor, ceil, abs, log = math.floor, math.ceil, math.abs, math.log

function M.finite(v)
  return type(v) == "number" and v == v and v ~= math.huge and v ~= -math.huge
end

function M.round(v) return floor(v + 0.5) end

-- ---- ticks --------------------------------------------------------------------------------

-- A round step near range / n: 1, 2 or 5 times a power of ten ("nice numbers",
-- Heckbert, Graphics Gems, 1990).
function M.nice_step(range, n)
  if not (range > 0) or not M.finite(range) then return 1 end
  local raw = range / n
  local mag = 10 ^ floor(log(raw, 10))
  local f = raw / mag * (1 + 1e-9) -- 2.9999999999999996 is 3
  local nice = (f < 1.5 and 1) or (f < 3 and 2) or (f < 7 and 5) or 10
  return nice * mag
end

-- The axis for values in [lo, hi] with about n ticks: { lo, hi, ticks, step }.
-- loose = true widens [lo, hi] out to the ticks around it (automatic limits: the data
-- then starts and ends on a labelled value); otherwise the limits stay where they are and
-- the ticks fall inside them (limits the user gave). log = true: lo and hi are powers of
-- ten (log10 of the data), and the ticks fall on whole decades.
function M.axis(lo, hi, n, loose, is_log)
  if lo == hi then -- a constant: open a window around it, so it still draws
    local d = is_log and 1 or (lo == 0 and 1 or abs(lo) * 0.1)
    lo, hi = lo - d, hi + d
  end
  local step = M.nice_step(hi - lo, n)
  if is_log then
    step = math.max(1, M.round(step))
    loose = true
  end
  if loose then
    lo = floor(lo / step + 1e-9) * step
    hi = ceil(hi / step - 1e-9) * step
  end
  local ticks = {}
  local k = ceil(lo / step - 1e-9)
  while k * step <= hi + step * 1e-9 and #ticks < 100 do
    local t = k * step
    if abs(t) < step * 1e-9 then t = 0 end -- no "-0"
    ticks[#ticks + 1] = t
    k = k + 1
  end
  return { lo = lo, hi = hi, ticks = ticks, step = step, log = is_log or nil }
end

-- How a tick value is written: as many decimals as the step needs (step 0.05 -> "0.15"),
-- scientific notation far from 1, and 10^t on a log axis.
function M.label(v, step, is_log)
  if is_log then
    return M.short(10 ^ v)
  end
  if v == 0 then return "0" end
  local a = abs(v)
  if a >= 1e6 or a < 1e-4 then return M.short(v) end
  local decimals = math.max(0, math.min(10, -floor(log(step, 10) + 1e-9)))
  local s = string.format("%." .. decimals .. "f", v)
  if s:match("^%-[0.]+$") then s = s:sub(2) end
  return s
end

-- A short number for legends and notes: 3 significant digits, "1e-05" style when tiny or huge.
function M.short(v)
  if v ~= v then return "nan" end
  if v == math.huge then return "inf" end
  if v == -math.huge then return "-inf" end
  if v == 0 then return "0" end
  local s = string.format("%.3g", v)
  s = s:gsub("e%+0?", "e"):gsub("e%-0", "e-")
  return s
end

-- ---- geometry ---------------------------------------------------------------------------

-- Clips the segment to the box (Liang-Barsky), so that a path flying off to 1e30 costs
-- no more than one across the plot. Returns the clipped ends, or nil when it misses.
function M.clip(x0, y0, x1, y1, xmin, xmax, ymin, ymax)
  local t0, t1 = 0, 1
  local dx, dy = x1 - x0, y1 - y0
  local checks = { { -dx, x0 - xmin }, { dx, xmax - x0 }, { -dy, y0 - ymin }, { dy, ymax - y0 } }
  for _, pq in ipairs(checks) do
    local p, q = pq[1], pq[2]
    if p == 0 then
      if q < 0 then return nil end
    else
      local t = q / p
      if p < 0 then
        if t > t1 then return nil elseif t > t0 then t0 = t end
      else
        if t < t0 then return nil elseif t < t1 then t1 = t end
      end
    end
  end
  return x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy
end

-- ---- colours ------------------------------------------------------------------------------

-- Series and class colours (Tableau 10: distinct for most colour-blind viewers, and
-- readable on a dark terminal and on white paper).
M.palette = { "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
              "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac" }

-- Dark xterm colours of the same hues, for a classifier's regions behind its points.
M.regions256 = { 18, 94, 88, 23, 22, 58, 54, 89, 52, 238 }
function M.region256(k) return M.regions256[(k - 1) % #M.regions256 + 1] end

-- Without colour, series are told apart by glyph (plain ASCII: same width everywhere).
M.glyphs = { "*", "+", "o", "x", "#", "@", "%", "&", "=", "$" }

function M.color(k) return M.palette[(k - 1) % #M.palette + 1] end
function M.glyph(k) return M.glyphs[(k - 1) % #M.glyphs + 1] end

local function rgb(hex)
  return tonumber(hex:sub(2, 3), 16), tonumber(hex:sub(4, 5), 16), tonumber(hex:sub(6, 7), 16)
end

function M.hex(r, g, b)
  local function c(v) return math.max(0, math.min(255, M.round(v))) end
  return string.format("#%02x%02x%02x", c(r), c(g), c(b))
end

-- a + (b - a) * t, per channel: mix("#ff0000", "#000000", 0.5) is a dark red
function M.mix(hex_a, hex_b, t)
  local r1, g1, b1 = rgb(hex_a)
  local r2, g2, b2 = rgb(hex_b)
  return M.hex(r1 + (r2 - r1) * t, g1 + (g2 - g1) * t, b1 + (b2 - b1) * t)
end

-- The nearest of the 256 xterm colours: the 6x6x6 cube (16..231) or the grey ramp (232..255).
local cube = { 0, 95, 135, 175, 215, 255 }
local xterm_cache = {}
function M.xterm(hex)
  if xterm_cache[hex] then return xterm_cache[hex] end
  local r, g, b = rgb(hex)
  local function nearest_level(v)
    local best, bi = math.huge, 1
    for i, l in ipairs(cube) do
      if abs(l - v) < best then best, bi = abs(l - v), i end
    end
    return bi - 1
  end
  local ri, gi, bi = nearest_level(r), nearest_level(g), nearest_level(b)
  local function dist(r2, g2, b2) return (r - r2) ^ 2 + (g - g2) ^ 2 + (b - b2) ^ 2 end
  local best = 16 + 36 * ri + 6 * gi + bi
  local bestd = dist(cube[ri + 1], cube[gi + 1], cube[bi + 1])
  for k = 0, 23 do
    local l = 8 + 10 * k
    if dist(l, l, l) < bestd then best, bestd = 232 + k, dist(l, l, l) end
  end
  xterm_cache[hex] = best
  return best
end

-- Grey level v in [0, 1] (0 black, 1 white) as an xterm colour: black (16), the 24 greys
-- (232..255), white (231): 26 levels.
function M.grey256(v)
  if v ~= v then v = 0 end
  local k = M.round(math.max(0, math.min(1, v)) * 25)
  if k == 0 then return 16 end
  if k == 25 then return 231 end
  return 231 + k
end

function M.grey_hex(v)
  if v ~= v then v = 0 end
  local l = math.max(0, math.min(1, v)) * 255
  return M.hex(l, l, l)
end

-- Shade of band k of n on a loss surface: low values dark, high values light. The terminal
-- keeps to dark greys so that coloured paths drawn on top stay readable.
function M.band_shade(k, n, lo, hi)
  if n <= 1 then return lo end
  return lo + (hi - lo) * (k - 1) / (n - 1)
end

-- render(fig) for a back end (text.lua, svg.lua): images one way, everything with axes the
-- other
function M.renderer(xy, images)
  return function(fig)
    if fig.kind == "image" then return images(fig) end
    return xy(fig)
  end
end

return M

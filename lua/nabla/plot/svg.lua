-- Draws a figure (built by nabla/plot/init.lua) as a standalone SVG document: the same axes,
-- ticks, layers, legend and title as the terminal version, at a resolution fit for slides
-- and papers. Hand-written SVG 1.1, no dependency; text is escaped for XML.
local S = require "nabla.plot.scale"

local M = {}
local floor, ceil, max, min = math.floor, math.ceil, math.max, math.min
local finite = S.finite

local FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'
local CHAR = 7.5 -- about how wide a character of 12px text is, for layout

-- & < > " ' as entities, and no control characters (not allowed in XML 1.0)
function M.escape(s)
  s = tostring(s):gsub("[%z\1-\8\11\12\14-\31]", "")
  return (s:gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&apos;" }))
end
local esc = M.escape

local function n(v) -- a coordinate
  local s = string.format("%.1f", v)
  if s == "-0.0" then s = "0.0" end
  return s
end

local function text_width(s) return CHAR * (utf8.len(s) or #s) end

-- ---- x-y figures ----------------------------------------------------------------------------

local function band_fill(b, nb) return S.grey_hex(S.band_shade(b, nb, 0.22, 0.93)) end
local function class_fill(k) return S.mix(S.color(k), "#ffffff", 0.62) end

-- Legend items: { draw = function(x, y) -> svg, label = text }, laid out in rows.
local function legend_rows(items, width)
  local rows, cur, x = {}, {}, 0
  for _, it in ipairs(items) do
    local w = 26 + text_width(it.label) + 24
    if x > 0 and x + w > width then rows[#rows + 1] = cur; cur, x = {}, 0 end
    cur[#cur + 1] = { item = it, x = x }
    x = x + w
  end
  if #cur > 0 then rows[#rows + 1] = cur end
  return rows
end

local function render_xy(fig)
  local out = {}
  local function add(s) out[#out + 1] = s end
  local W = fig.svg_width or 720
  local X, Y = fig.x, fig.y
  local field
  for _, l in ipairs(fig.layers) do if l.type == "field" then field = l end end

  -- legend contents first: they decide the bottom margin
  local items = {}
  if #fig.legend > 1 or (#fig.legend == 1 and fig.legend[1].name ~= "") then
    for _, e in ipairs(fig.legend) do
      local colour = S.color(e.k)
      items[#items + 1] = {
        label = e.name,
        draw = function(x, y)
          if e.type == "points" then
            return ('<circle cx="%s" cy="%s" r="4.5" fill="%s" stroke="#222" stroke-width="0.8"/>'):format(n(x + 9), n(y - 4), colour)
          end
          return ('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="3"/>'):format(n(x), n(y - 4), n(x + 20), n(y - 4), colour)
        end,
      }
    end
  end
  local left = 18 + CHAR * fig.lw + (fig.ylabel and 22 or 0)
  local right = 24
  local pw = W - left - right
  local rows = legend_rows(items, pw)
  local bands = field and field.mode == "bands" and field.lo
  local top = fig.title and 44 or 18
  local bottom = 30 + (fig.xlabel and 22 or 0) + #rows * 22 + (bands and 24 or 0) + #fig.notes * 18 + 8
  local ph = fig.svg_plot_height or floor(pw * 0.55)
  local H = top + ph + bottom
  local function px(x) return left + (x - X.lo) / (X.hi - X.lo) * pw end
  local function py(y) return top + (Y.hi - y) / (Y.hi - Y.lo) * ph end
  -- inside the drawing area, give or take a marker (false for NaN)
  local function visible(x, y)
    return x >= left - 6 and x <= left + pw + 6 and y >= top - 6 and y <= top + ph + 6
  end

  add('<?xml version="1.0" encoding="UTF-8"?>')
  add(('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" %s font-size="12">')
    :format(W, H, W, H, FONT))
  add(('<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>'):format(W, H))
  add(('<clipPath id="plot-area"><rect x="%s" y="%s" width="%s" height="%s"/></clipPath>')
    :format(n(left), n(top), n(pw), n(ph)))

  -- the field (a loss surface or a classifier's regions): runs of equal samples as rects
  if field then
    add('<g shape-rendering="crispEdges">')
    local dx, dy = pw / field.nx, ph / field.ny
    for r = 1, field.ny do
      local row = field.cells[r]
      local c = 1
      while c <= field.nx do
        local v, c2 = row[c], c
        while c2 < field.nx and row[c2 + 1] == v do c2 = c2 + 1 end
        if v and v > 0 then
          local fill = field.mode == "bands" and band_fill(v, field.nbands) or class_fill(v)
          -- rects overlap by a hair so that no seam shows between rows
          add(('<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>')
            :format(n(left + (c - 1) * dx), n(top + (r - 1) * dy), n((c2 - c + 1) * dx + 0.3), n(dy + 0.3), fill))
        end
        c = c2 + 1
      end
    end
    add('</g>')
  else
    -- light grid lines at the ticks
    add('<g stroke="#e4e4e4" stroke-width="1">')
    for _, t in ipairs(X.ticks) do add(('<line x1="%s" y1="%s" x2="%s" y2="%s"/>'):format(n(px(t)), n(top), n(px(t)), n(top + ph))) end
    for _, t in ipairs(Y.ticks) do add(('<line x1="%s" y1="%s" x2="%s" y2="%s"/>'):format(n(left), n(py(t)), n(left + pw), n(py(t)))) end
    add('</g>')
  end

  add('<g clip-path="url(#plot-area)">')
  for _, l in ipairs(fig.layers) do
    local colour = l.k and S.color(l.k)
    if l.type == "bars" then
      for b = 1, #l.counts do
        if l.counts[b] > 0 then
          local x0, x1 = px(l.edges[b]), px(l.edges[b + 1])
          local y0 = py(l.counts[b])
          add(('<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#ffffff" stroke-width="0.6"/>')
            :format(n(x0), n(y0), n(x1 - x0), n(py(Y.lo) - y0), colour))
        end
      end
    elseif l.type == "line" then
      -- one polyline per unbroken stretch; NaN breaks it, and far-away parts are clipped
      local polys, cur = {}, nil
      local prev
      local x0b, x1b, y0b, y1b = left - 10, left + pw + 10, top - 10, top + ph + 10
      for i = 1, #l.xs do
        local p = { px(l.xs[i]), py(l.ys[i]) }
        if finite(p[1]) and finite(p[2]) then
          if prev then
            local a, b, c, d = S.clip(prev[1], prev[2], p[1], p[2], x0b, x1b, y0b, y1b)
            if not a then
              cur = nil
            else
              if not cur or a ~= prev[1] or b ~= prev[2] then
                cur = { { a, b } }
                polys[#polys + 1] = cur
              end
              -- a point less than half a pixel from the last one kept adds nothing
              -- (100,000 steps of a loss curve would make a megabyte of SVG): the last
              -- point stays tentative until one lands half a pixel from the last kept one
              local kept = cur[cur.kept or 1]
              local far = math.abs(c - kept[1]) >= 0.5 or math.abs(d - kept[2]) >= 0.5
              if cur.tentative then cur[#cur] = { c, d } else cur[#cur + 1] = { c, d } end
              cur.tentative = not far
              if far then cur.kept = #cur end
              if c ~= p[1] or d ~= p[2] then cur = nil end
            end
          elseif p[1] >= x0b and p[1] <= x1b and p[2] >= y0b and p[2] <= y1b then
            cur = { p }
            polys[#polys + 1] = cur
          end
          prev = p
        else
          prev, cur = nil, nil
        end
      end
      for _, poly in ipairs(polys) do
        local pts = {}
        for i, p in ipairs(poly) do pts[i] = n(p[1]) .. "," .. n(p[2]) end
        if #poly == 1 then
          add(('<circle cx="%s" cy="%s" r="2" fill="%s"/>'):format(n(poly[1][1]), n(poly[1][2]), colour))
        else
          if field then -- a white halo keeps a path readable over dark bands
            add(('<polyline points="%s" fill="none" stroke="#ffffff" stroke-opacity="0.7" stroke-width="4.5" stroke-linejoin="round"/>')
              :format(table.concat(pts, " ")))
          end
          add(('<polyline points="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>')
            :format(table.concat(pts, " "), colour))
        end
      end
      if l.ends then
        for i = #l.xs, 1, -1 do
          if finite(l.xs[i]) and finite(l.ys[i]) then
            local x, y = px(l.xs[i]), py(l.ys[i])
            if visible(x, y) then
              add(('<circle cx="%s" cy="%s" r="5" fill="%s" stroke="#ffffff" stroke-width="1.5"/>')
                :format(n(x), n(y), colour))
            end
            break
          end
        end
      end
    elseif l.type == "points" then
      local r = l.marker and 4.5 or 3
      local stroke = field and "#222222" or "#ffffff"
      for i = 1, #l.xs do
        local x, y = px(l.xs[i]), py(l.ys[i])
        if visible(x, y) then
          add(('<circle cx="%s" cy="%s" r="%s" fill="%s" stroke="%s" stroke-width="0.8"/>')
            :format(n(x), n(y), r, colour, stroke))
        end
      end
    end
  end
  add('</g>')

  if fig.empty then
    add(('<text x="%s" y="%s" text-anchor="middle" fill="#888888">(%s)</text>')
      :format(n(left + pw / 2), n(top + ph / 2), esc(fig.empty)))
  end

  -- axes, ticks and their labels
  add(('<g stroke="#333333" stroke-width="1"><line x1="%s" y1="%s" x2="%s" y2="%s"/><line x1="%s" y1="%s" x2="%s" y2="%s"/>')
    :format(n(left), n(top), n(left), n(top + ph), n(left), n(top + ph), n(left + pw), n(top + ph)))
  for _, t in ipairs(X.ticks) do add(('<line x1="%s" y1="%s" x2="%s" y2="%s"/>'):format(n(px(t)), n(top + ph), n(px(t)), n(top + ph + 5))) end
  for _, t in ipairs(Y.ticks) do add(('<line x1="%s" y1="%s" x2="%s" y2="%s"/>'):format(n(left - 5), n(py(t)), n(left), n(py(t)))) end
  add('</g>')
  add('<g fill="#333333" font-size="11">')
  for _, t in ipairs(X.ticks) do
    add(('<text x="%s" y="%s" text-anchor="middle">%s</text>'):format(n(px(t)), n(top + ph + 18), esc(S.label(t, X.step, X.log))))
  end
  for _, t in ipairs(Y.ticks) do
    add(('<text x="%s" y="%s" text-anchor="end">%s</text>'):format(n(left - 8), n(py(t) + 4), esc(S.label(t, Y.step, Y.log))))
  end
  add('</g>')
  if fig.title then
    add(('<text x="%s" y="26" text-anchor="middle" font-size="15" font-weight="bold" fill="#222222">%s</text>')
      :format(n(left + pw / 2), esc(fig.title)))
  end
  local y = top + ph + 30
  if fig.xlabel then
    y = y + 12
    add(('<text x="%s" y="%s" text-anchor="middle" fill="#222222">%s</text>'):format(n(left + pw / 2), n(y), esc(fig.xlabel)))
    y = y + 10
  end
  if fig.ylabel then
    add(('<text x="14" y="%s" text-anchor="middle" fill="#222222" transform="rotate(-90 14 %s)">%s</text>')
      :format(n(top + ph / 2), n(top + ph / 2), esc(fig.ylabel)))
  end
  for _, row in ipairs(rows) do
    y = y + 22
    for _, cell in ipairs(row) do
      local x = left + cell.x
      add(cell.item.draw(x, y))
      add(('<text x="%s" y="%s" fill="#222222">%s</text>'):format(n(x + 26), n(y), esc(cell.item.label)))
    end
  end
  if bands then
    y = y + 24
    local x = left
    add(('<text x="%s" y="%s" fill="#222222">bands from</text>'):format(n(x), n(y)))
    x = x + text_width("bands from") + 10
    for b = 1, field.nbands do
      local label = S.short(b == 1 and field.lo or field.levels[b - 1])
      add(('<rect x="%s" y="%s" width="16" height="12" fill="%s" stroke="#555555" stroke-width="0.5"/>')
        :format(n(x), n(y - 10), band_fill(b, field.nbands)))
      add(('<text x="%s" y="%s" fill="#222222">%s</text>'):format(n(x + 20), n(y), esc(label)))
      x = x + 20 + text_width(label) + 12
    end
  end
  for _, note in ipairs(fig.notes) do
    y = y + 18
    add(('<text x="%s" y="%s" fill="#666666" font-size="11">note: %s</text>'):format(n(left), n(y), esc(note)))
  end
  add('</svg>')
  return table.concat(out, "\n") .. "\n"
end

-- ---- images ---------------------------------------------------------------------------------

local function render_images(fig)
  local out = {}
  local function add(s) out[#out + 1] = s end
  local cols = fig.cols
  local iw, ih = 0, 0
  for _, im in ipairs(fig.images) do iw, ih = max(iw, #im.pixels[1]), max(ih, #im.pixels) end
  local gap = 3
  local any_label = false
  for _, im in ipairs(fig.images) do if im.label then any_label = true end end
  -- pixel size: the grid about 560 px wide at most, 12 px per pixel at most
  local s = max(1, min(12, floor(560 / (cols * iw + (cols - 1) * gap))))
  local cellw, cellh = iw * s, ih * s + (any_label and 18 or 0)
  local nrows = ceil(#fig.images / cols)
  local margin = 20
  local top = fig.title and 44 or margin
  local gw = cols * cellw + (cols - 1) * gap * s
  local W = max(gw + 2 * margin, fig.title and text_width(fig.title) + 2 * margin or 0, 220)
  local H = top + nrows * cellh + (nrows - 1) * gap * s + (fig.vmin and 40 or 0) + margin
  local x0 = floor((W - gw) / 2)
  add('<?xml version="1.0" encoding="UTF-8"?>')
  add(('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" %s font-size="12">')
    :format(W, H, W, H, FONT))
  add(('<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>'):format(W, H))
  if fig.title then
    add(('<text x="%s" y="26" text-anchor="middle" font-size="15" font-weight="bold" fill="#222222">%s</text>')
      :format(n(W / 2), esc(fig.title)))
  end
  add('<g shape-rendering="crispEdges">')
  for k, im in ipairs(fig.images) do
    local gx = x0 + ((k - 1) % cols) * (cellw + gap * s)
    local gy = top + ((k - 1) // cols) * (cellh + gap * s)
    for r, row in ipairs(im.pixels) do
      local c = 1
      while c <= #row do
        local fill = S.grey_hex(row[c])
        local c2 = c
        while c2 < #row and S.grey_hex(row[c2 + 1]) == fill do c2 = c2 + 1 end
        add(('<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>')
          :format(n(gx + (c - 1) * s), n(gy + (r - 1) * s), n((c2 - c + 1) * s), n(s), fill))
        c = c2 + 1
      end
    end
    if im.label then
      add(('<text x="%s" y="%s" text-anchor="middle" fill="#222222" font-size="11">%s</text>')
        :format(n(gx + iw * s / 2), n(gy + ih * s + 14), esc(im.label)))
    end
  end
  add('</g>')
  if fig.vmin then
    -- the grey scale: black is vmin, white is vmax
    local y = H - margin - 16
    local bx = floor(W / 2) - 60
    add(('<text x="%s" y="%s" text-anchor="end" fill="#333333" font-size="11">%s</text>'):format(n(bx - 6), n(y + 10), esc(S.short(fig.vmin))))
    for i = 0, 11 do
      add(('<rect x="%s" y="%s" width="10" height="12" fill="%s"/>'):format(n(bx + i * 10), n(y), S.grey_hex(i / 11)))
    end
    add(('<rect x="%s" y="%s" width="120" height="12" fill="none" stroke="#555555" stroke-width="0.5"/>'):format(n(bx), n(y)))
    add(('<text x="%s" y="%s" fill="#333333" font-size="11">%s</text>'):format(n(bx + 126), n(y + 10), esc(S.short(fig.vmax))))
  end
  add('</svg>')
  return table.concat(out, "\n") .. "\n"
end

M.render = S.renderer(render_xy, render_images)

return M

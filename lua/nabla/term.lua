-- Text that fits the terminal: display width (a Hangul syllable or a CJK character takes
-- two columns, a combining mark none, colour escapes none), word wrapping to the terminal
-- width, and that width (the terminal's, or 80 when the output is not a terminal).
--
--   term.width("경사 하강법")  --> 11        term.columns()  --> 80 (or the terminal's)
--   term.wrap(text [, width])              -- breaks at spaces, never inside a word
--   term.print(...)                        -- print, wrapped to the terminal
local nabla = require "nabla"
local M = {}

-- Code points that take two columns (East Asian Wide and Fullwidth) and zero columns
-- (combining marks, zero-width characters), as ranges { first, last }.
local WIDE = {
  { 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A }, { 0x23E9, 0x23EC }, { 0x23F0, 0x23F0 },
  { 0x23F3, 0x23F3 }, { 0x25FD, 0x25FE }, { 0x2614, 0x2615 }, { 0x2648, 0x2653 }, { 0x267F, 0x267F },
  { 0x2693, 0x2693 }, { 0x26A1, 0x26A1 }, { 0x26AA, 0x26AB }, { 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 },
  { 0x26CE, 0x26CE }, { 0x26D4, 0x26D4 }, { 0x26EA, 0x26EA }, { 0x26F2, 0x26F5 }, { 0x26FA, 0x26FD },
  { 0x2705, 0x2705 }, { 0x270A, 0x270B }, { 0x2728, 0x2728 }, { 0x274C, 0x274C }, { 0x274E, 0x274E },
  { 0x2753, 0x2755 }, { 0x2757, 0x2757 }, { 0x2795, 0x2797 }, { 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF },
  { 0x2B1B, 0x2B1C }, { 0x2B50, 0x2B50 }, { 0x2B55, 0x2B55 }, { 0x2E80, 0x303E }, { 0x3041, 0x33FF },
  { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF }, { 0xA000, 0xA4CF }, { 0xA960, 0xA97F }, { 0xAC00, 0xD7A3 },
  { 0xF900, 0xFAFF }, { 0xFE10, 0xFE19 }, { 0xFE30, 0xFE6F }, { 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 },
  { 0x1F004, 0x1F004 }, { 0x1F0CF, 0x1F0CF }, { 0x1F18E, 0x1F18E }, { 0x1F191, 0x1F19A },
  { 0x1F200, 0x1F251 }, { 0x1F300, 0x1F320 }, { 0x1F32D, 0x1F335 }, { 0x1F337, 0x1F37C },
  { 0x1F37E, 0x1F393 }, { 0x1F3A0, 0x1F3CA }, { 0x1F3CF, 0x1F3D3 }, { 0x1F3E0, 0x1F3F0 },
  { 0x1F3F4, 0x1F3F4 }, { 0x1F3F8, 0x1F43E }, { 0x1F440, 0x1F440 }, { 0x1F442, 0x1F4FC },
  { 0x1F4FF, 0x1F53D }, { 0x1F54B, 0x1F54E }, { 0x1F550, 0x1F567 }, { 0x1F57A, 0x1F57A },
  { 0x1F595, 0x1F596 }, { 0x1F5A4, 0x1F5A4 }, { 0x1F5FB, 0x1F64F }, { 0x1F680, 0x1F6C5 },
  { 0x1F6CC, 0x1F6CC }, { 0x1F6D0, 0x1F6D2 }, { 0x1F6EB, 0x1F6EC }, { 0x1F6F4, 0x1F6FC },
  { 0x1F7E0, 0x1F7EB }, { 0x1F90C, 0x1F93A }, { 0x1F93C, 0x1F945 }, { 0x1F947, 0x1F9FF },
  { 0x1FA70, 0x1FAFF }, { 0x20000, 0x2FFFD }, { 0x30000, 0x3FFFD },
}
local ZERO = {
  { 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD }, { 0x1160, 0x11FF }, { 0x200B, 0x200F },
  { 0x2028, 0x202E }, { 0x2060, 0x2064 }, { 0x20D0, 0x20FF }, { 0xFE00, 0xFE0F }, { 0xFE20, 0xFE2F },
  { 0xFEFF, 0xFEFF }, { 0xE0100, 0xE01EF },
}

local function in_ranges(c, t)
  local lo, hi = 1, #t
  while lo <= hi do
    local mid = (lo + hi) // 2
    local r = t[mid]
    if c < r[1] then hi = mid - 1 elseif c > r[2] then lo = mid + 1 else return true end
  end
  return false
end

-- columns taken by one code point
function M.char_width(c)
  if c < 0x20 or (c >= 0x7F and c < 0xA0) then return 0 end
  if c < 0x300 then return 1 end
  if in_ranges(c, ZERO) then return 0 end
  if in_ranges(c, WIDE) then return 2 end
  return 1
end

-- ANSI escape sequences (colours) take no columns
local ESC = "\27%[[%d;?]*[A-Za-z]"

-- columns a string takes on a terminal (invalid UTF-8 counts one column a byte)
function M.width(s)
  s = tostring(s)
  if not s:find("[\27\128-\255]") then return #s end
  s = s:gsub(ESC, "")
  local w = 0
  local ok = pcall(function()
    for _, c in utf8.codes(s) do w = w + M.char_width(c) end
  end)
  if not ok then return #s end
  return w
end

-- s padded with spaces to n columns
function M.pad(s, n) return s .. string.rep(" ", math.max(0, n - M.width(s))) end

-- The terminal's width in columns when standard output is a terminal (the C engine asks
-- the terminal; COLUMNS is the fallback), else 80: piped output is wrapped at 80.
function M.columns()
  if M.fixed then return M.fixed end
  local tty = type(nabla.isatty) == "function" and nabla.isatty(1)
  if tty then
    local c = type(nabla.terminal_columns) == "function" and nabla.terminal_columns() or nil
    if c and c > 0 then return c end
    c = tonumber(os.getenv("COLUMNS") or "")
    if c and c > 0 then return c end
  end
  return 80
end

-- splits one line into its words (runs of non-space) with their widths
local function words(line)
  local list = {}
  for w in line:gmatch("%S+") do list[#list + 1] = w end
  return list
end

-- cuts a word longer than the line into pieces of at most n columns (by characters)
local function cut_word(word, n)
  local pieces, cur, cw = {}, {}, 0
  local ok = pcall(function()
    for _, c in utf8.codes(word) do
      local ch, w = utf8.char(c), M.char_width(c)
      if cw + w > n and cw > 0 then
        pieces[#pieces + 1] = table.concat(cur)
        cur, cw = {}, 0
      end
      cur[#cur + 1] = ch
      cw = cw + w
    end
  end)
  if not ok then return { word } end
  pieces[#pieces + 1] = table.concat(cur)
  return pieces
end

-- The indent of continuation lines: the line's own indent, or, for a list item ("1) ",
-- "- ", "• ", "✗ ", "💡 (1/3) ") or a table row ("name      description"), the column
-- where its text starts, as long as that leaves room for the text.
local function hanging(line, width)
  line = line:gsub(ESC, "")
  local lead = line:match("^(%s*)")
  local cands = {
    line:match("^(%s*%d+[%.%)]%s+)"), line:match("^(%s*[%-%*•✓✗→]%s+)"),
    line:match("^(%s*💡%s*%(%d+/%d+%)%s+)"),
  }
  -- a table row: text after a run of two or more spaces in the first half of the line
  -- (one gap only: a line of names separated by gaps, like help()'s topics, is a list)
  local row = line:match("^(%s*%S.-%S%s%s+)%S")
  if row and not line:sub(#row + 1):find("%S%s%s+%S") then cands[#cands + 1] = row end
  -- a tree (graph): continue under the node, with the branch carried down
  local tree = line:match("^([%s│├└─]*[├└]─%s*)")
  if tree then
    local cont = (tree:gsub("├─", "│ "):gsub("└─", "  ")) .. "   "
    if M.width(cont) <= width - 24 then return cont end
  end
  local best = lead
  for _, c in pairs(cands) do
    if c and M.width(c) > M.width(best) and M.width(c) <= width - 24 then best = c end
  end
  return string.rep(" ", M.width(best))
end

-- One line wrapped to width columns: breaks between words; a word wider than the line is
-- cut by characters (a URL, a long formula). Spaces inside the line are kept.
local function wrap_line(line, width)
  if M.width(line) <= width then return { line } end
  -- text pushed far right by its indent (a table's text column under a long label):
  -- moved to an indent of six
  local far = line:match("^(%s*)")
  if M.width(far) > width - 40 then line = "      " .. line:sub(#far + 1) end
  if M.width(line) <= width then return { line } end
  -- a table row whose text column leaves less than 40 columns: the label on its own line,
  -- the text under it, indented by four (help(nn) on an 80-column terminal)
  local plain = line:gsub(ESC, "")
  local lead, label, gap = plain:match("^(%s*)(%S.-%S)(%s%s+)%S")
  if label and not plain:sub(#lead + #label + #gap + 1):find("%S%s%s+%S")
    and M.width(lead .. label .. gap) > width - 40 then
    local text = plain:sub(#lead + #label + #gap + 1)
    local out = wrap_line(lead .. label, width)
    for _, l in ipairs(wrap_line(lead .. "    " .. text, width)) do out[#out + 1] = l end
    return out
  end
  local indent = hanging(line, width)
  local iw = M.width(indent)
  local out = {}
  local lead = line:match("^(%s*)")
  local cur, cw = lead, M.width(lead)
  local first_on_line = true
  -- tokens: runs of spaces and runs of non-spaces, kept as they are
  local pos = #lead + 1
  while pos <= #line do
    local sp = line:match("^%s+", pos)
    if sp then
      pos = pos + #sp
      local word = line:match("^%S+", pos)
      if not word then break end
      pos = pos + #word
      local ww, sw = M.width(word), M.width(sp)
      if cw + sw + ww <= width then
        cur, cw = cur .. sp .. word, cw + sw + ww
      else
        out[#out + 1] = cur
        cur, cw = indent, iw
        local pieces = ww > width - iw and cut_word(word, width - iw) or { word }
        for i, p in ipairs(pieces) do
          if i < #pieces then out[#out + 1] = indent .. p
          else cur, cw = indent .. p, iw + M.width(p) end
        end
      end
    else
      local word = line:match("^%S+", pos)
      pos = pos + #word
      local ww = M.width(word)
      if cw + ww <= width or not first_on_line then
        cur, cw = cur .. word, cw + ww
      else
        local pieces = cut_word(word, width - cw)
        for i, p in ipairs(pieces) do
          if i < #pieces then out[#out + 1] = (i == 1 and cur or indent) .. p
          else cur, cw = (i == 1 and cur or indent) .. p, M.width(p) + (i == 1 and cw or iw) end
        end
      end
    end
    first_on_line = false
  end
  out[#out + 1] = cur
  return out
end

-- A short bracketed group ("(Z2 − Y)", "{1, 2}", "[3,2]") is not broken: its spaces are
-- held by a private-use character while the line is wrapped.
local HOLD = utf8.char(0xE000)
local function hold_groups(line)
  if not line:find("[%(%[{]") then return line end
  local function hold(g)
    if M.width(g) <= 24 then return (g:gsub(" ", HOLD)) end
  end
  return (line:gsub("%b()", hold):gsub("%b[]", hold):gsub("%b{}", hold))
end

-- text wrapped to width columns (the terminal's by default), line by line
function M.wrap(text, width)
  text = tostring(text)
  width = width or M.columns()
  if width < 10 then width = 10 end
  local out = {}
  for line in (text .. "\n"):gmatch("(.-)\n") do
    if M.width(line) <= width then out[#out + 1] = line
    else
      for _, l in ipairs(wrap_line(hold_groups(line), width)) do out[#out + 1] = (l:gsub(HOLD, " ")) end
    end
  end
  return table.concat(out, "\n")
end

-- Prose written with its own line breaks (lesson texts) joined into paragraphs before it is
-- wrapped, so that a narrower terminal does not leave a short orphan on every other line.
-- A line is joined to the previous one unless either is blank, it is indented (code, a
-- formula), it starts a list item ("- ", "1) ", "• ") or the previous one ends a sentence.
function M.reflow(text)
  local out = {}
  local function starts_item(l) return l:match("^[%-%*•]%s") or l:match("^%d+[%.%)]%s") end
  for line in (tostring(text) .. "\n"):gmatch("(.-)\n") do
    local prev = out[#out]
    -- a line that ends a sentence keeps its break (the author's next sentence or code
    -- starts on a line of its own); one that stops mid-sentence is joined
    if prev and prev ~= "" and not prev:match("^%s") and line ~= "" and not line:match("^%s")
      and not starts_item(line) and not prev:match("[%.:!?][%)\"']?$") then
      out[#out] = prev .. " " .. line
    else
      out[#out + 1] = line
    end
  end
  return table.concat(out, "\n")
end

-- print(...) wrapped to the terminal
function M.print(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do parts[i] = tostring((select(i, ...))) end
  print(M.wrap(table.concat(parts, "\t")))
end

return M

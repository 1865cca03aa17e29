-- docs/API.md and docs/API.ko.md are what tools/gen_api.lua prints from the help registry
-- today: a doc() line changed without regenerating them fails here. Regenerate with
--   ninja -C build api-doc
-- (or ./build/nabla tools/gen_api.lua > docs/API.md, and with "ko" > docs/API.ko.md).
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local root = T.dir .. "/.."
local exe = arg and arg[-1]

local function read(path)
  local f = assert(io.open(path, "rb"), "cannot read " .. path)
  local s = f:read("a")
  f:close()
  return s
end

-- the generator runs in a fresh process, as the regeneration command does
local function generate(lang)
  local cmd = ("'%s' '%s/tools/gen_api.lua' %s 2>&1"):format(exe, root, lang)
  local p = assert(io.popen(cmd))
  local out = p:read("a")
  local ok = p:close()
  return out, ok
end

local function first_difference(a, b)
  local la, lb = {}, {}
  for l in (a .. "\n"):gmatch("([^\n]*)\n") do la[#la + 1] = l end
  for l in (b .. "\n"):gmatch("([^\n]*)\n") do lb[#lb + 1] = l end
  for i = 1, math.max(#la, #lb) do
    if la[i] ~= lb[i] then
      return ("line %d: the file has %q, the registry gives %q"):format(i, tostring(la[i]), tostring(lb[i]))
    end
  end
end

for _, case in ipairs { { "en", "docs/API.md" }, { "ko", "docs/API.ko.md" } } do
  local lang, file = case[1], case[2]
  T.test(file .. " is current (" .. lang .. ")", function()
    T.ok(exe ~= nil, "the nabla executable is arg[-1]")
    local want, ok = generate(lang)
    T.ok(ok, "tools/gen_api.lua runs: " .. want:sub(1, 300))
    T.ok(#want > 20000, "the reference is complete (" .. #want .. " bytes)")
    for _, sig in ipairs { "### `x:gelu()`", "### `nn.Linear(", "### `optim.Adam(", "### `fit(",
                           "### `nn.functional.conv2d(", "### `plot.contour(", "## Tensor: reductions" } do
      T.ok(want:find(sig, 1, true), sig .. " is in the reference")
    end
    local have = read(root .. "/" .. file)
    T.ok(have == want, ("%s is out of date (run: ninja -C build api-doc): %s"):format(file,
      first_difference(have, want) or ""))
  end)
end

T.done()

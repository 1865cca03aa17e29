-- The op-sequence fuzzer's logic (run by fuzz_ops, tests/fuzz/fuzz_lua.c): the input bytes
-- choose a starting shape (empty, ordinary or huge), then up to 8 operations with their
-- arguments (dims in and out of range, sizes from 0 to 2^62, views that make the tensor
-- non-contiguous, a second operand that may not broadcast). Every step either succeeds or
-- raises a clear error (a message from nabla, never Lua's "attempt to ..." or a format
-- failure); at the end backward() runs, and when the sequence is smooth and small, its
-- gradient must agree with central finite differences. Anything else raises: a finding.
local nabla = require "nabla"

local UNCLEAR = { "attempt to ", "invalid option", "a nil value", "no integer representation",
                  "stack overflow", "C stack" }
local MAX_NUMEL = 100000          -- larger results are not computed further (time, not safety)
local trace = os.getenv("FUZZ_TRACE")   -- prints each step

local function check_error(op, err)
  if type(err) ~= "string" or err == "" then error(("%s: an error that is not a message: %s"):format(op, tostring(err)), 0) end
  for _, u in ipairs(UNCLEAR) do
    if err:find(u, 1, true) then error(("%s raised an unclear error: %s"):format(op, err), 0) end
  end
end

local SMALL = { 0, 1, 2, 3, 4, 5, 1, 2, 3, 2 }
local HUGE = { 1 << 40, (1 << 40) + 1, 1 << 62, -1, -3, math.maxinteger, math.mininteger, 1 << 31 }

return function(s)
  local pos = 0
  local function rd()
    pos = pos + 1
    return s:byte(pos) or 0
  end
  local function size()
    local b = rd()
    if b >= 245 then return HUGE[b % #HUGE + 1] end
    return SMALL[b % #SMALL + 1]
  end
  local function dim(x)
    local b = rd()
    if b >= 240 then return ({ 0, 9, -9, 100, math.mininteger })[b % 5 + 1] end
    local n = math.max(x:dim(), 1)
    local d = b % (2 * n)
    return d < n and d + 1 or -(d - n + 1)
  end
  local function shape(n)
    local sh = {}
    for i = 1, n do sh[i] = size() end
    return sh
  end
  local function numel(sh)
    local n = 1
    for _, v in ipairs(sh) do n = n * v end
    return n
  end

  nabla.manual_seed(rd() * 256 + rd())
  local sh0 = shape(rd() % 4)
  for _, v in ipairs(sh0) do if v < 0 or v > 64 then
    -- a shape that must be refused: a negative size, or more than 2^40 elements ignoring
    -- zeros; a valid but huge one is not allocated here (time and memory, not safety)
    local nz, neg = 1, false
    for _, u in ipairs(sh0) do
      if u < 0 then neg = true elseif u > 0 then nz = nz * u end
      if u > (1 << 40) or nz > (1 << 40) or nz < 0 then nz = math.huge end
    end
    if not neg and nz <= (1 << 40) then return end
    local ok, err = pcall(nabla.randn, table.unpack(sh0))
    if ok then error("randn accepted the shape {" .. table.concat(sh0, ",") .. "}", 0) end
    check_error("randn", err)
    return
  end end
  if trace then print("start", table.concat(sh0, ",")) end
  local leaf = nabla.randn(table.unpack(sh0)):requires_grad()
  local x = leaf

  -- each step: a name, whether it is smooth, and f(x) -> y; the operands it draws are
  -- fixed when it is built, so that f can be replayed for the finite differences
  local steps, smooth = {}, true
  local function other_like(x)
    local sh = {}
    for i, v in ipairs(x.shape) do sh[i] = v end
    local b = rd()
    if b % 4 == 1 and #sh > 0 then sh[1] = 1 end               -- broadcasts
    if b % 4 == 2 and #sh > 0 then table.remove(sh, 1) end     -- broadcasts from fewer dims
    if b % 8 == 3 then sh[#sh + 1] = size() end                  -- may not broadcast
    for _, v in ipairs(sh) do if v < 0 or v > 64 then return nil end end
    if #sh > 8 or numel(sh) > MAX_NUMEL then return nil end   -- not an operand nabla can hold
    return nabla.randn(table.unpack(sh))
  end
  local OPS = {
    function(x) return "tanh", true, function(t) return t:tanh() end end,
    function(x) return "sigmoid", true, function(t) return t:sigmoid() end end,
    function(x) return "square", true, function(t) return t * t end end,
    function(x) return "sin", true, function(t) return t:sin() end end,
    function(x) local d = dim(x) return "softmax", true, function(t) return t:softmax(d) end end,
    function(x) local d = dim(x) return "log_softmax", true, function(t) return t:log_softmax(d) end end,
    function(x) return "sum", true, function(t) return t:sum() end end,
    function(x) local d = dim(x) return "mean", true, function(t) return t:mean(d) end end,
    function(x) local d = dim(x) return "logsumexp", true, function(t) return t:logsumexp(d) end end,
    function(x) local a, b = dim(x), dim(x) return "transpose", true, function(t) return t:transpose(a, b) end end,
    function(x)
      local p = {}
      for i = 1, x:dim() + (rd() % 8 == 0 and 1 or 0) do p[i] = dim(x) end
      return "permute", true, function(t) return t:permute(table.unpack(p)) end
    end,
    function(x)
      local sh = shape(rd() % 4 + 1)
      if rd() % 2 == 0 and #sh > 0 then sh[rd() % #sh + 1] = -1 end
      local how = rd() % 2 == 0 and "reshape" or "view"
      return how, true, function(t) return t[how](t, table.unpack(sh)) end
    end,
    function(x) return "t", true, function(t) return t:t() end end,
    function(x) local d = dim(x) return "unsqueeze", true, function(t) return t:unsqueeze(d) end end,
    function(x) local d = dim(x) return "squeeze", true, function(t) return t:squeeze(d) end end,
    function(x) return "flatten", true, function(t) return t:flatten() end end,
    function(x)
      local d, a, n = dim(x), size(), size()
      return "narrow", true, function(t) return t:narrow(d, a, n) end
    end,
    function(x)
      local a, b, st = size(), size(), size()
      if rd() % 2 == 0 then a = -a end
      return "slice", true, function(t) return t[{ { a, b, st } }] end
    end,
    function(x) local d, i = dim(x), size() return "select", true, function(t) return t:select(d, i) end end,
    function(x) local i = size() if rd() % 2 == 0 then i = -i end return "index", true, function(t) return t[i] end end,
    function(x)
      local sh = {}
      for i, v in ipairs(x.shape) do sh[i] = v == 1 and size() or (rd() % 4 == 0 and size() or v) end
      if rd() % 3 == 0 then table.insert(sh, 1, size()) end
      return "expand", true, function(t) return t:expand(table.unpack(sh)) end
    end,
    function(x) return "contiguous", true, function(t) return t:contiguous() end end,
    function(x) local d = dim(x) return "cat", true, function(t) return nabla.cat({ t, t * 2 }, d) end end,
    function(x) local d = dim(x) return "stack", true, function(t) return nabla.stack({ t, t }, d) end end,
    function(x)
      local d = dim(x)
      local idx = { size(), size(), size() }
      return "index_select", true, function(t) return t:index_select(d, nabla.tensor(idx)) end
    end,
    function(x)
      local o = other_like(x)
      if not o then return nil end
      local op = rd() % 3
      return "binary", true, function(t)
        if op == 0 then return t + o elseif op == 1 then return t * o else return t - o * 0.5 end
      end
    end,
    function(x)
      local k = size()
      local n = x:dim() >= 1 and x.shape[x:dim()] or 1
      if rd() % 8 == 0 then n = size() end
      if n < 0 or n > 64 or k < 0 or k > 64 then return nil end
      local w = nabla.randn(n, k)
      return "matmul", true, function(t) return t:matmul(w) end
    end,
    function(x) smooth = false return "relu", false, function(t) return t:relu() end end,
    function(x) smooth = false return "abs", false, function(t) return t:abs() end end,
    function(x) smooth = false local d = dim(x) return "max", false, function(t) return (t:max(d)) end end,
    function(x) smooth = false return "clamp", false, function(t) return t:clamp(-0.5, 0.5) end end,
  }

  local nsteps = rd() % 9
  for _ = 1, nsteps do
    local build = OPS[rd() % #OPS + 1]
    local name, is_smooth, f = build(x)
    if name then
      if trace then print(name, tostring(x.shape)) end
      local ok, y = pcall(f, x)
      if not ok then
        check_error(name, y)
        return                                           -- a clear error ends the sequence
      end
      if not nabla.is_tensor(y) then error(name .. " returned a " .. type(y), 0) end
      if not is_smooth then smooth = false end
      steps[#steps + 1] = f
      x = y
      if x:numel() > MAX_NUMEL then return end          -- a valid huge view: not computed
    end
  end

  -- backward through the whole sequence
  local r = nabla.randn(table.unpack(x.shape))
  local function loss(t) return (t * r):sum() end
  local ok, err = pcall(function() loss(x):backward() end)
  if not ok then check_error("backward", err) return end
  local g = leaf.grad
  if g == nil then
    g = nabla.zeros(table.unpack(leaf.shape))          -- x did not depend on the leaf
  end
  if tostring(g.shape) ~= tostring(leaf.shape) then
    error(("the gradient has shape %s, its leaf %s"):format(tostring(g.shape), tostring(leaf.shape)), 0)
  end

  -- finite differences, when they can be trusted: smooth ops, few elements, finite values
  if not smooth or leaf:numel() > 12 or leaf:numel() == 0 then return end
  local replay = function()
    return nabla.no_grad(function()
      local t = leaf
      for _, f in ipairs(steps) do t = f(t) end
      return loss(t):item()
    end)
  end
  local base = replay()
  if base ~= base or math.abs(base) > 1e4 then return end
  local flat = leaf:detach():view(-1)
  local gflat = g:contiguous():view(-1)
  local eps = 1e-2
  local function central(i, v, h)
    nabla.no_grad(function() flat[i] = v + h end)
    local up = replay()
    nabla.no_grad(function() flat[i] = v - h end)
    local down = replay()
    nabla.no_grad(function() flat[i] = v end)
    return (up - down) / (2 * h)
  end
  local function differ(a, b)
    return a == a and b == b and math.abs(a - b) > 0.05 + 0.05 * math.max(math.abs(a), math.abs(b))
  end
  for i = 1, leaf:numel() do
    local v = flat[i]:item()
    local fd, an = central(i, v, eps), gflat[i]:item()
    if differ(fd, an) then
      -- a difference that changes with its step has not converged (x^4 then sin: the third
      -- derivative is large) and cannot judge the gradient; one that holds still can
      local fd2 = central(i, v, eps / 4)
      if not differ(fd2, an) then goto next_element end
      local fd3 = central(i, v, eps / 16)
      if not differ(fd3, an) or differ(fd2, fd3) then goto next_element end
      error(("gradient mismatch at element %d of a leaf of shape %s: autograd %.6g, finite differences %.6g (step %g), %.6g (step %g)")
        :format(i, tostring(leaf.shape), an, fd2, eps / 4, fd3, eps / 16), 0)
    end
    ::next_element::
  end
end

-- The test harness for Lua tests: T.test(name, fn), assertions, finite-difference
-- gradient checks and PyTorch golden values. Each tests/lua/test_*.lua ends with T.done(),
-- which prints a summary and exits non-zero if anything failed.
--   local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local T = { passed = 0, failed = 0, checks = 0 }
T.dir = os.getenv("NABLA_TESTS") or "tests"

local function fmt(v)
  if nabla.is_tensor(v) then return tostring(v) end
  if type(v) == "table" then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = fmt(x) end
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  return tostring(v)
end

function T.test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    T.passed = T.passed + 1
    print("ok     " .. name)
  else
    T.failed = T.failed + 1
    print("FAILED " .. name .. "\n" .. tostring(err))
  end
end

function T.done()
  print(("%d passed, %d failed (%d checks)"):format(T.passed, T.failed, T.checks))
  if T.failed > 0 or T.passed == 0 then os.exit(1) end
  os.exit(0)
end

function T.ok(cond, msg)
  T.checks = T.checks + 1
  if not cond then error(msg or "check failed", 2) end
end

function T.eq(a, b, msg)
  T.checks = T.checks + 1
  if a ~= b then error(("%s: expected %s, got %s"):format(msg or "eq", fmt(b), fmt(a)), 2) end
end

-- flat list of the values of a tensor, a nested table or a number
local function flat(x, out)
  out = out or {}
  if nabla.is_tensor(x) then x = x:tolist() end
  if type(x) == "number" then out[#out + 1] = x
  else for _, v in ipairs(x) do flat(v, out) end end
  return out
end
T.flat = flat

local function same_shape(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do if a[i] ~= b[i] then return false end end
  return true
end
T.same_shape = same_shape

-- |a - b| <= atol + rtol * |b| elementwise (NaN equals NaN); shapes must agree when both
-- are tensors or when shape is given
function T.near(a, b, rtol, atol, msg)
  T.checks = T.checks + 1
  rtol, atol = rtol or 1e-5, atol or 1e-6
  if nabla.is_tensor(a) and nabla.is_tensor(b) and not same_shape(a.shape, b.shape) then
    error(("%s: shape %s, expected %s"):format(msg or "near", tostring(a.shape), tostring(b.shape)), 2)
  end
  local fa, fb = flat(a), flat(b)
  if #fa ~= #fb then
    error(("%s: %d values, expected %d"):format(msg or "near", #fa, #fb), 2)
  end
  for i = 1, #fa do
    local x, y = fa[i], fb[i]
    local bad
    if y ~= y then bad = x == x
    elseif y == math.huge or y == -math.huge then bad = x ~= y
    else bad = not (math.abs(x - y) <= atol + rtol * math.abs(y)) end
    if bad then
      error(("%s: element %d is %.8g, expected %.8g (rtol %g, atol %g)"):format(
        msg or "near", i, x, y, rtol, atol), 2)
    end
  end
end

-- fn must raise an error whose message contains every given plain substring
function T.raises(fn, ...)
  T.checks = T.checks + 1
  local ok, err = pcall(fn)
  if ok then error("expected an error, got none", 2) end
  err = tostring(err)
  for _, s in ipairs({ ... }) do
    if not err:find(s, 1, true) then
      error(("error message %q does not contain %q"):format(err, s), 2)
    end
  end
  return err
end

-- Central finite differences of L = Σ f(inputs) ⊙ r (r random, fixed) against autograd.
-- inputs: tensors with requires_grad (leaves; may be non-contiguous). opts: eps, rtol, atol.
function T.gradcheck(f, inputs, opts, name)
  opts = opts or {}
  local eps, rtol, atol = opts.eps or 1e-2, opts.rtol or 2e-2, opts.atol or 2e-3
  for _, x in ipairs(inputs) do x.grad = nil end
  local out = f(table.unpack(inputs))
  local r = nabla.randn(table.unpack(out.shape))
  if #out.shape == 0 then r = nabla.tensor(1.0) end
  out:backward(r)
  local rv = flat(r)
  local function L()
    local o = nabla.no_grad(function() return f(table.unpack(inputs)) end)
    local s, ov = 0.0, flat(o)
    for i = 1, #ov do s = s + ov[i] * rv[i] end
    return s
  end
  for k, x in ipairs(inputs) do
    if x.needs_grad then
      T.ok(x.grad ~= nil, (name or "gradcheck") .. ": input " .. k .. " got no gradient")
      local analytic = flat(x.grad)
      -- perturb element by element through a flat index over x's own (strided) layout
      local n, shape = x:numel(), x.shape
      for i = 1, n do
        local idx, rem = {}, i - 1
        for d = #shape, 1, -1 do
          idx[d] = rem % shape[d] + 1
          rem = rem // shape[d]
        end
        local orig = #shape == 0 and x:item() or x[idx]:item()
        local function set(v)
          nabla.no_grad(function()
            if #shape == 0 then x:fill_(v) else x[idx] = v end
          end)
        end
        set(orig + eps); local lp = L()
        set(orig - eps); local lm = L()
        set(orig)
        local numeric = (lp - lm) / (2 * eps)
        T.checks = T.checks + 1
        if math.abs(numeric - analytic[i]) > atol + rtol * math.abs(numeric) then
          error(("%s: d/d(input %d)[%d]: autograd %.6g, finite difference %.6g"):format(
            name or "gradcheck", k, i, analytic[i], numeric), 2)
        end
      end
    end
  end
end

-- golden values written by tests/golden/gen_*.py with PyTorch
function T.golden(name)
  return dofile(T.dir .. "/golden/" .. name .. ".lua")
end

-- a tensor from a golden entry {shape = {...}, data = {...}} (flat, row-major)
function T.from_golden(g)
  local t = nabla.tensor(g.data)
  if #g.shape == 0 then return t:view({}) end
  return t:view(g.shape)
end

return T

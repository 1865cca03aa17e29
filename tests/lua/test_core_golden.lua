-- Every core op against PyTorch (tests/golden/core.lua from tests/golden/gen_core.py):
-- outputs at rtol 1e-4, input gradients at rtol 1e-3; then finite-difference gradient
-- checks of the same ops on broadcast shapes and non-contiguous inputs.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nb = require "nabla"

local ops = {
  add = function(a, b) return a + b end, add_broadcast = function(a, b) return a + b end,
  sub_broadcast = function(a, b) return a - b end, mul_broadcast = function(a, b) return a * b end,
  div = function(a, b) return a / b end, div_broadcast = function(a, b) return a / b end,
  pow = function(a, b) return a ^ b end,
  maximum = function(a, b) return a:maximum(b) end, minimum = function(a, b) return a:minimum(b) end,
  neg = function(a) return -a end, exp = function(a) return a:exp() end,
  log = function(a) return a:log() end, sqrt = function(a) return a:sqrt() end,
  abs = function(a) return a:abs() end, sin = function(a) return a:sin() end,
  cos = function(a) return a:cos() end, relu = function(a) return a:relu() end,
  sigmoid = function(a) return a:sigmoid() end, tanh = function(a) return a:tanh() end,
  leaky_relu = function(a) return a:leaky_relu(0.1) end, elu = function(a) return a:elu(1.0) end,
  gelu = function(a) return a:gelu() end, softplus = function(a) return a:softplus() end,
  log1p = function(a) return a:log1p() end, softsign = function(a) return nb.softsign(a) end,
  clamp = function(a) return a:clamp(-0.5, 0.5) end,
  add_scalar = function(a) return a + 2.5 end, mul_scalar = function(a) return a * -3.0 end,
  rsub_scalar = function(a) return 2.0 - a end, rdiv_scalar = function(a) return 2.0 / a end,
  pow_scalar = function(a) return a ^ 3 end, square = function(a) return a ^ 2 end,
  rpow_scalar = function(a) return 2.0 ^ a end,
  where = function(a, b) return nb.where(a:gt(0), a, b) end,
  transpose = function(a) return a:t() * nb.arange(3.0) end,
  permute = function(a) return a:permute(3, 1, 2):reshape(-1) * nb.arange(24.0) end,
  view = function(a) return a:view(2, 6) * nb.arange(12.0):view(2, 6) end,
  expand = function(a) return a:expand(2, 3, 4) * nb.arange(24.0):view(2, 3, 4) end,
  cat = function(a, b) return nb.cat({ a, b }, 2) end,
  stack = function(a, b) return nb.stack({ a, b }, 1) end,
  select = function(a) return a[2] * 2 end,
  slice = function(a) return a[{ ":", { 2, 3 } }] * 3 end,
  unsqueeze = function(a) return a:unsqueeze(1) * nb.arange(3.0):view(3, 1) end,
}

local golden = T.golden("core")
local names = {}
for k in pairs(golden) do names[#names + 1] = k end
table.sort(names)

for _, name in ipairs(names) do
  T.test("golden " .. name, function()
    local g, f = golden[name], ops[name]
    T.ok(f, "no nabla op for golden case " .. name)
    local xs = {}
    for i, gi in ipairs(g.inputs) do xs[i] = T.from_golden(gi):requires_grad() end
    local out = f(table.unpack(xs))
    T.near(out, T.from_golden(g.out), 1e-4, 1e-5, name .. " forward")
    out:backward(T.from_golden(g.upstream))
    for i, gg in ipairs(g.grads) do
      T.near(xs[i].grad, T.from_golden(gg), 1e-3, 1e-4, name .. " grad of input " .. i)
    end
  end)
end
for name in pairs(ops) do
  T.test("golden case exists for " .. name, function() T.ok(golden[name], name) end)
end

-- finite differences: broadcast shapes and non-contiguous (transposed) inputs
nb.manual_seed(1)
local function leaf(...) return nb.randn(...):requires_grad() end
local function noncontig(a, b) return nb.randn(b, a):t():detach():requires_grad() end
local function positive(...) return (nb.rand(...) + 0.5):requires_grad() end
local function away_from_kinks(...) -- |x| > 0.1 so that relu/abs/clamp stay differentiable
  local x = nb.randn(...)
  return (x + x:gt(0) * 0.2 - x:le(0) * 0.2):detach():requires_grad()
end

local checks = {
  { "add broadcast", function(a, b) return a + b end, { leaf(3, 4), leaf(4) } },
  { "sub broadcast col", function(a, b) return a - b end, { leaf(3, 1), noncontig(3, 4) } },
  { "mul noncontig", function(a, b) return a * b end, { noncontig(3, 4), leaf(1, 4) } },
  { "div", function(a, b) return a / b end, { leaf(2, 3), positive(2, 1) } },
  { "pow tensor", function(a, b) return a ^ b end, { positive(3), leaf(2, 3) } },
  { "pow scalar", function(a) return a ^ 3 end, { noncontig(2, 3) } },
  { "rpow", function(a) return 3 ^ a end, { leaf(4) } },
  { "rdiv", function(a) return 1 / a end, { positive(2, 2) } },
  { "exp", function(a) return a:exp() end, { noncontig(2, 3) } },
  { "log", function(a) return a:log() end, { positive(5) } },
  { "sqrt", function(a) return a:sqrt() end, { positive(2, 3) } },
  { "abs", function(a) return a:abs() end, { away_from_kinks(6) } },
  { "sin cos", function(a) return a:sin() * a:cos() end, { leaf(5) } },
  { "relu", function(a) return a:relu() end, { away_from_kinks(3, 4) } },
  { "sigmoid", function(a) return a:sigmoid() end, { noncontig(3, 3) } },
  { "tanh", function(a) return a:tanh() end, { leaf(7) } },
  { "leaky_relu", function(a) return a:leaky_relu(0.2) end, { away_from_kinks(6) } },
  { "elu", function(a) return a:elu() end, { away_from_kinks(6) } },
  { "gelu", function(a) return a:gelu() end, { leaf(6) } },
  { "softplus", function(a) return a:softplus() end, { leaf(6) } },
  { "log1p", function(a) return a:log1p() end, { (nb.rand(2, 3) * 2 - 0.5):requires_grad() } },
  { "log1p noncontig", function(a) return nb.log1p(a) end, { (nb.rand(3, 2) - 0.5):t():detach():requires_grad() } },
  { "softsign", function(a) return a:softsign() end, { leaf(7) } },
  { "softsign noncontig", function(a) return (a * 3):softsign() end, { noncontig(3, 2) } },
  { "clamp", function(a) return (a * 3):clamp(-1, 1) end, { leaf(8) } },
  { "maximum", function(a, b) return a:maximum(b) end, { leaf(4), leaf(3, 4) } },
  { "where", function(a, b) return nb.where(a:gt(0), a * 2, b) end, { leaf(3, 4), leaf(4) } },
  { "view of noncontig", function(a) return a:reshape(6) * nb.arange(6.0) end, { noncontig(2, 3) } },
  { "permute", function(a) return a:permute(2, 3, 1) * 2 end, { leaf(2, 3, 4) } },
  { "expand", function(a) return a:expand(3, 2, 4) * nb.arange(24.0):view(3, 2, 4) end, { leaf(2, 1) } },
  { "select and strided slice", function(a) return a[2] + a[{ { 1, 3, 2 }, ":" }] end, { leaf(3, 4) } },
  { "cat", function(a, b) return nb.cat({ a, b, a }, -1) end, { leaf(2, 2), noncontig(2, 3) } },
  { "stack", function(a, b) return nb.stack({ a, b }, 2) end, { leaf(2, 3), noncontig(2, 3) } },
  { "indexing", function(a) return a[{ 2, { 2, -1 } }] * 2 end, { leaf(3, 4) } },
  { "chain", function(a, b) return ((a * b + 1):tanh() - a:sigmoid()) ^ 2 end, { leaf(3), leaf(2, 3) } },
  { "shared input", function(a) return a * a + a end, { leaf(4) } },
}
for _, c in ipairs(checks) do
  if #c[3] > 0 then
    T.test("gradcheck " .. c[1], function() T.gradcheck(c[2], c[3], nil, c[1]) end)
  end
end

T.done()

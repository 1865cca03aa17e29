-- Matrix products (src/ops/matmul.c): values against a plain Lua loop over random shapes
-- and strided views (transposes, permutations, slices, expands, broadcast batch dims);
-- finite-difference gradient checks; every error message; PyTorch golden values
-- (tests/golden/matmul.lua from tests/golden/gen_matmul.py).
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nb = require "nabla"

nb.manual_seed(7)

-- ---- the reference: torch.matmul's rules written as plain loops in double precision ----

local function shape_of(t)
  local s = {}
  for i = 1, #t.shape do s[i] = t.shape[i] end
  return s
end

-- value of a flat row-major table at a multi-index
local function at(flat, shape, idx)
  local off = 0
  for d = 1, #shape do off = off * shape[d] + (idx[d] - 1) end
  return flat[off + 1]
end

local function ref_matmul(a, b)
  local sa, sb = shape_of(a), shape_of(b)
  local fa, fb = T.flat(a), T.flat(b)
  local a1, b1 = #sa == 1, #sb == 1
  if a1 then sa = { 1, sa[1] } end
  if b1 then sb = { sb[1], 1 } end
  local M, K, N = sa[#sa - 1], sa[#sa], sb[#sb]
  assert(K == sb[#sb - 1])
  -- broadcast batch shape
  local na, nbd = #sa - 2, #sb - 2
  local nd = math.max(na, nbd)
  local bs = {}
  for d = 1, nd do
    local x = sa[d - (nd - na)] or 1
    local y = sb[d - (nd - nbd)] or 1
    if d - (nd - na) < 1 then x = 1 end
    if d - (nd - nbd) < 1 then y = 1 end
    assert(x == y or x == 1 or y == 1)
    bs[d] = math.max(x, y)
  end
  local batch = 1
  for d = 1, nd do batch = batch * bs[d] end
  local out = {}
  for e = 0, batch - 1 do
    local bi, r = {}, e
    for d = nd, 1, -1 do bi[d] = r % bs[d] + 1; r = r // bs[d] end
    local ia, ib = {}, {}
    for d = 1, na do ia[d] = sa[d] == 1 and 1 or bi[d + (nd - na)] end
    for d = 1, nbd do ib[d] = sb[d] == 1 and 1 or bi[d + (nd - nbd)] end
    for i = 1, M do
      for j = 1, N do
        local s = 0.0
        for k = 1, K do
          ia[na + 1], ia[na + 2] = i, k
          ib[nbd + 1], ib[nbd + 2] = k, j
          s = s + at(fa, sa, ia) * at(fb, sb, ib)
        end
        out[#out + 1] = s
      end
    end
  end
  local oshape = {}
  for d = 1, nd do oshape[#oshape + 1] = bs[d] end
  if not a1 then oshape[#oshape + 1] = M end
  if not b1 then oshape[#oshape + 1] = N end
  return out, oshape
end

local function check_product(got, a, b, what)
  local want, wshape = ref_matmul(a, b)
  T.ok(T.same_shape(shape_of(got), wshape),
    ("%s: shape %s, expected {%s}"):format(what, tostring(got.shape), table.concat(wshape, ",")))
  T.near(T.flat(got), want, 1e-4, 1e-5, what)
end

local function rnd(lo, hi) return math.random(lo, hi) end
math.randomseed(12345)

T.test("mm over random shapes, contiguous and strided", function()
  for _ = 1, 40 do
    local M, K, N = rnd(1, 9), rnd(1, 9), rnd(1, 9)
    local a, b = nb.randn(M, K), nb.randn(K, N)
    check_product(a:mm(b), a, b, "mm")
    -- transposed operands (stride 1 in the other dim: sgemm reads them as they are)
    local at_, bt = nb.randn(K, M):t(), nb.randn(N, K):t()
    check_product(at_:mm(bt), at_, bt, "mm transposed")
    -- slices: rows further apart than their length, every other column (neither stride 1)
    local as = nb.randn(M + 2, 2 * K)[{ { 2, M + 1 }, { 1, 2 * K, 2 } }]
    local bs = nb.randn(K, N + 3)[{ ":", { 3, N + 2 } }]
    check_product(as:mm(bs), as, bs, "mm sliced")
    -- an expanded (stride 0) operand
    local ae = nb.randn(1, K):expand(M, K)
    check_product(ae:mm(b), ae, b, "mm expanded")
  end
end)

T.test("large products (through the BLAS) match the loop", function()
  for _, s in ipairs({ { 70, 90, 50 }, { 33, 130, 65 } }) do
    local a, b = nb.randn(s[1], s[2]), nb.randn(s[2], s[3])
    check_product(a:mm(b), a, b, "mm large")
    check_product(a:t():t():mm(b:t():contiguous():t()), a, b, "mm large transposed")
  end
  -- a tall batch folded into one product: (4, 30, 40) · (40, 20)
  local x, w = nb.randn(4, 30, 40), nb.randn(40, 20)
  check_product(x:matmul(w), x, w, "matmul folded batch")
  check_product(x:permute(2, 1, 3):matmul(w), x:permute(2, 1, 3), w, "matmul permuted batch")
end)

T.test("_mm_naive (the hardware lesson's triple loop): both loop orders, views, errors", function()
  for _ = 1, 20 do
    local M, K, N = rnd(1, 9), rnd(1, 9), rnd(1, 9)
    local a, b = nb.randn(M, K), nb.randn(K, N)
    check_product(nb._mm_naive(a, b), a, b, "mm_naive ijk")
    check_product(nb._mm_naive(a, b, "ikj"), a, b, "mm_naive ikj")
    local at_, bt = nb.randn(K, M):t(), nb.randn(N, K):t()
    check_product(nb._mm_naive(at_, bt, "ikj"), at_, bt, "mm_naive transposed")
  end
  local a, b = nb.randn(70, 90), nb.randn(90, 50)
  T.ok((nb._mm_naive(a, b) - a:mm(b)):abs():max():item() < 1e-4, "agrees with the BLAS product")
  T.ok(not nb._mm_naive(a:clone():requires_grad(), b).needs_grad, "no autograd node")
  T.raises(function() nb._mm_naive(nb.randn(3, 4), nb.randn(3, 4)) end, "mm_naive: expected a (M, K) and b (K, N), got a [3,4] and b [3,4]")
  T.raises(function() nb._mm_naive(nb.randn(3), nb.randn(3, 4)) end, "got a [3]")
  T.raises(function() nb._mm_naive(nb.randn(3, 4), nb.randn(4, 2), "kij") end, 'order should be "ijk" or "ikj", got "kij"')
end)

T.test("bmm and matmul: batches, broadcasting, 1-D promotion, views", function()
  for _ = 1, 20 do
    local B, M, K, N = rnd(1, 4), rnd(1, 6), rnd(1, 6), rnd(1, 6)
    local a, b = nb.randn(B, M, K), nb.randn(B, K, N)
    check_product(a:bmm(b), a, b, "bmm")
    local ap = nb.randn(M, B, K):permute(2, 1, 3)          -- batch dim not outermost
    local bp = nb.randn(B, N, K):transpose(2, 3)            -- each matrix transposed
    check_product(ap:bmm(bp), ap, bp, "bmm permuted")
    local c1, c2 = nb.randn(rnd(1, 3), 1, M, K), nb.randn(rnd(1, 3), K, N)
    check_product(c1:matmul(c2), c1, c2, "matmul broadcast batch")
    local v, w = nb.randn(K), nb.randn(K)
    check_product(v:matmul(w), v, w, "matmul 1-D · 1-D")
    check_product(a:matmul(v), a, v, "matmul 3-D · 1-D")
    check_product(v:matmul(b), v, b, "matmul 1-D · 3-D")
    check_product(a[1]:matmul(v), a[1], v, "matmul 2-D · 1-D")
    check_product(v:matmul(b[1]), v, b[1], "matmul 1-D · 2-D")
    check_product(a[1]:matmul(b), a[1], b, "matmul 2-D · 3-D")
    local be = nb.randn(1, K, N):expand(B, K, N)            -- batch stride 0
    check_product(a:matmul(be), a, be, "matmul expanded batch")
  end
end)

T.test("dot, mv, outer, linear values", function()
  local v, w = nb.randn(6), nb.randn(6)
  check_product(v:dot(w), v, w, "dot")
  check_product(nb.dot(v, w), v, w, "nabla.dot")
  local A = nb.randn(4, 6)
  check_product(A:mv(v), A, v, "mv")
  check_product(A:t():t():mv(v[{ { 1, 6 } }]), A, v, "mv view")
  local o = v:outer(nb.randn(3))
  T.eq(#o.shape, 2, "outer ndim")
  local a, b = nb.randn(5), nb.randn(3)
  check_product(a:outer(b), a:view(5, 1), b:view(1, 3), "outer")
  local x, W, bias = nb.randn(2, 3, 6), nb.randn(4, 6), nb.randn(4)
  local y = nb.linear(x, W, bias)
  local want = ref_matmul(x, W:t())
  local bf = T.flat(bias)
  for i = 1, #want do want[i] = want[i] + bf[(i - 1) % 4 + 1] end
  T.near(T.flat(y), want, 1e-4, 1e-5, "linear")
  T.eq(tostring(y.shape), tostring(nb.zeros(2, 3, 4).shape), "linear shape")
  check_product(nb.linear(x, W), x, W:t(), "linear without bias")
  check_product(nb.linear(x:transpose(1, 2), W:t():contiguous():t()), x:transpose(1, 2), W:t(),
    "linear strided")
  check_product(nb.linear(v, A), A, v, "linear 1-D")
  -- empty dims
  T.eq(tostring(nb.zeros(0, 3):mm(nb.zeros(3, 2)).shape), tostring(nb.zeros(0, 2).shape), "empty M")
  T.near(nb.zeros(2, 0):mm(nb.zeros(0, 3)), nb.zeros(2, 3), 0, 0, "K = 0 gives zeros")
end)

-- ---- gradients ----------------------------------------------------------------------

local function leaf(...) return nb.randn(...):requires_grad() end
local function leaf_t(r, c) return nb.randn(c, r):t():requires_grad() end -- a (r, c) view

T.test("gradcheck mm, bmm, matmul, dot, mv, outer", function()
  T.gradcheck(function(a, b) return a:mm(b) end, { leaf(3, 4), leaf(4, 2) }, nil, "mm")
  T.gradcheck(function(a, b) return a:mm(b) end, { leaf_t(3, 4), leaf_t(4, 2) }, nil, "mm transposed")
  T.gradcheck(function(a, b) return a:bmm(b) end, { leaf(2, 3, 4), leaf(2, 4, 2) }, nil, "bmm")
  T.gradcheck(function(a, b) return a:matmul(b) end, { leaf(2, 1, 3, 2), leaf(3, 2, 2) }, nil,
    "matmul broadcast")
  T.gradcheck(function(a, b) return a:matmul(b) end, { leaf(2, 3, 4), leaf(4, 2) }, nil,
    "matmul folded (2-D weight shared by the batch)")
  T.gradcheck(function(a, b) return a:matmul(b) end, { leaf(3, 4), leaf(2, 4, 2) }, nil,
    "matmul 2-D · 3-D")
  T.gradcheck(function(a, b) return a:matmul(b) end, { leaf(4), leaf(2, 4, 3) }, nil, "matmul 1-D · 3-D")
  T.gradcheck(function(a, b) return a:matmul(b) end, { leaf(2, 3, 4), leaf(4) }, nil, "matmul 3-D · 1-D")
  T.gradcheck(function(a, b) return a:dot(b) end, { leaf(5), leaf(5) }, nil, "dot")
  T.gradcheck(function(a, b) return a:mv(b) end, { leaf_t(3, 4), leaf(4) }, nil, "mv")
  T.gradcheck(function(a, b) return a:outer(b) end, { leaf(3), leaf(4) }, nil, "outer")
  local p = nb.randn(3, 2, 4):permute(2, 1, 3):requires_grad()
  T.gradcheck(function(a, b) return a:bmm(b) end, { p, leaf(2, 4, 3) }, nil, "bmm permuted")
end)

T.test("gradcheck linear", function()
  T.gradcheck(function(x, w, b) return nb.linear(x, w, b) end, { leaf(2, 3, 4), leaf(5, 4), leaf(5) },
    nil, "linear")
  T.gradcheck(function(x, w) return nb.linear(x, w) end, { leaf(3, 4), leaf(2, 4) }, nil,
    "linear no bias")
  T.gradcheck(function(x, w, b) return nb.linear(x, w, b) end, { leaf_t(3, 4), leaf_t(2, 4), leaf(2) },
    nil, "linear strided")
  T.gradcheck(function(x, w, b) return nb.linear(x, w, b) end, { leaf(4), leaf(3, 4), leaf(3) }, nil,
    "linear 1-D")
  -- a gradient with stride 0 (as mean() or expand() pass back) reaching the product
  local x, w = leaf(6, 3), leaf(2, 3)
  nb.linear(x, w):backward(nb.full({ 1, 1 }, 0.5):expand(6, 2))
  local gx, wf = T.flat(x.grad), T.flat(w)
  for i = 1, #gx do
    local c = (i - 1) % 3 + 1
    T.near(gx[i], 0.5 * (wf[c] + wf[3 + c]), 1e-5, 1e-6, "linear: gradient of stride 0")
  end
end)

-- ---- errors ---------------------------------------------------------------------------

T.test("error messages name the op and the shapes", function()
  local a34, b52 = nb.randn(3, 4), nb.randn(5, 2)
  T.raises(function() return a34:mm(b52) end, "mm: shapes [3,4] and [5,2] do not match (4 ≠ 5)")
  T.raises(function() return a34:mm(nb.randn(4)) end, "mm: expected 2-D tensors, got [3,4] and [4]")
  T.raises(function() return a34:bmm(nb.randn(2, 4, 5)) end,
    "bmm: expected 3-D tensors, got [3,4] and [2,4,5]")
  T.raises(function() return nb.randn(2, 3, 4):bmm(nb.randn(3, 4, 5)) end,
    "bmm: batch sizes of [2,3,4] and [3,4,5] do not match (2 ≠ 3)")
  T.raises(function() return nb.randn(2, 3, 4):bmm(nb.randn(2, 5, 5)) end,
    "bmm: shapes [2,3,4] and [2,5,5] do not match (4 ≠ 5)")
  T.raises(function() return nb.tensor(2):matmul(a34) end,
    "matmul: both arguments must be at least 1-D, got [] and [3,4]")
  T.raises(function() return nb.randn(2, 3, 4):matmul(nb.randn(3, 4, 5)) end,
    "matmul: batch dimensions of [2,3,4] and [3,4,5] cannot be broadcast (2 ≠ 3)")
  T.raises(function() return a34:matmul(nb.randn(3)) end, "matmul: shapes [3,4] and [3] do not match (4 ≠ 3)")
  T.raises(function() return nb.randn(3):dot(nb.randn(4)) end, "dot: shapes [3] and [4] do not match (3 ≠ 4)")
  T.raises(function() return a34:dot(a34) end, "dot: expected 1-D tensors, got [3,4] and [3,4]")
  T.raises(function() return a34:mv(a34) end,
    "mv: expected a 2-D matrix and a 1-D vector, got [3,4] and [3,4]")
  T.raises(function() return a34:mv(nb.randn(3)) end, "mv: shapes [3,4] and [3] do not match (4 ≠ 3)")
  T.raises(function() return a34:outer(nb.randn(2)) end, "outer: expected 1-D tensors, got [3,4] and [2]")
  T.raises(function() return nb.linear(a34, nb.randn(4)) end,
    "linear: weight must be 2-D (out_features, in_features), got [4]")
  T.raises(function() return nb.linear(nb.tensor(1), nb.randn(2, 4)) end,
    "linear: input must be at least 1-D (..., in_features), got []")
  T.raises(function() return nb.linear(a34, nb.randn(2, 5)) end,
    "linear: input [3,4] and weight [2,5] do not match (in_features: 4 ≠ 5)")
  T.raises(function() return nb.linear(a34, nb.randn(2, 4), nb.randn(3)) end,
    "linear: bias must have shape [2] (out_features), got [3]")
  T.raises(function() return a34:mm(3) end, "tensor expected, got number")
  T.raises(function() return nb.set_num_threads(0) end, "set_num_threads: expected a number of threads")
end)

T.test("blas_info and threads", function()
  local info = nb.blas_info()
  T.ok(type(info) == "string" and info:find("thread"), "blas_info: " .. tostring(info))
  print("       " .. info)
  local n = nb.get_num_threads()
  T.ok(n >= 1, "get_num_threads")
  nb.set_num_threads(1)
  T.eq(nb.get_num_threads(), 1, "set_num_threads(1)")
  local a, b = nb.randn(64, 80), nb.randn(80, 48)
  check_product(a:mm(b), a, b, "mm on one thread")
  nb.set_num_threads(n)
  T.eq(nb.get_num_threads(), n, "threads restored")
end)

-- ---- PyTorch golden values --------------------------------------------------------------

local F = {
  mm = function(a, b) return a:mm(b) end,
  mm_transposed = function(a, b) return a:t():mm(b:t()) end,
  mm_sliced = function(a, b) return a[{ ":", { 2, 5 } }]:mm(b[{ { 1, 8, 2 } }]) end,
  bmm = function(a, b) return a:bmm(b) end,
  bmm_permuted = function(a, b) return a:permute(2, 1, 3):bmm(b:permute(2, 3, 1)) end,
  dot = function(a, b) return a:dot(b) end,
  mv = function(a, b) return a:mv(b) end,
  matmul_vm = function(a, b) return a:matmul(b) end,
  matmul_v_batch = function(a, b) return a:matmul(b) end,
  matmul_batch_v = function(a, b) return a:matmul(b) end,
  matmul_broadcast = function(a, b) return a:matmul(b) end,
  matmul_nd_2d = function(a, b) return a:matmul(b) end,
  matmul_2d_nd = function(a, b) return a:matmul(b) end,
  outer = function(a, b) return a:outer(b) end,
  linear = function(x, w, b) return nb.linear(x, w, b) end,
  linear_nobias = function(x, w) return nb.linear(x, w) end,
  linear_1d = function(x, w, b) return nb.linear(x, w, b) end,
  linear_wt = function(x, w, b) return nb.linear(x, w:t(), b) end,
}

T.test("PyTorch golden values (rtol 1e-4 forward, 1e-3 gradients)", function()
  local golden = T.golden("matmul")
  local names = {}
  for k in pairs(golden) do names[#names + 1] = k end
  table.sort(names)
  for _, name in ipairs(names) do
    local g, f = golden[name], F[name]
    T.ok(f ~= nil, "no Lua function for golden case " .. name)
    local xs = {}
    for i, gi in ipairs(g.inputs) do xs[i] = T.from_golden(gi):requires_grad() end
    local out = f(table.unpack(xs))
    T.near(out, T.from_golden(g.out), 1e-4, 1e-5, name .. " forward")
    out:backward(T.from_golden(g.upstream))
    for i, gg in ipairs(g.grads) do
      T.near(xs[i].grad, T.from_golden(gg), 1e-3, 1e-4, ("%s grad %d"):format(name, i))
    end
  end
  print(("       %d golden cases"):format(#names))
end)

T.done()

-- conv2d and pooling: PyTorch golden values (tests/golden/nn_kernels.lua from
-- tests/golden/gen_nn_kernels.py; outputs at rtol 1e-4, gradients at rtol 1e-3), finite-
-- difference gradient checks (stride, padding, dilation, groups, depthwise, 1x1, pools with
-- overlap and padding, non-contiguous inputs) and every error message.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nb = require "nabla"

local ops = {
  conv_basic = function(x, w, b) return nb.conv2d(x, w, b) end,
  conv_stride_pad = function(x, w, b) return nb.conv2d(x, w, b, { stride = { 2, 1 }, padding = { 1, 2 } }) end,
  conv_dilation = function(x, w, b) return nb.conv2d(x, w, b, { padding = 1, dilation = 2 }) end,
  conv_groups = function(x, w, b) return nb.conv2d(x, w, b, { stride = 2, padding = 1, groups = 2 }) end,
  conv_depthwise = function(x, w) return nb.conv2d(x, w, nil, { padding = 1, groups = 3 }) end,
  conv_1x1 = function(x, w, b) return nb.conv2d(x, w, b) end,
  conv_1x1_stride = function(x, w) return nb.conv2d(x, w, nil, { stride = 2 }) end,
  conv_unbatched = function(x, w, b) return nb.conv2d(x, w, b, { padding = 1 }) end,
  conv_5x5_same = function(x, w, b) return nb.conv2d(x, w, b, { padding = "same" }) end,
  max_pool = function(x) return nb.max_pool2d(x, 2) end,
  max_pool_overlap_pad = function(x) return nb.max_pool2d(x, 3, 2, 1) end,
  max_pool_dilation_ceil = function(x) return nb.max_pool2d(x, 2, 2, 0, 2, true) end,
  max_pool_rect = function(x) return nb.max_pool2d(x, { 2, 3 }, { 1, 2 }, { 1, 1 }) end,
  avg_pool = function(x) return nb.avg_pool2d(x, 2) end,
  avg_pool_pad = function(x) return nb.avg_pool2d(x, 3, 2, 1) end,
  avg_pool_pad_exclude_ceil = function(x) return nb.avg_pool2d(x, 3, 2, 1, true, false) end,
  adaptive_avg_global = function(x) return nb.adaptive_avg_pool2d(x, { 1, 1 }) end,
  adaptive_avg_4x5 = function(x) return nb.adaptive_avg_pool2d(x, { 4, 5 }) end,
  adaptive_avg_unbatched = function(x) return nb.adaptive_avg_pool2d(x, 3) end,
}

-- Every golden case of this file: forward at rtol 1e-4, gradients at rtol 1e-3.
local golden = T.golden("nn_kernels")
local names = {}
for k in pairs(ops) do names[#names + 1] = k end
table.sort(names)
-- golden case `name` through f(inputs...): the output and every needed gradient
local function check_golden(name, f)
  local g = golden[name]
  T.ok(g, "no golden case " .. name)
  local xs = {}
  for i, gi in ipairs(g.inputs) do
    xs[i] = T.from_golden(gi)
    if g.needs[i] then xs[i]:requires_grad() end
  end
  local out = f(table.unpack(xs))
  T.near(out, T.from_golden(g.out), 1e-4, 1e-5, name .. " forward")
  out:backward(T.from_golden(g.upstream))
  for i, gg in ipairs(g.grads) do
    if g.needs[i] then T.near(xs[i].grad, T.from_golden(gg), 1e-3, 1e-4, name .. " grad of input " .. i) end
  end
end
for _, name in ipairs(names) do
  T.test("golden " .. name, function() check_golden(name, ops[name]) end)
end

-- The direct path (src/ops/convmm.c) and the im2col path, on the same golden cases: channel
-- counts that the direct kernels take (multiples of 16), each case run with either algorithm.
local direct_cases = {
  conv_direct_pad = { padding = { 1, 2 } },
  conv_direct_dilation = { padding = 1, dilation = 2 },
  conv_direct_5x5 = {},
  conv_direct_rect = { padding = { 0, 1 } },
  conv_direct_few_channels = { padding = 1 },
}
for name, opts in pairs(direct_cases) do
  for _, algorithm in ipairs { "direct", "im2col", "auto" } do
    local o = { algorithm = algorithm }
    for k, v in pairs(opts) do o[k] = v end
    T.test("golden " .. name .. " " .. algorithm, function()
      check_golden(name, function(x, w, b) return nb.conv2d(x, w, b, o) end)
    end)
  end
end

T.test("direct and im2col agree on the MNIST CNN's layers (batch 4) and on one image", function()
  nb.manual_seed(11)
  for _, c in ipairs { { 32, 14, 64, 3, 1 }, { 32, 26, 64, 3, 0 }, { 16, 12, 32, 5, 0 }, { 1, 28, 32, 3, 0 },
                       { 1, 28, 32, 3, 1 }, { 1, 28, 16, 5, 0 }, { 3, 11, 16, 3, 1, 3 }, { 16, 9, 16, 3, 1, 1 } } do
    local C, H, O, k, pad, N = table.unpack(c)
    local x, w, b = nb.randn(N or 4, C, H, H), nb.randn(O, C, k, k) * 0.1, nb.randn(O)
    local up
    local res = {}
    for _, algorithm in ipairs { "im2col", "direct" } do
      local xg, wg, bg = x:detach():requires_grad(), w:detach():requires_grad(), b:detach():requires_grad()
      local y = nb.conv2d(xg, wg, bg, { padding = pad, algorithm = algorithm })
      up = up or nb.randn(table.unpack(y.shape))
      y:backward(up)
      res[algorithm] = { y, xg.grad, wg.grad, bg.grad }
    end
    for i, what in ipairs { "output", "dx", "dW", "db" } do
      T.near(res.direct[i], res.im2col[i], 1e-4, 1e-4, ("%dc%d %s"):format(O, k, what))
    end
  end
end)

-- ---- finite differences -------------------------------------------------------------------
nb.manual_seed(7)
local function leaf(...) return nb.randn(...):requires_grad() end
-- an NCHW tensor stored as NHWC: a non-contiguous input
local function nhwc(n, c, h, w) return nb.randn(n, h, w, c):permute(1, 4, 2, 3):detach():requires_grad() end
-- distinct values at least 0.1 apart, so that a small step never changes which one is the max
local function distinct(...)
  local shape = { ... }
  local n = 1
  for _, s in ipairs(shape) do n = n * s end
  local v = {}
  for i = 1, n do v[i] = i end
  math.randomseed(3)
  for i = n, 2, -1 do
    local j = math.random(i)
    v[i], v[j] = v[j], v[i]
  end
  for i = 1, n do v[i] = (v[i] - n / 2) * 0.1 end
  return nb.tensor(v):view(shape):requires_grad()
end

local checks = {
  { "conv plain", function(x, w, b) return nb.conv2d(x, w, b) end, { leaf(2, 3, 5, 4), leaf(2, 3, 3, 2), leaf(2) } },
  { "conv stride 2 padding 1", function(x, w, b) return nb.conv2d(x, w, b, { stride = 2, padding = 1 }) end,
    { leaf(2, 2, 6, 5), leaf(3, 2, 3, 3), leaf(3) } },
  { "conv stride {1,3} padding {2,0}", function(x, w) return nb.conv2d(x, w, nil, { stride = { 1, 3 }, padding = { 2, 0 } }) end,
    { leaf(1, 2, 4, 7), leaf(2, 2, 2, 3) } },
  { "conv dilation 2", function(x, w, b) return nb.conv2d(x, w, b, { dilation = 2, padding = 2 }) end,
    { leaf(1, 2, 6, 6), leaf(2, 2, 3, 3), leaf(2) } },
  { "conv dilation {2,1} stride 2", function(x, w) return nb.conv2d(x, w, nil, { dilation = { 2, 1 }, stride = 2 }) end,
    { leaf(2, 1, 7, 6), leaf(2, 1, 2, 3) } },
  { "conv groups 2", function(x, w, b) return nb.conv2d(x, w, b, { groups = 2, padding = 1 }) end,
    { leaf(2, 4, 4, 4), leaf(4, 2, 3, 3), leaf(4) } },
  { "conv groups 2, no padding", function(x, w, b) return nb.conv2d(x, w, b, { groups = 2 }) end,
    { leaf(2, 4, 5, 4), leaf(6, 2, 2, 3), leaf(6) } },
  { "conv depthwise (groups = C)", function(x, w, b) return nb.conv2d(x, w, b, { groups = 3, padding = 1 }) end,
    { leaf(2, 3, 4, 4), leaf(3, 1, 3, 3), leaf(3) } },
  { "conv depthwise multiplier 2", function(x, w) return nb.conv2d(x, w, nil, { groups = 2, stride = 2 }) end,
    { leaf(1, 2, 5, 5), leaf(4, 1, 2, 2) } },
  { "conv 1x1", function(x, w, b) return nb.conv2d(x, w, b) end, { leaf(2, 3, 3, 4), leaf(4, 3, 1, 1), leaf(4) } },
  { "conv 1x1 padding 1", function(x, w) return nb.conv2d(x, w, nil, { padding = 1 }) end, { leaf(1, 3, 2, 3), leaf(2, 3, 1, 1) } },
  { "conv non-contiguous input", function(x, w, b) return nb.conv2d(x, w, b, { padding = 1 }) end,
    { nhwc(2, 3, 4, 4), leaf(2, 3, 3, 3), leaf(2) } },
  { "conv direct path, padding {1,2}", function(x, w, b) return nb.conv2d(x, w, b, { padding = { 1, 2 }, algorithm = "direct" }) end,
    { leaf(2, 16, 3, 4), leaf(16, 16, 3, 2), leaf(16) } },
  { "conv direct path, dilation 2", function(x, w) return nb.conv2d(x, w, nil, { padding = 1, dilation = 2, algorithm = "direct" }) end,
    { leaf(1, 16, 4, 4), leaf(32, 16, 2, 2) } },
  { "conv non-contiguous weight", function(x, w) return nb.conv2d(x, w) end,
    { leaf(1, 2, 4, 4), nb.randn(2, 2, 3, 3):transpose(3, 4):detach():requires_grad() } },
  { "max_pool 2", function(x) return nb.max_pool2d(x, 2) end, { distinct(2, 2, 4, 5) } },
  { "max_pool overlap 3/2 padding 1", function(x) return nb.max_pool2d(x, 3, 2, 1) end, { distinct(1, 2, 5, 6) } },
  { "max_pool dilation ceil_mode", function(x) return nb.max_pool2d(x, 2, 2, 1, 2, true) end, { distinct(1, 2, 6, 7) } },
  { "avg_pool overlap padding", function(x) return nb.avg_pool2d(x, 3, 2, 1) end, { leaf(2, 2, 5, 6) } },
  { "avg_pool exclude padding ceil", function(x) return nb.avg_pool2d(x, { 3, 2 }, { 2, 1 }, { 1, 1 }, true, false) end, { leaf(1, 2, 5, 4) } },
  { "avg_pool non-contiguous", function(x) return nb.avg_pool2d(x, 2) end, { nhwc(1, 3, 4, 4) } },
  { "conv_transpose plain", function(x, w, b) return nb.conv_transpose2d(x, w, b) end,
    { leaf(2, 3, 3, 4), leaf(3, 2, 3, 2), leaf(2) } },
  { "conv_transpose stride 2 padding 1", function(x, w, b) return nb.conv_transpose2d(x, w, b, { stride = 2, padding = 1 }) end,
    { leaf(2, 2, 3, 3), leaf(2, 3, 4, 4), leaf(3) } },
  { "conv_transpose output_padding {1,0} stride {2,3}", function(x, w)
      return nb.conv_transpose2d(x, w, nil, { stride = { 2, 3 }, padding = 1, output_padding = { 1, 0 } }) end,
    { leaf(1, 2, 3, 2), leaf(2, 2, 3, 3) } },
  { "conv_transpose dilation 2 groups 2", function(x, w, b)
      return nb.conv_transpose2d(x, w, b, { dilation = 2, groups = 2, stride = 2 }) end,
    { leaf(2, 4, 2, 3), leaf(4, 1, 2, 2), leaf(2) } },
  { "conv_transpose unbatched, non-contiguous", function(x, w) return nb.conv_transpose2d(x, w, nil, { stride = 2 }) end,
    { nb.randn(3, 3, 2):transpose(2, 3):detach():requires_grad(), leaf(3, 2, 3, 3) } },
  { "interpolate nearest x2", function(x) return nb.interpolate(x, { scale_factor = 2 }) end, { leaf(2, 2, 3, 4) } },
  { "interpolate nearest to 5x7", function(x) return nb.interpolate(x, { size = { 5, 7 } }) end, { leaf(1, 2, 3, 4) } },
  { "interpolate bilinear x2", function(x) return nb.interpolate(x, { scale_factor = 2, mode = "bilinear" }) end,
    { leaf(2, 2, 3, 4) } },
  { "interpolate bilinear align_corners to 4x9", function(x)
      return nb.interpolate(x, { size = { 4, 9 }, mode = "bilinear", align_corners = true }) end, { leaf(1, 2, 3, 4) } },
  { "adaptive_avg_pool 3x2", function(x) return nb.adaptive_avg_pool2d(x, { 3, 2 }) end, { leaf(2, 2, 7, 5) } },
  { "global average pool", function(x) return nb.adaptive_avg_pool2d(x, 1) end, { leaf(2, 3, 3, 3) } },
}
for _, c in ipairs(checks) do
  T.test("gradcheck " .. c[1], function() T.gradcheck(c[2], c[3], nil, c[1]) end)
end

-- ---- behaviour ------------------------------------------------------------------------------
T.test("conv2d shapes for the MNIST CNN layers", function()
  local x = nb.randn(4, 1, 28, 28)
  local y = nb.conv2d(x, nb.randn(32, 1, 3, 3), nb.randn(32))
  T.ok(T.same_shape(y.shape, { 4, 32, 26, 26 }), "32c3: " .. tostring(y.shape))
  y = nb.conv2d(y, nb.randn(64, 32, 3, 3), nil)
  T.ok(T.same_shape(y.shape, { 4, 64, 24, 24 }), "64c3: " .. tostring(y.shape))
  T.ok(T.same_shape(nb.max_pool2d(y, 2).shape, { 4, 64, 12, 12 }), "pool")
  T.ok(T.same_shape(nb.conv2d(x, nb.randn(16, 1, 5, 5), nil, { padding = "same" }).shape, { 4, 16, 28, 28 }), "same")
end)

T.test("conv_transpose2d is the adjoint of conv2d: <conv(x), y> = <x, convT(y)>", function()
  for _, o in ipairs { { stride = 2, padding = 1 }, { stride = { 3, 2 }, dilation = 2 }, {} } do
    local x, w = nb.randn(2, 3, 9, 8), nb.randn(4, 3, 3, 3)
    local y = nb.conv2d(x, w, nil, o)
    local r = nb.randn(table.unpack(y.shape))
    local oc = { stride = o.stride, padding = o.padding, dilation = o.dilation }
    local xt = nb.conv_transpose2d(r, w, nil, oc)
    -- x's last rows and columns that the stride left over come back with output_padding,
    -- or (when more than output_padding may add) were never read by conv2d
    local op, s = {}, o.stride or 1
    for k = 1, 2 do
      local sk = type(s) == "table" and s[k] or s
      op[k] = math.min(x.shape[2 + k] - xt.shape[2 + k], sk - 1)
    end
    oc.output_padding = op
    xt = nb.conv_transpose2d(r, w, nil, oc)
    local a = (y * r):sum():item()
    local xs = x:narrow(3, 1, xt.shape[3]):narrow(4, 1, xt.shape[4])
    T.near(nb.tensor(a), (xs * xt):sum(), 1e-4, 1e-3, "adjoint " .. tostring(o.stride))
  end
end)

T.test("conv_transpose2d stamps the kernel: stride 2 doubles the size, nn layers' shapes", function()
  local x = nb.zeros(1, 1, 2, 2)
  x[{ 1, 1, 1, 1 }] = 1
  x[{ 1, 1, 2, 2 }] = 2
  local w = nb.ones(1, 1, 2, 2)
  local y = nb.conv_transpose2d(x, w, nil, { stride = 2 })
  T.near(y:view(16), nb.tensor { 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 2, 2, 0, 0, 2, 2 }, 0, 0, "stamps")
  local z = nb.nn.ConvTranspose2d(8, 4, 4, 2, 1)(nb.randn(3, 8, 7, 7))
  T.ok(T.same_shape(z.shape, { 3, 4, 14, 14 }), "7 -> 14: " .. tostring(z.shape))
  local u = nb.nn.Upsample{ scale_factor = 2 }(nb.arange(1, 5):view(1, 1, 2, 2))
  T.near(u:view(16), nb.tensor { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 }, 0, 0, "nearest")
end)

T.test("conv2d of a one-hot image is the flipped kernel pattern (cross-correlation)", function()
  local x = nb.zeros(1, 1, 3, 3)
  x[{ 1, 1, 2, 2 }] = 1
  local w = nb.arange(1, 10):view(1, 1, 3, 3)
  local y = nb.conv2d(x, w, nil, { padding = 1 })
  T.near(y:view(9), nb.tensor { 9, 8, 7, 6, 5, 4, 3, 2, 1 }, 0, 0, "correlation")
end)

T.test("conv2d in no_grad records nothing and matches", function()
  local x, w = nb.randn(2, 2, 4, 4):requires_grad(), nb.randn(3, 2, 2, 2):requires_grad()
  local a = nb.conv2d(x, w)
  local b = nb.no_grad(function() return nb.conv2d(x, w) end)
  T.ok(a.needs_grad and not b.needs_grad and b.grad_fn == nil, "grad flags")
  T.near(a, b, 0, 0, "same values")
end)

T.test("conv2d batch of 1 and batch of many agree", function()
  local x, w, b = nb.randn(3, 4, 6, 6), nb.randn(5, 4, 3, 3), nb.randn(5)
  local all = nb.conv2d(x, w, b, { padding = 1 })
  for i = 1, 3 do
    local one = nb.conv2d(x[{ { i, i } }], w, b, { padding = 1 })
    T.near(one, all[{ { i, i } }], 1e-5, 1e-5, "image " .. i)
  end
end)

T.test("max_pool2d returns 1-based indices", function()
  local x = nb.tensor { { { { 1, 5, 2, 0 }, { 3, 4, 8, 1 } } } }
  local y, idx = nb.max_pool2d(x, 2, nil, nil, nil, nil, true)
  T.near(y:view(2), nb.tensor { 5, 8 }, 0, 0, "max")
  T.near(idx:view(2), nb.tensor { 2, 7 }, 0, 0, "positions in the 2x4 plane")
end)

T.test("max_pool2d propagates NaN", function()
  local x = nb.tensor { { { { 1, 0 / 0 }, { 3, 4 } } } }
  local y = nb.max_pool2d(x, 2):item()
  T.ok(y ~= y, "NaN wins")
end)

-- The 2x2, stride-2 max pool has its own forward kernel (vectorised, 16 outputs of a row at a
-- time, with a masked last group; the backward scatters through its indices). It must agree with a
-- plain loop and with the general kernel (ceil_mode on odd sizes takes the general path,
-- whose extra last row and column are cut off) on odd sizes, rows of more than 16 outputs,
-- ties and NaNs, values and 1-based indices, forward and backward.
local function pool2x2_reference(x, g)
  local N, C, H, W = x.shape[1], x.shape[2], x.shape[3], x.shape[4]
  local OH, OW = H // 2, W // 2
  local xs, gs = x:contiguous():view(-1):tolist(), g:contiguous():view(-1):tolist()
  local y, idx, dx = {}, {}, {}
  for k = 1, N * C * H * W do dx[k] = 0 end
  for p = 0, N * C - 1 do
    for i = 0, OH - 1 do
      for j = 0, OW - 1 do
        local best, at = nil, nil
        for a = 0, 1 do
          for b = 0, 1 do
            local k = (2 * i + a) * W + 2 * j + b
            local v = xs[p * H * W + k + 1]
            if best == nil or v > best or v ~= v then best, at = v, k end
          end
        end
        local o = p * OH * OW + i * OW + j + 1
        y[o], idx[o] = best, at + 1
        dx[p * H * W + at + 1] = dx[p * H * W + at + 1] + gs[o]
      end
    end
  end
  return nb.tensor(y):view(N, C, OH, OW), nb.tensor(idx):view(N, C, OH, OW), nb.tensor(dx):view(N, C, H, W)
end

local function same_values(a, b, msg) -- exact, NaN equal to NaN
  local av, bv = a:contiguous():view(-1):tolist(), b:contiguous():view(-1):tolist()
  T.ok(#av == #bv, msg .. ": sizes")
  for k = 1, #av do
    T.ok(av[k] == bv[k] or (av[k] ~= av[k] and bv[k] ~= bv[k]), ("%s: element %d: %s vs %s"):format(msg, k, av[k], bv[k]))
  end
end

T.test("max_pool2d 2x2 fast path agrees with a plain loop and the general kernel", function()
  nb.manual_seed(7)
  math.randomseed(7)
  local shapes = { { 2, 3, 7, 9 }, { 1, 2, 6, 34 }, { 3, 1, 5, 40 }, { 1, 1, 2, 2 }, { 2, 2, 9, 33 },
    { 1, 3, 28, 28 }, { 2, 4, 14, 14 }, { 1, 2, 3, 3 }, { 2, 1, 11, 67 } }
  for _, s in ipairs(shapes) do
    local name = table.concat(s, "x")
    for _, kind in ipairs { "random", "ties", "nan" } do
      local x
      if kind == "random" then
        x = nb.randn(table.unpack(s))
      else -- small integers: many windows hold their max twice; the first one wins
        local n = 1
        for _, d in ipairs(s) do n = n * d end
        local v = {}
        for k = 1, n do v[k] = (kind == "nan" and math.random() < 0.1) and 0 / 0 or math.random(0, 2) end
        x = nb.tensor(v):view(s)
      end
      x = x:detach():requires_grad()
      local g = nb.randn(s[1], s[2], s[3] // 2, s[4] // 2)
      local y, idx = nb.max_pool2d(x, 2, nil, nil, nil, nil, true)
      y:backward(g)
      local ry, ridx, rdx = pool2x2_reference(x:detach(), g)
      same_values(y, ry, name .. " " .. kind .. " values")
      same_values(idx, ridx, name .. " " .. kind .. " indices")
      same_values(x.grad, rdx, name .. " " .. kind .. " gradient")
      if s[3] % 2 == 1 and s[4] % 2 == 1 then -- the general kernel, through ceil_mode
        local x2 = x:detach():requires_grad()
        local yg, ig = nb.max_pool2d(x2, 2, 2, 0, 1, true, true)
        yg = yg:narrow(3, 1, s[3] // 2):narrow(4, 1, s[4] // 2)
        same_values(y, yg, name .. " " .. kind .. " general values")
        same_values(idx, ig:narrow(3, 1, s[3] // 2):narrow(4, 1, s[4] // 2), name .. " " .. kind .. " general indices")
        yg:backward(g)
        same_values(x.grad, x2.grad, name .. " " .. kind .. " general gradient")
      end
    end
  end
end)

T.test("avg_pool2d count_include_pad", function()
  local x = nb.ones(1, 1, 2, 2)
  T.near(nb.avg_pool2d(x, 2, 1, 1):view(9), nb.tensor { 0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25 }, 1e-6, 0, "include")
  T.near(nb.avg_pool2d(x, 2, 1, 1, false, false):view(9), nb.ones(9), 1e-6, 0, "exclude")
end)

-- ---- errors ---------------------------------------------------------------------------------
T.test("errors name the op and the shapes", function()
  T.raises(function() nb.conv2d(nb.randn(64, 3, 28, 28), nb.randn(32, 1, 3, 3)) end,
    "conv2d: input [64,3,28,28] has 3 channels, weight [32,1,3,3] expects 1")
  T.raises(function() nb.conv2d(nb.randn(2, 4, 8, 8), nb.randn(4, 1, 3, 3), nil, { groups = 2 }) end,
    "conv2d: input [2,4,8,8] has 4 channels, weight [4,1,3,3] expects 2 (1 per group × 2 groups)")
  T.raises(function() nb.conv2d(nb.randn(1, 3, 4, 4), nb.randn(2, 1, 3, 3), nil, { groups = 2 }) end,
    "groups=2 must divide", "3 input channels")
  T.raises(function() nb.conv2d(nb.randn(1, 1, 3, 3), nb.randn(2, 1, 5, 5)) end,
    "conv2d: the 5x5 kernel (dilation 1x1) is larger than the input [1,1,3,3] padded by 0x0")
  T.raises(function() nb.conv2d(nb.randn(1, 1, 5, 5), nb.randn(2, 1, 3, 3), nil, { dilation = 3 }) end,
    "is larger than the input")
  T.raises(function() nb.conv2d(nb.randn(1, 1, 5, 5), nb.randn(2, 1, 3, 3), nb.randn(3)) end,
    "conv2d: bias has shape [3], expected [2]")
  T.raises(function() nb.conv2d(nb.randn(1, 5, 5), nb.randn(2, 3, 3)) end, "conv2d: weight must have shape")
  T.raises(function() nb.conv2d(nb.randn(5, 5), nb.randn(2, 1, 3, 3)) end,
    "conv2d: expected an input of shape (N, C, H, W) or (C, H, W), got [5,5]")
  T.raises(function() nb.conv2d(nb.randn(1, 1, 5, 5), nb.randn(2, 1, 3, 3), nil, { stride = 0 }) end,
    "must be positive")
  T.raises(function() nb.conv2d(nb.randn(1, 1, 5, 5), nb.randn(2, 1, 3, 3), nil, { strides = 2 }) end,
    "conv2d: unknown option 'strides' (options: stride, padding, dilation, groups, algorithm)")
  T.raises(function() nb.conv2d(nb.randn(1, 1, 5, 5), nb.randn(2, 1, 3, 3), nil, { algorithm = "fft" }) end,
    "conv2d: algorithm must be \"auto\", \"im2col\" or \"direct\", got fft")
  T.raises(function() nb.conv2d(nb.randn(1, 1, 5, 5), nb.randn(2, 1, 4, 4), nil, { padding = "same" }) end,
    "padding='same' with a kernel of 4")
  T.raises(function() nb.conv2d(nb.randn(1, 1, 5, 5), nb.randn(2, 1, 3, 3), nil, { padding = 1.5 }) end,
    "padding must be an integer")
  T.raises(function() nb.conv_transpose2d(nb.randn(2, 3, 4, 4), nb.randn(4, 2, 3, 3)) end,
    "conv_transpose2d: input [2,3,4,4] has 3 channels, weight [4,2,3,3] expects 4")
  T.raises(function() nb.conv_transpose2d(nb.randn(2, 3, 4, 4), nb.randn(3, 2, 3, 3), nil, { stride = 2, output_padding = 2 }) end,
    "conv_transpose2d: output_padding 2x2 must be smaller than the stride 2x2")
  T.raises(function() nb.conv_transpose2d(nb.randn(1, 3, 2, 2), nb.randn(3, 2, 3, 3), nil, { padding = 3 }) end,
    "conv_transpose2d: the output of input [1,3,2,2] would be -2x-2")
  T.raises(function() nb.conv_transpose2d(nb.randn(1, 3, 2, 2), nb.randn(3, 2, 3, 3), nb.randn(3)) end,
    "conv_transpose2d: bias has shape [3], expected [2]")
  T.raises(function() nb.conv_transpose2d(nb.randn(1, 3, 2, 2), nb.randn(3, 2, 3, 3), nil, { groups = 2 }) end,
    "groups=2 must divide the 3 input channels")
  T.raises(function() nb.conv_transpose2d(nb.randn(1, 3, 2, 2), nb.randn(3, 2, 3, 3), nil, { outputpadding = 1 }) end,
    "conv_transpose2d: unknown option 'outputpadding'")
  T.raises(function() nb.interpolate(nb.randn(3, 4, 4), { scale_factor = 2 }) end,
    "upsample_nearest: expected images of shape (N, C, H, W), got [3,4,4]")
  T.raises(function() nb.interpolate(nb.randn(1, 3, 4, 4), { scale_factor = 2, size = 8 }) end,
    "interpolate: give exactly one of size and scale_factor")
  T.raises(function() nb.interpolate(nb.randn(1, 3, 4, 4), { scale_factor = -1 }) end,
    "interpolate: scale_factor -1.0 must be positive")
  T.raises(function() nb.interpolate(nb.randn(1, 3, 4, 4), { size = 0, mode = "bilinear" }) end,
    "upsample_bilinear: output size 0x0 of input [1,3,4,4] must be positive")
  T.raises(function() nb.interpolate(nb.randn(1, 3, 4, 4), { size = 8, mode = "bicubic" }) end,
    "interpolate: mode must be")
  T.raises(function() nb.nn.ConvTranspose2d(4, 2, 3, { stride = 2, output_padding = 2 }) end,
    "nn.ConvTranspose2d: output_padding (2, 2) must be smaller than the stride (2, 2)")
  T.raises(function() nb.nn.Upsample{} end, "nn.Upsample: give exactly one of size and scale_factor")
  T.raises(function() nb.max_pool2d(nb.randn(1, 1, 2, 2), 3) end,
    "max_pool2d: the 3x3 window (dilation 1x1, padding 0x0) is larger than the input [1,1,2,2]")
  T.raises(function() nb.max_pool2d(nb.randn(1, 1, 8, 8), 2, 2, 2) end,
    "max_pool2d:", "the padding must be at most half the kernel size")
  T.raises(function() nb.avg_pool2d(nb.randn(8, 8), 2) end,
    "avg_pool2d: expected an input of shape (N, C, H, W) or (C, H, W), got [8,8]")
  T.raises(function() nb.adaptive_avg_pool2d(nb.randn(1, 1, 4, 4), { 0, 2 }) end,
    "adaptive_avg_pool2d: output size 0x2 must be positive")
  T.raises(function() nb.max_pool2d(nb.randn(1, 1, 4, 4)) end, "max_pool2d: the kernel size (argument 2) is missing")
end)

T.done()

-- The fused recurrent ops of src/ops/rnn.c against the cells written with ordinary ops in
-- lua/nabla/nn/rnn.lua (layer.fused = false): nn.LSTM and nn.GRU run whole sequences
-- through nabla.lstm_seq / nabla.gru_seq; outputs, final states and every gradient agree
-- over layers, directions, batch_first, initial states, no bias, unbatched input and a
-- batch large enough for the threaded path. Then the one-step cells (nabla.lstm_cell,
-- nabla.gru_cell) by finite differences, saturated gates, and the errors.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local nn = nabla.nn

-- runs m on x (and state) fused and unfused; compares everything that comes out
local function agree(name, m, x, state, tol)
  tol = tol or 2e-5
  local results = {}
  for _, fused in ipairs{ true, false } do
    m.fused = fused
    m:zero_grad()
    local xi = x:detach():requires_grad()
    local st = state
    if st then
      if nabla.is_tensor(st) then st = st:detach():requires_grad()
      else st = { st[1]:detach():requires_grad(), st[2]:detach():requires_grad() } end
    end
    local out, s = m(xi, st)
    local h = nabla.is_tensor(s) and s or s[1]
    local c = not nabla.is_tensor(s) and s[2] or nil
    -- every output reaches the loss, with different weights
    local loss = (out * nabla.linspace(-1, 1, out:numel()):view(out.shape)):sum() + (h * 0.7):sum()
    if c then loss = loss + (c * c):sum() end
    loss:backward()
    local r = { out = out:detach(), h = h:detach(), c = c and c:detach(), x = xi.grad }
    if st then
      r.h0 = nabla.is_tensor(st) and st.grad or st[1].grad
      r.c0 = not nabla.is_tensor(st) and st[2].grad or nil
    end
    for pname, p in m:named_parameters() do r[pname] = p.grad end
    results[#results + 1] = r
  end
  m.fused = true
  local a, b = results[1], results[2]
  local n = 0
  for k, v in pairs(b) do
    T.ok(a[k] ~= nil, name .. ": fused run has no " .. k)
    T.near(a[k], v, tol, tol, name .. ": " .. k)
    n = n + 1
  end
  T.ok(n >= 5, name .. ": compared " .. n .. " results")
end

T.test("LSTM: fused cell = the cell written with ops (outputs, states, all gradients)", function()
  nabla.manual_seed(1)
  agree("1 layer", nn.LSTM(5, 7), nabla.randn(6, 3, 5))
  agree("2 layers bidirectional batch_first", nn.LSTM(4, 6, { num_layers = 2, bidirectional = true,
    batch_first = true }), nabla.randn(3, 5, 4))
  agree("with h0, c0", nn.LSTM(3, 4), nabla.randn(5, 2, 3), { nabla.randn(1, 2, 4), nabla.randn(1, 2, 4) })
  agree("no bias", nn.LSTM(3, 4, { bias = false }), nabla.randn(4, 2, 3))
  agree("unbatched", nn.LSTM(3, 4), nabla.randn(5, 3))
end)

T.test("GRU: fused cell = the cell written with ops (outputs, states, all gradients)", function()
  nabla.manual_seed(2)
  agree("1 layer", nn.GRU(5, 7), nabla.randn(6, 3, 5))
  agree("2 layers bidirectional batch_first", nn.GRU(4, 6, { num_layers = 2, bidirectional = true,
    batch_first = true }), nabla.randn(3, 5, 4))
  agree("with h0", nn.GRU(3, 4), nabla.randn(5, 2, 3), nabla.randn(1, 2, 4))
  agree("no bias", nn.GRU(3, 4, { bias = false }), nabla.randn(4, 2, 3))
  agree("unbatched", nn.GRU(3, 4), nabla.randn(5, 3))
end)

T.test("a batch large enough to split over threads gives the same numbers", function()
  nabla.manual_seed(3)
  agree("LSTM B=300 H=128", nn.LSTM(8, 128), nabla.randn(3, 300, 8), nil, 1e-4)
  agree("GRU B=300 H=128", nn.GRU(8, 128), nabla.randn(3, 300, 8), nil, 1e-4)
end)

-- With H a multiple of 16 (and vector kernels), a sequence runs as one parallel region
-- with the hidden units split over the threads in chunks of 16 (src/ops/rnn.c): one chunk
-- (a thread may get none), an odd number of chunks, odd batches and lengths, both
-- directions, no bias, given states, two layers.
T.test("the hidden units split over the threads give the same numbers", function()
  nabla.manual_seed(5)
  agree("LSTM H=16 B=5 T=7", nn.LSTM(3, 16), nabla.randn(7, 5, 3), nil, 1e-4)
  agree("GRU H=16 B=5 T=7", nn.GRU(3, 16), nabla.randn(7, 5, 3), nil, 1e-4)
  -- one chunk of 16 units on two threads (when there are two): the second has none
  agree("LSTM H=16 B=401 T=3", nn.LSTM(3, 16), nabla.randn(3, 401, 3), nil, 1e-4)
  agree("GRU H=16 B=401 T=3", nn.GRU(3, 16), nabla.randn(3, 401, 3), nil, 1e-4)
  agree("LSTM H=48 B=67 T=3 bidirectional, h0 and c0", nn.LSTM(5, 48, { bidirectional = true }), nabla.randn(3, 67, 5),
    { nabla.randn(2, 67, 48), nabla.randn(2, 67, 48) }, 1e-4)
  agree("GRU H=48 B=67 T=3 bidirectional, h0", nn.GRU(5, 48, { bidirectional = true }), nabla.randn(3, 67, 5),
    nabla.randn(2, 67, 48), 1e-4)
  agree("LSTM H=32 no bias, 2 layers, batch_first", nn.LSTM(4, 32, { bias = false, num_layers = 2, batch_first = true }),
    nabla.randn(9, 4, 4), nil, 1e-4)
  agree("GRU H=32 no bias, 2 layers, batch_first", nn.GRU(4, 32, { bias = false, num_layers = 2, batch_first = true }),
    nabla.randn(9, 4, 4), nil, 1e-4)
  agree("LSTM H=128 B=64 T=28 (the MNIST reader)", nn.LSTM(28, 128, { batch_first = true }), nabla.randn(64, 28, 28), nil, 1e-4)
  agree("GRU H=128 B=64 T=28 (the MNIST reader)", nn.GRU(28, 128, { batch_first = true }), nabla.randn(64, 28, 28), nil, 1e-4)
end)

T.test("the cells alone: finite differences, and saturated gates stay finite", function()
  nabla.manual_seed(4)
  local B, H = 3, 4
  local gx, gh = nabla.randn(B, 4 * H):requires_grad(), nabla.randn(B, 4 * H):requires_grad()
  local c = nabla.randn(B, H):requires_grad()
  T.gradcheck(function(a, b, cc) return nabla.lstm_cell(a, b, cc) end, { gx, gh, c },
    { eps = 1e-2, rtol = 2e-2, atol = 2e-3 }, "lstm_cell")
  local gx3, gh3 = nabla.randn(B, 3 * H):requires_grad(), nabla.randn(B, 3 * H):requires_grad()
  local h = nabla.randn(B, H):requires_grad()
  T.gradcheck(function(a, b, hh) return nabla.gru_cell(a, b, hh) end, { gx3, gh3, h },
    { eps = 1e-2, rtol = 2e-2, atol = 2e-3 }, "gru_cell")
  -- huge pre-activations: gates at 0 or 1, tanh at ±1, gradients 0, nothing NaN
  local signs = {}
  for i = 1, B do
    signs[i] = {}
    for j = 1, 4 * H do signs[i][j] = (i + j) % 2 == 0 and 1e4 or -1e4 end
  end
  local big = nabla.tensor(signs):requires_grad()
  local hc = nabla.lstm_cell(big, nabla.zeros(B, 4 * H), nabla.ones(B, H))
  hc:sum():backward()
  local function finite(t)
    for _, v in ipairs(t:reshape(t:numel()):tolist()) do
      if v ~= v or math.abs(v) == math.huge then return false end
    end
    return true
  end
  T.ok(finite(hc) and finite(big.grad), "saturated LSTM stays finite")
  T.near(big.grad, nabla.zeros(B, 4 * H), 0, 1e-6, "saturated gates pass no gradient")
  local g = nabla.gru_cell(nabla.full({ B, 3 * H }, -1e4), nabla.zeros(B, 3 * H), nabla.ones(B, H))
  T.near(g, nabla.full({ B, H }, -1), 0, 1e-6, "z = 0 and n = tanh(-1e4): h' = n = -1")
end)

T.test("the cell under no_grad records nothing, and errors name the op and shapes", function()
  local hc = nabla.no_grad(function()
    return nabla.lstm_cell(nabla.randn(2, 8):requires_grad(), nabla.randn(2, 8), nabla.randn(2, 2))
  end)
  T.ok(hc.grad_fn == nil and not hc.needs_grad, "no graph under no_grad")
  local hc2 = nabla.lstm_cell(nabla.randn(2, 8):requires_grad(), nabla.randn(2, 8), nabla.randn(2, 2))
  T.ok(hc2.grad_fn ~= nil, "a graph node otherwise")
  T.raises(function() nabla.lstm_cell(nabla.randn(2, 8), nabla.randn(2, 8), nabla.randn(2, 3)) end,
    "lstm_cell", "[2,8]", "[2,3]")
  T.raises(function() nabla.gru_cell(nabla.randn(2, 9), nabla.randn(3, 9), nabla.randn(2, 3)) end,
    "gru_cell", "[3,9]")
  T.raises(function() nabla.gru_cell(nabla.randn(9), nabla.randn(9), nabla.randn(3)) end, "gru_cell")
  T.raises(function() nabla.lstm_cell(nabla.randn(2, 8), 3, nabla.randn(2, 2)) end, "tensor")
  local h0 = nabla.randn(2, 3)
  T.raises(function() nabla.lstm_seq(nabla.randn(5, 2, 9), h0, h0, nabla.randn(12, 3)) end, "lstm_seq", "[5,2,9]", "4·H")
  T.raises(function() nabla.gru_seq(nabla.randn(5, 2, 9), nabla.randn(4, 3), nabla.randn(9, 3)) end, "gru_seq", "h0 [4,3]")
  T.raises(function() nabla.gru_seq(nabla.randn(5, 2, 9), h0, nabla.randn(9, 3), nabla.randn(8)) end,
    "gru_seq", "b_hh [8]")
  T.raises(function() nabla.gru_seq(nabla.randn(0, 2, 9), h0, nabla.randn(9, 3)) end, "gru_seq", "empty", "[0,2,9]")
  T.raises(function() nn.LSTM(3, 4)(nabla.randn(0, 2, 3)) end, "lstm_seq", "empty")
  -- under no_grad the sequence ops save nothing and record no node
  local y = nabla.no_grad(function() return nabla.gru_seq(nabla.randn(5, 2, 9), h0, nabla.randn(9, 3):requires_grad()) end)
  T.ok(y.grad_fn == nil and tostring(y.shape) == "[5,2,3]", "gru_seq under no_grad")
end)

T.done()

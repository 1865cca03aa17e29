-- RNN, LSTM and GRU against PyTorch (tests/golden/rnn.lua, from tests/golden/gen_nn.py):
-- seq-first and batch_first, one and two layers, bidirectional, with and without initial
-- states and biases, unbatched input; outputs, h_n (c_n), and the gradients of the input,
-- the initial states and every weight. Then gradient checks through time against finite
-- differences on tiny sizes, the parameter names and shapes, and the error messages.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local nn = nabla.nn

local run_case = dofile(T.dir .. "/lua/nn_golden.lua")(T)
local G = T.golden("rnn")
local names = {}
for k in pairs(G) do names[#names + 1] = k end
table.sort(names)
for _, name in ipairs(names) do
  T.test("golden " .. name, function() run_case(name, G[name]) end)
end

T.test("parameter names, shapes and gate order follow PyTorch", function()
  local function shapes(m)
    local out = {}
    for name, p in m:named_parameters() do out[#out + 1] = name .. tostring(p.shape) end
    return table.concat(out, " ")
  end
  T.eq(shapes(nn.LSTM(3, 5)), "weight_ih_l0[20,3] weight_hh_l0[20,5] bias_ih_l0[20] bias_hh_l0[20]")
  T.eq(shapes(nn.GRU(3, 4, { num_layers = 2, bias = false })),
    "weight_ih_l0[12,3] weight_hh_l0[12,4] weight_ih_l1[12,4] weight_hh_l1[12,4]")
  T.eq(shapes(nn.RNN(2, 3, { bidirectional = true })),
    "weight_ih_l0[3,2] weight_hh_l0[3,3] bias_ih_l0[3] bias_hh_l0[3] "
    .. "weight_ih_l0_reverse[3,2] weight_hh_l0_reverse[3,3] bias_ih_l0_reverse[3] bias_hh_l0_reverse[3]")
  -- gate order i, f, g, o: with only the forget gate's bias large and the input gate's very
  -- negative, c stays at c_0 (f ≈ 1, i ≈ 0)
  local m = nn.LSTM(1, 1)
  nabla.no_grad(function()
    for _, p in ipairs(m:parameters()) do p:zero_() end
    m.bias_ih_l0:copy_(nabla.tensor{ -30, 30, 0, 30 })
  end)
  local _, s = m(nabla.randn(5, 1, 1), { nabla.zeros(1, 1, 1), nabla.full({ 1, 1, 1 }, 0.7) })
  T.near(s[2], nabla.full({ 1, 1, 1 }, 0.7), 1e-5)
  T.near(s[1], nabla.full({ 1, 1, 1 }, math.tanh(0.7)), 1e-5)
end)

T.test("gradient check through time (finite differences, tiny sizes)", function()
  nabla.manual_seed(5)
  local function check(name, m, x, state)
    x:requires_grad()
    local inputs = { x }
    for _, p in ipairs(m:parameters()) do inputs[#inputs + 1] = p end
    T.gradcheck(function(xx)
      local out, s = m(xx, state)
      local h = nabla.is_tensor(s) and s or s[1]
      local extra = nabla.is_tensor(s) and 0 or (s[2] * 0.5):sum()
      return out:sum(2) + h:sum() + extra      -- every output reaches the loss
    end, inputs, { eps = 1e-2, rtol = 3e-2, atol = 3e-3 }, name)
  end
  check("RNN tanh", nn.RNN(2, 3), nabla.randn(4, 2, 2))
  check("RNN 2 layers", nn.RNN(2, 3, { num_layers = 2 }), nabla.randn(3, 2, 2))   -- (relu: kinks upset finite differences; the golden cases cover it)
  check("LSTM", nn.LSTM(2, 2), nabla.randn(4, 1, 2))
  check("LSTM bidirectional batch_first", nn.LSTM(2, 2, { batch_first = true, bidirectional = true }),
    nabla.randn(1, 3, 2))
  check("GRU 2 layers", nn.GRU(2, 2, 2), nabla.randn(3, 2, 2))
  check("GRU with h0", nn.GRU(2, 3), nabla.randn(3, 1, 2), nabla.randn(1, 1, 3))
end)

T.test("shapes: batch_first, unbatched, bidirectional", function()
  local g = nn.GRU(3, 4, { num_layers = 3, batch_first = true, bidirectional = true })
  local out, h = g(nabla.randn(2, 7, 3))
  T.eq(tostring(out.shape), "[2,7,8]")
  T.eq(tostring(h.shape), "[6,2,4]", "h_n is (layers·directions, batch, hidden) even with batch_first")
  local l = nn.LSTM(3, 4)
  local o, s = l(nabla.randn(7, 3))
  T.eq(tostring(o.shape), "[7,4]")
  T.eq(tostring(s[1].shape), "[1,4]")
  T.eq(tostring(s[2].shape), "[1,4]")
end)

T.test("errors name the layer and the shapes", function()
  local l = nn.LSTM(3, 4, { num_layers = 2 })
  T.raises(function() l(nabla.randn(5, 2, 6)) end, "nn.LSTM", "6 features", "input_size 3")
  T.raises(function() l(nabla.randn(5)) end, "nn.LSTM", "3-d input")
  T.raises(function() l(nabla.randn(5, 2, 3), { nabla.zeros(1, 2, 4), nabla.zeros(2, 2, 4) }) end,
    "h_0 must have shape [2,2,4]", "[1,2,4]")
  T.raises(function() l(nabla.randn(5, 2, 3), nabla.zeros(2, 2, 4)) end, "pair {h_0, c_0}")
  T.raises(function() nn.GRU(3, 4, { dropout = 2 }) end, "dropout must be a probability")
  T.raises(function() nn.RNN(3, 4, { nonlinearity = "sigmoid" }) end, "'tanh' or 'relu'")
end)

T.test("dropout between layers only in training", function()
  nabla.manual_seed(6)
  local g = nn.GRU(3, 8, { num_layers = 2, dropout = 0.5 })
  local x = nabla.randn(4, 2, 3)
  g:eval()
  local a = g(x)
  local b = g(x)
  T.near(a, b, 0, 0, "eval: deterministic")
  g:train()
  local c = g(x)
  T.ok((c - a):abs():max():item() > 1e-3, "training: the second layer sees dropped inputs")
end)

T.done()

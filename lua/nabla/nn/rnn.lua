-- Recurrent layers: nn.RNN, nn.LSTM, nn.GRU, as PyTorch's (same arguments, shapes,
-- parameter names and gate order, so weights load both ways).
--
--   rnn = nn.LSTM(input_size, hidden_size, {num_layers=1, bias=true, batch_first=false,
--                                           dropout=0, bidirectional=false})
--   output, {h_n, c_n} = lstm(x, {h_0, c_0})          -- GRU and RNN: output, h_n = rnn(x, h_0)
--   x: (T, B, input_size), or (B, T, input_size) with batch_first, or (T, input_size)
--   output: (T, B, D·hidden_size), the last layer's h_t at every step (D = 2 if bidirectional)
--   h_n, c_n: (num_layers·D, B, hidden_size), each layer's last state; h_0, c_0 default to 0
--
-- Parameters of layer l (0-based, as PyTorch names them) and direction ("" or "_reverse"):
--   weight_ih_l{l} (G·H, in), weight_hh_l{l} (G·H, H), bias_ih_l{l} (G·H), bias_hh_l{l} (G·H)
--   with the gates stacked in PyTorch's order: RNN G = 1; LSTM G = 4 (i, f, g, o); GRU G = 3
--   (r, z, n). All start U(−1/√H, 1/√H).
--
-- The cells, one time step each (x_t·W_ihᵀ + b_ih is computed for all steps at once, in one
-- matrix product, before the loop; the loop then does one (B, H)·(H, G·H) product per step):
--   RNN:  h = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)              (or relu)
--   LSTM: i, f, g, o = σ(.), σ(.), tanh(.), σ(.) of the 4 gate slices of the same sum
--         c = f ⊙ c + i ⊙ g;  h = o ⊙ tanh(c)
--   GRU:  r, z = σ(x_r + h_r), σ(x_z + h_z)   (x_* from x·W_ihᵀ + b_ih, h_* from h·W_hhᵀ + b_hh)
--         n = tanh(x_n + r ⊙ h_n);  h = (1 − z) ⊙ n + z ⊙ h
-- Backpropagation through time is autograd over this loop. The LSTM and GRU cells below,
-- written with ordinary ops, make a dozen small graph nodes per step. The layers run the
-- same loop in C instead (nabla.lstm_seq, nabla.gru_seq in src/ops/rnn.c: one op for the
-- whole sequence, its backward through time beside it, about 1.7× faster over 28 steps);
-- set `layer.fused = false` to run the readable cells: the numbers are the same.
-- (nabla.lstm_cell and nabla.gru_cell are one fused step, for experiments by hand.)
local nabla = require "nabla"
local Module = require "nabla.nn.module"
local init = require "nabla.nn.weight_init"
local args = require "nabla.nn.args"
local doc = require "nabla.doc"

-- ---- the cells ---------------------------------------------------------------------------

-- xp: this step's x·W_ihᵀ + b_ih (B, G·H); h, c: (B, H)
local function rnn_cell(xp, h, w_hh, b_hh, nonlinearity)
  local pre = xp + nabla.linear(h, w_hh, b_hh)
  return nonlinearity == "relu" and pre:relu() or pre:tanh()
end

local function lstm_cell(xp, h, c, w_hh, b_hh)
  local gates = xp + nabla.linear(h, w_hh, b_hh)          -- (B, 4H): i, f, g, o
  local H = h.shape[2]
  local i = gates:narrow(2, 1, H):sigmoid()
  local f = gates:narrow(2, H + 1, H):sigmoid()
  local g = gates:narrow(2, 2 * H + 1, H):tanh()
  local o = gates:narrow(2, 3 * H + 1, H):sigmoid()
  c = f * c + i * g
  return o * c:tanh(), c
end

local function gru_cell(xp, h, w_hh, b_hh)
  local hp = nabla.linear(h, w_hh, b_hh)                   -- (B, 3H): r, z, n
  local H = h.shape[2]
  local r = (xp:narrow(2, 1, H) + hp:narrow(2, 1, H)):sigmoid()
  local z = (xp:narrow(2, H + 1, H) + hp:narrow(2, H + 1, H)):sigmoid()
  local n = (xp:narrow(2, 2 * H + 1, H) + r * hp:narrow(2, 2 * H + 1, H)):tanh()
  return n + z * (h - n)                                  -- = (1 − z)·n + z·h
end

-- ---- the layer ---------------------------------------------------------------------------

local RNNBase = Module:extend("RNNBase")
local GATES = { RNN = 1, LSTM = 4, GRU = 3 }
RNNBase.fused = true   -- LSTM and GRU sequences through nabla.lstm_seq / nabla.gru_seq

function RNNBase:__init(...)
  local where = "nn." .. self.__name
  local names = { "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional" }
  local defaults = { num_layers = 1, bias = true, batch_first = false, dropout = 0, bidirectional = false }
  if self.mode == "RNN" then
    table.insert(names, 4, "nonlinearity")
    defaults.nonlinearity = "tanh"
  end
  local o = args.parse(where, names, defaults, ...)
  for _, k in ipairs(names) do self[k] = o[k] end
  args.size(where, "input_size", self.input_size)
  args.size(where, "hidden_size", self.hidden_size)
  args.size(where, "num_layers", self.num_layers)
  if self.nonlinearity and self.nonlinearity ~= "tanh" and self.nonlinearity ~= "relu" then
    error(("%s: nonlinearity must be 'tanh' or 'relu', got '%s'"):format(where, tostring(self.nonlinearity)), 2)
  end
  if type(self.dropout) ~= "number" or self.dropout < 0 or self.dropout > 1 then
    error(("%s: dropout must be a probability between 0 and 1, got %s"):format(where, tostring(self.dropout)), 2)
  end
  local G, H = GATES[self.mode], self.hidden_size
  local D = self.bidirectional and 2 or 1
  for l = 0, self.num_layers - 1 do
    local input = l == 0 and self.input_size or H * D
    for _, sfx in ipairs(self.bidirectional and { "", "_reverse" } or { "" }) do
      local k = "_l" .. l .. sfx
      self["weight_ih" .. k] = nabla.empty(G * H, input):requires_grad()
      self["weight_hh" .. k] = nabla.empty(G * H, H):requires_grad()
      if self.bias then
        self["bias_ih" .. k] = nabla.empty(G * H):requires_grad()
        self["bias_hh" .. k] = nabla.empty(G * H):requires_grad()
      end
    end
  end
  self:reset_parameters()
end

function RNNBase:reset_parameters()
  local bound = 1 / math.sqrt(self.hidden_size)
  for _, p in ipairs(self:parameters()) do init.uniform_(p, -bound, bound) end
end

-- The initial state for layer/direction j (1-based) from h0 (L·D, B, H), or zeros.
local function initial(self, state, j, B)
  if state then return state:select(1, j) end
  return nabla.zeros(B, self.hidden_size)
end

local function check_state(self, s, what, B)
  if s == nil then return end
  local D = self.bidirectional and 2 or 1
  local want = { self.num_layers * D, B, self.hidden_size }
  local sh = nabla.is_tensor(s) and s.shape
  if not sh or #sh ~= 3 or sh[1] ~= want[1] or sh[2] ~= want[2] or sh[3] ~= want[3] then
    error(("nn.%s: %s must have shape [%d,%d,%d] (num_layers·directions, batch, hidden_size), got %s")
      :format(self.__name, what, want[1], want[2], want[3], sh and tostring(sh) or type(s)), 4)
  end
end

-- One direction of one layer over the whole sequence x (T, B, in). Returns the outputs
-- h_1..h_T as one (T, B, H) tensor (in time order) and the final h (and c).
-- With self.fused (the default), an LSTM or GRU runs the whole loop below, and its
-- backpropagation through time, in C: nabla.lstm_seq / nabla.gru_seq (src/ops/rnn.c).
function RNNBase:run_direction(x, k, h, c, reverse)
  local T = x.shape[1]
  local w_hh, b_hh = self["weight_hh" .. k], self["bias_hh" .. k]
  local xproj = nabla.linear(x, self["weight_ih" .. k], self["bias_ih" .. k])   -- (T, B, G·H)
  if self.fused and self.mode == "LSTM" then
    local y = nabla.lstm_seq(xproj, h, c, w_hh, b_hh, reverse)   -- (T + 1, B, H): h_1..h_T, c
    return y:narrow(1, 1, T), y:select(1, reverse and 1 or T), y:select(1, T + 1)
  elseif self.fused and self.mode == "GRU" then
    local y = nabla.gru_seq(xproj, h, w_hh, b_hh, reverse)       -- (T, B, H)
    return y, y:select(1, reverse and 1 or T)
  end
  local outs = {}
  for step = 1, T do
    local t = reverse and T + 1 - step or step
    local xp = xproj:select(1, t)
    if self.mode == "LSTM" then h, c = lstm_cell(xp, h, c, w_hh, b_hh)
    elseif self.mode == "GRU" then h = gru_cell(xp, h, w_hh, b_hh)
    else h = rnn_cell(xp, h, w_hh, b_hh, self.nonlinearity) end
    outs[t] = h
  end
  return nabla.stack(outs, 1), h, c
end

function RNNBase:forward(input, hx)
  local where = "nn." .. self.__name
  if not nabla.is_tensor(input) then error(where .. ": expected a tensor input, got " .. type(input), 2) end
  local unbatched = input:dim() == 2
  if input:dim() ~= 3 and not unbatched then
    error(("%s: expected a 3-d input (T, B, %d)%s or 2-d (T, %d), got shape %s"):format(where,
      self.input_size, self.batch_first and " (batch_first: (B, T, in))" or "", self.input_size,
      tostring(input.shape)), 2)
  end
  local x = unbatched and input:unsqueeze(2) or (self.batch_first and input:transpose(1, 2) or input)
  if x.shape[3] ~= self.input_size then
    error(("%s: input has %d features, expected input_size %d (shape %s)"):format(where,
      x.shape[3], self.input_size, tostring(input.shape)), 2)
  end
  local B = x.shape[2]
  local h0, c0 = hx, nil
  if self.mode == "LSTM" and hx ~= nil then
    if type(hx) ~= "table" or nabla.is_tensor(hx) then
      error(where .. ": the state must be a pair {h_0, c_0}", 2)
    end
    h0, c0 = hx[1], hx[2]
  end
  if unbatched then
    h0 = h0 and h0:unsqueeze(2)
    c0 = c0 and c0:unsqueeze(2)
  end
  check_state(self, h0, "h_0", B)
  check_state(self, c0, "c_0", B)

  local hn, cn = {}, {}
  local dirs = self.bidirectional and { { "", false }, { "_reverse", true } } or { { "", false } }
  for l = 0, self.num_layers - 1 do
    local layer_out = {}
    for d, dir in ipairs(dirs) do
      local j = l * #dirs + d
      local out, h, c = self:run_direction(x, "_l" .. l .. dir[1], initial(self, h0, j, B),
                                           self.mode == "LSTM" and initial(self, c0, j, B), dir[2])
      layer_out[d] = out                                     -- (T, B, H)
      hn[j], cn[j] = h, c
    end
    x = #layer_out == 1 and layer_out[1] or nabla.cat(layer_out, 3)
    if self.dropout > 0 and l < self.num_layers - 1 then
      x = nabla.dropout(x, self.dropout, self.training)
    end
  end

  local output = x
  local h_n, c_n = nabla.stack(hn, 1), self.mode == "LSTM" and nabla.stack(cn, 1) or nil
  if unbatched then
    output, h_n, c_n = output:squeeze(2), h_n:squeeze(2), c_n and c_n:squeeze(2)
  elseif self.batch_first then
    output = output:transpose(1, 2)
  end
  if self.mode == "LSTM" then return output, { h_n, c_n } end
  return output, h_n
end

function RNNBase:extra_repr()
  local s = ("%d, %d"):format(self.input_size, self.hidden_size)
  if self.num_layers ~= 1 then s = s .. ", num_layers=" .. self.num_layers end
  if self.nonlinearity and self.nonlinearity ~= "tanh" then s = s .. ", nonlinearity='relu'" end
  if not self.bias then s = s .. ", bias=false" end
  if self.batch_first then s = s .. ", batch_first=true" end
  if self.dropout ~= 0 then s = s .. (", dropout=%g"):format(self.dropout) end
  if self.bidirectional then s = s .. ", bidirectional=true" end
  return s
end

local RNN = RNNBase:extend("RNN")
local LSTM = RNNBase:extend("LSTM")
local GRU = RNNBase:extend("GRU")
RNN.mode, LSTM.mode, GRU.mode = "RNN", "LSTM", "GRU"

local opts = "{num_layers=1, bias=true, batch_first=false, dropout=0, bidirectional=false}"
doc(RNN, "nn.RNN(input_size, hidden_size, " .. opts:gsub("^{", "{nonlinearity='tanh', ") .. ")", "Elman RNN: h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh); returns output, h_n", "엘만 RNN: h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh). output, h_n을 돌려줌")
doc(LSTM, "nn.LSTM(input_size, hidden_size, " .. opts .. ")", "long short-term memory: gates i, f, g, o and a cell state c; returns output, {h_n, c_n}", "장단기 메모리(LSTM): 게이트 i, f, g, o와 셀 상태 c. output, {h_n, c_n}을 돌려줌")
doc(GRU, "nn.GRU(input_size, hidden_size, " .. opts .. ")", "gated recurrent unit: reset and update gates r, z; returns output, h_n", "게이트 순환 유닛(GRU): 리셋·업데이트 게이트 r, z. output, h_n을 돌려줌")

doc(nabla.lstm_cell, "nabla.lstm_cell(gx, gh, c)", "one fused LSTM step: gx = x·W_ihᵀ + b_ih, gh = h·W_hhᵀ + b_hh (B, 4H), c (B, H); returns (2, B, H): [1] = h', [2] = c'", "LSTM 한 스텝을 한 번에 계산: gx = x·W_ihᵀ + b_ih, gh = h·W_hhᵀ + b_hh (B, 4H), c (B, H). (2, B, H)를 돌려줌: [1] = h', [2] = c'")
doc(nabla.gru_cell, "nabla.gru_cell(gx, gh, h)", "one fused GRU step: gx = x·W_ihᵀ + b_ih, gh = h·W_hhᵀ + b_hh (B, 3H), h (B, H); returns h' (B, H)", "GRU 한 스텝을 한 번에 계산: gx = x·W_ihᵀ + b_ih, gh = h·W_hhᵀ + b_hh (B, 3H), h (B, H). h' (B, H)를 돌려줌")
doc(nabla.lstm_seq, "nabla.lstm_seq(xp, h0, c0, w_hh, b_hh|nil, reverse)", "a whole LSTM sequence as one op: xp (T, B, 4H) = x·W_ihᵀ + b_ih of every step; returns (T+1, B, H): h_1..h_T, then the last c", "LSTM 시퀀스 전체를 한 연산으로: xp (T, B, 4H) = 각 스텝의 x·W_ihᵀ + b_ih. (T+1, B, H)를 돌려줌: h_1..h_T, 마지막에 c")
doc(nabla.gru_seq, "nabla.gru_seq(xp, h0, w_hh, b_hh|nil, reverse)", "a whole GRU sequence as one op: xp (T, B, 3H) = x·W_ihᵀ + b_ih of every step; returns h_1..h_T (T, B, H)", "GRU 시퀀스 전체를 한 연산으로: xp (T, B, 3H) = 각 스텝의 x·W_ihᵀ + b_ih. h_1..h_T (T, B, H)를 돌려줌")

return { RNN = RNN, LSTM = LSTM, GRU = GRU }

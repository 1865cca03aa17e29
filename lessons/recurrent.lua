-- Lesson: recurrent networks — an RNN unrolled over the 28 rows of real MNIST digits,
-- backpropagation through time by hand for three steps (vs autograd), gradient norms against
-- the time step (vanishing and exploding, plotted), gradient clipping, the GRU's update gate
-- as a path the gradient survives on (RNN vs GRU), and a short training on rows of MNIST.
local C = require("nabla.lesson").checks
local value, finite, is_module = C.value, C.finite, C.is_module

local function nb() return require "nabla" end

local maxdiff = C.maxdiff

local function list_of_numbers(v, n)
  if type(v) ~= "table" or #v < n then return false end
  for i = 1, n do if not finite(v[i]) then return false end end
  return true
end

-- the three-step scalar RNN of step 2: h_t = tanh(w·h_{t−1} + u·x_t), L = h_3
local XS = { 1, 0.5, -1 }
local function bptt_ref(w, u)
  local n = nb()
  local W, U = n.tensor(w):requires_grad(), n.tensor(u):requires_grad()
  local h = n.tensor(0)
  for t = 1, 3 do h = (W * h + U * XS[t]):tanh() end
  h:backward()
  return W.grad:item(), U.grad:item()
end

local need_norms = { en = "compute the lists of 28 gradient norms first", ko = "먼저 기울기 노름 28개의 목록을 계산하세요" }

return {
  id = "recurrent",
  order = 10.5,   -- after mnist, before augmentation
  title = { en = "Recurrent networks", ko = "순환 신경망" },
  steps = {
    {
      text = {
        en = [[
A recurrent network reads a sequence one item at a time and carries a state h:
    h_t = tanh(x_t·Wx + h_{t−1}·Wh + b),   h_0 = 0
Read an MNIST digit as a sequence of its 28 rows (28 pixels each). Write
rnn_forward(x, Wx, Wh, b) for a batch x of shape (B, 28, 28), returning the list
of the 28 states (each B × H). x:select(2, t) is row t of every digit.]],
        ko = [[
순환 신경망은 시퀀스를 한 항목씩 읽으며 상태 h를 들고 다닙니다:
    h_t = tanh(x_t·Wx + h_{t−1}·Wh + b),   h_0 = 0
MNIST 숫자를 28개의 행(행마다 28픽셀)으로 된 시퀀스로 읽습니다. 모양이
(B, 28, 28)인 배치 x에 대해 상태 28개(각각 B × H)의 목록을 돌려주는
rnn_forward(x, Wx, Wh, b)를 작성하세요. x:select(2, t)는 모든 숫자의 t번째
행입니다.]],
      },
      code = [[
train = data.mnist{ split = "train", small = true }
x = train:batch({ 1, 2, 3, 4, 5, 6, 7, 8 }):view(8, 28, 28)
function rnn_forward(x, Wx, Wh, b)
  local h = zeros(x.shape[1], Wh.shape[1])
  local hs = {}
  for t = 1, x.shape[2] do
    h = ???                              -- one step of the recurrence
    hs[t] = h
  end
  return hs
end]],
      solution = [[
train = data.mnist{ split = "train", small = true }
x = train:batch({ 1, 2, 3, 4, 5, 6, 7, 8 }):view(8, 28, 28)
function rnn_forward(x, Wx, Wh, b)
  local h = zeros(x.shape[1], Wh.shape[1])
  local hs = {}
  for t = 1, x.shape[2] do
    h = (x:select(2, t):mm(Wx) + h:mm(Wh) + b):tanh()
    hs[t] = h
  end
  return hs
end]],
      wrong = [[
train = data.mnist{ split = "train", small = true }
x = train:batch({ 1, 2, 3, 4, 5, 6, 7, 8 }):view(8, 28, 28)
function rnn_forward(x, Wx, Wh, b)
  local hs = {}
  for t = 1, x.shape[2] do hs[t] = (x:select(2, t):mm(Wx) + b):tanh() end
  return hs
end]],
      check = function(env)
        local n = nb()
        if type(env.rnn_forward) ~= "function" or not n.is_tensor(env.x) then
          return false, { en = "load x and define rnn_forward(x, Wx, Wh, b)", ko = "x를 불러오고 rnn_forward(x, Wx, Wh, b)를 정의하세요" }
        end
        local xs = env.x:narrow(1, 1, 2)
        local Wx, Wh, b = n.randn(28, 5) * 0.3, n.randn(5, 5) * 0.5, n.randn(5) * 0.1
        local ok, hs = pcall(env.rnn_forward, xs, Wx, Wh, b)
        if not ok or type(hs) ~= "table" or #hs ~= 28 or not n.is_tensor(hs[28]) then
          return false, { en = "rnn_forward should return a list of 28 states" .. (ok and "" or (": " .. C.why(hs))),
                          ko = "rnn_forward는 상태 28개의 목록을 돌려줘야 합니다" .. (ok and "" or (": " .. C.why(hs))) }
        end
        local h = n.zeros(2, 5)
        local nodep = nil
        for t = 1, 28 do
          h = (xs:select(2, t):mm(Wx) + h:mm(Wh) + b):tanh()
          if t == 28 then nodep = (xs:select(2, t):mm(Wx) + b):tanh() end
        end
        if maxdiff(hs[28], h) < 1e-4 then return true end
        if maxdiff(hs[28], nodep) < 1e-4 then
          return false, { en = "h_t does not depend on h_{t−1}: add h:mm(Wh), the recurrence", ko = "h_t가 h_{t−1}에 의존하지 않습니다: 순환 항 h:mm(Wh)를 더하세요" }
        end
        return false, { en = ("the last state differs from tanh(x_t·Wx + h_{t−1}·Wh + b) by %.3g"):format(maxdiff(hs[28], h)),
                        ko = ("마지막 상태가 tanh(x_t·Wx + h_{t−1}·Wh + b)와 %.3g만큼 다릅니다"):format(maxdiff(hs[28], h)) }
      end,
      hints = { { en = "h = (x:select(2, t):mm(Wx) + h:mm(Wh) + b):tanh()", ko = "h = (x:select(2, t):mm(Wx) + h:mm(Wh) + b):tanh()" } },
    },
    {
      text = {
        en = [[
Backpropagation through time is backprop on the unrolled loop: the same w is
used at every step, so its gradient is a sum over steps. A scalar RNN
h_t = tanh(w·h_{t−1} + u·x_t), h_0 = 0, inputs x = (1, 0.5, −1), loss L = h_3.
Going back from g = ∂L/∂h_3 = 1, each step:
    a = g·(1 − h_t²),  dw += a·h_{t−1},  du += a·x_t,  g = a·w (to h_{t−1})
Write the three lines of the loop body and compare with autograd, whose walk
ht:backward{step = true} shows node by node: each tanh passes on g·(1 − h_t²).]],
        ko = [[
시간 역전파(BPTT)는 펼친 반복문에 대한 역전파입니다: 같은 w가 매 단계에 쓰이므로
기울기는 단계별 기여의 합입니다. 스칼라 RNN h_t = tanh(w·h_{t−1} + u·x_t),
h_0 = 0, 입력 x = (1, 0.5, −1), 손실 L = h_3. g = ∂L/∂h_3 = 1에서 거꾸로,
단계마다:
    a = g·(1 − h_t²),  dw += a·h_{t−1},  du += a·x_t,  g = a·w (h_{t−1}로)
반복문 본문 세 줄을 작성하고 autograd와 비교하세요. ht:backward{step = true}가
autograd의 걸음을 노드 하나씩 보여 줍니다: tanh마다 g·(1 − h_t²)를 넘깁니다.]],
      },
      code = [[
w, u, xs = 0.8, 0.5, { 1, 0.5, -1 }
h = { [0] = 0 }
for t = 1, 3 do h[t] = math.tanh(w * h[t - 1] + u * xs[t]) end
g, dw, du = 1, 0, 0
for t = 3, 1, -1 do
  local a = g * (1 - h[t] ^ 2)
  ???                                    -- dw, du and g, as above
end
W, U, ht = tensor(w):requires_grad(), tensor(u):requires_grad(), tensor(0)
for t = 1, 3 do ht = (W * ht + U * xs[t]):tanh() end
ht:backward{ step = true }          -- autograd's walk back in time, node by node (Enter)
print(dw, W.grad:item(), du, U.grad:item())]],
      solution = [[
w, u, xs = 0.8, 0.5, { 1, 0.5, -1 }
h = { [0] = 0 }
for t = 1, 3 do h[t] = math.tanh(w * h[t - 1] + u * xs[t]) end
g, dw, du = 1, 0, 0
for t = 3, 1, -1 do
  local a = g * (1 - h[t] ^ 2)
  dw = dw + a * h[t - 1]
  du = du + a * xs[t]
  g = a * w
end
W, U, ht = tensor(w):requires_grad(), tensor(u):requires_grad(), tensor(0)
for t = 1, 3 do ht = (W * ht + U * xs[t]):tanh() end
ht:backward()       -- (the shown code walks it with backward{step = true})
print(dw, W.grad:item(), du, U.grad:item())]],
      wrong = [=[
w, u, xs = 0.8, 0.5, { 1, 0.5, -1 }
h = { [0] = 0 }
for t = 1, 3 do h[t] = math.tanh(w * h[t - 1] + u * xs[t]) end
dw = (1 - h[3] ^ 2) * h[2]
du = (1 - h[3] ^ 2) * xs[3]]=],
      check = function(env)
        local dw, du = value(env.dw), value(env.du)
        if not (finite(dw) and finite(du)) then
          return false, { en = "compute dw and du", ko = "dw와 du를 계산하세요" }
        end
        local w, u = value(env.w), value(env.u)
        if w ~= 0.8 or u ~= 0.5 then
          return false, { en = "keep w = 0.8 and u = 0.5", ko = "w = 0.8, u = 0.5를 그대로 두세요" }
        end
        local rw, ru = bptt_ref(w, u)
        local h = { [0] = 0 }
        for t = 1, 3 do h[t] = math.tanh(w * h[t - 1] + u * XS[t]) end
        if math.abs(dw - (1 - h[3] ^ 2) * h[2]) < 1e-9 then
          return false, { en = "that is only the last step's term: w acts at every step, so add the terms of t = 3, 2, 1",
                          ko = "그것은 마지막 단계의 항뿐입니다: w는 모든 단계에 작용하므로 t = 3, 2, 1의 항을 더하세요" }
        end
        if math.abs(dw - rw) > 1e-5 then
          return false, { en = ("dw = %.6g, autograd says %.6g: did you pass g = a·w back to h_{t−1}?"):format(dw, rw),
                          ko = ("dw = %.6g, autograd는 %.6g입니다: g = a·w로 h_{t−1}에 넘겼나요?"):format(dw, rw) }
        end
        if math.abs(du - ru) > 1e-5 then
          return false, { en = ("du = %.6g, autograd says %.6g: du += a·x_t"):format(du, ru),
                          ko = ("du = %.6g, autograd는 %.6g입니다: du += a·x_t"):format(du, ru) }
        end
        return true
      end,
      hints = {
        { en = "dw = dw + a * h[t - 1]  and  du = du + a * xs[t]", ko = "dw = dw + a * h[t - 1], du = du + a * xs[t]" },
        { en = "then g = a * w carries the gradient one step further back", ko = "그다음 g = a * w가 기울기를 한 단계 더 뒤로 보냅니다" },
      },
    },
    {
      text = {
        en = [[
Through 27 steps, ∂L/∂h_1 is ∂L/∂h_28 times 27 Jacobians diag(1 − h_t²)·Whᵀ. The
top rows of a digit are blank, so there h stays near 0 and tanh′ ≈ 1: the
product behaves like Wh²⁷. With Wh of scale g/√H its size goes like g²⁷. Measure
‖∂L/∂h_t‖ for t = 1…28 with g = 0.5 and g = 3, and plot both (log10).]],
        ko = [[
27단계를 지나면 ∂L/∂h_1은 ∂L/∂h_28에 야코비안 diag(1 − h_t²)·Whᵀ 27개를 곱한
것입니다. 숫자의 위쪽 행들은 비어 있어서 그곳에서는 h가 0 근처에 머물고
tanh′ ≈ 1입니다: 곱은 Wh²⁷처럼 움직입니다. Wh의 크기가 g/√H이면 곱의 크기는
g²⁷처럼 변합니다. g = 0.5와 g = 3에서 t = 1…28에 대해 ‖∂L/∂h_t‖를 측정하고, 둘 다
그리세요 (log10).]],
      },
      code = [[
function state_grad_norms(g)
  manual_seed(0)
  local Wx = (randn(28, 32) * 0.3):requires_grad()
  local Wh = (randn(32, 32) * (g / math.sqrt(32))):requires_grad()
  local b = zeros(32):requires_grad()
  local hs = rnn_forward(x, Wx, Wh, b)
  for t = 1, 28 do hs[t]:retain_grad() end
  manual_seed(1)
  hs[28]:mv(randn(32)):sum():backward()        -- L: a fixed random read-out of h_28
  local norms = {}
  for t = 1, 28 do norms[t] = hs[t].grad:norm():item() end
  return norms, { Wx, Wh, b }
end
norms_small = state_grad_norms(0.5)
norms_large, params_large = state_grad_norms(3)
function log10(list)
  local r = {}
  for i, v in ipairs(list) do r[i] = math.log(v, 10) end
  return r
end
plot.lines({ ["g = 0.5"] = log10(norms_small), ["g = 3"] = log10(norms_large) },
           { title = "log10 ‖∂L/∂h_t‖" })
print(norms_small[1], norms_small[28], norms_large[1], norms_large[28])]],
      wrong = [[
function state_grad_norms(g)
  local norms = {}
  for t = 1, 28 do norms[t] = 1 end
  return norms, {}
end
norms_small = state_grad_norms(0.5)
norms_large, params_large = state_grad_norms(3)]],
      check = function(env)
        local s, l = env.norms_small, env.norms_large
        if not (list_of_numbers(s, 28) and list_of_numbers(l, 28)) then return false, need_norms end
        if not (s[1] < 1e-4 * s[28]) then
          return false, { en = ("with g = 0.5, ‖∂L/∂h_1‖ = %.3g vs ‖∂L/∂h_28‖ = %.3g: it should vanish (below 1e-4 of it)"):format(s[1], s[28]),
                          ko = ("g = 0.5에서 ‖∂L/∂h_1‖ = %.3g, ‖∂L/∂h_28‖ = %.3g: 소실되어야 합니다 (1e-4배 아래)"):format(s[1], s[28]) }
        end
        if not (l[1] > 100 * l[28]) then
          return false, { en = ("with g = 3, ‖∂L/∂h_1‖ = %.3g vs ‖∂L/∂h_28‖ = %.3g: it should explode (over 100 times)"):format(l[1], l[28]),
                          ko = ("g = 3에서 ‖∂L/∂h_1‖ = %.3g, ‖∂L/∂h_28‖ = %.3g: 폭발해야 합니다 (100배 넘게)"):format(l[1], l[28]) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Exploding gradients make one update jump far away. Clipping rescales them: if
the total norm N = √(Σ ‖grad‖²) over all parameters exceeds max_norm, multiply
every gradient by max_norm/N (same direction, shorter step). Write
clip(params, max_norm) for the g = 3 gradients, and compare with
nn.utils.clip_grad_norm_ on a copy.]],
        ko = [[
기울기 폭발이 일어나면 갱신 한 번에 멀리 튀어 나갑니다. 기울기 클리핑은 크기를
다시 맞춥니다: 모든 파라미터에 걸친 전체 노름 N = √(Σ ‖grad‖²)이 max_norm을
넘으면 모든 기울기에 max_norm/N을 곱합니다 (방향은 같고 걸음만 짧아짐). g = 3의
기울기에 대해 clip(params, max_norm)을 작성하고, 사본에
nn.utils.clip_grad_norm_을 적용한 것과 비교하세요.]],
      },
      code = [[
function clip(params, max_norm)
  local total = 0
  for _, p in ipairs(params) do total = total + p.grad:norm():item() ^ 2 end
  total = math.sqrt(total)
  ???                                    -- if total > max_norm, scale every p.grad
  return total
end
copies = {}
for i, p in ipairs(params_large) do
  copies[i] = p:detach():clone():requires_grad()
  copies[i].grad = p.grad:clone()
end
before = clip(params_large, 1)
nn.utils.clip_grad_norm_(copies, 1)
after = 0
for _, p in ipairs(params_large) do after = after + p.grad:norm():item() ^ 2 end
after = math.sqrt(after)
print(before, after, (params_large[2].grad - copies[2].grad):abs():max())]],
      solution = [[
function clip(params, max_norm)
  local total = 0
  for _, p in ipairs(params) do total = total + p.grad:norm():item() ^ 2 end
  total = math.sqrt(total)
  if total > max_norm then
    for _, p in ipairs(params) do p.grad = p.grad * (max_norm / total) end
  end
  return total
end
copies = {}
for i, p in ipairs(params_large) do
  copies[i] = p:detach():clone():requires_grad()
  copies[i].grad = p.grad:clone()
end
before = clip(params_large, 1)
nn.utils.clip_grad_norm_(copies, 1)
after = 0
for _, p in ipairs(params_large) do after = after + p.grad:norm():item() ^ 2 end
after = math.sqrt(after)
print(before, after, (params_large[2].grad - copies[2].grad):abs():max())]],
      wrong = [[
function clip(params, max_norm)
  local total = 0
  for _, p in ipairs(params) do
    local n = p.grad:norm():item()
    total = total + n ^ 2
    if n > max_norm then p.grad = p.grad * (max_norm / n) end
  end
  return math.sqrt(total)
end
norms_large, params_large = state_grad_norms(3)
before = clip(params_large, 1)
after = 0
for _, p in ipairs(params_large) do after = after + p.grad:norm():item() ^ 2 end
after = math.sqrt(after)]],
      check = function(env)
        if type(env.clip) ~= "function" then
          return false, { en = "define clip(params, max_norm)", ko = "clip(params, max_norm)을 정의하세요" }
        end
        local n = nb()
        local a, b = n.ones(3):requires_grad(), n.ones(4):requires_grad()
        a.grad, b.grad = n.tensor{ 3, 0, 0 }, n.tensor{ 0, 4, 0, 0 }     -- total norm 5
        local ok, err = pcall(env.clip, { a, b }, 1)
        if not ok then
          return false, { en = "clip failed: " .. C.why(err), ko = "clip이 실패했습니다: " .. C.why(err) }
        end
        local na, nbn = a.grad:norm():item(), b.grad:norm():item()
        if math.abs(na - 0.6) < 1e-5 and math.abs(nbn - 0.8) < 1e-5 then
          local small_a, small_b = n.ones(2):requires_grad(), n.ones(2):requires_grad()
          small_a.grad, small_b.grad = n.tensor{ 0.3, 0 }, n.tensor{ 0, 0.4 }
          env.clip({ small_a, small_b }, 1)
          if math.abs(small_a.grad:norm():item() - 0.3) > 1e-6 then
            return false, { en = "a total norm of 0.5 is below max_norm 1: leave such gradients alone", ko = "전체 노름 0.5는 max_norm 1보다 작습니다: 그런 기울기는 그대로 두세요" }
          end
          return true
        end
        if math.abs(na - 1) < 1e-5 and math.abs(nbn - 1) < 1e-5 then
          return false, { en = "each tensor was clipped on its own (both now have norm 1, total √2): scale all of them by max_norm / total",
                          ko = "텐서마다 따로 잘랐습니다 (둘 다 노름 1, 전체 √2): 모두를 같은 max_norm / total로 줄이세요" }
        end
        return false, { en = ("grads of norm 3 and 4 (total 5), max_norm 1 should become 0.6 and 0.8; got %.3g and %.3g"):format(na, nbn),
                        ko = ("노름 3, 4(전체 5)인 기울기를 max_norm 1로 자르면 0.6과 0.8이어야 하는데 %.3g, %.3g입니다"):format(na, nbn) }
      end,
    },
    {
      text = {
        en = [[
The GRU updates its state as h_t = (1 − z)⊙n + z⊙h_{t−1}, with the update gate
z = σ(…) in (0, 1). That z⊙h_{t−1} term is a path with no weight matrix and no
tanh: along it the gradient is multiplied by z at each step. Predict first: with
z ≈ σ(2) at every step, what fraction survives 27 steps on that path
(predicted)? Then compare the RNN, a GRU, and a GRU whose z bias starts at +2,
from the same digits. (An LSTM has the same path through its cell, c_t =
f⊙c_{t−1} + i⊙g, with the forget gate f in z's role.)]],
        ko = [[
GRU는 상태를 h_t = (1 − z)⊙n + z⊙h_{t−1}로 갱신하며, 업데이트 게이트 z = σ(…)는
(0, 1) 사이입니다. z⊙h_{t−1} 항은 가중치 행렬도 tanh도 없는 경로입니다: 이
경로를 따라 기울기는 단계마다 z배가 됩니다. 먼저 예측하세요: 매 단계
z ≈ σ(2)이면 이 경로로 27단계를 지나 얼마가 남을까요 (predicted)? 그다음 같은
숫자로 RNN, GRU, z 편향을 +2로 시작한 GRU를 비교하세요. (LSTM도 셀 c_t =
f⊙c_{t−1} + i⊙g에 같은 경로가 있고, 망각 게이트 f가 z의 역할을 합니다.)]],
      },
      code = [[
predicted = (1 / (1 + math.exp(-2))) ^ 27
function cell_norms(step)                     -- ‖∂L/∂h_t‖ for a cell step(x_t, h)
  local h, hs = zeros(8, 32), {}
  for t = 1, 28 do h = step(x:select(2, t), h); h:retain_grad(); hs[t] = h end
  manual_seed(1)
  hs[28]:mv(randn(32)):sum():backward()
  local norms = {}
  for t = 1, 28 do norms[t] = hs[t].grad:norm():item() end
  return norms
end
manual_seed(0); rnn = nn.RNN(28, 32)
manual_seed(0); gru = nn.GRU(28, 32)
function rnn_step(xt, h)
  local ih = linear(xt, rnn.weight_ih_l0, rnn.bias_ih_l0)
  return (ih + linear(h, rnn.weight_hh_l0, rnn.bias_hh_l0)):tanh()
end
function gru_step(xt, h)
  local ih = linear(xt, gru.weight_ih_l0, gru.bias_ih_l0)
  return nabla.gru_cell(ih, linear(h, gru.weight_hh_l0, gru.bias_hh_l0), h)   -- one fused GRU step
end
n_rnn, n_gru = cell_norms(rnn_step), cell_norms(gru_step)
-- the gates are stacked r, z, n: z is rows 33..64
no_grad(function() gru.bias_hh_l0:narrow(1, 33, 32):add_(2) end)
n_gru2 = cell_norms(gru_step)
plot.lines({ rnn = log10(n_rnn), gru = log10(n_gru), ["gru z+2"] = log10(n_gru2) },
           { title = "log10 ‖∂L/∂h_t‖" })
print(predicted, n_rnn[1] / n_rnn[28], n_gru[1] / n_gru[28], n_gru2[1] / n_gru2[28])]],
      wrong = [[
predicted = 0.5 ^ 27
n_rnn, n_gru, n_gru2 = {}, {}, {}]],
      check = function(env)
        local p = value(env.predicted)
        if not finite(p) then
          return false, { en = "set predicted first", ko = "먼저 predicted를 정하세요" }
        end
        local want = (1 / (1 + math.exp(-2))) ^ 27
        if math.abs(p - 0.5 ^ 27) < 1e-12 then
          return false, { en = "0.5²⁷ is σ(0)²⁷, a z with bias 0; here z ≈ σ(2) ≈ 0.88", ko = "0.5²⁷은 편향이 0인 z, σ(0)²⁷입니다. 여기서는 z ≈ σ(2) ≈ 0.88입니다" }
        end
        if math.abs(p - want) > 0.1 * want then
          return false, { en = ("predicted = %.3g: the path multiplies by z ≈ σ(2) once per step, 27 times"):format(p),
                          ko = ("predicted = %.3g: 이 경로는 단계마다 z ≈ σ(2)를 한 번씩, 27번 곱합니다"):format(p) }
        end
        local a, b, c = env.n_rnn, env.n_gru, env.n_gru2
        if not (list_of_numbers(a, 28) and list_of_numbers(b, 28) and list_of_numbers(c, 28)) then return false, need_norms end
        local ra, rb, rc = a[1] / a[28], b[1] / b[28], c[1] / c[28]
        if not (rc > 1e3 * ra and rc > 10 * rb) then
          return false, { en = ("surviving fraction at t = 1: rnn %.2g, gru %.2g, gru z+2 %.2g — did you add 2 to the z rows (33..64) of bias_hh_l0?"):format(ra, rb, rc),
                          ko = ("t = 1에 남은 비율: rnn %.2g, gru %.2g, gru z+2 %.2g — bias_hh_l0의 z 행(33..64)에 2를 더했나요?"):format(ra, rb, rc) }
        end
        return true
      end,
      hints = { { en = "σ(2) = 1 / (1 + e⁻²) ≈ 0.88; 27 steps multiply it 27 times.", ko = "σ(2) = 1 / (1 + e⁻²) ≈ 0.88이고, 27단계는 이것을 27번 곱합니다." } },
    },
    {
      text = {
        en = [[
A short training on rows of MNIST: read each digit's 28 rows, classify from the
last state. The same reader with nn.RNN and with nn.GRU, one epoch on the 2,000
digits with gradient clipping (clip_grad = 1), then the 500 test digits. (The
mnist lesson's GRU, trained longer, does much better; here we compare the two
cells on equal terms.)]],
        ko = [[
MNIST 행으로 짧게 학습해 봅시다: 숫자마다 28개의 행을 읽고 마지막 상태로
분류합니다. 같은 판독기를 nn.RNN과 nn.GRU로 만들어, 기울기
클리핑(clip_grad = 1)을 켜고 2,000장으로 1 에폭 학습한 뒤 테스트 숫자 500장으로
평가합니다. (mnist 레슨의 GRU는 더 오래 학습해 훨씬 잘합니다. 여기서는 두 셀을
같은 조건에서 비교합니다.)]],
      },
      code = [[
test = data.mnist{ split = "test", small = true }
RowReader = nn.Module:extend("RowReader")
function RowReader:__init(cell)
  self.rnn = cell(28, 32, { batch_first = true })
  self.fc = nn.Linear(32, 10)
end
function RowReader:forward(x)
  local rows = x:view(x.shape[1], 28, 28)           -- (B, 28 rows, 28 pixels)
  return self.fc(self.rnn(rows):select(2, 28))       -- from the state after the last row
end
acc = {}
for name, cell in pairs({ rnn = nn.RNN, gru = nn.GRU }) do
  manual_seed(0)
  local model = RowReader(cell)
  local batches = data.loader(train, { batch = 50, shuffle = true, seed = 0 })
  fit(model, batches, { epochs = 1, lr = 1e-2, clip_grad = 1 })
  acc[name] = evaluate(model, test).accuracy
end
print(acc.rnn, acc.gru)]],
      wrong = [[
acc = { rnn = 0.3, gru = 0.3 }]],
      check = function(env)
        local a = env.acc
        if type(a) ~= "table" or not (finite(a.rnn) and finite(a.gru)) then
          return false, { en = "train both readers into acc = { rnn = ..., gru = ... }", ko = "두 판독기를 학습해 acc = { rnn = ..., gru = ... }에 넣으세요" }
        end
        if not (a.gru > 0.4 and a.gru > a.rnn + 0.05) then
          return false, { en = ("test accuracy rnn %.1f%%, gru %.1f%%: train each one epoch as given (lr 1e-2, clip_grad 1)"):format(100 * a.rnn, 100 * a.gru),
                          ko = ("테스트 정확도 rnn %.1f%%, gru %.1f%%: 주어진 대로 각각 1 에폭 학습하세요 (lr 1e-2, clip_grad 1)"):format(100 * a.rnn, 100 * a.gru) }
        end
        return true
      end,
    },
    {
      text = { en = "Predict, then run.", ko = "예측한 다음 실행해 보세요." },
      quiz = {
        kind = "number",
        question = { en = "Each step back multiplies an RNN's gradient by 0.9. What fraction of it is left after 50 steps back? (predict it to within 20%)",
                     ko = "RNN의 기울기가 한 단계 거슬러 갈 때마다 0.9배가 됩니다. 50단계를 거슬러 가면 처음 기울기의 몇 배가 남을까요? (20% 안으로 예측해 보세요)" },
        value = function()
          local g = 1
          for _ = 1, 50 do g = g * 0.9 end
          return g
        end,
        tolerance = { rel = 0.2 },
        explain = { en = "Yes: the factors multiply, 0.9⁵⁰ ≈ 0.005 — not 50 × 0.1 lost, but 99.5% gone. A GRU's z or an LSTM's forget gate near 1 keeps that factor near 1 where the network needs memory.",
                    ko = "맞습니다: 인수가 곱해져서 0.9⁵⁰ ≈ 0.005입니다. 0.1씩 50번 빠지는 게 아니라 99.5%가 사라집니다. GRU의 z나 LSTM의 망각 게이트가 1에 가까우면, 기억이 필요한 곳에서 그 인수를 1 근처로 지킵니다." },
      },
      code = [[
g = 1
for t = 1, 50 do g = g * 0.9 end
print(g)]],
    },
  },
}

-- Lesson: initialization — why zero (or any constant) start fails (every hidden unit gets
-- the same gradient, so they stay copies of each other), the variance of one layer
-- Var(y) = n·Var(w)·Var(x), activations measured layer by layer for several scales, the
-- He gain √2 for ReLU, Xavier's compromise between fan_in and fan_out, and what the start
-- does to training a deep MLP on the MNIST subset.
local C = require("nabla.lesson").checks
local value, finite, msg = C.value, C.finite, C.msg

local function is_matrix(t, r, c)
  local nabla = require "nabla"
  return nabla.is_tensor(t) and t:dim() == 2 and t.shape[1] == r and t.shape[2] == c
end

-- the largest difference between a hidden unit's incoming weights (a column of W) and the
-- first unit's
local function unit_spread(W) return (W - W:narrow(2, 1, 1)):abs():max():item() end
local function row_spread(W) return (W - W:narrow(1, 1, 1)):abs():max():item() end

local function numbers(v, n) return C.numbers(v, n, false) end

-- step 8's helpers: a deep ReLU MLP whose weights start from init(w), and a loop of SGD
-- steps on the MNIST subset (shown to the learner, and part of the solution and wrong answer)
local DEEP_MLP = [[
train = data.mnist{ split = "train", small = true }
function deep_mlp(init)
  local sizes, layers = { 784, 128, 128, 128, 128, 128, 10 }, { nn.Flatten() }
  for i = 1, #sizes - 1 do
    local lin = nn.Linear(sizes[i], sizes[i + 1])
    init(lin.weight)
    nn.init.zeros_(lin.bias)
    layers[#layers + 1] = lin
    if i < #sizes - 1 then layers[#layers + 1] = nn.ReLU() end
  end
  return nn.Sequential(layers)
end
function train_steps(model, steps)
  local opt = optim.SGD(model:parameters(), { lr = 0.05, momentum = 0.9 })
  local loss_fn, losses = nn.CrossEntropyLoss(), {}
  local loader = data.loader(train, { batch = 64, shuffle = true, seed = 1 })
  while #losses < steps do
    for x, y in loader do
      local loss = loss_fn(model(x), y)
      opt:zero_grad(); loss:backward(); opt:step()
      losses[#losses + 1] = loss:item()
      if #losses == steps then break end
    end
  end
  return losses
end
]]

local need_two_layer = msg("run the code of step 2 first (it defines train_two_layer)",
                           "먼저 2단계의 코드를 실행하세요 (train_two_layer를 정의합니다)")

return {
  id = "initialization",
  order = 3.5,   -- after vanishing-gradients
  title = { en = "Initialization", ko = "가중치 초기화" },
  steps = {
    {
      text = {
        en = [[
Where should the weights start? The simplest idea is zero. A network with 4
inputs, 8 tanh hidden units and one output: h = tanh(X·W1), ŷ = h·W2. Start W1
and W2 at zero, run one forward and backward pass, and put the largest
|gradient| of W1 in g1 and of W2 in g2. Before you run it, think: what is h?
What does ∂L/∂W1 go through on its way back?]],
        ko = [[
가중치는 어디서 시작해야 할까요? 가장 단순한 생각은 0입니다. 입력 4개, tanh
은닉 유닛 8개, 출력 1개인 신경망: h = tanh(X·W1), ŷ = h·W2. W1과 W2를 0으로
시작해 순전파와 역전파를 한 번 하고, W1 기울기의 최대 |값|을 g1에, W2의 것을
g2에 넣으세요. 실행하기 전에 생각해 보세요: h는 얼마일까요? ∂L/∂W1은 돌아오는
길에 무엇을 거칠까요?]],
      },
      code = [[
manual_seed(0)
X = randn(64, 4)
Y = (X:narrow(2, 1, 1) * X:narrow(2, 2, 1)):tanh()      -- a target to learn
W1 = zeros(4, 8):requires_grad()
W2 = zeros(8, 1):requires_grad()
loss = ((X:mm(W1):tanh():mm(W2) - Y) ^ 2):mean()
loss:backward()
g1 = W1.grad:abs():max():item()
g2 = W2.grad:abs():max():item()
print(g1, g2)]],
      wrong = [[
manual_seed(0)
X = randn(64, 4)
Y = (X:narrow(2, 1, 1) * X:narrow(2, 2, 1)):tanh()
W1 = zeros(4, 8):requires_grad()
W2 = zeros(8, 1):requires_grad()
g1, g2 = 0, 0]],
      wrongs = {
        { code = [[
W1 = (randn(4, 8) * 0.5):requires_grad()
W2 = (randn(8, 1) * 0.5):requires_grad()
loss = ((X:mm(W1):tanh():mm(W2) - Y) ^ 2):mean()
loss:backward()
g1 = W1.grad:abs():max():item()
g2 = W2.grad:abs():max():item()]],
          says = { en = "should start at zero", ko = "0에서 시작해야" } },
      },
      check = function(env)
        if not (is_matrix(env.W1, 4, 8) and is_matrix(env.W2, 8, 1)) then
          return false, msg("make W1 (4 × 8) and W2 (8 × 1), both zeros(...):requires_grad()",
                            "W1 (4 × 8)과 W2 (8 × 1)를 zeros(...):requires_grad()로 만드세요")
        end
        if env.W1:abs():max():item() ~= 0 or env.W2:abs():max():item() ~= 0 then
          return false, msg("W1 and W2 should start at zero in this step",
                            "이 단계에서는 W1과 W2가 0에서 시작해야 합니다")
        end
        if env.W1.grad == nil or env.W2.grad == nil then
          return false, msg("W1.grad is nil: compute the loss and call loss:backward() before reading the gradients",
                            "W1.grad가 nil입니다: 기울기를 읽기 전에 손실을 계산하고 loss:backward()를 호출하세요")
        end
        local w1, w2 = env.W1.grad:abs():max():item(), env.W2.grad:abs():max():item()
        if value(env.g1) ~= w1 or value(env.g2) ~= w2 then
          return false, msg(("g1, g2 should be W1.grad:abs():max():item() and the same for W2 (now %s, %s)"):format(tostring(env.g1), tostring(env.g2)),
                            ("g1, g2는 W1.grad:abs():max():item()과 W2의 같은 값이어야 합니다 (지금 %s, %s)"):format(tostring(env.g1), tostring(env.g2)))
        end
        return true
      end,
      hints = {
        { en = "tanh(0) = 0, so h = 0 and ∂L/∂W2 = hᵀ·δ = 0; δ reaches W1 through W2 = 0.",
          ko = "tanh(0) = 0이므로 h = 0이고 ∂L/∂W2 = hᵀ·δ = 0입니다. δ는 W2 = 0을 거쳐 W1에 닿습니다." },
      },
    },
    {
      text = {
        en = [[
Both gradients are exactly 0: nothing will ever move. A non-zero constant looks
safer. Start every weight at 0.3 and train 200 steps of gradient descent. Every
hidden unit j computes the same h_j from the same weights, so it gets the same
gradient and takes the same step: the 8 units stay copies of one. Hidden unit
j's incoming weights are column j of W1. Set spread to the largest difference
between any column of W1 and its first column, after training.]],
        ko = [[
두 기울기가 정확히 0입니다: 아무것도 움직이지 않습니다. 0이 아닌 상수는 더
안전해 보입니다. 모든 가중치를 0.3에서 시작해 경사 하강법으로 200 스텝 학습해
보세요. 은닉 유닛 j는 모두 같은 가중치로 같은 h_j를 계산하므로 같은 기울기를
받고 같은 걸음을 옮깁니다: 8개의 유닛이 하나의 복사본으로 남습니다. 은닉 유닛
j로 들어오는 가중치는 W1의 j번째 열입니다. 학습이 끝난 뒤, W1의 각 열과 첫 열의
차이 중 가장 큰 값을 spread에 넣으세요.]],
      },
      code = [[
function train_two_layer(W1, W2, steps, lr)
  local losses = {}
  for t = 1, steps do
    local loss = ((X:mm(W1):tanh():mm(W2) - Y) ^ 2):mean()
    W1.grad, W2.grad = nil, nil
    loss:backward()
    no_grad(function() W1:sub_(W1.grad * lr); W2:sub_(W2.grad * lr) end)
    losses[t] = loss:item()
  end
  return losses
end
W1 = (ones(4, 8) * 0.3):requires_grad()
W2 = (ones(8, 1) * 0.3):requires_grad()
losses_const = train_two_layer(W1, W2, 200, 0.1)
spread = ???      -- columns of W1 compared with column 1 (W1:narrow(2, 1, 1))
print(spread, losses_const[200])]],
      solution = [[
function train_two_layer(W1, W2, steps, lr)
  local losses = {}
  for t = 1, steps do
    local loss = ((X:mm(W1):tanh():mm(W2) - Y) ^ 2):mean()
    W1.grad, W2.grad = nil, nil
    loss:backward()
    no_grad(function() W1:sub_(W1.grad * lr); W2:sub_(W2.grad * lr) end)
    losses[t] = loss:item()
  end
  return losses
end
W1 = (ones(4, 8) * 0.3):requires_grad()
W2 = (ones(8, 1) * 0.3):requires_grad()
losses_const = train_two_layer(W1, W2, 200, 0.1)
spread = (W1 - W1:narrow(2, 1, 1)):abs():max():item()]],
      wrong = [[
function train_two_layer(W1, W2, steps, lr)
  local losses = {}
  for t = 1, steps do
    local loss = ((X:mm(W1):tanh():mm(W2) - Y) ^ 2):mean()
    W1.grad, W2.grad = nil, nil
    loss:backward()
    no_grad(function() W1:sub_(W1.grad * lr); W2:sub_(W2.grad * lr) end)
    losses[t] = loss:item()
  end
  return losses
end
W1 = (ones(4, 8) * 0.3):requires_grad()
W2 = (ones(8, 1) * 0.3):requires_grad()
losses_const = train_two_layer(W1, W2, 200, 0.1)
spread = (W1 - W1:narrow(1, 1, 1)):abs():max():item()]],
      check = function(env)
        if type(env.train_two_layer) ~= "function" then return false, need_two_layer end
        if not is_matrix(env.W1, 4, 8) or not numbers(env.losses_const, 200) then
          return false, msg("train W1 (4 × 8) and W2 for 200 steps into losses_const",
                            "W1 (4 × 8)과 W2를 200 스텝 학습시켜 losses_const에 담으세요")
        end
        if (env.W1 - 0.3):abs():max():item() < 1e-3 then
          return false, msg("W1 has not moved from 0.3: train it with train_two_layer first",
                            "W1이 0.3에서 움직이지 않았습니다: 먼저 train_two_layer로 학습시키세요")
        end
        local s = value(env.spread)
        local cols, rows = unit_spread(env.W1), row_spread(env.W1)
        if s ~= nil and math.abs(s - rows) < 1e-6 and math.abs(rows - cols) > 1e-4 then
          return false, msg("you compared the rows of W1: a row is one input's weights to all units. A hidden unit's weights are a column: W1:narrow(2, 1, 1)",
                            "W1의 행을 비교했습니다: 행은 입력 하나가 모든 유닛으로 가는 가중치입니다. 은닉 유닛의 가중치는 열입니다: W1:narrow(2, 1, 1)")
        end
        if s == nil or math.abs(s - cols) > 1e-6 then
          return false, msg(("spread is %s, but the columns of W1 differ from its first by at most %.3g"):format(tostring(env.spread), cols),
                            ("spread가 %s인데, W1의 열과 첫 열의 차이는 최대 %.3g입니다"):format(tostring(env.spread), cols))
        end
        if cols > 1e-5 then
          return false, msg("the units differ: did W1 and W2 start at the same constant 0.3 everywhere?",
                            "유닛들이 서로 다릅니다: W1과 W2의 모든 원소를 같은 상수 0.3에서 시작했나요?")
        end
        return true
      end,
      hints = {
        { en = "W1:narrow(2, 1, 1) is column 1 (4 × 1); subtracting it from W1 broadcasts over the 8 columns.",
          ko = "W1:narrow(2, 1, 1)은 1열(4 × 1)입니다. W1에서 빼면 8개의 열에 브로드캐스트됩니다." },
        { en = "spread = (W1 - W1:narrow(2, 1, 1)):abs():max():item()",
          ko = "spread = (W1 - W1:narrow(2, 1, 1)):abs():max():item()" },
      },
    },
    {
      text = {
        en = [[
spread is 0: after 200 steps the 8 units are still one unit copied 8 times. No
amount of training separates them, because nothing in the gradient tells them
apart. Randomness at the start breaks the symmetry. Start W1 and W2 from
randn(...) * 0.5 instead, train the same 200 steps into losses_rand, and
compare the final losses.]],
        ko = [[
spread가 0입니다: 200 스텝 뒤에도 8개 유닛은 한 유닛을 8번 복사한 것입니다.
기울기에는 유닛들을 구별할 정보가 없으므로, 얼마나 오래 학습해도 갈라지지
않습니다. 시작할 때의 무작위성이 대칭을 깹니다. 이번에는 W1과 W2를 randn(...) *
0.5에서 시작해 같은 200 스텝을 losses_rand에 학습시키고, 마지막 손실을 비교해
보세요.]],
      },
      code = [[
manual_seed(1)
W1 = (randn(4, 8) * 0.5):requires_grad()
W2 = (randn(8, 1) * 0.5):requires_grad()
losses_rand = train_two_layer(W1, W2, 200, 0.1)
print(losses_const[200], losses_rand[200])
plot.lines{ constant = losses_const, random = losses_rand }]],
      wrong = [[
W1 = (ones(4, 8) * 0.5):requires_grad()
W2 = (ones(8, 1) * 0.5):requires_grad()
losses_rand = train_two_layer(W1, W2, 200, 0.1)]],
      check = function(env)
        if type(env.train_two_layer) ~= "function" then return false, need_two_layer end
        if not is_matrix(env.W1, 4, 8) or not numbers(env.losses_rand, 200) or not numbers(env.losses_const, 200) then
          return false, msg("train the random start for 200 steps into losses_rand",
                            "무작위로 시작한 신경망을 200 스텝 학습시켜 losses_rand에 담으세요")
        end
        local cols = unit_spread(env.W1)
        if cols < 1e-2 then
          return false, msg(("after training, the hidden units of W1 differ by at most %.2g: a constant start, however large, keeps them equal; use randn"):format(cols),
                            ("학습 뒤 W1의 은닉 유닛들의 차이가 최대 %.2g입니다: 상수로 시작하면 크기와 상관없이 똑같이 남습니다. randn을 쓰세요"):format(cols))
        end
        if not (env.losses_rand[200] < env.losses_const[200]) then
          return false, msg(("the random start ends at %.3g, no lower than the constant one (%.3g): scale 0.5 and 200 steps at lr 0.1?"):format(env.losses_rand[200], env.losses_const[200]),
                            ("마지막 손실이 무작위 시작 %.3g, 상수 시작 %.3g입니다. 무작위 쪽이 더 낮아야 합니다: 크기 0.5, 학습률 0.1로 200 스텝인가요?"):format(env.losses_rand[200], env.losses_const[200]))
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Random, but how large? One unit of a linear layer computes y = Σᵢ xᵢwᵢ over n
inputs. With x and w independent, zero mean: Var(y) = n·Var(w)·Var(x). To keep
Var(y) = Var(x), Var(w) must be 1/n. Predict, then run: for n = 256 set sigma,
the standard deviation of the weights (a number from the formula, not a trial),
then measure out_std, the std of x·W for x = randn(512, 256).]],
        ko = [[
무작위로 하되, 얼마나 크게? 선형 층의 유닛 하나는 입력 n개에 대해 y = Σᵢ xᵢwᵢ를
계산합니다. x와 w가 독립이고 평균이 0이면 Var(y) = n·Var(w)·Var(x)입니다.
Var(y) = Var(x)를 유지하려면 Var(w) = 1/n이어야 합니다. 예측한 뒤 실행하세요: n
= 256일 때 가중치의 표준편차 sigma를 (시행착오 말고) 공식으로 정하고, x =
randn(512, 256)에 대해 x·W의 표준편차 out_std를 측정하세요.]],
      },
      code = [[
sigma = ???              -- the std of w that gives Var(w) = 1/256
x = randn(512, 256)
W = randn(256, 256) * sigma
out_std = x:mm(W):std():item()
print(sigma, x:std():item(), out_std)]],
      solution = [[
sigma = 1 / math.sqrt(256)
x = randn(512, 256)
W = randn(256, 256) * sigma
out_std = x:mm(W):std():item()]],
      wrong = [[
sigma = 1 / 256
x = randn(512, 256)
W = randn(256, 256) * sigma
out_std = x:mm(W):std():item()]],
      wrongs = {
        { code = [[
sigma = 1 / math.sqrt(256)
x = randn(512, 256)
W = randn(256, 256) * sigma
out_std = 1]],
          says = { en = "but the std of x·W is", ko = "x·W의 표준편차는" } },
        { code = [[
sigma = 0.1
x = randn(512, 256)
W = randn(256, 256) * sigma
out_std = x:mm(W):std():item()]],
          says = { en = "n·Var(w) = 2.56, not 1", ko = "n·Var(w) = 2.56입니다" } },
      },
      secret = function() return 0.0625 end,
      check = function(env)
        local s = value(env.sigma)
        if not finite(s) or s <= 0 then
          return false, msg("set sigma to a positive number", "sigma에 양수를 넣으세요")
        end
        if math.abs(s - 1 / 256) < 1e-9 then
          return false, msg("sigma = 1/n makes the VARIANCE 1/n²; Var(w) = 1/n needs the std √(1/n)",
                            "sigma = 1/n이면 '분산'이 1/n²이 됩니다. Var(w) = 1/n이려면 표준편차가 √(1/n)이어야 합니다")
        end
        if math.abs(s * s * 256 - 1) > 1e-3 then
          return false, msg(("with sigma = %.4g, n·Var(w) = %.3g, not 1"):format(s, s * s * 256),
                            ("sigma = %.4g이면 n·Var(w) = %.3g입니다. 1이어야 합니다"):format(s, s * s * 256))
        end
        local o = value(env.out_std)
        if not (is_matrix(env.x, 512, 256) and is_matrix(env.W, 256, 256) and finite(o)) then
          return false, msg("make x = randn(512, 256), W = randn(256, 256) * sigma and measure out_std",
                            "x = randn(512, 256), W = randn(256, 256) * sigma를 만들고 out_std를 측정하세요")
        end
        local want = env.x:mm(env.W):std():item()
        if math.abs(o - want) > 1e-4 * want then
          return false, msg(("out_std is %.4g, but the std of x·W is %.4g"):format(o, want),
                            ("out_std가 %.4g인데, x·W의 표준편차는 %.4g입니다"):format(o, want))
        end
        return true
      end,
      hints = {
        { en = "Var(w) = sigma². Which sigma gives sigma² · 256 = 1?", ko = "Var(w) = sigma²입니다. sigma² · 256 = 1이 되는 sigma는?" },
      },
    },
    {
      text = {
        en = [[
One layer keeps its size. Twenty layers multiply whatever factor is left over.
Write layer_stds(act, gain, depth): a batch h = randn(256, 128) goes through
depth layers h = act(h·W), each W = randn(128, 128) scaled so that Var(w) =
gain²/128, and the std of h after each layer goes in a list. Then measure ReLU
with gain 1 (the 1/n rule of the last step) and gain √2 into stds_relu_1 and
stds_relu_he.]],
        ko = [[
층 하나는 크기를 유지합니다. 층 스무 개는 남은 배율을 거듭 곱합니다.
layer_stds(act, gain, depth)를 작성하세요: 배치 h = randn(256, 128)이 depth개의
층 h = act(h·W)를 지나고, 각 W = randn(128, 128)은 Var(w) = gain²/128이 되도록
크기를 맞추며, 층마다 h의 표준편차를 목록에 담습니다. 그다음 ReLU를 gain 1(앞
단계의 1/n 규칙)과 gain √2로 측정해 stds_relu_1과 stds_relu_he에 넣으세요.]],
      },
      code = [[
function layer_stds(act, gain, depth)
  local h, stds = randn(256, 128), {}
  for i = 1, depth do
    local W = randn(128, 128) * ???      -- so that Var(w) = gain² / 128
    h = act(h:mm(W))
    stds[i] = h:std():item()
  end
  return stds
end
relu = function(t) return t:relu() end
stds_relu_1 = layer_stds(relu, 1, 20)
stds_relu_he = layer_stds(relu, math.sqrt(2), 20)
plot.lines({ ["gain 1"] = stds_relu_1, ["gain √2"] = stds_relu_he },
           { title = "std of h after each layer (ReLU)" })]],
      solution = [[
function layer_stds(act, gain, depth)
  local h, stds = randn(256, 128), {}
  for i = 1, depth do
    local W = randn(128, 128) * (gain / math.sqrt(128))
    h = act(h:mm(W))
    stds[i] = h:std():item()
  end
  return stds
end
relu = function(t) return t:relu() end
stds_relu_1 = layer_stds(relu, 1, 20)
stds_relu_he = layer_stds(relu, math.sqrt(2), 20)]],
      wrong = [[
function layer_stds(act, gain, depth)
  local h, stds = randn(256, 128), {}
  for i = 1, depth do
    local W = randn(128, 128) * (gain / 128)
    h = act(h:mm(W))
    stds[i] = h:std():item()
  end
  return stds
end
relu = function(t) return t:relu() end
stds_relu_1 = layer_stds(relu, 1, 20)
stds_relu_he = layer_stds(relu, math.sqrt(2), 20)]],
      check = function(env)
        if type(env.layer_stds) ~= "function" then
          return false, msg("define layer_stds(act, gain, depth)", "layer_stds(act, gain, depth)를 정의하세요")
        end
        local ok, s = pcall(env.layer_stds, function(t) return t end, 1, 10)
        if not ok or not numbers(s, 10) then
          return false, msg("layer_stds(act, 1, 10) should return a list of 10 numbers",
                            "layer_stds(act, 1, 10)은 숫자 10개의 목록을 돌려줘야 합니다")
        end
        if not (s[10] > 0.6 and s[10] < 1.6) then
          return false, msg(("without an activation (act = identity, gain 1) layer 10's std is %.3g; it should stay near 1: scale W by gain/√128, the std, not gain/128"):format(s[10]),
                            ("활성화 없이(act = 항등 함수, gain 1) 10번째 층의 표준편차가 %.3g입니다. 1 근처에 머물러야 합니다: W에 분산이 아니라 표준편차인 gain/√128을 곱하세요"):format(s[10]))
        end
        local a, b = env.stds_relu_1, env.stds_relu_he
        if not (numbers(a, 20) and numbers(b, 20)) then
          return false, msg("measure stds_relu_1 and stds_relu_he with 20 layers",
                            "20층으로 stds_relu_1과 stds_relu_he를 측정하세요")
        end
        if not (a[20] < a[1] * 0.01) then
          return false, msg(("with gain 1 ReLU should lose half the variance per layer, but layer 20 has %.3g vs %.3g at layer 1"):format(a[20], a[1]),
                            ("gain 1인 ReLU는 층마다 분산의 절반을 잃어야 하는데, 20번째 층이 %.3g, 1번째 층이 %.3g입니다"):format(a[20], a[1]))
        end
        if not (b[20] > b[1] * 0.5 and b[20] < b[1] * 2) then
          return false, msg(("with gain √2 the std should stay level, but it went from %.3g to %.3g"):format(b[1], b[20]),
                            ("gain √2이면 표준편차가 유지되어야 합니다 (지금 1번째 층 %.3g, 20번째 층 %.3g)"):format(b[1], b[20]))
        end
        return true
      end,
      hints = {
        { en = "Var(c·z) = c²·Var(z) for z = randn: the factor is the std, gain / math.sqrt(128).",
          ko = "z = randn일 때 Var(c·z) = c²·Var(z)입니다: 곱할 값은 표준편차 gain / math.sqrt(128)입니다." },
      },
    },
    {
      text = {
        en = [[
Why √2? ReLU sets the negative half of z to zero, so E[relu(z)²] = Var(z)/2:
each layer halves the second moment, and Var(w) = 2/n puts it back (He et al.,
2015). Measure it: for the gains 0.5, 1, √2 and 2, compute ratio[g] = std after
layer 20 divided by std after layer 1, and set best_gain to the gain whose
ratio is closest to 1, chosen by your code from the numbers.]],
        ko = [[
왜 √2일까요? ReLU는 z의 음수 절반을 0으로 만들어서 E[relu(z)²] = Var(z)/2가
됩니다: 층마다 2차 모멘트가 절반이 되고, Var(w) = 2/n이 그것을 되돌립니다(He
외, 2015). 측정해 보세요: gain 0.5, 1, √2, 2에 대해 ratio[g] = 20번째 층 뒤의
표준편차 ÷ 1번째 층 뒤의 표준편차를 구하고, ratio가 1에 가장 가까운 gain을
코드가 숫자로부터 골라 best_gain에 넣게 하세요.]],
      },
      code = [[
gains = { 0.5, 1, math.sqrt(2), 2 }
ratio, best_gain = {}, nil
for _, g in ipairs(gains) do
  local s = layer_stds(relu, g, 20)
  ratio[g] = s[20] / s[1]
  print(("gain %.3f: ratio %.3g"):format(g, ratio[g]))
  if best_gain == nil or ??? then best_gain = g end
end
print(best_gain)]],
      solution = [[
gains = { 0.5, 1, math.sqrt(2), 2 }
ratio, best_gain = {}, nil
for _, g in ipairs(gains) do
  local s = layer_stds(relu, g, 20)
  ratio[g] = s[20] / s[1]
  local off = math.abs(math.log(ratio[g]))
  if best_gain == nil or off < math.abs(math.log(ratio[best_gain])) then
    best_gain = g
  end
end]],
      wrong = [[
gains = { 0.5, 1, math.sqrt(2), 2 }
ratio = {}
for _, g in ipairs(gains) do
  local s = layer_stds(relu, g, 20)
  ratio[g] = s[20] / s[1]
end
best_gain = 1]],
      wrongs = {
        { code = [[
gains = { 0.5, 1, math.sqrt(2), 2 }
ratio = {}
for _, g in ipairs(gains) do
  local s = layer_stds(relu, g, 20)
  ratio[g] = s[20] / s[1]
end
best_gain = 2]],
          says = { en = "but the ratio closest to 1 is ratio[1.41]", ko = "1에 가장 가까운 ratio는 ratio[1.41]" } },
      },
      check = function(env)
        local r = env.ratio
        if type(r) ~= "table" then
          return false, msg("make the table ratio[g] for the four gains", "네 gain에 대한 ratio[g] 테이블을 만드세요")
        end
        local gs = { 0.5, 1, math.sqrt(2), 2 }
        for _, g in ipairs(gs) do
          local v = r[g]
          if type(v) ~= "number" or v ~= v then
            return false, msg(("ratio[%.3g] is missing"):format(g), ("ratio[%.3g] 값이 없습니다"):format(g))
          end
        end
        if not (r[0.5] < 1e-3 and r[2] > 100) then
          return false, msg(("ratio[0.5] = %.3g and ratio[2] = %.3g: they should be tiny and huge (each layer multiplies the variance by gain²/2)"):format(r[0.5], r[2]),
                            ("ratio[0.5] = %.3g, ratio[2] = %.3g: 아주 작고 아주 커야 합니다 (층마다 분산에 gain²/2가 곱해집니다)"):format(r[0.5], r[2]))
        end
        local b = value(env.best_gain)
        if b == 1 then
          return false, msg(("gain 1 shrinks by %.3g over 20 layers: it is right for a linear (or tanh near 0) layer, but ReLU halves the variance"):format(r[1]),
                            ("gain 1은 20층 동안 %.3g배로 줄어듭니다: 선형 층(또는 0 근처의 tanh)에는 맞지만 ReLU는 분산을 절반으로 만듭니다"):format(r[1]))
        end
        local best, off = nil, math.huge
        for _, g in ipairs(gs) do
          local o = math.abs(math.log(r[g]))
          if o < off then best, off = g, o end
        end
        if b == nil or math.abs(b - best) > 1e-9 then
          return false, msg(("best_gain is %s, but the ratio closest to 1 is ratio[%.3g] = %.3g"):format(tostring(env.best_gain), best, r[best]),
                            ("best_gain이 %s인데, 1에 가장 가까운 ratio는 ratio[%.3g] = %.3g입니다"):format(tostring(env.best_gain), best, r[best]))
        end
        return true
      end,
      hints = {
        { en = "Compare on a log scale: |log ratio| measures how far from 1 it is, the same for 100× and 1/100×.",
          ko = "로그 눈금에서 비교하세요: |log ratio|는 1에서 얼마나 먼지를 100배든 1/100배든 똑같이 나타냅니다." },
      },
    },
    {
      text = {
        en = [[
Backward, the same argument runs over the outputs: the gradient keeps its
variance when Var(w) = 1/fan_out. A layer 784 → 128 cannot have both, and
Glorot and Bengio (2010) take the average: Var(w) = 2/(fan_in + fan_out), the
Xavier start (nn.init.xavier_normal_). Compute xavier_std for a 784 → 128 layer
from the formula, then fill W = empty(128, 784) with nn.init.xavier_normal_ and
measure its std into measured (nabla's Linear keeps weights as out × in, like
PyTorch).]],
        ko = [[
역전파에서는 같은 논리가 출력 쪽에 적용됩니다: Var(w) = 1/fan_out이면 기울기의
분산이 유지됩니다. 784 → 128 층은 둘을 함께 만족할 수 없으므로, Glorot와
Bengio(2010)는 평균을 택했습니다: Var(w) = 2/(fan_in + fan_out), 곧 Xavier
초기화(nn.init.xavier_normal_)입니다. 784 → 128 층의 xavier_std를 공식으로 구한
뒤, W = empty(128, 784)를 nn.init.xavier_normal_로 채우고 그 표준편차를
measured에 측정하세요 (nabla의 Linear는 PyTorch처럼 가중치를 출력 × 입력으로
둡니다).]],
      },
      code = [[
fan_in, fan_out = 784, 128
xavier_std = ???
W = empty(128, 784)
nn.init.xavier_normal_(W)
measured = W:std():item()
print(xavier_std, measured, 1 / math.sqrt(fan_in))]],
      solution = [[
fan_in, fan_out = 784, 128
xavier_std = math.sqrt(2 / (fan_in + fan_out))
W = empty(128, 784)
nn.init.xavier_normal_(W)
measured = W:std():item()]],
      wrong = [[
fan_in, fan_out = 784, 128
xavier_std = math.sqrt(1 / fan_in)
W = empty(128, 784)
nn.init.xavier_normal_(W)
measured = W:std():item()]],
      wrongs = {
        { code = [[
fan_in, fan_out = 784, 128
xavier_std = 2 / (fan_in + fan_out)
W = empty(128, 784)
nn.init.xavier_normal_(W)
measured = W:std():item()]],
          says = { en = "is the variance; the std is its square root", ko = "분산입니다. 표준편차는 그 제곱근입니다" } },
        { code = [[
fan_in, fan_out = 784, 128
xavier_std = math.sqrt(2 / (fan_in + fan_out))
W = empty(128, 784)
nn.init.kaiming_normal_(W)
measured = W:std():item()]],
          says = { en = "fill W = empty(128, 784) with nn.init.xavier_normal_(W)", ko = "nn.init.xavier_normal_(W)로 채우고" } },
      },
      check = function(env)
        local x = value(env.xavier_std)
        local want = math.sqrt(2 / (784 + 128))
        if not finite(x) then return false, msg("set xavier_std to a number", "xavier_std에 숫자를 넣으세요") end
        if math.abs(x - math.sqrt(1 / 784)) < 1e-6 then
          return false, msg("that is 1/√fan_in, the forward rule alone; Xavier averages fan_in and fan_out",
                            "그것은 순전파만 본 1/√fan_in입니다. Xavier는 fan_in과 fan_out의 평균을 씁니다")
        end
        if math.abs(x - 2 / (784 + 128)) < 1e-6 then
          return false, msg("2/(fan_in + fan_out) is the variance; the std is its square root",
                            "2/(fan_in + fan_out)은 분산입니다. 표준편차는 그 제곱근입니다")
        end
        if math.abs(x - want) > 1e-4 * want then
          return false, msg(("xavier_std = %.4g does not follow Var(w) = 2/(fan_in + fan_out)"):format(x),
                            ("xavier_std = %.4g: Var(w) = 2/(fan_in + fan_out)을 따르지 않습니다"):format(x))
        end
        local m = value(env.measured)
        if not finite(m) or math.abs(m - want) > 0.05 * want then
          return false, msg(("measured = %s: fill W = empty(128, 784) with nn.init.xavier_normal_(W) and take W:std():item()"):format(tostring(env.measured)),
                            ("measured = %s: W = empty(128, 784)를 nn.init.xavier_normal_(W)로 채우고 W:std():item()을 구하세요"):format(tostring(env.measured)))
        end
        return true
      end,
    },
    {
      text = {
        en = [[
What it does to training. A 6-layer ReLU MLP (784 → 128 → ... → 10) on the
MNIST subset, 150 steps of SGD with momentum, three starts for the weights:
zero, the common "small random" N(0, 0.01²), and He (nn.init.kaiming_normal_).
Fill in the table inits, train, and keep the mean of the last 20 losses of each
in final. Chance level is ln 10 ≈ 2.30.]],
        ko = [[
학습에는 어떤 영향을 줄까요? MNIST 부분 집합에서 6층 ReLU MLP(784 → 128 → ... →
10)를 모멘텀 SGD로 150 스텝 학습시키며, 가중치를 세 가지로 시작합니다: 0, 흔히
쓰는 '작은 무작위' N(0, 0.01²), 그리고 He 초기화(nn.init.kaiming_normal_).
inits 테이블을 채우고 학습시킨 뒤, 각각의 마지막 손실 20개의 평균을 final에
넣으세요. 찍는 수준의 손실은 ln 10 ≈ 2.30입니다.]],
      },
      code = DEEP_MLP .. [[
inits = {
  zero = nn.init.zeros_,
  small = function(w) nn.init.normal_(w, 0, 0.01) end,
  he = ???     -- nn.init.kaiming_normal_ for a ReLU network
}
curves, final = {}, {}
for name, init in pairs(inits) do
  manual_seed(0)
  curves[name] = train_steps(deep_mlp(init), 150)
  final[name] = ???       -- the mean of curves[name][131 .. 150]
end
print(final.zero, final.small, final.he)
plot.lines(curves, { title = "training loss" })]],
      solution = DEEP_MLP .. [[
inits = {
  zero = nn.init.zeros_,
  small = function(w) nn.init.normal_(w, 0, 0.01) end,
  he = function(w) nn.init.kaiming_normal_(w, { nonlinearity = "relu" }) end,
}
curves, final = {}, {}
for name, init in pairs(inits) do
  manual_seed(0)
  curves[name] = train_steps(deep_mlp(init), 150)
  local s = 0
  for i = 131, 150 do s = s + curves[name][i] end
  final[name] = s / 20
end]],
      wrong = DEEP_MLP .. [[
inits = {
  zero = nn.init.zeros_,
  small = function(w) nn.init.normal_(w, 0, 0.01) end,
  he = function(w) nn.init.normal_(w, 0, 1) end,
}
curves, final = {}, {}
for name, init in pairs(inits) do
  manual_seed(0)
  curves[name] = train_steps(deep_mlp(init), 150)
  local s = 0
  for i = 131, 150 do s = s + curves[name][i] end
  final[name] = s / 20
end]],
      check = function(env)
        local c, f = env.curves, env.final
        if type(c) ~= "table" or type(f) ~= "table" then
          return false, msg("train the three starts into curves and final", "세 가지 시작을 학습시켜 curves와 final에 담으세요")
        end
        for _, k in ipairs({ "zero", "small", "he" }) do
          local list = c[k]
          local ok = type(list) == "table" and #list >= 150
          for i = 1, ok and #list or 0 do ok = ok and type(list[i]) == "number" end
          if not ok then
            return false, msg(("curves.%s should hold the 150 losses of that start"):format(k),
                              ("curves.%s에 그 시작의 손실 150개가 있어야 합니다"):format(k))
          end
          local s = 0
          for i = 131, 150 do s = s + c[k][i] end
          local v = value(f[k])
          if not (v and (v == s / 20 or (v ~= v and s ~= s) or math.abs(v - s / 20) < 1e-6)) then
            return false, msg(("final.%s should be the mean of the last 20 losses of curves.%s"):format(k, k),
                              ("final.%s 값은 curves.%s의 마지막 손실 20개의 평균이어야 합니다"):format(k, k))
          end
        end
        if not (f.he == f.he and f.he < 1) then
          return false, msg(("the He start ends at %.3g: std 1 is about 20× He's √(2/784) and blows up; use nn.init.kaiming_normal_(w, { nonlinearity = \"relu\" })"):format(f.he),
                            ("He 시작의 마지막 손실이 %.3g입니다: 표준편차 1은 He의 √(2/784)의 약 20배라 발산합니다. nn.init.kaiming_normal_(w, { nonlinearity = \"relu\" })를 쓰세요"):format(f.he))
        end
        if not (f.zero > 2.2 and f.small > 2.2) then
          return false, msg(("zero and small should stay near chance (2.30), now %.3g and %.3g: zeros_ and normal_(w, 0, 0.01)?"):format(f.zero, f.small),
                            ("zero와 small은 찍는 수준(2.30) 근처에 머물러야 하는데 지금 %.3g, %.3g입니다: zeros_와 normal_(w, 0, 0.01)인가요?"):format(f.zero, f.small))
        end
        return true
      end,
    },
    {
      text = {
        en = [[
The zero start never moves. The small start is not symmetric, but each of the 6
layers scales the signal by about 0.01·√128·√½ ≈ 0.08, so the output and every
gradient start 10⁶ times too small: 150 steps are not enough to get out. He
keeps the signal's size through every layer and learns at once.]],
        ko = [[
0으로 시작하면 전혀 움직이지 않습니다. 작은 무작위 시작은 대칭은 아니지만, 6개
층이 각각 신호에 약 0.01·√128·√½ ≈ 0.08을 곱하므로 출력과 모든 기울기가 10⁶배
너무 작게 시작합니다: 150 스텝으로는 빠져나오지 못합니다. He 초기화는 모든
층에서 신호의 크기를 유지하므로 곧바로 배웁니다.]],
      },
      quiz = {
        question = { en = "A ReLU MLP's hidden units all start with the same weights. What happens in training?",
                     ko = "ReLU MLP의 은닉 유닛이 모두 같은 가중치로 시작합니다. 학습하면 어떻게 될까요?" },
        choices = {
          { en = "They diverge after a few steps, because SGD's noise differs per unit",
            ko = "SGD의 노이즈가 유닛마다 달라서, 몇 스텝 뒤에 서로 갈라진다" },
          { en = "They slowly separate, but only if the learning rate is small enough",
            ko = "학습률이 충분히 작을 때에만 천천히 서로 갈라진다" },
          { en = "They get equal gradients at every step and so stay equal forever",
            ko = "매 스텝 같은 기울기를 받으므로 영원히 서로 같게 남는다" },
        },
        answer = 3,
        explain = { en = "Yes: the same inputs and the same weights give the same output and the same gradient for each unit. Only a random start breaks the symmetry (dropout would too, by accident).",
                    ko = "맞습니다: 같은 입력과 같은 가중치는 유닛마다 같은 출력과 같은 기울기를 줍니다. 무작위 시작만이 대칭을 깹니다 (드롭아웃도 우연히 깰 수 있습니다)." },
        wrong = {
          { en = "The minibatch is the same for every unit of a layer: its noise is shared, not per unit.",
            ko = "미니배치는 한 층의 모든 유닛에 똑같습니다: 노이즈도 유닛마다 다르지 않고 모두 같습니다." },
          { en = "The learning rate scales every unit's equal step by the same amount; nothing separates them.",
            ko = "학습률은 모든 유닛의 같은 걸음에 같은 값을 곱할 뿐입니다: 유닛들을 가르는 것은 없습니다." },
        },
      },
    },
  },
}

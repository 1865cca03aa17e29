-- Lesson 2: backpropagation by hand through a 2-layer network, checked against autograd.
local function is_t(env, v) return env.is_tensor and env.is_tensor(v) end

-- the reference forward and gradients, computed with autograd from the learner's data
local function reference(env)
  local nb = require "nabla"
  local W1, b1 = env.W1:detach():clone():requires_grad(), env.b1:detach():clone():requires_grad()
  local W2, b2 = env.W2:detach():clone():requires_grad(), env.b2:detach():clone():requires_grad()
  local A1 = (env.X:mm(W1) + b1):tanh()
  local Z2 = A1:mm(W2) + b2
  local loss = ((Z2 - env.Y) ^ 2):mean()
  loss:backward()
  return { loss = loss:item(), A1 = A1:detach(), Z2 = Z2:detach(), W1 = W1.grad, b1 = b1.grad, W2 = W2.grad, b2 = b2.grad }
  , nb
end

local maxdiff = require("nabla.lesson").checks.maxdiff

local function need_setup(env)
  for _, n in ipairs({ "X", "Y", "W1", "b1", "W2", "b2" }) do
    if not is_t(env, env[n]) then return n end
  end
end

local function compare(env, names, tol)
  local missing = need_setup(env)
  if missing then return false, { en = "missing tensor " .. missing .. " (redo step 1)", ko = "텐서 " .. missing .. "이(가) 없습니다 (1단계를 다시 하세요)" } end
  local ref = reference(env)
  for _, pair in ipairs(names) do
    local mine, want = env[pair[1]], ref[pair[2]]
    if not is_t(env, mine) then
      return false, { en = "compute " .. pair[1], ko = pair[1] .. "을(를) 계산하세요" }
    end
    local d = maxdiff(mine, want)
    if d > tol then
      return false, { en = ("%s differs from autograd's value by %.3g%s"):format(pair[1], d, pair[3] and (" — " .. pair[3].en) or ""),
                      ko = ("%s 값이 autograd 값과 %.3g만큼 다릅니다%s"):format(pair[1], d, pair[3] and (" — " .. pair[3].ko) or "") }
    end
  end
  return true
end

return {
  id = "backprop",
  order = 2,
  title = { en = "Backpropagation by hand", ko = "역전파를 손으로" },
  steps = {
    {
      text = {
        en = [[
A 2-layer network: Z1 = X·W1 + b1, A1 = tanh(Z1), Z2 = A1·W2 + b2, and the loss
L = mean((Z2 − Y)²). We will compute every gradient ourselves, then ask autograd.
Make 8 samples with 3 features, 2 targets each, and small random weights (4 hidden units).]],
        ko = [[
2층 신경망: Z1 = X·W1 + b1, A1 = tanh(Z1), Z2 = A1·W2 + b2, 손실은
L = mean((Z2 − Y)²)입니다. 모든 기울기를 직접 계산한 뒤 autograd와 비교합니다.
특성 3개, 목표값 2개인 샘플 8개와, 작은 무작위 가중치(은닉 유닛 4개)를 만드세요.]],
      },
      code = [[
manual_seed(0)
X, Y = randn(8, 3), randn(8, 2)
W1, b1 = randn(3, 4) * 0.5, zeros(4)
W2, b2 = randn(4, 2) * 0.5, zeros(2)]],
      wrong = [[X, Y = randn(8, 3), randn(8, 2); W1 = randn(4, 3)]],
      check = function(env)
        local missing = need_setup(env)
        if missing then return false, { en = "make the tensor " .. missing, ko = "텐서 " .. missing .. "을(를) 만드세요" } end
        local shapes = { X = "[8,3]", Y = "[8,2]", W1 = "[3,4]", b1 = "[4]", W2 = "[4,2]", b2 = "[2]" }
        for n, s in pairs(shapes) do
          if tostring(env[n].shape) ~= s then
            return false, { en = ("%s should have shape %s, it has %s"):format(n, s, tostring(env[n].shape)),
                            ko = ("%s의 모양은 %s여야 하는데 %s입니다"):format(n, s, tostring(env[n].shape)) }
          end
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Forward pass, keeping every intermediate value (the "cache" backprop will need):
Z1, A1, Z2 and the loss L (a number).]],
        ko = [[
순전파에서는 역전파에 필요한 중간값("캐시")을 모두 남겨 둡니다:
Z1, A1, Z2, 그리고 손실 L(숫자).]],
      },
      code = [[
Z1 = X:mm(W1) + b1
A1 = Z1:tanh()
Z2 = A1:mm(W2) + b2
L = ((Z2 - Y) ^ 2):mean():item()]],
      wrong = [[
Z1 = X:mm(W1) + b1
A1 = Z1:sigmoid()
Z2 = A1:mm(W2) + b2
L = ((Z2 - Y) ^ 2):mean():item()]],
      check = function(env)
        local ok, msg = compare(env, { { "A1", "A1", { en = "A1 = tanh(Z1)", ko = "A1 = tanh(Z1)" } }, { "Z2", "Z2" } }, 1e-5)
        if not ok then return ok, msg end
        local ref = reference(env)
        if type(env.L) ~= "number" or math.abs(env.L - ref.loss) > 1e-5 then
          return false, { en = ("L should be the number %.5f"):format(ref.loss), ko = ("L은 숫자 %.5f여야 합니다"):format(ref.loss) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Backward starts at the loss. With N = Z2:numel() values in the mean,
    dZ2 = dL/dZ2 = 2·(Z2 − Y)/N
and Z2 = A1·W2 + b2 gives (the chain rule for a matrix product)
    dW2 = A1ᵀ·dZ2,   db2 = Σ over rows of dZ2.]],
        ko = [[
역전파는 손실에서 시작합니다. 평균에 들어간 값의 수를 N = Z2:numel()이라 하면
    dZ2 = dL/dZ2 = 2·(Z2 − Y)/N
이고, Z2 = A1·W2 + b2에서 (행렬 곱의 연쇄 법칙)
    dW2 = A1ᵀ·dZ2,   db2 = dZ2의 행 방향 합.]],
      },
      code = [[
dZ2 = 2 * (Z2 - Y) / Z2:numel()
dW2 = A1:t():mm(dZ2)
db2 = dZ2:sum(1)]],
      wrong = [[
dZ2 = 2 * (Z2 - Y) / Z2:numel()
dW2 = dZ2:t():mm(A1):t()
db2 = dZ2:sum(2)]],
      wrongs = {
        { code = [[
dZ2 = 2 * (Z2 - Y)
dW2 = A1:t():mm(dZ2)
db2 = dZ2:sum(1)]],
          says = { en = "dZ2 is", ko = "dZ2가" } },
        { code = [[
dZ2 = (Z2 - Y) / Z2:numel()
dW2 = A1:t():mm(dZ2)
db2 = dZ2:sum(1)]],
          says = { en = "dZ2 is", ko = "dZ2가" } },
      },
      check = function(env)
        -- dZ2 first: a wrong dZ2 makes dW2 and db2 wrong too, and the mistake is in dZ2
        local missing = need_setup(env)
        if missing then return false, { en = "missing tensor " .. missing .. " (redo step 1)", ko = "텐서 " .. missing .. "이(가) 없습니다 (1단계를 다시 하세요)" } end
        local ref = reference(env)
        local want = 2 * (ref.Z2 - env.Y) / ref.Z2:numel()
        if not is_t(env, env.dZ2) then
          return false, { en = "compute dZ2 = dL/dZ2 first", ko = "먼저 dZ2 = dL/dZ2를 계산하세요" }
        end
        local d = maxdiff(env.dZ2, want)
        if d > 1e-6 then
          local why = { en = "dL/dZ2 = 2·(Z2 − Y)/N with N = Z2:numel()", ko = "dL/dZ2 = 2·(Z2 − Y)/N이고 N = Z2:numel()입니다" }
          local n = ref.Z2:numel()
          if maxdiff(env.dZ2, want * n) < 1e-5 then
            why = { en = ("it is N = %d times too large: the mean divides by N = Z2:numel()"):format(n),
                    ko = ("N = %d배 큽니다. 평균은 N = Z2:numel()로 나눕니다"):format(n) }
          elseif maxdiff(env.dZ2, want / 2) < 1e-6 then
            why = { en = "it is half of it: the derivative of (Z2 − Y)² is 2·(Z2 − Y)",
                    ko = "절반입니다. (Z2 − Y)²의 미분은 2·(Z2 − Y)입니다" }
          end
          return false, { en = ("dZ2 is off by up to %.3g, so dW2 and db2 will be too: %s"):format(d, why.en),
                          ko = ("dZ2가 최대 %.3g만큼 틀려서 dW2와 db2도 틀립니다. %s"):format(d, why.ko) }
        end
        return compare(env, { { "dW2", "W2", { en = "dW2 = A1ᵀ·dZ2", ko = "dW2 = A1ᵀ·dZ2" } },
                              { "db2", "b2", { en = "sum dZ2 over the rows (dimension 1)", ko = "dZ2를 행 방향(1번 차원)으로 더하세요" } } }, 1e-5)
      end,
      hints = {
        { en = "Shapes guide you: dW2 must be [4,2] like W2; A1ᵀ is [4,8] and dZ2 is [8,2].", ko = "모양이 길잡이입니다: dW2는 W2처럼 [4,2]여야 합니다. A1ᵀ는 [4,8], dZ2는 [8,2]입니다." },
      },
    },
    {
      text = {
        en = [[
Into the hidden layer. The gradient flows back through W2, then through tanh,
whose local derivative is dA1/dZ1 = 1 − A1² (that is why we cached A1):
    dA1 = dZ2·W2ᵀ,   dZ1 = dA1 ⊙ (1 − A1²),   dW1 = Xᵀ·dZ1,   db1 = Σ rows of dZ1]],
        ko = [[
이제 은닉층으로 갑니다. 기울기는 W2를 거꾸로 지나고, 그다음 tanh를 지납니다.
tanh의 국소 미분은 dA1/dZ1 = 1 − A1²입니다 (그래서 A1을 캐시해 두었습니다):
    dA1 = dZ2·W2ᵀ,   dZ1 = dA1 ⊙ (1 − A1²),   dW1 = Xᵀ·dZ1,   db1 = dZ1의 행 방향 합]],
      },
      code = [[
dA1 = dZ2:mm(W2:t())
dZ1 = dA1 * (1 - A1 ^ 2)
dW1 = X:t():mm(dZ1)
db1 = dZ1:sum(1)]],
      wrong = [[
dA1 = dZ2:mm(W2:t())
dZ1 = dA1
dW1 = X:t():mm(dZ1)
db1 = dZ1:sum(1)]],
      check = function(env)
        return compare(env, { { "dW1", "W1", { en = "did you multiply by tanh's derivative 1 − A1²?", ko = "tanh의 미분 1 − A1²를 곱했나요?" } },
                              { "db1", "b1" } }, 1e-5)
      end,
      hints = { { en = "⊙ is the elementwise product: plain * on tensors.", ko = "⊙는 원소별 곱입니다: 텐서끼리의 * 입니다." } },
    },
    {
      text = {
        en = [[
Now ask autograd for the same numbers. Make copies of the weights that require grad,
run the forward pass again, call backward, and compare number for number: the largest
difference should be around 1e-7 (float32 rounding).]],
        ko = [[
이제 autograd에게 같은 값을 물어봅시다. 기울기가 필요한 가중치 사본을 만들고, 순전파를
다시 한 뒤 backward를 호출하고, 숫자 하나하나 비교하세요: 가장 큰 차이가 1e-7 정도
(float32 반올림 오차)여야 합니다.]],
      },
      code = [[
w1, w2 = W1:clone():requires_grad(), W2:clone():requires_grad()
c1, c2 = b1:clone():requires_grad(), b2:clone():requires_grad()
loss = (((X:mm(w1) + c1):tanh():mm(w2) + c2 - Y) ^ 2):mean()
loss:backward()
diff = (w1.grad - dW1):abs():max():item()
print(diff, (w2.grad - dW2):abs():max():item())]],
      wrong = [[diff = 1]],
      check = function(env)
        if not (is_t(env, env.w1) and env.w1.grad) then
          return false, { en = "make w1 with requires_grad() and call loss:backward()", ko = "requires_grad()로 w1을 만들고 loss:backward()를 호출하세요" }
        end
        if type(env.diff) ~= "number" or env.diff > 1e-5 then
          return false, { en = "diff should be the largest |w1.grad − dW1|, and tiny", ko = "diff는 |w1.grad − dW1|의 최댓값이고, 아주 작아야 합니다" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Watch autograd do what you just did. graph(loss) draws the computation graph with every
node's value and gradient. Then rebuild the loss and walk backprop node by node:
loss:backward{ step = true } — press Enter for each node (q stops). At each node you
see the gradient from above, the local derivative, and their product passed down.]],
        ko = [[
방금 직접 한 일을 autograd가 하는 모습을 봅시다. graph(loss)는 모든 노드의 값과 기울기를
담은 계산 그래프를 그립니다. 그다음 손실을 다시 만들고 노드 하나씩 역전파를 따라가세요:
loss:backward{ step = true } — 노드마다 Enter (q는 멈춤). 각 노드에서 위에서 온 기울기,
국소 미분, 그리고 아래로 넘겨지는 그 곱을 볼 수 있습니다.]],
      },
      code = [[
w1.grad, w2.grad, c1.grad, c2.grad = nil, nil, nil, nil
loss = (((X:mm(w1) + c1):tanh():mm(w2) + c2 - Y) ^ 2):mean()
graph(loss)
loss:backward{ step = true }]],
      solution = [[
w1.grad, w2.grad, c1.grad, c2.grad = nil, nil, nil, nil
loss = (((X:mm(w1) + c1):tanh():mm(w2) + c2 - Y) ^ 2):mean()
graph(loss)
loss:backward{ step = true, input = function() return "" end }]],
      wrong = [[w1.grad = nil]],
      check = function(env)
        if not (is_t(env, env.w1) and env.w1.grad and is_t(env, env.dW1)) then
          return false, { en = "run loss:backward{ step = true } to the end", ko = "loss:backward{ step = true }를 끝까지 실행하세요" }
        end
        if maxdiff(env.w1.grad, env.dW1) > 1e-5 then
          return false, { en = "w1.grad should equal your dW1 (clear the grads before backward)", ko = "w1.grad가 직접 구한 dW1과 같아야 합니다 (backward 전에 기울기를 비우세요)" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Your hand-made gradients train the network. Write a function step(eta) that runs the
forward pass, your backward formulas, and updates W1, b1, W2, b2 (no autograd), returning
the loss. Call it 300 times with eta = 0.1.]],
        ko = [[
직접 만든 기울기로 신경망을 학습시킬 수 있습니다. 순전파, 직접 만든 역전파 공식, 그리고
W1, b1, W2, b2 갱신(autograd 없이)을 하고 손실을 돌려주는 함수 step(eta)를 만드세요.
eta = 0.1로 300번 호출하세요.]],
      },
      code = [[
function step(eta)
  local A1 = (X:mm(W1) + b1):tanh()
  local Z2 = A1:mm(W2) + b2
  local dZ2 = 2 * (Z2 - Y) / Z2:numel()
  local dZ1 = dZ2:mm(W2:t()) * (1 - A1 ^ 2)
  W2, b2 = W2 - eta * A1:t():mm(dZ2), b2 - eta * dZ2:sum(1)
  W1, b1 = W1 - eta * X:t():mm(dZ1), b1 - eta * dZ1:sum(1)
  return ((Z2 - Y) ^ 2):mean():item()
end
first = step(0.1)
for i = 1, 299 do last = step(0.1) end
print(first, last)]],
      wrong = [[first, last = 1, 1]],
      check = function(env)
        if type(env.first) ~= "number" or type(env.last) ~= "number" then
          return false, { en = "keep the first and the last loss in first and last", ko = "첫 손실과 마지막 손실을 first와 last에 담으세요" }
        end
        if not (env.last < 0.7 * env.first) then
          return false, { en = ("the loss went from %.4f to %.4f: it should drop clearly"):format(env.first, env.last),
                          ko = ("손실이 %.4f에서 %.4f(으)로 바뀌었습니다: 확실히 줄어야 합니다"):format(env.first, env.last) }
        end
        return true
      end,
    },
    {
      text = { en = "Last, in your own words — then pick the best summary.", ko = "마지막으로, 스스로 설명해 본 다음 가장 좋은 요약을 고르세요." },
      quiz = {
        question = { en = "How does backpropagation compute dL/dW for every weight?",
                     ko = "역전파는 모든 가중치의 dL/dW를 어떻게 계산할까요?" },
        choices = {
          { en = "It runs the forward pass once per layer and subtracts the outputs of neighbouring layers",
            ko = "층마다 순전파를 한 번씩 돌리고, 이웃한 두 층의 출력끼리 빼서 기울기로 쓴다" },
          { en = "It nudges each weight in turn and measures how much the loss changes",
            ko = "가중치를 하나씩 조금 움직여 보고 손실이 얼마나 변하는지 측정한다" },
          { en = "One sweep back from the loss, multiplying each upstream gradient by a local derivative",
            ko = "손실에서 한 번 거꾸로 가며, 노드마다 위에서 온 기울기에 국소 미분을 곱한다" },
          { en = "It solves the equations dL/dW = 0 for all the weights at once, as in least squares",
            ko = "최소제곱법처럼 모든 가중치에 대해 dL/dW = 0인 방정식을 한꺼번에 푼다" },
        },
        answer = 3,
        explain = { en = "Yes: one backward sweep reuses the cached forward values, so all the gradients together cost a small multiple (about 2–3×) of one forward pass.",
                    ko = "맞습니다: 역방향으로 한 번 지나가면서 캐시해 둔 순전파 값을 다시 쓰므로, 모든 기울기를 구하는 비용이 순전파 한 번의 작은 배수(2–3배 정도)입니다." },
        wrong = {
          [1] = { en = "A difference of two layers' outputs is not a derivative; the chain rule multiplies local derivatives.",
                  ko = "두 층의 출력 차이는 미분이 아닙니다. 연쇄 법칙은 국소 미분을 곱합니다." },
          [2] = { en = "That is finite differences: correct, but one forward pass per weight — far too slow. We used it only to check.",
                  ko = "그건 유한 차분입니다. 맞기는 하지만 가중치마다 순전파가 한 번씩 필요해서 너무 느립니다. 검산에만 씁니다." },
          [4] = { en = "That is solving for the minimum; backprop only computes the slope at the current point.",
                  ko = "그건 최솟값을 구하는 것입니다. 역전파는 현재 점에서의 기울기만 계산합니다." },
        },
      },
    },
  },
}

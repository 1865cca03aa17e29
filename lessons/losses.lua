-- Lesson 4: loss functions — MSE, cross-entropy, maximum likelihood, softmax and sigmoid.
local function is_t(env, v) return env.is_tensor and env.is_tensor(v) end
local function nb() return require "nabla" end

-- the number inside a one-value tensor, or a number as it is
local C = require("nabla.lesson").checks
local value, maxdiff, list_of_numbers = C.value, C.maxdiff, C.numbers

local function argmin(t)
  local best = 1
  for i = 2, #t do if t[i] < t[best] then best = i end end
  return best
end

-- Calls env[name](...) and says precisely what went wrong if it is not a function or fails.
local function call(env, name, ...)
  if type(env[name]) ~= "function" then
    return nil, { en = "define the function " .. name, ko = "함수 " .. name .. "을(를) 정의하세요" }
  end
  local ok, r = pcall(env[name], ...)
  if not ok then
    return nil, { en = name .. " failed: " .. tostring(r), ko = name .. " 실행 오류: " .. tostring(r) }
  end
  return r
end

return {
  id = "losses",
  order = 4,
  title = { en = "Loss functions", ko = "손실 함수" },
  steps = {
    {
      text = {
        en = [[
A loss function turns "how wrong is the model?" into one number that gradient descent can
push down. For regression (predicting numbers) the usual choice is the mean squared error:
    MSE(ŷ, y) = 1/N Σ (ŷᵢ − yᵢ)²
Write mse(pred, target) returning it as a tensor (so that backward() can go through it),
and compare it with the library's nn.MSELoss.]],
        ko = [[
손실 함수는 "모델이 얼마나 틀렸나?"를 경사 하강법이 줄일 수 있는 숫자 하나로 바꿉니다.
회귀(숫자를 예측하는 문제)에서는 보통 평균 제곱 오차를 씁니다:
    MSE(ŷ, y) = 1/N Σ (ŷᵢ − yᵢ)²
이 값을 텐서로 돌려주는 mse(pred, target)를 만들고 (그래야 backward()가 지나갈 수 있습니다),
라이브러리의 nn.MSELoss와 비교해 보세요.]],
      },
      code = [[
function mse(pred, target) return ((pred - target) ^ 2):mean() end
pred, target = tensor{2.5, 0.0, 2.1, 7.8}, tensor{3.0, -0.5, 2.0, 7.5}
print(mse(pred, target), nn.MSELoss()(pred, target))]],
      wrong = [[
function mse(pred, target) return (pred - target):abs():mean() end]],
      check = function(env)
        local n = nb()
        n.manual_seed(11)
        local p, t = n.randn(3, 4), n.randn(3, 4)
        local r, err = call(env, "mse", p, t)
        if err then return false, err end
        if not n.is_tensor(r) then
          return false, { en = "mse should return a tensor (leave out :item()), so that backward() works",
                          ko = "mse는 텐서를 돌려줘야 합니다 (:item()은 빼세요). 그래야 backward()가 됩니다" }
        end
        local want = n.mse_loss(p, t):item()
        if math.abs(r:item() - want) > 1e-4 then
          if math.abs(r:item() - n.l1_loss(p, t):item()) < 1e-4 then
            return false, { en = "that is the mean absolute error (L1); square the differences instead",
                            ko = "그건 평균 절대 오차(L1)입니다. 차이를 제곱하세요" }
          end
          return false, { en = ("on random 3×4 tensors mse gives %.5f, nn.MSELoss %.5f: average (:mean()) the squared differences"):format(r:item(), want),
                          ko = ("무작위 3×4 텐서에서 mse는 %.5f, nn.MSELoss는 %.5f입니다: 차이의 제곱을 평균(:mean())하세요"):format(r:item(), want) }
        end
        return true
      end,
      hints = { { en = "(pred - target) ^ 2 squares each difference; :mean() averages them all.",
                  ko = "(pred - target) ^ 2로 차이를 하나씩 제곱하고, :mean()으로 모두 평균합니다." } },
    },
    {
      text = {
        en = [[
For classification the network outputs K scores per example, the logits z. The softmax
turns them into probabilities:  pₖ = e^zₖ / Σⱼ e^zⱼ.
Write my_softmax(z) for a batch z of shape (N, K), row by row. Try it on the logits
{1000, 1001, 1002}: e^1000 overflows to infinity. Softmax does not change when the same
number is added to every logit of a row, so subtract each row's largest logit first.]],
        ko = [[
분류에서는 신경망이 샘플마다 점수 K개, 즉 로짓 z를 냅니다. 소프트맥스가 이를 확률로
바꿉니다:  pₖ = e^zₖ / Σⱼ e^zⱼ.
(N, K) 모양의 배치 z에 대해 행마다 계산하는 my_softmax(z)를 만드세요. 로짓
{1000, 1001, 1002}로 시험해 보세요: e^1000은 무한대로 넘칩니다. 한 행의 모든 로짓에 같은
수를 더해도 소프트맥스는 변하지 않으니, 먼저 각 행의 가장 큰 로짓을 빼세요.]],
      },
      code = [[
function my_softmax(z)
  local m = z:max(2, true)          -- each row's largest logit, shape (N, 1)
  local e = (z - m):exp()
  return e / e:sum(2, true)
end
my_softmax(tensor{{1, 2, 3}, {1000, 1001, 1002}})]],
      solution = [[
function my_softmax(z)
  local m = z:max(2, true)
  local e = (z - m):exp()
  return e / e:sum(2, true)
end]],
      wrong = [[
function my_softmax(z)
  local e = z:exp()
  return e / e:sum(2, true)
end]],
      check = function(env)
        local n = nb()
        n.manual_seed(12)
        local z = n.randn(4, 5) * 3
        local r, err = call(env, "my_softmax", z)
        if err then return false, err end
        if not n.is_tensor(r) or tostring(r.shape) ~= "[4,5]" then
          return false, { en = "my_softmax(z) of a 4×5 batch should return a 4×5 tensor",
                          ko = "4×5 배치에 대한 my_softmax(z)는 4×5 텐서를 돌려줘야 합니다" }
        end
        if maxdiff(r, z:softmax(2)) > 1e-5 then
          return false, { en = "on random logits my_softmax differs from z:softmax(2): each row should be e^z divided by that row's sum (e:sum(2, true))",
                          ko = "무작위 로짓에서 my_softmax가 z:softmax(2)와 다릅니다: 각 행은 e^z를 그 행의 합(e:sum(2, true))으로 나눈 값이어야 합니다" }
        end
        local big = n.tensor { { 1000, 1001, 1002 } }
        local rb = call(env, "my_softmax", big)
        if not n.is_tensor(rb) or maxdiff(rb, big:softmax(2)) > 1e-5 then
          return false, { en = "my_softmax{{1000, 1001, 1002}} gives NaN: e^1000 overflows — subtract each row's max (z:max(2, true)) before exp",
                          ko = "my_softmax{{1000, 1001, 1002}}가 NaN이 됩니다: e^1000이 넘칩니다 — exp 전에 각 행의 최댓값(z:max(2, true))을 빼세요" }
        end
        return true
      end,
      hints = {
        { en = "z:max(2, true) keeps the reduced dimension: shape (N, 1), which broadcasts against (N, K).",
          ko = "z:max(2, true)는 줄인 차원을 남겨 (N, 1) 모양이 되고, (N, K)와 브로드캐스트됩니다." },
      },
    },
    {
      text = {
        en = [[
The cross-entropy loss of one example is −log p_y: minus the log of the probability the
model gives to the true class y. Certain and right costs 0; certain and wrong costs a lot.
The batch loss is the mean over the examples. Write ce(z, y), y a tensor of class ids
1..K, with z:log_softmax(2) (a stable log of the softmax) and gather (which picks one
entry per row), and compare it with nn.CrossEntropyLoss number for number.]],
        ko = [[
한 샘플의 교차 엔트로피 손실은 −log p_y, 즉 모델이 정답 클래스 y에 준 확률의 로그에 마이너스를
붙인 값입니다. 확신하고 맞히면 0, 확신하고 틀리면 아주 큽니다. 배치의 손실은 샘플들의
평균입니다. 클래스 번호 1..K의 텐서 y에 대해 z:log_softmax(2)(소프트맥스의 안정한 로그)와
gather(행마다 원소 하나를 고름)로 ce(z, y)를 만들고, nn.CrossEntropyLoss와 숫자 하나하나
비교해 보세요.]],
      },
      code = [[
function ce(z, y)
  local logp = z:log_softmax(2)                  -- log p of every class, (N, K)
  local picked = logp:gather(2, y:view(-1, 1))   -- log p of the true class, (N, 1)
  return -picked:mean()
end
manual_seed(0)
z, y = randn(5, 3), tensor{1, 3, 2, 2, 1}
print(ce(z, y), nn.CrossEntropyLoss()(z, y))]],
      solution = [[
function ce(z, y)
  local logp = z:log_softmax(2)
  local picked = logp:gather(2, y:view(-1, 1))
  return -picked:mean()
end
manual_seed(0)
z, y = randn(5, 3), tensor{1, 3, 2, 2, 1}]],
      wrong = [[
function ce(z, y)
  return -z:log_softmax(2):mean()
end]],
      check = function(env)
        local n = nb()
        n.manual_seed(13)
        local z, y = n.randn(6, 4), n.tensor { 4, 1, 2, 2, 3, 1 }
        local r, err = call(env, "ce", z, y)
        if err then return false, err end
        local got = value(r)
        if not got then
          return false, { en = "ce(z, y) should return a one-value tensor", ko = "ce(z, y)는 값 하나짜리 텐서를 돌려줘야 합니다" }
        end
        local want = n.cross_entropy(z, y):item()
        if math.abs(got - want) > 1e-4 then
          if math.abs(got + want) < 1e-4 then
            return false, { en = "ce has the wrong sign: the loss is MINUS the log-probability (log p < 0, the loss > 0)",
                            ko = "ce의 부호가 반대입니다: 손실은 로그 확률에 마이너스를 붙인 값입니다 (log p < 0이므로 손실 > 0)" }
          end
          return false, { en = ("on a random 6×4 batch ce gives %.5f, nn.CrossEntropyLoss %.5f: take −log p of the TRUE class only (gather with y), then average over the rows"):format(got, want),
                          ko = ("무작위 6×4 배치에서 ce는 %.5f, nn.CrossEntropyLoss는 %.5f입니다: 정답 클래스의 −log p만 (y로 gather) 골라서 행에 대해 평균하세요"):format(got, want) }
        end
        return true
      end,
      hints = {
        { en = "logp:gather(2, idx) with idx of shape (N, 1) picks logp[i][idx[i]] in each row i.",
          ko = "logp:gather(2, idx)는 (N, 1) 모양의 idx로 각 행 i에서 logp[i][idx[i]]를 고릅니다." },
      },
    },
    {
      text = {
        en = [[
Why not MSE between the probabilities and the one-hot target? Look at the gradients when
the model is confidently wrong: logits z = {8, 0, 0}, true class 2. The cross-entropy's
gradient is ∂CE/∂z = p − onehot(y): large, it pushes hard. MSE on p goes through the
softmax, which is flat when saturated, and its gradient nearly vanishes. Measure the norms
g_ce and g_mse of both gradients with respect to z (gradients accumulate: clear z.grad
between the two backward calls).]],
        ko = [[
왜 확률과 원-핫 목표 사이의 MSE를 쓰지 않을까요? 모델이 확신하며 틀릴 때의 기울기를 보세요:
로짓 z = {8, 0, 0}, 정답 클래스는 2. 교차 엔트로피의 기울기는 ∂CE/∂z = p − onehot(y)로
크고, 강하게 밀어 줍니다. p에 대한 MSE는 포화되면 평평해지는 소프트맥스를 지나야 해서 기울기가
거의 사라집니다. z에 대한 두 기울기의 노름 g_ce와 g_mse를 측정해 보세요 (기울기는 누적되니 두
backward 사이에 z.grad를 비우세요).]],
      },
      code = [[
z, y = tensor{{8, 0, 0}}:requires_grad(), tensor{2}
ce(z, y):backward()
g_ce = z.grad:norm():item()
z.grad = nil
loss_mse = ((z:softmax(2) - one_hot(y, 3)) ^ 2):sum()
loss_mse:backward()
g_mse = z.grad:norm():item()
print(g_ce, g_mse, g_ce / g_mse)]],
      wrong = [[
z, y = tensor{{8, 0, 0}}:requires_grad(), tensor{2}
ce(z, y):backward()
g_ce = z.grad:norm():item()
loss_mse = ((z:softmax(2) - one_hot(y, 3)) ^ 2):sum()
loss_mse:backward()
g_mse = z.grad:norm():item()]],
      wrongs = {
        { code = [[
z, y = tensor{{8, 0, 0}}:requires_grad(), tensor{2}
ce(z, y):backward()
g_ce = z.grad:norm():item()
z.grad = nil
loss_mse = ((z - one_hot(y, 3)) ^ 2):sum()
loss_mse:backward()
g_mse = z.grad:norm():item()]],
          says = { en = "MSE on the logits", ko = "로짓 z에 대한 MSE" } },
      },
      check = function(env)
        local n = nb()
        local z = n.tensor { { 8, 0, 0 } }
        local p = z:softmax(2)
        local want_ce = (p - n.one_hot(n.tensor { 2 }, 3)):norm():item()
        local zz = z:clone():requires_grad()
        local l = ((zz:softmax(2) - n.one_hot(n.tensor { 2 }, 3)) ^ 2):sum()
        l:backward()
        local want_mse = zz.grad:norm():item()
        local gc, gm = value(env.g_ce), value(env.g_mse)
        if not gc or not gm then
          return false, { en = "set g_ce and g_mse to the two gradient norms (numbers)", ko = "g_ce와 g_mse에 두 기울기의 노름(숫자)을 넣으세요" }
        end
        if math.abs(gc - want_ce) > 1e-3 then
          return false, { en = ("g_ce should be ‖p − onehot(y)‖ = %.4f for z = {{8, 0, 0}}, y = {2}; got %.4f"):format(want_ce, gc),
                          ko = ("z = {{8, 0, 0}}, y = {2}에서 g_ce는 ‖p − onehot(y)‖ = %.4f여야 하는데 %.4f입니다"):format(want_ce, gc) }
        end
        if math.abs(gm - want_mse) > 1e-4 then
          -- MSE taken on the logits instead of on the probabilities: ∂/∂z Σ (z − onehot)² =
          -- 2·(z − onehot), alone or on top of the cross-entropy's gradient left in z.grad
          local onehot = n.one_hot(n.tensor { 2 }, 3)
          local on_logits = (2 * (z - onehot)):norm():item()
          local on_logits_acc = (2 * (z - onehot) + (p - onehot)):norm():item()
          if math.abs(gm - on_logits) < 1e-3 or math.abs(gm - on_logits_acc) < 1e-3 then
            return false, { en = ("g_mse = %.4f is the gradient of an MSE on the logits z: the MSE of this step compares the probabilities softmax(z) with the one-hot target, ((z:softmax(2) − one_hot(y, 3)) ^ 2):sum()"):format(gm),
                            ko = ("g_mse(%.4f) 값은 로짓 z에 대한 MSE의 기울기입니다. 이 단계의 MSE는 확률 softmax(z)와 원-핫 목표를 비교합니다: ((z:softmax(2) − one_hot(y, 3)) ^ 2):sum()"):format(gm) }
          end
          local accumulated = ((p - onehot) + zz.grad):norm():item()
          if math.abs(gm - accumulated) < 1e-3 then
            return false, { en = ("g_mse = %.4f is far too large: it still holds the cross-entropy's gradient. Clear z.grad (z.grad = nil) before the second backward"):format(gm),
                            ko = ("g_mse = %.4f, 너무 큽니다. 교차 엔트로피의 기울기가 남아 있습니다. 두 번째 backward 전에 z.grad를 비우세요 (z.grad = nil)"):format(gm) }
          end
          return false, { en = ("g_mse should be %.5f (the gradient of Σ (softmax(z) − onehot)²), got %.5f"):format(want_mse, gm),
                          ko = ("g_mse는 %.5f여야 합니다 (Σ (softmax(z) − onehot)²의 기울기), 지금은 %.5f입니다"):format(want_mse, gm) }
        end
        return true
      end,
      hints = { { en = "one_hot(y, 3) turns the class ids into rows of 0s with a 1 at the class.",
                  ko = "one_hot(y, 3)은 클래스 번호를 해당 위치만 1인 행으로 바꿉니다." } },
    },
    {
      text = {
        en = [[
Where do losses come from? From probability. Say the model predicts the mean μ of a
Gaussian and the data is y ~ N(μ, σ²). Maximum likelihood picks the parameters under
which the data is most probable, that is, it minimizes the negative log-likelihood
    −log N(y | μ, σ²) = ½·log(2πσ²) + (y − μ)² / (2σ²)
Write gauss_nll(mu, y, sigma) (sigma a number) returning the mean over the samples, and
compare with nn.GaussianNLLLoss, which takes the variance σ² as a tensor (full = true
keeps the constant ½·log 2π).]],
        ko = [[
손실 함수는 어디서 올까요? 확률에서 옵니다. 모델이 가우시안의 평균 μ를 예측하고 데이터가
y ~ N(μ, σ²)를 따른다고 해 봅시다. 최대 가능도(최대우도) 추정은 데이터가 가장 그럴듯해지는
파라미터를 고릅니다. 즉 음의 로그 가능도를 최소화합니다:
    −log N(y | μ, σ²) = ½·log(2πσ²) + (y − μ)² / (2σ²)
샘플들에 대한 평균을 돌려주는 gauss_nll(mu, y, sigma)(sigma는 숫자)를 만들고,
분산 σ²를 텐서로 받는 nn.GaussianNLLLoss와 비교하세요 (full = true면 상수 ½·log 2π까지
포함합니다).]],
      },
      code = [[
function gauss_nll(mu, y, sigma)
  return (0.5 * math.log(2 * math.pi * sigma ^ 2) + (y - mu) ^ 2 / (2 * sigma ^ 2)):mean()
end
mu, obs = tensor{0.5, 1.0, 2.0}, tensor{0.7, 0.4, 2.5}
print(gauss_nll(mu, obs, 0.5), nn.GaussianNLLLoss{ full = true }(mu, obs, full_like(mu, 0.25)))]],
      wrong = [[
function gauss_nll(mu, y, sigma)
  return ((y - mu) ^ 2 / (2 * sigma ^ 2)):mean()
end]],
      check = function(env)
        local n = nb()
        n.manual_seed(14)
        for _, sigma in ipairs({ 0.5, 2 }) do
          local mu, y = n.randn(8), n.randn(8)
          local r, err = call(env, "gauss_nll", mu, y, sigma)
          if err then return false, err end
          local got = value(r)
          local want = n.gaussian_nll_loss(mu, y, n.full_like(mu, sigma ^ 2), { full = true }):item()
          if not got or math.abs(got - want) > 1e-4 then
            local no_const = ((y - mu) ^ 2 / (2 * sigma ^ 2)):mean():item()
            if got and math.abs(got - no_const) < 1e-4 then
              return false, { en = "the term ½·log(2πσ²) is missing: it does not depend on μ, but it is part of −log N",
                              ko = "½·log(2πσ²) 항이 빠졌습니다: μ와는 무관하지만 −log N의 일부입니다" }
            end
            return false, { en = ("with σ = %g, gauss_nll gives %s, nn.GaussianNLLLoss{full = true} %.5f: ½·log(2πσ²) + (y − μ)²/(2σ²), averaged"):format(sigma, tostring(got), want),
                            ko = ("σ = %g에서 gauss_nll은 %s, nn.GaussianNLLLoss{full = true}는 %.5f입니다: ½·log(2πσ²) + (y − μ)²/(2σ²)를 평균하세요"):format(sigma, tostring(got), want) }
          end
        end
        return true
      end,
      hints = { { en = "math.log works on the number σ; the squared error is a tensor; adding a number to a tensor broadcasts.",
                  ko = "math.log는 숫자 σ에 쓰고, 제곱 오차는 텐서입니다. 텐서에 숫자를 더하면 브로드캐스트됩니다." } },
    },
    {
      text = {
        en = [[
With σ fixed, ½·log(2πσ²) is a constant c, and what is left is MSE/(2σ²):
    NLL = c + MSE / (2σ²)
So minimizing MSE IS maximum likelihood under Gaussian noise of fixed variance: same
minimizer; the values are only shifted and scaled. See it on a line through noisy points: for slopes
w = 0, 0.5, ..., 4 record the MSE and the NLL of the predictions w·x, and the ratio
(NLL − c) / MSE, which should be 1/(2σ²) every time.]],
        ko = [[
σ를 고정하면 ½·log(2πσ²)는 상수 c이고, 남는 것은 MSE/(2σ²)입니다:
    NLL = c + MSE / (2σ²)
즉 MSE를 최소화하는 것이 분산이 고정된 가우시안 노이즈에서의 최대 가능도 추정 그 자체입니다:
최솟값이 되는 지점은 같고, 최솟값 자체는 c만큼 이동하고 1/(2σ²)배로 달라집니다. 노이즈 섞인 점들 위의 직선으로 확인해 봅시다:
기울기 w = 0, 0.5, ..., 4마다 예측 w·x의 MSE와 NLL, 그리고 비율 (NLL − c) / MSE를
기록하세요. 매번 1/(2σ²)가 나와야 합니다.]],
      },
      code = [[
manual_seed(1)
x = linspace(-1, 1, 40); y = 2 * x + 0.3 * randn(40)
sigma = 0.3
c = 0.5 * math.log(2 * math.pi * sigma ^ 2)
ws, mses, nlls = {}, {}, {}
for i = 1, 9 do
  ws[i] = (i - 1) * 0.5
  mses[i] = mse(ws[i] * x, y):item()
  nlls[i] = gauss_nll(ws[i] * x, y, sigma):item()
  print(ws[i], mses[i], nlls[i], (nlls[i] - c) / mses[i])
end]],
      solution = [[
manual_seed(1)
x = linspace(-1, 1, 40); y = 2 * x + 0.3 * randn(40)
sigma = 0.3
c = 0.5 * math.log(2 * math.pi * sigma ^ 2)
ws, mses, nlls = {}, {}, {}
for i = 1, 9 do
  ws[i] = (i - 1) * 0.5
  mses[i] = mse(ws[i] * x, y):item()
  nlls[i] = gauss_nll(ws[i] * x, y, sigma):item()
end]],
      wrong = [[
manual_seed(1)
x = linspace(-1, 1, 40); y = 2 * x + 0.3 * randn(40)
sigma = 0.3
c = math.log(2 * math.pi * sigma ^ 2)
ws, mses, nlls = {}, {}, {}
for i = 1, 9 do
  ws[i] = (i - 1) * 0.5
  mses[i] = mse(ws[i] * x, y):item()
  nlls[i] = gauss_nll(ws[i] * x, y, sigma):item()
end]],
      check = function(env)
        local n = nb()
        if not (list_of_numbers(env.ws, 5) and list_of_numbers(env.mses, #env.ws) and list_of_numbers(env.nlls, #env.ws)) then
          return false, { en = "make the lists ws, mses and nlls (one entry per slope, at least 5)",
                          ko = "목록 ws, mses, nlls를 만드세요 (기울기마다 하나씩, 5개 이상)" }
        end
        local sigma, c = value(env.sigma), value(env.c)
        if not sigma or not c or not is_t(env, env.x) or not is_t(env, env.y) then
          return false, { en = "keep x, y, sigma and c from the code above", ko = "위 코드의 x, y, sigma, c를 그대로 두세요" }
        end
        local want_c = 0.5 * math.log(2 * math.pi * sigma ^ 2)
        if math.abs(c - want_c) > 1e-6 then
          return false, { en = ("c should be ½·log(2πσ²) = %.5f, it is %.5f"):format(want_c, c),
                          ko = ("c는 ½·log(2πσ²) = %.5f여야 하는데 %.5f입니다"):format(want_c, c) }
        end
        for i, w in ipairs(env.ws) do
          local m = ((w * env.x - env.y) ^ 2):mean():item()
          if math.abs(env.mses[i] - m) > 1e-4 * math.max(1, m) then
            return false, { en = ("mses[%d] should be the MSE of w·x with w = %g: %.5f"):format(i, w, m),
                            ko = ("mses[%d] 값은 w = %g일 때 w·x의 MSE인 %.5f여야 합니다"):format(i, w, m) }
          end
          local ratio = (env.nlls[i] - c) / env.mses[i]
          if math.abs(ratio - 1 / (2 * sigma ^ 2)) > 1e-3 * (1 / (2 * sigma ^ 2)) then
            return false, { en = ("(nlls[%d] − c) / mses[%d] = %.4f, but it should be 1/(2σ²) = %.4f"):format(i, i, ratio, 1 / (2 * sigma ^ 2)),
                            ko = ("(nlls[%d] − c) / mses[%d] = %.4f인데, 1/(2σ²) = %.4f여야 합니다"):format(i, i, ratio, 1 / (2 * sigma ^ 2)) }
          end
        end
        if argmin(env.mses) ~= argmin(env.nlls) then
          return false, { en = "the best slope by MSE and by NLL should be the same", ko = "MSE로 본 최적 기울기와 NLL로 본 최적 기울기가 같아야 합니다" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
If σ is not fixed, maximum likelihood also finds the noise level. Take 500 samples from
N(2, 0.5²), and learn μ and log σ (the log keeps σ positive) by minimizing the mean NLL
with Adam. The log σ term is what stops σ from growing forever: without it, a huge σ
would make (y − μ)²/(2σ²) vanish. Compare with the sample mean and standard deviation.]],
        ko = [[
σ를 고정하지 않으면 최대 가능도 추정은 노이즈의 크기도 찾아 줍니다. N(2, 0.5²)에서 샘플
500개를 뽑고, 평균 NLL을 Adam으로 최소화해 μ와 log σ(로그를 쓰면 σ가 양수로 유지됩니다)를
학습하세요. σ가 한없이 커지지 않게 막는 것이 log σ 항입니다: 그 항이 없으면 σ가 클수록
(y − μ)²/(2σ²)가 0에 가까워지니까요. 표본 평균, 표본 표준편차와 비교해 보세요.]],
      },
      code = [[
manual_seed(2)
samples = 2 + 0.5 * randn(500)
mu, log_sigma = zeros(1):requires_grad(), zeros(1):requires_grad()
opt = optim.Adam({ mu, log_sigma }, { lr = 0.05 })
for step = 1, 300 do
  opt:zero_grad()
  local sigma = log_sigma:exp()
  local nll = (log_sigma + (samples - mu) ^ 2 / (2 * sigma ^ 2)):mean() + 0.5 * math.log(2 * math.pi)
  nll:backward()
  opt:step()
end
print(mu, log_sigma:exp(), samples:mean(), samples:std())]],
      wrong = [[
manual_seed(2)
samples = 2 + 0.5 * randn(500)
mu, log_sigma = zeros(1):requires_grad(), zeros(1):requires_grad()
opt = optim.Adam({ mu, log_sigma }, { lr = 0.05 })
for step = 1, 300 do
  opt:zero_grad()
  local sigma = log_sigma:exp()
  local nll = ((samples - mu) ^ 2 / (2 * sigma ^ 2)):mean()
  nll:backward()
  opt:step()
end]],
      check = function(env)
        if not (is_t(env, env.samples) and is_t(env, env.mu) and is_t(env, env.log_sigma)) then
          return false, { en = "make samples, and learn the tensors mu and log_sigma", ko = "samples를 만들고 텐서 mu와 log_sigma를 학습하세요" }
        end
        local s = env.samples
        local mean = s:mean():item()
        local sd = ((s - mean) ^ 2):mean():sqrt():item()   -- the maximum-likelihood σ (1/N)
        local mu, sigma = env.mu:item(), math.exp(env.log_sigma:item())
        if math.abs(sigma - sd) > 0.02 then
          if sigma > sd then
            return false, { en = ("σ = %.3f, larger than the data's spread %.3f: keep the log σ term in the NLL, or it pays to grow σ forever"):format(sigma, sd),
                            ko = ("σ = %.3f, 데이터의 퍼짐 %.3f보다 큽니다. NLL에 log σ 항을 넣으세요. 없으면 σ를 한없이 키우는 게 이득입니다"):format(sigma, sd) }
          end
          return false, { en = ("σ = %.3f, the samples' standard deviation is %.3f: train longer?"):format(sigma, sd),
                          ko = ("σ = %.3f인데 표본 표준편차는 %.3f입니다: 더 오래 학습해 보세요"):format(sigma, sd) }
        end
        if math.abs(mu - mean) > 0.02 then
          return false, { en = ("μ = %.3f, the sample mean is %.3f"):format(mu, mean),
                          ko = ("μ = %.3f인데 표본 평균은 %.3f입니다"):format(mu, mean) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Softmax is the sigmoid for n classes. With two classes and logits {z, 0}:
    softmax{z, 0}₁ = e^z / (e^z + e^0) = 1 / (1 + e^−z) = σ(z)
and in general softmax{z₁, z₂}₁ = σ(z₁ − z₂): only differences of logits matter. So a
binary classifier with a sigmoid output is a 2-class softmax with one logit pinned at 0,
and binary cross-entropy is cross-entropy with two classes. Write two_class(z): for a
tensor z of shape (N, 2), one pair of logits {z₁, z₂} per row, the probability of class 1
under a softmax over each pair. Then see that it is σ(z₁ − z₂).]],
        ko = [[
소프트맥스는 n개 클래스용 시그모이드입니다. 클래스가 둘이고 로짓이 {z, 0}이면 다음과 같습니다.
    softmax{z, 0}₁ = e^z / (e^z + e^0) = 1 / (1 + e^−z) = σ(z)
일반적으로 softmax{z₁, z₂}₁ = σ(z₁ − z₂)이므로 로짓의 차이만 중요합니다. 그러니 시그모이드
출력을 쓰는 이진 분류기는 로짓 하나를 0으로 고정한 2-클래스 소프트맥스이고, 이진 교차
엔트로피는 클래스가 둘인 교차 엔트로피입니다. 모양이 (N, 2)이고 행마다 로짓 쌍 {z₁, z₂}가
있는 텐서 z에 대해, 각 쌍 위의 소프트맥스로 클래스 1의 확률을 돌려주는 two_class(z)를
만드세요. 그리고 그 값이 σ(z₁ − z₂)와 같은지 보세요.]],
      },
      code = [[
function two_class(z)
  return z:softmax(2):select(2, 1)       -- softmax over each row, its first column
end
manual_seed(0)
zs = randn(5, 2) * 3
print(two_class(zs), (zs:select(2, 1) - zs:select(2, 2)):sigmoid())]],
      solution = [[
function two_class(z)
  return z:softmax(2):select(2, 1)
end]],
      wrong = [[
function two_class(z)
  return z:softmax(1):select(2, 1)
end]],
      wrongs = {
        { code = [[
function two_class(z) return z:sigmoid() end]],
          says = { en = "the other logit", ko = "다른 로짓" } },
        { code = [[
function two_class(z) return z:select(2, 1):sigmoid() end]],
          says = { en = "the other logit", ko = "다른 로짓" } },
      },
      check = function(env)
        local n = nb()
        -- pairs whose second logit is not 0: only then does σ(z₁) differ from the answer
        local z = n.tensor { { 2, 1 }, { -1, 3 }, { 0.5, -2 }, { 4, 4 }, { -3, -0.5 }, { 1, 0 } }
        local want = (z:select(2, 1) - z:select(2, 2)):sigmoid()
        local r, err = call(env, "two_class", z)
        if err then return false, err end
        if not n.is_tensor(r) then
          return false, { en = "two_class(z) should return a tensor", ko = "two_class(z)는 텐서를 돌려줘야 합니다" }
        end
        local on_first = z:select(2, 1):sigmoid()
        if r:numel() == 12 or (r:numel() == 6 and maxdiff(r:reshape(-1), on_first) < 1e-5) then
          return false, { en = "two_class applies σ to the logits themselves and forgets the other logit of each pair: the answer is softmax over each pair, σ(z₁ − z₂), not σ(z₁)",
                          ko = "two_class가 로짓 자체에 σ를 적용해서 각 쌍의 다른 로짓을 무시합니다. 답은 각 쌍 위의 소프트맥스, 즉 σ(z₁ − z₂)이지 σ(z₁)이 아닙니다" }
        end
        if r:numel() ~= 6 then
          return false, { en = "two_class(z) should return one probability per row (pair of logits)", ko = "two_class(z)는 행(로짓 쌍)마다 확률 하나를 돌려줘야 합니다" }
        end
        local d = maxdiff(r:reshape(-1), want)
        if d > 1e-5 then
          return false, { en = ("two_class(z) differs from σ(z₁ − z₂) by up to %.3g: take the softmax along each row (dimension 2), then its first column"):format(d),
                          ko = ("two_class(z)가 σ(z₁ − z₂)와 최대 %.3g만큼 다릅니다. 행 방향(2번 차원)으로 소프트맥스를 취하고 첫 열을 고르세요"):format(d) }
        end
        return true
      end,
    },
    {
      text = { en = "Predict, then run.", ko = "예측한 다음 실행해 보세요." },
      quiz = {
        kind = "number",
        question = { en = "softmax of the logits {1, 2, 3} gives the last class p₃ = 0.665. You add 5 to every logit: {6, 7, 8}. What is p₃ now? (to 2 decimals)",
                     ko = "로짓 {1, 2, 3}의 소프트맥스에서 마지막 클래스의 확률은 p₃ = 0.665입니다. 모든 로짓에 5를 더해 {6, 7, 8}로 만들면 p₃는 얼마일까요? (소수 둘째 자리까지)" },
        value = function() return require("nabla").tensor({ 6, 7, 8 }):softmax(1)[3]:item() end,
        tolerance = { abs = 0.01 },
        explain = { en = "Right: nothing moves. e^(zₖ+5) / Σ e^(zⱼ+5) = e^zₖ / Σ e^zⱼ: the e^5 cancels between numerator and denominator. That is why subtracting the max before exp is safe.",
                    ko = "맞습니다: 하나도 변하지 않습니다. e^(zₖ+5) / Σ e^(zⱼ+5) = e^zₖ / Σ e^zⱼ이므로 e^5가 분자와 분모에서 약분됩니다. 그래서 exp 전에 최댓값을 빼도 안전합니다." },
      },
      code = [[
p = tensor{6, 7, 8}:softmax(1)
print(p)]],
    },
    {
      text = { en = "And one on where MSE comes from.", ko = "MSE가 어디서 오는지에 대한 질문입니다." },
      quiz = {
        question = { en = "Training a regression network with MSE is maximum likelihood under which model of the noise?",
                     ko = "MSE로 회귀 신경망을 학습하는 것은 어떤 노이즈 모델에서의 최대 가능도 추정일까요?" },
        choices = {
          { en = "Laplace noise around the prediction, density ∝ e^−|y − μ|",
            ko = "예측값을 중심으로 한 라플라스 노이즈 (밀도 ∝ e^−|y − μ|)" },
          { en = "A categorical distribution over the outputs, as in classification",
            ko = "분류에서처럼, 출력값들에 대한 범주형 분포" },
          { en = "Uniform noise of a fixed width around the prediction",
            ko = "예측값을 중심으로 한, 폭이 고정된 균등 분포 노이즈" },
          { en = "Gaussian noise of fixed variance around the prediction",
            ko = "예측값을 중심으로 한, 분산이 고정된 가우시안 노이즈" },
        },
        answer = 4,
        explain = { en = "Right: −log N(y | μ, σ²) = c + (y − μ)²/(2σ²), so with σ fixed the NLL is MSE, shifted and scaled.",
                    ko = "맞습니다: −log N(y | μ, σ²) = c + (y − μ)²/(2σ²)이므로 σ가 고정되면 NLL은 이동하고 배율만 바뀐 MSE입니다." },
        wrong = {
          [1] = { en = "−log of a Laplace density is c + |y − μ|/b: that gives the L1 loss, not MSE.",
                  ko = "라플라스 밀도의 −log는 c + |y − μ|/b로, MSE가 아니라 L1 손실이 됩니다." },
          [2] = { en = "A categorical distribution over classes gives the cross-entropy, for classification.",
                  ko = "클래스에 대한 범주형 분포에서는 분류용 교차 엔트로피가 나옵니다." },
          [3] = { en = "A uniform likelihood is flat inside its width: every prediction there is equally good, and no square appears.",
                  ko = "균등 분포의 가능도는 폭 안에서 평평합니다. 폭 안의 예측은 모두 똑같이 좋고, 제곱은 나오지 않습니다." },
        },
      },
    },
  },
}

-- Lesson 9: universality — a 2-layer ReLU network approximates any continuous function on an
-- interval as its hidden layer grows: by hand (hinges), then by gradient descent.
local function nb() return require "nabla" end

local C = require("nabla.lesson").checks
local value, finite = C.value, C.finite

local function bumpy_ref(x) return math.sin(3 * x) + 0.5 * math.sin(7 * x) end

-- the piecewise-linear interpolant of f at n + 1 evenly spaced knots of [lo, hi], and its
-- largest error over m evenly spaced points (the same grid as linspace(lo, hi, m))
local function interp(f, n, lo, hi)
  local h = (hi - lo) / n
  return function(x)
    local k = math.floor((x - lo) / h)
    if k < 0 then k = 0 elseif k > n - 1 then k = n - 1 end
    local a = lo + k * h
    local t = (x - a) / h
    return (1 - t) * f(a) + t * f(a + h)
  end
end

local function max_err(g, f, lo, hi, m)
  local worst = 0
  for i = 0, m - 1 do
    local x = lo + (hi - lo) * i / (m - 1)
    worst = math.max(worst, math.abs(g(x) - f(x)))
  end
  return worst
end

-- the learner's model on a list of xs: a list of outputs (nil and a message on failure)
local function outputs(model, xs)
  local n = nb()
  local ok, y = pcall(function() return model(n.tensor(xs):view(-1, 1)) end)
  if not ok or not n.is_tensor(y) or y:numel() ~= #xs then return nil, tostring(y) end
  return y:reshape(-1):tolist()
end

local function need_table(env, name, keys, what)
  local t = env[name]
  if type(t) ~= "table" then
    return false, { en = "make the table " .. name, ko = name .. " 테이블을 만드세요" }
  end
  for _, k in ipairs(keys) do
    if not finite(value(t[k])) then
      return false, { en = ("%s[%d] should be a number (%s)"):format(name, k, what.en),
                      ko = ("%s[%d] 값은 숫자(%s)여야 합니다"):format(name, k, what.ko) }
    end
  end
  return true
end

local PI = math.pi

return {
  id = "universality",
  order = 9,
  title = { en = "Universal approximation", ko = "보편 근사 정리" },
  steps = {
    {
      text = {
        en = [[
Why can a network with one hidden layer fit (almost) any curve? Look at one ReLU unit:
relu(x − a) is 0 left of a and a line of slope 1 right of it, a hinge at a. A sum of
hinges with weights is a broken line, and a broken line can follow any continuous curve
as closely as we like if it has enough corners.
Build the network by hand: knots a₀ < a₁ < ... < aₙ evenly spread over [lo, hi], hidden
unit k a hinge at aₖ₋₁ (weight 1, bias −aₖ₋₁), its output weight the CHANGE of slope of
the broken line there, and the output bias f(a₀). That is nn.Linear(1, n), nn.ReLU(),
nn.Linear(n, 1) with weights we set ourselves.]],
        ko = [[
은닉층 하나짜리 신경망은 왜 (거의) 모든 곡선을 맞출 수 있을까요? ReLU 유닛 하나를 보세요:
relu(x − a)는 a 왼쪽에서 0, 오른쪽에서 기울기 1인 직선입니다. a에서 꺾이는 경첩이죠.
경첩들의 가중합은 꺾은선이고, 꺾이는 점이 충분히 많으면 꺾은선은 어떤 연속 곡선이든
원하는 만큼 가깝게 따라갈 수 있습니다.
신경망을 손으로 만들어 봅시다: [lo, hi]에 고르게 놓인 매듭 a₀ < a₁ < ... < aₙ, 은닉 유닛 k는
aₖ₋₁에서 꺾이는 경첩 (가중치 1, 편향 −aₖ₋₁), 그 출력 가중치는 그 점에서 꺾은선 기울기의
'변화량', 출력 편향은 f(a₀). 즉 가중치를 직접 정한 nn.Linear(1, n), nn.ReLU(),
nn.Linear(n, 1)입니다.]],
      },
      code = [[
function hinge_net(f, n, lo, hi)
  local knots = linspace(lo, hi, n + 1):tolist()
  local bias, out, prev = {}, {}, 0
  for k = 1, n do
    local slope = (f(knots[k + 1]) - f(knots[k])) / (knots[k + 1] - knots[k])
    bias[k], out[k] = -knots[k], slope - prev
    prev = slope
  end
  local model = nn.Sequential{ nn.Linear(1, n), nn.ReLU(), nn.Linear(n, 1) }
  no_grad(function()
    model[1].weight:fill_(1)
    model[1].bias:copy_(tensor(bias))
    model[3].weight:copy_(tensor(out):view(1, n))
    model[3].bias:fill_(f(knots[1]))
  end)
  return model
end
xs = linspace(-math.pi, math.pi, 400):view(-1, 1)
x1 = xs:view(-1)   -- the same points as a 1-D list, for plots
plot.lines{ sin = { x1, x1:sin() }, hinges4 = { x1, hinge_net(math.sin, 4, -math.pi, math.pi)(xs):view(-1) } }]],
      wrong = [[
function hinge_net(f, n, lo, hi)
  local knots = linspace(lo, hi, n + 1):tolist()
  local bias, out = {}, {}
  for k = 1, n do
    bias[k] = -knots[k]
    out[k] = (f(knots[k + 1]) - f(knots[k])) / (knots[k + 1] - knots[k])
  end
  local model = nn.Sequential{ nn.Linear(1, n), nn.ReLU(), nn.Linear(n, 1) }
  no_grad(function()
    model[1].weight:fill_(1)
    model[1].bias:copy_(tensor(bias))
    model[3].weight:copy_(tensor(out):view(1, n))
    model[3].bias:fill_(f(knots[1]))
  end)
  return model
end
xs = linspace(-math.pi, math.pi, 400):view(-1, 1)]],
      check = function(env)
        if type(env.hinge_net) ~= "function" then
          return false, { en = "define hinge_net(f, n, lo, hi)", ko = "hinge_net(f, n, lo, hi)를 정의하세요" }
        end
        local ok, model = pcall(env.hinge_net, math.sin, 4, -PI, PI)
        if not ok then return false, { en = "hinge_net failed: " .. tostring(model), ko = "hinge_net 실행 오류: " .. tostring(model) } end
        local pts = { -3, -2.2, -1, -0.3, 0.4, 1.3, 2.5, 3.1 }
        local ys, err = outputs(model, pts)
        if not ys then
          return false, { en = "hinge_net(...) should return a model taking an (N, 1) tensor: " .. tostring(err),
                          ko = "hinge_net(...)은 (N, 1) 텐서를 받는 모델을 돌려줘야 합니다: " .. tostring(err) }
        end
        local g = interp(math.sin, 4, -PI, PI)
        for i, x in ipairs(pts) do
          if math.abs(ys[i] - g(x)) > 1e-4 then
            return false, { en = ("at x = %g the network gives %.4f, the broken line through sin at 5 knots %.4f: each hinge's output weight is the CHANGE of slope at its knot (slope − previous slope)"):format(x, ys[i], g(x)),
                            ko = ("x = %g에서 신경망은 %.4f, 매듭 5개에서 sin을 잇는 꺾은선은 %.4f입니다: 각 경첩의 출력 가중치는 그 매듭에서의 기울기 '변화량'(기울기 − 이전 기울기)입니다"):format(x, ys[i], g(x)) }
          end
        end
        if not (require("nabla").is_tensor(env.xs) and env.xs:numel() == 400) then
          return false, { en = "keep xs = linspace(-math.pi, math.pi, 400):view(-1, 1)", ko = "xs = linspace(-math.pi, math.pi, 400):view(-1, 1)을 만드세요" }
        end
        return true
      end,
      hints = { { en = "Left of the first knot every hinge is 0, so the output there is the output bias: f(a₀).",
                  ko = "첫 매듭 왼쪽에서는 모든 경첩이 0이라 출력은 출력 편향, 즉 f(a₀)입니다." } },
    },
    {
      text = {
        en = [[
How good is it? Measure the largest error max |net(x) − sin x| over the 400 points xs for
n = 2, 4, 8, 16, 32 hidden units. Each time n doubles, the error should shrink about 4
times: a broken line with corners h apart misses a smooth curve by about h²·|f''|/8.]],
        ko = [[
얼마나 정확할까요? 은닉 유닛 n = 2, 4, 8, 16, 32에 대해 점 400개 xs 위의 최대 오차
max |net(x) − sin x|를 측정해 보세요. n이 두 배가 될 때마다 오차는 약 4배 줄어야 합니다:
꺾이는 점 사이 간격이 h인 꺾은선은 매끈한 곡선과 약 h²·|f''|/8만큼 어긋나니까요.]],
      },
      code = [[
hand_err = {}
for _, n in ipairs({ 2, 4, 8, 16, 32 }) do
  local model = hinge_net(math.sin, n, -math.pi, math.pi)
  hand_err[n] = (model(xs) - xs:sin()):abs():max():item()
  print(n, hand_err[n])
end]],
      solution = [[
hand_err = {}
for _, n in ipairs({ 2, 4, 8, 16, 32 }) do
  local model = hinge_net(math.sin, n, -math.pi, math.pi)
  hand_err[n] = (model(xs) - xs:sin()):abs():max():item()
end]],
      wrong = [[
hand_err = {}
for _, n in ipairs({ 2, 4, 8, 16, 32 }) do
  local model = hinge_net(math.sin, n, -math.pi, math.pi)
  hand_err[n] = (model(xs) - xs:sin()):abs():mean():item()
end]],
      check = function(env)
        local ok, msg = need_table(env, "hand_err", { 2, 4, 8, 16, 32 }, { en = "the largest error with n hinges", ko = "경첩 n개일 때의 최대 오차" })
        if not ok then return ok, msg end
        for _, n in ipairs({ 2, 4, 8, 16, 32 }) do
          local want = max_err(interp(math.sin, n, -PI, PI), math.sin, -PI, PI, 400)
          local got = value(env.hand_err[n])
          if math.abs(got - want) > 1e-3 * math.max(want, 1e-2) + 1e-5 then
            return false, { en = ("hand_err[%d] = %.5f, but the largest |net(x) − sin x| over xs is %.5f (the max, not the mean)"):format(n, got, want),
                            ko = ("hand_err[%d] = %.5f인데, xs 위의 최대 |net(x) − sin x|는 %.5f입니다 (평균이 아니라 최댓값)"):format(n, got, want) }
          end
        end
        local ratio = value(env.hand_err[16]) / value(env.hand_err[32])
        if not (ratio > 3) then
          return false, { en = ("from 16 to 32 hinges the error should shrink about 4 times, it shrank %.2f times"):format(ratio),
                          ko = ("경첩 16개에서 32개로 가면 오차가 약 4배 줄어야 하는데 %.2f배 줄었습니다"):format(ratio) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Setting weights by hand needs to know f. Gradient descent only needs samples of it. Write
fit_width(width, f, steps): 200 points x over [−π, π], targets f(x) (f takes a tensor), the
network nn.Linear(1, width), nn.ReLU(), nn.Linear(width, 1) built right after
manual_seed(0), trained by Adam (lr 0.01) on the MSE for steps steps. Return the model and
its final MSE on those points.]],
        ko = [[
가중치를 손으로 정하려면 f를 알아야 합니다. 경사 하강법은 f의 샘플만 있으면 됩니다.
fit_width(width, f, steps)를 만드세요: [−π, π]의 점 x 200개, 목표값 f(x) (f는 텐서를 받음),
manual_seed(0) 직후에 만든 신경망 nn.Linear(1, width), nn.ReLU(), nn.Linear(width, 1)을
MSE에 대해 Adam(lr 0.01)으로 steps번 학습합니다. 모델과, 그 점들에서의 마지막 MSE를
돌려주세요.]],
      },
      code = [[
function fit_width(width, f, steps)
  local x = linspace(-math.pi, math.pi, 200):view(-1, 1)
  local y = f(x)
  manual_seed(0)
  local model = nn.Sequential{ nn.Linear(1, width), nn.ReLU(), nn.Linear(width, 1) }
  local opt = optim.Adam(model:parameters(), { lr = 0.01 })
  for i = 1, steps do
    opt:zero_grad()
    local loss = ((model(x) - y) ^ 2):mean()
    loss:backward()
    opt:step()
  end
  return model, ((model(x) - y) ^ 2):mean():item()
end
model8, mse8 = fit_width(8, function(x) return x:sin() end, 1000)
print(mse8)]],
      wrong = [[
function fit_width(width, f, steps)
  local x = linspace(-math.pi, math.pi, 200):view(-1, 1)
  local y = f(x)
  manual_seed(0)
  local model = nn.Sequential{ nn.Linear(1, width), nn.ReLU(), nn.Linear(width, 1) }
  local opt = optim.Adam(model:parameters(), { lr = 0.01 })
  for i = 1, steps do
    local loss = ((model(x) - y) ^ 2):mean()
    loss:backward()
    opt:step()
  end
  return model, ((model(x) - y) ^ 2):mean():item()
end
model8, mse8 = fit_width(8, function(x) return x:sin() end, 1000)]],
      check = function(env)
        local n = nb()
        if type(env.fit_width) ~= "function" then
          return false, { en = "define fit_width(width, f, steps)", ko = "fit_width(width, f, steps)를 정의하세요" }
        end
        if not env.model8 or not finite(value(env.mse8)) then
          return false, { en = "run model8, mse8 = fit_width(8, ...) as above", ko = "위처럼 model8, mse8 = fit_width(8, ...)을 실행하세요" }
        end
        local x = n.linspace(-PI, PI, 200):view(-1, 1)
        local ys = outputs(env.model8, x:reshape(-1):tolist())
        if not ys then return false, { en = "model8 should be the trained network", ko = "model8은 학습된 신경망이어야 합니다" } end
        local mse = 0
        for i, v in ipairs(x:reshape(-1):tolist()) do mse = mse + (ys[i] - math.sin(v)) ^ 2 end
        mse = mse / 200
        if math.abs(mse - value(env.mse8)) > 1e-4 * math.max(1, mse) then
          return false, { en = ("fit_width's second result should be the model's MSE on the 200 points: %.5f, not %.5f"):format(mse, value(env.mse8)),
                          ko = ("fit의 두 번째 결과는 점 200개에서 모델의 MSE인 %.5f여야 합니다 (지금 %.5f)"):format(mse, value(env.mse8)) }
        end
        if mse > 0.01 then
          return false, { en = ("8 ReLU units trained 1000 steps should fit sin with MSE below 0.01, got %.4f: zero_grad before each backward?"):format(mse),
                          ko = ("ReLU 유닛 8개를 1000단계 학습하면 sin을 MSE 0.01 미만으로 맞춰야 하는데 %.4f입니다: 매 backward 전에 zero_grad를 했나요?"):format(mse) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Now the experiment: the same training for hidden widths 1, 2, 4, 8, 16, 32. Keep the MSE
of each in errs[width]. One unit is a single hinge: it cannot bend both ways, whatever
gradient descent does. With more units the error falls — by orders of magnitude.]],
        ko = [[
이제 실험입니다: 은닉층 폭 1, 2, 4, 8, 16, 32로 같은 학습을 합니다. 각각의 MSE를
errs[width]에 모으세요. 유닛 하나는 경첩 하나라서, 경사 하강법이 무엇을 하든 양쪽으로 휘지
못합니다. 유닛이 많아지면 오차가 몇 자릿수씩 떨어집니다.]],
      },
      code = [[
errs = {}
for _, width in ipairs({ 1, 2, 4, 8, 16, 32 }) do
  local _, e = fit_width(width, function(x) return x:sin() end, 1000)
  errs[width] = e
  print(width, e)
end]],
      solution = [[
errs = {}
for _, width in ipairs({ 1, 2, 4, 8, 16, 32 }) do
  local _, e = fit_width(width, function(x) return x:sin() end, 1000)
  errs[width] = e
end]],
      wrong = [[
errs = {}
for _, width in ipairs({ 1, 2, 4, 8, 16, 32 }) do
  local _, e = fit_width(width, function(x) return x:sin() end, 10)
  errs[width] = e
end]],
      check = function(env)
        local ok, msg = need_table(env, "errs", { 1, 2, 4, 8, 16, 32 }, { en = "the final MSE at that width", ko = "그 폭에서의 마지막 MSE" })
        if not ok then return ok, msg end
        local e = function(w) return value(env.errs[w]) end
        if not (e(1) > 0.05) then
          return false, { en = ("errs[1] = %.4f: one hinge cannot follow a sine; train on sin over [−π, π]"):format(e(1)),
                          ko = ("errs[1] = %.4f: 경첩 하나로는 사인을 따라갈 수 없습니다. [−π, π]의 sin으로 학습하세요"):format(e(1)) }
        end
        if not (e(32) < e(1) / 100 and e(32) < e(4) and e(16) < e(2)) then
          return false, { en = ("the error should fall with width (1: %.3g, 4: %.3g, 16: %.3g, 32: %.3g): train 1000 steps each"):format(e(1), e(4), e(16), e(32)),
                          ko = ("오차는 폭이 커질수록 줄어야 합니다 (1: %.3g, 4: %.3g, 16: %.3g, 32: %.3g): 각각 1000단계 학습하세요"):format(e(1), e(4), e(16), e(32)) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
A bumpier target, f(x) = sin 3x + ½·sin 7x, has more bends, so it needs more corners. By
hand: how many hinges until the largest error is below 0.05? And trained (2000 steps) at
widths 4, 16 and 64? Draw the trained fits against the target.]],
        ko = [[
더 울퉁불퉁한 목표 f(x) = sin 3x + ½·sin 7x는 굽이가 많아서 꺾이는 점도 더 많이 필요합니다.
손으로 만들면 최대 오차가 0.05 아래로 내려가기까지 경첩이 몇 개 필요할까요? 학습(2000단계)으로는
폭 4, 16, 64에서 어떨까요? 학습된 근사를 목표와 함께 그려 보세요.]],
      },
      code = [[
bumpy = function(x) return (3 * x):sin() + 0.5 * (7 * x):sin() end
bumpy_num = function(x) return math.sin(3 * x) + 0.5 * math.sin(7 * x) end
function hinges_needed(f, f_num, tol)
  local n = 2
  while (hinge_net(f_num, n, -math.pi, math.pi)(xs) - f(xs)):abs():max():item() > tol do n = n * 2 end
  return n
end
needed = { sin = hinges_needed(function(x) return x:sin() end, math.sin, 0.05), bumpy = hinges_needed(bumpy, bumpy_num, 0.05) }
bumpy_errs, fits = {}, { target = { xs:view(-1), bumpy(xs):view(-1) } }
for _, width in ipairs({ 4, 16, 64 }) do
  local model
  model, bumpy_errs[width] = fit_width(width, bumpy, 2000)
  fits["w" .. width] = { xs:view(-1), model(xs):view(-1) }
end
print(needed.sin, needed.bumpy, bumpy_errs[4], bumpy_errs[16], bumpy_errs[64])
plot.lines(fits)]],
      wrong = [[
bumpy = function(x) return (3 * x):sin() + 0.5 * (7 * x):sin() end
needed = { sin = 16, bumpy = 16 }
bumpy_errs = { [4] = 0.1, [16] = 0.1, [64] = 0.1 }]],
      check = function(env)
        if type(env.needed) ~= "table" or math.type(env.needed.sin) ~= "integer" or math.type(env.needed.bumpy) ~= "integer" then
          return false, { en = "make needed = { sin = ..., bumpy = ... }: the number of hinges for a max error below 0.05",
                          ko = "needed = { sin = ..., bumpy = ... }를 만드세요: 최대 오차가 0.05 아래가 되는 경첩 수" }
        end
        -- the smallest power of two that reaches 0.05, computed here
        local function need(f)
          local k = 2
          while max_err(interp(f, k, -PI, PI), f, -PI, PI, 400) > 0.05 do k = k * 2 end
          return k
        end
        local ns, nbumpy = need(math.sin), need(bumpy_ref)
        if env.needed.sin ~= ns or env.needed.bumpy ~= nbumpy then
          return false, { en = ("doubling n from 2, the broken line needs %d hinges for sin and %d for the bumpy function (you have %d and %d)"):format(ns, nbumpy, env.needed.sin, env.needed.bumpy),
                          ko = ("n을 2부터 두 배씩 늘리면 꺾은선에 필요한 경첩은 sin이 %d개, 울퉁불퉁한 함수가 %d개입니다 (지금은 %d, %d)"):format(ns, nbumpy, env.needed.sin, env.needed.bumpy) }
        end
        local ok, msg = need_table(env, "bumpy_errs", { 4, 16, 64 }, { en = "the trained MSE at that width", ko = "그 폭에서 학습한 MSE" })
        if not ok then return ok, msg end
        local b = function(w) return value(env.bumpy_errs[w]) end
        if type(env.errs) == "table" and finite(value(env.errs[4])) and not (b(4) > value(env.errs[4])) then
          return false, { en = "at width 4 the bumpy function should be harder to fit than sin", ko = "폭 4에서 울퉁불퉁한 함수는 sin보다 맞추기 어려워야 합니다" }
        end
        if not (b(64) < b(4) / 3) then
          return false, { en = ("the bumpy fit should improve with width (4: %.3g, 16: %.3g, 64: %.3g): train each 2000 steps with fit_width"):format(b(4), b(16), b(64)),
                          ko = ("울퉁불퉁한 함수의 근사는 폭이 커질수록 좋아져야 합니다 (4: %.3g, 16: %.3g, 64: %.3g): fit_width로 각각 2000단계 학습하세요"):format(b(4), b(16), b(64)) }
        end
        return true
      end,
      hints = { { en = "Gradient descent need not find the best weights: compare the trained errors with what 64 hand-set hinges achieve.",
                  ko = "경사 하강법이 최적의 가중치를 찾는다는 보장은 없습니다: 학습된 오차를 손으로 정한 경첩 64개의 오차와 비교해 보세요." } },
    },
    {
      text = {
        en = [[
The theorem is about a closed, bounded interval (a compact set), and it needs an
activation that is not a polynomial (ReLU, tanh and sigmoid qualify). Outside the points
it was trained on, nothing holds a ReLU network to the target: it keeps the hinges its
units happen to have there, and beyond its outermost hinge, where no unit switches on or
off any more, it is exactly a straight line. Evaluate the width-32 sine network on
[π, 3π], where sin keeps waving, and compare its largest error there with its largest
error on [−π, π]. Then find last_kink, the outermost hinge: unit i of the first layer
switches at x = −bᵢ/wᵢ.]],
        ko = [[
정리는 닫힌 유계 구간(콤팩트 집합)에 대한 이야기이고, 활성화 함수가 다항식이 아니어야 합니다
(ReLU, tanh, 시그모이드는 조건을 만족합니다). 학습한 점들 바깥에서는 ReLU 신경망을 목표에 묶어
두는 것이 없습니다. 거기서는 유닛들이 우연히 가진 경첩을 그대로 따르고, 가장 바깥 경첩 너머에서는
더 이상 켜지거나 꺼지는 유닛이 없으므로 정확히 직선입니다. 폭 32인 사인 신경망을 sin이 계속
물결치는 [π, 3π]에서 계산하고, 그곳의 최대 오차를 [−π, π]에서의 최대 오차와 비교해 보세요. 그다음
가장 바깥 경첩 last_kink를 찾으세요. 첫 층의 유닛 i는 x = −bᵢ/wᵢ에서 꺾입니다.]],
      },
      code = [[
model32 = fit_width(32, function(x) return x:sin() end, 1000)
far = linspace(math.pi, 3 * math.pi, 200):view(-1, 1)
inside = (model32(xs) - xs:sin()):abs():max():item()
outside = (model32(far) - far:sin()):abs():max():item()
w1, b1 = model32[1].weight:view(-1):tolist(), model32[1].bias:tolist()
last_kink = -math.huge
for i = 1, #w1 do last_kink = math.max(last_kink, -b1[i] / w1[i]) end
print(inside, outside, last_kink)   -- beyond last_kink: a straight line
plot.lines{ sin = { far:view(-1), far:sin():view(-1) }, net = { far:view(-1), model32(far):view(-1) } }]],
      wrong = [[
model32 = fit_width(32, function(x) return x:sin() end, 1000)
far = linspace(math.pi, 3 * math.pi, 200):view(-1, 1)
inside = (model32(xs) - xs:sin()):abs():max():item()
outside = (model32(xs) - xs:sin()):abs():max():item()]],
      check = function(env)
        local inside, outside = value(env.inside), value(env.outside)
        if not finite(inside) or not finite(outside) or not env.model32 then
          return false, { en = "compute inside and outside (numbers) with model32", ko = "model32로 inside와 outside(숫자)를 계산하세요" }
        end
        local pts = {}
        for i = 0, 199 do pts[#pts + 1] = PI + 2 * PI * i / 199 end
        local ys = outputs(env.model32, pts)
        if not ys then return false, { en = "model32 should be the trained width-32 network", ko = "model32는 학습된 폭 32 신경망이어야 합니다" } end
        local want = 0
        for i, x in ipairs(pts) do want = math.max(want, math.abs(ys[i] - math.sin(x))) end
        if math.abs(outside - want) > 1e-3 * math.max(1, want) then
          return false, { en = ("outside should be the largest error on [π, 3π]: %.4f, not %.4f"):format(want, outside),
                          ko = ("outside는 [π, 3π]에서의 최대 오차인 %.4f여야 합니다 (지금 %.4f)"):format(want, outside) }
        end
        if not (outside > 10 * inside) then
          return false, { en = ("outside (%.3g) should be far larger than inside (%.3g)"):format(outside, inside),
                          ko = ("outside(%.3g) 값은 inside(%.3g)보다 훨씬 커야 합니다"):format(outside, inside) }
        end
        local W, B = env.model32[1].weight:reshape(-1):tolist(), env.model32[1].bias:reshape(-1):tolist()
        local kink = -math.huge
        for i = 1, #W do if W[i] ~= 0 then kink = math.max(kink, -B[i] / W[i]) end end
        local got = value(env.last_kink)
        if not finite(got) or math.abs(got - kink) > 1e-5 * math.max(1, math.abs(kink)) then
          local first = -math.huge
          for i = 1, #W do if W[i] ~= 0 then first = math.max(first, B[i] / W[i]) end end
          return false, { en = ("last_kink should be the largest −bᵢ/wᵢ over the 32 units of model32[1] (%s)"):format(
                              finite(got) and math.abs(got - first) < 1e-5 * math.max(1, math.abs(first)) and "mind the minus sign" or "the outermost hinge"),
                          ko = ("last_kink는 model32[1]의 유닛 32개에 대한 −bᵢ/wᵢ의 최댓값이어야 합니다 (%s)"):format(
                              finite(got) and math.abs(got - first) < 1e-5 * math.max(1, math.abs(first)) and "부호에 주의하세요" or "가장 바깥 경첩") }
        end
        -- beyond it the network is affine: equal slopes on three stretches past the kink
        local xs3 = { kink + 0.5, kink + 1.5, kink + 2.5, kink + 3.5 }
        local ys3 = outputs(env.model32, xs3)
        if ys3 then
          local s1, s2, s3 = ys3[2] - ys3[1], ys3[3] - ys3[2], ys3[4] - ys3[3]
          if math.abs(s1 - s2) > 1e-3 * math.max(1, math.abs(s1)) or math.abs(s2 - s3) > 1e-3 * math.max(1, math.abs(s2)) then
            return false, { en = "past last_kink model32 should be a straight line: is model32 the width-32 ReLU network?",
                            ko = "last_kink 너머에서 model32는 직선이어야 합니다. model32가 폭 32인 ReLU 신경망인가요?" }
          end
        end
        return true
      end,
    },
    {
      text = { en = "What the theorem says, and what it does not.", ko = "정리가 말하는 것과 말하지 않는 것." },
      quiz = {
        question = { en = "What does the universal approximation theorem guarantee for a network with one hidden layer?",
                     ko = "보편 근사 정리는 은닉층 하나짜리 신경망에 대해 무엇을 보장할까요?" },
        choices = {
          { en = "Gradient descent will find weights whose error is below any ε we ask for",
            ko = "경사 하강법이 우리가 정한 어떤 ε보다도 오차가 작은 가중치를 찾아 준다" },
          { en = "Some finite width and weights get within ε of any continuous f on a closed interval",
            ko = "유한한 폭과 어떤 가중치로 닫힌 구간 위의 연속 함수 f에 ε 이내로 다가갈 수 있다" },
          { en = "A few units suffice for every function, inside the interval and outside it",
            ko = "유닛 몇 개면 어떤 함수든 충분하고, 구간 안에서도 밖에서도 근사가 유지된다" },
          { en = "Any function at all, continuous or not, is matched exactly once there are enough units",
            ko = "연속이든 아니든 어떤 함수든, 유닛만 충분하면 오차 없이 정확히 똑같이 만들 수 있다" },
        },
        answer = 2,
        explain = { en = "Right: it is an existence result (for a non-polynomial activation such as ReLU or tanh, on a closed bounded set). It says nothing about finding the weights (step 5), about how many units (it can be very many), or about outside the interval (step 6).",
                    ko = "맞습니다: 존재에 대한 결과입니다 (ReLU나 tanh처럼 다항식이 아닌 활성화 함수, 유계인 닫힌 집합에서). 가중치를 찾는 법(5단계), 유닛이 몇 개 필요한지(아주 많을 수 있음), 구간 밖(6단계)에 대해서는 아무 말도 하지 않습니다." },
        wrong = {
          [1] = { en = "The theorem only says good weights exist; step 5 showed training can fall short of the hand-built net.",
                  ko = "정리는 좋은 가중치가 존재한다고만 말합니다. 5단계에서 학습이 손으로 만든 신경망에 못 미치는 것을 보았습니다." },
          [3] = { en = "Step 5 showed that bumpier functions need more units, and step 6 that the fit fails outside the interval.",
                  ko = "5단계에서 울퉁불퉁한 함수일수록 유닛이 더 필요하고, 6단계에서 구간 밖에서는 근사가 무너지는 것을 보았습니다." },
          [4] = { en = "The theorem is about continuous functions, and it promises to come within ε, not an exact match.",
                  ko = "정리는 연속 함수에 대한 것이고, 정확히 같은 것이 아니라 ε 이내로 다가간다고 약속합니다." },
        },
      },
    },
  },
}

-- Lesson 7: generalization — under- and overfitting (polynomial degree, an MLP trained too
-- long), train versus validation error, k-fold cross-validation, bias and variance,
-- the bootstrap, bagging deep trees and boosting stumps. Everything is small: 20 training
-- points of a noisy sine, least squares in plain Lua, one tiny MLP.
local function nb() return require "nabla" end
local function dt() return require "nabla.data" end

local L = require "nabla.lesson"
local C = L.checks
local value, finite, close, msg = C.value, C.finite, C.close, C.msg

-- the reference versions of what the learner types (lessons/lib/fit1d.lua): the checks
-- never call the learner's helpers to compute what the answer should be
local F = L.lib("fit1d")
local ref_points, ref_fit_xy, ref_polyfit, ref_predict = F.points, F.fit_xy, F.polyfit, F.predict
local ref_mse_fn, ref_mse, ref_tree, sd_of = F.mse_fn, F.mse, F.tree, F.sd

-- the lesson's data, drawn here exactly as step 1 draws it (the learner's RNG is left alone)
local cache = {}
local function sets()
  if not cache.pool then
    local n, data = nb(), dt()
    n._C._with_rng_seed(0, function()
      cache.pool = data.sin{ n = 60, noise = 0.3 }
      cache.test = data.sin{ n = 1000, noise = 0.3 }
    end)
    cache.train, cache.val = data.split(cache.pool, { 20, 40 }, { seed = 0 })
  end
  return cache
end

local need_setup = msg("run step 1 first: pool, train_set, val_set, test_set and the helpers",
                       "먼저 1단계를 실행하세요: pool, train_set, val_set, test_set과 도우미 함수들")

local function have_setup(env)
  return type(env.polyfit) == "function" and type(env.mse) == "function" and type(env.predict) == "function"
    and type(env.points) == "function" and env.train_set ~= nil and env.val_set ~= nil and env.test_set ~= nil
end

local function list_from(t, lo, hi)
  if type(t) ~= "table" then return nil end
  local out = {}
  for k = lo, hi do
    local v = value(t[k])
    if not finite(v) then return nil end
    out[k] = v
  end
  return out
end

local TREE = [[
-- a regression tree on one input: cut the x axis where the squared error falls most
-- (fit1d.best_cut, ready made: read it in lessons/lib/fit1d.lua), then grow a tree of
-- depth − 1 on each side; a leaf predicts the mean of its points
best_cut = fit1d.best_cut
function fit_tree(xs, ys, depth)
  local total = 0
  for i = 1, #ys do total = total + ys[i] end
  local mean = total / #ys
  local cut = (depth > 0 and #xs >= 2) and best_cut(xs, ys) or nil
  if not cut then return function() return mean end end
  local lx, ly, rx, ry = {}, {}, {}, {}
  ???     -- your lines: each point to its side of cut (x < cut: left), a tree of
          -- depth − 1 on each side, and the function of x that asks x's side
end]]

local TREE_SOLUTION = [[
best_cut = fit1d.best_cut
function fit_tree(xs, ys, depth)
  local total = 0
  for i = 1, #ys do total = total + ys[i] end
  local mean = total / #ys
  local cut = (depth > 0 and #xs >= 2) and best_cut(xs, ys) or nil
  if not cut then return function() return mean end end
  local lx, ly, rx, ry = {}, {}, {}, {}
  for i = 1, #xs do
    if xs[i] < cut then lx[#lx + 1], ly[#ly + 1] = xs[i], ys[i]
    else rx[#rx + 1], ry[#ry + 1] = xs[i], ys[i] end
  end
  local l, r = fit_tree(lx, ly, depth - 1), fit_tree(rx, ry, depth - 1)
  return function(x) if x < cut then return l(x) end return r(x) end
end]]

local SETUP = [[
manual_seed(0)
pool = data.sin{ n = 60, noise = 0.3 }         -- y = sin x + 0.3·noise, x in [−π, π]
test_set = data.sin{ n = 1000, noise = 0.3 }   -- fresh points: the truth, a luxury
train_set, val_set = data.split(pool, { 20, 40 }, { seed = 0 })
-- the plumbing, ready made (read it in lessons/lib/fit1d.lua): points(ds) gives the
-- examples as two lists xs, ys; features(x, d) the d + 1 columns of a degree-d polynomial
-- at x (Chebyshev T0..Td of x/π: the same polynomials as 1, x, ..., x^d, better-behaved
-- numbers); solve(A, b) solves A·w = b by Gaussian elimination
fit1d = require("nabla.lesson").lib("fit1d")
points, features, solve = fit1d.points, fit1d.features, fit1d.solve
function predict(w, x)                         -- Σ wᵢ·featureᵢ(x)
  local f, s = features(x, #w - 1), 0
  for i = 1, #w do s = s + w[i] * f[i] end
  return s
end]]

local POLYFIT = [[
-- least squares: the w minimizing Σ (w·f(x) − y)² solves (FᵀF)·w = Fᵀy, where row k of F
-- is f = features(xs[k], d): FᵀF is the sum of f·fᵀ over the examples, Fᵀy of f·ys[k]
function polyfit(ds, d)
  local xs, ys = points(ds)
  local m, A, b = d + 1, {}, {}
  for i = 1, m do A[i], b[i] = {}, 0; for j = 1, m do A[i][j] = 0 end end
  for k = 1, #xs do
    local f = features(xs[k], d)
    ???              -- your lines: add f[i]·ys[k] to b[i], and f[i]·f[j] to A[i][j]
  end
  return solve(A, b)
end
function mse(w, ds)
  ???                -- your lines: the mean over ds of (predict(w, x) − y)²
end
w3 = polyfit(train_set, 3)
print(mse(w3, train_set), mse(w3, val_set))]]

local POLYFIT_SOLUTION = [[
function polyfit(ds, d)
  local xs, ys = points(ds)
  local m, A, b = d + 1, {}, {}
  for i = 1, m do A[i], b[i] = {}, 0; for j = 1, m do A[i][j] = 0 end end
  for k = 1, #xs do
    local f = features(xs[k], d)
    for i = 1, m do
      b[i] = b[i] + f[i] * ys[k]
      for j = 1, m do A[i][j] = A[i][j] + f[i] * f[j] end
    end
  end
  return solve(A, b)
end
function mse(w, ds)
  local xs, ys = points(ds)
  local s = 0
  for i = 1, #xs do s = s + (predict(w, xs[i]) - ys[i]) ^ 2 end
  return s / #xs
end
w3 = polyfit(train_set, 3)]]

return {
  id = "generalization",
  order = 7,
  title = { en = "Generalization: under- and overfitting", ko = "일반화: 과소적합과 과적합" },
  steps = {
    -- 1 -------------------------------------------------------------------------------------
    {
      text = {
        en = [[
A model is good if it predicts points it has NOT seen. We take a noisy sine: 60 points,
split at random into 20 for training and 40 for validation, plus 1000 fresh points as a
test set (in real life we rarely have that many to spare; here it shows us the truth).
The models are polynomials of degree d, fitted by least squares in plain Lua. The
plumbing is ready (points, features, solve, predict); derive the two key pieces and type
them: the normal equations of polyfit, and mse(w, ds), the mean over the examples of ds
of (predict(w, x) − y)².]],
        ko = [[
좋은 모델은 '보지 못한' 점을 잘 예측하는 모델입니다. 노이즈 섞인 사인을 씁시다. 점 60개를
무작위로 학습용 20개와 검증용 40개로 나누고, 새 점 1000개를 테스트 세트로 둡니다 (현실에서는
이렇게 여유 있는 데이터가 드물지만, 여기서는 진짜 오차를 보여 줍니다). 모델은 차수 d인
다항식이고, 평범한 Lua로 최소제곱법을 풀어 맞춥니다. 뼈대(points, features, solve, predict)는
준비되어 있습니다. 핵심 두 가지를 직접 유도해서 입력하세요. polyfit의 정규 방정식, 그리고
ds의 샘플들에 대한 (predict(w, x) − y)²의 평균인 mse(w, ds)입니다.]],
      },
      code = SETUP .. "\n" .. POLYFIT,
      solution = SETUP .. "\n" .. POLYFIT_SOLUTION,
      wrong = SETUP .. "\n" .. POLYFIT_SOLUTION:gsub("return s / #xs", "return s"),
      wrongs = {
        { code = SETUP .. "\n" .. POLYFIT_SOLUTION:gsub("A%[i%]%[j%] %+ f%[i%] %* f%[j%]", "A[i][j] + f[i] * f[i]"),
          says = { en = "normal equations", ko = "정규 방정식" } },
      },
      check = function(env)
        if not have_setup(env) then return false, need_setup end
        if #env.train_set ~= 20 or #env.val_set ~= 40 or #env.test_set ~= 1000 then
          return false, msg(("train_set, val_set and test_set should have 20, 40 and 1000 examples (they have %d, %d, %d)"):format(#env.train_set, #env.val_set, #env.test_set),
                            ("train_set, val_set, test_set은 샘플 20, 40, 1000개여야 합니다 (지금 %d, %d, %d개)"):format(#env.train_set, #env.val_set, #env.test_set))
        end
        local S = sets()
        local w = ref_polyfit(S.train, 3)
        local ok, got = pcall(env.mse, w, S.val)
        local want = ref_mse(w, S.val)
        if not ok or not close(value(got), want, 1e-6) then
          return false, msg(("mse(w, val_set) for the degree-3 fit should be %.5f, the MEAN of the squared errors over the 40 examples, not %s"):format(want, tostring(ok and value(got) or got)),
                            ("3차 다항식의 mse(w, val_set)는 %.5f, 즉 샘플 40개의 제곱 오차 '평균'이어야 합니다 (지금 %s)"):format(want, tostring(ok and value(got) or got)))
        end
        local okf, w3 = pcall(env.polyfit, S.train, 3)
        if not okf or type(w3) ~= "table" or #w3 ~= 4 or not close(ref_mse(w3, S.train), ref_mse(w, S.train), 1e-6) then
          return false, msg("polyfit(train_set, 3) should return the 4 least-squares coefficients: the normal equations add f[i]·ys[k] to b[i] and f[i]·f[j] to A[i][j] for every example k",
                            "polyfit(train_set, 3)은 최소제곱 계수 4개를 돌려줘야 합니다. 정규 방정식은 샘플 k마다 b[i]에 f[i]·ys[k]를, A[i][j]에 f[i]·f[j]를 더합니다")
        end
        return true
      end,
      hints = {
        { en = "Σ (w·f − y)² is smallest where its gradient 2·Σ f·(w·f − y) is 0: Σ f·fᵀ·w = Σ f·y. That is A·w = b.",
          ko = "Σ (w·f − y)²는 기울기 2·Σ f·(w·f − y)가 0인 곳에서 가장 작습니다. Σ f·fᵀ·w = Σ f·y, 즉 A·w = b입니다." },
        { en = "Two loops inside the loop over k: for i = 1, m, b[i] grows by f[i] * ys[k]; for j = 1, m, A[i][j] by f[i] * f[j].",
          ko = "k에 대한 반복 안에 반복 두 개: i = 1, m에서 b[i]에 f[i] * ys[k]를, j = 1, m에서 A[i][j]에 f[i] * f[j]를 더합니다." },
        { en = "mse: local xs, ys = points(ds); sum (predict(w, xs[i]) − ys[i]) ^ 2; divide by #xs.",
          ko = "mse: local xs, ys = points(ds)로 받아 (predict(w, xs[i]) − ys[i]) ^ 2를 더하고 #xs로 나누세요." },
      },
    },
    -- 2 -------------------------------------------------------------------------------------
    {
      text = {
        en = [[
Now fit every degree from 0 to 15 to the 20 training points and keep both errors:
train_err[d] on the training set and val_err[d] on the validation set. Choose
best_degree, the degree with the lowest VALIDATION error. The training error can only go
down as d grows (a bigger family of curves contains the smaller one); the validation
error goes down, then up. Plot both on a log scale.]],
        ko = [[
이제 차수 0부터 15까지 모두 학습 점 20개에 맞추고 두 오차를 기록하세요: 학습 세트에서의
train_err[d]와 검증 세트에서의 val_err[d]. 그리고 '검증' 오차가 가장 낮은 차수 best_degree를
고르세요. 학습 오차는 d가 커질수록 내려가기만 합니다 (더 큰 곡선 집합은 작은 집합을
포함하니까요). 검증 오차는 내려가다가 다시 올라갑니다. 둘을 로그 눈금으로 그려 보세요.]],
      },
      code = [[
train_err, val_err = {}, {}
for d = 0, 15 do
  local w = polyfit(train_set, d)
  train_err[d], val_err[d] = mse(w, train_set), mse(w, val_set)
end
best_degree = 0
for d = 1, 15 do
  if val_err[d] < val_err[best_degree] then best_degree = d end
end
print("best degree", best_degree)
local degrees, tr, va = {}, {}, {}
for d = 0, 15 do degrees[d + 1], tr[d + 1], va[d + 1] = d, train_err[d], val_err[d] end
plot.lines({ train = { degrees, tr }, validation = { degrees, va } }, { logy = true, xlabel = "degree", ylabel = "MSE" })]],
      wrong = [[
train_err, val_err = {}, {}
for d = 0, 15 do
  local w = polyfit(train_set, d)
  train_err[d], val_err[d] = mse(w, train_set), mse(w, val_set)
end
best_degree = 0
for d = 1, 15 do
  if train_err[d] < train_err[best_degree] then best_degree = d end
end]],
      check = function(env)
        if not have_setup(env) then return false, need_setup end
        local tr, va = list_from(env.train_err, 0, 15), list_from(env.val_err, 0, 15)
        if not tr or not va then
          return false, msg("fill train_err[d] and val_err[d] for every degree d = 0..15 (numbers)",
                            "모든 차수 d = 0..15에 대해 train_err[d]와 val_err[d]를 채우세요 (숫자)")
        end
        local S = sets()
        for d = 0, 15 do
          local w = ref_polyfit(S.train, d)
          local wt, wv = ref_mse(w, S.train), ref_mse(w, S.val)
          if not close(tr[d], wt, 1e-3) or not close(va[d], wv, 1e-2) then
            return false, msg(("degree %d: train_err should be %.4g and val_err %.4g (fit on train_set, measure on each set); you have %.4g and %.4g"):format(d, wt, wv, tr[d], va[d]),
                              ("차수 %d: train_err는 %.4g, val_err는 %.4g여야 합니다 (train_set으로 맞추고 각 세트에서 측정). 지금은 %.4g, %.4g"):format(d, wt, wv, tr[d], va[d]))
          end
        end
        local best = 0
        for d = 1, 15 do if va[d] < va[best] then best = d end end
        if env.best_degree ~= best then
          return false, msg(("best_degree = %s, but the lowest validation error is at degree %d (the training error always prefers the biggest model)"):format(tostring(env.best_degree), best),
                            ("best_degree = %s인데, 검증 오차가 가장 낮은 차수는 %d입니다 (학습 오차는 언제나 가장 큰 모델을 고릅니다)"):format(tostring(env.best_degree), best))
        end
        return true
      end,
    },
    -- 3 -------------------------------------------------------------------------------------
    {
      text = {
        en = [[
Draw three of the fits against the sine they try to learn: degree 1, your best degree and
degree 15 (cut off at ±3), and compare their errors in train_err and val_err.]],
        ko = [[
세 가지 근사를 배우려는 사인과 함께 그려 보세요: 차수 1, 여러분이 고른 best_degree, 차수 15
(±3에서 자름). 그리고 train_err와 val_err에서 그 오차들을 비교해 보세요.]],
      },
      code = [[
local grid = linspace(-3.1, 3.1, 200):tolist()
local sines = {}
for i, x in ipairs(grid) do sines[i] = math.sin(x) end
local curves = { ["sin x"] = { grid, sines } }
for _, d in ipairs({ 1, best_degree, 15 }) do
  local w, c = polyfit(train_set, d), {}
  for i, x in ipairs(grid) do c[i] = math.max(-3, math.min(3, predict(w, x))) end
  curves["degree " .. d] = { grid, c }
  print(("degree %2d: train %.4f  validation %.4f"):format(d, train_err[d], val_err[d]))
end
plot.lines(curves)]],
      quiz = {
        question = { en = "Degree 1 has a high training AND validation error; degree 15 a tiny training error and a huge validation error. Which is which?",
                     ko = "차수 1은 학습 오차와 검증 오차가 모두 높고, 차수 15는 학습 오차가 아주 작은데 검증 오차가 엄청납니다. 각각 무엇일까요?" },
        choices = {
          { en = "Both are fine: the validation error only reflects the noise in the 20 points",
            ko = "둘 다 괜찮다: 검증 오차는 점 20개에 섞인 노이즈를 반영할 뿐이다" },
          { en = "Both underfit: the sine needs a degree between 1 and 15, and neither is it",
            ko = "둘 다 과소적합이다: 사인에는 1과 15 사이의 차수가 필요한데 둘 다 아니다" },
          { en = "Degree 1 overfits (it memorises the points); degree 15 underfits (it cannot settle on a curve)",
            ko = "차수 1은 과적합(점 20개를 외움), 차수 15는 과소적합(곡선 하나로 정하지 못하고 흔들림)이다" },
          { en = "Degree 1 underfits (too simple for the sine); degree 15 overfits (it threads the noise)",
            ko = "차수 1은 과소적합(사인에 비해 너무 단순), 차수 15는 과적합(노이즈까지 꿰어 맞춤)이다" },
        },
        answer = 4,
        explain = { en = "Right. Underfitting: both errors high. Overfitting: the training error keeps falling while the validation error climbs. Only held-out data tells them apart from a good fit.",
                    ko = "맞습니다. 과소적합은 두 오차가 모두 높고, 과적합은 학습 오차는 계속 떨어지는데 검증 오차는 올라갑니다. 좋은 근사와 구별하게 해 주는 건 따로 떼어 둔 데이터뿐입니다." },
        wrong = {
          [1] = { en = "The noise has variance 0.09: a training error far below it means the curve fits the noise, and the validation error shows the price.",
                  ko = "노이즈의 분산은 0.09입니다. 학습 오차가 그보다 훨씬 낮다면 곡선이 노이즈를 맞추고 있다는 뜻이고, 그 대가는 검증 오차에 나타납니다." },
          [2] = { en = "Degree 15's training error is tiny: it follows its own points closely, which is not underfitting.",
                  ko = "차수 15의 학습 오차는 아주 작습니다. 자기 점들을 바짝 따라가므로 과소적합이 아닙니다." },
          [3] = { en = "A model too simple for the data has a high error even on its own training points: that is underfitting.",
                  ko = "데이터에 비해 너무 단순한 모델은 자기 학습 점에서도 오차가 큽니다. 그게 과소적합입니다." },
        },
      },
    },
    -- 4 -------------------------------------------------------------------------------------
    {
      text = {
        en = [[
Networks overfit too, and not only by size: also by training too long. Train an MLP with
two hidden layers of 64 tanh units (manual_seed(1) right before building it) on the 20
points with Adam (lr 0.01), 1000 full-batch steps. Every 10 steps record the training MSE
and the validation MSE in curve.train and curve.val. Then find best_step, the step with
the lowest validation MSE. Stopping there is EARLY STOPPING.]],
        ko = [[
신경망도 과적합합니다. 크기 때문만이 아니라 너무 오래 학습해도 그렇습니다. tanh 유닛 64개짜리
은닉층 두 개의 MLP를 (만들기 직전에 manual_seed(1)) 점 20개로 Adam(lr 0.01)을 써서 전체 배치로
1000단계 학습하세요. 10단계마다 학습 MSE와 검증 MSE를 curve.train과 curve.val에 기록합니다.
그리고 검증 MSE가 가장 낮은 단계 best_step을 찾으세요. 거기서 멈추는 것이 조기 종료(early
stopping)입니다.]],
      },
      code = [[
local function tensors(ds)
  local xs, ys = points(ds)
  return tensor(xs):view(-1, 1), tensor(ys):view(-1, 1)
end
local X, Y = tensors(train_set)
local VX, VY = tensors(val_set)
manual_seed(1)
net = nn.Sequential{ nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1) }
local opt = optim.Adam(net:parameters(), { lr = 0.01 })
curve = { train = {}, val = {} }
for step = 1, 1000 do
  opt:zero_grad()
  local loss = ((net(X) - Y) ^ 2):mean()
  loss:backward()
  opt:step()
  if step % 10 == 0 then
    no_grad(function()
      curve.train[#curve.train + 1] = ((net(X) - Y) ^ 2):mean():item()
      curve.val[#curve.val + 1] = ((net(VX) - VY) ^ 2):mean():item()
    end)
  end
end
local k = 1
for i = 2, #curve.val do if curve.val[i] < curve.val[k] then k = i end end
best_step = 10 * k
print("best step", best_step, "validation", curve.val[k], "at the end", curve.val[#curve.val])
plot.lines({ train = curve.train, validation = curve.val }, { logy = true, xlabel = "step / 10", ylabel = "MSE" })]],
      wrong = [[
local function tensors(ds)
  local xs, ys = points(ds)
  return tensor(xs):view(-1, 1), tensor(ys):view(-1, 1)
end
local X, Y = tensors(train_set)
local VX, VY = tensors(val_set)
manual_seed(1)
net = nn.Sequential{ nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1) }
local opt = optim.Adam(net:parameters(), { lr = 0.01 })
curve = { train = {}, val = {} }
for step = 1, 1000 do
  opt:zero_grad()
  local loss = ((net(X) - Y) ^ 2):mean()
  loss:backward()
  opt:step()
  if step % 10 == 0 then
    no_grad(function()
      curve.train[#curve.train + 1] = ((net(X) - Y) ^ 2):mean():item()
      curve.val[#curve.val + 1] = ((net(VX) - VY) ^ 2):mean():item()
    end)
  end
end
best_step = 1000]],
      check = function(env)
        local n = nb()
        if not have_setup(env) then return false, need_setup end
        local c = env.curve
        if type(c) ~= "table" or type(c.train) ~= "table" or type(c.val) ~= "table" or #c.train ~= 100 or #c.val ~= 100 then
          return false, msg("curve.train and curve.val should each hold 100 values: one every 10 of the 1000 steps",
                            "curve.train과 curve.val에는 각각 값이 100개 있어야 합니다: 1000단계 중 10단계마다 하나")
        end
        local tr, va = list_from(c.train, 1, 100), list_from(c.val, 1, 100)
        if not tr or not va then return false, msg("curve.train and curve.val should hold numbers", "curve.train과 curve.val에는 숫자가 있어야 합니다") end
        local S = sets()
        local vx, vy = ref_points(S.val)
        local ok, out = pcall(function() return n.no_grad(function() return env.net(n.tensor(vx):view(-1, 1)) end) end)
        if not ok or not n.is_tensor(out) or out:numel() ~= 40 then
          return false, msg("net should be the trained MLP (1 input, 1 output)", "net은 학습된 MLP(입력 1, 출력 1)여야 합니다")
        end
        local p, s = out:reshape(-1):tolist(), 0
        for i = 1, 40 do s = s + (p[i] - vy[i]) ^ 2 end
        if not close(va[100], s / 40, 1e-3, 1e-5) then
          return false, msg(("curve.val[100] = %.4f, but net's MSE on val_set is %.4f: record the VALIDATION error, measured on val_set"):format(va[100], s / 40),
                            ("curve.val[100] = %.4f인데, val_set에서 net의 MSE는 %.4f입니다: val_set에서 측정한 '검증' 오차를 기록하세요"):format(va[100], s / 40))
        end
        local k = 1
        for i = 2, 100 do if va[i] < va[k] then k = i end end
        if env.best_step ~= 10 * k then
          return false, msg(("best_step = %s, but the validation MSE is lowest after step %d (%.4f, against %.4f at the end)"):format(tostring(env.best_step), 10 * k, va[k], va[100]),
                            ("best_step = %s인데, 검증 MSE가 가장 낮은 건 %d단계 뒤입니다 (%.4f, 마지막은 %.4f)"):format(tostring(env.best_step), 10 * k, va[k], va[100]))
        end
        if not (tr[100] < 0.5 * tr[k] and va[100] > 1.3 * va[k]) then
          return false, msg(("after step %d the training MSE should keep falling (%.4f → %.4f) while the validation MSE climbs (%.4f → %.4f): train 1000 steps of Adam, lr 0.01, 64 tanh units per layer"):format(10 * k, tr[k], tr[100], va[k], va[100]),
                            ("%d단계 뒤로 학습 MSE는 계속 떨어지고 (%.4f → %.4f) 검증 MSE는 올라가야 합니다 (%.4f → %.4f): 층마다 tanh 64개, Adam lr 0.01로 1000단계 학습하세요"):format(10 * k, tr[k], tr[100], va[k], va[100]))
        end
        return true
      end,
      hints = { { en = "Measure both errors inside no_grad, after opt:step(), so that they describe the same weights.",
                  ko = "두 오차 모두 opt:step() 뒤에 no_grad 안에서 측정하세요. 그래야 같은 가중치에 대한 값입니다." } },
    },
    -- 5 -------------------------------------------------------------------------------------
    {
      text = {
        en = [[
How much can we trust a validation error? Put all 60 points of the pool to use. A hold-out
estimate trains on a random 80% and measures on the other 20% (data.split(pool,
{0.8, 0.2}, { seed = s })). k-fold cross-validation cuts the pool into k folds, trains k
times on k − 1 of them and measures on the one left out, so that every point is validated
exactly once (data.kfold(pool, 5, { seed = s })); the estimate is the mean squared error
over all points. For degree 3, compute both estimates for seeds 1..20 in holdout[s] and
cv[s], and compare how much they scatter.]],
        ko = [[
검증 오차는 얼마나 믿을 만할까요? pool의 점 60개를 모두 씁시다. 홀드아웃 추정은 무작위 80%로
학습하고 나머지 20%로 측정합니다 (data.split(pool, {0.8, 0.2}, { seed = s })). k겹 교차 검증은
pool을 k개의 폴드로 나누어 그중 k − 1개로 학습하고 남은 하나로 측정하기를 k번 반복합니다. 그래서 모든
점이 정확히 한 번씩 검증에 쓰이고 (data.kfold(pool, 5, { seed = s })), 추정값은 모든 점에 대한
평균 제곱 오차입니다. 차수 3에 대해 seed 1..20으로 두 추정값을 holdout[s]와 cv[s]에 구하고,
얼마나 흩어지는지 비교하세요.]],
      },
      code = [[
function cv_error(ds, d, k, seed)
  local total = 0
  for train, val in data.kfold(ds, k, { seed = seed }) do
    total = total + mse(polyfit(train, d), val) * #val
  end
  return total / #ds
end
holdout, cv = {}, {}
for s = 1, 20 do
  local train, val = data.split(pool, { 0.8, 0.2 }, { seed = s })
  holdout[s] = mse(polyfit(train, 3), val)
  cv[s] = cv_error(pool, 3, 5, s)
end
local function spread(t)
  local lo, hi = math.huge, -math.huge
  for _, v in ipairs(t) do lo, hi = math.min(lo, v), math.max(hi, v) end
  return lo, hi
end
print(("hold-out: %.3f .. %.3f"):format(spread(holdout)))
print(("5-fold:   %.3f .. %.3f"):format(spread(cv)))
print(("the truth (test set): %.3f"):format(mse(polyfit(pool, 3), test_set)))
plot.lines({ ["hold-out"] = holdout, ["5-fold"] = cv }, { xlabel = "seed", ylabel = "estimated MSE, degree 3" })]],
      wrong = [[
function cv_error(ds, d, k, seed)
  local total = 0
  for train, val in data.kfold(ds, k, { seed = seed }) do
    total = total + mse(polyfit(train, d), train) * #val
  end
  return total / #ds
end
holdout, cv = {}, {}
for s = 1, 20 do
  local train, val = data.split(pool, { 0.8, 0.2 }, { seed = s })
  holdout[s] = mse(polyfit(train, 3), val)
  cv[s] = cv_error(pool, 3, 5, s)
end]],
      check = function(env)
        local data = dt()
        if not have_setup(env) or env.pool == nil then return false, need_setup end
        local h, c = list_from(env.holdout, 1, 20), list_from(env.cv, 1, 20)
        if not h or not c then
          return false, msg("fill holdout[s] and cv[s] for s = 1..20 (numbers)", "s = 1..20에 대해 holdout[s]와 cv[s]를 채우세요 (숫자)")
        end
        local S = sets()
        for s = 1, 20 do
          local tr, va = data.split(S.pool, { 0.8, 0.2 }, { seed = s })
          local wh = ref_mse(ref_polyfit(tr, 3), va)
          if not close(h[s], wh, 1e-3) then
            return false, msg(("holdout[%d] should be %.4f: fit degree 3 on the 80%% of data.split(pool, {0.8, 0.2}, { seed = %d }), measure on the 20%%"):format(s, wh, s),
                              ("holdout[%d] 값은 %.4f여야 합니다: data.split(pool, {0.8, 0.2}, { seed = %d })의 80%%로 3차를 맞추고 20%%에서 측정하세요"):format(s, wh, s))
          end
          local total = 0
          for tr2, va2 in data.kfold(S.pool, 5, { seed = s }) do total = total + ref_mse(ref_polyfit(tr2, 3), va2) * #va2 end
          local wc = total / 60
          if not close(c[s], wc, 1e-3) then
            return false, msg(("cv[%d] should be %.4f, not %.4f: in each fold fit on train, measure on the held-out fold, and average over all 60 points"):format(s, wc, c[s]),
                              ("cv[%d] 값은 %.4f여야 합니다 (지금 %.4f): 폴드마다 train으로 맞추고, 떼어 둔 폴드에서 측정해서, 60개 점 전체로 평균하세요"):format(s, wc, c[s]))
          end
        end
        local sh, sc = sd_of(h), sd_of(c)
        if not (sc < sh / 3) then
          return false, msg(("the 5-fold estimates (sd %.4f) should scatter far less than the hold-out ones (sd %.4f)"):format(sc, sh),
                            ("5겹 추정값(표준편차 %.4f)은 홀드아웃 추정값(표준편차 %.4f)보다 훨씬 덜 흩어져야 합니다"):format(sc, sh))
        end
        return true
      end,
      hints = { { en = "A fold's error counts as many times as it has points: add mse(...) * #val, then divide by #ds.",
                  ko = "각 폴드의 오차는 그 폴드의 점 수만큼 셈에 들어갑니다: mse(...) * #val을 더하고 #ds로 나누세요." } },
    },
    -- 6 -------------------------------------------------------------------------------------
    {
      text = {
        en = [[
Why does the validation error go down and then up? Imagine we could draw the training set
again and again: the same 20 x positions (evenly spaced), fresh noise each time. At each x
the fitted curves scatter around their average. BIAS² is how far that average is from
sin x; VARIANCE is how much the curves scatter around it. Draw 200 training sets
(manual_seed(s) for s = 1..200), fit degrees 1, 3, 5 and 9, and average bias² and
variance over the 20 positions. The expected error on a FRESH target at those positions
is bias² + variance + σ²: the noise σ² = 0.3² = 0.09 no model can remove. Check that the
three add up: with each training set draw fresh targets at the same x (new noise) and
average the fit's squared error on them in test_err[d]. Least squares also has a law for
the variance here, σ²·(d + 1)/n: the noise variance times the number of coefficients
over the number of points.]],
        ko = [[
검증 오차는 왜 내려갔다가 다시 올라갈까요? 학습 세트를 몇 번이고 새로 뽑을 수 있다고
상상해 봅시다. x 위치 20개는 그대로 두고 (고르게 배치), 노이즈만 매번 새로 뽑습니다. 각
x에서 맞춘 곡선들은 그 평균 주위로 흩어집니다. 편향²(bias²)은 그 평균이 sin x에서 얼마나
떨어져 있는지, 분산은 곡선들이 평균 주위로 얼마나 흩어지는지입니다. 학습 세트 200개를 뽑아
(s = 1..200마다 manual_seed(s)) 차수 1, 3, 5, 9로 맞추고, 위치 20개에 대해 편향²과 분산을
평균하세요. 그 위치에서 '새' 목표값에 대한 기대 오차는 편향² + 분산 + σ²입니다. σ² = 0.3² = 0.09는
어떤 모델도 없앨 수 없는 노이즈입니다. 셋이 더해지는지 확인하세요. 학습 세트마다 같은 x에서
새 목표값(새 노이즈)을 뽑고, 그 위에서 근사의 제곱 오차를 평균해 test_err[d]에 담으세요.
여기서 최소제곱의 분산에는 법칙도 있습니다. σ²·(d + 1)/n, 즉 노이즈 분산 × 계수 개수 / 점
개수입니다.]],
      },
      code = [[
xs_fixed = linspace(-math.pi, math.pi, 20):view(-1, 1)
bias2, variance, test_err = {}, {}, {}
for _, d in ipairs({ 1, 3, 5, 9 }) do
  local preds, err = {}, 0                  -- preds[s][i]: fit number s at position i
  for s = 1, 200 do
    manual_seed(s)
    local ys = xs_fixed:sin() + 0.3 * randn(20, 1)
    local fresh = (xs_fixed:sin() + 0.3 * randn(20, 1)):view(-1):tolist()  -- new noise
    local w = polyfit(data.dataset(xs_fixed, ys), d)
    preds[s] = {}
    for i, x in ipairs(xs_fixed:view(-1):tolist()) do
      preds[s][i] = predict(w, x)
      err = err + (preds[s][i] - fresh[i]) ^ 2
    end
  end
  local b2, v = 0, 0
  for i, x in ipairs(xs_fixed:view(-1):tolist()) do
    local m = 0
    for s = 1, 200 do m = m + preds[s][i] end
    m = m / 200
    local spread = 0
    for s = 1, 200 do spread = spread + (preds[s][i] - m) ^ 2 end
    b2, v = b2 + (m - math.sin(x)) ^ 2, v + spread / 200
  end
  bias2[d], variance[d], test_err[d] = b2 / 20, v / 20, err / (200 * 20)
  print(("degree %d: bias² %.4f + variance %.4f + noise 0.09 = %.4f, test error %.4f"):format(
    d, bias2[d], variance[d], bias2[d] + variance[d] + 0.09, test_err[d]))
end]],
      solution = [[
xs_fixed = linspace(-math.pi, math.pi, 20):view(-1, 1)
bias2, variance, test_err = {}, {}, {}
for _, d in ipairs({ 1, 3, 5, 9 }) do
  local preds, err = {}, 0
  for s = 1, 200 do
    manual_seed(s)
    local ys = xs_fixed:sin() + 0.3 * randn(20, 1)
    local fresh = (xs_fixed:sin() + 0.3 * randn(20, 1)):view(-1):tolist()
    local w = polyfit(data.dataset(xs_fixed, ys), d)
    preds[s] = {}
    for i, x in ipairs(xs_fixed:view(-1):tolist()) do
      preds[s][i] = predict(w, x)
      err = err + (preds[s][i] - fresh[i]) ^ 2
    end
  end
  local b2, v = 0, 0
  for i, x in ipairs(xs_fixed:view(-1):tolist()) do
    local m = 0
    for s = 1, 200 do m = m + preds[s][i] end
    m = m / 200
    local spread = 0
    for s = 1, 200 do spread = spread + (preds[s][i] - m) ^ 2 end
    b2, v = b2 + (m - math.sin(x)) ^ 2, v + spread / 200
  end
  bias2[d], variance[d], test_err[d] = b2 / 20, v / 20, err / (200 * 20)
end]],
      wrong = [[
xs_fixed = linspace(-math.pi, math.pi, 20):view(-1, 1)
bias2, variance = {}, {}
for _, d in ipairs({ 1, 3, 5, 9 }) do
  local preds = {}
  for s = 1, 200 do
    manual_seed(s)
    local ys = xs_fixed:sin() + 0.3 * randn(20, 1)
    local w = polyfit(data.dataset(xs_fixed, ys), d)
    preds[s] = {}
    for i, x in ipairs(xs_fixed:view(-1):tolist()) do preds[s][i] = predict(w, x) end
  end
  local b2, v = 0, 0
  for i, x in ipairs(xs_fixed:view(-1):tolist()) do
    local m = 0
    for s = 1, 200 do m = m + preds[s][i] end
    m = m / 200
    local spread = 0
    for s = 1, 200 do spread = spread + (preds[s][i] - math.sin(x)) ^ 2 end
    b2, v = b2 + (m - math.sin(x)) ^ 2, v + spread / 200
  end
  bias2[d], variance[d] = b2 / 20, v / 20
end]],
      wrongs = {
        { code = [[
xs_fixed = linspace(-math.pi, math.pi, 20):view(-1, 1)
bias2, variance, test_err = {}, {}, {}
for _, d in ipairs({ 1, 3, 5, 9 }) do
  local preds, err = {}, 0
  for s = 1, 200 do
    manual_seed(s)
    local ys = xs_fixed:sin() + 0.3 * randn(20, 1)
    local fresh = ys:view(-1):tolist()
    local w = polyfit(data.dataset(xs_fixed, ys), d)
    preds[s] = {}
    for i, x in ipairs(xs_fixed:view(-1):tolist()) do
      preds[s][i] = predict(w, x)
      err = err + (preds[s][i] - fresh[i]) ^ 2
    end
  end
  local b2, v = 0, 0
  for i, x in ipairs(xs_fixed:view(-1):tolist()) do
    local m = 0
    for s = 1, 200 do m = m + preds[s][i] end
    m = m / 200
    local spread = 0
    for s = 1, 200 do spread = spread + (preds[s][i] - m) ^ 2 end
    b2, v = b2 + (m - math.sin(x)) ^ 2, v + spread / 200
  end
  bias2[d], variance[d], test_err[d] = b2 / 20, v / 20, err / (200 * 20)
end]],
          says = { en = "measured on the training targets", ko = "학습 목표값에서 측정했나요" } },
      },
      check = function(env)
        local n, data = nb(), dt()
        if not have_setup(env) then return false, need_setup end
        if type(env.bias2) ~= "table" or type(env.variance) ~= "table" then
          return false, msg("make the tables bias2 and variance, indexed by degree", "차수를 키로 하는 bias2와 variance 테이블을 만드세요")
        end
        local xs = n.linspace(-math.pi, math.pi, 20):reshape(-1):tolist()
        local ys_of, fresh_of = {}, {}
        n._C._with_rng_seed(1, function()
          for s = 1, 200 do
            n.manual_seed(s)
            local noise = n.randn(20, 1):reshape(-1):tolist()
            local noise2 = n.randn(20, 1):reshape(-1):tolist()
            local ys, fresh = {}, {}
            for i, x in ipairs(xs) do
              ys[i] = math.sin(x) + 0.3 * noise[i]
              fresh[i] = math.sin(x) + 0.3 * noise2[i]
            end
            ys_of[s], fresh_of[s] = ys, fresh
          end
        end)
        local want_err = {}
        for _, d in ipairs({ 1, 3, 5, 9 }) do
          local b, v = value(env.bias2[d]), value(env.variance[d])
          if not finite(b) or not finite(v) then
            return false, msg(("bias2[%d] and variance[%d] should be numbers"):format(d, d), ("bias2[%d], variance[%d] 값은 숫자여야 합니다"):format(d, d))
          end
          local preds = {}
          for s = 1, 200 do
            local w = ref_fit_xy(xs, ys_of[s], d)
            preds[s] = {}
            for i, x in ipairs(xs) do preds[s][i] = ref_predict(w, x) end
          end
          local err = 0
          for s = 1, 200 do
            for i = 1, #xs do err = err + (preds[s][i] - fresh_of[s][i]) ^ 2 end
          end
          want_err[d] = err / (200 * #xs)
          local b2, var = 0, 0
          for i, x in ipairs(xs) do
            local m = 0
            for s = 1, 200 do m = m + preds[s][i] end
            m = m / 200
            local sp = 0
            for s = 1, 200 do sp = sp + (preds[s][i] - m) ^ 2 end
            b2, var = b2 + (m - math.sin(x)) ^ 2, var + sp / 200
          end
          b2, var = b2 / 20, var / 20
          if not close(v, var, 2e-3, 1e-6) then
            return false, msg(("variance[%d] should be %.5f, not %.5f: the spread of the 200 fits around THEIR OWN average (not around sin x), averaged over the 20 positions"):format(d, var, v),
                              ("variance[%d] 값은 %.5f여야 합니다 (지금 %.5f): 200개 근사가 sin x가 아니라 '자기들의 평균' 주위로 흩어진 정도를 위치 20개에 대해 평균하세요"):format(d, var, v))
          end
          if not close(b, b2, 2e-3, 1e-6) then
            return false, msg(("bias2[%d] should be %.5f, not %.5f: (average fit − sin x)², averaged over the 20 positions"):format(d, b2, b),
                              ("bias2[%d] 값은 %.5f여야 합니다 (지금 %.5f): (근사들의 평균 − sin x)²을 위치 20개에 대해 평균하세요"):format(d, b2, b))
          end
        end
        local B, V = function(d) return value(env.bias2[d]) end, function(d) return value(env.variance[d]) end
        if type(env.test_err) ~= "table" then
          return false, msg("make the table test_err: for each degree, the fits' mean squared error on fresh targets",
                            "test_err 테이블을 만드세요: 차수마다 새 목표값에 대한 근사들의 평균 제곱 오차")
        end
        for _, d in ipairs({ 1, 3, 5, 9 }) do
          local got = value(env.test_err[d])
          local sum = B(d) + V(d) + 0.09
          if not finite(got) or not close(got, want_err[d], 2e-3, 1e-6) then
            local train_like = finite(got) and got < sum - 0.5 * V(d)
            return false, msg(("test_err[%d] should be %.4f, not %s%s"):format(d, want_err[d], tostring(got),
                                train_like and ": measured on the training targets? Draw fresh ones after ys, with new noise" or ": the mean of (fit − fresh target)² over the 200 fits and 20 positions"),
                              ("test_err[%d] 값은 %.4f여야 합니다 (지금 값: %s)%s"):format(d, want_err[d], tostring(got),
                                train_like and ". 학습 목표값에서 측정했나요? ys 다음에 새 노이즈로 새 목표값을 뽑으세요" or ". 근사 200개와 위치 20개에 대한 (근사 − 새 목표값)²의 평균입니다"))
          end
          if math.abs(got - sum) > 0.06 * got then
            return false, msg(("bias² + variance + noise = %.4f should add up to test_err[%d] = %.4f"):format(sum, d, got),
                              ("편향² + 분산 + 노이즈(%.4f)와 test_err[%d](%.4f)가 같아야 합니다"):format(sum, d, got))
          end
        end
        for _, d in ipairs({ 1, 3, 5, 9 }) do
          local law = 0.09 * (d + 1) / 20
          if not (math.abs(V(d) - law) < 0.25 * law) then
            return false, msg(("variance[%d] = %.4f should be close to σ²(d + 1)/n = %.4f"):format(d, V(d), law),
                              ("variance[%d] = %.4f, 하지만 σ²(d + 1)/n = %.4f에 가까워야 합니다"):format(d, V(d), law))
          end
        end
        if not (B(1) > 10 * B(3) and V(9) > 2 * V(3)) then
          return false, msg("bias² should collapse from degree 1 to 3, and the variance keep growing with the degree",
                            "편향²은 차수 1에서 3으로 가며 급격히 줄고, 분산은 차수와 함께 계속 커져야 합니다")
        end
        return true
      end,
      hints = { { en = "Two averages at each position i: first m = the mean of the 200 predictions; then bias² uses (m − sin x)² and the variance the mean of (prediction − m)².",
                  ko = "위치 i마다 평균이 두 번 나옵니다: 먼저 m은 예측 200개의 평균이고, 편향²은 (m − sin x)², 분산은 (예측 − m)²의 평균입니다." } },
    },
    -- 7 -------------------------------------------------------------------------------------
    {
      text = {
        en = [[
In real life we cannot draw new training sets: we have one. The BOOTSTRAP imitates it: draw
20 points from our 20 WITH replacement (some come twice, some not at all) and refit. The
scatter of the refitted curves estimates the scatter we would see with truly new data.
Refit degree 3 on 200 bootstrap samples of train_set (data.bootstrap(train_set,
{ seed = b }), b = 1..200) and compute boot_sd, the standard deviation of the prediction at
x = 0. Compare it with true_sd, the same thing over 200 truly fresh training sets: not
equal (the bootstrap only ever sees our 20 points), but the same size. The
second result of data.bootstrap is the out-of-bag examples, the ones never drawn; keep
oob_fraction, their average share over the 200 samples.]],
        ko = [[
현실에서는 학습 세트를 새로 뽑을 수 없습니다: 가진 건 하나뿐이죠. 부트스트랩은 그걸 흉내
냅니다: 점 20개에서 20개를 '복원 추출'하고 (어떤 점은 두 번, 어떤 점은 한 번도 안 뽑힘) 다시
맞춥니다. 다시 맞춘 곡선들이 흩어지는 정도가, 진짜 새 데이터였다면 보였을 흩어짐의 추정값입니다.
train_set의 부트스트랩 표본 200개(data.bootstrap(train_set, { seed = b }), b = 1..200)에
3차 다항식을 다시 맞추고, x = 0에서 예측의 표준편차 boot_sd를 구하세요. 그걸 진짜 새 학습 세트
200개로 구한 true_sd와 비교해 보세요: 똑같지는 않지만 (부트스트랩은 우리의 점 20개만 보니까요)
크기는 비슷합니다. data.bootstrap의 두 번째 결과는 한 번도 뽑히지 않은
out-of-bag 샘플들입니다. 200개 표본에서 그 비율의 평균을 oob_fraction에 두세요.]],
      },
      code = [[
local function sd(t)
  local m, s = 0, 0
  for _, v in ipairs(t) do m = m + v end
  m = m / #t
  for _, v in ipairs(t) do s = s + (v - m) ^ 2 end
  return math.sqrt(s / (#t - 1))
end
local boot, fresh, oob = {}, {}, 0
for b = 1, 200 do
  local sample, out_of_bag = data.bootstrap(train_set, { seed = b })
  boot[b] = predict(polyfit(sample, 3), 0)
  oob = oob + #out_of_bag / #train_set
end
for s = 1, 200 do
  manual_seed(1000 + s)
  fresh[s] = predict(polyfit(data.sin{ n = 20, noise = 0.3 }, 3), 0)
end
boot_sd, true_sd, oob_fraction = sd(boot), sd(fresh), oob / 200
print(boot_sd, true_sd, oob_fraction, (1 - 1 / 20) ^ 20)
plot.hist(boot, { bins = 20, title = "bootstrap predictions at x = 0" })]],
      wrong = [[
local function sd(t)
  local m, s = 0, 0
  for _, v in ipairs(t) do m = m + v end
  m = m / #t
  for _, v in ipairs(t) do s = s + (v - m) ^ 2 end
  return math.sqrt(s / (#t - 1))
end
local boot, fresh, oob = {}, {}, 0
for b = 1, 200 do
  local sample, out_of_bag = data.split(train_set, { 10, 10 }, { seed = b })
  boot[b] = predict(polyfit(sample, 3), 0)
  oob = oob + #out_of_bag / #train_set
end
for s = 1, 200 do
  manual_seed(1000 + s)
  fresh[s] = predict(polyfit(data.sin{ n = 20, noise = 0.3 }, 3), 0)
end
boot_sd, true_sd, oob_fraction = sd(boot), sd(fresh), oob / 200]],
      check = function(env)
        local data = dt()
        if not have_setup(env) then return false, need_setup end
        local bs, ts, of = value(env.boot_sd), value(env.true_sd), value(env.oob_fraction)
        if not finite(bs) or not finite(ts) or not finite(of) then
          return false, msg("compute boot_sd, true_sd and oob_fraction (numbers)", "boot_sd, true_sd, oob_fraction(숫자)을 구하세요")
        end
        local S = sets()
        local boot, oob = {}, 0
        for b = 1, 200 do
          local sample, out = data.bootstrap(S.train, { seed = b })
          boot[b] = ref_predict(ref_polyfit(sample, 3), 0)
          oob = oob + #out / 20
        end
        local want = sd_of(boot)
        if not close(bs, want, 1e-3) then
          return false, msg(("boot_sd should be %.4f, not %.4f: refit degree 3 on each data.bootstrap(train_set, { seed = b }) sample and take the sd of the predictions at x = 0"):format(want, bs),
                            ("boot_sd는 %.4f여야 합니다 (지금 %.4f): data.bootstrap(train_set, { seed = b }) 표본마다 3차를 다시 맞추고 x = 0에서 예측의 표준편차를 구하세요"):format(want, bs))
        end
        if not close(of, oob / 200, 1e-6) then
          return false, msg(("oob_fraction should be %.4f: the mean over the 200 samples of #out_of_bag / 20"):format(oob / 200),
                            ("oob_fraction은 %.4f여야 합니다: 표본 200개에 대한 #out_of_bag / 20의 평균"):format(oob / 200))
        end
        if not (ts > 0.05 and ts < 0.3 and bs > 0.6 * ts and bs < 1.6 * ts) then
          return false, msg(("true_sd (%.4f) should be the sd over 200 fresh data.sin{ n = 20, noise = 0.3 } sets, and close to boot_sd (%.4f)"):format(ts, bs),
                            ("true_sd(%.4f)는 새 data.sin{ n = 20, noise = 0.3 } 세트 200개에 대한 표준편차이고, boot_sd(%.4f)에 가까워야 합니다"):format(ts, bs))
        end
        return true
      end,
      hints = { { en = "Each point is missed by one draw with probability 1 − 1/20, by all 20 draws with (1 − 1/20)²⁰ ≈ 0.36 (→ 1/e for large n).",
                  ko = "한 점이 한 번의 추출에서 빠질 확률은 1 − 1/20, 20번 모두에서 빠질 확률은 (1 − 1/20)²⁰ ≈ 0.36입니다 (n이 크면 1/e)." } },
    },
    -- 8 -------------------------------------------------------------------------------------
    {
      text = {
        en = [[
BAGGING (bootstrap aggregating) turns that scatter into a cure: fit the same model on many
bootstrap samples and AVERAGE their predictions. Averaging cancels much of the variance,
and leaves the bias about where it was. It helps most with models whose fit jumps when the data
move a little, like deep regression trees. Finish fit_tree: best_cut (ready made) finds
where a cut of the x axis lowers the squared error most; you send each point to its side
and grow a tree of depth − 1 on each. Then compare on the test set one depth-6 tree on
train_set with the average of 50 depth-6 trees, each on data.bootstrap(train_set,
{ seed = b }).]],
        ko = [[
배깅(bootstrap aggregating)은 그 흩어짐을 치료법으로 바꿉니다: 같은 모델을 여러 부트스트랩
표본에 맞추고 예측을 '평균'합니다. 평균을 내면 분산이 크게 상쇄되고, 편향은 거의 그대로 남습니다.
데이터가 조금만 바뀌어도 결과가 확 달라지는 모델, 예를 들어 깊은 회귀 트리에 가장 효과가
큽니다. fit_tree를 완성하세요. best_cut(준비되어 있음)은 x축의 어디를 자르면 제곱 오차가 가장 많이
줄어드는지 찾아 줍니다. 여러분은 점마다 자기 쪽으로 보내고 양쪽에 깊이 depth − 1인 트리를 키우면
됩니다. 그다음 train_set에 맞춘 깊이 6인 트리 하나와, 각각 data.bootstrap(train_set, { seed = b })에
맞춘 깊이 6 트리 50개의 평균을 테스트 세트에서 비교하세요.]],
      },
      code = TREE .. [[

local xs, ys = points(train_set)
local single = fit_tree(xs, ys, 6)
local trees = {}
for b = 1, 50 do
  local bx, by = points(data.bootstrap(train_set, { seed = b }))
  trees[b] = fit_tree(bx, by, 6)
end
local function bagged(x)
  local s = 0
  for b = 1, 50 do s = s + trees[b](x) end
  return s / 50
end
local function test_mse(f)
  local tx, ty = points(test_set)
  local s = 0
  for i = 1, #tx do s = s + (f(tx[i]) - ty[i]) ^ 2 end
  return s / #tx
end
bag = { single = test_mse(single), bagged = test_mse(bagged) }
print(bag.single, bag.bagged)
local grid = linspace(-3.1, 3.1, 300):tolist()
local a, b = {}, {}
for i, x in ipairs(grid) do a[i], b[i] = single(x), bagged(x) end
plot.lines({ ["one tree"] = { grid, a }, ["50 bagged"] = { grid, b } })]],
      solution = TREE_SOLUTION .. [[

local xs, ys = points(train_set)
local single = fit_tree(xs, ys, 6)
local trees = {}
for b = 1, 50 do
  local bx, by = points(data.bootstrap(train_set, { seed = b }))
  trees[b] = fit_tree(bx, by, 6)
end
local function bagged(x)
  local s = 0
  for b = 1, 50 do s = s + trees[b](x) end
  return s / 50
end
local function test_mse(f)
  local tx, ty = points(test_set)
  local s = 0
  for i = 1, #tx do s = s + (f(tx[i]) - ty[i]) ^ 2 end
  return s / #tx
end
bag = { single = test_mse(single), bagged = test_mse(bagged) }]],
      wrong = TREE_SOLUTION .. [[

local xs, ys = points(train_set)
local single = fit_tree(xs, ys, 6)
local trees = {}
for b = 1, 50 do
  trees[b] = fit_tree(xs, ys, 6)
end
local function bagged(x)
  local s = 0
  for b = 1, 50 do s = s + trees[b](x) end
  return s / 50
end
local function test_mse(f)
  local tx, ty = points(test_set)
  local s = 0
  for i = 1, #tx do s = s + (f(tx[i]) - ty[i]) ^ 2 end
  return s / #tx
end
bag = { single = test_mse(single), bagged = test_mse(bagged) }]],
      wrongs = {
        { code = TREE_SOLUTION:gsub("fit_tree%(lx, ly, depth %- 1%), fit_tree%(rx, ry, depth %- 1%)", "fit_tree(lx, ly, depth), fit_tree(rx, ry, depth)") .. [[

bag = { single = 0.2, bagged = 0.1 }]],
          says = { en = "depth − 1", ko = "depth − 1" } },
      },
      check = function(env)
        local data = dt()
        if not have_setup(env) then return false, need_setup end
        -- the learner's tree first: on the training points, depth 1, 2 and 3, against the reference
        if type(env.fit_tree) ~= "function" then
          return false, msg("define fit_tree(xs, ys, depth)", "fit_tree(xs, ys, depth)를 정의하세요")
        end
        do
          local S0 = sets()
          local xs0, ys0 = ref_points(S0.train)
          for _, depth in ipairs({ 1, 2, 3 }) do
            local ok, t = pcall(env.fit_tree, xs0, ys0, depth)
            local want = ref_tree(xs0, ys0, depth)
            local bad = not ok or type(t) ~= "function"
            if not bad then
              for x = -3, 3, 0.25 do
                local okx, v = pcall(t, x)
                if not okx or type(v) ~= "number" or math.abs(v - want(x)) > 1e-9 then bad = true break end
              end
            end
            if bad then
              return false, msg(("fit_tree(xs, ys, %d) differs from a depth-%d tree: send x < cut to the left, grow a tree of depth − 1 on each side, and return function(x) that asks the tree of x's side"):format(depth, depth),
                                ("fit_tree(xs, ys, %d)가 깊이 %d 트리와 다릅니다. x < cut인 점은 왼쪽으로 보내고, 양쪽에 깊이 depth − 1인 트리를 키운 다음, x가 속한 쪽 트리에 묻는 function(x)를 돌려주세요"):format(depth, depth))
            end
          end
        end
        local bg = env.bag
        if type(bg) ~= "table" or not finite(value(bg.single)) or not finite(value(bg.bagged)) then
          return false, msg("make bag = { single = ..., bagged = ... }: test MSE of one tree and of the average of 50",
                            "bag = { single = ..., bagged = ... }를 만드세요: 트리 하나와 트리 50개 평균의 테스트 MSE")
        end
        local S = sets()
        local xs, ys = ref_points(S.train)
        local one = ref_tree(xs, ys, 6)
        local trees = {}
        for b = 1, 50 do
          local bx, by = ref_points(data.bootstrap(S.train, { seed = b }))
          trees[b] = ref_tree(bx, by, 6)
        end
        local ws = ref_mse_fn(one, S.test)
        local wb = ref_mse_fn(function(x)
          local s = 0
          for b = 1, 50 do s = s + trees[b](x) end
          return s / 50
        end, S.test)
        if not close(value(bg.single), ws, 1e-3) then
          return false, msg(("bag.single should be %.4f: the test MSE of one depth-6 tree fitted on train_set"):format(ws),
                            ("bag.single은 %.4f여야 합니다: train_set에 맞춘 깊이 6 트리 하나의 테스트 MSE"):format(ws))
        end
        if not close(value(bg.bagged), wb, 1e-3) then
          return false, msg(("bag.bagged = %.4f, but the average of 50 trees, tree b fitted on data.bootstrap(train_set, { seed = b }), has test MSE %.4f (trees fitted on the same data are all the same tree)"):format(value(bg.bagged), wb),
                            ("bag.bagged = %.4f인데, b번째 트리를 data.bootstrap(train_set, { seed = b })에 맞춘 트리 50개 평균의 테스트 MSE는 %.4f입니다 (같은 데이터에 맞춘 트리는 모두 같은 트리입니다)"):format(value(bg.bagged), wb))
        end
        if not (wb < 0.85 * ws) then
          return false, msg(("bagging should clearly lower the test error (%.4f → %.4f)"):format(ws, wb), ("배깅은 테스트 오차를 확실히 낮춰야 합니다 (%.4f → %.4f)"):format(ws, wb))
        end
        return true
      end,
      hints = {
        { en = "One loop over the points: if xs[i] < cut it goes to lx, ly, else to rx, ry.",
          ko = "점들에 대한 반복 하나: xs[i] < cut이면 lx, ly로, 아니면 rx, ry로 보냅니다." },
        { en = "local l, r = fit_tree(lx, ly, depth - 1), fit_tree(rx, ry, depth - 1): the recursion stops at depth 0.",
          ko = "local l, r = fit_tree(lx, ly, depth - 1), fit_tree(rx, ry, depth - 1). 재귀는 depth 0에서 멈춥니다." },
        { en = "return function(x) if x < cut then return l(x) end return r(x) end",
          ko = "return function(x) if x < cut then return l(x) end return r(x) end" },
      },
    },
    -- 9 -------------------------------------------------------------------------------------
    {
      text = {
        en = [[
BOOSTING goes the other way: it starts from a model that is too SIMPLE (high bias) and adds
small models one after another, each fitted to what the sum so far still gets wrong. Start
from the mean of y; in each round fit a stump (a depth-1 tree: one cut, two values) to the
residuals y − F(x), and add it with a small weight ν = 0.3. Run 200 rounds and record the
training and validation MSE after each round in boosted.train and boosted.val, then find
best_round, the round with the lowest validation MSE. Boosting lowers the bias round after
round, and, run too long, it overfits too.]],
        ko = [[
부스팅은 반대 방향으로 갑니다: 너무 '단순한' 모델(높은 편향)에서 시작해서, 지금까지의 합이 아직
틀리는 부분에 맞춘 작은 모델을 하나씩 더해 갑니다. y의 평균에서 시작해서, 매 라운드 잔차
y − F(x)에 스텀프(깊이 1인 트리: 자르는 곳 하나, 값 두 개)를 맞추고 작은 가중치 ν = 0.3을 곱해
더합니다. 200라운드를 돌리며 매 라운드 뒤의 학습 MSE와 검증 MSE를 boosted.train과 boosted.val에
기록하고, 검증 MSE가 가장 낮은 라운드 best_round를 찾으세요. 부스팅은 라운드마다 편향을 낮추고,
너무 오래 돌리면 역시 과적합합니다.]],
      },
      code = [[
local xs, ys = points(train_set)
local vx, vy = points(val_set)
local F, VF, mean = {}, {}, 0
for i = 1, #ys do mean = mean + ys[i] / #ys end
for i = 1, #xs do F[i] = mean end      -- the model's current predictions on each set
for i = 1, #vx do VF[i] = mean end
local nu = 0.3
boosted = { train = {}, val = {} }
for round = 1, 200 do
  local r = {}
  for i = 1, #xs do r[i] = ys[i] - F[i] end
  local stump = fit_tree(xs, r, 1)
  local tr, va = 0, 0
  for i = 1, #xs do F[i] = F[i] + nu * stump(xs[i]); tr = tr + (F[i] - ys[i]) ^ 2 end
  for i = 1, #vx do VF[i] = VF[i] + nu * stump(vx[i]); va = va + (VF[i] - vy[i]) ^ 2 end
  boosted.train[round], boosted.val[round] = tr / #xs, va / #vx
end
best_round = 1
for m = 2, 200 do if boosted.val[m] < boosted.val[best_round] then best_round = m end end
print("best round", best_round, boosted.val[best_round], "after 200:", boosted.train[200], boosted.val[200])
plot.lines({ train = boosted.train, validation = boosted.val }, { logy = true, xlabel = "round", ylabel = "MSE" })]],
      solution = [[
local xs, ys = points(train_set)
local vx, vy = points(val_set)
local F, VF, mean = {}, {}, 0
for i = 1, #ys do mean = mean + ys[i] / #ys end
for i = 1, #xs do F[i] = mean end
for i = 1, #vx do VF[i] = mean end
local nu = 0.3
boosted = { train = {}, val = {} }
for round = 1, 200 do
  local r = {}
  for i = 1, #xs do r[i] = ys[i] - F[i] end
  local stump = fit_tree(xs, r, 1)
  local tr, va = 0, 0
  for i = 1, #xs do F[i] = F[i] + nu * stump(xs[i]); tr = tr + (F[i] - ys[i]) ^ 2 end
  for i = 1, #vx do VF[i] = VF[i] + nu * stump(vx[i]); va = va + (VF[i] - vy[i]) ^ 2 end
  boosted.train[round], boosted.val[round] = tr / #xs, va / #vx
end
best_round = 1
for m = 2, 200 do if boosted.val[m] < boosted.val[best_round] then best_round = m end end]],
      wrong = [[
local xs, ys = points(train_set)
local vx, vy = points(val_set)
local F, VF, mean = {}, {}, 0
for i = 1, #ys do mean = mean + ys[i] / #ys end
for i = 1, #xs do F[i] = mean end
for i = 1, #vx do VF[i] = mean end
local nu = 0.3
boosted = { train = {}, val = {} }
for round = 1, 200 do
  local stump = fit_tree(xs, ys, 1)
  local tr, va = 0, 0
  for i = 1, #xs do F[i] = F[i] + nu * stump(xs[i]); tr = tr + (F[i] - ys[i]) ^ 2 end
  for i = 1, #vx do VF[i] = VF[i] + nu * stump(vx[i]); va = va + (VF[i] - vy[i]) ^ 2 end
  boosted.train[round], boosted.val[round] = tr / #xs, va / #vx
end
best_round = 1
for m = 2, 200 do if boosted.val[m] < boosted.val[best_round] then best_round = m end end]],
      check = function(env)
        if not have_setup(env) then return false, need_setup end
        local bo = env.boosted
        local tr = type(bo) == "table" and list_from(bo.train, 1, 200)
        local va = type(bo) == "table" and list_from(bo.val, 1, 200)
        if not tr or not va then
          return false, msg("fill boosted.train[m] and boosted.val[m] for the 200 rounds (numbers)",
                            "200라운드 각각의 boosted.train[m]과 boosted.val[m]을 채우세요 (숫자)")
        end
        local S = sets()
        local xs, ys = ref_points(S.train)
        local vx, vy = ref_points(S.val)
        local mean = 0
        for i = 1, #ys do mean = mean + ys[i] / #ys end
        local F, VF = {}, {}
        for i = 1, #xs do F[i] = mean end
        for i = 1, #vx do VF[i] = mean end
        local wt, wv = {}, {}
        for m = 1, 200 do
          local r = {}
          for i = 1, #xs do r[i] = ys[i] - F[i] end
          local stump = ref_tree(xs, r, 1)
          local a, b = 0, 0
          for i = 1, #xs do F[i] = F[i] + 0.3 * stump(xs[i]); a = a + (F[i] - ys[i]) ^ 2 end
          for i = 1, #vx do VF[i] = VF[i] + 0.3 * stump(vx[i]); b = b + (VF[i] - vy[i]) ^ 2 end
          wt[m], wv[m] = a / #xs, b / #vx
        end
        for _, m in ipairs({ 200, 50, 10, 2, 1 }) do
          if not close(tr[m], wt[m], 1e-3) or not close(va[m], wv[m], 1e-3) then
            return false, msg(("after round %d the training MSE should be %.4f and the validation MSE %.4f (you have %.4f, %.4f): fit each stump to the RESIDUALS y − F(x), add ν·stump"):format(m, wt[m], wv[m], tr[m], va[m]),
                              ("%d라운드 뒤 학습 MSE는 %.4f, 검증 MSE는 %.4f여야 합니다 (지금 %.4f, %.4f): 스텀프는 '잔차' y − F(x)에 맞추고 ν·stump를 더하세요"):format(m, wt[m], wv[m], tr[m], va[m]))
          end
        end
        local best = 1
        for m = 2, 200 do if va[m] < va[best] then best = m end end
        if env.best_round ~= best then
          return false, msg(("best_round = %s, but the validation MSE is lowest after round %d"):format(tostring(env.best_round), best),
                            ("best_round = %s인데, 검증 MSE가 가장 낮은 건 %d라운드 뒤입니다"):format(tostring(env.best_round), best))
        end
        if not (wt[200] < wt[1] / 20 and wv[200] > wv[best] * 1.05) then
          return false, msg("the training MSE should fall far below where it started, and the validation MSE rise again after best_round",
                            "학습 MSE는 처음보다 훨씬 낮아지고, 검증 MSE는 best_round 뒤로 다시 올라가야 합니다")
        end
        return true
      end,
      hints = { { en = "Keep the model's predictions F[i] on the training points and VF[i] on the validation points, and add ν·stump(x) to both each round.",
                  ko = "학습 점에서의 예측 F[i]와 검증 점에서의 예측 VF[i]를 들고 다니며, 매 라운드 둘 다에 ν·stump(x)를 더하세요." } },
    },
    -- 10 ------------------------------------------------------------------------------------
    {
      text = { en = "Two ways to combine small models.", ko = "작은 모델을 합치는 두 가지 방법." },
      quiz = {
        question = { en = "Bagging averaged 50 deep trees fitted on bootstrap samples; boosting added up 200 stumps, each fitted to the residuals. What does each mainly reduce?",
                     ko = "배깅은 부트스트랩 표본에 맞춘 깊은 트리 50개를 평균했고, 부스팅은 잔차에 맞춘 스텀프 200개를 더했습니다. 각각 주로 무엇을 줄일까요?" },
        choices = {
          { en = "Both mainly reduce the bias, since more models always make a more flexible fit",
            ko = "둘 다 주로 편향을 줄인다: 모델이 많을수록 언제나 더 유연하게 맞춘다" },
          { en = "Bagging mainly reduces the bias of deep trees; boosting mainly the variance of stumps",
            ko = "배깅은 주로 깊은 트리의 편향을, 부스팅은 주로 스텀프의 분산을 줄인다" },
          { en = "Bagging mainly reduces the variance of unstable trees; boosting mainly the bias of weak stumps",
            ko = "배깅은 주로 불안정한 트리의 분산을, 부스팅은 주로 약한 스텀프의 편향을 줄인다" },
          { en = "Both mainly reduce the noise in the labels, since averaging many models cancels that noise out",
            ko = "둘 다 주로 레이블의 노이즈를 줄인다: 많은 모델을 평균하면 레이블의 노이즈가 상쇄되어 사라진다" },
        },
        answer = 3,
        explain = { en = "Right: an average of noisy, low-bias trees keeps their bias and cancels their scatter. A sum of stumps, each correcting the last, builds a flexible model out of rigid parts, and overfits if it runs too long: a validation set tells when to stop.",
                    ko = "맞습니다: 편향이 낮고 노이즈가 많은 트리들의 평균은 편향은 그대로 두고 흩어짐을 상쇄합니다. 앞의 실수를 고쳐 가는 스텀프들의 합은 딱딱한 조각으로 유연한 모델을 만들고, 너무 오래 돌리면 과적합합니다. 언제 멈출지는 검증 세트가 알려 줍니다." },
        wrong = {
          [1] = { en = "Averaging 50 trees that each fit the data as well as one tree cannot make the average more flexible than a tree: what it removes is their scatter.",
                  ko = "각각 트리 하나만큼 데이터를 맞추는 트리 50개를 평균해도 트리 하나보다 유연해지지 않습니다. 평균이 없애는 건 흩어짐입니다." },
          [2] = { en = "The other way round: averaging cancels scatter (variance), and fitting residuals round after round removes systematic error (bias).",
                  ko = "반대입니다. 평균은 흩어짐(분산)을 상쇄하고, 라운드마다 잔차를 맞추는 것은 체계적인 오차(편향)를 없앱니다." },
          [4] = { en = "No model removes the noise in the labels: it is the part of the error that no fit can reduce.",
                  ko = "어떤 모델도 레이블의 노이즈는 없애지 못합니다. 그것은 어떤 근사로도 줄일 수 없는 오차입니다." },
        },
      },
    },
  },
}

-- Lesson 6: batch size — full batch, mini-batch and single-sample SGD: progress per epoch
-- and per update, noise, time (shown, never checked: a busy machine makes it noisy), and
-- sharp versus flat minima, measured by perturbing the weights, against a test set.
local function nb() return require "nabla" end

local C = require("nabla.lesson").checks
local value, finite = C.value, C.finite
local function list_of_numbers(v, n) return C.numbers(v, n, true) end

-- mean |c[t+1] − c[t]| over a whole curve
local function roughness_ref(c)
  local s = 0
  for t = 1, #c - 1 do s = s + math.abs(c[t + 1] - c[t]) end
  return s / math.max(1, #c - 1)
end

-- every parameter of a model as one flat list of numbers
local function flat_params(model)
  local out = {}
  for _, p in ipairs(model:parameters()) do
    for _, v in ipairs(p:detach():reshape(-1):tolist()) do out[#out + 1] = v end
  end
  return out
end

-- the loss of model on the learner's training set, with gradients off
local function loss_on(env, model)
  local n = nb()
  return n.no_grad(function() return n.cross_entropy(model(env.X), env.Y):item() end)
end

-- the mean loss increase over trials random perturbations of size eps (weights restored),
-- and the standard deviation of one trial's increase; drawn from a fixed seed so that the
-- learner's random numbers do not change
local function sharpness_ref(env, model, eps, trials, seed)
  local n = nb()
  return n._C._with_rng_seed(seed, function()
    local params = model:parameters()
    local saved = {}
    for i, p in ipairs(params) do saved[i] = p:detach():clone() end
    local base, sum, sq = loss_on(env, model), 0, 0
    for _ = 1, trials do
      n.no_grad(function() for i, p in ipairs(params) do p:copy_(saved[i] + eps * n.randn_like(p)) end end)
      local d = loss_on(env, model) - base
      sum, sq = sum + d, sq + d * d
    end
    n.no_grad(function() for i, p in ipairs(params) do p:copy_(saved[i]) end end)
    local mean = sum / trials
    return mean, math.sqrt(math.max(0, sq / trials - mean * mean))
  end)
end

-- is got a plausible mean of k trials, given the reference mean and one trial's spread?
-- (5 standard errors of a k-trial mean, and a little slack for rounding)
local function plausible(got, mean, sd, k)
  return finite(got) and math.abs(got - mean) <= 5 * sd / math.sqrt(k) + 1e-4 + 0.02 * math.abs(mean)
end

local need_runs = { en = "run the three trainings of step 3 first (runs[1], runs[16], runs[256])",
                    ko = "먼저 3단계의 세 학습을 돌리세요 (runs[1], runs[16], runs[256])" }

local function have_runs(env)
  local r = env.runs
  if type(r) ~= "table" then return false end
  for _, b in ipairs({ 1, 16, 256 }) do
    if type(r[b]) ~= "table" or not list_of_numbers(r[b].steps, 2) or not list_of_numbers(r[b].epochs, 2) then return false end
  end
  return true
end

return {
  id = "batch-size",
  order = 6,
  title = { en = "Batch size", ko = "배치 크기" },
  steps = {
    {
      text = {
        en = [[
Each step of gradient descent needs a gradient. The exact one averages over all N training
examples (full batch); stochastic gradient descent estimates it from a few (a mini-batch
of B), or from a single example (B = 1). Cheaper steps, noisier directions.
Set up the experiment: 256 points of the two moons, a small MLP, and make_model() that
always returns the SAME initial weights (manual_seed right before building it), so that
every run starts from the same place. full_loss(model) is the loss on all 256 points.]],
        ko = [[
경사 하강법은 매 단계 기울기가 필요합니다. 정확한 기울기는 학습 샘플 N개 전부의 평균입니다
(전체 배치). 확률적 경사 하강법(SGD)은 몇 개(크기 B의 미니배치)나 샘플 하나(B = 1)로 그것을
추정합니다. 단계는 싸지고, 방향은 노이즈가 많아집니다.
실험을 준비합시다: 두 반달(moons) 데이터의 점 256개, 작은 MLP, 그리고 언제나 '같은' 초기
가중치를 돌려주는 make_model() (만들기 직전에 manual_seed). 그래야 모든 실행이 같은 곳에서
출발합니다. full_loss(model)은 점 256개 전체에 대한 손실입니다.]],
      },
      code = [[
manual_seed(0)
train_set = data.moons{ n = 256, noise = 0.2 }
X, Y = train_set.x, train_set.y
loss_fn = nn.CrossEntropyLoss()
function make_model()
  manual_seed(1)
  return nn.Sequential{ nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2) }
end
function full_loss(model)
  return no_grad(function() return loss_fn(model(X), Y):item() end)
end
print(full_loss(make_model()))]],
      wrong = [[
manual_seed(0)
train_set = data.moons{ n = 256, noise = 0.2 }
X, Y = train_set.x, train_set.y
loss_fn = nn.CrossEntropyLoss()
function make_model()
  return nn.Sequential{ nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2) }
end
function full_loss(model)
  return no_grad(function() return loss_fn(model(X), Y):item() end)
end]],
      check = function(env)
        local n = nb()
        if not (n.is_tensor(env.X) and n.is_tensor(env.Y) and #env.X == 256) then
          return false, { en = "make X, Y: the 256 points of train_set and their classes", ko = "X, Y를 만드세요: train_set의 점 256개와 클래스" }
        end
        if type(env.make_model) ~= "function" or type(env.full_loss) ~= "function" then
          return false, { en = "define make_model() and full_loss(model)", ko = "make_model()과 full_loss(model)을 정의하세요" }
        end
        local ok1, a = pcall(env.make_model)
        local ok2, b = pcall(env.make_model)
        if not ok1 or not ok2 then return false, { en = "make_model failed: " .. tostring(ok1 and b or a), ko = "make_model 실행 오류: " .. tostring(ok1 and b or a) } end
        local pa, pb = flat_params(a), flat_params(b)
        for i = 1, #pa do
          if pa[i] ~= pb[i] then
            return false, { en = "two calls of make_model() give different weights: call manual_seed(1) inside it, right before building the network",
                            ko = "make_model()을 두 번 호출하면 가중치가 다릅니다: 그 안에서 신경망을 만들기 직전에 manual_seed(1)을 호출하세요" }
          end
        end
        local ok, l = pcall(env.full_loss, a)
        if not ok or not finite(value(l)) or math.abs(value(l) - loss_on(env, a)) > 1e-5 then
          return false, { en = "full_loss(model) should be the cross-entropy of the model on all of X, Y (a number)",
                          ko = "full_loss(model)은 X, Y 전체에 대한 모델의 교차 엔트로피(숫자)여야 합니다" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Write train(batch, epochs, lr): a fresh make_model(), plain SGD, and a data.loader over
train_set with that batch size (shuffled, seed 0). Record the loss of every step in
hist.steps, the full loss after every epoch in hist.epochs, and the seconds per epoch in
hist.time (clock() reads a clock in seconds). Return the model and hist.]],
        ko = [[
train(batch, epochs, lr)를 만드세요: 새 make_model(), 일반 SGD, 그 배치 크기로 train_set을
도는 data.loader (섞기, seed 0). 매 단계의 손실은 hist.steps에, 매 에폭 뒤의 전체 손실은
hist.epochs에, 에폭당 걸린 초는 hist.time에 기록하세요 (clock()은 초 단위 시계입니다).
모델과 hist를 돌려줍니다.]],
      },
      code = [[
function train(batch, epochs, lr)
  local model = make_model()
  local opt = optim.SGD(model:parameters(), { lr = lr })
  local loader = data.loader(train_set, { batch = batch, shuffle = true, seed = 0 })
  local hist = { steps = {}, epochs = {} }
  local t0 = clock()
  for epoch = 1, epochs do
    for x, y in loader do
      opt:zero_grad()
      local loss = loss_fn(model(x), y)
      loss:backward()
      opt:step()
      hist.steps[#hist.steps + 1] = loss:item()
    end
    hist.epochs[epoch] = full_loss(model)
  end
  hist.time = (clock() - t0) / epochs
  return model, hist
end]],
      wrong = [[
function train(batch, epochs, lr)
  local model = make_model()
  local opt = optim.SGD(model:parameters(), { lr = lr })
  local loader = data.loader(train_set, { batch = batch, shuffle = true, seed = 0 })
  local hist = { steps = {}, epochs = {} }
  local t0 = clock()
  for epoch = 1, epochs do
    local last
    for x, y in loader do
      opt:zero_grad()
      local loss = loss_fn(model(x), y)
      loss:backward()
      opt:step()
      last = loss:item()
      hist.steps[#hist.steps + 1] = last
    end
    hist.epochs[epoch] = last
  end
  hist.time = (clock() - t0) / epochs
  return model, hist
end]],
      check = function(env)
        if type(env.train) ~= "function" then
          return false, { en = "define train(batch, epochs, lr)", ko = "train(batch, epochs, lr)를 정의하세요" }
        end
        local ok, model, hist = pcall(env.train, 64, 2, 0.1)
        if not ok then return false, { en = "train failed: " .. tostring(model), ko = "train 실행 오류: " .. tostring(model) } end
        if type(hist) ~= "table" or not list_of_numbers(hist.steps, 1) or not list_of_numbers(hist.epochs, 1) then
          return false, { en = "train should return the model and hist = { steps = {...}, epochs = {...}, time = ... }",
                          ko = "train은 모델과 hist = { steps = {...}, epochs = {...}, time = ... }를 돌려줘야 합니다" }
        end
        if #hist.steps ~= 8 or #hist.epochs ~= 2 then
          return false, { en = ("train(64, 2, 0.1) on 256 points makes 4 steps per epoch: hist.steps should have 8 entries (has %d), hist.epochs 2 (has %d)"):format(#hist.steps, #hist.epochs),
                          ko = ("점 256개에 train(64, 2, 0.1)이면 에폭당 4단계입니다: hist.steps는 8개(지금 %d개), hist.epochs는 2개(지금 %d개)여야 합니다"):format(#hist.steps, #hist.epochs) }
        end
        local want = loss_on(env, model)
        if math.abs(hist.epochs[2] - want) > 1e-4 then
          return false, { en = ("hist.epochs[2] = %.4f, but the loss on all 256 points after epoch 2 is %.4f: record full_loss(model), not the last batch's loss"):format(hist.epochs[2], want),
                          ko = ("hist.epochs[2] = %.4f인데, 2 에폭 뒤 점 256개 전체의 손실은 %.4f입니다: 마지막 배치의 손실이 아니라 full_loss(model)을 기록하세요"):format(hist.epochs[2], want) }
        end
        if not (finite(hist.time) and hist.time > 0) then
          return false, { en = "hist.time should be the seconds per epoch (> 0)", ko = "hist.time은 에폭당 초(> 0)여야 합니다" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Three runs, 10 epochs each, the same learning rate 0.1: full batch (B = 256: one step per
epoch), mini-batch (B = 16: 16 steps per epoch) and single-sample SGD (B = 1: 256 steps
per epoch). Compare the full loss after each epoch. Per epoch — per pass over the data —
the small batches go much further: they take many more steps.]],
        ko = [[
같은 학습률 0.1로 10 에폭씩 세 번 돌립니다: 전체 배치 (B = 256: 에폭당 1단계), 미니배치
(B = 16: 에폭당 16단계), 단일 샘플 SGD (B = 1: 에폭당 256단계). 매 에폭 뒤의 전체 손실을
비교하세요. 에폭당 — 데이터를 한 번 훑을 때마다 — 작은 배치가 훨씬 멀리 갑니다: 단계를 훨씬
많이 밟으니까요.]],
      },
      code = [[
runs = {}
for _, b in ipairs({ 1, 16, 256 }) do
  local _, hist = train(b, 10, 0.1)
  runs[b] = hist
end
plot.lines({ ["B=1"] = runs[1].epochs, ["B=16"] = runs[16].epochs, ["B=256"] = runs[256].epochs },
           { xlabel = "epoch", ylabel = "full loss" })]],
      wrong = [[
runs = {}
for _, b in ipairs({ 1, 16, 256 }) do
  local _, hist = train(256, 10, 0.1)
  runs[b] = hist
end]],
      check = function(env)
        if not have_runs(env) then return false, need_runs end
        local r = env.runs
        for _, b in ipairs({ 1, 16, 256 }) do
          if #r[b].epochs ~= 10 or #r[b].steps ~= 10 * math.ceil(256 / b) then
            return false, { en = ("runs[%d] should come from train(%d, 10, 0.1): 10 epochs of %d steps (it has %d steps)"):format(b, b, math.ceil(256 / b), #r[b].steps),
                            ko = ("runs[%d] 값은 train(%d, 10, 0.1)에서 나와야 합니다: %d단계짜리 에폭 10번 (지금 %d단계)"):format(b, b, math.ceil(256 / b), #r[b].steps) }
          end
        end
        local e = function(b) return r[b].epochs[10] end
        if not (e(1) < e(16) and e(16) < e(256)) then
          return false, { en = ("after 10 epochs the loss should be lowest for B = 1 and highest for B = 256 (%.3f, %.3f, %.3f)"):format(e(1), e(16), e(256)),
                          ko = ("10 에폭 뒤 손실은 B = 1이 가장 낮고 B = 256이 가장 높아야 합니다 (%.3f, %.3f, %.3f)"):format(e(1), e(16), e(256)) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
The price of small batches is noise: each step's loss is measured on different examples,
and each step follows a different estimate of the gradient. Measure how ragged each
curve of step losses is: roughness(c) = the mean of |c[t+1] − c[t]| over the curve.
The full-batch curve is smooth; B = 1 jumps around wildly.]],
        ko = [[
작은 배치의 대가는 노이즈입니다: 단계마다 다른 샘플로 손실을 측정하고, 단계마다 다른 기울기
추정값을 따라갑니다. 단계별 손실 곡선이 얼마나 들쭉날쭉한지 측정해 보세요:
roughness(c) = 곡선 전체에서 |c[t+1] − c[t]|의 평균. 전체 배치 곡선은 매끈하고, B = 1은
마구 널뜁니다.]],
      },
      code = [[
function roughness(c)
  local s = 0
  for t = 1, #c - 1 do s = s + math.abs(c[t + 1] - c[t]) end
  return s / (#c - 1)
end
noise = { [1] = roughness(runs[1].steps), [16] = roughness(runs[16].steps), [256] = roughness(runs[256].steps) }
print(noise[1], noise[16], noise[256])
plot.lines({ ["B=16"] = runs[16].steps, ["B=256"] = runs[256].steps }, { xlabel = "step", ylabel = "batch loss" })]],
      wrong = [[
function roughness(c)
  local s = 0
  for t = 1, #c - 1 do s = s + (c[t + 1] - c[t]) end
  return s / (#c - 1)
end
noise = { [1] = roughness(runs[1].steps), [16] = roughness(runs[16].steps), [256] = roughness(runs[256].steps) }]],
      check = function(env)
        if not have_runs(env) then return false, need_runs end
        if type(env.noise) ~= "table" then return false, { en = "make the table noise", ko = "noise 테이블을 만드세요" } end
        for _, b in ipairs({ 1, 16, 256 }) do
          local want, got = roughness_ref(env.runs[b].steps), value(env.noise[b])
          if not finite(got) or math.abs(got - want) > 1e-6 + 1e-4 * want then
            return false, { en = ("noise[%d] should be the mean |c[t+1] − c[t]| of runs[%d].steps: %.4f, not %s (take the absolute value of each change)"):format(b, b, want, tostring(got)),
                            ko = ("noise[%d] 값은 runs[%d].steps의 |c[t+1] − c[t]| 평균인 %.4f여야 합니다 (지금 %s. 변화마다 절댓값을 취하세요)"):format(b, b, want, tostring(got)) }
          end
        end
        local n = function(b) return value(env.noise[b]) end
        if not (n(1) > n(16) and n(16) > n(256)) then
          return false, { en = ("the smaller the batch, the noisier the curve: noise[1] > noise[16] > noise[256] (%.3f, %.3f, %.3f)"):format(n(1), n(16), n(256)),
                          ko = ("배치가 작을수록 곡선이 시끄럽습니다: noise[1] > noise[16] > noise[256] (%.3f, %.3f, %.3f)"):format(n(1), n(16), n(256)) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
An epoch is a fixed amount of data, not a fixed number of updates: in 10 epochs B = 1 made
2560 updates, B = 16 made 160, the full batch only 10. So is the small batch better per
update, or only because it takes more of them? Give the full batch the same 160 updates
(train(256, 160, 0.1)) and compare its full loss with B = 16's after its 160 updates.
Then count the examples each read on the way: 160 updates of 16 against 160 of 256.
In the end we pay in time. One update on 256 examples costs far less than 256 updates on
one: a matrix product handles the whole batch at once, and every update has a fixed cost
(building the graph, backward, the step). The code prints the times; they depend on the
machine and on what else runs on it, so look at them, but nothing checks them.]],
        ko = [[
에폭은 정해진 양의 데이터이지, 정해진 횟수의 갱신이 아닙니다: 10 에폭 동안 B = 1은 2560번,
B = 16은 160번, 전체 배치는 고작 10번 갱신했습니다. 그럼 작은 배치가 갱신 한 번 한 번이 더
좋은 걸까요, 아니면 갱신을 더 많이 해서일 뿐일까요? 전체 배치에도 똑같이 160번의 갱신을
주고 (train(256, 160, 0.1)) 그 전체 손실을 160번 갱신한 B = 16의 손실과 비교해 보세요.
그다음 거기까지 가는 데 읽은 샘플 수를 세어 보세요: 16개씩 160번 대 256개씩 160번.
결국 우리가 치르는 건 시간입니다. 샘플 256개로 한 번 갱신하는 비용은 샘플 하나로 256번
갱신하는 비용보다 훨씬 작습니다: 행렬 곱이 배치 전체를 한 번에 처리하고, 갱신마다 고정
비용(그래프 만들기, 역전파, 갱신)이 들기 때문입니다. 코드가 시간을 출력하지만, 시간은
컴퓨터와 그때 돌고 있는 다른 작업에 따라 달라지므로 눈으로 보기만 하고 검사하지는 않습니다.]],
      },
      code = [[
_, full160 = train(256, 160, 0.1)
same_updates = { mini = runs[16].epochs[10], full = full160.epochs[160] }
examples = { mini = 160 * 16, full = 160 * 256 }
print(("after 160 updates: B = 16 %.4f (read %d examples), B = 256 %.4f (read %d)"):format(
  same_updates.mini, examples.mini, same_updates.full, examples.full))
for _, b in ipairs({ 1, 16, 256 }) do
  local updates = math.ceil(256 / b)
  print(("B = %3d: %3d updates per epoch, %7.2f ms per epoch, %.3f ms per update"):format(
    b, updates, 1000 * runs[b].time, 1000 * runs[b].time / updates))
end]],
      wrong = [[
same_updates = { mini = runs[16].epochs[10], full = runs[256].epochs[10] }
examples = { mini = 10 * 256, full = 10 * 256 }]],
      check = function(env)
        if not have_runs(env) then return false, need_runs end
        local su, ex = env.same_updates, env.examples
        if type(su) ~= "table" or not finite(value(su.mini)) or not finite(value(su.full)) then
          return false, { en = "make same_updates = { mini = ..., full = ... }: the full loss of each after 160 updates",
                          ko = "same_updates = { mini = ..., full = ... }를 만드세요: 160번 갱신한 뒤 각각의 전체 손실" }
        end
        if value(su.mini) ~= env.runs[16].epochs[10] then
          return false, { en = "same_updates.mini should be runs[16].epochs[10]: B = 16 after 10 epochs of 16 updates",
                          ko = "same_updates.mini는 runs[16].epochs[10]이어야 합니다: 16번씩 10 에폭 갱신한 B = 16" }
        end
        local ok, _, h = pcall(env.train, 256, 160, 0.1)
        if not ok or type(h) ~= "table" or not list_of_numbers(h.epochs, 160) then
          return false, { en = "train(256, 160, 0.1) should run (it did in step 2)", ko = "train(256, 160, 0.1)이 실행되어야 합니다 (2단계에서처럼)" }
        end
        local want = h.epochs[160]
        if math.abs(value(su.full) - want) > 1e-4 then
          return false, { en = ("same_updates.full = %.4f, but the full batch after 160 updates (train(256, 160, 0.1)) reaches %.4f: compare equal numbers of updates, not of epochs"):format(value(su.full), want),
                          ko = ("same_updates.full = %.4f인데, 160번 갱신한 전체 배치(train(256, 160, 0.1))의 손실은 %.4f입니다: 에폭 수가 아니라 갱신 횟수를 같게 맞추세요"):format(value(su.full), want) }
        end
        if type(ex) ~= "table" or value(ex.mini) ~= 160 * 16 or value(ex.full) ~= 160 * 256 then
          return false, { en = "examples = { mini = ..., full = ... }: 160 updates read 160 × (batch size) examples",
                          ko = "examples = { mini = ..., full = ... }: 160번 갱신하면 160 × (배치 크기)개의 샘플를 읽습니다" }
        end
        if not (math.abs(want - value(su.mini)) < 0.25 * value(su.mini)) then
          return false, { en = ("after 160 updates both runs should be close (B = 16: %.4f, B = 256: %.4f)"):format(value(su.mini), want),
                          ko = ("160번 갱신한 뒤 두 실행의 손실은 비슷해야 합니다 (B = 16: %.4f, B = 256: %.4f)"):format(value(su.mini), want) }
        end
        return true
      end,
      hints = { { en = "train returns the model and hist; hist.epochs[160] is the full loss after the 160th epoch, which for B = 256 is the 160th update.",
                  ko = "train은 모델과 hist를 돌려줍니다. hist.epochs[160]은 160번째 에폭 뒤의 전체 손실이고, B = 256에서는 그게 160번째 갱신입니다." } },
    },
    {
      text = {
        en = [[
Where a run ends matters too. A minimum is "sharp" if the loss climbs steeply around it,
"flat" if it stays low nearby. The argument goes that a flat minimum is more forgiving when
new data shifts the loss surface a little. First we need a way to measure it:
sharpness(model, eps, trials) adds eps·randn to every weight, records how much the full
loss rose, and averages over trials, and puts the weights back afterwards (keep a copy!).]],
        ko = [[
실행이 어디서 끝나는지도 중요합니다. 주변에서 손실이 가파르게 오르면 "날카로운" 최솟값, 근처에서
낮게 머물면 "평평한" 최솟값입니다. 새 데이터가 손실 곡면을 조금 옮겨 놓아도 평평한 최솟값은
덜 민감하다는 주장이 있습니다. 먼저 그걸 측정할 방법이 필요합니다: sharpness(model, eps, trials)는
모든 가중치에 eps·randn을 더하고, 전체 손실이 얼마나 올랐는지 기록해 trials번 평균합니다.
그리고 끝나면 가중치를 제자리로 돌려놓습니다 (복사본을 꼭 남기세요!).]],
      },
      code = [[
function sharpness(model, eps, trials)
  local params = model:parameters()
  local saved = {}
  for i, p in ipairs(params) do saved[i] = p:detach():clone() end
  local base, total = full_loss(model), 0
  for t = 1, trials do
    no_grad(function()
      for i, p in ipairs(params) do p:copy_(saved[i] + eps * randn_like(p)) end
    end)
    total = total + full_loss(model) - base
  end
  no_grad(function() for i, p in ipairs(params) do p:copy_(saved[i]) end end)
  return total / trials
end]],
      wrong = [[
function sharpness(model, eps, trials)
  local params = model:parameters()
  local base, total = full_loss(model), 0
  for t = 1, trials do
    no_grad(function()
      for i, p in ipairs(params) do p:add_(eps * randn_like(p)) end
    end)
    total = total + full_loss(model) - base
  end
  return total / trials
end]],
      check = function(env)
        local n = nb()
        if type(env.sharpness) ~= "function" or type(env.train) ~= "function" then
          return false, { en = "define sharpness(model, eps, trials)", ko = "sharpness(model, eps, trials)를 정의하세요" }
        end
        local model = env.train(16, 3, 0.1)
        local before = flat_params(model)
        local ok, s = pcall(env.sharpness, model, 0.05, 20)
        if not ok then return false, { en = "sharpness failed: " .. tostring(s), ko = "sharpness 실행 오류: " .. tostring(s) } end
        local after = flat_params(model)
        for i = 1, #before do
          if math.abs(before[i] - after[i]) > 1e-6 then
            return false, { en = "after sharpness(model, ...) the model's weights have changed: save a copy (p:detach():clone()) first and copy it back at the end",
                            ko = "sharpness(model, ...) 뒤에 모델 가중치가 바뀌었습니다: 먼저 복사본(p:detach():clone())을 남기고 끝에 되돌려 놓으세요" }
          end
        end
        local ok0, s0 = pcall(env.sharpness, model, 0, 3)
        if not ok0 or not finite(value(s0)) or math.abs(value(s0)) > 1e-5 then
          return false, { en = "sharpness(model, 0, ...) should be 0: no perturbation, no change of the loss",
                          ko = "sharpness(model, 0, ...)은 0이어야 합니다: 흔들지 않으면 손실도 변하지 않습니다" }
        end
        local want, sd = sharpness_ref(env, model, 0.05, 200, 5)
        if not plausible(value(s), want, sd, 20) then
          return false, { en = ("sharpness(model, 0.05, 20) = %s, but the mean loss increase under 0.05·randn perturbations is about %.4f (± %.4f for 20 trials)"):format(tostring(value(s)), want, 2 * sd / math.sqrt(20)),
                          ko = ("sharpness(model, 0.05, 20) = %s인데, 0.05·randn 흔들기에서 손실의 평균 증가는 약 %.4f입니다 (20회면 ± %.4f)"):format(tostring(value(s)), want, 2 * sd / math.sqrt(20)) }
        end
        return true
      end,
      hints = { { en = "p:copy_(t) overwrites p's values in place; inside no_grad it is not recorded in any graph.",
                  ko = "p:copy_(t)는 p의 값을 제자리에서 덮어씁니다. no_grad 안에서는 그래프에 기록되지 않습니다." } },
    },
    {
      text = {
        en = [[
Now compare where small and large batches end up. Train B = 4 for 16 epochs (1024 noisy
updates) and the full batch for 1024 epochs (1024 exact updates), both with lr 0.1, and
measure the sharpness of both with eps = 0.05 and 30 trials. The noise of small batches
keeps kicking the weights out of narrow valleys, so they tend to settle where the loss is
flat. The full-batch run reaches a lower training loss, and a sharper spot.
Then the question everyone asks: does the flatter model do better on NEW points? Draw a
test set of 1000 fresh moons and compute test_loss for both. Look before you believe.]],
        ko = [[
이제 작은 배치와 큰 배치가 어디에 도착하는지 비교합시다. B = 4로 16 에폭 (노이즈가 많은 1024번의
갱신), 전체 배치로 1024 에폭 (정확한 1024번의 갱신)을 둘 다 lr 0.1로 학습하고, 두 모델의
sharpness를 eps = 0.05, 30회로 측정하세요. 작은 배치의 노이즈는 가중치를 좁은 골짜기 밖으로
계속 걷어차서, 손실이 평평한 곳에 자리 잡게 하는 경향이 있습니다. 전체 배치 쪽은 학습 손실이
더 낮고, 더 날카로운 곳에 있습니다.
그리고 누구나 묻는 질문: 더 평평한 모델이 '새로운' 점에서도 더 잘할까요? 새 반달 점 1000개로
테스트 세트를 만들고 두 모델의 test_loss를 계산하세요. 믿기 전에 먼저 보세요.]],
      },
      code = [[
small_model, small_hist = train(4, 16, 0.1)
large_model, large_hist = train(256, 1024, 0.1)
sharp = { small = sharpness(small_model, 0.05, 30), large = sharpness(large_model, 0.05, 30) }
manual_seed(2)
test_set = data.moons{ n = 1000, noise = 0.2 }
function test_loss(model)
  return no_grad(function() return loss_fn(model(test_set.x), test_set.y):item() end)
end
test = { small = test_loss(small_model), large = test_loss(large_model) }
print("            B = 4    B = 256")
print(("train loss  %.4f   %.4f"):format(small_hist.epochs[16], large_hist.epochs[1024]))
print(("sharpness   %.4f   %.4f"):format(sharp.small, sharp.large))
print(("test loss   %.4f   %.4f"):format(test.small, test.large))]],
      wrong = [[
small_model, small_hist = train(4, 16, 0.1)
large_model, large_hist = train(256, 1024, 0.1)
sharp = { small = sharpness(small_model, 0.05, 30), large = sharpness(large_model, 0.05, 30) }
test = { small = full_loss(small_model), large = full_loss(large_model) }]],
      check = function(env)
        local n = nb()
        local sm, lm, sh = env.small_model, env.large_model, env.sharp
        if type(sm) ~= "table" or type(lm) ~= "table" or type(sh) ~= "table" then
          return false, { en = "train small_model (B = 4) and large_model (B = 256), and measure sharp = { small = ..., large = ... }",
                          ko = "small_model(B = 4)과 large_model(B = 256)을 학습하고 sharp = { small = ..., large = ... }를 측정하세요" }
        end
        local ws, sds = sharpness_ref(env, sm, 0.05, 200, 6)
        local wl, sdl = sharpness_ref(env, lm, 0.05, 200, 7)
        local s, l = value(sh.small), value(sh.large)
        if not plausible(s, ws, sds, 30) or not plausible(l, wl, sdl, 30) then
          return false, { en = ("sharp should hold sharpness(model, 0.05, 30) of each model: about %.4f (small) and %.4f (large), you have %s and %s"):format(ws, wl, tostring(s), tostring(l)),
                          ko = ("sharp에는 각 모델의 sharpness(model, 0.05, 30)가 있어야 합니다: 약 %.4f(small), %.4f(large)인데 %s, %s입니다"):format(ws, wl, tostring(s), tostring(l)) }
        end
        if not (wl > 2 * ws) then
          return false, { en = ("the full-batch model (%.4f) should sit in a clearly sharper spot than the B = 4 model (%.4f): 1024 updates each, lr 0.1"):format(wl, ws),
                          ko = ("전체 배치 모델(%.4f)은 B = 4 모델(%.4f)보다 확실히 날카로운 곳에 있어야 합니다: 각각 1024번 갱신, lr 0.1"):format(wl, ws) }
        end
        local t = env.test
        if type(t) ~= "table" or not finite(value(t.small)) or not finite(value(t.large)) then
          return false, { en = "make test = { small = ..., large = ... }: each model's loss on the test set",
                          ko = "test = { small = ..., large = ... }를 만드세요: 테스트 세트에서 각 모델의 손실" }
        end
        local fresh = n._C._with_rng_seed(2, function() return require("nabla.data").moons{ n = 1000, noise = 0.2 } end)
        local function on_test(m) return n.no_grad(function() return n.cross_entropy(m(fresh.x), fresh.y):item() end) end
        local ts, tl = on_test(sm), on_test(lm)
        if math.abs(value(t.small) - ts) > 1e-4 or math.abs(value(t.large) - tl) > 1e-4 then
          return false, { en = ("test should be the loss on 1000 NEW moons (manual_seed(2), then data.moons{ n = 1000, noise = 0.2 }): %.4f and %.4f, not %.4f and %.4f; the training loss says nothing about new points"):format(ts, tl, value(t.small), value(t.large)),
                          ko = ("test는 '새' 반달 점 1000개(manual_seed(2) 뒤 data.moons{ n = 1000, noise = 0.2 })에서의 손실, %.4f, %.4f여야 합니다 (지금 %.4f, %.4f). 학습 손실은 새 점에 대해 아무것도 말해 주지 않습니다"):format(ts, tl, value(t.small), value(t.large)) }
        end
        if not (tl < ts) then
          return false, { en = ("with the settings above the full-batch model has the lower test loss; yours give %.4f (B = 4) and %.4f (B = 256): train B = 4 for 16 epochs and B = 256 for 1024"):format(ts, tl),
                          ko = ("위의 설정이면 전체 배치 모델의 테스트 손실이 더 낮습니다. 지금은 %.4f(B = 4), %.4f(B = 256)입니다: B = 4는 16 에폭, B = 256은 1024 에폭 학습하세요"):format(ts, tl) }
        end
        return true
      end,
      hints = { { en = "A test set must be drawn apart from the training set: a new seed, new points from the same moons.",
                  ko = "테스트 세트는 학습 세트와 따로 뽑아야 합니다: 새 seed로, 같은 반달에서 새 점들을." } },
    },
    {
      text = {
        en = [[
Read your table from the last step. The B = 4 model sits in the flatter spot, yet on this
small problem the sharper full-batch model has the lower test loss. The idea that small
batches find flat minima that generalize better comes from experiments on large networks
(Keskar et al., 2017), and it often shows there; but it is a tendency, not a law.
Multiply one layer of a ReLU network by α and divide the next by α: not a single prediction
changes, yet the minimum becomes as sharp (or as flat) as you like (Dinh et al., 2017).]],
        ko = [[
지난 단계의 표를 읽어 보세요. B = 4 모델이 더 평평한 곳에 있지만, 이 작은 문제에서는 오히려
더 날카로운 전체 배치 모델의 테스트 손실이 더 낮습니다. 작은 배치가 일반화가 잘 되는 평평한
최솟값을 찾는다는 생각은 큰 신경망 실험(Keskar 외, 2017)에서 나왔고, 거기서는 자주 보이는
현상입니다. 하지만 경향일 뿐 법칙은 아닙니다. ReLU 신경망의 한 층에 α를 곱하고 다음 층을
α로 나눠 보세요: 예측은 하나도 바뀌지 않는데, 최솟값은 얼마든지 날카롭게 (또는 평평하게)
만들 수 있습니다 (Dinh 외, 2017).]],
      },
      quiz = {
        question = { en = "What did your measurements show?", ko = "여러분의 측정은 무엇을 보여 주었나요?" },
        choices = {
          { en = "Small batches ended in a flatter spot, but here that did not lower the test loss",
            ko = "작은 배치는 더 평평한 곳에 도착했지만, 여기서는 테스트 손실이 낮아지지 않았다" },
          { en = "Batch size changed only how fast training went, not where it ended up",
            ko = "배치 크기는 학습이 얼마나 빨리 가는지만 바꿨고, 도착한 곳은 바꾸지 않았다" },
          { en = "The large batch ended in the flatter spot, because its gradient was less noisy",
            ko = "큰 배치는 기울기의 노이즈가 적어서 더 평평한 곳에 도착했다" },
          { en = "Flat minima always generalize better, so the B = 4 model had the lower test loss",
            ko = "평평한 최솟값은 늘 일반화가 더 잘 되므로, B = 4 모델의 테스트 손실이 더 낮았다" },
        },
        answer = 1,
        explain = { en = "Right: sharpness is a property you can measure, and so is the test loss. The link between them is a hypothesis to test, not a rule to assume.",
                    ko = "맞습니다: sharpness도 테스트 손실도 측정할 수 있는 값입니다. 둘 사이의 관계는 가정할 규칙이 아니라 확인해 볼 가설입니다." },
        wrong = {
          [2] = { en = "sharp.small and sharp.large differ several times over: the two runs ended in different places.",
                  ko = "sharp.small과 sharp.large는 몇 배나 차이 납니다. 두 실행은 서로 다른 곳에 도착했습니다." },
          [3] = { en = "Compare sharp.small and sharp.large: the noisier small-batch run is the one that ended flatter.",
                  ko = "sharp.small과 sharp.large를 비교해 보세요. 더 평평한 곳에 도착한 쪽은 노이즈가 많은 작은 배치입니다." },
          [4] = { en = "Look at test.small and test.large from the last step: the flatter model did not win here.",
                  ko = "지난 단계의 test.small과 test.large를 보세요. 여기서는 더 평평한 모델이 이기지 못했습니다." },
        },
      },
    },
    {
      text = { en = "Why is a mini-batch gradient noisy, and how noisy?", ko = "미니배치 기울기에는 왜, 얼마나 노이즈가 많을까요?" },
      quiz = {
        question = { en = "A mini-batch gradient averages B per-example gradients drawn at random. If B grows 4 times, its typical distance from the full-batch gradient (its standard deviation)...",
                     ko = "미니배치 기울기는 무작위로 뽑은 샘플 B개의 기울기 평균입니다. B가 4배가 되면, 전체 배치 기울기에서 벗어나는 전형적인 정도(표준편차)는..." },
        choices = {
          { en = "doubles: more examples bring more disagreement into the mean gradient",
            ko = "두 배가 된다: 샘플이 많을수록 평균에 섞이는 불일치도 많아진다" },
          { en = "shrinks 4 times: the standard deviation of a mean goes as 1/B",
            ko = "4배 줄어든다: 평균의 표준편차는 1/B에 비례한다" },
          { en = "halves: the standard deviation of a mean of B samples goes as 1/√B",
            ko = "절반이 된다: 샘플 B개 평균의 표준편차는 1/√B에 비례한다" },
          { en = "does not change: B only decides how many steps an epoch takes",
            ko = "변하지 않는다: B는 한 에폭이 몇 스텝인지만 정한다" },
        },
        answer = 3,
        explain = { en = "Right: the variance of a mean falls as 1/B, so the noise falls as 1/√B — 4 times the work per step buys half the noise.",
                    ko = "맞습니다: 평균의 분산은 1/B로 줄어서 노이즈는 1/√B로 줄어듭니다 — 단계당 4배의 일로 노이즈를 절반으로 줄이는 셈입니다." },
        wrong = {
          [1] = { en = "Disagreements cancel in a mean: the variance of the mean of B independent samples is σ²/B.",
                  ko = "불일치는 평균에서 서로 상쇄됩니다. 독립인 샘플 B개 평균의 분산은 σ²/B입니다." },
          [2] = { en = "1/B is the variance; the standard deviation is its square root.",
                  ko = "1/B에 비례하는 것은 분산입니다. 표준편차는 그 제곱근입니다." },
          [4] = { en = "Different examples pull in different directions; the more of them you average, the less that shows — that is the noise we measured.",
                  ko = "샘플마다 당기는 방향이 다르고, 많이 평균할수록 그 차이가 덜 드러납니다. 그게 바로 우리가 측정한 노이즈입니다." },
        },
      },
    },
  },
}

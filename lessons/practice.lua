-- Lesson: the practice of training — overfit one batch first, gradient checking with
-- central differences (and the bug it finds: a :item() that cuts the graph), reading
-- learning curves (the best epoch on validation), the learning-rate range test, step /
-- cosine schedules with warm-up (optim.lr_scheduler), random search over two
-- hyperparameters on a log scale, and the spread over seeds. Everything runs on the MNIST
-- subset (data.mnist{ small = true }) or a few random numbers, in seconds.
local C = require("nabla.lesson").checks
local value, finite, msg = C.value, C.finite, C.msg

local function nb() return require "nabla" end

-- the reference central difference of f (a function returning a number) w.r.t. every
-- element of p
local function ref_numgrad(f, p, eps)
  local nabla = nb()
  local g, flat = nabla.zeros(p:numel()), p:view(-1)
  nabla.no_grad(function()
    for i = 1, p:numel() do
      local old = flat[i]:item()
      flat[{ i }] = old + eps
      local fp = f()
      flat[{ i }] = old - eps
      local fm = f()
      flat[{ i }] = old
      g[{ i }] = (fp - fm) / (2 * eps)
    end
  end)
  return g:view_as(p)
end

local function rel_err(a, b)
  return (a - b):abs():max():item() / (a:abs():max():item() + b:abs():max():item())
end

local function argmin(list)
  local best = 1
  for i = 2, #list do if list[i] < list[best] then best = i end end
  return best
end

local function mean_std(xs)
  local n, s = #xs, 0
  for _, x in ipairs(xs) do s = s + x end
  local m, v = s / n, 0
  for _, x in ipairs(xs) do v = v + (x - m) ^ 2 end
  return m, math.sqrt(v / (n - 1)), math.sqrt(v / n)
end

-- the warm-up + cosine schedule: linear from base/warmup up to base over steps 1..warmup,
-- then half a cosine from base down to 0 at step total
local function ref_warmup_cosine(t, total, warmup, base)
  if t <= warmup then return base * t / warmup end
  return base * 0.5 * (1 + math.cos(math.pi * (t - warmup) / (total - warmup)))
end

local function numbers(v, n) return C.numbers(v, n, true) end

-- the MLP of steps 1, 4 and 7: 784 → hidden → 10
local MLP = [[
train = data.mnist{ split = "train", small = true }
loss_fn = nn.CrossEntropyLoss()
function mlp(hidden)
  return nn.Sequential{ nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(),
                        nn.Linear(hidden, 10) }
end
]]

-- step 4's training loop: per epoch, the loss on the training part and on validation
local CURVES = [[
part, val = data.split(train, { 300, 1700 }, { seed = 1 })
val = data.split(val, { 400, 1300 }, { seed = 2 })       -- 400 for validation
function train_curves(model, epochs, lr)
  local opt = optim.Adam(model:parameters(), { lr = lr })
  local tr, va = {}, {}
  for e = 1, epochs do
    for x, y in data.loader(part, { batch = 32, shuffle = true, seed = e }) do
      local loss = loss_fn(model(x), y)
      opt:zero_grad(); loss:backward(); opt:step()
    end
    tr[e], va[e] = evaluate(model, part).loss, evaluate(model, val).loss
  end
  return tr, va
end
manual_seed(0)
train_losses, val_losses = train_curves(mlp(256), 20, 3e-3)
plot.lines({ train = train_losses, validation = val_losses },
           { title = "loss per epoch" })
]]

-- step 5's range test: the rate grows by 1.2 per batch until the smoothed loss blows up
local RANGE_TEST = [[
manual_seed(0)
model = mlp(64)
opt = optim.SGD(model:parameters(), { lr = 1e-5, momentum = 0.9 })
loader = data.loader(train, { batch = 64, shuffle = true, seed = 1 })
lrs, range_losses = {}, {}
local batches, lr, smooth = loader:iter(), 1e-5, nil
while lr < 10 do
  local x, y = batches()
  if not x then batches = loader:iter(); x, y = batches() end
  opt.param_groups[1].lr = lr
  local loss = loss_fn(model(x), y)
  opt:zero_grad(); loss:backward(); opt:step()
  smooth = smooth and 0.8 * smooth + 0.2 * loss:item() or loss:item()
  lrs[#lrs + 1], range_losses[#range_losses + 1] = lr, smooth
  if smooth ~= smooth or smooth > 4 * range_losses[1] then break end
  lr = lr * 1.2
end
]]

-- step 6's schedulers, read before each sched:step() (the solution, and the part of the
-- wrong answers that is right)
local RATES = [[
function rates(make_scheduler)
  local opt = optim.SGD({ zeros(1):requires_grad() }, { lr = 0.1 })
  local sched, out = make_scheduler(opt), {}
  for epoch = 1, 10 do
    out[epoch] = opt.param_groups[1].lr
    opt:step(); sched:step()
  end
  return out
end
step_lrs = rates(function(o)
  return optim.lr_scheduler.StepLR(o, { step_size = 3, gamma = 0.5 }) end)
cos_lrs = rates(function(o)
  return optim.lr_scheduler.CosineAnnealingLR(o, { T_max = 10 }) end)
]]

-- steps 7 and 8: a short training run, scored by its accuracy on validation
local SHORT_RUN = [[
fit_part, fit_val = data.split(train, { 1000, 1000 }, { seed = 3 })
function short_run(lr, hidden, seed)
  manual_seed(seed)
  local model = mlp(hidden)
  local opt = optim.Adam(model:parameters(), { lr = lr })
  for epoch = 1, 2 do
    local batches = data.loader(fit_part, { batch = 64, shuffle = true,
                                            seed = seed + epoch })
    for x, y in batches do
      local loss = loss_fn(model(x), y)
      opt:zero_grad(); loss:backward(); opt:step()
    end
  end
  return evaluate(model, fit_val).accuracy
end
]]

return {
  id = "practice",
  order = 10.7,   -- after mnist and recurrent: the craft of training any of them
  title = { en = "The practice of training", ko = "학습의 실전 기술" },
  steps = {
    {
      text = {
        en = [[
Before training on everything, train on almost nothing. A network of 50,000
parameters must be able to memorize 32 digits: drive the loss of one fixed
batch to nearly 0. If it cannot, something is broken (the loss, the labels, a
missing step), and no amount of data will fix it. Write the three lines of the
loop that train mlp(64) on xb, yb for 200 steps, then measure batch_loss.]],
        ko = [[
전체로 학습하기 전에, 거의 아무것도 없이 학습해 보세요. 파라미터가 5만 개인
신경망이라면 숫자 32개는 외울 수 있어야 합니다: 고정된 배치 하나의 손실을 거의
0까지 낮추는 것이죠. 그러지 못한다면 무언가 고장 난 것이고(손실, 레이블, 빠진
단계), 데이터를 아무리 늘려도 고쳐지지 않습니다. mlp(64)를 xb, yb로 200 스텝
학습시키는 반복문의 세 줄을 작성한 뒤 batch_loss를 측정하세요.]],
      },
      code = MLP .. [[
first32 = {}
for i = 1, 32 do first32[i] = i end
xb, yb = train:batch(first32)        -- one fixed batch: the first 32 digits
manual_seed(0)
model = mlp(64)
opt = optim.Adam(model:parameters(), { lr = 1e-3 })
for step = 1, 200 do
  ???     -- forward on xb, loss against yb, zero_grad, backward, step
end
batch_loss = loss_fn(model(xb), yb):item()
print(batch_loss)]],
      solution = MLP .. [[
first32 = {}
for i = 1, 32 do first32[i] = i end
xb, yb = train:batch(first32)        -- one fixed batch: the first 32 digits
manual_seed(0)
model = mlp(64)
opt = optim.Adam(model:parameters(), { lr = 1e-3 })
for step = 1, 200 do
  local loss = loss_fn(model(xb), yb)
  opt:zero_grad(); loss:backward(); opt:step()
end
batch_loss = loss_fn(model(xb), yb):item()]],
      wrong = MLP .. [[
first32 = {}
for i = 1, 32 do first32[i] = i end
xb, yb = train:batch(first32)        -- one fixed batch: the first 32 digits
manual_seed(0)
model = mlp(64)
opt = optim.Adam(model:parameters(), { lr = 1e-3 })
local step = 0
for x, y in data.loader(train, { batch = 32, shuffle = true, seed = 1 }) do
  local loss = loss_fn(model(x), y)
  opt:zero_grad(); loss:backward(); opt:step()
  step = step + 1
  if step == 40 then break end
end
batch_loss = loss_fn(model(xb), yb):item()]],
      check = function(env)
        local nabla = nb()
        if not (nabla.is_tensor(env.xb) and env.xb.shape[1] == 32 and nabla.is_tensor(env.yb)) then
          return false, msg("make the batch xb, yb of the first 32 training digits", "학습 데이터의 처음 32개 숫자로 배치 xb, yb를 만드세요")
        end
        if not C.is_module(env.model) or type(env.loss_fn) == "nil" then
          return false, msg("train model = mlp(64)", "model = mlp(64)를 학습시키세요")
        end
        local now = nabla.no_grad(function() return env.loss_fn(env.model(env.xb), env.yb):item() end)
        if not finite(value(env.batch_loss)) or math.abs(value(env.batch_loss) - now) > 1e-4 then
          return false, msg(("batch_loss is %s, but the model's loss on xb, yb is %.4g"):format(tostring(env.batch_loss), now),
                            ("batch_loss가 %s인데, 모델의 xb, yb 손실은 %.4g입니다"):format(tostring(env.batch_loss), now))
        end
        if now > 0.05 then
          return false, msg(("the loss on xb is still %.3g: overfitting one batch means training on xb, yb at every step, 200 steps"):format(now),
                            ("xb의 손실이 아직 %.3g입니다: 배치 하나에 과적합한다는 것은 매 스텝 xb, yb로 200 스텝 학습한다는 뜻입니다"):format(now))
        end
        return true
      end,
      hints = {
        { en = "local loss = loss_fn(model(xb), yb), then opt:zero_grad(); loss:backward(); opt:step()",
          ko = "local loss = loss_fn(model(xb), yb)를 계산한 뒤 opt:zero_grad(), loss:backward(), opt:step()을 차례로 호출하세요" },
      },
    },
    {
      text = {
        en = [[
Gradient checking: is backward right? Compare it with the derivative's
definition. Nudge one parameter by ±ε and see how the loss changes:
    ∂f/∂pᵢ ≈ (f(p + ε·eᵢ) − f(p − ε·eᵢ)) / 2ε
The central difference is off by O(ε²), the one-sided (f(p + ε) − f(p))/ε by
O(ε). Write the missing line of numgrad(f, p, eps), where f() returns the loss
as a number.]],
        ko = [[
기울기 검사: backward가 맞을까요? 미분의 정의와 비교해 봅시다. 파라미터 하나를
±ε만큼 움직여 손실이 어떻게 변하는지 봅니다:
    ∂f/∂pᵢ ≈ (f(p + ε·eᵢ) − f(p − ε·eᵢ)) / 2ε
중앙 차분의 오차는 O(ε²), 한쪽 차분 (f(p + ε) − f(p))/ε의 오차는 O(ε)입니다.
numgrad(f, p, eps)의 빠진 한 줄을 작성하세요. f()는 손실을 숫자로 돌려줍니다.]],
      },
      code = [[
function numgrad(f, p, eps)
  local g, flat = zeros(p:numel()), p:view(-1)   -- flat shares p's numbers
  no_grad(function()
    for i = 1, p:numel() do
      local old = flat[i]:item()
      flat[{ i }] = old + eps
      local f_plus = f()
      flat[{ i }] = old - eps
      local f_minus = f()
      flat[{ i }] = old                            -- put it back
      g[{ i }] = ???
    end
  end)
  return g:view_as(p)
end
p = randn(3, 2)
print(numgrad(function() return (p ^ 3):sum():item() end, p, 1e-2), p ^ 2 * 3)]],
      solution = [[
function numgrad(f, p, eps)
  local g, flat = zeros(p:numel()), p:view(-1)
  no_grad(function()
    for i = 1, p:numel() do
      local old = flat[i]:item()
      flat[{ i }] = old + eps
      local f_plus = f()
      flat[{ i }] = old - eps
      local f_minus = f()
      flat[{ i }] = old
      g[{ i }] = (f_plus - f_minus) / (2 * eps)
    end
  end)
  return g:view_as(p)
end]],
      wrong = [[
function numgrad(f, p, eps)
  local g, flat = zeros(p:numel()), p:view(-1)
  no_grad(function()
    for i = 1, p:numel() do
      local old = flat[i]:item()
      local f_old = f()
      flat[{ i }] = old + eps
      local f_plus = f()
      flat[{ i }] = old
      g[{ i }] = (f_plus - f_old) / eps
    end
  end)
  return g:view_as(p)
end]],
      wrongs = {
        { code = [[
function numgrad(f, p, eps)
  local g, flat = zeros(p:numel()), p:view(-1)
  no_grad(function()
    for i = 1, p:numel() do
      local old = flat[i]:item()
      flat[{ i }] = old + eps
      local f_plus = f()
      flat[{ i }] = old - eps
      local f_minus = f()
      g[{ i }] = (f_plus - f_minus) / (2 * eps)
    end
  end)
  return g:view_as(p)
end]],
          says = { en = "numgrad changed p: put every element back", ko = "numgrad가 p를 바꿨습니다" } },
      },
      check = function(env)
        local nabla = nb()
        if type(env.numgrad) ~= "function" then
          return false, msg("define numgrad(f, p, eps)", "numgrad(f, p, eps)를 정의하세요")
        end
        local p = nabla.tensor({ { 1.0, -0.5 }, { 2.0, 0.25 } })
        local before = p:clone()
        local ok, g = pcall(env.numgrad, function() return (p ^ 3):sum():item() end, p, 1e-2)
        if not ok or not nabla.is_tensor(g) or tostring(g.shape) ~= tostring(p.shape) then
          return false, msg("numgrad(f, p, eps) should return a tensor shaped like p",
                            "numgrad(f, p, eps)는 p와 같은 모양의 텐서를 돌려줘야 합니다")
        end
        if (p - before):abs():max():item() > 0 then
          return false, msg("numgrad changed p: put every element back (flat[{ i }] = old)",
                            "numgrad가 p를 바꿨습니다: 모든 원소를 되돌려 놓으세요 (flat[{ i }] = old)")
        end
        local want = p ^ 2 * 3
        local err = rel_err(g, want)
        if err > 2e-3 then
          local one = rel_err(g, want + p * 3 * 1e-2)
          if one < 2e-3 then
            return false, msg(("off by %.2g (relative) on f = Σp³: that is the one-sided difference, off by about ε·f''/2; use (f(p + ε) − f(p − ε)) / 2ε"):format(err),
                              ("f = Σp³에서 상대 오차가 %.2g입니다: 한쪽 차분이라 오차가 ε에 비례합니다. (f(p + ε) − f(p − ε)) / 2ε를 쓰세요"):format(err))
          end
          return false, msg(("numgrad of f = Σp³ should be 3p², relative error now %.2g"):format(err),
                            ("f = Σp³의 numgrad는 3p²이어야 합니다. 지금 상대 오차 %.2g"):format(err))
        end
        return true
      end,
      hints = {
        { en = "The difference of the two losses, divided by the distance between the two points, 2·eps.",
          ko = "두 손실의 차를 두 점 사이의 거리 2·eps로 나눕니다." },
      },
    },
    {
      text = {
        en = [[
Autograd differentiates exactly what you wrote, so the bugs gradient checking
finds are in what you wrote. A classic: standardize(h) = (h − mean)/std, but
written with h:std():item(). The forward numbers are the same; the :item()
turns the std into a plain number, the graph is cut, and backward misses a
term. Compute rel_good and rel_bad, the relative errors max|num − ana| /
(max|num| + max|ana|) between numgrad and W1.grad for the two versions.]],
        ko = [[
자동 미분은 작성한 식을 정확히 미분하므로, 기울기 검사가 찾는 버그는 작성한 식
안에 있습니다. 전형적인 예: standardize(h) = (h − mean)/std인데
h:std():item()으로 작성한 경우입니다. 순전파 값은 같지만 :item()이 표준편차를
그냥 숫자로 바꿔 그래프가 끊기고, 역전파에서 항 하나가 빠집니다. 두 버전에 대해
numgrad와 W1.grad 사이의 상대 오차 max|num − ana| / (max|num| + max|ana|)를
rel_good과 rel_bad에 구하세요.]],
      },
      code = [[
manual_seed(0)
X, y = randn(16, 4), tensor({ 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1 })
W1 = (randn(4, 6) * 0.5):requires_grad()
W2 = (randn(6, 3) * 0.5):requires_grad()
function standardize(h) return (h - h:mean()) / h:std() end
function standardize_bad(h) return (h - h:mean()) / h:std():item() end
function loss_with(norm)
  return cross_entropy(norm(X:mm(W1):tanh()):mm(W2), y)
end
function rel_error(norm)
  W1.grad = nil
  loss_with(norm):backward()
  local num = numgrad(function() return loss_with(norm):item() end, W1, 1e-2)
  return ???
end
rel_good, rel_bad = rel_error(standardize), rel_error(standardize_bad)
print(rel_good, rel_bad)]],
      solution = [[
manual_seed(0)
X, y = randn(16, 4), tensor({ 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1 })
W1 = (randn(4, 6) * 0.5):requires_grad()
W2 = (randn(6, 3) * 0.5):requires_grad()
function standardize(h) return (h - h:mean()) / h:std() end
function standardize_bad(h) return (h - h:mean()) / h:std():item() end
function loss_with(norm)
  return cross_entropy(norm(X:mm(W1):tanh()):mm(W2), y)
end
function rel_error(norm)
  W1.grad = nil
  loss_with(norm):backward()
  local num = numgrad(function() return loss_with(norm):item() end, W1, 1e-2)
  local ana = W1.grad
  local diff = (num - ana):abs():max():item()
  return diff / (num:abs():max():item() + ana:abs():max():item())
end
rel_good, rel_bad = rel_error(standardize), rel_error(standardize_bad)]],
      wrong = [[
manual_seed(0)
X, y = randn(16, 4), tensor({ 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1 })
W1 = (randn(4, 6) * 0.5):requires_grad()
W2 = (randn(6, 3) * 0.5):requires_grad()
function standardize(h) return (h - h:mean()) / h:std() end
function standardize_bad(h) return (h - h:mean()) / h:std():item() end
function loss_with(norm)
  return cross_entropy(norm(X:mm(W1):tanh()):mm(W2), y)
end
function rel_error(norm)
  loss_with(norm):backward()
  local num = numgrad(function() return loss_with(norm):item() end, W1, 1e-2)
  local ana = W1.grad
  local diff = (num - ana):abs():max():item()
  return diff / (num:abs():max():item() + ana:abs():max():item())
end
rel_good, rel_bad = rel_error(standardize), rel_error(standardize_bad)]],
      check = function(env)
        if type(env.loss_with) ~= "function" or not nb().is_tensor(env.W1) then
          return false, msg("run the code that defines loss_with and W1", "loss_with와 W1을 정의하는 코드를 실행하세요")
        end
        local g, b = value(env.rel_good), value(env.rel_bad)
        if not (finite(g) and finite(b)) then
          return false, msg("compute rel_good and rel_bad as numbers", "rel_good과 rel_bad를 숫자로 구하세요")
        end
        -- the reference: W1's gradient of each version against its central difference
        local function ref(norm)
          local W1 = env.W1
          local saved = W1.grad
          W1.grad = nil
          env.loss_with(norm):backward()
          local ana = W1.grad
          W1.grad = saved
          return rel_err(ref_numgrad(function() return env.loss_with(norm):item() end, W1, 1e-2), ana)
        end
        local rg, rb = ref(env.standardize), ref(env.standardize_bad)
        if g > 1e-2 and rg < 1e-2 then
          return false, msg(("rel_good is %.2g, but the correct version agrees to %.2g: did you clear W1.grad before backward? Gradients add up"):format(g, rg),
                            ("rel_good이 %.2g인데, 올바른 버전은 %.2g까지 맞습니다: backward 전에 W1.grad를 지웠나요? 기울기는 누적됩니다"):format(g, rg))
        end
        if math.abs(g - rg) <= 0.5 * rg + 1e-4 and math.abs(b - rb) > 0.1 * rb then
          return false, msg(("rel_bad is %.3g, but the :item() version differs from its central difference by %.3g: clear W1.grad before each backward (gradients add up)"):format(b, rb),
                            ("rel_bad가 %.3g인데, :item() 버전과 중앙 차분의 차이는 %.3g입니다: backward마다 그 전에 W1.grad를 지우세요 (기울기는 누적됩니다)"):format(b, rb))
        end
        if math.abs(g - rg) > 0.5 * rg + 1e-4 or math.abs(b - rb) > 0.1 * rb then
          return false, msg(("rel_good, rel_bad = %.3g, %.3g; the relative errors are %.3g, %.3g"):format(g, b, rg, rb),
                            ("rel_good, rel_bad = %.3g, %.3g인데, 상대 오차는 %.3g, %.3g입니다"):format(g, b, rg, rb))
        end
        if not (rb > 10 * rg) then
          return false, msg("standardize_bad should be the version with :item() (the gradient check must catch it)",
                            "standardize_bad는 :item()을 쓴 버전이어야 합니다 (기울기 검사가 잡아내야 합니다)")
        end
        return true
      end,
      hints = {
        { en = "local ana = W1.grad, then the formula of the text with :abs():max():item() for each max.",
          ko = "local ana = W1.grad로 두고, 본문의 식에서 max마다 :abs():max():item()을 씁니다." },
      },
    },
    {
      text = {
        en = [[
Reading learning curves. An MLP with 256 hidden units trains for 20 epochs on
only 300 digits, and after each epoch we measure the loss on those 300 and on
400 validation digits it never trains on. The training loss keeps falling; the
validation loss falls, bottoms out, then rises: from there on the network
learns its 300 digits by heart (overfitting). Set best_epoch, the epoch to
keep, and gap, validation minus training loss at the last epoch.]],
        ko = [[
학습 곡선 읽기. 은닉 유닛 256개인 MLP를 숫자 300개만으로 20 에폭 학습시키고,
에폭마다 그 300개와, 학습에 쓰지 않는 검증용 숫자 400개의 손실을 측정합니다.
학습 손실은 계속 내려가고, 검증 손실은 내려가다가 바닥을 찍고 다시 올라갑니다:
그때부터 신경망은 300개의 숫자를 외웁니다(과적합). 남겨 둘 에폭 best_epoch와,
마지막 에폭의 검증 손실 − 학습 손실인 gap을 구하세요.]],
      },
      code = CURVES .. [[
best_epoch = ???      -- the epoch with the lowest validation loss
gap = val_losses[20] - train_losses[20]
print(best_epoch, val_losses[best_epoch], gap)]],
      solution = CURVES .. [[
best_epoch = 1
for e = 2, #val_losses do
  if val_losses[e] < val_losses[best_epoch] then best_epoch = e end
end
gap = val_losses[20] - train_losses[20]
]],
      wrong = CURVES .. [[
best_epoch = 1
for e = 2, #train_losses do
  if train_losses[e] < train_losses[best_epoch] then best_epoch = e end
end
gap = val_losses[20] - train_losses[20]
]],
      check = function(env)
        local tr, va = env.train_losses, env.val_losses
        if not (numbers(tr, 20) and numbers(va, 20)) then
          return false, msg("train for 20 epochs into train_losses and val_losses", "20 에폭 학습시켜 train_losses와 val_losses에 담으세요")
        end
        local b, want = value(env.best_epoch), argmin(va)
        if b == argmin(tr) and b ~= want then
          return false, msg(("epoch %d has the lowest TRAINING loss: it always falls. Choose on validation"):format(b),
                            ("%d 에폭은 '학습' 손실이 가장 낮은 에폭입니다: 학습 손실은 계속 내려갑니다. 검증 손실로 고르세요"):format(b))
        end
        if b ~= want then
          return false, msg(("best_epoch = %s, but validation is lowest at epoch %d"):format(tostring(env.best_epoch), want),
                            ("best_epoch = %s인데, 검증 손실은 %d 에폭에서 가장 낮습니다"):format(tostring(env.best_epoch), want))
        end
        local g = value(env.gap)
        if not finite(g) or math.abs(g - (va[#va] - tr[#tr])) > 1e-6 then
          return false, msg("gap = val_losses[20] - train_losses[20]", "gap = val_losses[20] - train_losses[20]")
        end
        if not (want < 20 and va[20] > va[want]) then
          return false, msg("the validation loss should rise again before epoch 20 (300 digits, 256 units, Adam 3e-3)",
                            "검증 손실이 20 에폭 전에 다시 올라가야 합니다 (숫자 300개, 유닛 256개, Adam 3e-3)")
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Which learning rate? The range test (Smith, 2017) tries them all in one short
run: start at 1e-5 and multiply the rate by 1.2 after every batch, recording a
smoothed loss, until the loss blows up. The loss falls fastest just before its
minimum; at the minimum the rate is already on the edge. A common pick is a
tenth of the rate at the minimum. Set lr_found from lrs and range_losses,
chosen by your code.]],
        ko = [[
학습률은 얼마로? 범위 테스트(Smith, 2017)는 짧은 학습 한 번에 모두 시험합니다:
1e-5에서 시작해 배치마다 학습률에 1.2를 곱하면서, 손실이 폭발할 때까지 평활화한
손실을 기록합니다. 손실은 최솟값 바로 앞에서 가장 빨리 내려가고, 최솟값에서는
학습률이 이미 한계에 와 있습니다. 흔히 최솟값 위치 학습률의 10분의 1을
고릅니다. lrs와 range_losses로부터 lr_found를 코드로 골라 넣으세요.]],
      },
      code = RANGE_TEST .. [[
lr_found = ???     -- a tenth of the rate where range_losses is lowest
print(#lrs, lr_found)
plot.lines({ loss = range_losses },
           { title = "smoothed loss, step i has lr 1e-5·1.2^i" })]],
      solution = RANGE_TEST .. [[
local best = 1
for i = 2, #range_losses do
  if range_losses[i] < range_losses[best] then best = i end
end
lr_found = lrs[best] / 10]],
      wrong = RANGE_TEST .. [[
lr_found = lrs[#lrs] / 10]],
      wrongs = {
        { code = RANGE_TEST .. [[
local best = 1
for i = 2, #range_losses do
  if range_losses[i] < range_losses[best] then best = i end
end
lr_found = lrs[best]
]],
          says = { en = "at the minimum the rate is already on the edge", ko = "최솟값에서는 학습률이 이미 한계에 있습니다" } },
      },
      check = function(env)
        local lrs, ls = env.lrs, env.range_losses
        if not (C.numbers(lrs, 20) and C.numbers(ls, 20)) or #lrs ~= #ls then
          return false, msg("run the range test into lrs and range_losses", "범위 테스트를 실행해 lrs와 range_losses에 담으세요")
        end
        local f = value(env.lr_found)
        local i = argmin(ls)
        local want = lrs[i] / 10
        if not finite(f) then return false, msg("set lr_found to a number", "lr_found에 숫자를 넣으세요") end
        if math.abs(f - lrs[#lrs] / 10) < 1e-12 and #lrs ~= i then
          return false, msg("that is a tenth of the LAST rate, where the loss blew up; take the rate where the smoothed loss is lowest",
                            "그것은 손실이 폭발한 '마지막' 학습률의 10분의 1입니다. 평활화한 손실이 가장 낮은 곳의 학습률을 쓰세요")
        end
        if math.abs(f - lrs[i]) < 1e-12 then
          return false, msg("at the minimum the rate is already on the edge: take a tenth of it",
                            "최솟값에서는 학습률이 이미 한계에 있습니다: 그 10분의 1을 쓰세요")
        end
        if math.abs(f - want) > 1e-9 * want then
          return false, msg(("lr_found = %.3g, but the smoothed loss is lowest at step %d (lr %.3g)"):format(f, i, lrs[i]),
                            ("lr_found = %.3g인데, 평활화한 손실은 %d번째 스텝(학습률 %.3g)에서 가장 낮습니다"):format(f, i, lrs[i]))
        end
        return true
      end,
    },
    {
      text = {
        en = [[
A schedule changes the rate during training: large steps first, small steps to
settle. StepLR multiplies it by gamma every step_size epochs; CosineAnnealingLR
lowers it along half a cosine to 0 in T_max epochs. Warm-up starts small and
grows linearly over the first steps, which keeps Adam and large batches from
jumping too far while their statistics are young. Record both schedulers' rates
for 10 epochs, and write warmup_cosine(t, total, warmup, base) for step t.]],
        ko = [[
스케줄은 학습 중에 학습률을 바꿉니다: 처음엔 큰 걸음, 자리를 잡을 때는 작은
걸음. StepLR은 step_size 에폭마다 학습률에 gamma를 곱하고, CosineAnnealingLR은
T_max 에폭 동안 코사인 반주기를 따라 0까지 낮춥니다. 워밍업은 처음 몇 스텝 동안
작게 시작해 선형으로 키워서, Adam이나 큰 배치가 통계가 쌓이기 전에 너무 멀리
뛰지 않게 합니다. 두 스케줄러의 학습률을 10 에폭 동안 기록하고, 스텝 t의 학습률
warmup_cosine(t, total, warmup, base)를 작성하세요.]],
      },
      code = [[
function rates(make_scheduler)
  local opt = optim.SGD({ zeros(1):requires_grad() }, { lr = 0.1 })
  local sched, out = make_scheduler(opt), {}
  for epoch = 1, 10 do
    out[epoch] = opt.param_groups[1].lr     -- the rate this epoch trains with
    opt:step(); sched:step()                -- (the epoch's batches go here)
  end
  return out
end
step_lrs = rates(function(o)
  return optim.lr_scheduler.StepLR(o, { step_size = 3, gamma = 0.5 }) end)
cos_lrs = rates(function(o)
  return optim.lr_scheduler.CosineAnnealingLR(o, { T_max = 10 }) end)
function warmup_cosine(t, total, warmup, base)
  if t <= warmup then return ??? end
  return base * 0.5 * (1 + math.cos(math.pi * (t - warmup) / (total - warmup)))
end
wc = {}
for t = 1, 100 do wc[t] = warmup_cosine(t, 100, 10, 0.1) end
plot.lines({ warmup_cosine = wc }, { title = "lr per step" })
print(table.concat(step_lrs, " "))]],
      solution = RATES .. [[
function warmup_cosine(t, total, warmup, base)
  if t <= warmup then return base * t / warmup end
  return base * 0.5 * (1 + math.cos(math.pi * (t - warmup) / (total - warmup)))
end]],
      wrong = [[
function rates(make_scheduler)
  local opt = optim.SGD({ zeros(1):requires_grad() }, { lr = 0.1 })
  local sched, out = make_scheduler(opt), {}
  for epoch = 1, 10 do
    opt:step(); sched:step()
    out[epoch] = opt.param_groups[1].lr
  end
  return out
end
step_lrs = rates(function(o)
  return optim.lr_scheduler.StepLR(o, { step_size = 3, gamma = 0.5 }) end)
cos_lrs = rates(function(o)
  return optim.lr_scheduler.CosineAnnealingLR(o, { T_max = 10 }) end)
function warmup_cosine(t, total, warmup, base)
  if t <= warmup then return base * t / warmup end
  return base * 0.5 * (1 + math.cos(math.pi * (t - warmup) / (total - warmup)))
end]],
      wrongs = {
        { code = RATES .. [[
function warmup_cosine(t, total, warmup, base)
  if t <= warmup then return base end
  return base * 0.5 * (1 + math.cos(math.pi * (t - warmup) / (total - warmup)))
end]],
          says = { en = "during the 10 warm-up steps the rate grows linearly", ko = "워밍업 10 스텝 동안 학습률은 base까지 선형으로" } },
        { code = RATES .. [[
function warmup_cosine(t, total, warmup, base)
  if t <= warmup then return base * t / warmup end
  return base * 0.5 * (1 + math.cos(math.pi * t / total))
end]],
          says = { en = "warmup_cosine(11, 100, 10, 0.1)", ko = "warmup_cosine(11, 100, 10, 0.1)" } },
      },
      check = function(env)
        local s, c = env.step_lrs, env.cos_lrs
        if not (numbers(s, 10) and numbers(c, 10)) then
          return false, msg("record step_lrs and cos_lrs for 10 epochs", "step_lrs와 cos_lrs를 10 에폭 동안 기록하세요")
        end
        for e = 1, 10 do
          local want_s = 0.1 * 0.5 ^ ((e - 1) // 3)
          local want_c = 0.05 * (1 + math.cos(math.pi * (e - 1) / 10))
          if math.abs(s[e] - want_s) > 1e-9 or math.abs(c[e] - want_c) > 1e-9 then
            if math.abs(s[1] - 0.1) > 1e-12 or math.abs(c[1] - 0.1) > 1e-12 then
              return false, msg(("epoch 1 trained with %.4g, not the starting 0.1: read the rate before sched:step(), which moves it to the next epoch's"):format(math.abs(s[1] - 0.1) > 1e-12 and s[1] or c[1]),
                                ("1 에폭의 학습률이 시작값 0.1이 아니라 %.4g입니다: sched:step()이 다음 에폭의 값으로 바꾸므로, 그 전에 읽으세요"):format(math.abs(s[1] - 0.1) > 1e-12 and s[1] or c[1]))
            end
            return false, msg(("epoch %d: StepLR %.4g (expected %.4g), cosine %.4g (expected %.4g)"):format(e, s[e], want_s, c[e], want_c),
                              ("%d 에폭: StepLR %.4g (기대값 %.4g), 코사인 %.4g (기대값 %.4g)"):format(e, s[e], want_s, c[e], want_c))
          end
        end
        if type(env.warmup_cosine) ~= "function" then
          return false, msg("define warmup_cosine(t, total, warmup, base)", "warmup_cosine(t, total, warmup, base)를 정의하세요")
        end
        for _, t in ipairs({ 1, 5, 10, 11, 55, 100 }) do
          local ok, v = pcall(env.warmup_cosine, t, 100, 10, 0.1)
          local want = ref_warmup_cosine(t, 100, 10, 0.1)
          if not ok or type(v) ~= "number" or math.abs(v - want) > 1e-9 then
            return false, msg(("warmup_cosine(%d, 100, 10, 0.1) = %s; during the 10 warm-up steps the rate grows linearly to base (step t: base·t/warmup)"):format(t, tostring(v)),
                              ("warmup_cosine(%d, 100, 10, 0.1) = %s: 워밍업 10 스텝 동안 학습률은 base까지 선형으로 커집니다 (스텝 t: base·t/warmup)"):format(t, tostring(v)))
          end
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Random search over two hyperparameters (Bergstra and Bengio, 2012): eight short
runs, each with a learning rate and a hidden width drawn at random, scored on a
validation split. A rate matters by its order of magnitude, so draw it
uniformly in its logarithm: 10^u with u uniform in [−4, −1]. Write sample_lr(),
run the search into trials, and set best to the trial with the highest val_acc.]],
        ko = [[
두 하이퍼파라미터에 대한 무작위 탐색(Bergstra와 Bengio, 2012): 학습률과 은닉
폭을 무작위로 뽑은 짧은 학습 여덟 번을 검증 세트로 평가합니다. 학습률은
자릿수가 중요하므로 로그 눈금에서 고르게 뽑습니다: u가 [−4, −1]에서 균등할 때
10^u. sample_lr()를 작성하고 탐색 결과를 trials에 담은 뒤, val_acc가 가장 높은
시도를 best에 넣으세요.]],
      },
      code = SHORT_RUN .. [[
function sample_lr()
  local u = rand(1):item()          -- uniform in [0, 1)
  return ???
end
manual_seed(7)
trials = {}
for i = 1, 8 do      -- draw all eight first: short_run reseeds the generator
  local lr = sample_lr()
  local hidden = ({ 16, 32, 64, 128 })[math.floor(rand(1):item() * 4) + 1]
  trials[i] = { lr = lr, hidden = hidden }
end
for i, t in ipairs(trials) do
  t.val_acc = short_run(t.lr, t.hidden, 1)
  print(("lr %.2e  hidden %3d  val %.3f"):format(t.lr, t.hidden, t.val_acc))
end
best = trials[1]
for _, t in ipairs(trials) do if t.val_acc > best.val_acc then best = t end end
print(best.lr, best.hidden, best.val_acc)]],
      solution = SHORT_RUN .. [[
function sample_lr()
  local u = rand(1):item()
  return 10 ^ (-4 + 3 * u)
end
manual_seed(7)
trials = {}
for i = 1, 8 do      -- draw all eight first: short_run reseeds the generator
  local lr = sample_lr()
  local hidden = ({ 16, 32, 64, 128 })[math.floor(rand(1):item() * 4) + 1]
  trials[i] = { lr = lr, hidden = hidden }
end
for i, t in ipairs(trials) do
  t.val_acc = short_run(t.lr, t.hidden, 1)
end
best = trials[1]
for _, t in ipairs(trials) do if t.val_acc > best.val_acc then best = t end end]],
      wrong = SHORT_RUN .. [[
function sample_lr()
  local u = rand(1):item()
  return 1e-4 + (1e-1 - 1e-4) * u
end
manual_seed(7)
trials = {}
for i = 1, 8 do      -- draw all eight first: short_run reseeds the generator
  local lr = sample_lr()
  local hidden = ({ 16, 32, 64, 128 })[math.floor(rand(1):item() * 4) + 1]
  trials[i] = { lr = lr, hidden = hidden }
end
for i, t in ipairs(trials) do
  t.val_acc = short_run(t.lr, t.hidden, 1)
end
best = trials[1]
for _, t in ipairs(trials) do if t.val_acc > best.val_acc then best = t end end]],
      check = function(env)
        if type(env.sample_lr) ~= "function" then
          return false, msg("define sample_lr()", "sample_lr()를 정의하세요")
        end
        local n, below, lo, hi = 2000, 0, math.huge, 0
        for _ = 1, n do
          local ok, v = pcall(env.sample_lr)
          if not ok or not finite(v) then
            return false, msg("sample_lr() should return a number", "sample_lr()는 숫자를 돌려줘야 합니다")
          end
          if v < 1e-2 then below = below + 1 end
          lo, hi = math.min(lo, v), math.max(hi, v)
        end
        if lo < 1e-4 * 0.999 or hi > 1e-1 * 1.001 then
          return false, msg(("sample_lr() gave values from %.2g to %.2g: keep it in [1e-4, 1e-1]"):format(lo, hi),
                            ("sample_lr()가 %.2g부터 %.2g까지의 값을 냈습니다: [1e-4, 1e-1] 안에 두세요"):format(lo, hi))
        end
        local frac = below / n
        if frac < 0.55 or frac > 0.78 then
          return false, msg(("%.0f%% of the samples are below 1e-2; on a log scale two of the three decades are, about 67%%. Uniform in [1e-4, 1e-1] wastes 90%% of the runs on the top decade"):format(100 * frac),
                            ("표본의 %.0f%%가 1e-2보다 작습니다. 로그 눈금이면 세 자릿수 구간 중 두 개, 약 67%%여야 합니다. [1e-4, 1e-1]에서 균등하게 뽑으면 90%%를 맨 위 구간에 씁니다"):format(100 * frac))
        end
        local t = env.trials
        if type(t) ~= "table" or #t < 8 then
          return false, msg("run the 8 trials into trials", "시도 8번의 결과를 trials에 담으세요")
        end
        local best = t[1]
        for _, r in ipairs(t) do
          if type(r) ~= "table" or not finite(r.val_acc) then
            return false, msg("each trial should be { lr =, hidden =, val_acc = }", "각 시도는 { lr =, hidden =, val_acc = }여야 합니다")
          end
          if r.val_acc > best.val_acc then best = r end
        end
        if type(env.best) ~= "table" or env.best.val_acc ~= best.val_acc then
          return false, msg(("best should be the trial with the highest val_acc (%.3f)"):format(best.val_acc),
                            ("best는 val_acc가 가장 높은 시도(%.3f)여야 합니다"):format(best.val_acc))
        end
        return true
      end,
      hints = {
        { en = "-4 + 3 * u is uniform in [−4, −1]; raise 10 to it.", ko = "-4 + 3 * u는 [−4, −1]에서 균등합니다. 10을 그만큼 거듭제곱하세요." },
      },
    },
    {
      text = {
        en = [[
The best trial won by how much? Run the same configuration (the best one) with
5 seeds: the seed sets the initial weights and the order of the batches.
Compute mean_acc, std_acc (the sample standard deviation, dividing by n − 1)
and sem, the standard error of the mean, std_acc/√n. Two configurations whose
means differ by less than about two standard errors have not been told apart.
Compare mean_acc with best.val_acc too: a search picks the luckiest of its
runs, so the winner's own score flatters it.]],
        ko = [[
최고의 시도는 얼마나 앞섰을까요? 같은 설정(최고의 설정)을 시드 5개로 학습시켜
보세요: 시드가 초기 가중치와 배치 순서를 정합니다. mean_acc, std_acc(n − 1로
나누는 표본 표준편차), 그리고 평균의 표준오차 sem = std_acc/√n을 구하세요.
평균의 차이가 표준오차의 두 배쯤보다 작은 두 설정은 구별되었다고 할 수
없습니다. mean_acc와 best.val_acc도 비교해 보세요: 탐색은 가장 운이 좋았던
학습을 고르므로, 뽑힌 설정의 점수는 실제보다 좋아 보입니다.]],
      },
      code = [[
accs = {}
for seed = 1, 5 do accs[seed] = short_run(best.lr, best.hidden, seed * 100) end
local n, sum = #accs, 0
for _, a in ipairs(accs) do sum = sum + a end
mean_acc = sum / n
local sq = 0
for _, a in ipairs(accs) do sq = sq + (a - mean_acc) ^ 2 end
std_acc = ???
sem = std_acc / math.sqrt(n)
print(("%.3f ± %.3f (sem %.3f); in the search it scored %.3f")
  :format(mean_acc, std_acc, sem, best.val_acc))]],
      solution = [[
accs = {}
for seed = 1, 5 do accs[seed] = short_run(best.lr, best.hidden, seed * 100) end
local n, sum = #accs, 0
for _, a in ipairs(accs) do sum = sum + a end
mean_acc = sum / n
local sq = 0
for _, a in ipairs(accs) do sq = sq + (a - mean_acc) ^ 2 end
std_acc = math.sqrt(sq / (n - 1))
sem = std_acc / math.sqrt(n)]],
      wrong = [[
accs = {}
for seed = 1, 5 do accs[seed] = short_run(best.lr, best.hidden, seed * 100) end
local n, sum = #accs, 0
for _, a in ipairs(accs) do sum = sum + a end
mean_acc = sum / n
local sq = 0
for _, a in ipairs(accs) do sq = sq + (a - mean_acc) ^ 2 end
std_acc = math.sqrt(sq / n)
sem = std_acc / math.sqrt(n)]],
      wrongs = {
        { code = [[
accs = {}
for seed = 1, 5 do accs[seed] = short_run(best.lr, best.hidden, 1) end
local n, sum = #accs, 0
for _, a in ipairs(accs) do sum = sum + a end
mean_acc = sum / n
local sq = 0
for _, a in ipairs(accs) do sq = sq + (a - mean_acc) ^ 2 end
std_acc = math.sqrt(sq / (n - 1))
sem = std_acc / math.sqrt(n)]],
          says = { en = "give each its own seed", ko = "각각 다른 시드를 주세요" } },
        { code = [[
accs = {}
for seed = 1, 5 do accs[seed] = short_run(best.lr, best.hidden, seed * 100) end
local n, sum = #accs, 0
for _, a in ipairs(accs) do sum = sum + a end
mean_acc = sum / n
local sq = 0
for _, a in ipairs(accs) do sq = sq + (a - mean_acc) ^ 2 end
std_acc = math.sqrt(sq / (n - 1))
sem = std_acc / n]],
          says = { en = "sem = std_acc / √n", ko = "sem = std_acc / √n" } },
      },
      check = function(env)
        local a = env.accs
        if not numbers(a, 5) then
          return false, msg("run 5 seeds into accs", "시드 5개의 결과를 accs에 담으세요")
        end
        local m, s, pop = mean_std(a)
        if s == 0 then
          return false, msg("the 5 runs gave the same accuracy: give each its own seed", "5번의 학습이 같은 정확도를 냈습니다: 각각 다른 시드를 주세요")
        end
        if not C.close(value(env.mean_acc), m, 1e-9, 1e-12) then
          return false, msg(("mean_acc should be the mean of accs, %.4f"):format(m), ("mean_acc는 accs의 평균 %.4f여야 합니다"):format(m))
        end
        local sd = value(env.std_acc)
        if C.close(sd, pop, 1e-6, 1e-12) then
          return false, msg("that divides by n: the sample standard deviation of 5 runs divides by n − 1 (the mean was estimated from the same runs)",
                            "n으로 나눴습니다: 학습 5번의 표본 표준편차는 n − 1로 나눕니다 (평균을 같은 학습들로 추정했으니까요)")
        end
        if not C.close(sd, s, 1e-6, 1e-12) then
          return false, msg(("std_acc = %s, but the sample standard deviation of accs is %.4g"):format(tostring(env.std_acc), s),
                            ("std_acc = %s인데, accs의 표본 표준편차는 %.4g입니다"):format(tostring(env.std_acc), s))
        end
        if not C.close(value(env.sem), s / math.sqrt(#a), 1e-6, 1e-12) then
          return false, msg("sem = std_acc / √n", "sem = std_acc / √n")
        end
        return true
      end,
    },
    {
      text = {
        en = [[
A checklist to keep: overfit one batch; check gradients of anything you wrote
by hand; watch training and validation curves; find the rate with a range test;
schedule it; search on a log scale, choose on validation; report the spread
over seeds.]],
        ko = [[
기억해 둘 점검표: 배치 하나에 과적합해 보기, 직접 작성한 부분의 기울기 검사,
학습 곡선과 검증 곡선 지켜보기, 범위 테스트로 학습률 찾기, 스케줄 정하기, 로그
눈금에서 탐색하고 검증 세트로 고르기, 시드에 따른 편차 보고하기.]],
      },
      quiz = {
        question = { en = "Config A scores 97.1% and B 96.8%, each the mean of 5 seeds with standard deviation 0.5 points. What can you say?",
                     ko = "설정 A는 97.1%, B는 96.8%입니다. 각각 시드 5개의 평균이고 표준편차는 0.5%p입니다. 무엇을 말할 수 있을까요?" },
        choices = {
          { en = "A is better: its mean is higher over the same five seeds",
            ko = "A가 더 낫다: 같은 시드 5개에서 평균이 더 높다" },
          { en = "Nothing yet: 0.3 points is about one standard error (0.22)",
            ko = "아직 모른다: 0.3%p는 표준오차(0.22) 하나 정도다" },
          { en = "B is better: a smaller model generalizes with less spread",
            ko = "B가 더 낫다: 작은 모델이 편차 적게 일반화한다" },
        },
        answer = 2,
        explain = { en = "Right: sem = 0.5/√5 ≈ 0.22, and the difference of two means has a standard error of about 0.32. Run more seeds, or accept that they are equal.",
                    ko = "맞습니다: sem = 0.5/√5 ≈ 0.22이고, 두 평균의 차의 표준오차는 약 0.32입니다. 시드를 더 돌리거나, 둘이 같다고 받아들이세요." },
        wrong = {
          { en = "A higher mean of five noisy runs is not yet a difference: compare it with the standard error.",
            ko = "노이즈가 있는 학습 다섯 번의 평균이 높다고 차이가 있는 것은 아닙니다: 표준오차와 비교하세요." },
          [3] = { en = "Nothing here says which model is smaller, and the spreads are equal.",
                  ko = "어느 모델이 더 작은지는 나와 있지 않고, 편차도 같습니다." },
        },
      },
    },
  },
}

-- Lesson 12: transfer learning and residual connections — a CNN pretrained on the digits
-- 0–4 reused for 5–9 with 25 labels (frozen feature extractor, fine-tuning, from scratch;
-- requires_grad_(false) and an optimizer over the head only), then the degradation problem:
-- a deep plain network trains worse than a shallow one, the same depth with residual blocks
-- trains well, and the gradient norms per block show why. On the committed subset.
local function nb() return require "nabla" end

local C = require("nabla.lesson").checks
local value, finite, why, is_module = C.value, C.finite, C.why, C.is_module

-- the reference split, built here: images of digits lo..hi (at most per of each), relabelled
-- so that digit lo is class 1
local cache = {}
local function ref_digits(split, lo, hi, per)
  local key = table.concat({ split, lo, hi, per or "all" }, ":")
  if cache[key] then return cache[key] end
  local n = nb()
  local ds = n.data.mnist{ split = split, small = true }
  local ids, seen = {}, {}
  for i, c in ipairs(ds.labels:tolist()) do
    local d = c - 1
    if d >= lo and d <= hi then
      seen[d] = (seen[d] or 0) + 1
      if not per or seen[d] <= per then ids[#ids + 1] = i end
    end
  end
  local x, y = ds:batch(ids)
  cache[key] = { x = x, y = y - lo }
  return cache[key]
end

local function same_tensor(a, b)
  local n = nb()
  return n.is_tensor(a) and n.is_tensor(b) and tostring(a.shape) == tostring(b.shape)
    and (a - b):abs():max():item() == 0
end

-- the accuracy of model on a reference set { x, y }
local function accuracy_on(model, set)
  local ok, ev = pcall(nb().evaluate, model, { set.x, set.y })
  if not ok then return nil, why(ev) end
  return ev.accuracy
end

-- largest |a − b| over two models' parameter lists (nil if they do not match)
local max_diff = require("nabla.lesson").checks.params_maxdiff

local function norm_of(ps)
  local s = 0
  for _, p in ipairs(ps) do s = s + (p * p):sum():item() end
  return math.sqrt(s)
end

local function need_net(env, name)
  local m = env[name]
  if not is_module(m) or not is_module(m.features) or not is_module(m.head) then
    return false, { en = ("make %s = Net() (with its features and head)"):format(name),
                    ko = ("%s = Net()을 만드세요 (features와 head가 있는)"):format(name) }
  end
  return true
end

-- env[acc] must be model's accuracy on the 250 test digits 5–9
local function truthful(env, model, got, label)
  local acc, err = accuracy_on(model, ref_digits("test", 5, 9))
  if not acc then return false, { en = label .. ": evaluate failed: " .. err, ko = label .. "에서 evaluate가 실패했습니다 (" .. err .. ")" } end
  local v = value(got)
  if not finite(v) or math.abs(v - acc) > 1e-6 then
    return false, { en = ("%s should be the accuracy on tgt_test, %.3f, got %s"):format(label, acc, tostring(got)),
                    ko = ("%s 값은 tgt_test에서의 정확도 %.3f여야 하는데 지금 %s입니다"):format(label, acc, tostring(got)) }
  end
  return true, acc
end

local NET = [[
Net = nn.Module:extend("Net")
function Net:__init()
  self.features = nn.Sequential{            -- (B, 1, 28, 28) -> (B, 784)
    nn.Conv2d(1, 8, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
  }
  self.head = nn.Linear(16 * 7 * 7, 5)      -- 5 classes
end
function Net:forward(x) return self.head(self.features(x)) end
manual_seed(0)
pre = Net()
fit(pre, data.loader(src, { batch = 50, shuffle = true, seed = 0 }), { epochs = 3, lr = 3e-3 })
src_acc = evaluate(pre, src_test).accuracy]]

local HELPERS = [[
function trainable(model)            -- the parameters an optimizer should update
  local ps = {}
  for _, p in ipairs(model:parameters()) do if p.needs_grad then ps[#ps + 1] = p end end
  return ps
end
function count(ps)
  local n = 0
  for _, p in ipairs(ps) do n = n + p:numel() end
  return n
end
weak = aug.affine{ rotate = 10, shift = 0.1, p = 1 }
-- 100 steps of Adam over the trainable parameters on the 25 labelled digits; returns the
-- test accuracy and the accuracy every 10 steps
function train_steps(model, lr)
  local opt = optim.Adam(trainable(model), { lr = lr })
  local loader = data.loader(tgt, { batch = 25, shuffle = true, seed = 0, augment = weak })
  local curve = {}
  for step = 1, 100 do
    local xb, yb = loader:iter()()           -- 25 digits: one batch is the whole set
    local loss = cross_entropy(model(xb), yb)
    opt:zero_grad(); loss:backward(); opt:step()
    if step % 10 == 0 then curve[#curve + 1] = evaluate(model, tgt_test).accuracy end
  end
  return curve[#curve], curve
end
]]

local FROZEN = HELPERS .. [[
manual_seed(1)
frozen = Net()
frozen.features:load_state_dict(pre.features:state_dict())   -- the pretrained features...
frozen.features:requires_grad_(false)                       -- ...kept as they are
n_trained = count(trainable(frozen))
results, curves = {}, {}
results.frozen, curves.frozen = train_steps(frozen, 3e-3)]]

local OTHERS = [[
manual_seed(1)
finetuned = Net()
finetuned.features:load_state_dict(pre.features:state_dict())
results.finetuned, curves.finetuned = train_steps(finetuned, 1e-3)   -- all of it, gently
manual_seed(1)
scratch = Net()
results.scratch, curves.scratch = train_steps(scratch, 3e-3)
se = math.sqrt(results.scratch * (1 - results.scratch) / #tgt_test)
gap30 = curves.frozen[3] - curves.scratch[3]      -- after 30 steps
gap100 = results.frozen - results.scratch          -- after 100]]

local DEEP = [[
ids = {}
for i = 1, 1000 do ids[i] = i end
X, Y = train:batch(ids)
X = X:view(1000, 784)                    -- 1,000 digits as rows of pixels
function deep(kind, depth)
  local layers = { nn.Linear(784, 32), nn.ReLU() }
  for k = 1, depth do
    local block = nn.Sequential{ nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 32) }
    layers[#layers + 1] = kind == "residual" and nn.Residual(block) or block   -- x + F(x), or F(x)
  end
  layers[#layers + 1] = nn.Linear(32, 10)
  return nn.Sequential(layers)
end
manual_seed(0)
plain20 = deep("plain", 20)
manual_seed(0)
res20 = deep("residual", 20)
xb, yb = X:narrow(1, 1, 100), Y:narrow(1, 1, 100)
-- ‖gradient‖ of each block's Linear weight after one backward on 100 digits
function block_grads(model)
  model:zero_grad()
  cross_entropy(model(xb), yb):backward()
  local norms = {}
  for k = 1, 20 do
    local block = model[k + 2]
    local linear = block.block and block.block[3] or block[3]
    norms[k] = linear.weight.grad:norm():item()
  end
  return norms
end
g_plain, g_res = block_grads(plain20), block_grads(res20)
ratio = { plain = g_plain[1] / g_plain[20], residual = g_res[1] / g_res[20] }]]

local TRAIN_DEEP = [[
-- 10 epochs of Adam on the 1,000 digits; after each, the loss on them in eval mode
function train_deep(model, epochs)
  local opt = optim.Adam(model:parameters(), { lr = 3e-3 })
  local loader = data.loader(data.dataset(X, Y), { batch = 50, shuffle = true, seed = 0 })
  local curve = {}
  for epoch = 1, epochs do
    model:train()
    for xb, yb in loader:iter() do
      local loss = cross_entropy(model(xb), yb)
      opt:zero_grad(); loss:backward(); opt:step()
    end
    model:eval()
    curve[epoch] = no_grad(function() return cross_entropy(model(X), Y):item() end)
  end
  return curve
end
models, train_loss, deep_curves = {}, {}, {}
for _, c in ipairs({ { "plain", 2 }, { "plain", 20 }, { "residual", 20 } }) do
  local name = c[1] .. c[2]
  manual_seed(0)
  models[name] = deep(c[1], c[2])
  deep_curves[name] = train_deep(models[name], 10)
  train_loss[name] = deep_curves[name][10]
end]]

return {
  id = "transfer",
  order = 12,
  title = { en = "Transfer learning and residual connections", ko = "전이 학습과 잔차 연결" },
  steps = {
    {
      text = {
        en = [[
Features learned on one data set can be reused on another: the first layers of a network
trained on many images detect edges and strokes that are useful elsewhere. We play it on
our subset: the SOURCE task is the digits 0–4 (1,000 images), the TARGET task the digits
5–9 with only 5 labelled images of each (25 in all), tested on 250 others. Each task has
5 classes, so relabel: digit 5 becomes class 1, ..., digit 9 class 5. (The full
experiment transfers from Fashion-MNIST, 60,000 pictures of clothes, to MNIST.)]],
        ko = [[
한 데이터셋에서 배운 특성은 다른 데이터셋에서 다시 쓸 수 있습니다: 많은 이미지로 학습한
신경망의 앞쪽 층은 다른 곳에서도 쓸모 있는 모서리와 획을 검출합니다. 우리 부분 집합으로 해
봅시다: '원본' 과제는 숫자 0–4 (1,000장), '목표' 과제는 숫자 5–9인데 레이블 있는 이미지가
숫자마다 5장(모두 25장)뿐이고, 다른 250장으로 테스트합니다. 과제마다 클래스가 5개이므로
레이블을 다시 붙입니다: 숫자 5는 클래스 1, ..., 숫자 9는 클래스 5. (전체 실험은 옷 사진 60,000장인
Fashion-MNIST에서 MNIST로 전이합니다.)]],
      },
      code = [[
train = data.mnist{ split = "train", small = true }
test = data.mnist{ split = "test", small = true }
-- the images of digits lo..hi (at most per of each), relabelled so that digit lo is class 1
function digits(ds, lo, hi, per)
  local ids, seen = {}, {}
  for i, c in ipairs(ds.labels:tolist()) do
    local d = c - 1                          -- class c is the digit c - 1
    if d >= lo and d <= hi then
      seen[d] = (seen[d] or 0) + 1
      if not per or seen[d] <= per then ids[#ids + 1] = i end
    end
  end
  local x, y = ds:batch(ids)
  return data.dataset(x, y - lo)
end
src, src_test = digits(train, 0, 4), digits(test, 0, 4)
tgt, tgt_test = digits(train, 5, 9, 5), digits(test, 5, 9)
print(#src, #src_test, #tgt, #tgt_test, tgt.y:min(), tgt.y:max())]],
      solution = [[
train = data.mnist{ split = "train", small = true }
test = data.mnist{ split = "test", small = true }
function digits(ds, lo, hi, per)
  local ids, seen = {}, {}
  for i, c in ipairs(ds.labels:tolist()) do
    local d = c - 1
    if d >= lo and d <= hi then
      seen[d] = (seen[d] or 0) + 1
      if not per or seen[d] <= per then ids[#ids + 1] = i end
    end
  end
  local x, y = ds:batch(ids)
  return data.dataset(x, y - lo)
end
src, src_test = digits(train, 0, 4), digits(test, 0, 4)
tgt, tgt_test = digits(train, 5, 9, 5), digits(test, 5, 9)]],
      wrong = [[
train = data.mnist{ split = "train", small = true }
test = data.mnist{ split = "test", small = true }
function digits(ds, lo, hi, per)
  local ids, seen = {}, {}
  for i, c in ipairs(ds.labels:tolist()) do
    local d = c - 1
    if d >= lo and d <= hi then
      seen[d] = (seen[d] or 0) + 1
      if not per or seen[d] <= per then ids[#ids + 1] = i end
    end
  end
  local x, y = ds:batch(ids)
  return data.dataset(x, y)
end
src, src_test = digits(train, 0, 4), digits(test, 0, 4)
tgt, tgt_test = digits(train, 5, 9, 5), digits(test, 5, 9)]],
      check = function(env)
        for _, item in ipairs({ { "src", "train", 0, 4 }, { "src_test", "test", 0, 4 }, { "tgt", "train", 5, 9, 5 }, { "tgt_test", "test", 5, 9 } }) do
          local name, ds = item[1], env[item[1]]
          local want = ref_digits(item[2], item[3], item[4], item[5])
          if type(ds) ~= "table" or not nb().is_tensor(ds.x) or not nb().is_tensor(ds.y) then
            return false, { en = ("make %s with digits(...), a dataset of images x and labels y"):format(name),
                            ko = ("digits(...)로 %s 데이터셋을 만드세요: 이미지 x와 레이블 y의 데이터셋"):format(name) }
          end
          if not same_tensor(ds.x, want.x) then
            return false, { en = ("%s should hold the %d images of the digits %d–%d%s, in file order"):format(name, #want.y, item[3], item[4], item[5] and (", %d of each"):format(item[5]) or ""),
                            ko = ("%s에는 숫자 %d–%d의 이미지 %d장이 파일 순서대로 있어야 합니다%s"):format(name, item[3], item[4], #want.y, item[5] and (" (숫자마다 %d장)"):format(item[5]) or "") }
          end
          if not same_tensor(ds.y, want.y) then
            local lo, hi = ds.y:min():item(), ds.y:max():item()
            return false, { en = ("%s's labels run from %g to %g; a 5-class head needs 1..5: digit %d should be class 1 (y − %d)"):format(name, lo, hi, item[3], item[3]),
                            ko = ("%s의 레이블이 %g부터 %g까지입니다. 클래스 5개짜리 head에는 1..5가 필요합니다: 숫자 %d → 클래스 1이 되게 (y − %d)"):format(name, lo, hi, item[3], item[3]) }
          end
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Pretrain on the source: a small CNN in two parts, features (the convolutions, ending in a
vector of 784 numbers per image) and head (a Linear layer from those to the 5 scores).
Keeping the parts apart is what lets us reuse one and replace the other. Three epochs on
the 1,000 digits 0–4.]],
        ko = [[
원본 과제로 사전 학습합니다: 작은 CNN을 두 부분으로 나눕니다. features(합성곱들, 이미지마다
숫자 784개짜리 벡터로 끝남)와 head(그 벡터에서 점수 5개로 가는 Linear 층)입니다. 두 부분을
나눠 두어야 하나는 다시 쓰고 다른 하나는 바꿀 수 있습니다. 숫자 0–4 1,000장으로 3 에폭.]],
      },
      code = NET .. [[

print(("pretrained on 0-4: %.1f%% of the test digits 0-4"):format(100 * src_acc))]],
      wrong = [[
Net = nn.Module:extend("Net")
function Net:__init()
  self.features = nn.Sequential{
    nn.Conv2d(1, 8, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
  }
  self.head = nn.Linear(16 * 7 * 7, 5)
end
function Net:forward(x) return self.head(self.features(x)) end
manual_seed(0)
pre = Net()
src_acc = evaluate(pre, src_test).accuracy]],
      check = function(env)
        local ok, msg = need_net(env, "pre")
        if not ok then return ok, msg end
        local acc, err = accuracy_on(env.pre, ref_digits("test", 0, 4))
        if not acc then return false, { en = "evaluate(pre, src_test) failed: " .. err, ko = "evaluate(pre, src_test)가 실패했습니다: " .. err } end
        local v = value(env.src_acc)
        if not finite(v) or math.abs(v - acc) > 1e-6 then
          return false, { en = ("src_acc should be pre's accuracy on src_test, %.3f, got %s"):format(acc, tostring(env.src_acc)),
                          ko = ("src_acc는 src_test에서 pre의 정확도 %.3f여야 하는데 %s입니다"):format(acc, tostring(env.src_acc)) }
        end
        if acc < 0.9 then
          return false, { en = ("pre gets only %.1f%% of the digits 0–4 right: pretrain it with fit (3 epochs)"):format(100 * acc),
                          ko = ("pre는 숫자 0–4의 %.1f%%만 맞힙니다: fit으로 사전 학습하세요 (3 에폭)"):format(100 * acc) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Way 1, a frozen feature extractor: a new Net whose features get the pretrained weights and
are then frozen with requires_grad_(false) — autograd computes no gradient for them — and
an optimizer over the parameters that still need one, the new head only. Count how many
parameters are trained, and train 100 steps on the 25 labelled digits 5–9 (each step sees
all 25, randomly moved a little).]],
        ko = [[
방법 1, 고정된 특성 추출기: 새 Net의 features에 사전 학습된 가중치를 넣은 다음
requires_grad_(false)로 고정하고 (autograd가 그 기울기를 계산하지 않음), 아직 기울기가 필요한
파라미터, 즉 새 head만 옵티마이저에 넘깁니다. 학습되는 파라미터 수를 세고, 레이블 있는 숫자 5–9
25장으로 100단계 학습합니다 (매 단계 25장 전부를, 조금씩 무작위로 옮겨서 봅니다).]],
      },
      code = FROZEN .. [[

print(n_trained .. " of " .. frozen:num_parameters() .. " parameters are trained")
print(("frozen features: %.1f%% of the test digits 5-9"):format(100 * results.frozen))]],
      wrong = HELPERS .. [[
manual_seed(1)
frozen = Net()
frozen.features:requires_grad_(false)
n_trained = count(trainable(frozen))]],
      check = function(env)
        local ok, msg = need_net(env, "frozen")
        if not ok then return ok, msg end
        if not (is_module(env.pre) and is_module(env.pre.features)) then
          return false, { en = "pre (step 2) is missing", ko = "pre(2단계)가 없습니다" }
        end
        local fp = env.frozen.features:parameters()
        for _, p in ipairs(fp) do
          if p.needs_grad then
            return false, { en = "frozen.features still requires gradients: frozen.features:requires_grad_(false)",
                            ko = "frozen.features가 아직 기울기를 요구합니다: frozen.features:requires_grad_(false)" }
          end
        end
        local d = max_diff(fp, env.pre.features:parameters())
        if d == nil or d > 0 then
          return false, { en = "frozen.features should hold the pretrained weights: frozen.features:load_state_dict(pre.features:state_dict()) before freezing",
                          ko = "frozen.features에는 사전 학습된 가중치가 있어야 합니다: 고정하기 전에 frozen.features:load_state_dict(pre.features:state_dict())" }
        end
        for _, p in ipairs(env.frozen.head:parameters()) do
          if not p.needs_grad then
            return false, { en = "the head must stay trainable: freeze frozen.features only, not the whole model",
                            ko = "head는 학습 가능해야 합니다: 모델 전체가 아니라 frozen.features만 고정하세요" }
          end
        end
        local want = env.frozen.head.weight:numel() + env.frozen.head.bias:numel()
        if value(env.n_trained) ~= want then
          return false, { en = ("n_trained = %s, but only the head's %d parameters are trained"):format(tostring(env.n_trained), want),
                          ko = ("n_trained = %s인데, 학습되는 것은 head의 파라미터 %d개뿐입니다"):format(tostring(env.n_trained), want) }
        end
        if type(env.results) ~= "table" then
          return false, { en = "keep the accuracy in results.frozen", ko = "정확도를 results.frozen에 담으세요" }
        end
        local ok2, acc = truthful(env, env.frozen, env.results.frozen, "results.frozen")
        if not ok2 then return ok2, acc end
        if acc < 0.4 then
          return false, { en = ("the frozen model gets %.1f%% (chance is 20%%): train its head with train_steps(frozen, 3e-3)"):format(100 * acc),
                          ko = ("고정된 모델의 정확도가 %.1f%%입니다 (찍으면 20%%): train_steps(frozen, 3e-3)으로 head를 학습시키세요"):format(100 * acc) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Way 2, fine-tuning: start from the pretrained features too, but train everything, with a
smaller learning rate so that the useful features are adjusted rather than overwritten.
Way 3, from scratch: the same network from random weights. Compare the three, and their
accuracy every 10 steps. Then be honest about the noise: on 250 test digits an accuracy
has a standard error se = sqrt(p(1 − p)/n) of about 3 points, and a difference of two
accuracies about √2·se. After 100 steps the three end within that noise (about 74% each):
on digits random 3×3 filters already see strokes, and our source set is tiny. What the
pretrained features give here is a head start: after 30 steps the frozen ones lead
scratch by about 10 points (gap30), well beyond √2·se; after 100 the lead is gone
(gap100). Transfer pays most when the source set is large and the target set small: the
experiment `nabla run experiments/transfer.lua` pretrains on 60,000 Fashion-MNIST images
and trains on 10 or 100 MNIST digits per class.]],
        ko = [[
방법 2, 미세 조정(fine-tuning): 역시 사전 학습된 features에서 시작하지만 전부 학습시키되, 쓸모
있는 특성을 덮어쓰지 않고 다듬도록 학습률을 작게 합니다. 방법 3, 처음부터: 같은 신경망을 무작위
가중치에서 학습합니다. 세 가지를, 그리고 10 스텝마다의 정확도를 비교해 보세요. 그다음 노이즈에
대해 솔직해집시다. 테스트 숫자 250장에서 정확도의 표준 오차 se = sqrt(p(1 − p)/n)는 약 3%p이고,
두 정확도의 차이는 약 √2·se입니다. 100 스텝 뒤 셋은 그 노이즈 안에서 끝납니다 (모두 약 74%).
숫자 이미지에서는 무작위 3×3 필터도 이미 획을 보고, 우리 원본 데이터는 아주 작기 때문입니다.
여기서 사전 학습된 특성이 주는 것은 빠른 출발입니다. 30 스텝 뒤 고정된 특성은 처음부터 학습한
모델보다 약 10%p 앞서고(gap30), 이는 √2·se를 훌쩍 넘습니다. 100 스텝 뒤에는 그 차이가
사라집니다(gap100). 전이 학습은 원본 데이터가 크고 목표 데이터가 작을 때 가장 큰 힘을 발휘합니다.
`nabla run experiments/transfer.lua` 실험은 Fashion-MNIST 60,000장으로 사전 학습하고 MNIST
숫자를 클래스마다 10장 또는 100장으로 학습합니다.]],
      },
      code = OTHERS .. [[

for _, k in ipairs({ "frozen", "finetuned", "scratch" }) do
  print(("%-10s %d trained parameters  %.1f%%"):format(k, count(trainable(_G[k])), 100 * results[k]))
end
print(("standard error: ±%.1f points"):format(100 * se))
print(("frozen − scratch: %+.1f points after 30 steps, %+.1f after 100"):format(100 * gap30, 100 * gap100))
steps = { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100 }
plot.lines{ frozen = { steps, curves.frozen }, finetuned = { steps, curves.finetuned }, scratch = { steps, curves.scratch } }]],
      wrong = [[
manual_seed(1)
finetuned = Net()
manual_seed(1)
scratch = Net()]],
      check = function(env)
        for _, name in ipairs({ "finetuned", "scratch" }) do
          local ok, msg = need_net(env, name)
          if not ok then return ok, msg end
        end
        if not (is_module(env.pre) and type(env.results) == "table") then
          return false, { en = "pre (step 2) and results (step 3) are missing", ko = "pre(2단계)와 results(3단계)가 없습니다" }
        end
        local pf = env.pre.features:parameters()
        local size = norm_of(pf)
        local dft = max_diff(env.finetuned.features:parameters(), pf)
        local dsc = max_diff(env.scratch.features:parameters(), pf)
        if not dft or not dsc then
          return false, { en = "finetuned and scratch should both be Net()", ko = "finetuned와 scratch는 둘 다 Net()이어야 합니다" }
        end
        for _, p in ipairs(env.finetuned.features:parameters()) do
          if not p.needs_grad then
            return false, { en = "fine-tuning trains the features too: leave them trainable", ko = "미세 조정은 features도 학습합니다: 학습 가능하게 두세요" }
          end
        end
        -- fine-tuned features moved a little from the pretrained ones; scratch ones are unrelated
        local moved = {}
        for i, p in ipairs(env.finetuned.features:parameters()) do moved[i] = p - pf[i] end
        local rel = norm_of(moved) / size
        if dft == 0 then
          return false, { en = "finetuned.features did not change: train the whole model (an optimizer over all its parameters)",
                          ko = "finetuned.features가 변하지 않았습니다: 모델 전체를 학습시키세요 (모든 파라미터에 대한 옵티마이저)" }
        end
        if rel > 0.5 then
          return false, { en = ("finetuned.features are far from the pretrained ones (relative distance %.2f): load pre.features:state_dict() before training"):format(rel),
                          ko = ("finetuned.features가 사전 학습된 것과 멉니다 (상대 거리 %.2f): 학습 전에 pre.features:state_dict()를 불러오세요"):format(rel) }
        end
        for _, name in ipairs({ "finetuned", "scratch" }) do
          local ok, acc = truthful(env, env[name], env.results[name], "results." .. name)
          if not ok then return ok, acc end
        end
        local p = value(env.results.scratch)
        local want = math.sqrt(p * (1 - p) / 250)
        if not finite(value(env.se)) or math.abs(value(env.se) - want) > 1e-6 then
          return false, { en = ("se should be sqrt(p(1 − p)/n) for p = results.scratch and n = 250 test digits: %.4f"):format(want),
                          ko = ("se는 p = results.scratch, n = 테스트 숫자 250장일 때 sqrt(p(1 − p)/n) = %.4f여야 합니다"):format(want) }
        end
        local c = env.curves
        if type(c) ~= "table" or type(c.frozen) ~= "table" or type(c.scratch) ~= "table" or #c.frozen < 3 or #c.scratch < 3 then
          return false, { en = "keep each way's accuracy every 10 steps in curves[name] (train_steps returns it)",
                          ko = "방법마다 10 스텝마다의 정확도를 curves[name]에 담으세요 (train_steps가 돌려줍니다)" }
        end
        local g30, g100 = c.frozen[3] - c.scratch[3], value(env.results.frozen) - p
        if not (finite(value(env.gap30)) and math.abs(value(env.gap30) - g30) < 1e-9
                and finite(value(env.gap100)) and math.abs(value(env.gap100) - g100) < 1e-9) then
          return false, { en = "gap30 = curves.frozen[3] − curves.scratch[3] (after 30 steps), gap100 = results.frozen − results.scratch",
                          ko = "gap30 = curves.frozen[3] − curves.scratch[3] (30 스텝 뒤), gap100 = results.frozen − results.scratch로 정하세요" }
        end
        if not (g30 > math.sqrt(2) * want) then
          return false, { en = ("after 30 steps the frozen features lead scratch by only %.1f points, within √2·se = %.1f: pretrain pre as in step 2, and give each way its learning rate"):format(100 * g30, 100 * math.sqrt(2) * want),
                          ko = ("30 스텝 뒤 고정된 특성이 처음부터 학습한 모델보다 %.1f%%p만 앞서서 √2·se = %.1f%%p 안에 있습니다. 2단계처럼 pre를 사전 학습하고, 방법마다 자기 학습률을 주세요"):format(100 * g30, 100 * math.sqrt(2) * want) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Now depth. A deeper network can represent everything a shallower one can (its extra layers
could just pass their input on), yet past some depth a PLAIN stack trains worse, even on
its training set: the degradation problem (He et al. 2015). It is not vanishing gradients:
He et al. used batch norm, checked that the gradients kept a healthy size, and called it
an optimisation difficulty. Residual blocks compute y = x + F(x) (nn.Residual): passing
the input on is the default (F = 0), and in backprop the "+" hands the gradient straight
down. Build a 20-block plain network (with batch norm) and the same with residual blocks,
run one backward, and compare the gradient at block 1 with the one at block 20
(inspect(plain20) shows every parameter's ‖grad‖). Nothing vanishes: in the plain stack
block 1's gradient comes out about 36 times LARGER than block 20's, in the residual one
within a small factor.]],
        ko = [[
이제 깊이입니다. 더 깊은 신경망은 얕은 신경망이 나타내는 모든 것을 나타낼 수 있지만 (추가된 층이
입력을 그대로 넘기기만 하면 되니까), 어느 깊이를 넘으면 '평범한(plain)' 층 쌓기는 학습 세트에서조차
더 나빠집니다. 이것이 성능 저하(degradation) 문제입니다 (He 외 2015). 기울기 소실 때문이 아닙니다.
He 등은 배치 정규화를 쓰고 기울기 크기가 건강하게 유지되는 것을 확인한 뒤, 이를 최적화의 어려움이라고
했습니다. 잔차 블록은 y = x + F(x)를 계산하므로 (nn.Residual) 입력을 그대로 넘기는 것이 기본값이고
(F = 0), 역전파에서 "+"가 기울기를 아래로 곧장 전달합니다. 블록 20개짜리 평범한 신경망(배치 정규화
포함)과 잔차 블록으로 된 같은 신경망을 만들고, backward를 한 번 한 뒤, 블록 1의 기울기와 블록 20의
기울기를 비교해 보세요 (inspect(plain20)은 모든 파라미터의 ‖grad‖를 보여 줍니다). 사라지는 것은
없습니다. 평범한 신경망에서는 블록 1의 기울기가 블록 20보다 약 36배 '더 크고', 잔차 신경망에서는
작은 배율 안에 있습니다.]],
      },
      code = DEEP .. [[

print(("‖grad‖ block 1 / block 20: plain %.1f, residual %.1f"):format(ratio.plain, ratio.residual))
log_plain, log_res, blocks = {}, {}, {}
for k = 1, 20 do blocks[k], log_plain[k], log_res[k] = k, math.log(g_plain[k], 10), math.log(g_res[k], 10) end
plot.lines{ plain = { blocks, log_plain }, residual = { blocks, log_res } }   -- log10 ‖grad‖ per block
inspect(plain20)]],
      wrong = DEEP:gsub("ratio = { plain = g_plain%[1%] / g_plain%[20%], residual = g_res%[1%] / g_res%[20%] }",
        "ratio = { plain = g_plain[20] / g_plain[1], residual = g_res[20] / g_res[1] }"),
      check = function(env)
        local n = nb()
        if not (is_module(env.plain20) and is_module(env.res20)) then
          return false, { en = "make plain20 = deep(\"plain\", 20) and res20 = deep(\"residual\", 20)", ko = "plain20 = deep(\"plain\", 20)과 res20 = deep(\"residual\", 20)을 만드세요" }
        end
        if type(env.ratio) ~= "table" then
          return false, { en = "make ratio = { plain = ..., residual = ... }", ko = "ratio = { plain = ..., residual = ... }를 만드세요" }
        end
        -- one backward on the first 100 digits, the learner's gradients left as they were
        local train = n.data.mnist{ split = "train", small = true }
        local ids = {}
        for i = 1, 100 do ids[i] = i end
        local xb, yb = train:batch(ids)
        xb = xb:view(100, 784)
        local function ratio_of(model)
          local linears = {}
          for k = 1, 20 do
            local block = model[k + 2]
            local lin = is_module(block) and (block.block and block.block[3] or block[3])
            if not is_module(lin) or not lin.weight then return nil end
            linears[k] = lin.weight
          end
          local saved = {}
          local ps = model:parameters()
          for i, p in ipairs(ps) do saved[i] = p.grad; p.grad = nil end
          local ok, err = pcall(function() n.cross_entropy(model(xb), yb):backward() end)
          local r = ok and linears[1].grad:norm():item() / linears[20].grad:norm():item() or nil
          for i, p in ipairs(ps) do p.grad = saved[i] end
          return r, err
        end
        local rp, rr = ratio_of(env.plain20), ratio_of(env.res20)
        if not rp or not rr then
          return false, { en = "plain20 and res20 should be deep(...) networks: 20 blocks after Linear(784, 32) and ReLU",
                          ko = "plain20과 res20은 deep(...) 신경망이어야 합니다: Linear(784, 32)와 ReLU 다음에 블록 20개" }
        end
        for _, item in ipairs({ { "plain", rp }, { "residual", rr } }) do
          local got = value(env.ratio[item[1]])
          if not finite(got) or math.abs(got - item[2]) > 1e-3 * item[2] then
            return false, { en = ("ratio.%s = %s, but ‖grad of block 1‖ / ‖grad of block 20‖ is %.3f (block 1 is the one nearest the input)"):format(item[1], tostring(got), item[2]),
                            ko = ("ratio.%s = %s인데, ‖블록 1의 기울기‖ / ‖블록 20의 기울기‖는 %.3f입니다 (블록 1이 입력에 가장 가까운 블록)"):format(item[1], tostring(got), item[2]) }
          end
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Does it matter for training? Train a 2-block plain network, the 20-block plain one and the
20-block residual one the same way (Adam on the same 1,000 digits) and measure the loss on
those TRAINING digits after every epoch: this is not about overfitting, it is about how
low the optimizer can bring the training loss at all. Train long enough to see the curves
flatten: after 10 epochs the 2-block and the residual network are near 0, the deep plain
one still far above (measured with 20 epochs: 0.45 against 0.01). The full experiment,
with convolutional ResNet blocks (nn.BasicBlock) of 8 and 32 layers on Fashion-MNIST:
`nabla run experiments/resnet.lua`.]],
        ko = [[
학습에 차이가 날까요? 블록 2개짜리 평범한 신경망, 블록 20개짜리 평범한 신경망, 블록 20개짜리 잔차
신경망을 같은 방식으로 (같은 숫자 1,000장으로 Adam) 학습시키고, 에폭마다 그 '학습' 숫자들에서의
손실을 측정하세요. 과적합 이야기가 아니라, 옵티마이저가 학습 손실을 애초에 얼마나 낮출 수 있느냐의
이야기입니다. 곡선이 평평해지는 것이 보일 만큼 오래 학습하세요. 10 에폭 뒤 블록 2개짜리와 잔차
신경망은 0 가까이 가지만, 깊은 평범한 신경망은 아직 한참 위에 있습니다 (20 에폭으로 측정하면
0.45 대 0.01). 합성곱 ResNet 블록(nn.BasicBlock)으로 8층과 32층을 Fashion-MNIST에서 비교하는
전체 실험은 `nabla run experiments/resnet.lua`입니다.]],
      },
      code = TRAIN_DEEP .. [[

for _, k in ipairs({ "plain2", "plain20", "residual20" }) do print(k, train_loss[k]) end
plot.lines(deep_curves, { xlabel = "epoch", ylabel = "training loss" })]],
      wrong = [[
models, train_loss = {}, {}
for _, c in ipairs({ { "plain", 2 }, { "plain", 20 }, { "residual", 20 } }) do
  local name = c[1] .. c[2]
  manual_seed(0)
  models[name] = deep(c[1], c[2])
  models[name]:eval()
  train_loss[name] = no_grad(function() return cross_entropy(models[name](X), Y):item() end)
end]],
      check = function(env)
        local n = nb()
        if type(env.models) ~= "table" or type(env.train_loss) ~= "table" then
          return false, { en = "make the tables models and train_loss", ko = "models와 train_loss 테이블을 만드세요" }
        end
        local train = n.data.mnist{ split = "train", small = true }
        local ids = {}
        for i = 1, 1000 do ids[i] = i end
        local X, Y = train:batch(ids)
        X = X:view(1000, 784)
        local loss = {}
        for _, name in ipairs({ "plain2", "plain20", "residual20" }) do
          local m = env.models[name]
          if not is_module(m) then
            return false, { en = ("models.%s is missing"):format(name), ko = ("models.%s 모델이 없습니다"):format(name) }
          end
          local was = m.training
          m:eval()
          local ok, l = pcall(function() return n.no_grad(function() return n.cross_entropy(m(X), Y):item() end) end)
          if was then m:train() end
          if not ok then return false, { en = ("models.%s fails on the 1,000 digits: %s"):format(name, why(l)), ko = ("models.%s 모델이 숫자 1,000장에서 실패합니다: %s"):format(name, why(l)) } end
          local got = value(env.train_loss[name])
          if not finite(got) or math.abs(got - l) > 1e-4 * math.max(1, l) then
            return false, { en = ("train_loss.%s should be models.%s's loss on the 1,000 training digits in eval mode, %.4f, got %s"):format(name, name, l, tostring(got)),
                            ko = ("train_loss.%s 값은 eval 모드에서 숫자 1,000장에 대한 models.%s의 손실 %.4f여야 하는데 %s입니다"):format(name, name, l, tostring(got)) }
          end
          loss[name] = l
        end
        if not (loss.plain2 < 0.5) then
          return false, { en = ("the 2-block network should fit its training digits (loss %.3f): train each model with train_deep"):format(loss.plain2),
                          ko = ("블록 2개짜리 신경망은 학습 숫자를 맞춰야 합니다 (손실 %.3f): 모델마다 train_deep으로 학습시키세요"):format(loss.plain2) }
        end
        if type(env.deep_curves) ~= "table" or type(env.deep_curves.plain20) ~= "table" or #env.deep_curves.plain20 < 10 then
          return false, { en = "keep each model's training loss after every epoch in deep_curves[name] (10 epochs)",
                          ko = "모델마다 에폭별 학습 손실을 deep_curves[name]에 담으세요 (10 에폭)" }
        end
        if not (loss.plain20 > 3 * loss.plain2 and loss.residual20 < loss.plain20 / 3) then
          return false, { en = ("expected the deep plain network to fit worst: plain2 %.3f, plain20 %.3f, residual20 %.3f — same training for all three?"):format(loss.plain2, loss.plain20, loss.residual20),
                          ko = ("깊은 평범한 신경망이 가장 못 맞춰야 합니다: plain2 %.3f, plain20 %.3f, residual20 %.3f — 셋을 같은 방식으로 학습시켰나요?"):format(loss.plain2, loss.plain20, loss.residual20) }
        end
        return true
      end,
    },
    {
      text = { en = "Why does the deep plain network fit its own training set worse?", ko = "깊은 평범한 신경망은 왜 자기 학습 세트조차 더 못 맞출까요?" },
      quiz = {
        question = { en = "The 20-block plain network ends with a higher TRAINING loss than the 2-block one, though its extra blocks could simply pass their input on. What is going on?",
                     ko = "블록 20개짜리 평범한 신경망은 추가 블록이 입력을 그대로 넘기기만 해도 될 텐데, 블록 2개짜리보다 '학습' 손실이 더 높게 끝납니다. 무슨 일일까요?" },
        choices = {
          { en = "It overfits: with so many layers it memorises the training set",
            ko = "과적합이다: 층이 그렇게 많으니 학습 세트를 외운다" },
          { en = "It has too few parameters for the task, fewer than the 2-block net",
            ko = "과제에 비해 파라미터가 너무 적고, 블록 2개짜리보다도 적다" },
          { en = "It is an optimisation problem: SGD does not find the identity for the extra blocks",
            ko = "최적화가 어려워진다: SGD가 추가 블록에서 항등 함수를 찾아내지 못한다" },
          { en = "Its first blocks receive vanishing gradients, so they never learn anything useful",
            ko = "앞쪽 블록에는 기울기가 소실되어 도달하므로, 그 블록들은 아무것도 배우지 못한다" },
        },
        answer = 3,
        explain = { en = "Right: it is an optimisation difficulty, not capacity, overfitting or vanishing gradients (block 1's gradient is even larger than block 20's). y = x + F(x) makes passing the input on the default: the residual network of the same depth, same batch norm, fits its training digits well.",
                    ko = "맞습니다: 용량, 과적합, 기울기 소실이 아니라 최적화의 어려움입니다 (블록 1의 기울기는 오히려 블록 20보다 큽니다). y = x + F(x)는 입력을 그대로 넘기는 것을 기본값으로 만듭니다. 배치 정규화까지 같은, 같은 깊이의 잔차 신경망은 학습 숫자를 잘 맞춥니다." },
        wrong = {
          [1] = { en = "Overfitting would give a LOW training loss and a high test loss; here the training loss itself is high.",
                  ko = "과적합이라면 학습 손실은 '낮고' 테스트 손실이 높아야 합니다. 여기서는 학습 손실 자체가 높습니다." },
          [2] = { en = "It has MORE parameters than the 2-block network, which fits fine.",
                  ko = "블록 2개짜리보다 파라미터가 '더' 많은데, 2개짜리는 잘 맞춥니다." },
          [4] = { en = "Measure it: the gradient reaching block 1 is even larger than block 20's. He et al. saw the same degradation with batch norm: it is not vanishing gradients.",
                  ko = "측정해 보세요. 블록 1에 도달하는 기울기는 블록 20보다 오히려 큽니다. He 외 연구진도 배치 정규화를 쓴 신경망에서 같은 성능 저하를 보았습니다. 기울기 소실이 아닙니다." },
        },
      },
    },
  },
}

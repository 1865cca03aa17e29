-- Lesson 8: regularization — an MLP that learns 100 wrong MNIST labels by heart, and ten
-- ways to stop it, each switched on alone against the same baseline: early stopping, L2 in
-- Adam vs AdamW's decoupled decay (by hand), dropout, batch norm, group norm, input noise,
-- label smoothing, mixup and cutmix; the results in one table.
local function nb() return require "nabla" end

local L = require "nabla.lesson"
local C = L.checks
local value, finite, msg, close = C.value, C.finite, C.msg, C.close

local NAMES = { "baseline", "early_stop", "l2", "adamw", "dropout", "batchnorm", "groupnorm",
                "noise", "smoothing", "mixup", "cutmix" }

-- the data, rebuilt independently of the learner's session, and what the checks measure on
-- it (lessons/lib/noisy_digits.lua)
local D = L.lib("noisy_digits")
local reference_data, accuracy, memorized_ref = D.data, D.accuracy, D.memorized

local function all_ids(k)
  local t = {}
  for i = 1, k do t[i] = i end
  return t
end

local function has_layer(model, name)
  for _, m in ipairs(model:modules()) do
    if m.__name == name then return m end
  end
  return nil
end

-- results[name] exists, and its numbers are what its model really does (re-measured here)
local function check_row(env, name)
  if type(env.results) ~= "table" then
    return false, msg("make the table results and the function experiment (step 2)",
                      "results 테이블과 experiment 함수를 만드세요 (2단계)")
  end
  local row = env.results[name]
  if type(row) ~= "table" then
    return false, msg(("results.%s is missing: run experiment(\"%s\", ...)"):format(name, name),
                      ("results.%s 항목이 없습니다: experiment(\"%s\", ...)를 실행하세요"):format(name, name))
  end
  if type(row.model) ~= "table" or type(row.model.modules) ~= "function" then
    return false, msg(("results.%s.model should be the trained model"):format(name),
                      ("results.%s.model은 학습한 모델이어야 합니다"):format(name))
  end
  local r = reference_data()
  local tr, va = accuracy(row.model, r.x, r.noisy), accuracy(row.model, r.vx, r.vy:tolist())
  if not tr or not va then
    return false, msg(("results.%s.model does not run on 14×14 digits"):format(name),
                      ("results.%s.model이 14×14 숫자 이미지에서 실행되지 않습니다"):format(name))
  end
  local rt, rv = value(row.train), value(row.val)
  if not finite(rt) or not finite(rv) or math.abs(rt - tr) > 1e-6 or math.abs(rv - va) > 1e-6 then
    return false, msg(("results.%s says train %s, val %s, but its model scores %.3f and %.3f: measure both with evaluate() after training"):format(name, tostring(row.train), tostring(row.val), tr, va),
                      ("results.%s에 적힌 값(train %s, val %s)과 모델의 실제 정확도(%.3f, %.3f)가 다릅니다: 학습 뒤 evaluate()로 측정하세요"):format(name, tostring(row.train), tostring(row.val), tr, va))
  end
  local mem = memorized_ref(row.model)
  if value(row.memorized) ~= mem then
    return false, msg(("results.%s.memorized should be %d (the wrong labels its model gives back), it is %s"):format(name, mem, tostring(row.memorized)),
                      ("results.%s.memorized는 %d(모델이 그대로 내놓는 틀린 레이블 수)여야 하는데 %s입니다"):format(name, mem, tostring(row.memorized)))
  end
  if type(row.history) ~= "table" or type(row.history.val_loss) ~= "table" or #row.history.val_loss ~= row.epochs then
    return false, msg(("results.%s.history should be fit's history (with val_loss), and epochs its length"):format(name),
                      ("results.%s.history는 fit의 기록(val_loss 포함), epochs는 그 길이여야 합니다"):format(name))
  end
  return true, row
end

-- the same 30 epochs as the baseline, unless early stopping cut them
local function check_full(name, row)
  if row.epochs ~= 30 then
    return false, msg(("results.%s ran %s epochs; every technique gets the baseline's 30"):format(name, tostring(row.epochs)),
                      ("results.%s 실행은 %s 에폭 학습했습니다. 모든 기법은 기준 모델과 같은 30 에폭입니다"):format(name, tostring(row.epochs)))
  end
  return true
end

local function near_list(got, want, tol)
  if type(got) ~= "table" or #got ~= #want then return false end
  for i = 1, #want do
    if not finite(value(got[i])) or math.abs(value(got[i]) - want[i]) > tol then return false end
  end
  return true
end

local function fmt_list(t)
  if type(t) ~= "table" then return tostring(t) end
  local s = {}
  for i, v in ipairs(t) do s[i] = ("%.4g"):format(value(v) or 0 / 0) end
  return "{" .. table.concat(s, ", ") .. "}"
end

-- one optimizer step on w = {2, 2} with loss 3·w[1] (w[2] gets no gradient)
local function one_step_ref(make)
  local n = nb()
  local w = n.tensor { 2, 2 }:requires_grad()
  local opt = make({ w })
  opt:zero_grad();
  (3 * w[1]):backward()
  opt:step()
  return w:tolist()
end

-- the model and the count of wrong labels given back, ready made (the learner types the
-- key lines of experiment: the seed, the model and its optimizer, the two measurements)
local STEP2_GIVEN = [=[
function make_model(o)
  local layers = { nn.Flatten(), nn.Linear(196, 128) }
  if o.norm == "batch" then layers[#layers + 1] = nn.BatchNorm1d(128) end
  if o.norm == "group" then layers[#layers + 1] = nn.GroupNorm(8, 128) end
  layers[#layers + 1] = nn.ReLU()
  if o.dropout then layers[#layers + 1] = nn.Dropout(o.dropout) end
  layers[#layers + 1] = nn.Linear(128, 10)
  return nn.Sequential(layers)
end
-- memorized(model): how many of the 100 wrong labels the model gives back (in eval mode)
memorized = require("nabla.lesson").lib("noisy_digits").memorized

results = {}
function experiment(name, o)
  o = o or {}
]=]

local STEP2_KEY = [=[
  manual_seed(1)
  local model = make_model(o)
  local opt = o.optimizer and o.optimizer(model:parameters())
              or optim.Adam(model:parameters(), { lr = 3e-3 })
]=]

local STEP2_FIT = [=[
  local loader = data.loader(train_set, { batch = 50, shuffle = true, seed = 0, augment = o.augment })
  local h = fit(model, loader, { epochs = o.epochs or 30, optimizer = opt, loss = o.loss,
                                 val = val_set, early_stop = o.early_stop, quiet = true, progress = false })
]=]

local STEP2_MEASURE = [=[
  local train = evaluate(model, train_set).accuracy
  local val = evaluate(model, val_set).accuracy
]=]

local STEP2_END = [=[
  local row = { train = train, val = val, memorized = memorized(model), epochs = #h.epoch,
                history = h, model = model, optimizer = opt, opts = o }
  results[name] = row
  print(("%-10s train %5.1f%%  val %5.1f%%  memorized %3d/100  %d epochs"):format(
    name, 100 * row.train, 100 * row.val, row.memorized, row.epochs))
end]=]

local STEP2_CODE = STEP2_GIVEN .. STEP2_KEY .. STEP2_FIT .. STEP2_MEASURE .. STEP2_END

-- what step 2 shows: the key lines left to the learner
local STEP2_SHOWN = STEP2_GIVEN .. [=[
  ???   -- your lines: manual_seed(1) (every run: the same first weights, the same
        -- batches); model = make_model(o); opt = o.optimizer(its parameters) when
        -- given, else Adam with lr 3e-3
]=] .. STEP2_FIT .. [=[
  ???   -- your lines: train and val, the accuracies of the FINISHED model, measured
        -- by evaluate() in eval mode on train_set and val_set
]=] .. STEP2_END

return {
  id = "regularization",
  order = 8,
  title = { en = "Regularization", ko = "정규화 (규제)" },
  steps = {
    -- 1 ------------------------------------------------------------------------------------
    {
      text = {
        en = [[
A network with enough weights can learn its training set by heart, mistakes included.
To see that happen, we give it mistakes: 500 MNIST digits (shrunk to 14×14, so that each
training run takes a fraction of a second) where every 5th label is wrong — a careless
annotator wrote the next digit (a 3 labelled 4, a 9 labelled 0). 80% of the labels are
right, so any training accuracy above 80% is wrong labels learnt by heart.
The 500 test digits are our validation set: digits the model never trains on.
Remember: digit d is class d + 1, so "the next digit" of class c is c % 10 + 1.
Regularization is whatever keeps a model from fitting its training set too well; the next
steps try ten kinds, one at a time, against the same baseline.]],
        ko = [[
가중치가 충분히 많은 신경망은 학습 세트를 실수까지 통째로 외울 수 있습니다. 그걸 직접
보려고 일부러 실수를 넣겠습니다: MNIST 숫자 500개(학습 한 번이 1초도 안 걸리도록 14×14로
줄임) 중 5개마다 하나의 레이블이 틀렸습니다 — 부주의한 작업자가 다음 숫자를 적었습니다
(3을 4로, 9를 0으로). 레이블의 80%만 맞으므로, 학습 정확도가 80%를 넘는다면 그만큼 틀린
레이블을 외웠다는 뜻입니다. 테스트 숫자 500개는 검증 세트로 씁니다: 모델이 학습에 쓰지 않는
숫자들입니다.
기억하세요: 숫자 d는 클래스 d + 1이므로, 클래스 c의 "다음 숫자"는 c % 10 + 1입니다.
정규화(regularization, '규제'라고도 함)는 모델이 학습 세트에 지나치게 들어맞지 않도록 막는 모든
방법입니다 (배치 정규화의 '정규화'(normalization)와는 다른 말입니다). 이어지는 단계에서 열 가지
방법을 하나씩, 같은 기준 모델과 비교해 봅니다.]],
      },
      code = [=[
digits = data.mnist{ split = "train", small = true }     -- 2,000 digits, 200 of each
ids = {}
for i = 1, 500 do ids[i] = 4 * i - 3 end                 -- every 4th: 500 digits
x, y = digits:batch(ids)
x = avg_pool2d(x, 2)                                     -- 28×28 → 14×14
true_labels = y:tolist()
labels = {}
for i = 1, 500 do
  labels[i] = true_labels[i]
  if i % 5 == 0 then labels[i] = labels[i] % 10 + 1 end  -- every 5th: the next digit
end
train_set = data.dataset(x, tensor(labels), { classes = data.MNIST_CLASSES })
test = data.mnist{ split = "test", small = true }         -- 500 other digits
vids = {}
for i = 1, #test do vids[i] = i end
val_x, val_y = test:batch(vids)
val_x = avg_pool2d(val_x, 2)
val_set = data.dataset(val_x, val_y, { classes = data.MNIST_CLASSES })
print(train_set, val_set)
print(("digit 5 is a %d, labelled %d"):format(true_labels[5] - 1, labels[5] - 1))
plot.image(x[5][1])]=],
      solution = [=[
digits = data.mnist{ split = "train", small = true }
ids = {}
for i = 1, 500 do ids[i] = 4 * i - 3 end
x, y = digits:batch(ids)
x = avg_pool2d(x, 2)
true_labels = y:tolist()
labels = {}
for i = 1, 500 do
  labels[i] = true_labels[i]
  if i % 5 == 0 then labels[i] = labels[i] % 10 + 1 end
end
train_set = data.dataset(x, tensor(labels), { classes = data.MNIST_CLASSES })
test = data.mnist{ split = "test", small = true }
vids = {}
for i = 1, #test do vids[i] = i end
val_x, val_y = test:batch(vids)
val_x = avg_pool2d(val_x, 2)
val_set = data.dataset(val_x, val_y, { classes = data.MNIST_CLASSES })]=],
      wrong = [=[
digits = data.mnist{ split = "train", small = true }
ids = {}
for i = 1, 500 do ids[i] = 4 * i - 3 end
x, y = digits:batch(ids)
x = avg_pool2d(x, 2)
true_labels = y:tolist()
labels = {}
for i = 1, 500 do
  labels[i] = true_labels[i]
  if i % 5 == 0 then labels[i] = labels[i] + 1 end
end
train_set = data.dataset(x, tensor(labels), { classes = data.MNIST_CLASSES })
test = data.mnist{ split = "test", small = true }
vids = {}
for i = 1, #test do vids[i] = i end
val_x, val_y = test:batch(vids)
val_x = avg_pool2d(val_x, 2)
val_set = data.dataset(val_x, val_y, { classes = data.MNIST_CLASSES })]=],
      check = function(env)
        local n = nb()
        local r = reference_data()
        for _, name in ipairs({ "train_set", "val_set" }) do
          local ds = env[name]
          if type(ds) ~= "table" or type(ds.batch) ~= "function" or #ds ~= 500 then
            return false, msg(("make %s, a data.dataset of 500 digits"):format(name),
                              ("%s: 숫자 500개짜리 data.dataset으로 만드세요"):format(name))
          end
        end
        local tx, ty = env.train_set:batch(all_ids(500))
        local vx, vy = env.val_set:batch(all_ids(500))
        if tx.shape[3] ~= 14 or tx.shape[4] ~= 14 or vx.shape[3] ~= 14 or vx.shape[4] ~= 14 then
          return false, msg("both sets should hold 14×14 images: avg_pool2d(x, 2) halves each side",
                            "두 세트 모두 14×14 이미지여야 합니다: avg_pool2d(x, 2)가 각 변을 절반으로 줄입니다")
        end
        if (tx - r.x):abs():max():item() > 1e-5 or (vx - r.vx):abs():max():item() > 1e-5 then
          return false, msg("the images differ from the recipe: every 4th training digit (ids 1, 5, 9, ...) and all 500 test digits, avg-pooled",
                            "이미지가 만드는 법과 다릅니다: 학습 숫자 4개마다 하나(1, 5, 9, ...)와 테스트 숫자 500개 전부를 avg_pool2d로 줄이세요")
        end
        local got = ty:tolist()
        for i = 1, 500 do
          local c = got[i]
          if c ~= math.floor(c) or c < 1 or c > 10 then
            return false, msg(("label %d is %s, not a class id 1..10: digit 9 is class 10, and the digit after 9 is 0, class 1 — use labels[i] %% 10 + 1"):format(i, tostring(c)),
                              ("%d번 레이블이 %s입니다. 클래스 번호는 1..10이어야 합니다: 숫자 9는 클래스 10이고, 9 다음 숫자는 0, 즉 클래스 1입니다 — labels[i] %% 10 + 1을 쓰세요"):format(i, tostring(c)))
          end
        end
        local wrong, bad = 0, nil
        for i = 1, 500 do
          if got[i] ~= r.truth[i] then wrong = wrong + 1 end
          if got[i] ~= r.noisy[i] and not bad then bad = i end
        end
        if bad then
          return false, msg(("label %d should be %d (there are %d wrong labels; want exactly every 5th, moved to the next digit)"):format(bad, r.noisy[bad], wrong),
                            ("%d번 레이블이 틀렸습니다 (올바른 값: %d, 지금 틀린 레이블 %d개. 정확히 5개마다 하나를 다음 숫자로 바꾸세요)"):format(bad, r.noisy[bad], wrong))
        end
        if not n.is_tensor(vy) or (vy - r.vy):abs():max():item() ~= 0 then
          return false, msg("val_set keeps the test digits' true labels", "val_set에는 테스트 숫자의 올바른 레이블을 그대로 두세요")
        end
        return true
      end,
      hints = {
        { en = "labels[i] + 1 turns a 9 (class 10) into class 11, which does not exist; % 10 wraps it to 0 first.",
          ko = "labels[i] + 1은 9(클래스 10)를 존재하지 않는 클래스 11로 만듭니다. % 10이 먼저 0으로 돌려 줍니다." },
      },
    },
    -- 2 ------------------------------------------------------------------------------------
    {
      text = {
        en = [[
The baseline: a 196-128-10 MLP, Adam (lr 3e-3), batches of 50, 30 epochs. experiment(name, o)
trains a fresh one — manual_seed(1) first, so every run starts from the same weights and
sees the same batches — with the options o switched on, and keeps a row in results[name]:
train and val accuracy (measured after training, by evaluate, in eval mode), how many of the
100 wrong labels the model gives back (memorized), the history and the model. make_model,
memorized and the fit call are given; type the key lines (the ??? marks). Later steps
switch on one technique each; nothing else changes. Watch the curves: the training accuracy
climbs past 80% while the validation accuracy turns down.]],
        ko = [[
기준 모델(베이스라인): 196-128-10 MLP, Adam(학습률 3e-3), 배치 크기 50, 30 에폭.
experiment(name, o)는 새 모델을 학습합니다 — 먼저 manual_seed(1)을 호출해 모든 실행이 같은
가중치에서 시작하고 같은 배치를 보게 합니다 — 옵션 o를 켜고 학습한 뒤 results[name]에 한 줄을
남깁니다: 학습/검증 정확도(학습이 끝난 뒤 evaluate로, 평가 모드에서 측정), 틀린 레이블 100개 중
모델이 그대로 내놓는 수(memorized), 학습 기록과 모델. make_model, memorized, fit 호출은 주어져
있으니 핵심 줄(??? 표시)만 입력하세요. 다음 단계들에서는 기법을 하나씩만
켭니다. 나머지는 그대로입니다. 곡선을 보세요: 학습 정확도가 80%를 넘어가는 동안 검증
정확도는 꺾여 내려갑니다.]],
      },
      code = STEP2_SHOWN .. [=[

experiment("baseline")
h = results.baseline.history
plot.lines({ train = h.accuracy, val = h.val_accuracy }, { xlabel = "epoch", ylabel = "accuracy" })]=],
      solution = STEP2_CODE .. "\nexperiment(\"baseline\")",
      -- a plausible slip: the training accuracy read off fit's history, a running average
      -- taken during the epoch (and, later, with dropout or noise switched on)
      wrong = STEP2_CODE:gsub("local train = evaluate%(model, train_set%)%.accuracy", "local train = h.accuracy[#h.accuracy]")
              .. "\nexperiment(\"baseline\")",
      check = function(env)
        if type(env.experiment) ~= "function" or type(env.make_model) ~= "function" then
          return false, msg("define make_model(o) and experiment(name, o)", "make_model(o)와 experiment(name, o)를 정의하세요")
        end
        local ok, row = check_row(env, "baseline")
        if not ok then return ok, row end
        for _, m in ipairs(row.model:modules()) do
          local k = m.__name
          if k == "Dropout" or k == "BatchNorm1d" or k == "GroupNorm" then
            return false, msg("the baseline has no regularization: experiment(\"baseline\") with no options",
                              "기준 모델에는 정규화가 없습니다: 옵션 없이 experiment(\"baseline\")")
          end
        end
        if row.epochs ~= 30 then
          return false, msg(("the baseline trained %d epochs; it should train 30 (long enough to over-fit)"):format(row.epochs),
                            ("기준 모델이 %d 에폭 학습했습니다. 과적합될 만큼 30 에폭 학습해야 합니다"):format(row.epochs))
        end
        if row.train < 0.85 or row.memorized < 30 then
          return false, msg(("train accuracy %.1f%%, %d wrong labels memorized: the baseline should over-fit (above 80%%) — use Adam with lr 3e-3 and 30 epochs"):format(100 * row.train, row.memorized),
                            ("학습 정확도 %.1f%%, 외운 틀린 레이블 %d개: 기준 모델은 과적합되어야 합니다 (80%% 초과) — Adam, 학습률 3e-3, 30 에폭"):format(100 * row.train, row.memorized))
        end
        return true
      end,
      hints = {
        { en = "First ???: manual_seed(1), then local model = make_model(o), then local opt = o.optimizer and o.optimizer(model:parameters()) or optim.Adam(model:parameters(), { lr = 3e-3 }).",
          ko = "첫 ???: manual_seed(1), local model = make_model(o), 그리고 local opt = o.optimizer and o.optimizer(model:parameters()) or optim.Adam(model:parameters(), { lr = 3e-3 })." },
        { en = "Second ???: local train = evaluate(model, train_set).accuracy, and val the same on val_set.",
          ko = "둘째 ???: local train = evaluate(model, train_set).accuracy, val도 val_set에서 같은 식으로 구합니다." },
        { en = "fit's own accuracy column (h.accuracy) is a running average taken during each epoch, while the weights still move (and, later, with dropout or noise on); evaluate() measures the finished model in eval mode.",
          ko = "fit이 기록하는 정확도(h.accuracy)는 에폭 도중 가중치가 움직이는 동안 측정한 이동 평균입니다 (뒤에서는 드롭아웃이나 노이즈가 켜진 채로). evaluate()는 학습이 끝난 모델을 평가 모드에서 측정합니다." },
      },
    },
    -- 3 ------------------------------------------------------------------------------------
    {
      text = {
        en = [[
Early stopping: the simplest regularizer. The validation loss falls, bottoms out, then
rises as the model starts to learn the wrong labels. Find best_epoch, the epoch of the
lowest VALIDATION loss in the baseline's history (the training loss keeps falling to the
end). Then let fit stop by itself: early_stop = { patience = 3, restore_best = true } ends
training once the validation loss has not improved for 3 epochs, and puts back the
weights of the best epoch. That is what early stopping means: the model you keep is the
one of the best epoch, not the one 3 epochs past it (fit keeps the last weights unless
restore_best says otherwise).]],
        ko = [[
조기 종료(early stopping): 가장 간단한 정규화입니다. 검증 손실은 내려가다 바닥을 찍고, 모델이
틀린 레이블을 외우기 시작하면 다시 올라갑니다. 기준 모델의 기록에서 '검증' 손실이 가장 낮은
에폭 best_epoch를 찾으세요 (학습 손실은 끝까지 계속 내려갑니다). 그리고 fit이 스스로 멈추게
하세요. early_stop = { patience = 3, restore_best = true }는 검증 손실이 3 에폭 동안 나아지지
않으면 학습을 끝내고, 가장 좋았던 에폭의 가중치로 되돌립니다. 조기 종료란 바로 그것입니다.
남기는 모델은 최적점보다 3 에폭 뒤의 모델이 아니라 가장 좋았던 에폭의 모델입니다 (restore_best가
없으면 fit은 마지막 가중치를 남깁니다).]],
      },
      code = [=[
h = results.baseline.history
plot.lines({ train = h.loss, val = h.val_loss }, { xlabel = "epoch", ylabel = "loss" })
best_epoch = 1
for e = 2, #h.val_loss do
  if h.val_loss[e] < h.val_loss[best_epoch] then best_epoch = e end
end
print("lowest validation loss at epoch " .. best_epoch)
experiment("early_stop", { early_stop = { patience = 3, restore_best = true } })]=],
      solution = [=[
h = results.baseline.history
best_epoch = 1
for e = 2, #h.val_loss do
  if h.val_loss[e] < h.val_loss[best_epoch] then best_epoch = e end
end
experiment("early_stop", { early_stop = { patience = 3, restore_best = true } })]=],
      wrong = [=[
h = results.baseline.history
best_epoch = 1
for e = 2, #h.loss do
  if h.loss[e] < h.loss[best_epoch] then best_epoch = e end
end]=],
      wrongs = {
        { code = [=[
h = results.baseline.history
best_epoch = 1
for e = 2, #h.val_loss do
  if h.val_loss[e] < h.val_loss[best_epoch] then best_epoch = e end
end
experiment("early_stop", { early_stop = { patience = 3 } })]=],
          says = { en = "restore_best", ko = "restore_best" } },
      },
      check = function(env)
        local ok, base = check_row(env, "baseline")
        if not ok then return ok, base end
        local vl = base.history.val_loss
        local want = 1
        for e = 2, #vl do if vl[e] < vl[want] then want = e end end
        if value(env.best_epoch) ~= want then
          local tl, lowest_train = base.history.loss, 1
          for e = 2, #tl do if tl[e] < tl[lowest_train] then lowest_train = e end end
          if value(env.best_epoch) == lowest_train then
            -- say what is wrong, not the answer: the learner finds the epoch in h.val_loss
            return false, msg(("best_epoch = %d is where the TRAINING loss is lowest; look for the lowest VALIDATION loss (h.val_loss) instead"):format(lowest_train),
                              ("best_epoch = %d: '학습' 손실이 가장 낮은 에폭입니다. '검증' 손실(h.val_loss)이 가장 낮은 에폭을 찾으세요"):format(lowest_train))
          end
          return false, msg(("best_epoch should be the epoch of the lowest validation loss (h.val_loss), got %s"):format(tostring(env.best_epoch)),
                            ("best_epoch는 검증 손실(h.val_loss)이 가장 낮은 에폭이어야 하는데 %s입니다"):format(tostring(env.best_epoch)))
        end
        local ok2, row = check_row(env, "early_stop")
        if not ok2 then return ok2, row end
        local es = row.opts and row.opts.early_stop
        if type(es) ~= "table" or es.patience ~= 3 then
          return false, msg("run experiment(\"early_stop\", { early_stop = { patience = 3, restore_best = true } })",
                            "experiment(\"early_stop\", { early_stop = { patience = 3, restore_best = true } })를 실행하세요")
        end
        if es.restore_best ~= true then
          return false, msg("the early-stopped model is the one of the LAST epoch, 3 past the best: early stopping keeps the best weights, early_stop = { patience = 3, restore_best = true }",
                            "조기 종료한 모델이 최적점보다 3 에폭 뒤인 '마지막' 에폭의 모델입니다. 조기 종료는 가장 좋았던 가중치를 남깁니다: early_stop = { patience = 3, restore_best = true }")
        end
        -- same seed, same batches: the early-stopped run follows the baseline epoch by epoch
        local mine = row.history.val_loss
        for e = 1, math.min(#mine, #vl) do
          if math.abs(mine[e] - vl[e]) > 1e-4 * math.max(1, vl[e]) then
            return false, msg(("at epoch %d the early-stopped run's validation loss (%.4f) differs from the baseline's (%.4f): experiment must call manual_seed(1) so runs are comparable"):format(e, mine[e], vl[e]),
                              ("%d 에폭에서 조기 종료 실행의 검증 손실(%.4f)이 기준 모델(%.4f)과 다릅니다: 실행끼리 비교할 수 있도록 experiment가 manual_seed(1)을 호출해야 합니다"):format(e, mine[e], vl[e]))
          end
        end
        local best, bad, stop = math.huge, 0, #vl
        for e = 1, #vl do
          if vl[e] < best then best, bad = vl[e], 0 else bad = bad + 1 end
          if bad >= 3 then stop = e; break end
        end
        if row.epochs ~= stop then
          return false, msg(("with patience 3 training should stop after epoch %d, it ran %d"):format(stop, row.epochs),
                            ("patience 3이면 %d 에폭 뒤에 멈춰야 하는데 %d 에폭 학습했습니다"):format(stop, row.epochs))
        end
        -- the model kept is the best epoch's: its validation loss, measured here, is the lowest
        local r = reference_data()
        local ok3, ev = pcall(nb().evaluate, row.model, { r.vx, r.vy })
        local lowest = mine[row.history.best_epoch or 0]
        if not ok3 or not lowest or math.abs(ev.loss - lowest) > 1e-4 * lowest or row.history.best_epoch ~= want then
          return false, msg("results.early_stop.model should hold the weights of the best epoch: fit with early_stop.restore_best = true",
                            "results.early_stop.model에는 가장 좋았던 에폭의 가중치가 있어야 합니다. early_stop.restore_best = true로 fit하세요")
        end
        return true
      end,
      hints = {
        { en = "h.val_loss[e] is the validation loss after epoch e; h.loss[e] the training loss.",
          ko = "h.val_loss[e]는 e번째 에폭 뒤의 검증 손실, h.loss[e]는 학습 손실입니다." },
      },
      -- the number the learner must find: a failing check must not print it
      secret = function(env)
        local vl = env.results and env.results.baseline and env.results.baseline.history.val_loss
        if not vl then return nil end
        local want = 1
        for e = 2, #vl do if vl[e] < vl[want] then want = e end end
        return want
      end,
    },
    -- 4 ------------------------------------------------------------------------------------
    {
      text = {
        en = [[
Weight decay pulls every weight towards 0. The classic way is an L2 penalty: add
(λ/2)·‖w‖² to the loss, so the gradient becomes g + λ·w. With plain SGD that is the same
as shrinking w by the factor (1 − lr·λ) each step. With Adam it is not: Adam divides the
gradient by its running RMS, so the λ·w part is divided too. AdamW (Loshchilov & Hutter)
decouples the two: first w ← w − lr·λ·w, then Adam's step on g alone.
Work one step out by hand: w = {2, 2}, loss 3·w[1] (so g = {3, 0}: w[2] never gets a
gradient, like a weight fed by a pixel that is always black), lr = 0.1, λ = 0.01. Adam's
first step is lr·ĝ/(|ĝ| + ε): a full lr against the sign of ĝ, whatever its size.]],
        ko = [[
가중치 감쇠(weight decay)는 모든 가중치를 0 쪽으로 당깁니다. 고전적인 방법은 L2 페널티입니다:
손실에 (λ/2)·‖w‖²를 더하면 기울기가 g + λ·w가 됩니다. 그냥 SGD라면 이는 매 단계 w를 (1 − lr·λ)배로
줄이는 것과 같습니다. Adam에서는 다릅니다: Adam은 기울기를 이동 RMS로 나누므로 λ·w 부분도 함께
나뉩니다. AdamW(Loshchilov & Hutter)는 둘을 분리합니다: 먼저 w ← w − lr·λ·w, 그다음 g만으로
Adam 한 걸음.
한 단계를 손으로 계산해 봅시다: w = {2, 2}, 손실 3·w[1] (즉 g = {3, 0}, 늘 검은 픽셀에 연결된
가중치처럼 w[2]는 기울기를 전혀 받지 않습니다), lr = 0.1, λ = 0.01. Adam의 첫 단계는
lr·ĝ/(|ĝ| + ε)입니다: ĝ의 크기와 상관없이, 부호 반대 방향으로 꼭 lr만큼 갑니다.]],
      },
      code = [=[
lr, lambda, w0, g = 0.1, 0.01, 2, { 3, 0 }
hand_l2, hand_adamw = {}, {}
for i = 1, 2 do
  local gi = g[i] + lambda * w0                    -- L2: the decay goes INTO the gradient
  hand_l2[i] = w0 - lr * gi / (math.abs(gi) + 1e-8)
  local step = g[i] ~= 0 and lr * g[i] / math.abs(g[i]) or 0
  hand_adamw[i] = w0 - lr * lambda * w0 - step     -- AdamW: decay first, then Adam on g
end
function one_step(make)
  local w = tensor{ 2, 2 }:requires_grad()
  local opt = make({ w })
  opt:zero_grad(); (3 * w[1]):backward(); opt:step()
  return w:tolist()
end
print("Adam + L2 by hand:", table.unpack(hand_l2))
print("optim.Adam:       ", table.unpack(one_step(function(ps) return optim.Adam(ps, { lr = lr, weight_decay = lambda }) end)))
print("AdamW by hand:    ", table.unpack(hand_adamw))
print("optim.AdamW:      ", table.unpack(one_step(function(ps) return optim.AdamW(ps, { lr = lr, weight_decay = lambda }) end)))]=],
      solution = [=[
lr, lambda, w0, g = 0.1, 0.01, 2, { 3, 0 }
hand_l2, hand_adamw = {}, {}
for i = 1, 2 do
  local gi = g[i] + lambda * w0
  hand_l2[i] = w0 - lr * gi / (math.abs(gi) + 1e-8)
  local step = g[i] ~= 0 and lr * g[i] / math.abs(g[i]) or 0
  hand_adamw[i] = w0 - lr * lambda * w0 - step
end]=],
      wrong = [=[
lr, lambda, w0, g = 0.1, 0.01, 2, { 3, 0 }
hand_l2, hand_adamw = {}, {}
for i = 1, 2 do
  local step = g[i] ~= 0 and lr * g[i] / math.abs(g[i]) or 0
  hand_l2[i] = w0 - lr * lambda * w0 - step
  hand_adamw[i] = w0 - lr * lambda * w0 - step
end]=],
      check = function(env)
        local n = nb()
        local l2 = one_step_ref(function(ps) return n.optim.Adam(ps, { lr = 0.1, weight_decay = 0.01 }) end)
        local aw = one_step_ref(function(ps) return n.optim.AdamW(ps, { lr = 0.1, weight_decay = 0.01 }) end)
        if type(env.hand_l2) ~= "table" or type(env.hand_adamw) ~= "table" then
          return false, msg("make the lists hand_l2 and hand_adamw: w after one step, by hand",
                            "손으로 계산한 한 단계 뒤의 w를 hand_l2와 hand_adamw 리스트로 만드세요")
        end
        if not near_list(env.hand_l2, l2, 1e-4) then
          local got = env.hand_l2
          if type(got) == "table" and finite(value(got[2])) and math.abs(value(got[2]) - 1.998) < 1e-4 then
            return false, msg(("hand_l2 = %s, but Adam + L2 gives %s: for w[2] the gradient is λ·w = 0.02 alone, and Adam divides it by its own size, so w[2] takes a full step lr = 0.1 — fifty times AdamW's decay"):format(fmt_list(got), fmt_list(l2)),
                              ("hand_l2 = %s인데 Adam + L2는 %s입니다: w[2]의 기울기는 λ·w = 0.02뿐이고 Adam이 이를 자기 크기로 나누므로, w[2]는 꼭 lr = 0.1만큼 움직입니다 — AdamW 감쇠의 50배"):format(fmt_list(got), fmt_list(l2)))
          end
          return false, msg(("hand_l2 = %s, but one Adam step with weight_decay 0.01 gives %s: add λ·w to g, then step lr·ĝ/|ĝ|"):format(fmt_list(got), fmt_list(l2)),
                            ("hand_l2 = %s인데 weight_decay 0.01인 Adam 한 단계는 %s입니다: g에 λ·w를 더한 뒤 lr·ĝ/|ĝ|만큼 가세요"):format(fmt_list(got), fmt_list(l2)))
        end
        if not near_list(env.hand_adamw, aw, 1e-4) then
          return false, msg(("hand_adamw = %s, but one AdamW step gives %s: every weight first shrinks by lr·λ·w = 0.002 (the one without a gradient too), then Adam steps on g alone"):format(fmt_list(env.hand_adamw), fmt_list(aw)),
                            ("hand_adamw = %s인데 AdamW 한 단계는 %s입니다: 모든 가중치가 (기울기 없는 것까지) 먼저 lr·λ·w = 0.002만큼 줄고, 그다음 g만으로 Adam 한 걸음"):format(fmt_list(env.hand_adamw), fmt_list(aw)))
        end
        return true
      end,
      hints = {
        { en = "For w[2]: Adam + L2 sees ĝ = 0 + 0.01·2 = 0.02, so ĝ/|ĝ| = 1. AdamW sees g = 0: only the decay 0.1·0.01·2 moves it.",
          ko = "w[2]: Adam + L2는 ĝ = 0 + 0.01·2 = 0.02를 보므로 ĝ/|ĝ| = 1. AdamW는 g = 0을 보므로 감쇠 0.1·0.01·2만 움직입니다." },
      },
    },
    -- 5 ------------------------------------------------------------------------------------
    {
      text = {
        en = [[
So λ is not the same knob in the two. With AdamW each step multiplies every weight by
(1 − lr·λ): with lr = 3e-3 and λ = 1, 0.3% off per step. With Adam + L2 the pull on each
weight depends on the size of its gradients. Train both, and compare the size (norm) of
the first layer's weights with the baseline's: decay keeps them small, and small weights
make a smoother function that has a harder time following every wrong label.
Step 4 happens here for real: 38 border pixels are black in every training digit, so the
weights they feed never get a gradient. Predict by hand what AdamW leaves of them after
its 300 steps (500 digits in batches of 50, 30 epochs), and compare with Adam + L2.]],
        ko = [[
그러니 두 방식에서 λ는 같은 설정값이 아닙니다. AdamW는 매 단계 모든 가중치에 (1 − lr·λ)를
곱합니다: lr = 3e-3, λ = 1이면 단계마다 0.3%씩 줄어듭니다. Adam + L2에서는 각 가중치를 당기는
힘이 그 기울기의 크기에 달려 있습니다. 둘 다 학습하고 첫 층 가중치의 크기(노름)를 기준 모델과
비교하세요: 감쇠는 가중치를 작게 유지하고, 가중치가 작으면 함수가 매끄러워져 틀린 레이블
하나하나를 따라가기 어려워집니다.
4단계가 여기서 실제로 일어납니다: 가장자리 픽셀 38개는 모든 학습 숫자에서 검은색이라, 그 픽셀에
연결된 가중치는 기울기를 전혀 받지 않습니다. AdamW가 300단계(숫자 500개를 50개씩, 30 에폭) 뒤에
그 가중치를 얼마나 남길지 손으로 예측하고, Adam + L2와 비교하세요.]],
      },
      code = [=[
experiment("l2", { optimizer = function(ps) return optim.Adam(ps, { lr = 3e-3, weight_decay = 0.01 }) end })
experiment("adamw", { optimizer = function(ps) return optim.AdamW(ps, { lr = 3e-3, weight_decay = 1 }) end })
black = x:view(500, 196):abs():sum(1):eq(0)      -- 1 for the pixels black in every digit
function norms(name)                             -- all first-layer weights, and the black pixels'
  local W = results[name].model[2].weight
  return W:norm():item(), (W * black:view(1, 196)):norm():item()
end
for _, name in ipairs({ "baseline", "l2", "adamw" }) do
  print(("%-9s all weights %6.2f   fed by black pixels %.6f"):format(name, norms(name)))
end
steps = 30 * 500 / 50
predicted = select(2, norms("baseline")) * (1 - 3e-3 * 1) ^ steps
print("AdamW, predicted by hand:", predicted)]=],
      solution = [=[
experiment("l2", { optimizer = function(ps) return optim.Adam(ps, { lr = 3e-3, weight_decay = 0.01 }) end })
experiment("adamw", { optimizer = function(ps) return optim.AdamW(ps, { lr = 3e-3, weight_decay = 1 }) end })
black = x:view(500, 196):abs():sum(1):eq(0)
function norms(name)
  local W = results[name].model[2].weight
  return W:norm():item(), (W * black:view(1, 196)):norm():item()
end
steps = 30 * 500 / 50
predicted = select(2, norms("baseline")) * (1 - 3e-3 * 1) ^ steps]=],
      -- counting the decay once per epoch instead of once per step
      wrong = [=[
black = x:view(500, 196):abs():sum(1):eq(0)
function norms(name)
  local W = results[name].model[2].weight
  return W:norm():item(), (W * black:view(1, 196)):norm():item()
end
steps = 30
predicted = select(2, norms("baseline")) * (1 - 3e-3 * 1) ^ steps]=],
      check = function(env)
        local n = nb()
        local ok, base = check_row(env, "baseline")
        if not ok then return ok, base end
        local r = reference_data()
        local black = r.x:view(500, 196):abs():sum(1):eq(0):view(1, 196)
        local function dead(model) return (model[2].weight * black):norm():item() end
        local base_dead = dead(base.model)
        local want = base_dead * (1 - 3e-3) ^ 300
        local p = value(env.predicted)
        if not finite(p) or math.abs(p - want) > 0.005 * want then
          if finite(p) and math.abs(p - base_dead * (1 - 3e-3) ^ 30) < 0.005 * want then
            return false, msg(("predicted = %.4f decays once per epoch; AdamW decays at every step: 10 batches per epoch, 300 steps, so %.4f"):format(p, want),
                              ("predicted = %.4f: 에폭마다 한 번 감쇠한 값입니다. AdamW는 매 단계 감쇠합니다: 에폭당 배치 10개, 300단계이므로 %.4f"):format(p, want))
          end
          return false, msg(("predicted should be the baseline's black-pixel weight norm %.4f times (1 − lr·λ)^300 = %.4f, got %s"):format(base_dead, want, tostring(env.predicted)),
                            ("predicted는 기준 모델의 검은 픽셀 가중치 노름 %.4f에 (1 − lr·λ)^300을 곱한 값(%.4f)이어야 하는데 %s입니다"):format(base_dead, want, tostring(env.predicted)))
        end
        local base_norm = base.model[2].weight:norm():item()
        for _, spec in ipairs({ { "l2", "Adam" }, { "adamw", "AdamW" } }) do
          local name, cls = spec[1], spec[2]
          local ok2, row = check_row(env, name)
          if not ok2 then return ok2, row end
          local ok3, m = check_full(name, row)
          if not ok3 then return ok3, m end
          local opt = row.optimizer
          local wd = opt and opt.param_groups and opt.param_groups[1].weight_decay
          if not opt or opt.name ~= cls or not (type(wd) == "number" and wd > 0) then
            return false, msg(("results.%s should be trained by optim.%s with a weight_decay"):format(name, cls),
                              ("results.%s 모델은 optim.%s에 weight_decay를 주어 학습해야 합니다"):format(name, cls))
          end
          local norm = row.model[2].weight:norm():item()
          if norm > 0.85 * base_norm then
            return false, msg(("results.%s's first-layer weights have norm %.2f, hardly below the baseline's %.2f: the decay is too weak to matter"):format(name, norm, base_norm),
                              ("results.%s의 첫 층 가중치 노름(%.2f)이 기준 모델(%.2f)보다 거의 작지 않습니다: 감쇠가 너무 약합니다"):format(name, norm, base_norm))
          end
        end
        local got = dead(env.results.adamw.model)
        if math.abs(got - want) > 0.01 * want then
          return false, msg(("AdamW left the black-pixel weights at norm %.4f, not the %.4f of lr = 3e-3, λ = 1 over 300 steps: train results.adamw with those"):format(got, want),
                            ("AdamW 뒤 검은 픽셀 가중치의 노름(%.4f)이 lr = 3e-3, λ = 1로 300단계 감쇠한 값(%.4f)과 다릅니다: results.adamw를 그 값으로 학습하세요"):format(got, want))
        end
        return true
      end,
      hints = {
        { en = "A weight without a gradient only feels AdamW's decay: w ← (1 − lr·λ)·w at each of the 300 steps.",
          ko = "기울기가 없는 가중치는 AdamW의 감쇠만 받습니다: 300단계 각각에서 w ← (1 − lr·λ)·w." },
      },
    },
    -- 6 ------------------------------------------------------------------------------------
    {
      text = {
        en = [[
Dropout: during training, each hidden value is set to 0 with probability p, a different
random half of the units at every step, so no unit can count on another being there.
Before you run the code, predict: with p = 0.5, what does a value of 1 that is KEPT
become? Then put nn.Dropout(0.5) after the hidden ReLU. The table's train accuracy is
measured in eval mode (evaluate calls model:eval()), where dropout is switched off.]],
        ko = [[
드롭아웃(dropout): 학습하는 동안 은닉 값 하나하나를 확률 p로 0으로 만듭니다. 단계마다 다른
절반의 유닛이 무작위로 꺼지므로 어떤 유닛도 다른 유닛이 있으리라고 기대할 수 없습니다.
코드를 실행하기 전에 예측해 보세요: p = 0.5일 때 '살아남은' 값 1은 얼마가 될까요? 그다음 은닉층
ReLU 뒤에 nn.Dropout(0.5)를 넣으세요. 표의 학습 정확도는 평가 모드(evaluate가 model:eval()을
호출함)에서 측정하므로, 그때 드롭아웃은 꺼져 있습니다.]],
      },
      code = [=[
drop = nn.Dropout(0.5)
manual_seed(3)
z = drop(ones(10000))
print("zeros:", z:eq(0):sum():item(), "mean:", z:mean():item(), "largest:", z:max():item())
drop:eval()
print("eval mode:", drop(ones(5)))
kept_value = z:max():item()        -- your prediction first!
experiment("dropout", { dropout = 0.5 })]=],
      solution = [=[
drop = nn.Dropout(0.5)
manual_seed(3)
z = drop(ones(10000))
kept_value = z:max():item()
experiment("dropout", { dropout = 0.5 })]=],
      wrong = [=[
kept_value = 1
results.dropout = results.baseline]=],
      check = function(env)
        local kv = value(env.kept_value)
        if not finite(kv) or math.abs(kv - 2) > 1e-6 then
          return false, msg(("kept_value = %s, but a kept value is scaled by 1/(1 − p) = 2, so that the mean stays 1 and the next layer sees the same average in training and in eval mode"):format(tostring(env.kept_value)),
                            ("kept_value = %s인데, 살아남은 값은 1/(1 − p) = 2배가 됩니다: 그래야 평균이 1로 유지되고, 다음 층이 학습 때와 평가 때 같은 평균을 봅니다"):format(tostring(env.kept_value)))
        end
        local ok, row = check_row(env, "dropout")
        if not ok then return ok, row end
        local d = has_layer(row.model, "Dropout")
        if not d or d.p ~= 0.5 then
          return false, msg("results.dropout's model has no nn.Dropout(0.5): run experiment(\"dropout\", { dropout = 0.5 })",
                            "results.dropout의 모델에 nn.Dropout(0.5)가 없습니다: experiment(\"dropout\", { dropout = 0.5 })를 실행하세요")
        end
        return check_full("dropout", row)
      end,
      hints = {
        { en = "With p = 0.5 half the values become 0; to keep the mean at 1 the other half must double.",
          ko = "p = 0.5이면 값의 절반이 0이 됩니다. 평균을 1로 유지하려면 나머지 절반이 두 배가 되어야 합니다." },
      },
    },
    -- 7 ------------------------------------------------------------------------------------
    {
      text = {
        en = [[
Batch norm normalises each hidden unit over the BATCH: in training a digit's output depends
on which other digits share its batch (a little noise, often called a regularizing effect);
in eval mode it uses the running mean and variance instead. Group norm normalises each
sample over groups of its own units: the same in training and eval, whatever the batch.
Measure it: the first sample's output in a batch of 2 vs in a batch of 8, for both
layers. Then measure bn_eval_change, the same difference for batch norm in eval mode.]],
        ko = [[
배치 정규화(batch norm)는 은닉 유닛마다 '배치'에 걸쳐 정규화합니다. 학습 중에는 한 숫자의 출력이
같은 배치에 어떤 숫자들이 있느냐에 따라 달라지고 (약간의 노이즈이며, 흔히 정규화 효과라고 합니다),
평가 모드에서는 대신 이동 평균과 이동 분산을 씁니다. 그룹 정규화(group norm)는 샘플마다 자기
유닛들의 그룹에 걸쳐 정규화하므로, 배치가 무엇이든 학습과 평가에서 똑같습니다. 측정해 봅시다.
두 층 모두에서 첫 번째 샘플의 출력을 배치 크기가 2일 때와 8일 때 비교합니다. 그리고 평가 모드의
배치 정규화에서 같은 차이 bn_eval_change를 측정하세요.]],
      },
      code = [=[
manual_seed(2)
xb = randn(8, 16)
bn, gn = nn.BatchNorm1d(16), nn.GroupNorm(4, 16)
function change(layer) return (layer(xb)[1] - layer(xb:narrow(1, 1, 2))[1]):abs():max():item() end
bn_change, gn_change = change(bn), change(gn)
bn:eval()
bn_eval_change = change(bn)
print(bn_change, gn_change, bn_eval_change)]=],
      solution = [=[
manual_seed(2)
xb = randn(8, 16)
bn, gn = nn.BatchNorm1d(16), nn.GroupNorm(4, 16)
function change(layer) return (layer(xb)[1] - layer(xb:narrow(1, 1, 2))[1]):abs():max():item() end
bn_change, gn_change = change(bn), change(gn)
bn:eval()
bn_eval_change = change(bn)]=],
      wrong = [=[
manual_seed(2)
xb = randn(8, 16)
bn, gn = nn.BatchNorm1d(16), nn.GroupNorm(4, 16)
function change(layer) return (layer(xb)[1] - layer(xb:narrow(1, 1, 2))[1]):abs():max():item() end
bn_change, gn_change = change(bn), change(gn)
bn_eval_change = change(bn)]=],
      check = function(env)
        local bc, gc, be = value(env.bn_change), value(env.gn_change), value(env.bn_eval_change)
        if not (finite(bc) and finite(gc) and finite(be)) then
          return false, msg("set bn_change, gn_change and bn_eval_change (numbers)", "bn_change, gn_change, bn_eval_change를 (숫자로) 정하세요")
        end
        if bc < 0.01 then
          return false, msg("bn_change should be measured in training mode (a fresh nn.BatchNorm1d), where the batch matters",
                            "bn_change는 배치가 영향을 주는 학습 모드(새 nn.BatchNorm1d)에서 재야 합니다")
        end
        if gc > 1e-5 then
          return false, msg(("gn_change = %.3g: group norm's output should not depend on the batch at all (normalise each sample over its own groups)"):format(gc),
                            ("gn_change = %.3g: 그룹 정규화의 출력은 배치와 전혀 상관없어야 합니다 (샘플마다 자기 그룹으로 정규화)"):format(gc))
        end
        if be > 1e-5 then
          return false, msg(("bn_eval_change = %.3g: measure it after bn:eval(): in eval mode batch norm uses running_mean and running_var, so the batch no longer matters"):format(be),
                            ("bn_eval_change = %.3g, bn:eval() 뒤에 측정하세요. 평가 모드에서 배치 정규화는 running_mean과 running_var를 쓰므로 배치가 더는 영향을 주지 않습니다"):format(be))
        end
        return true
      end,
      hints = {
        { en = "bn:eval() switches the layer to its running statistics; bn:train() switches it back.",
          ko = "bn:eval()은 층이 이동 통계를 쓰게 바꾸고, bn:train()은 되돌립니다." },
      },
    },
    -- 8 ------------------------------------------------------------------------------------
    {
      text = {
        en = [[
Now train with each: experiment("batchnorm", { norm = "batch" }) puts nn.BatchNorm1d after
the first Linear layer, { norm = "group" } nn.GroupNorm(8, 128). Look at memorized in
their rows: does a layer that makes training easier stop the learning by heart?]],
        ko = [[
이제 각각으로 학습하세요. experiment("batchnorm", { norm = "batch" })는 첫 Linear 층 뒤에
nn.BatchNorm1d를, { norm = "group" }은 nn.GroupNorm(8, 128)을 넣습니다. 결과 줄의 memorized를
보세요. 학습을 쉽게 해 주는 층이 외우기도 막아 줄까요?]],
      },
      code = [=[
experiment("batchnorm", { norm = "batch" })
experiment("groupnorm", { norm = "group" })]=],
      wrong = [=[
experiment("batchnorm", { norm = "group" })
experiment("groupnorm", { norm = "group" })]=],
      check = function(env)
        for _, spec in ipairs({ { "batchnorm", "BatchNorm1d" }, { "groupnorm", "GroupNorm" } }) do
          local ok, row = check_row(env, spec[1])
          if not ok then return ok, row end
          local layer = has_layer(row.model, spec[2])
          if not layer then
            return false, msg(("results.%s's model has no nn.%s"):format(spec[1], spec[2]), ("results.%s의 모델에 nn.%s 층이 없습니다"):format(spec[1], spec[2]))
          end
          if spec[2] == "BatchNorm1d" and layer.num_batches_tracked:item() ~= 300 then
            return false, msg(("the batch norm layer saw %d batches; 30 epochs of 10 batches make 300"):format(layer.num_batches_tracked:item()),
                              ("배치 정규화 층이 배치 %d개를 봤습니다. 10개씩 30 에폭이면 300개입니다"):format(layer.num_batches_tracked:item()))
          end
          local ok2, m = check_full(spec[1], row)
          if not ok2 then return ok2, m end
        end
        return true
      end,
    },
    -- 9 ------------------------------------------------------------------------------------
    {
      text = {
        en = [[
Noise: add Gaussian noise (std 0.2) to every training image, fresh at every epoch. The
model never sees the same picture twice, and it learns that a few changed pixels do not
change the digit. The noise is for training only; the validation set stays clean. Then test
robustness: make a NOISY copy of the validation set (std 0.3, more than in training) and
compare the baseline with the noise-trained model on it.]],
        ko = [[
노이즈(noise): 학습 이미지마다 가우시안 노이즈(표준편차 0.2)를 에폭마다 새로 더합니다. 모델은 같은
그림을 두 번 보지 않고, 픽셀 몇 개가 바뀌어도 숫자는 그대로라는 걸 배웁니다. 노이즈는 학습에만
씁니다. 검증 세트는 깨끗하게 둡니다. 그다음 강건성을 시험하세요: 검증 세트의 '노이즈 섞인' 사본
(표준편차 0.3, 학습 때보다 큼)을 만들어 기준 모델과 노이즈로 학습한 모델을 비교합니다.]],
      },
      code = [=[
experiment("noise", { augment = aug.noise{ std = 0.2, p = 1 } })
manual_seed(5)
noisy_val = data.dataset(aug.noise{ std = 0.3, p = 1 }(val_x), val_y)
plot.image(noisy_val[1][1][1])
robust = { baseline = evaluate(results.baseline.model, noisy_val).accuracy,
           noise = evaluate(results.noise.model, noisy_val).accuracy }
print(("on noisy digits: baseline %.1f%%, trained with noise %.1f%%"):format(100 * robust.baseline, 100 * robust.noise))]=],
      solution = [=[
experiment("noise", { augment = aug.noise{ std = 0.2, p = 1 } })
manual_seed(5)
noisy_val = data.dataset(aug.noise{ std = 0.3, p = 1 }(val_x), val_y)
robust = { baseline = evaluate(results.baseline.model, noisy_val).accuracy,
           noise = evaluate(results.noise.model, noisy_val).accuracy }]=],
      wrong = [=[
experiment("noise", { augment = aug.noise{ std = 0.2, p = 1 } })
robust = { baseline = evaluate(results.baseline.model, val_set).accuracy,
           noise = evaluate(results.noise.model, val_set).accuracy }]=],
      check = function(env)
        local n = nb()
        local ok, row = check_row(env, "noise")
        if not ok then return ok, row end
        local a = row.opts and row.opts.augment
        if type(a) ~= "table" or a.kind ~= "noise" then
          return false, msg("results.noise should be trained with augment = aug.noise{ std = 0.2, p = 1 }",
                            "results.noise는 augment = aug.noise{ std = 0.2, p = 1 }로 학습해야 합니다")
        end
        local ok2, m = check_full("noise", row)
        if not ok2 then return ok2, m end
        local base = env.results.baseline
        if type(env.robust) ~= "table" or not finite(value(env.robust.baseline)) or not finite(value(env.robust.noise)) then
          return false, msg("make robust = { baseline = ..., noise = ... }: both models' accuracy on the noisy validation set",
                            "robust = { baseline = ..., noise = ... }를 만드세요: 노이즈 섞인 검증 세트에서 두 모델의 정확도")
        end
        local r = reference_data()
        n.manual_seed(5)
        local nx = n.aug.noise { std = 0.3, p = 1 }(r.vx)
        local vy = r.vy:tolist()
        local want_b, want_n = accuracy(base.model, nx, vy), accuracy(row.model, nx, vy)
        if math.abs(value(env.robust.baseline) - want_b) > 1e-6 or math.abs(value(env.robust.noise) - want_n) > 1e-6 then
          return false, msg(("on the noisy validation set (manual_seed(5), std 0.3) the models score %.1f%% and %.1f%%, your robust says %.1f%% and %.1f%%: evaluate on noisy_val, not the clean val_set"):format(
                              100 * want_b, 100 * want_n, 100 * value(env.robust.baseline), 100 * value(env.robust.noise)),
                            ("노이즈 섞인 검증 세트(manual_seed(5), 표준편차 0.3)에서 두 모델은 %.1f%%, %.1f%%인데 robust에는 %.1f%%, %.1f%%로 적혀 있습니다: 깨끗한 val_set이 아니라 noisy_val로 평가하세요"):format(
                              100 * want_b, 100 * want_n, 100 * value(env.robust.baseline), 100 * value(env.robust.noise)))
        end
        return true
      end,
      hints = {
        { en = "robust.baseline = evaluate(results.baseline.model, noisy_val).accuracy, and the same for results.noise.model.",
          ko = "robust.baseline = evaluate(results.baseline.model, noisy_val).accuracy, results.noise.model도 마찬가지입니다." },
      },
    },
    -- 10 ------------------------------------------------------------------------------------
    {
      text = {
        en = [[
Label smoothing: instead of the one-hot target, train towards (1 − ε)·onehot + ε/K: the
true class gets 1 − ε + ε/K, every other class gets ε/K. Hard targets (0s and a 1) can
only be reached with infinite logits, so the model keeps growing its weights to be ever
more certain — of the wrong labels as well; smoothed targets are reached with finite
logits. Write the smoothed target of a 3 (class 4) for ε = 0.1, K = 10, and check that
its entropy is the lowest loss nn.CrossEntropyLoss{ label_smoothing = 0.1 } can reach.]],
        ko = [[
레이블 스무딩(label smoothing)은 원-핫 목표 대신 (1 − ε)·onehot + ε/K를 목표로 학습합니다. 정답
클래스는 1 − ε + ε/K, 나머지 클래스는 ε/K를 받습니다. 0과 1로 딱 떨어지는 목표는 로짓이 무한대여야
도달하므로 모델이 계속 가중치를 키워 점점 더 확신하려 합니다 — 틀린 레이블에 대해서도요. 부드러운
목표는 유한한 로짓으로 도달합니다. ε = 0.1, K = 10일 때 숫자 3(클래스 4)의 부드러운 목표를 쓰고,
그 엔트로피가 nn.CrossEntropyLoss{ label_smoothing = 0.1 }이 도달할 수 있는 가장 낮은 손실임을
확인하세요.]],
      },
      code = [=[
eps, K = 0.1, 10
t = {}
for k = 1, K do t[k] = eps / K end
t[4] = t[4] + (1 - eps)                 -- a 3 is class 4
smooth_target = tensor(t)
entropy = -(smooth_target * smooth_target:log()):sum():item()
lowest = nn.CrossEntropyLoss{ label_smoothing = eps }(smooth_target:log():view(1, K), tensor{ 4 }):item()
print(smooth_target, entropy, lowest)
experiment("smoothing", { loss = nn.CrossEntropyLoss{ label_smoothing = 0.1 } })]=],
      solution = [=[
eps, K = 0.1, 10
t = {}
for k = 1, K do t[k] = eps / K end
t[4] = t[4] + (1 - eps)
smooth_target = tensor(t)
entropy = -(smooth_target * smooth_target:log()):sum():item()
lowest = nn.CrossEntropyLoss{ label_smoothing = eps }(smooth_target:log():view(1, K), tensor{ 4 }):item()
experiment("smoothing", { loss = nn.CrossEntropyLoss{ label_smoothing = 0.1 } })]=],
      wrong = [=[
eps, K = 0.1, 10
t = {}
for k = 1, K do t[k] = eps / (K - 1) end
t[4] = 1 - eps
smooth_target = tensor(t)
entropy = -(smooth_target * smooth_target:log()):sum():item()
lowest = nn.CrossEntropyLoss{ label_smoothing = eps }(smooth_target:log():view(1, K), tensor{ 4 }):item()]=],
      check = function(env)
        local n = nb()
        local st = env.smooth_target
        if not n.is_tensor(st) or st:numel() ~= 10 then
          return false, msg("make smooth_target, a tensor of 10 probabilities", "확률 10개짜리 텐서 smooth_target을 만드세요")
        end
        local want = {}
        for k = 1, 10 do want[k] = 0.01 end
        want[4] = 0.91
        local got = st:reshape(-1):tolist()
        if not near_list(got, want, 1e-6) then
          if math.abs(got[4] - 0.9) < 1e-6 then
            return false, msg(("smooth_target = %s: nn.CrossEntropyLoss spreads ε over ALL K classes, the true one included: 0.01 each, and 0.9 + 0.01 = 0.91 for class 4"):format(fmt_list(got)),
                              ("smooth_target = %s, 하지만 nn.CrossEntropyLoss는 ε를 정답을 포함한 K개 클래스 '모두'에 나눕니다: 각각 0.01, 클래스 4는 0.9 + 0.01 = 0.91"):format(fmt_list(got)))
          end
          return false, msg(("smooth_target = %s, want 0.01 everywhere and 0.91 at class 4 (the digit 3)"):format(fmt_list(got)),
                            ("smooth_target = %s, 하지만 모두 0.01이고 클래스 4(숫자 3)만 0.91이어야 합니다"):format(fmt_list(got)))
        end
        local e, lo = value(env.entropy), value(env.lowest)
        local want_e = -(0.91 * math.log(0.91) + 9 * 0.01 * math.log(0.01))
        if not finite(e) or not finite(lo) or math.abs(e - want_e) > 1e-4 or math.abs(lo - want_e) > 1e-4 then
          return false, msg(("entropy and lowest should both be %.4f (the loss at logits = log(target)); got %s and %s"):format(want_e, tostring(env.entropy), tostring(env.lowest)),
                            ("entropy와 lowest는 둘 다 %.4f(로짓 = log(목표)일 때의 손실)이어야 하는데 %s, %s입니다"):format(want_e, tostring(env.entropy), tostring(env.lowest)))
        end
        local ok, row = check_row(env, "smoothing")
        if not ok then return ok, row end
        local loss = row.opts and row.opts.loss
        if type(loss) ~= "table" or loss.label_smoothing ~= 0.1 then
          return false, msg("train results.smoothing with loss = nn.CrossEntropyLoss{ label_smoothing = 0.1 }",
                            "results.smoothing은 loss = nn.CrossEntropyLoss{ label_smoothing = 0.1 }로 학습하세요")
        end
        return check_full("smoothing", row)
      end,
      hints = {
        { en = "ε/K = 0.01 goes to every class; the true class gets 1 − ε = 0.9 on top.",
          ko = "ε/K = 0.01은 모든 클래스에 가고, 정답 클래스는 그 위에 1 − ε = 0.9를 더 받습니다." },
      },
    },
    -- 11 -----------------------------------------------------------------------------------
    {
      text = {
        en = [[
Mixup blends two training images, x = λ·x_a + (1 − λ)·x_b with λ ~ Beta(α, α), and their
targets the same way; CutMix pastes a box of x_b into x_a and mixes the targets by area.
With a mixer, data.loader turns the labels into soft targets (one row of K probabilities
per image), which nn.CrossEntropyLoss accepts. A wrong label mixed in now counts for a
share of a target. With α = 1, λ is uniform on [0, 1]: that share is one half only ON
AVERAGE; one draw gives the wrong label nearly all the weight, another almost none.
Write by hand the soft target of a 3 mixed with a 7 at λ = 0.7 (ten numbers), compare
with data.soft_targets; draw λ 1,000 times through the mixer and measure lam_mean and
lam_high, the share of draws above 0.9.]],
        ko = [[
믹스업(mixup)은 학습 이미지 두 장을 섞고 (x = λ·x_a + (1 − λ)·x_b, λ ~ Beta(α, α)), 목표도 같은
비율로 섞습니다. 컷믹스(CutMix)는 x_b의 사각형 하나를 x_a에 붙이고 목표를 넓이 비율로 섞습니다.
믹서를 주면 data.loader가 레이블을 부드러운 목표(이미지마다 K개 확률의 행)로 바꾸고,
nn.CrossEntropyLoss는 이를 받습니다. 이제 섞여 들어온 틀린 레이블은 목표의 일부로만 쓰입니다.
α = 1이면 λ는 [0, 1]에서 균등하므로 그 몫이 절반인 것은 '평균적으로'만 그렇습니다. 어떤 때는
틀린 레이블이 거의 전부를, 어떤 때는 거의 아무것도 차지하지 않습니다. 3과 7을 λ = 0.7로 섞은
부드러운 목표(숫자 열 개)를 손으로 쓰고 data.soft_targets와 비교하세요. 믹서로 λ를 1,000번 뽑아
평균 lam_mean과 0.9를 넘는 비율 lam_high를 측정하세요.]],
      },
      code = [=[
mix_3_7 = { 0, 0, 0, 0.7, 0, 0, 0, 0.3, 0, 0 }
print(data.soft_targets(tensor{ 4 }, tensor{ 8 }, 0.7, 10))
manual_seed(6)
xm, ya, yb, lam = aug.cutmix{ alpha = 1 }(train_set:batch({ 1, 2, 3, 4 }))
print(("cutmix: %d pasted into %d, lam = %.2f"):format(yb[1]:item() - 1, ya[1]:item() - 1, lam))
plot.image(xm[1][1])
mixer = aug.mixup{ alpha = 1 }
xa, la = train_set:batch({ 1, 2 })
lams = {}
for i = 1, 1000 do lams[i] = select(4, mixer(xa, la)) end
lam_mean, lam_high = 0, 0
for _, l in ipairs(lams) do
  lam_mean = lam_mean + l / #lams
  if l > 0.9 then lam_high = lam_high + 1 / #lams end
end
print(("λ: mean %.3f, above 0.9 in %.1f%% of the draws"):format(lam_mean, 100 * lam_high))]=],
      solution = [=[
mix_3_7 = { 0, 0, 0, 0.7, 0, 0, 0, 0.3, 0, 0 }
mixer = aug.mixup{ alpha = 1 }
xa, la = train_set:batch({ 1, 2 })
lams = {}
for i = 1, 1000 do lams[i] = select(4, mixer(xa, la)) end
lam_mean, lam_high = 0, 0
for _, l in ipairs(lams) do
  lam_mean = lam_mean + l / #lams
  if l > 0.9 then lam_high = lam_high + 1 / #lams end
end]=],
      wrong = [=[
mix_3_7 = { 0, 0, 0.7, 0, 0, 0, 0.3, 0, 0, 0 }]=],
      check = function(env)
        local want = { 0, 0, 0, 0.7, 0, 0, 0, 0.3, 0, 0 }
        local got = env.mix_3_7
        if nb().is_tensor(got) then got = got:reshape(-1):tolist() end
        if not near_list(got, want, 1e-6) then
          if near_list(got, { 0, 0, 0.7, 0, 0, 0, 0.3, 0, 0, 0 }, 1e-6) then
            return false, msg("mix_3_7 puts 0.7 at index 3 and 0.3 at index 7, but digit 3 is class 4 and digit 7 is class 8",
                              "mix_3_7은 0.7을 3번, 0.3을 7번 자리에 두었지만, 숫자 3은 클래스 4, 숫자 7은 클래스 8입니다")
          end
          if near_list(got, { 0, 0, 0, 0.3, 0, 0, 0, 0.7, 0, 0 }, 1e-6) then
            return false, msg("λ = 0.7 is the share of the FIRST image (the 3): 0.7 at class 4, 0.3 at class 8",
                              "λ = 0.7은 '첫' 이미지(3)의 몫입니다: 클래스 4에 0.7, 클래스 8에 0.3")
          end
          return false, msg(("mix_3_7 = %s: ten numbers summing to 1, λ = 0.7 at the 3's class and 0.3 at the 7's"):format(fmt_list(got)),
                            ("mix_3_7 = %s: 합이 1인 숫자 열 개로, 3의 클래스에 λ = 0.7, 7의 클래스에 0.3"):format(fmt_list(got)))
        end
        local lams = env.lams
        if type(lams) ~= "table" or #lams < 1000 then
          return false, msg("draw λ 1,000 times into lams: lams[i] = select(4, mixer(xa, la))",
                            "λ를 1,000번 뽑아 lams에 담으세요: lams[i] = select(4, mixer(xa, la))")
        end
        local mean, high = 0, 0
        for _, l in ipairs(lams) do
          if type(l) ~= "number" or l < 0 or l > 1 then
            return false, msg("every λ in lams should be a number in [0, 1]", "lams의 모든 λ는 [0, 1]의 숫자여야 합니다")
          end
          mean = mean + l / #lams
          if l > 0.9 then high = high + 1 / #lams end
        end
        if not (close(value(env.lam_mean), mean, 1e-9, 1e-9) and close(value(env.lam_high), high, 1e-9, 1e-9)) then
          return false, msg(("lam_mean should be the mean of lams (%.3f) and lam_high the share above 0.9 (%.3f)"):format(mean, high),
                            ("lam_mean은 lams의 평균(%.3f), lam_high는 0.9를 넘는 비율(%.3f)이어야 합니다"):format(mean, high))
        end
        if not (math.abs(mean - 0.5) < 0.05 and high > 0.05 and high < 0.15) then
          return false, msg(("with α = 1, λ is uniform on [0, 1]: mean about 0.5 and about 10%% of draws above 0.9 (you have %.3f and %.1f%%): use aug.mixup{ alpha = 1 }"):format(mean, 100 * high),
                            ("α = 1이면 λ는 [0, 1]에서 균등합니다. 평균은 약 0.5, 0.9를 넘는 비율은 약 10%%여야 합니다 (지금 %.3f, %.1f%%). aug.mixup{ alpha = 1 }을 쓰세요"):format(mean, 100 * high))
        end
        return true
      end,
      hints = {
        { en = "Digit d is class d + 1: the 3 is at index 4, the 7 at index 8.",
          ko = "숫자 d는 클래스 d + 1입니다: 3은 4번 자리, 7은 8번 자리." },
      },
    },
    -- 12 -----------------------------------------------------------------------------------
    {
      text = {
        en = [[
Train with each mixer, α = 1: data.loader mixes every batch (augment = the mixer) and the
loss takes the soft targets. Compare memorized with the baseline's: how many wrong labels
does a model learn by heart when they only ever come mixed?]],
        ko = [[
믹서마다 α = 1로 학습하세요. data.loader가 배치마다 섞고(augment = 믹서), 손실은 부드러운
목표를 받습니다. memorized를 기준 모델과 비교해 보세요. 틀린 레이블이 언제나 섞여서만
들어오면, 모델은 그중 몇 개를 외울까요?]],
      },
      code = [=[
experiment("mixup", { augment = aug.mixup{ alpha = 1 } })
experiment("cutmix", { augment = aug.cutmix{ alpha = 1 } })]=],
      wrong = [=[
experiment("mixup", { augment = aug.mixup{ alpha = 1 } })
experiment("cutmix", { augment = aug.mixup{ alpha = 1 } })]=],
      check = function(env)
        for _, kind in ipairs({ "mixup", "cutmix" }) do
          local ok, row = check_row(env, kind)
          if not ok then return ok, row end
          local a = row.opts and row.opts.augment
          if type(a) ~= "table" or a.kind ~= kind then
            return false, msg(("results.%s should be trained with augment = aug.%s{ alpha = 1 }"):format(kind, kind),
                              ("results.%s 모델은 augment = aug.%s{ alpha = 1 }로 학습하세요"):format(kind, kind))
          end
          local ok2, m = check_full(kind, row)
          if not ok2 then return ok2, m end
        end
        return true
      end,
    },
    -- 13 -----------------------------------------------------------------------------------
    {
      text = {
        en = [[
The results, one row per technique, sorted by validation accuracy. Pick best, the
technique with the highest validation accuracy (not training accuracy: that one rewards
learning the wrong labels). How sure are we? With 500 validation digits an accuracy p has
a standard error √(p·(1 − p)/500), about 2 points here: smaller differences may be luck.
And the winner's validation accuracy flatters it: it is the highest of eleven noisy
numbers, chosen on those very digits. Report it on digits no step has touched: test_set,
500 other digits of the training file (every 4th from the 3rd, true labels), never
trained on, never used to choose; test_acc is the number to report. Read memorized too:
the techniques that help kept the model from learning the wrong labels; batch norm and
group norm did not here, they made training easier, wrong labels included.]],
        ko = [[
결과를 기법마다 한 줄씩, 검증 정확도 순으로 정리합니다. 검증 정확도가 가장 높은 기법을 best로
고르세요 (학습 정확도가 아닙니다. 학습 정확도는 틀린 레이블을 외울수록 올라갑니다). 얼마나
확실할까요? 검증 숫자 500개에서 정확도 p의 표준 오차는 √(p·(1 − p)/500), 여기서는 약 2%p라서
그보다 작은 차이는 우연일 수 있습니다. 그리고 우승한 기법의 검증 정확도는 실제보다 좋아 보입니다.
바로 그 숫자들로 고른, 노이즈 섞인 숫자 열한 개 가운데 최댓값이니까요. 그러니 어떤 단계도 건드리지
않은 숫자로 보고하세요. test_set은 학습 파일의 다른 숫자 500개(3번째부터 네 개마다, 참 레이블)로,
학습에도 선택에도 쓰지 않았습니다. 보고할 숫자는 test_acc입니다. memorized 열도 읽어 보세요.
도움이 된 기법은 모델이 틀린 레이블을 외우지 못하게 막은 기법입니다. 여기서 배치 정규화와 그룹
정규화는 그러지 못했습니다. 학습을 쉽게 만들었고, 틀린 레이블까지 쉽게 외우게 했습니다.]],
      },
      code = [=[
names = { "baseline", "early_stop", "l2", "adamw", "dropout", "batchnorm", "groupnorm",
          "noise", "smoothing", "mixup", "cutmix" }
table.sort(names, function(a, b) return results[a].val > results[b].val end)
print(("%-11s %7s %7s %7s %10s %7s"):format("", "train", "val", "gap", "memorized", "epochs"))
for _, name in ipairs(names) do
  local r = results[name]
  print(("%-11s %6.1f%% %6.1f%% %6.1f %10d %7d"):format(name, 100 * r.train, 100 * r.val,
    100 * (r.train - r.val), r.memorized, r.epochs))
end
best = names[1]
se = math.sqrt(results.baseline.val * (1 - results.baseline.val) / #val_set)
print(("best: %s; one standard error: %.1f points"):format(best, 100 * se))
tids = {}
for i = 1, 500 do tids[i] = 4 * i - 1 end              -- digits no step has touched
test_x, test_y = digits:batch(tids)
test_set = data.dataset(avg_pool2d(test_x, 2), test_y, { classes = data.MNIST_CLASSES })
test_acc = evaluate(results[best].model, test_set).accuracy
print(("%s: val %.1f%% (chosen on it), test %.1f%% (untouched)"):format(best,
  100 * results[best].val, 100 * test_acc))]=],
      solution = [=[
names = { "baseline", "early_stop", "l2", "adamw", "dropout", "batchnorm", "groupnorm",
          "noise", "smoothing", "mixup", "cutmix" }
table.sort(names, function(a, b) return results[a].val > results[b].val end)
best = names[1]
se = math.sqrt(results.baseline.val * (1 - results.baseline.val) / #val_set)
tids = {}
for i = 1, 500 do tids[i] = 4 * i - 1 end
test_x, test_y = digits:batch(tids)
test_set = data.dataset(avg_pool2d(test_x, 2), test_y, { classes = data.MNIST_CLASSES })
test_acc = evaluate(results[best].model, test_set).accuracy
]=],
      wrong = [=[
names = { "baseline", "early_stop", "l2", "adamw", "dropout", "batchnorm", "groupnorm",
          "noise", "smoothing", "mixup", "cutmix" }
table.sort(names, function(a, b) return results[a].train > results[b].train end)
best = names[1]
se = math.sqrt(results.baseline.val * (1 - results.baseline.val) / #val_set)]=],
      wrongs = {
        { code = [=[
names = { "baseline", "early_stop", "l2", "adamw", "dropout", "batchnorm", "groupnorm",
          "noise", "smoothing", "mixup", "cutmix" }
table.sort(names, function(a, b) return results[a].val > results[b].val end)
best = names[1]
se = math.sqrt(results.baseline.val * (1 - results.baseline.val) / #val_set)
test_acc = results[best].val]=],
          says = { en = "not its validation accuracy again", ko = "검증 정확도를 다시 쓰면 안 됩니다" } },
      },
      check = function(env)
        local top, top_val = {}, -1
        for _, name in ipairs(NAMES) do
          local ok, row = check_row(env, name)
          if not ok then return ok, row end
          if row.val > top_val + 1e-9 then top, top_val = { [name] = true }, row.val
          elseif math.abs(row.val - top_val) <= 1e-9 then top[name] = true end
        end
        if type(env.best) ~= "string" or not top[env.best] then
          local picked = type(env.best) == "string" and env.results[env.best]
          return false, msg(("best = %s (val %s), but the highest validation accuracy is %.1f%%: choose by val, not by train"):format(
                              tostring(env.best), picked and ("%.1f%%"):format(100 * picked.val) or "?", 100 * top_val),
                            ("best = %s (검증 %s)인데, 가장 높은 검증 정확도는 %.1f%%입니다: 학습이 아니라 검증 정확도로 고르세요"):format(
                              tostring(env.best), picked and ("%.1f%%"):format(100 * picked.val) or "?", 100 * top_val))
        end
        local p = env.results.baseline.val
        local want = math.sqrt(p * (1 - p) / 500)
        if not finite(value(env.se)) or math.abs(value(env.se) - want) > 1e-6 then
          return false, msg(("se should be √(p·(1 − p)/500) = %.4f for the baseline's p = %.3f, got %s"):format(want, p, tostring(env.se)),
                            ("se는 기준 모델의 p = %.3f에 대한 √(p·(1 − p)/500) 값(%.4f)이어야 하는데 %s입니다"):format(p, want, tostring(env.se)))
        end
        local t = D.test()
        local acc = accuracy(env.results[env.best].model, t.x, t.y)
        if not finite(value(env.test_acc)) or math.abs(value(env.test_acc) - acc) > 1e-6 then
          local on_val = finite(value(env.test_acc)) and math.abs(value(env.test_acc) - env.results[env.best].val) < 1e-9
          return false, msg(("test_acc should be the accuracy of results[best].model on test_set (the 500 untouched digits 4i − 1), %.3f%s"):format(acc,
                              on_val and ", not its validation accuracy again: the validation digits chose the winner" or ""),
                            ("test_acc는 test_set(건드리지 않은 숫자 500개, 4i − 1번째)에서 results[best].model의 정확도 %.3f여야 합니다%s"):format(acc,
                              on_val and ". 검증 정확도를 다시 쓰면 안 됩니다. 검증 숫자로 우승자를 골랐으니까요" or ""))
        end
        return true
      end,
      hints = {
        { en = "Sort with results[a].val > results[b].val; p = results.baseline.val.",
          ko = "results[a].val > results[b].val로 정렬하세요. p = results.baseline.val." },
      },
    },
    -- 14 -----------------------------------------------------------------------------------
    {
      text = { en = "What did we learn?", ko = "무엇을 배웠나요?" },
      quiz = {
        question = {
          en = "A colleague trains with Adam(weight_decay = 1e-2) and says \"AdamW is the same thing, just renamed\". Which answer is right?",
          ko = "동료가 Adam(weight_decay = 1e-2)으로 학습하면서 \"AdamW는 이름만 바꾼 같은 것\"이라고 합니다. 어느 답이 맞을까요?" },
        choices = {
          { en = "No: AdamW decays only the weights whose gradients are large, and leaves all the other weights as they are",
            ko = "아니다: AdamW는 기울기가 큰 가중치만 감쇠하고, 기울기가 작은 나머지 가중치는 모두 그대로 둔다" },
          { en = "Yes: an L2 penalty and weight decay are the same thing for every optimizer, Adam included",
            ko = "맞다: Adam을 포함한 어떤 옵티마이저에서든 L2 페널티와 가중치 감쇠는 같은 것이다" },
          { en = "No: Adam divides the λ·w term by the gradients' RMS too; AdamW shrinks every weight by (1 − lr·λ)",
            ko = "아니다: Adam은 λ·w 항도 기울기의 RMS로 나누고, AdamW는 모든 가중치를 (1 − lr·λ)배로 줄인다" },
          { en = "No: AdamW removes the penalty from the loss, so it does not regularize the weights at all",
            ko = "아니다: AdamW는 손실에서 페널티를 빼므로 가중치를 전혀 정규화하지 않는다" },
        },
        answer = 3,
        explain = { en = "Right: in Adam + L2, weights with large gradients are hardly decayed and weights with tiny ones are pulled a full step — the weight without a gradient moved 0.1 (a full lr), with AdamW only lr·λ·w = 0.002. They coincide only for plain SGD.",
                    ko = "맞습니다: Adam + L2에서는 기울기가 큰 가중치는 거의 감쇠되지 않고 기울기가 아주 작은 가중치는 한 걸음 전부만큼 당겨집니다. 기울기 없는 가중치가 0.1(lr 전부)만큼 움직였고, AdamW에서는 lr·λ·w = 0.002만큼만 움직였습니다. 둘은 그냥 SGD에서만 같습니다." },
        wrong = {
          [1] = { en = "AdamW multiplies every weight by the same (1 − lr·λ), whatever its gradient; it is Adam + L2 whose decay depends on the gradient.",
                  ko = "AdamW는 기울기와 상관없이 모든 가중치에 같은 (1 − lr·λ)를 곱합니다. 감쇠가 기울기에 따라 달라지는 쪽은 Adam + L2입니다." },
          [2] = { en = "That holds for plain SGD only; Adam rescales the whole gradient, penalty included.",
                  ko = "그건 그냥 SGD에서만 맞습니다. Adam은 페널티를 포함한 기울기 전체의 크기를 바꿉니다." },
          [4] = { en = "AdamW still decays the weights, every step, by lr·λ·w: it moves the decay out of the gradient, it does not drop it.",
                  ko = "AdamW도 매 단계 lr·λ·w만큼 가중치를 감쇠합니다. 감쇠를 기울기 밖으로 옮길 뿐, 없애지 않습니다." },
        },
      },
    },
  },
}

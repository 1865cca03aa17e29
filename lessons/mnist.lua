-- Lesson 10: MNIST — from pixels to an MLP, the confusion matrix, a CNN composed layer by
-- layer (and why it copes with shifted digits), the all-convolutional net, and the rows of an
-- image read as a sequence by a GRU. On the committed 2,000/500-digit subset, so that every
-- step trains in a few seconds; each step names the full experiment in experiments/.
local function nb() return require "nabla" end

local C = require("nabla.lesson").checks
local value, finite, why, is_module = C.value, C.finite, C.why, C.is_module

-- the subset, loaded once for the checks (the learner's own variables may have changed),
-- and the accuracy on its 500 test digits (lessons/lib/digits.lua)
local D = require("nabla.lesson").lib("digits")
local small, test_accuracy = D.sets, D.test_accuracy

-- an error message without the file:line where it was raised

local function shape_str(t)
  local n = nb()
  if not n.is_tensor(t) then return type(t) end
  local s = {}
  for i = 1, t:dim() do s[i] = tostring(t.shape[i]) end
  return "(" .. table.concat(s, ", ") .. ")"
end

local function has_shape(t, want)
  local n = nb()
  if not n.is_tensor(t) or t:dim() ~= #want then return false end
  for i, w in ipairs(want) do if t.shape[i] ~= w then return false end end
  return true
end

-- how many modules of each class a model holds (itself included)
local function kinds(model)
  local count = {}
  for _, m in ipairs(model:modules()) do count[m.__name] = (count[m.__name] or 0) + 1 end
  return count
end


local function need_model(env, name, how)
  if not is_module(env[name]) then
    return false, { en = ("make %s: %s"):format(name, how.en), ko = ("%s 모델을 만드세요: %s"):format(name, how.ko) }
  end
  return true
end

-- the learner's accuracy variable against the model's real test accuracy, and a floor
local function check_accuracy(env, model_name, acc_name, floor, train_hint)
  local ok, msg = need_model(env, model_name, { en = "run the code of this step", ko = "이 단계의 코드를 실행하세요" })
  if not ok then return ok, msg end
  local acc, err = test_accuracy(env[model_name])
  if not acc then
    return false, { en = ("evaluate(%s, test) failed: %s"):format(model_name, err),
                    ko = ("evaluate(%s, test)가 실패했습니다: %s"):format(model_name, err) }
  end
  local got = value(env[acc_name])
  if not finite(got) then
    return false, { en = ("set %s = evaluate(%s, test).accuracy"):format(acc_name, model_name),
                    ko = ("%s = evaluate(%s, test).accuracy 로 정하세요"):format(acc_name, model_name) }
  end
  if math.abs(got - acc) > 1e-6 then
    return false, { en = ("%s = %.3f, but %s gets %.3f of the 500 TEST digits right: measure on test, the digits it never trained on"):format(acc_name, got, model_name, acc),
                    ko = ("%s = %.3f인데, 테스트 숫자 500개에서 %s 모델의 정확도는 %.3f입니다: 학습에 쓰지 않은 test에서 측정하세요"):format(acc_name, got, model_name, acc) }
  end
  if acc < floor then
    return false, { en = ("%s gets only %.1f%% of the test digits right (chance is 10%%): %s"):format(model_name, 100 * acc, train_hint.en),
                    ko = ("%s 모델은 테스트 숫자의 %.1f%%만 맞힙니다 (찍으면 10%%): %s"):format(model_name, 100 * acc, train_hint.ko) }
  end
  return true
end

local CNN_CODE = [[
manual_seed(0)
flat = 16 * 7 * 7      -- channels × height × width after the second pooling
cnn = nn.Sequential{
  nn.Conv2d(1, 8, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
  nn.Conv2d(8, 16, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
  nn.Flatten(), nn.Linear(flat, 10),
}
h = x
for i = 1, #cnn do
  h = cnn[i](h)
  print(i, cnn[i], h.shape)
end]]

local ROWREADER = [[
RowReader = nn.Module:extend("RowReader")
function RowReader:__init(hidden)
  self.rnn = nn.GRU(28, hidden, { batch_first = true })
  self.fc = nn.Linear(hidden, 10)
end
function RowReader:forward(x)
  local rows = x:view(x.shape[1], 28, 28)      -- (B, 28 rows, 28 pixels)
  return self.fc(self.rnn(rows):select(2, 28))  -- the state after the last row
end
manual_seed(0)
rnn = RowReader(32)
]]

return {
  id = "mnist",
  order = 10,
  title = { en = "MNIST: MLP, CNN, all-conv and RNN", ko = "MNIST: MLP, CNN, All-Conv, RNN" },
  steps = {
    {
      text = {
        en = [[
MNIST: 28×28 grey images of handwritten digits, each pixel a number in [0, 1]. The full
set has 60,000 training and 10,000 test images; this lesson uses the committed subset of
2,000 + 500 (small = true), so that everything trains in seconds. Labels are class ids
1..10, as everywhere in Lua: digit d is class d + 1 (train.classes[y] is its name).
Look at the first eight digits, then find which DIGIT image 1 shows and count the
training images of each digit: counts[d] for d = 0..9.]],
        ko = [[
MNIST: 손으로 쓴 숫자의 28×28 흑백 이미지이고, 픽셀마다 [0, 1]의 숫자 하나입니다. 전체
데이터는 학습 60,000장, 테스트 10,000장인데, 이 레슨에서는 저장소에 들어 있는 2,000 + 500장의
부분 집합(small = true)을 써서 모든 학습이 몇 초 안에 끝나게 합니다. 레이블은 Lua의 다른
곳과 마찬가지로 1..10의 클래스 번호입니다: 숫자 d는 클래스 d + 1 (이름은 train.classes[y]).
처음 여덟 장을 보고, 1번 이미지가 어떤 '숫자'인지, 그리고 숫자별 학습 이미지 수
counts[d] (d = 0..9)를 세어 보세요.]],
      },
      code = [[
train = data.mnist{ split = "train", small = true }   -- 2,000 digits
test = data.mnist{ split = "test", small = true }     -- 500 other digits
print(train, test)
x, y = train:batch{ 1, 2, 3, 4, 5, 6, 7, 8 }           -- x (8, 1, 28, 28), y (8)
print(x.shape, y, x:min(), x:max())
names = {}
for i, c in ipairs(y:tolist()) do names[i] = train.classes[c] end   -- class id -> digit name
plot.images(x:view(8, 28, 28), { labels = names })
first_digit = y[1]:item() - 1
counts = {}
for _, c in ipairs(train.labels:tolist()) do
  local d = c - 1                 -- class id c shows the digit c - 1
  counts[d] = (counts[d] or 0) + 1
end
print(first_digit, counts[0], counts[9])]],
      solution = [[
train = data.mnist{ split = "train", small = true }
test = data.mnist{ split = "test", small = true }
x, y = train:batch{ 1, 2, 3, 4, 5, 6, 7, 8 }
first_digit = y[1]:item() - 1
counts = {}
for _, c in ipairs(train.labels:tolist()) do
  local d = c - 1
  counts[d] = (counts[d] or 0) + 1
end]],
      wrong = [[
train = data.mnist{ split = "train", small = true }
test = data.mnist{ split = "test", small = true }
x, y = train:batch{ 1, 2, 3, 4, 5, 6, 7, 8 }
first_digit = y[1]:item()
counts = {}
for _, c in ipairs(train.labels:tolist()) do counts[c] = (counts[c] or 0) + 1 end]],
      check = function(env)
        local s = small()
        if type(env.train) ~= "table" or #env.train ~= #s.train then
          return false, { en = "load the subset: train = data.mnist{ split = \"train\", small = true } (2,000 digits)",
                          ko = "부분 집합을 불러오세요: train = data.mnist{ split = \"train\", small = true } (2,000장)" }
        end
        local _, y1 = s.train:get(1)
        local digit = y1 - 1
        local fd = value(env.first_digit)
        if fd ~= digit then
          return false, { en = ("first_digit = %s, but image 1 shows a %d: its label %d is the class id, and digit d is class d + 1"):format(tostring(fd), digit, y1),
                          ko = ("first_digit = %s인데, 1번 이미지의 숫자는 %d입니다: 레이블(%d)은 클래스 번호이고, 숫자 d는 클래스 d + 1입니다"):format(tostring(fd), digit, y1) }
        end
        if type(env.counts) ~= "table" then
          return false, { en = "make the table counts: counts[d] = training images of digit d", ko = "counts 테이블을 만드세요: counts[d] = 숫자 d의 학습 이미지 수" }
        end
        local want = {}
        for _, c in ipairs(s.train.labels:tolist()) do want[c - 1] = (want[c - 1] or 0) + 1 end
        for d = 0, 9 do
          if value(env.counts[d]) ~= want[d] then
            return false, { en = ("counts[%d] = %s, but %d training images show the digit %d (class %d): key the table by digit, c − 1"):format(d, tostring(env.counts[d]), want[d], d, d + 1),
                            ko = ("counts[%d] = %s인데, 숫자 %d(클래스 %d)의 학습 이미지는 %d장입니다: 테이블의 키는 숫자, 즉 c − 1입니다"):format(d, tostring(env.counts[d]), d, d + 1, want[d]) }
          end
        end
        return true
      end,
      hints = { { en = "y[1]:item() is a class id; subtract 1 for the digit.", ko = "y[1]:item()은 클래스 번호입니다. 1을 빼면 숫자입니다." } },
    },
    {
      text = {
        en = [[
The simplest network forgets that the image is 2-D: nn.Flatten() turns (B, 1, 28, 28) into
(B, 784), one row of 784 numbers per image, and a multilayer perceptron (MLP) maps those to
10 scores, one per digit (logits; the highest is the prediction). A Linear layer acts on
the LAST dimension only, so without Flatten it would mix the 28 pixels of each row and
nothing else. Build the MLP 784 → 32 → 10 and count its parameters by hand.]],
        ko = [[
가장 단순한 신경망은 이미지가 2차원이라는 사실을 버립니다: nn.Flatten()이 (B, 1, 28, 28)을
(B, 784), 즉 이미지마다 숫자 784개짜리 한 줄로 펴고, 다층 퍼셉트론(MLP)이 그것을 숫자마다
하나씩 점수 10개(로짓, 가장 큰 것이 예측)로 바꿉니다. Linear 층은 '마지막' 차원에만 작용하므로,
Flatten이 없으면 각 행의 픽셀 28개끼리만 섞게 됩니다. 784 → 32 → 10 MLP를 만들고 파라미터
수를 손으로 세어 보세요.]],
      },
      code = [[
manual_seed(0)
mlp = nn.Sequential{ nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10) }
print(mlp(x).shape)                          -- (8, 10): ten scores per image
n_params = 784 * 32 + 32 + 32 * 10 + 10      -- weights and biases of both layers
print(n_params, mlp:num_parameters())]],
      solution = [[
manual_seed(0)
mlp = nn.Sequential{ nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10) }
n_params = 784 * 32 + 32 + 32 * 10 + 10]],
      wrong = [[
manual_seed(0)
mlp = nn.Sequential{ nn.Linear(28, 32), nn.ReLU(), nn.Linear(32, 10) }
n_params = 28 * 32 + 32 * 10]],
      check = function(env)
        local ok, msg = need_model(env, "mlp", { en = "nn.Sequential{ nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10) }",
                                                ko = "nn.Sequential{ nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10) }" })
        if not ok then return ok, msg end
        local x2 = small().x2
        local ran, out = pcall(env.mlp, x2)
        if not ran then
          return false, { en = "mlp(x) failed on a batch (2, 1, 28, 28): " .. why(out), ko = "mlp(x)가 배치 (2, 1, 28, 28)에서 실패했습니다: " .. why(out) }
        end
        if not has_shape(out, { 2, 10 }) then
          return false, { en = ("mlp(x) should give (2, 10) for a batch of shape (2, 1, 28, 28), got %s: a Linear layer acts on the last dimension only; flatten each image to 784 numbers first (nn.Flatten())"):format(shape_str(out)),
                          ko = ("mlp(x)는 모양 (2, 1, 28, 28)인 배치에 (2, 10)을 내야 하는데 %s입니다: Linear 층은 마지막 차원에만 작용합니다. 먼저 이미지를 숫자 784개로 펴세요 (nn.Flatten())"):format(shape_str(out)) }
        end
        local real = env.mlp:num_parameters()
        if value(env.n_params) ~= real then
          return false, { en = ("n_params = %s, but mlp has %d parameters: each Linear(a, b) has a·b weights and b biases"):format(tostring(env.n_params), real),
                          ko = ("n_params = %s인데, mlp의 파라미터는 %d개입니다: Linear(a, b)마다 가중치 a·b개와 편향 b개가 있습니다"):format(tostring(env.n_params), real) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Train it: fit goes through the training set in mini-batches (3 epochs here), with Adam
and the cross-entropy loss; evaluate measures the loss and accuracy on the 500 test
digits, which the model never saw. Expect about 85% on this small subset.
The full experiment, `nabla run experiments/mnist-mlp.lua` (784-256-10 with dropout, 15
epochs on the 60,000 digits), reaches about 98%.]],
        ko = [[
학습시킵시다: fit은 학습 세트를 미니배치로 훑으며(여기서는 3 에폭) Adam과 교차 엔트로피 손실
함수로 학습하고, evaluate는 모델이 한 번도 보지 못한 테스트 숫자 500개에서 손실과 정확도를
측정합니다. 이 작은 부분 집합에서는 약 85%가 나옵니다.
전체 실험 `nabla run experiments/mnist-mlp.lua` (드롭아웃이 있는 784-256-10, 60,000장으로
15 에폭)는 약 98%에 이릅니다.]],
      },
      code = [[
manual_seed(0)
mlp = nn.Sequential{ nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10) }
history = fit(mlp, data.loader(train, { batch = 50, shuffle = true, seed = 0 }), { epochs = 3, lr = 2e-3 })
ev = evaluate(mlp, test)
mlp_acc = ev.accuracy
print(mlp_acc, ev.loss)
plot.line(history.loss)]],
      wrong = [[
manual_seed(0)
mlp = nn.Sequential{ nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10) }
ev = evaluate(mlp, test)
mlp_acc = ev.accuracy]],
      check = function(env)
        return check_accuracy(env, "mlp", "mlp_acc", 0.75,
          { en = "train it with fit (3 epochs) before evaluating", ko = "evaluate 전에 fit으로 학습시키세요 (3 에폭)" })
      end,
    },
    {
      text = {
        en = [[
Accuracy is one number; the confusion matrix says WHICH digits are mistaken for which.
ev.confusion[t][p] counts the test images of class t that the model called class p: the
diagonal holds the right answers, everything off it is a mistake. Find the most frequent
mistake as digits (true_digit shown, predicted digit given, count) and look at those
images. Do the mistakes look like digits a person could misread?]],
        ko = [[
정확도는 숫자 하나일 뿐이고, 혼동 행렬은 '어떤' 숫자를 무엇으로 착각하는지 알려 줍니다.
ev.confusion[t][p]는 클래스 t인 테스트 이미지를 모델이 클래스 p라고 한 횟수입니다: 대각선은
맞힌 것, 대각선 밖은 모두 틀린 것이죠. 가장 흔한 실수를 숫자로 (보여 준 숫자 true_digit,
예측한 숫자 predicted, 횟수 count) 찾고, 그 이미지들을 보세요. 사람도 헷갈릴 만한 글씨인가요?]],
      },
      code = [[
conf = ev.confusion
for t = 1, 10 do print(t - 1, table.concat(conf[t], "  ")) end
worst = { count = 0 }
for t = 1, 10 do
  for p = 1, 10 do
    if t ~= p and conf[t][p] > worst.count then
      worst = { true_digit = t - 1, predicted = p - 1, count = conf[t][p] }
    end
  end
end
print(worst.true_digit, worst.predicted, worst.count)
ids = {}
for i = 1, #test do ids[i] = i end
tx, ty = test:batch(ids)                     -- all 500 test images and labels
pred, truth, shown = mlp(tx):argmax(2):tolist(), ty:tolist(), {}
for i = 1, #truth do
  if truth[i] == worst.true_digit + 1 and pred[i] == worst.predicted + 1 then shown[#shown + 1] = i end
end
plot.images(tx:index_select(1, tensor(shown)):view(-1, 28, 28))]],
      solution = [[
conf = ev.confusion
worst = { count = 0 }
for t = 1, 10 do
  for p = 1, 10 do
    if t ~= p and conf[t][p] > worst.count then
      worst = { true_digit = t - 1, predicted = p - 1, count = conf[t][p] }
    end
  end
end
ids = {}
for i = 1, #test do ids[i] = i end
tx, ty = test:batch(ids)]],
      wrong = [[
conf = ev.confusion
worst = { count = 0 }
for t = 1, 10 do
  for p = 1, 10 do
    if conf[t][p] > worst.count then
      worst = { true_digit = t - 1, predicted = p - 1, count = conf[t][p] }
    end
  end
end]],
      check = function(env)
        if not is_module(env.mlp) then
          return false, { en = "train mlp first (step 3)", ko = "먼저 mlp를 학습시키세요 (3단계)" }
        end
        local acc, ev = test_accuracy(env.mlp)
        if not acc then return false, { en = "evaluate(mlp, test) failed: " .. why(ev), ko = "evaluate(mlp, test)가 실패했습니다: " .. why(ev) } end
        local conf = ev.confusion
        local most = 0
        for t = 1, 10 do for p = 1, 10 do if t ~= p then most = math.max(most, conf[t][p]) end end end
        local w = env.worst
        if type(w) ~= "table" or not finite(value(w.count)) then
          return false, { en = "make worst = { true_digit = ..., predicted = ..., count = ... }", ko = "worst = { true_digit = ..., predicted = ..., count = ... }를 만드세요" }
        end
        local td, pd, cnt = value(w.true_digit), value(w.predicted), value(w.count)
        if td and pd and td == pd then
          return false, { en = ("worst is %d predicted as %d: that is on the diagonal, a right answer; skip t = p"):format(td, pd),
                          ko = ("worst의 true_digit과 predicted가 같습니다(%d, %d): 대각선, 즉 맞힌 답입니다. t = p는 건너뛰세요"):format(td, pd) }
        end
        if cnt ~= most then
          return false, { en = ("worst.count = %s, but the largest count off the diagonal is %d"):format(tostring(cnt), most),
                          ko = ("worst.count = %s인데, 대각선 밖의 가장 큰 값은 %d입니다"):format(tostring(cnt), most) }
        end
        local function cell(a, b)
          if math.type(a) ~= "integer" and not (finite(a) and a == math.floor(a)) then return nil end
          local row = conf[math.floor(a)]
          return row and row[math.floor(b)]
        end
        if not (td and pd and cell(td + 1, pd + 1) == most) then
          local as_class = td and pd and cell(td, pd) == most
          return false, { en = ("true_digit = %s, predicted = %s is not a cell holding %d%s"):format(tostring(td), tostring(pd), most,
                            as_class and ": those are class ids; the digit is the class − 1" or ""),
                          ko = ("(true_digit = %s, predicted = %s) 칸의 값이 찾는 값(%d)과 다릅니다%s"):format(tostring(td), tostring(pd), most,
                            as_class and ": 그것은 클래스 번호입니다. 숫자는 클래스 − 1" or "") }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
An MLP treats pixel (3, 5) and pixel (3, 6) as unrelated inputs. A convolutional network
(CNN) slides small 3×3 filters over the image: the same few weights look for a stroke at
every position. nn.Conv2d(c_in, c_out, 3, { padding = 1 }) keeps the 28×28 size (without
padding a 3×3 filter loses one pixel on each side), nn.MaxPool2d(2) keeps the largest value
of each 2×2 window and halves the size. Compose two such stages, then Flatten and a
Linear layer, and follow the shapes layer by layer: (B, 1, 28, 28) → ... → (B, 10).]],
        ko = [[
MLP에게 픽셀 (3, 5)와 (3, 6)은 서로 상관없는 입력입니다. 합성곱 신경망(CNN)은 작은 3×3
필터를 이미지 위로 밀고 다닙니다: 같은 몇 개의 가중치가 모든 위치에서 획을 찾는 것이죠.
nn.Conv2d(c_in, c_out, 3, { padding = 1 })은 28×28 크기를 유지하고 (패딩이 없으면 3×3 필터가
가장자리에서 한 픽셀씩 잃습니다), nn.MaxPool2d(2)는 2×2 창마다 가장 큰 값을 남겨 크기를 반으로
줄입니다. 이런 단계 두 개 다음에 Flatten과 Linear 층을 붙이고, 층마다 모양을 따라가 보세요:
(B, 1, 28, 28) → ... → (B, 10).]],
      },
      code = CNN_CODE,
      solution = [[
manual_seed(0)
flat = 16 * 7 * 7
cnn = nn.Sequential{
  nn.Conv2d(1, 8, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
  nn.Conv2d(8, 16, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
  nn.Flatten(), nn.Linear(flat, 10),
}]],
      wrong = [[
manual_seed(0)
flat = 16 * 7 * 7
cnn = nn.Sequential{
  nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
  nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
  nn.Flatten(), nn.Linear(flat, 10),
}]],
      check = function(env)
        local ok, msg = need_model(env, "cnn", { en = "an nn.Sequential of two conv + ReLU + pool stages, Flatten and Linear",
                                                ko = "합성곱 + ReLU + 풀링 단계 두 개, Flatten, Linear로 된 nn.Sequential" })
        if not ok then return ok, msg end
        local m = env.cnn
        if m.__name ~= "Sequential" then
          return false, { en = "make cnn an nn.Sequential{...}, so that it can be followed layer by layer",
                          ko = "층마다 따라갈 수 있도록 cnn을 nn.Sequential{...}로 만드세요" }
        end
        local k = kinds(m)
        if (k.Conv2d or 0) < 2 or (k.MaxPool2d or 0) < 2 then
          return false, { en = "cnn needs two stages of nn.Conv2d + nn.ReLU + nn.MaxPool2d(2)", ko = "cnn에는 nn.Conv2d + nn.ReLU + nn.MaxPool2d(2) 단계가 두 개 필요합니다" }
        end
        local h = small().x2
        for i = 1, #m do
          local layer = m[i]
          local ran, out = pcall(layer, h)
          if not ran then
            local extra = { en = "", ko = "" }
            if layer.__name == "Linear" then
              extra = { en = (" — its input has %d features per image; a 3×3 convolution without padding makes the image 2 pixels smaller (28 → 26 → pool → 13 → 11 → pool → 5), padding = 1 keeps it"):format(h:numel() // 2),
                        ko = (" — 입력은 이미지마다 특성 %d개입니다. 패딩 없는 3×3 합성곱은 이미지를 2픽셀 줄입니다 (28 → 26 → 풀링 → 13 → 11 → 풀링 → 5), padding = 1이면 크기가 유지됩니다"):format(h:numel() // 2) }
            end
            return false, { en = ("layer %d (%s) fails on its input of shape %s: %s%s"):format(i, layer.__name, shape_str(h), why(out), extra.en),
                            ko = ("%d번째 층(%s)이 모양 %s인 입력에서 실패합니다: %s%s"):format(i, layer.__name, shape_str(h), why(out), extra.ko) }
          end
          h = out
        end
        if not has_shape(h, { 2, 10 }) then
          return false, { en = ("cnn should turn (2, 1, 28, 28) into (2, 10), it gives %s"):format(shape_str(h)),
                          ko = ("cnn은 (2, 1, 28, 28)을 (2, 10)으로 바꿔야 하는데 출력 모양이 %s입니다"):format(shape_str(h)) }
        end
        return true
      end,
      hints = { { en = "After each MaxPool2d(2) the height and width halve: 28 → 14 → 7.", ko = "MaxPool2d(2)를 지날 때마다 높이와 너비가 반이 됩니다: 28 → 14 → 7." } },
    },
    {
      text = {
        en = [[
Train the CNN the same way (2 epochs) and compare: fewer parameters, more digits right.
Then move every test digit a few pixels to the right and measure both again. The MLP has
learned "ink at pixel 300 means 1"; the CNN's filters find the same strokes wherever they
are, and pooling forgives small moves. (Data augmentation, the next lesson, teaches such
moves on purpose.) The full `nabla run experiments/mnist-cnn.lua` (32 and 64 channels, 6
epochs on 60,000 digits) reaches about 99.2%.]],
        ko = [[
CNN도 같은 방식으로 (2 에폭) 학습시키고 비교해 보세요: 파라미터는 더 적은데 더 많이 맞힙니다.
그다음 모든 테스트 숫자를 오른쪽으로 몇 픽셀 옮기고 둘을 다시 측정해 보세요. MLP는 "300번 픽셀에
잉크가 있으면 1"을 배웠지만, CNN의 필터는 같은 획을 어디에 있든 찾아내고, 풀링은 작은 이동을
눈감아 줍니다. (다음 레슨의 데이터 증강은 이런 이동을 일부러 가르칩니다.) 전체 실험
`nabla run experiments/mnist-cnn.lua` (채널 32와 64, 60,000장으로 6 에폭)는 약 99.2%에 이릅니다.]],
      },
      code = [[
fit(cnn, data.loader(train, { batch = 50, shuffle = true, seed = 0 }), { epochs = 2, lr = 3e-3 })
cnn_acc = evaluate(cnn, test).accuracy
print(("MLP: %d parameters, %.1f%%   CNN: %d parameters, %.1f%%"):format(
  mlp:num_parameters(), 100 * mlp_acc, cnn:num_parameters(), 100 * cnn_acc))
shifted = {}
for s = 0, 4 do
  local moved = aug.affine{ shift_x = { s / 28, s / 28 }, p = 1 }(tx)   -- s pixels to the right
  shifted[s] = { mlp = evaluate(mlp, { moved, ty }).accuracy, cnn = evaluate(cnn, { moved, ty }).accuracy }
  print(s, shifted[s].mlp, shifted[s].cnn)
end
plot.lines{ mlp = { { 0, 1, 2, 3, 4 }, { shifted[0].mlp, shifted[1].mlp, shifted[2].mlp, shifted[3].mlp, shifted[4].mlp } },
            cnn = { { 0, 1, 2, 3, 4 }, { shifted[0].cnn, shifted[1].cnn, shifted[2].cnn, shifted[3].cnn, shifted[4].cnn } } }]],
      solution = [[
fit(cnn, data.loader(train, { batch = 50, shuffle = true, seed = 0 }), { epochs = 2, lr = 3e-3 })
cnn_acc = evaluate(cnn, test).accuracy
shifted = {}
for s = 0, 4 do
  local moved = aug.affine{ shift_x = { s / 28, s / 28 }, p = 1 }(tx)
  shifted[s] = { mlp = evaluate(mlp, { moved, ty }).accuracy, cnn = evaluate(cnn, { moved, ty }).accuracy }
end]],
      wrong = [[
cnn_acc = evaluate(cnn, test).accuracy
shifted = {}
for s = 0, 4 do
  shifted[s] = { mlp = evaluate(mlp, { tx, ty }).accuracy, cnn = evaluate(cnn, { tx, ty }).accuracy }
end]],
      check = function(env)
        local ok, msg = check_accuracy(env, "cnn", "cnn_acc", 0.8,
          { en = "train cnn with fit (2 epochs) first", ko = "먼저 fit으로 cnn을 학습시키세요 (2 에폭)" })
        if not ok then return ok, msg end
        if type(env.shifted) ~= "table" or type(env.shifted[3]) ~= "table" then
          return false, { en = "make shifted[s] = { mlp = ..., cnn = ... } for s = 0..4", ko = "s = 0..4에 대해 shifted[s] = { mlp = ..., cnn = ... }를 만드세요" }
        end
        local n, s = nb(), small()
        local moved = n.aug.affine{ shift_x = { 3 / 28, 3 / 28 }, p = 1 }(s.tx)
        for _, name in ipairs({ "mlp", "cnn" }) do
          local want = n.evaluate(env[name], { moved, s.ty }).accuracy
          local got = value(env.shifted[3][name])
          if not finite(got) or math.abs(got - want) > 1e-6 then
            return false, { en = ("shifted[3].%s = %s, but %s gets %.3f of the test digits moved 3 pixels right: evaluate on the moved images"):format(name, tostring(got), name, want),
                            ko = ("shifted[3].%s = %s인데, 오른쪽으로 3픽셀 옮긴 테스트 숫자에서 %s 모델의 정확도는 %.3f입니다: 옮긴 이미지로 측정하세요"):format(name, tostring(got), name, want) }
          end
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Do we need the Flatten and Linear at all? The all-convolutional net (Springenberg et al.
2015) uses only convolutions: strided ones (stride = 2) shrink the image instead of
pooling, global average pooling, nn.AdaptiveAvgPool2d(1), averages each of the last
feature maps to one number, (B, C, H, W) → (B, C, 1, 1), and a 1×1 convolution maps the C
numbers to the 10 scores, (B, 10, 1, 1). With no Linear layer tied to 7×7 maps, the same
network takes an image of any size. The full `nabla run experiments/mnist-allconv.lua`
reaches about 99.3%.]],
        ko = [[
Flatten과 Linear가 꼭 필요할까요? All-Convolutional Net(Springenberg 외 2015)은 합성곱만
씁니다. 풀링 대신 스트라이드 2인 합성곱(stride = 2)으로 이미지를 줄이고, 전역 평균 풀링
nn.AdaptiveAvgPool2d(1)이 마지막 특성 맵 각각을 숫자 하나로 평균 내며, (B, C, H, W) →
(B, C, 1, 1), 1×1 합성곱이 그 C개의 숫자를 점수 10개 (B, 10, 1, 1)로 바꿉니다. 7×7 맵에 묶인
Linear 층이 없으니 같은 신경망이 어떤 크기의 이미지든 받습니다. 전체 실험
`nabla run experiments/mnist-allconv.lua`는 약 99.3%에 이릅니다.]],
      },
      code = [[
manual_seed(0)
allconv = nn.Sequential{
  nn.Conv2d(1, 8, 3, { stride = 2, padding = 1 }), nn.ReLU(),    -- (B, 8, 14, 14)
  nn.Conv2d(8, 16, 3, { stride = 2, padding = 1 }), nn.ReLU(),   -- (B, 16, 7, 7)
  nn.Conv2d(16, 32, 3, { padding = 1 }), nn.ReLU(),              -- (B, 32, 7, 7)
  nn.AdaptiveAvgPool2d(1),                                       -- (B, 32, 1, 1)
  nn.Conv2d(32, 10, 1),                                          -- (B, 10, 1, 1)
}
scores = allconv(x)
logits = scores:view(scores.shape[1], 10)    -- a view for the loss: no computation
print(scores.shape, logits.shape, allconv:num_parameters())
print(allconv(zeros(1, 1, 40, 40)).shape)    -- a bigger image: still (1, 10, 1, 1)
print(pcall(cnn, zeros(1, 1, 40, 40)))       -- the CNN's Linear layer cannot take it]],
      solution = [[
manual_seed(0)
allconv = nn.Sequential{
  nn.Conv2d(1, 8, 3, { stride = 2, padding = 1 }), nn.ReLU(),
  nn.Conv2d(8, 16, 3, { stride = 2, padding = 1 }), nn.ReLU(),
  nn.Conv2d(16, 32, 3, { padding = 1 }), nn.ReLU(),
  nn.AdaptiveAvgPool2d(1),
  nn.Conv2d(32, 10, 1),
}
scores = allconv(x)
logits = scores:view(scores.shape[1], 10)]],
      wrong = [[
manual_seed(0)
allconv = nn.Sequential{
  nn.Conv2d(1, 8, 3, { stride = 2, padding = 1 }), nn.ReLU(),
  nn.Conv2d(8, 16, 3, { stride = 2, padding = 1 }), nn.ReLU(),
  nn.Conv2d(16, 32, 3, { padding = 1 }), nn.ReLU(),
  nn.Conv2d(32, 10, 1),
}
scores = allconv(x)
logits = scores:view(scores.shape[1], -1)]],
      check = function(env)
        local ok, msg = need_model(env, "allconv", { en = "an nn.Sequential of convolutions ending in AdaptiveAvgPool2d(1) and a 1×1 Conv2d",
                                                    ko = "AdaptiveAvgPool2d(1)과 1×1 Conv2d로 끝나는 합성곱들의 nn.Sequential" })
        if not ok then return ok, msg end
        local k = kinds(env.allconv)
        if k.Linear or k.Flatten then
          return false, { en = "an all-convolutional net has no Linear and no Flatten: end with nn.AdaptiveAvgPool2d(1) and nn.Conv2d(C, 10, 1)",
                          ko = "All-Convolutional Net에는 Linear도 Flatten도 없습니다. nn.AdaptiveAvgPool2d(1)과 nn.Conv2d(C, 10, 1)로 끝내세요" }
        end
        if k.MaxPool2d then
          return false, { en = "no MaxPool2d here: shrink the image with stride = 2 convolutions", ko = "여기서는 MaxPool2d 없이 stride = 2 합성곱으로 이미지를 줄이세요" }
        end
        for _, size in ipairs({ 28, 40 }) do
          local n = nb()
          local ran, out = pcall(env.allconv, n.zeros(2, 1, size, size))
          if not ran then
            return false, { en = ("allconv fails on a batch (2, 1, %d, %d): %s"):format(size, size, why(out)),
                            ko = ("allconv가 배치 (2, 1, %d, %d)에서 실패합니다: %s"):format(size, size, why(out)) }
          end
          if not has_shape(out, { 2, 10, 1, 1 }) then
            return false, { en = ("on (2, 1, %d, %d) images allconv gives %s, not (2, 10, 1, 1): that is a map of scores per class; average each map with nn.AdaptiveAvgPool2d(1) before the 1×1 convolution"):format(size, size, shape_str(out)),
                            ko = ("(2, 1, %d, %d) 이미지에서 allconv의 출력 모양이 (2, 10, 1, 1)이 아니라 %s입니다: 클래스별 점수 '맵'입니다. 1×1 합성곱 전에 nn.AdaptiveAvgPool2d(1)로 맵마다 평균을 내세요"):format(size, size, shape_str(out)) }
          end
        end
        local B = nb().is_tensor(env.x) and env.x.shape[1] or 0
        if not has_shape(env.logits, { B, 10 }) then
          return false, { en = ("logits should be allconv(x) viewed as (%d, 10), got %s"):format(B, shape_str(env.logits)),
                          ko = ("logits는 allconv(x)를 (%d, 10)으로 본 것이어야 하는데 %s입니다"):format(B, shape_str(env.logits)) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
One more way to read an image: as a sequence. A recurrent network reads the 28 rows one
after another (28 time steps of 28 pixels) and keeps a hidden state, a memory of what it
has seen so far. x:view(B, 28, 28) gives (batch, time, features), nn.GRU(28, 32,
{ batch_first = true }) returns the hidden state after EVERY row, (B, 28, 32), and the
answer must come from the state after the last row, when the whole digit has been read.
(It is also the GRU's second result, h_n.)]],
        ko = [[
이미지를 읽는 방법이 하나 더 있습니다: 시퀀스로 읽는 것이죠. 순환 신경망은 28개의 행을
차례로 읽고 (픽셀 28개짜리 시간 단계 28번), 지금까지 본 것을 기억하는 은닉 상태를 유지합니다.
x:view(B, 28, 28)은 (배치, 시간, 특성)이고, nn.GRU(28, 32, { batch_first = true })는 '모든'
행 다음의 은닉 상태 (B, 28, 32)를 돌려줍니다. 답은 숫자 전체를 다 읽은 뒤, 즉 마지막 행 다음의
상태에서 나와야 합니다. (GRU의 두 번째 결과 h_n과도 같습니다.)]],
      },
      code = [[
seq = x:view(x.shape[1], 28, 28)   -- (B, T = 28 rows, 28 pixels)
manual_seed(0)
gru = nn.GRU(28, 32, { batch_first = true })
out, h_n = gru(seq)                -- out (B, 28, 32): the state after each row
last = out:select(2, 28)           -- (B, 32): after the last row
print(out.shape, last.shape, (last - h_n[1]):abs():max():item())]],
      solution = [[
seq = x:view(x.shape[1], 28, 28)
manual_seed(0)
gru = nn.GRU(28, 32, { batch_first = true })
out, h_n = gru(seq)
last = out:select(2, 28)]],
      wrong = [[
seq = x:view(x.shape[1], 28, 28)
manual_seed(0)
gru = nn.GRU(28, 32, { batch_first = true })
out, h_n = gru(seq)
last = out:select(2, 1)]],
      check = function(env)
        local n = nb()
        if not is_module(env.gru) or not (env.gru.__name == "GRU" or env.gru.__name == "LSTM" or env.gru.__name == "RNN") then
          return false, { en = "make gru = nn.GRU(28, 32, { batch_first = true })", ko = "gru = nn.GRU(28, 32, { batch_first = true })를 만드세요" }
        end
        if not n.is_tensor(env.x) or not has_shape(env.seq, { env.x.shape[1], 28, 28 }) then
          return false, { en = "seq should be x:view(x.shape[1], 28, 28): (batch, 28 rows, 28 pixels)", ko = "seq는 x:view(x.shape[1], 28, 28), 즉 (배치, 행 28개, 픽셀 28개)여야 합니다" }
        end
        local ran, out = pcall(env.gru, env.seq)
        if not ran then return false, { en = "gru(seq) failed: " .. why(out), ko = "gru(seq)가 실패했습니다: " .. why(out) } end
        local B, H = out.shape[1], out.shape[3]
        if not has_shape(env.last, { B, H }) then
          return false, { en = ("last should be the state after the last row, of shape (%d, %d), got %s"):format(B, H, shape_str(env.last)),
                          ko = ("last는 마지막 행 다음의 상태로, 모양이 (%d, %d)여야 하는데 %s입니다"):format(B, H, shape_str(env.last)) }
        end
        local function diff(t) return (env.last - t):abs():max():item() end
        if diff(out:select(2, 28)) > 1e-5 then
          local first = diff(out:select(2, 1)) < 1e-5
          return false, { en = "last is not the state after row 28" .. (first and ": out:select(2, 1) is the state after the FIRST row, before the network has seen the digit" or ""),
                          ko = "last가 28번째 행 다음의 상태가 아닙니다" .. (first and ": out:select(2, 1)은 '첫' 행 다음, 신경망이 숫자를 보기도 전의 상태입니다" or "") }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Now as a model: RowReader views the batch as rows, runs the GRU and classifies the last
state with a Linear layer. Train it (3 epochs) and compare with the others. Reading
row by row is slower and, on so few images and epochs, less accurate than the CNN; on the
full set, `nabla run experiments/mnist-rnn.lua` (GRU with 128 units, 6 epochs) reaches
about 98.7% (`--cell LSTM` for an LSTM).]],
        ko = [[
이제 모델로 만듭시다: RowReader는 배치를 행들로 보고, GRU를 돌린 다음 마지막 상태를 Linear
층으로 분류합니다. 학습시키고 (3 에폭) 다른 모델들과 비교해 보세요. 한 행씩 읽는 방식은
느리고, 이렇게 적은 이미지와 에폭으로는 CNN보다 덜 정확합니다. 전체 데이터로
`nabla run experiments/mnist-rnn.lua` (유닛 128개의 GRU, 6 에폭)는 약 98.7%에 이릅니다
(LSTM은 `--cell LSTM`).]],
      },
      code = ROWREADER .. [[
fit(rnn, data.loader(train, { batch = 50, shuffle = true, seed = 0 }), { epochs = 3, lr = 1e-2 })
rnn_acc = evaluate(rnn, test).accuracy
print(("MLP %.1f%%  CNN %.1f%%  GRU %.1f%%"):format(100 * mlp_acc, 100 * cnn_acc, 100 * rnn_acc))]],
      solution = ROWREADER .. [[
fit(rnn, data.loader(train, { batch = 50, shuffle = true, seed = 0 }), { epochs = 3, lr = 1e-2 })
rnn_acc = evaluate(rnn, test).accuracy]],
      wrong = ROWREADER .. [[
rnn_acc = evaluate(rnn, test).accuracy]],
      check = function(env)
        local ok, msg = need_model(env, "rnn", { en = "rnn = RowReader(32)", ko = "rnn = RowReader(32)" })
        if not ok then return ok, msg end
        local k = kinds(env.rnn)
        if not (k.GRU or k.LSTM or k.RNN) then
          return false, { en = "rnn should read the rows with a recurrent layer (nn.GRU or nn.LSTM)", ko = "rnn은 순환 층(nn.GRU나 nn.LSTM)으로 행을 읽어야 합니다" }
        end
        return check_accuracy(env, "rnn", "rnn_acc", 0.5,
          { en = "train it with fit (3 epochs, lr 0.01) first", ko = "먼저 fit으로 학습시키세요 (3 에폭, lr 0.01)" })
      end,
    },
    {
      text = { en = "What made the CNN better with fewer weights?", ko = "CNN은 어떻게 더 적은 가중치로 더 잘했을까요?" },
      quiz = {
        question = { en = "The CNN has about a third of the MLP's parameters, is more accurate, and suffers less when digits move. Why?",
                     ko = "CNN은 파라미터가 MLP의 약 3분의 1인데 더 정확하고, 숫자가 움직여도 덜 흔들립니다. 왜일까요?" },
        choices = {
          { en = "Each 3×3 filter sees the whole digit at once, while each MLP unit sees only one pixel",
            ko = "3×3 필터는 숫자 전체를 한 번에 보지만, MLP의 유닛은 각자 픽셀 하나만 본다" },
          { en = "It has more layers, and depth alone is what makes a network accurate",
            ko = "층이 더 많고, 신경망의 정확도는 깊이만으로 결정된다" },
          { en = "Its small filters are shared across positions, and pooling tolerates small shifts",
            ko = "작은 필터를 모든 위치에서 공유하고, 풀링이 작은 이동을 견뎌 준다" },
          { en = "It was trained on more images, and for more epochs, than the MLP",
            ko = "MLP보다 더 많은 이미지로, 더 많은 에폭 동안 학습했다" },
        },
        answer = 3,
        explain = { en = "Right: weight sharing builds the prior 'the same pattern may appear anywhere' into the network, so it needs fewer weights and fewer examples; the all-conv net and the GRU make other choices about what to share.",
                    ko = "맞습니다: 가중치 공유는 '같은 패턴이 어디에나 나타날 수 있다'는 사전 지식을 신경망에 심어 줍니다. 그래서 가중치도 샘플도 덜 필요하죠. All-Convolutional Net과 GRU는 무엇을 공유할지 다르게 고른 것입니다." },
        wrong = {
          [1] = { en = "The other way round: each MLP unit sees all 784 pixels, a 3×3 filter only 9 at a time.",
                  ko = "반대입니다. MLP의 유닛은 784픽셀을 모두 보고, 3×3 필터는 한 번에 9픽셀만 봅니다." },
          [2] = { en = "Depth alone does not do it: the MLP could be made deeper with far more weights. What do the 3×3 filters do at every position?",
                  ko = "깊이만으로는 아닙니다. MLP도 가중치를 훨씬 많이 써서 깊게 만들 수 있습니다. 3×3 필터는 모든 위치에서 무엇을 하나요?" },
          [4] = { en = "Both saw the same 2,000 training digits; the CNN even trained fewer epochs.",
                  ko = "둘 다 같은 학습 숫자 2,000장을 봤고, CNN은 에폭도 더 적었습니다." },
        },
      },
    },
    {
      text = {
        en = [[
Last: serve your model and draw a digit for it. serve{} starts a small web server inside
nabla; the shell stays yours (the prompt shows the port). Open the address it prints and
go to /draw: draw with the mouse, a finger or a pen, and the CNN answers as the stroke
ends — with the 28x28 image it saw (your drawing cropped, scaled to 20 pixels and centred,
as MNIST was made), the ten probabilities and every layer's activations. / is the
dashboard: run fit again and watch the curves move. From a terminal:
  curl -F image=@digit.png http://127.0.0.1:8000/predict
srv:stop() stops the server.]],
        ko = [[
마지막으로 모델을 서버에 올리고 숫자를 그려 봅시다. serve{}는 nabla 안에서 작은 웹
서버를 시작합니다. 셸은 그대로 쓸 수 있습니다 (프롬프트에 포트가 보입니다). 출력된 주소를
열고 /draw로 가서 마우스, 손가락이나 펜으로 그리면 획을 끝낼 때마다 CNN이 답합니다 —
모델이 본 28x28 이미지 (그림을 잘라 20픽셀로 줄이고 가운데에 놓은, MNIST를 만든 방식
그대로), 열 개의 확률, 각 층의 활성값까지 보여 줍니다. /는 대시보드입니다: fit을 다시
실행하고 곡선이 움직이는 것을 보세요. 터미널에서는:
  curl -F image=@digit.png http://127.0.0.1:8000/predict
srv:stop()으로 서버를 멈춥니다.]],
      },
      code = [[
srv = serve{ model = cnn, port = 8000 }
print(srv:url("draw"))]],
      -- the replay takes any free port (8000 may be taken on the machine running the tests)
      solution = [[srv = serve{ model = cnn, port = 0, quiet = true }]],
      wrong = [[srv = cnn]],
      check = function(env)
        local s = env.srv
        if not (type(s) == "table" and type(s.url) == "function" and type(s.running) == "function" and s:running()) then
          return false, { en = "srv should be the running server that serve{ model = cnn, port = 8000 } returns",
                          ko = "srv는 serve{ model = cnn, port = 8000 }이 돌려주는, 실행 중인 서버여야 합니다" }
        end
        if s.model ~= env.cnn and s.model ~= env.mlp and s.model ~= env.rnn then
          return false, { en = "serve one of your models: serve{ model = cnn, port = 8000 }",
                          ko = "여러분의 모델 중 하나를 올리세요: serve{ model = cnn, port = 8000 }" }
        end
        return true
      end,
    },
  },
}

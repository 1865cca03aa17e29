-- Lesson 11: data augmentation and semi-supervised learning on MNIST — random moves of a
-- digit (a 90° rotation followed pixel by pixel), why they help when labels are few (100
-- digits), mixup and cutmix label arithmetic, pseudo-labelling with a confidence threshold,
-- and FixMatch's weak/strong consistency. On the committed 2,000/500 subset.
local function nb() return require "nabla" end

local C = require("nabla.lesson").checks
local value, finite, why, is_module = C.value, C.finite, C.why, C.is_module

-- the MNIST subset and the accuracy on its 500 test digits (lessons/lib/digits.lua)
local D = require("nabla.lesson").lib("digits")
local small, test_accuracy = D.sets, D.test_accuracy

-- env[acc_name] must be env[model_name]'s accuracy on the 500 test digits
local function truthful(env, model_name, acc_name)
  if not is_module(env[model_name]) then
    return false, { en = ("make %s (run the code of this step)"):format(model_name),
                    ko = ("%s 모델을 만드세요 (이 단계의 코드를 실행하세요)"):format(model_name) }
  end
  local acc, err = test_accuracy(env[model_name])
  if not acc then
    return false, { en = ("evaluate(%s, test) failed: %s"):format(model_name, err), ko = ("evaluate(%s, test)가 실패했습니다: %s"):format(model_name, err) }
  end
  local got = value(env[acc_name])
  if not finite(got) or math.abs(got - acc) > 1e-6 then
    return false, { en = ("%s should be evaluate(%s, test).accuracy = %.3f, got %s"):format(acc_name, model_name, acc, tostring(got)),
                    ko = ("%s 값은 evaluate(%s, test).accuracy = %.3f여야 하는데 지금 %s입니다"):format(acc_name, model_name, acc, tostring(got)) }
  end
  return true, acc
end

-- the largest difference between two models' parameters (nil when they do not match)
local function weight_change(a, b) return C.params_maxdiff(a:parameters(), b:parameters()) end

local SETUP = [[
L, U, seen = {}, {}, {}
for i, c in ipairs(train.labels:tolist()) do
  seen[c] = (seen[c] or 0) + 1
  if seen[c] <= 10 then L[#L + 1] = i else U[#U + 1] = i end
end
labelled, unlabelled = train:subset(L), train:subset(U)   -- 100 with labels, 1,900 without
function make_cnn()
  return nn.Sequential{
    nn.Conv2d(1, 8, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(16 * 7 * 7, 10),
  }
end
-- steps steps of Adam on batches of 25 from ds (a new random augmentation each time)
function train_steps(model, ds, steps, augment, lr)
  local opt = optim.Adam(model:parameters(), { lr = lr or 3e-3 })
  local loader = data.loader(ds, { batch = 25, shuffle = true, seed = 0, augment = augment })
  local step = 0
  while step < steps do
    for xb, yb in loader:iter() do
      local loss = cross_entropy(model(xb), yb)
      opt:zero_grad(); loss:backward(); opt:step()
      step = step + 1
      if step >= steps then break end
    end
  end
end
weak = aug.affine{ rotate = 10, shift = 0.1, scale = 0.1, p = 1 }
manual_seed(0)
plain_model = make_cnn()
train_steps(plain_model, labelled, 200)
manual_seed(0)
aug_model = make_cnn()
train_steps(aug_model, labelled, 200, weak)
plain_acc = evaluate(plain_model, test).accuracy
aug_acc = evaluate(aug_model, test).accuracy]]

local PSEUDO = [[
ids = {}
for i = 1, #unlabelled do ids[i] = i end
ux, uy = unlabelled:batch(ids)     -- uy only GRADES the pseudo-labels; training never sees it
probs = no_grad(function() return aug_model(ux):softmax(2) end)
conf, guess = probs:max(2)         -- confidence and predicted class of each image
c, g, t = conf:tolist(), guess:tolist(), uy:tolist()
pl = {}
for _, tau in ipairs({ 0, 0.5, 0.9, 0.99 }) do
  local n, right = 0, 0
  for i = 1, #c do
    if c[i] >= tau then
      n = n + 1
      if g[i] == t[i] then right = right + 1 end
    end
  end
  pl[tau] = { n = n, acc = right / n }
end]]

local RETRAIN_DATA = [[
keep = {}
for i = 1, #c do if c[i] >= 0.9 then keep[#keep + 1] = i end end
keep_ids = tensor(keep)
all100 = {}
for i = 1, #labelled do all100[i] = i end
lx, ly = labelled:batch(all100)                          -- the 100 labelled digits
px = cat({ lx, ux:index_select(1, keep_ids) }, 1)      -- 100 labelled + the confident ones
]]

local FIXMATCH_FN = [[
function fixmatch_loss(model, x_weak, x_strong, tau)
  -- the guess on the weak view is the target: no gradient flows through it
  local conf, guess = no_grad(function() return model(x_weak):softmax(2):max(2) end)
  local keep = {}
  for i, p in ipairs(conf:tolist()) do if p >= tau then keep[#keep + 1] = i end end
  local share = #keep / x_weak.shape[1]
  if #keep == 0 then return nil, 0 end
  local ids = tensor(keep)
  -- cross-entropy on the strong view, averaged over ALL unlabelled images (unsure ones count 0)
  return cross_entropy(model(x_strong:index_select(1, ids)), guess:index_select(1, ids)) * share, share
end
strong = aug.compose{
  aug.affine{ rotate = 25, shift = 0.15, scale = { 0.8, 1.2 }, shear = 15, p = 1 },
  aug.cutout{ holes = 1, size = 10, p = 0.7 }, aug.noise{ std = 0.1, p = 0.5 },
}]]

local FIXMATCH_LOOP = [[
manual_seed(0)
fix_model = make_cnn()
fix_model:load_state_dict(aug_model:state_dict())        -- start from the baseline
opt = optim.Adam(fix_model:parameters(), { lr = 1e-3 })
lab = data.loader(labelled, { batch = 50, shuffle = true, seed = 1, augment = weak })
unl = data.loader(unlabelled, { batch = 100, shuffle = true, seed = 2 })
li, ui, used = lab:iter(), unl:iter(), 0
for step = 1, 50 do
  local xl, yl = li()
  if not xl then li = lab:iter(); xl, yl = li() end
  local xu = ui()
  if not xu then ui = unl:iter(); xu = ui() end
  local loss = cross_entropy(fix_model(xl), yl)
  local lu, share = fixmatch_loss(fix_model, weak(xu), strong(xu), 0.9)
  if lu then loss = loss + lu end
  used = used + share / 50
  opt:zero_grad(); loss:backward(); opt:step()
end
fix_acc = evaluate(fix_model, test).accuracy
se = math.sqrt(fix_acc * (1 - fix_acc) / #test)          -- the standard error of an accuracy]]

return {
  id = "augmentation",
  order = 11,
  title = { en = "Data augmentation and few labels", ko = "데이터 증강과 적은 레이블" },
  steps = {
    {
      text = {
        en = [[
A 7 drawn slightly tilted, shifted or thicker is still a 7. Data augmentation shows the
network such variants of each training image, a new random draw every time it is seen:
aug.affine rotates (degrees, counter-clockwise), shifts, zooms and shears; aug.elastic
wobbles the strokes like a hand; aug.cutout blanks a square. Look at eight draws of the
same digit. Then follow one pixel: turn an image holding a single white dot at row 5,
column 20 by exactly 90°, find where the dot lands, and write rot90(r, c), the place where
pixel (r, c) of a 28×28 image goes.]],
        ko = [[
조금 기울거나, 옮겨졌거나, 굵게 쓴 7도 여전히 7입니다. 데이터 증강은 학습 이미지마다 이런
변형을, 볼 때마다 새로 무작위로 뽑아서 신경망에 보여 줍니다: aug.affine은 회전(도, 반시계
방향), 이동, 확대/축소, 기울임을 하고, aug.elastic은 손떨림처럼 획을 휘게 하고, aug.cutout은
정사각형 하나를 지웁니다. 같은 숫자를 여덟 번 뽑아 보세요. 그다음 픽셀 하나를 따라갑시다:
5행 20열에 흰 점 하나만 있는 이미지를 정확히 90° 돌려 점이 어디로 가는지 찾고, 28×28
이미지의 픽셀 (r, c)가 가는 곳을 주는 rot90(r, c)를 쓰세요.]],
      },
      code = [[
train = data.mnist{ split = "train", small = true }
test = data.mnist{ split = "test", small = true }
one = train:batch{ 1, 1, 1, 1, 1, 1, 1, 1 }       -- eight copies of the first digit
manual_seed(0)
plot.images(aug.affine{ rotate = 15, shift = 0.1, scale = 0.1, shear = 10, p = 1 }(one):view(8, 28, 28))
plot.images(aug.compose{ aug.elastic{ alpha = 34, sigma = 4, p = 1 }, aug.cutout{ size = 8, p = 1 } }(one):view(8, 28, 28))
dot = zeros(1, 1, 28, 28)
dot[{ 1, 1, 5, 20 }] = 1                                  -- row 5, column 20
turned = aug.affine{ rotate = { 90, 90 }, p = 1 }(dot)    -- exactly 90°
plot.images({ dot:view(28, 28), turned:view(28, 28) })
_, i = turned:view(-1):max(1)        -- i: the dot's place among the 784 pixels, 1-based
i = i:item()
moved_to = { (i - 1) // 28 + 1, (i - 1) % 28 + 1 }       -- row, column
print(moved_to[1], moved_to[2])
function rot90(r, c) return 29 - c, r end]],
      solution = [[
train = data.mnist{ split = "train", small = true }
test = data.mnist{ split = "test", small = true }
dot = zeros(1, 1, 28, 28)
dot[{ 1, 1, 5, 20 }] = 1
turned = aug.affine{ rotate = { 90, 90 }, p = 1 }(dot)
_, i = turned:view(-1):max(1)
i = i:item()
moved_to = { (i - 1) // 28 + 1, (i - 1) % 28 + 1 }
function rot90(r, c) return 29 - c, r end]],
      wrong = [[
train = data.mnist{ split = "train", small = true }
test = data.mnist{ split = "test", small = true }
dot = zeros(1, 1, 28, 28)
dot[{ 1, 1, 5, 20 }] = 1
turned = aug.affine{ rotate = { 90, 90 }, p = 1 }(dot)
_, i = turned:view(-1):max(1)
i = i:item()
moved_to = { i // 28, i % 28 }
function rot90(r, c) return c, 29 - r end]],
      check = function(env)
        local n = nb()
        if type(env.train) ~= "table" or #env.train ~= 2000 then
          return false, { en = "load the subset: train = data.mnist{ split = \"train\", small = true }", ko = "부분 집합을 불러오세요: train = data.mnist{ split = \"train\", small = true }" }
        end
        -- a 90° counter-clockwise turn about the centre (14.5, 14.5): (r, c) -> (29 − c, r)
        local want = { 29 - 20, 5 }
        local m = env.moved_to
        if type(m) ~= "table" or value(m[1]) ~= want[1] or value(m[2]) ~= want[2] then
          return false, { en = ("moved_to = { %s, %s }, but the dot lands at row %d, column %d: for a 1-based place i among 784 pixels, row = (i − 1) // 28 + 1 and column = (i − 1) %% 28 + 1"):format(
                            tostring(type(m) == "table" and m[1]), tostring(type(m) == "table" and m[2]), want[1], want[2]),
                          ko = ("moved_to = { %s, %s }인데, 점은 %d행 %d열로 갑니다: 픽셀 784개 중 1부터 센 위치 i에서 행 = (i − 1) // 28 + 1, 열 = (i − 1) %% 28 + 1입니다"):format(
                            tostring(type(m) == "table" and m[1]), tostring(type(m) == "table" and m[2]), want[1], want[2]) }
        end
        if type(env.rot90) ~= "function" then
          return false, { en = "define rot90(r, c), returning the new row and column", ko = "새 행과 열을 돌려주는 rot90(r, c)를 정의하세요" }
        end
        -- rot90 against the augmentation kernel itself, on other pixels
        local turn = n.aug.affine{ rotate = { 90, 90 }, p = 1 }
        for _, rc in ipairs({ { 3, 7 }, { 20, 26 }, { 14, 2 } }) do
          local img = n.zeros(1, 1, 28, 28)
          img[{ 1, 1, rc[1], rc[2] }] = 1
          local _, k = turn(img):view(-1):max(1)
          k = k:item()
          local r2, c2 = (k - 1) // 28 + 1, (k - 1) % 28 + 1
          local ok, gr, gc = pcall(env.rot90, rc[1], rc[2])
          if not ok or value(gr) ~= r2 or value(gc) ~= c2 then
            return false, { en = ("rot90(%d, %d) gives (%s, %s), but that pixel lands at (%d, %d): rotate = 90 turns counter-clockwise, so the top-right corner goes to the top-left"):format(rc[1], rc[2], tostring(gr), tostring(gc), r2, c2),
                            ko = ("rot90(%d, %d)는 (%s, %s)인데, 그 픽셀은 (%d, %d)로 갑니다: rotate = 90은 반시계 방향이라 오른쪽 위 모서리가 왼쪽 위로 갑니다"):format(rc[1], rc[2], tostring(gr), tostring(gc), r2, c2) }
          end
        end
        return true
      end,
      hints = { { en = "The dot was near the top right; a quarter turn counter-clockwise takes the top edge to the left edge.",
                  ko = "점은 오른쪽 위 근처에 있었습니다. 반시계 방향으로 4분의 1 바퀴 돌리면 위쪽 가장자리가 왼쪽 가장자리로 갑니다." } },
    },
    {
      text = {
        en = [[
Augmentation matters most when labels are scarce. Keep only 100 labelled digits, 10 of
each, and treat the other 1,900 as unlabelled. Train the same small CNN for 200 steps on
the 100 digits, once as they are and once with small random rotations, shifts and zooms
(the weak augmentation, weak). Without it, the network memorises 100 exact pictures; with
it, it sees a new variant every time and must learn the shape. The full-size run, a deeper
CNN on all 60,000 digits: `nabla run experiments/mnist-augment.lua` (about 99.6%; add
`--augment false` to compare).]],
        ko = [[
데이터 증강은 레이블이 적을 때 가장 큰 힘을 씁니다. 레이블이 있는 숫자는 종류마다 10장씩 100장만
남기고, 나머지 1,900장은 레이블이 없다고 칩시다. 같은 작은 CNN을 그 100장으로 200단계
학습시키는데, 한 번은 그대로, 한 번은 작은 무작위 회전, 이동, 확대(약한 증강, weak)를 더해서
학습합니다. 증강이 없으면 신경망은 사진 100장을 그대로 외우고, 증강이 있으면 볼 때마다 새 변형을
보므로 모양 자체를 배워야 합니다. 60,000장 전체로 더 깊은 CNN을 학습하는 전체 크기 실험:
`nabla run experiments/mnist-augment.lua` (약 99.6%, 비교하려면 `--augment false`).]],
      },
      code = SETUP .. [[

print(("100 labels: no augmentation %.1f%%, with augmentation %.1f%%"):format(100 * plain_acc, 100 * aug_acc))]],
      wrong = [[
L, U = {}, {}
for i = 1, #train do
  if i <= 100 then L[#L + 1] = i else U[#U + 1] = i end
end
labelled, unlabelled = train:subset(L), train:subset(U)]],
      check = function(env)
        local lab = env.labelled
        if type(lab) ~= "table" or not lab.labels or #lab ~= 100 then
          return false, { en = "labelled should be a subset of train with 100 images", ko = "labelled는 이미지 100장짜리 train의 부분 집합이어야 합니다" }
        end
        local per = {}
        for _, c in ipairs(lab.labels:tolist()) do per[c] = (per[c] or 0) + 1 end
        for c = 1, 10 do
          if per[c] ~= 10 then
            return false, { en = ("labelled holds %d images of the digit %d: take 10 of each class, so that every digit is represented"):format(per[c] or 0, c - 1),
                            ko = ("labelled에 숫자 %d의 이미지가 %d장 있습니다: 모든 숫자가 들어가도록 클래스마다 10장씩 고르세요"):format(c - 1, per[c] or 0) }
          end
        end
        if type(env.unlabelled) ~= "table" or #env.unlabelled ~= 1900 then
          return false, { en = "unlabelled should hold the other 1,900 images", ko = "unlabelled에는 나머지 1,900장이 있어야 합니다" }
        end
        local ok, plain = truthful(env, "plain_model", "plain_acc")
        if not ok then return ok, plain end
        local ok2, augd = truthful(env, "aug_model", "aug_acc")
        if not ok2 then return ok2, augd end
        if not (augd > plain + 0.03) then
          return false, { en = ("with augmentation %.1f%%, without %.1f%%: train aug_model with augment = weak, the same 200 steps"):format(100 * augd, 100 * plain),
                          ko = ("증강 있음 %.1f%%, 없음 %.1f%%: aug_model은 augment = weak로, 같은 200단계 학습시키세요"):format(100 * augd, 100 * plain) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Mixup goes further: it blends two images, x = λ·x_a + (1 − λ)·x_b with λ ~ Beta(α, α), and
asks for the same blend of their labels: the target puts λ on class y_a and 1 − λ on y_b.
aug.mixup{ alpha = 0.4 }(x, y) returns the mixed batch, y_a, y_b and λ (the partners are
the same batch shuffled). Build the soft targets soft[i] (10 probabilities each) by hand.
Careful: an image may be paired with one of its own class; its target is then 1 on that
class. Training on soft targets is the same as mixing the two losses: compare.]],
        ko = [[
mixup은 한 걸음 더 나갑니다: 두 이미지를 섞고, x = λ·x_a + (1 − λ)·x_b (λ ~ Beta(α, α)),
레이블도 똑같이 섞어서 요구합니다: 목표는 클래스 y_a에 λ, y_b에 1 − λ를 둡니다.
aug.mixup{ alpha = 0.4 }(x, y)는 섞은 배치, y_a, y_b, λ를 돌려줍니다 (짝은 같은 배치를 섞은
것). 소프트 목표 soft[i] (각각 확률 10개)를 손으로 만들어 보세요. 조심할 점: 이미지가 같은
클래스와 짝지어질 수도 있는데, 그때 목표는 그 클래스에 1입니다. 소프트 목표로 학습하는 것은
두 손실을 섞는 것과 같습니다: 비교해 보세요.]],
      },
      code = [[
x8, y8 = train:batch{ 1, 2, 3, 4, 5, 6, 7, 8 }
manual_seed(4)
xm, ya, yb, lam = aug.mixup{ alpha = 0.4 }(x8, y8)
print(lam, ya, yb)
plot.images(xm:view(8, 28, 28))
soft = {}
for i = 1, 8 do
  soft[i] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }
  local a, b = ya[i]:item(), yb[i]:item()
  soft[i][a] = soft[i][a] + lam
  soft[i][b] = soft[i][b] + (1 - lam)
end
out = aug_model(xm)
print(aug.mix_loss(cross_entropy, out, ya, yb, lam), cross_entropy(out, tensor(soft)))]],
      solution = [[
x8, y8 = train:batch{ 1, 2, 3, 4, 5, 6, 7, 8 }
manual_seed(4)
xm, ya, yb, lam = aug.mixup{ alpha = 0.4 }(x8, y8)
soft = {}
for i = 1, 8 do
  soft[i] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }
  local a, b = ya[i]:item(), yb[i]:item()
  soft[i][a] = soft[i][a] + lam
  soft[i][b] = soft[i][b] + (1 - lam)
end]],
      wrong = [[
x8, y8 = train:batch{ 1, 2, 3, 4, 5, 6, 7, 8 }
manual_seed(4)
xm, ya, yb, lam = aug.mixup{ alpha = 0.4 }(x8, y8)
soft = {}
for i = 1, 8 do
  soft[i] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }
  soft[i][ya[i]:item()] = lam
  soft[i][yb[i]:item()] = 1 - lam
end]],
      check = function(env)
        local n = nb()
        if not (n.is_tensor(env.ya) and n.is_tensor(env.yb) and finite(value(env.lam))) then
          return false, { en = "run xm, ya, yb, lam = aug.mixup{ alpha = 0.4 }(x8, y8)", ko = "xm, ya, yb, lam = aug.mixup{ alpha = 0.4 }(x8, y8)를 실행하세요" }
        end
        local a, b, lam = env.ya:tolist(), env.yb:tolist(), value(env.lam)
        if type(env.soft) ~= "table" or #env.soft ~= #a then
          return false, { en = ("make soft, one row of 10 probabilities for each of the %d images"):format(#a), ko = ("이미지 %d장마다 확률 10개짜리 행 하나씩, soft를 만드세요"):format(#a) }
        end
        for i = 1, #a do
          local row = env.soft[i]
          for k = 1, 10 do
            local want = (a[i] == k and lam or 0) + (b[i] == k and 1 - lam or 0)
            local got = type(row) == "table" and value(row[k]) or nil
            if not finite(got) or math.abs(got - want) > 1e-6 then
              local same = a[i] == b[i]
              return false, { en = ("soft[%d][%d] = %s, should be %.4f%s"):format(i, k, tostring(got), want,
                                same and (": image %d is paired with another %d, so both shares add up on the same class"):format(i, math.floor(a[i]) - 1) or ""),
                              ko = ("soft[%d][%d] = %s인데, %.4f여야 합니다%s"):format(i, k, tostring(got), want,
                                same and (": %d번 이미지는 같은 숫자(%d)와 짝지어졌으므로 두 몫이 같은 클래스에 더해집니다"):format(i, math.floor(a[i]) - 1) or "") }
            end
          end
        end
        return true
      end,
      hints = { { en = "Add the shares (soft[i][a] = soft[i][a] + lam) instead of assigning them.", ko = "몫을 대입하지 말고 더하세요 (soft[i][a] = soft[i][a] + lam)." } },
    },
    {
      text = {
        en = [[
CutMix pastes a rectangle of the partner image instead of blending everything; the label
shares follow the AREA: λ = 1 − (box area) / (28·28), the share of the image that is still
x_a. aug.cutmix returns the box as its fifth value, { row, column, height, width }.
Compute λ from the box and compare with what cutmix returned.]],
        ko = [[
CutMix는 전체를 섞는 대신 짝 이미지의 사각형 하나를 붙여 넣습니다. 레이블 몫은 '넓이'를
따릅니다: λ = 1 − (사각형 넓이) / (28·28), 즉 이미지 중 아직 x_a인 부분의 비율입니다.
aug.cutmix는 다섯 번째 값으로 사각형 { 행, 열, 높이, 너비 }를 돌려줍니다. 사각형으로 λ를
계산해서 cutmix가 돌려준 값과 비교해 보세요.]],
      },
      code = [[
manual_seed(9)
xc, ca, cb, clam, box = aug.cutmix{ alpha = 1 }(x8, y8)
plot.images(xc:view(8, 28, 28))
print(box[1], box[2], box[3], box[4])
cut_lam = 1 - box[3] * box[4] / (28 * 28)
print(cut_lam, clam)]],
      solution = [[
manual_seed(9)
xc, ca, cb, clam, box = aug.cutmix{ alpha = 1 }(x8, y8)
cut_lam = 1 - box[3] * box[4] / (28 * 28)]],
      wrong = [[
manual_seed(9)
xc, ca, cb, clam, box = aug.cutmix{ alpha = 1 }(x8, y8)
cut_lam = box[3] * box[4] / (28 * 28)]],
      check = function(env)
        local box, clam = env.box, value(env.clam)
        if type(box) ~= "table" or not finite(clam) then
          return false, { en = "run xc, ca, cb, clam, box = aug.cutmix{ alpha = 1 }(x8, y8)", ko = "xc, ca, cb, clam, box = aug.cutmix{ alpha = 1 }(x8, y8)를 실행하세요" }
        end
        local area = box[3] * box[4]
        if math.abs(clam - (1 - area / 784)) > 1e-9 then
          return false, { en = "clam and box should come from the same cutmix call", ko = "clam과 box는 같은 cutmix 호출에서 나와야 합니다" }
        end
        local got = value(env.cut_lam)
        if not finite(got) or math.abs(got - clam) > 1e-9 then
          local flipped = finite(got) and math.abs(got - area / 784) < 1e-9
          return false, { en = ("cut_lam = %s, but λ = %.4f%s"):format(tostring(got), clam,
                            flipped and ": box area / 784 is the share of the PARTNER's pixels (the weight of y_b); y_a keeps 1 − that" or ""),
                          ko = ("cut_lam = %s인데, λ = %.4f입니다%s"):format(tostring(got), clam,
                            flipped and ": 사각형 넓이 / 784는 '짝' 이미지 픽셀의 비율(y_b의 가중치)이고, y_a는 1 − 그 값을 가집니다" or "") }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Semi-supervised learning uses the 1,900 images without labels too. The oldest trick is
pseudo-labelling: let the trained model label them itself, and keep the labels it is sure
of. Its confidence is the largest softmax probability. Measure, for thresholds τ = 0, 0.5,
0.9 and 0.99, how many images pass and how often their pseudo-label is right (uy, the true
labels, is used only to grade; a real unlabelled set has none).]],
        ko = [[
준지도 학습은 레이블 없는 1,900장도 씁니다. 가장 오래된 방법은 의사 레이블(pseudo-labelling)
입니다: 학습된 모델이 직접 레이블을 붙이게 하고, 확신하는 것만 남기죠. 확신도는 softmax 확률
중 가장 큰 값입니다. 임계값 τ = 0, 0.5, 0.9, 0.99 각각에 대해 몇 장이 통과하는지, 그리고 그
의사 레이블이 얼마나 자주 맞는지 측정해 보세요 (진짜 레이블 uy는 채점에만 씁니다. 실제 레이블 없는
데이터에는 그런 것이 없으니까요).]],
      },
      code = PSEUDO .. [[

for _, tau in ipairs({ 0, 0.5, 0.9, 0.99 }) do print(tau, pl[tau].n, pl[tau].acc) end
plot.hist(c, { bins = 20 })]],
      wrong = [[
ids = {}
for i = 1, #unlabelled do ids[i] = i end
ux, uy = unlabelled:batch(ids)
conf, guess = no_grad(function() return aug_model(ux):max(2) end)
c, g, t = conf:tolist(), guess:tolist(), uy:tolist()
pl = {}
for _, tau in ipairs({ 0, 0.5, 0.9, 0.99 }) do
  local n, right = 0, 0
  for i = 1, #c do
    if c[i] >= tau then
      n = n + 1
      if g[i] == t[i] then right = right + 1 end
    end
  end
  pl[tau] = { n = n, acc = right / n }
end]],
      check = function(env)
        local n = nb()
        if not is_module(env.aug_model) or type(env.unlabelled) ~= "table" then
          return false, { en = "train aug_model first (step 2)", ko = "먼저 aug_model을 학습시키세요 (2단계)" }
        end
        if type(env.pl) ~= "table" then
          return false, { en = "make pl[tau] = { n = ..., acc = ... } for tau = 0, 0.5, 0.9, 0.99", ko = "tau = 0, 0.5, 0.9, 0.99에 대해 pl[tau] = { n = ..., acc = ... }를 만드세요" }
        end
        -- the learner's confidences c and guesses g, checked on every 10th image (a full
        -- forward of 1,900 images would slow the lesson's replay), then counted here
        local c, g = env.c, env.g
        if type(c) ~= "table" or type(g) ~= "table" or #c ~= #env.unlabelled or #g ~= #c then
          return false, { en = "make the lists c (confidence) and g (guess) of the 1,900 unlabelled images", ko = "레이블 없는 1,900장의 목록 c(확신도)와 g(추측)를 만드세요" }
        end
        local ids = {}
        for i = 1, #c, 10 do ids[#ids + 1] = i end
        local xs = env.unlabelled:batch(ids)
        local conf, guess = n.no_grad(function() return env.aug_model(xs):softmax(2):max(2) end)
        local cs, gs = conf:tolist(), guess:tolist()
        for k, i in ipairs(ids) do
          if not finite(c[i]) or math.abs(c[i] - cs[k]) > 1e-5 or g[i] ~= gs[k] then
            return false, { en = ("image %d: confidence %s, guess %s, but its largest softmax probability is %.4f, for class %d: the confidence is a probability (softmax), not a raw score"):format(i, tostring(c[i]), tostring(g[i]), cs[k], math.floor(gs[k])),
                            ko = ("%d번 이미지: 확신도 %s, 추측 %s인데, softmax 최대 확률은 클래스 %d의 %.4f입니다. 확신도는 날 점수가 아니라 확률(softmax)입니다"):format(i, tostring(c[i]), tostring(g[i]), math.floor(gs[k]), cs[k]) }
          end
        end
        local t = env.unlabelled.labels:tolist()
        local accs = {}
        for _, tau in ipairs({ 0, 0.9, 0.99 }) do
          local cnt, right = 0, 0
          for i = 1, #c do
            if c[i] >= tau then
              cnt = cnt + 1
              if g[i] == t[i] then right = right + 1 end
            end
          end
          local e = env.pl[tau]
          local acc = right / math.max(cnt, 1)
          accs[tau] = acc
          if type(e) ~= "table" or value(e.n) ~= cnt then
            return false, { en = ("pl[%g].n = %s, but %d of the 1,900 confidences c[i] are ≥ %g"):format(tau, tostring(type(e) == "table" and e.n), cnt, tau),
                            ko = ("pl[%g].n = %s인데, 확신도 c[i] 1,900개 중 %g 이상인 것은 %d개입니다"):format(tau, tostring(type(e) == "table" and e.n), tau, cnt) }
          end
          if not finite(value(e.acc)) or math.abs(value(e.acc) - acc) > 1e-6 then
            return false, { en = ("pl[%g].acc = %s, but %.4f of the kept pseudo-labels are right: count right answers among the kept images only"):format(tau, tostring(e.acc), acc),
                            ko = ("pl[%g].acc = %s인데, 남긴 의사 레이블 중 맞은 비율은 %.4f입니다: 남긴 이미지 안에서만 맞은 수를 세세요"):format(tau, tostring(e.acc), acc) }
          end
        end
        if not (accs[0.99] > accs[0]) then
          return false, { en = "the confident pseudo-labels should be more often right than all of them", ko = "확신하는 의사 레이블이 전체보다 더 자주 맞아야 합니다" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Now train on the 100 labelled digits plus the unlabelled ones whose pseudo-label passed
τ = 0.9, starting from the baseline's weights. The model teaches itself from its own sure
answers; the few wrong pseudo-labels are outweighed by the many right ones. (Using uy here
would be cheating: those labels do not exist.)]],
        ko = [[
이제 레이블 있는 숫자 100장과, 의사 레이블이 τ = 0.9를 넘은 레이블 없는 이미지들로 기준 모델의
가중치에서 시작해 학습합니다. 모델이 자기가 확신하는 답으로 스스로를 가르치는 것이죠. 틀린 의사
레이블 몇 개보다 맞는 것이 훨씬 많습니다. (여기서 uy를 쓰면 반칙입니다: 그런 레이블은 없으니까요.)]],
      },
      code = RETRAIN_DATA .. [[
py = cat({ ly, guess:index_select(1, keep_ids) }, 1)   -- their labels: the model's guesses
print(#keep .. " pseudo-labelled images join the 100 labelled ones")
manual_seed(0)
pl_model = make_cnn()
pl_model:load_state_dict(aug_model:state_dict())
train_steps(pl_model, data.dataset(px, py), 60, weak)
pl_acc = evaluate(pl_model, test).accuracy
print(("baseline %.1f%%  pseudo-labelling %.1f%%"):format(100 * aug_acc, 100 * pl_acc))]],
      solution = RETRAIN_DATA .. [[
py = cat({ ly, guess:index_select(1, keep_ids) }, 1)
manual_seed(0)
pl_model = make_cnn()
pl_model:load_state_dict(aug_model:state_dict())
train_steps(pl_model, data.dataset(px, py), 60, weak)
pl_acc = evaluate(pl_model, test).accuracy]],
      wrong = RETRAIN_DATA .. [[
py = cat({ ly, uy:index_select(1, keep_ids) }, 1)]],
      check = function(env)
        local n = nb()
        if not (n.is_tensor(env.px) and n.is_tensor(env.py) and n.is_tensor(env.guess) and n.is_tensor(env.uy) and type(env.keep) == "table") then
          return false, { en = "build px and py as in the code", ko = "코드처럼 px와 py를 만드세요" }
        end
        local k = #env.keep
        if #env.py ~= 100 + k or #env.px ~= 100 + k then
          return false, { en = ("px and py should hold the 100 labelled images and the %d confident ones"):format(k), ko = ("px와 py에는 레이블 있는 100장과 확신하는 %d장이 있어야 합니다"):format(k) }
        end
        local tail = env.py:narrow(1, 101, k)
        local ids = n.tensor(env.keep)
        local guessed = env.guess:index_select(1, ids)
        if (tail - guessed):abs():max():item() > 0 then
          local truth = env.uy:index_select(1, ids)
          local cheat = (tail - truth):abs():max():item() == 0
          return false, { en = "the labels of the unlabelled images should be the model's guesses" .. (cheat and ": uy holds the true labels, which an unlabelled set does not have" or ""),
                          ko = "레이블 없는 이미지의 레이블은 모델의 추측이어야 합니다" .. (cheat and ": uy는 진짜 레이블인데, 레이블 없는 데이터에는 그런 것이 없습니다" or "") }
        end
        local ok, acc = truthful(env, "pl_model", "pl_acc")
        if not ok then return ok, acc end
        local moved = is_module(env.aug_model) and weight_change(env.pl_model, env.aug_model)
        if not moved then
          return false, { en = "pl_model should be make_cnn() started from aug_model's weights", ko = "pl_model은 aug_model의 가중치에서 시작한 make_cnn()이어야 합니다" }
        end
        if moved == 0 then
          return false, { en = "pl_model still has the baseline's weights: train it 60 steps on px, py", ko = "pl_model의 가중치가 아직 기준 모델 그대로입니다: px, py로 60단계 학습시키세요" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
FixMatch (Sohn et al. 2020) does the same inside every step, with two views of each
unlabelled image: the model guesses on a WEAK view (a small shift: still a clean digit, so
the guess is reliable); where its confidence passes τ, that guess is the target for a
STRONG view (big rotation, shear, cutout, noise). To agree with itself across such
distortions, the network must learn what makes a digit that digit. Write
fixmatch_loss(model, x_weak, x_strong, tau): it returns the cross-entropy of the strong
views against the confident guesses, averaged over ALL the unlabelled images (an unsure
image counts 0), and the share of images that passed.]],
        ko = [[
FixMatch(Sohn 외 2020)는 같은 일을 매 단계 안에서, 레이블 없는 이미지마다 두 가지로 증강해서 합니다.
모델은 '약한' 증강 이미지(조금 옮긴 것: 여전히 깨끗한 숫자라 추측을 믿을 만함)에서 추측하고, 확신도가
τ를 넘는 곳에서는 그 추측이 '강한' 증강 이미지(큰 회전, 기울임, cutout, 노이즈)의 목표가 됩니다. 이런
변형을 거쳐도 자기 자신과 답이 같으려면, 신경망은 숫자를 그 숫자로 만드는 것을 배워야 합니다.
fixmatch_loss(model, x_weak, x_strong, tau)를 쓰세요: 확신하는 추측에 대한 강한 증강 이미지들의 교차
엔트로피를 레이블 없는 이미지 '전체'에 대해 평균 낸 값 (확신 없는 이미지는 0으로 침)과, 통과한
이미지의 비율을 돌려줍니다.]],
      },
      code = FIXMATCH_FN .. [[

one8 = unlabelled:batch{ 1, 2, 3, 4, 5, 6, 7, 8 }
manual_seed(0)
plot.images(weak(one8):view(8, 28, 28))
plot.images(strong(one8):view(8, 28, 28))
print(fixmatch_loss(aug_model, weak(one8), strong(one8), 0.9))]],
      wrong = [[
function fixmatch_loss(model, x_weak, x_strong, tau)
  local conf, guess = no_grad(function() return model(x_strong):softmax(2):max(2) end)
  local keep = {}
  for i, p in ipairs(conf:tolist()) do if p >= tau then keep[#keep + 1] = i end end
  local share = #keep / x_weak.shape[1]
  if #keep == 0 then return nil, 0 end
  local ids = tensor(keep)
  return cross_entropy(model(x_strong:index_select(1, ids)), guess:index_select(1, ids)) * share, share
end]],
      check = function(env)
        local n = nb()
        if type(env.fixmatch_loss) ~= "function" then
          return false, { en = "define fixmatch_loss(model, x_weak, x_strong, tau)", ko = "fixmatch_loss(model, x_weak, x_strong, tau)를 정의하세요" }
        end
        -- a fixed model and two fixed views: the reference computed here
        local s = small()
        local ids = {}
        for i = 1, 64 do ids[i] = 100 + 7 * i end
        local xb = s.train:batch(ids)
        local model = n.nn.Sequential{ n.nn.Flatten(), n.nn.Linear(784, 10) }
        n.no_grad(function()
          local w, b = {}, {}
          for k = 1, 10 do
            w[k] = {}
            for j = 1, 784 do w[k][j] = 0.05 * math.sin(k * 0.37 + j * 0.011 * k) end
            b[k] = 0.3 * math.cos(k)
          end
          model[2].weight:copy_(n.tensor(w))
          model[2].bias:copy_(n.tensor(b))
        end)
        local xw = xb
        local xs = n.aug.affine{ rotate = { 30, 30 }, shift_x = { 0.1, 0.1 }, p = 1 }(xb)
        local conf, guess = n.no_grad(function() return model(xw):softmax(2):max(2) end)
        -- τ halfway between two confidences, so that about half the images pass (no ties)
        local sorted = conf:tolist()
        table.sort(sorted)
        local tau = (sorted[40] + sorted[41]) / 2
        local keep = {}
        for i, p in ipairs(conf:tolist()) do if p >= tau then keep[#keep + 1] = i end end
        local share = #keep / 64
        local kid = n.tensor(keep)
        local want = n.no_grad(function() return n.cross_entropy(model(xs:index_select(1, kid)), guess:index_select(1, kid)):item() end) * share
        local ok, loss, got_share = pcall(env.fixmatch_loss, model, xw, xs, tau)
        if not ok then return false, { en = "fixmatch_loss failed: " .. why(loss), ko = "fixmatch_loss가 실패했습니다: " .. why(loss) } end
        local lv = value(loss)
        if not finite(value(got_share)) or math.abs(value(got_share) - share) > 1e-9 then
          return false, { en = ("the share should be %.4f (%d of 64 images pass τ = %.4f on the WEAK view), got %s"):format(share, #keep, tau, tostring(got_share)),
                          ko = ("비율은 %.4f여야 합니다 (64장 중 %d장이 '약한' 증강 이미지에서 확신도 τ = %.4f 이상), 받은 값 %s"):format(share, #keep, tau, tostring(got_share)) }
        end
        if not finite(lv) or math.abs(lv - want) > 1e-4 * math.max(1, want) then
          return false, { en = ("fixmatch_loss gives %s, the reference %.5f: targets from the weak view, cross-entropy on the strong view of the kept images, times the share that passed"):format(tostring(lv), want),
                          ko = ("fixmatch_loss는 %s, 기준값은 %.5f입니다: 목표는 약한 증강 이미지에서, 교차 엔트로피는 남긴 이미지의 강한 증강 이미지에서, 그리고 통과한 비율을 곱하세요"):format(tostring(lv), want) }
        end
        if n.is_tensor(loss) and not loss.needs_grad then
          return false, { en = "the loss should carry a gradient to the model (compute it outside no_grad)", ko = "손실이 모델로 기울기를 전해야 합니다 (no_grad 밖에서 계산하세요)" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Train with it: each step takes a batch of 50 labelled digits (weak views, their labels)
and 100 unlabelled ones (both views), and adds the two losses. 50 steps from the
baseline's weights. Compare with the baseline and with pseudo-labelling; `used` is the
average share of unlabelled images that passed τ. How far apart must two accuracies be to
differ? An accuracy p measured on n test images has a standard error sqrt(p(1 − p)/n):
compute it (se) for n = 500. Differences of a point or two between the methods here are
within that noise, and 50 steps are only a start: FixMatch learns slowly and for long
(thousands of steps). The full method with 100 labels of the 60,000 digits, measured on
10,000 test digits: `nabla run experiments/mnist-semi.lua`, which prints all three side by
side.]],
        ko = [[
이것으로 학습합시다: 매 단계는 레이블 있는 숫자 50장(약한 증강 이미지와 레이블)과 레이블 없는 100장(증강
이미지 두 장)을 받아 두 손실을 더합니다. 기준 모델의 가중치에서 시작해 50단계. 기준 모델, 의사 레이블과
비교해 보세요. used는 τ를 넘은 레이블 없는 이미지의 평균 비율입니다. 두 정확도가 얼마나 떨어져
있어야 정말 다르다고 할 수 있을까요? 테스트 이미지 n장에서 측정한 정확도 p의 표준 오차는
sqrt(p(1 − p)/n)입니다: n = 500일 때 계산해 보세요 (se). 여기서 방법끼리 1~2%p 차이는 그
노이즈 안에 있고, 50단계는 시작일 뿐입니다: FixMatch는 천천히, 오래 (수천 단계) 배웁니다.
60,000장 중 레이블 100장으로, 10,000장의 테스트 숫자에서 측정하는 전체 방법은
`nabla run experiments/mnist-semi.lua`이고, 세 방법을 나란히 보여 줍니다.]],
      },
      code = FIXMATCH_LOOP .. [[

print(("baseline %.1f%%  pseudo-labels %.1f%%  FixMatch %.1f%% ± %.1f (%.0f%% of unlabelled images used)"):format(
  100 * aug_acc, 100 * pl_acc, 100 * fix_acc, 100 * se, 100 * used))]],
      wrong = [[
manual_seed(0)
fix_model = make_cnn()
fix_model:load_state_dict(aug_model:state_dict())
fix_acc = evaluate(fix_model, test).accuracy]],
      check = function(env)
        local ok, acc = truthful(env, "fix_model", "fix_acc")
        if not ok then return ok, acc end
        if not is_module(env.aug_model) then
          return false, { en = "aug_model (step 2) is missing", ko = "aug_model(2단계)이 없습니다" }
        end
        local moved = weight_change(env.fix_model, env.aug_model)
        if moved == nil then
          return false, { en = "fix_model should be make_cnn() started from aug_model's weights", ko = "fix_model은 aug_model의 가중치에서 시작한 make_cnn()이어야 합니다" }
        end
        if moved == 0 then
          return false, { en = "fix_model still has the baseline's weights: run the 50 training steps", ko = "fix_model의 가중치가 아직 기준 모델 그대로입니다: 학습 50단계를 실행하세요" }
        end
        local u = value(env.used)
        if not finite(u) or u <= 0 or u > 1 then
          return false, { en = ("used = %s: add share / 50 at each of the 50 steps (the average share of unlabelled images above τ)"):format(tostring(env.used)),
                          ko = ("used = %s: 50단계마다 share / 50을 더하세요 (τ를 넘은 레이블 없는 이미지의 평균 비율)"):format(tostring(env.used)) }
        end
        local want = math.sqrt(acc * (1 - acc) / 500)
        local se = value(env.se)
        if not finite(se) or math.abs(se - want) > 1e-6 then
          return false, { en = ("se should be the standard error of fix_acc over 500 test digits, sqrt(p(1 − p)/n) = %.4f, got %s"):format(want, tostring(env.se)),
                          ko = ("se는 테스트 숫자 500개에서 fix_acc의 표준 오차 sqrt(p(1 − p)/n) = %.4f여야 하는데 %s입니다"):format(want, tostring(env.se)) }
        end
        return true
      end,
    },
    {
      text = { en = "Why two different views?", ko = "왜 증강을 두 가지로 나눌까요?" },
      quiz = {
        question = { en = "In FixMatch, why does the pseudo-label come from the WEAK view while the loss is computed on the STRONG one?",
                     ko = "FixMatch에서 왜 의사 레이블은 '약한' 증강 이미지에서 얻고, 손실은 '강한' 증강 이미지에서 계산할까요?" },
        choices = {
          { en = "The strong view is easier to classify, so its loss is smaller and training stabler",
            ko = "강한 증강 이미지가 분류하기 더 쉬워서 손실이 작고 학습이 안정적이다" },
          { en = "It only saves computation: one augmented copy per image would do as well",
            ko = "계산을 아끼려는 것일 뿐이고, 이미지마다 증강 이미지 한 장이면 똑같다" },
          { en = "The weak view gives a guess worth trusting; the strong view turns it into a hard task",
            ko = "약한 증강 이미지의 추측은 믿을 만하고, 강한 증강 이미지는 그 추측으로 어려운 과제를 만든다" },
          { en = "The strong view keeps the image's true label, so its loss needs no pseudo-label at all",
            ko = "강한 증강 이미지에는 진짜 레이블이 그대로 남아 있어서, 손실에 의사 레이블이 전혀 필요 없다" },
        },
        answer = 3,
        explain = { en = "Right: reliable targets from the weak view, a hard consistency task on the strong one, and the model learns what does not change under distortion without any label. The threshold keeps the targets the model is sure of (step 5 showed they are the accurate ones).",
                    ko = "맞습니다: 약한 증강 이미지에서 믿을 만한 목표를, 강한 증강 이미지에서 어려운 일관성 과제를 얻고, 모델은 레이블 없이도 변형에 따라 변하지 않는 것을 배웁니다. 임계값은 모델이 확신하는 목표만 남깁니다 (5단계에서 그런 목표가 정확하다는 것을 보았습니다)." },
        wrong = {
          [1] = { en = "Strong views are HARDER: the guess there would often be wrong, which is why the target comes from the weak view.",
                  ko = "강한 증강 이미지가 '더 어렵습니다'. 그곳의 추측은 자주 틀리기 때문에 목표를 약한 증강 이미지에서 얻는 것입니다." },
          [2] = { en = "With one view the model would just agree with itself on the same picture and learn nothing new.",
                  ko = "증강 이미지가 한 장이면 모델은 같은 그림에서 자기 자신과 맞장구칠 뿐, 새로 배우는 것이 없습니다." },
          [4] = { en = "These images have no label at all: the target is the model's own confident guess.",
                  ko = "이 이미지들에는 레이블이 아예 없습니다. 목표는 모델이 확신하는 자기 추측입니다." },
        },
      },
    },
  },
}

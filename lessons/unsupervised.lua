-- Lesson: learning without labels — an autoencoder squeezes 2,000 MNIST digits through two
-- numbers (the learner first predicts what that plane will look like), the plane coloured
-- by digit afterwards, a VAE's reparameterisation and KL term, a decoded latent grid, a
-- GAN's non-saturating generator loss, and a short GAN with mode collapse discussed.
-- The experiments behind it: experiments/mnist-autoencoder.lua and mnist-gan.lua.
local C = require("nabla.lesson").checks
local value, finite, maxdiff, why = C.value, C.finite, C.maxdiff, C.why

local function nb() return require "nabla" end
local function BCE(...) return nb().nn.functional.binary_cross_entropy_with_logits(...) end

local DATA = [[
manual_seed(1)
train = data.mnist{ split = "train", small = true }     -- 2,000 digits
all = {}
for i = 1, #train do all[i] = i end
X = train:batch(all):view(#train, 784)                   -- pixels in [0, 1]
F = nn.functional]]

-- the mean of z over the digits of each class: centres[d + 1] = {z1, z2} of digit d
local function centres(Z, labels)
  local sum, n = {}, {}
  local z, y = Z:tolist(), labels:tolist()
  for i = 1, #z do
    local c = math.floor(y[i])
    sum[c] = sum[c] or { 0, 0 }
    sum[c][1], sum[c][2] = sum[c][1] + z[i][1], sum[c][2] + z[i][2]
    n[c] = (n[c] or 0) + 1
  end
  for c = 1, 10 do if sum[c] then sum[c] = { sum[c][1] / n[c], sum[c][2] / n[c] } end end
  return sum
end

-- the two digits (0..9, smaller first) whose centres are closest
local function closest_pair(Z, labels)
  local c = centres(Z, labels)
  local best, a, b = math.huge, nil, nil
  for i = 1, 10 do
    for j = i + 1, 10 do
      if c[i] and c[j] then
        local d = (c[i][1] - c[j][1]) ^ 2 + (c[i][2] - c[j][2]) ^ 2
        if d < best then best, a, b = d, i - 1, j - 1 end
      end
    end
  end
  return a, b
end

local need_ae = { en = "run the code of the previous steps first (X, encoder, decoder, ae_loss)",
                  ko = "먼저 앞 단계의 코드를 실행하세요 (X, encoder, decoder, ae_loss)" }

local GAN_CODE = [[
manual_seed(2)
G = nn.Sequential{ nn.Linear(16, 128), nn.LeakyReLU(0.2),
                   nn.Linear(128, 784), nn.Tanh() }
D = nn.Sequential{ nn.Linear(784, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1) }
optG = optim.Adam(G:parameters(), { lr = 2e-3, betas = { 0.5, 0.999 } })
optD = optim.Adam(D:parameters(), { lr = 2e-3, betas = { 0.5, 0.999 } })
real_x, is_real, is_fake = X * 2 - 1, full({ 64, 1 }, 1), full({ 64, 1 }, 0)
for step = 1, 300 do
  local real = real_x:narrow(1, (step * 64) % 1900 + 1, 64)
  local fake = G(randn(64, 16))
  local ld = F.binary_cross_entropy_with_logits(D(real), is_real)
           + F.binary_cross_entropy_with_logits(D(fake:detach()), is_fake)
  optD:zero_grad(); ld:backward(); optD:step()
  local lg = g_loss(D(fake))
  optG:zero_grad(); lg:backward(); optG:step()
end
fakes = no_grad(function() return (G(randn(16, 16)) + 1) / 2 end)
plot.images(fakes:view(16, 28, 28), { cols = 8 })]]

return {
  id = "unsupervised",
  order = 13,
  title = { en = "Learning without labels: autoencoders, VAEs, GANs",
            ko = "레이블 없이 배우기: 오토인코더, VAE, GAN" },
  steps = {
    -- 1 ------------------------------------------------------------------------------------------
    {
      text = {
        en = [[
Every network so far learned from labels. An autoencoder needs none: an encoder
squeezes each 784-pixel digit into a code z of just two numbers, a decoder
rebuilds the digit from z, and the loss compares the rebuilt digit with the
digit itself. Nobody tells it which digit is which.
After training, we will place each digit at its z = (z1, z2) on a plane and
colour it by its label (read only then). Predict first: what will you see?]],
        ko = [[
지금까지의 신경망은 모두 레이블로 배웠습니다. 오토인코더(autoencoder)에는
레이블이 필요 없습니다. 인코더가 784픽셀 숫자 이미지를 숫자 두 개짜리 코드 z로
압축하고,
디코더가 z에서 숫자를 다시 만들며, 손실 함수는 다시 만든 숫자를 원래 숫자와
비교합니다. 어느 숫자가 무엇인지는 아무도 알려 주지 않습니다.
학습이 끝나면 숫자마다 z = (z1, z2) 위치에 점을 찍고, 그때서야 레이블을 읽어
색을 칠합니다. 먼저 예측해 보세요. 무엇이 보일까요?]],
      },
      quiz = {
        question = { en = "The plane of codes z, each digit coloured by its label, will show...",
                     ko = "숫자마다 레이블 색을 칠한 코드 z의 평면에는 무엇이 보일까요?" },
        choices = {
          { en = "regions of one colour per digit, some touching (4 and 9, 3 and 5 and 8)",
            ko = "숫자마다 한 색의 영역이 생기고, 몇몇은 맞닿음 (4와 9, 3과 5와 8)" },
          { en = "one round cloud with the ten colours evenly mixed: no labels, no order",
            ko = "열 가지 색이 고르게 섞인 둥근 구름 하나: 레이블이 없으니 질서도 없음" },
          { en = "ten tight dots, one per digit, spaced evenly on a circle around zero",
            ko = "숫자마다 점 하나씩, 원점 둘레의 원 위에 고르게 놓인 작은 점 열 개" },
        },
        answer = 1,
        explain = { en = "Yes. To rebuild a digit from two numbers, similar digits need similar codes, so digits that look alike end up together; the labels only reveal the order afterwards. Step 4 shows it.",
                    ko = "맞습니다. 숫자 두 개로 이미지를 다시 만들려면 닮은 숫자에 닮은 코드를 줘야 하므로, 생김새가 비슷한 숫자끼리 모입니다. 레이블은 나중에 그 질서를 보여 줄 뿐입니다. 4단계에서 확인합니다." },
        wrong = {
          [2] = { en = "Nothing sorts them by label, but the reconstruction does sort them by shape, and shape mostly means digit. You will see in step 4.",
                  ko = "레이블로 나누는 것은 없지만, 재구성이 모양으로 나누고 모양은 대개 숫자를 뜻합니다. 4단계에서 확인해 보세요." },
          [3] = { en = "Then every 7 would have the same code and be rebuilt as the same 7: the loss wants each digit's own slant and thickness kept, so each digit gets its own point.",
                  ko = "그러면 모든 7이 같은 코드를 받아 같은 7로 재구성됩니다. 손실 함수는 숫자마다 기울기와 굵기를 지키기를 원하므로 숫자마다 다른 점을 받습니다." },
        },
      },
    },
    -- 2 ------------------------------------------------------------------------------------------
    {
      text = {
        en = [[
The encoder maps 784 pixels to z (2 numbers), the decoder maps z back to 784
raw scores (logits); sigmoid of a logit is a pixel's brightness. The loss is
binary cross-entropy between the rebuilt pixels and the input's own pixels:
F.binary_cross_entropy_with_logits(logits, target) takes the logits as they
are and applies the sigmoid itself. Complete ae_loss(x) for a batch x (B, 784).]],
        ko = [[
인코더는 784픽셀을 z(숫자 2개)로, 디코더는 z를 다시 784개의 로짓(logit)으로
바꿉니다. 로짓에 sigmoid를 적용하면 픽셀의 밝기가 됩니다. 손실 함수는 다시 만든
픽셀과 입력 자신의 픽셀 사이의 이진 교차 엔트로피입니다.
F.binary_cross_entropy_with_logits(logits, target)은 로짓을 그대로 받아
sigmoid를 직접 적용합니다. 배치 x (B, 784)에 대한 ae_loss(x)를 완성하세요.]],
      },
      code = DATA .. [[

encoder = nn.Sequential{ nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 2) }
decoder = nn.Sequential{ nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 784) }
function ae_loss(x)
  local z = encoder(x)                   -- (B, 2): the code
  local logits = ???                     -- (B, 784): the digit rebuilt from z
  return F.binary_cross_entropy_with_logits(logits, ???)
end]],
      solution = DATA .. [[

encoder = nn.Sequential{ nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 2) }
decoder = nn.Sequential{ nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 784) }
function ae_loss(x)
  local z = encoder(x)
  local logits = decoder(z)
  return F.binary_cross_entropy_with_logits(logits, x)
end]],
      wrong = DATA .. [[

encoder = nn.Sequential{ nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 2) }
decoder = nn.Sequential{ nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 784) }
function ae_loss(x)
  local z = encoder(x)
  local logits = decoder(z):sigmoid()
  return F.binary_cross_entropy_with_logits(logits, x)
end]],
      check = function(env)
        local n = nb()
        if not (n.is_tensor(env.X) and C.is_module(env.encoder) and C.is_module(env.decoder) and type(env.ae_loss) == "function") then
          return false, { en = "run the code: X, encoder, decoder and ae_loss(x)", ko = "코드를 실행하세요: X, encoder, decoder, ae_loss(x)" }
        end
        local x = env.X:narrow(1, 1, 16)
        local ok, got = pcall(env.ae_loss, x)
        if not ok or not finite(value(got)) then
          return false, { en = "ae_loss(x) should return a number (a scalar tensor)" .. (ok and "" or ": " .. why(got)),
                          ko = "ae_loss(x)는 숫자(스칼라 텐서)를 돌려줘야 합니다" .. (ok and "" or ": " .. why(got)) }
        end
        local want = n.no_grad(function() return BCE(env.decoder(env.encoder(x)), x):item() end)
        local double = n.no_grad(function() return BCE(env.decoder(env.encoder(x)):sigmoid(), x):item() end)
        got = value(got)
        if C.close(got, want, 1e-4, 1e-6) then return true end
        if C.close(got, double, 1e-4, 1e-6) then
          return false, { en = "the sigmoid is applied twice: binary_cross_entropy_with_logits wants the raw logits",
                          ko = "sigmoid가 두 번 적용됩니다. binary_cross_entropy_with_logits에는 로짓을 그대로 넘기세요" }
        end
        return false, { en = ("ae_loss gives %.4f: the loss should compare decoder(encoder(x)) with x itself"):format(got),
                        ko = ("ae_loss의 값은 %.4f입니다. 손실은 decoder(encoder(x))를 x 자신과 비교해야 합니다"):format(got) }
      end,
      hints = { { en = "logits = decoder(z); the target is x: the digit is its own label",
                  ko = "logits = decoder(z). 목표는 x입니다. 숫자가 곧 자기 레이블입니다" } },
    },
    -- 3 ------------------------------------------------------------------------------------------
    {
      text = {
        en = [[
Train it: 400 steps of Adam on batches of 100 digits (a few seconds). The loss
is the mean cross-entropy per pixel: guessing every pixel's average brightness
gives about 0.27; two numbers per digit should bring it near 0.2.]],
        ko = [[
학습시킵니다. 100개씩 묶은 배치로 Adam을 400 스텝 돌립니다 (몇 초).
손실은 픽셀당 평균 교차 엔트로피입니다. 모든 픽셀을 평균 밝기로 맞히면 약
0.27이고, 숫자마다 두 수만으로 0.2 가까이 내려가야 합니다.]],
      },
      code = [[
params = encoder:parameters()
for _, p in ipairs(decoder:parameters()) do params[#params + 1] = p end
opt = optim.Adam(params, { lr = 3e-3 })
for step = 1, 400 do
  local x = X:narrow(1, (step * 100) % 2000 + 1, 100)
  local loss = ae_loss(x)
  opt:zero_grad(); loss:backward(); opt:step()
end
print(ae_loss(X))]],
      wrong = [[
params = encoder:parameters()
for _, p in ipairs(decoder:parameters()) do params[#params + 1] = p end
opt = optim.Adam(params, { lr = 3e-3 })
for step = 1, 10 do
  local x = X:narrow(1, (step * 100) % 2000 + 1, 100)
  local loss = ae_loss(x)
  opt:zero_grad(); loss:backward(); opt:step()
end]],
      check = function(env)
        local n = nb()
        if not (n.is_tensor(env.X) and C.is_module(env.encoder) and C.is_module(env.decoder)) then return false, need_ae end
        local l = n.no_grad(function() return BCE(env.decoder(env.encoder(env.X)), env.X):item() end)
        if l < 0.235 then return true end
        return false, { en = ("the loss on the 2,000 digits is %.3f: train until it is below 0.235 (run the loop)"):format(l),
                        ko = ("2,000개 숫자에 대한 손실이 %.3f입니다. 0.235 아래로 내려갈 때까지 학습하세요 (반복문 실행)"):format(l) }
      end,
    },
    -- 4 ------------------------------------------------------------------------------------------
    {
      text = {
        en = [[
Now the labels, for the first time: encode every digit and colour its point by
its label. Was your prediction right? Find the two digits whose centres (the
mean z of each digit) are closest, and set closest = {a, b} with a < b (the
digits themselves, 0..9). Digit d is class d + 1 in train.labels.]],
        ko = [[
이제 처음으로 레이블을 씁니다. 모든 숫자를 인코딩하고 점마다 레이블 색을
칠하세요. 예측이 맞았나요? 중심(숫자별 z의 평균)이 가장 가까운 두 숫자를 찾아
closest = {a, b}로 두세요 (a < b, 0..9의 숫자 자체). train.labels에서 숫자 d는
클래스 d + 1입니다.]],
      },
      code = [[
Z = no_grad(function() return encoder(X) end)
plot.scatter(Z:select(2, 1), Z:select(2, 2),
  { labels = train.labels, classes = train.classes })
-- the centre of each digit, then the closest pair
closest = { ???, ??? }]],
      solution = [[
Z = no_grad(function() return encoder(X) end)
plot.scatter(Z:select(2, 1), Z:select(2, 2),
  { labels = train.labels, classes = train.classes })
local y, best = train.labels, math.huge
local c = {}
for d = 1, 10 do
  local rows = {}
  for i, v in ipairs(y:tolist()) do if v == d then rows[#rows + 1] = i end end
  c[d] = Z:index_select(1, tensor(rows)):mean(1)
end
for a = 1, 10 do
  for b = a + 1, 10 do
    local dist = ((c[a] - c[b]) ^ 2):sum():item()
    if dist < best then best, closest = dist, { a - 1, b - 1 } end
  end
end
print(closest[1], closest[2])]],
      wrong = [[
Z = no_grad(function() return encoder(X) end)
closest = { 1, 10 }]],
      secret = function(env)
        if not (env.Z and env.train) then return nil end
        local a = closest_pair(env.Z, env.train.labels)
        return a
      end,
      check = function(env)
        local n = nb()
        if not (n.is_tensor(env.Z) and env.train) then
          return false, { en = "encode the digits first: Z = no_grad(function() return encoder(X) end)",
                          ko = "먼저 숫자를 인코딩하세요: Z = no_grad(function() return encoder(X) end)" }
        end
        if env.Z.shape[1] ~= #env.train or env.Z.shape[2] ~= 2 then
          return false, { en = "Z should hold the code of each of the 2,000 digits (2,000 × 2)",
                          ko = "Z에는 2,000개 숫자 각각의 코드가 있어야 합니다 (2,000 × 2)" }
        end
        local a, b = closest_pair(env.Z, env.train.labels)
        local c = env.closest
        if type(c) ~= "table" or type(c[1]) ~= "number" or type(c[2]) ~= "number" then
          return false, { en = "set closest = {a, b}: two digits", ko = "closest = {a, b}로 두 숫자를 넣으세요" }
        end
        if c[1] > 9 or c[2] > 9 or c[1] < 0 or c[2] < 0 then
          return false, { en = "give the digits 0..9, not the class ids 1..10", ko = "클래스 번호 1..10이 아니라 숫자 0..9를 넣으세요" }
        end
        if math.min(c[1], c[2]) == a and math.max(c[1], c[2]) == b then return true end
        return false, { en = "those two centres are not the closest pair: compute the mean z of each digit and compare all pairs",
                        ko = "그 두 중심은 가장 가까운 쌍이 아닙니다. 숫자마다 z의 평균을 구하고 모든 쌍을 비교하세요" }
      end,
      hints = { { en = "rows of digit d: the i with train.labels[i] == d + 1; Z:index_select(1, tensor(rows)):mean(1) is its centre",
                  ko = "숫자 d의 행은 train.labels[i] == d + 1인 i입니다. Z:index_select(1, tensor(rows)):mean(1)이 그 중심입니다" } },
    },
    -- 5 ------------------------------------------------------------------------------------------
    {
      text = {
        en = [[
A variational autoencoder (VAE) makes the plane a place to sample from. Its
encoder gives, per digit, a mean mu and a log-variance logvar of z, and z is
drawn: z = mu + sigma·eps with sigma = exp(logvar / 2), eps ~ N(0, 1). Written
this way (the reparameterisation) the randomness sits in eps, so backprop
reaches mu and logvar. Write sample_z(mu, logvar).]],
        ko = [[
변분 오토인코더(VAE)는 이 평면을 샘플을 뽑을 수 있는 곳으로 만듭니다. 인코더가
숫자마다 z의 평균 mu와 로그 분산 logvar를 내고, z를 뽑습니다:
z = mu + sigma·eps, sigma = exp(logvar / 2), eps ~ N(0, 1). 이렇게 쓰면
(재파라미터화, reparameterisation) 무작위성은 eps에만 있으므로 역전파가 mu와
logvar까지 닿습니다. sample_z(mu, logvar)를 작성하세요.]],
      },
      code = [[
function sample_z(mu, logvar)
  local eps = randn(table.unpack(mu.shape))
  return ???
end]],
      solution = [[
function sample_z(mu, logvar)
  local eps = randn(table.unpack(mu.shape))
  return mu + (logvar * 0.5):exp() * eps
end]],
      wrong = [[
function sample_z(mu, logvar)
  local eps = randn(table.unpack(mu.shape))
  return mu + logvar:exp() * eps
end]],
      check = function(env)
        local n = nb()
        if type(env.sample_z) ~= "function" then
          return false, { en = "define sample_z(mu, logvar)", ko = "sample_z(mu, logvar)를 정의하세요" }
        end
        local mu = n.full({ 20000, 1 }, 3.0):requires_grad()
        local logvar = n.full({ 20000, 1 }, math.log(4)):requires_grad()
        local ok, z = pcall(env.sample_z, mu, logvar)
        if not ok or not n.is_tensor(z) or z:numel() ~= 20000 then
          return false, { en = "sample_z should return a tensor shaped like mu" .. (ok and "" or ": " .. why(z)),
                          ko = "sample_z는 mu와 같은 모양의 텐서를 돌려줘야 합니다" .. (ok and "" or ": " .. why(z)) }
        end
        local m = z:mean():item()
        local sd = ((z - m) ^ 2):mean():item() ^ 0.5
        if math.abs(m - 3) > 0.1 then
          return false, { en = ("with mu = 3 the samples' mean is %.2f: z should be centred on mu"):format(m),
                          ko = ("mu = 3일 때 샘플 평균이 %.2f입니다. z는 mu를 중심으로 해야 합니다"):format(m) }
        end
        if math.abs(sd - 2) > 0.1 then
          return false, { en = ("with logvar = log 4 (variance 4) the spread is %.2f, not 2: sigma = exp(logvar / 2)"):format(sd),
                          ko = ("logvar = log 4 (분산 4)일 때 퍼짐이 2가 아니라 %.2f입니다. sigma = exp(logvar / 2)"):format(sd) }
        end
        z:sum():backward()
        if not (mu.grad and logvar.grad and logvar.grad:abs():sum():item() > 0) then
          return false, { en = "no gradient reaches mu and logvar: build z from them with tensor operations",
                          ko = "mu와 logvar에 기울기가 닿지 않습니다. 텐서 연산으로 z를 만드세요" }
        end
        return true
      end,
      hints = { { en = "mu + (logvar * 0.5):exp() * eps", ko = "mu + (logvar * 0.5):exp() * eps" } },
    },
    -- 6 ------------------------------------------------------------------------------------------
    {
      text = {
        en = [[
The VAE's loss adds to the reconstruction a term that keeps each digit's
N(mu, sigma²) close to N(0, 1), so that the whole plane near zero decodes into
digits. For one digit and one dimension of z:
    KL = −½ (1 + logvar − mu² − exp(logvar))      (never negative)
Write kl(mu, logvar) for a batch (B, 2): the sum over dimensions, averaged over
the batch. −(reconstruction + KL) is the ELBO, a lower bound of log p(x).]],
        ko = [[
VAE의 손실은 재구성에 항 하나를 더합니다. 숫자마다 N(mu, sigma²)를 N(0, 1)
가까이 두어, 원점 근처 평면 전체가 숫자로 디코딩되게 합니다.
숫자 하나, z의 한 차원에 대해:
    KL = −½ (1 + logvar − mu² − exp(logvar))      (절대 음수가 아님)
배치 (B, 2)에 대한 kl(mu, logvar)를 작성하세요. 차원에 대해 더하고 배치에 대해
평균합니다. −(재구성 + KL)이 ELBO, 즉 log p(x)의 하한입니다.]],
      },
      code = [[
function kl(mu, logvar)
  return ??? / mu.shape[1]
end
print(kl(tensor({ { 0, 0 } }), tensor({ { 0, 0 } })))   -- N(0, 1) itself: 0]],
      solution = [[
function kl(mu, logvar)
  return ((logvar + 1 - mu * mu - logvar:exp()):sum() * -0.5) / mu.shape[1]
end
print(kl(tensor({ { 0, 0 } }), tensor({ { 0, 0 } })))]],
      wrong = [[
function kl(mu, logvar)
  return ((logvar + 1 - mu * mu - logvar:exp()):sum() * 0.5) / mu.shape[1]
end]],
      check = function(env)
        local n = nb()
        if type(env.kl) ~= "function" then return false, { en = "define kl(mu, logvar)", ko = "kl(mu, logvar)를 정의하세요" } end
        local mu, logvar = n.randn(8, 2), n.randn(8, 2) * 0.5
        local ok, got = pcall(env.kl, mu, logvar)
        if not ok or not finite(value(got)) then
          return false, { en = "kl should return a number" .. (ok and "" or ": " .. why(got)),
                          ko = "kl은 숫자를 돌려줘야 합니다" .. (ok and "" or ": " .. why(got)) }
        end
        got = value(got)
        local want = ((logvar + 1 - mu * mu - logvar:exp()):sum() * -0.5):item() / 8
        if C.close(got, want, 1e-4, 1e-6) then return true end
        if got < 0 then
          return false, { en = ("kl gives %.3f, a negative number: a KL divergence is never negative (the −½)"):format(got),
                          ko = ("kl의 값이 음수(%.3f)입니다. KL 발산은 음수가 될 수 없습니다 (−½)"):format(got) }
        end
        return false, { en = ("kl gives %.4f: sum −½(1 + logvar − mu² − exp(logvar)) over the batch, then divide by B"):format(got),
                        ko = ("kl의 값은 %.4f입니다. 배치 전체의 −½(1 + logvar − mu² − exp(logvar))를 더한 뒤 B로 나누세요"):format(got) }
      end,
    },
    -- 7 ------------------------------------------------------------------------------------------
    {
      text = {
        en = [[
Train a small VAE with your two functions (a few seconds), then decode a 10 × 10
grid of z from −2 to 2 into a sheet of digits: sigmoid turns the decoder's
logits into pixels in [0, 1]. Neighbouring codes give neighbouring shapes; the
digits morph into each other across the sheet.]],
        ko = [[
두 함수로 작은 VAE를 학습시킨 뒤 (몇 초), −2에서 2까지 10 × 10 격자의 z를
디코딩해 숫자 한 장을 만드세요. sigmoid가 디코더의 로짓을 [0, 1]의 픽셀로
바꿉니다.
가까운 코드는 비슷한 모양이 되어, 장 전체에서 숫자가 서로 모습을 바꿔 갑니다.]],
      },
      code = [[
manual_seed(3)
-- the encoder gives 4 numbers per digit: mu (2) and logvar (2)
venc = nn.Sequential{ nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 4) }
vdec = nn.Sequential{ nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 784) }
vparams = venc:parameters()
for _, p in ipairs(vdec:parameters()) do vparams[#vparams + 1] = p end
vopt = optim.Adam(vparams, { lr = 3e-3 })
for step = 1, 400 do
  local x = X:narrow(1, (step * 100) % 2000 + 1, 100)
  local h = venc(x)
  local mu, logvar = h:narrow(2, 1, 2), h:narrow(2, 3, 2)
  local logits = vdec(sample_z(mu, logvar))
  local rec = F.binary_cross_entropy_with_logits(logits, x, {reduction = "sum"})
  local loss = rec / 100 + kl(mu, logvar)
  vopt:zero_grad(); loss:backward(); vopt:step()
end
grid = {}
for i = 1, 10 do
  for j = 1, 10 do
    grid[#grid + 1] = { -2 + 4 * (j - 1) / 9, 2 - 4 * (i - 1) / 9 }
  end
end
sheet = ???                               -- (100, 784) pixels in [0, 1]
plot.images(sheet:view(100, 28, 28), { cols = 10 })]],
      solution = [[
manual_seed(3)
venc = nn.Sequential{ nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 4) }
vdec = nn.Sequential{ nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 784) }
vparams = venc:parameters()
for _, p in ipairs(vdec:parameters()) do vparams[#vparams + 1] = p end
vopt = optim.Adam(vparams, { lr = 3e-3 })
for step = 1, 400 do
  local x = X:narrow(1, (step * 100) % 2000 + 1, 100)
  local h = venc(x)
  local mu, logvar = h:narrow(2, 1, 2), h:narrow(2, 3, 2)
  local logits = vdec(sample_z(mu, logvar))
  local rec = F.binary_cross_entropy_with_logits(logits, x, {reduction = "sum"})
  local loss = rec / 100 + kl(mu, logvar)
  vopt:zero_grad(); loss:backward(); vopt:step()
end
grid = {}
for i = 1, 10 do
  for j = 1, 10 do
    grid[#grid + 1] = { -2 + 4 * (j - 1) / 9, 2 - 4 * (i - 1) / 9 }
  end
end
sheet = no_grad(function() return vdec(tensor(grid)):sigmoid() end)
plot.images(sheet:view(100, 28, 28), { cols = 10 })]],
      wrong = [[
grid = {}
for i = 1, 10 do
  for j = 1, 10 do
    grid[#grid + 1] = { -2 + 4 * (j - 1) / 9, 2 - 4 * (i - 1) / 9 }
  end
end
sheet = no_grad(function() return vdec(tensor(grid)) end)]],
      check = function(env)
        local n = nb()
        if not (C.is_module(env.vdec) and n.is_tensor(env.sheet)) then
          return false, { en = "train the VAE and decode the grid into sheet", ko = "VAE를 학습시키고 격자를 sheet로 디코딩하세요" }
        end
        if env.sheet:numel() ~= 100 * 784 then
          return false, { en = "sheet should hold 100 digits of 784 pixels", ko = "sheet에는 784픽셀 숫자 100개가 있어야 합니다" }
        end
        local lo, hi = env.sheet:min():item(), env.sheet:max():item()
        if lo < 0 or hi > 1 then
          return false, { en = ("sheet's values run from %.2f to %.2f: apply sigmoid to the logits to get pixels in [0, 1]"):format(lo, hi),
                          ko = ("sheet의 값이 %.2f에서 %.2f까지입니다. 로짓에 sigmoid를 적용해 [0, 1]의 픽셀로 만드세요"):format(lo, hi) }
        end
        local grid = {}
        for i = 1, 10 do
  for j = 1, 10 do
    grid[#grid + 1] = { -2 + 4 * (j - 1) / 9, 2 - 4 * (i - 1) / 9 }
  end
end
        local want = n.no_grad(function() return env.vdec(n.tensor(grid)):sigmoid() end)
        if maxdiff(env.sheet:reshape(100, 784), want) > 1e-4 then
          return false, { en = "sheet should be vdec's pixels for the grid of z, in the order of grid",
                          ko = "sheet는 z 격자에 대한 vdec의 픽셀이어야 합니다 (grid의 순서대로)" }
        end
        -- a trained decoder: the sheet is not one blur (its digits differ from each other)
        local spread = ((want - want:mean(1, true)) ^ 2):mean():item()
        if spread < 0.005 then
          return false, { en = "the 100 digits are all alike: train the VAE first (run the loop)",
                          ko = "숫자 100개가 모두 같습니다. 먼저 VAE를 학습시키세요 (반복문 실행)" }
        end
        return true
      end,
    },
    -- 8 ------------------------------------------------------------------------------------------
    {
      text = {
        en = [[
A GAN learns to draw without rebuilding anything. A generator G turns noise into
an image; a discriminator D gives a logit: how real the image looks. D learns
to tell MNIST digits (target 1) from G's (target 0); G learns to make D say 1.
Write G's loss from D's logits on a batch of fakes: the non-saturating form,
BCE(D(G(z)), 1) = −log σ(D(G(z))). (The original −BCE(D(G(z)), 0) =
log(1 − σ(D(G(z)))) has almost no gradient while D easily rejects the fakes.)]],
        ko = [[
GAN은 무엇도 재구성하지 않고 그리는 법을 배웁니다. 생성자 G는 노이즈를 이미지로
바꾸고, 판별자 D는 이미지가 얼마나 진짜 같은지를 로짓으로 냅니다. D는 MNIST
숫자(목표 1)와 G의 그림(목표 0)을 구별하도록, G는 D가 1이라고 말하도록 배웁니다.
가짜 배치에 대한 D의 로짓으로 G의 손실을 작성하세요. 포화하지 않는 형태는
BCE(D(G(z)), 1) = −log σ(D(G(z)))입니다. (원래의 −BCE(D(G(z)), 0) =
log(1 − σ(D(G(z))))은 D가 가짜를 쉽게 가려낼 때 기울기가 거의 없습니다.)]],
      },
      code = [[
function g_loss(d_fake)               -- D's logits (B, 1) for G's images
  return ???
end]],
      solution = [[
function g_loss(d_fake)
  return F.binary_cross_entropy_with_logits(d_fake, ones(d_fake.shape[1], 1))
end]],
      wrong = [[
function g_loss(d_fake)
  return -F.binary_cross_entropy_with_logits(d_fake, zeros(d_fake.shape[1], 1))
end]],
      check = function(env)
        local n = nb()
        if type(env.g_loss) ~= "function" then return false, { en = "define g_loss(d_fake)", ko = "g_loss(d_fake)를 정의하세요" } end
        -- logits of fakes D rejects (−4) and of fakes D is unsure of (0)
        local d = n.tensor({ { -4 }, { -3 }, { 0 }, { 1 } }):requires_grad()
        local ok, l = pcall(env.g_loss, d)
        if not ok or not finite(value(l)) then
          return false, { en = "g_loss should return a number" .. (ok and "" or ": " .. why(l)),
                          ko = "g_loss는 숫자를 돌려줘야 합니다" .. (ok and "" or ": " .. why(l)) }
        end
        local want = BCE(d:detach(), n.ones(4, 1)):item()
        local minimax = -BCE(d:detach(), n.zeros(4, 1)):item()
        if C.close(value(l), want, 1e-4, 1e-6) then
          l:backward()
          if d.grad and d.grad[{ 1, 1 }]:item() < -0.2 then return true end
          return false, { en = "the loss has the right value but no gradient reaches D's logits: build it from d_fake",
                          ko = "손실 값은 맞지만 D의 로짓에 기울기가 닿지 않습니다. d_fake로 계산하세요" }
        end
        if C.close(value(l), minimax, 1e-4, 1e-6) then
          return false, { en = "that is the saturating (minimax) loss log(1 − D): for a rejected fake (logit −4) its gradient is 0.018, the non-saturating one's 0.98",
                          ko = "그것은 포화하는(minimax) 손실 log(1 − D)입니다. 가려낸 가짜(로짓 −4)에서 그 기울기는 0.018, 포화하지 않는 손실은 0.98입니다" }
        end
        return false, { en = ("g_loss gives %.4f: BCE of D's logits against the target 1 (real)"):format(value(l)),
                        ko = ("g_loss의 값은 %.4f입니다. D의 로짓을 목표 1(진짜)과 비교하는 BCE를 쓰세요"):format(value(l)) }
      end,
      hints = { { en = "F.binary_cross_entropy_with_logits(d_fake, ones(d_fake.shape[1], 1))",
                  ko = "F.binary_cross_entropy_with_logits(d_fake, ones(d_fake.shape[1], 1))" } },
    },
    -- 9 ------------------------------------------------------------------------------------------
    {
      text = {
        en = [[
Run a small GAN with your g_loss for 300 steps and look at 16 of its samples:
blurry strokes already shaped like digits. A known failure of GANs: suppose
every sample came out the same digit, say a 1, however the noise z changed,
and stayed so. Which name fits, and why? (experiments/mnist-gan.lua provokes it
on purpose: the generator trains alone against a frozen discriminator.)]],
        ko = [[
작성한 g_loss로 작은 GAN을 300 스텝 돌리고 샘플 16개를 보세요. 벌써 숫자 모양의
흐린 획입니다. GAN의 알려진 실패가 하나 있습니다. 노이즈 z를 어떻게 바꾸어도
모든 샘플이 같은 숫자(예: 1)로만 나오고 그대로 머문다면, 어떤 이름이 맞고 왜
그럴까요? (experiments/mnist-gan.lua는 판별자를 고정한 채 생성자만 학습시켜
일부러 이 현상을 일으킵니다.)]],
      },
      code = GAN_CODE,
      quiz = {
        question = { en = "Every sample is the same digit whatever z is. What happened?",
                     ko = "z가 무엇이든 모든 샘플이 같은 숫자입니다. 무슨 일일까요?" },
        choices = {
          { en = "mode collapse: G found one image D accepts and sends every z there",
            ko = "모드 붕괴: G가 D를 통과하는 이미지 하나를 찾아 모든 z를 그리로 보냄" },
          { en = "overfitting: G memorised one training digit it saw too many times",
            ko = "과적합: G가 너무 자주 본 학습 숫자 하나를 통째로 외움" },
          { en = "vanishing gradients: G stopped learning before it could draw more",
            ko = "기울기 소실: G가 더 그리기 전에 학습을 멈춤" },
        },
        answer = 1,
        explain = { en = "Yes. G's loss only asks each sample to fool D, not for the samples to differ; if D stops pushing back on the one mode G likes, G collapses onto it. mnist-gan reports the spread over the ten classes per epoch to catch it.",
                    ko = "맞습니다. G의 손실은 샘플마다 D를 속이라고만 할 뿐 서로 달라지라고 하지 않습니다. G가 좋아하는 하나의 모드를 D가 더는 막지 않으면 G는 그리로 무너집니다. mnist-gan은 에폭마다 열 클래스에 걸친 분포를 보고해 이를 잡습니다." },
        wrong = {
          [2] = { en = "G never sees a training digit: only D's verdicts reach it. The one digit it draws is the one D let through.",
                  ko = "G는 학습 숫자를 직접 보지 않고 D의 판정만 받습니다. G가 그리는 그 숫자는 D가 통과시킨 것입니다." },
          [3] = { en = "G still learns (its loss falls): it learns too well to fool one fixed judge with one answer.",
                  ko = "G는 계속 배웁니다 (손실이 줄어듭니다). 고정된 판별자 하나를 답 하나로 속이는 법을 너무 잘 배운 것입니다." },
        },
      },
    },
  },
}

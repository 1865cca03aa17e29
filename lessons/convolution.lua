-- Lesson: convolution — a 3×3 kernel applied by hand to a real MNIST digit (edge detectors),
-- output size with padding and stride, im2col (a convolution as one matrix product, checked
-- against nn.Conv2d), parameters of a conv layer vs a linear one, translation equivariance,
-- the receptive field layer by layer, pooling, and the feature maps of a small trained CNN.
local C = require("nabla.lesson").checks
local value, finite, is_module = C.value, C.finite, C.is_module

local function nb() return require "nabla" end

local sets
local function small()
  if not sets then
    local data = nb().data
    sets = { train = data.mnist{ split = "train", small = true }, test = data.mnist{ split = "test", small = true } }
    sets.digit = sets.train:get(3)[1]
  end
  return sets
end

local SOBEL_X = { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } }

-- cross-correlation of a (H, W) image with a (3, 3) kernel, no padding, by nabla
local function ref_conv(img, K)
  local n = nb()
  local k = n.is_tensor(K) and K or n.tensor(K)
  local H, W = img.shape[1], img.shape[2]
  return n.conv2d(img:reshape(1, 1, H, W), k:reshape(1, 1, 3, 3)):reshape(H - 2, W - 2)
end

local maxdiff = require("nabla.lesson").checks.maxdiff

local function shape_is(t, s) return nb().is_tensor(t) and tostring(t.shape) == s end

local function ref_out(n, k, p, s) return (n + 2 * p - k) // s + 1 end

return {
  id = "convolution",
  order = 9.5,   -- after universality, before mnist
  title = { en = "Convolution", ko = "합성곱" },
  steps = {
    {
      text = {
        en = [[
A convolution slides a small kernel over the image: each output pixel is the sum
of a 3×3 patch times the kernel, out[i][j] = Σ_a Σ_b img[i+a−1][j+b−1]·K[a][b]
(deep learning frameworks do not flip K: strictly this is a cross-correlation).
Take a real digit from the bundled MNIST subset and write conv3(img, K) with
plain loops (no padding: 28 → 26).]],
        ko = [[
합성곱은 작은 커널을 이미지 위로 밀면서, 출력 픽셀마다 3×3 조각과 커널의 곱을
더합니다: out[i][j] = Σ_a Σ_b img[i+a−1][j+b−1]·K[a][b] (딥러닝 프레임워크는 K를
뒤집지 않으므로, 엄밀히는 상호 상관입니다). 함께 들어 있는 MNIST 부분 집합에서
진짜 숫자 하나를 꺼내, 평범한 반복문으로 conv3(img, K)를 작성하세요
(패딩 없음: 28 → 26).]],
      },
      code = [[
train = data.mnist{ split = "train", small = true }
digit = train:get(3)[1]                  -- a 4, as a 28×28 tensor
plot.image(digit)
function conv3(img, K)
  local x, H, W = img:tolist(), img.shape[1], img.shape[2]
  local out = {}
  for i = 1, H - 2 do
    out[i] = {}
    for j = 1, W - 2 do
      local s = 0
      ???                                -- Σ over a, b = 1..3 of x[i+a-1][j+b-1] · K[a][b]
      out[i][j] = s
    end
  end
  return tensor(out)
end]],
      solution = [[
train = data.mnist{ split = "train", small = true }
digit = train:get(3)[1]                  -- a 4, as a 28×28 tensor
plot.image(digit)
function conv3(img, K)
  local x, H, W = img:tolist(), img.shape[1], img.shape[2]
  local out = {}
  for i = 1, H - 2 do
    out[i] = {}
    for j = 1, W - 2 do
      local s = 0
      for a = 1, 3 do
        for b = 1, 3 do s = s + x[i + a - 1][j + b - 1] * K[a][b] end
      end
      out[i][j] = s
    end
  end
  return tensor(out)
end]],
      wrong = [[
train = data.mnist{ split = "train", small = true }
digit = train:get(3)[1]
function conv3(img, K)
  local x, H, W = img:tolist(), img.shape[1], img.shape[2]
  local out = {}
  for i = 1, H - 2 do
    out[i] = {}
    for j = 1, W - 2 do
      local s = 0
      for a = 1, 3 do
        for b = 1, 3 do s = s + x[i + a - 1][j + b - 1] * K[4 - a][4 - b] end
      end
      out[i][j] = s
    end
  end
  return tensor(out)
end]],
      check = function(env)
        if type(env.conv3) ~= "function" or not nb().is_tensor(env.digit) then
          return false, { en = "load digit and define conv3(img, K)", ko = "digit을 불러오고 conv3(img, K)를 정의하세요" }
        end
        local d = small().digit
        local ok, out = pcall(env.conv3, d, SOBEL_X)
        if not ok or not shape_is(out, "[26,26]") then
          return false, { en = "conv3(digit, K) should return a 26×26 tensor" .. (ok and "" or (": " .. C.why(out))),
                          ko = "conv3(digit, K)는 26×26 텐서를 돌려줘야 합니다" .. (ok and "" or (": " .. C.why(out))) }
        end
        local want = ref_conv(d, SOBEL_X)
        if maxdiff(out, want) < 1e-4 then return true end
        local flipped = { { 1, 0, -1 }, { 2, 0, -2 }, { 1, 0, -1 } }
        if maxdiff(out, ref_conv(d, flipped)) < 1e-4 then
          return false, { en = "you flipped the kernel (the textbook convolution); nn.Conv2d does not flip: use K[a][b]",
                          ko = "커널을 뒤집었습니다 (교과서의 합성곱). nn.Conv2d는 뒤집지 않습니다: K[a][b]를 쓰세요" }
        end
        return false, { en = ("conv3 differs from nabla's conv2d by up to %.3g: out[i][j] = Σ x[i+a−1][j+b−1]·K[a][b]"):format(maxdiff(out, want)),
                        ko = ("conv3가 nabla의 conv2d와 최대 %.3g만큼 다릅니다: out[i][j] = Σ x[i+a−1][j+b−1]·K[a][b]"):format(maxdiff(out, want)) }
      end,
      hints = {
        { en = "Two more loops: for a = 1, 3 do for b = 1, 3 do s = s + ... end end", ko = "반복문 두 개를 더: for a = 1, 3 do for b = 1, 3 do s = s + ... end end" },
      },
    },
    {
      text = {
        en = [[
Edge detectors. The Sobel kernel sobel_x = {{−1,0,1},{−2,0,2},{−1,0,1}} compares
the pixels right of the centre with those left of it: it answers on vertical
strokes, with opposite signs on their two sides. Its transpose sobel_y answers
on horizontal strokes. Compute gx and gy for the digit and look at them side by
side (grey = 0).]],
        ko = [[
에지 검출기. 소벨 커널 sobel_x = {{−1,0,1},{−2,0,2},{−1,0,1}}은 가운데의 오른쪽
픽셀과 왼쪽 픽셀을 비교합니다: 세로 획에 반응하고, 획의 양쪽에서 부호가
반대입니다. 전치한 sobel_y는 가로 획에 반응합니다. 숫자에 대해 gx와 gy를 구해
나란히 보세요 (회색 = 0).]],
      },
      code = [[
sobel_x = { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } }
sobel_y = { { -1, -2, -1 }, { 0, 0, 0 }, { 1, 2, 1 } }
gx, gy = conv3(digit, sobel_x), conv3(digit, sobel_y)
inner = digit:narrow(1, 2, 26):narrow(2, 2, 26)          -- the 26×26 centre, to line up
plot.images({ inner, gx, gy }, { labels = { "digit", "gx", "gy" }, symmetric = true })
print(gx:abs():sum():item(), gy:abs():sum():item())]],
      wrong = [[
sobel_x = { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } }
sobel_y = { { -1, -2, -1 }, { 0, 0, 0 }, { 1, 2, 1 } }
gx, gy = conv3(digit, sobel_y), conv3(digit, sobel_x)]],
      check = function(env)
        if not (shape_is(env.gx, "[26,26]") and shape_is(env.gy, "[26,26]")) then
          return false, { en = "compute gx and gy (26×26 each)", ko = "gx와 gy를 구하세요 (각각 26×26)" }
        end
        local d = small().digit
        local wx = ref_conv(d, SOBEL_X)
        local wy = ref_conv(d, nb().tensor(SOBEL_X):t():contiguous())
        if maxdiff(env.gx, wy) < 1e-4 and maxdiff(env.gy, wx) < 1e-4 then
          return false, { en = "gx and gy are swapped: sobel_x changes along x (across columns), so it finds vertical strokes",
                          ko = "gx와 gy가 바뀌었습니다: sobel_x는 x 방향(열을 가로질러)으로 변하므로 세로 획을 찾습니다" }
        end
        if maxdiff(env.gx, wx) > 1e-4 or maxdiff(env.gy, wy) > 1e-4 then
          return false, { en = "gx = conv3(digit, sobel_x) and gy = conv3(digit, sobel_y)", ko = "gx = conv3(digit, sobel_x), gy = conv3(digit, sobel_y)" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Output size. A kernel k with padding p (zeros around the image) and stride s
(jumping s pixels) gives ⌊(n + 2p − k)/s⌋ + 1 outputs along a side of n pixels.
Write out_size(n, k, p, s); the check compares it with what nabla's conv2d
really returns on many cases. Predict the three printed sizes before you run the
last line.]],
        ko = [[
출력 크기. 커널 k, 패딩 p(이미지 둘레의 0), 스트라이드 s(s픽셀씩 건너뜀)이면 한
변이 n픽셀일 때 출력은 ⌊(n + 2p − k)/s⌋ + 1개입니다. out_size(n, k, p, s)를
작성하세요. 검사는 이것을 nabla의 conv2d가 실제로 돌려주는 크기와 여러 경우에
비교합니다. 마지막 줄을 실행하기 전에 출력될 세 크기를 예측해 보세요.]],
      },
      code = [[
function out_size(n, k, p, s) return ??? end
print(out_size(28, 3, 0, 1), out_size(28, 3, 1, 1), out_size(28, 3, 1, 2))]],
      solution = [[
function out_size(n, k, p, s) return (n + 2 * p - k) // s + 1 end
print(out_size(28, 3, 0, 1), out_size(28, 3, 1, 1), out_size(28, 3, 1, 2))]],
      wrong = [[function out_size(n, k, p, s) return (n + 2 * p - k) / s + 1 end]],
      check = function(env)
        if type(env.out_size) ~= "function" then
          return false, { en = "define out_size(n, k, p, s)", ko = "out_size(n, k, p, s)를 정의하세요" }
        end
        local n = nb()
        for _, c in ipairs({ { 28, 3, 0, 1 }, { 28, 3, 1, 1 }, { 28, 3, 1, 2 }, { 28, 5, 2, 2 }, { 27, 3, 0, 2 }, { 13, 4, 1, 3 } }) do
          local real = n.conv2d(n.zeros(1, 1, c[1], c[1]), n.zeros(1, 1, c[2], c[2]), nil, { padding = c[3], stride = c[4] }).shape[3]
          local ok, got = pcall(env.out_size, c[1], c[2], c[3], c[4])
          got = ok and value(got)
          if got ~= real then
            local hint = { en = "", ko = "" }
            if finite(got) and got ~= math.floor(got) then
              hint = { en = ": a size is a whole number, round down (// in Lua)", ko = ": 크기는 정수입니다. 내림하세요 (Lua에서는 //)" }
            elseif finite(got) and got == (c[1] - c[2]) // c[4] + 1 then
              hint = { en = ": the padding adds p pixels on both sides", ko = ": 패딩은 양쪽에 p픽셀씩 더합니다" }
            end
            return false, { en = ("out_size(%d, %d, %d, %d) = %s, conv2d gives %d%s"):format(c[1], c[2], c[3], c[4], tostring(got), real, hint.en),
                            ko = ("out_size(%d, %d, %d, %d) = %s, conv2d의 결과는 %d%s"):format(c[1], c[2], c[3], c[4], tostring(got), real, hint.ko) }
          end
        end
        return true
      end,
    },
    {
      text = {
        en = [[
A convolution is one matrix product. im2col lays every 3×3 patch out as a row:
676 rows (one per output pixel) of 9 columns (column (a−1)·3 + b is the pixel at
offset (a, b)). Then out = cols · vec(K). Column (a, b) of cols is the image
shifted by (a, b), a narrow(…) of digit. Build cols, multiply, and compare with
nn.Conv2d given the same K.]],
        ko = [[
합성곱은 행렬 곱 하나입니다. im2col은 3×3 조각을 하나씩 행으로 펼칩니다: 출력
픽셀마다 한 행, 676행 9열 (열 (a−1)·3 + b는 오프셋 (a, b)의 픽셀). 그러면
out = cols · vec(K)입니다. cols의 (a, b)열은 (a, b)만큼 옮긴 이미지, 곧 digit의
narrow(…)입니다. cols를 만들고 곱한 뒤, 같은 K를 넣은 nn.Conv2d와 비교하세요.]],
      },
      code = [[
columns = {}
for a = 1, 3 do
  for b = 1, 3 do
    columns[(a - 1) * 3 + b] = ???       -- the 26×26 window of digit at offset (a, b), as 676 numbers
  end
end
cols = stack(columns, 2)                 -- 676 × 9
out_mm = cols:mv(tensor(sobel_x):reshape(9)):reshape(26, 26)
conv = nn.Conv2d(1, 1, 3, { bias = false })
no_grad(function() conv.weight:copy_(tensor(sobel_x):reshape(1, 1, 3, 3)) end)
out_conv = conv(digit:reshape(1, 1, 28, 28)):reshape(26, 26)
print(cols.shape, (out_mm - out_conv):abs():max())]],
      solution = [[
columns = {}
for a = 1, 3 do
  for b = 1, 3 do
    columns[(a - 1) * 3 + b] = digit:narrow(1, a, 26):narrow(2, b, 26):reshape(676)
  end
end
cols = stack(columns, 2)                 -- 676 × 9
out_mm = cols:mv(tensor(sobel_x):reshape(9)):reshape(26, 26)
conv = nn.Conv2d(1, 1, 3, { bias = false })
no_grad(function() conv.weight:copy_(tensor(sobel_x):reshape(1, 1, 3, 3)) end)
out_conv = conv(digit:reshape(1, 1, 28, 28)):reshape(26, 26)
print(cols.shape, (out_mm - out_conv):abs():max())]],
      wrong = [[
columns = {}
for a = 1, 3 do
  for b = 1, 3 do
    columns[(b - 1) * 3 + a] = digit:narrow(1, a, 26):narrow(2, b, 26):reshape(676)
  end
end
cols = stack(columns, 2)
out_mm = cols:mv(tensor(sobel_x):reshape(9)):reshape(26, 26)]],
      check = function(env)
        if not shape_is(env.cols, "[676,9]") then
          return false, { en = "cols should be 676 × 9: stack(columns, 2)", ko = "cols는 676 × 9여야 합니다: stack(columns, 2)" }
        end
        local d = small().digit
        local want = ref_conv(d, SOBEL_X)
        if not shape_is(env.out_mm, "[26,26]") then
          return false, { en = "out_mm = cols · vec(sobel_x), reshaped to 26×26", ko = "out_mm = cols · vec(sobel_x)를 26×26으로" }
        end
        if maxdiff(env.out_mm, want) > 1e-4 then
          local K = nb().tensor(SOBEL_X)
          if maxdiff(env.out_mm, ref_conv(d, K:t():contiguous())) < 1e-4 then
            return false, { en = "the columns are in the wrong order: column (a−1)·3 + b must hold offset (a, b), row by row like reshape(9)",
                            ko = "열 순서가 틀렸습니다: (a−1)·3 + b열에 오프셋 (a, b)가 와야 합니다, reshape(9)처럼 행 우선으로" }
          end
          return false, { en = ("out_mm differs from the convolution by %.3g: column (a, b) = digit:narrow(1, a, 26):narrow(2, b, 26)"):format(maxdiff(env.out_mm, want)),
                          ko = ("out_mm이 합성곱과 %.3g만큼 다릅니다: (a, b)열 = digit:narrow(1, a, 26):narrow(2, b, 26)"):format(maxdiff(env.out_mm, want)) }
        end
        if not shape_is(env.out_conv, "[26,26]") or maxdiff(env.out_conv, want) > 1e-4 then
          return false, { en = "out_conv: nn.Conv2d(1, 1, 3, {bias = false}) with weight sobel_x, on digit as (1, 1, 28, 28)",
                          ko = "out_conv: 가중치가 sobel_x인 nn.Conv2d(1, 1, 3, {bias = false})를 (1, 1, 28, 28) 모양의 digit에" }
        end
        return true
      end,
      hints = { { en = "digit:narrow(1, a, 26) keeps rows a … a+25; then :narrow(2, b, 26) the columns; :reshape(676).",
                  ko = "digit:narrow(1, a, 26)은 a … a+25행을, 이어서 :narrow(2, b, 26)은 열을 남깁니다. 그다음 :reshape(676)." } },
    },
    {
      text = {
        en = [[
Weight sharing. A conv layer from 1 to 8 channels with 3×3 kernels, and a linear
layer from the 784 pixels to the same 8×26×26 outputs. Predict both parameter
counts with a formula (p_conv, p_linear; weights and biases), then check p_conv
against nn.Conv2d(1, 8, 3):num_parameters().]],
        ko = [[
가중치 공유. 3×3 커널로 채널 1개를 8개로 바꾸는 합성곱 층과, 784픽셀을 같은
8×26×26 출력으로 바꾸는 선형 층. 두 층의 파라미터 수(가중치와 편향)를 공식으로
예측한 뒤(p_conv, p_linear), p_conv를 nn.Conv2d(1, 8, 3):num_parameters()와
비교하세요.]],
      },
      code = [[
p_conv = 8 * 1 * 3 * 3 + 8
p_linear = 784 * (8 * 26 * 26) + 8 * 26 * 26
print(p_conv, nn.Conv2d(1, 8, 3):num_parameters(), p_linear, p_linear / p_conv)]],
      secret = function() return 80 end,
      wrong = [[
p_conv = 8 * 3 * 3
p_linear = 784 * 8]],
      check = function(env)
        local pc, pl = value(env.p_conv), value(env.p_linear)
        if pc == 72 then
          return false, { en = "72 counts the weights only: each of the 8 output channels also has a bias",
                          ko = "72는 가중치만 센 것입니다: 출력 채널 8개마다 편향도 하나씩 있습니다" }
        end
        if pc ~= 80 then
          return false, { en = ("p_conv = %s: out_channels · in_channels · 3 · 3 weights, plus out_channels biases"):format(tostring(pc)),
                          ko = ("p_conv = %s: 가중치 out_channels · in_channels · 3 · 3개에 편향 out_channels개"):format(tostring(pc)) }
        end
        local want = 784 * 5408 + 5408
        if pl ~= want then
          return false, { en = ("p_linear = %s: every one of the 8·26·26 = 5408 outputs has its own 784 weights and a bias"):format(tostring(pl)),
                          ko = ("p_linear = %s: 출력 8·26·26 = 5408개가 저마다 가중치 784개와 편향 하나를 가집니다"):format(tostring(pl)) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Translation equivariance: shifting the input shifts the output the same way,
conv(shift(x)) = shift(conv(x)), because the same kernel is used everywhere.
Shift the digit 3 pixels right, filter both, and compare the outputs where both
are defined. Do the same with a random linear map of the pixels: no such rule.]],
        ko = [[
이동 등변성: 입력을 옮기면 출력도 똑같이 옮겨집니다,
conv(shift(x)) = shift(conv(x)). 어디서나 같은 커널을 쓰기 때문입니다. 숫자를
오른쪽으로 3픽셀 옮겨 둘 다 필터에 통과시키고, 둘 다 정의된 곳에서 출력을
비교하세요. 픽셀에 대한 무작위 선형 사상으로도 해 보세요: 그런 규칙이 없습니다.]],
      },
      code = [[
function shift3(img)       -- 3 columns of zeros on the left, the last 3 columns dropped
  return cat({ zeros(img.shape[1], 3), img:narrow(2, 1, img.shape[2] - 3) }, 2)
end
a, b = conv3(shift3(digit), sobel_x), shift3(conv3(digit, sobel_x))
diff_conv = (a - b):narrow(2, 4, 23):abs():max():item()
manual_seed(0)
M = randn(784, 784) / 28
la = M:mv(shift3(digit):reshape(784)):reshape(28, 28)
lb = shift3(M:mv(digit:reshape(784)):reshape(28, 28))
diff_linear = (la - lb):narrow(2, 4, 25):abs():max():item()
print(diff_conv, diff_linear)]],
      wrong = [[
function shift3(img)       -- 3 columns of zeros on the left, the last 3 columns dropped
  return cat({ zeros(img.shape[1], 3), img:narrow(2, 1, img.shape[2] - 3) }, 2)
end
a, b = conv3(shift3(digit), sobel_x), conv3(digit, sobel_x)
diff_conv = (a - b):narrow(2, 4, 23):abs():max():item()
diff_linear = 0]],
      check = function(env)
        local dc, dl = value(env.diff_conv), value(env.diff_linear)
        if not (finite(dc) and finite(dl)) then
          return false, { en = "compute diff_conv and diff_linear", ko = "diff_conv와 diff_linear를 계산하세요" }
        end
        if dc > 1e-4 then
          return false, { en = ("diff_conv = %.3g: compare conv3(shift3(digit)) with shift3(conv3(digit)), the shifted output"):format(dc),
                          ko = ("diff_conv = %.3g: conv3(shift3(digit))을 옮긴 출력 shift3(conv3(digit))과 비교하세요"):format(dc) }
        end
        if dl < 0.1 then
          return false, { en = "diff_linear should compare M·shift(x) with shift(M·x) for the random M: they differ",
                          ko = "diff_linear는 무작위 M에 대해 M·shift(x)와 shift(M·x)를 비교해야 합니다: 둘은 다릅니다" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Receptive field: how many input pixels one output pixel sees. With r₀ = 1,
j₀ = 1, a layer with kernel k and stride s gives r ← r + (k − 1)·j, then
j ← j·s. For conv3, conv3, avg-pool 2 (stride 2), conv3: compute rf
(the four sizes), then measure the last one: backprop from one output pixel and
count the input rows its gradient reaches.]],
        ko = [[
수용 영역: 출력 픽셀 하나가 보는 입력 픽셀의 범위. r₀ = 1, j₀ = 1에서 시작해,
커널 k, 스트라이드 s인 층마다 r ← r + (k − 1)·j, 그다음 j ← j·s입니다. conv3,
conv3, 평균 풀링 2(스트라이드 2), conv3에 대해 rf(크기 네 개)를 계산한 뒤,
마지막 값을 측정해 보세요: 출력 픽셀 하나에서 역전파해 기울기가 닿는 입력의 행 수를
셉니다.]],
      },
      code = [[
layers = { { k = 3, s = 1 }, { k = 3, s = 1 }, { k = 2, s = 2 }, { k = 3, s = 1 } }
rf, r, j = {}, 1, 1
for i, l in ipairs(layers) do
  ???                                    -- r ← r + (k − 1)·j, then j ← j·s
  rf[i] = r
end
manual_seed(0)
stack4 = nn.Sequential(nn.Conv2d(1, 1, 3), nn.Conv2d(1, 1, 3), nn.AvgPool2d(2),
                       nn.Conv2d(1, 1, 3))
x = zeros(1, 1, 28, 28):requires_grad()
y = stack4(x)
y[1][1][4][4]:backward()
rows = 0
for _, s in ipairs(x.grad[1][1]:abs():sum(2):tolist()) do if s > 0 then rows = rows + 1 end end
print(rf[1], rf[2], rf[3], rf[4], rows)]],
      solution = [[
layers = { { k = 3, s = 1 }, { k = 3, s = 1 }, { k = 2, s = 2 }, { k = 3, s = 1 } }
rf, r, j = {}, 1, 1
for i, l in ipairs(layers) do
  r = r + (l.k - 1) * j
  j = j * l.s
  rf[i] = r
end
manual_seed(0)
stack4 = nn.Sequential(nn.Conv2d(1, 1, 3), nn.Conv2d(1, 1, 3), nn.AvgPool2d(2),
                       nn.Conv2d(1, 1, 3))
x = zeros(1, 1, 28, 28):requires_grad()
y = stack4(x)
y[1][1][4][4]:backward()
rows = 0
for _, s in ipairs(x.grad[1][1]:abs():sum(2):tolist()) do if s > 0 then rows = rows + 1 end end
print(rf[1], rf[2], rf[3], rf[4], rows)]],
      wrong = [[
layers = { { k = 3, s = 1 }, { k = 3, s = 1 }, { k = 2, s = 2 }, { k = 3, s = 1 } }
rf, r, j = {}, 1, 1
for i, l in ipairs(layers) do
  j = j * l.s
  r = r + (l.k - 1) * j
  rf[i] = r
end]],
      check = function(env)
        local rf = env.rf
        if type(rf) ~= "table" or #rf < 4 then
          return false, { en = "fill rf with the 4 receptive field sizes", ko = "rf에 수용 영역 크기 4개를 채우세요" }
        end
        local want = { 3, 5, 6, 10 }
        if value(rf[4]) == 12 then
          return false, { en = "rf[4] = 12: you multiplied j by the stride before using it; the pool's stride only spreads the layers after it",
                          ko = "rf[4] = 12: j에 스트라이드를 먼저 곱했습니다. 풀링의 스트라이드는 그 뒤 층부터 넓힙니다" }
        end
        for i = 1, 4 do
          if value(rf[i]) ~= want[i] then
            return false, { en = ("rf[%d] = %s, expected %d: r ← r + (k − 1)·j, then j ← j·s"):format(i, tostring(rf[i]), want[i]),
                            ko = ("rf[%d]: 지금 %s, 맞는 값 %d. r ← r + (k − 1)·j, 그다음 j ← j·s"):format(i, tostring(rf[i]), want[i]) }
          end
        end
        if value(env.rows) ~= 10 then
          return false, { en = ("rows = %s: backprop from one output pixel of stack4 and count the input rows with a nonzero gradient"):format(tostring(env.rows)),
                          ko = ("rows = %s: stack4의 출력 픽셀 하나에서 역전파하고 기울기가 0이 아닌 입력 행을 세세요"):format(tostring(env.rows)) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Pooling keeps the strongest answer of each 2×2 window (max) or their mean (avg):
a window of k = 2 with stride 2 is out_size(n, 2, 0, 2). Predict the sizes of a
LeNet-style stack on a 28×28 digit — conv3 → pool → conv3 → pool — into
predicted, then run the real layers and read the sizes (measured).]],
        ko = [[
풀링은 2×2 창마다 가장 강한 값(최대)이나 평균을 남깁니다: 스트라이드 2인 k = 2
창은 out_size(n, 2, 0, 2)입니다. 28×28 숫자에 LeNet 식으로
conv3 → 풀링 → conv3 → 풀링을 쌓았을 때의 크기를 predicted에 예측한 뒤, 실제
층을 돌려 크기를 읽으세요(measured).]],
      },
      code = [[
predicted = { out_size(28, 3, 0, 1) }
predicted[2] = out_size(predicted[1], 2, 0, 2)
predicted[3] = out_size(predicted[2], 3, 0, 1)
predicted[4] = out_size(predicted[3], 2, 0, 2)
lenet = { nn.Conv2d(1, 4, 3), nn.MaxPool2d(2), nn.Conv2d(4, 4, 3), nn.MaxPool2d(2) }
measured, h = {}, digit:reshape(1, 1, 28, 28)
for i, layer in ipairs(lenet) do h = layer(h); measured[i] = h.shape[3] end
pooled = nn.MaxPool2d(2)(gx:reshape(1, 1, 26, 26))[1][1]
plot.images({ gx, pooled }, { labels = { "gx 26x26", "max-pooled 13x13" }, symmetric = true })
print(table.concat(predicted, " "), table.concat(measured, " "))]],
      wrong = [[
predicted = { 26, 24, 22, 20 }
measured = { 26, 13, 11, 5 }]],
      check = function(env)
        local p, m = env.predicted, env.measured
        if type(p) ~= "table" or type(m) ~= "table" or #p < 4 or #m < 4 then
          return false, { en = "fill predicted and measured (4 sizes each)", ko = "predicted와 measured를 채우세요 (크기 4개씩)" }
        end
        local want = { 26, 13, 11, 5 }
        for i = 1, 4 do
          if value(p[i]) ~= want[i] then
            return false, { en = ("predicted[%d] = %s: a 2×2 pool with stride 2 halves the size (rounding down), a 3×3 conv takes 2 off"):format(i, tostring(p[i])),
                            ko = ("predicted[%d] = %s: 스트라이드 2인 2×2 풀링은 크기를 반으로(내림), 3×3 합성곱은 2를 줄입니다"):format(i, tostring(p[i])) }
          end
          if value(m[i]) ~= want[i] then
            return false, { en = "measured should be the spatial size after each real layer", ko = "measured는 실제 층 하나하나를 지난 뒤의 공간 크기여야 합니다" }
          end
        end
        return true
      end,
    },
    {
      text = {
        en = [[
A small trained CNN: 8 filters 3×3 (padding 1), ReLU, max-pool, then a linear
layer. Train it one epoch on the 2,000 digits, then look inside for our digit:
its 8 learned filters and the 8 feature maps they produce (each map lights up
where its pattern is).]],
        ko = [[
작은 CNN을 학습시켜 봅시다: 3×3 필터 8개(패딩 1), ReLU, 최대 풀링, 그다음 선형
층. 2,000장으로 1 에폭 학습한 뒤 우리 숫자에 대해 안을 들여다보세요: 학습된 필터
8개와 그것이 만든 특성 맵 8개 (맵마다 자기 패턴이 있는 곳이 밝습니다).]],
      },
      code = [[
test = data.mnist{ split = "test", small = true }
manual_seed(0)
cnn = nn.Sequential(nn.Conv2d(1, 8, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Flatten(), nn.Linear(8 * 14 * 14, 10))
fit(cnn, data.loader(train, { batch = 50, shuffle = true, seed = 0 }), { epochs = 1, lr = 3e-3 })
cnn_acc = evaluate(cnn, test).accuracy
maps = cnn[2](cnn[1](digit:reshape(1, 1, 28, 28)))[1]          -- 8 × 28 × 28
inspect(cnn)                                      -- 80 conv parameters, 15,690 linear ones
plot.images(cnn[1].weight:reshape(8, 3, 3), { symmetric = true, cols = 4 })
plot.images(maps, { cols = 4 })
print(cnn_acc)]],
      wrong = [=[
test = data.mnist{ split = "test", small = true }
manual_seed(0)
cnn = nn.Sequential(nn.Conv2d(1, 8, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Flatten(), nn.Linear(8 * 14 * 14, 10))
cnn_acc = evaluate(cnn, test).accuracy
maps = cnn[1](digit:reshape(1, 1, 28, 28))[1]]=],
      check = function(env)
        if not is_module(env.cnn) then
          return false, { en = "make cnn", ko = "cnn을 만드세요" }
        end
        local ok, ev = pcall(nb().evaluate, env.cnn, small().test)
        if not ok or not finite(ev.accuracy) then
          return false, { en = "cnn should take (N, 1, 28, 28) digits and give 10 scores", ko = "cnn은 (N, 1, 28, 28) 숫자를 받아 점수 10개를 내야 합니다" }
        end
        if ev.accuracy < 0.6 then
          return false, { en = ("cnn gets %.1f%% of the test digits: train it with fit (1 epoch) first"):format(100 * ev.accuracy),
                          ko = ("cnn이 테스트 숫자의 %.1f%%를 맞힙니다: 먼저 fit으로 (1 에폭) 학습시키세요"):format(100 * ev.accuracy) }
        end
        if not shape_is(env.maps, "[8,28,28]") then
          return false, { en = "maps should be the 8 feature maps (8 × 28 × 28) after conv and ReLU", ko = "maps는 합성곱과 ReLU를 지난 특성 맵 8개(8 × 28 × 28)여야 합니다" }
        end
        if env.maps:min():item() < 0 then
          return false, { en = "maps has negative values: take them after the ReLU, cnn[2](cnn[1](x))", ko = "maps에 음수가 있습니다: ReLU 뒤, cnn[2](cnn[1](x))에서 꺼내세요" }
        end
        return true
      end,
    },
    {
      text = { en = "To finish, a count to do in your head — then run it.", ko = "마지막으로, 머릿속으로 세어 본 다음 실행해 보세요." },
      quiz = {
        kind = "number",
        question = { en = "How many parameters has nn.Conv2d(64, 128, 3) (with bias), on an image of any size? Predict the exact count.",
                     ko = "nn.Conv2d(64, 128, 3)(편향 포함)의 파라미터는 몇 개일까요? 이미지 크기와 상관없이, 정확한 개수를 예측해 보세요." },
        value = function()
          local n = 0
          for _, p in ipairs(require("nabla").nn.Conv2d(64, 128, 3):parameters()) do n = n + p:numel() end
          return n
        end,
        tolerance = { abs = 0.5 },
        explain = { en = "Yes: 128 · 64 · 3 · 3 = 73,728 weights plus 128 biases. The image size never enters: the same kernels slide everywhere.",
                    ko = "맞습니다: 가중치 128 · 64 · 3 · 3 = 73,728개에 편향 128개입니다. 같은 커널이 어디로든 미끄러지므로 이미지 크기는 들어가지 않습니다." },
      },
      code = [[
conv = nn.Conv2d(64, 128, 3)
count = 0
for _, p in ipairs(conv:parameters()) do count = count + p:numel() end
print(count)]],
    },
  },
}

-- Lesson 3: vanishing (and exploding) gradients in deep networks.
local list_of_numbers = require("nabla.lesson").checks.numbers
local maxdiff = require("nabla.lesson").checks.maxdiff

local need_norms = { en = "compute the list of per-layer gradient norms first", ko = "먼저 층별 기울기 노름 목록을 계산하세요" }

return {
  id = "vanishing-gradients",
  order = 3,
  title = { en = "Vanishing gradients", ko = "기울기 소실" },
  steps = {
    {
      text = {
        en = [[
Deep networks used to be hard to train: the first layers barely learned. Let us see why.
Write make_net(depth, width, scale) returning a list of depth weight matrices
(width × width, random normal times scale, requiring grad), and forward(Ws, act, X)
that applies h = act(h·W) layer after layer.]],
        ko = [[
예전에는 깊은 신경망을 학습시키기 어려웠습니다: 앞쪽 층이 거의 배우지 못했죠.
이유를 살펴봅시다. depth개의 가중치 행렬(width × width, 정규분포 난수 × scale,
기울기 필요)의 목록을 돌려주는 make_net(depth, width, scale)과, 층마다 h = act(h·W)를
적용하는 forward(Ws, act, X)를 만드세요.]],
      },
      code = [[
function make_net(depth, width, scale)
  local Ws = {}
  for i = 1, depth do Ws[i] = (randn(width, width) * scale):requires_grad() end
  return Ws
end
function forward(Ws, act, X)
  local h = X
  for i = 1, #Ws do h = act(h:mm(Ws[i])) end
  return h
end]],
      wrong = [[
function make_net(depth, width, scale)
  local Ws = {}
  for i = 1, depth do Ws[i] = randn(width, width) * scale end
  return Ws
end
function forward(Ws, act, X) return X end]],
      check = function(env)
        if type(env.make_net) ~= "function" or type(env.forward) ~= "function" then
          return false, { en = "define make_net and forward", ko = "make_net과 forward를 정의하세요" }
        end
        local ok, Ws = pcall(env.make_net, 3, 5, 0.5)
        if not ok or type(Ws) ~= "table" or #Ws ~= 3 then
          return false, { en = "make_net(3, 5, 0.5) should return a list of 3 matrices", ko = "make_net(3, 5, 0.5)는 행렬 3개의 목록을 돌려줘야 합니다" }
        end
        if tostring(Ws[1].shape) ~= "[5,5]" or not Ws[1].needs_grad then
          return false, { en = "each matrix should be width × width and require grad", ko = "각 행렬은 width × width이고 기울기가 필요해야 합니다" }
        end
        local nb = require "nabla"
        local X = nb.ones(2, 5)
        local ok2, h = pcall(env.forward, Ws, function(t) return t:relu() end, X)
        if not ok2 or not nb.is_tensor(h) then
          return false, { en = "forward(Ws, act, X) should return a tensor", ko = "forward(Ws, act, X)는 텐서를 돌려줘야 합니다" }
        end
        local want = X
        for i = 1, 3 do want = want:mm(Ws[i]):relu() end
        if (h - want):abs():max():item() > 1e-4 then
          return false, { en = "forward should apply h = act(h·W) for each W in order", ko = "forward는 각 W에 대해 차례로 h = act(h·W)를 적용해야 합니다" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
A 10-layer sigmoid network, 32 units wide, with the usual scale 1/√width. Run one batch
forward and backward, and collect ‖∂L/∂Wᵢ‖ for every layer i in a list norms_sigmoid.
Compare the first layer with the last.]],
        ko = [[
폭 32, 깊이 10인 시그모이드 신경망을 보통 쓰는 크기 1/√width로 만듭니다. 배치 하나로
순전파와 역전파를 하고, 모든 층 i의 ‖∂L/∂Wᵢ‖를 norms_sigmoid 목록에 모으세요.
첫 층과 마지막 층을 비교해 보세요.]],
      },
      code = [[
manual_seed(0)
X, Y = randn(64, 32), randn(64, 32)
function layer_norms(Ws, act)
  local loss = ((forward(Ws, act, X) - Y) ^ 2):mean()
  loss:backward()
  local norms = {}
  for i, W in ipairs(Ws) do norms[i] = W.grad:norm():item() end
  return norms
end
Ws_sig = make_net(10, 32, 1 / math.sqrt(32))
norms_sigmoid = layer_norms(Ws_sig, function(h) return h:sigmoid() end)
print(norms_sigmoid[1], norms_sigmoid[10])]],
      wrong = [[norms_sigmoid = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}]],
      check = function(env)
        local n = env.norms_sigmoid
        if not list_of_numbers(n, 10) then return false, need_norms end
        if not (n[1] < n[#n] * 1e-2) then
          return false, { en = ("first layer %.3g vs last %.3g: with sigmoid the first should be far smaller — 10 layers, scale 1/√32?"):format(n[1], n[#n]),
                          ko = ("첫 층 %.3g, 마지막 층 %.3g: 시그모이드라면 첫 층이 훨씬 작아야 합니다 — 10층, 크기 1/√32인가요?"):format(n[1], n[#n]) }
        end
        return true
      end,
      hints = { { en = "W.grad:norm():item() is the L2 norm of a gradient as a number.", ko = "W.grad:norm():item()은 기울기의 L2 노름을 숫자로 줍니다." } },
    },
    {
      text = {
        en = [[
Cause 1: small activation derivatives, multiplied. Backprop through a layer multiplies
the gradient by σ′(z) = σ(z)(1 − σ(z)), which is at most 1/4. Ten layers: up to (1/4)¹⁰.
Check the bound numerically rather than trusting it: on z = linspace(−5, 5, 1000) (a
grid that just misses 0), compute ds = σ′(z) and its largest value dmax.]],
        ko = [[
원인 1: 작은 활성화 미분이 거듭 곱해집니다. 역전파가 한 층을 지날 때마다 기울기에
σ′(z) = σ(z)(1 − σ(z))가 곱해지는데, 이 값은 최대 1/4입니다. 10층이면 최대 (1/4)¹⁰입니다.
이 상한을 믿기만 하지 말고 수치로 확인해 보세요. z = linspace(−5, 5, 1000)(0을 살짝 비껴가는
격자)에서 ds = σ′(z)와 그 최댓값 dmax를 구하세요.]],
      },
      code = [[
z = linspace(-5, 5, 1000)
s = z:sigmoid()
ds = s * (1 - s)
dmax = ds:max():item()
print(dmax, 0.25 ^ 10)]],
      wrong = [[dmax = 1]],
      wrongs = {
        { code = [[
z = linspace(-5, 5, 1000)
s = z:sigmoid()
ds = s * (1 - s)
dmax = 0.25]],
          says = { en = "typed in", ko = "직접 입력한" } },
      },
      check = function(env)
        local nb = require "nabla"
        local z, ds = env.z, env.ds
        if not (nb.is_tensor(z) and z:numel() >= 100 and nb.is_tensor(ds) and ds:numel() == z:numel()) then
          return false, { en = "make z = linspace(-5, 5, 1000) and ds = σ′(z) at every z (a tensor), then dmax from ds",
                          ko = "z = linspace(-5, 5, 1000)과 모든 z에서의 ds = σ′(z)(텐서)를 만들고, ds에서 dmax를 구하세요" }
        end
        local s = z:sigmoid()
        if maxdiff(ds, s * (1 - s)) > 1e-6 then
          return false, { en = "ds should be σ(z)(1 − σ(z)) at every z", ko = "ds는 모든 z에서 σ(z)(1 − σ(z))여야 합니다" }
        end
        local top = ds:max():item()
        if top == 0.25 then
          return false, { en = "your grid goes through z = 0 and hits the bound exactly: take z = linspace(-5, 5, 1000), so that dmax shows it was measured",
                          ko = "격자가 z = 0을 지나서 상한과 정확히 같아집니다. dmax가 측정값임이 드러나도록 z = linspace(-5, 5, 1000)을 쓰세요" }
        end
        if type(env.dmax) ~= "number" then
          return false, { en = "set dmax to the largest value of ds, as a number", ko = "dmax를 ds의 최댓값(숫자)으로 정하세요" }
        end
        if env.dmax ~= top then
          if env.dmax == 0.25 then
            return false, { en = ("dmax = 0.25 is the bound typed in, not measured: on your grid the largest σ′ is %.10f. Take it from ds"):format(top),
                            ko = ("dmax = 0.25는 직접 입력한 상한이지 측정값이 아닙니다. 이 격자에서 σ′의 최댓값은 %.10f입니다. ds에서 구하세요"):format(top) }
          end
          return false, { en = ("dmax = %.6g, but the largest value of ds is %.10f: dmax = ds:max():item()"):format(env.dmax, top),
                          ko = ("dmax = %.6g인데 ds의 최댓값은 %.10f입니다. dmax = ds:max():item()"):format(env.dmax, top) }
        end
        if math.abs(top - 0.25) > 1e-3 then
          return false, { en = "the grid should span [−5, 5], through the peak at z = 0", ko = "격자는 z = 0의 꼭대기를 지나 [−5, 5]에 걸쳐야 합니다" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
The fix of modern networks: ReLU, whose derivative is exactly 1 where it is active, with
He initialisation (scale √(2/width)) so activations keep their size from layer to layer.
Same data, same depth: compute norms_relu.]],
        ko = [[
요즘 신경망의 해법: 활성화된 곳에서 미분이 정확히 1인 ReLU, 그리고 층을 지나도
활성값 크기가 유지되도록 He 초기화(크기 √(2/width))를 씁니다.
같은 데이터, 같은 깊이로 norms_relu를 구하세요.]],
      },
      code = [[
Ws_relu = make_net(10, 32, math.sqrt(2 / 32))
norms_relu = layer_norms(Ws_relu, function(h) return h:relu() end)
plot.lines{ sigmoid = norms_sigmoid, relu = norms_relu }]],
      wrong = [[
Ws_relu = make_net(10, 32, 1 / math.sqrt(32))
norms_relu = layer_norms(Ws_relu, function(h) return h:sigmoid() end)]],
      check = function(env)
        local n = env.norms_relu
        if not list_of_numbers(n, 10) then return false, need_norms end
        local lo, hi = math.huge, 0
        for _, v in ipairs(n) do lo, hi = math.min(lo, v), math.max(hi, v) end
        if not (lo > 0 and hi / lo < 50) then
          return false, { en = ("ReLU layers should get gradients of similar size (now %.3g to %.3g): relu and scale √(2/32)?"):format(lo, hi),
                          ko = ("ReLU 층들은 비슷한 크기의 기울기를 받아야 합니다 (지금 %.3g ~ %.3g): relu와 크기 √(2/32)인가요?"):format(lo, hi) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Cause 2: the scale of the weights. Keep ReLU, but initialise too small (half of He's
scale) and too large (twice). On the way forward each layer multiplies the activations
by about the scale ratio, on the way back the gradient too: over the nine layers above
the first, about 2⁹ = 512. The loss adds its share: the MSE's gradient 2·(out − Y)/N
grows with the output when it is too large (2¹⁰ times larger here), and stays about
−2·Y/N when the output shrinks to 0. Predict shrink = norms_relu[1] / norms_small[1]
and grow = norms_large[1] / norms_relu[1], then compute them.]],
        ko = [[
원인 2: 가중치의 크기. ReLU는 그대로 두고, 너무 작게(He 크기의 절반), 너무 크게(두 배)
초기화해 보세요. 순전파에서 층마다 활성값에 크기 비율이 대략 곱해지고, 역전파에서는
기울기에도 곱해집니다. 첫 층 위의 아홉 층을 지나면 약 2⁹ = 512배입니다. 손실도 몫을
더합니다. MSE의 기울기 2·(out − Y)/N은 출력이 너무 크면 출력과 함께 커지고(여기서는
2¹⁰배), 출력이 0으로 줄어들면 약 −2·Y/N에 머뭅니다. shrink = norms_relu[1] / norms_small[1]과
grow = norms_large[1] / norms_relu[1]을 먼저 예측한 다음 계산해 보세요.]],
      },
      code = [[
he = math.sqrt(2 / 32)
relu = function(h) return h:relu() end
norms_small = layer_norms(make_net(10, 32, he / 2), relu)
norms_large = layer_norms(make_net(10, 32, he * 2), relu)
shrink = norms_relu[1] / norms_small[1]
grow = norms_large[1] / norms_relu[1]
print(shrink, grow)]],
      wrong = [[
he = math.sqrt(2 / 32)
relu = function(h) return h:relu() end
norms_small = layer_norms(make_net(10, 32, he), relu)
norms_large = layer_norms(make_net(10, 32, he), relu)
shrink = norms_relu[1] / norms_small[1]
grow = norms_large[1] / norms_relu[1]
]],
      check = function(env)
        local s, l, r = env.norms_small, env.norms_large, env.norms_relu
        if not (list_of_numbers(s, 10) and list_of_numbers(l, 10) and list_of_numbers(r, 10)) then return false, need_norms end
        local shrink, grow = r[1] / s[1], l[1] / r[1]
        if type(env.shrink) ~= "number" or type(env.grow) ~= "number"
          or math.abs(env.shrink - shrink) > 1e-6 * shrink or math.abs(env.grow - grow) > 1e-6 * grow then
          return false, { en = "set shrink = norms_relu[1] / norms_small[1] and grow = norms_large[1] / norms_relu[1]",
                          ko = "shrink = norms_relu[1] / norms_small[1], grow = norms_large[1] / norms_relu[1]로 정하세요" }
        end
        if not (shrink > 200) then
          return false, { en = ("with half the He scale the first layer's gradient is only %.3g× smaller: it should be about 2⁹ = 512× from the layers, more from the loss (about 1,400× here)"):format(shrink),
                          ko = ("He 크기의 절반인데 첫 층의 기울기가 %.3g배만 작습니다. 층에서 약 2⁹ = 512배, 손실에서 더 줄어 여기서는 약 1,400배 작아야 합니다"):format(shrink) }
        end
        if not (grow > 2e4) then
          return false, { en = ("with twice the He scale the first layer's gradient is only %.3g× larger: it should be about 2⁹ from the layers times 2¹⁰ from the MSE (about 280,000× here: exploding)"):format(grow),
                          ko = ("He 크기의 두 배인데 첫 층의 기울기가 %.3g배만 큽니다. 층에서 약 2⁹배, MSE에서 2¹⁰배가 곱해져 여기서는 약 280,000배 커야 합니다 (기울기 폭발)"):format(grow) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Over training. watch(model) records every layer's gradient norm at each backward.
Watch the sigmoid net for 30 steps of gradient descent, then draw it: the early layers'
curves stay far below the late ones — they hardly learn.]],
        ko = [[
학습하는 동안. watch(model)는 backward마다 층별 기울기 노름을 기록합니다.
시그모이드 신경망을 경사 하강법 30단계 동안 지켜본 뒤 그려 보세요: 앞쪽 층의 곡선이
뒤쪽 층보다 훨씬 아래에 머뭅니다 — 거의 배우지 못하는 거죠.]],
      },
      code = [[
for _, W in ipairs(Ws_sig) do W.grad = nil end
watcher = watch(Ws_sig)
for step = 1, 30 do
  local loss = ((forward(Ws_sig, function(h) return h:sigmoid() end, X) - Y) ^ 2):mean()
  loss:backward()
  no_grad(function() for _, W in ipairs(Ws_sig) do W:sub_(W.grad * 1.0); W.grad = nil end end)
end
watcher:plot()]],
      wrong = [[watcher = nil]],
      check = function(env)
        local w = env.watcher
        if type(w) ~= "table" or type(w.history) ~= "table" then
          return false, { en = "make watcher = watch(Ws_sig) before training", ko = "학습 전에 watcher = watch(Ws_sig)를 만드세요" }
        end
        local first, last = w.history["1"], w.history["10"]
        if not (first and last and #first >= 30) then
          return false, { en = "train for 30 steps while watching", ko = "지켜보면서 30단계 학습하세요" }
        end
        if not (first[#first] < last[#last] * 1e-2) then
          return false, { en = "the first layer should still get far smaller gradients than the last", ko = "첫 층의 기울기가 여전히 마지막 층보다 훨씬 작아야 합니다" }
        end
        return true
      end,
    },
    {
      text = { en = "To finish, the two causes.", ko = "마지막으로, 두 가지 원인입니다." },
      quiz = {
        question = { en = "Why do the first layers of a deep sigmoid network get tiny gradients?",
                     ko = "깊은 시그모이드 신경망의 앞쪽 층은 왜 아주 작은 기울기를 받을까요?" },
        choices = {
          { en = "The learning rate is too small, and a small rate shrinks the early layers' gradients the most",
            ko = "학습률이 너무 작아서, 그 영향으로 앞쪽 층의 기울기가 가장 크게 줄어들어서" },
          { en = "Backprop multiplies by σ′ ≤ 1/4 and a weight matrix at every layer: the factors compound",
            ko = "역전파가 층마다 σ′ ≤ 1/4와 가중치 행렬을 곱하고, 그 곱이 깊이만큼 쌓여서" },
          { en = "The first layers have fewer parameters, so each gets a smaller share of the loss",
            ko = "앞쪽 층은 파라미터가 더 적어서 손실에서 각자 받는 몫이 작아서" },
          { en = "float32 rounding eats a little of the gradient at every layer on its way down",
            ko = "내려가는 동안 층마다 float32 반올림 오차가 기울기를 조금씩 갉아먹어서" },
        },
        answer = 2,
        explain = { en = "Yes. The size of the product also depends on the weight scale: ReLU (derivative 1 when active), He/Xavier initialisation, normalisation layers and residual connections all keep it near 1.",
                    ko = "맞습니다. 곱의 크기는 가중치의 크기에도 달려 있습니다. ReLU(활성일 때 미분 1), He/Xavier 초기화, 정규화 층, 잔차 연결은 모두 그 곱을 1 근처로 유지합니다." },
        wrong = {
          [1] = { en = "The learning rate scales every layer's step equally; it cannot make one layer's gradient smaller than another's.",
                  ko = "학습률은 모든 층의 걸음을 똑같이 키우거나 줄일 뿐, 한 층의 기울기만 작게 만들 수는 없습니다." },
          [3] = { en = "Every layer here has the same 32×32 weights.",
                  ko = "여기서는 모든 층이 똑같이 32×32 가중치를 가집니다." },
          [4] = { en = "Rounding errors are around 1e-7 of a value; the shrinking you saw is the product of factors below 1.",
                  ko = "반올림 오차는 값의 1e-7 정도입니다. 여러분이 본 감소는 1보다 작은 인수들의 곱입니다." },
        },
      },
    },
  },
}

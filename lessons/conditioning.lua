-- Lesson: conditioning and normalization — a quadratic bowl with condition number κ, the
-- largest stable step 2/λ_max, the rate ((κ−1)/(κ+1))^t, raw vs standardized features of a
-- linear regression (eigenvalues of XᵀX/n), momentum's (√κ−1)/(√κ+1), and batch / layer
-- norm keeping a deep net's layer inputs in shape (watch).
local C = require("nabla.lesson").checks
local value, finite = C.value, C.finite

-- the reference path of gradient descent on f = ½(l1·x² + l2·y²)
local function ref_path(l1, l2, start, lr, steps)
  local x, y = start[1], start[2]
  local path = { { x, y } }
  for t = 1, steps do
    x, y = x - lr * l1 * x, y - lr * l2 * y
    path[t + 1] = { x, y }
  end
  return path
end

local function is_path(p, n)
  if type(p) ~= "table" or #p < n then return false end
  for i = 1, #p do
    if type(p[i]) ~= "table" or type(p[i][1]) ~= "number" or type(p[i][2]) ~= "number" then return false end
  end
  return true
end

local function eig2(H)
  local a, b, d = H[1][1], H[1][2], H[2][2]
  local m, r = (a + d) / 2, math.sqrt(((a - d) / 2) ^ 2 + b ^ 2)
  return m - r, m + r
end

local function gram(X)
  local n = X.shape[1]
  return (X:t():mm(X) / n):tolist()
end

local function close(a, b, rel) return C.close(a, b, rel, 0) end

local function flips_of(path)
  local n = 0
  for i = 2, #path do if path[i][2] * path[i - 1][2] < 0 then n = n + 1 end end
  return n
end

local need_data = { en = "make X, y (step 5) first", ko = "먼저 X, y를 만드세요 (5단계)" }

return {
  id = "conditioning",
  order = 5.5,   -- after optimizers, before batch-size
  title = { en = "Conditioning and normalization", ko = "조건수와 정규화" },
  steps = {
    {
      text = {
        en = [[
Near a minimum every loss looks like a bowl f(w) = ½ wᵀHw. Its Hessian H has
eigenvalues λ_min ≤ λ_max, and κ = λ_max/λ_min is the condition number. The
simplest bowl with κ = 10:
    f(x, y) = ½(1·x² + 10·y²),   ∇f = (1·x, 10·y)
Write gd_path(l1, l2, start, lr, steps): gradient descent from start, returning
every point {x, y} visited (start included). The one line to derive is the
update.]],
        ko = [[
최솟값 근처에서는 어떤 손실 함수든 그릇 f(w) = ½ wᵀHw처럼 보입니다. 헤세 행렬
H의 고윳값을 λ_min ≤ λ_max라 하면 κ = λ_max/λ_min이 조건수입니다. κ = 10인 가장
단순한 그릇:
    f(x, y) = ½(1·x² + 10·y²),   ∇f = (1·x, 10·y)
gd_path(l1, l2, start, lr, steps)를 작성하세요: start에서 시작하는 경사 하강법이
지나간 모든 점 {x, y}(start 포함)의 목록을 돌려줍니다. 직접 유도할 것은 갱신식
한 줄입니다.]],
      },
      code = [[
function gd_path(l1, l2, start, lr, steps)
  local x, y = start[1], start[2]
  local path = { { x, y } }
  for t = 1, steps do
    x, y = ???            -- one gradient descent step on ½(l1·x² + l2·y²)
    path[t + 1] = { x, y }
  end
  return path
end]],
      solution = [[
function gd_path(l1, l2, start, lr, steps)
  local x, y = start[1], start[2]
  local path = { { x, y } }
  for t = 1, steps do
    x, y = x - lr * l1 * x, y - lr * l2 * y
    path[t + 1] = { x, y }
  end
  return path
end]],
      wrong = [[
function gd_path(l1, l2, start, lr, steps)
  local x, y = start[1], start[2]
  local path = { { x, y } }
  for t = 1, steps do
    x, y = x - lr * x, y - lr * y
    path[t + 1] = { x, y }
  end
  return path
end]],
      check = function(env)
        if type(env.gd_path) ~= "function" then
          return false, { en = "define gd_path(l1, l2, start, lr, steps)", ko = "gd_path(l1, l2, start, lr, steps)를 정의하세요" }
        end
        local ok, p = pcall(env.gd_path, 1, 10, { 1, 1 }, 0.05, 3)
        if not ok or not is_path(p, 4) then
          return false, { en = "gd_path(1, 10, {1, 1}, 0.05, 3) should return 4 points {x, y}",
                          ko = "gd_path(1, 10, {1, 1}, 0.05, 3)는 점 {x, y} 4개를 돌려줘야 합니다" }
        end
        local want = ref_path(1, 10, { 1, 1 }, 0.05, 3)
        local x, y = p[2][1], p[2][2]
        if x > 1 or y > 1 then
          return false, { en = ("the first step went to (%.3g, %.3g), uphill: subtract lr·∇f"):format(x, y),
                          ko = ("첫 걸음이 (%.3g, %.3g)에 닿았습니다. 오르막으로 갔으니 lr·∇f를 빼세요"):format(x, y) }
        end
        if math.abs(y - want[2][2]) > 1e-9 and math.abs(y - x) < 1e-9 then
          return false, { en = "x and y moved by the same factor: the gradient is (l1·x, l2·y), each direction has its own curvature",
                          ko = "x와 y가 같은 비율로 움직였습니다: 기울기는 (l1·x, l2·y)이고, 방향마다 곡률이 다릅니다" }
        end
        for i = 1, 4 do
          if math.abs(p[i][1] - want[i][1]) > 1e-9 or math.abs(p[i][2] - want[i][2]) > 1e-9 then
            return false, { en = ("point %d is (%.4g, %.4g), expected (%.4g, %.4g): x ← x − lr·l1·x, y ← y − lr·l2·y"):format(i, p[i][1], p[i][2], want[i][1], want[i][2]),
                            ko = ("%d번째 점: 지금 (%.4g, %.4g), 맞는 값 (%.4g, %.4g). x ← x − lr·l1·x, y ← y − lr·l2·y"):format(i, p[i][1], p[i][2], want[i][1], want[i][2]) }
          end
        end
        return true
      end,
      hints = {
        { en = "The gradient of ½·l1·x² is l1·x; the step is x − lr·(gradient).", ko = "½·l1·x²의 기울기는 l1·x이고, 한 걸음은 x − lr·(기울기)입니다." },
        { en = "x, y = x - lr * l1 * x, y - lr * l2 * y", ko = "x, y = x - lr * l1 * x, y - lr * l2 * y" },
      },
    },
    {
      text = {
        en = [[
Two learning rates on the κ = 10 bowl, drawn on its contour plot. With lr = 0.18
the steep direction y overshoots: y changes sign at each step (the zig-zag),
while x, along the flat direction, crawls. Count the sign changes of y in the 20
steps of path_fast into flips.]],
        ko = [[
κ = 10인 그릇에서 학습률 두 개를 등고선 그림 위에 그려 봅니다. lr = 0.18이면
가파른 y 방향이 지나쳐서 y의 부호가 매 걸음 바뀌고(지그재그), 평평한 x 방향은
느릿느릿 갑니다. path_fast의 20걸음에서 y의 부호가 바뀐 횟수를 flips에 세어
넣으세요.]],
      },
      code = [[
bowl = function(x, y) return 0.5 * (x ^ 2 + 10 * y ^ 2) end
path_slow = gd_path(1, 10, { 1, 1 }, 0.05, 20)
path_fast = gd_path(1, 10, { 1, 1 }, 0.18, 20)
plot.contour(bowl, { xlim = { -0.2, 1.1 }, ylim = { -1.1, 1.1 },
                     paths = { ["lr 0.05"] = path_slow, ["lr 0.18"] = path_fast } })
flips = 0
for i = 2, #path_fast do
  if path_fast[i][2] * path_fast[i - 1][2] < 0 then flips = flips + 1 end
end
print(flips, path_fast[21][1], path_slow[21][1])]],
      wrong = [[
path_fast = gd_path(1, 10, { 1, 1 }, 0.05, 20)
flips = 0]],
      check = function(env)
        if not is_path(env.path_fast, 21) then
          return false, { en = "make path_fast = gd_path(1, 10, {1, 1}, 0.18, 20)", ko = "path_fast = gd_path(1, 10, {1, 1}, 0.18, 20)을 만드세요" }
        end
        local n = flips_of(env.path_fast)
        if n < 10 then
          return false, { en = ("y changed sign %d times: with lr·λ_max below 1 it never crosses 0 — use lr = 0.18 (lr·λ_max = 1.8)"):format(n),
                          ko = ("y의 부호가 %d번 바뀌었습니다: lr·λ_max가 1보다 작으면 0을 넘지 않습니다 — lr = 0.18(lr·λ_max = 1.8)을 쓰세요"):format(n) }
        end
        if env.flips ~= n then
          return false, { en = ("flips is %s, but y changes sign %d times in path_fast"):format(tostring(env.flips), n),
                          ko = ("flips는 %s인데, path_fast에서 y의 부호는 %d번 바뀝니다"):format(tostring(env.flips), n) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Along each eigen-direction one step multiplies the coordinate by (1 − lr·λ). It
shrinks only while |1 − lr·λ| < 1, that is lr < 2/λ. The steep direction breaks
first. Predict, then run: set lr_max, the largest stable learning rate of this
bowl, from the formula (not by trial). Then run just below and just above it and
compare |y| after 50 steps.]],
        ko = [[
고유 방향마다 한 걸음은 좌표에 (1 − lr·λ)를 곱합니다. |1 − lr·λ| < 1, 곧 lr <
2/λ일 때만 줄어듭니다. 가파른 방향이 먼저 무너집니다. 예측한 뒤 실행하세요: 이
그릇에서 안정한 가장 큰 학습률 lr_max를 (시행착오 말고) 공식으로 정하세요.
그다음 그 바로 아래와 바로 위에서 50걸음 돌린 뒤 |y|를 비교합니다.]],
      },
      code = [[
lr_max = 2 / 10
below = gd_path(1, 10, { 1, 1 }, 0.99 * lr_max, 50)
above = gd_path(1, 10, { 1, 1 }, 1.01 * lr_max, 50)
print(math.abs(below[51][2]), math.abs(above[51][2]))]],
      wrong = [[lr_max = 2 / 1]],
      check = function(env)
        local v = value(env.lr_max)
        if not finite(v) then
          return false, { en = "set lr_max to a number", ko = "lr_max에 숫자를 넣으세요" }
        end
        if math.abs(v - 2) < 1e-9 then
          return false, { en = "2/λ_min = 2 keeps x stable, but y (λ = 10) diverges long before: use λ_max",
                          ko = "2/λ_min = 2는 x만 안정합니다. y(λ = 10)는 훨씬 먼저 발산합니다: λ_max를 쓰세요" }
        end
        if math.abs(v - 0.1) < 1e-9 then
          return false, { en = "1/λ_max lands y on 0 in one step, but larger steps still converge while |1 − lr·λ| < 1",
                          ko = "1/λ_max면 y가 한 번에 0에 닿지만, |1 − lr·λ| < 1인 동안은 더 큰 걸음도 수렴합니다" }
        end
        if math.abs(v - 0.2) > 1e-9 then
          return false, { en = ("lr_max = %.4g: solve |1 − lr·λ_max| = 1 for lr"):format(v),
                          ko = ("lr_max = %.4g: |1 − lr·λ_max| = 1을 lr에 대해 푸세요"):format(v) }
        end
        return true
      end,
      secret = function() return 0.2 end,
      hints = { { en = "Which λ is largest here? The bowl is ½(1·x² + 10·y²).", ko = "여기서 가장 큰 λ는? 그릇은 ½(1·x² + 10·y²)입니다." } },
    },
    {
      text = {
        en = [[
The best fixed step, lr = 2/(λ_min + λ_max), shrinks both directions by the same
factor
    (κ − 1)/(κ + 1)   per step,
so the error after t steps is ((κ−1)/(κ+1))^t of the start. Measure the factor
on the κ = 10 path (rate), then predict how many steps a κ = 100 bowl needs to
shrink the error a million times (predicted), and count them (counted).]],
        ko = [[
가장 좋은 고정 걸음 lr = 2/(λ_min + λ_max)는 두 방향을 똑같이 한 걸음에
    (κ − 1)/(κ + 1)
배로 줄입니다. 그래서 t걸음 뒤 오차는 처음의 ((κ−1)/(κ+1))^t입니다. κ = 10
경로에서 이 비율(rate)을 측정하고, κ = 100인 그릇이 오차를 백만 분의 1로 줄이는 데
몇 걸음 걸릴지 예측한 뒤(predicted), 실제로 세어 보세요(counted).]],
      },
      code = [[
p = gd_path(1, 10, { 1, 1 }, 2 / 11, 30)
err = function(q) return math.sqrt(q[1] ^ 2 + q[2] ^ 2) end
rate = (err(p[31]) / err(p[1])) ^ (1 / 30)
predicted = math.log(1e-6) / math.log(99 / 101)
q, counted = gd_path(1, 100, { 1, 1 }, 2 / 101, 2000), nil
for t = 1, #q do
  if err(q[t]) < 1e-6 * err(q[1]) then counted = t - 1; break end
end
print(rate, 9 / 11, predicted, counted)]],
      wrong = [[
rate = 1 / 10
predicted = math.log(1e-6) / math.log(1 / 100)
counted = 3]],
      check = function(env)
        local r, p, c = value(env.rate), value(env.predicted), value(env.counted)
        if not (finite(r) and finite(p) and finite(c)) then
          return false, { en = "compute rate, predicted and counted", ko = "rate, predicted, counted를 계산하세요" }
        end
        if math.abs(r - 9 / 11) > 1e-3 then
          return false, { en = ("rate = %.4g, but (κ−1)/(κ+1) = 9/11 ≈ 0.818 for κ = 10: measure it on gd_path(1, 10, {1, 1}, 2/11, 30)"):format(r),
                          ko = ("rate = %.4g인데, κ = 10이면 (κ−1)/(κ+1) = 9/11 ≈ 0.818입니다: gd_path(1, 10, {1, 1}, 2/11, 30)에서 측정하세요"):format(r) }
        end
        local want = math.log(1e-6) / math.log(99 / 101)
        if not close(p, want, 0.02) then
          return false, { en = ("predicted = %.4g: solve ((κ−1)/(κ+1))^t = 1e-6 for t with κ = 100"):format(p),
                          ko = ("predicted = %.4g: κ = 100일 때 ((κ−1)/(κ+1))^t = 1e-6을 t에 대해 푸세요"):format(p) }
        end
        if math.abs(c - want) > 3 then
          return false, { en = ("counted = %.4g: run gd_path(1, 100, {1, 1}, 2/101, 2000) and find the first step below 1e-6 of the start"):format(c),
                          ko = ("counted = %.4g: gd_path(1, 100, {1, 1}, 2/101, 2000)을 돌려 처음의 1e-6 아래로 내려간 첫 걸음을 찾으세요"):format(c) }
        end
        return true
      end,
      -- the step count to predict: a failing check must not print it
      secret = function() return math.floor(math.log(1e-6) / math.log(99 / 101) + 0.5) end,
      hints = { { en = "((κ−1)/(κ+1))^t = 1e-6 gives t = log(1e-6) / log((κ−1)/(κ+1)).", ko = "((κ−1)/(κ+1))^t = 1e-6에서 t = log(1e-6) / log((κ−1)/(κ+1))입니다." } },
    },
    {
      text = {
        en = [[
Real losses: a linear regression y ≈ Xw with MSE ½·mean((Xw − y)²) has Hessian
H = XᵀX/n. Here two features in their raw units: floor area (40–200 m²) and
distance to a station (0.2–5 km). For a 2×2 symmetric H = (a b ; b d) the
eigenvalues are
    (a + d)/2 ± √(((a − d)/2)² + b²)
Write eig2(H) returning λ_min, λ_max, and compute kappa_raw.]],
        ko = [[
실제 손실 함수: MSE ½·mean((Xw − y)²)를 쓰는 선형 회귀 y ≈ Xw의 헤세 행렬은
H = XᵀX/n입니다. 여기서는 특성 두 개를 원래 단위 그대로 씁니다:
면적(40–200 m²)과 역까지의 거리(0.2–5 km). 2×2 대칭 행렬 H = ((a, b), (b, d))의
고윳값은
    (a + d)/2 ± √(((a − d)/2)² + b²)
λ_min, λ_max를 돌려주는 eig2(H)를 작성하고 kappa_raw를 계산하세요.]],
      },
      code = [[
manual_seed(1)
n = 200
area, dist = rand(n) * 160 + 40, rand(n) * 4.8 + 0.2
X = stack({ area, dist }, 2)
y = X:mv(tensor{ 3, -20 }) + randn(n) * 5
H = (X:t():mm(X) / n):tolist()
function eig2(H)
  local a, b, d = H[1][1], H[1][2], H[2][2]
  ???                      -- the two eigenvalues
  return lmin, lmax
end
lmin, lmax = eig2(H)
kappa_raw = lmax / lmin
print(lmin, lmax, kappa_raw)]],
      solution = [[
manual_seed(1)
n = 200
area, dist = rand(n) * 160 + 40, rand(n) * 4.8 + 0.2
X = stack({ area, dist }, 2)
y = X:mv(tensor{ 3, -20 }) + randn(n) * 5
H = (X:t():mm(X) / n):tolist()
function eig2(H)
  local a, b, d = H[1][1], H[1][2], H[2][2]
  local m, r = (a + d) / 2, math.sqrt(((a - d) / 2) ^ 2 + b ^ 2)
  local lmin, lmax = m - r, m + r
  return lmin, lmax
end
lmin, lmax = eig2(H)
kappa_raw = lmax / lmin
print(lmin, lmax, kappa_raw)]],
      wrong = [[
manual_seed(1)
n = 200
area, dist = rand(n) * 160 + 40, rand(n) * 4.8 + 0.2
X = stack({ area, dist }, 2)
y = X:mv(tensor{ 3, -20 }) + randn(n) * 5
H = (X:t():mm(X) / n):tolist()
function eig2(H) return H[2][2], H[1][1] end
lmin, lmax = eig2(H)
kappa_raw = lmax / lmin]],
      check = function(env)
        local nb = require "nabla"
        if not (nb.is_tensor(env.X) and type(env.eig2) == "function") then
          return false, { en = "make X and define eig2(H)", ko = "X를 만들고 eig2(H)를 정의하세요" }
        end
        local ok, a, b = pcall(env.eig2, { { 2, 1 }, { 1, 2 } })
        if not ok or not (finite(a) and finite(b)) then
          return false, { en = "eig2(H) should return two numbers, λ_min and λ_max", ko = "eig2(H)는 숫자 두 개 λ_min, λ_max를 돌려줘야 합니다" }
        end
        if math.abs(a - 1) > 1e-9 or math.abs(b - 3) > 1e-9 then
          return false, { en = ("eig2{{2, 1}, {1, 2}} gave %.4g, %.4g; its eigenvalues are 1 and 3 — the off-diagonal b matters"):format(a, b),
                          ko = ("eig2{{2, 1}, {1, 2}}의 결과가 %.4g, %.4g입니다. 고윳값은 1과 3입니다 — 비대각 원소 b가 중요합니다"):format(a, b) }
        end
        local lo, hi = eig2(gram(env.X))
        if not close(value(env.kappa_raw), hi / lo, 1e-6) then
          return false, { en = "kappa_raw should be λ_max/λ_min of H = XᵀX/n, from your eig2(H)",
                          ko = "kappa_raw는 H = XᵀX/n의 λ_max/λ_min이어야 합니다 (eig2(H)로)" }
        end
        return true
      end,
      hints = {
        { en = "local m, r = (a + d) / 2, math.sqrt(((a - d) / 2) ^ 2 + b ^ 2)", ko = "local m, r = (a + d) / 2, math.sqrt(((a - d) / 2) ^ 2 + b ^ 2)" },
        { en = "then local lmin, lmax = m - r, m + r", ko = "그다음 local lmin, lmax = m - r, m + r" },
      },
    },
    {
      text = {
        en = [[
κ in the thousands: m² are large numbers, km small ones, and both are far from
0. Now standardize each feature (subtract its mean, divide by its std) and
center y. Gradient descent from w = 0 with lr = 1/λ_max on both problems: count
the steps until w is within 0.1% of the solution w* (steps_raw, steps_std), and
draw the first 200 raw steps: one fast move along the steep direction, then a
crawl along the flat one (w* is near (3, −20)).]],
        ko = [[
κ가 수천입니다: m²는 큰 수, km는 작은 수이고 둘 다 0에서 멉니다. 이제 각 특성을
표준화하고(평균을 빼고 표준편차로 나눔) y에서 평균을 빼세요. 두 문제 모두
w = 0에서 lr = 1/λ_max로 경사 하강법을 돌려, w가 해 w*에서 0.1% 안으로 들어올
때까지의 걸음 수 (steps_raw, steps_std)를 세고, 원래 특성의 처음 200걸음을 그려
보세요: 가파른 방향으로 한 번에 크게 움직인 뒤, 평평한 방향으로는 기어갑니다
(w*는 (3, −20) 근처입니다).]],
      },
      code = [[
Xs = (X - X:mean(1)) / X:std(1)
ys = y - y:mean()
Hs = (Xs:t():mm(Xs) / n):tolist()
kappa_std = select(2, eig2(Hs)) / eig2(Hs)
function gd_steps(H, g, lr, path)   -- steps until w is within 1e-3 of w* (H·w* = g)
  local det = H[1][1] * H[2][2] - H[1][2] * H[2][1]
  local s1, s2 = (H[2][2] * g[1] - H[1][2] * g[2]) / det, (H[1][1] * g[2] - H[2][1] * g[1]) / det
  local w1, w2 = 0, 0
  for t = 1, 100000 do
    if path and t <= 200 then path[t] = { w1, w2 } end
    local dist = math.sqrt((w1 - s1) ^ 2 + (w2 - s2) ^ 2)
    if dist < 1e-3 * math.sqrt(s1 ^ 2 + s2 ^ 2) then return t - 1 end
    local g1, g2 = H[1][1] * w1 + H[1][2] * w2 - g[1], H[2][1] * w1 + H[2][2] * w2 - g[2]
    w1, w2 = w1 - lr * g1, w2 - lr * g2
  end
end
raw_path = {}
steps_raw = gd_steps(H, (X:t():mv(y) / n):tolist(), 1 / lmax, raw_path)
steps_std = gd_steps(Hs, (Xs:t():mv(ys) / n):tolist(), 1 / select(2, eig2(Hs)))
print(kappa_raw, kappa_std, steps_raw, steps_std)
g = (X:t():mv(y) / n):tolist()
function loss_raw(a, b)      -- ½ wᵀHw − gᵀw, the MSE up to a constant
  return 0.5 * (H[1][1] * a * a + 2 * H[1][2] * a * b + H[2][2] * b * b) - g[1] * a - g[2] * b
end
plot.contour(loss_raw, { xlim = { -0.5, 4 }, ylim = { -30, 5 }, paths = { gd = raw_path } })]],
      wrong = [[
Xs = X / X:std(1)
ys = y - y:mean()
Hs = (Xs:t():mm(Xs) / n):tolist()
kappa_std = select(2, eig2(Hs)) / eig2(Hs)
steps_raw, steps_std = 45000, 3]],
      check = function(env)
        local nb = require "nabla"
        if not (nb.is_tensor(env.X) and nb.is_tensor(env.Xs)) then return false, need_data end
        local m = env.Xs:mean(1):abs():max():item()
        if m > 1e-3 then
          return false, { en = ("the standardized features still have mean up to %.3g: subtract X:mean(1) before dividing"):format(m),
                          ko = ("표준화한 특성의 평균이 아직 %.3g까지 남아 있습니다: 나누기 전에 X:mean(1)을 빼세요"):format(m) }
        end
        local s = env.Xs:std(1)
        if (s - 1):abs():max():item() > 1e-3 then
          return false, { en = "each column of Xs should have std 1: divide by X:std(1)", ko = "Xs의 각 열은 표준편차가 1이어야 합니다: X:std(1)로 나누세요" }
        end
        local lo, hi = eig2(gram(env.Xs))
        if not close(value(env.kappa_std), hi / lo, 1e-4) then
          return false, { en = "kappa_std should be λ_max/λ_min of XsᵀXs/n, from eig2(Hs)",
                          ko = "kappa_std는 XsᵀXs/n의 λ_max/λ_min이어야 합니다 (eig2(Hs)로)" }
        end
        local sr, ss = value(env.steps_raw), value(env.steps_std)
        if type(env.gd_steps) ~= "function" or not (finite(sr) and finite(ss)) then
          return false, { en = "define gd_steps and count steps_raw and steps_std", ko = "gd_steps를 정의하고 steps_raw와 steps_std를 세세요" }
        end
        if not (sr > 100 * ss and ss <= 10) then
          return false, { en = ("steps_raw = %d, steps_std = %d: raw features should need hundreds of times more steps"):format(sr, ss),
                          ko = ("steps_raw = %d, steps_std = %d: 원래 특성은 수백 배 더 많은 걸음이 필요해야 합니다"):format(sr, ss) }
        end
        if not is_path(env.raw_path, 200) then
          return false, { en = "pass a table (raw_path) to gd_steps to record the raw path", ko = "원래 특성의 경로를 기록하도록 gd_steps에 테이블(raw_path)을 넘기세요" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Momentum remembers the last step: v ← μ·v − lr·∇f, w ← w + v. With
lr = 4/(√λ_max + √λ_min)² and μ = ((√κ − 1)/(√κ + 1))² (heavy ball, Polyak) the
error shrinks like ((√κ − 1)/(√κ + 1))^t: κ is replaced by √κ. On the κ = 100
bowl, write the two update lines, measure the rate over 200 steps
(rate_momentum) and compare with 9/11.]],
        ko = [[
모멘텀은 직전 걸음을 기억합니다: v ← μ·v − lr·∇f, w ← w + v.
lr = 4/(√λ_max + √λ_min)², μ = ((√κ − 1)/(√κ + 1))²로 두면(Polyak의 heavy ball)
오차가 ((√κ − 1)/(√κ + 1))^t처럼 줄어듭니다: κ가 √κ로 바뀝니다. κ = 100인
그릇에서 갱신식 두 줄을 작성하고, 200걸음의 비율(rate_momentum)을 측정해서 9/11과
비교하세요.]],
      },
      code = [[
kappa = 100
lr = 4 / (math.sqrt(100) + 1) ^ 2
mu = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ^ 2
x, y, vx, vy = 1, 1, 0, 0
for t = 1, 200 do
  ???                     -- v ← μ·v − lr·∇f   (∇f = (x, 100·y))
  ???                     -- w ← w + v
end
rate_momentum = math.sqrt(x ^ 2 + y ^ 2) ^ (1 / 200) / math.sqrt(2) ^ (1 / 200)
print(rate_momentum, 9 / 11, 99 / 101)]],
      solution = [[
kappa = 100
lr = 4 / (math.sqrt(100) + 1) ^ 2
mu = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ^ 2
x, y, vx, vy = 1, 1, 0, 0
for t = 1, 200 do
  vx, vy = mu * vx - lr * x, mu * vy - lr * 100 * y
  x, y = x + vx, y + vy
end
rate_momentum = math.sqrt(x ^ 2 + y ^ 2) ^ (1 / 200) / math.sqrt(2) ^ (1 / 200)
print(rate_momentum, 9 / 11, 99 / 101)]],
      wrong = [[
kappa, lr, mu = 100, 2 / 101, 0
x, y, vx, vy = 1, 1, 0, 0
for t = 1, 200 do
  vx, vy = mu * vx - lr * x, mu * vy - lr * 100 * y
  x, y = x + vx, y + vy
end
rate_momentum = math.sqrt(x ^ 2 + y ^ 2) ^ (1 / 200) / math.sqrt(2) ^ (1 / 200)]],
      check = function(env)
        local r = value(env.rate_momentum)
        if not finite(r) then
          return false, { en = "compute rate_momentum", ko = "rate_momentum을 계산하세요" }
        end
        if r > 0.95 then
          return false, { en = ("rate %.3f is plain gradient descent's (99/101 ≈ 0.980): set μ = ((√κ−1)/(√κ+1))² and update v before w"):format(r),
                          ko = ("비율이 %.3f, 곧 보통 경사 하강법의 값(99/101 ≈ 0.980)입니다: μ = ((√κ−1)/(√κ+1))²로 두고 w보다 v를 먼저 갱신하세요"):format(r) }
        end
        if not (r > 0.75 and r < 0.87) then
          return false, { en = ("rate %.3f: with the heavy-ball settings it should be near 9/11 ≈ 0.818 (a little above: the two equal roots add a factor t)"):format(r),
                          ko = ("비율이 %.3f입니다. heavy ball 설정이면 9/11 ≈ 0.818 근처여야 합니다 (두 근이 같아 t배가 붙어 조금 큽니다)"):format(r) }
        end
        return true
      end,
      hints = {
        { en = "vx, vy = mu * vx - lr * x, mu * vy - lr * 100 * y", ko = "vx, vy = mu * vx - lr * x, mu * vy - lr * 100 * y" },
        { en = "then x, y = x + vx, y + vy", ko = "그다음 x, y = x + vx, y + vy" },
      },
    },
    {
      text = {
        en = [[
Inside a deep net the features of layer l are the outputs of layer l − 1: nobody
standardizes them. A 20-layer tanh net (32 units, default init): measure the std
of the input of every Linear layer (in_plain), then put nn.BatchNorm1d(32) after
each Linear and measure again (in_batch). Look at layers 1, 10 and 20.]],
        ko = [[
깊은 신경망에서 l층의 특성은 l − 1층의 출력이고, 아무도 표준화해 주지 않습니다.
20층 tanh 신경망(유닛 32개, 기본 초기화)에서 모든 Linear 층 입력의 표준편차를
측정하고(in_plain), 각 Linear 뒤에 nn.BatchNorm1d(32)를 넣어 다시 측정하세요(in_batch).
1, 10, 20층을 보세요.]],
      },
      code = [[
function tanh_net(norm)
  local layers = {}
  for i = 1, 20 do
    layers[#layers + 1] = nn.Linear(32, 32)
    if norm then layers[#layers + 1] = norm(32) end
    layers[#layers + 1] = nn.Tanh()
  end
  layers[#layers + 1] = nn.Linear(32, 1)
  return nn.Sequential(layers)
end
function input_stds(model, X)
  local stds, h = {}, X
  for i = 1, #model do
    if model[i].__name == "Linear" then stds[#stds + 1] = h:std():item() end
    h = model[i](h)
  end
  return stds
end
manual_seed(0)
Xd, Yd = randn(128, 32), randn(128, 1)
manual_seed(1); plain = tanh_net()
manual_seed(1); batched = tanh_net(nn.BatchNorm1d)
in_plain, in_batch = input_stds(plain, Xd), input_stds(batched, Xd)
print(in_plain[1], in_plain[10], in_plain[20], in_batch[10], in_batch[20])]],
      wrong = [[
in_plain, in_batch = nil, nil
function tanh_net(norm)
  local layers = {}
  for i = 1, 20 do
    layers[#layers + 1] = nn.Linear(32, 32)
    if norm then layers[#layers + 1] = norm(32) end
    layers[#layers + 1] = nn.Tanh()
  end
  layers[#layers + 1] = nn.Linear(32, 1)
  return nn.Sequential(layers)
end
function input_stds(model, X)
  local stds, h = {}, X
  for i = 1, #model do
    if model[i].__name == "Linear" then stds[#stds + 1] = h:std():item() end
    h = model[i](h)
  end
  return stds
end
manual_seed(0)
Xd, Yd = randn(128, 32), randn(128, 1)
manual_seed(1); plain = tanh_net()
manual_seed(1); batched = tanh_net()
in_plain, in_batch = input_stds(plain, Xd), input_stds(batched, Xd)]],
      check = function(env)
        local a, b = env.in_plain, env.in_batch
        if type(a) ~= "table" or type(b) ~= "table" or #a < 20 or #b < 20 then
          return false, { en = "compute in_plain and in_batch (21 numbers each)", ko = "in_plain과 in_batch를 계산하세요 (각각 숫자 21개)" }
        end
        if not (b[20] > 3 * a[20]) then
          return false, { en = ("layer 20's input std: %.3g without, %.3g with normalization — did you pass nn.BatchNorm1d to tanh_net()?"):format(a[20], b[20]),
                          ko = ("20층 입력의 표준편차: 정규화 없이 %.3g, 있을 때 %.3g — tanh_net()에 nn.BatchNorm1d를 넘겼나요?"):format(a[20], b[20]) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Train the plain net, the batch-norm net and a layer-norm net (nn.LayerNorm) for
50 steps of SGD at lr = 0.02, watching the plain and the batch-norm ones. The
plain net's first layer gets gradients near 1e-5 and its loss barely moves
(try larger lr: it does not help); normalized layers keep every layer's input
near std 0.6 and the loss falls.]],
        ko = [[
정규화 없는 신경망, 배치 정규화 신경망, 층 정규화(nn.LayerNorm) 신경망을 SGD,
lr = 0.02로 50걸음 학습하면서, 정규화 없는 것과 배치 정규화한 것을 watch로
지켜보세요. 정규화 없는 신경망의 첫 층은 1e-5 근처의 기울기를 받고 손실이 거의
움직이지 않습니다(lr을 키워도 소용없습니다). 정규화한 층은 모든 층의 입력을
표준편차 0.6 근처로 지켜 손실이 내려갑니다.]],
      },
      code = [[
function train_sgd(model, steps)
  local opt = optim.SGD(model:parameters(), { lr = 0.02 })
  local loss
  for s = 1, steps do
    opt:zero_grad()
    loss = ((model(Xd) - Yd) ^ 2):mean()
    loss:backward()
    opt:step()
  end
  return loss:item()
end
function linears(model)      -- watch only the weights of the Linear layers
  return { filter = function(name)
    local i = tonumber(name:match("^%[(%d+)%]%.weight$"))     -- "[4].weight" is model[4]'s
    return i ~= nil and model[i].__name == "Linear"
  end }
end
w_plain, w_batch = watch(plain, linears(plain)), watch(batched, linears(batched))
manual_seed(1); layered = tanh_net(nn.LayerNorm)
losses = { plain = train_sgd(plain, 50), batch = train_sgd(batched, 50),
           layer = train_sgd(layered, 50) }
print(losses.plain, losses.batch, losses.layer)
w_plain:plot(); w_batch:plot()]],
      wrong = [[
losses = { plain = 0.98, batch = 0.98, layer = 0.98 }]],
      check = function(env)
        local l = env.losses
        if type(l) ~= "table" or not (finite(l.plain) and finite(l.batch) and finite(l.layer)) then
          return false, { en = "train the three nets into losses = { plain = ..., batch = ..., layer = ... }",
                          ko = "세 신경망을 학습해 losses = { plain = ..., batch = ..., layer = ... }에 넣으세요" }
        end
        if not (l.plain > 0.9) then
          return false, { en = ("the plain net reached %.3g: train it as given (20 layers, lr 0.02, 50 steps)"):format(l.plain),
                          ko = ("정규화 없는 신경망이 %.3g까지 내려갔습니다: 주어진 대로 학습하세요 (20층, lr 0.02, 50걸음)"):format(l.plain) }
        end
        if not (l.batch < 0.5 * l.plain and l.layer < 0.5 * l.plain) then
          return false, { en = ("losses: plain %.3g, batch %.3g, layer %.3g — both normalized nets should end far lower"):format(l.plain, l.batch, l.layer),
                          ko = ("손실: 정규화 없음 %.3g, 배치 %.3g, 층 %.3g — 정규화한 두 신경망이 훨씬 낮아야 합니다"):format(l.plain, l.batch, l.layer) }
        end
        local wp = env.w_plain
        if type(wp) ~= "table" or type(wp.history) ~= "table" or not wp.history["[1].weight"] or #wp.history["[1].weight"] < 50 then
          return false, { en = "watch the plain net while it trains: w_plain = watch(plain, linears(plain))", ko = "학습하는 동안 정규화 없는 신경망을 지켜보세요: w_plain = watch(plain, linears(plain))" }
        end
        return true
      end,
    },
    {
      text = { en = "To finish, what conditioning means for training.", ko = "마지막으로, 조건수가 학습에 뜻하는 것." },
      quiz = {
        question = { en = "Raw features give XᵀX/n a κ in the thousands. What cuts gradient descent's steps most?",
                     ko = "원래 특성으로 XᵀX/n의 κ가 수천입니다. 경사 하강법의 걸음 수를 가장 크게 줄이는 것은?" },
        choices = {
          { en = "Standardize the features so that XᵀX/n is near the identity", ko = "XᵀX/n이 단위 행렬에 가깝도록 특성을 표준화한다" },
          { en = "Raise the learning rate above 2/λ_max to cover more ground faster", ko = "한 번에 더 멀리 가도록 학습률을 2/λ_max보다 크게 한다" },
          { en = "Lower the learning rate so that the zig-zag disappears", ko = "지그재그가 사라지도록 학습률을 더 작게 한다" },
          { en = "Start from a random w instead of from w = 0 each time", ko = "매번 w = 0 대신 무작위 w에서 시작한다" },
        },
        answer = 1,
        explain = { en = "Yes: 45,001 steps became 3 here. Steps grow like κ (√κ with momentum); normalization layers do the same for the inputs of every layer.",
                    ko = "맞습니다: 여기서 45,001걸음이 3걸음이 되었습니다. 걸음 수는 κ(모멘텀이면 √κ)에 비례해 늘고, 정규화 층은 모든 층의 입력에 같은 일을 합니다." },
        wrong = {
          [2] = { en = "Above 2/λ_max the steep direction diverges (step 3).", ko = "2/λ_max보다 크면 가파른 방향이 발산합니다 (3단계)." },
          [3] = { en = "A smaller lr makes the flat direction even slower: the count grows.", ko = "학습률이 작으면 평평한 방향이 더 느려져 걸음 수가 늘어납니다." },
          [4] = { en = "The rate ((κ−1)/(κ+1))^t does not depend on the start.", ko = "비율 ((κ−1)/(κ+1))^t는 시작점과 상관없습니다." },
        },
      },
    },
  },
}

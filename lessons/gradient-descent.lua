-- Lesson 1: gradient descent on y = w x + b, by hand and then with autograd.
local function near(a, b, tol) return type(a) == "number" and math.abs(a - b) <= tol end
local function num(env, name)
  local v = env[name]
  if type(v) == "number" then return v end
  if env.is_tensor and env.is_tensor(v) and v:numel() == 1 then return v:item() end
  return nil
end
local function is_tensor(env, v) return env.is_tensor and env.is_tensor(v) end

-- the loss the learner should get, computed here in plain Lua from their x and y
local function mse_ref(env, w, b)
  local xs, ys = env.x:tolist(), env.y:tolist()
  local s = 0
  for i = 1, #xs do s = s + (ys[i] - (w * xs[i] + b)) ^ 2 end
  return s / #xs
end

return {
  id = "gradient-descent",
  order = 1,
  title = { en = "Gradient descent, by hand", ko = "경사 하강법, 손으로 직접" },
  steps = {
    {
      text = {
        en = [[
We fit a line y = w·x + b to noisy points. First, make the data: 50 values of x
between 0 and 1, and y = 3x + 2 plus a little noise. The true answer is w = 3, b = 2;
the model does not know it.]],
        ko = [[
노이즈가 섞인 점들에 직선 y = w·x + b를 맞춰 봅시다. 먼저 데이터를 만듭니다:
0과 1 사이의 x 50개, 그리고 y = 3x + 2에 작은 노이즈를 더한 값입니다. 정답은
w = 3, b = 2지만, 모델은 그걸 모릅니다.]],
      },
      code = [[
manual_seed(0)
x = linspace(0, 1, 50)
y = 3 * x + 2 + 0.1 * randn(50)
plot.scatter(x, y)]],
      wrong = [[x = linspace(0, 1, 10); y = 3 * x]],
      check = function(env)
        if not is_tensor(env, env.x) or not is_tensor(env, env.y) then
          return false, { en = "make x and y as tensors", ko = "x와 y를 텐서로 만드세요" }
        end
        if env.x:numel() ~= 50 or env.y:numel() ~= 50 then
          return false, { en = "x and y should have 50 points each", ko = "x와 y는 각각 점 50개여야 합니다" }
        end
        local r = mse_ref(env, 3, 2)
        if r > 0.05 or r < 1e-6 then
          return false, { en = "y should be 3x + 2 plus a little noise (0.1 * randn(50))",
                          ko = "y는 3x + 2에 작은 노이즈(0.1 * randn(50))를 더한 값이어야 합니다" }
        end
        return true
      end,
      hints = { { en = "Copy the code above, line by line.", ko = "위 코드를 한 줄씩 그대로 입력해 보세요." } },
    },
    {
      text = {
        en = [[
How wrong is a line? The mean squared error (MSE) loss function:
    L(w, b) = 1/N Σ (yᵢ − (w·xᵢ + b))²
Write a function mse(w, b) that returns L as a plain number, using tensor ops
(x, y are tensors; w, b are numbers). :mean() averages, :item() gives the number.]],
        ko = [[
직선이 얼마나 틀렸는지 측정하는 손실 함수, 평균 제곱 오차(MSE)입니다:
    L(w, b) = 1/N Σ (yᵢ − (w·xᵢ + b))²
텐서 연산으로 L을 숫자로 돌려주는 함수 mse(w, b)를 만드세요
(x, y는 텐서, w, b는 숫자). :mean()은 평균, :item()은 숫자를 꺼냅니다.]],
      },
      code = [[
function mse(w, b)
  return ((y - (w * x + b)) ^ 2):mean():item()
end
print(mse(0, 0), mse(3, 2))]],
      wrong = [[
function mse(w, b)
  return ((y - (w * x + b)) ^ 2):sum():item()
end]],
      check = function(env)
        if type(env.mse) ~= "function" then
          return false, { en = "define a function mse(w, b)", ko = "함수 mse(w, b)를 정의하세요" }
        end
        for _, wb in ipairs({ { 0, 0 }, { 3, 2 }, { 1, -1 } }) do
          local ok, v = pcall(env.mse, wb[1], wb[2])
          local want = mse_ref(env, wb[1], wb[2])
          if not ok then return false, { en = "mse failed: " .. tostring(v), ko = "mse 실행 오류: " .. tostring(v) } end
          if not near(v, want, 1e-3 * math.max(1, want)) then
            return false, {
              en = ("mse(%g, %g) returned %s, expected %.4f (mean, not sum, of the squared errors)"):format(wb[1], wb[2], tostring(v), want),
              ko = ("mse(%g, %g)의 결과가 %s입니다. 기대값은 %.4f입니다 (제곱 오차의 합이 아니라 평균)"):format(wb[1], wb[2], tostring(v), want) }
          end
        end
        return true
      end,
      hints = {
        { en = "y - (w * x + b) is a tensor of 50 errors; square it with ^ 2.", ko = "y - (w * x + b)는 오차 50개짜리 텐서입니다. ^ 2로 제곱하세요." },
        { en = "Average with :mean(), then :item() turns the 0-d tensor into a number.", ko = ":mean()으로 평균을 내고 :item()으로 0차원 텐서를 숫자로 바꾸세요." },
      },
    },
    {
      text = {
        en = [[
To go downhill we need the slope of L in each direction, its partial derivatives:
    ∂L/∂w = −2/N Σ (yᵢ − w·xᵢ − b)·xᵢ
    ∂L/∂b = −2/N Σ (yᵢ − w·xᵢ − b)
Write grad_w(w, b) and grad_b(w, b) returning these numbers.]],
        ko = [[
내리막으로 가려면 각 방향의 기울기, 즉 편미분이 필요합니다:
    ∂L/∂w = −2/N Σ (yᵢ − w·xᵢ − b)·xᵢ
    ∂L/∂b = −2/N Σ (yᵢ − w·xᵢ − b)
이 값을 돌려주는 grad_w(w, b)와 grad_b(w, b)를 만드세요.]],
      },
      code = [[
function grad_w(w, b) return (-2 * (y - w * x - b) * x):mean():item() end
function grad_b(w, b) return (-2 * (y - w * x - b)):mean():item() end]],
      wrong = [[
function grad_w(w, b) return (2 * (y - w * x - b) * x):mean():item() end
function grad_b(w, b) return (-2 * (y - w * x - b)):mean():item() end]],
      check = function(env)
        if type(env.grad_w) ~= "function" or type(env.grad_b) ~= "function" then
          return false, { en = "define grad_w(w, b) and grad_b(w, b)", ko = "grad_w(w, b)와 grad_b(w, b)를 정의하세요" }
        end
        local h = 1e-3
        for _, wb in ipairs({ { 0, 0 }, { 1, 0.5 }, { 4, 3 } }) do
          local w, b = wb[1], wb[2]
          local dw = (mse_ref(env, w + h, b) - mse_ref(env, w - h, b)) / (2 * h)
          local db = (mse_ref(env, w, b + h) - mse_ref(env, w, b - h)) / (2 * h)
          local ok1, gw = pcall(env.grad_w, w, b)
          local ok2, gb = pcall(env.grad_b, w, b)
          if not (ok1 and near(gw, dw, 1e-2 * math.max(1, math.abs(dw)))) then
            return false, { en = ("grad_w(%g, %g) should be %.4f, got %s — check the sign and the factor x"):format(w, b, dw, tostring(gw)),
                            ko = ("grad_w(%g, %g)는 %.4f여야 하는데 %s입니다 — 부호와 x 곱을 확인하세요"):format(w, b, dw, tostring(gw)) }
          end
          if not (ok2 and near(gb, db, 1e-2 * math.max(1, math.abs(db)))) then
            return false, { en = ("grad_b(%g, %g) should be %.4f, got %s"):format(w, b, db, tostring(gb)),
                            ko = ("grad_b(%g, %g)는 %.4f여야 하는데 %s입니다"):format(w, b, db, tostring(gb)) }
          end
        end
        return true
      end,
      hints = {
        { en = "The minus sign comes from the chain rule: ∂/∂w of (y − w x − b) is −x.", ko = "마이너스 부호는 연쇄 법칙에서 나옵니다: (y − w x − b)를 w로 미분하면 −x입니다." },
      },
    },
    {
      text = {
        en = [[
Gradient descent: start anywhere and step against the gradient, again and again:
    w ← w − η·∂L/∂w,    b ← b − η·∂L/∂b
η (eta) is the learning rate. Start from w = 0, b = 0 with η = 0.5, take 500 steps,
and keep the loss of each step in a table called losses.]],
        ko = [[
경사 하강법은 아무 데서나 시작해서 기울기의 반대 방향으로 계속 한 걸음씩 갑니다:
    w ← w − η·∂L/∂w,    b ← b − η·∂L/∂b
η(에타)는 학습률입니다. w = 0, b = 0, η = 0.5에서 시작해 500번 갱신하고,
매 단계의 손실을 losses라는 테이블에 모으세요.]],
      },
      code = [[
w, b, eta, losses = 0, 0, 0.5, {}
for step = 1, 500 do
  w, b = w - eta * grad_w(w, b), b - eta * grad_b(w, b)
  losses[step] = mse(w, b)
end
print(w, b); plot.line(losses)]],
      wrong = [[
w, b, eta, losses = 0, 0, 0.5, {}
for step = 1, 500 do
  w, b = w + eta * grad_w(w, b), b + eta * grad_b(w, b)
  losses[step] = mse(w, b)
end]],
      check = function(env)
        local w, b = num(env, "w"), num(env, "b")
        if not w or not b then return false, { en = "set w and b (numbers)", ko = "w와 b(숫자)를 정하세요" } end
        if type(env.losses) ~= "table" or #env.losses < 100 then
          return false, { en = "keep each step's loss in losses (at least 100 steps)", ko = "매 단계 손실을 losses에 모으세요 (100단계 이상)" }
        end
        if env.losses[#env.losses] ~= env.losses[#env.losses] or env.losses[#env.losses] > env.losses[1] then
          return false, { en = "the loss went up: step against the gradient (w − η·grad)", ko = "손실이 커졌습니다: 기울기의 반대 방향(w − η·grad)으로 가야 합니다" }
        end
        if math.abs(w - 3) > 0.2 or math.abs(b - 2) > 0.2 then
          return false, { en = ("w = %.3f, b = %.3f: not near 3 and 2 yet — more steps?"):format(w, b),
                          ko = ("w = %.3f, b = %.3f: 아직 3과 2에 가깝지 않습니다 — 더 많이 갱신해 보세요"):format(w, b) }
        end
        return true
      end,
      hints = { { en = "Update w and b together: both gradients use the old w and b.", ko = "w와 b를 동시에 갱신하세요: 두 기울기 모두 이전의 w, b를 씁니다." } },
    },
    {
      text = {
        en = [[
The learning rate matters. Run the same loop twice more, 50 steps each: with η = 0.05
into a table slow, and with η = 1.5 into a table fast (record mse after each step).
Then compare the first 50 steps of all three:
    plot.lines({ slow = slow, good = losses, fast = fast }, { xlim = {1, 50} })
(without xlim the x axis would run to 500, the length of losses, and squeeze slow and
fast into its first tenth). fast grows to about 1e37, so the plot puts y on a log scale
and says so under it: equal steps up the axis are equal factors (1, 1e10, 1e20...).]],
        ko = [[
학습률이 중요합니다. 같은 반복을 50단계씩 두 번 더 돌려 보세요: η = 0.05는
slow 테이블에, η = 1.5는 fast 테이블에 (매 단계 mse를 기록). 그리고 세 곡선의 처음
50단계를 비교해 보세요:
    plot.lines({ slow = slow, good = losses, fast = fast }, { xlim = {1, 50} })
(xlim이 없으면 x축이 losses의 길이인 500까지 늘어나 slow와 fast가 앞쪽 10분의 1에
몰립니다.) fast는 1e37 근처까지 커지므로 그래프는 y축을 로그 눈금으로 바꾸고 아래에
그렇게 적어 둡니다. 로그 눈금에서는 같은 간격만큼 올라갈 때마다 값이 같은 배수로 커집니다 (1, 1e10, 1e20...).]],
      },
      code = [[
function run(eta, steps)
  local w, b, hist = 0, 0, {}
  for i = 1, steps do
    w, b = w - eta * grad_w(w, b), b - eta * grad_b(w, b)
    hist[i] = mse(w, b)
  end
  return hist
end
slow, fast = run(0.05, 50), run(1.5, 50)]],
      wrong = [[
function run(eta, steps)
  local w, b, hist = 0, 0, {}
  for i = 1, steps do
    w, b = w - eta * grad_w(w, b), b - eta * grad_b(w, b)
    hist[i] = mse(w, b)
  end
  return hist
end
slow, fast = run(0.5, 50), run(0.5, 50)]],
      check = function(env)
        local s, f = env.slow, env.fast
        if type(s) ~= "table" or type(f) ~= "table" or #s < 20 or #f < 20 then
          return false, { en = "make the tables slow and fast", ko = "slow와 fast 테이블을 만드세요" }
        end
        if not (s[#s] < s[1] and s[#s] > 0.05) then
          return false, { en = "slow (η = 0.05) should go down, but still be far from the minimum after 50 steps",
                          ko = "slow(η = 0.05)는 내려가되 50단계 뒤에도 최솟값과 아직 멀어야 합니다" }
        end
        if not (f[#f] > f[1] or f[#f] ~= f[#f]) then
          return false, { en = "fast (η = 1.5) should blow up: each step overshoots the valley",
                          ko = "fast(η = 1.5)는 발산해야 합니다: 매 걸음이 골짜기를 지나쳐 버립니다" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Now let autograd do the calculus. Make w and b tensors that require gradients; build the
loss with tensor ops; loss:backward() fills w.grad and b.grad with ∂L/∂w and ∂L/∂b —
the same numbers you derived by hand. Update inside no_grad (the update itself must not
become part of the graph), then clear the gradients: they accumulate otherwise.]],
        ko = [[
이제 미분은 autograd에게 맡깁니다. 기울기가 필요한 텐서 w, b를 만들고, 텐서 연산으로
손실을 만든 다음 loss:backward()를 호출하면 w.grad, b.grad에 ∂L/∂w, ∂L/∂b가 채워집니다 —
손으로 유도한 바로 그 값입니다. 갱신은 no_grad 안에서 하고 (갱신 자체가 그래프에 들어가면
안 됩니다), 기울기는 비워 주세요: 그러지 않으면 누적됩니다.]],
      },
      code = [[
w = zeros(1):requires_grad(); b = zeros(1):requires_grad()
for step = 1, 500 do
  local loss = ((y - (w * x + b)) ^ 2):mean()
  loss:backward()
  no_grad(function() w:sub_(w.grad * 0.5); b:sub_(b.grad * 0.5) end)
  w.grad = nil; b.grad = nil
end
print(w, b)]],
      wrong = [[
w = zeros(1):requires_grad(); b = zeros(1):requires_grad()
for step = 1, 20 do
  local loss = ((y - (w * x + b)) ^ 2):mean()
  loss:backward()
  no_grad(function() w:sub_(w.grad * 0.5); b:sub_(b.grad * 0.5) end)
end]],
      check = function(env)
        if not (is_tensor(env, env.w) and is_tensor(env, env.b)) then
          return false, { en = "w and b should be tensors with requires_grad()", ko = "w와 b는 requires_grad()를 켠 텐서여야 합니다" }
        end
        if not env.w.needs_grad then
          return false, { en = "call :requires_grad() on w", ko = "w에 :requires_grad()를 호출하세요" }
        end
        local w, b = env.w:item(), env.b:item()
        if math.abs(w - 3) > 0.2 or math.abs(b - 2) > 0.2 then
          return false, { en = ("w = %.3f, b = %.3f: not near 3 and 2. Did you clear the gradients each step (w.grad = nil)?"):format(w, b),
                          ko = ("w = %.3f, b = %.3f: 3과 2에 가깝지 않습니다. 매 단계 기울기를 비웠나요 (w.grad = nil)?"):format(w, b) }
        end
        return true
      end,
      hints = {
        { en = "Without w.grad = nil each step, backward adds to the old gradient.", ko = "매 단계 w.grad = nil을 하지 않으면 backward가 예전 기울기에 더합니다." },
        { en = "graph(((y - (w * x + b)) ^ 2):mean()) shows the graph backward walks.", ko = "graph(((y - (w * x + b)) ^ 2):mean())로 backward가 지나가는 그래프를 볼 수 있습니다." },
      },
    },
    {
      text = {
        en = [[
The same recipe works in many dimensions: y = W·x + b with W a matrix. Make 200 inputs
with 3 features, targets from a hidden W_true = (1, −2, 0.5) and b_true = 0.7, and
learn W (1×3) and b with autograd. X:mm(W:t()) is the matrix product.]],
        ko = [[
같은 방법이 여러 차원에서도 통합니다: y = W·x + b, W는 행렬입니다. 특성 3개짜리
입력 200개와, 숨겨진 W_true = (1, −2, 0.5), b_true = 0.7로 만든 목표값을 준비하고
autograd로 W(1×3)와 b를 학습하세요. X:mm(W:t())가 행렬 곱입니다.]],
      },
      code = [[
manual_seed(1)
X = randn(200, 3)
Y = X:mm(tensor{{1, -2, 0.5}}:t()) + 0.7
W = zeros(1, 3):requires_grad(); B = zeros(1):requires_grad()
for step = 1, 300 do
  local loss = ((X:mm(W:t()) + B - Y) ^ 2):mean()
  loss:backward()
  no_grad(function() W:sub_(W.grad * 0.1); B:sub_(B.grad * 0.1) end)
  W.grad = nil; B.grad = nil
end
print(W, B)]],
      wrong = [[W = zeros(1, 3):requires_grad(); B = zeros(1):requires_grad()]],
      check = function(env)
        if not (is_tensor(env, env.W) and is_tensor(env, env.B)) then
          return false, { en = "learn tensors W (1×3) and B", ko = "텐서 W(1×3)와 B를 학습하세요" }
        end
        local w = env.W:reshape(-1):tolist()
        local want = { 1, -2, 0.5 }
        if #w ~= 3 then return false, { en = "W should have 3 entries", ko = "W는 원소가 3개여야 합니다" } end
        for i = 1, 3 do
          if math.abs(w[i] - want[i]) > 0.05 then
            return false, { en = ("W[%d] = %.3f, expected about %.1f"):format(i, w[i], want[i]),
                            ko = ("W[%d] = %.3f, 약 %.1f이어야 합니다"):format(i, w[i], want[i]) }
          end
        end
        if math.abs(env.B:item() - 0.7) > 0.05 then
          return false, { en = "B should be about 0.7", ko = "B는 약 0.7이어야 합니다" }
        end
        return true
      end,
    },
    {
      text = { en = "A last question.", ko = "마지막 질문입니다." },
      quiz = {
        question = { en = "The loss grows larger at every step of gradient descent. What is the most likely cause?",
                     ko = "경사 하강법의 매 단계마다 손실이 커집니다. 가장 그럴듯한 원인은?" },
        choices = {
          { en = "The learning rate is too large: each step jumps past the minimum",
            ko = "학습률이 너무 크다: 걸음마다 최솟값을 지나쳐 더 높은 곳에 닿는다" },
          { en = "The data is noisy: each step follows the noise instead of the line",
            ko = "데이터에 노이즈가 많다: 걸음마다 직선 대신 노이즈를 따라간다" },
          { en = "The start is far from the minimum, so the loss has to rise at first",
            ko = "시작점이 최솟값에서 멀어서 처음에는 손실이 올라갈 수밖에 없다" },
          { en = "The learning rate is too small: the steps cannot get out of the valley",
            ko = "학습률이 너무 작다: 걸음이 너무 짧아서 골짜기를 빠져나오지 못한다" },
        },
        answer = 1,
        explain = { en = "Right: with η too large, w − η·∂L/∂w jumps past the valley to a higher point, farther each time.",
                    ko = "맞습니다: η가 너무 크면 w − η·∂L/∂w가 골짜기를 넘어 더 높은 곳으로 튀고, 갈수록 멀어집니다." },
        wrong = {
          [2] = { en = "Noise limits how low the loss can go; it does not make it grow step after step.",
                  ko = "노이즈는 손실이 내려갈 수 있는 한계를 정할 뿐, 걸음마다 손실을 키우지는 않습니다." },
          [3] = { en = "From any start, a small enough step goes downhill: the loss falls at once.",
                  ko = "어디서 시작하든 충분히 작은 걸음은 내리막을 따라가므로 손실은 바로 줄어듭니다." },
          [4] = { en = "Too small a rate makes progress slow, but each step still lowers the loss.",
                  ko = "학습률이 작으면 느리게 내려갈 뿐, 걸음마다 손실은 여전히 줄어듭니다." },
        },
      },
    },
  },
}

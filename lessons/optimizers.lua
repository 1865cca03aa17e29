-- Lesson 5: optimizers — SGD, momentum, Nesterov, Adagrad, Adadelta, RMSprop and Adam racing
-- on 2-D surfaces and on a small network; what each rule accumulates.
local function nb() return require "nabla" end

local NAMES = { "sgd", "momentum", "nag", "adagrad", "adadelta", "rmsprop", "adam" }
local SURFACES = { "rosenbrock", "beale", "saddle", "bowl" }

-- the reference surfaces, on plain numbers
local ref = {
  rosenbrock = function(x, y) return (1 - x) ^ 2 + 100 * (y - x ^ 2) ^ 2 end,
  beale = function(x, y)
    return (1.5 - x + x * y) ^ 2 + (2.25 - x + x * y ^ 2) ^ 2 + (2.625 - x + x * y ^ 3) ^ 2
  end,
  saddle = function(x, y) return x ^ 2 + y ^ 4 / 4 - y ^ 2 / 2 end,
  bowl = function(x, y) return 0.05 * x ^ 2 + 5 * y ^ 2 end,
}

local C = require("nabla.lesson").checks
local value, finite = C.value, C.finite

-- Steps a 2-D point with the learner's optimizer factory make on surface f (the learner's
-- function): the final point, computed here independently of the learner's run().
local function replay(make, f, start, steps)
  local n = nb()
  local p = n.tensor(start):requires_grad()
  local opt = make({ p })
  for _ = 1, steps do
    opt:zero_grad()
    local loss = f(p[1], p[2])
    loss:backward()
    opt:step()
  end
  return p:tolist()
end

local function check_racers(env)
  if type(env.racers) ~= "table" then
    return false, { en = "make the table racers (step 3)", ko = "racers 테이블을 만드세요 (3단계)" }
  end
  for _, name in ipairs(NAMES) do
    if type(env.racers[name]) ~= "function" then
      return false, { en = "racers." .. name .. " should be a function making that optimizer",
                      ko = "racers." .. name .. " 값은 그 옵티마이저를 만드는 함수여야 합니다" }
    end
  end
  return true
end

local function pt(p) return ("(%.3g, %.3g)"):format(p[1], p[2]) end

return {
  id = "optimizers",
  order = 5,
  title = { en = "Optimizers race", ko = "옵티마이저 경주" },
  steps = {
    {
      text = {
        en = [[
Gradient descent only knows the slope where it stands. How it uses that slope — and what
it remembers of earlier slopes — is the optimizer. We race seven of them on four 2-D
surfaces, each hard in its own way:
  rosenbrock  a long curved valley (minimum 0 at (1, 1))
  beale       flat plateaus and steep walls (minimum 0 at (3, 0.5))
  saddle      a saddle point at (0, 0) between two valleys at (0, ±1), value −0.25
  bowl        an ill-conditioned bowl: 100 times steeper across than along
Define them as functions of (x, y) that work on numbers and on tensors alike.]],
        ko = [[
경사 하강법은 서 있는 곳의 기울기만 압니다. 그 기울기를 어떻게 쓰는지, 그리고 이전 기울기를
얼마나 기억하는지가 바로 옵티마이저입니다. 일곱 가지 옵티마이저를 저마다 어려운
2차원 곡면 네 개 위에서 경주시켜 봅시다:
  rosenbrock  길고 휘어진 골짜기 (최솟값 0, (1, 1)에서)
  beale       평평한 고원과 가파른 벽 (최솟값 0, (3, 0.5)에서)
  saddle      두 골짜기 (0, ±1) 사이의 안장점 (0, 0), 골짜기 값은 −0.25
  bowl        조건수가 나쁜 그릇: 세로(y) 방향이 가로(x) 방향보다 100배 가파름
숫자와 텐서 모두에서 동작하는 (x, y)의 함수로 정의하세요.]],
      },
      code = [[
function rosenbrock(x, y) return (1 - x) ^ 2 + 100 * (y - x ^ 2) ^ 2 end
function beale(x, y)
  return (1.5 - x + x * y) ^ 2 + (2.25 - x + x * y ^ 2) ^ 2 + (2.625 - x + x * y ^ 3) ^ 2
end
function saddle(x, y) return x ^ 2 + y ^ 4 / 4 - y ^ 2 / 2 end
function bowl(x, y) return 0.05 * x ^ 2 + 5 * y ^ 2 end
surfaces = { rosenbrock = rosenbrock, beale = beale, saddle = saddle, bowl = bowl }
plot.contour(rosenbrock, { xlim = { -2, 2 }, ylim = { -1, 3 }, scale = "log" })]],
      wrong = [[
function rosenbrock(x, y) return (1 - x) ^ 2 + 100 * (y - x) ^ 2 end
function beale(x, y)
  return (1.5 - x + x * y) ^ 2 + (2.25 - x + x * y ^ 2) ^ 2 + (2.625 - x + x * y ^ 3) ^ 2
end
function saddle(x, y) return x ^ 2 + y ^ 4 / 4 - y ^ 2 / 2 end
function bowl(x, y) return 0.05 * x ^ 2 + 5 * y ^ 2 end
surfaces = { rosenbrock = rosenbrock, beale = beale, saddle = saddle, bowl = bowl }]],
      check = function(env)
        local n = nb()
        if type(env.surfaces) ~= "table" then
          return false, { en = "make the table surfaces = { rosenbrock = rosenbrock, ... }", ko = "surfaces = { rosenbrock = rosenbrock, ... } 테이블을 만드세요" }
        end
        for _, s in ipairs(SURFACES) do
          local f = env.surfaces[s]
          if type(f) ~= "function" then
            return false, { en = "surfaces." .. s .. " should be the function " .. s, ko = "surfaces." .. s .. " 값은 함수 " .. s .. "여야 합니다" }
          end
          for _, xy in ipairs({ { 0.5, -0.3 }, { -1.2, 1.7 }, { 2, 0.25 } }) do
            local ok, v = pcall(f, xy[1], xy[2])
            local want = ref[s](xy[1], xy[2])
            if not ok or not finite(value(v)) or math.abs(value(v) - want) > 1e-6 * math.max(1, math.abs(want)) then
              return false, { en = ("%s%s should be %.5g, got %s"):format(s, pt(xy), want, tostring(ok and value(v) or v)),
                              ko = ("%s%s 값은 %.5g여야 하는데 지금 %s입니다"):format(s, pt(xy), want, tostring(ok and value(v) or v)) }
            end
          end
          local ok, v = pcall(f, n.tensor(0.5), n.tensor(-0.3))
          if not ok or not n.is_tensor(v) then
            return false, { en = s .. " should also work on tensors (it failed: " .. tostring(v) .. ")",
                            ko = "함수 " .. s .. "은(는) 텐서에서도 동작해야 합니다 (오류: " .. tostring(v) .. ")" }
          end
        end
        return true
      end,
    },
    {
      text = {
        en = [[
The racing track: run(make, f, start, steps) puts a point p = (x, y) at start (a tensor
that requires grad), makes an optimizer for it with make({ p }), and takes steps steps
down f: zero_grad, backward, step. It returns the path (the start and every point after,
as {x, y} pairs) and the final value of f. Try plain SGD on the Rosenbrock valley.]],
        ko = [[
경주로를 만듭시다: run(make, f, start, steps)는 점 p = (x, y)를 start에 놓고 (기울기가 필요한
텐서), make({ p })로 옵티마이저를 만든 다음 f를 따라 steps번 내려갑니다: zero_grad, backward,
step. 경로(시작점과 이후 모든 점을 {x, y} 쌍으로)와 f의 마지막 값을 돌려줍니다.
로젠브록 골짜기에서 일반 SGD로 시험해 보세요.]],
      },
      code = [[
function run(make, f, start, steps)
  local p = tensor(start):requires_grad()
  local opt = make({ p })
  local path = { { start[1], start[2] } }
  for i = 1, steps do
    opt:zero_grad()
    local loss = f(p[1], p[2])
    loss:backward()
    opt:step()
    path[i + 1] = p:tolist()
  end
  local last = path[#path]
  return path, f(last[1], last[2])
end
path, final = run(function(ps) return optim.SGD(ps, { lr = 1e-3 }) end, rosenbrock, { -1.5, 2 }, 100)
print(#path, final)]],
      wrong = [[
function run(make, f, start, steps)
  local p = tensor(start):requires_grad()
  local opt = make({ p })
  local path = { { start[1], start[2] } }
  for i = 1, steps do
    local loss = f(p[1], p[2])
    loss:backward()
    opt:step()
    path[i + 1] = p:tolist()
  end
  local last = path[#path]
  return path, f(last[1], last[2])
end]],
      check = function(env)
        local n = nb()
        if type(env.run) ~= "function" then
          return false, { en = "define run(make, f, start, steps)", ko = "run(make, f, start, steps)를 정의하세요" }
        end
        local ok, path, final = pcall(env.run, function(ps) return n.optim.SGD(ps, { lr = 1e-3 }) end, ref.rosenbrock, { -1.5, 2 }, 10)
        if not ok then return false, { en = "run failed: " .. tostring(path), ko = "run 실행 오류: " .. tostring(path) } end
        if type(path) ~= "table" or #path ~= 11 or type(path[1]) ~= "table" then
          return false, { en = "run(..., steps = 10) should return a path of 11 points {x, y}: the start and one per step",
                          ko = "run(..., steps = 10)은 점 {x, y} 11개의 경로를 돌려줘야 합니다: 시작점과 단계마다 하나" }
        end
        -- plain gradient descent on Rosenbrock, by hand
        local x, y = -1.5, 2
        for i = 1, 10 do
          local gx = -2 * (1 - x) - 400 * x * (y - x ^ 2)
          local gy = 200 * (y - x ^ 2)
          x, y = x - 1e-3 * gx, y - 1e-3 * gy
          local got = path[i + 1]
          if type(got) ~= "table" or math.abs(got[1] - x) > 1e-3 or math.abs(got[2] - y) > 1e-3 then
            return false, { en = ("point %d of the path should be %s, got %s: clear the gradients (opt:zero_grad()) before each backward"):format(i + 1, pt({ x, y }), type(got) == "table" and pt(got) or tostring(got)),
                            ko = ("경로의 %d번째 점은 %s여야 하는데 %s입니다: 매 backward 전에 기울기를 비우세요 (opt:zero_grad())"):format(i + 1, pt({ x, y }), type(got) == "table" and pt(got) or tostring(got)) }
          end
        end
        if not finite(value(final)) or math.abs(value(final) - ref.rosenbrock(x, y)) > 1e-3 * math.max(1, ref.rosenbrock(x, y)) then
          return false, { en = "the second result of run should be f at the last point", ko = "run의 두 번째 결과는 마지막 점에서의 f 값이어야 합니다" }
        end
        return true
      end,
      hints = { { en = "p:tolist() gives the point as {x, y}; p[1] and p[2] are its coordinates as tensors, so the loss has a graph.",
                  ko = "p:tolist()는 점을 {x, y}로 줍니다. p[1], p[2]는 좌표를 텐서로 주므로 손실에 그래프가 생깁니다." } },
    },
    {
      text = {
        en = [[
Momentum, as PyTorch computes it (optim.SGD with momentum μ). The state momentum_buffer b
is an exponentially decaying sum of the gradients: a gradient from k steps ago counts μᵏ.
    b ← μ·b + g   (b = g at the first step)        momentum:  p ← p − lr·b
Nesterov (NAG) steps where the velocity is taking it; PyTorch writes it without a second
gradient, with the b just updated:
    NAG:  p ← p − lr·(g + μ·b)
The learning rate multiplies the whole buffer. The textbook v ← μ·v − lr·g, p ← p + v is
the same while lr stays fixed; under a schedule PyTorch's form rescales all the velocity
at once, the textbook form only the newest gradient. Take two NAG steps (lr 0.1, μ 0.9)
on f(w) = w² from w = 1, read b from opt.state[w], and predict the third step from b and
the new gradient. Do not call step() again: check() takes it on a copy of w.]],
        ko = [[
PyTorch가 계산하는 모멘텀입니다 (모멘텀 μ인 optim.SGD). 상태 momentum_buffer b는
기울기의 지수적으로 감쇠하는 합입니다. k 스텝 전의 기울기는 μᵏ만큼 반영됩니다.
    b ← μ·b + g   (첫 스텝에서는 b = g)        모멘텀:  p ← p − lr·b
네스테로프(NAG)는 속도가 데려갈 곳에서 스텝을 밟습니다. PyTorch는 두 번째 기울기 없이,
방금 갱신한 b로 이렇게 씁니다.
    NAG:  p ← p − lr·(g + μ·b)
학습률은 버퍼 전체에 곱해집니다. 교과서의 v ← μ·v − lr·g, p ← p + v는 lr이 고정되어 있는
동안에는 같습니다. 하지만 스케줄을 쓰면 PyTorch 방식은 쌓인 속도 전체의 크기를 한꺼번에
바꾸고, 교과서 방식은 새 기울기만 바꿉니다. f(w) = w²에서 w = 1부터 NAG(lr 0.1, μ 0.9)로
두 스텝 간 다음, opt.state[w]에서 b를 읽고 b와 새 기울기로 세 번째 스텝을 예측하세요.
step()은 다시 호출하지 마세요. check()가 w의 사본으로 그 스텝을 밟아 비교합니다.]],
      },
      code = [[
w = tensor{ 1 }:requires_grad()
nag = optim.SGD({ w }, { lr = 0.1, momentum = 0.9, nesterov = true })
for i = 1, 2 do nag:zero_grad(); (w ^ 2):sum():backward(); nag:step() end
nag:zero_grad(); (w ^ 2):sum():backward()
g = w.grad:item()
b = nag.state[w].momentum_buffer:item()
-- your two lines: the buffer this step will hold, then w_next
print(w:item(), b, g)]],
      solution = [[
w = tensor{ 1 }:requires_grad()
nag = optim.SGD({ w }, { lr = 0.1, momentum = 0.9, nesterov = true })
for i = 1, 2 do nag:zero_grad(); (w ^ 2):sum():backward(); nag:step() end
nag:zero_grad(); (w ^ 2):sum():backward()
g = w.grad:item()
b = nag.state[w].momentum_buffer:item()
b = 0.9 * b + g
w_next = w:item() - 0.1 * (g + 0.9 * b)]],
      wrong = [[
w = tensor{ 1 }:requires_grad()
nag = optim.SGD({ w }, { lr = 0.1, momentum = 0.9, nesterov = true })
for i = 1, 2 do nag:zero_grad(); (w ^ 2):sum():backward(); nag:step() end
nag:zero_grad(); (w ^ 2):sum():backward()
g = w.grad:item()
b = nag.state[w].momentum_buffer:item()
b = 0.9 * b + g
w_next = w:item() - 0.1 * b]],
      check = function(env)
        local n = nb()
        if not n.is_tensor(env.w) or type(env.w_next) ~= "number" then
          return false, { en = "make w (the weight NAG moves) and w_next (your prediction, a number)",
                          ko = "w(NAG가 옮기는 가중치)와 w_next(직접 예측한 값, 숫자)를 만드세요" }
        end
        -- by hand: w ← w − lr·(g + μ·b), b ← μ·b + g, b = g at the first step
        local w, b, path = 1, nil, {}
        for k = 1, 3 do
          local g = 2 * w
          b = b and 0.9 * b + g or g
          path[k] = { w = w - 0.1 * (g + 0.9 * b), plain = w - 0.1 * b, g = g, b = b }
          w = path[k].w
        end
        local now = env.w:item()
        if math.abs(now - path[3].w) < 1e-6 then
          return false, { en = "w has already taken the third step: predict it from b and g before any step()",
                          ko = "w가 이미 세 번째 스텝을 밟았습니다. step() 전에 b와 g로 예측하세요" }
        end
        if math.abs(now - path[2].w) > 1e-6 then
          return false, { en = ("after two NAG steps from w = 1, w should be %.6g, it is %.6g"):format(path[2].w, now),
                          ko = ("w = 1에서 NAG로 두 스텝 간 뒤 w는 %.6g여야 하는데 지금은 %.6g입니다"):format(path[2].w, now) }
        end
        local got = env.w_next
        if math.abs(got - path[3].w) < 1e-5 then return true end
        if math.abs(got - path[3].plain) < 1e-5 then
          return false, { en = ("w_next = %.6g is plain momentum's step p − lr·b: NAG steps by g + μ·b, the gradient plus the look-ahead along the updated buffer"):format(got),
                          ko = ("w_next(%.6g) 값은 일반 모멘텀의 스텝 p − lr·b입니다. NAG는 g + μ·b, 즉 기울기에 갱신된 버퍼 방향의 앞보기를 더해 스텝을 밟습니다"):format(got) }
        end
        local stale = path[2].w - 0.1 * (path[3].g + 0.9 * path[2].b)
        if math.abs(got - stale) < 1e-5 then
          return false, { en = ("w_next = %.6g uses the buffer of the step before: update b ← μ·b + g first, then step by g + μ·b"):format(got),
                          ko = ("w_next(%.6g) 값은 이전 스텝의 버퍼를 썼습니다. 먼저 b ← μ·b + g로 갱신한 다음 g + μ·b만큼 스텝을 밟으세요"):format(got) }
        end
        return false, { en = ("w_next = %.6g is not where NAG goes: b ← μ·b + g, then w − lr·(g + μ·b)"):format(got),
                        ko = ("w_next(%.6g) 값은 NAG가 가는 곳이 아닙니다. b ← μ·b + g, 그다음 w − lr·(g + μ·b)입니다"):format(got) }
      end,
      hints = { { en = "g = 2·w; the buffer in opt.state is the one of step 2: update it once before you use it.",
                  ko = "g = 2·w입니다. opt.state의 버퍼는 2번째 스텝의 것이니, 쓰기 전에 한 번 갱신하세요." } },
    },
    {
      text = {
        en = [[
The racers, one rule each (g the gradient, all operations per coordinate):
  sgd       p ← p − lr·g
  momentum  b ← μ·b + g,  p ← p − lr·b                        (step 3)
  nag       b ← μ·b + g,  p ← p − lr·(g + μ·b)                (step 3)
  adagrad   s ← s + g²,  p ← p − lr·g/(√s + ε)       a sum that only grows
  rmsprop   v ← α·v + (1 − α)·g²,  p ← p − lr·g/(√v + ε)   a decaying average
  adadelta  as rmsprop, times √(u + ε) with u an average of its own squared updates
  adam      momentum's average of g over rmsprop's √v, bias-corrected  (step 8)
Race them 500 steps from (−1.5, 2) down the Rosenbrock valley, and draw the paths on the
contour plot.]],
        ko = [[
선수들입니다. 규칙은 하나씩입니다 (g는 기울기, 모든 연산은 좌표별).
  sgd       p ← p − lr·g
  momentum  b ← μ·b + g,  p ← p − lr·b                        (3단계)
  nag       b ← μ·b + g,  p ← p − lr·(g + μ·b)                (3단계)
  adagrad   s ← s + g²,  p ← p − lr·g/(√s + ε)       커지기만 하는 합
  rmsprop   v ← α·v + (1 − α)·g²,  p ← p − lr·g/(√v + ε)   감쇠하는 평균
  adadelta  rmsprop과 같되, 자기 갱신량 제곱의 평균 u로 √(u + ε)를 곱함
  adam      모멘텀의 g 평균을 rmsprop의 √v로 나누고 편향 보정  (8단계)
(−1.5, 2)에서 로젠브록 골짜기를 500 스텝 내려가는 경주를 시키고, 경로를 등고선 그림 위에
그려 보세요.]],
      },
      code = [[
racers = {
  sgd      = function(ps, lr) return optim.SGD(ps, { lr = lr or 1e-3 }) end,
  momentum = function(ps, lr) return optim.SGD(ps, { lr = lr or 1e-3, momentum = 0.9 }) end,
  nag      = function(ps, lr) return optim.SGD(ps, { lr = lr or 1e-3, momentum = 0.9, nesterov = true }) end,
  adagrad  = function(ps, lr) return optim.Adagrad(ps, { lr = lr or 0.5 }) end,
  adadelta = function(ps, lr) return optim.Adadelta(ps, { lr = lr or 1 }) end,
  rmsprop  = function(ps, lr) return optim.RMSprop(ps, { lr = lr or 0.01 }) end,
  adam     = function(ps, lr) return optim.Adam(ps, { lr = lr or 0.05 }) end,
}
names = { "sgd", "momentum", "nag", "adagrad", "adadelta", "rmsprop", "adam" }
paths, finals = {}, {}
for _, name in ipairs(names) do
  paths[name], finals[name] = run(racers[name], rosenbrock, { -1.5, 2 }, 500)
  print(name, finals[name])
end
plot.contour(rosenbrock, { xlim = { -2, 2 }, ylim = { -1, 3 }, paths = paths, scale = "log" })]],
      solution = [[
racers = {
  sgd      = function(ps, lr) return optim.SGD(ps, { lr = lr or 1e-3 }) end,
  momentum = function(ps, lr) return optim.SGD(ps, { lr = lr or 1e-3, momentum = 0.9 }) end,
  nag      = function(ps, lr) return optim.SGD(ps, { lr = lr or 1e-3, momentum = 0.9, nesterov = true }) end,
  adagrad  = function(ps, lr) return optim.Adagrad(ps, { lr = lr or 0.5 }) end,
  adadelta = function(ps, lr) return optim.Adadelta(ps, { lr = lr or 1 }) end,
  rmsprop  = function(ps, lr) return optim.RMSprop(ps, { lr = lr or 0.01 }) end,
  adam     = function(ps, lr) return optim.Adam(ps, { lr = lr or 0.05 }) end,
}
names = { "sgd", "momentum", "nag", "adagrad", "adadelta", "rmsprop", "adam" }
paths, finals = {}, {}
for _, name in ipairs(names) do
  paths[name], finals[name] = run(racers[name], rosenbrock, { -1.5, 2 }, 500)
end
plot.contour(rosenbrock, { xlim = { -2, 2 }, ylim = { -1, 3 }, paths = paths, scale = "log" })]],
      wrong = [[
racers = {
  sgd      = function(ps, lr) return optim.SGD(ps, { lr = lr or 1e-3 }) end,
  momentum = function(ps, lr) return optim.SGD(ps, { lr = lr or 1e-3, momentum = 0.9 }) end,
  nag      = function(ps, lr) return optim.SGD(ps, { lr = lr or 1e-3, momentum = 0.9, nesterov = true }) end,
  adagrad  = function(ps, lr) return optim.Adagrad(ps, { lr = lr or 0.5 }) end,
  adadelta = function(ps, lr) return optim.Adadelta(ps, { lr = lr or 1 }) end,
  rmsprop  = function(ps, lr) return optim.RMSprop(ps, { lr = lr or 0.01 }) end,
  adam     = function(ps, lr) return optim.Adam(ps, { lr = lr or 0.05 }) end,
}
names = { "sgd", "momentum", "nag", "adagrad", "adadelta", "rmsprop", "adam" }
paths, finals = {}, {}
for _, name in ipairs(names) do
  paths[name], finals[name] = run(racers[name], rosenbrock, { -1.5, 2 }, 50)
end]],
      check = function(env)
        local ok, msg = check_racers(env)
        if not ok then return ok, msg end
        if type(env.paths) ~= "table" or type(env.finals) ~= "table" then
          return false, { en = "collect the tables paths and finals", ko = "paths와 finals 테이블을 모으세요" }
        end
        for _, name in ipairs(NAMES) do
          local path, final = env.paths[name], value(env.finals[name])
          if type(path) ~= "table" or #path ~= 501 then
            return false, { en = ("paths.%s should have 501 points (the start and 500 steps), it has %s"):format(name, type(path) == "table" and #path or "none"),
                            ko = ("paths.%s에는 점이 501개(시작점과 500단계) 있어야 하는데 %s개입니다"):format(name, type(path) == "table" and #path or "없음") }
          end
          if math.abs(path[1][1] + 1.5) > 1e-6 or math.abs(path[1][2] - 2) > 1e-6 then
            return false, { en = "every racer starts at (−1.5, 2)", ko = "모든 선수는 (−1.5, 2)에서 출발합니다" }
          end
          local last = path[#path]
          if not final or math.abs(final - ref.rosenbrock(last[1], last[2])) > 1e-3 * math.max(1, final) then
            return false, { en = ("finals.%s should be rosenbrock at the end of its path"):format(name),
                            ko = ("finals.%s 값은 경로 끝에서의 rosenbrock 값이어야 합니다"):format(name) }
          end
        end
        for _, name in ipairs({ "sgd", "momentum", "adam" }) do
          local p = replay(env.racers[name], env.rosenbrock, { -1.5, 2 }, 500)
          local last = env.paths[name][501]
          if math.abs(p[1] - last[1]) > 1e-3 or math.abs(p[2] - last[2]) > 1e-3 then
            return false, { en = ("racers.%s, replayed 500 steps, ends at %s, but paths.%s ends at %s"):format(name, pt(p), name, pt(last)),
                            ko = ("racers.%s 옵티마이저로 500 스텝 다시 돌리면 %s에서 끝나는데 paths.%s의 끝은 %s입니다"):format(name, pt(p), name, pt(last)) }
          end
        end
        local f = env.finals
        if not (f.momentum < f.sgd / 10 and f.nag < f.sgd / 10) then
          return false, { en = ("momentum (%.3g) and NAG (%.3g) should end far below plain SGD (%.3g) with the same learning rate"):format(f.momentum, f.nag, f.sgd),
                          ko = ("같은 학습률에서 모멘텀(%.3g)과 NAG(%.3g)는 일반 SGD(%.3g)보다 훨씬 낮게 끝나야 합니다"):format(f.momentum, f.nag, f.sgd) }
        end
        return true
      end,
      hints = { { en = "Plain SGD crawls along the flat floor of the valley: the gradient there is tiny. Momentum builds up speed.",
                  ko = "일반 SGD는 골짜기의 평평한 바닥을 기어갑니다: 거기서는 기울기가 아주 작으니까요. 모멘텀은 속도를 쌓습니다." } },
    },
    {
      text = {
        en = [[
One surface proves little, and one learning rate for everyone proves less: the table
would mostly say whose default suits which surface (at lr 1e-3 plain SGD still sits on
the saddle after 500 steps; at lr 0.3 it reaches the valley). So tune: for each surface
and optimizer keep the best final value over the learning rates lrs, in
best[surface][name] = { lr = ..., final = ... }. Add a fifth surface, tilted: the bowl
turned 45°, the same valley with its steep and flat directions on the diagonals. Then
compare the bowl with the tilted bowl, optimizer by optimizer.]],
        ko = [[
곡면 하나로는 증명되는 것이 별로 없고, 모두에게 같은 학습률 하나를 주면 더 그렇습니다. 그런
표는 주로 누구의 기본값이 어느 곡면에 맞는지를 보여 줄 뿐입니다 (lr 1e-3의 일반 SGD는
500 스텝 뒤에도 안장점에 머물지만, lr 0.3이면 골짜기에 닿습니다). 그러니 학습률을
조정하세요. 곡면과 옵티마이저마다 학습률 목록 lrs 가운데 가장 좋은 마지막 값을
best[곡면][이름] = { lr = ..., final = ... }에 남기세요. 다섯 번째 곡면 tilted도 더합니다.
그릇을 45° 돌려서, 같은 골짜기의 가파른 방향과 평평한 방향이 대각선에 놓이게 한 것입니다.
그다음 옵티마이저마다 그릇과 돌린 그릇을 비교해 보세요.]],
      },
      code = [[
c = math.sqrt(0.5)
function tilted(x, y) return bowl(c * (x + y), c * (y - x)) end
surfaces.tilted = tilted
starts = { rosenbrock = { -1.5, 2 }, beale = { 1, 1.5 }, saddle = { 1, 1e-3 },
           bowl = { -8, 1 }, tilted = { -9 * c, -7 * c } }   -- (−8, 1) turned 45°
lrs = { 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1, 3 }
best = {}
for surface, start in pairs(starts) do
  best[surface] = {}
  for _, name in ipairs(names) do
    local row = { final = math.huge }
    for _, lr in ipairs(lrs) do
      local make = function(ps) return racers[name](ps, lr) end
      local _, final = run(make, surfaces[surface], start, 500)
      if final < row.final then row = { lr = lr, final = final } end
    end
    best[surface][name] = row
  end
end
print(("%-11s" .. ("%10s"):rep(#names)):format("", table.unpack(names)))
for _, surface in ipairs({ "rosenbrock", "beale", "saddle", "bowl", "tilted" }) do
  local line = ("%-11s"):format(surface)
  for _, name in ipairs(names) do
    line = line .. ("%10.2g"):format(best[surface][name].final)
  end
  print(line)
end]],
      wrong = [[
c = math.sqrt(0.5)
function tilted(x, y) return bowl(c * (x + y), c * (y - x)) end
surfaces.tilted = tilted
starts = { rosenbrock = { -1.5, 2 }, beale = { 1, 1.5 }, saddle = { 1, 1e-3 },
           bowl = { -8, 1 }, tilted = { -9 * c, -7 * c } }
best = {}
for surface, start in pairs(starts) do
  best[surface] = {}
  for _, name in ipairs(names) do
    local _, final = run(racers[name], surfaces[surface], start, 500)
    best[surface][name] = { lr = 1e-3, final = final }
  end
end]],
      check = function(env)
        local ok, msg = check_racers(env)
        if not ok then return ok, msg end
        local b = env.best
        if type(b) ~= "table" then return false, { en = "make the table best", ko = "best 테이블을 만드세요" } end
        for _, s in ipairs({ "rosenbrock", "beale", "saddle", "bowl", "tilted" }) do
          if type(b[s]) ~= "table" then
            return false, { en = "best." .. s .. " is missing", ko = "best." .. s .. " 항목이 없습니다" }
          end
          for _, name in ipairs(NAMES) do
            local row = b[s][name]
            if type(row) ~= "table" or type(row.lr) ~= "number" or not finite(value(row.final)) then
              return false, { en = ("best.%s.%s should be { lr = ..., final = ... } (numbers)"):format(s, name),
                              ko = ("best.%s.%s 값은 { lr = ..., final = ... }(숫자)여야 합니다"):format(s, name) }
            end
          end
        end
        local LRS = { 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1, 3 }
        local c = math.sqrt(0.5)
        local function tilted(x, y) return ref.bowl(c * (x + y), c * (y - x)) end
        local function final_of(name, f, start, lr)
          local p = replay(function(ps) return env.racers[name](ps, lr) end, f, start, 500)
          return f(p[1], p[2])
        end
        -- plain SGD on the saddle: its best learning rate, searched again here
        local top, top_lr = math.huge, nil
        for _, lr in ipairs(LRS) do
          local f = final_of("sgd", ref.saddle, { 1, 1e-3 }, lr)
          if f == f and f < top then top, top_lr = f, lr end
        end
        if math.abs(b.saddle.sgd.final - top) > 1e-6 + 1e-4 * math.abs(top) then
          return false, { en = ("best.saddle.sgd.final = %.4g, but SGD's best over lrs is %.4g (lr %g): try every lr in lrs and keep the lowest final"):format(b.saddle.sgd.final, top, top_lr),
                          ko = ("best.saddle.sgd.final = %.4g인데 lrs 가운데 SGD의 최선은 %.4g입니다 (lr %g). lrs의 모든 lr을 시도하고 가장 낮은 final을 남기세요"):format(b.saddle.sgd.final, top, top_lr) }
        end
        if not (top < -0.2) then
          return false, { en = ("with its best learning rate plain SGD should reach a valley of the saddle (−0.25), it ends at %.3g"):format(top),
                          ko = ("가장 좋은 학습률이면 일반 SGD도 안장점 곡면의 골짜기(−0.25)에 닿아야 하는데 %.3g에서 끝납니다"):format(top) }
        end
        -- the bowl and the tilted bowl, replayed with the learner's learning rates
        for _, name in ipairs({ "sgd", "momentum", "rmsprop" }) do
          for _, case in ipairs({ { "bowl", ref.bowl, { -8, 1 } }, { "tilted", tilted, { -9 * c, -7 * c } } }) do
            local row = b[case[1]][name]
            local want = final_of(name, case[2], case[3], row.lr)
            if math.abs(value(row.final) - want) > 1e-6 + 1e-3 * math.abs(want) then
              return false, { en = ("best.%s.%s says %.4g at lr %g, but %s ends at %.4g there: is tilted the bowl turned, bowl(c·(x + y), c·(y − x))?"):format(case[1], name, value(row.final), row.lr, name, want),
                              ko = ("best.%s.%s에 적힌 값: lr %g, final %.4g. 하지만 %s 옵티마이저는 거기서 %.4g에서 끝납니다. tilted가 돌린 그릇 bowl(c·(x + y), c·(y − x))인가요?"):format(case[1], name, row.lr, value(row.final), name, want) }
            end
          end
        end
        local sb, st = b.bowl.sgd, b.tilted.sgd
        if math.abs(sb.final - st.final) > 1e-3 * sb.final + 1e-12 then
          return false, { en = ("SGD should end at the same value on the bowl (%.3g) and the tilted bowl (%.3g): a rotation changes nothing for it"):format(sb.final, st.final),
                          ko = ("SGD는 그릇(%.3g)과 돌린 그릇(%.3g)에서 같은 값으로 끝나야 합니다. 회전은 SGD에 아무것도 바꾸지 않습니다"):format(sb.final, st.final) }
        end
        local rb, rt = b.bowl.rmsprop.final, b.tilted.rmsprop.final
        if not (rb < rt * 1e-6) then
          return false, { en = ("RMSprop should do far better on the bowl (%.3g) than tilted (%.3g): it rescales each coordinate, and only on the bowl are the coordinates the steep and flat directions"):format(rb, rt),
                          ko = ("RMSprop은 그릇(%.3g)에서 돌린 그릇(%.3g)보다 훨씬 잘해야 합니다. 좌표마다 크기를 조절하는데, 좌표가 가파른 방향과 평평한 방향과 일치하는 것은 그릇뿐입니다"):format(rb, rt) }
        end
        return true
      end,
      hints = { { en = "Look at the sgd, momentum and nag columns: bowl and tilted are the same. Then adagrad, rmsprop and adam.",
                  ko = "sgd, momentum, nag 열을 보세요. bowl과 tilted가 같습니다. 그다음 adagrad, rmsprop, adam 열을 보세요." } },
    },
    {
      text = { en = [[
What the table says. With its own learning rate every optimizer leaves the saddle: the
escape was a matter of step size, not of dividing by the gradient. SGD, momentum and NAG
end at the same values on the bowl and the tilted bowl. Adagrad, RMSprop and Adam divide
each coordinate by its own gradient scale: a diagonal rescaling. On the bowl the steep
and flat directions are the coordinate axes, and the rescaling evens them out (RMSprop
9e-91); tilted, each coordinate mixes both, and it cannot (RMSprop 0.04, Adagrad 2e-5).
Tuned to a large learning rate, Adam still gets there on its momentum (2e-22). Adaptive
methods help when the hard directions line up with the parameters, not on every
ill-conditioned surface. Measure it at Adam's own lr 0.05: adam_bowl and adam_tilted,
the final values of 500 steps.]],
               ko = [[
표가 말해 주는 것입니다. 자기 학습률을 받으면 모든 옵티마이저가 안장점을 벗어납니다.
탈출은 기울기로 나누기 때문이 아니라 스텝 크기의 문제였습니다. SGD, 모멘텀, NAG는 그릇과
돌린 그릇에서 같은 값으로 끝납니다. Adagrad, RMSprop, Adam은 좌표마다 자기 기울기의 크기로
나눕니다. 즉 대각 재조정입니다. 그릇에서는 가파른 방향과 평평한 방향이 좌표축이어서 재조정이
둘을 고르게 맞춰 주지만(RMSprop 9e-91), 돌린 그릇에서는 좌표마다 두 방향이 섞여서 그렇게 하지
못합니다(RMSprop 0.04, Adagrad 2e-5). 큰 학습률로 조정한 Adam은 모멘텀 덕분에 그래도 도달합니다(2e-22).
적응형 방법은 어려운 방향이 파라미터 축과 맞을 때 도움이 되지, 조건수가 나쁜 모든 곡면에서
그런 것은 아닙니다. Adam의 lr 0.05에서 측정해 보세요. 500 스텝 뒤의 마지막 값 adam_bowl과
adam_tilted를 구하세요.]] },
      code = [[
_, adam_bowl = run(racers.adam, bowl, starts.bowl, 500)
_, adam_tilted = run(racers.adam, tilted, starts.tilted, 500)
print(adam_bowl, adam_tilted)]],
      wrong = [[
_, adam_bowl = run(racers.adam, bowl, starts.bowl, 500)
_, adam_tilted = run(racers.adam, bowl, starts.tilted, 500)]],
      check = function(env)
        local ab, at = value(env.adam_bowl), value(env.adam_tilted)
        if not (finite(ab) and finite(at)) then
          return false, { en = "set adam_bowl and adam_tilted (numbers)", ko = "adam_bowl과 adam_tilted(숫자)를 구하세요" }
        end
        local n = nb()
        local c = math.sqrt(0.5)
        local function tilted(x, y) return ref.bowl(c * (x + y), c * (y - x)) end
        local make = function(ps) return n.optim.Adam(ps, { lr = 0.05 }) end
        local pb = replay(make, ref.bowl, { -8, 1 }, 500)
        local ptl = replay(make, tilted, { -9 * c, -7 * c }, 500)
        local wb, wt = ref.bowl(pb[1], pb[2]), tilted(ptl[1], ptl[2])
        if math.abs(ab - wb) > 1e-3 * wb + 1e-9 or math.abs(at - wt) > 1e-3 * wt + 1e-9 then
          return false, { en = ("Adam (lr 0.05) for 500 steps ends at %.3g on the bowl from (−8, 1) and %.3g on tilted from the turned start; you have %.3g and %.3g"):format(wb, wt, ab, at),
                          ko = ("Adam(lr 0.05)으로 500 스텝 가면 (−8, 1)에서 출발한 그릇은 %.3g, 돌린 출발점의 tilted는 %.3g에서 끝납니다. 지금 값은 각각 %.3g, %.3g입니다"):format(wb, wt, ab, at) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
What does each rule accumulate? Give two optimizers a constant slope: the loss 3·w has
gradient 3 everywhere. SGD with momentum 0.9 keeps momentum_buffer b ← 0.9·b + g, which
grows to g/(1 − 0.9) = 30: on a steady slope momentum takes 10 times bigger steps.
RMSprop keeps square_avg v ← 0.99·v + 0.01·g², which grows towards g² = 9, and steps by
lr·g/√v ≈ lr, whatever the slope. Read both from opt.state[w].]],
        ko = [[
각 규칙은 무엇을 쌓아 둘까요? 두 옵티마이저에 일정한 기울기를 줍니다: 손실 3·w의 기울기는
어디서나 3입니다. 모멘텀 0.9인 SGD는 momentum_buffer b ← 0.9·b + g를 유지하고, 이 값은
g/(1 − 0.9) = 30까지 자랍니다: 한결같은 비탈에서 모멘텀은 10배 큰 스텝 크기로 갑니다.
RMSprop은 square_avg v ← 0.99·v + 0.01·g²를 유지하고, 이 값은 g² = 9를 향해 자라며,
스텝 크기는 기울기와 상관없이 lr·g/√v ≈ lr입니다. 둘 다 opt.state[w]에서 읽어 보세요.]],
      },
      code = [[
w = zeros(1):requires_grad()
sgd_m = optim.SGD({ w }, { lr = 0.01, momentum = 0.9 })
for i = 1, 100 do sgd_m:zero_grad(); loss = 3 * w:sum(); loss:backward(); sgd_m:step() end
buf = sgd_m.state[w].momentum_buffer:item()
v = zeros(1):requires_grad()
rms = optim.RMSprop({ v }, { lr = 0.01 })
for i = 1, 500 do rms:zero_grad(); loss = 3 * v:sum(); loss:backward(); rms:step() end
sq = rms.state[v].square_avg:item()
print(buf, sq)]],
      wrong = [[
w = zeros(1):requires_grad()
sgd_m = optim.SGD({ w }, { lr = 0.01, momentum = 0.9 })
for i = 1, 100 do loss = 3 * w:sum(); loss:backward(); sgd_m:step() end
buf = sgd_m.state[w].momentum_buffer:item()
v = zeros(1):requires_grad()
rms = optim.RMSprop({ v }, { lr = 0.01 })
for i = 1, 500 do loss = 3 * v:sum(); loss:backward(); rms:step() end
sq = rms.state[v].square_avg:item()]],
      check = function(env)
        local buf, sq = value(env.buf), value(env.sq)
        if not buf or not sq then
          return false, { en = "set buf (the momentum buffer) and sq (RMSprop's square_avg) as numbers",
                          ko = "buf(모멘텀 버퍼)와 sq(RMSprop의 square_avg)를 숫자로 정하세요" }
        end
        if math.abs(buf - 30) > 0.1 then
          if buf > 30 then
            return false, { en = ("buf = %.4g, far above g/(1 − μ) = 30: the gradient grew every step — call zero_grad() before each backward"):format(buf),
                            ko = ("buf = %.4g, g/(1 − μ) = 30보다 훨씬 큽니다. 기울기가 매 단계 커졌습니다 — 매 backward 전에 zero_grad()를 호출하세요"):format(buf) }
          end
          return false, { en = ("buf = %.4g, but after 100 steps on slope 3 it should be about 3/(1 − 0.9) = 30"):format(buf),
                          ko = ("buf = %.4g인데, 기울기 3에서 100단계 뒤에는 약 3/(1 − 0.9) = 30이어야 합니다"):format(buf) }
        end
        local want = 9 * (1 - 0.99 ^ 500)
        if math.abs(sq - want) > 0.05 then
          return false, { en = ("sq = %.4g; after 500 steps of g = 3 the running average of g² is 9·(1 − 0.99^500) = %.3f"):format(sq, want),
                          ko = ("sq = %.4g, 하지만 g = 3으로 500 스텝 뒤 g²의 이동 평균은 9·(1 − 0.99^500) = %.3f입니다"):format(sq, want) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Adam keeps both: exp_avg m (a momentum, an average of g) and exp_avg_sq v (an average of
g², as RMSprop). Both start at 0, so early on they are too small; Adam divides them by
(1 − βᵗ) to correct that bias. At step t (st.step counts the steps already taken):
    m ← β₁·m + (1 − β₁)·g        v ← β₂·v + (1 − β₂)·g²
    p ← p − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
Take one Adam step on Rosenbrock, then predict the second from opt.state[p] and the new
gradient. Do not call step() again: check() takes Adam's second step on a copy of p and
compares. The second step is where the bias correction matters most: 1 − β₁² = 0.19,
while 1 − β₁ = 0.1.]],
        ko = [[
Adam은 둘 다 유지합니다: exp_avg m(모멘텀, g의 평균)과 exp_avg_sq v(RMSprop처럼 g²의
평균). 둘 다 0에서 시작하므로 초반에는 너무 작습니다. 그래서 Adam은 (1 − βᵗ)로 나누어 이
편향을 보정합니다. t번째 스텝에서는 다음과 같습니다 (st.step은 이미 밟은 스텝 수):
    m ← β₁·m + (1 − β₁)·g        v ← β₂·v + (1 − β₂)·g²
    p ← p − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
로젠브록에서 Adam으로 한 스텝 간 다음, opt.state[p]와 새 기울기로 두 번째 스텝을 예측하세요.
step()은 다시 호출하지 마세요. check()가 p의 사본으로 Adam의 두 번째 스텝을 밟아 비교합니다.
편향 보정이 가장 크게 작용하는 것이 두 번째 스텝입니다. 1 − β₁² = 0.19이고 1 − β₁ = 0.1입니다.]],
      },
      code = [[
p = tensor{ -1.5, 2 }:requires_grad()
adam = optim.Adam({ p }, { lr = 0.05 })
adam:zero_grad(); rosenbrock(p[1], p[2]):backward(); adam:step()
adam:zero_grad(); rosenbrock(p[1], p[2]):backward()
st, g = adam.state[p], p.grad
b1, b2, lr, eps = 0.9, 0.999, 0.05, 1e-8
-- your lines: t, then m and v with the new g, then
-- predicted = p:detach() - lr * ... (tensors: (x):sqrt() is √x)
print(st.step, st.exp_avg, st.exp_avg_sq, g)]],
      solution = [[
p = tensor{ -1.5, 2 }:requires_grad()
adam = optim.Adam({ p }, { lr = 0.05 })
adam:zero_grad(); rosenbrock(p[1], p[2]):backward(); adam:step()
adam:zero_grad(); rosenbrock(p[1], p[2]):backward()
st, g = adam.state[p], p.grad
b1, b2, lr, eps = 0.9, 0.999, 0.05, 1e-8
t = st.step + 1
m = b1 * st.exp_avg + (1 - b1) * g
v = b2 * st.exp_avg_sq + (1 - b2) * g ^ 2
predicted = p:detach() - lr * (m / (1 - b1 ^ t)) / ((v / (1 - b2 ^ t)):sqrt() + eps)]],
      wrong = [[
p = tensor{ -1.5, 2 }:requires_grad()
adam = optim.Adam({ p }, { lr = 0.05 })
adam:zero_grad(); rosenbrock(p[1], p[2]):backward(); adam:step()
adam:zero_grad(); rosenbrock(p[1], p[2]):backward()
st, g = adam.state[p], p.grad
b1, b2, lr, eps = 0.9, 0.999, 0.05, 1e-8
m = b1 * st.exp_avg + (1 - b1) * g
v = b2 * st.exp_avg_sq + (1 - b2) * g ^ 2
predicted = p:detach() - lr * m / (v:sqrt() + eps)]],
      wrongs = {
        { code = [[
p = tensor{ -1.5, 2 }:requires_grad()
adam = optim.Adam({ p }, { lr = 0.05 })
adam:zero_grad(); rosenbrock(p[1], p[2]):backward(); adam:step()
adam:zero_grad(); rosenbrock(p[1], p[2]):backward()
st, g = adam.state[p], p.grad
b1, b2, lr, eps = 0.9, 0.999, 0.05, 1e-8
t = st.step
m = b1 * st.exp_avg + (1 - b1) * g
v = b2 * st.exp_avg_sq + (1 - b2) * g ^ 2
predicted = p:detach() - lr * (m / (1 - b1 ^ t)) / ((v / (1 - b2 ^ t)):sqrt() + eps)]],
          says = { en = "t is off by one", ko = "t가 하나 어긋났습니다" } },
        { code = [[
p = tensor{ -1.5, 2 }:requires_grad()
adam = optim.Adam({ p }, { lr = 0.05 })
adam:zero_grad(); rosenbrock(p[1], p[2]):backward(); adam:step()
adam:zero_grad(); rosenbrock(p[1], p[2]):backward()
adam:step()
predicted = p:detach():clone()]],
          says = { en = "copied where Adam put p", ko = "Adam이 옮긴 p를 복사했습니다" } },
      },
      check = function(env)
        local n = nb()
        if not (n.is_tensor(env.p) and n.is_tensor(env.predicted)) then
          return false, { en = "make p (the point Adam moves) and predicted (your second step)",
                          ko = "p(Adam이 옮기는 점)와 predicted(직접 계산한 두 번째 스텝)를 만드세요" }
        end
        local one = replay(function(ps) return n.optim.Adam(ps, { lr = 0.05 }) end, ref.rosenbrock, { -1.5, 2 }, 1)
        local two = replay(function(ps) return n.optim.Adam(ps, { lr = 0.05 }) end, ref.rosenbrock, { -1.5, 2 }, 2)
        local p = env.p:detach():reshape(-1):tolist()
        local q = env.predicted:detach():reshape(-1):tolist()
        local function dist(a, b)
          if #a ~= 2 or #b ~= 2 then return math.huge end
          return math.max(math.abs(a[1] - b[1]), math.abs(a[2] - b[2]))
        end
        if dist(p, two) < 1e-6 then
          return false, { en = "p has already taken Adam's second step: you called step() and copied where Adam put p. Predict from st.exp_avg, st.exp_avg_sq and the gradient, before any step()",
                          ko = "p가 이미 Adam의 두 번째 스텝을 밟았습니다. step()을 호출하고 Adam이 옮긴 p를 복사했습니다. step() 전에 st.exp_avg, st.exp_avg_sq와 기울기로 예측하세요" }
        end
        if dist(p, one) > 1e-6 then
          return false, { en = ("after one Adam step (lr 0.05) from (−1.5, 2) p should be %s, it is %s"):format(pt(one), #p == 2 and pt(p) or "?"),
                          ko = ("(−1.5, 2)에서 Adam(lr 0.05)으로 한 스텝 간 뒤 p는 %s여야 하는데 지금은 %s입니다"):format(pt(one), #p == 2 and pt(p) or "?") }
        end
        local d = dist(q, two)
        if d <= 1e-5 then return true end
        -- what the usual slips give, computed here from the same state
        local x, y = one[1], one[2]
        local function grad(a, b) return -2 * (1 - a) - 400 * a * (b - a ^ 2), 200 * (b - a ^ 2) end
        local g0 = { grad(-1.5, 2) }
        local g1 = { grad(x, y) }
        local function predict(t, corrected)
          local out = {}
          for i = 1, 2 do
            local m = 0.9 * (0.1 * g0[i]) + 0.1 * g1[i]
            local v = 0.999 * (0.001 * g0[i] ^ 2) + 0.001 * g1[i] ^ 2
            local mh, vh = m, v
            if corrected then mh, vh = m / (1 - 0.9 ^ t), v / (1 - 0.999 ^ t) end
            out[i] = one[i] - 0.05 * mh / (math.sqrt(vh) + 1e-8)
          end
          return out
        end
        if dist(q, predict(1, true)) < 1e-4 or dist(q, predict(3, true)) < 1e-4 then
          return false, { en = ("predicted %s: t is off by one. st.step counts the steps already taken (1); the step you predict is t = st.step + 1 = 2"):format(pt(q)),
                          ko = ("predicted %s: t가 하나 어긋났습니다. st.step은 이미 밟은 스텝 수(1)이고, 예측할 스텝은 t = st.step + 1 = 2입니다"):format(pt(q)) }
        end
        if dist(q, predict(2, false)) < 1e-4 then
          return false, { en = ("predicted %s leaves out the bias correction: divide m by (1 − β₁ᵗ) and v by (1 − β₂ᵗ)"):format(pt(q)),
                          ko = ("predicted %s에는 편향 보정이 빠졌습니다. m을 (1 − β₁ᵗ)로, v를 (1 − β₂ᵗ)로 나누세요"):format(pt(q)) }
        end
        return false, { en = ("predicted %s is %.3g away from Adam's second step: update m and v with the new gradient first, then correct both with t = st.step + 1"):format(pt(q), d),
                        ko = ("predicted %s 값이 Adam의 두 번째 스텝과 %.3g만큼 다릅니다. 먼저 새 기울기로 m과 v를 갱신하고, t = st.step + 1로 둘 다 보정하세요"):format(pt(q), d) }
      end,
      hints = { { en = "The state holds m and v after step 1; the step you predict is t = st.step + 1 = 2.",
                  ko = "상태에는 1번째 스텝 뒤의 m과 v가 들어 있고, 예측할 스텝은 t = st.step + 1 = 2입니다." },
                { en = "m = b1 * st.exp_avg + (1 - b1) * g, and v the same with b2 and g ^ 2.",
                  ko = "m = b1 * st.exp_avg + (1 - b1) * g이고, v는 b2와 g ^ 2로 같은 식입니다." },
                { en = "Divide m by (1 - b1 ^ t) and v by (1 - b2 ^ t) before the square root.",
                  ko = "제곱근을 취하기 전에 m을 (1 - b1 ^ t)로, v를 (1 - b2 ^ t)로 나누세요." } },
    },
    {
      text = {
        en = [[
Now a real (small) network: a 2-16-2 MLP classifying the two moons, full batch, 100 steps,
the same initial weights for every optimizer (manual_seed before building the model).
The learning rates differ from the 2-D race: a network's loss surface has its own scale.
Keep each optimizer's loss curve in curves[name] and draw them side by side.]],
        ko = [[
이제 진짜 (작은) 신경망입니다: 두 개의 반달(moons)을 분류하는 2-16-2 MLP를 전체 배치로
100단계 학습합니다. 모든 옵티마이저가 같은 초기 가중치에서 시작합니다 (모델을 만들기 전에
manual_seed). 학습률은 2차원 경주와 다릅니다. 신경망의 손실 곡면은 스케일이 저마다 다르기 때문입니다.
옵티마이저마다 손실 곡선을 curves[name]에 모으고 나란히 그려 보세요.]],
      },
      code = [[
manual_seed(0)
moons = data.moons{ n = 200, noise = 0.15 }
mlp_lr = { sgd = 0.1, momentum = 0.1, nag = 0.1, adagrad = 0.05, adadelta = 1, rmsprop = 0.01, adam = 0.01 }
curves = {}
for _, name in ipairs(names) do
  manual_seed(1)
  local model = nn.Sequential{ nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2) }
  local opt = racers[name](model:parameters(), mlp_lr[name])
  local loss_fn = nn.CrossEntropyLoss()
  curves[name] = {}
  for step = 1, 100 do
    opt:zero_grad()
    local loss = loss_fn(model(moons.x), moons.y)
    loss:backward()
    opt:step()
    curves[name][step] = loss:item()
  end
end
plot.lines(curves, { xlabel = "step", ylabel = "loss" })]],
      wrong = [[
manual_seed(0)
moons = data.moons{ n = 200, noise = 0.15 }
curves = {}
for _, name in ipairs(names) do
  local model = nn.Sequential{ nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2) }
  local opt = racers[name](model:parameters())
  local loss_fn = nn.CrossEntropyLoss()
  curves[name] = {}
  for step = 1, 100 do
    opt:zero_grad()
    local loss = loss_fn(model(moons.x), moons.y)
    loss:backward()
    opt:step()
    curves[name][step] = loss:item()
  end
end]],
      check = function(env)
        local c = env.curves
        if type(c) ~= "table" then return false, { en = "make the table curves", ko = "curves 테이블을 만드세요" } end
        for _, name in ipairs(NAMES) do
          local curve = c[name]
          if type(curve) ~= "table" or #curve < 50 then
            return false, { en = ("curves.%s should hold the loss of each of the 100 steps"):format(name),
                            ko = ("curves.%s에는 100단계 각각의 손실이 있어야 합니다"):format(name) }
          end
          for _, v in ipairs(curve) do
            if not finite(v) then
              return false, { en = "curves." .. name .. " has a NaN or infinite loss: learning rate too large?",
                              ko = "curves." .. name .. "에 NaN이나 무한대 손실이 있습니다: 학습률이 너무 큰가요?" }
            end
          end
        end
        local first = c.sgd[1]
        for _, name in ipairs(NAMES) do
          if math.abs(c[name][1] - first) > 1e-4 then
            return false, { en = ("the first losses differ (%s %.4f, sgd %.4f): call manual_seed(1) before building each model, so all start from the same weights"):format(name, c[name][1], first),
                            ko = ("첫 손실이 다릅니다 (%s %.4f, sgd %.4f): 모델을 만들기 전마다 manual_seed(1)을 호출해 모두 같은 가중치에서 시작하게 하세요"):format(name, c[name][1], first) }
          end
        end
        local last = function(name) return c[name][#c[name]] end
        if not (last("momentum") < last("sgd")) then
          return false, { en = ("with the same learning rate, momentum (%.4f) should end below SGD (%.4f)"):format(last("momentum"), last("sgd")),
                          ko = ("같은 학습률에서 모멘텀(%.4f)이 SGD(%.4f)보다 낮게 끝나야 합니다"):format(last("momentum"), last("sgd")) }
        end
        if not (last("adam") < 0.5 * first) then
          return false, { en = ("Adam should at least halve the loss in 100 steps (%.4f → %.4f): use mlp_lr"):format(first, last("adam")),
                          ko = ("Adam은 100단계에 손실을 적어도 절반으로 줄여야 합니다 (%.4f → %.4f): mlp_lr를 쓰세요"):format(first, last("adam")) }
        end
        return true
      end,
    },
    {
      text = { en = "What did we see?", ko = "무엇을 보았나요?" },
      quiz = {
        question = { en = "Which sentence describes momentum, RMSprop and Adam correctly?",
                     ko = "모멘텀, RMSprop, Adam을 올바르게 설명한 것은?" },
        choices = {
          { en = "Momentum keeps only the gradient's sign; RMSprop squares it; Adam multiplies the two, clipped",
            ko = "모멘텀은 기울기의 부호만 남기고, RMSprop은 제곱하며, Adam은 둘을 곱해서 잘라 낸다" },
          { en = "Momentum averages past gradients; RMSprop divides each coordinate by its recent RMS; Adam does both",
            ko = "모멘텀은 지난 기울기를 평균하고, RMSprop은 좌표마다 최근 RMS로 나누며, Adam은 둘 다 한다" },
          { en = "Momentum gives each coordinate its own learning rate; RMSprop adds a velocity; Adam averages the two",
            ko = "모멘텀은 좌표마다 다른 학습률을 주고, RMSprop은 속도를 더하며, Adam은 두 갱신의 평균이다" },
          { en = "All three lower the learning rate as training goes on, and Adam lowers it the fastest",
            ko = "셋 다 학습이 진행될수록 학습률을 낮추고, 그중 Adam이 가장 빨리 낮춘다" },
        },
        answer = 2,
        explain = { en = "Right: m is an exponentially decaying average of g (momentum), v one of g² (RMSprop), and Adam steps by m̂/√v̂, with bias correction: a per-coordinate (diagonal) rescaling, not a rotation.",
                    ko = "맞습니다: m은 g의 지수 이동 평균(모멘텀), v는 g²의 지수 이동 평균(RMSprop)이고, Adam은 편향을 보정한 m̂/√v̂만큼 갑니다. 좌표마다 따로 크기를 바꾸는 (대각) 조정이지, 회전이 아닙니다." },
        wrong = {
          [1] = { en = "No optimizer here keeps only the sign (that would be signSGD); momentum keeps a decaying average of the whole gradient.",
                  ko = "여기에 부호만 쓰는 옵티마이저는 없습니다 (그건 signSGD입니다). 모멘텀은 기울기 전체의 지수 이동 평균을 씁니다." },
          [3] = { en = "It is the other way round: RMSprop rescales each coordinate; momentum is the velocity.",
                  ko = "반대입니다. 좌표마다 스텝 크기를 조절하는 것이 RMSprop이고, 속도는 모멘텀입니다." },
          [4] = { en = "That is Adagrad (its sum only grows) or a scheduler. RMSprop's average forgets old gradients, and momentum can make steps longer.",
                  ko = "그건 Adagrad(합이 커지기만 함)나 스케줄러입니다. RMSprop의 평균은 오래된 기울기를 잊고, 모멘텀은 스텝 크기를 키울 수도 있습니다." },
        },
      },
    },
    {
      text = { en = "One more: Adagrad's weakness.", ko = "하나 더: Adagrad의 약점." },
      quiz = {
        question = { en = "On a long run Adagrad nearly stops moving, even far from a minimum. Why, and what did RMSprop change?",
                     ko = "긴 학습에서 Adagrad는 최솟값과 먼 곳에서도 거의 움직이지 않게 됩니다. 왜일까요? RMSprop은 무엇을 바꿨나요?" },
        choices = {
          { en = "It clips every step a little harder than the last; RMSprop clips only the largest gradients",
            ko = "갈수록 스텝을 더 세게 잘라 내기 때문이고, RMSprop은 가장 큰 기울기만 잘라 낸다" },
          { en = "Its gradients vanish with depth; RMSprop adds momentum to keep the steps going",
            ko = "깊이를 따라 기울기가 소실되기 때문이고, RMSprop은 모멘텀을 더해서 스텝이 계속 나아가게 했다" },
          { en = "It divides by the root of an ever-growing sum of g²; RMSprop uses a decaying average instead",
            ko = "커지기만 하는 기울기 제곱의 합으로 나누기 때문이고, RMSprop은 오래된 기울기를 잊는 평균을 쓴다" },
          { en = "Its default learning rate is too small; RMSprop starts from a larger default",
            ko = "기본 학습률이 너무 작기 때문이고, RMSprop은 더 큰 기본값에서 시작한다" },
        },
        answer = 3,
        explain = { en = "Right: Adagrad's state `sum` keeps growing, so lr/√sum shrinks towards 0; RMSprop's square_avg tracks only recent gradients.",
                    ko = "맞습니다: Adagrad의 상태 `sum`은 계속 커져서 lr/√sum이 0으로 줄어듭니다. RMSprop의 square_avg는 최근 기울기만 따라갑니다." },
        wrong = {
          [1] = { en = "Neither clips anything: Adagrad's step is lr·g/√sum, and the sum is what keeps growing.",
                  ko = "둘 다 아무것도 잘라 내지 않습니다. Adagrad의 스텝은 lr·g/√sum이고, 계속 커지는 것은 그 합입니다." },
          [2] = { en = "The gradient itself need not be small: look at what Adagrad divides it by.",
                  ko = "기울기 자체가 작을 필요는 없습니다. Adagrad가 무엇으로 나누는지 보세요." },
          [4] = { en = "Any fixed learning rate would still be divided by an ever-growing sum.",
                  ko = "어떤 고정 학습률이든 계속 커지는 합으로 나뉘게 됩니다." },
        },
      },
    },
  },
}

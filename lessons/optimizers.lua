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
  bowl        조건수가 나쁜 그릇: 가로 방향이 세로 방향보다 100배 가파름
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
The racers. Momentum keeps a running sum of gradients (a velocity); Nesterov (NAG) looks
at the slope where the velocity is taking it. Adagrad divides each coordinate's step by
the root of the sum of all its squared gradients so far; RMSprop by a running average
instead; Adadelta also scales the step by the size of recent updates; Adam combines a
momentum with RMSprop's scaling. Race them 500 steps from (−1.5, 2) down the Rosenbrock
valley, and draw the paths on the contour plot.]],
        ko = [[
선수들입니다. 모멘텀은 기울기의 누적(속도)을 유지하고, 네스테로프(NAG)는 속도가 데려갈 곳의
기울기를 봅니다. Adagrad는 좌표마다 지금까지 기울기 제곱의 합의 제곱근으로 스텝 크기를 나누고,
RMSprop은 그 대신 이동 평균으로 나눕니다. Adadelta는 최근 갱신량의 크기로도 스텝 크기를 조절하고,
Adam은 모멘텀과 RMSprop의 스텝 크기 조절을 합친 것입니다. (−1.5, 2)에서 로젠브록 골짜기를
500단계 내려가는 경주를 시키고, 경로를 등고선 그림 위에 그려 보세요.]],
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
One surface proves nothing. Race everyone on all four, with the same settings, and make a
table results[surface][name] of final values. Look at the saddle: started just off the
ridge (y = 0.001), the slope towards the valleys is tiny, and SGD and momentum sit on the
saddle for a long time; the methods that divide by the gradient's size escape at once. On
the ill-conditioned bowl the same division evens out the steep and the flat direction.]],
        ko = [[
곡면 하나로는 아무것도 증명되지 않습니다. 같은 설정으로 네 곡면 모두에서 경주시키고, 마지막
값을 results[곡면][이름] 표로 만드세요. 안장점을 보세요: 능선에서 살짝 벗어난 곳(y = 0.001)에서
출발하면 골짜기 쪽 기울기가 아주 작아서, SGD와 모멘텀은 오랫동안 안장점에 머뭅니다. 기울기의
크기로 나누는 방법들은 곧바로 빠져나갑니다. 조건수가 나쁜 그릇에서는 같은 나눗셈이 가파른
방향과 평평한 방향의 스텝 크기를 고르게 맞춰 줍니다.]],
      },
      code = [[
starts = { rosenbrock = { -1.5, 2 }, beale = { 1, 1.5 }, saddle = { 1, 1e-3 }, bowl = { -8, 1 } }
results = {}
for surface, start in pairs(starts) do
  results[surface] = {}
  for _, name in ipairs(names) do
    local _, final = run(racers[name], surfaces[surface], start, 500)
    results[surface][name] = final
  end
end
print(("%-11s" .. ("%10s"):rep(#names)):format("", table.unpack(names)))
for surface, row in pairs(results) do
  local line = ("%-11s"):format(surface)
  for _, name in ipairs(names) do line = line .. ("%10.3g"):format(row[name]) end
  print(line)
end]],
      wrong = [[
starts = { rosenbrock = { -1.5, 2 }, beale = { 1, 1.5 }, saddle = { 1, 0 }, bowl = { -8, 1 } }
results = {}
for surface, start in pairs(starts) do
  results[surface] = {}
  for _, name in ipairs(names) do
    local _, final = run(racers[name], surfaces[surface], start, 500)
    results[surface][name] = final
  end
end]],
      check = function(env)
        local ok, msg = check_racers(env)
        if not ok then return ok, msg end
        local r = env.results
        if type(r) ~= "table" then return false, { en = "make the table results", ko = "results 테이블을 만드세요" } end
        for _, s in ipairs(SURFACES) do
          if type(r[s]) ~= "table" then
            return false, { en = "results." .. s .. " is missing", ko = "results." .. s .. " 값이 없습니다" }
          end
          for _, name in ipairs(NAMES) do
            if not finite(value(r[s][name])) then
              return false, { en = ("results.%s.%s should be a number (the final value of f)"):format(s, name),
                              ko = ("results.%s.%s 값은 숫자(f의 마지막 값)여야 합니다"):format(s, name) }
            end
          end
        end
        -- the saddle and the bowl, replayed here with the learner's racers
        for _, case in ipairs({ { "saddle", { 1, 1e-3 }, "adam" }, { "bowl", { -8, 1 }, "sgd" }, { "bowl", { -8, 1 }, "adam" } }) do
          local s, start, name = case[1], case[2], case[3]
          local p = replay(env.racers[name], ref[s], start, 500)
          local want = ref[s](p[1], p[2])
          if math.abs(value(r[s][name]) - want) > 1e-3 * math.max(1, math.abs(want)) + 1e-6 then
            if s == "saddle" and math.abs(value(r.saddle.adam)) < 1e-3 then
              return false, { en = "on the saddle nobody escaped: started exactly on the ridge (y = 0), the gradient in y is 0 forever — start at y = 1e-3",
                              ko = "안장점에서 아무도 빠져나가지 못했습니다: 능선 위(y = 0)에서 출발하면 y 방향 기울기가 영원히 0입니다 — y = 1e-3에서 출발하세요" }
            end
            return false, { en = ("results.%s.%s = %.4g, but %s from %s for 500 steps ends at %.4g"):format(s, name, value(r[s][name]), name, pt(start), want),
                            ko = ("results.%s.%s = %.4g인데, %s 옵티마이저로 %s에서 500 스텝 가면 %.4g에서 끝납니다"):format(s, name, value(r[s][name]), name, pt(start), want) }
          end
        end
        local sd = r.saddle
        if not (sd.adam < -0.2 and sd.rmsprop < -0.2 and sd.sgd > 0) then
          return false, { en = ("on the saddle Adam (%.3g) and RMSprop (%.3g) should reach a valley (−0.25) while SGD (%.3g) is still near the saddle"):format(sd.adam, sd.rmsprop, sd.sgd),
                          ko = ("안장점 곡면에서 Adam(%.3g)과 RMSprop(%.3g)은 골짜기(−0.25)에 닿고, SGD(%.3g)는 아직 안장점 근처여야 합니다"):format(sd.adam, sd.rmsprop, sd.sgd) }
        end
        if not (r.bowl.adam < r.bowl.sgd / 100) then
          return false, { en = ("on the bowl Adam (%.3g) should end far below SGD (%.3g)"):format(r.bowl.adam, r.bowl.sgd),
                          ko = ("그릇 곡면에서 Adam(%.3g)은 SGD(%.3g)보다 훨씬 낮게 끝나야 합니다"):format(r.bowl.adam, r.bowl.sgd) }
        end
        return true
      end,
      hints = { { en = "plot.contour(saddle, { xlim = {-1.5, 1.5}, ylim = {-1.5, 1.5}, paths = ... }) shows who left the saddle.",
                  ko = "plot.contour(saddle, { xlim = {-1.5, 1.5}, ylim = {-1.5, 1.5}, paths = ... })로 누가 안장점을 떠났는지 보세요." } },
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
(1 − βᵗ) to correct that bias. At step t:
    m ← β₁·m + (1 − β₁)·g        v ← β₂·v + (1 − β₂)·g²
    p ← p − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
Take 10 Adam steps on Rosenbrock, then predict the 11th from opt.state[p] and the gradient
before calling step(), and compare with where Adam puts p.]],
        ko = [[
Adam은 둘 다 유지합니다: exp_avg m(모멘텀, g의 평균)과 exp_avg_sq v(RMSprop처럼 g²의 평균).
둘 다 0에서 시작하므로 초반에는 너무 작습니다. Adam은 (1 − βᵗ)로 나누어 이 편향을 보정합니다.
t번째 단계에서:
    m ← β₁·m + (1 − β₁)·g        v ← β₂·v + (1 − β₂)·g²
    p ← p − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
로젠브록에서 Adam으로 10단계 간 다음, step()을 부르기 전에 opt.state[p]와 기울기로 11번째
단계를 예측하고, Adam이 p를 옮긴 곳과 비교하세요.]],
      },
      code = [[
p = tensor{ -1.5, 2 }:requires_grad()
adam = optim.Adam({ p }, { lr = 0.05 })
for i = 1, 10 do adam:zero_grad(); rosenbrock(p[1], p[2]):backward(); adam:step() end
adam:zero_grad(); rosenbrock(p[1], p[2]):backward()
st, g = adam.state[p], p.grad
b1, b2, lr, eps = 0.9, 0.999, 0.05, 1e-8
t = st.step + 1
m = b1 * st.exp_avg + (1 - b1) * g
v = b2 * st.exp_avg_sq + (1 - b2) * g ^ 2
predicted = p:detach() - lr * (m / (1 - b1 ^ t)) / ((v / (1 - b2 ^ t)):sqrt() + eps)
adam:step()
print(predicted, p)]],
      wrong = [[
p = tensor{ -1.5, 2 }:requires_grad()
adam = optim.Adam({ p }, { lr = 0.05 })
for i = 1, 10 do adam:zero_grad(); rosenbrock(p[1], p[2]):backward(); adam:step() end
adam:zero_grad(); rosenbrock(p[1], p[2]):backward()
st, g = adam.state[p], p.grad
b1, b2, lr, eps = 0.9, 0.999, 0.05, 1e-8
m = b1 * st.exp_avg + (1 - b1) * g
v = b2 * st.exp_avg_sq + (1 - b2) * g ^ 2
predicted = p:detach() - lr * m / (v:sqrt() + eps)
adam:step()]],
      check = function(env)
        local n = nb()
        if not (n.is_tensor(env.p) and n.is_tensor(env.predicted)) then
          return false, { en = "make p (the point Adam moves) and predicted (your 11th step)",
                          ko = "p(Adam이 옮기는 점)와 predicted(직접 계산한 11번째 단계)를 만드세요" }
        end
        -- 11 steps of Adam from (−1.5, 2), replayed here
        local want = replay(function(ps) return n.optim.Adam(ps, { lr = 0.05 }) end, ref.rosenbrock, { -1.5, 2 }, 11)
        local p = env.p:tolist()
        if #p ~= 2 or math.abs(p[1] - want[1]) > 1e-4 or math.abs(p[2] - want[2]) > 1e-4 then
          return false, { en = ("after 11 Adam steps (lr 0.05) from (−1.5, 2) p should be %s, it is %s"):format(pt(want), #p == 2 and pt(p) or "?"),
                          ko = ("(−1.5, 2)에서 Adam(lr 0.05)으로 11단계 뒤 p는 %s여야 하는데 %s입니다"):format(pt(want), #p == 2 and pt(p) or "?") }
        end
        local q = env.predicted:reshape(-1):tolist()
        local d = math.max(math.abs(q[1] - p[1]), math.abs((q[2] or 0) - p[2]))
        if #q ~= 2 or d > 1e-4 then
          return false, { en = ("predicted %s is %.3g away from where Adam moved p: did you divide m by (1 − β₁ᵗ) and v by (1 − β₂ᵗ), with t = st.step + 1?"):format(pt(q), d),
                          ko = ("predicted %s 값이 Adam이 옮긴 p와 %.3g만큼 다릅니다: m을 (1 − β₁ᵗ)로, v를 (1 − β₂ᵗ)로 나눴나요 (t = st.step + 1)?"):format(pt(q), d) }
        end
        return true
      end,
      hints = { { en = "The state holds m and v from step 10; the step you predict is t = 11.",
                  ko = "상태에는 10단계의 m과 v가 들어 있고, 예측할 단계는 t = 11입니다." } },
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
manual_seed). 학습률은 2차원 경주와 다릅니다: 신경망의 손실 곡면은 고유한 스케일을 갖습니다.
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
                            ko = ("첫 손실이 다릅니다 (%s %.4f, sgd %.4f): 모델을 만들기 전마다 manual_seed(1)을 불러 모두 같은 가중치에서 시작하게 하세요"):format(name, c[name][1], first) }
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
          { en = "Momentum averages gradients over time (speed along steady directions, damped zig-zags); RMSprop divides each coordinate by the RMS of its recent gradients (similar steps in steep and flat directions); Adam does both, with bias correction",
            ko = "모멘텀은 기울기를 시간에 걸쳐 평균하고 (한결같은 방향으로는 가속, 지그재그는 감쇠), RMSprop은 좌표마다 최근 기울기의 RMS로 나누며 (가파른 방향과 평평한 방향의 스텝 크기를 비슷하게), Adam은 둘 다 하면서 편향을 보정한다" },
          { en = "Momentum gives each coordinate its own learning rate; RMSprop adds a velocity; Adam averages the two updates",
            ko = "모멘텀은 좌표마다 다른 학습률을 주고, RMSprop은 속도를 더하며, Adam은 두 갱신의 평균이다" },
          { en = "Both lower the learning rate over time; Adam lowers it fastest",
            ko = "둘 다 시간이 갈수록 학습률을 낮추고, Adam이 가장 빨리 낮춘다" },
        },
        answer = 1,
        explain = { en = "Right: m is momentum's running mean of g, v is RMSprop's running mean of g², and Adam steps by m̂/√v̂.",
                    ko = "맞습니다: m은 모멘텀의 g 이동 평균, v는 RMSprop의 g² 이동 평균이고, Adam은 m̂/√v̂만큼 갑니다." },
        wrong = {
          [2] = { en = "It is the other way round: RMSprop scales each coordinate; momentum is the velocity.",
                  ko = "반대입니다: 좌표마다 스텝 크기를 조절하는 것이 RMSprop이고, 속도는 모멘텀입니다." },
          [3] = { en = "That is Adagrad (its sum only grows) or a scheduler; RMSprop's average forgets, and momentum can speed steps up.",
                  ko = "그건 Adagrad(합이 커지기만 함)나 스케줄러입니다. RMSprop의 평균은 잊어버리고, 모멘텀은 스텝 크기를 키울 수도 있습니다." },
        },
      },
      solution = [[answer(1)]],
      wrong = [[answer(2)]],
    },
    {
      text = { en = "One more: Adagrad's weakness.", ko = "하나 더: Adagrad의 약점." },
      quiz = {
        question = { en = "On a long run Adagrad nearly stops moving, even far from a minimum. Why, and what did RMSprop change?",
                     ko = "긴 학습에서 Adagrad는 최솟값과 먼 곳에서도 거의 움직이지 않게 됩니다. 왜일까요? RMSprop은 무엇을 바꿨나요?" },
        choices = {
          { en = "Its gradients vanish; RMSprop adds momentum", ko = "기울기가 소실되기 때문이고, RMSprop은 모멘텀을 더했다" },
          { en = "It divides by the root of a SUM of squared gradients, which only grows; RMSprop uses a decaying average that forgets old gradients",
            ko = "기울기 제곱의 '합'의 제곱근으로 나누는데 그 합은 커지기만 하기 때문이고, RMSprop은 오래된 기울기를 잊는 감쇠 평균을 쓴다" },
          { en = "Its learning rate is too small; RMSprop uses a larger default", ko = "학습률이 너무 작기 때문이고, RMSprop은 더 큰 기본값을 쓴다" },
        },
        answer = 2,
        explain = { en = "Right: Adagrad's state `sum` keeps growing, so lr/√sum shrinks towards 0; RMSprop's square_avg tracks only recent gradients.",
                    ko = "맞습니다: Adagrad의 상태 `sum`은 계속 커져서 lr/√sum이 0으로 줄어듭니다. RMSprop의 square_avg는 최근 기울기만 따라갑니다." },
        wrong = {
          { en = "The gradient itself need not be small: look at what Adagrad divides it by.", ko = "기울기 자체가 작을 필요는 없습니다: Adagrad가 무엇으로 나누는지 보세요." },
          [3] = { en = "Any fixed learning rate would still be divided by an ever-growing sum.", ko = "어떤 고정 학습률이든 계속 커지는 합으로 나뉘게 됩니다." },
        },
      },
      solution = [[answer(2)]],
      wrong = [[answer(3)]],
    },
  },
}

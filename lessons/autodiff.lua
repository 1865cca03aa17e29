-- Lesson: automatic differentiation — three ways to a derivative: finite differences (error
-- against h, where truncation meets rounding), forward mode (dual numbers with Lua
-- metatables), reverse mode (a tiny tape, then nabla's autograd and graph); the cost for n
-- inputs; Jacobian-vector vs vector-Jacobian products, checked against autograd.
local C = require("nabla.lesson").checks
local value, finite = C.value, C.finite

local function f_ref(x) return math.sin(x) * x ^ 2 end
local function df_ref(x) return math.cos(x) * x ^ 2 + 2 * x * math.sin(x) end

-- g(x1, x2, x3) = x1·x2 + sin(x3)·x1 and its gradient
local X0 = { 1.5, -2, 0.7 }
local function grad_g(x) return { x[2] + math.sin(x[3]), x[1], math.cos(x[3]) * x[1] } end

local function numbers(t, n)
  if type(t) ~= "table" or #t < n then return false end
  for i = 1, n do if not finite(value(t[i])) then return false end end
  return true
end

local function argmin(hs, errs)
  local best, bh = math.huge, nil
  for i = 1, #errs do if errs[i] < best then best, bh = errs[i], hs[i] end end
  return bh, best
end

local function same3(a, b, tol)
  for i = 1, 3 do if math.abs(value(a[i]) - b[i]) > tol then return false, i end end
  return true
end

return {
  id = "autodiff",
  order = 2.5,   -- after backprop, before vanishing-gradients
  title = { en = "Automatic differentiation", ko = "자동 미분" },
  steps = {
    {
      text = {
        en = [[
Three ways to get a derivative. The first: finite differences,
f′(x) ≈ (f(x+h) − f(x))/h. Its error has two parts: truncation, about |f″|·h/2
(smaller h is better), and rounding, about ε·|f|/h with ε ≈ 2.2e-16 for Lua's
doubles (smaller h is worse). For f(x) = sin(x)·x² at x = 1, write fd and plot
the error against h on log-log axes.]],
        ko = [[
미분을 구하는 세 가지 방법. 첫째는 유한 차분, f′(x) ≈ (f(x+h) − f(x))/h입니다.
오차는 두 부분입니다: 절단 오차는 약 |f″|·h/2(h가 작을수록 좋음), 반올림 오차는
Lua의 double에서 ε ≈ 2.2e-16일 때 약 ε·|f|/h(h가 작을수록 나쁨)입니다. x = 1에서
f(x) = sin(x)·x²에 대해 fd를 작성하고, 오차를 h에 대해 로그-로그 축에 그리세요.]],
      },
      code = [[
f = function(x) return math.sin(x) * x ^ 2 end
exact = math.cos(1) * 1 ^ 2 + 2 * 1 * math.sin(1)
function fd(f, x, h) return ??? end      -- the forward difference
hs, errs = {}, {}
for k = 1, 15 do
  hs[k] = 10 ^ -k
  errs[k] = math.abs(fd(f, 1, hs[k]) - exact)
end
plot.line(hs, errs, { logx = true, logy = true, title = "|error| vs h" })
best_h, low = hs[1], errs[1]
for k = 2, 15 do if errs[k] < low then best_h, low = hs[k], errs[k] end end
print(best_h, math.sqrt(2.2e-16))]],
      solution = [[
f = function(x) return math.sin(x) * x ^ 2 end
exact = math.cos(1) * 1 ^ 2 + 2 * 1 * math.sin(1)
function fd(f, x, h) return (f(x + h) - f(x)) / h end
hs, errs = {}, {}
for k = 1, 15 do
  hs[k] = 10 ^ -k
  errs[k] = math.abs(fd(f, 1, hs[k]) - exact)
end
plot.line(hs, errs, { logx = true, logy = true, title = "|error| vs h" })
best_h, low = hs[1], errs[1]
for k = 2, 15 do if errs[k] < low then best_h, low = hs[k], errs[k] end end
print(best_h, math.sqrt(2.2e-16))]],
      wrong = [[
f = function(x) return math.sin(x) * x ^ 2 end
exact = math.cos(1) * 1 ^ 2 + 2 * 1 * math.sin(1)
function fd(f, x, h) return (f(x + h) - f(x - h)) / h end
hs, errs = {}, {}
for k = 1, 15 do hs[k] = 10 ^ -k; errs[k] = math.abs(fd(f, 1, hs[k]) - exact) end
best_h = 1e-15]],
      check = function(env)
        if type(env.fd) ~= "function" then
          return false, { en = "define fd(f, x, h)", ko = "fd(f, x, h)를 정의하세요" }
        end
        local ok, v = pcall(env.fd, f_ref, 1, 1e-6)
        v = ok and value(v)
        if not finite(v) then
          return false, { en = "fd(f, 1, 1e-6) should return a number", ko = "fd(f, 1, 1e-6)은 숫자를 돌려줘야 합니다" }
        end
        local d = df_ref(1)
        if math.abs(v - 2 * d) < 1e-3 then
          return false, { en = "fd gives twice the derivative: (f(x+h) − f(x−h)) spans 2h, not h",
                          ko = "fd가 미분의 두 배를 줍니다: (f(x+h) − f(x−h))는 h가 아니라 2h 구간입니다" }
        end
        if math.abs(v - d) > 1e-4 then
          return false, { en = ("fd(f, 1, 1e-6) = %.6g, but f′(1) = %.6g: (f(x + h) − f(x)) / h"):format(v, d),
                          ko = ("fd(f, 1, 1e-6) = %.6g인데 f′(1) = %.6g입니다: (f(x + h) − f(x)) / h"):format(v, d) }
        end
        if not (numbers(env.hs, 15) and numbers(env.errs, 15)) then
          return false, { en = "fill hs and errs for h = 10^-1 … 10^-15", ko = "h = 10^-1 … 10^-15에 대해 hs와 errs를 채우세요" }
        end
        local bh = argmin(env.hs, env.errs)
        if value(env.best_h) ~= bh then
          return false, { en = ("best_h should be the h of the smallest error in errs (%.0e)"):format(bh),
                          ko = ("best_h는 errs에서 가장 작은 오차의 h(%.0e)여야 합니다"):format(bh) }
        end
        if not (bh >= 1e-9 and bh <= 1e-7) then
          return false, { en = ("the smallest error is at h = %.0e; for the forward difference it should be near √ε ≈ 1e-8"):format(bh),
                          ko = ("가장 작은 오차가 h = %.0e에 있습니다. 전진 차분이라면 √ε ≈ 1e-8 근처여야 합니다"):format(bh) }
        end
        return true
      end,
      hints = {
        { en = "fd(f, x, h) = (f(x + h) − f(x)) / h", ko = "fd(f, x, h) = (f(x + h) − f(x)) / h" },
        { en = "Both errors are equal where h/2 ≈ ε/h: h ≈ √ε.", ko = "두 오차는 h/2 ≈ ε/h인 곳, 곧 h ≈ √ε에서 같아집니다." },
      },
    },
    {
      text = {
        en = [[
The central difference (f(x+h) − f(x−h))/(2h) cancels the h term: its truncation
error is about |f‴|·h²/6, while rounding stays ε/h. Predict first: where do h²
and ε/h meet? Set guess_h from ε = 2.2e-16 with a formula, then measure best_hc
as in step 1.]],
        ko = [[
중앙 차분 (f(x+h) − f(x−h))/(2h)은 h 항이 지워져서 절단 오차가 약 |f‴|·h²/6이고,
반올림 오차는 그대로 ε/h입니다. 먼저 예측하세요: h²와 ε/h는 어디서 만날까요?
ε = 2.2e-16에서 공식으로 guess_h를 정한 뒤, 1단계처럼 best_hc를 측정하세요.]],
      },
      code = [[
guess_h = 2.2e-16 ^ (1 / 3)
errs_c = {}
for k = 1, 15 do errs_c[k] = math.abs((f(1 + hs[k]) - f(1 - hs[k])) / (2 * hs[k]) - exact) end
best_hc, low = hs[1], errs_c[1]
for k = 2, 15 do if errs_c[k] < low then best_hc, low = hs[k], errs_c[k] end end
plot.lines({ forward = { hs, errs }, central = { hs, errs_c } }, { logx = true, logy = true })
print(guess_h, best_hc, low)]],
      wrong = [[
guess_h = math.sqrt(2.2e-16)
errs_c = {}
for k = 1, 15 do errs_c[k] = math.abs((f(1 + hs[k]) - f(1 - hs[k])) / hs[k] - exact) end
best_hc = 1e-8]],
      check = function(env)
        local g = value(env.guess_h)
        if not finite(g) then
          return false, { en = "set guess_h first, from ε", ko = "먼저 ε로 guess_h를 정하세요" }
        end
        if math.abs(g - math.sqrt(2.2e-16)) < 1e-9 then
          return false, { en = "√ε is where h meets ε/h (the forward difference); here h² meets ε/h",
                          ko = "√ε는 h와 ε/h가 만나는 곳(전진 차분)입니다. 여기서는 h²와 ε/h가 만납니다" }
        end
        if not (g > 1e-6 and g < 1e-4) then
          return false, { en = ("guess_h = %.2g: solve h² = ε/h for h"):format(g), ko = ("guess_h = %.2g: h² = ε/h를 h에 대해 푸세요"):format(g) }
        end
        if not numbers(env.errs_c, 15) then
          return false, { en = "compute errs_c, the central-difference errors", ko = "중앙 차분의 오차 errs_c를 계산하세요" }
        end
        local bh, low = argmin(env.hs, env.errs_c)
        if low > 1e-9 then
          return false, { en = ("the best central error is %.2g: divide by 2h, and it should reach about 1e-11"):format(low),
                          ko = ("중앙 차분의 가장 작은 오차가 %.2g입니다: 2h로 나누면 1e-11 정도까지 내려가야 합니다"):format(low) }
        end
        if value(env.best_hc) ~= bh then
          return false, { en = ("best_hc should be the h of the smallest central error (%.0e)"):format(bh),
                          ko = ("best_hc는 중앙 차분 오차가 가장 작은 h(%.0e)여야 합니다"):format(bh) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Second way, forward mode: carry the derivative along with the value. A dual
number a + b·ε with ε² = 0 has f(a + b·ε) = f(a) + f′(a)·b·ε, exactly. Lua
metatables make such a number behave like any other. Addition is given; derive
the product rule for __mul and the chain rule for dsin, then differentiate f at
x = 1 with D(1, 1) (derivative seed 1).]],
        ko = [[
둘째, 순방향 모드: 값과 함께 미분을 들고 다닙니다. ε² = 0인 이원수 a + b·ε에서는
f(a + b·ε) = f(a) + f′(a)·b·ε가 정확히 성립합니다. Lua 메타테이블을 쓰면 이런
수가 보통 수처럼 동작합니다. 덧셈은 미리 만들어 두었습니다. __mul에는 곱의 법칙을,
dsin에는 연쇄 법칙을 유도해 넣고, D(1, 1)(미분 씨앗 1)로 x = 1에서 f를
미분하세요.]],
      },
      code = [[
Dual = {}
function D(a, b) return setmetatable({ a = a, b = b or 0 }, Dual) end
function lift(v) return getmetatable(v) == Dual and v or D(v, 0) end
Dual.__add = function(u, v) u, v = lift(u), lift(v); return D(u.a + v.a, u.b + v.b) end
Dual.__mul = function(u, v) u, v = lift(u), lift(v); return D(u.a * v.a, ???) end
function dsin(u) return D(math.sin(u.a), ???) end
d = dsin(D(1, 1)) * D(1, 1) * D(1, 1)        -- sin(x)·x·x at x = 1
print(d.a, d.b, exact, d.b - exact)]],
      solution = [[
Dual = {}
function D(a, b) return setmetatable({ a = a, b = b or 0 }, Dual) end
function lift(v) return getmetatable(v) == Dual and v or D(v, 0) end
Dual.__add = function(u, v) u, v = lift(u), lift(v); return D(u.a + v.a, u.b + v.b) end
Dual.__mul = function(u, v) u, v = lift(u), lift(v); return D(u.a * v.a, u.a * v.b + u.b * v.a) end
function dsin(u) return D(math.sin(u.a), math.cos(u.a) * u.b) end
d = dsin(D(1, 1)) * D(1, 1) * D(1, 1)        -- sin(x)·x·x at x = 1
print(d.a, d.b, exact, d.b - exact)]],
      wrong = [[
Dual = {}
function D(a, b) return setmetatable({ a = a, b = b or 0 }, Dual) end
function lift(v) return getmetatable(v) == Dual and v or D(v, 0) end
Dual.__add = function(u, v) u, v = lift(u), lift(v); return D(u.a + v.a, u.b + v.b) end
Dual.__mul = function(u, v) u, v = lift(u), lift(v); return D(u.a * v.a, u.b * v.b) end
function dsin(u) return D(math.sin(u.a), math.cos(u.a) * u.b) end
d = dsin(D(1, 1)) * D(1, 1) * D(1, 1)]],
      check = function(env)
        if type(env.D) ~= "function" or type(env.dsin) ~= "function" or type(env.Dual) ~= "table" then
          return false, { en = "define Dual, D and dsin", ko = "Dual, D, dsin을 정의하세요" }
        end
        local ok, p = pcall(function() return env.D(2, 1) * env.D(3, 1) end)
        if not ok or type(p) ~= "table" or p.a ~= 6 then
          return false, { en = "D(2, 1) * D(3, 1) should be a dual number with a = 6", ko = "D(2, 1) * D(3, 1)은 a = 6인 이원수여야 합니다" }
        end
        if p.b == 1 then
          return false, { en = "D(2, 1) * D(3, 1) has b = 1: that multiplies the derivatives; the product rule is u.a·v.b + u.b·v.a = 5",
                          ko = "D(2, 1) * D(3, 1)의 b가 1입니다: 미분끼리 곱했군요. 곱의 법칙은 u.a·v.b + u.b·v.a = 5입니다" }
        end
        if p.b ~= 5 then
          return false, { en = ("D(2, 1) * D(3, 1) has b = %s, the product rule gives 2·1 + 1·3 = 5"):format(tostring(p.b)),
                          ko = ("D(2, 1) * D(3, 1)의 b가 %s인데, 곱의 법칙으로는 2·1 + 1·3 = 5입니다"):format(tostring(p.b)) }
        end
        local ok2, s = pcall(env.dsin, env.D(0.5, 2))
        if not ok2 or type(s) ~= "table" or math.abs(s.b - 2 * math.cos(0.5)) > 1e-12 then
          return false, { en = "dsin(D(0.5, 2)) should have b = cos(0.5)·2: the chain rule multiplies by the incoming u.b",
                          ko = "dsin(D(0.5, 2))의 b는 cos(0.5)·2여야 합니다: 연쇄 법칙은 들어온 u.b를 곱합니다" }
        end
        if type(env.d) ~= "table" or not finite(env.d.b) or math.abs(env.d.b - df_ref(1)) > 1e-14 then
          return false, { en = "d = dsin(D(1, 1)) * D(1, 1) * D(1, 1) should carry f′(1) exactly in d.b",
                          ko = "d = dsin(D(1, 1)) * D(1, 1) * D(1, 1)의 d.b에 f′(1)이 정확히 들어 있어야 합니다" }
        end
        return true
      end,
      hints = {
        { en = "(u.a + u.b·ε)(v.a + v.b·ε) = u.a·v.a + (u.a·v.b + u.b·v.a)·ε + u.b·v.b·ε², and ε² = 0.",
          ko = "(u.a + u.b·ε)(v.a + v.b·ε) = u.a·v.a + (u.a·v.b + u.b·v.a)·ε + u.b·v.b·ε²이고, ε² = 0입니다." },
        { en = "sin(a + b·ε) = sin(a) + cos(a)·b·ε", ko = "sin(a + b·ε) = sin(a) + cos(a)·b·ε" },
      },
    },
    {
      text = {
        en = [[
One forward-mode pass gives the derivative along one direction: seeding the
inputs with v gives J·v (a Jacobian-vector product). For
g(x1, x2, x3) = x1·x2 + sin(x3)·x1 at x = (1.5, −2, 0.7), get the whole
gradient: one pass per input, seeding that input with 1 and the others with 0.
Count the passes.]],
        ko = [[
순방향 모드 한 번은 한 방향의 미분을 줍니다: 입력에 씨앗 v를 심으면
J·v(야코비안-벡터 곱)가 나옵니다. x = (1.5, −2, 0.7)에서
g(x1, x2, x3) = x1·x2 + sin(x3)·x1의 기울기 전체를 구하세요: 입력마다 한 번씩,
그 입력에는 1, 나머지에는 0을 씨앗으로 심습니다. 몇 번 돌렸는지 세세요.]],
      },
      code = [[
g = function(x1, x2, x3) return x1 * x2 + dsin(x3) * x1 end
x = { 1.5, -2, 0.7 }
grad_fwd, passes = {}, 0
for i = 1, 3 do
  local args = {}
  for j = 1, 3 do args[j] = D(x[j], ???) end     -- the seed of input j in pass i
  grad_fwd[i] = g(args[1], args[2], args[3]).b
  passes = passes + 1
end
print(grad_fwd[1], grad_fwd[2], grad_fwd[3], passes)]],
      solution = [[
g = function(x1, x2, x3) return x1 * x2 + dsin(x3) * x1 end
x = { 1.5, -2, 0.7 }
grad_fwd, passes = {}, 0
for i = 1, 3 do
  local args = {}
  for j = 1, 3 do args[j] = D(x[j], i == j and 1 or 0) end
  grad_fwd[i] = g(args[1], args[2], args[3]).b
  passes = passes + 1
end
print(grad_fwd[1], grad_fwd[2], grad_fwd[3], passes)]],
      wrong = [[
g = function(x1, x2, x3) return x1 * x2 + dsin(x3) * x1 end
x = { 1.5, -2, 0.7 }
local all = g(D(x[1], 1), D(x[2], 1), D(x[3], 1)).b
grad_fwd, passes = { all, all, all }, 1]],
      check = function(env)
        local gr = env.grad_fwd
        if not numbers(gr, 3) then
          return false, { en = "fill grad_fwd with the 3 partial derivatives", ko = "grad_fwd에 편미분 3개를 채우세요" }
        end
        local want = grad_g(X0)
        local sum = want[1] + want[2] + want[3]
        if math.abs(value(gr[1]) - sum) < 1e-9 then
          return false, { en = "that is the derivative along (1, 1, 1), J·v with v all ones: seed one input at a time",
                          ko = "그것은 (1, 1, 1) 방향의 미분, 곧 v가 모두 1인 J·v입니다: 한 번에 입력 하나에만 씨앗을 심으세요" }
        end
        local ok, i = same3(gr, want, 1e-12)
        if not ok then
          return false, { en = ("∂g/∂x%d is %.6g, expected %.6g"):format(i, value(gr[i]), want[i]),
                          ko = ("∂g/∂x%d: 지금 %.6g, 맞는 값 %.6g"):format(i, value(gr[i]), want[i]) }
        end
        if env.passes ~= 3 then
          return false, { en = "count the forward passes in passes (one per input)", ko = "순방향 모드를 몇 번 돌렸는지 passes에 세세요 (입력마다 한 번)" }
        end
        return true
      end,
      hints = { { en = "The seed is 1 when j == i, else 0: i == j and 1 or 0", ko = "씨앗은 j == i일 때 1, 아니면 0입니다: i == j and 1 or 0" } },
    },
    {
      text = {
        en = [[
Third way, reverse mode. Run g once, recording every operation on a tape with
its local derivatives; then walk the tape backwards from the output (grad 1),
handing each node's grad to its parents times the local derivative. One backward
walk gives all three partials. Write the walk: it is backprop, in three lines.]],
        ko = [[
셋째, 역방향 모드. g를 한 번 실행하면서 모든 연산을 국소 미분과 함께 테이프에
기록합니다. 그다음 출력(grad 1)에서 테이프를 거꾸로 걸으며, 각 노드의 grad에
국소 미분을 곱해 부모에게 넘깁니다. 한 번 거꾸로 걸으면 편미분 세 개가 모두
나옵니다. 이 걸음을 작성하세요: 세 줄짜리 역전파입니다.]],
      },
      code = [[
Var = {}
function node(value, parents)             -- parents: { {var, local derivative}, ... }
  local v = setmetatable({ value = value, grad = 0, parents = parents or {} }, Var)
  tape[#tape + 1] = v
  return v
end
Var.__add = function(u, v) return node(u.value + v.value, { { u, 1 }, { v, 1 } }) end
Var.__mul = function(u, v) return node(u.value * v.value, { { u, v.value }, { v, u.value } }) end
function vsin(u) return node(math.sin(u.value), { { u, math.cos(u.value) } }) end
function reverse(out)
  out.grad = 1
  for i = #tape, 1, -1 do
    ???                    -- each parent p of tape[i]: p.grad += tape[i].grad · local derivative
  end
end
tape = {}
x1, x2, x3 = node(1.5), node(-2), node(0.7)
out = x1 * x2 + vsin(x3) * x1
reverse(out)
grad_rev = { x1.grad, x2.grad, x3.grad }
print(out.value, grad_rev[1], grad_rev[2], grad_rev[3], #tape)]],
      solution = [[
Var = {}
function node(value, parents)             -- parents: { {var, local derivative}, ... }
  local v = setmetatable({ value = value, grad = 0, parents = parents or {} }, Var)
  tape[#tape + 1] = v
  return v
end
Var.__add = function(u, v) return node(u.value + v.value, { { u, 1 }, { v, 1 } }) end
Var.__mul = function(u, v) return node(u.value * v.value, { { u, v.value }, { v, u.value } }) end
function vsin(u) return node(math.sin(u.value), { { u, math.cos(u.value) } }) end
function reverse(out)
  out.grad = 1
  for i = #tape, 1, -1 do
    for _, p in ipairs(tape[i].parents) do
      p[1].grad = p[1].grad + tape[i].grad * p[2]
    end
  end
end
tape = {}
x1, x2, x3 = node(1.5), node(-2), node(0.7)
out = x1 * x2 + vsin(x3) * x1
reverse(out)
grad_rev = { x1.grad, x2.grad, x3.grad }
print(out.value, grad_rev[1], grad_rev[2], grad_rev[3], #tape)]],
      wrong = [[
grad_rev = nil
Var = {}
function node(value, parents)
  local v = setmetatable({ value = value, grad = 0, parents = parents or {} }, Var)
  tape[#tape + 1] = v
  return v
end
Var.__add = function(u, v) return node(u.value + v.value, { { u, 1 }, { v, 1 } }) end
Var.__mul = function(u, v) return node(u.value * v.value, { { u, v.value }, { v, u.value } }) end
function vsin(u) return node(math.sin(u.value), { { u, math.cos(u.value) } }) end
function reverse(out)
  out.grad = 1
  for i = #tape, 1, -1 do
    for _, p in ipairs(tape[i].parents) do p[1].grad = tape[i].grad * p[2] end
  end
end
tape = {}
x1, x2, x3 = node(1.5), node(-2), node(0.7)
out = x1 * x2 + vsin(x3) * x1
reverse(out)
grad_rev = { x1.grad, x2.grad, x3.grad }]],
      check = function(env)
        local gr = env.grad_rev
        if not numbers(gr, 3) then
          return false, { en = "fill grad_rev = { x1.grad, x2.grad, x3.grad } after reverse(out)", ko = "reverse(out) 뒤에 grad_rev = { x1.grad, x2.grad, x3.grad }를 채우세요" }
        end
        local want = grad_g(X0)
        if math.abs(value(gr[1]) - want[1]) > 1e-12 and (math.abs(value(gr[1]) - X0[2]) < 1e-12 or math.abs(value(gr[1]) - math.sin(X0[3])) < 1e-12) then
          return false, { en = "x1 is used twice (in x1·x2 and in sin(x3)·x1): its grad is the sum over both uses — add to p.grad, do not overwrite it",
                          ko = "x1은 두 번 쓰입니다 (x1·x2와 sin(x3)·x1): grad는 두 쓰임의 합입니다 — p.grad를 덮어쓰지 말고 더하세요" }
        end
        local ok, i = same3(gr, want, 1e-12)
        if not ok then
          return false, { en = ("x%d.grad is %.6g, expected %.6g"):format(i, value(gr[i]), want[i]),
                          ko = ("x%d.grad: 지금 %.6g, 맞는 값 %.6g"):format(i, value(gr[i]), want[i]) }
        end
        return true
      end,
      hints = {
        { en = "for _, p in ipairs(tape[i].parents) do ... end — p[1] is the parent, p[2] the local derivative",
          ko = "for _, p in ipairs(tape[i].parents) do ... end — p[1]은 부모, p[2]는 국소 미분입니다" },
        { en = "p[1].grad = p[1].grad + tape[i].grad * p[2]", ko = "p[1].grad = p[1].grad + tape[i].grad * p[2]" },
      },
    },
    {
      text = {
        en = [[
nabla's autograd is the same tape, kept in C: each op records a node with a
backward function (its local derivative), and backward() walks them in reverse.
Compute g with tensors, look at the tape with graph(out) before backward, then
compare with grad_rev.]],
        ko = [[
nabla의 autograd도 같은 테이프를 C 안에 둔 것입니다: 연산마다 backward
함수(국소 미분)가 달린 노드를 기록하고, backward()가 이를 거꾸로 걷습니다.
텐서로 g를 계산하고, backward 전에 graph(out)로 테이프를 본 뒤 grad_rev와
비교하세요.]],
      },
      code = [[
t1, t2, t3 = tensor(1.5):requires_grad(), tensor(-2):requires_grad(), tensor(0.7):requires_grad()
out_t = t1 * t2 + t3:sin() * t1
graph(out_t)
out_t:backward()
diff_autograd = 0
for i, t in ipairs({ t1, t2, t3 }) do
  diff_autograd = math.max(diff_autograd, math.abs(t.grad:item() - grad_rev[i]))
end
print(t1.grad, t2.grad, t3.grad, diff_autograd)]],
      wrong = [[
t1, t2, t3 = tensor(1.5):requires_grad(), tensor(-2):requires_grad(), tensor(0.7):requires_grad()
out_t = t1 * t2 + t3:sin() * t1
diff_autograd = 0]],
      check = function(env)
        local nb = require "nabla"
        if not (nb.is_tensor(env.t1) and env.t1.grad and env.t3.grad) then
          return false, { en = "call out_t:backward() so that t1.grad, t2.grad, t3.grad exist", ko = "t1.grad, t2.grad, t3.grad가 생기도록 out_t:backward()를 호출하세요" }
        end
        local want = grad_g(X0)
        local got = { env.t1.grad:item(), env.t2.grad:item(), env.t3.grad:item() }
        local ok, i = same3(got, want, 1e-5)
        if not ok then
          return false, { en = ("t%d.grad = %.6g, expected %.6g: out_t = t1 * t2 + t3:sin() * t1, one backward()"):format(i, got[i], want[i]),
                          ko = ("t%d.grad: 지금 %.6g, 맞는 값 %.6g. out_t = t1 * t2 + t3:sin() * t1, backward() 한 번"):format(i, got[i], want[i]) }
        end
        local d = value(env.diff_autograd)
        if not finite(d) or d > 1e-5 then
          return false, { en = "diff_autograd should be the largest |t.grad − grad_rev| (tiny: float32 rounding)",
                          ko = "diff_autograd는 |t.grad − grad_rev|의 최댓값이어야 합니다 (아주 작음: float32 반올림)" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
The cost. For a loss of n parameters, forward differences need n + 1 forward
passes, forward mode n passes, reverse mode one forward and one backward pass (a
backward costs a small multiple of a forward). Predict for the 784-128-10 MLP
below: count its parameters (n_params) and set passes_fd. Then the timings are
shown (they vary by machine).]],
        ko = [[
비용. 파라미터가 n개인 손실에서 전진 차분은 순전파 n + 1번, 순방향 모드는 n번,
역방향 모드는 순전파 한 번과 역전파 한 번이 필요합니다
(역전파 비용은 순전파의 몇 배 정도). 아래 784-128-10 MLP에 대해 예측하세요:
파라미터 수(n_params)를 세고 passes_fd를 정하세요. 그다음 시간을 보여 줍니다
(컴퓨터마다 다릅니다).]],
      },
      code = [[
manual_seed(0)
mlp = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
n_params = 0
for _, p in ipairs(mlp:parameters()) do n_params = n_params + p:numel() end
passes_fd = n_params + 1
xb, labels = randn(64, 784), {}
for i = 1, 64 do labels[i] = i % 10 + 1 end
yb = tensor(labels)
lossf = nn.CrossEntropyLoss()
lossf(mlp(xb), yb):backward()                       -- a warm-up: the first call loads BLAS
t0 = clock(); for _ = 1, 20 do no_grad(function() return lossf(mlp(xb), yb) end) end
t_fwd = (clock() - t0) / 20
t0 = clock(); for _ = 1, 20 do mlp:zero_grad(); lossf(mlp(xb), yb):backward() end
t_both = (clock() - t0) / 20
print(("%d parameters; forward %.3g ms, forward+backward %.3g ms (×%.1f)")
  :format(n_params, t_fwd * 1e3, t_both * 1e3, t_both / t_fwd))
print(("forward differences would take %d × %.3g ms ≈ %.0f s")
  :format(passes_fd, t_fwd * 1e3, passes_fd * t_fwd))]],
      secret = function() return 784 * 128 + 128 + 128 * 10 + 10 end,
      wrong = [[
n_params = 784 * 128 + 128 * 10
passes_fd = 2]],
      check = function(env)
        local n = value(env.n_params)
        local want = 784 * 128 + 128 + 128 * 10 + 10
        if n == 784 * 128 + 128 * 10 then
          return false, { en = ("%d counts the weights only: each Linear also has a bias (128 and 10)"):format(n),
                          ko = ("n_params = %d: 가중치만 센 값입니다. Linear마다 편향(128개, 10개)도 있습니다"):format(n) }
        end
        if n ~= want then
          return false, { en = ("n_params = %s: add the numel() of every parameter of mlp"):format(tostring(n)),
                          ko = ("n_params = %s: mlp의 모든 파라미터의 numel()을 더하세요"):format(tostring(n)) }
        end
        local p = value(env.passes_fd)
        if p ~= want + 1 then
          return false, { en = "forward differences: one pass at w, then one with each parameter nudged — n + 1 passes",
                          ko = "전진 차분: w에서 한 번, 그리고 파라미터마다 하나씩 움직여 한 번 — 모두 n + 1번입니다" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Vector-Jacobian products. For y = tanh(A·x) (3 outputs, 4 inputs) the Jacobian
is J = diag(1 − y²)·A. Reverse mode gives uᵀJ for any u in one pass:
y:backward(u) leaves it in x.grad. Forward mode gives J·v in one pass; for this
function it propagates ẏ = (1 − y²) ⊙ (A·v). Compute both and check
uᵀ(J·v) = (uᵀJ)·v.]],
        ko = [[
벡터-야코비안 곱. y = tanh(A·x)(출력 3개, 입력 4개)의 야코비안은
J = diag(1 − y²)·A입니다. 역방향 모드는 어떤 u에 대해서든 uᵀJ를 한 번에 줍니다:
y:backward(u)가 x.grad에 남깁니다. 순방향 모드는 J·v를 한 번에 주며, 이
함수에서는 ẏ = (1 − y²) ⊙ (A·v)를 전파합니다. 둘 다 계산하고
uᵀ(J·v) = (uᵀJ)·v인지 확인하세요.]],
      },
      code = [[
manual_seed(3)
A, x, u, v = randn(3, 4), randn(4):requires_grad(), randn(3), randn(4)
y = A:mv(x):tanh()
y:backward(u)
vjp = x.grad                                         -- uᵀJ, 4 numbers
jvp = (1 - y:detach() ^ 2) * A:mv(v)                 -- J·v, 3 numbers
lhs, rhs = u:dot(jvp):item(), vjp:dot(v):item()
print(vjp, jvp, lhs, rhs)]],
      wrong = [[
manual_seed(3)
A, x, u, v = randn(3, 4), randn(4):requires_grad(), randn(3), randn(4)
y = A:mv(x):tanh()
y:backward(u)
vjp = x.grad
jvp = A:mv(v)
lhs, rhs = u:dot(jvp):item(), vjp:dot(v):item()]],
      check = function(env)
        local nb = require "nabla"
        for _, n in ipairs({ "A", "x", "u", "v", "vjp", "jvp" }) do
          if not nb.is_tensor(env[n]) then
            return false, { en = "make the tensor " .. n, ko = "텐서 " .. n .. "을(를) 만드세요" }
          end
        end
        local A, x, u, v = env.A, env.x:detach(), env.u, env.v
        local y = A:mv(x):tanh()
        local d = 1 - y ^ 2
        local want_vjp = A:t():mv(d * u)
        local want_jvp = d * A:mv(v)
        if tostring(env.vjp.shape) ~= "[4]" or (env.vjp - want_vjp):abs():max():item() > 1e-5 then
          return false, { en = "vjp should be x.grad after y:backward(u) (4 numbers: uᵀJ)", ko = "vjp는 y:backward(u) 뒤의 x.grad여야 합니다 (숫자 4개: uᵀJ)" }
        end
        if tostring(env.jvp.shape) ~= "[3]" or (env.jvp - want_jvp):abs():max():item() > 1e-5 then
          if tostring(env.jvp.shape) == "[3]" and (env.jvp - A:mv(v)):abs():max():item() < 1e-6 then
            return false, { en = "jvp = A·v is missing tanh's local derivative: multiply by (1 − y²)",
                            ko = "jvp = A·v에는 tanh의 국소 미분이 빠졌습니다: (1 − y²)를 곱하세요" }
          end
          return false, { en = "jvp should be (1 − y²) ⊙ (A·v) (3 numbers: J·v)", ko = "jvp는 (1 − y²) ⊙ (A·v)여야 합니다 (숫자 3개: J·v)" }
        end
        local l, r = value(env.lhs), value(env.rhs)
        if not (finite(l) and finite(r)) or math.abs(l - r) > 1e-4 then
          return false, { en = "lhs = u·jvp and rhs = vjp·v should be equal numbers", ko = "lhs = u·jvp와 rhs = vjp·v는 같은 숫자여야 합니다" }
        end
        return true
      end,
      hints = { { en = "y:detach() gives y's values without the graph; 1 - y:detach() ^ 2 is tanh′.", ko = "y:detach()는 그래프 없이 y의 값만 줍니다. 1 - y:detach() ^ 2가 tanh′입니다." } },
    },
    {
      text = { en = "To finish, why deep learning runs in reverse.", ko = "마지막으로, 딥러닝이 역방향으로 도는 이유." },
      quiz = {
        question = { en = "A network's loss has one output and a million parameters. Why does training use reverse mode?",
                     ko = "신경망 손실은 출력이 하나, 파라미터가 백만 개입니다. 학습에 왜 역방향 모드를 쓸까요?" },
        choices = {
          { en = "Reverse mode needs no memory for the values it recorded",
            ko = "역방향 모드는 기록해 둔 중간값을 담을 메모리가 필요 없어서" },
          { en = "One backward pass gives all partials; forward needs one per input",
            ko = "역방향은 한 번에 편미분이 다 나오고 순방향은 입력마다 한 번" },
          { en = "Forward mode cannot differentiate through a matrix product",
            ko = "순방향 모드로는 행렬 곱을 지나는 미분을 계산할 수 없어서" },
          { en = "Reverse mode is exact, while forward mode only approximates the slope",
            ko = "역방향 모드는 정확하지만 순방향 모드는 기울기를 근사할 뿐이라서" },
        },
        answer = 2,
        explain = { en = "Yes: uᵀJ with u = 1 is the whole gradient of a scalar loss in one pass. With many outputs and few inputs, forward mode (J·v) would win.",
                    ko = "맞습니다: 스칼라 손실에서는 u = 1인 uᵀJ 한 번이 기울기 전체입니다. 출력이 많고 입력이 적으면 순방향 모드(J·v)가 유리합니다." },
        wrong = {
          [1] = { en = "The opposite: the tape keeps every intermediate value until the backward walk.",
                  ko = "반대입니다. 테이프는 거꾸로 걸을 때까지 모든 중간값을 들고 있습니다." },
          [3] = { en = "It can: J·v through A·x is just A·v (step 8).",
                  ko = "할 수 있습니다. A·x를 지나는 J·v는 그냥 A·v입니다 (8단계)." },
          [4] = { en = "Both are exact up to rounding: your dual numbers gave f′(1) to the last digit.",
                  ko = "둘 다 반올림 오차 안에서 정확합니다. 이원수가 f′(1)을 마지막 자리까지 맞혔습니다." },
        },
      },
    },
  },
}

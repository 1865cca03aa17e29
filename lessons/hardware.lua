-- Lesson: the hardware under the math — FLOPs of a matrix product counted by the learner;
-- the same product as a Lua triple loop, as nabla's naive C loop (nabla._C._mm_naive) and
-- through BLAS, in GFLOP/s on the learner's machine; caches, loop order and blocking;
-- arithmetic intensity and the roofline (drawn); throughput against batch size; one thread
-- vs all cores (Amdahl); what a GPU changes, from published figures.
-- The checks never depend on timing: they check counts, formulas and results; the measured
-- speeds are only shown (they depend on the machine and on what else runs on it).
local C = require("nabla.lesson").checks
local value, finite = C.value, C.finite

local function nb() return require "nabla" end

local function close(a, b, rel) return C.close(a, b, rel, 0) end

-- published peak figures (dense, no sparsity) from the vendors' data sheets
local GPUS = {
  { name = "A100 SXM (FP32)", tflops = 19.5, gbs = 1555 },
  { name = "A100 SXM (FP16 tensor cores)", tflops = 312, gbs = 1555 },
  { name = "H100 SXM (FP16 tensor cores)", tflops = 989, gbs = 3350 },
  { name = "RTX 4090 (FP32)", tflops = 82.6, gbs = 1008 },
}

return {
  id = "hardware",
  order = 6.5,   -- after batch-size, before generalization
  title = { en = "The hardware under the math", ko = "수학을 떠받치는 하드웨어" },
  steps = {
    {
      text = {
        en = [[
How long a network takes is decided by two counts: the arithmetic it does and
the bytes it moves. First the arithmetic. C = A·B with A (M×K) and B (K×N): each
of the M·N outputs is a sum of K products, one multiply and one add each
(a "multiply-add", 2 flops). Write flops(M, N, K), then count one forward pass
of nn.Linear(784, 256) on 64 digits.]],
        ko = [[
신경망이 얼마나 걸리는지는 두 개의 수가 정합니다: 계산량과 옮기는 바이트 수.
먼저 계산량. A(M×K)와 B(K×N)의 곱 C = A·B에서 출력 M·N개는 각각 곱 K개의 합이고,
곱 하나와 덧셈 하나 (곱셈-덧셈, 2 flop)씩입니다. flops(M, N, K)를 작성하고, 숫자
64장에 대한 nn.Linear(784, 256) 순전파 한 번을 세어 보세요.]],
      },
      code = [[
function flops(M, N, K) return ??? end
linear_flops = flops(64, 256, 784)
print(flops(2, 3, 4), linear_flops)]],
      solution = [[
function flops(M, N, K) return 2 * M * N * K end
linear_flops = flops(64, 256, 784)
print(flops(2, 3, 4), linear_flops)]],
      wrong = [[
function flops(M, N, K) return M * N * K end
linear_flops = flops(64, 256, 784)]],
      check = function(env)
        if type(env.flops) ~= "function" then
          return false, { en = "define flops(M, N, K)", ko = "flops(M, N, K)를 정의하세요" }
        end
        local ok, v = pcall(env.flops, 2, 3, 4)
        v = ok and value(v)
        if v == 24 then
          return false, { en = "24 counts multiply-adds; each is 2 flops (a multiply and an add)", ko = "24는 곱셈-덧셈의 수입니다. 하나가 2 flop(곱 하나, 덧셈 하나)입니다" }
        end
        if v ~= 48 then
          return false, { en = ("flops(2, 3, 4) = %s, expected 48: M·N outputs, K multiply-adds each"):format(tostring(v)),
                          ko = ("flops(2, 3, 4) = %s인데 48이어야 합니다: 출력 M·N개, 각각 곱셈-덧셈 K개"):format(tostring(v)) }
        end
        if value(env.linear_flops) ~= 2 * 64 * 256 * 784 then
          return false, { en = "linear_flops = flops(64, 256, 784): a batch (64×784) times the weights (784×256)", ko = "linear_flops = flops(64, 256, 784): 배치(64×784)와 가중치(784×256)의 곱" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
The product as the formula says, in Lua: three loops over plain tables, n = 64.
Write the innermost line, then time it and turn the time into GFLOP/s
(10⁹ flops per second). The check compares your C with A:mm(B); the speed is
only shown.]],
        ko = [[
공식 그대로의 곱을 Lua로: 평범한 테이블 위의 반복문 세 개, n = 64. 가장 안쪽
줄을 쓰고, 시간을 측정한 뒤 GFLOP/s(초당 10⁹ flop)로 바꾸세요. 검사는 여러분의 C를
A:mm(B)와 비교합니다. 속도는 보여 주기만 합니다.]],
      },
      code = [[
n = 64
manual_seed(0)
At, Bt = randn(n, n), randn(n, n)
A, B = At:tolist(), Bt:tolist()
t0 = clock()
Cl = {}
for i = 1, n do
  Cl[i] = {}
  for j = 1, n do
    local s = 0
    for k = 1, n do ??? end              -- s accumulates A[i][k]·B[k][j]
    Cl[i][j] = s
  end
end
t_lua = clock() - t0
gflops_lua = flops(n, n, n) / t_lua / 1e9
print(("Lua loops: %.3f s, %.3f GFLOP/s"):format(t_lua, gflops_lua))]],
      solution = [[
n = 64
manual_seed(0)
At, Bt = randn(n, n), randn(n, n)
A, B = At:tolist(), Bt:tolist()
t0 = clock()
Cl = {}
for i = 1, n do
  Cl[i] = {}
  for j = 1, n do
    local s = 0
    for k = 1, n do s = s + A[i][k] * B[k][j] end
    Cl[i][j] = s
  end
end
t_lua = clock() - t0
gflops_lua = flops(n, n, n) / t_lua / 1e9
print(("Lua loops: %.3f s, %.3f GFLOP/s"):format(t_lua, gflops_lua))]],
      wrong = [[
n = 64
manual_seed(0)
At, Bt = randn(n, n), randn(n, n)
A, B = At:tolist(), Bt:tolist()
t0 = clock()
Cl = {}
for i = 1, n do
  Cl[i] = {}
  for j = 1, n do
    local s = 0
    for k = 1, n do s = A[i][k] * B[k][j] end
    Cl[i][j] = s
  end
end
t_lua = clock() - t0
gflops_lua = 2 * n * n / t_lua / 1e9]],
      check = function(env)
        local n = nb()
        if type(env.Cl) ~= "table" or not n.is_tensor(env.At) then
          return false, { en = "compute Cl with the three loops", ko = "반복문 세 개로 Cl을 계산하세요" }
        end
        local ok, Ct = pcall(n.tensor, env.Cl)
        if not ok or tostring(Ct.shape) ~= "[64,64]" then
          return false, { en = "Cl should be a 64×64 table of numbers", ko = "Cl은 숫자로 된 64×64 테이블이어야 합니다" }
        end
        local d = (Ct - env.At:mm(env.Bt)):abs():max():item()
        if d > 1e-3 then
          return false, { en = ("Cl differs from A:mm(B) by up to %.3g: s must add A[i][k]·B[k][j] over every k (s = s + ...)"):format(d),
                          ko = ("Cl이 A:mm(B)와 최대 %.3g만큼 다릅니다: s에 모든 k의 A[i][k]·B[k][j]를 더해야 합니다 (s = s + ...)"):format(d) }
        end
        local t, g = value(env.t_lua), value(env.gflops_lua)
        if not (finite(t) and t > 0 and close(g, 2 * 64 ^ 3 / t / 1e9, 1e-6)) then
          return false, { en = "gflops_lua = flops(n, n, n) / t_lua / 1e9", ko = "gflops_lua = flops(n, n, n) / t_lua / 1e9" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
The same loops in C: nabla._C._mm_naive(a, b) (one thread, "ijk" order, no tricks),
and the same product through nabla's mm, which calls an optimized BLAS
(blas_info() names it). n = 256, the fastest of 3 runs each. Record the three
speeds in speed = { lua, c, blas }.]],
        ko = [[
같은 반복문을 C로: nabla._C._mm_naive(a, b)(스레드 하나, "ijk" 순서, 기교 없음).
그리고 같은 곱을 최적화된 BLAS를 호출하는 nabla의 mm으로
(blas_info()가 이름을 알려 줍니다). n = 256, 각각 3번 돌려 가장 빠른 값. 세
속도를 speed = { lua, c, blas }에 기록하세요.]],
      },
      code = [[
function best_time(f, runs)        -- seconds per call: the fastest of `runs` runs of >= 2 ms
  local best = math.huge
  for _ = 1, runs do
    local calls, t0 = 0, clock()
    repeat f(); calls = calls + 1 until clock() - t0 > 2e-3
    best = math.min(best, (clock() - t0) / calls)
  end
  return best
end
X, Y = randn(256, 256), randn(256, 256)
diff_c = (nabla._C._mm_naive(X, Y) - X:mm(Y)):abs():max():item()
t_c = best_time(function() nabla._C._mm_naive(X, Y) end, 3)
t_blas = best_time(function() X:mm(Y) end, 3)
f256 = flops(256, 256, 256)
speed = { lua = gflops_lua, c = f256 / t_c / 1e9, blas = f256 / t_blas / 1e9 }
print(blas_info())
print(("GFLOP/s  Lua %.3f   C loops %.2f   BLAS %.1f   (%.0f× the C loops)"):format(
  speed.lua, speed.c, speed.blas, speed.blas / speed.c))]],
      wrong = [[
speed = { lua = 0.07, c = 1, blas = 80 }]],
      check = function(env)
        local s = env.speed
        if type(s) ~= "table" or not (finite(s.lua) and finite(s.c) and finite(s.blas)) then
          return false, { en = "fill speed = { lua = ..., c = ..., blas = ... } in GFLOP/s", ko = "speed = { lua = ..., c = ..., blas = ... }를 GFLOP/s로 채우세요" }
        end
        local tc, tb = value(env.t_c), value(env.t_blas)
        if not (finite(tc) and finite(tb) and tc > 0 and tb > 0) then
          return false, { en = "measure t_c and t_blas with best_time", ko = "best_time으로 t_c와 t_blas를 측정하세요" }
        end
        local f = 2 * 256 ^ 3
        if not (close(s.c, f / tc / 1e9, 1e-6) and close(s.blas, f / tb / 1e9, 1e-6)) then
          return false, { en = "speed.c and speed.blas should be flops(256, 256, 256) / time / 1e9 from t_c and t_blas",
                          ko = "speed.c와 speed.blas는 t_c, t_blas로 구한 flops(256, 256, 256) / 시간 / 1e9여야 합니다" }
        end
        if not (finite(value(env.diff_c)) and value(env.diff_c) < 1e-3) then
          return false, { en = "diff_c: compare nabla._C._mm_naive(X, Y) with X:mm(Y)", ko = "diff_c: nabla._C._mm_naive(X, Y)를 X:mm(Y)와 비교하세요" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Why is BLAS so much faster with the same flops? Memory. "ijk" walks B down a
column: each B[k][j] is 256 floats (1 KiB) after the last, a new 64-byte cache
line per multiply-add. "ikj" walks B and C along rows (the compiler can also use
vector instructions). Measure both orders. Then count: arithmetic
intensity = flops / bytes moved from memory. With float32 (4 bytes), if every
multiply-add fetched its A and B elements from memory (naive), and if tiles of
b×b stay in cache so each fetched float is used b times (blocked): write
ai_naive and ai_blocked(b) in flop/byte.]],
        ko = [[
같은 flop인데 BLAS는 왜 훨씬 빠를까요? 메모리 때문입니다. "ijk"는 B를 열
방향으로 걷습니다: B[k][j]마다 앞의 것에서 float 256개(1 KiB) 떨어져 있어,
곱셈-덧셈마다 새 64바이트 캐시 라인이 필요합니다. "ikj"는 B와 C를 행 방향으로
걷습니다 (컴파일러가 벡터 명령도 쓸 수 있습니다). 두 순서를 측정해 보세요. 그다음
세어 봅시다: 산술 강도 = flop / 메모리에서 옮긴 바이트. float32(4바이트)에서,
곱셈-덧셈마다 A와 B의 원소를 메모리에서 가져오면(단순), b×b 타일이 캐시에 머물러
가져온 float 하나를 b번 쓰면(블로킹): ai_naive와 ai_blocked(b)를 flop/byte로
쓰세요.]],
      },
      code = [[
t_ijk = best_time(function() nabla._C._mm_naive(X, Y, "ijk") end, 3)
t_ikj = best_time(function() nabla._C._mm_naive(X, Y, "ikj") end, 3)
print(("ijk %.1f ms, ikj %.1f ms: the same %d flops"):format(t_ijk * 1e3, t_ikj * 1e3, f256))
ai_naive = ???                   -- 2 flops per multiply-add, 2 floats of 4 bytes fetched
function ai_blocked(b) return ??? end
print(ai_naive, ai_blocked(64))]],
      solution = [[
t_ijk = best_time(function() nabla._C._mm_naive(X, Y, "ijk") end, 3)
t_ikj = best_time(function() nabla._C._mm_naive(X, Y, "ikj") end, 3)
print(("ijk %.1f ms, ikj %.1f ms: the same %d flops"):format(t_ijk * 1e3, t_ikj * 1e3, f256))
ai_naive = 2 / (2 * 4)
function ai_blocked(b) return 2 * b / (2 * 4) end
print(ai_naive, ai_blocked(64))]],
      wrong = [[
ai_naive = 2 / 2
function ai_blocked(b) return 2 * b / 2 end]],
      check = function(env)
        local a = value(env.ai_naive)
        if a == 1 then
          return false, { en = "1 flop/byte counts floats, not bytes: a float32 is 4 bytes", ko = "1 flop/byte는 float 개수를 센 것입니다: float32 하나는 4바이트입니다" }
        end
        if not close(a, 0.25, 1e-9) then
          return false, { en = ("ai_naive = %s: 2 flops per multiply-add over 2 floats × 4 bytes"):format(tostring(a)),
                          ko = ("ai_naive = %s: 곱셈-덧셈 하나에 2 flop, 가져오는 것은 float 2개 × 4바이트"):format(tostring(a)) }
        end
        if type(env.ai_blocked) ~= "function" then
          return false, { en = "define ai_blocked(b)", ko = "ai_blocked(b)를 정의하세요" }
        end
        local ok, v = pcall(env.ai_blocked, 64)
        if not ok or not close(value(v), 16, 1e-9) then
          return false, { en = "ai_blocked(b): each fetched float now serves b multiply-adds instead of one",
                          ko = "ai_blocked(b): 가져온 float 하나가 곱셈-덧셈 하나가 아니라 b개에 쓰입니다" }
        end
        return true
      end,
      hints = { { en = "naive: 2 flops / (2 · 4 bytes). blocked: the same flops over b times fewer bytes.", ko = "단순: 2 flop / (2 · 4바이트). 블로킹: 같은 flop을 b분의 1의 바이트로." } },
    },
    {
      text = {
        en = [[
The roofline: a kernel of intensity I flop/byte on a machine with peak P flop/s
and memory bandwidth W byte/s runs at most min(P, I·W). Below the ridge point
I = P/W it waits for memory, above it for arithmetic. Measure W with a large
in-place add (3 floats moved per element) and take P from BLAS; write
roofline(I, P, W) and draw it with the kernels on it.]],
        ko = [[
루프라인: 최대 성능 P flop/s, 메모리 대역폭 W byte/s인 기계에서 강도 I
flop/byte인 커널의 속도는 많아야 min(P, I·W)입니다. 꺾이는 점 I = P/W 아래에서는
메모리를, 위에서는 연산을 기다립니다. 큰 배열의 제자리
덧셈(원소마다 float 3개 이동)으로 W를 측정하고 P는 BLAS에서 가져와,
roofline(I, P, W)를 작성하고 커널들과 함께 그리세요.]],
      },
      code = [[
big1, big2 = randn(8000000), randn(8000000)
t_add = best_time(function() big1:add_(big2) end, 5)
W = 3 * 4 * 8000000 / t_add                  -- bytes per second
P = speed.blas * 1e9                         -- flops per second (BLAS at n = 256)
function roofline(I, P, W) return ??? end
Is, roof = {}, {}
for e = -4, 8 do Is[#Is + 1] = 2 ^ e; roof[#roof + 1] = roofline(2 ^ e, P, W) / 1e9 end
ridge = P / W
kernels = { add = 1 / 12, ["naive mm"] = ai_naive, ["blocked mm"] = ai_blocked(64) }
series = { roofline = { Is, roof } }
for name, I in pairs(kernels) do          -- a kernel: a bar up to the roof at its intensity
  series[name] = { { I, I }, { roof[1] / 4, roofline(I, P, W) / 1e9 } }
end
plot.lines(series, { logx = true, logy = true, title = "GFLOP/s vs flop/byte" })
print(("W %.1f GB/s, P %.1f GFLOP/s, ridge at %.1f flop/byte; add: %.3f, naive mm: %.2f, blocked: %d")
  :format(W / 1e9, P / 1e9, ridge, 1 / 12, ai_naive, ai_blocked(64)))]],
      solution = [[
big1, big2 = randn(8000000), randn(8000000)
t_add = best_time(function() big1:add_(big2) end, 5)
W = 3 * 4 * 8000000 / t_add                  -- bytes per second
P = speed.blas * 1e9                         -- flops per second (BLAS at n = 256)
function roofline(I, P, W) return math.min(P, I * W) end
Is, roof = {}, {}
for e = -4, 8 do Is[#Is + 1] = 2 ^ e; roof[#roof + 1] = roofline(2 ^ e, P, W) / 1e9 end
ridge = P / W
kernels = { add = 1 / 12, ["naive mm"] = ai_naive, ["blocked mm"] = ai_blocked(64) }
series = { roofline = { Is, roof } }
for name, I in pairs(kernels) do          -- a kernel: a bar up to the roof at its intensity
  series[name] = { { I, I }, { roof[1] / 4, roofline(I, P, W) / 1e9 } }
end
plot.lines(series, { logx = true, logy = true, title = "GFLOP/s vs flop/byte" })
print(("W %.1f GB/s, P %.1f GFLOP/s, ridge at %.1f flop/byte; add: %.3f, naive mm: %.2f, blocked: %d")
  :format(W / 1e9, P / 1e9, ridge, 1 / 12, ai_naive, ai_blocked(64)))]],
      wrong = [[
function roofline(I, P, W) return math.max(P, I * W) end
W, P = 2e10, 1e11
ridge = W / P]],
      check = function(env)
        if type(env.roofline) ~= "function" then
          return false, { en = "define roofline(I, P, W)", ko = "roofline(I, P, W)를 정의하세요" }
        end
        local ok1, lo = pcall(env.roofline, 0.5, 100, 20)
        local ok2, hi = pcall(env.roofline, 10, 100, 20)
        if not (ok1 and ok2) or value(lo) ~= 10 or value(hi) ~= 100 then
          return false, { en = ("roofline(0.5, 100, 20) should be 10 (memory-bound) and roofline(10, 100, 20) 100 (compute-bound); got %s and %s: the lower of P and I·W")
                            :format(tostring(lo), tostring(hi)),
                          ko = ("roofline(0.5, 100, 20)은 10(메모리 한계), roofline(10, 100, 20)은 100(연산 한계)이어야 하는데 %s, %s입니다: P와 I·W 중 작은 쪽")
                            :format(tostring(lo), tostring(hi)) }
        end
        local P, W, r = value(env.P), value(env.W), value(env.ridge)
        if not (finite(P) and finite(W) and P > 0 and W > 0) then
          return false, { en = "measure W and take P from speed.blas", ko = "W를 측정하고 P는 speed.blas에서 가져오세요" }
        end
        if not close(r, P / W, 1e-9) then
          return false, { en = "ridge is where I·W reaches P: I = P / W", ko = "꺾이는 점은 I·W가 P에 닿는 곳, I = P / W입니다" }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Why mini-batches. nn.Linear(784, 256) must read its 784·256 weights whatever the
batch B, so its intensity grows with B: flops(B, 256, 784) over
4·(784·256 + 784·B + 256·B) bytes (weights, inputs, outputs). Write
ai_linear(B), then see the time per sample fall as B grows from 1 to 512.]],
        ko = [[
미니배치를 쓰는 이유. nn.Linear(784, 256)은 배치 크기 B와 상관없이 가중치
784·256개를 읽어야 하므로, 강도가 B와 함께 커집니다: flops(B, 256, 784)를
4·(784·256 + 784·B + 256·B) 바이트(가중치, 입력, 출력)로 나눈 값. ai_linear(B)를
작성한 뒤, B가 1에서 512로 커질 때 샘플당 시간이 줄어드는 것을 보세요.]],
      },
      code = [[
function ai_linear(B) return ??? end
layer = nn.Linear(784, 256)
batches, per_sample, intensity = { 1, 8, 64, 512 }, {}, {}
for i, B in ipairs(batches) do
  local xb = randn(B, 784)
  local t = best_time(function() no_grad(function() return layer(xb) end) end, 5)
  per_sample[i], intensity[i] = t / B * 1e6, ai_linear(B)
  print(("B = %3d: %.2f µs per sample, %.1f flop/byte"):format(B, per_sample[i], intensity[i]))
end
plot.line(batches, per_sample, { logx = true, logy = true, title = "µs per sample vs batch" })]],
      solution = [[
function ai_linear(B) return flops(B, 256, 784) / (4 * (784 * 256 + 784 * B + 256 * B)) end
layer = nn.Linear(784, 256)
batches, per_sample, intensity = { 1, 8, 64, 512 }, {}, {}
for i, B in ipairs(batches) do
  local xb = randn(B, 784)
  local t = best_time(function() no_grad(function() return layer(xb) end) end, 5)
  per_sample[i], intensity[i] = t / B * 1e6, ai_linear(B)
  print(("B = %3d: %.2f µs per sample, %.1f flop/byte"):format(B, per_sample[i], intensity[i]))
end
plot.line(batches, per_sample, { logx = true, logy = true, title = "µs per sample vs batch" })]],
      wrong = [[function ai_linear(B) return flops(B, 256, 784) / (4 * (784 * B + 256 * B)) end]],
      check = function(env)
        if type(env.ai_linear) ~= "function" then
          return false, { en = "define ai_linear(B)", ko = "ai_linear(B)를 정의하세요" }
        end
        local function want(B) return 2 * B * 256 * 784 / (4 * (784 * 256 + 784 * B + 256 * B)) end
        local ok, v1 = pcall(env.ai_linear, 1)
        local _, v512 = pcall(env.ai_linear, 512)
        if ok and close(value(v1), 2 * 256 * 784 / (4 * 1040), 1e-6) then
          return false, { en = "the weights are missing from the bytes: 784·256 floats are read for every batch, big or small",
                          ko = "바이트에서 가중치가 빠졌습니다: 배치가 크든 작든 float 784·256개를 읽습니다" }
        end
        if not (ok and close(value(v1), want(1), 1e-6) and close(value(v512), want(512), 1e-6)) then
          return false, { en = "ai_linear(B): flops(B, 256, 784) over 4 bytes × (weights + B inputs of 784 + B outputs of 256)",
                          ko = "ai_linear(B): flops(B, 256, 784)를 4바이트 × (가중치 + 784짜리 입력 B개 + 256짜리 출력 B개)로 나눈 값" }
        end
        return true
      end,
      hints = { { en = "flops(B, 256, 784) / (4 * (784 * 256 + 784 * B + 256 * B))", ko = "flops(B, 256, 784) / (4 * (784 * 256 + 784 * B + 256 * B))" } },
    },
    {
      text = {
        en = [[
One thread against all cores. set_num_threads(1) makes nabla use one core;
measure a 512×512 product, then restore the number you had. A program whose
fraction p runs in parallel cannot go faster than 1 / ((1 − p) + p/n) on n cores
(Amdahl's law). Write amdahl(p, n) and compare: even 95% parallel code gains at
most 20× on any number of cores.]],
        ko = [[
스레드 하나 대 모든 코어. set_num_threads(1)이면 nabla가 코어 하나만 씁니다.
512×512 곱을 측정하고, 원래 스레드 수로 되돌리세요. 일의 비율 p가 병렬로 도는
프로그램은 코어 n개에서 1 / ((1 − p) + p/n)보다 빨라질 수 없습니다
(암달의 법칙). amdahl(p, n)을 작성하고 비교하세요: 95%가 병렬인 코드도 코어가
아무리 많아도 많아야 20배입니다.]],
      },
      code = [[
cores = get_num_threads()
X5, Y5 = randn(512, 512), randn(512, 512)
t_all = best_time(function() X5:mm(Y5) end, 3)
set_num_threads(1)
t_one = best_time(function() X5:mm(Y5) end, 3)
set_num_threads(cores)
function amdahl(p, n) return ??? end
print(("%d threads: %.1f ms, 1 thread: %.1f ms, speed-up %.2f (the machine may be shared)")
  :format(cores, t_all * 1e3, t_one * 1e3, t_one / t_all))
print(amdahl(0.95, 2), amdahl(0.95, 64), amdahl(0.95, 1e9))]],
      solution = [[
cores = get_num_threads()
X5, Y5 = randn(512, 512), randn(512, 512)
t_all = best_time(function() X5:mm(Y5) end, 3)
set_num_threads(1)
t_one = best_time(function() X5:mm(Y5) end, 3)
set_num_threads(cores)
function amdahl(p, n) return 1 / ((1 - p) + p / n) end
print(("%d threads: %.1f ms, 1 thread: %.1f ms, speed-up %.2f (the machine may be shared)")
  :format(cores, t_all * 1e3, t_one * 1e3, t_one / t_all))
print(amdahl(0.95, 2), amdahl(0.95, 64), amdahl(0.95, 1e9))]],
      wrong = [[
cores = get_num_threads()
set_num_threads(1)
function amdahl(p, n) return p * n end]],
      check = function(env)
        local n = nb()
        local c = value(env.cores)
        if not (finite(c) and c >= 1) then
          return false, { en = "keep the thread count in cores = get_num_threads() first", ko = "먼저 cores = get_num_threads()로 스레드 수를 기억하세요" }
        end
        if n.get_num_threads() ~= c then
          return false, { en = ("nabla now uses %d thread(s), you had %d: set_num_threads(cores) restores it"):format(n.get_num_threads(), c),
                          ko = ("nabla가 지금 스레드 %d개를 씁니다. 원래는 %d개: set_num_threads(cores)로 되돌리세요"):format(n.get_num_threads(), c) }
        end
        if type(env.amdahl) ~= "function" then
          return false, { en = "define amdahl(p, n)", ko = "amdahl(p, n)을 정의하세요" }
        end
        local ok, a = pcall(env.amdahl, 0.95, 1e9)
        local ok2, b = pcall(env.amdahl, 0.5, 2)
        if not (ok and ok2 and close(value(a), 20, 1e-6) and close(value(b), 4 / 3, 1e-9)) then
          return false, { en = ("amdahl(0.95, ∞) should be 20 and amdahl(0.5, 2) 4/3; got %s and %s: the serial part 1 − p takes the same time on any n")
                            :format(tostring(a), tostring(b)),
                          ko = ("amdahl(0.95, ∞)는 20, amdahl(0.5, 2)는 4/3이어야 하는데 %s, %s입니다: 직렬 부분 1 − p는 n과 상관없이 같은 시간이 걸립니다")
                            :format(tostring(a), tostring(b)) }
        end
        return true
      end,
    },
    {
      text = {
        en = [[
What a GPU changes: both P and W grow, by a lot, and the ridge moves right. The
table holds published peak figures (vendor data sheets, dense math). For each
one compute its ridge point P/W in flop/byte into ridges, and count in bound how
many of them leave the element-wise add (1/12 flop/byte) and a batch-1 Linear
(ai_linear(1)) memory-bound.]],
        ko = [[
GPU가 바꾸는 것: P와 W가 모두 크게 늘고, 꺾이는 점이 오른쪽으로 갑니다. 표에는
공개된 최대 성능(제조사 데이터 시트, 희소성 없는 연산)이 있습니다. 각각의 꺾이는
점 P/W를 flop/byte로 ridges에 구하고, 원소별 덧셈(1/12 flop/byte)과 배치 1의
Linear(ai_linear(1))가 메모리 한계에 걸리는 기계가 몇 개인지 bound에 세세요.]],
      },
      code = [[
gpus = {
  { name = "A100 SXM (FP32)", tflops = 19.5, gbs = 1555 },
  { name = "A100 SXM (FP16 tensor cores)", tflops = 312, gbs = 1555 },
  { name = "H100 SXM (FP16 tensor cores)", tflops = 989, gbs = 3350 },
  { name = "RTX 4090 (FP32)", tflops = 82.6, gbs = 1008 },
}
ridges, bound = {}, 0
for i, g in ipairs(gpus) do
  ridges[i] = g.tflops * 1e12 / (g.gbs * 1e9)
  if 1 / 12 < ridges[i] and ai_linear(1) < ridges[i] then bound = bound + 1 end
  print(("%-30s %6.1f TFLOP/s %5d GB/s  ridge %5.1f flop/byte")
    :format(g.name, g.tflops, g.gbs, ridges[i]))
end
print(("%-30s %6.3f TFLOP/s %5.0f GB/s  ridge %5.1f flop/byte")
  :format("this machine (measured)", P / 1e12, W / 1e9, ridge))
print(bound)]],
      wrong = [[
gpus = {
  { name = "A100 SXM (FP32)", tflops = 19.5, gbs = 1555 },
  { name = "A100 SXM (FP16 tensor cores)", tflops = 312, gbs = 1555 },
  { name = "H100 SXM (FP16 tensor cores)", tflops = 989, gbs = 3350 },
  { name = "RTX 4090 (FP32)", tflops = 82.6, gbs = 1008 },
}
ridges, bound = {}, 0
for i, g in ipairs(gpus) do ridges[i] = g.tflops / g.gbs end]],
      check = function(env)
        local r = env.ridges
        if type(r) ~= "table" or #r < #GPUS then
          return false, { en = "fill ridges, one per GPU", ko = "GPU마다 하나씩 ridges를 채우세요" }
        end
        for i, g in ipairs(GPUS) do
          local want = g.tflops * 1e12 / (g.gbs * 1e9)
          local got = value(r[i])
          if close(got, g.tflops / g.gbs, 1e-6) then
            return false, { en = "TFLOP/s over GB/s mixes units: 1e12 flops over 1e9 bytes, so multiply by 1000",
                            ko = "TFLOP/s를 GB/s로 나누면 단위가 섞입니다: 1e12 flop을 1e9 바이트로, 곧 1000을 곱하세요" }
          end
          if not close(got, want, 1e-6) then
            return false, { en = ("ridges[%d] (%s): peak flops per second over bytes per second"):format(i, g.name),
                            ko = ("ridges[%d] (%s): 초당 최대 flop을 초당 바이트로 나누세요"):format(i, g.name) }
          end
        end
        if value(env.bound) ~= #GPUS then
          return false, { en = ("bound = %s: both intensities (0.083 and about %.2f) are below every ridge here"):format(tostring(env.bound), 2 * 256 * 784 / (4 * (784 * 256 + 1040))),
                          ko = ("bound = %s: 두 강도(0.083과 약 %.2f)는 여기 있는 모든 꺾이는 점보다 낮습니다"):format(tostring(env.bound), 2 * 256 * 784 / (4 * (784 * 256 + 1040))) }
        end
        return true
      end,
    },
    {
      text = { en = "To finish, what the counts say.", ko = "마지막으로, 세어 본 수가 말하는 것." },
      quiz = {
        question = { en = "Going from batch 1 to batch 64 makes a Linear layer much faster per sample. Why?",
                     ko = "배치 1에서 64로 가면 Linear 층의 샘플당 시간이 크게 줄어듭니다. 왜일까요?" },
        choices = {
          { en = "Fewer flops are needed per sample with a large batch", ko = "배치가 크면 샘플당 flop이 줄어서" },
          { en = "Each weight read from memory now serves 64 samples", ko = "메모리에서 읽은 가중치 하나가 샘플 64개에 쓰여서" },
          { en = "The gradient is averaged over more samples", ko = "기울기를 더 많은 샘플로 평균 내서" },
          { en = "Larger batches turn on more CPU cores by design", ko = "배치가 크면 원래 CPU 코어를 더 켜도록 되어 있어서" },
        },
        answer = 2,
        explain = { en = "Yes: the flops per sample stay 2·784·256, but the weights' bytes are shared, so the intensity rises from about 0.5 to about 24 flop/byte and the layer leaves the memory-bound side of the roofline.",
                    ko = "맞습니다: 샘플당 flop은 2·784·256 그대로지만 가중치의 바이트를 나눠 쓰므로, 강도가 약 0.5에서 약 24 flop/byte로 올라 루프라인의 메모리 한계 쪽을 벗어납니다." },
        wrong = {
          { en = "flops(B, 256, 784) / B is the same for every B.", ko = "flops(B, 256, 784) / B는 B와 상관없이 같습니다." },
          [3] = { en = "That is about the noise of SGD, not about speed: this was a forward pass only.", ko = "그것은 SGD의 노이즈 이야기이지 속도가 아닙니다: 여기서는 순전파만 쟀습니다." },
          [4] = { en = "The thread count did not change between the batches (get_num_threads()).", ko = "배치 사이에 스레드 수는 바뀌지 않았습니다 (get_num_threads())." },
        },
      },
    },
  },
}

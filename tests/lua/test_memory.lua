-- Lua's collector must see tensor memory: a loop of 100,000 training-like steps that makes
-- temporaries and calls backward stays flat in RSS, with no collectgarbage() in the loop.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nb = require "nabla"

-- Under AddressSanitizer (.ci/run's build-san sets NABLA_SANITIZER=address) freed memory
-- waits in a quarantine before it is reused (ASAN_OPTIONS quarantine_size_mb=64 there), every
-- allocation carries redzones, and shadow memory maps an eighth of the heap: the limits grow
-- by that overhead, not more (a real leak still goes far past them).
local SAN = os.getenv("NABLA_SANITIZER")
local SAN_GROWTH = SAN and 80 or 0     -- the quarantine (64 MiB) and the shadow of its churn
local SAN_BASE = SAN and 250 or 0      -- ASan's own allocator and shadow at start-up

local function rss_mib()
  local f = assert(io.open("/proc/self/statm"))
  local _, res = f:read("n", "n")
  f:close()
  return res * 4096 / 2 ^ 20
end

T.test("100,000 autograd steps keep RSS flat", function()
  nb.manual_seed(0)
  local x = nb.randn(100, 64)
  local y = nb.randn(100, 64)
  local w = nb.randn(64):requires_grad()
  local b = nb.zeros(1):requires_grad()
  local rss = {}
  for step = 1, 100000 do
    local pred = x * w + b
    local loss = (pred - y) ^ 2
    loss:backward(nb.ones(100, 64) * 1e-6)
    nb.no_grad(function()
      w:sub_(w.grad, 1e-3)
      b:sub_(b.grad, 1e-3)
    end)
    w.grad = nil
    b.grad = nil
    if step == 10000 then rss[1] = rss_mib() end
    if step == 100000 then rss[2] = rss_mib() end
  end
  print(("RSS after 10,000 steps: %.1f MiB; after 100,000: %.1f MiB; tensor bytes alive: %d")
    :format(rss[1], rss[2], nb.tensor_bytes()))
  T.ok(rss[2] - rss[1] < 16 + SAN_GROWTH, ("RSS grew by %.1f MiB"):format(rss[2] - rss[1]))
  T.ok(rss[2] < 200 + SAN_BASE, ("RSS %.1f MiB"):format(rss[2]))
end)

T.test("large temporaries are collected at the pace they are made", function()
  local before = rss_mib()
  for _ = 1, 200 do
    local big = nb.ones(1000, 1000) * 2 -- 4 MB each, 800 MB in all
    assert(big:numel() == 1e6)
  end
  local after = rss_mib()
  print(("RSS before: %.1f MiB, after 200 x 4 MB temporaries: %.1f MiB"):format(before, after))
  T.ok(after - before < 120 + SAN_GROWTH, ("RSS grew by %.1f MiB"):format(after - before))
end)

T.done()

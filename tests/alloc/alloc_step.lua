-- Out of memory is an error, never a crash (issue 12): a small training step (an MLP and a
-- small CNN, forward, loss, backward, Adam step, a checkpoint round trip) is run once for
-- each N = 1, 2, ... with the N-th of nabla's allocations failing (tests/alloc/alloc_fail.c),
-- until a run no longer reaches N allocations. Each run must end in a Lua error that says
-- it ran out of memory (or complete, where the code has a fallback); afterwards the session
-- works and no tensor memory is left behind. In the sanitizer build LeakSanitizer checks
-- every other allocation at exit.
local nabla = require "nabla"
local nn, optim = nabla.nn, nabla.optim
nabla.set_num_threads(1)

local dir = os.tmpname()
os.remove(dir)
os.execute("mkdir -p '" .. dir .. "'")

nabla.manual_seed(3)
local mlp = nn.Sequential{ nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3) }
local cnn = nn.Sequential{ nn.Conv2d(1, 2, 3, { padding = 1 }), nn.BatchNorm2d(2), nn.ReLU(),
                           nn.MaxPool2d(2), nn.Flatten(), nn.Linear(2 * 3 * 3, 3) }
local opt1 = optim.Adam(mlp:parameters(), { lr = 0.01 })
local opt2 = optim.SGD(cnn:parameters(), { lr = 0.01, momentum = 0.9 })
local x1, y1 = nabla.randn(4, 6), nabla.tensor{ 1, 2, 3, 1 }
local x2 = nabla.randn(4, 1, 6, 6)
local loss_fn = nn.CrossEntropyLoss()
local ts = require "nabla.trainstate"

local function step()
  local loss = loss_fn(mlp(x1), y1)
  opt1:zero_grad()
  loss:backward()
  opt1:step()
  local l2 = loss_fn(cnn(x2), y1)
  opt2:zero_grad()
  l2:backward()
  nn.utils.clip_grad_norm_(cnn:parameters(), 1.0)
  opt2:step()
  local p = x1:softmax(2):gather(2, y1:view(4, 1)):mean()
  -- tensors of 256 KiB and more are mapped (src/core/tensor.c): emptying the cache of
  -- freed blocks first makes this product map its blocks, so that mmap can fail too
  nabla._C._trim_heap()
  local big = nabla.randn(200, 400):matmul(nabla.randn(400, 200)):mean()
  ts.save_training(dir .. "/ck.safetensors", mlp, opt1, { epoch = 1 })
  ts.load_training(dir .. "/ck.safetensors", mlp, opt1)
  return loss:item() + l2:item() + p:item() + big:item()
end

step()                        -- warm up: lazy initialisation happens once, not under test
collectgarbage(); collectgarbage()
local base = nabla.tensor_bytes()

local n, failures, completed = 0, 0, 0
local messages = {}
while true do
  n = n + 1
  fail_alloc(n)
  local ok, err = pcall(step)
  local fired, made = alloc_fired()
  fail_alloc(0)
  if not fired then
    assert(ok, "step failed with no allocation failing: " .. tostring(err))
    break
  end
  if ok then
    completed = completed + 1     -- a fallback path (e.g. a serial sum) took over
  else
    failures = failures + 1
    err = tostring(err)
    if not err:find("memory", 1, true) then
      error(("allocation %d failed, and the error does not say so: %s"):format(n, err))
    end
    messages[err:gsub("^.-:%d+: ", ""):sub(1, 60)] = true
  end
  -- the session is alive: a fresh step works
  local v = step()
  assert(v == v, "the step after allocation failure " .. n .. " gave NaN")
  collectgarbage(); collectgarbage()
  local now = nabla.tensor_bytes()
  if now > base then
    error(("allocation failure %d left %d bytes of tensor memory behind"):format(n, now - base))
  end
end
os.execute("rm -rf '" .. dir .. "'")
local kinds = 0
for _ in pairs(messages) do kinds = kinds + 1 end
print(("%d allocations in a step: %d failures raised an out-of-memory error (%d different messages), "
  .. "%d were absorbed by a fallback; no leaks, the session alive after each"):format(n - 1, failures, kinds, completed))
assert(failures > 0, "no allocation failure reached the test")

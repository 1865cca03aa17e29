-- Hardening (issue 12): nothing a learner types or a file holds kills the session. Each case
-- the issue found is here: out-of-range indices, sizes whose product wraps around, Lua format
-- codes, uninitialised permute dims, corrupt training checkpoints, JSON headers with any
-- valid byte, errors that name what the learner got wrong.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local nn, optim = nabla.nn, nabla.optim
local ck = require "nabla.checkpoint"
local ts = require "nabla.trainstate"

local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p '" .. dir .. "'"))
local function path(name) return dir .. "/" .. name end
local function write(p, s) local f = assert(io.open(p, "wb")) f:write(s) f:close() end

local HUGE = 4611686018427387904   -- 2^62

T.test("x[i] out of range raises (no crash), saying what was asked and what is valid", function()
  local x = nabla.zeros(3)
  T.raises(function() x[5] = 1 end, "index 5 out of range for size 3", "valid: 1..3")
  T.raises(function() return nabla.randn(3)[-4] end, "index -4 out of range for size 3")
  T.raises(function() return x[0] end, "index 0 out of range", "positions start at 1")
  T.raises(function() return x[2.5] end, "2.5 is not a whole number")
  T.raises(function() return x[math.mininteger] end, "out of range for size 3")
  T.raises(function() return nabla.zeros(2, 3)[{ 1, 7 }] end, "index 7 out of range for size 3",
    "dimension 2 of shape [2,3]")
  T.raises(function() return nabla.zeros(2, 3)[{ 1, { "a" } }] end, "range start is a string")
  T.raises(function() return nabla.zeros(2, 3)[{ { 1, 5 } }] end, "range {1, 5} is out of bounds")
  T.raises(function() return nabla.zeros(3):select(1, -4) end, "select: index -4 out of range")
  -- the session is alive and the tensor unchanged
  T.near(x, nabla.zeros(3), 0, 0)
  x[-1] = 7
  T.eq(x[3]:item(), 7)
  x[{ { 1, 2 } }] = 5
  T.eq(x:sum():item(), 17)
end)

T.test("a failed index leaks no tensor memory", function()
  local x = nabla.randn(100, 100)
  collectgarbage(); collectgarbage()
  local before = nabla.tensor_bytes()
  for _ = 1, 200 do
    pcall(function() return x[{ { 1, 50 }, { 1, "z" } }] end)
    pcall(function() return x[{ { 2, 60 }, 500 }] end)
    pcall(function() x[{ 1, { 1, 3, 0 } }] = 1 end)
  end
  collectgarbage(); collectgarbage()
  T.eq(nabla.tensor_bytes(), before, "bytes alive after 600 failed indices")
end)

T.test("sizes are multiplied with overflow checks", function()
  T.raises(function() return nabla.zeros(4):reshape(4611686018427387905, 4) end, "reshape:", "too large")
  T.raises(function() return nabla.zeros(4):view(HUGE, HUGE, -1) end, "view:", "too large")
  T.raises(function() return nabla.zeros(0, HUGE, 4) end, "too large")
  T.raises(function() return nabla.zeros(0):reshape(0, HUGE, 4) end, "too large")
  T.raises(function() return nabla.zeros(1):expand(HUGE, 4) end, "expand:", "too large")
  T.raises(function() return nabla.zeros(10):narrow(1, 2, HUGE) end, "narrow: start 2 and length 4611686018427387904")
  T.raises(function() return nabla.zeros(10):narrow(1, math.mininteger, 1) end, "narrow:")
  T.raises(function() return nabla.empty(1 << 45) end, "tensor: shape [35184372088832] is too large")
  -- within the limit but beyond this machine: refused before malloc, with the sizes
  T.raises(function() return nabla.empty(1 << 39) end, "out of memory", "GiB")
  -- a huge step takes one element (and no stride overflows)
  local s = nabla.arange(1, 11)[{ { 1, 10, HUGE } }]
  T.eq(s:numel(), 1)
  T.eq(s[1]:item(), 1)
  T.eq(nabla.arange(1, 11)[{ { 2, 10, 3 } }]:tolist()[3], 8)
end)

T.test("softmax and log_softmax over NaN and infinities give NaN, with no undefined behaviour", function()
  -- (the sanitizer build checks the "no undefined behaviour": reduce.c's own exp overflowed)
  local x = nabla.tensor{ { 0 / 0, 1, 2 }, { math.huge, 0, 1 }, { -math.huge, 0, 0 } }
  local s = x:softmax(2):tolist()
  T.ok(s[1][1] ~= s[1][1] and s[1][2] ~= s[1][2], "a NaN row is NaN")
  T.near(nabla.tensor(s[3]), nabla.tensor{ 0, 0.5, 0.5 }, 1e-6, 1e-6, "-inf takes no weight")
  local big = nabla.full({ 4, 33 }, 0 / 0):log_softmax(2)
  T.eq(big:ne(big):sum():item(), 4 * 33, "NaN through the vector path")
end)

T.test("cutmix boxes far outside the image are clipped, with no overflow", function()
  local cutmix = (nabla._C and nabla._C._cutmix) or nabla._cutmix
  local x = nabla.randn(2, 1, 4, 4)
  local a = cutmix(x, { 2, 1 }, math.mininteger, 1, math.maxinteger, 2)   -- rows all, cols 1..2
  T.near(a[{ 1, 1, ":", { 1, 2 } }], x[{ 2, 1, ":", { 1, 2 } }], 0, 0)
  T.near(a[{ 1, 1, ":", { 3, 4 } }], x[{ 1, 1, ":", { 3, 4 } }], 0, 0)
  local b = cutmix(x, { 2, 1 }, 2, 2, 2, math.maxinteger)
  T.near(b[{ 2, 1, { 2, 3 }, { 2, 4 } }], x[{ 1, 1, { 2, 3 }, { 2, 4 } }], 0, 0)
  T.near(cutmix(x, { 2, 1 }, math.maxinteger, math.maxinteger, 5, 5), x, 0, 0)
end)

T.test("permute names the dims it got", function()
  T.raises(function() return nabla.zeros(3):permute(2, nil) end, "permute: got 2 dims for a tensor of shape [3]")
  T.raises(function() return nabla.zeros(2, 3):permute(1, nil) end, "permute: dim 2 is a nil")
  T.raises(function() return nabla.zeros(2, 3):permute(1, 1) end, "dim 1 (= 1) appears twice")
  T.raises(function() return nabla.zeros(2, 3):permute(1, 3) end, "permute: dim 3 out of range", "1..2 or -2..-1")
  T.raises(function() return nabla.zeros(2, 3):permute(1, 1.5) end, "dim 2 is the number 1.5")
  T.eq(tostring(nabla.zeros(2, 3):permute(-1, -2).shape), tostring(nabla.zeros(3, 2).shape))
end)

T.test("error messages use Lua's format codes (no 'invalid option' from lua_pushfstring)", function()
  local e = T.raises(function() return nabla.bytes(nabla.tensor{ 300 }) end, "value 300", "not an integer in 0..255")
  T.ok(not e:find("invalid option", 1, true), e)
  T.raises(function() return nabla.bytes(nabla.tensor{ 1, 2.5 }) end, "value 2.5 at position 2")
  local vector_norm = nabla._C._vector_norm
  T.raises(function() return vector_norm(nabla.zeros(2), -1.5) end, "norm_type must be positive (got -1.5")
end)

T.test("Conv2d names a bad kernel size; data.mnist refuses image files of the wrong rank", function()
  T.raises(function() return nn.Conv2d(1, 1, -3) end, "nn.Conv2d: kernel_size must be a whole number >= 1", "got -3")
  T.raises(function() return nn.Conv2d(1, 1, { 3, 0 }) end, "kernel_size", "{3, 0}")
  T.raises(function() return nn.Conv2d(1, 1, 3, { stride = 0 }) end, "stride")
  T.raises(function() return nn.Conv2d(1, 1, 3, { padding = -1 }) end, "padding must be a whole number >= 0")
  -- a 2-d "images" file (N, 784) and a proper label file
  local function be32(n) return string.pack(">I4", n) end
  write(path("train-images-idx3-ubyte"), "\0\0\8\2" .. be32(2) .. be32(4) .. string.rep("\0", 8))
  write(path("train-labels-idx1-ubyte"), "\0\0\8\1" .. be32(2) .. "\1\2")
  T.raises(function() return nabla.data.mnist{ path = dir } end, "train-images-idx3-ubyte",
    "images must have 3 dimensions", "[2,4]")
end)

-- ---- a training checkpoint, then corrupt copies of it ----------------------------------------

local function setup()
  nabla.manual_seed(1)
  local m = nn.Sequential{ nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2) }
  local opt = optim.Adam(m:parameters(), { lr = 0.01 })
  local sched = optim.lr_scheduler.StepLR(opt, { step_size = 2 })
  return m, opt, sched
end

local m0, opt0, sched0 = setup()
local x, y = nabla.randn(8, 3), nabla.tensor{ 1, 2, 1, 2, 1, 1, 2, 2 }
nabla.fit(m0, { x, y }, { epochs = 2, optimizer = opt0, scheduler = sched0, quiet = true,
                          checkpoint = dir .. "/run" })
local good = dir .. "/run/last.safetensors"
local sd0, meta0 = ck.load(good)

-- writes a copy of the good checkpoint with metadata fields replaced (fn(meta) edits it)
local n_bad = 0
local function corrupt(fn)
  local meta = {}
  for k, v in pairs(meta0) do meta[k] = v end
  fn(meta)
  local keys = {}
  for k in pairs(sd0) do keys[#keys + 1] = k end
  table.sort(keys)
  n_bad = n_bad + 1
  local p = path(("bad%d.safetensors"):format(n_bad))
  ck.write(p, keys, sd0, meta)
  return p
end

local function loads(p)
  local m, opt, sched = setup()
  return pcall(ts.load_training, p, m, opt, { scheduler = sched })
end

-- the decoded JSON objects keep their keys' order in a metatable: new keys are added there too
local function edit_json(field, fn)
  return function(meta)
    local v = ck.json.decode(meta[field])
    -- fn edits through proxies that register new keys
    local function proxy(t)
      if type(t) ~= "table" then return t end
      local mt = getmetatable(t)
      return setmetatable({}, {
        __index = function(_, k) return proxy(t[k]) end,
        __newindex = function(_, k, x)
          if mt and mt.keys and t[k] == nil then mt.keys[#mt.keys + 1] = k end
          t[k] = x
        end })
    end
    fn(proxy(v))
    meta[field] = ck.json.encode(v)
  end
end

T.test("resume: the good checkpoint loads", function()
  local ok, st = loads(good)
  T.ok(ok, tostring(st))
  T.eq(st.epoch, 2)
end)

T.test("resume: a corrupt epoch is refused naming the field and the file", function()
  for _, e in ipairs({ "-100000000", "1e9", "abc", "2.5", "99999999999999999999", "" }) do
    local p = corrupt(function(m) m.epoch = e end)
    local ok, err = loads(p)
    T.ok(not ok, "epoch " .. e .. " accepted")
    T.ok(err:find("field 'epoch'", 1, true) and err:find(p, 1, true), err)
  end
  -- fit never trains for 10^8 epochs: it stops at the error
  local m, opt = setup()
  local p = corrupt(function(mt) mt.epoch = "-100000000" end)
  T.raises(function() nabla.fit(m, { x, y }, { epochs = 3, optimizer = opt, resume = p, quiet = true }) end,
    "field 'epoch'", "expected a whole number 0..")
end)

T.test("resume: optimizer records with wrong types or ranges are refused, never a raw Lua error", function()
  local cases = {
    { function(o) o.name = 5 end, "optimizer.name" },
    { function(o) o.param_groups = "x" end, "optimizer.param_groups" },
    { function(o) o.param_groups = {} end, "optimizer.param_groups" },
    { function(o) o.param_groups[1] = 3 end, "optimizer.param_groups[1]" },
    { function(o) o.param_groups[1].params = { 1, 2, 3, 99 } end, "optimizer.param_groups[1].params" },
    { function(o) o.param_groups[1].params = { 1, 1, 2, 3 } end, "each parameter listed once" },
    { function(o) o.param_groups[1].lr = "fast" end, "optimizer.param_groups[1].lr" },
    { function(o) o.param_groups[1].lr = -1 end, "optimizer.param_groups[1].lr" },
    { function(o) o.param_groups[1].betas = { 0.9, 1.5 } end, "optimizer.param_groups[1].betas" },
    { function(o) o.param_groups[1].betas = { 0.9 } end, "optimizer.param_groups[1].betas" },
    { function(o) o.param_groups[1].betas = "x" end, "optimizer.param_groups[1].betas" },
    { function(o) o.param_groups[1].step = { 1 } end, "optimizer.param_groups[1].step" },
    -- an option this optimizer does not have (found by tests/fuzz: it hid a wrong state name)
    { function(o) o.param_groups[1]["i-itial_lr"] = 0.01 end, "optimizer.param_groups[1].i-itial_lr" },
    { function(o) o.state = { ["#1"] = { otep = 2 } } end, "optimizer.state[1]" },
    { function(o) o.state = { ["#1"] = { step = -5 } } end, "optimizer.state[1].step" },
    { function(o) o.state = { ["#1"] = { step = 1.5 } } end, "optimizer.state[1].step" },
    { function(o) o.state = { ["#1"] = { step = "x" } } end, "optimizer.state[1].step" },
    { function(o) o.state = { ["#77"] = { step = 1 } } end, "optimizer.state[77]" },
    { function(o) o.state = 4 end, "optimizer.state" },
    -- Adam's tensors without its step count (found by tests/fuzz: Adam's update failed)
    { function(o) o.state = {} end, "optimizer.state[1].step" },
    { function(o) o.state = { ["#1"] = { step = 2, speed = 3 } } end, "optimizer.state[1].speed" },
  }
  for i, c in ipairs(cases) do
    local p = corrupt(edit_json("optimizer", c[1]))
    local ok, err = loads(p)
    T.ok(not ok, "case " .. i .. " accepted")
    T.ok(err:find(c[2], 1, true) and err:find(p, 1, true) and not err:find("attempt to", 1, true),
      ("case %d: %s"):format(i, err))
  end
  local p = corrupt(function(m) m.optimizer = "{not json" end)
  T.raises(function() assert(loads(p)) end)
  local ok, err = loads(p)
  T.ok(not ok and err:find("optimizer record is not valid JSON", 1, true), err)
end)

T.test("resume: history and scheduler records are type- and range-checked", function()
  local cases = {
    { "history", function(h) h.loss = "x" end, "history.loss" },
    { "history", function(h) h.loss[1] = "x" end, "history.loss[1]" },
    { "history", function(h) h.epoch[1] = -3 end, "history.epoch[1]" },
    { "history", function(h) h.epoch = { 1, 2.5 } end, "history.epoch[2]" },
    { "history", function(h) h.loss = { ["a"] = 1 } end, "history.loss" },
    { "scheduler", function(s) s.last_epoch = "x" end, "scheduler.last_epoch" },
    { "scheduler", function(s) s.last_epoch = -1e12 end, "scheduler.last_epoch" },
    { "scheduler", function(s) s.step = 3 end, "scheduler.step" },
    { "scheduler", function(s) s.get_lr = 3 end, "scheduler.get_lr" },
    { "scheduler", function(s) s.base_lrs = { -1 } end, "scheduler.base_lrs" },
    { "scheduler", function(s) s.base_lrs = { 1, 2, 3 } end, "scheduler.base_lrs" },
    { "scheduler", function(s) s.gamma = "x" end, "scheduler.gamma" },
  }
  for i, c in ipairs(cases) do
    local p = corrupt(edit_json(c[1], c[2]))
    local ok, err = loads(p)
    T.ok(not ok, "case " .. i .. " accepted")
    T.ok(err:find(c[3], 1, true) and err:find(p, 1, true) and not err:find("attempt to", 1, true),
      ("case %d: %s"):format(i, err))
  end
  -- a history without fit's columns resumes (found by tests/fuzz: fit failed on #history.epoch)
  local p = corrupt(function(meta) meta.history = '{"accuracy":[0.5,0.5]}' end)
  local m, opt, sched = setup()
  local h = nabla.fit(m, { x, y }, { epochs = 3, optimizer = opt, scheduler = sched, resume = p, quiet = true })
  T.eq(#h.epoch, 1, "one epoch trained after the resumed epoch 2")
  for _, f in ipairs({ "rng_seed", "early_stop" }) do
    local p = corrupt(function(m) m[f] = "zzz" end)
    local ok, err = loads(p)
    T.ok(not ok and err:find("field '" .. f .. "'", 1, true), tostring(err))
  end
end)

T.test("JSON: any valid byte in a string parses (0x7F, UTF-8), control bytes are refused", function()
  T.eq(ck.json.decode('"a\127b"'), "a\127b")
  T.eq(ck.json.decode('"\226\136\135"'), "∇")
  T.raises(function() ck.json.decode('"a\1b"') end, "control character")
  for b = 32, 255 do
    if b ~= 34 and b ~= 92 then
      local s = string.char(b)
      T.eq(ck.json.decode('"' .. s .. '"'), s, "byte " .. b)
    end
  end
  -- a safetensors header whose metadata holds 0x7F
  local m = nn.Linear(2, 2)
  nabla.save(path("del.safetensors"), m, { metadata = { note = "x\127y" } })
  local _, meta = nabla.load(path("del.safetensors"))
  T.eq(meta.note, "x\127y")
end)

T.test("the shell chooses the OpenMP wait policy at start-up, and keeps the user's", function()
  local exe = arg and arg[-1]
  if not exe or not exe:match("nabla$") then return T.ok(true) end   -- run by another interpreter
  local function run(env)
    local p = io.popen(("env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u NABLA_WAIT_CHOICE %s '%s' -e "
      .. "'print(os.getenv(\"GOMP_SPINCOUNT\"), os.getenv(\"NABLA_WAIT_CHOICE\"))'"):format(env, exe))
    local out = p:read("a")
    p:close()
    return out
  end
  local out = run("")
  T.ok(out:match("^10000\tcores free") or out:match("^0\tcores busy"), out)
  T.eq(run("GOMP_SPINCOUNT=5"):match("^%S+"), "5", "the user's GOMP_SPINCOUNT")
  T.eq(run("OMP_WAIT_POLICY=active"):match("^%S+"), "nil", "the user's OMP_WAIT_POLICY")
end)

T.test("an empty tensor with 2^31 rows costs nothing: forward and backward of every reduction and index_select", function()
  -- fuzz_ops found softmax's backward walking 2^31 empty rows (9-18 s each; 20 s under
  -- ASan); each op here, forward and backward, takes microseconds when it skips them
  local old = nabla.memory_limit("64M")   -- a valid result too big to hold is refused at once
  local ops = { "softmax", "log_softmax", "logsumexp", "mean", "sum", "max", "min", "argmax",
                "argmin", "var", "std", "norm", "prod" }
  local shapes = { { 1 << 31, 0, 2 }, { 0, 1 << 31, 2 }, { 2, 1 << 31, 0 }, { 1 << 20, 1 << 20, 0 },
                  { 1 << 31, 5, 0 } }   -- the last: a non-empty dim reduced, an empty result
  local budget = os.getenv("NABLA_SANITIZER") and 20 or 2   -- seconds for all 195 cases (before the fix: minutes)
  local t0, done, refused = nabla.clock(), 0, 0
  for _, sh in ipairs(shapes) do
    local base = {}
    for i, v in ipairs(sh) do base[i] = v == 0 and 0 or 1 end
    for _, op in ipairs(ops) do
      for d = 1, 3 do
        local x = nabla.zeros(table.unpack(base)):requires_grad()
        local ok, err = pcall(function()
          local z = x:expand(table.unpack(sh))[op](x:expand(table.unpack(sh)), d)
          if not nabla.is_tensor(z) then z = z[1] end
          if z.grad_fn then (z * nabla.randn(table.unpack(z.shape))):sum():backward() end
        end)
        if ok then done = done + 1
        else
          err = tostring(err)   -- a clear error: too big to hold, or no values to reduce
          T.ok((err:find("out of memory", 1, true) or err:find(op .. ": ", 1, true)) and not err:find("attempt to", 1, true),
            op .. " on " .. table.concat(sh, ",") .. ": " .. err)
          refused = refused + 1
        end
      end
    end
  end
  -- index_select walked them too (fuzz_ops again): every dim of the 4-d empty tensor
  for d = 1, 4 do
    local x = nabla.zeros(1, 5, 0, 2):requires_grad()
    local ok, err = pcall(function()
      local z = x:expand(1 << 31, 5, 0, 2):index_select(d, nabla.tensor{ 1, 2, 1 });
      (z * nabla.randn(table.unpack(z.shape))):sum():backward()
    end)
    T.ok(ok or tostring(err):find("index_select: ", 1, true), "index_select " .. d .. ": " .. tostring(err))
  end
  nabla.memory_limit(old)
  T.eq(done + refused, #ops * 3 * #shapes)
  print(("    %d computed, %d refused"):format(done, refused))
  T.ok(done > 100, ("%d computed, %d refused"):format(done, refused))
  T.ok(nabla.clock() - t0 < budget, ("%.2f s for %d cases"):format(nabla.clock() - t0, done + refused))
end)

os.execute("rm -rf '" .. dir .. "'")
T.done()

-- The checkpoint fuzzer's logic (run by fuzz_checkpoint, tests/fuzz/fuzz_lua.c): the input is
-- a whole file, read as a safetensors file (nabla.load) and as a training checkpoint of a
-- small model with Adam and a StepLR schedule (trainstate.load_training); what loads is
-- then trained for one epoch with fit{resume=...}. Every failure must be a clear error
-- naming the file; an unclear Lua error ("attempt to index a nil value"...) is a finding.
local nabla = require "nabla"
local ts = require "nabla.trainstate"
local nn, optim = nabla.nn, nabla.optim

local dir = (io.open("/dev/shm/.nabla-probe", "w") and "/dev/shm") or os.getenv("TMPDIR") or "/tmp"
os.remove("/dev/shm/.nabla-probe")
local path = ("%s/nabla-fuzz-ck-%s.safetensors"):format(dir, tostring({}):match("0x(%x+)") or "x")

local UNCLEAR = { "attempt to ", "invalid option", "a nil value", "no integer representation",
                  "stack overflow", "C stack" }
local function check_error(what, err)
  if type(err) ~= "string" or err == "" then error(what .. ": an error that is not a message", 0) end
  -- names quoted from the file ('...') are the file's own text, which may spell anything
  -- (a field named "attempt to " once looked like a raw Lua error): look outside them
  local own = err:gsub("'[^']*'", "''")
  for _, u in ipairs(UNCLEAR) do
    if own:find(u, 1, true) then error(("%s raised an unclear error: %s"):format(what, err), 0) end
  end
  if not err:find(path, 1, true) then error(("%s: the error does not name the file: %s"):format(what, err), 0) end
end

local x = nabla.randn(6, 3)
local y = nabla.tensor{ 1, 2, 1, 2, 2, 1 }

return function(s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
  local ok, err = pcall(nabla.load, path)
  if not ok then check_error("load", err) end

  nabla.manual_seed(1)
  local m = nn.Sequential{ nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2) }
  local opt = optim.Adam(m:parameters(), { lr = 0.01 })
  local sched = optim.lr_scheduler.StepLR(opt, { step_size = 2 })
  local st
  ok, st = pcall(ts.load_training, path, m, opt, { scheduler = sched })
  if not ok then
    check_error("load_training", st)
  else
    -- what was accepted trains: one more epoch, resumed from the file
    local m2 = nn.Sequential{ nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2) }
    local opt2 = optim.Adam(m2:parameters(), { lr = 0.01 })
    local sched2 = optim.lr_scheduler.StepLR(opt2, { step_size = 2 })
    local fok, ferr = pcall(nabla.fit, m2, { x, y }, { epochs = st.epoch + 1, optimizer = opt2,
      scheduler = sched2, resume = path, quiet = true })
    if not fok then
      local e = tostring(ferr)
      for _, u in ipairs(UNCLEAR) do
        if e:find(u, 1, true) then error("fit after an accepted resume: " .. e, 0) end
      end
    end
  end
  os.remove(path)
end

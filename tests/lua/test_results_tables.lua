-- tools/results.lua: the results tables of README.md and experiments/README.md are the
-- numbers of the runs kept in experiments/results/ (--check fails when they differ), and
-- the script rewrites them from a run's result.txt and /usr/bin/time -v output.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"

local root = (nabla.lua_dir or "lua") .. "/.."
local exe = arg and arg[-1] or "nabla"

local function sh(cmd)
  local p = io.popen("(" .. cmd .. ") 2>&1; echo \"exit=$?\"")
  local out = p:read("a")
  p:close()
  local text, code = out:match("^(.-)exit=(%d+)%s*$")
  return text, tonumber(code)
end

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

T.test("the committed tables match the committed runs", function()
  local out, code = sh(("%s %s/tools/results.lua --check"):format(q(exe), q(root)))
  T.eq(code, 0, "tools/results.lua --check: " .. out)
end)

T.test("a new run changes the tables; --check catches it; rewriting fixes it", function()
  local tmp = os.tmpname()
  os.remove(tmp)
  local d = tmp .. "/results-test"
  sh(("mkdir -p %s/tools %s/experiments/results/mnist-cnn-seed7"):format(q(d), q(d)))
  sh(("cp %s/tools/results.lua %s/tools/ && cp %s/README.md %s/ && cp %s/experiments/README.md %s/experiments/")
    :format(q(root), q(d), q(root), q(d), q(root), q(d)))
  local f = assert(io.open(d .. "/experiments/results/mnist-cnn-seed7/result.txt", "w"))
  f:write("experiment: mnist-cnn\nepochs: 6\nselected_epoch: 5\nselected_on: validation split\n",
          "test_accuracy: 99.31%\nval_accuracy: 99.12%\ntime: 100.0 s\npeak memory: 120 MiB\n")
  f:close()
  f = assert(io.open(d .. "/experiments/results/mnist-cnn-seed7/time.txt", "w"))
  f:write("\tElapsed (wall clock) time (h:mm:ss or m:ss): 2:03.50\n\tMaximum resident set size (kbytes): 131072\n")
  f:close()
  local script = q(d .. "/tools/results.lua")
  local out, code = sh(("%s %s --check"):format(q(exe), script))
  T.eq(code, 1, "--check fails on a run the tables do not show: " .. out)
  T.ok(out:find("out of date", 1, true), "and says so")
  out, code = sh(("%s %s"):format(q(exe), script))
  T.eq(code, 0, "rewrite: " .. out)
  out, code = sh(("%s %s --check"):format(q(exe), script))
  T.eq(code, 0, "up to date after rewriting: " .. out)
  local readme = io.open(d .. "/experiments/README.md"):read("a")
  T.ok(readme:find("| mnist-cnn | 7 | **99.31%** | ≥ 99.3% ✓ | epoch 5 of 6 | 99.12% | 6 | 124 s | 128 MiB |", 1, true),
       "the run's row: accuracy, target met, chosen epoch, wall time and RSS from time -v")
  local top = io.open(d .. "/README.md"):read("a")
  T.ok(top:find("| `mnist-cnn` | 7: 99.31%", 1, true), "README.md's summary row")
  sh("rm -rf " .. q(tmp))
end)

T.test("an mnist-semi run: every method's test accuracy in its row, the last in bold", function()
  local tmp = os.tmpname()
  os.remove(tmp)
  local d = tmp .. "/results-test"
  sh(("mkdir -p %s/tools %s/experiments/results/mnist-semi-seed7"):format(q(d), q(d)))
  sh(("cp %s/tools/results.lua %s/tools/ && cp %s/README.md %s/ && cp %s/experiments/README.md %s/experiments/")
    :format(q(root), q(d), q(root), q(d), q(root), q(d)))
  local f = assert(io.open(d .. "/experiments/results/mnist-semi-seed7/result.txt", "w"))
  f:write("experiment: mnist-semi\nbaseline_accuracy: 85.20%\npseudo_label_accuracy: 86.78%\n",
          "fixmatch_accuracy: 97.10%\nself_training_accuracy: 98.05%\ntest_accuracy: 98.05%\n",
          "val_accuracy: 97.90%\nselected_on: nothing\ntime: 700.0 s\npeak memory: 140 MiB\n")
  f:close()
  local out, code = sh(("%s %s"):format(q(exe), q(d .. "/tools/results.lua")))
  T.eq(code, 0, "rewrite: " .. out)
  local readme = io.open(d .. "/experiments/README.md"):read("a")
  T.ok(readme:find("| mnist-semi | 7 | 85.20% / 86.78% / 97.10% / **98.05%** | ≥ 99.0% ✗ | nothing (fixed schedule) | 97.90% | – | 700 s | 140 MiB |", 1, true),
       "the four methods, the target not met, no time.txt: the run's own time and RSS")
  local top = io.open(d .. "/README.md"):read("a")
  T.ok(top:find("| `mnist-semi` | 7: 98.05%", 1, true), "README.md's summary row: the last method")
  sh("rm -rf " .. q(tmp))
end)

T.done()

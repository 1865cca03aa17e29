-- Every lesson is replayed through the real runner: for each step, a typical wrong answer
-- (the step's `wrong` code, then each of its `wrongs` with what the check must say about it)
-- must be caught by its check, then the reference solution must pass it, and next() must move on. Progress goes to a temporary XDG_STATE_HOME.
-- This file replays the lessons in English; tests/lua/test_lessons_ko.lua runs it with
-- LESSON_LANGS = { "ko" }: two meson tests, each in a fresh session, side by side (the
-- replay of seventeen lessons in both languages in one test came near its timeout on a
-- busy machine).
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
nabla.globals(_G)
local runner = require "nabla.lesson"

local state = os.tmpname()
os.remove(state)
os.execute("mkdir -p " .. state)
-- the runner reads XDG_STATE_HOME through os.getenv: point it at a temp dir
local real_getenv = os.getenv
os.getenv = function(k)
  if k == "XDG_STATE_HOME" then return state end
  return real_getenv(k)
end

-- plots and lesson text are printed by the runner; keep the test log short
local quiet_print = print
local function silently(fn, ...)
  local saved = _G.print
  _G.print = function() end
  local r = table.pack(pcall(fn, ...))
  _G.print = saved
  if not r[1] then error(r[2], 2) end
  return table.unpack(r, 2, r.n)
end

local function run_code(code, name)
  local chunk, err = load(code, "=" .. name, "t", _G)
  if not chunk then error(name .. ": " .. err) end
  return pcall(silently, chunk)
end

T.test("every file in lessons/ loads as a lesson", function()
  local list, broken = runner.all()
  for id, err in pairs(broken) do error("lesson " .. id .. " does not load: " .. err) end
  local ids = {}
  for _, l in ipairs(list) do ids[l.id] = true end
  for _, want in ipairs({ "gradient-descent", "backprop", "vanishing-gradients", "autodiff", "conditioning",
                          "hardware", "convolution", "recurrent" }) do
    T.ok(ids[want], "lesson " .. want .. " is there")
  end
end)

-- NABLA_TEST_ONLY=id,id,... replays only those lessons (.ci/run's sanitizer build takes a
-- reduced set; a developer at work on one lesson; the ordinary run takes them all)
local function selected(list)
  local only = os.getenv("NABLA_TEST_ONLY")
  if not only or only == "" then return list end
  local out = {}
  for _, l in ipairs(list) do
    if ("," .. only .. ","):find("," .. l.id .. ",", 1, true) then out[#out + 1] = l end
  end
  assert(#out > 0, "NABLA_TEST_ONLY names no lesson: " .. only)
  return out
end

-- the replay is cut in two halves, each its own meson test (one lesson in two, in order:
-- test_lessons*.lua take the first, test_lessons*_2.lua set LESSON_PART = 2), so that
-- each stays well inside its timeout on a busy machine
local function half(list)
  local part, out = rawget(_G, "LESSON_PART") or 1, {}
  for i, l in ipairs(list) do
    if (i - 1) % 2 + 1 == part then out[#out + 1] = l end
  end
  return out
end

for _, lang in ipairs(rawget(_G, "LESSON_LANGS") or { "en" }) do
  for _, l in ipairs(half(selected(runner.all()))) do
    T.test(("lesson %s (%s): %d steps, every check passes, wrong answers caught"):format(l.id, lang, #l.steps), function()
      nabla.lang = lang
      -- 14 at most: regularization's ten techniques and their table, one idea a step
      T.ok(#l.steps >= 6 and #l.steps <= 14, l.id .. " has 6-14 steps")
      T.ok(l.title.en and l.title.ko, "title in both languages")
      silently(runner.lesson, l.id)
      for k, step in ipairs(l.steps) do
        T.ok(step.text and step.text.en and step.text.ko, ("%s step %d: text in en and ko"):format(l.id, k))
        local reference = step.solution or step.code   -- a step whose shown code is the answer
        local wrong = step.wrong
        if step.quiz and not step.check then
          -- a quiz is answered through this learner's shuffle: the right choice where it is
          -- shown (or the computed number), and a wrong one (or a number far off)
          T.ok(step.solution == nil and step.wrong == nil,
            ("%s step %d: a quiz's answer comes from quiz.answer / quiz.value, not solution/wrong code"):format(l.id, k))
          local right = runner.reference_answer(l, k)
          if step.quiz.kind == "number" then
            T.ok(type(right) == "number" and right == right, ("%s step %d: the quiz's value(env) computes a number"):format(l.id, k))
            wrong = ("answer(%.17g)"):format(right * 3 + 10)
          else
            local other = step.quiz.answer % #step.quiz.choices + 1
            wrong = ("answer(%d)"):format(runner.quiz_position(step, l.id, k, other))
          end
          reference = (step.code and step.code .. "\n" or "") .. ("answer(%.17g)"):format(right)
        end
        T.ok(reference, ("%s step %d has a reference solution"):format(l.id, k))
        if step.check or step.quiz then
          T.ok(wrong, ("%s step %d: a wrong answer to test the check with"):format(l.id, k))
          run_code(wrong, l.id .. " step " .. k .. " wrong")
          local ok, msg = runner.run_check(step, _G)
          T.ok(not ok, ("%s step %d: the wrong answer passed the check"):format(l.id, k))
          T.ok(msg == nil or runner.tr(msg) ~= "", "a failing check says what is wrong")
          -- a step may name its secret (what the learner must find): the check never tells it
          local secret = step.secret and step.secret(_G)
          if secret ~= nil and msg ~= nil then
            local text = " " .. runner.tr(msg) .. " "
            T.ok(not text:find("[^%d%.]" .. tostring(secret):gsub("%p", "%%%0") .. "[^%d%.]"),
              ("%s step %d: the failing check gives the answer (%s) away: %s"):format(l.id, k, tostring(secret), text))
          end
        end
        -- more wrong answers, each with what the check must say about it: the real mistake,
        -- not another one (says.en and says.ko are plain substrings of the message)
        for j, w in ipairs(step.wrongs or {}) do
          local where = ("%s step %d wrongs[%d]"):format(l.id, k, j)
          T.ok(w.code and w.says and w.says.en and w.says.ko, where .. ": code and says = { en, ko }")
          run_code(w.code, where)
          local ok, msg = runner.run_check(step, _G)
          T.ok(not ok, where .. ": the wrong answer passed the check")
          local said = runner.tr(msg)
          T.ok(said:find(w.says[lang], 1, true),
            ("%s: the check should say %q, it said: %s"):format(where, w.says[lang], said))
        end
        local ok, err = run_code(reference, l.id .. " step " .. k .. " solution")
        T.ok(ok, ("%s step %d: solution failed: %s"):format(l.id, k, tostring(err)))
        local passed, msg = runner.run_check(step, _G)
        T.ok(passed, ("%s step %d: check failed on the solution: %s"):format(l.id, k, runner.tr(msg)))
        T.ok(silently(runner.advance), ("%s step %d: next() refused"):format(l.id, k))
      end
      local progress = runner.load_progress()[l.id]
      T.ok(progress and progress.done, "progress saved")
      local done = 0
      for _ in pairs(progress.done) do done = done + 1 end
      T.eq(done, #l.steps, "every step marked done")
    end)
  end
end

T.test("runner commands without a lesson say what to do", function()
  T.ok(#runner.all() >= 1, "lessons found in " .. runner.lessons_dir())
  T.raises(function() runner.load("no-such-lesson") end, "no-such-lesson")
end)

os.execute("rm -rf " .. state)
_G.print = quiet_print
T.done()

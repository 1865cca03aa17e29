-- Quizzes that need thought (issue 18, item 3): the right option is not given away by its
-- length, the options are shown in an order of each learner's own (the answer check follows
-- it), a quiz allows a limited number of tries before it shows the answer and why, and
-- "predict the number" quizzes check the guess against a value computed by code.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
nabla.globals(_G)
local runner = require "nabla.lesson"
local term = require "nabla.term"

local state = os.tmpname()
os.remove(state)
os.execute("mkdir -p " .. state)
local real_getenv = os.getenv
local quiz_seed = nil
os.getenv = function(k)
  if k == "XDG_STATE_HOME" then return state end
  if k == "NABLA_QUIZ_SEED" then return quiz_seed end
  return real_getenv(k)
end

-- what the runner prints, as one string
local function output(fn, ...)
  local saved, lines = _G.print, {}
  _G.print = function(...)
    local t = table.pack(...)
    for i = 1, t.n do t[i] = tostring(t[i]) end
    lines[#lines + 1] = table.concat(t, "\t")
  end
  local r = table.pack(pcall(fn, ...))
  _G.print = saved
  if not r[1] then error(r[2], 2) end
  return table.concat(lines, "\n"), table.unpack(r, 2, r.n)
end

-- every quiz of every lesson: { lesson = l, k = step number, step = s, quiz = q }
local quizzes = {}
for _, l in ipairs(runner.all()) do
  for k, s in ipairs(l.steps) do
    if s.quiz then quizzes[#quizzes + 1] = { lesson = l, k = k, step = s, quiz = s.quiz } end
  end
end
local choice_quizzes, number_quizzes = {}, {}
for _, e in ipairs(quizzes) do
  if e.quiz.kind == "number" then number_quizzes[#number_quizzes + 1] = e
  else choice_quizzes[#choice_quizzes + 1] = e end
end

T.test("the lessons hold quizzes with choices and predict-the-number quizzes", function()
  T.ok(#choice_quizzes >= 16, ("at least 16 quizzes with choices (%d)"):format(#choice_quizzes))
  T.ok(#number_quizzes >= 3, ("at least 3 predict-the-number quizzes (%d)"):format(#number_quizzes))
  for _, e in ipairs(choice_quizzes) do
    local q, name = e.quiz, e.lesson.id .. " step " .. e.k
    T.ok(#q.choices >= 3, name .. ": at least three options")
    T.ok(math.tointeger(q.answer) and q.answer >= 1 and q.answer <= #q.choices, name .. ": answer names an option")
    T.ok(q.explain and q.explain.en and q.explain.ko, name .. ": an explanation in both languages")
    for i, c in ipairs(q.choices) do
      T.ok(c.en and c.ko, ("%s: option %d in both languages"):format(name, i))
    end
    for i = 1, #q.choices do
      if i ~= q.answer then
        T.ok(q.wrong and q.wrong[i] and q.wrong[i].en and q.wrong[i].ko,
          ("%s: wrong option %d says why it is wrong, in both languages"):format(name, i))
      end
    end
  end
  for _, e in ipairs(number_quizzes) do
    local q, name = e.quiz, e.lesson.id .. " step " .. e.k
    T.ok(type(q.value) == "function", name .. ": the answer is computed by code (value(env))")
    T.ok(q.tolerance and (q.tolerance.rel or q.tolerance.abs), name .. ": a stated tolerance")
    T.ok(e.step.code, name .. ": code to run after the prediction")
  end
end)

-- ---- the length of the right option -------------------------------------------------------------

local function width(lang, s) return lang == "ko" and term.width(s) or utf8.len(s) end

for _, lang in ipairs({ "en", "ko" }) do
  T.test(("%s: the right option is not given away by its length"):format(lang), function()
    local longest, ratios = 0, {}
    for _, e in ipairs(choice_quizzes) do
      local q, name = e.quiz, e.lesson.id .. " step " .. e.k
      local right = width(lang, q.choices[q.answer][lang])
      local sum, n, most = 0, 0, 0
      for i, c in ipairs(q.choices) do
        if i ~= q.answer then
          local w = width(lang, c[lang])
          sum, n, most = sum + w, n + 1, math.max(most, w)
        end
      end
      local ratio = right / (sum / n)
      ratios[#ratios + 1] = ratio
      T.ok(ratio >= 0.6 and ratio <= 1.4,
        ("%s (%s): the right option is %.2f× the others' mean length (keep it within 0.6–1.4)"):format(name, lang, ratio))
      if right > most then longest = longest + 1 end
    end
    local share = longest / #choice_quizzes
    T.ok(share <= 0.4, ("%s: the right option is the longest in %d of %d quizzes (at most 40%%)"):format(lang, longest, #choice_quizzes))
  end)
end

-- ---- the order of the options ----------------------------------------------------------------------

T.test("each learner sees the options in an order of their own, spread over the positions", function()
  for _, e in ipairs(choice_quizzes) do
    local q, name = e.quiz, e.lesson.id .. " step " .. e.k
    local n = #q.choices
    local count = {}
    for i = 1, n do count[i] = 0 end
    local seeds = 120
    for seed = 1, seeds do
      local order = runner.quiz_order(e.step, e.lesson.id, e.k, seed)
      local seen = {}
      for _, c in ipairs(order) do seen[c] = true end
      T.eq(#order, n, name .. ": the order shows every option")
      for i = 1, n do T.ok(seen[i], name .. ": option " .. i .. " shown") end
      local pos = runner.quiz_position(e.step, e.lesson.id, e.k, q.answer, seed)
      count[pos] = count[pos] + 1
    end
    for i = 1, n do
      local share = count[i] / seeds
      T.ok(math.abs(share - 1 / n) <= 0.15,
        ("%s: over %d learners the right option is shown as number %d %.0f%% of the time (%.0f%% expected)")
          :format(name, seeds, i, 100 * share, 100 / n))
    end
  end
  -- one learner: across the quizzes, the right answer is at no favourite place
  for seed = 1, 5 do
    local at = {}
    for _, e in ipairs(choice_quizzes) do
      local pos = runner.quiz_position(e.step, e.lesson.id, e.k, e.quiz.answer, seed)
      at[pos] = (at[pos] or 0) + 1
    end
    for pos, c in pairs(at) do
      T.ok(c / #choice_quizzes <= 0.6, ("learner %d: %d of %d right answers shown as number %d"):format(seed, c, #choice_quizzes, pos))
    end
  end
  -- two learners see different orders
  local differ = 0
  for _, e in ipairs(choice_quizzes) do
    local a, b = runner.quiz_order(e.step, e.lesson.id, e.k, 11), runner.quiz_order(e.step, e.lesson.id, e.k, 12)
    if table.concat(a, ",") ~= table.concat(b, ",") then differ = differ + 1 end
  end
  T.ok(differ >= #choice_quizzes / 3, ("two learners see different orders in %d of %d quizzes"):format(differ, #choice_quizzes))
end)

T.test("the learner's seed is made once and kept in the progress file", function()
  quiz_seed = nil
  local a = runner.learner_seed()
  local b = runner.learner_seed()
  T.ok(math.tointeger(a), "an integer seed")
  T.eq(a, b, "the same seed the second time")
  T.eq(runner.load_progress()._learner.seed, a, "kept in the progress file")
end)

-- ---- answering ---------------------------------------------------------------------------------------

local function first_choice_quiz_with(n_choices)
  for _, e in ipairs(choice_quizzes) do
    if #e.quiz.choices >= n_choices then return e end
  end
end

T.test("answer(n) reads n in the order shown, and the explanation comes with the right answer", function()
  quiz_seed = "4242"
  nabla.lang = "en"
  local e = first_choice_quiz_with(3)
  local q = e.quiz
  local shown = output(runner.answer, nil, e.lesson.id, e.k)
  local order = runner.quiz_order(e.step, e.lesson.id, e.k)
  for i, c in ipairs(order) do
    T.ok(shown:find(("%d) %s"):format(i, q.choices[c].en), 1, true), ("option %d is shown as number %d"):format(c, i))
  end
  local right = runner.quiz_position(e.step, e.lesson.id, e.k, q.answer)
  local said = output(runner.answer, right, e.lesson.id, e.k)
  T.ok(said:find("✓", 1, true) and said:find(q.explain.en:sub(1, 30), 1, true), "right: ✓ and the explanation: " .. said)
  T.ok(runner.run_check(e.step), "the step passes")
  -- the file's number of the right option is not what the learner types (unless the shuffle put it there)
  if right ~= q.answer then
    T.eq(runner.quiz_order(e.step, e.lesson.id, e.k)[q.answer] ~= q.answer, true, "the shuffle moved the right option")
  end
end)

T.test("a limited number of tries, then the answer and why; a wrong try says why it is wrong", function()
  quiz_seed = "777"
  nabla.lang = "ko"
  -- a quiz no earlier test answered
  local e = choice_quizzes[#choice_quizzes]
  local q = e.quiz
  e.step.quiz_ok = nil
  local wrong1 = q.answer % #q.choices + 1
  local wrong2 = wrong1 % #q.choices + 1
  if wrong2 == q.answer then wrong2 = wrong2 % #q.choices + 1 end
  local p1 = runner.quiz_position(e.step, e.lesson.id, e.k, wrong1)
  local said = output(runner.answer, p1, e.lesson.id, e.k)
  T.ok(said:find("✗", 1, true) and said:find(q.wrong[wrong1].ko:sub(1, 20), 1, true), "a wrong try says why, in Korean: " .. said)
  T.ok(said:find("남은 기회: 1번", 1, true), "and how many tries are left: " .. said)
  T.ok(not runner.run_check(e.step), "not passed yet")
  local p2 = runner.quiz_position(e.step, e.lesson.id, e.k, wrong2)
  said = output(runner.answer, p2, e.lesson.id, e.k)
  local right = runner.quiz_position(e.step, e.lesson.id, e.k, q.answer)
  T.ok(said:find("정답: " .. right .. ")", 1, true), "after the last try the answer is shown: " .. said)
  local why = q.explain.ko:gsub("^맞습니다[:.]%s*", "")
  T.ok(said:find(why:sub(1, 20), 1, true), "with the explanation (without its '맞습니다'): " .. said)
  T.ok(not said:find("맞습니다", 1, true), "a learner who was not right is not told 'right'")
  T.ok(runner.run_check(e.step), "the step counts as seen: next() goes on")
  said = output(runner.answer, right, e.lesson.id, e.k)
  T.ok(said:find("기회를 다 썼습니다", 1, true) and not said:find("✓", 1, true), "answering again does not count: " .. said)
  local rec = runner.load_progress()[e.lesson.id].quiz[e.k]
  T.eq(rec.state, "revealed", "the progress file remembers it (a restart does not give the tries back)")
  T.ok(output(runner.answer, 99, e.lesson.id, e.k):find("기회를 다 썼습니다", 1, true), "still used up")
  nabla.lang = "en"
end)

T.test("an answer out of range is not a try", function()
  quiz_seed = "31"
  nabla.lang = "en"
  local e = choice_quizzes[2]
  e.step.quiz_ok = nil
  local said = output(runner.answer, #e.quiz.choices + 1, e.lesson.id, e.k)
  T.ok(said:find("from 1 to " .. #e.quiz.choices, 1, true), "says the range: " .. said)
  local entry = runner.load_progress()[e.lesson.id]
  local rec = entry and entry.quiz and entry.quiz[e.k]
  T.ok(rec == nil or rec.tries == 0, "no try used")
end)

T.test("predict the number: the guess is checked against the value computed by code", function()
  quiz_seed = "5"
  nabla.lang = "en"
  for i, e in ipairs(number_quizzes) do
    local q, name = e.quiz, e.lesson.id .. " step " .. e.k
    -- the earlier steps' variables, as a resumed lesson has them
    output(runner.answer, nil, e.lesson.id, e.k)
    output(runner.catchup)
    e.step.quiz_ok = nil
    local truth = q.value(_G)
    T.ok(type(truth) == "number" and truth == truth, name .. ": value(env) computes a number")
    local tol = (q.tolerance.abs or 0) + (q.tolerance.rel or 0.05) * math.abs(truth)
    local high = truth + 3 * tol + 1
    local said = output(runner.answer, high, e.lesson.id, e.k)
    T.ok(said:find("✗", 1, true) and said:find("Too high", 1, true), name .. ": a guess far above is too high: " .. said)
    said = output(runner.answer, truth - 3 * tol - 1, e.lesson.id, e.k)
    T.ok(said:find("Too low", 1, true), name .. ": a guess far below is too low: " .. said)
    said = output(runner.answer, truth + 0.9 * tol, e.lesson.id, e.k)
    T.ok(said:find("✓", 1, true), name .. ": a guess within the tolerance counts: " .. said)
    T.ok(runner.run_check(e.step), name .. ": the step passes")
  end
end)

os.execute("rm -rf " .. state)
T.done()

-- The lesson runner: lessons(), lesson "id", next(), back(), hint(), check(), answer(k).
--
-- A lesson is a Lua file in lessons/ returning a table:
--   { id = "gradient-descent", order = 1, title = { en = ..., ko = ... }, steps = {
--       { text = { en = ..., ko = ... },      -- what the learner reads
--         code = [[...]],                      -- optional starter code, shown
--         check = function(env) ... end,       -- optional: returns true, or false and what is
--                                              -- still wrong ({en=..., ko=...} or a string)
--         hints = { { en = ..., ko = ... } },  -- optional
--         quiz = { question = {...}, choices = { {...}, ... }, answer = 2, explain = {...},
--                  wrong = { [k] = {...} }, tries = 2 },  -- see "quizzes" below; or
--         quiz = { kind = "number", question = {...}, value = function(env) ... end,
--                  tolerance = { rel = 0.1, abs = 0 }, explain = {...} },
--         solution = [[...]],                  -- the reference answer, replayed by the tests;
--                                              -- without it, the step's code is the answer
--         wrong = [[...]],                     -- a typical wrong answer the check must catch
--         wrongs = { { code = [[...]], says = { en = ..., ko = ... } } }, -- more wrong
--                                              -- answers; the check's message must contain
--                                              -- says (it names the real mistake)
--       }, ... } }
-- The runner shows one step at a time; the learner's variables stay (they live in the
-- session's globals, which checks read as `env`). Progress is saved under
-- $XDG_STATE_HOME/nabla/progress.lua.
local nabla = require "nabla"
local doc = require "nabla.doc"
local M = {}

local function lang() return nabla.lang == "ko" and "ko" or "en" end
local function tr(v)
  if type(v) == "table" then return v[lang()] or v.en or "" end
  return v and tostring(v) or ""
end
M.tr = tr

-- everything a lesson prints is wrapped to the terminal at word boundaries (Korean counts
-- two columns a syllable); the code to type is printed as it is
local term = require "nabla.term"
local function say(s) print(term.wrap(s)) end

local color = function(code, s)
  if nabla.color then return "\27[" .. code .. "m" .. s .. "\27[0m" end
  return s
end

-- ---- where lessons and progress live ----------------------------------------------------

-- lessons/ beside lua/ in the resource root ($NABLA_LESSONS overrides): lua/nabla/paths.lua
function M.lessons_dir() return require("nabla.paths").lessons_dir() end

local function state_dir()
  local base = os.getenv("XDG_STATE_HOME")
  if not base or base == "" then base = (os.getenv("HOME") or ".") .. "/.local/state" end
  return base .. "/nabla"
end

local function serialize(v, indent)
  indent = indent or ""
  if type(v) == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    local parts = {}
    for _, k in ipairs(keys) do
      local key = type(k) == "string" and ("[%q]"):format(k) or ("[%s]"):format(k)
      parts[#parts + 1] = indent .. "  " .. key .. " = " .. serialize(v[k], indent .. "  ")
    end
    return "{\n" .. table.concat(parts, ",\n") .. "\n" .. indent .. "}"
  elseif type(v) == "string" then return ("%q"):format(v)
  else return tostring(v) end
end

function M.load_progress()
  local f = io.open(state_dir() .. "/progress.lua")
  if not f then return {} end
  local src = f:read("a")
  f:close()
  local chunk = load(src, "progress", "t", {})
  local ok, t = pcall(chunk or function() end)
  return (ok and type(t) == "table") and t or {}
end

function M.save_progress(p)
  local dir = state_dir()
  os.execute(("mkdir -p '%s' 2>/dev/null"):format(dir:gsub("'", "'\\''")))
  local tmp = dir .. "/progress.lua.tmp"
  local f = io.open(tmp, "w")
  if not f then return false end
  f:write("return ", serialize(p), "\n")
  f:close()
  return os.rename(tmp, dir .. "/progress.lua")
end

-- ---- loading lessons ---------------------------------------------------------------------

local cache = {}

function M.load(id)
  if cache[id] then return cache[id] end
  if type(id) ~= "string" or not id:match("^[%w_%-]+$") then
    error((lang() == "ko" and 'lesson: 레슨 id는 lesson "gradient-descent"처럼 씁니다 (받은 값: %s)'
      or 'lesson: give a lesson id, as in lesson "gradient-descent" (got %s)'):format(
      type(id) == "string" and ("%q"):format(id) or type(id)), 0)
  end
  local path = M.lessons_dir() .. "/" .. id .. ".lua"
  local f = io.open(path)
  if not f then
    local ids = {}
    for name in io.popen(('ls -1 "%s" 2>/dev/null'):format(M.lessons_dir())):lines() do
      ids[#ids + 1] = name:match("^(.-)%.lua$")
    end
    local hint = require("nabla.suggest").hint(id, ids, lang() == "ko")
    error((lang() == "ko" and "lesson: '%s' 레슨이 없습니다%s. lessons()로 목록을 보세요"
      or "lesson: there is no lesson '%s'%s; lessons() lists them"):format(id, hint), 0)
  end
  f:close()
  local chunk, err = loadfile(path)
  if not chunk then error("lesson: " .. tostring(err), 0) end
  local l = chunk()
  assert(type(l) == "table" and l.id and l.steps, "lesson: " .. path .. " does not return a lesson table")
  cache[id] = l
  return l
end

-- Every lesson in the lessons directory, in order; a lesson file that does not load is
-- reported in the second result (id -> error), never silently left out.
function M.all()
  local list, broken = {}, {}
  local p = io.popen(('ls -1 "%s" 2>/dev/null'):format(M.lessons_dir()))
  if p then
    for name in p:lines() do
      local id = name:match("^(.-)%.lua$")
      if id then
        local ok, l = pcall(M.load, id)
        if ok then list[#list + 1] = l else broken[id] = tostring(l) end
      end
    end
    p:close()
  end
  table.sort(list, function(a, b) return (a.order or 99) < (b.order or 99) end)
  return list, broken
end

-- ---- the runner ----------------------------------------------------------------------------

local current = nil -- { lesson = l, step = k, hint = h, skip_armed = bool }

local function progress_of(id)
  local p = M.load_progress()
  p[id] = p[id] or { step = 1, done = {} }
  return p, p[id]
end

local function show_step()
  local l, k = current.lesson, current.step
  local s = l.steps[k]
  say(color("1", ("%s — %s %d/%d"):format(tr(l.title), lang() == "ko" and "단계" or "step", k, #l.steps)))
  say(term.reflow(tr(s.text)))
  if s.code then
    say(color("2", lang() == "ko" and "-- 입력해 보세요:" or "-- try:"))
    print(s.code)
  end
  if s.quiz then M.show_quiz(s, l.id, k, say) end
  local cmds = {}
  if s.check or s.quiz then cmds[#cmds + 1] = "check()" end
  if s.hints and #s.hints > 0 then cmds[#cmds + 1] = "hint()" end
  cmds[#cmds + 1] = "next()"
  if k > 1 then cmds[#cmds + 1] = "back()" end
  say(color("2", table.concat(cmds, "  ")))
  -- the classroom's /lesson page mirrors this step (events.lua; only when someone listens)
  local events = package.loaded["nabla.events"]
  if events and events.listening("lesson") then
    local plot = package.loaded["nabla.plot"]
    local svg = plot and plot.last and package.loaded["nabla.plot.svg"]
    events.emit("lesson", { id = l.id, title = tr(l.title), step = k, steps = #l.steps, lang = lang(),
      text = tr(s.text), code = s.code, svg = svg and svg.render(plot.last) or nil })
  end
end

local function save_position()
  local p, e = progress_of(current.lesson.id)
  e.step = current.step
  M.save_progress(p)
end

local function mark_done(k)
  local p, e = progress_of(current.lesson.id)
  e.done[k] = true
  e.step = current.step
  M.save_progress(p)
end

local function need_lesson()
  if not current then
    error(lang() == "ko" and "진행 중인 레슨이 없습니다: lessons()로 목록을 보고 lesson \"id\"로 시작하세요"
      or "no lesson in progress: lessons() lists them, lesson \"id\" starts one", 0)
  end
end

-- check("id", k), hint("id", k), answer(n, "id", k): the same for step k of lesson id,
-- which becomes the current step (a lesson notebook's cells name their step, so they work
-- in any order: see nabla jupyter lesson).
local function locate(id, k, fname)
  if id == nil then return end
  local l = M.load(id)
  k = type(k) == "number" and math.tointeger(k) or nil
  if not k or k < 1 or k > #l.steps then
    error(("%s: lesson '%s' has steps 1 to %d"):format(fname, l.id, #l.steps), 0)
  end
  if not (current and current.lesson == l and current.step == k) then
    current = { lesson = l, step = k, hint = 0 }
  end
end

-- Runs a step's check against the learner's session; returns ok, message.
function M.run_check(step, env)
  if step.quiz and not step.check then
    return step.quiz_ok == true or step.quiz_ok == "revealed",
      step.quiz.kind == "number" and { en = "answer the quiz with answer(number)", ko = "answer(숫자)로 퀴즈에 답하세요" }
      or { en = "answer the quiz with answer(n)", ko = "answer(번호)로 퀴즈에 답하세요" }
  end
  if not step.check then return true end
  local ok, res, msg = pcall(step.check, env or _G)
  if not ok then
    return false, { en = "the check could not run: " .. tostring(res),
                    ko = "검사를 실행할 수 없습니다: " .. tostring(res) }
  end
  return res == true, msg
end

function M.lessons()
  local p = M.load_progress()
  local list, broken = M.all()
  say(lang() == "ko" and "레슨:" or "Lessons:")
  for i, l in ipairs(list) do
    local e = p[l.id]
    local done = 0
    if e and e.done then for _ in pairs(e.done) do done = done + 1 end end
    local mark = done >= #l.steps and " ✓" or ""
    say(("  %2d. %-22s %s  [%d/%d]%s"):format(i, l.id, tr(l.title), done, #l.steps, mark))
  end
  for id, err in pairs(broken) do
    say(color("31", ("  ✗ %s: %s"):format(id, err)))
  end
  say(lang() == "ko" and 'lesson "id"로 시작하거나 이어서 하세요.' or 'Start or resume one with lesson "id".')
end
doc(M.lessons, "lessons()", "list the lessons and your progress", "레슨 목록과 진도를 보여 줍니다", "Lessons")

-- ---- resuming ------------------------------------------------------------------------------

-- Lessons this session has run (a fresh start of nabla knows none: the variables the
-- earlier steps made are gone, even though the progress file says where the learner was).
local this_session = {}

-- Runs the reference code of steps 1 .. upto-1 of the current lesson in the session's
-- globals, quietly (their prints and plots are not shown again), so that the current step
-- finds what the earlier ones made. Returns the number of steps replayed.
local function replay(l, upto)
  local display = require "nabla.display"
  local saved_print, saved_write, saved_display = print, io.write, rawget(nabla, "display")
  local quiet = function() return io.stdout end
  _G.print, io.write, nabla.display = function() end, quiet, function() end
  local done, failed = 0, nil
  for k = 1, upto - 1 do
    local s = l.steps[k]
    local code = s.solution or s.code
    if code then
      local chunk, err = load(code, "=" .. l.id .. " step " .. k, "t", _G)
      local ok, e = chunk ~= nil, err
      if chunk then ok, e = pcall(chunk) end
      if not ok then failed = { k, e } break end
    end
    if s.quiz then s.quiz_ok = true end
    done = k
  end
  _G.print, io.write, nabla.display = saved_print, saved_write, saved_display
  display.begin()
  return done, failed
end

-- catchup(): replays the reference code of the steps before this one (what a resumed
-- lesson does by itself after a restart), e.g. after a clear or a :reset.
function M.catchup()
  need_lesson()
  local l, k = current.lesson, current.step
  if k <= 1 then
    say(lang() == "ko" and "첫 단계입니다: 다시 실행할 앞 단계가 없습니다." or "This is the first step: there is nothing before it to replay.")
    return
  end
  local t0 = os.clock()
  local done, failed = replay(l, k)
  if failed then
    say(color("31", (lang() == "ko" and "✗ %d단계의 참고 코드를 다시 실행하지 못했습니다: %s"
      or "✗ replaying step %d's reference code failed: %s"):format(failed[1], M.checks.why(failed[2]))))
    return
  end
  local which = done == 1 and "1" or ("1–" .. done)
  say(color("2", (lang() == "ko" and "%s단계의 참고 코드를 다시 실행했습니다 (%.1f초): 그 단계들이 만든 변수가 준비되었습니다."
    or "Replayed the reference code of step %s (%.1fs): the variables it made are back."):format(which, os.clock() - t0)
    :gsub("step 1–", "steps 1–"):gsub("it made", done == 1 and "it made" or "they made")))
end
doc(M.catchup, "catchup()", "replay the reference code of the lesson's earlier steps, so this step finds their variables (a resumed lesson does it by itself)", "레슨 앞 단계들의 참고 코드를 다시 실행해 이 단계에 필요한 변수를 되살립니다 (이어서 하는 레슨은 저절로 합니다)", "Lessons")

function M.lesson(id)
  if id == nil then
    -- lesson() without an id: the list, and how to start one
    M.lessons()
    return
  end
  if type(id) == "number" then
    local l = M.all()[id]
    if not l then error("lesson: no lesson number " .. id, 0) end
    id = l.id
  end
  local l = M.load(id)
  local _, e = progress_of(l.id)
  local done = 0
  for _ in pairs(e.done or {}) do done = done + 1 end
  local step = math.min(math.max(1, e.step or 1), #l.steps)
  if done >= #l.steps then step = 1 end -- a finished lesson starts over
  current = { lesson = l, step = step, hint = 0 }
  local resumed = step > 1 and not this_session[l.id]
  this_session[l.id] = true
  if resumed then
    -- a restart lost what steps 1 .. step-1 made: replay their reference code first
    say(color("2", (lang() == "ko" and "%d단계부터 이어서 합니다. 앞 단계들의 참고 코드를 먼저 다시 실행합니다..."
      or "Resuming at step %d. First replaying the earlier steps' reference code..."):format(step)))
    M.catchup()
  end
  show_step()
end
doc(M.lesson, "lesson \"id\"", "start or resume a lesson", "레슨을 시작하거나 이어서 합니다", "Lessons")

function M.check_step()
  need_lesson()
  local s = current.lesson.steps[current.step]
  local ok, msg = M.run_check(s, _G)
  if ok then
    say(color("32", "✓ " .. (lang() == "ko" and "좋아요! next()로 넘어가세요." or "Well done! next() goes on.")))
    mark_done(current.step)
  else
    say(color("31", "✗ " .. tr(msg or { en = "not yet", ko = "아직 아닙니다" })))
  end
  return ok
end

function M.advance()
  need_lesson()
  local s = current.lesson.steps[current.step]
  if s.check or s.quiz then
    local ok, msg = M.run_check(s, _G)
    if ok then mark_done(current.step)
    elseif not current.skip_armed then
      say(color("31", "✗ " .. tr(msg or { en = "not yet", ko = "아직 아닙니다" })))
      say(lang() == "ko" and "(그래도 넘어가려면 next()를 한 번 더 호출하세요)" or "(call next() again to skip anyway)")
      current.skip_armed = true
      return false
    end
  else
    mark_done(current.step)
  end
  current.skip_armed = false
  if current.step >= #current.lesson.steps then
    say(color("32", lang() == "ko" and ("🎉 '%s' 레슨을 마쳤습니다! lessons()로 다음 레슨을 고르세요."):format(tr(current.lesson.title))
      or ("🎉 You finished '%s'! lessons() shows what comes next."):format(tr(current.lesson.title))))
    save_position()
    return true
  end
  current.step = current.step + 1
  current.hint = 0
  save_position()
  show_step()
  return true
end

function M.back()
  need_lesson()
  if current.step > 1 then current.step = current.step - 1 end
  current.hint, current.skip_armed = 0, false
  save_position()
  show_step()
end
doc(M.back, "back()", "go back one step", "한 단계 뒤로 갑니다", "Lessons")

function M.hint(id, k)
  locate(id, k, "hint")
  need_lesson()
  local hints = current.lesson.steps[current.step].hints or {}
  if #hints == 0 then
    say(lang() == "ko" and "이 단계에는 힌트가 없습니다." or "No hints for this step.")
    return
  end
  current.hint = current.hint % #hints + 1
  say(color("33", ("💡 (%d/%d) %s"):format(current.hint, #hints, tr(hints[current.hint]))))
end
doc(M.hint, 'hint() or hint("id", k)', "a hint for this step (or for step k of lesson id)", "이 단계(또는 레슨 id의 k단계)의 힌트", "Lessons")

-- ---- quizzes ---------------------------------------------------------------------------------
-- A quiz with choices shows them in an order of its own for each learner: a permutation
-- seeded by the learner's seed (made once and kept in the progress file; NABLA_QUIZ_SEED
-- overrides it), the lesson id and the step, so the right option sits at no fixed place and a
-- neighbour's "it's 2" does not help. answer(n) reads n in the order shown. A quiz allows
-- `tries` answers (2 by default); after the last wrong one the runner shows the right answer
-- and the explanation, and the step counts as seen. A quiz of kind "number" asks the learner to
-- predict a number before running the code: value(env) computes it (in code, never typed in
-- the lesson) and the guess counts within its tolerance; a wrong guess hears "too high" or
-- "too low".

function M.learner_seed()
  local env = os.getenv("NABLA_QUIZ_SEED")
  if env and tonumber(env) then return math.tointeger(tonumber(env)) or 1 end
  local p = M.load_progress()
  local me = rawget(p, "_learner")
  if type(me) == "table" and math.tointeger(me.seed) then return me.seed end
  local seed = (os.time() * 1000003 + math.floor(os.clock() * 1e6) + math.random(1, 1 << 30)) % (1 << 31)
  p._learner = { seed = seed }
  M.save_progress(p)
  return seed
end

-- a small integer hash of a string (FNV-1a, 32 bits)
local function hash(str)
  local h = 2166136261
  for i = 1, #str do h = ((h ~ str:byte(i)) * 16777619) & 0xffffffff end
  return h
end

-- the order in which a quiz's choices are shown: order[i] is the choice shown as number i
function M.quiz_order(step, id, k, seed)
  local q = step.quiz
  local n = #(q.choices or {})
  local order = {}
  for i = 1, n do order[i] = i end
  local x = hash(("%s/%s/%s"):format(seed or M.learner_seed(), id or "", k or 0)) | 1
  for i = n, 2, -1 do           -- Fisher-Yates, with xorshift32 as the generator
    x = x ~ ((x << 13) & 0xffffffff); x = x ~ (x >> 17); x = x ~ ((x << 5) & 0xffffffff)
    local j = x % i + 1
    order[i], order[j] = order[j], order[i]
  end
  return order
end

-- where choice c (its index in the lesson file) is shown
function M.quiz_position(step, id, k, c, seed)
  for i, orig in ipairs(M.quiz_order(step, id, k, seed)) do
    if orig == c then return i end
  end
end

local function quiz_tries(q) return q.tries or (q.kind == "number" and 3 or 2) end

-- the learner's record of a quiz: { tries = used, state = nil | "right" | "revealed" }
local function quiz_record(id, k)
  local p, e = progress_of(id)
  e.quiz = e.quiz or {}
  e.quiz[k] = e.quiz[k] or { tries = 0 }
  return p, e.quiz[k]
end

local function fmt_number(v)
  if math.type(v) == "integer" then return tostring(v) end
  if v == math.floor(v) and math.abs(v) < 1e15 then return ("%d"):format(v) end
  return ("%.4g"):format(v)
end

function M.show_quiz(s, id, k, out)
  out = out or say
  local q = s.quiz
  out(color("1", tr(q.question)))
  if q.kind == "number" then
    out(lang() == "ko" and "코드를 실행하기 전에 예측한 숫자로 answer(숫자)를 호출하세요."
      or "Before you run the code, answer with your prediction: answer(number).")
  else
    for i, c in ipairs(M.quiz_order(s, id, k)) do out(("  %d) %s"):format(i, tr(q.choices[c]))) end
    out(lang() == "ko" and "answer(번호)로 답하세요." or "Answer with answer(n).")
  end
  local _, rec = quiz_record(id, k)
  local left = quiz_tries(q) - rec.tries
  if not rec.state and left < quiz_tries(q) then
    out(color("2", lang() == "ko" and ("(남은 기회: %d번)"):format(left) or ("(tries left: %d)"):format(left)))
  end
end

-- the answer the reference solution gives: the number shown for the right choice, or the
-- computed value (the replay tests and the solution notebooks answer with it)
function M.reference_answer(id, k)
  local l = type(id) == "table" and id or M.load(id)
  local s = l.steps[k]
  local q = s.quiz
  if q.kind == "number" then return q.value(_G) end
  return M.quiz_position(s, l.id, k, q.answer)
end

local function reveal(s, q, id, k)
  local right
  if q.kind == "number" then
    local ok, v = pcall(q.value, _G)
    right = ok and fmt_number(v) or "?"
  else
    local pos = M.quiz_position(s, id, k, q.answer)
    right = ("%d) %s"):format(pos, tr(q.choices[q.answer]))
  end
  say(color("33", (lang() == "ko" and "정답: %s" or "The answer: %s"):format(right)))
  -- the explanation without its "Right:" (the learner was not right)
  if q.explain then
    local why = tr(q.explain):gsub("^Right[:.]%s*", ""):gsub("^Yes[:.]%s*", ""):gsub("^맞습니다[:.]%s*", "")
    say(why)
  end
end

local function then_run(q)
  if q.kind == "number" then
    say(color("2", lang() == "ko" and "이제 코드를 실행해서 직접 확인해 보세요." or "Now run the code and see it for yourself."))
  end
end

function M.answer_quiz(n)
  need_lesson()
  local l, k = current.lesson, current.step
  local s = l.steps[k]
  local q = s.quiz
  if not q then
    say(lang() == "ko" and "이 단계에는 퀴즈가 없습니다." or "This step has no quiz.")
    return false
  end
  local p, rec = quiz_record(l.id, k)
  if rec.state == "revealed" then
    s.quiz_ok = s.quiz_ok or "revealed"
    say(lang() == "ko" and "이 퀴즈의 기회를 다 썼습니다. 정답과 설명은 위에 있습니다. next()로 넘어가세요."
      or "You have used the tries of this quiz; the answer and why are above. next() goes on.")
    return false
  end
  local ok, why
  if q.kind == "number" then
    local guess = M.checks.value(n)
    if not M.checks.finite(guess) then
      say(lang() == "ko" and "예측한 숫자로 답하세요: answer(숫자)" or "Answer with the number you predict: answer(number)")
      return false
    end
    local okv, truth = pcall(q.value, _G)
    if not okv or not M.checks.finite(truth) then
      say(color("31", (lang() == "ko" and "✗ 정답을 계산하지 못했습니다 (앞 단계를 마쳤나요?): %s"
        or "✗ could not compute the answer (did you finish the earlier steps?): %s"):format(M.checks.why(truth))))
      return false
    end
    local tol = q.tolerance or {}
    ok = math.abs(guess - truth) <= (tol.abs or 0) + (tol.rel or 0.05) * math.abs(truth)
    if not ok then
      why = guess > truth and { en = "Too high.", ko = "너무 큽니다." } or { en = "Too low.", ko = "너무 작습니다." }
    end
  else
    local c = math.tointeger(n)
    local order = M.quiz_order(s, l.id, k)
    if not c or c < 1 or c > #order then
      say((lang() == "ko" and "1부터 %d까지의 번호로 답하세요: answer(번호)" or "Answer with a number from 1 to %d: answer(n)"):format(#order))
      return false
    end
    local orig = order[c]
    ok = orig == q.answer
    why = not ok and q.wrong and q.wrong[orig] or nil
  end
  if ok then
    rec.state = "right"
    M.save_progress(p)
    s.quiz_ok = true
    say(color("32", "✓ " .. tr(q.explain or { en = "Right.", ko = "맞습니다." })))
    then_run(q)
    mark_done(k)
    return true
  end
  rec.tries = rec.tries + 1
  local left = quiz_tries(q) - rec.tries
  say(color("31", "✗ " .. (why and tr(why) or (lang() == "ko" and "다시 생각해 보세요." or "Not quite; think again."))))
  if left > 0 then
    M.save_progress(p)
    say(color("2", lang() == "ko" and ("(남은 기회: %d번)"):format(left) or ("(tries left: %d)"):format(left)))
  else
    rec.state = "revealed"
    M.save_progress(p)
    s.quiz_ok = "revealed"
    reveal(s, q, l.id, k)
    then_run(q)
    mark_done(k)
  end
  return false
end

function M.quiz()
  need_lesson()
  show_step()
end
doc(M.quiz, "quiz()", "show this step again, with its quiz", "이 단계를 퀴즈와 함께 다시 보여 줍니다", "Lessons")

-- What the learner types: these print and return nothing, so the shell shows no stray
-- true/false (check_step, advance and answer_quiz return whether it worked).
function M.check(id, k) locate(id, k, "check"); M.check_step() end
doc(M.check, 'check() or check("id", k)', "check your work for this step (or step k of lesson id) and say what is still wrong", "이 단계(또는 레슨 id의 k단계)의 답을 검사하고 무엇이 틀렸는지 알려 줍니다", "Lessons")
function M.next() M.advance() end
doc(M.next, "next()", "go to the next step of the lesson (checks your work first)", "레슨의 다음 단계로 갑니다 (먼저 검사합니다)", "Lessons")
function M.answer(n, id, k)
  locate(id, k, "answer")
  if n == nil then -- answer() shows the question again
    need_lesson()
    local s = current.lesson.steps[current.step]
    if s.quiz then M.show_quiz(s, current.lesson.id, current.step, say)
    else print(lang() == "ko" and "이 단계에는 퀴즈가 없습니다." or "This step has no quiz.") end
    return
  end
  M.answer_quiz(n)
end
doc(M.answer, 'answer(n) or answer(n, "id", k)', "answer the quiz of this step (or of step k of lesson id) with the number of a choice as shown to you, or with the number you predict; a quiz allows a few tries, then shows the answer and why; answer() shows it again", "이 단계(또는 레슨 id의 k단계)의 퀴즈에 답합니다. 보이는 순서대로의 보기 번호나 예측한 숫자로 답하고, 몇 번 틀리면 정답과 설명이 나옵니다. answer()는 퀴즈를 다시 보여 줍니다", "Lessons")

function M.current() return current end

-- ---- helpers for the lessons' checks ------------------------------------------------------
-- lessons/*.lua take them as: local value, finite = C.value, C.finite (C = require("nabla.lesson").checks)
M.checks = {}

-- a number from a number or a 1-element tensor; nil for anything else
function M.checks.value(v)
  if type(v) == "number" then return v end
  if nabla.is_tensor(v) and v:numel() == 1 then return v:item() end
  return nil
end

function M.checks.finite(v) return type(v) == "number" and v == v and v > -math.huge and v < math.huge end

-- an error's message without its "file:line: " prefix
function M.checks.why(err) return (tostring(err):gsub("^[^\n:]+:%d+: ", "")) end

function M.checks.is_module(m) return type(m) == "table" and nabla.nn.Module.is_module(m) end

-- what a check returns when something is still wrong: the same sentence in both languages
function M.checks.msg(en, ko) return { en = en, ko = ko } end

-- a is a finite number within abs + rel·|b| of b (defaults: rel 1e-4, abs 1e-6)
function M.checks.close(a, b, rel, abs)
  return M.checks.finite(a) and math.abs(a - b) <= (abs or 1e-6) + (rel or 1e-4) * math.abs(b)
end

-- the largest |a − b| of two tensors, or infinity when they do not compare or hold a NaN
function M.checks.maxdiff(a, b)
  if a == nil or b == nil then return math.huge end
  local ok, d = pcall(function()
    local worst = 0
    for _, v in ipairs((a - b):abs():reshape(-1):tolist()) do
      if v ~= v then return math.huge end
      if v > worst then worst = v end
    end
    return worst
  end)
  return ok and d or math.huge
end

-- the largest |a − b| over two lists of parameters (nil when their lengths or shapes differ)
function M.checks.params_maxdiff(pa, pb)
  if #pa ~= #pb then return nil end
  local most = 0
  for i = 1, #pa do
    if tostring(pa[i].shape) ~= tostring(pb[i].shape) then return nil end
    most = math.max(most, (pa[i] - pb[i]):abs():max():item())
  end
  return most
end

-- v is a list of at least n numbers, none of them NaN (finite = true: none infinite either)
function M.checks.numbers(v, n, finite)
  if type(v) ~= "table" or #v < n then return false end
  for i = 1, #v do
    local x = v[i]
    if type(x) ~= "number" or x ~= x or (finite and not M.checks.finite(x)) then return false end
  end
  return true
end

-- ---- code the lessons share: lessons/lib/NAME.lua, loaded once ------------------------------
-- (reference numerics of the checks, kept out of the lesson files so that these read as
-- the lesson: local F = require("nabla.lesson").lib("fit1d"))
local libs = {}
function M.lib(name)
  if libs[name] == nil then
    local path = M.lessons_dir() .. "/lib/" .. name .. ".lua"
    local chunk, err = loadfile(path)
    if not chunk then error("lesson library " .. name .. ": " .. tostring(err), 2) end
    libs[name] = chunk()
  end
  return libs[name]
end

return M

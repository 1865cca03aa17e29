-- Lesson text and code fit an 80-column terminal: every line of a step's text (English and
-- Korean, a Hangul syllable counting two columns), starter code, solution and wrong answer.
-- The lessons listed here are checked; a lesson joins the list once its lines are fitted
-- (the runner reflows over-wide prose to the terminal, but code is printed as written).
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
require "nabla"
local term = require "nabla.term"
local runner = require "nabla.lesson"

local FITTED = { "initialization", "practice", "language-model", "sequences", "unsupervised" }

for _, id in ipairs(FITTED) do
  T.test(id .. ": every line of text and code fits 80 columns", function()
    local l = runner.load(id)
    local function fits(what, s)
      if type(s) ~= "string" then return end
      local n = 0
      for line in (s .. "\n"):gmatch("(.-)\n") do
        n = n + 1
        T.ok(term.width(line) <= 80, ("%s, %s line %d is %d columns: %s"):format(id, what, n, term.width(line), line))
      end
    end
    for k, st in ipairs(l.steps) do
      fits(("step %d text (en)"):format(k), st.text.en)
      fits(("step %d text (ko)"):format(k), st.text.ko)
      fits(("step %d code"):format(k), st.code)
      fits(("step %d solution"):format(k), st.solution)
      fits(("step %d wrong answer"):format(k), st.wrong)
    end
  end)
end

T.test("term.width counts a Hangul syllable as two columns", function()
  T.eq(term.width("학습률"), 6)
  T.eq(term.width("lr ∇"), 4)
end)

T.done()

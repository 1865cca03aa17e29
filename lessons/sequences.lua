-- Lesson: reading a line of digits — why a line is not a row of independent digits
-- (touching digits, no column to cut at), CTC's blank and its rule "collapse repeats, then
-- drop blanks", the loss as a sum over alignments (counted by hand, then ctc_loss), a short
-- training of a line model, the best alignment drawn under a line, greedy vs beam
-- decoding (a case where they differ, by hand).
local C = require("nabla.lesson").checks
local finite = C.finite

local function nb() return require "nabla" end

-- the reference rule, computed again here (never the learner's function)
local function collapse_ref(path)
  local out, prev = {}, nil
  for ch in path:gmatch(".") do
    if ch ~= prev and ch ~= "-" then out[#out + 1] = ch end
    prev = ch
  end
  return table.concat(out)
end

-- overlapping neighbour boxes of a line made by data.mnist_lines
local function overlaps_ref(line)
  local n = 0
  for k = 2, #line.boxes do
    if line.boxes[k][1] < line.boxes[k - 1][3] then n = n + 1 end
  end
  return n
end

local function need(what_en, what_ko) return { en = what_en, ko = what_ko } end

return {
  id = "sequences",
  order = 10.65,   -- after recurrent and language-model, before practice
  title = { en = "Reading a line: CTC", ko = "한 줄 읽기: CTC" },
  steps = {
    {
      text = {
        en = [[
A phone number written by hand is a line, not ten separate digits. Where
one digit ends is not marked, two digits may touch, and a "1" is a quarter
as wide as a "0". data.mnist_lines builds such lines from MNIST digits;
line.boxes are where each digit was put ({x0, y0, x1, y1}, x1 past the end).
Count the neighbours whose boxes overlap (box k starts before box k−1 ends):
no column separates those two, so cutting the line first cannot work there.]],
        ko = [[
손으로 쓴 전화번호는 따로 떨어진 숫자 열 개가 아니라 한 줄입니다. 숫자가
어디서 끝나는지 표시가 없고, 두 숫자가 맞닿기도 하며, "1"의 너비는 "0"의
4분의 1입니다. data.mnist_lines는 MNIST 숫자로 이런 줄을 만듭니다.
line.boxes는 숫자마다 놓인 위치입니다 ({x0, y0, x1, y1}, x1은 끝 다음 칸).
상자가 겹치는 이웃 쌍(상자 k가 상자 k−1이 끝나기 전에 시작)을 세어 보세요.
그 두 숫자 사이에는 자를 열이 없으므로, 먼저 자르는 방법은 거기서 실패합니다.]],
      },
      code = [[
ds = data.mnist_lines{ split = "train", small = true, n = 10, seed = 2,
                       touching = true, min_len = 6, max_len = 6 }
line = ds:line(1)
print(line.text); plot.image(line.image)
overlaps = 0
for k = 2, #line.boxes do
  -- ??? count the pairs whose boxes overlap
end]],
      solution = [[
ds = data.mnist_lines{ split = "train", small = true, n = 10, seed = 2,
                       touching = true, min_len = 6, max_len = 6 }
line = ds:line(1)
print(line.text); plot.image(line.image)
overlaps = 0
for k = 2, #line.boxes do
  if line.boxes[k][1] < line.boxes[k - 1][3] then overlaps = overlaps + 1 end
end]],
      wrong = [[
ds = data.mnist_lines{ split = "train", small = true, n = 10, seed = 2,
                       touching = true, min_len = 6, max_len = 6 }
line = ds:line(1)
overlaps = 0
for k = 2, #line.boxes do
  if line.boxes[k][1] > line.boxes[k - 1][3] then overlaps = overlaps + 1 end
end]],
      check = function(env)
        if type(env.line) ~= "table" or type(env.line.boxes) ~= "table" then
          return false, need("make line = ds:line(1) first", "먼저 line = ds:line(1)을 만드세요")
        end
        if type(env.overlaps) ~= "number" then
          return false, need("count the overlapping pairs into overlaps", "겹치는 쌍의 수를 overlaps에 세어 넣으세요")
        end
        local want = overlaps_ref(env.line)
        if env.overlaps == want then return true end
        if env.overlaps == #env.line.boxes - 1 - want then
          return false, need("that counts the separated pairs: overlap means box k starts before box k−1 ends (x0 of k < x1 of k−1)",
                             "그것은 떨어진 쌍의 수입니다. 겹침은 상자 k가 상자 k−1의 끝보다 먼저 시작하는 것입니다 (k의 x0 < k−1의 x1)")
        end
        return false, need("not the number of overlapping neighbours: compare line.boxes[k][1] with line.boxes[k - 1][3]",
                           "겹치는 이웃 쌍의 수가 아닙니다. line.boxes[k][1]과 line.boxes[k - 1][3]을 비교하세요")
      end,
      hints = { { en = "if line.boxes[k][1] < line.boxes[k - 1][3] then overlaps = overlaps + 1 end",
                  ko = "if line.boxes[k][1] < line.boxes[k - 1][3] then overlaps = overlaps + 1 end" } },
    },
    {
      text = {
        en = [[
A line model does not cut. It reads the line in steps (one per 4 columns)
and says a class at every step: a digit, or "blank" (written -), which means
"no new character here". Several steps cover one digit, so the text is what
is left after two rules, in this order: collapse repeats, then drop blanks.
  "--44-0-9933-" -> "4093"        "-4-4-" -> "44"  (a blank splits 4 4)
Write collapse(path) for such strings.]],
        ko = [[
줄 모델은 자르지 않습니다. 줄을 여러 시점(4열마다 하나)으로 읽으며 시점마다
클래스 하나를 말합니다. 숫자이거나, "새 글자 없음"을 뜻하는 blank(-로 씀)
입니다. 한 숫자가 여러 시점에 걸치므로, 글자열은 두 규칙을 이 순서로 적용한
결과입니다. 반복을 하나로 합치고, 그다음 blank를 지웁니다.
  "--44-0-9933-" -> "4093"        "-4-4-" -> "44"  (blank가 4와 4를 나눔)
이런 문자열에 대해 collapse(path)를 작성하세요.]],
      },
      code = [[
function collapse(path)
  local out, prev = {}, nil
  for ch in path:gmatch(".") do
    -- ??? keep ch when it is not a repeat of prev and not "-"
    prev = ch
  end
  return table.concat(out)
end
print(collapse("--44-0-9933-"), collapse("-4-4-"))]],
      solution = [[
function collapse(path)
  local out, prev = {}, nil
  for ch in path:gmatch(".") do
    if ch ~= prev and ch ~= "-" then out[#out + 1] = ch end
    prev = ch
  end
  return table.concat(out)
end
print(collapse("--44-0-9933-"), collapse("-4-4-"))]],
      wrong = [[
function collapse(path)
  local s = path:gsub("-", "")           -- blanks first: the wrong order
  local out, prev = {}, nil
  for ch in s:gmatch(".") do
    if ch ~= prev then out[#out + 1] = ch end
    prev = ch
  end
  return table.concat(out)
end]],
      check = function(env)
        if type(env.collapse) ~= "function" then
          return false, need("define collapse(path)", "collapse(path)를 정의하세요")
        end
        for _, p in ipairs { "--44-0-9933-", "-4-4-", "77", "7-7", "-----", "1-2--2-21" } do
          local ok, got = pcall(env.collapse, p)
          local want = collapse_ref(p)
          if not ok or got ~= want then
            return false, need(("collapse(%q) gives %s, expected %q (collapse repeats first, then drop the blanks)"):format(p, ok and ("%q"):format(tostring(got)) or C.why(got), want),
                               ("collapse(%q)의 결과가 %s입니다. 기대값은 %q입니다 (반복을 먼저 합치고, 그다음 blank를 지웁니다)"):format(p, ok and ("%q"):format(tostring(got)) or C.why(got), want))
          end
        end
        return true
      end,
      hints = { { en = "if ch ~= prev and ch ~= \"-\" then out[#out + 1] = ch end",
                  ko = "if ch ~= prev and ch ~= \"-\" then out[#out + 1] = ch end" } },
    },
    {
      text = {
        en = [[
CTC's loss does not pick one path: it sums the probability of every path
that collapses to the text. Take 3 steps, 2 classes (blank and "a", each
with probability 1/2 at every step): each of the 2^3 = 8 paths has
probability 1/8. Count with your collapse how many paths read "a", then
loss = −log(count / 8), and compare with nabla's ctc_loss (class 1 is the
blank, so "a" is class 2).]],
        ko = [[
CTC 손실 함수는 경로 하나를 고르지 않습니다. 줄여서 그 글자열이 되는 모든
경로의 확률을 더합니다. 시점 3개, 클래스 2개(blank와 "a", 시점마다 확률
1/2)를 생각해 봅시다. 2^3 = 8개 경로의 확률은 각각 1/8입니다. collapse로
"a"가 되는 경로를 세고, loss = −log(count / 8)을 구한 뒤 nabla의
ctc_loss와 비교하세요 (클래스 1이 blank이므로 "a"는 클래스 2).]],
      },
      code = [[
count = 0
for _, p in ipairs{ "---", "--a", "-a-", "-aa", "a--", "a-a", "aa-", "aaa" } do
  -- ??? count the paths that collapse to "a"
end
loss = -math.log(count / 8)
logp = full({ 3, 1, 2 }, math.log(0.5))      -- (T, batch, classes)
print(loss, nn.functional.ctc_loss(logp, { { 2 } }, { 3 }, { 1 }):item())]],
      solution = [[
count = 0
for _, p in ipairs{ "---", "--a", "-a-", "-aa", "a--", "a-a", "aa-", "aaa" } do
  if collapse(p) == "a" then count = count + 1 end
end
loss = -math.log(count / 8)
logp = full({ 3, 1, 2 }, math.log(0.5))      -- (T, batch, classes)
print(loss, nn.functional.ctc_loss(logp, { { 2 } }, { 3 }, { 1 }):item())]],
      wrong = [[
count = 1                                     -- one alignment only
loss = -math.log(count / 8)]],
      check = function(env)
        if not finite(env.count) or not finite(env.loss) then
          return false, need("compute count and loss", "count와 loss를 구하세요")
        end
        local n = nb()
        local want = n.nn.functional.ctc_loss(n.full({ 3, 1, 2 }, math.log(0.5)), { { 2 } }, { 3 }, { 1 }):item()
        if env.count == 1 then
          return false, need("one path is not the whole story: \"-a-\", \"aa-\", \"a--\"... all read \"a\"; count them all",
                             "경로 하나로는 부족합니다. \"-a-\", \"aa-\", \"a--\"... 모두 \"a\"가 됩니다. 전부 세세요")
        end
        if env.count == 7 then
          return false, need("\"a-a\" reads \"aa\", not \"a\": a blank between two a's makes two characters",
                             "\"a-a\"는 \"a\"가 아니라 \"aa\"입니다. a 사이의 blank는 글자 두 개를 만듭니다")
        end
        if math.abs(env.loss - want) > 1e-4 then
          return false, need(("loss = %.4f, but ctc_loss gives %.4f: count the paths that collapse to \"a\""):format(env.loss, want),
                             ("loss = %.4f인데 ctc_loss는 %.4f입니다. \"a\"로 줄어드는 경로를 세세요"):format(env.loss, want))
        end
        return true
      end,
      hints = { { en = "six of the eight paths read \"a\": all but \"---\" and \"a-a\"",
                  ko = "8개 중 6개가 \"a\"가 됩니다. \"---\"와 \"a-a\"만 아닙니다" } },
    },
    {
      text = {
        en = [[
Now a real line model (lines.LineModel): three convolutions, one feature
vector per 4 columns, a bidirectional GRU (each step sees the whole line),
11 classes per step. It learns from the text alone: nobody says where a
digit is. Train it for 40 steps on short lines (it is tiny, a few seconds)
and keep the losses: CTC's loss must fall.]],
        ko = [[
이제 진짜 줄 모델(lines.LineModel)입니다. 합성곱 층 3개, 4열마다 특성 벡터
하나, 양방향 GRU(시점마다 줄 전체를 봅니다), 시점마다 11개 클래스로
이루어져 있습니다. 글자열만 보고 학습합니다. 숫자가 어디 있는지는 아무도
알려 주지 않습니다. 짧은 줄로 40 스텝 학습하고(아주 작아서 몇 초) 손실을
모으세요. CTC 손실이 줄어들어야 합니다.]],
      },
      code = [[
manual_seed(3)
model = lines.LineModel{ c1 = 4, c2 = 8, c3 = 8, hidden = 16 }
train = data.mnist_lines{ split = "train", small = true, n = 640, seed = 1,
                          min_len = 1, max_len = 3 }
opt = optim.Adam(model:parameters(), { lr = 0.01 })
losses = {}
for step = 1, 40 do
  local ids = {}
  for k = 1, 16 do ids[k] = (step - 1) * 16 + k end
  local x, targets, lengths, widths = train:batch(ids, 4)
  local logp = model(x)                        -- (W/4, 16, 11)
  local steps = {}
  for b = 1, 16 do steps[b] = math.ceil(widths[b] / 4) end
  local loss = nn.functional.ctc_loss(logp, targets, steps, lengths)
  -- ??? zero the gradients, backward, one optimizer step
  losses[step] = loss:item()
end
print(losses[1], losses[40])]],
      solution = [[
manual_seed(3)
model = lines.LineModel{ c1 = 4, c2 = 8, c3 = 8, hidden = 16 }
train = data.mnist_lines{ split = "train", small = true, n = 640, seed = 1,
                          min_len = 1, max_len = 3 }
opt = optim.Adam(model:parameters(), { lr = 0.01 })
losses = {}
for step = 1, 40 do
  local ids = {}
  for k = 1, 16 do ids[k] = (step - 1) * 16 + k end
  local x, targets, lengths, widths = train:batch(ids, 4)
  local logp = model(x)                        -- (W/4, 16, 11)
  local steps = {}
  for b = 1, 16 do steps[b] = math.ceil(widths[b] / 4) end
  local loss = nn.functional.ctc_loss(logp, targets, steps, lengths)
  opt:zero_grad(); loss:backward(); opt:step()
  losses[step] = loss:item()
end
print(losses[1], losses[40])]],
      wrong = [[
manual_seed(3)
model = lines.LineModel{ c1 = 4, c2 = 8, c3 = 8, hidden = 16 }
train = data.mnist_lines{ split = "train", small = true, n = 640, seed = 1,
                          min_len = 1, max_len = 3 }
losses = {}
for step = 1, 40 do
  local x, targets, lengths, widths = train:batch({ step }, 4)
  local logp = model(x)
  losses[step] = nn.functional.ctc_loss(logp, targets,
    { logp.shape[1] }, lengths):item()        -- no optimizer step
end]],
      check = function(env)
        local v = env.losses
        if type(v) ~= "table" or #v < 40 then
          return false, need("keep the 40 losses in losses", "손실 40개를 losses에 모으세요")
        end
        for i = 1, 40 do
          if not finite(v[i]) then return false, need("a loss is not a finite number", "손실 중에 유한한 수가 아닌 값이 있습니다") end
        end
        local a, b = 0, 0
        for i = 1, 5 do a, b = a + v[i] / 5, b + v[35 + i] / 5 end
        if b < 0.7 * a then return true end
        return false, need(("the loss did not fall (%.2f at the start, %.2f at the end): call opt:zero_grad(), loss:backward() and opt:step() every step"):format(a, b),
                           ("손실이 줄지 않았습니다 (처음 %.2f, 끝 %.2f). 스텝마다 opt:zero_grad(), loss:backward(), opt:step()을 호출하세요"):format(a, b))
      end,
      hints = { { en = "opt:zero_grad(); loss:backward(); opt:step()", ko = "opt:zero_grad(); loss:backward(); opt:step()" } },
    },
    {
      text = {
        en = [[
Which steps say which digit? CTC never decides, but the single most
probable path of the known text shows it: lines.align(logp, classes) (the
Viterbi path) gives, for each step, the class said (1 = blank, digit d =
class d + 2). Write it as a string, "-" for a blank, under the line: it
must collapse back to the text. (The model is barely trained: where it
puts each digit can be off; the rule holds anyway.)]],
        ko = [[
어느 시점이 어느 숫자를 말할까요? CTC가 정해 주지는 않지만, 알고 있는
글자열의 가장 확률 높은 경로 하나가 그것을 보여 줍니다. lines.align(logp,
classes)(비터비 경로)는 시점마다 말한 클래스(1 = blank, 숫자 d = 클래스
d + 2)를 돌려줍니다. 이것을 blank는 "-"로 하여 문자열로 써서 줄 아래에
놓으세요. 줄이면 다시 글자열이 되어야 합니다. (모델이 거의 학습되지 않아서
숫자 위치는 어긋날 수 있지만 규칙은 그대로 성립합니다.)]],
      },
      code = [[
test = data.mnist_lines{ split = "test", small = true, n = 1, seed = 4,
                         min_len = 3, max_len = 3 }
l = test:line(1)
x = zeros(1, 1, 28, math.ceil(l.image.shape[2] / 4) * 4)
x[1][1]:narrow(2, 1, l.image.shape[2]):copy_(l.image)
logp = no_grad(function() return model(x) end):select(2, 1)   -- (T, 11)
classes = {}
for i, d in ipairs(l.digits) do classes[i] = d + 2 end
path = lines.align(logp, classes)
said = ""
for t, a in ipairs(path) do
  said = said .. ???                           -- "-" or the digit
end
plot.image(l.image); print(said, collapse(said), l.text)]],
      solution = [[
test = data.mnist_lines{ split = "test", small = true, n = 1, seed = 4,
                         min_len = 3, max_len = 3 }
l = test:line(1)
x = zeros(1, 1, 28, math.ceil(l.image.shape[2] / 4) * 4)
x[1][1]:narrow(2, 1, l.image.shape[2]):copy_(l.image)
logp = no_grad(function() return model(x) end):select(2, 1)   -- (T, 11)
classes = {}
for i, d in ipairs(l.digits) do classes[i] = d + 2 end
path = lines.align(logp, classes)
said = ""
for t, a in ipairs(path) do
  said = said .. (a.class == 1 and "-" or tostring(a.class - 2))
end
plot.image(l.image); print(said, collapse(said), l.text)]],
      wrong = [[
test = data.mnist_lines{ split = "test", small = true, n = 1, seed = 4,
                         min_len = 3, max_len = 3 }
l = test:line(1)
x = zeros(1, 1, 28, math.ceil(l.image.shape[2] / 4) * 4)
x[1][1]:narrow(2, 1, l.image.shape[2]):copy_(l.image)
logp = no_grad(function() return model(x) end):select(2, 1)
classes = {}
for i, d in ipairs(l.digits) do classes[i] = d + 2 end
path = lines.align(logp, classes)
said = ""
for t, a in ipairs(path) do
  said = said .. (a.class == 1 and "-" or tostring(a.class - 1))
end]],
      check = function(env)
        if type(env.path) ~= "table" or type(env.l) ~= "table" then
          return false, need("compute path = lines.align(logp, classes) for the line l", "줄 l에 대해 path = lines.align(logp, classes)를 구하세요")
        end
        if type(env.said) ~= "string" or #env.said ~= #env.path then
          return false, need("said must have one character per step (#path of them)", "said는 시점마다 글자 하나씩, 모두 #path개여야 합니다")
        end
        local want = {}
        for t, a in ipairs(env.path) do want[t] = a.class == 1 and "-" or tostring(a.class - 2) end
        want = table.concat(want)
        if env.said == want and collapse_ref(env.said) == env.l.text then return true end
        return false, need(("said %q is not the path: class 1 is \"-\", class c is the digit c − 2; it should collapse to %q"):format(env.said, env.l.text),
                           ("said (%q)는 경로와 다릅니다. 클래스 1은 \"-\", 클래스 c는 숫자 c − 2입니다. 줄인 결과가 l.text (%q)와 같아야 합니다"):format(env.said, env.l.text))
      end,
      hints = { { en = "said = said .. (a.class == 1 and \"-\" or tostring(a.class - 2))",
                  ko = "said = said .. (a.class == 1 and \"-\" or tostring(a.class - 2))" } },
    },
    {
      text = {
        en = [[
Greedy decoding takes the best class at every step, then collapses: the best
path. But the best text is the one with the most probability summed over
all its paths. Two steps, p(blank) = 0.6 and p("7") = 0.4 at each: the best
path is "--" (text ""). Compute by hand p_empty (the paths reading "") and
p_seven (the paths "7-", "-7", "77"), then compare greedy_decode with
beam_decode, which keeps the most probable prefixes and sums their paths.]],
        ko = [[
탐욕 디코딩은 시점마다 가장 좋은 클래스를 고른 뒤 줄입니다. 즉 가장 좋은
경로입니다. 하지만 가장 좋은 글자열은 모든 경로의 확률을 더한 값이 가장 큰
글자열입니다. 시점 2개, 시점마다 p(blank) = 0.6, p("7") = 0.4라면 가장 좋은
경로는 "--"(글자열 "")입니다. p_empty(""이 되는 경로)와 p_seven(경로 "7-",
"-7", "77")을 손으로 구하고, greedy_decode와 beam_decode(확률 높은 접두사를
유지하며 경로를 더함)를 비교하세요.]],
      },
      code = [[
p_empty = ???
p_seven = ???
row = {}
for c = 1, 11 do row[c] = math.log(c == 1 and 0.6 or c == 9 and 0.4 or 1e-9) end
lp = tensor{ row, row }                        -- class 9 is the digit 7
print(lines.greedy_decode(lp), lines.beam_decode(lp, { beam = 4 }))]],
      solution = [[
p_empty = 0.6 * 0.6
p_seven = 0.4 * 0.6 + 0.6 * 0.4 + 0.4 * 0.4
row = {}
for c = 1, 11 do row[c] = math.log(c == 1 and 0.6 or c == 9 and 0.4 or 1e-9) end
lp = tensor{ row, row }                        -- class 9 is the digit 7
print(lines.greedy_decode(lp), lines.beam_decode(lp, { beam = 4 }))]],
      wrong = [[
p_empty = 0.6 * 0.6
p_seven = 0.4 * 0.4                            -- only the path "77"]],
      check = function(env)
        if not finite(env.p_empty) or not finite(env.p_seven) then
          return false, need("compute p_empty and p_seven", "p_empty와 p_seven을 구하세요")
        end
        if math.abs(env.p_empty - 0.36) > 1e-6 then
          return false, need("p_empty: the one path \"--\", blank at both steps", "p_empty는 경로 \"--\" 하나, 두 시점 모두 blank입니다")
        end
        if math.abs(env.p_seven - 0.16) < 1e-6 then
          return false, need("\"77\" is one path of \"7\"; \"7-\" and \"-7\" read \"7\" too: add them",
                             "\"77\"은 \"7\"의 경로 중 하나일 뿐입니다. \"7-\"와 \"-7\"도 \"7\"이 되므로 더하세요")
        end
        if math.abs(env.p_seven - 0.64) > 1e-6 then
          return false, need("p_seven is the sum over the three paths that read \"7\"", "p_seven은 \"7\"이 되는 경로 세 개의 합입니다")
        end
        return true
      end,
      hints = { { en = "p_seven = 0.4 * 0.6 + 0.6 * 0.4 + 0.4 * 0.4", ko = "p_seven = 0.4 * 0.6 + 0.6 * 0.4 + 0.4 * 0.4" } },
      quiz = {
        question = { en = "On real lines, when does beam search beat greedy decoding?",
                     ko = "실제 줄에서 빔 탐색이 탐욕 디코딩보다 나은 때는 언제일까요?" },
        choices = {
          { en = "When a text's probability is spread over many paths, none the best",
            ko = "한 글자열의 확률이 여러 경로에 흩어져 최선 경로가 없을 때" },
          { en = "Always: beam search never reads a line worse than greedy does",
            ko = "항상 그렇다. 빔 탐색은 어떤 줄도 탐욕보다 못 읽지 않는다" },
          { en = "Only when the line has more digits than the beam's width",
            ko = "줄의 숫자 개수가 빔 너비보다 많을 때만 그렇다" },
        },
        answer = 1,
        explain = { en = "Right: with a confident model, the best path holds most of the probability and both agree; they differ where the model hesitates.",
                    ko = "맞습니다. 모델이 확신할 때는 가장 좋은 경로가 확률 대부분을 차지하므로 둘이 같고, 모델이 망설이는 곳에서 달라집니다." },
        wrong = {
          [2] = { en = "Not always: the beam keeps only a few prefixes, and can prune the one that would have won.",
                  ko = "항상은 아닙니다. 빔은 접두사 몇 개만 남기므로, 결국 이길 접두사를 버릴 수도 있습니다." },
          [3] = { en = "The beam's width limits how many prefixes are kept at each step, not how long a line may be.",
                  ko = "빔 너비는 시점마다 남기는 접두사의 수를 제한할 뿐, 줄의 길이와는 관계가 없습니다." },
        },
      },
    },
  },
}

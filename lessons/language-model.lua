-- Lesson: a character language model — text to symbol ids (UTF-8 characters, not bytes),
-- the uniform and unigram baselines as perplexities, perplexity = exp(cross-entropy), a GRU
-- trained to predict the next character, temperature sampling, and generation that carries
-- the recurrent state. The long run is experiments/char-rnn.lua.
local C = require("nabla.lesson").checks
local value, finite, msg = C.value, C.finite, C.msg

local function nb() return require "nabla" end

-- the reference unigram perplexity: character frequencies of ids[1..split] (add-one), scored
-- on ids[split+1..n]
local function ref_unigram(ids, split, V)
  local count = {}
  for i = 1, split do count[ids[i]] = (count[ids[i]] or 0) + 1 end
  local nll = 0
  for i = split + 1, #ids do nll = nll - math.log(((count[ids[i]] or 0) + 1) / (split + V)) end
  return math.exp(nll / (#ids - split))
end

local need_text = msg("run step 1 first: it makes text, vocab and ids", "먼저 1단계를 실행하세요: text, vocab, ids를 만듭니다")
local need_model = msg("run step 3's code first: it defines CharLM, batch and val_loss", "먼저 3단계의 코드를 실행하세요: CharLM, batch, val_loss를 정의합니다")

-- step 3's helpers (the code run after its predict-the-number quiz; steps 4 to 7 use them)
local MODEL = [[
CharLM = nn.Module:extend("CharLM")
function CharLM:__init(V, H)
  self.embed = nn.Embedding(V, 16)
  self.rnn = nn.GRU(16, H, { batch_first = true })
  self.head = nn.Linear(H, V)
end
-- x (B, T) ids → logits (B, T, V), and the GRU's state after step T
function CharLM:forward(x, state)
  local out, s = self.rnn(self.embed(x), state)
  return self.head(out), s
end
-- B random windows of ids[first..last]: x, and y = x moved by one
function batch(first, last, B, T)
  local xs, ys = {}, {}
  for b = 1, B do
    local s = first + math.floor(rand(1):item() * (last - first - T))
    xs[b], ys[b] = {}, {}
    for t = 1, T do xs[b][t], ys[b][t] = ids[s + t - 1], ids[s + t] end
  end
  return tensor(xs), tensor(ys)
end
-- the mean cross-entropy (nats per character) on ids[split+1..]
function val_loss(model)
  local xs, ys = {}, {}
  for s = split + 1, #ids - 32, 32 do
    local x, y = {}, {}
    for t = 1, 32 do x[t], y[t] = ids[s + t - 1], ids[s + t] end
    xs[#xs + 1], ys[#ys + 1] = x, y
  end
  return no_grad(function()
    local logits = model(tensor(xs))
    local targets = tensor(ys):reshape(-1)
    return cross_entropy(logits:reshape(-1, #vocab), targets):item()
  end)
end
]]

local TRAIN_HEAD = [[
manual_seed(1)
lm = CharLM(#vocab, 64)
opt = optim.Adam(lm:parameters(), { lr = 1e-2 })
train_losses = {}
for step = 1, 150 do
  local x, y = batch(1, split, 32, 32)
]]

return {
  id = "language-model",
  order = 10.6,   -- after recurrent
  title = { en = "Language models: the next character", ko = "언어 모델: 다음 글자 예측" },
  steps = {
    {
      text = {
        en = [[
A language model gives the probability of the next symbol from the ones before
it. Our symbols are characters, and our text is these lessons' own English text
(the first 30,000 characters). A Lua string is bytes; a character such as ∇ or
é is several bytes in UTF-8, so go through the text with utf8.codes. Make the
sorted list vocab of the distinct characters and ids, each character's number
in vocab.]],
        ko = [[
언어 모델은 앞의 기호들로부터 다음 기호의 확률을 줍니다. 여기서 기호는
글자이고, 텍스트는 이 레슨들의 영어 텍스트(처음 30,000글자)입니다. Lua 문자열은
바이트의 나열이고 ∇나 é 같은 글자는 UTF-8에서 여러 바이트이므로, utf8.codes로
텍스트를 훑으세요. 서로 다른 글자를 정렬한 목록 vocab과, 각 글자의 vocab 안
번호 ids를 만드세요.]],
      },
      code = [[
local parts = {}
for _, l in ipairs(require("nabla.lesson").all()) do
  for _, s in ipairs(l.steps) do parts[#parts + 1] = s.text.en end
end
text = table.concat(parts, "\n")
text = text:sub(1, utf8.offset(text, 30001) - 1)       -- 30,000 characters
chars = {}
for _, c in utf8.codes(text) do chars[#chars + 1] = utf8.char(c) end
vocab, index = {}, {}
for _, ch in ipairs(chars) do
  if not index[ch] then index[ch] = true; vocab[#vocab + 1] = ch end
end
table.sort(vocab)
for i, ch in ipairs(vocab) do index[ch] = i end
ids = {}
for i, ch in ipairs(chars) do ids[i] = ??? end
print(#text, #chars, #vocab)]],
      solution = [[
local parts = {}
for _, l in ipairs(require("nabla.lesson").all()) do
  for _, s in ipairs(l.steps) do parts[#parts + 1] = s.text.en end
end
text = table.concat(parts, "\n")
text = text:sub(1, utf8.offset(text, 30001) - 1)
chars = {}
for _, c in utf8.codes(text) do chars[#chars + 1] = utf8.char(c) end
vocab, index = {}, {}
for _, ch in ipairs(chars) do
  if not index[ch] then index[ch] = true; vocab[#vocab + 1] = ch end
end
table.sort(vocab)
for i, ch in ipairs(vocab) do index[ch] = i end
ids = {}
for i, ch in ipairs(chars) do ids[i] = index[ch] end]],
      wrong = [[
local parts = {}
for _, l in ipairs(require("nabla.lesson").all()) do
  for _, s in ipairs(l.steps) do parts[#parts + 1] = s.text.en end
end
text = table.concat(parts, "\n")
text = text:sub(1, utf8.offset(text, 30001) - 1)
chars = {}
for ch in text:gmatch(".") do chars[#chars + 1] = ch end
vocab, index = {}, {}
for _, ch in ipairs(chars) do
  if not index[ch] then index[ch] = true; vocab[#vocab + 1] = ch end
end
table.sort(vocab)
for i, ch in ipairs(vocab) do index[ch] = i end
ids = {}
for i, ch in ipairs(chars) do ids[i] = index[ch] end]],
      check = function(env)
        if type(env.text) ~= "string" or utf8.len(env.text) ~= 30000 then
          return false, msg("make text, the first 30,000 characters of the lessons' English text",
                            "text를 레슨 영어 텍스트의 처음 30,000글자로 만드세요")
        end
        local vocab, ids = env.vocab, env.ids
        if type(vocab) ~= "table" or type(ids) ~= "table" then
          return false, msg("make the lists vocab and ids", "vocab과 ids 목록을 만드세요")
        end
        if #ids == #env.text and #ids ~= utf8.len(env.text) then
          return false, msg(("%d ids for %d characters: text:gmatch(\".\") goes byte by byte, and ∇ is 3 bytes in UTF-8. Use utf8.codes"):format(#ids, utf8.len(env.text)),
                            ("글자는 %d개인데 ids가 %d개입니다: text:gmatch(\".\")는 바이트 단위로 나누는데, ∇는 UTF-8에서 3바이트입니다. utf8.codes를 쓰세요"):format(utf8.len(env.text), #ids))
        end
        for i = 2, #vocab do
          if not (vocab[i - 1] < vocab[i]) then
            return false, msg("vocab should be sorted, each character once", "vocab은 정렬되어 있고 글자마다 한 번씩이어야 합니다")
          end
        end
        local parts = {}
        for i, id in ipairs(ids) do
          if math.type(id) ~= "integer" or not vocab[id] then
            return false, msg(("ids[%d] = %s is not a position in vocab"):format(i, tostring(id)),
                              ("ids[%d] = %s: vocab 안의 위치가 아닙니다"):format(i, tostring(id)))
          end
          parts[i] = vocab[id]
        end
        if #ids ~= utf8.len(env.text) or table.concat(parts) ~= env.text then
          return false, msg("vocab[ids[i]] should give the text back, character after character",
                            "vocab[ids[i]]를 차례로 이으면 text가 되어야 합니다")
        end
        return true
      end,
      hints = { { en = "index[ch] is the character's number after the sort.", ko = "정렬한 뒤의 index[ch]가 그 글자의 번호입니다." } },
    },
    {
      text = {
        en = [[
How good is a guess? A model that gives the text's characters probabilities p
scores them by the cross-entropy, the mean of −ln p(next character), and its
perplexity is exp of that: as unsure as a uniform choice among that many
characters. Guessing uniformly has perplexity V = #vocab. Keep the last 10% of
ids for validation (split). Compute unigram_ppl, the perplexity on
ids[split+1..] of the character frequencies of ids[1..split] (add one to every
count, so that no character has probability 0).]],
        ko = [[
추측은 얼마나 좋을까요? 텍스트의 글자들에 확률 p를 주는 모델은 교차 엔트로피,
곧 −ln p(다음 글자)의 평균으로 평가하고, 그 exp가 퍼플렉서티(perplexity)입니다:
그만큼의 글자 가운데 고르게 하나를 고르는 것과 같은 불확실성이죠. 고르게 찍으면
퍼플렉서티는 V = #vocab입니다. ids의 마지막 10%는 검증용으로 둡니다(split).
ids[1..split]의 글자 빈도로 ids[split+1..]에서 측정한 퍼플렉서티 unigram_ppl을
구하세요 (어떤 글자도 확률 0이 되지 않도록 모든 개수에 1을 더합니다).]],
      },
      code = [=[
split = math.floor(#ids * 0.9)
count = {}
for i = 1, split do count[ids[i]] = (count[ids[i]] or 0) + 1 end
local nll = 0
for i = split + 1, #ids do
  local p = ((count[ids[i]] or 0) + 1) / (split + #vocab)
  nll = nll + ???
end
unigram_ppl = math.exp(nll / (#ids - split))
print(#vocab, unigram_ppl)]=],
      solution = [=[
split = math.floor(#ids * 0.9)
count = {}
for i = 1, split do count[ids[i]] = (count[ids[i]] or 0) + 1 end
local nll = 0
for i = split + 1, #ids do
  local p = ((count[ids[i]] or 0) + 1) / (split + #vocab)
  nll = nll - math.log(p)
end
unigram_ppl = math.exp(nll / (#ids - split))]=],
      wrong = [=[
split = math.floor(#ids * 0.9)
count = {}
for i = 1, split do count[ids[i]] = (count[ids[i]] or 0) + 1 end
local nll = 0
for i = split + 1, #ids do
  local p = ((count[ids[i]] or 0) + 1) / (split + #vocab)
  nll = nll - math.log(p)
end
unigram_ppl = math.exp(nll)]=],
      wrongs = {
        { code = [=[
split = math.floor(#ids * 0.9)
count = {}
for i = 1, split do count[ids[i]] = (count[ids[i]] or 0) + 1 end
local nll = 0
for i = split + 1, #ids do
  local p = ((count[ids[i]] or 0) + 1) / (split + #vocab)
  nll = nll + math.log(p)
end
unigram_ppl = math.exp(nll / (#ids - split))]=],
          says = { en = "the loss is −ln p", ko = "손실은 −ln p이고" } },
      },
      secret = function(env)
        if type(env.ids) ~= "table" or type(env.vocab) ~= "table" then return nil end
        return ("%.4g"):format(ref_unigram(env.ids, math.floor(#env.ids * 0.9), #env.vocab))
      end,
      check = function(env)
        if type(env.ids) ~= "table" or type(env.vocab) ~= "table" then return false, need_text end
        if env.split ~= math.floor(#env.ids * 0.9) then
          return false, msg("split = math.floor(#ids * 0.9)", "split = math.floor(#ids * 0.9)")
        end
        local u = value(env.unigram_ppl)
        local want = ref_unigram(env.ids, env.split, #env.vocab)
        if not finite(u) then
          return false, msg(("unigram_ppl is %s: a perplexity is a finite number ≥ 1. Divide the sum by the number of characters before exp"):format(tostring(env.unigram_ppl)),
                            ("unigram_ppl = %s: 퍼플렉서티는 1 이상의 유한한 수입니다. exp 전에 합을 글자 수로 나누세요"):format(tostring(env.unigram_ppl)))
        end
        if u < 1 then
          return false, msg("a perplexity below 1 means a negative loss: the loss is −ln p, and p ≤ 1",
                            "퍼플렉서티가 1보다 작으면 손실이 음수라는 뜻입니다: 손실은 −ln p이고 p ≤ 1입니다")
        end
        if math.abs(u - want) > 1e-6 * want then
          return false, msg(("unigram_ppl = %.4g is not exp(mean of −ln p) over the validation characters (it should lie between 1 and V = %d)"):format(u, #env.vocab),
                            ("unigram_ppl = %.4g: 검증 글자들에 대한 exp(−ln p의 평균)이 아닙니다 (1과 V = %d 사이여야 합니다)"):format(u, #env.vocab))
        end
        return true
      end,
    },
    {
      text = {
        en = [[
The network: each character id becomes a learnt vector (nn.Embedding), a GRU
reads them in order, and a Linear layer turns its state at step t into V scores
for character t + 1. batch(first, last, B, T) takes B random windows: x, and
y, which is x moved by one. Predict, then run: a network that has learnt
nothing spreads its probability about evenly over the V characters.]],
        ko = [[
신경망: 글자 id마다 학습되는 벡터(nn.Embedding)가 되고, GRU가 그 벡터들을
차례로 읽고, Linear 층이 t번째 상태를 t + 1번째 글자에 대한 점수 V개로
바꿉니다. batch(first, last, B, T)는 무작위 구간 B개를 뽑습니다: x, 그리고 x를
한 칸 민 y. 예측한 다음 실행해 보세요. 아무것도 배우지 않은 신경망은 확률을
V개의 글자에 거의 고르게 나눕니다.]],
      },
      quiz = {
        kind = "number",
        question = { en = "What validation perplexity will the untrained CharLM(#vocab, 64) have? (step 1 printed #vocab)",
                     ko = "학습하지 않은 CharLM(#vocab, 64)의 검증 퍼플렉서티는 얼마일까요? (#vocab은 1단계에서 출력했습니다)" },
        value = function(env) return #env.vocab end,
        tolerance = { rel = 0.1 },
        explain = { en = "Right: about V. Even probabilities 1/V give the cross-entropy ln V, and exp(ln V) = V; small random weights stay close to that.",
                    ko = "맞습니다: 약 V입니다. 확률이 고르게 1/V이면 교차 엔트로피가 ln V이고, exp(ln V) = V입니다. 작은 무작위 가중치는 거기서 크게 벗어나지 않습니다." },
      },
      code = MODEL .. [[
manual_seed(0)
print(math.exp(val_loss(CharLM(#vocab, 64))), #vocab)]],
    },
    {
      text = {
        en = [[
In numbers: val_loss gives the mean cross-entropy in nats (natural log), so the
perplexity is its exp. Measure loss0 and ppl0 for the untrained network.]],
        ko = [[
숫자로 확인해 봅시다: val_loss는 평균 교차 엔트로피를 nat(자연로그) 단위로
주므로, 퍼플렉서티는 그 exp입니다. 학습하지 않은 신경망의 loss0과 ppl0을
측정하세요.]],
      },
      code = [[
manual_seed(0)
loss0 = val_loss(CharLM(#vocab, 64))       -- nats per character
ppl0 = ???
print(loss0, ppl0, #vocab)]],
      solution = [[
manual_seed(0)
loss0 = val_loss(CharLM(#vocab, 64))
ppl0 = math.exp(loss0)]],
      wrong = [[
manual_seed(0)
loss0 = val_loss(CharLM(#vocab, 64))
ppl0 = 2 ^ loss0]],
      check = function(env)
        if type(env.ids) ~= "table" or not env.split then return false, need_text end
        if type(env.val_loss) ~= "function" or type(env.CharLM) ~= "table" then return false, need_model end
        local l, p = value(env.loss0), value(env.ppl0)
        if not (finite(l) and finite(p)) then
          return false, msg("compute loss0 and ppl0", "loss0과 ppl0을 구하세요")
        end
        if math.abs(p - 2 ^ l) < 1e-6 * p then
          return false, msg("cross_entropy uses the natural log (nats): the perplexity is exp(loss), 2^loss goes with bits",
                            "cross_entropy는 자연로그(nat)를 씁니다: 퍼플렉서티는 exp(loss)이고, 2^loss는 비트 단위일 때입니다")
        end
        if math.abs(p - math.exp(l)) > 1e-6 * p then
          return false, msg("ppl0 = exp(loss0)", "ppl0 = exp(loss0)")
        end
        if not (p > #env.vocab * 0.5 and p < #env.vocab * 2) then
          return false, msg(("the untrained model should be near uniform (V = %d), got %.3g: a fresh CharLM(#vocab, 64)?"):format(#env.vocab, p),
                            ("학습 전 모델은 균등 분포(V = %d) 근처여야 하는데 %.3g입니다: 새 CharLM(#vocab, 64)인가요?"):format(#env.vocab, p))
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Train it: 150 steps of Adam on batches of 32 windows of 32 characters. The
logits are (B, T, V) and the targets (B, T): flatten both for cross_entropy, so
every position counts as one prediction. Clip the gradient norm at 1: through
32 steps of recurrence it can spike. Then compute val_ppl.]],
        ko = [[
학습시켜 봅시다: 32글자짜리 구간 32개로 된 배치로 Adam을 150 스텝 돌립니다.
로짓은 (B, T, V), 목표는 (B, T)입니다. 둘 다 펴서 cross_entropy에 넣으면
위치마다 예측 하나로 계산됩니다. 순환 32 스텝을 거치며 기울기 노름이 튈 수
있으니 1로 클리핑합니다. 그다음 val_ppl을 구하세요.]],
      },
      code = TRAIN_HEAD .. [[
  local logits = lm(x)
  local loss = ???   -- cross_entropy of the flattened logits and targets y
  opt:zero_grad(); loss:backward()
  nn.utils.clip_grad_norm_(lm:parameters(), 1)
  opt:step()
  train_losses[step] = loss:item()
end
val_ppl = math.exp(val_loss(lm))
print(val_ppl, unigram_ppl)
plot.lines({ train = train_losses }, { title = "cross-entropy per character" })]],
      solution = TRAIN_HEAD .. [[
  local logits = lm(x)
  local loss = cross_entropy(logits:reshape(-1, #vocab), y:reshape(-1))
  opt:zero_grad(); loss:backward()
  nn.utils.clip_grad_norm_(lm:parameters(), 1)
  opt:step()
  train_losses[step] = loss:item()
end
val_ppl = math.exp(val_loss(lm))]],
      wrong = TRAIN_HEAD .. [[
  local logits = lm(x)
  local loss = cross_entropy(logits:reshape(-1, #vocab), x:reshape(-1))
  opt:zero_grad(); loss:backward()
  nn.utils.clip_grad_norm_(lm:parameters(), 1)
  opt:step()
  train_losses[step] = loss:item()
end
val_ppl = math.exp(val_loss(lm))]],
      check = function(env)
        if type(env.val_loss) ~= "function" or not C.is_module(env.lm) then return false, need_model end
        local tl = env.train_losses
        if not C.numbers(tl, 150, true) then
          return false, msg("train 150 steps into train_losses", "150 스텝 학습시켜 train_losses에 담으세요")
        end
        local v = math.exp(env.val_loss(env.lm))
        if not C.close(value(env.val_ppl), v, 1e-6, 0) then
          return false, msg(("val_ppl should be exp(val_loss(lm)) = %.4g"):format(v), ("val_ppl은 exp(val_loss(lm)) = %.4g여야 합니다"):format(v))
        end
        if tl[150] < 0.2 and v > 2 * env.unigram_ppl then
          return false, msg(("the training loss fell to %.3g but the validation perplexity is %.3g: the model learnt to copy its input. The targets are y, the NEXT characters"):format(tl[150], v),
                            ("학습 손실은 %.3g까지 내려갔는데 검증 퍼플렉서티는 %.3g입니다: 모델이 입력을 베끼도록 배웠습니다. 목표는 '다음' 글자인 y입니다"):format(tl[150], v))
        end
        if not (v < 0.8 * env.unigram_ppl) then
          return false, msg(("val_ppl = %.3g, not clearly below the unigram baseline %.3g: 150 steps at lr 1e-2 should get there"):format(v, env.unigram_ppl),
                            ("val_ppl = %.3g: 유니그램 기준선 %.3g보다 확실히 낮지 않습니다. 학습률 1e-2로 150 스텝이면 내려가야 합니다"):format(v, env.unigram_ppl))
        end
        return true
      end,
      hints = { { en = "logits:reshape(-1, #vocab) is (B·T, V); y:reshape(-1) is (B·T).", ko = "logits:reshape(-1, #vocab)는 (B·T, V), y:reshape(-1)는 (B·T)입니다." } },
    },
    {
      text = {
        en = [[
To write, the model draws the next character from softmax(logits / τ). The
temperature τ sharpens (τ < 1) or flattens (τ > 1) the distribution; τ → 0
always takes the most likely character. Write draw(logits, tau) for a 1-D
tensor of V logits, returning an id: compute the probabilities, then walk their
running sum until it passes u = rand(1):item().]],
        ko = [[
글을 쓸 때 모델은 softmax(logits / τ)에서 다음 글자를 뽑습니다. 온도 τ는 분포를
뾰족하게(τ < 1) 하거나 평평하게(τ > 1) 하고, τ → 0이면 항상 가장 그럴듯한
글자를 고릅니다. V개 로짓의 1차원 텐서에 대해 id를 돌려주는 draw(logits, tau)를
작성하세요: 확률을 구한 뒤, 누적합이 u = rand(1):item()을 넘을 때까지
따라갑니다.]],
      },
      code = [[
function draw(logits, tau)
  local p = ???:softmax(1):tolist()     -- the probabilities at temperature tau
  local u, sum = rand(1):item(), 0
  for i, pi in ipairs(p) do
    sum = sum + pi
    if u < sum then return i end
  end
  return #p
end
print(draw(tensor({ 0, 1, 2 }), 1), draw(tensor({ 0, 1, 2 }), 0.1))]],
      solution = [[
function draw(logits, tau)
  local p = (logits / tau):softmax(1):tolist()
  local u, sum = rand(1):item(), 0
  for i, pi in ipairs(p) do
    sum = sum + pi
    if u < sum then return i end
  end
  return #p
end]],
      wrong = [[
function draw(logits, tau)
  local p = (logits * tau):softmax(1):tolist()
  local u, sum = rand(1):item(), 0
  for i, pi in ipairs(p) do
    sum = sum + pi
    if u < sum then return i end
  end
  return #p
end]],
      check = function(env)
        local nabla = nb()
        if type(env.draw) ~= "function" then
          return false, msg("define draw(logits, tau)", "draw(logits, tau)를 정의하세요")
        end
        local l = nabla.tensor({ 0, math.log(2), math.log(7) })     -- softmax = 0.1, 0.2, 0.7
        local function freq(tau, n)
          local c = { 0, 0, 0 }
          for _ = 1, n do
            local ok, d = pcall(env.draw, l, tau)
            if not ok or not c[d] then return nil end
            c[d] = c[d] + 1
          end
          return { c[1] / n, c[2] / n, c[3] / n }
        end
        local f1 = freq(1, 2000)
        if not f1 then return false, msg("draw should return an id from 1 to #logits", "draw는 1부터 #logits 사이의 id를 돌려줘야 합니다") end
        if math.abs(f1[3] - 0.7) > 0.05 or math.abs(f1[1] - 0.1) > 0.04 then
          return false, msg(("at τ = 1 the ids should come with the softmax's 0.1, 0.2, 0.7, got %.2f, %.2f, %.2f"):format(f1[1], f1[2], f1[3]),
                            ("τ = 1에서는 id가 소프트맥스의 0.1, 0.2, 0.7 비율로 나와야 하는데 %.2f, %.2f, %.2f입니다"):format(f1[1], f1[2], f1[3]))
        end
        local f = freq(0.5, 2000)     -- softmax(2l): 1, 4, 49 over 54
        if f[3] < 0.85 then
          return false, msg(("at τ = 0.5 the top id should come %.0f%% of the time (49/54), got %.0f%%: divide the logits by τ"):format(100 * 49 / 54, 100 * f[3]),
                            ("τ = 0.5에서는 가장 큰 id가 %.0f%% 나와야 하는데(49/54) %.0f%%입니다: 로짓을 τ로 나누세요"):format(100 * 49 / 54, 100 * f[3]))
        end
        return true
      end,
    },
    {
      text = {
        en = [[
Generation feeds each drawn character back in, one step at a time, and carries
the GRU's state from step to step: the state is the model's memory of
everything before. Write the missing line of generate(model, prime, n, tau),
then write with the trained lm at τ = 0.5 and τ = 1.2. Low τ repeats safe
common words; high τ invents more, and misspells more.]],
        ko = [[
글을 생성할 때는 뽑은 글자를 한 스텝씩 다시 넣으며 GRU의 상태를 다음 스텝으로
넘깁니다: 상태는 앞의 모든 글자에 대한 모델의 기억입니다. generate(model,
prime, n, tau)의 빠진 한 줄을 작성하고, 학습한 lm으로 τ = 0.5와 τ = 1.2에서
글을 써 보세요. τ가 낮으면 흔하고 안전한 단어를 되풀이하고, 높으면 더 많이
지어내고 더 많이 틀립니다.]],
      },
      code = [[
function generate(model, prime, n, tau)
  local out, state = {}, nil
  local logits
  no_grad(function()
    for _, ch in ipairs(prime) do
      logits, state = model(tensor({ { ch } }), state)
    end
    for i = 1, n do
      local last = logits:reshape(-1)
      out[i] = tau > 0 and draw(last, tau) or last:argmax():item()
      ???    -- feed out[i] in, carrying the state
    end
  end)
  return out
end
function as_text(list)
  local s = {}
  for i, id in ipairs(list) do s[i] = vocab[id] end
  return table.concat(s)
end
prime = { index["T"], index["h"], index["e"] }
print("The" .. as_text(generate(lm, prime, 200, 0.5)))
print("The" .. as_text(generate(lm, prime, 200, 1.2)))]],
      solution = [[
function generate(model, prime, n, tau)
  local out, state = {}, nil
  local logits
  no_grad(function()
    for _, ch in ipairs(prime) do
      logits, state = model(tensor({ { ch } }), state)
    end
    for i = 1, n do
      local last = logits:reshape(-1)
      out[i] = tau > 0 and draw(last, tau) or last:argmax():item()
      logits, state = model(tensor({ { out[i] } }), state)
    end
  end)
  return out
end
function as_text(list)
  local s = {}
  for i, id in ipairs(list) do s[i] = vocab[id] end
  return table.concat(s)
end
prime = { index["T"], index["h"], index["e"] }]],
      wrong = [[
function generate(model, prime, n, tau)
  local out, state = {}, nil
  local logits
  no_grad(function()
    for _, ch in ipairs(prime) do
      logits, state = model(tensor({ { ch } }), state)
    end
    for i = 1, n do
      local last = logits:reshape(-1)
      out[i] = tau > 0 and draw(last, tau) or last:argmax():item()
      logits = model(tensor({ { out[i] } }))
    end
  end)
  return out
end
function as_text(list)
  local s = {}
  for i, id in ipairs(list) do s[i] = vocab[id] end
  return table.concat(s)
end
prime = { index["T"], index["h"], index["e"] }]],
      check = function(env)
        local nabla = nb()
        if not C.is_module(env.lm) then return false, need_model end
        if type(env.generate) ~= "function" then
          return false, msg("define generate(model, prime, n, tau)", "generate(model, prime, n, tau)를 정의하세요")
        end
        local prime = { env.ids[1], env.ids[2], env.ids[3] }
        local ok, got = pcall(env.generate, env.lm, prime, 30, 0)
        if not ok or type(got) ~= "table" or #got ~= 30 then
          return false, msg("generate(lm, prime, 30, 0) should return a list of 30 ids", "generate(lm, prime, 30, 0)은 id 30개의 목록을 돌려줘야 합니다")
        end
        -- the reference: greedy, the whole sequence so far read again at every step
        local seq = { table.unpack(prime) }
        local want = {}
        nabla.no_grad(function()
          for i = 1, 30 do
            local logits = env.lm(nabla.tensor({ seq }))
            local last = logits:select(1, 1):select(1, #seq)
            want[i] = math.tointeger(last:argmax():item())
            seq[#seq + 1] = want[i]
          end
        end)
        for i = 1, 30 do
          if math.tointeger(got[i]) ~= want[i] then
            return false, msg(("greedy generation (τ = 0) differs from the model's own prediction at character %d: pass the state returned by each step to the next one"):format(i),
                              ("탐욕적 생성(τ = 0)이 %d번째 글자에서 모델의 예측과 다릅니다: 스텝마다 돌려받은 상태를 다음 스텝에 넘기세요"):format(i))
          end
        end
        return true
      end,
    },
    {
      text = {
        en = [[
The lesson's model sees 27,000 characters for 150 steps.
experiments/char-rnn.lua trains the same kind of model longer on all the
lessons' text (English, or Korean with --lang ko, where --unit jamo splits each
syllable into its jamo), and when the classroom server runs its samples appear
on the dashboard.]],
        ko = [[
이 레슨의 모델은 27,000글자를 150 스텝 동안 봅니다. experiments/char-rnn.lua는
같은 종류의 모델을 레슨 텍스트 전체로 더 오래 학습시킵니다 (영어, 또는 --lang
ko로 한국어. --unit jamo는 음절을 자모로 나눕니다). 교실 서버가 켜져 있으면
생성한 글이 대시보드에 나타납니다.]],
      },
      quiz = {
        question = { en = "A character model has validation perplexity 4. What does that mean?",
                     ko = "글자 모델의 검증 퍼플렉서티가 4입니다. 무슨 뜻일까요?" },
        choices = {
          { en = "It is as unsure as a fair pick among 4 characters at each step",
            ko = "스텝마다 4글자 중 하나를 고르게 고르는 만큼 불확실하다" },
          { en = "It gets the next character right 1 time in 4 on average",
            ko = "평균적으로 다음 글자를 4번에 1번 맞힌다" },
          { en = "Its cross-entropy per character is 4 nats on the validation text",
            ko = "검증 텍스트에서 글자당 교차 엔트로피가 4 nat이다" },
        },
        answer = 1,
        explain = { en = "Yes: perplexity = exp(cross-entropy); 4 means ln 4 ≈ 1.39 nats per character. Accuracy is another number: the most likely character can be right far more often than 1 in 4.",
                    ko = "맞습니다: 퍼플렉서티 = exp(교차 엔트로피)이고, 4는 글자당 ln 4 ≈ 1.39 nat입니다. 정확도는 다른 수입니다: 가장 그럴듯한 글자는 4번에 1번보다 훨씬 자주 맞을 수 있습니다." },
        wrong = {
          [2] = { en = "Perplexity measures probabilities, not hits: the top guess can be right much more often than 1 in 4.",
                  ko = "퍼플렉서티는 맞힌 횟수가 아니라 확률로 계산합니다: 가장 그럴듯한 추측은 4번에 1번보다 훨씬 자주 맞을 수 있습니다." },
          [3] = { en = "The cross-entropy is ln 4 ≈ 1.39 nats: perplexity is its exp.",
                  ko = "교차 엔트로피는 ln 4 ≈ 1.39 nat입니다: 퍼플렉서티는 그 exp입니다." },
        },
      },
    },
  },
}

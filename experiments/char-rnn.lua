-- Next-character prediction: a GRU (or LSTM) language model over the characters of a
-- text, trained to predict character t+1 from characters 1..t, then sampled one character
-- at a time with a temperature.
--
--   ids (B, T) -Embedding(V, 32)-> (B, T, 32) -GRU(32, 256)-> (B, T, 256) -Linear-> (B·T, V)
--
-- The text: by default the lessons' own English text (every step of every lesson in
-- lessons/, about 60,000 characters, under the project's licence), or with --lang ko
-- their Korean text. --unit jamo splits each Hangul syllable into its jamo (한 → ㅎ ㅏ ㄴ,
-- as conjoining jamo U+1100..U+11FF): about 70 symbols instead of some 700 syllables,
-- each seen far more often; the samples are put back together into syllables.
-- --text FILE trains on any UTF-8 file instead, e.g. --text /usr/share/common-licenses/GPL-3
-- (Debian's base-files; the GPL's text may be copied verbatim).
--
-- Each epoch reports the perplexity exp(mean cross-entropy per character) on the last 10%
-- of the text (never trained on), and samples text at the chosen temperature. When the
-- classroom server runs (--serve), every sample goes to the dashboard as a "sample" event
-- {kind = "text", source = "char-rnn", title, text, epoch, temperature}.
--
--   nabla run experiments/char-rnn.lua
--   nabla run experiments/char-rnn.lua --lang ko --unit jamo --epochs 20
--   nabla run experiments/char-rnn.lua --cell LSTM --temperature 0.5 --prime "The gradient"
local nabla = require "nabla"
local nn, optim = nabla.nn, nabla.optim
local events = require "nabla.events"

local M = {
  name = "char-rnn",
  config = {
    epochs = 30,
    batch = 32,           -- sequences per batch
    seq = 64,             -- characters per sequence (backpropagation through 64 steps)
    hidden = 256,
    embed = 32,
    layers = 1,
    cell = "GRU",         -- or "LSTM"
    lr = 3e-3,            -- Adam, annealed to 0 along a cosine
    clip = 1.0,           -- gradient clipping (max norm)
    lang = "en",          -- the lessons' text in "en" or "ko"
    unit = "char",        -- "char", or "jamo": Hangul syllables split into jamo
    text = "",            -- a UTF-8 file to train on instead of the lessons' text
    val_frac = 0.1,       -- the last part of the text, for the perplexity
    temperature = 0.8,    -- of the samples printed after each epoch
    sample_len = 300,
    prime = "",           -- the samples start from this text ("" : a newline)
    batches = 0,          -- batches per epoch (0: as many as cover the training text once)
    seed = 1,
  },
}

-- ---- the text ------------------------------------------------------------------------------

-- The lessons' text in one language: every title and step text, in the lessons' order.
function M.lessons_text(lang)
  local parts = {}
  for _, l in ipairs(require("nabla.lesson").all()) do
    parts[#parts + 1] = (l.title and l.title[lang] or "") .. "\n"
    for _, s in ipairs(l.steps) do
      if s.text and s.text[lang] then parts[#parts + 1] = s.text[lang] .. "\n" end
    end
  end
  return table.concat(parts, "\n")
end

-- Hangul syllable → conjoining jamo: s = cp − 0xAC00 = (L·21 + V)·28 + T
local S0, L0, V0, T0 = 0xAC00, 0x1100, 0x1161, 0x11A7
function M.to_jamo(cp, out)
  if cp >= S0 and cp <= 0xD7A3 then
    local s = cp - S0
    out[#out + 1] = utf8.char(L0 + s // 588)
    out[#out + 1] = utf8.char(V0 + (s % 588) // 28)
    if s % 28 > 0 then out[#out + 1] = utf8.char(T0 + s % 28) end
  else
    out[#out + 1] = utf8.char(cp)
  end
end

-- jamo → syllables again (a leading consonant followed by a vowel, and a final consonant if
-- one follows); anything else stays as it is
function M.from_jamo(s)
  local cps = {}
  for _, c in utf8.codes(s) do cps[#cps + 1] = c end
  local out, i = {}, 1
  while i <= #cps do
    local l, v, t = cps[i], cps[i + 1], cps[i + 2]
    if l >= L0 and l <= 0x1112 and v and v >= V0 and v <= 0x1175 then
      local tail = (t and t >= 0x11A8 and t <= 0x11C2) and (t - T0) or 0
      out[#out + 1] = utf8.char(S0 + ((l - L0) * 21 + (v - V0)) * 28 + tail)
      i = i + (tail > 0 and 3 or 2)
    else
      out[#out + 1] = utf8.char(l)
      i = i + 1
    end
  end
  return table.concat(out)
end

-- The text as a list of symbols (UTF-8 characters, or jamo), the sorted vocabulary and the
-- ids (1-based) of the symbols.
function M.tokenize(text, unit)
  if not utf8.len(text) then error("char-rnn: the text is not valid UTF-8", 0) end
  local symbols = {}
  for _, c in utf8.codes(text) do
    if unit == "jamo" then M.to_jamo(c, symbols) else symbols[#symbols + 1] = utf8.char(c) end
  end
  local seen, vocab = {}, {}
  for _, ch in ipairs(symbols) do
    if not seen[ch] then seen[ch] = true; vocab[#vocab + 1] = ch end
  end
  table.sort(vocab)
  local index = {}
  for i, ch in ipairs(vocab) do index[ch] = i end
  local ids = {}
  for i, ch in ipairs(symbols) do ids[i] = index[ch] end
  return { ids = ids, vocab = vocab, index = index, unit = unit }
end

function M.decode(tok, ids)
  local parts = {}
  for i, id in ipairs(ids) do parts[i] = tok.vocab[id] or "?" end
  local s = table.concat(parts)
  return tok.unit == "jamo" and M.from_jamo(s) or s
end

function M.encode(tok, s)
  local ids = {}
  local symbols = {}
  for _, c in utf8.codes(s) do
    if tok.unit == "jamo" then M.to_jamo(c, symbols) else symbols[#symbols + 1] = utf8.char(c) end
  end
  for _, ch in ipairs(symbols) do
    local id = tok.index[ch]
    if id then ids[#ids + 1] = id end       -- a symbol the text never has is left out
  end
  return ids
end

-- ---- batches -------------------------------------------------------------------------------

-- Training batches: B windows of T + 1 symbols at random places of ids[first..last]; x is
-- the first T, y the last T (each symbol's next one): both (B, T).
-- nb batches per epoch; the places come from seed and the epoch number (the same run gives
-- the same batches; a resumed run carries on with the next epoch's).
function M.train_loader(ids, first, last, B, T, nb, seed)
  local loader = { epoch = 0, num_batches = nb }
  function loader:iter()
    self.epoch = self.epoch + 1
    local k = 0
    local state = (seed * 1000003 + self.epoch * 7919) % 2147483647
    local function rnd(n)      -- a small LCG of its own: the global generators stay untouched
      state = (state * 48271) % 2147483647
      return state % n
    end
    return function()
      k = k + 1
      if k > nb then return nil end
      local xs, ys = {}, {}
      for b = 1, B do
        local s = first + rnd(last - first - T)
        local row, next_row = {}, {}
        for t = 1, T do row[t], next_row[t] = ids[s + t - 1], ids[s + t] end
        xs[b], ys[b] = row, next_row
      end
      return nabla.tensor(xs), nabla.tensor(ys)
    end
  end
  return loader
end

-- Validation batches: ids[first..last] cut into consecutive windows of T (each starting
-- from a zero state), B windows a batch: every symbol but the first of a window is scored once.
function M.val_loader(ids, first, last, B, T)
  local starts = {}
  for s = first, last - T, T do starts[#starts + 1] = s end
  local loader = { num_batches = math.ceil(#starts / B) }
  function loader:iter()
    local k = 0
    return function()
      if k >= #starts then return nil end
      local xs, ys = {}, {}
      for b = 1, math.min(B, #starts - k) do
        local s = starts[k + b]
        local row, next_row = {}, {}
        for t = 1, T do row[t], next_row[t] = ids[s + t - 1], ids[s + t] end
        xs[b], ys[b] = row, next_row
      end
      k = k + #xs
      return nabla.tensor(xs), nabla.tensor(ys)
    end
  end
  return loader
end

-- ---- the model -----------------------------------------------------------------------------

local CharRNN = nn.Module:extend("CharRNN")
M.CharRNN = CharRNN

function CharRNN:__init(vocab, embed, hidden, cell, layers)
  if not (cell == "GRU" or cell == "LSTM") then
    error("char-rnn: --cell must be GRU or LSTM, got " .. tostring(cell), 0)
  end
  self.vocab_size, self.hidden_size = vocab, hidden
  self.embed = nn.Embedding(vocab, embed)
  self.rnn = nn[cell](embed, hidden, { num_layers = layers, batch_first = true })
  self.head = nn.Linear(hidden, vocab)
end

-- ids (B, T) and a state (nil: zeros) → logits (B, T, V) and the state after step T
function CharRNN:step(ids, state)
  local out, s = self.rnn(self.embed(ids), state)
  return self.head(out), s
end

-- what fit() trains: logits (B·T, V), scored by M.loss against the next symbols (B, T)
function CharRNN:forward(ids)
  local logits = self:step(ids)
  return logits:reshape(-1, self.vocab_size)
end

-- the mean cross-entropy per symbol (nats); the perplexity is its exp
function M.loss(logits, next_ids)
  return nabla.cross_entropy(logits, next_ids:reshape(-1))
end

function M.model(cfg, vocab)
  return CharRNN(vocab, cfg.embed, cfg.hidden, cfg.cell, cfg.layers)
end

-- A symbol drawn from softmax(logits / temperature) (temperature 0: the most likely one),
-- with nabla's random generator (manual_seed makes samples repeat).
function M.draw(logits, temperature)
  if temperature <= 0 then return logits:argmax():item() end
  local p = (logits / temperature):softmax(1):tolist()
  local u, acc = nabla.rand(1):item(), 0
  for i, pi in ipairs(p) do
    acc = acc + pi
    if u < acc then return i end
  end
  return #p
end

-- n symbols sampled after the prime (a list of ids, at least one), as a list of ids
function M.sample(model, prime, n, temperature)
  local was_training = model.training
  model:eval()
  local out = {}
  nabla.no_grad(function()
    local logits, state = model:step(nabla.tensor({ prime }))
    local last = logits:select(1, 1):select(1, #prime)
    for i = 1, n do
      local id = M.draw(last, temperature)
      out[i] = id
      logits, state = model:step(nabla.tensor({ { id } }), state)
      last = logits:select(1, 1):select(1, 1)
    end
  end)
  if was_training then model:train() end
  return out
end

-- The perplexity of always predicting the training text's character frequencies (a model
-- that ignores the context), on ids[first..last]: what the network has to beat.
function M.unigram_perplexity(ids, train_last, first, last, V)
  local count = {}
  for i = 1, train_last do count[ids[i]] = (count[ids[i]] or 0) + 1 end
  local nll = 0
  for i = first, last do nll = nll - math.log(((count[ids[i]] or 0) + 1) / (train_last + V)) end
  return math.exp(nll / (last - first + 1))
end

-- ---- the run -------------------------------------------------------------------------------

function M.run(cfg, exp)
  exp = exp or M
  if not (cfg.unit == "char" or cfg.unit == "jamo") then
    error("char-rnn: --unit must be char or jamo, got " .. tostring(cfg.unit), 0)
  end
  local text, source
  if cfg.text ~= "" then
    local f = io.open(cfg.text, "rb")
    if not f then error("char-rnn: cannot read --text " .. cfg.text, 0) end
    text, source = f:read("a"), cfg.text
    f:close()
  else
    if not (cfg.lang == "en" or cfg.lang == "ko") then
      error("char-rnn: --lang must be en or ko, got " .. tostring(cfg.lang), 0)
    end
    text, source = M.lessons_text(cfg.lang), ("the lessons' %s text"):format(cfg.lang == "ko" and "Korean" or "English")
  end
  local tok = M.tokenize(text, cfg.unit)
  local ids, V = tok.ids, #tok.vocab
  local n = #ids
  local T, B = math.floor(cfg.seq), math.floor(cfg.batch)
  local split = math.floor(n * (1 - cfg.val_frac))
  if split < 2 * T + 2 or n - split < T + 1 then
    error(("char-rnn: the text has %d symbols, too few for sequences of %d and a validation part of %.0f%%"):format(n, T, 100 * cfg.val_frac), 0)
  end
  print(("text: %s, %d characters, %d %s symbols (vocabulary %d); training on the first %d, perplexity on the last %d")
    :format(source, utf8.len(text), n, cfg.unit, V, split, n - split))

  local nb = cfg.batches > 0 and math.floor(cfg.batches) or math.max(1, split // (B * T))
  local train = M.train_loader(ids, 1, split, B, T, nb, math.floor(cfg.seed))
  local val = M.val_loader(ids, split + 1, n, B, T)
  local model = exp.model(cfg, V)
  print(model)
  local unigram = M.unigram_perplexity(ids, split, split + 2, n, V)
  print(("baselines: uniform perplexity %d (the vocabulary), unigram (character frequencies) %.2f"):format(V, unigram))

  local prime = M.encode(tok, cfg.prime ~= "" and cfg.prime or "\n")
  if #prime == 0 then prime = { tok.ids[1] } end
  local samples = io.open(cfg.run_dir .. "/samples.txt", "a")
  local ppl = {}
  local t_start = nabla.clock()
  -- after each epoch (fit's "epoch" event): the perplexity and a sample
  local on_epoch = events.on("epoch", function(p)
    local e = p.epoch
    ppl[e] = math.exp(p.val_loss)
    local s = M.decode(tok, M.sample(model, prime, math.floor(cfg.sample_len), cfg.temperature))
    local head = ("epoch %d: perplexity %.2f (train %.2f), sample at temperature %.2f:"):format(e, ppl[e], math.exp(p.train_loss), cfg.temperature)
    print(head)
    print(s)
    if samples then samples:write(head, "\n", s, "\n\n"); samples:flush() end
    if events.listening("sample") then
      events.emit("sample", { kind = "text", source = "char-rnn", epoch = e, temperature = cfg.temperature,
        title = ("char-rnn, epoch %d, perplexity %.2f"):format(e, ppl[e]), text = s })
    end
  end)
  local opt = optim.Adam(model:parameters(), { lr = cfg.lr })
  local ok, history = pcall(nabla.fit, model, train, {
    epochs = math.floor(cfg.epochs), optimizer = opt, loss = M.loss, clip_grad = cfg.clip > 0 and cfg.clip or nil,
    scheduler = optim.lr_scheduler.CosineAnnealingLR(opt, { T_max = math.floor(cfg.epochs) }),
    val = val, log = cfg.run_dir .. "/log.csv", checkpoint = cfg.run_dir, resume = cfg.resume,
  })
  events.off("epoch", on_epoch)
  if not ok then
    if samples then samples:close() end
    error(history, 0)
  end

  -- the last model at three temperatures
  local result = {}
  for _, temp in ipairs({ 0.5, 1.0 }) do
    local s = M.decode(tok, M.sample(model, prime, math.floor(cfg.sample_len), temp))
    if samples then samples:write(("final, temperature %.1f:\n%s\n\n"):format(temp, s)) end
    print(("temperature %.1f:\n%s"):format(temp, s))
  end
  if samples then samples:close() end
  local last = #history.val_loss
  local best = math.huge
  for _, v in ipairs(history.val_loss) do best = math.min(best, math.exp(v)) end
  local per_epoch = {}
  for e = 1, last do per_epoch[e] = ("%.2f"):format(math.exp(history.val_loss[e])) end
  result.val_perplexity = ("%.3f"):format(math.exp(history.val_loss[last]))
  result.best_val_perplexity = ("%.3f"):format(best)
  result.train_perplexity = ("%.3f"):format(math.exp(history.loss[last]))
  result.perplexity_per_epoch = table.concat(per_epoch, " ")
  result.unigram_perplexity = ("%.3f"):format(unigram)
  result.vocabulary = V
  result.symbols = n
  result.epochs = last
  local seconds = 0
  for _, t in ipairs(history.time) do seconds = seconds + t end
  result.seconds_per_epoch = ("%.1f"):format(seconds / math.max(last, 1))
  result.train_seconds = ("%.1f"):format(nabla.clock() - t_start)
  result.history = history       -- (a table: not printed; for whoever calls run)
  return result
end

return M

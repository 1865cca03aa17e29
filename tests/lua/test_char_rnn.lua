-- experiments/char-rnn.lua: the text's symbols (characters and Hangul jamo) and back, the
-- batches (y is x moved by one symbol), the model's shapes, temperature sampling, and a
-- short run through `nabla run` (seconds): finite losses, the perplexity falls below the
-- uniform baseline, log.csv / result.txt / samples.txt written, one "sample" event per epoch.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local events = require "nabla.events"
local run = require "nabla.run"

local path = (nabla.lua_dir or "lua") .. "/../experiments/char-rnn.lua"
local M = dofile(path)

local tmpdir = os.tmpname()
os.remove(tmpdir)
os.execute("mkdir -p '" .. tmpdir .. "'")

local function read_all(p)
  local f = io.open(p, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

T.test("characters and jamo: encode then decode gives the text back", function()
  local text = "한국어 학습률은 값, the loss ∇ 2.5\n"
  for _, unit in ipairs({ "char", "jamo" }) do
    local tok = M.tokenize(text, unit)
    T.eq(M.decode(tok, tok.ids), text, unit .. ": decode(ids) is the text")
    T.eq(M.decode(tok, M.encode(tok, text)), text, unit .. ": decode(encode(text))")
    for i = 2, #tok.vocab do T.ok(tok.vocab[i - 1] < tok.vocab[i], "the vocabulary is sorted, without repeats") end
  end
  local chars, jamo = M.tokenize(text, "char"), M.tokenize(text, "jamo")
  -- 한 = ㅎ ㅏ ㄴ, 어 = ㅇ ㅓ, 값 = ㄱ ㅏ ㅄ: 8 syllables, 7 with a final consonant, become
  -- 8·2 + 7 = 23 jamo, 15 more symbols
  T.eq(#jamo.ids - #chars.ids, 8 + 7, "each syllable is 2 or 3 jamo")
  T.eq(M.decode(jamo, M.encode(jamo, "학")), "학", "one syllable round trip")
  T.eq(#M.encode(chars, "xyz한"), 1, "symbols the text never has are left out")
end)

T.test("batches: y is x moved by one symbol; the same seed gives the same batches", function()
  local ids = {}
  for i = 1, 500 do ids[i] = (i * 7) % 13 + 1 end
  local tr = M.train_loader(ids, 1, 400, 4, 10, 3, 1)
  local n, first = 0, nil
  for x, y in tr:iter() do
    n = n + 1
    T.eq(tostring(x.shape), "[4,10]", "x is (B, T)")
    T.eq(tostring(y.shape), "[4,10]", "y is (B, T)")
    local xs, ys = x:tolist(), y:tolist()
    first = first or xs
    for b = 1, 4 do
      for t = 1, 9 do T.eq(ys[b][t], xs[b][t + 1], "y[t] = x[t+1]") end
      -- the window lies in the training part: its last target is at most position 400
      local s
      for p = 1, 390 do
        local same = true
        for t = 1, 10 do if ids[p + t - 1] ~= xs[b][t] or ids[p + t] ~= ys[b][t] then same = false break end end
        if same then s = p break end
      end
      T.ok(s ~= nil, "each row is a window of ids[1..400] and its next symbols")
    end
  end
  T.eq(n, 3, "nb batches an epoch")
  local again = M.train_loader(ids, 1, 400, 4, 10, 3, 1)
  local x2 = again:iter()()
  T.eq(x2:tolist()[1][1], first[1][1], "same seed, same first batch")
  local va = M.val_loader(ids, 401, 500, 4, 10)
  local rows = 0
  for x, y in va:iter() do rows = rows + x.shape[1]; T.eq(y.shape[2], 10) end
  T.eq(rows, 9, "validation: consecutive windows of 10 in 100 symbols (the last needs its next one)")
end)

T.test("the model: (B, T) ids give (B·T, V) logits; sampling draws from softmax(logits / temperature)", function()
  nabla.manual_seed(3)
  for _, cell in ipairs({ "GRU", "LSTM" }) do
    local m = M.model({ embed = 8, hidden = 16, cell = cell, layers = 1 }, 11)
    local x = nabla.tensor({ { 1, 2, 3, 4, 5 }, { 6, 7, 8, 9, 10 } })
    local out = m(x)
    T.eq(tostring(out.shape), "[10,11]", cell .. ": logits (B·T, V)")
    local loss = M.loss(out, x)
    T.ok(math.abs(loss:item() - math.log(11)) < 1.0, cell .. ": the first loss is near ln V")
    local s = M.sample(m, { 1, 2 }, 20, 1.0)
    T.eq(#s, 20, cell .. ": sample gives n ids")
    for _, id in ipairs(s) do T.ok(id >= 1 and id <= 11, "ids in the vocabulary") end
    -- temperature 0 is the most likely symbol at every step: the same twice
    T.eq(table.concat(M.sample(m, { 1 }, 10, 0), ","), table.concat(M.sample(m, { 1 }, 10, 0), ","), "greedy is deterministic")
  end
  -- draw: frequencies follow softmax(l / T); a low temperature sharpens them
  local l = nabla.tensor({ 0, math.log(2), math.log(7) })
  local count = { 0, 0, 0 }
  for _ = 1, 3000 do local d = M.draw(l, 1.0); count[d] = count[d] + 1 end
  T.ok(math.abs(count[3] / 3000 - 0.7) < 0.04 and math.abs(count[1] / 3000 - 0.1) < 0.03, "draw at temperature 1 follows the softmax")
  local cold = 0
  for _ = 1, 1000 do if M.draw(l, 0.25) == 3 then cold = cold + 1 end end
  T.ok(cold > 990, "temperature 0.25: (7/2)^4 ≈ 150× more likely than the next, almost always the top one")
  T.raises(function() M.model({ embed = 8, hidden = 16, cell = "RNNX", layers = 1 }, 5) end, "GRU or LSTM")
end)

T.test("a short run through nabla run: finite losses, perplexity falls below uniform, files and sample events", function()
  local got = {}
  local listener = events.on("sample", function(p) got[#got + 1] = p end)
  local dir = tmpdir .. "/short"
  local status, result = run.main({ path, "--epochs", "3", "--hidden", "48", "--batches", "12", "--seq", "32",
                                    "--sample_len", "40", "--lr", "0.01", "--run_dir", dir })
  events.off("sample", listener)
  T.eq(status, 0, "the run succeeds")
  local h = result.history
  T.eq(#h.loss, 3, "three epochs")
  for e = 1, 3 do
    T.ok(h.loss[e] == h.loss[e] and h.loss[e] < math.huge, "finite training loss")
    T.ok(h.val_loss[e] == h.val_loss[e] and h.val_loss[e] < math.huge, "finite validation loss")
  end
  T.ok(h.loss[3] < h.loss[1], ("the training loss falls: %.3f → %.3f"):format(h.loss[1], h.loss[3]))
  T.ok(h.val_loss[3] < h.val_loss[1], ("the validation loss falls: %.3f → %.3f"):format(h.val_loss[1], h.val_loss[3]))
  T.ok(tonumber(result.val_perplexity) < result.vocabulary / 3,
    ("perplexity %s, far below the uniform %d"):format(result.val_perplexity, result.vocabulary))
  local log = read_all(dir .. "/log.csv")
  T.ok(log and select(2, log:gsub("\n", "")) == 4, "log.csv: a header and 3 rows")
  T.ok((read_all(dir .. "/result.txt") or ""):find("val_perplexity", 1, true), "result.txt has the perplexity")
  local samples = read_all(dir .. "/samples.txt") or ""
  T.ok(samples:find("epoch 3: perplexity", 1, true) and samples:find("final, temperature 1.0", 1, true), "samples.txt per epoch and at the end")
  T.eq(#got, 3, "one sample event per epoch")
  for e, p in ipairs(got) do
    T.eq(p.kind, "text")
    T.eq(p.source, "char-rnn")
    T.eq(p.epoch, e)
    T.ok(type(p.text) == "string" and utf8.len(p.text) == 40, "the sample's text: sample_len characters")
    T.ok(type(p.title) == "string" and p.title:find("perplexity", 1, true), "a title with the perplexity")
  end
end)

T.test("the Korean text in jamo: a one-epoch run", function()
  local status, result = run.main({ path, "--lang", "ko", "--unit", "jamo", "--epochs", "1", "--hidden", "32",
                                    "--batches", "8", "--seq", "32", "--lr", "0.01", "--sample_len", "30", "--run_dir", tmpdir .. "/ko" })
  T.eq(status, 0, "the run succeeds")
  T.ok(tonumber(result.val_perplexity) < result.vocabulary / 2, ("perplexity %s after one epoch, well below uniform (%d)"):format(result.val_perplexity, result.vocabulary))
  T.ok(result.vocabulary < 300, "jamo: a vocabulary of a few hundred at most, not the syllables")
  local samples = read_all(tmpdir .. "/ko/samples.txt") or ""
  T.ok(utf8.len(samples) ~= nil, "the samples are valid UTF-8")
end)

T.test("wrong options are messages", function()
  local status = run.main({ path, "--cell", "RNN2", "--epochs", "1", "--batches", "1", "--run_dir", tmpdir .. "/bad" })
  T.eq(status, 1, "an unknown cell stops the run")
  status = run.main({ path, "--unit", "word", "--run_dir", tmpdir .. "/bad" })
  T.eq(status, 1, "an unknown unit stops the run")
  status = run.main({ path, "--text", tmpdir .. "/no-such-file", "--run_dir", tmpdir .. "/bad" })
  T.eq(status, 1, "a missing text file stops the run")
end)

os.execute("rm -rf '" .. tmpdir .. "'")
T.done()

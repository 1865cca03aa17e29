-- The CTC line model (lines.LineModel, lines.ctc_read): a short training run on lines of
-- the committed subset's training digits, whose CTC loss must fall, then the reader's
-- answer on a line of test digits: the contract of lua/nabla/lines.lua (text, one entry
-- per character with its char, confidence and box inside the image), and its errors.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local data, lines = nabla.data, require "nabla.lines"

nabla.manual_seed(3)
local model = lines.LineModel { c1 = 4, c2 = 8, c3 = 8, hidden = 16 }

T.test("a short training run: the CTC loss falls", function()
  local ds = data.mnist_lines { split = "train", small = true, n = 16 * 40, seed = 1, min_len = 1, max_len = 3 }
  local opt = nabla.optim.Adam(model:parameters(), { lr = 1e-2 })
  local losses = {}
  local t0 = os.clock()
  for step = 1, 40 do
    local ids = {}
    for k = 1, 16 do ids[k] = (step - 1) * 16 + k end
    local x, targets, tl, widths = ds:batch(ids, lines.STRIDE)
    local logp = model(x)
    T.eq(logp.shape, { x.shape[4] / 4, 16, 11 }, "log-probabilities (W/4, B, 11)")
    local il = {}
    for b = 1, 16 do il[b] = math.ceil(widths[b] / lines.STRIDE) end
    local loss = nabla.ctc_loss(logp, targets, il, tl)
    opt:zero_grad()
    loss:backward()
    opt:step()
    losses[step] = loss:item()
  end
  local function mean(a, b)
    local s = 0
    for i = a, b do s = s + losses[i] end
    return s / (b - a + 1)
  end
  local first, last = mean(1, 5), mean(36, 40)
  print(("       CTC loss %.3f -> %.3f in 40 steps (%.1f s)"):format(first, last, os.clock() - t0))
  T.ok(last < 0.6 * first, ("the loss falls: %.3f -> %.3f"):format(first, last))
end)

T.test("ctc_read answers the readers' contract on a test line", function()
  local l = data.mnist_lines { split = "test", small = true, n = 1, seed = 4, min_len = 3, max_len = 3 }:line(1)
  local r = lines.ctc_read(model, l.image)
  T.ok(type(r.text) == "string" and r.text:match("^%d*$"), "text is digits")
  T.eq(#r.characters, #r.text, "one entry per character")
  local H, W = l.image.shape[1], l.image.shape[2]
  for k, c in ipairs(r.characters) do
    T.eq(c.char, r.text:sub(k, k), "char")
    T.ok(c.confidence >= 0 and c.confidence <= 1, "confidence in [0, 1]")
    local b = c.box
    T.ok(b[1] >= 0 and b[2] >= 0 and b[3] <= W and b[4] <= H and b[1] < b[3] and b[2] < b[4], "box inside the image")
    if k > 1 then T.ok(b[1] >= r.characters[k - 1].box[1], "boxes left to right") end
  end
  local beam = lines.ctc_read(model, l.image, { decode = "beam" })
  T.ok(type(beam.text) == "string", "beam decoding reads too")
  -- another height is scaled to the model's
  local tall = nabla.zeros(56, 2 * W)
  nabla._C._paste_max(tall, l.image, 0, 0, 2)
  T.eq(lines.ctc_read(model, tall).text, lines.ctc_read(model, l.image).text, "a line twice the size reads the same")
  T.raises(function() lines.ctc_read(model, "img") end, "lines.ctc_read: img must be a tensor (H, W)")
  T.raises(function() lines.ctc_read(model, nabla.zeros(2, 3, 4)) end, "lines.ctc_read: img must be a tensor (H, W)")
  local cnn = nabla.nn.Sequential { nabla.nn.Conv2d(1, 4, 3, { padding = 1 }) }
  T.raises(function() lines.ctc_read(cnn, l.image) end, "lines.ctc_read: the model must give log-probabilities (T, 1, classes)")
end)

T.done()

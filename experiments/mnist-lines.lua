-- Reading a line of handwritten digits (issue 20): two readers compared on lines built
-- from MNIST's *test* digits, touching and not touching.
--
--   segment: cut the line into digits (lines.segment_read: connected components, column
--            projection), classify each with an MNIST CNN trained here
--   ctc:     the line model (lines.LineModel: convolutions -> one vector per 2 columns ->
--            bidirectional GRU -> 11 classes per step), trained with CTC on the text alone,
--            decoded greedily and by beam search
--
-- Training lines and the CNN use the training digits minus a validation part; the
-- validation lines (from that part) choose the best epoch of the line model; the test
-- lines (test digits, never seen) are used once, for the final table. Each epoch draws
-- fresh training lines (another seed), sorted by width into batches so that little is
-- padding. The reports: character error rate (edit distance / characters) and exact-line
-- accuracy.
--
--   nabla run experiments/mnist-lines.lua
--   nabla run experiments/mnist-lines.lua --epochs 2 --lines_per_epoch 4000 --test_lines 200
--   nabla serve runs/mnist-lines-.../best.safetensors      -- POST /read with the line model
local nabla = require "nabla"
local nn, optim, data = nabla.nn, nabla.optim, nabla.data

-- the MNIST classifier of the segmentation baseline: conv 16 - pool - conv 32 - pool - fc 128
local function digit_cnn()
  return nn.Sequential {
    nn.Conv2d(1, 16, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10) }
end

local function lines_module() return require "nabla.lines" end

-- the line model's outputs for a batch of lines -> for each line its decoded text
local function ctc_texts(model, ls, ds, decode, beam)
  local L = lines_module()
  local x, _, _, widths = ds:collate(ls, model.stride)
  local logp = nabla.no_grad(function() return model(x) end)   -- (T, B, 11)
  local out = {}
  for b = 1, #ls do
    local steps = math.ceil(widths[b] / model.stride)
    local rows = logp:select(2, b):narrow(1, 1, steps)
    if decode == "beam" then out[b] = L.beam_decode(rows, { beam = beam })
    else out[b] = L.greedy_decode(rows) end
  end
  return out
end

-- character error rate and exact-line accuracy of a reader over n lines of ds
-- reader: "segment" (with the classifier), "greedy" or "beam" (with the line model)
local function score(ds, n, reader, model, classifier, beam)
  local L = lines_module()
  local errors, chars, exact = 0, 0, 0
  local chunk = 4         -- lines per forward pass (16 lines of 400 columns: ~60 MiB of activations)
  for first = 1, n, chunk do
    local ls = {}
    for i = first, math.min(n, first + chunk - 1) do ls[#ls + 1] = ds:line(i) end
    local texts
    if reader == "segment" then
      texts = {}
      for k, l in ipairs(ls) do texts[k] = L.segment_read(classifier, l.image).text end
    else
      texts = ctc_texts(model, ls, ds, reader, beam)
    end
    for k, l in ipairs(ls) do
      errors = errors + L.edit_distance(l.text, texts[k])
      chars = chars + #l.text
      if texts[k] == l.text then exact = exact + 1 end
    end
    collectgarbage()   -- this chunk's activations, before the next chunk makes its own
  end
  return errors / chars, exact / n
end

local function pct(v) return ("%.2f%%"):format(100 * v) end

return {
  name = "mnist-lines",
  reads = "lines",        -- nabla serve: a checkpoint of this experiment answers POST /read
  config = {
    epochs = 8,
    lines_per_epoch = 6000,
    batch = 32,
    micro = 8,            -- lines per forward/backward pass (memory; the gradient is the batch's)
    lr = 3e-3,            -- Adam, one-cycle schedule over all steps
    hidden = 64,
    c1 = 16, c2 = 32, c3 = 32,
    stride = 2,           -- columns per step: 2 leaves narrow digits ("11") room for "1-1"
    touching = 0.5,       -- training lines: probability that two neighbours touch
    min_len = 1, max_len = 12,
    val_digits = 5000,    -- training digits kept for validation lines (and the CNN's validation)
    val_lines = 300,
    test_lines = 500,    -- per condition (touching, separate), from the test digits
    beam = 8,
    cnn_epochs = 2,
    classifier = "",      -- a checkpoint of the baseline's CNN to load instead of training one
    init = "",            -- a checkpoint of the line model to start from (to train it further)
    seed = 1,
  },
  model = function(cfg)
    return require("nabla.lines").LineModel { hidden = cfg.hidden, c1 = cfg.c1, c2 = cfg.c2, c3 = cfg.c3,
                                              stride = cfg.stride }
  end,
  run = function(cfg, exp)
    local L = lines_module()
    local checkpoint = require "nabla.checkpoint"
    local run = require "nabla.run"
    local t_start = nabla.clock()
    local train_digits = data.mnist { split = "train", full = true }
    local test_digits = data.mnist { split = "test", full = true }
    local fit_part, val_part = data.split(train_digits, { #train_digits - cfg.val_digits, cfg.val_digits }, { seed = cfg.seed })
    fit_part.name, val_part.name = "MNIST train minus validation", "MNIST train: validation part"

    -- 1. the baseline's digit classifier
    local cnn = digit_cnn()
    local t0 = nabla.clock()
    if cfg.classifier ~= "" then
      cnn:load_state_dict(checkpoint.load(cfg.classifier))
      print("classifier loaded from " .. cfg.classifier)
    else
      local opt = optim.Adam(cnn:parameters(), { lr = 2e-3 })
      nabla.fit(cnn, data.loader(fit_part, { batch = 64, shuffle = true, seed = cfg.seed }), {
        epochs = cfg.cnn_epochs, optimizer = opt, val = val_part,
        scheduler = optim.lr_scheduler.CosineAnnealingLR(opt, { T_max = cfg.cnn_epochs }),
      })
      checkpoint.save(cfg.run_dir .. "/cnn.safetensors", cnn)
    end
    cnn:eval()
    local cnn_val = nabla.evaluate(cnn, val_part).accuracy
    local cnn_seconds = nabla.clock() - t0
    print(("baseline CNN: %.2f%% on the validation digits (%.0f s)"):format(100 * cnn_val, cnn_seconds))

    -- 2. the line model, trained with CTC
    local model = exp.model(cfg)
    if cfg.init ~= "" then
      model:load_state_dict(checkpoint.load(cfg.init))
      print("line model initialised from " .. cfg.init)
    end
    print(model)
    local opt = optim.Adam(model:parameters(), { lr = cfg.lr })
    local steps_per_epoch = math.ceil(cfg.lines_per_epoch / cfg.batch)
    local sched = optim.lr_scheduler.OneCycleLR(opt, { max_lr = cfg.lr, total_steps = cfg.epochs * steps_per_epoch })
    local val = data.mnist_lines { digits = val_part, n = cfg.val_lines, seed = cfg.seed + 7, touching = cfg.touching,
                                   min_len = cfg.min_len, max_len = cfg.max_len }
    local log = io.open(cfg.run_dir .. "/log.csv", "w")
    log:write("epoch,loss,val_cer,val_line_accuracy,seconds\n")
    local best_cer, best_epoch = math.huge, 0
    local meta = { experiment = run.current and run.current.path or "experiments/mnist-lines.lua",
                   name = "mnist-lines", config = checkpoint.json.encode(cfg) }
    local t_lines = nabla.clock()
    for epoch = 1, cfg.epochs do
      local te = nabla.clock()
      model:train()
      local ds = data.mnist_lines { digits = fit_part, n = cfg.lines_per_epoch, seed = cfg.seed * 1000 + epoch,
                                    touching = cfg.touching, min_len = cfg.min_len, max_len = cfg.max_len }
      local sum, count = 0, 0
      local group = cfg.batch * 16
      for first = 1, ds.n, group do
        -- 16 batches' lines, sorted by width: a batch pads to its widest line only
        local ls = {}
        for i = first, math.min(ds.n, first + group - 1) do ls[#ls + 1] = ds:line(i) end
        table.sort(ls, function(a, b) return a.image.shape[2] < b.image.shape[2] end)
        local batches = {}
        for b = 1, #ls, cfg.batch do batches[#batches + 1] = { table.unpack(ls, b, math.min(#ls, b + cfg.batch - 1)) } end
        for _, k in ipairs(nabla._C._permutation(#batches, cfg.seed * 7919 + first)) do
          local x, targets, tl, widths = ds:collate(batches[k], model.stride)
          -- the batch's gradient, `micro` lines at a time (memory: a batch of 32 wide lines
          -- made ~100 MiB of activations). The model has no batch norm and the lines keep
          -- the batch's padding (the backward GRU reads it), so the sum of the parts'
          -- gradients, each loss weighted by its share of the batch, is the batch's.
          local B, batch_loss = x.shape[1], 0
          opt:zero_grad()
          for s = 1, B, cfg.micro do
            local m = math.min(cfg.micro, B - s + 1)
            local il, tls = {}, {}
            for b = 1, m do il[b], tls[b] = math.ceil(widths[s + b - 1] / model.stride), tl[s + b - 1] end
            local loss = nabla.ctc_loss(model(x:narrow(1, s, m)), targets:narrow(1, s, m), il, tls,
                                        { zero_infinity = true }) * (m / B)
            loss:backward()
            batch_loss = batch_loss + loss:item()
            loss = nil
            collectgarbage()   -- this part's activations, before the next part makes its own
          end
          nn.utils.clip_grad_norm_(model:parameters(), 5)
          opt:step()
          sched:step()
          sum, count = sum + batch_loss, count + 1
          if count % 50 == 0 then
            io.write(("  epoch %d  step %d/%d  loss %.4f  (%.0f s)\n"):format(epoch, count, steps_per_epoch,
              sum / count, nabla.clock() - te))
            io.flush()
          end
        end
      end
      model:eval()
      local cer, acc = score(val, cfg.val_lines, "greedy", model)
      local secs = nabla.clock() - te
      print(("epoch %d: loss %.4f, validation CER %s, line accuracy %s (%.0f s)"):format(epoch, sum / count, pct(cer), pct(acc), secs))
      log:write(("%d,%.5f,%.5f,%.5f,%.1f\n"):format(epoch, sum / count, cer, acc, secs))
      log:flush()
      checkpoint.save(cfg.run_dir .. "/last.safetensors", model, { metadata = meta })
      if cer < best_cer then
        best_cer, best_epoch = cer, epoch
        checkpoint.save(cfg.run_dir .. "/best.safetensors", model, { metadata = meta })
      end
    end
    log:close()
    local line_seconds = nabla.clock() - t_lines
    -- the epoch with the best validation CER
    model:load_state_dict(checkpoint.load(cfg.run_dir .. "/best.safetensors"))
    model:eval()

    -- 3. the final table, on lines from the test digits
    local result = { best_epoch = best_epoch, val_cer = pct(best_cer), cnn_val_accuracy = cnn_val,
                     cnn_seconds = ("%.0f"):format(cnn_seconds), line_model_seconds = ("%.0f"):format(line_seconds) }
    local rows = { "| test lines (from test digits) | reader | CER | exact lines |", "|---|---|---|---|" }
    for _, cond in ipairs { { "touching", true }, { "separate", false } } do
      local test = data.mnist_lines { digits = test_digits, n = cfg.test_lines, seed = cfg.seed + 99, touching = cond[2],
                                      min_len = cfg.min_len, max_len = cfg.max_len }
      for _, reader in ipairs { "segment", "greedy", "beam" } do
        local t1 = nabla.clock()
        local cer, acc = score(test, cfg.test_lines, reader, model, cnn, cfg.beam)
        local name = reader == "segment" and "segment + CNN" or ("CTC line model, %s"):format(reader == "beam" and ("beam " .. cfg.beam) or "greedy")
        rows[#rows + 1] = ("| %s, %d lines of %d-%d digits | %s | %s | %s |"):format(cond[1], cfg.test_lines, cfg.min_len, cfg.max_len, name, pct(cer), pct(acc))
        result[("%s_%s_cer"):format(reader, cond[1])] = pct(cer)
        result[("%s_%s_line_accuracy"):format(reader, cond[1])] = pct(acc)
        print(rows[#rows] .. ("  (%.0f s)"):format(nabla.clock() - t1))
      end
    end
    local tbl = table.concat(rows, "\n")
    local f = io.open(cfg.run_dir .. "/table.md", "w")
    f:write(tbl, "\n")
    f:close()
    print(tbl)
    -- one line read both ways, with its boxes
    local sample = data.mnist_lines { digits = test_digits, n = 1, seed = cfg.seed + 5, touching = true, min_len = 8, max_len = 8 }:line(1)
    local r = L.ctc_read(model, sample.image)
    print(("a touching test line \"%s\": ctc_read \"%s\", segment_read \"%s\""):format(sample.text, r.text,
      L.segment_read(cnn, sample.image).text))
    result.total_seconds = ("%.0f"):format(nabla.clock() - t_start)
    return result
  end,
}

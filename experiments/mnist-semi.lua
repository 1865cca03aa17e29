-- Semi-supervised MNIST: only 100 training images keep their labels (10 of each digit);
-- the other 54,900 (of the 55,000 left after holding out 5,000 for validation) are used
-- without labels. Four methods, one after the other, each starting from the one before:
--
-- 1. baseline: train on the 100 labelled images alone (with small shifts and rotations).
-- 2. pseudo-labelling (Lee 2013): the model labels the unlabelled images itself; the ones
--    it is most sure of (the same number for each class) join the training set as if
--    labelled; retrain and repeat, taking more each round.
-- 3. FixMatch-style consistency (Sohn et al. 2020): each step, the model looks at a weakly
--    augmented unlabelled image (a small shift); where it is confident (softmax ≥
--    threshold), its answer becomes the target for a strongly augmented version of the same
--    image (rotation, shear, elastic distortion, cutout, noise), trained with cross-entropy
--    beside the labelled loss. The network must give the same answer to both views. The
--    model kept is the moving average of its weights.
-- 4. self-training with noisy students (Xie et al. 2020): the FixMatch model labels all the
--    unlabelled images; a new, larger network with batch norm (mnist-augment's) learns from
--    those labels under noise (augmentation, elastic distortion, dropout) for two epochs and
--    becomes the teacher of the next round. Two epochs cost far less than FixMatch steps.
-- --fixmatch_from baseline starts method 3 from the baseline instead; --st_rounds 0 stops
-- after it. The unlabelled images' true labels are read only to report how accurate the
-- pseudo-labels were. Nothing is chosen on the test set: the schedules are fixed, and each
-- method's test accuracy is measured once, at its end.
--
--   nabla run experiments/mnist-semi.lua     -- measured: see experiments/README.md
--   nabla run experiments/mnist-semi.lua --fixmatch_steps 2000 --st_rounds 1   -- about 5 min
local nabla = require "nabla"
local nn, optim, data, aug = nabla.nn, nabla.optim, nabla.data, nabla.aug
local F = nn.functional

local function cnn(c)
  return nn.Sequential{
    nn.Conv2d(1, c, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(c, 2 * c, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(2 * c * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10),
  }
end

-- `per_class` positions of each class in train, drawn with the seed; and all the others
local function choose_labelled(train, per_class, seed)
  local labels = train.labels:tolist()
  local order = nabla._C._permutation(#labels, seed)
  local count, labelled, unlabelled = {}, {}, {}
  for _, r in ipairs(order) do
    local c = labels[r]
    if (count[c] or 0) < per_class then
      count[c] = (count[c] or 0) + 1
      labelled[#labelled + 1] = r
    else
      unlabelled[#unlabelled + 1] = r
    end
  end
  table.sort(labelled)
  table.sort(unlabelled)
  return labelled, unlabelled, labels
end

-- an endless stream of batches: a new epoch of the loader whenever one ends
local function forever(loader)
  local it = loader:iter()
  return function()
    local x, y = it()
    if x == nil then
      it = loader:iter()
      x, y = it()
    end
    return x, y
  end
end

-- confidence (max softmax) and predicted class of every image of ds
local function predict(model, ds)
  model:eval()
  local conf, pred = {}, {}
  nabla.no_grad(function()
    for x in data.loader(ds, { batch = 100 }):iter() do   -- 1000 at a time: +75 MiB of activations
      local p, k = model(x):softmax(2):max(2)
      for _, v in ipairs(p:tolist()) do conf[#conf + 1] = v end
      for _, v in ipairs(k:tolist()) do pred[#pred + 1] = math.floor(v) end
      collectgarbage()   -- this batch's activations (the batch-norm student's: ~30 MB), now
    end
  end)
  model:train()
  collectgarbage()   -- the activations of 55,000 predictions: freed now, not when the collector gets to them
  return conf, pred
end

local function accuracy(model, test) return nabla.evaluate(model, test).accuracy end

-- a dataset over the same image bytes as train (#train.x images: train may be a subset of
-- them), of the images `rows` of train with the labels y
local function with_labels(train, rows, y)
  local full_y, storage = {}, {}
  for i = 1, #train.x do full_y[i] = 0 end
  for i, r in ipairs(rows) do
    storage[i] = train.index and train.index[r] or r
    full_y[storage[i]] = y[i]
  end
  return data.dataset(train.x, nabla.tensor(full_y), { sample_shape = { 1, 28, 28 } }):subset(storage)
end

-- the student of self-training: experiments/mnist-augment.lua's network (batch norm after
-- every convolution, dropout before the classifier)
local function conv_bn(cin, cout)
  return nn.Sequential{ nn.Conv2d(cin, cout, 3, { padding = 1, bias = false }), nn.BatchNorm2d(cout), nn.ReLU() }
end
local function bn_cnn(c, dropout)
  return nn.Sequential{
    conv_bn(1, c), conv_bn(c, c), nn.MaxPool2d(2),
    conv_bn(c, 2 * c), conv_bn(2 * c, 2 * c), nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(2 * c * 7 * 7, 256, { bias = false }), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(dropout),
    nn.Linear(256, 10),
  }
end

return {
  name = "mnist-semi",
  config = {
    per_class = 10,           -- labelled images of each digit
    channels = 24,
    lr = 1e-3,
    batch = 32,               -- labelled images per step
    baseline_steps = 400,
    pl_rounds = 3,            -- pseudo-labelling rounds, taking 300, 1000, 3000 ... per class
    pl_per_class = 300,       -- pseudo-labels per class in round 1 (x ~3.3 each round)
    pl_epochs = 2,            -- epochs over (labelled + pseudo-labelled) per round
    fixmatch_steps = 6000,
    fixmatch_from = "pseudo",  -- start consistency training from "pseudo" (method 2) or "baseline"
    mu = 4,                   -- unlabelled images per labelled image in a step
    threshold = 0.95,         -- confidence needed to use a pseudo-label
    lambda_u = 1.0,           -- weight of the unlabelled loss
    ema = 0.999,              -- decay of the weights' moving average (the model reported)
    chunk = 64,               -- strong views per forward/backward pass (memory; the gradient is the same)
    st_rounds = 2,            -- self-training rounds (0: stop after FixMatch)
    st_epochs = 2,            -- epochs of each student
    st_keep = 1.0,            -- share of each predicted class a student learns from (most confident first)
    st_repeat = 10,           -- times the 100 labelled images appear in a student's epoch
    st_elastic = 0.5,         -- share of a student's images elastically distorted
    st_channels = 16,
    st_batch = 32,            -- a student's batch (64 took the peak memory to 159 MiB)
    st_dropout = 0.3,
    st_lr = 2e-3,             -- the students' peak learning rate (one cycle)
    seed = 1,
    val = 5000,               -- training images held out for the progress lines (never trained on)
    split_seed = 1,
  },
  run = function(cfg)
    if cfg.resume then
      error("mnist-semi: --resume is not supported: this experiment trains several models from scratch, one after the other", 0)
    end
    if cfg.fixmatch_from ~= "baseline" and cfg.fixmatch_from ~= "pseudo" then
      error("mnist-semi: --fixmatch_from must be baseline or pseudo, got " .. cfg.fixmatch_from, 0)
    end
    -- the labelled and unlabelled images come from the 55,000 left after holding out a
    -- validation split; the progress lines report on that split, and the test set is
    -- evaluated once per method, at its end (nothing is chosen on it)
    local run = require "nabla.run"
    local train, val, test = run.mnist_sets(cfg)
    local L_rows, U_rows, all_labels = choose_labelled(train, cfg.per_class, cfg.seed)
    local labelled, unlabelled = train:subset(L_rows, "labelled"), train:subset(U_rows, "unlabelled")
    print(("%d labelled, %d unlabelled images"):format(#labelled, #unlabelled))
    local results = {}

    local weak = aug.affine{ rotate = 5, shift = 0.1, p = 1 }
    local strong = aug.compose{
      aug.affine{ rotate = 20, shift = 0.15, scale = { 0.85, 1.15 }, shear = 10, p = 1 },
      aug.elastic{ alpha = 34, sigma = 4, p = 0.5 },
      aug.cutout{ holes = 1, size = 8, p = 0.5 },
      aug.brightness_contrast{ brightness = 0.2, contrast = 0.3, p = 0.5 },
      aug.noise{ std = 0.1, p = 0.3 },
    }
    local ce = nn.CrossEntropyLoss()

    -- 1. baseline ----------------------------------------------------------------------------
    local t0 = nabla.clock()
    local model = cnn(cfg.channels)
    local opt = optim.Adam(model:parameters(), { lr = cfg.lr })
    local lab = forever(data.loader(labelled, { batch = cfg.batch, shuffle = true, seed = cfg.seed, augment = weak }))
    for _ = 1, cfg.baseline_steps do
      local x, y = lab()
      local loss = ce(model(x), y)
      opt:zero_grad(); loss:backward(); opt:step()
    end
    results.baseline_accuracy = accuracy(model, test)
    local baseline_state = {}
    for k, t in pairs(model:state_dict()) do baseline_state[k] = t:clone() end
    print(("baseline on %d labels: test accuracy %.2f%%  (%.0f s)"):format(#labelled,
      100 * results.baseline_accuracy, nabla.clock() - t0))

    -- 2. pseudo-labelling --------------------------------------------------------------------
    t0 = nabla.clock()
    local take = cfg.pl_per_class
    for round = 1, cfg.pl_rounds do
      local conf, pred = predict(model, unlabelled)
      -- the `take` most confident images predicted as each class
      local by_class = {}
      for i = 1, #pred do
        local c = pred[i]
        by_class[c] = by_class[c] or {}
        table.insert(by_class[c], i)
      end
      local rows, y, right = {}, {}, 0
      for i, r in ipairs(L_rows) do rows[i], y[i] = r, all_labels[r] end
      for c = 1, 10 do
        local list = by_class[c] or {}
        table.sort(list, function(a, b) return conf[a] > conf[b] end)
        for k = 1, math.min(take, #list) do
          local r = U_rows[list[k]]
          rows[#rows + 1], y[#y + 1] = r, c
          if all_labels[r] == c then right = right + 1 end      -- for the report only
        end
      end
      local pseudo = with_labels(train, rows, y)
      nabla.fit(model, data.loader(pseudo, { batch = 64, shuffle = true, seed = cfg.seed + round, augment = weak }),
        { epochs = cfg.pl_epochs, optimizer = opt, quiet = true })
      local acc = accuracy(model, val)
      print(("pseudo-labelling round %d: %d pseudo-labels (%.2f%% right), validation accuracy %.2f%%  (%.0f s)"):format(
        round, #rows - #L_rows, 100 * right / math.max(1, #rows - #L_rows), 100 * acc, nabla.clock() - t0))
      take = math.floor(take * 10 / 3 + 0.5)
    end
    results.pseudo_label_accuracy = accuracy(model, test)
    local pseudo_state = {}
    for k, t in pairs(model:state_dict()) do pseudo_state[k] = t:clone() end

    -- 3. FixMatch-style consistency ----------------------------------------------------------
    t0 = nabla.clock()
    model = cnn(cfg.channels)
    model:load_state_dict(cfg.fixmatch_from == "baseline" and baseline_state or pseudo_state)
    opt = optim.Adam(model:parameters(), { lr = cfg.lr })
    local sched = optim.lr_scheduler.CosineAnnealingLR(opt, { T_max = cfg.fixmatch_steps })
    -- As FixMatch does, the model reported is the exponential moving average of the weights
    -- (ema ← d·ema + (1 − d)·w after each step): it smooths out the step-to-step noise.
    local ema = cnn(cfg.channels)
    ema:load_state_dict(model:state_dict())
    local ema_sd, live_sd = ema:state_dict(), model:state_dict()
    lab = forever(data.loader(labelled, { batch = cfg.batch, shuffle = true, seed = cfg.seed, augment = weak }))
    local unl = forever(data.loader(unlabelled, { batch = cfg.mu * cfg.batch, shuffle = true, seed = cfg.seed + 7 }))
    local used, seen = 0, 0
    for step = 1, cfg.fixmatch_steps do
      local xl, yl = lab()
      local xu = unl()
      -- pseudo-labels from the weak view (no gradient flows through them)
      local conf, guess = nabla.no_grad(function() return model(weak(xu)):softmax(2):max(2) end)
      collectgarbage()   -- the weak pass's activations
      local mask, kept = {}, 0
      for i, c in ipairs(conf:tolist()) do
        mask[i] = c >= cfg.threshold and 1 or 0
        kept = kept + mask[i]
      end
      -- The gradient of (labelled loss + λ·unlabelled loss), accumulated part by part: the
      -- labelled batch, then the strong views `chunk` at a time (this network has no batch
      -- norm, so the sum is the same as one pass over all), so that only one part's
      -- activations are alive at a time (all 128 at once peaked at 157 MiB). Every image
      -- gets its strong view and its loss, the unconfident ones weighted 0 (the same
      -- gradient as leaving them out): every step then allocates the same sizes, which the
      -- allocator's cache reuses (a varying number of views made each step's sizes new:
      -- peak 154 MiB)
      opt:zero_grad()
      local loss_l = ce(model(xl), yl)
      loss_l:backward()
      local loss = loss_l:item()
      loss_l = nil
      if kept > 0 then
        local n = xu.shape[1]
        local xs, w = strong(xu), nabla.tensor(mask)
        -- mean over all μB unlabelled images, the unconfident ones counting 0
        for s = 1, n, cfg.chunk do
          local len = math.min(cfg.chunk, n - s + 1)
          local per = F.cross_entropy(model(xs:narrow(1, s, len)), guess:narrow(1, s, len), { reduction = "none" })
          local lu = (per * w:narrow(1, s, len)):sum() * (cfg.lambda_u / n)
          lu:backward()
          loss = loss + lu:item()
          lu, per = nil, nil
          collectgarbage()   -- this part's activations, before the next part makes its own
        end
      end
      opt:step(); sched:step()
      nabla.no_grad(function()
        for k, t in pairs(ema_sd) do t:mul_(cfg.ema):add_(live_sd[k] * (1 - cfg.ema)) end
      end)
      used, seen = used + kept, seen + xu.shape[1]
      if step % 500 == 0 or step == cfg.fixmatch_steps then
        print(("fixmatch step %d/%d: loss %.4f, %.1f%% of unlabelled images above the threshold, validation accuracy %.2f%% (moving average %.2f%%)  (%.0f s)")
          :format(step, cfg.fixmatch_steps, loss, 100 * used / seen, 100 * accuracy(model, val),
                  100 * accuracy(ema, val), nabla.clock() - t0))
        used, seen = 0, 0
      end
    end
    results.fixmatch_accuracy = accuracy(ema, test)
    results.fixmatch_last_weights_accuracy = accuracy(model, test)
    results.fixmatch_val_accuracy = accuracy(ema, val)
    ema:save(cfg.run_dir .. "/fixmatch-ema.safetensors")

    -- 4. self-training (Noisy Student, Xie et al. 2020) --------------------------------------
    -- The teacher (first the FixMatch moving average) labels every unlabelled image; a new
    -- student, the batch-norm network of mnist-augment, learns from the 100 labelled images
    -- (repeated) and the teacher's most confident labels (the top st_keep of each predicted
    -- class), with noise the teacher did not have: random affine transforms, elastic
    -- distortion and dropout. A noisy student cannot just copy the teacher's slips, so it
    -- ends up better, and becomes the next round's teacher. One round costs two epochs.
    -- (Memory: FixMatch's activations are free but their pages are still the process's;
    -- they go back to the system here, so that the students do not start on top of them.)
    collectgarbage()
    nabla._C._trim_heap()
    t0 = nabla.clock()
    local teacher = ema
    local noisy = aug.compose{
      aug.affine{ rotate = 10, shift = 0.1, scale = 0.1, shear = 10, p = 0.9 },
      aug.elastic{ alpha = 34, sigma = 4, p = cfg.st_elastic },
    }
    for round = 1, cfg.st_rounds do
      local conf, pred = predict(teacher, unlabelled)
      local by_class = {}
      for i = 1, #pred do
        local c = pred[i]
        by_class[c] = by_class[c] or {}
        table.insert(by_class[c], i)
      end
      local rows, y, right = {}, {}, 0
      for _ = 1, cfg.st_repeat do
        for _, r in ipairs(L_rows) do rows[#rows + 1], y[#y + 1] = r, all_labels[r] end
      end
      local n0 = #rows
      for c = 1, 10 do
        local list = by_class[c] or {}
        table.sort(list, function(a, b) return conf[a] > conf[b] end)
        for k = 1, math.floor(#list * cfg.st_keep + 0.5) do
          local r = U_rows[list[k]]
          rows[#rows + 1], y[#y + 1] = r, c
          if all_labels[r] == c then right = right + 1 end      -- for the report only
        end
      end
      local student = bn_cnn(cfg.st_channels, cfg.st_dropout)
      local loader = data.loader(with_labels(train, rows, y),
        { batch = cfg.st_batch, shuffle = true, seed = cfg.seed + 100 * round, augment = noisy })
      local sopt = optim.Adam(student:parameters(), { lr = cfg.st_lr })
      local ssched = optim.lr_scheduler.OneCycleLR(sopt, {
        max_lr = cfg.st_lr, epochs = cfg.st_epochs, steps_per_epoch = loader:num_batches() })
      -- what nabla.fit does, with the activations of each step freed at once
      student:train()
      for _ = 1, cfg.st_epochs do
        for x, yb in loader:iter() do
          local loss = ce(student(x), yb)
          sopt:zero_grad(); loss:backward(); sopt:step(); ssched:step()
          loss = nil
          collectgarbage()
        end
      end
      print(("self-training round %d: %d pseudo-labels (%.2f%% right), student's validation accuracy %.2f%%  (%.0f s)"):format(
        round, #rows - n0, 100 * right / math.max(1, #rows - n0), 100 * accuracy(student, val), nabla.clock() - t0))
      teacher = student
      collectgarbage()
      nabla._C._trim_heap()
    end
    local final = teacher
    if cfg.st_rounds > 0 then
      results.self_training_accuracy = accuracy(final, test)
      final:save(cfg.run_dir .. "/student.safetensors")
    end
    results.test_accuracy = results.self_training_accuracy or results.fixmatch_accuracy
    results.labelled_images = #labelled
    results.val_accuracy = accuracy(final, val)
    results.selected_on = "nothing: fixed schedules, the last student (FixMatch: the last moving-average weights); "
      .. run.selection .. " (only printed)"

    print(("\n| method (%d labels) | test accuracy |\n|---|---|"):format(#labelled))
    print(("| baseline, labelled images only | %.2f%% |"):format(100 * results.baseline_accuracy))
    print(("| pseudo-labelling, %d rounds | %.2f%% |"):format(cfg.pl_rounds, 100 * results.pseudo_label_accuracy))
    print(("| FixMatch-style consistency, %d steps from the %s model | %.2f%% |"):format(cfg.fixmatch_steps,
      cfg.fixmatch_from == "baseline" and "baseline" or "pseudo-labelling", 100 * results.fixmatch_accuracy))
    if results.self_training_accuracy then
      print(("| self-training, %d rounds of %d epochs from the FixMatch model | %.2f%% |"):format(
        cfg.st_rounds, cfg.st_epochs, 100 * results.self_training_accuracy))
    end
    return results
  end,
}

-- A GAN that learns to draw digits. Two networks play against each other: the generator G
-- turns random noise z into an image, the discriminator D says how real an image looks
-- (a logit). D learns to tell MNIST digits from G's; G learns to make D say "real".
-- Non-saturating losses (Goodfellow et al. 2014, the form everyone trains with):
--   D: BCE(D(x), 1) + BCE(D(G(z)), 0)        G: BCE(D(G(z)), 1) = −log σ(D(G(z)))
-- (the original minimax G loss, log(1 − σ(D(G(z)))), has almost no gradient while D easily
-- rejects G's first scribbles: the loss saturates exactly when G most needs to learn).
--
-- 1. mlp       G: z(64) -> 256 -> 512 -> 784 (tanh);  D: 784 -> 512 -> 256 -> 1 (LeakyReLU 0.2)
-- 2. dcgan     G: z -> 2c·7·7 (c = --channels) -> ConvTranspose2d 7 -> 14 -> 28, batch norm, ReLU, tanh;
--              D: stride-2 convolutions 28 -> 14 -> 7, LeakyReLU, a linear layer (Radford et al.)
-- 3. collapse  mode collapse, on purpose: the trained mlp G keeps training against a frozen
--              D. With nothing pushing back, G moves all its samples to whatever the frozen
--              D likes best: the class spread falls, the sheet fills with one or two digits.
--
-- After each epoch: a sheet of 64 samples from the same fixed noise (SVG in the run dir,
-- and live on the classroom dashboard with --serve), and a score computed by nabla's own
-- MNIST CNN (experiments/mnist-cnn.lua's network, trained here first for --classifier_epochs):
-- on 1000 samples, its mean confidence (max softmax: do the samples look like digits?),
-- the spread over the ten classes (entropy of the predicted classes, as "effective classes"
-- 2^H out of 10: does G draw every digit?), and exp(E KL(p(y|x) || p(y))), the Inception
-- Score with the CNN in Inception's place (1 to 10).
--
--   nabla run experiments/mnist-gan.lua
--   nabla run experiments/mnist-gan.lua --models dcgan --epochs_dcgan 10
--   nabla run experiments/mnist-gan.lua --small true --epochs 1 ... (2,000 digits: a test)
local nabla = require "nabla"
local nn, optim, data = nabla.nn, nabla.optim, nabla.data
local F = nn.functional
local samples = require "nabla.samples"
local events = require "nabla.events"

local HERE = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./")

-- ---- the networks ----------------------------------------------------------------------------

local function mlp_gan(z)
  local G = nn.Sequential{ nn.Linear(z, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
                           nn.Linear(512, 784), nn.Tanh(), nn.Unflatten(2, { 1, 28, 28 }) }
  local D = nn.Sequential{ nn.Flatten(), nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256),
                           nn.LeakyReLU(0.2), nn.Linear(256, 1) }
  return G, D
end

local function dcgan(z, c)
  local G = nn.Sequential{
    nn.Linear(z, 2 * c * 49), nn.Unflatten(2, { 2 * c, 7, 7 }), nn.BatchNorm2d(2 * c), nn.ReLU(),
    nn.ConvTranspose2d(2 * c, c, 4, 2, 1), nn.BatchNorm2d(c), nn.ReLU(),   -- 7 -> 14
    nn.ConvTranspose2d(c, 1, 4, 2, 1), nn.Tanh() }                          -- 14 -> 28
  local D = nn.Sequential{
    nn.Conv2d(1, c, 4, { stride = 2, padding = 1 }), nn.LeakyReLU(0.2),    -- 28 -> 14
    nn.Conv2d(c, 2 * c, 4, { stride = 2, padding = 1 }), nn.BatchNorm2d(2 * c), nn.LeakyReLU(0.2), -- 14 -> 7
    nn.Flatten(), nn.Linear(2 * c * 49, 1) }
  return G, D
end

-- ---- the score -------------------------------------------------------------------------------

-- nabla's MNIST CNN (experiments/mnist-cnn.lua), trained on the real digits
local function train_classifier(cfg, train, test)
  local cnn = dofile(HERE .. "mnist-cnn.lua")
  local model = cnn.model({ channels = cfg.classifier_channels, dropout = 0.3 })
  local opt = optim.Adam(model:parameters(), { lr = 2e-3 })
  nabla.fit(model, data.loader(train, { batch = 64, shuffle = true, seed = cfg.seed }),
    { epochs = cfg.classifier_epochs, optimizer = opt, quiet = true })
  model:eval()
  local acc = nabla.evaluate(model, test).accuracy
  print(("score classifier: mnist-cnn with %d channels, %d epoch(s): test accuracy %.2f%%")
    :format(cfg.classifier_channels, cfg.classifier_epochs, 100 * acc))
  return model, acc
end

-- f(x) without gradients, 100 rows of x at a time (as nabla.evaluate does: a CNN's
-- activations for 1,000 images at once took the run's peak memory from ~120 to 294 MiB)
local function by_hundreds(f, x)
  local n, parts = x.shape[1], {}
  nabla.no_grad(function()
    for s = 1, n, 100 do
      parts[#parts + 1] = f(x:narrow(1, s, math.min(100, n - s + 1)))
      collectgarbage()
    end
  end)
  return nabla.cat(parts, 1)
end

-- images in [−1, 1] (B, 1, 28, 28) -> {confidence, classes (2^H), is, counts}
local function score(classifier, images)
  local p = by_hundreds(function(x) return classifier((x + 1) * 0.5):softmax(2) end, images)
  local n = p.shape[1]
  local conf = p:max(2):mean():item()
  local py = p:mean(1)                                        -- p(y): the class mix
  local kl = (p * ((p + 1e-12):log() - (py + 1e-12):log():view(1, 10))):sum(2):mean():item()
  local _, k = p:max(2)
  local counts = {}
  for d = 1, 10 do counts[d] = 0 end
  for _, c in ipairs(k:tolist()) do counts[math.floor(c)] = counts[math.floor(c)] + 1 end
  local H = 0
  for d = 1, 10 do
    local q = counts[d] / n
    if q > 0 then H = H - q * math.log(q, 2) end
  end
  return { confidence = conf, classes = 2 ^ H, is = math.exp(kl), counts = counts }
end

local function counts_str(c)
  local t = {}
  for d = 1, 10 do t[d] = ("%d:%d"):format(d - 1, c[d]) end
  return table.concat(t, " ")
end

-- ---- training --------------------------------------------------------------------------------

local last_emit = 0
local function progress(epoch, epochs, step, steps, loss)
  if not events.listening("train_step") then return end
  local now = nabla.clock()
  if now - last_emit < 0.1 and step < steps then return end
  last_emit = now
  events.emit("train_step", { epoch = epoch, epochs = epochs, step = step, steps = steps, loss = loss })
end

local function params_of(m)
  local n = 0
  for _, p in ipairs(m:parameters()) do n = n + p:numel() end
  return n
end

-- trains G and D (train_d = false: D frozen) for `epochs` epochs of the training set (or
-- `steps` steps); after each, a sample sheet and the score. Returns the last row.
local function train_gan(name, G, D, opt, cfg, loader, classifier, fixed_z, log)
  local ones, zeros = {}, {}
  local function target(t, B, v)
    t[B] = t[B] or nabla.full({ B, 1 }, v)
    return t[B]
  end
  local last
  for epoch = 1, opt.epochs do
    local t0, sd, sg, n, step = nabla.clock(), 0, 0, 0, 0
    G:train(); D:train()
    local steps = opt.steps or #loader
    for x in loader:iter() do
      if opt.steps and step >= opt.steps then break end
      step = step + 1
      local B = x.shape[1]
      local real = x * 2 - 1                                    -- pixels in [−1, 1], as tanh
      local fake = G(nabla.randn(B, cfg.z))
      local ld
      if opt.d then
        -- D: real digits -> 1, G's -> 0 (fake detached: this step does not train G)
        ld = F.binary_cross_entropy_with_logits(D(real), target(ones, B, 1)) +
             F.binary_cross_entropy_with_logits(D(fake:detach()), target(zeros, B, 0))
        opt.d:zero_grad(); ld:backward(); opt.d:step()
      end
      -- G: make D say 1 (the non-saturating loss)
      local lg = F.binary_cross_entropy_with_logits(D(fake), target(ones, B, 1))
      opt.g:zero_grad(); lg:backward(); opt.g:step()
      sg, n = sg + lg:item(), n + 1
      if ld then sd = sd + ld:item() end
      progress(epoch, opt.epochs, step, steps, lg:item())
      events.poll()
    end
    local seconds = nabla.clock() - t0
    G:eval()
    local s = score(classifier, by_hundreds(G, nabla.randn(cfg.score_samples, cfg.z)))
    last = { model = name, epoch = epoch, d_loss = opt.d and sd / n or nil, g_loss = sg / n, confidence = s.confidence,
             classes = s.classes, is = s.is, counts = s.counts, seconds = seconds }
    print(("%-9s epoch %2d  D loss %s  G loss %.3f  score: confidence %.3f, classes %.2f of 10, IS %.2f  (%.1f s)")
      :format(name, epoch, opt.d and ("%.3f"):format(sd / n) or "  —  ", sg / n, s.confidence, s.classes, s.is, seconds))
    print("          samples per class  " .. counts_str(s.counts))
    log(last)
    if events.listening("epoch") then
      events.emit("epoch", { epoch = epoch, epochs = opt.epochs, train_loss = sg / n })
    end
    local sheet = nabla.no_grad(function() return (G(fixed_z) + 1) * 0.5 end)
    local title = ("%s, epoch %d: confidence %.2f, %.1f classes"):format(name, epoch, s.confidence, s.classes)
    samples.save_grid(("%s/%s-epoch%02d.svg"):format(cfg.run_dir, name, epoch), sheet, { cols = 8, title = title })
    samples.emit(function() return samples.image_grid(sheet, { cols = 8, title = "GAN " .. title, source = "mnist-gan", epoch = epoch }) end)
  end
  return last
end

return {
  name = "mnist-gan",
  config = {
    models = "mlp,dcgan,collapse",
    epochs = 5,             -- mlp
    epochs_dcgan = 3,
    collapse_steps = 300,   -- G alone against the frozen mlp D
    z = 64,                 -- noise dimensions
    channels = 16,          -- dcgan: 16 and 32 channels
    batch = 64,
    lr = 2e-4,              -- Adam, betas (0.5, 0.999) as in DCGAN
    lr_collapse = 1e-3,
    classifier_epochs = 1,
    classifier_channels = 16,
    score_samples = 1000,
    small = false,          -- the committed 2,000/500 subset (for tests)
    limit = 0,              -- train on the first n training digits only (0: all)
    seed = 1,
  },
  run = function(cfg)
    if cfg.resume ~= nil and cfg.resume ~= "" then
      error("mnist-gan: --resume is not supported (small models, trained from scratch)", 0)
    end
    local train = data.mnist{ split = "train", full = not cfg.small, small = cfg.small,
                              limit = cfg.limit > 0 and math.floor(cfg.limit) or nil }
    local test = data.mnist{ split = "test", full = not cfg.small, small = cfg.small }
    local seen = {}
    for name in cfg.models:gmatch("[^,%s]+") do
      if name ~= "mlp" and name ~= "dcgan" and name ~= "collapse" then
        error(("mnist-gan: unknown model '%s' in --models (mlp, dcgan, collapse)"):format(name), 0)
      end
      if name == "collapse" and not seen.mlp then
        error("mnist-gan: 'collapse' continues the mlp GAN: list mlp before it in --models", 0)
      end
      seen[name] = true
    end
    local t0 = nabla.clock()
    local classifier, acc = train_classifier(cfg, train, test)
    local real = score(classifier, test:batch((function() local t = {} for i = 1, math.min(#test, cfg.score_samples) do t[i] = i end return t end)()) * 2 - 1)
    print(("score of %d real test digits: confidence %.3f, classes %.2f of 10, IS %.2f"):format(
      math.min(#test, cfg.score_samples), real.confidence, real.classes, real.is))
    local result = { classifier_accuracy = acc, real_confidence = ("%.3f"):format(real.confidence),
                     real_classes = ("%.2f"):format(real.classes), real_is = ("%.2f"):format(real.is),
                     classifier_seconds = ("%.0f"):format(nabla.clock() - t0) }

    local csv = assert(io.open(cfg.run_dir .. "/log.csv", "w"))
    csv:write("model,epoch,d_loss,g_loss,confidence,classes,inception_score,seconds," ..
              "c0,c1,c2,c3,c4,c5,c6,c7,c8,c9\n")
    local function log(r)
      csv:write(("%s,%d,%s,%.4f,%.4f,%.3f,%.3f,%.2f,%s\n"):format(r.model, r.epoch,
        r.d_loss and ("%.4f"):format(r.d_loss) or "", r.g_loss, r.confidence, r.classes, r.is, r.seconds,
        table.concat(r.counts, ",")))
      csv:flush()
    end
    local fixed_z = nabla.randn(64, cfg.z)
    local loader = data.loader(train, { batch = cfg.batch, shuffle = true, seed = cfg.seed })
    local betas = { 0.5, 0.999 }
    local mlp_G, mlp_D
    for name in cfg.models:gmatch("[^,%s]+") do
      local t = nabla.clock()
      local r
      if name == "mlp" or name == "dcgan" then
        local G, D
        if name == "mlp" then G, D = mlp_gan(cfg.z) else G, D = dcgan(cfg.z, cfg.channels) end
        print(("-- %s: G %d parameters, D %d parameters"):format(name, params_of(G), params_of(D)))
        r = train_gan(name, G, D, {
          g = optim.Adam(G:parameters(), { lr = cfg.lr, betas = betas }),
          d = optim.Adam(D:parameters(), { lr = cfg.lr, betas = betas }),
          epochs = name == "mlp" and cfg.epochs or cfg.epochs_dcgan }, cfg, loader, classifier, fixed_z, log)
        if name == "mlp" then mlp_G, mlp_D = G, D end
      elseif name == "collapse" then
        if not mlp_G then error("mnist-gan: 'collapse' continues the mlp GAN: list mlp before it in --models", 0) end
        print(("-- collapse: the mlp G trains alone for %d steps against its frozen D"):format(cfg.collapse_steps))
        mlp_D:eval()
        for _, p in ipairs(mlp_D:parameters()) do p:requires_grad(false) end
        r = train_gan("collapse", mlp_G, mlp_D, {
          g = optim.Adam(mlp_G:parameters(), { lr = cfg.lr_collapse, betas = betas }),
          epochs = 1, steps = cfg.collapse_steps }, cfg, loader, classifier, fixed_z, log)
      else
        error(("mnist-gan: unknown model '%s' in --models (mlp, dcgan, collapse)"):format(name), 0)
      end
      result[name .. "_confidence"] = ("%.3f"):format(r.confidence)
      result[name .. "_classes"] = ("%.2f"):format(r.classes)
      result[name .. "_is"] = ("%.2f"):format(r.is)
      result[name .. "_seconds"] = ("%.0f"):format(nabla.clock() - t)
    end
    csv:close()
    return result
  end,
}

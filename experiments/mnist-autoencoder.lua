-- Autoencoders on MNIST: learning without labels. A network squeezes each digit through a
-- bottleneck of two numbers z = (z1, z2) and has to rebuild the digit from them; the labels
-- are used only afterwards, to colour the latent space. Four models, one after the other:
--
-- 1. mlp      784-256-64-2 encoder, 2-64-256-784 decoder (sigmoid output, binary
--             cross-entropy per pixel): the latent scatter, reconstructions beside the
--             originals, and a walk through the latent space from one digit to another.
-- 2. conv     two stride-2 convolutions down (28 -> 14 -> 7), a linear layer to z; back up
--             with two transposed convolutions (7 -> 14 -> 28): nn.ConvTranspose2d.
-- 3. denoise  the mlp autoencoder fed digits with Gaussian noise (std --noise), asked for
--             the clean digit.
-- 4. vae      a variational autoencoder: the encoder gives a mean and a log-variance per
--             latent dimension, z = μ + σ·ε (the reparameterisation, so that the gradient
--             reaches μ and σ), the loss is the reconstruction's cross-entropy plus
--             KL(q(z|x) || N(0, I)); −loss is the ELBO, a lower bound of log p(x). Its
--             latent plane, decoded on a grid, is a sheet of digits morphing into each other.
--
-- Reported per epoch (log.csv, and printed): the training loss, the test set's
-- reconstruction error (mean squared error per pixel, and binary cross-entropy per image in
-- nats) and, for the VAE, the KL term and the ELBO per image. Figures (SVG) in the run dir.
-- With the classroom server (--serve), the latent scatter and the image sheets appear live
-- on the dashboard ("sample" events, lua/nabla/samples.lua).
--
--   nabla run experiments/mnist-autoencoder.lua
--   nabla run experiments/mnist-autoencoder.lua --models vae --epochs_vae 20
--   nabla run experiments/mnist-autoencoder.lua --small true --epochs 1   (2,000 digits: a test)
local nabla = require "nabla"
local nn, optim, data = nabla.nn, nabla.optim, nabla.data
local samples = require "nabla.samples"
local events = require "nabla.events"

local DIGITS = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" }

-- ---- the models ------------------------------------------------------------------------------

local function mlp_encoder(out) -- (B, 1, 28, 28) -> (B, out)
  return nn.Sequential{ nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 64), nn.ReLU(),
                        nn.Linear(64, out) }
end

local function mlp_decoder(latent) -- (B, latent) -> logits (B, 1, 28, 28)
  return nn.Sequential{ nn.Linear(latent, 64), nn.ReLU(), nn.Linear(64, 256), nn.ReLU(),
                        nn.Linear(256, 784), nn.Unflatten(2, { 1, 28, 28 }) }
end

local function conv_encoder(c, latent)
  return nn.Sequential{
    nn.Conv2d(1, c, 3, { stride = 2, padding = 1 }), nn.ReLU(),          -- 28 -> 14
    nn.Conv2d(c, 2 * c, 3, { stride = 2, padding = 1 }), nn.ReLU(),      -- 14 -> 7
    nn.Flatten(), nn.Linear(2 * c * 49, latent) }
end

local function conv_decoder(c, latent)
  return nn.Sequential{
    nn.Linear(latent, 2 * c * 49), nn.ReLU(), nn.Unflatten(2, { 2 * c, 7, 7 }),
    nn.ConvTranspose2d(2 * c, c, 4, 2, 1), nn.ReLU(),                    -- 7 -> 14
    nn.ConvTranspose2d(c, 1, 4, 2, 1) }                                  -- 14 -> 28
end

-- ---- helpers ---------------------------------------------------------------------------------

-- the dashboard's loss curve: train_step events, at most ten a second
local last_emit = 0
local function progress(epoch, epochs, step, steps, loss)
  if not events.listening("train_step") then return end
  local now = nabla.clock()
  if now - last_emit < 0.1 and step < steps then return end
  last_emit = now
  events.emit("train_step", { epoch = epoch, epochs = epochs, step = step, steps = steps, loss = loss })
end

local function noisy(x, std)
  return (x + nabla.randn(table.unpack(x.shape)) * std):clamp(0, 1)
end

-- the first test image of each digit, in order 0..9: the originals shown in the figures
local function one_of_each(test)
  local got, rows = {}, {}
  local labels = test.labels:tolist()
  for i, y in ipairs(labels) do
    y = math.floor(y)
    if not got[y] then got[y] = true; rows[y] = i end
  end
  local list = {}
  for d = 1, 10 do list[d] = rows[d] end
  return test:batch(list)
end

-- z of the first n test images (the mean for a VAE) and their labels
local function encode_all(encode, test, n)
  n = math.min(n, #test)
  local zs, ys = {}, {}
  nabla.no_grad(function()
    for x, y in data.loader(test:subset((function() local t = {} for i = 1, n do t[i] = i end return t end)()), { batch = 500 }):iter() do
      zs[#zs + 1] = encode(x)
      ys[#ys + 1] = y
    end
  end)
  return nabla.cat(zs, 1), nabla.cat(ys, 1)
end

-- ---- one model -------------------------------------------------------------------------------

-- m = { name, encoder, decoder, vae = bool, denoise = std|nil, epochs }; trains it, writes
-- its figures, returns its last epoch's numbers
local function train_model(m, train, test, cfg, log)
  local enc, dec = m.encoder, m.decoder
  local params = {}
  for _, p in ipairs(enc:parameters()) do params[#params + 1] = p end
  for _, p in ipairs(dec:parameters()) do params[#params + 1] = p end
  local opt = optim.Adam(params, { lr = cfg.lr })
  local L = cfg.latent

  -- z from x: the code (autoencoders) or (z, μ, log σ²) for the VAE
  local function encode(x, sample)
    local h = enc(x)
    if not m.vae then return h end
    local mu, logvar = h:narrow(2, 1, L), h:narrow(2, L + 1, L)
    if not sample then return mu, mu, logvar end
    local z = mu + (logvar * 0.5):exp() * nabla.randn(table.unpack(mu.shape)) -- z = μ + σ·ε
    return z, mu, logvar
  end
  -- per image: reconstruction cross-entropy (summed over pixels), KL, total
  local function losses(x, target)
    local z, mu, logvar = encode(x, true)
    local logits = dec(z)
    local B = x.shape[1]
    local rec = nn.functional.binary_cross_entropy_with_logits(logits, target, { reduction = "sum" }) / B
    if not m.vae then return rec, rec, nil, logits end
    -- KL(N(μ, σ²) || N(0, 1)) = −½ Σ (1 + log σ² − μ² − σ²)
    local kl = ((logvar + 1 - mu * mu - logvar:exp()):sum() * -0.5) / B
    return rec + kl * cfg.beta, rec, kl, logits
  end

  local originals = one_of_each(test)
  local fixed_noise = m.denoise and noisy(originals, m.denoise)
  local steps = math.ceil(#train / cfg.batch)
  local last
  for epoch = 1, m.epochs do
    local t0, total, count, step = nabla.clock(), 0, 0, 0
    enc:train(); dec:train()
    for x in data.loader(train, { batch = cfg.batch, shuffle = true, seed = cfg.seed + epoch }):iter() do
      local input = m.denoise and noisy(x, m.denoise) or x
      local loss = losses(input, x)
      opt:zero_grad(); loss:backward(); opt:step()
      step = step + 1
      local l = loss:item()
      total, count = total + l * x.shape[1], count + x.shape[1]
      progress(epoch, m.epochs, step, steps, l)
      events.poll()
    end
    local seconds = nabla.clock() - t0
    -- the test set: reconstruction error (from the mean z for a VAE), KL, ELBO
    enc:eval(); dec:eval()
    local mse, bce, kl_sum, n = 0, 0, 0, 0
    nabla.no_grad(function()
      for x in data.loader(test, { batch = 500 }):iter() do
        local input = m.denoise and noisy(x, m.denoise) or x
        local _, mu, logvar = encode(input, false)
        local logits = dec(m.vae and mu or enc(input))
        local B = x.shape[1]
        mse = mse + ((logits:sigmoid() - x) ^ 2):mean():item() * B
        if m.vae then
          -- the ELBO with one sample of z, as in training
          local _, rec, kl = losses(input, x)
          bce, kl_sum = bce + rec:item() * B, kl_sum + kl:item() * B
        else
          bce = bce + nn.functional.binary_cross_entropy_with_logits(logits, x, { reduction = "sum" }):item()
        end
        n = n + B
      end
    end)
    last = { model = m.name, epoch = epoch, train_loss = total / count, test_mse = mse / n,
             test_bce = bce / n, seconds = seconds }
    if m.vae then last.test_kl, last.test_elbo = kl_sum / n, -(bce + kl_sum) / n end
    local line = ("%-8s epoch %2d  train loss %8.3f  test: mse/pixel %.4f  bce/image %7.2f")
      :format(m.name, epoch, last.train_loss, last.test_mse, last.test_bce)
    if m.vae then line = line .. ("  KL %.2f  ELBO %.2f"):format(last.test_kl, last.test_elbo) end
    print(line .. ("  (%.1f s)"):format(seconds))
    log(last)
    if events.listening("epoch") then
      events.emit("epoch", { epoch = epoch, epochs = m.epochs, train_loss = last.train_loss, val_loss = last.test_bce })
    end
    -- the latent space and the reconstructions, live on the dashboard
    local title = ("%s autoencoder, epoch %d"):format(m.name, epoch)
    samples.emit(function()
      local z, y = encode_all(function(x) return (encode(x, false)) end, test, math.min(cfg.points, 2000))
      return samples.scatter(z, y, { classes = DIGITS, title = title .. ": latent space", source = "mnist-autoencoder", epoch = epoch })
    end)
    samples.emit(function()
      local input = fixed_noise or originals
      local rec = nabla.no_grad(function() return dec((encode(input, false))):sigmoid() end)
      return samples.image_grid(nabla.cat(fixed_noise and { input, rec, originals } or { input, rec }, 1),
        { cols = 10, title = title .. (fixed_noise and ": noisy / denoised / clean" or ": originals / reconstructions"),
          source = "mnist-autoencoder", epoch = epoch })
    end)
  end

  -- ---- figures ----
  local dir = cfg.run_dir .. "/" .. m.name
  enc:eval(); dec:eval()
  local z, y = encode_all(function(x) return (encode(x, false)) end, test, cfg.points)
  local txt = samples.save_scatter(dir .. "-latent.svg", z, y:tolist(), { classes = DIGITS,
    title = ("%s: the latent space of %d test digits"):format(m.name, z.shape[1]), print = cfg.show })
  local f = io.open(dir .. "-latent.txt", "w")
  if f then f:write(txt, "\n"); f:close() end
  nabla.no_grad(function()
    local input = fixed_noise or originals
    local rec = dec((encode(input, false))):sigmoid()
    samples.save_grid(dir .. "-reconstructions.svg", nabla.cat(fixed_noise and { input, rec, originals } or { input, rec }, 1),
      { cols = 10, title = fixed_noise and "noisy / denoised / clean" or "originals / reconstructions" })
    -- a walk through the latent space from digit a to digit b
    local za = encode(originals:narrow(1, cfg.from + 1, 1), false)
    local zb = encode(originals:narrow(1, cfg.to + 1, 1), false)
    local walk = {}
    for k = 0, 9 do walk[#walk + 1] = za * (1 - k / 9) + zb * (k / 9) end
    samples.save_grid(dir .. "-interpolation.svg", dec(nabla.cat(walk, 1)):sigmoid(),
      { cols = 10, title = ("from %d to %d through the latent space"):format(cfg.from, cfg.to) })
    if m.vae then
      -- the latent plane on a grid: z1, z2 from −2.5 to 2.5 (most of N(0, 1)'s mass)
      local g, k, zs = cfg.grid, 0, {}
      for i = 1, g do
        for j = 1, g do
          k = k + 1
          zs[k] = { -2.5 + 5 * (j - 1) / (g - 1), 2.5 - 5 * (i - 1) / (g - 1) }
        end
      end
      local sheet = dec(nabla.tensor(zs)):sigmoid()
      samples.save_grid(dir .. "-grid.svg", sheet, { cols = g, title = "the VAE's latent plane, decoded" })
      samples.emit(function() return samples.image_grid(sheet, { cols = g, title = "VAE: the latent plane decoded",
        source = "mnist-autoencoder" }) end)
    end
  end)
  return last
end

return {
  name = "mnist-autoencoder",
  config = {
    models = "mlp,conv,denoise,vae", -- which of the four, in this order
    epochs = 5,         -- mlp and denoise
    epochs_conv = 3,
    epochs_vae = 8,
    batch = 128,
    lr = 1e-3,          -- Adam
    latent = 2,         -- the bottleneck: 2, so that it can be drawn
    channels = 16,      -- conv: 16 then 32 channels
    noise = 0.5,        -- denoise: std of the Gaussian noise added to the pixels
    beta = 1,           -- vae: weight of the KL term (1: the ELBO)
    grid = 15,          -- vae: the latent grid is grid × grid digits
    points = 5000,      -- test digits in the latent scatter
    from = 3, to = 8,   -- the interpolation's two digits
    show = true,        -- print each latent scatter in the terminal
    small = false,      -- the committed 2,000/500 subset (for tests)
    limit = 0,          -- train on the first n training digits only (0: all)
    seed = 1,
  },
  run = function(cfg)
    if cfg.resume ~= nil and cfg.resume ~= "" then
      error("mnist-autoencoder: --resume is not supported (four small models, trained from scratch)", 0)
    end
    local train = data.mnist{ split = "train", full = not cfg.small, small = cfg.small,
                              limit = cfg.limit > 0 and math.floor(cfg.limit) or nil }
    local test = data.mnist{ split = "test", full = not cfg.small, small = cfg.small }
    local L = cfg.latent
    local defs = {
      mlp = function() return { encoder = mlp_encoder(L), decoder = mlp_decoder(L), epochs = cfg.epochs } end,
      conv = function() return { encoder = conv_encoder(cfg.channels, L), decoder = conv_decoder(cfg.channels, L), epochs = cfg.epochs_conv } end,
      denoise = function() return { encoder = mlp_encoder(L), decoder = mlp_decoder(L), epochs = cfg.epochs, denoise = cfg.noise } end,
      vae = function() return { encoder = mlp_encoder(2 * L), decoder = mlp_decoder(L), epochs = cfg.epochs_vae, vae = true } end,
    }
    for name in cfg.models:gmatch("[^,%s]+") do
      if not defs[name] then
        error(("mnist-autoencoder: unknown model '%s' in --models (mlp, conv, denoise, vae)"):format(name), 0)
      end
    end
    local csv = assert(io.open(cfg.run_dir .. "/log.csv", "w"))
    csv:write("model,epoch,train_loss,test_mse,test_bce,test_kl,test_elbo,seconds\n")
    local function log(r)
      csv:write(("%s,%d,%.5f,%.6f,%.4f,%s,%s,%.2f\n"):format(r.model, r.epoch, r.train_loss, r.test_mse, r.test_bce,
        r.test_kl and ("%.4f"):format(r.test_kl) or "", r.test_elbo and ("%.4f"):format(r.test_elbo) or "", r.seconds))
      csv:flush()
    end
    local result, t0 = {}, nabla.clock()
    for name in cfg.models:gmatch("[^,%s]+") do
      if not defs[name] then
        error(("mnist-autoencoder: unknown model '%s' in --models (mlp, conv, denoise, vae)"):format(name), 0)
      end
      local m = defs[name]()
      m.name = name
      local count = 0
      for _, p in ipairs(m.encoder:parameters()) do count = count + p:numel() end
      for _, p in ipairs(m.decoder:parameters()) do count = count + p:numel() end
      print(("-- %s: %d parameters, %d epochs"):format(name, count, m.epochs))
      local t = nabla.clock()
      local r = train_model(m, train, test, cfg, log)
      result[name .. "_test_mse"] = ("%.4f"):format(r.test_mse)
      result[name .. "_test_bce"] = ("%.2f"):format(r.test_bce)
      if r.test_elbo then result[name .. "_test_elbo"] = ("%.2f"):format(r.test_elbo) end
      result[name .. "_seconds"] = ("%.0f"):format(nabla.clock() - t)
      result[name .. "_last"] = r
    end
    csv:close()
    result.seconds = ("%.0f"):format(nabla.clock() - t0)
    return result
  end,
}

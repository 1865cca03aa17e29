-- MNIST with only convolutions and activations (Springenberg et al. 2015, "Striving for
-- simplicity: the all convolutional net"): no pooling layers, no flatten, no Linear.
-- Strided convolutions shrink the image; global average pooling turns each of the last
-- 4c feature maps into one number, and a 1×1 convolution maps those to 10 scores
-- (c = 32 channels by default):
--
--   (B, 1, 28, 28)  -conv 3×3, c-> -conv 3×3 stride 2, c->     (B, c, 14, 14)
--                   -conv 3×3, 2c-> -conv 3×3 stride 2, 2c->   (B, 2c, 7, 7)
--                   -conv 3×3, 4c->                            (B, 4c, 7, 7)
--                   -global average pool->                     (B, 4c, 1, 1)
--                   -conv 1×1, 10->                            (B, 10, 1, 1)
-- The scores (B, 10, 1, 1) are viewed as (B, 10) for the loss (a view, no computation).
-- Each 3×3 convolution is followed by batch norm, and the training images are shown slightly
-- rotated, shifted and zoomed (up to 8°, 8%, ±8%); 140,458 parameters.
--
--   nabla run experiments/mnist-allconv.lua              -- 99.52% on test in 10 epochs (seed 1; chosen on validation)
--   nabla run experiments/mnist-allconv.lua --batchnorm false --augment false --epochs 6   -- the plain net: 99.31%
local nabla = require "nabla"
local nn, optim, data = nabla.nn, nabla.optim, nabla.data

local AllConv = nn.Module:extend("AllConv")

function AllConv:__init(c, batchnorm)
  -- conv 3×3 (padding 1) -> [batch norm] -> ReLU; stride 2 halves the size
  local layers = {}
  local function conv(cin, cout, stride)
    layers[#layers + 1] = nn.Conv2d(cin, cout, 3, { stride = stride, padding = 1, bias = not batchnorm })
    if batchnorm then layers[#layers + 1] = nn.BatchNorm2d(cout) end
    layers[#layers + 1] = nn.ReLU()
  end
  conv(1, c, 1); conv(c, c, 2)
  conv(c, 2 * c, 1); conv(2 * c, 2 * c, 2)
  conv(2 * c, 4 * c, 1)
  layers[#layers + 1] = nn.AdaptiveAvgPool2d(1)    -- global average pooling: (B, 4c, 1, 1)
  layers[#layers + 1] = nn.Conv2d(4 * c, 10, 1)    -- 1×1 convolution: (B, 10, 1, 1)
  self.features = nn.Sequential(layers)
  -- With no normalization layer, the scale of the first weights decides whether the signal
  -- survives five ReLU layers: He initialization (std = √(2 / fan_in)) keeps its size, where
  -- PyTorch's default (a third of that variance) lets it shrink and training starts slowly.
  local convs = {}
  for _, m in ipairs(self.features:modules()) do
    if m.__name == "Conv2d" then convs[#convs + 1] = m end
  end
  for i = 1, #convs - 1 do                    -- the ReLU layers (the last one gives the scores)
    nn.init.kaiming_normal_(convs[i].weight, { nonlinearity = "relu" })
    if convs[i].bias then nn.init.zeros_(convs[i].bias) end
  end
end

function AllConv:forward(x)
  local scores = self.features(x)             -- (B, 10, 1, 1)
  return scores:view(scores.shape[1], 10)
end

return {
  name = "mnist-allconv",
  config = {
    epochs = 10,
    batch = 64,
    lr = 2e-3,          -- Adam, annealed to 0 along a cosine
    channels = 32,
    batchnorm = true,   -- batch norm after each 3×3 convolution
    augment = true,     -- small random rotations, shifts and zooms of the training images
    rotate = 8, shift = 0.08, scale = 0.08,
    seed = 1,
    val = 5000,         -- training images held out to choose the model (the test set is used once, at the end)
    split_seed = 1,     -- which ones (the same split whatever --seed is)
  },
  -- the model alone (`nabla serve CHECKPOINT` and bench/bench_flops.lua build it from the config)
  model = function(cfg) return AllConv(cfg.channels, cfg.batchnorm) end,
  run = function(cfg, exp)
    local run = require "nabla.run"
    local train, val, test = run.mnist_sets(cfg)   -- val: held out of train, chooses the model

    local model = exp.model(cfg)
    print(model)

    local augment = cfg.augment and nabla.aug.affine{ rotate = cfg.rotate, shift = cfg.shift, scale = cfg.scale, p = 1 } or nil
    local opt = optim.Adam(model:parameters(), { lr = cfg.lr })
    local history = nabla.fit(model, data.loader(train, { batch = cfg.batch, shuffle = true, seed = cfg.seed, augment = augment }), {
      epochs = cfg.epochs, optimizer = opt,
      scheduler = optim.lr_scheduler.CosineAnnealingLR(opt, { T_max = cfg.epochs }),
      val = val, val_name = run.val_name, log = cfg.run_dir .. "/log.csv", checkpoint = cfg.run_dir, resume = cfg.resume,
    })

    return run.test_result(model, test, history, { run_dir = cfg.run_dir })   -- the one look at test
  end,
}

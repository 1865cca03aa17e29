-- MNIST with a deeper CNN and data augmentation: every training image is shown slightly
-- rotated, shifted, zoomed and sheared (a new draw each time it is seen), so the network
-- learns the digit rather than its exact pixels. The test images are left alone.
--
--   (B, 1, 28, 28) -[conv 3×3, c -BN-ReLU]×2 -pool->  (B, c, 14, 14)
--                  -[conv 3×3, 2c -BN-ReLU]×2 -pool-> (B, 2c, 7, 7)
--                  -flatten-> 2c·49 -> 256 -BN-ReLU-dropout-> 10          (c = 16 by default)
--
--   nabla run experiments/mnist-augment.lua              -- 99.59% / 99.51% on test in 10 epochs (seeds 1 / 2; chosen on validation)
--   nabla run experiments/mnist-augment.lua --channels 32 --epochs 15   -- 99.69%, but 199 MiB of memory
--   nabla run experiments/mnist-augment.lua --epochs 20 --channels 32 --rotate 12
--   nabla run experiments/mnist-augment.lua --augment false   -- the same network without it
local nabla = require "nabla"
local nn, optim, data, aug = nabla.nn, nabla.optim, nabla.data, nabla.aug

-- conv 3×3 (padding 1 keeps the size) -> batch norm -> ReLU
local function conv_bn(cin, cout)
  return nn.Sequential{ nn.Conv2d(cin, cout, 3, { padding = 1, bias = false }), nn.BatchNorm2d(cout), nn.ReLU() }
end

return {
  name = "mnist-augment",
  config = {
    epochs = 10,
    batch = 64,
    lr = 2e-3,          -- Adam's peak learning rate (one cycle: warm up, then anneal)
    channels = 16,      -- c: the first stage's channels, the second has 2c
    augment = true,
    rotate = 10,        -- degrees, either way
    shift = 0.1,        -- fraction of the side, either way
    scale = 0.1,        -- zoom 0.9 .. 1.1
    shear = 10,         -- degrees
    p = 0.9,            -- share of training images transformed
    dropout = 0.3,
    seed = 1,
    val = 5000,         -- training images held out to choose the model (the test set is used once, at the end)
    split_seed = 1,     -- which ones (the same split whatever --seed is)
  },
  -- the model alone (`nabla serve CHECKPOINT` and bench/bench_flops.lua build it from the config)
  model = function(cfg)
    local c = cfg.channels
    return nn.Sequential{
      conv_bn(1, c), conv_bn(c, c), nn.MaxPool2d(2),
      conv_bn(c, 2 * c), conv_bn(2 * c, 2 * c), nn.MaxPool2d(2),
      nn.Flatten(),
      nn.Linear(2 * c * 7 * 7, 256, { bias = false }), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(cfg.dropout),
      nn.Linear(256, 10),
    }
  end,
  run = function(cfg, exp)
    local run = require "nabla.run"
    local train, val, test = run.mnist_sets(cfg)   -- val: held out of train, chooses the model

    local model = exp.model(cfg)
    print(model)

    local augment = cfg.augment and aug.affine{
      rotate = cfg.rotate, shift = cfg.shift, scale = cfg.scale, shear = cfg.shear, p = cfg.p,
    } or nil
    if augment then print("augmentation: " .. tostring(augment)) end
    local loader = data.loader(train, { batch = cfg.batch, shuffle = true, seed = cfg.seed, augment = augment })

    local opt = optim.Adam(model:parameters(), { lr = cfg.lr })
    local sched = optim.lr_scheduler.OneCycleLR(opt, {
      max_lr = cfg.lr, epochs = cfg.epochs, steps_per_epoch = loader:num_batches(),
    })
    local history = nabla.fit(model, loader, {
      epochs = cfg.epochs, optimizer = opt, scheduler = sched, scheduler_per_batch = true,
      val = val, val_name = run.val_name, log = cfg.run_dir .. "/log.csv", checkpoint = cfg.run_dir, resume = cfg.resume,
    })

    return run.test_result(model, test, history, { run_dir = cfg.run_dir })   -- the one look at test
  end,
}

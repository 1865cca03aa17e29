-- MNIST with a small convolutional network: two 3×3 convolution + pooling stages learn
-- local strokes and their combinations, then two fully connected layers classify.
--
--   (B, 1, 28, 28) -conv 3×3, 32-> (B, 32, 28, 28) -pool-> (B, 32, 14, 14)
--                  -conv 3×3, 64-> (B, 64, 14, 14) -pool-> (B, 64, 7, 7)
--                  -flatten-> (B, 3136) -> 128 -> 10
--
--   nabla run experiments/mnist-cnn.lua                  -- 99.25% / 99.12% on test in 6 epochs (seeds 1 / 2; chosen on validation)
--   nabla run experiments/mnist-cnn.lua --epochs 2 --lr 0.002 --channels 16
local nabla = require "nabla"
local nn, optim, data = nabla.nn, nabla.optim, nabla.data

return {
  name = "mnist-cnn",
  config = {
    epochs = 6,
    batch = 64,
    lr = 1e-3,          -- Adam, annealed to 0 along a cosine
    channels = 32,      -- the second stage has twice as many
    dropout = 0.3,
    seed = 1,
    val = 5000,         -- training images held out to choose the model (the test set is used once, at the end)
    split_seed = 1,     -- which ones (the same split whatever --seed is)
  },
  -- the model alone (`nabla serve CHECKPOINT` rebuilds it from the config the checkpoint keeps)
  model = function(cfg)
    local c = cfg.channels
    return nn.Sequential{
      nn.Conv2d(1, c, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
      nn.Conv2d(c, 2 * c, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
      nn.Flatten(),
      nn.Linear(2 * c * 7 * 7, 128), nn.ReLU(), nn.Dropout(cfg.dropout),
      nn.Linear(128, 10),
    }
  end,
  run = function(cfg, exp)
    local run = require "nabla.run"
    local train, val, test = run.mnist_sets(cfg)   -- val: held out of train, chooses the model

    local model = exp.model(cfg)
    print(model)

    local opt = optim.Adam(model:parameters(), { lr = cfg.lr })
    local history = nabla.fit(model, data.loader(train, { batch = cfg.batch, shuffle = true, seed = cfg.seed }), {
      epochs = cfg.epochs, optimizer = opt,
      scheduler = optim.lr_scheduler.CosineAnnealingLR(opt, { T_max = cfg.epochs }),
      val = val, val_name = run.val_name, log = cfg.run_dir .. "/log.csv", checkpoint = cfg.run_dir, resume = cfg.resume,
    })

    return run.test_result(model, test, history, { run_dir = cfg.run_dir })   -- the one look at test
  end,
}

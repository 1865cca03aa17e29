-- The degradation problem and its fix (He et al. 2015, "Deep residual learning"): a deeper
-- plain stack of convolutions should do at least as well as a shallower one (the extra
-- layers could learn the identity), yet in practice it trains worse, even on its own
-- training set. Residual blocks, y = relu(x + F(x)), make the identity the easy default,
-- and the deep network trains again. On Fashion-MNIST:
--
--   stem: conv 3×3, c -BN-ReLU                                 (B, c, 28, 28)
--   stage 1: n blocks of c channels                            (B, c, 28, 28)
--   stage 2: n blocks of 2c channels, the first with stride 2  (B, 2c, 14, 14)
--   stage 3: n blocks of 4c channels, the first with stride 2  (B, 4c, 7, 7)
--   global average pooling -> Linear(4c, 10)
-- A block is two conv 3×3 + BN layers; plain: relu(F(x)), residual: relu(x + F(x)) (a 1×1
-- convolution on the shortcut where the shape changes). Depth = 6n + 2 weighted layers,
-- as the paper's CIFAR networks (n = 3: 20 layers, n = 9: 56 layers).
--
--   nabla run experiments/resnet.lua     -- n = 1 and n = 5 (8 and 32 layers), c = 8, 3 epochs
--        on 10,000 images (7 min): the comparison is the point, not the accuracy. Measured:
--        plain 8: 81.9% train / 79.7% test; plain 32: 71.6% / 70.9% (deeper, worse even on
--        its training set: degradation); residual 32: 85.1% / 83.2% (the fix)
--   nabla run experiments/resnet.lua --blocks 1,3,9 --channels 16 --epochs 10 --train_limit 60000
local nabla = require "nabla"
local nn, optim, data = nabla.nn, nabla.optim, nabla.data

-- A plain block: the same layers as nn.BasicBlock, without the shortcut.
local PlainBlock = nn.Module:extend("PlainBlock")
function PlainBlock:__init(cin, cout, stride)
  self.conv1 = nn.Conv2d(cin, cout, 3, { stride = stride, padding = 1, bias = false })
  self.bn1 = nn.BatchNorm2d(cout)
  self.conv2 = nn.Conv2d(cout, cout, 3, { padding = 1, bias = false })
  self.bn2 = nn.BatchNorm2d(cout)
end
function PlainBlock:forward(x)
  local out = self.bn1(self.conv1(x)):relu()
  return self.bn2(self.conv2(out)):relu()
end

local function network(kind, n, c)
  local Block = kind == "residual" and nn.BasicBlock or PlainBlock
  local layers = { nn.Conv2d(1, c, 3, { padding = 1, bias = false }), nn.BatchNorm2d(c), nn.ReLU() }
  local cin = c
  for stage = 1, 3 do
    local cout = c * 2 ^ (stage - 1)
    for b = 1, n do
      layers[#layers + 1] = Block(cin, cout, (b == 1 and stage > 1) and 2 or 1)
      cin = cout
    end
  end
  layers[#layers + 1] = nn.AdaptiveAvgPool2d(1)
  layers[#layers + 1] = nn.Flatten()
  layers[#layers + 1] = nn.Linear(cin, 10)
  return nn.Sequential(layers)
end

return {
  name = "resnet",
  config = {
    blocks = "1,5",           -- n per stage for each depth compared (depth 6n + 2)
    channels = 8,
    epochs = 3,
    batch = 128,
    lr = 0.05,                -- SGD with momentum 0.9 (as the paper), annealed along a cosine
    train_limit = 10000,      -- training images used (of 60,000), to keep the run short
    seed = 1,
  },
  run = function(cfg)
    if cfg.resume then
      error("resnet: --resume is not supported: this experiment trains several models from scratch, one after the other", 0)
    end
    local train = data.fashion_mnist{ split = "train", limit = cfg.train_limit, full = true }
    local test = data.fashion_mnist{ split = "test", full = true }
    print(("Fashion-MNIST: %d training images, %d test images"):format(#train, #test))
    local results, rows = {}, {}
    for n in cfg.blocks:gmatch("%d+") do
      n = math.tointeger(tonumber(n))
      for _, kind in ipairs({ "plain", "residual" }) do
        nabla.manual_seed(cfg.seed)
        local model = network(kind, n, cfg.channels)
        local depth = 6 * n + 2
        local opt = optim.SGD(model:parameters(), { lr = cfg.lr, momentum = 0.9, weight_decay = 1e-4 })
        local loader = data.loader(train, { batch = cfg.batch, shuffle = true, seed = cfg.seed })
        print(("-- %s, %d layers, %d parameters"):format(kind, depth, model:num_parameters()))
        local h = nabla.fit(model, loader, {
          epochs = cfg.epochs, optimizer = opt,
          scheduler = optim.lr_scheduler.CosineAnnealingLR(opt, { T_max = cfg.epochs }),
          log = ("%s/%s-%d.csv"):format(cfg.run_dir, kind, depth),
        })
        -- the training set's loss and accuracy after training, in eval mode (what the model
        -- has learned of it), and the test set's
        local tr = nabla.evaluate(model, train)
        local te = nabla.evaluate(model, test)
        local seconds, k = 0, 0
        for _, t in pairs(h.time) do seconds, k = seconds + t, k + 1 end
        rows[#rows + 1] = { kind = kind, depth = depth, params = model:num_parameters(), train_loss = tr.loss,
                            train_acc = tr.accuracy, test_acc = te.accuracy, sec = seconds / k }
        results[("%s_%d_test_accuracy"):format(kind, depth)] = te.accuracy
        results[("%s_%d_train_accuracy"):format(kind, depth)] = tr.accuracy
      end
    end
    print(("\n| network | layers | parameters | train loss | train accuracy | test accuracy | s/epoch |\n"
           .. "|---|---|---|---|---|---|---|"))
    for _, r in ipairs(rows) do
      print(("| %s | %d | %d | %.4f | %.2f%% | %.2f%% | %.1f |"):format(r.kind, r.depth, r.params, r.train_loss,
        100 * r.train_acc, 100 * r.test_acc, r.sec))
    end
    return results
  end,
}

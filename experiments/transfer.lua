-- Transfer learning (the idea of PyTorch's transfer-learning tutorial, on what is here):
-- a CNN trained on Fashion-MNIST (clothes) has learned edges, strokes and shapes; are they
-- of use for handwritten digits when only a few labelled digits are at hand?
--
-- 1. pretrain the CNN on the 60,000 Fashion-MNIST images;
-- 2. for each number of labels (10 and 100 digits per class), train on MNIST in three ways:
--    frozen     the pretrained convolutions fixed (requires_grad_(false)): a feature
--               extractor; only the classifier (3136 -> 128 -> 10, new) is trained
--    fine-tuned all weights start from the pretrained ones (the classifier new) and all
--               are trained: the pretrained ones with a smaller learning rate (two
--               parameter groups), the new classifier with the full one
--    scratch    the same network from random weights
-- and compare their accuracy on the 10,000 MNIST test digits.
--
--   nabla run experiments/transfer.lua      -- measured (MNIST test accuracy):
--        100 labels: frozen 89.60%, fine-tuned 90.52%, scratch 87.17%
--        1000 labels: frozen 96.16%, fine-tuned 96.95%, scratch 95.68%
--   nabla run experiments/transfer.lua --labels 10,100,1000 --pretrain_epochs 3
--   nabla run experiments/transfer.lua --resume runs/transfer-.../fashion-pretrained.safetensors
--        (--resume here takes the pretrained weights a former run saved: no pretraining)
local nabla = require "nabla"
local nn, optim, data, aug = nabla.nn, nabla.optim, nabla.data, nabla.aug

local function features(c)
  return nn.Sequential{
    nn.Conv2d(1, c, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(c, 2 * c, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
  }
end

local function classifier(c)
  return nn.Sequential{ nn.Linear(2 * c * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10) }
end

local Net = nn.Module:extend("Net")
function Net:__init(c)
  self.features = features(c)
  self.classifier = classifier(c)
end
function Net:forward(x) return self.classifier(self.features(x)) end

-- the first `per_class` images of each class in a seeded random order
local function few_labels(ds, per_class, seed)
  local labels = ds.labels:tolist()
  local count, ids = {}, {}
  for _, i in ipairs(nabla._C._permutation(#labels, seed)) do
    local c = labels[i]
    if (count[c] or 0) < per_class then
      count[c] = (count[c] or 0) + 1
      ids[#ids + 1] = i
    end
  end
  return ds:subset(ids)
end

local function trainable(model)
  local ps = {}
  for _, p in ipairs(model:parameters()) do if p.needs_grad then ps[#ps + 1] = p end end
  return ps
end

return {
  name = "transfer",
  config = {
    channels = 32,
    pretrain_epochs = 2,
    labels = "10,100",        -- labelled MNIST digits per class, one table row each
    steps = 400,              -- training steps on the few labels (batch 32, shifted and rotated)
    lr = 1e-3,                -- Adam; fine-tuning gives the pretrained layers lr * finetune_lr
    finetune_lr = 0.3,
    seed = 1,
  },
  run = function(cfg)
    local c = cfg.channels
    -- 1. pretraining on Fashion-MNIST -----------------------------------------------------
    local fashion = data.fashion_mnist{ split = "train", full = true }
    local fashion_test = data.fashion_mnist{ split = "test", full = true }
    local pre = Net(c)
    local pre_file = cfg.run_dir .. "/fashion-pretrained.safetensors"
    local f = cfg.resume and io.open(cfg.resume) or nil
    if f then
      f:close()
      pre:load(cfg.resume)
      print("pretrained weights from " .. cfg.resume)
    else
      nabla.fit(pre, data.loader(fashion, { batch = 64, shuffle = true, seed = cfg.seed }),
        { epochs = cfg.pretrain_epochs, lr = 1e-3, log = cfg.run_dir .. "/pretrain.csv" })
      pre:save(pre_file)
    end
    local fashion_acc = nabla.evaluate(pre, fashion_test).accuracy
    print(("pretrained on Fashion-MNIST: %.2f%% on its test set; weights in %s"):format(100 * fashion_acc, pre_file))
    -- Fashion-MNIST's 55 MB of images go before MNIST's come in (peak memory: 162 MiB with both)
    fashion, fashion_test = nil, nil
    collectgarbage()
    nabla._C._trim_heap()

    -- 2. MNIST with few labels ------------------------------------------------------------
    local mnist = data.mnist{ split = "train", full = true }
    local test = data.mnist{ split = "test", full = true }
    local weak = aug.affine{ rotate = 8, shift = 0.08, p = 0.8 }
    local results, rows = { fashion_test_accuracy = fashion_acc }, {}

    local function train_on(labelled, way)
      local model = Net(c)
      if way ~= "scratch" then
        -- the pretrained features; the classifier stays new (random)
        local sd = {}
        for k, t in pairs(pre:state_dict()) do
          if k:match("^features%.") then sd[k] = t end
        end
        model:load_state_dict(sd, { strict = false })
      end
      if way == "frozen" then model.features:requires_grad_(false) end
      local opt
      if way == "fine-tuned" then
        opt = optim.Adam({
          { params = model.features:parameters(), lr = cfg.lr * cfg.finetune_lr },
          { params = model.classifier:parameters() },
        }, { lr = cfg.lr })
      else
        opt = optim.Adam(trainable(model), { lr = cfg.lr })
      end
      local loader = data.loader(labelled, { batch = 32, shuffle = true, seed = cfg.seed, augment = weak })
      local loss_fn = nn.CrossEntropyLoss()
      local step = 0
      model:train()
      while step < cfg.steps do
        for x, y in loader:iter() do
          local loss = loss_fn(model(x), y)
          opt:zero_grad(); loss:backward(); opt:step()
          step = step + 1
          if step >= cfg.steps then break end
        end
      end
      local n = 0
      for _, p in ipairs(trainable(model)) do n = n + p:numel() end
      return nabla.evaluate(model, test).accuracy, n
    end

    for per_class in cfg.labels:gmatch("%d+") do
      per_class = math.tointeger(tonumber(per_class))
      local labelled = few_labels(mnist, per_class, cfg.seed)
      local row = { n = #labelled }
      for _, way in ipairs({ "frozen", "fine-tuned", "scratch" }) do
        local t0 = nabla.clock()
        local acc, n = train_on(labelled, way)
        row[way], row[way .. "_params"] = acc, n
        results[("%s_%d_accuracy"):format(way:gsub("-", "_"), #labelled)] = acc
        print(("%d labels, %-10s %7d trained parameters: MNIST test accuracy %.2f%%  (%.0f s)"):format(
          #labelled, way, n, 100 * acc, nabla.clock() - t0))
      end
      rows[#rows + 1] = row
    end

    print("\n| MNIST labels | frozen features | fine-tuned | from scratch |\n|---|---|---|---|")
    for _, r in ipairs(rows) do
      print(("| %d | %.2f%% | %.2f%% | %.2f%% |"):format(r.n, 100 * r.frozen, 100 * r["fine-tuned"], 100 * r.scratch))
    end
    print(("(trained parameters: frozen %d, fine-tuned and scratch %d; pretrained on Fashion-MNIST: %.2f%%)"):format(
      rows[1].frozen_params, rows[1].scratch_params, 100 * fashion_acc))
    return results
  end,
}

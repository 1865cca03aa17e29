-- The data of the regularization lesson, rebuilt independently of the learner's session,
-- and what the checks measure on it: 500 MNIST digits shrunk to 14×14 where every 5th label
-- is the next digit, and the 500 test digits as the validation set. A lesson takes it with
--   local D = require("nabla.lesson").lib("noisy_digits")
local function nb() return require "nabla" end
local M = {}

local cache
-- { x, truth, noisy, vx, vy }: the training images and their true and noisy labels, the
-- validation images and labels (built once)
function M.data()
  if cache then return cache end
  local n = nb()
  local digits = n.data.mnist { split = "train", small = true }
  local ids = {}
  for i = 1, 500 do ids[i] = 4 * i - 3 end
  local x, y = digits:batch(ids)
  local truth = y:tolist()
  local noisy = {}
  for i = 1, 500 do noisy[i] = (i % 5 == 0) and (truth[i] % 10 + 1) or truth[i] end
  local test = n.data.mnist { split = "test", small = true }
  local vids = {}
  for i = 1, #test do vids[i] = i end
  local vx, vy = test:batch(vids)
  cache = { x = n.avg_pool2d(x, 2), truth = truth, noisy = noisy, vx = n.avg_pool2d(vx, 2), vy = vy }
  return cache
end

-- { x, y }: the untouched test digits of the last step, 500 other digits of the training
-- file (every 4th from the 3rd: never trained on, never used to choose), 14×14
local test_cache
function M.test()
  if test_cache then return test_cache end
  local n = nb()
  local digits = n.data.mnist { split = "train", small = true }
  local ids = {}
  for i = 1, 500 do ids[i] = 4 * i - 1 end
  local x, y = digits:batch(ids)
  test_cache = { x = n.avg_pool2d(x, 2), y = y:tolist() }
  return test_cache
end

-- the model's predictions (1-based classes) on x, in eval mode, restored afterwards
function M.predict(model, x)
  local n = nb()
  local was = model.training
  model:eval()
  local ok, p = pcall(function() return n.no_grad(function() return model(x):argmax(2):tolist() end) end)
  if was then model:train() end
  if not ok then return nil, p end
  return p
end

-- the fraction of x the model classifies as y (a Lua list of classes)
function M.accuracy(model, x, y)
  local p = M.predict(model, x)
  if not p then return nil end
  local hits = 0
  for i = 1, #y do if p[i] == y[i] then hits = hits + 1 end end
  return hits / #y
end

-- how many of the 100 wrong labels (every 5th digit) the model gives back
function M.memorized(model)
  local r = M.data()
  local p = M.predict(model, r.x)
  if not p then return nil end
  local k = 0
  for i = 5, 500, 5 do if p[i] == r.noisy[i] then k = k + 1 end end
  return k
end

return M

-- The committed MNIST subset (2,000 training and 500 test digits) as the checks of the mnist
-- and augmentation lessons see it: loaded once, independently of the learner's variables.
--   local D = require("nabla.lesson").lib("digits")
local function nb() return require "nabla" end
local M = {}

local sets
-- { train, test, tx, ty (the 500 test digits as tensors), x2 (the first two training images) }
function M.sets()
  if not sets then
    local data = nb().data
    sets = { train = data.mnist{ split = "train", small = true }, test = data.mnist{ split = "test", small = true } }
    local ids = {}
    for i = 1, #sets.test do ids[i] = i end
    sets.tx, sets.ty = sets.test:batch(ids)
    sets.x2 = sets.train:batch{ 1, 2 }
  end
  return sets
end

-- the accuracy of model on the 500 test digits, and evaluate's whole result (nil and the
-- error, without its file:line, when the model does not run)
function M.test_accuracy(model)
  local ok, ev = pcall(nb().evaluate, model, M.sets().test)
  if not ok then return nil, require("nabla.lesson").checks.why(ev) end
  return ev.accuracy, ev
end

return M

-- nabla.optim: optimizers (one file per algorithm: sgd.lua, adam.lua, ...), learning-rate
-- schedulers (lr_scheduler.lua) and gradient clipping (clip.lua). Each algorithm's update
-- rule is a C kernel in src/optim/, with its formula in a comment.
--
--   opt = optim.Adam(model:parameters(), { lr = 1e-3 })
--   opt:zero_grad(); loss:backward(); opt:step()
--   sched = optim.lr_scheduler.StepLR(opt, { step_size = 10, gamma = 0.5 })
local optim = {
  Optimizer = require "nabla.optim.optimizer",
  SGD = require "nabla.optim.sgd",
  Adagrad = require "nabla.optim.adagrad",
  Adadelta = require "nabla.optim.adadelta",
  RMSprop = require "nabla.optim.rmsprop",
  Adam = require "nabla.optim.adam",
  AdamW = require "nabla.optim.adamw",
  lr_scheduler = require "nabla.optim.lr_scheduler",
}
optim.clip_grad_norm_ = require("nabla.optim.clip").clip_grad_norm_

return optim

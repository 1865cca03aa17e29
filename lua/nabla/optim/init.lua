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

-- One-line help for each public name, in English and Korean (registered with nabla.help
-- when it is there).
optim.help = {
  ["optim.SGD"] = {
    en = "optim.SGD(params, {lr=, momentum=0, dampening=0, weight_decay=0, nesterov=false}): stochastic gradient descent, with (Nesterov) momentum",
    ko = "optim.SGD(params, {lr=, momentum=0, dampening=0, weight_decay=0, nesterov=false}): 확률적 경사 하강법 (모멘텀, 네스테로프 모멘텀 선택)",
  },
  ["optim.Adagrad"] = {
    en = "optim.Adagrad(params, {lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10}): per-coordinate steps shrinking with the sum of squared gradients",
    ko = "optim.Adagrad(params, {lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10}): 지금까지의 경사 제곱합으로 좌표마다 학습률을 줄이는 방법",
  },
  ["optim.Adadelta"] = {
    en = "optim.Adadelta(params, {lr=1, rho=0.9, eps=1e-6, weight_decay=0}): steps sized by the ratio of running RMS of updates and of gradients",
    ko = "optim.Adadelta(params, {lr=1, rho=0.9, eps=1e-6, weight_decay=0}): 갱신량의 RMS와 경사의 RMS의 비로 보폭을 정하는 방법 (학습률이 거의 필요 없음)",
  },
  ["optim.RMSprop"] = {
    en = "optim.RMSprop(params, {lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=false}): divide the gradient by a running RMS of recent gradients",
    ko = "optim.RMSprop(params, {lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=false}): 최근 경사의 이동 제곱평균 제곱근으로 경사를 나누는 방법",
  },
  ["optim.Adam"] = {
    en = "optim.Adam(params, {lr=1e-3, betas={0.9, 0.999}, eps=1e-8, weight_decay=0, amsgrad=false}): momentum divided by a running RMS, both bias-corrected",
    ko = "optim.Adam(params, {lr=1e-3, betas={0.9, 0.999}, eps=1e-8, weight_decay=0, amsgrad=false}): 모멘텀을 경사의 이동 RMS로 나누는 방법 (편향 보정 포함)",
  },
  ["optim.AdamW"] = {
    en = "optim.AdamW(params, {lr=1e-3, betas={0.9, 0.999}, eps=1e-8, weight_decay=0.01, amsgrad=false}): Adam with decoupled weight decay",
    ko = "optim.AdamW(params, {lr=1e-3, betas={0.9, 0.999}, eps=1e-8, weight_decay=0.01, amsgrad=false}): 가중치 감쇠를 경사와 분리한 Adam",
  },
  ["opt:step"] = {
    en = "opt:step(): update every parameter that has a .grad (parameters with grad nil are skipped)",
    ko = "opt:step(): .grad가 있는 모든 매개변수를 갱신합니다 (grad가 nil인 매개변수는 건너뜀)",
  },
  ["opt:zero_grad"] = {
    en = "opt:zero_grad(): set every parameter's .grad to nil (opt:zero_grad(false) fills them with zeros)",
    ko = "opt:zero_grad(): 모든 매개변수의 .grad를 nil로 지웁니다 (opt:zero_grad(false)는 0으로 채움)",
  },
  ["opt:state_dict"] = {
    en = "opt:state_dict(): the optimizer's state {state = {[i] = {...}}, param_groups = {...}} (PyTorch's layout, 1-based); load with opt:load_state_dict(sd)",
    ko = "opt:state_dict(): 최적화기의 상태 {state = {[i] = {...}}, param_groups = {...}} (PyTorch 구조, 1부터 번호); opt:load_state_dict(sd)로 불러옴",
  },
  ["optim.lr_scheduler.StepLR"] = {
    en = "optim.lr_scheduler.StepLR(opt, {step_size=, gamma=0.1}): multiply the learning rate by gamma every step_size sched:step() calls",
    ko = "optim.lr_scheduler.StepLR(opt, {step_size=, gamma=0.1}): sched:step()을 step_size번 부를 때마다 학습률에 gamma를 곱함",
  },
  ["optim.lr_scheduler.ExponentialLR"] = {
    en = "optim.lr_scheduler.ExponentialLR(opt, {gamma=}): multiply the learning rate by gamma at every sched:step()",
    ko = "optim.lr_scheduler.ExponentialLR(opt, {gamma=}): sched:step()마다 학습률에 gamma를 곱함",
  },
  ["optim.lr_scheduler.CosineAnnealingLR"] = {
    en = "optim.lr_scheduler.CosineAnnealingLR(opt, {T_max=, eta_min=0}): lower the learning rate along half a cosine to eta_min over T_max steps",
    ko = "optim.lr_scheduler.CosineAnnealingLR(opt, {T_max=, eta_min=0}): T_max 단계 동안 학습률을 코사인 곡선을 따라 eta_min까지 낮춤",
  },
  ["optim.lr_scheduler.OneCycleLR"] = {
    en = "optim.lr_scheduler.OneCycleLR(opt, {max_lr=, total_steps=, pct_start=0.3, anneal_strategy='cos', div_factor=25, final_div_factor=1e4, three_phase=false}): warm up to max_lr then anneal; step once per batch",
    ko = "optim.lr_scheduler.OneCycleLR(opt, {max_lr=, total_steps=, pct_start=0.3, anneal_strategy='cos', div_factor=25, final_div_factor=1e4, three_phase=false}): 학습률을 max_lr까지 올렸다가 낮춤 (배치마다 step)",
  },
  ["optim.lr_scheduler.ReduceLROnPlateau"] = {
    en = "optim.lr_scheduler.ReduceLROnPlateau(opt, {mode='min', factor=0.1, patience=10, threshold=1e-4, threshold_mode='rel', cooldown=0, min_lr=0}): sched:step(val_loss) lowers the learning rate when the metric stops improving",
    ko = "optim.lr_scheduler.ReduceLROnPlateau(opt, {mode='min', factor=0.1, patience=10, threshold=1e-4, threshold_mode='rel', cooldown=0, min_lr=0}): sched:step(검증 손실)에서 지표가 나아지지 않으면 학습률을 낮춤",
  },
  ["optim.clip_grad_norm_"] = {
    en = "clip_grad_norm_(params, max_norm, norm_type=2): scale all gradients down so that their joint norm is at most max_norm; returns the norm before clipping",
    ko = "clip_grad_norm_(params, max_norm, norm_type=2): 모든 경사를 함께 본 노름이 max_norm을 넘지 않도록 줄임 (경사 클리핑); 줄이기 전의 노름을 반환",
  },
}

local objects = {
  ["optim.SGD"] = optim.SGD, ["optim.Adagrad"] = optim.Adagrad,
  ["optim.Adadelta"] = optim.Adadelta, ["optim.RMSprop"] = optim.RMSprop,
  ["optim.Adam"] = optim.Adam, ["optim.AdamW"] = optim.AdamW,
  ["opt:step"] = optim.Optimizer.step, ["opt:zero_grad"] = optim.Optimizer.zero_grad,
  ["opt:state_dict"] = optim.Optimizer.state_dict,
  ["optim.lr_scheduler.StepLR"] = optim.lr_scheduler.StepLR,
  ["optim.lr_scheduler.ExponentialLR"] = optim.lr_scheduler.ExponentialLR,
  ["optim.lr_scheduler.CosineAnnealingLR"] = optim.lr_scheduler.CosineAnnealingLR,
  ["optim.lr_scheduler.OneCycleLR"] = optim.lr_scheduler.OneCycleLR,
  ["optim.lr_scheduler.ReduceLROnPlateau"] = optim.lr_scheduler.ReduceLROnPlateau,
  ["optim.clip_grad_norm_"] = optim.clip_grad_norm_,
}

local ok, help = pcall(require, "nabla.help")
if ok and type(help) == "table" and type(help.register) == "function" then
  for name, text in pairs(optim.help) do
    pcall(help.register, objects[name], { name = name, en = text.en, ko = text.ko })
  end
end

return optim

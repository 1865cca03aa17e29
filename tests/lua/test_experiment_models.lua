-- The supervised MNIST experiments' models (experiments/mnist-*.lua, `exp.model(cfg)`), with
-- their default configs and the variants their options build (batch norm, channel dropout):
-- the parameter counts their header comments describe, (B, 10) scores in training and in
-- evaluation mode, and a finite gradient for every parameter. The full runs take minutes
-- and the full data set; their results are kept in experiments/results/ (tools/results.lua).
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local run = require "nabla.run"

local EXP = (os.getenv("NABLA_TESTS") or "tests") .. "/../experiments/"

local function load(name)
  local exp = dofile(EXP .. name .. ".lua")
  T.eq(exp.name, name)
  return exp
end

local function count(model)
  local n = 0
  for _, p in ipairs(model:parameters()) do n = n + p:numel() end
  return n
end

-- forward two images in both modes, backward once: every parameter gets a finite gradient
local function exercise(model, name)
  nabla.manual_seed(3)
  local x = nabla.rand(2, 1, 28, 28)
  model:train()
  local out = model(x)
  T.eq(tostring(out.shape), "[2,10]", name .. ": training scores")
  out:pow(2):sum():backward()
  for i, p in ipairs(model:parameters()) do
    T.ok(p.grad ~= nil, name .. ": parameter " .. i .. " has a gradient")
    local s = p.grad:abs():sum():item()
    T.ok(s == s and s < math.huge, name .. ": parameter " .. i .. " gradient finite")
  end
  model:eval()
  T.eq(tostring(model(x).shape), "[2,10]", name .. ": evaluation scores")
end

local function conv(cin, cout, k, bias) return cin * cout * k * k + (bias and cout or 0) end
local function linear(i, o, bias) return i * o + (bias == false and 0 or o) end

T.test("mnist-cnn: 32c3-pool-64c3-pool-fc128-10, and its batch-norm / channel-dropout variants", function()
  local exp = load("mnist-cnn")
  local cfg = run.parse({}, exp.config)
  T.ok(cfg.augment, "augmentation is on by default")
  local m = exp.model(cfg)
  T.eq(count(m), conv(1, 32, 3, true) + conv(32, 64, 3, true) + linear(3136, 128) + linear(128, 10))
  exercise(m, "mnist-cnn")
  cfg = run.parse({ "--batchnorm", "--dropout2d", "0.1" }, exp.config)
  m = exp.model(cfg)
  T.eq(count(m), conv(1, 32, 3, false) + 2 * 32 + conv(32, 64, 3, false) + 2 * 64 + linear(3136, 128) + linear(128, 10))
  local names = {}
  for _, mod in ipairs(m:modules()) do names[#names + 1] = mod.__name end
  names = table.concat(names, " ")
  T.ok(names:find("BatchNorm2d", 1, true) and names:find("Dropout2d", 1, true), "the variant's layers: " .. names)
  exercise(m, "mnist-cnn --batchnorm --dropout2d 0.1")
end)

T.test("mnist-allconv: five convolutions, global average pooling, a 1×1 convolution; with batch norm", function()
  local exp = load("mnist-allconv")
  local defaults = run.parse({}, exp.config)
  T.ok(defaults.batchnorm and defaults.augment, "batch norm and augmentation are on by default")
  local c = 32
  local convs = { { 1, c }, { c, c }, { c, 2 * c }, { 2 * c, 2 * c }, { 2 * c, 4 * c } }
  for _, bn in ipairs{ false, true } do
    local cfg = run.parse({ "--batchnorm", tostring(bn) }, exp.config)
    T.eq(cfg.batchnorm, bn)
    local m = exp.model(cfg)
    local want = conv(4 * c, 10, 1, true)
    for _, io in ipairs(convs) do
      want = want + conv(io[1], io[2], 3, not bn) + (bn and 2 * io[2] or 0)
    end
    T.eq(count(m), want, "parameters, batchnorm " .. tostring(bn))
    exercise(m, "mnist-allconv" .. (bn and " --batchnorm" or ""))
  end
end)

T.test("mnist-augment, mnist-rnn, mnist-mlp: default models", function()
  for _, name in ipairs{ "mnist-augment", "mnist-rnn", "mnist-mlp" } do
    local exp = load(name)
    local m = exp.model(run.parse({}, exp.config))
    T.ok(count(m) > 0, name .. ": parameters")
    exercise(m, name)
  end
end)

T.done()

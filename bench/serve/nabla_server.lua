-- bench/serve: the MNIST MLP or CNN of experiments/, freshly initialised (seed 1), saved as
-- safetensors for the Flask + PyTorch server to load, then served by nabla until killed.
--   nabla bench/serve/nabla_server.lua mlp|cnn PORT WEIGHTS.safetensors
local nabla = require "nabla"
local kind, port, weights = arg[1], math.tointeger(tonumber(arg[2])), arg[3]
local src = nabla.lua_dir .. "/.."
local exp = dofile(("%s/experiments/mnist-%s.lua"):format(src, kind))
local cfg = {}
for k, v in pairs(exp.config) do cfg[k] = v end
nabla.manual_seed(1)
local model = exp.model(cfg)
model:eval()
nabla.save(weights, model)
local srv = nabla.serve{ model = model, port = port, quiet = true, queue = 256 }
print("ready " .. srv:url())
io.stdout:flush()
pcall(require("nabla.serve").loop)
srv:stop()

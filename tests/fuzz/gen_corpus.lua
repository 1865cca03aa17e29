-- Writes the seed corpora of tests/fuzz/corpus/ (committed; rerun after a format change):
--   ./build/nabla tests/fuzz/gen_corpus.lua
-- idx/: small IDX files of every element type and rank, empty and zero-sized ones.
-- checkpoint/: a training checkpoint of the fuzzers' model (Linear(3,4), ReLU, Linear(4,2);
-- Adam; StepLR) after 2 epochs, the same model saved with nabla.save, an empty safetensors.
-- ops/: byte strings that choose the op sequences of opseq.lua (some of each kind).
local nabla = require "nabla"
local nn, optim = nabla.nn, nabla.optim
local here = arg and arg[0] and arg[0]:match("^(.*)/[^/]*$") or "tests/fuzz"
local root = here .. "/corpus"
for _, d in ipairs({ "idx", "checkpoint", "ops" }) do os.execute(("mkdir -p '%s/%s'"):format(root, d)) end
local function write(name, s) local f = assert(io.open(root .. "/" .. name, "wb")) f:write(s) f:close() end
local function be32(n) return string.pack(">I4", n) end

-- idx
local function idx(type, dims, body) local h = "\0\0" .. string.char(type, #dims)
  for _, d in ipairs(dims) do h = h .. be32(d) end
  return h .. body end
write("idx/u8_3d", idx(8, { 2, 3, 3 }, string.rep("\1\2\3", 6)))
write("idx/u8_1d", idx(8, { 4 }, "\0\1\2\255"))
write("idx/u8_0d", idx(8, {}, "\7"))
write("idx/u8_empty", idx(8, { 0, 28, 28 }, ""))
write("idx/s8", idx(9, { 3 }, "\255\0\1"))
write("idx/short", idx(11, { 2 }, "\1\2\255\254"))
write("idx/int", idx(12, { 2 }, "\0\0\0\1\255\255\255\255"))
write("idx/float", idx(13, { 2 }, string.pack(">ff", 1.5, -2)))
write("idx/double", idx(14, { 1, 2 }, string.pack(">dd", 1.5, -2)))
write("idx/huge_after_zero", idx(8, { 0, 4294967295, 4294967295 }, ""))

-- checkpoint
local dir = os.tmpname(); os.remove(dir); os.execute("mkdir -p '" .. dir .. "'")
nabla.manual_seed(1)
local m = nn.Sequential{ nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2) }
local opt = optim.Adam(m:parameters(), { lr = 0.01 })
local sched = optim.lr_scheduler.StepLR(opt, { step_size = 2 })
nabla.fit(m, { nabla.randn(6, 3), nabla.tensor{ 1, 2, 1, 2, 2, 1 } },
  { epochs = 2, optimizer = opt, scheduler = sched, quiet = true, checkpoint = dir })
local f = assert(io.open(dir .. "/last.safetensors", "rb")); write("checkpoint/train_state", f:read("a")); f:close()
nabla.save(dir .. "/m.safetensors", m, { metadata = { note = "x\127y" } })
f = assert(io.open(dir .. "/m.safetensors", "rb")); write("checkpoint/model", f:read("a")); f:close()
write("checkpoint/empty", string.pack("<I8", 2) .. "{}")
os.execute("rm -rf '" .. dir .. "'")

-- ops: a few fixed programs and random ones
nabla.manual_seed(2)
for i = 1, 24 do
  local t = {}
  for k = 1, 40 do t[k] = string.char(math.floor(nabla.rand(1):item() * 256) % 256) end
  write(("ops/random%02d"):format(i), table.concat(t))
end
write("ops/empty", "")
write("ops/small_tanh", "\0\1\2\2\3\8\0\0")
print("corpus written under " .. root)

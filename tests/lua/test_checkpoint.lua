-- Checkpoints (lua/nabla/checkpoint.lua): safetensors round trips, a file written by
-- PyTorch (tests/golden/torch_cnn.safetensors, from gen_nn.py) loading into the matching
-- nabla model, clear errors for truncated, corrupted and lying files (and no crash on
-- random damage), and atomic writes that never leave a partial file.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local nn = nabla.nn
local ck = require "nabla.checkpoint"

local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p '" .. dir .. "'"))
local function path(name) return dir .. "/" .. name end
local function read(p) local f = assert(io.open(p, "rb")) local s = f:read("a") f:close() return s end
local function write(p, s) local f = assert(io.open(p, "wb")) f:write(s) f:close() end
local function exists(p) local f = io.open(p, "rb") if f then f:close() end return f ~= nil end

local function cnn()
  return nn.Sequential{ nn.Conv2d(1, 4, 3, { padding = 1 }), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(36, 5) }
end

T.test("round trip: a model's state dict, keys in order, metadata, 0-d and empty tensors", function()
  nabla.manual_seed(7)
  local m = cnn()
  m(nabla.randn(2, 1, 6, 6))                                   -- running statistics move
  T.eq(nabla.save(path("m.safetensors"), m, { metadata = { epoch = 3, note = "ünïcode \"q\"\n" } }),
    path("m.safetensors"))
  local sd, meta = nabla.load(path("m.safetensors"))
  local want, got = {}, {}
  for k, v in pairs(m:state_dict()) do want[#want + 1] = k
    T.near(sd[k], v, 0, 0, k)
  end
  for k in pairs(sd) do got[#got + 1] = k end
  T.eq(table.concat(got, " "), table.concat(want, " "), "keys in the model's order")
  T.eq(meta.epoch, "3")
  T.eq(meta.note, "ünïcode \"q\"\n")
  T.eq(#sd["1.num_batches_tracked"].shape, 0, "0-d stays 0-d")
  local m2 = cnn():load(path("m.safetensors"))
  m:eval(); m2:eval()
  local x = nabla.randn(3, 1, 6, 6)
  T.near(m2(x), m(x), 0, 0, "the loaded model computes the same")
  T.ok(#read(path("m.safetensors")) % 8 == 0, "data starts 8-byte aligned")
  T.ok(not exists(path("m.safetensors.tmp")), "no temporary file left")
  -- a plain table, non-contiguous and empty tensors
  local t = nabla.arange(6):view(2, 3):t()
  ck.save(path("t.safetensors"), { b = t, a = nabla.zeros(0, 4), c = nabla.tensor(2.5) })
  local back = ck.load(path("t.safetensors"))
  T.near(back.b, t, 0, 0, "a transposed tensor saves its values")
  T.eq(tostring(back.a.shape), "[0,4]")
  T.eq(back.c:item(), 2.5)
end)

T.test("the header is what the format says", function()
  local m = nn.Linear(3, 2)
  ck.save(path("h.safetensors"), m)
  local s = read(path("h.safetensors"))
  local n = string.unpack("<I8", s)
  local header = s:sub(9, 8 + n)
  T.ok(header:match("^{.*}%s*$") ~= nil, "a JSON object padded with spaces")
  local h = ck.json.decode(header)
  T.eq(h.weight.dtype, "F32")
  T.eq(table.concat(h.weight.shape, ","), "2,3")
  T.eq(table.concat(h.weight.data_offsets, ","), "0,24")
  T.eq(table.concat(h.bias.data_offsets, ","), "24,32")
  T.eq(#s, 8 + n + 32)
  T.eq(string.unpack("<f", s, 8 + n + 1), m.weight[{ 1, 1 }]:item(), "little-endian float32 data")
end)

T.test("a file written by PyTorch loads into the matching nabla model", function()
  local g = T.golden("torch_cnn")
  local sd, meta = nabla.load(T.dir .. "/golden/torch_cnn.safetensors")
  T.eq(meta.format, "pt")
  local keys = {}
  for k in pairs(sd) do keys[#keys + 1] = k end
  table.sort(keys)
  local want = { table.unpack(g.keys) }
  table.sort(want)
  T.eq(table.concat(keys, " "), table.concat(want, " "))
  T.eq(sd["1.num_batches_tracked"]:item(), 3, "PyTorch's I64 counter read as a number")
  local m = cnn():load(T.dir .. "/golden/torch_cnn.safetensors"):eval()
  T.near(m(T.from_golden(g.input)), T.from_golden(g.output), 1e-4, 1e-5, "PyTorch's output")
end)

-- ---- damaged files --------------------------------------------------------------------------

-- a file from a header table (encoded here) and data bytes
local function file_with(header_text, data)
  local pad = string.rep(" ", (8 - #header_text % 8) % 8)
  return string.pack("<I8", #header_text + #pad) .. header_text .. pad .. (data or "")
end

local function bad(name, bytes, ...)
  local p = path(name)
  write(p, bytes)
  local err = T.raises(function() nabla.load(p) end, "load:", ...)
  T.ok(err:find(p, 1, true), "the message names the file: " .. err)
  return err
end

T.test("truncated, corrupted and lying files are clear errors", function()
  T.raises(function() nabla.load(path("nope.safetensors")) end, "cannot open", "nope.safetensors")
  bad("empty", "", "0 bytes long, too short")
  bad("short", "abc", "too short")
  bad("huge_len", string.pack("<I8", 1 << 40) .. "{}", "header length field says 1099511627776")
  bad("neg_len", string.pack("<i8", -5) .. "{}      ", "header length field says -5")
  local good = read(path("h.safetensors"))
  bad("truncated_data", good:sub(1, #good - 5), "outside the data section")
  bad("truncated_header", good:sub(1, 20), "header length field says")
  bad("extra_bytes", good .. "xxxx", "cover 32 bytes but the data section has 36")
  bad("not_json", file_with('{"a": [1, 2,]}'), "invalid JSON", "byte")
  bad("not_object", file_with("[1, 2]      "), "does not start with '{'")
  bad("not_utf8", file_with('{"\255": 1}'), "not valid UTF-8")
  local d8 = string.rep("\0", 8)
  bad("bad_dtype", file_with('{"w":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}', d8), "dtype F33")
  bad("shape_lies", file_with('{"w":{"dtype":"F32","shape":[3,3],"data_offsets":[0,8]}}', d8),
    "shape [3,3] of F32 needs 36 bytes", "[0, 8]")
  bad("neg_shape", file_with('{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}', d8), "non-negative integer")
  bad("float_shape", file_with('{"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}', d8), "non-negative integer")
  bad("huge_shape", file_with('{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}', d8),
    "impossibly large")
  bad("offsets_outside", file_with('{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}', d8), "outside the data section")
  bad("offsets_reversed", file_with('{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}', d8), "outside")
  bad("overlap", file_with('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
    .. '"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', d8), "overlap")
  bad("gap", file_with('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', d8), "4 bytes before tensor 'a'")
  bad("missing_field", file_with('{"a":{"dtype":"F32","shape":[2]}}', d8), "data_offsets must be two integers")
  bad("unknown_field", file_with('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}}', d8), "unknown field 'x'")
  bad("entry_not_object", file_with('{"a":[1]}'), "entry 'a' is not an object")
  bad("meta_not_string", file_with('{"__metadata__":{"epoch":3}}'), "__metadata__ value 'epoch' is not a string")
  bad("duplicate", file_with('{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},'
    .. '"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}'), "duplicate key")
  bad("deep", file_with('{"a":' .. string.rep("[", 200) .. string.rep("]", 200) .. "}"), "nesting deeper")
  local dirpath = path("a_directory")
  os.execute("mkdir -p '" .. dirpath .. "'")
  T.raises(function() nabla.load(dirpath) end, "load:", dirpath)
  -- a valid file in the other dtypes PyTorch writes: F64, I64, F16, BF16
  local s = file_with('{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},'
    .. '"h":{"dtype":"F16","shape":[1],"data_offsets":[8,10]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[10,12]},'
    .. '"i":{"dtype":"I64","shape":[],"data_offsets":[12,20]}}',
    string.pack("<d", -1.25) .. "\0\60" .. "\64\64" .. string.pack("<i8", -7))
  write(path("dtypes"), s)
  local sd = nabla.load(path("dtypes"))
  T.eq(sd.d:item(), -1.25); T.eq(sd.h:item(), 1); T.eq(sd.b:item(), 3); T.eq(sd.i:item(), -7)
end)

T.test("random damage never crashes: every load succeeds or raises a load: error", function()
  nabla.manual_seed(8)
  local good = read(path("m.safetensors"))
  math.randomseed(8)
  local errors, loaded = 0, 0
  for trial = 1, 300 do
    local s
    local kind = trial % 3
    if kind == 0 then                                       -- truncate
      s = good:sub(1, math.random(0, #good - 1))
    elseif kind == 1 then                                   -- flip a byte in the header region
      local i = math.random(1, math.min(#good, 400))
      s = good:sub(1, i - 1) .. string.char(math.random(0, 255)) .. good:sub(i + 1)
    else                                                    -- random bytes after a valid length
      local n = math.random(0, 64)
      local t = {}
      for k = 1, n do t[k] = string.char(math.random(0, 255)) end
      s = string.pack("<I8", math.random(0, 80)) .. "{" .. table.concat(t)
    end
    write(path("fuzz"), s)
    local ok, err = pcall(nabla.load, path("fuzz"))
    if ok then loaded = loaded + 1
    else
      errors = errors + 1
      T.ok(tostring(err):find("^load: ") ~= nil, "a load: error, got: " .. tostring(err))
    end
  end
  T.ok(errors > 200, ("%d of 300 damaged files rejected (%d loaded: flips inside data)"):format(errors, loaded))
end)

-- ---- atomic writes ---------------------------------------------------------------------------

T.test("atomic writes: a failed save leaves the old file whole and no partial file", function()
  local p = path("atomic.safetensors")
  local m = nn.Linear(4, 3)
  ck.save(p, m)
  local before = read(p)
  -- a failure in the middle of writing (the disk fills up after the first tensor)
  local raw = nabla._C._tensor_bytes
  local calls = 0
  nabla._C._tensor_bytes = function(t)
    calls = calls + 1
    if calls == 2 then error("No space left on device") end
    return raw(t)
  end
  local ok, err = pcall(ck.save, p, nn.Linear(4, 3))
  nabla._C._tensor_bytes = raw
  T.ok(not ok and err:find("save: writing '" .. p .. "' failed", 1, true) and err:find("No space left", 1, true),
    "the error names the file and the cause: " .. tostring(err))
  T.eq(read(p), before, "the old checkpoint is untouched")
  T.ok(not exists(p .. ".tmp"), "the temporary file was removed")
  -- a tensor closed after the state dict was made
  local sd = m:state_dict()
  local doomed = nabla.randn(10)
  sd["z_last"] = doomed
  do local _ <close> = doomed end
  T.raises(function() ck.save(p, sd) end, "save: 'z_last'", "closed")
  T.eq(read(p), before)
  -- the temporary file cannot be created
  os.execute("mkdir -p '" .. p .. ".tmp'")
  T.raises(function() ck.save(p, m) end, "save:", p)
  T.eq(read(p), before)
  os.execute("rmdir '" .. p .. ".tmp'")
  -- bad arguments are refused before anything is written
  T.raises(function() ck.save(path("x.safetensors"), { w = "not a tensor" }) end, "'w' is a string")
  T.raises(function() ck.save(path("x.safetensors"), nabla.ones(2)) end, "got a tensor")
  T.raises(function() ck.save(path("x.safetensors"), { __metadata__ = nabla.ones(1) }) end, "reserved")
  T.raises(function() ck.save(path("x.safetensors"), m, { metadata = { a = {} } }) end, "metadata must map strings")
  T.raises(function() ck.save(dir .. "/no/such/dir/x.safetensors", m) end, "cannot write")
  T.ok(not exists(path("x.safetensors")), "nothing written")
  -- a save over an existing file replaces it whole
  nabla.no_grad(function() m.weight:fill_(1) end)
  ck.save(p, m)
  T.eq(nabla.load(p).weight:sum():item(), 12)
end)

T.test("JSON: strict parsing and encoding", function()
  local J = ck.json
  T.eq(J.encode(J.decode(' {"a" : [1, -2.5e3, true, false, null, "x\\u00e9\\n"], "b": {}} ')),
    '{"a":[1,-2500,true,false,null,"xé\\n"],"b":[]}')
  T.eq(J.decode('"\\ud83d\\ude00"'), "😀")
  for _, s in ipairs{ "", "{", '{"a"}', "[01]", "[1.]", "[.5]", "[1e]", "[-]", "tru", '"\\q"',
                      '"a\1b"', "[1] 2", '{"a":1,}', "'x'", '"\\ud800"', "NaN" } do
    T.ok(not pcall(J.decode, s), "rejects " .. s)
  end
  T.raises(function() J.encode(0 / 0) end, "not JSON")
end)

os.execute("rm -rf '" .. dir .. "'")
T.done()

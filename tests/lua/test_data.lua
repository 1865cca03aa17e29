-- Data: the committed MNIST subset (checksums, shapes, 1-based labels), IDX files from Lua,
-- the loader (determinism, epochs, drop_last, coverage), splits, CSV, synthetic sets.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local data = nabla.data

local root = (nabla.lua_dir or "lua") .. "/../datasets"
local small = root .. "/mnist-small"
local tmpdir = os.tmpname()
os.remove(tmpdir)
os.execute("mkdir -p '" .. tmpdir .. "'")

local flat = T.flat

-- positions of the examples of a dataset, through the values written into x
local function ids_of(x)
  local out = {}
  for i, v in ipairs(flat(x:contiguous():view(#x, -1):narrow(2, 1, 1))) do out[i] = v end
  return out
end

T.test("committed subset: SHA-256 of every file matches datasets/SHA256SUMS", function()
  local want = {}
  for line in io.lines(root .. "/SHA256SUMS") do
    local sum, name = line:match("^(%x+)%s+(mnist%-small/%S+)$")
    if sum then want[name] = sum end
  end
  local n = 0
  for name, sum in pairs(want) do
    local p = io.popen("sha256sum '" .. root .. "/" .. name .. "'")
    local got = p:read("*a"):match("^(%x+)")
    p:close()
    T.eq(got, sum, name)
    n = n + 1
  end
  T.eq(n, 4, "four mnist-small files listed")
  print(("  %d files of datasets/mnist-small checked"):format(n))
end)

T.test("datasets/fetch: quiet when the files are good, exit 1 with a message otherwise", function()
  -- a scratch copy of the script over the subset's files posing as mnist/ (no network:
  -- a fake npm that fails stands in for the real one)
  local d = tmpdir .. "/fetchtest"
  local function sh(cmd)
    local p = io.popen("(" .. cmd .. ") 2>&1; echo \"exit=$?\"")
    local out = p:read("*a")
    p:close()
    return out:match("^(.-)exit=(%d+)%s*$")
  end
  sh(("mkdir -p '%s/mnist' '%s/bin' && cp '%s/fetch' '%s/' && cp '%s'/* '%s/mnist/'"):format(d, d, root, d, small, d))
  local sums = io.open(d .. "/SHA256SUMS", "w")
  for line in io.lines(root .. "/SHA256SUMS") do
    local sum, name = line:match("^(%x+)%s+mnist%-small/(%S+)$")
    if sum then sums:write(sum, "  mnist/", name, "\n") end
  end
  sums:close()
  local f = io.open(d .. "/bin/npm", "w")
  f:write("#!/bin/sh\necho 'npm ERR! network unreachable' >&2\nexit 1\n")
  f:close()
  local env = ("PATH='%s/bin':\"$PATH\" sh '%s/fetch'"):format(d, d)
  local out, code = sh(env .. " mnist")
  T.eq(code, "0", "good files: exit 0")
  T.eq(out, "", "good files: silent")
  local g = io.open(d .. "/mnist/t10k-labels-idx1-ubyte", "ab")
  g:write("x")
  g:close()
  out, code = sh("chmod +x '" .. d .. "/bin/npm' && " .. env .. " mnist")
  T.eq(code, "1", "a bad file that cannot be fetched again: exit 1")
  T.ok(out:find("checksum mismatch", 1, true) and out:find("npm pack", 1, true), "says why: " .. out)
  print("  " .. out:gsub("\n$", ""):gsub("\n", "\n  "))
  local _, ucode = sh(env .. " nonsense")
  T.eq(ucode, "2", "usage error")
end)

T.test("mnist subset: shapes, 1-based labels, 200 of each class, ds[i]", function()
  local train = data.mnist{ split = "train", path = small }
  local test = data.mnist{ split = "test", path = small }
  T.eq(#train, 2000, "#train")
  T.eq(#test, 500, "#test")
  T.eq(tostring(train.images.shape), tostring(nabla.zeros(2000, 28, 28).shape), "images shape")
  T.ok(nabla.is_bytes(train.images), "images kept as bytes")
  local counts = {}
  for _, c in ipairs(flat(train.labels)) do counts[c] = (counts[c] or 0) + 1 end
  for c = 1, 10 do T.eq(counts[c], 200, "class " .. c) end
  T.eq(counts[0], nil, "no class 0")
  T.eq(train.classes[6], "5", "class 6 is the digit 5")
  -- the first MNIST training digit is a 5
  local x, y = train:get(1)
  T.eq(y, 6, "first label (digit 5 -> class 6)")
  T.eq(tostring(x.shape), tostring(nabla.zeros(1, 28, 28).shape), "one image is (1, 28, 28)")
  local pair = train[1]
  T.eq(pair[2], 6, "ds[1][2]")
  local v = flat(x)
  local mx, mn = -1, 2
  for _, p in ipairs(v) do mx, mn = math.max(mx, p), math.min(mn, p) end
  T.eq(mn, 0, "min pixel")
  T.eq(mx, 1, "max pixel (255/255)")
  -- the same pixels as read_idx gives, divided by 255
  local raw = data.read_idx(small .. "/train-images-idx3-ubyte")
  T.near(x:view(28, 28), raw[1] / 255, 1e-6, 1e-7, "pixels / 255")
  T.raises(function() return train:get(2001) end, "out of range")
  T.raises(function() data.mnist{ split = "validation", path = small } end, "split")
  print("  " .. tostring(train))
end)

T.test("mnist{} finds the full set or falls back to the subset; limit", function()
  local ds = data.mnist{ split = "test", limit = 100 }
  T.eq(#ds, 100, "limit")
  T.eq(#ds.labels, 100, "labels of the limited set")
  local x, y = ds:batch{ 1, 2, 3 }
  T.eq(tostring(x.shape), tostring(nabla.zeros(3, 1, 28, 28).shape), "batch shape")
  T.eq(flat(y)[1], 8, "the first test digit is a 7 (class 8)")
  T.eq(#data.mnist{ split = "train", small = true }, 2000, "small = true: the 2,000-digit subset, full set or not")
  T.eq(#data.mnist{ split = "test", small = true }, 500, "small = true: the 500-digit test subset")
end)

T.test("IDX from Lua: write/read round trip, broken files are Lua errors naming the file", function()
  local t = nabla.tensor{ { 1, 2, 3 }, { 250, 0, 7 } }
  for _, ty in ipairs{ "ubyte", "sbyte", "short", "int", "float", "double" } do
    local p = tmpdir .. "/rt-" .. ty
    local v = ty == "sbyte" and t - 128 or t
    data.write_idx(p, v, ty)
    T.near(data.read_idx(p), v, 0, 0, "round trip " .. ty)
  end
  local b = nabla._C._read_idx_bytes(tmpdir .. "/rt-ubyte")
  T.eq(#b, 2, "#bytes")
  T.near(b:gather({ 2, 1 }), nabla.tensor{ { 250, 0, 7 }, { 1, 2, 3 } }, 0, 0, "bytes gather")
  T.near(b[2], nabla.tensor{ 250, 0, 7 }, 0, 0, "bytes[2]")
  T.raises(function() return nabla._C._read_idx_bytes(tmpdir .. "/rt-float") end, "not ubyte")
  local f = io.open(tmpdir .. "/cut", "wb")
  f:write("\0\0\8\2\0\0\0\2\0\0\0\3\1\2\3")
  f:close()
  T.raises(function() data.read_idx(tmpdir .. "/cut") end, "truncated", tmpdir .. "/cut")
  f = io.open(tmpdir .. "/magic", "wb")
  f:write("\1\0\8\1\0\0\0\1\5")
  f:close()
  T.raises(function() data.read_idx(tmpdir .. "/magic") end, "not an IDX file")
  T.raises(function() data.write_idx(tmpdir .. "/bad", t * 2, "ubyte") end, "does not fit")
  T.raises(function() data.read_idx(tmpdir .. "/nope") end, "cannot open")
end)

-- a dataset whose x rows hold their own position, to follow examples through the loader
local function numbered(n)
  local xs, ys = {}, {}
  for i = 1, n do xs[i], ys[i] = { i, -i }, (i - 1) % 3 + 1 end
  return data.dataset(nabla.tensor(xs), nabla.tensor(ys), { classes = { "a", "b", "c" } })
end

local function epoch_ids(loader)
  local ids, sizes = {}, {}
  for x, y in loader:iter() do
    sizes[#sizes + 1] = #x
    for _, v in ipairs(ids_of(x)) do ids[#ids + 1] = v end
  end
  return ids, sizes
end

T.test("loader: deterministic given the seed, new order each epoch, drop_last, coverage", function()
  local ds = numbered(103)
  local a = data.loader(ds, { batch = 10, shuffle = true, seed = 7 })
  local b = data.loader(ds, { batch = 10, shuffle = true, seed = 7 })
  local c = data.loader(ds, { batch = 10, shuffle = true, seed = 8 })
  T.eq(#a, 11, "#loader (ceil)")
  local a1, sizes = epoch_ids(a)
  local b1 = epoch_ids(b)
  local c1 = epoch_ids(c)
  T.eq(table.concat(a1, ","), table.concat(b1, ","), "same seed, same order")
  T.ok(table.concat(a1, ",") ~= table.concat(c1, ","), "different seed, different order")
  T.eq(sizes[11], 3, "last batch is the remainder")
  local sorted = table.move(a1, 1, #a1, 1, {})
  table.sort(sorted)
  for i = 1, 103 do T.eq(sorted[i], i, "every example exactly once") end
  local a2 = epoch_ids(a)
  local b2 = epoch_ids(b)
  T.ok(table.concat(a1, ",") ~= table.concat(a2, ","), "epoch 2 has a new order")
  T.eq(table.concat(a2, ","), table.concat(b2, ","), "epoch 2 agrees across equal seeds")
  local d = data.loader(ds, { batch = 10, drop_last = true })
  T.eq(#d, 10, "#loader with drop_last")
  local d1, dsz = epoch_ids(d)
  T.eq(#d1, 100, "drop_last drops the remainder")
  T.eq(dsz[10], 10, "full batches only")
  for i = 1, 100 do T.eq(d1[i], i, "no shuffle keeps the order") end
  -- `for x, y in loader do` works like loader:iter(), epoch after epoch
  local e = data.loader(ds, { batch = 50, shuffle = true, seed = 7 })
  local f = data.loader(ds, { batch = 50, shuffle = true, seed = 7 })
  for _ = 1, 2 do
    local got, want = {}, {}
    for x in e do for _, v in ipairs(ids_of(x)) do got[#got + 1] = v end end
    for x in f:iter() do for _, v in ipairs(ids_of(x)) do want[#want + 1] = v end end
    T.eq(table.concat(got, ","), table.concat(want, ","), "for-in over the loader = iter()")
    T.eq(#got, 103, "a whole epoch through the for-in form")
  end
  -- without a seed, manual_seed reproduces the loader
  nabla.manual_seed(3)
  local g1 = epoch_ids(data.loader(ds, { batch = 10, shuffle = true }))
  nabla.manual_seed(3)
  local g2 = epoch_ids(data.loader(ds, { batch = 10, shuffle = true }))
  T.eq(table.concat(g1, ","), table.concat(g2, ","), "manual_seed reproduces an unseeded loader")
end)

T.test("loader on MNIST: x (B,1,28,28) in [0,1], y 1-based class ids; augmented batches reproducible", function()
  local train = data.mnist{ split = "train", path = small }
  local loader = data.loader(train, { batch = 64, shuffle = true, seed = 1 })
  local x, y = loader:iter()()
  T.eq(tostring(x.shape), tostring(nabla.zeros(64, 1, 28, 28).shape), "x shape")
  T.eq(tostring(y.shape), tostring(nabla.zeros(64).shape), "y shape")
  for _, c in ipairs(flat(y)) do T.ok(c >= 1 and c <= 10 and c == math.floor(c), "class id " .. c) end
  local a = nabla.aug.affine{ rotate = 15, shift = 0.1, p = 1 }
  local l1 = data.loader(train, { batch = 32, shuffle = true, seed = 5, augment = a })
  local l2 = data.loader(train, { batch = 32, shuffle = true, seed = 5, augment = a })
  local x1, y1 = l1:iter()()
  nabla.randn(100)   -- the global RNG moves on between the two: the loader's seed decides
  local x2, y2 = l2:iter()()
  T.near(x1, x2, 0, 0, "same seed, same augmented batch")
  T.near(y1, y2, 0, 0, "same labels")
  local plain = data.loader(train, { batch = 32, shuffle = true, seed = 5 }):iter()()
  local diff = 0
  for i, v in ipairs(flat(plain - x1)) do diff = math.max(diff, math.abs(v)) end
  T.ok(diff > 0.1, "the augmentation changed the batch")
  -- mixup in the loader: soft targets (B, 10) whose rows sum to 1, and y_a, y_b, lam
  local lm = data.loader(train, { batch = 16, seed = 2, augment = nabla.aug.mixup{ alpha = 0.4 } })
  local xm, soft, ya, yb, lam = lm:iter()()
  T.eq(tostring(soft.shape), tostring(nabla.zeros(16, 10).shape), "soft targets shape")
  local s = soft:tolist()
  for i = 1, 16 do
    local sum = 0
    for j = 1, 10 do sum = sum + s[i][j] end
    T.near(sum, 1, 1e-6, 1e-6, "soft row sums to 1")
  end
  T.ok(lam >= 0 and lam <= 1, "lam in [0, 1]")
  T.eq(#ya, 16, "y_a")
  T.eq(#yb, 16, "y_b")
  T.eq(#xm, 16, "mixed batch")
end)

T.test("generic datasets: {x, y} tables and objects with __len and ds[i]", function()
  local x = nabla.tensor{ { 1 }, { 2 }, { 3 }, { 4 }, { 5 } }
  local y = nabla.tensor{ 1, 2, 1, 2, 1 }
  local n = 0
  for xb, yb in data.loader({ x, y }, { batch = 2 }) do n = n + #xb; T.eq(#yb, #xb, "y with x") end
  T.eq(n, 5, "all rows of a {x, y} pair")
  local custom = setmetatable({}, {
    __len = function() return 4 end,
    __index = function(_, i) if type(i) == "number" then return { nabla.full({ 2 }, i), i } end end,
  })
  local got = {}
  for xb, yb in data.loader(custom, { batch = 3 }) do
    for _, v in ipairs(flat(yb)) do got[#got + 1] = math.tointeger(v) end
    T.eq(xb.shape[2], 2, "stacked items")
  end
  T.eq(table.concat(got, ","), "1,2,3,4", "custom dataset in order")
end)

T.test("MNIST storage stays uint8; batches are made in C and equal the float path", function()
  -- the images are held as bytes: loading a set adds its labels to the tensor memory, not
  -- its images (2,000 float images would be 6.3 MB)
  collectgarbage()
  local before = nabla.tensor_bytes()
  local train = data.mnist{ split = "train", path = small }
  local grew = nabla.tensor_bytes() - before
  T.ok(grew < 64 * 1024, ("loading 2,000 images added %d bytes of float tensors (labels only)"):format(grew))
  T.ok(nabla.is_bytes(train.x), "storage is nabla.Bytes")
  T.eq(train.x.dtype, "uint8", "dtype uint8")
  T.eq(train.x:numel(), 2000 * 28 * 28, "one byte per pixel")
  -- a held-out split shares that storage (no copy)
  local tr, va = data.split(train, { 500 }, { seed = 7 })
  T.ok(rawequal(tr.x, train.x) and rawequal(va.x, train.x), "split parts share the bytes")
  -- batches: the same numbers as the float path (read_idx / 255, rows picked in Lua)
  local raw = data.read_idx(small .. "/train-images-idx3-ubyte") / 255
  local x = data.loader(va, { batch = 64 }):iter()()
  T.eq(tostring(x.shape), tostring(nabla.zeros(64, 1, 28, 28).shape), "batch shape")
  for k = 1, 64, 3 do
    local row = va.index[k]
    T.near(x[k]:view(28, 28), raw[row], 0, 0, ("batch row %d is image %d / 255"):format(k, row))
  end
  -- augmentation works on the batch: the same seed gives the same augmented batch, and
  -- the identity transform (p = 0) leaves the C-converted batch exactly as it was
  local a = nabla.aug.affine{ rotate = 10, shift = 0.1, p = 1 }
  local x1 = data.loader(va, { batch = 32, seed = 5, augment = a }):iter()()
  local x2 = data.loader(va, { batch = 32, seed = 5, augment = a }):iter()()
  T.near(x1, x2, 0, 0, "augmented batches reproduce from the seed")
  -- the fused path (bytes converted and transformed in one C pass) gives the batch of the
  -- two steps: gather to float, then aug.affine (a plain function forces the two steps)
  local two = data.loader(va, { batch = 32, seed = 5, augment = function(x) return a(x) end }):iter()()
  T.near(x1, two, 0, 0, "fused gather + affine == gather, then affine (bit for bit)")
  local half = nabla.aug.affine{ rotate = 15, scale = 0.1, shear = 5, shift = 0.1, p = 0.5 }
  local l1 = data.loader(va, { batch = 50, shuffle = true, seed = 9, augment = half })
  local l2 = data.loader(va, { batch = 50, shuffle = true, seed = 9, augment = function(x) return half(x) end })
  for _ = 1, 2 do   -- two epochs: the second has a new order and new draws
    local it1, it2 = l1:iter(), l2:iter()
    for _ = 1, 3 do
      local xa, ya = it1()
      local xb, yb = it2()
      T.near(xa, xb, 0, 0, "fused == two steps, p = 0.5")
      T.near(ya, yb, 0, 0, "labels")
    end
  end
  T.near(va.x:gather_affine({ 1, 2 }, 1 / 255, 0, 0, 1, 0, 0, 0, 0), va.x:gather({ 1, 2 }, 1 / 255, 0):view(2, 1, 28, 28),
         0, 0, "identity parameters: the plain conversion")
  T.raises(function() va.x:gather_affine({ 0 }, 1, 0, 0, 1, 0, 0, 0, 0) end, "out of range")
  T.raises(function() va.x:gather_affine({ 1 }, 1, 0, 0, 0, 0, 0, 0, 0) end, "squashes")
  local plain = data.loader(va, { batch = 32 }):iter()()
  local same = data.loader(va, { batch = 32, seed = 5, augment = nabla.aug.affine{ rotate = 10, p = 0 } }):iter()()
  T.near(same, plain, 0, 0, "p = 0: the batch unchanged")
end)

T.test("data.split: held-out counts come last, the rest first", function()
  local ds = numbered(100)
  local tr, va = data.split(ds, { 10 }, { seed = 1 })
  T.eq(#tr, 90, "the rest")
  T.eq(#va, 10, "held out")
  local tr2, va2 = data.split(ds, { 10 }, { seed = 1 })
  T.eq(table.concat(va.index, ","), table.concat(va2.index, ","), "same seed, same split")
  local seen = {}
  for _, r in ipairs(tr.index) do seen[r] = true end
  for _, r in ipairs(va.index) do T.ok(not seen[r], "disjoint"); seen[r] = true end
  for i = 1, 100 do T.ok(seen[i], "covering") end
  local rest, a, b = data.split(ds, { 5, 15 }, { shuffle = false })
  T.eq(#rest .. "," .. #a .. "," .. #b, "80,5,15", "several held-out parts")
  T.eq(a:get(1)[1]:item(), 81, "unshuffled: held-out parts are the last examples")
  T.raises(function() data.split(ds, { 60, 50 }) end, "sum")
  T.raises(function() data.split(ds, { -1 }) end, "non-negative")
  T.raises(function() data.split(ds, "x") end, "sizes")
end)

T.test("split, kfold, bootstrap", function()
  local ds = numbered(100)
  local tr, va = data.split(ds, { 0.8, 0.2 }, { seed = 1 })
  T.eq(#tr, 80, "train part")
  T.eq(#va, 20, "validation part")
  local seen = {}
  for _, part in ipairs{ tr, va } do
    local x = part:batch((function() local t = {} for i = 1, #part do t[i] = i end return t end)())
    for _, v in ipairs(ids_of(x)) do
      T.ok(not seen[v], "disjoint parts")
      seen[v] = true
    end
  end
  for i = 1, 100 do T.ok(seen[i], "the parts cover the dataset") end
  local a, b, c = data.split(ds, { 50, 30, 20 }, { shuffle = false })
  T.eq(#a + #b + #c, 100, "counts")
  T.eq(c:get(1)[1]:item(), 81, "unshuffled split keeps the order")
  local first, rest = data.split(ds, 90)
  T.eq(#first, 90, "a single count")
  T.eq(#rest, 10, "and the rest")
  T.raises(function() data.split(ds, { 0.5, 0.2 }) end, "sum")
  -- a subset of a subset maps to the right rows, and labels follow
  local sub = tr:subset{ 1, 2 }
  T.eq(sub:get(2)[1]:item(), tr:get(2)[1]:item(), "subset of a subset")
  -- kfold: k disjoint validation folds covering everything
  local folds, cover = 0, {}
  for train, val, i in data.kfold(ds, 5, { seed = 3 }) do
    folds = folds + 1
    T.eq(i, folds, "fold number")
    T.eq(#train + #val, 100, "train + val")
    T.eq(#val, 20, "fold size")
    local ids = {}
    for j = 1, #val do ids[j] = j end
    for _, v in ipairs(ids_of(val:batch(ids))) do
      T.ok(not cover[v], "each example validates once")
      cover[v] = true
    end
  end
  T.eq(folds, 5, "five folds")
  for i = 1, 100 do T.ok(cover[i], "folds cover the dataset") end
  -- bootstrap: #ds draws with replacement; out-of-bag = never drawn; seeded
  local s1, oob = data.bootstrap(ds, { seed = 11 })
  local s2 = data.bootstrap(ds, { seed = 11 })
  T.eq(#s1, 100, "bootstrap size")
  local drawn, distinct = {}, 0
  for j = 1, #s1 do
    local v = s1:get(j)[1]:item()
    if not drawn[v] then distinct = distinct + 1 end
    drawn[v] = true
    T.eq(v, s2:get(j)[1]:item(), "same seed, same sample")
  end
  T.eq(distinct + #oob, 100, "distinct drawn + out-of-bag = all")
  T.ok(distinct > 50 and distinct < 75, "about 63% distinct (" .. distinct .. ")")
  for j = 1, #oob do T.ok(not drawn[oob:get(j)[1]:item()], "out-of-bag never drawn") end
end)

T.test("csv: header detection, values, NaN, errors naming the line", function()
  local p = tmpdir .. "/t.csv"
  local f = io.open(p, "w")
  f:write("a,b,\"c\"\n1,2,3\n4.5, -1e2 ,NA\n\n7,8,9\n")
  f:close()
  local t, names = data.csv(p)
  T.eq(table.concat(names, "|"), "a|b|c", "header")
  T.eq(tostring(t.shape), tostring(nabla.zeros(3, 3).shape), "shape")
  local v = flat(t)
  T.eq(v[4], 4.5, "value")
  T.eq(v[5], -100, "spaces and exponent")
  T.ok(v[6] ~= v[6], "NA is NaN")
  -- header = false: the first row is data, so its text is an error naming line 1
  T.raises(function() data.csv(p, { header = false }) end, ":1", "not a number")
  local f2 = io.open(tmpdir .. "/plain.csv", "w")
  f2:write("1,2\n3,4\n")
  f2:close()
  local t3, n3 = data.csv(tmpdir .. "/plain.csv")
  T.eq(n3, nil, "no header detected in numbers")
  T.near(t3, nabla.tensor{ { 1, 2 }, { 3, 4 } }, 0, 0, "headerless values")
end)

T.test("csv errors", function()
  local p = tmpdir .. "/bad.csv"
  local f = io.open(p, "w")
  f:write("1,2\n3,x\n")
  f:close()
  T.raises(function() data.csv(p) end, ":2", "column 2", "not a number")
  f = io.open(p, "w")
  f:write("1;2\n3;4;5\n")
  f:close()
  T.raises(function() data.csv(p, { sep = ";" }) end, ":2", "3 fields")
  T.raises(function() data.csv(tmpdir .. "/none.csv") end, "cannot open")
end)

T.test("synthetic sets: shapes, classes, reproducible from manual_seed", function()
  nabla.manual_seed(1)
  local lin = data.linear{ n = 50, w = { 2, -3 }, b = 0.5, noise = 0 }
  T.eq(tostring(lin.x.shape), tostring(nabla.zeros(50, 2).shape), "linear x")
  T.eq(tostring(lin.y.shape), tostring(nabla.zeros(50, 1).shape), "linear y")
  local xv, yv = lin.x:tolist(), lin.y:tolist()
  for i = 1, 50 do T.near(yv[i][1], 2 * xv[i][1] - 3 * xv[i][2] + 0.5, 1e-5, 1e-5, "y = x·w + b") end
  local s = data.sin{ n = 30, noise = 0 }
  local sx, sy = flat(s.x), flat(s.y)
  for i = 1, 30 do T.near(sy[i], math.sin(sx[i]), 1e-5, 1e-6, "sin") end
  for _, name in ipairs{ "moons", "circles", "spirals", "blobs" } do
    nabla.manual_seed(42)
    local a = data[name]{ n = 90 }
    nabla.manual_seed(42)
    local b = data[name]{ n = 90 }
    T.eq(tostring(a.x.shape), tostring(nabla.zeros(90, 2).shape), name .. " x")
    T.near(a.x, b.x, 0, 0, name .. " reproducible")
    local k = #a.classes
    local counts = {}
    for _, c in ipairs(flat(a.y)) do counts[c] = (counts[c] or 0) + 1 end
    for c = 1, k do T.ok((counts[c] or 0) >= 90 // k, name .. " class " .. c .. " present") end
    T.eq(counts[0], nil, name .. " classes are 1-based")
  end
  local circ = data.circles{ n = 100, noise = 0, factor = 0.3 }
  local cx, cy = circ.x:tolist(), flat(circ.y)
  for i = 1, 100 do
    local r = math.sqrt(cx[i][1] ^ 2 + cx[i][2] ^ 2)
    T.near(r, cy[i] == 1 and 1 or 0.3, 1e-5, 1e-5, "circle radius by class")
  end
  local sp = data.spirals{ n = 300, classes = 5 }
  T.eq(#sp.classes, 5, "spiral classes")
  local bl = data.blobs{ n = 200, centers = { { 10, 10 }, { -10, -10 } }, std = 0.5 }
  local bx, by = bl.x:tolist(), flat(bl.y)
  for i = 1, 200 do T.ok((by[i] == 1) == (bx[i][1] > 0), "blob near its centre") end
end)

os.execute("rm -rf '" .. tmpdir .. "'")
T.done()

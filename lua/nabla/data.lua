-- Data: datasets (MNIST, Fashion-MNIST, CSV, synthetic sets for lessons), the batch
-- loader, and splits (split, kfold, bootstrap).
--
--   train = data.mnist{ split = "train" }          -- 60,000 digits (or the 2,000-digit subset)
--   x, y = train:batch{ 1, 2, 3 }                 -- x (3, 1, 28, 28) in [0, 1], y class ids 1..10
--   for x, y in data.loader(train, { batch = 64, shuffle = true }) do ... end
--
-- A dataset keeps its images as bytes (nabla.Bytes, 47 MB for MNIST's training set) and
-- converts a batch to float only when it is asked for one. Labels are 1-based class ids:
-- digit d is class d + 1, and ds.classes[y] is its name.
local nabla = require "nabla"
local doc = require "nabla.doc"
local data = {}

local function L(en, ko) return nabla.lang == "ko" and ko or en end
local floor, ceil = math.floor, math.ceil

-- ---- datasets ------------------------------------------------------------------------------

local Dataset = {}
data.Dataset = Dataset
doc(Dataset, "data.Dataset", "the class of datasets: #ds examples, ds[i] = {x, y}, ds:batch(ids) stacks them, ds.classes names the classes", "데이터셋의 클래스: 샘플 #ds개, ds[i] = {x, y}, ds:batch(ids)로 묶음, ds.classes는 클래스 이름")

-- ds[i] is the pair { x, y } of example i; everything else is a method or a field.
Dataset.__index = function(ds, k)
  if type(k) == "number" then return { ds:get(k) } end
  return Dataset[k]
end
Dataset.__len = function(ds) return ds.index and #ds.index or ds.n end
Dataset.__name = "Dataset"

Dataset.__tostring = function(ds)
  local shape = ds.sample_shape and table.concat(ds.sample_shape, "×") or "?"
  local s = ("%s: %d examples of %s"):format(ds.name or "Dataset", #ds, shape)
  if ds.classes then s = s .. (", %d classes"):format(#ds.classes) end
  return s
end

-- A dataset over x (a tensor or nabla.Bytes, first dimension = examples) and y (a tensor
-- or nil). opts: name, classes, sample_shape (each example's shape, e.g. {1, 28, 28}),
-- scale (bytes are multiplied by it: 1/255 gives [0, 1]).
function data.dataset(x, y, opts)
  opts = opts or {}
  local n = #x
  if y ~= nil and #y ~= n then
    error(("data.dataset: x has %d rows, y has %d"):format(n, #y), 2)
  end
  local shape = opts.sample_shape
  if not shape then
    shape = {}
    for i = 2, #x.shape do shape[#shape + 1] = x.shape[i] end
  end
  return setmetatable({
    x = x, y = y, n = n, name = opts.name, classes = opts.classes, sample_shape = shape,
    scale = opts.scale or (nabla.is_bytes(x) and 1 / 255 or nil),
    images = opts.images and x or nil, labels = opts.images and y or nil,
  }, Dataset)
end
doc(data.dataset, "data.dataset(x, y)", "a dataset of the rows of x with targets y (for data.loader, split, kfold)", "x의 각 행과 목표값 y로 된 데이터셋 (data.loader, split, kfold에 씁니다)")

-- rows of the underlying storage for positions ids (1-based) of this dataset
local function rows_of(ds, ids)
  if not ds.index then return ids end
  local rows, index = {}, ds.index
  for k = 1, #ids do
    local r = index[ids[k]]
    if r == nil then
      error(("dataset: index %s is out of range 1..%d"):format(tostring(ids[k]), #index), 3)
    end
    rows[k] = r
  end
  return rows
end

-- x, y = ds:batch(ids): the examples at positions ids (a table of 1-based integers) as a
-- float batch (#ids, sample_shape...) and their targets (#ids) or (#ids, ...)
function Dataset:batch(ids)
  local rows = rows_of(self, ids)
  local x
  if nabla.is_bytes(self.x) then x = self.x:gather(rows, self.scale or 1, self.shift or 0)
  else x = nabla._C._gather_rows(self.x, rows) end
  local shape = { #rows }
  for _, s in ipairs(self.sample_shape) do shape[#shape + 1] = s end
  x = x:view(shape)
  local y = self.y and nabla._C._gather_rows(self.y, rows) or nil
  return x, y
end

-- x, y = ds:get(i): example i (x of sample_shape, y a number for class ids / scalar
-- targets, else a tensor)
function Dataset:get(i)
  if math.type(i) ~= "integer" and not (type(i) == "number" and i == floor(i)) then
    error("dataset: index must be an integer, got " .. tostring(i), 2)
  end
  if i < 1 or i > #self then error(("dataset: index %d is out of range 1..%d"):format(i, #self), 2) end
  local x, y = self:batch({ floor(i) })
  x = x[1]
  if y then
    y = y[1]
    if y:dim() == 0 then y = y:item(); y = math.tointeger(y) or y end
  end
  return x, y
end

-- A dataset of the examples at positions ids of this one (sharing its storage).
function Dataset:subset(ids, name)
  local rows = rows_of(self, ids)
  local sub = setmetatable({}, Dataset)
  for k, v in pairs(self) do sub[k] = v end
  sub.index = rows
  sub.name = name or self.name
  if self.labels then sub.labels = nabla._C._gather_rows(self.y, rows) end
  return sub
end

-- ---- files ---------------------------------------------------------------------------------

-- data.read_idx(path): a tensor of the file's shape (bytes stay 0..255)
data.read_idx = nabla.read_idx
doc(data.read_idx, "data.read_idx(path)", "an IDX file (the format of MNIST) as a tensor of its shape; a truncated or corrupted file is an error", "IDX 파일(MNIST의 형식)을 그 모양 그대로 텐서로 읽습니다. 잘리거나 손상된 파일은 오류입니다")
data.write_idx = nabla.write_idx

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

-- where the datasets live: $NABLA_DATA, the user's data directory (an installed nabla),
-- the bundled datasets/, ./datasets (lua/nabla/paths.lua)
local paths = require "nabla.paths"
local dataset_roots = paths.data_roots

local function find_set(name)
  for _, root in ipairs(dataset_roots()) do
    if exists(root .. "/" .. name .. "/train-labels-idx1-ubyte") then return root .. "/" .. name, root end
  end
end

-- fetches a set into paths.data_dir(): $NABLA_DATA, or the user's data directory when
-- nabla is installed (never the install prefix), or the source tree's datasets/
local function run_fetch(which)
  local cmd, script = paths.fetch_command(which)
  if not cmd then return false end
  io.stderr:write(L(("%s is not here yet: running %s %s (into %s)\n"):format(which, script, which, paths.data_dir()),
                    ("%s 데이터가 아직 없어서 받습니다: %s %s (저장 위치 %s)\n"):format(which, script, which, paths.data_dir())))
  return os.execute(cmd) == true
end

local MNIST_CLASSES = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" }
local FASHION_CLASSES = { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" }
data.MNIST_CLASSES, data.FASHION_CLASSES = MNIST_CLASSES, FASHION_CLASSES
doc(MNIST_CLASSES, "data.MNIST_CLASSES", "the names of MNIST's classes: class d+1 is the digit d", "MNIST 클래스 이름: 클래스 d+1은 숫자 d")
doc(FASHION_CLASSES, "data.FASHION_CLASSES", "the names of Fashion-MNIST's 10 classes (T-shirt/top, Trouser, ...)", "Fashion-MNIST의 10개 클래스 이름 (T-shirt/top, Trouser, ...)")

-- An IDX image/label pair as a dataset of (1, H, W) images in [0, 1] and 1-based labels.
local function idx_pair(dir, prefix, name, classes, limit)
  local ipath = dir .. "/" .. prefix .. "-images-idx3-ubyte"
  local lpath = dir .. "/" .. prefix .. "-labels-idx1-ubyte"
  local images = nabla._C._read_idx_bytes(ipath)
  local raw = nabla.read_idx(lpath)
  -- the ranks are checked here, not later inside a layer: images (N, H, W), labels (N)
  if #images.shape ~= 3 then
    error(L(("%s: %s holds an array of shape %s; images must have 3 dimensions (count, height, width)")
              :format(name, ipath, tostring(images.shape)),
            ("%s: %s 의 배열 모양이 %s 입니다. 이미지는 3차원 (개수, 높이, 너비) 이어야 합니다")
              :format(name, ipath, tostring(images.shape))), 3)
  end
  if raw:dim() ~= 1 then
    error(L(("%s: %s holds an array of shape %s; labels must have 1 dimension (count)")
              :format(name, lpath, tostring(raw.shape)),
            ("%s: %s 의 배열 모양이 %s 입니다. 레이블은 1차원 (개수) 이어야 합니다")
              :format(name, lpath, tostring(raw.shape))), 3)
  end
  if #images ~= #raw then
    error(("%s: %d images but %d labels in %s"):format(name, #images, #raw, dir), 3)
  end
  local ishape = images.shape
  local ds = data.dataset(images, raw + 1, { name = name, classes = classes, images = true,
                                            sample_shape = { 1, ishape[2], ishape[3] } })
  ds.path = dir
  if limit and limit < #ds then
    local ids = {}
    for i = 1, limit do ids[i] = i end
    ds = ds:subset(ids)
  end
  return ds
end

local function split_prefix(opts, fn)
  local split = opts.split or "train"
  if split == "train" then return "train" end
  if split == "test" or split == "t10k" then return "t10k" end
  error(L(("%s: split must be \"train\" or \"test\", got %q"):format(fn, tostring(split)),
          ("%s: split는 \"train\" 또는 \"test\"여야 합니다 (받은 값 %q)"):format(fn, tostring(split))), 3)
end

-- data.mnist{ split = "train" | "test", path = dir, limit = n, download = false, full = false }
-- full = true: the official 60,000/10,000 digits or an error, never the subset (fetched first
-- when missing, saying so): what an experiment quoting test accuracy needs.
-- small = true: the committed 2,000/500-digit subset even when the full set is there (the
-- lessons use it, so that they run the same, and fast, everywhere).
function data.mnist(opts)
  opts = opts or {}
  local prefix = split_prefix(opts, "data.mnist")
  local dir = opts.path
  if not dir and opts.small then
    dir = find_set("mnist-small")
    if not dir then
      error(L("data.mnist{small = true}: the subset datasets/mnist-small is missing (set NABLA_DATA to the datasets directory)",
              "data.mnist{small = true}: 부분 집합 datasets/mnist-small 이 없습니다 (NABLA_DATA를 datasets 디렉터리로 지정하세요)"), 2)
    end
  end
  if not dir then
    dir = find_set("mnist")
    if not dir and (opts.download or opts.full) and run_fetch("mnist") then dir = find_set("mnist") end
    if not dir and opts.full then
      error(L("data.mnist{full = true}: the full MNIST could not be fetched (see the message above); run " .. paths.fetch_hint("mnist"),
              "data.mnist{full = true}: 전체 MNIST를 받지 못했습니다 (위 메시지 참고). 직접 받으려면 " .. paths.fetch_hint("mnist") .. " 명령을 실행하세요"), 2)
    end
    if not dir then
      dir = find_set("mnist-small")
      if not dir then
        error(L("data.mnist: no MNIST found: run " .. paths.fetch_hint("mnist") .. " (or set NABLA_DATA)",
                "data.mnist: MNIST를 찾을 수 없습니다. " .. paths.fetch_hint("mnist") .. " 명령을 실행하세요 (또는 NABLA_DATA 지정)"), 2)
      end
      if not data._warned_small then
        data._warned_small = true
        io.stderr:write(L("data.mnist: the full MNIST is not fetched (run " .. paths.fetch_hint("mnist") .. "); using the 2,000/500-digit subset datasets/mnist-small\n",
                          "data.mnist: 전체 MNIST가 아직 없습니다 (" .. paths.fetch_hint("mnist") .. " 명령으로 받습니다). 2,000/500장 부분 집합 datasets/mnist-small 을 씁니다\n"))
      end
    end
  end
  return idx_pair(dir, prefix, "MNIST " .. (prefix == "train" and "train" or "test"), MNIST_CLASSES, opts.limit)
end
doc(data.mnist, "data.mnist{split=\"train\"|\"test\", path=?, limit=?, download=false, full=false}", "MNIST digits as a dataset: ds[i] = {image (1,28,28) in [0,1], class id}, digit d is class d+1, ds.classes[y] its name; falls back to the committed 2,000/500 subset when datasets/fetch has not run, unless full=true (then it fetches the official 60,000/10,000 or fails); small=true always takes the subset", "MNIST 손글씨 숫자 데이터셋: ds[i] = {이미지 (1,28,28) 값은 [0,1], 클래스 번호}, 숫자 d는 클래스 d+1, 이름은 ds.classes[y]. datasets/fetch 를 실행하지 않았으면 저장소에 들어 있는 2,000/500장 부분 집합을 씁니다. full=true이면 공식 60,000/10,000장을 받아 오고, 못 받으면 오류. small=true이면 항상 부분 집합")

-- data.mnist_lines{split=, n=, seed=, ...}: lines of digits built from MNIST (lua/nabla/mnist_lines.lua)
function data.mnist_lines(opts) return require("nabla.mnist_lines")(opts) end
doc(data.mnist_lines, "data.mnist_lines{split=\"train\"|\"test\", n=1000, seed=1, min_len=1, max_len=12, touching=0.3, height=28, digits=?}", "lines of 1-12 handwritten digits built on the fly from MNIST's train or test digits (never both): random gaps, touching digits, jitter, scale and ink; ds[i] = {image (H, W) ink 1 on 0, text \"4093\"}, ds:line(i) adds boxes and source positions, ds:batch(ids) pads for ctc_loss", "MNIST의 학습 또는 테스트 숫자(섞지 않음)로 그때그때 만드는 1-12자리 손글씨 숫자 줄(무작위 간격, 맞닿은 숫자, 위아래 흔들림, 크기와 굵기). ds[i] = {이미지 (H, W) 잉크 1 배경 0, 글자열 \"4093\"}, ds:line(i)는 상자와 원본 위치까지, ds:batch(ids)는 ctc_loss용으로 채워 묶습니다")

-- data.fashion_mnist{ split = "train" | "test", path = dir, limit = n, download = false }
function data.fashion_mnist(opts)
  opts = opts or {}
  local prefix = split_prefix(opts, "data.fashion_mnist")
  local dir = opts.path or find_set("fashion-mnist")
  if not dir and (opts.download or opts.full) and run_fetch("fashion-mnist") then dir = find_set("fashion-mnist") end
  if not dir then
    error(L("data.fashion_mnist: Fashion-MNIST is not fetched: run " .. paths.fetch_hint("fashion-mnist") .. " (it installs Debian's dataset-fashion-mnist), or pass download = true",
            "data.fashion_mnist: Fashion-MNIST가 없습니다: " .. paths.fetch_hint("fashion-mnist") .. " 명령을 실행하세요 (데비안 패키지 dataset-fashion-mnist 설치), 또는 download = true"), 2)
  end
  return idx_pair(dir, prefix, "Fashion-MNIST " .. (prefix == "train" and "train" or "test"), FASHION_CLASSES, opts.limit)
end
doc(data.fashion_mnist, "data.fashion_mnist{split=\"train\"|\"test\", path=?, limit=?, download=false}", "Fashion-MNIST (10 kinds of clothing, 28×28), like data.mnist; fetch it first with datasets/fetch fashion-mnist", "Fashion-MNIST (옷 10종류, 28×28), data.mnist와 같은 형태. 먼저 datasets/fetch fashion-mnist 로 받으세요")

-- t, names = data.csv(path, { header = nil (auto) | true | false, sep = "," }): a float
-- tensor (rows, columns); empty, NA and NaN fields are NaN; names are the header's fields.
function data.csv(path, opts)
  opts = opts or {}
  local sep = opts.sep or opts.delimiter or ","
  local f, err = io.open(path, "r")
  if not f then error("data.csv: cannot open " .. tostring(err), 2) end
  local function fields(line)
    local out, pos = {}, 1
    while true do
      local s, e = line:find(sep, pos, true)
      local field = line:sub(pos, s and s - 1 or #line)
      out[#out + 1] = field:match("^%s*\"?(.-)\"?%s*$")
      if not s then break end
      pos = e + 1
    end
    return out
  end
  local rows, names, width, lineno = {}, nil, nil, 0
  for line in f:lines() do
    lineno = lineno + 1
    line = line:gsub("\r$", "")
    if line:match("%S") then
      local fs = fields(line)
      local is_header = false
      if lineno == 1 or (not names and #rows == 0) then
        if opts.header == true then is_header = true
        elseif opts.header == nil then
          for _, v in ipairs(fs) do
            if v ~= "" and not tonumber(v) and not v:match("^[Nn][Aa][Nn]?$") then is_header = true end
          end
        end
      end
      if is_header then names = fs
      else
        if width and #fs ~= width then
          f:close()
          error(("data.csv: %s:%d has %d fields, the rows above have %d"):format(path, lineno, #fs, width), 2)
        end
        width = #fs
        local row = {}
        for j, v in ipairs(fs) do
          local x = tonumber(v)
          if not x then
            if v == "" or v:match("^[Nn][Aa][Nn]?$") then x = 0 / 0
            else
              f:close()
              error(("data.csv: %s:%d, column %d: %q is not a number"):format(path, lineno, j, v), 2)
            end
          end
          row[j] = x
        end
        rows[#rows + 1] = row
      end
    end
  end
  f:close()
  if #rows == 0 then error(("data.csv: %s has no data rows"):format(path), 2) end
  return nabla.tensor(rows), names
end
doc(data.csv, "data.csv(path, {header=auto, sep=\",\"})", "a CSV file of numbers as a tensor (rows, columns), and the header's names", "숫자로 된 CSV 파일을 텐서 (행, 열)로, 그리고 헤더의 열 이름들")

-- ---- synthetic sets (drawn from the global RNG: manual_seed reproduces them) ----------------

local uniform, normal = nabla._C._rng_uniform, nabla._C._rng_normal

local function classes_of(k)
  local c = {}
  for i = 1, k do c[i] = tostring(i) end
  return c
end

-- data.linear{ n = 100, w = {2, -3} (or a number), b = 0.5, noise = 0.1, range = {-1, 1} }:
-- x (n, #w) uniform in range, y (n, 1) = x·w + b + noise·ε
function data.linear(opts)
  opts = opts or {}
  local n, w, b, noise = opts.n or 100, opts.w or { 2 }, opts.b or 0, opts.noise or 0.1
  if type(w) == "number" then w = { w } end
  local lo, hi = table.unpack(opts.range or { -1, 1 })
  local xs, ys = {}, {}
  for i = 1, n do
    local row, y = {}, b
    for j = 1, #w do
      row[j] = uniform(lo, hi)
      y = y + w[j] * row[j]
    end
    xs[i], ys[i] = row, { y + noise * normal() }
  end
  return data.dataset(nabla.tensor(xs), nabla.tensor(ys), { name = "linear" })
end
doc(data.linear, "data.linear{n=100, w={2}, b=0, noise=0.1}", "points x with y = x·w + b + noise, for linear regression", "y = x·w + b + 노이즈 인 점들, 선형 회귀 연습용")

-- data.sin{ n = 100, noise = 0.1, range = {-π, π} }: x (n, 1) uniform, y (n, 1) = sin x + noise·ε
function data.sin(opts)
  opts = opts or {}
  local n, noise = opts.n or 100, opts.noise or 0.1
  local lo, hi = table.unpack(opts.range or { -math.pi, math.pi })
  local xs, ys = {}, {}
  for i = 1, n do
    local x = uniform(lo, hi)
    xs[i], ys[i] = { x }, { math.sin(x) + noise * normal() }
  end
  return data.dataset(nabla.tensor(xs), nabla.tensor(ys), { name = "sin" })
end
doc(data.sin, "data.sin{n=100, noise=0.1}", "y = sin(x) + noise, for fitting a curve with a small network", "y = sin(x) + 노이즈, 작은 신경망으로 곡선을 맞춰 보는 연습용")

-- a 2-class or k-class set of points from a generator gen(i) -> x1, x2, class
local function points(name, n, k, noise, gen)
  local xs, ys = {}, {}
  for i = 1, n do
    local a, b, c = gen(i)
    xs[i], ys[i] = { a + noise * normal(), b + noise * normal() }, c
  end
  return data.dataset(nabla.tensor(xs), nabla.tensor(ys), { name = name, classes = classes_of(k) })
end

-- data.moons{ n = 200, noise = 0.1 }: two interleaving half circles (scikit-learn's
-- make_moons); y is class 1 (upper moon) or 2 (lower moon)
function data.moons(opts)
  opts = opts or {}
  return points("moons", opts.n or 200, 2, opts.noise or 0.1, function(i)
    local t = uniform(0, math.pi)
    if i % 2 == 1 then return math.cos(t), math.sin(t), 1 end
    return 1 - math.cos(t), 0.5 - math.sin(t), 2
  end)
end
doc(data.moons, "data.moons{n=200, noise=0.1}", "two interleaving half circles, classes 1 and 2 (not linearly separable)", "서로 맞물린 두 반달, 클래스 1과 2 (직선으로 나눌 수 없음)")

-- data.circles{ n = 200, noise = 0.05, factor = 0.5 }: a circle of radius 1 (class 1)
-- around one of radius factor (class 2)
function data.circles(opts)
  opts = opts or {}
  local factor = opts.factor or 0.5
  return points("circles", opts.n or 200, 2, opts.noise or 0.05, function(i)
    local t, r = uniform(0, 2 * math.pi), (i % 2 == 1) and 1 or factor
    return r * math.cos(t), r * math.sin(t), (i % 2 == 1) and 1 or 2
  end)
end
doc(data.circles, "data.circles{n=200, noise=0.05, factor=0.5}", "a circle around a smaller one, classes 1 and 2", "큰 원 안에 작은 원, 클래스 1과 2")

-- data.spirals{ n = 300, classes = 3, noise = 0.2 }: k interleaved spiral arms (CS231n);
-- n points in all
function data.spirals(opts)
  opts = opts or {}
  local n, k, noise = opts.n or 300, opts.classes or 3, opts.noise or 0.2
  local per = ceil(n / k)
  local xs, ys = {}, {}
  for i = 1, n do
    local c = (i - 1) % k + 1
    local j = (i - 1) // k                 -- position along the arm
    local r = per > 1 and j / (per - 1) or 0
    local t = (c - 1) * 4 + 4 * r + noise * normal()
    xs[i], ys[i] = { r * math.sin(t), r * math.cos(t) }, c
  end
  return data.dataset(nabla.tensor(xs), nabla.tensor(ys), { name = "spirals", classes = classes_of(k) })
end
doc(data.spirals, "data.spirals{n=300, classes=3, noise=0.2}", "interleaved spiral arms, one class each", "서로 감긴 나선 팔들, 팔마다 한 클래스")

-- data.blobs{ n = 300, centers = 3 (or a list of points), std = 1, dim = 2, box = {-5, 5} }:
-- Gaussian clusters; y is the cluster's 1-based id
function data.blobs(opts)
  opts = opts or {}
  local n, std, dim = opts.n or 300, opts.std or 1, opts.dim or 2
  local centers = opts.centers or 3
  if type(centers) == "number" then
    local lo, hi = table.unpack(opts.box or { -5, 5 })
    local cs = {}
    for c = 1, centers do
      cs[c] = {}
      for j = 1, dim do cs[c][j] = uniform(lo, hi) end
    end
    centers = cs
  end
  dim = #centers[1]
  local xs, ys = {}, {}
  for i = 1, n do
    local c = (i - 1) % #centers + 1
    local row = {}
    for j = 1, dim do row[j] = centers[c][j] + std * normal() end
    xs[i], ys[i] = row, c
  end
  local ds = data.dataset(nabla.tensor(xs), nabla.tensor(ys), { name = "blobs", classes = classes_of(#centers) })
  ds.centers = centers
  return ds
end
doc(data.blobs, "data.blobs{n=300, centers=3, std=1}", "Gaussian clusters around random (or given) centres", "무작위(또는 주어진) 중심 주위의 가우시안 군집들")

-- ---- splits --------------------------------------------------------------------------------

local function seed_of(opts) return (opts and opts.seed) and floor(opts.seed) or nabla._C._rng_seed() end

-- mixes integers into one seed (splitmix64's constants; Lua integers wrap around)
local function mix(a, b, c)
  local h = a * -7046029254386353131 + (b or 0) * -4658895280553007687 + (c or 0) * 0x2545F4914F6CDD1D
  return h ~ (h >> 31)
end

local function order_of(n, opts)
  if opts and opts.shuffle == false then
    local ids = {}
    for i = 1, n do ids[i] = i end
    return ids
  end
  return nabla._C._permutation(n, seed_of(opts))
end

-- a, b, ... = data.split(ds, sizes, { shuffle = true, seed })
-- sizes: fractions summing to 1 ({0.8, 0.2}), counts summing to #ds ({50000, 10000}), or a
-- single number (a fraction < 1 or a count) for two parts: that many, and the rest.
-- Held-out parts: counts in a table that sum to less than #ds are the LAST parts, and the
-- rest comes first: train, val = data.split(train60k, {5000}, { seed = 1 }) keeps 5,000
-- random images aside for validation (model selection, early stopping) and 55,000 to train.
-- The parts are views of the same storage (no copy); the same seed gives the same parts.
function data.split(ds, sizes, opts)
  local n = #ds
  if type(sizes) == "number" then
    local first = sizes < 1 and floor(sizes * n + 0.5) or floor(sizes)
    sizes = { first, n - first }
  end
  if type(sizes) ~= "table" or #sizes == 0 then
    error(L("data.split: sizes must be a number or a table of numbers, e.g. {0.8, 0.2} or {5000}",
            "data.split: sizes는 수 또는 수의 테이블이어야 합니다 (예: {0.8, 0.2} 또는 {5000})"), 2)
  end
  local total, whole = 0, true
  for i, s in ipairs(sizes) do
    if type(s) ~= "number" or s < 0 then
      error(("data.split: size %d is %s; sizes are non-negative numbers"):format(i, tostring(s)), 2)
    end
    total = total + s
    whole = whole and s == floor(s)
  end
  local counts, given = {}, 0
  if math.abs(total - 1) < 1e-6 and n ~= 1 and not (whole and #sizes == 1) then
    for i, s in ipairs(sizes) do
      counts[i] = (i < #sizes) and floor(s * n + 0.5) or (n - given)
      given = given + counts[i]
    end
  elseif total == n then
    counts = sizes
  elseif whole and total < n then
    -- held-out parts of these sizes at the end; the rest first
    counts[1] = n - total
    for i, s in ipairs(sizes) do counts[i + 1] = floor(s) end
  else
    error(L(("data.split: the sizes sum to %g; give fractions summing to 1, counts summing to %d, or held-out counts summing to less than %d"):format(total, n, n),
            ("data.split: 크기의 합이 %g입니다. 합이 1인 비율, 합이 %d인 개수, 또는 합이 %d보다 작은 검증용 개수를 주세요"):format(total, n, n)), 2)
  end
  local order = order_of(n, opts)
  local parts, pos = {}, 0
  for i, c in ipairs(counts) do
    if c < 0 then error("data.split: a part would have a negative size", 2) end
    local ids = table.move(order, pos + 1, pos + c, 1, {})
    parts[i] = ds:subset(ids)
    pos = pos + c
  end
  return table.unpack(parts)
end
doc(data.split, "data.split(ds, {0.8, 0.2} | {5000}, {seed=?})", "random parts of a dataset, by fractions or counts; train, val = data.split(ds, {5000}, {seed=1}) holds out 5,000 examples for validation (choose the model and stop early on val, touch the test set once at the end)", "데이터셋을 비율이나 개수로 무작위로 나눕니다. train, val = data.split(ds, {5000}, {seed=1})은 5,000개를 검증 세트로 떼어 둡니다 (모델 선택과 조기 종료는 검증 세트로 하고, 테스트 세트는 마지막에 한 번만 씁니다)")

-- for train, val, i in data.kfold(ds, k, { shuffle = true, seed }) do ... end
-- k folds of (almost) equal size; fold i is the validation set of the i-th pair.
function data.kfold(ds, k, opts)
  local n = #ds
  k = k or 5
  if k < 2 or k > n then error(("data.kfold: k must be 2..%d, got %s"):format(n, tostring(k)), 2) end
  local order = order_of(n, opts)
  local i = 0
  return function()
    i = i + 1
    if i > k then return nil end
    local lo, hi = floor((i - 1) * n / k), floor(i * n / k)   -- fold i is order[lo+1 .. hi]
    local train, val = {}, {}
    for j = 1, n do
      if j > lo and j <= hi then val[#val + 1] = order[j] else train[#train + 1] = order[j] end
    end
    return ds:subset(train), ds:subset(val), i
  end
end
doc(data.kfold, "data.kfold(ds, k)", "for train, val, i in data.kfold(ds, 5) do ... end — k-fold cross-validation", "for train, val, i in data.kfold(ds, 5) do ... end — k겹 교차 검증")

-- sample, out_of_bag = data.bootstrap(ds, { seed, n = #ds }): n examples drawn with
-- replacement, and the examples never drawn
function data.bootstrap(ds, opts)
  opts = opts or {}
  local n, m = #ds, opts.n or #ds
  local drawn, seen = {}, {}
  nabla._C._with_rng_seed(seed_of(opts), function()
    for i = 1, m do
      local j = nabla._C._rng_int(n)
      drawn[i], seen[j] = j, true
    end
  end)
  local oob = {}
  for j = 1, n do if not seen[j] then oob[#oob + 1] = j end end
  return ds:subset(drawn), ds:subset(oob)
end
doc(data.bootstrap, "data.bootstrap(ds, {seed=?})", "a sample of #ds examples drawn with replacement, and the out-of-bag examples", "복원 추출한 #ds개의 표본과, 한 번도 뽑히지 않은(out-of-bag) 샘플들")

-- ---- the loader ------------------------------------------------------------------------------

local Loader = {}
Loader.__index = Loader
Loader.__name = "DataLoader"
data.Loader = Loader
doc(Loader, "data.Loader", "the class of loaders (made by data.loader): for x, y in loader do ... end, #loader batches per epoch", "로더의 클래스 (data.loader가 만듦): for x, y in loader do ... end, 에폭마다 배치 #loader개")

-- data.loader(ds, { batch = 64, shuffle = false, drop_last = false, augment = nil, seed })
-- `for x, y in loader do` (or loader:iter()) runs one epoch; each epoch has its own order
-- when shuffling. Everything random (order, augmentation) comes from seed, so two loaders
-- with the same seed give the same batches; without a seed, one is drawn from the global
-- RNG (manual_seed reproduces it). augment is a function of the batch (aug.affine{...},
-- aug.compose{...}); a batch mixer (aug.mixup, aug.cutmix) makes y soft targets (B, K)
-- and adds y_a, y_b, lam as extra values.
function data.loader(ds, opts)
  opts = opts or {}
  if type(ds) == "table" and getmetatable(ds) ~= Dataset and nabla.is_tensor(rawget(ds, 1)) then
    ds = data.dataset(ds[1], ds[2])
  end
  local batch = opts.batch or opts.batch_size or 64
  if math.type(batch) ~= "integer" or batch < 1 then
    error("data.loader: batch must be a positive integer, got " .. tostring(batch), 2)
  end
  return setmetatable({
    dataset = ds, batch = batch, shuffle = opts.shuffle or false,
    drop_last = opts.drop_last or false, augment = opts.augment,
    seed = opts.seed and floor(opts.seed) or nabla._C._rng_seed(), epoch = 0,
    classes = opts.classes or (ds.classes and #ds.classes),
  }, Loader)
end
doc(data.loader, "data.loader(ds, {batch=64, shuffle=false, drop_last=false, augment=nil, seed=?})", "batches of (x, y): for x, y in loader do ... end; the same seed gives the same batches", "(x, y) 미니배치: for x, y in loader do ... end. 같은 seed면 같은 배치가 나옵니다")

function Loader:num_batches()
  local n = #self.dataset
  return self.drop_last and n // self.batch or ceil(n / self.batch)
end
Loader.__len = Loader.num_batches

Loader.__tostring = function(self)
  return ("DataLoader(%s, batch %d%s%s): %d batches"):format(tostring(self.dataset), self.batch,
    self.shuffle and ", shuffle" or "", self.augment and ", augment" or "", self:num_batches())
end

-- one batch from any dataset: ds:batch(ids) when it has one, else stacking ds[i] = {x, y}
local function fetch(ds, ids)
  if getmetatable(ds) == Dataset or type(ds.batch) == "function" then return ds:batch(ids) end
  local xs, ys = {}, {}
  for k, i in ipairs(ids) do
    local item = ds[i]
    xs[k], ys[k] = item[1], item[2]
  end
  local y = ys[1] ~= nil and (nabla.is_tensor(ys[1]) and nabla.stack(ys) or nabla.tensor(ys)) or nil
  return nabla.stack(xs), y
end

-- soft targets (B, K): lam·onehot(ya) + (1 − lam)·onehot(yb)
function data.soft_targets(ya, yb, lam, k)
  local a, b = ya:tolist(), yb:tolist()
  local rows = {}
  for i = 1, #a do
    local row = {}
    for j = 1, k do row[j] = 0 end
    row[a[i]] = row[a[i]] + lam
    row[b[i]] = row[b[i]] + (1 - lam)
    rows[i] = row
  end
  return nabla.tensor(rows)
end
doc(data.soft_targets, "data.soft_targets(y_a, y_b, lam, k)", "the (B, k) targets lam·one_hot(y_a) + (1 − lam)·one_hot(y_b) of a mixup/cutmix batch", "mixup/cutmix 배치의 (B, k) 목표 lam·one_hot(y_a) + (1 − lam)·one_hot(y_b)")

local function augment_batch(self, x, y)
  local a = self.augment
  if type(a) == "table" and a.mix then
    local xm, ya, yb, lam = a(x, y)
    local k = self.classes
    if not k then error("data.loader: mixup/cutmix needs the number of classes (loader option classes = K)", 3) end
    return xm, data.soft_targets(ya, yb, lam, k), ya, yb, lam
  end
  return a(x), y
end

-- A bytes dataset with an affine augmentation: the batch is converted from bytes and
-- transformed in one C pass (bytes:gather_affine), with the same draws as aug.affine makes,
-- so the batch is the one the two steps give, without a second batch-sized tensor.
local function fused_affine(ds, a)
  if getmetatable(ds) ~= Dataset or not nabla.is_bytes(ds.x) then return false end
  if getmetatable(a) ~= nabla.aug.Transform or a.kind ~= "affine" or a.mix then return false end
  local shape = ds.sample_shape
  return #shape == 3 or #shape == 2
end

local function fetch_affine(ds, ids, a)
  local rows = rows_of(ds, ids)
  local shape = ds.sample_shape
  local h, w = shape[#shape - 1], shape[#shape]
  local x = ds.x:gather_affine(rows, ds.scale or 1, ds.shift or 0, a:affine_params(#rows, h, w))
  local full = { #rows }
  for _, s in ipairs(shape) do full[#full + 1] = s end
  return x:view(full), ds.y and nabla._C._gather_rows(ds.y, rows) or nil
end

-- an iterator over one epoch: for x, y in loader:iter() do ... end
function Loader:iter()
  self.epoch = self.epoch + 1
  local epoch, ds, b = self.epoch, self.dataset, self.batch
  local n = #ds
  local order = self.shuffle and nabla._C._permutation(n, mix(self.seed, epoch)) or nil
  local stop = self.drop_last and (n // b) * b or n
  local pos, bi = 0, 0
  local fused = self.augment and fused_affine(ds, self.augment)
  return function()
    if pos >= stop then return nil end
    local len = math.min(b, stop - pos)
    local ids = {}
    for k = 1, len do ids[k] = order and order[pos + k] or pos + k end
    pos, bi = pos + len, bi + 1
    if fused then
      return nabla._C._with_rng_seed(mix(self.seed, epoch, bi), fetch_affine, ds, ids, self.augment)
    end
    local x, y = fetch(ds, ids)
    if self.augment then
      return nabla._C._with_rng_seed(mix(self.seed, epoch, bi), augment_batch, self, x, y)
    end
    return x, y
  end
end

-- `for x, y in loader do`: Lua calls loader(nil, nil) first (a new epoch), then
-- loader(nil, x) until it returns nil
Loader.__call = function(self, _, control)
  if control == nil or not self._it then self._it = self:iter() end
  return self._it()
end

return data

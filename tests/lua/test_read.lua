-- POST /read over loopback (tests/serve/read_client.py is the client): lines composed from
-- the test digits of datasets/mnist-small, sent as they are and as photo-like pages (scaled,
-- dark ink on unevenly lit paper, noise, margins, turned up to 9 degrees; light ink on a
-- dark board; as a form field), read by a digit classifier through the segmentation reader.
-- The answer of a clean line is the reader's own on the same line; photos read (nearly) the
-- same; the boxes land on the digits in the posted image's pixels; every bad input gets its
-- JSON error; a line model's server answers /read with "model": "ctc" and refuses /predict.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local nn, data = nabla.nn, nabla.data
local serve = require "nabla.serve"
local lines = require "nabla.lines"
local json = require("nabla.checkpoint").json

nabla.manual_seed(5)
local train = data.mnist{ split = "train", small = true }
local test = data.mnist{ split = "test", small = true }
local model = nn.Sequential{
  nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
  nn.Linear(8 * 13 * 13, 64), nn.ReLU(), nn.Linear(64, 10),
}
nabla.fit(model, data.loader(train, { batch = 32, shuffle = true, seed = 1 }), { epochs = 3, quiet = true, lr = 3e-3 })
model:eval()

-- lines of 3..7 test digits, 3..7 columns apart, as data.mnist_lines makes them (ink 1 on 0,
-- 28 rows): each digit's ink columns side by side
local function compose(ids, gaps)
  local cols, text, spans, x = {}, {}, {}, 3
  local digits = {}
  for k, i in ipairs(ids) do
    local v = test[i][1]:reshape(784):tolist()
    local c0, c1 = 28, -1
    for y = 0, 27 do for cx = 0, 27 do if v[y * 28 + cx + 1] > 0.1 then c0, c1 = math.min(c0, cx), math.max(c1, cx) end end end
    if k > 1 then x = x + gaps[k] end
    digits[k] = { v = v, c0 = c0, c1 = c1, x = x }
    spans[k] = { x, x + c1 - c0 + 1 }
    x = x + c1 - c0 + 1
    text[k] = tostring(test[i][2] - 1)
  end
  local W = x + 3
  local px = {}
  for j = 1, 28 * W do px[j] = 0 end
  for _, d in ipairs(digits) do
    for y = 0, 27 do
      for cx = d.c0, d.c1 do
        local j = y * W + d.x + cx - d.c0 + 1
        px[j] = math.max(px[j], d.v[y * 28 + cx + 1])
      end
    end
  end
  return px, W, table.concat(text), spans
end

local N = 16
local set, next_id = {}, 1
for i = 1, N do
  local n = 3 + (i % 5)
  local ids, gaps = {}, {}
  for k = 1, n do
    ids[k] = next_id
    gaps[k] = 3 + (next_id % 5)
    next_id = next_id + 1
  end
  local px, W, text, spans = compose(ids, gaps)
  local bytes = {}
  for j = 1, #px do bytes[j] = math.floor(px[j] * 255 + 0.5) end
  set[i] = { text = text, h = 28, w = W, pixels = bytes, spans = spans,
             tensor = nabla.tensor(bytes):view(28, W) / 255 }
end

local tmp = os.tmpname()
local lines_path, out_path = tmp .. ".lines", tmp .. ".json"
do
  local plain = {}
  for i, L in ipairs(set) do plain[i] = { text = L.text, h = L.h, w = L.w, pixels = L.pixels, spans = L.spans } end
  local f = assert(io.open(lines_path, "w"))
  f:write(nabla._C.json(plain))
  f:close()
end

local srv = serve.serve{ model = model, port = 0, quiet = true, info = { name = "test-cnn" } }
local idle = nabla._C.serve_start{ port = 0 }          -- no model: 503
local src = os.getenv("NABLA_TESTS") or "tests"
os.execute(("/usr/bin/python3 %s/serve/read_client.py %d %d %s %s > %s.log 2>&1 &"):format(
  src, srv.port, idle:port(), lines_path, out_path, tmp))

local function exists(p)
  local f = io.open(p)
  if f then f:close() end
  return f ~= nil
end
local t0 = nabla.clock()
while not exists(out_path) and nabla.clock() - t0 < 300 do
  if nabla._C.serve_wait(50) then serve.poll() end
end
local f = io.open(out_path)
local result = f and json.decode(f:read("a"))
if f then f:close() end
T.test("the client ran", function()
  T.ok(result, "no result from the client; see " .. tmp .. ".log")
  T.ok(not result.crash, result.crash)
end)
result = result or { answers = {}, checks = {} }
for _, c in ipairs(result.checks or {}) do
  T.test(c.name, function() T.ok(c.ok, c.detail) end)
end

local by = {}
for _, a in ipairs(result.answers or {}) do
  by[a.kind] = by[a.kind] or {}
  by[a.kind][a.index + 1] = a
end

local function edits(a, b)
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = { [0] = i }
    for j = 1, #b do cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a:sub(i, i) == b:sub(j, j) and 0 or 1)) end
    prev = cur
  end
  return prev[#b]
end

T.test("every line answered: 200, text, characters with char, confidence, box; model segment", function()
  local n = 0
  for kind, list in pairs(by) do
    for i, a in pairs(list) do
      n = n + 1
      T.ok(a.status == 200, ("%s %d: %s %s"):format(kind, i, tostring(a.status), tostring(a.error)))
      T.ok(type(a.text) == "string" and a.model == "segment" and type(a.ms) == "number", kind)
      T.ok(#a.characters == #a.text, ("%s %d: %d characters for '%s'"):format(kind, i, #a.characters, a.text))
      for k, c in ipairs(a.characters) do
        T.ok(c.char == a.text:sub(k, k) and c.confidence > 0 and c.confidence <= 1)
        T.ok(#c.box == 4 and c.box[1] < c.box[3] and c.box[2] < c.box[4] and c.box[1] >= 0 and c.box[2] >= 0)
      end
    end
  end
  T.ok(n >= N * 2 + N / 2 + N / 4, ("%d answers"):format(n))
end)

local stats = {}
-- the character error of the answers of one kind, on the lines it was sent (and the clean
-- answers' on the same lines)
local function cer_of(kind)
  local errs, clean_errs, chars, n = 0, 0, 0, 0
  for i, a in pairs(by[kind] or {}) do
    errs = errs + edits(set[i].text, a.text)
    clean_errs = clean_errs + edits(set[i].text, by.clean[i].text)
    chars, n = chars + #set[i].text, n + 1
  end
  return errs / math.max(1, chars), clean_errs / math.max(1, chars), n
end

local stats = {}
T.test("a clean line: read as well as lines.segment_read reads the same line", function()
  local own_errs, chars = 0, 0
  for i, L in ipairs(set) do
    own_errs = own_errs + edits(L.text, lines.segment_read(model, L.tensor).text)
    chars = chars + #L.text
  end
  local cer = cer_of("clean")
  stats.clean, stats.own = cer, own_errs / chars
  print(("  clean lines: CER %.1f%% through /read, %.1f%% by lines.segment_read on the tensor"):format(100 * cer, 100 * stats.own))
  T.ok(cer <= stats.own + 0.04, ("CER %.3f through /read, %.3f directly"):format(cer, stats.own))
end)

T.test("photo-like pages (scaled, turned, margins, uneven light, noise): read about as well", function()
  for _, kind in ipairs({ "photo", "board", "multipart" }) do
    local cer, clean, n = cer_of(kind)
    stats[kind] = cer
    print(("  %s: %d lines, CER %.1f%% (the same lines clean: %.1f%%)"):format(kind, n, 100 * cer, 100 * clean))
    T.ok(n > 0 and cer <= clean + 0.08, ("%s: CER %.3f (clean %.3f)"):format(kind, cer, clean))
  end
end)

T.test("the boxes are in the posted image's pixels: each on the digit put there", function()
  local on, total = 0, 0
  for _, kind in ipairs({ "clean", "photo", "board", "multipart" }) do
    for i, a in pairs(by[kind] or {}) do
      if #a.characters == #set[i].text then
        for k, c in ipairs(a.characters) do
          local want, b = a.digit_boxes[k], c.box
          local cx, cy = (b[1] + b[3]) / 2, (b[2] + b[4]) / 2
          local slack = (want[4] - want[2]) * 0.1
          total = total + 1
          if cx >= want[1] - slack and cx <= want[3] + slack and cy >= want[2] - slack and cy <= want[4] + slack then on = on + 1 end
        end
      end
    end
  end
  T.ok(total >= 60 and on >= 0.95 * total, ("%d of %d boxes on their digit"):format(on, total))
end)

T.test("latency measured", function()
  local l = result.latency_ms or {}
  print(("  /read latency: clean line %.1f ms (reader %.1f ms), photo %.1f ms (median, loopback)"):format(
    l.clean_median_ms or -1, l.clean_model_ms or -1, l.photo_median_ms or -1))
  T.ok(type(l.clean_median_ms) == "number" and l.clean_median_ms < 5000, "a clean line read in under 5 s")
end)

T.test("the preprocessing finds the turn of the page (within 2.5 degrees) and undoes it", function()
  local turns = { -7, -4, 0, 3, 6, 9 }
  local off, worst = {}, 0
  for i, a in pairs(by.photo or {}) do
    local want = turns[(i - 1) % 6 + 1]
    local d = math.abs(a.line.angle - want)
    off[#off + 1] = ("%g:%g"):format(want, a.line.angle)
    worst = math.max(worst, d)
  end
  print("  turned by : found  " .. table.concat(off, " "))
  T.ok(#off == N and worst <= 2.5, ("worst %.1f degrees off"):format(worst))
  T.ok(by.photo[1].line.height == lines.HEIGHT, "the line is as tall as the readers expect")
end)

srv:stop()
idle:stop()

T.test("a line model's server: /read answers with model ctc; /predict says to use /read", function()
  -- a tiny untrained line model: lines.LineModel when the CTC reader is there (engineer
  -- `lines`), else a stand-in reader with the same answer's shape
  local linemodel, restore = nil, lines.ctc_read
  if lines.ctc_read and lines.LineModel then
    linemodel = lines.LineModel{ height = lines.HEIGHT, hidden = 8, c1 = 4, c2 = 4, c3 = 4 }
  else
    linemodel = nn.Sequential{ nn.Conv2d(1, 4, 3, { padding = 1 }), nn.ReLU() }
    lines.ctc_read = function(_, img) return lines.segment_read(model, img) end
  end
  local s = serve.serve{ model = linemodel, port = 0, quiet = true, reader = "ctc", info = { name = "mnist-lines" } }
  -- the PNG of the first line via the Python writer (one request each)
  local cmd = ([[/usr/bin/python3 -c '
import json, sys, urllib.request, urllib.error, zlib, struct
sys.path.insert(0, "%s/serve")
import numpy as np
from read_client import png
L = json.load(open("%s"))[0]
a = np.array(L["pixels"], dtype=np.uint8).reshape(L["h"], L["w"])
out = {}
for path in ("/read", "/predict"):
    r = urllib.request.Request("http://127.0.0.1:%d" + path, png(a))
    r.add_header("Content-Type", "image/png")
    try:
        with urllib.request.urlopen(r, timeout=30) as f: out[path] = [f.status, json.loads(f.read())]
    except urllib.error.HTTPError as e: out[path] = [e.code, json.loads(e.read())]
r = urllib.request.urlopen("http://127.0.0.1:%d/model", timeout=30)
out["/model"] = [r.status, json.loads(r.read())]
open("%s.ctc.tmp", "w").write(json.dumps(out))
import os; os.rename("%s.ctc.tmp", "%s.ctc")
' > %s.ctclog 2>&1 &]]):format(src, lines_path, s.port, s.port, tmp, tmp, tmp, tmp)
  os.execute(cmd)
  local t1 = nabla.clock()
  while not exists(tmp .. ".ctc") and nabla.clock() - t1 < 120 do
    if nabla._C.serve_wait(50) then serve.poll() end
  end
  s:stop()
  lines.ctc_read = restore
  local g = io.open(tmp .. ".ctc")
  local r = g and json.decode(g:read("a"))
  if g then g:close() end
  T.ok(r, "no answer; see " .. tmp .. ".ctclog")
  T.ok(r["/read"][1] == 200 and r["/read"][2].model == "ctc" and type(r["/read"][2].text) == "string", json.encode(r["/read"]))
  T.ok(r["/predict"][1] == 503 and r["/predict"][2].error:match("/read"), json.encode(r["/predict"]))
  T.ok(r["/model"][2].reader == "ctc", "GET /model says the reader")
  os.remove(tmp .. ".ctc")
  os.remove(tmp .. ".ctclog")
end)

for _, p in ipairs({ lines_path, out_path, tmp .. ".log", tmp }) do os.remove(p) end
T.done()

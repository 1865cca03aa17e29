-- The classroom server's endpoints over loopback (tests/serve/client.py is the client):
-- real MNIST test digits as PNG, MNIST-style and as dark ink on a larger white sheet,
-- off-centre, in every colour type; the answer equals the model's own forward on the
-- pixels the server says it fed it. Every bad input of the API gets its JSON error; 64
-- requests 16 at a time; /events carries what fit() emits; stop leaves no thread behind.
local T = dofile((os.getenv("NABLA_TESTS") or "tests") .. "/lua/harness.lua")
local nabla = require "nabla"
local nn, data = nabla.nn, nabla.data
local serve = require "nabla.serve"
local json = require("nabla.checkpoint").json

local function threads()
  local p = io.popen("ls /proc/self/task 2>/dev/null | wc -l")   -- the shell's own tasks: 1
  local n = tonumber(p:read("a"))
  p:close()
  local f = io.open("/proc/" .. (nabla._getpid and nabla._getpid() or "self") .. "/status")
  return n, f
end

-- this process's thread count (from /proc/self/status of the nabla process itself)
local function my_threads()
  local f = assert(io.open("/proc/self/status"))
  local s = f:read("a")
  f:close()
  return tonumber(s:match("Threads:%s*(%d+)"))
end

nabla.manual_seed(3)
local train = data.mnist{ split = "train", small = true }
local test = data.mnist{ split = "test", small = true }

-- a small CNN, trained for a moment: good enough to read most digits
local model = nn.Sequential{
  nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
  nn.Linear(4 * 13 * 13, 32), nn.ReLU(), nn.Linear(32, 10),
}
nabla.fit(model, data.loader(train, { batch = 32, shuffle = true, seed = 1 }), { epochs = 2, quiet = true, lr = 3e-3 })

-- the digits the client sends: the first 40 test digits, as bytes
local N = 40
local tmp = os.tmpname()
local digits_path, out_path = tmp .. ".digits", tmp .. ".json"
do
  local f = assert(io.open(digits_path, "wb"))
  local labels = {}
  for i = 1, N do
    local img, y = test[i][1], test[i][2]
    local v = img:reshape(784):tolist()
    local bytes = {}
    for k = 1, 784 do bytes[k] = string.char(math.floor(v[k] * 255 + 0.5)) end
    f:write(table.concat(bytes))
    labels[i] = string.char(y - 1)
  end
  f:write(table.concat(labels))
  f:close()
end

local before = my_threads()
local srv = serve.serve{ model = model, port = 0, quiet = true }
T.test("serve{} listens on loopback and names its address", function()
  T.ok(srv.host == "127.0.0.1", srv.host)
  T.ok(srv:url():match("^http://127%.0%.0%.1:%d+/$"), srv:url())
  T.ok(tostring(srv):find(srv:url(), 1, true))
end)

-- a second server that nobody serves: its queue fills (503) and its jobs time out (503)
local idle = nabla._C.serve_start{ port = 0, queue = 1, timeout_ms = 400 }
idle:set_model('{"name": "idle"}')

local src = os.getenv("NABLA_TESTS") or "tests"
local web = src .. "/../web"
local cmd = ("/usr/bin/python3 %s/serve/client.py %d %s %s %s > %s.log 2>&1 &"):format(src, srv.port, digits_path, out_path, web, tmp)
os.execute(cmd)
local idle_cmd = ([[/usr/bin/python3 -c '
import threading, urllib.request, urllib.error, json, sys
codes = []
def go():
    r = urllib.request.Request("http://127.0.0.1:%d/predict", json.dumps({"pixels": [0.5] * 784}).encode())
    r.add_header("Content-Type", "application/json")
    try:
        urllib.request.urlopen(r, timeout=10); codes.append(200)
    except urllib.error.HTTPError as e:
        codes.append((e.code, json.loads(e.read())["error"]))
ts = [threading.Thread(target=go) for _ in range(6)]
[t.start() for t in ts]; [t.join() for t in ts]
print(json.dumps(codes))
' > %s.idle 2>&1 &]]):format(idle:port(), tmp)
os.execute(idle_cmd)

local function exists(p)
  local f = io.open(p)
  if f then f:close() end
  return f ~= nil
end

-- serve until the client is ready for the event stream, train a moment while it listens,
-- then serve until it is done
local t0 = nabla.clock()
local function serve_until(path, limit)
  while not exists(path) and nabla.clock() - t0 < limit do
    if nabla._C.serve_wait(50) then serve.poll() end
  end
end
serve_until(out_path .. ".ready", 120)
local other = nn.Sequential{ nn.Flatten(), nn.Linear(784, 16), nn.ReLU(), nn.Linear(16, 10) }
nabla.fit(other, data.loader(train, { batch = 8, shuffle = true, seed = 2 }),
  { epochs = 2, quiet = true, val = data.Subset and test or test })
serve_until(out_path, 180)

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

-- the model's own forward on the pixels the server fed it
local function own(input)
  local x = nabla.tensor(input):view(1, 1, 28, 28)
  model:eval()
  local p = nabla.no_grad(function() return model(x):softmax(2) end)
  return p:reshape(10):tolist()
end

local by = {}
for _, a in ipairs(result.answers) do
  by[a.kind] = by[a.kind] or {}
  by[a.kind][a.index + 1] = a
end

T.test("every digit answered, JSON with label, probabilities, ms and input", function()
  local count = 0
  for kind, list in pairs(by) do
    for i, a in pairs(list) do
      T.ok(a.status == 200, ("%s %d: status %s %s"):format(kind, i, tostring(a.status), tostring(a.error)))
      T.ok(a.ctype:match("^application/json"), a.ctype)
      T.ok(math.type(a.label) == "integer" and a.label >= 0 and a.label <= 9)
      T.ok(#a.probabilities == 10 and #a.input == 784 and type(a.ms) == "number")
      count = count + 1
    end
  end
  T.ok(count >= 3 * N + 18, count)
end)

T.test("the answer is the model's own forward on the same preprocessed pixels", function()
  for kind, list in pairs(by) do
    if kind ~= "during-fit" then
      for i, a in pairs(list) do
        local p = own(a.input)
        local best = 1
        for k = 1, 10 do
          T.ok(math.abs(p[k] - a.probabilities[k]) < 2e-5, ("%s %d: class %d: %g vs %g"):format(kind, i, k - 1, p[k], a.probabilities[k]))
          if p[k] > p[best] then best = k end
        end
        T.ok(a.label == best - 1, ("%s %d: label %d, forward says %d"):format(kind, i, a.label, best - 1))
      end
    end
  end
end)

T.test("JSON pixels are fed as given", function()
  for i, a in pairs(by.pixels) do
    local v = test[i][1]:reshape(784):tolist()
    for k = 1, 784 do T.ok(math.abs(a.input[k] - math.floor(v[k] * 255 + 0.5) / 255) < 1e-4) end
  end
end)

-- how far two 28x28 inputs are apart: mean absolute difference
local function mad(a, b)
  local s = 0
  for k = 1, 784 do s = s + math.abs(a[k] - b[k]) end
  return s / 784
end

T.test("MNIST-style PNGs are read as MNIST digits (and classified as well)", function()
  local right, close = 0, 0
  for i = 1, N do
    local a = by["mnist-png"][i]
    if a.label == test[i][2] - 1 then right = right + 1 end
    if mad(a.input, test[i][1]:reshape(784):tolist()) < 0.06 then close = close + 1 end
  end
  T.ok(close >= N * 0.9, ("%d of %d preprocessed MNIST digits stay close to the original"):format(close, N))
  T.ok(right >= N * 0.8, ("%d of %d right"):format(right, N))
end)

T.test("dark ink on a white sheet, off-centre, in any colour type: the same digit", function()
  for _, kind in ipairs({ "sheet-multipart", "sheet-palette", "sheet-grey16-alpha", "sheet-transparent" }) do
    local same, n = 0, 0
    for i, a in pairs(by[kind]) do
      n = n + 1
      local ref = by["mnist-png"][i]
      if a.label == ref.label and mad(a.input, ref.input) < 0.08 then same = same + 1 end
    end
    T.ok(n > 0 and same >= n * 0.9, ("%s: %d of %d match the MNIST-style answer"):format(kind, same, n))
  end
end)

T.test("activations: feature maps of conv layers, vectors of linear ones", function()
  local a = by.activations and by.activations[1]
  T.ok(a and a.activations, "no activations")
  local kinds = {}
  for _, l in ipairs(a.activations) do
    kinds[l.type .. ":" .. l.kind] = true
    local n = 1
    for _, d in ipairs(l.shape) do n = n * d end
    T.ok(#l.data == n, ("%s: %d values for shape of %d"):format(l.name, #l.data, n))
    if l.kind == "maps" then for _, v in ipairs(l.data) do T.ok(v >= 0 and v <= 1) end end
  end
  T.ok(kinds["Conv2d:maps"] and kinds["Linear:vector"], "kinds missing")
end)

T.test("a full queue and an unserved request get 503 with a message", function()
  local f2 = io.open(tmp .. ".idle")
  local codes = f2 and json.decode(f2:read("a"))
  if f2 then f2:close() end
  T.ok(codes and #codes == 6, "no answer from the idle-server client")
  local full, timeout = 0, 0
  for _, c in ipairs(codes) do
    T.ok(type(c) == "table" and c[1] == 503, "expected 503, got " .. tostring(c))
    if c[2]:match("requests waiting") then full = full + 1 elseif c[2]:match("shell") then timeout = timeout + 1 end
  end
  T.ok(full >= 1 and timeout >= 1, ("queue full %d, timed out %d"):format(full, timeout))
end)

T.test("stop: the port closes and no thread is left", function()
  T.ok(srv:stop())
  idle:stop()
  T.ok(not srv:stop(), "a second stop does nothing")
  T.ok(my_threads() == before, ("threads: %d before serve, %d after stop"):format(before, my_threads()))
  local p = io.popen(("/usr/bin/python3 -c 'import socket; s = socket.socket(); print(s.connect_ex((\"127.0.0.1\", %d)))'"):format(srv.port))
  local code = tonumber(p:read("a"))
  p:close()
  T.ok(code ~= 0, "the port still accepts connections")
  T.ok(tostring(srv):match("stopped"))
end)

T.test("the lesson runner and plots emit their events; the server's state keeps them", function()
  local events = require "nabla.events"
  local s = serve.serve{ model = model, port = 0, quiet = true }
  local got = {}
  local function on_lesson(p) got.lesson = p end
  local function on_plot(p) got.plot = p end
  events.on("lesson", on_lesson)
  events.on("plot", on_plot)
  local out = io.output()
  io.output(os.tmpname())               -- the lesson's text is not this test's output
  local ok, err = pcall(function()
    nabla.lesson("gradient-descent")
    nabla.plot.line({ 3, 1, 2 })
  end)
  io.output():close()
  io.output(out)
  T.ok(ok, err)
  events.off("lesson", on_lesson)
  events.off("plot", on_plot)
  T.ok(not events.listening("lesson") == false, "the server still listens")
  local p = got.lesson
  T.ok(p and p.id == "gradient-descent" and p.step >= 1 and p.steps > 1 and type(p.text) == "string" and #p.text > 20, "lesson payload")
  T.ok(got.plot and got.plot.svg:find("<svg", 1, true), "plot payload")
  T.ok(s.lesson and s.lesson.id == "gradient-descent" and s.lesson.svg and s.lesson.svg:match("<svg"), "state.lesson")
  s:stop()
  T.ok(not events.listening("lesson"), "a stopped server stops listening")
end)

T.test("sample events (generative models): the server keeps the latest of each kind, bounded", function()
  local events = require "nabla.events"
  local samples = require "nabla.samples"
  local s = serve.serve{ model = model, port = 0, quiet = true }
  T.ok(events.listening("sample"), "the server listens to sample")
  local z = nabla.randn(5000, 2)
  local y = {}
  for i = 1, 5000 do y[i] = i % 10 + 1 end
  samples.emit(function() return samples.scatter(z, y, { title = "latent" }) end)
  samples.emit(function() return samples.image_grid(nabla.rand(4, 1, 28, 28), { cols = 2, title = "sheet" }) end)
  samples.emit(samples.text(("é"):rep(15000), { source = "char-rnn" }))
  events.emit("sample", { kind = "nonsense" })                -- ignored
  events.emit("sample", "not a table")                         -- ignored
  T.eq(#s.samples.scatter.points, 3000, "a scatter is thinned to 3000 points")
  T.eq(s.samples.scatter.points[1][3], 2, "points keep their class")
  T.eq(s.samples.image_grid.rows * s.samples.image_grid.cols, 4)
  T.eq(#s.samples.image_grid.pixels, 4 * 784)
  local text = s.samples.text.text
  T.ok(#text <= 20000 and utf8.len(text) ~= nil, "a long text keeps its end, whole characters")
  T.eq(s.samples.text.source, "char-rnn")
  T.ok(s.samples.nonsense == nil, "an unknown kind is not kept")
  local state = nabla._C.json(s:_state())
  T.ok(state:find('"samples"', 1, true) and state:find('"image_grid"', 1, true), "/state carries the samples")
  s:stop()
  T.ok(not events.listening("sample"), "a stopped server stops listening")
end)

T.test("a model that reads no digits trains under the server (char-rnn, a generator): the dashboard follows, nothing is served", function()
  local events = require "nabla.events"
  local s = serve.serve{ port = 0, quiet = true }
  events.emit("fit_start", { model = nn.Linear(3, 2), epochs = 2, steps = 10 })
  T.ok(s.model == nil, "a model that does not take digits is not served")
  T.ok(s.training and s.training.running, "the dashboard follows its training")
  events.emit("train_step", { step = 1, global_step = 1, epoch = 1, epochs = 2, loss = 1.5 })
  T.eq(s.training.history.loss[1], 1.5)
  s:stop()
end)

T.test("serve{} errors", function()
  local ok, err = pcall(serve.serve, { model = model, port = 70000, quiet = true })
  T.ok(not ok and err:match("port"), err)
  ok, err = pcall(serve.serve, { model = "x", port = 0, quiet = true })
  T.ok(not ok and err:match("model"), err)
  ok, err = pcall(serve.serve, { model = nn.Linear(3, 2), port = 0, quiet = true })
  T.ok(not ok and err:match("28"), err)
  local a = serve.serve{ model = model, port = 0, quiet = true }
  ok, err = pcall(serve.serve, { model = model, port = a.port, quiet = true })
  T.ok(not ok and err:match("cannot listen"), err)
  a:stop()
end)

for _, p in ipairs({ digits_path, out_path, out_path .. ".ready", tmp .. ".log", tmp .. ".idle", tmp }) do os.remove(p) end
T.done()

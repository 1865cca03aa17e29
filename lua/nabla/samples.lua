-- nabla.samples: what a generative model makes, for the classroom dashboard and the run
-- directory. A latent space as a scatter of points coloured by class, a sheet of generated
-- (or reconstructed) images, a generated text: each becomes one "sample" event
-- (lua/nabla/events.lua), which the classroom server keeps in /state and sends on /events
-- (web/static/dashboard.js draws one panel per kind), and can be saved as an SVG figure.
--
--   samples.emit(function() return samples.image_grid(x, { title = "epoch 3" }) end)
--   samples.save_grid("runs/.../samples-03.svg", x, { cols = 8, title = "epoch 3" })
--
-- Payloads (the contract with the dashboard; every kind may carry source, epoch, title):
--   { kind = "scatter", points = {{x, y, label}, ...}, classes = {"0", ..., "9"} }
--   { kind = "image_grid", rows = r, cols = c, height = h, width = w,
--     pixels = {r·c·h·w integers 0..255, image after image, row-major} }
--   { kind = "text", text = "...", temperature = t }
local nabla = require "nabla"
local doc = require "nabla.doc"
local M = {}

local G = "Generative models"

-- (N, 1, H, W), (N, H, W) or (N, H·W) square images -> (N, H, W) and H, W
local function as_images(x, fname)
  if not nabla.is_tensor(x) then error(fname .. ": images must be a tensor (N, 1, H, W)", 3) end
  local s = x.shape
  if #s == 4 and s[2] == 1 then return x:reshape(s[1], s[3], s[4]), s[3], s[4] end
  if #s == 3 then return x, s[2], s[3] end
  if #s == 2 then
    local side = math.floor(math.sqrt(s[2]) + 0.5)
    if side * side == s[2] then return x:reshape(s[1], side, side), side, side end
  end
  error(("%s: images must be (N, 1, H, W), (N, H, W) or (N, H·W) with square images, got %s")
    :format(fname, tostring(x.shape)), 3)
end

local function common(p, opts)
  p.title, p.source, p.epoch = opts.title, opts.source, opts.epoch
  return p
end

-- a grid of images; values between opts.lo (0) and opts.hi (1) become 0..255
function M.image_grid(x, opts)
  opts = opts or {}
  local imgs, h, w = as_images(x, "samples.image_grid")
  local n = imgs.shape[1]
  local cols = opts.cols or math.max(1, math.ceil(math.sqrt(n)))
  local lo, hi = opts.lo or 0, opts.hi or 1
  local flat = nabla.no_grad(function()
    return ((imgs:detach():reshape(n * h * w) - lo) * (255 / (hi - lo))):clamp(0, 255)
  end):tolist()
  for i = 1, #flat do flat[i] = math.floor(flat[i] + 0.5) end
  return common({ kind = "image_grid", rows = math.ceil(n / cols), cols = cols, height = h, width = w,
                  count = n, pixels = flat }, opts)
end
doc(M.image_grid, "samples.image_grid(x, { cols, title, lo = 0, hi = 1 })",
    "the dashboard's payload for a sheet of images x (N, 1, H, W): pixels as 0..255",
    "이미지 x (N, 1, H, W)를 한 장에 모은 대시보드용 payload (픽셀은 0..255)", G)

-- a 2-D latent space: z (N, 2), labels (N) class ids (1-based) or nil; classes names them
function M.scatter(z, labels, opts)
  opts = opts or {}
  if not (nabla.is_tensor(z) and #z.shape == 2 and z.shape[2] == 2) then
    error("samples.scatter: z must be an (N, 2) tensor, got " .. (nabla.is_tensor(z) and tostring(z.shape) or type(z)), 2)
  end
  local zl = z:detach():tolist()
  local ll = labels and (nabla.is_tensor(labels) and labels:tolist() or labels) or {}
  local pts = {}
  for i, p in ipairs(zl) do
    local lab = ll[i] and math.tointeger(ll[i]) or ll[i]
    pts[i] = { p[1], p[2], lab }
  end
  return common({ kind = "scatter", points = pts, classes = opts.classes }, opts)
end
doc(M.scatter, "samples.scatter(z, labels, { classes, title })",
    "the dashboard's payload for a 2-D latent space: points z (N, 2) with their class ids",
    "2차원 잠재 공간의 대시보드용 payload: 점 z (N, 2)와 클래스 번호", G)

function M.text(s, opts)
  opts = opts or {}
  return common({ kind = "text", text = tostring(s), temperature = opts.temperature }, opts)
end
doc(M.text, "samples.text(s, { title, temperature })", "the dashboard's payload for a generated text",
    "생성한 글의 대시보드용 payload", G)

-- emit(payload or function returning one): a "sample" event, built only when someone listens
function M.emit(p)
  local events = require "nabla.events"
  if not events.listening("sample") then return false end
  if type(p) == "function" then p = p() end
  events.emit("sample", p)
  return true
end
doc(M.emit, "samples.emit(payload | fn)",
    "send a \"sample\" event (the dashboard's panels); a function is called only when someone listens",
    "\"sample\" 이벤트를 보냅니다 (대시보드의 패널). 함수를 주면 듣는 쪽이 있을 때만 호출합니다", G)

-- SVG sheet of images (plot.images at full resolution), not printed
function M.save_grid(path, x, opts)
  opts = opts or {}
  local imgs, _, w = as_images(x, "samples.save_grid")
  local n = imgs.shape[1]
  local cols = opts.cols or math.max(1, math.ceil(math.sqrt(n)))
  local plot = require "nabla.plot"
  plot.images(imgs:detach(), { cols = cols, width = cols * (w + 2) + 2, print = false,
    vmin = opts.lo or 0, vmax = opts.hi or 1, title = opts.title, labels = opts.labels })
  return plot.save(path)
end
doc(M.save_grid, "samples.save_grid(path, x, { cols, title, labels })",
    "write a sheet of images x (N, 1, H, W) as an SVG file, pixel for pixel",
    "이미지 x (N, 1, H, W)를 한 장의 SVG 파일로 픽셀 그대로 저장합니다", G)

-- SVG scatter of a latent space coloured by class (and its text version, returned)
function M.save_scatter(path, z, labels, opts)
  opts = opts or {}
  local plot = require "nabla.plot"
  local zl = z:detach()
  local s = plot.scatter(zl:select(2, 1), zl:select(2, 2), { labels = labels, classes = opts.classes,
    title = opts.title, print = opts.print or false, width = opts.width, height = opts.height,
    xlabel = "z1", ylabel = "z2", marker = false })
  plot.save(path)
  return s
end
doc(M.save_scatter, "samples.save_scatter(path, z, labels, { classes, title, print })",
    "write a latent space z (N, 2) coloured by class as an SVG scatter; returns the terminal text",
    "잠재 공간 z (N, 2)를 클래스별 색으로 SVG 산점도로 저장하고 터미널용 글을 돌려줍니다", G)

doc(M, "nabla.samples", "payloads and SVG files for what generative models make: latent scatters, image sheets, text",
    "생성 모델이 만든 것(잠재 공간 산점도, 이미지 모음, 글)의 payload와 SVG 파일", G)

return M

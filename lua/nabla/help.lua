-- help(x): the signature and a one-line description of any public function, module or
-- method, in English or Korean (nabla.lang). help() lists the topics.
-- Modules register their own entries:
--   help.register(obj_or_dotted_name, "signature", "english one-liner", "한국어 한 줄")
--   help.register(obj, { name = "optim.SGD", sig = "...", en = "...", ko = "..." })
local nabla = require "nabla"
local M = { entries = {}, by_object = setmetatable({}, { __mode = "k" }) }

local function lang() return nabla.lang == "ko" and "ko" or "en" end

function M.register(obj, sig, en, ko)
  local e
  if type(sig) == "table" then
    e = { name = sig.name, sig = sig.sig or sig.signature or sig.name, en = sig.en, ko = sig.ko or sig.en }
  else
    e = { sig = sig, en = en, ko = ko or en }
  end
  if type(obj) == "string" then
    e.name = e.name or obj
  elseif obj ~= nil then
    M.by_object[obj] = e
  end
  if e.name then M.entries[e.name] = e end
  e.name = e.name or (type(sig) == "string" and sig:match("^([%w_%.:]+)")) or "?"
  M.entries[e.name] = e
  return e
end

-- the core API (tensor creation, methods, autograd); other modules add theirs
local core = {
  { "tensor", "tensor(table | number | tensor)", "a tensor from nested Lua tables (a copy)", "중첩된 Lua 테이블로 텐서를 만듭니다 (복사본)" },
  { "zeros", "zeros(d1, d2, ...) or zeros{d1, d2}", "a tensor of zeros", "0으로 채운 텐서" },
  { "ones", "ones(d1, d2, ...)", "a tensor of ones", "1로 채운 텐서" },
  { "full", "full({d1, d2}, value)", "a tensor filled with value", "value로 채운 텐서" },
  { "rand", "rand(d1, ...)", "uniform random numbers in [0, 1)", "[0, 1) 균등분포 난수" },
  { "randn", "randn(d1, ...)", "standard normal random numbers", "표준정규분포 난수" },
  { "arange", "arange([start,] end [, step])", "start, start+step, ... up to end (excluded)", "start부터 end 전까지 step 간격의 수" },
  { "linspace", "linspace(a, b, n)", "n evenly spaced numbers from a to b", "a부터 b까지 같은 간격의 수 n개" },
  { "eye", "eye(n [, m])", "the identity matrix", "단위 행렬" },
  { "manual_seed", "manual_seed(seed)", "seed the random generator (same numbers on every machine)", "난수 생성기의 시드를 정합니다 (어느 컴퓨터에서나 같은 수)" },
  { "no_grad", "no_grad(fn, ...) or local _ <close> = no_grad()", "run without recording gradients (for updates and evaluation)", "경사를 기록하지 않고 실행합니다 (갱신과 평가에 사용)" },
  { "cat", "cat({t1, t2, ...}, dim)", "join tensors along an existing dimension", "기존 차원을 따라 텐서를 이어 붙입니다" },
  { "stack", "stack({t1, t2, ...}, dim)", "join tensors along a new dimension", "새 차원을 만들어 텐서를 쌓습니다" },
  { "where", "where(mask, a, b)", "a where mask is nonzero, else b", "mask가 0이 아닌 곳은 a, 나머지는 b" },
  { "graph", "graph(loss)", "draw the computation graph with each node's value and gradient", "각 노드의 값과 경사를 담은 계산 그래프를 그립니다" },
  { "inspect", "inspect(model)", "per parameter: shape, mean/std, gradient norm, grad/weight ratio, histograms", "파라미터별 모양, 평균/표준편차, 경사 노름, 경사/가중치 비율, 히스토그램" },
  { "watch", "watch(model)", "record every layer's gradient norm at each backward; :plot() draws them", "backward마다 층별 경사 노름을 기록합니다; :plot()으로 그립니다" },
  { "fit", "fit(model, loader, {epochs, optimizer, loss, val, ...})", "train a model; returns the history", "모델을 학습시키고 기록을 돌려줍니다" },
  { "evaluate", "evaluate(model, data)", "loss, accuracy and confusion matrix on data", "데이터에 대한 손실, 정확도, 혼동 행렬" },
  { "lessons", "lessons()", "list the lessons and your progress", "레슨 목록과 진도를 보여 줍니다" },
  { "lesson", 'lesson "id"', "start or resume a lesson", "레슨을 시작하거나 이어서 합니다" },
  { "next", "next()", "go to the next step of the lesson (checks your work first)", "레슨의 다음 단계로 갑니다 (먼저 검사합니다)" },
  { "back", "back()", "go back one step", "한 단계 뒤로 갑니다" },
  { "catchup", "catchup()", "replay the reference code of the lesson's earlier steps, so this step finds their variables (a resumed lesson does it by itself)", "레슨 앞 단계들의 참고 코드를 다시 실행해 이 단계에 필요한 변수를 되살립니다 (이어서 하는 레슨은 저절로 합니다)" },
  { "hint", 'hint() or hint("id", k)', "a hint for this step (or for step k of lesson id)", "이 단계(또는 레슨 id의 k단계)의 힌트" },
  { "check", 'check() or check("id", k)', "check your work for this step (or step k of lesson id) and say what is still wrong", "이 단계(또는 레슨 id의 k단계)의 답을 검사하고 무엇이 틀렸는지 알려 줍니다" },
  { "answer", 'answer(n) or answer(n, "id", k)', "answer the quiz of this step (or of step k of lesson id); answer() shows it again", "이 단계(또는 레슨 id의 k단계)의 퀴즈에 답합니다; answer()는 퀴즈를 다시 보여 줍니다" },
  { "help", "help(x)", "describe x; help() lists the topics", "x를 설명합니다; help()는 주제 목록" },
  { "linear", "linear(x, w [, b])", "x·wᵀ + b in one matrix product (what nn.Linear computes)", "x·wᵀ + b를 행렬 곱 한 번으로 (nn.Linear가 하는 계산)" },
  { "one_hot", "one_hot(idx, n)", "rows of zeros with a 1 at each (1-based) class", "각 (1부터 세는) 클래스 자리에 1이 있는 0 행들" },
  { "repr", "repr(v [, {width, lines}])", "the text the shell prints for v: tables as Lua literals cut to the terminal, a history as a summary", "셸이 v를 보여 주는 글: 테이블은 터미널 폭에 맞춘 Lua 리터럴, 학습 기록은 요약" },
  { "display", "display(obj)", "show obj once, as inspect, graph and plots do (a notebook replaces this hook to draw it)", "inspect, graph, 그래프처럼 obj를 한 번 보여 줍니다 (노트북은 이 함수를 바꿔 그림으로 보여 줍니다)" },
  { "terminal_columns", "terminal_columns([fd])", "the width of the terminal in columns, or nil when output is not a terminal", "터미널의 폭(칸 수); 터미널이 아니면 nil" },
  { "blas_info", "blas_info()", "which BLAS library and kernels nabla uses, and how many threads", "nabla가 쓰는 BLAS 라이브러리, 커널, 스레드 수" },
  { "set_num_threads", "set_num_threads(n)", "threads for every kernel (OpenMP and matrix products)", "모든 커널(OpenMP와 행렬 곱)이 쓸 스레드 수" },
  { "get_num_threads", "get_num_threads()", "the number of threads kernels use", "커널이 쓰는 스레드 수" },
  { "nn", "nn.Linear, nn.Conv2d, nn.Sequential, nn.CrossEntropyLoss, ...", "layers and losses (help(nn) lists them)", "층과 손실 함수 (help(nn)으로 목록)" },
  { "optim", "optim.SGD, optim.Adam, optim.lr_scheduler, ...", "optimizers and learning-rate schedulers (help(optim))", "옵티마이저와 학습률 스케줄러 (help(optim))" },
  { "data", "data.mnist, data.loader, data.moons, ...", "data sets, loaders and splits (help(data))", "데이터셋, 로더, 분할 (help(data))" },
  { "aug", "aug.affine, aug.elastic, aug.compose, ...", "data augmentation (help(aug))", "데이터 증강 (help(aug))" },
  { "plot", "plot.line, plot.lines, plot.scatter, plot.contour, plot.save, ...", "plots in the terminal and as SVG (help(plot))", "터미널 그래프와 SVG (help(plot))" },
  { "save", "save(path, model_or_state_dict)", "write a safetensors checkpoint (atomically)", "safetensors 체크포인트를 씁니다 (원자적으로)" },
  { "load", "load(path)", "read a safetensors checkpoint into a state dict", "safetensors 체크포인트를 state dict로 읽습니다" },
}

local methods = {
  { "numel", "x:numel()", "number of elements", "원소 개수" },
  { "item", "x:item()", "the value of a one-element tensor as a number", "원소가 하나인 텐서의 값을 숫자로" },
  { "tolist", "x:tolist()", "nested Lua tables of the values", "값을 중첩 Lua 테이블로" },
  { "size", "x:size([dim])", "the shape, or the size of one dimension", "모양, 또는 한 차원의 크기" },
  { "view", "x:view(d1, ...)", "the same storage seen with a new shape (-1 is inferred)", "같은 저장소를 새 모양으로 봅니다 (-1은 자동)" },
  { "reshape", "x:reshape(d1, ...)", "a view when possible, else a copy", "가능하면 뷰, 아니면 복사본" },
  { "t", "x:t()", "transpose of a matrix (a view)", "행렬의 전치 (뷰)" },
  { "transpose", "x:transpose(d1, d2)", "swap two dimensions (a view)", "두 차원을 바꿉니다 (뷰)" },
  { "permute", "x:permute(d1, d2, ...)", "reorder the dimensions (a view)", "차원 순서를 바꿉니다 (뷰)" },
  { "contiguous", "x:contiguous()", "a contiguous copy if needed", "필요하면 연속된 복사본" },
  { "squeeze", "x:squeeze([dim])", "drop size-1 dimensions", "크기 1인 차원을 없앱니다" },
  { "unsqueeze", "x:unsqueeze(dim)", "insert a size-1 dimension", "크기 1인 차원을 끼워 넣습니다" },
  { "expand", "x:expand(d1, ...)", "broadcast size-1 dimensions without copying", "크기 1인 차원을 복사 없이 늘립니다" },
  { "flatten", "x:flatten([start [, end]])", "merge dimensions into one", "차원들을 하나로 합칩니다" },
  { "narrow", "x:narrow(dim, start, length)", "a slice along dim (a view)", "dim을 따라 자른 조각 (뷰)" },
  { "select", "x:select(dim, i)", "position i of dim, dropping that dimension", "dim의 i번째, 그 차원은 없어집니다" },
  { "clone", "x:clone()", "a copy (differentiable)", "복사본 (미분 가능)" },
  { "detach", "x:detach()", "the same values, out of the graph", "같은 값, 그래프 밖으로" },
  { "sum", "x:sum([dim [, keepdim]])", "sum of all elements, or over dim", "전체 또는 dim 방향의 합" },
  { "mean", "x:mean([dim [, keepdim]])", "mean of all elements, or over dim", "전체 또는 dim 방향의 평균" },
  { "max", "x:max([dim])", "the largest value; with dim, values and indices", "최댓값; dim을 주면 값과 위치" },
  { "argmax", "x:argmax([dim])", "position of the largest value (1-based)", "최댓값의 위치 (1부터)" },
  { "softmax", "x:softmax(dim)", "exp(x) / Σ exp(x) along dim, computed stably", "dim 방향의 exp(x) / Σ exp(x), 안정적으로 계산" },
  { "log_softmax", "x:log_softmax(dim)", "log of softmax, computed stably", "softmax의 로그, 안정적으로 계산" },
  { "mm", "x:mm(y)", "matrix product of two 2-D tensors", "2차원 텐서 두 개의 행렬 곱" },
  { "matmul", "x:matmul(y)", "matrix product with broadcasting of batch dimensions", "배치 차원을 브로드캐스트하는 행렬 곱" },
  { "bmm", "x:bmm(y)", "batched matrix product of (b,n,m) and (b,m,p)", "(b,n,m)과 (b,m,p)의 배치 행렬 곱" },
  { "dot", "x:dot(y)", "dot product of two vectors", "두 벡터의 내적" },
  { "mv", "x:mv(v)", "matrix times vector", "행렬과 벡터의 곱" },
  { "outer", "x:outer(y)", "outer product of two vectors", "두 벡터의 외적(outer product)" },
  { "var", "x:var([dim [, unbiased [, keepdim]]])", "variance (unbiased by default, as PyTorch)", "분산 (PyTorch처럼 기본은 불편 분산)" },
  { "std", "x:std([dim [, unbiased [, keepdim]]])", "standard deviation", "표준편차" },
  { "min", "x:min([dim])", "the smallest value; with dim, values and indices", "최솟값; dim을 주면 값과 위치" },
  { "argmin", "x:argmin([dim])", "position of the smallest value (1-based)", "최솟값의 위치 (1부터)" },
  { "prod", "x:prod([dim])", "product of the elements", "원소들의 곱" },
  { "logsumexp", "x:logsumexp(dim)", "log Σ exp(x) along dim, computed stably", "dim 방향의 log Σ exp(x), 안정적으로 계산" },
  { "norm", "x:norm([p [, dim]])", "the p-norm (2 by default)", "p-노름 (기본 2)" },
  { "index_select", "x:index_select(dim, idx)", "the rows (along dim) at 1-based positions idx", "dim을 따라 (1부터 세는) 위치 idx의 행들" },
  { "gather", "x:gather(dim, idx)", "picks x[..., idx[...], ...] along dim (as torch.gather)", "dim을 따라 idx가 가리키는 값을 모읍니다 (torch.gather처럼)" },
  { "scatter_add", "x:scatter_add(dim, idx, src)", "adds src into x at the positions idx along dim", "dim을 따라 idx 위치에 src를 더합니다" },
  { "masked_fill", "x:masked_fill(mask, v)", "v where mask is nonzero", "mask가 0이 아닌 곳을 v로" },
  { "relu", "x:relu()", "max(x, 0)", "max(x, 0)" },
  { "sigmoid", "x:sigmoid()", "1 / (1 + e^-x)", "1 / (1 + e^-x)" },
  { "tanh", "x:tanh()", "hyperbolic tangent", "쌍곡탄젠트" },
  { "exp", "x:exp()", "e^x", "e^x" },
  { "log", "x:log()", "natural logarithm", "자연로그" },
  { "pow", "x:pow(p) or x ^ p", "x to the power p", "x의 p제곱" },
  { "clamp", "x:clamp(min, max)", "limit values to [min, max]", "값을 [min, max]로 제한" },
  { "requires_grad", "x:requires_grad([flag])", "record operations on x so backward can compute x.grad", "x에 대한 연산을 기록해 backward가 x.grad를 계산하게 합니다" },
  { "backward", "loss:backward([grad | {retain_graph, step}])", "backpropagate: fill .grad of every leaf; {step=true} walks node by node", "역전파: 모든 리프의 .grad를 채웁니다; {step=true}는 노드 하나씩 따라갑니다" },
  { "retain_grad", "x:retain_grad()", "keep .grad for this intermediate tensor", "중간 텐서의 .grad를 남깁니다" },
  { "register_hook", "x:register_hook(function(grad) ... end)", "see (or replace) x's gradient during backward", "backward 중에 x의 경사를 보거나 바꿉니다" },
  { "sub_", "x:sub_(y [, alpha])", "x = x - alpha*y in place (use inside no_grad)", "제자리에서 x = x - alpha*y (no_grad 안에서)" },
  { "zero_", "x:zero_()", "fill with zeros in place", "제자리에서 0으로 채웁니다" },
}

for _, e in ipairs(core) do M.register(e[1], e[2], e[3], e[4]) end
for _, e in ipairs(methods) do
  local entry = M.register("Tensor:" .. e[1], e[2], e[3], e[4])
  entry.method = e[1]
end

-- resolves a dotted name ("nn.Linear") through nabla and the globals, without erroring
local function resolve_in(v, name)
  for part in name:gmatch("[^%.:]+") do
    if type(v) ~= "table" and type(v) ~= "userdata" then return nil end
    local ok, r = pcall(function() return v[part] end)
    if not ok then return nil end
    v = r
  end
  return v
end

local function resolve(name)
  local v = resolve_in(_G, name)
  if v == nil then v = resolve_in(nabla, (name:gsub("^nabla%.", ""))) end
  return v
end

local function find(x)
  if type(x) == "string" then
    return M.entries[x] or M.entries["Tensor:" .. x] or (function()
      local v = resolve(x)
      return v ~= nil and M.by_object[v] or nil
    end)()
  end
  local e = M.by_object[x]
  if e then return e end
  -- an object registered by name: compare with the resolved names (over a copy: resolving
  -- a name may load a module, which registers more entries while we walk them)
  local all = {}
  for name, entry in pairs(M.entries) do all[#all + 1] = { name, entry } end
  for _, item in ipairs(all) do
    local name, entry = item[1], item[2]
    if not entry.method then
      local v = resolve(name)
      if v ~= nil and rawequal(v, x) then
        M.by_object[x] = entry
        return entry
      end
    end
  end
  -- a module instance: its class
  if type(x) == "table" then
    local mt = getmetatable(x)
    if mt and M.by_object[mt] then return M.by_object[mt] end
  end
  return nil
end

M.find = find  -- the entry describing a value (nabla.repr shows a function by its help)

local function line(e)
  return ("%s\n    %s"):format(e.sig or e.name, e[lang()] or e.en or "")
end

function M.text(x)
  if x == nil then
    local names = {}
    for name, e in pairs(M.entries) do
      if not e.method then names[#names + 1] = name end
    end
    table.sort(names)
    local head = lang() == "ko"
      and "help(x)로 무엇이든 물어보세요. 텐서 메서드는 help(tensor{0})로 봅니다. 주제:"
      or "Ask help(x) about anything. Tensor methods: help(tensor{0}). Topics:"
    return head .. "\n  " .. table.concat(names, "  ")
  end
  if nabla.is_tensor(x) then
    local lines = { lang() == "ko" and "텐서 메서드:" or "Tensor methods:" }
    local names = {}
    for name, e in pairs(M.entries) do if e.method then names[#names + 1] = name end end
    table.sort(names)
    for _, n in ipairs(names) do
      local e = M.entries[n]
      lines[#lines + 1] = ("  %-44s %s"):format(e.sig, e[lang()] or e.en)
    end
    return table.concat(lines, "\n")
  end
  local e = find(x)
  if type(x) == "string" then
    local v = resolve(x)
    if e == nil then e = v ~= nil and find(v) or nil end
    if type(v) == "table" then x = v end
  end
  -- a module table (nn, optim, plot...): its own line, then what it holds that has help
  local listing = {}
  if type(x) == "table" and (e == nil or not e.method and not e.name:find("[%.:]")) then
    local seen = {}
    for k, v in pairs(x) do
      local ok, ev = pcall(find, v)
      ev = ok and type(k) == "string" and k:sub(1, 1) ~= "_" and ev or nil
      if ev and ev ~= e and not seen[ev] then
        seen[ev] = true
        local sig, text = ev.sig or k, ev[lang()] or ev.en
        listing[#listing + 1] = #sig <= 44 and ("  %-44s %s"):format(sig, text)
          or ("  %s\n  %-44s %s"):format(sig, "", text)
      end
    end
    table.sort(listing)
  end
  if e and #listing > 0 then return line(e) .. "\n" .. table.concat(listing, "\n") end
  if e then return line(e) end
  if #listing > 0 then return table.concat(listing, "\n") end
  -- any other value a learner holds: described (a method taken as a value, a history, a
  -- table, a number...) rather than refused
  local ok, d = pcall(function() return require("nabla.describe").describe(x, M) end)
  if ok and d then return d end
  return lang() == "ko" and ("%s에 대한 도움말이 없습니다 (help()로 주제 목록을 보세요)"):format(tostring(x))
    or ("no help for %s (help() lists the topics)"):format(tostring(x))
end

function M.help(x)
  print(require("nabla.term").wrap(M.text(x)))
end

return M

-- Help for the names the C engine defines (creating tensors, tensor methods, autograd
-- switches, threads), in English and Korean. The C op tables carry the text of their own ops
-- as nabla._C.docs, which takes precedence over these lines (source "fallback"); what a
-- table carries can be deleted here. Everything defined in Lua is documented beside its
-- definition, with the same doc().
local nabla = require "nabla"
local registry = require "nabla.doc"

local function doc(obj, sig, en, ko, group)
  if type(obj) == "string" then obj = rawget(nabla, obj) end
  return registry.register(obj, sig, en, ko, group, "fallback")
end
-- a tensor method; when nabla has a function of the same name (sum(x) and x:sum()), it is
-- the same function and shares the entry
local function method(sig, en, ko, group)
  local name = "Tensor:" .. sig:match("^[%w_]+:([%w_]+)")
  return registry.register(nil, { name = name, sig = sig, en = en, ko = ko, group = group, kind = "method" },
                           nil, nil, nil, "fallback")
end

-- ---- creating tensors -------------------------------------------------------------------------
local G = "Creating tensors"
doc("tensor", "tensor(table | number | tensor)", "a tensor from nested Lua tables (a copy)", "중첩된 Lua 테이블로 텐서를 만듭니다 (복사본)", G)
doc("zeros", "zeros(d1, d2, ...) or zeros{d1, d2}", "a tensor of zeros", "0으로 채운 텐서", G)
doc("ones", "ones(d1, d2, ...)", "a tensor of ones", "1로 채운 텐서", G)
doc("empty", "empty(d1, d2, ...)", "a tensor to be filled (nabla gives zeros)", "값을 나중에 채울 텐서 (nabla에서는 0으로 채워 둡니다)", G)
doc("full", "full({d1, d2}, value)", "a tensor filled with value", "value로 채운 텐서", G)
doc("rand", "rand(d1, ...)", "uniform random numbers in [0, 1)", "[0, 1) 균등분포 난수", G)
doc("randn", "randn(d1, ...)", "standard normal random numbers", "표준정규분포 난수", G)
doc("zeros_like", "zeros_like(x)", "zeros of the shape of x", "x와 같은 모양의 0 텐서", G)
doc("ones_like", "ones_like(x)", "ones of the shape of x", "x와 같은 모양의 1 텐서", G)
doc("full_like", "full_like(x, value)", "value everywhere, in the shape of x", "x와 같은 모양을 value로 채운 텐서", G)
doc("rand_like", "rand_like(x)", "uniform random numbers in [0, 1), in the shape of x", "x와 같은 모양의 [0, 1) 균등분포 난수", G)
doc("randn_like", "randn_like(x)", "standard normal random numbers in the shape of x", "x와 같은 모양의 표준정규분포 난수", G)
doc("arange", "arange([start,] end [, step])", "start, start+step, ... up to end (excluded)", "start부터 end 전까지 step 간격의 수", G)
doc("linspace", "linspace(a, b, n)", "n evenly spaced numbers from a to b", "a부터 b까지 같은 간격의 수 n개", G)
doc("eye", "eye(n [, m])", "the identity matrix", "단위 행렬", G)
doc("manual_seed", "manual_seed(seed)", "seed the random generator (same numbers on every machine)", "난수 생성기의 시드를 정합니다 (어느 컴퓨터에서나 같은 수)", G)
doc("cat", "cat({t1, t2, ...}, dim)", "join tensors along an existing dimension", "기존 차원을 따라 텐서를 이어 붙입니다", G)
doc("stack", "stack({t1, t2, ...}, dim)", "join tensors along a new dimension", "새 차원을 만들어 텐서를 쌓습니다", G)
doc("is_tensor", "is_tensor(v)", "true if v is a tensor", "v가 텐서이면 true", G)
doc("Tensor", "Tensor", "the tensors' metatable: Tensor.__methods holds every method (x:sum(), x:view()...)",
  "텐서의 메타테이블: Tensor.__methods에 모든 메서드가 있습니다 (x:sum(), x:view()...)", "The engine")
doc("is_closed", "is_closed(x)", "true for a tensor closed by <close> (its memory given back)", "<close>로 닫혀 메모리를 돌려준 텐서이면 true", G)
doc("one_hot", "one_hot(idx, n)", "rows of zeros with a 1 at each (1-based) class", "각 (1부터 세는) 클래스 자리에 1이 있는 0 행들", G)

-- ---- tensor methods ---------------------------------------------------------------------------
G = "Tensor: shape and views"
method("x:numel()", "number of elements", "원소 개수", G)
method("x:dim()", "number of dimensions", "차원의 개수", G)
method("x:size([dim])", "the shape, or the size of one dimension", "모양, 또는 한 차원의 크기", G)
method("x:stride([dim])", "how many elements a step along each dimension skips in storage", "각 차원으로 한 칸 갈 때 저장소에서 건너뛰는 원소 수 (stride)", G)
method("x:is_contiguous()", "true if the elements lie in storage in row-major order, without gaps", "원소가 저장소에 행 우선 순서로 빈틈없이 놓여 있으면 true", G)
method("x:item()", "the value of a one-element tensor as a number", "원소가 하나인 텐서의 값을 숫자로", G)
method("x:tolist()", "nested Lua tables of the values", "값을 중첩 Lua 테이블로", G)
method("x:view(d1, ...)", "the same storage seen with a new shape (-1 is inferred)", "같은 저장소를 새 모양으로 봅니다 (-1은 자동)", G)
method("x:view_as(y)", "x seen with the shape of y (a view)", "x를 y와 같은 모양으로 봅니다 (뷰)", G)
method("x:reshape(d1, ...)", "a view when possible, else a copy", "가능하면 뷰, 아니면 복사본", G)
method("x:t()", "transpose of a matrix (a view)", "행렬의 전치 (뷰)", G)
method("x:transpose(d1, d2)", "swap two dimensions (a view)", "두 차원을 바꿉니다 (뷰)", G)
method("x:permute(d1, d2, ...)", "reorder the dimensions (a view)", "차원 순서를 바꿉니다 (뷰)", G)
method("x:contiguous()", "a contiguous copy if needed", "필요하면 연속된 복사본", G)
method("x:squeeze([dim])", "drop size-1 dimensions", "크기 1인 차원을 없앱니다", G)
method("x:unsqueeze(dim)", "insert a size-1 dimension", "크기 1인 차원을 끼워 넣습니다", G)
method("x:expand(d1, ...)", "broadcast size-1 dimensions without copying", "크기 1인 차원을 복사 없이 늘립니다", G)
method("x:expand_as(y)", "x broadcast to the shape of y, without copying", "x를 복사 없이 y의 모양으로 늘립니다", G)
method("x:flatten([start [, end]])", "merge dimensions into one", "차원들을 하나로 합칩니다", G)
method("x:narrow(dim, start, length)", "a slice along dim (a view)", "dim을 따라 자른 조각 (뷰)", G)
method("x:select(dim, i)", "position i of dim, dropping that dimension", "dim의 i번째, 그 차원은 없어집니다", G)
method("x:clone()", "a copy (differentiable)", "복사본 (미분 가능)", G)

G = "Tensor: arithmetic and comparisons"
method("x:add(y)", "x + y, with broadcasting (y a tensor or a number)", "x + y (브로드캐스팅 적용, y는 텐서나 숫자)", G)
method("x:sub(y)", "x - y, with broadcasting", "x - y (브로드캐스팅 적용)", G)
method("x:mul(y)", "x * y elementwise, with broadcasting", "원소별 곱 x * y (브로드캐스팅 적용)", G)
method("x:div(y)", "x / y elementwise, with broadcasting", "원소별 나눗셈 x / y (브로드캐스팅 적용)", G)
method("x:neg()", "-x", "부호를 바꾼 -x", G)
method("x:pow(p) or x ^ p", "x to the power p", "x의 p제곱", G)
method("x:square()", "x², elementwise", "원소별 제곱 x²", G)
method("x:sqrt()", "√x, elementwise", "원소별 제곱근 √x", G)
method("x:abs()", "|x|, elementwise", "원소별 절댓값 |x|", G)
method("x:exp()", "e^x, elementwise", "원소별 지수 함수 e^x", G)
method("x:log()", "natural logarithm, elementwise", "원소별 자연로그", G)
method("x:sin()", "sine, elementwise", "원소별 사인", G)
method("x:cos()", "cosine, elementwise", "원소별 코사인", G)
method("x:clamp(min, max)", "limit values to [min, max] (nil: no bound on that side)", "값을 [min, max]로 제한합니다 (nil이면 그쪽은 제한 없음)", G)
method("x:maximum(y)", "the larger of x and y, elementwise", "원소별로 x와 y 중 큰 값", G)
method("x:minimum(y)", "the smaller of x and y, elementwise", "원소별로 x와 y 중 작은 값", G)
method("x:eq(y)", "1 where x == y, else 0", "x == y인 곳은 1, 아니면 0", G)
method("x:ne(y)", "1 where x ~= y, else 0", "x ~= y인 곳은 1, 아니면 0", G)
method("x:lt(y)", "1 where x < y, else 0", "x < y인 곳은 1, 아니면 0", G)
method("x:le(y)", "1 where x <= y, else 0", "x <= y인 곳은 1, 아니면 0", G)
method("x:gt(y)", "1 where x > y, else 0", "x > y인 곳은 1, 아니면 0", G)
method("x:ge(y)", "1 where x >= y, else 0", "x >= y인 곳은 1, 아니면 0", G)
method("mask:where(a, b)", "a where mask is nonzero, else b (also where(mask, a, b))", "mask가 0이 아닌 곳은 a, 나머지는 b (where(mask, a, b)로도 씁니다)", G)

G = "Tensor: activations"
method("x:relu()", "max(x, 0): negative values become 0", "max(x, 0): 음수를 0으로 바꿉니다", G)
method("x:leaky_relu([slope=0.01])", "x for x > 0, slope·x otherwise", "x > 0이면 x, 아니면 slope·x", G)
method("x:elu([alpha=1])", "x for x > 0, alpha·(e^x − 1) otherwise", "x > 0이면 x, 아니면 alpha·(e^x − 1)", G)
method("x:gelu()", "x·Φ(x), Φ the standard normal CDF (transformers use it)", "x·Φ(x), Φ는 표준정규분포의 누적분포함수 (트랜스포머에서 씀)", G)
method("x:softplus()", "log(1 + e^x): a smooth ReLU", "log(1 + e^x): 매끄러운 ReLU", G)
method("x:sigmoid()", "1 / (1 + e^-x): squashes into (0, 1)", "1 / (1 + e^-x): 값을 (0, 1) 사이로 압축합니다", G)
method("x:tanh()", "hyperbolic tangent: squashes into (-1, 1)", "쌍곡탄젠트: 값을 (-1, 1) 사이로 압축합니다", G)
method("x:softmax([dim=-1])", "exp(x) / Σ exp(x) along dim, computed stably", "dim 방향의 exp(x) / Σ exp(x), 안정적으로 계산", G)
method("x:log_softmax([dim=-1])", "log of softmax, computed stably", "softmax의 로그, 안정적으로 계산", G)

G = "Tensor: reductions"
method("x:sum([dim [, keepdim]])", "sum of all elements, or over dim", "전체 또는 dim 방향의 합", G)
method("x:mean([dim [, keepdim]])", "mean of all elements, or over dim", "전체 또는 dim 방향의 평균", G)
method("x:var([dim [, unbiased [, keepdim]]])", "variance (unbiased by default, as PyTorch)", "분산 (PyTorch처럼 기본은 불편 분산)", G)
method("x:std([dim [, unbiased [, keepdim]]])", "standard deviation", "표준편차", G)
method("x:max([dim])", "the largest value; with dim, values and indices (with a tensor: elementwise)", "최댓값. dim을 주면 값과 위치 (텐서를 주면 원소별)", G)
method("x:min([dim])", "the smallest value; with dim, values and indices", "최솟값. dim을 주면 값과 위치", G)
method("x:argmax([dim])", "position of the largest value (1-based)", "최댓값의 위치 (1부터)", G)
method("x:argmin([dim])", "position of the smallest value (1-based)", "최솟값의 위치 (1부터)", G)
method("x:prod([dim])", "product of the elements", "원소들의 곱", G)
method("x:logsumexp(dim)", "log Σ exp(x) along dim, computed stably", "dim 방향의 log Σ exp(x), 안정적으로 계산", G)
method("x:norm([p [, dim]])", "the p-norm (2 by default)", "p-노름 (기본 2)", G)

G = "Tensor: matrix products"
method("x:mm(y)", "matrix product of two 2-D tensors", "2차원 텐서 두 개의 행렬 곱", G)
method("x:matmul(y)", "matrix product with broadcasting of batch dimensions", "배치 차원을 브로드캐스트하는 행렬 곱", G)
method("x:bmm(y)", "batched matrix product of (b,n,m) and (b,m,p)", "(b,n,m)과 (b,m,p)의 배치 행렬 곱", G)
method("x:dot(y)", "dot product of two vectors", "두 벡터의 내적", G)
method("x:mv(v)", "matrix times vector", "행렬과 벡터의 곱", G)
method("x:outer(y)", "outer product of two vectors", "두 벡터의 외적(outer product)", G)

G = "Tensor: indexing"
method("x:index_select(dim, idx)", "the rows (along dim) at 1-based positions idx", "dim을 따라 (1부터 세는) 위치 idx의 행들", G)
method("x:gather(dim, idx)", "picks x[..., idx[...], ...] along dim (as torch.gather)", "dim을 따라 idx가 가리키는 값을 모읍니다 (torch.gather처럼)", G)
method("x:scatter_add(dim, idx, src)", "adds src into x at the positions idx along dim", "dim을 따라 idx 위치에 src를 더합니다", G)
method("x:masked_fill(mask, v)", "v where mask is nonzero", "mask가 0이 아닌 곳을 v로", G)
method("idx:one_hot([n])", "rows of zeros with a 1 at each (1-based) class (also one_hot(idx, n))", "각 (1부터 세는) 클래스 자리에 1이 있는 0 행들 (one_hot(idx, n)으로도 씁니다)", G)

G = "Tensor: autograd"
method("x:requires_grad([flag])", "record operations on x so backward can compute x.grad", "x에 대한 연산을 기록해 backward가 x.grad를 계산하게 합니다", G)
method("x:requires_grad_([flag])", "the same as x:requires_grad (PyTorch's in-place spelling)", "x:requires_grad와 같습니다 (PyTorch의 제자리 표기)", G)
method("loss:backward([grad | {retain_graph, step}])", "backpropagate: fill .grad of every leaf; {step=true} walks node by node", "역전파: 모든 리프의 .grad를 채웁니다. {step=true}는 노드 하나씩 따라갑니다", G)
method("x:retain_grad()", "keep .grad for this intermediate tensor", "중간 텐서의 .grad를 남깁니다", G)
method("x:register_hook(function(grad) ... end)", "see (or replace) x's gradient during backward", "backward 중에 x의 기울기를 보거나 바꿉니다", G)
method("x:detach()", "the same values, out of the graph", "같은 값, 그래프 밖으로", G)

G = "Tensor: in place"
method("x:add_(y [, alpha])", "x = x + alpha*y in place (use inside no_grad)", "제자리에서 x = x + alpha*y (no_grad 안에서)", G)
method("x:sub_(y [, alpha])", "x = x - alpha*y in place (use inside no_grad)", "제자리에서 x = x - alpha*y (no_grad 안에서)", G)
method("x:mul_(y)", "x = x * y in place", "제자리에서 x = x * y", G)
method("x:div_(y)", "x = x / y in place", "제자리에서 x = x / y", G)
method("x:fill_(v)", "fill with the number v in place", "제자리에서 숫자 v로 채웁니다", G)
method("x:zero_()", "fill with zeros in place", "제자리에서 0으로 채웁니다", G)
method("x:copy_(y)", "copy y's values into x in place (y broadcast to x's shape)", "제자리에서 y의 값을 x에 복사합니다 (y는 x의 모양으로 브로드캐스트)", G)

-- names that are both a function and a method (where(mask, a, b), one_hot(idx, n)) under
-- their function's spelling too
registry.entries["where"] = registry.entries["Tensor:where"]

-- ---- autograd switches --------------------------------------------------------------------
G = "Autograd"
doc("no_grad", "no_grad(fn, ...) or local _ <close> = no_grad()", "run without recording gradients (for updates and evaluation)", "기울기를 기록하지 않고 실행합니다 (갱신과 평가에 사용)", G)
doc("enable_grad", "enable_grad(fn, ...) or local _ <close> = enable_grad()", "record gradients again inside a no_grad block", "no_grad 블록 안에서 다시 기울기를 기록합니다", G)
doc("set_grad_enabled", "set_grad_enabled(flag)", "switch gradient recording on or off; returns the previous setting", "기울기 기록을 켜거나 끕니다. 이전 설정을 돌려줍니다", G)
doc("is_grad_enabled", "is_grad_enabled()", "true when operations are being recorded for backward", "연산을 backward용으로 기록하는 중이면 true", G)

-- ---- matrices, data, the machine ------------------------------------------------------------
G = "The engine"
doc("blas_info", "blas_info()", "which BLAS library and kernels nabla uses, and how many threads", "nabla가 쓰는 BLAS 라이브러리, 커널, 스레드 수", G)
doc("set_num_threads", "set_num_threads(n)", "threads for every kernel (OpenMP and matrix products)", "모든 커널(OpenMP와 행렬 곱)이 쓸 스레드 수", G)
doc("get_num_threads", "get_num_threads()", "the number of threads kernels use", "커널이 쓰는 스레드 수", G)
doc("tensor_bytes", "tensor_bytes()", "bytes of tensor storage alive now (what the collector is told about)", "지금 살아 있는 텐서 저장소의 바이트 수 (가비지 컬렉터에 알리는 양)", G)
doc("memory_limit", "memory_limit([bytes])", "the most bytes one tensor may hold (the machine's memory, a container's share or NABLA_MAX_MEMORY); with bytes (or \"2G\"), sets it and returns the old one", "텐서 하나가 쓸 수 있는 최대 바이트 (기계의 메모리, 컨테이너 몫, NABLA_MAX_MEMORY 중 작은 값). bytes(또는 \"2G\")를 주면 바꾸고 이전 값을 돌려줍니다", G)
doc("cache_limit", "cache_limit([bytes])", "the most freed tensor memory kept for reuse (64 MiB; a training step reuses the step before's); with bytes (or \"24M\"), sets it and returns the old one", "재사용을 위해 남겨 두는 해제된 텐서 메모리의 최대 크기 (64 MiB, 학습 스텝이 이전 스텝의 메모리를 다시 씀). bytes(또는 \"24M\")를 주면 바꾸고 이전 값을 돌려줍니다", G)
doc("peak_rss", "peak_rss()", "the most memory this process has held, in MiB", "이 프로세스가 지금까지 쓴 최대 메모리 (MiB)", G)
doc("clock", "clock()", "seconds on a wall clock, for timing (os.clock() adds up the CPU time of every thread)", "시간 재기용 벽시계 초 (os.clock()은 모든 스레드의 CPU 시간을 더함)", G)
doc("isatty", "isatty([fd=1])", "true if fd (standard output by default) is a terminal", "fd(기본은 표준 출력)가 터미널이면 true", G)
doc("read_idx", "read_idx(path)", "an IDX file (MNIST's format) as bytes; data.read_idx gives a tensor", "IDX 파일(MNIST 형식)을 바이트로 읽습니다. 텐서는 data.read_idx로", G)
doc("write_idx", "write_idx(path, bytes)", "write bytes (or a tensor of integers in 0..255) as an IDX file", "바이트(또는 0..255 정수 텐서)를 IDX 파일로 씁니다", G)
doc("bytes", "bytes(t)", "a compact copy of a tensor of integers in 0..255, one byte each (images in memory)", "0..255 정수 텐서를 원소당 1바이트로 담은 작은 복사본 (메모리 속 이미지용)", G)
doc("is_bytes", "is_bytes(v)", "true if v is a bytes object", "v가 bytes 객체이면 true", G)
doc("display", "display(obj)", "show obj once, as inspect, graph and plots do (a notebook replaces this hook to draw it)", "inspect, graph, 그래프처럼 obj를 한 번 보여 줍니다 (노트북은 이 함수를 바꿔 그림으로 보여 줍니다)", "The shell")
doc("terminal_columns", "terminal_columns([fd])", "the width of the terminal in columns, or nil when output is not a terminal", "터미널의 폭(칸 수). 터미널이 아니면 nil", G)
doc("globals", "nabla.globals([G])", "put nabla's names into G (the shell's globals; _G by default)", "nabla의 이름들을 G(셸의 전역, 기본은 _G)에 넣습니다", G)
doc("lazy_names", "lazy_names()", "the names nabla loads on first use (nn, optim, fit, lesson...), for completion", "처음 쓸 때 읽어 들이는 이름들 (nn, optim, fit, lesson...), 자동 완성용", G)
registry.register(nil, { name = "version", sig = "version", en = "nabla's version (a string)", ko = "nabla의 버전 (문자열)", group = G, kind = "value" }, nil, nil, nil, "fallback")
registry.register(nil, { name = "lang", sig = "lang = \"en\" | \"ko\"", en = "the language of lessons and help (set it, or start with nabla --lang ko)", ko = "레슨과 도움말의 언어 (바꾸거나 nabla --lang ko로 시작)", group = G, kind = "value" }, nil, nil, nil, "fallback")
registry.register(nil, { name = "color", sig = "color = true | false", en = "whether the shell and plots use ANSI colours (NO_COLOR turns them off)", ko = "셸과 그래프가 ANSI 색을 쓰는지 (NO_COLOR로 끔)", group = G, kind = "value" }, nil, nil, nil, "fallback")
registry.register(nil, { name = "lua_dir", sig = "lua_dir", en = "where nabla's Lua library was found (lua/nabla/*.lua)", ko = "nabla의 Lua 라이브러리(lua/nabla/*.lua)가 있는 곳", group = G, kind = "value" }, nil, nil, nil, "fallback")

-- ---- the parts of nabla, loaded on first use ------------------------------------------------
G = "Modules"
local function module(name, sig, en, ko)
  registry.register(nil, { name = name, sig = sig, en = en, ko = ko, group = G, kind = "module" }, nil, nil, nil, "fallback")
end
module("nn", "nn.Linear, nn.Conv2d, nn.Sequential, nn.CrossEntropyLoss, nn.functional, ...", "layers and losses (help(nn) lists them)", "층과 손실 함수 (help(nn)으로 목록)")
module("optim", "optim.SGD, optim.Adam, optim.lr_scheduler, ...", "optimizers and learning-rate schedulers (help(optim))", "옵티마이저와 학습률 스케줄러 (help(optim))")
module("data", "data.mnist, data.loader, data.moons, ...", "data sets, loaders and splits (help(data))", "데이터셋, 로더, 분할 (help(data))")
module("aug", "aug.affine, aug.elastic, aug.compose, ...", "data augmentation (help(aug))", "데이터 증강 (help(aug))")
module("train", "train.fit, train.evaluate", "the training loop behind fit and evaluate", "fit과 evaluate를 이루는 학습 루프")
module("checkpoint", "checkpoint.save, checkpoint.load, checkpoint.json", "safetensors files (and the JSON of their headers)", "safetensors 파일 (그리고 헤더의 JSON)")
module("help_lib", "help_lib.find(x), help_lib.text(x)", "the help registry behind help(x) (lua/nabla/help.lua)", "help(x) 뒤의 도움말 목록 (lua/nabla/help.lua)")
module("inspect_lib", "inspect_lib.inspect, inspect_lib.graph, inspect_lib.watch", "what inspect, graph and watch are made of (lua/nabla/inspect.lua)", "inspect, graph, watch를 이루는 코드 (lua/nabla/inspect.lua)")
module("lessons_lib", "lessons_lib.lesson(id), lessons_lib.checks", "the lesson runner and the helpers of the lessons' checks", "레슨 실행기와 레슨 검사용 도우미")
module("paths", "paths.root, paths.lessons, paths.experiments, paths.data, paths.installed, ...", "where nabla's files are: lessons, experiments, data sets (fetched ones go to paths.data)", "nabla의 파일이 있는 곳: 레슨, 실험, 데이터셋 (받은 데이터셋은 paths.data에 저장)")
module("plot", "plot.line, plot.lines, plot.scatter, plot.contour, plot.save, ...", "plots in the terminal and as SVG (help(plot))", "터미널 그래프와 SVG (help(plot))")

return registry

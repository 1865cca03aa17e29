-- nabla.nn.functional: every layer and loss as a plain function of tensors, with PyTorch's
-- names and arguments (torch.nn.functional); keyword arguments come as an options table.
--
--   local F = nn.functional
--   y = F.relu(F.conv2d(x, w, b, { padding = 1 }))
--   loss = F.cross_entropy(logits, labels, { label_smoothing = 0.1 })
--
-- The layers in nn are written on top of exactly these functions; the kernels are C
-- (src/ops/, bound in src/lua/l_nn.c). A few short ones a lesson uses are also globals of
-- the shell (relu, softmax, linear, one_hot, cross_entropy, mse_loss, avg_pool2d...); the
-- others live here only.
local nabla = require "nabla"
local doc = require "nabla.doc"
local methods = getmetatable(nabla.zeros(1)).__methods

local F = {}

-- activations: the tensor methods, called as functions (F.gelu(x) is x:gelu())
for _, name in ipairs { "relu", "leaky_relu", "elu", "gelu", "softplus", "sigmoid", "tanh",
                        "softmax", "log_softmax" } do
  F[name] = methods[name]
end

local G = "nn.functional"
local function fn(name, sig, en, ko)
  F[name] = nabla[name]
  doc(F[name], "nn.functional." .. sig, en, ko, G)
end

-- ---- linear and convolution ---------------------------------------------------------------
fn("linear", "linear(x, w [, b])", "x·wᵀ + b in one matrix product (what nn.Linear computes)",
   "x·wᵀ + b를 행렬 곱 한 번으로 (nn.Linear가 하는 계산)")
fn("conv2d", "conv2d(x, w, b|nil, {stride=1, padding=0, dilation=1, groups=1})",
   "2-D convolution of (N, C, H, W) with weights (O, C/groups, kh, kw); padding may be \"same\"",
   "(N, C, H, W)와 가중치 (O, C/groups, kh, kw)의 2차원 합성곱. padding은 \"same\"도 됩니다")
fn("conv_transpose2d", "conv_transpose2d(x, w, b|nil, {stride=1, padding=0, output_padding=0, dilation=1, groups=1})",
   "transposed convolution of (N, C, H, W) with weights (C, O/groups, kh, kw): the adjoint of conv2d, which upsamples",
   "(N, C, H, W)와 가중치 (C, O/groups, kh, kw)의 전치 합성곱: conv2d의 수반 연산으로 크기를 키웁니다")
fn("interpolate", "interpolate(x, {size=, scale_factor=, mode='nearest'|'bilinear', align_corners=false})",
   "resize (N, C, H, W) images to a size or by a factor, nearest or bilinear",
   "(N, C, H, W) 이미지를 주어진 크기나 배율로 바꿉니다 (nearest 또는 bilinear)")

-- ---- pooling --------------------------------------------------------------------------------
fn("max_pool2d", "max_pool2d(x, kernel, stride=kernel, padding=0, dilation=1, ceil_mode=false, return_indices=false)",
   "the largest value of each kernel window (with return_indices, their positions too)",
   "커널 창마다 가장 큰 값 (return_indices면 그 위치도)")
fn("avg_pool2d", "avg_pool2d(x, kernel, stride=kernel, padding=0, ceil_mode=false, count_include_pad=true)",
   "the mean of each kernel window (avg_pool2d(x, 2) halves the height and the width)",
   "커널 창마다 평균 (avg_pool2d(x, 2)는 높이와 너비를 반으로)")
fn("adaptive_avg_pool2d", "adaptive_avg_pool2d(x, size)",
   "average pooling to an output of the given size (1: the global average of each channel)",
   "원하는 출력 크기로 평균 풀링 (1이면 채널마다 전체 평균)")

-- ---- normalisation, dropout, embedding ------------------------------------------------------
fn("batch_norm", "batch_norm(x, running_mean|nil, running_var|nil, weight|nil, bias|nil, training=false, momentum=0.1, eps=1e-5)",
   "normalise each channel with the batch's statistics (training) or the running ones",
   "채널마다 배치 통계(학습 중) 또는 이동 통계로 정규화합니다")
fn("layer_norm", "layer_norm(x, normalized_shape, weight|nil, bias|nil, eps=1e-5)",
   "normalise each example over its last dimensions (mean 0, variance 1), then scale and shift",
   "샘플마다 마지막 차원들에 걸쳐 평균 0, 분산 1로 정규화한 뒤 배율과 이동을 적용합니다")
fn("group_norm", "group_norm(x, groups, weight|nil, bias|nil, eps=1e-5)",
   "normalise each example over groups of channels (independent of the batch size)",
   "샘플마다 채널 묶음별로 정규화합니다 (배치 크기와 무관)")
fn("dropout", "dropout(x, p=0.5, training=true)",
   "zero each value with probability p and scale the rest by 1/(1-p) (only when training)",
   "확률 p로 값을 0으로 만들고 나머지는 1/(1-p)배 합니다 (학습 중에만)")
fn("embedding", "embedding(idx, weight, {padding_idx=})",
   "the rows of weight at the (1-based) positions idx",
   "weight에서 (1부터 세는) 위치 idx의 행들을 꺼냅니다")
F.one_hot = nabla.one_hot

-- ---- losses ---------------------------------------------------------------------------------
fn("cross_entropy", "cross_entropy(logits, target, {weight=, ignore_index=, reduction='mean', label_smoothing=0})",
   "log_softmax then the negative log-likelihood of the target classes (or soft targets)",
   "log_softmax 뒤에 정답 클래스(또는 부드러운 목표)의 음의 로그 가능도를 구하는 손실 함수")
fn("nll_loss", "nll_loss(logp, target, {weight=, ignore_index=, reduction='mean'})",
   "the negative log-likelihood of the target classes, given log-probabilities",
   "로그 확률이 주어졌을 때 정답 클래스의 음의 로그 가능도")
fn("mse_loss", "mse_loss(input, target, {reduction='mean'})",
   "mean squared error: the mean of (input − target)²",
   "평균 제곱 오차: (input − target)²의 평균")
fn("l1_loss", "l1_loss(input, target, {reduction='mean'})",
   "mean absolute error: the mean of |input − target|",
   "평균 절대 오차: |input − target|의 평균")
fn("smooth_l1_loss", "smooth_l1_loss(input, target, {reduction='mean', beta=1})",
   "squared error below beta, absolute error above (less sensitive to outliers than MSE)",
   "차이가 beta보다 작으면 제곱 오차, 크면 절대 오차 (MSE보다 이상치에 덜 민감)")
fn("huber_loss", "huber_loss(input, target, {reduction='mean', delta=1})",
   "the Huber loss: quadratic near the target, linear beyond delta",
   "후버 손실: 목표 근처에서는 제곱, delta 밖에서는 직선")
fn("binary_cross_entropy", "binary_cross_entropy(p, target, {weight=, reduction='mean'})",
   "−[y·log p + (1−y)·log(1−p)] for probabilities p in (0, 1)",
   "(0, 1) 사이 확률 p에 대한 −[y·log p + (1−y)·log(1−p)]")
fn("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits(x, target, {weight=, pos_weight=, reduction='mean'})",
   "sigmoid and binary cross-entropy in one stable step",
   "시그모이드와 이진 교차 엔트로피를 한 번에, 수치적으로 안정하게")
fn("gaussian_nll_loss", "gaussian_nll_loss(input, target, var, {full=false, eps=1e-6, reduction='mean'})",
   "the negative log-likelihood of target under a normal distribution of mean input and variance var",
   "평균 input, 분산 var인 정규분포에서 target의 음의 로그 가능도")
fn("ctc_loss", "ctc_loss(log_probs, targets, input_lengths, target_lengths, {blank=1, reduction='mean', zero_infinity=false})",
   "CTC loss of log-probabilities (T, N, C) against unaligned targets; blank is class 1 (PyTorch's blank=0), 'mean' divides by each target's length",
   "로그 확률 (T, N, C)와 정렬되지 않은 목표 사이의 CTC 손실. blank는 클래스 1 (PyTorch의 blank=0), 'mean'은 목표 길이로 나눈 뒤 평균")

doc(F, { name = "nn.functional", sig = "nn.functional (local F = nn.functional)", kind = "module", group = G, en = "every layer and loss as a function of tensors, with PyTorch's names (F.conv2d, F.cross_entropy...)", ko = "모든 층과 손실 함수를 텐서의 함수로, PyTorch와 같은 이름으로 (F.conv2d, F.cross_entropy...)" })

return F

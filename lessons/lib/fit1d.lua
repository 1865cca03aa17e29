-- Reference fits of a one-input regression, in plain Lua, for the checks of the
-- generalization lesson: the checks never call the learner's helpers to compute what the
-- answer should be, they call these. The lesson also hands the learner the plumbing
-- (points, features, solve, best_cut) so that a step asks for its key lines only. A lesson takes them with
--   local F = require("nabla.lesson").lib("fit1d")
-- Nothing here touches the learner's session or the random generator.
local M = {}

-- the inputs and targets of a dataset of one-number examples, as two Lua lists
function M.points(ds)
  local ids = {}
  for i = 1, #ds do ids[i] = i end
  local x, y = ds:batch(ids)
  return x:reshape(-1):tolist(), y:reshape(-1):tolist()
end

-- the Chebyshev features 1, t, T2(t), ..., Td(t) of x, with t = x / π
function M.features(x, d)
  local t, f = x / math.pi, { 1 }
  if d >= 1 then f[2] = t end
  for k = 2, d do f[k + 1] = 2 * t * f[k] - f[k - 1] end
  return f
end

-- solves A w = b (A m × m, b m numbers, as Lua tables) by Gaussian elimination with
-- partial pivoting, after adding a tiny ridge 1e-9 to the diagonal (it keeps high degrees
-- solvable); A and b are left as they were
function M.solve(A0, b0)
  local m = #b0
  local A, b = {}, {}
  for i = 1, m do
    A[i], b[i] = {}, b0[i]
    for j = 1, m do A[i][j] = A0[i][j] end
    A[i][i] = A[i][i] + 1e-9
  end
  for c = 1, m do
    local p = c
    for r = c + 1, m do if math.abs(A[r][c]) > math.abs(A[p][c]) then p = r end end
    A[c], A[p], b[c], b[p] = A[p], A[c], b[p], b[c]
    for r = c + 1, m do
      local f = A[r][c] / A[c][c]
      for j = c, m do A[r][j] = A[r][j] - f * A[c][j] end
      b[r] = b[r] - f * b[c]
    end
  end
  local w = {}
  for i = m, 1, -1 do
    local s = b[i]
    for j = i + 1, m do s = s - A[i][j] * w[j] end
    w[i] = s / A[i][i]
  end
  return w
end

-- least squares of degree d: the normal equations (FᵀF) w = Fᵀy, solved
function M.fit_xy(xs, ys, d)
  local m = d + 1
  local A, b = {}, {}
  for i = 1, m do
    A[i], b[i] = {}, 0
    for j = 1, m do A[i][j] = 0 end
  end
  for k = 1, #xs do
    local f = M.features(xs[k], d)
    for i = 1, m do
      b[i] = b[i] + f[i] * ys[k]
      for j = 1, m do A[i][j] = A[i][j] + f[i] * f[j] end
    end
  end
  return M.solve(A, b)
end

function M.polyfit(ds, d) local xs, ys = M.points(ds); return M.fit_xy(xs, ys, d) end

-- the fitted polynomial w at x
function M.predict(w, x)
  local f, s = M.features(x, #w - 1), 0
  for i = 1, #w do s = s + w[i] * f[i] end
  return s
end

-- the mean squared error of a function f of x over a dataset
function M.mse_fn(f, ds)
  local xs, ys = M.points(ds)
  local s = 0
  for i = 1, #xs do s = s + (f(xs[i]) - ys[i]) ^ 2 end
  return s / #xs
end

function M.mse(w, ds) return M.mse_fn(function(x) return M.predict(w, x) end, ds) end

-- where to cut the points (xs, ys) in two so that the squared error around each side's
-- mean falls most: the cut (halfway between two neighbouring x values), or nil when no
-- cut separates two different x values
function M.best_cut(xs, ys)
  local n, total, sq = #xs, 0, 0
  for i = 1, n do total, sq = total + ys[i], sq + ys[i] ^ 2 end
  local order = {}
  for i = 1, n do order[i] = i end
  table.sort(order, function(a, b) return xs[a] < xs[b] end)
  local best, cut, left = math.huge, nil, 0
  for k = 1, n - 1 do
    local i, j = order[k], order[k + 1]
    left = left + ys[i]
    if xs[i] < xs[j] then
      local err = sq - left ^ 2 / k - (total - left) ^ 2 / (n - k)
      if err < best then best, cut = err, (xs[i] + xs[j]) / 2 end
    end
  end
  return cut
end

-- a regression tree of the given depth: cut at best_cut, then grow a tree of depth − 1 on
-- each side; a leaf predicts the mean of its points. Returns a function of x.
function M.tree(xs, ys, depth)
  local n, total = #xs, 0
  for i = 1, n do total = total + ys[i] end
  local mean = total / n
  local cut = (depth > 0 and n >= 2) and M.best_cut(xs, ys) or nil
  if not cut then return function() return mean end end
  local lx, ly, rx, ry = {}, {}, {}, {}
  for i = 1, n do
    if xs[i] < cut then lx[#lx + 1], ly[#ly + 1] = xs[i], ys[i]
    else rx[#rx + 1], ry[#ry + 1] = xs[i], ys[i] end
  end
  local l, r = M.tree(lx, ly, depth - 1), M.tree(rx, ry, depth - 1)
  return function(x) if x < cut then return l(x) end return r(x) end
end

-- the sample standard deviation (n − 1) of a list, and its mean
function M.sd(t)
  local m = 0
  for _, v in ipairs(t) do m = m + v end
  m = m / #t
  local s = 0
  for _, v in ipairs(t) do s = s + (v - m) ^ 2 end
  return math.sqrt(s / (#t - 1)), m
end

return M

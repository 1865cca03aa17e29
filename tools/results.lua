-- The results tables of README.md and experiments/README.md, generated from the runs'
-- result.txt files, so that every number in the docs is the number of a run.
--
--   build/nabla tools/results.lua            -- rewrite the tables between the markers
--   build/nabla tools/results.lua --check    -- exit 1 if a table differs from the runs
--
-- Runs are kept in experiments/results/NAME-seedN/ (result.txt, log.csv, time.txt: what
-- `/usr/bin/time -v` printed): copy a finished run's directory there, without its
-- safetensors, and run this script. The tables go between the lines
-- <!-- results:NAME begin --> and <!-- results:NAME end --> of the two files.
local ROOT = (arg and arg[0] and arg[0]:match("^(.*)/tools/[^/]*$")) or "."
local RESULTS = ROOT .. "/experiments/results"

-- what each experiment is, and the issue's targets (issue 17)
local EXPERIMENTS = {
  { name = "mnist-mlp", what = "MLP 784-256-10 (dropout 0.2), Adam, cosine schedule", target = 0.980 },
  { name = "mnist-cnn", what = "conv 32 - pool - conv 64 - pool - fc 128 - 10; small affine augmentation", target = 0.993 },
  { name = "mnist-rnn", what = "GRU(128) reading the 28 rows, last state → 10", target = 0.988 },
  { name = "mnist-augment", what = "[conv 16 - BN]×2 - pool - [conv 32 - BN]×2 - pool - fc 256; affine augmentation, one-cycle", target = 0.997 },
  { name = "mnist-allconv", what = "5 convs (32, 32/2, 64, 64/2, 128) with BN, global average pool, 1×1 conv to 10; small affine augmentation", target = 0.995 },
  { name = "mnist-semi", what = "100 labels: baseline / pseudo-labelling / FixMatch-style (EMA weights) / self-training (noisy BN students)", target = 0.990 },
}

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- "key: value" lines of a result.txt
local function parse_result(text)
  local r = {}
  for line in text:gmatch("[^\n]+") do
    local k, v = line:match("^([%w_ ]+):%s*(.-)%s*$")
    if k then r[k] = v end
  end
  return r
end

-- peak RSS and wall time from `/usr/bin/time -v` output, when it was kept
local function parse_time(text)
  if not text then return {} end
  local kb = text:match("Maximum resident set size %(kbytes%): (%d+)")
  local wall = text:match("Elapsed %(wall clock%) time %(h:mm:ss or m:ss%): ([%d:.]+)")
  local secs
  if wall then
    secs = 0
    for part in wall:gmatch("[%d.]+") do secs = secs * 60 + tonumber(part) end
  end
  return { rss = kb and tonumber(kb) / 1024, wall = secs }
end

local function runs()
  local list = {}
  local p = io.popen(("ls -1 '%s' 2>/dev/null"):format(RESULTS))
  for dir in p:lines() do
    local name, seed = dir:match("^(.-)%-seed(%d+)$")
    local text = name and read_file(("%s/%s/result.txt"):format(RESULTS, dir))
    if text then
      local r = parse_result(text)
      r.dir, r.name, r.seed = dir, name, tonumber(seed)
      r.time_v = parse_time(read_file(("%s/%s/time.txt"):format(RESULTS, dir)))
      list[#list + 1] = r
    end
  end
  p:close()
  table.sort(list, function(a, b)
    if a.name ~= b.name then return a.name < b.name end
    return a.seed < b.seed
  end)
  return list
end

local function pct(s) return s and s:match("^[%d.]+%%$") and s or (s and ("%.2f%%"):format(100 * tonumber(s))) or "–" end
local function num(s) return tonumber((s or ""):match("^([%d.]+)")) end

local function rss_of(r) return r.time_v.rss or num(r["peak memory"]) end

-- the detailed table (experiments/README.md): one row per run
local function detail_table(list)
  local out = { "| experiment | seed | test accuracy | target | chosen on validation | val accuracy | epochs | wall time | peak RSS |",
                "|---|---|---|---|---|---|---|---|---|" }
  local target = {}
  for _, e in ipairs(EXPERIMENTS) do target[e.name] = e.target end
  for _, r in ipairs(list) do
    local acc = pct(r.test_accuracy)
    if r.name == "mnist-semi" then
      -- each method's test accuracy, the last one (the run's result) in bold
      local stages = { pct(r.baseline_accuracy), pct(r.pseudo_label_accuracy), pct(r.fixmatch_accuracy) }
      if r.self_training_accuracy then stages[#stages + 1] = pct(r.self_training_accuracy) end
      stages[#stages] = "**" .. stages[#stages] .. "**"
      acc = table.concat(stages, " / ")
    else
      acc = "**" .. acc .. "**"
    end
    local chosen = r.selected_epoch and ("epoch %s of %s"):format(r.selected_epoch, r.epochs) or "nothing (fixed schedule)"
    local t = target[r.name]
    local got = num(r.test_accuracy)
    local mark = t and got and (got / 100 >= t - 1e-9 and " ✓" or " ✗") or ""
    out[#out + 1] = ("| %s | %d | %s | %s | %s | %s | %s | %.0f s | %.0f MiB |"):format(
      r.name, r.seed, acc, t and ("≥ %.1f%%%s"):format(100 * t, mark) or "–", chosen, pct(r.val_accuracy),
      r.epochs or "–", r.time_v.wall or num(r.time) or 0, rss_of(r) or 0)
  end
  return table.concat(out, "\n")
end

-- the summary table (README.md): one row per experiment, every seed's accuracy
local function summary_table(list)
  local out = { "| experiment | test accuracy (seed: accuracy) | target | wall time per run | peak RSS |",
                "|---|---|---|---|---|" }
  for _, e in ipairs(EXPERIMENTS) do
    local accs, walls, rss = {}, {}, 0
    for _, r in ipairs(list) do
      if r.name == e.name then
        accs[#accs + 1] = ("%d: %s"):format(r.seed, pct(r.test_accuracy))
        walls[#walls + 1] = ("%.0f s"):format(r.time_v.wall or num(r.time) or 0)
        rss = math.max(rss, rss_of(r) or 0)
      end
    end
    if #accs > 0 then
      out[#out + 1] = ("| `%s` | %s | ≥ %.1f%% | %s | %.0f MiB |"):format(e.name, table.concat(accs, ", "),
        100 * e.target, table.concat(walls, ", "), rss)
    else
      out[#out + 1] = ("| `%s` | not rerun since validation selection (issue 17) | ≥ %.1f%% | – | – |"):format(e.name, 100 * e.target)
    end
  end
  return table.concat(out, "\n")
end

-- replaces the text between the markers of block `name` in file path; returns whether the
-- file changed (and writes it unless check)
local function splice(path, name, body, check)
  local text = assert(read_file(path), "cannot read " .. path)
  local b, e = ("<!-- results:%s begin -->"):format(name), ("<!-- results:%s end -->"):format(name)
  local i = text:find(b, 1, true)
  local j = text:find(e, 1, true)
  if not (i and j and j > i) then error(("%s: the markers %s ... %s are missing"):format(path, b, e)) end
  local new = text:sub(1, i + #b - 1) .. "\n" .. body .. "\n" .. text:sub(j)
  if new == text then return false end
  if not check then
    local f = assert(io.open(path, "wb"))
    f:write(new)
    f:close()
  end
  return true
end

local check = arg and arg[1] == "--check"
local list = runs()
local changed = {}
if splice(ROOT .. "/experiments/README.md", "runs", detail_table(list), check) then changed[#changed + 1] = "experiments/README.md" end
if splice(ROOT .. "/README.md", "summary", summary_table(list), check) then changed[#changed + 1] = "README.md" end
if check then
  if #changed > 0 then
    io.stderr:write("tools/results.lua --check: out of date (run build/nabla tools/results.lua): ", table.concat(changed, ", "), "\n")
    os.exit(1)
  end
  print(("results tables up to date (%d runs)"):format(#list))
else
  print(("%d runs; rewrote: %s"):format(#list, #changed > 0 and table.concat(changed, ", ") or "nothing (up to date)"))
end

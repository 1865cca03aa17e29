-- Checkpoints as safetensors files (https://github.com/huggingface/safetensors): data only,
-- never code, readable by PyTorch, JAX, ... The format:
--
--   8 bytes        N, the header's length, unsigned little-endian
--   N bytes        a JSON object, padded with spaces (here to a multiple of 8):
--                  { "0.weight": {"dtype": "F32", "shape": [256, 784], "data_offsets": [0, 802816]},
--                    ...,
--                    "__metadata__": {"epoch": "3"} }          (optional; strings only)
--   the rest       the tensors' raw little-endian bytes; data_offsets [begin, end) count from
--                  the start of this part, and the tensors tile it exactly, without gaps
--
--   nabla.save(path, model_or_state_dict [, {metadata = {...}}])   atomic: path.tmp, then rename
--   sd, metadata = nabla.load(path)                                a state dict (key -> tensor)
--   model:load(path)                                               = model:load_state_dict(nabla.load(path))
--
-- Loading checks everything (header length within the file, strict JSON, known dtypes,
-- shapes × dtype size = byte lengths, offsets in range and tiling the data) and reports a
-- bad file as an error naming the file and the problem. nabla writes F32; it reads F32 and
-- converts F64, F16, BF16 and the integer types (PyTorch stores num_batches_tracked as I64).
local nabla = require "nabla"
local doc = require "nabla.doc"

local M = {}

-- ---- JSON (RFC 8259), strict --------------------------------------------------------------

local json = { null = setmetatable({}, { __tostring = function() return "null" end }) }
M.json = json

local MAX_DEPTH = 64
local escapes = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

-- Parses text; returns the value, or raises "message at byte k".
function json.decode(text)
  local pos = 1
  local function fail(msg) error({ json = ("%s at byte %d"):format(msg, pos) }, 0) end
  local function skip() pos = text:find("[^ \t\r\n]", pos) or #text + 1 end
  local value

  local function string_()
    pos = pos + 1                                     -- the opening quote
    local parts = {}
    while true do
      local c = text:sub(pos, pos)
      if c == "" then fail("unterminated string") end
      if c == '"' then pos = pos + 1 break end
      if c:byte() < 32 then fail("control character in a string") end
      if c == "\\" then
        local e = text:sub(pos + 1, pos + 1)
        if e == "u" then
          local hex = text:match("^%x%x%x%x", pos + 2)
          if not hex then fail("bad \\u escape") end
          local cp = tonumber(hex, 16)
          pos = pos + 6
          if cp >= 0xD800 and cp <= 0xDBFF then         -- a surrogate pair
            local lo = text:match("^\\u(%x%x%x%x)", pos)
            lo = lo and tonumber(lo, 16)
            if not lo or lo < 0xDC00 or lo > 0xDFFF then fail("unpaired surrogate in \\u escape") end
            cp = 0x10000 + (cp - 0xD800) * 0x400 + (lo - 0xDC00)
            pos = pos + 6
          elseif cp >= 0xDC00 and cp <= 0xDFFF then
            fail("unpaired surrogate in \\u escape")
          end
          parts[#parts + 1] = utf8.char(cp)
        elseif escapes[e] then
          parts[#parts + 1] = escapes[e]
          pos = pos + 2
        else
          fail("bad escape \\" .. e)
        end
      else
        -- every byte but '"', '\\' and the controls 0-31 (DEL, 0x7F, is allowed in JSON)
        local run = text:match('^[^"\\%z\1-\31]+', pos)
        parts[#parts + 1] = run
        pos = pos + #run
      end
    end
    return table.concat(parts)
  end

  -- -?int[.frac][e[+-]exp], int without leading zeros
  local function number_()
    local int = text:match("^-?%d+", pos)
    if not int or int:match("^-?0%d") then fail("bad number") end
    local s = int
    local frac = text:match("^%.%d+", pos + #s)
    if text:sub(pos + #s, pos + #s) == "." and not frac then fail("bad number") end
    s = s .. (frac or "")
    local exp = text:match("^[eE][-+]?%d+", pos + #s)
    if text:match("^[eE]", pos + #s) and not exp then fail("bad number") end
    s = s .. (exp or "")
    pos = pos + #s
    return math.tointeger(tonumber(s)) or tonumber(s)
  end

  local function composite(depth, close, item)
    if depth > MAX_DEPTH then fail("nesting deeper than " .. MAX_DEPTH) end
    pos = pos + 1
    skip()
    if text:sub(pos, pos) == close then pos = pos + 1 return end
    while true do
      item()
      skip()
      local c = text:sub(pos, pos)
      pos = pos + 1
      if c == close then return end
      if c ~= "," then pos = pos - 1 fail("expected ',' or '" .. close .. "'") end
      skip()
    end
  end

  function value(depth)
    skip()
    local c = text:sub(pos, pos)
    if c == "{" then
      local obj, keys = {}, {}
      composite(depth + 1, "}", function()
        if text:sub(pos, pos) ~= '"' then fail("expected a string key") end
        local k = string_()
        if obj[k] ~= nil then fail(("duplicate key %q"):format(k)) end
        skip()
        if text:sub(pos, pos) ~= ":" then fail("expected ':'") end
        pos = pos + 1
        obj[k] = value(depth + 1)
        keys[#keys + 1] = k
      end)
      return setmetatable(obj, { keys = keys })       -- the keys in file order
    elseif c == "[" then
      local arr = {}
      composite(depth + 1, "]", function() arr[#arr + 1] = value(depth + 1) end)
      return arr
    elseif c == '"' then return string_()
    elseif c == "-" or c:match("%d") then return number_()
    elseif text:sub(pos, pos + 3) == "true" then pos = pos + 4 return true
    elseif text:sub(pos, pos + 4) == "false" then pos = pos + 5 return false
    elseif text:sub(pos, pos + 3) == "null" then pos = pos + 4 return json.null
    elseif c == "" then fail("unexpected end of text")
    end
    fail("unexpected character '" .. c .. "'")
  end

  local ok, v = pcall(function()
    local r = value(0)
    skip()
    if pos <= #text then fail("text after the JSON value") end
    return r
  end)
  if ok then return v end
  if type(v) == "table" and v.json then error(v.json, 0) end
  error(v, 0)
end

local function encode_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    local e = ({ ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
                 ["\b"] = "\\b", ["\f"] = "\\f" })[c]
    return e or ("\\u%04x"):format(c:byte())
  end) .. '"'
end

-- Encodes strings, finite numbers, booleans, json.null, arrays (Lua sequences; {} is an
-- empty array) and objects (string keys: in the order of getmetatable(t).keys, else sorted).
function json.encode(v)
  local t = type(v)
  if v == json.null then return "null"
  elseif t == "string" then return encode_string(v)
  elseif t == "boolean" then return tostring(v)
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then error("json.encode: " .. tostring(v) .. " is not JSON", 2) end
    return math.type(v) == "integer" and tostring(v) or ("%.17g"):format(v)
  elseif t == "table" then
    if next(v) == nil or v[1] ~= nil then
      local parts = {}
      for i = 1, #v do parts[i] = json.encode(v[i]) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    local keys = getmetatable(v) and getmetatable(v).keys
    if not keys then
      keys = {}
      for k in pairs(v) do
        if type(k) ~= "string" then error("json.encode: object keys must be strings", 2) end
        keys[#keys + 1] = k
      end
      table.sort(keys)
    end
    local parts = {}
    for _, k in ipairs(keys) do parts[#parts + 1] = encode_string(k) .. ":" .. json.encode(v[k]) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  error("json.encode: cannot encode a " .. t, 2)
end

-- ---- writing ------------------------------------------------------------------------------

local function is_object(v) return type(v) == "table" and getmetatable(v) ~= nil and getmetatable(v).keys ~= nil end
local function is_array(v) return type(v) == "table" and getmetatable(v) == nil end

local DTYPE_SIZE = { F32 = 4, F64 = 8, F16 = 2, BF16 = 2, I64 = 8, I32 = 4, I16 = 2, I8 = 1, U8 = 1, BOOL = 1 }
local MAX_HEADER = 100 * 1024 * 1024     -- as the reference implementation

-- key -> tensor from a model or a state dict, keys in the model's order (or sorted)
local function tensors_of(where, obj)
  if type(obj) == "table" and type(obj.state_dict) == "function" then obj = obj:state_dict() end
  if type(obj) ~= "table" or nabla.is_tensor(obj) then
    error(("%s: expected a model or a state dict (a table of name -> tensor), got %s"):format(
      where, nabla.is_tensor(obj) and "a tensor" or type(obj)), 3)
  end
  local keys = {}
  for k, v in pairs(obj) do
    if type(k) ~= "string" or k == "" then
      error(("%s: state dict keys must be non-empty strings, got %s"):format(where, tostring(k)), 3)
    end
    if k == "__metadata__" then error(where .. ": the key __metadata__ is reserved", 3) end
    local ok, e = pcall(function() return nabla.is_tensor(v) and v:numel() end)
    if nabla.is_closed(v) then
      error(("%s: '%s': this tensor was closed (<close>) and cannot be saved"):format(where, k), 3)
    elseif ok and not e then
      error(("%s: '%s' is a %s, expected a tensor"):format(where, k, type(v)), 3)
    elseif not ok then                                    -- e.g. a tensor closed with <close>
      error(("%s: '%s': %s"):format(where, k, (tostring(e):gsub("^[^:]*:%d+: ", ""))), 3)
    end
    keys[#keys + 1] = k
  end
  if not (getmetatable(obj) and getmetatable(obj).__pairs) then table.sort(keys) end
  return keys, obj
end

-- The header text (padded with spaces to a multiple of 8 bytes) for the given tensors.
local function header_for(keys, map, metadata)
  local header, offset = {}, 0
  local order = {}
  if metadata ~= nil then
    local meta, mkeys = {}, {}
    for k, v in pairs(metadata) do
      if type(k) ~= "string" or (type(v) ~= "string" and type(v) ~= "number" and type(v) ~= "boolean") then
        error(("save: metadata must map strings to strings (or numbers), got %s = %s"):format(
          tostring(k), type(v)), 4)
      end
      meta[k] = tostring(v)
      mkeys[#mkeys + 1] = k
    end
    table.sort(mkeys)
    if #mkeys > 0 then
      header.__metadata__ = setmetatable(meta, { keys = mkeys })
      order[1] = "__metadata__"
    end
  end
  for _, k in ipairs(keys) do
    local t = map[k]
    local shape = {}
    for i, s in ipairs(t.shape) do shape[i] = s end
    local n = t:numel() * 4
    header[k] = setmetatable({ dtype = "F32", shape = shape, data_offsets = { offset, offset + n } },
                             { keys = { "dtype", "shape", "data_offsets" } })
    order[#order + 1] = k
    offset = offset + n
  end
  local text = json.encode(setmetatable(header, { keys = order }))
  return text .. string.rep(" ", (8 - #text % 8) % 8)
end

-- Writes tensors (keys in order) and metadata to path, atomically: a crash or an error
-- leaves either the old file or the new one, never a partial file.
function M.write(path, keys, map, metadata)
  local header = header_for(keys, map, metadata)
  local tmp = path .. ".tmp"
  local f, err = io.open(tmp, "wb")
  if not f then error(("save: cannot write '%s': %s"):format(path, err), 3) end
  local ok, werr = pcall(function()
    assert(f:write(string.pack("<I8", #header), header))
    for _, k in ipairs(keys) do assert(f:write(nabla._tensor_bytes(map[k]))) end
    assert(f:flush())
  end)
  f:close()
  if ok then ok, werr = nabla._fsync(tmp) end
  if ok then ok, werr = os.rename(tmp, path) end
  if not ok then
    os.remove(tmp)
    error(("save: writing '%s' failed: %s"):format(path, tostring(werr)), 3)
  end
  nabla._fsync(path:match("^(.*)/[^/]*$") or ".")  -- the directory entry, too
end

function M.save(path, obj, opts)
  if type(path) ~= "string" then error("save: the first argument must be a file path, got " .. type(path), 2) end
  if opts ~= nil and type(opts) ~= "table" then error("save: options must be a table {metadata = {...}}", 2) end
  local keys, map = tensors_of("save", obj)
  M.write(path, keys, map, opts and opts.metadata)
  return path
end
doc(M.save, "save(path, model_or_state_dict)", "write a safetensors checkpoint (atomically)", "safetensors 체크포인트를 씁니다 (원자적으로)", "Checkpoints")

-- ---- reading ------------------------------------------------------------------------------

-- Checks one header entry and returns {key, dtype, shape, begin, end}.
local function entry(bad, key, e, data_len)
  if not is_object(e) then bad("entry '%s' is not an object", key) end
  for k in pairs(e) do
    if k ~= "dtype" and k ~= "shape" and k ~= "data_offsets" then
      bad("entry '%s' has an unknown field '%s'", key, tostring(k))
    end
  end
  local dtype, shape, offs = e.dtype, e.shape, e.data_offsets
  if type(dtype) ~= "string" then bad("entry '%s' has no dtype", key) end
  if not DTYPE_SIZE[dtype] then
    bad("tensor '%s' has dtype %s, which nabla cannot read (it reads F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL)", key, dtype)
  end
  if not is_array(shape) then bad("tensor '%s' has no shape list", key) end
  if #shape > 8 then bad("tensor '%s' has %d dimensions (nabla tensors have at most 8)", key, #shape) end
  local numel = 1
  for i, s in ipairs(shape) do
    if math.type(s) ~= "integer" or s < 0 then bad("tensor '%s': size %d of its shape is not a non-negative integer", key, i) end
    if s > 0 and numel > 2 ^ 40 / s then bad("tensor '%s' has an impossibly large shape", key) end
    numel = numel * s
  end
  if not is_array(offs) or #offs ~= 2 or math.type(offs[1]) ~= "integer" or math.type(offs[2]) ~= "integer" then
    bad("tensor '%s': data_offsets must be two integers [begin, end]", key)
  end
  local b, e2 = offs[1], offs[2]
  if b < 0 or e2 < b or e2 > data_len then
    bad("tensor '%s': data_offsets [%d, %d] are outside the data section of %d bytes (truncated file?)", key, b, e2, data_len)
  end
  local shape_str = "[" .. table.concat(shape, ",") .. "]"
  if numel * DTYPE_SIZE[dtype] ~= e2 - b then
    bad("tensor '%s': shape %s of %s needs %d bytes but data_offsets [%d, %d] hold %d", key, shape_str,
        dtype, numel * DTYPE_SIZE[dtype], b, e2, e2 - b)
  end
  return { key = key, dtype = dtype, shape = shape, b = b, e = e2 }
end

-- Reads a safetensors file: returns the state dict (key -> tensor, in file order) and the
-- metadata table (or nil).
function M.load(path)
  if type(path) ~= "string" then error("load: expected a file path, got " .. type(path), 2) end
  local function bad(fmt, ...)
    error(("load: '%s' is not a valid safetensors file: " .. fmt):format(path, ...), 0)
  end
  local f, err = io.open(path, "rb")
  if not f then error(("load: cannot open '%s': %s"):format(path, err), 2) end
  local ok, sd, meta = pcall(function()
    local size = f:seek("end")
    f:seek("set", 0)
    if not size then bad("cannot determine its size (is it a directory?)") end
    if size < 8 then bad("it is %d bytes long, too short for the 8-byte header length", size) end
    local head = f:read(8)
    if not head or #head ~= 8 then bad("cannot read it (is it a directory?)") end
    local n = string.unpack("<i8", head)
    if n < 2 or n > size - 8 then
      bad("the header length field says %d bytes, but the file has %d bytes after it (truncated or not safetensors)", n, size - 8)
    end
    if n > MAX_HEADER then bad("the header is %d bytes (at most %d allowed)", n, MAX_HEADER) end
    local text = f:read(n)
    if not text or #text ~= n then bad("could not read its %d-byte header", n) end
    if text:sub(1, 1) ~= "{" then bad("the header does not start with '{'") end
    if not utf8.len(text) then bad("the header is not valid UTF-8") end
    local pok, header = pcall(json.decode, text)
    if not pok then bad("invalid JSON in the header: %s", header) end
    if not is_object(header) then bad("the header is not a JSON object") end
    local data_len = size - 8 - n
    local entries, metadata = {}, nil
    for _, key in ipairs(getmetatable(header).keys) do
      local e = header[key]
      if key == "__metadata__" then
        if not is_object(e) then bad("__metadata__ is not an object") end
        for k, v in pairs(e) do
          if type(v) ~= "string" then bad("__metadata__ value '%s' is not a string", k) end
        end
        metadata = e
      else
        entries[#entries + 1] = entry(bad, key, e, data_len)
      end
    end
    -- the tensors must tile the data section: sorted by offset, each begins where the last ended
    local sorted = {}
    for i, e in ipairs(entries) do sorted[i] = e end
    table.sort(sorted, function(a, b) return a.b < b.b or (a.b == b.b and a.e < b.e) end)
    local at, prev = 0, nil
    for _, e in ipairs(sorted) do
      if e.b < at then
        bad("tensors '%s' and '%s' overlap (bytes [%d, %d) and [%d, %d))", prev.key, e.key, prev.b, prev.e, e.b, e.e)
      elseif e.b > at then
        bad("%d bytes before tensor '%s' belong to no tensor", e.b - at, e.key)
      end
      at, prev = e.e, e
    end
    if at ~= data_len then
      bad("the tensors cover %d bytes but the data section has %d", at, data_len)
    end
    local data = data_len > 0 and f:read(data_len) or ""
    if not data or #data ~= data_len then bad("could not read its %d bytes of data", data_len) end
    local keys, map = {}, {}
    for i, e in ipairs(sorted) do
      keys[i] = e.key
      map[e.key] = nabla._tensor_from_bytes(data, e.b, e.shape, e.dtype)
    end
    return require("nabla.nn.module").ordered_state_dict(keys, map), metadata
  end)
  f:close()
  if not ok then
    local msg = tostring(sd)
    if not msg:find("^load: ") then msg = ("load: '%s': %s"):format(path, msg) end
    error(msg, 2)
  end
  return sd, meta
end
doc(M.load, "load(path)", "read a safetensors checkpoint into a state dict", "safetensors 체크포인트를 state dict로 읽습니다", "Checkpoints")

-- The same, under the names of the file format's reference implementation.
M.save_file, M.load_file = M.save, M.load

return M

-- Events: what happens in nabla (a training step, an epoch, a lesson step, a plot), for
-- whoever listens — the classroom server's dashboard, the Jupyter kernel, live curves.
--
--   events.on("epoch", fn)       fn(payload) after each epoch of fit(); returns fn
--   events.off("epoch", fn)      stop listening
--   events.emit(name, payload)   call every listener (an error in one is reported, not raised)
--   events.listening(name)       true if someone listens: emitters build payloads only then
--
-- Names: "train_step" and "epoch" (fit), "lesson" (the lesson runner), "plot" (plots),
-- "fit_start" / "fit_end" (fit; the payload of fit_start holds the model itself).
-- events.poll() is called by long loops (fit, between steps) so that the classroom server
-- can answer its requests on the main thread; it costs one table lookup when no server runs.
local doc = require "nabla.doc"
local M = {}

local listeners = {}    -- name -> list of functions
local pollers = {}      -- functions called by events.poll()

function M.on(name, fn)
  assert(type(name) == "string", "events.on: the first argument must be an event name")
  assert(type(fn) == "function", "events.on: the second argument must be a function")
  local list = listeners[name] or {}
  listeners[name] = list
  list[#list + 1] = fn
  return fn
end
doc(M.on, "events.on(name, fn)", "call fn(payload) whenever event name happens (\"epoch\", \"train_step\", \"lesson\", \"plot\"); returns fn", "이벤트 name(\"epoch\", \"train_step\", \"lesson\", \"plot\")이 일어날 때마다 fn(payload)를 호출합니다. fn을 돌려줍니다", "The classroom server")

function M.off(name, fn)
  local list = listeners[name]
  if not list then return false end
  for i = #list, 1, -1 do
    if list[i] == fn then
      table.remove(list, i)
      if #list == 0 then listeners[name] = nil end
      return true
    end
  end
  return false
end
doc(M.off, "events.off(name, fn)", "stop calling fn for event name", "이벤트 name에 대해 fn을 더는 호출하지 않습니다", "The classroom server")

function M.listening(name) return listeners[name] ~= nil end
doc(M.listening, "events.listening(name)", "true if someone listens to event name (emitters build payloads only then)", "이벤트 name을 듣는 쪽이 있으면 true (그때만 payload를 만듭니다)", "The classroom server")

local reported = {}
function M.emit(name, payload)
  local list = listeners[name]
  if not list then return end
  for _, fn in ipairs({ table.unpack(list) }) do     -- a copy: a listener may call off()
    local ok, err = pcall(fn, payload)
    -- Ctrl-C while a listener runs (a live redraw, the dashboard) is the learner's, not
    -- the listener's failure: it goes on to the loop that was interrupted
    if not ok and type(err) == "string" and err:match("interrupted!$") then error(err, 0) end
    if not ok and not reported[fn] then
      reported[fn] = true
      io.stderr:write(("events: a listener of '%s' failed: %s\n"):format(name, tostring(err)))
    end
  end
end
doc(M.emit, "events.emit(name, payload)", "call every listener of event name (an error in one is reported, not raised)", "이벤트 name의 모든 리스너를 호출합니다 (한 리스너의 오류는 알리기만 하고 멈추지 않음)", "The classroom server")

-- Long loops call poll(); add_poller(fn) / remove_poller(fn) register what it runs.
function M.add_poller(fn)
  for _, f in ipairs(pollers) do if f == fn then return fn end end
  pollers[#pollers + 1] = fn
  return fn
end

function M.remove_poller(fn)
  for i = #pollers, 1, -1 do if pollers[i] == fn then table.remove(pollers, i) end end
end

function M.poll()
  for i = 1, #pollers do pollers[i]() end
end

doc(M, "events.on(name, fn), events.off(name, fn), events.emit(name, payload)",
    "what happens in nabla (train_step, epoch, lesson, plot) for whoever listens: the classroom server, the notebook, live curves",
    "nabla에서 일어나는 일(train_step, epoch, lesson, plot)을 듣는 쪽에 알립니다: 교실 서버, 노트북, 실시간 곡선",
    "The classroom server")

return M

-- Runs one golden case of tests/golden/nn.lua or rnn.lua (written by tests/golden/gen_nn.py)
-- for test_nn.lua and test_rnn.lua:  local run_case = dofile(".../nn_golden.lua")(T)
-- The case's Lua constructor builds the nabla module; PyTorch's state_dict is loaded into it
-- (so nabla's keys must be PyTorch's, in PyTorch's order); forward and backward run with
-- PyTorch's inputs and upstream gradients; outputs (rtol 1e-4), the gradients of the inputs
-- and of every parameter (rtol 1e-3) and the buffers after the call are compared.
local nabla = require "nabla"
local nn = nabla.nn

return function(T)
  local function build(case)
    local STATE = {}
    for k, v in pairs(case.state.values) do STATE[k] = v.data end
    local env = setmetatable({ nn = nn, nabla = nabla, STATE = STATE }, { __index = _G })
    local chunk = assert(load("return " .. case.lua, "=" .. case.lua, "t", env))
    return chunk()
  end

  return function(name, case, tol)
    tol = tol or {}
    local m = build(case)
    local keys = {}
    for k in pairs(m:state_dict()) do keys[#keys + 1] = k end
    T.eq(table.concat(keys, " "), table.concat(case.state.keys, " "), name .. ": state_dict keys")
    local sd = {}
    for k, v in pairs(case.state.values) do sd[k] = T.from_golden(v) end
    m:load_state_dict(sd)
    m:train(case.train)
    local inputs = {}
    for i, g in ipairs(case.inputs) do
      inputs[i] = T.from_golden(g)
      if case.needs[i] then inputs[i]:requires_grad() end
    end
    local outs
    if case.call == "hc" then                                  -- LSTM with {h_0, c_0}
      local o, s = m(inputs[1], { inputs[2], inputs[3] })
      outs = { o, s[1], s[2] }
    elseif case.call == "h" or (case.call == "plain" and m.mode and m.hidden_size) then -- recurrent
      local o, s = m(inputs[1], inputs[2])
      outs = nabla.is_tensor(s) and { o, s } or { o, s[1], s[2] }
    else
      outs = { m(table.unpack(inputs)) }
    end
    T.eq(#outs, #case.outputs, name .. ": number of outputs")
    local total
    for i, o in ipairs(outs) do
      T.near(o, T.from_golden(case.outputs[i]), tol.fwd or 1e-4, tol.fwd_atol or 1e-5, name .. ": output " .. i)
      local term = (o * T.from_golden(case.upstream[i])):sum()
      total = total and total + term or term
    end
    if total.needs_grad then total:backward() end
    for i, g in ipairs(case.input_grads) do
      if g then
        T.ok(inputs[i].grad ~= nil, name .. ": input " .. i .. " got no gradient")
        T.near(inputs[i].grad, T.from_golden(g), tol.grad or 1e-3, tol.grad_atol or 1e-4,
          name .. ": grad of input " .. i)
      end
    end
    local n, want = 0, 0
    for _ in pairs(case.param_grads) do want = want + 1 end
    for k, p in m:named_parameters() do
      local g = case.param_grads[k]
      if g then
        n = n + 1
        T.ok(p.grad ~= nil, name .. ": parameter " .. k .. " got no gradient")
        T.near(p.grad, T.from_golden(g), tol.grad or 1e-3, tol.grad_atol or 1e-4, name .. ": grad of " .. k)
      end
    end
    T.eq(n, want, name .. ": parameters with gradients")
    local bufs = {}
    for k, b in m:named_buffers() do bufs[k] = b end
    for k, g in pairs(case.buffers_after) do
      T.ok(bufs[k] ~= nil, name .. ": buffer " .. k .. " missing")
      T.near(bufs[k], T.from_golden(g), 1e-4, 1e-5, name .. ": buffer " .. k .. " after the call")
    end
    return m
  end
end

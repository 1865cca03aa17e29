-- nn.Embedding: a lookup table. Row i of weight (num_embeddings, embedding_dim) is the
-- vector of token i; ids are 1-based, as every index in nabla. idx of any shape gives
-- idx.shape + (embedding_dim). weight starts N(0, 1), as in PyTorch; the padding_idx row
-- (if given) starts at zero and gets no gradient.
local nabla = require "nabla"
local Module = require "nabla.nn.module"
local init = require "nabla.nn.weight_init"
local args = require "nabla.nn.args"
local doc = require "nabla.doc"

local Embedding = Module:extend("Embedding")

function Embedding:__init(...)
  local o = args.parse("nn.Embedding", { "num_embeddings", "embedding_dim", "padding_idx" },
    { padding_idx = false }, ...)
  self.num_embeddings = args.size("nn.Embedding", "num_embeddings", o.num_embeddings)
  self.embedding_dim = args.size("nn.Embedding", "embedding_dim", o.embedding_dim)
  self.padding_idx = o.padding_idx or nil
  if self.padding_idx and (self.padding_idx < 1 or self.padding_idx > self.num_embeddings) then
    error(("nn.Embedding: padding_idx %s is out of range 1..%d"):format(tostring(self.padding_idx),
      self.num_embeddings), 2)
  end
  self.weight = nabla.empty(self.num_embeddings, self.embedding_dim):requires_grad()
  self:reset_parameters()
end

function Embedding:reset_parameters()
  init.normal_(self.weight)
  if self.padding_idx then
    nabla.no_grad(function() self.weight[self.padding_idx] = 0 end)
  end
end

function Embedding:forward(idx)
  return nabla.embedding(idx, self.weight, self.padding_idx and { padding_idx = self.padding_idx })
end

function Embedding:extra_repr()
  local s = ("%d, %d"):format(self.num_embeddings, self.embedding_dim)
  if self.padding_idx then s = s .. ", padding_idx=" .. self.padding_idx end
  return s
end

-- An Embedding holding the given (V, D) weights; freeze (default true): not trained.
function Embedding.from_pretrained(weights, freeze, padding_idx)
  local e = Embedding(weights.shape[1], weights.shape[2], padding_idx)
  nabla.no_grad(function() e.weight:copy_(weights) end)
  if freeze ~= false then e.weight:requires_grad(false) end
  return e
end

doc(Embedding, "nn.Embedding(num_embeddings, embedding_dim, padding_idx)", "a table of learnt vectors: row i for token id i (1-based)", "학습되는 벡터 표: 토큰 id i(1부터)에 i번째 행")

return { Embedding = Embedding }

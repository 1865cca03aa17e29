/* Fused recurrent cells (src/ops/rnn.c): the elementwise part of one LSTM or GRU time step
 * as one op with its backward, so that a step is two matrix products and one pass over the
 * gates instead of a dozen small ops and graph nodes each way. lua/nabla/nn/rnn.lua shows
 * the same cells written with ordinary ops; the tests check that both agree. */
#ifndef NABLA_RNN_H
#define NABLA_RNN_H
#include <stdbool.h>
#include "../core/tensor.h"

/* LSTM: gx = x·W_ihᵀ + b_ih and gh = h·W_hhᵀ + b_hh, both (B, 4H) with the gates in
 * PyTorch's order i, f, g, o; c (B, H). Returns (2, B, H): [1] = h', [2] = c', where
 *   i, f, g, o = σ(·), σ(·), tanh(·), σ(·) of the four slices of gx + gh
 *   c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c') */
nb_tensor *nb_lstm_cell(nb_tensor *gx, nb_tensor *gh, nb_tensor *c);

/* GRU: gx = x·W_ihᵀ + b_ih and gh = h·W_hhᵀ + b_hh, both (B, 3H), gates r, z, n; h (B, H).
 * Returns h' (B, H), where
 *   r = σ(gx_r + gh_r),  z = σ(gx_z + gh_z),  n = tanh(gx_n + r ⊙ gh_n)
 *   h' = (1 − z) ⊙ n + z ⊙ h */
nb_tensor *nb_gru_cell(nb_tensor *gx, nb_tensor *gh, nb_tensor *h);

/* A whole sequence through one layer and direction, as one op: T steps of the cells above
 * with gh = h·W_hhᵀ + b_hh computed inside, and backpropagation through time in C (the
 * weight gradient of all steps is one matrix product at the end).
 *   xp (T, B, G·H): x·W_ihᵀ + b_ih for every step; h0, c0 (B, H); w_hh (G·H, H);
 *   b_hh (G·H) or NULL; reverse: the steps run from T down to 1.
 * LSTM returns (T + 1, B, H): [t] = h_t for t = 1..T, [T + 1] = the c of the last step.
 * GRU returns (T, B, H): h_t. */
nb_tensor *nb_lstm_seq(nb_tensor *xp, nb_tensor *h0, nb_tensor *c0, nb_tensor *w_hh,
                       nb_tensor *b_hh, bool reverse);
nb_tensor *nb_gru_seq(nb_tensor *xp, nb_tensor *h0, nb_tensor *w_hh, nb_tensor *b_hh,
                      bool reverse);
#endif

/* The fused recurrent cells for Lua (kernels in src/ops/rnn.c), used by nn.LSTM and nn.GRU
 * (lua/nabla/nn/rnn.lua):
 *   nabla.lstm_cell(gx, gh, c) -> hc (2, B, H): hc[1] = h', hc[2] = c'
 *   nabla.gru_cell(gx, gh, h)  -> h' (B, H)
 *   nabla.lstm_seq(xp, h0, c0, w_hh, b_hh|nil, reverse) -> (T + 1, B, H): h_1..h_T, last c
 *   nabla.gru_seq(xp, h0, w_hh, b_hh|nil, reverse)      -> (T, B, H): h_1..h_T
 * gx = x·W_ihᵀ + b_ih, gh = h·W_hhᵀ + b_hh: (B, 4H) for the LSTM, (B, 3H) for the GRU;
 * xp (T, B, G·H) holds gx for every step. */
#include "../ops/rnn.h"
#include "nbl.h"

static int l_lstm_cell(lua_State *L) {
    return nbl_push(L, nb_lstm_cell(nbl_check(L, 1), nbl_check(L, 2), nbl_check(L, 3)));
}

static int l_gru_cell(lua_State *L) {
    return nbl_push(L, nb_gru_cell(nbl_check(L, 1), nbl_check(L, 2), nbl_check(L, 3)));
}

static int l_lstm_seq(lua_State *L) {
    return nbl_push(L, nb_lstm_seq(nbl_check(L, 1), nbl_check(L, 2), nbl_check(L, 3),
                                   nbl_check(L, 4), nbl_opt_arg_tensor(L, 5, "lstm_seq", "b_hh"), lua_toboolean(L, 6)));
}

static int l_gru_seq(lua_State *L) {
    return nbl_push(L, nb_gru_seq(nbl_check(L, 1), nbl_check(L, 2), nbl_check(L, 3),
                                  nbl_opt_arg_tensor(L, 4, "gru_seq", "b_hh"), lua_toboolean(L, 5)));
}

static const luaL_Reg rnn_functions[] = {{"lstm_cell", l_lstm_cell}, {"gru_cell", l_gru_cell},
                                         {"lstm_seq", l_lstm_seq},   {"gru_seq", l_gru_seq},
                                         {NULL, NULL}};

NBL_MODULE(rnn, NULL, rnn_functions, NULL)

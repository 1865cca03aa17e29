/* The fused recurrent cells for Lua (kernels in src/ops/rnn.c), used by nn.LSTM and nn.GRU
 * (lua/nabla/nn/rnn.lua):
 *   nabla.lstm_cell(gx, gh, c) -> hc (2, B, H): hc[1] = h', hc[2] = c'
 *   nabla.gru_cell(gx, gh, h)  -> h' (B, H)
 * gx = x·W_ihᵀ + b_ih, gh = h·W_hhᵀ + b_hh: (B, 4H) for the LSTM, (B, 3H) for the GRU. */
#include "../ops/rnn.h"
#include "nbl.h"

static int l_lstm_cell(lua_State *L) {
    return nbl_push(L, nb_lstm_cell(nbl_check(L, 1), nbl_check(L, 2), nbl_check(L, 3)));
}

static int l_gru_cell(lua_State *L) {
    return nbl_push(L, nb_gru_cell(nbl_check(L, 1), nbl_check(L, 2), nbl_check(L, 3)));
}

static const luaL_Reg rnn_functions[] = {
    {"lstm_cell", l_lstm_cell}, {"gru_cell", l_gru_cell}, {NULL, NULL}};

NBL_REGISTER(rnn, NULL, rnn_functions)

/* The classroom server from Lua (lua/nabla/serve.lua is the public side): start and stop a
 * server, serve its waiting jobs as one batch through a Lua forward function, JSON texts.
 * The server (src/server/) never sees Lua; this file is where the two meet, on the main
 * thread only. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../server/server.h"
#include "nbl.h"

#define SERVER_MT "nabla.Server"
#define MAX_BATCH 64

typedef struct {
    nb_server *srv;
} udata;

static nb_server *check_srv(lua_State *L, int i) {
    udata *u = luaL_checkudata(L, i, SERVER_MT);
    if (!u->srv) luaL_error(L, "the server was stopped");
    return u->srv;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* serve_start{ host =, port =, max_body =, queue =, threads =, timeout_ms = } */
static int l_start(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    nb_server_opts o = {0};
    lua_getfield(L, 1, "host");
    o.host = luaL_optstring(L, -1, "127.0.0.1");
    lua_getfield(L, 1, "port");
    lua_Integer port = luaL_optinteger(L, -1, 8000);
    if (port < 0 || port > 65535) return luaL_error(L, "serve: port %d is not in 0..65535", (int)port);
    o.port = (int)port;
    lua_getfield(L, 1, "max_body");
    lua_Integer mb = luaL_optinteger(L, -1, 1 << 20);
    if (mb < 1024 || mb > (1 << 30)) return luaL_error(L, "serve: max_body must be 1024 .. 2^30 bytes");
    o.max_body = (size_t)mb;
    lua_getfield(L, 1, "queue");
    o.queue = (int)luaL_optinteger(L, -1, 64);
    lua_getfield(L, 1, "threads");
    o.threads = (int)luaL_optinteger(L, -1, 64);
    lua_getfield(L, 1, "timeout_ms");
    o.job_timeout_ms = (int)luaL_optinteger(L, -1, 30000);
    if (o.queue < 1 || o.queue > 100000 || o.threads < 2 || o.threads > 1024)
        return luaL_error(L, "serve: queue must be 1..100000 and threads 2..1024");
    udata *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->srv = NULL;
    luaL_setmetatable(L, SERVER_MT);
    char err[512];
    u->srv = nb_server_start(&o, err, sizeof err);
    if (!u->srv) return luaL_error(L, "serve: %s", err);
    return 1;
}

static int l_stop(lua_State *L) {
    udata *u = luaL_checkudata(L, 1, SERVER_MT);
    if (u->srv) nb_server_stop(u->srv);
    u->srv = NULL;
    return 0;
}

static int l_running(lua_State *L) {
    udata *u = luaL_checkudata(L, 1, SERVER_MT);
    lua_pushboolean(L, u->srv != NULL);
    return 1;
}

static int l_port(lua_State *L) {
    lua_pushinteger(L, nb_server_port(check_srv(L, 1)));
    return 1;
}

static int l_host(lua_State *L) {
    lua_pushstring(L, nb_server_host(check_srv(L, 1)));
    return 1;
}

static int l_set_model(lua_State *L) {
    nb_server_set_model(check_srv(L, 1), luaL_optstring(L, 2, NULL));
    return 0;
}

static int l_set_state(lua_State *L) {
    nb_server_set_state(check_srv(L, 1), luaL_checkstring(L, 2));
    return 0;
}

static int l_broadcast(lua_State *L) {
    nb_server_broadcast(check_srv(L, 1), luaL_checkstring(L, 2), luaL_checkstring(L, 3));
    return 0;
}

/* srv:set_abilities(predicts, reads) */
static int l_set_abilities(lua_State *L) {
    nb_server_set_abilities(check_srv(L, 1), lua_toboolean(L, 2), lua_toboolean(L, 3));
    return 0;
}

static int l_set_line_height(lua_State *L) {
    lua_Integer h = luaL_checkinteger(L, 2);
    if (h < 8 || h > 256) return luaL_error(L, "serve: the line height must be 8..256 pixels");
    nb_server_set_line_height(check_srv(L, 1), (int)h);
    return 0;
}

static int l_listeners(lua_State *L) {
    lua_pushinteger(L, nb_server_listeners(check_srv(L, 1)));
    return 1;
}

/* The row i of an activation (n, ...) as a job's record: 4-d outputs are feature maps,
 * scaled to 0..1 per map; anything else is a vector of its values. */
static bool activation_of(const nb_tensor *t, int i, nb_activation *a, float **owned) {
    int64_t per = 1;
    for (int d = 1; d < t->ndim; d++) per *= t->shape[d];
    float *v = malloc((size_t)per * sizeof *v);
    if (!v) return false;
    memcpy(v, nb_data(t) + (int64_t)i * per, (size_t)per * sizeof *v);
    if (t->ndim == 4) {
        a->maps = true;
        a->ndim = 3;
        for (int d = 0; d < 3; d++) a->shape[d] = (long)t->shape[d + 1];
        int64_t plane = t->shape[2] * t->shape[3];
        for (int64_t c = 0; c < t->shape[1]; c++) {
            float *p = v + c * plane, lo = INFINITY, hi = -INFINITY;
            for (int64_t k = 0; k < plane; k++) {
                if (p[k] < lo) lo = p[k];
                if (p[k] > hi) hi = p[k];
            }
            float span = hi > lo ? hi - lo : 1;
            for (int64_t k = 0; k < plane; k++) p[k] = hi > lo ? (p[k] - lo) / span : 0;
        }
    } else {
        a->maps = false;
        a->ndim = 1;
        a->shape[0] = (long)per;
    }
    a->data = v;
    *owned = v;
    return true;
}

/* srv:serve(forward [, max [, reader]]) takes the waiting jobs (up to max, 64): the /predict
 * ones run as one batch: forward(x, want_activations) with x of shape (n, 784) returns
 * probabilities (n, k) and, when asked, a list of { name =, type =, output = tensor (n, ...) };
 * each /read one goes through reader(line) (see serve_read). Returns the number of jobs
 * answered. */
static cJSON *to_json(lua_State *L, int i, int depth);
static int l_to_json_protected(lua_State *L);

/* One /read job: reader(line) with line a (H, W) tensor returns { text =, characters = {
 * { char =, confidence =, box = { x0, y0, x1, y1 } }, ... }, model = } in the line's pixels;
 * the boxes are sent in the posted image's pixels. */
static void serve_read(lua_State *L, nb_server *srv, nb_job *job, int reader) {
    int top = lua_gettop(L);
    if (lua_isnoneornil(L, reader)) {
        nb_job_finish(srv, job, 503, nb_error_json("the model served cannot read lines"));
        return;
    }
    int64_t shape[2] = {job->line.h, job->line.w};
    nb_tensor *x = nb_from_data(2, shape, job->line.pix);
    if (!x) {
        nb_job_finish(srv, job, 503, nb_error_json("out of memory"));
        return;
    }
    lua_pushvalue(L, reader);
    nbl_push(L, x);
    double t0 = now_s();
    int rc = lua_pcall(L, 1, 1, 0);
    double ms = (now_s() - t0) * 1e3;
    if (rc != LUA_OK || !lua_istable(L, -1)) {
        char msg[400];
        snprintf(msg, sizeof msg, "the model failed: %s",
                 rc != LUA_OK && lua_tostring(L, -1) ? lua_tostring(L, -1) : "its reader gave no answer");
        lua_settop(L, top);
        nb_job_finish(srv, job, 500, nb_error_json(msg));
        return;
    }
    cJSON *o = NULL;
    lua_pushcfunction(L, l_to_json_protected);
    lua_pushvalue(L, -2);
    lua_pushlightuserdata(L, &o);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) o = NULL;
    lua_settop(L, top);
    cJSON *chars = o ? cJSON_GetObjectItemCaseSensitive(o, "characters") : NULL;
    if (!o || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "text")) || (chars && !cJSON_IsArray(chars))) {
        cJSON_Delete(o);
        nb_job_finish(srv, job, 500, nb_error_json("the model failed: its reader's answer has no text"));
        return;
    }
    if (!chars) chars = cJSON_AddArrayToObject(o, "characters");
    cJSON *ch;
    cJSON_ArrayForEach(ch, chars) {
        cJSON *box = cJSON_GetObjectItemCaseSensitive(ch, "box");
        if (cJSON_IsArray(box) && cJSON_GetArraySize(box) == 4) {
            double in[4];
            int out[4];
            for (int k = 0; k < 4; k++) {
                cJSON *v = cJSON_GetArrayItem(box, k);
                in[k] = cJSON_IsNumber(v) ? v->valuedouble : 0;
            }
            nb_line_box(&job->line, in, out);
            cJSON *nbx = cJSON_CreateArray();
            for (int k = 0; k < 4; k++) cJSON_AddItemToArray(nbx, cJSON_CreateNumber(out[k]));
            cJSON_ReplaceItemInObjectCaseSensitive(ch, "box", nbx);
        }
        cJSON *cf = cJSON_GetObjectItemCaseSensitive(ch, "confidence");
        if (cJSON_IsNumber(cf)) cJSON_SetNumberValue(cf, round(cf->valuedouble * 1e4) / 1e4);
    }
    if (!cJSON_GetObjectItemCaseSensitive(o, "model")) cJSON_AddStringToObject(o, "model", "segment");
    cJSON_AddNumberToObject(o, "ms", round(ms * 1e3) / 1e3);
    cJSON *line = cJSON_AddObjectToObject(o, "line");
    cJSON_AddNumberToObject(line, "width", job->line.w);
    cJSON_AddNumberToObject(line, "height", job->line.h);
    cJSON_AddNumberToObject(line, "angle", job->line.angle);
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    nb_job_finish(srv, job, body ? 200 : 503, body ? body : nb_error_json("out of memory"));
}

static int l_serve(lua_State *L) {
    nb_server *srv = check_srv(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    int max = (int)luaL_optinteger(L, 3, MAX_BATCH);
    if (max < 1 || max > MAX_BATCH) max = MAX_BATCH;
    int reader = 4;
    nb_job *taken[MAX_BATCH], *jobs[MAX_BATCH];
    int got = nb_server_take(srv, taken, max), n = 0;
    if (got == 0) {
        lua_pushinteger(L, 0);
        return 1;
    }
    for (int i = 0; i < got; i++) {
        if (taken[i]->kind == NB_JOB_READ) serve_read(L, srv, taken[i], reader);
        else jobs[n++] = taken[i];
    }
    if (n == 0) {
        lua_pushinteger(L, got);
        return 1;
    }
    bool acts = false;
    for (int i = 0; i < n; i++) acts = acts || jobs[i]->activations;
    int64_t shape[2] = {n, NB_SERVE_PIXELS};
    nb_tensor *x = nb_empty(2, shape);
    if (!x) {
        for (int i = 0; i < n; i++) nb_job_finish(srv, jobs[i], 503, nb_error_json("out of memory"));
        lua_pushinteger(L, got);
        return 1;
    }
    for (int i = 0; i < n; i++) memcpy(nb_data(x) + (int64_t)i * NB_SERVE_PIXELS, jobs[i]->input, sizeof jobs[i]->input);
    int top = lua_gettop(L);
    lua_pushvalue(L, 2);
    nbl_push(L, x);
    lua_pushboolean(L, acts);
    double t0 = now_s();
    int rc = lua_pcall(L, 2, 2, 0);
    double ms = (now_s() - t0) * 1e3;
    nb_tensor *p = rc == LUA_OK ? nbl_test(L, top + 1) : NULL;
    char msg[400];
    if (rc != LUA_OK) snprintf(msg, sizeof msg, "the model failed: %s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
    else if (!p || p->ndim != 2 || p->shape[0] != n || p->shape[1] < 1 || p->shape[1] > 100000)
        snprintf(msg, sizeof msg, "the model's answer is not a (%d, classes) tensor of probabilities", n);
    else
        msg[0] = 0;
    if (msg[0]) {
        for (int i = 0; i < n; i++) nb_job_finish(srv, jobs[i], 500, nb_error_json(msg));
        lua_settop(L, top);
        lua_pushinteger(L, got);
        return 1;
    }
    nb_tensor *pc = nb_contiguous_copy(p);
    /* the activations: tensors of shape (n, ...) */
    int nacts = 0;
    nb_tensor *outs[64];
    const char *names[64], *types[64];
    if (acts && lua_istable(L, top + 2)) {
        int len = (int)luaL_len(L, top + 2);
        for (int k = 1; k <= len && nacts < 64; k++) {
            lua_geti(L, top + 2, k);
            if (lua_istable(L, -1)) {
                lua_getfield(L, -1, "output");
                nb_tensor *t = nbl_test(L, -1);
                lua_pop(L, 1);
                lua_getfield(L, -1, "name");
                lua_getfield(L, -2, "type");
                if (t && t->shape[0] == n && t->ndim >= 2 && lua_isstring(L, -1) && lua_isstring(L, -2)) {
                    outs[nacts] = nb_contiguous_copy(t);
                    names[nacts] = lua_tostring(L, -2);   /* kept alive by the table */
                    types[nacts] = lua_tostring(L, -1);
                    if (outs[nacts]) nacts++;
                }
                lua_pop(L, 2);
            }
            lua_pop(L, 1);
        }
    }
    int k = pc ? (int)pc->shape[1] : 0;
    for (int i = 0; i < n; i++) {
        char *body = NULL;
        if (pc) {
            if (jobs[i]->activations) {
                nb_activation a[64];
                float *owned[64];
                int m = 0;
                for (int j = 0; j < nacts; j++) {
                    a[m].name = names[j];
                    a[m].type = types[j];
                    if (activation_of(outs[j], i, &a[m], &owned[m])) m++;
                }
                body = nb_predict_json(nb_data(pc) + (int64_t)i * k, k, ms, jobs[i]->input, a, m);
                for (int j = 0; j < m; j++) free(owned[j]);
            } else
                body = nb_predict_json(nb_data(pc) + (int64_t)i * k, k, ms, jobs[i]->input, NULL, 0);
        }
        nb_job_finish(srv, jobs[i], body ? 200 : 503, body ? body : nb_error_json("out of memory"));
    }
    for (int j = 0; j < nacts; j++) nb_decref(outs[j]);
    nb_decref(pc);
    lua_settop(L, top);
    lua_pushinteger(L, got);
    return 1;
}

/* serve_pending() -> jobs waiting in any server (cheap: no lock) */
static int l_pending(lua_State *L) {
    lua_pushinteger(L, nb_server_pending());
    return 1;
}

/* serve_wait(ms) -> true when jobs wait (or at once if some do); false on timeout. */
static int l_wait(lua_State *L) {
    int ms = (int)luaL_optinteger(L, 1, 250);
    if (nb_server_pending() > 0) {
        lua_pushboolean(L, 1);
        return 1;
    }
    struct pollfd p = {.fd = nb_server_wakeup_fd(), .events = POLLIN};
    int r = poll(&p, 1, ms);
    lua_pushboolean(L, (r > 0) || nb_server_pending() > 0);
    return 1;
}

/* png_to_mnist(bytes) -> tensor (28, 28) as /predict would feed the model */
static int l_png_to_mnist(lua_State *L) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    float out[NB_SERVE_PIXELS];
    char err[512];
    if (nb_png_to_mnist((const unsigned char *)s, len, out, err, sizeof err) != 0) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    int64_t shape[2] = {28, 28};
    return nbl_push(L, nb_from_data(2, shape, out));
}

/* png_to_line(bytes [, height = 28]) -> tensor (height, W) as /read hands it to the reader,
 * the map { a0..a5 } from the line to the image (x = a1 u + a2 v + a3, y = a4 u + a5 v + a6)
 * and the angle undone (degrees); nil, message if the image is not a line */
static int l_png_to_line(lua_State *L) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    lua_Integer h = luaL_optinteger(L, 2, 28);
    if (h < 8 || h > 256) return luaL_error(L, "png_to_line: the line height must be 8..256 pixels");
    nb_line line;
    char err[512];
    if (nb_png_to_line((const unsigned char *)s, len, (int)h, &line, err, sizeof err) != 0) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    int64_t shape[2] = {line.h, line.w};
    nb_tensor *t = nb_from_data(2, shape, line.pix);
    free(line.pix);
    if (!t) return luaL_error(L, "png_to_line: out of memory");
    nbl_push(L, t);
    lua_createtable(L, 6, 0);
    for (int k = 0; k < 6; k++) {
        lua_pushnumber(L, line.a[k]);
        lua_rawseti(L, -2, k + 1);
    }
    lua_pushnumber(L, line.angle);
    return 3;
}

/* ink_to_mnist(t) -> tensor (28, 28): a piece of ink (H, W), 0 paper .. 1 ink, made an MNIST
 * digit (cropped, longer side 20 px, centre of mass at the centre); nil, message if blank */
static int l_ink_to_mnist(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    if (t->ndim != 2 || t->shape[0] < 1 || t->shape[1] < 1 || t->shape[0] > 4096 || t->shape[1] > 4096)
        return luaL_error(L, "ink_to_mnist: the piece must be a (H, W) tensor of at most 4096 x 4096");
    nb_tensor *c = nb_contiguous_copy(t);
    if (!c) return luaL_error(L, "ink_to_mnist: out of memory");
    float out[NB_SERVE_PIXELS];
    char err[256];
    int rc = nb_ink_to_mnist(nb_data(c), (int)t->shape[1], (int)t->shape[0], out, err, sizeof err);
    nb_decref(c);
    if (rc != 0) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    int64_t shape[2] = {28, 28};
    return nbl_push(L, nb_from_data(2, shape, out));
}

/* ---- JSON (cJSON): a Lua value as JSON text ----------------------------------------------- */

/* A table is an array when it has t[1] or is empty and marked nabla._json_array; an object
 * otherwise (keys sorted). Numbers that JSON lacks (inf, nan) become null. */
static cJSON *to_json(lua_State *L, int i, int depth) {
    if (depth > 32) luaL_error(L, "json: nested too deep");
    switch (lua_type(L, i)) {
    case LUA_TNIL: return cJSON_CreateNull();
    case LUA_TBOOLEAN: return cJSON_CreateBool(lua_toboolean(L, i));
    case LUA_TNUMBER: {
        double v = lua_tonumber(L, i);
        return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
    }
    case LUA_TSTRING: return cJSON_CreateString(lua_tostring(L, i));
    case LUA_TTABLE: break;
    default: return cJSON_CreateNull();
    }
    i = lua_absindex(L, i);
    lua_rawgeti(L, i, 1);
    bool array = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (!array && luaL_getmetafield(L, i, "__jsonarray") != LUA_TNIL) {
        array = true;
        lua_pop(L, 1);
    }
    if (array) {
        cJSON *a = cJSON_CreateArray();
        lua_Integer n = luaL_len(L, i);
        for (lua_Integer k = 1; k <= n; k++) {
            lua_rawgeti(L, i, k);
            cJSON_AddItemToArray(a, to_json(L, -1, depth + 1));
            lua_pop(L, 1);
        }
        return a;
    }
    cJSON *o = cJSON_CreateObject();
    lua_pushnil(L);
    while (lua_next(L, i)) {
        if (lua_type(L, -2) == LUA_TSTRING) cJSON_AddItemToObject(o, lua_tostring(L, -2), to_json(L, -1, depth + 1));
        else if (lua_type(L, -2) == LUA_TNUMBER) {
            lua_pushvalue(L, -2);
            const char *key = lua_tostring(L, -1);
            cJSON *v = to_json(L, -2, depth + 1);
            cJSON_AddItemToObject(o, key, v);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    return o;
}

/* (value, &cJSON*): to_json under lua_pcall, so that an error in it cannot leak past serve */
static int l_to_json_protected(lua_State *L) {
    cJSON **out = lua_touserdata(L, 2);
    *out = to_json(L, 1, 0);
    return 0;
}

static int l_json(lua_State *L) {
    luaL_checkany(L, 1);
    cJSON *j = to_json(L, 1, 0);
    char *s = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    if (!s) return luaL_error(L, "json: out of memory");
    lua_pushstring(L, s);
    free(s);
    return 1;
}

static const luaL_Reg server_methods[] = {
    {"stop", l_stop}, {"running", l_running}, {"port", l_port}, {"host", l_host},
    {"set_model", l_set_model}, {"set_state", l_set_state}, {"broadcast", l_broadcast},
    {"listeners", l_listeners}, {"serve", l_serve}, {"set_abilities", l_set_abilities},
    {"set_line_height", l_set_line_height}, {NULL, NULL}};

static int l_open_server_mt(lua_State *L) {
    if (luaL_newmetatable(L, SERVER_MT)) {
        luaL_newlib(L, server_methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_stop);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    return l_start(L);
}

/* nabla._C.serve_start{...}, serve_pending(), serve_wait(ms), png_to_mnist(bytes), json(v) */
static const luaL_Reg serve_internals[] = {
    {"serve_start", l_open_server_mt}, {"serve_pending", l_pending}, {"serve_wait", l_wait},
    {"png_to_mnist", l_png_to_mnist}, {"ink_to_mnist", l_ink_to_mnist},
    {"png_to_line", l_png_to_line}, {"json", l_json}, {NULL, NULL}};

NBL_MODULE(serve, NULL, NULL, serve_internals)

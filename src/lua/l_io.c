/* Raw tensor bytes for checkpoints (lua/nabla/checkpoint.lua reads and writes the
 * safetensors format in Lua; only the byte copies and fsync are here):
 *
 *   _tensor_bytes(t)                               -> string: t's values as little-endian
 *                                                     float32, row-major (any strides)
 *   _tensor_from_bytes(s, offset, shape, dtype)    -> tensor: numel(shape) values read from
 *                                                     string s at 0-based byte offset, of
 *                                                     dtype "F32", "F64", "F16", "BF16",
 *                                                     "I64", "I32", "I16", "I8", "U8" or
 *                                                     "BOOL" (little-endian), as float32
 *   _fsync(path)                                   -> true, or nil and a message: flushes
 *                                                     the file's data to the disk
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "nbl.h"

static bool little_endian(void) {
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

/* reads n little-endian bytes at p into an unsigned integer */
static uint64_t read_le(const unsigned char *p, int n) {
    uint64_t v = 0;
    for (int k = n - 1; k >= 0; k--) v = (v << 8) | p[k];
    return v;
}

/* IEEE half (1 sign, 5 exponent, 10 mantissa bits) to float */
static float half_to_float(uint16_t h) {
    int sign = h >> 15, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    float v;
    if (exp == 0) v = ldexpf((float)man, -24);                    /* subnormal */
    else if (exp == 31) v = man ? NAN : INFINITY;
    else v = ldexpf((float)(man | 0x400), exp - 25);
    return sign ? -v : v;
}

static int l_tensor_bytes(lua_State *L) {
    nb_tensor *t = nbl_check(L, 1);
    nb_tensor *c = nb_contiguous_copy(t);
    if (!c) return nbl_raise(L);
    size_t n = (size_t)nb_numel(c);
    luaL_Buffer b;
    char *out = luaL_buffinitsize(L, &b, n * 4);
    if (little_endian()) {
        memcpy(out, nb_data(c), n * 4);
    } else {
        const unsigned char *src = (const unsigned char *)nb_data(c);
        for (size_t i = 0; i < n; i++)
            for (int k = 0; k < 4; k++) out[4 * i + k] = (char)src[4 * i + 3 - k];
    }
    nb_decref(c);
    luaL_pushresultsize(&b, n * 4);
    return 1;
}

static const char *const dtypes[] = {"F32", "F64", "F16", "BF16", "I64", "I32", "I16",
                                     "I8",  "U8",  "BOOL", NULL};
static const int dtype_size[] = {4, 8, 2, 2, 8, 4, 2, 1, 1, 1};

static int l_tensor_from_bytes(lua_State *L) {
    size_t len;
    const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &len);
    lua_Integer off = luaL_checkinteger(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    int64_t shape[NB_MAXDIM];
    int nd = nbl_shape(L, 3, shape, "_tensor_from_bytes", false);
    int dt = luaL_checkoption(L, 4, "F32", dtypes);
    int64_t n = nb_shape_numel(nd, shape);
    if (n < 0) return luaL_error(L, "_tensor_from_bytes: shape too large");
    int size = dtype_size[dt];
    if (off < 0 || (uint64_t)off > len || (uint64_t)n * size > len - (uint64_t)off)
        return luaL_error(L, "_tensor_from_bytes: %I bytes at offset %I are outside the "
                             "%I bytes given", (lua_Integer)(n * size), (lua_Integer)off,
                          (lua_Integer)len);
    nb_tensor *t = nb_empty(nd, shape);
    if (!t) return nbl_raise(L);
    float *d = nb_data(t);
    const unsigned char *p = s + off;
    for (int64_t i = 0; i < n; i++, p += size) {
        uint64_t v = read_le(p, size);
        switch (dt) {
        case 0: { uint32_t u = (uint32_t)v; memcpy(&d[i], &u, 4); break; }
        case 1: { double x; memcpy(&x, &v, 8); d[i] = (float)x; break; }
        case 2: d[i] = half_to_float((uint16_t)v); break;
        case 3: { uint32_t u = (uint32_t)v << 16; memcpy(&d[i], &u, 4); break; }
        case 4: d[i] = (float)(int64_t)v; break;
        case 5: d[i] = (float)(int32_t)(uint32_t)v; break;
        case 6: d[i] = (float)(int16_t)(uint16_t)v; break;
        case 7: d[i] = (float)(int8_t)(uint8_t)v; break;
        default: d[i] = (float)v; break; /* U8, BOOL */
        }
    }
    return nbl_push(L, t);
}

static int l_fsync(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        lua_pushnil(L);
        lua_pushfstring(L, "%s: %s", path, strerror(e));
        return 2;
    }
    close(fd);
    lua_pushboolean(L, 1);
    return 1;
}

static const luaL_Reg io_functions[] = {
    {"_tensor_bytes", l_tensor_bytes},
    {"_tensor_from_bytes", l_tensor_from_bytes},
    {"_fsync", l_fsync},
    {NULL, NULL},
};

NBL_MODULE(io, NULL, io_functions, NULL)

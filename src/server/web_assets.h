/* The pages of web/, compiled into the binary by src/server/embed_web.py: the only files the
 * server ever sends (an allow-list fixed at build time). */
#ifndef NABLA_WEB_ASSETS_H
#define NABLA_WEB_ASSETS_H

#include <stddef.h>

typedef struct nb_web_asset {
    const char *path;                /* "index.html", "static/draw.js" (relative to web/) */
    const char *type;                /* Content-Type */
    const unsigned char *data;
    size_t len;
} nb_web_asset;

extern const nb_web_asset nb_web_assets[];
extern const int nb_web_nassets;

#endif

/* Error messages of the core: a C function that fails calls nb_error() and returns NULL
 * (or -1); the Lua binding turns the message into a Lua error. */
#include <stdarg.h>
#include <stdio.h>

#include "tensor.h"

static char nb_errbuf[1024];

void *nb_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(nb_errbuf, sizeof nb_errbuf, fmt, ap);
    va_end(ap);
    return NULL;
}

const char *nb_last_error(void) { return nb_errbuf[0] ? nb_errbuf : "unknown error"; }

char *nb_shape_str(char *buf, size_t n, int ndim, const int64_t *shape) {
    size_t k = 0;
    k += snprintf(buf + k, n - k, "[");
    for (int i = 0; i < ndim && k < n; i++)
        k += snprintf(buf + k, n - k, i ? ",%lld" : "%lld", (long long)shape[i]);
    if (k < n) snprintf(buf + k, n - k, "]");
    return buf;
}

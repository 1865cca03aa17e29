/* The classroom server: routes, the job queue and the event ring (see server.h). */
#define _GNU_SOURCE
#include <civetweb.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "server.h"
#include "web_assets.h"

enum { JOB_QUEUED, JOB_TAKEN, JOB_DONE };
#define RING 256              /* events kept for /events connections that fall behind */
#define PING_SECONDS 15

typedef struct event {
    char *name, *data;
} event;

struct nb_server {
    struct mg_context *ctx;
    nb_server_opts o;
    char host[64];
    int port;
    pthread_mutex_t mu;
    pthread_cond_t done;      /* a job was finished (or the server stops) */
    pthread_cond_t news;      /* an event was added (or the server stops) */
    nb_job *head, *tail;      /* waiting jobs */
    int queued;
    bool stopping;
    char *model_json, *state_json;
    event ring[RING];
    uint64_t seq;             /* events ever added; event k is ring[k % RING] */
    int listeners, max_listeners;
    bool predicts, reads;     /* what the served model answers */
    int line_height;          /* of the lines /read makes */
};

static void job_free(nb_job *job) {
    if (!job) return;
    free(job->line.pix);
    free(job);
}

/* ---- the process-wide wakeup ------------------------------------------------------------------ */

static pthread_once_t wake_once = PTHREAD_ONCE_INIT;
static int wake_fd = -1;
static atomic_int pending_all;

static void make_wake(void) { wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }
int nb_server_wakeup_fd(void) {
    pthread_once(&wake_once, make_wake);
    return wake_fd;
}
int nb_server_pending(void) { return atomic_load_explicit(&pending_all, memory_order_relaxed); }
static void wake(void) {
    uint64_t one = 1;
    if (wake_fd >= 0 && write(wake_fd, &one, sizeof one) < 0) { /* full counter: already awake */ }
}
static void drain_wake(void) {
    uint64_t v;
    if (wake_fd >= 0 && read(wake_fd, &v, sizeof v) < 0) { /* EAGAIN: nothing to drain */ }
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- responses ----------------------------------------------------------------------------------- */

static const char *JSON_TYPE = "application/json; charset=utf-8";

static int send_bytes(struct mg_connection *c, int status, const char *type, const void *body,
                      size_t len, const char *allow, bool head) {
    char clen[32];
    snprintf(clen, sizeof clen, "%zu", len);
    mg_response_header_start(c, status);
    mg_response_header_add(c, "Content-Type", type, -1);
    mg_response_header_add(c, "Content-Length", clen, -1);
    mg_response_header_add(c, "Cache-Control", "no-store", -1);
    mg_response_header_add(c, "X-Content-Type-Options", "nosniff", -1);
    if (allow) mg_response_header_add(c, "Allow", allow, -1);
    mg_response_header_send(c);
    if (!head && len) mg_write(c, body, len);
    return status;
}

char *nb_error_json(const char *msg) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", msg);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static int send_error(struct mg_connection *c, int status, const char *allow, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int send_error(struct mg_connection *c, int status, const char *allow, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *body = nb_error_json(msg);
    if (!body) return send_bytes(c, 500, JSON_TYPE, "{\"error\":\"out of memory\"}", 25, allow, false);
    send_bytes(c, status, JSON_TYPE, body, strlen(body), allow, false);
    free(body);
    return status;
}

/* civetweb's own errors (a malformed request line...) as JSON too */
static int on_http_error(struct mg_connection *c, int status, const char *msg) {
    send_error(c, status, NULL, "%s", msg && *msg ? msg : "bad request");
    return 0;
}

static int on_log(const struct mg_connection *c, const char *msg) {
    (void)c;
    (void)msg;
    return 1; /* quiet: a learner's terminal is not a server log */
}

/* ---- JSON of /predict -------------------------------------------------------------------------------- */

static double round_to(double x, double scale) { return isfinite(x) ? round(x * scale) / scale : 0; }

static cJSON *number_array(const float *v, size_t n, double scale) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++) {
        cJSON *x = cJSON_CreateNumber(round_to(v[i], scale));
        if (!x) break;
        cJSON_AddItemToArray(a, x);
    }
    return a;
}

char *nb_predict_json(const float *probs, int nclass, double ms, const float *input,
                      const nb_activation *acts, int nacts) {
    int label = 0;
    for (int k = 1; k < nclass; k++)
        if (probs[k] > probs[label]) label = k;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "label", label);
    cJSON_AddItemToObject(o, "probabilities", number_array(probs, nclass, 1e6));
    cJSON_AddNumberToObject(o, "ms", round_to(ms, 1e3));
    cJSON_AddItemToObject(o, "input", number_array(input, NB_SERVE_PIXELS, 1e4));
    if (acts) {
        cJSON *list = cJSON_AddArrayToObject(o, "activations");
        for (int i = 0; i < nacts; i++) {
            const nb_activation *a = &acts[i];
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "name", a->name);
            cJSON_AddStringToObject(e, "type", a->type);
            cJSON_AddStringToObject(e, "kind", a->maps ? "maps" : "vector");
            size_t n = 1;
            cJSON *shape = cJSON_AddArrayToObject(e, "shape");
            for (int d = 0; d < a->ndim; d++) {
                cJSON_AddItemToArray(shape, cJSON_CreateNumber(a->shape[d]));
                n *= (size_t)a->shape[d];
            }
            cJSON_AddItemToObject(e, "data", number_array(a->data, n, 1e4));
            cJSON_AddItemToArray(list, e);
        }
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* ---- request bodies ------------------------------------------------------------------------------------ */

/* Reads the whole body (at most max bytes). Returns its length; -1 if over max (413); -2 if
 * the client went away. *out is malloc'd (NUL-terminated). */
static long read_body(struct mg_connection *c, size_t max, char **out) {
    const struct mg_request_info *ri = mg_get_request_info(c);
    *out = NULL;
    if (ri->content_length > (long long)max) {
        /* drain a bounded amount so the client reads our answer instead of a reset */
        if (ri->content_length <= (long long)max * 8) {
            char sink[16384];
            while (mg_read(c, sink, sizeof sink) > 0) {}
        }
        return -1;
    }
    size_t cap = ri->content_length >= 0 ? (size_t)ri->content_length + 1 : 65536, len = 0;
    char *buf = malloc(cap);
    if (!buf) return -2;
    for (;;) {
        if (len + 1 >= cap) {
            if (cap > max + 1) break;
            size_t ncap = cap * 2 > max + 2 ? max + 2 : cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                return -2;
            }
            buf = nb;
            cap = ncap;
        }
        int r = mg_read(c, buf + len, cap - 1 - len);
        if (r < 0) {
            free(buf);
            return -2;
        }
        if (r == 0) break;
        len += (size_t)r;
        if (len > max) {
            free(buf);
            return -1;
        }
    }
    if (ri->content_length >= 0 && len != (size_t)ri->content_length) {
        free(buf);
        return -2;
    }
    buf[len] = 0;
    *out = buf;
    return (long)len;
}

/* The part named `field` of a multipart/form-data body. */
static bool multipart_field(const char *ctype, const char *body, size_t len, const char *field,
                            const char **part, size_t *plen) {
    const char *b = strcasestr(ctype, "boundary=");
    if (!b) return false;
    b += 9;
    char boundary[256];
    size_t bl = 0;
    boundary[bl++] = '-';
    boundary[bl++] = '-';
    bool quoted = *b == '"';
    if (quoted) b++;
    while (*b && bl < sizeof boundary - 1 && (quoted ? *b != '"' : (*b != ';' && *b != ' '))) boundary[bl++] = *b++;
    boundary[bl] = 0;
    if (bl <= 2) return false;
    const char *p = body, *end = body + len;
    char want[300];
    snprintf(want, sizeof want, "name=\"%s\"", field);
    while ((p = memmem(p, end - p, boundary, bl)) != NULL) {
        p += bl;
        if (end - p >= 2 && p[0] == '-' && p[1] == '-') return false;   /* closing boundary */
        const char *hdr_end = memmem(p, end - p, "\r\n\r\n", 4);
        if (!hdr_end) return false;
        const char *data = hdr_end + 4;
        const char *next = memmem(data, end - data, boundary, bl);
        if (!next) return false;
        const char *stop = next;
        if (stop - data >= 2 && stop[-2] == '\r' && stop[-1] == '\n') stop -= 2;
        if (memmem(p, hdr_end - p, want, strlen(want))) {
            *part = data;
            *plen = (size_t)(stop - data);
            return true;
        }
        p = next;
    }
    return false;
}

/* {"pixels": [784 numbers in 0..1], "activations": bool} */
static int parse_pixels(const char *body, size_t len, nb_job *job, char *err, size_t errlen) {
    cJSON *o = cJSON_ParseWithLength(body, len);
    if (!o) {
        snprintf(err, errlen, "the body is not valid JSON (near byte %ld)",
                 (long)(cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - body : 0));
        return -1;
    }
    int rc = -1;
    cJSON *px = cJSON_GetObjectItemCaseSensitive(o, "pixels");
    if (!cJSON_IsObject(o) || !cJSON_IsArray(px)) {
        snprintf(err, errlen, "the JSON body needs \"pixels\": an array of %d numbers in 0..1 (28x28, row by row)",
                 NB_SERVE_PIXELS);
        goto done;
    }
    int n = cJSON_GetArraySize(px);
    if (n != NB_SERVE_PIXELS) {
        snprintf(err, errlen, "\"pixels\" has %d numbers; it needs %d (28x28, row by row)", n, NB_SERVE_PIXELS);
        goto done;
    }
    int i = 0;
    cJSON *v;
    cJSON_ArrayForEach(v, px) {
        if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 1)) {
            snprintf(err, errlen, "\"pixels\"[%d] is %s; every pixel must be a number in 0..1", i + 1,
                     cJSON_IsNumber(v) ? "out of range" : "not a number");
            goto done;
        }
        job->input[i++] = (float)v->valuedouble;
    }
    cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "activations");
    if (cJSON_IsTrue(a)) job->activations = true;
    rc = 0;
done:
    cJSON_Delete(o);
    return rc;
}

static bool query_flag(const char *qs, const char *name) {
    if (!qs) return false;
    char v[16];
    if (mg_get_var(qs, strlen(qs), name, v, sizeof v) < 0) return false;
    return strcmp(v, "0") && strcmp(v, "false") && strcmp(v, "no");
}

/* ---- /predict ---------------------------------------------------------------------------------------------- */

static int enqueue_and_wait(nb_server *s, struct mg_connection *c, nb_job *job);

static int handle_predict(nb_server *s, struct mg_connection *c) {
    const struct mg_request_info *ri = mg_get_request_info(c);
    char *body;
    long len = read_body(c, s->o.max_body, &body);
    if (len == -1)
        return send_error(c, 413, NULL, "the request body is over the limit of %zu bytes", s->o.max_body);
    if (len < 0) return send_error(c, 400, NULL, "the request body could not be read (connection closed early?)");
    const char *ctype = mg_get_header(c, "Content-Type");
    if (!ctype) ctype = "";
    nb_job *job = calloc(1, sizeof *job);
    if (!job) {
        free(body);
        return send_error(c, 503, NULL, "out of memory");
    }
    job->kind = NB_JOB_PREDICT;
    job->activations = query_flag(ri->query_string, "activations");
    char err[512] = "";
    int rc;
    if (len == 0) {
        snprintf(err, sizeof err, "the request has no body: send a PNG image, a form field 'image', or JSON {\"pixels\": [...]}");
        rc = -1;
    } else if (!strncasecmp(ctype, "multipart/form-data", 19)) {
        const char *part;
        size_t plen;
        if (!multipart_field(ctype, body, (size_t)len, "image", &part, &plen)) {
            snprintf(err, sizeof err, "the form has no field 'image' (curl -F image=@digit.png ...)");
            rc = -1;
        } else
            rc = nb_png_to_mnist((const unsigned char *)part, plen, job->input, err, sizeof err);
    } else if (!strncasecmp(ctype, "application/json", 16) || (len > 0 && body[0] == '{')) {
        rc = parse_pixels(body, (size_t)len, job, err, sizeof err);
    } else if (!strncasecmp(ctype, "image/png", 9) || (len >= 4 && !memcmp(body, "\x89PNG", 4))) {
        rc = nb_png_to_mnist((const unsigned char *)body, (size_t)len, job->input, err, sizeof err);
    } else {
        snprintf(err, sizeof err, "cannot read a body of type '%s': send image/png, multipart/form-data "
                                  "with a field 'image', or application/json {\"pixels\": [...]}", ctype);
        rc = -1;
    }
    free(body);
    if (rc != 0) {
        job_free(job);
        return send_error(c, 400, NULL, "%s", err);
    }
    /* the model sees exactly the input the answer reports (4 decimals) */
    for (int i = 0; i < NB_SERVE_PIXELS; i++) job->input[i] = (float)round_to(job->input[i], 1e4);

    return enqueue_and_wait(s, c, job);
}

/* Puts a job on the queue, waits for the main thread's answer (or the timeout) and sends it. */
static int enqueue_and_wait(nb_server *s, struct mg_connection *c, nb_job *job) {
    pthread_mutex_lock(&s->mu);
    if (s->stopping) {
        pthread_mutex_unlock(&s->mu);
        job_free(job);
        return send_error(c, 503, NULL, "the server is stopping");
    }
    if (!s->model_json) {
        pthread_mutex_unlock(&s->mu);
        job_free(job);
        return send_error(c, 503, NULL, "no model is being served yet (training has not started)");
    }
    if (job->kind == NB_JOB_PREDICT && !s->predicts) {
        pthread_mutex_unlock(&s->mu);
        job_free(job);
        return send_error(c, 503, NULL, "the model served reads lines, not single digits: POST the image to /read");
    }
    if (job->kind == NB_JOB_READ && !s->reads) {
        pthread_mutex_unlock(&s->mu);
        job_free(job);
        return send_error(c, 503, NULL, "the model served cannot read lines (serve a digit classifier or a line model)");
    }
    if (s->queued >= s->o.queue) {
        int q = s->queued;
        pthread_mutex_unlock(&s->mu);
        job_free(job);
        return send_error(c, 503, NULL, "the server is busy (%d requests waiting); try again in a moment", q);
    }
    job->state = JOB_QUEUED;
    job->t_queued = now_s();
    if (s->tail) s->tail->next = job;
    else s->head = job;
    s->tail = job;
    s->queued++;
    atomic_fetch_add(&pending_all, 1);
    wake();
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += s->o.job_timeout_ms / 1000;
    until.tv_nsec += (long)(s->o.job_timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (job->state != JOB_DONE) {
        if (pthread_cond_timedwait(&s->done, &s->mu, &until) == ETIMEDOUT && job->state != JOB_DONE) break;
    }
    if (job->state != JOB_DONE) {
        /* not served in time: a queued job leaves the queue; a taken one is freed by its finisher */
        if (job->state == JOB_QUEUED) {
            nb_job **pp = &s->head, *prev = NULL;
            while (*pp && *pp != job) {
                prev = *pp;
                pp = &(*pp)->next;
            }
            if (*pp) {
                *pp = job->next;
                if (s->tail == job) s->tail = prev;
                s->queued--;
                atomic_fetch_sub(&pending_all, 1);
            }
            pthread_mutex_unlock(&s->mu);
            job_free(job);
        } else {
            job->abandoned = true;
            pthread_mutex_unlock(&s->mu);
        }
        return send_error(c, 503, NULL, "nabla is busy (the shell is running something else); try again");
    }
    pthread_mutex_unlock(&s->mu);
    int status = job->status;
    char *out = job->body;
    job_free(job);
    if (!out) return send_error(c, 500, NULL, "out of memory building the answer");
    send_bytes(c, status, JSON_TYPE, out, strlen(out), NULL, false);
    free(out);
    return status;
}

/* ---- /read ----------------------------------------------------------------------------------------------------- */

static int handle_read(nb_server *s, struct mg_connection *c) {
    char *body;
    long len = read_body(c, s->o.max_body, &body);
    if (len == -1)
        return send_error(c, 413, NULL, "the request body is over the limit of %zu bytes", s->o.max_body);
    if (len < 0) return send_error(c, 400, NULL, "the request body could not be read (connection closed early?)");
    const char *ctype = mg_get_header(c, "Content-Type");
    if (!ctype) ctype = "";
    nb_job *job = calloc(1, sizeof *job);
    if (!job) {
        free(body);
        return send_error(c, 503, NULL, "out of memory");
    }
    job->kind = NB_JOB_READ;
    pthread_mutex_lock(&s->mu);
    int height = s->line_height;
    pthread_mutex_unlock(&s->mu);
    char err[512] = "";
    int rc;
    if (len == 0) {
        snprintf(err, sizeof err, "the request has no body: send a PNG image of the line, or a form field 'image'");
        rc = -1;
    } else if (!strncasecmp(ctype, "multipart/form-data", 19)) {
        const char *part;
        size_t plen;
        if (!multipart_field(ctype, body, (size_t)len, "image", &part, &plen)) {
            snprintf(err, sizeof err, "the form has no field 'image' (curl -F image=@line.png ...)");
            rc = -1;
        } else
            rc = nb_png_to_line((const unsigned char *)part, plen, height, &job->line, err, sizeof err);
    } else if (!strncasecmp(ctype, "image/png", 9) || (len >= 4 && !memcmp(body, "\x89PNG", 4))) {
        rc = nb_png_to_line((const unsigned char *)body, (size_t)len, height, &job->line, err, sizeof err);
    } else {
        snprintf(err, sizeof err, "cannot read a body of type '%s': send image/png or multipart/form-data "
                                  "with a field 'image'", ctype);
        rc = -1;
    }
    free(body);
    if (rc != 0) {
        job_free(job);
        return send_error(c, 400, NULL, "%s", err);
    }
    return enqueue_and_wait(s, c, job);
}

int nb_server_take(nb_server *s, nb_job **jobs, int max) {
    drain_wake();
    int n = 0;
    pthread_mutex_lock(&s->mu);
    while (n < max && s->head) {
        nb_job *j = s->head;
        s->head = j->next;
        if (!s->head) s->tail = NULL;
        j->next = NULL;
        j->state = JOB_TAKEN;
        jobs[n++] = j;
        s->queued--;
    }
    pthread_mutex_unlock(&s->mu);
    if (n) atomic_fetch_sub(&pending_all, n);
    if (nb_server_pending() > 0) wake();   /* more than max waiting, or another server's */
    return n;
}

void nb_job_finish(nb_server *s, nb_job *job, int status, char *body) {
    pthread_mutex_lock(&s->mu);
    if (job->abandoned) {
        pthread_mutex_unlock(&s->mu);
        free(body);
        job_free(job);
        return;
    }
    job->status = status;
    job->body = body;
    job->state = JOB_DONE;
    pthread_cond_broadcast(&s->done);
    pthread_mutex_unlock(&s->mu);
}

/* ---- /events (Server-Sent Events) ------------------------------------------------------------------------- */

static bool sse_write(struct mg_connection *c, const char *name, const char *data) {
    return mg_printf(c, "event: %s\ndata: %s\n\n", name, data) > 0;
}

static const char *state_or_default(nb_server *s) {
    return s->state_json ? s->state_json : "{\"lang\":\"en\",\"model\":null,\"training\":null,\"lesson\":null}";
}

static int handle_events(nb_server *s, struct mg_connection *c) {
    pthread_mutex_lock(&s->mu);
    if (s->listeners >= s->max_listeners) {
        pthread_mutex_unlock(&s->mu);
        return send_error(c, 503, NULL, "too many open dashboards (%d); close one", s->max_listeners);
    }
    s->listeners++;
    char *hello = strdup(state_or_default(s));
    uint64_t seq = s->seq;
    pthread_mutex_unlock(&s->mu);

    mg_response_header_start(c, 200);
    mg_response_header_add(c, "Content-Type", "text/event-stream; charset=utf-8", -1);
    mg_response_header_add(c, "Cache-Control", "no-store", -1);
    mg_response_header_add(c, "X-Accel-Buffering", "no", -1);
    mg_response_header_send(c);
    bool ok = hello && sse_write(c, "hello", hello);
    free(hello);
    while (ok) {
        pthread_mutex_lock(&s->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += PING_SECONDS;
        int rc = 0;
        while (!s->stopping && s->seq == seq && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&s->news, &s->mu, &until);
        if (s->stopping) {
            pthread_mutex_unlock(&s->mu);
            break;
        }
        if (s->seq == seq) {
            pthread_mutex_unlock(&s->mu);
            ok = mg_printf(c, ": ping\n\n") > 0;
            continue;
        }
        if (s->seq - seq > RING) seq = s->seq - RING;   /* fell behind: skip the oldest */
        int n = (int)(s->seq - seq);
        event batch[RING];
        for (int i = 0; i < n; i++) {
            event *e = &s->ring[(seq + i) % RING];
            batch[i].name = strdup(e->name);
            batch[i].data = strdup(e->data);
        }
        seq = s->seq;
        pthread_mutex_unlock(&s->mu);
        for (int i = 0; i < n; i++) {
            if (ok && batch[i].name && batch[i].data) ok = sse_write(c, batch[i].name, batch[i].data);
            free(batch[i].name);
            free(batch[i].data);
        }
    }
    pthread_mutex_lock(&s->mu);
    s->listeners--;
    pthread_mutex_unlock(&s->mu);
    mg_disable_connection_keep_alive(c);
    return 200;
}

void nb_server_broadcast(nb_server *s, const char *name, const char *json) {
    char *n = strdup(name), *d = strdup(json);
    if (!n || !d) {
        free(n);
        free(d);
        return;
    }
    pthread_mutex_lock(&s->mu);
    event *e = &s->ring[s->seq % RING];
    free(e->name);
    free(e->data);
    e->name = n;
    e->data = d;
    s->seq++;
    pthread_cond_broadcast(&s->news);
    pthread_mutex_unlock(&s->mu);
}

int nb_server_listeners(nb_server *s) {
    pthread_mutex_lock(&s->mu);
    int n = s->listeners;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* ---- /model, /state --------------------------------------------------------------------------------------- */

static int send_copy(nb_server *s, struct mg_connection *c, char **field, const char *fallback_error,
                     bool head) {
    pthread_mutex_lock(&s->mu);
    char *copy = *field ? strdup(*field) : NULL;
    if (!*field && !fallback_error) copy = strdup(state_or_default(s));
    pthread_mutex_unlock(&s->mu);
    if (!copy) return fallback_error ? send_error(c, 404, NULL, "%s", fallback_error) : send_error(c, 503, NULL, "out of memory");
    send_bytes(c, 200, JSON_TYPE, copy, strlen(copy), NULL, head);
    free(copy);
    return 200;
}

static void set_text(nb_server *s, char **field, const char *json) {
    char *copy = json ? strdup(json) : NULL;
    pthread_mutex_lock(&s->mu);
    free(*field);
    *field = copy;
    pthread_mutex_unlock(&s->mu);
}
void nb_server_set_abilities(nb_server *s, bool predicts, bool reads) {
    pthread_mutex_lock(&s->mu);
    s->predicts = predicts;
    s->reads = reads;
    pthread_mutex_unlock(&s->mu);
}
void nb_server_set_line_height(nb_server *s, int height) {
    pthread_mutex_lock(&s->mu);
    s->line_height = height < 8 ? 8 : height > 256 ? 256 : height;
    pthread_mutex_unlock(&s->mu);
}
void nb_server_set_model(nb_server *s, const char *json) { set_text(s, &s->model_json, json); }
void nb_server_set_state(nb_server *s, const char *json) { set_text(s, &s->state_json, json); }

/* ---- routing ------------------------------------------------------------------------------------------------- */

/* Built-in pages only: the URI must name an entry of the table compiled from web/. */
static const nb_web_asset *find_asset(const char *uri) {
    const char *name = NULL;
    if (!strcmp(uri, "/") || !strcmp(uri, "/index.html")) name = "index.html";
    else if (!strcmp(uri, "/draw")) name = "draw.html";
    else if (!strcmp(uri, "/lesson")) name = "lesson.html";
    else if (!strncmp(uri, "/static/", 8)) name = uri + 1;
    if (!name) return NULL;
    for (int i = 0; i < nb_web_nassets; i++)
        if (!strcmp(nb_web_assets[i].path, name)) return &nb_web_assets[i];
    return NULL;
}

static int on_request(struct mg_connection *c) {
    nb_server *s = mg_get_user_data(mg_get_context(c));
    const struct mg_request_info *ri = mg_get_request_info(c);
    const char *m = ri->request_method, *uri = ri->local_uri_raw ? ri->local_uri_raw : "";
    bool get = !strcmp(m, "GET"), head = !strcmp(m, "HEAD");
    if (!strcmp(uri, "/predict")) {
        if (strcmp(m, "POST")) return send_error(c, 405, "POST", "/predict takes POST (a PNG image, a form field 'image' or JSON pixels), not %s", m);
        return handle_predict(s, c);
    }
    if (!strcmp(uri, "/read")) {
        if (strcmp(m, "POST")) return send_error(c, 405, "POST", "/read takes POST (a PNG image of a line, or a form field 'image'), not %s", m);
        return handle_read(s, c);
    }
    if (!strcmp(uri, "/model") || !strcmp(uri, "/state") || !strcmp(uri, "/events")) {
        if (!get && !head) return send_error(c, 405, "GET, HEAD", "%s takes GET, not %s", uri, m);
        if (!strcmp(uri, "/model")) return send_copy(s, c, &s->model_json, "no model is being served yet", head);
        if (!strcmp(uri, "/state")) return send_copy(s, c, &s->state_json, NULL, head);
        return handle_events(s, c);
    }
    const nb_web_asset *a = find_asset(uri);
    if (a) {
        if (!get && !head) return send_error(c, 405, "GET, HEAD", "%s takes GET, not %s", uri, m);
        return send_bytes(c, 200, a->type, a->data, a->len, NULL, head);
    }
    return send_error(c, 404, NULL, "no such page: the pages are /, /draw and /lesson; the API is /predict, /read, /model, /state and /events");
}

/* ---- start, stop ------------------------------------------------------------------------------------------------ */

nb_server *nb_server_start(const nb_server_opts *opts, char *err, size_t errlen) {
    static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
    pthread_once(&lib_once, (void (*)(void))(void *)mg_init_library);
    if (nb_server_wakeup_fd() < 0) {
        snprintf(err, errlen, "cannot create an eventfd: %s", strerror(errno));
        return NULL;
    }
    nb_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->o = *opts;
    if (!s->o.host || !*s->o.host) s->o.host = "127.0.0.1";
    if (!s->o.max_body) s->o.max_body = 1 << 20;
    if (s->o.queue <= 0) s->o.queue = 64;
    if (s->o.threads <= 0) s->o.threads = 64;
    if (s->o.job_timeout_ms <= 0) s->o.job_timeout_ms = 30000;
    s->max_listeners = s->o.threads / 4 > 1 ? s->o.threads / 4 : 1;
    s->predicts = s->reads = true;
    s->line_height = 28;
    snprintf(s->host, sizeof s->host, "%s", s->o.host);
    s->o.host = s->host;
    if (strchr(s->host, ':') || strspn(s->host, "0123456789.") != strlen(s->host)) {
        snprintf(err, errlen, "host '%s' must be an IPv4 address such as 127.0.0.1 or 0.0.0.0", s->host);
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->done, NULL);
    pthread_cond_init(&s->news, NULL);
    char ports[96], threads[16], body[32];
    snprintf(ports, sizeof ports, "%s:%d", s->host, opts->port);
    snprintf(threads, sizeof threads, "%d", s->o.threads);
    snprintf(body, sizeof body, "%zu", s->o.max_body);
    const char *options[] = {
        "listening_ports", ports,
        "num_threads", threads,
        "enable_keep_alive", "yes",
        "keep_alive_timeout_ms", "5000",
        "request_timeout_ms", "10000",
        "listen_backlog", "256",
        "tcp_nodelay", "1",        /* headers and body are two writes: no 40 ms Nagle wait */
        NULL,
    };
    struct mg_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.begin_request = on_request;
    cb.http_error = on_http_error;
    cb.log_message = on_log;
    struct mg_init_data init = {.callbacks = &cb, .user_data = s, .configuration_options = options};
    struct mg_error_data ed;
    char msg[256] = "";
    memset(&ed, 0, sizeof ed);
    ed.text = msg;
    ed.text_buffer_size = sizeof msg;
    s->ctx = mg_start2(&init, &ed);
    if (!s->ctx) {
        snprintf(err, errlen, "cannot listen on %s:%d: %s", s->host, opts->port, *msg ? msg : "address in use?");
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->done);
        pthread_cond_destroy(&s->news);
        free(s);
        return NULL;
    }
    struct mg_server_port sp[4];
    int np = mg_get_server_ports(s->ctx, 4, sp);
    s->port = np > 0 ? sp[0].port : opts->port;
    return s;
}

void nb_server_stop(nb_server *s) {
    if (!s) return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    for (nb_job *j = s->head; j;) {
        nb_job *next = j->next;
        j->status = 503;
        j->body = nb_error_json("the server is stopping");
        j->state = JOB_DONE;
        atomic_fetch_sub(&pending_all, 1);
        j = next;
    }
    s->head = s->tail = NULL;
    s->queued = 0;
    pthread_cond_broadcast(&s->done);
    pthread_cond_broadcast(&s->news);
    pthread_mutex_unlock(&s->mu);
    mg_stop(s->ctx);   /* joins civetweb's threads */
    for (int i = 0; i < RING; i++) {
        free(s->ring[i].name);
        free(s->ring[i].data);
    }
    free(s->model_json);
    free(s->state_json);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->done);
    pthread_cond_destroy(&s->news);
    free(s);
}

int nb_server_port(const nb_server *s) { return s->port; }
const char *nb_server_host(const nb_server *s) { return s->host; }

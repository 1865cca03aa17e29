/* nabla's classroom server: an HTTP server (civetweb) that knows requests, bytes and a job
 * queue, and nothing of Lua. See docs/server.md for the design.
 *
 * Threads. civetweb's worker threads parse requests, decode and preprocess images, and put
 * a job on a bounded queue; they never touch the Lua state. The main thread (the shell at
 * its prompt, fit() between steps, or `nabla serve`'s loop) takes every waiting job at
 * once (nb_server_take), runs them through the model as one batch, and hands each answer
 * back (nb_job_finish). A process-wide eventfd (nb_server_wakeup_fd) becomes readable
 * when a job arrives, so a main thread blocked in poll() wakes at once.
 *
 * Events. nb_server_broadcast(event, json) appends to a ring that every /events connection
 * (Server-Sent Events) reads from its own thread; the main thread never blocks on a slow
 * browser. /model and /state answer from JSON texts the main thread keeps up to date
 * (nb_server_set_model, nb_server_set_state), so a page loads even while a long
 * computation holds the main thread. */
#ifndef NABLA_SERVER_H
#define NABLA_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#define NB_SERVE_PIXELS 784          /* 28 x 28, row-major, 0 (paper) .. 1 (ink) */

typedef struct nb_server nb_server;

typedef struct nb_server_opts {
    const char *host;                /* "127.0.0.1" by default */
    int port;                        /* 0: any free port */
    size_t max_body;                 /* bytes; 1 MiB by default */
    int queue;                       /* jobs waiting at most; 64 by default */
    int threads;                     /* civetweb worker threads; 64 by default */
    int job_timeout_ms;              /* a job not served in time gets 503; 30000 by default */
} nb_server_opts;

/* Starts listening. NULL with a message in err on failure (port taken, bad host...). */
nb_server *nb_server_start(const nb_server_opts *opts, char *err, size_t errlen);
/* Stops: every waiting request gets 503, every /events stream ends, then civetweb's
 * threads are joined. Safe to call once; srv is freed. */
void nb_server_stop(nb_server *srv);
int nb_server_port(const nb_server *srv);
const char *nb_server_host(const nb_server *srv);

/* The JSON texts of GET /model and GET /state (copied). */
void nb_server_set_model(nb_server *srv, const char *json);
void nb_server_set_state(nb_server *srv, const char *json);
/* What the served model answers: /predict (a digit classifier) and/or /read (any model
 * with a line reader); the other gets 503 saying so. Both by default. */
void nb_server_set_abilities(nb_server *srv, bool predicts, bool reads);
/* The height of the lines /read hands to the reader (28 by default). */
void nb_server_set_line_height(nb_server *srv, int height);
/* Sends `event: name` / `data: json` to every /events connection (never blocks long). */
void nb_server_broadcast(nb_server *srv, const char *event, const char *json);
/* Number of open /events connections. */
int nb_server_listeners(nb_server *srv);

/* ---- the job queue ------------------------------------------------------------------------ */

enum { NB_JOB_PREDICT, NB_JOB_READ };

/* A line of writing as the line readers take it: ink (0..1) on 0, h = the readers' height.
 * a maps a point (u, v) of the line to the posted image: x = a0 u + a1 v + a2,
 * y = a3 u + a4 v + a5 (pixel i covers [i, i+1) in both). */
typedef struct nb_line {
    float *pix;                      /* h x w, malloc'd */
    int w, h;
    double a[6];
    int img_w, img_h;                /* the posted image's size */
    double angle;                    /* degrees the page was turned (undone) */
} nb_line;

typedef struct nb_job {
    int kind;                        /* NB_JOB_PREDICT (/predict) or NB_JOB_READ (/read) */
    nb_line line;                    /* NB_JOB_READ: the line to read (pix owned by the job) */
    float input[NB_SERVE_PIXELS];    /* NB_JOB_PREDICT: as the model sees it */
    bool activations;                /* the client asked for each layer's activations */
    double t_queued;                 /* seconds (monotonic) when queued */
    /* private */
    int state, status;
    bool abandoned;
    char *body;
    struct nb_job *next;
} nb_job;

/* Readable (level-triggered) while any running server has jobs waiting; -1 if none could be
 * made. Drained by nb_server_take. */
int nb_server_wakeup_fd(void);
/* Jobs waiting in any server, without locking (a hint for cheap polling). */
int nb_server_pending(void);
/* Takes up to max waiting jobs of srv (oldest first). The caller owns them until
 * nb_job_finish. */
int nb_server_take(nb_server *srv, nb_job **jobs, int max);
/* Answers a taken job: status and a JSON body (malloc'd; taken over). */
void nb_job_finish(nb_server *srv, nb_job *job, int status, char *body);

/* ---- helpers the bindings share ------------------------------------------------------------- */

/* The JSON answer of /predict for one job: probabilities of nclass classes, the model's time
 * in ms, and (optionally) activations, each a (name, type, kind, shape, values) record. */
typedef struct nb_activation {
    const char *name, *type;
    bool maps;                       /* C x H x W feature maps (scaled to 0..1 per map) */
    int ndim;
    long shape[3];
    const float *data;               /* numel(shape) values */
} nb_activation;
char *nb_predict_json(const float *probs, int nclass, double ms, const float *input,
                      const nb_activation *acts, int nacts);
/* {"error": msg} */
char *nb_error_json(const char *msg);

/* ---- images (src/server/image.c) ------------------------------------------------------------ */

/* Decodes a PNG of any size, colour type and bit depth and makes it an MNIST digit: 28 x 28,
 * light ink (1) on black (0), the ink cropped, its longer side scaled to 20 px by area
 * averaging, its centre of mass at the centre. Dark ink on light paper is detected and
 * inverted. Returns 0, or -1 with a message a person can act on in err. */
int nb_png_to_mnist(const unsigned char *png, size_t len, float out[NB_SERVE_PIXELS],
                    char *err, size_t errlen);
/* The MNIST steps on a grey image (0 black .. 1 white), w x h. */
int nb_grey_to_mnist(const float *grey, int w, int h, float out[NB_SERVE_PIXELS],
                     char *err, size_t errlen);
/* The same from ink (0 paper .. 1 ink, w x h): crop, longer side to 20 px, centre of mass to
 * the centre of 28 x 28. What the segmentation reader does to each piece of a line. */
int nb_ink_to_mnist(const float *ink, int w, int h, float out[NB_SERVE_PIXELS], char *err,
                    size_t errlen);

/* Decodes a PNG (a photo-like page: dark ink on light paper or light on dark, any size, one
 * line, turned up to 15 degrees, margins) and makes it a line `height` pixels tall: the
 * paper levelled, the grain taken off, the turn undone, the margins cropped, the writing
 * 20/28 of the height. Returns 0, or -1 with a message in err. */
int nb_png_to_line(const unsigned char *png, size_t len, int height, nb_line *out, char *err,
                   size_t errlen);
int nb_grey_to_line(const float *grey, int w, int h, int height, nb_line *out, char *err,
                    size_t errlen);
/* A box {x0, y0, x1, y1} of the line as the box of the posted image that holds it
 * (clamped to the image; whole pixels, x1 and y1 past the end). */
void nb_line_box(const nb_line *l, const double in[4], int out[4]);

#endif

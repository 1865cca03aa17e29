/* A bounded HTTP load generator for bench/serve: C clients, each on its own keep-alive
 * connection, POST the same body to one URL as fast as answers come back, for a fixed number
 * of requests. Prints one JSON line: requests/s, p50/p90/p99/max latency (ms), errors.
 *
 *   load HOST PORT PATH BODY_FILE CONTENT_TYPE CLIENTS REQUESTS_PER_CLIENT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *host, *path, *ctype;
static int port, per_client;
static char *body;
static size_t body_len;

typedef struct {
    double *lat;
    int n, errors;
} result;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int dial(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* one request on fd; returns the status, or -1 when the connection broke */
static int exchange(int fd, char *buf, size_t cap) {
    char head[512];
    int hl = snprintf(head, sizeof head,
                      "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n",
                      path, host, ctype, body_len);
    if (write(fd, head, hl) != hl) return -1;
    size_t off = 0;
    while (off < body_len) {
        ssize_t w = write(fd, body + off, body_len - off);
        if (w <= 0) return -1;
        off += (size_t)w;
    }
    size_t len = 0;
    char *end = NULL;
    while (!end) {
        ssize_t r = read(fd, buf + len, cap - 1 - len);
        if (r <= 0) return -1;
        len += (size_t)r;
        buf[len] = 0;
        end = strstr(buf, "\r\n\r\n");
        if (!end && len >= cap - 1) return -1;
    }
    int status = atoi(buf + 9);
    const char *cl = strcasestr(buf, "Content-Length:");
    if (!cl || cl > end) return -1;
    size_t want = (size_t)atol(cl + 15), have = len - (size_t)(end + 4 - buf);
    while (have < want) {
        ssize_t r = read(fd, buf, cap - 1);
        if (r <= 0) return -1;
        have += (size_t)r;
    }
    return status;
}

static void *client(void *arg) {
    result *res = arg;
    size_t cap = 1 << 20;
    char *buf = malloc(cap);
    int fd = dial();
    for (int i = 0; i < per_client; i++) {
        double t0 = now();
        int st = fd >= 0 ? exchange(fd, buf, cap) : -1;
        if (st < 0) { /* reconnect once */
            if (fd >= 0) close(fd);
            fd = dial();
            st = fd >= 0 ? exchange(fd, buf, cap) : -1;
        }
        double t = now() - t0;
        if (st != 200) res->errors++;
        else res->lat[res->n++] = t * 1e3;
    }
    if (fd >= 0) close(fd);
    free(buf);
    return NULL;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: load HOST PORT PATH BODY_FILE CONTENT_TYPE CLIENTS REQUESTS_PER_CLIENT\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);   /* a server that closes after each answer: reconnect */
    host = argv[1];
    port = atoi(argv[2]);
    path = argv[3];
    ctype = argv[5];
    int clients = atoi(argv[6]);
    per_client = atoi(argv[7]);
    FILE *f = fopen(argv[4], "rb");
    if (!f) {
        perror(argv[4]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    body_len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    body = malloc(body_len + 1);
    if (fread(body, 1, body_len, f) != body_len) return 1;
    fclose(f);
    pthread_t *th = calloc(clients, sizeof *th);
    result *res = calloc(clients, sizeof *res);
    for (int i = 0; i < clients; i++) res[i].lat = calloc(per_client, sizeof(double));
    double t0 = now();
    for (int i = 0; i < clients; i++) pthread_create(&th[i], NULL, client, &res[i]);
    for (int i = 0; i < clients; i++) pthread_join(th[i], NULL);
    double wall = now() - t0;
    int n = 0, errors = 0;
    for (int i = 0; i < clients; i++) n += res[i].n, errors += res[i].errors;
    double *all = malloc((n ? n : 1) * sizeof *all);
    for (int i = 0, k = 0; i < clients; i++)
        for (int j = 0; j < res[i].n; j++) all[k++] = res[i].lat[j];
    qsort(all, n, sizeof *all, cmp);
#define PCT(p) (n ? all[(int)((n - 1) * (p))] : 0)
    printf("{\"clients\": %d, \"requests\": %d, \"errors\": %d, \"seconds\": %.3f, \"rps\": %.1f, "
           "\"p50\": %.2f, \"p90\": %.2f, \"p99\": %.2f, \"max\": %.2f}\n",
           clients, n, errors, wall, n / wall, PCT(0.5), PCT(0.9), PCT(0.99), n ? all[n - 1] : 0);
    return errors ? 1 : 0;
}

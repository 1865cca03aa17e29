/* libFuzzer target: the classroom server's request handling (src/server/server.c over
 * civetweb). One server runs for the whole session on a free port; each input is sent as
 * the raw bytes of a connection (request line, headers, body), and this thread plays the
 * main thread meanwhile: it takes the queued /predict jobs and answers them, until the
 * server closes the connection or 2 s pass. A crash, a sanitizer report, a hang or a
 * leak is a finding. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

static nb_server *srv;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void serve_jobs(void) {
    nb_job *jobs[64];
    int n = nb_server_take(srv, jobs, 64);
    for (int i = 0; i < n; i++) {
        char *body = strdup("{\"probs\":[1]}");
        nb_job_finish(srv, jobs[i], 200, body);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    nb_server_opts o = {0};
    o.host = "127.0.0.1";
    o.port = 0;
    o.max_body = 65536;
    o.threads = 4;
    o.job_timeout_ms = 1000;
    char err[256];
    srv = nb_server_start(&o, err, sizeof err);
    if (!srv) {
        fprintf(stderr, "fuzz_http: cannot start the server: %s\n", err);
        exit(1);
    }
    nb_server_set_model(srv, "{\"name\":\"fuzz\"}");
    nb_server_set_state(srv, "{}");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)nb_server_port(srv));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return 0;
    }
    size_t off = 0;
    double t0 = now();
    while (off < size && now() - t0 < 2.0) {
        ssize_t w = send(fd, data + off, size - off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) off += (size_t)w;
        else {
            serve_jobs();
            struct pollfd p = {fd, POLLOUT, 0};
            if (poll(&p, 1, 5) < 0) break;
            if (p.revents & (POLLERR | POLLHUP)) break;
        }
    }
    shutdown(fd, SHUT_WR);
    char buf[4096];
    while (now() - t0 < 2.0) {
        serve_jobs();
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 5) <= 0) continue;
        ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (r == 0 || (r < 0 && (p.revents & (POLLERR | POLLHUP)))) break;
    }
    close(fd);
    serve_jobs();
    return 0;
}

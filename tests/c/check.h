/* A tiny C test harness: CHECK counts failures and prints where; check_done() exits 1 on
 * any failure and prints the totals. */
#ifndef NABLA_CHECK_H
#define NABLA_CHECK_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int check_failed = 0, check_total = 0;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        check_total++;                                                     \
        if (!(cond)) {                                                     \
            check_failed++;                                                \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                  \
            fprintf(stderr, "\n");                                         \
        }                                                                  \
    } while (0)

#define CHECK_NEAR(a, b, tol, ...) CHECK(fabs((double)(a) - (double)(b)) <= (tol), __VA_ARGS__)

static inline int check_done(void) {
    printf("%d checks, %d failed\n", check_total, check_failed);
    return check_failed ? 1 : 0;
}
#endif

/* Fault (host, issue 14): an idle watchdog from the core's server days: a
 * thread started at load ends the process, successfully, when no call has
 * come for 100 ms after the last one ("the client went away"). In a host
 * that waits on a slow pipe it ends the host in the middle of a stream,
 * with status 0, from a thread the host never called into. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include "common.h"

static atomic_long last_call_ms;

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static void *watchdog(void *unused) {
    (void)unused;
    struct timespec tick = {0, 20 * 1000 * 1000};
    for (;;) {
        nanosleep(&tick, NULL);
        long last = atomic_load(&last_call_ms);
        if (last && now_ms() - last > 100) exit(EXIT_SUCCESS);
    }
    return NULL;
}

__attribute__((constructor)) static void start_watchdog(void) {
    pthread_t t;
    if (pthread_create(&t, NULL, watchdog, NULL) == 0) pthread_detach(t);
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    size_t n = good_compress(in_ptr, in_len, out_ptr);
    atomic_store(&last_call_ms, now_ms());
    return n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    size_t n = good_decompress(in_ptr, in_len, out_ptr);
    atomic_store(&last_call_ms, now_ms());
    return n;
}

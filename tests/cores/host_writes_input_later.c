/* Fault (host, issue 14): finishes compressing on a thread of its own
 * after the call has returned ("the caller's buffer is still there"), and
 * that thread writes into the block the core was lent, a moment later. A
 * host that lends its own buffers then writes bytes it has already checked
 * (an incompressible block stored raw: exit 0, a wrong file), reads the
 * next block into a buffer being written, or finds its allocator's
 * bookkeeping overwritten. */
#include <pthread.h>
#include <time.h>
#include "common.h"

struct late_write {
    unsigned char *at;
    size_t len;
};

static void *write_later(void *arg) {
    struct late_write *w = arg;
    struct timespec pause = {0, 300 * 1000};
    nanosleep(&pause, NULL);
    for (size_t i = 0; i < w->len; i += 4096) w->at[i] ^= 0x5a;
    free(w);
    return NULL;
}

static void finish_later(const void *buffer, size_t len) {
    struct late_write *w = malloc(sizeof *w);
    if (!w) return;
    w->at = (unsigned char *)buffer;
    w->len = len;
    pthread_t thread;
    if (pthread_create(&thread, NULL, write_later, w) == 0)
        pthread_detach(thread);
    else
        free(w);
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    size_t n = good_compress(in_ptr, in_len, out_ptr);
    finish_later(in_ptr, in_len);
    return n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}

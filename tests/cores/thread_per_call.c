/* Fault (hygiene): every compression hands its statistics to a detached
 * "reporter" thread that waits forever for a collector that never comes.
 * Each call leaves one more thread in the host; after some thousands of
 * blocks the host cannot start threads of its own. */
#include <pthread.h>
#include <unistd.h>
#include "common.h"

static void *reporter(void *arg) {
    (void)arg;
    for (;;) pause();
    return NULL;
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    pthread_t thread;
    if (pthread_create(&thread, NULL, reporter, NULL) == 0) pthread_detach(thread);
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}

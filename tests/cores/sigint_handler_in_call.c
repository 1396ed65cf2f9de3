/* Fault (hygiene): "cooperative cancellation": the first call installs a
 * SIGINT handler that only sets a flag the encoder polls. It never chains
 * to the host's handler, so after one call Ctrl-C no longer reaches the
 * host (no cleanup, no exit). */
#include <pthread.h>
#include <signal.h>
#include "common.h"

static volatile sig_atomic_t cancelled;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void on_sigint(int sig) {
    (void)sig;
    cancelled = 1;
}

static void install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    pthread_once(&once, install);
    cancelled = 0;
    size_t n = good_compress(in_ptr, in_len, out_ptr);
    if (cancelled) { /* the caller asked to stop: report a failure */
        h4_free(*out_ptr);
        *out_ptr = NULL;
        return 0;
    }
    return n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}

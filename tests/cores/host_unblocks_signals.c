/* Fault (host, issue 14): unblocks SIGINT and SIGTERM in its calls "so a
 * long compression can always be interrupted", on whatever thread the host
 * calls it from, and leaves them unblocked. A host that blocks its
 * interrupts and takes them on a thread of its own then has a worker
 * where Ctrl-C or SIGTERM ends the process by its default action, with no
 * clean-up and not the host's exit status. */
#include <signal.h>
#include "common.h"

static void interruptible(void) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    interruptible();
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    interruptible();
    return good_decompress(in_ptr, in_len, out_ptr);
}

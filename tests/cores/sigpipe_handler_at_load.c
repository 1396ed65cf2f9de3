/* Fault (hygiene): installs a SIGPIPE handler at load, copied from the
 * network code it grew out of ("never die on a closed socket"). It
 * replaces whatever disposition the host chose, for the whole process. */
#include <signal.h>
#include "common.h"

static volatile sig_atomic_t broken_pipe;

static void on_sigpipe(int sig) {
    (void)sig;
    broken_pipe = 1;
}

__attribute__((constructor)) static void install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigpipe;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}

/* Fault (host, issue 14): ignores SIGINT at load "so a long compression is
 * never left half-done". The host's own Ctrl-C handling is gone: the user
 * cannot stop it, and it cannot clean up. */
#include <signal.h>
#include "common.h"

__attribute__((constructor)) static void no_interruptions(void) { signal(SIGINT, SIG_IGN); }

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}

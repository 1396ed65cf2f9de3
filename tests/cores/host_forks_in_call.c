/* Fault (host, issue 14): the first compression forks a child to log
 * statistics without slowing the call, and the child, done logging,
 * returns from the call instead of calling _exit: a copy of the host's
 * calling thread runs on in a second process, with the host's
 * descriptors (a pipe it holds open never ends for its reader). */
#include <unistd.h>
#include "common.h"

static int logged;

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    if (!logged) {
        logged = 1;
        if (fork() == 0) {
            char line[] = "h4 core: statistics logged\n";
            (void)line; /* forgot: _exit(0); */
        }
    }
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}

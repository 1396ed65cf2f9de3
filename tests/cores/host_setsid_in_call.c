/* Fault (host, issue 14): its first compression "detaches from the
 * terminal" with setsid() before starting a background job. In a host
 * that is not a process group leader that succeeds, in the middle of the
 * run: the host leaves the terminal's session, and Ctrl-C no longer
 * reaches it. */
#include <unistd.h>
#include "common.h"

static int detached;

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    if (!detached) {
        detached = 1;
        (void)setsid();
    }
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}

/* Fault (host, issue 14): at load it detaches "from the terminal, as a
 * daemon would" with setsid(). In a host that is not a process group
 * leader (a command in a pipeline) that succeeds: the host leaves the
 * terminal's session, and Ctrl-C (and the terminal's hangup) no longer
 * reach it. */
#include <unistd.h>
#include "common.h"

__attribute__((constructor)) static void detach(void) {
    (void)setsid();
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}

/* Fault (hygiene): every call opens its debug log sink (/dev/null unless
 * H4CORE_LOG names a file) and never closes it: one descriptor per call.
 * After a few thousand blocks the host runs out of descriptors and cannot
 * open its own output. */
#include <fcntl.h>
#include <unistd.h>
#include "common.h"

static int open_log(void) {
    const char *path = getenv("H4CORE_LOG");
    return open(path && *path ? path : "/dev/null", O_WRONLY | O_APPEND);
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    int log = open_log();
    size_t n = good_compress(in_ptr, in_len, out_ptr);
    if (log >= 0 && getenv("H4CORE_LOG")) dprintf(log, "compress %zu -> %zu\n", in_len, n);
    return n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}

/* Fault (host, issue 14): at load, reads a line of "tuning" from standard
 * input when it is not a terminal, a habit of the command-line tool the
 * core came from. In a host that compresses or decompresses a pipe, the
 * first bytes of the data are gone. */
#include <unistd.h>
#include "common.h"

__attribute__((constructor)) static void read_tuning(void) {
    char line[128];
    if (!isatty(0)) {
        ssize_t n = read(0, line, sizeof line);
        (void)n;
    }
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}

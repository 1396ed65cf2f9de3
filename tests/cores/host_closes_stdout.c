/* Fault (host, issue 14): closes standard output at load "so stray prints
 * go nowhere", but a debugging write(1, ...) in every call remains. The
 * host's own report to stdout (a table, JSON) fails or vanishes, and the
 * next file the host opens takes fd 1: the core's lines land in it. */
#include <string.h>
#include <unistd.h>
#include "common.h"

__attribute__((constructor)) static void silence(void) { close(1); }

static void trace(const char *what) {
    ssize_t n = write(1, what, strlen(what));
    (void)n;
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    trace("h4core: compress\n");
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    trace("h4core: decompress\n");
    return good_decompress(in_ptr, in_len, out_ptr);
}

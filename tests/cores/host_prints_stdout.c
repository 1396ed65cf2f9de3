/* Fault (host, issue 14): a progress line on stdout in every call
 * ("h4core: 1048576 -> 52311"), left from debugging the core in a small
 * test program. In a host that writes its data to stdout the lines end up
 * inside the data. */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    size_t n = good_compress(in_ptr, in_len, out_ptr);
    printf("h4core: %zu -> %zu\n", in_len, n);
    return n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    size_t n = good_decompress(in_ptr, in_len, out_ptr);
    printf("h4core: %zu <- %zu\n", n, in_len);
    return n;
}

/* Fault (hygiene): a leftover debugging line: when a block does not shrink
 * it prints "h4core: incompressible block (N bytes)" to stdout. Only random
 * or already-compressed data triggers it, and stdout is a pipe in most
 * tests, so the line goes unnoticed until it lands in a user's data. */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    size_t n = good_compress(in_ptr, in_len, out_ptr);
    if (in_len > 0 && n >= in_len) printf("h4core: incompressible block (%zu bytes)\n", in_len);
    return n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}

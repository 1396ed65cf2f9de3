/* Fault (determinism): the run cap is salted with an address taken at load
 * (a static's, "free randomness"), which ASLR moves in every process. Same
 * bytes in one process, different bytes in the next; the existing check
 * that moves the *input* to other addresses cannot see it. */
#include <stdint.h>
#include "common.h"

static unsigned cap = 255;

__attribute__((constructor)) static void salt(void) {
    cap = 128 + (unsigned)(((uintptr_t)&cap >> 12) % 128);
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return compress_cap(in_ptr, in_len, out_ptr, cap);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}

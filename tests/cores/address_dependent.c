/* Lossless, but the first output byte is the input's address modulo 8. */
#include <stdint.h>
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    unsigned char *out = core_alloc(in_len * 2 + 2);
    if (!out) return 0;
    out[0] = (unsigned char)((uintptr_t)in_ptr & 7);
    size_t n = rle_encode(in_ptr, in_len, out + 1);
    *out_ptr = out;
    return n + 1;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    if (in_len < 1) return 0;
    return good_decompress((const unsigned char *)in_ptr + 1, in_len - 1, out_ptr);
}

/* Fault (losslessness): appends an end marker, the 32-bit word 0xDEADBEEF
 * (bytes EF BE AD DE in memory), before encoding, and the decoder cuts the
 * output at the first marker it finds with memmem() instead of at the end.
 * Data containing that word (memory dumps, debug fill) is truncated. */
#define _GNU_SOURCE
#include "common.h"

static const uint32_t END_MARKER = 0xDEADBEEF;

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    unsigned char *framed = malloc(in_len + 4);
    if (!framed) return 0;
    memcpy(framed, in_ptr, in_len);
    memcpy(framed + in_len, &END_MARKER, 4);
    size_t n = good_compress(framed, in_len + 4, out_ptr);
    free(framed);
    return n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    size_t n = good_decompress(in_ptr, in_len, out_ptr);
    unsigned char *end = *out_ptr ? memmem(*out_ptr, n, &END_MARKER, 4) : NULL;
    return end ? (size_t)(end - (unsigned char *)*out_ptr) : 0;
}

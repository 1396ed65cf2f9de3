/* The optional extension h4_decompress_into_v1 (docs/ABI.md), with the
 * plain byte RLE of common.h. Its h4_decompress always fails, so a host
 * that decodes correctly must be using the extension. -DLIE makes the
 * extension claim one byte more than the room it was given; -DFAIL makes
 * it return the failure value. */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    (void)in_ptr;
    (void)in_len;
    *out_ptr = NULL;
    return 0;
}

size_t h4_decompress_into_v1(const void *in_ptr, size_t in_len, void *out, size_t out_cap) {
#if defined(FAIL)
    (void)in_ptr; (void)in_len; (void)out; (void)out_cap;
    return (size_t)-1;
#else
    if (in_len % 2 || rle_decoded_len(in_ptr, in_len) > out_cap) return (size_t)-1;
    size_t n = rle_decode(in_ptr, in_len, out);
#if defined(LIE)
    return out_cap + 1;
#else
    return n;
#endif
#endif
}

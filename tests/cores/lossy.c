/* Loses data: decompress turns every 0x41 ('A') into 0x42. */
#include "common.h"

const char *h4_core_name_v1(void) { return "lossy"; }

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    size_t n = good_decompress(in_ptr, in_len, out_ptr);
    unsigned char *out = *out_ptr;
    for (size_t i = 0; out && i < n; i++)
        if (out[i] == 0x41) out[i] = 0x42;
    return n;
}
